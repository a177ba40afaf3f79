// SPDX-License-Identifier: MIT
/*
 * ilib_cache_inline.h - the inline parts of the set-associative cache
 * (included by ilib_cache.h; not on its own): the LRU order of a small
 * set, the lock-free probe a hot path inlines (ilib_cache_lookup_fixed(),
 * ilib_cache_lookup_fixed_miss()) and the insert it inlines after a miss
 * (ilib_cache_insert_tag_fixed(), ilib_cache_insert_after_miss()).  The
 * concurrency rules are cache.c's.
 */
#ifndef ILIB_CACHE_INLINE_H
#define ILIB_CACHE_INLINE_H

#ifndef ILIB_CACHE_H
#error "include ilib_cache.h, not ilib_cache_inline.h"
#endif

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

/* Way @w of @s was given the set's newest stamp (@mru) or emptied: keep
 * the set's order (only a set of at most ILIB__ORDER_WAYS ways has one;
 * the set's lock is held). */
static inline void ilib__order_touch(const struct ilib_cache *c,
				     struct ilib_cache_set *s, unsigned int w,
				     bool mru)
{
	uint32_t o;

	if (c->ways > ILIB__ORDER_WAYS)
		return;
	o = __atomic_load_n(&s->order, __ATOMIC_RELAXED);
	o = mru ? ilib__order_to_mru(o, c->ways, w)
		: ilib__order_to_lru(o, c->ways, w);
	__atomic_store_n(&s->order, o, __ATOMIC_RELAXED);
}

/**
 * struct ilib_cache_miss - what a lookup that missed saw of its set, for
 * the insert after the walk (ilib_cache_lookup_fixed_miss(),
 * ilib_cache_insert_after_miss())
 * @hash: the key's hash (set by every lookup)
 * @seq: the set's count, even and unchanged around the lookup that found
 *     no equal key; odd: nothing to go on
 * @set, @slot: with an even @seq, the set and its first slot when the
 *     cache's sets are of 8 ways and a tag word (the shape of
 *     ilib__cache_insert_miss8(), for the lookup's key and value sizes);
 *     else @slot is NULL
 */
struct ilib_cache_miss {
	uint64_t hash;
	unsigned int seq;
	struct ilib_cache_set *set;
	uint64_t *slot;
};

#if defined(__x86_64__) && !defined(__SANITIZE_THREAD__)
#if defined(__has_feature)
#if !__has_feature(thread_sanitizer)
#define ILIB__WORD_EQ_ASM 1
#endif
#else
#define ILIB__WORD_EQ_ASM 1
#endif
#endif

/*
 * ilib__word_eq() - does the word at @p equal @v?  A lock-free probe's
 * first compare of each way.  On x86-64 it is one compare with the word
 * in memory: an aligned 8-byte load is atomic there and loads are not
 * reordered with loads, and the asm is volatile, so the compiler keeps
 * it between the set's count and its re-read (which a compiler barrier
 * precedes: ilib__cache_probe_in()).  A compiler will not fold an atomic
 * load into a compare, and a probe of 8 ways makes 8 of them.  Under
 * ThreadSanitizer, and elsewhere, an acquire load.
 */
static inline __attribute__((always_inline)) bool
ilib__word_eq(const uint64_t *p, uint64_t v)
{
#ifdef ILIB__WORD_EQ_ASM
	bool eq;

	__asm__ volatile("cmpq %2, %1" : "=@ccz"(eq) : "m"(*p), "r"(v));
	return eq;
#else
	return __atomic_load_n(p, __ATOMIC_ACQUIRE) == v;
#endif
}

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

	if (!ilib__word_eq(&slot[1], key[0]))
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
	if (__builtin_expect(seq & 1, 0))
		goto slow;
	if (__builtin_expect(__atomic_load_n(&s->epoch, __ATOMIC_ACQUIRE) !=
				 __atomic_load_n(&c->epoch, __ATOMIC_ACQUIRE),
			     0))
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
	if (__builtin_expect(r == ILIB__WAY_SLOW, 0))
		goto slow;
	/* The compares above (ilib__word_eq()) stay before the re-read. */
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (__builtin_expect(__atomic_load_n(&s->seq, __ATOMIC_RELAXED) == seq,
			     1)) {
		if (miss) {
			miss->seq = seq;
			miss->set = s;
			miss->slot = ways == 8 && sw == 2 + kw + vw ? first
								    : NULL;
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

/* Are the cache's IOTLB events on (iommu_host_tracing() of its host)? */
static inline __attribute__((always_inline)) bool
ilib__cache_tracing(const struct ilib_cache *c)
{
#ifdef IOMMU_NO_TRACE
	(void)c;
	return false;
#endif
	return __builtin_expect(__atomic_load_n(c->trace_mask,
						__ATOMIC_RELAXED) &
					IOMMU_TRACE_BIT(IOMMU_TRACE_IOTLB),
				0);
}

/* The slot's tag word of @tag (@bucket: its bucket; @have: false when
 * the caller has none, a constant), the epoch read now (under the set's
 * lock, before the generation). */
static inline __attribute__((always_inline)) uint64_t
ilib__cache_tag_word(const struct ilib_cache *c, uint64_t tag,
		     unsigned int bucket, const bool have)
{
	const uint64_t emask = (UINT64_C(1) << ILIB_CACHE_TAG_EPOCH_BITS) - 1;
	const unsigned int b = have ? bucket : ilib_cache_tag_bucket(c, tag);

	return (uint64_t)b << ILIB_CACHE_TAG_EPOCH_BITS |
	       (__atomic_load_n(&c->tag_epoch[b], __ATOMIC_SEQ_CST) & emask);
}

/* Store @key, @val and @tagw into @victim of @s, the newest stamp last
 * (the set's lock held). */
static inline __attribute__((always_inline)) void
ilib__cache_store(struct ilib_cache_set *s, uint64_t *victim,
		  const uint64_t *key, const uint64_t *val, uint64_t tagw,
		  const unsigned int kw, const unsigned int vw)
{
	uint64_t tick;
	unsigned int i;

#pragma GCC unroll 16
	for (i = 0; i < kw; i++)
		__atomic_store_n(&victim[1 + i], key[i], __ATOMIC_RELEASE);
#pragma GCC unroll 16
	for (i = 0; i < vw; i++)
		__atomic_store_n(&victim[1 + kw + i], val[i], __ATOMIC_RELEASE);
	__atomic_store_n(&victim[1 + kw + vw], tagw, __ATOMIC_RELEASE);
	tick = __atomic_load_n(&s->tick, __ATOMIC_ACQUIRE) + 1;
	__atomic_store_n(&s->tick, tick, __ATOMIC_RELEASE);
	__atomic_store_n(&victim[0], tick, __ATOMIC_RELEASE);
}

/*
 * The insert after a miss in a set of 8 ways of the caller's sizes, a
 * tag word each, that the lookup found stable at @miss->seq (even), no
 * IOTLB tracing: the lock taken from that very count, the victim the
 * first way of the set's order (an empty one, else the least recently
 * used), which goes to the top.  A set a flush left stale since needs no
 * look: the flush bumps the generation, then the epoch, and never
 * touches a set, so it either fails the generation check here or leaves
 * an entry no one sees (a stale set holds nothing to every reader, and
 * whoever empties it next clears every stamp).  Anything else: the call.
 */
static inline __attribute__((always_inline)) bool
ilib__cache_insert_miss8(struct ilib_cache *c,
			 const struct ilib_cache_miss *miss,
			 const uint64_t *key, const uint64_t *val,
			 uint64_t gen, uint64_t tag, unsigned int bucket,
			 const bool have, const unsigned int kw,
			 const unsigned int vw)
{
	const unsigned int sw = 1 + kw + vw + 1;
	struct ilib_cache_set *const s = miss->set;
	unsigned int seq = miss->seq, w;
	uint64_t *victim, tagw;
	uint32_t order;
	bool stored = false;

	if (!__atomic_compare_exchange_n(&s->seq, &seq, seq + 1, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		return ilib_cache_insert_tag(c, miss->hash, key, val, gen, tag);
	order = __atomic_load_n(&s->order, __ATOMIC_RELAXED);
	w = order & ILIB__ORDER_MASK;
	victim = miss->slot + (size_t)w * sw;
	tagw = ilib__cache_tag_word(c, tag, bucket, have);
	if (__atomic_load_n(&c->gen, __ATOMIC_SEQ_CST) == gen) {
		ilib__cache_store(s, victim, key, val, tagw, kw, vw);
		__atomic_store_n(&s->order,
				 order >> ILIB__ORDER_BITS |
				     w << (ILIB__ORDER_BITS * 7),
				 __ATOMIC_RELAXED);
		stored = true;
	}
	__atomic_store_n(&s->seq, seq + 2, __ATOMIC_RELEASE);
	return stored;
}

/* The inline insert of ilib_cache_insert_tag_fixed(), and of
 * ilib_cache_insert_after_miss() when ilib__cache_insert_miss8() does
 * not apply (@miss: a stable miss's record, or NULL); @bucket, with
 * @have (a constant), is ilib_cache_tag_bucket() of @tag. */
static inline __attribute__((always_inline)) bool
ilib__cache_insert(struct ilib_cache *c, uint64_t hash, const uint64_t *key,
		   const uint64_t *val, uint64_t gen, uint64_t tag,
		   unsigned int bucket, const bool have, const unsigned int kw,
		   const unsigned int vw, const struct ilib_cache_miss *miss)
{
	const unsigned int sw = 1 + kw + vw + 1;
	struct ilib_cache_set *s;
	uint64_t *slot, *end, *victim, vstamp = UINT64_MAX, tagw;
	unsigned int set, seq, i, w, vway = 0;
	bool stored = false;

	if (!c || !key || (vw && !val))
		goto slow;
	/* 8 ways of this slot size (a tag word: a tagged cache): one
	 * compare; any other shape is checked a word at a time. */
	if ((c->shape != ILIB__CACHE_SHAPE(kw, vw, 8, sw) &&
	     (kw != c->key_words || vw != c->val_words || !c->sets ||
	      !c->tag_buckets)) ||
	    ilib__cache_tracing(c))
		goto slow;
	set = (unsigned int)(((hash >> 32) * c->nsets) >> 32);
	s = &c->sets[set];
	seq = miss ? miss->seq : __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
	slot = c->slots + (size_t)set * c->ways * sw;
	if ((seq & 1) ||
	    !__atomic_compare_exchange_n(&s->seq, &seq, seq + 1, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		goto slow;
	if (__atomic_load_n(&s->epoch, __ATOMIC_ACQUIRE) !=
	    __atomic_load_n(&c->epoch, __ATOMIC_ACQUIRE))
		goto unlock_slow; /* the call empties it first */
	/* The slot of an equal key, else the first empty one, else the
	 * least recently used (cache.c's choice); after a miss there is no
	 * equal key to look for. */
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
		    __atomic_load_n(&slot[1], __ATOMIC_ACQUIRE) != key[0] ||
		    !stamp)
			continue;
		for (i = 1; i < kw; i++)
			if (__atomic_load_n(&slot[1 + i], __ATOMIC_ACQUIRE) !=
			    key[i])
				break;
		if (i == kw) {
			victim = slot;
			vway = w;
			break;
		}
	}
	tagw = ilib__cache_tag_word(c, tag, bucket, have);
	if (__atomic_load_n(&c->gen, __ATOMIC_SEQ_CST) == gen) {
		ilib__cache_store(s, victim, key, val, tagw, kw, vw);
		ilib__order_touch(c, s, vway, true);
		stored = true;
	}
	__atomic_store_n(&s->seq, seq + 2, __ATOMIC_RELEASE);
	return stored;

unlock_slow:
	__atomic_store_n(&s->seq, seq + 2, __ATOMIC_RELEASE);
slow:
	return ilib_cache_insert_tag(c, hash, key, val, gen, tag);
}

/* ilib_cache_insert_after_miss_bucket() (@have: false when the caller
 * has no bucket, a constant). */
static inline __attribute__((always_inline)) bool
ilib__cache_insert_after_miss(struct ilib_cache *c,
			      const struct ilib_cache_miss *miss,
			      const uint64_t *key, const uint64_t *val,
			      uint64_t gen, uint64_t tag, unsigned int bucket,
			      const bool have, const unsigned int kw,
			      const unsigned int vw)
{
	if (!miss)
		return false;
	if (miss->seq & 1)
		return ilib__cache_insert(c, miss->hash, key, val, gen, tag,
					  bucket, have, kw, vw, NULL);
	/* An even count and a slot: the lookup ran on @c, made, in a set of
	 * miss8's shape (the insert's sizes are the lookup's). */
	if (miss->slot && key && (!vw || val) && !ilib__cache_tracing(c))
		return ilib__cache_insert_miss8(c, miss, key, val, gen, tag,
						bucket, have, kw, vw);
	return ilib__cache_insert(c, miss->hash, key, val, gen, tag, bucket,
				  have, kw, vw, miss);
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
	return ilib__cache_insert(c, hash, key, val, gen, tag, 0, false, kw,
				  vw, NULL);
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
 * takes its victim from the set's order (8 ways of the caller's sizes,
 * tagged) or from the stamps (any other shape).  (An equal key the lookup
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
	return ilib__cache_insert_after_miss(c, miss, key, val, gen, tag, 0,
					     false, kw, vw);
}

/**
 * ilib_cache_insert_after_miss_bucket() - ilib_cache_insert_after_miss()
 * with the tag's bucket the caller kept
 * @bucket: ilib_cache_tag_bucket(@c, @tag), exactly (an entry under
 *     another bucket would escape its tag's flush)
 *
 * Context: takes the set lock.
 * Return: as ilib_cache_insert_tag().
 */
static inline __attribute__((always_inline)) bool
ilib_cache_insert_after_miss_bucket(struct ilib_cache *c,
				    const struct ilib_cache_miss *miss,
				    const uint64_t *key, const uint64_t *val,
				    uint64_t gen, uint64_t tag,
				    unsigned int bucket, const unsigned int kw,
				    const unsigned int vw)
{
	return ilib__cache_insert_after_miss(c, miss, key, val, gen, tag,
					     bucket, true, kw, vw);
}

#endif /* ILIB_CACHE_INLINE_H */
