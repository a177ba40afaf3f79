// SPDX-License-Identifier: MIT
/*
 * group.c - what a VMM asks about the platform (devices by ID and name,
 * groups, the attachments of a domain) and the group replace call.
 *
 * The listings copy into the caller's arrays under the topology lock for
 * reading: IDs and numbers are plain values, and a name is copied, so
 * nothing the VMM holds can dangle when a device goes.  Each returns the
 * full count with the first @max entries, so a VMM sizes its array with a
 * count-only call and asks again.
 */
#include <errno.h>
#include <string.h>

#include "core.h"

/* ---- Devices ------------------------------------------------------------ */

int iommu_dev_lookup(struct iommu_ctx *ctx, const char *name, uint32_t *dev_id)
{
	int ret = -ENODEV;

	if (!ctx || !name || !dev_id)
		return -EINVAL;
	if (!name[0])
		return -ENODEV; /* "" is "no name", not a name */
	pthread_rwlock_rdlock(&ctx->topo_lock);
	for (size_t i = 0; i < ctx->nr_devs; i++) {
		if (!strcmp(ctx->devs[i]->name, name)) {
			*dev_id = ctx->devs[i]->info.id;
			ret = 0;
			break;
		}
	}
	pthread_rwlock_unlock(&ctx->topo_lock);
	return ret;
}

int iommu_dev_list(struct iommu_ctx *ctx, uint32_t *ids, size_t max,
		   size_t *count)
{
	if (!ctx || !count || (max && !ids))
		return -EINVAL;
	pthread_rwlock_rdlock(&ctx->topo_lock);
	/* ctx->devs is sorted by ID. */
	for (size_t i = 0; i < ctx->nr_devs && i < max; i++)
		ids[i] = ctx->devs[i]->info.id;
	*count = ctx->nr_devs;
	pthread_rwlock_unlock(&ctx->topo_lock);
	return 0;
}

int iommu_dev_name(struct iommu_ctx *ctx, uint32_t dev_id, char *buf,
		   size_t len)
{
	struct iommu__dev *dev;
	int ret = -ENODEV;

	if (!ctx || !buf || !len)
		return -EINVAL;
	pthread_rwlock_rdlock(&ctx->topo_lock);
	dev = iommu__dev_find(ctx, dev_id);
	if (dev) {
		size_t n = strlen(dev->name) + 1;

		/* Refused rather than cut: a cut name would look up as
		 * another device, or as none. */
		ret = n > len ? -ERANGE : 0;
		if (!ret)
			memcpy(buf, dev->name, n);
	}
	pthread_rwlock_unlock(&ctx->topo_lock);
	return ret;
}

int iommu_dev_group(struct iommu_ctx *ctx, uint32_t dev_id, uint32_t *group)
{
	struct iommu__dev *dev;
	int ret = -ENODEV;

	if (!ctx || !group)
		return -EINVAL;
	pthread_rwlock_rdlock(&ctx->topo_lock);
	dev = iommu__dev_find(ctx, dev_id);
	if (dev) {
		*group = dev->group->id;
		ret = 0;
	}
	pthread_rwlock_unlock(&ctx->topo_lock);
	return ret;
}

int iommu_get_domain_for_dev(struct iommu_ctx *ctx, uint32_t dev_id,
			     struct iommu_domain **out)
{
	struct iommu_domain *d;
	struct iommu__group *g;
	int ret;

	if (!ctx || !out)
		return -EINVAL;
	ret = iommu__group_get(ctx, true, dev_id, &g);
	if (ret)
		return ret;
	d = atomic_load(&g->domain);
	/* The VMM gets the handle, never the address. */
	*out = d ? iommu__domain_handle(d) : NULL;
	iommu__group_put(ctx, g);
	return d ? 0 : -ENODEV;
}
/* ---- Groups ------------------------------------------------------------- */

int iommu_group_devices(struct iommu_ctx *ctx, uint32_t group, uint32_t *ids,
			size_t max, size_t *count)
{
	struct iommu__group *g;
	int ret = -ENODEV;

	if (!ctx || !count || (max && !ids))
		return -EINVAL;
	pthread_rwlock_rdlock(&ctx->topo_lock);
	g = iommu__group_find(ctx, group);
	if (g) {
		pthread_mutex_lock(&g->lock);
		for (size_t i = 0; i < g->nr_devs && i < max; i++)
			ids[i] = g->devs[i]->info.id;
		*count = g->nr_devs;
		pthread_mutex_unlock(&g->lock);
		ret = 0;
	}
	pthread_rwlock_unlock(&ctx->topo_lock);
	return ret;
}

/*
 * The @max smallest group numbers, ascending, by insertion into the
 * caller's array: ctx->groups is unordered (a removal moves the last group
 * into the hole) and the list is short, so no allocation and no -ENOMEM.
 */
int iommu_group_list(struct iommu_ctx *ctx, uint32_t *groups, size_t max,
		     size_t *count)
{
	size_t have = 0;

	if (!ctx || !count || (max && !groups))
		return -EINVAL;
	pthread_rwlock_rdlock(&ctx->topo_lock);
	for (size_t i = 0; i < ctx->nr_groups; i++) {
		uint32_t id = ctx->groups[i]->id;
		size_t j;

		if (have == max && (!max || id > groups[max - 1]))
			continue;
		if (have < max)
			have++;
		/* Shift the larger ones up; the largest falls off when
		 * full. */
		for (j = have - 1; j > 0 && groups[j - 1] > id; j--)
			groups[j] = groups[j - 1];
		groups[j] = id;
	}
	*count = ctx->nr_groups;
	pthread_rwlock_unlock(&ctx->topo_lock);
	return 0;
}

/* ---- The attachments of a domain ---------------------------------------- */

int iommu_domain_devices(struct iommu_domain *handle,
			 struct iommu_attachment *out, size_t max,
			 size_t *count)
{
	IOMMU__API_SCOPE();
	struct iommu_domain *d = iommu__domain_get(handle);
	struct iommu_ctx *ctx;
	size_t n = 0;

	if (!d || !count || (max && !out))
		return -EINVAL;
	ctx = d->ctx;
	pthread_rwlock_rdlock(&ctx->topo_lock);
	/* By device ID (ctx->devs is sorted); on one device the aux PASID
	 * (a domain has at most one there) before the primary. */
	for (size_t i = 0; i < ctx->nr_devs; i++) {
		struct iommu__dev *dev = ctx->devs[i];
		struct iommu__group *g = dev->group;

		pthread_mutex_lock(&g->lock);
		for (size_t k = 0; k < dev->nr_aux; k++) {
			if (dev->aux[k].domain != d)
				continue;
			if (n < max)
				out[n] = (struct iommu_attachment){
					dev->info.id, dev->aux[k].pasid
				};
			n++;
		}
		if (atomic_load(&g->domain) == d) {
			if (n < max)
				out[n] = (struct iommu_attachment){
					dev->info.id, IOMMU_NO_PASID
				};
			n++;
		}
		pthread_mutex_unlock(&g->lock);
	}
	pthread_rwlock_unlock(&ctx->topo_lock);
	*count = n;
	return 0;
}

/* ---- Replace (rule 5) --------------------------------------------------- */

/*
 * iommufd's replace: the group leaves one VMM domain for another without
 * passing through the blocking domain.  Backends have no detach and their
 * attach_dev replaces whatever a device is on (rule 4), so the move is
 * iommu__group_set_domain() itself, which also puts the devices already
 * moved back on the old domain when one fails.  What the call adds is
 * the rule: both ends must be VMM domains, so that it can neither stand
 * in for attach (from the default or blocking domain) nor for detach.
 */
int iommu_group_replace_domain(struct iommu_ctx *ctx, uint32_t group,
			       struct iommu_domain *handle)
{
	IOMMU__API_SCOPE();
	struct iommu_domain *d = iommu__domain_get(handle);
	struct iommu_domain *cur;
	struct iommu__group *g;
	int ret;

	if (!ctx || !d || d->ctx != ctx)
		return -EINVAL;
	ret = iommu__group_get(ctx, false, group, &g);
	if (ret)
		return ret;
	cur = atomic_load(&g->domain);
	if (d == ctx->blocked || d == g->default_domain)
		ret = -EINVAL; /* that is detach */
	else if (cur == ctx->blocked || cur == g->default_domain)
		ret = -EINVAL; /* that is attach */
	else if (cur == d)
		ret = 0;
	else if (iommu__group_has_aux(g) || g->dma_live)
		ret = -EBUSY; /* rule 8; DMA-API IOVAs live in cur */
	else
		ret = iommu__group_set_domain(g, d);
	iommu__group_put(ctx, g);
	return ret;
}
