// SPDX-License-Identifier: MIT
/*
 * domain.c - domains, attach and detach, DMA ownership and auxiliary
 * domains (DESIGN rules 2-8); map and unmap are in map.c.
 *
 * Attach is by group: every device of a group is on the group's domain.
 * A backend has no detach; the core "detaches" by attaching the group's
 * default domain (or, while a DMA owner holds the group, the blocking
 * domain).  A failed attach puts the devices already moved back on the
 * old domain, so the group is never split.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <stddef.h>

#include "core.h"

int iommu__domain_new(struct iommu_ctx *ctx, enum iommu_domain_type type,
		      struct iommu_dev_info *dev, unsigned int flags,
		      struct iommu_domain **out)
{
	struct iommu_domain *d;
	int ret;

	ret = iommu__domain_slot(&d);
	if (ret)
		return ret;
	memset(&d->info, 0, sizeof(d->info));
	ret = ctx->desc->ops->domain_alloc_paging(ctx->drv, dev, flags,
						  &d->info, &d->priv);
	if (ret) {
		iommu__domain_slot_free(d);
		return ret;
	}
	if (d->info.ops && (iommu__abi_take_domain_ops(ctx, d) ||
			    iommu__abi_take_dirty_ops(ctx, d) ||
			    (!d->info.dirty_ops !=
			     !(flags & IOMMU_ALLOC_DIRTY_TRACKING)))) {
		/* The original table still says how to free it, if at all. */
		if (d->info.ops->size >= offsetof(struct iommu_domain_ops, free) +
					     sizeof(void *) &&
		    d->info.ops->free)
			d->info.ops->free(d->priv);
		iommu__log(ctx, IOMMU_LOG_ERR,
			   "backend %s returned a paging domain with bad ops tables",
			   ctx->desc->name);
		iommu__domain_slot_free(d);
		return -EINVAL;
	}
	const struct iommu_domain_ops *ops = d->info.ops;
	uint64_t bm = d->info.pgsize_bitmap;
	if (!ops || !ops->attach_dev || !ops->map_pages || !ops->unmap_pages ||
	    !ops->iotlb_sync || !ops->iova_to_phys || !ops->free || !bm ||
	    d->info.aperture_start > d->info.aperture_last) {
		iommu__log(ctx, IOMMU_LOG_ERR,
			   "backend %s returned a paging domain without its ops, page sizes or aperture",
			   ctx->desc->name);
		if (ops && ops->free)
			ops->free(d->priv);
		iommu__domain_slot_free(d);
		return -EINVAL;
	}
	d->ctx = ctx;
	d->type = type;
	d->pasid = IOMMU_NO_PASID;
	pthread_mutex_init(&d->iova_lock, NULL);
	pthread_mutex_init(&d->deferred_lock, NULL);
	d->deferred = NULL;
	d->spare = NULL;
	pthread_mutex_lock(&ctx->domains_lock);
	d->next = ctx->domains;
	ctx->domains = d;
	pthread_mutex_unlock(&ctx->domains_lock);
	iommu__domain_publish(d);
	*out = d;
	return 0;
}

void iommu__domain_destroy(struct iommu_domain *d)
{
	struct iommu_ctx *ctx = d->ctx;

	iommu__domain_revoke(d); /* stale at once, also during teardown */
	pthread_mutex_lock(&ctx->domains_lock);
	for (struct iommu_domain **pp = &ctx->domains; *pp; pp = &(*pp)->next) {
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	}
	pthread_mutex_unlock(&ctx->domains_lock);
	iommu__pasid_free(ctx, d->pasid);
	d->info.ops->free(d->priv);
	iommu__deferred_free(d); /* no device is on it: nothing caches them */
	free(d->spare);
	iommu__domain_iova_fini(d);
	pthread_mutex_destroy(&d->iova_lock);
	pthread_mutex_destroy(&d->deferred_lock);
	iommu__domain_slot_free(d);
}

int iommu_domain_alloc(struct iommu_ctx *ctx, enum iommu_domain_type type,
		       struct iommu_domain **out)
{
	IOMMU__API_SCOPE();
	struct iommu_domain *d = NULL;
	int ret;

	if (out)
		*out = NULL;
	if (!ctx || !out)
		return -EINVAL;
	if (!ctx->has_driver)
		return -ENODEV;
	switch (type) {
	case IOMMU_DOMAIN_BLOCKED:
		d = ctx->blocked;
		break;
	case IOMMU_DOMAIN_IDENTITY:
		if (!ctx->identity)
			return -EOPNOTSUPP;
		d = ctx->identity;
		break;
	case IOMMU_DOMAIN_UNMANAGED:
	case IOMMU_DOMAIN_DMA:
		ret = iommu__domain_new(ctx, type, NULL, 0, &d);
		if (ret)
			return ret;
		break;
	default:
		return -EINVAL;
	}
	*out = iommu__domain_handle(d);
	return 0;
}

int iommu_domain_alloc_paging(struct iommu_ctx *ctx, uint32_t dev_id,
			      unsigned int flags, struct iommu_domain **out)
{
	IOMMU__API_SCOPE();
	struct iommu_dev_info *info = NULL;
	struct iommu__dev *dev;
	struct iommu_domain *d;
	int ret;

	if (out)
		*out = NULL;
	if (!ctx || !out || (flags & ~IOMMU_ALLOC_FLAGS_ALL))
		return -EINVAL;
	if (!ctx->has_driver)
		return -ENODEV;
	/* The device's info is only read by the driver here; topo_lock
	 * keeps the device from going away meanwhile. */
	pthread_rwlock_rdlock(&ctx->topo_lock);
	if (dev_id != IOMMU_ANY_DEV) {
		dev = iommu__dev_find(ctx, dev_id);
		if (!dev) {
			pthread_rwlock_unlock(&ctx->topo_lock);
			return -ENODEV;
		}
		info = &dev->info;
	}
	ret = iommu__domain_new(ctx, IOMMU_DOMAIN_UNMANAGED, info, flags, &d);
	pthread_rwlock_unlock(&ctx->topo_lock);
	if (ret)
		return ret;
	*out = iommu__domain_handle(d);
	return 0;
}

int iommu_domain_set_dirty_tracking(struct iommu_domain *handle, bool enable)
{
	IOMMU__API_SCOPE();
	struct iommu_domain *d = iommu__domain_get(handle);

	if (!d)
		return -EINVAL;
	if (!d->info.dirty_ops)
		return -EOPNOTSUPP;
	return d->dirty.set_dirty_tracking(d->priv, enable);
}

int iommu_domain_read_and_clear_dirty(struct iommu_domain *handle,
				      uint64_t iova, uint64_t size,
				      unsigned int flags, uint64_t *bitmap,
				      unsigned int pgshift)
{
	IOMMU__API_SCOPE();
	struct iommu_domain *d = iommu__domain_get(handle);
	struct iommu_iotlb_gather gather;
	struct iommu_dirty_bitmap b;
	uint64_t unit;
	int ret;

	if (!d)
		return -EINVAL;
	if (!bitmap || pgshift < 12 || pgshift > 63 || !size ||
	    (flags & ~IOMMU_DIRTY_NO_CLEAR))
		return -EINVAL;
	unit = 1ull << pgshift;
	if ((iova | size) & (unit - 1) || iova + (size - 1) < iova)
		return -EINVAL;
	if (!d->info.dirty_ops)
		return -EOPNOTSUPP;
	iommu_iotlb_gather_init(&gather);
	b = (struct iommu_dirty_bitmap){
		.iova = iova,
		.pgshift = pgshift,
		.bits = bitmap,
		.nbits = size >> pgshift,
		.gather = &gather,
	};
	ret = d->dirty.read_and_clear_dirty(d->priv, iova, size, flags, &b);
	if (gather.start <= gather.end || gather.freelist) {
		int r = iommu__sync(d, &gather);
		if (!ret)
			ret = r;
	}
	return ret;
}

int iommu_domain_free(struct iommu_domain *handle)
{
	IOMMU__API_SCOPE();
	struct iommu_domain *d = iommu__domain_get(handle);

	if (!d)
		return -EINVAL;
	if (d->is_static)
		return 0;
	/* A default domain belongs to its group even while the group is
	 * elsewhere (owned, or on a VMM domain): it goes with the group. */
	if (atomic_load(&d->users) || d->is_default)
		return -EBUSY;
	iommu__domain_destroy(d);
	return 0;
}

enum iommu_domain_type iommu_domain_type(const struct iommu_domain *handle)
{
	struct iommu_domain *d = iommu__domain_get(handle);

	return d ? d->type : 0;
}

int iommu_domain_geometry(const struct iommu_domain *handle, uint64_t *start,
			  uint64_t *last)
{
	struct iommu_domain *d = iommu__domain_get(handle);

	if (!d)
		return -EINVAL;
	if (!start || !last)
		return -EINVAL;
	*start = d->info.aperture_start;
	*last = d->info.aperture_last;
	return 0;
}

uint64_t iommu_domain_pgsize_bitmap(const struct iommu_domain *handle)
{
	struct iommu_domain *d = iommu__domain_get(handle);

	return d ? d->info.pgsize_bitmap : 0;
}

/* ---- Attach ----------------------------------------------------------- */

/* Move every device of @g to @d, or none.  g->lock held. */
int iommu__group_set_domain(struct iommu__group *g, struct iommu_domain *d)
{
	struct iommu_domain *old = atomic_load(&g->domain);
	int ret = 0;
	size_t i;

	if (old == d)
		return 0;
	for (i = 0; i < g->nr_devs; i++) {
		ret = d->info.ops->attach_dev(d->priv, &g->devs[i]->info);
		if (iommu__tracing(d->ctx, IOMMU_TRACE_ATTACH))
			iommu__trace_attach(d, g->devs[i]->info.id,
					    IOMMU_NO_PASID, ret);
		if (ret)
			break;
	}
	if (ret) {
		while (i--) {
			int r = old->info.ops->attach_dev(old->priv,
							  &g->devs[i]->info);
			if (r)
				iommu__log(d->ctx, IOMMU_LOG_ERR,
					   "device 0x%x: cannot return to its old domain: %d",
					   g->devs[i]->info.id, r);
		}
		return ret;
	}
	atomic_fetch_add(&d->users, 1);
	if (old)
		atomic_fetch_sub(&old->users, 1);
	atomic_store(&g->domain, d);
	return 0;
}

bool iommu__group_has_aux(const struct iommu__group *g)
{
	for (size_t i = 0; i < g->nr_devs; i++)
		if (g->devs[i]->nr_auxdom)
			return true;
	return false;
}

bool iommu__group_has_pasid(const struct iommu__group *g)
{
	for (size_t i = 0; i < g->nr_devs; i++)
		if (g->devs[i]->nr_aux)
			return true;
	return false;
}

/* Look up a group by number or through a device; lock it. */
int iommu__group_get(struct iommu_ctx *ctx, bool by_dev, uint32_t id,
		     struct iommu__group **out)
{
	struct iommu__group *g;

	pthread_rwlock_rdlock(&ctx->topo_lock);
	if (by_dev) {
		struct iommu__dev *dev = iommu__dev_find(ctx, id);
		g = dev ? dev->group : NULL;
	} else {
		g = iommu__group_find(ctx, id);
	}
	if (!g) {
		pthread_rwlock_unlock(&ctx->topo_lock);
		return -ENODEV;
	}
	pthread_mutex_lock(&g->lock);
	*out = g;
	return 0;
}

void iommu__group_put(struct iommu_ctx *ctx, struct iommu__group *g)
{
	pthread_mutex_unlock(&g->lock);
	pthread_rwlock_unlock(&ctx->topo_lock);
}

static int attach(struct iommu_domain *handle, bool by_dev, uint32_t id)
{
	struct iommu_domain *d = iommu__domain_get(handle);
	struct iommu__group *g;
	int ret;

	if (!d)
		return -EINVAL;
	ret = iommu__group_get(d->ctx, by_dev, id, &g);
	if (ret)
		return ret;
	struct iommu_domain *cur = atomic_load(&g->domain);
	if (by_dev && g->nr_devs != 1)
		ret = -EBUSY; /* rule 6: a device alone only in a group of one */
	else if (iommu__group_has_aux(g))
		ret = -EBUSY; /* rule 8 */
	else if (cur == d)
		ret = 0;
	else if (cur != g->default_domain && cur != d->ctx->blocked)
		ret = -EBUSY; /* rule 5: detach first */
	else
		ret = iommu__group_set_domain(g, d);
	iommu__group_put(d->ctx, g);
	return ret;
}

static int detach(struct iommu_domain *handle, bool by_dev, uint32_t id)
{
	struct iommu_domain *d = iommu__domain_get(handle);
	struct iommu__group *g;
	int ret;

	if (!d)
		return -EINVAL;
	ret = iommu__group_get(d->ctx, by_dev, id, &g);
	if (ret)
		return ret;
	if (by_dev && g->nr_devs != 1)
		ret = -EBUSY;
	else if (atomic_load(&g->domain) != d)
		ret = -EINVAL;
	else
		ret = iommu__group_set_domain(
			g, g->owner ? d->ctx->blocked : g->default_domain);
	iommu__group_put(d->ctx, g);
	return ret;
}

int iommu_attach_device(struct iommu_domain *d, uint32_t dev_id)
{
	IOMMU__API_SCOPE();
	return attach(d, true, dev_id);
}

int iommu_detach_device(struct iommu_domain *d, uint32_t dev_id)
{
	IOMMU__API_SCOPE();
	return detach(d, true, dev_id);
}

int iommu_attach_group(struct iommu_domain *d, uint32_t group)
{
	IOMMU__API_SCOPE();
	return attach(d, false, group);
}

int iommu_detach_group(struct iommu_domain *d, uint32_t group)
{
	IOMMU__API_SCOPE();
	return detach(d, false, group);
}

/* ---- DMA ownership (rule 5) ------------------------------------------- */

int iommu_group_claim_dma_owner(struct iommu_ctx *ctx, uint32_t group,
				void *owner)
{
	IOMMU__API_SCOPE();
	struct iommu__group *g;
	int ret;

	if (!ctx || !owner)
		return -EINVAL;
	if (!ctx->has_driver)
		return -ENODEV;
	ret = iommu__group_get(ctx, false, group, &g);
	if (ret)
		return ret;
	/* Rule 5: not while the library's DMA API or a PASID of a device
	 * still uses the group (seed 004: a claim must not pull the group
	 * from under aux domains the VMM cannot see being cut off). */
	if (g->owner || g->dma_live || iommu__group_has_pasid(g) ||
	    atomic_load(&g->domain) != g->default_domain) {
		ret = -EBUSY;
	} else {
		ret = iommu__group_set_domain(g, ctx->blocked);
		if (!ret)
			g->owner = owner;
	}
	iommu__group_put(ctx, g);
	return ret;
}

int iommu_group_release_dma_owner(struct iommu_ctx *ctx, uint32_t group,
				  void *owner)
{
	IOMMU__API_SCOPE();
	struct iommu__group *g;
	int ret;

	if (!ctx || !owner)
		return -EINVAL;
	ret = iommu__group_get(ctx, false, group, &g);
	if (ret)
		return ret;
	if (g->owner != owner) {
		ret = -EINVAL;
	} else if (iommu__group_has_pasid(g)) {
		ret = -EBUSY;
	} else {
		ret = iommu__group_set_domain(g, g->default_domain);
		if (!ret)
			g->owner = NULL;
	}
	iommu__group_put(ctx, g);
	return ret;
}

bool iommu_group_dma_owner_claimed(struct iommu_ctx *ctx, uint32_t group)
{
	struct iommu__group *g;
	bool ret;

	if (!ctx || iommu__group_get(ctx, false, group, &g))
		return false;
	ret = g->owner != NULL;
	iommu__group_put(ctx, g);
	return ret;
}
