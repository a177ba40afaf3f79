/* SPDX-License-Identifier: MIT */
/*
 * pt_algo.h - the page-table algorithm, written once.
 *
 * A format file (fmt_*.c) defines the format's inline functions and
 * includes this file, which instantiates map, unmap, iova_to_phys,
 * iterate, the dirty-tracking calls and the model walker for that format
 * and fills `const struct pt_fmt_ops PTF_OPS`.  Nothing here knows a
 * format: every entry is read and written through the ptf_* functions, so
 * the compiler folds them into straight-line code per format.
 *
 * What a format defines before including this file:
 *
 *   PTF_OPS             name of the ops table (pt_fmt_NAME)
 *   PTF_ID, PTF_NAME    enum pt_fmt value, name string
 *   PTF_G(pt)           granule log2 (a constant, or the configured one)
 *   PTF_RUNS            1 if a leaf may span several entries (a contiguous
 *                       run, an AMD NextLevel-7 page), else 0
 *   PTF_DIRTY           1 if the format has a dirty state
 *   PTF_WK_TABLE_A      bits the hardware sets in a table entry it walks
 *                       through when PT_WALK_HA is on (0 if none)
 *
 *   driver side (encode, and the minimum decode the algorithm needs):
 *   PTF_RUN_MASK        bits that may mark a leaf spanning several
 *                       entries (0 if PTF_RUNS is 0)
 *   PTF_OA_LINEAR(pt)   true if a leaf entry for pa + size is the entry for
 *                       pa plus size (the address field is plain bits)
 *
 *   bool ptf_present(e)                     entry is valid
 *   uint64_t ptf_valid_bit0(e)              bit 0 says the same, branch-free
 *                                           (whole-table scans vectorize)
 *   bool ptf_is_table(e, lvl)               a valid entry points to a table
 *   uint64_t ptf_table_pa(pt, e)            its table's address
 *   uint64_t ptf_mk_table(pt, pa, lvl)      entry at @lvl for the table @pa
 *   unsigned ptf_leaf_lg2(pt, e, lvl)       size of the leaf (whole run)
 *   uint64_t ptf_leaf_oa(pt, e, lg2)        its output address (aligned)
 *   uint64_t ptf_leaf_attr(pt, prot)        leaf bits for IOMMU_* / PT_PROT_*
 *   uint64_t ptf_mk_leaf(pt, pa, lg2, lvl, attr)  first entry of a leaf
 *   uint64_t ptf_leaf_step(pt, lg2, lvl)    added per further entry of it
 *   int ptf_geom(cfg, geom)                 check a config, say its shape
 *   with PTF_DIRTY: ptf_d_writable(e), ptf_d_dirty(e), ptf_d_clean(e),
 *                   ptf_d_plain(e) (writable leaf without tracking)
 *
 *   model side (decode, written apart from the encoders):
 *   PTF_WK_G(d)         granule log2 of a walk description ptf_wk_geom()
 *                       accepts (a constant where the format has one)
 *   PTF_WK_G_VARIES     defined if that is 12, 14 or 16 (granule_lg2 0
 *                       meaning 12) by the description: the resumed walk
 *                       is then made once per granule
 *   int ptf_wk_geom(d, geom)                check a walk description
 *   bool ptf_wk_in_range(d, geom, ia)       input address accepted
 *   int ptf_wk_entry(d, w, e, lvl, access)  decode one entry: 0 with
 *                                           w->leaf or w->next, else a
 *                                           pt_walk_err
 *   optional, with #define PTF_WK_START:
 *   void ptf_wk_start(d, w, access)         once before the first entry:
 *                                           what ptf_wk_entry() would
 *                                           derive from @d at every one;
 *                                           it must set w->need (the
 *                                           leaf's permission test then
 *                                           uses it)
 *   uint64_t ptf_wk_leaf_a(e)               bits HA sets in the leaf
 *   bool ptf_wk_no_af(e)                    leaf lacks its access flag
 *   uint64_t ptf_wk_set_dirty(e)            the leaf after a write (HD)
 *   bool ptf_wk_dirty(e)                    the leaf is dirty
 */
#include "pt_defs.h"

/* Not under ThreadSanitizer: an ifunc resolver of an executable runs
 * before the sanitizer's runtime is up. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && \
	!defined(__SANITIZE_THREAD__)
#define PTA_SCAN_ATTR \
	__attribute__((target_clones("avx2", "default"), optimize("O3")))
#else
#define PTA_SCAN_ATTR
#endif

#define PTA_CAT2(a, b) a##_##b
#define PTA_CAT(a, b)  PTA_CAT2(a, b)
#define PTA(x)	       PTA_CAT(PTF_OPS, x)

/* ---- geometry ------------------------------------------------------------ */

PT_ALWAYS_INLINE unsigned int pta_shift(const struct pt *pt, unsigned int lvl)
{
	const unsigned int g = PTF_G(pt);

	return g + (g - 3) * lvl;
}

/* Index bits at @lvl: the stride below the top, the top table's own at
 * the top (set before a grow publishes a new top, see pt_grow()). */
PT_ALWAYS_INLINE unsigned int pta_bits(const struct pt *pt, unsigned int lvl)
{
	return pt->lvl_bits[lvl];
}

PT_ALWAYS_INLINE unsigned int pta_index(const struct pt *pt, uint64_t iova,
					unsigned int lvl)
{
	return (unsigned int)(iova >> pta_shift(pt, lvl)) &
	       ((1u << pta_bits(pt, lvl)) - 1);
}

/* Index at a level known not to be the top one (a constant mask). */
PT_ALWAYS_INLINE unsigned int pta_index_low(const struct pt *pt,
					    uint64_t iova, unsigned int lvl)
{
	return (unsigned int)(iova >> pta_shift(pt, lvl)) &
	       ((1u << (PTF_G(pt) - 3)) - 1);
}

/* Bytes of a table that is not the top one. */
PT_ALWAYS_INLINE size_t pta_tsize(const struct pt *pt)
{
	return (size_t)1 << PTF_G(pt);
}

/* ---- map ----------------------------------------------------------------- */

/* Is the subtree under @tbl (at @lvl) free of valid entries? */
static bool PTA(empty)(struct pt *pt, const uint64_t *tbl, unsigned int lvl)
{
	const unsigned int n = 1u << (PTF_G(pt) - 3);

	for (unsigned int i = 0; i < n; i++) {
		uint64_t e = pt_load(&tbl[i]);
		const uint64_t *child;

		if (!e)
			continue;
		if (!ptf_present(e) || !lvl || !ptf_is_table(e, lvl))
			return false;
		child = pt_tbl(pt, ptf_table_pa(pt, e), pta_tsize(pt));
		if (!child || !PTA(empty)(pt, child, lvl - 1))
			return false;
	}
	return true;
}

/* Queue every table of the subtree under @pa (at @lvl, from @base). */
static int PTA(collect)(struct pt *pt, uint64_t pa, unsigned int lvl,
			uint64_t base, struct pt_free_list *fl)
{
	const uint64_t *tbl = pt_tbl(pt, pa, pta_tsize(pt));
	const unsigned int n = 1u << (PTF_G(pt) - 3);
	const unsigned int es = pta_shift(pt, lvl);
	int err;

	if (!tbl)
		return -EFAULT;
	for (unsigned int i = 0; lvl && i < n; i++) {
		uint64_t e = pt_load(&tbl[i]);

		if (ptf_present(e) && ptf_is_table(e, lvl)) {
			err = PTA(collect)(pt, ptf_table_pa(pt, e), lvl - 1,
					   base + ((uint64_t)i << es), fl);
			if (err)
				return err;
		}
	}
	return pt__free_push(fl, pa, base,
			     base + ((1ull << (es + PTF_G(pt) - 3)) - 1),
			     pta_tsize(pt));
}

/*
 * A valid entry @old sits where a leaf goes.  An empty table (left behind
 * by unmaps that did not cover its whole span) is replaced by the leaf and
 * its pages wait on @fl for the caller's invalidation; anything else is
 * -EEXIST.
 */
static int PTA(replace)(struct pt *pt, uint64_t *p, uint64_t old,
			uint64_t leaf, unsigned int lvl, uint64_t iova,
			struct pt_free_list *fl)
{
	const uint64_t *child;
	uint64_t cur = old;
	size_t n0;

	if (!lvl || !fl || !ptf_present(old) || !ptf_is_table(old, lvl))
		return -EEXIST;
	child = pt_tbl(pt, ptf_table_pa(pt, old), pta_tsize(pt));
	if (!child || !PTA(empty)(pt, child, lvl - 1))
		return -EEXIST;
	n0 = fl->n;
	if (PTA(collect)(pt, ptf_table_pa(pt, old), lvl - 1,
			 iova & ~((1ull << pta_shift(pt, lvl)) - 1), fl)) {
		fl->n = n0;
		return -ENOMEM;
	}
	if (!pt_cas(p, &cur, leaf)) {
		fl->n = n0;
		return -EEXIST;
	}
	return 0;
}

/* Table at @lvl that holds @iova, allocating what is missing. */
PT_ALWAYS_INLINE int PTA(descend)(struct pt *pt, uint64_t iova,
				  unsigned int lvl, uint64_t **out)
{
	const unsigned int levels = pt_cur_levels(pt);
	uint64_t *tbl = pt_cur_root(pt, levels), *p;
	unsigned int l = levels - 1;

	if (l == lvl)
		goto done;
	p = &tbl[pta_index(pt, iova, l)];
	for (;;) {
		uint64_t e = pt_load(p);

		if (PT_UNLIKELY(!ptf_present(e))) {
			uint64_t npa, cur = 0;
			uint64_t *nva;
			int err;

			if (e)
				return -EEXIST; /* software bits: not ours */
			err = pt__alloc_table(pt, pta_tsize(pt), &npa, &nva);
			if (err)
				return err;
			e = ptf_mk_table(pt, npa, l);
			if (pt_cas(p, &cur, e)) {
				tbl = nva;
				goto next;
			}
			/* Another thread installed one first. */
			pt->host->ops->table_free(pt->host, npa, pta_tsize(pt));
			e = cur;
			if (!ptf_present(e))
				return -EEXIST;
		}
		if (PT_UNLIKELY(!ptf_is_table(e, l)))
			return -EEXIST; /* a larger page covers it */
		tbl = pt_tbl(pt, ptf_table_pa(pt, e), pta_tsize(pt));
		if (PT_UNLIKELY(!tbl))
			return -EFAULT;
	next:
		if (--l == lvl)
			break;
		p = &tbl[pta_index_low(pt, iova, l)];
	}
done:
	*out = tbl;
	return 0;
}

static uint64_t PTA(unmap)(struct pt *pt, uint64_t iova, uint64_t last,
			   struct pt_free_list *fl, uint64_t *max_leaf);

static int PTA(map)(struct pt *pt, uint64_t iova, uint64_t pa, uint64_t len,
		    unsigned int prot, uint64_t *done_out,
		    struct pt_free_list *fl)
{
	const uint64_t attr = ptf_leaf_attr(pt, prot);
	const uint64_t iova0 = iova;
	/* The sizes the table's levels now hold (more after a grow). */
	const uint64_t sizes = pt->pgsizes_at[pt_cur_levels(pt) - 1];
	uint64_t done = 0;
	int err = 0;

	while (done < len) {
		const uint64_t rem = len - done, a = iova | pa;
		uint64_t cap = 1ull << (63 - __builtin_clzll(rem)), allowed;
		unsigned int lg2, lvl, es, per_lg2, idx, nent;
		uint64_t *tbl, n, size, next;

		if (a && (a & -a) < cap)
			cap = a & -a;
		allowed = sizes & (cap | (cap - 1));
		lg2 = 63 - (unsigned int)__builtin_clzll(allowed);
		lvl = pt->lvl_of[lg2];
		size = 1ull << lg2;
		err = PTA(descend)(pt, iova, lvl, &tbl);
		if (err)
			break;
		es = pta_shift(pt, lvl);
		per_lg2 = lg2 - es;
		idx = pta_index(pt, iova, lvl);
		nent = 1u << pta_bits(pt, lvl);
		n = rem >> lg2;
		if (n > (uint64_t)((nent - idx) >> per_lg2))
			n = (nent - idx) >> per_lg2;
		/* Stop where a larger leaf becomes possible. */
		next = sizes & ~((size << 1) - 1);
		if (next) {
			uint64_t nb = next & -next;

			if (!((iova ^ pa) & (nb - 1)) && rem >= nb &&
			    n > ((nb - (iova & (nb - 1))) >> lg2))
				n = (nb - (iova & (nb - 1))) >> lg2;
		}
		if (!PTF_RUNS || !per_lg2) {
			uint64_t *p = &tbl[idx];
			uint64_t e = ptf_mk_leaf(pt, pa, lg2, lvl, attr);

			for (uint64_t i = 0; i < n; i++) {
				uint64_t old = pt_load_relaxed(&p[i]);

				if (PT_UNLIKELY(old)) {
					err = PTA(replace)(pt, &p[i], old, e,
							   lvl, iova, fl);
					if (err)
						goto out;
				} else {
					pt_store(&p[i], e);
				}
				pa += size;
				iova += size;
				done += size;
				/* The next leaf: its address field moves with
				 * the address where the format allows. */
				e = PTF_OA_LINEAR(pt)
					    ? e + size
					    : ptf_mk_leaf(pt, pa, lg2, lvl, attr);
			}
			continue;
		}
		for (uint64_t i = 0; i < n; i++) {
			const unsigned int per = 1u << per_lg2;
			uint64_t *p = &tbl[idx + (i << per_lg2)];
			uint64_t e = ptf_mk_leaf(pt, pa, lg2, lvl, attr);
			const uint64_t step = ptf_leaf_step(pt, lg2, lvl);

			for (unsigned int j = 0; j < per; j++) {
				uint64_t old = pt_load_relaxed(&p[j]);

				if (PT_UNLIKELY(old)) {
					err = PTA(replace)(pt, &p[j], old,
							   e + j * step, lvl,
							   iova, fl);
					if (err) {
						/* Take back this leaf's part. */
						while (j--)
							pt_store(&p[j], 0);
						goto out;
					}
				} else {
					pt_store(&p[j], e + j * step);
				}
			}
			pa += size;
			iova += size;
			done += size;
		}
	}
out:
	if (err && done) {
		/* All or nothing: the tables this call allocated stay (empty
		 * and reusable). */
		PTA(unmap)(pt, iova0, iova0 + done - 1, NULL, NULL);
		done = 0;
	}
	*done_out = done;
	return err;
}

/* ---- unmap --------------------------------------------------------------- */

struct PTA(um) {
	uint64_t last; /* inclusive */
	uint64_t max_lg2;
	bool stop;
	struct pt_free_list *fl;
};

/*
 * Is every entry of a leaf table valid?  A branch-free reduction, built
 * for AVX2 as well where the compiler can (picked at load time), since an
 * unmap of whole tables costs this scan and nothing else per page.  Plain
 * loads are enough: no other thread may write a table whose whole span
 * this unmap owns.  *@any gets the OR of the entries (run bits).
 */
PTA_SCAN_ATTR static bool PTA(scan)(const uint64_t *tbl, unsigned int n,
				    uint64_t *any)
{
	uint64_t all = ~0ull, or = 0;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t e = le64toh(tbl[i]);

		all &= ptf_valid_bit0(e);
		or |= e;
	}
	*any = or;
	return all & 1;
}

/*
 * Read-only scan: is the subtree under @tbl (at @lvl, not the top) full of
 * leaves, with no hole?  Queues the tables below @tbl on u->fl as it goes;
 * the caller drops them again if not.
 */
static bool PTA(full)(struct pt *pt, const uint64_t *tbl, unsigned int lvl,
		      uint64_t base, struct PTA(um) *u)
{
	const unsigned int n = 1u << (PTF_G(pt) - 3);
	const unsigned int es = pta_shift(pt, lvl);

	if (!lvl) {
		uint64_t any = 0;

		if (!PTA(scan)(tbl, n, &any))
			return false;
		if (PTF_RUNS && (any & PTF_RUN_MASK)) {
			for (unsigned int i = 0; i < n; i++) {
				unsigned int lg2 = ptf_leaf_lg2(
					pt, pt_load_relaxed(&tbl[i]), 0);

				if (lg2 > u->max_lg2)
					u->max_lg2 = lg2;
			}
		} else if (es > u->max_lg2) {
			u->max_lg2 = es;
		}
		return true;
	}
	for (unsigned int i = 0; i < n; i++) {
		uint64_t e = pt_load(&tbl[i]);

		if (!ptf_present(e))
			return false;
		if (ptf_is_table(e, lvl)) {
			uint64_t cpa = ptf_table_pa(pt, e);
			const uint64_t *child = pt_tbl(pt, cpa, pta_tsize(pt));
			uint64_t cbase = base + ((uint64_t)i << es);

			if (!child ||
			    !PTA(full)(pt, child, lvl - 1, cbase, u) ||
			    pt__free_push(u->fl, cpa, cbase,
					  cbase + ((1ull << es) - 1),
					  pta_tsize(pt)))
				return false;
		} else {
			unsigned int lg2 = ptf_leaf_lg2(pt, e, lvl);

			if (lg2 > u->max_lg2)
				u->max_lg2 = lg2;
		}
	}
	return true;
}

/* Remove leaves of @tbl (at @lvl) from @addr on; returns the bytes. */
static uint64_t PTA(unmap_tbl)(struct pt *pt, uint64_t *tbl, unsigned int lvl,
			       uint64_t addr, struct PTA(um) *u)
{
	const unsigned int es = pta_shift(pt, lvl);
	const uint64_t size = 1ull << es, last = u->last;
	const unsigned int nent = 1u << pta_bits(pt, lvl);
	unsigned int idx = pta_index(pt, addr, lvl);
	uint64_t done = 0;

	while (idx < nent) {
		const uint64_t base = addr & ~(size - 1);
		uint64_t *p = &tbl[idx];
		uint64_t e = pt_load(p);

		if (!ptf_present(e))
			goto stop;
		if (!lvl || !ptf_is_table(e, lvl)) {
			const unsigned int lg2 =
				PTF_RUNS ? ptf_leaf_lg2(pt, e, lvl) : es;
			const uint64_t lsz = 1ull << lg2;

			if ((addr & (lsz - 1)) || lsz - 1 > last - addr)
				goto stop; /* the range would cut it */
			if (lg2 > u->max_lg2)
				u->max_lg2 = lg2;
			if (PTF_RUNS && lg2 != es) {
				const unsigned int per = 1u << (lg2 - es);

				for (unsigned int j = 0; j < per; j++)
					pt_store(&p[j], 0);
				idx += per;
				done += lsz;
				addr += lsz;
				if (!addr || addr > last)
					goto end;
				continue;
			}
			/* A run of leaves of this size: each following one
			 * starts on its boundary and lies inside while it
			 * ends by @last. */
			const uint64_t span = last - addr;
			uint64_t left = (span >> es) +
					((span & (size - 1)) == size - 1);
			unsigned int n = nent - idx, i;

			if (left < n)
				n = (unsigned int)left;
			pt_store(p, 0);
			for (i = 1; i < n; i++) {
				e = pt_load_relaxed(&p[i]);
				if (!ptf_present(e) ||
				    (lvl && ptf_is_table(e, lvl)) ||
				    (PTF_RUNS && (e & PTF_RUN_MASK) &&
				     ptf_leaf_lg2(pt, e, lvl) != es))
					break;
				pt_store(&p[i], 0);
			}
			idx += i;
			done += (uint64_t)i << es;
			addr += (uint64_t)i << es;
			if (!addr || addr > last)
				goto end;
			continue;
		}
		{
			const uint64_t cpa = ptf_table_pa(pt, e);
			uint64_t *child = pt_tbl(pt, cpa, pta_tsize(pt));
			const bool whole = base == addr && size - 1 <= last - addr;

			if (PT_UNLIKELY(!child))
				goto stop;
			if (whole && u->fl) {
				size_t n0 = u->fl->n;

				if (PTA(full)(pt, child, lvl - 1, base, u) &&
				    !pt__free_push(u->fl, cpa, base,
						   base + (size - 1),
						   pta_tsize(pt))) {
					pt_store(p, 0);
					done += size;
					goto next;
				}
				u->fl->n = n0;
			}
			done += PTA(unmap_tbl)(pt, child, lvl - 1, addr, u);
			if (u->stop)
				return done;
			if (whole && u->fl &&
			    !pt__free_push(u->fl, cpa, base, base + (size - 1),
					   pta_tsize(pt)))
				pt_store(p, 0);
		}
	next:
		addr = base + size;
		idx++;
		if (!addr || addr > last)
			goto end;
	}
	return done;
end:
	u->stop = !addr; /* wrapped: nothing after */
	return done;
stop:
	u->stop = true;
	return done;
}

static uint64_t PTA(unmap)(struct pt *pt, uint64_t iova, uint64_t last,
			   struct pt_free_list *fl, uint64_t *max_leaf)
{
	struct PTA(um) u = {.last = last, .fl = fl};
	const unsigned int levels = pt_cur_levels(pt);
	const unsigned int es0 = pta_shift(pt, 0);
	uint64_t *tbl = pt_cur_root(pt, levels), done;
	unsigned int lvl = levels - 1;

	/*
	 * One leaf entry of the smallest size, the common strict unmap: down
	 * the tables as iova_to_phys does (the range lies inside one entry
	 * at every level above, and covers no table, so nothing is freed),
	 * then what PTA(unmap_tbl) does for it, without its run scan.  A
	 * larger leaf on the way, or a leaf of a larger run (PTF_RUNS), goes
	 * the long way, which refuses to cut it.
	 */
	if (last - iova == (1ull << es0) - 1) {
		uint64_t *p = &tbl[pta_index(pt, iova, lvl)];
		uint64_t e = pt_load(p);

		for (;;) {
			if (!ptf_present(e))
				return 0;
			if (!lvl || !ptf_is_table(e, lvl))
				break;
			tbl = pt_tbl(pt, ptf_table_pa(pt, e), pta_tsize(pt));
			if (!tbl)
				return 0;
			p = &tbl[pta_index_low(pt, iova, --lvl)];
			e = pt_load(p);
		}
		if (!lvl && (!PTF_RUNS || ptf_leaf_lg2(pt, e, 0) == es0)) {
			pt_store(p, 0);
			if (max_leaf)
				*max_leaf = 1ull << es0;
			return 1ull << es0;
		}
		goto walk;
	}
	/* Go down without recursion while the range lies inside one entry
	 * and does not cover it whole: nothing there can be freed. */
	while (lvl) {
		const unsigned int es = pta_shift(pt, lvl);
		const uint64_t base = iova & ~((1ull << es) - 1);
		uint64_t e;

		if (last - base >= (1ull << es) - 1 ||
		    (last >> es) != (iova >> es))
			break;
		e = pt_load(&tbl[pta_index(pt, iova, lvl)]);
		if (!ptf_present(e))
			return 0;
		if (!ptf_is_table(e, lvl))
			break; /* the walker stops there if it would be cut */
		tbl = pt_tbl(pt, ptf_table_pa(pt, e), pta_tsize(pt));
		if (!tbl)
			return 0;
		lvl--;
	}
walk:
	done = PTA(unmap_tbl)(pt, tbl, lvl, iova, &u);
	if (max_leaf)
		*max_leaf = done ? 1ull << u.max_lg2 : 0;
	return done;
}

/* ---- iova_to_phys -------------------------------------------------------- */

static int PTA(iova_to_phys)(struct pt *pt, uint64_t iova, uint64_t *phys)
{
	const unsigned int levels = pt_cur_levels(pt);
	const uint64_t *tbl = pt_cur_root(pt, levels);
	unsigned int l = levels - 1;
	uint64_t e = pt_load(&tbl[pta_index(pt, iova, l)]);

	for (;; e = pt_load(&tbl[pta_index_low(pt, iova, --l)])) {
		if (!ptf_present(e))
			return -ENOENT;
		if (!l || !ptf_is_table(e, l)) {
			unsigned int lg2 =
				PTF_RUNS ? ptf_leaf_lg2(pt, e, l) : pta_shift(pt, l);

			*phys = ptf_leaf_oa(pt, e, lg2) |
				(iova & ((1ull << lg2) - 1));
			return 0;
		}
		tbl = pt_tbl(pt, ptf_table_pa(pt, e), pta_tsize(pt));
		if (!tbl)
			return -EFAULT;
	}
}

/* ---- iterate and dirty tracking ------------------------------------------ */

#include "pt_algo_iter.h"

/* ---- grow ---------------------------------------------------------------- */

/* The entry at the top of a grown table (level @lvl) for the old top. */
static uint64_t PTA(mk_table)(const struct pt *pt, uint64_t pa,
			      unsigned int lvl)
{
	return ptf_mk_table(pt, pa, lvl);
}

/* ---- the model walker ---------------------------------------------------- */

#include "pt_algo_walk.h"

const struct pt_fmt_ops PTF_OPS = {
	.fmt = PTF_ID,
	.name = PTF_NAME,
	.geom = ptf_geom,
	.map = PTA(map),
	.unmap = PTA(unmap),
	.iova_to_phys = PTA(iova_to_phys),
	.iterate = PTA(iterate),
	.dirty = PTA(dirty),
	.set_dirty = PTA(set_dirty),
	.walk = PTA(walk),
	.mk_table = PTA(mk_table),
};
