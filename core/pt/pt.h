/* SPDX-License-Identifier: MIT */
/*
 * pt.h - the page-table engine: radix IOMMU page tables in simulated
 * physical memory, written the way a driver writes them.
 *
 * One engine, several entry formats.  A format is a set of static inline
 * encode/decode helpers (pt_fmt.h); the walkers in pt.c are instantiated
 * once per format, so the inner loops have no function pointers.  Every
 * format here has 4 KiB tables of 512 64-bit entries (9 bits per level).
 * Levels are numbered from 0: level 0 holds only 4 KiB leaves, level 1
 * 2 MiB entries, level 2 1 GiB entries, and so on.
 *
 * Formats:
 *  - PT_FMT_VTDSS: VT-d second stage (vtd.md 5.1).  R bit 0, W bit 1,
 *    PS bit 7 on 2 MiB / 1 GiB leaves, address 51:12; present = R|W.
 *  - PT_FMT_X86_64: x86-64 / VT-d first stage (vtd.md 5.2).  P, R/W, U/S,
 *    A, D, PS; 4 or 5 levels; the lower canonical half only.
 *
 * Threads: pt_map(), pt_unmap() and pt_iova_to_phys() may run at the same
 * time on disjoint IOVA ranges of one table.  New tables are installed with
 * a compare-and-swap on the parent entry, so two threads never lose one;
 * leaves of disjoint ranges never collide.  A table page is freed only when
 * an unmap covers the table's whole IOVA span (no other thread can then be
 * using it) and only after the caller invalidated: unmap hands the pages
 * back in a struct pt_free_list.
 */
#ifndef IOMMU_CORE_PT_H
#define IOMMU_CORE_PT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommu/plugin.h"

#define PT_TABLE_SIZE 4096u
#define PT_ENTRIES    512u
#define PT_MAX_LEVELS 5u

enum pt_fmt {
	PT_FMT_VTDSS = 1,  /* VT-d second stage */
	PT_FMT_X86_64 = 2, /* x86-64 paging (VT-d first stage) */
};

/**
 * struct pt_cfg - what a table looks like
 * @fmt: entry format
 * @levels: number of levels, 3..5 (vtdss) or 4..5 (x86_64)
 * @ia_bits: input width: IOVAs below 2^@ia_bits are accepted
 * @oa_bits: output width (HAW): addresses at or above 2^@oa_bits refused
 * @pgsize_bitmap: leaf sizes allowed (bit 12, 21, 30 at most)
 * @snoop: vtdss: set SNP (bit 11) in leaves (ECAP.SC)
 */
struct pt_cfg {
	enum pt_fmt fmt;
	unsigned int levels;
	unsigned int ia_bits;
	unsigned int oa_bits;
	uint64_t pgsize_bitmap;
	bool snoop;
};

/**
 * struct pt - one page table
 * @cfg: its configuration
 * @host: where table pages come from
 * @root_pa: physical address of the top-level table
 *
 * The rest is private: a fast physical-to-host translation for table
 * pages (table memory is RAM, so the pointer is stable).
 */
struct pt {
	struct pt_cfg cfg;
	struct iommu_host *host;
	uint64_t root_pa;
	uint64_t *root;
	intptr_t delta;	  /* host pointer - PA for table pages */
	uint64_t lo, hi;  /* PA range covered by delta (atomics) */
	bool mixed;	  /* some page has another delta (atomic) */
	uint64_t oa_mask; /* address bits 51:12 under oa_bits */
};

/* One table page to free after the invalidation of [start, last]. */
struct pt_free_ent {
	uint64_t pa;
	uint64_t start;
	uint64_t last;
};

/* Table pages an unmap (or a map replacing an empty table) released. */
struct pt_free_list {
	struct pt_free_ent *v;
	size_t n;
	size_t cap;
	int err; /* -ENOMEM if an entry could not be recorded (page leaked) */
};

/**
 * pt_init() - allocate the top-level table
 * @pt: the table to set up
 * @host: table memory
 * @cfg: format and geometry
 *
 * Return: 0; -EINVAL bad @cfg; -ENOMEM no table memory; -EFAULT table
 * memory is not RAM.
 */
int pt_init(struct pt *pt, struct iommu_host *host, const struct pt_cfg *cfg);

/**
 * pt_destroy() - free every table page
 * Context: no other call may run on @pt.  The caller made sure no
 * hardware still uses the table.
 */
void pt_destroy(struct pt *pt);

/**
 * pt_map() - write @pgcount leaves of @pgsize from @iova to @pa
 * @prot: IOMMU_READ / IOMMU_WRITE
 * @mapped: receives the bytes mapped (0 on failure: all or nothing)
 * @freed: receives empty tables replaced by large leaves (may be NULL,
 *     then an empty table in the way gives -EEXIST); the caller must
 *     invalidate the range (with IH = 0) before freeing them
 *
 * Return: 0; -EINVAL bad size or alignment; -ERANGE beyond the input or
 * output width; -EEXIST a target entry is present (nothing is left
 * mapped); -ENOMEM no table memory; -EFAULT table memory not RAM.
 * Context: concurrent with other calls on disjoint ranges.
 */
int pt_map(struct pt *pt, uint64_t iova, uint64_t pa, uint64_t pgsize,
	   uint64_t pgcount, unsigned int prot, uint64_t *mapped,
	   struct pt_free_list *freed);

/**
 * pt_unmap() - remove whole leaves from @iova on
 * @len: bytes of the range [iova, iova + len)
 * @freed: receives table pages that became empty (free after invalidating)
 * @max_leaf: receives the largest leaf size removed (0 if none)
 *
 * Leaves of any size are removed while each lies wholly inside the range;
 * the walk stops at a hole or at a leaf that the range would cut.
 * Return: bytes unmapped (a prefix of the range).
 * Context: concurrent with other calls on disjoint ranges.
 */
uint64_t pt_unmap(struct pt *pt, uint64_t iova, uint64_t len,
		  struct pt_free_list *freed, uint64_t *max_leaf);

/**
 * pt_iova_to_phys() - software walk
 * Return: 0 and *@phys; -ENOENT not mapped; -ERANGE beyond the input
 * width; -EFAULT a table lies outside RAM.
 */
int pt_iova_to_phys(struct pt *pt, uint64_t iova, uint64_t *phys);

/* Free the pages of @list (after the invalidation) and empty it. */
void pt_free_pages(struct iommu_host *host, struct pt_free_list *list);
/* Release the list's own memory (pages must have been freed). */
void pt_free_list_fini(struct pt_free_list *list);
/* Move all entries of @from to @to; -ENOMEM leaves both unchanged. */
int pt_free_list_splice(struct pt_free_list *to, struct pt_free_list *from);

#endif /* IOMMU_CORE_PT_H */
