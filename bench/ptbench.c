// SPDX-License-Identifier: MIT
/*
 * ptbench.c - iommu-ptbench: the page-table engine (core/pt) measured
 * apart from the API path (no core checks, no invalidation, no device
 * model).  The engine runs on a host of this program's own: one flat RAM
 * block and a bump-and-free-list table allocator, so what is timed is the
 * engine's walk and its entry writes.
 *
 * For each format (vtdss 4-level, x86_64 4-level) it times map and unmap
 * of 1x4K, 256x4K (one call) and 256x2M (one call), and iova_to_phys,
 * as ns/op, each with a flat-array baseline measured in the same run
 * (the same number of 8-byte stores, or one indexed load).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/pt/pt.h"

#define RAM_SIZE (256ull << 20)
#define PAGE 4096ull
#define MIN_NS 300000000ull /* at least 0.3 s per measurement */

struct bhost {
	struct iommu_host host; /* first */
	uint8_t *ram;
	uint64_t next;      /* bump pointer */
	uint64_t *free_pa;  /* freed table pages */
	size_t nr_free, cap_free;
};

static struct bhost *bh(struct iommu_host *h)
{
	return (struct bhost *)h;
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

	if (size == PAGE && b->nr_free) {
		*pa = b->free_pa[--b->nr_free];
		memset(b->ram + *pa, 0, PAGE);
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

	if (size != PAGE)
		return;
	if (b->nr_free == b->cap_free) {
		size_t n = b->cap_free ? b->cap_free * 2 : 256;
		uint64_t *v = realloc(b->free_pa, n * sizeof(*v));
		if (!v)
			return;
		b->free_pa = v;
		b->cap_free = n;
	}
	b->free_pa[b->nr_free++] = pa;
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
	printf("%-7s %-28s %10.1f ns/op   baseline %7.1f ns/op   x%.1f\n", fmt,
	       what, ns_op, base_op, base_op > 0 ? ns_op / base_op : 0.0);
}

/* Baseline: @count 8-byte stores into a flat array, per operation. */
static double flat_store(uint64_t *arr, size_t len, unsigned int count)
{
	uint64_t n = 0, t0 = now_ns(), t;
	size_t at = 0;

	do {
		for (int r = 0; r < 1024; r++) {
			for (unsigned int i = 0; i < count; i++) {
				uint64_t v = ((uint64_t)(at + i) << 12) | 3;
				__asm__ volatile("" : "+r"(v));
				arr[(at + i) % len] = v;
			}
			at = (at + count) % len;
		}
		n += 1024;
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

/*
 * Map @slots runs of @count pages of @pgsize (timed together), then unmap
 * them (timed together), until enough time has passed; returns ns per map
 * call and per unmap call.  No clock read sits between two calls.
 */
static void map_unmap(struct pt *pt, struct iommu_host *host,
		      uint64_t pgsize, uint64_t count, double *map_ns,
		      double *unmap_ns)
{
	struct pt_free_list fl = { 0 };
	uint64_t span = pgsize * count;
	uint64_t tm = 0, tu = 0, n = 0;
	const uint64_t slots = 256;

	do {
		uint64_t t0 = now_ns();
		for (uint64_t s = 0; s < slots; s++) {
			uint64_t iova = (1ull << 32) + s * span;
			uint64_t pa = (s * span) % (1ull << 40);
			uint64_t mapped = 0;
			int ret = pt_map(pt, iova, pa, pgsize * count,
					 IOMMU_READ | IOMMU_WRITE, &mapped, &fl);
			if (ret || mapped != span) {
				fprintf(stderr, "pt_map: %d (%" PRIu64 ")\n",
					ret, mapped);
				failed = 1;
				return;
			}
		}
		uint64_t t1 = now_ns();
		for (uint64_t s = 0; s < slots; s++) {
			uint64_t iova = (1ull << 32) + s * span, max_leaf = 0;
			uint64_t got = pt_unmap(pt, iova, span, &fl, &max_leaf);
			if (got != span) {
				fprintf(stderr, "pt_unmap: %" PRIu64 "\n", got);
				failed = 1;
				return;
			}
		}
		uint64_t t2 = now_ns();
		tm += t1 - t0;
		tu += t2 - t1;
		n += slots;
		/* Tables of partly covered spans stay linked, so later
		 * rounds measure the steady state a VMM sees. */
		pt_free_pages(host, &fl);
	} while (tm + tu < MIN_NS);
	pt_free_list_fini(&fl);
	*map_ns = (double)tm / (double)n;
	*unmap_ns = (double)tu / (double)n;
}

static double lookup(struct pt *pt)
{
	const uint64_t npages = 16384;
	uint64_t mapped = 0, n = 0, t0, t, sink = 0, k = 7;
	struct pt_free_list fl = { 0 };

	if (pt_map(pt, 1ull << 33, 1ull << 30, PAGE * npages,
		   IOMMU_READ | IOMMU_WRITE, &mapped, &fl)) {
		failed = 1;
		return 0;
	}
	t0 = now_ns();
	do {
		for (int r = 0; r < 65536; r++) {
			uint64_t phys = 0;
			uint64_t iova = (1ull << 33) + k * PAGE + 0x10;
			if (pt_iova_to_phys(pt, iova, &phys) ||
			    phys != (1ull << 30) + k * PAGE + 0x10) {
				failed = 1;
				return 0;
			}
			sink += phys;
			k = (k + 4099) % npages;
		}
		n += 65536;
		t = now_ns() - t0;
	} while (t < MIN_NS);
	__asm__ volatile("" : : "r"(sink));
	pt_unmap(pt, 1ull << 33, npages * PAGE, &fl, &mapped);
	pt_free_list_fini(&fl);
	return (double)t / (double)n;
}

static void run_fmt(const char *name, enum pt_fmt fmt, struct bhost *b,
		    uint64_t *arr, size_t len)
{
	struct pt_cfg cfg = {
		.fmt = fmt,
		.levels = 4,
		.ia_bits = fmt == PT_FMT_X86_64 ? 47 : 48,
		.oa_bits = 48,
		.pgsize_bitmap = (1ull << 12) | (1ull << 21) | (1ull << 30),
	};
	struct pt pt;
	double m, u;

	if (pt_init(&pt, &b->host, &cfg)) {
		fprintf(stderr, "pt_init(%s) failed\n", name);
		failed = 1;
		return;
	}
	double b1 = flat_store(arr, len, 1), b256 = flat_store(arr, len, 256);
	map_unmap(&pt, &b->host, PAGE, 1, &m, &u);
	line(name, "map 1x4K", m, b1);
	line(name, "unmap 1x4K", u, b1);
	map_unmap(&pt, &b->host, PAGE, 256, &m, &u);
	line(name, "map 256x4K (one call)", m, b256);
	line(name, "unmap 256x4K (one call)", u, b256);
	map_unmap(&pt, &b->host, 2ull << 20, 256, &m, &u);
	line(name, "map 256x2M (one call)", m, b256);
	line(name, "unmap 256x2M (one call)", u, b256);
	line(name, "iova_to_phys (16384 pages)", lookup(&pt),
	     flat_load(arr, len));
	pt_destroy(&pt);
}

int main(void)
{
	static struct bhost b;
	size_t len = 1u << 20;
	uint64_t *arr = calloc(len, sizeof(*arr));

	b.host.ops = &bhost_ops;
	b.ram = calloc(1, RAM_SIZE);
	b.next = PAGE;
	if (!b.ram || !arr) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	printf("iommu-ptbench: core/pt engine alone (no API checks, no invalidation, no device model)\n");
	printf("baseline: a flat array, the same number of 8-byte stores per map/unmap, one load per lookup\n\n");
	run_fmt("vtdss", PT_FMT_VTDSS, &b, arr, len);
	run_fmt("x86_64", PT_FMT_X86_64, &b, arr, len);
	free(b.free_pa);
	free(b.ram);
	free(arr);
	if (failed)
		fprintf(stderr, "iommu-ptbench: FAILED\n");
	return failed;
}
