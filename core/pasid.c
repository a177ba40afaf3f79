// SPDX-License-Identifier: MIT
/*
 * pasid.c - domains attached through PASIDs (DESIGN rule 8): auxiliary
 * domains with a system-wide PASID, and the VMM's own PASIDs.
 *
 * Both kinds end in the backend's one PASID op, set_dev_pasid(domain,
 * dev, pasid, old): it makes the domain the one the device's requests
 * with that PASID use, replacing whatever was there.  Removing a PASID
 * is set_dev_pasid of the blocking domain; a backend has no PASID detach.
 *
 * An aux domain gets its PASID from the system-wide allocator on its
 * first aux attach and keeps it on every device until it is freed.  A
 * VMM's PASID is the VMM's choice (a guest's own PASID) and belongs to
 * the device it names.  One PASID of one device is used by one domain at
 * a time, whichever kind attached it.
 *
 * Context: every call here holds the device's group lock, so the PASID
 * ops of one device never run concurrently.
 */
#include <errno.h>
#include <stdlib.h>

#include "core.h"

/* ---- The system-wide PASID space --------------------------------------- */

static int pasid_alloc(struct iommu_ctx *ctx, unsigned int bits,
		       uint32_t *pasid)
{
	uint32_t max = 1u << bits;
	int ret = -ENOSPC;

	pthread_mutex_lock(&ctx->pasid_lock);
	for (uint32_t p = 1; p < max; p++) {
		if (!ctx->pasid_used[p]) {
			ctx->pasid_used[p] = 1;
			*pasid = p;
			ret = 0;
			break;
		}
	}
	pthread_mutex_unlock(&ctx->pasid_lock);
	return ret;
}

void iommu__pasid_free(struct iommu_ctx *ctx, uint32_t pasid)
{
	if (pasid == IOMMU_NO_PASID)
		return;
	pthread_mutex_lock(&ctx->pasid_lock);
	ctx->pasid_used[pasid] = 0;
	pthread_mutex_unlock(&ctx->pasid_lock);
}

/* ---- A device's PASID attachments -------------------------------------- */

static struct iommu__aux *aux_find(struct iommu__dev *dev,
				   const struct iommu_domain *d)
{
	for (size_t i = 0; i < dev->nr_aux; i++)
		if (dev->aux[i].aux && dev->aux[i].domain == d)
			return &dev->aux[i];
	return NULL;
}

static struct iommu__aux *pasid_find(struct iommu__dev *dev, uint32_t pasid)
{
	for (size_t i = 0; i < dev->nr_aux; i++)
		if (dev->aux[i].pasid == pasid)
			return &dev->aux[i];
	return NULL;
}

static int att_reserve(struct iommu__dev *dev)
{
	size_t n;
	struct iommu__aux *a;

	if (dev->nr_aux < dev->cap_aux)
		return 0;
	n = dev->cap_aux ? dev->cap_aux * 2 : 4;
	a = realloc(dev->aux, n * sizeof(*a));
	if (!a)
		return -ENOMEM;
	dev->aux = a;
	dev->cap_aux = n;
	return 0;
}

/* Both the domain and the blocking domain (which removes) need the op. */
static bool pasid_ops_ok(const struct iommu_domain *d)
{
	return d->info.ops->set_dev_pasid &&
	       d->ctx->blocked->info.ops->set_dev_pasid;
}

/* Put @d on @pasid of @dev in place of @old (NULL: nothing there). */
static int pasid_set(struct iommu__dev *dev, struct iommu_domain *d,
		     uint32_t pasid, struct iommu_domain *old)
{
	int ret = d->info.ops->set_dev_pasid(d->priv, &dev->info, pasid,
					     old ? old->priv : NULL);

	if (iommu__tracing(d->ctx, IOMMU_TRACE_ATTACH))
		iommu__trace_attach(d, dev->info.id, pasid, ret);
	return ret;
}

/* Remove attachment @a from its device: the blocking domain takes it. */
static void att_remove(struct iommu__dev *dev, struct iommu__aux *a)
{
	struct iommu_domain *d = a->domain;
	struct iommu_domain *blocked = d->ctx->blocked;
	int r = pasid_set(dev, blocked, a->pasid, d);

	if (r)
		iommu__log(d->ctx, IOMMU_LOG_ERR,
			   "device 0x%x: PASID %u not removed: %d (its requests may still use the domain)",
			   dev->info.id, a->pasid, r);
	atomic_fetch_sub(&d->users, 1);
	if (a->aux)
		dev->nr_auxdom--;
	*a = dev->aux[--dev->nr_aux];
}

/* Detach every PASID of @dev (device removal).  g->lock held. */
void iommu__dev_drop_aux(struct iommu__dev *dev)
{
	while (dev->nr_aux)
		att_remove(dev, &dev->aux[dev->nr_aux - 1]);
}

/* ---- Auxiliary domains ------------------------------------------------- */

int iommu_aux_attach_device(struct iommu_domain *handle, uint32_t dev_id)
{
	IOMMU__API_SCOPE();
	struct iommu_domain *d = iommu__domain_get(handle);
	struct iommu_ctx *ctx;
	struct iommu__group *g;
	struct iommu__dev *dev;
	bool fresh;
	int ret;

	if (!d)
		return -EINVAL;
	ctx = d->ctx;
	ret = iommu__group_get(ctx, true, dev_id, &g);
	if (ret)
		return ret;
	dev = iommu__dev_find(ctx, dev_id);
	if (d->type != IOMMU_DOMAIN_UNMANAGED ||
	    !(dev->enabled >> IOMMU_DEV_FEAT_AUX & 1)) {
		ret = -EINVAL;
		goto out;
	}
	if (!pasid_ops_ok(d)) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	if (aux_find(dev, d)) {
		ret = -EEXIST;
		goto out;
	}
	ret = att_reserve(dev);
	if (ret)
		goto out;
	/* The PASID is system-wide: the domain keeps it on every device. */
	fresh = d->pasid == IOMMU_NO_PASID;
	if (fresh) {
		ret = pasid_alloc(ctx, dev->info.pasid_bits, &d->pasid);
		if (ret)
			goto out;
	} else if (dev->info.pasid_bits < 32 &&
		   d->pasid >> dev->info.pasid_bits) {
		ret = -ENOSPC;
		goto out;
	}
	if (pasid_find(dev, d->pasid)) {
		ret = -EBUSY; /* the VMM put a domain of its own there */
	} else {
		ret = pasid_set(dev, d, d->pasid, NULL);
	}
	if (ret) {
		if (fresh) {
			iommu__pasid_free(ctx, d->pasid);
			d->pasid = IOMMU_NO_PASID;
		}
		goto out;
	}
	dev->aux[dev->nr_aux++] = (struct iommu__aux){ d, d->pasid, true };
	dev->nr_auxdom++;
	atomic_fetch_add(&d->users, 1);
out:
	iommu__group_put(ctx, g);
	return ret;
}

int iommu_aux_detach_device(struct iommu_domain *handle, uint32_t dev_id)
{
	IOMMU__API_SCOPE();
	struct iommu_domain *d = iommu__domain_get(handle);
	struct iommu__group *g;
	struct iommu__dev *dev;
	struct iommu__aux *a;
	int ret;

	if (!d)
		return -EINVAL;
	ret = iommu__group_get(d->ctx, true, dev_id, &g);
	if (ret)
		return ret;
	dev = iommu__dev_find(d->ctx, dev_id);
	a = aux_find(dev, d);
	if (a)
		att_remove(dev, a);
	else
		ret = -ENOENT;
	iommu__group_put(d->ctx, g);
	return ret;
}

int iommu_aux_get_pasid(struct iommu_domain *handle, uint32_t dev_id,
			uint32_t *pasid)
{
	struct iommu_domain *d = iommu__domain_get(handle);
	struct iommu__group *g;
	struct iommu__aux *a;
	int ret;

	if (!d || !pasid)
		return -EINVAL;
	ret = iommu__group_get(d->ctx, true, dev_id, &g);
	if (ret)
		return ret;
	a = aux_find(iommu__dev_find(d->ctx, dev_id), d);
	if (a)
		*pasid = a->pasid;
	else
		ret = -ENOENT;
	iommu__group_put(d->ctx, g);
	return ret;
}

/* ---- The VMM's PASIDs -------------------------------------------------- */

/*
 * Attach @handle at the VMM's @pasid of @dev_id; with @replace, in place
 * of the VMM's domain there (with no window through blocked).
 */
static int vmm_pasid_attach(struct iommu_domain *handle, uint32_t dev_id,
			    uint32_t pasid, bool replace)
{
	struct iommu_domain *d = iommu__domain_get(handle);
	struct iommu__group *g;
	struct iommu__dev *dev;
	struct iommu__aux *a;
	int ret;

	if (!d || pasid == 0 || pasid == IOMMU_NO_PASID ||
	    pasid >> IOMMU__MAX_PASID_BITS)
		return -EINVAL;
	ret = iommu__group_get(d->ctx, true, dev_id, &g);
	if (ret)
		return ret;
	dev = iommu__dev_find(d->ctx, dev_id);
	a = pasid_find(dev, pasid);
	if (d->type != IOMMU_DOMAIN_UNMANAGED) {
		ret = -EINVAL;
		goto out;
	}
	if (!dev->info.pasid_bits || !pasid_ops_ok(d)) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	if (pasid >> dev->info.pasid_bits) {
		ret = -EINVAL;
		goto out;
	}
	if (a && a->aux) {
		ret = -EBUSY; /* an aux domain's system-wide PASID */
		goto out;
	}
	if (a && a->domain == d) {
		ret = replace ? 0 : -EEXIST;
		goto out;
	}
	if (a && !replace) {
		ret = -EBUSY;
		goto out;
	}
	ret = a ? 0 : att_reserve(dev);
	if (!ret)
		ret = pasid_set(dev, d, pasid, a ? a->domain : NULL);
	if (ret)
		goto out;
	if (a) {
		atomic_fetch_sub(&a->domain->users, 1);
		a->domain = d;
	} else {
		dev->aux[dev->nr_aux++] = (struct iommu__aux){ d, pasid, false };
	}
	atomic_fetch_add(&d->users, 1);
out:
	iommu__group_put(d->ctx, g);
	return ret;
}

int iommu_attach_device_pasid(struct iommu_domain *domain, uint32_t dev_id,
			      uint32_t pasid)
{
	IOMMU__API_SCOPE();
	return vmm_pasid_attach(domain, dev_id, pasid, false);
}

int iommu_replace_device_pasid(struct iommu_domain *domain, uint32_t dev_id,
			       uint32_t pasid)
{
	IOMMU__API_SCOPE();
	return vmm_pasid_attach(domain, dev_id, pasid, true);
}

int iommu_detach_device_pasid(struct iommu_domain *handle, uint32_t dev_id,
			      uint32_t pasid)
{
	IOMMU__API_SCOPE();
	struct iommu_domain *d = iommu__domain_get(handle);
	struct iommu__group *g;
	struct iommu__dev *dev;
	struct iommu__aux *a;
	int ret;

	if (!d || pasid == IOMMU_NO_PASID)
		return -EINVAL;
	ret = iommu__group_get(d->ctx, true, dev_id, &g);
	if (ret)
		return ret;
	dev = iommu__dev_find(d->ctx, dev_id);
	a = pasid_find(dev, pasid);
	if (a && !a->aux && a->domain == d)
		att_remove(dev, a);
	else
		ret = -ENOENT;
	iommu__group_put(d->ctx, g);
	return ret;
}
