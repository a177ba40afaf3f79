// SPDX-License-Identifier: MIT
/*
 * test_gather.c - table pages an unmap frees go back to the table range
 * only after the invalidation that covers them (the gather's freelist),
 * and then all of them: in strict mode when the unmap returns, in
 * deferred mode after iommu_flush_iotlb_all().
 *
 * Counted through the public table allocator: every free 4 KiB page of
 * the table range is taken and given back.  A backend whose driver keeps
 * no page tables (virtio-iommu) uses none, and the counts stay equal.
 */
#include <errno.h>
#include <stdlib.h>

#include "conf.h"

/* Free 4 KiB pages of the table range now. */
static size_t free_table_pages(struct tctx *t)
{
	size_t n = 0, cap = 1024;
	uint64_t *pa = malloc(cap * sizeof(*pa));

	cr_assert_not_null(pa);
	for (;;) {
		uint64_t p;
		int ret = iommu_mem_table_alloc(t->ctx, SZ_4K, &p);

		if (ret) {
			cr_assert_eq(ret, -ENOMEM);
			break;
		}
		if (n == cap) {
			cap *= 2;
			pa = realloc(pa, cap * sizeof(*pa));
			cr_assert_not_null(pa);
		}
		pa[n++] = p;
	}
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(iommu_mem_table_free(t->ctx, pa[i], SZ_4K), 0);
	free(pa);
	return n;
}

/* An UNMANAGED domain with @t's solo device on it (its group claimed). */
static struct iommu_domain *vm_domain(struct tctx *t, int *owner)
{
	struct iommu_domain *d = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);

	cr_assert_eq(iommu_group_claim_dma_owner(t->ctx, t->g_solo, owner), 0);
	cr_assert_eq(iommu_attach_device(d, t->solo), 0);
	return d;
}

/* Map 2 MiB at TIOVA in small pages (the physical address is aligned to
 * the smallest page only), so that a table-based backend fills one
 * last-level table with them: a table the unmap of those 2 MiB frees. */
static void map_run(struct tctx *t, struct iommu_domain *d)
{
	uint64_t pg = dom_min_page(d);

	cr_assert_eq(iommu_map(d, TIOVA, TMEM_BASE + pg, SZ_2M, IOMMU_READ), 0);
	expect_dma_read(t, t->solo, TIOVA, TMEM_BASE + pg, 8);
	expect_dma_read(t, t->solo, TIOVA + SZ_2M - pg, TMEM_BASE + SZ_2M, 8);
}

/* Map and unmap the run once, so that the tables above the last level
 * exist (an unmap of 2 MiB frees only the table it covers wholly). */
static void warm_up(struct tctx *t, struct iommu_domain *d)
{
	uint64_t done = 0;

	map_run(t, d);
	cr_assert_eq(iommu_unmap(d, TIOVA, SZ_2M, &done), 0);
	cr_assert_eq(done, SZ_2M);
	cr_assert_eq(iommu_flush_iotlb_all(d), 0);
}

CONF_TEST(gather, unmap_gives_tables_back_after_the_invalidation)
{
	struct tctx *t = tctx_open(p);
	int owner;
	struct iommu_domain *d = vm_domain(t, &owner);
	uint64_t done = 0;
	size_t before, mapped, unmapped;

	warm_up(t, d);
	before = free_table_pages(t);
	map_run(t, d);
	mapped = free_table_pages(t);
	cr_assert_leq(mapped, before);
	cr_assert_eq(iommu_unmap(d, TIOVA, SZ_2M, &done), 0);
	cr_assert_eq(done, SZ_2M, "%s", p->name);
	unmapped = free_table_pages(t);
	if (iommu_ctx_strict(t->ctx)) {
		cr_assert_eq(unmapped, before,
			     "%s: strict unmap gave back %zu of %zu table pages",
			     p->name, unmapped - mapped, before - mapped);
	} else {
		/* Nothing the hardware may still walk is reused before
		 * the flush of everything. */
		cr_assert_eq(unmapped, mapped,
			     "%s: deferred unmap gave pages back early",
			     p->name);
		cr_assert_eq(iommu_flush_iotlb_all(d), 0);
		cr_assert_eq(free_table_pages(t), before,
			     "%s: the flush did not give the pages back",
			     p->name);
	}
	cr_assert_eq(dma_xlate(t, t->solo, TIOVA, IOMMU_ACCESS_READ, NULL),
		     -EFAULT);
}

CONF_TEST(gather, unmap_fast_then_sync_gives_tables_back)
{
	struct tctx *t = tctx_open(p);
	int owner;
	struct iommu_domain *d = vm_domain(t, &owner);
	struct iommu_iotlb_gather g;
	uint64_t done = 0;
	size_t before, mapped;

	warm_up(t, d);
	before = free_table_pages(t);
	map_run(t, d);
	mapped = free_table_pages(t);
	iommu_iotlb_gather_init(&g);
	cr_assert_eq(iommu_unmap_fast(d, TIOVA, SZ_2M, &g, &done), 0);
	cr_assert_eq(done, SZ_2M);
	cr_assert_eq(free_table_pages(t), mapped,
		     "%s: pages given back before the sync", p->name);
	cr_assert_eq(iommu_iotlb_sync(d, &g), 0);
	cr_assert_null(g.freelist, "the sync resets the gather");
	cr_assert_eq(free_table_pages(t), before, "%s", p->name);
	cr_assert_eq(dma_xlate(t, t->solo, TIOVA + SZ_2M - dom_min_page(d),
			       IOMMU_ACCESS_READ, NULL),
		     -EFAULT);
}

CONF_TEST(gather, freeing_a_domain_gives_its_deferred_tables_back)
{
	struct tctx *t = tctx_open(p);
	int owner;
	struct iommu_domain *d = vm_domain(t, &owner);
	uint64_t done = 0;
	size_t before;

	warm_up(t, d);
	before = free_table_pages(t);
	map_run(t, d);
	cr_assert_eq(iommu_unmap(d, TIOVA, SZ_2M, &done), 0);
	cr_assert_eq(iommu_detach_device(d, t->solo), 0);
	cr_assert_eq(iommu_domain_free(d), 0);
	/* The domain's root goes with it as well. */
	cr_assert_geq(free_table_pages(t), before, "%s", p->name);
	cr_assert_eq(iommu_group_release_dma_owner(t->ctx, t->g_solo, &owner),
		     0);
}
