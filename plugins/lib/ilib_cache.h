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
	/* The host's trace mask, if its ops have one (else a word that
	 * stays 0; never NULL once made): the inline insert's one load to
	 * see whether IOTLB events are on. */
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
 * ilib_cache_tag_bucket() - the epoch bucket of tag @tag in tagged cache @c
 * @c: the cache, made
 * @tag: a tag
 *
 * A multiplicative hash (the top bits of the product with an odd
 * constant) is enough for tags, which are small IDs.  A caller that
 * inserts under one tag again and again may keep it and hand it to
 * ilib_cache_insert_after_miss_bucket().
 * Return: the bucket; 0 for an untagged cache.
 */
static inline unsigned int ilib_cache_tag_bucket(const struct ilib_cache *c,
						 uint64_t tag)
{
	return c->tag_buckets
		   ? (unsigned int)((tag * UINT64_C(0x9e3779b97f4a7c15)) >>
				    32) &
			 (c->tag_buckets - 1)
		   : 0;
}

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

/* The inline probe and insert of the hot paths. */
#include "ilib_cache_inline.h"

#pragma GCC visibility pop

#endif /* ILIB_CACHE_H */
