/* SPDX-License-Identifier: MIT */
/*
 * ilib_cache.h - a set-associative translation cache for device models
 * (IOTLB, context cache, PASID cache, STE/CD caches, DTE cache ...).
 *
 * Hardware caches are set-associative and evict one entry at a time; a
 * model that wiped a whole cache when full would hide the stale-entry bugs
 * a driver must be tested against.  So: @nsets sets of @ways slots, LRU
 * within a set, and an entry stays (stale) until an invalidation removes
 * it.
 *
 * Keys and values are opaque arrays of 64-bit words, of sizes fixed at
 * init.  Two keys are equal iff all their words are; the user packs what
 * identifies an entry into the key words (and zeroes unused bits) and
 * anything it likes into the value words.  The user also supplies the
 * 64-bit hash that picks the set (ilib_hash64() mixes well), so it can
 * make the set depend on part of the key only: a range invalidation then
 * probes just the sets the range maps to (ilib_cache_set_of()).
 *
 * Concurrency.  Lookups run on DMA threads, concurrently with inserts and
 * invalidations from the register and queue side.
 *  - Each set has a sequence count that is also its lock: a writer
 *    makes it odd with a compare-and-swap (the lock), changes the set
 *    and makes it even again (the unlock); waiters spin, then yield.
 *    A lookup first reads the set without the lock, copying each word
 *    it looks at with an atomic (acquire) load, and keeps the result if
 *    the count was even and unchanged around the copy (seqlock).
 *    Writers store every word with atomic (release) stores between the
 *    two increments.  So no load ever races with a
 *    store (no data race for ThreadSanitizer, no torn word), and a torn
 *    entry is never returned: a changed count sends the lookup to the
 *    locked path.  No fences: see cache.c.
 *  - The lock-free result is kept only if the entry found is already the
 *    most recently used of its set (or nothing was found); otherwise the
 *    lookup takes the lock to update the LRU stamp.
 *  - The cache has a generation, bumped by every invalidation before it
 *    purges.  A walker reads it (ilib_cache_gen()) before it reads the
 *    tables and hands it to ilib_cache_insert(), which drops the result if
 *    an invalidation began since: a walk in flight never re-inserts what
 *    the invalidation removed.  Insert makes the set's count odd before it
 *    reads the generation, and an invalidation bumps the generation
 *    before it reads the count (all sequentially consistent), so either
 *    the insert sees the new generation or the invalidation sees the set
 *    busy and takes its lock.
 *  - Lock order: one set lock at a time; none is held when a call returns.
 */
#ifndef ILIB_CACHE_H
#define ILIB_CACHE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "iommu/plugin.h"

#pragma GCC visibility push(hidden)

/* Key plus value words of one entry, at most. */
#define ILIB_CACHE_MAX_WORDS 16u
/* Entries of one cache, at most. */
#define ILIB_CACHE_MAX_ENTRIES (1u << 24)
/* Ways of one set, at most. */
#define ILIB_CACHE_MAX_WAYS 64u

/* A tagged cache's slot ends with a tag word: the tag's bucket above
 * this many bits, the bucket's epoch at insert below. */
#define ILIB_CACHE_TAG_EPOCH_BITS 44

/**
 * struct ilib_cache_set - one set's lock and counters
 * @tick: last LRU stamp given in the set (atomic)
 * @seq: odd while the set is locked (a writer, or a lookup updating LRU;
 *     the count is the lock; atomic)
 * @order: in a set of at most ILIB__ORDER_WAYS ways, the ways by their
 *     stamps, ILIB__ORDER_BITS bits each: the least recently used (or an
 *     empty way) in the low bits, the most recently used in the highest
 *     field; empty ways are below every full one.  Read and written only
 *     under the lock, so the insert after a miss finds its victim without
 *     a look at the stamps.
 */
struct ilib_cache_set {
	uint64_t tick;
	unsigned int seq;
	uint32_t order;
	uint64_t epoch; /* the cache's epoch this set was last emptied for */
};

/* The ways struct ilib_cache_set @order ranks, at most, and its bits per
 * way. */
#define ILIB__ORDER_WAYS 8u
#define ILIB__ORDER_BITS 3u
#define ILIB__ORDER_MASK ((1u << ILIB__ORDER_BITS) - 1)

/* The position of way @w in @order, a set of @ways ways. */
static inline unsigned int ilib__order_pos(uint32_t order, unsigned int ways,
					   unsigned int w)
{
	unsigned int p;

	for (p = 0; p + 1 < ways; p++)
		if (((order >> (ILIB__ORDER_BITS * p)) & ILIB__ORDER_MASK) ==
		    w)
			break;
	return p;
}

/* @order with way @w the most recently used: the ways above it move one
 * down. */
static inline uint32_t ilib__order_to_mru(uint32_t order, unsigned int ways,
					  unsigned int w)
{
	const unsigned int sh = ILIB__ORDER_BITS * ilib__order_pos(order, ways,
								   w);

	return (order & ((1u << sh) - 1)) |
	       (order >> (sh + ILIB__ORDER_BITS)) << sh |
	       w << (ILIB__ORDER_BITS * (ways - 1));
}

/* @order with way @w the first to go (emptied): the ways below it move
 * one up. */
static inline uint32_t ilib__order_to_lru(uint32_t order, unsigned int ways,
					  unsigned int w)
{
	const unsigned int sh = ILIB__ORDER_BITS * ilib__order_pos(order, ways,
								   w);
	const uint32_t above = sh + ILIB__ORDER_BITS < 32
				   ? order >> (sh + ILIB__ORDER_BITS)
					     << (sh + ILIB__ORDER_BITS)
				   : 0;

	return above | (order & ((1u << sh) - 1)) << ILIB__ORDER_BITS | w;
}

/**
 * struct ilib_cache - a set-associative cache (fields are private)
 * @nsets: sets
 * @ways: slots per set
 * @key_words: words of a key
 * @val_words: words of a value
 * @slot_words: 1 + key + value: stamp (0: empty), key, value
 * @sets: the sets
 * @slots: nsets * ways slots of slot_words words
 * @gen: bumped by every invalidation (atomic)
 */
struct ilib_cache {
	unsigned int nsets, ways;
	unsigned int key_words, val_words, slot_words;
	struct ilib_cache_set *sets;
	uint64_t *slots;
	uint64_t gen;
	uint64_t epoch; /* ilib_cache_flush() bumps it: older sets are empty */
	uint64_t inval_work; /* slots invalidations looked at, for tests */
	/* Tagged caches (ilib_cache_init_tagged): an epoch per tag bucket;
	 * a slot's last word holds its bucket and that bucket's epoch at
	 * insert, and counts only while they still match. */
	uint64_t *tag_epoch;
	unsigned int tag_buckets; /* 0: untagged */
	/* Trace events and the work counter (ilib_cache_set_host). */
	struct iommu_host *trace_host;
	/* The host's trace mask, if its ops have one (else NULL): the
	 * inline insert's one load to see whether IOTLB events are on. */
	const unsigned int *trace_mask;
	const char *trace_what;
	bool fifo; /* ilib_cache_set_fifo(): hits leave the stamps alone */
	/* ILIB__CACHE_SHAPE() of the sizes, once the cache is made (0
	 * before and after): one compare tells an inline probe whether its
	 * copy for constant sizes fits. */
	uint32_t shape;
};

/* Key and value words, ways and slot words, one byte each. */
#define ILIB__CACHE_SHAPE(kw, vw, ways, sw)                                  \
	((uint32_t)(kw) | (uint32_t)(vw) << 8 | (uint32_t)(ways) << 16 |     \
	 (uint32_t)(sw) << 24)

/**
 * ilib_cache_set_fifo() - replace the oldest entry of a set, not the
 * least recently used one
 * @c: the cache, before its first use
 *
 * A hit then never writes: every lookup of a stable set is lock-free,
 * whichever entry it finds.  For a cache whose hits come from many
 * entries in turn (a paging-structure cache: one entry per region that
 * misses in the IOTLB), where updating the LRU stamp would take the set's
 * lock on most hits.
 */
static inline void ilib_cache_set_fifo(struct ilib_cache *c)
{
	if (c)
		c->fifo = true;
}

/**
 * ilib_cache_set_host() - report the cache's work to the model's host
 * @c: the cache
 * @host: the device model's host (NULL: none)
 * @what: the cache's name in the events ("vtd iotlb"), static storage
 *
 * Trace events IOMMU_TR_IOTLB_FILL for each entry stored and
 * IOMMU_TR_IOTLB_EVICT for a valid entry another replaced (@raw holds the
 * key words); IOMMU_STAT_INVAL_WORK counts the slots invalidations look
 * at (a flush of all or of a tag looks at none).
 */
void ilib_cache_set_host(struct ilib_cache *c, struct iommu_host *host,
			  const char *what);

/**
 * ilib_cache_pred - which entries an invalidation removes
 * @key: the entry's key words
 * @val: its value words
 * @arg: the invalidation's argument
 *
 * Called with the set's lock held, or on a private copy of the entry.
 * Must not call into the cache.
 */
typedef bool (*ilib_cache_pred)(const uint64_t *key, const uint64_t *val,
				const void *arg);

/**
 * ilib_hash64() - mix the bits of @x (a bijection on 64 bits)
 * @x: what identifies the set of an entry
 *
 * Every input bit affects the high 32 bits, which ilib_cache_set_of()
 * uses, so neighbouring page numbers spread over the sets.
 * Return: the mixed value.
 */
static inline uint64_t ilib_hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

/**
 * ilib_cache_init() - make an empty cache
 * @c: the cache
 * @entries: capacity, 1..ILIB_CACHE_MAX_ENTRIES; rounded up to a multiple
 *     of the ways
 * @max_ways: associativity, 1..ILIB_CACHE_MAX_WAYS (fewer if @entries is
 *     smaller: a cache of 3 entries is one set of 3 ways)
 * @key_words: words of a key, >= 1
 * @val_words: words of a value; key + value <= ILIB_CACHE_MAX_WORDS
 *
 * Return: 0; -EINVAL a size out of range; -ENOMEM.
 */
int ilib_cache_init(struct ilib_cache *c, uint64_t entries,
		    unsigned int max_ways, unsigned int key_words,
		    unsigned int val_words);

/**
 * ilib_cache_fini() - free the cache
 * @c: the cache, or a zeroed one / one ilib_cache_init() failed on
 *
 * Context: no other call on @c may be running.
 */
void ilib_cache_fini(struct ilib_cache *c);

/**
 * ilib_cache_nsets() - how many sets
 * @c: the cache
 * Return: the number of sets (0 for NULL).
 */
unsigned int ilib_cache_nsets(const struct ilib_cache *c);

/**
 * ilib_cache_set_of() - the set an entry of hash @hash lives in
 * @c: the cache
 * @hash: the entry's hash
 *
 * The high 32 bits scaled to the number of sets (no division).
 * Return: the set index (0 for NULL).
 */
unsigned int ilib_cache_set_of(const struct ilib_cache *c, uint64_t hash);

/**
 * ilib_cache_gen() - the generation, to read before a walk
 * @c: the cache
 * Return: the current generation (acquire).
 */
uint64_t ilib_cache_gen(struct ilib_cache *c);

/**
 * ilib_cache_lookup() - find the entry whose key equals @key
 * @c: the cache
 * @hash: @key's hash (the same one it was inserted with)
 * @key: key_words words
 * @val: val_words words: the value, if found (undefined otherwise)
 *
 * Marks the entry most recently used.
 * Context: lock-free when the set is stable and the entry is already the
 * most recently used one of its set (or absent); else takes the set lock.
 * Return: true if found.
 */
bool ilib_cache_lookup(struct ilib_cache *c, uint64_t hash, const uint64_t *key,
		       uint64_t *val);

/**
 * ilib_cache_lookup_part() - ilib_cache_lookup() that copies only the
 * first @nval value words
 * @nval: words of the value the caller wants, <= the cache's value words
 *     (a cache of several entry types sized for the largest)
 *
 * Return: true if found; false also for @nval too large.
 */
bool ilib_cache_lookup_part(struct ilib_cache *c, uint64_t hash,
			    const uint64_t *key, uint64_t *val,
			    unsigned int nval);

/**
 * struct ilib_cache_miss - what a lookup that missed saw of its set, for
 * the insert after the walk (ilib_cache_lookup_fixed_miss(),
 * ilib_cache_insert_after_miss())
 * @hash: the key's hash (set by every lookup)
 * @seq: the set's count, even and unchanged around the lookup that found
 *     no equal key; odd: nothing to go on
 * @set, @slot: with an even @seq, the set and its first slot
 */
struct ilib_cache_miss {
	uint64_t hash;
	unsigned int seq;
	struct ilib_cache_set *set;
	uint64_t *slot;
};

/* What one way of a probe found (ilib__cache_probe_way()). */
enum { ILIB__WAY_NO, ILIB__WAY_HIT, ILIB__WAY_SLOW };

/* One way @slot of a lock-free probe of set @s at count @seq: is it the
 * key's, and may the copy in @val stand without the lock? */
static inline __attribute__((always_inline)) int
ilib__cache_probe_way(const struct ilib_cache *c,
		      const struct ilib_cache_set *s, const uint64_t *slot,
		      const uint64_t *key, uint64_t *val, const unsigned int kw,
		      const unsigned int vw, const unsigned int sw,
		      unsigned int seq)
{
	uint64_t stamp, tw;
	unsigned int i;

	if (__atomic_load_n(&slot[1], __ATOMIC_ACQUIRE) != key[0])
		return ILIB__WAY_NO;
	stamp = __atomic_load_n(&slot[0], __ATOMIC_ACQUIRE);
	if (!stamp)
		return ILIB__WAY_NO;
	for (i = 1; i < kw; i++)
		if (__atomic_load_n(&slot[1 + i], __ATOMIC_ACQUIRE) != key[i])
			return ILIB__WAY_NO;
	if (c->tag_buckets) {
		tw = __atomic_load_n(&slot[sw - 1], __ATOMIC_ACQUIRE);
		if ((tw ^ __atomic_load_n(
			       &c->tag_epoch[tw >> ILIB_CACHE_TAG_EPOCH_BITS],
			       __ATOMIC_ACQUIRE)) &
		    ((UINT64_C(1) << ILIB_CACHE_TAG_EPOCH_BITS) - 1))
			return ILIB__WAY_NO;
	}
#pragma GCC unroll 16
	for (i = 0; i < vw; i++)
		val[i] = __atomic_load_n(&slot[1 + kw + i], __ATOMIC_ACQUIRE);
	/* Kept only if already the most recently used (or the cache is
	 * FIFO) and the set was stable around the copy (the acquire loads
	 * above keep the re-read after them); else the call updates the LRU
	 * stamp under the lock. */
	if ((c->fifo || stamp == __atomic_load_n(&s->tick, __ATOMIC_ACQUIRE)) &&
	    __atomic_load_n(&s->seq, __ATOMIC_RELAXED) == seq)
		return ILIB__WAY_HIT;
	return ILIB__WAY_SLOW;
}

/*
 * The ways of one set, probed in order, @ways and @sw (words per slot)
 * constants: the loop unrolls into a compare and a branch per way at
 * fixed offsets.
 */
static inline __attribute__((always_inline)) int
ilib__cache_probe_set(const struct ilib_cache *c,
		      const struct ilib_cache_set *s, const uint64_t *slot,
		      const uint64_t *key, uint64_t *val, const unsigned int kw,
		      const unsigned int vw, const unsigned int ways,
		      const unsigned int sw, unsigned int seq)
{
	int r;

#pragma GCC unroll 16
	for (unsigned int w = 0; w < ways; w++) {
		r = ilib__cache_probe_way(c, s, slot + (size_t)w * sw, key,
					  val, kw, vw, sw, seq);
		if (r != ILIB__WAY_NO)
			return r;
	}
	return ILIB__WAY_NO;
}

/*
 * The lock-free probe of a cache made with @ways ways of @sw words a slot,
 * both constants (a loop of constant bounds), or both 0 (read from @c,
 * whose sizes the caller checked); on a clean miss, @miss (if not NULL)
 * keeps the set's count.
 */
static inline __attribute__((always_inline)) bool
ilib__cache_probe_in(struct ilib_cache *c, uint64_t hash, const uint64_t *key,
		     uint64_t *val, const unsigned int kw,
		     const unsigned int vw, const unsigned int ways,
		     const unsigned int sw, struct ilib_cache_miss *miss)
{
	const unsigned int nways = ways ? ways : c->ways;
	const unsigned int nsw = sw ? sw : c->slot_words;
	struct ilib_cache_set *s;
	uint64_t *slot, *first;
	const uint64_t *end;
	unsigned int set, seq;
	int r;

	set = (unsigned int)(((hash >> 32) * c->nsets) >> 32);
	s = &c->sets[set];
	seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
	if (seq & 1)
		goto slow;
	if (__atomic_load_n(&s->epoch, __ATOMIC_ACQUIRE) !=
	    __atomic_load_n(&c->epoch, __ATOMIC_ACQUIRE))
		return false; /* flushed: a miss, without a look */
	first = slot = c->slots + (size_t)set * nways * nsw;
	if (ways) {
		r = ilib__cache_probe_set(c, s, slot, key, val, kw, vw, ways,
					  sw, seq);
	} else {
		r = ILIB__WAY_NO;
		end = slot + (size_t)nways * nsw;
		for (; slot != end && r == ILIB__WAY_NO; slot += nsw)
			r = ilib__cache_probe_way(c, s, slot, key, val, kw, vw,
						  nsw, seq);
	}
	if (r == ILIB__WAY_HIT)
		return true;
	if (r == ILIB__WAY_SLOW)
		goto slow;
	if (__atomic_load_n(&s->seq, __ATOMIC_RELAXED) == seq) {
		if (miss) {
			miss->seq = seq;
			miss->set = s;
			miss->slot = first;
		}
		return false;
	}
slow:
	return ilib_cache_lookup_part(c, hash, key, val, vw);
}

/* The lock-free probe of ilib_cache_lookup_fixed(); on a clean miss,
 * @miss (if not NULL) keeps the set's count.  Sets of 8 or 4 ways with
 * the slot size of the caller's key and value (tagged or not) take a
 * copy with constant bounds, chosen by one compare of the shape. */
static inline __attribute__((always_inline)) bool
ilib__cache_probe(struct ilib_cache *c, uint64_t hash, const uint64_t *key,
		  uint64_t *val, const unsigned int kw, const unsigned int vw,
		  struct ilib_cache_miss *miss)
{
	if (miss) {
		miss->hash = hash;
		miss->seq = 1;
		miss->set = NULL;
		miss->slot = NULL;
	}
	if (!c)
		goto slow;
	if (c->shape == ILIB__CACHE_SHAPE(kw, vw, 8, 2 + kw + vw))
		return ilib__cache_probe_in(c, hash, key, val, kw, vw, 8,
					    2 + kw + vw, miss);
	if (c->shape == ILIB__CACHE_SHAPE(kw, vw, 4, 1 + kw + vw))
		return ilib__cache_probe_in(c, hash, key, val, kw, vw, 4,
					    1 + kw + vw, miss);
	if (c->shape == ILIB__CACHE_SHAPE(kw, vw, 8, 1 + kw + vw))
		return ilib__cache_probe_in(c, hash, key, val, kw, vw, 8,
					    1 + kw + vw, miss);
	if (c->shape == ILIB__CACHE_SHAPE(kw, vw, 4, 2 + kw + vw))
		return ilib__cache_probe_in(c, hash, key, val, kw, vw, 4,
					    2 + kw + vw, miss);
	if (kw != c->key_words || vw > c->val_words || !c->sets)
		goto slow;
	return ilib__cache_probe_in(c, hash, key, val, kw, vw, 0, 0, miss);
slow:
	return ilib_cache_lookup_part(c, hash, key, val, vw);
}

/**
 * ilib_cache_lookup_fixed() - ilib_cache_lookup() inlined for a cache whose
 * sizes the caller knows at compile time
 * @c: the cache
 * @hash: @key's hash
 * @key: @kw words
 * @val: @vw words: the first @vw words of the value, if found (undefined
 *     otherwise)
 * @kw: the cache's key words, a constant
 * @vw: value words to copy, a constant <= the cache's value words
 *
 * The same answer as ilib_cache_lookup_part(), which it calls for
 * everything but the common case: a stable set in which the entry is
 * absent or already the most recently used (the seqlock read of cache.c,
 * unrolled for @kw and @vw).  A cache of other sizes just takes the
 * call.
 * Context: as ilib_cache_lookup().
 * Return: true if found.
 */
static inline __attribute__((always_inline)) bool
ilib_cache_lookup_fixed(struct ilib_cache *c, uint64_t hash,
			const uint64_t *key, uint64_t *val, const unsigned int kw,
			const unsigned int vw)
{
	return ilib__cache_probe(c, hash, key, val, kw, vw, NULL);
}

/**
 * ilib_cache_lookup_fixed_miss() - ilib_cache_lookup_fixed() that, when it
 * misses in a stable set, keeps what it saw in @miss for
 * ilib_cache_insert_after_miss()
 * @miss: set on every call (its @seq odd when the miss proves nothing:
 *     a hit, a busy or flushed set, the call's path)
 *
 * Context: as ilib_cache_lookup().
 * Return: true if found.
 */
static inline __attribute__((always_inline)) bool
ilib_cache_lookup_fixed_miss(struct ilib_cache *c, uint64_t hash,
			     const uint64_t *key, uint64_t *val,
			     const unsigned int kw, const unsigned int vw,
			     struct ilib_cache_miss *miss)
{
	return ilib__cache_probe(c, hash, key, val, kw, vw, miss);
}

/**
 * ilib_cache_insert() - store an entry unless an invalidation began since
 * @gen was read
 * @c: the cache
 * @hash: the set's hash
 * @key: key_words words
 * @val: val_words words
 * @gen: ilib_cache_gen() read before the walk that produced @val
 *
 * Replaces the entry with an equal key, else takes an empty slot, else
 * evicts the least recently used one of the set.
 * Context: takes the set lock.
 * Return: true if stored; false if @gen is stale (or bad arguments).
 */
bool ilib_cache_insert(struct ilib_cache *c, uint64_t hash, const uint64_t *key,
		       const uint64_t *val, uint64_t gen);

/**
 * ilib_cache_inval_begin() - bump the generation
 * @c: the cache
 *
 * Call before ilib_cache_inval_set() on the sets an invalidation covers:
 * from here on, no walk that began earlier inserts.
 */
void ilib_cache_inval_begin(struct ilib_cache *c);

/**
 * ilib_cache_inval_set() - remove the entries of one set @pred accepts
 * @c: the cache
 * @set: the set, < ilib_cache_nsets()
 * @pred: which entries; NULL: all
 * @arg: passed to @pred
 *
 * A stable set in which nothing matches is left alone without its lock.
 * Context: after ilib_cache_inval_begin(); takes the set lock only when
 * something may match.
 */
void ilib_cache_inval_set(struct ilib_cache *c, unsigned int set,
			  ilib_cache_pred pred, const void *arg);

/* Key words a filter tests, at most (the first ones of the key). */
#define ILIB_CACHE_FILTER_WORDS 4u

/**
 * struct ilib_cache_filter - a test on key words alone, before a predicate
 * @mask: per key word, the bits compared
 * @val: per key word, what those bits must be (zero outside @mask)
 *
 * An entry passes if (key[i] & mask[i]) == val[i] for each of its first
 * min(key_words, ILIB_CACHE_FILTER_WORDS) key words.
 * The test runs on the slot's words in place, so an invalidation that can
 * say part of what it removes as key bits (a tag, a page-number block)
 * skips the other entries of a set without copying them or calling its
 * predicate.  It must be a necessary condition: what fails it is kept.
 */
struct ilib_cache_filter {
	uint64_t mask[ILIB_CACHE_FILTER_WORDS];
	uint64_t val[ILIB_CACHE_FILTER_WORDS];
};

/**
 * ilib_cache_inval_set_filtered() - ilib_cache_inval_set() that removes
 * only entries that pass @f (NULL: all) and then @pred (NULL: all)
 */
void ilib_cache_inval_set_filtered(struct ilib_cache *c, unsigned int set,
				   const struct ilib_cache_filter *f,
				   ilib_cache_pred pred, const void *arg);

/**
 * ilib_cache_inval_set_serial() - ilib_cache_inval_set_filtered() with no
 * predicate (the filter says it all), for a cache whose invalidations the
 * caller serializes with a lock of its own (a model's register lock)
 * @f: which entries; not NULL
 *
 * The work counter then goes up with a plain atomic load and store, not
 * a locked add: a one-set invalidation that finds nothing (a strict
 * unmap's, usually) does no atomic read-modify-write but its
 * ilib_cache_inval_begin().
 * Context: after ilib_cache_inval_begin(); every invalidation of @c
 * under the caller's lock; takes the set lock only when something may
 * match.
 */
void ilib_cache_inval_set_serial(struct ilib_cache *c, unsigned int set,
				 const struct ilib_cache_filter *f);

/**
 * ilib_cache_inval() - remove every entry @pred accepts
 * @c: the cache
 * @pred: which entries; NULL: all
 * @arg: passed to @pred
 *
 * ilib_cache_inval_begin() then ilib_cache_inval_set() on every set.
 * Context: takes one set lock at a time.
 */
void ilib_cache_inval(struct ilib_cache *c, ilib_cache_pred pred,
		      const void *arg);

/**
 * ilib_cache_init_tagged() - ilib_cache_init() for a cache whose entries
 * carry a tag (a domain ID) that ilib_cache_flush_tag() removes in O(1)
 * @tag_buckets: a power of two <= 65536: tags hash into this many
 *     buckets, and flushing a tag flushes its whole bucket (more than
 *     asked, never less: a cache may always drop entries)
 * Return: as ilib_cache_init(); -EINVAL a bad @tag_buckets.
 */
int ilib_cache_init_tagged(struct ilib_cache *c, uint64_t entries,
			   unsigned int max_ways, unsigned int key_words,
			   unsigned int val_words, unsigned int tag_buckets);

/* ilib_cache_insert() with the entry's tag (tagged caches). */
bool ilib_cache_insert_tag(struct ilib_cache *c, uint64_t hash,
			   const uint64_t *key, const uint64_t *val,
			   uint64_t gen, uint64_t tag);

/* Are the cache's IOTLB events on (iommu_host_tracing() of its host)? */
static inline bool ilib__cache_tracing(const struct ilib_cache *c)
{
#ifdef IOMMU_NO_TRACE
	(void)c;
	return false;
#endif
	return c->trace_mask &&
	       __builtin_expect(__atomic_load_n(c->trace_mask,
						__ATOMIC_RELAXED) &
					IOMMU_TRACE_BIT(IOMMU_TRACE_IOTLB),
				0);
}

/* The inline insert of ilib_cache_insert_tag_fixed(); with @miss, the
 * one of ilib_cache_insert_after_miss(). */
static inline __attribute__((always_inline)) bool
ilib__cache_insert(struct ilib_cache *c, uint64_t hash, const uint64_t *key,
		   const uint64_t *val, uint64_t gen, uint64_t tag,
		   const unsigned int kw, const unsigned int vw,
		   const struct ilib_cache_miss *miss)
{
	const uint64_t emask = (UINT64_C(1) << ILIB_CACHE_TAG_EPOCH_BITS) - 1;
	const unsigned int sw = 1 + kw + vw + 1;
	struct ilib_cache_set *s;
	uint64_t *slot, *end, *victim, vstamp = UINT64_MAX, tagw, tick;
	unsigned int set, seq, b, i, w, vway = 0;
	uint32_t order = 0;
	bool stored = false, eight;

	if (!c || !key || (vw && !val))
		goto slow;
	/* 8 ways of this slot size (a tag word: a tagged cache): one
	 * compare; any other shape is checked a word at a time. */
	eight = c->shape == ILIB__CACHE_SHAPE(kw, vw, 8, sw);
	if ((!eight && (kw != c->key_words || vw != c->val_words ||
			!c->sets || !c->tag_buckets)) ||
	    ilib__cache_tracing(c))
		goto slow;
	if (miss && eight) {
		/* The set and its slots as the lookup found them. */
		s = miss->set;
		seq = miss->seq;
		slot = miss->slot;
	} else {
		set = (unsigned int)(((hash >> 32) * c->nsets) >> 32);
		s = &c->sets[set];
		seq = miss ? miss->seq
			   : __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
		slot = c->slots + (size_t)set * c->ways * sw;
	}
	if ((seq & 1) ||
	    !__atomic_compare_exchange_n(&s->seq, &seq, seq + 1, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		goto slow;
	if (__atomic_load_n(&s->epoch, __ATOMIC_ACQUIRE) !=
	    __atomic_load_n(&c->epoch, __ATOMIC_ACQUIRE))
		goto unlock_slow; /* the call empties it first */
	if (miss && eight) {
		/* After a miss the set is as the lookup left it, with no
		 * equal key: the victim is the first way of the order (an
		 * empty one, else the least recently used), and it goes to
		 * the top. */
		order = __atomic_load_n(&s->order, __ATOMIC_RELAXED);
		w = order & ILIB__ORDER_MASK;
		victim = slot + (size_t)w * sw;
		order = order >> ILIB__ORDER_BITS | w << (ILIB__ORDER_BITS * 7);
	} else {
		/* The slot of an equal key, else the first empty one, else
		 * the least recently used (cache.c's choice); after a miss
		 * there is no equal key to look for. */
		end = slot + (size_t)c->ways * sw;
		victim = slot;
		for (w = 0; slot != end; slot += sw, w++) {
			const uint64_t stamp =
			    __atomic_load_n(&slot[0], __ATOMIC_ACQUIRE);

			if (stamp < vstamp) {
				victim = slot;
				vway = w;
				vstamp = stamp;
			}
			if (miss ||
			    __atomic_load_n(&slot[1], __ATOMIC_ACQUIRE) !=
				key[0] ||
			    !stamp)
				continue;
			for (i = 1; i < kw; i++)
				if (__atomic_load_n(&slot[1 + i],
						    __ATOMIC_ACQUIRE) != key[i])
					break;
			if (i == kw) {
				victim = slot;
				vway = w;
				break;
			}
		}
		if (c->ways <= ILIB__ORDER_WAYS)
			order = ilib__order_to_mru(
			    __atomic_load_n(&s->order, __ATOMIC_RELAXED),
			    c->ways, vway);
	}
	b = (unsigned int)((tag * UINT64_C(0x9e3779b97f4a7c15)) >> 32) &
	    (c->tag_buckets - 1);
	tagw = (uint64_t)b << ILIB_CACHE_TAG_EPOCH_BITS |
	       (__atomic_load_n(&c->tag_epoch[b], __ATOMIC_SEQ_CST) & emask);
	if (__atomic_load_n(&c->gen, __ATOMIC_SEQ_CST) == gen) {
#pragma GCC unroll 16
		for (i = 0; i < kw; i++)
			__atomic_store_n(&victim[1 + i], key[i],
					 __ATOMIC_RELEASE);
#pragma GCC unroll 16
		for (i = 0; i < vw; i++)
			__atomic_store_n(&victim[1 + kw + i], val[i],
					 __ATOMIC_RELEASE);
		__atomic_store_n(&victim[1 + kw + vw], tagw, __ATOMIC_RELEASE);
		tick = __atomic_load_n(&s->tick, __ATOMIC_ACQUIRE) + 1;
		__atomic_store_n(&s->tick, tick, __ATOMIC_RELEASE);
		__atomic_store_n(&victim[0], tick, __ATOMIC_RELEASE);
		if ((miss && eight) || c->ways <= ILIB__ORDER_WAYS)
			__atomic_store_n(&s->order, order, __ATOMIC_RELAXED);
		stored = true;
	}
	__atomic_store_n(&s->seq, seq + 2, __ATOMIC_RELEASE);
	return stored;

unlock_slow:
	__atomic_store_n(&s->seq, seq + 2, __ATOMIC_RELEASE);
slow:
	return ilib_cache_insert_tag(c, hash, key, val, gen, tag);
}

/**
 * ilib_cache_insert_tag_fixed() - ilib_cache_insert_tag() inlined for a
 * tagged cache whose sizes the caller knows at compile time
 * @c, @hash, @key, @val, @gen, @tag: as ilib_cache_insert_tag()
 * @kw: the cache's key words, a constant
 * @vw: the cache's value words, a constant
 *
 * The same effect and the same ordering rules (cache.c): the set goes
 * odd with a sequentially consistent compare-and-swap before the
 * generation is read, every word is a release store while it is odd.
 * Inline only the common case of a miss path: the set's lock free at
 * once, the set not emptied by a flush since, no IOTLB tracing; anything
 * else (a busy set, a set to empty first, a trace event, other sizes)
 * takes the call.
 * Context: takes the set lock.
 * Return: true if stored; false if @gen is stale (or bad arguments).
 */
static inline __attribute__((always_inline)) bool
ilib_cache_insert_tag_fixed(struct ilib_cache *c, uint64_t hash,
			    const uint64_t *key, const uint64_t *val,
			    uint64_t gen, uint64_t tag, const unsigned int kw,
			    const unsigned int vw)
{
	return ilib__cache_insert(c, hash, key, val, gen, tag, kw, vw, NULL);
}

/**
 * ilib_cache_insert_after_miss() - ilib_cache_insert_tag_fixed() of the key
 * an ilib_cache_lookup_fixed_miss() just missed
 * @c, @key, @val, @gen, @tag, @kw, @vw: as ilib_cache_insert_tag_fixed()
 * @miss: what that lookup kept (its hash is the insert's); its key must
 *     be @key
 *
 * When the set's count is still the one the lookup found stable, no
 * writer has been in the set since (every writer takes it odd and leaves
 * it even, one step up), so the key is still absent: taking the lock
 * from that very count, the insert skips the look for an equal key and
 * reads only the stamps for its LRU choice.  (An equal key the lookup
 * passed over for its tag's flush stays in its slot, dead: a flushed
 * tag's epoch never comes back, and the slot goes when it is the least
 * recently used.)  (A 32-bit count back at the
 * same value would need 2^31 writes to one set during one walk.)  Any
 * other count: ilib_cache_insert_tag_fixed().
 * Context: takes the set lock.
 * Return: as ilib_cache_insert_tag().
 */
static inline __attribute__((always_inline)) bool
ilib_cache_insert_after_miss(struct ilib_cache *c,
			     const struct ilib_cache_miss *miss,
			     const uint64_t *key, const uint64_t *val,
			     uint64_t gen, uint64_t tag, const unsigned int kw,
			     const unsigned int vw)
{
	if (!miss)
		return false;
	if (miss->seq & 1)
		return ilib__cache_insert(c, miss->hash, key, val, gen, tag,
					  kw, vw, NULL);
	return ilib__cache_insert(c, miss->hash, key, val, gen, tag, kw, vw,
				  miss);
}

/**
 * ilib_cache_flush_tag() - remove every entry of @tag, in O(1)
 * Bumps the generation and the epoch of @tag's bucket: the bucket's
 * entries stop matching at once and their slots are reused as empty.
 * Context: any thread; takes no lock.
 */
void ilib_cache_flush_tag(struct ilib_cache *c, uint64_t tag);

/**
 * ilib_cache_flush() - remove every entry, in O(1)
 * @c: cache
 *
 * Bumps the generation and the cache's epoch: a set whose epoch is older
 * holds nothing (lookups miss there, invalidations skip it) and is
 * emptied when an insert next takes its lock.  So a global invalidation
 * costs the same whatever the cache's size, and a guest that queues
 * thousands of them makes the model do thousands of steps, not thousands
 * of cache scans.
 * Context: any thread; takes no lock.
 */
void ilib_cache_flush(struct ilib_cache *c);

/* Slots invalidations have looked at so far (the bound tests count it). */
uint64_t ilib_cache_inval_work(const struct ilib_cache *c);

/**
 * ilib_cache_count() - entries that would hit now, for a dump
 * @c: the cache
 *
 * Counts the slots in use that no flush has emptied (also stale ones no
 * invalidation removed yet: they are in the cache).  A snapshot: entries
 * may come and go while it counts.
 * Context: lock-free; reads every slot once.
 * Return: the count (0 for NULL).
 */
uint64_t ilib_cache_count(const struct ilib_cache *c);

#pragma GCC visibility pop

#endif /* ILIB_CACHE_H */
