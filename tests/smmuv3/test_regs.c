// SPDX-License-Identifier: MIT
/*
 * test_regs.c - the register file (sheet 1): ID registers from the INI,
 * CR0/CR0ACK, CR1, CR2, GBPA (update protocol, abort or bypass while
 * SMMUEN = 0), IRQ_CTRL/ACK, GERROR/GERRORN, the IRQ_CFG registers,
 * when the Stream-table and queue registers take writes, reserved offsets
 * and wrong access sizes (never a crash).
 */
#include <string.h>

#include <criterion/criterion.h>

#include "sg.h"

static unsigned int fld(uint32_t v, unsigned int h, unsigned int l)
{
	return (v >> l) & ((1u << (h - l + 1)) - 1);
}

Test(regs, idr_defaults_describe_a_modern_smmu)
{
	struct sg g;

	sg_create(&g, NULL);
	cr_assert_eq(fld(g.idr0, 0, 0), 1, "S2P");
	cr_assert_eq(fld(g.idr0, 1, 1), 1, "S1P");
	cr_assert_eq(fld(g.idr0, 3, 2), 2, "TTF AArch64");
	cr_assert_eq(fld(g.idr0, 4, 4), 1, "COHACC");
	cr_assert_eq(fld(g.idr0, 7, 6), 2, "HTTU AF+dirty");
	cr_assert_eq(fld(g.idr0, 9, 9), 1, "Hyp");
	cr_assert_eq(fld(g.idr0, 10, 10), 1, "ATS");
	cr_assert_eq(fld(g.idr0, 12, 12), 1, "ASID16");
	cr_assert_eq(fld(g.idr0, 13, 13), 1, "MSI");
	cr_assert_eq(fld(g.idr0, 16, 16), 0, "PRI");
	cr_assert_eq(fld(g.idr0, 18, 18), 1, "VMID16");
	cr_assert_eq(fld(g.idr0, 19, 19), 1, "CD2L");
	cr_assert_eq(fld(g.idr0, 22, 21), 2, "TTENDIAN LE");
	cr_assert_eq(fld(g.idr0, 25, 24), 1, "STALL_MODEL terminate");
	cr_assert_eq(fld(g.idr0, 26, 26), 1, "TERM_MODEL");
	cr_assert_eq(fld(g.idr0, 28, 27), 1, "ST_LEVEL 2-level");
	cr_assert_eq(fld(g.idr1, 5, 0), 16, "SIDSIZE");
	cr_assert_eq(fld(g.idr1, 10, 6), 20, "SSIDSIZE");
	cr_assert_eq(fld(g.idr1, 20, 16), 7, "EVENTQS");
	cr_assert_eq(fld(g.idr1, 25, 21), 8, "CMDQS");
	cr_assert_eq(fld(g.idr1, 30, 28), 0, "REL, presets");
	cr_assert_eq(fld(g.idr3, 10, 10), 1, "RIL");
	cr_assert_eq(fld(g.idr5, 2, 0), 5, "OAS 48");
	cr_assert_eq(fld(g.idr5, 6, 4), 7, "4K, 16K, 64K");
	cr_assert_eq(fld(g.idr5, 7, 7), 0, "DS");
	sg_destroy(&g);
}

Test(regs, idr_follow_the_ini)
{
	struct sg g;

	sg_create_devs(&g,
		       "stage2 = no\nsid_bits = 6\nstream_table_2level = no\n"
		       "ssid_bits = 0\noas = 40\ngranule_4k = no\n"
		       "granule_16k = no\nrange_invalidation = no\n"
		       "asid16 = no\nmsi = no\nhttu = none\nats = no\n"
		       "cmdq_bits = 5\neventq_bits = 3\ncd_table_2level = no\n",
		       "[device.a]\nid = 0x10\n");
	cr_assert_eq(fld(g.idr0, 1, 0), 2, "S1P only");
	cr_assert_eq(fld(g.idr0, 7, 6), 0, "HTTU");
	cr_assert_eq(fld(g.idr0, 9, 9), 0, "Hyp needs both stages");
	cr_assert_eq(fld(g.idr0, 10, 10), 0, "ATS");
	cr_assert_eq(fld(g.idr0, 12, 12), 0, "ASID16");
	cr_assert_eq(fld(g.idr0, 13, 13), 0, "MSI");
	cr_assert_eq(fld(g.idr0, 18, 18), 0, "VMID16 without stage 2");
	cr_assert_eq(fld(g.idr0, 19, 19), 0, "CD2L");
	cr_assert_eq(fld(g.idr0, 28, 27), 0, "ST_LEVEL linear");
	cr_assert_eq(fld(g.idr1, 5, 0), 6);
	cr_assert_eq(fld(g.idr1, 10, 6), 0);
	cr_assert_eq(fld(g.idr1, 20, 16), 3);
	cr_assert_eq(fld(g.idr1, 25, 21), 5);
	cr_assert_eq(fld(g.idr3, 10, 10), 0, "RIL");
	cr_assert_eq(fld(g.idr5, 2, 0), 2, "OAS 40");
	cr_assert_eq(fld(g.idr5, 6, 4), 4, "64K only");
	sg_destroy(&g);
}

Test(regs, bad_parameters_are_refused_with_their_key)
{
	static const char *const bad[] = {
	    "oas = 50\n",
	    "oas = 52\ngranule_64k = no\n",
	    "stream_table_2level = no\n", /* sid_bits 16 needs 2 levels */
	    "stage1 = no\nstage2 = no\n",
	    "granule_4k = no\ngranule_16k = no\ngranule_64k = no\n",
	    "tlb_ways = 65\n",
	    "ssid_bits = 21\n",
	};
	struct sg g;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = sg_try_create(&g, bad[i], NULL);

		cr_assert_neq(ret, 0, "accepted: %s", bad[i]);
		iommu_ctx_destroy(g.ctx);
	}
	/* 52 bits with the 64K granule is fine */
	sg_create(&g, "oas = 52\n");
	cr_assert_eq(fld(g.idr5, 2, 0), 6);
	sg_destroy(&g);
}

Test(regs, streamid_beyond_sidsize_is_refused_at_create)
{
	struct sg g;

	cr_assert_neq(
	    sg_try_create(&g, "sid_bits = 4\n", "[device.a]\nid = 0x20\n"), 0);
	iommu_ctx_destroy(g.ctx);
	sg_create_devs(&g, "sid_bits = 6\nstream_table_2level = no\n",
		       "[device.a]\nid = 0x3f\n");
	sg_destroy(&g);
}

Test(regs, iidr_and_aidr)
{
	struct sg g;

	sg_create(&g, NULL);
	cr_assert_eq(sg_rd32(&g, S_IIDR), 0);
	cr_assert_eq(fld(sg_rd32(&g, S_AIDR), 7, 4), 0, "ArchMajorRev v3");
	cr_assert_eq(fld(sg_rd32(&g, S_AIDR), 3, 0), 2, "v3.2 (RIL)");
	sg_destroy(&g);
}

Test(regs, cr0ack_follows_cr0_and_reserved_bits_read_zero)
{
	struct sg g;

	sg_create(&g, "ats = no\n");
	cr_assert_eq(sg_rd32(&g, S_CR0), 0, "reset");
	cr_assert_eq(sg_rd32(&g, S_CR0ACK), 0);
	/* PRIQEN (no PRI), ATSCHK (no ATS), VMW (no VMW): RES0 here */
	sg_wr(&g, S_CR0, 4, CR0_EVENTQEN | (1u << 1) | CR0_ATSCHK | (7u << 6));
	cr_assert_eq(sg_rd32(&g, S_CR0), CR0_EVENTQEN);
	cr_assert_eq(sg_rd32(&g, S_CR0ACK), CR0_EVENTQEN);
	sg_cr0(&g, CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN);
	sg_cr0(&g, 0);
	sg_destroy(&g);
	sg_create(&g, NULL);
	sg_wr(&g, S_CR0, 4, CR0_ATSCHK);
	cr_assert_eq(sg_rd32(&g, S_CR0ACK), CR0_ATSCHK, "ATSCHK with ATS");
	sg_destroy(&g);
}

Test(regs, cr1_and_cr2_keep_their_fields)
{
	struct sg g;

	sg_create(&g, NULL);
	sg_wr(&g, S_CR1, 4, 0xFFFFFFFF);
	cr_assert_eq(sg_rd32(&g, S_CR1), 0xFFF);
	sg_wr(&g, S_CR2, 4, 0xFFFFFFFF);
	cr_assert_eq(sg_rd32(&g, S_CR2), CR2_E2H | CR2_RECINVSID | CR2_PTM);
	sg_destroy(&g);
	sg_create(&g, "hyp = no\n");
	sg_wr(&g, S_CR2, 4, CR2_E2H | CR2_PTM);
	cr_assert_eq(sg_rd32(&g, S_CR2), CR2_PTM, "E2H needs Hyp");
	sg_destroy(&g);
}

Test(regs, gbpa_changes_only_with_update)
{
	struct sg g;

	sg_create(&g, NULL);
	cr_assert_eq(sg_rd32(&g, S_GBPA), 0x1000, "reset: SHCFG incoming");
	sg_wr(&g, S_GBPA, 4, GBPA_ABORT);
	cr_assert_eq(sg_rd32(&g, S_GBPA), 0x1000, "no Update: ignored");
	sg_wr(&g, S_GBPA, 4, GBPA_UPDATE | GBPA_ABORT | 0x1000);
	cr_assert_eq(sg_rd32(&g, S_GBPA), GBPA_ABORT | 0x1000,
		     "applied, Update reads 0");
	sg_wr(&g, S_GBPA, 4, GBPA_UPDATE | 0xFFFFFFFF);
	cr_assert_eq(sg_rd32(&g, S_GBPA), 0x001F3F1F, "RES0 bits read 0");
	sg_destroy(&g);
}

Test(regs, gbpa_aborts_or_bypasses_while_smmuen_is_clear)
{
	struct sg g;
	uint64_t pa = 0;

	sg_create(&g, NULL);
	/* reset: bypass, whatever the Stream table says */
	cr_assert_eq(sg_tr(&g, SID_A, NP, 0x123456, AW, &pa), 0);
	cr_assert_eq(pa, 0x123456);
	sg_wr(&g, S_GBPA, 4, GBPA_UPDATE | GBPA_ABORT);
	cr_assert_eq(sg_tr(&g, SID_A, NP, 0x123456, AR, &pa), -EFAULT);
	cr_assert_eq(sg_tr(&g, SID_B, 5, 0x10, AW, &pa), -EFAULT);
	sg_wr(&g, S_GBPA, 4, GBPA_UPDATE);
	cr_assert_eq(sg_tr(&g, SID_A, NP, 0x777000, AR, &pa), 0);
	cr_assert_eq(pa, 0x777000);
	sg_destroy(&g);
}

Test(regs, smmuen_makes_the_stream_table_count)
{
	struct sg g;

	sg_create(&g, NULL);
	sg_init(&g, false, 13);
	/* every STE is V = 0 */
	sg_tr_fault(&g, SID_A, NP, 0x1000, AR, E_BAD_STE, NULL);
	sg_cr0(&g, CR0_CMDQEN | CR0_EVENTQEN);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, 0x1000);
	sg_destroy(&g);
}

Test(regs, irq_ctrl_is_acknowledged)
{
	struct sg g;

	sg_create(&g, NULL);
	sg_wr(&g, S_IRQ_CTRL, 4, 0xFF);
	cr_assert_eq(sg_rd32(&g, S_IRQ_CTRL), IRQ_EVTQ | IRQ_GERROR,
		     "PRIQ_IRQEN is RES0 without PRI");
	cr_assert_eq(sg_rd32(&g, S_IRQ_CTRLACK), IRQ_EVTQ | IRQ_GERROR);
	sg_wr(&g, S_IRQ_CTRL, 4, 0);
	cr_assert_eq(sg_rd32(&g, S_IRQ_CTRLACK), 0);
	sg_destroy(&g);
}

Test(regs, gerror_toggles_and_gerrorn_acknowledges)
{
	uint64_t q[2] = {0x00, 0};
	struct sg g;

	sg_create(&g, NULL);
	sg_init(&g, false, 13);
	cr_assert_eq(sg_rd32(&g, S_GERROR), 0);
	sg_cmd(&g, q); /* opcode 0 is reserved */
	cr_assert_eq(sg_rd32(&g, S_GERROR) & GE_CMDQ, GE_CMDQ, "toggled to 1");
	cr_assert_eq(g.irqs[V_GERROR], 1, "GERROR interrupt");
	/* a second error while active changes nothing */
	sg_wr(&g, S_CMDQ_PROD, 4, g.cq_prod);
	cr_assert_eq(sg_rd32(&g, S_GERROR) & GE_CMDQ, GE_CMDQ);
	/* acknowledge: GERRORN = GERROR */
	sg_wrn(&g, SG_CMDQ + 16ull * ((g.cq_prod - 1) & 0xff),
	       (const uint64_t[2]){0x46, 0}, 2);
	sg_wr(&g, S_GERRORN, 4, sg_rd32(&g, S_GERROR));
	cr_assert_eq(sg_rd32(&g, S_GERRORN), GE_CMDQ);
	cr_assert(!sg_cmdq_err(&g, NULL));
	/* the next error toggles GERROR back to 0: active again */
	sg_cmd(&g, q);
	cr_assert_eq(sg_rd32(&g, S_GERROR) & GE_CMDQ, 0, "toggled to 0");
	cr_assert(sg_cmdq_err(&g, NULL), "active while GERROR != GERRORN");
	cr_assert_eq(g.irqs[V_GERROR], 2);
	sg_destroy(&g);
}

Test(regs, reserved_offsets_read_zero_and_ignore_writes)
{
	static const uint64_t offs[] = {
	    0x0008, 0x0010, 0x0030,  0x0040,  0x0048,  0x00A8, 0x00AC, 0x00C8,
	    0x00C0, 0x00D0, 0x00D8,  0x0100,  0x0130,  0x0190, 0x1000, 0x8000,
	    0x8020, 0xFFFC, 0x10000, 0x100C8, 0x100CC, 0x1FFFC};
	uint64_t v;
	struct sg g;

	sg_create(&g, NULL);
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		sg_wr(&g, offs[i], 4, 0xFFFFFFFF);
		cr_assert_eq(iommu_hw_mmio_read(g.ctx, offs[i], 4, &v), 0);
		cr_assert_eq(v, 0, "offset 0x%llx reads 0x%llx", U64(offs[i]),
			     U64(v));
	}
	/* nothing else changed */
	cr_assert_eq(sg_rd32(&g, S_CR0), 0);
	cr_assert_eq(sg_rd32(&g, S_GBPA), 0x1000);
	sg_destroy(&g);
}

Test(regs, wrong_sizes_and_offsets_are_refused)
{
	static const unsigned int sizes[] = {0, 1, 2, 3, 5, 16};
	uint64_t v = 0;
	struct sg g;

	sg_create(&g, NULL);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		cr_assert_eq(iommu_hw_mmio_read(g.ctx, 0x20, sizes[i], &v),
			     -EINVAL, "size %u", sizes[i]);
		cr_assert_eq(iommu_hw_mmio_write(g.ctx, 0x20, sizes[i], 1),
			     -EINVAL, "size %u", sizes[i]);
	}
	cr_assert_eq(iommu_hw_mmio_read(g.ctx, 0x22, 4, &v), -EINVAL);
	cr_assert_eq(iommu_hw_mmio_read(g.ctx, 0x84, 8, &v), -EINVAL);
	cr_assert_eq(iommu_hw_mmio_write(g.ctx, 0x21, 4, 1), -EINVAL);
	cr_assert_eq(iommu_hw_mmio_read(g.ctx, 0x20000, 4, &v), -EINVAL);
	cr_assert_eq(iommu_hw_mmio_write(g.ctx, 0x20000, 8, 1), -EINVAL);
	cr_assert_eq(iommu_hw_mmio_read(g.ctx, ~0ull - 3, 4, &v), -EINVAL);
	cr_assert_eq(sg_rd32(&g, S_CR0), 0, "no write landed");
	sg_destroy(&g);
}

Test(regs, eight_bytes_at_32bit_registers_is_raz_wi)
{
	struct sg g;

	sg_create(&g, NULL);
	cr_assert_eq(sg_rd(&g, S_IDR0, 8), 0, "IDR0+IDR1 as one access");
	sg_wr(&g, S_CR0, 8, 0x0000000100000008ull); /* CR0 + CR0ACK */
	cr_assert_eq(sg_rd32(&g, S_CR0), 0);
	sg_wr(&g, S_CMDQ_PROD, 8, 0x0000000300000003ull);
	cr_assert_eq(sg_rd32(&g, S_CMDQ_PROD), 0);
	cr_assert_eq(sg_rd32(&g, S_CMDQ_CONS), 0);
	sg_destroy(&g);
}

Test(regs, sixty_four_bit_registers_take_either_half)
{
	struct sg g;

	sg_create(&g, NULL);
	sg_wr(&g, S_STRTAB, 4, 0x12345678);
	sg_wr(&g, S_STRTAB + 4, 4, 0x40000ABC);
	cr_assert_eq(sg_rd(&g, S_STRTAB, 8), 0x40000ABC12345640ull,
		     "ADDR [51:6] and RA kept, the rest RES0");
	cr_assert_eq(sg_rd(&g, S_STRTAB + 4, 4), 0x40000ABC);
	cr_assert_eq(sg_rd(&g, S_STRTAB, 4), 0x12345640);
	sg_wr(&g, S_CMDQ_BASE, 8, 0xFFFFFFFFFFFFFFFFull);
	cr_assert_eq(sg_rd(&g, S_CMDQ_BASE, 8), 0x400FFFFFFFFFFFFFull,
		     "LOG2SIZE, ADDR [51:5], RA");
	sg_destroy(&g);
}

Test(regs, stream_table_registers_are_locked_while_enabled)
{
	struct sg g;

	sg_create(&g, NULL);
	sg_init(&g, false, 13);
	sg_wr(&g, S_STRTAB, 8, 0x400000);
	sg_wr(&g, S_STRTAB_CFG, 4, enc_strtab_cfg(1, 8, 16));
	cr_assert_eq(sg_rd(&g, S_STRTAB, 8), SG_ST | 1ull << 62);
	cr_assert_eq(sg_rd32(&g, S_STRTAB_CFG), 13);
	sg_cr0(&g, CR0_CMDQEN | CR0_EVENTQEN);
	sg_wr(&g, S_STRTAB_CFG, 4, enc_strtab_cfg(1, 8, 16) | 0xFFFC0000u);
	cr_assert_eq(sg_rd32(&g, S_STRTAB_CFG), 0x10210, "RES0 bits dropped");
	sg_destroy(&g);
}

Test(regs, queue_registers_are_locked_while_enabled)
{
	struct sg g;

	sg_create(&g, NULL);
	sg_init(&g, false, 13);
	sg_wr(&g, S_CMDQ_BASE, 8, enc_q_base(0x500000, 4, false));
	cr_assert_eq(sg_rd(&g, S_CMDQ_BASE, 8), enc_q_base(SG_CMDQ, 8, true));
	sg_wr(&g, S_CMDQ_CONS, 4, 5);
	cr_assert_eq(sg_rd32(&g, S_CMDQ_CONS), g.cq_prod, "CONS is the SMMU's");
	sg_wr(&g, S_EVTQ_BASE, 8, enc_q_base(0x500000, 4, false));
	cr_assert_eq(sg_rd(&g, S_EVTQ_BASE, 8), enc_q_base(SG_EVTQ, 6, true));
	sg_wr(&g, S_EVTQ_PROD, 4, 3);
	cr_assert_eq(sg_rd32(&g, S_EVTQ_PROD), 0, "PROD is the SMMU's");
	/* PROD bits above the wrap flag are ignored */
	sg_cr0(&g, CR0_EVENTQEN | CR0_SMMUEN);
	sg_wr(&g, S_CMDQ_PROD, 4, 0x000FFF05);
	cr_assert_eq(sg_rd32(&g, S_CMDQ_PROD), 0x105);
	sg_destroy(&g);
}

Test(regs, irq_cfg_registers_exist_only_with_msi)
{
	struct sg g;

	sg_create(&g, NULL);
	sg_wr(&g, S_GERROR_CFG0, 8, 0xFFFFFFFFFFFFFFFFull);
	cr_assert_eq(sg_rd(&g, S_GERROR_CFG0, 8), 0x000FFFFFFFFFFFFCull,
		     "ADDR [51:2]");
	sg_wr(&g, S_GERROR_CFG1, 4, 0xDEADBEEF);
	cr_assert_eq(sg_rd32(&g, S_GERROR_CFG1), 0xDEADBEEF);
	sg_wr(&g, S_GERROR_CFG2, 4, 0xFF);
	cr_assert_eq(sg_rd32(&g, S_GERROR_CFG2), 0x3F, "MemAttr, SH");
	sg_wr(&g, S_EVTQ_CFG0, 4, 0xFEE00004);
	cr_assert_eq(sg_rd(&g, S_EVTQ_CFG0, 8), 0xFEE00004);
	sg_destroy(&g);
	sg_create(&g, "msi = no\n");
	sg_wr(&g, S_EVTQ_CFG0, 8, 0xFEE00000);
	sg_wr(&g, S_EVTQ_CFG1, 4, 7);
	cr_assert_eq(sg_rd(&g, S_EVTQ_CFG0, 8), 0);
	cr_assert_eq(sg_rd32(&g, S_EVTQ_CFG1), 0);
	sg_destroy(&g);
}
