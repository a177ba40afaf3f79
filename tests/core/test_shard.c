// SPDX-License-Identifier: MIT
/*
 * test_shard.c - the per-thread counter shards (core.h, dma.c): a thread
 * that exits gives its shard back, so a VMM that starts and ends worker
 * threads all day keeps counting without a read-modify-write on a shared
 * line; more live threads than shards share one last shard with atomic
 * adds; and the counts stay exact through all of it.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "core.h"
#include "iommu/iommu.h"
#include "vctx.h"

#define PAGE 4096ull
#define DATA_PA 0x100000ull

/* ---- shard numbers ------------------------------------------------------ */

static void *take_number(void *arg)
{
	*(unsigned int *)arg = iommu__shard_thread() - 1;
	return NULL;
}

Test(shard, a_thread_that_exits_gives_its_number_back)
{
	unsigned int first = IOMMU__SHARDS, t;

	/* Far more threads, one after the other, than there are shards. */
	for (unsigned int i = 0; i < 4 * IOMMU__SHARDS; i++) {
		pthread_t th;

		t = IOMMU__SHARDS + 1;
		cr_assert_eq(pthread_create(&th, NULL, take_number, &t), 0);
		cr_assert_eq(pthread_join(th, NULL), 0);
		cr_assert_lt(t, IOMMU__SHARDS,
			     "thread %u of a sequence got shard %u: numbers "
			     "are not given back",
			     i, t);
		if (i == 0)
			first = t;
		cr_assert_eq(t, first,
			     "thread %u got shard %u, not the one its "
			     "predecessor gave back (%u)",
			     i, t, first);
	}
}

struct hold {
	pthread_barrier_t *all_have, *may_exit;
	unsigned int t;
};

static void *take_and_hold(void *arg)
{
	struct hold *h = arg;

	h->t = iommu__shard_thread() - 1;
	pthread_barrier_wait(h->all_have);
	pthread_barrier_wait(h->may_exit);
	return NULL;
}

Test(shard, live_threads_never_share_an_owned_number)
{
	enum { N = IOMMU__SHARDS + 8 };
	static struct hold h[N];
	pthread_barrier_t all_have, may_exit;
	pthread_t th[N];
	unsigned int owned = 0, shared = 0;
	uint64_t seen = 0;

	cr_assert_eq(pthread_barrier_init(&all_have, NULL, N + 1), 0);
	cr_assert_eq(pthread_barrier_init(&may_exit, NULL, N + 1), 0);
	for (unsigned int i = 0; i < N; i++) {
		h[i] = (struct hold){ &all_have, &may_exit, 0 };
		cr_assert_eq(pthread_create(&th[i], NULL, take_and_hold, &h[i]),
			     0);
	}
	pthread_barrier_wait(&all_have);
	for (unsigned int i = 0; i < N; i++) {
		cr_assert_leq(h[i].t, IOMMU__SHARDS);
		if (h[i].t == IOMMU__SHARDS) {
			shared++;
			continue;
		}
		cr_assert_not(seen >> h[i].t & 1,
			      "two live threads own shard %u", h[i].t);
		seen |= UINT64_C(1) << h[i].t;
		owned++;
	}
	pthread_barrier_wait(&may_exit);
	for (unsigned int i = 0; i < N; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&all_have);
	pthread_barrier_destroy(&may_exit);
	/* This thread may hold one number (the test runner's own). */
	cr_assert_geq(owned, IOMMU__SHARDS - 1);
	cr_assert_geq(shared, N - IOMMU__SHARDS);
}

/* ---- counts through churn ----------------------------------------------- */

#define XLATES 2000
#define WAVES 8
#define WAVE_THREADS 8
#define BUSY_THREADS 4
#define BUSY_XLATES 200000

struct xl {
	struct iommu_ctx *ctx;
	uint32_t dev;
	uint64_t iova;
	unsigned int count;
	/* A holder: @go says it has its shard, @done lets it exit. */
	pthread_barrier_t *go, *done;
	int bad;
};

static void *translate_some(void *arg)
{
	struct xl *x = arg;
	struct iommu_translation t;

	/* A holder translates (takes its shard), then says so; the others
	 * wait to start together. */
	if (!x->done)
		pthread_barrier_wait(x->go);
	for (unsigned int i = 0; i < x->count; i++)
		if (iommu_dma_translate(x->ctx, x->dev, IOMMU_NO_PASID,
					x->iova + (i % 4) * 8, 8,
					IOMMU_ACCESS_READ, &t) ||
		    t.phys != DATA_PA + (i % 4) * 8)
			x->bad++;
	if (x->done) {
		pthread_barrier_wait(x->go);
		pthread_barrier_wait(x->done);
	}
	return NULL;
}

/*
 * Waves of short-lived threads: the translation count is exact,
 * whichever shards counted.  Every other wave, IOMMU__SHARDS threads
 * translate once and stay alive, holding every shard, while
 * BUSY_THREADS more translate at length, together, on the one shared
 * shard (a plain load and store there would lose counts).
 */
Test(shard, counts_stay_exact_as_threads_come_and_go, .timeout = 120)
{
	struct iommu_stats st = { .size = sizeof(st) };
	static struct xl x[IOMMU__SHARDS + BUSY_THREADS];
	static pthread_t th[IOMMU__SHARDS + BUSY_THREADS];
	struct iommu_ctx *ctx;
	uint64_t iova, want = 0;
	uint32_t dev;

	vctx_create("virtio", NULL, 0, &ctx, &dev);
	cr_assert_eq(iommu_dma_map(ctx, dev, DATA_PA, PAGE, IOMMU_READ, &iova),
		     0);
	cr_assert_eq(iommu_reset_stats(ctx), 0);
	for (unsigned int w = 0; w < WAVES; w++) {
		const bool crowd = w & 1;
		const unsigned int holders = crowd ? IOMMU__SHARDS : 0;
		const unsigned int n =
			crowd ? holders + BUSY_THREADS : WAVE_THREADS;
		pthread_barrier_t hold, go, done;

		/* The holders take their shards first, then the busy ones
		 * start, together. */
		cr_assert_eq(pthread_barrier_init(&hold, NULL, holders + 1), 0);
		cr_assert_eq(pthread_barrier_init(&go, NULL, n - holders), 0);
		cr_assert_eq(pthread_barrier_init(&done, NULL, holders + 1), 0);
		for (unsigned int i = 0; i < n; i++) {
			const bool holder = i < holders;

			x[i] = (struct xl){ ctx, dev, iova,
					    holder  ? 1
					    : crowd ? BUSY_XLATES
						    : XLATES,
					    holder ? &hold : &go,
					    holder ? &done : NULL, 0 };
			if (i == holders && holders)
				pthread_barrier_wait(&hold);
			cr_assert_eq(pthread_create(&th[i], NULL,
						    translate_some, &x[i]),
				     0);
			want += x[i].count;
		}
		for (unsigned int i = holders; i < n; i++)
			cr_assert_eq(pthread_join(th[i], NULL), 0);
		if (holders)
			pthread_barrier_wait(&done);
		for (unsigned int i = 0; i < holders; i++)
			cr_assert_eq(pthread_join(th[i], NULL), 0);
		for (unsigned int i = 0; i < n; i++)
			cr_assert_eq(x[i].bad, 0, "wave %u thread %u", w, i);
		pthread_barrier_destroy(&hold);
		pthread_barrier_destroy(&go);
		pthread_barrier_destroy(&done);
	}
	cr_assert_eq(iommu_get_stats(ctx, &st), 0);
	cr_assert_eq(st.v[IOMMU_STAT_TRANSLATIONS], want,
		     "%llu translations counted, %llu made",
		     (unsigned long long)st.v[IOMMU_STAT_TRANSLATIONS],
		     (unsigned long long)want);
	iommu_ctx_destroy(ctx);
}
