/* SPDX-License-Identifier: MIT */
/*
 * vctx.h - the context several core suites share: one backend, one
 * device "nic" (id 0x08) on a DMA default domain, strict invalidation,
 * 64 MiB of RAM with the page tables at 32..40 MiB (data below 32 MiB).
 */
#ifndef TESTS_CORE_VCTX_H
#define TESTS_CORE_VCTX_H

#include <stdint.h>

#include "iommu/iommu.h"

/**
 * vctx_create() - make that context, or fail the test
 * @backend: the INI's backend name
 * @plugin_dir: NULL, or a directory the loader searches first
 * @flags: struct iommu_ctx_opts.flags (IOMMU_CTX_NO_HINT ...)
 * @ctx: the context made
 * @dev: the device ID of "nic"
 */
void vctx_create(const char *backend, const char *plugin_dir,
		 unsigned int flags, struct iommu_ctx **ctx, uint32_t *dev);

/* Counter @s of @ctx now (failing the test if it cannot be read). */
uint64_t vctx_count(struct iommu_ctx *ctx, enum iommu_stat s);

/* iommu_dma_translate() of @dev without a PASID, @t filled with a
 * pattern first (so a field left unwritten shows). */
int vctx_xlate(struct iommu_ctx *ctx, uint32_t dev, uint64_t iova,
	       uint64_t len, unsigned int access, struct iommu_translation *t);

#endif /* TESTS_CORE_VCTX_H */
