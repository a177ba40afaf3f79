// SPDX-License-Identifier: MIT
/*
 * test_vectors.c - the guest encoders against the spec sheet's test
 * vectors (shared/spec/smmuv3.md 11, TV1-TV10), written here as literal
 * numbers, and the model's own records and table lookups where a vector
 * describes hardware behaviour (TV9 event record, TV10 indexing).
 */
#include <string.h>

#include <criterion/criterion.h>

#include "sg.h"

#define EQ64(got, exp)                                                         \
	cr_assert_eq((uint64_t)(got), (uint64_t)(exp),                         \
		     "%s = 0x%016llx, want 0x%016llx", #got, U64(got),         \
		     U64(exp))

Test(vectors, tv1_stage1_page_descriptors)
{
	uint64_t oa = 0x0000000812345000ull;

	EQ64(s1_page(12, oa, true), 0x0000000812345F47ull);
	/* privileged-only RW (AP 0b00) and global */
	EQ64(enc_oa(12, oa) | D_TABLE | D_IDX(1) | D_AP(0) | D_SH(3) | D_AF,
	     0x0000000812345707ull);
	/* read-only (AP 0b11) */
	EQ64(enc_oa(12, oa) | D_TABLE | D_IDX(1) | D_AP(3) | D_SH(3) | D_AF |
		 D_NG,
	     0x0000000812345FC7ull);
	EQ64(s1_page(12, oa, true) | D_PXN | D_UXN, 0x0060000812345F47ull);
}

Test(vectors, tv1_stage2_page_descriptor)
{
	EQ64(s2_page(12, 0x0000000812345000ull, true), 0x00000008123457FFull);
}

Test(vectors, tv2_walk_indices_every_granule)
{
	const uint64_t va = 0x00007FABCDEF0000ull;
	struct sg_tt t4 = {.g = 12, .ia = 48, .start = 0, .top = 9};
	struct sg_tt t64 = {.g = 16, .ia = 48, .start = 1, .top = 6};
	struct sg_tt t16 = {.g = 14, .ia = 47, .start = 1, .top = 11};
	struct sg_tt t32 = {.g = 12, .ia = 32, .start = 1, .top = 2};

	cr_assert_eq(sg_tt_index(&t4, va, 0), 0xFF);
	cr_assert_eq(sg_tt_index(&t4, va, 1), 0xAF);
	cr_assert_eq(sg_tt_index(&t4, va, 2), 0x6F);
	cr_assert_eq(sg_tt_index(&t4, va, 3), 0xF0);
	cr_assert_eq(sg_tt_index(&t64, va, 1), 0x1F);
	cr_assert_eq(sg_tt_index(&t64, va, 2), 0x1D5E);
	cr_assert_eq(sg_tt_index(&t64, va, 3), 0xDEF);
	cr_assert_eq(sg_tt_index(&t16, va, 1), 0x7FA);
	cr_assert_eq(sg_tt_index(&t16, va, 2), 0x5E6);
	cr_assert_eq(sg_tt_index(&t16, va, 3), 0x7BC);
	cr_assert_eq(sg_tt_index(&t32, 0x80001000ull, 1), 2);
	cr_assert_eq(sg_tt_index(&t32, 0x80001000ull, 2), 0);
	cr_assert_eq(sg_tt_index(&t32, 0x80001000ull, 3), 1);
}

Test(vectors, tv3_ste_config_values_and_stage1_ste)
{
	static const unsigned int cfg[5] = {0, 4, 5, 6, 7};
	static const uint64_t nib[5] = {0x1, 0x9, 0xB, 0xD, 0xF};
	struct ste s = {0};
	uint64_t dw[8];

	for (int i = 0; i < 5; i++) {
		memset(&s, 0, sizeof(s));
		s.v = true;
		s.config = cfg[i];
		enc_ste(dw, &s);
		cr_assert_eq(dw[0] & 0xf, nib[i], "Config %u: 0x%llx", cfg[i],
			     U64(dw[0]));
	}
	memset(&s, 0, sizeof(s));
	s.v = true;
	s.config = 5;
	s.s1ctxptr = 0x40000000;
	s.s1cir = s.s1cor = 1;
	s.s1csh = 3;
	enc_ste(dw, &s);
	EQ64(dw[0], 0x000000004000000Bull);
	EQ64(dw[1], 0x00000000000000D4ull);
}

Test(vectors, tv4_stage1_cd)
{
	uint64_t dw[8];
	struct cd c;

	cd_linux(&c, 16, 0, 5, 1, 0x0000000880000000ull);
	enc_cd(dw, &c);
	EQ64(dw[0], 0x0001E205C0003510ull);
	EQ64(dw[1], 0x0000000880000000ull);
	EQ64(dw[3], 0x00000000F404FF44ull);
}

Test(vectors, tv5_stage2_concatenated_start)
{
	struct sg_tt t = {.g = 12, .ia = 40, .start = 1, .top = 10};
	const uint64_t ipa = 0x0000008040201234ull;
	struct ste s = {0};
	uint64_t dw[8];

	cr_assert_eq(sg_tt_index(&t, ipa, 1), 513);
	cr_assert_eq(sg_tt_index(&t, ipa, 2), 1);
	cr_assert_eq(sg_tt_index(&t, ipa, 3), 1);
	cr_assert_eq(ipa & 0xfff, 0x234);
	sg_ste_s2(&s, &t, 0);
	enc_ste(dw, &s);
	cr_assert_eq((dw[2] >> 32) & 63, 24, "S2T0SZ");
	cr_assert_eq((dw[2] >> 38) & 3, 1, "S2SL0");
}

Test(vectors, tv6_52bit_output_64k)
{
	EQ64(enc_oa(16, 0x000F000012340000ull), 0x000000001234F000ull);
	EQ64(s1_page(16, 0x000F000012340000ull, true), 0x000000001234FF47ull);
}

Test(vectors, tv7_command_encodings)
{
	uint64_t q[2];

	cmd_cfgi_ste(q, 0x10, true);
	EQ64(q[0], 0x0000001000000003ull);
	EQ64(q[1], 1);
	cmd_cfgi_all(q);
	EQ64(q[0], 0x4);
	EQ64(q[1], 0x1F);
	cmd_cfgi_cd(q, 0x10, 3, true);
	EQ64(q[0], 0x0000001000003005ull);
	EQ64(q[1], 1);
	cmd_tlbi_nh_va(q, 0, 1, 0x12345000, true);
	EQ64(q[0], 0x0001000000000012ull);
	EQ64(q[1], 0x0000000012345001ull);
	cmd_tlbi_nh_asid(q, 0, 1);
	EQ64(q[0], 0x0001000000000011ull);
	EQ64(q[1], 0);
	cmd_tlbi_s2_ipa(q, 5, 0x8040201000ull, true);
	EQ64(q[0], 0x000000050000002Aull);
	EQ64(q[1], 0x0000008040201001ull);
	cmd_tlbi_s12_vmall(q, 5);
	EQ64(q[0], 0x0000000500000028ull);
	EQ64(q[1], 0);
	cmd_sync(q, 1, 3, 0xF, 0, 0x40001230);
	EQ64(q[0], 0x000000000FC01046ull);
	EQ64(q[1], 0x0000000040001230ull);
	cmd_sync(q, 2, 0, 0, 0, 0);
	EQ64(q[0], 0x2046);
	cmd_sync(q, 0, 0, 0, 0, 0);
	EQ64(q[0], 0x46);
}

Test(vectors, tv8_range_tlbi_split)
{
	uint64_t out[4][3];
	unsigned int n;

	n = tlbi_range_split(0x100000, 33, 12, out, 4);
	cr_assert_eq(n, 2);
	EQ64(out[0][0], 0x100000);
	cr_assert(out[0][1] == 0 && out[0][2] == 0);
	EQ64(out[1][0], 0x101000);
	cr_assert(out[1][1] == 5 && out[1][2] == 0);
	n = tlbi_range_split(0x100000, 34, 12, out, 4);
	cr_assert_eq(n, 1);
	cr_assert(out[0][1] == 1 && out[0][2] == 16);
	/* one 2 MiB block: granule 2 MiB (512 pages of 4K) */
	n = tlbi_range_split(0x200000, 512, 12, out, 4);
	cr_assert_eq(n, 1);
	cr_assert(out[0][1] == 9 && out[0][2] == 0);
}

Test(vectors, tv9_translation_fault_record)
{
	struct sg_tt t;
	uint64_t cd;
	struct sg g;
	struct evt e;

	sg_create(&g, NULL);
	sg_init(&g, false, 13);
	sg_s1_dev(&g, SID_A, 12, 1, &t, &cd);
	sg_tr_fault(&g, SID_A, NP, 0x12345678, AR, E_TRANSLATION, &e);
	EQ64(e.raw[0], 0x0000001000000010ull);
	EQ64(e.raw[1], 0x0000020800000000ull);
	EQ64(e.raw[2], 0x0000000012345678ull);
	EQ64(e.raw[3], 0);
	sg_destroy(&g);
}

Test(vectors, tv10_indexing_and_register_values)
{
	struct ste s = {.v = true, .config = 4};
	struct sg g;

	cr_assert_eq(enc_strtab_cfg(1, 8, 16), 0x00010210);
	cr_assert_eq(enc_strtab_cfg(0, 0, 16), 0x00000010);
	EQ64(enc_q_base(0x80000000, 8, true), 0x4000000080000008ull);
	/* LOG2SIZE 2: PROD 0b100, CONS 0b000 is full */
	cr_assert((0x4u & 3) == (0x0u & 3) && (0x4u >> 2) != (0x0u >> 2));
	cr_assert_eq(0x12345u >> 10, 72);
	cr_assert_eq((0x12345u & 1023) * 64, 0xD140);
	cr_assert_eq(0x12345u >> 6, 1165);
	cr_assert_eq(0x12345u & 63, 5);
	/* The model finds SID 0x1234 at L1 index 0x12, L2 index 0x34. */
	sg_create(&g, NULL);
	sg_init(&g, true, 16);
	sg_ste_set(&g, SID_D, &s);
	cr_assert_eq(sg_ste_addr(&g, SID_D), g.l2[0x12] + 0x34 * 64);
	cr_assert_eq(sg_rd64m(&g, SG_ST + 0x12 * 8) & 31, 9, "Span 9");
	sg_tr_ok(&g, SID_D, NP, 0x5000, AR, 0x5000);
	/* SID 0x10: its L1STD (index 0) has Span 0. */
	sg_tr_fault(&g, SID_A, NP, 0x5000, AR, E_BAD_STREAMID, NULL);
	sg_destroy(&g);
}
