// SPDX-License-Identifier: MIT
/*
 * ptbench.c - iommu-ptbench: the page-table engine (core/pt) measured
 * apart from the API path (no core checks, no invalidation, no device
 * model), for every format.  The engine runs on a host of this program's
 * own: one flat RAM block and a table allocator with a free list per
 * size, so what is timed is the engine's walk and its entry writes.
 *
 * For each format it times map and unmap of 1 page, 256 pages and 256
 * level-1 blocks (one call each), unmap of 4096 and 65536 contiguous pages
 * (one call, whole tables), and iova_to_phys, as ns/op with a flat-array
 * baseline measured in the same run (the same number of 8-byte stores,
 * or one indexed load).  A "page" is the format's granule (4 KiB; 16 or
 * 64 KiB for the Arm variants of those granules); a "block" the next size
 * up (2 MiB; 32 MiB, 512 MiB).  Page runs are mapped one page off any
 * larger alignment, so that their leaves are pages (the engine would
 * otherwise choose blocks, or AMD's larger pages, as it should).
 *
 *   iommu-ptbench                 time every format
 *   iommu-ptbench --callgrind F   run format F's operations a fixed number
 *                                 of times through cg_* functions, for
 *                                 scripts/ptbench-callgrind.sh to count
 *                                 instructions per operation
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/pt/pt.h"

#define RAM_SIZE (512ull << 20)
#define MIN_NS	 300000000ull /* at least 0.3 s per measurement */
#define CG_ROUNDS 64	      /* calls per operation under callgrind */

struct bhost {
	struct iommu_host host; /* first */
	uint8_t *ram;
	uint64_t next;	      /* bump pointer */
	uint64_t *free_pa[3]; /* freed tables of 4K, 16K, 64K */
	size_t nr_free[3], cap_free[3];
};

static struct bhost *bh(struct iommu_host *h)
{
	return (struct bhost *)h;
}

static int size_class(size_t size)
{
	return size == 4096 ? 0 : size == 16384 ? 1 : size == 65536 ? 2 : -1;
}

static void b_log(struct iommu_host *h, enum iommu_log_level l,
		  const char *fmt, ...)
{
	va_list ap;

	(void)h;
	if (l > IOMMU_LOG_WARN)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int b_rw(struct iommu_host *h, uint64_t pa, void *buf, size_t len,
		bool write)
{
	if (pa >= RAM_SIZE || len > RAM_SIZE - pa)
		return -EFAULT;
	if (write)
		memcpy(bh(h)->ram + pa, buf, len);
	else
		memcpy(buf, bh(h)->ram + pa, len);
	return 0;
}

static int b_read(struct iommu_host *h, uint64_t pa, void *buf, size_t len)
{
	return b_rw(h, pa, buf, len, false);
}

static int b_write(struct iommu_host *h, uint64_t pa, const void *buf,
		   size_t len)
{
	return b_rw(h, pa, (void *)buf, len, true);
}

static void *b_ptr(struct iommu_host *h, uint64_t pa, size_t len)
{
	if (pa >= RAM_SIZE || len > RAM_SIZE - pa)
		return NULL;
	return bh(h)->ram + pa;
}

static int b_table_alloc(struct iommu_host *h, size_t size, uint64_t *pa)
{
	struct bhost *b = bh(h);
	int c = size_class(size);

	if (c >= 0 && b->nr_free[c]) {
		*pa = b->free_pa[c][--b->nr_free[c]];
		memset(b->ram + *pa, 0, size);
		return 0;
	}
	uint64_t p = (b->next + size - 1) & ~(uint64_t)(size - 1);
	if (p + size > RAM_SIZE)
		return -ENOMEM;
	b->next = p + size;
	memset(b->ram + p, 0, size);
	*pa = p;
	return 0;
}

static void b_table_free(struct iommu_host *h, uint64_t pa, size_t size)
{
	struct bhost *b = bh(h);
	int c = size_class(size);

	if (c < 0)
		return;
	if (b->nr_free[c] == b->cap_free[c]) {
		size_t n = b->cap_free[c] ? b->cap_free[c] * 2 : 256;
		uint64_t *v = realloc(b->free_pa[c], n * sizeof(*v));
		if (!v)
			return;
		b->free_pa[c] = v;
		b->cap_free[c] = n;
	}
	b->free_pa[c][b->nr_free[c]++] = pa;
}

static void b_irq(struct iommu_host *h, unsigned int v)
{
	(void)h;
	(void)v;
}

static void b_fault(struct iommu_host *h, const struct iommu_fault *f)
{
	(void)h;
	(void)f;
}

static void b_stat(struct iommu_host *h, enum iommu_stat s, uint64_t n)
{
	(void)h;
	(void)s;
	(void)n;
}

static const struct iommu_host_ops bhost_ops = {
	.log = b_log,
	.mem_read = b_read,
	.mem_write = b_write,
	.mem_ptr = b_ptr,
	.table_alloc = b_table_alloc,
	.table_free = b_table_free,
	.raise_irq = b_irq,
	.report_fault = b_fault,
	.stat_add = b_stat,
};

/* ---- formats --------------------------------------------------------------- */

struct bfmt {
	const char *name;
	struct pt_cfg cfg;
};

static const struct bfmt fmts[] = {
	{"vtdss", {PT_FMT_VTDSS, 12, 4, 48, 48, 0, 0, 0}},
	{"x86_64", {PT_FMT_X86_64, 12, 4, 47, 48, 0, 0, 0}},
	{"amdv2", {PT_FMT_AMDV2, 12, 4, 47, 52, 0, 0, 0}},
	{"amdv1", {PT_FMT_AMDV1, 12, 4, 0, 52, 0, PT_FEAT_FC, 0}},
	{"lpae_s1-4k", {PT_FMT_LPAE_S1, 12, 0, 48, 48, 0, PT_FEAT_NG, 0}},
	{"lpae_s1-16k", {PT_FMT_LPAE_S1, 14, 0, 48, 48, 0, PT_FEAT_NG, 0}},
	{"lpae_s1-64k", {PT_FMT_LPAE_S1, 16, 0, 48, 48, 0, PT_FEAT_NG, 0}},
	{"lpae_s2-4k", {PT_FMT_LPAE_S2, 12, 0, 40, 48, 0, 0, 0}},
	{"lpae_s2-64k", {PT_FMT_LPAE_S2, 16, 0, 42, 48, 0, 0, 0}},
};

#define NFMTS (sizeof(fmts) / sizeof(fmts[0]))

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int failed;

static void line(const char *fmt, const char *what, double ns_op,
		 double base_op)
{
	printf("%-12s %-30s %10.1f ns/op   baseline %8.1f ns/op   x%.1f\n",
	       fmt, what, ns_op, base_op, base_op > 0 ? ns_op / base_op : 0.0);
}

/* Baseline: @count 8-byte stores into a flat array, per operation. */
static double flat_store(uint64_t *arr, size_t len, unsigned int count)
{
	uint64_t n = 0, t0 = now_ns(), t;
	size_t at = 0;

	do {
		for (int r = 0; r < 64; r++) {
			for (unsigned int i = 0; i < count; i++) {
				uint64_t v = ((uint64_t)(at + i) << 12) | 3;
				__asm__ volatile("" : "+r"(v));
				arr[(at + i) % len] = v;
			}
			at = (at + count) % len;
		}
		n += 64;
		t = now_ns() - t0;
	} while (t < MIN_NS / 3);
	__asm__ volatile("" : : "r"(arr) : "memory");
	return (double)t / (double)n;
}

/* Baseline: one indexed load per lookup. */
static double flat_load(const uint64_t *arr, size_t len)
{
	uint64_t n = 0, t0 = now_ns(), t, sink = 0;
	size_t k = 7;

	do {
		for (int r = 0; r < 65536; r++) {
			size_t i = k;
			__asm__ volatile("" : "+r"(i));
			sink += arr[i] | (i & 0xfff);
			k = (k + 4099) % len;
		}
		n += 65536;
		t = now_ns() - t0;
	} while (t < MIN_NS / 3);
	__asm__ volatile("" : : "r"(sink));
	return (double)t / (double)n;
}

/* ---- the operations, one function each (callgrind counts inside them) ---- */

/* noipa where GCC has it: with link-time optimization, noinline alone
 * still lets GCC find cg_iova_to_phys pure and call it once per loop. */
#if defined(__GNUC__) && !defined(__clang__)
#define NOINLINE __attribute__((noipa))
#else
#define NOINLINE __attribute__((noinline))
#endif

#define CG_MAP(NAME)                                                           \
	static NOINLINE int cg_##NAME(struct pt *pt, uint64_t iova,           \
				      uint64_t pa, uint64_t len,               \
				      struct pt_free_list *fl)                 \
	{                                                                      \
		uint64_t mapped;                                               \
		int ret = pt_map(pt, iova, pa, len, IOMMU_READ | IOMMU_WRITE,  \
				 &mapped, fl);                                 \
		return ret ? ret : mapped == len ? 0 : -EIO;                   \
	}
#define CG_UNMAP(NAME)                                                         \
	static NOINLINE uint64_t cg_##NAME(struct pt *pt, uint64_t iova,      \
					   uint64_t len,                       \
					   struct pt_free_list *fl)            \
	{                                                                      \
		return pt_unmap(pt, iova, len, fl, NULL);                      \
	}

CG_MAP(map_1)
CG_UNMAP(unmap_1)
CG_MAP(map_256)
CG_UNMAP(unmap_256)
CG_MAP(map_256blk)
CG_UNMAP(unmap_256blk)
CG_MAP(map_4096)
CG_UNMAP(unmap_4096)
CG_MAP(map_65536)
CG_UNMAP(unmap_65536)

static NOINLINE int cg_iova_to_phys(struct pt *pt, uint64_t iova,
				    uint64_t *phys)
{
	return pt_iova_to_phys(pt, iova, phys);
}

typedef int (*map_fn)(struct pt *, uint64_t, uint64_t, uint64_t,
		      struct pt_free_list *);
typedef uint64_t (*unmap_fn)(struct pt *, uint64_t, uint64_t,
			     struct pt_free_list *);

struct seq {
	const char *what;
	unsigned int count; /* pages or blocks */
	bool block;
	map_fn map;
	unmap_fn unmap;
	unsigned int slots; /* runs per timed round */
};

static const struct seq seqs[] = {
	{"1 page", 1, false, cg_map_1, cg_unmap_1, 256},
	{"256 pages", 256, false, cg_map_256, cg_unmap_256, 256},
	{"256 blocks", 256, true, cg_map_256blk, cg_unmap_256blk, 16},
	{"4096 pages", 4096, false, cg_map_4096, cg_unmap_4096, 16},
	{"65536 pages", 65536, false, cg_map_65536, cg_unmap_65536, 2},
};

/*
 * Map @s->slots runs (timed together), then unmap them (timed together),
 * until enough time has passed (or @rounds rounds under callgrind);
 * returns ns per map call and per unmap call.
 */
static void map_unmap(struct pt *pt, struct iommu_host *host,
		      const struct seq *s, uint64_t page, uint64_t block,
		      unsigned int rounds, bool warm, double *map_ns,
		      double *unmap_ns)
{
	/* The warm-up round calls the engine directly, so that callgrind
	 * (which counts inside cg_* only) sees the steady state alone. */
	struct pt_free_list fl = {0};
	uint64_t span = (s->block ? block : page) * s->count;
	uint64_t tm = 0, tu = 0, n = 0;
	unsigned int r = 0;

	do {
		uint64_t t0 = now_ns();
		for (uint64_t k = 0; k < s->slots; k++) {
			uint64_t iova = (1ull << 34) + k * span;
			/* Pages: an output address one page off any larger
			 * alignment, so the leaves are pages; blocks: aligned. */
			uint64_t pa = (k * span) % (1ull << 40) +
				      (s->block ? 0 : page);
			uint64_t mapped = span;
			int ret = warm ? pt_map(pt, iova, pa, span, IOMMU_READ,
						&mapped, &fl)
				       : s->map(pt, iova, pa, span, &fl);
			if (!ret && mapped != span)
				ret = -EIO;
			if (ret) {
				fprintf(stderr, "pt_map(%s): %d\n", s->what,
					ret);
				failed = 1;
				return;
			}
		}
		uint64_t t1 = now_ns();
		for (uint64_t k = 0; k < s->slots; k++) {
			uint64_t iova = (1ull << 34) + k * span;
			uint64_t got = warm ? pt_unmap(pt, iova, span, &fl,
						       NULL)
					    : s->unmap(pt, iova, span, &fl);
			if (got != span) {
				fprintf(stderr, "pt_unmap(%s): %" PRIu64 "\n",
					s->what, got);
				failed = 1;
				return;
			}
		}
		uint64_t t2 = now_ns();
		tm += t1 - t0;
		tu += t2 - t1;
		n += s->slots;
		/* Tables of partly covered spans stay linked, so later
		 * rounds measure the steady state a VMM sees. */
		pt_free_pages(host, &fl);
	} while (rounds ? ++r < rounds : tm + tu < MIN_NS);
	pt_free_list_fini(&fl);
	*map_ns = (double)tm / (double)n;
	*unmap_ns = (double)tu / (double)n;
}

static double lookup(struct pt *pt, uint64_t page, unsigned int rounds)
{
	const uint64_t npages = 16384;
	uint64_t mapped = 0, n = 0, t0, t, sink = 0, k = 7;
	struct pt_free_list fl = {0};
	unsigned int r = 0;

	/* Page leaves (the output is one page off a block boundary). */
	if (pt_map(pt, 1ull << 35, (1ull << 30) + page, page * npages,
		   IOMMU_READ | IOMMU_WRITE, &mapped, &fl)) {
		failed = 1;
		return 0;
	}
	t0 = now_ns();
	do {
		for (int i = 0; i < (rounds ? 64 : 65536); i++) {
			uint64_t phys = 0;
			uint64_t iova = (1ull << 35) + k * page + 0x10;
			if (cg_iova_to_phys(pt, iova, &phys) ||
			    phys != (1ull << 30) + page + k * page + 0x10) {
				failed = 1;
				return 0;
			}
			sink += phys;
			k = (k + 4099) % npages;
		}
		n += rounds ? 64 : 65536;
		t = now_ns() - t0;
	} while (rounds ? ++r < rounds : t < MIN_NS);
	__asm__ volatile("" : : "r"(sink));
	pt_unmap(pt, 1ull << 35, npages * page, &fl, NULL);
	pt_free_pages(&((struct bhost *)pt->host)->host, &fl);
	pt_free_list_fini(&fl);
	return (double)t / (double)n;
}

static void run_fmt(const struct bfmt *f, struct bhost *b, uint64_t *arr,
		    size_t len, bool cg)
{
	struct pt pt;
	uint64_t page, block;
	unsigned int g;
	char what[64];
	double m, u;

	if (pt_init(&pt, &b->host, &f->cfg)) {
		fprintf(stderr, "pt_init(%s) failed\n", f->name);
		failed = 1;
		return;
	}
	g = pt.cfg.granule_lg2;
	page = 1ull << g;
	block = 1ull << (g + g - 3);
	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		const struct seq *s = &seqs[i];
		double base = cg ? 0 : flat_store(arr, len, s->count);

		/* One untimed round first: every table is then allocated. */
		map_unmap(&pt, &b->host, s, page, block, 1, true, &m, &u);
		map_unmap(&pt, &b->host, s, page, block, cg ? CG_ROUNDS : 0,
			  false, &m, &u);
		if (cg) {
			printf("%s %s calls %u\n", f->name, s->what,
			       CG_ROUNDS * s->slots);
			continue;
		}
		snprintf(what, sizeof(what), "map %s", s->what);
		line(f->name, what, m, base);
		snprintf(what, sizeof(what), "unmap %s", s->what);
		line(f->name, what, u, base);
	}
	m = lookup(&pt, page, cg ? CG_ROUNDS : 0);
	if (cg)
		printf("%s iova_to_phys calls %u\n", f->name, CG_ROUNDS * 64);
	else
		line(f->name, "iova_to_phys (16384 pages)", m,
		     flat_load(arr, len));
	pt_destroy(&pt);
}

int main(int argc, char **argv)
{
	static struct bhost b;
	size_t len = 1u << 20;
	uint64_t *arr = calloc(len, sizeof(*arr));
	const char *only = NULL;
	bool cg = false;

	if (argc == 2 && !strcmp(argv[1], "--list")) {
		for (size_t i = 0; i < NFMTS; i++)
			printf("%s\n", fmts[i].name);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--callgrind")) {
		cg = true;
		only = argv[2];
	} else if (argc != 1) {
		fprintf(stderr, "usage: %s [--list | --callgrind FORMAT]\n",
			argv[0]);
		return 2;
	}
	b.host.ops = &bhost_ops;
	b.ram = calloc(1, RAM_SIZE);
	b.next = 4096;
	if (!b.ram || !arr) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	if (!cg) {
		printf("iommu-ptbench: core/pt engine alone (no API checks, no invalidation, no device model)\n");
		printf("baseline: a flat array, the same number of 8-byte stores per map/unmap, one load per lookup\n");
		printf("page = the format's granule; block = the next size up (2M at 4K, 32M at 16K, 512M at 64K)\n\n");
	}
	for (size_t i = 0; i < NFMTS; i++) {
		if (only && strcmp(only, fmts[i].name))
			continue;
		run_fmt(&fmts[i], &b, arr, len, cg);
		if (!cg)
			printf("\n");
	}
	for (int c = 0; c < 3; c++)
		free(b.free_pa[c]);
	free(b.ram);
	free(arr);
	if (failed)
		fprintf(stderr, "iommu-ptbench: FAILED\n");
	return failed;
}
