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

#endif /* IOMMU_CORE_PT_QUICK_H */
