// SPDX-License-Identifier: MIT
/*
 * test_mmio.c - register access through a bus and bounded polls: a bit
 * that comes, one that never does (-ETIMEDOUT after exactly the given
 * number of reads), a failing bus (-EIO), masks, 32-bit truncation.
 */
#include <errno.h>

#include <criterion/criterion.h>

#include "fake.h"
#include "ilib_mmio.h"

Test(mmio, accessors_pass_size_and_value)
{
	struct fake_bus b;
	uint32_t v32 = 1;
	uint64_t v64 = 1;

	fake_bus_init(&b, 0, 0xaabbccdd11223344ull);
	cr_assert_eq(ilib_mmio_read32(&b.bus, FAKE_REG_STATUS, &v32), 0);
	cr_assert_eq(b.last_size, 4);
	cr_assert_eq(v32, 0x11223344u);
	cr_assert_eq(ilib_mmio_read64(&b.bus, FAKE_REG_STATUS, &v64), 0);
	cr_assert_eq(b.last_size, 8);
	cr_assert_eq(v64, 0xaabbccdd11223344ull);
	cr_assert_eq(ilib_mmio_write32(&b.bus, 0x40, 7), 0);
	cr_assert_eq(b.last_size, 4);
	cr_assert_eq(ilib_mmio_write64(&b.bus, 0x48, 9), 0);
	cr_assert_eq(b.last_write_off, 0x48);
	cr_assert_eq(b.last_write_val, 9);
	cr_assert_eq(ilib_mmio_read32(&b.bus, FAKE_REG_FAIL, &v32), -EIO);
	cr_assert_eq(v32, 0, "a failed read left a value");
	cr_assert_eq(ilib_mmio_write32(&b.bus, FAKE_REG_FAIL, 1), -EIO);
	cr_assert_eq(ilib_mmio_read32(NULL, 0, &v32), -EINVAL);
	cr_assert_eq(ilib_mmio_read64(&b.bus, 0, NULL), -EINVAL);
}

Test(mmio, poll_returns_once_the_bits_match)
{
	struct fake_bus b;
	uint64_t last = 0;

	fake_bus_init(&b, 100, 0x5);
	cr_assert_eq(
	    ilib_mmio_poll(&b.bus, FAKE_REG_STATUS, 4, 0x4, 0x4, 1000, &last),
	    0);
	cr_assert_eq(b.reads, 101, "%llu reads", (unsigned long long)b.reads);
	cr_assert_eq(last, 0x5);
	/* Waiting for a bit to clear: satisfied at the first read. */
	fake_bus_init(&b, 100, 0x5);
	cr_assert_eq(
	    ilib_mmio_poll(&b.bus, FAKE_REG_STATUS, 4, 0x4, 0, 1000, NULL), 0);
	cr_assert_eq(b.reads, 1);
}

Test(mmio, poll_times_out_after_exactly_the_bound)
{
	struct fake_bus b;
	uint64_t last = 1;

	fake_bus_init(&b, UINT64_MAX, 1);
	cr_assert_eq(
	    ilib_mmio_poll(&b.bus, FAKE_REG_STATUS, 8, 1, 1, 500, &last),
	    -ETIMEDOUT);
	cr_assert_eq(b.reads, 500);
	cr_assert_eq(last, 0);
}

Test(mmio, poll_truncates_32_bit_reads)
{
	struct fake_bus b;

	/* The bus returns bit 32 set; a 4-byte register has no bit 32, so
	 * it reads 0 there: set never comes, clear is there at once. */
	fake_bus_init(&b, 0, 0x100000000ull);
	cr_assert_eq(ilib_mmio_poll(&b.bus, FAKE_REG_STATUS, 4, 0x100000000ull,
				    0x100000000ull, 3, NULL),
		     -ETIMEDOUT);
	cr_assert_eq(ilib_mmio_poll(&b.bus, FAKE_REG_STATUS, 4, 0x100000000ull,
				    0, 3, NULL),
		     0);
	cr_assert_eq(ilib_mmio_poll(&b.bus, FAKE_REG_STATUS, 8, 0x100000000ull,
				    0x100000000ull, 3, NULL),
		     0);
}

Test(mmio, poll_reports_bus_errors_and_bad_arguments)
{
	struct fake_bus b;

	fake_bus_init(&b, 0, 1);
	cr_assert_eq(ilib_mmio_poll(&b.bus, FAKE_REG_FAIL, 4, 1, 1, 10, NULL),
		     -EIO);
	cr_assert_eq(ilib_mmio_poll(&b.bus, FAKE_REG_STATUS, 2, 1, 1, 10, NULL),
		     -EINVAL);
	cr_assert_eq(ilib_mmio_poll(&b.bus, FAKE_REG_STATUS, 4, 1, 1, 0, NULL),
		     -EINVAL);
	cr_assert_eq(ilib_mmio_poll(NULL, FAKE_REG_STATUS, 4, 1, 1, 1, NULL),
		     -EINVAL);
}
