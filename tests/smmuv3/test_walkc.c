// SPDX-License-Identifier: MIT
/*
 * test_walkc.c - the model's walk cache (hw.h Caches; sheet 9.1, 9.2):
 * after a walk, the last-level table of its region stays in use when a
 * table descriptor above it changes, as on hardware with a walk cache,
 * until a command that applies to walk caches (Leaf = 0 TLBIs, the
 * TLBIs of a whole scope, CFGI_*) removes it; a Leaf = 1 TLBI removes
 * only the leaf.  Stage 1 and stage 2 alone.  A walk resumed at a cached
 * table whose entry is a plain page (the model reads it inline) keeps
 * every check of the page and of the levels above, at stage 1, stage 2,
 * 4K and 64K, with HTTU and DS, and for the stage-2 fetches of a nested
 * stage 1.
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

/*
 * A TLB miss whose region the walk cache holds reads one entry, and the
 * model decodes a plain page there inline (pt_quick.h): every check of
 * that entry and of the levels above it still holds.  The first page of
 * a region fills the walk cache; each other page then misses the TLB and
 * resumes at the cached level-3 table, with one check (a fault leaves
 * nothing in the TLB, so a fault before a success on the same page
 * meets the walk again).
 */

/* A stage-1 page at @pa with AP[2:1] @ap and the bits @x. */
static uint64_t s1_leaf(unsigned int gr, uint64_t pa, unsigned int ap,
			uint64_t x)
{
	return enc_oa(gr, pa) | D_TABLE | D_IDX(1) | D_SH(3) | D_AF | D_NG |
	       D_AP(ap) | x;
}

#define PRIV	 IOMMU_ACCESS_PRIV
#define EXEC	 IOMMU_ACCESS_EXEC
#define VR(r, i) (REGION + ((uint64_t)(r) << 21) + PG * (i))

Test(walkc, cached_region_pages_keep_every_check)
{
	struct sg_tt t;
	struct cd c;
	uint64_t cd, a, a2;
	struct sg g;

	up(&g);
	xl_s1(&g, SID_A, 12, 16, 2, &t, &c, &cd); /* IPS 40 bits */
	sg_tt_map(&g, &t, VR(0, 0), 3, s1_leaf(12, D(0), 1, 0));
	sg_tt_map(&g, &t, VR(0, 1), 3, s1_leaf(12, D(1) + PG, 1, 0));
	sg_tt_map(&g, &t, VR(0, 2), 3, s1_leaf(12, D(2), 3, 0));
	sg_tt_map(&g, &t, VR(0, 3), 3, s1_leaf(12, D(3), 0, 0));
	sg_tt_map(&g, &t, VR(0, 4), 3, s1_leaf(12, D(4), 2, 0));
	sg_tt_map(&g, &t, VR(0, 5), 3,
		  (s1_leaf(12, D(5), 1, 0) & ~D_TABLE) | D_BLOCK);
	sg_tt_map(&g, &t, VR(0, 6), 3, s1_leaf(12, 1ull << 44 | D(6), 1, 0));
	sg_tt_map(&g, &t, VR(0, 7), 3, s1_leaf(12, D(7), 1, 0) & ~D_AF);
	sg_tt_map(&g, &t, VR(0, 9), 3, s1_leaf(12, D(9), 1, D_UXN));
	sg_tt_map(&g, &t, VR(0, 10), 3, s1_leaf(12, D(10), 2, 0));
	sg_tt_map(&g, &t, VR(0, 11), 3, s1_leaf(12, D(11), 2, D_PXN));
	/* A run of 16 pages (64K) from entry 16: the leaf is the run, at
	 * the run's address (the walker's choice, pt_lpae.h). */
	sg_tt_map(&g, &t, VR(0, 0x13), 3,
		  s1_leaf(12, D(12) + 0x5000, 1, D_CONT));
	sg_tr_ok(&g, SID_A, NP, VR(0, 0), AR, D(0)); /* fills the walk cache */
	sg_tr_ok(&g, SID_A, NP, VR(0, 1) + 0x10, AW, D(1) + PG + 0x10);
	sg_tr_fault(&g, SID_A, NP, VR(0, 2), AW, E_PERMISSION, NULL);
	sg_tr_ok(&g, SID_A, NP, VR(0, 2) + 0x20, AR, D(2) + 0x20);
	sg_tr_fault(&g, SID_A, NP, VR(0, 3), AR, E_PERMISSION, NULL);
	sg_tr_ok(&g, SID_A, NP, VR(0, 3), AW | PRIV, D(3));
	sg_tr_fault(&g, SID_A, NP, VR(0, 4), AW | PRIV, E_PERMISSION, NULL);
	sg_tr_ok(&g, SID_A, NP, VR(0, 4), AR | PRIV, D(4));
	sg_tr_fault(&g, SID_A, NP, VR(0, 5), AR, E_TRANSLATION, NULL);
	sg_tr_fault(&g, SID_A, NP, VR(0, 6), AR, E_ADDR_SIZE, NULL);
	sg_tr_fault(&g, SID_A, NP, VR(0, 7), AR, E_ACCESS, NULL);
	sg_tr_fault(&g, SID_A, NP, VR(0, 8), AR, E_TRANSLATION, NULL);
	sg_tr_fault(&g, SID_A, NP, VR(0, 9), AR | EXEC, E_PERMISSION, NULL);
	/* Writable by EL0: never executable by EL1. */
	sg_tr_fault(&g, SID_A, NP, VR(0, 9), AR | EXEC | PRIV, E_PERMISSION,
		    NULL);
	sg_tr_ok(&g, SID_A, NP, VR(0, 10), AR | EXEC | PRIV, D(10));
	sg_tr_fault(&g, SID_A, NP, VR(0, 11), AR | EXEC | PRIV, E_PERMISSION,
		    NULL);
	sg_tr_ok(&g, SID_A, NP, VR(0, 0x13) + 8, AR, D(12) + 0x3008);
	sg_tr_ok(&g, SID_A, NP, VR(0, 0x14), AR, D(12) + 0x4000); /* TLB */

	/* The levels above: APTable[1] (no write), APTable[0] (no EL0)
	 * on the level-2 table descriptor of regions 1 and 2. */
	for (unsigned int r = 1; r < 3; r++) {
		sg_tt_map(&g, &t, VR(r, 0), 3, s1_leaf(12, D(0), 1, 0));
		sg_tt_map(&g, &t, VR(r, 1), 3, s1_leaf(12, D(1), 1, 0));
		a = sg_tt_entry(&g, &t, VR(r, 0), 2);
		sg_wr64m(&g, a, sg_rd64m(&g, a) | D_APT(r == 1 ? 2 : 1));
	}
	sg_tr_ok(&g, SID_A, NP, VR(1, 0), AR, D(0));
	sg_tr_fault(&g, SID_A, NP, VR(1, 1), AW, E_PERMISSION, NULL);
	sg_tr_ok(&g, SID_A, NP, VR(1, 1), AR, D(1));
	sg_tr_ok(&g, SID_A, NP, VR(2, 0), AR | PRIV, D(0));
	sg_tr_fault(&g, SID_A, NP, VR(2, 1), AR, E_PERMISSION, NULL);
	sg_tr_ok(&g, SID_A, NP, VR(2, 1), AW | PRIV, D(1));

	/* HTTU (HA, HD): a write to a writable-clean page makes it dirty,
	 * a use of a page with AF clear sets AF; a read leaves the page
	 * clean. */
	c.ha = c.hd = true;
	xl_cd(&g, SID_A, cd, &c);
	sg_tt_map(&g, &t, VR(3, 0), 3, s1_leaf(12, D(0), 1, 0));
	a = sg_tt_map(&g, &t, VR(3, 1), 3, s1_leaf(12, D(1), 3, D_DBM));
	a2 =
	    sg_tt_map(&g, &t, VR(3, 2), 3, s1_leaf(12, D(2), 3, D_DBM) & ~D_AF);
	sg_tr_ok(&g, SID_A, NP, VR(3, 0), AR, D(0));
	sg_tr_ok(&g, SID_A, NP, VR(3, 1), AW, D(1));
	cr_assert_eq(sg_rd64m(&g, a), s1_leaf(12, D(1), 1, D_DBM),
		     "the write made it dirty");
	sg_tr_ok(&g, SID_A, NP, VR(3, 2), AR, D(2));
	cr_assert_eq(sg_rd64m(&g, a2), s1_leaf(12, D(2), 3, D_DBM),
		     "the read set AF, and left it clean");
	sg_no_evt(&g);
	sg_destroy(&g);
}

/* The same of a 64K granule with a 52-bit output (OA[51:48] in bits
 * 15:12), and of a 48-bit one, to which they are an address-size fault. */
#define V64(i) (0x40000000ull + 0x10000ull * (i))

Test(walkc, cached_region_pages_of_64k_keep_every_check)
{
	struct sg_tt ta, tb;
	struct cd c;
	uint64_t cd, hits;
	struct sg g;

	sg_create(&g, "oas = 52\n");
	sg_init(&g, true, 16);
	xl_s1(&g, SID_A, 16, 16, 6, &ta, &c, &cd); /* IPS 52 bits */
	xl_s1(&g, SID_B, 16, 16, 5, &tb, &c, &cd); /* IPS 48 bits */
	c.asid = 2; /* not ASID 1's TLB entries */
	xl_cd(&g, SID_B, cd, &c);
	for (unsigned int s = 0; s < 2; s++) {
		const struct sg_tt *t = s ? &tb : &ta;

		sg_tt_map(&g, t, V64(0), 3, s1_leaf(16, D(0), 1, 0));
		sg_tt_map(&g, t, V64(1), 3,
			  s1_leaf(16, 1ull << 49 | D(1), 1, 0));
		sg_tt_map(&g, t, V64(2), 3, s1_leaf(16, D(2), 3, 0));
		/* Where a 4K page's index of V64(1) would read. */
		sg_tt_map(&g, t, V64(16), 3, s1_leaf(16, D(3), 1, 0));
	}
	sg_tr_ok(&g, SID_A, NP, V64(0), AR, D(0));
	sg_tr_ok(&g, SID_A, NP, V64(1) + 0x1234, AR,
		 1ull << 49 | D(1) | 0x1234);
	sg_tr_fault(&g, SID_A, NP, V64(2), AW, E_PERMISSION, NULL);
	sg_tr_ok(&g, SID_B, NP, V64(0), AR, D(0));
	sg_tr_fault(&g, SID_B, NP, V64(1), AR, E_ADDR_SIZE, NULL);
	sg_tr_ok(&g, SID_B, NP, V64(2) + 0x2345, AR, D(2) + 0x2345);
	/* The TLB entry is the page's, 64K. */
	hits = sg_stat(&g, IOMMU_STAT_IOTLB_HITS);
	sg_tr_ok(&g, SID_B, NP, V64(2) + 0xf000, AR, D(2) + 0xf000);
	cr_assert_eq(sg_stat(&g, IOMMU_STAT_IOTLB_HITS), hits + 1,
		     "a TLB hit in the 64K page");
	sg_no_evt(&g);
	sg_destroy(&g);
}

/*
 * A TLB entry made from a page read inline is a level-3 leaf: a TLBI
 * whose TTL says level 3 removes it.
 */
Test(walkc, cached_region_pages_are_level_3_leaves)
{
	struct sg_tt t;
	uint64_t q[2], a;
	struct sg g;

	up(&g);
	s1_dev(&g, &t, 2);
	sg_tr_ok(&g, SID_A, NP, VA(0), AR, D(0)); /* fills the walk cache */
	sg_tr_ok(&g, SID_A, NP, VA(1), AR, D(0));
	a = sg_tt_entry(&g, &t, VA(1), 3);
	sg_wr64m(&g, a, s1_page(12, D(1), true));
	cmd_tlbi_va(q, OP_TLBI_NH_VA, 0, 1, VA(1), true, 1, 3, 0, 0);
	sg_run(&g, q);
	sg_tr_ok(&g, SID_A, NP, VA(1), AR, D(1));
	sg_no_evt(&g);
	sg_destroy(&g);
}

/*
 * With CD.DS (FEAT_LPA2) a 4K page holds OA[49:48] in bits 49:48 and
 * OA[51:50] in bits 9:8: left to pt_walk(), which reads them.
 */
Test(walkc, cached_region_pages_with_ds)
{
	const uint64_t hi = 1ull << 48 | 1ull << 50;
	struct sg_tt t;
	struct cd c;
	uint64_t cd, dw[8], q[2][2];
	struct sg g;

	sg_create(&g, "oas = 52\nds = yes\n");
	sg_init(&g, true, 16);
	xl_s1(&g, SID_A, 12, 16, 6, &t, &c, &cd); /* IPS 52 bits */
	enc_cd(dw, &c);
	dw[2] |= 1ull << 58; /* DS */
	sg_wrn(&g, cd, dw, 8);
	cmd_cfgi_cd(q[0], SID_A, 0, true);
	cmd_tlbi_nh_all(q[1], 0);
	sg_cmds(&g, (const uint64_t(*)[2])q, 2);
	sg_sync(&g);
	for (unsigned int i = 0; i < 2; i++)
		sg_tt_map(&g, &t, VA(i), 3,
			  enc_oa(12, D(i)) | 1ull << 48 | 1ull << 8 | D_TABLE |
			      D_IDX(1) | D_AF | D_NG | D_AP(1));
	/* The first fills the walk cache. */
	sg_tr_ok(&g, SID_A, NP, VA(0), AR, hi | D(0));
	sg_tr_ok(&g, SID_A, NP, VA(1) + 0x10, AW, hi | (D(1) + 0x10));
	sg_no_evt(&g);
	sg_destroy(&g);
}

/* The same at stage 2 (S2AP, XN, AF, address size with a 40-bit S2PS,
 * the levels above have no permissions there). */
Test(walkc, cached_region_pages_of_stage2_keep_every_check)
{
	struct ste st = {0};
	struct sg_tt t;
	uint64_t a, a2;
	struct sg g;

	up(&g);
	sg_tt_new(&g, &t, 12, 40, 1);
	sg_ste_s2(&st, &t, 7);
	st.s2ps = 2; /* 40 bits */
	sg_ste_set(&g, SID_B, &st);
	sg_tt_map(&g, &t, VA(0), 3, s2_page(12, D(0), true));
	sg_tt_map(&g, &t, VA(1), 3, s2_page(12, D(1), true) & ~D_AP(2));
	sg_tt_map(&g, &t, VA(2), 3, s2_page(12, D(2), true) & ~D_AP(1));
	sg_tt_map(&g, &t, VA(3), 3, s2_page(12, D(3), true) & ~D_AP(3));
	sg_tt_map(&g, &t, VA(4), 3, s2_page(12, D(4), true) | D_UXN);
	sg_tt_map(&g, &t, VA(5), 3, s2_page(12, D(5), true) & ~D_AF);
	sg_tt_map(&g, &t, VA(6), 3, s2_page(12, 1ull << 44 | D(6), true));
	sg_tt_map(&g, &t, VA(7), 3, s2_page(12, D(7), false));
	sg_tt_map(&g, &t, VA(9), 3, s2_page(12, D(9) + PG, true));
	sg_tr_ok(&g, SID_B, NP, VA(0), AR, D(0)); /* fills the walk cache */
	sg_tr_fault(&g, SID_B, NP, VA(1), AW, E_PERMISSION, NULL);
	sg_tr_ok(&g, SID_B, NP, VA(1) + 0x10, AR, D(1) + 0x10);
	sg_tr_fault(&g, SID_B, NP, VA(2), AR, E_PERMISSION, NULL);
	sg_tr_ok(&g, SID_B, NP, VA(2), AW, D(2));
	sg_tr_fault(&g, SID_B, NP, VA(3), AR, E_PERMISSION, NULL);
	sg_tr_fault(&g, SID_B, NP, VA(4), AR | EXEC, E_PERMISSION, NULL);
	sg_tr_ok(&g, SID_B, NP, VA(4), AW, D(4));
	sg_tr_fault(&g, SID_B, NP, VA(5), AR, E_ACCESS, NULL);
	sg_tr_fault(&g, SID_B, NP, VA(6), AR, E_ADDR_SIZE, NULL);
	sg_tr_fault(&g, SID_B, NP, VA(7), AR, E_TRANSLATION, NULL);
	sg_tr_fault(&g, SID_B, NP, VA(8), AR, E_TRANSLATION, NULL);
	sg_tr_ok(&g, SID_B, NP, VA(9) + 0x30, AW, D(9) + PG + 0x30);

	/* S2HA, S2HD: a write to a writable-clean page (DBM, S2AP[1]
	 * clear) makes it dirty; a read leaves it clean. */
	sg_tt_new(&g, &t, 12, 48, 0);
	sg_tt_map(&g, &t, VA(0), 3, s2_page(12, D(0), true));
	a = sg_tt_map(&g, &t, VA(1), 3,
		      (s2_page(12, D(1), true) & ~D_AP(2)) | D_DBM);
	a2 = sg_tt_map(&g, &t, VA(2), 3,
		       (s2_page(12, D(2), true) & ~D_AP(2)) | D_DBM);
	memset(&st, 0, sizeof(st));
	sg_ste_s2(&st, &t, 8);
	st.s2ha = st.s2hd = true;
	sg_ste_set(&g, SID_C, &st);
	sg_tr_ok(&g, SID_C, NP, VA(0), AR, D(0));
	sg_tr_ok(&g, SID_C, NP, VA(1), AW, D(1));
	cr_assert_eq(sg_rd64m(&g, a), s2_page(12, D(1), true) | D_DBM,
		     "the write made it dirty");
	sg_tr_ok(&g, SID_C, NP, VA(2), AR, D(2));
	cr_assert_eq(sg_rd64m(&g, a2),
		     (s2_page(12, D(2), true) & ~D_AP(2)) | D_DBM,
		     "the read left it clean");
	sg_no_evt(&g);
	sg_destroy(&g);
}

/*
 * Nested: stage 1's descriptors and CD are read at IPAs through stage-2
 * walks, which use the walk cache; with stage 2 in pages, a fetch whose
 * region the walk cache holds meets a stage-2 page decoded inline, and
 * the descriptor's offset in that page is the fetch's.
 */
static void nested_pages(unsigned int gr)
{
	const uint64_t cd_pa = SG_DATA + 0x100000, pg = 1ull << gr;
	struct ste st = {0};
	struct sg_tt s1, s2;
	uint64_t dw[8];
	struct cd c;
	struct sg g;

	up(&g);
	sg_tt_new(&g, &s2, gr, 48, gr == 12 ? 0 : 1);
	for (uint64_t ipa = SG_ALLOC; ipa < SG_ALLOC_END; ipa += pg)
		sg_tt_map(&g, &s2, ipa, 3, s2_page(gr, ipa, true));
	for (unsigned int i = 0; i < 4; i++)
		sg_tt_map(&g, &s2, D(i), 3, s2_page(gr, D(i), true));
	sg_tt_map(&g, &s2, cd_pa, 3, s2_page(gr, cd_pa, true));
	sg_tt_new(&g, &s1, 12, 48, 0);
	for (unsigned int i = 0; i < 4; i++)
		sg_tt_map(&g, &s1, VA(i), 3, s1_page(12, D(i), true));
	cd_linux(&c, 16, 0, 5, 1, s1.root);
	enc_cd(dw, &c);
	sg_wrn(&g, cd_pa, dw, 8);
	sg_ste_s2(&st, &s2, 7);
	st.config = 7;
	st.s1ctxptr = cd_pa;
	sg_ste_set(&g, SID_A, &st);
	sg_inv_ste(&g, SID_A);
	for (unsigned int i = 0; i < 4; i++)
		sg_tr_ok(&g, SID_A, NP, VA(i) + 8 * i, i % 2 ? AW : AR,
			 D(i) + 8 * i);
	sg_no_evt(&g);
	sg_destroy(&g);
}

Test(walkc, nested_fetches_through_cached_stage2_pages)
{
	nested_pages(12);
}

/* 64K stage-2 pages: the stage-1 tables (4K) sit at offsets above 4K in
 * them. */
Test(walkc, nested_fetches_through_cached_stage2_pages_of_64k)
{
	nested_pages(16);
}
