// SPDX-License-Identifier: MIT
/*
 * test_amdv1.c - AMD-Vi host (v1) tables (amdvi.md 3): the sheet's
 * known-answer entries (9: T1..T6, T22), every page size and its
 * replication, unmap that never splits a page, the sizes a table offers,
 * and the model walker on what pt_map wrote in every mode.  The walker on
 * hostile hand-written tables is in test_amdv1_hand.c, A/D updates and
 * dirty tracking in test_amdv1_dirty.c; the helpers all three share in
 * amdv1_help.h.
 */
#include "amdv1_help.h"

/* ---- known answers (amdvi 9) --------------------------------------------- */

/* T1, T1b: a 4 KiB PTE at AMD level 1, without and with FC. */
Test(amdv1, t1_t1b_pte_4k)
{
	static const uint8_t t1_bytes[8] = {0x01, 0x50, 0x34, 0x12,
					    0x00, 0x00, 0x00, 0x60};

	for (int fc = 0; fc < 2; fc++) {
		struct amd a;
		uint64_t p;

		amd_init(&a, 3, fc ? PT_FEAT_FC : 0);
		amd_map(&a, 0x12345000, 0x12345000, KB(4),
			IOMMU_READ | IOMMU_WRITE);
		p = slot(a.h, a.pt.root_pa, 3, 0x12345000, 0);
		cr_assert_eq(pth_rd(a.h, p),
			     fc ? 0x7000000012345001ull : 0x6000000012345001ull,
			     "T1%s: %llx", fc ? "b" : "", U(pth_rd(a.h, p)));
		if (!fc)
			cr_assert_eq(memcmp(a.h->ram + p, t1_bytes, 8), 0,
				     "T1 bytes in memory");
		amd_fini(&a);
	}
}

/* T2: a 2 MiB page is a NextLevel-0 leaf at AMD level 2. */
Test(amdv1, t2_2m_nextlevel0_at_level2)
{
	for (int fc = 0; fc < 2; fc++) {
		struct amd a;
		uint64_t p;

		amd_init(&a, 3, fc ? PT_FEAT_FC : 0);
		amd_map(&a, MB(2), 0x40000000, MB(2), IOMMU_READ | IOMMU_WRITE);
		p = slot(a.h, a.pt.root_pa, 3, MB(2), 1);
		cr_assert_eq(pth_rd(a.h, p),
			     fc ? 0x7000000040000001ull : 0x6000000040000001ull,
			     "T2: %llx", U(pth_rd(a.h, p)));
		cr_assert_eq(pth_rd(a.h, p - 8), 0);
		cr_assert_eq(pth_rd(a.h, p + 8), 0);
		amd_fini(&a);
	}
}

/* T3: a 4 MiB page is NextLevel 7 in two AMD level-2 slots. */
Test(amdv1, t3_4m_two_level2_slots)
{
	struct amd a;
	uint64_t p, phys = 0;

	amd_init(&a, 3, 0);
	amd_map(&a, MB(8), 0x40000000, MB(4), IOMMU_READ | IOMMU_WRITE);
	p = slot(a.h, a.pt.root_pa, 3, MB(8), 1);
	cr_assert_eq(pth_rd(a.h, p), 0x60000000401FFE01ull, "T3: %llx",
		     U(pth_rd(a.h, p)));
	cr_assert_eq(pth_rd(a.h, p + 8), 0x60000000401FFE01ull);
	cr_assert_eq(pth_rd(a.h, p - 8), 0);
	cr_assert_eq(pth_rd(a.h, p + 16), 0);
	cr_assert_eq(pt_iova_to_phys(&a.pt, MB(8) + MB(3) + 0x123, &phys), 0);
	cr_assert_eq(phys, 0x40000000 + MB(3) + 0x123);
	amd_fini(&a);
}

/* T4: an 8 KiB page is NextLevel 7 in two AMD level-1 slots. */
Test(amdv1, t4_8k_two_level1_slots)
{
	struct amd a;
	uint64_t p, phys = 0;

	amd_init(&a, 3, 0);
	amd_map(&a, 0x12344000, 0x12344000, KB(8), IOMMU_READ | IOMMU_WRITE);
	p = slot(a.h, a.pt.root_pa, 3, 0x12344000, 0);
	cr_assert_eq(pth_rd(a.h, p), 0x6000000012344E01ull, "T4: %llx",
		     U(pth_rd(a.h, p)));
	cr_assert_eq(pth_rd(a.h, p + 8), 0x6000000012344E01ull);
	cr_assert_eq(pth_rd(a.h, p - 8), 0);
	cr_assert_eq(pth_rd(a.h, p + 16), 0);
	/* The second 4 KiB maps to page + 0x1000 (3.5). */
	cr_assert_eq(pt_iova_to_phys(&a.pt, 0x12345678, &phys), 0);
	cr_assert_eq(phys, 0x12345678);
	amd_fini(&a);
}

/*
 * T5: the PDE Linux writes at AMD level 3 for a level-2 table at 0x5000.
 * Tables come first-fit from PA 0: the root (0x0), then the tables of
 * iova 0 (0x1000, 0x2000), 2M (0x3000), 4M (0x4000); the next new
 * level-2 table (for 1G, root slot 1) lands at 0x5000.
 */
Test(amdv1, t5_pde_as_linux)
{
	struct amd a;

	amd_init(&a, 3, PT_FEAT_FC);
	cr_assert_eq(a.pt.root_pa, 0);
	amd_map(&a, 0, 0, KB(4), IOMMU_READ);
	amd_map(&a, MB(2), 0, KB(4), IOMMU_READ);
	amd_map(&a, MB(4), 0, KB(4), IOMMU_READ);
	amd_map(&a, GB(1), 0, KB(4), IOMMU_READ);
	cr_assert_eq(pth_rd(a.h, a.pt.root_pa + 8), 0x6000000000005401ull,
		     "T5: %llx", U(pth_rd(a.h, a.pt.root_pa + 8)));
	cr_assert_eq(pth_rd(a.h, a.pt.root_pa), 0x6000000000001401ull);
	/* The AMD level-2 PDE names a level-1 table. */
	cr_assert_eq(pth_rd(a.h, 0x1000), 0x6000000000002201ull);
	cr_assert_eq(pth_rd(a.h, 0x1008), 0x6000000000003201ull);
	amd_fini(&a);
}

/* T6: IOVA 0x12345678 with Mode 3 indexes L3 0x000, L2 0x091, L1 0x145. */
Test(amdv1, t6_indices_mode3)
{
	struct amd a;
	struct pt_walk_desc d;
	struct pt_walk_res r;
	uint64_t l2, l1;

	amd_init(&a, 3, 0);
	amd_map(&a, 0x12345000, 0x7654000, KB(4), IOMMU_READ);
	l2 = pth_rd(a.h, a.pt.root_pa + 8 * 0x000) & ADDR;
	cr_assert_neq(l2, 0);
	l1 = pth_rd(a.h, l2 + 8 * 0x091) & ADDR;
	cr_assert_neq(l1, 0);
	d = amd_desc(a.pt.root_pa, 3);
	cr_assert_eq(pt_walk(&a.h->host, &d, 0x12345678, PT_ACC_R, &r), 0);
	cr_assert_eq(r.entry_pa, l1 + 8 * 0x145, "T6: entry at %llx",
		     U(r.entry_pa));
	cr_assert_eq(r.oa, 0x7654678); /* offset 0x678 */
	cr_assert_eq(r.level, 0);
	cr_assert_eq(r.size_lg2, 12);
	amd_fini(&a);
}

/* T22: the last page of each mode maps and walks; one beyond does not. */
Test(amdv1, t22_mode_max_iova)
{
	static const uint64_t max[7] = {
		0, 0x1FFFFF, 0x3FFFFFFF, 0x7FFFFFFFFF, 0xFFFFFFFFFFFF,
		0x1FFFFFFFFFFFFFF, UINT64_MAX};

	for (unsigned int mode = 1; mode <= 6; mode++) {
		struct amd a;
		struct pt_walk_desc d;
		struct pt_walk_res r;
		uint64_t last = max[mode] & ~0xFFFull, mapped = 1, phys = 0;

		amd_init(&a, mode, 0);
		cr_assert_eq(a.pt.cfg.ia_bits, mode == 6 ? 64 : 12 + 9 * mode);
		amd_map(&a, last, 0x5000, KB(4), IOMMU_READ);
		cr_assert_eq(pt_iova_to_phys(&a.pt, max[mode], &phys), 0);
		cr_assert_eq(phys, 0x5FFF);
		d = amd_desc(a.pt.root_pa, mode);
		cr_assert_eq(pt_walk(&a.h->host, &d, max[mode], PT_ACC_R, &r),
			     0, "mode %u: %d", mode, r.err);
		cr_assert_eq(r.oa, 0x5FFF);
		if (mode < 6) {
			cr_assert_eq(pt_map(&a.pt, max[mode] + 1, 0x6000, KB(4),
					    IOMMU_READ, &mapped, &a.fl),
				     -ERANGE, "mode %u", mode);
			cr_assert_eq(mapped, 0);
			cr_assert_eq(pt_walk(&a.h->host, &d, max[mode] + 1,
					     PT_ACC_R, &r),
				     -PT_WALK_RANGE, "mode %u", mode);
			cr_assert_eq(r.err, PT_WALK_RANGE);
			cr_assert_eq(pt_walk(&a.h->host, &d, 1ull << 63,
					     PT_ACC_R, &r),
				     -PT_WALK_RANGE);
		}
		amd_fini(&a);
	}
}

/* ---- sizes and replication (amdvi 3.5) ----------------------------------- */

/* Every NextLevel-7 size of AMD levels 1 and 2: one map of exactly that
 * size writes the size-coded entry into size / slot-size slots. */
Test(amdv1, every_nextlevel7_size_replicated)
{
	struct amd a;
	struct pt_walk_desc d;

	amd_init(&a, 3, 0);
	d = amd_desc(a.pt.root_pa, 3);
	for (unsigned int k = 13; k <= 29; k++) {
		const unsigned int lvl = k <= 20 ? 0 : 1;
		const unsigned int es = 12 + 9 * lvl;
		const uint64_t s = 1ull << k, iova = GB(64) + 3 * s;
		const uint64_t pa = GB(8) + 5 * s;
		const uint64_t want = pa | NL(7) | PR | RW |
				      (((1ull << (k - 1)) - 1) & ~0xFFFull);
		const uint64_t per = 1ull << (k - es);
		uint64_t p, phys = 0, max_leaf = 0;
		struct pt_walk_res r;

		if (k == 21)
			continue; /* 2 MiB: NextLevel 0 at AMD level 2 (T2) */
		amd_map(&a, iova, pa, s, IOMMU_READ | IOMMU_WRITE);
		p = slot(a.h, a.pt.root_pa, 3, iova, lvl);
		for (uint64_t j = 0; j < per; j++)
			cr_assert_eq(pth_rd(a.h, p + 8 * j), want,
				     "2^%u slot %llu: %llx", k, U(j),
				     U(pth_rd(a.h, p + 8 * j)));
		if ((p & 0xFFF) + 8 * per < 0x1000)
			cr_assert_eq(pth_rd(a.h, p + 8 * per), 0, "2^%u", k);
		if (p & 0xFFF)
			cr_assert_eq(pth_rd(a.h, p - 8), 0, "2^%u", k);
		cr_assert_eq(pt_iova_to_phys(&a.pt, iova + s - 8, &phys), 0);
		cr_assert_eq(phys, pa + s - 8);
		cr_assert_eq(pt_walk(&a.h->host, &d, iova + s / 2 + 4, PT_ACC_W,
				     &r), 0);
		cr_assert_eq(r.oa, pa + s / 2 + 4);
		cr_assert_eq(r.size_lg2, k);
		cr_assert_eq(r.level, (int)lvl);
		cr_assert_eq(pt_unmap(&a.pt, iova, s, &a.fl, &max_leaf), s);
		cr_assert_eq(max_leaf, s);
		for (uint64_t j = 0; j < per; j++)
			cr_assert_eq(pth_rd(a.h, p + 8 * j), 0);
		pt_free_pages(&a.h->host, &a.fl);
	}
	amd_fini(&a);
}

/* The largest page the alignment and length allow, leaf by leaf: a 4 MiB
 * NextLevel-7 page rather than two 2 MiB ones; then 2M, 1M, 8K, 4K. */
Test(amdv1, largest_size_chosen)
{
	struct amd a;
	struct pt_walk_desc d;
	struct pt_walk_res r;
	static const struct {
		uint64_t off;
		unsigned int lg2, lvl;
	} want[] = {{0, 22, 1}, {MB(4), 21, 1}, {MB(6), 20, 0},
		    {MB(7), 13, 0}, {MB(7) + KB(8), 12, 0}};
	const uint64_t iova = MB(4), pa = GB(1) + MB(4);

	amd_init(&a, 3, 0);
	d = amd_desc(a.pt.root_pa, 3);
	amd_map(&a, iova, pa, MB(7) + KB(12), IOMMU_READ);
	for (unsigned int i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const uint64_t at = iova + want[i].off;

		cr_assert_eq(pt_walk(&a.h->host, &d, at, PT_ACC_R, &r), 0);
		cr_assert_eq(r.size_lg2, want[i].lg2, "leaf %u: 2^%u", i,
			     r.size_lg2);
		cr_assert_eq(r.level, (int)want[i].lvl);
		cr_assert_eq(r.oa, pa + want[i].off);
	}
	/* 256 slots for the 1 MiB page, all alike. */
	for (unsigned int j = 0; j < 256; j++)
		cr_assert_eq(pth_rd(a.h, slot(a.h, a.pt.root_pa, 3,
					      iova + MB(6), 0) + 8 * j),
			     (pa + MB(6)) | NL(7) | PR | IR | 0x7F000ull);
	cr_assert_eq(pt_unmap(&a.pt, iova, MB(7) + KB(12), &a.fl, NULL),
		     MB(7) + KB(12));
	amd_fini(&a);
}

/* Unmap never splits a NextLevel-7 page: 4K inside an 8K page removes
 * nothing, the whole page goes at once. */
Test(amdv1, unmap_never_splits_a_page)
{
	struct amd a;
	uint64_t p, e, max_leaf = 1, phys;

	amd_init(&a, 3, 0);
	amd_map(&a, 0x2000, 0x40000000, KB(8), IOMMU_READ | IOMMU_WRITE);
	p = slot(a.h, a.pt.root_pa, 3, 0x2000, 0);
	e = pth_rd(a.h, p);
	cr_assert_eq(pt_unmap(&a.pt, 0x3000, KB(4), &a.fl, &max_leaf), 0);
	cr_assert_eq(max_leaf, 0);
	cr_assert_eq(pt_unmap(&a.pt, 0x2000, KB(4), &a.fl, NULL), 0);
	cr_assert_eq(pth_rd(a.h, p), e);
	cr_assert_eq(pth_rd(a.h, p + 8), e);
	cr_assert_eq(pt_iova_to_phys(&a.pt, 0x3008, &phys), 0);
	cr_assert_eq(phys, 0x40001008);
	cr_assert_eq(pt_unmap(&a.pt, 0x2000, KB(8), &a.fl, &max_leaf), KB(8));
	cr_assert_eq(max_leaf, KB(8));
	cr_assert_eq(pth_rd(a.h, p), 0);
	cr_assert_eq(pth_rd(a.h, p + 8), 0);
	cr_assert_eq(pt_iova_to_phys(&a.pt, 0x3008, &phys), -ENOENT);
	amd_fini(&a);
}

/* A page whose second slot is taken is refused whole (its first slot is
 * taken back); the occupant stays. */
Test(amdv1, map_over_a_slot_refused_whole)
{
	struct amd a;
	uint64_t mapped = 1, p;

	amd_init(&a, 3, 0);
	amd_map(&a, 0x3000, 0x9000, KB(4), IOMMU_READ);
	p = slot(a.h, a.pt.root_pa, 3, 0x2000, 0);
	cr_assert_eq(pt_map(&a.pt, 0x2000, 0x40000000, KB(8), IOMMU_READ,
			    &mapped, &a.fl),
		     -EEXIST);
	cr_assert_eq(mapped, 0);
	cr_assert_eq(pth_rd(a.h, p), 0);
	cr_assert_eq(pth_rd(a.h, p + 8), 0x9000 | PR | IR);
	amd_fini(&a);
}

/* 3.5, 3.6: all powers of two from 4 KiB the levels hold, never 512 GiB,
 * nothing above bit 51, nothing at the top of a 6-level table. */
Test(amdv1, pgsizes_per_mode)
{
	static const uint64_t want[7] = {
		0,
		0x00000000001FF000ull, /* 4K..1M */
		0x000000003FFFF000ull, /* ..512M */
		0x0000007FFFFFF000ull, /* ..256G */
		0x0000FF7FFFFFF000ull, /* ..128T, not 512G */
		0x000FFF7FFFFFF000ull, /* ..2P (bit 51) */
		0x000FFF7FFFFFF000ull, /* the top holds no leaves */
	};
	struct pt_cfg cfg = {.fmt = PT_FMT_AMDV1, .oa_bits = 52};

	for (unsigned int mode = 1; mode <= 6; mode++) {
		cfg.levels = mode;
		cr_assert_eq(pt_pgsizes(&cfg), want[mode], "mode %u: %llx",
			     mode, U(pt_pgsizes(&cfg)));
	}
	cfg.levels = 3;
	cfg.ia_bits = 32;
	cr_assert_eq(pt_pgsizes(&cfg), 0x00000001FFFFF000ull);
	cfg.ia_bits = 40; /* beyond Mode 3 */
	cr_assert_eq(pt_pgsizes(&cfg), 0);
	cfg.ia_bits = 0;
	cfg.levels = 4;
	cfg.pgsize_bitmap = 1ull << 39;
	cr_assert_eq(pt_pgsizes(&cfg), 0);
	cfg.pgsize_bitmap = 0;
	cfg.levels = 0;
	cr_assert_eq(pt_pgsizes(&cfg), 0);
	cfg.levels = 7;
	cr_assert_eq(pt_pgsizes(&cfg), 0);
	cfg.levels = 3;
	cfg.features = PT_FEAT_SNOOP;
	cr_assert_eq(pt_pgsizes(&cfg), 0);
	cfg.features = 0;
	cfg.granule_lg2 = 14;
	cr_assert_eq(pt_pgsizes(&cfg), 0);
}

/* ---- the walker on driver tables ----------------------------------------- */

/* In every mode, the walker finds what pt_map wrote, at the top of the
 * range, with the driver's answer, level and size. */
Test(amdv1, walker_reads_map_every_mode)
{
	for (unsigned int mode = 1; mode <= 6; mode++) {
		const unsigned int ia = mode == 6 ? 64 : 12 + 9 * mode;
		const uint64_t end = ia == 64 ? 0 : 1ull << ia;
		/* The largest size of the top level that has leaves. */
		const unsigned int tl = mode == 6 ? 4 : mode - 1;
		const unsigned int big =
			12 + 9 * tl + 8 > 51 ? 51 : 12 + 9 * tl + 8;
		const uint64_t blen = 1ull << big;
		uint64_t at;
		struct amd a;
		struct pt_walk_desc d;

		amd_init(&a, mode, PT_FEAT_FC);
		d = amd_desc(a.pt.root_pa, mode);
		/* The big page at the start, small ones at the very end. */
		amd_map(&a, 0, blen, blen, IOMMU_READ | IOMMU_WRITE);
		at = end - KB(16);
		amd_map(&a, at, 0x100000, KB(4), IOMMU_READ);
		amd_map(&a, at + KB(8), 0x202000, KB(8), IOMMU_WRITE);
		for (int i = 0; i < 4; i++) {
			static const uint64_t off[4] = {0, KB(8), KB(12) + 8,
							KB(4) - 8};
			const uint64_t ia_at =
				i < 3 ? at + off[i] : blen - 8;
			struct pt_walk_res r;
			uint64_t phys = 0;
			int ret;

			ret = pt_walk(&a.h->host, &d, ia_at, 0, &r);
			cr_assert_eq(ret, 0, "mode %u at %llx: %d lvl %d", mode,
				     U(ia_at), r.err, r.level);
			cr_assert_eq(pt_iova_to_phys(&a.pt, ia_at, &phys), 0);
			cr_assert_eq(r.oa, phys, "mode %u: %llx vs %llx", mode,
				     U(r.oa), U(phys));
			cr_assert_eq(r.size_lg2,
				     i == 0 ? 12u : i < 3 ? 13u : big);
			cr_assert_eq(r.level, (int)a.pt.lvl_of[r.size_lg2]);
		}
		/* Permissions as mapped: the 4K page is read-only, the 8K
		 * page write-only (IR clear). */
		{
			struct pt_walk_res r;

			cr_assert_eq(pt_walk(&a.h->host, &d, at, PT_ACC_W, &r),
				     -PT_WALK_PERM);
			cr_assert_eq(pt_walk(&a.h->host, &d, at + KB(8),
					     PT_ACC_R, &r),
				     -PT_WALK_PERM);
			cr_assert_eq(pt_walk(&a.h->host, &d, at + KB(8),
					     PT_ACC_W, &r), 0);
			cr_assert_eq(pt_walk(&a.h->host, &d, at + KB(4),
					     PT_ACC_R, &r),
				     -PT_WALK_NOT_PRESENT);
		}
		amd_fini(&a);
	}
}
