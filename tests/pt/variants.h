/* SPDX-License-Identifier: MIT */
/*
 * variants.h - every format x granule x level count the engine suite runs
 * its parameterized tests on, and helpers shared by those tests.
 */
#ifndef PT_VARIANTS_H
#define PT_VARIANTS_H

#include <stdint.h>

#include "pth.h"

/* One configuration; plain data (Criterion copies parameters). */
struct variant {
	char name[24];
	enum pt_fmt fmt;
	unsigned int granule_lg2;
	unsigned int levels;  /* 0: derived (lpae) */
	unsigned int ia_bits; /* 0: the format's full width */
	unsigned int oa_bits;
	unsigned int features;
};

extern const struct variant pt_variants[];
extern const unsigned int pt_nvariants;

/* The variant's pt_cfg. */
struct pt_cfg variant_cfg(const struct variant *v);

/* A walk description for the table @pt (as a model would decode it). */
struct pt_walk_desc variant_desc(const struct pt *pt);

/* Seed from $PT_TEST_SEED or the clock, printed with @what. */
uint64_t test_seed(const char *what);

/* Leaves variant_fill_random() maps, at most. */
#define VARIANT_NLEAF 400

/* Leaves of random sizes over [@base, +@win), R/W/X and privilege at
 * random, output below @pa_limit; @at gets an address in each leaf
 * mapped (VARIANT_NLEAF room).  Return: how many. */
unsigned int variant_fill_random(struct pt *pt, struct pt_free_list *fl,
				 uint64_t *seed, uint64_t base, uint64_t win,
				 uint64_t pa_limit, uint64_t *at);

/* @e after a random corruption (reserved bits, attributes, A and D,
 * validity), or as it was. */
uint64_t variant_corrupt(uint64_t e, uint64_t *seed);

/* xorshift64* */
static inline uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1Dull;
}

#endif
