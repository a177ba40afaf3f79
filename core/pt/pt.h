/* SPDX-License-Identifier: MIT */
/*
 * pt.h - the page-table engine: IOMMU page tables of every vendor format
 * in simulated physical memory, written the way a driver writes them, and
 * one walker that device models use to read them the way hardware does.
 *
 * One algorithm (pt_algo.h: map, unmap, iova_to_phys, iterate, dirty
 * tracking, the model walk), instantiated at compile time once per format
 * (fmt_*.c): each format is a set of static inline functions that say how
 * big its tables are, which page sizes each level holds and how an entry
 * is read and written.  The public calls below switch to the format's
 * instance once per call; no call per entry goes through a pointer.
 *
 * Levels are numbered from 0: level 0 holds only the smallest pages (the
 * granule); level L resolves the input bits from shift(L) = g + (g - 3) * L
 * up, g being the granule's log2 (12, 14 or 16).  The top level is
 * levels - 1; its table may hold fewer entries (a short input size) or more
 * (Arm stage-2 concatenated tables) than the others.
 *
 * Formats (the section numbers are those of the vendor sheets):
 *  - PT_FMT_VTDSS   VT-d second stage (vtd 5.1): 3..5 levels, 4K/2M/1G.
 *  - PT_FMT_X86_64  x86-64 paging, VT-d first stage (vtd 5.2): 4 or 5
 *                   levels, 4K/2M/1G, the lower canonical half.
 *  - PT_FMT_AMDV2   AMD-Vi guest (v2) tables (amdvi 4.1): the x86-64
 *                   format with AMD's geometry.
 *  - PT_FMT_AMDV1   AMD-Vi host (v1) tables (amdvi 3): modes 1..6, the
 *                   NextLevel field, pages of any power of two through
 *                   NextLevel 7 (amdvi 3.5).
 *  - PT_FMT_LPAE_S1 Arm VMSAv8-64 stage 1 (smmuv3 4): 4K/16K/64K granule,
 *                   input 32..48 bits, output up to 52 bits, contiguous
 *                   hint (PT_FEAT_CONTIG).
 *  - PT_FMT_LPAE_S2 Arm VMSAv8-64 stage 2 (smmuv3 4.10), with 2..16
 *                   concatenated top tables (smmuv3 4.4).
 *
 * Threads: pt_map(), pt_unmap(), pt_iova_to_phys(), pt_iterate() and
 * pt_read_and_clear_dirty() may run at the same time on disjoint IOVA
 * ranges of one table, and pt_walk() (a device model) at any time.  New
 * tables are installed with a compare-and-swap on the parent entry, so two
 * threads never lose one; leaves of disjoint ranges never collide; dirty
 * bits are cleared with atomic read-modify-write, so a walker setting one
 * at the same time is never lost.  A table page is freed only when an
 * unmap covers the table's whole IOVA span (no other thread can then be
 * using it) and only after the caller invalidated: unmap hands the pages
 * back in a struct pt_free_list.  pt_grow() (more levels on top) may run
 * with all of these: it publishes a new top with one release store of the
 * level count, and an operation that started on the old top finishes
 * there, a valid part of the grown table.  pt_init(), pt_destroy() and
 * pt_set_dirty_tracking() must not run with other calls on the same
 * table, nor two pt_grow() calls at once.
 */
#ifndef IOMMU_CORE_PT_H
#define IOMMU_CORE_PT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommu/plugin.h"

#define PT_MAX_LEVELS 6u

enum pt_fmt {
	PT_FMT_VTDSS = 1,   /* VT-d second stage */
	PT_FMT_X86_64 = 2,  /* x86-64 paging (VT-d first stage) */
	PT_FMT_AMDV1 = 3,   /* AMD-Vi host (v1) tables */
	PT_FMT_AMDV2 = 4,   /* AMD-Vi guest (v2) tables, x86-64 format */
	PT_FMT_LPAE_S1 = 5, /* Arm VMSAv8-64 stage 1 */
	PT_FMT_LPAE_S2 = 6, /* Arm VMSAv8-64 stage 2 */
	PT_FMT_COUNT
};

/* Format features (struct pt_cfg.features). */
#define PT_FEAT_SNOOP  (1u << 0) /* vtdss: SNP (bit 11) in leaves (ECAP.SC) */
#define PT_FEAT_CONTIG (1u << 1) /* lpae: map may use contiguous runs */
#define PT_FEAT_FC     (1u << 2) /* amdv1: FC (bit 60) in leaves, as Linux */
#define PT_FEAT_NG     (1u << 3) /* lpae_s1: nG (bit 11) in leaves, as Linux */
#define PT_FEAT_DIRTY  (1u << 4) /* the hardware can track dirty pages */
#define PT_FEAT_DS     (1u << 5) /* lpae_s1 4K/16K: 52-bit output in the
				  * FEAT_LPA2 layout (CD.DS, smmuv3 4.11) */

/* Protection beyond IOMMU_READ / IOMMU_WRITE / IOMMU_MMIO (iommu.h). */
#define PT_PROT_NOEXEC (1u << 8)  /* lpae: PXN | UXN (XN at stage 2) */
#define PT_PROT_PRIV   (1u << 9)  /* lpae_s1: privileged only (AP[1] = 0) */
#define PT_PROT_NC     (1u << 10) /* lpae: non-cacheable (AttrIndx 0 / 0x5) */

/**
 * struct pt_cfg - what a table looks like
 * @fmt: entry format
 * @granule_lg2: 12, 14 or 16 (lpae); 0 means 12 (the only one elsewhere)
 * @levels: vtdss 3..5, x86_64 and amdv2 4..5, amdv1 1..6 (DTE.Mode);
 *     0 for lpae (derived from @ia_bits, smmuv3 4.2 and 4.4)
 * @ia_bits: input width: IOVAs below 2^@ia_bits are accepted; 0 means the
 *     whole width of @levels (lpae: required, 25..48 with the granule's
 *     limits)
 * @oa_bits: output width: addresses at or above 2^@oa_bits are refused
 *     (13..52; lpae at 52 needs the 64K granule, or PT_FEAT_DS at stage 1)
 * @pgsize_bitmap: leaf sizes the caller allows; 0 means all the format
 *     can hold (pt_pgsizes() tells which those are)
 * @features: PT_FEAT_*
 * @max_levels: the most levels pt_grow() may take the table to; 0 (or
 *     @levels) means it never grows.  Only a table whose top is full (the
 *     format's stride and its whole input width: amdv1 modes 1..5, vtdss)
 *     at every level count from @levels up can grow; @ia_bits must then
 *     be 0.  The leaf sizes are those of @max_levels (pt_pgsizes()), each
 *     usable once the table has its level.
 */
struct pt_cfg {
	enum pt_fmt fmt;
	unsigned int granule_lg2;
	unsigned int levels;
	unsigned int ia_bits;
	unsigned int oa_bits;
	uint64_t pgsize_bitmap;
	unsigned int features;
	unsigned int max_levels;
};

struct pt_fmt_ops;

/**
 * struct pt - one page table
 * @cfg: its configuration (levels and ia_bits filled in by pt_init())
 * @host: where table pages come from
 * @root_pa: physical address of the top-level table
 * @top_bits: index bits of the top-level table (more than the granule's
 *     stride for concatenated stage-2 tables)
 * @pgsizes: the leaf sizes map uses (the format's, within the caller's)
 *
 * A table that grows (pt_grow()) changes @cfg.levels, @cfg.ia_bits,
 * @root_pa and @top_bits; while a grow may run, read the top with
 * pt_root().  The rest is private.
 */
struct pt {
	struct pt_cfg cfg;
	struct iommu_host *host;
	uint64_t root_pa;
	unsigned int top_bits;
	uint64_t pgsizes;
	/* private */
	const struct pt_fmt_ops *fops;
	uint64_t ia_last; /* last input address */
	uint64_t *root;
	size_t root_size;
	intptr_t delta;	  /* host pointer - PA for table pages */
	uint64_t lo, hi;  /* PA range covered by delta (atomics) */
	bool mixed;	  /* some page has another delta (atomic) */
	bool dirty;	  /* dirty tracking on: leaves are written clean */
	uint8_t lvl_of[64]; /* leaf size log2 -> level */
	/* per level / level count, filled before a grow publishes it */
	unsigned int max_levels;
	uint8_t lvl_bits[PT_MAX_LEVELS];     /* index bits at a level */
	uint64_t *roots[PT_MAX_LEVELS];	     /* top table of N + 1 levels */
	uint64_t root_pas[PT_MAX_LEVELS];
	size_t root_sizes[PT_MAX_LEVELS];
	uint64_t ia_lasts[PT_MAX_LEVELS];    /* last input address */
	uint64_t pgsizes_at[PT_MAX_LEVELS];  /* leaf sizes N + 1 levels hold */
};

/* One table page to free after the invalidation of [start, last]. */
struct pt_free_ent {
	uint64_t pa;
	uint64_t start;
	uint64_t last;
	uint32_t size;
};

/* Table pages an unmap (or a map replacing an empty table) released. */
struct pt_free_list {
	struct pt_free_ent *v;
	size_t n;
	size_t cap;
	int err; /* -ENOMEM if an entry could not be recorded (page leaked) */
};

/**
 * pt_init() - check @cfg and allocate the top-level table
 * Return: 0; -EINVAL bad @cfg; -ENOMEM no table memory; -EFAULT table
 * memory is not RAM.
 */
int pt_init(struct pt *pt, struct iommu_host *host, const struct pt_cfg *cfg);

/**
 * pt_grow() - add levels on top until the table has @levels
 *
 * Each new top table gets, in its entry 0, a table entry for the old top,
 * which keeps every mapping where it was; the input width becomes the
 * new level count's.  The caller then points the hardware at the new top
 * (pt_root()) and invalidates what caches the old one.
 * Context: may run at the same time as pt_map(), pt_unmap(),
 * pt_iova_to_phys(), pt_iterate(), pt_read_and_clear_dirty() and
 * pt_walk() on the table: an operation that started on the old top
 * finishes there, which stays a valid part of the table.  Not with
 * another pt_grow() (the caller serializes them), pt_destroy() or
 * pt_set_dirty_tracking().
 * Return: 0 (also when the table has @levels already); -EINVAL @levels
 * fewer than now or more than cfg.max_levels; -ENOMEM, -EFAULT table
 * memory (the table is left as it was at the last level added).
 */
int pt_grow(struct pt *pt, unsigned int levels);

/**
 * pt_root() - the top table now and its level count, a consistent pair
 * (pt_grow() may change them)
 * Return: the top table's physical address; 0 for a bad @pt.
 */
uint64_t pt_root(const struct pt *pt, unsigned int *levels);

/**
 * pt_pgsizes() - leaf sizes a format can hold under @cfg
 * Return: the bitmap, 0 if @cfg is invalid.
 */
uint64_t pt_pgsizes(const struct pt_cfg *cfg);

/**
 * pt_destroy() - free every table page
 * Context: no other call may run on @pt.  The caller made sure no
 * hardware still uses the table.
 */
void pt_destroy(struct pt *pt);

/**
 * pt_map() - map [@iova, @iova + @len) to @pa
 * @prot: IOMMU_READ / IOMMU_WRITE, IOMMU_MMIO, PT_PROT_*
 * @mapped: receives the bytes mapped (0 on failure: all or nothing)
 * @freed: receives empty tables replaced by large leaves (may be NULL,
 *     then an empty table in the way gives -EEXIST); the caller must
 *     invalidate the range before freeing them
 *
 * Uses the largest leaves (contiguous runs included) that the alignment
 * of @iova and @pa, the length and the format's sizes allow.
 * Return: 0; -EINVAL bad length or alignment (to the smallest page) or no
 * access in @prot; -ERANGE beyond the input or output width; -EEXIST a
 * target entry is present (nothing is left mapped); -ENOMEM no table
 * memory; -EFAULT table memory not RAM.
 */
int pt_map(struct pt *pt, uint64_t iova, uint64_t pa, uint64_t len,
	   unsigned int prot, uint64_t *mapped, struct pt_free_list *freed);

/**
 * pt_unmap() - remove whole leaves from @iova on
 * @len: bytes of the range [iova, iova + len)
 * @freed: receives table pages that became empty (free after invalidating)
 * @max_leaf: receives the largest leaf size removed (0 if none)
 *
 * Leaves of any size (a contiguous run is one leaf) are removed while each
 * lies wholly inside the range; the walk stops at a hole or at a leaf the
 * range would cut.  A table whose whole span lies inside the range and
 * holds no hole is unlinked after one read-only scan, its leaves left as
 * they are.
 * Return: bytes unmapped (a prefix of the range).
 */
uint64_t pt_unmap(struct pt *pt, uint64_t iova, uint64_t len,
		  struct pt_free_list *freed, uint64_t *max_leaf);

/**
 * pt_iova_to_phys() - software walk
 * Return: 0 and *@phys; -ENOENT not mapped; -ERANGE beyond the input
 * width; -EFAULT a table lies outside RAM.
 */
int pt_iova_to_phys(struct pt *pt, uint64_t iova, uint64_t *phys);

/* What pt_iterate() shows its callback. */
struct pt_visit {
	uint64_t iova;	   /* first address of the leaf or table span */
	uint64_t pa;	   /* leaf: output address; table: the table's PA */
	uint64_t entry;	   /* the (first) entry, CPU order */
	unsigned int lg2;  /* log2 of the leaf size or table span */
	unsigned int level;
	bool table;	   /* a table, shown after everything under it */
};

/* Return 0 to go on, anything else to stop the iteration with it. */
typedef int (*pt_visit_fn)(void *ctx, const struct pt_visit *v);

/**
 * pt_iterate() - call @fn for every leaf in [@iova, @iova + @len)
 * @tables: also call @fn for each table wholly inside the range, after
 *     the entries under it
 * Return: 0, what @fn returned, -EINVAL, -EFAULT a table outside RAM.
 */
int pt_iterate(struct pt *pt, uint64_t iova, uint64_t len, bool tables,
	       pt_visit_fn fn, void *ctx);

/* ---- dirty tracking ------------------------------------------------------ */

/**
 * struct pt_dirty_bitmap - where read_and_clear_dirty records pages
 * @bits: bit i stands for [@iova + i * 2^@pgshift, + 2^@pgshift)
 * @iova: address of bit 0
 * @pgshift: log2 of the page a bit stands for (>= 12)
 * @nbits: bits in @bits
 */
struct pt_dirty_bitmap {
	uint64_t *bits;
	uint64_t iova;
	unsigned int pgshift;
	uint64_t nbits;
};

#define PT_DIRTY_NO_CLEAR (1u << 0) /* report, leave the dirty state */

/**
 * pt_set_dirty_tracking() - start or stop dirty tracking
 *
 * On: every writable leaf is made clean, and later maps write clean
 * leaves; the hardware (pt_walk() with PT_WALK_HD) marks them dirty on a
 * write.  Off: writable leaves go back to the plain writable form.
 * Return: 0; -EOPNOTSUPP the format has no dirty state or the table was
 * made without PT_FEAT_DIRTY; -EFAULT a table outside RAM.
 */
int pt_set_dirty_tracking(struct pt *pt, bool on);

/**
 * pt_read_and_clear_dirty() - report dirty leaves of a range
 * @flags: PT_DIRTY_NO_CLEAR
 *
 * Sets the bits of every page of each dirty leaf in the range (a 2 MiB
 * leaf sets all of its 4K bits) and, unless NO_CLEAR, makes it clean with
 * an atomic update, so a concurrent hardware write is never lost.
 * Return: 0; -EINVAL bad arguments; -EOPNOTSUPP no dirty state;
 * -EFAULT a table outside RAM.
 */
int pt_read_and_clear_dirty(struct pt *pt, uint64_t iova, uint64_t len,
			    struct pt_dirty_bitmap *bm, unsigned int flags);

/* ---- free lists ---------------------------------------------------------- */

/* Free the pages of @list (after the invalidation) and empty it. */
void pt_free_pages(struct iommu_host *host, struct pt_free_list *list);
/* Release the list's own memory (pages must have been freed). */
void pt_free_list_fini(struct pt_free_list *list);
/* Move all entries of @from to @to; -ENOMEM leaves both unchanged. */
int pt_free_list_splice(struct pt_free_list *to, struct pt_free_list *from);

#include "pt_walk.h"

#endif /* IOMMU_CORE_PT_H */
