// SPDX-License-Identifier: MIT
/*
 * test_engine.c - the engine's behaviour on every variant (variants.c):
 * round trips and the largest-size choice, short unmaps, whole-table
 * unlinking, the model walker reading what the driver side wrote, dirty
 * tracking, all-or-nothing under allocation failure, concurrent map and
 * unmap, hostile tables for the walker, and a randomized differential
 * test against a plain reference map (10^5 operations per variant).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "variants.h"

#define U(x) ((unsigned long long)(x))

struct ctx {
	struct pth *h;
	struct pt pt;
	struct pt_free_list fl;
	unsigned int g;
	uint64_t sizes;
	uint64_t base, win; /* the IOVA window tests use */
	uint64_t pa_limit;
};

static void setup(const struct variant *v, struct ctx *c)
{
	struct pt_cfg cfg = variant_cfg(v);
	unsigned int ia, w;

	memset(c, 0, sizeof(*c));
	c->h = pth_new();
	cr_assert_not_null(c->h);
	cr_assert_eq(pt_init(&c->pt, &c->h->host, &cfg), 0, "pt_init(%s)",
		     v->name);
	c->g = c->pt.cfg.granule_lg2;
	c->sizes = c->pt.pgsizes;
	cr_assert_eq(c->sizes, pt_pgsizes(&cfg));
	ia = c->pt.cfg.ia_bits;
	w = ia >= 33 ? 31 : ia - 1;
	c->win = 1ull << w;
	c->base = ia >= 33 ? 1ull << 32 : 1ull << w;
	c->pa_limit = 1ull << (c->pt.cfg.oa_bits < 40 ? c->pt.cfg.oa_bits : 40);
}

static void teardown(struct ctx *c)
{
	pt_free_pages(&c->h->host, &c->fl);
	pt_free_list_fini(&c->fl);
	pt_destroy(&c->pt);
	cr_assert_eq(c->h->live_pages, 0, "%llu table pages leaked",
		     U(c->h->live_pages));
	cr_assert_eq(c->h->bad_free, 0, "%d bad frees", c->h->bad_free);
	pth_free(c->h);
}

/* Largest allowed size for a leaf at (@iova, @pa) with @rem bytes left. */
static unsigned int greedy_lg2(uint64_t sizes, uint64_t iova, uint64_t pa,
			       uint64_t rem)
{
	uint64_t a = iova | pa, cap = 1ull << (63 - __builtin_clzll(rem));

	if (a && (a & -a) < cap)
		cap = a & -a;
	return 63 - (unsigned int)__builtin_clzll(sizes & (cap | (cap - 1)));
}

struct leaves {
	uint64_t iova[64], pa[64];
	unsigned int lg2[64];
	unsigned int n;
};

static int collect(void *ctx, const struct pt_visit *v)
{
	struct leaves *l = ctx;

	if (v->table)
		return 0;
	if (l->n == 64)
		return -E2BIG;
	l->iova[l->n] = v->iova;
	l->pa[l->n] = v->pa;
	l->lg2[l->n++] = v->lg2;
	return 0;
}

ParameterizedTestParameters(engine, round_trip_every_size)
{
	return cr_make_param_array(struct variant, pt_variants, pt_nvariants);
}

/* Two leaves of each size: mapped with that size, translated, not cut by
 * a smaller unmap, removed whole. */
ParameterizedTest(const struct variant *v, engine, round_trip_every_size)
{
	struct ctx c;

	setup(v, &c);
	for (unsigned int b = c.g; b < 63; b++) {
		uint64_t s = 1ull << b, iova, pa, mapped = 0, phys = 0;
		struct leaves l = {0};

		if (!(c.sizes & s) || 4 * s > c.win || 4 * s > c.pa_limit)
			continue;
		iova = c.base + s;	 /* aligned to s, not to 2s */
		pa = c.pa_limit / 2 + s; /* the same */
		cr_assert_eq(pt_map(&c.pt, iova, pa, 2 * s, IOMMU_READ | IOMMU_WRITE,
				    &mapped, &c.fl), 0, "%s: map 2x%llx",
			     v->name, U(s));
		cr_assert_eq(mapped, 2 * s);
		cr_assert_eq(pt_iova_to_phys(&c.pt, iova + s + 0x123, &phys), 0);
		cr_assert_eq(phys, pa + s + 0x123, "%s: %llx", v->name, U(phys));
		cr_assert_eq(pt_iterate(&c.pt, c.base, c.win, false, collect, &l),
			     0);
		cr_assert_eq(l.n, 2, "%s: size %llx gave %u leaves", v->name,
			     U(s), l.n);
		cr_assert_eq(l.lg2[0], b);
		cr_assert_eq(l.iova[1], iova + s);
		cr_assert_eq(l.pa[1], pa + s);
		if (s > (1ull << c.g))
			cr_assert_eq(pt_unmap(&c.pt, iova, s >> 1, &c.fl, NULL), 0,
				     "%s: unmap cut a %llx leaf", v->name, U(s));
		cr_assert_eq(pt_unmap(&c.pt, iova, 2 * s, &c.fl, NULL), 2 * s);
		cr_assert_eq(pt_iova_to_phys(&c.pt, iova, &phys), -ENOENT);
		pt_free_pages(&c.h->host, &c.fl);
	}
	teardown(&c);
}

ParameterizedTestParameters(engine, largest_sizes_chosen)
{
	return cr_make_param_array(struct variant, pt_variants, pt_nvariants);
}

/* A range with ragged ends is covered by the largest leaves its
 * alignment allows, as the greedy rule predicts, leaf by leaf. */
ParameterizedTest(const struct variant *v, engine, largest_sizes_chosen)
{
	struct ctx c;
	uint64_t seed = test_seed(v->name), mapped;

	setup(v, &c);
	for (int round = 0; round < 50; round++) {
		uint64_t g = 1ull << c.g, len, iova, pa, at, rem;
		struct leaves l = {0};
		unsigned int n = 0, big;

		/* The largest size that fits the window a few times. */
		big = 63 - (unsigned int)__builtin_clzll(
				   c.sizes & ((c.win / 8) | (c.win / 8 - 1)));
		len = ((rnd(&seed) % (4ull << big)) & ~(g - 1)) + g;
		iova = c.base + (rnd(&seed) % (c.win / 2) & ~(g - 1));
		pa = (c.pa_limit / 4 + (iova - c.base)) & ~(g - 1);
		if (rnd(&seed) & 1)
			pa += (rnd(&seed) % 8) << c.g; /* break the alignment */
		cr_assert_eq(pt_map(&c.pt, iova, pa, len, IOMMU_READ, &mapped,
				    &c.fl), 0);
		l.n = 0;
		if (pt_iterate(&c.pt, iova, len, false, collect, &l))
			l.n = 65; /* too many leaves to check: skip */
		for (at = iova, rem = len; l.n <= 64 && rem; n++) {
			unsigned int b = greedy_lg2(c.sizes, at, pa + (at - iova),
						    rem);

			cr_assert_lt(n, l.n, "%s: fewer leaves than predicted",
				     v->name);
			cr_assert_eq(l.iova[n], at);
			cr_assert_eq(l.lg2[n], b, "%s: leaf %u at %llx is 2^%u, "
				     "want 2^%u", v->name, n, U(at), l.lg2[n], b);
			at += 1ull << b;
			rem -= 1ull << b;
		}
		if (l.n <= 64)
			cr_assert_eq(n, l.n);
		cr_assert_eq(pt_unmap(&c.pt, iova, len, &c.fl, NULL), len);
		pt_free_pages(&c.h->host, &c.fl);
	}
	teardown(&c);
}

ParameterizedTestParameters(engine, short_unmap_stops)
{
	return cr_make_param_array(struct variant, pt_variants, pt_nvariants);
}

/* Unmap removes a prefix: it stops at a hole and before a leaf it would
 * cut, and a table left partly used stays linked. */
ParameterizedTest(const struct variant *v, engine, short_unmap_stops)
{
	struct ctx c;
	uint64_t g, mapped, phys;

	setup(v, &c);
	g = 1ull << c.g;
	/* Output addresses an odd number of granules apart from anything
	 * larger, so that every leaf is one granule page. */
	cr_assert_eq(pt_map(&c.pt, c.base, g, 4 * g, IOMMU_READ, &mapped,
			    &c.fl), 0);
	cr_assert_eq(pt_map(&c.pt, c.base + 5 * g, 9 * g, 2 * g, IOMMU_WRITE,
			    &mapped, &c.fl), 0);
	/* [0, 4g) mapped, hole at 4g, [5g, 7g) mapped */
	cr_assert_eq(pt_unmap(&c.pt, c.base + g, 8 * g, &c.fl, NULL), 3 * g);
	cr_assert_eq(pt_iova_to_phys(&c.pt, c.base, &phys), 0);
	cr_assert_eq(pt_iova_to_phys(&c.pt, c.base + 5 * g, &phys), 0);
	cr_assert_eq(pt_unmap(&c.pt, c.base + 4 * g, 3 * g, &c.fl, NULL), 0);
	cr_assert_eq(pt_unmap(&c.pt, c.base + 5 * g, 3 * g, &c.fl, NULL), 2 * g);
	cr_assert_eq(pt_unmap(&c.pt, c.base, g, &c.fl, NULL), g);
	cr_assert_eq(pt_iova_to_phys(&c.pt, c.base, &phys), -ENOENT);
	teardown(&c);
}

ParameterizedTestParameters(engine, whole_tables_unlinked_unwritten)
{
	return cr_make_param_array(struct variant, pt_variants, pt_nvariants);
}

/* A range covering whole leaf tables unlinks them after a read-only scan:
 * the freed tables still hold their leaves, the span reads as unmapped. */
ParameterizedTest(const struct variant *v, engine,
		  whole_tables_unlinked_unwritten)
{
	struct ctx c;
	uint64_t g, span, mapped, phys, got;
	size_t ntables = 0;

	setup(v, &c);
	g = 1ull << c.g;
	span = g << (c.g - 3); /* what one leaf table maps */
	if (c.pt.cfg.levels < 2 || 3 * span > c.win) {
		teardown(&c);
		return;
	}
	/* Granule pages only (a pa misaligned to anything larger). */
	cr_assert_eq(pt_map(&c.pt, c.base + span, g, 2 * span, IOMMU_READ,
			    &mapped, &c.fl), 0);
	got = pt_unmap(&c.pt, c.base + span, 2 * span, &c.fl, NULL);
	cr_assert_eq(got, 2 * span);
	cr_assert_eq(pt_iova_to_phys(&c.pt, c.base + span + g, &phys), -ENOENT);
	for (size_t i = 0; i < c.fl.n; i++) {
		if (c.fl.v[i].last - c.fl.v[i].start + 1 != span)
			continue;
		ntables++;
		/* Every entry of the unlinked table was left as it was. */
		for (uint64_t e = 0; e < span / g; e++)
			cr_assert_neq(pth_rd(c.h, c.fl.v[i].pa + 8 * e), 0,
				      "%s: entry %llu of a freed table was "
				      "cleared", v->name, U(e));
	}
	cr_assert_eq(ntables, 2, "%s: %zu whole tables freed", v->name,
		     ntables);
	teardown(&c);
}

ParameterizedTestParameters(engine, walker_reads_driver_tables)
{
	return cr_make_param_array(struct variant, pt_variants, pt_nvariants);
}

/* The model walker finds what pt_map wrote, at the right level and size,
 * and refuses a write to a read-only leaf. */
ParameterizedTest(const struct variant *v, engine, walker_reads_driver_tables)
{
	struct ctx c;
	struct pt_walk_desc d;
	struct pt_walk_res r;

	setup(v, &c);
	d = variant_desc(&c.pt);
	for (unsigned int b = c.g; b < 63; b++) {
		uint64_t s = 1ull << b, iova, pa, mapped = 0, phys = 0;
		int ret;

		if (!(c.sizes & s) || 4 * s > c.win || 4 * s > c.pa_limit)
			continue;
		iova = c.base + 2 * s;
		pa = c.pa_limit / 2 + s;
		cr_assert_eq(pt_map(&c.pt, iova, pa, s, IOMMU_READ | IOMMU_WRITE,
				    &mapped, &c.fl), 0);
		cr_assert_eq(pt_map(&c.pt, iova + s, pa + s, s, IOMMU_READ,
				    &mapped, &c.fl), 0);
		for (int k = 0; k < 2; k++) {
			uint64_t at = iova + k * s + (s / 2 & ~7ull) + 8;

			ret = pt_walk(&c.h->host, &d, at, PT_ACC_R, &r);
			cr_assert_eq(ret, 0, "%s: walk size %llx: err %d level %d",
				     v->name, U(s), r.err, r.level);
			cr_assert_eq(pt_iova_to_phys(&c.pt, at, &phys), 0);
			cr_assert_eq(r.oa, phys, "%s: walk %llx, driver %llx",
				     v->name, U(r.oa), U(phys));
			cr_assert_eq(r.size_lg2, b);
			cr_assert_eq(r.level, (int)c.pt.lvl_of[b]);
		}
		cr_assert_eq(pt_walk(&c.h->host, &d, iova + 8, PT_ACC_W, &r), 0,
			     "%s: write walk: err %d", v->name, r.err);
		ret = pt_walk(&c.h->host, &d, iova + s + 8, PT_ACC_W, &r);
		cr_assert_eq(ret, -PT_WALK_PERM, "%s: write to read-only: %d",
			     v->name, ret);
		cr_assert_eq(r.err, PT_WALK_PERM);
		cr_assert_eq(pt_unmap(&c.pt, iova, 2 * s, &c.fl, NULL), 2 * s);
		ret = pt_walk(&c.h->host, &d, iova + 8, PT_ACC_R, &r);
		cr_assert_eq(ret, -PT_WALK_NOT_PRESENT, "%s: %d", v->name, ret);
		pt_free_pages(&c.h->host, &c.fl);
	}
	teardown(&c);
}

ParameterizedTestParameters(engine, walk_resumes_at_a_cached_table)
{
	return cr_make_param_array(struct variant, pt_variants, pt_nvariants);
}

/*
 * A walk resumed at the table and permissions an earlier walk reported
 * (PT_WALK_RESUME: a paging-structure cache hit) finds what a whole walk
 * finds for another address under that table, and reads nothing above
 * it: with the entry that points to the table cleared, the whole walk
 * fails and the resumed one still translates (as hardware with the
 * entry cached does until it is invalidated).
 */
ParameterizedTest(const struct variant *v, engine,
		  walk_resumes_at_a_cached_table)
{
	uint64_t g, iova, pa, mapped = 0, at, parent_pa = 0;
	struct pt_walk_res r, full, res;
	struct pt_walk_desc d, rd;
	struct ctx c;
	int lvl;

	setup(v, &c);
	d = variant_desc(&c.pt);
	g = 1ull << c.g;
	iova = c.base + 64 * g;
	pa = c.pa_limit / 2;
	cr_assert_eq(pt_map(&c.pt, iova, pa, 8 * g, IOMMU_READ | IOMMU_WRITE,
			    &mapped, &c.fl), 0);
	cr_assert_eq(pt_walk(&c.h->host, &d, iova + 8, PT_ACC_R, &r), 0,
		     "%s: err %d", v->name, r.err);
	lvl = r.level;
	cr_assert_eq(r.entry_pa >> c.g, r.table >> c.g,
		     "%s: the leaf lies in the table reported", v->name);
	rd = d;
	rd.flags |= PT_WALK_RESUME;
	rd.start_pa = r.table;
	rd.start_lvl = (uint8_t)lvl;
	rd.start_perm = r.table_perm;
	at = iova + 5 * g + 16;
	cr_assert_eq(pt_walk(&c.h->host, &d, at, PT_ACC_W, &full), 0);
	cr_assert_eq(pt_walk(&c.h->host, &rd, at, PT_ACC_W, &res), 0,
		     "%s: resumed walk: err %d", v->name, res.err);
	cr_assert_eq(res.oa, full.oa, "%s", v->name);
	cr_assert_eq(res.oa, pa + 5 * g + 16);
	cr_assert_eq(res.level, full.level);
	cr_assert_eq(res.perm, full.perm);
	cr_assert_eq(res.size_lg2, full.size_lg2);
	cr_assert_eq(res.table, r.table);
	if (lvl + 1 < (int)c.pt.cfg.levels) {
		/* With start_host the entry is read there, not through the
		 * host: a faithful copy of the table translates the same, an
		 * empty one is what the walk sees. */
		uint64_t *copy = aligned_alloc(g, g);
		const void *t = c.h->host.ops->mem_ptr(&c.h->host, r.table, g);
		struct pt_walk_desc hd = rd;

		cr_assert_not_null(copy);
		cr_assert_not_null(t);
		memcpy(copy, t, g);
		hd.start_host = copy;
		cr_assert_eq(pt_walk(&c.h->host, &hd, at, PT_ACC_R, &res), 0,
			     "%s: from the host copy: err %d", v->name,
			     res.err);
		cr_assert_eq(res.oa, full.oa, "%s", v->name);
		memset(copy, 0, g);
		cr_assert_lt(pt_walk(&c.h->host, &hd, at, PT_ACC_R, &res), 0,
			     "%s: the walk read the table through the host, "
			     "not at start_host", v->name);
		cr_assert_eq(res.err, PT_WALK_NOT_PRESENT, "%s", v->name);
		free(copy);
	}
	if (lvl + 1 < (int)c.pt.cfg.levels) {
		/* Find the entry above the leaf table, then clear it. */
		uint64_t saved;

		for (uint64_t t = 0; t < PTH_RAM && !parent_pa; t += 8)
			if ((pth_rd(c.h, t) & ~(g - 1) & ((1ull << 48) - 1)) ==
			    r.table && t != r.entry_pa &&
			    (t >> c.g) != (r.table >> c.g))
				parent_pa = t;
		cr_assert_neq(parent_pa, 0, "%s: no entry points to the table",
			      v->name);
		saved = pth_rd(c.h, parent_pa);
		pth_wr(c.h, parent_pa, 0);
		cr_assert_lt(pt_walk(&c.h->host, &d, at, PT_ACC_R, &full), 0,
			     "%s: the whole walk reads the cleared entry",
			     v->name);
		cr_assert_eq(pt_walk(&c.h->host, &rd, at, PT_ACC_R, &res), 0,
			     "%s: the resumed walk reads above its table",
			     v->name);
		cr_assert_eq(res.oa, pa + 5 * g + 16);
		/* A start level at the top or above is a whole walk. */
		rd.start_lvl = (uint8_t)(c.pt.cfg.levels - 1);
		cr_assert_lt(pt_walk(&c.h->host, &rd, at, PT_ACC_R, &res), 0);
		pth_wr(c.h, parent_pa, saved);
	}
	cr_assert_eq(pt_unmap(&c.pt, iova, 8 * g, &c.fl, NULL), 8 * g);
	pt_free_pages(&c.h->host, &c.fl);
	teardown(&c);
}

static uint64_t bm_count(const uint64_t *bits, size_t words)
{
	uint64_t n = 0;

	for (size_t i = 0; i < words; i++)
		n += (uint64_t)__builtin_popcountll(bits[i]);
	return n;
}

ParameterizedTestParameters(engine, dirty_set_read_clear)
{
	return cr_make_param_array(struct variant, pt_variants, pt_nvariants);
}

/* With tracking on, leaves start clean; a write walk with PT_WALK_HD
 * dirties its leaf; read_and_clear reports every page of it (a large leaf
 * sets all its bits) and cleans it, unless NO_CLEAR; tracking off leaves
 * every mapping writable. */
ParameterizedTest(const struct variant *v, engine, dirty_set_read_clear)
{
	struct ctx c;
	struct pt_walk_desc d;
	struct pt_walk_res r;
	uint64_t *bits, g, s, mapped, nbits, words, want, off = 0;
	struct pt_dirty_bitmap bm;
	bool big;

	setup(v, &c);
	d = variant_desc(&c.pt);
	d.flags = PT_WALK_HD | PT_WALK_HA;
	g = 1ull << c.g;
	/* Granule leaves at [0, 8g), and a leaf of the next size up at
	 * @off, past them. */
	s = c.sizes & ~((g << 1) - 1);
	s &= -s;
	if (s)
		off = s >= 16 * g ? 2 * s : 16 * g;
	big = s && off + 2 * s <= c.win && 4 * s <= c.pa_limit;
	nbits = big ? (off + s) >> c.g : 64;
	words = (nbits + 63) / 64;
	bits = calloc(words, 8);
	cr_assert_not_null(bits);
	cr_assert_eq(pt_map(&c.pt, c.base, c.pa_limit / 4 + g, 8 * g,
			    IOMMU_READ | IOMMU_WRITE, &mapped, &c.fl), 0);
	if (big)
		cr_assert_eq(pt_map(&c.pt, c.base + off, c.pa_limit / 2, s,
				    IOMMU_READ | IOMMU_WRITE, &mapped, &c.fl),
			     0);
	cr_assert_eq(pt_set_dirty_tracking(&c.pt, true), 0, "%s", v->name);
	bm = (struct pt_dirty_bitmap){bits, c.base, c.g, nbits};
	cr_assert_eq(pt_read_and_clear_dirty(&c.pt, c.base, c.win, &bm, 0), 0);
	cr_assert_eq(bm_count(bits, words), 0, "%s: dirty after enable",
		     v->name);

	cr_assert_eq(pt_walk(&c.h->host, &d, c.base + 3 * g + 4, PT_ACC_W, &r),
		     0, "%s: %d", v->name, r.err);
	cr_assert(r.dirty);
	cr_assert_eq(pt_walk(&c.h->host, &d, c.base + 5 * g, PT_ACC_R, &r), 0);
	cr_assert(!r.dirty);
	want = 1;
	if (big) {
		cr_assert_eq(pt_walk(&c.h->host, &d, c.base + off + 8,
				     PT_ACC_W, &r), 0);
		want += s >> c.g;
	}
	for (int pass = 0; pass < 2; pass++) {
		memset(bits, 0, words * 8);
		cr_assert_eq(pt_read_and_clear_dirty(&c.pt, c.base, c.win, &bm,
						     pass ? 0 : PT_DIRTY_NO_CLEAR),
			     0);
		cr_assert(bits[0] & (1ull << 3));
		cr_assert_eq(bm_count(bits, words), want,
			     "%s: %llu pages dirty, want %llu", v->name,
			     U(bm_count(bits, words)), U(want));
	}
	memset(bits, 0, words * 8);
	cr_assert_eq(pt_read_and_clear_dirty(&c.pt, c.base, c.win, &bm, 0), 0);
	cr_assert_eq(bm_count(bits, words), 0, "%s: not cleared", v->name);

	/* Off: a write needs no hardware update to be allowed. */
	cr_assert_eq(pt_set_dirty_tracking(&c.pt, false), 0);
	d.flags = 0;
	cr_assert_eq(pt_walk(&c.h->host, &d, c.base + 6 * g, PT_ACC_W, &r), 0,
		     "%s: write after tracking off: %d", v->name, r.err);
	free(bits);
	teardown(&c);
}

ParameterizedTestParameters(engine, alloc_failure_all_or_nothing)
{
	return cr_make_param_array(struct variant, pt_variants, pt_nvariants);
}

/* A map that runs out of table memory part-way leaves nothing mapped. */
ParameterizedTest(const struct variant *v, engine,
		  alloc_failure_all_or_nothing)
{
	struct ctx c;
	uint64_t g, len, mapped = 1, phys;

	setup(v, &c);
	g = 1ull << c.g;
	len = g << (c.g - 3); /* one leaf table's span ... */
	len *= 3;	      /* ... three of them */
	if (len > c.win / 2 || c.pt.cfg.levels < 2) {
		teardown(&c);
		return;
	}
	for (uint64_t k = 1; k < 6; k++) {
		c.h->fail_after = c.h->allocs + k;
		int ret = pt_map(&c.pt, c.base + g * 0, g, len, IOMMU_READ,
				 &mapped, &c.fl);
		if (!ret) {
			cr_assert_eq(mapped, len);
			cr_assert_eq(pt_unmap(&c.pt, c.base, len, &c.fl, NULL),
				     len);
			break;
		}
		cr_assert_eq(ret, -ENOMEM);
		cr_assert_eq(mapped, 0);
		for (uint64_t at = 0; at < len; at += g)
			cr_assert_eq(pt_iova_to_phys(&c.pt, c.base + at, &phys),
				     -ENOENT, "%s: %llx left mapped", v->name,
				     U(at));
	}
	c.h->fail_after = 0;
	teardown(&c);
}

ParameterizedTestParameters(engine, hostile_tables_bounded)
{
	return cr_make_param_array(struct variant, pt_variants, pt_nvariants);
}

/* Tables full of random bits, tables outside RAM, absurd descriptions:
 * every walk ends with a result, never a crash, in at most the levels. */
ParameterizedTest(const struct variant *v, engine, hostile_tables_bounded)
{
	struct ctx c;
	struct pt_walk_desc d, bad;
	struct pt_walk_res r;
	uint64_t seed = test_seed(v->name), region, rsize = 64 << 16;

	setup(v, &c);
	d = variant_desc(&c.pt);
	d.root = PTH_RAM + 0x10000;
	cr_assert_eq(pt_walk(&c.h->host, &d, c.base, PT_ACC_R, &r),
		     -PT_WALK_FETCH);
	cr_assert_eq(r.level, (int)c.pt.cfg.levels - 1);
	bad = d;
	bad.levels = 0;
	cr_assert_eq(pt_walk(&c.h->host, &bad, 0, PT_ACC_R, &r),
		     -PT_WALK_BAD_DESC);
	bad.levels = 7;
	cr_assert_eq(pt_walk(&c.h->host, &bad, 0, PT_ACC_R, &r),
		     -PT_WALK_BAD_DESC);
	cr_assert_eq(pt_walk(&c.h->host, &d, 0, 0x80, &r), -PT_WALK_BAD_DESC);
	cr_assert_eq(pt_walk(NULL, &d, 0, PT_ACC_R, &r), -PT_WALK_BAD_DESC);

	/* A region of random entries whose addresses mostly point back into
	 * the region (or just outside RAM). */
	region = pth_page(c.h, rsize);
	cr_assert_neq(region, 0);
	for (uint64_t off = 0; off < rsize; off += 8) {
		uint64_t e = rnd(&seed);

		if (rnd(&seed) & 1)
			e = (e & ~0x000FFFFFFFFFF000ull) |
			    ((region + (rnd(&seed) % rsize)) & ~0xFFFull);
		else if (!(rnd(&seed) % 8))
			e = (e & 0xFFF) | (PTH_RAM + 0x1000);
		pth_wr(c.h, region + off, e);
	}
	d.root = region;
	for (int i = 0; i < 20000; i++) {
		uint64_t ia = c.base + (rnd(&seed) % c.win);
		unsigned int acc = (unsigned int)(rnd(&seed) % 16);
		int ret;

		d.flags = (uint32_t)(rnd(&seed) % 128);
		ret = pt_walk(&c.h->host, &d, ia, acc, &r);
		cr_assert(ret <= 0 && ret > -PT_WALK_BAD_DESC - 1);
		cr_assert_eq(ret, -(int)r.err);
		cr_assert(r.level >= 0 && r.level < (int)c.pt.cfg.levels,
			  "%s: level %d", v->name, r.level);
		if (!ret)
			cr_assert_lt(r.size_lg2, 64);
	}
	teardown(&c);
}

/* ---- concurrency ---------------------------------------------------------- */

struct worker {
	struct ctx *c;
	uint64_t base;
	int err;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct pt *pt = &w->c->pt;
	uint64_t g = 1ull << w->c->g, mapped, phys;
	struct pt_free_list fl = {0};

	for (int i = 0; i < 2000 && !w->err; i++) {
		uint64_t iova = w->base + (uint64_t)(i % 32) * 3 * g;

		if (pt_map(pt, iova, iova, 2 * g, IOMMU_READ, &mapped, &fl) ||
		    pt_iova_to_phys(pt, iova + g, &phys) || phys != iova + g ||
		    pt_unmap(pt, iova, 2 * g, &fl, NULL) != 2 * g)
			w->err = 1;
	}
	/* Tables are freed only when a range covers them whole, which
	 * these small ranges never do; free whatever there is anyway. */
	pt_free_pages(&w->c->h->host, &fl);
	pt_free_list_fini(&fl);
	return NULL;
}

ParameterizedTestParameters(engine, concurrent_disjoint_ranges)
{
	return cr_make_param_array(struct variant, pt_variants, pt_nvariants);
}

/* Two threads map and unmap disjoint ranges under one top entry at once:
 * shared upper tables are installed once, nothing is lost or leaked. */
ParameterizedTest(const struct variant *v, engine, concurrent_disjoint_ranges)
{
	struct ctx c;
	struct worker w[2];
	pthread_t t[2];
	uint64_t step;

	setup(v, &c);
	step = c.win / 2; /* 32 runs of 3 granules fit in each half */
	for (int i = 0; i < 2; i++) {
		w[i] = (struct worker){&c, c.base + (uint64_t)i * step, 0};
		cr_assert_eq(pthread_create(&t[i], NULL, worker_run, &w[i]), 0);
	}
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		cr_assert_eq(w[i].err, 0, "%s: thread %d", v->name, i);
	}
	teardown(&c);
}
