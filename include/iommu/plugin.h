/* SPDX-License-Identifier: MIT */
/*
 * plugin.h - the ABI between the core and a backend plugin.
 *
 * A plugin is a shared object that exports exactly one symbol,
 * iommu_plugin_NAME(), returning a pointer to a static const struct
 * iommu_plugin.  Everything else in it is hidden.  The descriptor holds
 * two halves that never call each other:
 *
 *  - hw: the device model (the hardware).  Registers behind mmio_read and
 *    mmio_write, the queues it consumes, the walker and caches behind
 *    translate, and fault records in the vendor's format.
 *  - ops: the driver.  It reaches the hardware only through the bus it is
 *    given at probe (MMIO read/write) and through physical memory, writes
 *    the vendor's real tables and commands, and reports decoded faults.
 *
 * No mutable globals: all state lives in the instances create() and
 * probe() return, so several instances live in one process.
 *
 * Versioning (ABI 2): the descriptor and every ops table begin with their
 * own size, sizeof() in the plugin's build.  Tables are append-only: a new
 * slot goes at the end and bumps IOMMU_PLUGIN_ABI_MINOR.  At load the core
 * copies each table into a full table of its own, zero-filled past the
 * plugin's size, so a plugin built against an older, smaller layout keeps
 * working: a slot it does not have reads as NULL, which means the core's
 * fallback for an optional slot.  The loader refuses a table smaller than
 * ABI 2.0's or a required slot that is NULL; core/abi.c is the one place
 * that says which slots exist and which are required.  struct
 * iommu_dma_req, which only the core fills, grows at its end the same
 * way (ABI 2.3 added stats, 2.4 thread); the loader refuses a plugin of a
 * newer minor than the core's, so a plugin reads only fields the core
 * sets.
 */
#ifndef IOMMU_PLUGIN_H
#define IOMMU_PLUGIN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommu.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IOMMU_PLUGIN_MAGIC 0x474c50554d4d4f49ull /* "IOMMUPLG" little-endian */
#define IOMMU_PLUGIN_ABI_MAJOR 2
#define IOMMU_PLUGIN_ABI_MINOR 4

/*
 * IOMMU_TABLE_SIZE(type) - the size a plugin declares for an ops table:
 * sizeof(type), or, when the plugin is built with
 * IOMMU_PLUGIN_AS_ABI_2_0 defined, the size the table had in ABI 2.0 (what
 * a plugin built against the 2.0 headers declares; the project's tests
 * build one that way to show such a plugin still works).
 */
#ifdef IOMMU_PLUGIN_AS_ABI_2_0
#define IOMMU_TABLE_SIZE(type) IOMMU_ABI_2_0_SIZE_##type
#else
#define IOMMU_TABLE_SIZE(type) sizeof(struct type)
#endif

/* ---- Services the core gives a plugin --------------------------------- */

struct iommu_host;

/**
 * struct iommu_host_ops - core services, valid for the instance's life
 *
 * The core gives each half of a plugin its own table, by role; a slot the
 * role does not have is NULL in that table:
 *  - the device model (hw->create): log, mem_read, mem_write, mem_ptr,
 *    msi_write, raise_irq, stat_add;
 *  - the driver (ops->probe): log, mem_read, mem_write, mem_ptr,
 *    table_alloc, table_free, table_free_after, report_fault, stat_add.
 * So hardware cannot allocate table memory or report decoded faults, and
 * a driver cannot raise the hardware's interrupts.
 *
 * @size: sizeof(struct iommu_host_ops) in the core's build; a slot past it
 *     is absent (a plugin built against newer headers checks before use)
 * @log: printf-style message at a level
 * @mem_read, @mem_write: bounds-checked physical memory; -EFAULT outside
 *     RAM (a guest may program any address: never trust one)
 * @mem_ptr: host pointer for [pa, pa + len) if in one RAM region, else NULL
 * @table_alloc: zeroed, @size-aligned pages from the table range; @size a
 *     power of two >= 4096; -ENOMEM when exhausted
 * @table_free: give back exactly what one table_alloc returned
 * @raise_irq: the device model signals interrupt @vector (0..63).  The
 *     core only queues it: the driver's irq op (or the VMM's irq callback)
 *     runs when the outermost library call that reached the model
 *     returns, with no core lock held, never inside the register write or
 *     translation that raised it (DESIGN rule 13).  So a driver needs no
 *     re-entrancy guard, and irq may take the driver's own locks.  Raises
 *     of one vector before delivery merge into one (like an edge
 *     interrupt that is still pending); the handler must read the
 *     hardware's status, not count calls.
 * @msi_write: the device model writes interrupt message @data to @addr
 *     (an MSI the guest programmed: a queue-completion or event
 *     interrupt).  It goes to the VMM's msi callback
 *     (iommu_ctx_opts.msi), never into RAM, whatever @addr is; without a
 *     callback it is dropped and counted (IOMMU_STAT_MSI_DROPPED).  Like
 *     raise_irq, delivery waits until the outermost library call returns.
 * @report_fault: the driver delivers one decoded fault
 * @stat_add: add to a counter (thread-safe); what translate counts may
 *     go in its request's own counters instead (struct iommu_dma_req)
 * @table_free_after: the driver's unmap_pages unlinked the table page
 *     [pa, pa + size) (one table_alloc allocation): the core gives it back
 *     once @gather's invalidation is done (after iotlb_sync returns 0, or
 *     in deferred mode after the next flush_iotlb_all), never earlier, so
 *     the hardware cannot walk a reused page.  The core reserves room for
 *     these pages before each unmap_pages call, counting tables that
 *     cover at least 2 MiB each and that the range covers whole (every
 *     vendor format); a driver that unlinks more gets room as it goes,
 *     and only then may see -ENOMEM: the page stays allocated (a leak,
 *     logged, never a use after free).
 * @trace: both roles (ABI 2.2): deliver a trace event to the VMM's
 *     callback of its class; call it only when iommu_host_tracing() says
 *     the class is on.  The core fills nothing in: the plugin sets what
 *     it knows (@what, @raw, the device, the range).
 */
struct iommu_host_ops {
	uint32_t size;
	void (*log)(struct iommu_host *host, enum iommu_log_level level,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
	int (*mem_read)(struct iommu_host *host, uint64_t pa, void *buf,
			size_t len);
	int (*mem_write)(struct iommu_host *host, uint64_t pa, const void *buf,
			 size_t len);
	void *(*mem_ptr)(struct iommu_host *host, uint64_t pa, size_t len);
	int (*table_alloc)(struct iommu_host *host, size_t size, uint64_t *pa);
	void (*table_free)(struct iommu_host *host, uint64_t pa, size_t size);
	void (*raise_irq)(struct iommu_host *host, unsigned int vector);
	void (*report_fault)(struct iommu_host *host,
			     const struct iommu_fault *fault);
	void (*stat_add)(struct iommu_host *host, enum iommu_stat stat,
			 uint64_t n);
	void (*msi_write)(struct iommu_host *host, uint64_t addr,
			  uint32_t data);
	int (*table_free_after)(struct iommu_host *host,
				struct iommu_iotlb_gather *gather,
				uint64_t pa, size_t size);
	/* ABI 2.2 */
	void (*trace)(struct iommu_host *host,
		      const struct iommu_trace_event *ev);
};

/*
 * @trace_mask (ABI 2.2: present when @ops->size covers @ops->trace): the
 * classes with a callback now, IOMMU_TRACE_BIT() bits, read with a
 * relaxed atomic load (iommu_host_tracing()) before making an event.
 */
struct iommu_host {
	const struct iommu_host_ops *ops;
	const unsigned int *trace_mask;
};

/*
 * Does @host want events of @cls?  Cheap: for the paths that make them.
 * Built with -DIOMMU_NO_TRACE, a constant false: the trace points go away.
 */
static inline bool iommu_host_tracing(const struct iommu_host *host,
				      enum iommu_trace_class cls)
{
#ifdef IOMMU_NO_TRACE
	(void)host;
	(void)cls;
	return false;
#endif
	if (__builtin_expect(host->ops->size <=
				     offsetof(struct iommu_host_ops, trace),
			     0))
		return false;
	return __builtin_expect(__atomic_load_n(host->trace_mask,
						__ATOMIC_RELAXED) &
					IOMMU_TRACE_BIT(cls),
				0);
}

/* The bus a driver is bound to (see struct iommu_bus_ops in iommu.h). */
struct iommu_bus {
	const struct iommu_bus_ops *ops;
	void *opaque;
};

/*
 * A flag of iommu_fault.flags for drivers only: the hardware did not say
 * whether the address was mapped (VT-d's second-stage read/write faults
 * cover both).  The driver reports IOMMU_FAULT_NOT_MAPPED with this flag
 * and the core decides between NOT_MAPPED and PERMISSION from the
 * domain the request used, then clears the flag: no driver re-reads its
 * own tables for it.
 */
#define IOMMU_FAULT_F_REFINE (1u << 31)

/* ---- Backend parameters (the INI section named after the backend) ----- */

enum iommu_param_type {
	IOMMU_PARAM_U64 = 1,  /* decimal or 0x hex, within [min, max] */
	IOMMU_PARAM_SIZE = 2, /* like U64, with optional K/M/G suffix */
	IOMMU_PARAM_BOOL = 3, /* yes/no, true/false, on/off, 1/0 */
	IOMMU_PARAM_ENUM = 4, /* one of @choices; value is its index */
};

/**
 * struct iommu_param_spec - one key of the backend's INI section
 * @name: key
 * @type: how the value is written
 * @min, @max: inclusive range (U64, SIZE)
 * @def: value when the key is absent
 * @choices: NULL-terminated names (ENUM)
 * @help: one line for error messages and docs
 */
struct iommu_param_spec {
	const char *name;
	enum iommu_param_type type;
	uint64_t min;
	uint64_t max;
	uint64_t def;
	const char *const *choices;
	const char *help;
};

/*
 * iommu_print_fn - where a plugin writes text for the core (ABI 2.2)
 * A printf-style sink the core gives the dump ops: the plugin formats
 * lines, the core decides where they go (the VMM's FILE, a buffer).  The
 * plugin ends each line with '\n'; it never does I/O of its own.
 */
typedef void (*iommu_print_fn)(void *cookie, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- Device model (hardware) ------------------------------------------ */

/**
 * struct iommu_dma_req - one DMA request as the hardware sees it
 * @dev_id: requester (vendor ID)
 * @pasid: IOMMU_NO_PASID or the PASID prefix
 * @iova: input address
 * @len: bytes wanted, > 0
 * @access: IOMMU_ACCESS_READ or IOMMU_ACCESS_WRITE
 * @attrs: IOMMU_ACCESS_PRIV, IOMMU_ACCESS_EXEC, IOMMU_ACCESS_TRANSLATED
 *     (iommu.h): the request's attributes; a model honours those its
 *     hardware defines and says in its header what it does with the rest
 * @stats: ABI 2.3; the calling thread's own counters, indexed by enum
 *     iommu_stat, or NULL.  A model may count what translating @req does
 *     (IOTLB hits and misses, walks: counters of ABI 2.0, below
 *     IOMMU_STAT_COUNT_2_0, but IOMMU_STAT_FAULTS_LOST) there instead of
 *     calling stat_add: with a relaxed atomic load and a relaxed atomic
 *     store of the sum (no read-modify-write: no other thread writes
 *     them), during the call only.  NULL: count through stat_add.
 *     ilib_stat_req() does either.
 * @thread: ABI 2.4; 1 + the calling thread's number, below
 *     IOMMU_HW_THREADS, or 0: none (and always 0 when @stats is NULL).
 *     While a thread lives no other thread's requests carry its number;
 *     after it exits the number goes to a later thread, and everything
 *     the first one wrote happens before the second one's requests.  A
 *     model may keep state per thread in a table of IOMMU_HW_THREADS
 *     entries that only the thread of that number reads and writes, if
 *     what one thread leaves there is right for its successor too (a
 *     cache checked against a generation, say).
 *
 * Only the core makes requests, and it sets every field of its own ABI
 * (@stats maybe NULL).  Fields are appended like table slots: a plugin of
 * an older minor never reads the newer ones, and a plugin of a newer
 * minor than the core's is refused at load, so every field a plugin
 * knows is set.
 */
struct iommu_dma_req {
	uint32_t dev_id;
	uint32_t pasid;
	uint64_t iova;
	uint64_t len;
	unsigned int access;
	unsigned int attrs;
	/* ABI 2.3 */
	uint64_t *stats;
	/* ABI 2.4 */
	unsigned int thread;
};

/* The numbers struct iommu_dma_req @thread takes (1 + a number below). */
#define IOMMU_HW_THREADS 64u

/*
 * What iommu_hw_ops.translate returns, besides 0 and -errno, for a request
 * the hardware takes as an interrupt message rather than DMA (DESIGN rule
 * 12: VT-d and AMD-Vi, a request without PASID into 0xFEEx_xxxx): @out
 * gets the message address in phys, the bytes up to the window's end in
 * len and no permission.  The core never turns it into a memory access: a
 * write of one naturally aligned dword there becomes a call of the VMM's
 * msi callback, anything else faults.
 */
#define IOMMU_HW_INTERRUPT 1

/*
 * What translate returns instead of 0 for a translation the core may keep
 * (a per-thread hint) until the next call into the model that can change
 * its state: mmio_write, notify, endpoint_add or endpoint_remove, load.
 * Return it only for what the hardware's own caches would keep until such
 * a call (an IOTLB entry, a mapping held in the device); a result the
 * hardware reads afresh from memory every time (VT-d pass-through, which
 * is not cached) returns 0.  @out covers the request's prefix as for 0;
 * the core may ask for more than the device's access (to the end of its
 * page) and serve later accesses inside @out from the hint.
 */
#define IOMMU_HW_CACHED 2

/**
 * struct iommu_hw_ops - the device model; all slots required unless noted
 * @size: sizeof(struct iommu_hw_ops) in the plugin's build
 * @create: make an instance; @params are the backend section's values in
 *     the order of the descriptor's param table; @host is the model's
 *     services (struct iommu_host_ops says which)
 * @destroy: free it
 * @mmio_read, @mmio_write: register access; -EINVAL bad offset or size
 * @translate: translate @req; 0 or IOMMU_HW_CACHED and @out,
 *     IOMMU_HW_INTERRUPT, or -EFAULT after recording the fault in the
 *     vendor's format (and raising the interrupt).  A fault is recorded
 *     only when the first byte cannot be translated; otherwise @out is the
 *     prefix that can.
 * @endpoint_add, @endpoint_remove: optional; the platform tells the
 *     hardware which requester IDs exist behind it
 * @notify: optional doorbell for queue @queue
 * @save, @load: optional (ABI 2.1); the model's state as a byte buffer
 *     that begins with the backend's own format version, for migration
 *     (the slots are fixed now; the core uses them with save/restore).
 *     save: -ENOSPC with *@used the size needed when @len is too small;
 *     load: -EINVAL for a buffer of another version or a bad state
 * @dump: optional (ABI 2.2); print the model's state through @print for
 *     a person reading it (iommu_dump_model()): the main registers
 *     decoded field by field with the spec's names, queue heads and
 *     tails, cache occupancy.  Read-only: changes nothing a guest or the
 *     driver can see (no counter, no cache, no interrupt).  0 or -errno.
 *
 * Context: translate may run on several threads at once and concurrently
 * with mmio_write; the model locks what it must.
 */
struct iommu_hw_ops {
	uint32_t size;
	int (*create)(struct iommu_host *host, const uint64_t *params,
		      void **hw);
	void (*destroy)(void *hw);
	int (*mmio_read)(void *hw, uint64_t offset, unsigned int size,
			 uint64_t *val);
	int (*mmio_write)(void *hw, uint64_t offset, unsigned int size,
			  uint64_t val);
	int (*translate)(void *hw, const struct iommu_dma_req *req,
			 struct iommu_translation *out);
	int (*endpoint_add)(void *hw, uint32_t dev_id);
	void (*endpoint_remove)(void *hw, uint32_t dev_id);
	int (*notify)(void *hw, unsigned int queue);
	/* ABI 2.1 */
	int (*save)(void *hw, void *buf, size_t len, size_t *used);
	int (*load)(void *hw, const void *buf, size_t len);
	/* ABI 2.2 */
	int (*dump)(void *hw, iommu_print_fn print, void *cookie);
};

#define IOMMU_ABI_2_0_SIZE_iommu_hw_ops \
	((uint32_t)offsetof(struct iommu_hw_ops, save))

/* ---- Driver ----------------------------------------------------------- */

/**
 * struct iommu_dev_info - a device as the driver sees it
 * @id: vendor ID
 * @features: 1 << IOMMU_DEV_FEAT_* the device supports (from the config)
 * @pasid_bits: PASID width of the device
 * @priv: the driver's per-device state (set by probe_device)
 */
struct iommu_dev_info {
	uint32_t id;
	unsigned int features;
	unsigned int pasid_bits;
	void *priv;
};

/* Core settings the driver needs at probe. */
struct iommu_core_cfg {
	bool strict;                          /* strict invalidation */
	enum iommu_domain_type default_type;  /* DMA or IDENTITY */
};

struct iommu_domain_ops;
struct iommu_dirty_ops;

/**
 * struct iommu_domain_info - what the driver tells the core of a domain
 * @ops: the domain's ops
 * @pgsize_bitmap: page sizes (bit n: 2^n bytes)
 * @aperture_start, @aperture_last: inclusive IOVA range
 * @dirty_ops: optional; set when the domain was allocated with
 *     IOMMU_ALLOC_DIRTY_TRACKING (and only then)
 */
struct iommu_domain_info {
	const struct iommu_domain_ops *ops;
	uint64_t pgsize_bitmap;
	uint64_t aperture_start;
	uint64_t aperture_last;
	const struct iommu_dirty_ops *dirty_ops;
};

/**
 * struct iommu_user_data - vendor data for a nested domain
 * @type: which vendor format @data is (the backend's own constant)
 * @len: bytes at @data
 * @data: the guest's stage-1 description (a VT-d PASID entry's first
 *     stage, an SMMUv3 STE, an AMD-Vi DTE), as the guest wrote it
 */
struct iommu_user_data {
	uint32_t type;
	uint32_t len;
	const void *data;
};

/**
 * struct iommu_user_data_array - the guest's invalidation requests
 * @type: which vendor format the entries are
 * @entry_len: bytes per entry
 * @entry_num: entries at @entries; the backend sets it to the number
 *     handled, also on failure
 * @entries: the guest's commands as it wrote them
 */
struct iommu_user_data_array {
	uint32_t type;
	uint32_t entry_len;
	uint32_t entry_num;
	const void *entries;
};

/**
 * struct iommu_ops - the driver; all slots required unless noted
 * @size: sizeof(struct iommu_ops) in the plugin's build
 * @probe: find the hardware through @bus, set it up; tables come from
 *     host->ops->table_alloc (@host is the driver's services)
 * @release: tear down (devices are released and domains freed before)
 * @probe_device, @release_device: per-device state
 * @device_group: optional; devices with equal *@key share a group (the
 *     configured topology merges further)
 * @domain_alloc_paging: a new paging domain; @dev (may be NULL) is the
 *     device it is first meant for, @flags IOMMU_ALLOC_*; -EOPNOTSUPP for
 *     a flag the instance cannot honour
 * @get_resv_regions: optional; the device's reserved regions
 * @capable: optional; NULL means no capability
 * @dev_enable_feat, @dev_disable_feat: optional; NULL means the backend
 *     has no device features.  The core checks the device supports it.
 * @backend_features: 1 << IOMMU_DEV_FEAT_* the backend can provide
 * @irq: optional; interrupt @vector from the hardware.  Called by the core
 *     after the call that raised it returned (see raise_irq), on that
 *     thread or on the one delivering this instance's interrupts then;
 *     never concurrently with itself for one instance.
 * @instance_features: optional; the features this instance can
 *     provide, when the hardware or its mode narrows @backend_features
 *     (VT-d in legacy mode has no PASIDs).  NULL: @backend_features.
 * @blocked_domain: the instance's blocking domain: every DMA of a device
 *     attached to it faults.  Its ops get the instance as @dom; it needs
 *     attach_dev and, with PASIDs, set_dev_pasid (removing a PASID
 *     attaches it); the core never maps through it or frees it.
 * @identity_domain: optional; the same for the identity domain
 * @instance_domains: optional; 1 << IOMMU_DOMAIN_* this instance can
 *     provide when its hardware or mode narrows what the ops offer (VT-d
 *     without pass-through has no identity domain).  NULL: all the ops
 *     offer.
 * @domain_alloc_nested: optional (fixed now, built with nested
 *     translation); a stage-1 domain over the paging domain @parent
 *     (allocated with IOMMU_ALLOC_NEST_PARENT), described by the guest's
 *     vendor @data
 * @save, @load: optional (ABI 2.1); the driver's state (domains, IDs,
 *     table roots) as a versioned byte buffer, as for struct iommu_hw_ops
 */
struct iommu_ops {
	uint32_t size;
	int (*probe)(struct iommu_host *host, const struct iommu_bus *bus,
		     const uint64_t *params, const struct iommu_core_cfg *cfg,
		     void **inst);
	void (*release)(void *inst);
	int (*probe_device)(void *inst, struct iommu_dev_info *dev);
	void (*release_device)(void *inst, struct iommu_dev_info *dev);
	int (*device_group)(void *inst, const struct iommu_dev_info *dev,
			    uint64_t *key);
	int (*domain_alloc_paging)(void *inst, struct iommu_dev_info *dev,
				   unsigned int flags,
				   struct iommu_domain_info *info, void **dom);
	int (*get_resv_regions)(void *inst, struct iommu_dev_info *dev,
				struct iommu_resv_region *out, size_t max,
				size_t *count);
	bool (*capable)(void *inst, struct iommu_dev_info *dev,
			enum iommu_cap cap);
	int (*dev_enable_feat)(void *inst, struct iommu_dev_info *dev,
			       enum iommu_dev_feature feat);
	int (*dev_disable_feat)(void *inst, struct iommu_dev_info *dev,
				enum iommu_dev_feature feat);
	unsigned int backend_features;
	void (*irq)(void *inst, unsigned int vector);
	unsigned int (*instance_features)(void *inst);
	const struct iommu_domain_ops *blocked_domain;
	const struct iommu_domain_ops *identity_domain;
	unsigned int (*instance_domains)(void *inst);
	int (*domain_alloc_nested)(void *inst, void *parent,
				   struct iommu_dev_info *dev,
				   unsigned int flags,
				   const struct iommu_user_data *data,
				   struct iommu_domain_info *info, void **dom);
	/* ABI 2.1 */
	int (*save)(void *inst, void *buf, size_t len, size_t *used);
	int (*load)(void *inst, const void *buf, size_t len);
};

#define IOMMU_ABI_2_0_SIZE_iommu_ops ((uint32_t)offsetof(struct iommu_ops, save))

/**
 * struct iommu_walk_table - one table of a domain's page table (ABI 2.2)
 * @level: its level: 0 holds only the smallest pages, the top table is at
 *     levels - 1 (the numbering of core/pt)
 * @pa: physical address of the table
 * @iova, @last: the IOVAs it translates, inclusive
 */
struct iommu_walk_table {
	unsigned int level;
	uint64_t pa;
	uint64_t iova;
	uint64_t last;
};

/**
 * struct iommu_walk_leaf - one leaf: a page, a contiguous run counted
 * whole, or (virtio) one page-sized unit of a mapping (ABI 2.2)
 * @iova: first IOVA
 * @size: bytes it maps
 * @pa: output address of @iova
 * @prot: IOMMU_READ / IOMMU_WRITE it allows
 * @level: the level of the table entry holding it (0 without tables)
 */
struct iommu_walk_leaf {
	uint64_t iova;
	uint64_t size;
	uint64_t pa;
	unsigned int prot;
	unsigned int level;
};

/**
 * struct iommu_walk_visitor - what a domain's walk op calls
 * @table: once per table, the top one included; may be NULL
 * @leaf: once per leaf; may be NULL
 * Each returns 0 to go on, anything else to stop the walk with it.  Calls
 * come in any order (the core sorts them); they must not call back into
 * the domain.
 */
struct iommu_walk_visitor {
	int (*table)(void *cookie, const struct iommu_walk_table *t);
	int (*leaf)(void *cookie, const struct iommu_walk_leaf *l);
};

/**
 * struct iommu_domain_ops - per-domain driver ops
 * @size: sizeof(struct iommu_domain_ops) in the plugin's build
 * @attach_dev: move @dev from whatever domain it is on to this one; on
 *     failure the device stays on its old domain, working.  There is no
 *     detach: the core attaches the default or blocking domain.
 * @set_dev_pasid: optional; make this domain the one @dev's requests with
 *     @pasid use, replacing @old (the domain there now, NULL for none)
 *     with no window through blocked; on failure @old stays, working.
 *     The blocking domain's set_dev_pasid removes the PASID: there is no
 *     PASID detach either.
 * @map_pages: map @pgcount pages of @pgsize; *@mapped gets the bytes done
 *     even on failure (the core unmaps them); -EEXIST on a present entry
 * @unmap_pages: remove whole pages from @iova on, each wholly inside
 *     [iova, iova + pgsize * pgcount); stop at a hole or at a page that
 *     would be cut; record what was touched in @gather; return bytes
 * @iotlb_sync_map: optional; after map (caching mode)
 * @iotlb_sync: issue @gather's invalidation and wait; reset is the core's
 * @flush_iotlb_all: optional; invalidate all of the domain
 * @iova_to_phys: software lookup; -ENOENT not mapped
 * @cache_invalidate_user: optional (fixed now, built with nested
 *     translation); carry out the guest's invalidation commands for a
 *     nested domain
 * @free: free a paging domain (never called for static ones)
 * @walk: optional (ABI 2.2); show the domain's translation to @v, read
 *     only, from the driver's own tables (the page table, or the mappings
 *     a driver without one keeps): for iommu_dump_domain().  0, what a
 *     visitor call returned, -EFAULT a table outside RAM.  May run
 *     concurrently with map and unmap (it then shows either state of a
 *     range they change).
 *
 * Paging domains need attach_dev, map_pages, unmap_pages, iotlb_sync,
 * iova_to_phys and free; static ones attach_dev (and set_dev_pasid).
 *
 * Context: map_pages, unmap_pages, iotlb_sync and iova_to_phys may run on
 * several threads at once for disjoint ranges of one domain.  Attach and
 * set_dev_pasid calls on one device never run concurrently.
 */
struct iommu_domain_ops {
	uint32_t size;
	int (*attach_dev)(void *dom, struct iommu_dev_info *dev);
	int (*set_dev_pasid)(void *dom, struct iommu_dev_info *dev,
			     uint32_t pasid, void *old);
	int (*map_pages)(void *dom, uint64_t iova, uint64_t paddr,
			 uint64_t pgsize, uint64_t pgcount, unsigned int prot,
			 uint64_t *mapped);
	uint64_t (*unmap_pages)(void *dom, uint64_t iova, uint64_t pgsize,
				uint64_t pgcount,
				struct iommu_iotlb_gather *gather);
	int (*iotlb_sync_map)(void *dom, uint64_t iova, uint64_t size);
	int (*iotlb_sync)(void *dom, struct iommu_iotlb_gather *gather);
	int (*flush_iotlb_all)(void *dom);
	int (*iova_to_phys)(void *dom, uint64_t iova, uint64_t *phys);
	int (*cache_invalidate_user)(void *dom,
				     struct iommu_user_data_array *array);
	void (*free)(void *dom);
	/* ABI 2.2 */
	int (*walk)(void *dom, const struct iommu_walk_visitor *v,
		    void *cookie);
};

#define IOMMU_ABI_2_0_SIZE_iommu_domain_ops \
	((uint32_t)offsetof(struct iommu_domain_ops, walk))

/**
 * struct iommu_dirty_bitmap - where read_and_clear_dirty records
 * @iova: IOVA of bit 0
 * @pgshift: each bit stands for 2^@pgshift bytes
 * @bits: the bitmap, @nbits long (bit i in bits[i / 64], bit i % 64)
 * @nbits: its length
 * @gather: the IOTLB range the driver must flush after clearing (the
 *     core syncs it)
 */
struct iommu_dirty_bitmap {
	uint64_t iova;
	unsigned int pgshift;
	uint64_t *bits;
	uint64_t nbits;
	struct iommu_iotlb_gather *gather;
};

/* Mark [iova, iova + len) dirty in @b (clipped to the bitmap). */
static inline void iommu_dirty_bitmap_record(struct iommu_dirty_bitmap *b,
					     uint64_t iova, uint64_t len)
{
	uint64_t first, last;

	if (!len || iova + (len - 1) < b->iova)
		return;
	if (iova < b->iova) {
		len -= b->iova - iova;
		iova = b->iova;
	}
	first = (iova - b->iova) >> b->pgshift;
	last = (iova - b->iova + len - 1) >> b->pgshift;
	for (uint64_t i = first; i <= last && i < b->nbits; i++)
		b->bits[i / 64] |= 1ull << (i % 64);
}

/**
 * struct iommu_dirty_ops - dirty tracking of a domain (for migration)
 * @size: sizeof(struct iommu_dirty_ops) in the plugin's build
 * @set_dirty_tracking: start (@enable) or stop the hardware setting dirty
 *     state on writes through the domain
 * @read_and_clear_dirty: record in @dirty every page of [iova, iova +
 *     size) written since the last call, and clear its state (unless
 *     IOMMU_DIRTY_NO_CLEAR); the invalidation it needs goes in
 *     dirty->gather
 */
struct iommu_dirty_ops {
	uint32_t size;
	int (*set_dirty_tracking)(void *dom, bool enable);
	int (*read_and_clear_dirty)(void *dom, uint64_t iova, uint64_t size,
				    unsigned int flags,
				    struct iommu_dirty_bitmap *dirty);
};

/* ---- The descriptor --------------------------------------------------- */

/**
 * struct iommu_plugin - what iommu_plugin_NAME() returns
 * @magic: IOMMU_PLUGIN_MAGIC
 * @abi_major, @abi_minor: the ABI the plugin was built against
 * @size: sizeof(struct iommu_plugin) of that build (at least ABI 2.0's)
 * @name: backend name; must equal the INI's [iommu] backend
 * @id_kind: kind of device ID
 * @id_bits: width of a device ID (16 for a BDF)
 * @params, @nr_params: the keys of the backend's INI section
 * @hw: device model
 * @ops: driver
 */
struct iommu_plugin {
	uint64_t magic;
	uint16_t abi_major;
	uint16_t abi_minor;
	uint32_t size;
	const char *name;
	const char *description;
	enum iommu_id_kind id_kind;
	unsigned int id_bits;
	const struct iommu_param_spec *params;
	size_t nr_params;
	const struct iommu_hw_ops *hw;
	const struct iommu_ops *ops;
};

#define IOMMU_PLUGIN_EXPORT __attribute__((visibility("default")))

/* Define the one exported symbol, iommu_plugin_NAME(). */
#define IOMMU_PLUGIN_DEFINE(NAME, DESC)                                       \
	IOMMU_PLUGIN_EXPORT const struct iommu_plugin *iommu_plugin_##NAME(void); \
	const struct iommu_plugin *iommu_plugin_##NAME(void)                   \
	{                                                                      \
		return (DESC);                                                 \
	}

/* Alignment helpers shared by plugins and the core. */
static inline bool iommu_is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

#ifdef __cplusplus
}
#endif

#endif /* IOMMU_PLUGIN_H */
