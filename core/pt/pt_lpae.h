/* SPDX-License-Identifier: MIT */
/*
 * pt_lpae.h - Arm VMSAv8-64 translation tables as the SMMU walks them
 * (smmuv3.md 4): what stage 1 (fmt_lpae_s1.c) and stage 2 (fmt_lpae_s2.c)
 * share.  Each stage file includes this header, defines its own leaf
 * attributes, dirty forms and permission decode, then includes pt_algo.h.
 *
 * Granule 4K, 16K or 64K (g = 12, 14, 16) chosen per table, so PTF_G()
 * reads the configuration.  Our level L is Arm level 3 - L: level 0 holds
 * the granule pages, the top level is 4 - (Arm start level) - 1.  No DS
 * and no STT (smmuv3 4.2, 4.4): the driver builds what Linux builds, with
 * inputs of 25..48 bits; the walker also takes the 64K granule's inputs
 * of up to 52 bits, whose support the model checks.
 *
 * Shared here: the descriptor type (4.6), the table descriptor (4.7, 4.14:
 * address | 0b11, nothing else), the address fields with the 64K granule's
 * OA[51:48] in bits 15:12 (4.11), leaf sizes and contiguous runs (4.5),
 * and the parts of the walk both stages do the same way: the checks of
 * steps 4 and 5 of 4.13 and the leaf's size and output address.
 *
 * A contiguous run (Contiguous, bit 52) is one leaf of 2^k entries, each
 * holding its own output address (the first one's plus its offset), all
 * with the Contiguous bit.  The walker models a TLB that caches the whole
 * run from one descriptor: the leaf's size is the run's and its output
 * address the descriptor's aligned down to the run (Arm allows that; in a
 * run whose entries disagree, the guest's mistake, the entry a walk reads
 * decides for the whole run).
 */
#ifndef IOMMU_CORE_PT_LPAE_H
#define IOMMU_CORE_PT_LPAE_H

#include "pt_defs.h"

#define LPAE_VALID  (1ull << 0)	 /* 4.6: bit 0 = 0 is invalid */
#define LPAE_NOBLK  (1ull << 1)	 /* 4.6: 0b11 table / page, 0b01 block */
#define LPAE_TYPE   (LPAE_VALID | LPAE_NOBLK)
#define LPAE_AF	    (1ull << 10) /* 4.8, 4.10 */
#define LPAE_DBM    (1ull << 51) /* 4.8, 4.10 */
#define LPAE_CONT   (1ull << 52) /* 4.5, 4.8, 4.10 */
#define LPAE_OA_HI  PT_GENMASK(15, 12) /* 4.11: 64K, OA[51:48] */

#define PTF_G(pt)      ((pt)->cfg.granule_lg2)
#define PTF_WK_G(d)    ((d)->granule_lg2 ? (d)->granule_lg2 : 12u)
#define PTF_WK_G_VARIES /* 12, 14 or 16 per description */
#define PTF_RUNS       1
#define PTF_RUN_MASK   LPAE_CONT
#define PTF_DS(pt)     ((pt)->cfg.features & PT_FEAT_DS)
/* 64K: OA[51:48] sit in bits 15:12; DS: OA[51:50] in bits 9:8. */
#define PTF_OA_LINEAR(pt) (PTF_G(pt) != 16 && !PTF_DS(pt))
#define PTF_DIRTY      1
#define PTF_WK_TABLE_A 0ull /* AF in tables needs HAFT: not modelled */

/* ---- driver side --------------------------------------------------------- */

/*
 * Leaf sizes per level, as log2 of the bytes (smmuv3 4.5), indexed by
 * (g - 12) / 2 and our level; 0 = no leaf there.  The 64K granule's 4T
 * block at Arm level 1 exists only with a 52-bit output (FEAT_LPA) and is
 * added by lpae_geom() then.
 */
static const uint8_t lpae_leaf_lg2[3][4] = {
	{12, 21, 30, 0}, /* 4K: page, 2M, 1G; Arm L0 table only */
	{14, 25, 0, 0},	 /* 16K: page, 32M; Arm L1 and L0 table only */
	{16, 29, 0, 0},	 /* 64K: page, 512M; (4T) */
};

/*
 * Contiguous-run sizes per level (smmuv3 4.5, "Contiguous group"), log2
 * of the run's bytes; 0 = no run at that level.
 */
static const uint8_t lpae_cont_lg2[3][4] = {
	{16, 25, 34, 0}, /* 4K: 64K, 32M, 16G */
	{21, 30, 0, 0},	 /* 16K: 2M, 1G */
	{21, 34, 0, 0},	 /* 64K: 2M, 16G */
};

/**
 * lpae_geom() - check a table configuration and give its shape
 * @s2: stage 2: concatenate instead of starting at Arm level 0 with a
 *     top table of 16 entries or fewer (smmuv3 4.4, 4.14, TV5)
 * @feats: the PT_FEAT_* the stage accepts
 *
 * Levels and top-table bits follow Linux (smmuv3 4.14): levels =
 * ceil((ia - g) / s), the top table resolving what is left.  Input 25..48
 * bits holds every granule's start levels without STT or DS (4.2, 4.4);
 * output up to 48 bits, or 52 with the 64K granule, whose descriptors carry
 * OA[51:48] in bits 15:12, or with PT_FEAT_DS at 4K/16K, whose carry
 * OA[49:48] in bits 49:48 and OA[51:50] in bits 9:8 (4.11).
 */
static int lpae_geom(const struct pt_cfg *cfg, struct pt_geom *g, bool s2,
		     unsigned int feats)
{
	const unsigned int gr = cfg->granule_lg2 ? cfg->granule_lg2 : 12;
	const unsigned int ia = cfg->ia_bits;
	const bool oa52 = cfg->oa_bits == 52;
	const bool ds = cfg->features & PT_FEAT_DS;
	unsigned int s, levels, top;

	if ((gr != 12 && gr != 14 && gr != 16) || ia < 25 || ia > 48 ||
	    (cfg->oa_bits > 48 && !(oa52 && (gr == 16 || ds))) ||
	    (ds && gr == 16) || (cfg->features & ~feats))
		return -EINVAL;
	s = gr - 3;
	levels = (ia - gr + s - 1) / s;
	top = ia - gr - s * (levels - 1);
	if (s2 && levels == 4 && top <= 4) {
		levels = 3;
		top += s; /* 2..16 tables of Arm level 1 */
	}
	if (cfg->levels && cfg->levels != levels)
		return -EINVAL;
	g->g = gr;
	g->levels = levels;
	g->top_bits = top;
	g->ia_bits = ia;
	for (unsigned int l = 0; l < levels; l++) {
		const unsigned int es = gr + s * l;
		const unsigned int bits = l == levels - 1 ? top : s;
		unsigned int leaf = lpae_leaf_lg2[(gr - 12) / 2][l];
		const unsigned int cont = lpae_cont_lg2[(gr - 12) / 2][l];

		if (gr == 16 && l == 2 && oa52)
			leaf = 42; /* 4T block with FEAT_LPA (4.5) */
		if (!leaf)
			continue;
		g->lvl_sizes[l] = 1ull << leaf;
		/* A run must fit in its table (a small top table). */
		if ((cfg->features & PT_FEAT_CONTIG) && cont &&
		    cont - es <= bits)
			g->lvl_sizes[l] |= 1ull << cont;
	}
	return 0;
}

PT_ALWAYS_INLINE bool ptf_present(uint64_t e)
{
	return e & LPAE_VALID;
}

/* Bit 0 is the valid bit already (smmuv3 4.6). */
PT_ALWAYS_INLINE uint64_t ptf_valid_bit0(uint64_t e)
{
	return e;
}

/* 0b11 above the page level is a table (smmuv3 4.6). */
PT_ALWAYS_INLINE bool ptf_is_table(uint64_t e, unsigned int lvl)
{
	return lvl && (e & LPAE_TYPE) == LPAE_TYPE;
}

/*
 * Address -> descriptor address field (smmuv3 4.11, TV6); @ds: the
 * FEAT_LPA2 layout of 4K/16K (PA[49:48] in place, PA[51:50] in bits 9:8).
 */
PT_ALWAYS_INLINE uint64_t lpae_addr_enc(unsigned int g, bool ds, uint64_t pa)
{
	uint64_t f = pa & PT_GENMASK(ds ? 49 : 47, g);

	if (g == 16)
		f |= (pa >> 36) & LPAE_OA_HI; /* PA[51:48] -> bits 15:12 */
	if (ds)
		f |= ((pa >> 50) & 3) << 8; /* PA[51:50] -> bits 9:8 */
	return f;
}

/* Descriptor address field -> address (smmuv3 4.11). */
PT_ALWAYS_INLINE uint64_t lpae_addr_dec(unsigned int g, bool ds, uint64_t e)
{
	uint64_t pa = e & PT_GENMASK(ds ? 49 : 47, g);

	if (g == 16)
		pa |= (e & LPAE_OA_HI) << 36;
	if (ds)
		pa |= ((e >> 8) & 3) << 50;
	return pa;
}

PT_ALWAYS_INLINE uint64_t ptf_table_pa(const struct pt *pt, uint64_t e)
{
	return lpae_addr_dec(PTF_G(pt), PTF_DS(pt), e);
}

/* Table descriptor: NLTA | 0b11, the attributes left 0 (4.7, 4.14). */
PT_ALWAYS_INLINE uint64_t ptf_mk_table(const struct pt *pt, uint64_t pa,
				       unsigned int lvl)
{
	(void)lvl;
	return lpae_addr_enc(PTF_G(pt), PTF_DS(pt), pa) | LPAE_TYPE;
}

/* The leaf's size: the run's with the Contiguous bit (smmuv3 4.5). */
PT_ALWAYS_INLINE unsigned int ptf_leaf_lg2(const struct pt *pt, uint64_t e,
					   unsigned int lvl)
{
	const unsigned int g = PTF_G(pt);

	if ((e & LPAE_CONT) && lpae_cont_lg2[(g - 12) / 2][lvl])
		return lpae_cont_lg2[(g - 12) / 2][lvl];
	return g + (g - 3) * lvl;
}

PT_ALWAYS_INLINE uint64_t ptf_leaf_oa(const struct pt *pt, uint64_t e,
				      unsigned int lg2)
{
	return lpae_addr_dec(PTF_G(pt), PTF_DS(pt), e) & ~((1ull << lg2) - 1);
}

/*
 * First entry of a leaf (smmuv3 4.6, 4.8, 4.10): page (0b11) at level 0,
 * block (0b01) above; a run's entries carry the Contiguous bit.
 */
PT_ALWAYS_INLINE uint64_t ptf_mk_leaf(const struct pt *pt, uint64_t pa,
				      unsigned int lg2, unsigned int lvl,
				      uint64_t attr)
{
	const unsigned int g = PTF_G(pt);

	return attr | lpae_addr_enc(g, PTF_DS(pt), pa) |
	       (lvl ? LPAE_VALID : LPAE_TYPE) |
	       (lg2 != g + (g - 3) * lvl ? LPAE_CONT : 0);
}

/* Each entry of a run holds its own output address (smmuv3 4.5). */
PT_ALWAYS_INLINE uint64_t ptf_leaf_step(const struct pt *pt, unsigned int lg2,
					unsigned int lvl)
{
	const unsigned int g = PTF_G(pt);

	(void)lg2;
	return 1ull << (g + (g - 3) * lvl);
}

/* ---- model side ---------------------------------------------------------- */

/*
 * Written apart from the driver's tables above: the walker says the same
 * facts in Arm's terms (Arm level = 3 - our level; run lengths in entries),
 * so one misreading of the sheet does not pass through both sides.
 */

/**
 * lpae_wk_geom() - check a walk description (from a CD or an STE)
 * @s2: stage 2: 2..16 concatenated top tables allowed (smmuv3 4.4)
 *
 * Consistent descriptions (smmuv3 4.1, 4.2, 4.4, without STT or DS):
 * input 25..48 bits (64K: up to 52, the model checks 52-bit support);
 * start level 0 needs the 4K or 16K granule (and 16K only at stage 1,
 * where only a 48-bit input starts there); start level 3 needs 16K or 64K
 * (4K needs STT); the top table resolves 1..s bits, at stage 2 up to s + 4
 * with concatenation, which Arm level 0 and the 64K granule's level 1 do
 * not allow.  @d->top_bits 0 derives it from @d->ia_bits; both given
 * must agree.
 */
PT_ALWAYS_INLINE int lpae_wk_geom(const struct pt_walk_desc *d,
				  struct pt_geom *g, bool s2)
{
	const unsigned int gr = PTF_WK_G(d);
	const unsigned int start = 4 - (unsigned int)d->levels;
	unsigned int s, below, top;

	if ((gr != 12 && gr != 14 && gr != 16) || d->levels < 1 ||
	    d->levels > 4)
		return -1;
	s = gr - 3;
	if ((start == 0 && (gr == 16 || (gr == 14 && s2))) ||
	    (start == 3 && gr == 12))
		return -1;
	below = gr + s * (d->levels - 1u);
	if (d->top_bits) {
		top = d->top_bits;
		if (d->ia_bits && d->ia_bits != below + top)
			return -1;
	} else {
		if (d->ia_bits <= below)
			return -1;
		top = d->ia_bits - below;
	}
	if (below + top < 25 || below + top > (gr == 16 ? 52u : 48u))
		return -1;
	if (top > s && (!s2 || top > s + 4 || start == 0 ||
			(gr == 16 && start == 1)))
		return -1;
	g->g = gr;
	g->levels = d->levels;
	g->top_bits = top;
	g->ia_bits = below + top;
	return 0;
}

/* Step 1 of smmuv3 4.13: the input lies below 2^IAS (4.3). */
PT_ALWAYS_INLINE bool ptf_wk_in_range(const struct pt_walk_desc *d,
				      const struct pt_geom *g, uint64_t ia)
{
	(void)d;
	return !(ia >> g->ia_bits);
}

/*
 * Effective output size: @d->oa_bits (0: the widest the granule has).
 * Without DS the 4K and 16K descriptors hold OA[47:g] only, so a 52-bit
 * IPS / S2PS acts as 48 bits for them (smmuv3 4.11); PT_WALK_DS gives
 * them 52.
 */
PT_ALWAYS_INLINE unsigned int lpae_wk_oab(const struct pt_walk_desc *d,
					  unsigned int g)
{
	const unsigned int widest =
	    g == 16 || (d->flags & PT_WALK_DS) ? 52 : 48;

	return d->oa_bits && d->oa_bits < widest ? d->oa_bits : widest;
}

/*
 * Can Arm level @arm hold a block (0b01)?  smmuv3 4.5, 4.6: 4K at levels 1
 * and 2 (1G, 2M), and 0 (512G) with DS; 16K at level 2 (32M), and 1 (64G)
 * with DS; 64K at level 2 (512M) and at level 1 (4T) only with a 52-bit
 * output.  Level 3 never (a page is 0b11).
 */
PT_ALWAYS_INLINE bool lpae_wk_block_ok(unsigned int g, unsigned int arm,
				       unsigned int oab, bool ds)
{
	switch (g) {
	case 12:
		return arm == 1 || arm == 2 || (arm == 0 && ds);
	case 14:
		return arm == 2 || (arm == 1 && ds);
	default:
		return arm == 2 || (arm == 1 && oab == 52);
	}
}

/*
 * Entries in a contiguous run at Arm level @arm (smmuv3 4.5); 1 where the
 * granule has no run at that level (the Contiguous bit is then only a
 * hint the walker ignores).
 */
PT_ALWAYS_INLINE unsigned int lpae_wk_run(unsigned int g, unsigned int arm)
{
	switch (g) {
	case 12:
		return arm >= 1 ? 16 : 1; /* L3, L2, L1: 16 each */
	case 14:
		return arm == 3 ? 128 : arm == 2 ? 32 : 1;
	default:
		return arm == 3 || arm == 2 ? 32 : 1;
	}
}

/*
 * Steps 4 and 5 of smmuv3 4.13 for the descriptor @e at our level @lvl,
 * and what both stages read the same way: invalid (bit 0 clear, the other
 * bits free for software, 4.6); a block where the level cannot hold one,
 * or a bit of @d->rsvd, is reserved; then the next-table or output address
 * (4.11; the 64K granule's bits 15:12 always read as its bits 51:48, so
 * with a narrower output they are an address-size fault) against the
 * output size.  Fills w->next / w->next_lvl for a table, w->leaf, w->lg2
 * and w->oa for a leaf; the stage adds the permissions.
 */
PT_ALWAYS_INLINE int lpae_wk_decode(const struct pt_walk_desc *d,
				    struct pt_wk *w, uint64_t e,
				    unsigned int lvl)
{
	const unsigned int g = w->g, arm = 3 - lvl;
	const unsigned int oab = lpae_wk_oab(d, g);
	const bool leaf = arm == 3 || !(e & LPAE_NOBLK);
	const bool ds = g != 16 && (d->flags & PT_WALK_DS);
	uint64_t addr;

	if (!(e & LPAE_VALID))
		return PT_WALK_NOT_PRESENT;
	if (!(e & LPAE_NOBLK) &&
	    (arm == 3 || !lpae_wk_block_ok(g, arm, oab, ds) ||
	     (d->leaf_levels && !(d->leaf_levels & (1u << lvl)))))
		return PT_WALK_RSVD;
	if (e & d->rsvd)
		return PT_WALK_RSVD;
	addr = e & ((1ull << (ds ? 50 : 48)) - (1ull << g));
	if (g == 16)
		addr |= ((e >> 12) & 0xf) << 48;
	if (ds) /* FEAT_LPA2: OA[51:50] in bits 9:8 (4.11) */
		addr |= ((e >> 8) & 3) << 50;
	if (leaf) /* a block's bits below its size are not address (4.11) */
		addr &= ~((1ull << (g + (g - 3) * lvl)) - 1);
	if (addr >> oab)
		return PT_WALK_ADDR_SIZE;
	if (!leaf)
		return pt_wk_table(w, addr, lvl - 1);
	return pt_wk_leaf(w,
			  g + (g - 3) * lvl +
				  (e & LPAE_CONT ? (unsigned int)__builtin_ctz(
							   lpae_wk_run(g, arm))
						 : 0),
			  addr);
}

/* Step 7 of smmuv3 4.13: AF (bit 10) clear faults unless HA or AFFD. */
PT_ALWAYS_INLINE bool ptf_wk_no_af(uint64_t e)
{
	return !(e & LPAE_AF);
}

/* What HA sets in a leaf it uses: AF (smmuv3 4.13 step 7). */
PT_ALWAYS_INLINE uint64_t ptf_wk_leaf_a(uint64_t e)
{
	(void)e;
	return LPAE_AF;
}

#endif /* IOMMU_CORE_PT_LPAE_H */
