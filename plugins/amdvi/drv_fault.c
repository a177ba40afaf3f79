// SPDX-License-Identifier: MIT
/*
 * drv_fault.c - the AMD-Vi driver's event log (amdvi 6): the event
 * interrupt drains the log from Head to Tail, restarts logging after an
 * overflow, and reports each device fault once as a struct iommu_fault.
 * The reason mapping is described in drv.h.
 */
#include <pthread.h>
#include <string.h>

#include "drv.h"

#define AMDVI_EVT_BATCH 512u /* events read per interrupt (one log) */

/*
 * amdvi_decode_event() - one event record -> @f
 * The one place that maps AMD-Vi event codes and IO_PAGE_FAULT flags
 * (amdvi 6.3-6.5) to normalized reasons.
 * Return: true for a device fault to report, false for an event that is
 * only logged (command errors, unknown codes).
 */
static bool amdvi_decode_event(struct amdvi_drv *a, const uint64_t e[2],
			       struct iommu_fault *f)
{
	unsigned int code = (unsigned int)amdvi_field_get(AMDVI_EVT_CODE, e[0]);
	unsigned int flags =
	    (unsigned int)amdvi_field_get(AMDVI_EVT0_FLAGS, e[0]);
	uint32_t domid = (uint32_t)amdvi_field_get(AMDVI_EVT0_DOMID, e[0]);

	memset(f, 0, sizeof(*f));
	f->dev_id = (uint32_t)amdvi_field_get(AMDVI_EVT0_DEVID, e[0]);
	f->pasid = IOMMU_NO_PASID;
	f->vendor_code = code;
	f->addr = e[1];
	f->flags = IOMMU_FAULT_F_ADDR_VALID;
	switch (code) {
	case AMDVI_EVT_IO_PAGE_FAULT:
	case AMDVI_EVT_ILLEGAL_DEV_TABLE_ENTRY:
		f->access = flags & AMDVI_EVT_F_RW ? IOMMU_ACCESS_WRITE
						   : IOMMU_ACCESS_READ;
		if (flags & AMDVI_EVT_F_GN) {
			f->pasid =
			    (uint32_t)amdvi_field_get(AMDVI_EVT0_PASID_HI, e[0])
				<< 16 |
			    domid;
			f->flags |= IOMMU_FAULT_F_PASID_VALID;
		}
		break;
	default:
		break;
	}
	switch (code) {
	case AMDVI_EVT_IO_PAGE_FAULT:
		if (!(flags & AMDVI_EVT_F_GN) && domid == AMDVI_DOMID_BLOCKED)
			f->reason = IOMMU_FAULT_NO_DOMAIN;
		else if ((flags & (AMDVI_EVT_F_GN | AMDVI_EVT_F_PR)) ==
			     AMDVI_EVT_F_GN &&
			 !a->v2)
			/* v1 mode sets no DTE.GV: a PASID-tagged request
			 * has no GCR3 table. */
			f->reason = IOMMU_FAULT_BAD_PASID;
		else if (flags & AMDVI_EVT_F_RZ)
			f->reason = IOMMU_FAULT_BAD_ENTRY;
		else if (flags & AMDVI_EVT_F_PE)
			f->reason = IOMMU_FAULT_PERMISSION;
		else if (!(flags & AMDVI_EVT_F_PR))
			f->reason = IOMMU_FAULT_NOT_MAPPED;
		else {
			f->reason = IOMMU_FAULT_NOT_MAPPED;
			f->flags |= IOMMU_FAULT_F_REFINE;
		}
		return true;
	case AMDVI_EVT_ILLEGAL_DEV_TABLE_ENTRY:
		f->reason = flags & AMDVI_EVT_F_RZ ? IOMMU_FAULT_BAD_ENTRY
						   : IOMMU_FAULT_BAD_DEVICE;
		return true;
	case AMDVI_EVT_DEV_TAB_HW_ERROR:
	case AMDVI_EVT_PAGE_TAB_HW_ERROR:
		/* The address is the table entry's, not the IOVA. */
		f->flags = 0;
		f->addr = 0;
		f->access = flags & AMDVI_EVT_F_RW ? IOMMU_ACCESS_WRITE
						   : IOMMU_ACCESS_READ;
		f->reason = IOMMU_FAULT_TABLE_FETCH;
		return true;
	case AMDVI_EVT_INVALID_DEV_REQ:
		f->reason = IOMMU_FAULT_BAD_DEVICE;
		return true;
	default:
		alog(a, IOMMU_LOG_WARN, "event 0x%x: 0x%016llx 0x%016llx", code,
		     (unsigned long long)e[0], (unsigned long long)e[1]);
		return false;
	}
}

/*
 * Restart logging after EventOverflow (amdvi 6.1; Linux's restart):
 * clear EventLogEn, clear the overflow bit, set EventLogEn again.
 * Context: evt_lock.
 */
static void amdvi_evt_restart(struct amdvi_drv *a)
{
	a->overflows++;
	alog(a, IOMMU_LOG_INFO, "event log overflowed (%llu times): restarted",
	     (unsigned long long)a->overflows);
	pthread_mutex_lock(&a->q_lock); /* Control writer */
	ilib_mmio_write64(&a->bus, AMDVI_MMIO_CONTROL,
			  a->ctrl & ~AMDVI_CTRL_EVT_LOG_EN);
	ilib_mmio_write64(&a->bus, AMDVI_MMIO_STATUS, AMDVI_STS_EVT_OVERFLOW);
	ilib_mmio_write64(&a->bus, AMDVI_MMIO_CONTROL, a->ctrl);
	pthread_mutex_unlock(&a->q_lock);
}

/**
 * amdvi_drv_irq() - the event interrupt
 * Clears EventLogInt, then reads from Head to Tail (zeroing each entry,
 * as Linux), writes Head, restarts logging after an overflow and reports
 * the faults with no lock held.
 * Context: called by the core after the call that raised returned; takes
 * evt_lock (and q_lock briefly for a restart).
 */
void amdvi_drv_irq(void *inst, unsigned int vector)
{
	static const uint64_t zero[2];
	struct amdvi_drv *a = inst;
	struct iommu_fault faults[AMDVI_EVT_BATCH];
	unsigned int nr = 0;
	uint64_t sts = 0, head = 0, tail = 0;
	uint32_t h, t;

	(void)vector;
	if (!a)
		return;
	pthread_mutex_lock(&a->evt_lock);
	if (ilib_mmio_read64(&a->bus, AMDVI_MMIO_STATUS, &sts))
		goto out;
	/* Clear the interrupt before draining, so a later event raises it
	 * again. */
	ilib_mmio_write64(&a->bus, AMDVI_MMIO_STATUS,
			  sts & AMDVI_STS_EVT_LOG_INT);
	if (ilib_mmio_read64(&a->bus, AMDVI_MMIO_EVT_HEAD, &head) ||
	    ilib_mmio_read64(&a->bus, AMDVI_MMIO_EVT_TAIL, &tail) ||
	    ilib_ring_pos_of_offset(&a->evt, head & AMDVI_RING_PTR, &h) ||
	    ilib_ring_pos_of_offset(&a->evt, tail & AMDVI_RING_PTR, &t))
		goto overflow;
	while (h != t && nr < AMDVI_EVT_BATCH) {
		uint64_t e[2];

		if (ilib_ring_read_le64(&a->evt, a->host, h, e))
			break;
		ilib_ring_write_le64(&a->evt, a->host, h, zero);
		h = ilib_ring_next(&a->evt, h);
		if (amdvi_decode_event(a, e, &faults[nr]))
			nr++;
	}
	ilib_mmio_write64(&a->bus, AMDVI_MMIO_EVT_HEAD,
			  ilib_ring_offset(&a->evt, h));
overflow:
	if (sts & AMDVI_STS_EVT_OVERFLOW)
		amdvi_evt_restart(a);
out:
	pthread_mutex_unlock(&a->evt_lock);
	for (unsigned int k = 0; k < nr; k++)
		a->host->ops->report_fault(a->host, &faults[k]);
}
