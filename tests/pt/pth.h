/* SPDX-License-Identifier: MIT */
/*
 * pth.h - the page-table suite's host: flat RAM at physical 0 (table
 * pages are allocated from it, naturally aligned, and freed back), a
 * record of live table pages so a test sees leaks and double frees, and
 * helpers to read and write entries.
 */
#ifndef PTH_H
#define PTH_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "pt.h"

#define PTH_RAM (64ull << 20) /* RAM bytes, at PA 0 */

struct pth {
	struct iommu_host host; /* first */
	uint8_t *ram;
	uint8_t *used;	       /* one byte per 4 KiB page: 1 = table page */
	uint64_t live_pages;   /* table pages allocated and not freed */
	uint64_t fail_after;   /* table_alloc fails after this many (0 = never) */
	uint64_t allocs;
	int bad_free;	       /* frees of pages that were not allocated */
	uint64_t hand_next;    /* pth_page() cursor */
	pthread_mutex_t lock;  /* table_alloc / table_free from threads */
};

/* Set up / tear down the suite's host (RAM zeroed). */
struct pth *pth_new(void);
void pth_free(struct pth *h);

/* Entry at @pa (little-endian in RAM). */
uint64_t pth_rd(struct pth *h, uint64_t pa);
void pth_wr(struct pth *h, uint64_t pa, uint64_t e);

/* Zeroed, naturally aligned page(s) of @size from the top half of RAM,
 * for tables a test writes by hand; not counted as table pages. */
uint64_t pth_page(struct pth *h, uint64_t size);

#endif
