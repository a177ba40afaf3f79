// SPDX-License-Identifier: MIT
/*
 * test_ids.c - the ID allocator: bounds, lowest-first allocation,
 * exhaustion, particular IDs, frees, sparse 32-bit spaces, threads.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include <criterion/criterion.h>

#include "ilib_ids.h"

Test(ids, init_refuses_bad_arguments)
{
	struct ilib_ids ids;

	cr_assert_eq(ilib_ids_init(NULL, 0, 1), -EINVAL);
	cr_assert_eq(ilib_ids_init(&ids, 5, 4), -EINVAL);
	cr_assert_eq(ilib_ids_init(&ids, 7, 7), 0);
	ilib_ids_fini(&ids);
	ilib_ids_fini(NULL);
}

Test(ids, alloc_bounds_outside_the_space_are_refused)
{
	struct ilib_ids ids;
	uint32_t id = 99;

	cr_assert_eq(ilib_ids_init(&ids, 2, 15), 0);
	cr_assert_eq(ilib_ids_alloc(&ids, 1, 15, &id), -EINVAL);
	cr_assert_eq(ilib_ids_alloc(&ids, 2, 16, &id), -EINVAL);
	cr_assert_eq(ilib_ids_alloc(&ids, 9, 8, &id), -EINVAL);
	cr_assert_eq(ilib_ids_alloc(&ids, 2, 15, NULL), -EINVAL);
	cr_assert_eq(ilib_ids_alloc_id(&ids, 1), -EINVAL);
	cr_assert_eq(ilib_ids_alloc_id(&ids, 16), -EINVAL);
	cr_assert_eq(ilib_ids_free(&ids, 16), -EINVAL);
	cr_assert_eq(id, 99, "a refused call wrote the ID");
	cr_assert_eq(ilib_ids_used(&ids), 0);
	ilib_ids_fini(&ids);
}

Test(ids, lowest_free_first_then_exhaustion)
{
	struct ilib_ids ids;
	uint32_t id;

	cr_assert_eq(ilib_ids_init(&ids, 2, 15), 0);
	for (uint32_t want = 2; want <= 15; want++) {
		cr_assert_eq(ilib_ids_alloc(&ids, 2, 15, &id), 0);
		cr_assert_eq(id, want);
	}
	cr_assert_eq(ilib_ids_alloc(&ids, 2, 15, &id), -ENOSPC);
	cr_assert_eq(ilib_ids_used(&ids), 14);
	cr_assert_eq(ilib_ids_free(&ids, 9), 0);
	cr_assert_eq(ilib_ids_free(&ids, 4), 0);
	cr_assert_eq(ilib_ids_alloc(&ids, 2, 15, &id), 0);
	cr_assert_eq(id, 4, "not the lowest free ID: %u", id);
	cr_assert_eq(ilib_ids_alloc(&ids, 2, 15, &id), 0);
	cr_assert_eq(id, 9);
	cr_assert_eq(ilib_ids_alloc(&ids, 2, 15, &id), -ENOSPC);
	ilib_ids_fini(&ids);
}

Test(ids, alloc_within_a_sub_range)
{
	struct ilib_ids ids;
	uint32_t id;

	cr_assert_eq(ilib_ids_init(&ids, 0, 99), 0);
	cr_assert_eq(ilib_ids_alloc(&ids, 50, 51, &id), 0);
	cr_assert_eq(id, 50);
	cr_assert_eq(ilib_ids_alloc(&ids, 50, 51, &id), 0);
	cr_assert_eq(id, 51);
	cr_assert_eq(ilib_ids_alloc(&ids, 50, 51, &id), -ENOSPC);
	cr_assert_eq(ilib_ids_alloc(&ids, 0, 99, &id), 0);
	cr_assert_eq(id, 0);
	ilib_ids_fini(&ids);
}

Test(ids, specific_ids_are_taken_once_and_skipped)
{
	struct ilib_ids ids;
	uint32_t id;

	cr_assert_eq(ilib_ids_init(&ids, 1, 8), 0);
	cr_assert_eq(ilib_ids_alloc_id(&ids, 1), 0);
	cr_assert_eq(ilib_ids_alloc_id(&ids, 3), 0);
	cr_assert_eq(ilib_ids_alloc_id(&ids, 3), -EBUSY);
	cr_assert(ilib_ids_taken(&ids, 3));
	cr_assert_not(ilib_ids_taken(&ids, 2));
	cr_assert_not(ilib_ids_taken(&ids, 0), "outside the space");
	cr_assert_eq(ilib_ids_alloc(&ids, 1, 8, &id), 0);
	cr_assert_eq(id, 2);
	cr_assert_eq(ilib_ids_alloc(&ids, 1, 8, &id), 0);
	cr_assert_eq(id, 4, "allocation did not skip the specific ID 3");
	ilib_ids_fini(&ids);
}

Test(ids, double_free_is_refused_and_changes_nothing)
{
	struct ilib_ids ids;
	uint32_t id;

	cr_assert_eq(ilib_ids_init(&ids, 0, 3), 0);
	cr_assert_eq(ilib_ids_alloc(&ids, 0, 3, &id), 0);
	cr_assert_eq(ilib_ids_free(&ids, id), 0);
	cr_assert_eq(ilib_ids_free(&ids, id), -ENOENT);
	cr_assert_eq(ilib_ids_free(&ids, 2), -ENOENT);
	cr_assert_eq(ilib_ids_used(&ids), 0);
	ilib_ids_fini(&ids);
}

Test(ids, full_32_bit_space_is_sparse)
{
	struct ilib_ids ids;
	uint32_t id;

	cr_assert_eq(ilib_ids_init(&ids, 0, UINT32_MAX), 0);
	cr_assert_eq(ilib_ids_alloc_id(&ids, UINT32_MAX), 0);
	cr_assert_eq(ilib_ids_alloc(&ids, UINT32_MAX - 1, UINT32_MAX, &id), 0);
	cr_assert_eq(id, UINT32_MAX - 1);
	cr_assert_eq(ilib_ids_alloc(&ids, UINT32_MAX - 1, UINT32_MAX, &id),
		     -ENOSPC);
	cr_assert_eq(ilib_ids_alloc(&ids, 0, UINT32_MAX, &id), 0);
	cr_assert_eq(id, 0);
	cr_assert_eq(ilib_ids_free(&ids, UINT32_MAX), 0);
	cr_assert_eq(ilib_ids_used(&ids), 2);
	ilib_ids_fini(&ids);
}

Test(ids, exhaustion_across_leaves_and_a_partial_last_leaf)
{
	const uint32_t n = 2 * ILIB_IDS_LEAF + 5;
	struct ilib_ids ids;
	uint32_t id;

	cr_assert_eq(ilib_ids_init(&ids, 10, 10 + n - 1), 0);
	for (uint32_t i = 0; i < n; i++) {
		cr_assert_eq(ilib_ids_alloc(&ids, 10, 10 + n - 1, &id), 0);
		cr_assert_eq(id, 10 + i);
	}
	cr_assert_eq(ilib_ids_alloc(&ids, 10, 10 + n - 1, &id), -ENOSPC);
	/* A hole in the first (full) leaf is found again. */
	cr_assert_eq(ilib_ids_free(&ids, 10 + 77), 0);
	cr_assert_eq(ilib_ids_alloc(&ids, 10, 10 + n - 1, &id), 0);
	cr_assert_eq(id, 10 + 77);
	/* A hole in the partial last leaf too. */
	cr_assert_eq(ilib_ids_free(&ids, 10 + n - 1), 0);
	cr_assert_eq(ilib_ids_alloc(&ids, 10, 10 + n - 1, &id), 0);
	cr_assert_eq(id, 10 + n - 1);
	cr_assert_eq(ilib_ids_used(&ids), n);
	ilib_ids_fini(&ids);
}

#define NTHREADS 4
#define PER	 500

struct ids_worker {
	struct ilib_ids *ids;
	uint32_t got[PER];
	int err;
};

static void *ids_thread(void *arg)
{
	struct ids_worker *w = arg;

	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < PER; i++)
			if (ilib_ids_alloc(w->ids, 0, NTHREADS * PER - 1,
					   &w->got[i]))
				w->err++;
		if (round == 2)
			break;
		for (int i = 0; i < PER; i++)
			if (ilib_ids_free(w->ids, w->got[i]))
				w->err++;
	}
	return NULL;
}

Test(ids, threads_never_get_the_same_id)
{
	static struct ids_worker w[NTHREADS];
	pthread_t t[NTHREADS];
	struct ilib_ids ids;
	uint8_t *seen;

	cr_assert_eq(ilib_ids_init(&ids, 0, NTHREADS * PER - 1), 0);
	for (int i = 0; i < NTHREADS; i++) {
		w[i].ids = &ids;
		cr_assert_eq(pthread_create(&t[i], NULL, ids_thread, &w[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	seen = calloc(NTHREADS * PER, 1);
	cr_assert_not_null(seen);
	for (int i = 0; i < NTHREADS; i++) {
		cr_assert_eq(w[i].err, 0, "thread %d had %d failures", i,
			     w[i].err);
		for (int k = 0; k < PER; k++) {
			cr_assert_lt(w[i].got[k], NTHREADS * PER);
			cr_assert_eq(seen[w[i].got[k]], 0, "ID %u twice",
				     w[i].got[k]);
			seen[w[i].got[k]] = 1;
		}
	}
	cr_assert_eq(ilib_ids_used(&ids), NTHREADS * PER);
	free(seen);
	ilib_ids_fini(&ids);
}
