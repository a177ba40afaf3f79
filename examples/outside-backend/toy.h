/* SPDX-License-Identifier: MIT */
/*
 * toy.h - what the toy plugin's files declare to each other: the indices
 * of its INI keys (the [toy] section) and the two ops tables the
 * descriptor (toy_plugin.c) points at.  The model (toy_hw.c) and the
 * driver (toy_drv.c) share only toy_regs.h.
 *
 * Nothing here is exported: the plugin is built with
 * -fvisibility=hidden, so the shared object shows one symbol,
 * iommu_plugin_toy().
 */
#ifndef TOY_H
#define TOY_H

#include "iommu/plugin.h"

/* The [toy] keys, in the order of toy_params[] (toy_plugin.c). */
enum toy_param {
	TOY_P_FAULT_RECORDS, /* model: fault records in the ring */
	TOY_P_IOTLB_ENTRIES, /* model: IOTLB entries */
	TOY_P_COUNT
};

extern const struct iommu_hw_ops toy_hw_ops;
extern const struct iommu_ops toy_drv_ops;

#endif /* TOY_H */
