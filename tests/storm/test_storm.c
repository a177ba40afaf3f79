// SPDX-License-Identifier: MIT
/*
 * test_storm.c - fault storms (rule 15): a device that faults on every
 * DMA, a million times, on every backend, with a fault handler and
 * without one.  The heap must not grow once the first faults have
 * filled what the hardware and the driver keep (their record queues are
 * fixed-size), and the counts must add up: every fault the model raised
 * was recorded or counted lost, the core saw each refused DMA, and the
 * handler got each fault the driver reported, once.
 *
 * IOMMU_STORM_FAULTS sets the number of faults (default 1000000, about
 * a second per configuration in debug).
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "iommu/iommu.h"

#define WARMUP 20000u

struct storm {
	uint64_t handled;
};

static int ctx_handler(struct iommu_ctx *ctx, const struct iommu_fault *f,
		       void *cookie)
{
	struct storm *s = cookie;

	(void)ctx;
	(void)f;
	s->handled++;
	return 0;
}

static uint64_t faults_wanted(void)
{
	const char *e = getenv("IOMMU_STORM_FAULTS");
	uint64_t n = e ? strtoull(e, NULL, 0) : 1000000;

	return n < 2 * WARMUP ? 2 * WARMUP : n;
}

static uint64_t stat_of(struct iommu_ctx *ctx, enum iommu_stat s)
{
	struct iommu_stats st = { .size = sizeof(st) };

	cr_assert_eq(iommu_get_stats(ctx, &st), 0);
	return st.v[s];
}

/* Raise @n faults: reads of unmapped IOVAs, each page once per lap. */
static void raise_faults(struct iommu_ctx *ctx, uint32_t dev, uint64_t n,
			 uint64_t *done)
{
	struct iommu_translation t;

	for (uint64_t i = 0; i < n; i++, (*done)++) {
		uint64_t iova = 0x40000000ull + ((*done % 4096) << 12);

		cr_assert_eq(iommu_dma_translate(ctx, dev, IOMMU_NO_PASID,
						 iova, 8, IOMMU_ACCESS_READ,
						 &t),
			     -EFAULT, "fault %llu", (unsigned long long)*done);
	}
}

static void storm(const char *ini, bool handler)
{
	char path[512], err[512] = "";
	struct iommu_ctx_opts o = {
		.size = sizeof(o),
		.ini_path = path,
		.errbuf = err,
		.errbuf_len = sizeof(err),
		.log_level = IOMMU_LOG_ERR,
	};
	struct storm s = { 0 };
	struct iommu_domain *d;
	struct iommu_ctx *ctx;
	uint64_t n = faults_wanted(), done = 0;
	uint32_t dev;
	size_t heap;

	snprintf(path, sizeof(path), "%s/conf/%s", IOMMU_SRC_ROOT, ini);
	cr_assert_eq(iommu_ctx_create(&o, &ctx), 0, "%s: %s", path, err);
	cr_assert_eq(iommu_dev_lookup(ctx, "nic", &dev), 0);
	cr_assert_eq(iommu_domain_alloc(ctx, IOMMU_DOMAIN_UNMANAGED, &d), 0);
	cr_assert_eq(iommu_attach_device(d, dev), 0);
	if (handler)
		cr_assert_eq(iommu_set_ctx_fault_handler(ctx, ctx_handler, &s),
			     0);

	raise_faults(ctx, dev, WARMUP, &done);
	heap = mallinfo2().uordblks;
	raise_faults(ctx, dev, n - WARMUP, &done);
	/* Flat: what the first faults allocated is all there is. */
	cr_assert_leq(mallinfo2().uordblks, heap + 4096,
		      "%s: heap grew from %zu to %zu bytes over %llu faults",
		      ini, heap, mallinfo2().uordblks,
		      (unsigned long long)(n - WARMUP));

	/* The counts add up. */
	cr_assert_eq(stat_of(ctx, IOMMU_STAT_DMA_FAULTS), n, "%s", ini);
	cr_assert_eq(stat_of(ctx, IOMMU_STAT_FAULTS) +
			     stat_of(ctx, IOMMU_STAT_FAULTS_LOST),
		     n, "%s: recorded %llu + lost %llu != raised %llu", ini,
		     (unsigned long long)stat_of(ctx, IOMMU_STAT_FAULTS),
		     (unsigned long long)stat_of(ctx, IOMMU_STAT_FAULTS_LOST),
		     (unsigned long long)n);
	cr_assert_leq(stat_of(ctx, IOMMU_STAT_FAULTS_REPORTED),
		      stat_of(ctx, IOMMU_STAT_FAULTS), "%s", ini);
	cr_assert_gt(stat_of(ctx, IOMMU_STAT_FAULTS_REPORTED), 0, "%s", ini);
	if (handler)
		cr_assert_eq(s.handled,
			     stat_of(ctx, IOMMU_STAT_FAULTS_REPORTED), "%s",
			     ini);
	/* And the unit still works: a mapped page translates. */
	cr_assert_eq(iommu_map(d, 0x1000, 0x100000, 0x1000, IOMMU_READ), 0);
	{
		struct iommu_translation t;

		cr_assert_eq(iommu_dma_translate(ctx, dev, IOMMU_NO_PASID,
						 0x1000, 8, IOMMU_ACCESS_READ,
						 &t),
			     0, "%s", ini);
		cr_assert_eq(t.phys, 0x100000);
	}
	iommu_ctx_destroy(ctx);
}

struct storm_param {
	char ini[32];
	bool handler;
};

ParameterizedTestParameters(storm, faults_keep_memory_flat_and_add_up)
{
	static struct storm_param p[] = {
		{"default.ini", true}, {"default.ini", false},
		{"vtd.ini", true},     {"vtd.ini", false},
		{"smmuv3.ini", true},  {"smmuv3.ini", false},
		{"amdvi.ini", true},   {"amdvi.ini", false},
	};

	return cr_make_param_array(struct storm_param, p,
				   sizeof(p) / sizeof(p[0]));
}

ParameterizedTest(struct storm_param *p, storm,
		  faults_keep_memory_flat_and_add_up, .timeout = 600)
{
	storm(p->ini, p->handler);
}
