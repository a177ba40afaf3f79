/* SPDX-License-Identifier: MIT */
/*
 * ilib_ring.h - a circular queue in guest memory, seen by its producer or
 * its consumer (VT-d invalidation queue, SMMUv3 command and event queues,
 * AMD-Vi command buffer and event log, ...).
 *
 * Every such queue is an array of 2^n fixed-size entries at a physical
 * base; the producer owns one index (tail / PROD), the consumer the other
 * (head / CONS), and both live in registers.  They differ only in how the
 * two indexes tell a full queue from an empty one:
 *  - without a wrap bit (VT-d, AMD-Vi) one entry stays unused: empty is
 *    prod == cons, full is prod + 1 == cons (mod 2^n);
 *  - with a wrap bit (SMMUv3 PROD.WR / CONS.WR, ILIB_RING_WRAP) a
 *    position is the index plus one bit above it that flips on every
 *    wrap: empty is equal positions, full is equal indexes with different
 *    wrap bits, and all 2^n entries can be used.
 * A "position" below is the index, or with ILIB_RING_WRAP the index plus
 * the wrap bit at bit n.  Registers that hold byte offsets (VT-d IQH/IQT,
 * AMD-Vi head/tail) convert with ilib_ring_offset() and
 * ilib_ring_pos_of_offset().
 *
 * struct ilib_ring holds only the geometry: the indexes belong to the
 * caller (the driver's shadow of its tail, the model's registers), and
 * entries are read and written through the host's bounds-checked memory
 * (struct iommu_host_ops mem_read/mem_write), so a guest-programmed base
 * outside RAM is an error the caller turns into the vendor's queue fault,
 * never a crash.  No locking: the caller serializes each side.
 */
#ifndef ILIB_RING_H
#define ILIB_RING_H

#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommu/plugin.h"

#pragma GCC visibility push(hidden)

/* Positions carry a wrap bit above the index. */
#define ILIB_RING_WRAP (1u << 0)

/* Largest entry and queue: 2^ILIB_RING_MAX_ENTRY_LG2 bytes, 2^31 entries. */
#define ILIB_RING_MAX_ENTRY_LG2 12u
#define ILIB_RING_MAX_COUNT_LG2 31u

/**
 * struct ilib_ring - where a queue is and its shape
 * @base: physical address of entry 0
 * @entry_lg2: log2 of the entry size in bytes
 * @count_lg2: log2 of the number of entries
 * @wrap: positions carry a wrap bit (ILIB_RING_WRAP)
 */
struct ilib_ring {
	uint64_t base;
	unsigned int entry_lg2;
	unsigned int count_lg2;
	bool wrap;
	uint8_t *hp; /* entry 0 in host memory (ilib_ring_bind), or NULL */
};

/**
 * ilib_ring_init() - describe a queue
 * @r: the ring
 * @base: physical address of entry 0 (not checked: a guest may program
 *     anything; reads and writes fail with -EFAULT outside RAM)
 * @entry_size: bytes per entry, a power of two, 8..2^ILIB_RING_MAX_ENTRY_LG2
 * @count: entries, a power of two, 2..2^ILIB_RING_MAX_COUNT_LG2
 * @flags: 0 or ILIB_RING_WRAP
 *
 * Return: 0; -EINVAL a size is not a power of two or out of range, or an
 * unknown flag.
 */
int ilib_ring_init(struct ilib_ring *r, uint64_t base, size_t entry_size,
		   uint64_t count, unsigned int flags);

/**
 * ilib_ring_bind() - reach the entries directly when the queue is RAM
 * @r: the ring (after ilib_ring_init(), which unbinds it)
 * @host: whose memory
 *
 * When all of [base, base + entries * size) lies in one RAM region, the
 * ring keeps its host address and the read and write calls below copy
 * qword by qword from there (atomic loads and stores, as the hardware
 * fetches a qword whole), with no region lookup per entry; the index is
 * always taken modulo the count, so no access leaves the queue.  RAM
 * regions are never removed, so the address stays good for the host's
 * life.  Otherwise the ring stays unbound and each access goes through
 * the host's bounds-checked mem_read/mem_write as before.
 * Return: 0 bound; -EFAULT not one RAM region (still usable, unbound);
 * -EINVAL bad arguments.
 */
int ilib_ring_bind(struct ilib_ring *r, struct iommu_host *host);

/**
 * struct ilib_ring_cached - a model's queue, described once per value of
 * the register that says where and how large it is
 * @r: the ring, when @made
 * @reg: the register value @r (or its refusal) was made from
 * @seen: @reg holds a value looked at; @made: it gave a valid ring
 *
 * Zero-initialize it; the caller serializes its use (a model's register
 * lock).
 */
struct ilib_ring_cached {
	struct ilib_ring r;
	uint64_t reg;
	bool seen, made;
};

/**
 * ilib_ring_cached_get() - the ring register value @reg describes
 * @c: the cache
 * @host: whose memory
 * @reg: the register value (base and size fields together): a new value
 *     describes the ring again, the same value reuses it
 * @base, @entry_size, @count, @flags: as ilib_ring_init(), derived from
 *     @reg by the caller
 *
 * On a new @reg: ilib_ring_init(), then ilib_ring_bind() (RAM regions
 * never go away, so a binding stays good for the value's life; a queue
 * outside RAM stays unbound and each access faults as usual).  A model
 * thus rebinds its queue when the guest moves it, not on every doorbell.
 * Return: the ring; NULL if the geometry is invalid (the caller reads
 * through the host, or treats it as the vendor's error).
 */
const struct ilib_ring *ilib_ring_cached_get(struct ilib_ring_cached *c,
					     struct iommu_host *host,
					     uint64_t reg, uint64_t base,
					     size_t entry_size, uint64_t count,
					     unsigned int flags);

/**
 * ilib_ring_count() - entries in the queue
 * @r: the ring
 * Return: 2^count_lg2.
 */
uint32_t ilib_ring_count(const struct ilib_ring *r);

/**
 * ilib_ring_entry_size() - bytes per entry
 * @r: the ring
 * Return: 2^entry_lg2.
 */
size_t ilib_ring_entry_size(const struct ilib_ring *r);

/**
 * ilib_ring_pos_ok() - is @pos a position of this ring?
 * @r: the ring
 * @pos: a value read from a register (after removing other fields)
 *
 * Return: true if @pos < count (2 * count with a wrap bit).
 */
bool ilib_ring_pos_ok(const struct ilib_ring *r, uint32_t pos);

/**
 * ilib_ring_index() - the entry index of @pos (without the wrap bit)
 * @r: the ring
 * @pos: a position
 * Return: @pos mod count.
 */
uint32_t ilib_ring_index(const struct ilib_ring *r, uint32_t pos);

/**
 * ilib_ring_next() - the position after @pos
 * @r: the ring
 * @pos: a position
 *
 * Return: @pos + 1, wrapping to index 0 (and flipping the wrap bit).
 */
uint32_t ilib_ring_next(const struct ilib_ring *r, uint32_t pos);

/**
 * ilib_ring_empty() - nothing between consumer and producer
 * @r: the ring
 * @prod: producer position
 * @cons: consumer position
 * Return: true if the consumer has caught up.
 */
bool ilib_ring_empty(const struct ilib_ring *r, uint32_t prod, uint32_t cons);

/**
 * ilib_ring_full() - no room for the producer
 * @r: the ring
 * @prod: producer position
 * @cons: consumer position
 *
 * Return: true if one more entry would overwrite one not yet consumed
 * (without a wrap bit: count - 1 entries are pending).
 */
bool ilib_ring_full(const struct ilib_ring *r, uint32_t prod, uint32_t cons);

/**
 * ilib_ring_used() - entries produced and not yet consumed
 * @r: the ring
 * @prod: producer position
 * @cons: consumer position
 * Return: the count, 0..count (count - 1 without a wrap bit).
 */
uint32_t ilib_ring_used(const struct ilib_ring *r, uint32_t prod,
			uint32_t cons);

/**
 * ilib_ring_space() - entries the producer may still write
 * @r: the ring
 * @prod: producer position
 * @cons: consumer position
 * Return: the count.
 */
uint32_t ilib_ring_space(const struct ilib_ring *r, uint32_t prod,
			 uint32_t cons);

/**
 * ilib_ring_offset() - byte offset of @pos's entry from the base
 * @r: the ring
 * @pos: a position
 * Return: index * entry size (the wrap bit does not count).
 */
uint64_t ilib_ring_offset(const struct ilib_ring *r, uint32_t pos);

/**
 * ilib_ring_pos_of_offset() - the index whose entry is at byte @off
 * @r: the ring
 * @off: byte offset (a head/tail register's value)
 * @pos: the index
 *
 * Return: 0; -EINVAL @off is not a multiple of the entry size; -ERANGE
 * @off is at or past the end of the queue.  Misalignment is checked
 * first.
 */
int ilib_ring_pos_of_offset(const struct ilib_ring *r, uint64_t off,
			    uint32_t *pos);

/**
 * ilib_ring_read() - copy @pos's entry out of guest memory
 * @r: the ring
 * @host: whose memory
 * @pos: a position
 * @buf: entry size bytes
 *
 * Return: 0; -EINVAL bad arguments; -EFAULT the entry is not all RAM.
 */
int ilib_ring_read(const struct ilib_ring *r, struct iommu_host *host,
		   uint32_t pos, void *buf);

/**
 * ilib_ring_write() - copy an entry into guest memory at @pos
 * @r: the ring
 * @host: whose memory
 * @pos: a position
 * @buf: entry size bytes
 *
 * Return: 0; -EINVAL bad arguments; -EFAULT the entry is not all RAM.
 */
int ilib_ring_write(const struct ilib_ring *r, struct iommu_host *host,
		    uint32_t pos, const void *buf);

/* The out-of-line paths of the two below: a ring not bound to RAM, bad
 * arguments. */
int ilib_ring_read_le64_slow(const struct ilib_ring *r,
			     struct iommu_host *host, uint32_t pos,
			     uint64_t *qw);
int ilib_ring_write_le64_slow(const struct ilib_ring *r,
			      struct iommu_host *host, uint32_t pos,
			      const uint64_t *qw);

/* @pos's entry of a bound ring, in host memory. */
static inline uint64_t *ilib_ring_entry_hp(const struct ilib_ring *r,
					   uint32_t pos)
{
	uint64_t idx = pos & ((1u << r->count_lg2) - 1);

	return (uint64_t *)(void *)(r->hp + (idx << r->entry_lg2));
}

/**
 * ilib_ring_read_le64() - read @pos's entry as little-endian qwords
 * @r: the ring
 * @host: whose memory
 * @pos: a position
 * @qw: entry size / 8 qwords, in CPU order
 *
 * A bound ring's entry is copied inline, with atomic qword loads: every
 * queue run reads one entry per command, and a call with its checks
 * cost more than the copy.
 * Return: as ilib_ring_read().
 */
static inline int ilib_ring_read_le64(const struct ilib_ring *r,
				      struct iommu_host *host, uint32_t pos,
				      uint64_t *qw)
{
	if (r && r->hp && qw) {
		const uint64_t *p = ilib_ring_entry_hp(r, pos);
		const unsigned int n = 1u << (r->entry_lg2 - 3);

		for (unsigned int i = 0; i < n; i++)
			qw[i] = le64toh(__atomic_load_n(&p[i], __ATOMIC_ACQUIRE));
		return 0;
	}
	return ilib_ring_read_le64_slow(r, host, pos, qw);
}

/**
 * ilib_ring_write_le64() - write @pos's entry from qwords
 * @r: the ring
 * @host: whose memory
 * @pos: a position
 * @qw: entry size / 8 qwords, in CPU order (stored little-endian)
 *
 * A bound ring's entry is stored inline, as ilib_ring_read_le64() loads.
 * Return: as ilib_ring_write().
 */
static inline int ilib_ring_write_le64(const struct ilib_ring *r,
				       struct iommu_host *host, uint32_t pos,
				       const uint64_t *qw)
{
	if (r && r->hp && qw) {
		uint64_t *p = ilib_ring_entry_hp(r, pos);
		const unsigned int n = 1u << (r->entry_lg2 - 3);

		for (unsigned int i = 0; i < n; i++)
			__atomic_store_n(&p[i], htole64(qw[i]),
					 __ATOMIC_RELEASE);
		return 0;
	}
	return ilib_ring_write_le64_slow(r, host, pos, qw);
}

#pragma GCC visibility pop

#endif /* ILIB_RING_H */
