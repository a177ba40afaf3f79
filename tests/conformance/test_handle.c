// SPDX-License-Identifier: MIT
/*
 * test_handle.c - domain handles are safe (DESIGN rule 14), and the table
 * allocator frees exact allocations only.
 *
 * A freed handle, a handle of a destroyed context and a garbage value
 * must get -EINVAL from every call that takes a domain, without the
 * library touching freed memory (the asan lane turns a use-after-free
 * into a failure), and a freed handle is never handed out again.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

/*
 * Every call that takes a domain refuses @d.  @t is a live context whose
 * devices @d is tried on (NULL: no context left; the configured IDs are
 * used, which no live context knows).
 */
static void expect_stale(struct tctx *t, struct iommu_domain *d)
{
	uint32_t solo = t ? t->solo : 0x08, g = t ? t->g_solo : 1;
	struct iommu_iotlb_gather gather;
	struct iommu_attachment at[4];
	uint64_t x = 0, y = 0;
	uint32_t pasid = 0;
	size_t n = 0;

	iommu_iotlb_gather_init(&gather);
	cr_assert_eq(iommu_domain_type(d), 0);
	cr_assert_eq(iommu_domain_pgsize_bitmap(d), 0);
	cr_assert_eq(iommu_domain_geometry(d, &x, &y), -EINVAL);
	cr_assert_eq(iommu_attach_device(d, solo), -EINVAL);
	cr_assert_eq(iommu_detach_device(d, solo), -EINVAL);
	cr_assert_eq(iommu_attach_group(d, g), -EINVAL);
	cr_assert_eq(iommu_detach_group(d, g), -EINVAL);
	cr_assert_eq(iommu_map(d, TIOVA, TMEM_BASE, PG, IOMMU_READ),
		     -EINVAL);
	cr_assert_eq(iommu_unmap(d, TIOVA, PG, &x), -EINVAL);
	cr_assert_eq(iommu_unmap_fast(d, TIOVA, PG, &gather, &x), -EINVAL);
	cr_assert_eq(iommu_iotlb_sync(d, &gather), -EINVAL);
	cr_assert_eq(iommu_flush_iotlb_all(d), -EINVAL);
	cr_assert_eq(iommu_iova_to_phys(d, TIOVA, &x), -EINVAL);
	cr_assert_eq(iommu_aux_attach_device(d, solo), -EINVAL);
	cr_assert_eq(iommu_aux_detach_device(d, solo), -EINVAL);
	cr_assert_eq(iommu_aux_get_pasid(d, solo, &pasid), -EINVAL);
	cr_assert_eq(iommu_set_fault_handler(d, fault_log_domain_fn, NULL),
		     -EINVAL);
	cr_assert_eq(iommu_domain_devices(d, at, 4, &n), -EINVAL);
	if (t) {
		cr_assert_eq(iommu_group_replace_domain(t->ctx, g, d), -EINVAL);
		cr_assert_neq(dev_domain(t, solo), d);
	}
	cr_assert_eq(iommu_domain_free(d), -EINVAL);
}

CONF_TEST(handle, double_free_einval)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *d = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	struct iommu_domain *more[8];
	size_t i;

	cr_assert_eq(iommu_map(d, TIOVA, TMEM_BASE, PG, IOMMU_READ), 0);
	cr_assert_eq(iommu_domain_free(d), 0);
	cr_assert_eq(iommu_domain_free(d), -EINVAL, "second free");
	expect_stale(t, d);
	/* New domains never get the freed handle back. */
	for (i = 0; i < 8; i++) {
		more[i] = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
		cr_assert_neq(more[i], d, "freed handle handed out again");
	}
	expect_stale(t, d);
	for (i = 0; i < 8; i++)
		cr_assert_eq(iommu_domain_free(more[i]), 0);
	expect_default_behaviour(t, t->solo);
}

CONF_TEST(handle, garbage_values_einval)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *d = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	uint8_t *zeros = calloc(1, 4096), *ones = malloc(4096);
	uint64_t local[64] = {0};
	uintptr_t h = (uintptr_t)d;
	uintptr_t bad[] = {
	    1,
	    2,
	    3,
	    0x1000,
	    (uintptr_t)local,
	    (uintptr_t)zeros,
	    (uintptr_t)ones,
	    UINTPTR_MAX,
	    UINTPTR_MAX - 1,
	    h ^ ((uintptr_t)1 << 40),
	    h ^ ((uintptr_t)1 << 62),
	    h + 2,
	    h - 2,
	    h + 4096,
	    h ^ 1,
	};
	size_t i;

	cr_assert_not_null(zeros);
	cr_assert_not_null(ones);
	memset(ones, 0xff, 4096);
	cr_assert_eq(iommu_map(d, TIOVA, TMEM_BASE, PG,
			       IOMMU_READ | IOMMU_WRITE),
		     0);
	cr_assert_eq(iommu_attach_device(d, t->solo), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct iommu_domain *g = (struct iommu_domain *)bad[i];

		cr_log_info("garbage handle %#llx", (unsigned long long)bad[i]);
		expect_stale(NULL, g);
		cr_assert_eq(iommu_group_replace_domain(t->ctx, t->g_solo, g),
			     -EINVAL);
	}
	free(zeros);
	free(ones);
	/* The real domain is untouched. */
	cr_assert_eq(dev_domain(t, t->solo), d);
	expect_dma_rw(t, t->solo, TIOVA, TMEM_BASE, 64);
	cr_assert_eq(iommu_detach_device(d, t->solo), 0);
	cr_assert_eq(iommu_domain_free(d), 0);
}

CONF_TEST(handle, stale_after_context_destroy)
{
	struct tctx *a = tctx_open(p), *b = tctx_open(p), *c;
	struct iommu_domain *da = dom_alloc(a, IOMMU_DOMAIN_UNMANAGED);
	struct iommu_domain *db = dom_alloc(b, IOMMU_DOMAIN_UNMANAGED);
	struct iommu_domain *ba = dom_alloc(a, IOMMU_DOMAIN_BLOCKED);
	struct iommu_domain *defa = dev_domain(a, a->solo);
	struct iommu_domain *dc;

	cr_assert_eq(iommu_map(da, TIOVA, TMEM_BASE, PG, IOMMU_READ), 0);
	cr_assert_eq(iommu_attach_device(da, a->solo), 0);
	cr_assert_eq(iommu_map(db, TIOVA, TMEM_BASE, PG, IOMMU_READ), 0);
	cr_assert_eq(iommu_attach_device(db, b->solo), 0);
	/* A's handles die with A, while B lives on. */
	tctx_close(a);
	expect_stale(b, da);
	expect_stale(b, ba);
	if (defa != ba)
		expect_stale(b, defa);
	cr_assert_eq(dev_domain(b, b->solo), db);
	expect_dma_read(b, b->solo, TIOVA, TMEM_BASE, 64);
	/* No context left at all. */
	cr_assert_eq(iommu_detach_device(db, b->solo), 0);
	tctx_close(b);
	expect_stale(NULL, da);
	expect_stale(NULL, db);
	/* A new context never gets the old handles. */
	c = tctx_open(p);
	dc = dom_alloc(c, IOMMU_DOMAIN_UNMANAGED);
	cr_assert_neq(dc, da);
	cr_assert_neq(dc, db);
	expect_stale(c, da);
	expect_stale(c, db);
	cr_assert_eq(iommu_domain_free(dc), 0);
}

struct handle_seen {
	struct iommu_domain *domain;
	enum iommu_domain_type type;
	unsigned int count;
};

static int record_domain_fn(struct iommu_domain *d, const struct iommu_fault *f,
			    void *cookie)
{
	struct handle_seen *s = cookie;

	(void)f;
	s->domain = d;
	s->type = iommu_domain_type(d);
	s->count++;
	return 0;
}

CONF_TEST(handle, stable_and_given_to_fault_handlers)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *d = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	struct iommu_domain *b1 = dom_alloc(t, IOMMU_DOMAIN_BLOCKED);
	struct iommu_domain *b2 = dom_alloc(t, IOMMU_DOMAIN_BLOCKED);
	struct handle_seen seen = {0};

	/* One handle per domain, whoever asks. */
	cr_assert_eq(b1, b2);
	cr_assert_eq(iommu_attach_device(d, t->solo), 0);
	cr_assert_eq(dev_domain(t, t->solo), d);
	cr_assert_eq(iommu_set_fault_handler(d, record_domain_fn, &seen), 0);
	cr_assert_eq(dma_xlate(t, t->solo, TIOVA, IOMMU_ACCESS_READ, NULL),
		     -EFAULT);
	cr_assert_eq(seen.count, 1);
	cr_assert_eq(seen.domain, d, "the handler got another value");
	cr_assert_eq(seen.type, IOMMU_DOMAIN_UNMANAGED);
	/* The static domains keep their handle; freeing one is a no-op. */
	cr_assert_eq(iommu_attach_device(b1, t->solo2), 0);
	cr_assert_eq(iommu_domain_free(b1), 0);
	cr_assert_eq(iommu_domain_type(b1), IOMMU_DOMAIN_BLOCKED);
	cr_assert_eq(dev_domain(t, t->solo2), b1);
	cr_assert_eq(iommu_set_fault_handler(b1, record_domain_fn, &seen), 0);
	cr_assert_eq(dma_xlate(t, t->solo2, TIOVA, IOMMU_ACCESS_READ, NULL),
		     -EFAULT);
	cr_assert_eq(seen.count, 2);
	cr_assert_eq(seen.domain, b1);
	cr_assert_eq(iommu_set_fault_handler(b1, NULL, NULL), 0);
	cr_assert_eq(iommu_detach_device(b1, t->solo2), 0);
	cr_assert_eq(iommu_detach_device(d, t->solo), 0);
}

CONF_TEST(handle, default_domain_free_ebusy)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *def = dev_domain(t, t->solo);
	int owner;

	/* The group holds its default domain even while it is elsewhere. */
	cr_assert_eq(iommu_group_claim_dma_owner(t->ctx, t->g_solo, &owner), 0);
	if (default_is_dma(t))
		cr_assert_eq(iommu_domain_free(def), -EBUSY,
			     "free of a group's default domain");
	else
		cr_assert_eq(iommu_domain_free(def), 0, "static identity");
	cr_assert_eq(iommu_domain_type(def),
		     iommu_ctx_default_domain_type(t->ctx));
	cr_assert_eq(iommu_group_release_dma_owner(t->ctx, t->g_solo, &owner),
		     0);
	cr_assert_eq(dev_domain(t, t->solo), def);
	expect_default_behaviour(t, t->solo);
}

/* ---- Many domains while another thread maps ---------------------------- */

struct hthr {
	struct tctx *t;
	struct iommu_domain *d;
	uint64_t pg;
	_Atomic int stop;
	_Atomic unsigned int rounds;
	unsigned int errors;
	char what[128];
};

static void *hthr_main(void *arg)
{
	struct hthr *h = arg;

	while (!h->stop && !h->errors) {
		uint64_t x = 0, un = 0;
		int ret = iommu_map(h->d, TIOVA, TMEM_BASE, 4 * h->pg,
				    IOMMU_READ | IOMMU_WRITE);

		if (!ret)
			ret = iommu_iova_to_phys(h->d, TIOVA + h->pg, &x);
		if (!ret && x != TMEM_BASE + h->pg)
			ret = -EIO;
		if (!ret)
			ret = iommu_unmap(h->d, TIOVA, 4 * h->pg, &un);
		if (!ret && un != 4 * h->pg)
			ret = -EIO;
		if (ret) {
			h->errors++;
			snprintf(h->what, sizeof(h->what), "round %u: %d",
				 (unsigned int)h->rounds, ret);
		}
		h->rounds++;
	}
	return NULL;
}

CONF_TEST(handle, table_grows_while_in_use)
{
	enum { N = 200 };
	struct tctx *t = tctx_open(p);
	struct iommu_domain *d = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	struct iommu_domain **doms = calloc(N, sizeof(*doms));
	struct hthr h;
	pthread_t tid;
	size_t i, j;

	cr_assert_not_null(doms);
	memset(&h, 0, sizeof(h));
	h.t = t;
	h.d = d;
	h.pg = dom_min_page(d);
	cr_assert_eq(pthread_create(&tid, NULL, hthr_main, &h), 0);
	/* Let the mapping thread get going, so that it runs alongside. */
	while (h.rounds < 1 && !h.errors)
		sched_yield();
	for (int round = 0; round < 2; round++) {
		for (i = 0; i < N; i++) {
			doms[i] = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
			for (j = 0; j < i; j++)
				cr_assert_neq(doms[j], doms[i]);
		}
		/* Free every other one, then the rest. */
		for (i = 0; i < N; i += 2)
			cr_assert_eq(iommu_domain_free(doms[i]), 0);
		for (i = 1; i < N; i += 2)
			cr_assert_eq(iommu_domain_type(doms[i]),
				     IOMMU_DOMAIN_UNMANAGED);
		for (i = 1; i < N; i += 2)
			cr_assert_eq(iommu_domain_free(doms[i]), 0);
		for (i = 0; i < N; i++)
			cr_assert_eq(iommu_domain_type(doms[i]), 0);
	}
	h.stop = 1;
	pthread_join(tid, NULL);
	cr_assert_eq(h.errors, 0, "mapping thread: %s", h.what);
	cr_assert_gt(h.rounds, 0);
	expect_stale(t, doms[0]);
	free(doms);
	cr_assert_eq(iommu_domain_free(d), 0);
}

/* ---- Table allocator --------------------------------------------------- */

CONF_TEST(mem, table_free_takes_exact_allocations_only)
{
	struct tctx *t = tctx_open(p);
	uint64_t pa = 0, other = 0;

	cr_assert_eq(iommu_mem_table_alloc(t->ctx, 4 * PG, &pa), 0);
	cr_assert_eq(pa & (4 * PG - 1), 0);
	/* Parts of the allocation, larger ranges, misaligned ranges. */
	cr_assert_eq(iommu_mem_table_free(t->ctx, pa, PG), -EINVAL,
		     "first page of a 16K allocation");
	cr_assert_eq(iommu_mem_table_free(t->ctx, pa + PG, PG), -EINVAL);
	cr_assert_eq(iommu_mem_table_free(t->ctx, pa + 3 * PG, PG),
		     -EINVAL);
	cr_assert_eq(iommu_mem_table_free(t->ctx, pa, 2 * PG), -EINVAL);
	cr_assert_eq(iommu_mem_table_free(t->ctx, pa + 2 * PG, 2 * PG),
		     -EINVAL);
	cr_assert_eq(iommu_mem_table_free(t->ctx, pa, 8 * PG), -EINVAL);
	cr_assert_eq(iommu_mem_table_free(t->ctx, pa + 1, 4 * PG), -EINVAL);
	cr_assert_eq(iommu_mem_table_free(t->ctx, pa, 4 * PG + 1), -EINVAL);
	cr_assert_eq(iommu_mem_table_free(t->ctx, pa, 0), -EINVAL);
	cr_assert_eq(iommu_mem_table_free(NULL, pa, 4 * PG), -EINVAL);
	/* Nothing was freed: no new allocation lands inside it. */
	for (int i = 0; i < 16; i++) {
		cr_assert_eq(iommu_mem_table_alloc(t->ctx, PG, &other), 0);
		cr_assert(other + PG <= pa || other >= pa + 4 * PG,
			  "page %#llx of a live allocation handed out again",
			  (unsigned long long)other);
		cr_assert_eq(iommu_mem_table_free(t->ctx, other, PG), 0);
	}
	cr_assert_eq(iommu_mem_table_free(t->ctx, pa, 4 * PG), 0);
	cr_assert_eq(iommu_mem_table_free(t->ctx, pa, 4 * PG), -EINVAL,
		     "double free");
	/* Never allocated at all. */
	cr_assert_eq(iommu_mem_table_free(t->ctx, TMEM_BASE, PG), -EINVAL);
}

CONF_TEST(mem, table_free_does_not_merge_allocations)
{
	struct tctx *t = tctx_open(p);
	uint64_t pg[32];
	size_t i, j, pairs = 0;

	for (i = 0; i < 32; i++)
		cr_assert_eq(iommu_mem_table_alloc(t->ctx, PG, &pg[i]), 0);
	/* Two one-page allocations side by side are not one of 8K. */
	for (i = 0; i < 32; i++) {
		if (pg[i] & (2 * PG - 1))
			continue;
		for (j = 0; j < 32; j++) {
			if (pg[j] != pg[i] + PG)
				continue;
			cr_assert_eq(iommu_mem_table_free(t->ctx, pg[i],
							  2 * PG),
				     -EINVAL, "8K over two 4K allocations");
			pairs++;
		}
	}
	cr_assert_gt(pairs, 0, "32 pages and no adjacent pair");
	for (i = 0; i < 32; i++)
		cr_assert_eq(iommu_mem_table_free(t->ctx, pg[i], PG), 0,
			     "page %zu: a refused free freed it", i);
}
