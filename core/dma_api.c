// SPDX-License-Identifier: MIT
/*
 * dma_api.c - the library's own DMA API: iommu_dma_map()/iommu_dma_unmap()
 * with an IOVA allocator per DMA domain (sorted ranges, first fit).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

void iommu__domain_iova_fini(struct iommu_domain *d)
{
	free(d->iovas);
	d->iovas = NULL;
	d->nr_iovas = d->cap_iovas = 0;
}

static bool overlaps(uint64_t a, uint64_t alast, uint64_t b, uint64_t blast)
{
	return a <= blast && b <= alast;
}

static uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

/*
 * The range a DMA-API mapping of [@addr, +@size) on @d takes: whole pages
 * of @d's smallest size around it, @base and @msize.  Return: false if
 * @msize would wrap.
 */
static bool dma_span(const struct iommu_domain *d, uint64_t addr,
		     uint64_t size, uint64_t *base, uint64_t *msize)
{
	uint64_t pg = d->info.pgsize_bitmap & -d->info.pgsize_bitmap;
	uint64_t off = addr & (pg - 1);

	*base = addr - off;
	*msize = align_up(size + off, pg);
	return *msize >= size;
}

/*
 * First fit from the bottom of the aperture (never IOVA 0), skipping the
 * live ranges and the reserved regions.  d->iova_lock held.
 */
static int iova_alloc(struct iommu_domain *d,
		      const struct iommu_resv_region *resv, size_t nr_resv,
		      uint64_t size, uint64_t align, uint64_t *out)
{
	uint64_t lo = d->info.aperture_start ? d->info.aperture_start : align;
	uint64_t last = d->info.aperture_last;
	size_t i = 0;

	for (;;) {
		uint64_t a = align_up(lo, align);
		if (a < lo || a > last || size - 1 > last - a)
			return -ENOSPC;
		uint64_t alast = a + size - 1;
		bool moved = false;
		while (i < d->nr_iovas &&
		       d->iovas[i].iova + d->iovas[i].size - 1 < a)
			i++;
		if (i < d->nr_iovas &&
		    overlaps(a, alast, d->iovas[i].iova,
			     d->iovas[i].iova + d->iovas[i].size - 1)) {
			lo = d->iovas[i].iova + d->iovas[i].size;
			moved = true;
		}
		for (size_t r = 0; !moved && r < nr_resv; r++) {
			if (overlaps(a, alast, resv[r].start, resv[r].last)) {
				if (resv[r].last == UINT64_MAX)
					return -ENOSPC;
				lo = resv[r].last + 1;
				moved = true;
			}
		}
		if (!moved) {
			*out = a;
			return 0;
		}
		if (lo == 0)
			return -ENOSPC;
	}
}

/* Insert into a sorted array of ranges. */
static int iova_insert(struct iommu__iova **arr, size_t *nr, size_t *cap,
		       uint64_t iova, uint64_t size)
{
	size_t i = 0;

	if (*nr == *cap) {
		size_t n = *cap ? *cap * 2 : 16;
		struct iommu__iova *p = realloc(*arr, n * sizeof(*p));
		if (!p)
			return -ENOMEM;
		*arr = p;
		*cap = n;
	}
	while (i < *nr && (*arr)[i].iova < iova)
		i++;
	memmove(&(*arr)[i + 1], &(*arr)[i], (*nr - i) * sizeof(**arr));
	(*arr)[i] = (struct iommu__iova){ iova, size };
	(*nr)++;
	return 0;
}

/* Remove the range that is exactly [iova, +size); -ENOENT if none. */
static int iova_remove(struct iommu__iova *arr, size_t *nr, uint64_t iova,
		       uint64_t size)
{
	for (size_t i = 0; i < *nr; i++) {
		if (arr[i].iova == iova && arr[i].size == size) {
			memmove(&arr[i], &arr[i + 1],
				(*nr - i - 1) * sizeof(*arr));
			(*nr)--;
			return 0;
		}
	}
	return -ENOENT;
}

static int group_of(struct iommu_ctx *ctx, uint32_t dev_id,
		    struct iommu__group **out)
{
	struct iommu__dev *dev;

	pthread_rwlock_rdlock(&ctx->topo_lock);
	dev = iommu__dev_find(ctx, dev_id);
	if (!dev) {
		pthread_rwlock_unlock(&ctx->topo_lock);
		return -ENODEV;
	}
	pthread_mutex_lock(&dev->group->lock);
	*out = dev->group;
	return 0;
}

static void group_done(struct iommu_ctx *ctx, struct iommu__group *g)
{
	pthread_mutex_unlock(&g->lock);
	pthread_rwlock_unlock(&ctx->topo_lock);
}

int iommu_dma_map(struct iommu_ctx *ctx, uint32_t dev_id, uint64_t paddr,
		  uint64_t size, unsigned int prot, uint64_t *iova)
{
	IOMMU__API_SCOPE();
	struct iommu_resv_region *resv = NULL;
	struct iommu__group *g;
	struct iommu_domain *d;
	size_t nr_resv = 0;
	int ret;

	if (!ctx || !iova || !size || paddr + (size - 1) < paddr ||
	    prot & ~IOMMU_PROT_MASK || !(prot & (IOMMU_READ | IOMMU_WRITE)))
		return -EINVAL;
	if (!ctx->has_driver)
		return -ENODEV;
	ret = group_of(ctx, dev_id, &g);
	if (ret)
		return ret;
	d = atomic_load(&g->domain);
	if (d->type == IOMMU_DOMAIN_IDENTITY) {
		/* Kept so that unmap can tell a mapping from a mistake and an
		 * owner claim sees the group is in use. */
		ret = iova_insert(&g->ident, &g->nr_ident, &g->cap_ident, paddr,
				  size);
		if (!ret) {
			g->dma_live++;
			*iova = paddr;
		}
		goto out;
	}
	if (d->type != IOMMU_DOMAIN_DMA) {
		ret = -EPERM;
		goto out;
	}

	uint64_t base, msize;
	if (!dma_span(d, paddr, size, &base, &msize)) {
		ret = -EINVAL;
		goto out;
	}
	/* Align the IOVA like the physical address, up to the largest page
	 * that fits, so that large pages can be used. */
	uint64_t pg = d->info.pgsize_bitmap & -d->info.pgsize_bitmap;
	uint64_t align = pg;
	uint64_t sizes = d->info.pgsize_bitmap;
	for (uint64_t s = pg; s && s <= msize; s <<= 1)
		if (sizes & s && !(base & (s - 1)))
			align = s;

	ret = iommu__group_resv(ctx, g, &resv, &nr_resv);
	if (ret)
		goto out;
	pthread_mutex_lock(&d->iova_lock);
	uint64_t a = 0;
	ret = iova_alloc(d, resv, nr_resv, msize, align, &a);
	if (!ret)
		ret = iova_insert(&d->iovas, &d->nr_iovas, &d->cap_iovas, a,
				  msize);
	pthread_mutex_unlock(&d->iova_lock);
	free(resv);
	if (ret)
		goto out;
	ret = iommu__map_range(d, a, base, msize, prot);
	if (iommu__tracing(ctx, IOMMU_TRACE_MAP))
		iommu__trace_range(d, IOMMU_TR_MAP, dev_id, a, msize, base,
				   prot, ret ? 0 : msize, ret);
	if (ret) {
		pthread_mutex_lock(&d->iova_lock);
		iova_remove(d->iovas, &d->nr_iovas, a, msize);
		pthread_mutex_unlock(&d->iova_lock);
		goto out;
	}
	g->dma_live++;
	*iova = a + (paddr - base);
out:
	group_done(ctx, g);
	return ret;
}

int iommu_dma_unmap(struct iommu_ctx *ctx, uint32_t dev_id, uint64_t iova,
		    uint64_t size)
{
	IOMMU__API_SCOPE();
	struct iommu__group *g;
	struct iommu_domain *d;
	int ret;

	if (!ctx || !size || iova + (size - 1) < iova)
		return -EINVAL;
	if (!ctx->has_driver)
		return -ENODEV;
	ret = group_of(ctx, dev_id, &g);
	if (ret)
		return ret;
	d = atomic_load(&g->domain);
	if (d->type == IOMMU_DOMAIN_IDENTITY) {
		ret = iova_remove(g->ident, &g->nr_ident, iova, size);
		if (!ret)
			g->dma_live--;
		goto out;
	}
	if (d->type != IOMMU_DOMAIN_DMA) {
		ret = -ENOENT;
		goto out;
	}
	uint64_t base, msize;
	size_t i;

	if (!dma_span(d, iova, size, &base, &msize)) {
		/* No mapping can be that long: map refuses it. */
		ret = -ENOENT;
		goto out;
	}
	pthread_mutex_lock(&d->iova_lock);
	for (i = 0; i < d->nr_iovas; i++)
		if (d->iovas[i].iova == base && d->iovas[i].size == msize)
			break;
	if (i == d->nr_iovas) {
		pthread_mutex_unlock(&d->iova_lock);
		ret = -ENOENT;
		goto out;
	}
	pthread_mutex_unlock(&d->iova_lock);

	/* The IOVA is reused at once, so the DMA API always waits for the
	 * invalidation, whatever the invalidation mode. */
	struct iommu_iotlb_gather gather;
	uint64_t done = 0;
	iommu_iotlb_gather_init(&gather);
	ret = iommu__unmap_range(d, base, msize, &gather, &done);
	if (iommu__tracing(ctx, IOMMU_TRACE_MAP))
		iommu__trace_range(d, IOMMU_TR_UNMAP, dev_id, base, msize, 0, 0,
				   done, ret);
	if (ret)
		goto out; /* nothing removed (no memory): the mapping stays */
	ret = iommu__sync(d, &gather);
	if (done != msize)
		iommu__log(ctx, IOMMU_LOG_ERR,
			   "dma_unmap: backend removed 0x%llx of 0x%llx bytes at 0x%llx",
			   (unsigned long long)done, (unsigned long long)msize,
			   (unsigned long long)base);
	pthread_mutex_lock(&d->iova_lock);
	iova_remove(d->iovas, &d->nr_iovas, base, msize);
	pthread_mutex_unlock(&d->iova_lock);
	g->dma_live--;
out:
	group_done(ctx, g);
	return ret;
}
