// SPDX-License-Identifier: MIT
/*
 * test_xlate.c - translation (sheet 4): stage 1 at the 4K, 16K and 64K
 * granules with pages and blocks, small input sizes, contiguous runs,
 * 52-bit output, TTB1 and TBI; stage 2 with concatenated start tables;
 * nested walks (stage 1 read through stage 2, the full 2-D walk of 24
 * table reads, CLASS CD / TT / IN); the fault of each walk step
 * (F_TRANSLATION, F_ADDR_SIZE, F_ACCESS, F_WALK_EABT) with the fields of
 * sheet 6.4; dirty-state and access-flag updates; real DMA through the
 * model.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "xl.h"

static void up(struct sg *g, const char *ini)
{
	sg_create(g, ini);
	sg_init(g, true, 16);
}

Test(xlate, stage1_4k_page_2m_and_1g_blocks)
{
	struct sg_tt t;
	struct cd c;
	uint64_t cd;
	struct sg g;

	up(&g, NULL);
	xl_s1(&g, SID_A, 12, 16, 5, &t, &c, &cd);
	sg_tt_map(&g, &t, 0x7FABCDEF0000ull, 3, s1_page(12, SG_DATA, true));
	sg_tt_map(&g, &t, 0x40000000, 2, s1_page(12, SG_DATA, false));
	sg_tt_map(&g, &t, 0x80000000, 1, s1_page(12, 0, false));
	sg_tr_ok(&g, SID_A, NP, 0x7FABCDEF0ABCull, AR, SG_DATA + 0xABC);
	sg_tr_ok(&g, SID_A, NP, 0x401FFFF8, AW, SG_DATA + 0x1FFFF8);
	sg_tr_ok(&g, SID_A, NP, 0xBFFFF000, AR, 0x3FFFF000);
	/* TV2 indices: the leaf sits at 0xF0 of its level-3 table */
	cr_assert_eq(sg_tt_entry(&g, &t, 0x7FABCDEF0000ull, 3) & 0xfff, 0x780);
	sg_destroy(&g);
}

Test(xlate, stage1_16k_page_and_32m_block)
{
	struct sg_tt t;
	struct cd c;
	uint64_t cd;
	struct sg g;

	up(&g, NULL);
	xl_s1(&g, SID_A, 14, 17, 5, &t, &c, &cd); /* TV2: start level 1 */
	cr_assert_eq(t.start, 1);
	sg_tt_map(&g, &t, 0x7FABCDEF0000ull, 3, s1_page(14, SG_DATA, true));
	sg_tt_map(&g, &t, 0x42000000, 2, s1_page(14, SG_DATA, false));
	sg_tr_ok(&g, SID_A, NP, 0x7FABCDEF3FFFull, AR,
		 SG_DATA + (0x7FABCDEF3FFFull & 0x3fff));
	sg_tr_ok(&g, SID_A, NP, 0x43FFF000, AW, SG_DATA + 0x1FFF000);
	sg_destroy(&g);
}

Test(xlate, stage1_64k_page_and_512m_block)
{
	struct sg_tt t;
	struct cd c;
	uint64_t cd;
	struct sg g;

	up(&g, NULL);
	xl_s1(&g, SID_A, 16, 16, 5, &t, &c, &cd);
	cr_assert_eq(t.start, 1);
	sg_tt_map(&g, &t, 0x7FABCDEF0000ull, 3, s1_page(16, SG_DATA, true));
	sg_tt_map(&g, &t, 0x20000000, 2, s1_page(16, 0, false));
	sg_tr_ok(&g, SID_A, NP, 0x7FABCDEFFFFFull, AR, SG_DATA + 0xFFFF);
	sg_tr_ok(&g, SID_A, NP, 0x23000000, AR, 0x3000000);
	sg_destroy(&g);
}

Test(xlate, small_input_sizes_start_lower)
{
	struct sg_tt t;
	struct cd c;
	uint64_t cd;
	struct evt e;
	struct sg g;

	up(&g, NULL);
	/* TV2: T0SZ 32, a 4-entry level-1 table */
	xl_s1(&g, SID_A, 12, 32, 5, &t, &c, &cd);
	cr_assert(t.start == 1 && t.top == 2);
	sg_tt_map(&g, &t, 0x80001000, 3, s1_page(12, SG_DATA, true));
	sg_tr_ok(&g, SID_A, NP, 0x80001000, AR, SG_DATA);
	sg_tr_fault(&g, SID_A, NP, 0x100000000ull, AR, E_TRANSLATION, &e);
	cr_assert(e.class == CL_IN && !e.s2 && e.addr == 0x100000000ull);
	/* T0SZ 39: start at level 2 with 16 entries */
	xl_s1(&g, SID_B, 12, 39, 5, &t, &c, &cd);
	cr_assert(t.start == 2 && t.top == 4);
	sg_tt_map(&g, &t, 0x1FFF000, 3, s1_page(12, SG_DATA + 0x4000, true));
	sg_tr_ok(&g, SID_B, NP, 0x1FFF000, AR, SG_DATA + 0x4000);
	sg_tr_fault(&g, SID_B, NP, 0x2000000, AR, E_TRANSLATION, NULL);
	sg_destroy(&g);
}

Test(xlate, contiguous_run_is_one_leaf)
{
	struct iommu_translation out;
	struct sg_tt t;
	struct cd c;
	uint64_t cd;
	struct sg g;

	up(&g, NULL);
	xl_s1(&g, SID_A, 12, 16, 5, &t, &c, &cd);
	for (unsigned int i = 0; i < 16; i++) {
		sg_tt_map(&g, &t, 0x100000 + 0x1000 * i, 3,
			  s1_page(12, SG_DATA + 0x1000 * i, true) | D_CONT);
		sg_tt_map(&g, &t, 0x200000 + 0x1000 * i, 3,
			  s1_page(12, SG_DATA + 0x1000 * i, true));
	}
	cr_assert_eq(
	    iommu_dma_translate(g.ctx, SID_A, NP, 0x100800, 0x10000, AR, &out),
	    0);
	cr_assert_eq(out.phys, SG_DATA + 0x800);
	cr_assert_eq(out.len, 0xF800, "the whole 64 KiB run, not a page");
	cr_assert_eq(
	    iommu_dma_translate(g.ctx, SID_A, NP, 0x200800, 0x10000, AR, &out),
	    0);
	cr_assert_eq(out.len, 0x800, "without the hint: one page");
	sg_destroy(&g);
}

Test(xlate, output_of_52_bits_with_64k)
{
	struct sg_tt t;
	struct cd c;
	uint64_t cd;
	struct sg g;

	up(&g, "oas = 52\n");
	xl_s1(&g, SID_A, 16, 16, 6, &t, &c, &cd);
	/* TV6: PA[51:48] in descriptor bits 15:12 */
	sg_tt_map(&g, &t, 0x10000, 3, s1_page(16, 0x000F000012340000ull, true));
	sg_tr_ok(&g, SID_A, NP, 0x12345, AR, 0x000F000012342345ull);
	/* with IPS 48 the same descriptor is beyond the output size */
	c.ips = 5;
	xl_cd(&g, SID_A, cd, &c);
	sg_tr_fault(&g, SID_A, NP, 0x12345, AR, E_ADDR_SIZE, NULL);
	sg_destroy(&g);
}

Test(xlate, output_beyond_ips_is_f_addr_size)
{
	struct sg_tt t;
	struct cd c;
	uint64_t cd;
	struct evt e;
	struct sg g;

	up(&g, NULL);
	xl_s1(&g, SID_A, 12, 16, 2, &t, &c, &cd); /* IPS 40 */
	sg_tt_map(&g, &t, 0x1000, 3, s1_page(12, 1ull << 40, true));
	sg_tt_map(&g, &t, 0x2000, 3, s1_page(12, (1ull << 40) - 0x1000, true));
	sg_tr_fault(&g, SID_A, NP, 0x1008, AW, E_ADDR_SIZE, &e);
	cr_assert(!e.s2 && e.class == CL_IN && !e.rnw && e.addr == 0x1008);
	sg_tr_ok(&g, SID_A, NP, 0x2008, AW, (1ull << 40) - 0x1000 + 8);
	sg_destroy(&g);
}

Test(xlate, ttb1_and_top_byte_ignore)
{
	const uint64_t hi = 0xFFFFFFFFFFFFF000ull;
	struct sg_tt t, t1;
	struct cd c;
	uint64_t cd;
	struct evt e;
	struct sg g;

	up(&g, NULL);
	xl_s1(&g, SID_A, 12, 16, 5, &t, &c, &cd);
	sg_tt_new(&g, &t1, 12, 48, 0);
	sg_tt_map(&g, &t1, hi, 3, s1_page(12, SG_DATA + 0x2000, true));
	sg_tt_map(&g, &t, 0x3000, 3, s1_page(12, SG_DATA + 0x3000, true));
	sg_tt_map(&g, &t, 0x4000, 3, s1_page(12, SG_DATA + 0x4000, true));
	c.epd1 = false;
	c.tg1 = 2; /* 4K in TG1's encoding */
	c.t1sz = 16;
	c.ttb1 = t1.root;
	xl_cd(&g, SID_A, cd, &c);
	sg_tr_ok(&g, SID_A, NP, hi + 0x10, AR, SG_DATA + 0x2010);
	/* neither all zeros nor all ones above bit 47 */
	sg_tr_fault(&g, SID_A, NP, 0x0001000000003000ull, AR, E_TRANSLATION,
		    NULL);
	/* a tag in the top byte: fault without TBI0, ignored with it */
	sg_tr_fault(&g, SID_A, NP, 0x5A00000000003000ull, AR, E_TRANSLATION,
		    &e);
	cr_assert_eq(e.addr, 0x5A00000000003000ull, "InputAddr keeps the tag");
	c.tbi0 = true;
	xl_cd(&g, SID_A, cd, &c);
	sg_tr_ok(&g, SID_A, NP, 0x5A00000000003004ull, AR, SG_DATA + 0x3004);
	/* EPD1: walks through TTB1 disabled */
	c.epd1 = true;
	xl_cd(&g, SID_A, cd, &c);
	sg_tr_fault(&g, SID_A, NP, hi, AR, E_TRANSLATION, NULL);
	/* EPD1 with the TLB and walk cache still holding TTB1's page (the
	 * CD invalidated alone): the model checks EPD first, also on the
	 * memo's short way (TTB0 requests fetched the CD, then made the
	 * stream's plan from the cached one). */
	c.epd1 = false;
	xl_cd(&g, SID_A, cd, &c);
	sg_tr_ok(&g, SID_A, NP, hi + 0x10, AR, SG_DATA + 0x2010);
	c.epd1 = true;
	{
		uint64_t dw[8], q[1][2];

		enc_cd(dw, &c);
		sg_wrn(&g, cd, dw, 8);
		cmd_cfgi_cd(q[0], SID_A, 0, true);
		sg_cmds(&g, (const uint64_t(*)[2])q, 1);
		sg_sync(&g);
	}
	sg_tr_ok(&g, SID_A, NP, 0x5A00000000003008ull, AR, SG_DATA + 0x3008);
	sg_tr_ok(&g, SID_A, NP, 0x5A00000000004008ull, AR, SG_DATA + 0x4008);
	sg_tr_fault(&g, SID_A, NP, hi + 0x20, AR, E_TRANSLATION, NULL);
	sg_destroy(&g);
}

Test(xlate, walk_faults_per_step)
{
	struct sg_tt t;
	struct cd c;
	uint64_t cd, a;
	struct evt e;
	struct sg g;

	up(&g, NULL);
	xl_s1(&g, SID_A, 12, 16, 5, &t, &c, &cd);
	/* an invalid leaf, and a block where level 3 has only pages */
	a = sg_tt_map(&g, &t, 0x5000, 3, s1_page(12, SG_DATA, true) & ~1ull);
	sg_tr_fault(&g, SID_A, NP, 0x5000, AR, E_TRANSLATION, NULL);
	sg_wr64m(&g, a, s1_page(12, SG_DATA, false));
	sg_tr_fault(&g, SID_A, NP, 0x5000, AR, E_TRANSLATION, NULL);
	/* a table outside RAM: F_WALK_EABT, CLASS TT, its FetchAddr */
	a = sg_tt_entry(&g, &t, 0x5000, 2);
	sg_wr64m(&g, a, SG_UNBACKED | D_TABLE);
	sg_tr_fault(&g, SID_A, NP, 0x5000, AW, E_WALK_EABT, &e);
	cr_assert(!e.s2 && e.class == CL_TT && !e.rnw);
	cr_assert_eq(e.fetch, SG_UNBACKED + 8 * 5, "FetchAddr 0x%llx",
		     U64(e.fetch));
	cr_assert_eq(e.addr, 0x5000);
	/* the root itself outside RAM */
	c.ttb0 = SG_UNBACKED;
	xl_cd(&g, SID_A, cd, &c);
	sg_tr_fault(&g, SID_A, NP, 0x7FABCDEF0000ull, AR, E_WALK_EABT, &e);
	cr_assert_eq(e.fetch, SG_UNBACKED + 0x7F8, "TV2 L0 index 0xFF");
	sg_destroy(&g);
}

Test(xlate, access_flag_affd_and_hardware_update)
{
	struct sg_tt t;
	struct cd c;
	uint64_t cd, a;
	struct evt e;
	struct sg g;

	up(&g, NULL);
	xl_s1(&g, SID_A, 12, 16, 5, &t, &c, &cd);
	a = sg_tt_map(&g, &t, 0x6000, 3, s1_page(12, SG_DATA, true) & ~D_AF);
	sg_tr_fault(&g, SID_A, NP, 0x6000, AR, E_ACCESS, &e);
	cr_assert(e.class == CL_IN && !e.s2 && e.rnw);
	c.affd = true;
	xl_cd(&g, SID_A, cd, &c);
	sg_tr_ok(&g, SID_A, NP, 0x6000, AR, SG_DATA);
	cr_assert_eq(sg_rd64m(&g, a) & D_AF, 0, "AFFD sets nothing");
	c.affd = false;
	c.ha = true;
	xl_cd(&g, SID_A, cd, &c);
	sg_tr_ok(&g, SID_A, NP, 0x6000, AR, SG_DATA);
	cr_assert(sg_rd64m(&g, a) & D_AF, "HA sets AF");
	sg_destroy(&g);
}

Test(xlate, dirty_state_is_set_on_the_first_write)
{
	uint64_t cd, a, a2, leaf;
	struct sg_tt t, t2;
	struct ste st = {0};
	struct cd c;
	struct sg g;

	up(&g, NULL);
	xl_s1(&g, SID_A, 12, 16, 5, &t, &c, &cd);
	/* DBM with AP[2] = 1: writable-clean (sheet 4.8) */
	leaf = s1_page(12, SG_DATA, true) | D_DBM | D_AP(3);
	a = sg_tt_map(&g, &t, 0x7000, 3, leaf);
	sg_tr_fault(&g, SID_A, NP, 0x7000, AW, E_PERMISSION, NULL);
	c.ha = c.hd = true;
	xl_cd(&g, SID_A, cd, &c);
	sg_tr_ok(&g, SID_A, NP, 0x7000, AR, SG_DATA);
	cr_assert_eq(sg_rd64m(&g, a), leaf, "a read leaves it clean");
	sg_tr_ok(&g, SID_A, NP, 0x7000, AW, SG_DATA); /* TLB hit, clean */
	cr_assert_eq(sg_rd64m(&g, a), leaf & ~D_AP(2), "AP[2] cleared");
	/* stage 2: DBM with S2AP[1] = 0 */
	sg_tt_new(&g, &t2, 12, 48, 0);
	leaf = s2_page(12, SG_DATA, true) & ~D_AP(2);
	a2 = sg_tt_map(&g, &t2, 0x8000, 3, leaf | D_DBM);
	sg_ste_s2(&st, &t2, 9);
	st.s2ha = st.s2hd = true;
	sg_ste_set(&g, SID_B, &st);
	sg_tr_ok(&g, SID_B, NP, 0x8000, AW, SG_DATA);
	cr_assert_eq(sg_rd64m(&g, a2), leaf | D_DBM | D_AP(2), "S2AP[1] set");
	sg_destroy(&g);
}

/* The model's counters since @c0: IOTLB hits, misses and walks. */
struct cnt {
	uint64_t hits, misses, walks;
};

static void cnt_get(struct sg *g, struct cnt *c)
{
	c->hits = sg_stat(g, IOMMU_STAT_IOTLB_HITS);
	c->misses = sg_stat(g, IOMMU_STAT_IOTLB_MISSES);
	c->walks = sg_stat(g, IOMMU_STAT_WALKS);
}

#define cnt_is(g, c0, h, m, w) (SG_AT(g), cnt_is_((g), (c0), (h), (m), (w)))
static void cnt_is_(struct sg *g, struct cnt *c0, uint64_t h, uint64_t m,
		    uint64_t w)
{
	struct cnt c;

	cnt_get(g, &c);
	cr_assert(c.hits - c0->hits == h && c.misses - c0->misses == m &&
		      c.walks - c0->walks == w,
		  "%s:%d: hits %llu misses %llu walks %llu, want %llu %llu "
		  "%llu",
		  g->at_file, g->at_line, U64(c.hits - c0->hits),
		  U64(c.misses - c0->misses), U64(c.walks - c0->walks), U64(h),
		  U64(m), U64(w));
	*c0 = c;
}

/*
 * Each request the model answers counts once: a TLB hit, or a miss and
 * its walk; a write to a writable-clean page the TLB holds, a walk alone
 * (it sets the dirty state).  Stage 1, the plain requests' plan
 * included, and stage 2.  No hints: every request reaches the model.
 */
Test(xlate, tlb_hits_misses_and_walks_are_counted)
{
	uint64_t cd, leaf;
	struct sg_tt t, t2;
	struct ste st = {0};
	struct cnt c0;
	struct cd c;
	struct sg g;

	sg_next_ctx_flags(IOMMU_CTX_NO_HINT);
	up(&g, NULL);
	xl_s1(&g, SID_A, 12, 16, 5, &t, &c, &cd);
	c.ha = c.hd = true;
	xl_cd(&g, SID_A, cd, &c);
	leaf = s1_page(12, SG_DATA, true) | D_DBM | D_AP(3);
	for (unsigned int i = 0; i < 3; i++)
		sg_tt_map(&g, &t, 0x1000 * (i + 1), 3, leaf);
	cnt_get(&g, &c0);
	for (unsigned int i = 0; i < 3; i++) {
		sg_tr_ok(&g, SID_A, NP, 0x1000 * (i + 1), AR, SG_DATA);
		cnt_is(&g, &c0, 0, 1, 1);
		sg_tr_ok(&g, SID_A, NP, 0x1000 * (i + 1), AR, SG_DATA);
		cnt_is(&g, &c0, 1, 0, 0);
		sg_tr_ok(&g, SID_A, NP, 0x1000 * (i + 1), AW, SG_DATA);
		cnt_is(&g, &c0, 0, 0, 1);
		sg_tr_ok(&g, SID_A, NP, 0x1000 * (i + 1), AW, SG_DATA);
		cnt_is(&g, &c0, 1, 0, 0);
	}
	sg_tt_new(&g, &t2, 12, 48, 0);
	sg_tt_map(&g, &t2, 0x8000, 3, s2_page(12, SG_DATA, true));
	sg_ste_s2(&st, &t2, 9);
	sg_ste_set(&g, SID_B, &st);
	sg_inv_ste(&g, SID_B);
	cnt_get(&g, &c0);
	sg_tr_ok(&g, SID_B, NP, 0x8000, AR, SG_DATA);
	cnt_is(&g, &c0, 0, 1, 1);
	sg_tr_ok(&g, SID_B, NP, 0x8000, AW, SG_DATA);
	cnt_is(&g, &c0, 1, 0, 0);
	sg_destroy(&g);
}

/*
 * With 4 KiB pages and 2 MiB blocks both cached, a miss probes both
 * sizes; the 4 KiB entry the walk makes goes where a 4 KiB probe looks
 * (not into the set of the last size probed), so the next request hits.
 */
Test(xlate, tlb_entry_after_two_probes_hits)
{
	struct ste st = {0};
	struct sg_tt t2;
	struct cnt c0;
	struct sg g;

	sg_next_ctx_flags(IOMMU_CTX_NO_HINT);
	up(&g, "tlb_sets = 8\ntlb_ways = 8\n");
	sg_tt_new(&g, &t2, 12, 48, 0);
	sg_tt_map(&g, &t2, 0x40000000, 2, s2_page(12, SG_DATA, false));
	for (unsigned int i = 0; i < 32; i++)
		sg_tt_map(&g, &t2, 0x1000000 + 0x1000 * i, 3,
			  s2_page(12, SG_DATA + 0x200000 + 0x1000 * i, true));
	sg_ste_s2(&st, &t2, 9);
	sg_ste_set(&g, SID_B, &st);
	sg_inv_ste(&g, SID_B);
	sg_tr_ok(&g, SID_B, NP, 0x40012340, AR, SG_DATA + 0x12340);
	/* Every set in use once (a lookup skips a set no insert reached). */
	for (unsigned int i = 0; i < 24; i++)
		sg_tr_ok(&g, SID_B, NP, 0x1000000 + 0x1000 * i, AR,
			 SG_DATA + 0x200000 + 0x1000 * i);
	for (unsigned int i = 24; i < 32; i++) {
		const uint64_t ipa = 0x1000000 + 0x1000 * i;
		const uint64_t pa = SG_DATA + 0x200000 + 0x1000 * i;

		cnt_get(&g, &c0);
		sg_tr_ok(&g, SID_B, NP, ipa, AR, pa);
		cnt_is(&g, &c0, 0, 1, 1);
		sg_tr_ok(&g, SID_B, NP, ipa + 0x10, AR, pa + 0x10);
		cnt_is(&g, &c0, 1, 0, 0);
	}
	sg_destroy(&g);
}

/*
 * Stage 1 through the model's own TLB (no hint), its sets all in use:
 * each page of a region whose last-level table the walk cache holds
 * misses once (one miss, one walk) and then hits, with the output and
 * the permissions of its entry both times (a read-only page answers
 * read-only from the TLB too, and a write to it faults there), and the
 * length up to the end of the page.  A page of that table without AF,
 * an address beyond TTB0's range and one with a tag in its top byte
 * fault; with TBI0 the tagged addresses take the same way.  A global
 * page is cached as one.
 */
Test(xlate, cached_region_pages_through_the_tlb)
{
	const uint64_t base = 0x40200000ull; /* one level-3 table */
	struct iommu_translation tr;
	struct sg_tt t;
	struct cnt c0;
	struct cd c;
	uint64_t cd;
	struct sg g;

	/* Every access reaches the model. */
	sg_next_ctx_flags(IOMMU_CTX_NO_HINT);
	up(&g, "tlb_sets = 8\ntlb_ways = 8\n");
	xl_s1(&g, SID_A, 12, 16, 5, &t, &c, &cd);
	for (unsigned int i = 0; i < 48; i++)
		sg_tt_map(&g, &t, base + PG * i, 3,
			  s1_page(12, SG_DATA + PG * i, true) |
			      (i % 2 ? D_AP(2) : 0));
	sg_tt_map(&g, &t, base + PG * 48, 3,
		  s1_page(12, SG_DATA + PG * 48, true) & ~D_AF);
	/* Every set in use once (a lookup skips a set no insert reached),
	 * and the region's table in the walk cache. */
	for (unsigned int i = 0; i < 32; i++)
		sg_tr_ok(&g, SID_A, NP, base + PG * i, AR, SG_DATA + PG * i);
	for (unsigned int i = 32; i < 48; i++) {
		const uint64_t va = base + PG * i;
		const unsigned int perm =
		    i % 2 ? IOMMU_READ : IOMMU_READ | IOMMU_WRITE;

		for (unsigned int k = 0; k < 2; k++) {
			cnt_get(&g, &c0);
			memset(&tr, 0, sizeof(tr));
			cr_assert_eq(iommu_dma_translate(g.ctx, SID_A, NP,
							 va + 0xff8 - 8 * k,
							 0x10, AR, &tr),
				     0, "page %u", i);
			cr_assert_eq(tr.phys, SG_DATA + PG * i + 0xff8 - 8 * k,
				     "page %u, access %u", i, k);
			cr_assert_eq(tr.len, 8 + 8 * k, "page %u, access %u",
				     i, k);
			cr_assert_eq(tr.perm, perm, "page %u, %s: perm %x", i,
				     k ? "TLB hit" : "miss", tr.perm);
			if (k)
				cnt_is(&g, &c0, 1, 0, 0);
			else
				cnt_is(&g, &c0, 0, 1, 1);
		}
		if (i % 2)
			sg_tr_fault(&g, SID_A, NP, va + 0x20, AW, E_PERMISSION,
				    NULL);
		else
			sg_tr_ok(&g, SID_A, NP, va + 0x20, AW,
				 SG_DATA + PG * i + 0x20);
	}
	sg_tr_fault(&g, SID_A, NP, base + PG * 48, AR, E_ACCESS, NULL);
	sg_tr_fault(&g, SID_A, NP, base + PG * 48, AR, E_ACCESS, NULL);
	sg_tr_fault(&g, SID_A, NP, 1ull << 48 | base, AR, E_TRANSLATION, NULL);
	/* A tag in the top byte: a fault without TBI0, ignored with it
	 * (xl_cd()'s TLBI_NH_ALL empties both caches: the first page
	 * fills the walk cache again). */
	sg_tr_fault(&g, SID_A, NP, 0x5Aull << 56 | base, AR, E_TRANSLATION,
		    NULL);
	c.tbi0 = true;
	xl_cd(&g, SID_A, cd, &c);
	sg_tr_ok(&g, SID_A, NP, 0x5Aull << 56 | base, AR, SG_DATA);
	for (unsigned int i = 1; i < 4; i++) {
		cnt_get(&g, &c0);
		sg_tr_ok(&g, SID_A, NP, (uint64_t)i << 56 | (base + PG * i), AR,
			 SG_DATA + PG * i);
		cnt_is(&g, &c0, 0, 1, 1);
		sg_tr_ok(&g, SID_A, NP, 0xA5ull << 56 | (base + PG * i), AR,
			 SG_DATA + PG * i);
		cnt_is(&g, &c0, 1, 0, 0);
	}
	/* A global page (nG = 0) of the region is cached as one: it
	 * outlives TLBI_NH_ASID, which takes the non-global pages (and the
	 * walk cache). */
	sg_tt_map(&g, &t, base + PG * 49, 3,
		  s1_page(12, SG_DATA + PG * 49, true) & ~D_NG);
	sg_tr_ok(&g, SID_A, NP, base + PG * 49, AR, SG_DATA + PG * 49);
	sg_tr_ok(&g, SID_A, NP, base + PG * 4, AR, SG_DATA + PG * 4);
	sg_tt_map(&g, &t, base + PG * 49, 3,
		  s1_page(12, SG_DATA + PG * 50, true) & ~D_NG);
	sg_tt_map(&g, &t, base + PG * 4, 3,
		  s1_page(12, SG_DATA + PG * 50, true));
	{
		uint64_t q[2];

		cmd_tlbi_nh_asid(q, 0, 1);
		sg_cmd(&g, q);
		sg_sync(&g);
	}
	cnt_get(&g, &c0);
	sg_tr_ok(&g, SID_A, NP, base + PG * 49, AR, SG_DATA + PG * 49);
	cnt_is(&g, &c0, 1, 0, 0);
	sg_tr_ok(&g, SID_A, NP, base + PG * 4, AR, SG_DATA + PG * 50);
	cnt_is(&g, &c0, 0, 1, 1);
	sg_no_evt(&g);
	sg_destroy(&g);
}

/*
 * The TLB has no StreamID tag: two streams whose CDs share an ASID (and
 * VMID 0) share its entries.  A 2 MiB block one's walk cached answers
 * the other's requests in that region before the other's own last-level
 * table does, which the walk cache holds: a miss probes every size the
 * TLB holds before it walks.
 */
Test(xlate, a_block_entry_answers_before_a_cached_region)
{
	const uint64_t base = 0x40200000ull, blk = SG_DATA + 0x200000;
	struct sg_tt ta, tb;
	uint64_t cda, cdb;
	struct cd ca, cb;
	struct sg g;

	sg_next_ctx_flags(IOMMU_CTX_NO_HINT);
	up(&g, NULL);
	xl_s1(&g, SID_A, 12, 16, 5, &ta, &ca, &cda);
	xl_s1(&g, SID_B, 12, 16, 5, &tb, &cb, &cdb);
	for (unsigned int i = 0; i < 4; i++)
		sg_tt_map(&g, &ta, base + PG * i, 3,
			  s1_page(12, SG_DATA + PG * i, true));
	sg_tt_map(&g, &tb, base, 2, s1_page(12, blk, false));
	/* SID_A's table in the walk cache, then a page through it. */
	sg_tr_ok(&g, SID_A, NP, base, AR, SG_DATA);
	sg_tr_ok(&g, SID_A, NP, base + PG, AR, SG_DATA + PG);
	/* SID_B's block, tagged as SID_A's entries are. */
	sg_tr_ok(&g, SID_B, NP, base + PG * 2, AR, blk + PG * 2);
	for (unsigned int i = 2; i < 4; i++)
		sg_tr_ok(&g, SID_A, NP, base + PG * i + 0x10, AR,
			 blk + PG * i + 0x10);
	sg_destroy(&g);
}

/*
 * The thread's memo of a stage-1 stream (its CD and plan) serves that
 * stream alone, and only while the SMMU is on: a bypass stream's request
 * right after it, at an address the stage-1 stream's TLB entry holds, is
 * not translated, and neither is the stage-1 stream's once SMMUEN is
 * cleared (GBPA: bypass).
 */
Test(xlate, the_memo_of_a_stage1_stream_serves_it_alone)
{
	const uint64_t base = 0x40200000ull;
	struct ste st = {.v = true, .config = 4}; /* bypass */
	struct sg_tt t;
	struct cd c;
	uint64_t cd;
	struct sg g;

	sg_next_ctx_flags(IOMMU_CTX_NO_HINT);
	up(&g, NULL);
	xl_s1(&g, SID_A, 12, 16, 5, &t, &c, &cd);
	sg_tt_map(&g, &t, base, 3, s1_page(12, SG_DATA, true));
	sg_ste_set(&g, SID_B, &st);
	sg_inv_ste(&g, SID_B);
	sg_tr_ok(&g, SID_A, NP, base, AR, SG_DATA);
	sg_tr_ok(&g, SID_A, NP, base + 0x8, AR, SG_DATA + 0x8);
	/* (The first fetches SID_B's STE, the second keeps it.) */
	for (unsigned int i = 0; i < 3; i++)
		sg_tr_ok(&g, SID_B, NP, base + 0x10 * i, AR, base + 0x10 * i);
	for (unsigned int i = 0; i < 3; i++)
		sg_tr_ok(&g, SID_A, NP, base + 0x30 + 0x10 * i, AR,
			 SG_DATA + 0x30 + 0x10 * i);
	sg_cr0(&g, CR0_CMDQEN | CR0_EVENTQEN);
	sg_tr_ok(&g, SID_A, NP, base + 0x60, AR, base + 0x60);
	sg_no_evt(&g);
	sg_destroy(&g);
}

/* Translate @va (8 bytes) and return its output and permissions. */
static void tr_perm(struct sg *g, uint32_t sid, uint64_t va,
		    unsigned int access, uint64_t phys, unsigned int perm)
{
	struct iommu_translation tr;

	memset(&tr, 0, sizeof(tr));
	cr_assert_eq(iommu_dma_translate(g->ctx, sid, NP, va, 8, access, &tr),
		     0, "va 0x%llx", U64(va));
	cr_assert_eq(tr.phys, phys, "va 0x%llx -> 0x%llx", U64(va),
		     U64(tr.phys));
	cr_assert_eq(tr.perm, perm, "va 0x%llx: perm %x, want %x", U64(va),
		     tr.perm, perm);
}

/*
 * HTTU through a cached region (CD.HA, HD): a page writable through DBM
 * and still clean answers a read miss read-only and leaves the entry
 * clean; a write miss sets its dirty state and answers it writable; a
 * page without AF gets it on its first access.
 */
Test(xlate, cached_region_pages_get_their_dirty_state_and_af)
{
	const uint64_t base = 0x40200000ull;
	const uint64_t clean = s1_page(12, 0, true) | D_DBM | D_AP(2);
	uint64_t cd, a[4];
	struct sg_tt t;
	struct cnt c0;
	struct cd c;
	struct sg g;

	sg_next_ctx_flags(IOMMU_CTX_NO_HINT);
	up(&g, NULL);
	xl_s1(&g, SID_A, 12, 16, 5, &t, &c, &cd);
	c.ha = c.hd = true;
	xl_cd(&g, SID_A, cd, &c);
	sg_tt_map(&g, &t, base, 3, s1_page(12, SG_DATA, true));
	for (unsigned int i = 1; i < 4; i++)
		a[i] = sg_tt_map(&g, &t, base + PG * i, 3,
				 (clean | enc_oa(12, SG_DATA + PG * i)) &
				     (i == 3 ? ~D_AF : ~0ull));
	sg_tr_ok(&g, SID_A, NP, base, AR, SG_DATA); /* the walk cache */
	sg_tr_ok(&g, SID_A, NP, base + 8, AR, SG_DATA + 8);
	cnt_get(&g, &c0);
	tr_perm(&g, SID_A, base + PG, AR, SG_DATA + PG, IOMMU_READ);
	cnt_is(&g, &c0, 0, 1, 1);
	cr_assert(sg_rd64m(&g, a[1]) & D_AP(2), "page 1 still clean");
	tr_perm(&g, SID_A, base + PG * 2, AW, SG_DATA + PG * 2,
		IOMMU_READ | IOMMU_WRITE);
	cnt_is(&g, &c0, 0, 1, 1);
	cr_assert(!(sg_rd64m(&g, a[2]) & D_AP(2)), "page 2 dirty");
	tr_perm(&g, SID_A, base + PG * 3, AR, SG_DATA + PG * 3, IOMMU_READ);
	cnt_is(&g, &c0, 0, 1, 1);
	cr_assert(sg_rd64m(&g, a[3]) & D_AF, "page 3 accessed");
	sg_no_evt(&g);
	sg_destroy(&g);
}

/*
 * A stream whose STE makes every request privileged (PRIVCFG), under a
 * CD with PAN, through a cached region: privileged data access to a page
 * EL0 may access is refused, on a miss and after a hit of another page;
 * a privileged-only page answers with its privileged permissions.
 */
Test(xlate, cached_region_pages_of_a_privileged_stream_under_pan)
{
	const uint64_t base = 0x40200000ull;
	struct ste st = {.v = true, .config = 5, .privcfg = 3};
	struct sg_tt t;
	struct cd c;
	uint64_t cd;
	struct sg g;

	sg_next_ctx_flags(IOMMU_CTX_NO_HINT);
	up(&g, NULL);
	xl_s1(&g, SID_A, 12, 16, 5, &t, &c, &cd);
	c.pan = true;
	xl_cd(&g, SID_A, cd, &c);
	st.s1ctxptr = cd;
	sg_ste_set(&g, SID_A, &st);
	sg_inv_ste(&g, SID_A);
	for (unsigned int i = 0; i < 4; i++)
		sg_tt_map(&g, &t, base + PG * i, 3,
			  s1_page(12, SG_DATA + PG * i, true) &
			      (i % 2 ? ~0ull : ~D_AP(1)));
	for (unsigned int k = 0; k < 2; k++) {
		tr_perm(&g, SID_A, base, AR, SG_DATA, IOMMU_READ | IOMMU_WRITE);
		tr_perm(&g, SID_A, base + PG * 2 + 0x10, AW,
			SG_DATA + PG * 2 + 0x10, IOMMU_READ | IOMMU_WRITE);
		sg_tr_fault(&g, SID_A, NP, base + PG * 3, AR, E_PERMISSION,
			    NULL);
		sg_tr_fault(&g, SID_A, NP, base + PG, AW, E_PERMISSION, NULL);
	}
	sg_no_evt(&g);
	sg_destroy(&g);
}

/*
 * An EL2 stream (STRW = EL2, CR2.E2H = 0) through a cached region: one
 * privilege, so a page EL0 may not access reads and writes; a page with
 * nG = 0 is cached as an entry of the EL2 world, which has no ASIDs and
 * no global entries, and hits on the next access.
 */
Test(xlate, cached_region_pages_of_an_el2_stream)
{
	const uint64_t base = 0x40200000ull;
	struct ste st = {.v = true, .config = 5, .strw = 2};
	struct sg_tt t;
	struct cnt c0;
	struct cd c;
	uint64_t cd;
	struct sg g;

	sg_next_ctx_flags(IOMMU_CTX_NO_HINT);
	up(&g, NULL);
	xl_s1(&g, SID_A, 12, 16, 5, &t, &c, &cd);
	st.s1ctxptr = cd;
	sg_ste_set(&g, SID_A, &st);
	sg_inv_ste(&g, SID_A);
	sg_tt_map(&g, &t, base, 3, s1_page(12, SG_DATA, true));
	sg_tt_map(&g, &t, base + PG, 3,
		  s1_page(12, SG_DATA + PG, true) & ~D_AP(1));
	sg_tt_map(&g, &t, base + PG * 2, 3,
		  s1_page(12, SG_DATA + PG * 2, true) & ~D_NG);
	sg_tr_ok(&g, SID_A, NP, base, AR, SG_DATA); /* the walk cache */
	sg_tr_ok(&g, SID_A, NP, base + 8, AR, SG_DATA + 8);
	for (unsigned int k = 0; k < 2; k++) {
		cnt_get(&g, &c0);
		tr_perm(&g, SID_A, base + PG + 8 * k, AR, SG_DATA + PG + 8 * k,
			IOMMU_READ | IOMMU_WRITE);
		tr_perm(&g, SID_A, base + PG * 2 + 8 * k, AW,
			SG_DATA + PG * 2 + 8 * k, IOMMU_READ | IOMMU_WRITE);
		if (k)
			cnt_is(&g, &c0, 2, 0, 0);
		else
			cnt_is(&g, &c0, 0, 2, 2);
	}
	sg_no_evt(&g);
	sg_destroy(&g);
}

Test(xlate, stage2_concatenated_start_tables)
{
	struct sg_tt t;
	struct evt e;
	struct sg g;

	up(&g, NULL);
	/* TV5: IAS 40, 4K: start at level 1 with two tables */
	sg_s2_dev(&g, SID_B, 12, 40, 1, 3, &t);
	cr_assert_eq(t.top, 10);
	sg_tt_map(&g, &t, 0x8040201000ull, 3, s2_page(12, SG_DATA, true));
	cr_assert_eq(sg_tt_entry(&g, &t, 0x8040201000ull, 1), t.root + 8 * 513);
	sg_tr_ok(&g, SID_B, NP, 0x8040201234ull, AR, SG_DATA + 0x234);
	sg_tr_fault(&g, SID_B, NP, 0x8040202000ull, AW, E_TRANSLATION, &e);
	cr_assert(e.s2 && e.class == CL_IN && !e.rnw);
	cr_assert_eq(e.ipa, 0x8040202000ull, "IPA in DW3");
	/* beyond the 40-bit input */
	sg_tr_fault(&g, SID_B, NP, 1ull << 40, AR, E_TRANSLATION, &e);
	cr_assert(e.s2);
	/* 16K: a 48-bit IPA starts at level 1 with two tables (4.4) */
	sg_s2_dev(&g, SID_C, 14, 48, 1, 4, &t);
	cr_assert_eq(t.top, 12);
	sg_tt_map(&g, &t, 0xFFFF02000000ull, 2, s2_page(14, SG_DATA, false));
	sg_tr_ok(&g, SID_C, NP, 0xFFFF03FFFFFFull, AR, SG_DATA + 0x1FFFFFF);
	sg_destroy(&g);
}

Test(xlate, stage2_64k_with_a_52_bit_ipa)
{
	struct sg_tt t;
	struct sg g;

	up(&g, "oas = 52\n");
	sg_s2_dev(&g, SID_B, 16, 52, 1, 3, &t); /* S2T0SZ 12 */
	sg_tt_map(&g, &t, 0xF123456780000ull, 3,
		  s2_page(16, 0xA000000010000ull, true));
	/* S2PS 48 (sg_ste_s2): the output is beyond it */
	sg_tr_fault(&g, SID_B, NP, 0xF123456780000ull, AR, E_ADDR_SIZE, NULL);
	{
		struct ste st = {0};

		sg_ste_s2(&st, &t, 3);
		st.s2ps = 6;
		sg_ste_set(&g, SID_B, &st);
		sg_inv_ste(&g, SID_B);
	}
	sg_tr_ok(&g, SID_B, NP, 0xF123456781234ull, AR, 0xA000000011234ull);
	sg_destroy(&g);
}

Test(xlate, nested_walk_reads_stage1_through_stage2)
{
	struct sg_tt s1, s2;
	struct ste st;
	struct sg g;

	up(&g, NULL);
	xl_nested(&g, SID_A, &s1, &s2, &st);
	sg_tt_map(&g, &s1, 0x1000, 3, s1_page(12, XL_IPA + 0x9000, true));
	sg_tt_map(&g, &s2, XL_IPA + 0x9000, 3,
		  s2_page(12, SG_DATA + 0x5000, true));
	sg_tr_ok(&g, SID_A, NP, 0x1abc, AW, SG_DATA + 0x5abc);
	sg_destroy(&g);
}

/*
 * A nested stream's stage-1 tables are at IPAs, read through stage 2,
 * never resumed from the walk cache: not even from the entry a stage-1
 * stream with the same VMID, ASID, geometry and (numeric) root left
 * there, whose tables are at PAs.
 */
Test(xlate, nested_stage1_never_resumes_a_stage1_streams_walk)
{
	const uint64_t base = 0x40200000ull;
	struct ste st, sb = {.v = true, .config = 5, .vmid = 7};
	struct sg_tt s1, s2, tb;
	struct cd cb;
	uint64_t cdb;
	struct sg g;

	sg_next_ctx_flags(IOMMU_CTX_NO_HINT);
	up(&g, NULL);
	xl_nested(&g, SID_A, &s1, &s2, &st);
	cr_assert_eq(st.vmid, 7);
	xl_s1(&g, SID_B, 12, 16, 5, &tb, &cb, &cdb);
	cb.ttb0 = s1.root;
	xl_cd(&g, SID_B, cdb, &cb);
	sb.s1ctxptr = cdb;
	sg_ste_set(&g, SID_B, &sb);
	sg_inv_ste(&g, SID_B);
	for (unsigned int i = 0; i < 4; i++) {
		sg_tt_map(&g, &s1, base + PG * i, 3,
			  s1_page(12, XL_IPA + PG * i, true));
		sg_tt_map(&g, &s2, XL_IPA + PG * i, 3,
			  s2_page(12, SG_DATA + 0x5000 + PG * i, true));
	}
	sg_tr_ok(&g, SID_B, NP, base, AR, XL_IPA); /* the walk cache */
	sg_tr_ok(&g, SID_B, NP, base + PG, AR, XL_IPA + PG);
	for (unsigned int k = 0; k < 2; k++)
		for (unsigned int i = 1; i < 4; i++)
			sg_tr_ok(&g, SID_A, NP, base + PG * i + 8 * k, AR,
				 SG_DATA + 0x5000 + PG * i + 8 * k);
	sg_destroy(&g);
}

/*
 * The full 2-D walk (sheet 4.13): the CD and the four stage-1 tables sit
 * at IPAs that stage 2 maps with 4K pages to other PAs, so each stage-1
 * table read needs a 4-level stage-2 walk first: 4 x (4 + 1) reads, then
 * 4 for the output IPA, 24 table reads (and 4 more for the CD).  A model
 * that read any of them at its IPA would fetch outside RAM.
 */
Test(xlate, nested_2d_walk_of_24_reads_through_4k_stage2_pages)
{
	const uint64_t va = 0x00007FABCDEF0123ull; /* TV2 */
	const uint64_t ipa_cd = XL_IPA + 0x3000, ipa_out = XL_IPA + 0x100000;
	uint64_t pa[4], ipa[4], cd_pa, dw[8];
	struct sg_tt s2;
	struct ste st;
	struct cd c;
	struct sg g;

	up(&g, NULL);
	sg_tt_new(&g, &s2, 12, 48, 0);
	for (unsigned int l = 0; l < 4; l++) {
		pa[l] = sg_page(&g, 0);
		ipa[l] = XL_IPA + 0x10000 * (l + 1);
		sg_tt_map(&g, &s2, ipa[l], 3, s2_page(12, pa[l], true));
	}
	for (unsigned int l = 0; l < 4; l++) {
		uint64_t idx = (va >> (12 + 9 * (3 - l))) & 511;

		sg_wr64m(&g, pa[l] + idx * 8,
			 l < 3 ? ipa[l + 1] | D_TABLE
			       : s1_page(12, ipa_out, true));
	}
	sg_tt_map(&g, &s2, ipa_out, 3, s2_page(12, SG_DATA + 0x7000, true));
	cd_pa = sg_page(&g, 0);
	sg_tt_map(&g, &s2, ipa_cd, 3, s2_page(12, cd_pa, true));
	cd_linux(&c, 16, 0, 5, 1, ipa[0]);
	enc_cd(dw, &c);
	sg_wrn(&g, cd_pa, dw, 8);
	memset(&st, 0, sizeof(st));
	sg_ste_s2(&st, &s2, 7);
	st.config = 7;
	st.s1ctxptr = ipa_cd;
	sg_ste_set(&g, SID_A, &st);
	sg_inv_ste(&g, SID_A);
	sg_tr_ok(&g, SID_A, NP, va, AR, SG_DATA + 0x7123);
	sg_tr_ok(&g, SID_A, NP, va, AW, SG_DATA + 0x7123);
	sg_no_evt(&g);
	sg_destroy(&g);
}

Test(xlate, nested_faults_carry_stage_and_class)
{
	struct sg_tt s1, s2;
	uint64_t a, blk;
	struct ste st;
	struct evt e;
	struct sg g;

	up(&g, NULL);
	xl_nested(&g, SID_A, &s1, &s2, &st);
	/* the output IPA is not mapped: stage 2, CLASS IN */
	sg_tt_map(&g, &s1, 0x1000, 3, s1_page(12, XL_IPA + 0x9000, true));
	sg_tr_fault(&g, SID_A, NP, 0x1010, AR, E_TRANSLATION, &e);
	cr_assert(e.s2 && e.class == CL_IN);
	cr_assert_eq(e.ipa, XL_IPA + 0x9000);
	cr_assert_eq(e.addr, 0x1010, "InputAddr is the VA");
	/* a stage-1 table at an unmapped IPA: stage 2, CLASS TT */
	a = sg_tt_entry(&g, &s1, 0x1000, 2);
	sg_wr64m(&g, a, (XL_IPA + 0x200000) | D_TABLE);
	sg_inv_all(&g);
	sg_tr_fault(&g, SID_A, NP, 0x1010, AR, E_TRANSLATION, &e);
	cr_assert(e.s2 && e.class == CL_TT);
	cr_assert_eq(e.ipa, XL_IPA + 0x200000, "the descriptor's IPA [51:12]");
	/* mapped with no access: F_PERMISSION, TTRnW = 1 (a read) */
	blk = sg_tt_map(&g, &s2, XL_IPA + 0x200000, 2,
			s2_page(12, 0x800000, false) & ~D_AP(3));
	sg_inv_all(&g);
	sg_tr_fault(&g, SID_A, NP, 0x1010, AW, E_PERMISSION, &e);
	cr_assert(e.s2 && e.class == CL_TT && e.ttrnw && !e.rnw);
	/* mapped to a PA outside RAM: F_WALK_EABT, S2 = 0, CLASS TT */
	sg_wr64m(&g, blk, s2_page(12, SG_UNBACKED, false));
	sg_inv_all(&g);
	sg_tr_fault(&g, SID_A, NP, 0x1010, AR, E_WALK_EABT, &e);
	cr_assert(!e.s2 && e.class == CL_TT);
	cr_assert_eq(e.fetch, SG_UNBACKED + 8);
	/* S2R = 0: stage-2 faults are not recorded */
	st.s2r = false;
	sg_ste_set(&g, SID_A, &st);
	sg_wr64m(&g, blk, s2_page(12, 0x800000, false) & ~D_AP(3));
	sg_inv_all(&g);
	sg_tr_fault(&g, SID_A, NP, 0x1010, AR, 0, NULL);
	sg_destroy(&g);
}

Test(xlate, nested_cd_fetch_goes_through_stage2)
{
	struct sg_tt s1, s2;
	struct ste st;
	struct evt e;
	struct sg g;

	up(&g, NULL);
	xl_nested(&g, SID_A, &s1, &s2, &st);
	st.s1ctxptr = XL_IPA + 0x40;
	sg_ste_set(&g, SID_A, &st);
	sg_inv_ste(&g, SID_A);
	sg_tr_fault(&g, SID_A, NP, 0x1000, AR, E_TRANSLATION, &e);
	cr_assert(e.s2 && e.class == CL_CD);
	cr_assert_eq(e.ipa, XL_IPA, "the CD's IPA (bits 51:12)");
	sg_tt_map(&g, &s2, XL_IPA, 2, s2_page(12, SG_UNBACKED, false));
	sg_tr_fault(&g, SID_A, NP, 0x1000, AR, E_CD_FETCH, &e);
	cr_assert_eq(e.fetch, SG_UNBACKED + 0x40, "FetchAddr is the PA");
	sg_destroy(&g);
}

Test(xlate, s2ptw_faults_walks_in_device_memory)
{
	struct sg_tt s1, s2;
	struct ste st;
	struct evt e;
	uint64_t blk;
	struct sg g;

	up(&g, NULL);
	xl_nested(&g, SID_A, &s1, &s2, &st);
	sg_tt_map(&g, &s1, 0x1000, 3, s1_page(12, XL_IPA, true));
	sg_tt_map(&g, &s2, XL_IPA, 3, s2_page(12, SG_DATA, true));
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, SG_DATA);
	/* the 2 MiB holding the stage-1 root becomes Device-nGnRE */
	blk = sg_tt_entry(&g, &s2, s1.root, 2);
	sg_wr64m(&g, blk, (sg_rd64m(&g, blk) & ~D_MEM(0xf)) | D_MEM(1));
	sg_inv_all(&g);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, SG_DATA); /* S2PTW = 0 */
	st.s2ptw = true;
	sg_ste_set(&g, SID_A, &st);
	sg_inv_all(&g);
	sg_tr_fault(&g, SID_A, NP, 0x1000, AR, E_PERMISSION, &e);
	cr_assert(e.s2 && e.class == CL_TT);
	sg_destroy(&g);
}

Test(xlate, dma_reads_and_writes_memory_through_the_smmu)
{
	char buf[16] = "", msg[] = "smmuv3 dma";
	struct sg_tt t;
	struct cd c;
	uint64_t cd;
	struct sg g;

	up(&g, NULL);
	xl_s1(&g, SID_A, 12, 16, 5, &t, &c, &cd);
	sg_tt_map(&g, &t, 0x10000, 3, s1_page(12, SG_DATA + 0x3000, true));
	sg_tt_map(&g, &t, 0x11000, 3, s1_page(12, SG_DATA + 0x8000, true));
	/* crosses the page boundary: two translations */
	cr_assert_eq(
	    iommu_dma_write(g.ctx, SID_A, NP, 0x10FFC, msg, sizeof(msg)), 0);
	cr_assert_eq(iommu_mem_read(g.ctx, SG_DATA + 0x3FFC, buf, 4), 0);
	cr_assert_eq(memcmp(buf, msg, 4), 0);
	cr_assert_eq(
	    iommu_mem_read(g.ctx, SG_DATA + 0x8000, buf, sizeof(msg) - 4), 0);
	cr_assert_eq(memcmp(buf, msg + 4, sizeof(msg) - 4), 0);
	memset(buf, 0, sizeof(buf));
	cr_assert_eq(
	    iommu_dma_read(g.ctx, SID_A, NP, 0x10FFC, buf, sizeof(msg)), 0);
	cr_assert_str_eq(buf, msg);
	cr_assert_eq(iommu_dma_read(g.ctx, SID_A, NP, 0x12000, buf, 4),
		     -EFAULT);
	sg_evt_drain(&g);
	sg_destroy(&g);
}
