// SPDX-License-Identifier: MIT
/*
 * drv_stub.c - PLACEHOLDER for the SMMUv3 driver (issue 8, step 2).
 *
 * The loader requires the driver slots of a plugin, but the SMMUv3 driver
 * is not written yet.  This file gives the smallest iommu_ops that loads:
 * probe() refuses with -ENODEV (so a context with a driver cannot be
 * made), and the blocking domain's attach_dev refuses too.  Contexts that
 * use the device model alone pass IOMMU_CTX_NO_DRIVER and never call any
 * of this.  The real driver replaces this file (drv_*.c).
 */
#include <errno.h>

#include "iommu/plugin.h"

static int smmu_drv_probe(struct iommu_host *host, const struct iommu_bus *bus,
			  const uint64_t *params,
			  const struct iommu_core_cfg *cfg, void **inst)
{
	(void)bus;
	(void)params;
	(void)cfg;
	(void)inst;
	if (host && host->ops && host->ops->log)
		host->ops->log(host, IOMMU_LOG_ERR,
			       "smmuv3: the driver is not built yet; use "
			       "IOMMU_CTX_NO_DRIVER");
	return -ENODEV;
}

static void smmu_drv_release(void *inst)
{
	(void)inst;
}

static int smmu_drv_probe_device(void *inst, struct iommu_dev_info *dev)
{
	(void)inst;
	(void)dev;
	return -ENODEV;
}

static void smmu_drv_release_device(void *inst, struct iommu_dev_info *dev)
{
	(void)inst;
	(void)dev;
}

static int smmu_drv_domain_alloc_paging(void *inst, struct iommu_dev_info *dev,
					unsigned int flags,
					struct iommu_domain_info *info,
					void **dom)
{
	(void)inst;
	(void)dev;
	(void)flags;
	(void)info;
	(void)dom;
	return -ENODEV;
}

static int smmu_drv_blocked_attach(void *dom, struct iommu_dev_info *dev)
{
	(void)dom;
	(void)dev;
	return -ENODEV;
}

static const struct iommu_domain_ops smmu_blocked_ops = {
    .size = IOMMU_TABLE_SIZE(iommu_domain_ops),
    .attach_dev = smmu_drv_blocked_attach,
};

const struct iommu_ops smmu_drv_ops = {
    .size = IOMMU_TABLE_SIZE(iommu_ops),
    .probe = smmu_drv_probe,
    .release = smmu_drv_release,
    .probe_device = smmu_drv_probe_device,
    .release_device = smmu_drv_release_device,
    .domain_alloc_paging = smmu_drv_domain_alloc_paging,
    .blocked_domain = &smmu_blocked_ops,
};
