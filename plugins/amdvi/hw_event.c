// SPDX-License-Identifier: MIT
/*
 * hw_event.c - the AMD-Vi event log (amdvi 6) and the model's interrupts.
 * Decisions (overflow stops logging until EventLogEn is set again, which
 * edges interrupt, MSI or vector) are in hw.h.
 */
#include <errno.h>
#include <string.h>

#include "hw.h"

/* Encoders of the records the model writes (amdvi 6.3-6.5). */
void amdvi_evt_page_fault(struct hw_event *e, uint16_t devid, uint16_t domid,
			  uint32_t pasid, bool gn, unsigned int flags,
			  uint64_t addr)
{
	e->qw[0] = amdvi_field_prep(AMDVI_EVT0_DEVID, devid) |
		   amdvi_field_prep(AMDVI_EVT_CODE, AMDVI_EVT_IO_PAGE_FAULT);
	if (gn) {
		flags |= AMDVI_EVT_F_GN;
		e->qw[0] |= amdvi_field_prep(AMDVI_EVT0_PASID_HI, pasid >> 16) |
			    amdvi_field_prep(AMDVI_EVT0_DOMID, pasid & 0xffff);
	} else {
		e->qw[0] |= amdvi_field_prep(AMDVI_EVT0_DOMID, domid);
	}
	e->qw[0] |= amdvi_field_prep(AMDVI_EVT0_FLAGS, flags);
	e->qw[1] = addr;
}

/*
 * Events with DeviceID, flags and / or a hardware-error Type (6.5).
 * @type goes to bits 58:57 (hardware errors) or 59:57 (invalid device
 * request), @flags to 59:48: the caller passes one or the other.
 */
void amdvi_evt_simple(struct hw_event *e, unsigned int code, uint16_t devid,
		      unsigned int flags, unsigned int type, uint64_t addr)
{
	e->qw[0] = amdvi_field_prep(AMDVI_EVT0_DEVID, devid) |
		   amdvi_field_prep(AMDVI_EVT0_FLAGS, flags) |
		   amdvi_field_prep(AMDVI_EVT_CODE, code);
	if (code == AMDVI_EVT_INVALID_DEV_REQ)
		e->qw[0] |= amdvi_field_prep(AMDVI_EVT0_IDR_TYPE, type);
	else if (type)
		e->qw[0] |= amdvi_field_prep(AMDVI_EVT0_HW_TYPE, type);
	e->qw[1] = addr;
}

/* 1.2: 2^EventLen entries, valid lengths only.  Context: reg_lock. */
static unsigned int hw_evt_len(const struct amdvi_hw *hw)
{
	unsigned int len =
	    (unsigned int)amdvi_field_get(AMDVI_RING_LEN, hw->evt_base);

	if (len < AMDVI_RING_LEN_MIN || len > hw->evt_len_max)
		return 0;
	return len;
}

/* Status.EventLogRun (1.4).  Context: reg_lock. */
bool amdvi_hw_evt_running(const struct amdvi_hw *hw)
{
	const uint64_t need = AMDVI_CTRL_IOMMU_EN | AMDVI_CTRL_EVT_LOG_EN;

	return (hw_ld(&hw->ctrl) & need) == need && !hw->evt_stopped &&
	       hw_evt_len(hw);
}

/*
 * amdvi_hw_log_event_locked() - write one event at Tail (6.1)
 * A full log (Tail + 16 == Head) drops it, sets EventOverflow and stops
 * logging; a log that does not run drops it.  Either way it is counted.
 * Context: reg_lock held; @irq collects the interrupt to signal.
 */
void amdvi_hw_log_event_locked(struct amdvi_hw *hw, const struct hw_event *e,
			       struct hw_irqs *irq)
{
	const uint64_t before = hw->status;
	struct ilib_ring r;
	uint32_t head, tail;
	bool ok = false;

	if (!amdvi_hw_evt_running(hw))
		goto out;
	if (ilib_ring_init(&r, hw->evt_base & AMDVI_RING_BASE, AMDVI_ENTRY_SIZE,
			   1ull << hw_evt_len(hw), 0))
		goto out;
	/* Outside RAM it stays unbound, and the write below faults. */
	ilib_ring_bind(&r, hw->host);
	if (ilib_ring_pos_of_offset(&r, hw->evt_head & AMDVI_RING_PTR, &head) ||
	    ilib_ring_pos_of_offset(&r, hw->evt_tail & AMDVI_RING_PTR, &tail))
		goto out; /* pointers beyond the log: nothing is written */
	if (ilib_ring_full(&r, tail, head)) {
		hw->status |= AMDVI_STS_EVT_OVERFLOW;
		hw->evt_stopped = true;
		goto out;
	}
	if (ilib_ring_write_le64(&r, hw->host, tail, e->qw))
		goto out; /* log outside RAM: lost */
	ilib_trace_raw(hw->host, IOMMU_TR_FAULT_RECORD, "amdvi event log", 0,
		       0, e->qw, sizeof(e->qw));
	hw->evt_tail = ilib_ring_offset(&r, ilib_ring_next(&r, tail));
	hw->status |= AMDVI_STS_EVT_LOG_INT;
	ok = true;
out:
	ilib_stat(hw->host, ok ? IOMMU_STAT_FAULTS : IOMMU_STAT_FAULTS_LOST, 1);
	if ((hw_ld(&hw->ctrl) & AMDVI_CTRL_EVT_INT_EN) &&
	    (hw->status & ~before &
	     (AMDVI_STS_EVT_LOG_INT | AMDVI_STS_EVT_OVERFLOW)))
		irq->event = true;
}

/* The same, taking reg_lock and signalling after dropping it. */
void amdvi_hw_log_event(struct amdvi_hw *hw, const struct hw_event *e)
{
	struct hw_irqs irq = {0};

	pthread_mutex_lock(&hw->reg_lock);
	amdvi_hw_log_event_locked(hw, e, &irq);
	pthread_mutex_unlock(&hw->reg_lock);
	amdvi_hw_signal(hw, &irq);
}

/*
 * amdvi_hw_signal() - deliver the interrupts @irq collected
 * The IOMMU's one MSI when the guest programmed its address, else the
 * model's vectors.  Context: no lock held (the MSI registers are read
 * under reg_lock briefly).
 */
void amdvi_hw_signal(struct amdvi_hw *hw, const struct hw_irqs *irq)
{
	uint64_t addr;
	uint32_t data;

	if (!irq->event && !irq->comwait)
		return;
	pthread_mutex_lock(&hw->reg_lock);
	addr = (uint64_t)hw->msi_hi << 32 | hw->msi_lo;
	data = hw->msi_data;
	pthread_mutex_unlock(&hw->reg_lock);
	if (addr && hw->host->ops->msi_write) {
		if (irq->event)
			hw->host->ops->msi_write(hw->host, addr, data);
		if (irq->comwait)
			hw->host->ops->msi_write(hw->host, addr, data);
		return;
	}
	if (irq->event)
		hw->host->ops->raise_irq(hw->host, AMDVI_IRQ_EVENT);
	if (irq->comwait)
		hw->host->ops->raise_irq(hw->host, AMDVI_IRQ_COMWAIT);
}
