/* SPDX-License-Identifier: MIT */
/*
 * pt_algo_walk.h - the model walker's loop, part of the algorithm of
 * pt_algo.h (which includes it; not to be included alone).  Written once:
 * the format's ptf_wk_* functions decode each entry in its vendor's
 * order; this loop reads the entries through the host's bounds-checked
 * memory, goes down at least one level per step, checks the access flag
 * and the permission at the leaf, and makes the A/D updates of HA/HD.
 */
/* Read the entry at @pa: 0, or -1 outside RAM. */
static int pta_wk_read(struct iommu_host *host, uint64_t pa, uint64_t *e)
{
	const uint64_t *p = host->ops->mem_ptr ? host->ops->mem_ptr(host, pa, 8)
					       : NULL;

	if (p && !(pa & 7)) {
		*e = pt_load(p);
		return 0;
	}
	if (host->ops->mem_read(host, pa, e, 8))
		return -1;
	*e = le64toh(*e);
	return 0;
}

/* Update the entry at @pa from @old to @upd(old): 0 or -1. */
static int pta_wk_update(struct iommu_host *host, uint64_t pa, uint64_t set,
			 bool dirty, uint64_t *val)
{
	uint64_t *p = host->ops->mem_ptr ? host->ops->mem_ptr(host, pa, 8)
					 : NULL;
	uint64_t e = *val, ne;

	if (p && !(pa & 7)) {
		do {
			ne = e | set;
			if (dirty)
				ne = ptf_wk_set_dirty(ne);
			if (ne == e)
				break;
		} while (!pt_cas(p, &e, ne));
		*val = ne;
		return 0;
	}
	ne = e | set;
	if (dirty)
		ne = ptf_wk_set_dirty(ne);
	*val = ne;
	ne = htole64(ne);
	return host->ops->mem_write(host, pa, &ne, 8) ? -1 : 0;
}

/*
 * The geometry of the last walk description this format accepted, for
 * the resumed walk below: the description's granule_lg2, levels, top_bits
 * and ia_bits (the only fields ptf_wk_geom() reads) as the key in bits
 * 63..32, and what ptf_wk_geom() answered for them (g, levels, top_bits,
 * ia_bits, a byte each) below.  A pure function's memo in one word: a
 * thread reads a key with its own answer or another key, never a torn
 * pair, so any thread may overwrite it at any time.  It starts with a
 * key of 255 levels, which pt_walk() refuses before a format sees it.
 */
#define PTA_WK_MEMO_NONE 0xffffffff00000000ull
static uint64_t PTA(wk_memo) = PTA_WK_MEMO_NONE;

_Static_assert(offsetof(struct pt_walk_desc, levels) ==
			       offsetof(struct pt_walk_desc, granule_lg2) + 1 &&
		       offsetof(struct pt_walk_desc, top_bits) ==
			       offsetof(struct pt_walk_desc, granule_lg2) + 2 &&
		       offsetof(struct pt_walk_desc, ia_bits) ==
			       offsetof(struct pt_walk_desc, granule_lg2) + 3,
	       "the geometry key is four consecutive bytes");

/* ptf_wk_geom(), answered from the memo when @d's key is the last one
 * accepted: 0 and @g (g, levels, top_bits, ia_bits), or -1. */
PT_ALWAYS_INLINE int PTA(wk_geom_memo)(const struct pt_walk_desc *d,
				       struct pt_geom *g)
{
	uint64_t m = __atomic_load_n(&PTA(wk_memo), __ATOMIC_RELAXED);
	uint32_t key;

	memcpy(&key,
	       (const unsigned char *)d +
		       offsetof(struct pt_walk_desc, granule_lg2),
	       sizeof(key));
	if (PT_LIKELY((uint32_t)(m >> 32) == key)) {
		g->g = (uint8_t)m;
		g->levels = (uint8_t)(m >> 8);
		g->top_bits = (uint8_t)(m >> 16);
		g->ia_bits = (uint8_t)(m >> 24);
		return 0;
	}
	if (ptf_wk_geom(d, g))
		return -1;
	m = (uint64_t)key << 32 | g->g | g->levels << 8 | g->top_bits << 16 |
	    (uint64_t)g->ia_bits << 24;
	__atomic_store_n(&PTA(wk_memo), m, __ATOMIC_RELAXED);
	return 0;
}

/*
 * The walk of a paging-structure cache hit: PT_WALK_RESUME with
 * @d->start_host, below the top level, reads one entry, at start_host.
 * This takes its common case alone: a valid description, an address in
 * range, and a leaf that passes every check and needs no access-flag or
 * dirty update; it then answers what the loop of PTA(walk_full) answers
 * for it, field by field.  Anything else (a bad description, an address
 * out of range, a table, a fault, an update to make) returns 1 and the
 * whole walk runs as it would have, reading the entry again: a walk a
 * moment later, which a concurrent change may answer differently, as it
 * may any walk.
 */
PT_ALWAYS_INLINE int PTA(walk_leaf1)(const struct pt_walk_desc *d,
				     unsigned int g, unsigned int lvl,
				     uint64_t ia, unsigned int access,
				     struct pt_walk_res *r)
{
	const uint32_t flags = d->flags;
	struct pt_geom geom;
	struct pt_wk w;
	uint64_t idx, e;

	if (PTA(wk_geom_memo)(d, &geom) || !ptf_wk_in_range(d, &geom, ia) ||
	    lvl + 1 >= geom.levels)
		return 1;
	w.g = g; /* geom.g: the caller's constant */
	idx = (ia >> (w.g + (w.g - 3) * lvl)) & ((1ull << (w.g - 3)) - 1);
	e = pt_load((const uint64_t *)d->start_host + idx);
	/* Stored as found: the whole walk rewrites them if it runs. */
	r->err = PT_WALK_OK;
	r->level = (int)lvl;
	r->entry = e;
	r->entry_pa = d->start_pa + 8 * idx;
	r->table = d->start_pa;
	r->table_perm = d->start_perm;
	w.leaf = false;
	w.perm = d->start_perm;
	w.ia = ia;
#ifdef PTF_WK_START
	ptf_wk_start(d, &w, access);
#endif
	if (ptf_wk_entry(d, &w, e, lvl, access) || !w.leaf)
		return 1;
	if (ptf_wk_no_af(e) && !(flags & (PT_WALK_HA | PT_WALK_AFFD)) &&
	    access)
		return 1;
#ifdef PTF_WK_START
	if ((w.perm & w.need) != w.need)
		return 1;
#else
	if (!(flags & PT_WALK_NO_PERM) &&
	    (w.perm & pta_need(access)) != pta_need(access))
		return 1;
#endif
	/* An update of the leaf's A or D for the whole walk to make. */
	if (access && (flags & (PT_WALK_HA | PT_WALK_HD)) &&
	    (((flags & PT_WALK_HA) && (e & ptf_wk_leaf_a(e)) != ptf_wk_leaf_a(e)) ||
	     ((flags & PT_WALK_HD) && (access & PT_ACC_W) &&
	      ptf_wk_set_dirty(e) != e)))
		return 1;
	r->oa = w.oa | (ia & ((1ull << w.lg2) - 1));
	r->size_lg2 = w.lg2;
	r->perm = w.perm;
	r->dirty = ptf_wk_dirty(e);
	return 0;
}

/* PTA(walk_leaf1) with the granule a constant (one copy per granule
 * where it varies; any other granule_lg2 is a bad description, which the
 * whole walk reports). */
PT_ALWAYS_INLINE int PTA(walk_leaf)(const struct pt_walk_desc *d,
				    unsigned int lvl, uint64_t ia,
				    unsigned int access, struct pt_walk_res *r)
{
#ifdef PTF_WK_G_VARIES
	switch (d->granule_lg2) {
	case 0:
	case 12:
		return PTA(walk_leaf1)(d, 12, lvl, ia, access, r);
	case 14:
		return PTA(walk_leaf1)(d, 14, lvl, ia, access, r);
	case 16:
		return PTA(walk_leaf1)(d, 16, lvl, ia, access, r);
	default:
		return 1;
	}
#else
	return PTA(walk_leaf1)(d, PTF_WK_G(d), lvl, ia, access, r);
#endif
}

static int PTA(walk_full)(struct iommu_host *host,
			  const struct pt_walk_desc *d, uint64_t ia,
			  unsigned int access, struct pt_walk_res *r);

/* A walk resumed above level 0: its common case, else the whole walk. */
static __attribute__((noinline)) int
PTA(walk_upper)(struct iommu_host *host, const struct pt_walk_desc *d,
		uint64_t ia, unsigned int access, struct pt_walk_res *r)
{
	if (!PTA(walk_leaf)(d, d->start_lvl, ia, access, r))
		return 0;
	return PTA(walk_full)(host, d, ia, access, r);
}

/*
 * The walk: a walk resumed at level 0 (a table of granule pages, the
 * usual resume point) has its common case here, with the level and the
 * granule constants; one resumed above goes to PTA(walk_upper); the rest
 * to PTA(walk_full).
 */
static int PTA(walk)(struct iommu_host *host, const struct pt_walk_desc *d,
		     uint64_t ia, unsigned int access, struct pt_walk_res *r)
{
	if ((d->flags & PT_WALK_RESUME) && d->start_host) {
		if (d->start_lvl)
			return PTA(walk_upper)(host, d, ia, access, r);
		if (!PTA(walk_leaf)(d, 0, ia, access, r))
			return 0;
	}
	return PTA(walk_full)(host, d, ia, access, r);
}

static __attribute__((noinline)) int
PTA(walk_full)(struct iommu_host *host, const struct pt_walk_desc *d,
	       uint64_t ia, unsigned int access, struct pt_walk_res *r)
{
	uint64_t tpas[PT_MAX_LEVELS], table, e = 0, epa = 0;
	const uint64_t *thost = NULL; /* the resumed table, in host memory */
	unsigned int ntp = 0, lvl;
	struct pt_geom geom;
	struct pt_wk w = {0};
	int err;

	memset(r, 0, sizeof(*r));
	if (ptf_wk_geom(d, &geom)) {
		r->err = PT_WALK_BAD_DESC;
		return -PT_WALK_BAD_DESC;
	}
	lvl = geom.levels - 1;
	r->level = (int)lvl;
	if (!ptf_wk_in_range(d, &geom, ia)) {
		r->err = PT_WALK_RANGE;
		return -PT_WALK_RANGE;
	}
	w.perm = d->perm ? d->perm : PT_PERM_ALL;
	w.g = geom.g;
	w.ia = ia;
#ifdef PTF_WK_START
	ptf_wk_start(d, &w, access);
#endif
	table = d->root;
	if ((d->flags & PT_WALK_RESUME) && d->start_lvl < lvl) {
		/* A paging-structure cache hit: the path above is known. */
		lvl = d->start_lvl;
		table = d->start_pa;
		w.perm = d->start_perm;
		thost = d->start_host;
	}
	for (;;) {
		const unsigned int es = geom.g + (geom.g - 3) * lvl;
		const unsigned int bits =
			lvl == geom.levels - 1 ? geom.top_bits : geom.g - 3;
		const uint64_t idx = (ia >> es) & ((1ull << bits) - 1);

		epa = table + 8 * idx;
		r->level = (int)lvl;
		r->entry_pa = epa;
		r->table = table;
		r->table_perm = w.perm;
		if (thost) {
			e = pt_load(thost + idx);
			thost = NULL; /* a level below: through the host */
		} else if (pta_wk_read(host, epa, &e)) {
			err = PT_WALK_FETCH;
			goto fail;
		}
		r->entry = e;
		w.leaf = false;
		err = ptf_wk_entry(d, &w, e, lvl, access);
		if (err)
			goto fail;
		if (w.leaf)
			break;
		tpas[ntp++] = epa;
		lvl = w.next_lvl;
		table = w.next;
	}
	r->perm = w.perm;
	r->size_lg2 = w.lg2;
	r->oa = w.oa | (ia & ((1ull << w.lg2) - 1));
	if (ptf_wk_no_af(e) && !(d->flags & (PT_WALK_HA | PT_WALK_AFFD)) &&
	    access) {
		err = PT_WALK_ACCESS;
		goto fail;
	}
#ifdef PTF_WK_START
	if ((w.perm & w.need) != w.need) { /* the same test, taken once */
#else
	if (access && !(d->flags & PT_WALK_NO_PERM) &&
	    (w.perm & pta_need(access)) != pta_need(access)) {
#endif
		err = PT_WALK_PERM;
		goto fail;
	}
	if (access && (d->flags & (PT_WALK_HA | PT_WALK_HD))) {
		const bool ha = d->flags & PT_WALK_HA;
		const bool hd = (d->flags & PT_WALK_HD) && (access & PT_ACC_W);
		const uint64_t la = ha ? ptf_wk_leaf_a(e) : 0;

		for (unsigned int i = 0; ha && PTF_WK_TABLE_A != 0 && i < ntp; i++) {
			uint64_t t;

			if (pta_wk_read(host, tpas[i], &t) ||
			    ((t & PTF_WK_TABLE_A) != PTF_WK_TABLE_A &&
			     pta_wk_update(host, tpas[i], PTF_WK_TABLE_A, false,
					   &t))) {
				err = PT_WALK_AD_FAIL;
				goto fail;
			}
		}
		if ((e & la) != la || (hd && ptf_wk_set_dirty(e) != e)) {
			if (pta_wk_update(host, epa, la, hd, &e)) {
				err = PT_WALK_AD_FAIL;
				goto fail;
			}
			r->entry = e;
		}
	}
	r->dirty = ptf_wk_dirty(e);
	return 0;
fail:
	r->err = (enum pt_walk_err)err;
	r->perm = w.perm;
	return -err;
}

