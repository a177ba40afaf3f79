// SPDX-License-Identifier: MIT
/*
 * pt.c - the engine's public calls (see pt.h and README.md): argument
 * checks, the switch to the format's instance of the algorithm
 * (pt_algo.h, once per call), table memory and free lists.
 *
 * Table pages: the PA of a table is turned into a host pointer by adding
 * a delta learnt from the root page, as long as every table page has that
 * delta and lies in the PA range seen so far; otherwise (pages in another
 * RAM region, or a corrupted entry pointing elsewhere) the engine asks
 * host->ops->mem_ptr, which bounds-checks.  So a bad entry is an error,
 * never a wild pointer.
 */
#include "pt_defs.h"

/* The formats, by enum pt_fmt. */
static const struct pt_fmt_ops *const pt_fmts[] = {
	[PT_FMT_VTDSS] = &pt_fmt_vtdss,	    [PT_FMT_X86_64] = &pt_fmt_x86_64,
	[PT_FMT_AMDV1] = &pt_fmt_amdv1,	    [PT_FMT_AMDV2] = &pt_fmt_amdv2,
	[PT_FMT_LPAE_S1] = &pt_fmt_lpae_s1, [PT_FMT_LPAE_S2] = &pt_fmt_lpae_s2,
};

static const struct pt_fmt_ops *pt_ops_of(unsigned int fmt)
{
	return fmt < sizeof(pt_fmts) / sizeof(pt_fmts[0]) ? pt_fmts[fmt]
							   : NULL;
}

/* ---- table memory -------------------------------------------------------- */

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

int pt__alloc_table(struct pt *pt, size_t size, uint64_t *pa, uint64_t **va)
{
	int err = pt->host->ops->table_alloc(pt->host, size, pa);

	if (err)
		return err;
	*va = pt->host->ops->mem_ptr(pt->host, *pa, size);
	if (!*va) {
		pt->host->ops->table_free(pt->host, *pa, size);
		return -EFAULT;
	}
	pt_note_page(pt, *pa, *va);
	return 0;
}

/* ---- free lists ---------------------------------------------------------- */

int pt__free_push(struct pt_free_list *l, uint64_t pa, uint64_t start,
		  uint64_t last, size_t size)
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
	l->v[l->n++] = (struct pt_free_ent){pa, start, last, (uint32_t)size};
	return 0;
}

void pt_free_pages(struct iommu_host *host, struct pt_free_list *list)
{
	if (!host || !list)
		return;
	for (size_t i = 0; i < list->n; i++)
		host->ops->table_free(host, list->v[i].pa, list->v[i].size);
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

/* ---- set-up -------------------------------------------------------------- */

/* The format's geometry for @cfg at @levels levels (0: cfg->levels) and
 * @ia_bits (0: the whole width). */
static int pt_geom_at(const struct pt_fmt_ops *ops, const struct pt_cfg *cfg,
		      unsigned int levels, unsigned int ia_bits,
		      struct pt_geom *g)
{
	struct pt_cfg c = *cfg;

	c.levels = levels ? levels : cfg->levels;
	c.ia_bits = ia_bits;
	memset(g, 0, sizeof(*g));
	if (ops->geom(&c, g) || !g->levels || g->levels > PT_MAX_LEVELS ||
	    !g->top_bits)
		return -EINVAL;
	return 0;
}

/* Can a table of @g take another level on top (its top full)? */
static bool pt_full_top(const struct pt_geom *g)
{
	return g->top_bits == g->g - 3 &&
	       g->ia_bits == g->g + (g->g - 3) * g->levels;
}

static uint64_t pt_geom_sizes(const struct pt_geom *g)
{
	uint64_t all = 0;

	for (unsigned int l = 0; l < g->levels; l++)
		all |= g->lvl_sizes[l];
	return all;
}

/*
 * The format's answer to @cfg, with the caller's size limits applied: @g
 * the geometry now, @gm the one at cfg->max_levels (the same without
 * growth), *@sizes the leaf sizes of @gm within the caller's.
 */
static int pt_shape(const struct pt_cfg *cfg, const struct pt_fmt_ops **ops,
		    struct pt_geom *g, struct pt_geom *gm, uint64_t *sizes)
{
	uint64_t all;

	if (!cfg || !(*ops = pt_ops_of(cfg->fmt)))
		return -EINVAL;
	if (cfg->oa_bits < 13 || cfg->oa_bits > 52)
		return -EINVAL;
	if (pt_geom_at(*ops, cfg, 0, cfg->ia_bits, g))
		return -EINVAL;
	*gm = *g;
	if (cfg->max_levels && cfg->max_levels != g->levels) {
		if (cfg->max_levels < g->levels ||
		    cfg->max_levels > PT_MAX_LEVELS || cfg->ia_bits)
			return -EINVAL;
		/* Every level count short of the last must have a full
		 * top, which becomes an ordinary table when it grows. */
		for (unsigned int l = g->levels; l <= cfg->max_levels; l++) {
			if (pt_geom_at(*ops, cfg, l, 0, gm) ||
			    gm->levels != l ||
			    (l < cfg->max_levels && !pt_full_top(gm)))
				return -EINVAL;
		}
	}
	all = pt_geom_sizes(gm);
	if (cfg->pgsize_bitmap) {
		if (cfg->pgsize_bitmap & ~all)
			return -EINVAL;
		all = cfg->pgsize_bitmap;
	}
	/* Every mapping is made of granule pages at worst. */
	if (!(all & (1ull << g->g)))
		return -EINVAL;
	*sizes = all;
	return 0;
}

uint64_t pt_pgsizes(const struct pt_cfg *cfg)
{
	const struct pt_fmt_ops *ops;
	struct pt_geom g, gm;
	uint64_t sizes;

	return pt_shape(cfg, &ops, &g, &gm, &sizes) ? 0 : sizes;
}

static uint64_t pt_last_of(unsigned int ia_bits)
{
	return ia_bits >= 64 ? UINT64_MAX : (1ull << ia_bits) - 1;
}

int pt_init(struct pt *pt, struct iommu_host *host, const struct pt_cfg *cfg)
{
	const struct pt_fmt_ops *ops;
	struct pt_geom g, gm, gl;
	uint64_t sizes;
	unsigned int top;
	int err;

	if (!pt || !host || !host->ops || !host->ops->table_alloc ||
	    !host->ops->table_free || !host->ops->mem_ptr || !cfg)
		return -EINVAL;
	err = pt_shape(cfg, &ops, &g, &gm, &sizes);
	if (err)
		return err;
	memset(pt, 0, sizeof(*pt));
	pt->cfg = *cfg;
	pt->cfg.granule_lg2 = g.g;
	pt->cfg.levels = g.levels;
	pt->cfg.ia_bits = g.ia_bits;
	pt->cfg.max_levels = gm.levels;
	pt->max_levels = gm.levels;
	pt->top_bits = g.top_bits;
	pt->ia_last = pt_last_of(g.ia_bits);
	pt->pgsizes = sizes;
	pt->fops = ops;
	pt->host = host;
	for (unsigned int l = 0; l < gm.levels; l++)
		for (unsigned int b = 0; b < 64; b++)
			if (gm.lvl_sizes[l] & (1ull << b))
				pt->lvl_of[b] = (uint8_t)l;
	top = g.levels - 1;
	for (unsigned int l = 0; l < top; l++)
		pt->lvl_bits[l] = (uint8_t)(g.g - 3);
	pt->lvl_bits[top] = (uint8_t)g.top_bits;
	pt->ia_lasts[top] = pt->ia_last;
	pt->pgsizes_at[top] = sizes & pt_geom_sizes(&g);
	for (unsigned int l = g.levels + 1; l <= gm.levels; l++) {
		if (pt_geom_at(ops, cfg, l, 0, &gl))
			return -EINVAL; /* checked by pt_shape() */
		pt->pgsizes_at[l - 1] = sizes & pt_geom_sizes(&gl);
	}
	pt->root_size = (size_t)8 << g.top_bits;
	if (pt->root_size < 4096)
		pt->root_size = 4096;
	err = host->ops->table_alloc(host, pt->root_size, &pt->root_pa);
	if (err)
		return err;
	pt->root = host->ops->mem_ptr(host, pt->root_pa, pt->root_size);
	if (!pt->root) {
		host->ops->table_free(host, pt->root_pa, pt->root_size);
		return -EFAULT;
	}
	pt->delta = (intptr_t)(uintptr_t)pt->root - (intptr_t)pt->root_pa;
	pt->lo = pt->hi = pt->root_pa;
	pt->roots[top] = pt->root;
	pt->root_pas[top] = pt->root_pa;
	pt->root_sizes[top] = pt->root_size;
	return 0;
}

int pt_grow(struct pt *pt, unsigned int levels)
{
	unsigned int cur;

	if (!pt || !pt->root)
		return -EINVAL;
	cur = pt_cur_levels(pt);
	if (levels < cur || levels > pt->max_levels)
		return -EINVAL;
	for (unsigned int l = cur + 1; l <= levels; l++) {
		struct pt_geom g;
		size_t size;
		uint64_t pa, *va;
		int err;

		if (pt_geom_at(pt->fops, &pt->cfg, l, 0, &g))
			return -EINVAL;
		size = (size_t)8 << g.top_bits;
		if (size < 4096)
			size = 4096;
		err = pt__alloc_table(pt, size, &pa, &va);
		if (err)
			return err;
		memset(va, 0, size);
		/* Entry 0 of the new top (level l - 1) holds the old one,
		 * which covers input addresses [0, 2^old width). */
		pt_store(&va[0],
			 pt->fops->mk_table(pt, pt->root_pas[l - 2], l - 1));
		pt->lvl_bits[l - 1] = (uint8_t)g.top_bits;
		pt->roots[l - 1] = va;
		pt->root_pas[l - 1] = pa;
		pt->root_sizes[l - 1] = size;
		pt->ia_lasts[l - 1] = pt_last_of(g.ia_bits);
		/* The public fields, for callers that read them with no
		 * grow running (pt_root() otherwise). */
		__atomic_store_n(&pt->root_pa, pa, __ATOMIC_RELAXED);
		__atomic_store_n(&pt->top_bits, g.top_bits, __ATOMIC_RELAXED);
		__atomic_store_n(&pt->cfg.ia_bits, g.ia_bits, __ATOMIC_RELAXED);
		__atomic_store_n(&pt->cfg.levels, l, __ATOMIC_RELEASE);
	}
	return 0;
}

uint64_t pt_root(const struct pt *pt, unsigned int *levels)
{
	unsigned int l;

	if (!pt || !pt->root)
		return 0;
	l = pt_cur_levels(pt);
	if (levels)
		*levels = l;
	return pt->root_pas[l - 1];
}

static inline uint64_t pt_ia_last(const struct pt *pt)
{
	return pt->ia_lasts[pt_cur_levels(pt) - 1];
}

static int pt_destroy_visit(void *ctx, const struct pt_visit *v)
{
	struct pt *pt = ctx;

	pt->host->ops->table_free(pt->host, v->pa,
				  (size_t)1 << pt->cfg.granule_lg2);
	return 0;
}

void pt_destroy(struct pt *pt)
{
	unsigned int top;

	if (!pt || !pt->root)
		return;
	top = pt_cur_levels(pt) - 1;
	pt->fops->iterate(pt, 0, pt_ia_last(pt), PT__IT_TABLES,
			  pt_destroy_visit, pt);
	pt->host->ops->table_free(pt->host, pt->root_pas[top],
				  pt->root_sizes[top]);
	pt->root = NULL;
}

/* ---- operations ---------------------------------------------------------- */

int pt_map(struct pt *pt, uint64_t iova, uint64_t pa, uint64_t len,
	   unsigned int prot, uint64_t *mapped, struct pt_free_list *freed)
{
	uint64_t gmask;

	if (mapped)
		*mapped = 0;
	if (!pt || !pt->root || !mapped || !len ||
	    !(prot & (IOMMU_READ | IOMMU_WRITE)))
		return -EINVAL;
	gmask = (1ull << pt->cfg.granule_lg2) - 1;
	if ((iova | pa | len) & gmask)
		return -EINVAL;
	if (iova + (len - 1) < iova || pa + (len - 1) < pa ||
	    iova + (len - 1) > pt_ia_last(pt) ||
	    ((pa + (len - 1)) >> pt->cfg.oa_bits))
		return -ERANGE;
	return pt->fops->map(pt, iova, pa, len, prot, mapped, freed);
}

uint64_t pt_unmap(struct pt *pt, uint64_t iova, uint64_t len,
		  struct pt_free_list *freed, uint64_t *max_leaf)
{
	uint64_t last;

	if (max_leaf)
		*max_leaf = 0;
	if (!pt || !pt->root || !len ||
	    iova & ((1ull << pt->cfg.granule_lg2) - 1))
		return 0;
	last = iova + (len - 1);
	if (last < iova)
		last = UINT64_MAX;
	if (iova > pt_ia_last(pt))
		return 0;
	if (last > pt_ia_last(pt))
		last = pt_ia_last(pt);
	return pt->fops->unmap(pt, iova, last, freed, max_leaf);
}

int pt_iova_to_phys(struct pt *pt, uint64_t iova, uint64_t *phys)
{
	if (!pt || !pt->root || !phys)
		return -EINVAL;
	if (iova > pt_ia_last(pt))
		return -ERANGE;
	return pt->fops->iova_to_phys(pt, iova, phys);
}

/* [@iova, @iova + @len) clipped to the input width; false if empty. */
static bool pt_range(const struct pt *pt, uint64_t iova, uint64_t len,
		     uint64_t *last)
{
	if (!len || iova > pt_ia_last(pt))
		return false;
	*last = iova + (len - 1);
	if (*last < iova || *last > pt_ia_last(pt))
		*last = pt_ia_last(pt);
	return true;
}

int pt_iterate(struct pt *pt, uint64_t iova, uint64_t len, bool tables,
	       pt_visit_fn fn, void *ctx)
{
	uint64_t last;

	if (!pt || !pt->root || !fn)
		return -EINVAL;
	if (!pt_range(pt, iova, len, &last))
		return 0;
	return pt->fops->iterate(pt, iova, last,
				 PT__IT_LEAVES | (tables ? PT__IT_TABLES : 0),
				 fn, ctx);
}

int pt_set_dirty_tracking(struct pt *pt, bool on)
{
	if (!pt || !pt->root)
		return -EINVAL;
	if (!(pt->cfg.features & PT_FEAT_DIRTY))
		return -EOPNOTSUPP;
	return pt->fops->set_dirty(pt, on);
}

int pt_read_and_clear_dirty(struct pt *pt, uint64_t iova, uint64_t len,
			    struct pt_dirty_bitmap *bm, unsigned int flags)
{
	uint64_t last;

	if (!pt || !pt->root || !bm || !bm->bits || bm->pgshift < 12 ||
	    bm->pgshift > 63 || flags & ~PT_DIRTY_NO_CLEAR)
		return -EINVAL;
	if (!(pt->cfg.features & PT_FEAT_DIRTY))
		return -EOPNOTSUPP;
	if (!pt_range(pt, iova, len, &last) || !bm->nbits)
		return 0;
	return pt->fops->dirty(pt, iova, last, bm, flags);
}

int pt_walk(struct iommu_host *host, const struct pt_walk_desc *d,
	    uint64_t ia, unsigned int access, struct pt_walk_res *res)
{
	const struct pt_fmt_ops *ops;

	if (PT_LIKELY(res && d && host && host->ops && host->ops->mem_read &&
		      (ops = pt_ops_of(d->fmt)) &&
		      (unsigned int)d->levels - 1 < PT_MAX_LEVELS &&
		      d->oa_bits <= 52 &&
		      !(access & ~(PT_ACC_R | PT_ACC_W | PT_ACC_X |
				   PT_ACC_PRIV))))
		return ops->walk(host, d, ia, access, res);
	if (res) {
		memset(res, 0, sizeof(*res));
		res->err = PT_WALK_BAD_DESC;
	}
	return -PT_WALK_BAD_DESC;
}
