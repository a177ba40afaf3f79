/* SPDX-License-Identifier: MIT */
/*
 * pt_algo_iter.h - iterate and dirty tracking, part of the algorithm of
 * pt_algo.h (which includes it; not to be included alone): one walk of
 * the tables in IOVA order that visits the leaves (pt_iterate()), reads
 * and clears their dirty bits into a bitmap, or converts every leaf when
 * tracking turns on or off.
 */
/* ---- iterate and dirty tracking ------------------------------------------ */

enum { PTA_IT_VISIT, PTA_IT_DIRTY, PTA_IT_TRACK };

struct PTA(it) {
	int mode;
	bool tables, leaves;
	uint64_t last;
	pt_visit_fn fn;
	void *ctx;
	struct pt_dirty_bitmap *bm;
	unsigned int flags;
	bool on;
};

static void pta_bm_set(struct pt_dirty_bitmap *bm, uint64_t iova,
		       uint64_t lg2)
{
	uint64_t first, last_bit, end = iova + ((1ull << lg2) - 1);

	if (end < bm->iova || iova >= bm->iova + (bm->nbits << bm->pgshift))
		return;
	first = iova < bm->iova ? 0 : (iova - bm->iova) >> bm->pgshift;
	last_bit = (end - bm->iova) >> bm->pgshift;
	if (last_bit >= bm->nbits)
		last_bit = bm->nbits - 1;
	for (uint64_t b = first; b <= last_bit; b++)
		bm->bits[b >> 6] |= 1ull << (b & 63);
}

/* One leaf (first entry @p) of the dirty walks. */
PT_ALWAYS_INLINE void PTA(dirty_leaf)(struct pt *pt, uint64_t *p,
				      unsigned int per, uint64_t iova,
				      unsigned int lg2, struct PTA(it) *it)
{
#if PTF_DIRTY
	bool dirty = false;

	(void)pt;
	for (unsigned int j = 0; j < per; j++) {
		uint64_t e = pt_load(&p[j]), ne;

		if (!ptf_d_writable(e))
			return;
		if (it->mode == PTA_IT_DIRTY) {
			if (!ptf_d_dirty(e))
				continue;
			dirty = true;
			if (it->flags & PT_DIRTY_NO_CLEAR)
				continue;
		}
		do {
			if (it->mode == PTA_IT_TRACK)
				ne = it->on ? ptf_d_clean(e) : ptf_d_plain(e);
			else
				ne = ptf_d_clean(e);
			if (ne == e)
				break;
		} while (!pt_cas(&p[j], &e, ne));
	}
	if (dirty)
		pta_bm_set(it->bm, iova, lg2);
#else
	(void)pt, (void)p, (void)per, (void)iova, (void)lg2, (void)it;
#endif
}

static int PTA(it_tbl)(struct pt *pt, uint64_t *tbl, unsigned int lvl,
		       uint64_t addr, struct PTA(it) *it)
{
	const unsigned int es = pta_shift(pt, lvl);
	const uint64_t size = 1ull << es;
	const unsigned int nent = 1u << pta_bits(pt, lvl);
	unsigned int idx = pta_index(pt, addr, lvl);
	int ret;

	for (; idx < nent; idx++) {
		const uint64_t base = addr & ~(size - 1);
		uint64_t e = pt_load(&tbl[idx]);

		if (ptf_present(e) && lvl && ptf_is_table(e, lvl)) {
			const uint64_t cpa = ptf_table_pa(pt, e);
			uint64_t *child = pt_tbl(pt, cpa, pta_tsize(pt));
			const bool whole =
				base >= addr && size - 1 <= it->last - base;

			if (!child)
				return -EFAULT;
			ret = PTA(it_tbl)(pt, child, lvl - 1, addr, it);
			if (ret)
				return ret;
			if (it->mode == PTA_IT_VISIT && it->tables && whole) {
				struct pt_visit v = {
					.iova = base, .pa = cpa, .entry = e,
					.lg2 = es, .level = lvl, .table = true};

				ret = it->fn(it->ctx, &v);
				if (ret)
					return ret;
			}
		} else if (ptf_present(e)) {
			const unsigned int lg2 =
				PTF_RUNS ? ptf_leaf_lg2(pt, e, lvl) : es;
			const uint64_t lbase = addr & ~((1ull << lg2) - 1);
			const unsigned int per = 1u << (lg2 - es);

			/* A run is shown once, at the first of its entries
			 * the walk meets. */
			if (it->mode != PTA_IT_VISIT) {
				PTA(dirty_leaf)(pt, &tbl[idx & ~(per - 1)],
						per, lbase, lg2, it);
			} else if (it->leaves) {
				struct pt_visit v = {
					.iova = lbase,
					.pa = ptf_leaf_oa(pt, e, lg2),
					.entry = e,
					.lg2 = lg2,
					.level = lvl};

				ret = it->fn(it->ctx, &v);
				if (ret)
					return ret;
			}
			if (per > 1 && (idx & (per - 1)) != per - 1) {
				/* Skip to the run's last entry. */
				unsigned int skip =
					(per - 1) - (idx & (per - 1));

				idx += skip;
				addr = base + ((uint64_t)(skip + 1) << es);
				if (!addr || addr > it->last)
					return 0;
				continue;
			}
		}
		addr = base + size;
		if (!addr || addr > it->last)
			return 0;
	}
	return 0;
}

static int PTA(iterate)(struct pt *pt, uint64_t iova, uint64_t last,
			unsigned int what, pt_visit_fn fn, void *ctx)
{
	struct PTA(it) it = {.mode = PTA_IT_VISIT,
			     .tables = what & PT__IT_TABLES,
			     .leaves = what & PT__IT_LEAVES,
			     .last = last, .fn = fn, .ctx = ctx};

	const unsigned int levels = pt_cur_levels(pt);

	return PTA(it_tbl)(pt, pt_cur_root(pt, levels), levels - 1, iova, &it);
}

static int PTA(dirty)(struct pt *pt, uint64_t iova, uint64_t last,
		      struct pt_dirty_bitmap *bm, unsigned int flags)
{
	struct PTA(it) it = {.mode = PTA_IT_DIRTY, .last = last, .bm = bm,
			     .flags = flags};

	if (!PTF_DIRTY)
		return -EOPNOTSUPP;
	const unsigned int levels = pt_cur_levels(pt);

	return PTA(it_tbl)(pt, pt_cur_root(pt, levels), levels - 1, iova, &it);
}

static int PTA(set_dirty)(struct pt *pt, bool on)
{
	struct PTA(it) it = {.mode = PTA_IT_TRACK, .on = on};
	const unsigned int levels = pt_cur_levels(pt);
	int ret;

	if (!PTF_DIRTY)
		return -EOPNOTSUPP;
	it.last = pt->ia_lasts[levels - 1];
	/* New leaves take the new form from here on; then the old ones are
	 * converted (a concurrent map is not allowed, see pt.h). */
	__atomic_store_n(&pt->dirty, on, __ATOMIC_RELEASE);
	ret = PTA(it_tbl)(pt, pt_cur_root(pt, levels), levels - 1, 0, &it);
	return ret;
}
