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

static const struct iommu_domain_ops vtd_paging_ops;
static const struct iommu_domain_ops vtd_static_ops;

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
	dom->att[dom->nr_att++] = (struct vtd_attach){sid, pasid};
out:
	pthread_mutex_unlock(&dom->lock);
	return ret;
}

void vtd_att_del(struct vtd_domain *dom, uint16_t sid, uint32_t pasid)
{
	pthread_mutex_lock(&dom->lock);
	for (size_t i = 0; i < dom->nr_att; i++) {
		if (dom->att[i].sid == sid && dom->att[i].pasid == pasid) {
			dom->att[i] = dom->att[--dom->nr_att];
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
static size_t vtd_iotlb_descs(struct vtd_domain *dom, uint64_t start,
			      uint64_t last, bool all, bool ih,
			      struct vtd_inv_desc *d, size_t max)
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

	pthread_mutex_lock(&dom->lock);
	if (!dom->nr_att) {
		pthread_mutex_unlock(&dom->lock);
		return 0;
	}
	if (!dom->first_stage) {
		d[n++] = all ? vtd_desc_iotlb(v, VTD_IOTLB_DOMAIN, dom->did, 0,
					      0, false)
			     : vtd_desc_iotlb(v, VTD_IOTLB_PAGE, dom->did, addr,
					      am, ih);
	} else {
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
	}
	pthread_mutex_unlock(&dom->lock);
	return n;
}

/* Take the pending table pages inside [start, last] into @out. */
static void vtd_take_pending(struct vtd_domain *dom, uint64_t start,
			     uint64_t last, struct pt_free_list *out)
{
	pthread_mutex_lock(&dom->free_lock);
	for (size_t i = 0; i < dom->pending.n;) {
		struct pt_free_ent *e = &dom->pending.v[i];

		if (e->start >= start && e->last <= last) {
			struct pt_free_list one = {.v = e, .n = 1, .cap = 1};

			if (pt_free_list_splice(out, &one)) {
				i++; /* stays pending: freed with the domain */
				continue;
			}
			*e = dom->pending.v[--dom->pending.n];
		} else {
			i++;
		}
	}
	pthread_mutex_unlock(&dom->free_lock);
}

/*
 * Invalidate [start, last] of @dom (all: the whole domain) and free the
 * table pages that waited for it.
 */
static int vtd_flush_range(struct vtd_domain *dom, uint64_t start,
			   uint64_t last, bool all)
{
	struct vtd_inv_desc d[VTD_MAX_BATCH];
	struct pt_free_list fl = {0};
	size_t n;
	int ret = 0;

	if (all) {
		start = 0;
		last = UINT64_MAX;
	}
	vtd_take_pending(dom, start, last, &fl);
	n = vtd_iotlb_descs(dom, start, last, all, fl.n == 0, d, VTD_MAX_BATCH);
	if (n)
		ret = vtd_submit(dom->v, d, n);
	if (ret == -EIO && !all) {
		/* The unit refused a descriptor (logged): the range is not
		 * invalidated, so fall back to the whole domain once. */
		n = vtd_iotlb_descs(dom, 0, UINT64_MAX, true, false, d,
				    VTD_MAX_BATCH);
		ret = n ? vtd_submit(dom->v, d, n) : 0;
	}
	if (!ret) {
		pt_free_pages(dom->v->host, &fl);
	} else if (fl.n) {
		/* Not invalidated: keep them until the domain is freed. */
		pthread_mutex_lock(&dom->free_lock);
		if (pt_free_list_splice(&dom->pending, &fl))
			vlog(dom->v, IOMMU_LOG_ERR, "leaking %zu table pages",
			     fl.n);
		pthread_mutex_unlock(&dom->free_lock);
	}
	pt_free_list_fini(&fl);
	return ret;
}

/* ---- paging domain ops --------------------------------------------------- */

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
	struct pt_free_list fl = {0};
	int ret;

	if (!dom || !mapped)
		return -EINVAL;
	if (!pgsize || pgcount > UINT64_MAX / pgsize)
		return -EINVAL;
	ret =
	    pt_map(&dom->pt, iova, paddr, pgsize * pgcount, prot, mapped, &fl);
	if (fl.n) {
		/* Empty tables were replaced by large leaves: the hardware
		 * may cache them, so invalidate (IH=0) before freeing. */
		pthread_mutex_lock(&dom->free_lock);
		if (pt_free_list_splice(&dom->pending, &fl))
			ret = ret ? ret : -ENOMEM;
		pthread_mutex_unlock(&dom->free_lock);
		if (!ret)
			ret = vtd_flush_range(
			    dom, iova, iova + pgsize * pgcount - 1, false);
	}
	pt_free_list_fini(&fl);
	return ret;
}

static uint64_t vtd_drv_unmap_pages(void *d, uint64_t iova, uint64_t pgsize,
				    uint64_t pgcount,
				    struct iommu_iotlb_gather *g)
{
	struct vtd_domain *dom = d;
	struct pt_free_list fl = {0};
	uint64_t done, max_leaf = 0;

	if (!dom || !g || !pgsize || pgcount > UINT64_MAX / pgsize)
		return 0;
	done = pt_unmap(&dom->pt, iova, pgsize * pgcount, &fl, &max_leaf);
	if (fl.n) {
		pthread_mutex_lock(&dom->free_lock);
		if (pt_free_list_splice(&dom->pending, &fl))
			vlog(dom->v, IOMMU_LOG_ERR,
			     "out of memory: %zu empty tables stay linked",
			     fl.n);
		pthread_mutex_unlock(&dom->free_lock);
	}
	pt_free_list_fini(&fl);
	if (done) {
		if (iova < g->start)
			g->start = iova;
		if (iova + done - 1 > g->end)
			g->end = iova + done - 1;
		if (max_leaf > g->pgsize)
			g->pgsize = max_leaf;
		g->pending = 1;
	}
	return done;
}

/**
 * vtd_drv_iotlb_sync() - invalidate the gathered range and wait
 * Context: takes dom->lock, dom->free_lock, q_lock.
 * Return: 0; -EIO, -ETIMEDOUT from the queue.
 */
static int vtd_drv_iotlb_sync(void *d, struct iommu_iotlb_gather *g)
{
	struct vtd_domain *dom = d;

	if (!dom || !g)
		return -EINVAL;
	if (g->start > g->end)
		return 0;
	return vtd_flush_range(dom, g->start, g->end, false);
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
			pthread_mutex_lock(&dom->v->q_lock); /* GCMD writer */
			ret = vtd_gcmd(dom->v, VTD_GCMD_WBF, VTD_GSTS_WBFS,
				       false);
			pthread_mutex_unlock(&dom->v->q_lock);
		}
		return ret;
	}
	return vtd_flush_range(dom, iova, iova + size - 1, false);
}

static int vtd_drv_flush_iotlb_all(void *d)
{
	struct vtd_domain *dom = d;

	if (!dom)
		return -EINVAL;
	return vtd_flush_range(dom, 0, UINT64_MAX, true);
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

/* ---- aux (PASID) attach -------------------------------------------------- */

static int vtd_drv_aux_attach_dev(void *d, struct iommu_dev_info *info,
				  uint32_t pasid)
{
	struct vtd_domain *dom = d;
	struct vtd_dev *dev = vtd_dev_of(info);
	struct vtd_drv *v;
	struct vtd_inv_desc inv[2];
	uint64_t *e, pe[3];
	int ret;

	if (!dom || !dev || dom->kind != VTD_DOM_PAGING || !pasid)
		return -EINVAL;
	v = dom->v;
	if (!v->scalable || !dev->aux)
		return -EINVAL;
	if (pasid >> dev->pasid_bits)
		return -ENOSPC;
	pthread_rwlock_wrlock(&v->dev_lock);
	ret = vtd_pasid_entry(v, dev, pasid, true, &e);
	if (ret)
		goto out;
	if (ilib_le64_load(&e[0]) & VTD_PE_QW0_P) {
		ret = -EEXIST;
		goto out;
	}
	if (dev->nr_aux == dev->cap_aux) {
		size_t cap = dev->cap_aux ? dev->cap_aux * 2 : 4;
		struct vtd_aux *a = realloc(dev->auxv, cap * sizeof(*a));

		if (!a) {
			ret = -ENOMEM;
			goto out;
		}
		dev->auxv = a;
		dev->cap_aux = cap;
	}
	ret = vtd_att_add(dom, dev->sid, pasid);
	if (ret)
		goto out;
	vtd_pe_encode(v, dom, pe);
	vtd_pe_write(e, pe);
	/* vtd 9.6, PASID entry set up: PASID cache, PASID-based IOTLB. */
	inv[0] = vtd_desc_pc(VTD_PC_G_PASID, dom->did, pasid);
	inv[1] =
	    vtd_desc_piotlb(VTD_PIOTLB_G_PASID, dom->did, pasid, 0, 0, false);
	ret = vtd_submit(v, inv, 2);
	if (ret) {
		vtd_pe_write(e, NULL);
		vtd_submit(v, inv, 1);
		vtd_att_del(dom, dev->sid, pasid);
		goto out;
	}
	dev->auxv[dev->nr_aux++] = (struct vtd_aux){pasid, dom};
out:
	pthread_rwlock_unlock(&v->dev_lock);
	return ret;
}

static void vtd_drv_aux_detach_dev(void *d, struct iommu_dev_info *info,
				   uint32_t pasid)
{
	struct vtd_domain *dom = d;
	struct vtd_dev *dev = vtd_dev_of(info);
	struct vtd_drv *v;
	struct vtd_inv_desc inv[2];
	uint64_t *e;

	if (!dom || !dev || dom->kind != VTD_DOM_PAGING || !pasid)
		return;
	v = dom->v;
	pthread_rwlock_wrlock(&v->dev_lock);
	if (!vtd_pasid_entry(v, dev, pasid, false, &e) &&
	    (ilib_le64_load(&e[0]) & VTD_PE_QW0_P) &&
	    vtd_field_get(VTD_PE_QW1_DID, ilib_le64_load(&e[1])) == dom->did) {
		vtd_pe_write(e, NULL);
		/* vtd 9.6, PASID entry torn down */
		inv[0] = vtd_desc_pc(VTD_PC_G_PASID, dom->did, pasid);
		inv[1] = dom->first_stage
			     ? vtd_desc_piotlb(VTD_PIOTLB_G_PASID, dom->did,
					       pasid, 0, 0, false)
			     : vtd_desc_iotlb(v, VTD_IOTLB_DOMAIN, dom->did, 0,
					      0, false);
		if (vtd_submit(v, inv, 2))
			vlog(v, IOMMU_LOG_ERR,
			     "aux detach of %04x pasid %u: invalidation failed",
			     dev->sid, pasid);
	}
	for (size_t i = 0; i < dev->nr_aux; i++) {
		if (dev->auxv[i].pasid == pasid && dev->auxv[i].dom == dom) {
			dev->auxv[i] = dev->auxv[--dev->nr_aux];
			break;
		}
	}
	vtd_att_del(dom, dev->sid, pasid);
	pthread_rwlock_unlock(&v->dev_lock);
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
	if (pthread_mutex_init(&dom->free_lock, NULL)) {
		pthread_mutex_destroy(&dom->lock);
		return -ENOMEM;
	}
	return 0;
}

void vtd_domain_fini_common(struct vtd_domain *dom)
{
	pthread_mutex_destroy(&dom->lock);
	pthread_mutex_destroy(&dom->free_lock);
	free(dom->att);
	dom->att = NULL;
}

static void vtd_drv_domain_free(void *d)
{
	struct vtd_domain *dom = d;

	if (!dom || dom->kind != VTD_DOM_PAGING)
		return;
	/* No device is attached: the old DID was flushed at detach. */
	pt_free_pages(dom->v->host, &dom->pending);
	pt_free_list_fini(&dom->pending);
	pt_destroy(&dom->pt);
	ilib_ids_free(&dom->v->dids, dom->did);
	vtd_domain_fini_common(dom);
	free(dom);
}

/**
 * vtd_drv_domain_alloc() - a paging domain, or a static one
 * Return: 0; -EINVAL bad arguments or type; -EOPNOTSUPP IDENTITY without
 * ECAP.PT; -ENOSPC no DID left; -ENOMEM.
 */
int vtd_drv_domain_alloc(void *inst, enum iommu_domain_type type,
			 struct iommu_domain_info *info, void **out)
{
	struct vtd_drv *v = inst;
	struct vtd_domain *dom;
	struct pt_cfg cfg = {0};
	uint32_t did;
	int ret;

	if (!v || !info || !out)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	switch (type) {
	case IOMMU_DOMAIN_BLOCKED:
		info->ops = &vtd_static_ops;
		*out = &v->blocked;
		return 0;
	case IOMMU_DOMAIN_IDENTITY:
		if (!v->has_identity) {
			vlog(v, IOMMU_LOG_INFO,
			     "no pass-through (ECAP.PT): no identity domain");
			return -EOPNOTSUPP;
		}
		info->ops = &vtd_static_ops;
		*out = &v->identity;
		return 0;
	case IOMMU_DOMAIN_UNMANAGED:
	case IOMMU_DOMAIN_DMA:
		break;
	default:
		return -EINVAL;
	}
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

static const struct iommu_domain_ops vtd_paging_ops = {
	.size = IOMMU_TABLE_SIZE(iommu_domain_ops),
    .attach_dev = vtd_drv_attach_dev,
    .map_pages = vtd_drv_map_pages,
    .unmap_pages = vtd_drv_unmap_pages,
    .iotlb_sync_map = vtd_drv_iotlb_sync_map,
    .iotlb_sync = vtd_drv_iotlb_sync,
    .flush_iotlb_all = vtd_drv_flush_iotlb_all,
    .iova_to_phys = vtd_drv_iova_to_phys,
    .aux_attach_dev = vtd_drv_aux_attach_dev,
    .aux_detach_dev = vtd_drv_aux_detach_dev,
    .free = vtd_drv_domain_free,
};

/* Static domains: the core never maps, unmaps or frees them. */
static const struct iommu_domain_ops vtd_static_ops = {
	.size = IOMMU_TABLE_SIZE(iommu_domain_ops),
    .attach_dev = vtd_drv_attach_dev,
};
