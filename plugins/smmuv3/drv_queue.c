// SPDX-License-Identifier: MIT
/*
 * drv_queue.c - the SMMUv3 driver's commands: encoders (smmuv3 5.4, 5.5,
 * 5.6), the command queue as an ilib_ring producer (smmuv3 5.1), and
 * submit-and-sync with CMDQ_ERR recovery (smmuv3 7.1).  The choices it
 * follows (CS = SIG_NONE, CONS polling, bounded waits) are in drv.h.
 */
#include <errno.h>
#include <pthread.h>

#include "drv.h"

/* ---- command encoders (smmuv3 5.4) --------------------------------------- */

static struct smmu_cmd cmd_op(unsigned int op)
{
	struct smmu_cmd c = {{smmu_field_prep(SMMU_CMD_DW0_OPCODE, op), 0}};

	return c;
}

/* CFGI_ALL: CFGI_STE_RANGE with Range 31 (TV7). */
struct smmu_cmd smmu_cmd_cfgi_all(void)
{
	struct smmu_cmd c = cmd_op(SMMU_CMD_CFGI_ALL);

	c.dw[1] =
	    smmu_field_prep(SMMU_CMD_CFGI_DW1_RANGE, SMMU_CMD_CFGI_RANGE_ALL);
	return c;
}

/* CFGI_STE: SID [63:32], Leaf DW1 [0] (TV7). */
struct smmu_cmd smmu_cmd_cfgi_ste(uint32_t sid, bool leaf)
{
	struct smmu_cmd c = cmd_op(SMMU_CMD_CFGI_STE);

	c.dw[0] |= smmu_field_prep(SMMU_CMD_DW0_SID, sid);
	c.dw[1] = leaf ? SMMU_CMD_CFGI_DW1_LEAF : 0;
	return c;
}

/* CFGI_CD: SSID [31:12], SID [63:32], Leaf DW1 [0] (TV7). */
struct smmu_cmd smmu_cmd_cfgi_cd(uint32_t sid, uint32_t ssid, bool leaf)
{
	struct smmu_cmd c = cmd_op(SMMU_CMD_CFGI_CD);

	c.dw[0] |= smmu_field_prep(SMMU_CMD_DW0_SSID, ssid) |
		   smmu_field_prep(SMMU_CMD_DW0_SID, sid);
	c.dw[1] = leaf ? SMMU_CMD_CFGI_DW1_LEAF : 0;
	return c;
}

struct smmu_cmd smmu_cmd_tlbi_nsnh_all(void)
{
	return cmd_op(SMMU_CMD_TLBI_NSNH_ALL);
}

struct smmu_cmd smmu_cmd_tlbi_el2_all(void)
{
	return cmd_op(SMMU_CMD_TLBI_EL2_ALL);
}

/* TLBI_NH_ASID: VMID 0 (stage-1-only STEs), ASID [63:48] (TV7). */
struct smmu_cmd smmu_cmd_tlbi_asid(uint16_t asid)
{
	struct smmu_cmd c = cmd_op(SMMU_CMD_TLBI_NH_ASID);

	c.dw[0] |= smmu_field_prep(SMMU_CMD_DW0_ASID, asid);
	return c;
}

/*
 * TLBI_NH_VA (smmuv3 5.4, 5.5): @tg 0 for a single address (NUM, SCALE
 * and TTL then RES0), else the granule code with NUM/SCALE; TTL is always
 * 0 (any level), so @tg != 0 needs NUM or SCALE non-zero.
 */
struct smmu_cmd smmu_cmd_tlbi_va(uint16_t asid, uint64_t va, bool leaf,
				 unsigned int tg, unsigned int num,
				 unsigned int scale)
{
	struct smmu_cmd c = cmd_op(SMMU_CMD_TLBI_NH_VA);

	c.dw[0] |= smmu_field_prep(SMMU_CMD_DW0_ASID, asid);
	if (tg)
		c.dw[0] |= smmu_field_prep(SMMU_CMD_TLBI_DW0_NUM, num) |
			   smmu_field_prep(SMMU_CMD_TLBI_DW0_SCALE, scale);
	c.dw[1] = (va & SMMU_CMD_DW1_VA) |
		  smmu_field_prep(SMMU_CMD_TLBI_DW1_TG, tg) |
		  (leaf ? SMMU_CMD_TLBI_DW1_LEAF : 0);
	return c;
}

/*
 * TLBI_S2_IPA (smmuv3 5.4, 5.5, TV7): VMID [47:32], IPA [51:12], range
 * fields as TLBI_NH_VA (@tg 0: one address, NUM/SCALE/TTL RES0).
 */
struct smmu_cmd smmu_cmd_tlbi_s2_ipa(uint16_t vmid, uint64_t ipa, bool leaf,
				     unsigned int tg, unsigned int num,
				     unsigned int scale)
{
	struct smmu_cmd c = cmd_op(SMMU_CMD_TLBI_S2_IPA);

	c.dw[0] |= smmu_field_prep(SMMU_CMD_DW0_VMID, vmid);
	if (tg)
		c.dw[0] |= smmu_field_prep(SMMU_CMD_TLBI_DW0_NUM, num) |
			   smmu_field_prep(SMMU_CMD_TLBI_DW0_SCALE, scale);
	c.dw[1] = (ipa & SMMU_CMD_DW1_IPA) |
		  smmu_field_prep(SMMU_CMD_TLBI_DW1_TG, tg) |
		  (leaf ? SMMU_CMD_TLBI_DW1_LEAF : 0);
	return c;
}

/* TLBI_S12_VMALL: every entry of @vmid, both stages (TV7). */
struct smmu_cmd smmu_cmd_tlbi_s12_vmall(uint16_t vmid)
{
	struct smmu_cmd c = cmd_op(SMMU_CMD_TLBI_S12_VMALL);

	c.dw[0] |= smmu_field_prep(SMMU_CMD_DW0_VMID, vmid);
	return c;
}

/* CMD_SYNC with CS = SIG_NONE: completion is seen on CMDQ_CONS (5.6). */
struct smmu_cmd smmu_cmd_sync(void)
{
	struct smmu_cmd c = cmd_op(SMMU_CMD_SYNC);

	c.dw[0] |= smmu_field_prep(SMMU_CMD_SYNC_DW0_CS, SMMU_SYNC_CS_NONE);
	return c;
}

/* ---- the queue ----------------------------------------------------------- */

/* PROD / CONS value: index and wrap flag of a ring position. */
static uint32_t q_mask(const struct smmu_drv *s)
{
	return (2u << s->cmdq.count_lg2) - 1;
}

/*
 * Recover from GERROR.CMDQ_ERR: log CONS.ERR, replace the command at CONS
 * with a CMD_SYNC and acknowledge the error through GERRORN, which makes
 * the SMMU resume at CONS (smmuv3 7.1, 7.2).  Context: cmdq_lock.
 */
static void cmdq_recover(struct smmu_drv *s, uint32_t cons)
{
	struct smmu_cmd nop = smmu_cmd_sync(), bad = {{0, 0}};
	uint32_t gerror = 0, gerrorn = 0;
	uint32_t pos = cons & q_mask(s);

	ilib_ring_read_le64(&s->cmdq, s->host, pos, bad.dw);
	slog(s, IOMMU_LOG_ERR,
	     "command queue error %u at entry %u (opcode 0x%02x, dw0 0x%llx)",
	     (unsigned int)smmu_field_get(SMMU_CMDQ_CONS_ERR, cons),
	     ilib_ring_index(&s->cmdq, pos),
	     (unsigned int)smmu_field_get(SMMU_CMD_DW0_OPCODE, bad.dw[0]),
	     (unsigned long long)bad.dw[0]);
	if (ilib_ring_write_le64(&s->cmdq, s->host, pos, nop.dw))
		slog(s, IOMMU_LOG_ERR, "cannot rewrite the bad command");
	ilib_mmio_read32(&s->bus, SMMU_GERROR, &gerror);
	ilib_mmio_read32(&s->bus, SMMU_GERRORN, &gerrorn);
	gerrorn ^= (gerror ^ gerrorn) & (uint32_t)SMMU_GERROR_CMDQ_ERR;
	ilib_mmio_write32(&s->bus, SMMU_GERRORN, gerrorn);
}

/* Has the consumer passed position @p (the sync)?  smmuv3 5.1. */
static bool q_consumed(const struct smmu_drv *s, uint32_t cons, uint32_t p)
{
	uint32_t n = ilib_ring_count(&s->cmdq);
	uint32_t ci = cons & (n - 1), pi = p & (n - 1);
	bool cw = cons & n, pw = p & n;

	return cw == pw ? ci > pi : ci <= pi;
}

/*
 * Wait until CONS passes @pos (the command at @pos was consumed), or, with
 * @room, until the queue has room for one more entry; recover from
 * CMDQ_ERR on the way (*@err = -EIO).  Context: cmdq_lock.
 * Return: 0; -EIO MMIO failed; -ETIMEDOUT after timeout_polls reads.
 */
static int cmdq_wait(struct smmu_drv *s, uint32_t pos, bool room, int *err)
{
	uint32_t cons = 0, gerror = 0, gerrorn = 0;

	for (uint64_t i = 0; i < s->timeout_polls; i++) {
		if (ilib_mmio_read32(&s->bus, SMMU_CMDQ_CONS, &cons))
			return -EIO;
		if (room ? ilib_ring_space(&s->cmdq, s->cmdq_prod,
					   cons & q_mask(s)) > 0
			 : q_consumed(s, cons & q_mask(s), pos)) {
			s->cmdq_cons = cons & q_mask(s);
			return 0;
		}
		if (!ilib_mmio_read32(&s->bus, SMMU_GERROR, &gerror) &&
		    !ilib_mmio_read32(&s->bus, SMMU_GERRORN, &gerrorn) &&
		    ((gerror ^ gerrorn) & SMMU_GERROR_CMDQ_ERR)) {
			cmdq_recover(s, cons);
			*err = -EIO;
			continue;
		}
		ilib_poll_pause(i);
	}
	slog(s, IOMMU_LOG_ERR,
	     "command queue stuck: CONS 0x%x, PROD 0x%x, after %llu polls",
	     cons, s->cmdq_prod, (unsigned long long)s->timeout_polls);
	return -ETIMEDOUT;
}

/**
 * smmu_submit() - run commands through the queue, then one CMD_SYNC, and
 * wait for the sync
 * @s: instance
 * @c: commands
 * @n: how many (0: a sync alone)
 *
 * The commands go in as the queue has room (PROD is written whenever it
 * is full, and the SMMU consumes meanwhile), so any number of commands
 * ends in exactly one CMD_SYNC.
 * Context: takes cmdq_lock; may block (polls).
 * Return: 0; -EIO the SMMU refused a command (CMDQ_ERR; the rest ran) or
 * MMIO failed; -ETIMEDOUT the queue never drained.
 */
int smmu_submit(struct smmu_drv *s, const struct smmu_cmd *c, size_t n)
{
	struct smmu_cmd sync = smmu_cmd_sync();
	uint32_t cons = 0, sync_pos = 0;
	int ret = 0, err = 0;

	pthread_mutex_lock(&s->cmdq_lock);
	/* CONS only moves forward: the one last read is room enough to
	 * start with, and the queue is read again only when it looks full. */
	cons = s->cmdq_cons;
	for (size_t i = 0; i <= n; i++) {
		const struct smmu_cmd *cmd = i < n ? &c[i] : &sync;

		if (!ilib_ring_space(&s->cmdq, s->cmdq_prod, cons)) {
			if (ilib_mmio_write32(&s->bus, SMMU_CMDQ_PROD,
					      s->cmdq_prod)) {
				ret = -EIO;
				goto out;
			}
			ret = cmdq_wait(s, 0, true, &err);
			if (ret)
				goto out;
			cons = s->cmdq_cons;
		}
		if (ilib_ring_write_le64(&s->cmdq, s->host, s->cmdq_prod,
					 cmd->dw)) {
			ret = -EIO;
			goto out;
		}
		ilib_trace_raw(s->host, IOMMU_TR_CMD_ISSUED, "smmuv3 cmdq", 0,
			       0, cmd->dw, sizeof(cmd->dw));
		sync_pos = s->cmdq_prod;
		s->cmdq_prod = ilib_ring_next(&s->cmdq, s->cmdq_prod);
	}
	if (ilib_mmio_write32(&s->bus, SMMU_CMDQ_PROD, s->cmdq_prod)) {
		ret = -EIO;
		goto out;
	}
	ret = cmdq_wait(s, sync_pos, false, &err);
out:
	pthread_mutex_unlock(&s->cmdq_lock);
	return ret ? ret : err;
}

/**
 * smmu_setup_cmdq() - the command queue (smmuv3 1.7 step 5)
 * @s: instance, CMDQEN off
 *
 * 2^min(IDR1.CMDQS, SMMU_CMDQ_MAX_LG2) entries: CMDQ_BASE (RA), PROD =
 * CONS = 0, then CMDQEN.
 * Context: probe.  Return: 0; -ENODEV CMDQS < 1; -ENOMEM, -EFAULT table
 * memory; -EIO MMIO; -ETIMEDOUT CR0ACK never followed.
 */
int smmu_setup_cmdq(struct smmu_drv *s)
{
	unsigned int lg2 =
	    (unsigned int)smmu_field_get(SMMU_IDR1_CMDQS, s->idr1);
	void *va;
	int err;

	if (lg2 > SMMU_CMDQ_MAX_LG2)
		lg2 = SMMU_CMDQ_MAX_LG2;
	if (lg2 < 1) {
		slog(s, IOMMU_LOG_ERR, "IDR1.CMDQS %u: need 2 entries", lg2);
		return -ENODEV;
	}
	s->cmdq_size = (size_t)SMMU_CMD_SIZE << lg2;
	if (s->cmdq_size < 4096)
		s->cmdq_size = 4096;
	err =
	    ilib_table_alloc(s->host, "smmuv3", s->cmdq_size, &s->cmdq_pa, &va);
	if (err) {
		s->cmdq_size = 0;
		return err;
	}
	err = ilib_ring_init(&s->cmdq, s->cmdq_pa, SMMU_CMD_SIZE, 1ull << lg2,
			     ILIB_RING_WRAP);
	if (err)
		return err;
	ilib_ring_bind(&s->cmdq, s->host); /* table memory: always RAM */
	s->cmdq_prod = 0;
	s->cmdq_cons = 0;
	if (ilib_mmio_write64(&s->bus, SMMU_CMDQ_BASE,
			      SMMU_Q_BASE_RA | (s->cmdq_pa & SMMU_Q_BASE_ADDR) |
				  smmu_field_prep(SMMU_Q_BASE_LOG2SIZE, lg2)) ||
	    ilib_mmio_write32(&s->bus, SMMU_CMDQ_PROD, 0) ||
	    ilib_mmio_write32(&s->bus, SMMU_CMDQ_CONS, 0))
		return -EIO;
	return 0;
}
