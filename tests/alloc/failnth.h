/* SPDX-License-Identifier: MIT */
/*
 * failnth.h - the allocation-failure injector of tests/alloc (in the style
 * of Linux's iommufd fail_nth).
 *
 * failnth.c defines malloc, calloc, realloc, reallocarray, aligned_alloc,
 * posix_memalign, memalign, valloc, pvalloc, strdup, strndup and free in
 * the test program.  The executable's definitions win over glibc's for
 * the static core and for every dlopened plugin, so each allocation of the
 * library passes through here and on to glibc's __libc_* functions.
 * Between fnth_arm() and fnth_disarm(), on the thread that armed, the
 * allocations are counted, the N-th fails (or the N-th and every later
 * one) and the live ones are tracked, so that a leak shows after the
 * context is gone.  Allocations of other threads, of dlopen/dlclose and
 * of everything outside the window pass through uncounted.  dlopen
 * itself is one counted event: when it is the N-th it fails.  So is each
 * table-memory allocation (the pages of simulated RAM a driver builds its
 * tables and queues in, iommu__table_alloc; the test program links with
 * --wrap for it): the N-th may be a table page, and a page still
 * allocated after the context is gone is a leak.
 *
 * Not for the asan and tsan flavours: their runtimes interpose malloc
 * themselves (tests/alloc/SConscript builds this suite in debug only).
 */
#ifndef TESTS_ALLOC_FAILNTH_H
#define TESTS_ALLOC_FAILNTH_H

#include <stdbool.h>
#include <stddef.h>

/* Once, before the first fork: loads the unwinder so that capturing a
 * stack later allocates nothing. */
void fnth_init(void);

/*
 * fnth_arm() - start counting on the calling thread
 * @fail_at: the allocation (1-based) that fails; 0: none
 * @fail_after: also fail every allocation after @fail_at
 * The counters and the tracking table start empty.
 */
void fnth_arm(unsigned long fail_at, bool fail_after);
void fnth_disarm(void);

/* Allocations counted since fnth_arm() (dlopen included). */
unsigned long fnth_count(void);
/* Failures injected since fnth_arm(). */
unsigned long fnth_injected(void);
/* Allocations made in the window and not freed yet. */
size_t fnth_live(void);
/* The tracking table overflowed: the leak check is incomplete. */
bool fnth_overflow(void);

/* A live allocation: its size, its number in the window, its caller. */
struct fnth_block {
	size_t size;
	unsigned long seq;
	void *caller;
	bool mapped; /* an anonymous mmap, not a malloc */
	bool table;  /* table memory (iommu__table_alloc), not a malloc */
};

/* Up to @max live allocations into @out, oldest first; the number given. */
size_t fnth_live_list(struct fnth_block *out, size_t max);
/* The caller of the allocation that failed first (NULL: none). */
void *fnth_site_caller(void);
/* The stack of the first injected failure (0 frames: none); signal-safe. */
int fnth_site(void **out, int max);

#endif /* TESTS_ALLOC_FAILNTH_H */
