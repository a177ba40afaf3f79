/* SPDX-License-Identifier: MIT */
/*
 * params.h - the keys of the [virtio] INI section, in table order.  The
 * device model reads the VIOMMU_P_HW_* keys (what the hardware offers),
 * the driver the VIOMMU_P_DRV_* keys (how it uses the hardware).  Both get
 * the whole array; each reads only its own keys.
 */
#ifndef VIOMMU_PARAMS_H
#define VIOMMU_PARAMS_H

#include "iommu/plugin.h"

enum viommu_param {
	/* device model */
	VIOMMU_P_HW_FEATURES,       /* device feature bits offered */
	VIOMMU_P_HW_PAGE_SIZE_MASK, /* config page_size_mask */
	VIOMMU_P_HW_INPUT_START,    /* config input_range.start */
	VIOMMU_P_HW_INPUT_END,      /* config input_range.end (inclusive) */
	VIOMMU_P_HW_DOMAIN_START,   /* config domain_range.start */
	VIOMMU_P_HW_DOMAIN_END,     /* config domain_range.end (inclusive) */
	VIOMMU_P_HW_PROBE_SIZE,     /* config probe_size */
	VIOMMU_P_HW_BOOT_BYPASS,    /* config bypass at system reset */
	VIOMMU_P_HW_QUEUE_MAX,      /* QueueNumMax of both queues */
	VIOMMU_P_HW_MSI_BASE,       /* RESV_MEM MSI region start */
	VIOMMU_P_HW_MSI_SIZE,       /* its size; 0: no MSI region */
	VIOMMU_P_HW_MAX_DOMAINS,    /* domains the device can hold (NOMEM) */
	VIOMMU_P_HW_MAX_MAPPINGS,   /* mappings in all domains (NOMEM) */
	/* driver */
	VIOMMU_P_DRV_REQ_QUEUE,     /* request queue size the driver uses */
	VIOMMU_P_DRV_EVT_QUEUE,     /* event queue size (buffers posted) */
	VIOMMU_P_DRV_IDENTITY_BYPASS, /* identity through ATTACH_F_BYPASS */
	VIOMMU_P_DRV_TIMEOUT,       /* polls before a request times out */
	VIOMMU_P_COUNT
};

/* Feature bits the device model offers by default (spec 1.2). */
#define VIOMMU_DEFAULT_FEATURES                                                \
	((1ull << 0) | (1ull << 1) | (1ull << 2) | (1ull << 4) | (1ull << 5) | \
	 (1ull << 6) | (1ull << 28) | (1ull << 29) | (1ull << 32))

extern const struct iommu_param_spec viommu_params[VIOMMU_P_COUNT];

#endif /* VIOMMU_PARAMS_H */
