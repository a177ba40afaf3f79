// SPDX-License-Identifier: MIT
/*
 * test_bound.c - the work one command-buffer Tail write can cause is
 * bounded (rule 15, docs/architecture.md "Bounded work per guest action",
 * AMD-Vi):
 *
 *   "a Tail write consumes at most the buffer's commands (a halted
 *   buffer none); INVALIDATE_IOMMU_ALL and an INVALIDATE_IOMMU_PAGES of
 *   the whole address space cost O(1) (ilib_cache_flush, and
 *   ilib_cache_flush_tag with the IOTLB tagged by DomainID | PASID); a
 *   range probes, for each page size the IOTLB ever held, the set of
 *   each page of that size meeting it (one entry per page, filed under
 *   its base), or, when that is more probes than sets, drops the
 *   DomainID and tag in O(1); INVALIDATE_DEVTAB_ENTRY probes one set."
 *
 * The worst case the INI allows: iotlb_entries 65536 with iotlb_ways 64
 * (1024 sets), dte_cache_entries 65536 (8 ways), cmd_len_max 15 (a buffer
 * of 2^15 commands, 2^15 - 1 of them pending at most).  The IOTLB is
 * filled by translating many pages of two v1 domains, then the whole
 * buffer is filled with one kind of command and Tail written once.
 * Counted, not timed: IOMMU_STAT_QUEUE_CMDS and IOMMU_STAT_INVAL_WORK
 * (cache slots the model's invalidations looked at).  Each kind is also
 * checked to work: an output cached before is walked again after.  A
 * range of more frames than sets (and, once the IOTLB held a 1 GiB page,
 * even a range of one page) once scanned the IOTLB: a whole buffer of
 * 1 TiB ranges looked at 2.15e9 slots, 21 s in debug, for one Tail
 * write; it now drops the DomainID, and a full buffer looks at nothing.
 * A one-page range once the IOTLB held a 1 GiB page dropped the whole
 * domain too (a 1 GiB page was cached per 4 KiB frame touched); pages are
 * now filed under their base, so it probes a set per page size and
 * removes that page only.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "ag.h"

#define U(x) ((unsigned long long)(x))

#define B_LEN	15u
#define B_SLOTS (1u << B_LEN)
#define B_FULL	(B_SLOTS - 1) /* Head == Tail: empty */
#define B_TLB	65536u
#define B_TLB_W 64u
#define B_DTE_W 8u
#define B_PAGES 8192u
#define B_DOM_A 1u
#define B_DOM_B 2u
#define B_OTHER (AG_DATA + 0x100000)
#define B_WHOLE 0x7FFFFFFFFFFFF000ull /* S = 1: every address */

static const char b_ini[] = "iotlb_entries = 65536\n"
			    "iotlb_ways = 64\n"
			    "dte_cache_entries = 65536\n"
			    "cmd_len_max = 15\n";

struct bnd {
	struct ag g;
	uint64_t root_a, root_b;
};

static uint64_t b_out(unsigned int i)
{
	return AG_DATA + (uint64_t)(i % 16) * PG;
}

/* Two v1 domains (A on DEV_A, B on DEV_B) of B_PAGES 4 KiB pages, the
 * largest command buffer. */
static void b_setup(struct bnd *b)
{
	struct ag *g = &b->g;

	memset(b, 0, sizeof(*b));
	ag_create(g, b_ini);
	ag_init(g, B_LEN, 8, 0);
	b->root_a = ag_v1_dev(g, DEV_A, 4, B_DOM_A);
	b->root_b = ag_v1_dev(g, DEV_B, 4, B_DOM_B);
	for (unsigned int i = 0; i < B_PAGES; i++) {
		ag_map_v1(g, b->root_a, 4, (uint64_t)i * PG, b_out(i), 1, true,
			  true);
		ag_map_v1(g, b->root_b, 4, (uint64_t)i * PG, b_out(i + 1), 1,
			  true, true);
	}
}

/* Translate every page of both domains: the IOTLB holds them all. */
static void b_fill(struct bnd *b)
{
	struct iommu_translation t;

	for (unsigned int i = 0; i < B_PAGES; i++) {
		cr_assert_eq(ag_xl(&b->g, DEV_A, IOMMU_NO_PASID,
				   (uint64_t)i * PG, IOMMU_ACCESS_READ, &t),
			     0);
		cr_assert_eq(ag_xl(&b->g, DEV_B, IOMMU_NO_PASID,
				   (uint64_t)i * PG, IOMMU_ACCESS_READ, &t),
			     0);
	}
}

/* @n copies of @c, one Tail write: return the slots looked at. */
static uint64_t b_run(struct bnd *b, const uint64_t c[2], unsigned int n)
{
	struct ag *g = &b->g;
	uint64_t cmds = ag_stat(g, IOMMU_STAT_QUEUE_CMDS);
	uint64_t work = ag_stat(g, IOMMU_STAT_INVAL_WORK);

	cr_assert_leq(n, B_FULL);
	for (unsigned int i = 0; i < n; i++)
		ag_cmd_raw(g, c);
	ag_kick(g);
	cr_assert_eq(ag_r64(g, R_CMD_HEAD), ag_r64(g, R_CMD_TAIL),
		     "buffer not drained");
	cr_assert_eq(ag_evt_count(g), 0, "an event");
	cmds = ag_stat(g, IOMMU_STAT_QUEUE_CMDS) - cmds;
	cr_assert_eq(cmds, n, "%llu of %u commands consumed", U(cmds), n);
	cr_assert_leq(cmds, B_SLOTS);
	return ag_stat(g, IOMMU_STAT_INVAL_WORK) - work;
}

/* A 4 KiB page of domain A at @iova, cached, then pointed elsewhere. */
static void b_stale(struct bnd *b, uint64_t iova, uint64_t was)
{
	ag_expect(&b->g, DEV_A, IOMMU_NO_PASID, iova, IOMMU_ACCESS_READ, was);
	ag_map_v1(&b->g, b->root_a, 4, iova, B_OTHER, 1, true, true);
	ag_expect(&b->g, DEV_A, IOMMU_NO_PASID, iova, IOMMU_ACCESS_READ, was);
}

/*
 * Fill the IOTLB, point domain A's page 0 elsewhere, run @n copies of
 * the IOTLB invalidation @c; page 0 must then translate to the new
 * output.  Return: slots looked at per command (rounded up).
 */
static uint64_t b_tlb_kind(struct bnd *b, const char *what, const uint64_t c[2],
			   unsigned int n)
{
	uint64_t w, all[2];

	b_fill(b);
	b_stale(b, 0, b_out(0));
	w = b_run(b, c, n);
	ag_expect(&b->g, DEV_A, IOMMU_NO_PASID, 0, IOMMU_ACCESS_READ, B_OTHER);
	ag_map_v1(&b->g, b->root_a, 4, 0, b_out(0), 1, true, true);
	enc_inv_all(all);
	ag_cmd(&b->g, all);
	cr_log_info("amdvi %s: %u commands, inval_work %llu (%.2f each)", what,
		    n, U(w), (double)w / n);
	return w / n + (w % n != 0);
}

Test(bound, whole_invalidations_cost_nothing_per_command)
{
	struct bnd b;
	uint64_t c[2];

	b_setup(&b);
	enc_inv_all(c);
	cr_assert_eq(b_tlb_kind(&b, "INVALIDATE_IOMMU_ALL", c, B_FULL), 0);
	enc_inv_pages(c, B_DOM_A, 0, false, true, true, B_WHOLE);
	cr_assert_eq(
	    b_tlb_kind(&b, "INVALIDATE_IOMMU_PAGES (whole)", c, B_FULL), 0);
	ag_destroy(&b.g);
}

Test(bound, invalidate_devtab_entry_probes_one_set)
{
	struct bnd b;
	struct ag *g = &b.g;
	uint64_t c[2], d[4], keep[4], w;

	b_setup(&b);
	b_fill(&b);
	/* DEV_A moves to an empty table behind the cache's back. */
	for (unsigned int i = 0; i < 4; i++)
		keep[i] = ag_mr64(g, AG_DEVTAB + 32ull * DEV_A + 8 * i);
	enc_dte_v1(d, 4, ag_page(g), true, true, 9);
	ag_set_dte(g, DEV_A, d);
	ag_expect(g, DEV_A, IOMMU_NO_PASID, 0, IOMMU_ACCESS_READ, b_out(0));
	enc_inv_dte(c, DEV_A);
	w = b_run(&b, c, B_FULL);
	cr_log_info("amdvi INVALIDATE_DEVTAB_ENTRY: %u commands, inval_work "
		    "%llu (%.2f each)",
		    B_FULL, U(w), (double)w / B_FULL);
	cr_assert_leq(w, (uint64_t)B_FULL * B_DTE_W);
	ag_expect_fault(g, DEV_A, IOMMU_NO_PASID, 0, IOMMU_ACCESS_READ);
	ag_set_dte(g, DEV_A, keep);
	ag_flush_dte(g, DEV_A);
	ag_destroy(&b.g);
}

Test(bound, invalidate_pages_of_one_page_probes_its_set)
{
	struct bnd b;
	uint64_t c[2];

	b_setup(&b);
	/* Only 4 KiB pages were ever cached: one frame, one set. */
	enc_inv_pages(c, B_DOM_A, 0, false, true, false, 0);
	cr_assert_leq(
	    b_tlb_kind(&b, "INVALIDATE_IOMMU_PAGES (1 page)", c, B_FULL),
	    B_TLB_W);
	ag_destroy(&b.g);
}

/* Ranges of more pages than sets drop the DomainID in O(1): a full
 * buffer of them looks at no slot.  A one-page range stays exact after
 * the IOTLB held a 1 GiB page: a set per page size, nothing more. */
Test(bound, large_ranges_drop_the_domain)
{
	struct bnd b;
	uint64_t c[2];

	b_setup(&b);
	/* 1 TiB from 0: 2^28 frames, more than the 1024 sets. */
	enc_inv_pages(c, B_DOM_A, 0, false, true, true, (1ull << 39) - PG);
	cr_assert_eq(
	    b_tlb_kind(&b, "INVALIDATE_IOMMU_PAGES (1 TiB)", c, B_FULL), 0);
	ag_map_v1(&b.g, b.root_b, 4, 1ull << 32, 0, 3, true, true);
	ag_expect(&b.g, DEV_B, IOMMU_NO_PASID, (1ull << 32) + PG,
		  IOMMU_ACCESS_READ, PG);
	enc_inv_pages(c, B_DOM_A, 0, false, true, false, 0);
	cr_assert_leq(b_tlb_kind(&b, "INVALIDATE_IOMMU_PAGES (1 page, 1G held)",
				 c, B_FULL),
		      2 * B_TLB_W);
	/* And it removes that page only: page 1, pointed elsewhere too,
	 * still gives its cached output (the domain was not dropped). */
	b_fill(&b);
	b_stale(&b, 0, b_out(0));
	b_stale(&b, PG, b_out(1));
	cr_assert_leq(b_run(&b, c, 1), 2 * B_TLB_W);
	ag_expect(&b.g, DEV_A, IOMMU_NO_PASID, 0, IOMMU_ACCESS_READ, B_OTHER);
	ag_expect(&b.g, DEV_A, IOMMU_NO_PASID, PG, IOMMU_ACCESS_READ,
		  b_out(1));
	ag_destroy(&b.g);
}

/* Every kind in one full buffer, the costliest first, one Tail write. */
Test(bound, a_full_mixed_buffer_is_consumed_once)
{
	struct bnd b;
	struct ag *g = &b.g;
	uint64_t c[2], cmds, work;
	unsigned int n = 0;

	b_setup(&b);
	b_fill(&b);
	b_stale(&b, PG, b_out(1));
	cmds = ag_stat(g, IOMMU_STAT_QUEUE_CMDS);
	work = ag_stat(g, IOMMU_STAT_INVAL_WORK);
	for (; n < 4; n++) {
		enc_inv_pages(c, B_DOM_B, 0, false, true, true,
			      (1ull << 39) - PG);
		ag_cmd_raw(g, c);
	}
	for (; n < B_FULL / 2; n++) {
		enc_inv_pages(c, n & 1 ? B_DOM_A : B_DOM_B, 0, false, true,
			      false, (uint64_t)(n % B_PAGES) * PG);
		ag_cmd_raw(g, c);
	}
	for (; n < B_FULL * 3 / 4; n++) {
		enc_inv_dte(c, n & 1 ? DEV_A : DEV_B);
		ag_cmd_raw(g, c);
	}
	for (; n < B_FULL; n++) {
		if (n & 1)
			enc_inv_all(c);
		else
			enc_inv_pages(c, n & 2 ? B_DOM_A : B_DOM_B, 0, false,
				      true, true, B_WHOLE);
		ag_cmd_raw(g, c);
	}
	ag_kick(g);
	cmds = ag_stat(g, IOMMU_STAT_QUEUE_CMDS) - cmds;
	work = ag_stat(g, IOMMU_STAT_INVAL_WORK) - work;
	cr_log_info("amdvi mixed buffer: %llu commands, inval_work %llu",
		    U(cmds), U(work));
	cr_assert_eq(cmds, B_FULL);
	cr_assert_eq(ag_r64(g, R_CMD_HEAD), ag_r64(g, R_CMD_TAIL));
	cr_assert_leq(work, (B_FULL / 2) * (uint64_t)B_TLB_W +
				(B_FULL / 4 + 1) * (uint64_t)B_DTE_W);
	ag_expect(g, DEV_A, IOMMU_NO_PASID, PG, IOMMU_ACCESS_READ, B_OTHER);
	ag_destroy(&b.g);
}

/* A buffer of illegal commands: the first halts it (an
 * ILLEGAL_COMMAND_ERROR event, Head on it) and nothing more runs, now or
 * at the next Tail write. */
Test(bound, a_buffer_of_illegal_commands_stops_at_the_first)
{
	struct bnd b;
	struct ag *g = &b.g;
	uint64_t c[2] = {0, 0}; /* opcode 0: reserved */
	uint64_t cmds, head;
	struct ag_ev e;

	b_setup(&b);
	head = ag_r64(g, R_CMD_HEAD);
	cmds = ag_stat(g, IOMMU_STAT_QUEUE_CMDS);
	for (unsigned int i = 0; i < B_FULL; i++)
		ag_cmd_raw(g, c);
	ag_kick(g);
	cr_assert_eq(ag_r64(g, R_CMD_HEAD), head, "Head moved");
	cr_assert_eq(ag_stat(g, IOMMU_STAT_QUEUE_CMDS), cmds);
	cr_assert_eq(ag_r64(g, R_STATUS) & S_CMD_RUN, 0, "still running");
	cr_assert_eq(ag_evt_count(g), 1);
	cr_assert(ag_evt_pop(g, &e));
	cr_assert_eq(e.code, EV_ILL_CMD);
	cr_assert_eq(e.addr, AG_CMDBUF + head);
	ag_kick(g);
	cr_assert_eq(ag_r64(g, R_CMD_HEAD), head);
	cr_assert_eq(ag_stat(g, IOMMU_STAT_QUEUE_CMDS), cmds);
	cr_assert_eq(ag_evt_count(g), 0);
	ag_destroy(&b.g);
}
