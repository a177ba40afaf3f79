// SPDX-License-Identifier: MIT
/*
 * drv_map.c - map_pages, unmap_pages and the syncs ("Mappings",
 * "map_pages() error path" and "unmap_pages()" in drv.h).
 * Locks and choices: see drv.h.
 */
#include "drv.h"

/*
 * A table entry of a paging domain is one device mapping: the range of
 * one map_pages() call (or a piece of one that an unmap left).  Its
 * flags hold the prot bits and, from bit VIOMMU_ENT_LG2_SHIFT, log2 of
 * the page size it was mapped with: the unit an unmap may take out of it.
 */
#define VIOMMU_ENT_LG2_SHIFT 8u
#define VIOMMU_ENT_LG2_MASK  63u

static uint32_t ent_flags(unsigned int prot, uint64_t pgsize)
{
	return prot | (uint32_t)__builtin_ctzll(pgsize) << VIOMMU_ENT_LG2_SHIFT;
}

static uint64_t ent_pgsize(const struct rangemap_entry *e)
{
	return 1ull << ((e->flags >> VIOMMU_ENT_LG2_SHIFT) &
			VIOMMU_ENT_LG2_MASK);
}

/*
 * The queue broke while a MAP of [@start, @last] was in flight: the
 * device may still carry it out.  An UNMAP queued behind it undoes it
 * then (the device serves the queue in order); its own failure reaches
 * the next sync.  Context: req_lock held.
 */
static void viommu_map_undo(struct viommu_drv *v, struct viommu_domain *d,
			    struct viommu_batch *b, uint64_t start,
			    uint64_t last)
{
	struct viommu_req r = {
	    .type = VIRTIO_IOMMU_T_UNMAP,
	    .domain = d->id,
	    .start = start,
	    .end = last,
	};

	viommu_batch_abandon(v, b);
	if (viommu_req_queue(v, &r, NULL, d, 0))
		vlog(v, IOMMU_LOG_ERR, "domain %u: cannot undo a failed map",
		     d->id);
}

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
 * The range becomes one table entry and, while the domain has endpoints,
 * one MAP request, sent and waited for.  A MAP is all or nothing, so
 * *@mapped is either 0 or the whole range.
 * Context: takes dom->lock, then req_lock.  Safe against concurrent
 * map/unmap/iova_to_phys on disjoint ranges.
 * Return: 0; -EINVAL bad arguments or prot; -ERANGE outside the aperture;
 * -EEXIST a page overlaps a mapping (nothing done); -ENOMEM; the device's
 * status as errno; -ETIMEDOUT, -EIO (queue broken).
 */
int viommu_drv_map_pages(void *dom, uint64_t iova, uint64_t paddr,
			 uint64_t pgsize, uint64_t pgcount, unsigned int prot,
			 uint64_t *mapped)
{
	struct viommu_domain *d = dom;
	struct viommu_batch b = {0, UINT64_MAX};
	struct rangemap_entry e; /* what was inserted, for the MAP */
	struct viommu_drv *v;
	uint64_t last;
	int err;

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

	e.start = iova;
	e.last = last;
	e.phys = paddr;
	e.flags = ent_flags(prot, pgsize);
	pthread_mutex_lock(&d->lock);
	/* -EEXIST on any overlap, before anything is sent. */
	err = rangemap_insert(&d->map, e.start, e.last, e.phys, e.flags);
	if (err)
		goto out_unlock;
	if (!d->nr_endpoints)
		goto out_mapped;

	viommu_req_lock(v);
	err = viommu_queue_map(v, d, &e, &b, 0);
	if (!err) {
		err = viommu_req_sync(v);
		if (err)
			viommu_map_undo(v, d, &b, iova, last);
		else
			err = b.err;
	}
	viommu_req_unlock(v);
	if (err) {
		rangemap_remove(&d->map, iova);
		goto out_unlock;
	}
out_mapped:
	*mapped = pgcount * pgsize;
out_unlock:
	pthread_mutex_unlock(&d->lock);
	return err;
}

/*
 * What one unmap_pages() call takes out of a domain's table: the bytes
 * [start, last] it removes, and the whole entries [lo, hi] they lie in,
 * which the UNMAP request must cover (the device never splits a mapping).
 * @first and @tail are the entries holding @lo and @hi.
 */
struct viommu_cut {
	uint64_t start, last;
	uint64_t lo, hi;
	uint64_t biggest; /* largest page size removed */
	struct rangemap_entry *first, *tail;
};

/* Whole pages of @pg in [@cur, @stop], without overflow (stop >= cur). */
static uint64_t whole_pages(uint64_t cur, uint64_t stop, uint64_t pg)
{
	uint64_t span = stop - cur; /* bytes - 1 */

	return span / pg + ((span & (pg - 1)) == pg - 1);
}

/**
 * viommu_plan_cut() - the prefix of [@iova, @end] an unmap removes
 * @d: domain, its lock held
 * @iova, @end: the range asked for (inclusive)
 * @c: receives the plan
 *
 * From @iova on, whole pages of each entry's own page size, up to a hole,
 * to @end, or to a page that @end would cut.  @iova must be at a page
 * boundary of the entry that holds it.
 * Return: true if at least one page is removed.
 */
static bool viommu_plan_cut(struct viommu_domain *d, uint64_t iova,
			    uint64_t end, struct viommu_cut *c)
{
	const struct rangemap_entry *e = rangemap_find(&d->map, iova);
	uint64_t cur = iova;
	bool any = false;

	if (!e || ((iova - e->start) & (ent_pgsize(e) - 1)))
		return false;
	c->start = iova;
	c->lo = e->start;
	c->biggest = 0;
	/*
	 * The table is the driver's own, so its entries may change in place
	 * as long as the key (start) does not: the rangemap keeps nothing
	 * derived from last, and a shrunk entry overlaps nothing.
	 */
	c->first = (struct rangemap_entry *)e;
	for (;;) {
		uint64_t pg = ent_pgsize(e);
		uint64_t stop = e->last < end ? e->last : end;
		uint64_t n = whole_pages(cur, stop, pg);

		if (!n)
			break;
		any = true;
		c->last = cur + (n * pg - 1);
		c->hi = e->last;
		c->tail = (struct rangemap_entry *)e;
		if (pg > c->biggest)
			c->biggest = pg;
		if (c->last != e->last || c->last == end ||
		    c->last == UINT64_MAX)
			break;
		cur = c->last + 1;
		e = rangemap_find(&d->map, cur);
		if (!e) /* a hole; an entry found here starts at cur */
			break;
	}
	return any;
}

/* Take [c->start, c->last] out of the table; the pieces of c->first
 * before it and of c->tail after it (split off already) stay. */
static void viommu_cut_table(struct viommu_domain *d,
			     const struct viommu_cut *c)
{
	const struct rangemap_entry *e = c->first, *next;

	if (c->lo < c->start) {
		c->first->last = c->start - 1; /* shrink: the key stays */
		e = rangemap_next(&d->map, e);
	}
	/* From the first entry inside on, each starts where the last
	 * ended (no hole: the plan stops at one) up to c->last, which
	 * ends an entry (c->tail, split already). */
	while (e && e->start <= c->last) {
		next = e->last < c->last ? rangemap_next(&d->map, e) : NULL;
		rangemap_remove(&d->map, e->start); /* relinks: next stays */
		e = next;
	}
}

/* Split c->tail at c->last + 1 in the table.  Return: 0, -ENOMEM. */
static int viommu_split_tail(struct viommu_domain *d,
			     const struct viommu_cut *c)
{
	struct rangemap_entry *t = c->tail;
	int err;

	t->last = c->last;
	err = rangemap_insert(&d->map, c->last + 1, c->hi,
			      t->phys + (c->last + 1 - t->start), t->flags);
	if (err)
		t->last = c->hi;
	return err;
}

/* Undo viommu_split_tail(). */
static void viommu_join_tail(struct viommu_domain *d,
			     const struct viommu_cut *c)
{
	rangemap_remove(&d->map, c->last + 1);
	c->tail->last = c->hi;
}

/*
 * Queue MAP [@start, @last] for the piece of @e there, into @b.
 * Context: req_lock held.
 */
static int viommu_queue_piece(struct viommu_drv *v, struct viommu_domain *d,
			      const struct rangemap_entry *e, uint64_t start,
			      uint64_t last, struct viommu_batch *b)
{
	struct rangemap_entry p = {
	    .start = start,
	    .last = last,
	    .phys = e->phys + (start - e->start),
	    .flags = e->flags,
	};

	return viommu_queue_map(v, d, &p, b, 0);
}

/* Log a piece of a split mapping the device lost. */
static void viommu_lost_piece(struct viommu_drv *v, struct viommu_domain *d,
			      uint64_t start, uint64_t last, int err)
{
	vlog(v, IOMMU_LOG_ERR,
	     "domain %u: [%#llx, %#llx] lost splitting a mapping (%d)", d->id,
	     (unsigned long long)start, (unsigned long long)last, err);
	if (!d->async_err)
		d->async_err = err;
}

/**
 * viommu_cut_device() - UNMAP whole entries and MAP back what stays
 * @v, @d: instance and domain (d->lock and req_lock held)
 * @c: the plan; c->tail already split in the table
 * @lost_head, @lost_tail: set if the MAP of that piece failed
 *
 * The device cannot split a mapping, so the entries [lo, hi] go in one
 * UNMAP and the pieces that stay, [lo, start) and (last, hi], come back
 * with one MAP each.  Until they do, a DMA to them faults; the requests
 * are sent and waited for here, so that window closes before this
 * returns, also in deferred mode.  A piece whose MAP failed is gone from
 * the device: the caller takes it out of the table, and its error is
 * kept for the next sync.
 * Return: 0 (the UNMAP succeeded, or the queue broke after it was
 * published: the error is kept, the device's state is unknown), or the
 * errno of the UNMAP (the device removed nothing) or of queueing it.
 */
static int viommu_cut_device(struct viommu_drv *v, struct viommu_domain *d,
			     const struct viommu_cut *c, bool *lost_head,
			     bool *lost_tail)
{
	struct viommu_batch bu = {0, UINT64_MAX}, bh = {0, UINT64_MAX};
	struct viommu_batch bt = {0, UINT64_MAX};
	struct viommu_req r = {
	    .type = VIRTIO_IOMMU_T_UNMAP,
	    .domain = d->id,
	    .start = c->lo,
	    .end = c->hi,
	};
	bool head = c->lo < c->start;
	bool tail = c->hi > c->last;
	int err;

	*lost_head = *lost_tail = false;
	err = viommu_req_queue(v, &r, &bu, NULL, 0);
	if (err)
		return err; /* nothing published */
	if (head)
		err = viommu_queue_piece(v, d, c->first, c->lo, c->start - 1,
					 &bh);
	if (!err && tail)
		err =
		    viommu_queue_piece(v, d, c->tail, c->last + 1, c->hi, &bt);
	if (!err)
		err = viommu_req_sync(v);
	if (err) {
		viommu_batch_abandon(v, &bu);
		viommu_batch_abandon(v, &bh);
		viommu_batch_abandon(v, &bt);
		vlog(v, IOMMU_LOG_ERR,
		     "domain %u: queue broken while splitting a mapping (%d)",
		     d->id, err);
		if (!d->async_err)
			d->async_err = err;
		return 0;
	}
	if (bu.err)
		return bu.err;
	if (bh.err) {
		viommu_lost_piece(v, d, c->lo, c->start - 1, bh.err);
		*lost_head = true;
	}
	if (bt.err) {
		viommu_lost_piece(v, d, c->last + 1, c->hi, bt.err);
		*lost_tail = true;
	}
	return 0;
}

static void gather_add(struct iommu_iotlb_gather *gather,
		       const struct viommu_cut *c)
{
	if (!gather)
		return;
	if (gather->start > gather->end) {
		gather->start = c->start;
		gather->end = c->last;
	} else {
		if (c->start < gather->start)
			gather->start = c->start;
		if (c->last > gather->end)
			gather->end = c->last;
	}
	if (c->biggest > gather->pgsize)
		gather->pgsize = c->biggest;
}

/**
 * viommu_drv_unmap_pages() - remove whole pages from @iova on
 * @dom: paging domain
 * @iova: first address; must be at a page boundary of its entry
 * @pgsize, @pgcount: the range is [iova, iova + pgsize * pgcount)
 * @gather: widened over what was removed; pending counts queued UNMAPs
 *
 * Removes whole pages (of the size each was mapped with) and stops at a
 * hole or at a page the range would cut.  While the domain has endpoints:
 * when the removed range is made of whole entries, one UNMAP for it is
 * published without a notify and iotlb_sync() sends and waits for it;
 * when it cuts an entry, see viommu_cut_device().
 * Context: takes dom->lock, then req_lock.
 * Return: bytes removed (0 on bad arguments, or if the device could not
 * be told, in which case nothing is removed).
 */
uint64_t viommu_drv_unmap_pages(void *dom, uint64_t iova, uint64_t pgsize,
				uint64_t pgcount,
				struct iommu_iotlb_gather *gather)
{
	struct viommu_domain *d = dom;
	struct viommu_cut c = {0};
	struct viommu_drv *v;
	bool split, lost_head = false, lost_tail = false;
	uint64_t end;
	int err = 0;

	if (!d || d->kind != VIOMMU_DOM_PAGING || !pgsize || !pgcount)
		return 0;
	v = d->v;
	if (pgcount > UINT64_MAX / pgsize ||
	    pgcount * pgsize - 1 > UINT64_MAX - iova)
		end = UINT64_MAX;
	else
		end = iova + (pgcount * pgsize - 1);

	pthread_mutex_lock(&d->lock);
	if (!viommu_plan_cut(d, iova, end, &c))
		goto out_none;
	split = c.lo < c.start || c.hi > c.last;
	if (c.hi > c.last && viommu_split_tail(d, &c)) {
		vlog(v, IOMMU_LOG_ERR, "domain %u: no memory for a split",
		     d->id);
		goto out_none;
	}
	if (d->nr_endpoints) {
		viommu_req_lock(v);
		if (split) {
			err =
			    viommu_cut_device(v, d, &c, &lost_head, &lost_tail);
		} else {
			struct viommu_req r = {
			    .type = VIRTIO_IOMMU_T_UNMAP,
			    .domain = d->id,
			    .start = c.start,
			    .end = c.last,
			};

			err = viommu_req_queue(v, &r, NULL, d, 0);
			if (!err && gather)
				gather->pending++;
		}
		viommu_req_unlock(v);
		if (err) {
			vlog(v, IOMMU_LOG_ERR,
			     "domain %u: cannot UNMAP [%#llx, %#llx] (%d)",
			     d->id, (unsigned long long)c.lo,
			     (unsigned long long)c.hi, err);
			if (c.hi > c.last)
				viommu_join_tail(d, &c);
			goto out_none;
		}
	}
	viommu_cut_table(d, &c);
	if (lost_head) /* the table follows the device */
		rangemap_remove(&d->map, c.lo);
	if (lost_tail)
		rangemap_remove(&d->map, c.last + 1);
	pthread_mutex_unlock(&d->lock);
	gather_add(gather, &c);
	return c.last - c.start + 1;

out_none:
	pthread_mutex_unlock(&d->lock);
	return 0;
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

/**
 * viommu_drv_walk() - show the driver's mappings as leaves (ABI 2.2)
 * virtio-iommu has no page table: each mapping the driver asked for is
 * shown as its units (the page size it was mapped with, what an unmap
 * takes out of it), at level 0, in address order; no tables.
 * Context: takes dom->lock; @v's calls run under it.
 * Return: 0; -EINVAL bad arguments; what a visitor call returned.
 */
int viommu_drv_walk(void *dom, const struct iommu_walk_visitor *v,
		    void *cookie)
{
	struct viommu_domain *d = dom;
	const struct rangemap_entry *e;
	int err = 0;

	if (!d || !v || d->kind != VIOMMU_DOM_PAGING)
		return -EINVAL;
	if (!v->leaf)
		return 0;
	pthread_mutex_lock(&d->lock);
	e = rangemap_first_overlap(&d->map, 0, UINT64_MAX);
	for (; e && !err; e = rangemap_next(&d->map, e)) {
		const uint64_t unit = ent_pgsize(e);
		uint64_t off = 0;

		do {
			struct iommu_walk_leaf l = {
				.iova = e->start + off,
				.size = unit,
				.pa = e->phys + off,
				.prot = e->flags & (IOMMU_READ | IOMMU_WRITE),
			};

			if (unit - 1 > e->last - l.iova)
				l.size = e->last - l.iova + 1;
			err = v->leaf(cookie, &l);
			off += l.size;
		} while (!err && e->start + off - 1 < e->last);
	}
	pthread_mutex_unlock(&d->lock);
	return err;
}
