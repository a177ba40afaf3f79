// SPDX-License-Identifier: MIT
/*
 * plugin.c - the virtio-iommu backend's descriptor and INI keys.
 */
#include <stdint.h>

#include "iommu/plugin.h"
#include "params.h"

extern const struct iommu_hw_ops viommu_hw_ops;
extern const struct iommu_ops viommu_drv_ops;

const struct iommu_param_spec viommu_params[VIOMMU_P_COUNT] = {
	[VIOMMU_P_HW_FEATURES] = { "features", IOMMU_PARAM_U64, 0, UINT64_MAX,
		VIOMMU_DEFAULT_FEATURES, NULL,
		"device feature bits the model offers (spec 1.2)" },
	[VIOMMU_P_HW_PAGE_SIZE_MASK] = { "page_size_mask", IOMMU_PARAM_U64, 1,
		UINT64_MAX, 0xfffffffffffff000ull, NULL,
		"config page_size_mask: lowest set bit is the granule" },
	[VIOMMU_P_HW_INPUT_START] = { "input_start", IOMMU_PARAM_U64, 0,
		UINT64_MAX, 0, NULL, "config input_range.start" },
	[VIOMMU_P_HW_INPUT_END] = { "input_end", IOMMU_PARAM_U64, 0, UINT64_MAX,
		UINT64_MAX, NULL, "config input_range.end (inclusive)" },
	[VIOMMU_P_HW_DOMAIN_START] = { "domain_start", IOMMU_PARAM_U64, 0,
		UINT32_MAX, 0, NULL, "config domain_range.start" },
	[VIOMMU_P_HW_DOMAIN_END] = { "domain_end", IOMMU_PARAM_U64, 0,
		UINT32_MAX, UINT32_MAX, NULL,
		"config domain_range.end (inclusive)" },
	[VIOMMU_P_HW_PROBE_SIZE] = { "probe_size", IOMMU_PARAM_U64, 0, 4096,
		512, NULL, "config probe_size: bytes of PROBE properties" },
	[VIOMMU_P_HW_BOOT_BYPASS] = { "boot_bypass", IOMMU_PARAM_BOOL, 0, 1, 1,
		NULL, "config bypass after system reset" },
	[VIOMMU_P_HW_QUEUE_MAX] = { "queue_max", IOMMU_PARAM_U64, 2, 32768,
		256, NULL, "QueueNumMax of the request and event queues" },
	[VIOMMU_P_HW_MSI_BASE] = { "msi_base", IOMMU_PARAM_U64, 0, UINT64_MAX,
		0xfee00000ull, NULL, "start of the MSI RESV_MEM region" },
	[VIOMMU_P_HW_MSI_SIZE] = { "msi_size", IOMMU_PARAM_SIZE, 0,
		1ull << 32, 0x100000ull, NULL,
		"size of the MSI RESV_MEM region; 0 for none" },
	[VIOMMU_P_HW_MAX_DOMAINS] = { "max_domains", IOMMU_PARAM_U64, 1,
		1u << 20, 4096, NULL, "domains the device holds before NOMEM" },
	[VIOMMU_P_HW_MAX_MAPPINGS] = { "max_mappings", IOMMU_PARAM_U64, 1,
		1u << 26, 1u << 22, NULL,
		"mappings the device holds before NOMEM" },
	[VIOMMU_P_DRV_REQ_QUEUE] = { "request_queue_size", IOMMU_PARAM_U64, 2,
		32768, 256, NULL,
		"request queue size the driver sets up (power of two)" },
	[VIOMMU_P_DRV_EVT_QUEUE] = { "event_queue_size", IOMMU_PARAM_U64, 2,
		32768, 64, NULL,
		"event queue size; the driver posts one buffer per entry" },
	[VIOMMU_P_DRV_IDENTITY_BYPASS] = { "identity_bypass", IOMMU_PARAM_BOOL,
		0, 1, 1, NULL,
		"identity domain through ATTACH_F_BYPASS when offered" },
	[VIOMMU_P_DRV_TIMEOUT] = { "timeout_polls", IOMMU_PARAM_U64, 1,
		UINT32_MAX, 1000000, NULL,
		"used-ring polls before a request times out (-ETIMEDOUT)" },
};

static const struct iommu_plugin viommu_plugin = {
	.magic = IOMMU_PLUGIN_MAGIC,
	.abi_major = IOMMU_PLUGIN_ABI_MAJOR,
	.abi_minor = IOMMU_PLUGIN_ABI_MINOR,
	.size = sizeof(struct iommu_plugin),
	.name = "virtio",
	.description = "virtio-iommu (virtio-mmio transport)",
	.id_kind = IOMMU_ID_ENDPOINT,
	.id_bits = 32,
	.params = viommu_params,
	.nr_params = VIOMMU_P_COUNT,
	.hw = &viommu_hw_ops,
	.ops = &viommu_drv_ops,
};

IOMMU_PLUGIN_DEFINE(virtio, &viommu_plugin)
