/* SPDX-License-Identifier: MIT */
/*
 * hw_walk_quick.h - the parts of the SMMUv3 model's stage-1 walk that the
 * short way of translate() (hw_xlate.c hw_plain()) inlines: the
 * permission model of a result, the inline look at a granule page the
 * walk cache's last-level table holds, and that look for a plain
 * request.  hw_walk.c walks with the same functions.
 */
#ifndef SMMU_HW_WALK_QUICK_H
#define SMMU_HW_WALK_QUICK_H

#include "hw.h"
#include "pt_quick.h"

/*
 * hw_s1_perm() - stage-1 permissions as the stream world and the CD
 * make them (smmuv3 4.9, hw.h): the walker gives AP/APTable and
 * PXN/UXN with their table bits; WXN takes execution from writable
 * pages, PAN privileged data access from unprivileged-accessible pages.
 * EL2 (one privilege): read always, write as the privileged write, and
 * execute as bit 54 (and XNTable, bit 60) say, for either privilege.
 */
static inline __attribute__((always_inline)) uint8_t
hw_s1_perm(const struct hw_xl *x, uint32_t p)
{
	const struct hw_cd *cd = x->cd;

	if (x->world == HW_W_EL2) {
		uint32_t e = PT_PERM_R;

		if (p & PT_PERM_PW)
			e |= PT_PERM_W;
		if ((p & PT_PERM_UX) && !(cd->wxn && (p & PT_PERM_PW)))
			e |= PT_PERM_X;
		return (uint8_t)e;
	}
	if (cd->wxn) {
		if (p & PT_PERM_PW)
			p &= ~PT_PERM_PX;
		if (p & PT_PERM_UW)
			p &= ~PT_PERM_UX;
	}
	if (cd->pan && (p & (PT_PERM_UR | PT_PERM_UW)))
		p &= ~(PT_PERM_PR | PT_PERM_PW);
	return (uint8_t)p;
}

/*
 * Permissions of a walk's result (its PT_PERM_* @wperm), and whether its
 * write permission comes only through DBM on a leaf that is still clean
 * (not @dirty).
 */
static inline __attribute__((always_inline)) uint8_t
hw_res_perm(const struct hw_xl *x, bool s2, uint32_t wperm, bool dirty,
	    bool *wd)
{
	uint8_t perm = s2 ? (uint8_t)wperm : hw_s1_perm(x, wperm);

	*wd = (perm & PT_PERM_W) && !dirty;
	return perm;
}

/*
 * What hw_stage() reads of a look or a walk (struct pt_walk_res's entry,
 * oa, size_lg2, level, perm and dirty), apart from the rest of the
 * result, so that an inline look keeps it in registers.
 */
struct hw_look {
	uint64_t entry;
	uint64_t oa;
	uint32_t perm;
	uint8_t lg2;
	uint8_t level; /* ours: 0 for a granule page */
	bool dirty;
};

/* @l from the successful walk @res. */
static inline void hw_look_of(const struct pt_walk_res *res, struct hw_look *l)
{
	l->entry = res->entry;
	l->oa = res->oa;
	l->perm = res->perm;
	l->lg2 = (uint8_t)res->size_lg2;
	l->level = (uint8_t)res->level;
	l->dirty = res->dirty;
}

/*
 * hw_stage_quick() - the look of hw_stage() at @ia when the walk cache
 * gave its last-level table: the host address @table
 * (ilib_walk_start_leaf_table(), NULL if none) and the permissions @perm
 * above it; the table's entry, if it is a plain page of the granule,
 * decoded inline (pt_quick.h) into what pt_walk() would have said of it,
 * @l.
 * Return: false for anything else (a block's table, a table without a
 * host address, an invalid or reserved entry, a run, DS): the caller
 * walks, resumed where the cache said.
 */
static inline __attribute__((always_inline)) bool
hw_stage_quick(const struct hw_wcfg *w, unsigned int g, bool s2,
	       const void *table, uint32_t perm, uint64_t ia,
	       struct hw_look *l)
{
	uint64_t e, oa;

	/* The decoders' preconditions: no DS (the model's flags are the
	 * others they take, its descriptions valid, without @rsvd, its
	 * output size effective, never 0); a stage-2 input is not cut to
	 * the IAS: beyond it, the walk's translation fault. */
	if (!table || (w->flags & PT_WALK_DS) || (s2 && (ia >> w->ia_bits)))
		return false;
	e = pt_quick_load(table, pt_quick_lpae_idx(g, ia));
	if (!(s2 ? pt_quick_lpae_s2(e, g, w->oa_bits, w->flags, 0, &perm, &oa)
		 : pt_quick_lpae_s1(e, g, w->oa_bits, w->flags, 0, &perm,
				    &oa)))
		return false;
	l->entry = e;
	l->oa = oa | (ia & ((1ull << g) - 1));
	l->perm = perm;
	l->lg2 = (uint8_t)g;
	l->level = 0;
	l->dirty = s2 ? pt_quick_lpae_s2_dirty(e) : pt_quick_lpae_s1_dirty(e);
	return true;
}

/**
 * smmu_hw_walk_s1_plain() - stage 1 of the request @x through TTB@sel,
 * the short way (hw_xlate.c): the look of hw_stage() at the last-level
 * table the walk cache holds for @ia's region, its entry a plain page
 * decoded inline (hw_stage_quick()), judged as hw_stage() judges it
 * @x: x->cd, x->world, x->plan, x->acc and x->need set (a stage 1
 *     without stage 2: its tables are at PAs)
 * @w: x->cd->tt[sel]
 * @g: w->g (a constant where the caller has one: the decode folds it)
 * @ia: as smmu_hw_walk_s1()
 *
 * What it answers is what smmu_hw_walk_s1() answers.  It leaves the rest
 * to that walk: no table cached, an entry that is not a plain page, a
 * page without AF (fault, HTTU or AFFD), a refused access, a write that
 * must set the dirty state.  Either way it changes and counts nothing:
 * it reads the walk cache and one descriptor, and fills nothing.
 * Return: true and @r; false.
 */
static inline __attribute__((always_inline)) bool
smmu_hw_walk_s1_plain(struct smmu_hw *hw, const struct hw_xl *x,
		      unsigned int sel, const struct hw_wcfg *w, unsigned int g,
		      uint64_t ia, struct hw_wres *r)
{
	struct ilib_walk_leaf leaf;
	struct hw_look l;
	uint8_t perm;
	bool wd;

	/* The region's last-level table, from this thread's copy of the
	 * walk cache or the cache. */
	leaf = ilib_walk_cache_leaf(&hw->walkc, &hw->fronts, x->req,
				    x->plan->wtag[sel], x->plan->wseed[sel],
				    w->root, g, ia);
	if (!leaf.table ||
	    !hw_stage_quick(w, g, false, leaf.table, (uint32_t)leaf.perm, ia,
			    &l) ||
	    !(l.entry & SMMU_PTE_AF))
		return false;
	perm = hw_res_perm(x, false, l.perm, l.dirty, &wd);
	/* With AF set, the update walk is the dirty state's alone. */
	if (!(perm & x->need) || ((x->acc & PT_ACC_W) && wd))
		return false;
	r->oa = l.oa;
	r->lg2 = l.lg2;
	r->level = 3;
	r->perm = wd ? (uint8_t)(perm & ~PT_PERM_W) : perm;
	r->wd = wd;
	r->ng = l.entry & SMMU_PTE_NG;
	r->device = false;
	return true;
}


#endif /* SMMU_HW_WALK_QUICK_H */
