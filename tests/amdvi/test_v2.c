// SPDX-License-Identifier: MIT
/*
 * test_v2.c - guest (v2) translation through the GCR3 table (amdvi 4):
 * GLX 0-1, 4 and 5 levels, large pages, U/S, R/W and NX against the
 * request's attributes, GIoV, and the conditions that refuse PASIDs.
 */
#include <errno.h>

#include <criterion/criterion.h>

#include "ag.h"

#define RD	IOMMU_ACCESS_READ
#define WR	IOMMU_ACCESS_WRITE
#define PRIV	IOMMU_ACCESS_PRIV
#define EXEC	IOMMU_ACCESS_EXEC
#define NOP	IOMMU_NO_PASID
#define USER_RW (V2_P | V2_RW | V2_US)

AG_SUITE(v2, 8, 10, C_GT_EN);

/* A device with a GCR3 table of @glx, @pasid -> a fresh guest CR3. */
static uint64_t v2_dev(unsigned int devid, unsigned int glx, bool giov,
		       unsigned int pasid, unsigned int domid)
{
	uint64_t gcr3 = ag_page(&g), cr3 = ag_page(&g), d[4];

	enc_dte_gcr3(d, gcr3, glx, giov, true, true, domid);
	ag_set_dte(&g, devid, d);
	ag_gcr3_set(&g, gcr3, glx, pasid, cr3);
	return cr3;
}

Test(v2, four_levels_glx0)
{
	uint64_t cr3 = v2_dev(DEV_A, 0, false, 5, 1);

	ag_map_v2(&g, cr3, 4, 0x7f1234567000ull, AG_DATA, 1, USER_RW);
	ag_expect(&g, DEV_A, 5, 0x7f1234567010ull, WR, AG_DATA + 0x10);
	ag_expect_fault(&g, DEV_A, 6, 0x7f1234567010ull, RD);
	ag_evt_expect(&g, EV_PF, DEV_A, F_GN | F_US, 0x7f1234567010ull);
}

Test(v2, glx1_pasid_t19)
{
	uint64_t cr3 = v2_dev(DEV_A, 1, false, 0x1234, 1);

	ag_map_v2(&g, cr3, 4, 0x5000, AG_DATA, 1, USER_RW);
	ag_expect(&g, DEV_A, 0x1234, 0x5008, RD, AG_DATA + 8);
	ag_expect_fault(&g, DEV_A, 0x34, 0x5008, RD); /* same low index */
	ag_evt_expect(&g, EV_PF, DEV_A, F_GN | F_US, 0x5008);
}

Test(v2, five_levels)
{
	uint64_t cr3;

	ag_destroy(&g);
	ag_create(&g, "guest_levels = 5");
	ag_init(&g, 8, 10, C_GT_EN);
	cr3 = v2_dev(DEV_A, 0, false, 1, 1);
	ag_mw64(&g, AG_DEVTAB + 32 * DEV_A + 16, 1ull << 54); /* GPM 01b */
	ag_map_v2(&g, cr3, 5, 0x00ff123456789000ull, AG_DATA, 1, USER_RW);
	ag_expect(&g, DEV_A, 1, 0x00ff123456789004ull, RD, AG_DATA + 4);
}

Test(v2, large_pages)
{
	uint64_t cr3 = v2_dev(DEV_A, 0, false, 1, 1);

	ag_map_v2(&g, cr3, 4, 0x40200000, 0x1600000, 2, USER_RW);
	ag_map_v2(&g, cr3, 4, 0x80000000, 0x40000000, 3, USER_RW);
	ag_expect(&g, DEV_A, 1, 0x40312345, RD, 0x1712345);
	ag_expect(&g, DEV_A, 1, 0xbffffff0ull, RD, 0x7ffffff0ull);
}

Test(v2, user_needs_us_supervisor_does_not)
{
	uint64_t cr3 = v2_dev(DEV_A, 0, false, 9, 1);
	struct ag_ev e;

	ag_map_v2(&g, cr3, 4, 0x3000, AG_DATA, 1, V2_P | V2_RW);
	ag_expect_fault(&g, DEV_A, 9, 0x3000, RD);
	cr_assert(ag_evt_pop(&g, &e));
	cr_assert_eq(e.code, EV_PF);
	cr_assert_eq(e.flags, F_GN | F_US | F_PR | F_PE);
	cr_assert_eq(e.domid, 9, "PASID[15:0] in the DomainID field");
	ag_expect(&g, DEV_A, 9, 0x3000, RD | PRIV, AG_DATA);
	ag_expect(&g, DEV_A, 9, 0x3000, WR | PRIV, AG_DATA);
}

Test(v2, supervisor_write_needs_rw)
{
	uint64_t cr3 = v2_dev(DEV_A, 0, false, 9, 1);

	ag_map_v2(&g, cr3, 4, 0x3000, AG_DATA, 1, V2_P | V2_US);
	ag_expect(&g, DEV_A, 9, 0x3000, RD | PRIV, AG_DATA);
	ag_expect_fault(&g, DEV_A, 9, 0x3000, WR | PRIV);
	ag_evt_expect(&g, EV_PF, DEV_A, F_GN | F_PR | F_PE | F_RW, 0x3000);
	ag_expect_fault(&g, DEV_A, 9, 0x3000, WR);
	ag_evt_expect(&g, EV_PF, DEV_A, F_GN | F_US | F_PR | F_PE | F_RW,
		      0x3000);
}

Test(v2, nx_refuses_exec)
{
	uint64_t cr3 = v2_dev(DEV_A, 0, false, 9, 1);

	ag_map_v2(&g, cr3, 4, 0x3000, AG_DATA, 1, USER_RW | V2_NX);
	ag_map_v2(&g, cr3, 4, 0x4000, AG_DATA, 1, USER_RW);
	ag_expect(&g, DEV_A, 9, 0x3000, RD, AG_DATA);
	ag_expect_fault(&g, DEV_A, 9, 0x3000, RD | EXEC);
	ag_evt_expect(&g, EV_PF, DEV_A, F_GN | F_US | F_NX | F_PR | F_PE,
		      0x3000);
	ag_expect(&g, DEV_A, 9, 0x4000, RD | EXEC, AG_DATA);
}

Test(v2, nx_reserved_without_nxsup)
{
	uint64_t cr3;

	ag_destroy(&g);
	ag_create(&g, "nx = no");
	ag_init(&g, 8, 10, C_GT_EN);
	cr3 = v2_dev(DEV_A, 0, false, 9, 1);
	ag_map_v2(&g, cr3, 4, 0x3000, AG_DATA, 1, USER_RW | V2_NX);
	ag_expect_fault(&g, DEV_A, 9, 0x3000, RD);
	ag_evt_expect(&g, EV_PF, DEV_A, F_GN | F_US | F_PR | F_RZ, 0x3000);
}

Test(v2, gcr3_entry_not_valid)
{
	uint64_t gcr3 = ag_page(&g), d[4];

	enc_dte_gcr3(d, gcr3, 0, false, true, true, 1);
	ag_set_dte(&g, DEV_A, d);
	ag_expect_fault(&g, DEV_A, 3, 0x3000, WR);
	ag_evt_expect(&g, EV_PF, DEV_A, F_GN | F_US | F_RW, 0x3000);
}

Test(v2, gcr3_outside_ram_is_hardware_error)
{
	uint64_t d[4];
	struct ag_ev e;

	enc_dte_gcr3(d, AG_UNBACKED, 0, false, true, true, 1);
	ag_set_dte(&g, DEV_A, d);
	ag_expect_fault(&g, DEV_A, 3, 0x3000, RD);
	cr_assert(ag_evt_pop(&g, &e));
	cr_assert_eq(e.code, EV_PT_HW);
	cr_assert_eq(e.addr, AG_UNBACKED + 8 * 3);
}

Test(v2, pasid_beyond_width_or_glx)
{
	uint64_t cr3 = v2_dev(DEV_A, 0, false, 1, 1);

	ag_map_v2(&g, cr3, 4, 0x3000, AG_DATA, 1, USER_RW);
	ag_expect_fault(&g, DEV_A, 0x201, 0x3000, RD); /* GLX 0: 9 bits */
	ag_evt_expect(&g, EV_PF, DEV_A, F_GN | F_US, 0x3000);
	ag_expect_fault(&g, DEV_A, 0x10001, 0x3000, RD); /* > 16 bits */
	ag_evt_expect(&g, EV_PF, DEV_A, F_GN | F_US, 0x3000);
}

Test(v2, needs_gten_and_mode0)
{
	uint64_t cr3 = v2_dev(DEV_A, 0, false, 1, 1);

	ag_map_v2(&g, cr3, 4, 0x3000, AG_DATA, 1, USER_RW);
	ag_expect(&g, DEV_A, 1, 0x3000, RD, AG_DATA);
	ag_w64(&g, R_CTRL, C_IOMMU_EN | C_EVT_EN | C_CMD_EN); /* GTEn = 0 */
	ag_expect_fault(&g, DEV_A, 1, 0x3000, RD);
	ag_evt_expect(&g, EV_PF, DEV_A, F_GN | F_US, 0x3000);
	ag_w64(&g, R_CTRL, C_IOMMU_EN | C_EVT_EN | C_CMD_EN | C_GT_EN);
	/* GV over v1 tables (nesting) is refused for PASIDs, while the
	 * requests without PASID walk the v1 table. */
	ag_mw64(&g, AG_DEVTAB + 32 * DEV_A,
		ag_mr64(&g, AG_DEVTAB + 32 * DEV_A) | 3ull << 9);
	ag_flush_dte(&g, DEV_A);
	ag_flush_dom(&g, 1);
	ag_expect_fault(&g, DEV_A, 1, 0x3000, RD);
	ag_evt_expect(&g, EV_PF, DEV_A, F_GN | F_US, 0x3000);
	ag_expect_fault(&g, DEV_A, NOP, 0x3000, RD);
	ag_evt_expect(&g, EV_PF, DEV_A, 0, 0x3000);
}

Test(v2, giov_uses_pasid0)
{
	uint64_t cr3 = v2_dev(DEV_A, 0, true, 0, 1);

	ag_map_v2(&g, cr3, 4, 0x3000, AG_DATA, 1, USER_RW);
	ag_expect(&g, DEV_A, NOP, 0x3004, WR, AG_DATA + 4);
	ag_expect_fault(&g, DEV_A, NOP, 0x4000, RD);
	ag_evt_expect(&g, EV_PF, DEV_A, 0, 0x4000);
}

Test(v2, accessed_and_dirty_set)
{
	uint64_t cr3 = v2_dev(DEV_A, 0, false, 1, 1);
	uint64_t pte_pa;

	ag_map_v2(&g, cr3, 4, 0x3000, AG_DATA, 1, USER_RW);
	ag_expect(&g, DEV_A, 1, 0x3000, RD, AG_DATA);
	/* PT page: the last page the helper allocated */
	pte_pa = g.next_pg - PG + 8 * 3;
	cr_assert_eq(ag_mr64(&g, pte_pa) & (V2_A | V2_D), V2_A);
	ag_expect(&g, DEV_A, 1, 0x3000, WR, AG_DATA);
	cr_assert_eq(ag_mr64(&g, pte_pa) & (V2_A | V2_D), V2_A | V2_D);
}

Test(v2, msi_window_with_pasid_is_translated)
{
	uint64_t cr3 = v2_dev(DEV_A, 0, false, 1, 1);
	struct iommu_translation t;

	ag_expect_fault(&g, DEV_A, 1, 0xFEE00000, WR);
	ag_evt_expect(&g, EV_PF, DEV_A, F_GN | F_US | F_RW, 0xFEE00000);
	ag_map_v2(&g, cr3, 4, 0xFEE00000, AG_DATA, 1, USER_RW);
	cr_assert_eq(ag_xl(&g, DEV_A, 1, 0xFEE00000, WR, &t), 0);
	cr_assert_eq(t.phys, AG_DATA);
}
