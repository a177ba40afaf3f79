// SPDX-License-Identifier: MIT
/*
 * test_threads.c - translate() on several threads while the guest
 * rewrites tables and invalidates through the command buffer: every
 * answer is the old or the new page, never anything else, and the run
 * is clean under ThreadSanitizer.
 */
#include <pthread.h>
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
