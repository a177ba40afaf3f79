// SPDX-License-Identifier: MIT
/*
 * test_walkc.c - the model's walk cache (hw.h Caches; sheet 9.1, 9.2):
 * after a walk, the last-level table of its region stays in use when a
 * table descriptor above it changes, as on hardware with a walk cache,
 * until a command that applies to walk caches (Leaf = 0 TLBIs, the
 * TLBIs of a whole scope, CFGI_*) removes it; a Leaf = 1 TLBI removes
 * only the leaf.  Stage 1 and stage 2 alone.
 */
#include <errno.h>
#include <string.h>

#include <criterion/criterion.h>

#include "xl.h"

#define D(n)   (SG_DATA + 0x10000 * (n))
#define REGION 0x40200000ull /* one 2 MiB region: one level-3 table */
#define VA(i)  (REGION + PG * (i))

static void up(struct sg *g)
{
	sg_create(g, NULL);
	sg_init(g, true, 16);
}

/* Stage 1 (ASID 1, VMID 0): pages 0..@n-1 of the region -> D(0). */
static void s1_dev(struct sg *g, struct sg_tt *t, unsigned int n)
{
	struct cd c;
	uint64_t cd;

	xl_s1(g, SID_A, 12, 16, 5, t, &c, &cd);
	for (unsigned int i = 0; i < n; i++)
		sg_tt_map(g, t, VA(i), 3, s1_page(12, D(0), true));
}

Test(walkc, a_cleared_table_descriptor_stays_cached_without_invalidation)
{
	struct sg_tt t;
	uint64_t l2, l1;
	struct sg g;

	up(&g);
	s1_dev(&g, &t, 8);
	sg_tr_ok(&g, SID_A, NP, VA(0), AR, D(0)); /* fills the walk cache */
	l2 = sg_tt_entry(&g, &t, VA(0), 2);
	l1 = sg_tt_entry(&g, &t, VA(0), 1);
	sg_wr64m(&g, l2, 0);
	sg_wr64m(&g, l1, 0);
	/* Other pages of the region: TLB misses, the level-3 table is
	 * still found through the walk cache. */
	sg_tr_ok(&g, SID_A, NP, VA(1), AR, D(0));
	sg_tr_ok(&g, SID_A, NP, VA(2), AW, D(0));
	/* The next region's walk reads the cleared level-1 entry. */
	sg_tt_map(&g, &t, REGION + (2ull << 20), 3, s1_page(12, D(1), true));
	sg_wr64m(&g, l1, 0);
	sg_tr_fault(&g, SID_A, NP, REGION + (2ull << 20), AR, E_TRANSLATION,
		    NULL);
	sg_destroy(&g);
}

/*
 * Two walks from one root with the same tags (ASID 1, VMID 0) but another
 * geometry never resume each other's: a resumed walk takes the levels
 * above on trust, so a 3-level walk of 39 bits must not start at the
 * last-level table a 4-level walk of 48 bits found there.  SID_B reads
 * SID_A's root as its level-1 table, in which entry 1 (VA bits 38:30) is
 * empty.
 */
Test(walkc, a_walk_of_another_geometry_never_resumes)
{
	struct sg_tt ta, tb;
	struct cd cb;
	uint64_t cdb;
	struct sg g;

	up(&g);
	xl_s1(&g, SID_B, 12, 25, 5, &tb, &cb, &cdb);
	s1_dev(&g, &ta, 2);
	cb.ttb0 = ta.root;
	xl_cd(&g, SID_B, cdb, &cb);
	sg_tr_ok(&g, SID_A, NP, VA(0), AR, D(0)); /* fills the walk cache */
	sg_tr_fault(&g, SID_B, NP, VA(1), AR, E_TRANSLATION, NULL);
	sg_tr_ok(&g, SID_A, NP, VA(1), AR, D(0));
	sg_destroy(&g);
}

/*
 * The same for the granule alone: SID_B walks SID_A's root with 16K
 * pages, the same tags, levels (4), input and output sizes (48 bits) and
 * flags.  A 16K region (32 MiB) has the number of a 4K one (2 MiB), so
 * SID_B's address VB is keyed like SID_A's region; resuming there would
 * read SID_A's level-3 table of 4K entries as one of 16K and find the
 * page SID_A maps at index VB_I: D(1) instead of SID_B's own answer, a
 * translation fault (its walk from the root, which fills nothing).
 */
#define VB_I 5u
#define VB   ((REGION >> 21) << 25 | (uint64_t)VB_I << 14)

Test(walkc, a_walk_of_another_granule_never_resumes)
{
	struct sg_tt ta, tb;
	struct cd cb;
	uint64_t cdb;
	struct sg g;

	up(&g);
	xl_s1(&g, SID_B, 14, 16, 5, &tb, &cb, &cdb);
	s1_dev(&g, &ta, 1);
	sg_tt_map(&g, &ta, VA(VB_I), 3, s1_page(12, D(1), true));
	cb.ttb0 = ta.root;
	xl_cd(&g, SID_B, cdb, &cb);
	sg_tr_fault(&g, SID_B, NP, VB, AR, E_TRANSLATION, NULL);
	sg_tr_ok(&g, SID_A, NP, VA(0), AR, D(0)); /* fills the walk cache */
	sg_tr_fault(&g, SID_B, NP, VB, AR, E_TRANSLATION, NULL);
	sg_tr_ok(&g, SID_A, NP, VA(VB_I), AR, D(1));
	sg_destroy(&g);
}

/* Commands that remove walk-cache entries (sheet 9.2). */
static void walk_cmd(unsigned int i, uint64_t q[2])
{
	switch (i) {
	case 0:
		cmd_tlbi_nh_va(q, 0, 1, VA(100), false);
		return;
	case 1:
		cmd_tlbi_va(q, OP_TLBI_NH_VAA, 0, 0, VA(100), false, 0, 0, 0,
			    0);
		return;
	case 2:
		cmd_tlbi_va(q, OP_TLBI_NH_VA, 0, 1, REGION, false, 1, 3, 1,
			    0); /* a range, TTL 3: still not leaf-only */
		return;
	case 3:
		cmd_tlbi_nh_asid(q, 0, 1);
		return;
	case 4:
		cmd_tlbi_nh_all(q, 0);
		return;
	case 5:
		cmd_tlbi_s12_vmall(q, 0);
		return;
	case 6:
		cmd_tlbi_nsnh_all(q);
		return;
	case 7:
		cmd_cfgi_cd(q, SID_A, 0, true);
		return;
	case 8:
		cmd_cfgi_cd_all(q, SID_A);
		return;
	case 9:
		cmd_cfgi_ste(q, SID_A, true);
		return;
	default:
		cmd_cfgi_all(q);
		return;
	}
}

#define WALK_CMDS 11u

Test(walkc, leaf_0_tlbis_scope_tlbis_and_cfgis_remove_the_walk_cache)
{
	struct sg_tt t;
	uint64_t q[2], l2, old;
	unsigned int p = 0;
	struct sg g;

	up(&g);
	s1_dev(&g, &t, 3 * WALK_CMDS);
	l2 = sg_tt_entry(&g, &t, VA(0), 2);
	old = sg_rd64m(&g, l2);
	for (unsigned int i = 0; i < WALK_CMDS; i++, p += 3) {
		sg_wr64m(&g, l2, old);
		sg_tr_ok(&g, SID_A, NP, VA(p), AR, D(0));
		sg_wr64m(&g, l2, 0);
		sg_tr_ok(&g, SID_A, NP, VA(p + 1), AR, D(0));
		walk_cmd(i, q);
		sg_run(&g, q);
		cr_assert_eq(sg_tr(&g, SID_A, NP, VA(p + 2), AR, NULL), -EFAULT,
			     "command %u kept the walk cache", i);
		sg_evt_drain(&g);
	}
	sg_destroy(&g);
}

Test(walkc, leaf_1_tlbis_remove_only_the_leaf)
{
	struct sg_tt t;
	uint64_t q[2], l2, l3;
	struct sg g;

	up(&g);
	s1_dev(&g, &t, 4);
	sg_tr_ok(&g, SID_A, NP, VA(0), AR, D(0));
	sg_tr_ok(&g, SID_A, NP, VA(1), AR, D(0));
	l2 = sg_tt_entry(&g, &t, VA(0), 2);
	l3 = sg_tt_entry(&g, &t, VA(0), 3);
	sg_wr64m(&g, l2, 0);
	/* New leaves: each Leaf = 1 TLBI drops the old one, and the walk
	 * that follows still resumes at the level-3 table. */
	sg_wr64m(&g, l3, s1_page(12, D(1), true));
	sg_wr64m(&g, l3 + 8, s1_page(12, D(2), true));
	cmd_tlbi_nh_va(q, 0, 1, VA(0), true);
	sg_run(&g, q);
	sg_tr_ok(&g, SID_A, NP, VA(0), AR, D(1));
	cmd_tlbi_va(q, OP_TLBI_NH_VAA, 0, 0, VA(1), true, 0, 0, 0, 0);
	sg_run(&g, q);
	sg_tr_ok(&g, SID_A, NP, VA(1), AR, D(2));
	/* CMD_SYNC, ATC_INV and PREFETCH_* leave it too. */
	sg_tr_ok(&g, SID_A, NP, VA(2), AR, D(0));
	sg_no_evt(&g);
	sg_destroy(&g);
}

Test(walkc, stage2_walk_cache_and_tlbi_s2_ipa)
{
	struct sg_tt t;
	uint64_t q[2], l2, l3, old;
	struct sg g;

	up(&g);
	sg_s2_dev(&g, SID_B, 12, 48, 0, 7, &t);
	for (unsigned int i = 0; i < 6; i++)
		sg_tt_map(&g, &t, VA(i), 3, s2_page(12, D(0), true));
	sg_tr_ok(&g, SID_B, NP, VA(0), AR, D(0));
	l2 = sg_tt_entry(&g, &t, VA(0), 2);
	l3 = sg_tt_entry(&g, &t, VA(1), 3);
	old = sg_rd64m(&g, l2);
	sg_wr64m(&g, l2, 0);
	sg_tr_ok(&g, SID_B, NP, VA(1), AR, D(0));
	/* Leaf = 1: the new leaf, through the cached table */
	sg_wr64m(&g, l3, s2_page(12, D(1), true));
	cmd_tlbi_s2_ipa(q, 7, VA(1), true);
	sg_run(&g, q);
	sg_tr_ok(&g, SID_B, NP, VA(1), AR, D(1));
	/* Leaf = 0: the walk cache goes */
	sg_wr64m(&g, l2, old);
	sg_tr_ok(&g, SID_B, NP, VA(2), AR, D(0));
	sg_wr64m(&g, l2, 0);
	sg_tr_ok(&g, SID_B, NP, VA(3), AR, D(0));
	cmd_tlbi_s2_ipa(q, 7, VA(3), false);
	sg_run(&g, q);
	sg_tr_fault(&g, SID_B, NP, VA(4), AR, E_TRANSLATION, NULL);
	sg_destroy(&g);
}
