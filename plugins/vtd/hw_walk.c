// SPDX-License-Identifier: MIT
/*
 * hw_walk.c - the VT-d model's page walks (vtd 5; vtd 10 steps 4-5): the
 * second- and first-stage walks through core/pt's pt_walk(), resumed
 * where the paging-structure caches say and filling them, a plain page of
 * a cached region decoded inline (pt_quick.h), and the fault reason of
 * each failure.  hw_xlate.c resolves the context and asks.
 */
#include "hw.h"

/* pt_walk() access at the first stage: with privilege and execute. */
static unsigned int hw_fl_acc(const struct hw_xl *x)
{
	return vtd_hw_walk_acc(x->req) | (x->exec ? PT_ACC_X : 0u) |
	       (x->priv ? PT_ACC_PRIV : 0u);
}

/*
 * Walk @d for @x's address with @access, starting below the levels the
 * paging-structure caches hold for its region (@s, when @hit; the caller
 * looked), else from the root; a whole walk fills them (when it updated
 * the access flags on its way: @access).
 */
static void hw_walk_from(struct vtd_hw *hw, const struct hw_xl *x,
			 struct pt_walk_desc *d, unsigned int access,
			 const struct ilib_walk_start *s, bool hit,
			 uint64_t gen, struct pt_walk_res *r)
{
	const uint64_t iova = x->req->iova;

	if (hit) {
		ilib_walk_cache_resume(s, d);
		pt_walk(hw->host, d, iova, access, r);
		return;
	}
	pt_walk(hw->host, d, iova, access, r);
	ilib_walk_cache_fill_seeded(&hw->wc, hw->host, x->wc_tag, x->wc_seed,
				    d, iova, access, r, gen);
}

/* hw_walk_from() after its own look in the paging-structure caches. */
static void hw_walk(struct vtd_hw *hw, const struct hw_xl *x,
		    struct pt_walk_desc *d, unsigned int access,
		    struct pt_walk_res *r)
{
	const uint64_t gen = ilib_walk_cache_gen(&hw->wc);
	struct ilib_walk_start s;
	bool hit = ilib_walk_cache_find(&hw->wc, x->wc_tag, x->wc_seed, d->root,
					12, x->req->iova, &s);

	hw_walk_from(hw, x, d, access, &s, hit, gen, r);
}

/*
 * vtd_hw_sl_walk() - second-stage walk (vtd 5.1) through pt_walk()
 * PT_FMT_VTDSS checks, per level: read, present / permission, reserved
 * bits (TM always, address bits at or above the HAW, PS where the unit
 * has no such page).  The caller has checked the input width.  A
 * paging-structure cache hit whose entry is a plain page takes
 * pt_quick_vtdss() instead (the same answer, in a few instructions).
 * Return: 0 and @w, or the fault reason (w->notpresent for R = W = 0).
 */
uint8_t vtd_hw_sl_walk(struct vtd_hw *hw, const struct hw_xl *x,
		       struct hw_walk *w)
{
	const uint64_t iova = x->req->iova;
	const uint64_t gen = ilib_walk_cache_gen(&hw->wc);
	const unsigned int access = vtd_hw_walk_acc(x->req);
	struct ilib_walk_start s;
	struct pt_walk_desc d;
	struct pt_walk_res r;
	const void *table;
	uint64_t oa;
	uint32_t perm;
	bool hit;

	/* The usual miss: the paging-structure caches hold the region's
	 * last table, whose entry is a plain 4 KiB page (pt_quick.h). */
	hit = ilib_walk_cache_find(&hw->wc, x->wc_tag, x->wc_seed, x->root, 12,
				   iova, &s);
	if (hit && (table = ilib_walk_start_leaf_table(&s))) {
		perm = ilib_walk_start_perm(&s);
		if (pt_quick_vtdss(pt_quick_load(table, pt_quick_idx4k(iova)),
				   hw->sl_rsvd0, access, &perm, &oa)) {
			w->level = 1;
			w->perm = vtd_hw_walk_perm(perm);
			w->out = oa;
			return 0;
		}
	}
	d = (struct pt_walk_desc){
	    .fmt = PT_FMT_VTDSS,
	    .root = x->root,
	    .levels = x->levels,
	    .oa_bits = hw->haw,
	    /* 4 KiB always; bit 1: 2 MiB, bit 2: 1 GiB (SLLPS) */
	    .leaf_levels =
		(uint8_t)(1u | (hw->sp2m ? 2u : 0u) | (hw->sp1g ? 4u : 0u)),
	    .rsvd = VTD_SL_PTE_TM,
	};
	hw_walk_from(hw, x, &d, access, &s, hit, gen, &r);
	switch (r.err) {
	case PT_WALK_OK:
		break;
	case PT_WALK_NOT_PRESENT:
		w->notpresent = true;
		return vtd_hw_sl_perm_fr(x);
	case PT_WALK_PERM:
		return vtd_hw_sl_perm_fr(x);
	case PT_WALK_RSVD:
		return x->sm ? VTD_FR_SM_SL_RSVD : VTD_FR_SL_RSVD;
	case PT_WALK_RANGE: /* not reached: the caller checked the width */
		return x->sm ? VTD_FR_SM_ADDR_BEYOND_MAX
			     : VTD_FR_ADDR_BEYOND_MGAW;
	default: /* PT_WALK_FETCH; nothing else without HA / HD */
		return x->sm ? VTD_FR_SM_SL_READ_ERR : VTD_FR_SL_READ_ERR;
	}
	w->level = (unsigned int)r.level + 1; /* VT-d levels count from 1 */
	w->perm = vtd_hw_walk_perm(r.perm);
	w->out = r.oa & ~((1ull << r.size_lg2) - 1);
	return 0;
}

/* Reason for a failed first-stage walk @r (vtd 5.2, 7.4). */
static uint8_t hw_fl_fr(const struct hw_xl *x, const struct pt_walk_res *r,
			struct hw_walk *w)
{
	switch (r->err) {
	case PT_WALK_RANGE:
		return VTD_FR_SM_NON_CANONICAL;
	case PT_WALK_FETCH:
		return r->level == x->levels - 1 ? VTD_FR_SM_FL_ROOT_ERR
						 : VTD_FR_SM_FL_READ_ERR;
	case PT_WALK_NOT_PRESENT:
		w->notpresent = true;
		return VTD_FR_SM_FL_NOT_PRESENT;
	case PT_WALK_RSVD:
		return VTD_FR_SM_FL_RSVD;
	case PT_WALK_PERM:
		/* U/S = 0 fails at its level with the user bits cleared;
		 * only the write or execute check after the leaf keeps
		 * them (a user request). */
		if (!(r->perm & PT_PERM_UR))
			return VTD_FR_SM_FL_USER;
		return x->exec ? VTD_FR_SM_EXEC : VTD_FR_SM_WRITE;
	default: /* PT_WALK_AD_FAIL */
		return VTD_FR_SM_FL_AD_FAIL;
	}
}

/*
 * hw_fl_priv_fr() - may a privileged request use a page the walk found
 * with @perm (vtd 5.2, with the PASID entry's WPE and SMEP; hw.h)
 * Reads are always allowed; a write needs R/W = 1 at every level only
 * with WPE; a fetch needs XD = 0 (with NXE) and, with SMEP, a page that
 * is not a user page (U/S = 1 at every level leaves PT_PERM_UR).
 * Return: 0 or the fault reason.
 */
static uint8_t hw_fl_priv_fr(const struct hw_xl *x, uint32_t perm)
{
	if (x->exec &&
	    (!(perm & PT_PERM_PX) || (x->smep && (perm & PT_PERM_UR))))
		return VTD_FR_SM_EXEC;
	if (x->req->access == IOMMU_ACCESS_WRITE && x->wpe &&
	    !(perm & PT_PERM_PW))
		return VTD_FR_SM_WRITE;
	return 0;
}

/*
 * vtd_hw_fl_walk() - first-stage walk (vtd 5.2), 4 or 5 levels, through
 * pt_walk()
 * PT_FMT_X86_64 checks: canonical input; per level read, present,
 * reserved, U/S of a user request; then write and execute permission;
 * then the A/D updates (A in every entry walked, D in the leaf on a
 * write; atomic where the host maps the memory).  The walker knows no
 * WPE or SMEP, so a privileged request is looked up first (no update, no
 * check), judged by hw_fl_priv_fr(), and walked again with the updates
 * only when allowed: a refused request leaves A and D alone.
 * Return: 0 and @w, or the fault reason.
 */
uint8_t vtd_hw_fl_walk(struct vtd_hw *hw, const struct hw_xl *x,
		       struct hw_walk *w)
{
	struct pt_walk_desc d = {
	    .fmt = PT_FMT_X86_64,
	    .root = x->root,
	    .levels = x->levels,
	    .oa_bits = hw->haw,
	    /* 4 KiB and 2 MiB always (vtd 12.3); 1 GiB with FL1GP */
	    .leaf_levels = (uint8_t)(3u | (hw->fl1g ? 4u : 0u)),
	    .flags = PT_WALK_HA | PT_WALK_HD | (x->nxe ? PT_WALK_NXE : 0u),
	};
	bool write = x->req->access == IOMMU_ACCESS_WRITE;
	struct pt_walk_res r;
	uint8_t fr;

	if (x->priv) {
		struct pt_walk_desc look = d;

		hw_walk(hw, x, &look, 0, &r);
		if (r.err)
			return hw_fl_fr(x, &r, w);
		fr = hw_fl_priv_fr(x, r.perm);
		if (fr)
			return fr;
		d.flags |= PT_WALK_NO_PERM;
	}
	hw_walk(hw, x, &d, hw_fl_acc(x), &r);
	if (r.err)
		return hw_fl_fr(x, &r, w);
	/* The tables may have changed since the look (no invalidation is
	 * needed for that): judge what the updating walk found. */
	if (x->priv && (fr = hw_fl_priv_fr(x, r.perm)))
		return fr;
	w->level = (unsigned int)r.level + 1; /* VT-d levels count from 1 */
	w->out = r.oa & ~((1ull << r.size_lg2) - 1);
	if (x->priv)
		w->perm = IOMMU_READ |
			  (!x->wpe || (r.perm & PT_PERM_PW) ? IOMMU_WRITE : 0u);
	else
		w->perm = vtd_hw_walk_perm(r.perm);
	if ((w->perm & IOMMU_WRITE) && !write && !(r.entry & VTD_FL_PTE_D)) {
		/* Writable, but a write must walk again to set D. */
		w->perm = IOMMU_READ;
		w->wd = true;
	}
	return 0;
}
