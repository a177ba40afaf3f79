// SPDX-License-Identifier: MIT
/*
 * fake.c - the library suite's host and bus (see fake.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "fake.h"

static struct fake_host *fh(struct iommu_host *host)
{
	return (struct fake_host *)host;
}

static bool in_ram(uint64_t pa, size_t len)
{
	return pa >= FAKE_RAM_BASE && len <= FAKE_RAM_SIZE &&
	       pa - FAKE_RAM_BASE <= FAKE_RAM_SIZE - len;
}

static void fake_log(struct iommu_host *host, enum iommu_log_level level,
		     const char *fmt, ...)
{
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vsnprintf(fh(host)->last_log, sizeof(fh(host)->last_log), fmt, ap);
	va_end(ap);
}

static int fake_mem_read(struct iommu_host *host, uint64_t pa, void *buf,
			 size_t len)
{
	if (!in_ram(pa, len))
		return -EFAULT;
	memcpy(buf, fh(host)->ram + (pa - FAKE_RAM_BASE), len);
	return 0;
}

static int fake_mem_write(struct iommu_host *host, uint64_t pa, const void *buf,
			  size_t len)
{
	if (!in_ram(pa, len))
		return -EFAULT;
	memcpy(fh(host)->ram + (pa - FAKE_RAM_BASE), buf, len);
	return 0;
}

static void *fake_mem_ptr(struct iommu_host *host, uint64_t pa, size_t len)
{
	return in_ram(pa, len) ? fh(host)->ram + (pa - FAKE_RAM_BASE) : NULL;
}

static int fake_table_alloc(struct iommu_host *host, size_t size, uint64_t *pa)
{
	struct fake_host *h = fh(host);
	uint64_t at = (h->next_table + size - 1) & ~(uint64_t)(size - 1);

	if (h->table_not_ram) {
		*pa = 0x1000; /* below RAM */
		return 0;
	}
	if (!in_ram(at, size))
		return -ENOMEM;
	/* Dirty the pages: the caller must zero them itself. */
	memset(h->ram + (at - FAKE_RAM_BASE), 0xa5, size);
	h->next_table = at + size;
	*pa = at;
	return 0;
}

static void fake_table_free(struct iommu_host *host, uint64_t pa, size_t size)
{
	(void)size;
	fh(host)->frees++;
	fh(host)->last_free_pa = pa;
}

static void fake_stat_add(struct iommu_host *host, enum iommu_stat stat,
			  uint64_t n)
{
	if ((unsigned int)stat < 64)
		fh(host)->stats[stat] += n;
}

static const struct iommu_host_ops fake_ops = {
    .log = fake_log,
    .mem_read = fake_mem_read,
    .mem_write = fake_mem_write,
    .mem_ptr = fake_mem_ptr,
    .table_alloc = fake_table_alloc,
    .table_free = fake_table_free,
    .stat_add = fake_stat_add,
};

struct fake_host *fake_host_new(void)
{
	struct fake_host *h = calloc(1, sizeof(*h));

	cr_assert_not_null(h);
	h->ram = calloc(1, FAKE_RAM_SIZE);
	cr_assert_not_null(h->ram);
	h->host.ops = &fake_ops;
	h->next_table = FAKE_RAM_BASE + FAKE_RAM_SIZE / 2;
	return h;
}

void fake_host_free(struct fake_host *h)
{
	if (!h)
		return;
	free(h->ram);
	free(h);
}

void *fake_ram(struct fake_host *h, uint64_t pa)
{
	cr_assert(in_ram(pa, 1), "0x%llx is not fake RAM",
		  (unsigned long long)pa);
	return h->ram + (pa - FAKE_RAM_BASE);
}

static int fake_mmio_read(void *opaque, uint64_t off, unsigned int size,
			  uint64_t *val)
{
	struct fake_bus *b = opaque;

	b->last_size = size;
	if (off == FAKE_REG_FAIL)
		return -EIO;
	b->reads++;
	*val = off == FAKE_REG_STATUS && b->reads > b->ready_after
		   ? b->ready_val
		   : 0;
	return 0;
}

static int fake_mmio_write(void *opaque, uint64_t off, unsigned int size,
			   uint64_t val)
{
	struct fake_bus *b = opaque;

	b->last_size = size;
	b->last_write_off = off;
	b->last_write_val = val;
	return off == FAKE_REG_FAIL ? -EIO : 0;
}

static const struct iommu_bus_ops fake_bus_ops = {
    .mmio_read = fake_mmio_read,
    .mmio_write = fake_mmio_write,
};

void fake_bus_init(struct fake_bus *b, uint64_t ready_after, uint64_t ready_val)
{
	memset(b, 0, sizeof(*b));
	b->bus.ops = &fake_bus_ops;
	b->bus.opaque = b;
	b->ready_after = ready_after;
	b->ready_val = ready_val;
}
