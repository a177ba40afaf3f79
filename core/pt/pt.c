// SPDX-License-Identifier: MIT
/*
 * pt.c - the page-table engine (see pt.h and README.md).
 *
 * The walkers are written once as always-inline bodies that take the
 * format as a constant and are instantiated per format by PT_DEFINE_FMT,
 * so each format gets its own straight-line code.  The public calls
 * switch on the format once per call.
 *
 * Table pages: the PA of a table is turned into a host pointer by adding
 * a delta learnt from the root page, as long as every table page has that
 * delta and lies in the PA range seen so far; otherwise (pages in another
 * RAM region, or a corrupted entry pointing elsewhere) the engine asks
 * host->ops->mem_ptr, which bounds-checks.  So a bad entry is an error,
 * never a wild pointer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pt.h"
#include "pt_fmt.h"

#define PT_LIKELY(x)   __builtin_expect(!!(x), 1)
#define PT_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ---- table memory -------------------------------------------------------- */

static inline uint64_t *pt_tbl(struct pt *pt, uint64_t pa)
{
	if (PT_LIKELY(!__atomic_load_n(&pt->mixed, __ATOMIC_RELAXED) &&
		      pa >= __atomic_load_n(&pt->lo, __ATOMIC_RELAXED) &&
		      pa <= __atomic_load_n(&pt->hi, __ATOMIC_RELAXED)))
		return (uint64_t *)(uintptr_t)((intptr_t)pa + pt->delta);
	return pt->host->ops->mem_ptr(pt->host, pa, PT_TABLE_SIZE);
}

/* Widen [lo, hi] to cover a new page with the common delta. */
static void pt_note_page(struct pt *pt, uint64_t pa, void *va)
{
	uint64_t cur;

	if ((intptr_t)(uintptr_t)va - (intptr_t)pa != pt->delta) {
		__atomic_store_n(&pt->mixed, true, __ATOMIC_RELEASE);
		return;
	}
	cur = __atomic_load_n(&pt->lo, __ATOMIC_RELAXED);
	while (pa < cur &&
	       !__atomic_compare_exchange_n(&pt->lo, &cur, pa, false,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		;
	cur = __atomic_load_n(&pt->hi, __ATOMIC_RELAXED);
	while (pa > cur &&
	       !__atomic_compare_exchange_n(&pt->hi, &cur, pa, false,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		;
}

static int pt_alloc_table(struct pt *pt, uint64_t *pa, uint64_t **va)
{
	int err = pt->host->ops->table_alloc(pt->host, PT_TABLE_SIZE, pa);

	if (err)
		return err;
	*va = pt->host->ops->mem_ptr(pt->host, *pa, PT_TABLE_SIZE);
	if (!*va) {
		pt->host->ops->table_free(pt->host, *pa, PT_TABLE_SIZE);
		return -EFAULT;
	}
	pt_note_page(pt, *pa, *va);
	return 0;
}

/* ---- free lists ---------------------------------------------------------- */

static int pt_free_push(struct pt_free_list *l, uint64_t pa, uint64_t start,
			uint64_t last)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct pt_free_ent *v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			l->err = -ENOMEM;
			return -ENOMEM;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = (struct pt_free_ent){pa, start, last};
	return 0;
}

void pt_free_pages(struct iommu_host *host, struct pt_free_list *list)
{
	if (!host || !list)
		return;
	for (size_t i = 0; i < list->n; i++)
		host->ops->table_free(host, list->v[i].pa, PT_TABLE_SIZE);
	list->n = 0;
}

void pt_free_list_fini(struct pt_free_list *list)
{
	if (!list)
		return;
	free(list->v);
	memset(list, 0, sizeof(*list));
}

int pt_free_list_splice(struct pt_free_list *to, struct pt_free_list *from)
{
	if (!to || !from)
		return -EINVAL;
	if (!from->n)
		return 0;
	if (to->n + from->n > to->cap) {
		size_t cap = to->cap ? to->cap : 16;
		struct pt_free_ent *v;

		while (cap < to->n + from->n)
			cap *= 2;
		v = realloc(to->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		to->v = v;
		to->cap = cap;
	}
	memcpy(to->v + to->n, from->v, from->n * sizeof(*from->v));
	to->n += from->n;
	from->n = 0;
	return 0;
}

/* ---- walkers, one instance per format ------------------------------------ */

struct pt_unmap_st {
	uint64_t start;
	uint64_t last; /* inclusive */
	uint64_t addr; /* cursor */
	uint64_t max_leaf;
	bool stop;
	struct pt_free_list *freed;
};

typedef uint64_t (*pt_unmap_fn)(struct pt *pt, uint64_t *tbl, unsigned int lvl,
				struct pt_unmap_st *st);

/*
 * Remove leaves of table @tbl (at @lvl) from st->addr on.  A child table
 * whose whole span lies in the range and that was emptied without a stop
 * is unlinked and queued on st->freed.
 */
PT_ALWAYS_INLINE uint64_t pt_unmap_body(struct pt *pt, enum pt_fmt F,
					uint64_t *tbl, unsigned int lvl,
					struct pt_unmap_st *st,
					pt_unmap_fn self)
{
	const uint64_t size = 1ull << pt_shift(lvl);
	const uint64_t start = st->start, last = st->last;
	uint64_t addr = st->addr, done = 0;
	unsigned int idx = pt_index(addr, lvl);

	if (!lvl) {
		/* Leaf table: every 4 KiB entry from the cursor up to the end
		 * of the range or of the table is wholly inside. */
		uint64_t left = ((last - addr) >> 12) + 1;
		unsigned int n = PT_ENTRIES - idx, i;
		uint64_t *p = &tbl[idx];

		if (left < n)
			n = (unsigned int)left;
		for (i = 0; i < n; i++) {
			if (!pt_fmt_present(F, pt_load_relaxed(&p[i])))
				break;
			pt_store(&p[i], 0);
		}
		done = (uint64_t)i << 12;
		if (i && st->max_leaf < size)
			st->max_leaf = size;
		addr += done;
		st->addr = addr;
		if (i < n || !addr)
			st->stop = true;
		return done;
	}
	for (; idx < PT_ENTRIES; idx++) {
		uint64_t base = addr & ~(size - 1);
		uint64_t *p = &tbl[idx];
		uint64_t e = pt_load(p);

		if (!pt_fmt_present(F, e))
			goto stop;
		if (pt_fmt_is_leaf(F, e, lvl)) {
			uint64_t end;
			unsigned int n;

			if (base < start || base + (size - 1) > last)
				goto stop;
			/* A run of leaves: the following entries start on a
			 * boundary, so each lies inside while it ends by
			 * @last; clear them in one loop. */
			pt_store(p, 0);
			if (size > st->max_leaf)
				st->max_leaf = size;
			addr = base + size;
			done += size;
			if (!addr || addr > last)
				goto end;
			end = (last - addr + 1) >> pt_shift(lvl);
			n = PT_ENTRIES - 1 - idx;
			if (end < n)
				n = (unsigned int)end;
			for (unsigned int i = 1; i <= n; i++) {
				e = pt_load(&p[i]);
				if (!pt_fmt_present(F, e) ||
				    !pt_fmt_is_leaf(F, e, lvl)) {
					idx += i - 1;
					goto next;
				}
				pt_store(&p[i], 0);
				addr += size;
				done += size;
			}
			idx += n;
			if (!addr || addr > last)
				goto end;
			continue;
		} else {
			uint64_t cpa = pt_fmt_oa(F, e, lvl, false);
			uint64_t *child = pt_tbl(pt, cpa);
			bool whole = base >= start && base + (size - 1) <= last;

			if (PT_UNLIKELY(!child))
				goto stop;
			st->addr = addr;
			done += self(pt, child, lvl - 1, st);
			if (st->stop)
				return done;
			if (whole && st->freed &&
			    !pt_free_push(st->freed, cpa, base,
					  base + (size - 1)))
				pt_store(p, 0);
		}
		addr = base + size;
		if (!addr || addr > last)
			goto end;
	next:;
	}
	st->addr = addr;
	return done;
end:
	st->addr = addr;
	st->stop = !addr; /* wrapped: nothing after */
	return done;
stop:
	st->addr = addr;
	st->stop = true;
	return done;
}

/* Is the subtree under table @tbl (at @lvl) free of present entries? */
PT_ALWAYS_INLINE bool pt_empty_body(struct pt *pt, enum pt_fmt F,
				    const uint64_t *tbl, unsigned int lvl,
				    bool (*self)(struct pt *, const uint64_t *,
						 unsigned int))
{
	for (unsigned int i = 0; i < PT_ENTRIES; i++) {
		uint64_t e = pt_load(&tbl[i]);
		const uint64_t *child;

		if (!e)
			continue;
		if (!pt_fmt_present(F, e) || pt_fmt_is_leaf(F, e, lvl))
			return false;
		child = pt_tbl(pt, pt_fmt_oa(F, e, lvl, false));
		if (!child || !self(pt, child, lvl - 1))
			return false;
	}
	return true;
}

/* Queue every table page of the subtree under @pa (at @lvl) on @l. */
PT_ALWAYS_INLINE int
pt_collect_body(struct pt *pt, enum pt_fmt F, uint64_t pa, unsigned int lvl,
		uint64_t base, struct pt_free_list *l,
		int (*self)(struct pt *, uint64_t, unsigned int, uint64_t,
			    struct pt_free_list *))
{
	const uint64_t *tbl = pt_tbl(pt, pa);
	uint64_t span = 1ull << pt_shift(lvl + 1);
	int err;

	if (!tbl)
		return -EFAULT;
	if (lvl) {
		for (unsigned int i = 0; i < PT_ENTRIES; i++) {
			uint64_t e = pt_load(&tbl[i]);

			if (pt_fmt_present(F, e) &&
			    !pt_fmt_is_leaf(F, e, lvl)) {
				err = self(pt, pt_fmt_oa(F, e, lvl, false),
					   lvl - 1,
					   base + (uint64_t)i * (span >> 9), l);
				if (err)
					return err;
			}
		}
	}
	return pt_free_push(l, pa, base, base + (span - 1));
}

/*
 * Write @count leaves at @lvl.  Returns 0 or -errno with *@written the
 * leaves written (the caller undoes them).
 */
PT_ALWAYS_INLINE int
pt_map_body(struct pt *pt, enum pt_fmt F, uint64_t iova, uint64_t pa,
	    unsigned int lvl, uint64_t count, uint64_t attr, uint64_t *written,
	    struct pt_free_list *freed,
	    bool (*empty)(struct pt *, const uint64_t *, unsigned int),
	    int (*collect)(struct pt *, uint64_t, unsigned int, uint64_t,
			   struct pt_free_list *))
{
	const uint64_t size = 1ull << pt_shift(lvl);
	const unsigned int top = pt->cfg.levels - 1;
	uint64_t done = 0;
	int err;

	while (done < count) {
		uint64_t *tbl = pt->root;

		for (unsigned int l = top; l > lvl; l--) {
			uint64_t *p = &tbl[pt_index(iova, l)];
			uint64_t e = pt_load(p);

			if (PT_UNLIKELY(!pt_fmt_present(F, e))) {
				uint64_t npa, raw = 0;
				uint64_t *nva;

				if (e) {
					err = -EEXIST;
					goto out;
				}
				err = pt_alloc_table(pt, &npa, &nva);
				if (err)
					goto out;
				e = pt_fmt_table(F, npa);
				if (__atomic_compare_exchange_n(
					p, &raw, htole64(e), false,
					__ATOMIC_RELEASE, __ATOMIC_ACQUIRE)) {
					tbl = nva;
					continue;
				}
				/* Another thread installed one first. */
				pt->host->ops->table_free(pt->host, npa,
							  PT_TABLE_SIZE);
				e = le64toh(raw);
				if (!pt_fmt_present(F, e)) {
					err = -EEXIST;
					goto out;
				}
			}
			if (PT_UNLIKELY(pt_fmt_is_leaf(F, e, l))) {
				err = -EEXIST; /* a larger page covers it */
				goto out;
			}
			tbl = pt_tbl(pt, pt_fmt_oa(F, e, l, false));
			if (PT_UNLIKELY(!tbl)) {
				err = -EFAULT;
				goto out;
			}
		}

		unsigned int idx = pt_index(iova, lvl);
		uint64_t n = PT_ENTRIES - idx;

		if (n > count - done)
			n = count - done;
		for (uint64_t i = 0; i < n; i++) {
			uint64_t *p = &tbl[idx + i];
			uint64_t e = pt_load_relaxed(p);

			if (PT_UNLIKELY(e)) {
				/* An empty table where a large leaf goes is
				 * replaced; its pages wait for the caller's
				 * invalidation. */
				uint64_t raw = htole64(e);
				uint64_t cpa = pt_fmt_oa(F, e, lvl, false);
				const uint64_t *child;

				err = -EEXIST;
				if (!lvl || !freed || !pt_fmt_present(F, e) ||
				    pt_fmt_is_leaf(F, e, lvl))
					goto out;
				child = pt_tbl(pt, cpa);
				if (!child || !empty(pt, child, lvl - 1))
					goto out;
				if (!__atomic_compare_exchange_n(
					p, &raw, htole64(attr | pa), false,
					__ATOMIC_RELEASE, __ATOMIC_RELAXED))
					goto out;
				if (collect(pt, cpa, lvl - 1, iova, freed)) {
					/* Cannot record the pages: put the
					 * table back, nothing is lost. */
					pt_store(p, e);
					err = -ENOMEM;
					goto out;
				}
			} else {
				pt_store(p, attr | pa);
			}
			pa += size;
			iova += size;
			done++;
		}
	}
	err = 0;
out:
	*written = done;
	return err;
}

PT_ALWAYS_INLINE int pt_walk_body(struct pt *pt, enum pt_fmt F, uint64_t iova,
				  uint64_t *phys)
{
	const uint64_t *tbl = pt->root;

	for (unsigned int l = pt->cfg.levels - 1;; l--) {
		uint64_t e = pt_load(&tbl[pt_index(iova, l)]);

		if (!pt_fmt_present(F, e))
			return -ENOENT;
		if (pt_fmt_is_leaf(F, e, l)) {
			*phys = pt_fmt_oa(F, e, l, true) |
				(iova & ((1ull << pt_shift(l)) - 1));
			return 0;
		}
		tbl = pt_tbl(pt, pt_fmt_oa(F, e, l, false));
		if (!tbl)
			return -EFAULT;
	}
}

#define PT_DEFINE_FMT(NAME, F)                                                 \
	static uint64_t pt_unmap_##NAME(struct pt *pt, uint64_t *tbl,          \
					unsigned int lvl,                      \
					struct pt_unmap_st *st)                \
	{                                                                      \
		return pt_unmap_body(pt, F, tbl, lvl, st, pt_unmap_##NAME);    \
	}                                                                      \
	static bool pt_empty_##NAME(struct pt *pt, const uint64_t *tbl,        \
				    unsigned int lvl)                          \
	{                                                                      \
		return pt_empty_body(pt, F, tbl, lvl, pt_empty_##NAME);        \
	}                                                                      \
	static int pt_collect_##NAME(struct pt *pt, uint64_t pa,               \
				     unsigned int lvl, uint64_t base,          \
				     struct pt_free_list *l)                   \
	{                                                                      \
		return pt_collect_body(pt, F, pa, lvl, base, l,                \
				       pt_collect_##NAME);                     \
	}                                                                      \
	static int pt_map_##NAME(struct pt *pt, uint64_t iova, uint64_t pa,    \
				 unsigned int lvl, uint64_t count,             \
				 uint64_t attr, uint64_t *written,             \
				 struct pt_free_list *freed)                   \
	{                                                                      \
		return pt_map_body(pt, F, iova, pa, lvl, count, attr, written, \
				   freed, pt_empty_##NAME, pt_collect_##NAME); \
	}                                                                      \
	static int pt_walk_##NAME(struct pt *pt, uint64_t iova,                \
				  uint64_t *phys)                              \
	{                                                                      \
		return pt_walk_body(pt, F, iova, phys);                        \
	}

PT_DEFINE_FMT(vtdss, PT_FMT_VTDSS)
PT_DEFINE_FMT(x86, PT_FMT_X86_64)

/* ---- public calls -------------------------------------------------------- */

int pt_init(struct pt *pt, struct iommu_host *host, const struct pt_cfg *cfg)
{
	unsigned int min_levels;
	int err;

	if (!pt || !host || !host->ops || !host->ops->table_alloc ||
	    !host->ops->table_free || !host->ops->mem_ptr || !cfg)
		return -EINVAL;
	switch (cfg->fmt) {
	case PT_FMT_VTDSS:
		min_levels = 3;
		break;
	case PT_FMT_X86_64:
		min_levels = 4;
		break;
	default:
		return -EINVAL;
	}
	if (cfg->levels < min_levels || cfg->levels > PT_MAX_LEVELS ||
	    !cfg->ia_bits || cfg->ia_bits > pt_shift(cfg->levels) ||
	    cfg->oa_bits < 13 || cfg->oa_bits > 52 ||
	    !(cfg->pgsize_bitmap & (1ull << 12)) ||
	    cfg->pgsize_bitmap & ~((1ull << 12) | (1ull << 21) | (1ull << 30)))
		return -EINVAL;
	memset(pt, 0, sizeof(*pt));
	pt->cfg = *cfg;
	pt->host = host;
	pt->oa_mask = PT_ADDR_MASK & ((1ull << cfg->oa_bits) - 1);
	err = host->ops->table_alloc(host, PT_TABLE_SIZE, &pt->root_pa);
	if (err)
		return err;
	pt->root = host->ops->mem_ptr(host, pt->root_pa, PT_TABLE_SIZE);
	if (!pt->root) {
		host->ops->table_free(host, pt->root_pa, PT_TABLE_SIZE);
		return -EFAULT;
	}
	pt->delta = (intptr_t)(uintptr_t)pt->root - (intptr_t)pt->root_pa;
	pt->lo = pt->hi = pt->root_pa;
	return 0;
}

static void pt_destroy_tbl(struct pt *pt, uint64_t pa, unsigned int lvl)
{
	const uint64_t *tbl = pt_tbl(pt, pa);

	if (tbl && lvl) {
		for (unsigned int i = 0; i < PT_ENTRIES; i++) {
			uint64_t e = pt_load(&tbl[i]);

			if (pt_fmt_present(pt->cfg.fmt, e) &&
			    !pt_fmt_is_leaf(pt->cfg.fmt, e, lvl))
				pt_destroy_tbl(pt, e & PT_ADDR_MASK, lvl - 1);
		}
	}
	pt->host->ops->table_free(pt->host, pa, PT_TABLE_SIZE);
}

void pt_destroy(struct pt *pt)
{
	if (!pt || !pt->root)
		return;
	pt_destroy_tbl(pt, pt->root_pa, pt->cfg.levels - 1);
	pt->root = NULL;
}

/*
 * Descend without recursion while the range lies inside one table entry
 * and does not cover it whole (nothing at those levels can be freed), then
 * let the recursive walker do the rest.
 */
PT_ALWAYS_INLINE uint64_t pt_unmap_top(struct pt *pt, enum pt_fmt F,
				       struct pt_unmap_st *st, pt_unmap_fn body)
{
	uint64_t *tbl = pt->root;
	unsigned int lvl = pt->cfg.levels - 1;

	while (lvl) {
		uint64_t span = 1ull << pt_shift(lvl);
		uint64_t base = st->start & ~(span - 1);
		uint64_t e;

		if (st->last - base >= span - 1)
			break;
		e = pt_load(&tbl[pt_index(st->start, lvl)]);
		if (!pt_fmt_present(F, e))
			return 0;
		if (pt_fmt_is_leaf(F, e, lvl))
			break; /* the walker stops there: it would be cut */
		tbl = pt_tbl(pt, pt_fmt_oa(F, e, lvl, false));
		if (!tbl)
			return 0;
		lvl--;
	}
	return body(pt, tbl, lvl, st);
}

static uint64_t pt_unmap_range(struct pt *pt, uint64_t iova, uint64_t last,
			       struct pt_free_list *freed, uint64_t *max_leaf)
{
	struct pt_unmap_st st = {
	    .start = iova,
	    .last = last,
	    .addr = iova,
	    .freed = freed,
	};
	uint64_t done;

	if (pt->cfg.fmt == PT_FMT_VTDSS)
		done = pt_unmap_top(pt, PT_FMT_VTDSS, &st, pt_unmap_vtdss);
	else
		done = pt_unmap_top(pt, PT_FMT_X86_64, &st, pt_unmap_x86);
	if (max_leaf)
		*max_leaf = st.max_leaf;
	return done;
}

int pt_map(struct pt *pt, uint64_t iova, uint64_t pa, uint64_t pgsize,
	   uint64_t pgcount, unsigned int prot, uint64_t *mapped,
	   struct pt_free_list *freed)
{
	uint64_t len, written = 0, attr;
	unsigned int lvl;
	int err;

	if (mapped)
		*mapped = 0;
	if (!pt || !pt->root || !mapped || !pgcount || !iommu_is_pow2(pgsize) ||
	    !(pt->cfg.pgsize_bitmap & pgsize) || (iova | pa) & (pgsize - 1) ||
	    !(prot & (IOMMU_READ | IOMMU_WRITE)))
		return -EINVAL;
	if (pgcount > UINT64_MAX / pgsize)
		return -ERANGE;
	len = pgsize * pgcount;
	if (iova + (len - 1) < iova || pa + (len - 1) < pa ||
	    ((iova + (len - 1)) >> pt->cfg.ia_bits) ||
	    ((pa + (len - 1)) >> pt->cfg.oa_bits))
		return -ERANGE;
	lvl = (unsigned int)(__builtin_ctzll(pgsize) - 12) / 9;
	if (pt->cfg.fmt == PT_FMT_VTDSS) {
		attr = pt_fmt_leaf_attr(PT_FMT_VTDSS, prot, lvl, pt->cfg.snoop);
		err = pt_map_vtdss(pt, iova, pa, lvl, pgcount, attr, &written,
				   freed);
	} else {
		attr = pt_fmt_leaf_attr(PT_FMT_X86_64, prot, lvl, false);
		err = pt_map_x86(pt, iova, pa, lvl, pgcount, attr, &written,
				 freed);
	}
	if (err) {
		/* All or nothing: take back the leaves this call wrote.  The
		 * tables it allocated stay (they are empty and reusable). */
		if (written)
			pt_unmap_range(pt, iova, iova + written * pgsize - 1,
				       NULL, NULL);
		return err;
	}
	*mapped = len;
	return 0;
}

uint64_t pt_unmap(struct pt *pt, uint64_t iova, uint64_t len,
		  struct pt_free_list *freed, uint64_t *max_leaf)
{
	uint64_t last;

	if (max_leaf)
		*max_leaf = 0;
	if (!pt || !pt->root || !len || iova & 0xfff)
		return 0;
	last = iova + (len - 1);
	if (last < iova)
		last = UINT64_MAX;
	if (iova >> pt->cfg.ia_bits)
		return 0;
	if (last >> pt->cfg.ia_bits)
		last = (1ull << pt->cfg.ia_bits) - 1;
	return pt_unmap_range(pt, iova, last, freed, max_leaf);
}

int pt_iova_to_phys(struct pt *pt, uint64_t iova, uint64_t *phys)
{
	if (!pt || !pt->root || !phys)
		return -EINVAL;
	if (iova >> pt->cfg.ia_bits)
		return -ERANGE;
	if (pt->cfg.fmt == PT_FMT_VTDSS)
		return pt_walk_vtdss(pt, iova, phys);
	return pt_walk_x86(pt, iova, phys);
}
