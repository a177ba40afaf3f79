/* SPDX-License-Identifier: MIT */
/*
 * amdv1_help.h - what the AMD-Vi v1 tests (test_amdv1*.c) share: the
 * entry bits, a table on the suite's host (struct amd) and the test's own
 * descent to an entry.
 *
 * The entry bits below are written from the sheet (3.1), not taken from
 * the format file, so a misreading there shows here.
 */
#ifndef PT_AMDV1_HELP_H
#define PT_AMDV1_HELP_H

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

static inline void amd_init(struct amd *a, unsigned int mode,
			    unsigned int feat)
{
	struct pt_cfg cfg = {.fmt = PT_FMT_AMDV1, .levels = mode,
			     .oa_bits = 52, .features = feat};

	memset(a, 0, sizeof(*a));
	a->h = pth_new();
	cr_assert_not_null(a->h);
	cr_assert_eq(pt_init(&a->pt, &a->h->host, &cfg), 0, "mode %u", mode);
}

static inline void amd_fini(struct amd *a)
{
	pt_free_pages(&a->h->host, &a->fl);
	pt_free_list_fini(&a->fl);
	pt_destroy(&a->pt);
	cr_assert_eq(a->h->live_pages, 0, "%llu table pages leaked",
		     U(a->h->live_pages));
	cr_assert_eq(a->h->bad_free, 0);
	pth_free(a->h);
}

static inline void amd_map(struct amd *a, uint64_t iova, uint64_t pa,
			   uint64_t len, unsigned int prot)
{
	uint64_t mapped = 0;
	int ret = pt_map(&a->pt, iova, pa, len, prot, &mapped, &a->fl);

	cr_assert_eq(ret, 0, "map %llx -> %llx (%llx): %d", U(iova), U(pa),
		     U(len), ret);
	cr_assert_eq(mapped, len);
}

static inline struct pt_walk_desc amd_desc(uint64_t root, unsigned int mode)
{
	struct pt_walk_desc d = {.fmt = PT_FMT_AMDV1, .root = root,
				 .levels = (uint8_t)mode, .oa_bits = 52};

	return d;
}

/* Address of the entry for @iova at our level @lvl (AMD level @lvl + 1),
 * descending by hand with the sheet's index rule (3.2). */
static inline uint64_t slot(struct pth *h, uint64_t root, unsigned int mode,
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

#endif
