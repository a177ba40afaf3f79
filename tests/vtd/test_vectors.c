// SPDX-License-Identifier: MIT
/*
 * test_vectors.c - the guest encoders against the spec sheet's test
 * vectors (shared/spec/vtd.md section 11, T1-T38), written here as
 * literal numbers, and the model's CAP/ECAP/register reset values decoded
 * with the sheet's field positions (2.2-2.4).
 */
#include <string.h>

#include <criterion/criterion.h>

#include "vtdg.h"

#define U(x) ((unsigned long long)(x))
#define EQ64(got, exp)                                                         \
	cr_assert_eq((uint64_t)(got), (uint64_t)(exp),                         \
		     "%s = 0x%016llx, want 0x%016llx", #got, U(got), U(exp))

static unsigned int idx(uint64_t iova, unsigned int level)
{
	return (iova >> (12 + 9 * (level - 1))) & 0x1ff;
}

/* Sheet 9.6: Linux's PSI address/AM computation. */
static void psi_calc(uint64_t start, uint64_t last, uint64_t *addr,
		     unsigned int *am)
{
	uint64_t spfn = start >> 12, epfn = last >> 12;
	uint64_t pages = epfn - spfn + 1;
	unsigned int m = 0;

	while ((1ull << m) < pages)
		m++;
	if (spfn & ((1ull << m) - 1)) {
		unsigned int b = m;

		while (b < 52 && (spfn >> b) != (epfn >> b))
			b++;
		m = b;
	}
	*am = m;
	*addr = (spfn & ~((1ull << m) - 1)) << 12;
}

Test(vectors, t1_t5_second_stage_entries)
{
	EQ64(enc_sl(0x12345000, SL_RW), 0x0000000012345003);
	EQ64(enc_sl(0x12345000, SL_RW | SL_SNP), 0x0000000012345803);
	EQ64(enc_sl(0x12345000, SL_R), 0x0000000012345001);
	EQ64(enc_sl(0x40000000, SL_RW | SL_PS), 0x0000000040000083);
	EQ64(enc_sl(0x5000, SL_RW), 0x0000000000005003);
}

Test(vectors, t6_t7_first_stage_entries)
{
	EQ64(enc_fl(0x12345000, FL_P | FL_RW | FL_US | FL_A | FL_D),
	     0x0000000012345067);
	EQ64(enc_fl(0x6000, FL_P | FL_RW | FL_US | FL_A), 0x0000000000006027);
}

Test(vectors, t8_t9_iova_slicing)
{
	uint64_t a = 0x7FFFDEADB000ull, b = 0x0123456789ABC000ull;

	cr_assert_eq(idx(a, 4), 0xFF);
	cr_assert_eq(idx(a, 3), 0x1FF);
	cr_assert_eq(idx(a, 2), 0xF5);
	cr_assert_eq(idx(a, 1), 0xDB);
	cr_assert_eq(a & 0xfff, 0);
	cr_assert(a >= 1ull << 39 && a < 1ull << 48);
	cr_assert_eq(idx(b, 5), 0x123);
	cr_assert_eq(idx(b, 4), 0x8A);
	cr_assert_eq(idx(b, 3), 0x19E);
	cr_assert_eq(idx(b, 2), 0x4D);
	cr_assert_eq(idx(b, 1), 0xBC);
}

Test(vectors, t10_t36_psi_address_mask)
{
	uint64_t addr;
	unsigned int am;

	psi_calc(0x10000, 0x1FFFF, &addr, &am);
	cr_assert_eq(am, 4);
	EQ64(addr, 0x10000);
	psi_calc(0x3000, 0x6FFF, &addr, &am);
	cr_assert_eq(am, 3);
	EQ64(addr, 0);
}

Test(vectors, t11_t12_iotlb_descriptors)
{
	uint64_t q[4];

	dsc_iotlb(q, 3, false, false, 5, 0x10000, 4, false);
	EQ64(q[0], 0x0000000000050032);
	EQ64(q[1], 0x0000000000010004);
	dsc_iotlb(q, 3, true, true, 5, 0x10000, 4, false);
	EQ64(q[0], 0x00000000000500F2);
	dsc_iotlb(q, 2, false, false, 5, 0, 0, false);
	EQ64(q[0], 0x0000000000050022);
	EQ64(q[1], 0);
	dsc_iotlb(q, 1, false, false, 0, 0, 0, false);
	EQ64(q[0], 0x0000000000000012);
	EQ64(q[1], 0);
}

Test(vectors, t13_t14_context_cache_and_wait)
{
	uint64_t q[4];

	dsc_cc(q, 1, 0, 0, 0);
	EQ64(q[0], 0x0000000000000011);
	dsc_cc(q, 3, 5, 0x0300, 0);
	EQ64(q[0], 0x0000030000050031);
	EQ64(q[1], 0);
	dsc_wait(q, false, true, false, 2, 0x1100040);
	EQ64(q[0], 0x0000000200000025);
	EQ64(q[1], 0x1100040);
	dsc_wait(q, false, true, true, 2, 0x1100040);
	EQ64(q[0], 0x0000000200000065);
	dsc_wait(q, true, false, false, 0, 0);
	EQ64(q[0], 0x0000000000000015);
}

Test(vectors, t15_t19_pasid_indexing_and_offsets)
{
	uint32_t pasid = 0x12345;

	cr_assert_eq(pasid >> 6, 0x48D);
	cr_assert_eq(8 * (pasid >> 6), 0x2468);
	cr_assert_eq(pasid & 0x3f, 0x05);
	cr_assert_eq(64 * (pasid & 0x3f), 0x140);
	/* T19: root entry for bus 3; legacy context devfn 0x08; SM 0x85 */
	cr_assert_eq(16 * 3, 0x30);
	cr_assert_eq(16 * 0x08, 0x80);
	cr_assert_eq(32 * (0x85 & 0x7f), 0xA0);
}

Test(vectors, t16_t18_legacy_root_and_context)
{
	uint64_t e[2];

	enc_root(e, 0x2000000, true);
	EQ64(e[0], 0x0000000002000001);
	EQ64(e[1], 0);
	enc_ctx(e, 0x1000000, 0, 2, 5, false, true);
	EQ64(e[0], 0x0000000001000001);
	EQ64(e[1], 0x0000000000000502);
	enc_ctx(e, 0, 2, 2, 1, false, true);
	EQ64(e[0], 0x0000000000000009);
	EQ64(e[1], 0x0000000000000102);
}

Test(vectors, t20_t21_scalable_root_and_context)
{
	uint64_t e[4];

	enc_sm_root(e, 0x8000000, true, 0x9000000, true);
	EQ64(e[0], 0x0000000008000001);
	EQ64(e[1], 0x0000000009000001);
	enc_sm_ctx(e, 0x3000000, 7, 0, 0, true);
	EQ64(e[0], 0x0000000003000E01);
	EQ64(e[1], 0);
	enc_sm_ctx(e, 0x3000000, 7, CE_DTE | CE_PASIDE | CE_PRE, 0, true);
	EQ64(e[0], 0x0000000003000E1D);
	EQ64(e[2], 0);
	EQ64(e[3], 0);
}

Test(vectors, t22_t23_pasid_entries)
{
	uint64_t e[8];
	struct pe sl = {.p = true,
			.aw = 2,
			.pgtt = PGTT_SL,
			.did = 5,
			.pwsnp = true,
			.slptptr = 0x4000000};
	struct pe fl = {.p = true,
			.aw = 2,
			.pgtt = PGTT_FL,
			.did = 1,
			.pwsnp = true,
			.flptptr = 0x7000000,
			.nxe = true};
	int i;

	enc_pe(e, &sl);
	EQ64(e[0], 0x0000000004000089);
	EQ64(e[1], 0x0000000000800005);
	for (i = 2; i < 8; i++)
		EQ64(e[i], 0);
	enc_pe(e, &fl);
	EQ64(e[0], 0x0000000000000049);
	EQ64(e[1], 0x0000000000800001);
	EQ64(e[2], 0x0000000007000020);
	EQ64(enc_pde(0x5000, false, true), 0x5001);
}

Test(vectors, t24_t30_pasid_based_descriptors)
{
	uint64_t q[4];

	dsc_piotlb(q, 3, 1, 0x12345, 0x200000, 9, false);
	EQ64(q[0], 0x0001234500010036);
	EQ64(q[1], 0x0000000000200009);
	dsc_piotlb(q, 2, 1, 0x12345, 0, 0, false);
	EQ64(q[0], 0x0001234500010026);
	EQ64(q[1], 0);
	dsc_pc(q, 1, 1, 0x12345);
	EQ64(q[0], 0x0001234500010017);
	dsc_pc(q, 3, 0, 0);
	EQ64(q[0], 0x0000000000000037);
	dsc_devtlb(q, 0x0300, 0, 0, 0x107000, true);
	EQ64(q[0], 0x0000030000000003);
	EQ64(q[1], 0x0000000000107001);
	dsc_devtlb(q, 0x0300, 0x0100, 0, 0x107000, true);
	EQ64(q[0], 0x0100030000000003);
	dsc_devtlb(q, 0x0300, 0, 0, 0x7FFFFFFFFFFFF000ull, true);
	EQ64(q[1], 0x7FFFFFFFFFFFF001);
	dsc_pdevtlb(q, 0x0300, 0x12345, 0, false, true, 0x107000);
	EQ64(q[0], 0x0001234503000008);
	EQ64(q[1], 0x0000000000107800);
	dsc_iec(q, false, 0, 0);
	EQ64(q[0], 0x0000000000000004);
	dsc_iec(q, true, 0x20, 2);
	EQ64(q[0], 0x0000002010000014);
	dsc_pgrp(q, true, 0, 0x0300, 0x12345, 0x10);
	EQ64(q[0], 0x0001234503000019);
	EQ64(q[1], 0x0000000000000080);
}

Test(vectors, t31_t33_fault_records_and_fsts)
{
	uint64_t w[2] = {0x00007FFFDEADB000ull, 0x8000000500000010ull};
	uint64_t r[2] = {0, 0xC123455980000010ull};
	uint32_t fsts = 0x00000302;
	struct frec f;

	dec_frcd(w, &f);
	cr_assert(f.f);
	cr_assert(!f.t1, "T1 = 0 is a write");
	cr_assert_eq(f.fr, 0x05);
	cr_assert_eq(f.sid, 0x10);
	cr_assert(!f.pp);
	EQ64(f.fi, 0x7FFFDEADB000);
	dec_frcd(r, &f);
	cr_assert(f.f && f.t1 && f.pp);
	cr_assert_eq(f.fr, 0x59);
	cr_assert_eq(f.pv, 0x12345);
	cr_assert_eq(f.sid, 0x10);
	/* Linux's dword view */
	cr_assert_eq((uint32_t)(r[1] >> 32), 0xC1234559u);
	cr_assert_eq((uint32_t)r[1], 0x80000010u);
	cr_assert(fsts & FS_PPF);
	cr_assert_eq((fsts >> 8) & 0xff, 3);
}

Test(vectors, t34_t35_queue_sizes_and_tail)
{
	cr_assert_eq(1u << (0 + 8), 256);
	cr_assert_eq(1u << (7 + 8), 32768);
	cr_assert_eq(1u << (1 + 7), 256);
	cr_assert_eq(1u << (7 + 7), 16384);
	cr_assert_eq(5u << 4, 0x50);
	cr_assert_eq(5u << 5, 0xA0);
}

Test(vectors, t37_t38_cap_ecap_decode)
{
	uint64_t cap = 0x00D2008C222F0686ull, ecap = 0x0000C99800000F46ull;

	cr_assert_eq(cap & 7, 6);		       /* ND: 65536 DIDs */
	cr_assert_eq(cap >> 7 & 1, 1);		       /* CM */
	cr_assert_eq(cap >> 8 & 0x1f, 0x6);	       /* SAGAW 39 + 48 */
	cr_assert_eq((cap >> 16 & 0x3f) + 1, 48);      /* MGAW */
	cr_assert_eq((cap >> 24 & 0x3ff) * 16, 0x220); /* FRO */
	cr_assert_eq(cap >> 34 & 0xf, 3);	       /* SLLPS 2M + 1G */
	cr_assert_eq(cap >> 39 & 1, 1);		       /* PSI */
	cr_assert_eq((cap >> 40 & 0xff) + 1, 1);       /* NFR */
	cr_assert_eq(cap >> 48 & 0x3f, 18);	       /* MAMV */
	cr_assert_eq(cap >> 54 & 3, 3);		       /* DWD, DRD */
	cr_assert_eq(ecap >> 1 & 1, 1);		       /* QI */
	cr_assert_eq(ecap >> 2 & 1, 1);		       /* DT */
	cr_assert_eq(ecap >> 6 & 1, 1);		       /* PT */
	cr_assert_eq((ecap >> 8 & 0x3ff) * 16, 0xF0);  /* IRO */
	cr_assert_eq((ecap >> 35 & 0x1f) + 1, 20);     /* PSS + 1 */
	cr_assert_eq(ecap >> 40 & 1, 1);	       /* PASID */
	cr_assert_eq(ecap >> 43 & 1, 1);	       /* SMTS */
	cr_assert_eq(ecap >> 46 & 3, 3);	       /* SLTS, FLTS */
}

/* ---- the model's identification registers ------------------------------ */

Test(model_regs, cap_follows_the_configuration)
{
	struct vt g;
	uint64_t cap;

	vt_create(&g, false,
		  "aw = 48\nhaw = 48\nfault_records = 8\n"
		  "caching_mode = no\nsp_2m = yes\nsp_1g = yes\n"
		  "fl_1g = yes\nfl_5level = no");
	cap = g.cap;
	cr_assert_eq(cap >> 8 & 0x1f, 0x6, "SAGAW 0x%llx for aw 48",
		     U(cap >> 8 & 0x1f));
	cr_assert_eq((cap >> 16 & 0x3f) + 1, 48, "MGAW");
	cr_assert_eq(cap >> 7 & 1, 0, "CM");
	cr_assert_eq(cap >> 34 & 0xf, 3, "SLLPS");
	cr_assert_eq(cap >> 39 & 1, 1, "PSI");
	cr_assert_eq(g.nfr, 8, "NFR + 1 = %u", g.nfr);
	cr_assert_eq(cap >> 56 & 1, 1, "FL1GP");
	cr_assert_eq(cap >> 60 & 1, 0, "FL5LP");
	cr_assert(g.fro >= 0x100 && (g.fro & 0xf) == 0,
		  "FRCD at 0x%llx overlaps the fixed registers", U(g.fro));
	cr_assert(g.iro >= 0xF0, "IOTLB registers at 0x%llx", U(g.iro));
	cr_assert(g.fro + 16 * g.nfr <= g.iro || g.iro + 16 <= g.fro,
		  "FRCD and IOTLB registers overlap");
	cr_assert(cap & 7, "ND 0: only 16 domain ids");
	vt_destroy(&g);

	vt_create(&g, false,
		  "aw = 39\ncaching_mode = yes\nfault_records = 1\n"
		  "sp_1g = no");
	cr_assert_eq(g.cap >> 8 & 0x1f, 0x2, "SAGAW for aw 39");
	cr_assert_eq((g.cap >> 16 & 0x3f) + 1, 39, "MGAW for aw 39");
	cr_assert_eq(g.cap >> 7 & 1, 1, "CM");
	cr_assert_eq(g.cap >> 34 & 0xf, 1, "SLLPS 2M only");
	cr_assert_eq(g.nfr, 1);
	vt_destroy(&g);

	vt_create(&g, false, "aw = 57");
	cr_assert_eq(g.cap >> 8 & 0x1f, 0xE, "SAGAW for aw 57");
	vt_destroy(&g);
}

Test(model_regs, ecap_follows_the_configuration)
{
	struct vt g;
	uint64_t ecap;

	vt_create(&g, false,
		  "scalable_mode = yes\npasid_bits = 20\n"
		  "first_stage = yes\nsecond_stage = yes\npass_through = yes\n"
		  "nesting = no");
	ecap = g.ecap;
	cr_assert_eq(ecap >> 1 & 1, 1, "QI");
	cr_assert_eq(ecap >> 6 & 1, 1, "PT");
	cr_assert_eq((ecap >> 35 & 0x1f) + 1, 20, "PSS");
	cr_assert_eq(ecap >> 40 & 1, 1, "PASID");
	cr_assert_eq(ecap >> 43 & 1, 1, "SMTS");
	cr_assert_eq(ecap >> 46 & 1, 1, "SLTS");
	cr_assert_eq(ecap >> 47 & 1, 1, "FLTS");
	cr_assert_eq(ecap >> 26 & 1, 0, "NEST");
	vt_destroy(&g);

	vt_create(&g, false,
		  "scalable_mode = no\npasid_bits = 0\n"
		  "pass_through = no");
	ecap = g.ecap;
	cr_assert_eq(ecap >> 1 & 1, 1, "QI");
	cr_assert_eq(ecap >> 6 & 1, 0, "PT");
	cr_assert_eq(ecap >> 40 & 1, 0, "PASID");
	cr_assert_eq(ecap >> 43 & 1, 0, "SMTS");
	vt_destroy(&g);
}

Test(model_regs, reset_state)
{
	struct vt g;

	vt_create(&g, false, NULL);
	cr_assert_neq(vt_rd32(&g, R_VER) & 0xff, 0, "VER reads 0");
	cr_assert_eq(vt_rd32(&g, R_GSTS), 0, "GSTS 0x%x at reset",
		     vt_rd32(&g, R_GSTS));
	cr_assert_eq(vt_rd32(&g, R_GCMD), 0, "GCMD reads back");
	cr_assert_eq(vt_rd32(&g, R_FSTS), 0);
	cr_assert_eq(vt_rd64(&g, R_IQH), 0);
	cr_assert_eq(vt_rd64(&g, R_IQT), 0);
	cr_assert(vt_rd32(&g, R_FECTL) >> 31, "FECTL.IM is set at reset");
	vt_destroy(&g);
}

/* A write to a read-only register is ignored (or refused, -EINVAL). */
static void wr_ro(struct vt *g, uint64_t off, unsigned int size, uint64_t v)
{
	int ret = iommu_hw_mmio_write(g->ctx, off, size, v);

	cr_assert(ret == 0 || ret == -EINVAL, "write to RO 0x%llx: %d", U(off),
		  ret);
}

Test(model_regs, read_only_registers_ignore_writes)
{
	struct vt g;
	uint64_t cap, ecap;
	uint32_t ver;

	vt_create(&g, false, NULL);
	cap = g.cap;
	ecap = g.ecap;
	ver = vt_rd32(&g, R_VER);
	wr_ro(&g, R_CAP, 8, ~cap);
	wr_ro(&g, R_ECAP, 8, ~ecap);
	wr_ro(&g, R_VER, 4, ~ver);
	wr_ro(&g, R_GSTS, 4, 0xffffffffu);
	EQ64(vt_rd64(&g, R_CAP), cap);
	EQ64(vt_rd64(&g, R_ECAP), ecap);
	cr_assert_eq(vt_rd32(&g, R_VER), ver);
	cr_assert_eq(vt_rd32(&g, R_GSTS), 0, "GSTS took a write");
	/* IQH is read-only (2.4) */
	wr_ro(&g, R_IQH, 8, 0x40);
	cr_assert_eq(vt_rd64(&g, R_IQH), 0, "IQH took a write");
	/* FSTS.PPF is derived: writing it does not set it */
	vt_wr(&g, R_FSTS, 4, 0xffffffffu);
	cr_assert_eq(vt_rd32(&g, R_FSTS), 0, "FSTS 0x%x after writing ones",
		     vt_rd32(&g, R_FSTS));
	/* RTADDR bits 9:0 are reserved and read 0 */
	vt_wr(&g, R_RTADDR, 8, 0x1234000ull | 0x3ff);
	EQ64(vt_rd64(&g, R_RTADDR) & 0x3ff, 0);
	EQ64(vt_rd64(&g, R_RTADDR) & ~0xfffull, 0x1234000);
	vt_destroy(&g);
}

Test(model_regs, bad_offsets_and_sizes_rejected)
{
	struct vt g;
	uint64_t v;

	vt_create(&g, false, NULL);
	cr_assert_eq(iommu_hw_mmio_read(g.ctx, R_CAP, 3, &v), -EINVAL);
	cr_assert_eq(iommu_hw_mmio_write(g.ctx, R_GCMD, 0, 0), -EINVAL);
	cr_assert_eq(iommu_hw_mmio_read(g.ctx, 1ull << 40, 4, &v), -EINVAL);
	cr_assert_eq(iommu_hw_mmio_read(g.ctx, R_CAP, 8, NULL), -EINVAL);
	/* the unit is still alive */
	EQ64(vt_rd64(&g, R_CAP), g.cap);
	vt_destroy(&g);
}
