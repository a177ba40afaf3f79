// SPDX-License-Identifier: MIT
/*
 * drv_fault.c - the VT-d driver's fault handling (vtd 7): the fault event
 * reads the fault recording registers, clears them, and reports each as
 * one struct iommu_fault.  The reason mapping is described in drv.h.
 */
#include <pthread.h>
#include <string.h>

#include "drv.h"

/*
 * vtd_drv_fault_reason() - the normalized reason of fault reason @fr
 * The one place that maps VT-d FR codes (vtd 7.3, 7.4).  Read/write
 * faults give NOT_MAPPED, refined by the core (IOMMU_FAULT_F_REFINE).
 */
static enum iommu_fault_reason vtd_drv_fault_reason(unsigned int fr)
{
	switch (fr) {
	case VTD_FR_ROOT_NOT_PRESENT:
	case VTD_FR_CTX_NOT_PRESENT:
	case VTD_FR_SM_ROOT_NOT_PRESENT:
	case VTD_FR_SM_CTX_NOT_PRESENT:
	case VTD_FR_SM_PDE_NOT_PRESENT:
	case VTD_FR_SM_PE_NOT_PRESENT:
		return IOMMU_FAULT_NO_DOMAIN;
	case VTD_FR_WRITE:
	case VTD_FR_READ:
	case VTD_FR_SM_SL_PERM:
	case VTD_FR_SM_WRITE:
	case VTD_FR_SM_READ:
	case VTD_FR_SM_FL_NOT_PRESENT:
		return IOMMU_FAULT_NOT_MAPPED;
	case VTD_FR_SM_FL_USER:
	case VTD_FR_SM_EXEC:
	case VTD_FR_CTX_TT_BLOCKED:
	case VTD_FR_INTR_RANGE:
	case VTD_FR_SM_INTR_RANGE:
	case VTD_FR_SM_CTX_DTE:
	case VTD_FR_SM_CTX_PRE:
	case VTD_FR_SM_PE_ERE:
	case VTD_FR_SM_PE_SRE:
		return IOMMU_FAULT_PERMISSION;
	case VTD_FR_CTX_INVALID:
	case VTD_FR_ROOT_RSVD:
	case VTD_FR_CTX_RSVD:
	case VTD_FR_SL_RSVD:
	case VTD_FR_SM_ROOT_RSVD:
	case VTD_FR_SM_CTX_RSVD:
	case VTD_FR_SM_CTX_INVALID:
	case VTD_FR_SM_RID_PASID:
	case VTD_FR_SM_PDE_RSVD:
	case VTD_FR_SM_PE_RSVD:
	case VTD_FR_SM_PE_INVALID:
	case VTD_FR_SM_FL_RSVD:
	case VTD_FR_SM_SL_RSVD:
	case VTD_FR_SM_SL_PTR_INVALID:
	case VTD_FR_SM_TTM_INVALID:
		return IOMMU_FAULT_BAD_ENTRY;
	case VTD_FR_ADDR_BEYOND_MGAW:
	case VTD_FR_SM_NON_CANONICAL:
	case VTD_FR_SM_ADDR_BEYOND_MAX:
	case VTD_FR_SM_SL_OUT_BEYOND:
	case VTD_FR_SM_FL_NEST_WIDTH:
		return IOMMU_FAULT_ADDR_SIZE;
	case VTD_FR_SL_READ_ERR:
	case VTD_FR_ROOT_READ_ERR:
	case VTD_FR_CTX_READ_ERR:
	case VTD_FR_SM_RTA_INVALID:
	case VTD_FR_SM_ROOT_READ_ERR:
	case VTD_FR_SM_CTX_READ_ERR:
	case VTD_FR_SM_PDE_READ_ERR:
	case VTD_FR_SM_PE_READ_ERR:
	case VTD_FR_SM_FL_READ_ERR:
	case VTD_FR_SM_FL_ROOT_ERR:
	case VTD_FR_SM_SL_READ_ERR:
		return IOMMU_FAULT_TABLE_FETCH;
	case VTD_FR_SM_CTX_PASIDE:
	case VTD_FR_SM_PASID_TOO_BIG:
		return IOMMU_FAULT_BAD_PASID;
	default:
		return IOMMU_FAULT_UNKNOWN;
	}
}

static void vtd_decode_fault(uint64_t lo, uint64_t hi, struct iommu_fault *f)
{
	unsigned int fr = (unsigned int)vtd_field_get(VTD_FRCD_QW1_FR, hi);

	memset(f, 0, sizeof(*f));
	f->dev_id = (uint32_t)vtd_field_get(VTD_FRCD_QW1_SID, hi);
	f->addr = lo & VTD_FRCD_QW0_FI;
	f->flags = IOMMU_FAULT_F_ADDR_VALID;
	f->pasid = IOMMU_NO_PASID;
	if (hi & VTD_FRCD_QW1_PP) {
		f->pasid = (uint32_t)vtd_field_get(VTD_FRCD_QW1_PV, hi);
		f->flags |= IOMMU_FAULT_F_PASID_VALID;
	}
	/* vtd 7.1: T1 = 1 read, 0 write (T2 = 0) */
	f->access =
	    hi & VTD_FRCD_QW1_T1 ? IOMMU_ACCESS_READ : IOMMU_ACCESS_WRITE;
	f->vendor_code = fr;
	f->reason = vtd_drv_fault_reason(fr);
	/* Read/write faults cover "not present" and "not allowed": the core
	 * tells them apart from the domain's tables.  A first-stage
	 * not-present fault says which it is. */
	if (f->reason == IOMMU_FAULT_NOT_MAPPED &&
	    fr != VTD_FR_SM_FL_NOT_PRESENT)
		f->flags |= IOMMU_FAULT_F_REFINE;
}

/* Records one call of vtd_fault_batch() collects, at most. */
#define VTD_FAULT_BATCH 256u
/* Batches one fault event drains, at most (see vtd_drv_irq()). */
#define VTD_FAULT_BATCHES 64u

/*
 * vtd_fault_batch() - collect and clear up to VTD_FAULT_BATCH pending
 * records into @raw
 * Return: the number collected; *@pending: PPF still read set after it.
 * Context: fault_lock held.
 */
static unsigned int vtd_fault_batch(struct vtd_drv *v,
				    uint64_t raw[VTD_FAULT_BATCH][2],
				    bool *pending)
{
	unsigned int nr = 0;
	uint32_t fsts = 0;

	*pending = false;
	if (ilib_mmio_read32(&v->bus, VTD_FSTS_REG, &fsts))
		return 0;
	/* A fault recorded while PPF is still set raises no new event, so
	 * look again until PPF reads clear (bounded here; the caller
	 * comes back while it stays set). */
	for (unsigned int pass = 0;
	     pass < 4 && (fsts & VTD_FSTS_PPF) && nr < VTD_FAULT_BATCH;
	     pass++) {
		unsigned int i =
		    (unsigned int)vtd_field_get(VTD_FSTS_FRI, fsts);

		for (unsigned int k = 0; k < v->nfr && nr < VTD_FAULT_BATCH;
		     k++) {
			uint64_t off = vtd_frcd_reg(v->cap, i % v->nfr);
			uint64_t lo = 0, hi = 0;

			i = (i + 1) % v->nfr;
			if (ilib_mmio_read64(&v->bus, off + 8, &hi))
				break;
			if (!(hi & VTD_FRCD_QW1_F))
				continue; /* scan them all: from FRI, wrapping
					   */
			ilib_mmio_read64(&v->bus, off, &lo);
			ilib_mmio_write32(&v->bus, off + 12,
					  (uint32_t)VTD_FRCD_DW3_F);
			raw[nr][0] = lo;
			raw[nr][1] = hi;
			nr++;
		}
		if (ilib_mmio_read32(&v->bus, VTD_FSTS_REG, &fsts))
			return nr;
	}
	if (fsts & VTD_FSTS_PFO) {
		vlog(v, IOMMU_LOG_INFO, "fault records overflowed (PFO)");
		ilib_mmio_write32(&v->bus, VTD_FSTS_REG,
				  (uint32_t)VTD_FSTS_PFO);
	}
	if (fsts & VTD_FSTS_IQE)
		vlog(v, IOMMU_LOG_DEBUG,
		     "IQE pending: the submitter recovers the queue");
	*pending = fsts & VTD_FSTS_PPF;
	return nr;
}

/**
 * vtd_drv_irq() - the fault event
 *
 * The unit raises the event only when its fault status goes from all
 * clear to set (vtd 7.2, step 6): a handler that returned with PPF still set
 * would get no event again, and every later record would wait in its
 * register (or overflow) for good.  So it drains batch after batch,
 * reporting each, until PPF reads clear; VTD_FAULT_BATCHES bounds what
 * one event costs when other threads keep faulting meanwhile (then it
 * says so, and the records left wait for the next event).
 * Context: called by the core after the call that raised returned (on a
 * DMA thread: when its translation returns), never inside one of this
 * driver's ops, so it may wait for dev_lock like any reader; never takes
 * q_lock; reports faults with no lock held.
 */
void vtd_drv_irq(void *inst, unsigned int vector)
{
	struct vtd_drv *v = inst;
	struct iommu_fault faults[VTD_FAULT_BATCH];
	uint64_t raw[VTD_FAULT_BATCH][2];
	bool pending = true;
	unsigned int nr;

	(void)vector;
	if (!v)
		return;
	for (unsigned int b = 0; b < VTD_FAULT_BATCHES && pending; b++) {
		pthread_mutex_lock(&v->fault_lock);
		nr = vtd_fault_batch(v, raw, &pending);
		pthread_mutex_unlock(&v->fault_lock);
		for (unsigned int k = 0; k < nr; k++)
			vtd_decode_fault(raw[k][0], raw[k][1], &faults[k]);
		for (unsigned int k = 0; k < nr; k++)
			v->host->ops->report_fault(v->host, &faults[k]);
	}
	if (pending)
		vlog(v, IOMMU_LOG_WARN,
		     "faults still pending after %u batches of %u: left for "
		     "the next fault event",
		     VTD_FAULT_BATCHES, VTD_FAULT_BATCH);
}
