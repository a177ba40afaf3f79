/* SPDX-License-Identifier: MIT */
/*
 * ilib_pt.h - what every driver with page tables does around core/pt:
 * map_pages and unmap_pages with the gather's bookkeeping and the table
 * pages the engine frees.
 *
 * Header-only (static inline): plugins/lib is built without core/pt in
 * its include path; a driver that includes this has both.
 *
 *  - map: the engine may replace empty tables by large leaves; the
 *    hardware may cache those tables, so the driver's @flush invalidates
 *    the range (table caches included) before they are given back.  A
 *    flush that fails keeps them (a leak, logged, never a reuse).
 *  - unmap: the tables the engine unlinks go to the core's freelist
 *    (host table_free_after), given back after the gather's invalidation;
 *    the gather grows over the range removed, its largest page, and
 *    gather->pending gets ILIB_G_FLUSH (leaves removed) and ILIB_G_TABLES
 *    (table pages unlinked: the invalidation must drop table caches too).
 */
#ifndef ILIB_PT_H
#define ILIB_PT_H

#include <errno.h>
#include <stdint.h>

#include "iommu/plugin.h"
#include "pt.h"

#pragma GCC visibility push(hidden)

#define ILIB_G_FLUSH  1u /* gather->pending: leaves removed */
#define ILIB_G_TABLES 2u /* gather->pending: table pages unlinked too */

/* Invalidate [first, last] of @dom, table caches included; 0 or -errno. */
typedef int (*ilib_pt_flush_fn)(void *dom, uint64_t first, uint64_t last);

/**
 * ilib_pt_map_pages() - the body of a driver's map_pages
 * Return: 0; -EINVAL bad sizes; pt_map()'s errors; @flush's error when
 * an empty table had to be replaced.
 */
static inline int ilib_pt_map_pages(struct pt *pt, struct iommu_host *host,
				    uint64_t iova, uint64_t paddr,
				    uint64_t pgsize, uint64_t pgcount,
				    unsigned int prot, uint64_t *mapped,
				    ilib_pt_flush_fn flush, void *dom)
{
	struct pt_free_list fl = {0};
	uint64_t len;
	int ret;

	/* The product's overflow, not a division: this runs per map. */
	if (!pt || !mapped || !pgsize ||
	    __builtin_mul_overflow(pgsize, pgcount, &len))
		return -EINVAL;
	ret = pt_map(pt, iova, paddr, len, prot, mapped, &fl);
	if (fl.n) {
		int r = flush(dom, iova, iova + len - 1);

		if (!r)
			pt_free_pages(host, &fl);
		else
			host->ops->log(host, IOMMU_LOG_ERR,
				       "not invalidated: %zu table pages never given back",
				       fl.n);
		ret = ret ? ret : r;
	}
	pt_free_list_fini(&fl);
	return ret;
}

/**
 * ilib_pt_unmap_pages() - the body of a driver's unmap_pages
 * Return: the bytes removed (0 for bad sizes).
 */
static inline uint64_t ilib_pt_unmap_pages(struct pt *pt,
					   struct iommu_host *host,
					   uint64_t iova, uint64_t pgsize,
					   uint64_t pgcount,
					   struct iommu_iotlb_gather *g)
{
	struct pt_free_list fl = {0};
	uint64_t done, len, max_leaf = 0;

	if (!pt || !g || !pgsize ||
	    __builtin_mul_overflow(pgsize, pgcount, &len))
		return 0;
	done = pt_unmap(pt, iova, len, &fl, &max_leaf);
	for (size_t i = 0; i < fl.n; i++)
		host->ops->table_free_after(host, g, fl.v[i].pa, fl.v[i].size);
	if (fl.n)
		g->pending |= ILIB_G_TABLES;
	if (fl.v) /* nothing to give back after most unmaps */
		pt_free_list_fini(&fl);
	if (done) {
		if (iova < g->start)
			g->start = iova;
		if (iova + done - 1 > g->end)
			g->end = iova + done - 1;
		if (max_leaf > g->pgsize)
			g->pgsize = max_leaf;
		g->pending |= ILIB_G_FLUSH;
	}
	return done;
}

#pragma GCC visibility pop

#endif /* ILIB_PT_H */
