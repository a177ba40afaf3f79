// SPDX-License-Identifier: MIT
/*
 * test_amdv1_dirty.c - AMD-Vi v1 tables (amdvi.md 3.3 step 10): A/D
 * updates by the model walker, dirty tracking, and iteration past a
 * NextLevel-7 page.
 */
#include "amdv1_help.h"

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
