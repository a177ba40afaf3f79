// SPDX-License-Identifier: MIT
/*
 * toy_plugin.c - the toy backend's descriptor and INI keys: the one
 * symbol the plugin exports, iommu_plugin_toy().
 *
 * An INI selects it with "[iommu] backend = toy" (the loader then looks
 * for iommu-toy.so: the "plugin" or "plugin_dir" key, $IOMMU_PLUGIN_PATH,
 * the library's plugin folder) and may set its keys in a [toy] section.
 */
#include "iommu/plugin.h"
#include "toy.h"
#include "toy_regs.h"

static const struct iommu_param_spec toy_params[TOY_P_COUNT] = {
    [TOY_P_FAULT_RECORDS] =
	{
	    .name = "fault_records",
	    .type = IOMMU_PARAM_U64,
	    .min = 2,
	    .max = TOY_NR_FREC_MAX,
	    .def = 16,
	    .help = "model: fault records in the ring (one stays empty)",
	},
    [TOY_P_IOTLB_ENTRIES] =
	{
	    .name = "iotlb_entries",
	    .type = IOMMU_PARAM_U64,
	    .min = 1,
	    .max = 4096,
	    .def = 64,
	    .help = "model: IOTLB entries (4 ways a set, LRU)",
	},
};

static const struct iommu_plugin toy_plugin = {
    .magic = IOMMU_PLUGIN_MAGIC,
    .abi_major = IOMMU_PLUGIN_ABI_MAJOR,
    .abi_minor = IOMMU_PLUGIN_ABI_MINOR,
    .size = sizeof(struct iommu_plugin),
    .name = "toy",
    .description = "a toy IOMMU: a device table, VT-d second-stage "
		   "page tables and an IOTLB",
    .id_kind = IOMMU_ID_PCI_BDF, /* one bus: the ID is the devfn */
    .id_bits = 8,
    .params = toy_params,
    .nr_params = TOY_P_COUNT,
    .hw = &toy_hw_ops,
    .ops = &toy_drv_ops,
};

IOMMU_PLUGIN_DEFINE(toy, &toy_plugin)
