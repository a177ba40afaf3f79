/* SPDX-License-Identifier: MIT */
/*
 * pt_quick.h - one last-level entry decoded inline, for a device model's
 * IOTLB miss.
 *
 * A walk that resumes at a last-level table (a paging-structure cache
 * hit, ilib_walk_cache.h) reads one entry.  When that entry is a plain
 * page the whole walk accepts as it stands (valid, allowed, no reserved
 * bit set, no access or dirty flag to write), the translation is the
 * entry's address and its permissions: a decoder here gives them in a few
 * instructions, with no struct pt_walk_desc, no call and no struct
 * pt_walk_res.  Any other entry it refuses, and the model runs pt_walk()
 * resumed at the same table, which reads the entry again and reports what
 * is wrong with it (or translates it, if it changed meanwhile).
 *
 * The contract of each decoder: it never accepts an entry pt_walk() would
 * not translate, and what it accepts it translates exactly as pt_walk()
 * does (output address, permissions); it may refuse more than it must.
 * tests/pt/test_quick.c holds every decoder to that on random and
 * corrupted entries against pt_walk() resumed at the same table.
 *
 * Each decoder covers the walks its model makes on a plain request; the
 * preconditions on the description are in its comment (a model checks
 * them once, when it decodes its configuration, not per request).  The
 * permissions of the levels above (@perm in) are PT_PERM_* bits only, as
 * a resume point holds them when the description's @perm was (pt_walk()
 * carries other bits of that field through some formats' permission
 * updates untouched; the decoders do not).
 */
#ifndef IOMMU_CORE_PT_QUICK_H
#define IOMMU_CORE_PT_QUICK_H

#include <endian.h>
#include <stdbool.h>
#include <stdint.h>

#include "pt_walk.h"

_Static_assert(PT_ACC_R == PT_PERM_UR && PT_ACC_W == PT_PERM_UW,
	       "an access bit is the permission bit it needs");

/* Entry @idx of the table at host address @table, as the walker reads it
 * (an atomic load: the guest may be writing it). */
static inline uint64_t pt_quick_load(const void *table, uint64_t idx)
{
	return le64toh(
	    __atomic_load_n((const uint64_t *)table + idx, __ATOMIC_ACQUIRE));
}

/* The index of @ia in a level-0 table of 4 KiB granules. */
static inline uint64_t pt_quick_idx4k(uint64_t ia)
{
	return (ia >> 12) & 511u;
}

/* ---- VT-d second stage (PT_FMT_VTDSS) ------------------------------------ */

/**
 * pt_quick_vtdss_rsvd() - the bits a level-0 VT-d second-stage entry must
 * have clear, for a description's @oa_bits and @rsvd
 * @oa_bits: struct pt_walk_desc @oa_bits (0: 52), at most 52
 * @rsvd: struct pt_walk_desc @rsvd
 * Return: the mask pt_quick_vtdss() takes.
 */
static inline uint64_t pt_quick_vtdss_rsvd(unsigned int oa_bits, uint64_t rsvd)
{
	const uint64_t addr = (UINT64_C(1) << 52) - 1;

	return rsvd | (addr & (~UINT64_C(0) << (oa_bits ? oa_bits : 52)));
}

/**
 * pt_quick_vtdss() - a level-0 (4 KiB) VT-d second-stage leaf, decoded
 * @e: the entry (pt_quick_load())
 * @rsvd: pt_quick_vtdss_rsvd() of the walk's description
 * @access: PT_ACC_R or PT_ACC_W, nothing else
 * @perm: in, the PT_PERM_* the levels above granted (the resume point's
 *     @start_perm); out, what the page grants (struct pt_walk_res @perm)
 * @oa: out, the page's output address (4 KiB aligned)
 *
 * For a valid description of PT_FMT_VTDSS with no flag but
 * PT_WALK_RESUME (no A or D to set, permissions checked), resumed at
 * level 0, and an input address within its width (the model's check).
 * Return: true and @perm and @oa, as pt_walk(); false: ask pt_walk().
 */
static inline bool pt_quick_vtdss(uint64_t e, uint64_t rsvd,
				  unsigned int access, uint32_t *perm,
				  uint64_t *oa)
{
	/* R (bit 0) grants PT_PERM_R, W (bit 1) PT_PERM_W: nine times each;
	 * the access bits are the unprivileged permission bits, so an
	 * entry with neither (not present) fails the access test. */
	const uint32_t p = *perm & ((uint32_t)(e & 3u) * 9u | PT_PERM_X);

	if ((p & access) != access || (e & rsvd))
		return false;
	*perm = p;
	*oa = e & (((UINT64_C(1) << 52) - 1) & ~UINT64_C(0xfff));
	return true;
}

/* ---- AMD-Vi host (PT_FMT_AMDV1) and guest (PT_FMT_AMDV2) tables ------- */

/*
 * Both formats keep A in bit 5 and D in bit 6 of a leaf, and the walk
 * flags PT_WALK_HA and PT_WALK_HD are bits 0 and 1, the second the bit of
 * PT_ACC_W: the flags a walk of @access updates with, shifted up by 5,
 * are the bits a leaf must already have for the walk to leave it alone.
 */
#define PT_QUICK_AMD_A (UINT64_C(1) << 5)
#define PT_QUICK_AMD_D (UINT64_C(1) << 6)
_Static_assert(PT_WALK_HA << 5 == PT_QUICK_AMD_A &&
		       PT_WALK_HD << 5 == PT_QUICK_AMD_D &&
		       PT_WALK_HD == PT_ACC_W,
	       "an A/D flag of the walk, shifted, is the leaf's bit");

/* The A and D bits a level-0 leaf must have for a walk with @flags
 * (PT_WALK_HA, PT_WALK_HD) and @access to update nothing. */
static inline uint64_t pt_quick_amd_ad(uint32_t flags, unsigned int access)
{
	return (uint64_t)(flags & (PT_WALK_HA | (PT_WALK_HD & access))) << 5;
}

/* Address bits at or above @oa_bits (0: 52), below 52. */
static inline uint64_t pt_quick_amd_oa_rsvd(unsigned int oa_bits)
{
	return ((UINT64_C(1) << 52) - 1) &
	       (~UINT64_C(0) << (oa_bits ? oa_bits : 52));
}

/**
 * pt_quick_amdv1_rsvd() - the bits a level-0 AMD-Vi v1 entry the decoder
 * takes must have clear, for a description's @oa_bits and @rsvd
 * @oa_bits: struct pt_walk_desc @oa_bits (0: 52), at most 52
 * @rsvd: struct pt_walk_desc @rsvd
 *
 * The PTE's reserved bits (56:52), @rsvd, the address bits at or above
 * @oa_bits, and NextLevel (11:9): a leaf of NextLevel 7 (a page larger
 * than 4 KiB) and a PDE (a fault at level 0) are pt_walk()'s.
 * Return: the mask pt_quick_amdv1() takes.
 */
static inline uint64_t pt_quick_amdv1_rsvd(unsigned int oa_bits, uint64_t rsvd)
{
	return rsvd | (UINT64_C(0x1f) << 52) | (UINT64_C(7) << 9) |
	       pt_quick_amd_oa_rsvd(oa_bits);
}

/**
 * pt_quick_amdv1_need() - the bits a level-0 AMD-Vi v1 entry must have set
 * @flags: struct pt_walk_desc @flags
 * @access: PT_ACC_R or PT_ACC_W
 * Return: PR, A under PT_WALK_HA, D under PT_WALK_HD for a write (what
 * the walk would otherwise set): what pt_quick_amdv1() takes.
 */
static inline uint64_t pt_quick_amdv1_need(uint32_t flags,
					   unsigned int access)
{
	return UINT64_C(1) | pt_quick_amd_ad(flags, access);
}

/**
 * pt_quick_amdv1() - a level-0 AMD-Vi host (v1) leaf of 4 KiB, decoded
 * @e: the entry (pt_quick_load())
 * @rsvd: pt_quick_amdv1_rsvd() of the walk's description
 * @need: pt_quick_amdv1_need() of its flags and @access
 * @access: PT_ACC_R or PT_ACC_W, nothing else
 * @perm: in, the PT_PERM_* the levels above granted (the resume point's
 *     @start_perm); out, what the page grants (struct pt_walk_res @perm)
 * @oa: out, the page's output address (4 KiB aligned)
 *
 * For a valid description of PT_FMT_AMDV1 with no flag but PT_WALK_HA,
 * PT_WALK_HD and PT_WALK_RESUME, resumed at level 0 (AMD level 1) for an
 * address of the region the resume point was kept for (within the
 * mode's width: the walk that kept it checked that).  A 4 KiB page only
 * (NextLevel 0); a NextLevel-7 page, whose size and address pt_walk()
 * decodes from the address field, is refused.
 * Return: true and @perm and @oa, as pt_walk(); false: ask pt_walk().
 */
static inline bool pt_quick_amdv1(uint64_t e, uint64_t rsvd, uint64_t need,
				  unsigned int access, uint32_t *perm,
				  uint64_t *oa)
{
	/* IR (bit 61) grants PT_PERM_R, IW (62) PT_PERM_W: nine times
	 * each; v1 entries leave PT_PERM_X as it was. */
	const uint32_t p = *perm & ((uint32_t)(e >> 61 & 3u) * 9u | PT_PERM_X);

	if ((p & access) != access || (e & need) != need || (e & rsvd))
		return false;
	*perm = p;
	*oa = e & (((UINT64_C(1) << 52) - 1) & ~UINT64_C(0xfff));
	return true;
}

/**
 * pt_quick_amdv2_rsvd() - the bits a level-0 AMD-Vi guest (v2) entry must
 * have clear, for a description's @oa_bits, @rsvd and @flags
 * @oa_bits: struct pt_walk_desc @oa_bits (0: 52), at most 52
 * @rsvd: struct pt_walk_desc @rsvd
 * @flags: struct pt_walk_desc @flags: XD (bit 63) is reserved without
 *     PT_WALK_NXE
 * Return: the mask pt_quick_amdv2() takes.
 */
static inline uint64_t pt_quick_amdv2_rsvd(unsigned int oa_bits, uint64_t rsvd,
					   uint32_t flags)
{
	return rsvd | (flags & PT_WALK_NXE ? 0 : UINT64_C(1) << 63) |
	       pt_quick_amd_oa_rsvd(oa_bits);
}

/**
 * pt_quick_amdv2_need() - the bits a level-0 AMD-Vi v2 entry must have set
 * for an unprivileged request
 * @flags: struct pt_walk_desc @flags
 * @access: PT_ACC_R or PT_ACC_W
 * Return: P and U/S, A under PT_WALK_HA, D under PT_WALK_HD for a write:
 * what pt_quick_amdv2() takes.
 */
static inline uint64_t pt_quick_amdv2_need(uint32_t flags,
					   unsigned int access)
{
	return UINT64_C(1) | UINT64_C(1) << 2 | pt_quick_amd_ad(flags, access);
}

/**
 * pt_quick_amdv2() - a level-0 (4 KiB) AMD-Vi guest (v2) leaf, decoded:
 * x86-64 long-mode entries
 * @e: the entry (pt_quick_load())
 * @rsvd: pt_quick_amdv2_rsvd() of the walk's description
 * @need: pt_quick_amdv2_need() of its flags and @access
 * @access: PT_ACC_R or PT_ACC_W, nothing else (an unprivileged request
 *     that fetches no instruction)
 * @perm: in, the PT_PERM_* the levels above granted (the resume point's
 *     @start_perm); out, what the page grants (struct pt_walk_res @perm)
 * @oa: out, the page's output address (4 KiB aligned)
 *
 * For a valid description of PT_FMT_AMDV2 with no flag but PT_WALK_HA,
 * PT_WALK_HD, PT_WALK_NXE and PT_WALK_RESUME, resumed at level 0 for an
 * address of the region the resume point was kept for (canonical: the
 * walk that kept it checked that).
 * Return: true and @perm and @oa, as pt_walk(); false: ask pt_walk().
 */
static inline bool pt_quick_amdv2(uint64_t e, uint64_t rsvd, uint64_t need,
				  unsigned int access, uint32_t *perm,
				  uint64_t *oa)
{
	/* P and U/S (@need) keep PT_PERM_R; R/W (bit 1) keeps PT_PERM_W,
	 * nine times it; XD (63, reserved without NXE) takes PT_PERM_X. */
	const uint32_t p =
	    *perm & (PT_PERM_R | (uint32_t)(e & 2u) * 9u |
		     (uint32_t)(~e >> 63) * PT_PERM_X);

	if ((p & access) != access || (e & need) != need || (e & rsvd))
		return false;
	*perm = p;
	*oa = e & (((UINT64_C(1) << 52) - 1) & ~UINT64_C(0xfff));
	return true;
}


/* ---- Arm VMSAv8-64, stage 1 and 2 (PT_FMT_LPAE_S1, PT_FMT_LPAE_S2) ---- */

/* The index of @ia in a level-0 table of 2^@g granules (12, 14, 16). */
static inline uint64_t pt_quick_lpae_idx(unsigned int g, uint64_t ia)
{
	return (ia >> g) & ((UINT64_C(1) << (g - 3)) - 1);
}

/*
 * The output address of @e if it is a plain page of granule 2^@g under
 * an output size of @oa_bits, else 1 (never a page's: they are aligned):
 * invalid, a block (bits 1:0 not 0b11), Contiguous (bit 52: the leaf is
 * the run), or an address beyond the output size.  The address field is
 * bits 47:g, with the 64K granule's OA[51:48] in bits 15:12 (smmuv3
 * 4.11); without DS nothing else.
 */
static inline uint64_t pt_quick_lpae_oa(uint64_t e, unsigned int g,
					unsigned int oa_bits)
{
	uint64_t a = e & ((UINT64_C(1) << 48) - (UINT64_C(1) << g));

	if (g == 16)
		a |= (e & UINT64_C(0xf000)) << 36;
	if ((e & (UINT64_C(1) << 52 | 3u)) != 3u || (a >> oa_bits))
		return 1;
	return a;
}

/**
 * pt_quick_lpae_s1() - a level-0 (granule page) stage-1 leaf, decoded
 * @e: the entry (pt_quick_load() at pt_quick_lpae_idx())
 * @g: the granule, log2: 12, 14 or 16 (struct pt_walk_desc @granule_lg2)
 * @oa_bits: the output size, 1..52 (struct pt_walk_desc @oa_bits, 0 read
 *     as 52)
 * @flags: struct pt_walk_desc @flags
 * @access: 0 (a look: no access-flag or permission check, as pt_walk()
 *     with access 0), PT_ACC_R or PT_ACC_W, nothing else
 * @perm: in, the PT_PERM_* the levels above granted (the resume point's
 *     @start_perm); out, what the page grants (struct pt_walk_res @perm)
 * @oa: out, the page's output address (granule aligned)
 *
 * For a valid description of PT_FMT_LPAE_S1 with no @rsvd, no flag but
 * PT_WALK_HA, _HD, _AFFD, _HAD and _RESUME (no DS: the FEAT_LPA2 layout;
 * no NO_PERM), resumed at level 0, and an input address within its
 * width (the model's check).  With an access it refuses a page with AF
 * clear (a fault, or an update with HA) and a write that would make the
 * page dirty (HD).  The dirty state pt_walk() reports is
 * pt_quick_lpae_s1_dirty().
 * Return: true and @perm and @oa, as pt_walk(); false: ask pt_walk().
 */
static inline bool pt_quick_lpae_s1(uint64_t e, unsigned int g,
				    unsigned int oa_bits, uint32_t flags,
				    unsigned int access, uint32_t *perm,
				    uint64_t *oa)
{
	const uint64_t a = pt_quick_lpae_oa(e, g, oa_bits);
	/* AP[2] (bit 7) set: read-only, unless HD and DBM (bit 51): then
	 * writable-clean, the write makes it dirty. */
	const bool clean = (e & UINT64_C(1) << 7) && (flags & PT_WALK_HD) &&
			   (e & UINT64_C(1) << 51);
	uint32_t p = *perm;

	if (a & 1)
		return false;
	if (!(e & UINT64_C(1) << 6)) /* AP[1]: no unprivileged access */
		p &= ~(uint32_t)(PT_PERM_UR | PT_PERM_UW);
	if ((e & UINT64_C(1) << 7) && !clean)
		p &= ~(uint32_t)PT_PERM_W;
	if (e & UINT64_C(1) << 53) /* PXN */
		p &= ~(uint32_t)PT_PERM_PX;
	if (e & UINT64_C(1) << 54) /* UXN */
		p &= ~(uint32_t)PT_PERM_UX;
	if (p & PT_PERM_UW) /* writable by EL0: never executable by EL1 */
		p &= ~(uint32_t)PT_PERM_PX;
	if (access && (!(e & UINT64_C(1) << 10) || (p & access) != access ||
		       ((access & PT_ACC_W) && clean)))
		return false;
	*perm = p;
	*oa = a;
	return true;
}

/* The dirty state pt_walk() reports for the stage-1 page @e: AP[2]
 * clear (writable). */
static inline bool pt_quick_lpae_s1_dirty(uint64_t e)
{
	return !(e & UINT64_C(1) << 7);
}

/**
 * pt_quick_lpae_s2() - a level-0 (granule page) stage-2 leaf, decoded
 * @e, @g, @oa_bits, @flags, @access, @perm, @oa: as pt_quick_lpae_s1()
 *
 * For a valid description of PT_FMT_LPAE_S2 under the conditions of
 * pt_quick_lpae_s1() (a stage-2 input is not cut to the input size: the
 * model checks it), refusing what that refuses.  The dirty state
 * pt_walk() reports is pt_quick_lpae_s2_dirty().
 * Return: true and @perm and @oa, as pt_walk(); false: ask pt_walk().
 */
static inline bool pt_quick_lpae_s2(uint64_t e, unsigned int g,
				    unsigned int oa_bits, uint32_t flags,
				    unsigned int access, uint32_t *perm,
				    uint64_t *oa)
{
	const uint64_t a = pt_quick_lpae_oa(e, g, oa_bits);
	/* S2AP[1] (bit 7) clear: no write, unless HD and DBM (bit 51):
	 * then writable-clean, the write makes it dirty. */
	const bool clean = !(e & UINT64_C(1) << 7) && (flags & PT_WALK_HD) &&
			   (e & UINT64_C(1) << 51);
	uint32_t p = *perm;

	if (a & 1)
		return false;
	if (!(e & UINT64_C(1) << 6)) /* S2AP[0]: no read */
		p &= ~(uint32_t)PT_PERM_R;
	if (!(e & UINT64_C(1) << 7) && !clean)
		p &= ~(uint32_t)PT_PERM_W;
	if (e & UINT64_C(1) << 54) /* XN */
		p &= ~(uint32_t)PT_PERM_X;
	if (access && (!(e & UINT64_C(1) << 10) || (p & access) != access ||
		       ((access & PT_ACC_W) && clean)))
		return false;
	*perm = p;
	*oa = a;
	return true;
}

/* The dirty state pt_walk() reports for the stage-2 page @e: S2AP[1]
 * set (writable). */
static inline bool pt_quick_lpae_s2_dirty(uint64_t e)
{
	return e & UINT64_C(1) << 7;
}

#endif /* IOMMU_CORE_PT_QUICK_H */
