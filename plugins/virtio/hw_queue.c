// SPDX-License-Identifier: MIT
/*
 * hw_queue.c - the virtqueue consumer: chains, indirect tables,
 * the used ring and event index ("Request queue", "A ring ... outside
 * RAM" in hw.h).
 * Locking and decisions: see hw.h.
 */
#include "hw.h"

/*
 * A small buffer not in one RAM region may span adjacent ones: check it
 * by reading it.  Out of line, so that the fast path of hw_in_ram() has
 * no page-sized stack frame to set up.
 */
static __attribute__((noinline)) bool hw_in_ram_copy(struct viommu_hw *hw,
						     uint64_t pa, uint64_t len)
{
	uint8_t tmp[HW_PROBE_COPY_MAX];

	if (len > sizeof(tmp))
		return false;
	return ilib_mem_read(hw->host, pa, tmp, (size_t)len) == 0;
}

/* hw_in_ram() past the queue's page: a region lookup, or a copy. */
static __attribute__((noinline)) bool
hw_in_ram_slow(struct viommu_hw *hw, uint64_t pa, uint64_t len, uint8_t **va,
	       struct hw_page_va *page)
{
	uint64_t off = pa & (HW_BUF_PAGE - 1);

	if (pa + (len - 1) < pa)
		return false;
	/* Within one page: look the whole page up (a page only partly RAM
	 * is looked up exactly). */
	if (page && len <= HW_BUF_PAGE - off && hw->host->ops->mem_ptr) {
		uint8_t *p = hw->host->ops->mem_ptr(hw->host, pa - off,
						    HW_BUF_PAGE);

		if (p) {
			page->pa = pa - off;
			page->va = p;
			*va = p + off;
			return true;
		}
	}
	if (hw->host->ops->mem_ptr) {
		*va = hw->host->ops->mem_ptr(hw->host, pa, (size_t)len);
		if (*va)
			return true;
	}
	return hw_in_ram_copy(hw, pa, len);
}

/*
 * hw_in_ram() - whether the guest buffer [@pa, @pa + @len) is all RAM.
 * One region: mem_ptr says so, and *@va is the host pointer to all of it
 * (the buffer is then read or written through it, without a second
 * lookup).  A small buffer spanning adjacent regions is checked by
 * reading it (*@va NULL: copy by address); a large one spanning regions
 * is refused.  @page, if not NULL, is the queue's page cache (hw_page_va):
 * a buffer inside the page the last one was found in is a compare, in
 * line; anything else goes out of line.
 */
static inline bool hw_in_ram(struct viommu_hw *hw, uint64_t pa, uint64_t len,
			     uint8_t **va, struct hw_page_va *page)
{
	uint64_t off = pa & (HW_BUF_PAGE - 1);

	*va = NULL;
	if (!len)
		return true;
	/* pa - off + HW_BUF_PAGE cannot wrap: page->pa was RAM. */
	if (page && page->va && page->pa == pa - off &&
	    len <= HW_BUF_PAGE - off) {
		*va = page->va + off;
		return true;
	}
	return hw_in_ram_slow(hw, pa, len, va, page);
}

/* ---- Transport snapshot and rings (virtio 1.x split ring, spec 7) ----- */

static bool hw_status_live(uint32_t status)
{
	const uint32_t need =
		VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_FEATURES_OK;

	return (status & need) == need &&
	       !(status & (VIRTIO_STATUS_FAILED | VIRTIO_STATUS_NEEDS_RESET));
}

/* Context: reg_lock held. */
static void hw_snap_locked(struct viommu_hw *hw, unsigned int qi,
			   struct hw_qsnap *s)
{
	const struct hw_queue *q = &hw->q[qi];

	s->live = q->ready && hw_status_live(hw->status);
	s->num = q->num;
	s->desc = q->desc;
	s->driver = q->driver;
	s->device = q->device;
	s->feat = hw->driver_features;
	s->ready_seq = q->ready_seq;
}

/*
 * Host pointer to the ring [@pa, @pa + @len) if it lies in one RAM region
 * and the pointer has the alignment @align its words are accessed with.
 */
static uint8_t *hw_ring_ptr(struct viommu_hw *hw, uint64_t pa, uint64_t len,
			    uintptr_t align)
{
	uint8_t *p;

	if (!hw->host->ops->mem_ptr || pa + (len - 1) < pa)
		return NULL;
	p = hw->host->ops->mem_ptr(hw->host, pa, (size_t)len);
	return p && !((uintptr_t)p & (align - 1)) ? p : NULL;
}

/*
 * The ring pointers for snapshot @s, from @va when it was resolved for
 * the same rings; else looked up again (a ring that was not RAM may be
 * now: regions are added while the model runs).  Context: the queue's
 * lock held (it owns @va).
 */
static const struct hw_ring_va *hw_ring_va(struct viommu_hw *hw,
					   struct hw_ring_va *va,
					   const struct hw_qsnap *s)
{
	if (va->desc_va && va->avail_va && va->used_va &&
	    va->desc == s->desc && va->driver == s->driver &&
	    va->device == s->device && va->num == s->num)
		return va;
	va->desc = s->desc;
	va->driver = s->driver;
	va->device = s->device;
	va->num = s->num;
	va->desc_va = hw_ring_ptr(hw, s->desc,
				  (uint64_t)VRING_DESC_SIZE * s->num, 1);
	va->avail_va = hw_ring_ptr(hw, s->driver, 6 + 2ull * s->num, 2);
	va->used_va = hw_ring_ptr(hw, s->device, 6 + 8ull * s->num, 2);
	return va;
}

/**
 * viommu_hw_snap_slow() - queue @qi's transport registers, as a consumer
 * sees them: viommu_hw_snap() (hw.h) when its last snapshot will not do
 * @hw: model
 * @qi: queue index
 * @gen: hw->reg_gen, as the caller loaded it (acquire)
 *
 * The queue's last snapshot while no register it copies has changed
 * since (hw->reg_gen), else a new one taken under reg_lock; for a live
 * queue also the host pointers to its rings (looked up again while one
 * is missing: a ring that was not RAM may be now).
 * Context: q[qi].lock held (the snapshot is the queue's, valid until the
 * lock is dropped); takes reg_lock when the registers changed.
 * Return: the snapshot.
 */
const struct hw_qsnap *viommu_hw_snap_slow(struct viommu_hw *hw,
					    unsigned int qi, uint64_t gen)
{
	struct hw_queue *q = &hw->q[qi];
	struct hw_qsnap *s = &q->snap;
	const struct hw_ring_va *va;

	if (gen != q->snap_gen) {
		pthread_mutex_lock(&hw->reg_lock);
		hw_snap_locked(hw, qi, s);
		q->snap_gen = __atomic_load_n(&hw->reg_gen, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&hw->reg_lock);
		s->va = NULL;
		if (s->ready_seq != q->idx_seq) {
			/* Made ready again since: count from 0. */
			q->last_avail = 0;
			q->used_idx = 0;
			q->idx_seq = s->ready_seq;
		}
	}
	q->snap_done = !s->live;
	if (!s->live)
		return s;
	va = s->va;
	if (!va || !va->desc_va || !va->avail_va || !va->used_va)
		/* mem_ptr is the host's: called with no register lock held. */
		s->va = hw_ring_va(hw, &q->va, s);
	va = s->va;
	q->snap_done = va->desc_va && va->avail_va && va->used_va;
	return s;
}

/*
 * The device found the queue unusable (ring outside RAM, corrupt index):
 * DEVICE_NEEDS_RESET and a config-change interrupt, as virtio 1.x asks.
 * Context: the queue lock may be held; takes reg_lock.  The caller raises
 * the interrupt after dropping its locks.
 */
void viommu_hw_needs_reset(struct viommu_hw *hw, const char *why)
{
	hw_log(hw, IOMMU_LOG_WARN, "virtio-iommu: %s: device needs reset", why);
	pthread_mutex_lock(&hw->reg_lock);
	hw->status |= VIRTIO_STATUS_NEEDS_RESET;
	hw->isr |= VMMIO_INT_CONFIG;
	hw_regs_changed(hw);
	pthread_mutex_unlock(&hw->reg_lock);
}

int viommu_hw_read16(struct viommu_hw *hw, uint64_t pa, uint16_t *v)
{
	uint8_t b[2];
	int ret = ilib_mem_read(hw->host, pa, b, 2);

	if (!ret)
		*v = vio_le16(b);
	return ret;
}

static int hw_write16(struct viommu_hw *hw, uint64_t pa, uint16_t v)
{
	uint8_t b[2];

	vio_put16(b, v);
	return ilib_mem_write(hw->host, pa, b, 2);
}

/*
 * The ring words a driver and the device both use while the queue runs:
 * avail.idx and used_event (the driver writes, we read), used.idx and
 * avail_event (we write, the driver reads), and avail.flags.  The driver
 * may run on another thread, so each is one aligned 16-bit atomic access
 * in guest memory: acquire when reading an index publishes the entries
 * behind it to us, release when writing one publishes ours (7.3: the used
 * element before used.idx).  Where the driver needs a store then a load
 * ordered (event suppression, 7.4) both are seq_cst, as a full barrier
 * would do; TSan understands this, not a fence.
 *
 * The word is reached through mem_ptr(), the host's bounds-checked
 * lookup.  A word that is not 2-byte aligned (rings must be, 2.7) or not
 * in one RAM region is copied through mem_read/mem_write as before: a
 * driver that misplaces its rings gets no atomicity, and nothing outside
 * RAM is ever touched.
 */
static uint16_t *hw_ring_word(struct viommu_hw *hw, uint64_t pa)
{
	if ((pa & 1) || !hw->host->ops->mem_ptr)
		return NULL;
	return hw->host->ops->mem_ptr(hw->host, pa, sizeof(uint16_t));
}

int viommu_hw_ring_load(struct viommu_hw *hw, uint64_t pa, int order,
			uint16_t *v)
{
	uint16_t *p = hw_ring_word(hw, pa);

	if (!p)
		return viommu_hw_read16(hw, pa, v);
	*v = le16toh(__atomic_load_n(p, order));
	return 0;
}

static int hw_ring_store(struct viommu_hw *hw, uint64_t pa, int order,
			 uint16_t v)
{
	uint16_t *p = hw_ring_word(hw, pa);

	if (!p)
		return hw_write16(hw, pa, v);
	__atomic_store_n(p, htole16(v), order);
	return 0;
}

/* The used-ring word @off bytes in, through its host pointer if any. */
static int hw_used_store(struct viommu_hw *hw, const struct hw_qsnap *s,
			 uint64_t off, int order, uint16_t v)
{
	if (s->va && s->va->used_va) {
		__atomic_store_n((uint16_t *)(s->va->used_va + off), htole16(v),
				 order);
		return 0;
	}
	return hw_ring_store(hw, s->device + off, order, v);
}

/* viommu_hw_push_used() (hw.h) for a used ring without a host pointer. */
int viommu_hw_push_used_slow(struct viommu_hw *hw, const struct hw_qsnap *s,
			     struct hw_queue *q, uint32_t id, uint32_t len)
{
	uint8_t e[8];
	uint64_t off = 4 + 8ull * (q->used_idx & (s->num - 1));

	vio_put32(e, id);
	vio_put32(e + 4, len);
	if (s->va && s->va->used_va)
		memcpy(s->va->used_va + off, e, sizeof(e));
	else if (ilib_mem_write(hw->host, s->device + off, e, sizeof(e)))
		return -EFAULT;
	if (hw_used_store(hw, s, 2, __ATOMIC_SEQ_CST,
			  (uint16_t)(q->used_idx + 1)))
		return -EFAULT;
	q->used_idx++;
	return 0;
}

/*
 * viommu_hw_walk_chain() - walk the chain at @head (spec 7.1, 7.4)
 * @hw: model
 * @s: queue snapshot
 * @head: head descriptor index
 * @c: out; c->ws, c->ws_cap and c->ws_need set by the caller
 *
 * Gathers the first readable bytes into c->rd and records the writable
 * segments covering the first c->ws_need bytes.  Every buffer is checked
 * to be RAM.  A readable buffer outside RAM only sets c->rd_bad.
 *
 * Return: 0; -EINVAL bad structure (head or next out of range, INDIRECT
 * not negotiated, nested or with NEXT, bad table length, readable after
 * writable), -ELOOP longer than the queue (or the indirect table),
 * -E2BIG the notify's descriptor budget (c->budget) is spent, -EFAULT
 * descriptor table or writable buffer outside RAM.
 */
int viommu_hw_walk_chain(struct viommu_hw *hw, const struct hw_qsnap *s,
			 uint32_t head, struct hw_chain *c)
{
	uint64_t table = s->desc;
	uint32_t tsize = s->num, limit = s->num, walked = 0, idx = head;
	bool indirect = false, seen_wr = false;
	uint8_t d[VRING_DESC_SIZE];
	/* Host pointer to the table being walked, or NULL: copy by address.
	 * idx < tsize before every read, and tsize is the table's length. */
	const uint8_t *table_va = s->va ? s->va->desc_va : NULL;

	c->rd_len = 0;
	c->rd_bad = false;
	c->nws = 0;
	c->ws_bytes = 0;
	c->wr_len = 0;
	memset(c->rd, 0, sizeof(c->rd));
	if (head >= s->num)
		return -EINVAL;
	for (;;) {
		uint64_t addr;
		uint32_t len;
		uint16_t flags, next;
		uint8_t *va;

		if (++walked > limit)
			return -ELOOP;
		if (c->budget) {
			if (!*c->budget)
				return -E2BIG;
			(*c->budget)--;
		}
		/* One copy of the descriptor, then only the copy is used:
		 * the driver may rewrite it meanwhile. */
		if (table_va)
			memcpy(d, table_va + (size_t)VRING_DESC_SIZE * idx,
			       sizeof(d));
		else if (ilib_mem_read(hw->host,
				       table + (uint64_t)VRING_DESC_SIZE * idx,
				       d, sizeof(d)))
			return -EFAULT;
		addr = vio_le64(d);
		len = vio_le32(d + 8);
		flags = vio_le16(d + 12);
		next = vio_le16(d + 14);

		if (flags & VRING_DESC_F_INDIRECT) {
			if (!(s->feat & BIT64(VIRTIO_F_INDIRECT_DESC)) ||
			    indirect || (flags & VRING_DESC_F_NEXT))
				return -EINVAL;
			if (!len || len % VRING_DESC_SIZE)
				return -EINVAL;
			if (!hw_in_ram(hw, addr, len, &va, c->page))
				return -EFAULT;
			table = addr;
			table_va = va;
			tsize = len / VRING_DESC_SIZE;
			limit = tsize < s->num ? tsize : s->num;
			walked = 0;
			idx = 0;
			indirect = true;
			continue;
		}

		if (flags & VRING_DESC_F_WRITE) {
			seen_wr = true;
			if (!hw_in_ram(hw, addr, len, &va, c->page))
				return -EFAULT;
			if (len && c->ws_bytes < c->ws_need &&
			    c->nws < c->ws_cap) {
				c->ws[c->nws].addr = addr;
				c->ws[c->nws].len = len;
				c->ws[c->nws].va = va;
				c->nws++;
				c->ws_bytes += len;
			}
			c->wr_len += len;
		} else {
			if (seen_wr)
				return -EINVAL;
			if (!hw_in_ram(hw, addr, len, &va, c->page)) {
				c->rd_bad = true;
			} else if (c->rd_len < sizeof(c->rd)) {
				uint64_t n = sizeof(c->rd) - c->rd_len;

				if (n > len)
					n = len;
				if (n && va)
					memcpy(c->rd + c->rd_len, va, (size_t)n);
				else if (n &&
					 ilib_mem_read(hw->host, addr,
						       c->rd + c->rd_len,
						       (size_t)n))
					c->rd_bad = true;
			}
			c->rd_len += len;
		}
		if (!(flags & VRING_DESC_F_NEXT))
			return 0;
		if (next >= tsize)
			return -EINVAL;
		idx = next;
	}
}

/* viommu_hw_chain_write() (hw.h) buffer by buffer. */
int viommu_hw_chain_write_slow(struct viommu_hw *hw, const struct hw_chain *c,
			       const uint8_t *buf, uint64_t len)
{
	if (len > c->ws_bytes)
		return -ENOSPC;
	for (unsigned int i = 0; i < c->nws && len; i++) {
		uint64_t n = c->ws[i].len < len ? c->ws[i].len : len;

		if (c->ws[i].va)
			memcpy(c->ws[i].va, buf, (size_t)n);
		else if (ilib_mem_write(hw->host, c->ws[i].addr, buf,
					(size_t)n))
			return -EFAULT;
		buf += n;
		len -= n;
	}
	return 0;
}

/*
 * viommu_hw_process_requests() - consume the request queue
 * Return: true if the caller must raise the interrupt (InterruptStatus is
 * already set).  Context: takes q[0].lock, reg_lock (a new snapshot, a
 * broken queue, InterruptStatus), state_lock; call
 * with no lock held.
 */
bool viommu_hw_process_requests(struct viommu_hw *hw)
{
	struct hw_queue *q = &hw->q[VIOMMU_REQUEST_VQ];
	const struct hw_qsnap *s;
	uint64_t served = 0;
	uint16_t old_used, avail, head;
	bool irq = false, broken = false;

	pthread_mutex_lock(&q->lock);
	s = viommu_hw_snap(hw, VIOMMU_REQUEST_VQ);
	if (!s->live)
		goto out;
	old_used = q->used_idx;
	q->walk_left = (uint64_t)HW_WALK_PER_NOTIFY * s->num;
	while (served < HW_NOTIFY_BUDGET) {
		/* Acquire: the ring entries and descriptors before it. */
		if (viommu_hw_avail_load(hw, s, 2, __ATOMIC_ACQUIRE,
					 &avail)) {
			viommu_hw_needs_reset(
			    hw, "request queue: avail ring not RAM");
			broken = true;
			break;
		}
		if (avail == q->last_avail) {
			if (!(s->feat & BIT64(VIRTIO_F_EVENT_IDX)))
				break;
			/* avail_event: notify us for the next request.
			 * Store then load, both seq_cst: a request the
			 * driver published before it could see the new
			 * avail_event is found by the second load. */
			if (hw_used_store(hw, s, 4 + 8ull * s->num,
					  __ATOMIC_SEQ_CST, q->last_avail)) {
				viommu_hw_needs_reset(
				    hw, "request queue: used ring not RAM");
				broken = true;
				break;
			}
			if (viommu_hw_avail_load(hw, s, 2, __ATOMIC_SEQ_CST,
						 &avail) ||
			    avail == q->last_avail)
				break;
		}
		if ((uint16_t)(avail - q->last_avail) > s->num) {
			viommu_hw_needs_reset(
			    hw, "request queue: avail.idx corrupt");
			broken = true;
			break;
		}
		while (q->last_avail != avail && served < HW_NOTIFY_BUDGET) {
			uint32_t len;

			if (viommu_hw_avail_head(hw, s, q->last_avail,
						 &head)) {
				viommu_hw_needs_reset(
				    hw, "request queue: avail ring not RAM");
				broken = true;
				break;
			}
			q->last_avail++;
			served++;
			len = viommu_hw_serve_request(hw, s, q, head);
			if (!q->walk_left) {
				viommu_hw_needs_reset(
				    hw, "request queue: more descriptors in one "
					"notify than the queue holds (reused or "
					"looping chains)");
				broken = true;
				break;
			}
			if (viommu_hw_push_used(hw, s, q, head, len)) {
				viommu_hw_needs_reset(
				    hw, "request queue: used ring not RAM");
				broken = true;
				break;
			}
		}
		if (broken)
			break;
	}
	ilib_stat(hw->host, IOMMU_STAT_QUEUE_CMDS, served);
	irq = viommu_hw_need_irq(hw, s, old_used, q->used_idx);
	if (irq) {
		pthread_mutex_lock(&hw->reg_lock);
		hw->isr |= VMMIO_INT_VRING;
		pthread_mutex_unlock(&hw->reg_lock);
	}
	irq |= broken; /* viommu_hw_needs_reset() set the config-change bit */
out:
	pthread_mutex_unlock(&q->lock);
	return irq;
}
