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

/* xorshift64* */
static inline uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1Dull;
}

#endif
