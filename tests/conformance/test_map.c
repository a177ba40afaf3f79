// SPDX-License-Identifier: MIT
/*
 * test_map.c - map and unmap (DESIGN.md rules 9 and 10): errors, all or
 * nothing, page sizes, short unmaps and invalidation, checked by DMA.
 */
#include <errno.h>
#include <string.h>

#include "conf.h"

/* An UNMANAGED domain attached to the solo device, faults logged in @dl. */
static struct iommu_domain *attached_unmanaged(struct tctx *t,
					       struct fault_log *dl)
{
	struct iommu_domain *d = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);

	cr_assert_eq(iommu_set_fault_handler(d, fault_log_domain_fn, dl), 0);
	cr_assert_eq(iommu_attach_device(d, t->solo), 0);
	return d;
}

static bool mapped(struct iommu_domain *d, uint64_t iova, uint64_t *pa)
{
	uint64_t x;

	return iommu_iova_to_phys(d, iova, pa ? pa : &x) == 0;
}

/* Second-smallest page size of @d, or 0 if it has one size only. */
static uint64_t dom_big_page(struct iommu_domain *d)
{
	uint64_t bm = iommu_domain_pgsize_bitmap(d);

	bm &= bm - 1;
	return bm & -bm;
}

CONF_TEST(map, bad_arguments_einval)
{
	struct tctx *t = tctx_open(p);
	struct fault_log dl = {0};
	struct iommu_domain *d = attached_unmanaged(t, &dl);
	uint64_t pg = dom_min_page(d), pa = TMEM_BASE, un = 99;
	const unsigned int rw = IOMMU_READ | IOMMU_WRITE;

	cr_assert_eq(iommu_map(d, TIOVA + pg / 2, pa, pg, rw), -EINVAL);
	cr_assert_eq(iommu_map(d, TIOVA + 1, pa, pg, rw), -EINVAL);
	cr_assert_eq(iommu_map(d, TIOVA, pa + 1, pg, rw), -EINVAL);
	cr_assert_eq(iommu_map(d, TIOVA, pa + pg / 2, pg, rw), -EINVAL);
	cr_assert_eq(iommu_map(d, TIOVA, pa, pg + 1, rw), -EINVAL);
	cr_assert_eq(iommu_map(d, TIOVA, pa, pg / 2, rw), -EINVAL);
	cr_assert_eq(iommu_map(d, TIOVA, pa, 0, rw), -EINVAL);
	cr_assert_eq(iommu_map(d, TIOVA, pa, pg, 0), -EINVAL, "no R or W");
	cr_assert_eq(iommu_map(d, TIOVA, pa, pg, IOMMU_MMIO), -EINVAL,
		     "MMIO without R or W");
	cr_assert_eq(iommu_map(d, TIOVA, pa, pg, rw | (1u << 7)), -EINVAL,
		     "unknown prot bit");
	cr_assert_eq(iommu_map(NULL, TIOVA, pa, pg, rw), -EINVAL);
	cr_assert_not(mapped(d, TIOVA, NULL), "a refused map left a mapping");
	expect_fault(t, &dl, t->solo, TIOVA, IOMMU_ACCESS_READ,
		     REASONS_NOT_MAPPED);
	/* Unmap validates too. */
	cr_assert_eq(iommu_unmap(d, TIOVA + 1, pg, &un), -EINVAL);
	cr_assert_eq(iommu_unmap(d, TIOVA, 0, &un), -EINVAL);
	cr_assert_eq(iommu_unmap(d, TIOVA, pg + 1, &un), -EINVAL);
	cr_assert_eq(iommu_unmap(NULL, TIOVA, pg, &un), -EINVAL);
	/* And a good map still works afterwards. */
	cr_assert_eq(iommu_map(d, TIOVA, pa, pg, rw | IOMMU_MMIO), 0);
	expect_dma_rw(t, t->solo, TIOVA, pa, 64);
}

CONF_TEST(map, refused_on_non_unmanaged_domains)
{
	struct tctx *t = tctx_open(p);
	enum iommu_domain_type types[] = {
	    IOMMU_DOMAIN_BLOCKED, IOMMU_DOMAIN_IDENTITY, IOMMU_DOMAIN_DMA};
	struct iommu_domain *def = dev_domain(t, t->solo);
	uint64_t un = 0;
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct iommu_domain *d = dom_alloc(t, types[i]);

		cr_assert_eq(iommu_map(d, TIOVA, TMEM_BASE, PG,
				       IOMMU_READ | IOMMU_WRITE),
			     -EINVAL, "map on a domain of type %d", types[i]);
		cr_assert_eq(iommu_unmap(d, TIOVA, PG, &un), -EINVAL,
			     "unmap on a domain of type %d", types[i]);
		cr_assert_eq(iommu_domain_free(d), 0);
	}
	/* Nor on the default domain the device uses. */
	cr_assert_eq(iommu_map(def, TIOVA, TMEM_BASE, PG, IOMMU_READ),
		     -EINVAL);
	expect_default_behaviour(t, t->solo);
}

CONF_TEST(map, outside_aperture_erange)
{
	struct tctx *t = tctx_open(p);
	struct fault_log dl = {0};
	struct iommu_domain *d = attached_unmanaged(t, &dl);
	uint64_t pg = dom_min_page(d), start = 0, last = 0, un = 0;
	const unsigned int rw = IOMMU_READ | IOMMU_WRITE;
	int ret;

	cr_assert_eq(iommu_domain_geometry(d, &start, &last), 0);
	cr_assert_lt(start, last);
	if (last != UINT64_MAX) {
		uint64_t end = last + 1; /* first IOVA outside */

		cr_assert_eq(end % pg, 0, "aperture end not page aligned");
		cr_assert_eq(iommu_map(d, end, TMEM_BASE, pg, rw), -ERANGE);
		cr_assert_eq(iommu_map(d, end + 16 * pg, TMEM_BASE, pg, rw),
			     -ERANGE);
		/* Straddling the end: refused whole. */
		cr_assert_eq(iommu_map(d, end - pg, TMEM_BASE, 2 * pg, rw),
			     -ERANGE);
		cr_assert_not(mapped(d, end - pg, NULL),
			      "straddling map left its first page");
		/* The last page is fine. */
		cr_assert_eq(iommu_map(d, end - pg, TMEM_BASE, pg, rw), 0);
		expect_dma_rw(t, t->solo, end - pg, TMEM_BASE, 64);
		cr_assert_eq(iommu_unmap(d, end - pg, pg, &un), 0);
		cr_assert_eq(un, pg);
	} else {
		/* The whole 64-bit space: only wrap-around is outside. */
		ret = iommu_map(d, UINT64_MAX - pg + 1, TMEM_BASE, 2 * pg, rw);
		cr_assert(ret == -ERANGE || ret == -EINVAL,
			  "iova + size overflow: %d", ret);
		cr_assert_not(mapped(d, UINT64_MAX - pg + 1, NULL));
		ret = iommu_map(d, TIOVA, TMEM_BASE, (uint64_t)0 - pg, rw);
		cr_assert(ret == -ERANGE || ret == -EINVAL,
			  "huge size overflow: %d", ret);
		cr_assert_not(mapped(d, TIOVA, NULL));
		cr_assert_eq(
		    iommu_map(d, UINT64_MAX - pg + 1, TMEM_BASE, pg, rw), 0,
		    "last page of a 64-bit aperture");
		expect_dma_rw(t, t->solo, UINT64_MAX - pg + 1, TMEM_BASE, 64);
	}
	if (start > 0) {
		cr_assert_eq(iommu_map(d, start - pg, TMEM_BASE, pg, rw),
			     -ERANGE);
		cr_assert_eq(iommu_map(d, start - pg, TMEM_BASE, 2 * pg, rw),
			     -ERANGE);
	}
	/* A paddr/size overflow is refused as well. */
	ret = iommu_map(d, TIOVA, UINT64_MAX - pg + 1, 2 * pg, rw);
	cr_assert(ret == -ERANGE || ret == -EINVAL, "paddr overflow: %d", ret);
	cr_assert_not(mapped(d, TIOVA, NULL));
}

CONF_TEST(map, overlap_eexist_keeps_old_mapping)
{
	struct tctx *t = tctx_open(p);
	struct fault_log dl = {0};
	struct iommu_domain *d = attached_unmanaged(t, &dl);
	uint64_t pg = dom_min_page(d), pa = TMEM_BASE + 0x100000;
	uint64_t pb = TMEM_BASE + 0x300000, x = 0;
	const unsigned int rw = IOMMU_READ | IOMMU_WRITE;

	cr_assert_eq(iommu_map(d, TIOVA + 4 * pg, pa, 4 * pg, rw), 0);
	/* Same range, inside, over the start, over the end, around. */
	cr_assert_eq(iommu_map(d, TIOVA + 4 * pg, pb, 4 * pg, rw), -EEXIST);
	cr_assert_eq(iommu_map(d, TIOVA + 5 * pg, pb, pg, rw), -EEXIST);
	cr_assert_eq(iommu_map(d, TIOVA + 2 * pg, pb, 3 * pg, rw), -EEXIST);
	cr_assert_eq(iommu_map(d, TIOVA + 7 * pg, pb, 3 * pg, rw), -EEXIST);
	cr_assert_eq(iommu_map(d, TIOVA, pb, 16 * pg, rw), -EEXIST);
	/* The old mapping is intact, with its old target. */
	cr_assert(mapped(d, TIOVA + 5 * pg, &x));
	cr_assert_eq(x, pa + pg);
	expect_dma_rw(t, t->solo, TIOVA + 4 * pg, pa, 4 * pg);
	/* Nothing was added around it. */
	cr_assert_not(mapped(d, TIOVA + 3 * pg, NULL));
	cr_assert_not(mapped(d, TIOVA + 8 * pg, NULL));
	expect_fault(t, &dl, t->solo, TIOVA + 3 * pg, IOMMU_ACCESS_READ,
		     REASONS_NOT_MAPPED);
	expect_fault(t, &dl, t->solo, TIOVA + 8 * pg, IOMMU_ACCESS_WRITE,
		     REASONS_NOT_MAPPED);
	/* Adjacent maps are no overlap. */
	cr_assert_eq(iommu_map(d, TIOVA + 3 * pg, pb, pg, rw), 0);
	cr_assert_eq(iommu_map(d, TIOVA + 8 * pg, pb + pg, pg, rw), 0);
	expect_dma_rw(t, t->solo, TIOVA + 8 * pg, pb + pg, 64);
}

CONF_TEST(map, all_or_nothing_on_end_overlap)
{
	struct tctx *t = tctx_open(p);
	struct fault_log dl = {0};
	struct iommu_domain *d = attached_unmanaged(t, &dl);
	uint64_t pg = dom_min_page(d), big = dom_big_page(d);
	uint64_t pa = TMEM_BASE + 0x1000000, i, un = 0;
	const unsigned int rw = IOMMU_READ | IOMMU_WRITE;

	/* The last page of the range is taken. */
	cr_assert_eq(iommu_map(d, TIOVA + 15 * pg, pa, pg, rw), 0);
	cr_assert_eq(iommu_map(d, TIOVA, pa, 16 * pg, rw), -EEXIST);
	for (i = 0; i < 15; i++)
		cr_assert_not(mapped(d, TIOVA + i * pg, NULL),
			      "partial mapping left at page %llu",
			      (unsigned long long)i);
	expect_fault(t, &dl, t->solo, TIOVA, IOMMU_ACCESS_READ,
		     REASONS_NOT_MAPPED);
	expect_fault(t, &dl, t->solo, TIOVA + 14 * pg, IOMMU_ACCESS_WRITE,
		     REASONS_NOT_MAPPED);
	/* Large pages first, a small one taken at the end. */
	if (big && big <= SZ_1G / 4) {
		uint64_t base = TIOVA + SZ_1G / 2; /* aligned to big */

		cr_assert_eq(iommu_map(d, base + 2 * big, pa, pg, rw), 0);
		cr_assert_eq(iommu_map(d, base, pa, 2 * big + pg, rw), -EEXIST);
		cr_assert_not(mapped(d, base, NULL));
		cr_assert_not(mapped(d, base + big, NULL));
		cr_assert_eq(iommu_unmap(d, base, 2 * big, &un), 0);
		cr_assert_eq(un, 0, "unmap found %llu bytes of a refused map",
			     (unsigned long long)un);
	}
	/* After all that, the whole range maps. */
	cr_assert_eq(iommu_unmap(d, TIOVA + 15 * pg, pg, &un), 0);
	cr_assert_eq(un, pg);
	cr_assert_eq(iommu_map(d, TIOVA, pa, 16 * pg, rw), 0);
	expect_dma_rw(t, t->solo, TIOVA, pa, 16 * pg);
}

CONF_TEST(map, largest_page_is_never_split)
{
	struct tctx *t = tctx_open(p);
	struct fault_log dl = {0};
	struct iommu_domain *d = attached_unmanaged(t, &dl);
	uint64_t pg = dom_min_page(d), big = dom_big_page(d);
	uint64_t pa = TMEM_BASE + 0x2000000, un = 99, x;
	const unsigned int rw = IOMMU_READ | IOMMU_WRITE;

	if (big && big <= SZ_2M * 16)
		pa &= ~(big - 1); /* 32M pages (16K granule) */
	if (!big || big > SZ_2M * 16) {
		/* One page size: each page of a run is its own unit. */
		cr_assert_eq(iommu_map(d, TIOVA, pa, 2 * pg, rw), 0);
		cr_assert_eq(iommu_unmap(d, TIOVA, pg, &un), 0);
		cr_assert_eq(un, pg);
		settle(t, d);
		expect_fault(t, &dl, t->solo, TIOVA, IOMMU_ACCESS_READ,
			     REASONS_NOT_MAPPED);
		expect_dma_rw(t, t->solo, TIOVA + pg, pa + pg, 64);
		return;
	}
	/* A big-aligned run of big bytes is one big page. */
	cr_assert_eq(iommu_map(d, TIOVA, pa, big, rw), 0);
	cr_assert_eq(iommu_unmap(d, TIOVA, pg, &un), 0);
	cr_assert_eq(un, 0,
		     "unmap of the first %#llx of a %#llx page removed %#llx",
		     (unsigned long long)pg, (unsigned long long)big,
		     (unsigned long long)un);
	cr_assert_eq(iommu_unmap(d, TIOVA + pg, pg, &un), 0);
	cr_assert_eq(un, 0, "unmap inside a large page removed %#llx",
		     (unsigned long long)un);
	/* Whole page still there and working. */
	cr_assert(mapped(d, TIOVA + big - pg, &x));
	cr_assert_eq(x, pa + big - pg);
	expect_dma_rw(t, t->solo, TIOVA, pa, 64);
	expect_dma_rw(t, t->solo, TIOVA + big - 64, pa + big - 64, 64);
	{
		struct iommu_translation tr;

		cr_assert_eq(
		    dma_xlate(t, t->solo, TIOVA + pg, IOMMU_ACCESS_READ, &tr),
		    0);
		cr_assert_eq(tr.phys, pa + pg);
	}
	cr_assert_eq(iommu_unmap(d, TIOVA, big, &un), 0);
	cr_assert_eq(un, big);
	settle(t, d);
	expect_fault(t, &dl, t->solo, TIOVA + pg, IOMMU_ACCESS_READ,
		     REASONS_NOT_MAPPED);
	/* Misaligned paddr: small pages, which unmap one at a time. */
	cr_assert_eq(iommu_map(d, TIOVA, pa + pg, big, rw), 0);
	cr_assert_eq(iommu_unmap(d, TIOVA, pg, &un), 0);
	cr_assert_eq(un, pg, "paddr not big-aligned must give small pages");
	expect_dma_rw(t, t->solo, TIOVA + pg, pa + 2 * pg, 64);
	cr_assert_eq(iommu_unmap(d, TIOVA + pg, big - pg, &un), 0);
	cr_assert_eq(un, big - pg);
}

CONF_TEST(map, small_pages_unmap_as_a_whole)
{
	struct tctx *t = tctx_open(p);
	struct fault_log dl = {0};
	struct iommu_domain *d = attached_unmanaged(t, &dl);
	uint64_t pg = dom_min_page(d), pa = TMEM_BASE + 0x2400000, un = 0, i;
	const unsigned int rw = IOMMU_READ | IOMMU_WRITE;

	/* Eight separate maps of one page, with scattered targets. */
	for (i = 0; i < 8; i++)
		cr_assert_eq(
		    iommu_map(d, TIOVA + i * pg, pa + (7 - i) * pg, pg, rw), 0);
	for (i = 0; i < 8; i++)
		expect_dma_rw(t, t->solo, TIOVA + i * pg + 8,
			      pa + (7 - i) * pg + 8, 32);
	cr_assert_eq(iommu_unmap(d, TIOVA, 8 * pg, &un), 0);
	cr_assert_eq(un, 8 * pg, "unmap of 8 single pages returned %#llx",
		     (unsigned long long)un);
	settle(t, d);
	for (i = 0; i < 8; i++) {
		cr_assert_not(mapped(d, TIOVA + i * pg, NULL));
		expect_fault(t, &dl, t->solo, TIOVA + i * pg, IOMMU_ACCESS_READ,
			     REASONS_NOT_MAPPED);
	}
	/* One map of many pages, unmapped in two halves: the target is
	 * aligned to the smallest page only, so whatever larger sizes the
	 * bitmap has (AMD v1: every power of two), the map is of pg pages. */
	cr_assert_eq(iommu_map(d, TIOVA, pa + pg, 8 * pg, rw), 0);
	cr_assert_eq(iommu_unmap(d, TIOVA + 4 * pg, 4 * pg, &un), 0);
	cr_assert_eq(un, 4 * pg);
	expect_dma_rw(t, t->solo, TIOVA, pa + pg, 4 * pg);
	cr_assert_eq(iommu_unmap(d, TIOVA, 4 * pg, &un), 0);
	cr_assert_eq(un, 4 * pg);
}

CONF_TEST(unmap, short_count_at_hole)
{
	struct tctx *t = tctx_open(p);
	struct fault_log dl = {0};
	struct iommu_domain *d = attached_unmanaged(t, &dl);
	uint64_t pg = dom_min_page(d), pa = TMEM_BASE + 0x2800000, un = 0;
	const unsigned int rw = IOMMU_READ | IOMMU_WRITE;

	cr_assert_eq(iommu_map(d, TIOVA, pa, 4 * pg, rw), 0);
	cr_assert_eq(iommu_map(d, TIOVA + 5 * pg, pa + 5 * pg, 3 * pg, rw), 0);
	cr_assert_eq(iommu_unmap(d, TIOVA, 8 * pg, &un), 0);
	cr_assert_eq(un, 4 * pg, "unmap over a hole returned %#llx",
		     (unsigned long long)un);
	settle(t, d);
	/* What follows the hole is still mapped. */
	expect_dma_rw(t, t->solo, TIOVA + 5 * pg, pa + 5 * pg, 3 * pg);
	expect_fault(t, &dl, t->solo, TIOVA + 3 * pg, IOMMU_ACCESS_READ,
		     REASONS_NOT_MAPPED);
	/* Starting at the hole: nothing. */
	cr_assert_eq(iommu_unmap(d, TIOVA + 4 * pg, 4 * pg, &un), 0);
	cr_assert_eq(un, 0);
	cr_assert_eq(iommu_unmap(d, TIOVA + 5 * pg, 3 * pg, &un), 0);
	cr_assert_eq(un, 3 * pg);
	/* Nothing mapped at all. */
	cr_assert_eq(iommu_unmap(d, TIOVA, 8 * pg, &un), 0);
	cr_assert_eq(un, 0);
}

CONF_TEST(unmap, stops_at_a_page_it_would_cut)
{
	struct tctx *t = tctx_open(p);
	struct fault_log dl = {0};
	struct iommu_domain *d = attached_unmanaged(t, &dl);
	uint64_t pg = dom_min_page(d), big = dom_big_page(d), un = 0;
	uint64_t pa = TMEM_BASE + 0x2000000, base = TIOVA + SZ_1G / 2;
	const unsigned int rw = IOMMU_READ | IOMMU_WRITE;

	if (!big || big > SZ_2M * 16)
		big = 4 * pg; /* a 4-page map whose tail the range cuts */
	pa &= ~(big - 1); /* 32M pages (16K granule) */
	/* Two small pages, then one big page (when there is one). */
	cr_assert_eq(iommu_map(d, base - 2 * pg, pa - 2 * pg, 2 * pg, rw), 0);
	cr_assert_eq(iommu_map(d, base, pa, big, rw), 0);
	cr_assert_eq(iommu_unmap(d, base - 2 * pg, 2 * pg + pg, &un), 0);
	if (dom_big_page(d) && dom_big_page(d) <= SZ_2M * 16) {
		cr_assert_eq(un, 2 * pg, "cut large page: removed %#llx",
			     (unsigned long long)un);
		expect_dma_rw(t, t->solo, base, pa, 64);
		cr_assert_eq(iommu_unmap(d, base, big, &un), 0);
		cr_assert_eq(un, big);
	} else {
		cr_assert_eq(un, 3 * pg);
		expect_dma_rw(t, t->solo, base + pg, pa + pg, 64);
		cr_assert_eq(iommu_unmap(d, base + pg, big - pg, &un), 0);
		cr_assert_eq(un, big - pg);
	}
	settle(t, d);
	expect_fault(t, &dl, t->solo, base - pg, IOMMU_ACCESS_READ,
		     REASONS_NOT_MAPPED);
	expect_fault(t, &dl, t->solo, base + big - pg, IOMMU_ACCESS_READ,
		     REASONS_NOT_MAPPED);
}

CONF_TEST(unmap, dma_faults_once_unmap_returns)
{
	struct tctx *t = tctx_open(p);
	struct fault_log dl = {0};
	struct iommu_domain *d = attached_unmanaged(t, &dl);
	uint64_t pg = dom_min_page(d), pa = TMEM_BASE + 0x2c00000, un = 0;
	const unsigned int rw = IOMMU_READ | IOMMU_WRITE;
	int round;

	for (round = 0; round < 4; round++) {
		uint64_t tgt = pa + round * 2 * pg;

		cr_assert_eq(iommu_map(d, TIOVA, tgt, 2 * pg, rw), 0);
		/* Warm whatever cache the hardware has. */
		expect_dma_rw(t, t->solo, TIOVA, tgt, 2 * pg);
		expect_dma_rw(t, t->solo, TIOVA, tgt, 2 * pg);
		cr_assert_eq(iommu_unmap(d, TIOVA, 2 * pg, &un), 0);
		cr_assert_eq(un, 2 * pg);
		settle(t, d);
		expect_fault(t, &dl, t->solo, TIOVA, IOMMU_ACCESS_READ,
			     REASONS_NOT_MAPPED);
		expect_fault(t, &dl, t->solo, TIOVA + pg, IOMMU_ACCESS_WRITE,
			     REASONS_NOT_MAPPED);
	}
	/* A remap to a new target is seen at once (no stale entry). */
	cr_assert_eq(iommu_map(d, TIOVA, pa, pg, rw), 0);
	expect_dma_rw(t, t->solo, TIOVA, pa, 64);
	cr_assert_eq(iommu_unmap(d, TIOVA, pg, &un), 0);
	settle(t, d);
	cr_assert_eq(iommu_map(d, TIOVA, pa + 16 * pg, pg, rw), 0);
	expect_dma_rw(t, t->solo, TIOVA, pa + 16 * pg, 64);
}

CONF_TEST(unmap, fast_then_sync_invalidates)
{
	struct tctx *t = tctx_open(p);
	struct fault_log dl = {0};
	struct iommu_domain *d = attached_unmanaged(t, &dl);
	uint64_t pg = dom_min_page(d), pa = TMEM_BASE + 0x3000000, un = 0;
	const unsigned int rw = IOMMU_READ | IOMMU_WRITE;
	struct iommu_iotlb_gather g;

	cr_assert_eq(iommu_map(d, TIOVA, pa, 4 * pg, rw), 0);
	cr_assert_eq(iommu_map(d, TIOVA + 8 * pg, pa, 2 * pg, rw), 0);
	expect_dma_rw(t, t->solo, TIOVA, pa, 4 * pg);
	expect_dma_read(t, t->solo, TIOVA + 8 * pg, pa, 2 * pg);
	iommu_iotlb_gather_init(&g);
	cr_assert_gt(g.start, g.end, "a fresh gather is not empty");
	cr_assert_eq(iommu_unmap_fast(d, TIOVA, 4 * pg, &g, &un), 0);
	cr_assert_eq(un, 4 * pg);
	cr_assert_eq(iommu_unmap_fast(d, TIOVA + 8 * pg, 2 * pg, &g, &un), 0);
	cr_assert_eq(un, 2 * pg);
	cr_assert_leq(g.start, TIOVA, "gather start %#llx",
		      (unsigned long long)g.start);
	cr_assert_geq(g.end, TIOVA + 10 * pg - 1, "gather end %#llx",
		      (unsigned long long)g.end);
	cr_assert_not(mapped(d, TIOVA, NULL));
	cr_assert_eq(iommu_iotlb_sync(d, &g), 0);
	settle(t, d);
	expect_fault(t, &dl, t->solo, TIOVA + 3 * pg, IOMMU_ACCESS_READ,
		     REASONS_NOT_MAPPED);
	expect_fault(t, &dl, t->solo, TIOVA + 9 * pg, IOMMU_ACCESS_READ,
		     REASONS_NOT_MAPPED);
	cr_assert_eq(iommu_unmap_fast(NULL, TIOVA, pg, &g, &un), -EINVAL);
	cr_assert_eq(iommu_iotlb_sync(NULL, &g), -EINVAL);
	cr_assert_eq(iommu_flush_iotlb_all(NULL), -EINVAL);
}

CONF_TEST(unmap, deferred_faults_after_flush)
{
	struct tctx *t = tctx_open(p);
	struct fault_log dl = {0};
	struct iommu_domain *d = attached_unmanaged(t, &dl);
	uint64_t pg = dom_min_page(d), pa = TMEM_BASE + 0x3400000, un = 0;
	struct iommu_translation tr;
	int ret;

	cr_assert_eq(iommu_map(d, TIOVA, pa, pg, IOMMU_READ | IOMMU_WRITE), 0);
	expect_dma_rw(t, t->solo, TIOVA, pa, 64);
	cr_assert_eq(iommu_unmap(d, TIOVA, pg, &un), 0);
	cr_assert_eq(un, pg);
	/* Software state is gone at once in every mode. */
	cr_assert_not(mapped(d, TIOVA, NULL));
	ret = dma_xlate(t, t->solo, TIOVA, IOMMU_ACCESS_READ, &tr);
	if (iommu_ctx_strict(t->ctx)) {
		cr_assert_eq(ret, -EFAULT, "strict unmap returned, DMA passed");
	} else {
		/* Deferred: the old translation may still be used, and
		 * only it. */
		cr_assert(ret == 0 || ret == -EFAULT, "deferred DMA: %d", ret);
		if (!ret)
			cr_assert_eq(tr.phys, pa);
	}
	cr_assert_eq(iommu_flush_iotlb_all(d), 0);
	expect_fault(t, &dl, t->solo, TIOVA, IOMMU_ACCESS_READ,
		     REASONS_NOT_MAPPED);
	expect_fault(t, &dl, t->solo, TIOVA, IOMMU_ACCESS_WRITE,
		     REASONS_NOT_MAPPED);
}

CONF_TEST(map, iova_to_phys_matches_dma)
{
	struct tctx *t = tctx_open(p);
	struct fault_log dl = {0};
	struct iommu_domain *d = attached_unmanaged(t, &dl);
	uint64_t pg = dom_min_page(d), pa = TMEM_BASE + 0x3800000, x, off;
	struct iommu_translation tr;

	cr_assert_eq(iommu_map(d, TIOVA, pa, 4 * pg, IOMMU_READ), 0);
	for (off = 0; off < 4 * pg; off += pg / 4 + 8) {
		cr_assert_eq(iommu_iova_to_phys(d, TIOVA + off, &x), 0);
		cr_assert_eq(x, pa + off);
		cr_assert_eq(
		    dma_xlate(t, t->solo, TIOVA + off, IOMMU_ACCESS_READ, &tr),
		    0);
		cr_assert_eq(tr.phys, pa + off);
		cr_assert_leq(tr.len, 4);
		cr_assert_geq(tr.len, 1);
	}
	cr_assert_eq(iommu_iova_to_phys(d, TIOVA + 4 * pg, &x), -ENOENT);
	cr_assert_eq(iommu_iova_to_phys(d, TIOVA - 1, &x), -ENOENT);
	cr_assert_eq(iommu_iova_to_phys(NULL, TIOVA, &x), -EINVAL);
	cr_assert_eq(iommu_iova_to_phys(d, TIOVA, NULL), -EINVAL);
	/* A translation never claims more than the mapping. */
	cr_assert_eq(iommu_dma_translate(t->ctx, t->solo, IOMMU_NO_PASID,
					 TIOVA + 4 * pg - 16, 4096,
					 IOMMU_ACCESS_READ, &tr),
		     0);
	cr_assert_eq(tr.phys, pa + 4 * pg - 16);
	cr_assert_geq(tr.len, 1);
	cr_assert_leq(tr.len, 16, "translation runs past the mapping: %#llx",
		      (unsigned long long)tr.len);
}

/*
 * Two devices on two domains that map the same IOVAs to different pages,
 * translated a run of pages each in turn: every page lands in its own
 * domain's target.  (A hardware model answers the second and later pages
 * of a run from its per-thread copy of the paging-structure cache, keyed
 * like that cache by tag and root: the other device's run must not find
 * the first one's table there.)
 */
CONF_TEST(dma, two_domains_of_one_region_stay_apart)
{
	struct tctx *t = tctx_open(p);
	struct fault_log dl = {0}, dl2 = {0};
	struct iommu_domain *d1 = attached_unmanaged(t, &dl);
	struct iommu_domain *d2 = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	const uint64_t pg = dom_min_page(d1);
	const uint64_t pa[2] = {TMEM_BASE + 0x3000000, TMEM_BASE + 0x3400000};
	const uint32_t dev[2] = {t->solo, t->solo2};
	struct iommu_translation tr;

	cr_assert_eq(iommu_set_fault_handler(d2, fault_log_domain_fn, &dl2), 0);
	cr_assert_eq(iommu_attach_device(d2, t->solo2), 0);
	cr_assert_eq(iommu_map(d1, TIOVA, pa[0], 8 * pg, IOMMU_READ), 0);
	cr_assert_eq(iommu_map(d2, TIOVA, pa[1], 8 * pg, IOMMU_READ), 0);
	for (unsigned int round = 0; round < 2; round++)
		for (unsigned int k = 0; k < 2; k++)
			for (uint64_t i = round * 4; i < round * 4 + 4; i++) {
				const uint64_t iova = TIOVA + i * pg + 8;

				cr_assert_eq(dma_xlate(t, dev[k], iova,
						       IOMMU_ACCESS_READ, &tr),
					     0);
				cr_assert_eq(tr.phys, pa[k] + i * pg + 8,
					     "device %u, page %llu: 0x%llx",
					     k, (unsigned long long)i,
					     (unsigned long long)tr.phys);
			}
	cr_assert_eq(dl.count, 0);
	cr_assert_eq(dl2.count, 0);
}

CONF_TEST(dma, crosses_pages_to_scattered_targets)
{
	struct tctx *t = tctx_open(p);
	struct fault_log dl = {0};
	struct iommu_domain *d = attached_unmanaged(t, &dl);
	uint64_t pg = dom_min_page(d), pa = TMEM_BASE + 0x3c00000;
	const unsigned int rw = IOMMU_READ | IOMMU_WRITE;
	static uint8_t out[3 * SZ_64K], in[3 * SZ_64K], back[SZ_64K];
	size_t i;

	cr_assert_leq(pg, SZ_64K, "test assumes 64K pages or smaller");
	/* Three consecutive IOVA pages to three scattered physical ones. */
	cr_assert_eq(iommu_map(d, TIOVA, pa + 2 * pg * 3, pg, rw), 0);
	cr_assert_eq(iommu_map(d, TIOVA + pg, pa, pg, rw), 0);
	cr_assert_eq(iommu_map(d, TIOVA + 2 * pg, pa + 5 * pg, pg, rw), 0);
	for (i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 13 + 1);
	cr_assert_eq(iommu_dma_write(t->ctx, t->solo, IOMMU_NO_PASID,
				     TIOVA + 100, out, 3 * pg - 200),
		     0);
	cr_assert_eq(iommu_mem_read(t->ctx, pa, back, pg), 0);
	cr_assert_eq(memcmp(back, out + pg - 100, pg), 0,
		     "second page landed elsewhere");
	cr_assert_eq(iommu_mem_read(t->ctx, pa + 6 * pg + 100, back, pg - 100),
		     0);
	cr_assert_eq(memcmp(back, out, pg - 100), 0);
	cr_assert_eq(iommu_mem_read(t->ctx, pa + 5 * pg, back, pg - 100), 0);
	cr_assert_eq(memcmp(back, out + 2 * pg - 100, pg - 100), 0);
	cr_assert_eq(iommu_dma_read(t->ctx, t->solo, IOMMU_NO_PASID,
				    TIOVA + 100, in, 3 * pg - 200),
		     0);
	cr_assert_eq(memcmp(in, out, 3 * pg - 200), 0);
	/* A DMA that runs into a hole: earlier pieces done, then -EFAULT. */
	memset(out, 0x5a, sizeof(out));
	cr_assert_eq(iommu_dma_write(t->ctx, t->solo, IOMMU_NO_PASID,
				     TIOVA + 2 * pg, out, 2 * pg),
		     -EFAULT);
	cr_assert_eq(dl.count, 1, "one fault for the piece in the hole");
	cr_assert_eq(dl.last.access, IOMMU_ACCESS_WRITE);
	cr_assert_eq(iommu_mem_read(t->ctx, pa + 5 * pg, back, pg), 0);
	cr_assert_eq(memcmp(back, out, pg), 0,
		     "piece before the hole not done");
}
