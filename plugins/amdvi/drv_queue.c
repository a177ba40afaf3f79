// SPDX-License-Identifier: MIT
/*
 * drv_queue.c - the AMD-Vi driver's command buffer: command encoders
 * (amdvi 5.3) with the S-bit range encoding (amdvi 5.4), the buffer as an
 * ilib_ring producer written through the host's memory, submit-and-wait
 * on a COMPLETION_WAIT store, recovery from a halted buffer, and the
 * buffer's setup (amdvi 1.2, 5.1).  The choices it follows are in drv.h.
 */
#include <errno.h>
#include <pthread.h>

#include "drv.h"

/* ---- commands (amdvi 5.3) ------------------------------------------------ */

/* COMPLETION_WAIT, S = 1: store @data at @addr (8-byte aligned). */
struct amdvi_cmd amdvi_cmd_cw(uint64_t addr, uint64_t data)
{
	struct amdvi_cmd c;

	c.qw[0] =
	    amdvi_field_prep(AMDVI_CMD_OPCODE, AMDVI_CMD_COMPLETION_WAIT) |
	    (addr & AMDVI_CW0_ADDR) | AMDVI_CW0_S;
	c.qw[1] = data;
	return c;
}

struct amdvi_cmd amdvi_cmd_inv_dte(uint16_t devid)
{
	struct amdvi_cmd c;

	c.qw[0] =
	    amdvi_field_prep(AMDVI_CMD_OPCODE, AMDVI_CMD_INV_DEVTAB_ENTRY) |
	    amdvi_field_prep(AMDVI_CMD0_DEVID, devid);
	c.qw[1] = 0;
	return c;
}

/*
 * amdvi 5.4: the smallest naturally aligned block holding [start, last]:
 * one page with S = 0; else S = 1 and the address with the bits below
 * the block's top set (bits 11:0 clear); past bit 51 the whole space.
 */
static uint64_t amdvi_inv_addr(uint64_t start, uint64_t last, bool *s)
{
	unsigned int m;

	start &= ~0xfffull;
	last &= ~0xfffull;
	if (start == last) {
		*s = false;
		return start;
	}
	*s = true;
	m = 63 - (unsigned int)__builtin_clzll(start ^ last); /* >= 12 */
	if (m >= AMDVI_INV_ALL_BIT)
		return AMDVI_INV_ALL_ADDR;
	/* block of 2^(m+1) bytes: bits m-1..12 set, bit m clear */
	return ((start & ~((2ull << m) - 1)) | ((1ull << m) - 1)) & ~0xfffull;
}

/**
 * amdvi_cmd_inv_pages() - INVALIDATE_IOMMU_PAGES of [@start, @last] for
 * host (v1) translations of @domid (GN = 0)
 * @pde: also the cached directory entries
 * Pass start = 0, last = UINT64_MAX for the whole space.
 */
struct amdvi_cmd amdvi_cmd_inv_pages(uint16_t domid, uint64_t start,
				     uint64_t last, bool pde)
{
	struct amdvi_cmd c;
	bool s;
	uint64_t addr = amdvi_inv_addr(start, last, &s);

	c.qw[0] =
	    amdvi_field_prep(AMDVI_CMD_OPCODE, AMDVI_CMD_INV_IOMMU_PAGES) |
	    amdvi_field_prep(AMDVI_IIP0_DOMID, domid);
	c.qw[1] = (addr & AMDVI_INV1_ADDR) | (s ? AMDVI_INV1_S : 0) |
		  (pde ? AMDVI_INV1_PDE : 0);
	return c;
}

/**
 * amdvi_cmd_inv_guest_pages() - INVALIDATE_IOMMU_PAGES of [@start, @last]
 * for guest (v2) translations of @domid and @pasid (GN = 1, amdvi 5.3, 8)
 * @pde: also the cached directory entries
 */
struct amdvi_cmd amdvi_cmd_inv_guest_pages(uint16_t domid, uint32_t pasid,
					   uint64_t start, uint64_t last,
					   bool pde)
{
	struct amdvi_cmd c = amdvi_cmd_inv_pages(domid, start, last, pde);

	c.qw[0] |= amdvi_field_prep(AMDVI_IIP0_PASID, pasid);
	c.qw[1] |= AMDVI_INV1_GN;
	return c;
}

struct amdvi_cmd amdvi_cmd_inv_all(void)
{
	struct amdvi_cmd c;

	c.qw[0] = amdvi_field_prep(AMDVI_CMD_OPCODE, AMDVI_CMD_INV_IOMMU_ALL);
	c.qw[1] = 0;
	return c;
}

/* ---- the buffer ---------------------------------------------------------- */

/*
 * Write @c at the tail and advance it.  The buffer is never full: a batch
 * is at most AMDVI_MAX_BATCH + 1 commands, each batch is waited for (or
 * dropped) before the next, and the buffer holds 512.  Context: q_lock.
 */
static int cmd_put(struct amdvi_drv *a, const struct amdvi_cmd *c)
{
	int ret = ilib_ring_write_le64(&a->cmd, a->host, a->tail, c->qw);

	if (!ret) {
		ilib_trace_raw(a->host, IOMMU_TR_CMD_ISSUED,
			       "amdvi command buffer", 0, 0, c->qw,
			       sizeof(c->qw));
		a->tail = ilib_ring_next(&a->cmd, a->tail);
	}
	return ret;
}

static int cmd_write_tail(struct amdvi_drv *a)
{
	return ilib_mmio_write64(&a->bus, AMDVI_MMIO_CMD_TAIL,
				 ilib_ring_offset(&a->cmd, a->tail))
		   ? -EIO
		   : 0;
}

/*
 * The unit halted on a command it refused (amdvi 5.1; drv.h): log it,
 * stop the buffer, drop what is left of the batch (Head = Tail), start
 * the buffer again.  Context: q_lock.
 */
static void cmd_recover(struct amdvi_drv *a)
{
	uint64_t head = 0, bad[2] = {0};
	uint32_t pos = 0;

	ilib_mmio_read64(&a->bus, AMDVI_MMIO_CMD_HEAD, &head);
	if (!ilib_ring_pos_of_offset(&a->cmd, head & AMDVI_RING_PTR, &pos))
		ilib_ring_read_le64(&a->cmd, a->host, pos, bad);
	alog(a, IOMMU_LOG_ERR,
	     "command buffer halted at entry %u (0x%016llx 0x%016llx)", pos,
	     (unsigned long long)bad[0], (unsigned long long)bad[1]);
	ilib_mmio_write64(&a->bus, AMDVI_MMIO_CONTROL,
			  a->ctrl & ~AMDVI_CTRL_CMD_BUF_EN);
	ilib_mmio_write64(&a->bus, AMDVI_MMIO_CMD_HEAD,
			  ilib_ring_offset(&a->cmd, a->tail));
	ilib_mmio_write64(&a->bus, AMDVI_MMIO_CONTROL, a->ctrl);
}

/* Has the buffer stopped (CmdBufRun = 0 while enabled)? */
static bool cmd_halted(struct amdvi_drv *a)
{
	uint64_t sts = 0;

	if (ilib_mmio_read64(&a->bus, AMDVI_MMIO_STATUS, &sts))
		return false;
	return !(sts & AMDVI_STS_CMD_BUF_RUN);
}

/**
 * amdvi_submit() - run commands through the buffer and wait for them
 * @a: instance
 * @c: commands
 * @n: how many (0: just a COMPLETION_WAIT)
 *
 * Each batch of at most AMDVI_MAX_BATCH commands is followed by one
 * COMPLETION_WAIT storing a new sequence number to a table-memory word,
 * which is polled at most timeout_polls times.
 * Context: takes q_lock; may block (polls).
 * Return: 0; -EIO the unit refused a command or MMIO failed; -ETIMEDOUT
 * the store never came.
 */
int amdvi_submit(struct amdvi_drv *a, const struct amdvi_cmd *c, size_t n)
{
	int ret = 0;

	pthread_mutex_lock(&a->q_lock);
	do {
		size_t chunk = n < AMDVI_MAX_BATCH ? n : AMDVI_MAX_BATCH;
		uint64_t seq = ++a->seq;
		struct amdvi_cmd w = amdvi_cmd_cw(a->sem_pa, seq);
		bool done = false;

		for (size_t i = 0; i < chunk && !ret; i++)
			ret = cmd_put(a, &c[i]);
		if (!ret)
			ret = cmd_put(a, &w);
		if (ret || cmd_write_tail(a)) {
			ret = -EIO;
			break;
		}
		for (uint64_t i = 0; i < a->timeout_polls; i++) {
			if (ilib_le64_load(a->sem) == seq) {
				done = true;
				break;
			}
			if (cmd_halted(a)) {
				cmd_recover(a);
				ret = -EIO;
				break;
			}
			ilib_poll_pause(i);
		}
		if (ret)
			break;
		if (!done) {
			alog(a, IOMMU_LOG_ERR,
			     "COMPLETION_WAIT %llu timed out after %llu polls",
			     (unsigned long long)seq,
			     (unsigned long long)a->timeout_polls);
			ret = -ETIMEDOUT;
			break;
		}
		if (chunk) /* @c may be NULL when @n is 0 */
			c += chunk;
		n -= chunk;
	} while (n && !ret);
	pthread_mutex_unlock(&a->q_lock);
	return ret;
}

/**
 * amdvi_setup_queue() - command buffer, its store word, the event log
 * (amdvi 1.2): bases with Len 9, Head = Tail = 0 (the unit keeps the old
 * register values on a base write, amdvi 5.1).  Enabling is probe's.
 * Context: probe, IOMMU off.
 * Return: 0; -ENOMEM, -EFAULT table memory; -EIO MMIO.
 */
int amdvi_setup_queue(struct amdvi_drv *a)
{
	const uint64_t count = 1ull << AMDVI_DRV_RING_LEN;
	const size_t size = count * AMDVI_ENTRY_SIZE;
	void *va;
	int err;

	err = ilib_table_alloc(a->host, "amdvi", size, &a->cmd_pa, &va);
	if (err)
		return err;
	err = ilib_ring_init(&a->cmd, a->cmd_pa, AMDVI_ENTRY_SIZE, count, 0);
	if (err)
		return err;
	ilib_ring_bind(&a->cmd, a->host); /* table memory: always RAM */
	err = ilib_table_alloc(a->host, "amdvi", size, &a->evt_pa, &va);
	if (err)
		return err;
	err = ilib_ring_init(&a->evt, a->evt_pa, AMDVI_ENTRY_SIZE, count, 0);
	if (err)
		return err;
	ilib_ring_bind(&a->evt, a->host);
	err = ilib_table_alloc(a->host, "amdvi", 4096, &a->sem_pa, &va);
	if (err)
		return err;
	a->sem = va;
	a->tail = 0;
	if (ilib_mmio_write64(
		&a->bus, AMDVI_MMIO_CMD_BASE,
		a->cmd_pa |
		    amdvi_field_prep(AMDVI_RING_LEN, AMDVI_DRV_RING_LEN)) ||
	    ilib_mmio_write64(&a->bus, AMDVI_MMIO_CMD_HEAD, 0) ||
	    ilib_mmio_write64(&a->bus, AMDVI_MMIO_CMD_TAIL, 0) ||
	    ilib_mmio_write64(
		&a->bus, AMDVI_MMIO_EVT_BASE,
		a->evt_pa |
		    amdvi_field_prep(AMDVI_RING_LEN, AMDVI_DRV_RING_LEN)) ||
	    ilib_mmio_write64(&a->bus, AMDVI_MMIO_EVT_HEAD, 0) ||
	    ilib_mmio_write64(&a->bus, AMDVI_MMIO_EVT_TAIL, 0))
		return -EIO;
	return 0;
}
