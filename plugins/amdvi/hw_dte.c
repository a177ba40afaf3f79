// SPDX-License-Identifier: MIT
/*
 * hw_dte.c - what AMD-Vi's translate() makes of a request's DTE: the
 * entry through the device-table cache and whether it is legal (amdvi
 * 2), the walk configuration of a host (v1, 3) or guest (v2, 4) DTE, and
 * the events of a request that fails (6).  hw_xlate.c asks.
 */
#include <errno.h>
#include <string.h>

#include "hw.h"
#include "pt.h"

/* ---- events -------------------------------------------------------------- */

/* IO_PAGE_FAULT (6.4) unless DTE.SA, then -EFAULT. */
int amdvi_hw_pf(struct amdvi_hw *hw, const struct hw_xl *x, bool gn,
		unsigned int flags)
{
	struct hw_event e;

	if (x->write)
		flags |= AMDVI_EVT_F_RW;
	if (gn && x->has_pasid) {
		if (!(x->req->attrs & IOMMU_ACCESS_PRIV))
			flags |= AMDVI_EVT_F_US;
		if ((x->req->attrs & IOMMU_ACCESS_EXEC) && !x->write)
			flags |= AMDVI_EVT_F_NX;
	}
	if (x->sa)
		return -EFAULT;
	amdvi_evt_page_fault(&e, x->devid, x->domid,
			     x->has_pasid ? x->req->pasid : 0,
			     gn && x->has_pasid, flags, x->req->iova);
	amdvi_hw_log_event(hw, &e);
	return -EFAULT;
}

/* ILLEGAL_DEV_TABLE_ENTRY (6.5) with the request's IOVA, then -EFAULT. */
int amdvi_hw_illegal_dte(struct amdvi_hw *hw, const struct hw_xl *x, bool rz)
{
	unsigned int flags =
	    (x->write ? AMDVI_EVT_F_RW : 0u) | (rz ? AMDVI_EVT_F_RZ : 0u);
	struct hw_event e;

	amdvi_evt_page_fault(&e, x->devid, 0, x->has_pasid ? x->req->pasid : 0,
			     x->has_pasid, flags, x->req->iova);
	e.qw[0] =
	    (e.qw[0] & ~AMDVI_EVT_CODE) |
	    amdvi_field_prep(AMDVI_EVT_CODE, AMDVI_EVT_ILLEGAL_DEV_TABLE_ENTRY);
	if (!x->has_pasid)
		e.qw[0] &= ~AMDVI_EVT0_DOMID;
	amdvi_hw_log_event(hw, &e);
	return -EFAULT;
}

/* DEV_TAB / PAGE_TAB_HARDWARE_ERROR (6.5) at @pa, then -EFAULT. */
int amdvi_hw_hw_error(struct amdvi_hw *hw, const struct hw_xl *x,
		      unsigned int code, uint64_t pa)
{
	struct hw_event e;

	amdvi_evt_simple(&e, code, x->devid, x->write ? AMDVI_EVT_F_RW : 0u, 0,
			 pa);
	e.qw[0] |=
	    amdvi_field_prep(AMDVI_EVT0_HW_TYPE, AMDVI_HWERR_MASTER_ABORT);
	if (code == AMDVI_EVT_PAGE_TAB_HW_ERROR)
		e.qw[0] |= amdvi_field_prep(AMDVI_EVT0_DOMID, x->domid);
	amdvi_hw_log_event(hw, &e);
	return -EFAULT;
}

/* ---- the DTE --------------------------------------------------------------
 */

/*
 * amdvi_hw_dte_get() - the DTE of @x->devid, through the device-table cache
 * @dtb: Device Table Base as translate() read it
 * @d: the DTE's four qwords
 * Return: 0 and @d; -EFAULT after the event (beyond the table's size, or
 * the entry outside RAM).
 */
int amdvi_hw_dte_get(struct amdvi_hw *hw, const struct hw_xl *x, uint64_t dtb,
		     uint64_t *d)
{
	uint64_t entries =
	    (amdvi_field_get(AMDVI_DEVTAB_SIZE, dtb) + 1) * AMDVI_DTE_PER_4K;
	uint64_t pa, gen;

	if (entries > hw->devtab_max)
		entries = hw->devtab_max;
	if (x->devid >= entries)
		return amdvi_hw_illegal_dte(hw, x, false);
	if (amdvi_hw_dte_lookup(hw, x->devid, d))
		return 0;
	gen = ilib_cache_gen(&hw->dtec);
	pa = (dtb & AMDVI_DEVTAB_BASE) + (uint64_t)x->devid * AMDVI_DTE_SIZE;
	/* Each qword whole, as the driver stores them (one may change
	 * between two of them: the driver's store order makes every mix a
	 * valid entry). */
	if (ilib_mem_read_le64(hw->host, pa, d, 4))
		return amdvi_hw_hw_error(hw, x, AMDVI_EVT_DEV_TAB_HW_ERROR, pa);
	amdvi_hw_dte_insert(hw, x->devid, d, gen);
	return 0;
}

/* 2.2-2.4: is a V = 1 DTE legal?  (Reserved bits and encodings, hw.h.) */
bool amdvi_hw_dte_legal(const struct amdvi_hw *hw, const uint64_t *d)
{
	const unsigned int mode =
	    (unsigned int)amdvi_field_get(AMDVI_DTE0_MODE, d[0]);
	const unsigned int gpm =
	    (unsigned int)amdvi_field_get(AMDVI_DTE2_GPM, d[2]);

	if ((d[0] & AMDVI_DTE0_RSVD) || (d[2] & AMDVI_DTE2_RSVD) ||
	    (d[3] & AMDVI_DTE3_RSVD))
		return false;
	if (mode == AMDVI_MODE_RSVD || mode > hw->max_mode)
		return false;
	if ((d[2] & AMDVI_DTE2_IV) &&
	    amdvi_field_get(AMDVI_DTE2_INTCTL, d[2]) == AMDVI_INTCTL_RSVD)
		return false;
	if (d[0] & AMDVI_DTE0_GV) {
		if (amdvi_field_get(AMDVI_DTE0_GLX, d[0]) > hw->glx_max)
			return false; /* GLX 11b too: glx_max <= 2 */
		if (gpm > AMDVI_GPM_5LEVEL ||
		    (gpm == AMDVI_GPM_5LEVEL && hw->guest_levels < 5))
			return false;
	}
	return true;
}

/* 3: a host (v1) walk of Mode 1-6. */
void amdvi_hw_cfg_v1(const struct amdvi_hw *hw, const struct hw_xl *x,
		     uint64_t ctrl, struct hw_cfg *c)
{
	const uint64_t *d = x->dte;
	const unsigned int had =
	    (unsigned int)amdvi_field_get(AMDVI_DTE0_HAD, d[0]);
	const bool hud = amdvi_field_get(AMDVI_CTRL_HAD_UPDATE, ctrl) != 0;

	*c = (struct hw_cfg){
	    .wk.root = d[0] & AMDVI_DTE0_ROOT,
	    .levels = (uint8_t)amdvi_field_get(AMDVI_DTE0_MODE, d[0]),
	    .fmt = PT_FMT_AMDV1,
	    .perm = (d[0] & AMDVI_DTE0_IR ? PT_PERM_R : 0u) |
		    (d[0] & AMDVI_DTE0_IW ? PT_PERM_W : 0u) | PT_PERM_X,
	    .domid = x->domid,
	    .sa = x->sa,
	};
	if (hud && (had & 1) && (hw->efr & AMDVI_EFR_HA_SUP))
		c->wflags |= PT_WALK_HA;
	if (hud && had == 3 && (hw->efr & AMDVI_EFR_HD_SUP)) {
		c->wflags |= PT_WALK_HD;
		c->dbit = AMDVI_PTE_D;
	}
}

/*
 * amdvi_hw_cfg_v2() - a guest (v2) walk of @pasid through the GCR3 table
 * (4.2)
 * Return: 0 and @c; -EFAULT after the event when the unit, the DTE or
 * @pasid allow no guest translation (hw.h).
 */
int amdvi_hw_cfg_v2(struct amdvi_hw *hw, const struct hw_xl *x, uint32_t pasid,
		    uint64_t ctrl, struct hw_cfg *c)
{
	const uint64_t *d = x->dte;
	const unsigned int glx =
	    (unsigned int)amdvi_field_get(AMDVI_DTE0_GLX, d[0]);

	if (!(ctrl & AMDVI_CTRL_GT_EN) || !(hw->efr & AMDVI_EFR_GT_SUP) ||
	    !(d[0] & AMDVI_DTE0_GV) ||
	    amdvi_field_get(AMDVI_DTE0_MODE, d[0]) != AMDVI_MODE_NONE ||
	    (pasid >> hw->pasid_bits) ||
	    (pasid >> (AMDVI_GCR3_IDX_BITS * (glx + 1))))
		return amdvi_hw_pf(hw, x, true, 0);
	*c = (struct hw_cfg){
	    .wk.root = amdvi_field_get(AMDVI_DTE0_GCR3_LO, d[0]) << 12 |
		    amdvi_field_get(AMDVI_DTE1_GCR3_MID, d[1]) << 15 |
		    amdvi_field_get(AMDVI_DTE1_GCR3_HI, d[1]) << 31,
	    .dbit = AMDVI_V2_D,
	    .wflags = PT_WALK_HA | PT_WALK_HD |
		      (hw->efr & AMDVI_EFR_NX_SUP ? PT_WALK_NXE : 0u),
	    .tag = pasid + 1,
	    .domid = x->domid,
	    .levels = amdvi_field_get(AMDVI_DTE2_GPM, d[2]) == AMDVI_GPM_5LEVEL
			  ? 5
			  : 4,
	    .glx = (uint8_t)glx,
	    .fmt = PT_FMT_AMDV2,
	    .leaf_levels = 0x7, /* 4 KiB, 2 MiB, 1 GiB */
	    .v2 = true,
	    .sa = x->sa,
	};
	return 0;
}
