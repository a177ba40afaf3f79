// SPDX-License-Identifier: MIT
/*
 * dev.c - devices and groups (add, remove, capabilities), device features
 * and reserved regions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* ---- Devices and groups ----------------------------------------------- */

/* Index of the first device with id >= @id.  topo_lock held. */
static size_t dev_index(const struct iommu_ctx *ctx, uint32_t id)
{
	size_t lo = 0, hi = ctx->nr_devs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ctx->devs[mid]->info.id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct iommu__dev *iommu__dev_find(struct iommu_ctx *ctx, uint32_t id)
{
	size_t i = dev_index(ctx, id);

	return i < ctx->nr_devs && ctx->devs[i]->info.id == id ? ctx->devs[i] :
								 NULL;
}

struct iommu__group *iommu__group_find(struct iommu_ctx *ctx, uint32_t id)
{
	for (size_t i = 0; i < ctx->nr_groups; i++)
		if (ctx->groups[i]->id == id)
			return ctx->groups[i];
	return NULL;
}

/*
 * Lock-free membership test for the DMA path.  ctx->nr_devs and the
 * array are read inside the seqlock; a torn read is retried.
 */
bool iommu__dev_exists(struct iommu_ctx *ctx, uint32_t id)
{
	for (;;) {
		unsigned int seq = atomic_load_explicit(&ctx->ids_seq,
							memory_order_acquire);
		if (seq & 1)
			continue;
		_Atomic uint32_t *ids =
			atomic_load_explicit(&ctx->ids, memory_order_acquire);
		size_t n = atomic_load_explicit(
			(_Atomic size_t *)&ctx->nr_devs, memory_order_relaxed);
		size_t lo = 0, hi = ids ? n : 0;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (atomic_load_explicit(&ids[mid],
						 memory_order_relaxed) < id)
				lo = mid + 1;
			else
				hi = mid;
		}
		bool found = lo < n && ids &&
			     atomic_load_explicit(&ids[lo],
						  memory_order_relaxed) == id;
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&ctx->ids_seq,
					 memory_order_relaxed) == seq)
			return found;
	}
}

/* Make room for one more ID.  topo_lock held for writing. */
static int ids_reserve(struct iommu_ctx *ctx)
{
	if (ctx->nr_devs < ctx->cap_ids)
		return 0;
	size_t cap = ctx->cap_ids ? ctx->cap_ids * 2 : 16;
	_Atomic uint32_t *n = calloc(cap, sizeof(*n));
	void **r = realloc(ctx->retired,
			   (ctx->nr_retired + 1) * sizeof(*ctx->retired));
	if (!n || !r) {
		free(n);
		if (r)
			ctx->retired = r;
		return -ENOMEM;
	}
	ctx->retired = r;
	_Atomic uint32_t *old = atomic_load(&ctx->ids);
	for (size_t i = 0; i < ctx->nr_devs; i++)
		atomic_store_explicit(&n[i], atomic_load(&old[i]),
				      memory_order_relaxed);
	atomic_store_explicit(&ctx->ids, n, memory_order_release);
	if (old)
		ctx->retired[ctx->nr_retired++] = (void *)old;
	ctx->cap_ids = cap;
	return 0;
}

/* Insert or remove @id at @pos in the ID view, inside the seqlock. */
static void ids_update(struct iommu_ctx *ctx, size_t pos, uint32_t id,
		       bool insert)
{
	_Atomic uint32_t *ids = atomic_load(&ctx->ids);
	size_t n = ctx->nr_devs;

	atomic_fetch_add_explicit(&ctx->ids_seq, 1, memory_order_acq_rel);
	atomic_thread_fence(memory_order_release);
	if (insert) {
		for (size_t i = n; i > pos; i--)
			atomic_store_explicit(&ids[i], atomic_load(&ids[i - 1]),
					      memory_order_relaxed);
		atomic_store_explicit(&ids[pos], id, memory_order_relaxed);
	} else {
		for (size_t i = pos; i + 1 < n; i++)
			atomic_store_explicit(&ids[i], atomic_load(&ids[i + 1]),
					      memory_order_relaxed);
	}
	atomic_store_explicit((_Atomic size_t *)&ctx->nr_devs,
			      insert ? n + 1 : n - 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&ctx->ids_seq, 1, memory_order_release);
	iommu__xlate_changed(ctx); /* no hint serves a removed device */
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap * 2 : 8;
	while (n < need)
		n *= 2;
	void *p = realloc(*arr, n * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

static struct iommu__group *group_new(struct iommu_ctx *ctx)
{
	struct iommu__group *g;

	if (grow((void **)&ctx->groups, &ctx->cap_groups, ctx->nr_groups + 1,
		 sizeof(*ctx->groups)))
		return NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	pthread_mutex_init(&g->lock, NULL);
	g->id = ctx->next_group_id++;
	ctx->groups[ctx->nr_groups++] = g;
	return g;
}

static void group_delete(struct iommu_ctx *ctx, struct iommu__group *g)
{
	for (size_t i = 0; i < ctx->nr_groups; i++) {
		if (ctx->groups[i] == g) {
			ctx->groups[i] = ctx->groups[--ctx->nr_groups];
			break;
		}
	}
	pthread_mutex_destroy(&g->lock);
	free(g->ident);
	free(g->devs);
	free(g);
}

/* The group a new device belongs to: alias, then label, then the
 * backend's key.  NULL and *@fresh if it needs a new group. */
static struct iommu__group *group_for(struct iommu_ctx *ctx,
				      const struct iommu_dev_config *cfg,
				      bool has_key, uint64_t key)
{
	if (cfg->has_alias) {
		struct iommu__dev *a = iommu__dev_find(ctx, cfg->alias);
		return a ? a->group : NULL;
	}
	for (size_t i = 0; i < ctx->nr_groups; i++) {
		struct iommu__group *g = ctx->groups[i];
		if (cfg->group && cfg->group[0] && !strcmp(g->label, cfg->group))
			return g;
		if ((!cfg->group || !cfg->group[0]) && has_key && g->has_key &&
		    g->key == key)
			return g;
	}
	return NULL;
}

int iommu_dev_add(struct iommu_ctx *ctx, const struct iommu_dev_config *cfg)
{
	IOMMU__API_SCOPE();
	const struct iommu_plugin *p;
	struct iommu__dev *dev;
	struct iommu__group *g;
	bool new_group = false;
	uint64_t key = 0;
	bool has_key = false;
	int ret;

	if (!ctx || !cfg)
		return -EINVAL;
	p = ctx->desc;
	if (p->id_bits < 32 && cfg->id >> p->id_bits)
		return -EINVAL;
	if (cfg->features & ~((1u << IOMMU_DEV_FEAT_COUNT) - 1) ||
	    cfg->pasid_bits > IOMMU__MAX_PASID_BITS ||
	    (cfg->group && strlen(cfg->group) >= IOMMU__NAME_MAX) ||
	    (cfg->name && strlen(cfg->name) >= IOMMU__NAME_MAX))
		return -EINVAL;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->info.id = cfg->id;
	dev->info.features = cfg->features;
	dev->info.pasid_bits = cfg->pasid_bits;
	snprintf(dev->name, sizeof(dev->name), "%s",
		 cfg->name ? cfg->name : "");

	pthread_rwlock_wrlock(&ctx->topo_lock);
	if (iommu__dev_find(ctx, cfg->id)) {
		ret = -EEXIST;
		goto err_unlock;
	}
	if (cfg->has_alias && !iommu__dev_find(ctx, cfg->alias)) {
		ret = -ENOENT;
		goto err_unlock;
	}
	ret = grow((void **)&ctx->devs, &ctx->cap_devs, ctx->nr_devs + 1,
		   sizeof(*ctx->devs));
	if (!ret)
		ret = ids_reserve(ctx);
	if (ret)
		goto err_unlock;

	ret = p->hw->endpoint_add ? p->hw->endpoint_add(ctx->hw, cfg->id) : 0;
	if (ret)
		goto err_unlock;
	if (ctx->has_driver) {
		ret = p->ops->probe_device(ctx->drv, &dev->info);
		if (ret)
			goto err_endpoint;
		if (p->ops->device_group) {
			ret = p->ops->device_group(ctx->drv, &dev->info, &key);
			if (ret)
				goto err_release;
			has_key = true;
		}
	}

	g = group_for(ctx, cfg, has_key, key);
	if (!g) {
		g = group_new(ctx);
		if (!g) {
			ret = -ENOMEM;
			goto err_release;
		}
		new_group = true;
		snprintf(g->label, sizeof(g->label), "%s",
			 cfg->group ? cfg->group : "");
		g->has_key = has_key;
		g->key = key;
	}
	pthread_mutex_lock(&g->lock);
	ret = grow((void **)&g->devs, &g->cap_devs, g->nr_devs + 1,
		   sizeof(*g->devs));
	if (ret)
		goto err_group;
	dev->group = g;
	if (ctx->has_driver) {
		struct iommu_domain *d = atomic_load(&g->domain);
		if (new_group) {
			if (ctx->default_type == IOMMU_DOMAIN_IDENTITY)
				d = ctx->identity;
			else
				ret = iommu__domain_new(ctx, IOMMU_DOMAIN_DMA,
							&dev->info, 0, &d);
			if (ret)
				goto err_group;
		}
		ret = d->info.ops->attach_dev(d->priv, &dev->info);
		if (iommu__tracing(ctx, IOMMU_TRACE_ATTACH))
			iommu__trace_attach(d, dev->info.id, IOMMU_NO_PASID,
					    ret);
		if (ret) {
			if (new_group && !d->is_static)
				iommu__domain_destroy(d);
			goto err_group;
		}
		if (new_group) {
			d->is_default = true;
			g->default_domain = d;
			atomic_store(&g->domain, d);
			atomic_fetch_add(&d->users, 1);
		}
	}
	g->devs[g->nr_devs++] = dev;
	pthread_mutex_unlock(&g->lock);

	size_t i = dev_index(ctx, cfg->id);
	memmove(&ctx->devs[i + 1], &ctx->devs[i],
		(ctx->nr_devs - i) * sizeof(*ctx->devs));
	ctx->devs[i] = dev;
	ids_update(ctx, i, cfg->id, true); /* raises nr_devs */
	pthread_rwlock_unlock(&ctx->topo_lock);
	iommu__log(ctx, IOMMU_LOG_DEBUG, "device 0x%x (%s) added to group %u",
		   cfg->id, dev->name, g->id);
	return 0;

err_group:
	pthread_mutex_unlock(&g->lock);
	if (new_group)
		group_delete(ctx, g);
err_release:
	if (ctx->has_driver)
		p->ops->release_device(ctx->drv, &dev->info);
err_endpoint:
	if (p->hw->endpoint_remove)
		p->hw->endpoint_remove(ctx->hw, cfg->id);
	iommu__xlate_changed(ctx);
err_unlock:
	pthread_rwlock_unlock(&ctx->topo_lock);
	free(dev);
	return ret;
}

/* Take @dev out of everything.  topo_lock held for writing.  With
 * @force (context teardown) nothing may refuse. */
int iommu__dev_remove_locked(struct iommu_ctx *ctx, struct iommu__dev *dev,
			     bool force)
{
	struct iommu__group *g = dev->group;
	const struct iommu_plugin *p = ctx->desc;

	pthread_mutex_lock(&g->lock);
	if (!force && (dev->nr_aux || g->owner ||
		       (g->dma_live && g->nr_devs == 1))) {
		pthread_mutex_unlock(&g->lock);
		return -EBUSY;
	}
	iommu__dev_drop_aux(dev);
	for (size_t i = 0; i < g->nr_devs; i++) {
		if (g->devs[i] == dev) {
			g->devs[i] = g->devs[--g->nr_devs];
			break;
		}
	}
	if (ctx->has_driver)
		p->ops->release_device(ctx->drv, &dev->info);
	if (p->hw->endpoint_remove)
		p->hw->endpoint_remove(ctx->hw, dev->info.id);
	iommu__xlate_changed(ctx);
	bool empty = g->nr_devs == 0;
	if (empty) {
		struct iommu_domain *d = atomic_load(&g->domain);
		if (d)
			atomic_fetch_sub(&d->users, 1);
		if (g->default_domain && !g->default_domain->is_static)
			iommu__domain_destroy(g->default_domain);
	}
	pthread_mutex_unlock(&g->lock);
	if (empty)
		group_delete(ctx, g);

	size_t i = dev_index(ctx, dev->info.id);
	memmove(&ctx->devs[i], &ctx->devs[i + 1],
		(ctx->nr_devs - i - 1) * sizeof(*ctx->devs));
	ids_update(ctx, i, 0, false); /* lowers nr_devs */
	/* Again now that lookups no longer find it: a DMA call that found
	 * the device read the generation before this bump, so the hint it
	 * makes is void (translate() in dma.c). */
	iommu__xlate_changed(ctx);
	free(dev->aux);
	free(dev);
	return 0;
}

int iommu_dev_remove(struct iommu_ctx *ctx, uint32_t dev_id)
{
	IOMMU__API_SCOPE();
	struct iommu__dev *dev;
	int ret;

	if (!ctx)
		return -EINVAL;
	pthread_rwlock_wrlock(&ctx->topo_lock);
	dev = iommu__dev_find(ctx, dev_id);
	ret = dev ? iommu__dev_remove_locked(ctx, dev, false) : -ENODEV;
	pthread_rwlock_unlock(&ctx->topo_lock);
	return ret;
}

bool iommu_dev_capable(struct iommu_ctx *ctx, uint32_t dev_id,
		       enum iommu_cap cap)
{
	IOMMU__API_SCOPE();
	struct iommu__dev *dev;
	bool ret = false;

	if (!ctx || (unsigned int)cap >= IOMMU_CAP_COUNT || !ctx->has_driver ||
	    !ctx->desc->ops->capable)
		return false;
	pthread_rwlock_rdlock(&ctx->topo_lock);
	dev = iommu__dev_find(ctx, dev_id);
	/* Capabilities are per group: ask for the group's first device so
	 * that every member answers the same. */
	if (dev)
		ret = ctx->desc->ops->capable(ctx->drv,
					      &dev->group->devs[0]->info, cap);
	pthread_rwlock_unlock(&ctx->topo_lock);
	return ret;
}

/* ---- Device features -------------------------------------------------- */

static bool feat_supported(struct iommu_ctx *ctx, const struct iommu__dev *dev,
			   enum iommu_dev_feature f)
{
	const struct iommu_ops *ops = ctx->desc->ops;
	unsigned int have = ops->backend_features;

	if (!ctx->has_driver || !ops->dev_enable_feat || !ops->dev_disable_feat)
		return false;
	if (ops->instance_features)
		have &= ops->instance_features(ctx->drv);
	return (have >> f & 1) && (dev->info.features >> f & 1);
}

bool iommu_dev_has_feature(struct iommu_ctx *ctx, uint32_t dev_id,
			   enum iommu_dev_feature feat)
{
	IOMMU__API_SCOPE();
	struct iommu__dev *dev;
	bool ret = false;

	if (!ctx || (unsigned int)feat >= IOMMU_DEV_FEAT_COUNT)
		return false;
	pthread_rwlock_rdlock(&ctx->topo_lock);
	dev = iommu__dev_find(ctx, dev_id);
	if (dev)
		ret = feat_supported(ctx, dev, feat);
	pthread_rwlock_unlock(&ctx->topo_lock);
	return ret;
}

bool iommu_dev_feature_enabled(struct iommu_ctx *ctx, uint32_t dev_id,
			       enum iommu_dev_feature feat)
{
	struct iommu__dev *dev;
	bool ret = false;

	if (!ctx || (unsigned int)feat >= IOMMU_DEV_FEAT_COUNT)
		return false;
	pthread_rwlock_rdlock(&ctx->topo_lock);
	dev = iommu__dev_find(ctx, dev_id);
	if (dev) {
		pthread_mutex_lock(&dev->group->lock);
		ret = dev->enabled >> feat & 1;
		pthread_mutex_unlock(&dev->group->lock);
	}
	pthread_rwlock_unlock(&ctx->topo_lock);
	return ret;
}

static int feature_set(struct iommu_ctx *ctx, uint32_t dev_id,
		       enum iommu_dev_feature feat, bool on)
{
	IOMMU__API_SCOPE();
	struct iommu__dev *dev;
	int ret;

	if (!ctx || (unsigned int)feat >= IOMMU_DEV_FEAT_COUNT)
		return -EINVAL;
	pthread_rwlock_rdlock(&ctx->topo_lock);
	dev = iommu__dev_find(ctx, dev_id);
	if (!dev) {
		ret = -ENODEV;
		goto out;
	}
	if (!feat_supported(ctx, dev, feat)) {
		iommu__log(ctx, IOMMU_LOG_INFO,
			   "device 0x%x: feature %d not supported", dev_id, feat);
		ret = -EOPNOTSUPP;
		goto out;
	}
	pthread_mutex_lock(&dev->group->lock);
	if (on == (bool)(dev->enabled >> feat & 1)) {
		ret = on ? 0 : -EINVAL;
	} else if (!on && feat == IOMMU_DEV_FEAT_AUX && dev->nr_auxdom) {
		ret = -EBUSY;
	} else {
		const struct iommu_ops *ops = ctx->desc->ops;
		ret = on ? ops->dev_enable_feat(ctx->drv, &dev->info, feat) :
			   ops->dev_disable_feat(ctx->drv, &dev->info, feat);
		if (!ret)
			dev->enabled ^= 1u << feat;
	}
	pthread_mutex_unlock(&dev->group->lock);
out:
	pthread_rwlock_unlock(&ctx->topo_lock);
	return ret;
}

int iommu_dev_enable_feature(struct iommu_ctx *ctx, uint32_t dev_id,
			     enum iommu_dev_feature feat)
{
	return feature_set(ctx, dev_id, feat, true);
}

int iommu_dev_disable_feature(struct iommu_ctx *ctx, uint32_t dev_id,
			      enum iommu_dev_feature feat)
{
	return feature_set(ctx, dev_id, feat, false);
}

/* ---- Reserved regions ------------------------------------------------- */

static int dev_resv(struct iommu_ctx *ctx, struct iommu__dev *dev,
		    struct iommu_resv_region *out, size_t max, size_t *count)
{
	*count = 0;
	if (!ctx->has_driver || !ctx->desc->ops->get_resv_regions)
		return 0;
	return ctx->desc->ops->get_resv_regions(ctx->drv, &dev->info, out, max,
						 count);
}

int iommu_get_resv_regions(struct iommu_ctx *ctx, uint32_t dev_id,
			   struct iommu_resv_region *out, size_t max,
			   size_t *count)
{
	IOMMU__API_SCOPE();
	struct iommu__dev *dev;
	int ret = -ENODEV;

	if (!ctx || !count || (max && !out))
		return -EINVAL;
	pthread_rwlock_rdlock(&ctx->topo_lock);
	dev = iommu__dev_find(ctx, dev_id);
	if (dev)
		ret = dev_resv(ctx, dev, out, max, count);
	pthread_rwlock_unlock(&ctx->topo_lock);
	return ret;
}

static int resv_cmp(const void *a, const void *b)
{
	const struct iommu_resv_region *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Sorted union of the group's regions; overlapping regions of one type
 * merge.  topo_lock held. */
int iommu__group_resv(struct iommu_ctx *ctx, struct iommu__group *g,
		      struct iommu_resv_region **out, size_t *count)
{
	struct iommu_resv_region *all = NULL;
	size_t n = 0;
	int ret = 0;

	for (size_t i = 0; i < g->nr_devs; i++) {
		size_t c = 0;
		ret = dev_resv(ctx, g->devs[i], NULL, 0, &c);
		if (ret)
			goto err;
		if (!c)
			continue;
		struct iommu_resv_region *p =
			realloc(all, (n + c) * sizeof(*all));
		if (!p) {
			ret = -ENOMEM;
			goto err;
		}
		all = p;
		size_t got = 0;
		ret = dev_resv(ctx, g->devs[i], all + n, c, &got);
		if (ret)
			goto err;
		n += got < c ? got : c;
	}
	if (n)
		qsort(all, n, sizeof(*all), resv_cmp);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m && all[m - 1].type == all[i].type &&
		    all[i].start <= all[m - 1].last + 1 &&
		    all[m - 1].last != UINT64_MAX) {
			if (all[i].last > all[m - 1].last)
				all[m - 1].last = all[i].last;
			continue;
		}
		all[m++] = all[i];
	}
	*out = all;
	*count = m;
	return 0;
err:
	free(all);
	return ret;
}

int iommu_get_group_resv_regions(struct iommu_ctx *ctx, uint32_t group,
				 struct iommu_resv_region *out, size_t max,
				 size_t *count)
{
	IOMMU__API_SCOPE();
	struct iommu_resv_region *all = NULL;
	struct iommu__group *g;
	size_t n = 0;
	int ret = -ENODEV;

	if (!ctx || !count || (max && !out))
		return -EINVAL;
	pthread_rwlock_rdlock(&ctx->topo_lock);
	g = iommu__group_find(ctx, group);
	if (g)
		ret = iommu__group_resv(ctx, g, &all, &n);
	pthread_rwlock_unlock(&ctx->topo_lock);
	if (ret)
		return ret;
	for (size_t i = 0; i < n && i < max; i++)
		out[i] = all[i];
	*count = n;
	free(all);
	return 0;
}
