// SPDX-License-Identifier: MIT
/*
 * hw_event.c - the SMMUv3 model's event records (smmuv3 6.3, 6.4), the
 * event queue producer (6.1), GERROR activation (7.2), and the
 * interrupts and MSIs of both.  The decisions they follow (an interrupt
 * after every record, drops and overflow, MSI vs wired vector, which
 * faults are recorded) are in hw.h.
 */
#include <endian.h>
#include <errno.h>
#include <stddef.h>

#include "hw.h"

/* Raise the wired interrupts @irq collected, after reg_lock was dropped. */
void smmu_hw_raise(struct smmu_hw *hw, const struct hw_irqs *irq)
{
	if (irq->evtq)
		hw->host->ops->raise_irq(hw->host, SMMU_IRQ_EVENTQ);
	if (irq->gerror)
		hw->host->ops->raise_irq(hw->host, SMMU_IRQ_GERROR);
	if (irq->sync)
		hw->host->ops->raise_irq(hw->host, SMMU_IRQ_CMD_SYNC);
}

/*
 * smmu_hw_msi_or_irq() - signal one interrupt source
 * @cfg0, @cfg1: the source's *_IRQ_CFG0 (address) and *_IRQ_CFG1 (data)
 * @wired: set when the wired vector must be raised instead
 *
 * With IDR0.MSI and a non-zero address the source sends its MSI (never a
 * RAM write, DESIGN rule 12); otherwise its wired interrupt fires.
 * Context: reg_lock held (msi_write only queues the message).
 */
void smmu_hw_msi_or_irq(struct smmu_hw *hw, uint64_t cfg0, uint32_t cfg1,
			bool *wired)
{
	const struct iommu_host_ops *ops = hw->host->ops;
	uint64_t addr = cfg0 & SMMU_IRQ_CFG0_ADDR;

	if (hw->msi && addr &&
	    ops->size >= offsetof(struct iommu_host_ops, msi_write) +
			     sizeof(ops->msi_write) &&
	    ops->msi_write) {
		ops->msi_write(hw->host, addr, cfg1);
		return;
	}
	*wired = true;
}

/*
 * smmu_hw_gerror() - activate GERROR bit @bit (smmuv3 7.2)
 * An active error (GERROR[x] != GERRORN[x]) stays as it is; an inactive
 * one is toggled and the GERROR interrupt fires (GERROR_IRQEN).
 * Context: reg_lock held.
 */
void smmu_hw_gerror(struct smmu_hw *hw, uint32_t bit, struct hw_irqs *irq)
{
	if ((hw->gerror ^ hw->gerrorn) & bit)
		return;
	hw->gerror ^= bit;
	if (hw->irq_ctrl & SMMU_IRQ_CTRL_GERROR_IRQEN)
		smmu_hw_msi_or_irq(hw, hw->gerror_cfg0, hw->gerror_cfg1,
				   &irq->gerror);
}

/*
 * hw_evt_build() - the record of fault @f of request @x (smmuv3 6.3),
 * with the fields 6.4 gives its event type and nothing else.
 */
static void hw_evt_build(const struct hw_xl *x, const struct hw_fault *f,
			 uint64_t dw[4])
{
	bool ssid = true, attrs = false, rnw = false, stage = false;
	bool addr = false, d3 = false;

	switch (f->id) {
	case SMMU_EVT_F_UUT:
		attrs = addr = true;
		break;
	case SMMU_EVT_F_STE_FETCH:
	case SMMU_EVT_F_CD_FETCH: /* 10.7: FetchAddr in DW3 */
		d3 = true;
		break;
	case SMMU_EVT_F_TRANSL_FORBIDDEN:
		ssid = false;
		rnw = addr = true;
		break;
	case SMMU_EVT_F_WALK_EABT:
		attrs = stage = addr = d3 = true;
		break;
	case SMMU_EVT_F_TRANSLATION:
	case SMMU_EVT_F_ADDR_SIZE:
	case SMMU_EVT_F_ACCESS:
	case SMMU_EVT_F_PERMISSION:
		attrs = stage = addr = true;
		d3 = f->s2; /* the IPA, for stage-2 faults only */
		break;
	default: /* C_BAD_STREAMID, C_BAD_STE, C_BAD_CD, F_STREAM_DISABLED,
		  * C_BAD_SUBSTREAMID: SID and SubstreamID only */
		break;
	}
	dw[0] = smmu_field_prep(SMMU_EVT_DW0_ID, f->id) |
		smmu_field_prep(SMMU_EVT_DW0_SID, x->sid);
	if (x->ssv && f->id == SMMU_EVT_C_BAD_SUBSTREAMID)
		dw[0] |=
		    smmu_field_prep(SMMU_EVT_DW0_SSID, x->ssid); /* no SSV */
	else if (x->ssv && ssid)
		dw[0] |= SMMU_EVT_DW0_SSV |
			 smmu_field_prep(SMMU_EVT_DW0_SSID, x->ssid);
	dw[1] = 0;
	if (attrs || rnw)
		dw[1] |= x->write ? 0 : SMMU_EVT_DW1_RNW;
	if (attrs)
		dw[1] |= (x->priv ? SMMU_EVT_DW1_PNU : 0) |
			 (x->exec ? SMMU_EVT_DW1_IND : 0);
	if (stage) {
		dw[1] |= (f->s2 ? SMMU_EVT_DW1_S2 : 0) |
			 smmu_field_prep(SMMU_EVT_DW1_CLASS, f->class);
		if (f->id == SMMU_EVT_F_PERMISSION &&
		    f->class == SMMU_EVT_CLASS_TT && f->ttrnw)
			dw[1] |= SMMU_EVT_DW1_TTRNW;
	}
	dw[2] = addr ? x->req->iova : 0;
	dw[3] = d3 ? f->dw3 : 0;
}

/*
 * hw_evtq_write() - produce one record (smmuv3 6.1)
 * Return: true if written; false if dropped (queue disabled, full, or
 * the write aborted).
 * Context: reg_lock held.
 */
static bool hw_evtq_write(struct smmu_hw *hw, const uint64_t dw[4],
			  struct hw_irqs *irq)
{
	unsigned int q = hw_q_lg2(hw->evtq_base, hw->evtqs);
	uint32_t prod = hw_q_pos(hw->evtq_prod, q);
	uint32_t cons = hw_q_pos(hw->evtq_cons, q);
	uint32_t ovf = hw->evtq_prod & (uint32_t)SMMU_EVENTQ_PROD_OVFLG;
	uint64_t le[4];

	if (!(hw->cr0 & SMMU_CR0_EVENTQEN))
		return false;
	if ((prod ^ cons) == 1u << q) { /* full: index equal, wrap differs */
		if (!ovf == !(hw->evtq_cons & SMMU_EVENTQ_CONS_OVACKFLG))
			hw->evtq_prod ^= (uint32_t)SMMU_EVENTQ_PROD_OVFLG;
		return false;
	}
	for (unsigned int i = 0; i < 4; i++)
		le[i] = htole64(dw[i]);
	if (ilib_mem_write(hw->host,
			   hw_q_base(hw->evtq_base, q, SMMU_EVT_SIZE) +
			       (uint64_t)(prod & ((1u << q) - 1)) *
				   SMMU_EVT_SIZE,
			   le, sizeof(le))) {
		smmu_hw_gerror(hw, (uint32_t)SMMU_GERROR_EVENTQ_ABT_ERR, irq);
		return false;
	}
	ilib_trace_raw(hw->host, IOMMU_TR_FAULT_RECORD, "smmuv3 eventq", 0, 0,
		       dw, 4 * sizeof(uint64_t));
	hw->evtq_prod = hw_q_pos(prod + 1, q) | ovf;
	if (hw->irq_ctrl & SMMU_IRQ_CTRL_EVENTQ_IRQEN)
		smmu_hw_msi_or_irq(hw, hw->evtq_cfg0, hw->evtq_cfg1,
				   &irq->evtq);
	return true;
}

/**
 * smmu_hw_fault() - end a request with fault @f
 * @hw: model
 * @x: the request
 * @f: what failed; f->silent terminates without a record
 *
 * Writes the record into the event queue (unless silent) and raises the
 * event interrupt; counts it in IOMMU_STAT_FAULTS, or in
 * IOMMU_STAT_FAULTS_LOST when the queue dropped it.
 * Context: takes reg_lock; raises wired interrupts after dropping it.
 * Return: -EFAULT, always (every fault aborts: TERM_MODEL = 1).
 */
int smmu_hw_fault(struct smmu_hw *hw, const struct hw_xl *x,
		  const struct hw_fault *f)
{
	struct hw_irqs irq = {0};
	uint64_t dw[4];
	bool written;

	if (f->silent)
		return -EFAULT;
	hw_evt_build(x, f, dw);
	pthread_mutex_lock(&hw->reg_lock);
	written = hw_evtq_write(hw, dw, &irq);
	pthread_mutex_unlock(&hw->reg_lock);
	ilib_stat(hw->host,
		  written ? IOMMU_STAT_FAULTS : IOMMU_STAT_FAULTS_LOST, 1);
	smmu_hw_raise(hw, &irq);
	return -EFAULT;
}
