// SPDX-License-Identifier: MIT
/*
 * hw_fault.c - the VT-d model's fault recording (vtd 7.1, 7.2): primary
 * fault records, FSTS, the fault event, and FPD.  The decisions it follows
 * (no fault merging, PFO, FRI, which reasons FPD suppresses) are in hw.h.
 */
#include <errno.h>
#include <pthread.h>

#include "hw.h"

/* Raise the events @irq collected, after every lock was dropped. */
void vtd_hw_raise(struct vtd_hw *hw, const struct hw_irqs *irq)
{
	if (irq->fault)
		hw->host->ops->raise_irq(hw->host, VTD_IRQ_FAULT);
	if (irq->inv)
		hw->host->ops->raise_irq(hw->host, VTD_IRQ_INV);
}

/* ---- Fault recording (vtd 7.1, 7.2) ----------------------------------- */

/* FSTS as software reads it (PPF derived). Context: reg_lock held. */
uint32_t vtd_hw_fsts_now(const struct vtd_hw *hw)
{
	return hw->fsts | (hw->nr_pending ? (uint32_t)VTD_FSTS_PPF : 0);
}

/*
 * vtd_hw_fault_event() - after a status bit was set: fire the fault event if
 * the status was all clear before (@before), or set FECTL.IP when masked.
 * Context: reg_lock held.  Return: whether the interrupt must be raised.
 */
bool vtd_hw_fault_event(struct vtd_hw *hw, uint32_t before)
{
	if (before & HW_FSTS_EVENT)
		return false;
	if (!(vtd_hw_fsts_now(hw) & HW_FSTS_EVENT))
		return false;
	if (hw->fectl & VTD_FECTL_IM) {
		hw->fectl |= (uint32_t)VTD_FECTL_IP;
		return false;
	}
	return true;
}

/* Software cleared status: IP falls with the last status bit. */
void vtd_hw_fault_status_cleared(struct vtd_hw *hw)
{
	if (!(vtd_hw_fsts_now(hw) & HW_FSTS_EVENT))
		hw->fectl &= ~(uint32_t)VTD_FECTL_IP;
}

/* Oldest pending record (scan from the next slot). Context: reg_lock. */
uint32_t vtd_hw_fri(struct vtd_hw *hw)
{
	if (!hw->nr_pending)
		return hw->fri;
	for (unsigned int i = 0; i < hw->nfr; i++) {
		unsigned int idx = (hw->frcd_next + i) % hw->nfr;

		if (hw->frcd[idx][1] & VTD_FRCD_QW1_F)
			return idx;
	}
	return hw->fri;
}

/*
 * hw_record_fault() - write one primary fault record (vtd 7.2)
 * Context: takes reg_lock; raises VTD_IRQ_FAULT after dropping it.
 */
static void hw_record_fault(struct vtd_hw *hw, const struct hw_xl *x,
			    uint8_t fr)
{
	const struct iommu_dma_req *req = x->req;
	struct hw_irqs irq = {0};
	uint64_t *rec;
	uint32_t before;
	bool recorded = false;

	vtd_hw_lock(hw);
	before = vtd_hw_fsts_now(hw);
	if (hw->fsts & VTD_FSTS_PFO)
		goto out;
	rec = hw->frcd[hw->frcd_next];
	if (rec[1] & VTD_FRCD_QW1_F) {
		hw->fsts |= (uint32_t)VTD_FSTS_PFO;
		irq.fault = vtd_hw_fault_event(hw, before);
		goto out;
	}
	rec[0] = req->iova & VTD_FRCD_QW0_FI;
	rec[1] = VTD_FRCD_QW1_F | vtd_field_prep(VTD_FRCD_QW1_SID, x->sid) |
		 vtd_field_prep(VTD_FRCD_QW1_FR, fr) |
		 vtd_field_prep(VTD_FRCD_QW1_AT,
				x->translated ? VTD_FRCD_AT_TRANSLATED
					      : VTD_FRCD_AT_UNTRANSLATED);
	if (req->access == IOMMU_ACCESS_READ)
		rec[1] |= VTD_FRCD_QW1_T1;
	/* x->priv and x->exec are set only for requests with PASID. */
	if (x->priv)
		rec[1] |= VTD_FRCD_QW1_PRIV;
	if (x->exec)
		rec[1] |= VTD_FRCD_QW1_EXE;
	if (x->has_pasid)
		rec[1] |= VTD_FRCD_QW1_PP |
			  vtd_field_prep(VTD_FRCD_QW1_PV, req->pasid);
	ilib_trace_raw(hw->host, IOMMU_TR_FAULT_RECORD, "vtd fault record",
		       x->sid, req->iova, rec, 2 * sizeof(uint64_t));
	if (!hw->nr_pending)
		hw->fri = hw->frcd_next;
	hw->nr_pending++;
	hw->frcd_next = (hw->frcd_next + 1) % hw->nfr;
	recorded = true;
	irq.fault = vtd_hw_fault_event(hw, before);
out:
	vtd_hw_unlock(hw);
	ilib_stat(hw->host,
		  recorded ? IOMMU_STAT_FAULTS : IOMMU_STAT_FAULTS_LOST, 1);
	vtd_hw_raise(hw, &irq);
}

/* Faults that FPD suppresses (vtd 7.6 and the decisions above). */
static bool hw_fr_qualified(uint8_t fr)
{
	switch (fr) {
	case 0x02:
	case 0x03:
	case 0x04:
	case 0x05:
	case 0x06:
	case 0x07:
	case 0x0c:
	case 0x0d:
	case 0x0e:
	case 0x41:
	case 0x43:
	case 0x44:
	case 0x45:
	case 0x46:
	case 0x48:
	case 0x51:
	case 0x59:
	case 0x5b:
	case 0x5c:
	case 0x5d:
	case 0x70:
	case 0x71:
	case 0x72:
	case 0x73:
	case 0x78:
	case 0x79:
	case 0x7a:
	case 0x80:
	case 0x81:
	case 0x82:
	case 0x83:
	case 0x84:
	case 0x85:
	case 0x86:
	case 0x87:
	case 0x91:
		return true;
	default:
		return false;
	}
}

/* Record (unless FPD suppresses it) and fail the request. */
int vtd_hw_fault(struct vtd_hw *hw, const struct hw_xl *x, uint8_t fr)
{
	if (!(x->fpd && hw_fr_qualified(fr)))
		hw_record_fault(hw, x, fr);
	return -EFAULT;
}
