// SPDX-License-Identifier: MIT
/*
 * test_stat.c - what a device model counts while it translates (ABI 2.3,
 * struct iommu_dma_req.stats): the core hands the model the calling
 * thread's own shard, the model adds there with no call, the counts stay
 * exact on every thread (also those sharing the last shard, which count
 * through stat_add), and a plugin built as ABI 2.0 still counts through
 * stat_add.
 *
 * To see which way a count went, a test puts its own stat_add, which
 * counts the calls and passes them on, in the model's host table.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "core.h"
#include "iommu/iommu.h"
#include "vctx.h"
#include "ilib_util.h"

#define PAGE	0x1000ull
#define DATA_PA 0x100000ull
#define NR_PAGES 16

/* ---- ilib_stat_req() ---------------------------------------------------- */

static uint64_t fake_calls[IOMMU_STAT_COUNT];

static void fake_stat_add(struct iommu_host *host, enum iommu_stat stat,
			  uint64_t n)
{
	(void)host;
	fake_calls[stat] += n;
}

static const struct iommu_host_ops fake_ops = {
	.size = sizeof(struct iommu_host_ops),
	.stat_add = fake_stat_add,
};

Test(stat, ilib_stat_req_adds_in_place_or_calls_stat_add)
{
	struct iommu_host host = { .ops = &fake_ops };
	uint64_t v[IOMMU_STAT_COUNT] = { 0 };
	struct iommu_dma_req req = { .stats = v };

	memset(fake_calls, 0, sizeof(fake_calls));
	ilib_stat_req(&host, &req, IOMMU_STAT_WALKS);
	ilib_stat_req(&host, &req, IOMMU_STAT_WALKS);
	ilib_stat_req(&host, &req, IOMMU_STAT_IOTLB_MISSES);
	cr_assert_eq(v[IOMMU_STAT_WALKS], 2);
	cr_assert_eq(v[IOMMU_STAT_IOTLB_MISSES], 1);
	cr_assert_eq(fake_calls[IOMMU_STAT_WALKS], 0,
		     "with req->stats, no call of stat_add");
	cr_assert_eq(fake_calls[IOMMU_STAT_IOTLB_MISSES], 0);

	/* A lost fault must reach the core (it tells the VMM), and a
	 * counter past ABI 2.0's may lie past a core's array. */
	ilib_stat_req(&host, &req, IOMMU_STAT_FAULTS_LOST);
	ilib_stat_req(&host, &req, IOMMU_STAT_INVAL_WORK);
	cr_assert_eq(v[IOMMU_STAT_FAULTS_LOST], 0);
	cr_assert_eq(v[IOMMU_STAT_INVAL_WORK], 0);
	cr_assert_eq(fake_calls[IOMMU_STAT_FAULTS_LOST], 1);
	cr_assert_eq(fake_calls[IOMMU_STAT_INVAL_WORK], 1);

	/* No counters given: the call. */
	req.stats = NULL;
	ilib_stat_req(&host, &req, IOMMU_STAT_WALKS);
	cr_assert_eq(fake_calls[IOMMU_STAT_WALKS], 1);
	cr_assert_eq(v[IOMMU_STAT_WALKS], 2);
}

/* ---- through the core ---------------------------------------------------- */

/* The calls of stat_add that reached the core, per counter. */
static _Atomic uint64_t calls[IOMMU_STAT_COUNT];
static struct iommu_host_ops wrap_ops;

static void counting_stat_add(struct iommu_host *host, enum iommu_stat stat,
			      uint64_t n)
{
	if ((unsigned int)stat < IOMMU_STAT_COUNT)
		atomic_fetch_add(&calls[stat], n);
	iommu__hw_host_ops.stat_add(host, stat, n);
}

struct one {
	struct iommu_ctx *ctx;
	uint32_t dev;
	uint64_t iova[NR_PAGES];
};

/*
 * A context of @backend (from @plugin_dir, or the build's) without the
 * hint, so that every translation reaches the model, with NR_PAGES pages
 * mapped for device 0x08, and the counting stat_add in its model's host.
 */
static void create(struct one *o, const char *backend, const char *plugin_dir)
{
	vctx_create(backend, plugin_dir, IOMMU_CTX_NO_HINT, &o->ctx, &o->dev);
	for (unsigned int i = 0; i < NR_PAGES; i++)
		cr_assert_eq(iommu_dma_map(o->ctx, o->dev, DATA_PA + i * PAGE,
					   PAGE, IOMMU_READ, &o->iova[i]),
			     0, "%s: iommu_dma_map of page %u", backend, i);
	/* Before any thread translates: the model reads host->ops on each
	 * count. */
	wrap_ops = iommu__hw_host_ops;
	wrap_ops.stat_add = counting_stat_add;
	o->ctx->hw_host.pub.ops = &wrap_ops;
	for (int s = 0; s < IOMMU_STAT_COUNT; s++)
		atomic_store(&calls[s], 0);
	cr_assert_eq(iommu_reset_stats(o->ctx), 0);
}

/* Each page once: on a hardware model, one IOTLB miss and one walk
 * each; on virtio one walk (a look at the mappings) each. */
static void translate_pages(struct one *o, unsigned int rounds)
{
	struct iommu_translation t;

	for (unsigned int r = 0; r < rounds; r++)
		for (unsigned int i = 0; i < NR_PAGES; i++) {
			cr_assert_eq(iommu_dma_translate(
					     o->ctx, o->dev, IOMMU_NO_PASID,
					     o->iova[i] + 8, 8,
					     IOMMU_ACCESS_READ, &t),
				     0);
			cr_assert_eq(t.phys, DATA_PA + i * PAGE + 8);
		}
}

static const char *const backends[] = { "virtio", "vtd", "smmuv3", "amdvi" };

/*
 * Every backend: a thread that owns its shard has its model's miss
 * counters added there, exactly, and not one call of stat_add for them.
 */
Test(stat, models_count_misses_in_the_thread_shard_without_a_call)
{
	for (size_t b = 0; b < sizeof(backends) / sizeof(backends[0]); b++) {
		const bool hw = strcmp(backends[b], "virtio") != 0;
		struct one o;

		create(&o, backends[b], NULL);
		cr_assert_lt(iommu__shard_thread() - 1, IOMMU__SHARDS);
		translate_pages(&o, 1);
		cr_assert_eq(vctx_count(o.ctx, IOMMU_STAT_TRANSLATIONS),
			     NR_PAGES);
		cr_assert_eq(vctx_count(o.ctx, IOMMU_STAT_WALKS), NR_PAGES,
			     "%s", backends[b]);
		cr_assert_eq(vctx_count(o.ctx, IOMMU_STAT_IOTLB_MISSES),
			     hw ? NR_PAGES : 0, "%s", backends[b]);
		cr_assert_eq(atomic_load(&calls[IOMMU_STAT_WALKS]), 0,
			     "%s: walks counted through stat_add",
			     backends[b]);
		cr_assert_eq(atomic_load(&calls[IOMMU_STAT_IOTLB_MISSES]), 0,
			     "%s: misses counted through stat_add",
			     backends[b]);
		iommu_ctx_destroy(o.ctx);
	}
}

/*
 * Every backend: a request the model's own checks refuse is refused on
 * its short way too, right after a good request of the same device and
 * page made the thread's memo (the core never sends these; a VMM calling
 * the model's translate may): a zero length, an unknown access, a stray
 * attribute bit, NULL arguments.
 */
Test(stat, models_refuse_bad_requests_on_their_short_way)
{
	for (size_t b = 0; b < sizeof(backends) / sizeof(backends[0]); b++) {
		const struct iommu_hw_ops *ops;
		struct iommu_translation t;
		struct iommu_dma_req req;
		struct one o;

		create(&o, backends[b], NULL);
		ops = o.ctx->desc->hw;
		for (unsigned int i = 0; i < 4; i++) {
			req = (struct iommu_dma_req){
			    .dev_id = o.dev,
			    .pasid = IOMMU_NO_PASID,
			    .iova = o.iova[1] + 8 * i,
			    .len = 8,
			    .access = IOMMU_ACCESS_READ,
			};
			cr_assert_geq(ops->translate(o.ctx->hw, &req, &t), 0,
				      "%s: a good request", backends[b]);
			cr_assert_eq(t.phys, DATA_PA + PAGE + 8 * i);
			switch (i) {
			case 0:
				req.len = 0;
				break;
			case 1:
				req.access = IOMMU_ACCESS_READ |
					     IOMMU_ACCESS_WRITE;
				break;
			case 2:
				req.attrs = 1u << 30;
				break;
			default:
				cr_assert_eq(ops->translate(o.ctx->hw, NULL,
							    &t),
					     -EINVAL, "%s", backends[b]);
				cr_assert_eq(ops->translate(o.ctx->hw, &req,
							    NULL),
					     -EINVAL, "%s", backends[b]);
				req.access = 0;
				break;
			}
			cr_assert_eq(ops->translate(o.ctx->hw, &req, &t),
				     -EINVAL, "%s: bad request %u accepted",
				     backends[b], i);
		}
		iommu_ctx_destroy(o.ctx);
	}
}

/*
 * A plugin built against ABI 2.0 has no req->stats: its counts come
 * through stat_add, as exact as before.
 */
Test(stat, abi_2_0_model_counts_through_stat_add)
{
	struct one o;

	create(&o, "vtd", ABI20_DIR);
	translate_pages(&o, 1);
	cr_assert_eq(vctx_count(o.ctx, IOMMU_STAT_WALKS), NR_PAGES);
	cr_assert_eq(vctx_count(o.ctx, IOMMU_STAT_IOTLB_MISSES), NR_PAGES);
	cr_assert_eq(atomic_load(&calls[IOMMU_STAT_WALKS]), NR_PAGES);
	cr_assert_eq(atomic_load(&calls[IOMMU_STAT_IOTLB_MISSES]), NR_PAGES);
	iommu_ctx_destroy(o.ctx);
}

/* ---- threads ------------------------------------------------------------- */

#define HOLDERS IOMMU__SHARDS
#define BUSY 4
#define BUSY_ROUNDS 2000 /* of NR_PAGES translations */

struct worker {
	struct one *o;
	unsigned int rounds;
	pthread_barrier_t *go, *done; /* holders: @done lets them exit */
	unsigned int shard;           /* the number the thread counted in */
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct iommu_translation t;

	if (!w->done)
		pthread_barrier_wait(w->go);
	for (unsigned int r = 0; r < w->rounds; r++)
		for (unsigned int i = 0; i < NR_PAGES; i++)
			if (iommu_dma_translate(w->o->ctx, w->o->dev,
						IOMMU_NO_PASID, w->o->iova[i],
						8, IOMMU_ACCESS_READ, &t))
				return (void *)1;
	w->shard = iommu__shard_thread() - 1;
	if (w->done) {
		pthread_barrier_wait(w->go);
		pthread_barrier_wait(w->done);
	}
	return NULL;
}

/*
 * IOMMU__SHARDS threads translate once and hold every shard while BUSY
 * more translate at length, together, on the shared last shard: there
 * the model must count through stat_add (atomic adds; a load and a store
 * would lose counts), and the sums stay exact.
 */
Test(stat, counts_stay_exact_on_the_shared_shard, .timeout = 120)
{
	static struct worker w[HOLDERS + BUSY];
	static pthread_t th[HOLDERS + BUSY];
	pthread_barrier_t hold, go, done;
	uint64_t want = 0, shared = 0;
	struct one o;

	create(&o, "virtio", NULL);
	cr_assert_eq(pthread_barrier_init(&hold, NULL, HOLDERS + 1), 0);
	cr_assert_eq(pthread_barrier_init(&go, NULL, BUSY), 0);
	cr_assert_eq(pthread_barrier_init(&done, NULL, HOLDERS + 1), 0);
	for (unsigned int i = 0; i < HOLDERS + BUSY; i++) {
		const bool holder = i < HOLDERS;

		w[i] = (struct worker){ &o, holder ? 1 : BUSY_ROUNDS,
					holder ? &hold : &go,
					holder ? &done : NULL, 0 };
		if (i == HOLDERS)
			pthread_barrier_wait(&hold);
		cr_assert_eq(pthread_create(&th[i], NULL, work, &w[i]), 0);
	}
	for (unsigned int i = HOLDERS; i < HOLDERS + BUSY; i++) {
		void *bad;

		cr_assert_eq(pthread_join(th[i], &bad), 0);
		cr_assert_null(bad);
	}
	pthread_barrier_wait(&done);
	for (unsigned int i = 0; i < HOLDERS; i++) {
		void *bad;

		cr_assert_eq(pthread_join(th[i], &bad), 0);
		cr_assert_null(bad);
	}
	for (unsigned int i = 0; i < HOLDERS + BUSY; i++) {
		uint64_t n = (uint64_t)w[i].rounds * NR_PAGES;

		want += n;
		if (w[i].shard == IOMMU__SHARDS)
			shared += n;
		else
			cr_assert_lt(w[i].shard, IOMMU__SHARDS);
	}
	for (unsigned int i = HOLDERS; i < HOLDERS + BUSY; i++)
		cr_assert_eq(w[i].shard, IOMMU__SHARDS,
			     "busy thread %u did not share the last shard", i);
	cr_assert_eq(vctx_count(o.ctx, IOMMU_STAT_TRANSLATIONS), want);
	cr_assert_eq(vctx_count(o.ctx, IOMMU_STAT_WALKS), want,
		     "%llu walks counted, %llu made",
		     (unsigned long long)vctx_count(o.ctx, IOMMU_STAT_WALKS),
		     (unsigned long long)want);
	cr_assert_eq(atomic_load(&calls[IOMMU_STAT_WALKS]), shared,
		     "only the threads on the shared shard call stat_add");
	pthread_barrier_destroy(&hold);
	pthread_barrier_destroy(&go);
	pthread_barrier_destroy(&done);
	iommu_ctx_destroy(o.ctx);
}

/* ---- struct iommu_dma_req.thread (ABI 2.4) ------------------------------ */

#define NUM_THREADS 3

/* The model's translate, wrapped: what each request said of its thread. */
static const struct iommu_plugin *num_real;
static struct iommu_plugin num_desc;
static struct iommu_hw_ops num_hw;
static _Thread_local unsigned int seen_thread, seen_bad;
static _Thread_local uint64_t seen_calls;

static int num_translate(void *hw, const struct iommu_dma_req *req,
			 struct iommu_translation *out)
{
	/* One number for all of a thread's requests, set with the counters. */
	if (!req->thread || req->thread > IOMMU_HW_THREADS || !req->stats ||
	    (seen_calls && req->thread != seen_thread))
		seen_bad++;
	seen_thread = req->thread;
	seen_calls++;
	return num_real->hw->translate(hw, req, out);
}

struct num_arg {
	struct one *o;
	uint64_t span; /* hint on: bytes mapped at o->iova[0], page by page */
	unsigned int thread, bad;
	uint64_t calls;
	pthread_barrier_t *all_in; /* all alive at once: numbers distinct */
};

static void *num_work(void *arg)
{
	struct num_arg *a = arg;
	struct iommu_translation t;

	for (unsigned int r = 0; r < 2; r++) {
		for (unsigned int i = 0; !a->span && i < NR_PAGES; i++)
			if (iommu_dma_translate(a->o->ctx, a->o->dev,
						IOMMU_NO_PASID,
						a->o->iova[i] + 8 * r, 8,
						IOMMU_ACCESS_READ, &t))
				seen_bad++;
		/* Pages 64 apart share a hint slot: from the 65th on, a
		 * miss finds the slot holding the device (translate_seen()). */
		for (uint64_t off = 0; off < a->span; off += PAGE)
			if (iommu_dma_translate(a->o->ctx, a->o->dev,
						IOMMU_NO_PASID,
						a->o->iova[0] + off + 8 * r, 8,
						IOMMU_ACCESS_READ, &t))
				seen_bad++;
		if (r == 0)
			pthread_barrier_wait(a->all_in);
	}
	a->thread = seen_thread;
	a->bad = seen_bad;
	a->calls = seen_calls;
	return NULL;
}

/*
 * Every request a thread makes carries one number, 1..IOMMU_HW_THREADS,
 * with its counters, and threads alive together carry different ones:
 * with the hint off (every translation through the model's whole call)
 * and on (a miss of another page of the same device, translate_seen()).
 */
Test(stat, requests_carry_the_threads_own_number)
{
	for (unsigned int hint = 0; hint < 2; hint++) {
		struct num_arg a[NUM_THREADS];
		pthread_t th[NUM_THREADS];
		pthread_barrier_t all_in;
		struct one o;

		if (hint) {
			vctx_create("virtio", NULL, 0, &o.ctx, &o.dev);
			cr_assert_eq(iommu_dma_map(o.ctx, o.dev, DATA_PA,
						   256 * PAGE, IOMMU_READ,
						   &o.iova[0]),
				     0);
		} else {
			create(&o, "virtio", NULL);
		}
		num_real = o.ctx->desc;
		num_desc = *num_real;
		num_hw = *num_real->hw;
		num_hw.translate = num_translate;
		num_desc.hw = &num_hw;
		o.ctx->desc = &num_desc;
		cr_assert_eq(pthread_barrier_init(&all_in, NULL, NUM_THREADS),
			     0);
		for (unsigned int i = 0; i < NUM_THREADS; i++) {
			a[i] = (struct num_arg){ .o = &o,
						 .span = hint ? 256 * PAGE : 0,
						 .all_in = &all_in };
			cr_assert_eq(pthread_create(&th[i], NULL, num_work,
						    &a[i]),
				     0);
		}
		for (unsigned int i = 0; i < NUM_THREADS; i++)
			cr_assert_eq(pthread_join(th[i], NULL), 0);
		pthread_barrier_destroy(&all_in);
		for (unsigned int i = 0; i < NUM_THREADS; i++) {
			cr_assert_eq(a[i].bad, 0,
				     "hint %u, thread %u: a request without "
				     "its number or counters, or another one",
				     hint, i);
			cr_assert_geq(a[i].calls, NR_PAGES,
				      "hint %u: the model was asked %llu times",
				      hint, (unsigned long long)a[i].calls);
			for (unsigned int j = 0; j < i; j++)
				cr_assert_neq(a[i].thread, a[j].thread,
					      "hint %u: threads %u and %u "
					      "alive together share %u",
					      hint, j, i, a[i].thread);
		}
		o.ctx->desc = num_real;
		iommu_ctx_destroy(o.ctx);
	}
}
