// SPDX-License-Identifier: MIT
/*
 * pth.c - the page-table suite's host (see pth.h).
 */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pth.h"

#define PG 4096ull

static struct pth *H(struct iommu_host *h)
{
	return (struct pth *)h;
}

static void h_log(struct iommu_host *h, enum iommu_log_level l,
		  const char *fmt, ...)
{
	(void)h, (void)l, (void)fmt;
}

static int h_read(struct iommu_host *h, uint64_t pa, void *buf, size_t len)
{
	if (pa >= PTH_RAM || len > PTH_RAM - pa)
		return -EFAULT;
	memcpy(buf, H(h)->ram + pa, len);
	return 0;
}

static int h_write(struct iommu_host *h, uint64_t pa, const void *buf,
		   size_t len)
{
	if (pa >= PTH_RAM || len > PTH_RAM - pa)
		return -EFAULT;
	memcpy(H(h)->ram + pa, buf, len);
	return 0;
}

static void *h_ptr(struct iommu_host *h, uint64_t pa, size_t len)
{
	if (pa >= PTH_RAM || len > PTH_RAM - pa)
		return NULL;
	return H(h)->ram + pa;
}

/* Tables come from the lower half of RAM. */
static int h_alloc(struct iommu_host *hh, size_t size, uint64_t *pa)
{
	struct pth *h = H(hh);
	uint64_t n = size / PG;

	int ret = -ENOMEM;

	if (size < PG || (size & (size - 1)))
		return -EINVAL;
	pthread_mutex_lock(&h->lock);
	if (h->fail_after && h->allocs >= h->fail_after)
		goto out;
	for (uint64_t p = 0; p + n <= PTH_RAM / 2 / PG; p += n) {
		uint64_t i;

		for (i = 0; i < n && !h->used[p + i]; i++)
			;
		if (i < n)
			continue;
		memset(h->used + p, 1, n);
		memset(h->ram + p * PG, 0, size);
		h->live_pages += n;
		h->allocs++;
		*pa = p * PG;
		ret = 0;
		break;
	}
out:
	pthread_mutex_unlock(&h->lock);
	return ret;
}

static void h_tfree(struct iommu_host *hh, uint64_t pa, size_t size)
{
	struct pth *h = H(hh);

	pthread_mutex_lock(&h->lock);
	for (uint64_t i = 0; i < size / PG; i++) {
		uint64_t p = pa / PG + i;

		if (p >= PTH_RAM / PG || !h->used[p]) {
			h->bad_free++;
			continue;
		}
		h->used[p] = 0;
		h->live_pages--;
	}
	pthread_mutex_unlock(&h->lock);
}

static void h_irq(struct iommu_host *h, unsigned int v)
{
	(void)h, (void)v;
}

static void h_fault(struct iommu_host *h, const struct iommu_fault *f)
{
	(void)h, (void)f;
}

static void h_stat(struct iommu_host *h, enum iommu_stat s, uint64_t n)
{
	(void)h, (void)s, (void)n;
}

static const struct iommu_host_ops pth_ops = {
	.log = h_log,
	.mem_read = h_read,
	.mem_write = h_write,
	.mem_ptr = h_ptr,
	.table_alloc = h_alloc,
	.table_free = h_tfree,
	.raise_irq = h_irq,
	.report_fault = h_fault,
	.stat_add = h_stat,
};

struct pth *pth_new(void)
{
	struct pth *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->host.ops = &pth_ops;
	pthread_mutex_init(&h->lock, NULL);
	h->ram = calloc(1, PTH_RAM);
	h->used = calloc(1, PTH_RAM / PG);
	if (!h->ram || !h->used) {
		pth_free(h);
		return NULL;
	}
	return h;
}

void pth_free(struct pth *h)
{
	if (!h)
		return;
	free(h->ram);
	free(h->used);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

uint64_t pth_rd(struct pth *h, uint64_t pa)
{
	uint64_t e;

	memcpy(&e, h->ram + pa, 8);
	return le64toh(e);
}

void pth_wr(struct pth *h, uint64_t pa, uint64_t e)
{
	e = htole64(e);
	memcpy(h->ram + pa, &e, 8);
}

uint64_t pth_page(struct pth *h, uint64_t size)
{
	uint64_t pa;

	if (h->hand_next < PTH_RAM / 2)
		h->hand_next = PTH_RAM / 2;
	pa = (h->hand_next + size - 1) & ~(size - 1);
	if (pa + size > PTH_RAM - PG)
		return 0; /* tests use few pages; 0 makes them fail visibly */
	h->hand_next = pa + size;
	memset(h->ram + pa, 0, size);
	return pa;
}
