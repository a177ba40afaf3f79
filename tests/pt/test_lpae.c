// SPDX-License-Identifier: MIT
/*
 * test_lpae.c - the Arm VMSAv8-64 formats (lpae_s1, lpae_s2) against the
 * sheet (smmuv3.md 4, 11): the known-answer descriptors TV1 and TV6 as
 * pt_map writes them, the table offsets of TV2 and TV5, the geometry of
 * every granule, round trips with contiguous runs, the model walker's
 * reading and its faults in the order of 4.13, and dirty tracking with
 * DBM at both stages.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "pth.h"

#define U(x) ((unsigned long long)(x))
#define RW   (IOMMU_READ | IOMMU_WRITE)
#define S1   PT_FMT_LPAE_S1
#define S2   PT_FMT_LPAE_S2

#define KB(x) ((uint64_t)(x) << 10)
#define MB(x) ((uint64_t)(x) << 20)
#define GB(x) ((uint64_t)(x) << 30)
#define TB(x) ((uint64_t)(x) << 40)

/* Descriptor bits the tests look at (smmuv3 4.6..4.10). */
#define D_AF	(1ull << 10)
#define D_AP1	(1ull << 6)  /* stage 1 AP[1]; stage 2 S2AP[0] (read) */
#define D_AP2	(1ull << 7)  /* stage 1 AP[2]; stage 2 S2AP[1] (write) */
#define D_DBM	(1ull << 51)
#define D_CONT	(1ull << 52)
#define D_APT0	(1ull << 61)
#define D_APT1	(1ull << 62)
#define D_PXNT	(1ull << 59)
#define D_UXNT	(1ull << 60)

struct lt {
	struct pth *h;
	struct pt pt;
	struct pt_free_list fl;
	unsigned int g;
};

static void lt_init(struct lt *t, enum pt_fmt fmt, unsigned int g,
		    unsigned int ia, unsigned int oa, unsigned int feats)
{
	struct pt_cfg cfg = {.fmt = fmt, .granule_lg2 = g, .ia_bits = ia,
			     .oa_bits = oa, .features = feats};
	int ret;

	memset(t, 0, sizeof(*t));
	t->h = pth_new();
	cr_assert_not_null(t->h);
	ret = pt_init(&t->pt, &t->h->host, &cfg);
	cr_assert_eq(ret, 0, "pt_init(fmt %d, g %u, ia %u, oa %u): %d", fmt,
		     g, ia, oa, ret);
	t->g = t->pt.cfg.granule_lg2;
}

static void lt_fini(struct lt *t)
{
	pt_free_pages(&t->h->host, &t->fl);
	pt_free_list_fini(&t->fl);
	pt_destroy(&t->pt);
	cr_assert_eq(t->h->live_pages, 0, "%llu table pages leaked",
		     U(t->h->live_pages));
	cr_assert_eq(t->h->bad_free, 0, "%d bad frees", t->h->bad_free);
	pth_free(t->h);
}

/* The model's view of the table: levels from the STE/CD, top table
 * derived from the input size (4.2, 4.4). */
static struct pt_walk_desc lt_desc(const struct lt *t)
{
	struct pt_walk_desc d = {
		.fmt = t->pt.cfg.fmt,
		.root = t->pt.root_pa,
		.granule_lg2 = (uint8_t)t->g,
		.levels = (uint8_t)t->pt.cfg.levels,
		.ia_bits = (uint8_t)t->pt.cfg.ia_bits,
		.oa_bits = (uint8_t)t->pt.cfg.oa_bits,
	};

	return d;
}

static void lt_map(struct lt *t, uint64_t iova, uint64_t pa, uint64_t len,
		   unsigned int prot)
{
	uint64_t mapped = 0;
	int ret = pt_map(&t->pt, iova, pa, len, prot, &mapped, &t->fl);

	cr_assert_eq(ret, 0, "map %llx -> %llx len %llx: %d", U(iova), U(pa),
		     U(len), ret);
	cr_assert_eq(mapped, len);
}

/* The test's own reading of an address field (smmuv3 4.11). */
static uint64_t addr_of(unsigned int g, uint64_t e)
{
	uint64_t a = e & (((1ull << 48) - 1) & ~((1ull << g) - 1));

	if (g == 16)
		a |= ((e >> 12) & 0xF) << 48;
	return a;
}

/* The table the descriptor at @epa points to; it must be exactly a table
 * descriptor: address | 0b11 (smmuv3 4.7, 4.14). */
static uint64_t next_tbl(struct lt *t, uint64_t epa)
{
	uint64_t e = pth_rd(t->h, epa);
	uint64_t a = addr_of(t->g, e);

	cr_assert_eq(e & 3, 3, "entry at %llx: %llx is not a table", U(epa),
		     U(e));
	cr_assert_eq(e, a | 3, "table descriptor %llx has other bits", U(e));
	cr_assert_eq(a & ((1ull << t->g) - 1), 0);
	return a;
}

/* PA of the entry for @iova at our level @lvl, found by hand. */
static uint64_t ent_pa(struct lt *t, uint64_t iova, unsigned int lvl)
{
	const unsigned int g = t->g, s = g - 3;
	uint64_t tbl = t->pt.root_pa;

	for (unsigned int l = t->pt.cfg.levels - 1;; l--) {
		unsigned int bits = l == t->pt.cfg.levels - 1 ? t->pt.top_bits
							      : s;
		uint64_t idx = (iova >> (g + s * l)) & ((1ull << bits) - 1);

		if (l == lvl)
			return tbl + 8 * idx;
		tbl = next_tbl(t, tbl + 8 * idx);
	}
}

/* ---- known answers ------------------------------------------------------- */

/* One 4K page at 0x8_1234_5000 mapped with @prot; its descriptor. */
static uint64_t tv1_entry(enum pt_fmt fmt, unsigned int feats,
			  unsigned int prot)
{
	struct lt t;
	uint64_t e;

	lt_init(&t, fmt, 12, 48, 48, feats);
	lt_map(&t, 0x7000, 0x812345000ull, KB(4), prot);
	e = pth_rd(t.h, ent_pa(&t, 0x7000, 0));
	lt_fini(&t);
	return e;
}

/* smmuv3 11 TV1 and its variants; 4.8, 4.9, 4.12, 4.14. */
Test(lpae, tv1_stage1_page_and_variants)
{
	cr_assert_eq(tv1_entry(S1, PT_FEAT_NG, RW), 0x0000000812345F47ull);
	/* privileged-only read/write (AP 0b00), global */
	cr_assert_eq(tv1_entry(S1, 0, RW | PT_PROT_PRIV),
		     0x0000000812345707ull);
	/* read-only (AP 0b11) */
	cr_assert_eq(tv1_entry(S1, PT_FEAT_NG, IOMMU_READ),
		     0x0000000812345FC7ull);
	/* IOMMU_NOEXEC: PXN | UXN (bits 53, 54) */
	cr_assert_eq(tv1_entry(S1, PT_FEAT_NG, RW | PT_PROT_NOEXEC),
		     0x0060000812345F47ull);
	/* 4.12, 4.14: AttrIndx 0 (NC) / 2 (device), outer-shareable */
	cr_assert_eq(tv1_entry(S1, PT_FEAT_NG, RW | PT_PROT_NC),
		     0x0000000812345E43ull);
	cr_assert_eq(tv1_entry(S1, PT_FEAT_NG, RW | IOMMU_MMIO),
		     0x0000000812345E4Bull);
	/* a write-only request is read/write at stage 1 (no encoding) */
	cr_assert_eq(tv1_entry(S1, PT_FEAT_NG, IOMMU_WRITE),
		     0x0000000812345F47ull);
}

/* smmuv3 11 TV1, last line (stage 2); 4.10, 4.14, 10 item 13. */
Test(lpae, tv1_stage2_page_and_variants)
{
	cr_assert_eq(tv1_entry(S2, 0, RW), 0x00000008123457FFull);
	/* S2AP 0b01 read-only, 0b10 write-only */
	cr_assert_eq(tv1_entry(S2, 0, IOMMU_READ), 0x000000081234577Full);
	cr_assert_eq(tv1_entry(S2, 0, IOMMU_WRITE), 0x00000008123457BFull);
	/* XN: bit 54 only (bit 53 is RES0 without XNX) */
	cr_assert_eq(tv1_entry(S2, 0, RW | PT_PROT_NOEXEC),
		     0x00400008123457FFull);
	/* MemAttr 0x5 (NC) / 0x1 (device), outer-shareable */
	cr_assert_eq(tv1_entry(S2, 0, RW | PT_PROT_NC), 0x00000008123456D7ull);
	cr_assert_eq(tv1_entry(S2, 0, RW | IOMMU_MMIO),
		     0x00000008123456C7ull);
	/* PT_PROT_PRIV has no stage-2 meaning */
	cr_assert_eq(tv1_entry(S2, 0, RW | PT_PROT_PRIV),
		     0x00000008123457FFull);
}

/* Block descriptors: type 0b01, address at the block's alignment (4.6,
 * 4.11). */
Test(lpae, block_descriptors)
{
	struct lt t;

	lt_init(&t, S1, 12, 48, 48, PT_FEAT_NG);
	lt_map(&t, GB(1), GB(3), GB(1), RW);
	lt_map(&t, GB(2), GB(5), MB(2), IOMMU_READ);
	cr_assert_eq(pth_rd(t.h, ent_pa(&t, GB(1), 2)), GB(3) | 0xF45);
	cr_assert_eq(pth_rd(t.h, ent_pa(&t, GB(2), 1)), GB(5) | 0xFC5);
	lt_fini(&t);

	lt_init(&t, S2, 16, 48, 48, 0);
	lt_map(&t, MB(512), GB(7) + MB(512), MB(512), RW);
	cr_assert_eq(pth_rd(t.h, ent_pa(&t, MB(512), 1)),
		     (GB(7) + MB(512)) | 0x7FD);
	lt_fini(&t);
}

/* Follow TV2's offsets from the root down; the walker ends at the last. */
static void tv2_check(enum pt_fmt fmt, unsigned int g, unsigned int ia,
		      const uint64_t *offs, unsigned int n)
{
	const uint64_t iova = 0x00007FABCDEF0000ull;
	struct pt_walk_desc d;
	struct pt_walk_res r;
	struct lt t;
	uint64_t tbl;

	lt_init(&t, fmt, g, ia, 48, 0);
	cr_assert_eq(t.pt.cfg.levels, n);
	lt_map(&t, iova, GB(1), 1ull << g, RW);
	tbl = t.pt.root_pa;
	for (unsigned int i = 0; i + 1 < n; i++)
		tbl = next_tbl(&t, tbl + offs[i]);
	cr_assert_eq(pth_rd(t.h, tbl + offs[n - 1]) & ~0xFFFull, GB(1));
	d = lt_desc(&t);
	cr_assert_eq(pt_walk(&t.h->host, &d, iova + 0x88, PT_ACC_R, &r), 0);
	cr_assert_eq(r.entry_pa, tbl + offs[n - 1]);
	cr_assert_eq(r.oa, GB(1) + 0x88);
	cr_assert_eq(r.level, 0);
	lt_fini(&t);
}

/* smmuv3 11 TV2 (4.1, 4.2): table offsets at each level. */
Test(lpae, tv2_walk_indices)
{
	static const uint64_t k4[] = {0x7F8, 0x578, 0x378, 0x780};
	static const uint64_t k64[] = {0x1F * 8, 0x1D5E * 8, 0xDEF * 8};
	static const uint64_t k16[] = {0x7FA * 8, 0x5E6 * 8, 0x7BC * 8};

	tv2_check(S1, 12, 48, k4, 4); /* 4K, T0SZ 16: start L0 */
	tv2_check(S1, 16, 48, k64, 3); /* 64K, T0SZ 16: start L1 */
	tv2_check(S1, 14, 47, k16, 3); /* 16K, T0SZ 17: start L1 */
}

/* smmuv3 11 TV2, last case (4.2): 4K, T0SZ 32, a 4-entry level-1 table at
 * a 32-byte (not page) aligned address, tables written by hand; and the
 * same offsets in what pt_map builds for that input size. */
Test(lpae, tv2_small_top_table)
{
	struct pth *h = pth_new();
	struct pt_walk_desc d = {.fmt = S1, .granule_lg2 = 12, .levels = 3,
				 .ia_bits = 32, .oa_bits = 40};
	struct pt_walk_res r;
	uint64_t root, l2, l3;
	struct lt t;

	cr_assert_not_null(h);
	root = pth_page(h, KB(4)) + 0x20;
	l2 = pth_page(h, KB(4));
	l3 = pth_page(h, KB(4));
	pth_wr(h, root + 2 * 8, l2 | 3);
	pth_wr(h, l2 + 0 * 8, l3 | 3);
	pth_wr(h, l3 + 1 * 8, 0x12345000ull | D_AF | D_AP1 | 3);
	d.root = root;
	cr_assert_eq(pt_walk(&h->host, &d, 0x80001234ull, PT_ACC_R, &r), 0);
	cr_assert_eq(r.entry_pa, l3 + 8);
	cr_assert_eq(r.oa, 0x12345234ull);
	/* top_bits given instead of the input size: the same walk */
	d.ia_bits = 0;
	d.top_bits = 2;
	cr_assert_eq(pt_walk(&h->host, &d, 0x80001234ull, PT_ACC_R, &r), 0);
	cr_assert_eq(r.entry_pa, l3 + 8);
	/* IA[31:30] only: bit 32 is beyond the input size (4.3) */
	cr_assert_eq(pt_walk(&h->host, &d, 0x180001234ull, PT_ACC_R, &r),
		     -PT_WALK_RANGE);
	pth_free(h);

	lt_init(&t, S1, 12, 32, 40, 0);
	cr_assert_eq(t.pt.cfg.levels, 3);
	cr_assert_eq(t.pt.top_bits, 2);
	lt_map(&t, 0x80001000ull, 0x12345000ull, KB(4), RW);
	l2 = next_tbl(&t, t.pt.root_pa + 0x10);
	l3 = next_tbl(&t, l2);
	cr_assert_eq(pth_rd(t.h, l3 + 8) & ~0xFFFull, 0x12345000ull);
	lt_fini(&t);
}

/* smmuv3 11 TV5 (4.4, 4.14): stage 2, IAS 40, 4K: two concatenated
 * level-1 tables; IPA 0x80_4020_1234 is table 1, entry 1, then 1 and 1. */
Test(lpae, tv5_stage2_concatenation)
{
	const uint64_t ipa = 0x8040201234ull;
	struct pt_walk_desc d;
	struct pt_walk_res r;
	uint64_t l2, l3, live;
	struct lt t;

	lt_init(&t, S2, 12, 40, 48, 0);
	cr_assert_eq(t.pt.cfg.levels, 3);
	cr_assert_eq(t.pt.top_bits, 10);
	cr_assert_eq(t.pt.root_pa & (KB(8) - 1), 0, "8 KiB-aligned");
	cr_assert_eq(t.h->live_pages, 2, "an 8 KiB top");
	live = t.h->live_pages;
	lt_map(&t, ipa & ~0xFFFull, 0x55555000ull, KB(4), RW);
	cr_assert_eq(t.h->live_pages, live + 2);
	/* table 1 (at +4 KiB), entry 1 */
	l2 = next_tbl(&t, t.pt.root_pa + 0x1000 + 8);
	l3 = next_tbl(&t, l2 + 8);
	cr_assert_eq(pth_rd(t.h, l3 + 8), 0x55555000ull | 0x7FF);
	d = lt_desc(&t);
	cr_assert_eq(pt_walk(&t.h->host, &d, ipa, PT_ACC_W, &r), 0);
	cr_assert_eq(r.entry_pa, l3 + 8);
	cr_assert_eq(r.oa, 0x55555234ull);
	/* S2SL0 / S2T0SZ as the model gives them: levels 3, top 10 bits */
	d.ia_bits = 0;
	d.top_bits = 10;
	cr_assert_eq(pt_walk(&t.h->host, &d, ipa, PT_ACC_R, &r), 0);
	cr_assert_eq(r.entry_pa, l3 + 8);
	/* the same description is no stage-1 table (no concatenation) */
	d.fmt = S1;
	cr_assert_eq(pt_walk(&t.h->host, &d, ipa, PT_ACC_R, &r),
		     -PT_WALK_BAD_DESC);
	lt_fini(&t);
}

/* smmuv3 11 TV6 (4.11): 64K granule, 52-bit PA: PA[51:48] in bits 15:12
 * of the page descriptor and of what the walker returns. */
Test(lpae, tv6_64k_52bit_page)
{
	const uint64_t pa = 0x000F000012340000ull;
	struct pt_walk_desc d;
	struct pt_walk_res r;
	uint64_t phys = 0;
	struct lt t;

	lt_init(&t, S1, 16, 48, 52, PT_FEAT_NG);
	lt_map(&t, KB(64), pa, KB(64), RW);
	cr_assert_eq(pth_rd(t.h, ent_pa(&t, KB(64), 0)),
		     0x000000001234FF47ull);
	cr_assert_eq(pt_iova_to_phys(&t.pt, KB(64) + 0x1234, &phys), 0);
	cr_assert_eq(phys, pa + 0x1234);
	d = lt_desc(&t);
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(64) + 0x1234, PT_ACC_R, &r),
		     0);
	cr_assert_eq(r.oa, pa + 0x1234);
	cr_assert_eq(r.entry, 0x000000001234FF47ull);
	/* the same descriptor under a 48-bit output size (4.11, 4.13 step 5) */
	d.oa_bits = 48;
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(64), PT_ACC_R, &r),
		     -PT_WALK_ADDR_SIZE);
	cr_assert_eq(r.level, 0);
	/* a 4K or 16K table cannot hold it; 64K at 48 bits cannot either */
	cr_assert_eq(pt_unmap(&t.pt, KB(64), KB(64), &t.fl, NULL), KB(64));
	lt_fini(&t);
	lt_init(&t, S2, 16, 48, 48, 0);
	phys = 0;
	cr_assert_eq(pt_map(&t.pt, 0, pa, KB(64), RW, &phys, &t.fl), -ERANGE);
	lt_fini(&t);
}

/* Every table descriptor from the root to the page is NLTA | 0b11 and
 * points at a table page the engine allocated. */
static void table_chain(enum pt_fmt fmt, unsigned int g, unsigned int feats)
{
	const uint64_t iova = 1ull << 40;
	struct lt t;

	lt_init(&t, fmt, g, 48, 48, feats);
	lt_map(&t, iova, GB(1), 1ull << g, RW);
	for (unsigned int l = t.pt.cfg.levels - 1; l > 0; l--) {
		uint64_t a = next_tbl(&t, ent_pa(&t, iova, l));

		cr_assert(t.h->used[a >> 12], "%llx is no table page", U(a));
	}
	lt_fini(&t);
}

/* Table descriptors are NLTA | 0b11 at every granule and stage (4.7,
 * 4.14); on the walker side the 64K granule's bits 15:12 are NLTA[51:48]
 * (4.11), so beyond a 48-bit output they are an address-size fault. */
Test(lpae, table_descriptor_bits)
{
	static const unsigned int gs[] = {12, 14, 16};
	struct pt_walk_desc d;
	struct pt_walk_res r;
	uint64_t root, tbl;
	struct pth *h;

	for (unsigned int i = 0; i < 3; i++) {
		table_chain(S1, gs[i], PT_FEAT_NG);
		table_chain(S2, gs[i], 0);
	}

	h = pth_new();
	cr_assert_not_null(h);
	root = pth_page(h, KB(64));
	tbl = pth_page(h, KB(64));
	pth_wr(h, root, tbl | (1ull << 12) | 3); /* NLTA = 2^48 + tbl */
	pth_wr(h, tbl, 0x40000000ull | D_AF | D_AP1 | 3);
	d = (struct pt_walk_desc){.fmt = S1, .root = root, .granule_lg2 = 16,
				  .levels = 2, .ia_bits = 42, .oa_bits = 48};
	cr_assert_eq(pt_walk(&h->host, &d, 0, PT_ACC_R, &r),
		     -PT_WALK_ADDR_SIZE);
	cr_assert_eq(r.level, 1);
	d.oa_bits = 52; /* a real table at 2^48 + tbl: outside RAM */
	cr_assert_eq(pt_walk(&h->host, &d, 0, PT_ACC_R, &r), -PT_WALK_FETCH);
	cr_assert_eq(r.level, 0);
	cr_assert_eq(r.entry_pa, (1ull << 48) + tbl);
	pth_wr(h, root, tbl | 3);
	cr_assert_eq(pt_walk(&h->host, &d, 0x1234, PT_ACC_R, &r), 0);
	cr_assert_eq(r.oa, 0x40001234ull);
	pth_free(h);
}

/* ---- geometry ------------------------------------------------------------ */

static uint64_t sizes(enum pt_fmt fmt, unsigned int g, unsigned int ia,
		      unsigned int oa, unsigned int feats)
{
	struct pt_cfg cfg = {.fmt = fmt, .granule_lg2 = g, .ia_bits = ia,
			     .oa_bits = oa, .features = feats};

	return pt_pgsizes(&cfg);
}

/* Leaf sizes per granule and level, contiguous runs (4.5). */
Test(lpae, geometry_leaf_sizes)
{
	const unsigned int C = PT_FEAT_CONTIG;

	cr_assert_eq(sizes(S1, 12, 48, 48, 0), KB(4) | MB(2) | GB(1));
	cr_assert_eq(sizes(S1, 0, 48, 48, 0), KB(4) | MB(2) | GB(1));
	cr_assert_eq(sizes(S1, 12, 48, 48, C), KB(4) | KB(64) | MB(2) |
						       MB(32) | GB(1) | GB(16));
	/* a 2-entry level-1 table cannot hold a 16-entry run */
	cr_assert_eq(sizes(S1, 12, 31, 48, C),
		     KB(4) | KB(64) | MB(2) | MB(32) | GB(1));
	/* start level 2: no 1G blocks */
	cr_assert_eq(sizes(S1, 12, 30, 48, C), KB(4) | KB(64) | MB(2) | MB(32));
	cr_assert_eq(sizes(S1, 12, 25, 48, C), KB(4) | KB(64) | MB(2) | MB(32));
	cr_assert_eq(sizes(S1, 14, 48, 48, 0), KB(16) | MB(32));
	cr_assert_eq(sizes(S1, 14, 48, 48, C),
		     KB(16) | MB(2) | MB(32) | GB(1));
	cr_assert_eq(sizes(S1, 14, 25, 48, C), KB(16) | MB(2));
	cr_assert_eq(sizes(S1, 16, 48, 48, 0), KB(64) | MB(512));
	cr_assert_eq(sizes(S1, 16, 48, 48, C),
		     KB(64) | MB(2) | MB(512) | GB(16));
	cr_assert_eq(sizes(S1, 16, 48, 52, 0), KB(64) | MB(512) | TB(4));
	cr_assert_eq(sizes(S2, 16, 48, 52, C),
		     KB(64) | MB(2) | MB(512) | GB(16) | TB(4));
	cr_assert_eq(sizes(S1, 16, 30, 48, C), KB(64) | MB(2) | MB(512));
	cr_assert_eq(sizes(S2, 12, 40, 48, C), KB(4) | KB(64) | MB(2) |
						       MB(32) | GB(1) | GB(16));
}

/* Configurations refused (4.2, 4.5, 4.11; features per stage). */
Test(lpae, geometry_refusals)
{
	cr_assert_eq(sizes(S1, 12, 24, 48, 0), 0);
	cr_assert_eq(sizes(S1, 12, 49, 48, 0), 0);
	cr_assert_eq(sizes(S1, 12, 0, 48, 0), 0);
	cr_assert_eq(sizes(S1, 13, 48, 48, 0), 0);
	cr_assert_eq(sizes(S1, 15, 48, 48, 0), 0);
	cr_assert_eq(sizes(S1, 12, 48, 52, 0), 0);
	cr_assert_eq(sizes(S2, 14, 48, 52, 0), 0);
	cr_assert_eq(sizes(S1, 16, 48, 50, 0), 0);
	cr_assert_eq(sizes(S1, 12, 48, 48, PT_FEAT_SNOOP), 0);
	cr_assert_eq(sizes(S1, 12, 48, 48, PT_FEAT_FC), 0);
	cr_assert_eq(sizes(S2, 12, 48, 48, PT_FEAT_NG), 0);
	cr_assert_neq(sizes(S1, 12, 48, 48, PT_FEAT_NG | PT_FEAT_DIRTY), 0);
	cr_assert_neq(sizes(S2, 12, 48, 48, PT_FEAT_CONTIG | PT_FEAT_DIRTY),
		      0);
	{
		struct pt_cfg cfg = {.fmt = S1, .granule_lg2 = 12, .levels = 3,
				     .ia_bits = 48, .oa_bits = 48};

		cr_assert_eq(pt_pgsizes(&cfg), 0, "levels disagree with ia");
		cfg.levels = 4;
		cr_assert_neq(pt_pgsizes(&cfg), 0);
	}
}

struct shape {
	enum pt_fmt fmt;
	unsigned int g, ia, levels, top;
};

/* Levels and top tables (4.2, 4.4, 4.14): concatenation at stage 2 only,
 * instead of a start at level 0 with 16 entries or fewer. */
Test(lpae, geometry_levels_and_concatenation)
{
	static const struct shape sh[] = {
		{S1, 12, 48, 4, 9},  {S1, 12, 40, 4, 1},  {S1, 12, 39, 3, 9},
		{S1, 12, 31, 3, 1},  {S1, 12, 30, 2, 9},  {S1, 12, 25, 2, 4},
		{S1, 14, 48, 4, 1},  {S1, 14, 47, 3, 11}, {S1, 14, 36, 2, 11},
		{S1, 14, 25, 1, 11}, {S1, 16, 48, 3, 6},  {S1, 16, 42, 2, 13},
		{S1, 16, 29, 1, 13}, {S1, 16, 25, 1, 9},
		{S2, 12, 48, 4, 9},  {S2, 12, 44, 4, 5},  {S2, 12, 43, 3, 13},
		{S2, 12, 40, 3, 10}, {S2, 12, 39, 3, 9},  {S2, 14, 48, 3, 12},
		{S2, 14, 47, 3, 11}, {S2, 16, 48, 3, 6},
	};

	for (unsigned int i = 0; i < sizeof(sh) / sizeof(sh[0]); i++) {
		struct lt t;
		uint64_t top_bytes = 8ull << sh[i].top;

		lt_init(&t, sh[i].fmt, sh[i].g, sh[i].ia, 48, 0);
		cr_assert_eq(t.pt.cfg.levels, sh[i].levels, "case %u", i);
		cr_assert_eq(t.pt.top_bits, sh[i].top, "case %u", i);
		if (top_bytes < KB(4))
			top_bytes = KB(4);
		cr_assert_eq(t.h->live_pages, top_bytes >> 12, "case %u", i);
		cr_assert_eq(t.pt.root_pa & (top_bytes - 1), 0);
		lt_fini(&t);
	}
}

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

/* ---- the walker on what the driver wrote --------------------------------- */

/* Level of a leaf of 2^@b at granule @g. */
static unsigned int lvl_of(unsigned int g, unsigned int b)
{
	return (b - g) / (g - 3);
}

/* Every leaf size of every granule and stage, read-only next to
 * read/write: the walker's address, size, level, permissions. */
Test(lpae, walker_reads_driver_every_size)
{
	static const unsigned int gs[] = {12, 14, 16};

	for (unsigned int i = 0; i < 3; i++) {
		for (int s2 = 0; s2 < 2; s2++) {
			const unsigned int g = gs[i];
			struct pt_walk_desc d;
			struct pt_walk_res r;
			uint64_t szs;
			struct lt t;

			lt_init(&t, s2 ? S2 : S1, g, 48, g == 16 ? 52 : 48,
				PT_FEAT_CONTIG);
			d = lt_desc(&t);
			szs = t.pt.pgsizes;
			for (unsigned int b = g; b < 48; b++) {
				const uint64_t sz = 1ull << b;
				const uint64_t iova = 2 * sz, pa = 6 * sz;
				const uint64_t at = iova + sz / 2 + 0x28;
				uint32_t want;

				if (!(szs & sz))
					continue;
				lt_map(&t, iova, pa, sz, RW);
				lt_map(&t, iova + sz, pa + sz, sz, IOMMU_READ);
				cr_assert_eq(pt_walk(&t.h->host, &d, at,
						     PT_ACC_R, &r),
					     0, "g %u s2 %d size %u: %d", g, s2,
					     b, r.err);
				cr_assert_eq(r.oa, pa + (at - iova));
				cr_assert_eq(r.size_lg2, b);
				cr_assert_eq(r.level, (int)lvl_of(g, b));
				cr_assert_eq(r.entry, pth_rd(t.h, r.entry_pa));
				cr_assert(!(r.entry & D_DBM));
				/* 4.9: AP 0b01 is never privileged-exec. */
				want = s2 ? PT_PERM_ALL
					  : PT_PERM_R | PT_PERM_W | PT_PERM_UX;
				cr_assert_eq(r.perm, want, "perm %x", r.perm);
				cr_assert(r.dirty);
				cr_assert_eq(pt_walk(&t.h->host, &d, at + sz,
						     PT_ACC_W, &r),
					     -PT_WALK_PERM);
				cr_assert_eq(r.level, (int)lvl_of(g, b));
				cr_assert(!r.dirty);
				cr_assert_eq(pt_walk(&t.h->host, &d, at + sz,
						     PT_ACC_R, &r),
					     0);
				cr_assert_eq(r.oa, pa + sz + (at - iova));
				cr_assert_eq(pt_unmap(&t.pt, iova, 2 * sz,
						      &t.fl, NULL),
					     2 * sz);
				cr_assert_eq(pt_walk(&t.h->host, &d, at,
						     PT_ACC_R, &r),
					     -PT_WALK_NOT_PRESENT);
			}
			lt_fini(&t);
		}
	}
}

/* Leaf permissions (smmuv3 4.9 stage 1, 4.10 stage 2). */
Test(lpae, walker_leaf_permissions)
{
	static const struct {
		enum pt_fmt fmt;
		unsigned int prot;
		uint32_t perm;
	} c[] = {
		{S1, RW, PT_PERM_R | PT_PERM_W | PT_PERM_UX},
		{S1, RW | PT_PROT_PRIV,
		 PT_PERM_PR | PT_PERM_PW | PT_PERM_X},
		{S1, IOMMU_READ, PT_PERM_R | PT_PERM_X},
		{S1, IOMMU_READ | PT_PROT_PRIV, PT_PERM_PR | PT_PERM_X},
		{S1, RW | PT_PROT_NOEXEC, PT_PERM_R | PT_PERM_W},
		{S1, IOMMU_READ | PT_PROT_NOEXEC, PT_PERM_R},
		{S2, RW, PT_PERM_ALL},
		{S2, IOMMU_READ, PT_PERM_R | PT_PERM_X},
		{S2, IOMMU_WRITE, PT_PERM_W | PT_PERM_X},
		{S2, RW | PT_PROT_NOEXEC, PT_PERM_R | PT_PERM_W},
	};

	for (unsigned int i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct pt_walk_desc d;
		struct pt_walk_res r;
		struct lt t;
		uint32_t need[] = {PT_ACC_R, PT_ACC_W, PT_ACC_X,
				   PT_ACC_R | PT_ACC_PRIV,
				   PT_ACC_W | PT_ACC_PRIV,
				   PT_ACC_X | PT_ACC_PRIV};
		uint32_t bit[] = {PT_PERM_UR, PT_PERM_UW, PT_PERM_UX,
				  PT_PERM_PR, PT_PERM_PW, PT_PERM_PX};

		lt_init(&t, c[i].fmt, 12, 39, 48, 0);
		lt_map(&t, MB(4), MB(8), KB(4), c[i].prot);
		d = lt_desc(&t);
		cr_assert_eq(pt_walk(&t.h->host, &d, MB(4), 0, &r), 0);
		cr_assert_eq(r.perm, c[i].perm, "case %u: %x", i, r.perm);
		for (unsigned int k = 0; k < 6; k++) {
			int want = c[i].perm & bit[k] ? 0 : -PT_WALK_PERM;

			cr_assert_eq(pt_walk(&t.h->host, &d, MB(4), need[k],
					     &r),
				     want, "case %u access %x", i, need[k]);
		}
		/* PT_WALK_NO_PERM reports without failing */
		d.flags = PT_WALK_NO_PERM;
		cr_assert_eq(pt_walk(&t.h->host, &d, MB(4),
				     PT_ACC_W | PT_ACC_X, &r),
			     0);
		cr_assert_eq(r.perm, c[i].perm);
		lt_fini(&t);
	}
}

/* smmuv3 4.13 step 7: AF = 0 faults unless HA (which sets it) or AFFD. */
Test(lpae, walker_access_flag)
{
	for (int s2 = 0; s2 < 2; s2++) {
		struct pt_walk_desc d;
		struct pt_walk_res r;
		uint64_t epa, e;
		struct lt t;

		lt_init(&t, s2 ? S2 : S1, 14, 40, 48, 0);
		lt_map(&t, MB(32), MB(64), MB(32), RW);
		epa = ent_pa(&t, MB(32), 1);
		e = pth_rd(t.h, epa);
		cr_assert(e & D_AF);
		pth_wr(t.h, epa, e & ~D_AF);
		d = lt_desc(&t);
		cr_assert_eq(pt_walk(&t.h->host, &d, MB(33), PT_ACC_R, &r),
			     -PT_WALK_ACCESS);
		cr_assert_eq(r.level, 1);
		cr_assert_eq(r.entry_pa, epa);
		/* a look without an access does not fault */
		cr_assert_eq(pt_walk(&t.h->host, &d, MB(33), 0, &r), 0);
		/* the access flag is checked before the permission */
		pth_wr(t.h, epa, (e & ~D_AF) & ~D_AP2 & ~D_AP1);
		cr_assert_eq(pt_walk(&t.h->host, &d, MB(33), PT_ACC_W, &r),
			     -PT_WALK_ACCESS);
		pth_wr(t.h, epa, e & ~D_AF);
		d.flags = PT_WALK_AFFD;
		cr_assert_eq(pt_walk(&t.h->host, &d, MB(33), PT_ACC_R, &r), 0);
		cr_assert_eq(pth_rd(t.h, epa), e & ~D_AF);
		d.flags = PT_WALK_HA;
		cr_assert_eq(pt_walk(&t.h->host, &d, MB(33), PT_ACC_R, &r), 0);
		cr_assert_eq(pth_rd(t.h, epa), e);
		cr_assert_eq(r.entry, e);
		cr_assert_eq(r.oa, MB(65));
		lt_fini(&t);
	}
}

/* smmuv3 4.6, 4.5: 0b01 where a level cannot hold a block is reserved;
 * pt_walk_desc.rsvd and .leaf_levels add reserved encodings. */
Test(lpae, walker_reserved_encodings)
{
	struct pt_walk_desc d;
	struct pt_walk_res r;
	uint64_t epa, e, root, l1;
	struct pth *h;
	struct lt t;

	/* 0b01 at level 0 (Arm level 3) */
	lt_init(&t, S1, 12, 48, 48, 0);
	lt_map(&t, KB(8), MB(1), KB(4), RW);
	epa = ent_pa(&t, KB(8), 0);
	e = pth_rd(t.h, epa);
	d = lt_desc(&t);
	pth_wr(t.h, epa, e & ~2ull);
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(8), PT_ACC_R, &r),
		     -PT_WALK_RSVD);
	cr_assert_eq(r.level, 0);
	/* bit 0 clear: invalid, whatever else is set (software bits) */
	pth_wr(t.h, epa, e & ~1ull);
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(8), PT_ACC_R, &r),
		     -PT_WALK_NOT_PRESENT);
	pth_wr(t.h, epa, e | (1ull << 58));
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(8), PT_ACC_R, &r), 0);
	d.rsvd = 1ull << 58;
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(8), PT_ACC_R, &r),
		     -PT_WALK_RSVD);
	pth_wr(t.h, epa, e);
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(8), PT_ACC_R, &r), 0);
	d.rsvd = 0;
	/* 0b01 at Arm level 0 (our 3) with the 4K granule */
	epa = ent_pa(&t, KB(8), 3);
	e = pth_rd(t.h, epa);
	pth_wr(t.h, epa, e & ~2ull);
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(8), PT_ACC_R, &r),
		     -PT_WALK_RSVD);
	cr_assert_eq(r.level, 3);
	pth_wr(t.h, epa, e);
	cr_assert_eq(pt_unmap(&t.pt, KB(8), KB(4), &t.fl, NULL), KB(4));
	/* a 2M block the description says the hardware does not take */
	lt_map(&t, MB(2), MB(4), MB(2), RW);
	cr_assert_eq(pt_walk(&t.h->host, &d, MB(3), PT_ACC_R, &r), 0);
	d.leaf_levels = 1u << 2;
	cr_assert_eq(pt_walk(&t.h->host, &d, MB(3), PT_ACC_R, &r),
		     -PT_WALK_RSVD);
	cr_assert_eq(r.level, 1);
	lt_fini(&t);

	/* 16K: no block at Arm level 1 (our 2) */
	h = pth_new();
	cr_assert_not_null(h);
	root = pth_page(h, KB(16));
	pth_wr(h, root + 8, GB(64) | D_AF | D_AP1 | 1);
	d = (struct pt_walk_desc){.fmt = S1, .root = root, .granule_lg2 = 14,
				  .levels = 3, .ia_bits = 47, .oa_bits = 48};
	cr_assert_eq(pt_walk(&h->host, &d, GB(64) + 5, PT_ACC_R, &r),
		     -PT_WALK_RSVD);
	cr_assert_eq(r.level, 2);
	/* 64K: a 4T block at Arm level 1 only with a 52-bit output */
	root = pth_page(h, KB(64));
	pth_wr(h, root + 8, TB(4) | D_AF | D_AP1 | 1);
	d = (struct pt_walk_desc){.fmt = S2, .root = root, .granule_lg2 = 16,
				  .levels = 3, .ia_bits = 48, .oa_bits = 48};
	cr_assert_eq(pt_walk(&h->host, &d, TB(4) + 5, PT_ACC_R, &r),
		     -PT_WALK_RSVD);
	d.oa_bits = 52;
	cr_assert_eq(pt_walk(&h->host, &d, TB(4) + 5, PT_ACC_R, &r), 0);
	cr_assert_eq(r.size_lg2, 42);
	cr_assert_eq(r.oa, TB(4) + 5);
	/* 4K: a 1G block at Arm level 1 is fine */
	root = pth_page(h, KB(4));
	l1 = pth_page(h, KB(4));
	pth_wr(h, root, l1 | 3);
	pth_wr(h, l1 + 8, GB(7) | D_AF | D_AP1 | 1);
	d = (struct pt_walk_desc){.fmt = S1, .root = root, .granule_lg2 = 12,
				  .levels = 4, .ia_bits = 48, .oa_bits = 40};
	cr_assert_eq(pt_walk(&h->host, &d, GB(1) + 9, PT_ACC_R, &r), 0);
	cr_assert_eq(r.size_lg2, 30);
	cr_assert_eq(r.oa, GB(7) + 9);
	/* the contiguous hint at 16 entries: the TLB holds the whole run */
	pth_wr(h, l1 + 8, GB(7) | D_CONT | D_AF | D_AP1 | 1);
	cr_assert_eq(pt_walk(&h->host, &d, GB(1) + 9, PT_ACC_R, &r), 0);
	cr_assert_eq(r.size_lg2, 34);
	cr_assert_eq(r.oa, GB(1) + 9);
	pth_free(h);
}

/* smmuv3 4.13 step 5: a table or output address at or above the output
 * size; a table outside RAM is a fetch failure (step 3). */
Test(lpae, walker_address_size_and_fetch)
{
	struct pt_walk_desc d;
	struct pt_walk_res r;
	uint64_t epa, e;
	struct lt t;

	lt_init(&t, S1, 12, 48, 48, 0);
	lt_map(&t, KB(4), 1ull << 36, KB(4), RW);
	d = lt_desc(&t);
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(4), PT_ACC_R, &r), 0);
	d.oa_bits = 36;
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(4), PT_ACC_R, &r),
		     -PT_WALK_ADDR_SIZE);
	cr_assert_eq(r.level, 0);
	/* a block's low bits are not address (4.11) */
	d.oa_bits = 48;
	lt_map(&t, MB(2), MB(2), MB(2), RW);
	epa = ent_pa(&t, MB(2), 1);
	e = pth_rd(t.h, epa);
	pth_wr(t.h, epa, e | (1ull << 20));
	cr_assert_eq(pt_walk(&t.h->host, &d, MB(3), PT_ACC_R, &r), 0);
	cr_assert_eq(r.oa, MB(3));
	pth_wr(t.h, epa, e);
	/* the level-2 table descriptor pointing above 2^40 and outside RAM */
	epa = ent_pa(&t, KB(4), 2);
	e = pth_rd(t.h, epa);
	pth_wr(t.h, epa, (1ull << 40) | 3);
	d.oa_bits = 40;
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(4), PT_ACC_R, &r),
		     -PT_WALK_ADDR_SIZE);
	cr_assert_eq(r.level, 2);
	d.oa_bits = 48;
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(4), PT_ACC_R, &r),
		     -PT_WALK_FETCH);
	cr_assert_eq(r.level, 1);
	cr_assert_eq(r.entry_pa, 1ull << 40);
	pth_wr(t.h, epa, PTH_RAM | 3); /* just beyond RAM */
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(4), PT_ACC_R, &r),
		     -PT_WALK_FETCH);
	pth_wr(t.h, epa, e);
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(4), PT_ACC_R, &r), 0);
	/* the root itself outside RAM */
	d.root = PTH_RAM + KB(4);
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(4), PT_ACC_R, &r),
		     -PT_WALK_FETCH);
	cr_assert_eq(r.level, 3);
	lt_fini(&t);
}

/* smmuv3 4.7: APTable, PXNTable, UXNTable narrow everything below at
 * stage 1, unless CD.HADx (PT_WALK_HAD); stage 2 has none. */
Test(lpae, walker_hierarchical_permissions)
{
	struct pt_walk_desc d;
	struct pt_walk_res r;
	uint64_t epa, e;
	struct lt t;

	lt_init(&t, S1, 12, 48, 48, 0);
	lt_map(&t, KB(4), MB(1), KB(4), RW);
	lt_map(&t, KB(8), MB(2), KB(4), RW | PT_PROT_PRIV);
	d = lt_desc(&t);
	epa = ent_pa(&t, KB(4), 2);
	e = pth_rd(t.h, epa);
	/* APTable 0b10: no writes below */
	pth_wr(t.h, epa, e | D_APT1);
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(4), PT_ACC_W, &r),
		     -PT_WALK_PERM);
	cr_assert_eq(r.level, 0);
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(4), PT_ACC_R, &r), 0);
	/* no longer writable by EL0: privileged execution allowed (4.9) */
	cr_assert_eq(r.perm, PT_PERM_R | PT_PERM_X);
	d.flags = PT_WALK_HAD;
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(4), PT_ACC_W, &r), 0);
	d.flags = 0;
	/* APTable 0b01: no unprivileged access */
	pth_wr(t.h, epa, e | D_APT0);
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(4), PT_ACC_R, &r),
		     -PT_WALK_PERM);
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(4), PT_ACC_W | PT_ACC_PRIV,
			     &r),
		     0);
	/* the page is no longer writable by EL0, so privileged execution is
	 * allowed again (4.9, on the effective permissions) */
	cr_assert_eq(r.perm, PT_PERM_PR | PT_PERM_PW | PT_PERM_X);
	/* APTable 0b11 */
	pth_wr(t.h, epa, e | D_APT0 | D_APT1);
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(4), PT_ACC_R | PT_ACC_PRIV,
			     &r),
		     0);
	cr_assert_eq(r.perm, PT_PERM_PR | PT_PERM_X);
	/* PXNTable / UXNTable */
	pth_wr(t.h, epa, e | D_PXNT);
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(8), PT_ACC_X | PT_ACC_PRIV,
			     &r),
		     -PT_WALK_PERM);
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(8), PT_ACC_X, &r), 0);
	pth_wr(t.h, epa, e | D_UXNT);
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(8), PT_ACC_X, &r),
		     -PT_WALK_PERM);
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(8), PT_ACC_X | PT_ACC_PRIV,
			     &r),
		     0);
	d.flags = PT_WALK_HAD;
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(8), PT_ACC_X, &r), 0);
	pth_wr(t.h, epa, e);
	lt_fini(&t);

	/* Stage 2: bits 59..63 of a table descriptor are RES0, no effect */
	lt_init(&t, S2, 12, 48, 48, 0);
	lt_map(&t, KB(4), MB(1), KB(4), RW);
	d = lt_desc(&t);
	epa = ent_pa(&t, KB(4), 2);
	pth_wr(t.h, epa, pth_rd(t.h, epa) | D_APT0 | D_APT1 | D_PXNT | D_UXNT);
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(4), PT_ACC_W | PT_ACC_X, &r),
		     0);
	cr_assert_eq(r.perm, PT_PERM_ALL);
	lt_fini(&t);
}

/* Descriptions the SMMU would call ILLEGAL (4.2, 4.4): the walker refuses
 * them rather than guess. */
Test(lpae, walker_bad_descriptions)
{
	static const struct {
		enum pt_fmt fmt;
		uint8_t g, levels, top, ia;
		int ok;
	} c[] = {
		{S1, 12, 4, 0, 48, 1},	{S1, 12, 4, 9, 48, 1},
		{S1, 12, 4, 9, 0, 1},	{S1, 12, 4, 8, 48, 0},
		{S1, 12, 4, 0, 0, 0},	{S1, 13, 4, 0, 48, 0},
		{S1, 12, 5, 0, 48, 0},	{S1, 12, 3, 0, 40, 0},
		{S2, 12, 3, 0, 40, 1},	{S2, 12, 3, 0, 43, 1},
		{S2, 12, 3, 0, 44, 0},	{S2, 12, 4, 10, 0, 0},
		{S1, 12, 1, 0, 21, 0},	{S2, 12, 1, 13, 0, 0},
		{S1, 12, 2, 0, 24, 0},	{S1, 12, 2, 0, 25, 1},
		{S1, 14, 4, 0, 48, 1},	{S2, 14, 4, 0, 48, 0},
		{S2, 14, 3, 0, 48, 1},	{S1, 14, 3, 0, 48, 0},
		{S1, 14, 1, 0, 25, 1},	{S2, 14, 1, 0, 29, 1},
		{S2, 14, 1, 0, 30, 0},	{S1, 16, 4, 0, 48, 0},
		{S1, 16, 3, 0, 48, 1},	{S2, 16, 3, 0, 49, 1},
		{S1, 16, 3, 0, 52, 1},	{S2, 16, 2, 0, 46, 1},
		{S2, 16, 2, 0, 47, 0},	{S1, 16, 2, 0, 43, 0},
		{S2, 16, 1, 0, 33, 1},	{S1, 16, 1, 0, 24, 0},
	};
	struct pth *h = pth_new();

	cr_assert_not_null(h);
	for (unsigned int i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct pt_walk_desc d = {.fmt = c[i].fmt, .root = 0,
					 .granule_lg2 = c[i].g,
					 .levels = c[i].levels,
					 .top_bits = c[i].top,
					 .ia_bits = c[i].ia, .oa_bits = 48};
		struct pt_walk_res r;
		int ret = pt_walk(&h->host, &d, 0, PT_ACC_R, &r);

		/* RAM is zero: a valid description ends at an invalid entry */
		cr_assert_eq(ret,
			     c[i].ok ? -PT_WALK_NOT_PRESENT : -PT_WALK_BAD_DESC,
			     "case %u: %d", i, ret);
	}
	pth_free(h);
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
