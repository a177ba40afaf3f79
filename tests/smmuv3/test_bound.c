// SPDX-License-Identifier: MIT
/*
 * test_bound.c - the work one CMDQ_PROD write can cause is bounded (rule
 * 15, docs/architecture.md "Bounded work per guest action", SMMUv3):
 *
 *   "a CMDQ_PROD write (or CMDQEN set, or CMDQ_ERR acknowledged)
 *   consumes at most the queue's entries; CFGI_ALL, CFGI_STE and
 *   CFGI_CD_ALL cost O(1) (the configuration cache is tagged by
 *   StreamID), CFGI_CD O(ways); the TLBIs of a whole scope (NSNH_ALL,
 *   S12_VMALL, NH_ALL, NH_ASID, EL2_ALL, EL2_ASID) O(1) through per-scope
 *   epochs each TLB entry records at its walk; TLBIs by address probe the
 *   sets of the pages they cover, or drop their whole scope in O(1) for
 *   a large range."
 *
 * The worst case the INI allows: config_cache_entries 65536 (4 ways),
 * tlb_sets 65536 x tlb_ways 64 (4 Mi entries), cmdq_bits 19 (a queue of
 * 2^19 commands, placed at B_CMDQ: the guest driver's own queue area is
 * 1 MiB).  The TLB is filled by translating 8192 pages of each of two
 * stage-1 streams, then the whole queue is filled with one kind of
 * command and CMDQ_PROD written once.  Counted, not timed:
 * IOMMU_STAT_QUEUE_CMDS and IOMMU_STAT_INVAL_WORK (cache slots the
 * model's invalidations looked at).  Each kind is also checked to work:
 * an output cached before is walked again after.
 *
 * A TLBI of a large range once scanned the TLB: every slot, 4194304 per
 * command, about 46 ms in debug, so a whole queue of them (2^19) would
 * have held one CMDQ_PROD write for hours.  It now drops the VMID's
 * stage-1 scope, and a full queue of it looks at no slot.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "sg.h"

#define B_CMDQ	 0x2800000ull /* 8 MiB: 2^19 commands of 16 bytes */
#define B_CQ_LG2 19u
#define B_SLOTS	 (1u << B_CQ_LG2)
#define B_TLB	 (65536u * 64u)
#define B_TLB_W	 64u
#define B_CFG_W	 4u
#define B_PAGES	 8192u
#define B_OTHER	 (SG_DATA + 0x100000)

static const char b_ini[] = "config_cache_entries = 65536\n"
			    "tlb_sets = 65536\n"
			    "tlb_ways = 64\n"
			    "cmdq_bits = 19\n";

struct bnd {
	struct sg g;
	struct sg_tt ta, tb;
	uint64_t cda, cdb;
	uint64_t leaf_a0; /* stream A's leaf for VA 0 */
	uint32_t prod;
};

static uint64_t b_out(unsigned int i)
{
	return SG_DATA + (uint64_t)(i % 16) * PG;
}

/* Write @n words at @pa, little-endian, in one memory write. */
static void b_put(struct bnd *b, uint64_t pa, const uint64_t *w, unsigned int n)
{
	uint8_t *buf = malloc(8ull * n);

	cr_assert(buf);
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = 0; j < 8; j++)
			buf[8ull * i + j] = (uint8_t)(w[i] >> (8 * j));
	cr_assert_eq(iommu_mem_write(b->g.ctx, pa, buf, 8ull * n), 0);
	free(buf);
}

/* Write @n commands at the producer index (in at most two runs: the
 * queue is 8 MiB), then CMDQ_PROD once. */
static void b_cmds(struct bnd *b, const uint64_t (*q)[2], unsigned int n)
{
	uint32_t mask = (2u << B_CQ_LG2) - 1, idx = B_SLOTS - 1;

	cr_assert_leq(n, B_SLOTS);
	for (unsigned int i = 0; i < n;) {
		unsigned int run = B_SLOTS - (b->prod & idx);

		if (run > n - i)
			run = n - i;
		b_put(b, B_CMDQ + 16ull * (b->prod & idx), q[i], 2 * run);
		b->prod = (b->prod + run) & mask;
		i += run;
	}
	sg_wr(&b->g, S_CMDQ_PROD, 4, b->prod);
}

static bool b_drained(struct bnd *b)
{
	return (sg_rd32(&b->g, S_CMDQ_CONS) & ((2u << B_CQ_LG2) - 1)) ==
	       b->prod;
}

/* Run one command on the large queue and check it completed. */
static void b_cmd1(struct bnd *b, const uint64_t q[2])
{
	b_cmds(b, (const uint64_t(*)[2])q, 1);
	cr_assert(b_drained(b));
}

/* Two stage-1 streams (A: ASID 1, B: ASID 2, VMID 0) of B_PAGES pages,
 * then the command queue moved to B_CMDQ at its largest size. */
static void b_setup(struct bnd *b)
{
	struct sg *g = &b->g;
	uint32_t cr0;

	memset(b, 0, sizeof(*b));
	sg_next_ctx_flags(IOMMU_CTX_NO_HINT);
	sg_create(g, b_ini);
	cr_assert_eq((g->idr1 >> 21) & 0x1f, B_CQ_LG2, "IDR1.CMDQS");
	sg_init(g, true, 16);
	sg_s1_dev(g, SID_A, 12, 1, &b->ta, &b->cda);
	sg_s1_dev(g, SID_B, 12, 2, &b->tb, &b->cdb);
	for (unsigned int i = 0; i < B_PAGES; i++) {
		uint64_t l = sg_tt_map(g, &b->ta, (uint64_t)i * PG, 3,
				       s1_page(12, b_out(i), true));

		if (!i)
			b->leaf_a0 = l;
		sg_tt_map(g, &b->tb, (uint64_t)i * PG, 3,
			  s1_page(12, b_out(i + 1), true));
	}
	sg_inv_all(g);
	cr0 = sg_rd32(g, S_CR0);
	sg_cr0(g, cr0 & ~CR0_CMDQEN);
	sg_wr(g, S_CMDQ_BASE, 8, enc_q_base(B_CMDQ, B_CQ_LG2, true));
	sg_wr(g, S_CMDQ_PROD, 4, 0);
	sg_wr(g, S_CMDQ_CONS, 4, 0);
	sg_cr0(g, cr0 | CR0_CMDQEN);
}

/* Translate every page of both streams: the TLB holds them all. */
static void b_fill(struct bnd *b)
{
	uint64_t out;

	for (unsigned int i = 0; i < B_PAGES; i++) {
		cr_assert_eq(
		    sg_tr(&b->g, SID_A, NP, (uint64_t)i * PG, AR, &out), 0);
		cr_assert_eq(
		    sg_tr(&b->g, SID_B, NP, (uint64_t)i * PG, AR, &out), 0);
	}
}

/* @n copies of @d, one CMDQ_PROD write: return the slots looked at. */
static uint64_t b_run(struct bnd *b, const uint64_t d[2], unsigned int n)
{
	struct sg *g = &b->g;
	uint64_t(*q)[2] = calloc(n, sizeof(*q));
	uint64_t cmds = sg_stat(g, IOMMU_STAT_QUEUE_CMDS);
	uint64_t work = sg_stat(g, IOMMU_STAT_INVAL_WORK);

	cr_assert(q);
	for (unsigned int i = 0; i < n; i++)
		memcpy(q[i], d, sizeof(q[i]));
	b_cmds(b, (const uint64_t(*)[2])q, n);
	free(q);
	cr_assert_not(sg_cmdq_err(g, NULL), "CMDQ_ERR");
	cr_assert(b_drained(b), "CONS 0x%x PROD 0x%x", sg_rd32(g, S_CMDQ_CONS),
		  b->prod);
	cmds = sg_stat(g, IOMMU_STAT_QUEUE_CMDS) - cmds;
	cr_assert_eq(cmds, n, "%llu of %u commands consumed", U64(cmds), n);
	cr_assert_leq(cmds, B_SLOTS);
	return sg_stat(g, IOMMU_STAT_INVAL_WORK) - work;
}

/*
 * Fill the TLB, point stream A's VA 0 elsewhere, run @n copies of the
 * TLBI @d; VA 0 must then translate to the new output.  Return: slots
 * looked at per command (rounded up).
 */
static uint64_t b_tlbi_kind(struct bnd *b, const char *what,
			    const uint64_t d[2], unsigned int n)
{
	struct sg *g = &b->g;
	uint64_t w;

	b_fill(b);
	sg_wr64m(g, b->leaf_a0, s1_page(12, B_OTHER, true));
	sg_tr_ok(g, SID_A, NP, 0, AR, b_out(0)); /* still cached */
	w = b_run(b, d, n);
	sg_tr_ok(g, SID_A, NP, 0, AR, B_OTHER);
	sg_wr64m(g, b->leaf_a0, s1_page(12, b_out(0), true));
	cr_log_info("smmuv3 %s: %u commands, inval_work %llu (%.2f each)", what,
		    n, U64(w), (double)w / n);
	/* Start the next kind from the PTE's own output. */
	{
		uint64_t q[2];

		cmd_tlbi_nsnh_all(q);
		b_cmd1(b, q);
	}
	return w / n + (w % n != 0);
}

/*
 * The same for a CFGI @d: stream A's STE becomes abort behind the
 * cache's back, so the command works iff A's DMA fails after.
 */
static uint64_t b_cfgi_kind(struct bnd *b, const char *what,
			    const uint64_t d[2], unsigned int n)
{
	struct sg *g = &b->g;
	struct ste abort_ste = {.v = true, .config = 0};
	uint64_t keep[8], q[2], w;

	b_fill(b);
	for (unsigned int i = 0; i < 8; i++)
		keep[i] = sg_rd64m(g, sg_ste_addr(g, SID_A) + 8 * i);
	sg_ste_set(g, SID_A, &abort_ste);
	sg_tr_ok(g, SID_A, NP, 0, AR, b_out(0)); /* STE still cached */
	w = b_run(b, d, n);
	cr_assert_neq(sg_tr(g, SID_A, NP, 0, AR, NULL), 0,
		      "%s left the stale STE", what);
	sg_evt_drain(g);
	sg_ste_raw(g, SID_A, keep);
	cmd_cfgi_all(q);
	b_cmd1(b, q);
	cr_log_info("smmuv3 %s: %u commands, inval_work %llu (%.2f each)", what,
		    n, U64(w), (double)w / n);
	return w / n + (w % n != 0);
}

Test(bound, global_and_scope_tlbis_cost_nothing_per_command)
{
	struct bnd b;
	uint64_t d[2];

	b_setup(&b);
	cmd_tlbi_nsnh_all(d);
	cr_assert_eq(b_tlbi_kind(&b, "TLBI_NSNH_ALL", d, B_SLOTS), 0);
	cmd_tlbi_nh_all(d, 0);
	cr_assert_eq(b_tlbi_kind(&b, "TLBI_NH_ALL", d, B_SLOTS), 0);
	cmd_tlbi_s12_vmall(d, 0);
	cr_assert_eq(b_tlbi_kind(&b, "TLBI_S12_VMALL", d, B_SLOTS), 0);
	cmd_tlbi_nh_asid(d, 0, 1);
	cr_assert_eq(b_tlbi_kind(&b, "TLBI_NH_ASID", d, B_SLOTS), 0);
	sg_destroy(&b.g);
}

Test(bound, cfgi_all_and_cfgi_ste_cost_nothing)
{
	struct bnd b;
	uint64_t d[2];

	b_setup(&b);
	cmd_cfgi_all(d);
	cr_assert_eq(b_cfgi_kind(&b, "CFGI_ALL", d, B_SLOTS), 0);
	cmd_cfgi_ste(d, SID_A, true);
	cr_assert_eq(b_cfgi_kind(&b, "CFGI_STE", d, B_SLOTS), 0);
	sg_destroy(&b.g);
}

Test(bound, cfgi_of_a_range_or_of_cds_cost_nothing_or_one_set)
{
	struct bnd b;
	uint64_t d[2], w;

	b_setup(&b);
	cmd_cfgi_ste_range(d, SID_A, 4); /* 32 StreamIDs: a tag each */
	cr_assert_eq(b_cfgi_kind(&b, "CFGI_STE_RANGE 32", d, B_SLOTS), 0);
	cmd_cfgi_cd_all(d, SID_A);
	cr_assert_eq(b_cfgi_kind(&b, "CFGI_CD_ALL", d, B_SLOTS), 0);
	/* CFGI_CD does not drop the STE: only its cost is checked. */
	b_fill(&b);
	cmd_cfgi_cd(d, SID_A, 0, true);
	w = b_run(&b, d, B_SLOTS);
	cr_log_info("smmuv3 CFGI_CD: %u commands, inval_work %llu (%.2f each)",
		    B_SLOTS, U64(w), (double)w / B_SLOTS);
	cr_assert_leq(w, (uint64_t)B_SLOTS * B_CFG_W);
	sg_destroy(&b.g);
}

Test(bound, tlbi_of_one_page_probes_its_sets)
{
	struct bnd b;
	uint64_t d[2];

	b_setup(&b);
	/* Only 4 KiB entries were ever cached: one set per page. */
	cmd_tlbi_nh_va(d, 0, 1, 0, true);
	cr_assert_leq(b_tlbi_kind(&b, "TLBI_NH_VA (1 page)", d, B_SLOTS),
		      B_TLB_W);
	cmd_tlbi_va(d, OP_TLBI_NH_VAA, 0, 0, 0, false, 0, 0, 0, 0);
	cr_assert_leq(b_tlbi_kind(&b, "TLBI_NH_VAA (1 page)", d, B_SLOTS),
		      B_TLB_W);
	sg_destroy(&b.g);
}

/* A range of more pages than sets drops its scope: a full queue of the
 * largest range looks at no slot. */
Test(bound, tlbi_of_a_large_range_drops_its_scope)
{
	struct bnd b;
	uint64_t d[2];

	b_setup(&b);
	/* 32 * 2^31 64K granules from 0: the largest range. */
	cmd_tlbi_va(d, OP_TLBI_NH_VA, 0, 1, 0, false, 3, 0, 31, 31);
	cr_assert_eq(b_tlbi_kind(&b, "TLBI_NH_VA (whole range)", d, B_SLOTS),
		     0);
	sg_destroy(&b.g);
}

/* Every kind in one full queue, the costliest first, one PROD write. */
Test(bound, a_full_mixed_queue_is_consumed_once)
{
	struct bnd b;
	struct sg *g = &b.g;
	uint64_t(*q)[2] = calloc(B_SLOTS, sizeof(*q));
	uint64_t cmds, work;
	unsigned int n = 0;

	cr_assert(q);
	b_setup(&b);
	b_fill(&b);
	sg_wr64m(g, b.leaf_a0, s1_page(12, B_OTHER, true));
	for (unsigned int i = 0; i < 4; i++)
		cmd_tlbi_va(q[n++], OP_TLBI_NH_VA, 0, 2, 0, false, 3, 0, 31,
			    31);
	for (; n < B_SLOTS / 4; n++)
		cmd_tlbi_nh_va(q[n], 0, 1, (uint64_t)(n % B_PAGES) * PG, true);
	for (; n < B_SLOTS / 2; n++)
		cmd_cfgi_cd(q[n], n & 1 ? SID_A : SID_B, 0, true);
	for (; n < B_SLOTS * 3 / 4; n++) {
		if (n & 1)
			cmd_tlbi_nh_asid(q[n], 0, 1 + (n & 2) / 2);
		else
			cmd_cfgi_ste(q[n], n & 2 ? SID_A : SID_B, true);
	}
	for (; n < B_SLOTS; n++) {
		if (n & 1)
			cmd_tlbi_nsnh_all(q[n]);
		else
			cmd_cfgi_all(q[n]);
	}
	cmds = sg_stat(g, IOMMU_STAT_QUEUE_CMDS);
	work = sg_stat(g, IOMMU_STAT_INVAL_WORK);
	b_cmds(&b, (const uint64_t(*)[2])q, n);
	free(q);
	cmds = sg_stat(g, IOMMU_STAT_QUEUE_CMDS) - cmds;
	work = sg_stat(g, IOMMU_STAT_INVAL_WORK) - work;
	cr_log_info("smmuv3 mixed queue: %llu commands, inval_work %llu",
		    U64(cmds), U64(work));
	cr_assert_eq(cmds, B_SLOTS);
	cr_assert(b_drained(&b));
	cr_assert_leq(work, (B_SLOTS / 4) * (uint64_t)B_TLB_W +
				(B_SLOTS / 4) * (uint64_t)B_CFG_W);
	sg_tr_ok(g, SID_A, NP, 0, AR, B_OTHER);
	sg_destroy(&b.g);
}

/* A queue of illegal commands: the first raises CMDQ_ERR with CONS on
 * it and nothing more runs, now or at the next PROD write. */
Test(bound, a_queue_of_illegal_commands_stops_at_the_first)
{
	struct bnd b;
	struct sg *g = &b.g;
	uint64_t(*q)[2] = calloc(B_SLOTS, sizeof(*q));
	uint64_t cmds;
	uint32_t cons;
	unsigned int code;

	cr_assert(q);
	b_setup(&b);
	for (unsigned int i = 0; i < B_SLOTS; i++)
		q[i][0] = 0xff; /* no such opcode */
	cons = sg_rd32(g, S_CMDQ_CONS);
	cmds = sg_stat(g, IOMMU_STAT_QUEUE_CMDS);
	b_cmds(&b, (const uint64_t(*)[2])q, B_SLOTS);
	free(q);
	cr_assert(sg_cmdq_err(g, &code));
	cr_assert_eq(code, CERR_ILL);
	cr_assert_eq(sg_rd32(g, S_CMDQ_CONS) & ((2u << B_CQ_LG2) - 1), cons);
	cr_assert_eq(sg_stat(g, IOMMU_STAT_QUEUE_CMDS), cmds);
	sg_wr(g, S_CMDQ_PROD, 4, b.prod);
	cr_assert_eq(sg_rd32(g, S_CMDQ_CONS) & ((2u << B_CQ_LG2) - 1), cons);
	cr_assert_eq(sg_stat(g, IOMMU_STAT_QUEUE_CMDS), cmds);
	sg_destroy(&b.g);
}
