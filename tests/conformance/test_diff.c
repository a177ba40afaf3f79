// SPDX-License-Identifier: MIT
/*
 * test_diff.c - randomized differential test.
 *
 * Seeded random sequences of map, unmap, attach, detach, translate and
 * flush on an UNMANAGED domain are run through the library and through a
 * plain reference model of docs/architecture.md "Map and unmap semantics":
 *  - map splits [iova, iova + size) into units, each the largest page of
 *    the domain's bitmap that divides iova, paddr and the remaining size;
 *    misaligned, zero-sized or bad-prot maps are -EINVAL, maps outside the
 *    aperture -ERANGE, maps over a mapped page -EEXIST, all or nothing;
 *  - unmap removes units from iova upwards while each lies wholly inside
 *    the range and stops at a hole or at a unit the range would cut;
 *  - a DMA translates through the units when the domain is attached and
 *    faults (once) where nothing is mapped or the permission is missing;
 *    in deferred mode an unmapped unit may still translate to its old
 *    target until the next flush.
 * Operations stay in a small IOVA window so that they collide.
 *
 * 10^5 operations per configuration, 10^6 with IOMMU_LONG=1, N with
 * IOMMU_DIFF_OPS=N (for valgrind).  The seed is
 * printed at the start and on failure; IOMMU_SEED=N replays a run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"

#define WIN_BASE TIOVA	       /* 1 GiB: aligned for every page size */
#define WIN_SIZE (32ull << 20) /* operations collide in 32 MiB */
#define PA_BASE	 TMEM_BASE
#define PA_SIZE	 (64ull << 20)

struct mpage {
	int32_t unit;	   /* first page of the unit, -1 if unmapped */
	uint32_t npages;   /* pages of the unit (on every page of it) */
	uint64_t phys;	   /* target of this page */
	unsigned int prot; /* IOMMU_READ | IOMMU_WRITE */
	bool stale;	   /* deferred: an old translation may be cached */
	bool stale_any;	   /* ... several, of unknown targets */
	uint64_t stale_phys;
	unsigned int stale_prot;
};

struct model {
	struct mpage *pg;
	uint64_t npages;
	uint64_t min; /* smallest page size */
	uint64_t bitmap;
	uint64_t ap_start, ap_last;
	bool strict;
	bool write_implies_read;
	bool attached;
	bool default_dma;
};

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	/* xorshift64* */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

static uint64_t rnd_below(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

static uint64_t model_page_size(const struct model *m, uint64_t iova,
				uint64_t pa, uint64_t rem)
{
	uint64_t bm = m->bitmap, best = 0;

	while (bm) {
		uint64_t s = bm & -bm;

		bm &= bm - 1;
		if (s <= rem && !(iova & (s - 1)) && !(pa & (s - 1)))
			best = s;
	}
	return best;
}

static int model_map(struct model *m, uint64_t iova, uint64_t pa, uint64_t size,
		     unsigned int prot)
{
	uint64_t first, n, i, rem;

	if (!(prot & (IOMMU_READ | IOMMU_WRITE)) || (prot & ~IOMMU_PROT_MASK))
		return -EINVAL;
	if (!size || ((iova | pa | size) & (m->min - 1)))
		return -EINVAL;
	if (iova + size - 1 < iova || iova < m->ap_start ||
	    iova + size - 1 > m->ap_last)
		return -ERANGE;
	/* The generator keeps valid maps inside the window. */
	first = (iova - WIN_BASE) / m->min;
	n = size / m->min;
	for (i = 0; i < n; i++)
		if (m->pg[first + i].unit >= 0)
			return -EEXIST;
	rem = size;
	while (rem) {
		uint64_t s = model_page_size(m, iova, pa, rem);
		uint64_t k = s / m->min, u = (iova - WIN_BASE) / m->min;

		for (i = 0; i < k; i++) {
			struct mpage *p = &m->pg[u + i];

			p->unit = (int32_t)u;
			p->npages = (uint32_t)k;
			p->phys = pa + i * m->min;
			p->prot = prot & (IOMMU_READ | IOMMU_WRITE);
			if (m->write_implies_read && (prot & IOMMU_WRITE))
				p->prot |= IOMMU_READ;
		}
		iova += s;
		pa += s;
		rem -= s;
	}
	return 0;
}

static uint64_t model_unmap(struct model *m, uint64_t iova, uint64_t size)
{
	uint64_t pos = (iova - WIN_BASE) / m->min;
	uint64_t end = pos + size / m->min, done = 0, i;

	while (pos < end) {
		struct mpage *p = &m->pg[pos];
		uint64_t k = p->npages;

		if (p->unit < 0 || (uint64_t)p->unit != pos || pos + k > end)
			break;
		for (i = 0; i < k; i++) {
			struct mpage *q = &m->pg[pos + i];

			if (!m->strict) {
				if (q->stale && (q->stale_phys != q->phys ||
						 q->stale_prot != q->prot))
					q->stale_any = true;
				q->stale = true;
				q->stale_phys = q->phys;
				q->stale_prot = q->prot;
			}
			q->unit = -1;
		}
		done += k * m->min;
		pos += k;
	}
	return done;
}

static void model_flush(struct model *m)
{
	uint64_t i;

	for (i = 0; i < m->npages; i++)
		m->pg[i].stale = m->pg[i].stale_any = false;
}

struct diff {
	struct tctx *t;
	struct iommu_domain *d;
	struct model m;
	struct fault_log dl;
	uint64_t seed, op;
	const char *cfg;
	uint64_t big; /* second-smallest page size or 0 */
	/* counts, for the closing line */
	uint64_t maps_ok, maps_err, maps_eexist, unmapped, xlates_ok,
	    xlates_fault;
	uint64_t mapped_pages;
};

#define DIFF_FAIL(df, fmt, ...)                                                \
	cr_assert_fail("[%s] seed %#llx op %llu: " fmt, (df)->cfg,             \
		       (unsigned long long)(df)->seed,                         \
		       (unsigned long long)(df)->op, ##__VA_ARGS__)

/* An IOVA in the window, aligned to @align. */
static uint64_t pick_iova(struct rng *r, uint64_t align)
{
	return WIN_BASE + rnd_below(r, WIN_SIZE / align) * align;
}

static uint64_t pick_align(struct diff *df, struct rng *r)
{
	if (df->big && df->big <= WIN_SIZE / 4 && rnd_below(r, 10) < 3)
		return df->big;
	return df->m.min;
}

static void op_map(struct diff *df, struct rng *r)
{
	struct model *m = &df->m;
	uint64_t al = pick_align(df, r), iova = pick_iova(r, al);
	uint64_t pa = PA_BASE + rnd_below(r, PA_SIZE / al) * al, size;
	unsigned int prot = 1 + (unsigned int)rnd_below(r, 3);
	unsigned int kind = (unsigned int)rnd_below(r, 40);
	int want, got;

	switch (rnd_below(r, 8)) {
	case 0:
	case 1:
	case 2:
	case 3:
		size = (1 + rnd_below(r, 4)) * m->min;
		break;
	case 4:
		size = (1 + rnd_below(r, 64)) * m->min;
		break;
	default:
		size = al == m->min ? (1 + rnd_below(r, 16)) * m->min
				    : (1 + rnd_below(r, 2)) * al +
					  rnd_below(r, 3) * m->min;
		break;
	}
	if (iova + size > WIN_BASE + WIN_SIZE)
		size = WIN_BASE + WIN_SIZE - iova;
	if (rnd_below(r, 8) == 0)
		prot |= IOMMU_MMIO;
	/* One kind of error at a time, so the expected errno is clear. */
	if (kind == 0 && m->min > 1)
		iova += m->min / 2;
	else if (kind == 1 && m->min > 1)
		pa += m->min / 2;
	else if (kind == 2 && m->min > 1)
		size += m->min / 2;
	else if (kind == 3)
		size = 0;
	else if (kind == 4)
		prot = rnd_below(r, 2) ? 0 : IOMMU_MMIO;
	else if (kind == 5)
		prot |= 1u << 6;
	if (kind == 6 && m->ap_last != UINT64_MAX) {
		iova = m->ap_last + 1 - m->min * rnd_below(r, 2);
		size = 2 * m->min;
		want = -ERANGE;
	} else if (kind == 6) {
		iova = UINT64_MAX - m->min + 1;
		size = 2 * m->min;
		want = -ERANGE;
	} else {
		want = model_map(m, iova, pa, size, prot);
	}
	got = iommu_map(df->d, iova, pa, size, prot);
	if (kind == 6 && m->ap_last == UINT64_MAX && got == -EINVAL)
		got = -ERANGE; /* wrap-around: either errno is allowed */
	if (got != want)
		DIFF_FAIL(df,
			  "map(%#llx -> %#llx, %#llx, prot %#x) = %d, model %d",
			  (unsigned long long)iova, (unsigned long long)pa,
			  (unsigned long long)size, prot, got, want);
	if (got == -EEXIST)
		df->maps_eexist++;
	if (got)
		df->maps_err++;
	else
		df->maps_ok++;
}

static void op_unmap(struct diff *df, struct rng *r)
{
	struct model *m = &df->m;
	uint64_t al = pick_align(df, r), iova = pick_iova(r, al), size;
	uint64_t got = 0, want;
	bool fast = rnd_below(r, 4) == 0;
	int ret;

	if (rnd_below(r, 2))
		size = (1 + rnd_below(r, 8)) * m->min;
	else
		size = (1 + rnd_below(r, 3)) * al + rnd_below(r, 2) * m->min;
	/* Mostly start at a unit, so that unmaps keep the window from
	 * filling up; the rest start anywhere (holes, cut units). */
	if (rnd_below(r, 10) < 7) {
		const struct mpage *p = &m->pg[(iova - WIN_BASE) / m->min];

		if (p->unit >= 0) {
			uint64_t pos = (uint64_t)p->unit,
				 j = 1 + rnd_below(r, 8);

			iova = WIN_BASE + pos * m->min;
			size = 0;
			while (j-- && pos < m->npages && m->pg[pos].unit >= 0) {
				size += m->pg[pos].npages * m->min;
				pos += m->pg[pos].npages;
			}
			if (rnd_below(r, 5) == 0)
				size += m->min; /* run into what follows */
			if (iova + size > WIN_BASE + WIN_SIZE)
				size = WIN_BASE + WIN_SIZE - iova;
		}
	}
	if (iova + size > WIN_BASE + WIN_SIZE)
		size = WIN_BASE + WIN_SIZE - iova;
	if (rnd_below(r, 50) == 0) {
		ret = iommu_unmap(df->d, iova, rnd_below(r, 2) ? 0 : size + 1,
				  &got);
		if (ret != -EINVAL)
			DIFF_FAIL(df,
				  "bad unmap at %#llx = %d, expected -EINVAL",
				  (unsigned long long)iova, ret);
		return;
	}
	want = model_unmap(m, iova, size);
	if (fast) {
		struct iommu_iotlb_gather g;

		iommu_iotlb_gather_init(&g);
		ret = iommu_unmap_fast(df->d, iova, size, &g, &got);
		if (!ret)
			ret = iommu_iotlb_sync(df->d, &g);
	} else {
		ret = iommu_unmap(df->d, iova, size, &got);
	}
	if (ret || got != want)
		DIFF_FAIL(df, "%s(%#llx, %#llx) = %d, %#llx bytes; model %#llx",
			  fast ? "unmap_fast+sync" : "unmap",
			  (unsigned long long)iova, (unsigned long long)size,
			  ret, (unsigned long long)got,
			  (unsigned long long)want);
	df->unmapped += got;
}

static void op_translate(struct diff *df, struct rng *r)
{
	struct model *m = &df->m;
	uint64_t iova = WIN_BASE + rnd_below(r, WIN_SIZE);
	const struct mpage *p = &m->pg[(iova - WIN_BASE) / m->min];
	uint64_t off = (iova - WIN_BASE) % m->min, soft = 0;
	unsigned int acc =
	    rnd_below(r, 2) ? IOMMU_ACCESS_READ : IOMMU_ACCESS_WRITE;
	unsigned int need = acc == IOMMU_ACCESS_READ ? IOMMU_READ : IOMMU_WRITE;
	unsigned int before = df->dl.count + df->t->ctx_faults.count;
	struct iommu_translation tr;
	bool ok_now = p->unit >= 0 && (p->prot & need);
	int ret, sret;

	/* Software lookup: exact in every mode. */
	sret = iommu_iova_to_phys(df->d, iova, &soft);
	if (p->unit >= 0 ? (sret || soft != p->phys + off) : sret != -ENOENT)
		DIFF_FAIL(df, "iova_to_phys(%#llx) = %d, %#llx; model %s %#llx",
			  (unsigned long long)iova, sret,
			  (unsigned long long)soft,
			  p->unit >= 0 ? "mapped" : "unmapped",
			  (unsigned long long)(p->phys + off));

	memset(&tr, 0, sizeof(tr));
	ret = iommu_dma_translate(df->t->ctx, df->t->solo, IOMMU_NO_PASID, iova,
				  1 + rnd_below(r, 64), acc, &tr);
	if (ret != 0 && ret != -EFAULT)
		DIFF_FAIL(df, "translate(%#llx) = %d", (unsigned long long)iova,
			  ret);
	if (df->dl.count + df->t->ctx_faults.count != before + (ret ? 1 : 0))
		DIFF_FAIL(df, "translate(%#llx) = %d delivered %u faults",
			  (unsigned long long)iova, ret,
			  df->dl.count + df->t->ctx_faults.count - before);
	if (ret)
		df->xlates_fault++;
	else
		df->xlates_ok++;

	if (!m->attached) {
		/* On the default domain: nothing of ours is mapped there. */
		if (m->default_dma ? ret != -EFAULT : (ret || tr.phys != iova))
			DIFF_FAIL(df,
				  "detached translate(%#llx) = %d phys %#llx",
				  (unsigned long long)iova, ret,
				  (unsigned long long)tr.phys);
		return;
	}
	if (!ret && ok_now && tr.phys == p->phys + off)
		return;
	if (ret && !ok_now && !p->stale)
		return;
	if (p->stale) {
		if (ret || p->stale_any)
			return;
		if ((p->stale_prot & need) && tr.phys == p->stale_phys + off)
			return;
	}
	DIFF_FAIL(df,
		  "translate(%#llx, %s) = %d phys %#llx; model %s phys %#llx "
		  "prot %#x%s",
		  (unsigned long long)iova,
		  acc == IOMMU_ACCESS_READ ? "read" : "write", ret,
		  (unsigned long long)(ret ? 0 : tr.phys),
		  p->unit >= 0 ? "mapped" : "unmapped",
		  (unsigned long long)(p->phys + off), p->prot,
		  p->stale ? " (stale)" : "");
}

static void op_attach(struct diff *df)
{
	int ret;

	if (df->m.attached) {
		ret = iommu_detach_device(df->d, df->t->solo);
		if (ret)
			DIFF_FAIL(df, "detach = %d", ret);
	} else {
		ret = iommu_attach_device(df->d, df->t->solo);
		if (ret)
			DIFF_FAIL(df, "attach = %d", ret);
	}
	df->m.attached = !df->m.attached;
}

static void op_flush(struct diff *df)
{
	int ret = iommu_flush_iotlb_all(df->d);

	if (ret)
		DIFF_FAIL(df, "flush_iotlb_all = %d", ret);
	model_flush(&df->m);
}

static uint64_t diff_seed(void)
{
	const char *s = getenv("IOMMU_SEED");

	if (s && *s)
		return strtoull(s, NULL, 0);
	return (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid()
								  << 16;
}

CONF_TEST(diff, random_ops_match_model, .timeout = 600)
{
	struct diff df;
	struct rng r;
	const char *lng = getenv("IOMMU_LONG");
	const char *ops = getenv("IOMMU_DIFF_OPS");
	uint64_t nops = lng && !strcmp(lng, "1") ? 1000000 : 100000;
	uint64_t bm, x;

	/* A shorter run for slow tools (valgrind). */
	if (ops && *ops && strtoull(ops, NULL, 0) > 0)
		nops = strtoull(ops, NULL, 0);
	memset(&df, 0, sizeof(df));
	df.cfg = p->name;
	df.seed = diff_seed();
	r.s = df.seed ? df.seed : 1;
	fprintf(stderr,
		"diff[%s]: seed %#llx, %llu operations (IOMMU_SEED=%#llx to "
		"replay)\n",
		p->name, (unsigned long long)df.seed, (unsigned long long)nops,
		(unsigned long long)df.seed);
	df.t = tctx_open(p);
	df.d = dom_alloc(df.t, IOMMU_DOMAIN_UNMANAGED);
	bm = iommu_domain_pgsize_bitmap(df.d);
	df.m.bitmap = bm;
	df.m.min = bm & -bm;
	x = bm & (bm - 1);
	df.big = x & -x;
	cr_assert_leq(df.m.min, WIN_SIZE / 64);
	cr_assert_eq(iommu_domain_geometry(df.d, &df.m.ap_start, &df.m.ap_last),
		     0);
	cr_assert(df.m.ap_start <= WIN_BASE &&
		      df.m.ap_last >= WIN_BASE + WIN_SIZE - 1,
		  "aperture does not hold the test window");
	df.m.strict = iommu_ctx_strict(df.t->ctx);
	df.m.write_implies_read = p->flags & CONF_F_WRITE_IMPLIES_READ;
	df.m.default_dma = default_is_dma(df.t);
	df.m.npages = WIN_SIZE / df.m.min;
	df.m.pg = calloc(df.m.npages, sizeof(*df.m.pg));
	cr_assert_not_null(df.m.pg);
	for (x = 0; x < df.m.npages; x++)
		df.m.pg[x].unit = -1;
	if (rnd_below(&r, 2))
		cr_assert_eq(
		    iommu_set_fault_handler(df.d, fault_log_domain_fn, &df.dl),
		    0);

	for (df.op = 0; df.op < nops; df.op++) {
		uint64_t k = rnd_below(&r, 1000);

		if (k < 330)
			op_map(&df, &r);
		else if (k < 640)
			op_unmap(&df, &r);
		else if (k < 980)
			op_translate(&df, &r);
		else if (k < 990)
			op_attach(&df);
		else
			op_flush(&df);
	}
	fprintf(stderr,
		"diff[%s]: %llu ops: %llu maps, %llu refused (%llu overlaps), "
		"%llu KiB unmapped, %llu translations, %llu faults\n",
		p->name, (unsigned long long)nops,
		(unsigned long long)df.maps_ok, (unsigned long long)df.maps_err,
		(unsigned long long)df.maps_eexist,
		(unsigned long long)(df.unmapped >> 10),
		(unsigned long long)df.xlates_ok,
		(unsigned long long)df.xlates_fault);
	for (x = 0, df.mapped_pages = 0; x < df.m.npages; x++)
		df.mapped_pages += df.m.pg[x].unit >= 0;
	fprintf(stderr, "diff[%s]: window %llu%% mapped at the end\n", p->name,
		(unsigned long long)(df.mapped_pages * 100 / df.m.npages));
	cr_assert_gt(df.maps_ok, nops / 20, "too few maps succeeded");
	/* About 1 in 50 operations is a translation that passes (most aim
	 * at holes or at a detached device); at 3000 operations one seed in
	 * 60 passed fewer than 30.  The bound is far below that spread yet
	 * above zero at any length: it fails when translation is broken,
	 * not on an unlucky seed. */
	cr_assert_gt(df.xlates_ok, nops / 500, "too few translations passed");
	if (df.m.attached)
		cr_assert_eq(iommu_detach_device(df.d, df.t->solo), 0);
	free(df.m.pg);
	cr_assert_eq(iommu_domain_free(df.d), 0);
}
