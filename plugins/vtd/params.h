/* SPDX-License-Identifier: MIT */
/*
 * params.h - the keys of the [vtd] INI section, in table order.  The
 * device model reads the VTD_P_HW_* keys (what the hardware has: they
 * become CAP/ECAP and cache sizes), the driver the VTD_P_DRV_* keys (how
 * it programs the hardware).  Both get the whole array.
 */
#ifndef VTD_PARAMS_H
#define VTD_PARAMS_H

#include "iommu/plugin.h"

enum vtd_param {
	/* device model */
	VTD_P_HW_AW,           /* 39, 48 or 57: SAGAW has this level and below */
	VTD_P_HW_HAW,          /* host address width, 39..52 (MGAW follows aw) */
	VTD_P_HW_SCALABLE,     /* ECAP.SMTS: scalable mode supported */
	VTD_P_HW_SP2M,         /* CAP.SLLPS[0]: 2 MiB second-stage pages */
	VTD_P_HW_SP1G,         /* CAP.SLLPS[1]: 1 GiB second-stage pages */
	VTD_P_HW_FL1GP,        /* CAP.FL1GP: 1 GiB first-stage pages */
	VTD_P_HW_FL5LP,        /* CAP.FL5LP: 5-level first-stage paging */
	VTD_P_HW_NFR,          /* fault recording registers, 1..256 */
	VTD_P_HW_CM,           /* CAP.CM: caching mode */
	VTD_P_HW_PASID_BITS,   /* PASID width (ECAP.PSS + 1), 0 = no PASID */
	VTD_P_HW_FS,           /* ECAP.FLTS: first-stage translation */
	VTD_P_HW_SS,           /* ECAP.SLTS: second-stage translation */
	VTD_P_HW_PT,           /* ECAP.PT: pass-through */
	VTD_P_HW_NEST,         /* ECAP.NEST: nested translation */
	VTD_P_HW_IOTLB,        /* IOTLB entries */
	VTD_P_HW_CTX_CACHE,    /* context-cache entries */
	VTD_P_HW_PASID_CACHE,  /* PASID-cache entries */
	/* driver */
	VTD_P_DRV_TRANSLATION, /* legacy | scalable (RTADDR.TTM) */
	VTD_P_DRV_STAGE,       /* second | first: tables of paging domains */
	VTD_P_DRV_QUEUE_ORDER, /* IQA.QS: the queue is 2^QS 4 KiB pages */
	VTD_P_DRV_INV_THRESHOLD, /* pages above which an unmap invalidates the
				  * whole domain instead of page-selective */
	VTD_P_DRV_TIMEOUT,     /* polls before a wait times out */
	VTD_P_COUNT
};

enum vtd_translation { VTD_TRANSLATION_LEGACY = 0, VTD_TRANSLATION_SCALABLE = 1 };
enum vtd_stage { VTD_STAGE_SECOND = 0, VTD_STAGE_FIRST = 1 };

extern const struct iommu_param_spec vtd_params[VTD_P_COUNT];

#endif /* VTD_PARAMS_H */
