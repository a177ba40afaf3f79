/* SPDX-License-Identifier: MIT */
/*
 * ilib_util.h - small helpers every backend needs: parameter errors,
 * clipping a translation to a window, counters.
 */
#ifndef ILIB_UTIL_H
#define ILIB_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "iommu/plugin.h"

#pragma GCC visibility push(hidden)

/**
 * ilib_bad_param() - refuse a parameter value, naming key and reason
 * @host: where to log
 * @tag: log prefix, the backend's name ("vtd")
 * @key: the INI key
 * @val: the value given
 * @why: what is wrong with it ("not in [1, 256]")
 *
 * DESIGN: a value that was given but is invalid is an error naming its
 * key, never replaced by a default.  Logs "TAG: parameter KEY = VAL: WHY"
 * (VAL in decimal) at IOMMU_LOG_ERR.
 * Return: -EINVAL, for "return ilib_bad_param(...)".
 */
int ilib_bad_param(struct iommu_host *host, const char *tag, const char *key,
		   uint64_t val, const char *why);

/**
 * ilib_clip() - bytes of [@start, @start + @want) up to and including @last
 * @start: first byte (a DMA request's address)
 * @want: bytes asked for
 * @last: last byte the translation covers (end of a page or window)
 *
 * Computed without overflow, also for @last = UINT64_MAX.
 * Return: min(@want, @last - @start + 1); 0 if @want is 0 or @last <
 * @start.
 */
static inline uint64_t ilib_clip(uint64_t start, uint64_t want, uint64_t last)
{
	uint64_t room;

	if (!want || last < start)
		return 0;
	room = last - start; /* bytes after start */
	return want - 1 <= room ? want : room + 1;
}

/**
 * ilib_stat() - add @n to counter @stat, if the host keeps counters
 * @host: the host
 * @stat: which counter
 * @n: how much; 0 does nothing
 *
 * Inline: a translation's miss path counts twice, and a call of our own
 * before the host's costs as much as the checks.
 */
static inline void ilib_stat(struct iommu_host *host, enum iommu_stat stat,
			     uint64_t n)
{
	if (n && host && host->ops && host->ops->stat_add)
		host->ops->stat_add(host, stat, n);
}

/* ilib_stat_req()'s call of stat_add, out of the translation's way. */
static __attribute__((noinline, cold, unused)) void
ilib_stat_call(struct iommu_host *host, enum iommu_stat stat)
{
	ilib_stat(host, stat, 1);
}

/**
 * ilib_stat_req() - count one @stat of the translation of @req
 * @host: the model's host
 * @req: the request translate() was given
 * @stat: a counter of ABI 2.0 (below IOMMU_STAT_COUNT_2_0) but
 *     IOMMU_STAT_FAULTS_LOST; a constant, so the choice below is made
 *     when compiling
 *
 * In the calling thread's own counters when the core gave them
 * (req->stats, ABI 2.3): a load and a store, no call.  Else, and in a
 * plugin built as ABI 2.0 (which has no such field), through the host's
 * stat_add like ilib_stat().  Always inlined: in a model's large translate
 * function GCC would otherwise make it a call, which costs more than the
 * counter.
 */
static inline __attribute__((always_inline)) void
ilib_stat_req(struct iommu_host *host, const struct iommu_dma_req *req,
	      enum iommu_stat stat)
{
#ifdef IOMMU_PLUGIN_AS_ABI_2_0
	(void)req;
#else
	uint64_t *c = req->stats;

	if ((unsigned int)stat < IOMMU_STAT_COUNT_2_0 &&
	    stat != IOMMU_STAT_FAULTS_LOST && __builtin_expect(c != NULL, 1)) {
		__atomic_store_n(&c[stat],
				 __atomic_load_n(&c[stat], __ATOMIC_RELAXED) + 1,
				 __ATOMIC_RELAXED);
		return;
	}
#endif
	ilib_stat_call(host, stat);
}

/* ilib_stat_req() of @a then @b, with one look at the request's
 * counters (the short ways' miss and walk). */
static inline __attribute__((always_inline)) void
ilib_stat_req2(struct iommu_host *host, const struct iommu_dma_req *req,
	       enum iommu_stat a, enum iommu_stat b)
{
#ifndef IOMMU_PLUGIN_AS_ABI_2_0
	uint64_t *c = req->stats;

	if ((unsigned int)a < IOMMU_STAT_COUNT_2_0 &&
	    (unsigned int)b < IOMMU_STAT_COUNT_2_0 && a != b &&
	    a != IOMMU_STAT_FAULTS_LOST && b != IOMMU_STAT_FAULTS_LOST &&
	    __builtin_expect(c != NULL, 1)) {
		const uint64_t na = __atomic_load_n(&c[a], __ATOMIC_RELAXED);
		const uint64_t nb = __atomic_load_n(&c[b], __ATOMIC_RELAXED);

		__atomic_store_n(&c[a], na + 1, __ATOMIC_RELAXED);
		__atomic_store_n(&c[b], nb + 1, __ATOMIC_RELAXED);
		return;
	}
#endif
	ilib_stat_req(host, req, a);
	ilib_stat_req(host, req, b);
}

/*
 * ilib_ptrs_set() - are a model entry's three pointers all set?  One test
 * and branch each: written as one condition, the compiler makes flags of
 * the tests and combines them first.
 */
static inline __attribute__((always_inline)) bool
ilib_ptrs_set(const void *a, const void *b, const void *c)
{
	if (__builtin_expect(!a, 0))
		return false;
	__asm__ volatile("");
	if (__builtin_expect(!b, 0))
		return false;
	__asm__ volatile("");
	return __builtin_expect(c != NULL, 1);
}

/*
 * ilib_req_plain() - is @req a plain read or write: access
 * IOMMU_ACCESS_READ or IOMMU_ACCESS_WRITE and no attribute?  One load
 * and one compare of the two words (the short ways' first check).
 */
static inline __attribute__((always_inline)) bool
ilib_req_plain(const struct iommu_dma_req *req)
{
	_Static_assert(IOMMU_ACCESS_READ == 1 && IOMMU_ACCESS_WRITE == 2,
		       "access 1 or 2, attributes 0: the word is 1 or 2");
	/* Built, not copied (the byte order stays out of it); the two
	 * fields are side by side, so it is one load. */
	return ((uint64_t)req->attrs << 32 | req->access) - 1 <= 1;
}

/**
 * ilib_model_host_ok() - does @host give a device model what it needs?
 * A model logs, reads and writes guest memory and raises interrupts; its
 * create() refuses a host without those (-EINVAL) before allocating.
 */
bool ilib_model_host_ok(const struct iommu_host *host);

struct iommu_bus;

/**
 * ilib_driver_host_ok() - do @host and @bus give a driver what it needs?
 * A driver logs, reads and writes memory, allocates and frees table pages
 * (also after an invalidation: table_free_after), reports faults, and
 * reaches its hardware through the bus's MMIO accessors; its probe()
 * refuses anything less (-EINVAL) before allocating.
 */
bool ilib_driver_host_ok(const struct iommu_host *host,
			 const struct iommu_bus *bus);

#pragma GCC visibility pop

#endif /* ILIB_UTIL_H */
