// SPDX-License-Identifier: MIT
/*
 * test_dte.c - the device table (amdvi 2): V / TV / Mode rules, reserved
 * bits and encodings (ILLEGAL_DEV_TABLE_ENTRY), the table's size, the
 * device-table cache, and the DTE's own permissions.
 */
#include <errno.h>

#include <criterion/criterion.h>

#include "ag.h"

#define RD  IOMMU_ACCESS_READ
#define WR  IOMMU_ACCESS_WRITE
#define NOP IOMMU_NO_PASID

AG_SUITE(dte, 8, 8, C_GT_EN);

Test(dte, v0_passes_untranslated)
{
	uint64_t d[4] = {0x4 | (1ull << 63), 0, 0, 0}; /* V = 0 */

	ag_set_dte(&g, DEV_A, d);
	ag_expect(&g, DEV_A, NOP, 0x5000, WR, 0x5000);
	cr_assert_eq(ag_evt_count(&g), 0);
}

Test(dte, tv0_blocks_with_page_fault)
{
	uint64_t d[4] = {0x1 | 3ull << 61, 7, 0, 0}; /* V, TV = 0 */

	ag_set_dte(&g, DEV_A, d);
	ag_expect_fault(&g, DEV_A, NOP, 0x5000, RD);
	ag_evt_expect(&g, EV_PF, DEV_A, 0, 0x5000);
}

Test(dte, mode0_permissions_from_ir_iw)
{
	uint64_t d[4];
	struct ag_ev e;

	enc_dte_v1(d, 0, 0, true, false, 1);
	ag_set_dte(&g, DEV_D, d);
	ag_expect(&g, DEV_D, NOP, 0x7000, RD, 0x7000);
	ag_expect_fault(&g, DEV_D, NOP, 0x7000, WR);
	/* Sheet 6.4: code 2, flags PR | RW | PE (0x070), DomainID 1. */
	cr_assert(ag_evt_pop(&g, &e));
	cr_assert_eq(e.code, EV_PF);
	cr_assert_eq(e.devid, DEV_D);
	cr_assert_eq(e.flags, 0x070);
	cr_assert_eq(e.domid, 1);
	cr_assert_eq(e.addr, 0x7000);
}

Test(dte, blocking_dte_stops_all_dma)
{
	uint64_t d[4];

	enc_dte_v1(d, 0, 0, false, false, 0); /* T9 */
	ag_set_dte(&g, DEV_A, d);
	ag_expect_fault(&g, DEV_A, NOP, 0x7000, RD);
	ag_expect_fault(&g, DEV_A, NOP, 0x7000, WR);
	ag_evt_expect(&g, EV_PF, DEV_A, F_PR | F_PE, 0x7000);
	ag_evt_expect(&g, EV_PF, DEV_A, F_PR | F_PE | F_RW, 0x7000);
}

Test(dte, reserved_bits_are_illegal)
{
	static const struct {
		unsigned int q, bit;
	} rsvd[] = {
	    {0, 2},  {0, 4}, {0, 6},  {0, 63}, {2, 52},
	    {2, 53}, {3, 0}, {3, 14}, {3, 48}, {3, 53},
	};

	for (unsigned int i = 0; i < sizeof(rsvd) / sizeof(rsvd[0]); i++) {
		uint64_t d[4];

		enc_dte_v1(d, 0, 0, true, true, 1);
		d[rsvd[i].q] |= 1ull << rsvd[i].bit;
		ag_set_dte(&g, DEV_A, d);
		ag_flush_dte(&g, DEV_A);
		ag_expect_fault(&g, DEV_A, NOP, 0x9000 + i * PG, WR);
		ag_evt_expect(&g, EV_ILL_DTE, DEV_A, F_RZ | F_RW,
			      0x9000 + i * PG);
	}
}

Test(dte, other_bits_are_not_reserved)
{
	static const struct {
		unsigned int q, bit;
	} ok[] = {
	    {1, 40}, {1, 42}, {2, 54}, {3, 15}, {3, 47}, {3, 54},
	};

	for (unsigned int i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		uint64_t d[4];

		enc_dte_v1(d, 0, 0, true, true, 1);
		d[ok[i].q] |= 1ull << ok[i].bit;
		ag_set_dte(&g, DEV_A, d);
		ag_flush_dte(&g, DEV_A);
		ag_expect(&g, DEV_A, NOP, 0x9000, RD, 0x9000);
	}
	cr_assert_eq(ag_evt_count(&g), 0);
}

Test(dte, mode7_is_illegal)
{
	uint64_t d[4];

	enc_dte_v1(d, 7, ag_page(&g), true, true, 1);
	ag_set_dte(&g, DEV_A, d);
	ag_expect_fault(&g, DEV_A, NOP, 0x1000, RD);
	ag_evt_expect(&g, EV_ILL_DTE, DEV_A, F_RZ, 0x1000);
}

Test(dte, mode_above_hats_is_illegal)
{
	uint64_t d[4];

	ag_destroy(&g);
	ag_create(&g, "host_levels = 4");
	ag_init(&g, 8, 8, 0);
	enc_dte_v1(d, 5, ag_page(&g), true, true, 1);
	ag_set_dte(&g, DEV_A, d);
	ag_expect_fault(&g, DEV_A, NOP, 0x1000, RD);
	ag_evt_expect(&g, EV_ILL_DTE, DEV_A, F_RZ, 0x1000);
	enc_dte_v1(d, 4, ag_page(&g), true, true, 1);
	ag_set_dte(&g, DEV_A, d);
	ag_flush_dte(&g, DEV_A);
	ag_expect_fault(&g, DEV_A, NOP, 0x1000, RD);
	ag_evt_expect(&g, EV_PF, DEV_A, 0, 0x1000); /* legal: not mapped */
}

Test(dte, glx_beyond_support_is_illegal)
{
	uint64_t d[4];

	for (unsigned int glx = 2; glx <= 3; glx++) {
		enc_dte_gcr3(d, ag_page(&g), glx, false, true, true, 3);
		ag_set_dte(&g, DEV_A, d);
		ag_flush_dte(&g, DEV_A);
		ag_expect_fault(&g, DEV_A, 1, 0x1000, RD);
		ag_evt_expect(&g, EV_ILL_DTE, DEV_A, F_RZ | F_GN, 0x1000);
	}
}

Test(dte, gpm_beyond_support_is_illegal)
{
	uint64_t d[4];

	for (unsigned int gpm = 1; gpm <= 3; gpm++) {
		enc_dte_gcr3(d, ag_page(&g), 0, false, true, true, 3);
		d[2] = (uint64_t)gpm << 54;
		ag_set_dte(&g, DEV_A, d);
		ag_flush_dte(&g, DEV_A);
		ag_expect_fault(&g, DEV_A, NOP, 0x1000, RD);
		ag_evt_expect(&g, EV_ILL_DTE, DEV_A, F_RZ, 0x1000);
	}
}

Test(dte, intctl_reserved_is_illegal_only_with_iv)
{
	uint64_t d[4];

	enc_dte_v1(d, 0, 0, true, true, 1);
	d[2] = 3ull << 60; /* IntCtl 11b, IV = 0 */
	ag_set_dte(&g, DEV_A, d);
	ag_expect(&g, DEV_A, NOP, 0x1000, RD, 0x1000);
	d[2] |= 1; /* IV */
	ag_set_dte(&g, DEV_A, d);
	ag_flush_dte(&g, DEV_A);
	ag_expect_fault(&g, DEV_A, NOP, 0x1000, RD);
	ag_evt_expect(&g, EV_ILL_DTE, DEV_A, F_RZ, 0x1000);
}

Test(dte, illegal_dte_with_pasid_carries_it)
{
	uint64_t d[4];
	struct ag_ev e;

	enc_dte_v1(d, 7, 0, true, true, 1);
	ag_set_dte(&g, DEV_A, d);
	ag_expect_fault(&g, DEV_A, 0x5ABCD, 0x2000, WR);
	cr_assert(ag_evt_pop(&g, &e));
	cr_assert_eq(e.code, EV_ILL_DTE);
	cr_assert_eq(e.flags, F_GN | F_RW | F_RZ);
	cr_assert_eq(e.pasid_hi, 0x5);
	cr_assert_eq(e.domid, 0xABCD);
	cr_assert_eq(e.addr, 0x2000);
}

Test(dte, device_beyond_table_size)
{
	uint64_t d[4];

	enc_dte_v1(d, 0, 0, true, true, 1);
	ag_set_dte(&g, DEV_C, d);		  /* 0x300: entry 768 */
	ag_w64(&g, R_DTB, enc_dtb(AG_DEVTAB, 0)); /* 128 entries */
	ag_expect_fault(&g, DEV_C, NOP, 0x3000, RD);
	ag_evt_expect(&g, EV_ILL_DTE, DEV_C, 0, 0x3000);
	ag_w64(&g, R_DTB, enc_dtb(AG_DEVTAB, 5)); /* 768 entries: still out */
	ag_expect_fault(&g, DEV_C, NOP, 0x3000, RD);
	ag_evt_expect(&g, EV_ILL_DTE, DEV_C, 0, 0x3000);
	ag_w64(&g, R_DTB, enc_dtb(AG_DEVTAB, 6));
	ag_expect(&g, DEV_C, NOP, 0x3000, RD, 0x3000);
}

Test(dte, devtab_entries_max_limits_the_table)
{
	uint64_t d[4];

	ag_destroy(&g);
	ag_create(&g, "devtab_entries_max = 256");
	ag_init(&g, 8, 8, 0);
	enc_dte_v1(d, 0, 0, true, true, 1);
	ag_set_dte(&g, DEV_C, d);
	ag_set_dte(&g, DEV_A, d);
	ag_expect_fault(&g, DEV_C, NOP, 0x3000, RD);
	ag_evt_expect(&g, EV_ILL_DTE, DEV_C, 0, 0x3000);
	ag_expect(&g, DEV_A, NOP, 0x3000, RD, 0x3000);
}

Test(dte, table_outside_ram_is_hardware_error)
{
	struct ag_ev e;

	ag_w64(&g, R_DTB, enc_dtb(AG_UNBACKED, 0x1ff));
	ag_expect_fault(&g, DEV_A, NOP, 0x3000, WR);
	cr_assert(ag_evt_pop(&g, &e));
	cr_assert_eq(e.code, EV_DT_HW);
	cr_assert_eq(e.devid, DEV_A);
	cr_assert_eq((e.raw[0] >> 57) & 3, 1, "Type: master abort");
	cr_assert(e.raw[0] & (1ull << 53), "RW");
	cr_assert_eq(e.addr, AG_UNBACKED + 32 * DEV_A);
}

Test(dte, cached_until_invalidate_devtab_entry)
{
	uint64_t d[4];

	enc_dte_v1(d, 0, 0, true, true, 1);
	ag_set_dte(&g, DEV_A, d);
	ag_set_dte(&g, DEV_B, d);
	ag_expect(&g, DEV_A, NOP, 0x3000, WR, 0x3000);
	ag_expect(&g, DEV_B, NOP, 0x3000, WR, 0x3000);
	enc_dte_v1(d, 0, 0, false, false, 0);
	ag_set_dte(&g, DEV_A, d);
	ag_set_dte(&g, DEV_B, d);
	ag_expect(&g, DEV_A, NOP, 0x3000, WR, 0x3000); /* stale */
	ag_flush_dte(&g, DEV_B);
	ag_expect(&g, DEV_A, NOP, 0x3000, WR, 0x3000); /* other device */
	ag_expect_fault(&g, DEV_B, NOP, 0x3000, WR);
	ag_flush_dte(&g, DEV_A);
	ag_expect_fault(&g, DEV_A, NOP, 0x3000, WR);
}

Test(dte, invalidate_all_drops_cached_dtes)
{
	uint64_t d[4], c[2];

	enc_dte_v1(d, 0, 0, true, true, 1);
	ag_set_dte(&g, DEV_A, d);
	ag_expect(&g, DEV_A, NOP, 0x3000, WR, 0x3000);
	enc_dte_v1(d, 0, 0, false, false, 0);
	ag_set_dte(&g, DEV_A, d);
	ag_expect(&g, DEV_A, NOP, 0x3000, WR, 0x3000);
	enc_inv_all(c);
	ag_cmd(&g, c);
	ag_expect_fault(&g, DEV_A, NOP, 0x3000, WR);
}

/* A full device-table cache (dte_cache_entries = 2: one set of two)
 * gives up its least recently used DTE only: the other stays stale until
 * it is invalidated. */
Test(dte, small_cache_evicts_one_by_one)
{
	uint64_t pass[4], block[4];

	ag_destroy(&g);
	ag_create(&g, "dte_cache_entries = 2");
	ag_init(&g, 8, 8, 0);
	enc_dte_v1(pass, 0, 0, true, true, 1);
	enc_dte_v1(block, 0, 0, false, false, 0);
	ag_set_dte(&g, DEV_A, pass);
	ag_set_dte(&g, DEV_B, pass);
	ag_expect(&g, DEV_A, NOP, 0x3000, RD, 0x3000);
	ag_expect(&g, DEV_B, NOP, 0x3000, RD, 0x3000);
	ag_set_dte(&g, DEV_A, block);
	ag_set_dte(&g, DEV_B, block);
	ag_set_dte(&g, DEV_C, pass);
	ag_expect(&g, DEV_C, NOP, 0x3000, RD, 0x3000); /* evicts A's */
	ag_expect(&g, DEV_B, NOP, 0x3000, RD, 0x3000); /* stale */
	ag_expect_fault(&g, DEV_A, NOP, 0x3000, RD);   /* evicts C's */
	ag_evt_expect(&g, EV_PF, DEV_A, F_PR | F_PE, 0x3000);
	ag_expect(&g, DEV_B, NOP, 0x3000, RD, 0x3000); /* still stale */
	ag_flush_dte(&g, DEV_B);
	ag_expect_fault(&g, DEV_B, NOP, 0x3000, RD);
	ag_evt_expect(&g, EV_PF, DEV_B, F_PR | F_PE, 0x3000);
	ag_expect(&g, DEV_C, NOP, 0x3000, RD, 0x3000);
}

Test(dte, sa_suppresses_page_fault_events)
{
	uint64_t d[4];

	enc_dte_v1(d, 0, 0, false, false, 1);
	d[1] |= 1ull << 34; /* SA, DTE bit 98 */
	ag_set_dte(&g, DEV_A, d);
	ag_expect_fault(&g, DEV_A, NOP, 0x3000, WR);
	cr_assert_eq(ag_evt_count(&g), 0);
}

Test(dte, translated_requests_need_dte_i)
{
	uint64_t d[4];
	struct iommu_translation t;
	struct ag_ev e;

	enc_dte_v1(d, 3, ag_page(&g), true, true, 1);
	ag_set_dte(&g, DEV_A, d);
	cr_assert_eq(
	    ag_xl(&g, DEV_A, NOP, 0x4000, RD | IOMMU_ACCESS_TRANSLATED, &t),
	    -EFAULT);
	cr_assert(ag_evt_pop(&g, &e));
	cr_assert_eq(e.code, EV_BAD_REQ);
	cr_assert_eq(e.addr, 0x4000);
	d[1] |= 1ull << 32; /* I, DTE bit 96 */
	ag_set_dte(&g, DEV_A, d);
	ag_flush_dte(&g, DEV_A);
	cr_assert_eq(
	    ag_xl(&g, DEV_A, NOP, 0x4000, WR | IOMMU_ACCESS_TRANSLATED, &t), 0);
	cr_assert_eq(t.phys, 0x4000);
}
