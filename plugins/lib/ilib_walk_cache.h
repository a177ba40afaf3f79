/* SPDX-License-Identifier: MIT */
/*
 * ilib_walk_cache.h - a device model's paging-structure cache: where the
 * walk of an address found the table holding its leaf, so that the next
 * IOTLB miss in the same region reads one entry instead of every level.
 *
 * VT-d (paging-structure caches, vtd 6.2.4), SMMUv3 (walk caches,
 * TLBI Leaf = 0) and AMD-Vi (PDE caches, INVALIDATE_IOMMU_PAGES PDE = 1)
 * all keep such entries, and their drivers must invalidate them after
 * they change or free a table; a model that never cached them would pass
 * a driver that forgets.
 *
 * An entry is keyed on the model's tag word (what its hardware tags the
 * walk with: DID and PASID, VMID and ASID, DomainID, with the stage), the
 * root of the walk and the region of the address: the span of one
 * last-level table (2 MiB with 4 KiB pages), the finest any table covers.
 * Every address of a region goes down the same path to any table that
 * covers it, so an entry holds for the whole region.  Its value is the
 * table, its level and the permissions the levels above granted: what
 * pt_walk() reports (struct pt_walk_res table, level, table_perm) and what
 * it resumes from (PT_WALK_RESUME), and the table's host address when it
 * lies in RAM (the host's mem_ptr, asked once at the fill), so a resumed
 * walk reads its entry without asking the host again.
 *
 * Header-only, like ilib_pt_walk.h: plugins/lib is built without core/pt
 * in its include path; a model that includes this has both.
 *
 * What removes entries is the model's: ilib_walk_cache_flush() (O(1))
 * for every invalidation its hardware applies to these caches (a
 * leaf-only one is the exception); a cache may always drop more than
 * asked.  The usual ilib_cache generation keeps a walk in flight from
 * re-inserting what an invalidation removed: read ilib_walk_cache_gen()
 * before the walk.
 *
 * Context: lookups and fills on any thread, concurrently with flushes
 * (ilib_cache's rules).
 */
#ifndef ILIB_WALK_CACHE_H
#define ILIB_WALK_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "ilib_cache.h"
#include "ilib_walk_front.h"
#include "pt_walk.h"

#pragma GCC visibility push(hidden)

#define ILIB_WALK_CACHE_KEY_WORDS 3u
#define ILIB_WALK_CACHE_VAL_WORDS 3u

/*
 * The key word of @ia's region, one last-level table's span of a walk of
 * granule 2^@g (2 MiB with 4 KiB pages): its number (below 2^43 for any
 * granule of 4 KiB or more) with the granule above bit 56.  A walk of
 * another granule never resumes at a table a walk of this one kept,
 * whatever the model's tag says: its index could reach past the one
 * granule whose host address the fill asked for.
 */
static inline uint64_t ilib_walk_cache_region_g(unsigned int g, uint64_t ia)
{
	return ia >> (g + (g - 3u)) | (uint64_t)g << 56;
}

/* ilib_walk_cache_region_g() of @d's granule (0: 4 KiB). */
static inline uint64_t ilib_walk_cache_region(const struct pt_walk_desc *d,
					      uint64_t ia)
{
	return ilib_walk_cache_region_g(d->granule_lg2 ? d->granule_lg2 : 12u,
					ia);
}

/**
 * ilib_walk_cache_seed() - the set hash's part that depends on the walk's
 * configuration alone: its tag word and root, mixed once
 * @tag: the model's tag word of the walk
 * @root: the walk's root (struct pt_walk_desc @root)
 *
 * A model that keeps its decoded configuration (a per-thread memo) keeps
 * this with it for the lookup and fill below, which then cost
 * one multiply for the hash instead of a full mix per probe.
 * Return: the seed.
 */
static inline uint64_t ilib_walk_cache_seed(uint64_t tag, uint64_t root)
{
	return ilib_hash64(tag ^ (root >> 12) * 0x9e3779b97f4a7c15ull);
}

/* The set hash of region @region of a walk of seed @seed: Fibonacci
 * hashing, whose high bits (the set) spread neighbouring regions. */
static inline uint64_t ilib_walk_cache_hash(uint64_t region, uint64_t seed)
{
	return (region + seed) * 0x9e3779b97f4a7c15ull;
}

/**
 * ilib_walk_cache_init() - an empty cache of @entries entries, @ways to a
 * set, replaced oldest first (ilib_cache_set_fifo())
 * Return: 0; -EINVAL, -ENOMEM as ilib_cache_init().
 */
static inline int ilib_walk_cache_init(struct ilib_cache *c, uint64_t entries,
				       unsigned int ways)
{
	int ret = ilib_cache_init(c, entries, ways, ILIB_WALK_CACHE_KEY_WORDS,
				  ILIB_WALK_CACHE_VAL_WORDS);

	/* Hits come from every region in turn: no LRU stamp to write. */
	if (!ret)
		ilib_cache_set_fifo(c);
	return ret;
}

/* The generation to read before a walk whose result may be filled in. */
static inline uint64_t ilib_walk_cache_gen(struct ilib_cache *c)
{
	return ilib_cache_gen(c);
}

/**
 * struct ilib_walk_start - where a cached walk resumes (an entry's value)
 * @table: the table's physical address
 * @lvl_perm: its level, and above bit 32 the PT_PERM_* the levels above
 *     it granted
 * @host: the table's host address, 0 if the fill had none
 */
struct ilib_walk_start {
	uint64_t table;
	uint64_t lvl_perm;
	uint64_t host;
};

_Static_assert(sizeof(struct ilib_walk_start) ==
		   ILIB_WALK_CACHE_VAL_WORDS * sizeof(uint64_t),
	       "an entry's value is a struct ilib_walk_start");

/**
 * ilib_walk_cache_find() - where an earlier walk of @ia's region found its
 * last table, if the cache holds it
 * @c: the cache
 * @tag: the model's tag word of the walk
 * @seed: ilib_walk_cache_seed(@tag, @root)
 * @root: the walk's root (struct pt_walk_desc @root)
 * @g: the walk's granule, log2 (12, 14, 16)
 * @ia: the input address
 * @s: out, on a hit: the resume point
 * Return: true on a hit.
 */
static inline __attribute__((always_inline)) bool
ilib_walk_cache_find(struct ilib_cache *c, uint64_t tag, uint64_t seed,
		     uint64_t root, unsigned int g, uint64_t ia,
		     struct ilib_walk_start *s)
{
	uint64_t key[ILIB_WALK_CACHE_KEY_WORDS], val[ILIB_WALK_CACHE_VAL_WORDS];

	key[0] = ilib_walk_cache_region_g(g, ia);
	key[1] = tag;
	key[2] = root;
	if (!ilib_cache_lookup_fixed(c, ilib_walk_cache_hash(key[0], seed), key,
				     val, ILIB_WALK_CACHE_KEY_WORDS,
				     ILIB_WALK_CACHE_VAL_WORDS))
		return false;
	s->table = val[0];
	s->lvl_perm = val[1];
	s->host = val[2];
	return true;
}

/* The host address of @s's table if it is a last-level one (level 0)
 * in RAM, for a pt_quick.h decoder; else NULL. */
static inline const void *ilib_walk_start_leaf_table(
    const struct ilib_walk_start *s)
{
	return (uint32_t)s->lvl_perm ? NULL : (const void *)(uintptr_t)s->host;
}

/* The PT_PERM_* the levels above @s's table granted. */
static inline uint32_t ilib_walk_start_perm(const struct ilib_walk_start *s)
{
	return (uint32_t)(s->lvl_perm >> 32);
}

/**
 * struct ilib_walk_key - a walk's key in the cache, as a model keeps it
 * (in its memo, say) for ilib_walk_cache_leaf_key(): read where it lies,
 * not copied into registers the call would have to keep
 * @tag: the model's tag word of the walk
 * @seed: ilib_walk_cache_seed(@tag, @root)
 * @root: the walk's root
 */
struct ilib_walk_key {
	uint64_t tag, seed, root;
};

/**
 * struct ilib_walk_leaf - what ilib_walk_cache_leaf() found (returned in
 * two registers)
 * @table: the last-level table's host address; NULL: none
 * @perm: the PT_PERM_* the levels above granted
 */
struct ilib_walk_leaf {
	const void *table;
	uint64_t perm;
};

/* ilib_walk_cache_leaf() past the thread's copy: the cache, then the
 * copy filled (out of line: the copy's hit keeps its registers; six
 * arguments, all in registers). */
static __attribute__((noinline, unused)) struct ilib_walk_leaf
ilib__walk_cache_leaf_fill(struct ilib_cache *c, struct ilib_walk_front *fr,
			   const struct ilib_walk_key *k, unsigned int g,
			   uint64_t ia, uint64_t gen)
{
	struct ilib_walk_leaf l = {NULL, 0};
	struct ilib_walk_start s;

	if (!ilib_walk_cache_find(c, k->tag, k->seed, k->root, g, ia, &s) ||
	    !(l.table = ilib_walk_start_leaf_table(&s)))
		return (struct ilib_walk_leaf){NULL, 0};
	l.perm = ilib_walk_start_perm(&s);
	if (fr)
		ilib_walk_front_fill(fr, ilib_walk_cache_region_g(g, ia),
				     k->tag, k->root, gen, l.table,
				     (uint32_t)l.perm);
	return l;
}

/**
 * ilib_walk_cache_leaf_key() - the last-level table in RAM of @ia's
 * region, for a short way that decodes its one entry (pt_quick.h): from
 * the calling thread's copy (ilib_walk_front.h), else from the cache (and
 * then kept in the copy)
 * @c: the cache
 * @f: the model's per-thread copies of it
 * @req: the request translated (its thread number)
 * @k: the walk's key
 * @g, @ia: as ilib_walk_cache_find()
 * Filling the copy changes nothing a request can tell (the copy answers
 * what the cache does), so a short way that then gives up still leaves
 * the model as it found it.
 * Return: the table and permissions; table NULL if not found (a table of
 * another level, or one the host had no address for, is not).
 */
static inline __attribute__((always_inline)) struct ilib_walk_leaf
ilib_walk_cache_leaf_key(struct ilib_cache *c, struct ilib_walk_fronts *f,
			 const struct iommu_dma_req *req,
			 const struct ilib_walk_key *k, unsigned int g,
			 uint64_t ia)
{
	struct ilib_walk_front *fr = ilib_walk_front_of(f, req);
	/* Before the lookup: a copy made from it counts only while no
	 * invalidation has come since. */
	const uint64_t gen = ilib_walk_cache_gen(c);
	const struct ilib_walk_front_entry *e;

	if (__builtin_expect(fr != NULL, 1)) {
		e = ilib__walk_front_entry(fr, ilib_walk_cache_region_g(g, ia),
					   k->tag, k->root, gen);
		if (__builtin_expect(e != NULL, 1))
			return (struct ilib_walk_leaf){e->table, e->perm};
	}
	return ilib__walk_cache_leaf_fill(c, fr, k, g, ia, gen);
}

/* ilib_walk_cache_leaf_key() of the key (@tag, @seed, @root). */
static inline __attribute__((always_inline)) struct ilib_walk_leaf
ilib_walk_cache_leaf(struct ilib_cache *c, struct ilib_walk_fronts *f,
		     const struct iommu_dma_req *req, uint64_t tag,
		     uint64_t seed, uint64_t root, unsigned int g, uint64_t ia)
{
	const struct ilib_walk_key k = {tag, seed, root};

	return ilib_walk_cache_leaf_key(c, f, req, &k, g, ia);
}

/* Make @d resume at @s (PT_WALK_RESUME). */
static inline void ilib_walk_cache_resume(const struct ilib_walk_start *s,
					  struct pt_walk_desc *d)
{
	d->flags |= PT_WALK_RESUME;
	d->start_pa = s->table;
	d->start_lvl = (uint8_t)s->lvl_perm;
	d->start_perm = ilib_walk_start_perm(s);
	d->start_host = (const void *)(uintptr_t)s->host;
}

/**
 * ilib_walk_cache_lookup_seeded() - make @d resume where an earlier walk of
 * @ia's region found its last table, if the cache holds it
 * @c: the cache
 * @tag: the model's tag word of the walk
 * @seed: ilib_walk_cache_seed(@tag, @d->root)
 * @d: the walk; gains PT_WALK_RESUME and its start on a hit (@d->root is
 *     part of the key)
 * @ia: the input address
 * Return: true on a hit.
 */
static inline __attribute__((always_inline)) bool
ilib_walk_cache_lookup_seeded(struct ilib_cache *c, uint64_t tag,
			      uint64_t seed, struct pt_walk_desc *d,
			      uint64_t ia)
{
	struct ilib_walk_start s;

	if (!ilib_walk_cache_find(c, tag, seed, d->root,
				  d->granule_lg2 ? d->granule_lg2 : 12u, ia,
				  &s))
		return false;
	ilib_walk_cache_resume(&s, d);
	return true;
}

/**
 * ilib_walk_cache_fill_seeded() - keep where the walk @r of @ia found its
 * leaf
 * @c: the cache
 * @host: the memory the walk read (its mem_ptr, if any, gives the table's
 *     host address; NULL: none kept)
 * @tag: as for the lookup
 * @seed: as for the lookup
 * @d: the walk's description (without the resume it may have had)
 * @ia: the input address walked
 * @access: the walk's access: a look (0) sets no access flag on the way,
 *     so it fills nothing
 * @r: its result: only a leaf found below the top level is kept
 * @gen: ilib_walk_cache_gen() read before the walk
 */
static inline void ilib_walk_cache_fill_seeded(struct ilib_cache *c,
					       struct iommu_host *host,
					       uint64_t tag, uint64_t seed,
					       const struct pt_walk_desc *d,
					       uint64_t ia, unsigned int access,
					       const struct pt_walk_res *r,
					       uint64_t gen)
{
	uint64_t key[ILIB_WALK_CACHE_KEY_WORDS], val[ILIB_WALK_CACHE_VAL_WORDS];
	const void *p = NULL;

	if (r->err || !access || r->level + 1 >= (int)d->levels)
		return;
	/* Below the top level a table is one granule: 2^(g-3) entries. */
	if (host && host->ops && host->ops->mem_ptr && !(r->table & 7))
		p = host->ops->mem_ptr(host, r->table,
				       (size_t)1 << (d->granule_lg2
							 ? d->granule_lg2
							 : 12u));
	key[0] = ilib_walk_cache_region(d, ia);
	key[1] = tag;
	key[2] = d->root;
	val[0] = r->table;
	val[1] = (uint64_t)(unsigned int)r->level |
		 (uint64_t)r->table_perm << 32;
	val[2] = (uint64_t)(uintptr_t)p;
	ilib_cache_insert(c, ilib_walk_cache_hash(key[0], seed), key, val, gen);
}

/* Remove every entry, in O(1) (an invalidation of the walk caches). */
static inline void ilib_walk_cache_flush(struct ilib_cache *c)
{
	ilib_cache_flush(c);
}

#pragma GCC visibility pop

#endif /* ILIB_WALK_CACHE_H */
