/* SPDX-License-Identifier: MIT */
/*
 * types.h - the plain types of the public API: domain types, permissions
 * and access kinds, faults, log levels and stats.  Included by iommu.h;
 * a VMM includes iommu.h.
 */
#ifndef IOMMU_TYPES_H
#define IOMMU_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct iommu_ctx;
struct iommu_domain;

/* ---- Basic types ------------------------------------------------------ */

enum iommu_domain_type {
	IOMMU_DOMAIN_BLOCKED = 1,   /* every DMA faults */
	IOMMU_DOMAIN_IDENTITY = 2,  /* IOVA == physical address */
	IOMMU_DOMAIN_UNMANAGED = 3, /* the VMM maps and unmaps */
	IOMMU_DOMAIN_DMA = 4,       /* the library's DMA API owns the IOVAs */
};

/* Mapping permissions (prot) for iommu_map() and iommu_dma_map(). */
#define IOMMU_READ  (1u << 0)
#define IOMMU_WRITE (1u << 1)
#define IOMMU_MMIO  (1u << 2) /* device memory: no caching or merging */
#define IOMMU_PROT_MASK (IOMMU_READ | IOMMU_WRITE | IOMMU_MMIO)

/* Access kinds for the DMA API and for faults. */
#define IOMMU_ACCESS_READ  (1u << 0)
#define IOMMU_ACCESS_WRITE (1u << 1)
/*
 * Request attributes, ORed into the access argument of iommu_dma_*
 * (and reported in a fault's access where the hardware records them).
 * What a backend does with each is in docs/backends.md: VT-d takes
 * PRIV and EXEC from the PASID prefix (requests without PASID have
 * neither) and TRANSLATED where the context enables the device TLB;
 * virtio-iommu has none of them and faults a TRANSLATED request.
 */
#define IOMMU_ACCESS_PRIV       (1u << 2) /* privileged (supervisor) */
#define IOMMU_ACCESS_EXEC       (1u << 3) /* instruction fetch */
#define IOMMU_ACCESS_TRANSLATED (1u << 4) /* ATS-translated address */
#define IOMMU_ACCESS_ATTRS \
	(IOMMU_ACCESS_PRIV | IOMMU_ACCESS_EXEC | IOMMU_ACCESS_TRANSLATED)

/* "No PASID": a DMA request without a PASID prefix. */
#define IOMMU_NO_PASID UINT32_MAX

/* The vendor's kind of device ID. */
enum iommu_id_kind {
	IOMMU_ID_PCI_BDF = 1,   /* bus << 8 | dev << 3 | fn */
	IOMMU_ID_STREAM_ID = 2, /* SMMUv3 StreamID */
	IOMMU_ID_ENDPOINT = 3,  /* virtio-iommu endpoint ID */
};

enum iommu_dev_feature {
	IOMMU_DEV_FEAT_AUX = 0,  /* auxiliary domains through PASIDs */
	IOMMU_DEV_FEAT_SVA = 1,  /* shared virtual addressing */
	IOMMU_DEV_FEAT_IOPF = 2, /* I/O page faults */
	IOMMU_DEV_FEAT_COUNT
};

enum iommu_cap {
	IOMMU_CAP_CACHE_COHERENCY = 0, /* DMA is coherent with CPU caches */
	IOMMU_CAP_NOEXEC = 1,          /* no-execute mappings */
	IOMMU_CAP_PRE_BOOT_PROTECTION = 2,
	IOMMU_CAP_DEFERRED_FLUSH = 3, /* deferred invalidation is cheap */
	IOMMU_CAP_COUNT
};

enum iommu_resv_type {
	IOMMU_RESV_DIRECT = 1,   /* must be identity mapped */
	IOMMU_RESV_RESERVED = 2, /* must never be mapped */
	IOMMU_RESV_MSI = 3,      /* hardware MSI window, translated apart */
	IOMMU_RESV_SW_MSI = 4,   /* software-managed MSI window */
};

/* A reserved IOVA region; [start, last] inclusive. */
struct iommu_resv_region {
	uint64_t start;
	uint64_t last;
	enum iommu_resv_type type;
	unsigned int prot;
};

/* ---- Faults ----------------------------------------------------------- */

enum iommu_fault_reason {
	IOMMU_FAULT_UNKNOWN = 0,
	IOMMU_FAULT_NO_DOMAIN = 1,   /* device on no translation (blocked) */
	IOMMU_FAULT_NOT_MAPPED = 2,  /* no translation for the address */
	IOMMU_FAULT_PERMISSION = 3,  /* translation present, access denied */
	IOMMU_FAULT_TABLE_FETCH = 4, /* a table lies outside memory */
	IOMMU_FAULT_BAD_ENTRY = 5,   /* reserved bits or malformed entry */
	IOMMU_FAULT_ADDR_SIZE = 6,   /* address beyond the supported width */
	IOMMU_FAULT_BAD_PASID = 7,   /* PASID not enabled or out of range */
	IOMMU_FAULT_BAD_DEVICE = 8,  /* unknown device / invalid context */
};

#define IOMMU_FAULT_F_ADDR_VALID  (1u << 0)
#define IOMMU_FAULT_F_PASID_VALID (1u << 1)

/**
 * struct iommu_fault - one normalized fault, as the driver decoded it
 * @dev_id: device vendor ID
 * @pasid: PASID, valid with IOMMU_FAULT_F_PASID_VALID
 * @addr: faulting IOVA, valid with IOMMU_FAULT_F_ADDR_VALID
 * @access: IOMMU_ACCESS_* of the faulting request (0 if unknown)
 * @reason: normalized reason
 * @vendor_code: the vendor's own reason code, for logs
 * @flags: IOMMU_FAULT_F_*
 */
struct iommu_fault {
	uint32_t dev_id;
	uint32_t pasid;
	uint64_t addr;
	unsigned int access;
	enum iommu_fault_reason reason;
	uint32_t vendor_code;
	uint32_t flags;
};

/*
 * Fault handlers run on the thread whose DMA (or register access, attach,
 * map...) made the hardware report the fault, when that library call is
 * about to return and holds no lock of the library (rule 13: the
 * interrupt is delivered after the call that raised it, never inside it);
 * if another thread is delivering this context's interrupts at that
 * moment, that thread runs the handler instead, before its own call
 * returns.  Faults reach the handler of the device's current domain
 * whatever call raised them.  A handler may call
 * map, unmap and the DMA API, but not attach, detach, ownership, aux or
 * device add/remove calls (they take the group lock the faulting path may
 * hold).  Return value is ignored today; handlers should return 0.
 * A domain handler gets the handle of its domain, the same value
 * iommu_domain_alloc() and iommu_get_domain_for_dev() give.
 */
typedef int (*iommu_domain_fault_fn)(struct iommu_domain *domain,
				     const struct iommu_fault *fault,
				     void *cookie);
typedef int (*iommu_ctx_fault_fn)(struct iommu_ctx *ctx,
				  const struct iommu_fault *fault,
				  void *cookie);
/*
 * Called when the hardware dropped fault records (its record queue was
 * full, or nobody serviced it): @lost faults were lost since the previous
 * call (or since the handler was installed).  IOMMU_STAT_FAULTS_LOST
 * keeps the running total.  It runs on the thread whose call made the
 * hardware drop them (a DMA, iommu_hw_mmio_*(), iommu_hw_notify(),
 * iommu_ctx_irq()), after the device model has returned, before that call
 * returns, under the same rules as the fault handlers; faults dropped
 * during another call (an attach, a map) are told at the next of those.
 */
typedef void (*iommu_fault_lost_fn)(struct iommu_ctx *ctx, uint64_t lost,
				    void *cookie);

/* ---- Logging and stats ------------------------------------------------ */

enum iommu_log_level {
	IOMMU_LOG_ERR = 0,
	IOMMU_LOG_WARN = 1,
	IOMMU_LOG_INFO = 2,
	IOMMU_LOG_DEBUG = 3,
};

typedef void (*iommu_log_fn)(void *cookie, enum iommu_log_level level,
			     const char *msg);

enum iommu_stat {
	IOMMU_STAT_TRANSLATIONS = 0, /* DMA translations requested */
	IOMMU_STAT_IOTLB_HITS,
	IOMMU_STAT_IOTLB_MISSES,
	IOMMU_STAT_WALKS,         /* table walks / mapping lookups */
	IOMMU_STAT_INVAL_CMDS,    /* invalidation commands executed */
	IOMMU_STAT_FAULTS,        /* faults the device model recorded
				   * (not those counted in FAULTS_LOST) */
	IOMMU_STAT_FAULTS_LOST,   /* faults dropped: record queue full */
	IOMMU_STAT_FAULTS_REPORTED, /* faults delivered to the core */
	IOMMU_STAT_QUEUE_CMDS,    /* requests/commands the device consumed */
	IOMMU_STAT_MSI,           /* interrupt messages delivered to opts.msi */
	IOMMU_STAT_MSI_DROPPED,   /* interrupt messages with no opts.msi */
	IOMMU_STAT_HINT_HITS,     /* translations served by the core's
				   * per-thread hint, without the model */
	/* Counted by the core from what it sees itself, so they hold with
	 * any bus binding (ABI 2.2): */
	IOMMU_STAT_DMA_FAULTS,    /* DMA requests translation refused */
	IOMMU_STAT_INVAL_SYNCS,   /* invalidations the core asked the
				   * driver for (iotlb_sync, flush) */
	IOMMU_STAT_MAPS,          /* map calls that succeeded */
	IOMMU_STAT_UNMAPS,        /* unmap calls that removed something */
	IOMMU_STAT_INVAL_WORK,    /* cache slots the device model's
				   * invalidations looked at (rule 15: a
				   * command's work, counted) */
	IOMMU_STAT_COUNT
};

/* ---- Trace events ----------------------------------------------------- */

/*
 * Event classes: a VMM installs one callback per class
 * (iommu_set_trace()); a class with none costs one predictable branch
 * where its events would be made.
 */
enum iommu_trace_class {
	IOMMU_TRACE_ATTACH = 0, /* a device (or a PASID) changes domain */
	IOMMU_TRACE_MAP,        /* map and unmap ranges */
	IOMMU_TRACE_INVAL,      /* invalidations: asked by the core, the
				 * commands the driver issued, those the
				 * device model consumed */
	IOMMU_TRACE_IOTLB,      /* the device model's cache fills/evictions */
	IOMMU_TRACE_FAULT,      /* fault records the model wrote, and the
				 * normalized faults delivered */
	IOMMU_TRACE_CLASS_COUNT
};

#define IOMMU_TRACE_BIT(cls) (1u << (cls))
#define IOMMU_TRACE_ALL ((1u << IOMMU_TRACE_CLASS_COUNT) - 1)

enum iommu_trace_type {
	IOMMU_TR_ATTACH = 0,  /* ATTACH: @dev_id on @domain (its group's
			       * attach, one event per device) */
	IOMMU_TR_PASID,       /* ATTACH: @dev_id's @pasid on @domain (the
			       * blocking domain: removed) */
	IOMMU_TR_MAP,         /* MAP: [@iova, +@size) -> @paddr, @prot */
	IOMMU_TR_UNMAP,       /* MAP: [@iova, +@size) asked, @done removed
			       * (before its invalidation) */
	IOMMU_TR_INVAL_SYNC,  /* INVAL: the core asks the driver to
			       * invalidate [@iova, +@size) of @domain
			       * (@size 0: all of it) and wait */
	IOMMU_TR_CMD_ISSUED,  /* INVAL: the driver wrote a command (@raw) */
	IOMMU_TR_CMD_CONSUMED, /* INVAL: the device model executed one */
	IOMMU_TR_IOTLB_FILL,  /* IOTLB: an entry was inserted (@raw: key) */
	IOMMU_TR_IOTLB_EVICT, /* IOTLB: a valid entry was replaced */
	IOMMU_TR_FAULT_RECORD, /* FAULT: the model wrote a record (@raw) */
	IOMMU_TR_FAULT,       /* FAULT: a normalized fault (@fault) went
			       * to the handlers */
	IOMMU_TR_TYPE_COUNT
};

struct iommu_domain;
struct iommu_fault;

/**
 * struct iommu_trace_event - one event; valid only during the callback
 * @cls, @type: what happened
 * @result: 0 or the negative errno of the operation
 * @dev_id, @pasid: the device and PASID (IOMMU_NO_PASID: none)
 * @domain: the domain handle, or NULL
 * @iova, @size, @paddr, @prot, @done: the range, as @type says
 * @what: the vendor's name of the object or command ("vtd inval queue",
 *     "smmuv3 CMD_TLBI_NH_VA"), or NULL
 * @raw, @raw_len: the vendor's bytes (a command, a fault record, a cache
 *     key), or NULL and 0
 * @fault: for IOMMU_TR_FAULT
 */
struct iommu_trace_event {
	enum iommu_trace_class cls;
	enum iommu_trace_type type;
	int result;
	uint32_t dev_id;
	uint32_t pasid;
	struct iommu_domain *domain;
	uint64_t iova;
	uint64_t size;
	uint64_t paddr;
	uint64_t done;
	unsigned int prot;
	const char *what;
	const void *raw;
	size_t raw_len;
	const struct iommu_fault *fault;
};

/*
 * A trace callback.  It runs on the thread that caused the event, inside
 * the library call, possibly with library locks held: it must not call
 * the library (except iommu_trace_print()) and should be quick.
 */
typedef void (*iommu_trace_fn)(void *cookie,
			       const struct iommu_trace_event *ev);

/* The counters of the 2.0 layout; later versions only add. */
#define IOMMU_STAT_COUNT_2_0 12

/**
 * struct iommu_stats - the counters, summed over every thread
 * @size: set by the caller to sizeof(struct iommu_stats) as it was
 *     compiled (0 is read as the 2.0 layout), so that a newer library
 *     never writes past an older caller's struct
 * @count: set by the library: how many of @v it filled (the counters the
 *     library and the caller's struct both know; the rest are zeroed)
 * @v: the counters, indexed by enum iommu_stat
 */
struct iommu_stats {
	uint32_t size;
	uint32_t count;
	uint64_t v[IOMMU_STAT_COUNT];
};

#ifdef __cplusplus
}
#endif

#endif /* IOMMU_TYPES_H */
