// SPDX-License-Identifier: MIT
/*
 * hw_queue.c - the VT-d model's queued-invalidation consumer (vtd 6): the
 * queue is an ilib_ring read through the host's bounds-checked memory;
 * each descriptor is checked, then run against the caches.  Decisions on
 * descriptor fields (12.11-12.14, 12.25, IQE handling) are in hw.h.
 */
#include <endian.h>
#include <errno.h>

#include "hw.h"

static void hw_iqe(struct vtd_hw *hw, unsigned int iqei, struct hw_irqs *irq)
{
	uint32_t before = vtd_hw_fsts_now(hw);

	hw->fsts |= (uint32_t)VTD_FSTS_IQE;
	hw->iqercd = vtd_field_prep(VTD_IQERCD_IQEI, iqei);
	if (vtd_hw_fault_event(hw, before))
		irq->fault = true;
}

/*
 * The wait's status write: a driver names the same dword again and
 * again, so once ilib_mem_store_le() has found it in RAM (wait_spot), the
 * store goes there directly, as that function would, without its call.
 */
static bool hw_wait_spot_ok(const struct vtd_hw *hw, uint64_t pa)
{
	const struct ilib_mem_spot *s = &hw->wait_spot;

	return s->hp && s->pa == pa && s->size == 4;
}

static int hw_wait_store(struct vtd_hw *hw, uint64_t pa, uint32_t val)
{
	if (__builtin_expect(hw_wait_spot_ok(hw, pa), 1)) {
		__atomic_store_n((uint32_t *)hw->wait_spot.hp, htole32(val),
				 __ATOMIC_RELEASE);
		return 0;
	}
	return ilib_mem_store_le(hw->host, &hw->wait_spot, pa, val, 4);
}

/*
 * hw_qi_exec() - check and run one descriptor
 * @dw: the queue holds 256-bit descriptors
 * @inval: set when it was an invalidation (not a wait)
 * Context: reg_lock held.  Return: 0, or the IQEI reason for IQE.
 */
static unsigned int hw_qi_exec(struct vtd_hw *hw, const struct vtd_inv_desc *d,
			       bool dw, bool *inval, struct hw_irqs *irq)
{
	uint64_t q0 = d->qw[0], q1 = d->qw[1];
	bool hi_zero = !dw || (!d->qw[2] && !d->qw[3]);
	unsigned int type = vtd_inv_desc_type(q0), g, am;

	*inval = true;
	switch (type) {
	case VTD_INV_CC:
		g = (unsigned int)vtd_field_get(VTD_INV_CC_QW0_G, q0);
		if ((q0 & VTD_INV_CC_QW0_RSVD) || q1 || !hi_zero || !g)
			return VTD_IQEI_RSVD;
		vtd_hw_inv_ctx(
		    hw, g, (uint16_t)vtd_field_get(VTD_INV_CC_QW0_DID, q0),
		    (uint16_t)vtd_field_get(VTD_INV_CC_QW0_SID, q0),
		    (unsigned int)vtd_field_get(VTD_INV_CC_QW0_FM, q0));
		return 0;
	case VTD_INV_IOTLB:
		g = (unsigned int)vtd_field_get(VTD_INV_IOTLB_QW0_G, q0);
		am = (unsigned int)vtd_field_get(VTD_INV_IOTLB_QW1_AM, q1);
		if ((q0 & VTD_INV_IOTLB_QW0_RSVD) ||
		    (q1 & VTD_INV_IOTLB_QW1_RSVD) || !hi_zero || !g ||
		    (g == VTD_IOTLB_PAGE && am > HW_MAMV))
			return VTD_IQEI_RSVD;
		vtd_hw_inv_iotlb(
		    hw, g, (uint16_t)vtd_field_get(VTD_INV_IOTLB_QW0_DID, q0),
		    q1 & VTD_INV_IOTLB_QW1_ADDR, am, q1 & VTD_INV_IOTLB_QW1_IH);
		return 0;
	case VTD_INV_DEV_TLB:
		/* ECAP.DIT = 0: PFSID is reserved.  No device TLB here. */
		if ((q0 &
		     (VTD_INV_DEV_TLB_QW0_RSVD | VTD_INV_DEV_TLB_QW0_PFSID_LO |
		      VTD_INV_DEV_TLB_QW0_PFSID_HI)) ||
		    (q1 & VTD_INV_DEV_TLB_QW1_RSVD) || !hi_zero)
			return VTD_IQEI_RSVD;
		return 0;
	case VTD_INV_IEC:
		if ((q0 & VTD_INV_IEC_QW0_RSVD) || q1 || !hi_zero)
			return VTD_IQEI_RSVD;
		return 0;
	case VTD_INV_WAIT:
		*inval = false;
		if ((q0 & VTD_INV_WAIT_QW0_RSVD) ||
		    (q1 & VTD_INV_WAIT_QW1_RSVD) || !hi_zero ||
		    ((q0 & VTD_INV_WAIT_QW0_PD) && !(hw->ecap & VTD_ECAP_PDS)))
			return VTD_IQEI_RSVD;
		/* The status write, as the release of the wait: a driver
		 * that sees it sees every invalidation before it done. */
		if ((q0 & VTD_INV_WAIT_QW0_SW) &&
		    hw_wait_store(
			hw, q1 & VTD_INV_WAIT_QW1_SADDR,
			(uint32_t)vtd_field_get(VTD_INV_WAIT_QW0_SDATA, q0)))
			return HW_IQE_STATUS;
		if ((q0 & VTD_INV_WAIT_QW0_IF) && !(hw->ics & VTD_ICS_IWC)) {
			hw->ics |= (uint32_t)VTD_ICS_IWC;
			if (hw->iectl & VTD_IECTL_IM)
				hw->iectl |= (uint32_t)VTD_IECTL_IP;
			else
				irq->inv = true;
		}
		return 0;
	case VTD_INV_PIOTLB:
		if (!dw)
			return VTD_IQEI_BAD_WIDTH;
		g = (unsigned int)vtd_field_get(VTD_INV_PIOTLB_QW0_G, q0);
		am = (unsigned int)vtd_field_get(VTD_INV_PIOTLB_QW1_AM, q1);
		if ((q0 & VTD_INV_PIOTLB_QW0_RSVD) ||
		    (q1 & VTD_INV_PIOTLB_QW1_RSVD) || d->qw[2] || d->qw[3] ||
		    (g != VTD_PIOTLB_G_PASID && g != VTD_PIOTLB_G_PAGE) ||
		    (g == VTD_PIOTLB_G_PAGE && am > HW_MAMV))
			return VTD_IQEI_RSVD;
		vtd_hw_inv_piotlb(
		    hw, g, (uint16_t)vtd_field_get(VTD_INV_PIOTLB_QW0_DID, q0),
		    (uint32_t)vtd_field_get(VTD_INV_PIOTLB_QW0_PASID, q0),
		    q1 & VTD_INV_PIOTLB_QW1_ADDR, am,
		    q1 & VTD_INV_PIOTLB_QW1_IH);
		return 0;
	case VTD_INV_PC:
		if (!dw)
			return VTD_IQEI_BAD_WIDTH;
		g = (unsigned int)vtd_field_get(VTD_INV_PC_QW0_G, q0);
		if ((q0 & VTD_INV_PC_QW0_RSVD) || q1 || d->qw[2] || d->qw[3] ||
		    g == 2)
			return VTD_IQEI_RSVD;
		vtd_hw_inv_pc(
		    hw, g, (uint16_t)vtd_field_get(VTD_INV_PC_QW0_DID, q0),
		    (uint32_t)vtd_field_get(VTD_INV_PC_QW0_PASID, q0));
		return 0;
	case VTD_INV_PDEV_TLB:
		if (!dw)
			return VTD_IQEI_BAD_WIDTH;
		if ((q0 & (VTD_INV_PDEV_TLB_QW0_PFSID_LO |
			   VTD_INV_PDEV_TLB_QW0_PFSID_HI)) ||
		    (q1 & VTD_INV_PDEV_TLB_QW1_RSVD) || d->qw[2] || d->qw[3])
			return VTD_IQEI_RSVD;
		return 0;
	default:
		/* 9 and 0xA need ECAP.PRS; the rest are undefined. */
		return VTD_IQEI_BAD_TYPE;
	}
}

/*
 * Copy the descriptor at @pos out of the queue; 128-bit ones get
 * qw[2] = qw[3] = 0.  A bound queue (RAM) is read in place, one atomic
 * load a qword: every descriptor of every run comes through here.
 * Return: 0; -EFAULT the descriptor is not all RAM.
 */
static inline int hw_qi_fetch(const struct ilib_ring *q,
			      struct iommu_host *host, uint32_t pos, bool dw,
			      struct vtd_inv_desc *d)
{
	if (__builtin_expect(q->hp != NULL, 1)) {
		const uint64_t *p = ilib_ring_entry_hp(q, pos);

		d->qw[0] = le64toh(__atomic_load_n(&p[0], __ATOMIC_ACQUIRE));
		d->qw[1] = le64toh(__atomic_load_n(&p[1], __ATOMIC_ACQUIRE));
		d->qw[2] =
		    dw ? le64toh(__atomic_load_n(&p[2], __ATOMIC_ACQUIRE)) : 0;
		d->qw[3] =
		    dw ? le64toh(__atomic_load_n(&p[3], __ATOMIC_ACQUIRE)) : 0;
		return 0;
	}
	d->qw[2] = d->qw[3] = 0;
	return ilib_ring_read_le64(q, host, pos, d->qw);
}

/*
 * hw_qi_pair() - run the batch at @head if it is the one a strict unmap
 * sends: a type-2 page-selective invalidation, then at @next a wait that
 * writes its status where the last one did and raises nothing; the queue
 * ends after it (the caller checked that).  Both are checked as
 * hw_qi_exec() checks them and run as it runs them; anything else, or a
 * queue not in RAM, is left to it.
 * Return: true if the two ran; false if nothing was done.
 * Context: reg_lock held.
 */
static bool hw_qi_pair(struct vtd_hw *hw, const struct ilib_ring *q,
		       uint32_t head, uint32_t next, bool dw)
{
	const uint64_t *p, *pw;
	uint64_t q0, q1, w0, w1;

	if (!q->hp)
		return false;
	p = ilib_ring_entry_hp(q, head);
	pw = ilib_ring_entry_hp(q, next);
	q0 = le64toh(__atomic_load_n(&p[0], __ATOMIC_ACQUIRE));
	q1 = le64toh(__atomic_load_n(&p[1], __ATOMIC_ACQUIRE));
	w0 = le64toh(__atomic_load_n(&pw[0], __ATOMIC_ACQUIRE));
	w1 = le64toh(__atomic_load_n(&pw[1], __ATOMIC_ACQUIRE));
	if (vtd_inv_desc_type(q0) != VTD_INV_IOTLB ||
	    vtd_inv_desc_type(w0) != VTD_INV_WAIT ||
	    vtd_field_get(VTD_INV_IOTLB_QW0_G, q0) != VTD_IOTLB_PAGE ||
	    vtd_field_get(VTD_INV_IOTLB_QW1_AM, q1) > HW_MAMV ||
	    (q0 & VTD_INV_IOTLB_QW0_RSVD) || (q1 & VTD_INV_IOTLB_QW1_RSVD) ||
	    (w0 & (VTD_INV_WAIT_QW0_RSVD | VTD_INV_WAIT_QW0_PD |
		   VTD_INV_WAIT_QW0_IF | VTD_INV_WAIT_QW0_SW)) !=
		VTD_INV_WAIT_QW0_SW ||
	    (w1 & VTD_INV_WAIT_QW1_RSVD) ||
	    !hw_wait_spot_ok(hw, w1 & VTD_INV_WAIT_QW1_SADDR))
		return false;
	if (dw && (__atomic_load_n(&p[2], __ATOMIC_ACQUIRE) |
		   __atomic_load_n(&p[3], __ATOMIC_ACQUIRE) |
		   __atomic_load_n(&pw[2], __ATOMIC_ACQUIRE) |
		   __atomic_load_n(&pw[3], __ATOMIC_ACQUIRE)))
		return false;
	if (iommu_host_tracing(hw->host, IOMMU_TRACE_INVAL))
		return false; /* the loop traces each one */
	vtd_hw_inv_iotlb(hw, VTD_IOTLB_PAGE,
			 (uint16_t)vtd_field_get(VTD_INV_IOTLB_QW0_DID, q0),
			 q1 & VTD_INV_IOTLB_QW1_ADDR,
			 (unsigned int)vtd_field_get(VTD_INV_IOTLB_QW1_AM, q1),
			 q1 & VTD_INV_IOTLB_QW1_IH);
	/* The status write, as the release of the wait (hw_qi_exec()). */
	__atomic_store_n(
	    (uint32_t *)hw->wait_spot.hp,
	    htole32((uint32_t)vtd_field_get(VTD_INV_WAIT_QW0_SDATA, w0)),
	    __ATOMIC_RELEASE);
	return true;
}

/*
 * vtd_hw_qi_run() - consume descriptors from IQH up to IQT (vtd 6.1)
 * The queue is a ring of 2^QS 4 KiB pages of 128- or 256-bit descriptors
 * with no wrap bit; IQH and IQT hold byte offsets.  Stops with IQH on a
 * bad descriptor and IQE set.  IQH is stored once, when the run ends:
 * software reads it only through a register read, which waits for
 * reg_lock, held all the run.
 * Context: reg_lock held; takes cache set locks.
 */
void vtd_hw_qi_run(struct vtd_hw *hw, struct hw_irqs *irq)
{
	bool dw = hw->iqa_live & VTD_IQA_DW;
	unsigned int qs = (unsigned int)vtd_field_get(VTD_IQA_QS, hw->iqa_live);
	const struct ilib_ring *q;
	uint64_t cmds = 0, invals = 0;
	uint32_t head, next, tail;
	int ret;

	if (!(hw->gsts & VTD_GSTS_QIES) || (hw->fsts & VTD_FSTS_IQE))
		return;
	if (dw && !hw->sm) {
		hw_iqe(hw, VTD_IQEI_BAD_WIDTH, irq);
		return;
	}
	/* Outside RAM it stays unbound, and each read below faults.  Never
	 * NULL: QS has 3 bits, the descriptor sizes are 16 and 32. */
	q = ilib_ring_cached_get(&hw->iq, hw->host, hw->iqa_live,
				 hw->iqa_live & VTD_IQA_IQA,
				 dw ? VTD_INV_DESC_SIZE_256
				    : VTD_INV_DESC_SIZE_128,
				 vtd_iq_entries(qs, dw), 0);
	if (!q)
		return;
	/* IQT of a 256-bit queue with bit 4 set first, then beyond the end. */
	ret = ilib_ring_pos_of_offset(q, hw->iqt & VTD_IQT_QT, &tail);
	if (ret) {
		hw_iqe(hw,
		       ret == -EINVAL ? VTD_IQEI_TAIL_ALIGN : VTD_IQEI_BAD_TAIL,
		       irq);
		return;
	}
	/* IQH is the model's own: QIE set it to 0, this loop moves it. */
	if (ilib_ring_pos_of_offset(q, hw->iqh & VTD_IQH_QH, &head))
		head = 0;
	if (head == tail)
		return;
	next = ilib_ring_next(q, head);
	if (ilib_ring_next(q, next) == tail &&
	    hw_qi_pair(hw, q, head, next, dw)) {
		cmds = 2;
		invals = 1;
		head = tail;
	}
	while (head != tail) {
		struct vtd_inv_desc d;
		unsigned int bad;
		bool inval;

		if (hw_qi_fetch(q, hw->host, head, dw, &d)) {
			hw_iqe(hw, VTD_IQEI_FETCH, irq);
			break;
		}
		ilib_trace_raw(hw->host, IOMMU_TR_CMD_CONSUMED,
			       "vtd inv_desc", 0, 0, d.qw,
			       (dw ? 4 : 2) * sizeof(uint64_t));
		bad = hw_qi_exec(hw, &d, dw, &inval, irq);
		if (bad) {
			hw_iqe(hw, bad == HW_IQE_STATUS ? VTD_IQEI_NONE : bad,
			       irq);
			break;
		}
		cmds++;
		invals += inval;
		head = ilib_ring_next(q, head);
	}
	hw->iqh = ilib_ring_offset(q, head);
	ilib_stat(hw->host, IOMMU_STAT_QUEUE_CMDS, cmds);
	ilib_stat(hw->host, IOMMU_STAT_INVAL_CMDS, invals);
}
