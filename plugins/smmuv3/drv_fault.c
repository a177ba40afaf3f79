// SPDX-License-Identifier: MIT
/*
 * drv_fault.c - the SMMUv3 driver's event queue (smmuv3 6): its setup,
 * the interrupt that consumes it, the decode of each record into one
 * struct iommu_fault, and GERROR (7.2).  The reason mapping is in drv.h.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "drv.h"

#define SMMU_EVT_PASSES 4u /* queue's worth of records per interrupt */

/**
 * smmu_setup_evtq() - the event queue (smmuv3 1.7 step 7)
 * @s: instance, EVENTQEN off
 * 2^min(IDR1.EVENTQS, SMMU_EVTQ_MAX_LG2) records: EVENTQ_BASE (WA),
 * EVENTQ_PROD = EVENTQ_CONS = 0 (Page 1).  The caller sets EVENTQEN.
 * Context: probe.  Return: 0; -ENOMEM, -EFAULT table memory; -EIO MMIO.
 */
int smmu_setup_evtq(struct smmu_drv *s)
{
	unsigned int lg2 =
	    (unsigned int)smmu_field_get(SMMU_IDR1_EVENTQS, s->idr1);
	void *va;
	int err;

	if (lg2 > SMMU_EVTQ_MAX_LG2)
		lg2 = SMMU_EVTQ_MAX_LG2;
	if (lg2 < 1)
		lg2 = 1; /* a one-entry queue still works: ring needs 2 */
	s->evtq_size = (size_t)SMMU_EVT_SIZE << lg2;
	if (s->evtq_size < 4096)
		s->evtq_size = 4096;
	err =
	    ilib_table_alloc(s->host, "smmuv3", s->evtq_size, &s->evtq_pa, &va);
	if (err) {
		s->evtq_size = 0;
		return err;
	}
	err = ilib_ring_init(&s->evtq, s->evtq_pa, SMMU_EVT_SIZE, 1ull << lg2,
			     ILIB_RING_WRAP);
	if (err)
		return err;
	ilib_ring_bind(&s->evtq, s->host); /* table memory: always RAM */
	s->evtq_cons = 0;
	if (ilib_mmio_write64(&s->bus, SMMU_EVENTQ_BASE,
			      SMMU_Q_BASE_RA | (s->evtq_pa & SMMU_Q_BASE_ADDR) |
				  smmu_field_prep(SMMU_Q_BASE_LOG2SIZE, lg2)) ||
	    ilib_mmio_write32(&s->bus, SMMU_EVENTQ_PROD, 0) ||
	    ilib_mmio_write32(&s->bus, SMMU_EVENTQ_CONS, 0))
		return -EIO;
	return 0;
}

/*
 * smmu_fault_reason() - the normalized reason of event @id (smmuv3 6.2)
 * The one place that maps SMMUv3 event codes.
 */
static enum iommu_fault_reason smmu_fault_reason(unsigned int id)
{
	switch (id) {
	case SMMU_EVT_F_TRANSLATION:
		return IOMMU_FAULT_NOT_MAPPED;
	case SMMU_EVT_F_PERMISSION:
	case SMMU_EVT_F_TRANSL_FORBIDDEN:
	case SMMU_EVT_F_UUT:
	case SMMU_EVT_F_BAD_ATS_TREQ:
		return IOMMU_FAULT_PERMISSION;
	case SMMU_EVT_F_ACCESS:
	case SMMU_EVT_C_BAD_STE:
	case SMMU_EVT_C_BAD_CD:
	case SMMU_EVT_F_TLB_CONFLICT:
	case SMMU_EVT_F_CFG_CONFLICT:
		return IOMMU_FAULT_BAD_ENTRY;
	case SMMU_EVT_F_ADDR_SIZE:
		return IOMMU_FAULT_ADDR_SIZE;
	case SMMU_EVT_F_STE_FETCH:
	case SMMU_EVT_F_CD_FETCH:
	case SMMU_EVT_F_WALK_EABT:
	case SMMU_EVT_F_VMS_FETCH:
		return IOMMU_FAULT_TABLE_FETCH;
	case SMMU_EVT_C_BAD_SUBSTREAMID:
	case SMMU_EVT_F_STREAM_DISABLED:
		return IOMMU_FAULT_BAD_PASID;
	case SMMU_EVT_C_BAD_STREAMID:
		return IOMMU_FAULT_BAD_DEVICE;
	default:
		return IOMMU_FAULT_UNKNOWN;
	}
}

/* Events that carry RnW/PnU/InD and InputAddr (smmuv3 6.4). */
static bool evt_has_access(unsigned int id)
{
	switch (id) {
	case SMMU_EVT_F_UUT:
	case SMMU_EVT_F_TRANSL_FORBIDDEN:
	case SMMU_EVT_F_WALK_EABT:
	case SMMU_EVT_F_TRANSLATION:
	case SMMU_EVT_F_ADDR_SIZE:
	case SMMU_EVT_F_ACCESS:
	case SMMU_EVT_F_PERMISSION:
	case SMMU_EVT_F_TLB_CONFLICT:
		return true;
	default:
		return false;
	}
}

/* smmuv3 6.3: one record -> one fault. */
static void smmu_decode_event(const uint64_t ev[4], struct iommu_fault *f)
{
	unsigned int id = (unsigned int)smmu_field_get(SMMU_EVT_DW0_ID, ev[0]);

	memset(f, 0, sizeof(*f));
	f->dev_id = (uint32_t)smmu_field_get(SMMU_EVT_DW0_SID, ev[0]);
	f->pasid = IOMMU_NO_PASID;
	/* C_BAD_SUBSTREAMID has the SSID but no SSV bit (6.4). */
	if ((ev[0] & SMMU_EVT_DW0_SSV) || id == SMMU_EVT_C_BAD_SUBSTREAMID) {
		f->pasid = (uint32_t)smmu_field_get(SMMU_EVT_DW0_SSID, ev[0]);
		f->flags |= IOMMU_FAULT_F_PASID_VALID;
	}
	if (evt_has_access(id)) {
		f->access = ev[1] & SMMU_EVT_DW1_RNW ? IOMMU_ACCESS_READ
						     : IOMMU_ACCESS_WRITE;
		if (ev[1] & SMMU_EVT_DW1_PNU)
			f->access |= IOMMU_ACCESS_PRIV;
		if (ev[1] & SMMU_EVT_DW1_IND)
			f->access |= IOMMU_ACCESS_EXEC;
		f->addr = ev[2];
		f->flags |= IOMMU_FAULT_F_ADDR_VALID;
	}
	f->vendor_code = id;
	f->reason = smmu_fault_reason(id);
}

/* GERROR: log and acknowledge what is active, except CMDQ_ERR, which the
 * submitter recovers itself (drv.h).  Context: evt_lock. */
static void smmu_gerror(struct smmu_drv *s)
{
	uint32_t gerror = 0, gerrorn = 0, active;

	if (ilib_mmio_read32(&s->bus, SMMU_GERROR, &gerror) ||
	    ilib_mmio_read32(&s->bus, SMMU_GERRORN, &gerrorn))
		return;
	active = (gerror ^ gerrorn) & ~(uint32_t)SMMU_GERROR_CMDQ_ERR;
	if (!active)
		return;
	slog(s, IOMMU_LOG_ERR, "GERROR 0x%x active 0x%x", gerror, active);
	ilib_mmio_write32(&s->bus, SMMU_GERRORN, gerrorn ^ active);
}

/**
 * smmu_drv_irq() - the event and GERROR interrupts
 * Context: called by the core after the call that raised returned; takes
 * evt_lock only; reports faults with no lock held.
 */
void smmu_drv_irq(void *inst, unsigned int vector)
{
	struct smmu_drv *s = inst;
	struct iommu_fault faults[1u << SMMU_EVTQ_MAX_LG2];
	uint64_t raw[1u << SMMU_EVTQ_MAX_LG2][4];
	unsigned int nr = 0, max = 1u << SMMU_EVTQ_MAX_LG2;

	if (!s)
		return;
	pthread_mutex_lock(&s->evt_lock);
	if (vector == SMMU_IRQ_GERROR) {
		smmu_gerror(s);
		pthread_mutex_unlock(&s->evt_lock);
		return;
	}
	for (unsigned int pass = 0; pass < SMMU_EVT_PASSES; pass++) {
		uint32_t prod = 0, cons, mask;

		nr = 0;
		if (ilib_mmio_read32(&s->bus, SMMU_EVENTQ_PROD, &prod))
			break;
		mask = (2u << s->evtq.count_lg2) - 1;
		cons = s->evtq_cons & mask; /* bit 31: OVACKFLG written */
		while ((prod & mask) != cons && nr < max) {
			if (ilib_ring_read_le64(&s->evtq, s->host, cons,
						raw[nr]))
				break;
			nr++;
			cons = ilib_ring_next(&s->evtq, cons);
		}
		if ((prod ^ s->evtq_cons) & SMMU_EVENTQ_PROD_OVFLG) {
			s->nr_overflows++;
			slog(s, IOMMU_LOG_INFO,
			     "event queue overflowed: records were lost");
		}
		/* OVACKFLG follows OVFLG: the overflow is acknowledged. */
		ilib_mmio_write32(&s->bus, SMMU_EVENTQ_CONS,
				  cons | (prod & SMMU_EVENTQ_PROD_OVFLG));
		s->evtq_cons = cons | (prod & SMMU_EVENTQ_PROD_OVFLG);
		pthread_mutex_unlock(&s->evt_lock);
		for (unsigned int k = 0; k < nr; k++)
			smmu_decode_event(raw[k], &faults[k]);
		for (unsigned int k = 0; k < nr; k++)
			s->host->ops->report_fault(s->host, &faults[k]);
		pthread_mutex_lock(&s->evt_lock);
		if (!nr)
			break;
	}
	pthread_mutex_unlock(&s->evt_lock);
}
