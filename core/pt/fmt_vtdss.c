// SPDX-License-Identifier: MIT
/*
 * fmt_vtdss.c - VT-d second-stage entries (vtd.md 5.1) on the engine.
 *
 * 4 KiB tables of 512 entries, 3 to 5 levels; leaves of 4 KiB (level 0),
 * 2 MiB and 1 GiB (PS, bit 7, at levels 1 and 2).  No P bit: an entry is
 * valid when R (0) or W (1) is set.  Table entries carry R | W (vtd T5);
 * leaves R / W from the protection and SNP (11) with PT_FEAT_SNOOP
 * (vtd T1..T4).  Dirty tracking (with SLADE in the PASID entry): the
 * hardware sets A (8) and D (9); leaves are always written with both
 * clear, so "clean" needs no other form.
 */
#include "pt_defs.h"

#define VTDSS_R	   (1ull << 0)
#define VTDSS_W	   (1ull << 1)
#define VTDSS_X	   (1ull << 2)
#define VTDSS_PS   (1ull << 7)
#define VTDSS_A	   (1ull << 8)
#define VTDSS_D	   (1ull << 9)
#define VTDSS_SNP  (1ull << 11)
#define VTDSS_ADDR PT_GENMASK(51, 12)

_Static_assert(PT_PERM_R == 9 * VTDSS_R && PT_PERM_W == 9 * VTDSS_W,
	       "ptf_wk_entry() turns R and W into permissions by a multiply");

#define PTF_OPS	  pt_fmt_vtdss
#define PTF_ID	  PT_FMT_VTDSS
#define PTF_NAME  "vtdss"
#define PTF_G(pt) ((void)(pt), 12u)
#define PTF_RUNS  0
#define PTF_RUN_MASK 0ull
#define PTF_OA_LINEAR(pt) 1
#define PTF_DIRTY 1
#define PTF_WK_TABLE_A 0ull
#define PTF_WK_G(d) ((void)(d), 12u)

/* ---- driver side --------------------------------------------------------- */

static int ptf_geom(const struct pt_cfg *cfg, struct pt_geom *g)
{
	const unsigned int full = 12 + 9 * cfg->levels;

	if ((cfg->granule_lg2 && cfg->granule_lg2 != 12) || cfg->levels < 3 ||
	    cfg->levels > 5 || cfg->ia_bits > full ||
	    (cfg->ia_bits && cfg->ia_bits < 13) ||
	    cfg->features & ~(PT_FEAT_SNOOP | PT_FEAT_DIRTY))
		return -EINVAL;
	g->g = 12;
	g->levels = cfg->levels;
	g->top_bits = 9;
	g->ia_bits = cfg->ia_bits ? cfg->ia_bits : full;
	g->lvl_sizes[0] = 1ull << 12;
	g->lvl_sizes[1] = 1ull << 21;
	g->lvl_sizes[2] = 1ull << 30;
	return 0;
}

PT_ALWAYS_INLINE bool ptf_present(uint64_t e)
{
	return e & (VTDSS_R | VTDSS_W);
}

/* R or W: bit 0 of e | e >> 1. */
PT_ALWAYS_INLINE uint64_t ptf_valid_bit0(uint64_t e)
{
	return e | (e >> 1);
}

PT_ALWAYS_INLINE bool ptf_is_table(uint64_t e, unsigned int lvl)
{
	return lvl && !(e & VTDSS_PS);
}

PT_ALWAYS_INLINE uint64_t ptf_table_pa(const struct pt *pt, uint64_t e)
{
	(void)pt;
	return e & VTDSS_ADDR;
}

PT_ALWAYS_INLINE uint64_t ptf_mk_table(const struct pt *pt, uint64_t pa,
				       unsigned int lvl)
{
	(void)pt, (void)lvl;
	return pa | VTDSS_R | VTDSS_W; /* vtd T5 */
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
	return e & VTDSS_ADDR & ~((1ull << lg2) - 1);
}

PT_ALWAYS_INLINE uint64_t ptf_leaf_attr(const struct pt *pt, unsigned int prot)
{
	return (prot & IOMMU_READ ? VTDSS_R : 0) |
	       (prot & IOMMU_WRITE ? VTDSS_W : 0) |
	       (pt->cfg.features & PT_FEAT_SNOOP ? VTDSS_SNP : 0);
}

PT_ALWAYS_INLINE uint64_t ptf_mk_leaf(const struct pt *pt, uint64_t pa,
				      unsigned int lg2, unsigned int lvl,
				      uint64_t attr)
{
	(void)pt, (void)lg2;
	return attr | pa | (lvl ? VTDSS_PS : 0); /* vtd T1..T4 */
}

PT_ALWAYS_INLINE uint64_t ptf_leaf_step(const struct pt *pt, unsigned int lg2,
					unsigned int lvl)
{
	(void)pt, (void)lg2, (void)lvl;
	return 0;
}

PT_ALWAYS_INLINE bool ptf_d_writable(uint64_t e)
{
	return e & VTDSS_W;
}

PT_ALWAYS_INLINE bool ptf_d_dirty(uint64_t e)
{
	return e & VTDSS_D;
}

PT_ALWAYS_INLINE uint64_t ptf_d_clean(uint64_t e)
{
	return e & ~VTDSS_D;
}

PT_ALWAYS_INLINE uint64_t ptf_d_plain(uint64_t e)
{
	return e;
}

/* ---- model side ---------------------------------------------------------- */

PT_ALWAYS_INLINE int ptf_wk_geom(const struct pt_walk_desc *d,
				 struct pt_geom *g)
{
	if ((d->granule_lg2 && d->granule_lg2 != 12) || d->levels < 2 ||
	    d->levels > 5 || (d->top_bits && d->top_bits != 9))
		return -1;
	g->g = 12;
	g->levels = d->levels;
	g->top_bits = 9;
	g->ia_bits = d->ia_bits ? d->ia_bits : 12 + 9 * d->levels;
	return 0;
}

PT_ALWAYS_INLINE bool ptf_wk_in_range(const struct pt_walk_desc *d,
				      const struct pt_geom *g, uint64_t ia)
{
	(void)d;
	return g->ia_bits >= 64 || !(ia >> g->ia_bits);
}

/*
 * The permission a request needs and the reserved address bits depend on
 * the descriptor only: taken once per walk, not at each of its levels.
 */
#define PTF_WK_START
PT_ALWAYS_INLINE void ptf_wk_start(const struct pt_walk_desc *d,
				   struct pt_wk *w, unsigned int access)
{
	w->need = d->flags & PT_WALK_NO_PERM ? 0 : pta_need(access);
	w->oa_rsvd = pt_wk_oa_rsvd(d->oa_bits);
}

/*
 * vtd 5.1, in the order the unit checks one entry: valid (R or W), the
 * permission so far against the request, then reserved bits (SNP outside
 * leaves, PS above level 2 or where the unit has no such page, address
 * bits beyond the HAW, the low bits of a large page's address).
 */
PT_ALWAYS_INLINE int ptf_wk_entry(const struct pt_walk_desc *d,
				  struct pt_wk *w, uint64_t e, unsigned int lvl,
				  unsigned int access)
{
	uint64_t rsvd = d->rsvd;
	bool leaf;

	if (!(e & (VTDSS_R | VTDSS_W)))
		return PT_WALK_NOT_PRESENT;
	/* R (bit 0) keeps PT_PERM_R (bits 0 and 3), W (bit 1) PT_PERM_W
	 * (bits 1 and 4): nine times each. */
	w->perm &= (uint32_t)(e & (VTDSS_R | VTDSS_W)) * 9u | PT_PERM_X;
	(void)access; /* in w->need */
	if ((w->perm & w->need) != w->need)
		return PT_WALK_PERM;
	leaf = !lvl || ((e & VTDSS_PS) && lvl <= 2);
	rsvd |= w->oa_rsvd;
	if (lvl >= 3)
		rsvd |= VTDSS_PS | VTDSS_SNP;
	else if (!leaf)
		rsvd |= VTDSS_SNP;
	else if (lvl)
		rsvd |= PT_GENMASK(12 + 9 * lvl - 1, 12) |
			(!d->leaf_levels || d->leaf_levels & (1u << lvl)
				 ? 0
				 : VTDSS_PS);
	if (e & rsvd)
		return PT_WALK_RSVD;
	if (leaf)
		return pt_wk_leaf(w, 12 + 9 * lvl, e & VTDSS_ADDR);
	return pt_wk_table(w, e & VTDSS_ADDR, lvl - 1);
}

PT_ALWAYS_INLINE uint64_t ptf_wk_leaf_a(uint64_t e)
{
	(void)e;
	return VTDSS_A;
}

PT_ALWAYS_INLINE bool ptf_wk_no_af(uint64_t e)
{
	(void)e;
	return false;
}

PT_ALWAYS_INLINE uint64_t ptf_wk_set_dirty(uint64_t e)
{
	return e | VTDSS_D;
}

PT_ALWAYS_INLINE bool ptf_wk_dirty(uint64_t e)
{
	return e & VTDSS_D;
}

#include "pt_algo.h"
