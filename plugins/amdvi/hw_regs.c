// SPDX-License-Identifier: MIT
/*
 * hw_regs.c - the AMD-Vi register file (amdvi 1), create/destroy and the
 * model's ops table.
 *
 * Access rules: the window is 16 KiB; accesses are 4 or 8 bytes,
 * naturally aligned (else -EINVAL).  64-bit registers take 8-byte or
 * 4-byte (either half) accesses; the MSI registers (0x15C, 0x160, 0x164)
 * take 4-byte accesses only.  Offsets the model does not implement read
 * 0 and ignore writes.  EFR, EFR2 and the Status run bits are read-only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hw.h"
#include "pt_quick.h"

/* Registers the model keeps (64-bit, at 8-byte aligned offsets). */
static uint64_t *hw_reg64(struct amdvi_hw *hw, uint64_t off)
{
	switch (off) {
	case AMDVI_MMIO_DEVTAB_BASE:
		return &hw->dtb;
	case AMDVI_MMIO_CMD_BASE:
		return &hw->cmd_base;
	case AMDVI_MMIO_EVT_BASE:
		return &hw->evt_base;
	case AMDVI_MMIO_CONTROL:
		return &hw->ctrl;
	case AMDVI_MMIO_EXCL_BASE:
		return &hw->excl_base;
	case AMDVI_MMIO_EXCL_LIMIT:
		return &hw->excl_limit;
	case AMDVI_MMIO_EFR:
		return &hw->efr;
	case AMDVI_MMIO_PPR_BASE:
		return &hw->ppr_base;
	case AMDVI_MMIO_GA_LOG_BASE:
		return &hw->ga_base;
	case AMDVI_MMIO_GA_LOG_TAIL:
		return &hw->ga_tail;
	case AMDVI_MMIO_EFR2:
		return &hw->efr2;
	case AMDVI_MMIO_CMD_HEAD:
		return &hw->cmd_head;
	case AMDVI_MMIO_CMD_TAIL:
		return &hw->cmd_tail;
	case AMDVI_MMIO_EVT_HEAD:
		return &hw->evt_head;
	case AMDVI_MMIO_EVT_TAIL:
		return &hw->evt_tail;
	case AMDVI_MMIO_STATUS:
		return &hw->status;
	case AMDVI_MMIO_PPR_HEAD:
		return &hw->ppr_head;
	case AMDVI_MMIO_PPR_TAIL:
		return &hw->ppr_tail;
	case AMDVI_MMIO_GA_HEAD:
		return &hw->ga_head;
	case AMDVI_MMIO_GA_TAIL:
		return &hw->ga_tail_ptr;
	default:
		return NULL;
	}
}

static uint32_t *hw_reg32(struct amdvi_hw *hw, uint64_t off)
{
	switch (off) {
	case AMDVI_MMIO_MSI_ADDR_LO:
		return &hw->msi_lo;
	case AMDVI_MMIO_MSI_ADDR_HI:
		return &hw->msi_hi;
	case AMDVI_MMIO_MSI_DATA:
		return &hw->msi_data;
	default:
		return NULL;
	}
}

/* Value of a 64-bit register as software reads it.  Context: reg_lock. */
static uint64_t hw_read64(struct amdvi_hw *hw, uint64_t off, uint64_t *reg)
{
	uint64_t v = hw_ld(reg);

	switch (off) {
	case AMDVI_MMIO_STATUS:
		v &= AMDVI_STS_RW1C;
		if (amdvi_hw_evt_running(hw))
			v |= AMDVI_STS_EVT_LOG_RUN;
		if (amdvi_hw_cmd_running(hw))
			v |= AMDVI_STS_CMD_BUF_RUN;
		break;
	case AMDVI_MMIO_EXCL_LIMIT:
		v |= 0xfff; /* 1.1: low 12 bits read as ones */
		break;
	default:
		break;
	}
	return v;
}

/* Bits software may write in each register (1.1-1.4). */
static uint64_t hw_wmask(const struct amdvi_hw *hw, uint64_t off)
{
	switch (off) {
	case AMDVI_MMIO_DEVTAB_BASE:
		return AMDVI_DEVTAB_BASE | AMDVI_DEVTAB_SIZE;
	case AMDVI_MMIO_CMD_BASE:
	case AMDVI_MMIO_EVT_BASE:
	case AMDVI_MMIO_PPR_BASE:
		return AMDVI_RING_BASE | AMDVI_RING_LEN;
	case AMDVI_MMIO_CONTROL:
		return ~((hw->efr & AMDVI_EFR_GT_SUP ? 0 : AMDVI_CTRL_GT_EN) |
			 (hw->efr & AMDVI_EFR_PPR_SUP
			      ? 0
			      : AMDVI_CTRL_PPR_EN | AMDVI_CTRL_PPR_LOG_EN |
				    AMDVI_CTRL_PPR_INT_EN) |
			 (hw->efr & AMDVI_EFR_GA_SUP ? 0 : AMDVI_CTRL_GA_EN) |
			 (hw->efr & AMDVI_EFR_XT_SUP
			      ? 0
			      : AMDVI_CTRL_XT_EN | AMDVI_CTRL_INTCAP_XT_EN));
	case AMDVI_MMIO_EXCL_BASE:
		return AMDVI_EXCL_ADDR | AMDVI_EXCL_EN | AMDVI_EXCL_ALLOW;
	case AMDVI_MMIO_EXCL_LIMIT:
		return AMDVI_EXCL_ADDR;
	case AMDVI_MMIO_CMD_HEAD:
	case AMDVI_MMIO_CMD_TAIL:
	case AMDVI_MMIO_EVT_HEAD:
	case AMDVI_MMIO_EVT_TAIL:
	case AMDVI_MMIO_PPR_HEAD:
	case AMDVI_MMIO_PPR_TAIL:
	case AMDVI_MMIO_GA_HEAD:
	case AMDVI_MMIO_GA_TAIL:
		return AMDVI_RING_PTR;
	case AMDVI_MMIO_GA_LOG_BASE:
	case AMDVI_MMIO_GA_LOG_TAIL:
		return AMDVI_GENMASK(63, 3);
	default: /* EFR, EFR2: read-only; Status handled apart */
		return 0;
	}
}

/*
 * hw_write64() - the effect of writing @v into register @off
 * Context: reg_lock held; @irq collects interrupts.
 */
static void hw_write64(struct amdvi_hw *hw, uint64_t off, uint64_t *reg,
		       uint64_t v, struct hw_irqs *irq)
{
	const uint64_t old = hw_ld(reg);
	uint64_t nv;

	if (off == AMDVI_MMIO_STATUS) {
		hw->status &= ~(v & AMDVI_STS_RW1C);
		return;
	}
	nv = (old & ~hw_wmask(hw, off)) | (v & hw_wmask(hw, off));
	hw_st(reg, nv);
	/* hw.h short_off: ExEn, as stored. */
	if (off == AMDVI_MMIO_EXCL_BASE && (nv & AMDVI_EXCL_EN))
		__atomic_fetch_or(&hw->short_off, HW_SHORT_EXCL,
				  __ATOMIC_SEQ_CST);
	else if (off == AMDVI_MMIO_EXCL_BASE)
		__atomic_fetch_and(&hw->short_off, ~HW_SHORT_EXCL,
				   __ATOMIC_SEQ_CST);
	/* The memos keep neither value: a new number voids them. */
	if ((off == AMDVI_MMIO_DEVTAB_BASE || off == AMDVI_MMIO_CONTROL) &&
	    nv != old)
		amdvi_hw_uid_redraw(hw);
	/* After the store: a walk that saw the old value read the PDE
	 * cache's generation before this flush, and fills nothing. */
	if ((off == AMDVI_MMIO_DEVTAB_BASE && nv != old) ||
	    (off == AMDVI_MMIO_CONTROL &&
	     ((old ^ nv) & (AMDVI_CTRL_IOMMU_EN | AMDVI_CTRL_GT_EN |
			    AMDVI_CTRL_HAD_UPDATE))))
		amdvi_hw_walk_flush(hw);
	if (off == AMDVI_MMIO_CONTROL) {
		/* Restart rules of hw.h: EventLogEn 0 -> 1 restarts logging
		 * after an overflow, CmdBufEn 0 -> 1 a halted buffer. */
		if (!(old & AMDVI_CTRL_EVT_LOG_EN) &&
		    (nv & AMDVI_CTRL_EVT_LOG_EN))
			hw->evt_stopped = false;
		if (!(old & AMDVI_CTRL_CMD_BUF_EN) &&
		    (nv & AMDVI_CTRL_CMD_BUF_EN))
			hw->cmd_halted = false;
	}
	switch (off) {
	case AMDVI_MMIO_CONTROL:
	case AMDVI_MMIO_CMD_BASE:
	case AMDVI_MMIO_CMD_HEAD:
	case AMDVI_MMIO_CMD_TAIL:
		amdvi_hw_cmd_run(hw, irq);
		break;
	default:
		break;
	}
}

static int hw_access_ok(uint64_t off, unsigned int size)
{
	if (size != 4 && size != 8)
		return -EINVAL;
	if (off >= AMDVI_MMIO_WINDOW || off + size > AMDVI_MMIO_WINDOW ||
	    (off & (size - 1)))
		return -EINVAL;
	return 0;
}

/* Does [@off, @off + @size) touch a 32-bit MSI register? */
static bool hw_is_msi(uint64_t off, unsigned int size)
{
	return off < AMDVI_MMIO_MSI_DATA + 4 &&
	       off + size > AMDVI_MMIO_MSI_ADDR_LO;
}

static int amdvi_hw_mmio_read(void *opaque, uint64_t offset, unsigned int size,
			      uint64_t *val)
{
	struct amdvi_hw *hw = opaque;
	uint64_t *reg;
	uint32_t *r32;
	uint64_t v;

	if (!hw || !val || hw_access_ok(offset, size))
		return -EINVAL;
	if (hw_is_msi(offset, size)) {
		if (size != 4)
			return -EINVAL;
		pthread_mutex_lock(&hw->reg_lock);
		r32 = hw_reg32(hw, offset);
		*val = r32 ? *r32 : 0;
		pthread_mutex_unlock(&hw->reg_lock);
		return 0;
	}
	pthread_mutex_lock(&hw->reg_lock);
	reg = hw_reg64(hw, offset & ~7ull);
	v = reg ? hw_read64(hw, offset & ~7ull, reg) : 0;
	pthread_mutex_unlock(&hw->reg_lock);
	*val = ilib_reg64_read_part(v, offset, size);
	return 0;
}

static int amdvi_hw_mmio_write(void *opaque, uint64_t offset, unsigned int size,
			       uint64_t val)
{
	struct amdvi_hw *hw = opaque;
	struct hw_irqs irq = {0};
	uint64_t base = offset & ~7ull;
	uint64_t *reg;
	uint32_t *r32;
	uint64_t v;

	if (!hw || hw_access_ok(offset, size))
		return -EINVAL;
	if (hw_is_msi(offset, size)) {
		if (size != 4)
			return -EINVAL;
		pthread_mutex_lock(&hw->reg_lock);
		r32 = hw_reg32(hw, offset);
		if (r32)
			*r32 = (uint32_t)val &
			       (offset == AMDVI_MMIO_MSI_ADDR_LO ? ~3u : ~0u);
		pthread_mutex_unlock(&hw->reg_lock);
		return 0;
	}
	pthread_mutex_lock(&hw->reg_lock);
	reg = hw_reg64(hw, base);
	if (reg) {
		uint64_t mask;

		/* A half write keeps the other half as stored (the RW1C
		 * Status half writes zeros: clears nothing). */
		ilib_reg64_write_part(offset, size, val, &v, &mask);
		if (size == 4)
			v |= (base == AMDVI_MMIO_STATUS ? 0 : hw_ld(reg)) &
			     ~mask;
		hw_write64(hw, base, reg, v, &irq);
	}
	pthread_mutex_unlock(&hw->reg_lock);
	amdvi_hw_signal(hw, &irq);
	return 0;
}

/* ---- create / destroy -------------------------------------------------- */

static int hw_load_params(struct amdvi_hw *hw, const uint64_t *p)
{
	const uint64_t dmax = p[AMDVI_P_HW_DEVTAB_MAX];

	if (dmax % AMDVI_DTE_PER_4K)
		return ilib_bad_param(hw->host, "amdvi", "devtab_entries_max",
				      dmax, "not a multiple of 128");
	hw->devtab_max = (uint32_t)dmax;
	hw->max_mode = (unsigned int)p[AMDVI_P_HW_HOST_LEVELS];
	hw->guest_levels = (unsigned int)p[AMDVI_P_HW_GUEST_LEVELS];
	hw->glx_max = (unsigned int)p[AMDVI_P_HW_GLX];
	hw->pasid_bits = (unsigned int)p[AMDVI_P_HW_PASID_BITS];
	hw->cmd_len_max = (unsigned int)p[AMDVI_P_HW_CMD_LEN_MAX];
	hw->evt_len_max = (unsigned int)p[AMDVI_P_HW_EVT_LEN_MAX];
	hw->efr = amdvi_field_prep(AMDVI_EFR_HATS, hw->max_mode - 4) |
		  amdvi_field_prep(AMDVI_EFR_PASMAX, hw->pasid_bits - 1) |
		  (p[AMDVI_P_HW_PREF] ? AMDVI_EFR_PREF_SUP : 0) |
		  (p[AMDVI_P_HW_PPR] ? AMDVI_EFR_PPR_SUP : 0) |
		  (p[AMDVI_P_HW_NX] ? AMDVI_EFR_NX_SUP : 0) |
		  (p[AMDVI_P_HW_IA] ? AMDVI_EFR_IA_SUP : 0) |
		  (p[AMDVI_P_HW_HA] ? AMDVI_EFR_HA_SUP : 0) |
		  (p[AMDVI_P_HW_HD] ? AMDVI_EFR_HD_SUP : 0);
	if (p[AMDVI_P_HW_GT])
		hw->efr |=
		    AMDVI_EFR_GT_SUP |
		    amdvi_field_prep(AMDVI_EFR_GATS, hw->guest_levels - 4) |
		    amdvi_field_prep(AMDVI_EFR_GLX_SUP, hw->glx_max) |
		    (p[AMDVI_P_HW_GIO] ? AMDVI_EFR_GIO_SUP : 0);
	hw->efr2 = p[AMDVI_P_HW_HT_IGNORE] ? AMDVI_EFR2_HT_RANGE_IGNORE : 0;
	/* The walks' descriptions (hw_xlate.c hw_walk()): 52 output bits,
	 * no reserved bit of the model's own; v2 with NXE as EFR.NXSup. */
	hw->v1_rsvd0 = pt_quick_amdv1_rsvd(52, 0);
	hw->v2_rsvd0 = pt_quick_amdv2_rsvd(
	    52, 0, hw->efr & AMDVI_EFR_NX_SUP ? PT_WALK_NXE : 0u);
	return 0;
}

static void amdvi_hw_destroy(void *opaque)
{
	struct amdvi_hw *hw = opaque;

	if (!hw)
		return;
	amdvi_hw_caches_fini(hw);
	pthread_mutex_destroy(&hw->reg_lock);
	free(hw);
}

/**
 * amdvi_hw_create() - make an AMD-Vi unit in its reset state
 * @host: core services (the model's table: no table_alloc, no
 *     report_fault)
 * @params: the [amdvi] values, indexed by enum amdvi_param
 * @out: the instance
 *
 * Return: 0; -EINVAL bad argument or parameter (logged with its key);
 * -ENOMEM.
 */
static int amdvi_hw_create(struct iommu_host *host, const uint64_t *params,
			   void **out)
{
	struct amdvi_hw *hw;
	int ret;

	if (!ilib_model_host_ok(host) || !params || !out)
		return -EINVAL;
	hw = calloc(1, sizeof(*hw));
	if (!hw)
		return -ENOMEM;
	hw->host = host;
	__atomic_store_n(&hw->uid, amdvi_hw_uid_new(), __ATOMIC_RELAXED);
	/* hw.h short_off: no page cached yet, the exclusion range off. */
	__atomic_store_n(&hw->short_off, HW_SHORT_EMPTY, __ATOMIC_RELAXED);
	ret = hw_load_params(hw, params);
	if (ret)
		goto err_free;
	ret = -ENOMEM;
	if (pthread_mutex_init(&hw->reg_lock, NULL))
		goto err_free;
	ret = amdvi_hw_caches_init(hw, params);
	if (ret)
		goto err_mutex;
	*out = hw;
	return 0;

err_mutex:
	pthread_mutex_destroy(&hw->reg_lock);
err_free:
	free(hw);
	return ret;
}

const struct iommu_hw_ops amdvi_hw_ops = {
    .size = IOMMU_TABLE_SIZE(iommu_hw_ops),
    .create = amdvi_hw_create,
    .destroy = amdvi_hw_destroy,
    .mmio_read = amdvi_hw_mmio_read,
    .mmio_write = amdvi_hw_mmio_write,
    .translate = amdvi_hw_translate,
    .dump = amdvi_hw_dump,
};
