// SPDX-License-Identifier: MIT
/*
 * test_walk_resume.c - the resumed walk of a paging-structure cache hit
 * (PT_WALK_RESUME) answers the same whether its table is read at
 * start_host (the engine's one-entry fast path) or through the host (the
 * whole walk's loop), and the same as a whole walk that comes down to
 * that table: on random tables of every variant, with entries corrupted
 * at random (reserved bits, permissions, A and D, validity, type), random
 * accesses, flags (HA, HD, AFFD, NXE, HAD, NO_PERM, DS), reserved-bit
 * masks, leaf levels, output widths, and now and then a description whose
 * geometry is not the table's or not valid at all, or an address out of
 * range.  Every result field and the leaf entry after the walk (its A/D
 * updates) must agree.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "variants.h"

#define U(x) ((unsigned long long)(x))

static uint64_t resume_iters(void)
{
	const char *e = getenv("PT_RESUME_ITERS");

	return e && *e ? strtoull(e, NULL, 0) : 20000;
}

static void same_res(const char *what, const struct variant *v,
		     const struct pt_walk_res *a, int ra,
		     const struct pt_walk_res *b, int rb, uint64_t it)
{
	cr_assert_eq(ra, rb, "%s %s #%llu: returned %d and %d (err %d, %d)",
		     v->name, what, U(it), ra, rb, a->err, b->err);
	cr_assert_eq(a->err, b->err, "%s %s #%llu: err", v->name, what,
		     U(it));
	cr_assert_eq(a->level, b->level, "%s %s #%llu: level %d, %d", v->name,
		     what, U(it), a->level, b->level);
	cr_assert_eq(a->oa, b->oa, "%s %s #%llu: oa %llx, %llx", v->name,
		     what, U(it), U(a->oa), U(b->oa));
	cr_assert_eq(a->size_lg2, b->size_lg2, "%s %s #%llu: size", v->name,
		     what, U(it));
	cr_assert_eq(a->perm, b->perm, "%s %s #%llu: perm %x, %x", v->name,
		     what, U(it), a->perm, b->perm);
	cr_assert_eq(a->entry, b->entry, "%s %s #%llu: entry %llx, %llx",
		     v->name, what, U(it), U(a->entry), U(b->entry));
	cr_assert_eq(a->entry_pa, b->entry_pa, "%s %s #%llu: entry_pa",
		     v->name, what, U(it));
	cr_assert_eq(a->dirty, b->dirty, "%s %s #%llu: dirty", v->name, what,
		     U(it));
	cr_assert_eq(a->table, b->table, "%s %s #%llu: table", v->name, what,
		     U(it));
	cr_assert_eq(a->table_perm, b->table_perm, "%s %s #%llu: table_perm",
		     v->name, what, U(it));
}

/* A description of @base's table with random walker parameters. */
static struct pt_walk_desc random_desc(const struct pt_walk_desc *base,
				       uint64_t *seed)
{
	static const uint32_t fl[] = {PT_WALK_HA,  PT_WALK_HD,	PT_WALK_AFFD,
				      PT_WALK_NXE, PT_WALK_HAD, PT_WALK_NO_PERM,
				      PT_WALK_DS};
	struct pt_walk_desc d = *base;
	uint64_t x = rnd(seed);

	for (unsigned int i = 0; i < sizeof(fl) / sizeof(fl[0]); i++)
		if (rnd(seed) % 3 == 0 && (fl[i] != PT_WALK_DS || x % 4 == 0))
			d.flags |= fl[i];
	if (x % 3 == 0)
		d.rsvd = 1ull << (rnd(seed) % 64);
	if (x % 5 == 0)
		d.leaf_levels = (uint8_t)rnd(seed);
	if (x % 7 == 0)
		d.oa_bits = (uint8_t)(32 + rnd(seed) % 21);
	if (x % 4 == 0)
		d.perm = (uint32_t)rnd(seed) & PT_PERM_ALL;
	/* Now and then a geometry not the table's, or not valid. */
	switch (rnd(seed) % 24) {
	case 0:
		d.granule_lg2 = (uint8_t)(rnd(seed) % 18);
		break;
	case 1:
		d.levels = (uint8_t)(1 + rnd(seed) % 6);
		break;
	case 2:
		d.top_bits = (uint8_t)(rnd(seed) % 14);
		break;
	case 3:
		d.ia_bits = (uint8_t)(rnd(seed) % 66);
		break;
	}
	return d;
}

ParameterizedTestParameters(walk_resume, fast_path_is_the_walk)
{
	return cr_make_param_array(struct variant, pt_variants, pt_nvariants);
}

ParameterizedTest(const struct variant *v, walk_resume, fast_path_is_the_walk)
{
	struct pth *h = pth_new();
	struct pt_cfg cfg = variant_cfg(v);
	struct pt_free_list fl = {0};
	struct pt pt;
	uint64_t seed = test_seed(v->name), iters = resume_iters();
	uint64_t g, base, win, pa_limit, nfast = 0, nfull = 0;
	uint64_t ats[VARIANT_NLEAF];
	struct pt_walk_desc d0;
	unsigned int ia, nat;

	cr_assert_not_null(h);
	cr_assert_eq(pt_init(&pt, &h->host, &cfg), 0, "pt_init(%s)", v->name);
	g = 1ull << pt.cfg.granule_lg2;
	ia = pt.cfg.ia_bits;
	win = 1ull << (ia >= 34 ? 32 : ia - 2);
	base = ia >= 34 ? 1ull << 32 : 1ull << (ia - 2);
	pa_limit = 1ull << (pt.cfg.oa_bits < 40 ? pt.cfg.oa_bits : 40);
	nat = variant_fill_random(&pt, &fl, &seed, base, win, pa_limit, ats);
	cr_assert_gt(nat, 0, "%s: nothing mapped", v->name);
	d0 = variant_desc(&pt);

	for (uint64_t it = 0; it < iters; it++) {
		const uint64_t at = rnd(&seed) % 8
					    ? ats[rnd(&seed) % nat] ^
						      (rnd(&seed) & (g - 1))
					    : base + rnd(&seed) % win;
		struct pt_walk_res look, fast, slow, full;
		struct pt_walk_desc d, rd;
		unsigned int access;
		uint64_t orig, e0, e_fast, ia_at = at;
		int rf, rs, rw;

		/* Where a whole walk finds @at's entry: the resume point. */
		if (pt_walk(&h->host, &d0, at, 0, &look) &&
		    look.err != PT_WALK_NOT_PRESENT &&
		    look.err != PT_WALK_RSVD && look.err != PT_WALK_ADDR_SIZE)
			continue;
		if (look.level + 1 >= (int)pt.cfg.levels)
			continue;
		orig = pth_rd(h, look.entry_pa);
		e0 = variant_corrupt(orig, &seed);
		pth_wr(h, look.entry_pa, e0);
		d = random_desc(&d0, &seed);
		access = rnd(&seed) % 4 ? (unsigned int)(rnd(&seed) % 16) : 0;
		if (rnd(&seed) % 32 == 0)
			ia_at = at | 1ull << (40 + rnd(&seed) % 24);
		rd = d;
		rd.flags |= PT_WALK_RESUME;
		rd.start_pa = look.table;
		rd.start_lvl = (uint8_t)look.level;
		rd.start_perm = look.table_perm;
		rd.start_host = h->host.ops->mem_ptr(&h->host, look.table, g);
		cr_assert_not_null(rd.start_host);

		rf = pt_walk(&h->host, &rd, ia_at, access, &fast);
		e_fast = pth_rd(h, look.entry_pa);
		pth_wr(h, look.entry_pa, e0);
		rd.start_host = NULL; /* through the host: the loop */
		rs = pt_walk(&h->host, &rd, ia_at, access, &slow);
		same_res("at start_host / through the host", v, &fast, rf,
			 &slow, rs, it);
		cr_assert_eq(e_fast, pth_rd(h, look.entry_pa),
			     "%s #%llu: the leaf after the walk: %llx, %llx",
			     v->name, U(it), U(e_fast),
			     U(pth_rd(h, look.entry_pa)));
		nfast += !rf;

		/* A whole walk that comes down to the same table and level
		 * answers the same (with the table's permissions). */
		pth_wr(h, look.entry_pa, e0);
		rw = pt_walk(&h->host, &d, ia_at, access, &full);
		if (full.table == look.table && full.level == look.level &&
		    full.table_perm == look.table_perm) {
			pth_wr(h, look.entry_pa, e0);
			rd.start_host = h->host.ops->mem_ptr(&h->host,
							     look.table, g);
			rf = pt_walk(&h->host, &rd, ia_at, access, &fast);
			same_res("resumed / whole", v, &fast, rf, &full, rw,
				 it);
			nfull++;
		}
		/* Mostly keep the table sound for the next rounds. */
		if (rnd(&seed) % 4)
			pth_wr(h, look.entry_pa, orig);
	}
	cr_log_info("%s: %llu resumed walks translated, %llu checked against "
		    "whole walks",
		    v->name, U(nfast), U(nfull));
	if (pt.cfg.levels > 1)
		cr_assert_gt(nfast, iters / 50,
			     "%s: too few resumed walks succeeded", v->name);
	pt_destroy(&pt);
	pt_free_pages(&h->host, &fl);
	pt_free_list_fini(&fl);
	pth_free(h);
}

/*
 * The resumed walk keeps no geometry of an earlier description: the same
 * table resumed under descriptions that differ only in their geometry
 * answers each its own (an address beyond a narrower input, an invalid
 * granule or level count), then the first again.
 */
ParameterizedTestParameters(walk_resume, geometry_of_each_description)
{
	return cr_make_param_array(struct variant, pt_variants, pt_nvariants);
}

ParameterizedTest(const struct variant *v, walk_resume,
		  geometry_of_each_description)
{
	struct pth *h = pth_new();
	struct pt_cfg cfg = variant_cfg(v);
	struct pt_free_list fl = {0};
	struct pt pt;
	struct pt_walk_res r, look;
	struct pt_walk_desc d, n;
	uint64_t g, iova, mapped = 0;

	cr_assert_not_null(h);
	cr_assert_eq(pt_init(&pt, &h->host, &cfg), 0, "pt_init(%s)", v->name);
	g = 1ull << pt.cfg.granule_lg2;
	iova = 1ull << (pt.cfg.ia_bits - 1); /* the top input bit set */
	if (pt.cfg.fmt == PT_FMT_X86_64 || pt.cfg.fmt == PT_FMT_AMDV2)
		iova = 1ull << (pt.cfg.ia_bits - 2); /* lower half */
	cr_assert_eq(pt_map(&pt, iova, 0x10 * g, g, IOMMU_READ, &mapped, &fl),
		     0, "%s", v->name);
	d = variant_desc(&pt);
	cr_assert_eq(pt_walk(&h->host, &d, iova, PT_ACC_R, &look), 0);
	if (look.level + 1 >= (int)pt.cfg.levels)
		goto out; /* amdv1-1: no table below the top */
	d.flags |= PT_WALK_RESUME;
	d.start_pa = look.table;
	d.start_lvl = (uint8_t)look.level;
	d.start_perm = look.table_perm;
	d.start_host = h->host.ops->mem_ptr(&h->host, look.table, g);
	for (unsigned int round = 0; round < 2; round++) {
		cr_assert_eq(pt_walk(&h->host, &d, iova + 8, PT_ACC_R, &r), 0,
			     "%s: err %d", v->name, r.err);
		cr_assert_eq(r.oa, 0x10 * g + 8);
		/* One input bit less: @iova lies beyond it (x86: it is
		 * then not canonical). */
		n = d;
		n.ia_bits = (uint8_t)(pt.cfg.ia_bits - 1);
		if (pt.cfg.fmt == PT_FMT_X86_64 || pt.cfg.fmt == PT_FMT_AMDV2) {
			cr_assert_eq(pt_walk(&h->host, &n, iova | 1ull << 60,
					     PT_ACC_R, &r),
				     -PT_WALK_RANGE, "%s: err %d", v->name,
				     r.err);
		} else if (pt.cfg.fmt != PT_FMT_LPAE_S1 &&
			   pt.cfg.fmt != PT_FMT_LPAE_S2) {
			cr_assert_eq(pt_walk(&h->host, &n, iova, PT_ACC_R, &r),
				     -PT_WALK_RANGE, "%s: err %d", v->name,
				     r.err);
		}
		/* An invalid granule, level count, top. */
		n = d;
		n.granule_lg2 = 13;
		cr_assert_eq(pt_walk(&h->host, &n, iova, PT_ACC_R, &r),
			     -PT_WALK_BAD_DESC, "%s", v->name);
		cr_assert_eq(r.err, PT_WALK_BAD_DESC);
		n = d;
		n.top_bits = 2;
		n.ia_bits = 0;
		if (pt.cfg.fmt != PT_FMT_LPAE_S1 &&
		    pt.cfg.fmt != PT_FMT_LPAE_S2)
			cr_assert_eq(pt_walk(&h->host, &n, iova, PT_ACC_R, &r),
				     -PT_WALK_BAD_DESC, "%s", v->name);
		n = d;
		n.levels = 7;
		cr_assert_eq(pt_walk(&h->host, &n, iova, PT_ACC_R, &r),
			     -PT_WALK_BAD_DESC, "%s", v->name);
	}
out:
	pt_destroy(&pt);
	pt_free_pages(&h->host, &fl);
	pt_free_list_fini(&fl);
	pth_free(h);
}

/*
 * Known answers both ways (whole and resumed at start_host): a read-only
 * leaf refuses a write with PT_WALK_PERM, and with PT_WALK_NO_PERM
 * translates it, reporting no write permission; an output address with
 * bit 47 set is beyond oa_bits 47 and within oa_bits 0 (the format's
 * widest).
 */
ParameterizedTestParameters(walk_resume, known_answers)
{
	return cr_make_param_array(struct variant, pt_variants, pt_nvariants);
}

static int walk2(struct pth *h, const struct pt_walk_desc *d,
		 const struct pt_walk_res *look, uint64_t g, uint64_t ia,
		 unsigned int access, struct pt_walk_res *r)
{
	struct pt_walk_desc rd = *d;
	struct pt_walk_res rr;
	int ret = pt_walk(&h->host, d, ia, access, r), rret;

	if (look->level + 1 >= (int)d->levels)
		return ret;
	rd.flags |= PT_WALK_RESUME;
	rd.start_pa = look->table;
	rd.start_lvl = (uint8_t)look->level;
	rd.start_perm = look->table_perm;
	rd.start_host = h->host.ops->mem_ptr(&h->host, look->table, g);
	rret = pt_walk(&h->host, &rd, ia, access, &rr);
	cr_assert_eq(rret, ret, "resumed %d, whole %d", rret, ret);
	cr_assert_eq(rr.err, r->err);
	cr_assert_eq(rr.perm, r->perm);
	cr_assert_eq(rr.oa, r->oa);
	return ret;
}

ParameterizedTest(const struct variant *v, walk_resume, known_answers)
{
	struct pth *h = pth_new();
	struct pt_cfg cfg = variant_cfg(v);
	struct pt_free_list fl = {0};
	struct pt pt;
	struct pt_walk_res r, look;
	struct pt_walk_desc d;
	uint64_t g, iova, pa = 1ull << 47, mapped = 0;

	cr_assert_not_null(h);
	cr_assert_eq(pt_init(&pt, &h->host, &cfg), 0, "pt_init(%s)", v->name);
	g = 1ull << pt.cfg.granule_lg2;
	iova = 64 * g;
	if (pt.cfg.oa_bits < 48)
		pa = 1ull << (pt.cfg.oa_bits - 1);
	cr_assert_eq(pt_map(&pt, iova, pa, g, IOMMU_READ, &mapped, &fl), 0,
		     "%s", v->name);
	d = variant_desc(&pt);
	cr_assert_eq(pt_walk(&h->host, &d, iova, PT_ACC_R, &look), 0);
	cr_assert_eq(walk2(h, &d, &look, g, iova, PT_ACC_R, &r), 0, "%s",
		     v->name);
	cr_assert_eq(walk2(h, &d, &look, g, iova, PT_ACC_W, &r),
		     -PT_WALK_PERM, "%s", v->name);
	d.flags |= PT_WALK_NO_PERM;
	cr_assert_eq(walk2(h, &d, &look, g, iova + 8, PT_ACC_W, &r), 0,
		     "%s: err %d", v->name, r.err);
	cr_assert_eq(r.oa, pa + 8);
	cr_assert_eq(r.perm & PT_PERM_W, 0, "%s", v->name);
	cr_assert_neq(r.perm & PT_PERM_R, 0, "%s", v->name);
	d.flags &= ~PT_WALK_NO_PERM;
	if (pa == 1ull << 47) {
		d.oa_bits = 0;
		cr_assert_eq(walk2(h, &d, &look, g, iova, PT_ACC_R, &r), 0,
			     "%s: err %d", v->name, r.err);
		d.oa_bits = 47;
		cr_assert_lt(walk2(h, &d, &look, g, iova, PT_ACC_R, &r), 0,
			     "%s", v->name);
		cr_assert(r.err == PT_WALK_RSVD || r.err == PT_WALK_ADDR_SIZE,
			  "%s: err %d", v->name, r.err);
	}
	pt_destroy(&pt);
	pt_free_pages(&h->host, &fl);
	pt_free_list_fini(&fl);
	pth_free(h);
}
