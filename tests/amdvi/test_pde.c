// SPDX-License-Identifier: MIT
/*
 * test_pde.c - the model's PDE cache (amdvi 5.4, plugins/amdvi/hw.h): a
 * walk keeps the table that held its leaf, so another page of the same
 * 2 MiB region translates through it even after the directory entry
 * above that table is cleared in memory, until an invalidation that
 * applies to directory entries: INVALIDATE_IOMMU_PAGES with PDE = 1,
 * INVALIDATE_IOMMU_ALL, INVALIDATE_DEVTAB_ENTRY.  PDE = 0 removes only
 * leaf translations and keeps it.
 */
#include <criterion/criterion.h>

#include "ag.h"

#define RD	IOMMU_ACCESS_READ
#define NOP	IOMMU_NO_PASID
#define DOM	7u
#define PASID	3u
#define USER_RW (V2_P | V2_RW | V2_US)
/* Four pages of one 2 MiB region (one level-1 table). */
#define VA(n)	(0x40000000ull + (n) * PG)
#define PA(n)	(AG_DATA + (n) * PG)

AG_SUITE(pde, 8, 10, C_GT_EN);

/*
 * A v1 device (Mode 4) with pages 0-3 of the region mapped, page 0
 * translated (the walk fills the PDE cache), then the level-2 entry that
 * points to the region's level-1 table cleared without an invalidation.
 */
static void v1_cached_then_cleared(void)
{
	uint64_t root = ag_v1_dev(&g, DEV_A, 4, DOM);

	for (unsigned int n = 0; n < 4; n++)
		ag_map_v1(&g, root, 4, VA(n), PA(n), 1, true, true);
	ag_expect(&g, DEV_A, NOP, VA(0) + 8, RD, PA(0) + 8);
	ag_mw64(&g, ag_v1_slot(&g, root, 4, VA(0), 2), 0);
	/* Not in the IOTLB: walked from the cached level-1 table. */
	ag_expect(&g, DEV_A, NOP, VA(1) + 8, RD, PA(1) + 8);
}

/* The next page of the region walks from the root again: it faults. */
static void v1_sees_the_change(unsigned int n)
{
	ag_expect_fault(&g, DEV_A, NOP, VA(n), RD);
	ag_evt_expect(&g, EV_PF, DEV_A, 0, VA(n));
}

static void cmd(const uint64_t c[2])
{
	ag_cmd(&g, c);
	ag_sync(&g);
}

Test(pde, cleared_pde_still_translates_until_invalidated)
{
	v1_cached_then_cleared();
	ag_expect(&g, DEV_A, NOP, VA(2), RD, PA(2));
	cr_assert_eq(ag_evt_count(&g), 0);
}

Test(pde, inv_pages_pde1_drops_it)
{
	uint64_t c[2];

	v1_cached_then_cleared();
	/* One page of another domain: PDE = 1 drops directory entries
	 * wherever they are (a cache may drop more than asked). */
	enc_inv_pages(c, DOM, 0, false, true, false, VA(3));
	cmd(c);
	v1_sees_the_change(2);
}

Test(pde, inv_pages_pde0_keeps_it)
{
	uint64_t c[2];

	v1_cached_then_cleared();
	/* The whole domain's leaves: page 1 leaves the IOTLB and walks
	 * again, from the cached table. */
	enc_inv_pages(c, DOM, 0, false, false, true, 0x7FFFFFFFFFFFF000ull);
	cmd(c);
	ag_expect(&g, DEV_A, NOP, VA(1), RD, PA(1));
	ag_expect(&g, DEV_A, NOP, VA(2), RD, PA(2));
	cr_assert_eq(ag_evt_count(&g), 0);
	enc_inv_pages(c, DOM, 0, false, true, true, 0x7FFFFFFFFFFFF000ull);
	cmd(c);
	v1_sees_the_change(3);
}

Test(pde, inv_all_drops_it)
{
	uint64_t c[2];

	v1_cached_then_cleared();
	enc_inv_all(c);
	cmd(c);
	v1_sees_the_change(2);
}

Test(pde, inv_devtab_entry_drops_it)
{
	v1_cached_then_cleared();
	ag_flush_dte(&g, DEV_A);
	v1_sees_the_change(2);
}

/*
 * v2: the entry stands for the PASID's GCR3 entry and the guest levels
 * above the leaf's table; GN = 1, PDE = 1 for the PASID (what software
 * sends after it changes either) drops it.
 */
Test(pde, v2_gcr3_and_pde_cached_until_pde1)
{
	uint64_t gcr3 = ag_page(&g), cr3 = ag_page(&g), d[4], c[2];

	enc_dte_gcr3(d, gcr3, 0, false, true, true, DOM);
	ag_set_dte(&g, DEV_A, d);
	ag_gcr3_set(&g, gcr3, 0, PASID, cr3);
	for (unsigned int n = 0; n < 4; n++)
		ag_map_v2(&g, cr3, 4, VA(n), PA(n), 1, USER_RW);
	ag_expect(&g, DEV_A, PASID, VA(0), RD, PA(0));
	/* The PML4 entry and the PASID's GCR3 entry both go. */
	ag_mw64(&g, cr3 + 8 * ((VA(0) >> 39) & 0x1ff), 0);
	ag_mw64(&g, gcr3 + 8 * gcr3_index(PASID, 0), 0);
	ag_expect(&g, DEV_A, PASID, VA(1), RD, PA(1));
	enc_inv_pages(c, DOM, PASID, true, false, true, 0x7FFFFFFFFFFFF000ull);
	cmd(c);
	ag_expect(&g, DEV_A, PASID, VA(2), RD, PA(2));
	cr_assert_eq(ag_evt_count(&g), 0);
	enc_inv_pages(c, DOM, PASID, true, true, true, 0x7FFFFFFFFFFFF000ull);
	cmd(c);
	ag_expect_fault(&g, DEV_A, PASID, VA(3), RD);
	ag_evt_expect(&g, EV_PF, DEV_A, F_GN | F_US, VA(3));
}
