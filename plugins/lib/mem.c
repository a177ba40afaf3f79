// SPDX-License-Identifier: MIT
/*
 * mem.c - guest and table memory helpers (see ilib_mem.h).
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "ilib_mem.h"

/* [@pa, @pa + @len) wraps past 2^64; @len > 0. */
static bool mem_wraps(uint64_t pa, size_t len)
{
	return pa + (len - 1) < pa;
}

int ilib_mem_read(struct iommu_host *host, uint64_t pa, void *buf, size_t len)
{
	if (!host || !host->ops || !host->ops->mem_read || !buf || !len)
		return -EINVAL;
	if (mem_wraps(pa, len))
		return -EFAULT;
	return host->ops->mem_read(host, pa, buf, len);
}

int ilib_mem_write(struct iommu_host *host, uint64_t pa, const void *buf,
		   size_t len)
{
	if (!host || !host->ops || !host->ops->mem_write || !buf || !len)
		return -EINVAL;
	if (mem_wraps(pa, len))
		return -EFAULT;
	return host->ops->mem_write(host, pa, buf, len);
}

int ilib_mem_read_le64(struct iommu_host *host, uint64_t pa, uint64_t *qw,
		       unsigned int n)
{
	int ret;

	if (!qw || !n)
		return -EINVAL;
	/* Hardware fetches a structure a qword at a time, each qword whole:
	 * read them with atomic loads where the memory is directly mapped,
	 * so a driver's atomic store of one qword is never seen torn (and
	 * the two sides do not race in the language's sense). */
	if (!(pa & 7) && host && host->ops && host->ops->mem_ptr &&
	    pa + 8ull * n - 1 >= pa) {
		const uint64_t *p = host->ops->mem_ptr(host, pa, 8u * (size_t)n);

		if (p) {
			for (unsigned int i = 0; i < n; i++)
				qw[i] = le64toh(
					__atomic_load_n(&p[i], __ATOMIC_ACQUIRE));
			return 0;
		}
	}
	ret = ilib_mem_read(host, pa, qw, 8u * (size_t)n);
	if (ret)
		return ret;
	for (unsigned int i = 0; i < n; i++)
		qw[i] = le64toh(qw[i]);
	return 0;
}

void *ilib_table_ptr(struct iommu_host *host, uint64_t pa, size_t size)
{
	if (!host || !host->ops || !host->ops->mem_ptr || !size)
		return NULL;
	return host->ops->mem_ptr(host, pa, size);
}

int ilib_mem_store_le(struct iommu_host *host, struct ilib_mem_spot *spot,
		      uint64_t pa, uint64_t val, unsigned int size)
{
	void *p;

	if (!spot || (size != 4 && size != 8) || (pa & (size - 1)))
		return -EINVAL;
	if (!spot->hp || spot->pa != pa || spot->size != size) {
		p = ilib_table_ptr(host, pa, size);
		if (!p || ((uintptr_t)p & (size - 1))) {
			uint64_t le = htole64(val);

			/* Little-endian: the low @size bytes come first. */
			return ilib_mem_write(host, pa, &le, size);
		}
		spot->pa = pa;
		spot->size = size;
		spot->hp = p;
	}
	if (size == 4)
		__atomic_store_n((uint32_t *)spot->hp, htole32((uint32_t)val),
				 __ATOMIC_RELEASE);
	else
		__atomic_store_n((uint64_t *)spot->hp, htole64(val),
				 __ATOMIC_RELEASE);
	return 0;
}

int ilib_table_alloc(struct iommu_host *host, const char *tag, size_t size,
		     uint64_t *pa, void **va)
{
	int err;

	if (!host || !host->ops || !host->ops->table_alloc ||
	    !host->ops->table_free || !host->ops->mem_ptr || !pa || !va ||
	    size < 4096 || !iommu_is_pow2(size))
		return -EINVAL;
	err = host->ops->table_alloc(host, size, pa);
	if (err)
		return err;
	*va = host->ops->mem_ptr(host, *pa, size);
	if (!*va) {
		host->ops->table_free(host, *pa, size);
		if (host->ops->log)
			host->ops->log(host, IOMMU_LOG_ERR,
				       "%s: table memory 0x%llx is not RAM",
				       tag ? tag : "iommu",
				       (unsigned long long)*pa);
		return -EFAULT;
	}
	memset(*va, 0, size);
	return 0;
}

void ilib_table_free(struct iommu_host *host, uint64_t pa, size_t size)
{
	if (host && host->ops && host->ops->table_free && size)
		host->ops->table_free(host, pa, size);
}
