// SPDX-License-Identifier: MIT
/*
 * ring.c - queue geometry and entry access (see ilib_ring.h).
 *
 * Positions are computed in 64 bits: with a wrap bit and 2^31 entries the
 * position space is all of uint32_t, and its mask does not fit in one.
 */
#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "ilib_mem.h"
#include "ilib_ring.h"

int ilib_ring_init(struct ilib_ring *r, uint64_t base, size_t entry_size,
		   uint64_t count, unsigned int flags)
{
	if (!r || !iommu_is_pow2(entry_size) || entry_size < 8 ||
	    entry_size > (1ull << ILIB_RING_MAX_ENTRY_LG2) ||
	    !iommu_is_pow2(count) || count < 2 ||
	    count > (1ull << ILIB_RING_MAX_COUNT_LG2) ||
	    (flags & ~ILIB_RING_WRAP))
		return -EINVAL;
	r->base = base;
	r->entry_lg2 = (unsigned int)__builtin_ctzll(entry_size);
	r->count_lg2 = (unsigned int)__builtin_ctzll(count);
	r->wrap = flags & ILIB_RING_WRAP;
	r->hp = NULL;
	return 0;
}

uint32_t ilib_ring_count(const struct ilib_ring *r)
{
	return r ? 1u << r->count_lg2 : 0;
}

size_t ilib_ring_entry_size(const struct ilib_ring *r)
{
	return r ? (size_t)1 << r->entry_lg2 : 0;
}

/* Mask of the position space: index, plus the wrap bit if any. */
static uint64_t ring_pos_mask(const struct ilib_ring *r)
{
	return (1ull << (r->count_lg2 + (r->wrap ? 1 : 0))) - 1;
}

bool ilib_ring_pos_ok(const struct ilib_ring *r, uint32_t pos)
{
	return r && pos <= ring_pos_mask(r);
}

uint32_t ilib_ring_index(const struct ilib_ring *r, uint32_t pos)
{
	return r ? pos & ((1u << r->count_lg2) - 1) : 0;
}

uint32_t ilib_ring_next(const struct ilib_ring *r, uint32_t pos)
{
	return r ? (uint32_t)(((uint64_t)pos + 1) & ring_pos_mask(r)) : 0;
}

uint32_t ilib_ring_used(const struct ilib_ring *r, uint32_t prod, uint32_t cons)
{
	return r ? (uint32_t)(((uint64_t)prod - cons) & ring_pos_mask(r)) : 0;
}

bool ilib_ring_empty(const struct ilib_ring *r, uint32_t prod, uint32_t cons)
{
	return r && ((prod ^ cons) & ring_pos_mask(r)) == 0;
}

bool ilib_ring_full(const struct ilib_ring *r, uint32_t prod, uint32_t cons)
{
	if (!r)
		return true;
	if (r->wrap) /* same index, other lap */
		return ((prod ^ cons) & ring_pos_mask(r)) ==
		       1ull << r->count_lg2;
	return ilib_ring_next(r, prod) == (cons & ring_pos_mask(r));
}

uint32_t ilib_ring_space(const struct ilib_ring *r, uint32_t prod,
			 uint32_t cons)
{
	uint32_t room;

	if (!r)
		return 0;
	room = r->wrap ? 1u << r->count_lg2 : (1u << r->count_lg2) - 1;
	return room - ilib_ring_used(r, prod, cons);
}

uint64_t ilib_ring_offset(const struct ilib_ring *r, uint32_t pos)
{
	return r ? (uint64_t)ilib_ring_index(r, pos) << r->entry_lg2 : 0;
}

int ilib_ring_pos_of_offset(const struct ilib_ring *r, uint64_t off,
			    uint32_t *pos)
{
	if (!r || !pos)
		return -EINVAL;
	if (off & ((1ull << r->entry_lg2) - 1))
		return -EINVAL;
	if ((off >> r->entry_lg2) >= 1ull << r->count_lg2)
		return -ERANGE;
	*pos = (uint32_t)(off >> r->entry_lg2);
	return 0;
}

/* Physical address of @pos's entry. */
static uint64_t ring_entry_pa(const struct ilib_ring *r, uint32_t pos)
{
	return r->base + ilib_ring_offset(r, pos);
}

int ilib_ring_bind(struct ilib_ring *r, struct iommu_host *host)
{
	uint64_t bytes;

	if (!r || !host)
		return -EINVAL;
	r->hp = NULL;
	bytes = 1ull << (r->entry_lg2 + r->count_lg2);
	/* Qword copies need qword-aligned entries; a queue past 2^64 or
	 * not in one region stays unbound. */
	if ((r->base & 7) || r->base + (bytes - 1) < r->base ||
	    bytes > SIZE_MAX)
		return -EFAULT;
	/* The host's mem_ptr: one RAM region holds all of it, or NULL. */
	r->hp = ilib_table_ptr(host, r->base, (size_t)bytes);
	return r->hp ? 0 : -EFAULT;
}

const struct ilib_ring *ilib_ring_cached_get(struct ilib_ring_cached *c,
					     struct iommu_host *host,
					     uint64_t reg, uint64_t base,
					     size_t entry_size, uint64_t count,
					     unsigned int flags)
{
	if (!c)
		return NULL;
	if (!c->seen || c->reg != reg) {
		c->reg = reg;
		c->seen = true;
		c->made = !ilib_ring_init(&c->r, base, entry_size, count, flags);
		if (c->made)
			ilib_ring_bind(&c->r, host);
	}
	return c->made ? &c->r : NULL;
}


/* Qword copies of a bound ring's entry: atomic, as in ilib_mem_read_le64. */
static void ring_load(const struct ilib_ring *r, uint32_t pos, uint64_t *qw,
		      bool swap)
{
	const uint64_t *p = ilib_ring_entry_hp(r, pos);
	unsigned int n = (unsigned int)(ilib_ring_entry_size(r) / 8);

	for (unsigned int i = 0; i < n; i++) {
		uint64_t v = __atomic_load_n(&p[i], __ATOMIC_ACQUIRE);

		qw[i] = swap ? le64toh(v) : v;
	}
}

static void ring_store(const struct ilib_ring *r, uint32_t pos,
		       const uint64_t *qw, bool swap)
{
	uint64_t *p = ilib_ring_entry_hp(r, pos);
	unsigned int n = (unsigned int)(ilib_ring_entry_size(r) / 8);

	for (unsigned int i = 0; i < n; i++)
		__atomic_store_n(&p[i], swap ? htole64(qw[i]) : qw[i],
				 __ATOMIC_RELEASE);
}

int ilib_ring_read(const struct ilib_ring *r, struct iommu_host *host,
		   uint32_t pos, void *buf)
{
	if (!r || !buf)
		return -EINVAL;
	if (r->hp) {
		uint64_t qw[(1u << ILIB_RING_MAX_ENTRY_LG2) / 8];

		ring_load(r, pos, qw, false);
		memcpy(buf, qw, ilib_ring_entry_size(r));
		return 0;
	}
	return ilib_mem_read(host, ring_entry_pa(r, pos), buf,
			     ilib_ring_entry_size(r));
}

int ilib_ring_write(const struct ilib_ring *r, struct iommu_host *host,
		    uint32_t pos, const void *buf)
{
	if (!r || !buf)
		return -EINVAL;
	if (r->hp) {
		uint64_t qw[(1u << ILIB_RING_MAX_ENTRY_LG2) / 8];

		memcpy(qw, buf, ilib_ring_entry_size(r));
		ring_store(r, pos, qw, false);
		return 0;
	}
	return ilib_mem_write(host, ring_entry_pa(r, pos), buf,
			      ilib_ring_entry_size(r));
}

/* Bound rings take the inline path of ilib_ring_read_le64(); this is
 * the rest, with the same checks and the same result for them. */
int ilib_ring_read_le64_slow(const struct ilib_ring *r,
			     struct iommu_host *host, uint32_t pos,
			     uint64_t *qw)
{
	if (!r || !qw)
		return -EINVAL;
	if (r->hp) {
		ring_load(r, pos, qw, true);
		return 0;
	}
	return ilib_mem_read_le64(host, ring_entry_pa(r, pos), qw,
				  (unsigned int)(ilib_ring_entry_size(r) / 8));
}

/* As ilib_ring_read_le64_slow(), for ilib_ring_write_le64(). */
int ilib_ring_write_le64_slow(const struct ilib_ring *r,
			      struct iommu_host *host, uint32_t pos,
			      const uint64_t *qw)
{
	uint64_t le[(1u << ILIB_RING_MAX_ENTRY_LG2) / 8];
	unsigned int n;

	if (!r || !qw)
		return -EINVAL;
	if (r->hp) {
		ring_store(r, pos, qw, true);
		return 0;
	}
	n = (unsigned int)(ilib_ring_entry_size(r) / 8);
	for (unsigned int i = 0; i < n; i++)
		le[i] = htole64(qw[i]);
	return ilib_mem_write(host, ring_entry_pa(r, pos), le, 8u * n);
}
