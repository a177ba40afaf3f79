// SPDX-License-Identifier: MIT
/*
 * drv_domain.c - the VT-d driver's domains: DIDs, paging domains on
 * core/pt, map/unmap and the IOTLB flushes they gather (vtd 9.6), attach
 * and PASID (aux) attach with no window through no domain, the static
 * blocked and identity domains.  The choices it follows (DID rules, entry
 * store order, invalidation granularity) are in drv.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "drv.h"
#include "ilib_pt.h"
#include "ilib_pt_walk.h"

static const struct iommu_domain_ops vtd_paging_ops;

/* ---- attachments --------------------------------------------------------- */

static int vtd_att_add(struct vtd_domain *dom, uint16_t sid, uint32_t pasid)
{
	int ret = 0;

	pthread_mutex_lock(&dom->lock);
	if (dom->nr_att == dom->cap_att) {
		size_t cap = dom->cap_att ? dom->cap_att * 2 : 4;
		struct vtd_attach *a = realloc(dom->att, cap * sizeof(*a));

		if (!a) {
			ret = -ENOMEM;
			goto out;
		}
		dom->att = a;
		dom->cap_att = cap;
	}
	dom->att[dom->nr_att] = (struct vtd_attach){sid, pasid};
	/* Stored atomically: vtd_iotlb_descs() reads it without the lock. */
	__atomic_store_n(&dom->nr_att, dom->nr_att + 1, __ATOMIC_SEQ_CST);
out:
	pthread_mutex_unlock(&dom->lock);
	return ret;
}

void vtd_att_del(struct vtd_domain *dom, uint16_t sid, uint32_t pasid)
{
	pthread_mutex_lock(&dom->lock);
	for (size_t i = 0; i < dom->nr_att; i++) {
		if (dom->att[i].sid == sid && dom->att[i].pasid == pasid) {
			dom->att[i] = dom->att[dom->nr_att - 1];
			__atomic_store_n(&dom->nr_att, dom->nr_att - 1,
					 __ATOMIC_SEQ_CST);
			break;
		}
	}
	pthread_mutex_unlock(&dom->lock);
}

/*
 * Build the IOTLB invalidation of [start, last] for @dom into @d (room for
 * VTD_MAX_BATCH); returns how many, 0 if the domain is attached nowhere.
 * @all: whole domain.
 */
static inline __attribute__((always_inline)) size_t
vtd_iotlb_descs(struct vtd_domain *dom, uint64_t start, uint64_t last, bool all,
		bool ih, struct vtd_inv_desc *d, size_t max)
{
	struct vtd_drv *v = dom->v;
	uint64_t spfn = start >> 12, epfn = last >> 12;
	uint64_t pages = epfn - spfn + 1;
	unsigned int am = 0;
	size_t n = 0;

	if (!all) {
		/* vtd 9.6: the smallest aligned 2^AM block covering it */
		while (am < 63 && (1ull << am) < pages)
			am++;
		if (spfn & ((1ull << am) - 1))
			am = 64 - __builtin_clzll(spfn ^ epfn);
		if (!(v->cap & VTD_CAP_PSI) || am > v->mamv ||
		    pages > v->inval_threshold)
			all = true;
	}
	uint64_t addr = all ? 0 : (spfn & ~((1ull << am) - 1)) << 12;

	/*
	 * A second-stage domain invalidates by DID alone: it needs to know
	 * only that it is attached somewhere, one load and no lock (every
	 * unmap takes this path).  The lock would order nothing more: an
	 * attach or detach racing the unmap invalidates the DID itself
	 * (vtd_flush_dev) after changing the entry, and a count read just
	 * before or after either is as good as one read under the lock.
	 */
	if (!dom->first_stage) {
		if (!__atomic_load_n(&dom->nr_att, __ATOMIC_SEQ_CST))
			return 0;
		d[n++] = all ? vtd_desc_iotlb(v, VTD_IOTLB_DOMAIN, dom->did, 0,
					      0, false)
			     : vtd_desc_iotlb(v, VTD_IOTLB_PAGE, dom->did, addr,
					      am, ih);
		return n;
	}
	pthread_mutex_lock(&dom->lock);
	if (!dom->nr_att) {
		pthread_mutex_unlock(&dom->lock);
		return 0;
	}
	/* One type 6 per distinct PASID (0 = RID_PASID). */
	for (size_t i = 0; i < dom->nr_att; i++) {
		uint32_t p = dom->att[i].pasid == IOMMU_NO_PASID
				 ? 0
				 : dom->att[i].pasid;
		bool dup = false;

		for (size_t j = 0; j < i && !dup; j++)
			dup = (dom->att[j].pasid == IOMMU_NO_PASID
				   ? 0
				   : dom->att[j].pasid) == p;
		if (dup)
			continue;
		if (n == max) {
			/* Too many PASIDs: the whole DID. */
			n = 0;
			d[n++] = vtd_desc_iotlb(v, VTD_IOTLB_DOMAIN,
						dom->did, 0, 0, false);
			break;
		}
		d[n++] =
		    all ? vtd_desc_piotlb(VTD_PIOTLB_G_PASID, dom->did,
					  p, 0, 0, false)
			: vtd_desc_piotlb(VTD_PIOTLB_G_PAGE, dom->did,
					  p, addr, am, ih);
	}
	pthread_mutex_unlock(&dom->lock);
	return n;
}

/*
 * Invalidate [start, last] of @dom (all: the whole domain).  @leaf_only:
 * no table page was unlinked in the range, so the paging-structure caches
 * may keep theirs (IH = 1).
 */
static int vtd_flush_range(struct vtd_domain *dom, uint64_t start,
			   uint64_t last, bool all, bool leaf_only)
{
	struct vtd_inv_desc d[VTD_MAX_BATCH];
	size_t n;
	int ret = 0;

	if (all) {
		start = 0;
		last = UINT64_MAX;
		leaf_only = false;
	}
	n = vtd_iotlb_descs(dom, start, last, all, leaf_only, d,
			    VTD_MAX_BATCH);
	if (n)
		ret = vtd_submit(dom->v, d, n);
	if (ret == -EIO && !all) {
		/* The unit refused a descriptor (logged): the range is not
		 * invalidated, so fall back to the whole domain once. */
		n = vtd_iotlb_descs(dom, 0, UINT64_MAX, true, false, d,
				    VTD_MAX_BATCH);
		ret = n ? vtd_submit(dom->v, d, n) : 0;
	}
	return ret;
}

/* ---- paging domain ops --------------------------------------------------- */

/* The flush of map_pages: ranges whose empty tables became leaves. */
static int vtd_map_flush(void *d, uint64_t first, uint64_t last)
{
	struct vtd_domain *dom = d;

	return vtd_flush_range(dom, first, last, false, false);
}

/**
 * vtd_drv_map_pages() - write leaves through core/pt
 * Context: lock-free; concurrent on disjoint ranges.
 * Return: 0; -EINVAL, -ERANGE, -EEXIST, -ENOMEM, -EFAULT from pt_map();
 * an invalidation error when an empty table had to be replaced.
 */
static int vtd_drv_map_pages(void *d, uint64_t iova, uint64_t paddr,
			     uint64_t pgsize, uint64_t pgcount,
			     unsigned int prot, uint64_t *mapped)
{
	struct vtd_domain *dom = d;

	if (!dom)
		return -EINVAL;
	return ilib_pt_map_pages(&dom->pt, dom->v->host, iova, paddr, pgsize,
				 pgcount, prot, mapped, vtd_map_flush, dom);
}

static uint64_t vtd_drv_unmap_pages(void *d, uint64_t iova, uint64_t pgsize,
				    uint64_t pgcount,
				    struct iommu_iotlb_gather *g)
{
	struct vtd_domain *dom = d;

	if (!dom)
		return 0;
	return ilib_pt_unmap_pages(&dom->pt, dom->v->host, iova, pgsize, pgcount,
				   g);
}

/**
 * vtd_drv_iotlb_sync() - invalidate the gathered range and wait
 * Context: takes dom->lock, q_lock.
 * Return: 0; -EIO, -ETIMEDOUT from the queue.
 */
static int vtd_drv_iotlb_sync(void *d, struct iommu_iotlb_gather *g)
{
	struct vtd_domain *dom = d;

	if (!dom || !g)
		return -EINVAL;
	if (g->start > g->end)
		return 0;
	return vtd_flush_range(dom, g->start, g->end, false,
			       !(g->pending & ILIB_G_TABLES));
}

static int vtd_drv_iotlb_sync_map(void *d, uint64_t iova, uint64_t size)
{
	struct vtd_domain *dom = d;

	if (!dom || !size)
		return -EINVAL;
	/* vtd 9.3: with caching mode, not-present -> present needs an
	 * invalidation; first-stage entries never do.  Without it, a unit
	 * with CAP.RWBF needs a write-buffer flush (vtd 9.4). */
	if (!dom->v->cm || dom->first_stage) {
		int ret = 0;

		if (dom->v->cap & VTD_CAP_RWBF) {
			vtd_q_lock(dom->v); /* GCMD writer */
			ret = vtd_gcmd(dom->v, VTD_GCMD_WBF, VTD_GSTS_WBFS,
				       false);
			vtd_q_unlock(dom->v);
		}
		return ret;
	}
	return vtd_flush_range(dom, iova, iova + size - 1, false, true);
}

static int vtd_drv_flush_iotlb_all(void *d)
{
	struct vtd_domain *dom = d;

	if (!dom)
		return -EINVAL;
	return vtd_flush_range(dom, 0, UINT64_MAX, true, false);
}

static int vtd_drv_iova_to_phys(void *d, uint64_t iova, uint64_t *phys)
{
	struct vtd_domain *dom = d;
	int ret;

	if (!dom || !phys)
		return -EINVAL;
	ret = pt_iova_to_phys(&dom->pt, iova, phys);
	return ret == -ERANGE ? -ENOENT : ret;
}

/**
 * vtd_drv_attach_dev() - move @info's device onto @d
 * Context: the core serializes attach per group; takes dev_lock (write),
 * dom->lock, q_lock.
 * Return: 0; -EINVAL bad arguments; -ENOMEM; -EFAULT table memory; -EIO,
 * -ETIMEDOUT the invalidation failed (the entry was restored).
 */
static int vtd_drv_attach_dev(void *d, struct iommu_dev_info *info)
{
	struct vtd_domain *dom = d, *old;
	struct vtd_dev *dev = vtd_dev_of(info);
	struct vtd_drv *v;
	uint64_t *e, save[8];
	uint16_t old_did;
	bool was;
	int ret;

	if (!dom || !dev)
		return -EINVAL;
	v = dom->v;
	pthread_rwlock_wrlock(&v->dev_lock);
	old = dev->domain;
	if (old == dom) {
		pthread_rwlock_unlock(&v->dev_lock);
		return 0;
	}
	if (v->scalable)
		ret = vtd_pasid_entry(v, dev, 0, true, &e);
	else
		ret = vtd_ctx_entry(v, dev->sid, true, &e);
	if (ret)
		goto out;
	if (dom->kind != VTD_DOM_BLOCKED) {
		ret = vtd_att_add(dom, dev->sid, IOMMU_NO_PASID);
		if (ret)
			goto out;
	}
	memcpy(save, e, v->scalable ? 64 : 16);
	was = ilib_le64_load(&e[0]) & 1; /* P is bit 0 in both entries */
	old_did = old && old->kind != VTD_DOM_BLOCKED ? old->did : 0;
	if (v->scalable) {
		uint64_t pe[3];

		vtd_pe_encode(v, dom, pe);
		vtd_pe_write(e, dom->kind == VTD_DOM_BLOCKED ? NULL : pe);
	} else {
		vtd_ctx_write_legacy(v, e, dom);
	}
	ret = vtd_flush_dev(v, dev->sid, old_did,
			    dom->kind == VTD_DOM_BLOCKED ? 0 : dom->did, was);
	if (ret) {
		/* Leave the old domain working: put the entry back. */
		for (int i = v->scalable ? 7 : 1; i >= 0; i--)
			__atomic_store_n(&e[i], save[i], __ATOMIC_RELEASE);
		vtd_flush_dev(v, dev->sid, old_did, 0, was);
		if (dom->kind != VTD_DOM_BLOCKED)
			vtd_att_del(dom, dev->sid, IOMMU_NO_PASID);
		goto out;
	}
	if (old && old->kind != VTD_DOM_BLOCKED)
		vtd_att_del(old, dev->sid, IOMMU_NO_PASID);
	dev->domain = dom;
out:
	pthread_rwlock_unlock(&v->dev_lock);
	return ret;
}

/* ---- PASID attach (set_dev_pasid) ---------------------------------------- */

/* The device's record of what is on @pasid, or NULL. */
static struct vtd_aux *vtd_pasid_rec(struct vtd_dev *dev, uint32_t pasid)
{
	for (size_t i = 0; i < dev->nr_aux; i++)
		if (dev->auxv[i].pasid == pasid)
			return &dev->auxv[i];
	return NULL;
}

/*
 * vtd_set_pasid() - put @dom (a paging domain, or NULL to remove) on
 * @pasid of @info's device, replacing whatever is there
 * The PASID entry is written whole while it may be present (as on a
 * replace), then the PASID cache and the old and new DIDs are flushed
 * (vtd 9.6), so a request sees the old or the new domain, never none.
 * Context: the core serializes PASID calls per device; takes dev_lock.
 * Return: 0; -EINVAL bad arguments or not scalable mode; -ENOSPC @pasid
 * beyond the device's width; -ENOMEM; -EFAULT; -EIO, -ETIMEDOUT the
 * invalidation failed (the old entry is back).
 */
static int vtd_set_pasid(struct vtd_drv *v, struct vtd_domain *dom,
			 struct iommu_dev_info *info, uint32_t pasid)
{
	struct vtd_dev *dev = vtd_dev_of(info);
	struct vtd_domain *old = NULL;
	struct vtd_inv_desc inv[3];
	struct vtd_aux *rec;
	uint64_t *e, pe[3], save[8];
	unsigned int n = 0;
	int ret;

	if (!dev || !pasid || pasid == IOMMU_NO_PASID)
		return -EINVAL;
	if (!v->scalable)
		return dom ? -EOPNOTSUPP : 0;
	if (pasid >> dev->pasid_bits)
		return -ENOSPC;
	pthread_rwlock_wrlock(&v->dev_lock);
	rec = vtd_pasid_rec(dev, pasid);
	old = rec ? rec->dom : NULL;
	if (old == dom) {
		ret = 0;
		goto out;
	}
	if (dom && !dev->aux) {
		/* PASID-tagged requests need the context's PASIDE. */
		ret = vtd_set_paside(v, dev, true);
		if (ret)
			goto out;
		dev->aux = true;
	}
	ret = vtd_pasid_entry(v, dev, pasid, dom != NULL, &e);
	if (ret)
		goto out;
	if (dom && !rec && dev->nr_aux == dev->cap_aux) {
		size_t cap = dev->cap_aux ? dev->cap_aux * 2 : 4;
		struct vtd_aux *a = realloc(dev->auxv, cap * sizeof(*a));

		if (!a) {
			ret = -ENOMEM;
			goto out;
		}
		dev->auxv = a;
		dev->cap_aux = cap;
	}
	if (dom) {
		ret = vtd_att_add(dom, dev->sid, pasid);
		if (ret)
			goto out;
	}
	memcpy(save, e, sizeof(save));
	if (dom)
		vtd_pe_encode(v, dom, pe);
	vtd_pe_write(e, dom ? pe : NULL);
	/* vtd 9.6: the PASID cache, then what the old and new DIDs cached. */
	inv[n++] = vtd_desc_pc(VTD_PC_G_PASID, old ? old->did : dom->did,
			       pasid);
	if (old && old->first_stage)
		inv[n++] = vtd_desc_piotlb(VTD_PIOTLB_G_PASID, old->did, pasid,
					   0, 0, false);
	else if (old)
		inv[n++] = vtd_desc_iotlb(v, VTD_IOTLB_DOMAIN, old->did, 0, 0,
					  false);
	if (dom)
		inv[n++] = vtd_desc_piotlb(VTD_PIOTLB_G_PASID, dom->did, pasid,
					   0, 0, false);
	ret = vtd_submit(v, inv, n);
	if (ret) {
		for (int i = 7; i >= 0; i--)
			__atomic_store_n(&e[i], save[i], __ATOMIC_RELEASE);
		vtd_submit(v, inv, 1);
		if (dom)
			vtd_att_del(dom, dev->sid, pasid);
		goto out;
	}
	if (old)
		vtd_att_del(old, dev->sid, pasid);
	if (rec && dom)
		rec->dom = dom;
	else if (rec)
		*rec = dev->auxv[--dev->nr_aux];
	else
		dev->auxv[dev->nr_aux++] = (struct vtd_aux){pasid, dom};
out:
	pthread_rwlock_unlock(&v->dev_lock);
	return ret;
}

static int vtd_drv_set_dev_pasid(void *d, struct iommu_dev_info *info,
				 uint32_t pasid, void *old)
{
	struct vtd_domain *dom = d;

	(void)old; /* the device's own record says what is there */
	if (!dom || dom->kind != VTD_DOM_PAGING)
		return -EINVAL;
	return vtd_set_pasid(dom->v, dom, info, pasid);
}

/* The blocking domain's set_dev_pasid: the PASID is removed. */
static int vtd_blocked_set_dev_pasid(void *inst, struct iommu_dev_info *info,
				     uint32_t pasid, void *old)
{
	(void)old;
	if (!inst)
		return -EINVAL;
	return vtd_set_pasid(inst, NULL, info, pasid);
}

/* ---- domain allocation --------------------------------------------------- */

int vtd_domain_init_common(struct vtd_drv *v, struct vtd_domain *dom,
			   enum vtd_dom_kind kind)
{
	memset(dom, 0, sizeof(*dom));
	dom->v = v;
	dom->kind = kind;
	if (pthread_mutex_init(&dom->lock, NULL))
		return -ENOMEM;
	return 0;
}

void vtd_domain_fini_common(struct vtd_domain *dom)
{
	pthread_mutex_destroy(&dom->lock);
	free(dom->att);
	dom->att = NULL;
}

static void vtd_drv_domain_free(void *d)
{
	struct vtd_domain *dom = d;

	if (!dom || dom->kind != VTD_DOM_PAGING)
		return;
	/* No device is attached: the old DID was flushed at detach. */
	pt_destroy(&dom->pt);
	ilib_ids_free(&dom->v->dids, dom->did);
	vtd_domain_fini_common(dom);
	free(dom);
}

/**
 * vtd_drv_domain_alloc_paging() - a paging domain
 * @flags: IOMMU_ALLOC_PASID is honoured (every paging domain can be put on
 *     a PASID in scalable mode); NEST_PARENT and DIRTY_TRACKING are not
 *     (yet): -EOPNOTSUPP
 * Return: 0; -EINVAL bad arguments; -EOPNOTSUPP a flag; -ENOSPC no DID
 * left; -ENOMEM.
 */
int vtd_drv_domain_alloc_paging(void *inst, struct iommu_dev_info *dev,
				unsigned int flags,
				struct iommu_domain_info *info, void **out)
{
	struct vtd_drv *v = inst;
	struct vtd_domain *dom;
	struct pt_cfg cfg = {0};
	uint32_t did;
	int ret;

	(void)dev; /* one unit: every device gets the same geometry */
	if (!v || !info || !out)
		return -EINVAL;
	if (flags & ~IOMMU_ALLOC_PASID)
		return -EOPNOTSUPP;
	memset(info, 0, sizeof(*info));
	dom = calloc(1, sizeof(*dom));
	if (!dom)
		return -ENOMEM;
	ret = vtd_domain_init_common(v, dom, VTD_DOM_PAGING);
	if (ret)
		goto err_free;
	/* The lowest free DID (drv.h: 0 and 1 are never allocated). */
	ret = ilib_ids_alloc(&v->dids, VTD_DID_FIRST, v->nr_dids - 1, &did);
	if (ret)
		goto err_fini;
	dom->did = (uint16_t)did;
	dom->first_stage = v->first_stage;
	cfg.oa_bits = 52;
	if (dom->first_stage) {
		cfg.fmt = PT_FMT_X86_64;
		cfg.levels = v->fl_levels;
		cfg.ia_bits = v->fl_levels == 5 ? 56 : 47; /* lower half */
		cfg.pgsize_bitmap = v->fl_pgsizes;
	} else {
		cfg.fmt = PT_FMT_VTDSS;
		cfg.levels = vtd_aw_to_levels(v->aw);
		cfg.ia_bits = v->sl_width;
		cfg.pgsize_bitmap = v->sl_pgsizes;
	}
	ret = pt_init(&dom->pt, v->host, &cfg);
	if (ret)
		goto err_did;
	info->ops = &vtd_paging_ops;
	info->pgsize_bitmap = cfg.pgsize_bitmap;
	info->aperture_start = 0;
	info->aperture_last = (1ull << cfg.ia_bits) - 1;
	*out = dom;
	return 0;

err_did:
	ilib_ids_free(&v->dids, dom->did);
err_fini:
	vtd_domain_fini_common(dom);
err_free:
	free(dom);
	return ret;
}

/* ---- ops tables ---------------------------------------------------------- */

ILIB_PT_WALK_OP(vtd_drv_walk, struct vtd_domain, pt)

static const struct iommu_domain_ops vtd_paging_ops = {
	.size = IOMMU_TABLE_SIZE(iommu_domain_ops),
	.attach_dev = vtd_drv_attach_dev,
	.set_dev_pasid = vtd_drv_set_dev_pasid,
	.map_pages = vtd_drv_map_pages,
	.unmap_pages = vtd_drv_unmap_pages,
	.iotlb_sync_map = vtd_drv_iotlb_sync_map,
	.iotlb_sync = vtd_drv_iotlb_sync,
	.flush_iotlb_all = vtd_drv_flush_iotlb_all,
	.iova_to_phys = vtd_drv_iova_to_phys,
	.free = vtd_drv_domain_free,
	.walk = vtd_drv_walk,
};

/* Static domains: their ops get the instance; the core never maps,
 * unmaps or frees them. */
static int vtd_blocked_attach_dev(void *inst, struct iommu_dev_info *info)
{
	return inst ? vtd_drv_attach_dev(&((struct vtd_drv *)inst)->blocked,
					 info)
		    : -EINVAL;
}

static int vtd_identity_attach_dev(void *inst, struct iommu_dev_info *info)
{
	struct vtd_drv *v = inst;

	if (!v)
		return -EINVAL;
	if (!v->has_identity)
		return -EOPNOTSUPP;
	return vtd_drv_attach_dev(&v->identity, info);
}

const struct iommu_domain_ops vtd_blocked_ops = {
	.size = IOMMU_TABLE_SIZE(iommu_domain_ops),
	.attach_dev = vtd_blocked_attach_dev,
	.set_dev_pasid = vtd_blocked_set_dev_pasid,
};

const struct iommu_domain_ops vtd_identity_ops = {
	.size = IOMMU_TABLE_SIZE(iommu_domain_ops),
	.attach_dev = vtd_identity_attach_dev,
};

unsigned int vtd_drv_instance_domains(void *inst)
{
	struct vtd_drv *v = inst;
	unsigned int m = 1u << IOMMU_DOMAIN_BLOCKED |
			 1u << IOMMU_DOMAIN_UNMANAGED | 1u << IOMMU_DOMAIN_DMA;

	if (v && v->has_identity)
		m |= 1u << IOMMU_DOMAIN_IDENTITY;
	return m;
}
