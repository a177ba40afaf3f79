// SPDX-License-Identifier: MIT
/*
 * fmt_lpae_s2.c - Arm VMSAv8-64 stage-2 tables as the SMMU walks them
 * (smmuv3.md 4.10), on the engine; the geometry (with 2..16 concatenated
 * top tables, 4.4), the table and address fields are pt_lpae.h's.
 *
 * Leaves as Linux writes them (4.10, 4.14, TV1's stage-2 line): type, AF,
 * S2AP[0] (bit 6) for IOMMU_READ and S2AP[1] (bit 7) for IOMMU_WRITE,
 * MemAttr 0xF (Normal WB, the default) / 0x5 (Normal NC, PT_PROT_NC) /
 * 0x1 (Device-nGnRE, IOMMU_MMIO), SH inner-shareable when cacheable and
 * outer-shareable otherwise.
 *
 * Execute-never (smmuv3 10 item 13): PT_PROT_NOEXEC writes bit 54 only.
 * Linux sets bits 53 and 54, but bit 53 is RES0 unless the SMMU has
 * IDR3.XNX, and with XNX the pair 0b11 means "EL1 may execute"; bit 54
 * alone is XN without XNX and XN[1:0] = 0b10 "no execution at all" with
 * it, so it says the same thing to both.  The walker (no XNX) reads bit
 * 54 as XN for every access and leaves bit 53 alone (a model that wants
 * it reserved puts it in pt_walk_desc.rsvd).
 *
 * Dirty tracking (HTTU, 4.10 DBM): S2AP[1] is the dirty state.  A tracked
 * writable leaf is written DBM with S2AP[1] clear (writable-clean); the
 * hardware (pt_walk() with PT_WALK_HD) sets S2AP[1] on the first write;
 * cleaning clears it again.  Untracked writable leaves have S2AP[1] set
 * and no DBM.
 */
#define PTF_OPS	 pt_fmt_lpae_s2
#define PTF_ID	 PT_FMT_LPAE_S2
#define PTF_NAME "lpae_s2"
#include "pt_lpae.h"

#define S2_MEMATTR(n) ((uint64_t)(n) << 2) /* 4.10 [5:2] */
#define S2_AP_R	      (1ull << 6)  /* 4.10 S2AP[0] */
#define S2_AP_W	      (1ull << 7)  /* 4.10 S2AP[1] */
#define S2_SH_OSH     (2ull << 8)  /* 4.10 [9:8], as stage 1 */
#define S2_SH_ISH     (3ull << 8)
#define S2_XN	      (1ull << 54) /* 4.10 XN (XN[1] with XNX) */

#define S2_MEM_WB  0xF /* Normal, inner and outer WB */
#define S2_MEM_NC  0x5 /* Normal, inner and outer NC */
#define S2_MEM_DEV 0x1 /* Device-nGnRE */

/* ---- driver side --------------------------------------------------------- */

static int ptf_geom(const struct pt_cfg *cfg, struct pt_geom *g)
{
	return lpae_geom(cfg, g, true, PT_FEAT_CONTIG | PT_FEAT_DIRTY);
}

/*
 * Leaf attributes (smmuv3 4.10, 4.14; TV1 stage 2): everything of a leaf
 * but its type, address and Contiguous bit.  IOMMU_MMIO wins over
 * PT_PROT_NC; PT_PROT_PRIV means nothing at stage 2.
 */
PT_ALWAYS_INLINE uint64_t ptf_leaf_attr(const struct pt *pt, unsigned int prot)
{
	uint64_t e = LPAE_AF;

	if (prot & IOMMU_MMIO)
		e |= S2_MEMATTR(S2_MEM_DEV) | S2_SH_OSH;
	else if (prot & PT_PROT_NC)
		e |= S2_MEMATTR(S2_MEM_NC) | S2_SH_OSH;
	else
		e |= S2_MEMATTR(S2_MEM_WB) | S2_SH_ISH;
	if (prot & IOMMU_READ)
		e |= S2_AP_R;
	if (prot & IOMMU_WRITE)
		e |= __atomic_load_n(&pt->dirty, __ATOMIC_RELAXED)
			     ? LPAE_DBM /* writable-clean */
			     : S2_AP_W;
	if (prot & PT_PROT_NOEXEC)
		e |= S2_XN;
	return e;
}

/* Writable: plainly (S2AP[1]) or through DBM. */
PT_ALWAYS_INLINE bool ptf_d_writable(uint64_t e)
{
	return e & (LPAE_DBM | S2_AP_W);
}

PT_ALWAYS_INLINE bool ptf_d_dirty(uint64_t e)
{
	return e & S2_AP_W;
}

PT_ALWAYS_INLINE uint64_t ptf_d_clean(uint64_t e)
{
	return (e | LPAE_DBM) & ~S2_AP_W;
}

PT_ALWAYS_INLINE uint64_t ptf_d_plain(uint64_t e)
{
	return (e & ~LPAE_DBM) | S2_AP_W;
}

/* ---- model side ---------------------------------------------------------- */

PT_ALWAYS_INLINE int ptf_wk_geom(const struct pt_walk_desc *d,
				 struct pt_geom *g)
{
	return lpae_wk_geom(d, g, true);
}

/*
 * One descriptor in the order of smmuv3 4.13 (steps 4..6 here; AF and the
 * permission check are the walk's, steps 7 and 8).  Stage-2 table
 * descriptors have no attributes (4.7: bits 59..63 RES0).  A leaf (4.10)
 * has no privilege distinction: S2AP[0] clear takes every read, S2AP[1]
 * clear every write (unless the hardware manages dirty state,
 * PT_WALK_HD, and DBM is set: the write then makes it dirty), XN (bit 54,
 * no XNX) every execution.
 */
PT_ALWAYS_INLINE int ptf_wk_entry(const struct pt_walk_desc *d,
				  struct pt_wk *w, uint64_t e, unsigned int lvl,
				  unsigned int access)
{
	int err = lpae_wk_decode(d, w, e, lvl);

	(void)access;
	if (err || !w->leaf)
		return err;
	if (!(e & S2_AP_R))
		w->perm &= ~PT_PERM_R;
	if (!(e & S2_AP_W) && !((d->flags & PT_WALK_HD) && (e & LPAE_DBM)))
		w->perm &= ~PT_PERM_W;
	if (e & S2_XN)
		w->perm &= ~PT_PERM_X;
	return 0;
}

/* HD: a write to a DBM leaf sets S2AP[1] (smmuv3 4.10 DBM). */
PT_ALWAYS_INLINE uint64_t ptf_wk_set_dirty(uint64_t e)
{
	return e & LPAE_DBM ? e | S2_AP_W : e;
}

/* Dirty = writable: S2AP[1] set. */
PT_ALWAYS_INLINE bool ptf_wk_dirty(uint64_t e)
{
	return e & S2_AP_W;
}

#include "pt_algo.h"
