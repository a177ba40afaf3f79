// SPDX-License-Identifier: MIT
/*
 * tsan_criterion.c - lets Criterion start under ThreadSanitizer.
 *
 * Linked into every test program of the tsan flavour only
 * (site_scons/site_tools/iommu.py); nothing here is a test.
 *
 * Criterion's sandbox (BoxFort, compiled into libcriterion) shares an
 * arena with each test worker.  It places the arena at
 * 0x200000000000 + (rand_r() & 0x3fffff) * 16 MiB, probes that the pages
 * are unmapped, and gives up after ten tries ("Could not initialize
 * inheritable arena", or a crash when the failure is not checked).
 * TSan reserves nearly all of that window for its shadow and protects
 * the gaps, so a try succeeds about one time in forty: most runs abort
 * before the first test (Criterion issue #274).  One arena is made per
 * test, so retrying the program does not help either.
 *
 * This file defines rand_r(), which the executable exports and so takes
 * precedence over the C library's for libcriterion.  Draws whose seed
 * lives in libcriterion (BoxFort's placement seed; nothing else there
 * calls it) are repeated until the address BoxFort derives from them is
 * unmapped, which under TSan means application memory.  Every other
 * caller gets the C library's sequence unchanged.  Should BoxFort change
 * its formula, the steering stops helping and the old failure shows
 * again; it never breaks a run that works without it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* BoxFort's placement (64-bit): base + (draw & mask) * step. */
#define BXF_BASE     0x200000000000ull
#define BXF_MASK     0x3fffffull
#define BXF_STEP_LG2 24

/* Draws tried before giving up and returning the C library's value. */
#define DRAWS_MAX 65536

int rand_r(unsigned int *seed);

/* Whether @seed is a variable of libcriterion (BoxFort's seed). */
static bool seed_is_boxforts(const unsigned int *seed)
{
	Dl_info info;

	return dladdr(seed, &info) && info.dli_fname &&
	       strstr(info.dli_fname, "libcriterion");
}

/* Whether the page at the address BoxFort derives from @v is unmapped. */
static bool arena_room(int v)
{
	uintptr_t addr =
	    (uintptr_t)(BXF_BASE + (((uint64_t)v & BXF_MASK) << BXF_STEP_LG2));
	unsigned char vec;

	/* mincore() fails with ENOMEM exactly on unmapped pages; TSan's
	 * reserved ranges are mapped (inaccessible), so they say no. */
	return mincore((void *)addr, (size_t)sysconf(_SC_PAGESIZE), &vec) &&
	       errno == ENOMEM;
}

int rand_r(unsigned int *seed)
{
	int (*next)(unsigned int *) =
	    (int (*)(unsigned int *))dlsym(RTLD_NEXT, "rand_r");
	int saved = errno, v, i;

	if (!next) /* no C library rand_r: nothing to steer */
		return 0;
	v = next(seed);
	if (!seed_is_boxforts(seed))
		return v;
	for (i = 1; i < DRAWS_MAX && !arena_room(v); i++)
		v = next(seed);
	/* A caller may look at errno after us; mincore() changed it. */
	errno = saved;
	return v;
}
