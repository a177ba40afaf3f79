// SPDX-License-Identifier: MIT
/*
 * map.c - map and unmap of a domain (DESIGN rules 9, 10): the page-size
 * split of a range, all-or-nothing map, unmap with a gather, IOTLB sync
 * and flush, and iova_to_phys.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdint.h>

#include "core.h"

/* ---- Map and unmap (rules 9, 10) -------------------------------------- */

static uint64_t min_page(const struct iommu_domain *d)
{
	return d->info.pgsize_bitmap & -d->info.pgsize_bitmap;
}

/*
 * The page size for the next step at @iova/@paddr with @left bytes to go:
 * the largest size in the bitmap that both addresses are aligned to and
 * that fits.  *@count pages of it may follow one another before a larger
 * size could start (the next boundary of the next larger size).
 */
static uint64_t pick_pgsize(uint64_t bitmap, uint64_t iova, uint64_t paddr,
			    uint64_t left, uint64_t *count)
{
	uint64_t addr = iova | paddr;
	uint64_t sizes = bitmap;
	uint64_t pg = 0;

	/* Sizes the alignment allows: below the lowest set address bit. */
	if (addr)
		sizes &= (addr & -addr) | ((addr & -addr) - 1);
	/* Sizes that fit in what is left (left > 0). */
	uint64_t top = 1ull << (63 - __builtin_clzll(left));
	sizes &= top | (top - 1);
	if (!sizes)
		return 0;
	unsigned int lg = 63u - (unsigned int)__builtin_clzll(sizes);
	pg = 1ull << lg;

	/* Shifts, not divisions: pg is a power of two. */
	uint64_t n = left >> lg;
	uint64_t bigger = bitmap & ~((pg << 1) - 1);
	if (pg << 1 && bigger) {
		uint64_t next = bigger & -bigger;
		if (!((iova ^ paddr) & (next - 1))) {
			uint64_t to_boundary = next - (iova & (next - 1));
			if (to_boundary >> lg < n)
				n = to_boundary >> lg;
		}
	}
	*count = n;
	return pg;
}

static int map_checks(struct iommu_domain *d, uint64_t iova, uint64_t size)
{
	uint64_t mask = min_page(d) - 1;

	if (!size || (iova | size) & mask)
		return -EINVAL;
	if (iova + (size - 1) < iova)
		return -ERANGE;
	if (iova < d->info.aperture_start ||
	    iova + (size - 1) > d->info.aperture_last)
		return -ERANGE;
	return 0;
}

static int tables_reserve(struct iommu_domain *d,
			  struct iommu_gather_tables **lp, size_t more);
static size_t unmap_tables_bound(struct iommu_domain *d, uint64_t size);
static void tables_free(struct iommu_ctx *ctx, struct iommu_domain *d,
			struct iommu_gather_tables *l);

int iommu__unmap_range(struct iommu_domain *d, uint64_t iova, uint64_t size,
		       struct iommu_iotlb_gather *g, uint64_t *unmapped)
{
	uint64_t done = 0;
	int ret = 0;

	/* One page of the smallest size (the common strict unmap): the only
	 * size that fits, and below 2 MiB no table it could unlink, so no
	 * room to reserve. */
	if (size == min_page(d) && !unmap_tables_bound(d, size)) {
		done = d->info.ops->unmap_pages(d->priv, iova, size, 1, g);
		*unmapped = done < size ? done : size;
		return 0;
	}
	while (done < size) {
		uint64_t count = 1, pg = min_page(d);

		/* One page of the smallest size left: no pick. */
		if (size - done != pg)
			pg = pick_pgsize(d->info.pgsize_bitmap, iova + done, 0,
					 size - done, &count);
		if (!pg)
			break;
		uint64_t want = pg * count;
		/* Room for the table pages this call may unlink, before it
		 * changes anything (see "Table pages freed by unmap"). */
		size_t bound = unmap_tables_bound(d, want);

		if (bound && tables_reserve(d, &g->freelist, bound)) {
			ret = -ENOMEM;
			break;
		}
		uint64_t got = d->info.ops->unmap_pages(d->priv, iova + done,
							pg, count, g);
		if (got > want)
			got = want;
		done += got;
		if (got < want)
			break;
	}
	*unmapped = done;
	/* An unused reservation goes back: a gather holds a list only
	 * while it holds pages. */
	if (__builtin_expect(g->freelist != NULL, 0) && !g->freelist->n) {
		struct iommu_gather_tables *l = g->freelist;

		g->freelist = NULL;
		tables_free(d->ctx, d, l);
	}
	/* Out of memory after a first piece: that piece is unmapped. */
	return done ? 0 : ret;
}

int iommu__map_range(struct iommu_domain *d, uint64_t iova, uint64_t paddr,
		     uint64_t size, unsigned int prot)
{
	uint64_t done = 0;
	int ret = 0;

	while (done < size) {
		uint64_t count = 0, mapped = 0;
		uint64_t pg = pick_pgsize(d->info.pgsize_bitmap, iova + done,
					  paddr + done, size - done, &count);
		if (!pg) {
			ret = -EINVAL;
			break;
		}
		ret = d->info.ops->map_pages(d->priv, iova + done, paddr + done,
					     pg, count, prot, &mapped);
		done += mapped < pg * count ? mapped : pg * count;
		if (ret)
			break;
	}
	if (ret) {
		/* All or nothing: take back what this call mapped. */
		if (done) {
			struct iommu_iotlb_gather g;
			uint64_t un = 0;
			iommu_iotlb_gather_init(&g);
			iommu__unmap_range(d, iova, done, &g, &un);
			iommu__sync(d, &g);
		}
		return ret;
	}
	if (d->info.ops->iotlb_sync_map)
		return d->info.ops->iotlb_sync_map(d->priv, iova, size);
	return 0;
}

int iommu_map(struct iommu_domain *handle, uint64_t iova, uint64_t paddr,
	      uint64_t size, unsigned int prot)
{
	IOMMU__API_SCOPE();
	struct iommu_domain *d = iommu__domain_get(handle);
	int ret;

	if (!d)
		return -EINVAL;
	if (d->type != IOMMU_DOMAIN_UNMANAGED)
		return -EINVAL;
	if (prot & ~IOMMU_PROT_MASK || !(prot & (IOMMU_READ | IOMMU_WRITE)))
		return -EINVAL;
	ret = map_checks(d, iova, size);
	if (ret)
		return ret;
	if (paddr & (min_page(d) - 1) || paddr + (size - 1) < paddr)
		return -EINVAL;
	ret = iommu__map_range(d, iova, paddr, size, prot);
	if (!ret)
		iommu__stat(d->ctx, IOMMU_STAT_MAPS, 1);
	if (iommu__tracing(d->ctx, IOMMU_TRACE_MAP))
		iommu__trace_range(d, IOMMU_TR_MAP, 0, iova, size, paddr, prot,
				   ret ? 0 : size, ret);
	return ret;
}

void iommu__trace_range(struct iommu_domain *d, enum iommu_trace_type type,
			uint32_t dev_id, uint64_t iova, uint64_t size,
			uint64_t paddr, unsigned int prot, uint64_t done,
			int result)
{
	struct iommu_trace_event ev = {
		.cls = IOMMU_TRACE_MAP,
		.type = type,
		.result = result,
		.dev_id = dev_id,
		.pasid = IOMMU_NO_PASID,
		.domain = iommu__domain_handle(d),
		.iova = iova,
		.size = size,
		.paddr = paddr,
		.done = done,
		.prot = prot,
	};

	iommu__trace(d->ctx, &ev);
}

void iommu_iotlb_gather_init(struct iommu_iotlb_gather *g)
{
	if (!g)
		return;
	g->start = UINT64_MAX;
	g->end = 0;
	g->pgsize = 0;
	g->pending = 0;
	g->freelist = NULL;
}

/* ---- Table pages freed by unmap (the gather's freelist) ---------------
 *
 * A table page a driver unlinks stays allocated until the invalidation
 * that makes walkers forget it: the driver hands it to the gather
 * (host table_free_after), and the core gives it back after the sync, or
 * after the next flush of the whole domain in deferred mode.  Recording
 * a page must not fail half-way through an unmap, so the core reserves
 * room in the gather before each call into the driver's unmap_pages
 * (unmap_reserve): that allocation fails before anything changed, and
 * the unmap returns -ENOMEM with the tables as they were.  Deferring a
 * list chains it to the domain and allocates nothing.
 */

/* Room for @more pages in *@lp (an emptied list of @d reused first). */
static int tables_reserve(struct iommu_domain *d,
			  struct iommu_gather_tables **lp, size_t more)
{
	struct iommu_gather_tables *l = *lp, *n;
	size_t want, cap;

	if (!l && d)
		l = __atomic_exchange_n(&d->spare, NULL, __ATOMIC_ACQ_REL);
	if (l && l->cap - l->n >= more) {
		*lp = l;
		return 0;
	}
	want = (l ? l->n : 0) + more;
	cap = l ? l->cap : 8;
	while (cap < want)
		cap *= 2;
	n = realloc(l, sizeof(*n) + cap * sizeof(n->v[0]));
	if (!n) {
		*lp = l;
		return -ENOMEM;
	}
	if (!l) {
		n->n = 0;
		n->next = NULL;
	}
	n->cap = cap;
	*lp = n;
	return 0;
}

static int tables_add(struct iommu_gather_tables **lp, uint64_t pa,
		      uint64_t size)
{
	struct iommu_gather_tables *l;

	/* Reserved before the unmap; growing here is the fallback for a
	 * driver that frees more than the bound. */
	if (tables_reserve(NULL, lp, 1))
		return -ENOMEM;
	l = *lp;
	l->v[l->n++] = (struct iommu__table_page){ pa, size };
	return 0;
}

/* Give back every page of the chain @l; keep one emptied list in @d. */
static void tables_free(struct iommu_ctx *ctx, struct iommu_domain *d,
			struct iommu_gather_tables *l)
{
	while (l) {
		struct iommu_gather_tables *next = l->next;

		for (size_t i = 0; i < l->n; i++)
			if (iommu__table_free(&ctx->mem, l->v[i].pa,
					      l->v[i].size))
				iommu__log(ctx, IOMMU_LOG_WARN,
					   "table_free_after of [0x%llx, +0x%llx) that was not allocated",
					   (unsigned long long)l->v[i].pa,
					   (unsigned long long)l->v[i].size);
		l->n = 0;
		l->next = NULL;
		if (d && l->cap <= 64)
			l = __atomic_exchange_n(&d->spare, l, __ATOMIC_ACQ_REL);
		free(l);
		l = next;
	}
}

/*
 * The most table pages one unmap_pages call of [iova, iova + @size) can
 * unlink.  A driver unlinks a table only when the range covers all of it
 * (core/pt: "whole"), and every format's tables below the top cover at
 * least 2 MiB (512 entries of 4 KiB): so none below 2 MiB (the common
 * small unmap reserves nothing), else at most size / 2 MiB + 2 per level
 * on at most 6 levels, and never more than the table range holds.
 */
static size_t unmap_tables_bound(struct iommu_domain *d, uint64_t size)
{
	uint64_t per_level = (size >> 21) + 2;
	uint64_t bound = per_level * 6;

	if (size < (UINT64_C(1) << 21))
		return 0;

	if (bound > d->ctx->mem.nr_pages)
		bound = d->ctx->mem.nr_pages;
	return (size_t)bound;
}

int iommu__host_table_free_after(struct iommu_host *h,
				 struct iommu_iotlb_gather *g, uint64_t pa,
				 size_t size)
{
	struct iommu_ctx *ctx = iommu__host_ctx(h);

	if (!g || !size)
		return -EINVAL;
	if (tables_add(&g->freelist, pa, size)) {
		iommu__log(ctx, IOMMU_LOG_ERR,
			   "out of memory: table page 0x%llx is never given back",
			   (unsigned long long)pa);
		return -ENOMEM;
	}
	return 0;
}

void iommu__gather_defer(struct iommu_domain *d, struct iommu_iotlb_gather *g)
{
	struct iommu_gather_tables *l = g->freelist;

	if (l && l->n) {
		pthread_mutex_lock(&d->deferred_lock);
		l->next = d->deferred;
		d->deferred = l;
		pthread_mutex_unlock(&d->deferred_lock);
	} else {
		tables_free(d->ctx, d, l);
	}
	iommu_iotlb_gather_init(g);
}

void iommu__deferred_free(struct iommu_domain *d)
{
	struct iommu_gather_tables *l;

	pthread_mutex_lock(&d->deferred_lock);
	l = d->deferred;
	d->deferred = NULL;
	pthread_mutex_unlock(&d->deferred_lock);
	tables_free(d->ctx, d, l);
}

/* The core asks for an invalidation: count it, trace it. */
static void inval_seen(struct iommu_domain *d, uint64_t start, uint64_t end,
		       bool all)
{
	iommu__stat(d->ctx, IOMMU_STAT_INVAL_SYNCS, 1);
	if (iommu__tracing(d->ctx, IOMMU_TRACE_INVAL)) {
		struct iommu_trace_event ev = {
			.cls = IOMMU_TRACE_INVAL,
			.type = IOMMU_TR_INVAL_SYNC,
			.dev_id = 0,
			.pasid = IOMMU_NO_PASID,
			.domain = iommu__domain_handle(d),
			.iova = all ? 0 : start,
			.size = all || end < start ? 0 : end - start + 1,
		};
		iommu__trace(d->ctx, &ev);
	}
}

int iommu__sync(struct iommu_domain *d, struct iommu_iotlb_gather *g)
{
	int ret;

	inval_seen(d, g->start, g->end, false);
	ret = d->info.ops->iotlb_sync(d->priv, g);

	if (ret) {
		/* Not invalidated: the pages wait for a flush of all. */
		iommu__gather_defer(d, g);
		return ret;
	}
	if (g->freelist) /* most unmaps free no table page */
		tables_free(d->ctx, d, g->freelist);
	iommu_iotlb_gather_init(g);
	return 0;
}

static int unmap_fast(struct iommu_domain *d, uint64_t iova, uint64_t size,
		      struct iommu_iotlb_gather *g, uint64_t *unmapped)
{
	int ret;

	if (d->type != IOMMU_DOMAIN_UNMANAGED || !g || !unmapped)
		return -EINVAL;
	*unmapped = 0;
	ret = map_checks(d, iova, size);
	if (ret)
		return ret;
	ret = iommu__unmap_range(d, iova, size, g, unmapped);
	if (!ret && *unmapped)
		iommu__stat(d->ctx, IOMMU_STAT_UNMAPS, 1);
	if (iommu__tracing(d->ctx, IOMMU_TRACE_MAP))
		iommu__trace_range(d, IOMMU_TR_UNMAP, 0, iova, size, 0, 0,
				   *unmapped, ret);
	return ret;
}

int iommu_unmap_fast(struct iommu_domain *handle, uint64_t iova,
		     uint64_t size, struct iommu_iotlb_gather *g,
		     uint64_t *unmapped)
{
	IOMMU__API_SCOPE();
	struct iommu_domain *d = iommu__domain_get(handle);

	if (!d)
		return -EINVAL;
	return unmap_fast(d, iova, size, g, unmapped);
}

static int iotlb_sync(struct iommu_domain *d, struct iommu_iotlb_gather *g)
{
	int ret;

	if (!g || d->is_static)
		return -EINVAL;
	ret = iommu__sync(d, g);
	return ret;
}

int iommu_iotlb_sync(struct iommu_domain *handle,
		     struct iommu_iotlb_gather *g)
{
	IOMMU__API_SCOPE();
	struct iommu_domain *d = iommu__domain_get(handle);

	if (!d)
		return -EINVAL;
	return iotlb_sync(d, g);
}

int iommu_unmap(struct iommu_domain *handle, uint64_t iova, uint64_t size,
		uint64_t *unmapped)
{
	IOMMU__API_SCOPE();
	struct iommu_domain *d = iommu__domain_get(handle);
	struct iommu_iotlb_gather g;
	uint64_t dummy;
	int ret;

	if (!d)
		return -EINVAL;
	iommu_iotlb_gather_init(&g);
	ret = unmap_fast(d, iova, size, &g, unmapped ? unmapped : &dummy);
	if (ret)
		return ret;
	/* Deferred mode leaves the invalidation to iommu_flush_iotlb_all(),
	 * and the freed table pages with it. */
	if (d->ctx->strict)
		return iotlb_sync(d, &g);
	iommu__gather_defer(d, &g);
	return 0;
}

int iommu_flush_iotlb_all(struct iommu_domain *handle)
{
	IOMMU__API_SCOPE();
	struct iommu_domain *d = iommu__domain_get(handle);
	struct iommu_iotlb_gather g;
	int ret;

	if (!d)
		return -EINVAL;
	if (d->is_static)
		return -EINVAL;
	if (d->info.ops->flush_iotlb_all) {
		inval_seen(d, 0, 0, true);
		ret = d->info.ops->flush_iotlb_all(d->priv);
	} else {
		/* Fallback: a sync of the whole aperture. */
		iommu_iotlb_gather_init(&g);
		g.start = d->info.aperture_start;
		g.end = d->info.aperture_last;
		g.pgsize = min_page(d);
		g.pending = 1;
		ret = iommu__sync(d, &g);
	}
	if (!ret)
		iommu__deferred_free(d);
	return ret;
}

int iommu_iova_to_phys(struct iommu_domain *handle, uint64_t iova,
		       uint64_t *phys)
{
	IOMMU__API_SCOPE();
	struct iommu_domain *d = iommu__domain_get(handle);

	if (!d)
		return -EINVAL;
	if (!phys)
		return -EINVAL;
	switch (d->type) {
	case IOMMU_DOMAIN_IDENTITY:
		*phys = iova;
		return 0;
	case IOMMU_DOMAIN_BLOCKED:
		return -ENOENT;
	default:
		return d->info.ops->iova_to_phys(d->priv, iova, phys);
	}
}
