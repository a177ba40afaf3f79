// SPDX-License-Identifier: MIT
/*
 * hw_req.c - endpoint and domain state and the requests ATTACH,
 * DETACH, MAP, UNMAP, PROBE ("State" and the request decisions in hw.h).
 * Locking and decisions: see hw.h.
 */
#include "hw.h"

/*
 * The endpoint and domain maps are keyed by ID; only an entry's payload
 * (phys = domain pointer) changes after insertion, never its key, so
 * writing it in place keeps the map ordered.  Entries are heap objects
 * owned by the map.  Every change here is a writer's ("The state's
 * readers" in hw.h): state_lock held, state_seq odd, and what translate()
 * reads stored atomically.
 */
struct rangemap_entry *viommu_hw_ep_find(struct viommu_hw *hw, uint32_t id)
{
	return (struct rangemap_entry *)rangemap_find(&hw->endpoints, id);
}

static struct hw_domain *hw_domain_find(struct viommu_hw *hw, uint32_t id)
{
	const struct rangemap_entry *e = rangemap_find(&hw->domains, id);

	return e ? (struct hw_domain *)(uintptr_t)e->phys : NULL;
}

/*
 * A domain, empty, for @id: from dom_pool when it has one (a freed domain
 * is never given back to the allocator while the model lives: a
 * translate() may still read it), else a new one.
 */
static struct hw_domain *hw_domain_get(struct viommu_hw *hw, uint32_t id,
				       bool bypass)
{
	struct hw_domain *dom = hw->dom_pool;

	if (dom) {
		hw->dom_pool = dom->next_free;
	} else {
		dom = calloc(1, sizeof(*dom));
		if (!dom)
			return NULL;
	}
	dom->id = id;
	__atomic_store_n(&dom->bypass, bypass, __ATOMIC_RELEASE);
	dom->nr_eps = 0;
	dom->next_free = NULL;
	rangemap_init_pooled(&dom->maps, &hw->node_pool);
	return dom;
}

static void hw_domain_free(struct viommu_hw *hw, struct hw_domain *dom)
{
	hw->nr_mappings -= rangemap_count(&dom->maps);
	rangemap_clear(&dom->maps);
	rangemap_remove(&hw->domains, dom->id);
	dom->next_free = hw->dom_pool;
	hw->dom_pool = dom;
}

/* Free dom_pool.  Context: destroy(), no reader left. */
void viommu_hw_dom_pool_free(struct viommu_hw *hw)
{
	struct hw_domain *dom;

	while ((dom = hw->dom_pool)) {
		hw->dom_pool = dom->next_free;
		free(dom);
	}
}

/* Detach endpoint @ep; its domain dies with its last endpoint. */
void viommu_hw_ep_detach(struct viommu_hw *hw, struct rangemap_entry *ep)
{
	struct hw_domain *dom = hw_ep_domain(ep);

	if (!dom)
		return;
	hw_ep_set_domain(hw, ep, NULL);
	if (--dom->nr_eps == 0)
		hw_domain_free(hw, dom);
}

/* Drop every domain and attachment.  Context: a writer (hw.h). */
void viommu_hw_state_reset(struct viommu_hw *hw)
{
	const struct rangemap_entry *e;

	for (e = rangemap_first_overlap(&hw->endpoints, 0, UINT64_MAX); e;
	     e = rangemap_next(&hw->endpoints, e))
		hw_ep_set_domain(hw, (struct rangemap_entry *)e, NULL);
	while ((e = rangemap_first_overlap(&hw->domains, 0, UINT64_MAX)))
		hw_domain_free(hw, (struct hw_domain *)(uintptr_t)e->phys);
	hw->nr_mappings = 0;
}

/* ---- Requests (spec 2, 3) --------------------------------------------- */

/* ATTACH (spec 2.3, 3.2).  Context: a writer of the state (hw.h). */
static uint8_t hw_req_attach(struct viommu_hw *hw, const struct hw_qsnap *s,
			     const struct hw_chain *c)
{
	uint32_t dom_id, ep_id, flags, allowed = 0;
	struct rangemap_entry *ep;
	struct hw_domain *dom, *old;
	uint8_t st = VIRTIO_IOMMU_S_OK;
	bool bypass;

	if (c->rd_len < VIOMMU_ATTACH_RD_SIZE)
		return VIRTIO_IOMMU_S_INVAL;
	dom_id = vio_le32(c->rd + VIOMMU_ATTACH_DOMAIN);
	ep_id = vio_le32(c->rd + VIOMMU_ATTACH_EP);
	flags = vio_le32(c->rd + VIOMMU_ATTACH_FLAGS);
	if (vio_le32(c->rd + VIOMMU_ATTACH_RSVD))
		return VIRTIO_IOMMU_S_INVAL;
	if (s->feat & BIT64(VIRTIO_IOMMU_F_BYPASS_CONFIG))
		allowed |= VIRTIO_IOMMU_ATTACH_F_BYPASS;
	if (flags & ~allowed)
		return VIRTIO_IOMMU_S_INVAL;
	bypass = flags & VIRTIO_IOMMU_ATTACH_F_BYPASS;

	hw_state_write_begin(hw);
	ep = viommu_hw_ep_find(hw, ep_id);
	if (!ep) {
		st = VIRTIO_IOMMU_S_NOENT;
		goto out;
	}
	if (hw_offers(hw, VIRTIO_IOMMU_F_DOMAIN_RANGE) &&
	    (dom_id < hw->domain_start || dom_id > hw->domain_end)) {
		st = VIRTIO_IOMMU_S_RANGE;
		goto out;
	}
	old = hw_ep_domain(ep);
	dom = hw_domain_find(hw, dom_id);
	if (dom) {
		/* The kind of a domain is fixed at creation. */
		if (dom->bypass != bypass)
			st = VIRTIO_IOMMU_S_INVAL;
		if (dom == old || st)
			goto out;
	} else {
		uint64_t nr = rangemap_count(&hw->domains);

		/* The implicit detach may free the old domain first. */
		if (old && old->nr_eps == 1)
			nr--;
		if (nr >= hw->max_domains) {
			st = VIRTIO_IOMMU_S_NOMEM;
			goto out;
		}
		dom = hw_domain_get(hw, dom_id, bypass);
		if (!dom) {
			st = VIRTIO_IOMMU_S_NOMEM;
			goto out;
		}
		if (rangemap_insert(&hw->domains, dom_id, dom_id,
				    (uintptr_t)dom, 0)) {
			dom->next_free = hw->dom_pool;
			hw->dom_pool = dom;
			st = VIRTIO_IOMMU_S_NOMEM;
			goto out;
		}
	}
	viommu_hw_ep_detach(hw, ep);
	hw_ep_set_domain(hw, ep, dom);
	dom->nr_eps++;
out:
	hw_state_write_end(hw);
	return st;
}

/* DETACH (spec 2.3, 3.2).  Context: a writer of the state (hw.h). */
static uint8_t hw_req_detach(struct viommu_hw *hw, const struct hw_chain *c)
{
	struct rangemap_entry *ep;
	struct hw_domain *dom;
	uint8_t st = VIRTIO_IOMMU_S_OK;

	ilib_stat(hw->host, IOMMU_STAT_INVAL_CMDS, 1);
	if (c->rd_len < VIOMMU_DETACH_RD_SIZE)
		return VIRTIO_IOMMU_S_INVAL;
	hw_state_write_begin(hw);
	ep = viommu_hw_ep_find(hw, vio_le32(c->rd + VIOMMU_ATTACH_EP));
	if (!ep) {
		st = VIRTIO_IOMMU_S_NOENT;
		goto out;
	}
	dom = hw_ep_domain(ep);
	if (!dom || dom->id != vio_le32(c->rd + VIOMMU_ATTACH_DOMAIN)) {
		st = VIRTIO_IOMMU_S_INVAL;
		goto out;
	}
	viommu_hw_ep_detach(hw, ep);
out:
	hw_state_write_end(hw);
	return st;
}

static bool hw_hits_msi(const struct viommu_hw *hw, uint64_t start,
			uint64_t last)
{
	return hw->has_msi && start <= hw->msi_last && last >= hw->msi_base;
}

/* Insert a checked MAP into @dom: its status.  Context: a writer. */
static uint8_t hw_map_insert(struct viommu_hw *hw, struct hw_domain *dom,
			     uint64_t vstart, uint64_t vend, uint64_t pstart,
			     uint32_t flags)
{
	switch (rangemap_insert(&dom->maps, vstart, vend, pstart, flags)) {
	case 0:
		hw->nr_mappings++;
		return VIRTIO_IOMMU_S_OK;
	case -EEXIST:
		return VIRTIO_IOMMU_S_INVAL;
	default:
		return VIRTIO_IOMMU_S_NOMEM;
	}
}

/* MAP (spec 2.3, 3.2).  Context: a writer of the state (hw.h). */
static uint8_t hw_req_map(struct viommu_hw *hw, const struct hw_qsnap *s,
			  const struct hw_chain *c)
{
	uint64_t vstart, vend, pstart, gmask;
	uint32_t flags, allowed;
	struct hw_domain *dom;
	uint8_t st = VIRTIO_IOMMU_S_OK;

	if (c->rd_len < VIOMMU_MAP_RD_SIZE)
		return VIRTIO_IOMMU_S_INVAL;
	vstart = vio_le64(c->rd + VIOMMU_MAP_VSTART);
	vend = vio_le64(c->rd + VIOMMU_MAP_VEND);
	pstart = vio_le64(c->rd + VIOMMU_MAP_PSTART);
	flags = vio_le32(c->rd + VIOMMU_MAP_FLAGS);
	allowed = VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE;
	if (s->feat & BIT64(VIRTIO_IOMMU_F_MMIO))
		allowed |= VIRTIO_IOMMU_MAP_F_MMIO;
	gmask = (hw->page_size_mask & -hw->page_size_mask) - 1;

	hw_state_write_begin(hw);
	dom = hw_domain_find(hw, vio_le32(c->rd + VIOMMU_MAP_DOMAIN));
	if (!dom)
		st = VIRTIO_IOMMU_S_NOENT;
	else if (dom->bypass || (flags & ~allowed) || vend <= vstart)
		st = VIRTIO_IOMMU_S_INVAL;
	else if ((vstart | pstart | (vend + 1)) & gmask)
		st = VIRTIO_IOMMU_S_RANGE;
	else if (hw_offers(hw, VIRTIO_IOMMU_F_INPUT_RANGE) &&
		 (vstart < hw->input_start || vend > hw->input_end))
		st = VIRTIO_IOMMU_S_RANGE;
	else if (pstart + (vend - vstart) < pstart)
		st = VIRTIO_IOMMU_S_RANGE;
	else if (dom->nr_eps && hw_hits_msi(hw, vstart, vend))
		st = VIRTIO_IOMMU_S_INVAL; /* RESV_MEM of its endpoints */
	else if (hw->nr_mappings >= hw->max_mappings)
		/* An overlap is INVAL before the device is full. */
		st = rangemap_first_overlap(&dom->maps, vstart, vend) ?
			     VIRTIO_IOMMU_S_INVAL :
			     VIRTIO_IOMMU_S_NOMEM;
	else
		/* The insert looks for an overlap first (-EEXIST). */
		st = hw_map_insert(hw, dom, vstart, vend, pstart, flags);
	hw_state_write_end(hw);
	return st;
}

/* UNMAP (spec 2.3, 3.2).  Context: a writer of the state (hw.h). */
static uint8_t hw_req_unmap(struct viommu_hw *hw, const struct hw_chain *c)
{
	const struct rangemap_entry *e, *l;
	uint64_t vstart, vend;
	struct hw_domain *dom;
	uint8_t st = VIRTIO_IOMMU_S_OK;

	ilib_stat(hw->host, IOMMU_STAT_INVAL_CMDS, 1);
	if (c->rd_len < VIOMMU_UNMAP_RD_SIZE)
		return VIRTIO_IOMMU_S_INVAL;
	vstart = vio_le64(c->rd + VIOMMU_UNMAP_VSTART);
	vend = vio_le64(c->rd + VIOMMU_UNMAP_VEND);

	hw_state_write_begin(hw);
	dom = hw_domain_find(hw, vio_le32(c->rd + VIOMMU_UNMAP_DOMAIN));
	if (!dom) {
		st = VIRTIO_IOMMU_S_NOENT;
		goto out;
	}
	if (dom->bypass || vend < vstart) {
		st = VIRTIO_IOMMU_S_INVAL;
		goto out;
	}
	/* A mapping cut at either end: refuse before removing anything. */
	e = rangemap_first_overlap(&dom->maps, vstart, vend);
	if (e && e->start < vstart) {
		st = VIRTIO_IOMMU_S_RANGE;
		goto out;
	}
	/* The mapping holding vend: e itself when it reaches that far. */
	l = !e || e->last >= vend ? e : rangemap_find(&dom->maps, vend);
	if (l && l->last > vend) {
		st = VIRTIO_IOMMU_S_RANGE;
		goto out;
	}
	/* e and the mappings after it that start by vend: all inside. */
	while (e) {
		const struct rangemap_entry *next = NULL;

		if (e->last < vend) {
			next = rangemap_next(&dom->maps, e);
			if (next && next->start > vend)
				next = NULL;
		}
		/* Removal relinks nodes: next stays valid. */
		rangemap_remove(&dom->maps, e->start);
		hw->nr_mappings--;
		e = next;
	}
out:
	hw_state_write_end(hw);
	return st;
}

/*
 * PROBE (spec 2.3, 4): properties then the tail, probe_size + 4 bytes.
 * Return: used length; 0 if the writable part cannot hold the reply.
 * Context: q[0].lock held (scratch); takes state_lock.
 */
static uint32_t hw_req_probe(struct viommu_hw *hw, struct hw_queue *q,
			     const struct hw_chain *c)
{
	uint32_t n = hw->probe_size + VIOMMU_TAIL_SIZE;
	uint8_t *buf = q->scratch, st = VIRTIO_IOMMU_S_OK;
	bool known;

	if (c->wr_len < n)
		return 0;
	memset(buf, 0, n);
	if (c->rd_len < VIOMMU_PROBE_RD_SIZE) {
		st = VIRTIO_IOMMU_S_INVAL;
	} else {
		pthread_mutex_lock(&hw->state_lock);
		known =
		    viommu_hw_ep_find(hw, vio_le32(c->rd + VIOMMU_PROBE_EP));
		pthread_mutex_unlock(&hw->state_lock);
		if (!known) {
			st = VIRTIO_IOMMU_S_NOENT;
		} else if (hw->has_msi) {
			if (hw->probe_size < VIOMMU_RESV_MEM_SIZE) {
				st = VIRTIO_IOMMU_S_INVAL; /* no property */
			} else {
				/* spec 4: RESV_MEM, subtype MSI (V8) */
				vio_put16(buf, VIRTIO_IOMMU_PROBE_T_RESV_MEM);
				vio_put16(buf + 2,
					  VIOMMU_RESV_MEM_SIZE -
						  VIOMMU_PROP_HDR_SIZE);
				buf[4] = VIRTIO_IOMMU_RESV_MEM_T_MSI;
				vio_put64(buf + 8, hw->msi_base);
				vio_put64(buf + 16, hw->msi_last);
			}
		}
	}
	buf[hw->probe_size] = st;
	if (viommu_hw_chain_write(hw, c, buf, n))
		return 0;
	return n;
}

/*
 * viommu_hw_serve_request() - execute the request at @head
 * Return: the used length to publish (0: returned unwritten).
 * Context: q[0].lock held.
 */
uint32_t viommu_hw_serve_request(struct viommu_hw *hw, const struct hw_qsnap *s,
				 struct hw_queue *q, uint32_t head)
{
	struct hw_chain c;
	uint8_t tail[VIOMMU_TAIL_SIZE] = {0};
	int ret;

	/* The walk sets the rest (and zeroes c.rd): not zeroed twice. */
	c.ws = q->segs;
	c.ws_cap = q->seg_cap;
	c.budget = &q->walk_left;
	c.page = &q->buf_page;
	c.ws_need = (uint64_t)hw->probe_size + VIOMMU_TAIL_SIZE;
	ret = viommu_hw_walk_chain(hw, s, head, &c);
	if (ret) {
		hw_log(hw, IOMMU_LOG_DEBUG,
		       "virtio-iommu: request %u: bad chain (%d)", head, ret);
		return 0;
	}
	if (c.wr_len < VIOMMU_TAIL_SIZE)
		return 0;
	if (c.rd_bad) {
		tail[0] = VIRTIO_IOMMU_S_DEVERR;
		goto write_tail;
	}
	if (c.rd_len < 4)
		return 0; /* no head: nothing to answer to */
	/* rd_len counts every readable byte the guest offered; only the
	 * first sizeof(rd) were copied. */
	ilib_trace_raw(hw->host, IOMMU_TR_CMD_CONSUMED, "virtio request", 0, 0,
		       c.rd, c.rd_len < sizeof(c.rd) ? c.rd_len : sizeof(c.rd));

	switch (c.rd[VIOMMU_REQ_TYPE]) {
	case VIRTIO_IOMMU_T_ATTACH:
		tail[0] = hw_req_attach(hw, s, &c);
		break;
	case VIRTIO_IOMMU_T_DETACH:
		tail[0] = hw_req_detach(hw, &c);
		break;
	case VIRTIO_IOMMU_T_MAP:
		if (!(s->feat & BIT64(VIRTIO_IOMMU_F_MAP_UNMAP)))
			return 0;
		tail[0] = hw_req_map(hw, s, &c);
		break;
	case VIRTIO_IOMMU_T_UNMAP:
		if (!(s->feat & BIT64(VIRTIO_IOMMU_F_MAP_UNMAP)))
			return 0;
		tail[0] = hw_req_unmap(hw, &c);
		break;
	case VIRTIO_IOMMU_T_PROBE:
		if (!(s->feat & BIT64(VIRTIO_IOMMU_F_PROBE)))
			return 0;
		return hw_req_probe(hw, q, &c);
	default:
		return 0; /* spec 3.2: unknown type, write nothing */
	}
write_tail:
	if (viommu_hw_chain_write(hw, &c, tail, sizeof(tail)))
		return 0;
	return VIOMMU_TAIL_SIZE;
}
