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

static int PTA(walk)(struct iommu_host *host, const struct pt_walk_desc *d,
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

