// SPDX-License-Identifier: MIT
/*
 * test_regs.c - the register file (amdvi 1): EFR from the INI, read-only
 * and reserved bits, access sizes, Status run and write-1-to-clear bits.
 */
#include <errno.h>

#include <criterion/criterion.h>

#include "ag.h"

static uint64_t bits(uint64_t v, unsigned int hi, unsigned int lo)
{
	return (v >> lo) & ((2ull << (hi - lo)) - 1);
}

Test(regs, efr_defaults)
{
	struct ag g;
	uint64_t efr;

	ag_create(&g, NULL);
	efr = ag_r64(&g, R_EFR);
	cr_assert_eq(bits(efr, 0, 0), 1, "PreFSup");
	cr_assert_eq(bits(efr, 1, 1), 0, "PPRSup");
	cr_assert_eq(bits(efr, 3, 3), 1, "NXSup");
	cr_assert_eq(bits(efr, 4, 4), 1, "GTSup");
	cr_assert_eq(bits(efr, 6, 6), 1, "IASup");
	cr_assert_eq(bits(efr, 11, 10), 2, "HATS: 6 levels");
	cr_assert_eq(bits(efr, 13, 12), 0, "GATS: 4 levels");
	cr_assert_eq(bits(efr, 15, 14), 1, "GLXSup");
	cr_assert_eq(bits(efr, 36, 32), 15, "PASmax: 16-bit PASIDs");
	cr_assert_eq(bits(efr, 48, 48), 1, "GIOSup");
	cr_assert_eq(bits(efr, 52, 49), 0, "HASup / HDSup off");
	cr_assert_eq(ag_r64(&g, R_EFR2), 0);
	ag_destroy(&g);
}

Test(regs, efr_from_ini)
{
	struct ag g;
	uint64_t efr;

	ag_create(&g, "host_levels = 4\nguest_levels = 5\npasid_bits = 20\n"
		      "ppr = yes\nhost_dirty = yes\nht_range_ignore = yes\n"
		      "invalidate_all = no");
	efr = ag_r64(&g, R_EFR);
	cr_assert_eq(bits(efr, 11, 10), 0);
	cr_assert_eq(bits(efr, 13, 12), 1);
	cr_assert_eq(bits(efr, 36, 32), 19);
	cr_assert_eq(bits(efr, 1, 1), 1);
	cr_assert_eq(bits(efr, 52, 52), 1);
	cr_assert_eq(bits(efr, 6, 6), 0);
	cr_assert_eq(bits(ag_r64(&g, R_EFR2), 11, 11), 1);
	ag_destroy(&g);
}

Test(regs, efr_read_only)
{
	struct ag g;
	uint64_t efr;

	ag_create(&g, NULL);
	efr = ag_r64(&g, R_EFR);
	ag_w64(&g, R_EFR, ~efr);
	ag_wr(&g, R_EFR + 4, 4, 0);
	ag_w64(&g, R_EFR2, ~0ull);
	cr_assert_eq(ag_r64(&g, R_EFR), efr);
	cr_assert_eq(ag_r64(&g, R_EFR2), 0);
	ag_destroy(&g);
}

Test(regs, bad_parameters_refused)
{
	struct ag g;

	cr_assert_neq(ag_try_create(&g, "devtab_entries_max = 100"), 0);
	cr_assert_neq(ag_try_create(&g, "host_levels = 7"), 0);
	cr_assert_neq(ag_try_create(&g, "pasid_bits = 21"), 0);
	cr_assert_neq(ag_try_create(&g, "iotlb_ways = 0"), 0);
}

Test(regs, bad_offsets_and_sizes)
{
	struct ag g;
	uint64_t v;

	ag_create(&g, NULL);
	cr_assert_eq(iommu_hw_mmio_read(g.ctx, 0x4000, 8, &v), -EINVAL);
	cr_assert_eq(iommu_hw_mmio_read(g.ctx, 0x3ffc, 8, &v), -EINVAL);
	cr_assert_eq(iommu_hw_mmio_read(g.ctx, R_CTRL, 2, &v), -EINVAL);
	cr_assert_eq(iommu_hw_mmio_read(g.ctx, R_CTRL + 4, 8, &v), -EINVAL);
	cr_assert_eq(iommu_hw_mmio_write(g.ctx, ~0ull - 3, 4, 0), -EINVAL);
	cr_assert_eq(iommu_hw_mmio_write(g.ctx, R_CTRL, 1, 1), -EINVAL);
	cr_assert_eq(iommu_hw_mmio_read(g.ctx, R_MSI_HI, 8, &v), -EINVAL);
	ag_destroy(&g);
}

Test(regs, unimplemented_offsets_read_zero)
{
	struct ag g;

	ag_create(&g, NULL);
	ag_w64(&g, 0x0100, ~0ull);
	ag_w64(&g, 0x3000, ~0ull);
	cr_assert_eq(ag_r64(&g, 0x0100), 0);
	cr_assert_eq(ag_r64(&g, 0x3000), 0);
	ag_destroy(&g);
}

Test(regs, reserved_bits_of_bases_read_zero)
{
	struct ag g;

	ag_create(&g, NULL);
	ag_w64(&g, R_DTB, ~0ull);
	cr_assert_eq(ag_r64(&g, R_DTB), 0x000FFFFFFFFFF1FFull);
	ag_w64(&g, R_CMD_BASE, ~0ull);
	cr_assert_eq(ag_r64(&g, R_CMD_BASE), 0x0F0FFFFFFFFFF000ull);
	ag_w64(&g, R_EVT_BASE, ~0ull);
	cr_assert_eq(ag_r64(&g, R_EVT_BASE), 0x0F0FFFFFFFFFF000ull);
	ag_w64(&g, R_CMD_TAIL, ~0ull);
	cr_assert_eq(ag_r64(&g, R_CMD_TAIL), 0x7FFF0ull);
	ag_w64(&g, R_EVT_HEAD, 0x12345678);
	cr_assert_eq(ag_r64(&g, R_EVT_HEAD), 0x45670ull);
	ag_destroy(&g);
}

Test(regs, exclusion_registers)
{
	struct ag g;

	ag_create(&g, NULL);
	ag_w64(&g, R_EXCL_BASE, 0x12345003ull | 0xffcull);
	cr_assert_eq(ag_r64(&g, R_EXCL_BASE), 0x12345003ull);
	ag_w64(&g, R_EXCL_LIM, 0x23456000ull);
	cr_assert_eq(ag_r64(&g, R_EXCL_LIM), 0x23456FFFull);
	ag_destroy(&g);
}

Test(regs, half_accesses)
{
	struct ag g;

	ag_create(&g, NULL);
	ag_wr(&g, R_DTB, 4, 0x12345000 | 0x1ff);
	ag_wr(&g, R_DTB + 4, 4, 0x9);
	cr_assert_eq(ag_r64(&g, R_DTB), 0x912345000ull | 0x1ff);
	cr_assert_eq(ag_rd(&g, R_DTB + 4, 4), 9);
	cr_assert_eq(ag_rd(&g, R_DTB, 4), 0x123451ff);
	ag_destroy(&g);
}

Test(regs, run_bits_follow_enables)
{
	struct ag g;

	ag_create(&g, NULL);
	cr_assert_eq(ag_r64(&g, R_STATUS), 0);
	ag_init(&g, 8, 8, 0);
	cr_assert_eq(ag_r64(&g, R_STATUS) & (S_EVT_RUN | S_CMD_RUN),
		     S_EVT_RUN | S_CMD_RUN);
	ag_w64(&g, R_CTRL, C_EVT_EN | C_CMD_EN); /* IommuEn = 0 */
	cr_assert_eq(ag_r64(&g, R_STATUS) & (S_EVT_RUN | S_CMD_RUN), 0);
	ag_w64(&g, R_CTRL, C_IOMMU_EN | C_CMD_EN);
	cr_assert_eq(ag_r64(&g, R_STATUS) & (S_EVT_RUN | S_CMD_RUN), S_CMD_RUN);
	/* Writing the read-only run bits changes nothing. */
	ag_w64(&g, R_STATUS, S_EVT_RUN | S_CMD_RUN);
	cr_assert_eq(ag_r64(&g, R_STATUS) & (S_EVT_RUN | S_CMD_RUN), S_CMD_RUN);
	ag_destroy(&g);
}

Test(regs, status_write_one_to_clear)
{
	struct ag g;
	uint64_t c[2];

	ag_create(&g, NULL);
	ag_init(&g, 8, 8, 0);
	enc_cw(c, false, true, 0, 0);
	ag_cmd(&g, c);
	cr_assert(ag_r64(&g, R_STATUS) & S_CW_INT);
	ag_w64(&g, R_STATUS, 0); /* zeros clear nothing */
	cr_assert(ag_r64(&g, R_STATUS) & S_CW_INT);
	ag_wr(&g, R_STATUS + 4, 4, 0xffffffff); /* upper half: no RW1C bits */
	cr_assert(ag_r64(&g, R_STATUS) & S_CW_INT);
	ag_w64(&g, R_STATUS, S_CW_INT);
	cr_assert_eq(ag_r64(&g, R_STATUS) & S_CW_INT, 0);
	ag_destroy(&g);
}

Test(regs, gt_enable_needs_gtsup)
{
	struct ag g;

	ag_create(&g, "guest_translation = no");
	ag_w64(&g, R_CTRL, C_GT_EN | C_IOMMU_EN);
	cr_assert_eq(ag_r64(&g, R_CTRL), C_IOMMU_EN);
	cr_assert_eq(bits(ag_r64(&g, R_EFR), 4, 4), 0);
	ag_destroy(&g);
	ag_create(&g, NULL);
	ag_w64(&g, R_CTRL, C_GT_EN | C_IOMMU_EN);
	cr_assert_eq(ag_r64(&g, R_CTRL), C_GT_EN | C_IOMMU_EN);
	ag_destroy(&g);
}

Test(regs, msi_registers)
{
	struct ag g;

	ag_create(&g, NULL);
	ag_wr(&g, R_MSI_LO, 4, 0xFEE00003);
	ag_wr(&g, R_MSI_HI, 4, 0x1);
	ag_wr(&g, R_MSI_DATA, 4, 0x4041);
	cr_assert_eq(ag_rd(&g, R_MSI_LO, 4), 0xFEE00000);
	cr_assert_eq(ag_rd(&g, R_MSI_HI, 4), 1);
	cr_assert_eq(ag_rd(&g, R_MSI_DATA, 4), 0x4041);
	ag_destroy(&g);
}

Test(regs, bad_command_length_does_not_run)
{
	struct ag g;
	uint64_t c[2];

	ag_create(&g, "cmd_len_max = 9");
	ag_init(&g, 8, 8, 0);
	ag_w64(&g, R_CMD_BASE, enc_ring(AG_CMDBUF, 1)); /* below 8 */
	cr_assert_eq(ag_r64(&g, R_STATUS) & S_CMD_RUN, 0);
	enc_cw(c, true, false, AG_STORE, 77);
	ag_cmd(&g, c);
	cr_assert_eq(ag_mr64(&g, AG_STORE), 0);
	ag_w64(&g, R_CMD_BASE, enc_ring(AG_CMDBUF, 10)); /* above the key */
	cr_assert_eq(ag_r64(&g, R_STATUS) & S_CMD_RUN, 0);
	cr_assert_eq(ag_mr64(&g, AG_STORE), 0);
	ag_w64(&g, R_CMD_BASE, enc_ring(AG_CMDBUF, 8));
	cr_assert_eq(ag_mr64(&g, AG_STORE), 77,
		     "runs once the length is valid");
	ag_destroy(&g);
}

Test(regs, disabled_iommu_passes_through)
{
	struct ag g;
	uint64_t d[4];

	ag_create(&g, NULL);
	enc_dte_v1(d, 0, 0, false, false, 0); /* blocking DTE */
	ag_set_dte(&g, DEV_A, d);
	ag_w64(&g, R_DTB, enc_dtb(AG_DEVTAB, 0x1ff));
	ag_expect(&g, DEV_A, IOMMU_NO_PASID, 0x123000, IOMMU_ACCESS_WRITE,
		  0x123000);
	ag_destroy(&g);
}
