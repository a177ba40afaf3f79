// SPDX-License-Identifier: MIT
/*
 * host.c - logging, the host services given to plugins, the public
 * memory calls, and statistics.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <stdarg.h>
#include <stdio.h>

#include "core.h"

/* ---- Logging ---------------------------------------------------------- */

static const char *const level_names[] = { "error", "warning", "info",
					   "debug" };

void iommu__log_stderr(void *cookie, enum iommu_log_level level,
		       const char *msg)
{
	(void)cookie;
	fprintf(stderr, "iommu: %s: %s\n", level_names[level], msg);
}

static void vlog(struct iommu_ctx *ctx, enum iommu_log_level level,
		 const char *fmt, va_list ap)
{
	char msg[512];

	if ((unsigned int)level > IOMMU_LOG_DEBUG || level > ctx->log_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	ctx->log_fn(ctx->log_cookie, level, msg);
}

void iommu__log(struct iommu_ctx *ctx, enum iommu_log_level level,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(ctx, level, fmt, ap);
	va_end(ap);
}

int iommu_set_log(struct iommu_ctx *ctx, iommu_log_fn fn, void *cookie,
		  enum iommu_log_level level)
{
	if (!ctx || (unsigned int)level > IOMMU_LOG_DEBUG)
		return -EINVAL;
	ctx->log_fn = fn ? fn : iommu__log_stderr;
	ctx->log_cookie = fn ? cookie : NULL;
	ctx->log_level = level;
	return 0;
}

/* ---- Host services given to the plugin -------------------------------- */

static void host_log(struct iommu_host *h, enum iommu_log_level level,
		     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(iommu__host_ctx(h), level, fmt, ap);
	va_end(ap);
}

static int host_mem_read(struct iommu_host *h, uint64_t pa, void *buf,
			 size_t len)
{
	if (!buf && len)
		return -EINVAL;
	return iommu__mem_rw(&iommu__host_ctx(h)->mem, pa, buf, len, false);
}

static int host_mem_write(struct iommu_host *h, uint64_t pa, const void *buf,
			  size_t len)
{
	if (!buf && len)
		return -EINVAL;
	return iommu__mem_rw(&iommu__host_ctx(h)->mem, pa, (void *)buf, len,
			     true);
}

static void *host_mem_ptr(struct iommu_host *h, uint64_t pa, size_t len)
{
	return iommu__mem_ptr(&iommu__host_ctx(h)->mem, pa, len);
}

static int host_table_alloc(struct iommu_host *h, size_t size, uint64_t *pa)
{
	return iommu__table_alloc(&iommu__host_ctx(h)->mem, size, pa);
}

static void host_table_free(struct iommu_host *h, uint64_t pa, size_t size)
{
	struct iommu_ctx *ctx = iommu__host_ctx(h);

	if (iommu__table_free(&ctx->mem, pa, size))
		iommu__log(ctx, IOMMU_LOG_WARN,
			   "table_free of [0x%llx, +0x%zx) that was not allocated",
			   (unsigned long long)pa, size);
}

static void host_stat_add(struct iommu_host *h, enum iommu_stat stat,
			  uint64_t n)
{
	struct iommu_ctx *ctx = iommu__host_ctx(h);

	if ((unsigned int)stat >= IOMMU_STAT_COUNT)
		return;
	iommu__stat(ctx, stat, n);
	/* Told to the VMM once the model has returned (dma.c), not here:
	 * the model may hold its own locks. */
	if (stat == IOMMU_STAT_FAULTS_LOST && n)
		atomic_fetch_add_explicit(&ctx->lost_pending, n,
					  memory_order_relaxed);
}

/* The driver: memory, table memory, fault report, stats. */
const struct iommu_host_ops iommu__drv_host_ops = {
	.size = sizeof(struct iommu_host_ops),
	.log = host_log,
	.mem_read = host_mem_read,
	.mem_write = host_mem_write,
	.mem_ptr = host_mem_ptr,
	.table_alloc = host_table_alloc,
	.table_free = host_table_free,
	.report_fault = iommu__report_fault,
	.stat_add = host_stat_add,
	.table_free_after = iommu__host_table_free_after,
	.trace = iommu__host_trace,
};

/* The device model: memory, interrupt messages and lines, stats. */
const struct iommu_host_ops iommu__hw_host_ops = {
	.size = sizeof(struct iommu_host_ops),
	.log = host_log,
	.mem_read = host_mem_read,
	.mem_write = host_mem_write,
	.mem_ptr = host_mem_ptr,
	.raise_irq = iommu__host_raise_irq,
	.stat_add = host_stat_add,
	.msi_write = iommu__host_msi_write,
	.trace = iommu__host_trace,
};

/* ---- Memory (public) -------------------------------------------------- */

int iommu_mem_add_ram(struct iommu_ctx *ctx, uint64_t base, uint64_t size,
		      void *host)
{
	if (!ctx)
		return -EINVAL;
	return iommu__mem_add(&ctx->mem, base, size, host);
}

int iommu_mem_read(struct iommu_ctx *ctx, uint64_t pa, void *buf, size_t len)
{
	if (!ctx || (!buf && len))
		return -EINVAL;
	return iommu__mem_rw(&ctx->mem, pa, buf, len, false);
}

int iommu_mem_write(struct iommu_ctx *ctx, uint64_t pa, const void *buf,
		    size_t len)
{
	if (!ctx || (!buf && len))
		return -EINVAL;
	return iommu__mem_rw(&ctx->mem, pa, (void *)buf, len, true);
}

void *iommu_mem_ptr(struct iommu_ctx *ctx, uint64_t pa, size_t len)
{
	return ctx ? iommu__mem_ptr(&ctx->mem, pa, len) : NULL;
}

int iommu_mem_table_alloc(struct iommu_ctx *ctx, size_t size, uint64_t *pa)
{
	if (!ctx)
		return -EINVAL;
	return iommu__table_alloc(&ctx->mem, size, pa);
}

int iommu_mem_table_free(struct iommu_ctx *ctx, uint64_t pa, size_t size)
{
	if (!ctx)
		return -EINVAL;
	return iommu__table_free(&ctx->mem, pa, size);
}

/* ---- Stats ------------------------------------------------------------ */

static const char *const stat_names[IOMMU_STAT_COUNT] = {
	[IOMMU_STAT_TRANSLATIONS] = "translations",
	[IOMMU_STAT_IOTLB_HITS] = "iotlb_hits",
	[IOMMU_STAT_IOTLB_MISSES] = "iotlb_misses",
	[IOMMU_STAT_WALKS] = "walks",
	[IOMMU_STAT_INVAL_CMDS] = "inval_cmds",
	[IOMMU_STAT_FAULTS] = "faults",
	[IOMMU_STAT_FAULTS_LOST] = "faults_lost",
	[IOMMU_STAT_FAULTS_REPORTED] = "faults_reported",
	[IOMMU_STAT_QUEUE_CMDS] = "queue_cmds",
	[IOMMU_STAT_MSI] = "msi",
	[IOMMU_STAT_MSI_DROPPED] = "msi_dropped",
	[IOMMU_STAT_HINT_HITS] = "hint_hits",
	[IOMMU_STAT_DMA_FAULTS] = "dma_faults",
	[IOMMU_STAT_INVAL_SYNCS] = "inval_syncs",
	[IOMMU_STAT_MAPS] = "maps",
	[IOMMU_STAT_UNMAPS] = "unmaps",
	[IOMMU_STAT_INVAL_WORK] = "inval_work",
};

const char *iommu_stat_name(enum iommu_stat stat)
{
	return (unsigned int)stat < IOMMU_STAT_COUNT ? stat_names[stat] : NULL;
}

_Static_assert(IOMMU_STAT_COUNT >= IOMMU_STAT_COUNT_2_0,
	       "counters are only ever added");

/* A size beyond any struct iommu_stats is an uninitialized one. */
#define IOMMU__STATS_SIZE_MAX 4096u

/* Not inlined into a caller (LTO): there it would see a struct of the
 * caller's own size and warn about the newer-caller tail it cannot rule
 * out, which only a caller built against a newer header reaches. */
__attribute__((noinline)) int iommu_get_stats(struct iommu_ctx *ctx,
					       struct iommu_stats *out)
{
	uint64_t v[IOMMU_STAT_COUNT];
	size_t size, n;

	if (!ctx || !out)
		return -EINVAL;
	/* How many counters the caller's struct holds (0: the 2.0 one). */
	size = out->size ? out->size :
		offsetof(struct iommu_stats, v) +
		IOMMU_STAT_COUNT_2_0 * sizeof(uint64_t);
	if (size < offsetof(struct iommu_stats, v) +
			   IOMMU_STAT_COUNT_2_0 * sizeof(uint64_t) ||
	    size > IOMMU__STATS_SIZE_MAX || size % sizeof(uint64_t))
		return -EINVAL;
	n = (size - offsetof(struct iommu_stats, v)) / sizeof(uint64_t);

	memset(v, 0, sizeof(v));
	for (int i = 0; i <= IOMMU__SHARDS; i++) {
		uint64_t hits = atomic_load_explicit(&ctx->shard[i].xl[1],
						     memory_order_relaxed);

		for (int s = 0; s < IOMMU_STAT_COUNT; s++)
			v[s] += atomic_load_explicit(&ctx->shard[i].v[s],
						     memory_order_relaxed);
		v[IOMMU_STAT_TRANSLATIONS] +=
			atomic_load_explicit(&ctx->shard[i].xl[0],
					     memory_order_relaxed) +
			hits;
		v[IOMMU_STAT_HINT_HITS] += hits;
	}
	out->count = n < IOMMU_STAT_COUNT ? (uint32_t)n : IOMMU_STAT_COUNT;
	memcpy(out->v, v, out->count * sizeof(uint64_t));
	/* A caller newer than the library: the counters it lacks read 0.
	 * (Past this library's v[]: addressed from the caller's size.) */
	if (n > out->count)
		memset((char *)out + offsetof(struct iommu_stats, v) +
			       out->count * sizeof(uint64_t),
		       0, (n - out->count) * sizeof(uint64_t));
	return 0;
}

int iommu_reset_stats(struct iommu_ctx *ctx)
{
	if (!ctx)
		return -EINVAL;
	for (int i = 0; i <= IOMMU__SHARDS; i++) {
		atomic_store(&ctx->shard[i].xl[0], 0);
		atomic_store(&ctx->shard[i].xl[1], 0);
		for (int s = 0; s < IOMMU_STAT_COUNT; s++)
			atomic_store(&ctx->shard[i].v[s], 0);
	}
	return 0;
}

int iommu_set_ctx_fault_handler(struct iommu_ctx *ctx, iommu_ctx_fault_fn fn,
				void *cookie)
{
	if (!ctx)
		return -EINVAL;
	atomic_store(&ctx->fault_cookie, cookie);
	atomic_store(&ctx->fault_fn, fn);
	return 0;
}
