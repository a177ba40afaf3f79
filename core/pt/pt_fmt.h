/* SPDX-License-Identifier: MIT */
/*
 * pt_fmt.h - entry formats of the page-table engine (driver side: encode
 * and the minimum decode the engine itself needs).
 *
 * Each helper takes the format as a compile-time constant; pt.c calls them
 * from walkers instantiated once per format, so the switch folds away.
 * A new format (lpae, amdv1) adds a case to each helper: present test,
 * leaf test, table entry, leaf entry, output address.
 *
 * Entries are little-endian in memory; the engine runs on little-endian
 * hosts (the helpers convert, which is free there).
 */
#ifndef IOMMU_CORE_PT_FMT_H
#define IOMMU_CORE_PT_FMT_H

#include <endian.h>
#include <stdbool.h>
#include <stdint.h>

#include "iommu/iommu.h"
#include "pt.h"

/* VT-d 5.1: second-stage entry bits. */
#define PT_VTDSS_R   (1ull << 0)
#define PT_VTDSS_W   (1ull << 1)
#define PT_VTDSS_PS  (1ull << 7)
#define PT_VTDSS_SNP (1ull << 11)

/* VT-d 5.2 / x86-64 paging: first-stage entry bits. */
#define PT_X86_P  (1ull << 0)
#define PT_X86_RW (1ull << 1)
#define PT_X86_US (1ull << 2)
#define PT_X86_A  (1ull << 5)
#define PT_X86_D  (1ull << 6)
#define PT_X86_PS (1ull << 7)

#define PT_ADDR_MASK 0x000FFFFFFFFFF000ull /* bits 51:12 */

#define PT_ALWAYS_INLINE static inline __attribute__((always_inline))

PT_ALWAYS_INLINE unsigned int pt_shift(unsigned int level)
{
	return 12 + 9 * level;
}

PT_ALWAYS_INLINE unsigned int pt_index(uint64_t iova, unsigned int level)
{
	return (unsigned int)(iova >> pt_shift(level)) & (PT_ENTRIES - 1);
}

/* Is @e (CPU order) present? */
PT_ALWAYS_INLINE bool pt_fmt_present(enum pt_fmt f, uint64_t e)
{
	if (f == PT_FMT_VTDSS)
		return e & (PT_VTDSS_R | PT_VTDSS_W); /* 5.1: no P bit */
	return e & PT_X86_P;
}

/* Is present entry @e at @level a leaf?  Both formats: PS is bit 7. */
PT_ALWAYS_INLINE bool pt_fmt_is_leaf(enum pt_fmt f, uint64_t e,
				     unsigned int level)
{
	(void)f;
	return level == 0 || (e & PT_VTDSS_PS);
}

/* Entry pointing to the next table at @pa. */
PT_ALWAYS_INLINE uint64_t pt_fmt_table(enum pt_fmt f, uint64_t pa)
{
	if (f == PT_FMT_VTDSS)
		return pa | PT_VTDSS_R | PT_VTDSS_W;		 /* 5.1, T5 */
	return pa | PT_X86_P | PT_X86_RW | PT_X86_US | PT_X86_A; /* T7 */
}

/* Leaf attributes (without address) for @prot at @level. */
PT_ALWAYS_INLINE uint64_t pt_fmt_leaf_attr(enum pt_fmt f, unsigned int prot,
					   unsigned int level, bool snoop)
{
	uint64_t e;

	if (f == PT_FMT_VTDSS) {
		e = (prot & IOMMU_READ ? PT_VTDSS_R : 0) |
		    (prot & IOMMU_WRITE ? PT_VTDSS_W : 0);
		if (level)
			e |= PT_VTDSS_PS;
		if (snoop)
			e |= PT_VTDSS_SNP;
		return e; /* T1..T4 */
	}
	/* 5.2: a present FL leaf is always readable; write adds R/W and a
	 * pre-set D (no hardware D update needed). */
	e = PT_X86_P | PT_X86_US | PT_X86_A;
	if (prot & IOMMU_WRITE)
		e |= PT_X86_RW | PT_X86_D;
	if (level)
		e |= PT_X86_PS;
	return e; /* T6 */
}

/* Output address of present entry @e (table or leaf) at @level. */
PT_ALWAYS_INLINE uint64_t pt_fmt_oa(enum pt_fmt f, uint64_t e,
				    unsigned int level, bool leaf)
{
	(void)f;
	if (leaf)
		return e & PT_ADDR_MASK & ~((1ull << pt_shift(level)) - 1);
	return e & PT_ADDR_MASK;
}

PT_ALWAYS_INLINE uint64_t pt_load(const uint64_t *p)
{
	return le64toh(__atomic_load_n(p, __ATOMIC_ACQUIRE));
}

PT_ALWAYS_INLINE uint64_t pt_load_relaxed(const uint64_t *p)
{
	return le64toh(__atomic_load_n(p, __ATOMIC_RELAXED));
}

PT_ALWAYS_INLINE void pt_store(uint64_t *p, uint64_t e)
{
	__atomic_store_n(p, htole64(e), __ATOMIC_RELEASE);
}

#endif /* IOMMU_CORE_PT_FMT_H */
