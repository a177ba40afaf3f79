// SPDX-License-Identifier: MIT
/*
 * test_hint_gen.c - a change that completes while the model is answering
 * a request must void the hint made from that answer.
 *
 * A vCPU thread unmaps (or remaps) a page while a device thread is inside
 * the model's translate: the model has read the old mapping, the unmap
 * has bumped xlate_gen and returned, and only then does the core make a
 * hint of the old answer.  The hint carries the generation read before
 * the model was asked (dma.c, translate() and translate_seen()), so it is
 * void at once and the next request of the page reaches the model and
 * sees the change.  A hint stamped with the generation read after the
 * call would serve the old page after the unmap returned.
 *
 * tests/stress/test_hint.c can only hope to hit that window.  Here it is
 * hit every run: the context's plugin descriptor is pointed at a copy
 * whose hw table wraps the virtio model's translate, and the wrapper,
 * once the model has answered the armed call, runs the change on another
 * thread and joins it before it returns to the core.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "core.h"
#include "iommu/iommu.h"
#include "iommu/plugin.h"
#include "vctx.h"

#define PAGE  0x1000ull
#define IOVA  0x40000ull         /* slot ((IOVA >> 12) ^ dev) % 64 */
#define ALIAS (IOVA + 64 * PAGE) /* another page, the same slot */
#define PA    0x100000ull
#define PA2   0x200000ull        /* where a remap moves a page to */

static struct iommu_ctx *ctx;
static struct iommu_domain *dom;
static uint32_t dev;
static int owner;

/* The wrapped model. */
static const struct iommu_plugin *real_desc;
static struct iommu_plugin desc_copy;
static struct iommu_hw_ops hw_copy;
static atomic_uint model_calls;

/* The change the next model call makes happen, and what it did. */
static void (*armed)(void);
static int change_rc;
static uint64_t gen_before, gen_after;

static void *change_thread(void *arg)
{
	void (*fn)(void) = (void (*)(void))(uintptr_t)arg;

	fn();
	return NULL;
}

/*
 * The model's translate, then (on the armed call) a change made to
 * completion by another thread before the answer goes back to the core:
 * what a vCPU's unmap racing the device's request does at its worst.
 */
static int translate_wrap(void *hw, const struct iommu_dma_req *req,
			  struct iommu_translation *out)
{
	int ret = real_desc->hw->translate(hw, req, out);
	void (*fn)(void) = armed;
	pthread_t t;

	atomic_fetch_add(&model_calls, 1);
	if (fn) {
		armed = NULL;
		gen_before = atomic_load(&ctx->xlate_gen);
		/* No assert here: a failure would leave the library call. */
		if (pthread_create(&t, NULL, change_thread,
				   (void *)(uintptr_t)fn)) {
			change_rc = -EAGAIN;
		} else {
			pthread_join(t, NULL);
		}
		gen_after = atomic_load(&ctx->xlate_gen);
	}
	return ret;
}

static void setup(void)
{
	uint32_t group;

	vctx_create("virtio", NULL, 0, &ctx, &dev);
	cr_assert_eq(iommu_dev_group(ctx, dev, &group), 0);
	cr_assert_eq(iommu_group_claim_dma_owner(ctx, group, &owner), 0);
	cr_assert_eq(iommu_domain_alloc(ctx, IOMMU_DOMAIN_UNMANAGED, &dom), 0);
	cr_assert_eq(iommu_attach_group(dom, group), 0);
	cr_assert_eq(iommu_map(dom, IOVA, PA, PAGE, IOMMU_READ | IOMMU_WRITE),
		     0);
	cr_assert_eq(iommu_map(dom, ALIAS, PA + 8 * PAGE, PAGE,
			       IOMMU_READ | IOMMU_WRITE),
		     0);
	cr_assert_eq(iommu_reset_stats(ctx), 0);

	real_desc = ctx->desc;
	cr_assert(real_desc->hw->translate);
	desc_copy = *real_desc;
	hw_copy = *real_desc->hw;
	hw_copy.translate = translate_wrap;
	desc_copy.hw = &hw_copy;
	ctx->desc = &desc_copy;
	atomic_store(&model_calls, 0);
	armed = NULL;
	change_rc = 1; /* not run */
}

static void teardown(void)
{
	ctx->desc = real_desc;
	iommu_ctx_destroy(ctx);
}

TestSuite(hint_gen, .init = setup, .fini = teardown);

static void unmap_iova(void)
{
	uint64_t done = 0;

	change_rc = iommu_unmap(dom, IOVA, PAGE, &done);
	if (!change_rc && done != PAGE)
		change_rc = -ERANGE;
}

static void remap_alias(void)
{
	uint64_t done = 0;

	change_rc = iommu_unmap(dom, ALIAS, PAGE, &done);
	if (!change_rc && done != PAGE)
		change_rc = -ERANGE;
	if (!change_rc)
		change_rc = iommu_map(dom, ALIAS, PA2, PAGE,
				      IOMMU_READ | IOMMU_WRITE);
}

/* The armed change ran inside the last model call, and moved the
 * generation there (else the test would prove nothing). */
static void assert_changed_inside(void)
{
	cr_assert_null(armed, "the armed change never ran");
	cr_assert_eq(change_rc, 0, "the change failed: %d", change_rc);
	cr_assert_gt(gen_after, gen_before,
		     "the change did not move xlate_gen");
}

/* The whole way (translate()): a slot that holds nothing of this context. */
Test(hint_gen, an_unmap_inside_the_model_call_voids_the_hint)
{
	struct iommu_translation t;

	armed = unmap_iova;
	/* Asked before the unmap returned: the old answer is right. */
	cr_assert_eq(
	    vctx_xlate(ctx, dev, IOVA + 0x10, 8, IOMMU_ACCESS_READ, &t), 0);
	cr_assert_eq(t.phys, PA + 0x10);
	assert_changed_inside();
	cr_assert_eq(atomic_load(&model_calls), 1);
	/* Asked after: the page is gone, the model says so. */
	cr_assert_eq(
	    vctx_xlate(ctx, dev, IOVA + 0x10, 8, IOMMU_ACCESS_READ, &t),
	    -EFAULT, "the hint served a page unmapped before the request");
	cr_assert_eq(atomic_load(&model_calls), 2);
	cr_assert_eq(vctx_count(ctx, IOMMU_STAT_HINT_HITS), 0);
}

/* The same through a copy (translate() with the RAM behind the answer). */
Test(hint_gen, an_unmap_inside_a_read_voids_the_hint)
{
	const uint64_t pat = 0x0123456789abcdefull;
	uint64_t v = 0;

	cr_assert_eq(iommu_mem_write(ctx, PA + 0x20, &pat, sizeof(pat)), 0);
	armed = unmap_iova;
	cr_assert_eq(iommu_dma_read(ctx, dev, IOMMU_NO_PASID, IOVA + 0x20, &v,
				    sizeof(v)),
		     0);
	cr_assert_eq(v, pat);
	assert_changed_inside();
	v = 0;
	cr_assert_eq(iommu_dma_read(ctx, dev, IOMMU_NO_PASID, IOVA + 0x20, &v,
				    sizeof(v)),
		     -EFAULT,
		     "the hint served a page unmapped before the read");
	cr_assert_eq(v, 0, "a faulting read filled the buffer");
	cr_assert_eq(atomic_load(&model_calls), 2);
}

/*
 * A miss through a slot that holds this device at the current generation
 * (translate_seen()): IOVA's hint is in the slot, ALIAS's page misses it,
 * and is remapped while the model answers.
 */
Test(hint_gen, a_remap_inside_a_seen_miss_voids_the_hint)
{
	struct iommu_translation t;

	cr_assert_eq(
	    vctx_xlate(ctx, dev, IOVA + 0x10, 8, IOMMU_ACCESS_READ, &t), 0);
	cr_assert_eq(t.phys, PA + 0x10);
	cr_assert_eq(atomic_load(&model_calls), 1);

	armed = remap_alias;
	cr_assert_eq(
	    vctx_xlate(ctx, dev, ALIAS + 0x30, 8, IOMMU_ACCESS_WRITE, &t), 0);
	cr_assert_eq(t.phys, PA + 8 * PAGE + 0x30);
	assert_changed_inside();
	cr_assert_eq(atomic_load(&model_calls), 2);
	/* The new mapping, from the model. */
	cr_assert_eq(
	    vctx_xlate(ctx, dev, ALIAS + 0x30, 8, IOMMU_ACCESS_READ, &t), 0);
	cr_assert_eq(t.phys, PA2 + 0x30,
		     "the hint served a mapping replaced before the request");
	cr_assert_eq(atomic_load(&model_calls), 3);
	/* ... and that one is hinted as usual. */
	cr_assert_eq(
	    vctx_xlate(ctx, dev, ALIAS + 0x38, 8, IOMMU_ACCESS_READ, &t), 0);
	cr_assert_eq(t.phys, PA2 + 0x38);
	cr_assert_eq(atomic_load(&model_calls), 3);
	cr_assert_eq(vctx_count(ctx, IOMMU_STAT_HINT_HITS), 1);
}

/* The same with an unmap: the page faults, however it is asked. */
Test(hint_gen, an_unmap_inside_a_seen_miss_voids_the_hint)
{
	struct iommu_translation t;

	cr_assert_eq(
	    vctx_xlate(ctx, dev, ALIAS + 0x10, 8, IOMMU_ACCESS_READ, &t), 0);
	armed = unmap_iova;
	cr_assert_eq(
	    vctx_xlate(ctx, dev, IOVA + 0x40, 8, IOMMU_ACCESS_READ, &t), 0);
	cr_assert_eq(t.phys, PA + 0x40);
	assert_changed_inside();
	cr_assert_eq(
	    vctx_xlate(ctx, dev, IOVA + 0x40, 8, IOMMU_ACCESS_READ, &t),
	    -EFAULT, "the hint served a page unmapped before the request");
	cr_assert_eq(atomic_load(&model_calls), 3);
}
