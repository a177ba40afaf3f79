// SPDX-License-Identifier: MIT
/*
 * test_ste.c - the Stream table (sheet 2.1-2.3: linear, 2-level, Span
 * and SPLIT rules, fetch aborts) and every STE validity rule of sheet 2.6
 * producing C_BAD_STE, each from an STE that translates before the one
 * field is changed.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "sg.h"

/* SID_A: stage 1 with one CD; 0x1000 -> SG_DATA. */
static void s1_base(struct sg *g, struct ste *s)
{
	struct sg_tt t;
	uint64_t cd;

	sg_s1_dev(g, SID_A, 12, 1, &t, &cd);
	sg_tt_map(g, &t, 0x1000, 3, s1_page(12, SG_DATA, true));
	memset(s, 0, sizeof(*s));
	s->v = true;
	s->config = 5;
	s->s1ctxptr = cd;
	s->s1cir = s->s1cor = 1;
	s->s1csh = 3;
	sg_inv_ste(g, SID_A);
	sg_tr_ok(g, SID_A, NP, 0x1000, AR, SG_DATA);
}

/* SID_B: stage 2 only, 4K, 40-bit IPA from two concatenated L1 tables;
 * 0x2000 -> SG_DATA + 0x1000. */
static void s2_base(struct sg *g, struct ste *s)
{
	struct sg_tt t;

	sg_tt_new(g, &t, 12, 40, 1);
	sg_tt_map(g, &t, 0x2000, 3, s2_page(12, SG_DATA + 0x1000, true));
	memset(s, 0, sizeof(*s));
	sg_ste_s2(s, &t, 3);
	sg_ste_set(g, SID_B, s);
	sg_inv_ste(g, SID_B);
	sg_tr_ok(g, SID_B, NP, 0x2000, AR, SG_DATA + 0x1000);
}

#define bad(g, sid, s)	(SG_AT(g), bad_((g), (sid), (s)))
#define good(g, sid, s) (SG_AT(g), good_((g), (sid), (s)))

/* Write @s as @sid's STE and CFGI_STE it, keeping the caller's line. */
static void ste_replace(struct sg *g, uint32_t sid, const struct ste *s)
{
	const char *file = g->at_file;
	int line = g->at_line;

	sg_ste_set(g, sid, s);
	sg_inv_ste(g, sid);
	sg_at(g, file, line);
}

static void bad_(struct sg *g, uint32_t sid, const struct ste *s)
{
	ste_replace(g, sid, s);
	sg_tr_fault_(g, sid, NP, sid == SID_A ? 0x1000 : 0x2000, AR, E_BAD_STE,
		     NULL);
}

static void good_(struct sg *g, uint32_t sid, const struct ste *s)
{
	ste_replace(g, sid, s);
	sg_tr_ok_(g, sid, NP, sid == SID_A ? 0x1000 : 0x2000, AR,
		  sid == SID_A ? SG_DATA : SG_DATA + 0x1000);
}

static void up(struct sg *g, const char *ini)
{
	sg_create(g, ini);
	sg_init(g, false, 13);
}

Test(ste, v0_is_bad_ste_with_sid_and_ssid)
{
	struct ste s;
	struct evt e;
	struct sg g;

	up(&g, NULL);
	s1_base(&g, &s);
	s.v = false;
	bad(&g, SID_A, &s);
	sg_tr_fault(&g, SID_A, 7, 0x1000, AR, E_BAD_STE, &e);
	cr_assert(e.ssv && e.ssid == 7, "SSV/SSID of the request");
	cr_assert_eq(e.raw[1] | e.raw[2] | e.raw[3], 0, "SID and SSID only");
	sg_destroy(&g);
}

Test(ste, config_needs_its_stage)
{
	struct ste s;
	struct sg g;

	up(&g, "stage1 = no\n");
	s2_base(&g, &s);
	s.config = 7;
	bad(&g, SID_B, &s);
	s.config = 5;
	bad(&g, SID_B, &s);
	sg_destroy(&g);
	up(&g, "stage2 = no\n");
	s1_base(&g, &s);
	s.config = 6;
	bad(&g, SID_A, &s);
	s.config = 7;
	bad(&g, SID_A, &s);
	sg_destroy(&g);
}

Test(ste, s1cdmax_beyond_ssidsize)
{
	struct ste s;
	struct sg g;

	up(&g, "ssid_bits = 4\n");
	s1_base(&g, &s);
	s.s1cdmax = 5;
	bad(&g, SID_A, &s);
	sg_destroy(&g);
	up(&g, "ssid_bits = 0\n");
	s1_base(&g, &s);
	s.s1cdmax = 1;
	bad(&g, SID_A, &s);
	sg_destroy(&g);
}

Test(ste, s1fmt_needs_cd2l_s1stalld_is_illegal)
{
	struct ste s;
	struct sg g;

	up(&g, "cd_table_2level = no\n");
	s1_base(&g, &s);
	s.s1cdmax = 2;
	s.s1dss = 1; /* no-SSID traffic bypasses stage 1 */
	s.s1fmt = 1;
	bad(&g, SID_A, &s);
	s.s1fmt = 3;
	bad(&g, SID_A, &s);
	s.s1fmt = 0;
	s.s1ctxptr = SG_DATA; /* never read: S1DSS bypass */
	sg_ste_set(&g, SID_A, &s);
	sg_inv_ste(&g, SID_A);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, 0x1000);
	s1_base(&g, &s);
	s.s1stalld = true;
	bad(&g, SID_A, &s);
	sg_destroy(&g);
}

Test(ste, strw_reserved_and_el2_without_hyp)
{
	struct ste s;
	struct sg g;

	up(&g, NULL);
	s1_base(&g, &s);
	s.strw = 1;
	bad(&g, SID_A, &s);
	s.strw = 3;
	bad(&g, SID_A, &s);
	s2_base(&g, &s);
	s.strw = 1; /* ignored with stage 2 enabled */
	good(&g, SID_B, &s);
	sg_destroy(&g);
	up(&g, "hyp = no\n");
	s1_base(&g, &s);
	s.strw = 2;
	bad(&g, SID_A, &s);
	sg_destroy(&g);
}

Test(ste, eats_rules)
{
	struct ste s;
	struct sg g;

	up(&g, NULL);
	s1_base(&g, &s);
	s.eats = 1;
	good(&g, SID_A, &s);
	s.eats = 2; /* split-stage: NS1ATS */
	bad(&g, SID_A, &s);
	s.eats = 3; /* no DPT */
	bad(&g, SID_A, &s);
	sg_destroy(&g);
	up(&g, "ats = no\n");
	s1_base(&g, &s);
	s.eats = 1;
	bad(&g, SID_A, &s);
	sg_destroy(&g);
}

Test(ste, vmid_upper_bits_need_vmid16)
{
	struct ste s;
	struct sg g;

	up(&g, "vmid16 = no\n");
	s2_base(&g, &s);
	s.vmid = 0x1ff;
	bad(&g, SID_B, &s);
	s.vmid = 0xff;
	good(&g, SID_B, &s);
	s1_base(&g, &s);
	s.vmid = 0x100; /* tags stage-1-only NS-EL1 entries too */
	bad(&g, SID_A, &s);
	sg_destroy(&g);
}

Test(ste, s2tg_reserved_or_unsupported)
{
	struct ste s;
	struct sg g;

	up(&g, "granule_16k = no\n");
	s2_base(&g, &s);
	s.s2tg = 3;
	bad(&g, SID_B, &s);
	s.s2tg = 2; /* 16K: not in IDR5 */
	bad(&g, SID_B, &s);
	sg_destroy(&g);
}

Test(ste, s2aa64_s2endi_s2s_s2fwb_s2ds)
{
	struct ste s, b;
	struct sg g;

	up(&g, NULL);
	s2_base(&g, &b);
	s = b;
	s.s2aa64 = false;
	bad(&g, SID_B, &s);
	s = b;
	s.s2endi = true;
	bad(&g, SID_B, &s);
	s = b;
	s.s2s = true;
	bad(&g, SID_B, &s);
	s = b;
	s.s2fwb = true;
	bad(&g, SID_B, &s);
	s = b;
	s.s2ds = true;
	bad(&g, SID_B, &s);
	s = b;
	s.s2sl0_2 = true;
	bad(&g, SID_B, &s);
	good(&g, SID_B, &b);
	sg_destroy(&g);
}

Test(ste, s2ha_s2hd_need_httu)
{
	struct ste s;
	struct sg g;

	up(&g, "httu = none\n");
	s2_base(&g, &s);
	s.s2ha = true;
	bad(&g, SID_B, &s);
	sg_destroy(&g);
	up(&g, "httu = af\n");
	s2_base(&g, &s);
	s.s2ha = true;
	good(&g, SID_B, &s);
	s.s2hd = true;
	bad(&g, SID_B, &s);
	sg_destroy(&g);
}

Test(ste, s2t0sz_and_s2sl0_must_be_consistent)
{
	struct ste s, b;
	struct sg g;

	up(&g, NULL);
	s2_base(&g, &b);
	s = b;
	s.s2t0sz = 40; /* above 39 without STT */
	bad(&g, SID_B, &s);
	s = b;
	s.s2t0sz = 15; /* below 16 for 4K without DS */
	s.s2sl0 = 2;
	bad(&g, SID_B, &s);
	s = b;
	s.s2sl0 = 0; /* T0SZ 24 from level 2: 19 bits, too many */
	bad(&g, SID_B, &s);
	s = b;
	s.s2sl0 = 3; /* level 3 needs STT */
	bad(&g, SID_B, &s);
	s = b;
	s.s2t0sz = 34; /* level 1 with a 30-bit IPA: no bits left */
	bad(&g, SID_B, &s);
	good(&g, SID_B, &b);
	sg_destroy(&g);
	up(&g, "oas = 40\n");
	s2_base(&g, &b);
	s = b;
	s.s2t0sz = 23; /* 64 - IAS(40) = 24 is the minimum */
	bad(&g, SID_B, &s);
	sg_destroy(&g);
}

Test(ste, s2ttb_beyond_s2ps)
{
	struct ste s, b;
	struct sg g;

	up(&g, "oas = 44\n");
	s2_base(&g, &b);
	s = b;
	s.s2ps = 2; /* 40 bits */
	s.s2ttb = (1ull << 40) | b.s2ttb;
	bad(&g, SID_B, &s);
	s.s2ps = 5; /* 48, but OAS is 44: effective 44 */
	s.s2ttb = (1ull << 44) | b.s2ttb;
	bad(&g, SID_B, &s);
	s.s2ttb = b.s2ttb;
	good(&g, SID_B, &s);
	sg_destroy(&g);
}

/* Sheet 2.6: S2TTB beyond 48 bits is ILLEGAL for 4K/16K without S2DS,
 * whatever S2PS says; with 64K its bits 51:48 are address bits. */
Test(ste, s2ttb_above_48_bits_only_with_64k)
{
	struct ste s, b;
	struct sg_tt t;
	struct evt e;
	struct sg g;

	up(&g, "oas = 52\n");
	s2_base(&g, &b);
	s = b;
	s.s2ps = 6; /* 52 bits: a 4K table still outputs 48 */
	good(&g, SID_B, &s);
	s.s2ttb = b.s2ttb | 1ull << 48;
	bad(&g, SID_B, &s);
	/* 64K, 48-bit IPA from level 1: valid, the root is not RAM */
	sg_tt_new(&g, &t, 16, 48, 1);
	memset(&s, 0, sizeof(s));
	sg_ste_s2(&s, &t, 4); /* a new VMID: VMID 3's entries stay cached */
	s.s2ps = 6;
	s.s2ttb = t.root | 1ull << 48;
	ste_replace(&g, SID_B, &s);
	sg_tr_fault(&g, SID_B, NP, 0x2000, AR, E_WALK_EABT, &e);
	cr_assert(e.s2, "stage-2 walk abort");
	cr_assert_eq(e.fetch, t.root | 1ull << 48, "FetchAddr %#llx",
		     U64(e.fetch));
	sg_destroy(&g);
}

Test(ste, abort_configs_are_silent_bypass_checks_the_oas)
{
	struct ste s = {.v = true};
	struct evt e;
	struct sg g;

	up(&g, NULL);
	for (unsigned int c = 0; c < 4; c++) {
		s.config = c;
		sg_ste_set(&g, SID_C, &s);
		sg_inv_ste(&g, SID_C);
		sg_tr_fault(&g, SID_C, NP, 0x1000, AR, 0, NULL);
	}
	s.config = 4;
	sg_ste_set(&g, SID_C, &s);
	sg_inv_ste(&g, SID_C);
	sg_tr_ok(&g, SID_C, NP, 0xFFFFFFFFF000ull, AW, 0xFFFFFFFFF000ull);
	sg_tr_fault(&g, SID_C, NP, 1ull << 48, AW, E_ADDR_SIZE, &e);
	cr_assert(!e.s2 && e.class == CL_IN && !e.rnw && e.addr == 1ull << 48);
	sg_destroy(&g);
}

Test(ste, illegal_stes_are_not_cached)
{
	struct ste s, b;
	struct sg g;

	up(&g, NULL);
	s1_base(&g, &b);
	s = b;
	s.strw = 1;
	bad(&g, SID_A, &s);
	/* fixed in memory, no CFGI: the next request reads it again */
	sg_ste_set(&g, SID_A, &b);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, SG_DATA);
	sg_destroy(&g);
}

Test(ste, fields_of_a_disabled_stage_are_ignored)
{
	struct ste s;
	struct sg g;

	up(&g, NULL);
	s1_base(&g, &s);
	s.s2tg = 3;
	s.s2t0sz = 63;
	s.s2sl0 = 3;
	s.s2s = true;
	s.s2ttb = 1ull << 50;
	good(&g, SID_A, &s);
	s2_base(&g, &s);
	s.s1cdmax = 31;
	s.s1fmt = 2;
	s.s1stalld = true;
	s.s1ctxptr = SG_UNBACKED;
	good(&g, SID_B, &s);
	sg_destroy(&g);
}

/* ---- Stream table ----------------------------------------------------------
 */

Test(st, linear_log2size_limits_the_streamids)
{
	struct ste s = {.v = true, .config = 4};
	struct sg g;

	up(&g, NULL);
	sg_wr(&g, S_CR0, 4, CR0_CMDQEN | CR0_EVENTQEN);
	sg_wr(&g, S_STRTAB_CFG, 4, enc_strtab_cfg(0, 0, 5));
	sg_wr(&g, S_CR0, 4, CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN);
	sg_ste_set(&g, SID_F, &s); /* 0x3f: beyond 2^5 */
	sg_ste_set(&g, SID_A, &s);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, 0x1000);
	sg_tr_fault(&g, SID_F, NP, 0x1000, AR, E_BAD_STREAMID, NULL);
	/* recorded only with CR2.RECINVSID */
	sg_wr(&g, S_CR2, 4, CR2_PTM);
	sg_tr_fault(&g, SID_F, NP, 0x1000, AR, 0, NULL);
	sg_destroy(&g);
}

Test(st, log2size_is_capped_by_sidsize_and_fmt_needs_support)
{
	struct ste s = {.v = true, .config = 4};
	struct sg g;

	sg_create_devs(&g, "sid_bits = 6\nstream_table_2level = no\n",
		       "[device.a]\nid = 0x10\n[device.f]\nid = 0x3f\n");
	sg_init(&g, false, 20); /* acts as 6 */
	sg_ste_set(&g, SID_F, &s);
	sg_tr_ok(&g, SID_F, NP, 0x1000, AR, 0x1000);
	/* FMT 2-level without ST_LEVEL support reads as linear */
	sg_cr0(&g, CR0_CMDQEN | CR0_EVENTQEN);
	sg_wr(&g, S_STRTAB_CFG, 4, enc_strtab_cfg(1, 8, 6));
	sg_cr0(&g, CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN);
	sg_ste_set(&g, SID_A, &s);
	sg_tr_ok(&g, SID_A, NP, 0x3000, AR, 0x3000);
	sg_destroy(&g);
}

Test(st, two_level_span_rules)
{
	static const unsigned int spans[] = {12, 10, 6}; /* 10.8 */
	struct ste s = {.v = true, .config = 4};
	uint64_t l1 = SG_ST + 8ull * (SID_D >> 8);
	struct sg g;

	sg_create(&g, NULL);
	sg_init(&g, true, 16);
	sg_ste_set(&g, SID_D, &s); /* L2 array of 256, Span 9 */
	sg_tr_ok(&g, SID_D, NP, 0x1000, AR, 0x1000);
	/* the STE is cached: an L1STD change needs CFGI_STE */
	sg_wr64m(&g, l1, enc_l1std(g.l2[0x12], 0));
	sg_tr_ok(&g, SID_D, NP, 0x1000, AR, 0x1000);
	sg_inv_ste(&g, SID_D);
	sg_tr_fault(&g, SID_D, NP, 0x1000, AR, E_BAD_STREAMID, NULL);
	/* reserved; > SPLIT + 1; Span 6 = 32 STEs, SID[7:0] = 0x34 beyond */
	for (int i = 0; i < 3; i++) {
		sg_wr64m(&g, l1, enc_l1std(g.l2[0x12], spans[i]));
		sg_inv_ste(&g, SID_D);
		sg_tr_fault(&g, SID_D, NP, 0x1000, AR, E_BAD_STREAMID, NULL);
	}
	sg_wr64m(&g, l1, enc_l1std(g.l2[0x12], 7)); /* 64 STEs */
	sg_inv_ste(&g, SID_D);
	sg_tr_ok(&g, SID_D, NP, 0x1000, AR, 0x1000);
	sg_destroy(&g);
}

Test(st, two_level_split_6_10_and_others_as_6)
{
	static const unsigned int splits[] = {6, 10, 7, 9};
	struct ste s = {.v = true, .config = 4};
	uint64_t dw[8];
	struct sg g;

	enc_ste(dw, &s);
	for (size_t i = 0; i < 4; i++) {
		unsigned int sp = splits[i], eff = sp == 10 ? 10 : 6;
		uint64_t l2;

		sg_create(&g, NULL);
		sg_init(&g, true, 16);
		sg_cr0(&g, CR0_CMDQEN | CR0_EVENTQEN);
		sg_wr(&g, S_STRTAB_CFG, 4, enc_strtab_cfg(1, sp, 16));
		sg_cr0(&g, CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN);
		l2 = sg_alloc(&g, 64ull << eff);
		sg_wr64m(&g, SG_ST + 8ull * (SID_D >> eff),
			 enc_l1std(l2, eff + 1));
		sg_wrn(&g, l2 + 64ull * (SID_D & ((1u << eff) - 1)), dw, 8);
		sg_tr_ok(&g, SID_D, NP, 0x1000, AR, 0x1000);
		sg_destroy(&g);
	}
}

Test(st, fetch_aborts_give_f_ste_fetch)
{
	struct evt e;
	struct sg g;

	up(&g, NULL);
	sg_cr0(&g, CR0_CMDQEN | CR0_EVENTQEN);
	sg_wr(&g, S_STRTAB, 8, SG_UNBACKED);
	sg_cr0(&g, CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN);
	sg_tr_fault(&g, SID_C, NP, 0x1000, AR, E_STE_FETCH, &e);
	cr_assert_eq(e.fetch, SG_UNBACKED + 64ull * SID_C, "FetchAddr 0x%llx",
		     U64(e.fetch));
	cr_assert_eq(e.raw[2], 0, "no InputAddr");
	sg_destroy(&g);
	/* 2-level: an L2 array outside RAM */
	sg_create(&g, NULL);
	sg_init(&g, true, 16);
	sg_wr64m(&g, SG_ST + 8 * 0x12, enc_l1std(SG_UNBACKED, 9));
	sg_tr_fault(&g, SID_D, NP, 0x1000, AR, E_STE_FETCH, &e);
	cr_assert_eq(e.fetch, SG_UNBACKED + 64ull * 0x34);
	sg_destroy(&g);
}

Test(st, thirty_two_bit_streamids_in_a_linear_table)
{
	const uint64_t bypass[8] = {0x9}; /* V, Config 0b100 */
	struct sg g;

	/* LOG2SIZE 32: a 256 GiB table, its base aligned down to 0 */
	sg_create(&g, "sid_bits = 32\n");
	sg_init(&g, false, 32);
	sg_tr_fault(&g, SID_A, NP, 0x1000, AR, E_BAD_STE, NULL);
	sg_wrn(&g, 64ull * SID_A, bypass, 8);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, 0x1000);
	sg_destroy(&g);
}
