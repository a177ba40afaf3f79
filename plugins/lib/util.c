// SPDX-License-Identifier: MIT
/*
 * util.c - parameter errors and counters (see ilib_util.h).
 */
#include <errno.h>

#include "ilib_util.h"

int ilib_bad_param(struct iommu_host *host, const char *tag, const char *key,
		   uint64_t val, const char *why)
{
	if (host && host->ops && host->ops->log)
		host->ops->log(host, IOMMU_LOG_ERR,
			       "%s: parameter %s = %llu: %s",
			       tag ? tag : "iommu", key ? key : "?",
			       (unsigned long long)val, why ? why : "invalid");
	return -EINVAL;
}

bool ilib_model_host_ok(const struct iommu_host *host)
{
	return host && host->ops && host->ops->log && host->ops->mem_read &&
	       host->ops->mem_write && host->ops->raise_irq;
}

bool ilib_driver_host_ok(const struct iommu_host *host,
			 const struct iommu_bus *bus)
{
	return host && host->ops && host->ops->log && host->ops->mem_ptr &&
	       host->ops->mem_read && host->ops->mem_write &&
	       host->ops->table_alloc && host->ops->table_free &&
	       host->ops->table_free_after && host->ops->report_fault &&
	       bus && bus->ops && bus->ops->mmio_read && bus->ops->mmio_write;
}
