/* SPDX-License-Identifier: MIT */
/*
 * ilib_trace.h - trace events from a plugin, for the VMM's callbacks
 * (iommu_set_trace()).  Each helper first asks iommu_host_tracing(): with
 * the class off, a trace point costs one load and a predicted branch.
 *
 * Where the backends put them: the driver when it writes a command to
 * the hardware's queue (IOMMU_TR_CMD_ISSUED), the device model when it
 * executes one (IOMMU_TR_CMD_CONSUMED) and when it writes a fault record
 * (IOMMU_TR_FAULT_RECORD); cache fills and evictions come from
 * ilib_cache once ilib_cache_set_host() named the cache.
 */
#ifndef ILIB_TRACE_H
#define ILIB_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "iommu/plugin.h"

/**
 * ilib_trace_raw() - an event carrying the vendor's bytes
 * @host: the plugin half's host
 * @type: IOMMU_TR_CMD_ISSUED, _CMD_CONSUMED, _FAULT_RECORD, ...
 * @what: the vendor's name of the queue, command or record, or NULL
 * @dev_id, @iova: what the bytes are about, when known (else 0)
 * @raw, @len: the entry as it is in memory
 */
void ilib_trace_raw_slow(struct iommu_host *host, enum iommu_trace_type type,
			 const char *what, uint32_t dev_id, uint64_t iova,
			 const void *raw, size_t len);

static inline enum iommu_trace_class ilib_trace_class_of(
	enum iommu_trace_type type)
{
	switch (type) {
	case IOMMU_TR_CMD_ISSUED:
	case IOMMU_TR_CMD_CONSUMED:
	case IOMMU_TR_INVAL_SYNC:
		return IOMMU_TRACE_INVAL;
	case IOMMU_TR_IOTLB_FILL:
	case IOMMU_TR_IOTLB_EVICT:
		return IOMMU_TRACE_IOTLB;
	case IOMMU_TR_FAULT_RECORD:
	case IOMMU_TR_FAULT:
		return IOMMU_TRACE_FAULT;
	case IOMMU_TR_MAP:
	case IOMMU_TR_UNMAP:
		return IOMMU_TRACE_MAP;
	default:
		return IOMMU_TRACE_ATTACH;
	}
}

static inline void ilib_trace_raw(struct iommu_host *host,
				  enum iommu_trace_type type, const char *what,
				  uint32_t dev_id, uint64_t iova,
				  const void *raw, size_t len)
{
	if (iommu_host_tracing(host, ilib_trace_class_of(type)))
		ilib_trace_raw_slow(host, type, what, dev_id, iova, raw, len);
}

#endif /* ILIB_TRACE_H */
