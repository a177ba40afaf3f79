// SPDX-License-Identifier: MIT
/*
 * test_multi.c - every backend loaded at once, in one process.
 *
 * A VMM may run several virtual IOMMUs of different vendors side by side.
 * Each plugin keeps its per-thread memo in initial-exec TLS, which glibc
 * takes from the small surplus of the static TLS block it keeps for
 * objects loaded later (docs/architecture.md): if the plugins' memos
 * together outgrew it, dlopen() of the last one would fail.  So this
 * loads all four, keeps them loaded, and translates through each from
 * threads started after the loads (each thread's memo is then in use in
 * all four plugins at once), checking every translation against the
 * memory behind it.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "iommu/iommu.h"
#include "vctx.h"

#define NR_BACKENDS 4
#define NR_PAGES    16
#define PAGE	    0x1000ull
#define DATA_PA	    0x100000ull /* the mapped pages, in RAM */

static const char *const backends[NR_BACKENDS] = {"virtio", "vtd", "smmuv3",
						  "amdvi"};

struct one {
	struct iommu_ctx *ctx;
	uint32_t dev;
	uint64_t iova[NR_PAGES];
	int bad; /* translations that missed or read the wrong page */
};

static struct one ones[NR_BACKENDS];

static void create(struct one *o, const char *backend)
{
	vctx_create(backend, NULL, 0, &o->ctx, &o->dev);
	for (unsigned int i = 0; i < NR_PAGES; i++) {
		uint64_t pa = DATA_PA + i * PAGE, tag = pa ^ 0x5a5a;

		cr_assert_eq(iommu_mem_write(o->ctx, pa, &tag, sizeof(tag)), 0);
		cr_assert_eq(iommu_dma_map(o->ctx, o->dev, pa, PAGE,
					   IOMMU_READ | IOMMU_WRITE,
					   &o->iova[i]),
			     0, "%s: iommu_dma_map of page %u", backend, i);
	}
}

/* Read every page through the IOMMU, twice (a miss, then a hit). */
static void *reader(void *arg)
{
	struct one *o = arg;

	for (unsigned int round = 0; round < 2; round++)
		for (unsigned int i = 0; i < NR_PAGES; i++) {
			uint64_t tag = 0;

			if (iommu_dma_read(o->ctx, o->dev, IOMMU_NO_PASID,
					   o->iova[i], &tag, sizeof(tag)) ||
			    tag != ((DATA_PA + i * PAGE) ^ 0x5a5a))
				o->bad++;
		}
	return NULL;
}

Test(multi, four_backends_translate_side_by_side)
{
	pthread_t th[NR_BACKENDS];

	for (unsigned int b = 0; b < NR_BACKENDS; b++)
		create(&ones[b], backends[b]);
	/* Threads started after every load: their memos are new in each. */
	for (unsigned int b = 0; b < NR_BACKENDS; b++)
		cr_assert_eq(pthread_create(&th[b], NULL, reader, &ones[b]), 0);
	for (unsigned int b = 0; b < NR_BACKENDS; b++)
		pthread_join(th[b], NULL);
	/* And one thread through all four in turn. */
	for (unsigned int b = 0; b < NR_BACKENDS; b++)
		reader(&ones[b]);
	for (unsigned int b = 0; b < NR_BACKENDS; b++) {
		cr_expect_eq(ones[b].bad, 0, "%s: %d translations failed",
			     backends[b], ones[b].bad);
		for (unsigned int i = 0; i < NR_PAGES; i++)
			cr_expect_eq(iommu_dma_unmap(ones[b].ctx, ones[b].dev,
						     ones[b].iova[i], PAGE),
				     0);
		iommu_ctx_destroy(ones[b].ctx);
	}
}
