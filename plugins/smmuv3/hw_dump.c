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

struct sdf {
	uint64_t mask;
	const char *name;
};

#define F(m, n)                                                                \
	{                                                                      \
		(m), (n)                                                       \
	}

static const struct sdf f_idr0[] = {
    F(SMMU_IDR0_S2P, "S2P"),
    F(SMMU_IDR0_S1P, "S1P"),
    F(SMMU_IDR0_TTF, "TTF"),
    F(SMMU_IDR0_COHACC, "COHACC"),
    F(SMMU_IDR0_BTM, "BTM"),
    F(SMMU_IDR0_HTTU, "HTTU"),
    F(SMMU_IDR0_HYP, "HYP"),
    F(SMMU_IDR0_ATS, "ATS"),
    F(SMMU_IDR0_ASID16, "ASID16"),
    F(SMMU_IDR0_MSI, "MSI"),
    F(SMMU_IDR0_SEV, "SEV"),
    F(SMMU_IDR0_ATOS, "ATOS"),
    F(SMMU_IDR0_PRI, "PRI"),
    F(SMMU_IDR0_VMID16, "VMID16"),
    F(SMMU_IDR0_CD2L, "CD2L"),
    F(SMMU_IDR0_TTENDIAN, "TTENDIAN"),
    F(SMMU_IDR0_STALL_MODEL, "STALL_MODEL"),
    F(SMMU_IDR0_TERM_MODEL, "TERM_MODEL"),
    F(SMMU_IDR0_ST_LEVEL, "ST_LEVEL"),
    {0, NULL},
};

static const struct sdf f_idr1[] = {
    F(SMMU_IDR1_SIDSIZE, "SIDSIZE"),
    F(SMMU_IDR1_SSIDSIZE, "SSIDSIZE"),
    F(SMMU_IDR1_PRIQS, "PRIQS"),
    F(SMMU_IDR1_EVENTQS, "EVENTQS"),
    F(SMMU_IDR1_CMDQS, "CMDQS"),
    F(SMMU_IDR1_REL, "REL"),
    F(SMMU_IDR1_QUEUES_PRESET, "QUEUES_PRESET"),
    F(SMMU_IDR1_TABLES_PRESET, "TABLES_PRESET"),
    {0, NULL},
};

static const struct sdf f_idr3[] = {
    F(SMMU_IDR3_HAD, "HAD"),   F(SMMU_IDR3_XNX, "XNX"),
    F(SMMU_IDR3_PPS, "PPS"),   F(SMMU_IDR3_FWB, "FWB"),
    F(SMMU_IDR3_STT, "STT"),   F(SMMU_IDR3_RIL, "RIL"),
    F(SMMU_IDR3_BBML, "BBML"), {0, NULL},
};

static const struct sdf f_idr5[] = {
    F(SMMU_IDR5_STALL_MAX, "STALL_MAX"),
    F(SMMU_IDR5_VAX, "VAX"),
    F(SMMU_IDR5_GRAN64K, "GRAN64K"),
    F(SMMU_IDR5_GRAN16K, "GRAN16K"),
    F(SMMU_IDR5_GRAN4K, "GRAN4K"),
    F(SMMU_IDR5_OAS, "OAS"),
    {0, NULL},
};

static const struct sdf f_cr0[] = {
    F(SMMU_CR0_VMW, "VMW"),
    F(SMMU_CR0_ATSCHK, "ATSCHK"),
    F(SMMU_CR0_CMDQEN, "CMDQEN"),
    F(SMMU_CR0_EVENTQEN, "EVENTQEN"),
    F(SMMU_CR0_PRIQEN, "PRIQEN"),
    F(SMMU_CR0_SMMUEN, "SMMUEN"),
    {0, NULL},
};

static const struct sdf f_cr1[] = {
    F(SMMU_CR1_TABLE_SH, "TABLE_SH"),
    F(SMMU_CR1_TABLE_OC, "TABLE_OC"),
    F(SMMU_CR1_TABLE_IC, "TABLE_IC"),
    F(SMMU_CR1_QUEUE_SH, "QUEUE_SH"),
    F(SMMU_CR1_QUEUE_OC, "QUEUE_OC"),
    F(SMMU_CR1_QUEUE_IC, "QUEUE_IC"),
    {0, NULL},
};

static const struct sdf f_cr2[] = {
    F(SMMU_CR2_REC_CFG_ATS, "REC_CFG_ATS"),
    F(SMMU_CR2_PTM, "PTM"),
    F(SMMU_CR2_RECINVSID, "RECINVSID"),
    F(SMMU_CR2_E2H, "E2H"),
    {0, NULL},
};

static const struct sdf f_gbpa[] = {
    F(SMMU_GBPA_UPDATE, "UPDATE"),
    F(SMMU_GBPA_ABORT, "ABORT"),
    F(SMMU_GBPA_INSTCFG, "INSTCFG"),
    F(SMMU_GBPA_PRIVCFG, "PRIVCFG"),
    F(SMMU_GBPA_SHCFG, "SHCFG"),
    F(SMMU_GBPA_ALLOCCFG, "ALLOCCFG"),
    F(SMMU_GBPA_MTCFG, "MTCFG"),
    F(SMMU_GBPA_MEMATTR, "MEMATTR"),
    {0, NULL},
};

static const struct sdf f_irq_ctrl[] = {
    F(SMMU_IRQ_CTRL_EVENTQ_IRQEN, "EVENTQ_IRQEN"),
    F(SMMU_IRQ_CTRL_PRIQ_IRQEN, "PRIQ_IRQEN"),
    F(SMMU_IRQ_CTRL_GERROR_IRQEN, "GERROR_IRQEN"),
    {0, NULL},
};

static const struct sdf f_gerror[] = {
    F(SMMU_GERROR_DPT_ERR, "DPT_ERR"),
    F(SMMU_GERROR_CMDQP_ERR, "CMDQP_ERR"),
    F(SMMU_GERROR_SFM_ERR, "SFM_ERR"),
    F(SMMU_GERROR_MSI_GERROR_ABT_ERR, "MSI_GERROR_ABT_ERR"),
    F(SMMU_GERROR_MSI_PRIQ_ABT_ERR, "MSI_PRIQ_ABT_ERR"),
    F(SMMU_GERROR_MSI_EVENTQ_ABT_ERR, "MSI_EVENTQ_ABT_ERR"),
    F(SMMU_GERROR_MSI_CMDQ_ABT_ERR, "MSI_CMDQ_ABT_ERR"),
    F(SMMU_GERROR_PRIQ_ABT_ERR, "PRIQ_ABT_ERR"),
    F(SMMU_GERROR_EVENTQ_ABT_ERR, "EVENTQ_ABT_ERR"),
    F(SMMU_GERROR_CMDQ_ERR, "CMDQ_ERR"),
    {0, NULL},
};

static const struct sdf f_strtab_base[] = {
    F(SMMU_STRTAB_BASE_RA, "RA"),
    F(SMMU_STRTAB_BASE_ADDR, "ADDR"),
    {0, NULL},
};

static const struct sdf f_strtab_cfg[] = {
    F(SMMU_STRTAB_CFG_FMT, "FMT"),
    F(SMMU_STRTAB_CFG_SPLIT, "SPLIT"),
    F(SMMU_STRTAB_CFG_LOG2SIZE, "LOG2SIZE"),
    {0, NULL},
};

static const struct sdf f_none[] = {{0, NULL}};

static const struct sdf f_cmdq_cons[] = {
    F(SMMU_CMDQ_CONS_ERR, "ERR"),
    {0, NULL},
};

static const struct sdf f_evtq_prod[] = {
    F(SMMU_EVENTQ_PROD_OVFLG, "OVFLG"),
    {0, NULL},
};

static const struct sdf f_evtq_cons[] = {
    F(SMMU_EVENTQ_CONS_OVACKFLG, "OVACKFLG"),
    {0, NULL},
};

static const struct sdf f_q_base[] = {
    F(SMMU_Q_BASE_RA, "RA"),
    F(SMMU_Q_BASE_ADDR, "ADDR"),
    F(SMMU_Q_BASE_LOG2SIZE, "LOG2SIZE"),
    {0, NULL},
};

/* "NAME 0x<value>: FIELD=v ..."; one-bit fields by name when set, ADDR
 * fields as the address they hold. */
static void sd_reg(iommu_print_fn pr, void *c, const char *name, uint64_t v,
		   const struct sdf *f)
{
	pr(c, "  %-15s 0x%016" PRIx64 ":", name, v);
	for (; f->name; f++) {
		const uint64_t x = smmu_field_get(f->mask, v);

		if (!(f->mask & (f->mask - 1))) {
			if (x)
				pr(c, " %s", f->name);
		} else if (!strcmp(f->name, "ADDR")) {
			pr(c, " ADDR=0x%" PRIx64, v & f->mask);
		} else {
			pr(c, " %s=%" PRIu64, f->name, x);
		}
	}
	pr(c, "\n");
}

/* PROD and CONS of a queue of 2^LOG2SIZE entries: index, wrap and the
 * entries between them (smmuv3 3.5: the wrap bit sits just above the
 * index), then the flag bits above (@flags: their names by mask). */
static void sd_queue(iommu_print_fn pr, void *c, const char *name,
		     uint64_t base, uint32_t prod, uint32_t cons,
		     const struct sdf *pflags, const struct sdf *cflags)
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
	sd_reg(pr, c, "PROD", prod, pflags ? pflags : f_none);
	sd_reg(pr, c, "CONS", cons, cflags ? cflags : f_none);
}

static void sd_cache(iommu_print_fn pr, void *c, const char *name,
		     const struct ilib_cache *ca)
{
	pr(c, "  %-6s %" PRIu64 " of %" PRIu64 " entries (%u sets x %u ways)\n",
	   name, ilib_cache_count(ca),
	   (uint64_t)ilib_cache_nsets(ca) * ca->ways, ilib_cache_nsets(ca),
	   ca->ways);
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
	sd_reg(pr, c, "IDR0", hw->idr[0], f_idr0);
	sd_reg(pr, c, "IDR1", hw->idr[1], f_idr1);
	sd_reg(pr, c, "IDR3", hw->idr[3], f_idr3);
	sd_reg(pr, c, "IDR5", hw->idr[5], f_idr5);
	sd_reg(pr, c, "CR0", cr0, f_cr0);
	sd_reg(pr, c, "CR1", cr1, f_cr1);
	sd_reg(pr, c, "CR2", cr2, f_cr2);
	sd_reg(pr, c, "GBPA", gbpa, f_gbpa);
	sd_reg(pr, c, "IRQ_CTRL", irq_ctrl, f_irq_ctrl);
	sd_reg(pr, c, "GERROR", gerror, f_gerror);
	sd_reg(pr, c, "GERRORN", gerrorn, f_gerror);
	pr(c, "  (errors active: GERROR ^ GERRORN = 0x%" PRIx32 ")\n",
	   gerror ^ gerrorn);
	sd_reg(pr, c, "STRTAB_BASE", strtab_base, f_strtab_base);
	sd_reg(pr, c, "STRTAB_BASE_CFG", strtab_cfg, f_strtab_cfg);
	sd_reg(pr, c, "CMDQ_BASE", cmdq_base, f_q_base);
	sd_reg(pr, c, "EVENTQ_BASE", evtq_base, f_q_base);
	pr(c, "queues:\n");
	sd_queue(pr, c, "CMDQ", cmdq_base, cmdq_prod, cmdq_cons, NULL,
		 f_cmdq_cons);
	sd_queue(pr, c, "EVENTQ", evtq_base, evtq_prod, evtq_cons, f_evtq_prod,
		 f_evtq_cons);
	pr(c, "caches:\n");
	sd_cache(pr, c, "config", &hw->cfgc);
	sd_cache(pr, c, "TLB", &hw->tlbc);
	return 0;
}
