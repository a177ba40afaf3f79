// SPDX-License-Identifier: MIT
/*
 * test_mem.c - guest and table memory helpers, parameter errors, clipping
 * and counters.
 */
#include <errno.h>
#include <string.h>

#include <criterion/criterion.h>

#include "fake.h"
#include "ilib_mem.h"
#include "ilib_util.h"

Test(mem, reads_are_bounds_checked_and_little_endian)
{
	struct fake_host *h = fake_host_new();
	uint8_t *ram = fake_ram(h, FAKE_RAM_BASE);
	uint64_t qw[2];

	for (int i = 0; i < 16; i++)
		ram[i] = (uint8_t)(i + 1);
	cr_assert_eq(ilib_mem_read_le64(&h->host, FAKE_RAM_BASE, qw, 2), 0);
	cr_assert_eq(qw[0], 0x0807060504030201ull);
	cr_assert_eq(qw[1], 0x100f0e0d0c0b0a09ull);
	cr_assert_eq(ilib_mem_read(&h->host, 0x1000, qw, 8), -EFAULT);
	cr_assert_eq(ilib_mem_read(&h->host, UINT64_MAX - 3, qw, 8), -EFAULT,
		     "a range wrapping past 2^64");
	cr_assert_eq(ilib_mem_write(&h->host, UINT64_MAX, qw, 2), -EFAULT);
	cr_assert_eq(ilib_mem_read(&h->host, FAKE_RAM_BASE, qw, 0), -EINVAL);
	cr_assert_eq(ilib_mem_read(NULL, FAKE_RAM_BASE, qw, 8), -EINVAL);
	cr_assert_eq(ilib_mem_read_le64(&h->host, FAKE_RAM_BASE, NULL, 1),
		     -EINVAL);
	fake_host_free(h);
}

Test(mem, table_alloc_zeroes_and_maps)
{
	struct fake_host *h = fake_host_new();
	uint64_t pa = 0;
	void *va = NULL;

	cr_assert_eq(ilib_table_alloc(&h->host, "t", 8192, &pa, &va), 0);
	cr_assert_eq(pa & 8191, 0, "not naturally aligned");
	cr_assert_eq(va, fake_ram(h, pa));
	for (size_t i = 0; i < 8192; i++)
		cr_assert_eq(((uint8_t *)va)[i], 0, "byte %zu not zero", i);
	cr_assert_eq(ilib_table_ptr(&h->host, pa, 8192), va);
	ilib_table_free(&h->host, pa, 8192);
	cr_assert_eq(h->frees, 1);
	cr_assert_eq(h->last_free_pa, pa);
	cr_assert_eq(ilib_table_alloc(&h->host, "t", 4000, &pa, &va), -EINVAL);
	cr_assert_eq(ilib_table_alloc(&h->host, "t", 2048, &pa, &va), -EINVAL);
	cr_assert_null(ilib_table_ptr(&h->host, 0x1000, 4096));
	fake_host_free(h);
}

Test(mem, table_off_ram_is_given_back_and_logged)
{
	struct fake_host *h = fake_host_new();
	uint64_t pa = 0;
	void *va = NULL;

	h->table_not_ram = true;
	cr_assert_eq(ilib_table_alloc(&h->host, "xyz", 4096, &pa, &va),
		     -EFAULT);
	cr_assert_eq(h->frees, 1, "the unusable pages were kept");
	cr_assert_str_eq(h->last_log, "xyz: table memory 0x1000 is not RAM");
	fake_host_free(h);
}

Test(mem, le64_store_and_load_round_trip_little_endian)
{
	uint64_t w = 0;
	uint8_t b[8];

	ilib_le64_store(&w, 0x0102030405060708ull);
	memcpy(b, &w, 8);
	cr_assert_eq(b[0], 0x08);
	cr_assert_eq(b[7], 0x01);
	cr_assert_eq(ilib_le64_load(&w), 0x0102030405060708ull);
}

Test(util, bad_param_names_key_and_value)
{
	struct fake_host *h = fake_host_new();

	cr_assert_eq(
	    ilib_bad_param(&h->host, "vtd", "aw", 40, "not 39, 48 or 57"),
	    -EINVAL);
	cr_assert_str_eq(h->last_log,
			 "vtd: parameter aw = 40: not 39, 48 or 57");
	cr_assert_eq(ilib_bad_param(NULL, NULL, NULL, 0, NULL), -EINVAL);
	fake_host_free(h);
}

Test(util, clip_stops_at_last_without_overflow)
{
	cr_assert_eq(ilib_clip(0x1000, 0x100, 0x1fff), 0x100);
	cr_assert_eq(ilib_clip(0x1f00, 0x1000, 0x1fff), 0x100);
	cr_assert_eq(ilib_clip(0x1fff, 2, 0x1fff), 1);
	cr_assert_eq(ilib_clip(0, UINT64_MAX, UINT64_MAX), UINT64_MAX);
	cr_assert_eq(ilib_clip(UINT64_MAX, 5, UINT64_MAX), 1);
	cr_assert_eq(ilib_clip(0x2000, 5, 0x1fff), 0, "last before start");
	cr_assert_eq(ilib_clip(0x1000, 0, 0x1fff), 0);
}

Test(util, stat_adds_only_nonzero_counts)
{
	struct fake_host *h = fake_host_new();

	ilib_stat(&h->host, IOMMU_STAT_WALKS, 3);
	ilib_stat(&h->host, IOMMU_STAT_WALKS, 0);
	ilib_stat(NULL, IOMMU_STAT_WALKS, 1);
	cr_assert_eq(h->stats[IOMMU_STAT_WALKS], 3);
	fake_host_free(h);
}

Test(mem, store_le_remembers_ram_and_checks_the_rest)
{
	struct fake_host *h = fake_host_new();
	uint8_t *ram = fake_ram(h, FAKE_RAM_BASE);
	struct ilib_mem_spot spot = {0};
	uint64_t qw;

	cr_assert_eq(ilib_mem_store_le(&h->host, &spot, FAKE_RAM_BASE + 8,
				       0x1122334455667788ull, 8),
		     0);
	cr_assert_eq(spot.pa, FAKE_RAM_BASE + 8);
	cr_assert_eq(spot.hp, ram + 8, "RAM not remembered");
	cr_assert_eq(ilib_mem_read_le64(&h->host, FAKE_RAM_BASE + 8, &qw, 1),
		     0);
	cr_assert_eq(qw, 0x1122334455667788ull);
	/* Another place: 4 bytes, little-endian, the next 4 untouched. */
	cr_assert_eq(ilib_mem_store_le(&h->host, &spot, FAKE_RAM_BASE + 16,
				       0xaabbccdd, 4),
		     0);
	cr_assert_eq(spot.hp, ram + 16);
	cr_assert(ram[16] == 0xdd && ram[19] == 0xaa && ram[20] == 0);
	/* Outside RAM: the host's write fails, the remembered place stays. */
	cr_assert_eq(ilib_mem_store_le(&h->host, &spot, 0x1000, 1, 4), -EFAULT);
	cr_assert_eq(spot.hp, ram + 16);
	/* Back to the first place, through the host's lookup again. */
	cr_assert_eq(ilib_mem_store_le(&h->host, &spot, FAKE_RAM_BASE + 8, 7,
				       8),
		     0);
	cr_assert_eq(ilib_mem_read_le64(&h->host, FAKE_RAM_BASE + 8, &qw, 1),
		     0);
	cr_assert_eq(qw, 7);
	/* 4 bytes, then 8 at the same place: the 8-byte store looks the
	 * place up again for its own size (a region may end after 4). */
	cr_assert_eq(ilib_mem_store_le(&h->host, &spot, FAKE_RAM_BASE + 32, 5,
				       4),
		     0);
	cr_assert_eq(spot.size, 4);
	cr_assert_eq(ilib_mem_store_le(&h->host, &spot, FAKE_RAM_BASE + 32, 6,
				       8),
		     0);
	cr_assert_eq(spot.size, 8);
	cr_assert_eq(ilib_mem_read_le64(&h->host, FAKE_RAM_BASE + 32, &qw, 1),
		     0);
	cr_assert_eq(qw, 6);
	/* Bad arguments. */
	cr_assert_eq(ilib_mem_store_le(&h->host, NULL, FAKE_RAM_BASE, 1, 4),
		     -EINVAL);
	cr_assert_eq(ilib_mem_store_le(&h->host, &spot, FAKE_RAM_BASE + 2, 1,
				       4),
		     -EINVAL, "misaligned");
	cr_assert_eq(ilib_mem_store_le(&h->host, &spot, FAKE_RAM_BASE, 1, 2),
		     -EINVAL, "size 2");
	cr_assert_eq(ilib_mem_store_le(NULL, &spot, FAKE_RAM_BASE + 64, 1, 4),
		     -EINVAL);
	fake_host_free(h);
}
