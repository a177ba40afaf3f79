// SPDX-License-Identifier: MIT
/*
 * test_diff.c - randomized differential test of the engine against a
 * plain reference: an array with one slot per granule page of a window,
 * each naming the leaf that covers it.  Per variant, PT_DIFF_OPS
 * operations (10^5 by default) of map (sizes from the format's own list,
 * aligned or not, sometimes over existing mappings), unmap (any length,
 * over holes and across large leaves) and lookups; after every operation
 * the engine's answer must equal the reference's, and at the end every
 * page of the window must agree, then the whole table is freed with no
 * page lost.
 *
 * The reference knows the engine's rules, not its code: a map is refused
 * whole if any page is taken; leaves are the largest the alignment, the
 * length left and the format's sizes allow (greedy from the start); an
 * unmap removes leaves from the start while each lies wholly inside the
 * range and stops at a hole or at a leaf the range would cut.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "variants.h"

#define NONE UINT32_MAX

struct ref {
	uint64_t pages;	 /* granule pages in the window */
	uint32_t *start; /* first page of the covering leaf, or NONE */
	uint8_t *lg2;	 /* at a leaf's first page: its size */
	uint64_t *pa;	 /* at a leaf's first page: its output address */
};

static unsigned int greedy(uint64_t sizes, uint64_t iova, uint64_t pa,
			   uint64_t rem)
{
	uint64_t a = iova | pa, cap = 1ull << (63 - __builtin_clzll(rem));

	if (a && (a & -a) < cap)
		cap = a & -a;
	return 63 - (unsigned int)__builtin_clzll(sizes & (cap | (cap - 1)));
}

static uint64_t ops_count(void)
{
	const char *e = getenv("PT_DIFF_OPS");

	return e && *e ? strtoull(e, NULL, 0) : 100000;
}

ParameterizedTestParameters(diff, engine_matches_reference)
{
	return cr_make_param_array(struct variant, pt_variants, pt_nvariants);
}

ParameterizedTest(const struct variant *v, diff, engine_matches_reference)
{
	struct pth *h = pth_new();
	struct pt_cfg cfg = variant_cfg(v);
	struct pt pt;
	struct pt_free_list fl = {0};
	struct ref r;
	uint64_t seed = test_seed(v->name), nops = ops_count();
	uint64_t base, win, sizes, g, pa_span, nmap = 0, nunmap = 0, nfail = 0;
	unsigned int gl, ia, w, maxb;

	cr_assert_not_null(h);
	cr_assert_eq(pt_init(&pt, &h->host, &cfg), 0, "pt_init(%s)", v->name);
	gl = pt.cfg.granule_lg2;
	g = 1ull << gl;
	ia = pt.cfg.ia_bits;
	/* A window of up to 2^31 bytes (2^31 / 2^gl pages in the reference),
	 * so the largest leaves that fit in it get exercised. */
	w = ia >= 33 ? 31 : ia - 1;
	if (w - gl > 19)
		w = gl + 19; /* at most 512K reference slots */
	win = 1ull << w;
	base = ia >= 33 ? 1ull << 32 : 1ull << w;
	sizes = pt.pgsizes & (win | (win - 1));
	maxb = 63 - (unsigned int)__builtin_clzll(sizes);
	pa_span = 1ull << (pt.cfg.oa_bits < 40 ? pt.cfg.oa_bits : 40);
	r.pages = win >> gl;
	r.start = malloc(r.pages * sizeof(*r.start));
	r.lg2 = calloc(r.pages, 1);
	r.pa = calloc(r.pages, sizeof(*r.pa));
	cr_assert(r.start && r.lg2 && r.pa);
	memset(r.start, 0xff, r.pages * sizeof(*r.start));

	for (uint64_t op = 0; op < nops; op++) {
		uint64_t x = rnd(&seed), pg, n, iova, len;
		unsigned int b;

		/* A size class from the format's list, favouring small. */
		do {
			b = gl + (unsigned int)(rnd(&seed) % (maxb - gl + 1));
		} while (!(sizes & (1ull << b)) ||
			 (b > gl + 9 && rnd(&seed) % 4));
		n = 1 + rnd(&seed) % (b > gl ? 3 : 40);
		len = n << b;
		if (len > win / 2)
			len = 1ull << b;
		pg = rnd(&seed) % (((win - len) >> gl) + 1);
		if (x % 3) /* mostly aligned to the class */
			pg &= ~((1ull << (b - gl)) - 1);
		if ((pg << gl) + len > win)
			pg = (win - len) >> gl;
		iova = base + (pg << gl);

		if (x % 7 < 4) {
			/* map */
			uint64_t pa = (rnd(&seed) % (pa_span - len)) & ~(g - 1);
			uint64_t mapped = 1, at, rem;
			bool busy = false;
			unsigned int prot = 1 + (unsigned int)(x >> 8) % 3;
			int ret;

			if (x & (1 << 20)) /* keep pa congruent: big leaves */
				pa = (pa & ~((1ull << b) - 1)) |
				     (iova & ((1ull << b) - 1));
			for (uint64_t i = 0; i < len >> gl; i++)
				busy |= r.start[pg + i] != NONE;
			ret = pt_map(&pt, iova, pa, len, prot, &mapped, &fl);
			if (busy) {
				cr_assert_eq(ret, -EEXIST,
					     "%s op %" PRIu64 ": map %llx+%llx "
					     "over a mapping: %d", v->name, op,
					     (unsigned long long)iova,
					     (unsigned long long)len, ret);
				cr_assert_eq(mapped, 0);
				nfail++;
				continue;
			}
			cr_assert_eq(ret, 0, "%s op %" PRIu64 ": map %llx+%llx "
				     "-> %llx: %d", v->name, op,
				     (unsigned long long)iova,
				     (unsigned long long)len,
				     (unsigned long long)pa, ret);
			cr_assert_eq(mapped, len);
			for (at = iova, rem = len; rem;) {
				unsigned int lb = greedy(sizes, at,
							 pa + (at - iova), rem);
				uint64_t p0 = (at - base) >> gl;

				for (uint64_t i = 0; i < 1ull << (lb - gl); i++)
					r.start[p0 + i] = (uint32_t)p0;
				r.lg2[p0] = (uint8_t)lb;
				r.pa[p0] = pa + (at - iova);
				at += 1ull << lb;
				rem -= 1ull << lb;
			}
			nmap++;
		} else if (x % 7 < 6) {
			/* unmap: reference first */
			uint64_t want = 0, at = pg, end = pg + (len >> gl), got;

			while (at < end && r.start[at] == at &&
			       at + (1ull << (r.lg2[at] - gl)) <= end) {
				uint64_t np = 1ull << (r.lg2[at] - gl);

				for (uint64_t i = 0; i < np; i++)
					r.start[at + i] = NONE;
				want += np << gl;
				at += np;
			}
			got = pt_unmap(&pt, iova, len, &fl, NULL);
			cr_assert_eq(got, want,
				     "%s op %" PRIu64 ": unmap %llx+%llx "
				     "removed %llx, want %llx", v->name, op,
				     (unsigned long long)iova,
				     (unsigned long long)len,
				     (unsigned long long)got,
				     (unsigned long long)want);
			nunmap++;
			if (fl.n > 64)
				pt_free_pages(&h->host, &fl);
		}
		/* a lookup every operation */
		{
			uint64_t p = rnd(&seed) % r.pages, phys = 0, s;
			int ret = pt_iova_to_phys(&pt, base + (p << gl) + 8,
						  &phys);

			if (r.start[p] == NONE) {
				cr_assert_eq(ret, -ENOENT, "%s op %" PRIu64
					     ": page %llx should be unmapped",
					     v->name, op,
					     (unsigned long long)p);
			} else {
				s = r.start[p];
				cr_assert_eq(ret, 0);
				cr_assert_eq(phys, r.pa[s] + ((p - s) << gl) + 8,
					     "%s op %" PRIu64 ": page %llx",
					     v->name, op,
					     (unsigned long long)p);
			}
		}
	}
	/* Every page agrees at the end. */
	for (uint64_t p = 0; p < r.pages; p++) {
		uint64_t phys = 0;
		int ret = pt_iova_to_phys(&pt, base + (p << gl), &phys);

		if (r.start[p] == NONE)
			cr_assert_eq(ret, -ENOENT);
		else
			cr_assert_eq(phys, r.pa[r.start[p]] +
						   ((p - r.start[p]) << gl));
	}
	fprintf(stderr, "diff[%s]: %" PRIu64 " ops: %" PRIu64 " maps (%" PRIu64
		" refused), %" PRIu64 " unmaps\n", v->name, nops, nmap, nfail,
		nunmap);
	pt_free_pages(&h->host, &fl);
	pt_free_list_fini(&fl);
	pt_destroy(&pt);
	cr_assert_eq(h->live_pages, 0, "%s: table pages leaked", v->name);
	cr_assert_eq(h->bad_free, 0);
	free(r.start);
	free(r.lg2);
	free(r.pa);
	pth_free(h);
}
