// SPDX-License-Identifier: MIT
/*
 * hw_regs.c - the VT-d model's register file (vtd 2): MMIO access rules,
 * GCMD/GSTS, CCMD and IOTLB_REG register-based invalidation, the [vtd]
 * keys that build CAP/ECAP, create/destroy, and the ops table.  The
 * register decisions (one GCMD command per write, access widths, QI vs
 * register invalidation) are in hw.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hw.h"

/* Publish TES and the latched root for translate(). Context: reg_lock. */
static void hw_publish(struct vtd_hw *hw, uint64_t root)
{
	uint64_t v = (root & (VTD_RTADDR_RTA | VTD_RTADDR_TTM)) |
		     ((hw->gsts & VTD_GSTS_TES) ? HW_LIVE_TES : 0);

	if (v == __atomic_load_n(&hw->live, __ATOMIC_RELAXED))
		return;
	__atomic_store_n(&hw->live, v, __ATOMIC_RELEASE);
	/* The threads' memos stand for the old value: void them. */
	vtd_hw_uid_redraw(hw);
}

/* GCMD: one command per write (see the decisions above). */
static void hw_gcmd(struct vtd_hw *hw, uint32_t val, struct hw_irqs *irq)
{
	uint32_t toggled =
	    (val ^ hw->gsts) & (uint32_t)(VTD_GCMD_TE | VTD_GCMD_QIE);
	uint32_t shots = val & (uint32_t)(VTD_GCMD_SRTP | VTD_GCMD_WBF);
	uint32_t cmd = toggled | shots;
	uint64_t live = __atomic_load_n(&hw->live, __ATOMIC_RELAXED);

	if (!cmd)
		return;
	if (cmd & (cmd - 1)) {
		hw_log(hw, IOMMU_LOG_WARN,
		       "vtd: GCMD 0x%08x changes several commands at once "
		       "(GSTS 0x%08x); ignored",
		       val, hw->gsts);
		return;
	}
	switch (cmd) {
	case VTD_GCMD_TE:
		hw->gsts ^= (uint32_t)VTD_GSTS_TES;
		hw_publish(hw, live);
		break;
	case VTD_GCMD_SRTP:
		hw->gsts |= (uint32_t)VTD_GSTS_RTPS;
		hw_publish(hw, hw->rtaddr);
		break;
	case VTD_GCMD_WBF:
		break; /* nothing is buffered: done at once, WBFS reads 0 */
	case VTD_GCMD_QIE:
		hw->iqh = 0;
		if (hw->gsts & VTD_GSTS_QIES) {
			hw->gsts &= ~(uint32_t)VTD_GSTS_QIES;
		} else {
			hw->gsts |= (uint32_t)VTD_GSTS_QIES;
			hw->iqa_live = hw->iqa;
			vtd_hw_qi_run(hw, irq);
		}
		break;
	}
}

/* CCMD with ICC set (vtd 2.4). Context: reg_lock. */
static void hw_ccmd(struct vtd_hw *hw)
{
	unsigned int g = (unsigned int)vtd_field_get(VTD_CCMD_CIRG, hw->ccmd);
	unsigned int actual = g;
	uint64_t live = __atomic_load_n(&hw->live, __ATOMIC_RELAXED);

	if (hw->gsts & VTD_GSTS_QIES) {
		hw_log(hw, IOMMU_LOG_WARN,
		       "vtd: CCMD written while queued invalidation is "
		       "enabled; ignored (ICC stays set)");
		return;
	}
	if (g) {
		vtd_hw_inv_ctx(
		    hw, g, (uint16_t)vtd_field_get(VTD_CCMD_DID, hw->ccmd),
		    (uint16_t)vtd_field_get(VTD_CCMD_SID, hw->ccmd),
		    (unsigned int)vtd_field_get(VTD_CCMD_FM, hw->ccmd));
		if (g == VTD_CC_DOMAIN &&
		    vtd_field_get(VTD_RTADDR_TTM, live) == VTD_TTM_SCALABLE)
			actual = VTD_CC_GLOBAL;
		ilib_stat(hw->host, IOMMU_STAT_INVAL_CMDS, 1);
	}
	hw->ccmd &= ~(VTD_CCMD_ICC | VTD_CCMD_CAIG);
	hw->ccmd |= vtd_field_prep(VTD_CCMD_CAIG, actual);
}

/* IOTLB_REG with IVT set (vtd 2.4). Context: reg_lock. */
static void hw_iotlb_reg(struct vtd_hw *hw)
{
	unsigned int g = (unsigned int)vtd_field_get(VTD_IOTLB_IIRG, hw->iotlb);
	unsigned int am = (unsigned int)vtd_field_get(VTD_IVA_AM, hw->iva);

	if (hw->gsts & VTD_GSTS_QIES) {
		hw_log(hw, IOMMU_LOG_WARN,
		       "vtd: IOTLB_REG written while queued invalidation is "
		       "enabled; ignored (IVT stays set)");
		return;
	}
	if (g == VTD_IOTLB_PAGE && am > HW_MAMV)
		g = 0;
	if (g) {
		vtd_hw_inv_iotlb(
		    hw, g, (uint16_t)vtd_field_get(VTD_IOTLB_DID, hw->iotlb),
		    hw->iva & VTD_IVA_ADDR, am, hw->iva & VTD_IVA_IH);
		ilib_stat(hw->host, IOMMU_STAT_INVAL_CMDS, 1);
	}
	hw->iotlb &= ~(VTD_IOTLB_IVT | VTD_IOTLB_IAIG);
	hw->iotlb |= vtd_field_prep(VTD_IOTLB_IAIG, g);
}

/* The IQT doorbell path of vtd_hw_mmio_write() skips the FRCD and IVA
 * range checks: both ranges start above IQT. */
_Static_assert(HW_FRO * 16 > VTD_IQT_REG + 8 && HW_IRO * 16 > VTD_IQT_REG + 8,
	       "FRCD or IVA overlaps IQT");

enum hw_reg_kind { HW_REG_RSVD = 0, HW_REG_32 = 4, HW_REG_64 = 8 };

/* Width of the register at 4-aligned @off (within the window). */
static enum hw_reg_kind hw_reg_kind(const struct vtd_hw *hw, uint64_t off)
{
	uint64_t frcd = vtd_frcd_reg(hw->cap, 0), iva = vtd_iva_reg(hw->ecap);

	if (off >= frcd && off < frcd + VTD_FRCD_SIZE * hw->nfr)
		return HW_REG_64;
	if (off >= iva && off < iva + 16)
		return HW_REG_64;
	switch (off & ~7ull) {
	case VTD_CAP_REG:
	case VTD_ECAP_REG:
	case VTD_RTADDR_REG:
	case VTD_CCMD_REG:
	case VTD_AFLOG_REG:
	case VTD_PHMBASE_REG:
	case VTD_PHMLIMIT_REG:
	case VTD_IQH_REG:
	case VTD_IQT_REG:
	case VTD_IQA_REG:
	case VTD_IQERCD_REG:
	case VTD_IRTA_REG:
	case VTD_PQH_REG:
	case VTD_PQT_REG:
	case VTD_PQA_REG:
		return HW_REG_64;
	}
	switch (off) {
	case VTD_VER_REG:
	case VTD_GCMD_REG:
	case VTD_GSTS_REG:
	case VTD_FSTS_REG:
	case VTD_FECTL_REG:
	case VTD_FEDATA_REG:
	case VTD_FEADDR_REG:
	case VTD_FEUADDR_REG:
	case VTD_PMEN_REG:
	case VTD_PLMBASE_REG:
	case VTD_PLMLIMIT_REG:
	case VTD_ICS_REG:
	case VTD_IECTL_REG:
	case VTD_IEDATA_REG:
	case VTD_IEADDR_REG:
	case VTD_IEUADDR_REG:
	case VTD_PRS_REG:
	case VTD_PECTL_REG:
	case VTD_PEDATA_REG:
	case VTD_PEADDR_REG:
	case VTD_PEUADDR_REG:
		return HW_REG_32;
	}
	return HW_REG_RSVD;
}

/* Value of the 64-bit register at 8-aligned @off. Context: reg_lock. */
static uint64_t hw_read64(struct vtd_hw *hw, uint64_t off)
{
	uint64_t frcd = vtd_frcd_reg(hw->cap, 0), iva = vtd_iva_reg(hw->ecap);

	if (off >= frcd && off < frcd + VTD_FRCD_SIZE * hw->nfr)
		return hw->frcd[(off - frcd) / 16][((off - frcd) / 8) & 1];
	if (off == iva)
		return hw->iva;
	if (off == iva + 8)
		return hw->iotlb;
	switch (off) {
	case VTD_CAP_REG:
		return hw->cap;
	case VTD_ECAP_REG:
		return hw->ecap;
	case VTD_RTADDR_REG:
		return hw->rtaddr;
	case VTD_CCMD_REG:
		return hw->ccmd;
	case VTD_IQH_REG:
		return hw->iqh;
	case VTD_IQT_REG:
		return hw->iqt;
	case VTD_IQA_REG:
		return hw->iqa;
	case VTD_IQERCD_REG:
		return hw->iqercd;
	default:
		return 0; /* AFLOG, PHM*, IRTA, PQ*: features absent */
	}
}

static uint32_t hw_read32(struct vtd_hw *hw, uint64_t off)
{
	switch (off) {
	case VTD_VER_REG:
		return HW_VER;
	case VTD_GSTS_REG:
		return hw->gsts;
	case VTD_FSTS_REG:
		return vtd_hw_fsts_now(hw) |
		       (uint32_t)vtd_field_prep(VTD_FSTS_FRI, vtd_hw_fri(hw));
	case VTD_FECTL_REG:
		return hw->fectl;
	case VTD_FEDATA_REG:
		return hw->fedata;
	case VTD_FEADDR_REG:
		return hw->feaddr;
	case VTD_FEUADDR_REG:
		return hw->feuaddr;
	case VTD_ICS_REG:
		return hw->ics;
	case VTD_IECTL_REG:
		return hw->iectl;
	case VTD_IEDATA_REG:
		return hw->iedata;
	case VTD_IEADDR_REG:
		return hw->ieaddr;
	case VTD_IEUADDR_REG:
		return hw->ieuaddr;
	default:
		return 0; /* GCMD reads 0; PMEN, PLM*, PRS, PE*: absent */
	}
}

/* Write @val under byte mask @mask to the 64-bit register at @off. */
static void hw_write64(struct vtd_hw *hw, uint64_t off, uint64_t val,
		       uint64_t mask, struct hw_irqs *irq)
{
	uint64_t frcd = vtd_frcd_reg(hw->cap, 0), iva = vtd_iva_reg(hw->ecap);
	uint64_t *reg;

	val &= mask;
	if (off >= frcd && off < frcd + VTD_FRCD_SIZE * hw->nfr) {
		uint64_t *rec = hw->frcd[(off - frcd) / 16];

		/* Only F (QW1 bit 63) is writable: W1C. */
		if ((((off - frcd) / 8) & 1) && (val & VTD_FRCD_QW1_F) &&
		    (rec[1] & VTD_FRCD_QW1_F)) {
			rec[1] &= ~VTD_FRCD_QW1_F;
			hw->nr_pending--;
			vtd_hw_fault_status_cleared(hw);
		}
		return;
	}
	if (off == iva) {
		hw->iva = ((hw->iva & ~mask) | val) & ~VTD_IVA_RSVD;
		return;
	}
	if (off == iva + 8) {
		hw->iotlb = ((hw->iotlb & ~mask) | val) & ~VTD_IOTLB_RSVD;
		if (hw->iotlb & mask & VTD_IOTLB_IVT)
			hw_iotlb_reg(hw);
		return;
	}
	switch (off) {
	case VTD_RTADDR_REG:
		reg = &hw->rtaddr;
		*reg = ((*reg & ~mask) | val) & VTD_GENMASK(63, 10);
		return;
	case VTD_CCMD_REG:
		hw->ccmd = ((hw->ccmd & ~mask) | val) & ~VTD_CCMD_RSVD;
		if (hw->ccmd & mask & VTD_CCMD_ICC)
			hw_ccmd(hw);
		return;
	case VTD_IQT_REG:
		hw->iqt = ((hw->iqt & ~mask) | val) & VTD_IQT_QT;
		if (mask & VTD_IQT_QT)
			vtd_hw_qi_run(hw, irq);
		return;
	case VTD_IQA_REG:
		hw->iqa = ((hw->iqa & ~mask) | val) &
			  (VTD_IQA_IQA | VTD_IQA_DW | VTD_IQA_QS);
		return;
	default:
		return; /* read-only or absent */
	}
}

/* IM written: clearing it with IP set delivers the pending event. */
static bool hw_write_ectl(uint32_t *ctl, uint32_t val)
{
	bool fire = !(val & VTD_FECTL_IM) && (*ctl & VTD_FECTL_IP);

	*ctl = (uint32_t)(val & VTD_FECTL_IM) |
	       (fire ? 0 : (*ctl & (uint32_t)VTD_FECTL_IP));
	return fire;
}

static void hw_write32(struct vtd_hw *hw, uint64_t off, uint32_t val,
		       struct hw_irqs *irq)
{
	switch (off) {
	case VTD_GCMD_REG:
		hw_gcmd(hw, val, irq);
		return;
	case VTD_FSTS_REG: {
		uint32_t w1c = val & (uint32_t)VTD_FSTS_RW1C & hw->fsts;

		hw->fsts &= ~w1c;
		vtd_hw_fault_status_cleared(hw);
		if (w1c & VTD_FSTS_IQE) {
			hw->iqercd = 0;
			vtd_hw_qi_run(hw, irq);
		}
		return;
	}
	case VTD_FECTL_REG:
		if (hw_write_ectl(&hw->fectl, val))
			irq->fault = true;
		return;
	case VTD_FEDATA_REG:
		hw->fedata = val & (uint32_t)VTD_FEDATA_MASK;
		return;
	case VTD_FEADDR_REG:
		hw->feaddr = val & (uint32_t)VTD_FEADDR_MASK;
		return;
	case VTD_FEUADDR_REG:
		hw->feuaddr = val;
		return;
	case VTD_ICS_REG:
		if (val & hw->ics & VTD_ICS_IWC) {
			hw->ics &= ~(uint32_t)VTD_ICS_IWC;
			hw->iectl &= ~(uint32_t)VTD_IECTL_IP;
		}
		return;
	case VTD_IECTL_REG:
		if (hw_write_ectl(&hw->iectl, val))
			irq->inv = true;
		return;
	case VTD_IEDATA_REG:
		hw->iedata = val & (uint32_t)VTD_FEDATA_MASK;
		return;
	case VTD_IEADDR_REG:
		hw->ieaddr = val & (uint32_t)VTD_FEADDR_MASK;
		return;
	case VTD_IEUADDR_REG:
		hw->ieuaddr = val;
		return;
	default:
		return; /* read-only or absent */
	}
}

/* Size and alignment rules (see the decisions above). */
static int hw_access_ok(const struct vtd_hw *hw, uint64_t off,
			unsigned int size, enum hw_reg_kind *kind)
{
	if (size != 4 && size != 8)
		return -EINVAL;
	if ((off & (size - 1)) || off >= hw->window || size > hw->window - off)
		return -EINVAL;
	*kind = hw_reg_kind(hw, off);
	/* The upper half of an 8-aligned 64-bit register is that register
	 * again (FRCD and IVA ranges are 16-byte multiples): only a
	 * reserved lower half needs a look at the upper one. */
	if (size == 8 &&
	    (*kind == HW_REG_32 ||
	     (*kind == HW_REG_RSVD && hw_reg_kind(hw, off + 4) == HW_REG_32)))
		return -EINVAL;
	return 0;
}

/**
 * vtd_hw_mmio_read() - read a register
 * Context: takes reg_lock.
 * Return: 0; -EINVAL bad size, misaligned, beyond the window, or 8 bytes
 * at a 32-bit register.
 */
static int vtd_hw_mmio_read(void *opaque, uint64_t offset, unsigned int size,
			    uint64_t *val)
{
	struct vtd_hw *hw = opaque;
	enum hw_reg_kind kind;
	int ret;

	if (!hw || !val)
		return -EINVAL;
	ret = hw_access_ok(hw, offset, size, &kind);
	if (ret)
		return ret;
	vtd_hw_lock(hw);
	if (kind == HW_REG_32)
		*val = hw_read32(hw, offset);
	else if (kind == HW_REG_64)
		*val = ilib_reg64_read_part(hw_read64(hw, offset & ~7ull),
					    offset, size);
	else
		*val = 0;
	vtd_hw_unlock(hw);
	return 0;
}

/**
 * vtd_hw_mmio_write() - write a register; runs commands and the queue
 * Context: takes reg_lock (and cache set locks); raises the fault or
 * invalidation event after dropping them.
 * Return: 0; -EINVAL as for mmio_read.
 */
static int vtd_hw_mmio_write(void *opaque, uint64_t offset, unsigned int size,
			     uint64_t val)
{
	struct vtd_hw *hw = opaque;
	struct hw_irqs irq = {0};
	enum hw_reg_kind kind;
	int ret;

	if (!hw)
		return -EINVAL;
	/* The doorbell: a driver's every submission is an 8-byte IQT
	 * write, which needs neither the width table nor the register
	 * decode (IQT is a 64-bit register well inside any window, and no
	 * FRCD or IVA range reaches down to it): what hw_write64 does for
	 * it with all bytes written. */
	if (offset == VTD_IQT_REG && size == 8) {
		vtd_hw_lock(hw);
		hw->iqt = val & VTD_IQT_QT;
		vtd_hw_qi_run(hw, &irq);
		vtd_hw_unlock(hw);
		if (irq.fault || irq.inv) /* seldom: an IQE or an IF wait */
			vtd_hw_raise(hw, &irq);
		return 0;
	}
	ret = hw_access_ok(hw, offset, size, &kind);
	if (ret)
		return ret;
	vtd_hw_lock(hw);
	if (kind == HW_REG_32) {
		hw_write32(hw, offset, (uint32_t)val, &irq);
	} else if (kind == HW_REG_64) {
		uint64_t v, mask;

		ilib_reg64_write_part(offset, size, val, &v, &mask);
		hw_write64(hw, offset & ~7ull, v, mask, &irq);
	}
	vtd_hw_unlock(hw);
	vtd_hw_raise(hw, &irq);
	return 0;
}

/* ---- Endpoints: VT-d finds devices by SID in its tables --------------- */

static int vtd_hw_endpoint_add(void *opaque, uint32_t dev_id)
{
	return opaque && dev_id <= 0xffff ? 0 : -EINVAL;
}

static void vtd_hw_endpoint_remove(void *opaque, uint32_t dev_id)
{
	(void)opaque;
	(void)dev_id;
}

/* ---- Life cycle --------------------------------------------------------- */

/* Check the VTD_P_HW_* keys and build CAP/ECAP. Return: 0 or -EINVAL. */
static int hw_load_params(struct vtd_hw *hw, const uint64_t *p)
{
	struct iommu_host *host = hw->host;
	uint64_t aw = p[VTD_P_HW_AW], haw = p[VTD_P_HW_HAW];
	unsigned int awc, sagaw;
	static const struct {
		enum vtd_param key;
		const char *name;
	} bools[] = {
	    {VTD_P_HW_SCALABLE, "scalable_mode"},
	    {VTD_P_HW_SP2M, "sp_2m"},
	    {VTD_P_HW_SP1G, "sp_1g"},
	    {VTD_P_HW_FL1GP, "fl_1g"},
	    {VTD_P_HW_FL5LP, "fl_5level"},
	    {VTD_P_HW_CM, "caching_mode"},
	    {VTD_P_HW_FS, "first_stage"},
	    {VTD_P_HW_SS, "second_stage"},
	    {VTD_P_HW_PT, "pass_through"},
	    {VTD_P_HW_NEST, "nesting"},
	};

	if (aw != 39 && aw != 48 && aw != 57)
		return ilib_bad_param(host, "vtd", "aw", aw,
				      "not 39, 48 or 57");
	if (haw < 39 || haw > 52)
		return ilib_bad_param(host, "vtd", "haw", haw,
				      "not in [39, 52]");
	if (p[VTD_P_HW_NFR] < 1 || p[VTD_P_HW_NFR] > 256)
		return ilib_bad_param(host, "vtd", "fault_records",
				      p[VTD_P_HW_NFR], "not in [1, 256]");
	if (p[VTD_P_HW_PASID_BITS] > VTD_PASID_MAX_BITS)
		return ilib_bad_param(host, "vtd", "pasid_bits",
				      p[VTD_P_HW_PASID_BITS], "more than 20");
	if (!p[VTD_P_HW_IOTLB] || p[VTD_P_HW_IOTLB] > 65536)
		return ilib_bad_param(host, "vtd", "iotlb_entries",
				      p[VTD_P_HW_IOTLB], "not in [1, 65536]");
	if (!p[VTD_P_HW_CTX_CACHE] || p[VTD_P_HW_CTX_CACHE] > 65536)
		return ilib_bad_param(host, "vtd", "context_cache_entries",
				      p[VTD_P_HW_CTX_CACHE],
				      "not in [1, 65536]");
	if (!p[VTD_P_HW_PASID_CACHE] || p[VTD_P_HW_PASID_CACHE] > 65536)
		return ilib_bad_param(host, "vtd", "pasid_cache_entries",
				      p[VTD_P_HW_PASID_CACHE],
				      "not in [1, 65536]");
	for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++)
		if (p[bools[i].key] > 1)
			return ilib_bad_param(host, "vtd", bools[i].name,
					      p[bools[i].key], "not 0 or 1");

	awc = (unsigned int)(aw - 30) / 9;
	sagaw = (1u << (awc + 1)) - 2u; /* AW codes 1..awc */
	hw->aw_max = awc;
	hw->mgaw = (unsigned int)aw;
	hw->nfr = (unsigned int)p[VTD_P_HW_NFR];
	hw->ptr_rsvd = VTD_GENMASK(63, haw);
	hw->haw = (uint8_t)haw;
	hw->sl_rsvd0 = pt_quick_vtdss_rsvd(hw->haw, VTD_SL_PTE_TM);
	hw->cm = p[VTD_P_HW_CM];
	hw->sm = p[VTD_P_HW_SCALABLE];
	hw->sp2m = p[VTD_P_HW_SP2M];
	hw->sp1g = p[VTD_P_HW_SP1G];
	hw->pt = p[VTD_P_HW_PT];
	/* Scalable-mode-only features exist only with scalable mode. */
	hw->fs = hw->sm && p[VTD_P_HW_FS];
	hw->ss = hw->sm && p[VTD_P_HW_SS];
	hw->nest = hw->sm && p[VTD_P_HW_NEST];
	hw->fl1g = hw->fs && p[VTD_P_HW_FL1GP];
	hw->fl5 = hw->fs && p[VTD_P_HW_FL5LP];
	hw->pasid_bits = hw->sm ? (unsigned int)p[VTD_P_HW_PASID_BITS] : 0;

	hw->cap =
	    vtd_field_prep(VTD_CAP_ND, HW_ND) | (hw->cm ? VTD_CAP_CM : 0) |
	    vtd_field_prep(VTD_CAP_SAGAW, sagaw) |
	    vtd_field_prep(VTD_CAP_MGAW, aw - 1) |
	    vtd_field_prep(VTD_CAP_FRO, HW_FRO) |
	    (hw->sp2m ? VTD_CAP_SLLPS_2M : 0) |
	    (hw->sp1g ? VTD_CAP_SLLPS_1G : 0) | VTD_CAP_PSI |
	    vtd_field_prep(VTD_CAP_NFR, hw->nfr - 1) |
	    vtd_field_prep(VTD_CAP_MAMV, HW_MAMV) | VTD_CAP_DWD | VTD_CAP_DRD |
	    (hw->fl1g ? VTD_CAP_FL1GP : 0) | (hw->fl5 ? VTD_CAP_FL5LP : 0);
	hw->ecap = VTD_ECAP_C | VTD_ECAP_QI | VTD_ECAP_DT | VTD_ECAP_SC |
		   (hw->pt ? VTD_ECAP_PT : 0) |
		   vtd_field_prep(VTD_ECAP_IRO, HW_IRO);
	if (hw->sm)
		hw->ecap |= VTD_ECAP_SMTS | VTD_ECAP_SMPWCS | VTD_ECAP_RPS |
			    (hw->ss ? VTD_ECAP_SLTS : 0) |
			    (hw->fs ? VTD_ECAP_FLTS : 0) |
			    (hw->nest ? VTD_ECAP_NEST : 0);
	/* Requests with PASID may seek privilege and execute (hw.h). */
	if (hw->pasid_bits)
		hw->ecap |= VTD_ECAP_PASID | VTD_ECAP_SRS | VTD_ECAP_ERS |
			    vtd_field_prep(VTD_ECAP_PSS, hw->pasid_bits - 1);
	hw->window = vtd_frcd_reg(hw->cap, hw->nfr);
	hw->window = (hw->window + 0xfff) & ~0xfffull;
	return 0;
}

static void vtd_hw_destroy(void *opaque)
{
	struct vtd_hw *hw = opaque;

	if (!hw)
		return;
	vtd_hw_caches_fini(hw);
	free(hw->frcd);
	free(hw);
}

/**
 * vtd_hw_create() - make a DMA-remapping unit in its reset state
 * @host: core services
 * @params: the [vtd] values, indexed by enum vtd_param
 * @out: the instance
 *
 * Return: 0; -EINVAL bad argument or parameter (logged with its key);
 * -ENOMEM.
 */
static int vtd_hw_create(struct iommu_host *host, const uint64_t *params,
			 void **out)
{
	struct vtd_hw *hw;
	int ret;

	if (!ilib_model_host_ok(host) || !params || !out)
		return -EINVAL;
	hw = calloc(1, sizeof(*hw));
	if (!hw)
		return -ENOMEM;
	hw->host = host;
	ret = hw_load_params(hw, params);
	if (ret)
		goto err_free;
	ret = -ENOMEM;
	hw->frcd = calloc(hw->nfr, sizeof(*hw->frcd));
	if (!hw->frcd)
		goto err_free;
	if (vtd_hw_caches_init(hw, params))
		goto err_free;
	vtd_hw_uid_init(hw);
	hw->fectl = (uint32_t)VTD_FECTL_IM;
	hw->iectl = (uint32_t)VTD_IECTL_IM;
	*out = hw;
	return 0;

err_free:
	free(hw->frcd);
	free(hw);
	return ret;
}

const struct iommu_hw_ops vtd_hw_ops = {
	.size = IOMMU_TABLE_SIZE(iommu_hw_ops),
    .create = vtd_hw_create,
    .destroy = vtd_hw_destroy,
    .mmio_read = vtd_hw_mmio_read,
    .mmio_write = vtd_hw_mmio_write,
    .translate = vtd_hw_translate,
    .endpoint_add = vtd_hw_endpoint_add,
    .endpoint_remove = vtd_hw_endpoint_remove,
    .notify = NULL,
    .dump = vtd_hw_dump,
};
