// SPDX-License-Identifier: MIT
/*
 * test_memo.c - each thread's memo of the last DTE it resolved (and for
 * v2 the PASID's GCR3 entry), plugins/amdvi/hw.h: it answers only while
 * the device-table cache would give the same DTE and the registers it
 * was resolved under still hold.  Each test translates once (the memo),
 * changes what the memo depends on, and expects the change at once or
 * after the invalidation that makes the cache see it.
 */
#include <errno.h>

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

/*
 * DEV_A's DTE moved to another root: the cached DTE (and the memo of it)
 * until INVALIDATE_DEVTAB_ENTRY, or INVALIDATE_IOMMU_ALL (@all), then
 * the new one at once.
 */
static void dte_change_seen_after(bool all)
{
	uint64_t r1 = v1_table(PA(0)), r2 = v1_table(PB(0)), d[4], c[2];

	enc_dte_v1(d, 3, r1, true, true, DOM);
	ag_set_dte(&g, DEV_A, d);
	ag_expect(&g, DEV_A, NOP, VA(0), RD, PA(0));
	enc_dte_v1(d, 3, r2, true, true, DOM);
	ag_set_dte(&g, DEV_A, d);
	/* A page the IOTLB does not hold: still the cached DTE's root. */
	ag_expect(&g, DEV_A, NOP, VA(1), RD, PA(1));
	if (all) {
		enc_inv_all(c);
		ag_cmd(&g, c);
		ag_sync(&g);
	} else {
		ag_flush_dte(&g, DEV_A);
	}
	ag_expect(&g, DEV_A, NOP, VA(2), RD, PB(2));
	ag_expect(&g, DEV_A, NOP, VA(3), RD, PB(3));
	cr_assert_eq(ag_evt_count(&g), 0);
}

Test(memo, dte_change_seen_after_invalidate_devtab_entry)
{
	dte_change_seen_after(false);
}

Test(memo, dte_change_seen_after_invalidate_all)
{
	dte_change_seen_after(true);
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

/*
 * The memo never answers for the MSI window: a device whose translations
 * the memo holds still sends a request without PASID there as an
 * interrupt, whatever its tables map at that address.
 */
Test(memo, msi_window_after_the_memo_is_an_interrupt)
{
	uint64_t root = ag_v1_dev(&g, DEV_A, 3, DOM);
	struct iommu_translation t;

	ag_map_v1(&g, root, 3, 0xFEE00000, PA(1), 1, true, true);
	ag_map_v1(&g, root, 3, VA(0), PA(0), 1, true, true);
	ag_expect(&g, DEV_A, NOP, VA(0), RD, PA(0));
	cr_assert_eq(ag_xl(&g, DEV_A, NOP, 0xFEE00000, WR, &t),
		     IOMMU_DMA_INTERRUPT);
	cr_assert_eq(t.phys, 0xFEE00000);
	cr_assert_eq(t.perm, 0);
	cr_assert_eq(ag_xl(&g, DEV_A, NOP, 0xFEEFFFF0, RD, &t),
		     IOMMU_DMA_INTERRUPT);
	ag_expect(&g, DEV_A, NOP, VA(0), RD, PA(0));
	cr_assert_eq(ag_evt_count(&g), 0);
}

/*
 * Nor for a translated (ATS) request: after plain requests the memo
 * holds, DTE.I = 0 still makes one an INVALID_DEVICE_REQUEST, never a
 * walk of the tables the memo names.
 */
Test(memo, translated_request_after_the_memo_needs_dte_i)
{
	uint64_t root = ag_v1_dev(&g, DEV_A, 3, DOM);
	struct iommu_translation t;
	struct ag_ev e;

	ag_map_v1(&g, root, 3, VA(0), PA(0), 1, true, true);
	ag_expect(&g, DEV_A, NOP, VA(0), RD, PA(0));
	cr_assert_eq(ag_xl(&g, DEV_A, NOP, VA(0),
			   RD | IOMMU_ACCESS_TRANSLATED, &t),
		     -EFAULT);
	cr_assert(ag_evt_pop(&g, &e));
	cr_assert_eq(e.code, EV_BAD_REQ);
	cr_assert_eq(e.addr, VA(0));
	ag_expect(&g, DEV_A, NOP, VA(0), RD, PA(0));
}

/*
 * A privileged request (PASID, PRIV) gets the page's privileged
 * permission: read and write on a supervisor page (U/S = 0) a user
 * request may not touch, read only on a user page without R/W.
 */
Test(memo, privileged_request_gets_the_privileged_permission)
{
	uint64_t gcr3 = ag_page(&g), cr3 = ag_page(&g), d[4];
	struct iommu_translation t;

	enc_dte_gcr3(d, gcr3, 0, false, true, true, DOM);
	ag_set_dte(&g, DEV_A, d);
	ag_gcr3_set(&g, gcr3, 0, PASID, cr3);
	ag_map_v2(&g, cr3, 4, VA(0), PA(0), 1, V2_P | V2_RW | V2_A | V2_D);
	ag_map_v2(&g, cr3, 4, VA(1), PA(1), 1, V2_P | V2_US | V2_A);
	cr_assert_eq(ag_xl(&g, DEV_A, PASID, VA(0), RD | IOMMU_ACCESS_PRIV,
			   &t),
		     0);
	cr_assert_eq(t.phys, PA(0));
	cr_assert_eq(t.perm, IOMMU_READ | IOMMU_WRITE);
	cr_assert_eq(ag_xl(&g, DEV_A, PASID, VA(1), RD | IOMMU_ACCESS_PRIV,
			   &t),
		     0);
	cr_assert_eq(t.phys, PA(1));
	cr_assert_eq(t.perm, IOMMU_READ);
	ag_expect(&g, DEV_A, PASID, VA(1), RD, PA(1));
	cr_assert_eq(ag_evt_count(&g), 0);
}

/*
 * DTE.SA holds for a walk's faults whether the memo answers or not: a
 * page that is not present aborts the request without an event, the
 * first time (the DTE resolved) and the next (the memo's).
 */
Test(memo, sa_suppresses_walk_faults_through_the_memo)
{
	uint64_t root = ag_page(&g), d[4];

	ag_map_v1(&g, root, 3, VA(0), PA(0), 1, true, true);
	enc_dte_v1(d, 3, root, true, true, DOM);
	d[1] |= 1ull << 34; /* SA, DTE bit 98 */
	ag_set_dte(&g, DEV_A, d);
	ag_expect_fault(&g, DEV_A, NOP, VA(1), RD);
	ag_expect(&g, DEV_A, NOP, VA(0), RD, PA(0));
	ag_expect_fault(&g, DEV_A, NOP, VA(2), WR);
	ag_expect_fault(&g, DEV_A, NOP, VB(0), RD);
	cr_assert_eq(ag_evt_count(&g), 0);
}

/*
 * A request the memo may not keep (PRIV) never uses the GCR3 entry the
 * memo kept for another PASID: after PASID 3's plain request, PASID 4's
 * privileged one walks from its own entry.
 */
Test(memo, privileged_request_reads_its_own_gcr3_entry)
{
	uint64_t gcr3 = ag_page(&g), cr3a = ag_page(&g), cr3b = ag_page(&g);
	uint64_t d[4];

	enc_dte_gcr3(d, gcr3, 0, false, true, true, DOM);
	ag_set_dte(&g, DEV_A, d);
	ag_gcr3_set(&g, gcr3, 0, PASID, cr3a);
	ag_gcr3_set(&g, gcr3, 0, PASID + 1, cr3b);
	ag_map_v2(&g, cr3a, 4, VA(0), PA(0), 1, USER_RW);
	ag_map_v2(&g, cr3a, 4, VB(0), PA(1), 1, USER_RW);
	ag_map_v2(&g, cr3b, 4, VB(0), PB(0), 1, USER_RW);
	ag_expect(&g, DEV_A, PASID, VA(0), RD, PA(0));
	ag_expect(&g, DEV_A, PASID + 1, VB(0), RD | IOMMU_ACCESS_PRIV, PB(0));
	ag_expect(&g, DEV_A, PASID, VB(0), RD, PA(1));
	cr_assert_eq(ag_evt_count(&g), 0);
}

/*
 * A result stops at its page's end, walked or from the IOTLB: a request
 * across the end of a 4 KiB page gets the bytes up to it, one inside a
 * 2 MiB page gets all it asked for, across 4 KiB boundaries too.
 */
Test(memo, results_stop_at_the_page_end)
{
	uint64_t root = ag_v1_dev(&g, DEV_A, 3, DOM);
	const uint64_t big = 0x40200000ull;
	struct iommu_translation t;

	ag_map_v1(&g, root, 3, VA(0), PA(0), 1, true, true);
	ag_map_v1(&g, root, 3, big, AG_DATA + 0x200000, 2, true, true);
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(iommu_dma_translate(g.ctx, DEV_A, NOP,
						 VA(0) + PG - 3, 16, RD, &t),
			     0);
		cr_assert_eq(t.phys, PA(0) + PG - 3);
		cr_assert_eq(t.len, 3, "pass %d: %lu", i,
			     (unsigned long)t.len);
		cr_assert_eq(iommu_dma_translate(g.ctx, DEV_A, NOP,
						 VA(0) + PG - 16, 16, RD, &t),
			     0);
		cr_assert_eq(t.len, 16);
		cr_assert_eq(iommu_dma_translate(g.ctx, DEV_A, NOP,
						 big + PG - 8, 64, WR, &t),
			     0);
		cr_assert_eq(t.phys, AG_DATA + 0x200000 + PG - 8);
		cr_assert_eq(t.len, 64);
		cr_assert_eq(iommu_dma_translate(g.ctx, DEV_A, NOP,
						 big + 0x1ffff8, 64, RD, &t),
			     0);
		cr_assert_eq(t.len, 8);
	}
	cr_assert_eq(ag_evt_count(&g), 0);
}
