// SPDX-License-Identifier: MIT
/*
 * hw_event.c - fault records in event-queue buffers ("An event
 * buffer smaller than 24 bytes" in hw.h).
 * Locking and decisions: see hw.h.
 */
#include "hw.h"

/* ---- Fault reports (spec 5) ------------------------------------------- */

/*
 * viommu_hw_record_fault() - write one fault record into an event buffer
 *
 * Pops one buffer from the event queue, writes the 24-byte record, returns
 * it with used length 24 and raises the interrupt.  No buffer, or one too
 * small: the fault is lost (the small buffer is returned with length 0).
 * Context: takes q[1].lock, and reg_lock for a new snapshot or to set
 * InterruptStatus; call with no lock held.
 */
void viommu_hw_record_fault(struct viommu_hw *hw, uint8_t reason,
			    uint32_t flags, uint32_t ep, uint64_t addr)
{
	struct hw_queue *q = &hw->q[VIOMMU_EVENT_VQ];
	struct hw_chain c;
	const struct hw_qsnap *s;
	uint16_t avail, head, old_used;
	uint32_t len = 0;
	bool irq = false, recorded = false;

	pthread_mutex_lock(&q->lock);
	s = viommu_hw_snap(hw, VIOMMU_EVENT_VQ);
	/* Acquire: the buffer the driver posted before it. */
	if (!s->live ||
	    viommu_hw_avail_load(hw, s, 2, __ATOMIC_ACQUIRE, &avail) ||
	    avail == q->last_avail)
		goto out;
	if ((uint16_t)(avail - q->last_avail) > s->num) {
		viommu_hw_needs_reset(hw, "event queue: avail.idx corrupt");
		irq = true;
		goto out;
	}
	if (viommu_hw_avail_head(hw, s, q->last_avail, &head)) {
		viommu_hw_needs_reset(hw, "event queue: avail ring not RAM");
		irq = true;
		goto out;
	}
	q->last_avail++;
	memset(&c, 0, sizeof(c));
	c.ws = q->segs;
	c.ws_cap = q->seg_cap;
	c.ws_need = VIOMMU_FAULT_SIZE;
	c.page = &q->buf_page;
	if (!viommu_hw_walk_chain(hw, s, head, &c) &&
	    c.wr_len >= VIOMMU_FAULT_SIZE) {
		uint8_t *r = q->scratch;

		memset(r, 0, VIOMMU_FAULT_SIZE);
		r[0] = reason;
		vio_put32(r + 4, flags);
		vio_put32(r + 8, ep);
		vio_put64(r + 16, addr);
		if (!viommu_hw_chain_write(hw, &c, r, VIOMMU_FAULT_SIZE)) {
			len = VIOMMU_FAULT_SIZE;
			recorded = true;
			ilib_trace_raw(hw->host, IOMMU_TR_FAULT_RECORD,
				       "virtio fault", ep, addr, r,
				       VIOMMU_FAULT_SIZE);
		}
	}
	old_used = q->used_idx;
	if (viommu_hw_push_used(hw, s, q, head, len)) {
		viommu_hw_needs_reset(hw, "event queue: used ring not RAM");
		irq = true;
		goto out;
	}
	if (viommu_hw_need_irq(hw, s, old_used, q->used_idx)) {
		pthread_mutex_lock(&hw->reg_lock);
		hw->isr |= VMMIO_INT_VRING;
		pthread_mutex_unlock(&hw->reg_lock);
		irq = true;
	}
out:
	pthread_mutex_unlock(&q->lock);
	ilib_stat(hw->host,
		  recorded ? IOMMU_STAT_FAULTS : IOMMU_STAT_FAULTS_LOST, 1);
	if (irq)
		hw->host->ops->raise_irq(hw->host, 0);
}
