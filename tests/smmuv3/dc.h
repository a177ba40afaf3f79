/* SPDX-License-Identifier: MIT */
/*
 * dc.h - contexts WITH the library's SMMUv3 driver for the driver tests
 * (test_drv*.c): open one, read registers and memory back, the commands
 * written to the queue, a StreamID's STE.  Field positions are the
 * test's own (sg.h), never the plugin's.
 */
#ifndef SMMU_TEST_DC_H
#define SMMU_TEST_DC_H

#include <stdint.h>

#include "sg.h"

#define ADDR_MASK 0x000FFFFFFFFFF000ull
#define TIO	  0x40000000ull /* IOVA the tests map at */
#define TPA	  0x2000000ull	/* RAM they map to */
#define SID_P	  0x30u		/* device "p": features aux, pasid_bits 20 */

struct dc {
	struct iommu_ctx *ctx;
	char err[256];
	unsigned int nf;
	struct iommu_fault f[16];
};

/* A context with the driver: devices 0x10, 0x11 (groups of one), 0x20,
 * 0x30 (aux, 20 PASID bits); @iommu the [iommu] keys (NULL: DMA, strict),
 * @smmu more [smmuv3] keys. */
void dc_open(struct dc *d, const char *iommu, const char *smmu);
/* The same, returning iommu_ctx_create()'s result (d->err says why). */
int dc_try(struct dc *d, const char *iommu, const char *smmu);
uint64_t rd64(struct dc *d, uint64_t off);
uint32_t rd32(struct dc *d, uint64_t off);
uint64_t m64(struct dc *d, uint64_t pa);
/* CMDQ_PROD now (index and wrap). */
uint32_t cq_prod(struct dc *d);
/* The commands written from PROD @from up to the current PROD. */
unsigned int cq_since(struct dc *d, uint32_t from, uint64_t (*out)[2],
		      unsigned int max);
/* The STE of @sid: linear or 2-level, from STRTAB_BASE(_CFG). */
void ste_of(struct dc *d, uint32_t sid, uint64_t ste[8]);
/* An UNMANAGED domain mapping TIO -> @pa, @size bytes, read/write. */
struct iommu_domain *mapped(struct dc *d, uint64_t pa, uint64_t size);

#endif /* SMMU_TEST_DC_H */
