// SPDX-License-Identifier: MIT
/*
 * test_amdv1_hand.c - the model walker on hostile AMD-Vi v1 tables
 * written by hand (amdvi.md 3): level skipping, a NextLevel not lower
 * (a PDE naming its own table), tables beyond RAM, reserved and ignored
 * bits, permissions with the DTE's, absurd NextLevel-7 sizes, the Mode 6
 * top index and a bad descriptor.
 */
#include "amdv1_help.h"

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
