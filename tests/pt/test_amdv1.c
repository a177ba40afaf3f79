// SPDX-License-Identifier: MIT
/*
 * test_amdv1.c - AMD-Vi host (v1) tables (amdvi.md 3): the sheet's
 * known-answer entries (9: T1..T6, T22), every page size and its
 * replication, unmap that never splits a page, the sizes a table offers,
 * the model walker on what pt_map wrote in every mode and on hostile
 * hand-written tables (level skipping, NextLevel loops, reserved bits,
 * absurd NextLevel-7 sizes), A/D updates and dirty tracking.
 *
 * The entry bits below are written from the sheet (3.1), not taken from
 * the format file, so a misreading there shows here.
 */
#include <errno.h>
#include <string.h>

#include <criterion/criterion.h>

#include "pth.h"

#define U(x) ((unsigned long long)(x))

/* amdvi 3.1 */
#define PR	(1ull << 0)
#define A	(1ull << 5)
#define D	(1ull << 6)
#define NL(n)	((uint64_t)(n) << 9)
#define ADDR	0x000FFFFFFFFFF000ull
#define FC	(1ull << 60)
#define IR	(1ull << 61)
#define IW	(1ull << 62)
#define RW	(IR | IW)
#define PDE(pa, nl) ((pa) | NL(nl) | PR | IR | IW)

#define KB(x) ((uint64_t)(x) << 10)
#define MB(x) ((uint64_t)(x) << 20)
#define GB(x) ((uint64_t)(x) << 30)

struct amd {
	struct pth *h;
	struct pt pt;
	struct pt_free_list fl;
};

static void amd_init(struct amd *a, unsigned int mode, unsigned int feat)
{
	struct pt_cfg cfg = {.fmt = PT_FMT_AMDV1, .levels = mode,
			     .oa_bits = 52, .features = feat};

	memset(a, 0, sizeof(*a));
	a->h = pth_new();
	cr_assert_not_null(a->h);
	cr_assert_eq(pt_init(&a->pt, &a->h->host, &cfg), 0, "mode %u", mode);
}

static void amd_fini(struct amd *a)
{
	pt_free_pages(&a->h->host, &a->fl);
	pt_free_list_fini(&a->fl);
	pt_destroy(&a->pt);
	cr_assert_eq(a->h->live_pages, 0, "%llu table pages leaked",
		     U(a->h->live_pages));
	cr_assert_eq(a->h->bad_free, 0);
	pth_free(a->h);
}

static void amd_map(struct amd *a, uint64_t iova, uint64_t pa, uint64_t len,
		    unsigned int prot)
{
	uint64_t mapped = 0;
	int ret = pt_map(&a->pt, iova, pa, len, prot, &mapped, &a->fl);

	cr_assert_eq(ret, 0, "map %llx -> %llx (%llx): %d", U(iova), U(pa),
		     U(len), ret);
	cr_assert_eq(mapped, len);
}

static struct pt_walk_desc amd_desc(uint64_t root, unsigned int mode)
{
	struct pt_walk_desc d = {.fmt = PT_FMT_AMDV1, .root = root,
				 .levels = (uint8_t)mode, .oa_bits = 52};

	return d;
}

/* Address of the entry for @iova at our level @lvl (AMD level @lvl + 1),
 * descending by hand with the sheet's index rule (3.2). */
static uint64_t slot(struct pth *h, uint64_t root, unsigned int mode,
		     uint64_t iova, unsigned int lvl)
{
	uint64_t t = root;

	for (unsigned int l = mode - 1;; l--) {
		const unsigned int bits = l == 5 ? 7 : 9;
		uint64_t pa = t + 8 * ((iova >> (12 + 9 * l)) &
				       ((1ull << bits) - 1));

		if (l == lvl)
			return pa;
		t = pth_rd(h, pa) & ADDR;
		cr_assert_neq(t, 0, "no table above level %u", l);
	}
}

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

/* ---- hostile tables written by hand -------------------------------------- */

struct hand {
	struct pth *h;
	uint64_t root;
	struct pt_walk_desc d;
	struct pt_walk_res r;
};

static void hand_init(struct hand *t, unsigned int mode)
{
	memset(t, 0, sizeof(*t));
	t->h = pth_new();
	cr_assert_not_null(t->h);
	t->root = pth_page(t->h, 4096);
	cr_assert_neq(t->root, 0);
	t->d = amd_desc(t->root, mode);
}

static int hwalk(struct hand *t, uint64_t ia, unsigned int access)
{
	int ret = pt_walk(&t->h->host, &t->d, ia, access, &t->r);

	cr_assert_eq(ret, -(int)t->r.err);
	return ret;
}

/* 3.4: Mode 3, root PDE with NextLevel 1 straight to an AMD level-1
 * table: walks while IOVA bits 29:21 are zero, fails otherwise. */
Test(amdv1, level_skip_needs_zero_bits)
{
	struct hand t;
	uint64_t l1, l2;

	hand_init(&t, 3);
	l1 = pth_page(t.h, 4096);
	pth_wr(t.h, t.root + 8 * 1, PDE(l1, 1)); /* IOVA 1G .. */
	pth_wr(t.h, l1 + 8 * 5, 0x12345000 | PR | RW);
	cr_assert_eq(hwalk(&t, GB(1) + 0x5123, PT_ACC_W), 0);
	cr_assert_eq(t.r.oa, 0x12345123);
	cr_assert_eq(t.r.level, 0);
	cr_assert_eq(t.r.entry_pa, l1 + 8 * 5);
	cr_assert_eq(hwalk(&t, GB(1) + MB(2) + 0x5123, PT_ACC_R),
		     -PT_WALK_NOT_PRESENT);
	cr_assert_eq(t.r.level, 2);
	cr_assert_eq(hwalk(&t, GB(1) + (1ull << 29) + 0x5000, PT_ACC_R),
		     -PT_WALK_NOT_PRESENT);

	/* Mode 4, root NextLevel 2: bits 38:30 must be zero; a 2 MiB leaf
	 * in the AMD level-2 table. */
	t.d.levels = 4;
	l2 = pth_page(t.h, 4096);
	pth_wr(t.h, t.root + 8 * 2, PDE(l2, 2)); /* IOVA 1T .. */
	pth_wr(t.h, l2 + 8 * 3, 0x40000000 | PR | IR);
	cr_assert_eq(hwalk(&t, GB(1024) + MB(6) + 0x77, PT_ACC_R), 0);
	cr_assert_eq(t.r.oa, 0x40000077);
	cr_assert_eq(t.r.size_lg2, 21);
	cr_assert_eq(t.r.level, 1);
	cr_assert_eq(hwalk(&t, GB(1024) + GB(1) + MB(6), PT_ACC_R),
		     -PT_WALK_NOT_PRESENT);
	cr_assert_eq(t.r.level, 3);
	pth_free(t.h);
}

/* 3.3 step 7: NextLevel not below the entry's own level is invalid, also
 * when a PDE names its own table (no loop), and at AMD level 1. */
Test(amdv1, nextlevel_not_lower_is_rsvd)
{
	struct hand t;
	uint64_t l1;

	hand_init(&t, 3);
	for (unsigned int nl = 3; nl <= 6; nl++) {
		uint64_t l2 = pth_page(t.h, 4096);

		pth_wr(t.h, t.root, PDE(l2, nl));
		cr_assert_eq(hwalk(&t, 0x1000, PT_ACC_R), -PT_WALK_RSVD,
			     "NextLevel %u", nl);
		cr_assert_eq(t.r.level, 2);
		cr_assert_eq(t.r.entry_pa, t.root);
	}
	/* The root names itself as a level-3 table. */
	pth_wr(t.h, t.root, PDE(t.root, 3));
	cr_assert_eq(hwalk(&t, 0x1000, PT_ACC_R), -PT_WALK_RSVD);
	/* ... or as a level-2 table: read again one level down, where
	 * NextLevel 2 no longer goes down. */
	pth_wr(t.h, t.root, PDE(t.root, 2));
	cr_assert_eq(hwalk(&t, 0x1000, PT_ACC_R), -PT_WALK_RSVD);
	cr_assert_eq(t.r.level, 1);
	cr_assert_eq(t.r.entry_pa, t.root);
	/* An AMD level-1 entry holds pages only (3.3 step 8). */
	l1 = pth_page(t.h, 4096);
	pth_wr(t.h, t.root, PDE(t.root, 1)); /* skip: bits 29:21 = 0 */
	cr_assert_eq(hwalk(&t, 0x0, PT_ACC_R), -PT_WALK_RSVD);
	cr_assert_eq(t.r.level, 0);
	pth_wr(t.h, t.root, PDE(l1, 1));
	pth_wr(t.h, l1, PDE(0x5000, 1));
	cr_assert_eq(hwalk(&t, 0x0, PT_ACC_R), -PT_WALK_RSVD);
	cr_assert_eq(t.r.level, 0);
	pth_free(t.h);
}

/* A table beyond RAM is a fetch failure at the level that reads it. */
Test(amdv1, table_beyond_ram_is_fetch)
{
	struct hand t;

	hand_init(&t, 3);
	pth_wr(t.h, t.root, PDE(PTH_RAM, 2));
	cr_assert_eq(hwalk(&t, 0x1000, PT_ACC_R), -PT_WALK_FETCH);
	cr_assert_eq(t.r.level, 1);
	pth_wr(t.h, t.root, PDE(0x000FFFFFFFFFF000ull, 2));
	cr_assert_eq(hwalk(&t, 0x1000, PT_ACC_R), -PT_WALK_FETCH);
	t.d.root = PTH_RAM + 0x3000;
	cr_assert_eq(hwalk(&t, 0x1000, PT_ACC_R), -PT_WALK_FETCH);
	cr_assert_eq(t.r.level, 2);
	pth_free(t.h);
}

/* 3.1: reserved bits (PDE 60:52, PTE 56:52, the model's, those beyond
 * the output width) fault; ignored bits, U, FC and F (58:57) do not. */
Test(amdv1, reserved_and_ignored_bits)
{
	static const uint64_t pte_ok[] = {
		0x1Eull, 1ull << 7, 1ull << 8, 1ull << 57, 1ull << 58,
		1ull << 59, FC, 1ull << 63, A, D};
	struct hand t;
	uint64_t l2, l1;

	hand_init(&t, 3);
	l2 = pth_page(t.h, 4096);
	l1 = pth_page(t.h, 4096);
	pth_wr(t.h, t.root, PDE(l2, 2));
	pth_wr(t.h, l2, PDE(l1, 1));
	pth_wr(t.h, l1, 0x9000 | PR | RW);
	cr_assert_eq(hwalk(&t, 0x10, PT_ACC_R), 0);
	for (unsigned int b = 52; b <= 56; b++) {
		pth_wr(t.h, l1, 0x9000 | PR | RW | 1ull << b);
		cr_assert_eq(hwalk(&t, 0x10, PT_ACC_R), -PT_WALK_RSVD,
			     "PTE bit %u", b);
		cr_assert_eq(t.r.level, 0);
	}
	for (unsigned int i = 0; i < sizeof(pte_ok) / sizeof(pte_ok[0]); i++) {
		pth_wr(t.h, l1, 0x9000 | PR | RW | pte_ok[i]);
		cr_assert_eq(hwalk(&t, 0x10, PT_ACC_R), 0, "PTE %llx",
			     U(pte_ok[i]));
		cr_assert_eq(t.r.oa, 0x9010);
	}
	pth_wr(t.h, l1, 0x9000 | PR | RW);
	for (unsigned int b = 52; b <= 60; b++) {
		pth_wr(t.h, l2, PDE(l1, 1) | 1ull << b);
		cr_assert_eq(hwalk(&t, 0x10, PT_ACC_R), -PT_WALK_RSVD,
			     "PDE bit %u", b);
		cr_assert_eq(t.r.level, 1);
	}
	pth_wr(t.h, l2, PDE(l1, 1) | 0x1Eull | A | D | 3ull << 7 |
				 1ull << 63);
	cr_assert_eq(hwalk(&t, 0x10, PT_ACC_R), 0);
	pth_wr(t.h, l2, PDE(l1, 1));
	/* A model without the F field reserves it. */
	t.d.rsvd = 3ull << 57;
	pth_wr(t.h, l1, 0x9000 | PR | RW | 1ull << 58);
	cr_assert_eq(hwalk(&t, 0x10, PT_ACC_R), -PT_WALK_RSVD);
	t.d.rsvd = 0;
	/* A 40-bit output: address bit 45 is reserved in PTE and PDE. */
	t.d.oa_bits = 40;
	cr_assert_eq(hwalk(&t, 0x10, PT_ACC_R), 0);
	pth_wr(t.h, l1, (1ull << 45) | 0x9000 | PR | RW);
	cr_assert_eq(hwalk(&t, 0x10, PT_ACC_R), -PT_WALK_RSVD);
	pth_wr(t.h, l1, 0x9000 | PR | RW);
	pth_wr(t.h, l2, PDE(l1 | 1ull << 41, 1));
	cr_assert_eq(hwalk(&t, 0x10, PT_ACC_R), -PT_WALK_RSVD);
	cr_assert_eq(t.r.level, 1);
	pth_free(t.h);
}

/* 3.3 steps 1, 4, 9: IR / IW of the DTE and of every entry are ANDed and
 * checked at the leaf; v1 has no execute bit. */
Test(amdv1, permissions_and_dte_perm)
{
	struct hand t;
	uint64_t l2, l1;

	hand_init(&t, 3);
	l2 = pth_page(t.h, 4096);
	l1 = pth_page(t.h, 4096);
	pth_wr(t.h, t.root, PDE(l2, 2));
	pth_wr(t.h, l2, PDE(l1, 1));
	pth_wr(t.h, l1, 0x9000 | PR | IR);		 /* read-only */
	pth_wr(t.h, l1 + 8, 0xA000 | PR | IW);		 /* write-only */
	pth_wr(t.h, l1 + 16, 0xB000 | PR | RW);		 /* both */
	pth_wr(t.h, l1 + 24, 0xC000 | PR);		 /* none */
	cr_assert_eq(hwalk(&t, 0x0, PT_ACC_R), 0);
	cr_assert_eq(hwalk(&t, 0x0, PT_ACC_W), -PT_WALK_PERM);
	cr_assert_eq(t.r.perm & PT_PERM_W, 0);
	cr_assert_eq(t.r.perm & PT_PERM_R, PT_PERM_R);
	cr_assert_eq(hwalk(&t, 0x1000, PT_ACC_W), 0);
	cr_assert_eq(hwalk(&t, 0x1000, PT_ACC_R), -PT_WALK_PERM);
	cr_assert_eq(hwalk(&t, 0x2000, PT_ACC_R | PT_ACC_W), 0);
	cr_assert_eq(hwalk(&t, 0x3000, PT_ACC_R), -PT_WALK_PERM);
	cr_assert_eq(hwalk(&t, 0x3000, 0), 0); /* only a look */
	cr_assert_eq(hwalk(&t, 0x2000, PT_ACC_X | PT_ACC_PRIV), 0);
	/* DTE.IR only. */
	t.d.perm = PT_PERM_R | PT_PERM_X;
	cr_assert_eq(hwalk(&t, 0x2000, PT_ACC_R), 0);
	cr_assert_eq(hwalk(&t, 0x2000, PT_ACC_W), -PT_WALK_PERM);
	t.d.perm = 0;
	/* A PDE without IW takes write away below it. */
	pth_wr(t.h, l2, PDE(l1, 1) & ~IW);
	cr_assert_eq(hwalk(&t, 0x2000, PT_ACC_W), -PT_WALK_PERM);
	cr_assert_eq(t.r.level, 0);
	cr_assert_eq(hwalk(&t, 0x2000, PT_ACC_R), 0);
	pth_free(t.h);
}

/* 3.5 and the file's decision: NextLevel-7 sizes above the entry's own,
 * up to its table's span, are pages; any other size is RSVD. */
Test(amdv1, nextlevel7_sizes_strict)
{
	struct hand t;
	uint64_t l2, l1;

	hand_init(&t, 3);
	l2 = pth_page(t.h, 4096);
	l1 = pth_page(t.h, 4096);
	pth_wr(t.h, t.root, PDE(l2, 2));
	pth_wr(t.h, l2, PDE(l1, 1));
	/* T2b: 2 MiB in the AMD level-1 slots (the one read suffices). */
	pth_wr(t.h, l1 + 8 * 7, 0x60000000400FFE01ull);
	cr_assert_eq(hwalk(&t, 0x7123, PT_ACC_R), 0);
	cr_assert_eq(t.r.size_lg2, 21);
	cr_assert_eq(t.r.oa, 0x40007123);
	/* 4 MiB at AMD level 1: beyond its table. */
	pth_wr(t.h, l1 + 8 * 7, 0x60000000401FFE01ull);
	cr_assert_eq(hwalk(&t, 0x7123, PT_ACC_R), -PT_WALK_RSVD);
	cr_assert_eq(t.r.level, 0);
	/* A size code beyond 2^52: the whole address field is ones. */
	pth_wr(t.h, l1 + 8 * 7, 0x600FFFFFFFFFFE01ull);
	cr_assert_eq(hwalk(&t, 0x7123, PT_ACC_R), -PT_WALK_RSVD);
	/* T3 is a page at AMD level 2 ... */
	pth_wr(t.h, l2 + 8 * 2, 0x60000000401FFE01ull);
	cr_assert_eq(hwalk(&t, MB(4) + 0x123, PT_ACC_R), 0);
	cr_assert_eq(t.r.size_lg2, 22);
	cr_assert_eq(t.r.level, 1);
	cr_assert_eq(t.r.oa, 0x40000123);
	/* ... 8 KiB (T4's code) or 2 MiB there are not above its own. */
	pth_wr(t.h, l2 + 8 * 2, 0x6000000012344E01ull);
	cr_assert_eq(hwalk(&t, MB(4) + 0x123, PT_ACC_R), -PT_WALK_RSVD);
	pth_wr(t.h, l2 + 8 * 2, 0x60000000400FFE01ull);
	cr_assert_eq(hwalk(&t, MB(4) + 0x123, PT_ACC_R), -PT_WALK_RSVD);
	/* 1 GiB at AMD level 2 (its table's span) is taken. */
	pth_wr(t.h, l2 + 8 * 2, 0x600000001FFFFE01ull);
	cr_assert_eq(hwalk(&t, MB(4) + 0x123, PT_ACC_R), 0);
	cr_assert_eq(t.r.size_lg2, 30);
	cr_assert_eq(t.r.oa, MB(4) + 0x123);
	/* A 2^33 page with a 32-bit output: beyond the output width. */
	t.d.oa_bits = 32;
	pth_wr(t.h, t.root + 8, 0x60000000FFFFFE01ull);
	cr_assert_eq(hwalk(&t, GB(1), PT_ACC_R), -PT_WALK_RSVD);
	t.d.oa_bits = 52;
	cr_assert_eq(hwalk(&t, GB(1) + 5, PT_ACC_R), 0);
	cr_assert_eq(t.r.size_lg2, 33);
	cr_assert_eq(t.r.oa, GB(1) + 5);
	/* A leaf at the top of a 6-level walk (3.2). */
	t.d.levels = 6;
	pth_wr(t.h, t.root, 0x40000000 | PR | RW);
	cr_assert_eq(hwalk(&t, 0x1000, PT_ACC_R), -PT_WALK_RSVD);
	cr_assert_eq(t.r.level, 5);
	pth_wr(t.h, t.root, 0x60000000401FFE01ull);
	cr_assert_eq(hwalk(&t, 0x1000, PT_ACC_R), -PT_WALK_RSVD);
	pth_free(t.h);
}

/* Mode 6 indexes bits 63:57 at the top (3.2); Mode 7 / 0 are no walk. */
Test(amdv1, mode6_top_index_and_bad_desc)
{
	struct hand t;
	uint64_t l5;

	hand_init(&t, 6);
	l5 = pth_page(t.h, 4096);
	/* IOVA 0xF123456789ABC000: top index 0x78, AMD level 5 0x123. */
	pth_wr(t.h, t.root + 8 * 0x78, PDE(l5, 5));
	/* 2 MiB coded at AMD level 5: not above its own size. */
	pth_wr(t.h, l5 + 8 * 0x123, 0x60000000000FFE01ull);
	cr_assert_eq(hwalk(&t, 0xF123456789ABC000ull, PT_ACC_R), -PT_WALK_RSVD);
	cr_assert_eq(t.r.entry_pa, l5 + 8 * 0x123);
	cr_assert_eq(t.r.level, 4);
	/* A 2^49 page at 0 (NextLevel 7 at AMD level 5): bits 47:12 set. */
	pth_wr(t.h, l5 + 8 * 0x123, 0x6000FFFFFFFFFE01ull);
	cr_assert_eq(hwalk(&t, 0xF123456789ABC000ull, PT_ACC_R), 0);
	cr_assert_eq(t.r.size_lg2, 49);
	cr_assert_eq(t.r.level, 4);
	cr_assert_eq(t.r.oa, 0xF123456789ABC000ull & ((1ull << 49) - 1));
	t.d.levels = 7;
	cr_assert_eq(hwalk(&t, 0, PT_ACC_R), -PT_WALK_BAD_DESC);
	t.d.levels = 0;
	cr_assert_eq(hwalk(&t, 0, PT_ACC_R), -PT_WALK_BAD_DESC);
	t.d.levels = 3;
	t.d.top_bits = 7;
	cr_assert_eq(hwalk(&t, 0, PT_ACC_R), -PT_WALK_BAD_DESC);
	t.d.top_bits = 0;
	t.d.ia_bits = 40;
	cr_assert_eq(hwalk(&t, 0, PT_ACC_R), -PT_WALK_BAD_DESC);
	pth_free(t.h);
}

/* ---- access and dirty (3.3 step 10) -------------------------------------- */

/* PT_WALK_HA sets A in every PDE passed and in the PTE; PT_WALK_HD sets D
 * in the PTE on a write, and only in the slot the walk read. */
Test(amdv1, ha_hd_set_a_and_d)
{
	struct amd a;
	struct pt_walk_desc d;
	struct pt_walk_res r;
	uint64_t p3, p2, p1, k1;

	amd_init(&a, 3, 0);
	amd_map(&a, 0x1000, 0x9000, KB(4), IOMMU_READ | IOMMU_WRITE);
	amd_map(&a, 0x4000, 0x40000000, KB(8), IOMMU_READ | IOMMU_WRITE);
	p3 = slot(a.h, a.pt.root_pa, 3, 0x1000, 2);
	p2 = slot(a.h, a.pt.root_pa, 3, 0x1000, 1);
	p1 = slot(a.h, a.pt.root_pa, 3, 0x1000, 0);
	k1 = slot(a.h, a.pt.root_pa, 3, 0x4000, 0);
	d = amd_desc(a.pt.root_pa, 3);
	/* Without the flags nothing is written. */
	cr_assert_eq(pt_walk(&a.h->host, &d, 0x1000, PT_ACC_W, &r), 0);
	cr_assert_eq(pth_rd(a.h, p3) & (A | D), 0);
	cr_assert_eq(pth_rd(a.h, p1) & (A | D), 0);
	cr_assert(!r.dirty);
	d.flags = PT_WALK_HA | PT_WALK_HD;
	cr_assert_eq(pt_walk(&a.h->host, &d, 0x1000, PT_ACC_R, &r), 0);
	cr_assert_eq(pth_rd(a.h, p3) & (A | D), A);
	cr_assert_eq(pth_rd(a.h, p2) & (A | D), A);
	cr_assert_eq(pth_rd(a.h, p1) & (A | D), A);
	cr_assert(!r.dirty);
	cr_assert_eq(pt_walk(&a.h->host, &d, 0x1000, PT_ACC_W, &r), 0);
	cr_assert_eq(pth_rd(a.h, p1), 0x9000 | PR | RW | A | D);
	cr_assert_eq(pth_rd(a.h, p3) & D, 0); /* ignored in a PDE */
	cr_assert(r.dirty);
	cr_assert_eq(r.entry, pth_rd(a.h, p1));
	/* The second slot of the 8K page. */
	cr_assert_eq(pt_walk(&a.h->host, &d, 0x5000, PT_ACC_W, &r), 0);
	cr_assert_eq(pth_rd(a.h, k1) & (A | D), 0);
	cr_assert_eq(pth_rd(a.h, k1 + 8) & (A | D), A | D);
	/* Only D asked for: A stays clear. */
	d.flags = PT_WALK_HD;
	cr_assert_eq(pt_walk(&a.h->host, &d, 0x4000, PT_ACC_W, &r), 0);
	cr_assert_eq(pth_rd(a.h, k1) & (A | D), D);
	amd_fini(&a);
}

/* Dirty tracking: leaves start clean, a write walk dirties one slot of an
 * 8K page, read_and_clear reports both its 4K pages, NO_CLEAR leaves D,
 * a clear takes it out of every slot. */
Test(amdv1, dirty_tracking_8k_page)
{
	struct amd a;
	struct pt_walk_desc d;
	struct pt_walk_res r;
	uint64_t bits[4] = {0}, p;
	struct pt_dirty_bitmap bm = {bits, 0, 12, 256};

	amd_init(&a, 3, PT_FEAT_DIRTY);
	amd_map(&a, 0x1000, 0x9000, KB(4), IOMMU_READ | IOMMU_WRITE);
	amd_map(&a, 0x20000, 0x40000000, KB(8), IOMMU_READ | IOMMU_WRITE);
	cr_assert_eq(pt_set_dirty_tracking(&a.pt, true), 0);
	p = slot(a.h, a.pt.root_pa, 3, 0x20000, 0);
	cr_assert_eq(pth_rd(a.h, p) & D, 0);
	cr_assert_eq(pt_read_and_clear_dirty(&a.pt, 0, MB(1), &bm, 0), 0);
	cr_assert_eq(bits[0] | bits[1] | bits[2] | bits[3], 0);

	d = amd_desc(a.pt.root_pa, 3);
	d.flags = PT_WALK_HA | PT_WALK_HD;
	cr_assert_eq(pt_walk(&a.h->host, &d, 0x21010, PT_ACC_W, &r), 0);
	cr_assert(r.dirty);
	cr_assert_eq(pth_rd(a.h, p) & D, 0);
	cr_assert_eq(pth_rd(a.h, p + 8) & D, D);
	cr_assert_eq(pt_walk(&a.h->host, &d, 0x1000, PT_ACC_R, &r), 0);
	cr_assert(!r.dirty);

	cr_assert_eq(pt_read_and_clear_dirty(&a.pt, 0, MB(1), &bm,
					     PT_DIRTY_NO_CLEAR), 0);
	cr_assert_eq(bits[0], 0x3ull << 32, "%llx", U(bits[0]));
	cr_assert_eq(bits[1] | bits[2] | bits[3], 0);
	cr_assert_eq(pth_rd(a.h, p + 8) & D, D);
	memset(bits, 0, sizeof(bits));
	cr_assert_eq(pt_read_and_clear_dirty(&a.pt, 0, MB(1), &bm, 0), 0);
	cr_assert_eq(bits[0], 0x3ull << 32);
	cr_assert_eq(pth_rd(a.h, p) & D, 0);
	cr_assert_eq(pth_rd(a.h, p + 8) & D, 0);
	cr_assert_eq(pth_rd(a.h, p + 8) & A, A); /* A is not ours to clear */
	memset(bits, 0, sizeof(bits));
	cr_assert_eq(pt_read_and_clear_dirty(&a.pt, 0, MB(1), &bm, 0), 0);
	cr_assert_eq(bits[0] | bits[1] | bits[2] | bits[3], 0);

	/* Off: the entries stay as they are (there is no other form). */
	cr_assert_eq(pt_set_dirty_tracking(&a.pt, false), 0);
	cr_assert_eq(pth_rd(a.h, p), 0x40000000 | NL(7) | PR | RW);
	d.flags = 0;
	cr_assert_eq(pt_walk(&a.h->host, &d, 0x20000, PT_ACC_W, &r), 0);
	amd_fini(&a);
}

Test(amdv1, dirty_tracking_needs_the_feature)
{
	struct amd a;
	uint64_t bits[1] = {0};
	struct pt_dirty_bitmap bm = {bits, 0, 12, 64};

	amd_init(&a, 3, PT_FEAT_FC);
	cr_assert_eq(pt_set_dirty_tracking(&a.pt, true), -EOPNOTSUPP);
	cr_assert_eq(pt_read_and_clear_dirty(&a.pt, 0, MB(1), &bm, 0),
		     -EOPNOTSUPP);
	amd_fini(&a);
}

/*
 * Iteration past a NextLevel-7 page: the leaves after it are reported at
 * their own IOVA, and a dirty read of a range ending with the page leaves
 * the next one alone.  Fails while pt_algo.h's it_tbl() resumes one entry
 * behind after skipping a run (see the report); enable with the fix.
 */
struct seen {
	uint64_t iova[8];
	unsigned int lg2[8], n;
};

static int seen_leaf(void *ctx, const struct pt_visit *v)
{
	struct seen *s = ctx;

	if (!v->table && s->n < 8) {
		s->iova[s->n] = v->iova;
		s->lg2[s->n++] = v->lg2;
	}
	return 0;
}

Test(amdv1, iterate_after_a_run)
{
	struct amd a;
	struct pt_walk_desc d;
	struct pt_walk_res r;
	struct seen s = {0};
	uint64_t bits[1] = {0}, p;
	struct pt_dirty_bitmap bm = {bits, 0, 12, 64};

	amd_init(&a, 3, PT_FEAT_DIRTY);
	amd_map(&a, 0x2000, 0x40000000, KB(8), IOMMU_READ | IOMMU_WRITE);
	amd_map(&a, 0x4000, 0x40002000, KB(8), IOMMU_READ | IOMMU_WRITE);
	amd_map(&a, 0x6000, 0x9000, KB(4), IOMMU_READ | IOMMU_WRITE);
	cr_assert_eq(pt_iterate(&a.pt, 0, MB(1), false, seen_leaf, &s), 0);
	cr_assert_eq(s.n, 3);
	cr_assert_eq(s.iova[0], 0x2000);
	cr_assert_eq(s.iova[1], 0x4000, "%llx", U(s.iova[1]));
	cr_assert_eq(s.iova[2], 0x6000, "%llx", U(s.iova[2]));
	cr_assert_eq(s.lg2[2], 12);

	cr_assert_eq(pt_set_dirty_tracking(&a.pt, true), 0);
	d = amd_desc(a.pt.root_pa, 3);
	d.flags = PT_WALK_HD;
	cr_assert_eq(pt_walk(&a.h->host, &d, 0x2000, PT_ACC_W, &r), 0);
	cr_assert_eq(pt_walk(&a.h->host, &d, 0x4000, PT_ACC_W, &r), 0);
	p = slot(a.h, a.pt.root_pa, 3, 0x4000, 0);
	cr_assert_eq(pt_read_and_clear_dirty(&a.pt, 0x2000, KB(8), &bm, 0), 0);
	cr_assert_eq(bits[0], 0xCull, "%llx", U(bits[0]));
	cr_assert_eq(pth_rd(a.h, p) & D, D, "outside the range: cleared");
	amd_fini(&a);
}
