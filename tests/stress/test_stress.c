// SPDX-License-Identifier: MIT
/*
 * test_stress.c - many threads on one domain while another group moves.
 *
 * Run once per configuration of the conformance suite (its configs.c,
 * helpers.c and runner are linked in, so --config, --plugin and --ini work
 * here too).  Public API only.
 *
 * STRESS_WORKERS threads share one UNMANAGED domain that device "solo" is
 * attached to.  Each owns a window of STRESS_SLOTS IOVA pages and a pool
 * of target pages no other thread uses, and does random map, unmap
 * (iommu_unmap, or iommu_unmap_fast then iommu_iotlb_sync), translate,
 * iova_to_phys, DMA write and DMA read there, each checked against its
 * own record of what it mapped: a mapped page translates to its target
 * with the rights it was mapped with, an unmapped one faults.  At the same
 * time one more thread moves group "solo2" between its default domain and
 * a second UNMANAGED domain (DMA must follow), uses the DMA API on the
 * default domain, and claims and releases the DMA ownership of group
 * "pair" (DMA must fault while it is owned).  At the end, every fault a
 * thread was told about must have reached the right handler, or be
 * counted in IOMMU_STAT_FAULTS_LOST.
 *
 * In deferred invalidation the hardware may keep an unmapped page until a
 * flush, which is not a call for concurrent use: there each slot keeps one
 * target and one set of rights, and an unmapped page that was mapped
 * before may still translate, but only to that target.
 *
 * Bounded: a worker stops after IOMMU_STRESS_ITERS operations (default
 * 20000), or after IOMMU_STRESS_MS milliseconds (default 3000) once it did
 * a tenth of them, so a slow tool (TSan) shortens the run, not the checks.
 * The seed is printed; IOMMU_SEED=N replays every thread's choices (not
 * their interleaving).
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"

#define STRESS_WORKERS 3
#define STRESS_SLOTS   16 /* IOVA pages per worker */
#define STRESS_TARGETS 32 /* target pages per worker */
#define STRESS_DMA_MAX 64 /* bytes per DMA */
/* Rounds the group mover does even when the workers finished first. */
#define STRESS_MIN_ROUNDS 8

/* Where the mover's second domain maps, away from the workers' windows. */
#define STRESS_D2_IOVA (TIOVA + 0x10000000ull)

struct stress;

/* What a worker knows of one of its IOVA pages. */
struct slot {
	bool mapped;
	bool ever;	   /* mapped at least once (deferred: may be stale) */
	uint64_t pa;	   /* target of the current or last mapping */
	unsigned int prot; /* its rights */
};

struct worker {
	struct stress *st;
	unsigned int id;
	uint64_t rng;
	uint64_t iova; /* window: STRESS_SLOTS pages */
	uint64_t pool; /* targets: STRESS_TARGETS pages */
	struct slot slot[STRESS_SLOTS];
	uint64_t ops;
	uint64_t faults; /* -EFAULT results: each must reach a handler */
	char err[256];
};

struct mover {
	struct stress *st;
	uint64_t rng;
	uint64_t rounds;
	uint64_t faults;
	char err[256];
};

struct stress {
	const char *cfg;
	uint64_t seed;
	struct tctx *t;
	struct iommu_domain *d;	 /* the workers' domain ("solo") */
	struct iommu_domain *d2; /* the mover's domain ("solo2") */
	uint64_t pg;
	bool strict;
	bool default_dma;
	uint64_t iters, min_iters, deadline_ns;
	uint64_t d2_pa;		  /* STRESS_D2_IOVA maps here in d2 */
	uint64_t dma_pa;	  /* the mover's DMA-API buffer */
	uint64_t probe;		  /* RAM address nobody maps: 1:1 or a fault */
	atomic_bool stop;	  /* a thread failed: everybody stops */
	atomic_bool workers_done; /* the mover may stop */
	/* Faults delivered, per handler, and those that looked wrong. */
	atomic_ullong faults_d, faults_d2, faults_ctx, faults_bad;
	struct worker w[STRESS_WORKERS];
	struct mover m;
};

/* ---- Small helpers ------------------------------------------------------ */

/* xorshift64*: per-thread, so a seed replays each thread's choices. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static uint64_t rnd_below(uint64_t *s, uint64_t n)
{
	return rnd(s) % n;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *s = getenv(name);

	if (s && *s && strtoull(s, NULL, 0) > 0)
		return strtoull(s, NULL, 0);
	return def;
}

static uint64_t stress_seed(void)
{
	const char *s = getenv("IOMMU_SEED");

	if (s && *s)
		return strtoull(s, NULL, 0);
	return (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid()
								  << 16;
}

/*
 * Record the first failure of a thread and stop every thread.  Criterion's
 * assertions may only run on the test's own thread, which reports @err
 * after joining.
 */
static void __attribute__((format(printf, 4, 5)))
thr_fail(struct stress *st, char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err[0]) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	atomic_store(&st->stop, true);
}

#define W_FAIL(w, fmt, ...)                                                    \
	thr_fail((w)->st, (w)->err, sizeof((w)->err),                          \
		 "worker %u, op %llu: " fmt, (w)->id,                          \
		 (unsigned long long)(w)->ops, ##__VA_ARGS__)
#define M_FAIL(m, fmt, ...)                                                    \
	thr_fail((m)->st, (m)->err, sizeof((m)->err),                          \
		 "mover, round %llu: " fmt, (unsigned long long)(m)->rounds,   \
		 ##__VA_ARGS__)

/* Bytes a DMA writes: from the thread, the operation and the offset. */
static void pattern(uint8_t *buf, size_t len, uint64_t tag)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)((tag + i) * 0x9d ^ (tag >> 8));
}

/* ---- Fault handlers (any thread may run them) --------------------------- */

/* Faults on the workers' domain come from "solo", inside a window. */
static int stress_fault_d(struct iommu_domain *d, const struct iommu_fault *f,
			  void *cookie)
{
	struct stress *st = cookie;
	uint64_t lo = TIOVA;
	uint64_t hi = TIOVA + STRESS_WORKERS * STRESS_SLOTS * st->pg;

	(void)d;
	atomic_fetch_add(&st->faults_d, 1);
	if (f->dev_id != st->t->solo ||
	    ((f->flags & IOMMU_FAULT_F_ADDR_VALID) &&
	     (f->addr < lo || f->addr >= hi)))
		atomic_fetch_add(&st->faults_bad, 1);
	return 0;
}

static int stress_fault_d2(struct iommu_domain *d, const struct iommu_fault *f,
			   void *cookie)
{
	struct stress *st = cookie;

	(void)d;
	atomic_fetch_add(&st->faults_d2, 1);
	if (f->dev_id != st->t->solo2)
		atomic_fetch_add(&st->faults_bad, 1);
	return 0;
}

/* Default and blocking domains have no handler: the mover's devices. */
static int stress_fault_ctx(struct iommu_ctx *c, const struct iommu_fault *f,
			    void *cookie)
{
	struct stress *st = cookie;

	(void)c;
	atomic_fetch_add(&st->faults_ctx, 1);
	if (f->dev_id != st->t->solo2 && f->dev_id != st->t->pair0 &&
	    f->dev_id != st->t->pair1)
		atomic_fetch_add(&st->faults_bad, 1);
	return 0;
}

/* ---- Workers ------------------------------------------------------------ */

static uint64_t w_iova(const struct worker *w, unsigned int i)
{
	return w->iova + i * w->st->pg;
}

static bool prot_allows(unsigned int prot, unsigned int access)
{
	return access == IOMMU_ACCESS_WRITE ? (prot & IOMMU_WRITE)
					    : (prot & IOMMU_READ);
}

static void w_map(struct worker *w, unsigned int i)
{
	struct stress *st = w->st;
	struct slot *s = &w->slot[i];
	uint64_t pa;
	unsigned int prot;
	int ret;

	if (st->strict) {
		pa = w->pool + rnd_below(&w->rng, STRESS_TARGETS) * st->pg;
		prot = rnd_below(&w->rng, 4) ? IOMMU_READ | IOMMU_WRITE
					     : IOMMU_READ;
	} else {
		/* Deferred: a stale entry must still be right. */
		pa = w->pool + i * st->pg;
		prot = i % 4 ? IOMMU_READ | IOMMU_WRITE : IOMMU_READ;
	}
	ret = iommu_map(st->d, w_iova(w, i), pa, st->pg, prot);
	if (s->mapped) {
		if (ret != -EEXIST)
			W_FAIL(w,
			       "map over the mapping at %#llx: %d, expected "
			       "-EEXIST",
			       (unsigned long long)w_iova(w, i), ret);
		return;
	}
	if (ret) {
		W_FAIL(w, "map %#llx -> %#llx: %d",
		       (unsigned long long)w_iova(w, i), (unsigned long long)pa,
		       ret);
		return;
	}
	s->mapped = true;
	s->ever = true;
	s->pa = pa;
	s->prot = prot;
}

/*
 * Translate @off into slot @i for @access and check the result against the
 * slot: its target and rights when mapped (or, deferred, when a stale
 * entry may remain), else a fault.
 */
static void w_translate(struct worker *w, unsigned int i, uint64_t off,
			unsigned int access)
{
	struct stress *st = w->st;
	struct slot *s = &w->slot[i];
	uint64_t iova = w_iova(w, i) + off;
	struct iommu_translation tr;
	bool ok_expected = s->mapped && prot_allows(s->prot, access);
	bool stale_ok = !st->strict && !s->mapped && s->ever &&
			prot_allows(s->prot, access);
	int ret;

	memset(&tr, 0, sizeof(tr));
	ret = iommu_dma_translate(st->t->ctx, st->t->solo, IOMMU_NO_PASID, iova,
				  8, access, &tr);
	if (ret == -EFAULT) {
		w->faults++;
		if (ok_expected)
			W_FAIL(w,
			       "%s at %#llx (mapped to %#llx, prot %#x) "
			       "faulted",
			       access == IOMMU_ACCESS_WRITE ? "write" : "read",
			       (unsigned long long)iova,
			       (unsigned long long)s->pa, s->prot);
		return;
	}
	if (ret) {
		W_FAIL(w, "translate %#llx: %d", (unsigned long long)iova, ret);
		return;
	}
	if (!ok_expected && !stale_ok) {
		W_FAIL(w, "%s at %#llx (%s, prot %#x) passed to %#llx",
		       access == IOMMU_ACCESS_WRITE ? "write" : "read",
		       (unsigned long long)iova,
		       s->mapped ? "mapped" : "unmapped", s->prot,
		       (unsigned long long)tr.phys);
		return;
	}
	if (tr.phys != s->pa + off || tr.len < 1 || tr.len > 8 ||
	    !prot_allows(tr.perm, access))
		W_FAIL(w,
		       "translate %#llx: phys %#llx len %llu perm %#x, "
		       "expected phys %#llx",
		       (unsigned long long)iova, (unsigned long long)tr.phys,
		       (unsigned long long)tr.len, tr.perm,
		       (unsigned long long)(s->pa + off));
}

static void w_unmap(struct worker *w, unsigned int i)
{
	struct stress *st = w->st;
	struct slot *s = &w->slot[i];
	uint64_t un = ~0ull, want = s->mapped ? st->pg : 0;
	int ret;

	if (rnd_below(&w->rng, 2)) {
		ret = iommu_unmap(st->d, w_iova(w, i), st->pg, &un);
	} else {
		struct iommu_iotlb_gather g;

		iommu_iotlb_gather_init(&g);
		ret = iommu_unmap_fast(st->d, w_iova(w, i), st->pg, &g, &un);
		if (!ret)
			ret = iommu_iotlb_sync(st->d, &g);
	}
	if (ret || un != want) {
		W_FAIL(w, "unmap %#llx: %d, %#llx bytes, expected %#llx",
		       (unsigned long long)w_iova(w, i), ret,
		       (unsigned long long)un, (unsigned long long)want);
		return;
	}
	s->mapped = false;
	/* Strict: no DMA may use the old translation once unmap returned. */
	if (st->strict && want)
		w_translate(w, i, 0, IOMMU_ACCESS_READ);
}

static void w_iova_to_phys(struct worker *w, unsigned int i, uint64_t off)
{
	struct slot *s = &w->slot[i];
	uint64_t phys = 0;
	int ret = iommu_iova_to_phys(w->st->d, w_iova(w, i) + off, &phys);

	if (s->mapped ? ret || phys != s->pa + off : ret != -ENOENT)
		W_FAIL(w, "iova_to_phys %#llx: %d phys %#llx (%s)",
		       (unsigned long long)(w_iova(w, i) + off), ret,
		       (unsigned long long)phys,
		       s->mapped ? "mapped" : "unmapped");
}

/* DMA through a mapped slot: writes land at the target, reads see it. */
static void w_dma(struct worker *w, unsigned int i)
{
	struct stress *st = w->st;
	struct slot *s = &w->slot[i];
	size_t len = 1 + rnd_below(&w->rng, STRESS_DMA_MAX);
	uint64_t off = rnd_below(&w->rng, st->pg - len + 1);
	uint8_t buf[STRESS_DMA_MAX], mem[STRESS_DMA_MAX];
	uint64_t iova = w_iova(w, i) + off;
	int ret;

	if (s->prot & IOMMU_WRITE) {
		pattern(buf, len, (uint64_t)w->id << 32 ^ w->ops);
		ret = iommu_dma_write(st->t->ctx, st->t->solo, IOMMU_NO_PASID,
				      iova, buf, len);
		if (ret) {
			W_FAIL(w, "DMA write of %zu at %#llx: %d", len,
			       (unsigned long long)iova, ret);
			return;
		}
		ret = iommu_mem_read(st->t->ctx, s->pa + off, mem, len);
		if (ret || memcmp(mem, buf, len)) {
			W_FAIL(w, "DMA write at %#llx did not land at %#llx",
			       (unsigned long long)iova,
			       (unsigned long long)(s->pa + off));
			return;
		}
	} else if (iommu_mem_read(st->t->ctx, s->pa + off, mem, len)) {
		W_FAIL(w, "mem_read %#llx failed",
		       (unsigned long long)(s->pa + off));
		return;
	}
	memset(buf, 0xa5, len);
	ret = iommu_dma_read(st->t->ctx, st->t->solo, IOMMU_NO_PASID, iova, buf,
			     len);
	if (ret || memcmp(mem, buf, len))
		W_FAIL(w, "DMA read of %zu at %#llx: %d%s", len,
		       (unsigned long long)iova, ret,
		       ret ? "" : ", not the bytes at the target");
}

static bool w_done(const struct worker *w)
{
	const struct stress *st = w->st;

	if (atomic_load(&st->stop) || w->ops >= st->iters)
		return true;
	return w->ops >= st->min_iters && now_ns() >= st->deadline_ns;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct stress *st = w->st;
	unsigned int i;

	for (; !w_done(w); w->ops++) {
		unsigned int op = (unsigned int)rnd_below(&w->rng, 100);
		uint64_t off = rnd_below(&w->rng, st->pg / 8) * 8;
		unsigned int access = rnd_below(&w->rng, 2) ? IOMMU_ACCESS_WRITE
							    : IOMMU_ACCESS_READ;

		i = (unsigned int)rnd_below(&w->rng, STRESS_SLOTS);
		if (op < 25)
			w_map(w, i);
		else if (op < 45)
			w_unmap(w, i);
		else if (op < 75)
			w_translate(w, i, off, access);
		else if (op < 85)
			w_iova_to_phys(w, i, off);
		else if (w->slot[i].mapped)
			w_dma(w, i);
		else
			w_translate(w, i, off, access);
	}
	/* Leave nothing mapped, checking each unmap. */
	for (i = 0; i < STRESS_SLOTS && !w->err[0]; i++)
		if (w->slot[i].mapped)
			w_unmap(w, i);
	return NULL;
}

/* ---- The group mover ---------------------------------------------------- */

static int m_xlate(struct mover *m, uint32_t dev, uint64_t iova,
		   struct iommu_translation *tr)
{
	int ret = iommu_dma_translate(m->st->t->ctx, dev, IOMMU_NO_PASID, iova,
				      8, IOMMU_ACCESS_READ, tr);

	if (ret == -EFAULT)
		m->faults++;
	return ret;
}

/*
 * @dev is on its default domain: the probe address passes 1:1 (IDENTITY)
 * or faults (DMA: nobody mapped it).
 */
static void m_expect_default(struct mover *m, uint32_t dev)
{
	struct stress *st = m->st;
	struct iommu_translation tr;
	int ret = m_xlate(m, dev, st->probe, &tr);

	if (st->default_dma ? ret != -EFAULT : ret || tr.phys != st->probe)
		M_FAIL(m,
		       "dev %#x on its default domain: probe %#llx gave "
		       "%d phys %#llx",
		       dev, (unsigned long long)st->probe, ret,
		       ret ? 0ull : (unsigned long long)tr.phys);
}

/* solo2 to d2 and back; DMA follows the group. */
static void m_attach_detach(struct mover *m)
{
	struct stress *st = m->st;
	struct iommu_domain *cur = NULL;
	struct iommu_translation tr;
	bool by_group = rnd_below(&m->rng, 2);
	int ret;

	ret = by_group ? iommu_attach_group(st->d2, st->t->g_solo2)
		       : iommu_attach_device(st->d2, st->t->solo2);
	if (ret) {
		M_FAIL(m, "attach solo2 to d2: %d", ret);
		return;
	}
	ret = iommu_get_domain_for_dev(st->t->ctx, st->t->solo2, &cur);
	if (ret || cur != st->d2) {
		M_FAIL(m, "solo2 is not on d2 after attach: %d", ret);
		return;
	}
	ret = m_xlate(m, st->t->solo2, STRESS_D2_IOVA + 8, &tr);
	if (ret || tr.phys != st->d2_pa + 8) {
		M_FAIL(m, "solo2 on d2: %#llx gave %d phys %#llx",
		       (unsigned long long)STRESS_D2_IOVA + 8, ret,
		       ret ? 0ull : (unsigned long long)tr.phys);
		return;
	}
	if (m_xlate(m, st->t->solo2, st->probe, &tr) != -EFAULT) {
		M_FAIL(m, "solo2 on d2: unmapped probe did not fault");
		return;
	}
	ret = by_group ? iommu_detach_group(st->d2, st->t->g_solo2)
		       : iommu_detach_device(st->d2, st->t->solo2);
	if (ret) {
		M_FAIL(m, "detach solo2 from d2: %d", ret);
		return;
	}
	m_expect_default(m, st->t->solo2);
}

/* The DMA API on solo2's default domain: map, DMA, unmap. */
static void m_dma_api(struct mover *m)
{
	struct stress *st = m->st;
	uint8_t buf[STRESS_DMA_MAX], back[STRESS_DMA_MAX];
	uint64_t iova = 0;
	int ret;

	ret = iommu_dma_map(st->t->ctx, st->t->solo2, st->dma_pa, st->pg,
			    IOMMU_READ | IOMMU_WRITE, &iova);
	if (ret) {
		M_FAIL(m, "dma_map on the default domain: %d", ret);
		return;
	}
	pattern(buf, sizeof(buf), m->rounds);
	ret = iommu_dma_write(st->t->ctx, st->t->solo2, IOMMU_NO_PASID, iova,
			      buf, sizeof(buf));
	if (!ret)
		ret =
		    iommu_mem_read(st->t->ctx, st->dma_pa, back, sizeof(back));
	if (ret || memcmp(buf, back, sizeof(buf)))
		M_FAIL(m, "DMA-API write at %#llx (pa %#llx): %d",
		       (unsigned long long)iova, (unsigned long long)st->dma_pa,
		       ret);
	ret = iommu_dma_unmap(st->t->ctx, st->t->solo2, iova, st->pg);
	if (ret)
		M_FAIL(m, "dma_unmap %#llx: %d", (unsigned long long)iova, ret);
}

/* Claim "pair": blocked, every DMA faults; release: default again. */
static void m_claim_release(struct mover *m)
{
	struct stress *st = m->st;
	struct iommu_translation tr;
	int owner, ret;

	ret = iommu_group_claim_dma_owner(st->t->ctx, st->t->g_pair, &owner);
	if (ret) {
		M_FAIL(m, "claim pair: %d", ret);
		return;
	}
	if (m_xlate(m, st->t->pair0, st->probe, &tr) != -EFAULT)
		M_FAIL(m, "pair0 passed DMA while its group was owned");
	ret = iommu_group_release_dma_owner(st->t->ctx, st->t->g_pair, &owner);
	if (ret) {
		M_FAIL(m, "release pair: %d", ret);
		return;
	}
	m_expect_default(m, st->t->pair1);
}

static void *mover_main(void *arg)
{
	struct mover *m = arg;
	struct stress *st = m->st;

	for (; !atomic_load(&st->stop) && (m->rounds < STRESS_MIN_ROUNDS ||
					   !atomic_load(&st->workers_done));
	     m->rounds++) {
		switch (rnd_below(&m->rng, 3)) {
		case 0:
			m_attach_detach(m);
			break;
		case 1:
			m_dma_api(m);
			break;
		default:
			m_claim_release(m);
			break;
		}
	}
	return NULL;
}

/* ---- The test ------------------------------------------------------------ */

static void stress_setup(struct stress *st, const struct conf_param *p)
{
	uint64_t pool_end;
	int ret;

	memset(st, 0, sizeof(*st));
	st->cfg = p->name;
	st->seed = stress_seed();
	st->iters = env_u64("IOMMU_STRESS_ITERS", 20000);
	st->min_iters = st->iters / 10;
	st->deadline_ns =
	    now_ns() + env_u64("IOMMU_STRESS_MS", 3000) * 1000000ull;
	fprintf(stderr,
		"stress[%s]: seed %#llx, %d workers x %llu operations "
		"(IOMMU_SEED=%#llx to replay)\n",
		p->name, (unsigned long long)st->seed, STRESS_WORKERS,
		(unsigned long long)st->iters, (unsigned long long)st->seed);

	st->t = tctx_open(p);
	st->strict = iommu_ctx_strict(st->t->ctx);
	st->default_dma = default_is_dma(st->t);
	st->d = dom_alloc(st->t, IOMMU_DOMAIN_UNMANAGED);
	st->d2 = dom_alloc(st->t, IOMMU_DOMAIN_UNMANAGED);
	st->pg = dom_min_page(st->d);

	/* Targets, then the mover's pages, all inside test memory. */
	pool_end = TMEM_BASE + STRESS_WORKERS * STRESS_TARGETS * st->pg;
	st->d2_pa = pool_end;
	st->dma_pa = pool_end + st->pg;
	st->probe = pool_end + 2 * st->pg;
	cr_assert_leq(st->probe + st->pg, TMEM_BASE + TMEM_SIZE,
		      "[%s] smallest page %#llx: the pools do not fit", p->name,
		      (unsigned long long)st->pg);

	cr_assert_eq(
	    iommu_set_ctx_fault_handler(st->t->ctx, stress_fault_ctx, st), 0);
	cr_assert_eq(iommu_set_fault_handler(st->d, stress_fault_d, st), 0);
	cr_assert_eq(iommu_set_fault_handler(st->d2, stress_fault_d2, st), 0);
	ret = iommu_map(st->d2, STRESS_D2_IOVA, st->d2_pa, st->pg,
			IOMMU_READ | IOMMU_WRITE);
	cr_assert_eq(ret, 0, "[%s] map on d2: %d", p->name, ret);
	ret = iommu_attach_device(st->d, st->t->solo);
	cr_assert_eq(ret, 0, "[%s] attach solo: %d", p->name, ret);

	for (unsigned int i = 0; i < STRESS_WORKERS; i++) {
		struct worker *w = &st->w[i];

		w->st = st;
		w->id = i;
		w->rng = (st->seed + 1) * 0x9e3779b97f4a7c15ull + i;
		w->rng = w->rng ? w->rng : 1;
		w->iova = TIOVA + (uint64_t)i * STRESS_SLOTS * st->pg;
		w->pool = TMEM_BASE + (uint64_t)i * STRESS_TARGETS * st->pg;
	}
	st->m.st = st;
	st->m.rng = (st->seed + 1) * 0xbf58476d1ce4e5b9ull | 1;
}

CONF_TEST(stress, map_dma_while_groups_move, .timeout = 300)
{
	struct stress *st = calloc(1, sizeof(*st));
	pthread_t tid[STRESS_WORKERS], mtid;
	uint64_t lost0, lost, seen, delivered, ops = 0, un = 0;
	unsigned int i;

	cr_assert_not_null(st);
	stress_setup(st, p);
	lost0 = stat_get(st->t, IOMMU_STAT_FAULTS_LOST);

	cr_assert_eq(pthread_create(&mtid, NULL, mover_main, &st->m), 0);
	for (i = 0; i < STRESS_WORKERS; i++)
		cr_assert_eq(
		    pthread_create(&tid[i], NULL, worker_main, &st->w[i]), 0);
	for (i = 0; i < STRESS_WORKERS; i++)
		pthread_join(tid[i], NULL);
	atomic_store(&st->workers_done, true);
	pthread_join(mtid, NULL);

	for (i = 0; i < STRESS_WORKERS; i++) {
		cr_assert_eq(st->w[i].err[0], 0, "[%s] seed %#llx: %s", p->name,
			     (unsigned long long)st->seed, st->w[i].err);
		ops += st->w[i].ops;
	}
	cr_assert_eq(st->m.err[0], 0, "[%s] seed %#llx: %s", p->name,
		     (unsigned long long)st->seed, st->m.err);

	/* Every fault reported once, to its handler, or counted lost. */
	lost = stat_get(st->t, IOMMU_STAT_FAULTS_LOST) - lost0;
	seen = st->m.faults;
	for (i = 0; i < STRESS_WORKERS; i++)
		seen += st->w[i].faults;
	delivered = atomic_load(&st->faults_d) + atomic_load(&st->faults_d2) +
		    atomic_load(&st->faults_ctx);
	fprintf(stderr,
		"stress[%s]: %llu operations, %llu mover rounds, %llu faults "
		"(%llu lost)\n",
		p->name, (unsigned long long)ops,
		(unsigned long long)st->m.rounds, (unsigned long long)seen,
		(unsigned long long)lost);
	cr_assert_eq(atomic_load(&st->faults_bad), 0,
		     "[%s] seed %#llx: %llu faults with the wrong device or "
		     "address",
		     p->name, (unsigned long long)st->seed,
		     (unsigned long long)atomic_load(&st->faults_bad));
	cr_assert_eq(delivered + lost, seen,
		     "[%s] seed %#llx: %llu faults seen, %llu delivered "
		     "(domain %llu, d2 %llu, context %llu), %llu lost",
		     p->name, (unsigned long long)st->seed,
		     (unsigned long long)seen, (unsigned long long)delivered,
		     (unsigned long long)atomic_load(&st->faults_d),
		     (unsigned long long)atomic_load(&st->faults_d2),
		     (unsigned long long)atomic_load(&st->faults_ctx),
		     (unsigned long long)lost);

	/* The workers left nothing mapped. */
	cr_assert_eq(iommu_unmap(st->d, TIOVA,
				 STRESS_WORKERS * STRESS_SLOTS * st->pg, &un),
		     0);
	cr_assert_eq(un, 0, "[%s] %#llx bytes left mapped", p->name,
		     (unsigned long long)un);
	cr_assert_eq(iommu_detach_device(st->d, st->t->solo), 0);
	cr_assert_eq(iommu_domain_free(st->d), 0);
	cr_assert_eq(iommu_domain_free(st->d2), 0);
	free(st);
}
