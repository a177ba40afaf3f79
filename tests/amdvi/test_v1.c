// SPDX-License-Identifier: MIT
/*
 * test_v1.c - host (v1) walks (amdvi 3): every mode, level skipping and
 * its zero-bit rule, NextLevel-0 and NextLevel-7 large pages, leaf PR and
 * reserved bits, IR/IW at every level, fetch errors, the exclusion range
 * and the MSI window (amdvi 7).
 */
#include <errno.h>

#include <criterion/criterion.h>

#include "ag.h"

#define RD  IOMMU_ACCESS_READ
#define WR  IOMMU_ACCESS_WRITE
#define NOP IOMMU_NO_PASID

static struct ag g;

static void setup(void)
{
	ag_create(&g, NULL);
	ag_init(&g, 8, 10, 0);
}

static void teardown(void)
{
	ag_destroy(&g);
}

TestSuite(v1, .init = setup, .fini = teardown);

Test(v1, mode3_t6)
{
	uint64_t root = ag_v1_dev(&g, DEV_A, 3, 1);

	ag_map_v1(&g, root, 3, 0x12345000, AG_DATA + 0x7000, 1, true, true);
	ag_expect(&g, DEV_A, NOP, 0x12345678, RD, AG_DATA + 0x7678);
	ag_expect(&g, DEV_A, NOP, 0x12345ffc, WR, AG_DATA + 0x7ffc);
	/* the entry sits at L3[0], L2[0x91], L1[0x145] */
	cr_assert_eq(ag_v1_slot(&g, root, 3, 0x12345000, 1) & 0xfff, 8 * 0x145);
}

Test(v1, every_mode_walks)
{
	static const uint64_t iova[] = {0,
					0x1ff000ull,
					0x3abcd000ull,
					0x7f12345000ull,
					0xfedcba987000ull,
					0x1fedcba98765000ull,
					0xF123456789ABC000ull};

	for (unsigned int m = 1; m <= 6; m++) {
		uint64_t root = ag_v1_dev(&g, DEV_A, m, 10 + m);

		ag_flush_dte(&g, DEV_A);
		ag_map_v1(&g, root, m, iova[m], AG_DATA + m * PG, 1, true,
			  true);
		ag_expect(&g, DEV_A, NOP, iova[m] + 0x10, RD,
			  AG_DATA + m * PG + 0x10);
		ag_expect_fault(&g, DEV_A, NOP, iova[m] ^ 0x1000, RD);
		ag_evt_expect(&g, EV_PF, DEV_A, 0, iova[m] ^ 0x1000);
	}
}

Test(v1, level_skip_mode3_to_level1)
{
	uint64_t root = ag_v1_dev(&g, DEV_A, 3, 1), l1 = ag_page(&g);

	ag_mw64(&g, root, enc_pde(l1, 1));
	ag_mw64(&g, l1 + 8 * 5, enc_pte(AG_DATA, true, true, true));
	ag_expect(&g, DEV_A, NOP, 0x5123, RD, AG_DATA + 0x123);
}

Test(v1, level_skip_nonzero_skipped_bits_fault)
{
	uint64_t root = ag_v1_dev(&g, DEV_A, 3, 1), l1 = ag_page(&g);

	ag_mw64(&g, root, enc_pde(l1, 1));
	ag_mw64(&g, l1 + 8 * 5, enc_pte(AG_DATA, true, true, true));
	/* bit 21 indexes the skipped level 2 */
	ag_expect_fault(&g, DEV_A, NOP, 0x205000, RD);
	ag_evt_expect(&g, EV_PF, DEV_A, 0, 0x205000);
	ag_expect_fault(&g, DEV_A, NOP, 0x20005000ull, WR);
	ag_evt_expect(&g, EV_PF, DEV_A, F_RW, 0x20005000ull);
}

Test(v1, level_skip_mode4_to_2m_leaf)
{
	uint64_t root = ag_v1_dev(&g, DEV_A, 4, 1), l2 = ag_page(&g);

	ag_mw64(&g, root + 8 * 1, enc_pde(l2, 2)); /* L4[1]: skip L3 */
	ag_mw64(&g, l2 + 8 * 3, enc_pte(0x1400000, true, true, true));
	ag_expect(&g, DEV_A, NOP, (1ull << 39) + 0x612345, RD,
		  0x1400000 + 0x12345);
	ag_expect_fault(&g, DEV_A, NOP, (1ull << 39) + (1ull << 30) + 0x600000,
			RD);
	ag_evt_expect(&g, EV_PF, DEV_A, 0,
		      (1ull << 39) + (1ull << 30) + 0x600000);
}

Test(v1, level_skip_mode6_to_level3)
{
	uint64_t root = ag_v1_dev(&g, DEV_A, 6, 1), l3 = ag_page(&g);
	uint64_t iova = (5ull << 57) + (2ull << 30) + 0x3000;

	ag_mw64(&g, root + 8 * 5, enc_pde(l3, 3));
	ag_map_v1(&g, l3, 3, iova & ((1ull << 39) - 1), AG_DATA, 1, true, true);
	ag_expect(&g, DEV_A, NOP, iova + 8, RD, AG_DATA + 8);
	ag_expect_fault(&g, DEV_A, NOP, iova | (1ull << 48), RD);
	ag_evt_expect(&g, EV_PF, DEV_A, 0, iova | (1ull << 48));
}

Test(v1, next_level_not_lower_is_rz)
{
	uint64_t root = ag_v1_dev(&g, DEV_A, 3, 1), t = ag_page(&g);

	ag_mw64(&g, root, enc_pde(t, 3));
	ag_expect_fault(&g, DEV_A, NOP, 0x1000, RD);
	ag_evt_expect(&g, EV_PF, DEV_A, F_PR | F_RZ, 0x1000);
}

Test(v1, nextlevel0_2m_and_1g_pages)
{
	uint64_t root = ag_v1_dev(&g, DEV_A, 4, 1);

	ag_map_v1(&g, root, 4, 0x40000000, 0x1200000, 2, true, true);
	ag_expect(&g, DEV_A, NOP, 0x401abcde, RD, 0x13abcde);
	ag_map_v1(&g, root, 4, 1ull << 32, 0x40000000, 3, true, false);
	ag_expect(&g, DEV_A, NOP, (1ull << 32) + 0x3fffffff, RD, 0x7fffffff);
	ag_expect_fault(&g, DEV_A, NOP, (1ull << 32) + 0x1000, WR);
	ag_evt_expect(&g, EV_PF, DEV_A, F_PR | F_PE | F_RW,
		      (1ull << 32) + 0x1000);
}

/* Write an NL-7 page of 2^@lg2 bytes into every slot it covers. */
static void nl7(uint64_t root, unsigned int mode, uint64_t iova, uint64_t pa,
		unsigned int lvl, unsigned int lg2)
{
	const unsigned int es = 12 + 9 * (lvl - 1);

	for (uint64_t off = 0; off < (1ull << lg2); off += 1ull << es)
		ag_mw64(&g, ag_v1_slot(&g, root, mode, iova + off, lvl),
			enc_pte7(pa, lg2, true, true));
}

Test(v1, nextlevel7_8k_at_level1)
{
	uint64_t root = ag_v1_dev(&g, DEV_A, 3, 1);

	nl7(root, 3, 0x10000, 0x1234000 & ~0x1fffull, 1, 13);
	ag_expect(&g, DEV_A, NOP, 0x10010, RD, 0x1234010);
	ag_expect(&g, DEV_A, NOP, 0x11010, RD, 0x1235010);
}

Test(v1, nextlevel7_1m_at_level1)
{
	uint64_t root = ag_v1_dev(&g, DEV_A, 3, 1);

	nl7(root, 3, 0x300000, 0x1700000, 1, 20);
	ag_expect(&g, DEV_A, NOP, 0x300000, RD, 0x1700000);
	ag_expect(&g, DEV_A, NOP, 0x3ffff8, RD, 0x17ffff8);
	ag_expect_fault(&g, DEV_A, NOP, 0x400000, RD);
	ag_evt_expect(&g, EV_PF, DEV_A, 0, 0x400000);
}

Test(v1, nextlevel7_4m_and_64m_at_level2)
{
	uint64_t root = ag_v1_dev(&g, DEV_A, 3, 1);

	nl7(root, 3, 0x40000000, 0x400000, 2, 22);
	ag_expect(&g, DEV_A, NOP, 0x40300004, WR, 0x700004);
	nl7(root, 3, 0x80000000, 0x0, 2, 26);
	ag_expect(&g, DEV_A, NOP, 0x83ffe000, RD, 0x3ffe000);
}

/* 3.5: the smallest and a large NextLevel-7 size at AMD levels 3, 4 and 5
 * (a Mode 6 table), each written into every slot it covers; the size
 * comes from the address bits (the second slot maps to the page's second
 * half, the last byte to its last byte). */
Test(v1, nextlevel7_at_levels_3_4_5)
{
	static const struct {
		unsigned int lvl, lg2;
		uint64_t iova, pa;
	} p[] = {
	    {3, 31, 1ull << 31, 3ull << 31}, /* 2 GiB, 2 slots */
	    {3, 38, 1ull << 38, 1ull << 40}, /* 256 GiB, 256 slots */
	    {4, 40, 1ull << 40, 3ull << 40}, /* 1 TiB, 2 slots */
	    {4, 47, 1ull << 47, 1ull << 47}, /* 128 TiB, 256 slots */
	    {5, 49, 1ull << 49, 1ull << 50}, /* 512 TiB, 2 slots */
	    {5, 51, 1ull << 51, 1ull << 51}, /* 2 PiB, 8 slots */
	};
	uint64_t root = ag_v1_dev(&g, DEV_A, 6, 1);

	for (unsigned int i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		const uint64_t size = 1ull << p[i].lg2;
		const uint64_t half = size >> 1;

		nl7(root, 6, p[i].iova, p[i].pa, p[i].lvl, p[i].lg2);
		ag_expect(&g, DEV_A, NOP, p[i].iova + 0x123, RD,
			  p[i].pa + 0x123);
		ag_expect(&g, DEV_A, NOP, p[i].iova + half + 0x40, WR,
			  p[i].pa + half + 0x40);
		ag_expect(&g, DEV_A, NOP, p[i].iova + size - 4, RD,
			  p[i].pa + size - 4);
	}
	/* Just past the 128 TiB page: AMD level-5 entry 1 is empty. */
	ag_expect_fault(&g, DEV_A, NOP, 1ull << 48, RD);
	ag_evt_expect(&g, EV_PF, DEV_A, 0, 1ull << 48);
}

Test(v1, nextlevel7_2m_in_level1_slots_accepted)
{
	uint64_t root = ag_v1_dev(&g, DEV_A, 3, 1);

	nl7(root, 3, 0x600000, 0x1200000, 1, 21); /* T2b, 512 slots */
	ag_expect(&g, DEV_A, NOP, 0x7ff000, RD, 0x13ff000);
}

Test(v1, nextlevel7_size_not_above_own_is_rz)
{
	uint64_t root = ag_v1_dev(&g, DEV_A, 3, 1);

	/* level 2 with an 8 KiB size code */
	ag_mw64(&g, ag_v1_slot(&g, root, 3, 0x200000, 2),
		enc_pte7(0x400000, 13, true, true));
	ag_expect_fault(&g, DEV_A, NOP, 0x200000, RD);
	ag_evt_expect(&g, EV_PF, DEV_A, F_PR | F_RZ, 0x200000);
}

Test(v1, leaf_pr0_faults_even_with_body)
{
	uint64_t root = ag_v1_dev(&g, DEV_A, 3, 1);

	ag_mw64(&g, ag_v1_slot(&g, root, 3, 0x8000, 1),
		enc_pte(AG_DATA, true, true, true) & ~1ull);
	ag_expect_fault(&g, DEV_A, NOP, 0x8000, RD);
	ag_evt_expect(&g, EV_PF, DEV_A, 0, 0x8000);
}

Test(v1, reserved_bits_are_rz)
{
	uint64_t root = ag_v1_dev(&g, DEV_A, 3, 1);
	uint64_t slot = ag_v1_slot(&g, root, 3, 0x8000, 1);

	ag_mw64(&g, slot, enc_pte(AG_DATA, true, true, true) | 1ull << 55);
	ag_expect_fault(&g, DEV_A, NOP, 0x8000, RD);
	ag_evt_expect(&g, EV_PF, DEV_A, F_PR | F_RZ, 0x8000);
	ag_mw64(&g, slot, enc_pte(AG_DATA, true, true, true));
	ag_mw64(&g, root, ag_mr64(&g, root) | 1ull << 52); /* PDE */
	ag_expect_fault(&g, DEV_A, NOP, 0x8000, RD);
	ag_evt_expect(&g, EV_PF, DEV_A, F_PR | F_RZ, 0x8000);
}

Test(v1, ignored_bits_are_ignored)
{
	uint64_t root = ag_v1_dev(&g, DEV_A, 3, 1);

	ag_mw64(&g, ag_v1_slot(&g, root, 3, 0x8000, 1),
		enc_pte(AG_DATA, true, true, false) | 0x1e | 1ull << 63 |
		    1ull << 59);
	ag_expect(&g, DEV_A, NOP, 0x8000, WR, AG_DATA);
}

Test(v1, leaf_ir_iw)
{
	uint64_t root = ag_v1_dev(&g, DEV_A, 3, 1);

	ag_map_v1(&g, root, 3, 0x8000, AG_DATA, 1, true, false);
	ag_map_v1(&g, root, 3, 0x9000, AG_DATA, 1, false, true);
	ag_expect(&g, DEV_A, NOP, 0x8000, RD, AG_DATA);
	ag_expect_fault(&g, DEV_A, NOP, 0x8000, WR);
	ag_evt_expect(&g, EV_PF, DEV_A, F_PR | F_PE | F_RW, 0x8000);
	ag_expect(&g, DEV_A, NOP, 0x9000, WR, AG_DATA);
	ag_expect_fault(&g, DEV_A, NOP, 0x9000, RD);
	ag_evt_expect(&g, EV_PF, DEV_A, F_PR | F_PE, 0x9000);
}

Test(v1, pde_and_dte_permissions_and_in)
{
	uint64_t root = ag_page(&g), d[4];

	enc_dte_v1(d, 3, root, true, false, 1); /* DTE.IW = 0 */
	ag_set_dte(&g, DEV_A, d);
	ag_map_v1(&g, root, 3, 0x8000, AG_DATA, 1, true, true);
	ag_expect(&g, DEV_A, NOP, 0x8000, RD, AG_DATA);
	ag_expect_fault(&g, DEV_A, NOP, 0x8000, WR);
	ag_evt_expect(&g, EV_PF, DEV_A, F_PR | F_PE | F_RW, 0x8000);
	enc_dte_v1(d, 3, root, true, true, 2);
	ag_set_dte(&g, DEV_A, d);
	ag_flush_dte(&g, DEV_A);
	ag_mw64(&g, root, ag_mr64(&g, root) & ~(1ull << 61)); /* PDE IR */
	ag_expect(&g, DEV_A, NOP, 0x8000, WR, AG_DATA);
	ag_expect_fault(&g, DEV_A, NOP, 0x8000, RD);
	ag_evt_expect(&g, EV_PF, DEV_A, F_PR | F_PE, 0x8000);
}

Test(v1, pde_pr0_faults)
{
	uint64_t root = ag_v1_dev(&g, DEV_A, 3, 1);

	ag_map_v1(&g, root, 3, 0x8000, AG_DATA, 1, true, true);
	ag_mw64(&g, root, ag_mr64(&g, root) & ~1ull);
	ag_expect_fault(&g, DEV_A, NOP, 0x8000, RD);
	ag_evt_expect(&g, EV_PF, DEV_A, 0, 0x8000);
}

Test(v1, table_outside_ram_is_hardware_error)
{
	uint64_t root = ag_v1_dev(&g, DEV_A, 3, 7);
	struct ag_ev e;

	ag_mw64(&g, root, enc_pde(AG_UNBACKED, 2));
	ag_expect_fault(&g, DEV_A, NOP, 0x8000, RD);
	cr_assert(ag_evt_pop(&g, &e));
	cr_assert_eq(e.code, EV_PT_HW);
	cr_assert_eq(e.devid, DEV_A);
	cr_assert_eq(e.domid, 7);
	cr_assert_eq((e.raw[0] >> 57) & 3, 1);
	cr_assert_eq(e.addr, AG_UNBACKED);
}

Test(v1, exclusion_range_with_dte_ex)
{
	uint64_t root = ag_page(&g), d[4];

	enc_dte_v1(d, 3, root, true, true, 1);
	d[1] |= 1ull << 39; /* EX, DTE bit 103 */
	ag_set_dte(&g, DEV_A, d);
	ag_v1_dev(&g, DEV_B, 3, 2);
	ag_w64(&g, R_EXCL_BASE, 0x1000000 | 1); /* ExEn */
	ag_w64(&g, R_EXCL_LIM, 0x10ff000);
	ag_expect(&g, DEV_A, NOP, 0x1000010, WR, 0x1000010);
	ag_expect(&g, DEV_A, NOP, 0x10ffff0, RD, 0x10ffff0);
	ag_expect_fault(&g, DEV_A, NOP, 0x1100000, RD); /* past the limit */
	ag_evt_expect(&g, EV_PF, DEV_A, 0, 0x1100000);
	ag_expect_fault(&g, DEV_B, NOP, 0x1000010, RD); /* no EX */
	ag_evt_expect(&g, EV_PF, DEV_B, 0, 0x1000010);
	ag_w64(&g, R_EXCL_BASE, 0x1000000); /* ExEn clear */
	ag_expect_fault(&g, DEV_A, NOP, 0x1000010, RD);
	ag_evt_expect(&g, EV_PF, DEV_A, 0, 0x1000010);
}

Test(v1, exclusion_range_allow_all)
{
	ag_v1_dev(&g, DEV_B, 3, 2);
	ag_w64(&g, R_EXCL_BASE, 0x1000000 | 3); /* ExEn, Allow */
	ag_w64(&g, R_EXCL_LIM, 0x1000000);
	ag_expect(&g, DEV_B, NOP, 0x1000ff0, WR, 0x1000ff0);
	ag_expect_fault(&g, DEV_B, NOP, 0x1001000, WR);
	ag_evt_expect(&g, EV_PF, DEV_B, F_RW, 0x1001000);
}

Test(v1, msi_window_is_an_interrupt)
{
	uint64_t root = ag_v1_dev(&g, DEV_A, 3, 1);
	struct iommu_translation t;
	const uint32_t msg = 0x4021;

	ag_map_v1(&g, root, 3, 0xFEE00000, AG_DATA, 1, true, true);
	cr_assert_eq(ag_xl(&g, DEV_A, NOP, 0xFEE00000, WR, &t),
		     IOMMU_DMA_INTERRUPT);
	cr_assert_eq(t.perm, 0);
	cr_assert_eq(t.phys, 0xFEE00000);
	cr_assert_eq(ag_xl(&g, DEV_A, NOP, 0xFEEFFFFE, RD, &t),
		     IOMMU_DMA_INTERRUPT);
	cr_assert_eq(t.len, 2);
	cr_assert_eq(iommu_dma_write(g.ctx, DEV_A, NOP, 0xFEE01000, &msg, 4),
		     0);
	cr_assert_eq(g.msis, 1);
	cr_assert_eq(g.msi_addr, 0xFEE01000);
	cr_assert_eq(g.msi_data, msg);
	cr_assert_eq(ag_mr64(&g, AG_DATA), 0, "never memory");
	cr_assert_eq(ag_evt_count(&g), 0);
}

Test(v1, msi_window_even_when_blocked)
{
	uint64_t d[4];
	struct iommu_translation t;

	enc_dte_v1(d, 0, 0, false, false, 0);
	ag_set_dte(&g, DEV_A, d);
	cr_assert_eq(ag_xl(&g, DEV_A, NOP, 0xFEE00000, WR, &t),
		     IOMMU_DMA_INTERRUPT);
	ag_expect_fault(&g, DEV_A, NOP, 0xFED00000, WR);
	ag_evt_expect(&g, EV_PF, DEV_A, F_PR | F_PE | F_RW, 0xFED00000);
}

Test(v1, top_level_leaf_of_mode6_is_rz)
{
	uint64_t root = ag_v1_dev(&g, DEV_A, 6, 1);

	ag_mw64(&g, root, enc_pte(0, true, true, true));
	ag_expect_fault(&g, DEV_A, NOP, 0x1000, RD);
	ag_evt_expect(&g, EV_PF, DEV_A, F_PR | F_RZ, 0x1000);
}

Test(v1, host_access_and_dirty_updates)
{
	uint64_t root, d[4], slot;

	ag_destroy(&g);
	ag_create(&g, "host_access = yes\nhost_dirty = yes");
	ag_init(&g, 8, 10, 3ull << 46); /* Control.HADUpdate */
	root = ag_page(&g);
	enc_dte_v1(d, 3, root, true, true, 1);
	d[0] |= 3ull << 7; /* DTE.HAD = 11b */
	ag_set_dte(&g, DEV_A, d);
	ag_map_v1(&g, root, 3, 0x8000, AG_DATA, 1, true, true);
	slot = ag_v1_slot(&g, root, 3, 0x8000, 1);
	ag_expect(&g, DEV_A, NOP, 0x8000, RD, AG_DATA);
	cr_assert_eq(ag_mr64(&g, slot) & 0x60, 0x20, "A set, D clear");
	ag_expect(&g, DEV_A, NOP, 0x8000, WR, AG_DATA);
	cr_assert_eq(ag_mr64(&g, slot) & 0x60, 0x60, "the write walked: D");
}

Test(v1, no_dirty_update_without_hdsup)
{
	uint64_t root, d[4], slot;

	ag_destroy(&g);
	ag_create(&g, NULL);
	ag_init(&g, 8, 10, 3ull << 46);
	root = ag_page(&g);
	enc_dte_v1(d, 3, root, true, true, 1);
	d[0] |= 3ull << 7;
	ag_set_dte(&g, DEV_A, d);
	ag_map_v1(&g, root, 3, 0x8000, AG_DATA, 1, true, true);
	slot = ag_v1_slot(&g, root, 3, 0x8000, 1);
	ag_expect(&g, DEV_A, NOP, 0x8000, WR, AG_DATA);
	cr_assert_eq(ag_mr64(&g, slot) & 0x60, 0);
}
