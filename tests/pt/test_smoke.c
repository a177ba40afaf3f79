// SPDX-License-Identifier: MIT
/* test_smoke.c - the suite's host works and a vtdss table round-trips. */
#include <errno.h>

#include <criterion/criterion.h>

#include "pth.h"

Test(host, vtdss_map_walk_unmap)
{
	struct pth *h = pth_new();
	struct pt pt;
	struct pt_cfg cfg = {.fmt = PT_FMT_VTDSS, .levels = 4, .oa_bits = 48};
	uint64_t mapped = 0, phys = 0;
	struct pt_free_list fl = {0};
	struct pt_walk_desc d = {0};
	struct pt_walk_res r;

	cr_assert_not_null(h);
	cr_assert_eq(pt_init(&pt, &h->host, &cfg), 0);
	cr_assert_eq(pt_map(&pt, 0x200000, 0x40000000, 0x400000,
			    IOMMU_READ | IOMMU_WRITE, &mapped, &fl), 0);
	cr_assert_eq(mapped, 0x400000);
	cr_assert_eq(pt_iova_to_phys(&pt, 0x212345, &phys), 0);
	cr_assert_eq(phys, 0x40012345);
	d.fmt = PT_FMT_VTDSS;
	d.root = pt.root_pa;
	d.levels = 4;
	d.oa_bits = 48;
	cr_assert_eq(pt_walk(&h->host, &d, 0x212345, PT_ACC_W, &r), 0);
	cr_assert_eq(r.oa, 0x40012345);
	cr_assert_eq(r.size_lg2, 21);
	cr_assert_eq(pt_unmap(&pt, 0x200000, 0x400000, &fl, NULL), 0x400000);
	pt_free_pages(&h->host, &fl);
	pt_free_list_fini(&fl);
	pt_destroy(&pt);
	cr_assert_eq(h->live_pages, 0);
	cr_assert_eq(h->bad_free, 0);
	pth_free(h);
}

/* One 4 KiB page out of three (the unmap's one-leaf path): it goes, its
 * neighbours stay, the leaf size is told; a second unmap finds nothing. */
Test(host, vtdss_unmap_one_page)
{
	struct pth *h = pth_new();
	struct pt pt;
	struct pt_cfg cfg = {.fmt = PT_FMT_VTDSS, .levels = 4, .oa_bits = 48};
	uint64_t mapped = 0, phys = 0, max_leaf = 0;
	struct pt_free_list fl = {0};

	cr_assert_not_null(h);
	cr_assert_eq(pt_init(&pt, &h->host, &cfg), 0);
	cr_assert_eq(pt_map(&pt, 0x7000, 0x40000000, 0x3000,
			    IOMMU_READ | IOMMU_WRITE, &mapped, &fl), 0);
	cr_assert_eq(pt_unmap(&pt, 0x8000, 0x1000, &fl, &max_leaf), 0x1000);
	cr_assert_eq(max_leaf, 0x1000);
	cr_assert_eq(fl.n, 0);
	cr_assert_eq(pt_iova_to_phys(&pt, 0x8000, &phys), -ENOENT);
	cr_assert_eq(pt_iova_to_phys(&pt, 0x7008, &phys), 0);
	cr_assert_eq(phys, 0x40000008);
	cr_assert_eq(pt_iova_to_phys(&pt, 0x9ff8, &phys), 0);
	cr_assert_eq(phys, 0x40002ff8);
	max_leaf = 1;
	cr_assert_eq(pt_unmap(&pt, 0x8000, 0x1000, &fl, &max_leaf), 0);
	cr_assert_eq(max_leaf, 0);
	cr_assert_eq(pt_unmap(&pt, 0x7000, 0x3000, &fl, NULL), 0x1000,
		     "an unmap stops at the hole");
	cr_assert_eq(pt_unmap(&pt, 0x9000, 0x1000, &fl, NULL), 0x1000);
	pt_free_pages(&h->host, &fl);
	pt_free_list_fini(&fl);
	pt_destroy(&pt);
	cr_assert_eq(h->live_pages, 0);
	cr_assert_eq(h->bad_free, 0);
	pth_free(h);
}
