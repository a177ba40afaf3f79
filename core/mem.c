// SPDX-License-Identifier: MIT
/*
 * mem.c - the simulated physical address space and the table allocator.
 *
 * RAM is a list of regions, each backed by host memory the VMM gave or the
 * library mapped.  Regions are only ever appended, so readers (device
 * models walking tables, DMA) find them without a lock: a region is
 * written completely before the count that publishes it is raised.
 *
 * The table allocator hands out naturally aligned power-of-two blocks of
 * 4 KiB pages from the configured table range, so that IOMMU tables live
 * in memory another party (a guest, an external model) can see.  It
 * remembers where each block starts and its size: a free must give back
 * one whole block, since freeing part of one (or two neighbours as one)
 * would let the next allocation hand out pages that are still a live
 * table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core.h"

static bool range_overflows(uint64_t base, uint64_t size)
{
	return size == 0 || base + (size - 1) < base;
}

int iommu__mem_add(struct iommu__mem *mem, uint64_t base, uint64_t size,
		   void *host)
{
	int ret = 0;

	if (range_overflows(base, size))
		return -EINVAL;
	if (size > SIZE_MAX)
		return -EINVAL;
	pthread_mutex_lock(&mem->add_lock);
	size_t nr = atomic_load_explicit(&mem->nr, memory_order_acquire);
	if (nr == IOMMU__MAX_RAM) {
		ret = -ENOSPC;
		goto out;
	}
	uint64_t last = base + (size - 1);
	for (size_t i = 0; i < nr; i++) {
		const struct iommu__ram *r = &mem->ram[i];
		if (base <= r->base + (r->size - 1) && r->base <= last) {
			ret = -EINVAL;
			goto out;
		}
	}
	struct iommu__ram *r = &mem->ram[nr];
	r->owned = false;
	if (!host) {
		host = mmap(NULL, size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (host == MAP_FAILED) {
			ret = -ENOMEM;
			goto out;
		}
		r->owned = true;
	}
	r->base = base;
	r->size = size;
	r->host = host;
	atomic_store_explicit(&mem->nr, nr + 1, memory_order_release);
out:
	pthread_mutex_unlock(&mem->add_lock);
	return ret;
}

static const struct iommu__ram *mem_find(struct iommu__mem *mem, uint64_t pa,
					 size_t len)
{
	size_t nr = atomic_load_explicit(&mem->nr, memory_order_acquire);

	for (size_t i = 0; i < nr; i++) {
		const struct iommu__ram *r = &mem->ram[i];
		uint64_t off = pa - r->base;
		if (pa >= r->base && off < r->size && len <= r->size - off)
			return r;
	}
	return NULL;
}

/*
 * The host address of [pa, pa + len), or NULL.  Every page-table entry a
 * device model reads comes through here, so the scan is mem_find()'s
 * with one compare less: a region never wraps past 2^64 (mem_add refuses
 * it), so pa < base makes pa - base at least 2^64 - base >= size, and
 * "off < size" alone says pa is inside.
 */
void *iommu__mem_ptr(struct iommu__mem *mem, uint64_t pa, size_t len)
{
	size_t nr = atomic_load_explicit(&mem->nr, memory_order_acquire);
	const struct iommu__ram *r = mem->ram, *end = r + nr;

	if (len == 0)
		len = 1;
	for (; r < end; r++) {
		uint64_t off = pa - r->base;

		if (off < r->size && len <= r->size - off)
			return r->host + off;
	}
	return NULL;
}

int iommu__mem_rw(struct iommu__mem *mem, uint64_t pa, void *buf, size_t len,
		  bool write)
{
	uint8_t *p = buf;

	/* An access may span adjacent regions; each piece must be RAM. */
	while (len) {
		size_t nr = atomic_load_explicit(&mem->nr, memory_order_acquire);
		const struct iommu__ram *r = NULL;
		for (size_t i = 0; i < nr; i++) {
			const struct iommu__ram *c = &mem->ram[i];
			if (pa >= c->base && pa - c->base < c->size) {
				r = c;
				break;
			}
		}
		if (!r)
			return -EFAULT;
		uint64_t avail = r->size - (pa - r->base);
		size_t n = len < avail ? len : (size_t)avail;
		if (write)
			memcpy(r->host + (pa - r->base), p, n);
		else
			memcpy(p, r->host + (pa - r->base), n);
		p += n;
		len -= n;
		if (len && pa + n < pa)
			return -EFAULT;
		pa += n;
	}
	return 0;
}

int iommu__mem_init(struct iommu_ctx *ctx, const struct iommu_ctx_opts *opts,
		    char *err, size_t errlen)
{
	struct iommu__mem *mem = &ctx->mem;
	const struct iommu__config *cfg = &ctx->cfg;
	int ret;

	for (size_t i = 0; i < opts->nr_ram; i++) {
		const struct iommu_ram_region *r = &opts->ram[i];
		if (!r->host) {
			snprintf(err, errlen, "opts.ram[%zu]: NULL host memory", i);
			return -EINVAL;
		}
		ret = iommu__mem_add(mem, r->base, r->size, r->host);
		if (ret) {
			snprintf(err, errlen,
				 "opts.ram[%zu]: cannot add [0x%llx, +0x%llx): %s", i,
				 (unsigned long long)r->base,
				 (unsigned long long)r->size, strerror(-ret));
			return ret;
		}
	}
	if (cfg->has_ram) {
		ret = iommu__mem_add(mem, cfg->ram_base, cfg->ram_size, NULL);
		if (ret) {
			snprintf(err, errlen,
				 "%s: [memory] ram_size: cannot add RAM at 0x%llx size 0x%llx: %s",
				 cfg->file, (unsigned long long)cfg->ram_base,
				 (unsigned long long)cfg->ram_size, strerror(-ret));
			return ret;
		}
	}
	if (atomic_load(&mem->nr) == 0) {
		snprintf(err, errlen,
			 "%s: [memory] ram_size: no RAM (give ram_size or opts.ram)",
			 cfg->file);
		return -EINVAL;
	}

	/* The table range: inside RAM, or a region of its own. */
	if (range_overflows(cfg->table_base, cfg->table_size) ||
	    (cfg->table_base | cfg->table_size) & (IOMMU__PAGE_SIZE - 1)) {
		snprintf(err, errlen, "%s: [memory] table_size: bad table range",
			 cfg->file);
		return -EINVAL;
	}
	if (!mem_find(mem, cfg->table_base, cfg->table_size)) {
		ret = iommu__mem_add(mem, cfg->table_base, cfg->table_size, NULL);
		if (ret) {
			snprintf(err, errlen,
				 "%s: [memory] table_base: table range [0x%llx, +0x%llx) overlaps RAM partly or cannot be mapped",
				 cfg->file, (unsigned long long)cfg->table_base,
				 (unsigned long long)cfg->table_size);
			return ret;
		}
	}
	mem->table_base = cfg->table_base;
	mem->table_size = cfg->table_size;
	mem->nr_pages = cfg->table_size / IOMMU__PAGE_SIZE;
	mem->bitmap = calloc((mem->nr_pages + 63) / 64, sizeof(uint64_t));
	mem->starts = calloc(mem->nr_pages ? mem->nr_pages : 1, 1);
	if (!mem->bitmap || !mem->starts) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

void iommu__mem_fini(struct iommu__mem *mem)
{
	size_t nr = atomic_load(&mem->nr);

	for (size_t i = 0; i < nr; i++)
		if (mem->ram[i].owned)
			munmap(mem->ram[i].host, mem->ram[i].size);
	atomic_store(&mem->nr, 0);
	free(mem->bitmap);
	mem->bitmap = NULL;
	free(mem->starts);
	mem->starts = NULL;
}

static bool bit_test(const uint64_t *bm, size_t i)
{
	return bm[i / 64] >> (i % 64) & 1;
}

static void bits_set(uint64_t *bm, size_t first, size_t n, bool v)
{
	for (size_t i = first; i < first + n; i++) {
		if (v)
			bm[i / 64] |= 1ull << (i % 64);
		else
			bm[i / 64] &= ~(1ull << (i % 64));
	}
}

int iommu__table_alloc(struct iommu__mem *mem, size_t size, uint64_t *pa)
{
	if (!pa || size < IOMMU__PAGE_SIZE || !iommu_is_pow2(size))
		return -EINVAL;
	size_t n = size / IOMMU__PAGE_SIZE;
	int ret = -ENOMEM;

	pthread_mutex_lock(&mem->table_lock);
	/* Natural alignment is of the physical address, not the index. */
	uint64_t mis = mem->table_base & (size - 1);
	size_t first = mis ? (size_t)((size - mis) / IOMMU__PAGE_SIZE) : 0;
	size_t start = mem->hint >= first ? mem->hint : first;
	start = first + ((start - first) / n) * n;
	for (size_t pass = 0; pass < 2 && ret; pass++) {
		size_t lo = pass ? first : start;
		size_t hi = pass ? start : mem->nr_pages;
		for (size_t i = lo; i + n <= mem->nr_pages && i < hi; i += n) {
			size_t j = 0;
			while (j < n && !bit_test(mem->bitmap, i + j))
				j++;
			if (j < n)
				continue;
			bits_set(mem->bitmap, i, n, true);
			mem->starts[i] = (uint8_t)(__builtin_ctzll(n) + 1);
			*pa = mem->table_base + i * IOMMU__PAGE_SIZE;
			mem->hint = i + n;
			ret = 0;
			break;
		}
	}
	pthread_mutex_unlock(&mem->table_lock);
	if (!ret) {
		void *p = iommu__mem_ptr(mem, *pa, size);
		/* The table range is always RAM (mem_init makes it so). */
		if (p)
			memset(p, 0, size);
	}
	return ret;
}

int iommu__table_free(struct iommu__mem *mem, uint64_t pa, size_t size)
{
	if (size < IOMMU__PAGE_SIZE || !iommu_is_pow2(size) ||
	    pa < mem->table_base || (pa - mem->table_base) % IOMMU__PAGE_SIZE ||
	    pa & (size - 1))
		return -EINVAL;
	size_t i = (pa - mem->table_base) / IOMMU__PAGE_SIZE;
	size_t n = size / IOMMU__PAGE_SIZE;
	int ret = 0;

	if (i + n > mem->nr_pages)
		return -EINVAL;
	pthread_mutex_lock(&mem->table_lock);
	/* Exactly one live allocation of this size starts here. */
	if (mem->starts[i] != __builtin_ctzll(n) + 1)
		ret = -EINVAL;
	if (!ret) {
		mem->starts[i] = 0;
		bits_set(mem->bitmap, i, n, false);
		if (i < mem->hint)
			mem->hint = i;
	}
	pthread_mutex_unlock(&mem->table_lock);
	return ret;
}
