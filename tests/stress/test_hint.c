// SPDX-License-Identifier: MIT
/*
 * test_hint.c - translate threads against unmaps: no translation is
 * served from a page after the call that removed it returned.
 *
 * The library keeps per-thread translation hints (docs/architecture.md,
 * "Translation hint"); this is the test that they never outlive the
 * invalidation.  HINT_THREADS threads translate pages of a window at
 * random, again and again (so that their hints are hot), while the main
 * thread unmaps the pages one by one in random order.  In strict mode a
 * page is gone once iommu_unmap() returns; in deferred mode once the
 * iommu_flush_iotlb_all() after it returns.  Only then does the main
 * thread publish the page as gone; a translator that saw it gone before
 * it started a translation must get a fault.  Every translation that
 * succeeds must give the page's own target.
 *
 * Run once per configuration of the conformance suite.  The seed is
 * printed; IOMMU_SEED=N replays the order of unmaps (not the threads'
 * interleaving).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "conf.h"

#define HINT_THREADS 2
#define HINT_PAGES   64
#define HINT_ROUNDS  4

struct hint_run {
	struct tctx *t;
	uint64_t pg;
	atomic_bool gone[HINT_PAGES];
	atomic_bool stop;
	atomic_uint started;
	/* first violation, for the report */
	atomic_uint bad;
	uint64_t bad_iova;
	int bad_ret;
	uint64_t bad_phys;
	uint64_t translations;
};

static uint64_t target(const struct hint_run *r, unsigned int i)
{
	return TMEM_BASE + (uint64_t)i * r->pg;
}

static void *translator(void *arg)
{
	struct hint_run *r = arg;
	unsigned int seed = (unsigned int)(uintptr_t)&seed;
	uint64_t n = 0;

	atomic_fetch_add(&r->started, 1);
	while (!atomic_load(&r->stop)) {
		unsigned int i = (unsigned int)rand_r(&seed) % HINT_PAGES;
		uint64_t iova = TIOVA + (uint64_t)i * r->pg + 8;
		bool gone = atomic_load_explicit(&r->gone[i],
						 memory_order_acquire);
		struct iommu_translation tr;
		int ret = iommu_dma_translate(r->t->ctx, r->t->solo,
					      IOMMU_NO_PASID, iova, 8,
					      IOMMU_ACCESS_READ, &tr);

		n++;
		if ((gone && ret != -EFAULT) ||
		    (!ret && tr.phys != target(r, i) + 8)) {
			if (!atomic_exchange(&r->bad, 1)) {
				r->bad_iova = iova;
				r->bad_ret = ret;
				r->bad_phys = ret ? 0 : tr.phys;
			}
		}
	}
	__atomic_fetch_add(&r->translations, n, __ATOMIC_RELAXED);
	return NULL;
}

static unsigned int hint_seed(void)
{
	const char *s = getenv("IOMMU_SEED");

	return s ? (unsigned int)strtoul(s, NULL, 0)
		 : (unsigned int)time(NULL) ^ (unsigned int)clock();
}

CONF_TEST(hint, no_translation_after_unmap_returns, .timeout = 120)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *d = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	struct hint_run *r = calloc(1, sizeof(*r));
	pthread_t th[HINT_THREADS];
	unsigned int seed = hint_seed();
	unsigned int order[HINT_PAGES];
	int owner;

	cr_assert_not_null(r);
	fprintf(stderr, "hint[%s]: seed %u (set IOMMU_SEED to repeat)\n",
		p->name, seed);
	r->t = t;
	r->pg = dom_min_page(d);
	cr_assert_eq(iommu_group_claim_dma_owner(t->ctx, t->g_solo, &owner), 0);
	cr_assert_eq(iommu_attach_device(d, t->solo), 0);
	for (unsigned int round = 0; round < HINT_ROUNDS; round++) {
		for (unsigned int i = 0; i < HINT_PAGES; i++) {
			cr_assert_eq(iommu_map(d, TIOVA + i * r->pg,
					       target(r, i), r->pg,
					       IOMMU_READ),
				     0);
			atomic_store(&r->gone[i], false);
			order[i] = i;
		}
		for (unsigned int i = HINT_PAGES - 1; i > 0; i--) {
			unsigned int j = (unsigned int)rand_r(&seed) % (i + 1);
			unsigned int x = order[i];

			order[i] = order[j];
			order[j] = x;
		}
		atomic_store(&r->stop, false);
		atomic_store(&r->started, 0);
		for (int k = 0; k < HINT_THREADS; k++)
			cr_assert_eq(pthread_create(&th[k], NULL, translator,
						    r),
				     0);
		while (atomic_load(&r->started) < HINT_THREADS)
			sched_yield();
		for (unsigned int i = 0; i < HINT_PAGES; i++) {
			uint64_t done = 0;

			/* Let the translators warm their hints a little. */
			for (int spin = 0; spin < 2000; spin++)
				__asm__ volatile("" ::: "memory");
			cr_assert_eq(iommu_unmap(d, TIOVA + order[i] * r->pg,
						 r->pg, &done),
				     0);
			cr_assert_eq(done, r->pg);
			if (!iommu_ctx_strict(t->ctx))
				cr_assert_eq(iommu_flush_iotlb_all(d), 0);
			atomic_store_explicit(&r->gone[order[i]], true,
					      memory_order_release);
		}
		atomic_store(&r->stop, true);
		for (int k = 0; k < HINT_THREADS; k++)
			pthread_join(th[k], NULL);
		cr_assert_eq(atomic_load(&r->bad), 0,
			     "%s seed %u: iova 0x%llx gave %d phys 0x%llx after "
			     "its unmap returned",
			     p->name, seed, (unsigned long long)r->bad_iova,
			     r->bad_ret, (unsigned long long)r->bad_phys);
	}
	cr_assert_gt(r->translations, 0);
	fprintf(stderr, "hint[%s]: %llu translations\n", p->name,
		(unsigned long long)r->translations);
	free(r);
}
