/* SPDX-License-Identifier: MIT */
/*
 * dt.h - the AMD-Vi driver tests' context (test_drv.c, test_drv_v2.c):
 * the plugin's driver on its own model through the public API, read back
 * through the registers and memory the driver programmed.
 */
#ifndef TESTS_AMDVI_DT_H
#define TESTS_AMDVI_DT_H

#include <stdbool.h>
#include <stdint.h>

#include "iommu/iommu.h"

#define R    IOMMU_ACCESS_READ
#define W    IOMMU_ACCESS_WRITE
#define NP   IOMMU_NO_PASID
#define U(x) ((unsigned long long)(x))
#define ADDR 0x000FFFFFFFFFF000ull
#define RW   (IOMMU_READ | IOMMU_WRITE)
#define DATA 0x1000000ull /* DMA targets */
#define IOVA 0x40000000ull

/* Sheet 2.2 and 3.1, at the test's own positions. */
#define DTE_V	     (1ull << 0)
#define DTE_TV	     (1ull << 1)
#define DTE_MODE(q)  (((q) >> 9) & 7)
#define DTE_GIOV     (1ull << 54)
#define DTE_GV	     (1ull << 55)
#define DTE_GLX(q)   (((q) >> 56) & 3)
#define DTE_IR	     (1ull << 61)
#define DTE_IW	     (1ull << 62)
#define DTE_DOMID(q) ((unsigned int)((q)&0xffff))
#define PTE_PR	     (1ull << 0)
#define PTE_NL(q)    (((q) >> 9) & 7)
#define PTE_IR	     (1ull << 61)
#define PTE_IW	     (1ull << 62)
#define OPC(q)	     ((unsigned int)((q) >> 60))
#define DEV_X	     0x0028u /* 00:05.0, with PASIDs (dt_open with_x) */

struct fcap {
	unsigned int n;
	struct iommu_fault f[8];
};

/**
 * struct dt - one context
 * @a, @b: 00:02.0 and 00:03.0
 * @x: 00:05.0 (aux, 20-bit PASIDs) when opened with it
 */
struct dt {
	struct iommu_ctx *ctx;
	char err[256];
	struct fcap faults;
	uint32_t a, b, x;
};

/* Create the context (default domain @dflt, [amdvi] @amdvi); errno. */
int dt_try(struct dt *t, const char *dflt, const char *amdvi, bool with_x);
/* The same, asserting success; the faults go to t->faults. */
void dt_open(struct dt *t, const char *dflt, const char *amdvi, bool with_x);
void dt_close(struct dt *t);

/* A 64-bit register; 8 bytes of memory; DTE @devid as the unit has it. */
uint64_t dt_reg(struct dt *t, uint64_t off);
uint64_t dt_mem64(struct dt *t, uint64_t pa);
void dt_dte(struct dt *t, unsigned int devid, uint64_t q[4]);
/* The commands the driver wrote from buffer offset @from to Tail. */
unsigned int dt_cmds_since(struct dt *t, uint64_t from, uint64_t c[][2],
			   unsigned int max);
/* An UNMANAGED domain with @dev's group claimed and attached to it. */
struct iommu_domain *dt_unmanaged_on(struct dt *t, uint32_t dev);

#endif /* TESTS_AMDVI_DT_H */
