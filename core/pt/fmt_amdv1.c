// SPDX-License-Identifier: MIT
/*
 * fmt_amdv1.c - AMD-Vi host (v1) I/O page tables (amdvi.md 3) on the
 * engine.
 *
 * 4 KiB tables of 512 entries; DTE.Mode 1..6 levels.  Our level 0 is
 * AMD level 1 (4 KiB entries), our level L is AMD level L + 1; the top of
 * a 6-level table resolves IOVA bits 63:57 (7 index bits) and holds no
 * leaves (amdvi 3.2).  A table entry (PDE) carries the AMD level of the
 * table it points to in NextLevel (bits 11:9); a leaf (PTE) has NextLevel
 * 0 (the level's own size) or 7 (a larger power of two, its size coded in
 * the low address bits and the same entry in every slot the page covers,
 * amdvi 3.5).
 *
 * Written, as Linux writes them (amdvi 3.6): PDE = address | NextLevel |
 * PR | IR | IW (T5); PTE = address | PR | IR/IW from the protection |
 * FC with PT_FEAT_FC (T1, T1b) | NextLevel 0 or 7 (T2..T4).  Sizes per
 * level as Linux's: 2^s for s = 12 + 9L .. 12 + 9L + 8 at our level L,
 * s <= 51 (the address field), never 512 GiB (excluded by Linux,
 * amdvi 3.5).  The engine writes no level skipping.  Dirty tracking
 * (DTE.HAD): the hardware sets A (5) and D (6); leaves are written with
 * both clear, so the clean form is the only one.
 *
 * The model side decodes apart from the encoders.  Decisions where the
 * sheet is unsure:
 *  - F field (PTE bits 58:57, page migration in the newest spec, 3.1):
 *    not reserved here, so a guest written for that revision walks; a
 *    model of a revision without it adds bits 58:57 to desc->rsvd (they
 *    are reserved in PDEs anyway).  PTE 56:52 and PDE 60:52 are reserved.
 *  - NextLevel-7 sizes (3.5 [UNSURE], 10): a size above the entry's own
 *    and at most the span of its whole table is taken, so the 2 MiB page
 *    written into all 512 level-1 slots (T2b, which Linux never writes)
 *    is accepted, as QEMU does: its translation uses only IOVA bits this
 *    table indexes.  A size not larger than the entry's own (the slot's
 *    span would alias), larger than the table's span (the output would
 *    depend on IOVA bits an upper level already used), beyond 2^oa_bits,
 *    or an address field of all ones (no size at all) is an invalid
 *    encoding: PT_WALK_RSVD (AMD's RZ page fault).
 *  - Level skipping (3.4 [UNSURE]): IOVA bits of the skipped levels that
 *    are not zero fail with PT_WALK_NOT_PRESENT: the entry itself is well
 *    formed, the address simply has no translation (the implied tables of
 *    the skipped levels hold only entry 0), which is a page fault and not
 *    a reserved-bit fault.
 *  - A leaf (NextLevel 0 or 7) at the top of a 6-level walk (3.2), or at
 *    a level the model's desc->leaf_levels excludes: PT_WALK_RSVD.
 *  - Address bits at or above desc->oa_bits: PT_WALK_RSVD (AMD reports
 *    them as reserved bits, RZ), not PT_WALK_ADDR_SIZE.
 *  - v1 entries have no execute permission: PT_PERM_X passes as given.
 */
#include "pt_defs.h"

#define AMDV1_PR       (1ull << 0)
#define AMDV1_A	       (1ull << 5)
#define AMDV1_D	       (1ull << 6)
#define AMDV1_NL_SHIFT 9
#define AMDV1_NL       (7ull << AMDV1_NL_SHIFT)
#define AMDV1_NL_PAGE  7u /* NextLevel 7: size in the address (3.5) */
#define AMDV1_ADDR     PT_GENMASK(51, 12)
#define AMDV1_FC       (1ull << 60)
#define AMDV1_IR       (1ull << 61)
#define AMDV1_IW       (1ull << 62)
/* 3.1: reserved bits of a PDE and of a PTE (F, 58:57, left out: see the
 * top comment). */
#define AMDV1_PDE_RSVD PT_GENMASK(60, 52)
#define AMDV1_PTE_RSVD PT_GENMASK(56, 52)

#define PTF_OPS	  pt_fmt_amdv1
#define PTF_ID	  PT_FMT_AMDV1
#define PTF_NAME  "amdv1"
#define PTF_G(pt) ((void)(pt), 12u)
#define PTF_RUNS  1
/* Only a NextLevel-7 page spans several entries; its NextLevel sets all
 * of bits 11:9, which no other AMD level-1 entry has. */
#define PTF_RUN_MASK AMDV1_NL
#define PTF_OA_LINEAR(pt) 1
#define PTF_DIRTY 1
#define PTF_WK_G(d) ((void)(d), 12u)
#define PTF_WK_TABLE_A AMDV1_A

/* NextLevel field (3.1). */
PT_ALWAYS_INLINE unsigned int amdv1_nl(uint64_t e)
{
	return (unsigned int)(e >> AMDV1_NL_SHIFT) & 7u;
}

/* ---- driver side --------------------------------------------------------- */

/*
 * 3.2, 3.5, 3.6: Mode 1..6; the input width of a mode is 12 + 9 * Mode
 * bits, all 64 at Mode 6 (whose top table has 7 index bits).
 */
static int ptf_geom(const struct pt_cfg *cfg, struct pt_geom *g)
{
	const unsigned int full = cfg->levels == 6 ? 64 : 12 + 9 * cfg->levels;
	unsigned int ia;

	if ((cfg->granule_lg2 && cfg->granule_lg2 != 12) || cfg->levels < 1 ||
	    cfg->levels > 6 || cfg->ia_bits > full ||
	    (cfg->ia_bits && cfg->ia_bits < 13) ||
	    cfg->features & ~(PT_FEAT_FC | PT_FEAT_DIRTY))
		return -EINVAL;
	ia = cfg->ia_bits ? cfg->ia_bits : full;
	g->g = 12;
	g->levels = cfg->levels;
	g->top_bits = cfg->levels == 6 ? 7 : 9;
	g->ia_bits = ia;
	/* 3.5: nine sizes a level, within the address field (51) and the
	 * input, never 512 GiB; the top of a 6-level table has none (3.2). */
	for (unsigned int l = 0; l < cfg->levels && l < 5; l++) {
		const unsigned int lo = 12 + 9 * l;

		for (unsigned int s = lo; s <= lo + 8; s++)
			if (s <= 51 && s <= ia && s != 39)
				g->lvl_sizes[l] |= 1ull << s;
	}
	return 0;
}

PT_ALWAYS_INLINE bool ptf_present(uint64_t e)
{
	return e & AMDV1_PR;
}

/* 3.1: PR is bit 0 (for the engine's vectorized scans). */
PT_ALWAYS_INLINE uint64_t ptf_valid_bit0(uint64_t e)
{
	return e;
}

/* 3.1: a PDE names the level of its table (1..6); 0 and 7 are leaves. */
PT_ALWAYS_INLINE bool ptf_is_table(uint64_t e, unsigned int lvl)
{
	const unsigned int nl = amdv1_nl(e);

	(void)lvl;
	return nl >= 1 && nl <= 6;
}

PT_ALWAYS_INLINE uint64_t ptf_table_pa(const struct pt *pt, uint64_t e)
{
	(void)pt;
	return e & AMDV1_ADDR;
}

/*
 * 3.1, 3.6 (T5): the PDE at our level @lvl points to a table of our level
 * @lvl - 1, AMD level @lvl: NextLevel = @lvl.  Permissions are granted in
 * full here and narrowed at the leaf, as Linux does.
 */
PT_ALWAYS_INLINE uint64_t ptf_mk_table(const struct pt *pt, uint64_t pa,
				       unsigned int lvl)
{
	(void)pt;
	return pa | (uint64_t)lvl << AMDV1_NL_SHIFT | AMDV1_PR | AMDV1_IR |
	       AMDV1_IW;
}

/*
 * 3.5: NextLevel 0 maps the level's own size; NextLevel 7 codes 2^k as
 * address bits [k-2:12] all 1 and bit k-1 0, so the lowest 0 bit at or
 * above 12 is k-1.  The engine only writes k in (es, es + 8]; a size it
 * would not write (a corrupted table) is read as the level's own, so no
 * run ever reaches beyond its table.
 */
PT_ALWAYS_INLINE unsigned int ptf_leaf_lg2(const struct pt *pt, uint64_t e,
					   unsigned int lvl)
{
	const unsigned int es = 12 + 9 * lvl;
	const uint64_t zeros = ~e & AMDV1_ADDR;
	unsigned int k;

	(void)pt;
	if (amdv1_nl(e) != AMDV1_NL_PAGE || !zeros)
		return es;
	k = (unsigned int)__builtin_ctzll(zeros) + 1;
	return k > es && k <= es + 9 ? k : es;
}

/* 3.3 step 5: the address without the size code. */
PT_ALWAYS_INLINE uint64_t ptf_leaf_oa(const struct pt *pt, uint64_t e,
				      unsigned int lg2)
{
	(void)pt;
	return e & AMDV1_ADDR & ~((1ull << lg2) - 1);
}

/* 3.1, 3.6: IR / IW from the protection, FC as Linux (T1b). */
PT_ALWAYS_INLINE uint64_t ptf_leaf_attr(const struct pt *pt, unsigned int prot)
{
	return AMDV1_PR | (prot & IOMMU_READ ? AMDV1_IR : 0) |
	       (prot & IOMMU_WRITE ? AMDV1_IW : 0) |
	       (pt->cfg.features & PT_FEAT_FC ? AMDV1_FC : 0);
}

/*
 * 3.5 (T1..T4): the level's own size with NextLevel 0; a larger 2^lg2
 * with NextLevel 7 and address bits [lg2-2:12] set (none for 8 KiB).
 */
PT_ALWAYS_INLINE uint64_t ptf_mk_leaf(const struct pt *pt, uint64_t pa,
				      unsigned int lg2, unsigned int lvl,
				      uint64_t attr)
{
	(void)pt;
	if (lg2 == 12 + 9 * lvl)
		return attr | pa;
	return attr | pa | (uint64_t)AMDV1_NL_PAGE << AMDV1_NL_SHIFT |
	       (((1ull << (lg2 - 1)) - 1) & ~0xFFFull);
}

/* 3.5: the same entry in every slot the page covers. */
PT_ALWAYS_INLINE uint64_t ptf_leaf_step(const struct pt *pt, unsigned int lg2,
					unsigned int lvl)
{
	(void)pt, (void)lg2, (void)lvl;
	return 0;
}

/* 3.1: D (6) is set by the hardware on writes (DTE.HAD); never written. */
PT_ALWAYS_INLINE bool ptf_d_writable(uint64_t e)
{
	return e & AMDV1_IW;
}

PT_ALWAYS_INLINE bool ptf_d_dirty(uint64_t e)
{
	return e & AMDV1_D;
}

PT_ALWAYS_INLINE uint64_t ptf_d_clean(uint64_t e)
{
	return e & ~AMDV1_D;
}

PT_ALWAYS_INLINE uint64_t ptf_d_plain(uint64_t e)
{
	return e;
}

/* ---- model side ---------------------------------------------------------- */

/*
 * 2.3, 3.2: DTE.Mode 1..6 levels; the top table has 9 index bits, 7 at
 * Mode 6.  The input width is the mode's (12 + 9 * Mode, 64 at Mode 6);
 * a model may narrow it through desc->ia_bits, never widen it.
 */
PT_ALWAYS_INLINE int ptf_wk_geom(const struct pt_walk_desc *d,
				 struct pt_geom *g)
{
	const unsigned int full = d->levels == 6 ? 64 : 12 + 9 * d->levels;
	const unsigned int top = d->levels == 6 ? 7 : 9;

	if ((d->granule_lg2 && d->granule_lg2 != 12) || d->levels < 1 ||
	    d->levels > 6 || (d->top_bits && d->top_bits != top) ||
	    (d->ia_bits && (d->ia_bits < 12 || d->ia_bits > full)))
		return -1;
	g->g = 12;
	g->levels = d->levels;
	g->top_bits = top;
	g->ia_bits = d->ia_bits ? d->ia_bits : full;
	return 0;
}

/* 3.3 step 2: below Mode 6, an IOVA beyond the mode's width faults. */
PT_ALWAYS_INLINE bool ptf_wk_in_range(const struct pt_walk_desc *d,
				      const struct pt_geom *g, uint64_t ia)
{
	(void)d;
	return g->ia_bits >= 64 || !(ia >> g->ia_bits);
}

/*
 * 3.5: the size a NextLevel-7 leaf at our level @lvl codes, 0 if it is no
 * valid size there (see the top comment for which are).
 */
PT_ALWAYS_INLINE unsigned int amdv1_wk_page_lg2(const struct pt_walk_desc *d,
						uint64_t e, unsigned int lvl)
{
	const unsigned int es = 12 + 9 * lvl;
	const unsigned int oa = d->oa_bits ? d->oa_bits : 52;
	/* Bits 11:0 count as ones: the lowest 0 at or above 12 is k - 1. */
	const uint64_t zeros = ~(e | 0xFFFull);
	unsigned int k;

	if (!zeros)
		return 0;
	k = (unsigned int)__builtin_ctzll(zeros) + 1;
	if (k <= es || k > es + 9 || k > oa || k > 52)
		return 0;
	return k;
}

/*
 * One entry at our level @lvl (AMD level @lvl + 1) of a walk for @ia, in
 * the order of 3.3: PR (step 3), reserved bits (3.1, plus the model's and
 * those beyond its output width), IR / IW narrowing the permission (step
 * 4; the final check is the engine's, step 9), then NextLevel: a leaf
 * (step 5, 3.5), a lower table (step 6, with the skipped-level rule of
 * 3.4, on the input address in w->ia) or an invalid encoding (step 7,
 * which also stops a table that names itself).
 */
PT_ALWAYS_INLINE int ptf_wk_entry(const struct pt_walk_desc *d,
				  struct pt_wk *w, uint64_t e, unsigned int lvl,
				  unsigned int access)
{
	const unsigned int nl = amdv1_nl(e);
	const bool leaf = nl == 0 || nl == AMDV1_NL_PAGE;
	uint64_t rsvd = d->rsvd | (leaf ? AMDV1_PTE_RSVD : AMDV1_PDE_RSVD);

	(void)access;
	if (!(e & AMDV1_PR))
		return PT_WALK_NOT_PRESENT;
	rsvd |= pt_wk_oa_rsvd(d->oa_bits);
	if (e & rsvd)
		return PT_WALK_RSVD;
	if (!(e & AMDV1_IR))
		w->perm &= ~PT_PERM_R;
	if (!(e & AMDV1_IW))
		w->perm &= ~PT_PERM_W;
	if (leaf) {
		unsigned int lg2 = 12 + 9 * lvl;

		if (lvl >= 5 ||
		    (lvl && d->leaf_levels && !(d->leaf_levels & (1u << lvl))))
			return PT_WALK_RSVD;
		if (nl == AMDV1_NL_PAGE) {
			lg2 = amdv1_wk_page_lg2(d, e, lvl);
			if (!lg2)
				return PT_WALK_RSVD;
		}
		return pt_wk_leaf(w, lg2, e & AMDV1_ADDR);
	}
	if (nl > lvl)
		return PT_WALK_RSVD; /* NextLevel >= this AMD level */
	/* 3.4: the IOVA bits of the skipped levels (our nl .. lvl - 1) must
	 * be zero: [12 + 9 * lvl - 1 : 12 + 9 * nl]. */
	if (nl < lvl && (w->ia & PT_GENMASK(12 + 9 * lvl - 1, 12 + 9 * nl)))
		return PT_WALK_NOT_PRESENT;
	return pt_wk_table(w, e & AMDV1_ADDR, nl - 1);
}


/* 3.1: A (5) in the leaf too, when DTE.HAD asks for it (3.3 step 10). */
PT_ALWAYS_INLINE uint64_t ptf_wk_leaf_a(uint64_t e)
{
	(void)e;
	return AMDV1_A;
}

PT_ALWAYS_INLINE bool ptf_wk_no_af(uint64_t e)
{
	(void)e;
	return false;
}

PT_ALWAYS_INLINE uint64_t ptf_wk_set_dirty(uint64_t e)
{
	return e | AMDV1_D;
}

PT_ALWAYS_INLINE bool ptf_wk_dirty(uint64_t e)
{
	return e & AMDV1_D;
}

#include "pt_algo.h"
