// SPDX-License-Identifier: MIT
/*
 * hw_regs.c - the SMMUv3 model's register file (smmuv3 1) on pages 0 and
 * 1: access rules, the control registers and their acknowledgements,
 * GBPA, GERROR/GERRORN, the IRQ_CFG registers, the Stream-table and queue
 * registers; the [smmuv3] keys that build the ID registers;
 * create/destroy and the ops table.  The register decisions (access
 * widths, RAZ/WI, when a register takes writes) are in hw.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hw.h"

/* GERROR bits this SMMU can activate (no PRI, ECMDQ or DPT). */
#define HW_GERROR_MASK                                                         \
	((uint32_t)(SMMU_GERROR_CMDQ_ERR | SMMU_GERROR_EVENTQ_ABT_ERR |        \
		    SMMU_GERROR_MSI_CMDQ_ABT_ERR |                             \
		    SMMU_GERROR_MSI_EVENTQ_ABT_ERR |                           \
		    SMMU_GERROR_MSI_GERROR_ABT_ERR | SMMU_GERROR_SFM_ERR))

#define HW_STRTAB_CFG_MASK                                                     \
	((uint32_t)(SMMU_STRTAB_CFG_LOG2SIZE | SMMU_STRTAB_CFG_SPLIT |         \
		    SMMU_STRTAB_CFG_FMT))
#define HW_Q_BASE_MASK                                                         \
	(SMMU_Q_BASE_LOG2SIZE | SMMU_Q_BASE_ADDR | SMMU_Q_BASE_RA)

/* ---- translate()'s view of the registers -------------------------------- */

/*
 * Publish what translate() reads (hw.h: a seqlock of atomic words).
 * Context: reg_lock held (the only writer).
 */
static void hw_publish(struct smmu_hw *hw)
{
	uint64_t ctrl = (uint64_t)hw->strtab_cfg << 32;

	if (hw->cr0 & SMMU_CR0_SMMUEN)
		ctrl |= HW_LIVE_SMMUEN;
	if (hw->gbpa & SMMU_GBPA_ABORT)
		ctrl |= HW_LIVE_ABORT;
	if (hw->cr2 & SMMU_CR2_RECINVSID)
		ctrl |= HW_LIVE_RECINVSID;
	if (hw->cr2 & SMMU_CR2_E2H)
		ctrl |= HW_LIVE_E2H;
	if (hw->cr0 & SMMU_CR0_ATSCHK)
		ctrl |= HW_LIVE_ATSCHK;
	__atomic_store_n(&hw->live.seq,
			 __atomic_load_n(&hw->live.seq, __ATOMIC_RELAXED) + 1,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&hw->live.ctrl, ctrl, __ATOMIC_RELEASE);
	__atomic_store_n(&hw->live.strtab,
			 hw->strtab_base & SMMU_STRTAB_BASE_ADDR,
			 __ATOMIC_RELEASE);
	__atomic_store_n(&hw->live.seq,
			 __atomic_load_n(&hw->live.seq, __ATOMIC_RELAXED) + 1,
			 __ATOMIC_RELEASE);
}

/**
 * smmu_hw_live() - the registers translate() needs, consistently
 * @hw: model
 * @strtab: receives the Stream table base
 *
 * Context: lock-free; retries while a register write publishes.
 * Return: the HW_LIVE_* word.
 */
uint64_t smmu_hw_live(struct smmu_hw *hw, uint64_t *strtab)
{
	for (;;) {
		unsigned int s =
		    __atomic_load_n(&hw->live.seq, __ATOMIC_ACQUIRE);
		uint64_t ctrl, base;

		if (s & 1)
			continue;
		ctrl = __atomic_load_n(&hw->live.ctrl, __ATOMIC_ACQUIRE);
		base = __atomic_load_n(&hw->live.strtab, __ATOMIC_ACQUIRE);
		if (__atomic_load_n(&hw->live.seq, __ATOMIC_RELAXED) == s) {
			*strtab = base;
			return ctrl;
		}
	}
}

/* ---- Registers ---------------------------------------------------------- */

enum hw_reg_kind { HW_REG_RSVD = 0, HW_REG_32 = 4, HW_REG_64 = 8 };

/* Width of the register at 4-aligned @off (inside the window). */
static enum hw_reg_kind hw_reg_kind(uint64_t off)
{
	switch (off & ~7ull) {
	case SMMU_GERROR_IRQ_CFG0:
	case SMMU_STRTAB_BASE:
	case SMMU_CMDQ_BASE:
	case SMMU_EVENTQ_BASE:
	case SMMU_EVENTQ_IRQ_CFG0:
		return HW_REG_64;
	}
	switch (off) {
	case SMMU_IDR0:
	case SMMU_IDR1:
	case SMMU_IDR2:
	case SMMU_IDR3:
	case SMMU_IDR4:
	case SMMU_IDR5:
	case SMMU_IIDR:
	case SMMU_AIDR:
	case SMMU_CR0:
	case SMMU_CR0ACK:
	case SMMU_CR1:
	case SMMU_CR2:
	case SMMU_STATUSR:
	case SMMU_GBPA:
	case SMMU_AGBPA:
	case SMMU_IRQ_CTRL:
	case SMMU_IRQ_CTRLACK:
	case SMMU_GERROR:
	case SMMU_GERRORN:
	case SMMU_GERROR_IRQ_CFG1:
	case SMMU_GERROR_IRQ_CFG2:
	case SMMU_STRTAB_BASE_CFG:
	case SMMU_CMDQ_PROD:
	case SMMU_CMDQ_CONS:
	case SMMU_EVENTQ_IRQ_CFG1:
	case SMMU_EVENTQ_IRQ_CFG2:
	case SMMU_EVENTQ_PROD:
	case SMMU_EVENTQ_CONS:
		return HW_REG_32;
	}
	return HW_REG_RSVD;
}

static uint64_t hw_read64(struct smmu_hw *hw, uint64_t off)
{
	switch (off) {
	case SMMU_GERROR_IRQ_CFG0:
		return hw->gerror_cfg0;
	case SMMU_STRTAB_BASE:
		return hw->strtab_base;
	case SMMU_CMDQ_BASE:
		return hw->cmdq_base;
	case SMMU_EVENTQ_BASE:
		return hw->evtq_base;
	case SMMU_EVENTQ_IRQ_CFG0:
		return hw->evtq_cfg0;
	default:
		return 0;
	}
}

static uint32_t hw_read32(struct smmu_hw *hw, uint64_t off)
{
	switch (off) {
	case SMMU_IDR0:
	case SMMU_IDR1:
	case SMMU_IDR2:
	case SMMU_IDR3:
	case SMMU_IDR4:
	case SMMU_IDR5:
		return hw->idr[off / 4];
	case SMMU_IIDR:
		return HW_IIDR;
	case SMMU_AIDR:
		return HW_AIDR;
	case SMMU_CR0:
	case SMMU_CR0ACK: /* every change takes effect at once */
		return hw->cr0;
	case SMMU_CR1:
		return hw->cr1;
	case SMMU_CR2:
		return hw->cr2;
	case SMMU_GBPA:
		return hw->gbpa; /* Update is never pending */
	case SMMU_IRQ_CTRL:
	case SMMU_IRQ_CTRLACK:
		return hw->irq_ctrl;
	case SMMU_GERROR:
		return hw->gerror;
	case SMMU_GERRORN:
		return hw->gerrorn;
	case SMMU_GERROR_IRQ_CFG1:
		return hw->gerror_cfg1;
	case SMMU_GERROR_IRQ_CFG2:
		return hw->gerror_cfg2;
	case SMMU_STRTAB_BASE_CFG:
		return hw->strtab_cfg;
	case SMMU_CMDQ_PROD:
		return hw->cmdq_prod;
	case SMMU_CMDQ_CONS:
		return hw->cmdq_cons;
	case SMMU_EVENTQ_IRQ_CFG1:
		return hw->evtq_cfg1;
	case SMMU_EVENTQ_IRQ_CFG2:
		return hw->evtq_cfg2;
	case SMMU_EVENTQ_PROD:
		return hw->evtq_prod;
	case SMMU_EVENTQ_CONS:
		return hw->evtq_cons;
	default:
		return 0; /* STATUSR, AGBPA */
	}
}

/* Merge @val under @mask into @reg, keeping only the bits in @keep. */
static uint64_t hw_merge(uint64_t reg, uint64_t val, uint64_t mask,
			 uint64_t keep)
{
	return ((reg & ~mask) | (val & mask)) & keep;
}

static void hw_write64(struct smmu_hw *hw, uint64_t off, uint64_t val,
		       uint64_t mask)
{
	const uint64_t cfg0 = hw->msi ? SMMU_IRQ_CFG0_ADDR : 0;

	switch (off) {
	case SMMU_GERROR_IRQ_CFG0:
		hw->gerror_cfg0 = hw_merge(hw->gerror_cfg0, val, mask, cfg0);
		return;
	case SMMU_EVENTQ_IRQ_CFG0:
		hw->evtq_cfg0 = hw_merge(hw->evtq_cfg0, val, mask, cfg0);
		return;
	case SMMU_STRTAB_BASE:
		if (hw->cr0 & SMMU_CR0_SMMUEN)
			return;
		hw->strtab_base =
		    hw_merge(hw->strtab_base, val, mask,
			     SMMU_STRTAB_BASE_ADDR | SMMU_STRTAB_BASE_RA);
		hw_publish(hw);
		return;
	case SMMU_CMDQ_BASE:
		if (hw->cr0 & SMMU_CR0_CMDQEN)
			return;
		hw->cmdq_base =
		    hw_merge(hw->cmdq_base, val, mask, HW_Q_BASE_MASK);
		return;
	case SMMU_EVENTQ_BASE:
		if (hw->cr0 & SMMU_CR0_EVENTQEN)
			return;
		hw->evtq_base =
		    hw_merge(hw->evtq_base, val, mask, HW_Q_BASE_MASK);
		return;
	default:
		return;
	}
}

/* CR0: enables acknowledged at once; a new CMDQEN consumes the queue. */
static void hw_write_cr0(struct smmu_hw *hw, uint32_t val, struct hw_irqs *irq)
{
	uint32_t keep =
	    (uint32_t)(SMMU_CR0_SMMUEN | SMMU_CR0_EVENTQEN | SMMU_CR0_CMDQEN |
		       (hw->ats ? SMMU_CR0_ATSCHK : 0));
	uint32_t old = hw->cr0;

	hw->cr0 = val & keep;
	/* SMMUEN changing: the walk cache goes (more than the architecture
	 * asks, which a cache may always do; hw.h). */
	if ((hw->cr0 ^ old) & SMMU_CR0_SMMUEN)
		ilib_walk_cache_flush(&hw->walkc);
	hw_publish(hw);
	if ((hw->cr0 & ~old) & SMMU_CR0_CMDQEN)
		smmu_hw_cmdq_run(hw, irq);
}

static void hw_write32(struct smmu_hw *hw, uint64_t off, uint32_t val,
		       struct hw_irqs *irq)
{
	const uint32_t cfg2 =
	    hw->msi ? (uint32_t)(SMMU_IRQ_CFG2_MEMATTR | SMMU_IRQ_CFG2_SH) : 0;
	uint32_t acked;

	switch (off) {
	case SMMU_CR0:
		hw_write_cr0(hw, val, irq);
		return;
	case SMMU_CR1:
		hw->cr1 = val & (uint32_t)SMMU_GENMASK(11, 0);
		return;
	case SMMU_CR2:
		hw->cr2 = val & (uint32_t)((hw->hyp ? SMMU_CR2_E2H : 0) |
					   SMMU_CR2_RECINVSID | SMMU_CR2_PTM);
		hw_publish(hw);
		return;
	case SMMU_GBPA:
		if (!(val & SMMU_GBPA_UPDATE))
			return; /* hw.h: only an update changes GBPA */
		hw->gbpa =
		    val & (uint32_t)(SMMU_GBPA_MEMATTR | SMMU_GBPA_MTCFG |
				     SMMU_GBPA_ALLOCCFG | SMMU_GBPA_SHCFG |
				     SMMU_GBPA_PRIVCFG | SMMU_GBPA_INSTCFG |
				     SMMU_GBPA_ABORT);
		hw_publish(hw);
		return;
	case SMMU_IRQ_CTRL:
		hw->irq_ctrl = val & (uint32_t)(SMMU_IRQ_CTRL_GERROR_IRQEN |
						SMMU_IRQ_CTRL_EVENTQ_IRQEN);
		return;
	case SMMU_GERRORN:
		acked = ~(val ^ hw->gerror) & (hw->gerror ^ hw->gerrorn);
		hw->gerrorn = val & HW_GERROR_MASK;
		if (acked & SMMU_GERROR_CMDQ_ERR) {
			hw->cmdq_cons &= ~(uint32_t)SMMU_CMDQ_CONS_ERR;
			smmu_hw_cmdq_run(hw, irq);
		}
		return;
	case SMMU_GERROR_IRQ_CFG1:
		hw->gerror_cfg1 = hw->msi ? val : 0;
		return;
	case SMMU_GERROR_IRQ_CFG2:
		hw->gerror_cfg2 = val & cfg2;
		return;
	case SMMU_STRTAB_BASE_CFG:
		if (hw->cr0 & SMMU_CR0_SMMUEN)
			return;
		hw->strtab_cfg = val & HW_STRTAB_CFG_MASK;
		hw_publish(hw);
		return;
	case SMMU_CMDQ_PROD:
		hw->cmdq_prod =
		    hw_q_pos(val, hw_q_lg2(hw->cmdq_base, hw->cmdqs));
		smmu_hw_cmdq_run(hw, irq);
		return;
	case SMMU_CMDQ_CONS:
		if (hw->cr0 & SMMU_CR0_CMDQEN)
			return;
		hw->cmdq_cons =
		    hw_q_pos(val, hw_q_lg2(hw->cmdq_base, hw->cmdqs));
		return;
	case SMMU_EVENTQ_IRQ_CFG1:
		hw->evtq_cfg1 = hw->msi ? val : 0;
		return;
	case SMMU_EVENTQ_IRQ_CFG2:
		hw->evtq_cfg2 = val & cfg2;
		return;
	case SMMU_EVENTQ_PROD:
		if (hw->cr0 & SMMU_CR0_EVENTQEN)
			return;
		hw->evtq_prod =
		    hw_q_pos(val, hw_q_lg2(hw->evtq_base, hw->evtqs)) |
		    (val & (uint32_t)SMMU_EVENTQ_PROD_OVFLG);
		return;
	case SMMU_EVENTQ_CONS:
		hw->evtq_cons =
		    hw_q_pos(val, hw_q_lg2(hw->evtq_base, hw->evtqs)) |
		    (val & (uint32_t)SMMU_EVENTQ_CONS_OVACKFLG);
		return;
	default:
		return; /* read-only or RAZ/WI */
	}
}

/* Size and alignment rules (hw.h). */
static int hw_access_ok(uint64_t off, unsigned int size, enum hw_reg_kind *kind)
{
	if (size != 4 && size != 8)
		return -EINVAL;
	if ((off & (size - 1)) || off >= SMMU_REG_WINDOW)
		return -EINVAL;
	*kind = hw_reg_kind(off);
	if (size == 8 && *kind != HW_REG_64)
		*kind = HW_REG_RSVD; /* RAZ/WI */
	return 0;
}

/**
 * smmu_hw_mmio_read() - read a register
 * Context: takes reg_lock.
 * Return: 0; -EINVAL bad size, misaligned or beyond the 128 KiB window.
 */
static int smmu_hw_mmio_read(void *opaque, uint64_t offset, unsigned int size,
			     uint64_t *val)
{
	struct smmu_hw *hw = opaque;
	enum hw_reg_kind kind;
	int ret;

	if (!hw || !val)
		return -EINVAL;
	ret = hw_access_ok(offset, size, &kind);
	if (ret)
		return ret;
	pthread_mutex_lock(&hw->reg_lock);
	if (kind == HW_REG_32)
		*val = hw_read32(hw, offset);
	else if (kind == HW_REG_64)
		*val = ilib_reg64_read_part(hw_read64(hw, offset & ~7ull),
					    offset, size);
	else
		*val = 0;
	pthread_mutex_unlock(&hw->reg_lock);
	return 0;
}

/**
 * smmu_hw_mmio_write() - write a register; may run the command queue
 * Context: takes reg_lock (and cache set locks); raises wired interrupts
 * after dropping it.
 * Return: 0; -EINVAL as for mmio_read.
 */
static int smmu_hw_mmio_write(void *opaque, uint64_t offset, unsigned int size,
			      uint64_t val)
{
	struct smmu_hw *hw = opaque;
	struct hw_irqs irq = {0};
	enum hw_reg_kind kind;
	int ret;

	if (!hw)
		return -EINVAL;
	ret = hw_access_ok(offset, size, &kind);
	if (ret)
		return ret;
	pthread_mutex_lock(&hw->reg_lock);
	if (kind == HW_REG_32) {
		hw_write32(hw, offset, (uint32_t)val, &irq);
	} else if (kind == HW_REG_64) {
		uint64_t v, mask;

		ilib_reg64_write_part(offset, size, val, &v, &mask);
		hw_write64(hw, offset & ~7ull, v, mask);
	}
	pthread_mutex_unlock(&hw->reg_lock);
	smmu_hw_raise(hw, &irq);
	return 0;
}

/* ---- Endpoints: the Stream table finds devices by StreamID ------------- */

static int smmu_hw_endpoint_add(void *opaque, uint32_t dev_id)
{
	struct smmu_hw *hw = opaque;

	if (!hw)
		return -EINVAL;
	if (hw->sidsize < 32 && (dev_id >> hw->sidsize)) {
		hw_log(hw, IOMMU_LOG_ERR,
		       "smmuv3: StreamID 0x%x does not fit IDR1.SIDSIZE = %u",
		       dev_id, hw->sidsize);
		return -EINVAL;
	}
	return 0;
}

static void smmu_hw_endpoint_remove(void *opaque, uint32_t dev_id)
{
	(void)opaque;
	(void)dev_id;
}

/* ---- Life cycle -----------------------------------------------------------
 */

/* Check the SMMU_P_HW_* keys and build the ID registers. */
static int hw_load_params(struct smmu_hw *hw, const uint64_t *p)
{
	struct iommu_host *host = hw->host;
	static const struct {
		enum smmu_param key;
		const char *name;
	} bools[] = {
	    {SMMU_P_HW_STAGE1, "stage1"},
	    {SMMU_P_HW_STAGE2, "stage2"},
	    {SMMU_P_HW_GRAN_4K, "granule_4k"},
	    {SMMU_P_HW_GRAN_16K, "granule_16k"},
	    {SMMU_P_HW_GRAN_64K, "granule_64k"},
	    {SMMU_P_HW_DS, "ds"},
	    {SMMU_P_HW_ST_2LVL, "stream_table_2level"},
	    {SMMU_P_HW_CD_2LVL, "cd_table_2level"},
	    {SMMU_P_HW_RIL, "range_invalidation"},
	    {SMMU_P_HW_ASID16, "asid16"},
	    {SMMU_P_HW_VMID16, "vmid16"},
	    {SMMU_P_HW_MSI, "msi"},
	    {SMMU_P_HW_ATS, "ats"},
	    {SMMU_P_HW_HYP, "hyp"},
	};
	unsigned int oas_code = 8;

	for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++)
		if (p[bools[i].key] > 1)
			return ilib_bad_param(host, "smmuv3", bools[i].name,
					      p[bools[i].key], "not 0 or 1");
	for (unsigned int c = 0; c < 7; c++)
		if (smmu_oas_bits(c) == p[SMMU_P_HW_OAS])
			oas_code = c;
	if (oas_code == 8)
		return ilib_bad_param(host, "smmuv3", "oas", p[SMMU_P_HW_OAS],
				      "not 32, 36, 40, 42, 44, 48 or 52");
	if (p[SMMU_P_HW_SID_BITS] > SMMU_SIDSIZE_MAX)
		return ilib_bad_param(host, "smmuv3", "sid_bits",
				      p[SMMU_P_HW_SID_BITS], "more than 32");
	if (p[SMMU_P_HW_SSID_BITS] > SMMU_SSIDSIZE_MAX)
		return ilib_bad_param(host, "smmuv3", "ssid_bits",
				      p[SMMU_P_HW_SSID_BITS], "more than 20");
	if (p[SMMU_P_HW_CMDQ_BITS] > SMMU_QUEUE_LG2_MAX)
		return ilib_bad_param(host, "smmuv3", "cmdq_bits",
				      p[SMMU_P_HW_CMDQ_BITS], "more than 19");
	if (p[SMMU_P_HW_EVTQ_BITS] > SMMU_QUEUE_LG2_MAX)
		return ilib_bad_param(host, "smmuv3", "eventq_bits",
				      p[SMMU_P_HW_EVTQ_BITS], "more than 19");
	if (p[SMMU_P_HW_HTTU] > SMMU_P_HTTU_AF_DIRTY)
		return ilib_bad_param(host, "smmuv3", "httu", p[SMMU_P_HW_HTTU],
				      "not a choice");
	if (!p[SMMU_P_HW_STAGE1] && !p[SMMU_P_HW_STAGE2])
		return ilib_bad_param(host, "smmuv3", "stage2", 0,
				      "neither stage 1 nor stage 2");
	if (!p[SMMU_P_HW_GRAN_4K] && !p[SMMU_P_HW_GRAN_16K] &&
	    !p[SMMU_P_HW_GRAN_64K])
		return ilib_bad_param(host, "smmuv3", "granule_64k", 0,
				      "no granule at all");
	/* smmuv3 1.5: a 52-bit OAS needs GRAN64K or DS. */
	if (oas_code == SMMU_OAS_52 && !p[SMMU_P_HW_GRAN_64K] &&
	    !p[SMMU_P_HW_DS])
		return ilib_bad_param(host, "smmuv3", "granule_64k", 0,
				      "oas = 52 needs the 64 KiB granule "
				      "or ds");
	/* smmuv3 1.2: SIDSIZE >= 7 needs ST_LEVEL != 0. */
	if (p[SMMU_P_HW_SID_BITS] >= 7 && !p[SMMU_P_HW_ST_2LVL])
		return ilib_bad_param(host, "smmuv3", "stream_table_2level", 0,
				      "sid_bits >= 7 needs 2-level tables");
	if (!p[SMMU_P_HW_CFG_CACHE] || p[SMMU_P_HW_CFG_CACHE] > 65536)
		return ilib_bad_param(host, "smmuv3", "config_cache_entries",
				      p[SMMU_P_HW_CFG_CACHE],
				      "not in [1, 65536]");
	if (!p[SMMU_P_HW_TLB_SETS] || p[SMMU_P_HW_TLB_SETS] > 65536)
		return ilib_bad_param(host, "smmuv3", "tlb_sets",
				      p[SMMU_P_HW_TLB_SETS],
				      "not in [1, 65536]");
	if (!p[SMMU_P_HW_TLB_WAYS] || p[SMMU_P_HW_TLB_WAYS] > 64)
		return ilib_bad_param(host, "smmuv3", "tlb_ways",
				      p[SMMU_P_HW_TLB_WAYS], "not in [1, 64]");

	hw->s1p = p[SMMU_P_HW_STAGE1];
	hw->s2p = p[SMMU_P_HW_STAGE2];
	hw->hyp = hw->s1p && hw->s2p && p[SMMU_P_HW_HYP];
	hw->ats = p[SMMU_P_HW_ATS];
	hw->msi = p[SMMU_P_HW_MSI];
	hw->ril = p[SMMU_P_HW_RIL];
	hw->asid16 = hw->s1p && p[SMMU_P_HW_ASID16];
	hw->vmid16 = hw->s2p && p[SMMU_P_HW_VMID16];
	hw->cd2l = hw->s1p && p[SMMU_P_HW_CD_2LVL];
	hw->st2l = p[SMMU_P_HW_ST_2LVL];
	hw->httu = (unsigned int)p[SMMU_P_HW_HTTU];
	hw->sidsize = (unsigned int)p[SMMU_P_HW_SID_BITS];
	hw->ssidsize = hw->s1p ? (unsigned int)p[SMMU_P_HW_SSID_BITS] : 0;
	hw->oas = smmu_oas_bits(oas_code);
	hw->cmdqs = (unsigned int)p[SMMU_P_HW_CMDQ_BITS];
	hw->evtqs = (unsigned int)p[SMMU_P_HW_EVTQ_BITS];
	hw->ds = hw->s1p && p[SMMU_P_HW_DS];
	hw->grans = (uint8_t)((p[SMMU_P_HW_GRAN_4K] ? 1 : 0) |
			      (p[SMMU_P_HW_GRAN_16K] ? 2 : 0) |
			      (p[SMMU_P_HW_GRAN_64K] ? 4 : 0));

	hw->idr[0] =
	    (uint32_t)((hw->s2p ? SMMU_IDR0_S2P : 0) |
		       (hw->s1p ? SMMU_IDR0_S1P : 0) |
		       smmu_field_prep(SMMU_IDR0_TTF, SMMU_TTF_AARCH64) |
		       SMMU_IDR0_COHACC |
		       smmu_field_prep(SMMU_IDR0_HTTU, hw->httu) |
		       (hw->hyp ? SMMU_IDR0_HYP : 0) |
		       (hw->ats ? SMMU_IDR0_ATS | SMMU_IDR0_NS1ATS : 0) |
		       (hw->asid16 ? SMMU_IDR0_ASID16 : 0) |
		       (hw->msi ? SMMU_IDR0_MSI : 0) |
		       (hw->vmid16 ? SMMU_IDR0_VMID16 : 0) |
		       (hw->cd2l ? SMMU_IDR0_CD2L : 0) |
		       smmu_field_prep(SMMU_IDR0_TTENDIAN, SMMU_TTENDIAN_LE) |
		       smmu_field_prep(SMMU_IDR0_STALL_MODEL,
				       SMMU_STALL_MODEL_TERM) |
		       SMMU_IDR0_TERM_MODEL |
		       smmu_field_prep(SMMU_IDR0_ST_LEVEL,
				       hw->st2l ? SMMU_ST_LEVEL_2LVL
						: SMMU_ST_LEVEL_LINEAR));
	hw->idr[1] =
	    (uint32_t)(smmu_field_prep(SMMU_IDR1_SIDSIZE, hw->sidsize) |
		       smmu_field_prep(SMMU_IDR1_SSIDSIZE, hw->ssidsize) |
		       smmu_field_prep(SMMU_IDR1_EVENTQS, hw->evtqs) |
		       smmu_field_prep(SMMU_IDR1_CMDQS, hw->cmdqs) |
		       SMMU_IDR1_ATTR_PERMS_OVR | SMMU_IDR1_ATTR_TYPES_OVR);
	hw->idr[3] = (uint32_t)((hw->s1p ? SMMU_IDR3_HAD : 0) |
				(hw->ril ? SMMU_IDR3_RIL : 0));
	hw->idr[5] = (uint32_t)(smmu_field_prep(SMMU_IDR5_OAS, oas_code) |
				((hw->grans & 1) ? SMMU_IDR5_GRAN4K : 0) |
				((hw->grans & 2) ? SMMU_IDR5_GRAN16K : 0) |
				((hw->grans & 4) ? SMMU_IDR5_GRAN64K : 0) |
				(hw->ds ? SMMU_IDR5_DS : 0));
	return 0;
}

static void smmu_hw_destroy(void *opaque)
{
	struct smmu_hw *hw = opaque;

	if (!hw)
		return;
	smmu_hw_caches_fini(hw);
	pthread_mutex_destroy(&hw->reg_lock);
	free(hw);
}

/* The last instance's smmu_hw.uid (atomic). */
static uint64_t hw_uid_next;

/**
 * smmu_hw_create() - make an SMMU in its reset state
 * @host: the model's services (ilib_model_host_ok)
 * @params: the [smmuv3] values, indexed by enum smmu_param
 * @out: the instance
 *
 * Return: 0; -EINVAL bad argument or parameter (logged with its key);
 * -ENOMEM.
 */
static int smmu_hw_create(struct iommu_host *host, const uint64_t *params,
			  void **out)
{
	struct smmu_hw *hw;
	int ret;

	if (!ilib_model_host_ok(host) || !params || !out)
		return -EINVAL;
	hw = calloc(1, sizeof(*hw));
	if (!hw)
		return -ENOMEM;
	hw->host = host;
	hw->uid = __atomic_add_fetch(&hw_uid_next, 1, __ATOMIC_RELAXED);
	ret = hw_load_params(hw, params);
	if (ret)
		goto err_free;
	ret = -ENOMEM;
	if (pthread_mutex_init(&hw->reg_lock, NULL))
		goto err_free;
	if (smmu_hw_caches_init(hw, params))
		goto err_lock;
	hw->gbpa = HW_GBPA_RESET;
	pthread_mutex_lock(&hw->reg_lock);
	hw_publish(hw);
	pthread_mutex_unlock(&hw->reg_lock);
	*out = hw;
	return 0;

err_lock:
	pthread_mutex_destroy(&hw->reg_lock);
err_free:
	free(hw);
	return ret;
}

const struct iommu_hw_ops smmu_hw_ops = {
    .size = IOMMU_TABLE_SIZE(iommu_hw_ops),
    .create = smmu_hw_create,
    .destroy = smmu_hw_destroy,
    .mmio_read = smmu_hw_mmio_read,
    .mmio_write = smmu_hw_mmio_write,
    .translate = smmu_hw_translate,
    .endpoint_add = smmu_hw_endpoint_add,
    .endpoint_remove = smmu_hw_endpoint_remove,
    .notify = NULL,
    .dump = smmu_hw_dump,
};
