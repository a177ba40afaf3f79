/* SPDX-License-Identifier: MIT */
/*
 * ilib.h - the backend library: what every vendor plugin shares.
 *
 * Linked into each plugin as a static library of PIC objects with hidden
 * symbols (site_scons/site_tools/iommu.py), so nothing here is ever
 * exported from a plugin and each plugin has its own copy.  Names are
 * ilib_* (functions, types) and ILIB_* (constants).  Nothing here knows a
 * vendor: registers, entry layouts and fault codes stay in the plugins.
 * No global state: every object lives in the caller's instance.
 *
 *  - ilib_ids.h: ID allocator (domain IDs, PASIDs).
 *  - ilib_cache.h: set-associative cache with generations (IOTLB,
 *    context and PASID caches of a device model).
 *  - ilib_ring.h: circular queue geometry and entry access (command,
 *    invalidation and event queues).
 *  - ilib_mmio.h: register access through the bus, bounded polls.
 *  - ilib_mem.h: bounds-checked guest memory, table memory.
 *  - ilib_util.h: parameter errors, clipping, counters.
 */
#ifndef ILIB_H
#define ILIB_H

#include "ilib_cache.h"
#include "ilib_ids.h"
#include "ilib_mem.h"
#include "ilib_mmio.h"
#include "ilib_ring.h"
#include "ilib_trace.h"
#include "ilib_util.h"

#endif /* ILIB_H */
