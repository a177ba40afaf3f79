// SPDX-License-Identifier: MIT
/*
 * bench.c - iommu-bench: how fast are translate, map and unmap?
 *
 * Usage: iommu-bench [INI]   (default conf/virtio.ini)
 *
 * The benchmark adds a device of its own to the platform, claims its group
 * and attaches an UNMANAGED domain, then measures with CLOCK_MONOTONIC:
 *
 *  - translate of one page again and again (the IOTLB hit path) and of
 *    pages cycled over a large mapped range (the miss path);
 *  - map and unmap of 1 page, 256 pages in one call and 256 blocks in one
 *    call (pages of 4K and blocks of 2M; on an SMMUv3 with a 16K or 64K
 *    granule, pages of that size and blocks of 32M or 512M);
 *  - a flat-array baseline in the same run: a plain array indexed by page
 *    number, looked up with the same address sequences and updated with
 *    the same number of entries.
 *
 * Each line gives ns per operation and the ratio to its baseline.  It also
 * reports invalidation commands (IOMMU_STAT_INVAL_CMDS) per unmap, and for
 * 256 pages every command the model consumed (IOMMU_STAT_QUEUE_CMDS: the
 * completion wait too).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "iommu/iommu.h"

#define SZ_2M (UINT64_C(2) << 20)
#define RW    (IOMMU_READ | IOMMU_WRITE)

/*
 * A page here is the domain's smallest (setup() reads it from its page
 * sizes: 4K, or 16K or 64K on an SMMUv3 of that granule), and the block
 * row maps the smallest size of 2M or more (2M, 32M, 512M).
 */
static uint64_t page = 4096, big = SZ_2M;
static unsigned int page_shift = 12;

/*
 * @v, hidden from the optimizer: the library is linked into the benchmark
 * with link-time optimization, which would otherwise carry what it knows
 * of the addresses here (small, never wrapping) into the library's checks
 * and measure code no real caller gets.
 */
static inline uint64_t opaque(uint64_t v)
{
	__asm__("" : "+r"(v));
	return v;
}

/* The translate range: NR_PAGES pages (64M of IOVA with 4K pages). */
#define NR_PAGES   16384u
#define XLATE_IOVA (UINT64_C(1) << 32)
/* The paddr is one page: aligned to the page but to no larger block, so
 * the range is mapped in pages. */
#define XLATE_PADDR page
/* A stride coprime with NR_PAGES: consecutive lookups hit far-apart pages. */
#define MISS_STRIDE 4099u

/* IOVA windows of the map/unmap runs, far from the translate range. */
#define MAP4K_IOVA  (UINT64_C(1) << 36)
#define MAP256_IOVA (UINT64_C(1) << 38)
#define MAP2M_IOVA  (UINT64_C(1) << 40)

/* Minimum measured time per line, for stable numbers. */
#define MIN_NS 200000000ull

struct bench {
	struct iommu_ctx *ctx;
	struct iommu_domain *dom;
	uint32_t dev;
	uint32_t group;
	int failed;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t stat_get(struct bench *b, enum iommu_stat s)
{
	struct iommu_stats st = { .size = sizeof(st) };

	if (iommu_get_stats(b->ctx, &st))
		return 0;
	return st.v[s];
}

static void line(const char *what, uint64_t ops, double ns, double base_ns,
		 const char *extra)
{
	double per = ops ? ns / (double)ops : 0.0;

	printf("%-34s %9" PRIu64 " ops %12.1f ns/op  x%-9.1f %s\n", what, ops,
	       per, base_ns > 0.0 ? per / base_ns : 0.0, extra ? extra : "");
}

/* What the backend's IOTLB counters said during a translate run. */
static void iotlb_note(char *buf, size_t len, uint64_t hits, uint64_t misses)
{
	if (!hits && !misses)
		snprintf(buf, len, "(backend counts no IOTLB hits/misses)");
	else
		snprintf(buf, len,
			 "iotlb hits %" PRIu64 " misses %" PRIu64
			 " (%.0f%% hits)",
			 hits, misses,
			 100.0 * (double)hits / (double)(hits + misses));
}

/* ---- Flat-array baseline --------------------------------------------- */

/*
 * A plain array indexed by page number.  The empty asm keeps the compiler
 * from hoisting the load out of the loop or skipping the work.
 */
static double flat_lookup(const uint64_t *table, bool cycle, uint64_t *ops)
{
	uint64_t sink = 0, n = 0, t0 = now_ns(), t;
	unsigned int k = 7;

	do {
		for (unsigned int i = 0; i < 65536; i++) {
			uint64_t iova = XLATE_IOVA + (uint64_t)k * page + 0x10;
			uint64_t idx;

			__asm__ volatile("" : "+r"(iova));
			idx = (iova - XLATE_IOVA) >> page_shift;
			sink += table[idx] | (iova & (page - 1));
			if (cycle)
				k = (k + MISS_STRIDE) % NR_PAGES;
		}
		n += 65536;
		t = now_ns() - t0;
	} while (t < MIN_NS / 4);
	__asm__ volatile("" : : "r"(sink));
	*ops = n;
	return (double)t;
}

/* Baseline of a map or unmap of @count entries: @count stores. */
static double flat_update(uint64_t *table, unsigned int count, uint64_t *ops)
{
	uint64_t n = 0, t0 = now_ns(), t;
	unsigned int base = 0;

	do {
		for (unsigned int r = 0; r < 1024; r++) {
			for (unsigned int i = 0; i < count; i++) {
				uint64_t v = ((uint64_t)(base + i) << 12) | 3;

				__asm__ volatile("" : "+r"(v));
				table[(base + i) % NR_PAGES] = v;
			}
			base = (base + count) % NR_PAGES;
		}
		n += 1024;
		t = now_ns() - t0;
	} while (t < MIN_NS / 4);
	__asm__ volatile("" : : "r"(table) : "memory");
	*ops = n;
	return (double)t;
}

/* ---- The library ----------------------------------------------------- */

static double lib_translate(struct bench *b, bool cycle, uint64_t *ops,
			    uint64_t *hits, uint64_t *misses)
{
	struct iommu_translation t;
	uint64_t n = 0, t0, el, h0, m0;
	unsigned int k = 7;
	int rc;

	h0 = stat_get(b, IOMMU_STAT_IOTLB_HITS);
	m0 = stat_get(b, IOMMU_STAT_IOTLB_MISSES);
	t0 = now_ns();
	do {
		for (unsigned int i = 0; i < 4096; i++) {
			uint64_t iova =
			    opaque(XLATE_IOVA + (uint64_t)k * page + 0x10);

			rc =
			    iommu_dma_translate(b->ctx, b->dev, IOMMU_NO_PASID,
						iova, 8, IOMMU_ACCESS_READ, &t);
			if (rc ||
			    t.phys != XLATE_PADDR + (uint64_t)k * page + 0x10) {
				fprintf(stderr,
					"translate 0x%" PRIx64 ": rc %d "
					"phys 0x%" PRIx64 "\n",
					iova, rc, t.phys);
				b->failed = 1;
				*ops = 0;
				return 0.0;
			}
			if (cycle)
				k = (k + MISS_STRIDE) % NR_PAGES;
		}
		n += 4096;
		el = now_ns() - t0;
	} while (el < MIN_NS);
	*hits = stat_get(b, IOMMU_STAT_IOTLB_HITS) - h0;
	*misses = stat_get(b, IOMMU_STAT_IOTLB_MISSES) - m0;
	*ops = n;
	return (double)el;
}

/* The driver's own lookup in its tables (the engine's iova_to_phys, or
 * virtio's range map), over the same address sequence as the miss row. */
static double lib_iova_to_phys(struct bench *b, uint64_t *ops)
{
	uint64_t n = 0, t0, el, phys;
	unsigned int k = 7;

	t0 = now_ns();
	do {
		for (unsigned int i = 0; i < 4096; i++) {
			uint64_t iova =
			    opaque(XLATE_IOVA + (uint64_t)k * page + 0x10);

			if (iommu_iova_to_phys(b->dom, iova, &phys) ||
			    phys != XLATE_PADDR + (uint64_t)k * page + 0x10) {
				b->failed = 1;
				*ops = 0;
				return 0.0;
			}
			k = (k + MISS_STRIDE) % NR_PAGES;
		}
		n += 4096;
		el = now_ns() - t0;
	} while (el < MIN_NS);
	*ops = n;
	return (double)el;
}

/*
 * Map then unmap @per_round ranges of @pgcount pages of @pgsize, timing the
 * maps and the unmaps apart, for rounds until enough time has passed.
 */
struct map_result {
	double map_ns;
	double unmap_ns;
	uint64_t ops;
	uint64_t inval_cmds; /* during the unmaps */
	uint64_t queue_cmds; /* all the model consumed then, waits included */
	uint64_t inval_work; /* cache slots the model's invalidations looked at */
};

static int lib_map_unmap(struct bench *b, uint64_t iova0, uint64_t paddr0,
			 uint64_t pgsize, unsigned int pgcount,
			 unsigned int per_round, struct map_result *r)
{
	uint64_t size = pgsize * pgcount;
	int rc;

	memset(r, 0, sizeof(*r));
	do {
		uint64_t t0, t1, i0, q0, w0;

		t0 = now_ns();
		for (unsigned int i = 0; i < per_round; i++) {
			rc = iommu_map(b->dom, iova0 + i * size, paddr0, size,
				       RW);
			if (rc) {
				fprintf(stderr,
					"map 0x%" PRIx64 " size 0x%" PRIx64
					": %d\n",
					iova0 + i * size, size, rc);
				return rc;
			}
		}
		t1 = now_ns();
		r->map_ns += (double)(t1 - t0);

		i0 = stat_get(b, IOMMU_STAT_INVAL_CMDS);
		q0 = stat_get(b, IOMMU_STAT_QUEUE_CMDS);
		w0 = stat_get(b, IOMMU_STAT_INVAL_WORK);
		t0 = now_ns();
		for (unsigned int i = 0; i < per_round; i++) {
			uint64_t done = 0;

			rc = iommu_unmap(b->dom, iova0 + i * size, size, &done);
			if (rc || done != size) {
				fprintf(stderr,
					"unmap 0x%" PRIx64 ": %d, 0x%" PRIx64
					" bytes\n",
					iova0 + i * size, rc, done);
				return rc ? rc : -EIO;
			}
		}
		t1 = now_ns();
		r->unmap_ns += (double)(t1 - t0);
		r->inval_cmds += stat_get(b, IOMMU_STAT_INVAL_CMDS) - i0;
		r->queue_cmds += stat_get(b, IOMMU_STAT_QUEUE_CMDS) - q0;
		r->inval_work += stat_get(b, IOMMU_STAT_INVAL_WORK) - w0;
		r->ops += per_round;
	} while (r->map_ns + r->unmap_ns < 2.0 * MIN_NS);
	return 0;
}

/* ---- Threads, DMA copies, and a fixed count for callgrind ------------ */

/* The median of @n values (sorts them). */
static double median(double *v, unsigned int n)
{
	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n ? (n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2) : 0.0;
}

static double minimum(const double *v, unsigned int n)
{
	double m = n ? v[0] : 0.0;

	for (unsigned int i = 1; i < n; i++)
		m = v[i] < m ? v[i] : m;
	return m;
}

static double maximum(const double *v, unsigned int n)
{
	double m = n ? v[0] : 0.0;

	for (unsigned int i = 1; i < n; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

struct xlate_thread {
	struct bench *b;
	unsigned int pgno;
	uint64_t ops;
	double ns;
	pthread_barrier_t *go;
	const uint64_t *flat; /* the baseline: a lookup in this array */
};

/* Scaling trials: 1 and 2 threads, alternating, this many times. */
#define SCALE_TRIALS 9

static void *xlate_thread_fn(void *arg)
{
	struct xlate_thread *x = arg;
	struct iommu_translation t;
	uint64_t iova =
	    opaque(XLATE_IOVA + (uint64_t)x->pgno * page + 0x10);
	uint64_t n = 0, t0, el;

	pthread_barrier_wait(x->go);
	t0 = now_ns();
	do {
		if (x->flat) {
			uint64_t sink = 0;

			for (unsigned int i = 0; i < 4096; i++) {
				uint64_t a = iova;

				__asm__ volatile("" : "+r"(a));
				sink += x->flat[(a - XLATE_IOVA) >>
						page_shift] |
					(a & (page - 1));
			}
			__asm__ volatile("" : : "r"(sink));
		} else {
			for (unsigned int i = 0; i < 4096; i++)
				if (iommu_dma_translate(x->b->ctx, x->b->dev,
							IOMMU_NO_PASID, iova,
							8, IOMMU_ACCESS_READ,
							&t))
					x->b->failed = 1;
		}
		n += 4096;
		el = now_ns() - t0;
	} while (el < MIN_NS / 4);
	x->ops = n;
	x->ns = (double)el;
	return NULL;
}

/* Translations per second of @nr threads, each on a page of its own
 * (@flat: lookups in that array instead, the baseline). */
static double xlate_threads(struct bench *b, unsigned int nr,
			    const uint64_t *flat)
{
	struct xlate_thread x[8];
	pthread_t th[8];
	pthread_barrier_t go;
	double rate = 0.0;

	pthread_barrier_init(&go, NULL, nr);
	for (unsigned int i = 0; i < nr; i++) {
		x[i] = (struct xlate_thread){ b, 100 + i * 17, 0, 0.0, &go,
						   flat };
		pthread_create(&th[i], NULL, xlate_thread_fn, &x[i]);
	}
	for (unsigned int i = 0; i < nr; i++) {
		pthread_join(th[i], NULL);
		rate += (double)x[i].ops / x[i].ns;
	}
	pthread_barrier_destroy(&go);
	return rate * 1e9;
}

/* DMA of @len bytes at the start of the translate range, read or write. */
static double lib_dma(struct bench *b, size_t len, bool write, uint8_t *buf,
		      uint64_t *ops)
{
	uint64_t n = 0, t0 = now_ns(), el;

	do {
		for (unsigned int i = 0; i < 64; i++) {
			int rc = write ? iommu_dma_write(b->ctx, b->dev,
							 IOMMU_NO_PASID,
							 XLATE_IOVA, buf, len)
				       : iommu_dma_read(b->ctx, b->dev,
							IOMMU_NO_PASID,
							XLATE_IOVA, buf, len);
			if (rc) {
				b->failed = 1;
				*ops = 0;
				return 0.0;
			}
		}
		n += 64;
		el = now_ns() - t0;
	} while (el < MIN_NS / 4);
	*ops = n;
	return (double)el;
}

static double base_memcpy(void *dst, const void *src, size_t len,
			  uint64_t *ops)
{
	uint64_t n = 0, t0 = now_ns(), el;

	do {
		for (unsigned int i = 0; i < 64; i++) {
			memcpy(dst, src, len);
			__asm__ volatile("" : : "r"(dst) : "memory");
		}
		n += 64;
		el = now_ns() - t0;
	} while (el < MIN_NS / 4);
	*ops = n;
	return (double)el;
}

/*
 * --count N ROW: do exactly N operations of ROW and nothing else after
 * the setup, for instruction counts (scripts/bench-callgrind.sh runs two
 * counts and takes the difference, so the setup cancels out).
 */
static int count_mode(struct bench *b, uint64_t n, const char *row)
{
	struct iommu_translation t;
	static uint8_t buf[65536];
	unsigned int k = 7;
	uint64_t done;
	bool miss = !strcmp(row, "miss");

	/* One loop per row, so that each op carries only its own cost. */
	if (!strcmp(row, "iova-to-phys")) {
		for (uint64_t i = 0; i < n; i++) {
			uint64_t iova =
			    opaque(XLATE_IOVA + (uint64_t)k * page + 0x10);

			if (iommu_iova_to_phys(b->dom, iova, &done))
				return 1;
			k = (k + MISS_STRIDE) % NR_PAGES;
		}
		return 0;
	}
	if (!strcmp(row, "map-unmap-4k") || !strcmp(row, "map-unmap-256")) {
		uint64_t size = row[10] == '4' ? page : 256 * page;
		uint64_t iova = row[10] == '4' ? MAP4K_IOVA : MAP256_IOVA;

		for (uint64_t i = 0; i < n; i++)
			if (iommu_map(b->dom, iova, 0x100000, size, RW) ||
			    iommu_unmap(b->dom, iova, size, &done))
				return 1;
		return 0;
	}
	if (!strcmp(row, "dma-read-4k") || !strcmp(row, "dma-read-64k")) {
		size_t len = row[9] == '4' ? 4096 : sizeof(buf);

		for (uint64_t i = 0; i < n; i++)
			if (iommu_dma_read(b->ctx, b->dev, IOMMU_NO_PASID,
					   XLATE_IOVA, buf, len))
				return 1;
		return 0;
	}
	if (!strcmp(row, "dma-write-4k")) {
		for (uint64_t i = 0; i < n; i++)
			if (iommu_dma_write(b->ctx, b->dev, IOMMU_NO_PASID,
					    XLATE_IOVA, buf, 4096))
				return 1;
		return 0;
	}
	for (uint64_t i = 0; i < n; i++) {
		uint64_t iova =
		    opaque(XLATE_IOVA + (uint64_t)k * page + 0x10);

		if (iommu_dma_translate(b->ctx, b->dev, IOMMU_NO_PASID, iova, 8,
					IOMMU_ACCESS_READ, &t))
			return 1;
		if (miss)
			k = (k + MISS_STRIDE) % NR_PAGES;
	}
	return 0;
}

/* The page and block sizes of @dom (page, big, page_shift). */
static int page_sizes(struct iommu_domain *dom)
{
	uint64_t bm = iommu_domain_pgsize_bitmap(dom);

	if (!bm)
		return -EINVAL;
	page_shift = (unsigned int)__builtin_ctzll(bm);
	page = UINT64_C(1) << page_shift;
	bm &= ~(SZ_2M - 1);
	big = bm & -bm; /* 0: none of 2M or more */
	return 0;
}

/* @v as 4K, 2M, 1G (a power of two of 1K or more). */
static const char *size_name(uint64_t v, char *buf, size_t len)
{
	static const char unit[] = "KMGT";
	unsigned int u = 0;

	v >>= 10;
	while (v >= 1024 && u + 1 < sizeof(unit) - 1) {
		v >>= 10;
		u++;
	}
	snprintf(buf, len, "%" PRIu64 "%c", v, unit[u]);
	return buf;
}

static int setup(struct bench *b, const char *ini, unsigned int flags)
{
	static int owner;
	struct iommu_ctx_opts opts;
	struct iommu_dev_config cfg;
	char errbuf[512] = "";
	int rc;

	memset(&opts, 0, sizeof(opts));
	opts.ini_path = ini;
	opts.log_level = IOMMU_LOG_WARN;
	opts.errbuf = errbuf;
	opts.errbuf_len = sizeof(errbuf);
	opts.flags = flags;
	rc = iommu_ctx_create(&opts, &b->ctx);
	if (rc) {
		fprintf(stderr,
			"iommu-bench: cannot create the context: %s "
			"(%d)\n",
			errbuf[0] ? errbuf : "no message", rc);
		return rc;
	}

	/* A device of our own, with an ID the INI does not use. */
	memset(&cfg, 0, sizeof(cfg));
	cfg.name = "bench";
	for (cfg.id = 0xbe00; cfg.id < 0xbf00; cfg.id++) {
		rc = iommu_dev_add(b->ctx, &cfg);
		if (rc != -EEXIST)
			break;
	}
	if (rc) {
		fprintf(stderr, "iommu-bench: iommu_dev_add: %d\n", rc);
		return rc;
	}
	b->dev = cfg.id;
	rc = iommu_dev_group(b->ctx, b->dev, &b->group);
	if (!rc)
		rc = iommu_group_claim_dma_owner(b->ctx, b->group, &owner);
	if (!rc)
		rc =
		    iommu_domain_alloc(b->ctx, IOMMU_DOMAIN_UNMANAGED, &b->dom);
	if (!rc)
		rc = iommu_attach_group(b->dom, b->group);
	if (!rc)
		rc = page_sizes(b->dom);
	if (!rc)
		rc = iommu_map(b->dom, XLATE_IOVA, XLATE_PADDR,
			       (uint64_t)NR_PAGES * page, RW);
	if (!rc) {
		/* One translation, so that the model's IOTLB has held an
		 * entry (its invalidations then have something to look at,
		 * as in real use). */
		struct iommu_translation t;

		rc = iommu_dma_translate(b->ctx, b->dev, IOMMU_NO_PASID,
					 XLATE_IOVA, 8, IOMMU_ACCESS_READ, &t);
	}
	if (rc)
		fprintf(stderr, "iommu-bench: setting up the domain: %d\n", rc);
	return rc;
}

int main(int argc, char **argv)
{
	static struct bench b, nh;
	const char *ini = "conf/virtio.ini", *row = NULL;
	uint64_t *table;
	uint64_t ops, bops, hits, misses, count = 0;
	double ns, base_hit, base_miss, base_1, base_256, one, two;
	struct map_result r;
	char extra[128], what[64], pg[16];
	int rc, a = 1;

	if (argc > 3 && !strcmp(argv[1], "--count")) {
		count = strtoull(argv[2], NULL, 0);
		row = argv[3];
		a = 4;
	}
	if (argc > a + 1 || (argc > a && argv[a][0] == '-')) {
		fprintf(stderr,
			"usage: %s [--count N hit|hit-nohint|miss|iova-to-phys|"
			"dma-read-4k|dma-read-64k|dma-write-4k|map-unmap-4k|"
			"map-unmap-256] "
			"[INI]   (default conf/virtio.ini)\n",
			argv[0]);
		return 2;
	}
	if (argc > a)
		ini = argv[a];
#ifdef IOMMU_SRC_ROOT
	if (argc <= a && access(ini, R_OK))
		ini = IOMMU_SRC_ROOT "/conf/virtio.ini";
#endif
	rc = setup(&b, ini,
		   row && !strcmp(row, "hit-nohint") ? IOMMU_CTX_NO_HINT : 0);
	if (rc) {
		iommu_ctx_destroy(b.ctx);
		return 1;
	}
	if (row) {
		rc = count_mode(&b, count, row);
		iommu_ctx_destroy(b.ctx);
		return rc;
	}
	rc = setup(&nh, ini, IOMMU_CTX_NO_HINT);
	if (rc) {
		iommu_ctx_destroy(nh.ctx);
		iommu_ctx_destroy(b.ctx);
		return 1;
	}
	table = calloc(NR_PAGES, sizeof(*table));
	if (!table) {
		iommu_ctx_destroy(b.ctx);
		return 1;
	}
	for (unsigned int i = 0; i < NR_PAGES; i++)
		table[i] = XLATE_PADDR + (uint64_t)i * page;

	printf("iommu-bench: platform %s, backend %s, %s invalidation, "
	       "device %" PRIu32 " on an UNMANAGED domain, pages of %s\n",
	       ini, iommu_ctx_backend(b.ctx),
	       iommu_ctx_strict(b.ctx) ? "strict" : "deferred", b.dev,
	       size_name(page, pg, sizeof(pg)));
	printf("baseline: a flat array indexed by page number (%u entries), "
	       "same address sequence / same number of entries\n\n",
	       NR_PAGES);
	printf("%-34s %13s %18s  %-10s %s\n", "operation", "iterations", "time",
	       "vs base", "notes");

	/* Translate: one page again and again, then pages cycled over. */
	base_hit = flat_lookup(table, false, &bops);
	base_hit /= (double)bops;
	line("baseline: flat lookup, same page", bops, base_hit * bops,
	     base_hit, NULL);
	base_miss = flat_lookup(table, true, &bops);
	base_miss /= (double)bops;
	line("baseline: flat lookup, cycling", bops, base_miss * bops,
	     base_miss, NULL);

	ns = lib_translate(&b, false, &ops, &hits, &misses);
	iotlb_note(extra, sizeof(extra), hits, misses);
	line("translate, same page (hint)", ops, ns, base_hit, extra);
	ns = lib_translate(&nh, false, &ops, &hits, &misses);
	iotlb_note(extra, sizeof(extra), hits, misses);
	line("translate, same page (model hit)", ops, ns, base_hit, extra);
	ns = lib_translate(&b, true, &ops, &hits, &misses);
	iotlb_note(extra, sizeof(extra), hits, misses);
	line("translate, cycling pages (miss)", ops, ns, base_miss, extra);
	ns = lib_translate(&nh, true, &ops, &hits, &misses);
	iotlb_note(extra, sizeof(extra), hits, misses);
	line("translate, cycling, no hint", ops, ns, base_miss, extra);
	{
		double miss = ops ? ns / (double)ops : 0.0, eng;

		eng = lib_iova_to_phys(&b, &ops);
		snprintf(extra, sizeof(extra),
			 "driver's lookup; the model's miss is x%.1f of it",
			 ops && eng > 0.0 ? miss / (eng / (double)ops) : 0.0);
		line("iova_to_phys, cycling pages", ops, eng, base_miss,
		     extra);
	}

	/* Scaling: the hit path from one and from two threads, in
	 * alternating trials (a shared machine's load comes and goes); the
	 * median trial, and the same for a flat-array lookup (what the
	 * machine itself gives two threads). */
	{
		double lib[SCALE_TRIALS], flat[SCALE_TRIALS];
		double lone[SCALE_TRIALS], ltwo[SCALE_TRIALS];

		for (unsigned int i = 0; i < SCALE_TRIALS; i++) {
			one = xlate_threads(&b, 1, NULL);
			two = xlate_threads(&b, 2, NULL);
			lone[i] = one;
			ltwo[i] = two;
			lib[i] = one > 0.0 ? two / one : 0.0;
			one = xlate_threads(&b, 1, table);
			two = xlate_threads(&b, 2, table);
			flat[i] = one > 0.0 ? two / one : 0.0;
		}
		printf("%-34s %9.1f Mops/s one thread, %.1f two: x%.2f "
		       "(median of %u trials, x%.2f..x%.2f); a flat lookup "
		       "x%.2f\n",
		       "translate hit, 1 vs 2 threads",
		       median(lone, SCALE_TRIALS) / 1e6,
		       median(ltwo, SCALE_TRIALS) / 1e6,
		       median(lib, SCALE_TRIALS), SCALE_TRIALS,
		       minimum(lib, SCALE_TRIALS), maximum(lib, SCALE_TRIALS),
		       median(flat, SCALE_TRIALS));
	}

	/* DMA through the domain against memcpy of the same size. */
	{
		static uint8_t src[65536], dst[65536];
		static const size_t sizes[] = { 64, 1500, 4096, 65536 };

		/* The baselines copy between the same two buffers as the
		 * DMA: the guest RAM behind the mapping and the device's
		 * buffer (memcpy's speed depends on their alignment). */
		uint8_t *ram = iommu_mem_ptr(b.ctx, XLATE_PADDR, sizeof(src));

		for (size_t i = 0;
		     ram && i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			double bread, bwrite, rd, wr;
			uint64_t bo, ro, wo;

			bread = base_memcpy(dst, ram, sizes[i], &bo) / (double)bo;
			rd = lib_dma(&b, sizes[i], false, dst, &ro);
			snprintf(what, sizeof(what),
				 "baseline: memcpy %zu B from RAM", sizes[i]);
			line(what, bo, bread * (double)bo, bread, NULL);
			snprintf(what, sizeof(what), "dma read %zu B", sizes[i]);
			snprintf(extra, sizeof(extra), "%.2fx memcpy speed",
				 ro ? bread / (rd / (double)ro) : 0.0);
			line(what, ro, rd, bread, extra);
			bwrite = base_memcpy(ram, src, sizes[i], &bo) / (double)bo;
			wr = lib_dma(&b, sizes[i], true, src, &wo);
			snprintf(what, sizeof(what),
				 "baseline: memcpy %zu B to RAM", sizes[i]);
			line(what, bo, bwrite * (double)bo, bwrite, NULL);
			snprintf(what, sizeof(what), "dma write %zu B",
				 sizes[i]);
			snprintf(extra, sizeof(extra), "%.2fx memcpy speed",
				 wo ? bwrite / (wr / (double)wo) : 0.0);
			line(what, wo, wr, bwrite, extra);
		}
		if (!ram) {
			fprintf(stderr, "iommu-bench: no host pointer for "
					"the DMA buffer\n");
			b.failed = 1;
		}
	}

	/* Map and unmap. */
	base_1 = flat_update(table, 1, &bops);
	base_1 /= (double)bops;
	line("baseline: flat update, 1 entry", bops, base_1 * bops, base_1,
	     NULL);
	base_256 = flat_update(table, 256, &bops);
	base_256 /= (double)bops;
	line("baseline: flat update, 256 entries", bops, base_256 * bops,
	     base_256, NULL);

	size_name(page, pg, sizeof(pg));
	rc = lib_map_unmap(&b, MAP4K_IOVA, 0x100000, page, 1, 1024, &r);
	if (rc)
		goto fail;
	snprintf(what, sizeof(what), "map 1x%s", pg);
	line(what, r.ops, r.map_ns, base_1, NULL);
	snprintf(extra, sizeof(extra),
		 "%.2f inval cmds/unmap, %.1f slots looked at",
		 (double)r.inval_cmds / (double)r.ops,
		 (double)r.inval_work / (double)r.ops);
	snprintf(what, sizeof(what), "unmap 1x%s", pg);
	line(what, r.ops, r.unmap_ns, base_1, extra);

	rc = lib_map_unmap(&b, MAP256_IOVA, 0x100000, page, 256, 16, &r);
	if (rc)
		goto fail;
	snprintf(what, sizeof(what), "map 256x%s (one call)", pg);
	line(what, r.ops, r.map_ns, base_256, NULL);
	snprintf(extra, sizeof(extra),
		 "%.2f inval cmds/unmap, %.1f slots looked at",
		 (double)r.inval_cmds / (double)r.ops,
		 (double)r.inval_work / (double)r.ops);
	snprintf(what, sizeof(what), "unmap 256x%s (one call)", pg);
	line(what, r.ops, r.unmap_ns, base_256, extra);
	printf("  -> invalidation commands per 256x%s unmap: %.2f "
	       "(%.2f queue commands in all, waits included)\n",
	       pg, (double)r.inval_cmds / (double)r.ops,
	       (double)r.queue_cmds / (double)r.ops);

	if (!big) {
		printf("(no block row: the domain has no page size of 2M or "
		       "more)\n");
		goto done;
	}
	size_name(big, pg, sizeof(pg));
	rc = lib_map_unmap(&b, MAP2M_IOVA, 0, big, 256, 4, &r);
	if (rc)
		goto fail;
	snprintf(what, sizeof(what), "map 256x%s (one call)", pg);
	line(what, r.ops, r.map_ns, base_256, NULL);
	snprintf(extra, sizeof(extra),
		 "%.2f inval cmds/unmap, %.1f slots looked at",
		 (double)r.inval_cmds / (double)r.ops,
		 (double)r.inval_work / (double)r.ops);
	snprintf(what, sizeof(what), "unmap 256x%s (one call)", pg);
	line(what, r.ops, r.unmap_ns, base_256, extra);
done:

	if (!strcmp(iommu_ctx_backend(b.ctx), "virtio"))
		printf("\nnote: virtio-iommu has no page table (MAP/UNMAP "
		       "requests on a virtqueue, a range map in the device "
		       "model).\n");
	printf("note: for backends with page tables (vtd, smmuv3, amdvi) the "
	       "page-table engine alone is measured by iommu-ptbench.\n");
	free(table);
	iommu_ctx_destroy(nh.ctx);
	iommu_ctx_destroy(b.ctx);
	return b.failed || nh.failed ? 1 : 0;
fail:
	fprintf(stderr, "iommu-bench: map/unmap run failed: %d\n", rc);
	free(table);
	iommu_ctx_destroy(nh.ctx);
	iommu_ctx_destroy(b.ctx);
	return 1;
}
