// SPDX-License-Identifier: MIT
/*
 * cache.c - the set-associative cache with generations (see ilib_cache.h
 * for the concurrency rules).
 *
 * A slot is slot_words 64-bit words: the LRU stamp (0: empty), then the
 * key, then the value.  A set of at most 8 ways also keeps its ways in
 * the stamps' order (struct ilib_cache_set @order, ilib__order_touch()): every
 * stamp given moves its way to the top, every stamp cleared to the
 * bottom, so the inline insert after a miss finds the victim the stamps
 * would give without reading them.  Every word a lock-free reader may look at (stamp,
 * key, value, the set's tick and seq) is written with an atomic store and
 * read with an atomic load, even under the lock; plain accesses are used
 * only for what readers never see (the slot array pointer, sizes).
 *
 * The seqlock needs no fences: slot words are stored with release and
 * loaded with acquire.  A reader that sees any word of a change therefore
 * also sees the odd count stored before it, when it reads the count again
 * after its copy; and the even count a reader starts from makes the whole
 * change before it visible.  Fences would do the same with relaxed
 * accesses, but ThreadSanitizer does not model them (GCC refuses them
 * under -fsanitize=thread), and on x86 acquire loads and release stores
 * are plain moves.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>

#include "ilib_cache.h"
#include "ilib_trace.h"
#include "ilib_util.h"

/* Load a word a writer may be storing: see the comment at the top. */
static uint64_t ld(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* Store a word a lock-free reader may be loading. */
static void st(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static uint64_t *cache_slot(const struct ilib_cache *c, unsigned int set,
			    unsigned int way)
{
	return c->slots + ((size_t)set * c->ways + way) * c->slot_words;
}


/* The tag word: bucket in the top bits, the bucket's epoch below. */
#define TAG_EPOCH_BITS ILIB_CACHE_TAG_EPOCH_BITS
#define TAG_EPOCH_MASK ((UINT64_C(1) << TAG_EPOCH_BITS) - 1)

/* The bucket of @tag (ilib_cache_tag_bucket()). */
static unsigned int tag_bucket(const struct ilib_cache *c, uint64_t tag)
{
	return ilib_cache_tag_bucket(c, tag);
}

/* Does the slot's tag still hold (always, in an untagged cache)? */
static bool tag_ok(const struct ilib_cache *c, const uint64_t *slot)
{
	uint64_t w;

	if (!c->tag_buckets)
		return true;
	w = ld(&slot[c->slot_words - 1]);
	return (w & TAG_EPOCH_MASK) ==
	       (__atomic_load_n(&c->tag_epoch[w >> TAG_EPOCH_BITS],
				__ATOMIC_ACQUIRE) &
		TAG_EPOCH_MASK);
}

/* The trace mask of a cache whose host has none: never a bit. */
static const unsigned int no_trace;

/* Was @s emptied for the cache's current epoch (else it holds nothing)? */
static bool set_current(const struct ilib_cache *c,
			const struct ilib_cache_set *s)
{
	return __atomic_load_n(&s->epoch, __ATOMIC_ACQUIRE) ==
	       __atomic_load_n(&c->epoch, __ATOMIC_ACQUIRE);
}

/* Copy @n words from @src to @dst, each with an atomic (acquire) load. */
static void copy_in(uint64_t *dst, const uint64_t *src, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		dst[i] = ld(&src[i]);
}

/* Does the key at @slot_key (atomic loads) equal @key? */
static bool key_eq(const struct ilib_cache *c, const uint64_t *slot_key,
		   const uint64_t *key)
{
	for (unsigned int i = 0; i < c->key_words; i++)
		if (ld(&slot_key[i]) != key[i])
			return false;
	return true;
}

/* key_eq() for a key of @kw words (a constant where it is inlined). */
static inline __attribute__((always_inline)) bool
key_eq_kw(const uint64_t *slot_key, const uint64_t *key, const unsigned int kw)
{
	for (unsigned int i = 0; i < kw; i++)
		if (ld(&slot_key[i]) != key[i])
			return false;
	return true;
}

/*
 * The set's lock is its sequence count: set_lock() turns an even count
 * odd with a compare-and-swap, set_unlock() makes it even again, so a
 * writer of a set (slots, tick, epoch) changes it while seq is odd, as
 * the seqlock readers need, and the count and the lock cost one atomic
 * operation each way (a pthread mutex plus the two increments cost
 * three, and two library calls).
 *
 * The compare-and-swap is sequentially consistent (ilib_cache_insert()
 * relies on it: the set is odd before it reads the generation) and
 * acquires what the last holder released.  The words stored under the
 * lock are release stores after the odd count; the release store of the
 * even count orders them before it.  A holder scans one set (at most
 * ILIB_CACHE_MAX_WAYS slots, a predicate call each for an invalidation)
 * and calls nothing that blocks, so a waiter spins, and yields the CPU
 * after a while in case the holder was preempted.
 */
#define SET_LOCK_SPINS 64u

static void set_lock(struct ilib_cache_set *s)
{
	for (unsigned int i = 0;; i++) {
		unsigned int seq = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);

		if (!(seq & 1) &&
		    __atomic_compare_exchange_n(&s->seq, &seq, seq + 1, false,
						__ATOMIC_SEQ_CST,
						__ATOMIC_RELAXED))
			return;
		if (i >= SET_LOCK_SPINS)
			sched_yield();
	}
}

static void set_unlock(struct ilib_cache_set *s)
{
	__atomic_store_n(&s->seq,
			 __atomic_load_n(&s->seq, __ATOMIC_RELAXED) + 1,
			 __ATOMIC_RELEASE);
}

int ilib_cache_init(struct ilib_cache *c, uint64_t entries,
		    unsigned int max_ways, unsigned int key_words,
		    unsigned int val_words)
{
	return ilib_cache_init_tagged(c, entries, max_ways, key_words,
				      val_words, 0);
}

int ilib_cache_init_tagged(struct ilib_cache *c, uint64_t entries,
			   unsigned int max_ways, unsigned int key_words,
			   unsigned int val_words, unsigned int tag_buckets)
{
	if (!c || !entries || entries > ILIB_CACHE_MAX_ENTRIES || !max_ways ||
	    max_ways > ILIB_CACHE_MAX_WAYS || !key_words ||
	    key_words > ILIB_CACHE_MAX_WORDS ||
	    val_words > ILIB_CACHE_MAX_WORDS - key_words ||
	    tag_buckets > 65536 || (tag_buckets & (tag_buckets - 1)))
		return -EINVAL;
	c->ways = entries < max_ways ? (unsigned int)entries : max_ways;
	c->nsets = (unsigned int)((entries + c->ways - 1) / c->ways);
	c->key_words = key_words;
	c->val_words = val_words;
	c->slot_words = 1 + key_words + val_words + (tag_buckets ? 1 : 0);
	c->tag_buckets = tag_buckets;
	c->tag_epoch = NULL;
	c->gen = 0;
	c->epoch = 0;
	c->inval_work = 0;
	c->trace_host = NULL;
	c->trace_mask = &no_trace;
	c->trace_what = NULL;
	c->fifo = false;
	c->shape = 0;
	c->sets = calloc(c->nsets, sizeof(*c->sets));
	c->slots = calloc((size_t)c->nsets * c->ways * c->slot_words,
			  sizeof(*c->slots));
	if (tag_buckets)
		c->tag_epoch = calloc(tag_buckets, sizeof(*c->tag_epoch));
	if (!c->sets || !c->slots || (tag_buckets && !c->tag_epoch))
		goto err_free;
	/* Every way in the order once (all empty: any order will do). */
	for (unsigned int set = 0;
	     c->ways <= ILIB__ORDER_WAYS && set < c->nsets; set++)
		for (unsigned int w = 0; w < c->ways; w++)
			c->sets[set].order |= w << (ILIB__ORDER_BITS * w);
	c->shape = ILIB__CACHE_SHAPE(key_words, val_words, c->ways,
				     c->slot_words);
	return 0;

err_free:
	free(c->sets);
	free(c->slots);
	free(c->tag_epoch);
	c->sets = NULL;
	c->slots = NULL;
	c->tag_epoch = NULL;
	return -ENOMEM;
}

void ilib_cache_fini(struct ilib_cache *c)
{
	if (!c || !c->sets)
		return;
	free(c->sets);
	free(c->slots);
	free(c->tag_epoch);
	c->sets = NULL;
	c->slots = NULL;
	c->tag_epoch = NULL;
	c->shape = 0;
}

unsigned int ilib_cache_nsets(const struct ilib_cache *c)
{
	return c && c->sets ? c->nsets : 0;
}

unsigned int ilib_cache_set_of(const struct ilib_cache *c, uint64_t hash)
{
	if (!c || !c->sets)
		return 0;
	return (unsigned int)(((hash >> 32) * c->nsets) >> 32);
}

uint64_t ilib_cache_gen(struct ilib_cache *c)
{
	return c ? __atomic_load_n(&c->gen, __ATOMIC_ACQUIRE) : 0;
}

/*
 * The seqlock read: find @key in @set without the lock.  Return: true if
 * the result (*@hit, and @val on a hit) may be used: the set was stable
 * around the copy and the entry, if any, is already the most recently
 * used one (so there is no stamp to update).
 */
static bool lookup_lockless(struct ilib_cache *c, unsigned int set,
			    const uint64_t *key, uint64_t *val,
			    unsigned int nval, bool *hit)
{
	struct ilib_cache_set *s = &c->sets[set];
	unsigned int seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
	bool mru = false;

	*hit = false;
	if (seq & 1)
		return false;
	if (!set_current(c, s))
		return true; /* flushed: a miss, without a look */
	/* The first key word first: most slots differ there, so a miss
	 * costs one load and one compare per way. */
	uint64_t *slot = cache_slot(c, set, 0);
	const unsigned int ways = c->ways, sw = c->slot_words;

	for (unsigned int w = 0; w < ways; w++, slot += sw) {
		uint64_t stamp;

		if (ld(&slot[1]) != key[0])
			continue;
		stamp = ld(&slot[0]);
		if (!stamp || !key_eq(c, slot + 1, key) || !tag_ok(c, slot))
			continue;
		copy_in(val, slot + 1 + c->key_words, nval);
		mru = c->fifo || stamp == ld(&s->tick);
		*hit = true;
		break;
	}
	/* The acquire loads above keep this re-read after them. */
	if (__atomic_load_n(&s->seq, __ATOMIC_RELAXED) != seq)
		return false;
	return !*hit || mru;
}

bool ilib_cache_lookup(struct ilib_cache *c, uint64_t hash, const uint64_t *key,
		       uint64_t *val)
{
	return ilib_cache_lookup_part(c, hash, key, val, c ? c->val_words : 0);
}

bool ilib_cache_lookup_part(struct ilib_cache *c, uint64_t hash,
			    const uint64_t *key, uint64_t *val,
			    unsigned int nval)
{
	struct ilib_cache_set *s;
	unsigned int set;
	bool hit;

	if (!c || !c->sets || !key || nval > c->val_words || (nval && !val))
		return false;
	set = ilib_cache_set_of(c, hash);
	if (lookup_lockless(c, set, key, val, nval, &hit))
		return hit;
	s = &c->sets[set];
	hit = false;
	set_lock(s);
	for (unsigned int w = 0; set_current(c, s) && w < c->ways; w++) {
		uint64_t *slot = cache_slot(c, set, w);
		uint64_t tick;

		if (!ld(&slot[0]) || !key_eq(c, slot + 1, key) ||
		    !tag_ok(c, slot))
			continue;
		if (!c->fifo) {
			tick = ld(&s->tick) + 1;
			st(&s->tick, tick);
			st(&slot[0], tick);
			ilib__order_touch(c, s, w, true);
		}
		copy_in(val, slot + 1 + c->key_words, nval);
		hit = true;
		break;
	}
	set_unlock(s);
	return hit;
}

bool ilib_cache_insert(struct ilib_cache *c, uint64_t hash, const uint64_t *key,
		       const uint64_t *val, uint64_t gen)
{
	return ilib_cache_insert_tag(c, hash, key, val, gen, 0);
}

void ilib_cache_set_host(struct ilib_cache *c, struct iommu_host *host,
			  const char *what)
{
	if (!c)
		return;
	c->trace_host = host;
	c->trace_mask = &no_trace;
	if (host && host->ops &&
	    host->ops->size > offsetof(struct iommu_host_ops, trace) &&
	    host->trace_mask)
		c->trace_mask = host->trace_mask;
	c->trace_what = what;
}

/* The key words an eviction traces, at most. */
#define TRACE_KEY_WORDS 8u

static void trace_insert(const struct ilib_cache *c, const uint64_t *key,
			 const uint64_t *old_key, bool evicted)
{
	size_t kw = c->key_words < TRACE_KEY_WORDS ? c->key_words :
						     TRACE_KEY_WORDS;

	if (evicted)
		ilib_trace_raw_slow(c->trace_host, IOMMU_TR_IOTLB_EVICT,
				    c->trace_what, 0, 0, old_key,
				    kw * sizeof(uint64_t));
	ilib_trace_raw_slow(c->trace_host, IOMMU_TR_IOTLB_FILL, c->trace_what,
			    0, 0, key, kw * sizeof(uint64_t));
}

/*
 * The insert, for a key of @kw words: a constant in the common cases, so
 * that the scan of the set compares whole keys inline (the insert is on
 * every IOTLB miss).
 */
static inline __attribute__((always_inline)) bool
insert_kw(struct ilib_cache *c, uint64_t hash, const uint64_t *key,
	  const uint64_t *val, uint64_t gen, uint64_t tag, const unsigned int kw)
{
	uint64_t tagw = 0, tick;
	struct ilib_cache_set *s;
	uint64_t *victim = NULL;
	unsigned int set, vway = 0;
	bool stored = false;
	bool traced, evicted = false;
	uint64_t old_key[TRACE_KEY_WORDS];

	set = ilib_cache_set_of(c, hash);
	s = &c->sets[set];
	/*
	 * The set goes odd (seq_cst) before the generation is read: an
	 * invalidation bumps the generation before it reads seq, so either
	 * it sees this set busy or this insert sees the new generation.
	 */
	set_lock(s);
	if (!set_current(c, s)) {
		/* Flushed since: empty it now, for the epoch read before the
		 * slots are cleared (a flush meanwhile leaves it stale). */
		uint64_t e = __atomic_load_n(&c->epoch, __ATOMIC_ACQUIRE);

		for (unsigned int w = 0; w < c->ways; w++)
			st(&cache_slot(c, set, w)[0], 0);
		__atomic_store_n(&s->epoch, e, __ATOMIC_RELEASE);
	}
	{
		uint64_t *slot = cache_slot(c, set, 0), vstamp = UINT64_MAX;
		const unsigned int ways = c->ways, sw = c->slot_words;

		/* The slot of an equal key, else the first empty one (stamp
		 * 0), else the least recently used: the smallest stamp. */
		for (unsigned int w = 0; w < ways; w++, slot += sw) {
			uint64_t stamp = ld(&slot[0]);

			if (stamp < vstamp) {
				victim = slot;
				vway = w;
				vstamp = stamp;
			}
			if (ld(&slot[1]) == key[0] && stamp &&
			    key_eq_kw(slot + 1, key, kw)) {
				victim = slot;
				vway = w;
				break;
			}
		}
	}
	/* The tag's epoch before the generation check: a flush of the tag
	 * bumps the generation first, so if the check passes, the epoch
	 * read here is older than any flush still to come. */
	if (c->tag_buckets) {
		unsigned int b = tag_bucket(c, tag);

		tagw = (uint64_t)b << TAG_EPOCH_BITS |
		       (__atomic_load_n(&c->tag_epoch[b], __ATOMIC_SEQ_CST) &
			TAG_EPOCH_MASK);
	}
	traced = ilib__cache_tracing(c);
	if (__atomic_load_n(&c->gen, __ATOMIC_SEQ_CST) == gen) {
		if (traced && ld(&victim[0]) &&
		    !key_eq_kw(victim + 1, key, kw)) {
			evicted = true;
			for (unsigned int i = 0;
			     i < c->key_words && i < TRACE_KEY_WORDS; i++)
				old_key[i] = ld(&victim[1 + i]);
		}
		for (unsigned int i = 0; i < kw; i++)
			st(&victim[1 + i], key[i]);
		for (unsigned int i = 0; i < c->val_words; i++)
			st(&victim[1 + kw + i], val[i]);
		if (c->tag_buckets)
			st(&victim[c->slot_words - 1], tagw);
		tick = ld(&s->tick) + 1;
		st(&s->tick, tick);
		st(&victim[0], tick);
		ilib__order_touch(c, s, vway, true);
		stored = true;
	}
	set_unlock(s);
	if (traced && stored)
		trace_insert(c, key, old_key, evicted);
	return stored;
}

bool ilib_cache_insert_tag(struct ilib_cache *c, uint64_t hash,
			   const uint64_t *key, const uint64_t *val,
			   uint64_t gen, uint64_t tag)
{
	if (!c || !c->sets || !key || (c->val_words && !val))
		return false;
	switch (c->key_words) {
	case 1:
		return insert_kw(c, hash, key, val, gen, tag, 1);
	case 2:
		return insert_kw(c, hash, key, val, gen, tag, 2);
	case 3:
		return insert_kw(c, hash, key, val, gen, tag, 3);
	default:
		return insert_kw(c, hash, key, val, gen, tag, c->key_words);
	}
}

void ilib_cache_inval_begin(struct ilib_cache *c)
{
	if (c)
		__atomic_add_fetch(&c->gen, 1, __ATOMIC_SEQ_CST);
}

/* Does the key at @slot_key (atomic loads) pass @f (NULL: any key)? */
static bool key_filter_ok(const struct ilib_cache *c, const uint64_t *slot_key,
			  const struct ilib_cache_filter *f)
{
	if (!f)
		return true;
	for (unsigned int i = 0;
	     i < c->key_words && i < ILIB_CACHE_FILTER_WORDS; i++)
		if ((ld(&slot_key[i]) & f->mask[i]) != f->val[i])
			return false;
	return true;
}

/*
 * Does anything in @set match, read without the lock?  @serial: the
 * caller serializes the invalidations of @c (the work counter needs no
 * locked add).  Return: false only if the set was stable around the scan
 * and nothing matched.
 */
static inline __attribute__((always_inline)) bool
inval_may_match(struct ilib_cache *c, unsigned int set,
		const struct ilib_cache_filter *f, ilib_cache_pred pred,
		const void *arg, bool serial)
{
	struct ilib_cache_set *s = &c->sets[set];
	uint64_t copy[ILIB_CACHE_MAX_WORDS];
	unsigned int seq = __atomic_load_n(&s->seq, __ATOMIC_SEQ_CST);
	bool match = false;

	if (seq & 1)
		return true;
	if (!set_current(c, s))
		return false; /* flushed: nothing to remove */
	if (serial)
		__atomic_store_n(
		    &c->inval_work,
		    __atomic_load_n(&c->inval_work, __ATOMIC_RELAXED) + c->ways,
		    __ATOMIC_RELAXED);
	else
		__atomic_add_fetch(&c->inval_work, c->ways, __ATOMIC_RELAXED);
	if (c->trace_host)
		ilib_stat(c->trace_host, IOMMU_STAT_INVAL_WORK, c->ways);
	for (unsigned int w = 0; w < c->ways && !match; w++) {
		uint64_t *slot = cache_slot(c, set, w);

		/* The filter on the key words in place: most slots fail it
		 * with no copy and no call. */
		if (!ld(&slot[0]) || !key_filter_ok(c, slot + 1, f))
			continue;
		if (!pred)
			return true;
		copy_in(copy, slot + 1, c->key_words + c->val_words);
		match = pred(copy, copy + c->key_words, arg);
	}
	return match || __atomic_load_n(&s->seq, __ATOMIC_RELAXED) != seq;
}

void ilib_cache_inval_set(struct ilib_cache *c, unsigned int set,
			  ilib_cache_pred pred, const void *arg)
{
	ilib_cache_inval_set_filtered(c, set, NULL, pred, arg);
}

/* Remove what passes @f and @pred from @set (@serial: see
 * ilib_cache_inval_set_serial()). */
static inline __attribute__((always_inline)) void
inval_set(struct ilib_cache *c, unsigned int set,
	  const struct ilib_cache_filter *f, ilib_cache_pred pred,
	  const void *arg, bool serial)
{
	struct ilib_cache_set *s;

	if (!inval_may_match(c, set, f, pred, arg, serial))
		return;
	s = &c->sets[set];
	set_lock(s);
	for (unsigned int w = 0; w < c->ways; w++) {
		uint64_t *slot = cache_slot(c, set, w);

		/* Under the lock no one else writes: read in place. */
		if (ld(&slot[0]) && key_filter_ok(c, slot + 1, f) &&
		    (!pred || pred(slot + 1, slot + 1 + c->key_words, arg))) {
			st(&slot[0], 0);
			ilib__order_touch(c, s, w, false);
		}
	}
	set_unlock(s);
}

void ilib_cache_inval_set_filtered(struct ilib_cache *c, unsigned int set,
				   const struct ilib_cache_filter *f,
				   ilib_cache_pred pred, const void *arg)
{
	if (!c || !c->sets || set >= c->nsets)
		return;
	inval_set(c, set, f, pred, arg, false);
}

void ilib_cache_inval_set_serial(struct ilib_cache *c, unsigned int set,
				 const struct ilib_cache_filter *f)
{
	if (!c || !c->sets || set >= c->nsets || !f)
		return;
	inval_set(c, set, f, NULL, NULL, true);
}

uint64_t ilib_cache_inval_work(const struct ilib_cache *c)
{
	return c ? __atomic_load_n(&c->inval_work, __ATOMIC_RELAXED) : 0;
}

void ilib_cache_flush_tag(struct ilib_cache *c, uint64_t tag)
{
	if (!c || !c->sets || !c->tag_buckets)
		return;
	ilib_cache_inval_begin(c);
	__atomic_add_fetch(&c->tag_epoch[tag_bucket(c, tag)], 1,
			   __ATOMIC_SEQ_CST);
}

void ilib_cache_flush(struct ilib_cache *c)
{
	if (!c || !c->sets)
		return;
	ilib_cache_inval_begin(c);
	__atomic_add_fetch(&c->epoch, 1, __ATOMIC_SEQ_CST);
}

void ilib_cache_inval(struct ilib_cache *c, ilib_cache_pred pred,
		      const void *arg)
{
	if (!c || !c->sets)
		return;
	ilib_cache_inval_begin(c);
	for (unsigned int set = 0; set < c->nsets; set++)
		ilib_cache_inval_set(c, set, pred, arg);
}

uint64_t ilib_cache_count(const struct ilib_cache *c)
{
	uint64_t n = 0;

	if (!c || !c->sets)
		return 0;
	for (unsigned int set = 0; set < c->nsets; set++) {
		if (!set_current(c, &c->sets[set]))
			continue; /* flushed: holds nothing */
		for (unsigned int way = 0; way < c->ways; way++) {
			const uint64_t *slot = cache_slot(c, set, way);

			if (ld(&slot[0]) && tag_ok(c, slot))
				n++;
		}
	}
	return n;
}
