// SPDX-License-Identifier: MIT
/*
 * test_memo.c - each thread's memo of the last DTE it resolved (and for
 * v2 the PASID's GCR3 entry), plugins/amdvi/hw.h: it answers only while
 * the device-table cache would give the same DTE and the registers it
 * was resolved under still hold.  Each test translates once (the memo),
 * changes what the memo depends on, and expects the change at once or
 * after the invalidation that makes the cache see it.
 */
#include <criterion/criterion.h>

#include "ag.h"

#define RD	IOMMU_ACCESS_READ
#define WR	IOMMU_ACCESS_WRITE
#define NOP	IOMMU_NO_PASID
#define DOM	5u
#define PASID	3u
#define USER_RW (V2_P | V2_RW | V2_US)
/* Pages of one 2 MiB region, and of another one. */
#define VA(n)	(0x40000000ull + (n) * PG)
#define VB(n)	(0x40400000ull + (n) * PG)
#define PA(n)	(AG_DATA + (n) * PG)
#define PB(n)	(AG_DATA + 0x100000 + (n) * PG)

AG_SUITE(memo, 8, 10, C_GT_EN);

/* A Mode 3 table at a fresh root mapping VA(0..3) to @pa(0..3). */
static uint64_t v1_table(uint64_t pa0)
{
	uint64_t root = ag_page(&g);

	for (unsigned int n = 0; n < 4; n++)
		ag_map_v1(&g, root, 3, VA(n), pa0 + n * PG, 1, true, true);
	return root;
}

Test(memo, dte_change_seen_after_invalidate_devtab_entry)
{
	uint64_t r1 = v1_table(PA(0)), r2 = v1_table(PB(0)), d[4];

	enc_dte_v1(d, 3, r1, true, true, DOM);
	ag_set_dte(&g, DEV_A, d);
	ag_expect(&g, DEV_A, NOP, VA(0), RD, PA(0));
	enc_dte_v1(d, 3, r2, true, true, DOM);
	ag_set_dte(&g, DEV_A, d);
	/* A page the IOTLB does not hold: still the cached DTE's root. */
	ag_expect(&g, DEV_A, NOP, VA(1), RD, PA(1));
	ag_flush_dte(&g, DEV_A);
	ag_expect(&g, DEV_A, NOP, VA(2), RD, PB(2));
	cr_assert_eq(ag_evt_count(&g), 0);
}

Test(memo, shrunk_device_table_refuses_the_device)
{
	uint64_t d[4];

	enc_dte_v1(d, 3, v1_table(PA(0)), true, true, DOM);
	ag_set_dte(&g, DEV_C, d); /* 0x300: entry 768 */
	ag_expect(&g, DEV_C, NOP, VA(0), RD, PA(0));
	ag_w64(&g, R_DTB, enc_dtb(AG_DEVTAB, 0)); /* 128 entries */
	ag_expect_fault(&g, DEV_C, NOP, VA(0), RD);
	ag_evt_expect(&g, EV_ILL_DTE, DEV_C, 0, VA(0));
	ag_w64(&g, R_DTB, enc_dtb(AG_DEVTAB, 0x1ff));
	ag_expect(&g, DEV_C, NOP, VA(0), RD, PA(0));
}

Test(memo, exclusion_range_applies_at_once)
{
	uint64_t d[4];

	enc_dte_v1(d, 3, v1_table(PA(0)), true, true, DOM);
	ag_set_dte(&g, DEV_A, d);
	ag_expect(&g, DEV_A, NOP, VA(1), WR, PA(1));
	ag_w64(&g, R_EXCL_BASE, VA(0) | 3); /* ExEn, Allow */
	ag_w64(&g, R_EXCL_LIM, VA(1));
	ag_expect(&g, DEV_A, NOP, VA(1) + 8, WR, VA(1) + 8);
	ag_w64(&g, R_EXCL_BASE, VA(0)); /* ExEn clear */
	ag_expect(&g, DEV_A, NOP, VA(1) + 8, WR, PA(1) + 8);
}

/* A v2 device: PASID's GCR3 entry -> @cr3 (4 levels, GLX 0). */
static uint64_t v2_dev(uint64_t cr3)
{
	uint64_t gcr3 = ag_page(&g), d[4];

	enc_dte_gcr3(d, gcr3, 0, false, true, true, DOM);
	ag_set_dte(&g, DEV_A, d);
	ag_gcr3_set(&g, gcr3, 0, PASID, cr3);
	return gcr3;
}

Test(memo, control_change_applies_at_once)
{
	uint64_t cr3 = ag_page(&g);

	v2_dev(cr3);
	ag_map_v2(&g, cr3, 4, VA(0), PA(0), 1, USER_RW);
	ag_expect(&g, DEV_A, PASID, VA(0), RD, PA(0));
	/* GTEn clear: no guest translation, even of a page the IOTLB
	 * holds. */
	ag_w64(&g, R_CTRL, ag_r64(&g, R_CTRL) & ~C_GT_EN);
	ag_expect_fault(&g, DEV_A, PASID, VA(0), RD);
	ag_evt_expect(&g, EV_PF, DEV_A, F_GN | F_US, VA(0));
	ag_w64(&g, R_CTRL, ag_r64(&g, R_CTRL) | C_GT_EN);
	ag_expect(&g, DEV_A, PASID, VA(0), RD, PA(0));
}

/*
 * The GCR3 entry a thread read stays with it, as the PDE cache entries
 * that stand for it do, until GN = 1, PDE = 1 for the PASID: a region
 * the PDE cache never saw still walks from the old guest CR3.
 */
Test(memo, gcr3_entry_kept_until_pde_invalidation)
{
	uint64_t cr3 = ag_page(&g), cr3b = ag_page(&g), gcr3, c[2];

	gcr3 = v2_dev(cr3);
	for (unsigned int n = 0; n < 4; n++) {
		ag_map_v2(&g, cr3, 4, VA(n), PA(n), 1, USER_RW);
		ag_map_v2(&g, cr3, 4, VB(n), PA(n), 1, USER_RW);
		ag_map_v2(&g, cr3b, 4, VB(n), PB(n), 1, USER_RW);
	}
	ag_expect(&g, DEV_A, PASID, VA(0), RD, PA(0));
	ag_gcr3_set(&g, gcr3, 0, PASID, cr3b);
	ag_expect(&g, DEV_A, PASID, VB(1), RD, PA(1));
	enc_inv_pages(c, DOM, PASID, true, true, true, 0x7FFFFFFFFFFFF000ull);
	ag_cmd(&g, c);
	ag_sync(&g);
	ag_expect(&g, DEV_A, PASID, VB(2), RD, PB(2));
	cr_assert_eq(ag_evt_count(&g), 0);
}

/*
 * A DTE the cache evicted is read again, memo or not: here the thread's
 * own lookups of other devices evict it (dte_cache_entries = 2, one set
 * of two), through resolutions the memo does not keep (V = 0).
 */
Test(memo, evicted_dte_is_read_again)
{
	uint64_t d[4], off[4] = {0};

	ag_destroy(&g);
	ag_create(&g, "dte_cache_entries = 2");
	ag_init(&g, 8, 10, 0);
	enc_dte_v1(d, 3, v1_table(PA(0)), true, true, DOM);
	ag_set_dte(&g, DEV_A, d);
	ag_set_dte(&g, DEV_B, off);
	ag_set_dte(&g, DEV_C, off);
	ag_expect(&g, DEV_A, NOP, VA(0), RD, PA(0));
	ag_expect(&g, DEV_B, NOP, VA(0), RD, VA(0)); /* V = 0: untranslated */
	ag_expect(&g, DEV_C, NOP, VA(0), RD, VA(0)); /* evicts A's */
	enc_dte_v1(d, 0, 0, false, false, DOM); /* blocked */
	ag_set_dte(&g, DEV_A, d);
	ag_expect_fault(&g, DEV_A, NOP, VA(0), RD);
	ag_evt_expect(&g, EV_PF, DEV_A, F_PR | F_PE, VA(0));
}

/* Two units in one thread: neither is answered from the other's memo. */
Test(memo, two_instances_keep_apart)
{
	struct ag h;
	uint64_t d[4], rh;

	enc_dte_v1(d, 3, v1_table(PA(0)), true, true, DOM);
	ag_set_dte(&g, DEV_A, d);
	ag_create(&h, NULL);
	ag_init(&h, 8, 10, C_GT_EN); /* the same registers as g */
	ag_page(&h); /* another root than g's */
	rh = ag_page(&h);
	for (unsigned int n = 0; n < 4; n++)
		ag_map_v1(&h, rh, 3, VA(n), PB(n), 1, true, true);
	enc_dte_v1(d, 3, rh, true, true, DOM);
	ag_set_dte(&h, DEV_A, d);
	for (unsigned int n = 0; n < 4; n++) {
		ag_expect(&g, DEV_A, NOP, VA(n), RD, PA(n));
		ag_expect(&h, DEV_A, NOP, VA(n), RD, PB(n));
	}
	cr_assert_eq(ag_evt_count(&h), 0);
	ag_destroy(&h);
}
