/* SPDX-License-Identifier: MIT */
/*
 * lpae_help.h - what the Arm VMSAv8-64 tests (test_lpae*.c) share: the
 * descriptor bits they read (written from the sheet, smmuv3.md 4), a
 * table on the suite's host (struct lt) and the test's own descent to an
 * entry, independent of the format file.
 */
#ifndef PT_LPAE_HELP_H
#define PT_LPAE_HELP_H

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

static inline void lt_init(struct lt *t, enum pt_fmt fmt, unsigned int g,
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

static inline void lt_fini(struct lt *t)
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
static inline struct pt_walk_desc lt_desc(const struct lt *t)
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

static inline void lt_map(struct lt *t, uint64_t iova, uint64_t pa,
			  uint64_t len, unsigned int prot)
{
	uint64_t mapped = 0;
	int ret = pt_map(&t->pt, iova, pa, len, prot, &mapped, &t->fl);

	cr_assert_eq(ret, 0, "map %llx -> %llx len %llx: %d", U(iova), U(pa),
		     U(len), ret);
	cr_assert_eq(mapped, len);
}

/* The test's own reading of an address field (smmuv3 4.11). */
static inline uint64_t addr_of(unsigned int g, uint64_t e)
{
	uint64_t a = e & (((1ull << 48) - 1) & ~((1ull << g) - 1));

	if (g == 16)
		a |= ((e >> 12) & 0xF) << 48;
	return a;
}

/* The table the descriptor at @epa points to; it must be exactly a table
 * descriptor: address | 0b11 (smmuv3 4.7, 4.14). */
static inline uint64_t next_tbl(struct lt *t, uint64_t epa)
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
static inline uint64_t ent_pa(struct lt *t, uint64_t iova, unsigned int lvl)
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

/* Leaf sizes a configuration offers (pt_pgsizes). */
static inline uint64_t sizes(enum pt_fmt fmt, unsigned int g, unsigned int ia,
			     unsigned int oa, unsigned int feats)
{
	struct pt_cfg cfg = {.fmt = fmt, .granule_lg2 = g, .ia_bits = ia,
			     .oa_bits = oa, .features = feats};

	return pt_pgsizes(&cfg);
}

#endif
