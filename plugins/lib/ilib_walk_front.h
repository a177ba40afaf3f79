/* SPDX-License-Identifier: MIT */
/*
 * ilib_walk_front.h - each thread's copy of what a model's
 * paging-structure cache (ilib_walk_cache.h) answered for the regions it
 * translated last: the last-level table of a region, found with a few
 * compares instead of a probe of the shared cache.
 *
 * A copy belongs to the thread number of the request (struct
 * iommu_dma_req.thread, ABI 2.4) and only that thread reads and writes
 * it, with plain loads and stores.  An entry holds what the shared cache
 * held or could have held: it is keyed the same way (the region, the
 * model's tag word and the walk's root) and counts only while the shared
 * cache's generation is the one read before the lookup that filled it,
 * which every invalidation and flush of that cache moves on.  So it never
 * answers what an invalidation removed, and what a thread leaves in it
 * is right for the next thread of that number as well.  (An entry the
 * shared cache has since evicted is one it was allowed to keep.)
 *
 * Direct-mapped by the region's number: ILIB_WALK_FRONT_ENTRIES regions
 * in a row fit at once.  Only last-level tables in RAM are kept: what a
 * pt_quick.h decoder reads.
 */
#ifndef ILIB_WALK_FRONT_H
#define ILIB_WALK_FRONT_H

#include <stdbool.h>
#include <stdint.h>

#include "iommu/plugin.h"

#pragma GCC visibility push(hidden)

#define ILIB_WALK_FRONT_ENTRIES 64u

/* One region's table (@region 0: empty; a region key never is).  A
 * cache line each: one line per lookup, and the entry's offset one
 * shift of the region. */
struct ilib_walk_front_entry {
	uint64_t region, tag, root; /* the shared cache's key */
	uint64_t gen;		    /* its generation before the fill */
	const void *table;	    /* the last-level table's host address */
	uint64_t perm;		    /* PT_PERM_* granted above it */
} __attribute__((aligned(64)));

struct ilib_walk_front {
	struct ilib_walk_front_entry e[ILIB_WALK_FRONT_ENTRIES];
};

/* A model's copies, one per thread number, each made on its thread's
 * first use (zeroed: none yet). */
struct ilib_walk_fronts {
	struct ilib_walk_front *t[IOMMU_HW_THREADS];
};

/* Free every copy (the model's destroy: no translation runs). */
void ilib_walk_fronts_fini(struct ilib_walk_fronts *f);

/* Make the copy of thread number @t (its first use); NULL: no memory. */
struct ilib_walk_front *ilib_walk_front_make(struct ilib_walk_fronts *f,
					     unsigned int t);

/**
 * ilib_walk_front_of() - the calling thread's copy
 * @f: the model's copies
 * @req: the request it translates
 * Return: the copy; NULL when the request has no thread number (or the
 * plugin is built as ABI 2.0, whose requests have none) or no memory
 * was left for it.
 */
static inline __attribute__((always_inline)) struct ilib_walk_front *
ilib_walk_front_of(struct ilib_walk_fronts *f, const struct iommu_dma_req *req)
{
#ifdef IOMMU_PLUGIN_AS_ABI_2_0
	(void)f;
	(void)req;
	return NULL;
#else
	const unsigned int t = req->thread - 1;

	if (t >= IOMMU_HW_THREADS)
		return NULL;
	if (__builtin_expect(f->t[t] != NULL, 1))
		return f->t[t];
	return ilib_walk_front_make(f, t);
#endif
}

/* ilib_walk_front_find()'s entry, or NULL. */
static inline __attribute__((always_inline))
const struct ilib_walk_front_entry *
ilib__walk_front_entry(const struct ilib_walk_front *fr, uint64_t region,
		       uint64_t tag, uint64_t root, uint64_t gen)
{
	const struct ilib_walk_front_entry *e =
	    &fr->e[region % ILIB_WALK_FRONT_ENTRIES];

	if (e->region != region || e->gen != gen || e->tag != tag ||
	    e->root != root)
		return NULL;
	return e;
}

/**
 * ilib_walk_front_find() - the table of @region, if this thread's copy
 * holds it at the shared cache's generation @gen
 * @fr: the copy
 * @region: ilib_walk_cache_region_g() of the input address
 * @tag, @root: the walk's tag word and root (the shared cache's key)
 * @gen: ilib_walk_cache_gen() of the shared cache, read now
 * @table: out: the table's host address
 * @perm: out: what the levels above granted
 * Return: true if found.
 */
static inline __attribute__((always_inline)) bool
ilib_walk_front_find(const struct ilib_walk_front *fr, uint64_t region,
		     uint64_t tag, uint64_t root, uint64_t gen,
		     const void **table, uint32_t *perm)
{
	const struct ilib_walk_front_entry *e =
	    ilib__walk_front_entry(fr, region, tag, root, gen);

	if (!e)
		return false;
	*table = e->table;
	*perm = (uint32_t)e->perm;
	return true;
}

/* Keep what the shared cache answered for @region (a last-level table in
 * RAM at @table), @gen as read before that lookup. */
static inline void ilib_walk_front_fill(struct ilib_walk_front *fr,
					uint64_t region, uint64_t tag,
					uint64_t root, uint64_t gen,
					const void *table, uint32_t perm)
{
	struct ilib_walk_front_entry *e =
	    &fr->e[region % ILIB_WALK_FRONT_ENTRIES];

	e->region = region;
	e->tag = tag;
	e->root = root;
	e->gen = gen;
	e->table = table;
	e->perm = perm;
}

#pragma GCC visibility pop

#endif /* ILIB_WALK_FRONT_H */
