/* SPDX-License-Identifier: MIT */
/*
 * pt_x86.h - x86-64 long-mode paging entries, the format of VT-d first
 * stage tables (vtd.md 5.2) and of AMD-Vi guest (v2) tables (amdvi.md
 * 4.1).  fmt_x86_64.c and fmt_amdv2.c each include it with their own
 * PTF_OPS, PTF_ID and PTF_NAME; the geometry is the same for both: 4 KiB
 * tables, 4 or 5 levels, 4K / 2M / 1G leaves (PS, bit 7, at levels 1 and
 * 2), the lower canonical half on the driver side.
 *
 * Written (vtd T6, T7; what Linux writes for both vendors): tables
 * P | R/W | U/S | A; leaves P | U/S | A, plus R/W and D when writable, PS
 * on large leaves.  With dirty tracking on, writable leaves are written
 * without D and the hardware sets it (pt_walk() with PT_WALK_HD).
 */
#include "pt_defs.h"

#define X86_P	 (1ull << 0)
#define X86_RW	 (1ull << 1)
#define X86_US	 (1ull << 2)
#define X86_A	 (1ull << 5)
#define X86_D	 (1ull << 6)
#define X86_PS	 (1ull << 7)
#define X86_XD	 (1ull << 63)
#define X86_ADDR PT_GENMASK(51, 12)

#define PTF_G(pt) ((void)(pt), 12u)
#define PTF_RUNS  0
#define PTF_RUN_MASK 0ull
#define PTF_OA_LINEAR(pt) 1
#define PTF_DIRTY 1
#define PTF_WK_TABLE_A X86_A
#define PTF_WK_G(d) ((void)(d), 12u)

/* ---- driver side --------------------------------------------------------- */

static int ptf_geom(const struct pt_cfg *cfg, struct pt_geom *g)
{
	const unsigned int full = 12 + 9 * cfg->levels;

	if ((cfg->granule_lg2 && cfg->granule_lg2 != 12) || cfg->levels < 4 ||
	    cfg->levels > 5 || cfg->ia_bits > full ||
	    (cfg->ia_bits && cfg->ia_bits < 13) ||
	    cfg->features & ~PT_FEAT_DIRTY)
		return -EINVAL;
	g->g = 12;
	g->levels = cfg->levels;
	g->top_bits = 9;
	g->ia_bits = cfg->ia_bits ? cfg->ia_bits : full - 1;
	g->lvl_sizes[0] = 1ull << 12;
	g->lvl_sizes[1] = 1ull << 21;
	g->lvl_sizes[2] = 1ull << 30;
	return 0;
}

PT_ALWAYS_INLINE bool ptf_present(uint64_t e)
{
	return e & X86_P;
}

PT_ALWAYS_INLINE uint64_t ptf_valid_bit0(uint64_t e)
{
	return e; /* P is bit 0 */
}

PT_ALWAYS_INLINE bool ptf_is_table(uint64_t e, unsigned int lvl)
{
	return lvl && !(e & X86_PS);
}

PT_ALWAYS_INLINE uint64_t ptf_table_pa(const struct pt *pt, uint64_t e)
{
	(void)pt;
	return e & X86_ADDR;
}

PT_ALWAYS_INLINE uint64_t ptf_mk_table(const struct pt *pt, uint64_t pa,
				       unsigned int lvl)
{
	(void)pt, (void)lvl;
	return pa | X86_P | X86_RW | X86_US | X86_A; /* vtd T7 */
}

PT_ALWAYS_INLINE unsigned int ptf_leaf_lg2(const struct pt *pt, uint64_t e,
					   unsigned int lvl)
{
	(void)pt, (void)e;
	return 12 + 9 * lvl;
}

PT_ALWAYS_INLINE uint64_t ptf_leaf_oa(const struct pt *pt, uint64_t e,
				      unsigned int lg2)
{
	(void)pt;
	return e & X86_ADDR & ~((1ull << lg2) - 1);
}

PT_ALWAYS_INLINE uint64_t ptf_leaf_attr(const struct pt *pt, unsigned int prot)
{
	uint64_t e = X86_P | X86_US | X86_A;

	/* A present leaf is always readable; a writable one gets R/W and,
	 * without tracking, a pre-set D (no hardware update needed). */
	if (prot & IOMMU_WRITE)
		e |= X86_RW |
		     (__atomic_load_n(&pt->dirty, __ATOMIC_RELAXED) ? 0 : X86_D);
	return e; /* vtd T6 */
}

PT_ALWAYS_INLINE uint64_t ptf_mk_leaf(const struct pt *pt, uint64_t pa,
				      unsigned int lg2, unsigned int lvl,
				      uint64_t attr)
{
	(void)pt, (void)lg2;
	return attr | pa | (lvl ? X86_PS : 0);
}

PT_ALWAYS_INLINE uint64_t ptf_leaf_step(const struct pt *pt, unsigned int lg2,
					unsigned int lvl)
{
	(void)pt, (void)lg2, (void)lvl;
	return 0;
}

PT_ALWAYS_INLINE bool ptf_d_writable(uint64_t e)
{
	return e & X86_RW;
}

PT_ALWAYS_INLINE bool ptf_d_dirty(uint64_t e)
{
	return e & X86_D;
}

PT_ALWAYS_INLINE uint64_t ptf_d_clean(uint64_t e)
{
	return e & ~X86_D;
}

PT_ALWAYS_INLINE uint64_t ptf_d_plain(uint64_t e)
{
	return e | X86_D;
}

/* ---- model side ---------------------------------------------------------- */

PT_ALWAYS_INLINE int ptf_wk_geom(const struct pt_walk_desc *d,
				 struct pt_geom *g)
{
	if ((d->granule_lg2 && d->granule_lg2 != 12) || d->levels < 4 ||
	    d->levels > 5 || (d->top_bits && d->top_bits != 9))
		return -1;
	g->g = 12;
	g->levels = d->levels;
	g->top_bits = 9;
	g->ia_bits = 12 + 9 * d->levels;
	return 0;
}

/* Canonical: bits 63..ia_bits-1 all equal (vtd 5.2: 48 or 57 bits). */
PT_ALWAYS_INLINE bool ptf_wk_in_range(const struct pt_walk_desc *d,
				      const struct pt_geom *g, uint64_t ia)
{
	const unsigned int s = 64 - g->ia_bits;

	(void)d;
	return (uint64_t)((int64_t)(ia << s) >> s) == ia;
}

/*
 * One entry, in the order VT-d's first stage checks it (vtd 5.2): P, then
 * reserved bits (PS above level 2 or at level 2 without 1 GiB pages, XD
 * without NXE, address bits beyond the HAW, the low address bits of a
 * large page), then U/S for an unprivileged request.  R/W and XD narrow
 * the permission checked at the leaf.
 */
PT_ALWAYS_INLINE int ptf_wk_entry(const struct pt_walk_desc *d,
				  struct pt_wk *w, uint64_t e, unsigned int lvl,
				  unsigned int access)
{
	uint64_t rsvd = d->rsvd | (d->flags & PT_WALK_NXE ? 0 : X86_XD);
	const unsigned int ll = d->leaf_levels ? d->leaf_levels : 0x6;
	bool leaf;

	if (!(e & X86_P))
		return PT_WALK_NOT_PRESENT;
	leaf = !lvl || ((e & X86_PS) && lvl <= 2);
	rsvd |= pt_wk_oa_rsvd(d->oa_bits);
	if (lvl >= 3)
		rsvd |= X86_PS;
	else if (leaf && lvl)
		rsvd |= PT_GENMASK(12 + 9 * lvl - 1, 13) |
			(ll & (1u << lvl) ? 0 : X86_PS);
	if (e & rsvd)
		return PT_WALK_RSVD;
	if (!(e & X86_US)) {
		w->perm &= ~(PT_PERM_UR | PT_PERM_UW | PT_PERM_UX);
		if (access && !(access & PT_ACC_PRIV) &&
		    !(d->flags & PT_WALK_NO_PERM))
			return PT_WALK_PERM;
	}
	if (!(e & X86_RW))
		w->perm &= ~PT_PERM_W;
	if ((d->flags & PT_WALK_NXE) && (e & X86_XD))
		w->perm &= ~PT_PERM_X;
	if (leaf)
		return pt_wk_leaf(w, 12 + 9 * lvl, e & X86_ADDR);
	return pt_wk_table(w, e & X86_ADDR, lvl - 1);
}

PT_ALWAYS_INLINE uint64_t ptf_wk_leaf_a(uint64_t e)
{
	(void)e;
	return X86_A;
}

PT_ALWAYS_INLINE bool ptf_wk_no_af(uint64_t e)
{
	(void)e;
	return false;
}

PT_ALWAYS_INLINE uint64_t ptf_wk_set_dirty(uint64_t e)
{
	return e | X86_D;
}

PT_ALWAYS_INLINE bool ptf_wk_dirty(uint64_t e)
{
	return e & X86_D;
}

#include "pt_algo.h"
