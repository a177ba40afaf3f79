// SPDX-License-Identifier: MIT
/*
 * drv_stub.c - PLACEHOLDER for the AMD-Vi driver, which is not built yet
 * (issue 9, step 2).  The loader requires the driver's slots, so this
 * file gives the smallest iommu_ops that loads: probe refuses with
 * -ENODEV and says so, and the blocking domain refuses every attach.
 * Until the driver exists, an AMD-Vi context must be created with
 * IOMMU_CTX_NO_DRIVER (a guest programs the device model through
 * iommu_hw_mmio_* and memory), which is how tests/amdvi uses it.
 * Nothing here touches the device model.
 */
#include <errno.h>

#include "iommu/plugin.h"

static int amdvi_stub_probe(struct iommu_host *host,
			    const struct iommu_bus *bus, const uint64_t *params,
			    const struct iommu_core_cfg *cfg, void **inst)
{
	(void)bus;
	(void)params;
	(void)cfg;
	(void)inst;
	if (host && host->ops && host->ops->log)
		host->ops->log(host, IOMMU_LOG_ERR,
			       "amdvi: the driver is not built yet; use "
			       "IOMMU_CTX_NO_DRIVER");
	return -ENODEV;
}

static void amdvi_stub_release(void *inst)
{
	(void)inst;
}

static int amdvi_stub_probe_device(void *inst, struct iommu_dev_info *dev)
{
	(void)inst;
	(void)dev;
	return -ENODEV;
}

static void amdvi_stub_release_device(void *inst, struct iommu_dev_info *dev)
{
	(void)inst;
	(void)dev;
}

static int amdvi_stub_domain_alloc(void *inst, struct iommu_dev_info *dev,
				   unsigned int flags,
				   struct iommu_domain_info *info, void **dom)
{
	(void)inst;
	(void)dev;
	(void)flags;
	(void)info;
	(void)dom;
	return -ENODEV;
}

static int amdvi_stub_attach_dev(void *dom, struct iommu_dev_info *dev)
{
	(void)dom;
	(void)dev;
	return -ENODEV;
}

static const struct iommu_domain_ops amdvi_stub_blocked_ops = {
    .size = IOMMU_TABLE_SIZE(iommu_domain_ops),
    .attach_dev = amdvi_stub_attach_dev,
};

const struct iommu_ops amdvi_drv_ops = {
    .size = IOMMU_TABLE_SIZE(iommu_ops),
    .probe = amdvi_stub_probe,
    .release = amdvi_stub_release,
    .probe_device = amdvi_stub_probe_device,
    .release_device = amdvi_stub_release_device,
    .domain_alloc_paging = amdvi_stub_domain_alloc,
    .blocked_domain = &amdvi_stub_blocked_ops,
};
