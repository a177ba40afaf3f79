// SPDX-License-Identifier: MIT
/*
 * test_grow.c - pt_grow(): a table that takes more levels on top (the
 * AMD-Vi v1 mode increase Linux does on demand, amdvi.md 3.6).  The new
 * top's entry 0 holds the old top as the sheet writes a PDE (T5), every
 * mapping stays where it was for the driver and for the walker, the
 * input width and the page sizes follow the level count, a failed
 * allocation leaves the table as it was, and maps, unmaps and lookups on
 * other threads go on while it grows.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <criterion/criterion.h>

#include "amdv1_help.h"

/* A v1 table of @mode levels that may grow to @max. */
static void grow_init(struct amd *a, unsigned int mode, unsigned int max)
{
	struct pt_cfg cfg = {.fmt = PT_FMT_AMDV1,
			     .levels = mode,
			     .oa_bits = 52,
			     .features = PT_FEAT_FC,
			     .max_levels = max};

	memset(a, 0, sizeof(*a));
	a->h = pth_new();
	cr_assert_not_null(a->h);
	cr_assert_eq(pt_init(&a->pt, &a->h->host, &cfg), 0, "mode %u..%u", mode,
		     max);
}

/* The walker, on the table as a device with DTE (@root, @mode) sees it,
 * finds @pa at @iova. */
static void walk_is(struct amd *a, uint64_t root, unsigned int mode,
		    uint64_t iova, uint64_t pa)
{
	struct pt_walk_desc d = amd_desc(root, mode);
	struct pt_walk_res r;
	int ret = pt_walk(&a->h->host, &d, iova, 0, &r);

	cr_assert_eq(ret, 0, "mode %u at %llx: %d (level %d)", mode, U(iova),
		     r.err, r.level);
	cr_assert_eq(r.oa, pa, "mode %u at %llx: %llx, expected %llx", mode,
		     U(iova), U(r.oa), U(pa));
}

static void phys_is(struct amd *a, uint64_t iova, uint64_t pa)
{
	uint64_t phys = 0;

	cr_assert_eq(pt_iova_to_phys(&a->pt, iova, &phys), 0, "at %llx",
		     U(iova));
	cr_assert_eq(phys, pa, "at %llx: %llx, expected %llx", U(iova), U(phys),
		     U(pa));
}

Test(grow, amdv1_mode3_to_6_keeps_every_mapping)
{
	const uint64_t far = 0xF123456789ABC000ull; /* amdvi 2.3: mode 6 */
	uint64_t root3, root4, root6, mapped = 0;
	unsigned int levels = 0;
	struct amd a;

	grow_init(&a, 3, 6);
	root3 = a.pt.root_pa;
	cr_assert_eq(pt_root(&a.pt, &levels), root3);
	cr_assert_eq(levels, 3);
	amd_map(&a, 0x5000, 0x12345000, KB(4), IOMMU_READ | IOMMU_WRITE);
	amd_map(&a, MB(4), MB(8), KB(32), IOMMU_READ); /* NextLevel 7 */
	amd_map(&a, MB(2) * 9, MB(16), MB(2), IOMMU_WRITE);
	amd_map(&a, GB(3), GB(1), GB(1), IOMMU_READ | IOMMU_WRITE);
	/* Beyond Mode 3's 39 bits (amdvi T22): refused until it grows. */
	cr_assert_eq(pt_map(&a.pt, 1ull << 39, 0x7000, KB(4), IOMMU_READ,
			    &mapped, &a.fl),
		     -ERANGE);
	cr_assert_eq(pt_iova_to_phys(&a.pt, 1ull << 39, &(uint64_t){0}),
		     -ERANGE);

	cr_assert_eq(pt_grow(&a.pt, 4), 0);
	root4 = pt_root(&a.pt, &levels);
	cr_assert_eq(levels, 4);
	cr_assert_neq(root4, root3);
	cr_assert_eq(a.pt.root_pa, root4);
	cr_assert_eq(a.pt.cfg.levels, 4);
	cr_assert_eq(a.pt.cfg.ia_bits, 48);
	/* amdvi 3.1, 3.6 (T5): entry 0 of the new level-4 table is a PDE
	 * for the old level-3 table, NextLevel 3; nothing else is set. */
	cr_assert_eq(pth_rd(a.h, root4), PDE(root3, 3), "%llx",
		     U(pth_rd(a.h, root4)));
	for (unsigned int i = 1; i < 512; i++)
		cr_assert_eq(pth_rd(a.h, root4 + 8 * i), 0);
	/* Every mapping, through the new top and through the old one. */
	for (int pass = 0; pass < 2; pass++) {
		const uint64_t r = pass ? root3 : root4;
		const unsigned int m = pass ? 3 : 4;

		walk_is(&a, r, m, 0x5678, 0x12345678);
		walk_is(&a, r, m, MB(4) + KB(20) + 4, MB(8) + KB(20) + 4);
		walk_is(&a, r, m, MB(18) + 0x1234, MB(16) + 0x1234);
		walk_is(&a, r, m, GB(3) + 0xabc000, GB(1) + 0xabc000);
	}
	phys_is(&a, 0x5678, 0x12345678);
	phys_is(&a, GB(3) + 8, GB(1) + 8);
	amd_map(&a, 1ull << 39, 0x7000, KB(4), IOMMU_READ);
	walk_is(&a, root4, 4, (1ull << 39) + 0x10, 0x7010);

	/* Two levels at once; Mode 6's top has 7 index bits. */
	cr_assert_eq(pt_grow(&a.pt, 6), 0);
	root6 = pt_root(&a.pt, &levels);
	cr_assert_eq(levels, 6);
	cr_assert_eq(a.pt.top_bits, 7);
	cr_assert_eq(a.pt.cfg.ia_bits, 64);
	cr_assert_eq(pth_rd(a.h, slot(a.h, root6, 6, 0, 4)), PDE(root4, 4));
	amd_map(&a, far, 0x9000, KB(4), IOMMU_READ | IOMMU_WRITE);
	walk_is(&a, root6, 6, far + 0x10, 0x9010);
	walk_is(&a, root6, 6, 0x5000, 0x12345000);
	walk_is(&a, root6, 6, (1ull << 39) + 0x10, 0x7010);
	phys_is(&a, far + 0xff8, 0x9ff8);
	/* Already there; never fewer levels; never beyond the maximum. */
	cr_assert_eq(pt_grow(&a.pt, 6), 0);
	cr_assert_eq(pt_grow(&a.pt, 5), -EINVAL);
	cr_assert_eq(pt_grow(&a.pt, 7), -EINVAL);
	/* Unmap still frees what it empties; destroy frees the rest (the
	 * old tops are ordinary tables now), no page leaks. */
	cr_assert_eq(pt_unmap(&a.pt, GB(3), GB(1), &a.fl, NULL), GB(1));
	cr_assert_eq(pt_unmap(&a.pt, far, KB(4), &a.fl, NULL), KB(4));
	amd_fini(&a);
}

/* The page sizes are those of the largest mode; each is used once the
 * table has its level (a 2 MiB page needs Mode 2). */
Test(grow, page_sizes_follow_the_levels)
{
	struct pt_cfg cfg = {
	    .fmt = PT_FMT_AMDV1, .levels = 1, .oa_bits = 52, .max_levels = 6};
	struct pt_walk_res r;
	struct pt_walk_desc d;
	struct amd a;

	cr_assert_eq(pt_pgsizes(&cfg), 0x000FFF7FFFFFF000ull);
	cfg.max_levels = 3;
	cr_assert_eq(pt_pgsizes(&cfg), 0x0000007FFFFFF000ull);
	grow_init(&a, 1, 3);
	cr_assert_eq(a.pt.pgsizes, 0x0000007FFFFFF000ull);
	/* Mode 1 spans 2 MiB: two 1 MiB pages, not one 2 MiB. */
	amd_map(&a, 0, MB(2), MB(2), IOMMU_READ);
	d = amd_desc(a.pt.root_pa, 1);
	cr_assert_eq(pt_walk(&a.h->host, &d, MB(1) + 8, 0, &r), 0);
	cr_assert_eq(r.size_lg2, 20);
	cr_assert_eq(pt_unmap(&a.pt, 0, MB(2), &a.fl, NULL), MB(2));
	cr_assert_eq(pt_grow(&a.pt, 2), 0);
	amd_map(&a, MB(2), MB(4), MB(2), IOMMU_READ);
	d = amd_desc(pt_root(&a.pt, NULL), 2);
	cr_assert_eq(pt_walk(&a.h->host, &d, MB(3), 0, &r), 0);
	cr_assert_eq(r.size_lg2, 21);
	cr_assert_eq(r.level, 1);
	amd_fini(&a);
}

Test(grow, refused_configurations)
{
	struct pt_cfg cfg = {
	    .fmt = PT_FMT_AMDV1, .levels = 4, .oa_bits = 52, .max_levels = 3};
	struct pth *h = pth_new();
	struct pt pt;

	/* Fewer than @levels, beyond six, with a narrowed input. */
	cr_assert_eq(pt_init(&pt, &h->host, &cfg), -EINVAL);
	cfg.max_levels = 7;
	cr_assert_eq(pt_init(&pt, &h->host, &cfg), -EINVAL);
	cfg.max_levels = 6;
	cfg.ia_bits = 40;
	cr_assert_eq(pt_init(&pt, &h->host, &cfg), -EINVAL);
	cfg.ia_bits = 0;
	/* A top that is not full cannot go under another level: x86's
	 * lower half (47 bits of 48), Arm tables (sized by the input). */
	cfg.fmt = PT_FMT_X86_64;
	cfg.max_levels = 5;
	cr_assert_eq(pt_init(&pt, &h->host, &cfg), -EINVAL);
	cfg = (struct pt_cfg){.fmt = PT_FMT_LPAE_S1,
			      .ia_bits = 39,
			      .oa_bits = 48,
			      .max_levels = 4};
	cr_assert_eq(pt_init(&pt, &h->host, &cfg), -EINVAL);
	cr_assert_eq(pt_pgsizes(&cfg), 0);
	/* The same level count is no growth. */
	cfg = (struct pt_cfg){
	    .fmt = PT_FMT_AMDV1, .levels = 4, .oa_bits = 52, .max_levels = 4};
	cr_assert_eq(pt_init(&pt, &h->host, &cfg), 0);
	cr_assert_eq(pt_grow(&pt, 4), 0);
	cr_assert_eq(pt_grow(&pt, 5), -EINVAL);
	cr_assert_eq(pt_grow(NULL, 5), -EINVAL);
	cr_assert_eq(pt_root(NULL, NULL), 0);
	pt_destroy(&pt);
	cr_assert_eq(pt_grow(&pt, 4), -EINVAL, "destroyed");
	cr_assert_eq(h->live_pages, 0);
	pth_free(h);
}

/* A failed allocation leaves the levels reached and every mapping. */
Test(grow, no_memory_keeps_the_table)
{
	unsigned int levels = 0;
	uint64_t root;
	struct amd a;

	grow_init(&a, 3, 6);
	amd_map(&a, GB(2), MB(2), KB(8), IOMMU_READ);
	a.h->fail_after = a.h->allocs + 1; /* one more table, then none */
	cr_assert_eq(pt_grow(&a.pt, 6), -ENOMEM);
	root = pt_root(&a.pt, &levels);
	cr_assert_eq(levels, 4);
	cr_assert_eq(pth_rd(a.h, root) & ADDR, a.pt.root_pas[2]);
	phys_is(&a, GB(2) + KB(4), MB(2) + KB(4));
	walk_is(&a, root, 4, GB(2) + 4, MB(2) + 4);
	a.h->fail_after = 0;
	cr_assert_eq(pt_grow(&a.pt, 6), 0);
	walk_is(&a, pt_root(&a.pt, NULL), 6, GB(2) + 4, MB(2) + 4);
	amd_fini(&a);
}

/* VT-d second stage grows as well (3 to 5 levels: 39 to 57 bits). */
Test(grow, vtdss_3_to_5)
{
	struct pt_cfg cfg = {
	    .fmt = PT_FMT_VTDSS, .levels = 3, .oa_bits = 48, .max_levels = 5};
	struct pth *h = pth_new();
	uint64_t mapped = 0, phys = 0;
	struct pt pt;

	cr_assert_eq(pt_init(&pt, &h->host, &cfg), 0);
	cr_assert_eq(pt.pgsizes, (1ull << 12) | (1ull << 21) | (1ull << 30));
	cr_assert_eq(
	    pt_map(&pt, GB(5), GB(2), GB(1), IOMMU_READ, &mapped, NULL), 0);
	cr_assert_eq(
	    pt_map(&pt, 1ull << 50, 0x3000, KB(4), IOMMU_READ, &mapped, NULL),
	    -ERANGE);
	cr_assert_eq(pt_grow(&pt, 5), 0);
	cr_assert_eq(pt.cfg.ia_bits, 57);
	cr_assert_eq(
	    pt_map(&pt, 1ull << 50, 0x3000, KB(4), IOMMU_READ, &mapped, NULL),
	    0);
	cr_assert_eq(pt_iova_to_phys(&pt, GB(5) + 0x123, &phys), 0);
	cr_assert_eq(phys, GB(2) + 0x123);
	cr_assert_eq(pt_iova_to_phys(&pt, (1ull << 50) + 8, &phys), 0);
	cr_assert_eq(phys, 0x3008);
	pt_destroy(&pt);
	cr_assert_eq(h->live_pages, 0, "%llu pages leaked", U(h->live_pages));
	pth_free(h);
}

/* ---- concurrency ----------------------------------------------------------
 */

struct gthr {
	struct amd *a;
	uint64_t base; /* a range of its own, inside Mode 3 */
	int errors;
	volatile int *stop;
};

/* Map, look up, walk and unmap in its own range until told to stop. */
static void *gthr_main(void *arg)
{
	struct gthr *g = arg;
	unsigned int n = 0;

	while (!__atomic_load_n(g->stop, __ATOMIC_ACQUIRE) || n < 64) {
		const uint64_t iova = g->base + (uint64_t)(n % 64) * MB(2);
		const uint64_t pa = MB(32) + (uint64_t)(n % 7) * KB(4);
		struct pt_free_list fl = {0};
		uint64_t mapped = 0, phys = 0, root;
		unsigned int levels;
		struct pt_walk_desc d;
		struct pt_walk_res r;

		if (pt_map(&g->a->pt, iova, pa, KB(8), IOMMU_READ, &mapped,
			   &fl) ||
		    mapped != KB(8))
			g->errors++;
		if (pt_iova_to_phys(&g->a->pt, iova + KB(4) + 8, &phys) ||
		    phys != pa + KB(4) + 8)
			g->errors++;
		root = pt_root(&g->a->pt, &levels);
		d = amd_desc(root, levels);
		if (pt_walk(&g->a->h->host, &d, iova + 16, 0, &r) ||
		    r.oa != pa + 16)
			g->errors++;
		if (pt_unmap(&g->a->pt, iova, KB(8), &fl, NULL) != KB(8))
			g->errors++;
		pt_free_pages(&g->a->h->host, &fl);
		pt_free_list_fini(&fl);
		n++;
	}
	return NULL;
}

Test(grow, while_other_threads_map_and_unmap)
{
	volatile int stop = 0;
	struct gthr g[3];
	pthread_t th[3];
	struct amd a;

	grow_init(&a, 3, 6);
	for (int i = 0; i < 3; i++) {
		g[i] = (struct gthr){&a, GB(1) * (uint64_t)(i + 1), 0, &stop};
		cr_assert_eq(pthread_create(&th[i], NULL, gthr_main, &g[i]), 0);
	}
	for (unsigned int l = 4; l <= 6; l++) {
		for (volatile int spin = 0; spin < 200000; spin++)
			;
		cr_assert_eq(pt_grow(&a.pt, l), 0);
		/* A map above the old width, on this thread. */
		amd_map(&a, 1ull << (12 + 9 * (l - 1)), MB(40), KB(4),
			IOMMU_READ);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < 3; i++) {
		pthread_join(th[i], NULL);
		cr_assert_eq(g[i].errors, 0, "thread %d: %d errors", i,
			     g[i].errors);
	}
	for (unsigned int l = 4; l <= 6; l++)
		phys_is(&a, (1ull << (12 + 9 * (l - 1))) + 8, MB(40) + 8);
	amd_fini(&a);
}
