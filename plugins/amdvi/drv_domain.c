// SPDX-License-Identifier: MIT
/*
 * drv_domain.c - the AMD-Vi driver's domains: DomainIDs, paging domains on
 * v1 tables (core/pt, PT_FMT_AMDV1), map/unmap and the
 * INVALIDATE_IOMMU_PAGES they gather (amdvi 5.4), attach with no window
 * through no domain, the static blocked and identity domains.  The
 * choices it follows are in drv.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "drv.h"
#include "ilib_pt.h"
#include "ilib_pt_walk.h"

static const struct iommu_domain_ops amdvi_paging_ops;

/* One INVALIDATE_IOMMU_PAGES of [start, last] and a COMPLETION_WAIT. */
static int amdvi_flush_range(struct amdvi_domain *dom, uint64_t start,
			     uint64_t last, bool pde)
{
	struct amdvi_cmd c = amdvi_cmd_inv_pages(dom->domid, start, last, pde);

	return amdvi_submit(dom->a, &c, 1);
}

/* ---- paging domain ops --------------------------------------------------- */

/* The flush of map_pages: ranges whose empty tables became leaves. */
static int amdvi_map_flush(void *d, uint64_t first, uint64_t last)
{
	struct amdvi_domain *dom = d;

	return amdvi_flush_range(dom, first, last, true);
}

/**
 * amdvi_drv_map_pages() - write leaves through core/pt
 * Context: lock-free; concurrent on disjoint ranges.
 * Return: 0; -EINVAL, -ERANGE, -EEXIST, -ENOMEM, -EFAULT from pt_map();
 * an invalidation error when an empty table had to be replaced.
 */
static int amdvi_drv_map_pages(void *d, uint64_t iova, uint64_t paddr,
			     uint64_t pgsize, uint64_t pgcount,
			     unsigned int prot, uint64_t *mapped)
{
	struct amdvi_domain *dom = d;

	if (!dom)
		return -EINVAL;
	return ilib_pt_map_pages(&dom->pt, dom->a->host, iova, paddr, pgsize,
				 pgcount, prot, mapped, amdvi_map_flush, dom);
}

static uint64_t amdvi_drv_unmap_pages(void *d, uint64_t iova, uint64_t pgsize,
				    uint64_t pgcount,
				    struct iommu_iotlb_gather *g)
{
	struct amdvi_domain *dom = d;

	if (!dom)
		return 0;
	return ilib_pt_unmap_pages(&dom->pt, dom->a->host, iova, pgsize, pgcount,
				   g);
}

/**
 * amdvi_drv_iotlb_sync() - invalidate the gathered range and wait
 * One INVALIDATE_IOMMU_PAGES (the smallest S-bit block covering it, PDE
 * when table pages were unlinked) and one COMPLETION_WAIT.
 * Context: takes q_lock.
 * Return: 0; -EIO, -ETIMEDOUT from the buffer.
 */
static int amdvi_drv_iotlb_sync(void *d, struct iommu_iotlb_gather *g)
{
	struct amdvi_domain *dom = d;

	if (!dom || !g)
		return -EINVAL;
	if (g->start > g->end)
		return 0;
	return amdvi_flush_range(dom, g->start, g->end,
				 g->pending & ILIB_G_TABLES);
}

static int amdvi_drv_flush_iotlb_all(void *d)
{
	struct amdvi_domain *dom = d;

	if (!dom)
		return -EINVAL;
	return amdvi_flush_range(dom, 0, UINT64_MAX, true);
}

static int amdvi_drv_iova_to_phys(void *d, uint64_t iova, uint64_t *phys)
{
	struct amdvi_domain *dom = d;
	int ret;

	if (!dom || !phys)
		return -EINVAL;
	ret = pt_iova_to_phys(&dom->pt, iova, phys);
	return ret == -ERANGE ? -ENOENT : ret;
}

/**
 * amdvi_drv_attach_dev() - move @info's device onto @d
 * Writes the DTE (qword 0, then qword 1: drv.h), then
 * INVALIDATE_DEVTAB_ENTRY and the old DomainID's pages, one
 * COMPLETION_WAIT.
 * Context: the core serializes attach per group; takes dev_lock, q_lock.
 * Return: 0; -EINVAL bad arguments; -EIO, -ETIMEDOUT the invalidation
 * failed (the old entry was put back).
 */
static int amdvi_drv_attach_dev(void *d, struct iommu_dev_info *info)
{
	struct amdvi_domain *dom = d;
	struct amdvi_dev *dev = amdvi_dev_of(info);
	struct amdvi_drv *a;
	uint64_t old[2], q[2];
	int ret = 0;

	if (!dom || !dev)
		return -EINVAL;
	a = dom->a;
	pthread_mutex_lock(&a->dev_lock);
	if (dev->domain == dom)
		goto out;
	amdvi_dte_read(a, dev->devid, old);
	amdvi_dte_encode(dom, q);
	amdvi_dte_write(a, dev->devid, q);
	ret = amdvi_flush_dte(
	    a, dev->devid, (uint16_t)amdvi_field_get(AMDVI_DTE1_DOMID, old[1]));
	if (ret) {
		/* Leave the old domain working: put the entry back. */
		amdvi_dte_write(a, dev->devid, old);
		amdvi_flush_dte(a, dev->devid, dom->domid);
		goto out;
	}
	dev->domain = dom;
out:
	pthread_mutex_unlock(&a->dev_lock);
	return ret;
}

/* ---- domain allocation --------------------------------------------------- */

void amdvi_domain_init_static(struct amdvi_drv *a)
{
	memset(&a->blocked, 0, sizeof(a->blocked));
	a->blocked.a = a;
	a->blocked.kind = AMDVI_DOM_BLOCKED;
	a->blocked.domid = AMDVI_DOMID_BLOCKED;
	memset(&a->identity, 0, sizeof(a->identity));
	a->identity.a = a;
	a->identity.kind = AMDVI_DOM_IDENTITY;
	a->identity.domid = AMDVI_DOMID_IDENTITY;
}

static void amdvi_drv_domain_free(void *d)
{
	struct amdvi_domain *dom = d;

	if (!dom || dom->kind != AMDVI_DOM_PAGING)
		return;
	/* No device is attached: the DomainID was flushed at detach. */
	pt_destroy(&dom->pt);
	ilib_ids_free(&dom->a->domids, dom->domid);
	free(dom);
}

/**
 * amdvi_drv_domain_alloc_paging() - a paging domain on v1 tables
 * @flags: IOMMU_ALLOC_PASID is accepted (no PASID support yet: the core
 *     never puts one on a PASID here); NEST_PARENT and DIRTY_TRACKING
 *     are not (yet): -EOPNOTSUPP
 * Return: 0; -EINVAL bad arguments; -EOPNOTSUPP a flag; -ENOSPC no
 * DomainID left; -ENOMEM.
 */
int amdvi_drv_domain_alloc_paging(void *inst, struct iommu_dev_info *dev,
				  unsigned int flags,
				  struct iommu_domain_info *info, void **out)
{
	struct amdvi_drv *a = inst;
	struct amdvi_domain *dom;
	struct pt_cfg cfg = {0};
	unsigned int ia_bits;
	uint32_t domid;
	int ret;

	(void)dev; /* one unit: every device gets the same geometry */
	if (!a || !info || !out)
		return -EINVAL;
	if (flags & ~IOMMU_ALLOC_PASID) {
		alog(a, IOMMU_LOG_DEBUG, "allocation flags 0x%x not supported",
		     flags);
		return -EOPNOTSUPP;
	}
	memset(info, 0, sizeof(*info));
	dom = calloc(1, sizeof(*dom));
	if (!dom)
		return -ENOMEM;
	dom->a = a;
	dom->kind = AMDVI_DOM_PAGING;
	dom->mode = a->mode;
	ret = ilib_ids_alloc(&a->domids, AMDVI_DOMID_FIRST, AMDVI_DOMID_LAST,
			     &domid);
	if (ret)
		goto err_free;
	dom->domid = (uint16_t)domid;
	ia_bits = 12 + 9 * a->mode;
	if (ia_bits > 64)
		ia_bits = 64;
	cfg.fmt = PT_FMT_AMDV1;
	cfg.levels = a->mode;
	cfg.ia_bits = ia_bits;
	cfg.oa_bits = 52;
	cfg.pgsize_bitmap = a->pgsizes;
	ret = pt_init(&dom->pt, a->host, &cfg);
	if (ret)
		goto err_domid;
	info->ops = &amdvi_paging_ops;
	info->pgsize_bitmap = dom->pt.pgsizes;
	info->aperture_start = 0;
	info->aperture_last =
	    ia_bits >= 64 ? UINT64_MAX : (1ull << ia_bits) - 1;
	*out = dom;
	return 0;

err_domid:
	ilib_ids_free(&a->domids, dom->domid);
err_free:
	free(dom);
	return ret;
}

/* ---- ops tables ---------------------------------------------------------- */

ILIB_PT_WALK_OP(amdvi_drv_walk, struct amdvi_domain, pt)

static const struct iommu_domain_ops amdvi_paging_ops = {
    .size = IOMMU_TABLE_SIZE(iommu_domain_ops),
    .attach_dev = amdvi_drv_attach_dev,
    .map_pages = amdvi_drv_map_pages,
    .unmap_pages = amdvi_drv_unmap_pages,
    .iotlb_sync = amdvi_drv_iotlb_sync,
    .flush_iotlb_all = amdvi_drv_flush_iotlb_all,
    .iova_to_phys = amdvi_drv_iova_to_phys,
    .free = amdvi_drv_domain_free,
    .walk = amdvi_drv_walk,
};

/* Static domains: their ops get the instance; the core never maps,
 * unmaps or frees them. */
static int amdvi_blocked_attach_dev(void *inst, struct iommu_dev_info *info)
{
	return inst ? amdvi_drv_attach_dev(&((struct amdvi_drv *)inst)->blocked,
					   info)
		    : -EINVAL;
}

static int amdvi_identity_attach_dev(void *inst, struct iommu_dev_info *info)
{
	return inst ? amdvi_drv_attach_dev(
			  &((struct amdvi_drv *)inst)->identity, info)
		    : -EINVAL;
}

const struct iommu_domain_ops amdvi_blocked_ops = {
    .size = IOMMU_TABLE_SIZE(iommu_domain_ops),
    .attach_dev = amdvi_blocked_attach_dev,
};

const struct iommu_domain_ops amdvi_identity_ops = {
    .size = IOMMU_TABLE_SIZE(iommu_domain_ops),
    .attach_dev = amdvi_identity_attach_dev,
};

unsigned int amdvi_drv_instance_domains(void *inst)
{
	(void)inst;
	return 1u << IOMMU_DOMAIN_BLOCKED | 1u << IOMMU_DOMAIN_IDENTITY |
	       1u << IOMMU_DOMAIN_UNMANAGED | 1u << IOMMU_DOMAIN_DMA;
}
