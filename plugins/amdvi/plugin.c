// SPDX-License-Identifier: MIT
/*
 * plugin.c - the AMD-Vi backend's descriptor and INI keys.  Defaults are a
 * modern AMD IOMMU: 6-level host tables, 4-level guest tables, 16-bit
 * PASIDs through a 2-level GCR3 table, NX, GIoV, IASup and PreFSup.
 */
#include <stdint.h>

#include "iommu/plugin.h"
#include "params.h"

extern const struct iommu_hw_ops amdvi_hw_ops;
extern const struct iommu_ops amdvi_drv_ops;

static const char *const amdvi_pgtable_names[] = { "v1", "v2", NULL };

const struct iommu_param_spec amdvi_params[AMDVI_P_COUNT] = {
	[AMDVI_P_HW_HOST_LEVELS] = { "host_levels", IOMMU_PARAM_U64, 4, 6, 6,
		NULL, "EFR.HATS + 4: largest host (v1) DTE.Mode, 4..6" },
	[AMDVI_P_HW_GT] = { "guest_translation", IOMMU_PARAM_BOOL, 0, 1, 1,
		NULL, "EFR.GTSup: guest (v2) tables through GCR3" },
	[AMDVI_P_HW_GUEST_LEVELS] = { "guest_levels", IOMMU_PARAM_U64, 4, 5,
		4, NULL, "EFR.GATS: 4- or 5-level guest tables (5 allows 4)" },
	[AMDVI_P_HW_GLX] = { "glx_max", IOMMU_PARAM_U64, 0, 2, 1, NULL,
		"EFR.GLXSup: largest DTE.GLX (GCR3 table levels - 1)" },
	[AMDVI_P_HW_PASID_BITS] = { "pasid_bits", IOMMU_PARAM_U64, 1, 20, 16,
		NULL, "EFR.PASmax + 1: PASID width" },
	[AMDVI_P_HW_NX] = { "nx", IOMMU_PARAM_BOOL, 0, 1, 1, NULL,
		"EFR.NXSup: NX (bit 63) of guest tables honoured" },
	[AMDVI_P_HW_GIO] = { "gio", IOMMU_PARAM_BOOL, 0, 1, 1, NULL,
		"EFR.GIOSup: DTE.GIoV (non-PASID DMA through PASID 0)" },
	[AMDVI_P_HW_PPR] = { "ppr", IOMMU_PARAM_BOOL, 0, 1, 0, NULL,
		"EFR.PPRSup: peripheral page requests (COMPLETE_PPR_REQUEST)" },
	[AMDVI_P_HW_IA] = { "invalidate_all", IOMMU_PARAM_BOOL, 0, 1, 1, NULL,
		"EFR.IASup: INVALIDATE_IOMMU_ALL" },
	[AMDVI_P_HW_PREF] = { "prefetch", IOMMU_PARAM_BOOL, 0, 1, 1, NULL,
		"EFR.PreFSup: PREFETCH_IOMMU_PAGES (a hint)" },
	[AMDVI_P_HW_HA] = { "host_access", IOMMU_PARAM_BOOL, 0, 1, 0, NULL,
		"EFR.HASup: the unit sets A in v1 entries (DTE.HAD)" },
	[AMDVI_P_HW_HD] = { "host_dirty", IOMMU_PARAM_BOOL, 0, 1, 0, NULL,
		"EFR.HDSup: the unit sets D in v1 leaves (DTE.HAD 11b)" },
	[AMDVI_P_HW_HT_IGNORE] = { "ht_range_ignore", IOMMU_PARAM_BOOL, 0, 1,
		0, NULL, "EFR2.HTRangeIgnore: the HT range is plain memory" },
	[AMDVI_P_HW_DEVTAB_MAX] = { "devtab_entries_max", IOMMU_PARAM_U64,
		128, 65536, 65536, NULL,
		"device-table entries the unit reads (a multiple of 128)" },
	[AMDVI_P_HW_CMD_LEN_MAX] = { "cmd_len_max", IOMMU_PARAM_U64, 8, 15,
		15, NULL, "largest ComLen: 2^n 16-byte commands" },
	[AMDVI_P_HW_EVT_LEN_MAX] = { "event_len_max", IOMMU_PARAM_U64, 8, 15,
		15, NULL, "largest EventLen: 2^n 16-byte events" },
	[AMDVI_P_HW_DTE_CACHE] = { "dte_cache_entries", IOMMU_PARAM_U64, 1,
		65536, 64, NULL, "device-table cache entries" },
	[AMDVI_P_HW_IOTLB] = { "iotlb_entries", IOMMU_PARAM_U64, 1, 65536,
		256, NULL, "IOTLB entries (evicted one by one, never wiped)" },
	[AMDVI_P_HW_IOTLB_WAYS] = { "iotlb_ways", IOMMU_PARAM_U64, 1, 64, 8,
		NULL, "IOTLB ways per set (LRU within a set)" },
	[AMDVI_P_DRV_MODE] = { "pgtable_mode", IOMMU_PARAM_U64, 1, 6, 4,
		NULL, "driver: v1 levels (DTE.Mode) of paging domains" },
	[AMDVI_P_DRV_TIMEOUT] = { "timeout_polls", IOMMU_PARAM_U64, 1,
		1000000000, 1000000, NULL,
		"driver: reads of the COMPLETION_WAIT word before -ETIMEDOUT" },
	[AMDVI_P_DRV_PGSIZES] = { "page_sizes", IOMMU_PARAM_U64, 0,
		UINT64_MAX, 0, NULL,
		"driver: page sizes of paging domains (bit n: 2^n bytes; 0: "
		"every power of two v1 tables hold)" },
	[AMDVI_P_DRV_PGTABLE] = { "pgtable", IOMMU_PARAM_ENUM, 0, 1, 0,
		amdvi_pgtable_names,
		"driver: paging domains on v1 (host) or v2 (guest, through "
		"GCR3, with PASIDs) tables" },
	[AMDVI_P_DRV_MODE_MAX] = { "pgtable_mode_max", IOMMU_PARAM_U64, 0, 6,
		0, NULL,
		"driver: v1 mode a domain grows to on demand (0: none, stays "
		"at pgtable_mode)" },
};

static const struct iommu_plugin amdvi_plugin = {
	.magic = IOMMU_PLUGIN_MAGIC,
	.abi_major = IOMMU_PLUGIN_ABI_MAJOR,
	.abi_minor = IOMMU_PLUGIN_ABI_MINOR,
	.size = sizeof(struct iommu_plugin),
	.name = "amdvi",
	.description = "AMD I/O Virtualization (AMD-Vi) IOMMU",
	.id_kind = IOMMU_ID_PCI_BDF,
	.id_bits = 16,
	.params = amdvi_params,
	.nr_params = AMDVI_P_COUNT,
	.hw = &amdvi_hw_ops,
	.ops = &amdvi_drv_ops,
};

IOMMU_PLUGIN_DEFINE(amdvi, &amdvi_plugin)
