/* SPDX-License-Identifier: MIT */
/*
 * params.h - the keys of the [smmuv3] INI section, in table order.  The
 * device model reads the SMMU_P_HW_* keys (what the hardware has: they
 * become the ID registers and the cache sizes); the driver gets the
 * whole array too and reads its own SMMU_P_DRV_* keys, at the end.
 */
#ifndef SMMU_PARAMS_H
#define SMMU_PARAMS_H

#include "iommu/plugin.h"

enum smmu_param {
	SMMU_P_HW_STAGE1,      /* IDR0.S1P: stage-1 translation */
	SMMU_P_HW_STAGE2,      /* IDR0.S2P: stage-2 translation */
	SMMU_P_HW_SID_BITS,    /* IDR1.SIDSIZE, 0..32 */
	SMMU_P_HW_SSID_BITS,   /* IDR1.SSIDSIZE, 0..20 (0: no substreams) */
	SMMU_P_HW_OAS,	       /* IDR5.OAS in bits: 32 36 40 42 44 48 52 */
	SMMU_P_HW_GRAN_4K,     /* IDR5.GRAN4K */
	SMMU_P_HW_GRAN_16K,    /* IDR5.GRAN16K */
	SMMU_P_HW_GRAN_64K,    /* IDR5.GRAN64K */
	SMMU_P_HW_DS,	       /* IDR5.DS: 52-bit 4K/16K tables (CD.DS) */
	SMMU_P_HW_ST_2LVL,     /* IDR0.ST_LEVEL = 1: 2-level stream tables */
	SMMU_P_HW_CD_2LVL,     /* IDR0.CD2L: 2-level CD tables */
	SMMU_P_HW_RIL,	       /* IDR3.RIL: range invalidation, TTL hint */
	SMMU_P_HW_ASID16,      /* IDR0.ASID16 */
	SMMU_P_HW_VMID16,      /* IDR0.VMID16 */
	SMMU_P_HW_MSI,	       /* IDR0.MSI: MSI notifications */
	SMMU_P_HW_HTTU,	       /* IDR0.HTTU: none | af | af_dirty */
	SMMU_P_HW_ATS,	       /* IDR0.ATS */
	SMMU_P_HW_HYP,	       /* IDR0.Hyp (with both stages only) */
	SMMU_P_HW_CMDQ_BITS,   /* IDR1.CMDQS: log2 of the largest queue */
	SMMU_P_HW_EVTQ_BITS,   /* IDR1.EVENTQS */
	SMMU_P_HW_CFG_CACHE,   /* configuration-cache entries (STEs, CDs) */
	SMMU_P_HW_TLB_SETS,    /* TLB sets */
	SMMU_P_HW_TLB_WAYS,    /* TLB ways per set */
	SMMU_P_DRV_GRANULE,    /* 4k | 16k | 64k: paging domains' granule */
	SMMU_P_DRV_INV_THRESHOLD, /* granules above which an unmap without
				   * RIL invalidates the whole ASID */
	SMMU_P_DRV_TIMEOUT,    /* CMDQ_CONS polls before a sync times out */
	SMMU_P_DRV_STAGE,      /* stage1 | stage2: paging domains' stage */
	SMMU_P_COUNT
};

enum smmu_httu { SMMU_P_HTTU_NONE = 0, SMMU_P_HTTU_AF = 1,
		 SMMU_P_HTTU_AF_DIRTY = 2 };

enum smmu_stage { SMMU_P_STAGE_1 = 0, SMMU_P_STAGE_2 = 1 };

enum smmu_granule { SMMU_P_GRANULE_4K = 0, SMMU_P_GRANULE_16K = 1,
		   SMMU_P_GRANULE_64K = 2 };

extern const struct iommu_param_spec smmu_params[SMMU_P_COUNT];

#endif /* SMMU_PARAMS_H */
