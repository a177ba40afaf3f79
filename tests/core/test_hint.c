// SPDX-License-Identifier: MIT
/*
 * test_hint.c - a translation that misses this thread's hint while the
 * hint's slot holds the same context, device and PASID at the current
 * generation (another page of the device, the common miss): dma.c then
 * skips the checks that slot already answers (translate_seen()) and must
 * still refuse what the whole way refuses, count what it counts, and
 * leave a hint that serves only what the model said.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "core.h"
#include "iommu/iommu.h"
#include "vctx.h"

#define PAGE  0x1000ull
#define IOVA  0x40000ull         /* slot ((IOVA >> 12) ^ dev) % 64 */
#define ALIAS (IOVA + 64 * PAGE) /* another page, the same slot */
#define RO    (IOVA + 1 * PAGE)  /* read-only */
#define PA    0x100000ull

static struct iommu_ctx *ctx;
static struct iommu_domain *dom;
static uint32_t dev;
static int owner;

static void setup(void)
{
	uint32_t group;

	vctx_create("virtio", NULL, 0, &ctx, &dev);
	cr_assert_eq(iommu_dev_group(ctx, dev, &group), 0);
	cr_assert_eq(iommu_group_claim_dma_owner(ctx, group, &owner), 0);
	cr_assert_eq(iommu_domain_alloc(ctx, IOMMU_DOMAIN_UNMANAGED, &dom), 0);
	cr_assert_eq(iommu_attach_group(dom, group), 0);
	/* IOVA and the next page: two pages apart in PA (two mappings). */
	cr_assert_eq(iommu_map(dom, IOVA, PA, PAGE, IOMMU_READ | IOMMU_WRITE),
		     0);
	cr_assert_eq(iommu_map(dom, RO, PA + 4 * PAGE, PAGE, IOMMU_READ), 0);
	cr_assert_eq(iommu_map(dom, ALIAS, PA + 8 * PAGE, PAGE,
			       IOMMU_READ | IOMMU_WRITE),
		     0);
	cr_assert_eq(iommu_reset_stats(ctx), 0);
}

static void teardown(void)
{
	iommu_ctx_destroy(ctx);
}

TestSuite(hint_seen, .init = setup, .fini = teardown);

/* The slot for IOVA holds the device, at the current generation. */
static void fill_slot(void)
{
	struct iommu_translation t;

	cr_assert_eq(
	    vctx_xlate(ctx, dev, IOVA + 0x10, 8, IOMMU_ACCESS_READ, &t), 0);
	cr_assert_eq(t.phys, PA + 0x10);
}

Test(hint_seen, zero_length_and_wrap_are_refused)
{
	struct iommu_translation t;
	uint64_t n;

	fill_slot();
	n = vctx_count(ctx, IOMMU_STAT_TRANSLATIONS);
	cr_assert_eq(
	    vctx_xlate(ctx, dev, IOVA + 0x20, 0, IOMMU_ACCESS_READ, &t),
	    -EINVAL);
	/* From inside the hinted page to past the top of the space. */
	cr_assert_eq(vctx_xlate(ctx, dev, IOVA + 0x20, UINT64_MAX - IOVA,
				IOMMU_ACCESS_READ, &t),
		     -EINVAL);
	cr_assert_eq(vctx_count(ctx, IOMMU_STAT_TRANSLATIONS), n,
		     "a refused request was counted");
}

Test(hint_seen, another_page_in_the_slot_is_asked_and_hinted)
{
	struct iommu_translation t;

	fill_slot();
	cr_assert_eq(
	    vctx_xlate(ctx, dev, ALIAS + 0x30, 8, IOMMU_ACCESS_WRITE, &t), 0);
	cr_assert_eq(t.phys, PA + 8 * PAGE + 0x30);
	cr_assert_eq(t.len, 8);
	cr_assert_eq(t.perm, IOMMU_READ | IOMMU_WRITE);
	cr_assert_eq(vctx_count(ctx, IOMMU_STAT_HINT_HITS), 0);
	/* The slot now holds ALIAS's page: served from it... */
	cr_assert_eq(
	    vctx_xlate(ctx, dev, ALIAS + 0xff8, 8, IOMMU_ACCESS_READ, &t), 0);
	cr_assert_eq(t.phys, PA + 8 * PAGE + 0xff8);
	cr_assert_eq(vctx_count(ctx, IOMMU_STAT_HINT_HITS), 1);
	/* ... and IOVA's page is asked again, and right. */
	cr_assert_eq(
	    vctx_xlate(ctx, dev, IOVA + 0x40, 16, IOMMU_ACCESS_READ, &t), 0);
	cr_assert_eq(t.phys, PA + 0x40);
	cr_assert_eq(t.len, 16);
	cr_assert_eq(vctx_count(ctx, IOMMU_STAT_HINT_HITS), 1);
	cr_assert_eq(vctx_count(ctx, IOMMU_STAT_TRANSLATIONS), 4);
	cr_assert_eq(vctx_count(ctx, IOMMU_STAT_WALKS), 3);
}

Test(hint_seen, a_request_past_the_hint_gets_the_model_prefix)
{
	struct iommu_translation t;

	fill_slot();
	/* Starts in the hinted page, runs into the next (mapped elsewhere
	 * in PA): the model's answer ends with the page. */
	cr_assert_eq(
	    vctx_xlate(ctx, dev, IOVA + PAGE - 8, 16, IOMMU_ACCESS_READ, &t),
	    0);
	cr_assert_eq(t.phys, PA + PAGE - 8);
	cr_assert_eq(t.len, 8);
	cr_assert_eq(vctx_count(ctx, IOMMU_STAT_HINT_HITS), 0);
}

Test(hint_seen, a_write_through_a_read_hint_faults)
{
	struct iommu_translation t;

	cr_assert_eq(vctx_xlate(ctx, dev, RO + 8, 8, IOMMU_ACCESS_READ, &t), 0);
	cr_assert_eq(t.perm, IOMMU_READ);
	cr_assert_eq(vctx_xlate(ctx, dev, RO + 8, 8, IOMMU_ACCESS_WRITE, &t),
		     -EFAULT);
	cr_assert_eq(vctx_count(ctx, IOMMU_STAT_DMA_FAULTS), 1);
	cr_assert_eq(vctx_count(ctx, IOMMU_STAT_TRANSLATIONS), 2);
	/* Reads still work (the driver's handling of the fault wrote
	 * registers: the hint may be gone). */
	cr_assert_eq(vctx_xlate(ctx, dev, RO + 16, 8, IOMMU_ACCESS_READ, &t),
		     0);
	cr_assert_eq(t.phys, PA + 4 * PAGE + 16);
	cr_assert_eq(t.perm, IOMMU_READ);
}

Test(hint_seen, an_unmap_voids_the_slot)
{
	struct iommu_translation t;
	uint64_t done;

	fill_slot();
	cr_assert_eq(iommu_unmap(dom, IOVA, PAGE, &done), 0);
	cr_assert_eq(done, PAGE);
	cr_assert_eq(
	    vctx_xlate(ctx, dev, IOVA + 0x10, 8, IOMMU_ACCESS_READ, &t),
	    -EFAULT);
	cr_assert_eq(vctx_xlate(ctx, dev, ALIAS, 8, IOMMU_ACCESS_READ, &t), 0);
	cr_assert_eq(t.phys, PA + 8 * PAGE);
}

/*
 * A thread whose shard number went back (it is exiting: a later key
 * destructor translates) has hints still: a miss through a seen slot
 * then takes the whole way, which takes a number again, and counts.
 */
Test(hint_seen, a_thread_without_a_shard_number_counts)
{
	struct iommu_translation t;

	fill_slot();
	cr_assert_neq(iommu__shard_off, 0);
	iommu__shard_off = 0;
	cr_assert_eq(vctx_xlate(ctx, dev, ALIAS + 8, 8, IOMMU_ACCESS_READ, &t),
		     0);
	cr_assert_eq(t.phys, PA + 8 * PAGE + 8);
	cr_assert_neq(iommu__shard_off, 0);
	cr_assert_eq(vctx_count(ctx, IOMMU_STAT_TRANSLATIONS), 2);
	cr_assert_eq(vctx_count(ctx, IOMMU_STAT_WALKS), 2);
}
