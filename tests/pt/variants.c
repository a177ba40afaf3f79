// SPDX-License-Identifier: MIT
/*
 * variants.c - the configurations of the parameterized engine tests:
 * every format, each granule of the Arm formats, each level count the
 * sheets allow (vtd 5.1/5.2, amdvi 3.2/4.1, smmuv3 4.2/4.4).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "variants.h"

#define D  PT_FEAT_DIRTY
#define C  PT_FEAT_CONTIG
#define NG PT_FEAT_NG

const struct variant pt_variants[] = {
	{"vtdss-3", PT_FMT_VTDSS, 12, 3, 0, 48, D},
	{"vtdss-4", PT_FMT_VTDSS, 12, 4, 0, 48, D | PT_FEAT_SNOOP},
	{"vtdss-5", PT_FMT_VTDSS, 12, 5, 0, 52, D},
	{"x86_64-4", PT_FMT_X86_64, 12, 4, 47, 48, D},
	{"x86_64-5", PT_FMT_X86_64, 12, 5, 56, 52, D},
	{"amdv2-4", PT_FMT_AMDV2, 12, 4, 47, 52, D},
	{"amdv2-5", PT_FMT_AMDV2, 12, 5, 56, 52, D},
	{"amdv1-1", PT_FMT_AMDV1, 12, 1, 0, 52, D},
	{"amdv1-2", PT_FMT_AMDV1, 12, 2, 0, 52, D},
	{"amdv1-3", PT_FMT_AMDV1, 12, 3, 0, 52, D | PT_FEAT_FC},
	{"amdv1-4", PT_FMT_AMDV1, 12, 4, 0, 52, D},
	{"amdv1-5", PT_FMT_AMDV1, 12, 5, 0, 52, D},
	{"amdv1-6", PT_FMT_AMDV1, 12, 6, 0, 52, D | PT_FEAT_FC},
	{"lpae_s1-4k-48", PT_FMT_LPAE_S1, 12, 0, 48, 48, D | C | NG},
	{"lpae_s1-4k-39", PT_FMT_LPAE_S1, 12, 0, 39, 44, D},
	{"lpae_s1-4k-32", PT_FMT_LPAE_S1, 12, 0, 32, 40, D | C},
	{"lpae_s1-16k-48", PT_FMT_LPAE_S1, 14, 0, 48, 48, D | C},
	{"lpae_s1-16k-36", PT_FMT_LPAE_S1, 14, 0, 36, 48, D},
	{"lpae_s1-64k-48", PT_FMT_LPAE_S1, 16, 0, 48, 52, D | C | NG},
	{"lpae_s1-64k-42", PT_FMT_LPAE_S1, 16, 0, 42, 48, D},
	{"lpae_s2-4k-48", PT_FMT_LPAE_S2, 12, 0, 48, 48, D | C},
	{"lpae_s2-4k-40", PT_FMT_LPAE_S2, 12, 0, 40, 48, D},
	{"lpae_s2-16k-48", PT_FMT_LPAE_S2, 14, 0, 48, 48, D | C},
	{"lpae_s2-16k-40", PT_FMT_LPAE_S2, 14, 0, 40, 44, D},
	{"lpae_s2-64k-48", PT_FMT_LPAE_S2, 16, 0, 48, 52, D | C},
	{"lpae_s2-64k-42", PT_FMT_LPAE_S2, 16, 0, 42, 48, D},
};

const unsigned int pt_nvariants = sizeof(pt_variants) / sizeof(pt_variants[0]);

struct pt_cfg variant_cfg(const struct variant *v)
{
	struct pt_cfg cfg = {
		.fmt = v->fmt,
		.granule_lg2 = v->granule_lg2,
		.levels = v->levels,
		.ia_bits = v->ia_bits,
		.oa_bits = v->oa_bits,
		.features = v->features,
	};

	return cfg;
}

struct pt_walk_desc variant_desc(const struct pt *pt)
{
	struct pt_walk_desc d = {
		.fmt = pt->cfg.fmt,
		.root = pt->root_pa,
		.granule_lg2 = (uint8_t)pt->cfg.granule_lg2,
		.levels = (uint8_t)pt->cfg.levels,
		.top_bits = (uint8_t)pt->top_bits,
		.ia_bits = (uint8_t)(pt->cfg.ia_bits >= 64 ? 0
							   : pt->cfg.ia_bits),
		.oa_bits = (uint8_t)pt->cfg.oa_bits,
	};

	return d;
}

uint64_t test_seed(const char *what)
{
	const char *env = getenv("PT_TEST_SEED");
	uint64_t seed;

	if (env && *env)
		seed = strtoull(env, NULL, 0);
	else
		seed = (uint64_t)time(NULL) ^ ((uint64_t)clock() << 20);
	if (!seed)
		seed = 1;
	fprintf(stderr, "%s: seed %" PRIu64 " (set PT_TEST_SEED to repeat)\n",
		what, seed);
	return seed;
}

/* Leaves of random sizes over a window, R/W/X and privilege at random;
 * @at gets an address in each leaf mapped.  Return: how many. */
unsigned int variant_fill_random(struct pt *pt, struct pt_free_list *fl,
				 uint64_t *seed, uint64_t base, uint64_t win,
				 uint64_t pa_limit, uint64_t *at)
{
	unsigned int n = 0;

	const uint64_t sizes = pt->pgsizes & (win / 8 | (win / 8 - 1));

	for (unsigned int i = 0; i < VARIANT_NLEAF; i++) {
		unsigned int b;
		uint64_t iova, pa, mapped = 0;
		unsigned int prot;

		do
			b = (unsigned int)(rnd(seed) % 64);
		while (!(sizes & (1ull << b)) || (b > 30 && rnd(seed) % 2));
		iova = base + ((rnd(seed) % win) & ~((1ull << b) - 1));
		if (iova + (1ull << b) > base + win)
			continue;
		pa = (rnd(seed) % (pa_limit / 2)) & ~((1ull << b) - 1);
		prot = (rnd(seed) % 3 + 1) |
		       (rnd(seed) % 4 ? 0 : PT_PROT_NOEXEC) |
		       (pt->cfg.fmt == PT_FMT_LPAE_S1 && rnd(seed) % 4 == 0
				? PT_PROT_PRIV
				: 0);
		if (!pt_map(pt, iova, pa, 1ull << b, prot, &mapped, fl))
			at[n++] = iova + (rnd(seed) & ((1ull << b) - 1));
	}
	return n;
}

/* The entry after a random corruption (or as it was). */
uint64_t variant_corrupt(uint64_t e, uint64_t *seed)
{
	switch (rnd(seed) % 8) {
	case 0:
		return e ^ (1ull << (rnd(seed) % 64));
	case 1:
		return e ^ (1ull << (rnd(seed) % 12)); /* low attributes */
	case 2:
		return e ^ (1ull << (52 + rnd(seed) % 12)); /* high ones */
	case 3:
		return e & ~(0x3ull << 5); /* x86 A, D; amdv1 A, D */
	case 4:
		return e & ~((1ull << 10) | (1ull << 8) | (1ull << 9) |
			     (1ull << 7)); /* lpae AF, AP[2]; vtdss A, D */
	default:
		return e;
	}
}
