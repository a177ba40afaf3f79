// SPDX-License-Identifier: MIT
/*
 * hw_dump.c - the SMMU's state for a person reading it (the hw op dump,
 * plugin.h ABI 2.2): the main registers decoded field by field with the
 * names of smmuv3 6 (IDR0, IDR1, IDR3, IDR5, CR0, CR1, CR2, GBPA,
 * IRQ_CTRL, GERROR/GERRORN, STRTAB_BASE and _CFG, the queue bases), the
 * command and event queues' PROD and CONS (index and wrap) with the
 * entries between them, and the occupancy of the configuration cache and
 * the TLB.
 *
 * Read-only: the registers are copied under reg_lock, printed with no
 * lock held; the caches are counted without their locks (a snapshot).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "hw.h"
#include "ilib_dump.h"

static const struct ilib_field f_idr0[] = {
    ILIB_FIELD(SMMU_IDR0_S2P, "S2P"),
    ILIB_FIELD(SMMU_IDR0_S1P, "S1P"),
    ILIB_FIELD(SMMU_IDR0_TTF, "TTF"),
    ILIB_FIELD(SMMU_IDR0_COHACC, "COHACC"),
    ILIB_FIELD(SMMU_IDR0_BTM, "BTM"),
    ILIB_FIELD(SMMU_IDR0_HTTU, "HTTU"),
    ILIB_FIELD(SMMU_IDR0_HYP, "HYP"),
    ILIB_FIELD(SMMU_IDR0_ATS, "ATS"),
    ILIB_FIELD(SMMU_IDR0_ASID16, "ASID16"),
    ILIB_FIELD(SMMU_IDR0_MSI, "MSI"),
    ILIB_FIELD(SMMU_IDR0_SEV, "SEV"),
    ILIB_FIELD(SMMU_IDR0_ATOS, "ATOS"),
    ILIB_FIELD(SMMU_IDR0_PRI, "PRI"),
    ILIB_FIELD(SMMU_IDR0_VMID16, "VMID16"),
    ILIB_FIELD(SMMU_IDR0_CD2L, "CD2L"),
    ILIB_FIELD(SMMU_IDR0_TTENDIAN, "TTENDIAN"),
    ILIB_FIELD(SMMU_IDR0_STALL_MODEL, "STALL_MODEL"),
    ILIB_FIELD(SMMU_IDR0_TERM_MODEL, "TERM_MODEL"),
    ILIB_FIELD(SMMU_IDR0_ST_LEVEL, "ST_LEVEL"),
    ILIB_FIELD_END,
};

static const struct ilib_field f_idr1[] = {
    ILIB_FIELD(SMMU_IDR1_SIDSIZE, "SIDSIZE"),
    ILIB_FIELD(SMMU_IDR1_SSIDSIZE, "SSIDSIZE"),
    ILIB_FIELD(SMMU_IDR1_PRIQS, "PRIQS"),
    ILIB_FIELD(SMMU_IDR1_EVENTQS, "EVENTQS"),
    ILIB_FIELD(SMMU_IDR1_CMDQS, "CMDQS"),
    ILIB_FIELD(SMMU_IDR1_REL, "REL"),
    ILIB_FIELD(SMMU_IDR1_QUEUES_PRESET, "QUEUES_PRESET"),
    ILIB_FIELD(SMMU_IDR1_TABLES_PRESET, "TABLES_PRESET"),
    ILIB_FIELD_END,
};

static const struct ilib_field f_idr3[] = {
    ILIB_FIELD(SMMU_IDR3_HAD, "HAD"),   ILIB_FIELD(SMMU_IDR3_XNX, "XNX"),
    ILIB_FIELD(SMMU_IDR3_PPS, "PPS"),   ILIB_FIELD(SMMU_IDR3_FWB, "FWB"),
    ILIB_FIELD(SMMU_IDR3_STT, "STT"),   ILIB_FIELD(SMMU_IDR3_RIL, "RIL"),
    ILIB_FIELD(SMMU_IDR3_BBML, "BBML"), ILIB_FIELD_END,
};

static const struct ilib_field f_idr5[] = {
    ILIB_FIELD(SMMU_IDR5_STALL_MAX, "STALL_MAX"),
    ILIB_FIELD(SMMU_IDR5_VAX, "VAX"),
    ILIB_FIELD(SMMU_IDR5_GRAN64K, "GRAN64K"),
    ILIB_FIELD(SMMU_IDR5_GRAN16K, "GRAN16K"),
    ILIB_FIELD(SMMU_IDR5_GRAN4K, "GRAN4K"),
    ILIB_FIELD(SMMU_IDR5_OAS, "OAS"),
    ILIB_FIELD_END,
};

static const struct ilib_field f_cr0[] = {
    ILIB_FIELD(SMMU_CR0_VMW, "VMW"),
    ILIB_FIELD(SMMU_CR0_ATSCHK, "ATSCHK"),
    ILIB_FIELD(SMMU_CR0_CMDQEN, "CMDQEN"),
    ILIB_FIELD(SMMU_CR0_EVENTQEN, "EVENTQEN"),
    ILIB_FIELD(SMMU_CR0_PRIQEN, "PRIQEN"),
    ILIB_FIELD(SMMU_CR0_SMMUEN, "SMMUEN"),
    ILIB_FIELD_END,
};

static const struct ilib_field f_cr1[] = {
    ILIB_FIELD(SMMU_CR1_TABLE_SH, "TABLE_SH"),
    ILIB_FIELD(SMMU_CR1_TABLE_OC, "TABLE_OC"),
    ILIB_FIELD(SMMU_CR1_TABLE_IC, "TABLE_IC"),
    ILIB_FIELD(SMMU_CR1_QUEUE_SH, "QUEUE_SH"),
    ILIB_FIELD(SMMU_CR1_QUEUE_OC, "QUEUE_OC"),
    ILIB_FIELD(SMMU_CR1_QUEUE_IC, "QUEUE_IC"),
    ILIB_FIELD_END,
};

static const struct ilib_field f_cr2[] = {
    ILIB_FIELD(SMMU_CR2_REC_CFG_ATS, "REC_CFG_ATS"),
    ILIB_FIELD(SMMU_CR2_PTM, "PTM"),
    ILIB_FIELD(SMMU_CR2_RECINVSID, "RECINVSID"),
    ILIB_FIELD(SMMU_CR2_E2H, "E2H"),
    ILIB_FIELD_END,
};

static const struct ilib_field f_gbpa[] = {
    ILIB_FIELD(SMMU_GBPA_UPDATE, "UPDATE"),
    ILIB_FIELD(SMMU_GBPA_ABORT, "ABORT"),
    ILIB_FIELD(SMMU_GBPA_INSTCFG, "INSTCFG"),
    ILIB_FIELD(SMMU_GBPA_PRIVCFG, "PRIVCFG"),
    ILIB_FIELD(SMMU_GBPA_SHCFG, "SHCFG"),
    ILIB_FIELD(SMMU_GBPA_ALLOCCFG, "ALLOCCFG"),
    ILIB_FIELD(SMMU_GBPA_MTCFG, "MTCFG"),
    ILIB_FIELD(SMMU_GBPA_MEMATTR, "MEMATTR"),
    ILIB_FIELD_END,
};

static const struct ilib_field f_irq_ctrl[] = {
    ILIB_FIELD(SMMU_IRQ_CTRL_EVENTQ_IRQEN, "EVENTQ_IRQEN"),
    ILIB_FIELD(SMMU_IRQ_CTRL_PRIQ_IRQEN, "PRIQ_IRQEN"),
    ILIB_FIELD(SMMU_IRQ_CTRL_GERROR_IRQEN, "GERROR_IRQEN"),
    ILIB_FIELD_END,
};

static const struct ilib_field f_gerror[] = {
    ILIB_FIELD(SMMU_GERROR_DPT_ERR, "DPT_ERR"),
    ILIB_FIELD(SMMU_GERROR_CMDQP_ERR, "CMDQP_ERR"),
    ILIB_FIELD(SMMU_GERROR_SFM_ERR, "SFM_ERR"),
    ILIB_FIELD(SMMU_GERROR_MSI_GERROR_ABT_ERR, "MSI_GERROR_ABT_ERR"),
    ILIB_FIELD(SMMU_GERROR_MSI_PRIQ_ABT_ERR, "MSI_PRIQ_ABT_ERR"),
    ILIB_FIELD(SMMU_GERROR_MSI_EVENTQ_ABT_ERR, "MSI_EVENTQ_ABT_ERR"),
    ILIB_FIELD(SMMU_GERROR_MSI_CMDQ_ABT_ERR, "MSI_CMDQ_ABT_ERR"),
    ILIB_FIELD(SMMU_GERROR_PRIQ_ABT_ERR, "PRIQ_ABT_ERR"),
    ILIB_FIELD(SMMU_GERROR_EVENTQ_ABT_ERR, "EVENTQ_ABT_ERR"),
    ILIB_FIELD(SMMU_GERROR_CMDQ_ERR, "CMDQ_ERR"),
    ILIB_FIELD_END,
};

static const struct ilib_field f_strtab_base[] = {
    ILIB_FIELD(SMMU_STRTAB_BASE_RA, "RA"),
    ILIB_FIELD_ADDR(SMMU_STRTAB_BASE_ADDR, "ADDR"),
    ILIB_FIELD_END,
};

static const struct ilib_field f_strtab_cfg[] = {
    ILIB_FIELD(SMMU_STRTAB_CFG_FMT, "FMT"),
    ILIB_FIELD(SMMU_STRTAB_CFG_SPLIT, "SPLIT"),
    ILIB_FIELD(SMMU_STRTAB_CFG_LOG2SIZE, "LOG2SIZE"),
    ILIB_FIELD_END,
};

static const struct ilib_field f_none[] = {ILIB_FIELD_END};

static const struct ilib_field f_cmdq_cons[] = {
    ILIB_FIELD(SMMU_CMDQ_CONS_ERR, "ERR"),
    ILIB_FIELD_END,
};

static const struct ilib_field f_evtq_prod[] = {
    ILIB_FIELD(SMMU_EVENTQ_PROD_OVFLG, "OVFLG"),
    ILIB_FIELD_END,
};

static const struct ilib_field f_evtq_cons[] = {
    ILIB_FIELD(SMMU_EVENTQ_CONS_OVACKFLG, "OVACKFLG"),
    ILIB_FIELD_END,
};

static const struct ilib_field f_q_base[] = {
    ILIB_FIELD(SMMU_Q_BASE_RA, "RA"),
    ILIB_FIELD_ADDR(SMMU_Q_BASE_ADDR, "ADDR"),
    ILIB_FIELD(SMMU_Q_BASE_LOG2SIZE, "LOG2SIZE"),
    ILIB_FIELD_END,
};

/* PROD and CONS of a queue of 2^LOG2SIZE entries: index, wrap and the
 * entries between them (smmuv3 3.5: the wrap bit sits just above the
 * index), then the flag bits above (@flags: their names by mask). */
static void sd_queue(iommu_print_fn pr, void *c, const char *name,
		     uint64_t base, uint32_t prod, uint32_t cons,
		     const struct ilib_field *pflags, const struct ilib_field *cflags)
{
	const unsigned int lg2 =
	    (unsigned int)smmu_field_get(SMMU_Q_BASE_LOG2SIZE, base);
	const uint32_t n = 1u << (lg2 < 19 ? lg2 : 19);
	const uint32_t pi = prod & (n - 1), ci = cons & (n - 1);
	const uint32_t pw = (prod >> lg2) & 1, cw = (cons >> lg2) & 1;
	const uint32_t used = pw == cw ? pi - ci : n - (ci - pi);

	pr(c,
	   "  %s: %" PRIu32 " entries; PROD index %" PRIu32 " wrap %" PRIu32
	   ", CONS index %" PRIu32 " wrap %" PRIu32 "; %" PRIu32
	   " between them\n",
	   name, n, pi, pw, ci, cw, used);
	ilib_dump_reg(pr, c, 15, "PROD", prod, pflags ? pflags : f_none);
	ilib_dump_reg(pr, c, 15, "CONS", cons, cflags ? cflags : f_none);
}

int smmu_hw_dump(void *opaque, iommu_print_fn pr, void *c)
{
	struct smmu_hw *hw = opaque;
	uint32_t cr0, cr1, cr2, gbpa, irq_ctrl, gerror, gerrorn, strtab_cfg;
	uint32_t cmdq_prod, cmdq_cons, evtq_prod, evtq_cons;
	uint64_t strtab_base, cmdq_base, evtq_base;

	if (!hw || !pr)
		return -EINVAL;
	pthread_mutex_lock(&hw->reg_lock);
	cr0 = hw->cr0;
	cr1 = hw->cr1;
	cr2 = hw->cr2;
	gbpa = hw->gbpa;
	irq_ctrl = hw->irq_ctrl;
	gerror = hw->gerror;
	gerrorn = hw->gerrorn;
	strtab_base = hw->strtab_base;
	strtab_cfg = hw->strtab_cfg;
	cmdq_base = hw->cmdq_base;
	cmdq_prod = hw->cmdq_prod;
	cmdq_cons = hw->cmdq_cons;
	evtq_base = hw->evtq_base;
	evtq_prod = hw->evtq_prod;
	evtq_cons = hw->evtq_cons;
	pthread_mutex_unlock(&hw->reg_lock);

	pr(c, "registers (smmuv3 6):\n");
	ilib_dump_reg(pr, c, 15, "IDR0", hw->idr[0], f_idr0);
	ilib_dump_reg(pr, c, 15, "IDR1", hw->idr[1], f_idr1);
	ilib_dump_reg(pr, c, 15, "IDR3", hw->idr[3], f_idr3);
	ilib_dump_reg(pr, c, 15, "IDR5", hw->idr[5], f_idr5);
	ilib_dump_reg(pr, c, 15, "CR0", cr0, f_cr0);
	ilib_dump_reg(pr, c, 15, "CR1", cr1, f_cr1);
	ilib_dump_reg(pr, c, 15, "CR2", cr2, f_cr2);
	ilib_dump_reg(pr, c, 15, "GBPA", gbpa, f_gbpa);
	ilib_dump_reg(pr, c, 15, "IRQ_CTRL", irq_ctrl, f_irq_ctrl);
	ilib_dump_reg(pr, c, 15, "GERROR", gerror, f_gerror);
	ilib_dump_reg(pr, c, 15, "GERRORN", gerrorn, f_gerror);
	pr(c, "  (errors active: GERROR ^ GERRORN = 0x%" PRIx32 ")\n",
	   gerror ^ gerrorn);
	ilib_dump_reg(pr, c, 15, "STRTAB_BASE", strtab_base, f_strtab_base);
	ilib_dump_reg(pr, c, 15, "STRTAB_BASE_CFG", strtab_cfg, f_strtab_cfg);
	ilib_dump_reg(pr, c, 15, "CMDQ_BASE", cmdq_base, f_q_base);
	ilib_dump_reg(pr, c, 15, "EVENTQ_BASE", evtq_base, f_q_base);
	pr(c, "queues:\n");
	sd_queue(pr, c, "CMDQ", cmdq_base, cmdq_prod, cmdq_cons, NULL,
		 f_cmdq_cons);
	sd_queue(pr, c, "EVENTQ", evtq_base, evtq_prod, evtq_cons, f_evtq_prod,
		 f_evtq_cons);
	pr(c, "caches:\n");
	ilib_dump_cache(pr, c, 6, "config", &hw->cfgc);
	ilib_dump_cache(pr, c, 6, "TLB", &hw->tlbc);
	return 0;
}
