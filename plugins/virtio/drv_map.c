// SPDX-License-Identifier: MIT
/*
 * drv_map.c - map_pages, unmap_pages and the syncs ("Mappings" and
 * "map_pages() error path" in drv.h).
 * Locks and choices: see drv.h.
 */
#include "drv.h"

/* ---- paging domain ops --------------------------------------------------- */

/**
 * viommu_drv_map_pages() - map @pgcount pages of @pgsize at @iova
 * @dom: paging domain
 * @iova, @paddr: both aligned to @pgsize
 * @pgsize: one size of the domain's page-size bitmap
 * @pgcount: number of pages, > 0
 * @prot: IOMMU_READ | IOMMU_WRITE | IOMMU_MMIO (MMIO needs F_MMIO)
 * @mapped: receives the bytes mapped from @iova on, also on failure
 *
 * Every page becomes one table entry; while the domain has endpoints one
 * MAP per page is sent, all behind one notify.
 * Context: takes dom->lock, then req_lock.  Safe against concurrent
 * map/unmap/iova_to_phys on disjoint ranges.
 * Return: 0; -EINVAL bad arguments or prot; -ERANGE outside the aperture;
 * -EEXIST a page overlaps a mapping (nothing done); -ENOMEM; the device's
 * status as errno; -ETIMEDOUT.
 */
int viommu_drv_map_pages(void *dom, uint64_t iova, uint64_t paddr,
			 uint64_t pgsize, uint64_t pgcount,
			 unsigned int prot, uint64_t *mapped)
{
	struct viommu_domain *d = dom;
	struct viommu_batch b = { 0, UINT64_MAX };
	struct viommu_drv *v;
	uint64_t last, i, sent = 0;
	int err = 0;

	if (mapped)
		*mapped = 0;
	if (!d || !mapped || d->kind != VIOMMU_DOM_PAGING)
		return -EINVAL;
	v = d->v;
	if (!iommu_is_pow2(pgsize) || !(pgsize & v->page_size_mask) ||
	    !pgcount || (iova & (pgsize - 1)) || (paddr & (pgsize - 1)))
		return -EINVAL;
	if (prot & ~(unsigned int)IOMMU_PROT_MASK)
		return -EINVAL;
	if ((prot & IOMMU_MMIO) && !has_feat(v, VIRTIO_IOMMU_F_MMIO))
		return -EINVAL;
	if (pgcount > UINT64_MAX / pgsize ||
	    pgcount * pgsize - 1 > UINT64_MAX - iova ||
	    pgcount * pgsize - 1 > UINT64_MAX - paddr)
		return -ERANGE;
	last = iova + (pgcount * pgsize - 1);
	if (iova < v->input_start || last > v->input_last)
		return -ERANGE;

	pthread_mutex_lock(&d->lock);
	if (rangemap_first_overlap(&d->map, iova, last)) {
		pthread_mutex_unlock(&d->lock);
		return -EEXIST;
	}
	for (i = 0; i < pgcount; i++) {
		err = rangemap_insert(&d->map, iova + i * pgsize,
				      iova + i * pgsize + pgsize - 1,
				      paddr + i * pgsize, prot);
		if (err)
			break;
	}
	if (err) {
		while (i--)
			rangemap_remove(&d->map, iova + i * pgsize);
		pthread_mutex_unlock(&d->lock);
		return err;
	}
	if (!d->nr_endpoints) {
		pthread_mutex_unlock(&d->lock);
		*mapped = pgcount * pgsize;
		return 0;
	}

	viommu_req_lock(v);
	for (i = 0; i < pgcount; i++) {
		const struct rangemap_entry *e =
			rangemap_find(&d->map, iova + i * pgsize);

		err = viommu_queue_map(v, d, e, &b, i);
		if (err)
			break;
		sent++;
		if (b.err) /* a drain for room saw a failure: stop here */
			break;
	}
	if (!err)
		err = viommu_req_sync(v);
	if (err) {
		/* Queue broken: what the device did is unknown. */
		viommu_batch_abandon(v, &b);
		b.first_fail = 0;
		sent = pgcount;
	} else if (b.err) {
		err = b.err;
	} else {
		b.first_fail = pgcount;
	}
	if (b.first_fail < pgcount) {
		/* Drop everything from the first failure on. */
		uint64_t f = b.first_fail;

		if (sent > f + 1) {
			int rc = viommu_unmap_sync(v, d,
						   iova + (f + 1) * pgsize,
						   iova + sent * pgsize - 1);

			if (rc)
				vlog(v, IOMMU_LOG_ERR,
				     "domain %u: cannot undo a failed map (%d)",
				     d->id, rc);
		}
		for (i = f; i < pgcount; i++)
			rangemap_remove(&d->map, iova + i * pgsize);
		*mapped = f * pgsize;
	} else {
		*mapped = pgcount * pgsize;
	}
	viommu_req_unlock(v);
	pthread_mutex_unlock(&d->lock);
	return err;
}

/**
 * viommu_drv_unmap_pages() - remove whole entries from @iova on
 * @dom: paging domain
 * @iova: first address; must start an entry
 * @pgsize, @pgcount: the range is [iova, iova + pgsize * pgcount)
 * @gather: widened over what was removed; pending counts queued UNMAPs
 *
 * Stops at a hole or at an entry the range would cut.  While the domain
 * has endpoints one UNMAP for the removed range is published without a
 * notify; iotlb_sync() sends and waits for it.
 * Context: takes dom->lock, then req_lock.
 * Return: bytes removed (0 on bad arguments or if the UNMAP could not be
 * queued, in which case nothing is removed).
 */
uint64_t viommu_drv_unmap_pages(void *dom, uint64_t iova,
				uint64_t pgsize, uint64_t pgcount,
				struct iommu_iotlb_gather *gather)
{
	struct viommu_domain *d = dom;
	const struct rangemap_entry *e;
	struct viommu_drv *v;
	uint64_t end, cur, last = 0, biggest = 0;
	bool any = false;

	if (!d || d->kind != VIOMMU_DOM_PAGING || !pgsize || !pgcount)
		return 0;
	v = d->v;
	if (pgcount > UINT64_MAX / pgsize ||
	    pgcount * pgsize - 1 > UINT64_MAX - iova)
		end = UINT64_MAX;
	else
		end = iova + (pgcount * pgsize - 1);

	pthread_mutex_lock(&d->lock);
	cur = iova;
	for (;;) {
		e = rangemap_find(&d->map, cur);
		if (!e || e->start != cur || e->last > end)
			break;
		any = true;
		last = e->last;
		if (e->last - e->start + 1 > biggest)
			biggest = e->last - e->start + 1;
		if (e->last == end)
			break;
		cur = e->last + 1;
	}
	if (!any) {
		pthread_mutex_unlock(&d->lock);
		return 0;
	}
	if (d->nr_endpoints) {
		struct viommu_req r = {
			.type = VIRTIO_IOMMU_T_UNMAP,
			.domain = d->id,
			.start = iova,
			.end = last,
		};
		int err;

		viommu_req_lock(v);
		err = viommu_req_queue(v, &r, NULL, d, 0);
		viommu_req_unlock(v);
		if (err) {
			vlog(v, IOMMU_LOG_ERR,
			     "domain %u: cannot queue UNMAP (%d)", d->id, err);
			pthread_mutex_unlock(&d->lock);
			return 0;
		}
		if (gather)
			gather->pending++;
	}
	cur = iova;
	for (;;) {
		e = rangemap_find(&d->map, cur);
		uint64_t el = e->last;

		rangemap_remove(&d->map, cur);
		if (el == last)
			break;
		cur = el + 1;
	}
	pthread_mutex_unlock(&d->lock);
	if (gather) {
		if (gather->start > gather->end) {
			gather->start = iova;
			gather->end = last;
		} else {
			if (iova < gather->start)
				gather->start = iova;
			if (last > gather->end)
				gather->end = last;
		}
		if (biggest > gather->pgsize)
			gather->pgsize = biggest;
	}
	return last - iova + 1;
}

/* Kick, wait for every queued request, collect @d's async errors. */
static int viommu_domain_sync(struct viommu_domain *d)
{
	struct viommu_drv *v = d->v;
	int err;

	viommu_req_lock(v);
	err = viommu_req_sync(v);
	if (!err)
		err = d->async_err;
	d->async_err = 0;
	viommu_req_unlock(v);
	return err;
}

/**
 * viommu_drv_iotlb_sync() - send the gathered UNMAPs and wait for them
 * @dom: paging domain
 * @gather: what unmap_pages() recorded (may be NULL); not reset here
 *
 * Waits for every request in the queue, so also for other threads' UNMAPs.
 * Context: takes req_lock.
 * Return: 0; -EINVAL bad domain; -ETIMEDOUT; the errno of an UNMAP of this
 * domain that failed since the last sync.
 */
int viommu_drv_iotlb_sync(void *dom, struct iommu_iotlb_gather *gather)
{
	struct viommu_domain *d = dom;

	(void)gather;
	if (!d || d->kind != VIOMMU_DOM_PAGING)
		return -EINVAL;
	return viommu_domain_sync(d);
}

/* Same as iotlb_sync for the whole domain: UNMAP is the invalidation. */
int viommu_drv_flush_iotlb_all(void *dom)
{
	struct viommu_domain *d = dom;

	if (!d || d->kind != VIOMMU_DOM_PAGING)
		return -EINVAL;
	return viommu_domain_sync(d);
}

/**
 * viommu_drv_iova_to_phys() - look @iova up in the driver's table
 * Context: takes dom->lock.
 * Return: 0 and *@phys; -ENOENT not mapped; -EINVAL bad arguments.
 */
int viommu_drv_iova_to_phys(void *dom, uint64_t iova, uint64_t *phys)
{
	struct viommu_domain *d = dom;
	const struct rangemap_entry *e;
	int err = -ENOENT;

	if (!d || !phys || d->kind != VIOMMU_DOM_PAGING)
		return -EINVAL;
	pthread_mutex_lock(&d->lock);
	e = rangemap_find(&d->map, iova);
	if (e) {
		*phys = e->phys + (iova - e->start);
		err = 0;
	}
	pthread_mutex_unlock(&d->lock);
	return err;
}
