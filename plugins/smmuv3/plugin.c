// SPDX-License-Identifier: MIT
/*
 * plugin.c - the Arm SMMUv3 backend's descriptor and INI keys.  The
 * defaults describe a reasonable modern SMMU: both stages, 16-bit
 * StreamIDs, 20-bit SubstreamIDs, 48-bit OAS, every granule, 2-level
 * stream and CD tables, range invalidation, 16-bit ASIDs and VMIDs, MSIs,
 * hardware access-flag and dirty-state updates, ATS and EL2 streams.
 */
#include <stdint.h>

#include "iommu/plugin.h"
#include "params.h"

extern const struct iommu_hw_ops smmu_hw_ops;
extern const struct iommu_ops smmu_drv_ops;

static const char *const httu_names[] = { "none", "af", "af_dirty", NULL };
static const char *const granule_names[] = { "4k", "16k", "64k", NULL };
static const char *const stage_names[] = { "stage1", "stage2", NULL };

const struct iommu_param_spec smmu_params[SMMU_P_COUNT] = {
	[SMMU_P_HW_STAGE1] = { "stage1", IOMMU_PARAM_BOOL, 0, 1, 1, NULL,
		"IDR0.S1P: stage-1 translation (CDs, ASIDs)" },
	[SMMU_P_HW_STAGE2] = { "stage2", IOMMU_PARAM_BOOL, 0, 1, 1, NULL,
		"IDR0.S2P: stage-2 translation (VMIDs)" },
	[SMMU_P_HW_SID_BITS] = { "sid_bits", IOMMU_PARAM_U64, 0, 32, 16, NULL,
		"IDR1.SIDSIZE: StreamID width; 7 or more needs 2-level tables" },
	[SMMU_P_HW_SSID_BITS] = { "ssid_bits", IOMMU_PARAM_U64, 0, 20, 20,
		NULL, "IDR1.SSIDSIZE: SubstreamID (PASID) width; 0: none" },
	[SMMU_P_HW_OAS] = { "oas", IOMMU_PARAM_U64, 32, 52, 48, NULL,
		"IDR5.OAS in bits: 32, 36, 40, 42, 44, 48 or 52 (needs 64K)" },
	[SMMU_P_HW_GRAN_4K] = { "granule_4k", IOMMU_PARAM_BOOL, 0, 1, 1, NULL,
		"IDR5.GRAN4K: 4 KiB translation granule" },
	[SMMU_P_HW_GRAN_16K] = { "granule_16k", IOMMU_PARAM_BOOL, 0, 1, 1,
		NULL, "IDR5.GRAN16K: 16 KiB translation granule" },
	[SMMU_P_HW_GRAN_64K] = { "granule_64k", IOMMU_PARAM_BOOL, 0, 1, 1,
		NULL, "IDR5.GRAN64K: 64 KiB translation granule" },
	[SMMU_P_HW_DS] = { "ds", IOMMU_PARAM_BOOL, 0, 1, 0, NULL,
		"IDR5.DS: 52-bit output with 4K/16K stage-1 tables (CD.DS)" },
	[SMMU_P_HW_ST_2LVL] = { "stream_table_2level", IOMMU_PARAM_BOOL, 0, 1,
		1, NULL, "IDR0.ST_LEVEL: 2-level stream tables" },
	[SMMU_P_HW_CD_2LVL] = { "cd_table_2level", IOMMU_PARAM_BOOL, 0, 1, 1,
		NULL, "IDR0.CD2L: 2-level context-descriptor tables" },
	[SMMU_P_HW_RIL] = { "range_invalidation", IOMMU_PARAM_BOOL, 0, 1, 1,
		NULL, "IDR3.RIL: TLBI range (TG, NUM, SCALE) and TTL" },
	[SMMU_P_HW_ASID16] = { "asid16", IOMMU_PARAM_BOOL, 0, 1, 1, NULL,
		"IDR0.ASID16: 16-bit ASIDs (else 8)" },
	[SMMU_P_HW_VMID16] = { "vmid16", IOMMU_PARAM_BOOL, 0, 1, 1, NULL,
		"IDR0.VMID16: 16-bit VMIDs (else 8)" },
	[SMMU_P_HW_MSI] = { "msi", IOMMU_PARAM_BOOL, 0, 1, 1, NULL,
		"IDR0.MSI: MSIs for the event queue, GERROR and CMD_SYNC" },
	[SMMU_P_HW_HTTU] = { "httu", IOMMU_PARAM_ENUM, 0, 2,
		SMMU_P_HTTU_AF_DIRTY, httu_names,
		"IDR0.HTTU: hardware updates: none, af, af_dirty" },
	[SMMU_P_HW_ATS] = { "ats", IOMMU_PARAM_BOOL, 0, 1, 1, NULL,
		"IDR0.ATS: PCIe ATS (translated requests, ATC_INV)" },
	[SMMU_P_HW_HYP] = { "hyp", IOMMU_PARAM_BOOL, 0, 1, 1, NULL,
		"IDR0.Hyp: EL2 stream worlds (only with both stages)" },
	[SMMU_P_HW_CMDQ_BITS] = { "cmdq_bits", IOMMU_PARAM_U64, 0, 19, 8,
		NULL, "IDR1.CMDQS: log2 of the largest command queue" },
	[SMMU_P_HW_EVTQ_BITS] = { "eventq_bits", IOMMU_PARAM_U64, 0, 19, 7,
		NULL, "IDR1.EVENTQS: log2 of the largest event queue" },
	[SMMU_P_HW_CFG_CACHE] = { "config_cache_entries", IOMMU_PARAM_U64, 1,
		65536, 64, NULL, "configuration-cache entries (STEs and CDs)" },
	[SMMU_P_HW_TLB_SETS] = { "tlb_sets", IOMMU_PARAM_U64, 1, 65536, 64,
		NULL, "TLB sets (entries = sets x ways, evicted one by one)" },
	[SMMU_P_HW_TLB_WAYS] = { "tlb_ways", IOMMU_PARAM_U64, 1, 64, 8, NULL,
		"TLB ways per set (LRU within a set)" },
	[SMMU_P_DRV_GRANULE] = { "granule", IOMMU_PARAM_ENUM, 0, 2,
		SMMU_P_GRANULE_4K, granule_names,
		"driver: translation granule of paging domains: 4k, 16k, 64k" },
	[SMMU_P_DRV_INV_THRESHOLD] = { "inval_threshold", IOMMU_PARAM_U64, 1,
		1ull << 30, 1024, NULL,
		"driver: granules above which an unmap without RIL "
		"invalidates the whole ASID" },
	[SMMU_P_DRV_TIMEOUT] = { "timeout_polls", IOMMU_PARAM_U64, 1,
		UINT32_MAX, 1000000, NULL,
		"driver: CMDQ_CONS polls before a CMD_SYNC times out" },
	[SMMU_P_DRV_STAGE] = { "paging_stage", IOMMU_PARAM_ENUM, 0, 1,
		SMMU_P_STAGE_1, stage_names,
		"driver: paging domains on stage1 (ASIDs, CDs) or stage2 "
		"(VMIDs, STE.S2*)" },
};

static const struct iommu_plugin smmu_plugin = {
	.magic = IOMMU_PLUGIN_MAGIC,
	.abi_major = IOMMU_PLUGIN_ABI_MAJOR,
	.abi_minor = IOMMU_PLUGIN_ABI_MINOR,
	.size = sizeof(struct iommu_plugin),
	.name = "smmuv3",
	.description = "Arm SMMUv3",
	.id_kind = IOMMU_ID_STREAM_ID,
	.id_bits = 32,
	.params = smmu_params,
	.nr_params = SMMU_P_COUNT,
	.hw = &smmu_hw_ops,
	.ops = &smmu_drv_ops,
};

IOMMU_PLUGIN_DEFINE(smmuv3, &smmu_plugin)
