// SPDX-License-Identifier: MIT
/*
 * test_cache.c - the set-associative cache: geometry, insert and lookup,
 * LRU eviction within a set, invalidation by predicate and by set, the
 * generation rule (a walk that began before an invalidation does not
 * insert), and consistent lock-free reads while writers run.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "ilib_cache.h"

/* Keys of 2 words, values of 3; one set of 4 ways unless said. */
#define KW 2
#define VW 3

static void key_of(uint64_t k, uint64_t key[KW])
{
	key[0] = k;
	key[1] = ~k;
}

static void val_of(uint64_t k, uint64_t v, uint64_t val[VW])
{
	val[0] = v;
	val[1] = v * 3 + k;
	val[2] = ~v;
}

static bool has(struct ilib_cache *c, uint64_t k, uint64_t *v)
{
	uint64_t key[KW], val[VW];

	key_of(k, key);
	if (!ilib_cache_lookup(c, 0, key, val))
		return false;
	if (v)
		*v = val[0];
	return true;
}

static bool put(struct ilib_cache *c, uint64_t k, uint64_t v, uint64_t gen)
{
	uint64_t key[KW], val[VW];

	key_of(k, key);
	val_of(k, v, val);
	return ilib_cache_insert(c, 0, key, val, gen);
}

Test(cache, init_refuses_bad_sizes)
{
	struct ilib_cache c;

	cr_assert_eq(ilib_cache_init(&c, 0, 8, 1, 1), -EINVAL);
	cr_assert_eq(
	    ilib_cache_init(&c, ILIB_CACHE_MAX_ENTRIES + 1ull, 8, 1, 1),
	    -EINVAL);
	cr_assert_eq(ilib_cache_init(&c, 8, 0, 1, 1), -EINVAL);
	cr_assert_eq(ilib_cache_init(&c, 8, ILIB_CACHE_MAX_WAYS + 1, 1, 1),
		     -EINVAL);
	cr_assert_eq(ilib_cache_init(&c, 8, 8, 0, 1), -EINVAL);
	cr_assert_eq(ilib_cache_init(&c, 8, 8, 10, 7), -EINVAL);
	cr_assert_eq(ilib_cache_init(NULL, 8, 8, 1, 1), -EINVAL);
	cr_assert_eq(ilib_cache_init(&c, 8, 8, 10, 6), 0);
	ilib_cache_fini(&c);
}

Test(cache, geometry_rounds_up_to_whole_sets)
{
	struct ilib_cache c;

	cr_assert_eq(ilib_cache_init(&c, 3, 8, 1, 0), 0);
	cr_assert_eq(ilib_cache_nsets(&c), 1, "3 entries: one set of 3");
	cr_assert_eq(c.ways, 3);
	ilib_cache_fini(&c);
	cr_assert_eq(ilib_cache_init(&c, 20, 8, 1, 0), 0);
	cr_assert_eq(ilib_cache_nsets(&c), 3, "20 entries: 3 sets of 8");
	cr_assert_eq(ilib_cache_set_of(&c, 0), 0);
	cr_assert_eq(ilib_cache_set_of(&c, UINT64_MAX), 2);
	cr_assert_eq(ilib_cache_set_of(&c, 0x8000000000000000ull), 1);
	ilib_cache_fini(&c);
	ilib_cache_fini(&c); /* twice: harmless */
}

Test(cache, insert_then_lookup_and_replace_equal_key)
{
	struct ilib_cache c;
	uint64_t v = 0, key[KW], val[VW];

	cr_assert_eq(ilib_cache_init(&c, 4, 4, KW, VW), 0);
	cr_assert_not(has(&c, 1, NULL), "an empty cache hit");
	cr_assert(put(&c, 1, 100, ilib_cache_gen(&c)));
	cr_assert(has(&c, 1, &v));
	cr_assert_eq(v, 100);
	key_of(1, key);
	cr_assert(ilib_cache_lookup(&c, 0, key, val));
	cr_assert_eq(val[1], 301);
	cr_assert_eq(val[2], ~100ull);
	/* A key equal in its first word only is another key. */
	key[1] = 0;
	cr_assert_not(ilib_cache_lookup(&c, 0, key, val));
	/* Equal key: replaced in place, no second copy. */
	cr_assert(put(&c, 1, 200, ilib_cache_gen(&c)));
	for (uint64_t k = 2; k <= 4; k++)
		cr_assert(put(&c, k, k, ilib_cache_gen(&c)));
	cr_assert(has(&c, 1, &v));
	cr_assert_eq(v, 200);
	for (uint64_t k = 2; k <= 4; k++)
		cr_assert(has(&c, k, NULL), "key %llu was evicted",
			  (unsigned long long)k);
	ilib_cache_fini(&c);
}

Test(cache, full_set_evicts_the_least_recently_used)
{
	struct ilib_cache c;

	cr_assert_eq(ilib_cache_init(&c, 4, 4, KW, VW), 0);
	for (uint64_t k = 1; k <= 4; k++)
		cr_assert(put(&c, k, k, ilib_cache_gen(&c)));
	cr_assert(has(&c, 1, NULL)); /* 1 is now the most recent */
	cr_assert(put(&c, 5, 5, ilib_cache_gen(&c)));
	cr_assert_not(has(&c, 2, NULL), "the LRU entry (2) survived");
	cr_assert(has(&c, 1, NULL));
	cr_assert(has(&c, 3, NULL));
	cr_assert(has(&c, 4, NULL));
	cr_assert(has(&c, 5, NULL));
	/* The lookups above ran in the order 1, 3, 4, 5: 1 goes next, and
	 * only 1 (nothing is wiped whole). */
	cr_assert(put(&c, 6, 6, ilib_cache_gen(&c)));
	cr_assert_not(has(&c, 1, NULL));
	cr_assert(has(&c, 3, NULL));
	cr_assert(has(&c, 4, NULL));
	cr_assert(has(&c, 5, NULL));
	cr_assert(has(&c, 6, NULL));
	ilib_cache_fini(&c);
}

/* A FIFO cache: hits refresh nothing, the oldest insert goes first; an
 * equal key is still replaced in place (as a new insert). */
Test(cache, fifo_evicts_the_oldest_insert)
{
	struct ilib_cache c;
	uint64_t v;

	cr_assert_eq(ilib_cache_init(&c, 4, 4, KW, VW), 0);
	ilib_cache_set_fifo(&c);
	for (uint64_t k = 1; k <= 4; k++)
		cr_assert(put(&c, k, k, ilib_cache_gen(&c)));
	for (int i = 0; i < 3; i++)
		cr_assert(has(&c, 1, NULL)); /* an LRU cache would keep 1 */
	cr_assert(put(&c, 5, 5, ilib_cache_gen(&c)));
	cr_assert_not(has(&c, 1, NULL), "the oldest insert (1) survived");
	for (uint64_t k = 2; k <= 5; k++)
		cr_assert(has(&c, k, NULL));
	cr_assert(put(&c, 3, 33, ilib_cache_gen(&c)));
	cr_assert(has(&c, 3, &v));
	cr_assert_eq(v, 33);
	cr_assert(put(&c, 6, 6, ilib_cache_gen(&c)));
	cr_assert_not(has(&c, 2, NULL));
	ilib_cache_fini(&c);
	/* init makes an LRU cache again */
	cr_assert_eq(ilib_cache_init(&c, 4, 4, KW, VW), 0);
	cr_assert_not(c.fifo);
	ilib_cache_fini(&c);
}

/* Predicate: keys whose first word is odd. */
static bool odd_key(const uint64_t *key, const uint64_t *val, const void *arg)
{
	(void)val;
	(void)arg;
	return key[0] & 1;
}

/* Predicate: value word 0 equals *arg. */
static bool val_is(const uint64_t *key, const uint64_t *val, const void *arg)
{
	(void)key;
	return val[0] == *(const uint64_t *)arg;
}

Test(cache, an_emptied_slot_is_used_before_evicting)
{
	struct ilib_cache c;
	uint64_t three = 3;

	cr_assert_eq(ilib_cache_init(&c, 4, 4, KW, VW), 0);
	for (uint64_t k = 1; k <= 4; k++)
		cr_assert(put(&c, k, k, ilib_cache_gen(&c)));
	ilib_cache_inval(&c, val_is, &three);
	cr_assert_not(has(&c, 3, NULL));
	cr_assert(put(&c, 5, 5, ilib_cache_gen(&c)));
	/* 1 is the least recently used, but 3's slot was free. */
	for (uint64_t k = 1; k <= 5; k++)
		cr_assert_eq(has(&c, k, NULL), k != 3, "key %llu",
			     (unsigned long long)k);
	ilib_cache_inval(&c, NULL, NULL);
	for (uint64_t k = 1; k <= 5; k++)
		cr_assert_not(has(&c, k, NULL), "NULL predicate kept %llu",
			      (unsigned long long)k);
	ilib_cache_fini(&c);
}

Test(cache, invalidation_removes_what_the_predicate_accepts)
{
	struct ilib_cache c;
	uint64_t v = 14;

	cr_assert_eq(ilib_cache_init(&c, 64, 8, KW, VW), 0);
	for (uint64_t k = 1; k <= 16; k++) {
		uint64_t key[KW], val[VW];

		key_of(k, key);
		val_of(k, k, val);
		cr_assert(ilib_cache_insert(&c, ilib_hash64(k), key, val,
					    ilib_cache_gen(&c)));
	}
	ilib_cache_inval(&c, odd_key, NULL);
	ilib_cache_inval(&c, val_is, &v);
	for (uint64_t k = 1; k <= 16; k++) {
		uint64_t key[KW], val[VW];
		bool want = !(k & 1) && k != 14;

		key_of(k, key);
		cr_assert_eq(ilib_cache_lookup(&c, ilib_hash64(k), key, val),
			     want, "key %llu", (unsigned long long)k);
	}
	ilib_cache_fini(&c);
}

Test(cache, a_walk_started_before_an_invalidation_does_not_insert)
{
	struct ilib_cache c;
	uint64_t gen;

	cr_assert_eq(ilib_cache_init(&c, 4, 4, KW, VW), 0);
	gen = ilib_cache_gen(&c); /* the walk begins */
	/* An invalidation runs while it reads the tables, even one that
	 * removes nothing. */
	ilib_cache_inval(&c, odd_key, NULL);
	cr_assert_not(put(&c, 2, 2, gen), "a stale walk inserted");
	cr_assert_not(has(&c, 2, NULL));
	/* A walk that began after it inserts. */
	gen = ilib_cache_gen(&c);
	cr_assert(put(&c, 2, 2, gen));
	cr_assert(has(&c, 2, NULL));
	ilib_cache_fini(&c);
}

Test(cache, inval_set_touches_only_its_set)
{
	struct ilib_cache c;
	uint64_t h0 = 0, h1 = UINT64_MAX, key[KW], val[VW];

	cr_assert_eq(ilib_cache_init(&c, 16, 8, KW, VW), 0);
	cr_assert_eq(ilib_cache_nsets(&c), 2);
	key_of(1, key);
	val_of(1, 1, val);
	cr_assert(ilib_cache_insert(&c, h0, key, val, ilib_cache_gen(&c)));
	cr_assert(ilib_cache_insert(&c, h1, key, val, ilib_cache_gen(&c)));
	ilib_cache_inval_begin(&c);
	ilib_cache_inval_set(&c, ilib_cache_set_of(&c, h1), NULL, NULL);
	ilib_cache_inval_set(&c, 99, NULL, NULL); /* out of range: ignored */
	cr_assert(ilib_cache_lookup(&c, h0, key, val));
	cr_assert_not(ilib_cache_lookup(&c, h1, key, val));
	ilib_cache_fini(&c);
}

/* Counts its calls: the filter must spare it the entries it rejects. */
static bool count_calls(const uint64_t *key, const uint64_t *val,
			const void *arg)
{
	(void)val;
	++*(unsigned int *)arg;
	return key[0] != 5; /* keeps 5 although the filter passes it */
}

Test(cache, filtered_inval_removes_only_what_passes_filter_and_predicate)
{
	struct ilib_cache c;
	struct ilib_cache_filter f = {{0}, {0}};
	unsigned int calls = 0;
	uint64_t key[KW], val[VW];

	/* One set of 8 ways: keys 1..8, word 0 = k, word 1 = ~k. */
	cr_assert_eq(ilib_cache_init(&c, 8, 8, KW, VW), 0);
	for (uint64_t k = 1; k <= 8; k++) {
		key_of(k, key);
		val_of(k, k, val);
		cr_assert(ilib_cache_insert(&c, 0, key, val,
					    ilib_cache_gen(&c)));
	}
	/* Word 0 in the block [4, 8) (mask ~3, value 4): keys 4..7. */
	f.mask[0] = ~UINT64_C(3);
	f.val[0] = 4;
	ilib_cache_inval_begin(&c);
	ilib_cache_inval_set_filtered(&c, 0, &f, count_calls, &calls);
	for (uint64_t k = 1; k <= 8; k++)
		cr_assert_eq(has(&c, k, NULL), k < 4 || k == 5 || k == 8,
			     "key %llu", (unsigned long long)k);
	/* The predicate saw only keys 4..7: once in the lock-free look
	 * (it stops at the first match, 4) and once each under the lock. */
	cr_assert_eq(calls, 1 + 4, "predicate called %u times", calls);

	/* A filter on word 1 with no predicate removes what passes. */
	memset(&f, 0, sizeof(f));
	f.mask[1] = UINT64_MAX;
	f.val[1] = ~UINT64_C(2);
	ilib_cache_inval_begin(&c);
	ilib_cache_inval_set_filtered(&c, 0, &f, NULL, NULL);
	cr_assert_not(has(&c, 2, NULL));
	cr_assert(has(&c, 1, NULL) && has(&c, 3, NULL) && has(&c, 8, NULL));

	/* Nothing passes: the set is left alone and no predicate runs. */
	f.val[1] = 12345;
	calls = 0;
	ilib_cache_inval_begin(&c);
	ilib_cache_inval_set_filtered(&c, 0, &f, count_calls, &calls);
	cr_assert_eq(calls, 0);
	cr_assert(has(&c, 1, NULL) && has(&c, 3, NULL) && has(&c, 5, NULL));
	ilib_cache_fini(&c);
}

Test(cache, bad_arguments_are_misses)
{
	struct ilib_cache c;
	uint64_t key[KW] = {1, 2}, val[VW];

	cr_assert_not(ilib_cache_lookup(NULL, 0, key, val));
	cr_assert_not(ilib_cache_insert(NULL, 0, key, val, 0));
	cr_assert_eq(ilib_cache_init(&c, 4, 4, KW, VW), 0);
	cr_assert_not(ilib_cache_lookup(&c, 0, NULL, val));
	cr_assert_not(ilib_cache_lookup(&c, 0, key, NULL));
	cr_assert_not(ilib_cache_insert(&c, 0, key, NULL, 0));
	ilib_cache_inval(NULL, NULL, NULL);
	ilib_cache_inval_begin(NULL);
	ilib_cache_fini(&c);
}

/*
 * Readers look up keys whose value words are all derived from the key and
 * a version; writers keep replacing, evicting and invalidating.  A torn
 * copy (words of two versions) fails the check.  Under the tsan flavour
 * this is also the race test of the lock-free read path.
 */
#define RW_KEYS	   24
#define RW_ITERS   20000
#define RW_READERS 2

struct rw_ctx {
	struct ilib_cache c;
	atomic_bool stop;
	atomic_ulong hits, torn;
};

static void rw_val(uint64_t k, uint64_t ver, uint64_t val[VW])
{
	val[0] = ver;
	val[1] = ver * 0x9e3779b97f4a7c15ull + k;
	val[2] = ~(ver ^ k);
}

static void *rw_reader(void *arg)
{
	struct rw_ctx *x = arg;
	uint64_t key[KW], val[VW], want[VW];

	while (!atomic_load(&x->stop)) {
		for (uint64_t k = 0; k < RW_KEYS; k++) {
			key_of(k, key);
			if (!ilib_cache_lookup(&x->c, ilib_hash64(k), key, val))
				continue;
			atomic_fetch_add(&x->hits, 1);
			rw_val(k, val[0], want);
			if (val[1] != want[1] || val[2] != want[2])
				atomic_fetch_add(&x->torn, 1);
		}
	}
	return NULL;
}

Test(cache, lockless_reads_are_never_torn)
{
	struct rw_ctx *x = calloc(1, sizeof(*x));
	pthread_t t[RW_READERS];
	unsigned int seed = (unsigned int)time(NULL);

	cr_log_info("seed %u", seed);
	srand(seed);
	cr_assert_not_null(x);
	/* 2 sets of 8: more keys than slots, so inserts evict. */
	cr_assert_eq(ilib_cache_init(&x->c, 16, 8, KW, VW), 0);
	for (int i = 0; i < RW_READERS; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, rw_reader, x), 0);
	for (uint64_t i = 0; i < RW_ITERS; i++) {
		uint64_t k = (uint64_t)rand() % RW_KEYS, key[KW], val[VW];

		key_of(k, key);
		rw_val(k, i, val);
		ilib_cache_insert(&x->c, ilib_hash64(k), key, val,
				  ilib_cache_gen(&x->c));
		if (i % 64 == 0)
			ilib_cache_inval(&x->c, odd_key, NULL);
	}
	atomic_store(&x->stop, true);
	for (int i = 0; i < RW_READERS; i++)
		pthread_join(t[i], NULL);
	cr_assert_eq(atomic_load(&x->torn), 0, "%lu torn reads",
		     (unsigned long)atomic_load(&x->torn));
	ilib_cache_fini(&x->c);
	free(x);
}

/* ---- ilib_cache_flush(): everything out, in O(1) ----------------------- */

static bool put_h(struct ilib_cache *c, uint64_t k, uint64_t gen)
{
	uint64_t key[KW], val[VW];

	key_of(k, key);
	val_of(k, k + 1, val);
	return ilib_cache_insert(c, ilib_hash64(k), key, val, gen);
}

static bool has_h(struct ilib_cache *c, uint64_t k)
{
	uint64_t key[KW], val[VW];

	key_of(k, key);
	return ilib_cache_lookup(c, ilib_hash64(k), key, val) &&
	       val[0] == k + 1;
}

Test(cache, flush_removes_everything_without_looking_at_a_slot)
{
	struct ilib_cache c;
	uint64_t work, stored = 0;

	cr_assert_eq(ilib_cache_init(&c, 65536, 8, KW, VW), 0);
	for (uint64_t k = 0; k < 65536; k++)
		stored += put_h(&c, k, ilib_cache_gen(&c));
	cr_assert_gt(stored, 30000, "%llu stored", (unsigned long long)stored);
	work = ilib_cache_inval_work(&c);
	for (int i = 0; i < 32767; i++)
		ilib_cache_flush(&c);
	cr_assert_eq(ilib_cache_inval_work(&c), work,
		     "a flush looked at slots");
	for (uint64_t k = 0; k < 65536; k++)
		cr_assert_not(has_h(&c, k), "key %llu survived",
			      (unsigned long long)k);
	/* Invalidations after a flush have nothing to look at either. */
	ilib_cache_inval(&c, NULL, NULL);
	cr_assert_eq(ilib_cache_inval_work(&c), work);
	ilib_cache_fini(&c);
}

Test(cache, after_a_flush_inserts_and_lookups_work_again)
{
	struct ilib_cache c;

	cr_assert_eq(ilib_cache_init(&c, 256, 4, KW, VW), 0);
	for (uint64_t k = 0; k < 64; k++)
		put_h(&c, k, ilib_cache_gen(&c));
	ilib_cache_flush(&c);
	cr_assert(put_h(&c, 7, ilib_cache_gen(&c)));
	cr_assert(has_h(&c, 7));
	/* The other entries of 7's set were emptied, not brought back. */
	for (uint64_t k = 0; k < 64; k++)
		if (k != 7)
			cr_assert_not(has_h(&c, k), "key %llu came back",
				      (unsigned long long)k);
	/* A predicate invalidation still finds what was inserted since. */
	ilib_cache_inval(&c, NULL, NULL);
	cr_assert_not(has_h(&c, 7));
	ilib_cache_fini(&c);
}

Test(cache, a_walk_started_before_a_flush_does_not_insert)
{
	struct ilib_cache c;
	uint64_t gen;

	cr_assert_eq(ilib_cache_init(&c, 64, 4, KW, VW), 0);
	gen = ilib_cache_gen(&c);
	ilib_cache_flush(&c);
	cr_assert_not(put_h(&c, 3, gen));
	cr_assert_not(has_h(&c, 3));
	ilib_cache_fini(&c);
}

/* ---- ilib_cache_flush_tag(): one tag out, in O(1) ---------------------- */

static bool put_t(struct ilib_cache *c, uint64_t k, uint64_t tag)
{
	uint64_t key[KW], val[VW];

	key_of(k, key);
	val_of(k, k + 1, val);
	return ilib_cache_insert_tag(c, ilib_hash64(k), key, val,
				     ilib_cache_gen(c), tag);
}

Test(cache, tagged_init_refuses_bad_buckets)
{
	struct ilib_cache c;

	cr_assert_eq(ilib_cache_init_tagged(&c, 64, 4, KW, VW, 3), -EINVAL);
	cr_assert_eq(ilib_cache_init_tagged(&c, 64, 4, KW, VW, 131072),
		     -EINVAL);
	cr_assert_eq(ilib_cache_init_tagged(&c, 64, 4, KW, VW, 64), 0);
	ilib_cache_fini(&c);
}

Test(cache, flush_tag_removes_that_tag_without_looking_at_a_slot)
{
	struct ilib_cache c;
	uint64_t work;
	unsigned int kept = 0;

	cr_assert_eq(ilib_cache_init_tagged(&c, 65536, 8, KW, VW, 4096), 0);
	for (uint64_t k = 0; k < 4096; k++)
		cr_assert(put_t(&c, k, k & 1 ? 5 : 6));
	work = ilib_cache_inval_work(&c);
	for (int i = 0; i < 32767; i++)
		ilib_cache_flush_tag(&c, 5);
	cr_assert_eq(ilib_cache_inval_work(&c), work,
		     "a tag flush looked at slots");
	for (uint64_t k = 0; k < 4096; k++) {
		bool h = has_h(&c, k);

		if (k & 1)
			cr_assert_not(h, "key %llu of the flushed tag survived",
				      (unsigned long long)k);
		kept += h;
	}
	/* The other tag's entries stay (5 and 6 hash to different
	 * buckets of 4096: ilib_hash64 is fixed). */
	cr_assert_eq(kept, 2048);
	/* The flushed slots take new entries, of any tag. */
	cr_assert(put_t(&c, 1, 5));
	cr_assert(has_h(&c, 1));
	ilib_cache_fini(&c);
}

Test(cache, a_walk_started_before_a_tag_flush_does_not_insert)
{
	struct ilib_cache c;
	uint64_t key[KW], val[VW], gen;

	cr_assert_eq(ilib_cache_init_tagged(&c, 64, 4, KW, VW, 16), 0);
	gen = ilib_cache_gen(&c);
	ilib_cache_flush_tag(&c, 9);
	key_of(3, key);
	val_of(3, 4, val);
	cr_assert_not(ilib_cache_insert_tag(&c, ilib_hash64(3), key, val, gen,
					    9));
	cr_assert_not(has_h(&c, 3));
	ilib_cache_fini(&c);
}
/*
 * The inline insert of a tagged cache stores what the call would: a new
 * key, the replacement of an equal one, nothing for a stale generation,
 * an LRU eviction in a full set, and after a flush (the call's path) and
 * a tag flush the entries are gone and inserts work again.
 */
Test(cache, fixed_insert_matches_the_call)
{
	struct ilib_cache c;
	uint64_t key[KW], val[VW], gen, v;

	cr_assert_eq(ilib_cache_init_tagged(&c, 2, 2, KW, VW, 4), 0);
	key_of(1, key);
	val_of(1, 10, val);
	gen = ilib_cache_gen(&c);
	cr_assert(ilib_cache_insert_tag_fixed(&c, 0, key, val, gen, 7, KW, VW));
	cr_assert(has(&c, 1, &v));
	cr_assert_eq(v, 10);
	val_of(1, 11, val);
	cr_assert(ilib_cache_insert_tag_fixed(&c, 0, key, val, gen, 7, KW, VW));
	cr_assert(has(&c, 1, &v));
	cr_assert_eq(v, 11, "an equal key is replaced");
	key_of(2, key);
	val_of(2, 20, val);
	cr_assert(ilib_cache_insert_tag_fixed(&c, 0, key, val, gen, 7, KW, VW));
	cr_assert(has(&c, 1, NULL)); /* 2 is now the older */
	key_of(3, key);
	val_of(3, 30, val);
	cr_assert(ilib_cache_insert_tag_fixed(&c, 0, key, val, gen, 8, KW, VW));
	cr_assert_not(has(&c, 2, NULL), "the least recently used goes");
	cr_assert(has(&c, 1, NULL));
	cr_assert(has(&c, 3, NULL));
	ilib_cache_flush_tag(&c, 8);
	cr_assert_not(has(&c, 3, NULL));
	cr_assert(has(&c, 1, NULL));
	cr_assert_not(
	    ilib_cache_insert_tag_fixed(&c, 0, key, val, gen, 8, KW, VW),
	    "a generation read before the flush");
	ilib_cache_flush(&c);
	cr_assert_not(has(&c, 1, NULL));
	gen = ilib_cache_gen(&c);
	cr_assert(ilib_cache_insert_tag_fixed(&c, 0, key, val, gen, 8, KW, VW));
	cr_assert(has(&c, 3, &v));
	cr_assert_eq(v, 30);
	ilib_cache_fini(&c);
}

/* ilib_cache_lookup_fixed_miss() of key @k in @c (hash 0). */
static bool probe_miss(struct ilib_cache *c, uint64_t k,
		       struct ilib_cache_miss *m)
{
	uint64_t key[KW], val[VW];

	key_of(k, key);
	return ilib_cache_lookup_fixed_miss(c, 0, key, val, KW, VW, m);
}

/* ilib_cache_insert_after_miss() of key @k, value @v, tag 7. */
static bool put_after(struct ilib_cache *c, const struct ilib_cache_miss *m,
		      uint64_t k, uint64_t v, uint64_t gen)
{
	uint64_t key[KW], val[VW];

	key_of(k, key);
	val_of(k, v, val);
	return ilib_cache_insert_after_miss(c, m, key, val, gen, 7, KW, VW);
}

/*
 * The insert after a miss stores what the plain insert would: into the
 * first empty slot, else over the least recently used entry; a hit keeps
 * nothing to go on.  When another insert came in between (the set's count
 * moved on), it replaces the equal key rather than store a second copy,
 * and a flush in between empties the set first.
 */
Test(cache, insert_after_miss_matches_the_plain_insert)
{
	struct ilib_cache c;
	struct ilib_cache_miss m;
	uint64_t gen, v;

	cr_assert_eq(ilib_cache_init_tagged(&c, 4, 4, KW, VW, 4), 0);
	gen = ilib_cache_gen(&c);
	for (uint64_t k = 1; k <= 4; k++) {
		cr_assert_not(probe_miss(&c, k, &m));
		cr_assert_eq(m.seq & 1, 0, "a clean miss keeps the count");
		cr_assert(put_after(&c, &m, k, k * 10, gen));
	}
	cr_assert_eq(ilib_cache_count(&c), 4, "four empty slots, filled");
	for (uint64_t k = 1; k <= 4; k++) {
		cr_assert(has(&c, k, &v));
		cr_assert_eq(v, k * 10);
	}
	cr_assert(probe_miss(&c, 4, &m));
	cr_assert_eq(m.seq & 1, 1, "a hit keeps nothing");
	/* 1 is now the least recently used. */
	cr_assert_not(probe_miss(&c, 5, &m));
	cr_assert(put_after(&c, &m, 5, 50, gen));
	cr_assert_not(has(&c, 1, NULL), "the least recently used goes");
	for (uint64_t k = 2; k <= 5; k++)
		cr_assert(has(&c, k, NULL));

	/* Another thread's insert of the same key between the two. */
	cr_assert_not(probe_miss(&c, 6, &m));
	cr_assert(put(&c, 6, 60, gen));
	cr_assert(put_after(&c, &m, 6, 61, gen));
	cr_assert(has(&c, 6, &v));
	cr_assert_eq(v, 61);
	cr_assert_eq(ilib_cache_count(&c), 4);
	for (uint64_t k = 3; k <= 5; k++)
		cr_assert(has(&c, k, NULL),
			  "one copy of the key: nothing evicted for a second");

	/* A flush between the two. */
	cr_assert_not(probe_miss(&c, 7, &m));
	ilib_cache_flush(&c);
	cr_assert_not(put_after(&c, &m, 7, 70, gen), "a stale generation");
	gen = ilib_cache_gen(&c);
	cr_assert(put_after(&c, &m, 7, 70, gen));
	cr_assert_eq(ilib_cache_count(&c), 1, "the flushed set emptied first");
	cr_assert(has(&c, 7, &v));
	cr_assert_eq(v, 70);
	ilib_cache_fini(&c);
}

/*
 * Sets of 4 and 8 ways, the sizes whose probe and whose insert after a
 * miss run as loops of constant bounds: every way is found by the probe,
 * and the insert replaces whichever way is the least recently used, or
 * the first empty one, at every position of the set.
 */
Test(cache, constant_way_sets_find_and_replace_every_way)
{
	static const unsigned int ways[] = {4, 8};

	for (unsigned int wi = 0; wi < 2; wi++) {
		const unsigned int n = ways[wi];

		for (unsigned int victim = 0; victim < n; victim++) {
			struct ilib_cache c;
			struct ilib_cache_miss m;
			uint64_t gen, v;

			cr_assert_eq(
			    ilib_cache_init_tagged(&c, n, n, KW, VW, 4), 0);
			gen = ilib_cache_gen(&c);
			/* Keys 1..n, one per way, the first empty way each
			 * time; then @victim's way emptied and refilled. */
			for (uint64_t k = 1; k <= n; k++) {
				cr_assert_not(probe_miss(&c, k, &m));
				cr_assert(put_after(&c, &m, k, k * 10, gen));
			}
			for (uint64_t k = 1; k <= n; k++) {
				cr_assert(probe_miss(&c, k, &m),
					  "%u ways: key %llu not found", n,
					  (unsigned long long)k);
				cr_assert(has(&c, k, &v));
				cr_assert_eq(v, k * 10);
			}
			/* Every key but the victim's used again: the
			 * victim's way is the least recently used. */
			for (uint64_t k = 1; k <= n; k++)
				if (k != victim + 1)
					cr_assert(has(&c, k, NULL));
			cr_assert_not(probe_miss(&c, 100, &m));
			cr_assert(put_after(&c, &m, 100, 1000, gen));
			cr_assert_not(has(&c, victim + 1, NULL),
				      "%u ways: way %u (least recently used) "
				      "not replaced",
				      n, victim);
			for (uint64_t k = 1; k <= n; k++)
				if (k != victim + 1)
					cr_assert(has(&c, k, NULL),
						  "%u ways: key %llu replaced "
						  "instead of way %u",
						  n, (unsigned long long)k,
						  victim);
			cr_assert(has(&c, 100, &v));
			cr_assert_eq(v, 1000);
			ilib_cache_fini(&c);
		}
		/* Untagged (a slot one word shorter): found in every way. */
		{
			struct ilib_cache c;
			struct ilib_cache_miss m;
			uint64_t gen;

			cr_assert_eq(ilib_cache_init(&c, n, n, KW, VW), 0);
			gen = ilib_cache_gen(&c);
			for (uint64_t k = 1; k <= n; k++)
				cr_assert(put(&c, k, k * 10, gen));
			for (uint64_t k = 1; k <= n; k++)
				cr_assert(probe_miss(&c, k, &m),
					  "%u ways, untagged: key %llu not "
					  "found",
					  n, (unsigned long long)k);
			cr_assert_not(probe_miss(&c, 100, &m));
			ilib_cache_fini(&c);
		}
	}
}

/*
 * A cache of fewer entries than its ways is one set of that many ways:
 * its probes and inserts stay within those slots (the inline copies for
 * 4 and 8 ways are for caches of exactly that shape; under
 * AddressSanitizer a probe past the set is a heap overflow), and it keeps
 * as many entries as it has.
 */
Test(cache, small_cache_keeps_to_its_own_slots)
{
	for (unsigned int tagged = 0; tagged < 2; tagged++) {
		for (uint64_t n = 1; n <= 7; n++) {
			struct ilib_cache c;
			struct ilib_cache_miss m;
			uint64_t gen, v;

			cr_assert_eq(ilib_cache_init_tagged(&c, n, 8, KW, VW,
							    tagged ? 4 : 0),
				     0);
			cr_assert_eq(ilib_cache_nsets(&c), 1);
			gen = ilib_cache_gen(&c);
			for (uint64_t k = 1; k <= n + 2; k++) {
				cr_assert_not(probe_miss(&c, k, &m));
				if (tagged)
					cr_assert(put_after(&c, &m, k, k, gen));
				else
					cr_assert(put(&c, k, k, gen));
				cr_assert(probe_miss(&c, k, &m));
				cr_assert(has(&c, k, &v));
				cr_assert_eq(v, k);
			}
			cr_assert_eq(ilib_cache_count(&c), n,
				     "%llu entries kept",
				     (unsigned long long)n);
			ilib_cache_fini(&c);
		}
	}
}

/* ---- The order of a set against a reference LRU list ------------------- */

#define ORD_ITERS 20000

struct ord_ref {
	uint64_t k[16]; /* present keys, least recently used first */
	unsigned int n, ways;
};

static int ord_find(const struct ord_ref *r, uint64_t k)
{
	for (unsigned int i = 0; i < r->n; i++)
		if (r->k[i] == k)
			return (int)i;
	return -1;
}

/* @k used: to the end of the list (in first if absent; the least
 * recently used out if the set is full). */
static void ord_use(struct ord_ref *r, uint64_t k)
{
	int i = ord_find(r, k);

	if (i < 0 && r->n == r->ways)
		i = 0; /* evicted */
	else if (i < 0)
		i = (int)r->n++;
	memmove(&r->k[i], &r->k[i + 1], (r->n - 1 - (unsigned int)i) * 8);
	r->k[r->n - 1] = k;
}

static void ord_drop(struct ord_ref *r, uint64_t k)
{
	int i = ord_find(r, k);

	if (i < 0)
		return;
	memmove(&r->k[i], &r->k[i + 1], (r->n - 1 - (unsigned int)i) * 8);
	r->n--;
}

/* One random step on @c and @r: a probe (an insert after it if missed),
 * a plain insert (the call or the inline one), a lookup, an invalidation
 * of one key, or a flush. */
static void ord_step(struct ilib_cache *c, struct ord_ref *r, unsigned int seed)
{
	uint64_t k = 1 + (uint64_t)rand() % (3 * r->ways), kv = k * 10;
	unsigned int op = (unsigned int)rand() % 16;
	struct ilib_cache_miss m;

	if (op < 6) {
		if (!probe_miss(c, k, &m)) {
			cr_assert(ord_find(r, k) < 0, "seed %u: key %llu lost",
				  seed, (unsigned long long)k);
			cr_assert(put_after(c, &m, k, kv, ilib_cache_gen(c)));
		}
		ord_use(r, k);
	} else if (op < 8) {
		cr_assert(put(c, k, kv, ilib_cache_gen(c)));
		ord_use(r, k);
	} else if (op < 10) { /* the inline insert without a miss record */
		uint64_t key[KW], val[VW];

		key_of(k, key);
		val_of(k, kv, val);
		cr_assert(ilib_cache_insert_tag_fixed(c, 0, key, val,
						      ilib_cache_gen(c), 7, KW,
						      VW));
		ord_use(r, k);
	} else if (op < 13) {
		cr_assert_eq(has(c, k, NULL), ord_find(r, k) >= 0,
			     "seed %u: key %llu", seed, (unsigned long long)k);
		if (ord_find(r, k) >= 0)
			ord_use(r, k);
	} else if (op < 15) {
		ilib_cache_inval(c, val_is, &kv);
		ord_drop(r, k);
	} else if (rand() % 64 == 0) {
		ilib_cache_flush(c);
		r->n = 0;
	}
}

/*
 * Random inserts (after a miss and plain), hits, invalidations and
 * flushes on one set: it holds exactly the keys an LRU list of its ways
 * holds, so every victim is an emptied way first, else the least recently
 * used.  The count is checked after every step; every 16 steps each
 * present key is looked up, oldest first, which leaves their order as it
 * was (but puts an emptied way below them all, so not after every step).
 * Sets of 8 and 4 ways keep an order word, 16 do not; tagged 8 ways take
 * the inline insert after a miss.
 */
Test(cache, eviction_follows_an_lru_list_under_random_use)
{
	static const unsigned int ways[] = {8, 4, 16};
	unsigned int seed = (unsigned int)time(NULL);
	uint64_t v;

	cr_log_info("seed %u", seed);
	fprintf(stderr, "cache::eviction_follows_an_lru_list: seed %u\n", seed);
	srand(seed);
	for (unsigned int wi = 0; wi < 3; wi++) {
		for (unsigned int tagged = 0; tagged < 2; tagged++) {
			struct ord_ref r = {.ways = ways[wi]};
			struct ilib_cache c;

			cr_assert_eq(ilib_cache_init_tagged(&c, r.ways, r.ways,
							    KW, VW,
							    tagged ? 4 : 0),
				     0);
			for (unsigned int it = 0; it < ORD_ITERS; it++) {
				ord_step(&c, &r, seed);
				cr_assert_eq(ilib_cache_count(&c), r.n,
					     "seed %u, %u ways, step %u",
					     seed, r.ways, it);
				if (it % 16 != 15)
					continue;
				for (unsigned int i = 0; i < r.n; i++) {
					cr_assert(has(&c, r.k[i], &v),
						  "seed %u, %u ways: key %llu "
						  "evicted out of turn",
						  seed, r.ways,
						  (unsigned long long)r.k[i]);
					cr_assert_eq(v, r.k[i] * 10);
				}
			}
			ilib_cache_fini(&c);
		}
	}
}
