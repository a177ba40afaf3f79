// SPDX-License-Identifier: MIT
/*
 * test_lpae_walk.c - the model walker on the Arm VMSAv8-64 formats
 * (smmuv3.md 4): its reading of what the driver wrote at every size and
 * its faults in the order of 4.13 (leaf permissions, access flag,
 * reserved encodings, address size and fetch, hierarchical permissions,
 * bad descriptions).
 */
#include "lpae_help.h"

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
