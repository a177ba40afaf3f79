// SPDX-License-Identifier: MIT
/*
 * test_ring.c - queue geometry with and without a wrap bit (empty, full,
 * used, space, wrap-around), byte offsets of head/tail registers, and
 * entries read and written through the host's bounds-checked memory.
 */
#include <errno.h>
#include <string.h>

#include <criterion/criterion.h>

#include "fake.h"
#include "ilib_ring.h"

#define QBASE (FAKE_RAM_BASE + 0x1000)

Test(ring, init_refuses_bad_shapes)
{
	struct ilib_ring r;

	cr_assert_eq(ilib_ring_init(&r, QBASE, 24, 4, 0), -EINVAL);
	cr_assert_eq(ilib_ring_init(&r, QBASE, 4, 4, 0), -EINVAL);
	cr_assert_eq(ilib_ring_init(&r, QBASE, 8192, 4, 0), -EINVAL);
	cr_assert_eq(ilib_ring_init(&r, QBASE, 16, 3, 0), -EINVAL);
	cr_assert_eq(ilib_ring_init(&r, QBASE, 16, 1, 0), -EINVAL);
	cr_assert_eq(ilib_ring_init(&r, QBASE, 16, 1ull << 32, 0), -EINVAL);
	cr_assert_eq(ilib_ring_init(&r, QBASE, 16, 4, 2), -EINVAL);
	cr_assert_eq(ilib_ring_init(NULL, QBASE, 16, 4, 0), -EINVAL);
	cr_assert_eq(ilib_ring_init(&r, QBASE, 32, 1ull << 31, ILIB_RING_WRAP),
		     0);
	cr_assert_eq(ilib_ring_count(&r), 1u << 31);
	cr_assert_eq(ilib_ring_entry_size(&r), 32);
	/* The largest ring's positions use all 32 bits. */
	cr_assert(ilib_ring_pos_ok(&r, UINT32_MAX));
	cr_assert_eq(ilib_ring_next(&r, UINT32_MAX), 0);
}

Test(ring, without_wrap_bit_one_entry_stays_unused)
{
	struct ilib_ring r;
	uint32_t prod = 0, cons = 0;

	cr_assert_eq(ilib_ring_init(&r, QBASE, 16, 4, 0), 0);
	cr_assert(ilib_ring_empty(&r, prod, cons));
	cr_assert_not(ilib_ring_full(&r, prod, cons));
	cr_assert_eq(ilib_ring_space(&r, prod, cons), 3);
	for (int i = 0; i < 3; i++)
		prod = ilib_ring_next(&r, prod);
	cr_assert_eq(prod, 3);
	cr_assert(ilib_ring_full(&r, prod, cons));
	cr_assert_eq(ilib_ring_used(&r, prod, cons), 3);
	cr_assert_eq(ilib_ring_space(&r, prod, cons), 0);
	/* Consume two, produce two: the producer wraps to index 0, 1. */
	cons = ilib_ring_next(&r, ilib_ring_next(&r, cons));
	prod = ilib_ring_next(&r, prod);
	cr_assert_eq(prod, 0, "no wrap from the last index");
	prod = ilib_ring_next(&r, prod);
	cr_assert_eq(prod, 1);
	cr_assert(ilib_ring_full(&r, prod, cons));
	cr_assert_eq(ilib_ring_used(&r, prod, cons), 3);
	cr_assert(ilib_ring_pos_ok(&r, 3));
	cr_assert_not(ilib_ring_pos_ok(&r, 4));
	cr_assert_eq(ilib_ring_index(&r, 3), 3);
}

Test(ring, with_wrap_bit_every_entry_is_used)
{
	struct ilib_ring r;
	uint32_t prod = 0, cons = 0;

	cr_assert_eq(ilib_ring_init(&r, QBASE, 16, 4, ILIB_RING_WRAP), 0);
	for (int i = 0; i < 4; i++) {
		cr_assert_not(ilib_ring_full(&r, prod, cons));
		prod = ilib_ring_next(&r, prod);
	}
	cr_assert_eq(prod, 4, "index 0 with the wrap bit set");
	cr_assert_eq(ilib_ring_index(&r, prod), 0);
	cr_assert(ilib_ring_full(&r, prod, cons));
	cr_assert_not(ilib_ring_empty(&r, prod, cons));
	cr_assert_eq(ilib_ring_used(&r, prod, cons), 4);
	cr_assert_eq(ilib_ring_space(&r, prod, cons), 0);
	for (int i = 0; i < 4; i++)
		cons = ilib_ring_next(&r, cons);
	cr_assert(ilib_ring_empty(&r, prod, cons));
	/* Another lap: positions run 4..7, then back to 0. */
	for (int i = 0; i < 4; i++)
		prod = ilib_ring_next(&r, prod);
	cr_assert_eq(prod, 0);
	cr_assert(ilib_ring_full(&r, prod, cons));
	cr_assert(ilib_ring_pos_ok(&r, 7));
	cr_assert_not(ilib_ring_pos_ok(&r, 8));
	cr_assert_eq(ilib_ring_offset(&r, 6), 2 * 16, "wrap bit in offset");
}

Test(ring, register_offsets_convert_both_ways)
{
	struct ilib_ring r;
	uint32_t pos = 77;

	cr_assert_eq(ilib_ring_init(&r, QBASE, 32, 8, 0), 0);
	cr_assert_eq(ilib_ring_offset(&r, 5), 160);
	cr_assert_eq(ilib_ring_pos_of_offset(&r, 160, &pos), 0);
	cr_assert_eq(pos, 5);
	cr_assert_eq(ilib_ring_pos_of_offset(&r, 16, &pos), -EINVAL,
		     "half an entry");
	cr_assert_eq(ilib_ring_pos_of_offset(&r, 256, &pos), -ERANGE);
	/* Misalignment is reported before the range. */
	cr_assert_eq(ilib_ring_pos_of_offset(&r, 272, &pos), -EINVAL);
	cr_assert_eq(pos, 5, "a refused offset changed pos");
}

Test(ring, entries_go_through_host_memory)
{
	struct fake_host *h = fake_host_new();
	uint64_t in[4] = {0x1122334455667788ull, 2, 3, 4}, out[4] = {0};
	struct ilib_ring r;
	uint8_t *raw;

	cr_assert_eq(ilib_ring_init(&r, QBASE, 32, 4, 0), 0);
	cr_assert_eq(ilib_ring_write_le64(&r, &h->host, 6, in), 0);
	/* Position 6 is index 2; stored little-endian. */
	raw = fake_ram(h, QBASE + 64);
	cr_assert_eq(raw[0], 0x88);
	cr_assert_eq(raw[7], 0x11);
	cr_assert_eq(ilib_ring_read_le64(&r, &h->host, 2, out), 0);
	cr_assert_eq(memcmp(in, out, sizeof(in)), 0);
	memset(out, 0, sizeof(out));
	cr_assert_eq(ilib_ring_read(&r, &h->host, 2, out), 0);
	cr_assert_eq(ilib_ring_write(&r, &h->host, 3, out), 0);
	cr_assert_eq(memcmp(fake_ram(h, QBASE + 96), raw, 32), 0);
	cr_assert_eq(ilib_ring_read(&r, NULL, 2, out), -EINVAL);
	cr_assert_eq(ilib_ring_read(&r, &h->host, 2, NULL), -EINVAL);
	fake_host_free(h);
}

Test(ring, a_base_outside_ram_faults_and_never_crashes)
{
	struct fake_host *h = fake_host_new();
	uint64_t qw[2] = {0};
	struct ilib_ring r;

	cr_assert_eq(ilib_ring_init(&r, 0x1000, 16, 4, 0), 0);
	cr_assert_eq(ilib_ring_read_le64(&r, &h->host, 0, qw), -EFAULT);
	cr_assert_eq(ilib_ring_write_le64(&r, &h->host, 0, qw), -EFAULT);
	/* A base whose last entry wraps past 2^64. */
	cr_assert_eq(ilib_ring_init(&r, UINT64_MAX - 40, 16, 4, 0), 0);
	cr_assert_eq(ilib_ring_read_le64(&r, &h->host, 3, qw), -EFAULT);
	/* Straddling the end of RAM. */
	cr_assert_eq(
	    ilib_ring_init(&r, FAKE_RAM_BASE + FAKE_RAM_SIZE - 24, 16, 4, 0),
	    0);
	cr_assert_eq(ilib_ring_read_le64(&r, &h->host, 0, qw), 0);
	cr_assert_eq(ilib_ring_read_le64(&r, &h->host, 1, qw), -EFAULT);
	fake_host_free(h);
}

/* A bound ring reads and writes the same bytes as an unbound one, and
 * never beyond its entries; a ring not wholly in RAM stays unbound. */
Test(ring, a_bound_ring_is_the_same_queue)
{
	struct fake_host *h = fake_host_new();
	uint64_t in[2] = {0x0102030405060708ull, 0xa0b0c0d0e0f00010ull};
	uint64_t out[2] = {0}, raw_out[2] = {0};
	struct ilib_ring r, u;
	uint8_t *after;

	cr_assert_eq(ilib_ring_init(&r, QBASE, 16, 8, 0), 0);
	u = r;
	cr_assert_eq(ilib_ring_bind(&r, &h->host), 0);
	cr_assert_not_null(r.hp);
	cr_assert_null(u.hp, "init leaves a ring unbound");
	after = fake_ram(h, QBASE + 8 * 16);
	after[0] = 0x5a;
	/* Position 9 is index 1 in both; the bytes land little-endian. */
	cr_assert_eq(ilib_ring_write_le64(&r, &h->host, 9, in), 0);
	cr_assert_eq(ilib_ring_read_le64(&u, &h->host, 1, out), 0);
	cr_assert_eq(memcmp(in, out, sizeof(in)), 0);
	cr_assert_eq(((uint8_t *)fake_ram(h, QBASE + 16))[0], 0x08);
	cr_assert_eq(ilib_ring_read(&r, &h->host, 1, raw_out), 0);
	cr_assert_eq(memcmp(fake_ram(h, QBASE + 16), raw_out, 16), 0);
	cr_assert_eq(ilib_ring_write(&r, &h->host, 7, raw_out), 0);
	cr_assert_eq(memcmp(fake_ram(h, QBASE + 7 * 16), raw_out, 16), 0);
	cr_assert_eq(after[0], 0x5a, "a write left the queue");
	/* Re-init unbinds. */
	cr_assert_eq(ilib_ring_init(&r, QBASE, 16, 8, 0), 0);
	cr_assert_null(r.hp);

	/* Straddling the end of RAM, or outside it: unbound, and each
	 * entry outside RAM still faults. */
	cr_assert_eq(
	    ilib_ring_init(&r, FAKE_RAM_BASE + FAKE_RAM_SIZE - 16, 16, 4, 0),
	    0);
	cr_assert_eq(ilib_ring_bind(&r, &h->host), -EFAULT);
	cr_assert_null(r.hp);
	cr_assert_eq(ilib_ring_read_le64(&r, &h->host, 0, out), 0);
	cr_assert_eq(ilib_ring_read_le64(&r, &h->host, 1, out), -EFAULT);
	cr_assert_eq(ilib_ring_init(&r, 0x1000, 16, 4, 0), 0);
	cr_assert_eq(ilib_ring_bind(&r, &h->host), -EFAULT);
	cr_assert_eq(ilib_ring_init(&r, UINT64_MAX - 40, 16, 4, 0), 0);
	cr_assert_eq(ilib_ring_bind(&r, &h->host), -EFAULT);
	/* Not qword-aligned: unbound. */
	cr_assert_eq(ilib_ring_init(&r, QBASE + 4, 16, 4, 0), 0);
	cr_assert_eq(ilib_ring_bind(&r, &h->host), -EFAULT);
	cr_assert_eq(ilib_ring_bind(NULL, &h->host), -EINVAL);
	cr_assert_eq(ilib_ring_bind(&r, NULL), -EINVAL);
	fake_host_free(h);
}

/* A model's queue follows its register: the same value keeps the ring
 * (and its binding), a new one describes and binds it again, and a value
 * with no valid shape gives no ring until the register changes. */
Test(ring, cached_ring_follows_its_register)
{
	struct fake_host *h = fake_host_new();
	struct ilib_ring_cached c;
	const struct ilib_ring *r, *again;
	uint64_t in[2] = {0x1111, 0x2222}, out[2];

	memset(&c, 0, sizeof(c));
	r = ilib_ring_cached_get(&c, &h->host, 1, QBASE, 16, 4, 0);
	cr_assert_not_null(r);
	cr_assert_not_null(r->hp, "RAM: bound");
	cr_assert_eq(ilib_ring_write_le64(r, &h->host, 0, in), 0);
	again = ilib_ring_cached_get(&c, &h->host, 1, QBASE, 16, 4, 0);
	cr_assert_eq(again, r);
	cr_assert_eq(again->hp, r->hp);
	/* Moved: entry 0 is now read at the new place. */
	r = ilib_ring_cached_get(&c, &h->host, 2, QBASE + 0x1000, 16, 8, 0);
	cr_assert_not_null(r);
	cr_assert_eq(ilib_ring_count(r), 8);
	cr_assert_eq(ilib_ring_read_le64(r, &h->host, 0, out), 0);
	cr_assert_eq(out[0], 0, "still reading the old place");
	cr_assert_eq(ilib_ring_write_le64(r, &h->host, 0, in), 0);
	cr_assert_eq(memcmp(fake_ram(h, QBASE + 0x1000), fake_ram(h, QBASE),
			    16),
		     0);
	/* Outside RAM: a ring, unbound, whose reads fault. */
	r = ilib_ring_cached_get(&c, &h->host, 3, 0x1000, 16, 4, 0);
	cr_assert_not_null(r);
	cr_assert_null(r->hp);
	cr_assert_eq(ilib_ring_read_le64(r, &h->host, 0, out), -EFAULT);
	/* No valid shape (one entry): no ring, for as long as the value
	 * stays; then a valid value works again. */
	cr_assert_null(ilib_ring_cached_get(&c, &h->host, 4, QBASE, 16, 1, 0));
	cr_assert_null(ilib_ring_cached_get(&c, &h->host, 4, QBASE, 16, 1, 0));
	cr_assert_not_null(
	    ilib_ring_cached_get(&c, &h->host, 5, QBASE, 16, 2, 0));
	cr_assert_null(ilib_ring_cached_get(NULL, &h->host, 5, QBASE, 16, 2,
					    0));
	fake_host_free(h);
}
