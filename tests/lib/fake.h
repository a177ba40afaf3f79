/* SPDX-License-Identifier: MIT */
/*
 * fake.h - the library suite's host and bus: RAM of FAKE_RAM_SIZE bytes
 * at FAKE_RAM_BASE (not at 0, so that low addresses are "not RAM"), a
 * bump table allocator that can hand out pages the host cannot map, a log
 * that keeps the last message, and a bus whose one register becomes
 * ready after a set number of reads.
 */
#ifndef FAKE_H
#define FAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "iommu/plugin.h"

#define FAKE_RAM_BASE 0x100000ull
#define FAKE_RAM_SIZE (1ull << 20)

struct fake_host {
	struct iommu_host host; /* first */
	uint8_t *ram;
	uint64_t next_table; /* bump allocator cursor (physical) */
	bool table_not_ram;  /* table_alloc returns an address off RAM */
	unsigned int frees;
	uint64_t last_free_pa;
	char last_log[256];
	uint64_t stats[64];
};

/* A fresh host (RAM zeroed); free with fake_host_free(). */
struct fake_host *fake_host_new(void);
void fake_host_free(struct fake_host *h);

/* Host pointer to RAM at @pa (asserts it is RAM). */
void *fake_ram(struct fake_host *h, uint64_t pa);

/* The fake register file: REG_STATUS reads @ready_val once @ready_after
 * reads were made (0 before); reads of REG_FAIL fail with -EIO. */
#define FAKE_REG_STATUS 0x10
#define FAKE_REG_FAIL	0x20

struct fake_bus {
	struct iommu_bus bus;
	uint64_t reads;
	uint64_t ready_after;
	uint64_t ready_val;
	uint64_t last_write_off, last_write_val;
	unsigned int last_size;
};

void fake_bus_init(struct fake_bus *b, uint64_t ready_after,
		   uint64_t ready_val);

#endif /* FAKE_H */
