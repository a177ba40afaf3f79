// SPDX-License-Identifier: MIT
/*
 * abi.c - the plugin ABI's tables, taken in once.
 *
 * This file is the one place that says which slots each ops table of ABI
 * 2 has and which of them are required.  A plugin's descriptor and ops
 * tables are copied, at load, into full tables the core owns: zero-filled
 * past the size the plugin declares, so a plugin built against an older,
 * smaller layout keeps working (a slot it lacks reads as NULL, the core's
 * fallback), and the core never reads past what the plugin has.  Domain
 * ops, which the driver hands back per domain, are taken in the same way
 * when the domain is made.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "core.h"

struct abi_slot {
	const char *name;
	size_t off;
	bool required;
};

#define ABI_SLOT(T, f, req) {#f, offsetof(struct T, f), req}

static const struct abi_slot abi_hw_slots[] = {
	ABI_SLOT(iommu_hw_ops, create, true),
	ABI_SLOT(iommu_hw_ops, destroy, true),
	ABI_SLOT(iommu_hw_ops, mmio_read, true),
	ABI_SLOT(iommu_hw_ops, mmio_write, true),
	ABI_SLOT(iommu_hw_ops, translate, true),
	ABI_SLOT(iommu_hw_ops, endpoint_add, false),
	ABI_SLOT(iommu_hw_ops, endpoint_remove, false),
	ABI_SLOT(iommu_hw_ops, notify, false),
	ABI_SLOT(iommu_hw_ops, save, false), /* 2.1 */
	ABI_SLOT(iommu_hw_ops, load, false), /* 2.1 */
	ABI_SLOT(iommu_hw_ops, dump, false), /* 2.2 */
};

static const struct abi_slot abi_ops_slots[] = {
	ABI_SLOT(iommu_ops, probe, true),
	ABI_SLOT(iommu_ops, release, true),
	ABI_SLOT(iommu_ops, probe_device, true),
	ABI_SLOT(iommu_ops, release_device, true),
	ABI_SLOT(iommu_ops, device_group, false),
	ABI_SLOT(iommu_ops, domain_alloc_paging, true),
	ABI_SLOT(iommu_ops, get_resv_regions, false),
	ABI_SLOT(iommu_ops, capable, false),
	ABI_SLOT(iommu_ops, dev_enable_feat, false),
	ABI_SLOT(iommu_ops, dev_disable_feat, false),
	ABI_SLOT(iommu_ops, irq, false),
	ABI_SLOT(iommu_ops, instance_features, false),
	ABI_SLOT(iommu_ops, blocked_domain, true),
	ABI_SLOT(iommu_ops, identity_domain, false),
	ABI_SLOT(iommu_ops, instance_domains, false),
	ABI_SLOT(iommu_ops, domain_alloc_nested, false),
	ABI_SLOT(iommu_ops, save, false), /* 2.1 */
	ABI_SLOT(iommu_ops, load, false), /* 2.1 */
};

static const struct abi_slot abi_domain_slots[] = {
	ABI_SLOT(iommu_domain_ops, attach_dev, true),
	ABI_SLOT(iommu_domain_ops, set_dev_pasid, false),
	ABI_SLOT(iommu_domain_ops, map_pages, false),
	ABI_SLOT(iommu_domain_ops, unmap_pages, false),
	ABI_SLOT(iommu_domain_ops, iotlb_sync_map, false),
	ABI_SLOT(iommu_domain_ops, iotlb_sync, false),
	ABI_SLOT(iommu_domain_ops, flush_iotlb_all, false),
	ABI_SLOT(iommu_domain_ops, iova_to_phys, false),
	ABI_SLOT(iommu_domain_ops, cache_invalidate_user, false),
	ABI_SLOT(iommu_domain_ops, free, false),
	ABI_SLOT(iommu_domain_ops, walk, false), /* 2.2 */
};

static const struct abi_slot abi_dirty_slots[] = {
	ABI_SLOT(iommu_dirty_ops, set_dirty_tracking, true),
	ABI_SLOT(iommu_dirty_ops, read_and_clear_dirty, true),
};

#define ABI_N(a) (sizeof(a) / sizeof((a)[0]))

/* ABI 2.0's sizes: a table smaller than these is refused. */
#define ABI_HW_MIN  IOMMU_ABI_2_0_SIZE_iommu_hw_ops
#define ABI_OPS_MIN IOMMU_ABI_2_0_SIZE_iommu_ops
#define ABI_DOM_MIN IOMMU_ABI_2_0_SIZE_iommu_domain_ops
#define ABI_DIRTY_MIN sizeof(struct iommu_dirty_ops)
#define ABI_DESC_MIN (offsetof(struct iommu_plugin, ops) + sizeof(void *))

/*
 * Copy the table @src (its first member its size) into @dst of @dsize
 * bytes, zero-filled past what @src has, and check its required slots.
 * Return: NULL, or why the table is refused (in @why).
 */
static const char *abi_take(void *dst, size_t dsize, const void *src,
			    size_t min, const struct abi_slot *slots,
			    size_t nslots, const char *what, char *why,
			    size_t whylen)
{
	uint32_t ssize;

	if (!src) {
		snprintf(why, whylen, "required %s ops table is NULL", what);
		return why;
	}
	memcpy(&ssize, src, sizeof(ssize));
	if (ssize < min) {
		snprintf(why, whylen,
			 "%s table too small (%u bytes, ABI 2.0 has %zu)", what,
			 (unsigned int)ssize, min);
		return why;
	}
	memset(dst, 0, dsize);
	memcpy(dst, src, ssize < dsize ? ssize : dsize);
	ssize = (uint32_t)dsize;
	memcpy(dst, &ssize, sizeof(ssize));
	for (size_t i = 0; i < nslots; i++) {
		void (*fn)(void);

		memcpy(&fn, (const char *)dst + slots[i].off, sizeof(fn));
		if (slots[i].required && !fn) {
			snprintf(why, whylen, "required op %s->%s is missing",
				 what, slots[i].name);
			return why;
		}
	}
	return NULL;
}

const char *iommu__abi_take_plugin(struct iommu__plugin_handle *h,
				   const struct iommu_plugin *d, char *why,
				   size_t whylen)
{
	const char *r;

	if (d->size < ABI_DESC_MIN) {
		snprintf(why, whylen,
			 "descriptor too small (%u bytes, at least %zu needed)",
			 (unsigned int)d->size, ABI_DESC_MIN);
		return why;
	}
	memset(&h->desc_copy, 0, sizeof(h->desc_copy));
	memcpy(&h->desc_copy, d,
	       d->size < sizeof(h->desc_copy) ? d->size : sizeof(h->desc_copy));
	h->desc_copy.size = sizeof(h->desc_copy);
	r = abi_take(&h->hw, sizeof(h->hw), d->hw, ABI_HW_MIN, abi_hw_slots,
		     ABI_N(abi_hw_slots), "hw", why, whylen);
	if (!r)
		r = abi_take(&h->ops, sizeof(h->ops), d->ops, ABI_OPS_MIN,
			     abi_ops_slots, ABI_N(abi_ops_slots), "ops", why,
			     whylen);
	if (r)
		return r;
	h->desc_copy.hw = &h->hw;
	h->desc_copy.ops = &h->ops;
	h->desc = &h->desc_copy;
	return NULL;
}

int iommu__abi_take_domain_ops(struct iommu_ctx *ctx, struct iommu_domain *d)
{
	char why[128];

	if (abi_take(&d->ops, sizeof(d->ops), d->info.ops, ABI_DOM_MIN,
		     abi_domain_slots, ABI_N(abi_domain_slots), "domain ops",
		     why, sizeof(why))) {
		iommu__log(ctx, IOMMU_LOG_ERR, "backend %s: %s",
			   ctx->desc->name, why);
		return -EINVAL;
	}
	d->info.ops = &d->ops;
	return 0;
}

int iommu__abi_take_dirty_ops(struct iommu_ctx *ctx, struct iommu_domain *d)
{
	char why[128];

	if (!d->info.dirty_ops)
		return 0;
	if (abi_take(&d->dirty, sizeof(d->dirty), d->info.dirty_ops,
		     ABI_DIRTY_MIN, abi_dirty_slots, ABI_N(abi_dirty_slots),
		     "dirty ops", why, sizeof(why))) {
		iommu__log(ctx, IOMMU_LOG_ERR, "backend %s: %s",
			   ctx->desc->name, why);
		return -EINVAL;
	}
	d->info.dirty_ops = &d->dirty;
	return 0;
}
