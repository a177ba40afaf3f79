// SPDX-License-Identifier: MIT
/*
 * trace.c - building a plugin's trace event (ilib_trace.h).
 */
#include "ilib_trace.h"

void ilib_trace_raw_slow(struct iommu_host *host, enum iommu_trace_type type,
			 const char *what, uint32_t dev_id, uint64_t iova,
			 const void *raw, size_t len)
{
	struct iommu_trace_event ev = {
		.cls = ilib_trace_class_of(type),
		.type = type,
		.dev_id = dev_id,
		.pasid = IOMMU_NO_PASID,
		.iova = iova,
		.what = what,
		.raw = raw,
		.raw_len = raw ? len : 0,
	};

	if (host && host->ops->trace)
		host->ops->trace(host, &ev);
}
