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

/*
 * v2 domain: one INVALIDATE_IOMMU_PAGES (GN = 1) of [start, last] per
 * place the domain is on, i.e. per (device DomainID, PASID) whose GCR3
 * entry names it (PASID 0: a device's primary domain), then one
 * COMPLETION_WAIT per batch.  Context: takes dev_lock, then q_lock.
 */
static int amdvi_flush_v2(struct amdvi_domain *dom, uint64_t start,
			  uint64_t last, bool pde)
{
	struct amdvi_drv *a = dom->a;
	struct amdvi_cmd c[AMDVI_MAX_BATCH];
	size_t n = 0;
	int ret = 0;

	pthread_mutex_lock(&a->dev_lock);
	for (struct amdvi_dev *dev = a->devs; dev && !ret; dev = dev->next) {
		if (!dev->gcr3_pa)
			continue;
		for (size_t i = 0; i <= dev->nr_pasid && !ret; i++) {
			uint32_t pasid;

			if (i == dev->nr_pasid) {
				if (dev->domain != dom)
					continue;
				pasid = 0;
			} else if (dev->pv[i].dom == dom) {
				pasid = dev->pv[i].pasid;
			} else {
				continue;
			}
			c[n++] = amdvi_cmd_inv_guest_pages(dev->gdomid, pasid,
							   start, last, pde);
			if (n == AMDVI_MAX_BATCH) {
				ret = amdvi_submit(a, c, n);
				n = 0;
			}
		}
	}
	if (n && !ret)
		ret = amdvi_submit(a, c, n);
	pthread_mutex_unlock(&a->dev_lock);
	return ret;
}

/* One INVALIDATE_IOMMU_PAGES of [start, last] and a COMPLETION_WAIT (v1);
 * one per place the domain is on (v2). */
static int amdvi_flush_range(struct amdvi_domain *dom, uint64_t start,
			     uint64_t last, bool pde)
{
	struct amdvi_cmd c;

	if (dom->v2)
		return amdvi_flush_v2(dom, start, last, pde);
	c = amdvi_cmd_inv_pages(dom->domid, start, last, pde);
	return amdvi_submit(dom->a, &c, 1);
}

/*
 * After @dev's DTE went from @old to @q (qwords 0 and 1): when it changed,
 * INVALIDATE_DEVTAB_ENTRY and the old DomainID's host translations (the
 * new translation may have been cached under it, drv.h), and the new
 * DomainID's when GV was just set (qword 1 went first); with @pasid (not
 * IOMMU_NO_PASID), the guest translations of that PASID of the device's
 * DomainID, whose GCR3 entry changed.  One COMPLETION_WAIT.
 */
static int amdvi_dev_flush(struct amdvi_drv *a, const struct amdvi_dev *dev,
			   const uint64_t old[2], const uint64_t q[2],
			   uint32_t pasid)
{
	const uint16_t od = (uint16_t)amdvi_field_get(AMDVI_DTE1_DOMID, old[1]);
	const uint16_t nd = (uint16_t)amdvi_field_get(AMDVI_DTE1_DOMID, q[1]);
	struct amdvi_cmd c[4];
	size_t n = 0;

	if (old[0] != q[0] || old[1] != q[1]) {
		c[n++] = amdvi_cmd_inv_dte(dev->devid);
		c[n++] = amdvi_cmd_inv_pages(od, 0, UINT64_MAX, true);
		if (nd != od && !(old[0] & AMDVI_DTE0_GV) &&
		    (q[0] & AMDVI_DTE0_GV))
			c[n++] = amdvi_cmd_inv_pages(nd, 0, UINT64_MAX, true);
	}
	if (pasid != IOMMU_NO_PASID && dev->gcr3_pa)
		c[n++] = amdvi_cmd_inv_guest_pages(dev->gdomid, pasid, 0,
						   UINT64_MAX, true);
	return n ? amdvi_submit(a, c, n) : 0;
}

static bool amdvi_is_v2(const struct amdvi_domain *dom)
{
	return dom && dom->kind == AMDVI_DOM_PAGING && dom->v2;
}

/* ---- paging domain ops --------------------------------------------------- */

/* The flush of map_pages: ranges whose empty tables became leaves. */
static int amdvi_map_flush(void *d, uint64_t first, uint64_t last)
{
	struct amdvi_domain *dom = d;

	return amdvi_flush_range(dom, first, last, true);
}

/* The v1 mode whose input width holds @last (amdvi 2.3). */
static unsigned int amdvi_mode_for(uint64_t last)
{
	unsigned int m = 1;

	while (m < 6 && (last >> (12 + 9 * m)))
		m++;
	return m;
}

/**
 * amdvi_grow() - give a v1 domain the mode @mode needs (amdvi 3.6, as
 * Linux's increase_address_space)
 * core/pt adds the levels on top (the old top becomes entry 0 of the
 * new one, so every mapping stays); then the DTE of every device on the
 * domain gets the new Mode and root in one store of qword 0, and
 * INVALIDATE_DEVTAB_ENTRY of each, INVALIDATE_IOMMU_PAGES of the whole
 * DomainID with PDE (a cached directory entry of the old top is stale),
 * one COMPLETION_WAIT per batch.  Until then the old DTE walks the old
 * top, which still translates everything below the old width.
 * Context: takes dev_lock (serializes grows and attaches), then q_lock;
 * maps of other ranges go on meanwhile.
 * Return: 0; -ENOMEM, -EFAULT table memory (the levels added so far are
 * kept and programmed); -EIO, -ETIMEDOUT the invalidation failed.
 */
static int amdvi_grow(struct amdvi_domain *dom, unsigned int mode)
{
	struct amdvi_drv *a = dom->a;
	struct amdvi_cmd c[AMDVI_MAX_BATCH];
	unsigned int levels = 0;
	size_t n = 0;
	int ret, r = 0;

	pthread_mutex_lock(&a->dev_lock);
	ret = pt_grow(&dom->pt, mode);
	pt_root(&dom->pt, &levels);
	if (levels == dom->mode)
		goto out;
	alog(a, IOMMU_LOG_DEBUG, "DomainID %u: mode %u -> %u", dom->domid,
	     dom->mode, levels);
	dom->mode = levels;
	for (struct amdvi_dev *dev = a->devs; dev && !r; dev = dev->next) {
		uint64_t q[2];

		if (dev->domain != dom)
			continue;
		amdvi_dte_encode(a, dev, dom, q);
		amdvi_dte_update(a, dev->devid, q);
		c[n++] = amdvi_cmd_inv_dte(dev->devid);
		if (n == AMDVI_MAX_BATCH) {
			r = amdvi_submit(a, c, n);
			n = 0;
		}
	}
	c[n++] = amdvi_cmd_inv_pages(dom->domid, 0, UINT64_MAX, true);
	if (!r)
		r = amdvi_submit(a, c, n);
	ret = ret ? ret : r;
out:
	pthread_mutex_unlock(&a->dev_lock);
	return ret;
}

/**
 * amdvi_drv_map_pages() - write leaves through core/pt
 * A v1 domain that may grow (pgtable_mode_max) first takes the mode the
 * range needs (amdvi_grow()).
 * Context: lock-free but for a grow; concurrent on disjoint ranges.
 * Return: 0; -EINVAL, -ERANGE, -EEXIST, -ENOMEM, -EFAULT from pt_map();
 * an invalidation error when an empty table had to be replaced or the
 * domain grew.
 */
static int amdvi_drv_map_pages(void *d, uint64_t iova, uint64_t paddr,
			     uint64_t pgsize, uint64_t pgcount,
			     unsigned int prot, uint64_t *mapped)
{
	struct amdvi_domain *dom = d;

	if (!dom || !mapped)
		return -EINVAL;
	if (!dom->v2 && dom->a->mode_max > dom->a->mode && pgsize && pgcount &&
	    pgcount <= UINT64_MAX / pgsize) {
		const uint64_t last = iova + (pgsize * pgcount - 1);
		const unsigned int need = amdvi_mode_for(last);
		unsigned int levels = 0;

		pt_root(&dom->pt, &levels);
		if (last >= iova && need > levels && need <= dom->a->mode_max) {
			int ret = amdvi_grow(dom, need);

			if (ret) {
				*mapped = 0;
				return ret;
			}
		}
	}
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
 * v1 and static domains: writes the DTE (drv.h's store order), then
 * INVALIDATE_DEVTAB_ENTRY and the old DomainID's pages, one
 * COMPLETION_WAIT.  A v2 domain goes into the device's GCR3 entry of
 * PASID 0 (one store) and the DTE gets GV and GIoV; leaving a v2 domain
 * clears that entry after the DTE no longer uses it.  The PASIDs of the
 * device stay as they are.
 * Context: the core serializes attach per group; takes dev_lock, q_lock.
 * Return: 0; -EINVAL bad arguments; -ENOSPC no DomainID for the GCR3
 * table; -ENOMEM, -EFAULT table memory; -EIO, -ETIMEDOUT the
 * invalidation failed (the old entries were put back).
 */
static int amdvi_drv_attach_dev(void *d, struct iommu_dev_info *info)
{
	struct amdvi_domain *dom = d, *was;
	struct amdvi_dev *dev = amdvi_dev_of(info);
	struct amdvi_drv *a;
	uint64_t old[2], q[2];
	bool v2_new, v2_old;
	int ret = 0;

	if (!dom || !dev)
		return -EINVAL;
	a = dom->a;
	pthread_mutex_lock(&a->dev_lock);
	was = dev->domain;
	if (was == dom)
		goto out;
	v2_new = amdvi_is_v2(dom);
	v2_old = amdvi_is_v2(was);
	if (v2_new) {
		ret = amdvi_gcr3_setup(a, dev);
		if (!ret)
			ret = amdvi_gcr3_set(a, dev, 0, dom->pt.root_pa);
		if (ret)
			goto out;
	}
	amdvi_dte_read(a, dev->devid, old);
	amdvi_dte_encode(a, dev, dom, q);
	amdvi_dte_update(a, dev->devid, q);
	if (v2_old && !v2_new)
		amdvi_gcr3_set(a, dev, 0, 0);
	ret = amdvi_dev_flush(a, dev, old, q,
			      v2_old || v2_new ? 0 : IOMMU_NO_PASID);
	if (ret) {
		/* Leave the old domain working: put the entries back. */
		amdvi_dte_update(a, dev->devid, old);
		amdvi_gcr3_set(a, dev, 0, v2_old ? was->pt.root_pa : 0);
		amdvi_dev_flush(a, dev, q, old,
				v2_old || v2_new ? 0 : IOMMU_NO_PASID);
		goto out;
	}
	dev->domain = dom;
out:
	pthread_mutex_unlock(&a->dev_lock);
	return ret;
}

/* ---- PASIDs (set_dev_pasid, v2 mode) ------------------------------------- */

static struct amdvi_pasid *amdvi_pasid_rec(struct amdvi_dev *dev,
					   uint32_t pasid)
{
	for (size_t i = 0; i < dev->nr_pasid; i++)
		if (dev->pv[i].pasid == pasid)
			return &dev->pv[i];
	return NULL;
}

/*
 * amdvi_set_pasid() - put @dom (a v2 paging domain, or NULL to remove) on
 * @pasid of @info's device, replacing whatever is there
 * The GCR3 entry changes in one store (the unit sees the old or the new
 * table, never none); the DTE gets GV on the first PASID and loses it
 * with the last when the primary domain is not a v2 one; then
 * INVALIDATE_DEVTAB_ENTRY if the DTE changed and the guest translations
 * of (device DomainID, @pasid), one COMPLETION_WAIT.
 * Context: the core serializes PASID calls per device; takes dev_lock.
 * Return: 0; -EINVAL bad arguments or a domain that is not v2;
 * -EOPNOTSUPP v1 mode or a device without PASIDs; -ENOSPC @pasid beyond
 * the device's or the GCR3 table's width, or no DomainID; -ENOMEM;
 * -EFAULT; -EIO, -ETIMEDOUT the invalidation failed (the old entries are
 * back).
 */
static int amdvi_set_pasid(struct amdvi_drv *a, struct amdvi_domain *dom,
			   struct iommu_dev_info *info, uint32_t pasid)
{
	struct amdvi_dev *dev = amdvi_dev_of(info);
	struct amdvi_domain *old_dom;
	struct amdvi_pasid *rec;
	uint64_t old[2], q[2];
	int ret = 0;

	if (!dev || !pasid || pasid == IOMMU_NO_PASID)
		return -EINVAL;
	if (!a->v2 || !dev->pasid_bits)
		return dom ? -EOPNOTSUPP : 0;
	if (dom && !amdvi_is_v2(dom))
		return -EINVAL;
	if (pasid >> dev->pasid_bits)
		return dom ? -ENOSPC : 0;
	pthread_mutex_lock(&a->dev_lock);
	rec = amdvi_pasid_rec(dev, pasid);
	old_dom = rec ? rec->dom : NULL;
	if (old_dom == dom)
		goto out;
	if (dom) {
		ret = amdvi_gcr3_setup(a, dev);
		if (ret)
			goto out;
		if (!rec && dev->nr_pasid == dev->cap_pasid) {
			size_t cap = dev->cap_pasid ? dev->cap_pasid * 2 : 4;
			struct amdvi_pasid *v =
			    realloc(dev->pv, cap * sizeof(*v));

			if (!v) {
				ret = -ENOMEM;
				goto out;
			}
			dev->pv = v;
			dev->cap_pasid = cap;
		}
	}
	ret = amdvi_gcr3_set(a, dev, pasid, dom ? dom->pt.root_pa : 0);
	if (ret)
		goto out;
	/* The record first: the DTE's GV follows the number of PASIDs. */
	if (rec && dom)
		rec->dom = dom;
	else if (rec)
		*rec = dev->pv[--dev->nr_pasid];
	else
		dev->pv[dev->nr_pasid++] = (struct amdvi_pasid){pasid, dom};
	amdvi_dte_read(a, dev->devid, old);
	amdvi_dte_encode(a, dev, dev->domain, q);
	amdvi_dte_update(a, dev->devid, q);
	ret = amdvi_dev_flush(a, dev, old, q, pasid);
	if (ret) {
		amdvi_dte_update(a, dev->devid, old);
		amdvi_gcr3_set(a, dev, pasid,
			       old_dom ? old_dom->pt.root_pa : 0);
		rec = amdvi_pasid_rec(dev, pasid);
		if (rec && old_dom)
			rec->dom = old_dom;
		else if (rec)
			*rec = dev->pv[--dev->nr_pasid];
		else
			dev->pv[dev->nr_pasid++] =
			    (struct amdvi_pasid){pasid, old_dom};
		amdvi_dev_flush(a, dev, q, old, pasid);
	}
out:
	pthread_mutex_unlock(&a->dev_lock);
	return ret;
}

static int amdvi_drv_set_dev_pasid(void *d, struct iommu_dev_info *info,
				   uint32_t pasid, void *old)
{
	struct amdvi_domain *dom = d;

	(void)old; /* the device's own record says what is there */
	if (!dom || dom->kind != AMDVI_DOM_PAGING)
		return -EINVAL;
	return amdvi_set_pasid(dom->a, dom, info, pasid);
}

/* The blocking domain's set_dev_pasid: the PASID is removed. */
static int amdvi_blocked_set_dev_pasid(void *inst, struct iommu_dev_info *info,
				       uint32_t pasid, void *old)
{
	(void)old;
	if (!inst)
		return -EINVAL;
	return amdvi_set_pasid(inst, NULL, info, pasid);
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
	if (!dom->v2)
		ilib_ids_free(&dom->a->domids, dom->domid);
	free(dom);
}

/**
 * amdvi_drv_domain_alloc_paging() - a paging domain on v1 tables, or on
 * v2 tables in v2 mode (drv.h)
 * @flags: IOMMU_ALLOC_PASID is accepted (in v2 mode every paging domain
 *     can go on a PASID; in v1 mode none can, set_dev_pasid refuses);
 *     NEST_PARENT and DIRTY_TRACKING are not (yet): -EOPNOTSUPP
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
	cfg.oa_bits = 52;
	cfg.pgsize_bitmap = a->pgsizes;
	if (a->v2) {
		/* amdvi 4.1: the lower half of the guest space (Linux). */
		dom->v2 = true;
		ia_bits = a->v2_levels == 5 ? 56 : 47;
		cfg.fmt = PT_FMT_AMDV2;
		cfg.levels = a->v2_levels;
		cfg.ia_bits = ia_bits;
		ret = pt_init(&dom->pt, a->host, &cfg);
		if (ret)
			goto err_free;
		goto done;
	}
	dom->mode = a->mode;
	ret = ilib_ids_alloc(&a->domids, AMDVI_DOMID_FIRST, AMDVI_DOMID_LAST,
			     &domid);
	if (ret)
		goto err_free;
	dom->domid = (uint16_t)domid;
	ia_bits = 12 + 9 * a->mode_max;
	if (ia_bits > 64)
		ia_bits = 64;
	cfg.fmt = PT_FMT_AMDV1;
	cfg.levels = a->mode;
	cfg.max_levels = a->mode_max;
	ret = pt_init(&dom->pt, a->host, &cfg);
	if (ret)
		goto err_domid;
done:
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
    .set_dev_pasid = amdvi_drv_set_dev_pasid,
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
    .set_dev_pasid = amdvi_blocked_set_dev_pasid,
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
