// SPDX-License-Identifier: MIT
/*
 * test_walk_front.c - each thread's copy of the paging-structure cache
 * (ilib_walk_front.h): its key, its generation, one copy per thread
 * number, and ilib_walk_cache_leaf(), which answers from the copy or the
 * cache.
 */
#include <criterion/criterion.h>

#include "ilib_walk_cache.h"

#define TAG  0x5au
#define ROOT 0x100000ull

static uint64_t table_a[512], table_b[512];

/* ilib_walk_cache_leaf() as a yes or no, its answer in @t and @perm. */
static bool leaf(struct ilib_cache *c, struct ilib_walk_fronts *f,
		 const struct iommu_dma_req *req, uint64_t seed, uint64_t ia,
		 const void **t, uint32_t *perm)
{
	const struct ilib_walk_leaf l =
	    ilib_walk_cache_leaf(c, f, req, TAG, seed, ROOT, 12, ia);

	if (!l.table)
		return false;
	*t = l.table;
	*perm = (uint32_t)l.perm;
	return true;
}

/* The copy answers for its exact key at its generation, nothing else. */
Test(walk_front, a_copy_answers_only_its_own_key)
{
	static struct ilib_walk_front fr;
	const uint64_t region = ilib_walk_cache_region_g(12, 0x40201000);
	const void *t = NULL;
	uint32_t perm = 0;

	cr_assert_not(ilib_walk_front_find(&fr, region, TAG, ROOT, 0, &t,
					   &perm),
		      "an empty copy holds nothing");
	ilib_walk_front_fill(&fr, region, TAG, ROOT, 7, table_a, PT_PERM_R);
	cr_assert(ilib_walk_front_find(&fr, region, TAG, ROOT, 7, &t, &perm));
	cr_assert_eq(t, table_a);
	cr_assert_eq(perm, PT_PERM_R);
	cr_assert_not(ilib_walk_front_find(&fr, region, TAG, ROOT, 8, &t,
					   &perm),
		      "the cache's generation moved on");
	cr_assert_not(ilib_walk_front_find(&fr, region, TAG + 1, ROOT, 7, &t,
					   &perm),
		      "another tag");
	cr_assert_not(ilib_walk_front_find(&fr, region, TAG, ROOT + 0x1000, 7,
					   &t, &perm),
		      "another root");
	cr_assert_not(ilib_walk_front_find(&fr,
					   region + ILIB_WALK_FRONT_ENTRIES,
					   TAG, ROOT, 7, &t, &perm),
		      "another region of the same slot");
	cr_assert_not(ilib_walk_front_find(&fr, region + 1, TAG, ROOT, 7, &t,
					   &perm),
		      "the next region");
	/* The next region has a slot of its own: both stay. */
	ilib_walk_front_fill(&fr, region + 1, TAG, ROOT, 7, table_b, PT_PERM_W);
	cr_assert(ilib_walk_front_find(&fr, region, TAG, ROOT, 7, &t, &perm));
	cr_assert_eq(t, table_a);
	cr_assert(ilib_walk_front_find(&fr, region + 1, TAG, ROOT, 7, &t,
				       &perm));
	cr_assert_eq(t, table_b);
	cr_assert_eq(perm, PT_PERM_W);
}

/* A copy per thread number, made once; none for a request without one. */
Test(walk_front, each_thread_number_has_a_copy_of_its_own)
{
	/* A word past the copies that is no copy: a number past the last
	 * must not reach it. */
	struct {
		struct ilib_walk_fronts f;
		struct ilib_walk_front *past;
	} w = {.past = (struct ilib_walk_front *)table_a};
	struct iommu_dma_req req = {0};
	struct ilib_walk_front *one, *two;

	cr_assert_null(ilib_walk_front_of(&w.f, &req), "thread 0: none");
	req.thread = IOMMU_HW_THREADS + 1;
	cr_assert_null(ilib_walk_front_of(&w.f, &req), "past the numbers");
	req.thread = 1;
	one = ilib_walk_front_of(&w.f, &req);
	cr_assert_not_null(one);
	cr_assert_eq(ilib_walk_front_of(&w.f, &req), one, "made once");
	req.thread = IOMMU_HW_THREADS;
	two = ilib_walk_front_of(&w.f, &req);
	cr_assert_not_null(two);
	cr_assert_neq(two, one);
	cr_assert_null(ilib_walk_front_make(&w.f, IOMMU_HW_THREADS));
	cr_assert_null(ilib_walk_front_make(NULL, 0));
	ilib_walk_fronts_fini(&w.f); /* AddressSanitizer: nothing leaks */
	for (unsigned int i = 0; i < IOMMU_HW_THREADS; i++)
		cr_assert_null(w.f.t[i]);
	ilib_walk_fronts_fini(NULL);
}

/* Put a last-level table at @host for @ia's region into @c. */
static void put_leaf(struct ilib_cache *c, uint64_t ia, const void *host,
		     uint32_t perm)
{
	const uint64_t key[3] = {ilib_walk_cache_region_g(12, ia), TAG, ROOT};
	const uint64_t val[3] = {0x7000, (uint64_t)perm << 32,
				 (uint64_t)(uintptr_t)host};

	cr_assert(ilib_cache_insert(
	    c, ilib_walk_cache_hash(key[0], ilib_walk_cache_seed(TAG, ROOT)),
	    key, val, ilib_walk_cache_gen(c)));
}

/*
 * ilib_walk_cache_leaf(): the cache's table, kept in the thread's copy;
 * after a flush of the cache neither answers, and a new table of the
 * region is the one found (never the copy's old one).
 */
Test(walk_front, leaf_comes_from_the_cache_and_goes_with_its_flush)
{
	const uint64_t seed = ilib_walk_cache_seed(TAG, ROOT), ia = 0x40201000;
	struct ilib_walk_fronts f = {0};
	struct iommu_dma_req req = {.thread = 3};
	const void *t = NULL;
	struct ilib_cache c;
	uint32_t perm = 0;

	cr_assert_eq(ilib_walk_cache_init(&c, 64, 4), 0);
	cr_assert_not(leaf(&c, &f, &req, seed, ia, &t, &perm),
		      "nothing cached");
	put_leaf(&c, ia, table_a, PT_PERM_R | PT_PERM_W);
	cr_assert(leaf(&c, &f, &req, seed, ia, &t, &perm));
	cr_assert_eq(t, table_a);
	cr_assert_eq(perm, PT_PERM_R | PT_PERM_W);
	cr_assert(ilib_walk_front_find(
		      f.t[2], ilib_walk_cache_region_g(12, ia), TAG, ROOT,
		      ilib_walk_cache_gen(&c), &t, &perm),
		  "kept in thread 3's copy");
	cr_assert(leaf(&c, &f, &req, seed, ia + 0x1000, &t, &perm),
		  "another page of the region");
	cr_assert_eq(t, table_a);

	ilib_walk_cache_flush(&c);
	cr_assert_not(leaf(&c, &f, &req, seed, ia, &t, &perm),
		      "the copy outlived the cache's flush");
	put_leaf(&c, ia, table_b, PT_PERM_R);
	cr_assert(leaf(&c, &f, &req, seed, ia, &t, &perm));
	cr_assert_eq(t, table_b, "the region's old table");
	cr_assert_eq(perm, PT_PERM_R);

	/* Without a thread number: the cache alone, the same answer. */
	req.thread = 0;
	cr_assert(leaf(&c, &f, &req, seed, ia, &t, &perm));
	cr_assert_eq(t, table_b);
	/* A table without a host address is no leaf for a decoder. */
	put_leaf(&c, ia + 0x200000, NULL, PT_PERM_R);
	req.thread = 3;
	cr_assert_not(leaf(&c, &f, &req, seed, ia + 0x200000, &t, &perm));
	ilib_walk_fronts_fini(&f);
	ilib_cache_fini(&c);
}
