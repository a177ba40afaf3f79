// SPDX-License-Identifier: MIT
/*
 * plugin.c - the Intel VT-d backend's descriptor and INI keys.
 */
#include <stdint.h>

#include "iommu/plugin.h"
#include "params.h"

extern const struct iommu_hw_ops vtd_hw_ops;
extern const struct iommu_ops vtd_drv_ops;

static const char *const translation_names[] = { "legacy", "scalable", NULL };
static const char *const stage_names[] = { "second", "first", NULL };

const struct iommu_param_spec vtd_params[VTD_P_COUNT] = {
	[VTD_P_HW_AW] = { "aw", IOMMU_PARAM_U64, 39, 57, 48, NULL,
		"address width: 39, 48 or 57 (3-, 4-, 5-level second stage)" },
	[VTD_P_HW_HAW] = { "haw", IOMMU_PARAM_U64, 39, 52, 48, NULL,
		"host address width: bits of physical addresses in entries" },
	[VTD_P_HW_SCALABLE] = { "scalable_mode", IOMMU_PARAM_BOOL, 0, 1, 1,
		NULL, "ECAP.SMTS: the unit supports scalable mode" },
	[VTD_P_HW_SP2M] = { "sp_2m", IOMMU_PARAM_BOOL, 0, 1, 1, NULL,
		"CAP.SLLPS[0]: 2 MiB second-stage super pages" },
	[VTD_P_HW_SP1G] = { "sp_1g", IOMMU_PARAM_BOOL, 0, 1, 1, NULL,
		"CAP.SLLPS[1]: 1 GiB second-stage super pages" },
	[VTD_P_HW_FL1GP] = { "fl_1g", IOMMU_PARAM_BOOL, 0, 1, 1, NULL,
		"CAP.FL1GP: 1 GiB first-stage pages" },
	[VTD_P_HW_FL5LP] = { "fl_5level", IOMMU_PARAM_BOOL, 0, 1, 1, NULL,
		"CAP.FL5LP: 5-level first-stage paging" },
	[VTD_P_HW_NFR] = { "fault_records", IOMMU_PARAM_U64, 1, 256, 8, NULL,
		"number of fault recording registers (CAP.NFR + 1)" },
	[VTD_P_HW_CM] = { "caching_mode", IOMMU_PARAM_BOOL, 0, 1, 0, NULL,
		"CAP.CM: not-present entries may be cached" },
	[VTD_P_HW_PASID_BITS] = { "pasid_bits", IOMMU_PARAM_U64, 0, 20, 20,
		NULL, "PASID width (ECAP.PASID, ECAP.PSS); 0: no PASID" },
	[VTD_P_HW_FS] = { "first_stage", IOMMU_PARAM_BOOL, 0, 1, 1, NULL,
		"ECAP.FLTS: first-stage translation (scalable mode)" },
	[VTD_P_HW_SS] = { "second_stage", IOMMU_PARAM_BOOL, 0, 1, 1, NULL,
		"ECAP.SLTS: second-stage translation (scalable mode)" },
	[VTD_P_HW_PT] = { "pass_through", IOMMU_PARAM_BOOL, 0, 1, 1, NULL,
		"ECAP.PT: pass-through translation type" },
	[VTD_P_HW_NEST] = { "nesting", IOMMU_PARAM_BOOL, 0, 1, 0, NULL,
		"ECAP.NEST: nested translation (refused by the model for now)" },
	[VTD_P_HW_IOTLB] = { "iotlb_entries", IOMMU_PARAM_U64, 1, 65536, 256,
		NULL, "IOTLB entries (evicted one by one, never wiped whole)" },
	[VTD_P_HW_CTX_CACHE] = { "context_cache_entries", IOMMU_PARAM_U64, 1,
		65536, 64, NULL, "context-cache entries" },
	[VTD_P_HW_PASID_CACHE] = { "pasid_cache_entries", IOMMU_PARAM_U64, 1,
		65536, 64, NULL, "PASID-cache entries" },
	[VTD_P_DRV_TRANSLATION] = { "translation", IOMMU_PARAM_ENUM, 0, 1,
		VTD_TRANSLATION_SCALABLE, translation_names,
		"root table type the driver sets up: legacy or scalable" },
	[VTD_P_DRV_STAGE] = { "stage", IOMMU_PARAM_ENUM, 0, 1,
		VTD_STAGE_SECOND, stage_names,
		"page tables of paging domains: second or first (scalable only)" },
	[VTD_P_DRV_QUEUE_ORDER] = { "queue_order", IOMMU_PARAM_U64, 0, 7, 0,
		NULL, "IQA.QS: invalidation queue of 2^QS 4 KiB pages" },
	[VTD_P_DRV_INV_THRESHOLD] = { "inval_threshold", IOMMU_PARAM_U64, 1,
		1ull << 30, 1024, NULL,
		"pages above which unmap invalidates the whole domain" },
	[VTD_P_DRV_TIMEOUT] = { "timeout_polls", IOMMU_PARAM_U64, 1,
		UINT32_MAX, 1000000, NULL,
		"polls of a wait descriptor's status before -ETIMEDOUT" },
};

static const struct iommu_plugin vtd_plugin = {
	.magic = IOMMU_PLUGIN_MAGIC,
	.abi_major = IOMMU_PLUGIN_ABI_MAJOR,
	.abi_minor = IOMMU_PLUGIN_ABI_MINOR,
	.size = sizeof(struct iommu_plugin),
	.name = "vtd",
	.description = "Intel VT-d DMA remapping unit",
	.id_kind = IOMMU_ID_PCI_BDF,
	.id_bits = 16,
	.params = vtd_params,
	.nr_params = VTD_P_COUNT,
	.hw = &vtd_hw_ops,
	.ops = &vtd_drv_ops,
};

IOMMU_PLUGIN_DEFINE(vtd, &vtd_plugin)
