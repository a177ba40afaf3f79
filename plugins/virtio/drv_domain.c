// SPDX-License-Identifier: MIT
/*
 * drv_domain.c - domain IDs, domains, the identity map and attach
 * ("Static domains", "attach_dev()", "Mappings" in drv.h).
 * Locks and choices: see drv.h.
 */
#include "drv.h"

static const struct iommu_domain_ops viommu_paging_ops;

/* ---- domain IDs ---------------------------------------------------------- */

/**
 * viommu_id_alloc() - take a free domain ID from [domain_start, domain_last]
 *
 * Next fit: the lowest free ID at or after the cursor, else the lowest
 * free one before it, so a freed ID is not reused at once (a late event
 * naming the old domain is not taken for the new one).
 * Context: takes id_lock (the cursor), then the allocator's lock.
 * Return: 0 and *@id; -ENOSPC none left; -ENOMEM.
 */
static int viommu_id_alloc(struct viommu_drv *v, uint32_t *id)
{
	int err;

	pthread_mutex_lock(&v->id_lock);
	err = ilib_ids_alloc(&v->ids, v->id_cursor, v->domain_last, id);
	if (err == -ENOSPC && v->id_cursor > v->domain_start)
		err = ilib_ids_alloc(&v->ids, v->domain_start,
				     v->id_cursor - 1, id);
	if (!err)
		v->id_cursor = *id >= v->domain_last ? v->domain_start :
						       *id + 1;
	pthread_mutex_unlock(&v->id_lock);
	return err;
}

static void viommu_id_free(struct viommu_drv *v, uint32_t id)
{
	ilib_ids_free(&v->ids, id);
}

/* ---- domains ------------------------------------------------------------- */

int viommu_domain_init(struct viommu_drv *v, struct viommu_domain *d,
		       enum viommu_dom_kind kind)
{
	int err;

	memset(d, 0, sizeof(*d));
	d->v = v;
	d->kind = kind;
	rangemap_init(&d->map);
	err = viommu_id_alloc(v, &d->id);
	if (err)
		return err;
	if (pthread_mutex_init(&d->lock, NULL)) {
		viommu_id_free(v, d->id);
		return -ENOMEM;
	}
	return 0;
}

void viommu_domain_fini(struct viommu_domain *d)
{
	rangemap_clear(&d->map);
	pthread_mutex_destroy(&d->lock);
	viommu_id_free(d->v, d->id);
}

static uint32_t viommu_prot_to_flags(unsigned int prot)
{
	uint32_t f = 0;

	if (prot & IOMMU_READ)
		f |= VIRTIO_IOMMU_MAP_F_READ;
	if (prot & IOMMU_WRITE)
		f |= VIRTIO_IOMMU_MAP_F_WRITE;
	if (prot & IOMMU_MMIO)
		f |= VIRTIO_IOMMU_MAP_F_MMIO;
	return f;
}

int viommu_queue_map(struct viommu_drv *v, struct viommu_domain *d,
		     const struct rangemap_entry *e,
		     struct viommu_batch *b, uint64_t cookie)
{
	struct viommu_req r = {
		.type = VIRTIO_IOMMU_T_MAP,
		.domain = d->id,
		.start = e->start,
		.end = e->last,
		.phys = e->phys,
		.flags = viommu_prot_to_flags(e->flags),
	};

	return viommu_req_queue(v, &r, b, NULL, cookie);
}

/* Send UNMAP [start, last] and wait.  Context: req_lock held. */
int viommu_unmap_sync(struct viommu_drv *v, struct viommu_domain *d,
		      uint64_t start, uint64_t last)
{
	struct viommu_req r = {
		.type = VIRTIO_IOMMU_T_UNMAP,
		.domain = d->id,
		.start = start,
		.end = last,
	};

	return viommu_req_send(v, &r);
}

/**
 * viommu_replay() - send a MAP for every entry of @d's table
 * Context: @d->lock and req_lock held.
 * Return: 0 or the first errno.
 */
static int viommu_replay(struct viommu_drv *v, struct viommu_domain *d)
{
	struct viommu_batch b = { 0, UINT64_MAX };
	const struct rangemap_entry *e;
	int err = 0;

	for (e = rangemap_first_overlap(&d->map, 0, UINT64_MAX); e;
	     e = rangemap_next(&d->map, e)) {
		err = viommu_queue_map(v, d, e, &b, 0);
		if (err)
			break;
	}
	if (!err)
		err = viommu_req_sync(v);
	if (err) {
		viommu_batch_abandon(v, &b);
		return err;
	}
	return b.err;
}

/* ---- identity mapped 1:1 ------------------------------------------------- */

/*
 * Insert [start, last] 1:1 READ|WRITE in @d's table and, if @on_device,
 * MAP it.  A one-byte piece cannot be expressed (virt_end must exceed
 * virt_start) and is skipped.  Context: d->lock (and req_lock if
 * @on_device).
 */
static int viommu_ident_add(struct viommu_drv *v, struct viommu_domain *d,
			    uint64_t start, uint64_t last, bool on_device)
{
	const struct rangemap_entry *e;
	int err;

	if (last <= start)
		return 0;
	err = rangemap_insert(&d->map, start, last, start,
			      IOMMU_READ | IOMMU_WRITE);
	if (err || !on_device)
		return err;
	e = rangemap_find(&d->map, start);
	{
		struct viommu_batch b = { 0, UINT64_MAX };

		err = viommu_queue_map(v, d, e, &b, 0);
		if (!err)
			err = viommu_req_sync(v);
		if (err)
			viommu_batch_abandon(v, &b);
		else
			err = b.err;
	}
	if (err)
		rangemap_remove(&d->map, start);
	return err;
}

/*
 * Take [rs, rl], widened to the granule, out of the identity map.
 * Context: d->lock (and req_lock if @on_device).
 */
static int viommu_ident_carve(struct viommu_drv *v, struct viommu_domain *d,
			      uint64_t rs, uint64_t rl, bool on_device)
{
	uint64_t s = rs & ~(v->granule - 1);
	uint64_t l = rl | (v->granule - 1);
	const struct rangemap_entry *e;
	int err = 0;

	while ((e = rangemap_first_overlap(&d->map, s, l))) {
		uint64_t es = e->start, el = e->last;
		int rc;

		if (on_device) {
			rc = viommu_unmap_sync(v, d, es, el);
			if (rc)
				return rc;
		}
		rangemap_remove(&d->map, es);
		if (es < s) {
			rc = viommu_ident_add(v, d, es, s - 1, on_device);
			if (rc && !err)
				err = rc;
		}
		if (el > l) {
			rc = viommu_ident_add(v, d, l + 1, el, on_device);
			if (rc && !err)
				err = rc;
		}
	}
	return err;
}

/* Rebuild the identity table for a first endpoint.  Context: d->lock. */
static int viommu_ident_build(struct viommu_drv *v, struct viommu_domain *d,
			      const struct viommu_ep *ep)
{
	uint64_t g = v->granule;
	uint64_t first = (v->input_start + g - 1) & ~(g - 1);
	/* exclusive end, modulo 2^64 */
	uint64_t endx = (v->input_last + 1) & ~(g - 1);
	int err;

	rangemap_clear(&d->map);
	if (first < v->input_start) /* rounding up wrapped */
		return 0;
	if (endx == 0 && v->input_last != UINT64_MAX)
		return 0;
	if (endx != 0 && endx <= first)
		return 0;
	err = viommu_ident_add(v, d, first, endx - 1, false);
	if (err)
		return err;
	for (size_t i = 0; i < ep->nr_resv; i++) {
		err = viommu_ident_carve(v, d, ep->resv[i].start,
					 ep->resv[i].last, false);
		if (err)
			return err;
	}
	return 0;
}

/* ---- attach -------------------------------------------------------------- */

static int viommu_attach_req(struct viommu_drv *v, struct viommu_domain *d,
			     uint32_t ep_id)
{
	struct viommu_req r = {
		.type = VIRTIO_IOMMU_T_ATTACH,
		.domain = d->id,
		.endpoint = ep_id,
		.flags = d->kind == VIOMMU_DOM_BYPASS ?
				 VIRTIO_IOMMU_ATTACH_F_BYPASS : 0,
	};

	return viommu_req_send(v, &r);
}

/*
 * ATTACH @ep to @d and, if @replay, MAP @d's table.  Return: 0; 1 if
 * ATTACH succeeded but the replay failed (*@err set); else -errno.
 * Context: d->lock and req_lock.
 */
static int viommu_ep_attach(struct viommu_drv *v, struct viommu_domain *d,
			    uint32_t ep_id, bool replay, int *err)
{
	int rc = viommu_attach_req(v, d, ep_id);

	if (rc)
		return rc;
	if (replay && rangemap_count(&d->map)) {
		*err = viommu_replay(v, d);
		if (*err)
			return 1;
	}
	return 0;
}

static void lock_two(struct viommu_domain *a, struct viommu_domain *b)
{
	if (!b || a == b) {
		pthread_mutex_lock(&a->lock);
		return;
	}
	if ((uintptr_t)a < (uintptr_t)b) {
		pthread_mutex_lock(&a->lock);
		pthread_mutex_lock(&b->lock);
	} else {
		pthread_mutex_lock(&b->lock);
		pthread_mutex_lock(&a->lock);
	}
}

static void unlock_two(struct viommu_domain *a, struct viommu_domain *b)
{
	pthread_mutex_unlock(&a->lock);
	if (b && b != a)
		pthread_mutex_unlock(&b->lock);
}

/**
 * viommu_drv_attach_dev() - move an endpoint to this domain
 * @dom: domain
 * @dev: device (probed by this instance)
 *
 * Sends ATTACH; the first endpoint of a domain gets the domain's table
 * replayed.  On failure the endpoint stays on its old domain.
 * Context: takes the domain locks, then req_lock; then dev_lock.
 * Return: 0; -EINVAL bad arguments or another instance's device; the
 * device's status as errno (-EINVAL, -ENOENT, -ENOSYS, -ENOMEM, ...);
 * -ETIMEDOUT; -ENOMEM.
 */
static int viommu_drv_attach_dev(void *dom, struct iommu_dev_info *dev)
{
	struct viommu_domain *d = dom, *old;
	struct viommu_drv *v;
	struct viommu_ep *ep;
	int err = 0, rc, rerr = 0;

	if (!d || !dev || !dev->priv)
		return -EINVAL;
	v = d->v;
	ep = dev->priv;
	if (ep->v != v || ep->id != dev->id)
		return -EINVAL;

	pthread_mutex_lock(&v->dev_lock);
	old = ep->domain;
	pthread_mutex_unlock(&v->dev_lock);
	if (old == d)
		return 0;

	lock_two(d, old);
	if (d->kind == VIOMMU_DOM_IDENT_MAP) {
		if (!d->nr_endpoints) {
			err = viommu_ident_build(v, d, ep);
		} else {
			viommu_req_lock(v);
			for (size_t i = 0; i < ep->nr_resv && !err; i++)
				err = viommu_ident_carve(v, d,
							 ep->resv[i].start,
							 ep->resv[i].last,
							 true);
			viommu_req_unlock(v);
		}
		if (err) {
			unlock_two(d, old);
			return err;
		}
	}

	viommu_req_lock(v);
	rc = viommu_ep_attach(v, d, ep->id, d->nr_endpoints == 0, &rerr);
	if (rc == 1) {
		/* Attached, but the domain is incomplete: go back. */
		int back = 0, berr = 0;

		err = rerr;
		if (old) {
			back = viommu_ep_attach(v, old, ep->id,
						old->nr_endpoints == 1, &berr);
		} else {
			struct viommu_req r = {
				.type = VIRTIO_IOMMU_T_DETACH,
				.domain = d->id,
				.endpoint = ep->id,
			};

			back = viommu_req_send(v, &r);
		}
		if (back)
			vlog(v, IOMMU_LOG_ERR,
			     "endpoint 0x%x: cannot return to its domain (%d)",
			     ep->id, back == 1 ? berr : back);
	} else if (rc) {
		err = rc;
	}
	viommu_req_unlock(v);

	if (!err) {
		d->nr_endpoints++;
		if (old && old->nr_endpoints)
			old->nr_endpoints--;
	}
	unlock_two(d, old);

	if (!err) {
		pthread_mutex_lock(&v->dev_lock);
		ep->domain = d;
		pthread_mutex_unlock(&v->dev_lock);
	}
	return err;
}

/**
 * viommu_drv_domain_free() - free a paging domain
 * The core frees only domains without endpoints; the queue is drained
 * first so that no request in flight still names this domain.
 * Context: takes req_lock.
 */
static void viommu_drv_domain_free(void *dom)
{
	struct viommu_domain *d = dom;
	struct viommu_drv *v;

	if (!d || d->kind != VIOMMU_DOM_PAGING)
		return;
	v = d->v;
	if (d->nr_endpoints)
		vlog(v, IOMMU_LOG_WARN, "domain %u freed with %u endpoints",
		     d->id, d->nr_endpoints);
	viommu_req_lock(v);
	if (viommu_req_sync(v)) {
		/* Requests still in flight must not point at freed memory. */
		for (uint32_t i = 0; i < v->nslots; i++)
			if (v->slots[i].dom == d)
				v->slots[i].dom = NULL;
	}
	viommu_req_unlock(v);
	viommu_domain_fini(d);
	free(d);
}

/**
 * viommu_drv_domain_alloc_paging() - a new paging domain
 * @inst: instance
 * @dev: unused (one IOMMU: every endpoint gets the same geometry)
 * @flags: IOMMU_ALLOC_*; virtio-iommu has no PASIDs, nesting or dirty
 *         tracking: any flag is -EOPNOTSUPP
 * @info: receives ops, page sizes (page_size_mask) and the aperture
 * @dom: receives the domain
 *
 * Context: takes id_lock.
 * Return: 0; -EINVAL bad arguments; -EOPNOTSUPP a flag; -ENOSPC no domain
 * ID left; -ENOMEM.
 */
int viommu_drv_domain_alloc_paging(void *inst, struct iommu_dev_info *dev,
				   unsigned int flags,
				   struct iommu_domain_info *info, void **dom)
{
	struct viommu_drv *v = inst;
	struct viommu_domain *d;
	int err;

	(void)dev;
	if (!v || !info || !dom)
		return -EINVAL;
	if (flags)
		return -EOPNOTSUPP;
	memset(info, 0, sizeof(*info));
	info->aperture_start = v->input_start;
	info->aperture_last = v->input_last;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	err = viommu_domain_init(v, d, VIOMMU_DOM_PAGING);
	if (err) {
		free(d);
		return err;
	}
	info->ops = &viommu_paging_ops;
	info->pgsize_bitmap = v->page_size_mask;
	*dom = d;
	return 0;
}

/* ---- ops tables ---------------------------------------------------------- */

static const struct iommu_domain_ops viommu_paging_ops = {
	.size = IOMMU_TABLE_SIZE(iommu_domain_ops),
	.attach_dev = viommu_drv_attach_dev,
	.map_pages = viommu_drv_map_pages,
	.unmap_pages = viommu_drv_unmap_pages,
	.iotlb_sync = viommu_drv_iotlb_sync,
	.flush_iotlb_all = viommu_drv_flush_iotlb_all,
	.iova_to_phys = viommu_drv_iova_to_phys,
	.free = viommu_drv_domain_free,
	.walk = viommu_drv_walk,
};

/* Static domains: their ops get the instance; the core never maps,
 * unmaps or frees them. */
static int viommu_blocked_attach_dev(void *inst, struct iommu_dev_info *info)
{
	struct viommu_drv *v = inst;

	return v ? viommu_drv_attach_dev(&v->blocked, info) : -EINVAL;
}

static int viommu_identity_attach_dev(void *inst, struct iommu_dev_info *info)
{
	struct viommu_drv *v = inst;

	return v ? viommu_drv_attach_dev(&v->identity, info) : -EINVAL;
}

const struct iommu_domain_ops viommu_blocked_ops = {
	.size = IOMMU_TABLE_SIZE(iommu_domain_ops),
	.attach_dev = viommu_blocked_attach_dev,
};

const struct iommu_domain_ops viommu_identity_ops = {
	.size = IOMMU_TABLE_SIZE(iommu_domain_ops),
	.attach_dev = viommu_identity_attach_dev,
};
