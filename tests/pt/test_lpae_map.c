// SPDX-License-Identifier: MIT
/*
 * test_lpae_map.c - the Arm VMSAv8-64 formats (smmuv3.md 4): round trips
 * with contiguous runs (map, iterate, iova_to_phys, unmap) and dirty
 * tracking with DBM at both stages.
 */
#include "lpae_help.h"

/* ---- round trips --------------------------------------------------------- */

struct gsz {
	unsigned int g;
	uint64_t page, run0, block, run1;
};

/* Per granule (4.5): page, level-3 run, level-2 block, level-2 run. */
static const struct gsz gsz[] = {
	{12, KB(4), KB(64), MB(2), MB(32)},
	{14, KB(16), MB(2), MB(32), GB(1)},
	{16, KB(64), MB(2), MB(512), GB(16)},
};

struct seen {
	uint64_t iova[256], pa[256], entry[256];
	unsigned int lg2[256], level[256];
	unsigned int n;
};

static int collect(void *ctx, const struct pt_visit *v)
{
	struct seen *s = ctx;

	if (v->table)
		return 0;
	if (s->n == 256)
		return -1;
	s->iova[s->n] = v->iova;
	s->pa[s->n] = v->pa;
	s->entry[s->n] = v->entry;
	s->lg2[s->n] = v->lg2;
	s->level[s->n] = v->level;
	s->n++;
	return 0;
}

/* Map run1 + block + run0 + page: the largest size first (runs with
 * PT_FEAT_CONTIG, 4.5), what each run's entries hold, iova_to_phys and
 * the walker on each leaf, unmaps that would cut a run (refused) and of
 * the whole run. */
static void round_trip(enum pt_fmt fmt, const struct gsz *z)
{
	const uint64_t iova = 2 * z->run1, pa = 5 * z->run1;
	const uint64_t len = z->run1 + z->block + z->run0 + z->page;
	const uint64_t want_sz[4] = {z->run1, z->block, z->run0, z->page};
	const unsigned int want_lvl[4] = {1, 1, 0, 0};
	struct pt_walk_desc d;
	struct pt_walk_res r;
	uint64_t phys, at, r0, max_leaf = 0;
	struct seen s = {0};
	struct lt t;

	lt_init(&t, fmt, z->g, 48, 48, PT_FEAT_CONTIG);
	lt_map(&t, iova, pa, len, RW);
	cr_assert_eq(pt_iterate(&t.pt, 0, 1ull << 48, false, collect, &s), 0);
	cr_assert_eq(s.n, 4, "g %u: %u leaves", z->g, s.n);
	d = lt_desc(&t);
	at = iova;
	for (unsigned int i = 0; i < 4; i++) {
		const uint64_t off = want_sz[i] / 2 + 0x18;

		cr_assert_eq(s.iova[i], at, "g %u leaf %u: %llx", z->g, i,
			     U(s.iova[i]));
		cr_assert_eq(s.pa[i], pa + (at - iova));
		cr_assert_eq(1ull << s.lg2[i], want_sz[i], "g %u leaf %u: %u",
			     z->g, i, s.lg2[i]);
		cr_assert_eq(s.level[i], want_lvl[i]);
		cr_assert_eq(!!(s.entry[i] & D_CONT), i == 0 || i == 2);
		cr_assert_eq(pt_iova_to_phys(&t.pt, at + off, &phys), 0);
		cr_assert_eq(phys, pa + (at - iova) + off);
		cr_assert_eq(pt_walk(&t.h->host, &d, at + off, PT_ACC_W, &r),
			     0, "g %u leaf %u: %d", z->g, i, r.err);
		cr_assert_eq(r.oa, phys);
		cr_assert_eq(1ull << r.size_lg2, want_sz[i]);
		cr_assert_eq(r.level, (int)want_lvl[i]);
		cr_assert_eq(r.entry, pth_rd(t.h, r.entry_pa));
		at += want_sz[i];
	}
	/* every entry of the level-0 run: Contiguous, its own address */
	r0 = iova + z->run1 + z->block;
	for (uint64_t j = 0; j < z->run0 / z->page; j++) {
		uint64_t e = pth_rd(t.h, ent_pa(&t, r0 + j * z->page, 0));

		cr_assert_eq(e & 3, 3);
		cr_assert(e & D_CONT);
		cr_assert_eq(addr_of(z->g, e), pa + (r0 - iova) + j * z->page);
	}
	/* a run is one leaf: an unmap that would cut it removes nothing */
	cr_assert_eq(pt_unmap(&t.pt, r0 + z->page, z->page, &t.fl, NULL), 0);
	cr_assert_eq(pt_unmap(&t.pt, r0, z->run0 - z->page, &t.fl, NULL), 0);
	cr_assert_eq(pt_unmap(&t.pt, iova, z->run1 / 2, &t.fl, NULL), 0);
	cr_assert_eq(pt_iova_to_phys(&t.pt, r0 + z->run0 - 1, &phys), 0);
	cr_assert_eq(phys, pa + (r0 - iova) + z->run0 - 1);
	cr_assert_eq(pt_unmap(&t.pt, r0, z->run0, &t.fl, &max_leaf), z->run0);
	cr_assert_eq(max_leaf, z->run0);
	cr_assert_eq(pt_iova_to_phys(&t.pt, r0, &phys), -ENOENT);
	cr_assert_eq(pt_walk(&t.h->host, &d, r0 + z->run0 - 8, PT_ACC_R, &r),
		     -PT_WALK_NOT_PRESENT);
	/* the rest: up to the hole, then the page after it */
	cr_assert_eq(pt_unmap(&t.pt, iova, len, &t.fl, &max_leaf),
		     z->run1 + z->block);
	cr_assert_eq(max_leaf, z->run1);
	cr_assert_eq(pt_unmap(&t.pt, r0 + z->run0, z->page, &t.fl, NULL),
		     z->page);
	s.n = 0;
	cr_assert_eq(pt_iterate(&t.pt, 0, 1ull << 48, false, collect, &s), 0);
	cr_assert_eq(s.n, 0);
	lt_fini(&t);

	/* Without PT_FEAT_CONTIG the same range is single entries. */
	lt_init(&t, fmt, z->g, 48, 48, 0);
	lt_map(&t, iova, pa, len, RW);
	s.n = 0;
	cr_assert_eq(pt_iterate(&t.pt, 0, 1ull << 48, false, collect, &s), 0);
	cr_assert_eq(s.n, z->run1 / z->block + 1 + z->run0 / z->page + 1);
	for (unsigned int i = 0; i < s.n; i++)
		cr_assert(!(s.entry[i] & D_CONT));
	cr_assert_eq(pt_unmap(&t.pt, iova, len, &t.fl, NULL), len);
	lt_fini(&t);
}

Test(lpae, round_trip_stage1_all_granules)
{
	for (unsigned int i = 0; i < 3; i++)
		round_trip(S1, &gsz[i]);
}

Test(lpae, round_trip_stage2_all_granules)
{
	for (unsigned int i = 0; i < 3; i++)
		round_trip(S2, &gsz[i]);
}

/* pt_iterate() and the dirty walk after contiguous runs: the leaf after
 * a run is shown at its own address (the engine once showed it one entry
 * too low), and a write into the second of two runs is reported there. */
Test(lpae, iterate_after_run)
{
	const uint64_t iova = MB(64);
	uint64_t bits = 0;
	struct pt_dirty_bitmap bm = {&bits, iova, 16, 64};
	struct pt_walk_desc d;
	struct pt_walk_res r;
	struct seen s = {0};
	struct lt t;

	lt_init(&t, S1, 12, 48, 48, PT_FEAT_CONTIG | PT_FEAT_DIRTY);
	/* run, run, page */
	lt_map(&t, iova, GB(1), KB(128) + KB(4), RW);
	cr_assert_eq(pt_iterate(&t.pt, 0, 1ull << 48, false, collect, &s), 0);
	cr_assert_eq(s.n, 3);
	cr_assert_eq(s.iova[0], iova);
	cr_assert_eq(s.iova[1], iova + KB(64), "%llx", U(s.iova[1]));
	cr_assert_eq(s.iova[2], iova + KB(128), "%llx", U(s.iova[2]));
	/* a write into the second run is reported there */
	cr_assert_eq(pt_set_dirty_tracking(&t.pt, true), 0);
	d = lt_desc(&t);
	d.flags = PT_WALK_HD;
	cr_assert_eq(pt_walk(&t.h->host, &d, iova + KB(80), PT_ACC_W, &r), 0);
	cr_assert_eq(pt_read_and_clear_dirty(&t.pt, iova, MB(1), &bm, 0), 0);
	cr_assert_eq(bits, 2, "bitmap %llx", U(bits));
	lt_fini(&t);
}

/* The largest level-1 run at 4K (16 x 1G = 16G, 4.5) and the 64K
 * granule's 4T block (52-bit output). */
Test(lpae, round_trip_largest_leaves)
{
	struct pt_walk_desc d;
	struct pt_walk_res r;
	uint64_t phys, max_leaf;
	struct lt t;

	lt_init(&t, S1, 12, 48, 48, PT_FEAT_CONTIG);
	lt_map(&t, GB(32), GB(48), GB(16), RW);
	for (uint64_t j = 0; j < 16; j++) {
		uint64_t e = pth_rd(t.h, ent_pa(&t, GB(32) + GB(j), 2));

		cr_assert_eq(e & 3, 1);
		cr_assert(e & D_CONT);
		cr_assert_eq(addr_of(12, e), GB(48) + GB(j));
	}
	d = lt_desc(&t);
	cr_assert_eq(pt_walk(&t.h->host, &d, GB(40) + 0x10, PT_ACC_R, &r), 0);
	cr_assert_eq(r.size_lg2, 34);
	cr_assert_eq(r.level, 2);
	cr_assert_eq(r.oa, GB(56) + 0x10);
	cr_assert_eq(pt_unmap(&t.pt, GB(40), GB(8), &t.fl, NULL), 0);
	cr_assert_eq(pt_unmap(&t.pt, GB(32), GB(16), &t.fl, &max_leaf),
		     GB(16));
	cr_assert_eq(max_leaf, GB(16));
	lt_fini(&t);

	lt_init(&t, S2, 16, 48, 52, PT_FEAT_CONTIG);
	lt_map(&t, TB(8), TB(1024) + TB(4), TB(4) + GB(16), RW);
	cr_assert_eq(pth_rd(t.h, ent_pa(&t, TB(8), 2)) & 3, 1);
	cr_assert_eq(pt_iova_to_phys(&t.pt, TB(12) + 5, &phys), 0);
	cr_assert_eq(phys, TB(1024) + TB(8) + 5);
	d = lt_desc(&t);
	cr_assert_eq(pt_walk(&t.h->host, &d, TB(9), PT_ACC_W, &r), 0);
	cr_assert_eq(r.size_lg2, 42);
	cr_assert_eq(r.oa, TB(1024) + TB(5));
	cr_assert_eq(pt_walk(&t.h->host, &d, TB(12) + GB(1), PT_ACC_W, &r), 0);
	cr_assert_eq(r.size_lg2, 34);
	cr_assert_eq(r.level, 1);
	cr_assert_eq(pt_unmap(&t.pt, TB(8), TB(4) + GB(16), &t.fl, NULL),
		     TB(4) + GB(16));
	lt_fini(&t);
}

/* ---- dirty tracking ------------------------------------------------------ */

static uint64_t bm_word(struct pt *pt, uint64_t iova, unsigned int flags)
{
	uint64_t bits = 0;
	struct pt_dirty_bitmap bm = {&bits, iova, 12, 64};

	cr_assert_eq(pt_read_and_clear_dirty(pt, iova, KB(256), &bm, flags),
		     0);
	return bits;
}

/*
 * DBM (4.8, 4.10): tracking on writes writable leaves clean (stage 1:
 * DBM | AP[2]; stage 2: DBM, S2AP[1] clear), a write with PT_WALK_HD makes
 * one dirty (AP[2] cleared / S2AP[1] set), read_and_clear reports and
 * cleans it (NO_CLEAR leaves it), tracking off restores the plain form.
 */
static void dirty_stage(enum pt_fmt fmt)
{
	const bool s2 = fmt == S2;
	/* the dirty-state bit: AP[2] (set = clean) / S2AP[1] (set = dirty) */
	const uint64_t plain_rw = s2 ? 0x7FF : 0xF47, ro = s2 ? 0x77F : 0xFC7;
	const uint64_t clean = s2 ? (plain_rw & ~D_AP2) | D_DBM
				  : plain_rw | D_AP2 | D_DBM;
	const uint64_t dirty = s2 ? plain_rw | D_DBM : plain_rw | D_DBM;
	const uint64_t base = MB(1);
	struct pt_walk_desc d;
	struct pt_walk_res r;
	struct lt t;

	lt_init(&t, fmt, 12, 48, 48, PT_FEAT_DIRTY | (s2 ? 0 : PT_FEAT_NG));
	lt_map(&t, base, GB(1), KB(16), RW);
	lt_map(&t, base + KB(16), GB(2), KB(4), IOMMU_READ);
	lt_map(&t, base + KB(64), GB(4), MB(1) - KB(64), RW);
	lt_map(&t, MB(2), GB(6), MB(2), RW);
	d = lt_desc(&t);
	cr_assert_eq(pth_rd(t.h, ent_pa(&t, base, 0)), GB(1) | plain_rw);
	cr_assert_eq(pt_set_dirty_tracking(&t.pt, true), 0);
	for (unsigned int i = 0; i < 4; i++)
		cr_assert_eq(pth_rd(t.h, ent_pa(&t, base + KB(4) * i, 0)),
			     (GB(1) + KB(4) * i) | clean, "page %u: %llx", i,
			     U(pth_rd(t.h, ent_pa(&t, base + KB(4) * i, 0))));
	cr_assert_eq(pth_rd(t.h, ent_pa(&t, base + KB(16), 0)), GB(2) | ro);
	cr_assert_eq(pth_rd(t.h, ent_pa(&t, MB(2), 1)),
		     GB(6) | ((clean & ~3ull) | 1));
	/* new leaves start clean too */
	lt_map(&t, base + KB(32), GB(3), KB(4), RW);
	cr_assert_eq(pth_rd(t.h, ent_pa(&t, base + KB(32), 0)), GB(3) | clean);
	cr_assert_eq(bm_word(&t.pt, base, 0), 0);

	/* no hardware dirty management: a clean leaf is read-only */
	cr_assert_eq(pt_walk(&t.h->host, &d, base + KB(4), PT_ACC_W, &r),
		     -PT_WALK_PERM);
	cr_assert_eq(pt_walk(&t.h->host, &d, base + KB(4), PT_ACC_R, &r), 0);
	cr_assert(!r.dirty);
	d.flags = PT_WALK_HD;
	cr_assert_eq(pt_walk(&t.h->host, &d, base + KB(4), PT_ACC_R, &r), 0);
	cr_assert(!r.dirty);
	cr_assert_eq(pth_rd(t.h, r.entry_pa), (GB(1) + KB(4)) | clean);
	cr_assert_eq(pt_walk(&t.h->host, &d, base + KB(4) + 8, PT_ACC_W, &r),
		     0);
	cr_assert(r.dirty);
	cr_assert_eq(pth_rd(t.h, r.entry_pa), (GB(1) + KB(4)) | dirty);
	cr_assert_eq(r.entry, (GB(1) + KB(4)) | dirty);
	/* the read-only page stays so */
	cr_assert_eq(pt_walk(&t.h->host, &d, base + KB(16), PT_ACC_W, &r),
		     -PT_WALK_PERM);
	/* a write into the 2M block dirties it whole */
	cr_assert_eq(pt_walk(&t.h->host, &d, MB(3), PT_ACC_W, &r), 0);
	cr_assert(r.dirty);

	cr_assert_eq(bm_word(&t.pt, base, PT_DIRTY_NO_CLEAR), 1ull << 1);
	cr_assert_eq(pth_rd(t.h, ent_pa(&t, base + KB(4), 0)),
		     (GB(1) + KB(4)) | dirty);
	cr_assert_eq(bm_word(&t.pt, base, 0), 1ull << 1);
	cr_assert_eq(pth_rd(t.h, ent_pa(&t, base + KB(4), 0)),
		     (GB(1) + KB(4)) | clean);
	cr_assert_eq(bm_word(&t.pt, base, 0), 0);
	{
		uint64_t bits[8] = {0};
		struct pt_dirty_bitmap bm = {bits, MB(2), 12, 512};

		cr_assert_eq(pt_read_and_clear_dirty(&t.pt, MB(2), MB(2), &bm,
						     0),
			     0);
		for (unsigned int i = 0; i < 8; i++)
			cr_assert_eq(bits[i], ~0ull, "2M block: word %u", i);
		cr_assert_eq(pth_rd(t.h, ent_pa(&t, MB(2), 1)),
			     GB(6) | ((clean & ~3ull) | 1));
	}

	/* off: the plain writable form, no hardware help needed */
	cr_assert_eq(pt_walk(&t.h->host, &d, base, PT_ACC_W, &r), 0);
	cr_assert_eq(pt_set_dirty_tracking(&t.pt, false), 0);
	for (unsigned int i = 0; i < 4; i++)
		cr_assert_eq(pth_rd(t.h, ent_pa(&t, base + KB(4) * i, 0)),
			     (GB(1) + KB(4) * i) | plain_rw);
	cr_assert_eq(pth_rd(t.h, ent_pa(&t, base + KB(16), 0)), GB(2) | ro);
	cr_assert_eq(pth_rd(t.h, ent_pa(&t, base + KB(32), 0)),
		     GB(3) | plain_rw);
	d.flags = 0;
	cr_assert_eq(pt_walk(&t.h->host, &d, base + KB(8), PT_ACC_W, &r), 0);
	cr_assert(r.dirty);
	lt_fini(&t);

	/* a table made without PT_FEAT_DIRTY has no tracking */
	lt_init(&t, fmt, 12, 48, 48, 0);
	cr_assert_eq(pt_set_dirty_tracking(&t.pt, true), -EOPNOTSUPP);
	lt_fini(&t);
}

Test(lpae, dirty_stage1_ap2)
{
	dirty_stage(S1);
}

Test(lpae, dirty_stage2_s2ap1)
{
	dirty_stage(S2);
}

/* Dirty tracking on a contiguous run at 64K: one write dirties one entry;
 * the run is reported whole and every entry cleaned. */
Test(lpae, dirty_contiguous_run)
{
	struct pt_walk_desc d;
	struct pt_walk_res r;
	uint64_t bits[1] = {0};
	struct pt_dirty_bitmap bm = {bits, MB(2), 16, 64};
	struct lt t;

	lt_init(&t, S1, 16, 48, 48, PT_FEAT_DIRTY | PT_FEAT_CONTIG);
	lt_map(&t, MB(2), MB(4), MB(2), RW);
	cr_assert_eq(pt_set_dirty_tracking(&t.pt, true), 0);
	d = lt_desc(&t);
	d.flags = PT_WALK_HD;
	cr_assert_eq(pt_walk(&t.h->host, &d, MB(3), PT_ACC_W, &r), 0);
	cr_assert_eq(r.size_lg2, 21);
	cr_assert(!(pth_rd(t.h, r.entry_pa) & D_AP2));
	cr_assert(pth_rd(t.h, ent_pa(&t, MB(2), 0)) & D_AP2);
	cr_assert_eq(pt_read_and_clear_dirty(&t.pt, MB(2), MB(2), &bm, 0), 0);
	cr_assert_eq(bits[0], 0xFFFFFFFFull);
	for (uint64_t j = 0; j < 32; j++) {
		uint64_t e = pth_rd(t.h, ent_pa(&t, MB(2) + KB(64) * j, 0));

		cr_assert(e & D_AP2);
		cr_assert(e & D_DBM);
		cr_assert(e & D_CONT);
	}
	lt_fini(&t);
}
