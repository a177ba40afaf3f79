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
#include <string.h>

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

/* ---- a miss through the PDE cache keeps every check ---------------------- */

/*
 * A miss in a region whose last table the PDE cache holds reads one entry
 * (the model decodes a plain 4 KiB page inline, pt_quick.h): every check
 * of that entry and of the levels above still holds there.  Page 0 of
 * the region fills the cache; each other page misses the IOTLB and
 * resumes at the cached table.  A read before a write puts the page's
 * permission in the IOTLB, which the write meets, and walks again.
 */

#define WR IOMMU_ACCESS_WRITE
/* A second and a third region, each its own level-1 table; a fourth
 * for a 2 MiB page. */
#define VB(n) (0x40200000ull + (n) * PG)
#define VC(n) (0x40400000ull + (n) * PG)
#define VD    0x40600000ull

/* Translate @iova, expect @phys and exactly @perm. */
static void expect_perm(uint32_t pasid, uint64_t iova, unsigned int access,
			uint64_t phys, unsigned int perm)
{
	struct iommu_translation t;

	cr_assert_eq(ag_xl(&g, DEV_A, pasid, iova, access, &t), 0,
		     "translate 0x%llx", (unsigned long long)iova);
	cr_assert_eq(t.phys, phys, "0x%llx -> 0x%llx",
		     (unsigned long long)iova, (unsigned long long)t.phys);
	cr_assert_eq(t.perm, perm, "0x%llx: perm %u, expected %u",
		     (unsigned long long)iova, t.perm, perm);
}

Test(pde, v1_cached_region_pages_keep_every_check)
{
	const unsigned int rw = IOMMU_READ | IOMMU_WRITE;
	uint64_t root = ag_v1_dev(&g, DEV_A, 4, DOM), slot;

	ag_map_v1(&g, root, 4, VA(0), PA(0), 1, true, true);
	ag_map_v1(&g, root, 4, VA(1), PA(1), 1, true, false);
	ag_map_v1(&g, root, 4, VA(2), PA(2), 1, false, true);
	ag_map_v1(&g, root, 4, VA(3), PA(3), 1, true, true);
	slot = ag_v1_slot(&g, root, 4, VA(3), 1);
	ag_mw64(&g, slot, ag_mr64(&g, slot) & ~1ull); /* PR = 0 */
	ag_mw64(&g, ag_v1_slot(&g, root, 4, VA(4), 1),
		enc_pte(PA(4), true, true, false) | 1ull << 52); /* reserved */
	/* An 8 KiB page (NextLevel 7) in slots 6 and 7. */
	for (unsigned int n = 6; n < 8; n++)
		ag_mw64(&g, ag_v1_slot(&g, root, 4, VA(n), 1),
			enc_pte7(PA(6), 13, true, true));
	/* The top bit of the output address. */
	ag_map_v1(&g, root, 4, VA(8), 1ull << 51 | PA(8), 1, true, true);

	expect_perm(NOP, VA(0) + 8, RD, PA(0) + 8, rw);
	expect_perm(NOP, VA(1) + 0x10, RD, PA(1) + 0x10, IOMMU_READ);
	ag_expect_fault(&g, DEV_A, NOP, VA(1) + 0x20, WR);
	ag_evt_expect(&g, EV_PF, DEV_A, F_PR | F_PE | F_RW, VA(1) + 0x20);
	expect_perm(NOP, VA(2) + 0x30, WR, PA(2) + 0x30, IOMMU_WRITE);
	ag_expect_fault(&g, DEV_A, NOP, VA(2) + 0x40, RD);
	ag_evt_expect(&g, EV_PF, DEV_A, F_PR | F_PE, VA(2) + 0x40);
	ag_expect_fault(&g, DEV_A, NOP, VA(3), RD);
	ag_evt_expect(&g, EV_PF, DEV_A, 0, VA(3));
	ag_expect_fault(&g, DEV_A, NOP, VA(4), RD);
	ag_evt_expect(&g, EV_PF, DEV_A, F_PR | F_RZ, VA(4));
	ag_expect(&g, DEV_A, NOP, VA(7) + 0x50, RD, PA(6) + 0x1050);
	expect_perm(NOP, VA(8) + 0x60, WR, 1ull << 51 | (PA(8) + 0x60), rw);
	ag_expect_fault(&g, DEV_A, NOP, VA(9), RD); /* an empty slot */
	ag_evt_expect(&g, EV_PF, DEV_A, 0, VA(9));

	/* The level-2 entry above the region's table without IW. */
	ag_map_v1(&g, root, 4, VB(0), PA(0), 1, true, true);
	ag_map_v1(&g, root, 4, VB(1), PA(1), 1, true, true);
	slot = ag_v1_slot(&g, root, 4, VB(0), 2);
	ag_mw64(&g, slot, ag_mr64(&g, slot) & ~(1ull << 62));
	expect_perm(NOP, VB(0), RD, PA(0), IOMMU_READ);
	expect_perm(NOP, VB(1), RD, PA(1), IOMMU_READ);
	ag_expect_fault(&g, DEV_A, NOP, VB(1) + 8, WR);
	ag_evt_expect(&g, EV_PF, DEV_A, F_PR | F_PE | F_RW, VB(1) + 8);
	cr_assert_eq(ag_evt_count(&g), 0);
}

/*
 * Under DTE.HAD = 11b the walk sets A, and D on a write, in the leaf: a
 * page of a cached region that lacks them is walked, not decoded; a clean
 * page read stays read-only in the IOTLB, so that its first write walks.
 */
Test(pde, v1_cached_region_pages_set_access_and_dirty)
{
	uint64_t root, d[4], s[4];

	ag_destroy(&g);
	ag_create(&g, "host_access = yes\nhost_dirty = yes");
	ag_init(&g, 8, 10, 3ull << 46); /* Control.HADUpdate */
	root = ag_page(&g);
	enc_dte_v1(d, 4, root, true, true, DOM);
	d[0] |= 3ull << 7; /* DTE.HAD = 11b */
	ag_set_dte(&g, DEV_A, d);
	for (unsigned int n = 0; n < 4; n++) {
		ag_map_v1(&g, root, 4, VA(n), PA(n), 1, true, true);
		s[n] = ag_v1_slot(&g, root, 4, VA(n), 1);
	}
	ag_mw64(&g, s[3], ag_mr64(&g, s[3]) | 0x20); /* A already */

	expect_perm(NOP, VA(0), RD, PA(0), IOMMU_READ);
	expect_perm(NOP, VA(1), RD, PA(1), IOMMU_READ);
	cr_assert_eq(ag_mr64(&g, s[1]) & 0x60, 0x20, "A set, D clear");
	expect_perm(NOP, VA(1), WR, PA(1), IOMMU_READ | IOMMU_WRITE);
	cr_assert_eq(ag_mr64(&g, s[1]) & 0x60, 0x60, "the write set D");
	expect_perm(NOP, VA(2) + 8, WR, PA(2) + 8, IOMMU_READ | IOMMU_WRITE);
	cr_assert_eq(ag_mr64(&g, s[2]) & 0x60, 0x60, "A and D in one walk");
	expect_perm(NOP, VA(3), RD, PA(3), IOMMU_READ);
	cr_assert_eq(ag_mr64(&g, s[3]) & 0x60, 0x20);
	expect_perm(NOP, VA(3), WR, PA(3), IOMMU_READ | IOMMU_WRITE);
	cr_assert_eq(ag_mr64(&g, s[3]) & 0x60, 0x60, "the write set D");
	cr_assert_eq(ag_evt_count(&g), 0);
}

/* A v2 device (GCR3 table of one level) with @pasid -> a fresh CR3. */
static uint64_t v2_pasid_dev(unsigned int pasid)
{
	uint64_t gcr3 = ag_page(&g), cr3 = ag_page(&g), d[4];

	enc_dte_gcr3(d, gcr3, 0, false, true, true, DOM);
	ag_set_dte(&g, DEV_A, d);
	ag_gcr3_set(&g, gcr3, 0, pasid, cr3);
	return cr3;
}

/* The entry of @va at x86 level @lvl (1: the leaf's), the tables made
 * (v2 tables index as v1 tables do). */
static uint64_t v2_slot(uint64_t cr3, uint64_t va, unsigned int lvl)
{
	return ag_v1_slot(&g, cr3, 4, va, lvl);
}

/*
 * The same for guest (v2) tables, whose walks always set A, and D on a
 * write; U/S and R/W of the levels above stay with the cached table (a
 * privileged read fills it where a user one would fault).
 */
Test(pde, v2_cached_region_pages_keep_every_check)
{
	const unsigned int rw = IOMMU_READ | IOMMU_WRITE;
	const uint64_t ad = V2_A | V2_D;
	uint64_t cr3 = v2_pasid_dev(PASID), slot, c[2];

	ag_map_v2(&g, cr3, 4, VA(0), PA(0), 1, USER_RW | ad);
	ag_map_v2(&g, cr3, 4, VA(1), PA(1), 1, V2_P | V2_US | ad);
	ag_map_v2(&g, cr3, 4, VA(2), PA(2), 1, V2_US | V2_RW | ad);
	ag_map_v2(&g, cr3, 4, VA(3), PA(3), 1, V2_P | V2_RW | ad);
	ag_map_v2(&g, cr3, 4, VA(4), PA(4), 1, USER_RW);
	ag_map_v2(&g, cr3, 4, VA(5), PA(5), 1, USER_RW | V2_A);
	ag_map_v2(&g, cr3, 4, VA(6), PA(6), 1, USER_RW | ad | V2_NX);
	ag_map_v2(&g, cr3, 4, VA(7), 1ull << 51 | PA(7), 1, USER_RW | ad);
	ag_map_v2(&g, cr3, 4, VA(8), PA(8), 1, USER_RW | V2_A);

	expect_perm(PASID, VA(0), RD, PA(0), rw);
	expect_perm(PASID, VA(1) + 0x10, RD, PA(1) + 0x10, IOMMU_READ);
	ag_expect_fault(&g, DEV_A, PASID, VA(1) + 0x20, WR);
	ag_evt_expect(&g, EV_PF, DEV_A, F_GN | F_US | F_PR | F_PE | F_RW,
		      VA(1) + 0x20);
	ag_expect_fault(&g, DEV_A, PASID, VA(2), RD);
	ag_evt_expect(&g, EV_PF, DEV_A, F_GN | F_US, VA(2));
	ag_expect_fault(&g, DEV_A, PASID, VA(3), RD);
	ag_evt_expect(&g, EV_PF, DEV_A, F_GN | F_US | F_PR | F_PE, VA(3));
	/* Clean and not accessed: the read sets A and stays read-only. */
	expect_perm(PASID, VA(4), RD, PA(4), IOMMU_READ);
	cr_assert_eq(ag_mr64(&g, v2_slot(cr3, VA(4), 1)) & ad, V2_A);
	expect_perm(PASID, VA(5) + 8, WR, PA(5) + 8, rw);
	cr_assert_eq(ag_mr64(&g, v2_slot(cr3, VA(5), 1)) & ad, ad);
	expect_perm(PASID, VA(6), RD, PA(6), rw); /* NX: no fetch asked */
	expect_perm(PASID, VA(7) + 0x30, RD, 1ull << 51 | (PA(7) + 0x30), rw);
	/* Accessed and clean: read-only until a write sets D. */
	expect_perm(PASID, VA(8), RD, PA(8), IOMMU_READ);
	cr_assert_eq(ag_mr64(&g, v2_slot(cr3, VA(8), 1)) & ad, V2_A);

	/* The level-2 entry above the region's table without U/S. */
	ag_map_v2(&g, cr3, 4, VB(0), PA(0), 1, USER_RW | ad);
	ag_map_v2(&g, cr3, 4, VB(1), PA(1), 1, USER_RW | ad);
	slot = v2_slot(cr3, VB(0), 2);
	ag_mw64(&g, slot, ag_mr64(&g, slot) & ~V2_US);
	ag_expect(&g, DEV_A, PASID, VB(0), RD | IOMMU_ACCESS_PRIV, PA(0));
	ag_expect_fault(&g, DEV_A, PASID, VB(1), RD);
	ag_evt_expect(&g, EV_PF, DEV_A, F_GN | F_US | F_PR | F_PE, VB(1));
	ag_expect(&g, DEV_A, PASID, VB(1), RD | IOMMU_ACCESS_PRIV, PA(1));
	/* And one without R/W. */
	ag_map_v2(&g, cr3, 4, VC(0), PA(0), 1, USER_RW | ad);
	ag_map_v2(&g, cr3, 4, VC(1), PA(1), 1, USER_RW | ad);
	slot = v2_slot(cr3, VC(0), 2);
	ag_mw64(&g, slot, ag_mr64(&g, slot) & ~V2_RW);
	expect_perm(PASID, VC(0), RD, PA(0), IOMMU_READ);
	expect_perm(PASID, VC(1), RD, PA(1), IOMMU_READ);
	ag_expect_fault(&g, DEV_A, PASID, VC(1) + 8, WR);
	ag_evt_expect(&g, EV_PF, DEV_A, F_GN | F_US | F_PR | F_PE | F_RW,
		      VC(1) + 8);

	/* A 2 MiB page: the table kept is of level 2 (x86), whose entry is
	 * walked, not decoded as a 4 KiB one.  Leaves only leave the IOTLB
	 * (PDE = 0), so the next read misses and resumes there. */
	ag_map_v2(&g, cr3, 4, VD, AG_DATA, 2, USER_RW | ad);
	expect_perm(PASID, VD + 8, RD, AG_DATA + 8, rw);
	enc_inv_pages(c, DOM, PASID, true, false, true, 0x7FFFFFFFFFFFF000ull);
	cmd(c);
	expect_perm(PASID, VD + 0x3010, RD, AG_DATA + 0x3010, rw);
	cr_assert_eq(ag_evt_count(&g), 0);
}

/* Without EFR.NXSup, XD is a reserved bit in a cached region too. */
Test(pde, v2_cached_region_xd_reserved_without_nxsup)
{
	uint64_t cr3;

	ag_destroy(&g);
	ag_create(&g, "nx = no");
	ag_init(&g, 8, 10, C_GT_EN);
	cr3 = v2_pasid_dev(PASID);
	ag_map_v2(&g, cr3, 4, VA(0), PA(0), 1, USER_RW | V2_A | V2_D);
	ag_map_v2(&g, cr3, 4, VA(1), PA(1), 1,
		  USER_RW | V2_A | V2_D | V2_NX);
	ag_expect(&g, DEV_A, PASID, VA(0), RD, PA(0));
	ag_expect_fault(&g, DEV_A, PASID, VA(1), RD);
	ag_evt_expect(&g, EV_PF, DEV_A, F_GN | F_US | F_PR | F_RZ, VA(1));
	cr_assert_eq(ag_evt_count(&g), 0);
}

/* ---- the IOTLB in front of a cached region ---------------------------- */

/*
 * Each page of a region whose last table the PDE cache holds misses the
 * model's own IOTLB (no hint) once and then hits, with the permission of
 * its entry both times (a read-only page answers read-only from the
 * IOTLB too, and a write to it faults there, PR = 1, PE = 1, RW = 1);
 * each miss is one walk, each hit none.  Every IOTLB set is warmed first:
 * a lookup skips a set no insert reached yet, without a look.  A page
 * mapped at @msi_va (not 0) lies in the MSI window: its request is an
 * interrupt, whatever the caches hold.
 */

#define NPG 48u

static uint64_t sm_va(unsigned int n)
{
	return 0xFEC00000ull + n * PG; /* the region below the MSI window */
}

static void small_iotlb(void)
{
	ag_destroy(&g);
	ag_create(&g, "iotlb_entries = 64\niotlb_ways = 8"); /* 8 sets */
	ag_init(&g, 8, 10, C_GT_EN);
}

static void pages_through_the_iotlb(uint32_t pasid, unsigned int flags)
{
	uint64_t m0, h0, w0;

	for (unsigned int n = 0; n < 32; n++)
		ag_expect(&g, DEV_A, pasid, sm_va(n), RD, PA(n));
	for (unsigned int n = 32; n < NPG; n++) {
		const unsigned int perm =
		    n % 2 ? IOMMU_READ : IOMMU_READ | IOMMU_WRITE;

		for (unsigned int k = 0; k < 2; k++) {
			/* 32 bytes from 16 (then 8) before the page's end:
			 * the result stops there. */
			const uint64_t off = 0xff0 + 8 * k;
			struct iommu_translation t;

			m0 = ag_stat(&g, IOMMU_STAT_IOTLB_MISSES);
			h0 = ag_stat(&g, IOMMU_STAT_IOTLB_HITS);
			w0 = ag_stat(&g, IOMMU_STAT_WALKS);
			memset(&t, 0, sizeof(t));
			cr_assert_eq(iommu_dma_translate(g.ctx, DEV_A, pasid,
							 sm_va(n) + off, 32,
							 RD, &t),
				     0, "page %u", n);
			cr_assert_eq(t.phys, PA(n) + off, "page %u", n);
			cr_assert_eq(t.len, 0x1000 - off, "page %u: len %llu",
				     n, (unsigned long long)t.len);
			cr_assert_eq(t.perm, perm, "page %u, %s: perm %u", n,
				     k ? "IOTLB hit" : "miss", t.perm);
			cr_assert_eq(ag_stat(&g, IOMMU_STAT_IOTLB_MISSES) - m0,
				     k ? 0 : 1, "page %u, access %u", n, k);
			cr_assert_eq(ag_stat(&g, IOMMU_STAT_IOTLB_HITS) - h0,
				     k ? 1 : 0, "page %u, access %u", n, k);
			cr_assert_eq(ag_stat(&g, IOMMU_STAT_WALKS) - w0,
				     k ? 0 : 1, "page %u, access %u", n, k);
		}
		if (n % 2) {
			ag_expect_fault(&g, DEV_A, pasid, sm_va(n) + 0x20, WR);
			ag_evt_expect(&g, EV_PF, DEV_A,
				      flags | F_PR | F_PE | F_RW,
				      sm_va(n) + 0x20);
		} else {
			expect_perm(pasid, sm_va(n) + 0x20, WR,
				    PA(n) + 0x20, perm);
		}
	}
	cr_assert_eq(ag_evt_count(&g), 0);
}

/* The request to @va without PASID is an interrupt, clipped to the
 * window. */
static void expect_msi(uint64_t va)
{
	struct iommu_translation t;

	cr_assert_eq(ag_xl(&g, DEV_A, NOP, va, RD, &t), IOMMU_DMA_INTERRUPT);
	cr_assert_eq(t.phys, va);
	cr_assert_eq(ag_evt_count(&g), 0);
}

Test(pde, v1_cached_region_pages_through_the_iotlb)
{
	const unsigned int rw = IOMMU_READ | IOMMU_WRITE;
	uint64_t root, c[2], m0;

	small_iotlb();
	root = ag_v1_dev(&g, DEV_A, 4, DOM);
	for (unsigned int n = 0; n < NPG; n++)
		ag_map_v1(&g, root, 4, sm_va(n), PA(n), 1, true, n % 2 == 0);
	pages_through_the_iotlb(NOP, 0);
	/* The MSI window's region, its table and a page of it cached. */
	ag_map_v1(&g, root, 4, 0xFEF00000ull, PA(0), 1, true, true);
	ag_map_v1(&g, root, 4, 0xFEE00000ull, PA(1), 1, true, true);
	expect_perm(NOP, 0xFEF00000ull, RD, PA(0), rw);
	expect_msi(0xFEE00000ull + 0x40);
	expect_msi(0xFEEFF000ull);
	/* The exclusion range (Allow) passes a cached page untranslated. */
	ag_w64(&g, R_EXCL_LIM, sm_va(NPG - 1));
	ag_w64(&g, R_EXCL_BASE, sm_va(NPG - 2) | 3ull); /* ExEn, Allow */
	expect_perm(NOP, sm_va(NPG - 2) + 8, RD, sm_va(NPG - 2) + 8, rw);
	ag_w64(&g, R_EXCL_BASE, 0);
	expect_perm(NOP, sm_va(NPG - 2) + 8, RD, PA(NPG - 2) + 8, rw);
	/* A page INVALIDATE_IOMMU_PAGES removed misses again, once. */
	enc_inv_pages(c, DOM, 0, false, false, false, sm_va(NPG - 2));
	cmd(c);
	m0 = ag_stat(&g, IOMMU_STAT_IOTLB_MISSES);
	expect_perm(NOP, sm_va(NPG - 2), RD, PA(NPG - 2), rw);
	expect_perm(NOP, sm_va(NPG - 2), RD, PA(NPG - 2), rw);
	cr_assert_eq(ag_stat(&g, IOMMU_STAT_IOTLB_MISSES) - m0, 1);
	cr_assert_eq(ag_evt_count(&g), 0);
}

Test(pde, v2_cached_region_pages_through_the_iotlb)
{
	const uint64_t ad = V2_A | V2_D;
	uint64_t cr3;

	small_iotlb();
	cr3 = v2_pasid_dev(PASID);
	for (unsigned int n = 0; n < NPG; n++)
		ag_map_v2(&g, cr3, 4, sm_va(n), PA(n), 1,
			  (n % 2 ? V2_P | V2_US : USER_RW) | ad);
	pages_through_the_iotlb(PASID, F_GN | F_US);
}

/* GIoV: requests without PASID through PASID 0's guest tables, the MSI
 * window first. */
Test(pde, giov_cached_region_pages_through_the_iotlb)
{
	const uint64_t ad = V2_A | V2_D;
	uint64_t gcr3, cr3, d[4];

	small_iotlb();
	gcr3 = ag_page(&g);
	cr3 = ag_page(&g);
	enc_dte_gcr3(d, gcr3, 0, true, true, true, DOM);
	ag_set_dte(&g, DEV_A, d);
	ag_gcr3_set(&g, gcr3, 0, 0, cr3);
	for (unsigned int n = 0; n < NPG; n++)
		ag_map_v2(&g, cr3, 4, sm_va(n), PA(n), 1,
			  (n % 2 ? V2_P | V2_US : USER_RW) | ad);
	pages_through_the_iotlb(NOP, 0);
	ag_map_v2(&g, cr3, 4, 0xFEF00000ull, PA(0), 1, USER_RW | ad);
	ag_map_v2(&g, cr3, 4, 0xFEE00000ull, PA(1), 1, USER_RW | ad);
	ag_expect(&g, DEV_A, NOP, 0xFEF00000ull, RD, PA(0));
	expect_msi(0xFEE00000ull + 0x40);
}

/*
 * The IOTLB keeps a page larger than 4 KiB until an invalidation names
 * it, and a lookup probes each size it ever held: a v1 8 KiB page
 * (NextLevel 7) whose second slot software turned into a 4 KiB page
 * without an invalidation still answers from the IOTLB, though the
 * region's table is cached and its entry is now a plain page.
 */
Test(pde, larger_page_in_the_iotlb_answers_before_the_cached_table)
{
	uint64_t root = ag_v1_dev(&g, DEV_A, 4, DOM), c[2], h0;

	ag_map_v1(&g, root, 4, VA(0), PA(0), 1, true, true);
	for (unsigned int n = 6; n < 8; n++)
		ag_mw64(&g, ag_v1_slot(&g, root, 4, VA(n), 1),
			enc_pte7(PA(6), 13, true, true));
	ag_expect(&g, DEV_A, NOP, VA(0), RD, PA(0));
	ag_expect(&g, DEV_A, NOP, VA(6) + 8, RD, PA(6) + 8);
	ag_mw64(&g, ag_v1_slot(&g, root, 4, VA(7), 1),
		enc_pte(PA(20), true, true, false));
	h0 = ag_stat(&g, IOMMU_STAT_IOTLB_HITS);
	ag_expect(&g, DEV_A, NOP, VA(7) + 0x10, RD, PA(6) + 0x1010);
	cr_assert_eq(ag_stat(&g, IOMMU_STAT_IOTLB_HITS), h0 + 1);
	enc_inv_pages(c, DOM, 0, false, false, false, VA(7));
	cmd(c);
	ag_expect(&g, DEV_A, NOP, VA(7) + 0x10, RD, PA(20) + 0x10);
	cr_assert_eq(ag_evt_count(&g), 0);
}

/*
 * A privileged request is not cached, so its walk through a 2 MiB page
 * leaves the IOTLB with 4 KiB pages only, and the PDE cache with the
 * table of the page's entry (x86 level 2): a user request then misses
 * the IOTLB and walks from that table, whose entries are not 4 KiB
 * pages (the address's 4 KiB index there is the large page's own slot).
 */
Test(pde, v2_large_page_table_is_not_a_leaf_table)
{
	const unsigned int rw = IOMMU_READ | IOMMU_WRITE;
	const uint64_t ad = V2_A | V2_D;
	const uint64_t n = (VD >> 21) & 0x1ff; /* VD's slot at level 2 */
	uint64_t cr3 = v2_pasid_dev(PASID);

	ag_map_v2(&g, cr3, 4, VA(0), PA(0), 1, USER_RW | ad);
	expect_perm(PASID, VA(0), RD, PA(0), rw);
	ag_map_v2(&g, cr3, 4, VD, AG_DATA, 2, USER_RW | ad);
	ag_expect(&g, DEV_A, PASID, VD + 8, RD | IOMMU_ACCESS_PRIV,
		  AG_DATA + 8);
	/* A user request again, from the IOTLB (and the thread's memo,
	 * which the privileged one does not keep). */
	expect_perm(PASID, VA(0), RD, PA(0), rw);
	expect_perm(PASID, VD + n * PG + 0x10, RD, AG_DATA + n * PG + 0x10,
		    rw);
	cr_assert_eq(ag_evt_count(&g), 0);
}
