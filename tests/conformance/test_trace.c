// SPDX-License-Identifier: MIT
/*
 * test_trace.c - trace events on every backend: what a VMM author sees
 * when debugging a map, an unmap with its invalidation, and a fault, in
 * the order they happen; the core's own counters of them; and that a
 * class turned off delivers nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

#define REC_MAX 4096

struct rec_ev {
	enum iommu_trace_type type;
	int result;
	uint32_t dev_id;
	struct iommu_domain *domain;
	uint64_t iova, size, paddr, done;
	unsigned int prot;
	size_t raw_len;
	bool has_fault;
	struct iommu_fault fault;
};

struct rec {
	unsigned int n;
	unsigned int dropped;
	struct rec_ev ev[REC_MAX];
};

static void rec_fn(void *cookie, const struct iommu_trace_event *ev)
{
	struct rec *r = cookie;
	struct rec_ev *e;

	cr_assert_lt((unsigned int)ev->cls, IOMMU_TRACE_CLASS_COUNT);
	if (r->n == REC_MAX) {
		r->dropped++;
		return;
	}
	e = &r->ev[r->n++];
	*e = (struct rec_ev){
		.type = ev->type,
		.result = ev->result,
		.dev_id = ev->dev_id,
		.domain = ev->domain,
		.iova = ev->iova,
		.size = ev->size,
		.paddr = ev->paddr,
		.done = ev->done,
		.prot = ev->prot,
		.raw_len = ev->raw_len,
		.has_fault = ev->fault != NULL,
	};
	if (ev->fault)
		e->fault = *ev->fault;
}

/* Index of the first event of @type at or after @from, or -1. */
static int rec_find(const struct rec *r, enum iommu_trace_type type,
		    int from)
{
	for (unsigned int i = from < 0 ? 0 : (unsigned int)from; i < r->n; i++)
		if (r->ev[i].type == type)
			return (int)i;
	return -1;
}

static struct rec *rec_new(void)
{
	struct rec *r = calloc(1, sizeof(*r));

	cr_assert_not_null(r);
	return r;
}

CONF_TEST(trace, map_unmap_and_invalidation_in_order)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *d = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	struct rec *r = rec_new();
	uint64_t pg = dom_min_page(d), done = 0;
	int i_unmap, i_sync, i_iss, i_con;

	cr_assert_eq(iommu_attach_device(d, t->solo), 0);
	cr_assert_eq(iommu_set_trace(t->ctx, IOMMU_TRACE_ALL, rec_fn, r), 0);

	cr_assert_eq(iommu_map(d, TIOVA, TMEM_BASE, 4 * pg,
			       IOMMU_READ | IOMMU_WRITE), 0);
	int i_map = rec_find(r, IOMMU_TR_MAP, 0);
	cr_assert_geq(i_map, 0, "[%s] no map event", p->name);
	cr_assert_eq(r->ev[i_map].domain, d);
	cr_assert_eq(r->ev[i_map].iova, TIOVA);
	cr_assert_eq(r->ev[i_map].size, 4 * pg);
	cr_assert_eq(r->ev[i_map].paddr, TMEM_BASE);
	cr_assert_eq(r->ev[i_map].prot, IOMMU_READ | IOMMU_WRITE);
	cr_assert_eq(r->ev[i_map].result, 0);
	cr_assert_eq(rec_find(r, IOMMU_TR_MAP, i_map + 1), -1,
		     "one map call, one event");

	r->n = 0;
	cr_assert_eq(iommu_unmap(d, TIOVA, 4 * pg, &done), 0);
	cr_assert_eq(done, 4 * pg);
	if (!iommu_ctx_strict(t->ctx))
		cr_assert_eq(iommu_flush_iotlb_all(d), 0);
	i_unmap = rec_find(r, IOMMU_TR_UNMAP, 0);
	cr_assert_geq(i_unmap, 0, "[%s] no unmap event", p->name);
	cr_assert_eq(r->ev[i_unmap].iova, TIOVA);
	cr_assert_eq(r->ev[i_unmap].size, 4 * pg);
	cr_assert_eq(r->ev[i_unmap].done, 4 * pg);
	/* The core asks for the invalidation after the pages are gone. */
	i_sync = rec_find(r, IOMMU_TR_INVAL_SYNC, i_unmap);
	cr_assert_gt(i_sync, i_unmap, "[%s] no invalidation after the unmap",
		     p->name);
	cr_assert_eq(r->ev[i_sync].domain, d);
	if (iommu_ctx_strict(t->ctx)) {
		cr_assert_leq(r->ev[i_sync].iova, TIOVA);
		cr_assert_geq(r->ev[i_sync].iova + r->ev[i_sync].size,
			      TIOVA + 4 * pg);
	} else {
		cr_assert_eq(r->ev[i_sync].size, 0, "a flush of all");
	}
	/* The driver's commands reach the hardware, which executes them,
	 * each with its vendor bytes. */
	i_iss = rec_find(r, IOMMU_TR_CMD_ISSUED, 0);
	cr_assert_geq(i_iss, 0, "[%s] no command issued", p->name);
	cr_assert_gt(r->ev[i_iss].raw_len, 0);
	i_con = rec_find(r, IOMMU_TR_CMD_CONSUMED, i_iss);
	cr_assert_gt(i_con, i_iss, "[%s] no command consumed after issue",
		     p->name);
	cr_assert_eq(r->ev[i_con].raw_len, r->ev[i_iss].raw_len);
	cr_assert_eq(r->dropped, 0);
	cr_assert_eq(iommu_set_trace(t->ctx, IOMMU_TRACE_ALL, NULL, NULL), 0);
	free(r);
}

CONF_TEST(trace, fault_record_then_normalized_fault)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *d = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	struct fault_log dl = {0};
	struct rec *r = rec_new();
	struct iommu_translation tr;
	uint64_t iova = TIOVA + 16 * dom_min_page(d);
	int i_rec, i_flt;

	cr_assert_eq(iommu_set_fault_handler(d, fault_log_domain_fn, &dl), 0);
	cr_assert_eq(iommu_attach_device(d, t->solo), 0);
	cr_assert_eq(iommu_set_trace(t->ctx,
				     IOMMU_TRACE_BIT(IOMMU_TRACE_FAULT), rec_fn,
				     r), 0);
	cr_assert_eq(iommu_dma_translate(t->ctx, t->solo, IOMMU_NO_PASID,
					 iova, 4, IOMMU_ACCESS_READ, &tr),
		     -EFAULT);
	cr_assert_eq(dl.count, 1, "[%s] the handler saw %u faults", p->name,
		     dl.count);
	i_rec = rec_find(r, IOMMU_TR_FAULT_RECORD, 0);
	cr_assert_geq(i_rec, 0, "[%s] no fault record event", p->name);
	cr_assert_gt(r->ev[i_rec].raw_len, 0);
	i_flt = rec_find(r, IOMMU_TR_FAULT, i_rec);
	cr_assert_gt(i_flt, i_rec, "[%s] no normalized fault after the record",
		     p->name);
	cr_assert(r->ev[i_flt].has_fault);
	cr_assert_eq(r->ev[i_flt].fault.dev_id, t->solo);
	cr_assert_eq(r->ev[i_flt].fault.addr, iova);
	cr_assert_eq(r->ev[i_flt].domain, d);
	/* Only the class asked for. */
	for (unsigned int i = 0; i < r->n; i++)
		cr_assert(r->ev[i].type == IOMMU_TR_FAULT_RECORD ||
			  r->ev[i].type == IOMMU_TR_FAULT);
	cr_assert_eq(stat_get(t, IOMMU_STAT_DMA_FAULTS), 1);
	cr_assert_eq(iommu_set_trace(t->ctx, IOMMU_TRACE_ALL, NULL, NULL), 0);
	free(r);
}

CONF_TEST(trace, attach_and_iotlb_fill)
{
	struct tctx *t = tctx_open_flags(p, IOMMU_CTX_NO_HINT);
	struct iommu_domain *d = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	struct rec *r = rec_new();
	struct iommu_translation tr;
	int i;

	cr_assert_eq(iommu_map(d, TIOVA, TMEM_BASE, dom_min_page(d),
			       IOMMU_READ), 0);
	cr_assert_eq(iommu_set_trace(t->ctx, IOMMU_TRACE_ALL, rec_fn, r), 0);
	cr_assert_eq(iommu_attach_device(d, t->solo), 0);
	i = rec_find(r, IOMMU_TR_ATTACH, 0);
	cr_assert_geq(i, 0, "[%s] no attach event", p->name);
	cr_assert_eq(r->ev[i].dev_id, t->solo);
	cr_assert_eq(r->ev[i].domain, d);
	cr_assert_eq(r->ev[i].result, 0);

	r->n = 0;
	cr_assert_eq(iommu_dma_translate(t->ctx, t->solo, IOMMU_NO_PASID,
					 TIOVA, 4, IOMMU_ACCESS_READ, &tr), 0);
	/* virtio-iommu keeps mappings, not a translation cache. */
	if (strcmp(iommu_ctx_backend(t->ctx), "virtio")) {
		i = rec_find(r, IOMMU_TR_IOTLB_FILL, 0);
		cr_assert_geq(i, 0, "[%s] a miss fills no cache", p->name);
		cr_assert_gt(r->ev[i].raw_len, 0);
	}

	/* Off: nothing more arrives. */
	cr_assert_eq(iommu_set_trace(t->ctx, IOMMU_TRACE_ALL, NULL, NULL), 0);
	r->n = 0;
	cr_assert_eq(iommu_unmap(d, TIOVA, dom_min_page(d), NULL), 0);
	if (!iommu_ctx_strict(t->ctx)) /* deferred: still cached till now */
		cr_assert_eq(iommu_flush_iotlb_all(d), 0);
	cr_assert_eq(iommu_dma_translate(t->ctx, t->solo, IOMMU_NO_PASID,
					 TIOVA, 4, IOMMU_ACCESS_READ, &tr),
		     -EFAULT);
	cr_assert_eq(r->n, 0, "[%s] %u events after turning tracing off",
		     p->name, r->n);
	free(r);
}

CONF_TEST(trace, core_counts_what_it_sees)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *d = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	uint64_t pg = dom_min_page(d);
	uint64_t syncs = stat_get(t, IOMMU_STAT_INVAL_SYNCS);

	cr_assert_eq(iommu_attach_device(d, t->solo), 0);
	cr_assert_eq(iommu_map(d, TIOVA, TMEM_BASE, pg, IOMMU_READ), 0);
	cr_assert_eq(iommu_map(d, TIOVA + pg, TMEM_BASE, pg, IOMMU_READ), 0);
	cr_assert_eq(iommu_map(d, TIOVA, TMEM_BASE, pg, IOMMU_READ), -EEXIST);
	cr_assert_eq(stat_get(t, IOMMU_STAT_MAPS), 2);
	cr_assert_eq(iommu_unmap(d, TIOVA, 2 * pg, NULL), 0);
	cr_assert_eq(iommu_unmap(d, TIOVA, 2 * pg, NULL), 0); /* nothing */
	cr_assert_eq(stat_get(t, IOMMU_STAT_UNMAPS), 1);
	cr_assert_eq(iommu_flush_iotlb_all(d), 0);
	cr_assert_geq(stat_get(t, IOMMU_STAT_INVAL_SYNCS),
		      syncs + (iommu_ctx_strict(t->ctx) ? 3 : 1));
}

CONF_TEST(trace, bad_arguments)
{
	struct tctx *t = tctx_open(p);
	struct rec *r = rec_new();

	cr_assert_eq(iommu_set_trace(NULL, IOMMU_TRACE_ALL, rec_fn, r),
		     -EINVAL);
	cr_assert_eq(iommu_set_trace(t->ctx, IOMMU_TRACE_ALL + 1, rec_fn, r),
		     -EINVAL);
	cr_assert_eq(iommu_set_trace(t->ctx, 0, rec_fn, r), 0);
	cr_assert_null(iommu_trace_type_name(IOMMU_TR_TYPE_COUNT));
	cr_assert_str_eq(iommu_trace_type_name(IOMMU_TR_CMD_ISSUED),
			 "cmd_issued");
	iommu_trace_print(NULL, NULL); /* ignored */
	free(r);
}
