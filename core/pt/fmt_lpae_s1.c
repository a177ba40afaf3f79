// SPDX-License-Identifier: MIT
/*
 * fmt_lpae_s1.c - Arm VMSAv8-64 stage-1 tables as the SMMU walks them
 * (smmuv3.md 4.8, 4.9), on the engine; the geometry and the table and
 * address fields are pt_lpae.h's.
 *
 * Leaves as Linux writes them (4.14, TV1, TV6): type, AF, nG with
 * PT_FEAT_NG, AP[1] (unprivileged access) unless PT_PROT_PRIV, AP[2]
 * (read-only) unless IOMMU_WRITE, AttrIndx 1 (Normal WB, the default) /
 * 2 (Device, IOMMU_MMIO) / 0 (Normal NC, PT_PROT_NC) of the MAIR Linux
 * programs (4.12), SH inner-shareable for the cacheable index and
 * outer-shareable otherwise, PXN | UXN with PT_PROT_NOEXEC.
 *
 * Dirty tracking (HTTU, 4.8 DBM): AP[2] is the dirty state.  A tracked
 * writable leaf is written DBM | AP[2] (writable-clean); the hardware
 * (pt_walk() with PT_WALK_HD) clears AP[2] on the first write, which makes
 * it dirty; cleaning sets AP[2] again.  Untracked writable leaves have
 * AP[2] clear and no DBM.
 */
#define PTF_OPS	 pt_fmt_lpae_s1
#define PTF_ID	 PT_FMT_LPAE_S1
#define PTF_NAME "lpae_s1"
#include "pt_lpae.h"

#define S1_ATTRIDX(n) ((uint64_t)(n) << 2) /* 4.8 [4:2] */
#define S1_AP1	      (1ull << 6)  /* 4.9: unprivileged access */
#define S1_AP2	      (1ull << 7)  /* 4.9: read-only */
#define S1_SH_OSH     (2ull << 8)  /* 4.8 [9:8] */
#define S1_SH_ISH     (3ull << 8)
#define S1_NG	      (1ull << 11) /* 4.8 */
#define S1_PXN	      (1ull << 53) /* 4.8 */
#define S1_UXN	      (1ull << 54)
#define S1_APT0	      (1ull << 61) /* 4.7 APTable[0]: no unprivileged */
#define S1_APT1	      (1ull << 62) /* 4.7 APTable[1]: no write */
#define S1_PXNT	      (1ull << 59) /* 4.7 PXNTable */
#define S1_UXNT	      (1ull << 60) /* 4.7 UXNTable */

/* MAIR indices of the value Linux programs (smmuv3 4.12). */
#define S1_IDX_NC    0 /* 0x44 Normal NC */
#define S1_IDX_CACHE 1 /* 0xFF Normal WB RWA */
#define S1_IDX_DEV   2 /* 0x04 Device-nGnRE */

/* ---- driver side --------------------------------------------------------- */

static int ptf_geom(const struct pt_cfg *cfg, struct pt_geom *g)
{
	return lpae_geom(cfg, g, false,
			 PT_FEAT_CONTIG | PT_FEAT_DIRTY | PT_FEAT_NG |
			     PT_FEAT_DS);
}

/*
 * Leaf attributes (smmuv3 4.8, 4.9, 4.14; TV1): everything of a leaf but
 * its type, address and Contiguous bit.  IOMMU_MMIO wins over PT_PROT_NC
 * (as Linux checks MMIO first).
 */
PT_ALWAYS_INLINE uint64_t ptf_leaf_attr(const struct pt *pt, unsigned int prot)
{
	uint64_t e = LPAE_AF;

	if (prot & IOMMU_MMIO)
		e |= S1_ATTRIDX(S1_IDX_DEV) | S1_SH_OSH;
	else if (prot & PT_PROT_NC)
		e |= S1_ATTRIDX(S1_IDX_NC) | S1_SH_OSH;
	else
		e |= S1_ATTRIDX(S1_IDX_CACHE) | S1_SH_ISH;
	if (PTF_DS(pt)) /* bits 9:8 are OA[51:50]; SH is CD.SH0's (4.11) */
		e &= ~(S1_SH_ISH | S1_SH_OSH);
	if (pt->cfg.features & PT_FEAT_NG)
		e |= S1_NG;
	if (!(prot & PT_PROT_PRIV))
		e |= S1_AP1;
	if (!(prot & IOMMU_WRITE))
		e |= S1_AP2;
	else if (__atomic_load_n(&pt->dirty, __ATOMIC_RELAXED))
		e |= LPAE_DBM | S1_AP2; /* writable-clean */
	if (prot & PT_PROT_NOEXEC)
		e |= S1_PXN | S1_UXN;
	return e;
}

/* Writable: plainly (AP[2] clear) or through DBM. */
PT_ALWAYS_INLINE bool ptf_d_writable(uint64_t e)
{
	return (e & LPAE_DBM) || !(e & S1_AP2);
}

PT_ALWAYS_INLINE bool ptf_d_dirty(uint64_t e)
{
	return !(e & S1_AP2);
}

PT_ALWAYS_INLINE uint64_t ptf_d_clean(uint64_t e)
{
	return e | LPAE_DBM | S1_AP2;
}

PT_ALWAYS_INLINE uint64_t ptf_d_plain(uint64_t e)
{
	return e & ~(LPAE_DBM | S1_AP2);
}

/* ---- model side ---------------------------------------------------------- */

PT_ALWAYS_INLINE int ptf_wk_geom(const struct pt_walk_desc *d,
				 struct pt_geom *g)
{
	return lpae_wk_geom(d, g, false);
}

/*
 * One descriptor in the order of smmuv3 4.13 (steps 4..6 here; AF and the
 * permission check are the walk's, steps 7 and 8).  A table narrows what
 * lies below it (4.7) unless CD.HADx (PT_WALK_HAD): APTable[0] takes
 * unprivileged read and write, APTable[1] every write, PXNTable /
 * UXNTable privileged / unprivileged execution.  A leaf (4.9): AP[1]
 * clear takes unprivileged read and write, AP[2] set every write (unless
 * the hardware manages dirty state, PT_WALK_HD, and DBM is set: the write
 * then makes it dirty), PXN / UXN execution; a page that stays writable by
 * unprivileged accesses (after APTable and DBM, as the permissions take
 * effect) is never privileged-executable.  WXN and PAN are CD controls
 * the description does not carry; not modelled.
 */
PT_ALWAYS_INLINE int ptf_wk_entry(const struct pt_walk_desc *d,
				  struct pt_wk *w, uint64_t e, unsigned int lvl,
				  unsigned int access)
{
	int err = lpae_wk_decode(d, w, e, lvl);

	(void)access;
	if (err)
		return err;
	if (!w->leaf) {
		if (d->flags & PT_WALK_HAD)
			return 0;
		if (e & S1_APT0)
			w->perm &= ~(PT_PERM_UR | PT_PERM_UW);
		if (e & S1_APT1)
			w->perm &= ~PT_PERM_W;
		if (e & S1_PXNT)
			w->perm &= ~PT_PERM_PX;
		if (e & S1_UXNT)
			w->perm &= ~PT_PERM_UX;
		return 0;
	}
	if (!(e & S1_AP1))
		w->perm &= ~(PT_PERM_UR | PT_PERM_UW);
	if ((e & S1_AP2) &&
	    !((d->flags & PT_WALK_HD) && (e & LPAE_DBM)))
		w->perm &= ~PT_PERM_W;
	if (e & S1_PXN)
		w->perm &= ~PT_PERM_PX;
	if (e & S1_UXN)
		w->perm &= ~PT_PERM_UX;
	if (w->perm & PT_PERM_UW)
		w->perm &= ~PT_PERM_PX;
	return 0;
}

/* HD: a write to a DBM leaf clears AP[2] (smmuv3 4.8 DBM). */
PT_ALWAYS_INLINE uint64_t ptf_wk_set_dirty(uint64_t e)
{
	return e & LPAE_DBM ? e & ~S1_AP2 : e;
}

/* Dirty = writable: AP[2] clear. */
PT_ALWAYS_INLINE bool ptf_wk_dirty(uint64_t e)
{
	return !(e & S1_AP2);
}

#include "pt_algo.h"
