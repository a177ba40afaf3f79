// SPDX-License-Identifier: MIT
/*
 * test_lpae.c - the Arm VMSAv8-64 formats (lpae_s1, lpae_s2) against the
 * sheet (smmuv3.md 4, 11): the known-answer descriptors TV1 and TV6 as
 * pt_map writes them, the table offsets of TV2 and TV5, and the geometry
 * of every granule.  Round trips and dirty tracking are in
 * test_lpae_map.c, the model walker in test_lpae_walk.c; the helpers all
 * three share in lpae_help.h.
 */
#include "lpae_help.h"

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

/* smmuv3 11 TV6 (4.11), second line: 4K with DS (PT_FEAT_DS, CD.DS),
 * OA[49:48] in bits 49:48 and OA[51:50] in bits 9:8, no SH in the leaf;
 * the walker reads it back only with PT_WALK_DS. */
Test(lpae, tv6_4k_ds_52bit_page)
{
	const uint64_t pa = 0x000F000012345000ull;
	struct pt_walk_desc d;
	struct pt_walk_res r;
	uint64_t phys = 0;
	struct lt t;

	lt_init(&t, S1, 12, 48, 52, PT_FEAT_DS);
	lt_map(&t, KB(4), pa, KB(4), RW);
	/* TV6: valid page + AF = 0x0003_0000_1234_5703; ours adds AttrIndx
	 * 1 (0x4) and AP[1] (0x40) */
	cr_assert_eq(pth_rd(t.h, ent_pa(&t, KB(4), 0)),
		     0x0003000012345703ull | 0x4 | 0x40, "0x%llx",
		     U(pth_rd(t.h, ent_pa(&t, KB(4), 0))));
	cr_assert_eq(pt_iova_to_phys(&t.pt, KB(4) + 0x123, &phys), 0);
	cr_assert_eq(phys, pa + 0x123);
	d = lt_desc(&t);
	d.flags = PT_WALK_DS;
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(4) + 0x123, PT_ACC_R, &r), 0);
	cr_assert_eq(r.oa, pa + 0x123);
	/* without DS the same bits are SH and a 48-bit address */
	d.flags = 0;
	cr_assert_eq(pt_walk(&t.h->host, &d, KB(4) + 0x123, PT_ACC_R, &r), 0);
	cr_assert_eq(r.oa, 0x12345123ull);
	lt_fini(&t);
	/* DS is stage 1 at 4K/16K only; 52 bits at 4K need it */
	cr_assert_eq(pt_pgsizes(&(struct pt_cfg){.fmt = PT_FMT_LPAE_S1,
						 .granule_lg2 = 16,
						 .ia_bits = 48,
						 .oa_bits = 52,
						 .features = PT_FEAT_DS}),
		     0);
	cr_assert_eq(pt_pgsizes(&(struct pt_cfg){.fmt = PT_FMT_LPAE_S1,
						 .granule_lg2 = 12,
						 .ia_bits = 48,
						 .oa_bits = 52}),
		     0);
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
