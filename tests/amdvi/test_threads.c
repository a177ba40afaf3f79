// SPDX-License-Identifier: MIT
/*
 * test_threads.c - translate() on several threads while the guest
 * rewrites tables and invalidates through the command buffer: every
 * answer is the old or the new page, never anything else, and the run
 * is clean under ThreadSanitizer.  A DTE replaced and invalidated is
 * not used by a thread's next request, whatever that thread's memo of it.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include <criterion/criterion.h>

#include "ag.h"

#define NOP IOMMU_NO_PASID

static struct ag g;
static atomic_bool stop;
static atomic_uint bad;

static void *dma_thread(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		for (unsigned int i = 0; i < 16; i++) {
			struct iommu_translation t;
			int ret = iommu_dma_translate(g.ctx, DEV_A, NOP,
						      (uint64_t)i * PG, 4,
						      IOMMU_ACCESS_READ, &t);

			if (ret || t.phys != AG_DATA + i * PG)
				atomic_fetch_add(&bad, 1);
		}
	}
	return NULL;
}

Test(threads, translate_during_invalidation)
{
	pthread_t th[2];
	uint64_t root, c[2];

	ag_create(&g, "iotlb_entries = 16\niotlb_ways = 4");
	ag_init(&g, 8, 8, 0);
	root = ag_v1_dev(&g, DEV_A, 3, 1);
	for (unsigned int i = 0; i < 16; i++)
		ag_map_v1(&g, root, 3, (uint64_t)i * PG, AG_DATA + i * PG, 1,
			  true, true);
	for (unsigned int i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, dma_thread, NULL), 0);
	for (unsigned int r = 0; r < 300; r++) {
		enc_inv_range(c, 1, 0, false, (r % 16) * PG, PG);
		ag_cmd(&g, c);
		if (r % 3 == 0) {
			enc_inv_all(c);
			ag_cmd(&g, c);
		}
		ag_w64(&g, R_EXCL_LIM, (uint64_t)r << 12);
		ag_sync(&g);
	}
	atomic_store(&stop, true);
	for (unsigned int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	cr_assert_eq(atomic_load(&bad), 0);
	ag_destroy(&g);
}

static atomic_uint step;

/* Translate page 1 (the thread's memo of DEV_A), wait, then page 2. */
static void *memo_thread(void *arg)
{
	uint64_t *phys = arg;
	struct iommu_translation t;

	for (unsigned int n = 0; n < 2; n++) {
		while (atomic_load(&step) != 2 * n)
			sched_yield();
		if (iommu_dma_translate(g.ctx, DEV_A, NOP, (n + 1) * PG, 4,
					IOMMU_ACCESS_READ, &t))
			t.phys = 0;
		phys[n] = t.phys;
		atomic_store(&step, 2 * n + 1);
	}
	return NULL;
}

Test(threads, another_threads_invalidation_reaches_the_memo)
{
	uint64_t root[2], d[4], phys[2] = {0};
	pthread_t th;

	ag_create(&g, NULL);
	ag_init(&g, 8, 8, 0);
	for (unsigned int n = 0; n < 2; n++) {
		root[n] = ag_page(&g);
		for (unsigned int i = 1; i < 3; i++)
			ag_map_v1(&g, root[n], 3, i * PG,
				  AG_DATA + (16 * n + i) * PG, 1, true, true);
	}
	enc_dte_v1(d, 3, root[0], true, true, 1);
	ag_set_dte(&g, DEV_A, d);
	atomic_store(&step, 0);
	cr_assert_eq(pthread_create(&th, NULL, memo_thread, phys), 0);
	while (atomic_load(&step) != 1)
		sched_yield();
	enc_dte_v1(d, 3, root[1], true, true, 1);
	ag_set_dte(&g, DEV_A, d);
	ag_flush_dte(&g, DEV_A);
	atomic_store(&step, 2);
	pthread_join(th, NULL);
	cr_assert_eq(phys[0], AG_DATA + 1 * PG);
	cr_assert_eq(phys[1], AG_DATA + 18 * PG, "the new DTE's root");
	ag_destroy(&g);
}
