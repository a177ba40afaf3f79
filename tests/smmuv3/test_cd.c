// SPDX-License-Identifier: MIT
/*
 * test_cd.c - Context Descriptors (sheet 3): every CD validity rule of
 * 3.2 producing C_BAD_CD from a CD that translates before the one field
 * is changed; linear and 2-level CD tables indexed by SubstreamID (3.3,
 * TV10); S1DSS and S1CDMax (2.5); C_BAD_SUBSTREAMID, F_STREAM_DISABLED
 * and F_CD_FETCH records.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "sg.h"

struct base {
	struct sg_tt t;
	uint64_t cd_pa;
	struct cd c;
};

/* SID_A: stage 1, one CD (Linux style, ASID 1); 0x1000 -> SG_DATA. */
static void up(struct sg *g, const char *ini, struct base *b)
{
	sg_create(g, ini);
	sg_init(g, false, 13);
	sg_s1_dev(g, SID_A, 12, 1, &b->t, &b->cd_pa);
	sg_tt_map(g, &b->t, 0x1000, 3, s1_page(12, SG_DATA, true));
	cd_linux(&b->c, 16, 0, 5, 1, b->t.root);
	sg_tr_ok(g, SID_A, NP, 0x1000, AR, SG_DATA);
}

static void cd_write(struct sg *g, uint64_t pa, const struct cd *c)
{
	uint64_t dw[8];

	enc_cd(dw, c);
	sg_wrn(g, pa, dw, 8);
}

/* Write @c as SID_A's CD, invalidate, expect C_BAD_CD (or @id). */
#define bad(g, b, c, id) (SG_AT(g), bad_((g), (b), (c), (id)))
/* New CD contents: CFGI_CD, and TLBI_NH_ASID for what it translated. */
static void cd_replace(struct sg *g, const struct base *b, const struct cd *c)
{
	const char *file = g->at_file;
	int line = g->at_line;
	uint64_t q[2][2];

	cd_write(g, b->cd_pa, c);
	cmd_cfgi_cd(q[0], SID_A, 0, true);
	cmd_tlbi_nh_asid(q[1], 0, b->c.asid);
	sg_cmds(g, (const uint64_t(*)[2])q, 2);
	sg_sync(g);
	sg_at(g, file, line);
}

static void bad_(struct sg *g, const struct base *b, const struct cd *c,
		 unsigned int id)
{
	cd_replace(g, b, c);
	sg_tr_fault_(g, SID_A, NP, 0x1000, AR, id, NULL);
}

#define good(g, b, c) (SG_AT(g), good_((g), (b), (c)))
static void good_(struct sg *g, const struct base *b, const struct cd *c)
{
	cd_replace(g, b, c);
	sg_tr_ok_(g, SID_A, NP, 0x1000, AR, SG_DATA);
}

Test(cd, v0_aa64_stall_and_abort_bits)
{
	struct base b;
	struct cd c;
	struct sg g;

	up(&g, NULL, &b);
	c = b.c;
	c.v = false;
	bad(&g, &b, &c, E_BAD_CD);
	c = b.c;
	c.aa64 = false; /* VMSAv8-32 LPAE: TTF is AArch64 only */
	bad(&g, &b, &c, E_BAD_CD);
	c = b.c;
	c.s = true; /* STALL_MODEL terminate only */
	bad(&g, &b, &c, E_BAD_CD);
	c = b.c;
	c.a = false; /* TERM_MODEL = 1 */
	bad(&g, &b, &c, E_BAD_CD);
	good(&g, &b, &b.c);
	sg_destroy(&g);
}

Test(cd, endi_is_illegal_unless_no_ttb_is_walked)
{
	struct base b;
	struct cd c;
	struct sg g;

	up(&g, NULL, &b);
	c = b.c;
	c.endi = true;
	bad(&g, &b, &c, E_BAD_CD);
	c.epd0 = true; /* EPD1 is set already: nothing is walked */
	bad(&g, &b, &c, E_TRANSLATION);
	sg_destroy(&g);
}

Test(cd, ha_hd_need_httu)
{
	struct base b;
	struct cd c;
	struct sg g;

	up(&g, "httu = none\n", &b);
	c = b.c;
	c.ha = true;
	bad(&g, &b, &c, E_BAD_CD);
	sg_destroy(&g);
	up(&g, "httu = af\n", &b);
	c = b.c;
	c.ha = true;
	good(&g, &b, &c);
	c.hd = true;
	bad(&g, &b, &c, E_BAD_CD);
	sg_destroy(&g);
}

Test(cd, txsz_range_checked_for_walked_ttbs)
{
	struct base b;
	struct cd c;
	struct sg g;

	up(&g, NULL, &b);
	c = b.c;
	c.t0sz = 15;
	bad(&g, &b, &c, E_BAD_CD);
	c.t0sz = 40;
	bad(&g, &b, &c, E_BAD_CD);
	c.epd0 = true; /* a disabled TTB's fields are not checked */
	bad(&g, &b, &c, E_TRANSLATION);
	c = b.c;
	c.epd1 = false;
	c.tg1 = 2; /* 4K */
	c.t1sz = 12;
	bad(&g, &b, &c, E_BAD_CD);
	c.t1sz = 16;
	good(&g, &b, &c);
	sg_destroy(&g);
}

Test(cd, tg_reserved_or_unsupported)
{
	struct base b;
	struct cd c;
	struct sg g;

	up(&g, "granule_16k = no\n", &b);
	c = b.c;
	c.tg0 = 3;
	bad(&g, &b, &c, E_BAD_CD);
	c.tg0 = 2; /* 16K, not in IDR5 */
	bad(&g, &b, &c, E_BAD_CD);
	c = b.c;
	c.epd1 = false;
	c.t1sz = 16;
	c.tg1 = 0; /* TG1 0b00 is reserved */
	bad(&g, &b, &c, E_BAD_CD);
	c.tg1 = 1; /* TG1 16K, not in IDR5 */
	bad(&g, &b, &c, E_BAD_CD);
	c.tg1 = 3; /* TG1 64K */
	good(&g, &b, &c);
	sg_destroy(&g);
}

Test(cd, ttb_beyond_the_effective_ips)
{
	struct base b;
	struct cd c;
	struct sg g;

	up(&g, "oas = 44\n", &b);
	c = b.c;
	c.ips = 2; /* 40 bits */
	c.ttb0 = b.c.ttb0 | 1ull << 40;
	bad(&g, &b, &c, E_BAD_CD);
	c.ips = 5; /* 48 bits, OAS 44: effective 44 */
	c.ttb0 = b.c.ttb0 | 1ull << 44;
	bad(&g, &b, &c, E_BAD_CD);
	c.ttb0 = b.c.ttb0 | 1ull << 43;
	bad(&g, &b, &c, E_WALK_EABT); /* valid, but not RAM */
	sg_destroy(&g);
}

/* Sheet 3.2: TTBx must be below 2^48 for 4K/16K without DS, whatever
 * IPS says; with 64K its bits 51:48 are address bits. */
Test(cd, ttb_above_48_bits_only_with_64k)
{
	struct base b;
	struct cd c;
	struct sg g;

	up(&g, "oas = 52\n", &b);
	c = b.c;
	c.ips = 6; /* 52 bits: a 4K table still outputs 48 (no CD.DS) */
	good(&g, &b, &c);
	c.ttb0 = b.c.ttb0 | 1ull << 48;
	bad(&g, &b, &c, E_BAD_CD);
	c.tg0 = 1; /* 64K, T0SZ 16: valid, the root is not RAM */
	bad(&g, &b, &c, E_WALK_EABT);
	sg_destroy(&g);
}

Test(cd, asid_upper_bits_need_asid16)
{
	struct base b;
	struct cd c;
	struct sg g;

	up(&g, "asid16 = no\n", &b);
	c = b.c;
	c.asid = 0x100;
	bad(&g, &b, &c, E_BAD_CD);
	c.asid = 0xff;
	good(&g, &b, &c);
	sg_destroy(&g);
}

Test(cd, valid_cds_are_cached_until_cfgi_illegal_ones_are_not)
{
	struct base b;
	struct cd c;
	struct sg g;

	up(&g, NULL, &b);
	c = b.c;
	c.v = false;
	cd_write(&g, b.cd_pa, &c);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, SG_DATA); /* cached */
	bad(&g, &b, &c, E_BAD_CD);
	cd_write(&g, b.cd_pa, &b.c); /* fixed, no CFGI: read again */
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, SG_DATA);
	sg_destroy(&g);
}

/* ---- CD tables and substreams
 * ------------------------------------------------ */

/* A CD at @pa with its own tables: 0x1000 -> @out, ASID @asid. */
static void mk_cd(struct sg *g, uint64_t pa, unsigned int asid, uint64_t out)
{
	struct sg_tt t;
	struct cd c;

	sg_tt_new(g, &t, 12, 48, 0);
	sg_tt_map(g, &t, 0x1000, 3, s1_page(12, out, true));
	cd_linux(&c, 16, 0, 5, asid, t.root);
	cd_write(g, pa, &c);
}

static void ste_cdtab(struct sg *g, uint32_t sid, uint64_t ptr,
		      unsigned int fmt, unsigned int cdmax, unsigned int dss)
{
	struct ste s = {.v = true, .config = 5};

	s.s1ctxptr = ptr;
	s.s1fmt = fmt;
	s.s1cdmax = cdmax;
	s.s1dss = dss;
	sg_ste_set(g, sid, &s);
	sg_inv_ste(g, sid);
}

Test(cd, linear_cd_table_indexed_by_ssid)
{
	uint64_t tab;
	struct evt e;
	struct sg g;

	sg_create(&g, NULL);
	sg_init(&g, false, 13);
	tab = sg_alloc(&g, 16 * 64);
	for (unsigned int k = 0; k < 16; k++)
		mk_cd(&g, tab + 64 * k, 100 + k, SG_DATA + 0x1000 * k);
	ste_cdtab(&g, SID_E, tab, 0, 4, 2);
	for (unsigned int k = 1; k < 16; k++)
		sg_tr_ok(&g, SID_E, k, 0x1000, AR, SG_DATA + 0x1000 * k);
	sg_tr_ok(&g, SID_E, NP, 0x1000, AR, SG_DATA); /* S1DSS: CD 0 */
	sg_tr_fault(&g, SID_E, 16, 0x1000, AR, E_BAD_SUBSTREAMID, &e);
	cr_assert(!e.ssv && e.ssid == 16, "SSID without SSV (6.4)");
	sg_tr_fault(&g, SID_E, 0, 0x1000, AR, E_STREAM_DISABLED, &e);
	cr_assert(e.ssv && e.ssid == 0);
	sg_destroy(&g);
}

/*
 * Plain and substream requests of one stream in turn, on one thread: each
 * takes its own CD, whatever the thread's memo keeps of the last one
 * (the plan of the stream's plain requests: CD 0 by S1DSS).  Each round
 * translates a new page (a TLB miss: the walk reads the CD's tables);
 * CD k maps page p to OUT(k, p).  No hints: every request reaches the
 * model.
 */
#define OUT(k, p) (SG_DATA + 0x100000 * (k) + 0x1000 * (p))

Test(cd, plain_and_substream_requests_in_turn_take_their_own_cds)
{
	struct sg_tt t;
	uint64_t tab;
	struct cd c;
	struct sg g;

	sg_next_ctx_flags(IOMMU_CTX_NO_HINT);
	sg_create(&g, NULL);
	sg_init(&g, false, 13);
	tab = sg_alloc(&g, 4 * 64);
	for (unsigned int k = 0; k < 4; k++) {
		sg_tt_new(&g, &t, 12, 48, 0);
		for (unsigned int p = 1; p <= 8; p++)
			sg_tt_map(&g, &t, 0x1000 * p, 3,
				  s1_page(12, OUT(k, p), true));
		cd_linux(&c, 16, 0, 5, 100 + k, t.root);
		cd_write(&g, tab + 64 * k, &c);
	}
	ste_cdtab(&g, SID_E, tab, 0, 2, 2); /* S1DSS: CD 0 */
	for (unsigned int p = 1; p <= 8; p++) {
		unsigned int k = 1 + p % 3;

		sg_tr_ok(&g, SID_E, NP, 0x1000 * p, AR, OUT(0, p));
		sg_tr_ok(&g, SID_E, NP, 0x1000 * p, AR, OUT(0, p));
		sg_tr_ok(&g, SID_E, k, 0x1000 * p, AR, OUT(k, p));
	}
	sg_destroy(&g);
}

Test(cd, two_level_cd_table_4k_leaves)
{
	uint64_t l1, l2;
	struct sg g;

	sg_create(&g, NULL);
	sg_init(&g, true, 16);
	l1 = sg_alloc(&g, 64 * 8); /* S1CDMax 12: 64 L1CDs */
	l2 = sg_alloc(&g, 4096);
	sg_wr64m(&g, l1 + 8 * (0x345 >> 6), enc_l1cd(l2, true));
	mk_cd(&g, l2 + 64 * (0x345 & 63), 9, SG_DATA + 0x5000);
	ste_cdtab(&g, SID_E, l1, 1, 12, 0);
	sg_tr_ok(&g, SID_E, 0x345, 0x1000, AW, SG_DATA + 0x5000);
	/* another leaf, L1CD.V = 0 */
	sg_tr_fault(&g, SID_E, 0x745, 0x1000, AW, E_BAD_SUBSTREAMID, NULL);
	sg_tr_fault(&g, SID_E, 0x1000, 0x1000, AW, E_BAD_SUBSTREAMID, NULL);
	sg_destroy(&g);
}

Test(cd, two_level_cd_table_64k_leaves)
{
	uint64_t l1, l2;
	struct sg g;

	sg_create(&g, NULL);
	sg_init(&g, true, 16);
	l1 = sg_alloc(&g, 1024 * 8); /* S1CDMax 20: 1024 L1CDs */
	l2 = sg_alloc(&g, 65536);
	/* TV10: SSID 0x12345 -> L1 index 72, CD at 0xD140 in the leaf */
	sg_wr64m(&g, l1 + 0x240, enc_l1cd(l2, true));
	mk_cd(&g, l2 + 0xD140, 33, SG_DATA + 0x7000);
	ste_cdtab(&g, SID_E, l1, 2, 20, 0);
	sg_tr_ok(&g, SID_E, 0x12345, 0x1000, AR, SG_DATA + 0x7000);
	sg_tr_fault(&g, SID_E, 0x12346, 0x1000, AR, E_BAD_CD, NULL);
	/* no SSID with S1DSS = terminate */
	sg_tr_fault(&g, SID_E, NP, 0x1000, AR, E_STREAM_DISABLED, NULL);
	sg_destroy(&g);
}

Test(cd, s1dss_bypass_and_substream_errors)
{
	struct ste s2 = {0};
	struct sg_tt t;
	uint64_t tab;
	struct sg g;

	sg_create(&g, NULL);
	sg_init(&g, false, 13);
	tab = sg_alloc(&g, 4 * 64);
	mk_cd(&g, tab + 64, 5, SG_DATA + 0x3000);
	ste_cdtab(&g, SID_E, tab, 0, 2, 1); /* S1DSS bypass */
	sg_tr_ok(&g, SID_E, NP, 0x1234000, AR, 0x1234000);
	sg_tr_ok(&g, SID_E, 1, 0x1000, AR, SG_DATA + 0x3000);
	sg_tr_fault(&g, SID_E, 4, 0x1000, AR, E_BAD_SUBSTREAMID, NULL);
	sg_tr_fault(&g, SID_E, 2, 0x1000, AR, E_BAD_CD, NULL); /* V = 0 */
	/* stage-1 bypass still checks the IAS (4.3) */
	sg_tr_fault(&g, SID_E, NP, 1ull << 48, AR, E_ADDR_SIZE, NULL);
	/* one CD (S1CDMax 0): no substreams */
	ste_cdtab(&g, SID_E, tab + 64, 0, 0, 0);
	sg_tr_ok(&g, SID_E, NP, 0x1000, AR, SG_DATA + 0x3000);
	sg_tr_fault(&g, SID_E, 1, 0x1000, AR, E_BAD_SUBSTREAMID, NULL);
	/* stage 2 only: no substreams either */
	sg_tt_new(&g, &t, 12, 48, 0);
	sg_ste_s2(&s2, &t, 1);
	sg_ste_set(&g, SID_C, &s2);
	sg_tr_fault(&g, SID_C, 3, 0x1000, AR, E_BAD_SUBSTREAMID, NULL);
	sg_destroy(&g);
}

Test(cd, cd_fetch_aborts_record_the_fetch_address)
{
	uint64_t l1;
	struct evt e;
	struct sg g;

	sg_create(&g, NULL);
	sg_init(&g, false, 13);
	ste_cdtab(&g, SID_A, SG_UNBACKED + 0x40, 0, 0, 0);
	sg_tr_fault(&g, SID_A, NP, 0x1000, AR, E_CD_FETCH, &e);
	cr_assert_eq(e.fetch, SG_UNBACKED + 0x40, "FetchAddr in DW3 (10.7)");
	cr_assert_eq(e.raw[2], 0, "no InputAddr");
	ste_cdtab(&g, SID_A, SG_UNBACKED, 0, 4, 0); /* linear, 16 CDs */
	sg_tr_fault(&g, SID_A, 3, 0x1000, AR, E_CD_FETCH, &e);
	cr_assert_eq(e.fetch, SG_UNBACKED + 3 * 64);
	cr_assert(e.ssv && e.ssid == 3);
	/* 2-level: the L1CD, then the leaf */
	ste_cdtab(&g, SID_A, SG_UNBACKED, 2, 20, 0);
	sg_tr_fault(&g, SID_A, 0x12345, 0x1000, AR, E_CD_FETCH, &e);
	cr_assert_eq(e.fetch, SG_UNBACKED + 0x240);
	l1 = sg_alloc(&g, 8192);
	sg_wr64m(&g, l1 + 0x240, enc_l1cd(SG_UNBACKED, true));
	ste_cdtab(&g, SID_A, l1, 2, 20, 0);
	sg_tr_fault(&g, SID_A, 0x12345, 0x1000, AR, E_CD_FETCH, &e);
	cr_assert_eq(e.fetch, SG_UNBACKED + 0xD140);
	sg_destroy(&g);
}
