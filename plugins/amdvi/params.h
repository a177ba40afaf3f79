/* SPDX-License-Identifier: MIT */
/*
 * params.h - the keys of the [amdvi] INI section, in table order.  The
 * device model reads the AMDVI_P_HW_* keys (what the hardware has: they
 * become EFR / EFR2, limits and cache sizes).  The driver reads the
 * AMDVI_P_DRV_* keys that follow them (append-only).
 */
#ifndef AMDVI_PARAMS_H
#define AMDVI_PARAMS_H

#include "iommu/plugin.h"

/* AMDVI_P_DRV_PGTABLE values */
enum amdvi_pgtable {
	AMDVI_PGTABLE_V1 = 0, /* host tables, DTE.Mode and root */
	AMDVI_PGTABLE_V2 = 1, /* guest tables through each device's GCR3 */
};

enum amdvi_param {
	/* device model */
	AMDVI_P_HW_HOST_LEVELS,	 /* EFR.HATS + 4: largest DTE.Mode, 4..6 */
	AMDVI_P_HW_GT,		 /* EFR.GTSup: guest (v2) translation */
	AMDVI_P_HW_GUEST_LEVELS, /* EFR.GATS: 4 or 5 (5 also allows 4) */
	AMDVI_P_HW_GLX,		 /* EFR.GLXSup: largest DTE.GLX, 0..2 */
	AMDVI_P_HW_PASID_BITS,	 /* EFR.PASmax + 1: PASID width, 1..20 */
	AMDVI_P_HW_NX,		 /* EFR.NXSup: v2 NX honoured */
	AMDVI_P_HW_GIO,		 /* EFR.GIOSup: DTE.GIoV */
	AMDVI_P_HW_PPR,		 /* EFR.PPRSup (no PPR log is modelled) */
	AMDVI_P_HW_IA,		 /* EFR.IASup: INVALIDATE_IOMMU_ALL */
	AMDVI_P_HW_PREF,	 /* EFR.PreFSup: PREFETCH_IOMMU_PAGES */
	AMDVI_P_HW_HA,		 /* EFR.HASup: host access bit update */
	AMDVI_P_HW_HD,		 /* EFR.HDSup: host dirty bit update */
	AMDVI_P_HW_HT_IGNORE,	 /* EFR2.HTRangeIgnore */
	AMDVI_P_HW_DEVTAB_MAX,	 /* device-table entries the unit indexes */
	AMDVI_P_HW_CMD_LEN_MAX,	 /* largest ComLen taken, 8..15 */
	AMDVI_P_HW_EVT_LEN_MAX,	 /* largest EventLen taken, 8..15 */
	AMDVI_P_HW_DTE_CACHE,	 /* device-table cache entries */
	AMDVI_P_HW_IOTLB,	 /* IOTLB entries */
	AMDVI_P_HW_IOTLB_WAYS,	 /* IOTLB associativity */
	/* driver */
	AMDVI_P_DRV_MODE,	 /* DTE.Mode of paging domains, 1..6 */
	AMDVI_P_DRV_TIMEOUT,	 /* polls of a COMPLETION_WAIT store */
	AMDVI_P_DRV_PGSIZES,	 /* page sizes of paging domains (0: all) */
	AMDVI_P_DRV_PGTABLE,	 /* paging domains on v1 or v2 tables */
	AMDVI_P_DRV_MODE_MAX,	 /* v1: largest mode a domain grows to */
	AMDVI_P_COUNT
};

extern const struct iommu_param_spec amdvi_params[AMDVI_P_COUNT];

#endif /* AMDVI_PARAMS_H */
