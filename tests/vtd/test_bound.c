// SPDX-License-Identifier: MIT
/*
 * test_bound.c - the work one IQT write can cause is bounded (rule 15,
 * docs/architecture.md "Bounded work per guest action", VT-d):
 *
 *   "an IQT write processes at most the queue's descriptors; a global
 *   IOTLB, context-cache or PASID-cache invalidation costs O(1) whatever
 *   the cache's size; domain-selective IOTLB and PASID-cache
 *   invalidations too; page-selective ones probe only the sets the range
 *   hashes to when that is fewer than all, and drop the whole DID in O(1)
 *   otherwise.  PASID-selective and device-selective ones, and
 *   domain-selective context-cache ones, still scan the cache."
 *
 * The worst case the INI allows: iotlb_entries and context_cache_entries
 * 65536 (8 ways: 8192 sets), the largest queue a guest can program
 * (IQA.QS = 7: 128 pages of 128-bit descriptors, 32768 slots).  The
 * caches are filled by translating 8192 pages of each of two domains
 * through every device of the context, then the whole queue is filled
 * with one kind of descriptor and IQT written once.  Counted, not timed:
 * IOMMU_STAT_QUEUE_CMDS (descriptors consumed) and IOMMU_STAT_INVAL_WORK
 * (cache slots the model's invalidations looked at).  Each kind is also
 * checked to work: an output cached before is walked again after.
 *
 * Kinds that scan a cache are driven with 16 descriptors only and bounded
 * by the cache's size per descriptor: the domain- and device-selective
 * context-cache invalidations (the context cache holds one entry per
 * device, so a guest fills it only as far as the VMM gives it devices).
 * A page-selective invalidation of more pages than sets (AM 18) once
 * scanned the IOTLB too: a whole queue of them looked at 1.87e9 slots,
 * 38 s in debug, for one IQT write; it now drops the DID, and a full
 * queue of it looks at nothing.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "vtdg.h"

#define R    IOMMU_ACCESS_READ
#define NP   IOMMU_NO_PASID
#define U(x) ((unsigned long long)(x))

#define B_ENTRIES 65536u	     /* the INI's maximum for both caches */
#define B_WAYS	  8u		     /* HW_WAYS of the model */
#define B_QS	  7u		     /* IQA.QS has 3 bits */
#define B_SLOTS	  (1u << (B_QS + 8)) /* 128-bit descriptors */
#define B_PAGES	  8192u		     /* pages translated per domain */
#define B_SIDS	  3u		     /* SID_C, SID_D, SID_E on domain C */
#define B_DID_A	  1u
#define B_DID_B	  2u
#define B_DID_C	  3u
#define B_SID(i)  vt_sid(2 + (i))

static const char b_ini[] = "iotlb_entries = 65536\n"
			    "context_cache_entries = 65536\n";

struct bnd {
	struct vt g;
	uint64_t root_a, root_b;
	uint64_t leaf_a0; /* the leaf of domain A's page 0 */
};

static uint64_t b_out(unsigned int i)
{
	return VT_DATA + (uint64_t)(i % 16) * PG;
}

/* Bring the guest up with the largest queue, two domains of B_PAGES pages
 * (A on SID_A, B on SID_B) and the context's other devices on domain C
 * (A's tables, DID 3). */
static void b_setup(struct bnd *b)
{
	struct vt *g = &b->g;
	uint64_t e[2];

	memset(b, 0, sizeof(*b));
	vt_next_ctx_flags(IOMMU_CTX_NO_HINT);
	vt_create(g, false, b_ini);
	g->sm = false;
	vt_set_root(g, VT_ROOT);
	vt_qi_enable(g, 0, B_QS);
	cr_assert_eq(g->entries, B_SLOTS);
	vt_inv_cc_global(g);
	vt_inv_iotlb_global(g);
	vt_gcmd(g, G_TE, true);
	b->root_a = vt_ctx_sl(g, SID_A, B_DID_A);
	b->root_b = vt_ctx_sl(g, SID_B, B_DID_B);
	for (unsigned int i = 0; i < B_PAGES; i++) {
		uint64_t l = vt_sl_map(g, b->root_a, 4, (uint64_t)i * PG, 1,
				       enc_sl(b_out(i), SL_RW));

		if (!i)
			b->leaf_a0 = l;
		vt_sl_map(g, b->root_b, 4, (uint64_t)i * PG, 1,
			  enc_sl(b_out(i + 1), SL_RW));
	}
	enc_ctx(e, b->root_a, 0, 2, B_DID_C, false, true);
	for (unsigned int i = 0; i < B_SIDS; i++)
		vt_ctx_set(g, B_SID(i), e);
}

/* Translate every page and device: the caches hold what they can (the
 * global invalidation first drops what an earlier kind left, in O(1)). */
static void b_fill(struct bnd *b)
{
	struct vt *g = &b->g;
	uint64_t out;

	vt_inv_iotlb_global(g);

	for (unsigned int i = 0; i < B_PAGES; i++) {
		cr_assert_eq(vt_tr(g, SID_A, NP, (uint64_t)i * PG, R, &out), 0);
		cr_assert_eq(vt_tr(g, SID_B, NP, (uint64_t)i * PG, R, &out), 0);
	}
	for (unsigned int i = 0; i < B_SIDS; i++)
		cr_assert_eq(vt_tr(g, B_SID(i), NP, PG, R, &out), 0);
}

struct b_cost {
	uint64_t cmds, work;
};

/* @n copies of @d (then nothing else), one IQT write. */
static struct b_cost b_run(struct bnd *b, const uint64_t d[4], unsigned int n)
{
	struct vt *g = &b->g;
	uint64_t(*q)[4] = calloc(n, sizeof(*q));
	uint64_t cmds = vt_stat(g, IOMMU_STAT_QUEUE_CMDS);
	uint64_t work = vt_stat(g, IOMMU_STAT_INVAL_WORK);
	struct b_cost c;

	cr_assert(q);
	for (unsigned int i = 0; i < n; i++)
		memcpy(q[i], d, sizeof(q[i]));
	vt_qsubmit_n(g, (const uint64_t(*)[4])q, n);
	free(q);
	cr_assert_eq(vt_rd32(g, R_FSTS) & FS_IQE, 0, "IQE");
	cr_assert_eq(vt_rd64(g, R_IQH), vt_rd64(g, R_IQT));
	c.cmds = vt_stat(g, IOMMU_STAT_QUEUE_CMDS) - cmds;
	c.work = vt_stat(g, IOMMU_STAT_INVAL_WORK) - work;
	cr_assert_eq(c.cmds, n, "%llu of %u descriptors consumed", U(c.cmds),
		     n);
	cr_assert_leq(c.cmds, B_SLOTS);
	return c;
}

/*
 * Fill the caches, point domain A's page 0 elsewhere, run @n copies of
 * the IOTLB invalidation @d; page 0 must then translate to the new
 * output.  Return: slots looked at per descriptor.
 */
static uint64_t b_iotlb_kind(struct bnd *b, const char *what,
			     const uint64_t d[4], unsigned int n)
{
	struct vt *g = &b->g;
	struct b_cost c;

	b_fill(b);
	vt_wr64(g, b->leaf_a0, enc_sl(VT_DATA + 0x100000, SL_RW));
	vt_tr_ok(g, SID_A, NP, 0, R, b_out(0)); /* still cached */
	c = b_run(b, d, n);
	vt_tr_ok(g, SID_A, NP, 0, R, VT_DATA + 0x100000);
	vt_wr64(g, b->leaf_a0, enc_sl(b_out(0), SL_RW));
	cr_log_info("vtd %s: %u descriptors, inval_work %llu (%.2f each)", what,
		    n, U(c.work), (double)c.work / n);
	return c.work / n + (c.work % n != 0);
}

/*
 * The same for a context-cache invalidation @d: the context entry of
 * SID_A is cleared first, so the descriptor works iff SID_A faults after.
 */
static uint64_t b_cc_kind(struct bnd *b, const char *what, const uint64_t d[4],
			  unsigned int n)
{
	struct vt *g = &b->g;
	uint64_t e[2] = {0, 0}, keep[2];
	uint64_t at = vt_ctx_addr(g, SID_A);
	struct b_cost c;

	b_fill(b);
	keep[0] = vt_rd64m(g, at);
	keep[1] = vt_rd64m(g, at + 8);
	vt_ctx_set(g, SID_A, e);
	vt_tr_ok(g, SID_A, NP, 0, R, b_out(0)); /* still cached */
	c = b_run(b, d, n);
	vt_tr_fault(g, SID_A, NP, PG, R, FR_CTX_NP);
	vt_ctx_set(g, SID_A, keep);
	cr_log_info("vtd %s: %u descriptors, inval_work %llu (%.2f each)", what,
		    n, U(c.work), (double)c.work / n);
	return c.work / n + (c.work % n != 0);
}

/* A full queue holds one slot less than its size (IQH == IQT: empty). */
#define B_FULL (B_SLOTS - 1)

Test(bound, global_invalidations_cost_nothing_per_descriptor)
{
	struct bnd b;
	uint64_t d[4];

	b_setup(&b);
	dsc_iotlb(d, 1, true, true, 0, 0, 0, false);
	cr_assert_eq(b_iotlb_kind(&b, "global IOTLB", d, B_FULL), 0);
	dsc_cc(d, 1, 0, 0, 0);
	cr_assert_eq(b_cc_kind(&b, "global context cache", d, B_FULL), 0);
	vt_destroy(&b.g);
}

Test(bound, domain_selective_iotlb_costs_nothing_per_descriptor)
{
	struct bnd b;
	uint64_t d[4];

	b_setup(&b);
	dsc_iotlb(d, 2, true, true, B_DID_A, 0, 0, false);
	cr_assert_eq(b_iotlb_kind(&b, "domain IOTLB", d, B_FULL), 0);
	vt_destroy(&b.g);
}

Test(bound, page_selective_of_one_page_probes_its_sets)
{
	struct bnd b;
	uint64_t d[4];

	b_setup(&b);
	/* 4K, 2M and 1G entries may cover page 0: three sets. */
	dsc_iotlb(d, 3, true, true, B_DID_A, 0, 0, false);
	cr_assert_leq(b_iotlb_kind(&b, "page IOTLB (1 page)", d, B_FULL),
		      3 * B_WAYS);
	vt_destroy(&b.g);
}

/*
 * The IOTLB held 4 KiB entries only (b_fill): a one-page invalidation
 * looks at the one set of its page, a strict unmap's cost.
 */
Test(bound, page_selective_of_one_page_with_4k_entries_probes_one_set)
{
	struct bnd b;
	uint64_t d[4];

	b_setup(&b);
	dsc_iotlb(d, 3, true, true, B_DID_A, 0, 0, true);
	cr_assert_eq(
	    b_iotlb_kind(&b, "page IOTLB (1 page, IH, 4K only)", d, B_FULL),
	    B_WAYS);
	vt_destroy(&b.g);
}

/* Ranges of more pages than sets: the DID goes in O(1), a full queue of
 * them looks at no slot. */
Test(bound, large_ranges_drop_the_domain)
{
	struct bnd b;
	uint64_t d[4];

	b_setup(&b);
	/* AM = MAMV 18: 1 GiB, the largest range one descriptor names. */
	dsc_iotlb(d, 3, true, true, B_DID_A, 0, 18, false);
	cr_assert_eq(b_iotlb_kind(&b, "page IOTLB (AM 18)", d, B_FULL), 0);
	vt_destroy(&b.g);
}

/* The scanning context-cache kinds: at most the cache's size per
 * descriptor. */
Test(bound, scanning_kinds_look_at_most_at_the_cache_once)
{
	struct bnd b;
	uint64_t d[4], w;

	b_setup(&b);
	dsc_cc(d, 2, B_DID_A, 0, 0);
	w = b_cc_kind(&b, "domain context cache", d, 16);
	cr_assert_leq(w, B_ENTRIES);
	dsc_cc(d, 3, B_DID_A, SID_A, 0);
	w = b_cc_kind(&b, "device context cache", d, 16);
	cr_assert_leq(w, B_ENTRIES);
	vt_destroy(&b.g);
}

/* Every kind in one full queue, the scanning ones first (while the
 * caches are full), one IQT write. */
Test(bound, a_full_mixed_queue_is_consumed_once)
{
	struct bnd b;
	struct vt *g = &b.g;
	uint64_t(*q)[4] = calloc(B_FULL, sizeof(*q));
	uint64_t cmds, work;
	unsigned int n = 0;

	cr_assert(q);
	b_setup(&b);
	b_fill(&b);
	vt_wr64(g, b.leaf_a0, enc_sl(VT_DATA + 0x100000, SL_RW));
	for (unsigned int i = 0; i < 4; i++)
		dsc_iotlb(q[n++], 3, true, true, B_DID_A, 0, 18, false);
	dsc_cc(q[n++], 2, B_DID_B, 0, 0);
	dsc_cc(q[n++], 3, B_DID_B, SID_B, 0);
	for (; n < B_FULL / 2; n++)
		dsc_iotlb(q[n], 3, true, true, B_DID_B, (uint64_t)n * PG, 0,
			  false);
	for (; n < B_FULL * 3 / 4; n++)
		dsc_iotlb(q[n], 2, true, true, n & 1 ? B_DID_A : B_DID_B, 0, 0,
			  false);
	while (n < B_FULL)
		dsc_iotlb(q[n++], 1, true, true, 0, 0, 0, false);
	cmds = vt_stat(g, IOMMU_STAT_QUEUE_CMDS);
	work = vt_stat(g, IOMMU_STAT_INVAL_WORK);
	vt_qsubmit_n(g, (const uint64_t(*)[4])q, n);
	free(q);
	cmds = vt_stat(g, IOMMU_STAT_QUEUE_CMDS) - cmds;
	work = vt_stat(g, IOMMU_STAT_INVAL_WORK) - work;
	cr_log_info("vtd mixed queue: %llu descriptors, inval_work %llu",
		    U(cmds), U(work));
	cr_assert_eq(cmds, B_FULL);
	cr_assert_eq(vt_rd64(g, R_IQH), vt_rd64(g, R_IQT));
	/* 2 context-cache scans of at most the cache, the AM 18 ones none,
	 * then one page (3 sets) each. */
	cr_assert_leq(work, 2ull * B_ENTRIES + (B_FULL / 2) * 3ull * B_WAYS);
	vt_tr_ok(g, SID_A, NP, 0, R, VT_DATA + 0x100000);
	vt_destroy(&b.g);
}

/* A queue of descriptors the model refuses: the first sets IQE with IQH
 * on it and nothing more runs, now or at the next IQT write. */
Test(bound, a_queue_of_bad_descriptors_stops_at_the_first)
{
	struct bnd b;
	struct vt *g = &b.g;
	uint64_t d[4] = {0xF, 0, 0, 0}; /* undefined type */
	uint64_t(*q)[4] = calloc(B_FULL, sizeof(*q));
	uint64_t cmds, head;

	cr_assert(q);
	b_setup(&b);
	for (unsigned int i = 0; i < B_FULL; i++)
		memcpy(q[i], d, sizeof(q[i]));
	head = vt_rd64(g, R_IQH);
	cmds = vt_stat(g, IOMMU_STAT_QUEUE_CMDS);
	vt_qsubmit_n(g, (const uint64_t(*)[4])q, B_FULL);
	free(q);
	cr_assert(vt_rd32(g, R_FSTS) & FS_IQE);
	cr_assert_eq(vt_rd64(g, R_IQH), head, "IQH moved past the bad one");
	cr_assert_eq(vt_stat(g, IOMMU_STAT_QUEUE_CMDS), cmds);
	vt_wr(g, R_IQT, 8, vt_rd64(g, R_IQT));
	cr_assert_eq(vt_rd64(g, R_IQH), head);
	cr_assert_eq(vt_stat(g, IOMMU_STAT_QUEUE_CMDS), cmds);
	vt_destroy(&b.g);
}
