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
 * them once, when it decodes its configuration, not per request).
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

#endif /* IOMMU_CORE_PT_QUICK_H */
