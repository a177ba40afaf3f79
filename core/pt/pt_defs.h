/* SPDX-License-Identifier: MIT */
/*
 * pt_defs.h - what the engine's algorithm (pt_algo.h), its formats
 * (fmt_*.c) and its public calls (pt.c) share: the table of one format's
 * instances, geometry, entry loads and stores, table memory and free
 * lists.  Private to core/pt.
 */
#ifndef IOMMU_CORE_PT_DEFS_H
#define IOMMU_CORE_PT_DEFS_H

#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iommu/iommu.h"
#include "pt.h"

#define PT_ALWAYS_INLINE static inline __attribute__((always_inline))
#define PT_LIKELY(x)	 __builtin_expect(!!(x), 1)
#define PT_UNLIKELY(x)	 __builtin_expect(!!(x), 0)

/* Bits [hi:lo] set. */
#define PT_GENMASK(hi, lo) \
	((~0ull >> (63 - (hi))) & ~((1ull << (lo)) - 1))

/**
 * struct pt_geom - a format's answer to a configuration
 * @g: granule log2
 * @levels: number of levels
 * @top_bits: index bits of the top table
 * @ia_bits: input width (may be 64)
 * @lvl_sizes: leaf sizes each level holds (bit n = a 2^n leaf)
 */
struct pt_geom {
	unsigned int g;
	unsigned int levels;
	unsigned int top_bits;
	unsigned int ia_bits;
	uint64_t lvl_sizes[PT_MAX_LEVELS];
};

#define PT__IT_LEAVES (1u << 0) /* iterate: show leaves */
#define PT__IT_TABLES (1u << 1) /* iterate: show tables */

/* One format's instance of the algorithm (pt_algo.h fills it). */
struct pt_fmt_ops {
	enum pt_fmt fmt;
	const char *name;
	int (*geom)(const struct pt_cfg *cfg, struct pt_geom *g);
	int (*map)(struct pt *pt, uint64_t iova, uint64_t pa, uint64_t len,
		   unsigned int prot, uint64_t *done, struct pt_free_list *fl);
	uint64_t (*unmap)(struct pt *pt, uint64_t iova, uint64_t last,
			  struct pt_free_list *fl, uint64_t *max_leaf);
	int (*iova_to_phys)(struct pt *pt, uint64_t iova, uint64_t *phys);
	int (*iterate)(struct pt *pt, uint64_t iova, uint64_t last,
		       unsigned int what, pt_visit_fn fn, void *ctx);
	int (*dirty)(struct pt *pt, uint64_t iova, uint64_t last,
		     struct pt_dirty_bitmap *bm, unsigned int flags);
	int (*set_dirty)(struct pt *pt, bool on);
	int (*walk)(struct iommu_host *host, const struct pt_walk_desc *d,
		    uint64_t ia, unsigned int access, struct pt_walk_res *r);
	uint64_t (*mk_table)(const struct pt *pt, uint64_t pa,
			     unsigned int lvl);
};

extern const struct pt_fmt_ops pt_fmt_vtdss, pt_fmt_x86_64, pt_fmt_amdv1,
	pt_fmt_amdv2, pt_fmt_lpae_s1, pt_fmt_lpae_s2;

/* ---- entries ------------------------------------------------------------- */

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

PT_ALWAYS_INLINE bool pt_cas(uint64_t *p, uint64_t *old, uint64_t e)
{
	uint64_t raw = htole64(*old);
	bool ok = __atomic_compare_exchange_n(p, &raw, htole64(e), false,
					      __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE);

	*old = le64toh(raw);
	return ok;
}

/* What ptf_wk_entry() learns from one entry. */
struct pt_wk {
	bool leaf;
	unsigned int next_lvl; /* table: the level of the next table */
	uint64_t next;	       /* table: its address */
	unsigned int lg2;      /* leaf: size */
	uint64_t oa;	       /* leaf: output address (aligned) */
	uint32_t perm;	       /* accumulated PT_PERM_* */
	unsigned int g;	       /* granule of the walk */
	uint64_t ia;	       /* the input address */
	/* For a format's own use, set by its ptf_wk_start() (if any) once
	 * per walk: what it would otherwise derive from the descriptor at
	 * every entry. */
	uint32_t need;	  /* permissions the access must keep (0: none) */
	uint64_t oa_rsvd; /* bits 51..oa_bits when oa_bits < 52, else 0 */
};

/* The permissions @access needs: PT_ACC_R, _W, _X are PT_PERM_UR, _UW,
 * _UX, and three bits up PT_PERM_PR, _PW, _PX with PT_ACC_PRIV. */
PT_ALWAYS_INLINE uint32_t pta_need(unsigned int access)
{
	return (access & (PT_ACC_R | PT_ACC_W | PT_ACC_X))
	       << (access & PT_ACC_PRIV ? 3 : 0);
}

_Static_assert(PT_ACC_R == PT_PERM_UR && PT_ACC_W == PT_PERM_UW &&
		       PT_ACC_X == PT_PERM_UX && PT_PERM_UR << 3 == PT_PERM_PR &&
		       PT_PERM_UW << 3 == PT_PERM_PW &&
		       PT_PERM_UX << 3 == PT_PERM_PX,
	       "pta_need() shifts the access bits into the permissions");

/* Address bits 51..@oa_bits of an entry (none for 0 or 52: pt_walk()
 * refuses more than 52), reserved by a narrower output. */
PT_ALWAYS_INLINE uint64_t pt_wk_oa_rsvd(unsigned int oa_bits)
{
	return PT_GENMASK(51, 0) & (~0ull << (oa_bits ? oa_bits : 52));
}

/* What a format's ptf_wk_entry() returns for a leaf of 2^@lg2 whose
 * address field reads @addr (aligned here), and for a table. */
static inline int pt_wk_leaf(struct pt_wk *w, unsigned int lg2, uint64_t addr)
{
	w->leaf = true;
	w->lg2 = lg2;
	w->oa = addr & ~((1ull << lg2) - 1);
	return 0;
}

static inline int pt_wk_table(struct pt_wk *w, uint64_t next,
			      unsigned int next_lvl)
{
	w->next = next;
	w->next_lvl = next_lvl;
	return 0;
}

/* ---- the current top (pt_grow) -------------------------------------------- */

/*
 * The number of levels now: pt_grow() fills in everything of a new top
 * (its table, lvl_bits, roots, ia_lasts) before it publishes the count
 * with a release store, so one acquire load gives a consistent top.  An
 * operation takes it once; a grow in the meantime leaves the old top a
 * valid table of the new one, so finishing on it is right.
 */
PT_ALWAYS_INLINE unsigned int pt_cur_levels(const struct pt *pt)
{
	return __atomic_load_n(&pt->cfg.levels, __ATOMIC_ACQUIRE);
}

PT_ALWAYS_INLINE uint64_t *pt_cur_root(const struct pt *pt,
				       unsigned int levels)
{
	return pt->roots[levels - 1];
}

/* ---- table memory -------------------------------------------------------- */

/* Host pointer of the table at @pa (of @size bytes), NULL outside RAM. */
PT_ALWAYS_INLINE uint64_t *pt_tbl(const struct pt *pt, uint64_t pa,
				  size_t size)
{
	if (PT_LIKELY(!__atomic_load_n(&pt->mixed, __ATOMIC_RELAXED) &&
		      pa >= __atomic_load_n(&pt->lo, __ATOMIC_RELAXED) &&
		      pa <= __atomic_load_n(&pt->hi, __ATOMIC_RELAXED)))
		return (uint64_t *)(uintptr_t)((intptr_t)pa + pt->delta);
	return pt->host->ops->mem_ptr(pt->host, pa, size);
}

int pt__alloc_table(struct pt *pt, size_t size, uint64_t *pa, uint64_t **va);
int pt__free_push(struct pt_free_list *l, uint64_t pa, uint64_t start,
		  uint64_t last, size_t size);

#endif /* IOMMU_CORE_PT_DEFS_H */
