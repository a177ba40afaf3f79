/* SPDX-License-Identifier: MIT */
/*
 * ilib_mem.h - guest memory and table memory for drivers and models.
 *
 * A device model reads what a guest programmed (table pointers, queue
 * bases): any address, so every read goes through the host's
 * bounds-checked accessors and an address range that wraps past 2^64 is
 * refused before the host sees it.  A driver allocates its tables (root,
 * context, stream, device tables, queues) from the host's table range and
 * writes them through a host pointer, with single-copy-atomic 64-bit
 * little-endian stores, because the hardware may read an entry while the
 * driver changes it.
 */
#ifndef ILIB_MEM_H
#define ILIB_MEM_H

#include <endian.h>
#include <stddef.h>
#include <stdint.h>

#include "iommu/plugin.h"

#pragma GCC visibility push(hidden)

/**
 * ilib_mem_read() - bounds-checked read of guest memory
 * @host: whose memory
 * @pa: physical address
 * @buf: @len bytes
 * @len: bytes, > 0
 *
 * Return: 0; -EINVAL bad arguments; -EFAULT [@pa, @pa + @len) wraps past
 * 2^64 or is not all RAM.
 */
int ilib_mem_read(struct iommu_host *host, uint64_t pa, void *buf, size_t len);

/**
 * ilib_mem_write() - bounds-checked write of guest memory
 * @host: whose memory
 * @pa: physical address
 * @buf: @len bytes
 * @len: bytes, > 0
 *
 * Return: as ilib_mem_read().
 */
int ilib_mem_write(struct iommu_host *host, uint64_t pa, const void *buf,
		   size_t len);

/**
 * ilib_mem_read_le64() - read @n little-endian qwords at @pa
 * @host: whose memory
 * @pa: physical address
 * @qw: @n qwords, in CPU order on return
 * @n: qwords, > 0
 *
 * Every vendor's in-memory structures are little-endian qwords.  Each
 * qword is read whole (an atomic load where the memory is directly
 * mapped), as hardware fetches them and as drivers store them.
 * Return: as ilib_mem_read().
 */
int ilib_mem_read_le64(struct iommu_host *host, uint64_t pa, uint64_t *qw,
		       unsigned int n);

/**
 * ilib_table_alloc() - zeroed table memory and the driver's pointer to it
 * @host: whose memory
 * @tag: log prefix, the backend's name ("vtd")
 * @size: bytes, a power of two >= 4096 (naturally aligned)
 * @pa: physical address
 * @va: host pointer to [@pa, @pa + @size)
 *
 * The pages come from the host's table range; a range the host cannot map
 * (not in one RAM region) is given back and logged.
 * Return: 0; -EINVAL bad arguments; -ENOMEM the table range is
 * exhausted; -EFAULT the pages are not RAM.
 */
int ilib_table_alloc(struct iommu_host *host, const char *tag, size_t size,
		     uint64_t *pa, void **va);

/**
 * ilib_table_free() - give table memory back
 * @host: whose memory
 * @pa: what ilib_table_alloc() returned
 * @size: the size it was allocated with
 */
void ilib_table_free(struct iommu_host *host, uint64_t pa, size_t size);

/**
 * ilib_table_ptr() - host pointer to table memory allocated before
 * @host: whose memory
 * @pa: physical address
 * @size: bytes
 *
 * Return: the pointer; NULL if [@pa, @pa + @size) is not in one RAM
 * region or an argument is bad.
 */
void *ilib_table_ptr(struct iommu_host *host, uint64_t pa, size_t size);

/**
 * struct ilib_mem_spot - where the host maps one small guest location
 * @pa: its guest-physical address
 * @size: the bytes the host mapping was checked for (a store of another
 *     size looks again)
 * @hp: the host's address of it; NULL: nothing remembered yet
 *
 * A device model's completion stores (VT-d wait status, AMD-Vi
 * COMPLETION_WAIT) go again and again to the one location a driver picked.
 * ilib_mem_store_le() remembers it once it is known to be RAM, which never
 * goes away, and stores there directly after.  Zero-initialize it; the
 * caller serializes its use (a model's register lock).
 */
struct ilib_mem_spot {
	uint64_t pa;
	unsigned int size; /* bytes @hp was checked for */
	void *hp;
};

/**
 * ilib_mem_store_le() - store @val, @size bytes little-endian, at @pa
 * @host: whose memory
 * @spot: the remembered location (updated when @pa is another RAM one)
 * @pa: guest-physical address, aligned to @size
 * @val: the value, in CPU order
 * @size: 4 or 8
 *
 * In RAM, one atomic release store: whoever sees the value sees what the
 * model did before it.  Elsewhere (not RAM, or an unaligned host mapping)
 * the host's bounds-checked write.
 * Return: 0; -EINVAL bad arguments or a misaligned @pa; -EFAULT not
 * memory.
 */
int ilib_mem_store_le(struct iommu_host *host, struct ilib_mem_spot *spot,
		      uint64_t pa, uint64_t val, unsigned int size);

/**
 * ilib_le64_store() - store a table qword the hardware may read now
 * @p: the qword in table memory
 * @val: value in CPU order
 *
 * Single-copy atomic and release: the words stored before it are visible
 * to whoever sees this one.
 */
static inline void ilib_le64_store(uint64_t *p, uint64_t val)
{
	__atomic_store_n(p, htole64(val), __ATOMIC_RELEASE);
}

/**
 * ilib_le64_load() - load a table qword (acquire)
 * @p: the qword in table memory
 * Return: the value in CPU order.
 */
static inline uint64_t ilib_le64_load(const uint64_t *p)
{
	return le64toh(__atomic_load_n(p, __ATOMIC_ACQUIRE));
}

#pragma GCC visibility pop

#endif /* ILIB_MEM_H */
