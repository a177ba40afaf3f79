/* SPDX-License-Identifier: MIT */
/*
 * iommu.h - the public API a VMM embeds.
 *
 * A context (struct iommu_ctx) is one IOMMU: a backend plugin loaded from an
 * INI file, its device model (the hardware) and its driver, the simulated
 * physical memory both of them use, the devices behind the IOMMU, their
 * groups and the domains they are attached to.
 *
 * Conventions:
 *  - Action functions return 0 or a negative errno; predicates return bool
 *    (false also for bad input); allocators return int and an out-pointer.
 *  - Devices are named by their vendor ID (PCI BDF for VT-d and AMD-Vi,
 *    StreamID for SMMUv3, endpoint ID for virtio-iommu), groups by the
 *    number iommu_dev_group() gives, domains by the handle
 *    iommu_domain_alloc() gives.
 *  - A domain handle is an encoded number (a slot of the library's handle
 *    table and a generation), never an address: a freed handle, a handle
 *    of a destroyed context or a garbage value gets -EINVAL (0 or false
 *    from the calls that return a value), and the library reads no freed
 *    memory to find that out.  A freed handle is never handed out again
 *    (see docs/architecture.md, "Domain handles").  A call that takes a
 *    context and a domain gets -EINVAL for a domain of another context.
 *
 * Concurrency (see README, "Threads"):
 *  - iommu_map(), iommu_unmap(), iommu_unmap_fast(), iommu_iotlb_sync(),
 *    iommu_iova_to_phys() and the iommu_dma_* calls may run from several
 *    threads at once on disjoint IOVA ranges, also of the same domain.
 *  - Attach, detach, replace, ownership, aux and PASID calls serialize per
 *    group; they may run concurrently with DMA (a DMA sees the old or the
 *    new domain).
 *  - The listing calls (iommu_dev_list(), iommu_group_list(), ...) may run
 *    from any thread, but not from a fault handler (they take the locks
 *    the faulting path may hold).
 *  - iommu_dev_add(), iommu_dev_remove(), iommu_domain_free() and
 *    iommu_ctx_destroy() must not race with calls that use the same device
 *    or domain.  iommu_ctx_destroy() must be the last call on a context.
 */
#ifndef IOMMU_IOMMU_H
#define IOMMU_IOMMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h> /* FILE, for the dumps */

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

struct iommu_ctx;
struct iommu_domain;

/*
 * The library's version.  The soname is libiommu.so.MAJOR: a new MAJOR
 * breaks callers; a new MINOR only adds (functions, fields at the end of
 * sized structs, enum values before a _COUNT).
 */
#define IOMMU_VERSION_MAJOR 2
#define IOMMU_VERSION_MINOR 0
#define IOMMU_VERSION_PATCH 0

/**
 * iommu_version() - the version of the library actually loaded
 * @major, @minor, @patch: receive the numbers; each may be NULL
 * Return: the version as "MAJOR.MINOR.PATCH"
 *
 * Compare with the IOMMU_VERSION_* the caller was compiled against to
 * detect a library older than its headers.
 */
const char *iommu_version(unsigned int *major, unsigned int *minor,
			  unsigned int *patch);

/* ---- Creating a context ----------------------------------------------- */

/* A RAM region the VMM owns: [base, base + size) backed by @host. */
struct iommu_ram_region {
	uint64_t base;
	uint64_t size;
	void *host;
};

/**
 * struct iommu_translation - result of a DMA translation
 * @phys: physical address of the IOVA
 * @len: bytes from @phys that are contiguous and have the same rights
 *       (at most the length asked for)
 * @perm: IOMMU_READ/IOMMU_WRITE the translation allows
 */
struct iommu_translation {
	uint64_t phys;
	uint64_t len;
	unsigned int perm;
};

/**
 * struct iommu_bus_ops - the driver's only way to the hardware
 *
 * By default the driver of a context is bound to the plugin's own device
 * model.  A VMM can bind it to another implementation of the same hardware
 * (iommu_ctx_opts.bus).  All offsets are from the IOMMU's register window;
 * for virtio-iommu that window is a virtio-mmio (version 2) transport.
 *
 * @mmio_read: read @size (1, 2, 4 or 8) bytes at @offset; 0 or -errno
 * @mmio_write: write them; 0 or -errno
 * @translate: optional; how DMA is translated when the bus is not the
 *             built-in model (iommu_dma_* return -EOPNOTSUPP without it).
 *             @access carries the request attributes (IOMMU_ACCESS_*).
 *             0, IOMMU_DMA_INTERRUPT for a request the hardware takes as
 *             an interrupt message, or -EFAULT when it faulted.
 */
struct iommu_bus_ops {
	int (*mmio_read)(void *opaque, uint64_t offset, unsigned int size,
			 uint64_t *val);
	int (*mmio_write)(void *opaque, uint64_t offset, unsigned int size,
			  uint64_t val);
	int (*translate)(void *opaque, uint32_t dev_id, uint32_t pasid,
			 uint64_t iova, uint64_t len, unsigned int access,
			 struct iommu_translation *out);
};

/* Flags for iommu_ctx_opts.flags. */
/* Device model only: no driver is probed; a guest programs the model
 * through iommu_hw_mmio_*.  Domain calls return -ENODEV. */
#define IOMMU_CTX_NO_DRIVER (1u << 0)
/* No translation hint: every iommu_dma_* translation reaches the device
 * model (for tests of the model's own caches and counters).  By default a
 * thread keeps the last translations the model marked cacheable and
 * serves repeats of them itself until the model's state may have changed
 * (any register write, doorbell or device change); see
 * docs/architecture.md, "Translation hint". */
#define IOMMU_CTX_NO_HINT (1u << 1)

/* iommu_msi_fn's dev_id for the IOMMU's own messages (queue, events). */
#define IOMMU_MSI_FROM_IOMMU UINT32_MAX

/* An interrupt message: @data written to @addr by @dev_id (or the IOMMU). */
typedef void (*iommu_msi_fn)(void *cookie, uint32_t dev_id, uint64_t addr,
			     uint32_t data);

/**
 * struct iommu_ctx_opts - how to create a context
 * @size: sizeof(struct iommu_ctx_opts) as the caller was compiled; 0 is
 *     read as the 2.0 layout (IOMMU_CTX_OPTS_SIZE_2_0).  A larger struct
 *     than the library knows is accepted when the bytes it does not know
 *     are zero (-E2BIG otherwise); fields past @size read as zero.
 * @ini_path: INI file; exactly one of @ini_path and @ini_string
 * @ini_string: INI text (messages name the file "<string>")
 * @log, @log_cookie, @log_level: log sink and threshold; NULL log prints
 *     to stderr
 * @ram, @nr_ram: RAM regions the VMM owns, registered before the backend
 *     probes (the INI's [memory] ram_size then may be omitted)
 * @bus, @bus_opaque: bind the driver to other hardware (NULL: the model)
 * @irq, @irq_cookie: called when the device model raises an interrupt and
 *     no driver of this library serves it (IOMMU_CTX_NO_DRIVER or @bus
 *     set), when the library call that made the model raise returns (never
 *     inside the register write that raised it)
 * @msi, @msi_cookie: interrupt messages (DESIGN rule 12): a device's dword
 *     write into the hardware's interrupt window (VT-d: 0xFEEx_xxxx
 *     without PASID) and the model's own MSIs, as iommu_msi_fn; delivered
 *     when the library call that produced them returns, in order, with
 *     no library lock held (the callback may call the library, the DMA
 *     API included, as a fault handler may).  NULL: they are dropped and
 *     counted (IOMMU_STAT_MSI_DROPPED); the device's write still returns
 *     0.  Never RAM.
 * @flags: IOMMU_CTX_*
 * @errbuf, @errbuf_len: receives the first error message of a failed
 *     create (file, line, key), NUL-terminated; may be NULL
 */
struct iommu_ctx_opts {
	uint32_t size;
	const char *ini_path;
	const char *ini_string;
	iommu_log_fn log;
	void *log_cookie;
	enum iommu_log_level log_level;
	const struct iommu_ram_region *ram;
	size_t nr_ram;
	const struct iommu_bus_ops *bus;
	void *bus_opaque;
	void (*irq)(void *cookie, unsigned int vector);
	void *irq_cookie;
	unsigned int flags;
	iommu_msi_fn msi;
	void *msi_cookie;
	char *errbuf;
	size_t errbuf_len;
};

/* The 2.0 layout: up to and including @errbuf_len. */
#define IOMMU_CTX_OPTS_SIZE_2_0                                               \
	(offsetof(struct iommu_ctx_opts, errbuf_len) + sizeof(size_t))

/**
 * iommu_ctx_create() - load the configured backend and build the platform
 * @opts: what to create; see struct iommu_ctx_opts
 * @out: receives the context
 *
 * Parses the INI, loads the plugin, sets up memory, creates the device
 * model, probes the driver and adds every configured device.
 * Context: not thread-safe with respect to @out.
 * Return: 0; -EINVAL bad opts or configuration; -ENOENT file or plugin
 * not found; -ENOEXEC plugin refused; -ENOMEM; or the backend's error.
 */
int iommu_ctx_create(const struct iommu_ctx_opts *opts,
		     struct iommu_ctx **out);

/**
 * iommu_ctx_destroy() - free everything the context holds
 * Devices are released, domains freed, the plugin unloaded.  NULL is a
 * no-op.
 */
void iommu_ctx_destroy(struct iommu_ctx *ctx);

/* Name of the loaded backend ("virtio", "vtd", ...); NULL for bad input. */
const char *iommu_ctx_backend(const struct iommu_ctx *ctx);

/* Vendor ID kind of the backend's devices; 0 for bad input. */
enum iommu_id_kind iommu_ctx_id_kind(const struct iommu_ctx *ctx);

/* Is invalidation strict (unmap waits for the hardware)? */
bool iommu_ctx_strict(const struct iommu_ctx *ctx);

/* Default domain type from the INI; 0 for bad input. */
enum iommu_domain_type iommu_ctx_default_domain_type(const struct iommu_ctx *ctx);

/* ---- Physical memory -------------------------------------------------- */

/**
 * iommu_mem_add_ram() - register a RAM region at run time
 * @host: backing memory of at least @size bytes, or NULL to have the
 *        library allocate (zeroed) memory
 * Return: 0; -EINVAL zero size, overflow or overlap with another region;
 * -ENOSPC the context holds as many regions as it can; -ENOMEM.
 */
int iommu_mem_add_ram(struct iommu_ctx *ctx, uint64_t base, uint64_t size,
		      void *host);

/* Bounds-checked copy from/to physical memory. -EFAULT outside RAM. */
int iommu_mem_read(struct iommu_ctx *ctx, uint64_t pa, void *buf, size_t len);
int iommu_mem_write(struct iommu_ctx *ctx, uint64_t pa, const void *buf,
		    size_t len);

/* Host pointer for [pa, pa + len) if it lies in one region, else NULL. */
void *iommu_mem_ptr(struct iommu_ctx *ctx, uint64_t pa, size_t len);

/**
 * iommu_mem_table_alloc() - take pages from the table range
 * @size: power of two, at least 4096; the result is @size-aligned, zeroed
 * Return: 0; -EINVAL bad size; -ENOMEM range exhausted.
 */
int iommu_mem_table_alloc(struct iommu_ctx *ctx, size_t size, uint64_t *pa);
/**
 * iommu_mem_table_free() - give back one allocation of the table range
 * @pa, @size: exactly what one iommu_mem_table_alloc() gave (its address
 *     and size): part of an allocation, a range spanning two, a range
 *     never allocated or a misaligned one is refused and nothing is freed
 * Context: thread-safe.
 * Return: 0; -EINVAL NULL @ctx, or not exactly one live allocation.
 */
int iommu_mem_table_free(struct iommu_ctx *ctx, uint64_t pa, size_t size);

/* ---- Devices and groups ----------------------------------------------- */

/**
 * struct iommu_dev_config - a device behind the IOMMU
 * @id: vendor ID (see enum iommu_id_kind)
 * @name: optional label for logs (copied)
 * @group: optional group label: devices with the same label share a
 *         group (the topology cannot isolate them); NULL for none
 * @alias: optional vendor ID of a device this one aliases (DMA alias,
 *         same group); @has_alias says whether it is set
 * @features: bitmask of 1 << IOMMU_DEV_FEAT_* the device itself supports
 * @pasid_bits: PASID width the device supports (0: no PASID)
 */
struct iommu_dev_config {
	uint32_t id;
	const char *name;
	const char *group;
	uint32_t alias;
	bool has_alias;
	unsigned int features;
	unsigned int pasid_bits;
};

/* Longest device name (INI [device.NAME] or iommu_dev_config.name), with
 * its terminating NUL. */
#define IOMMU_DEV_NAME_MAX 64

/**
 * iommu_dev_add() - add a device at run time
 * The device gets a group (the configured topology, then the backend's
 * device_group) and, if its group is new, the group's default domain; if
 * the group exists, the device joins the group's current domain.
 * Return: 0; -EINVAL bad config, ID beyond the vendor's ID width, or a
 * name or group label of IOMMU_DEV_NAME_MAX bytes or more; -EEXIST ID in
 * use; -ENOENT alias names no device; -ENOMEM; backend error.
 */
int iommu_dev_add(struct iommu_ctx *ctx, const struct iommu_dev_config *cfg);

/**
 * iommu_dev_remove() - remove a device
 * Return: 0; -ENODEV unknown; -EBUSY aux domains attached, or the group is
 * claimed by a DMA owner, or the device has live DMA-API mappings.
 */
int iommu_dev_remove(struct iommu_ctx *ctx, uint32_t dev_id);

/* Vendor ID of the device configured as [device.NAME] (or added with that
 * iommu_dev_config.name).  -ENODEV unknown, or "". */
int iommu_dev_lookup(struct iommu_ctx *ctx, const char *name, uint32_t *dev_id);

/**
 * iommu_dev_list() - the IDs of every device, in ascending order
 * @ids: room for @max IDs (may be NULL when @max is 0)
 * @count: receives the number of devices (may exceed @max)
 * A VMM enumerates the platform with this and iommu_dev_name().
 * Context: thread-safe; takes the topology lock for reading, so the list
 * is one consistent snapshot (a device added or removed meanwhile is in
 * it or not).
 * Return: 0; -EINVAL NULL @ctx or @count, or @max > 0 with NULL @ids.
 */
int iommu_dev_list(struct iommu_ctx *ctx, uint32_t *ids, size_t max,
		   size_t *count);

/**
 * iommu_dev_name() - the name of a device
 * @buf: receives the NUL-terminated name: NAME of its [device.NAME]
 *       section, or iommu_dev_config.name ("" for a device added without
 *       one); iommu_dev_lookup() maps a name back to @dev_id ("" names
 *       no device)
 * @len: size of @buf; IOMMU_DEV_NAME_MAX always suffices
 * Context: thread-safe (topology lock for reading).
 * Return: 0; -EINVAL NULL @ctx or @buf, or @len 0; -ENODEV unknown device;
 * -ERANGE @len too small for the name (@buf is left unchanged).
 */
int iommu_dev_name(struct iommu_ctx *ctx, uint32_t dev_id, char *buf,
		   size_t len);

/* Group number of a device. -ENODEV unknown device. */
int iommu_dev_group(struct iommu_ctx *ctx, uint32_t dev_id, uint32_t *group);

/**
 * iommu_group_devices() - list a group's device IDs
 * @ids: room for @max IDs (may be NULL when @max is 0)
 * @count: receives the number of devices (may exceed @max)
 * Return: 0; -ENODEV unknown group; -EINVAL NULL @count.
 */
int iommu_group_devices(struct iommu_ctx *ctx, uint32_t group, uint32_t *ids,
			size_t max, size_t *count);

/**
 * iommu_group_list() - the numbers of every group, in ascending order
 * @groups: room for @max numbers (may be NULL when @max is 0)
 * @count: receives the number of groups (may exceed @max)
 * Context: thread-safe (topology lock for reading; one snapshot).
 * Return: 0; -EINVAL NULL @ctx or @count, or @max > 0 with NULL @groups.
 */
int iommu_group_list(struct iommu_ctx *ctx, uint32_t *groups, size_t max,
		     size_t *count);

/* Capability of a device; the same for every device of a group. */
bool iommu_dev_capable(struct iommu_ctx *ctx, uint32_t dev_id,
		       enum iommu_cap cap);

/* Device features (rule 7). has: device and backend both support it. */
bool iommu_dev_has_feature(struct iommu_ctx *ctx, uint32_t dev_id,
			   enum iommu_dev_feature feat);
bool iommu_dev_feature_enabled(struct iommu_ctx *ctx, uint32_t dev_id,
			       enum iommu_dev_feature feat);
/* Return: 0; -ENODEV unknown device; -EINVAL bad feature;
 * -EOPNOTSUPP the device or backend lacks it; -EBUSY (disable) in use. */
int iommu_dev_enable_feature(struct iommu_ctx *ctx, uint32_t dev_id,
			     enum iommu_dev_feature feat);
int iommu_dev_disable_feature(struct iommu_ctx *ctx, uint32_t dev_id,
			      enum iommu_dev_feature feat);

/**
 * iommu_get_resv_regions() - reserved regions of a device
 * @out: room for @max regions; @count receives how many there are
 * Return: 0; -ENODEV unknown device; -EINVAL NULL @count.
 */
int iommu_get_resv_regions(struct iommu_ctx *ctx, uint32_t dev_id,
			   struct iommu_resv_region *out, size_t max,
			   size_t *count);
/* The union over the group's devices, merged and sorted. */
int iommu_get_group_resv_regions(struct iommu_ctx *ctx, uint32_t group,
				 struct iommu_resv_region *out, size_t max,
				 size_t *count);

/* ---- Domains ---------------------------------------------------------- */

/**
 * iommu_domain_alloc() - allocate a domain
 * BLOCKED and IDENTITY give the backend's static domains (freeing them is
 * a no-op).  UNMANAGED and DMA give new paging domains.
 * Return: 0; -EINVAL bad type; -EOPNOTSUPP type unsupported; -ENOMEM;
 * -ENOSPC no domain ID left; -ENODEV context without a driver.
 */
int iommu_domain_alloc(struct iommu_ctx *ctx, enum iommu_domain_type type,
		       struct iommu_domain **out);

/* Flags of iommu_domain_alloc_paging() (and the driver's
 * domain_alloc_paging). */
#define IOMMU_ALLOC_NEST_PARENT     (1u << 0) /* may be a nested parent */
#define IOMMU_ALLOC_DIRTY_TRACKING  (1u << 1) /* dirty tracking works */
#define IOMMU_ALLOC_PASID           (1u << 2) /* will be attached by PASID */
#define IOMMU_ALLOC_FLAGS_ALL \
	(IOMMU_ALLOC_NEST_PARENT | IOMMU_ALLOC_DIRTY_TRACKING | \
	 IOMMU_ALLOC_PASID)

/* Flag of iommu_domain_read_and_clear_dirty(): report, leave the state
 * set. */
#define IOMMU_DIRTY_NO_CLEAR (1u << 0)

/* "No particular device" for iommu_domain_alloc_paging(). */
#define IOMMU_ANY_DEV UINT32_MAX

/**
 * iommu_domain_alloc_paging() - allocate an UNMANAGED domain with flags
 * @dev_id: the device it is first meant for (the backend may size it for
 *     that device's IOMMU), or IOMMU_ANY_DEV
 * @flags: IOMMU_ALLOC_*: NEST_PARENT (may later carry nested
 *     domains), DIRTY_TRACKING (iommu_domain_set_dirty_tracking works on
 *     it), PASID (will be attached through PASIDs)
 * Return: 0; -EINVAL NULL @out or unknown flag; -ENODEV unknown device or
 * context without a driver; -EOPNOTSUPP a flag the backend cannot honour;
 * -ENOMEM; -ENOSPC.
 */
int iommu_domain_alloc_paging(struct iommu_ctx *ctx, uint32_t dev_id,
			      unsigned int flags, struct iommu_domain **out);

/**
 * iommu_domain_set_dirty_tracking() - start or stop dirty tracking
 * Return: 0; -EINVAL bad handle; -EOPNOTSUPP the domain was not allocated
 * with IOMMU_ALLOC_DIRTY_TRACKING; backend errors.
 */
int iommu_domain_set_dirty_tracking(struct iommu_domain *domain, bool enable);

/**
 * iommu_domain_read_and_clear_dirty() - which pages were written
 * @iova, @size: the range, aligned to 2^@pgshift
 * @flags: IOMMU_DIRTY_NO_CLEAR to leave the state set
 * @bitmap: ((@size >> @pgshift) + 63) / 64 words; a bit is set (never
 *     cleared) for each 2^@pgshift unit of the range written since the
 *     last clearing call
 * The invalidation that clearing needs is done before this returns.
 * Return: 0; -EINVAL bad handle, arguments or alignment; -EOPNOTSUPP no
 * dirty tracking on the domain; backend errors.
 */
int iommu_domain_read_and_clear_dirty(struct iommu_domain *domain,
				      uint64_t iova, uint64_t size,
				      unsigned int flags, uint64_t *bitmap,
				      unsigned int pgshift);

/* Free a domain; its handle becomes stale at once.  -EINVAL bad or stale
 * handle; -EBUSY still attached to a device (primary or aux), or it is a
 * group's default domain (the library frees those with their group). */
int iommu_domain_free(struct iommu_domain *domain);

/* Type of a domain; 0 for a bad handle. */
enum iommu_domain_type iommu_domain_type(const struct iommu_domain *domain);

/* Aperture [start, last]; -EINVAL bad handle or NULL outputs. */
int iommu_domain_geometry(const struct iommu_domain *domain, uint64_t *start,
			  uint64_t *last);

/* Page sizes the domain can map (bit n set: 2^n bytes); 0 if none. */
uint64_t iommu_domain_pgsize_bitmap(const struct iommu_domain *domain);

/**
 * iommu_attach_device() - attach a device's group of one to a domain
 * Return: 0; -EINVAL bad handle or domain incompatible (no log); -ENODEV
 * unknown device; -EBUSY group of more than one device, group on another
 * non-default non-blocking domain, or aux domains attached (rule 8);
 * -ENOMEM, -ENOSPC, backend errors.  A failure leaves the old domain.
 */
int iommu_attach_device(struct iommu_domain *domain, uint32_t dev_id);
/* Return the group to its default (or, when owned, blocking) domain.
 * -EINVAL the device is not on @domain; -ENOMEM and backend errors (a
 * backend may need memory to attach even the default or blocking domain:
 * virtio-iommu's device makes a domain at ATTACH); a failure leaves the
 * device where it was, working. */
int iommu_detach_device(struct iommu_domain *domain, uint32_t dev_id);
int iommu_attach_group(struct iommu_domain *domain, uint32_t group);
int iommu_detach_group(struct iommu_domain *domain, uint32_t group);

/* Current primary domain of a device. -ENODEV unknown device. */
int iommu_get_domain_for_dev(struct iommu_ctx *ctx, uint32_t dev_id,
			     struct iommu_domain **out);

/**
 * iommu_group_replace_domain() - move a group from one VMM domain to another
 * @group: a group on a non-default, non-blocking domain (one the VMM
 *         attached)
 * @domain: the domain to move to: of @ctx, neither the blocking domain nor
 *          the group's default domain
 * Every device of the group goes straight from its old domain to @domain,
 * with no window through the blocking domain (as iommufd does when a VMM
 * changes a device's address space): a DMA during the call uses the old
 * or the new domain, never faults for lack of one.  Replacing with the
 * domain the group is on succeeds and does nothing.  A failure leaves the
 * group on its old domain, fully working.
 * Context: serializes with attach, detach, ownership and aux calls on the
 * group; may run concurrently with DMA.
 * Return: 0; -EINVAL NULL @ctx, bad or stale handle, a domain of another
 * context, @domain blocking or the group's default, the group not on a
 * VMM domain (use iommu_attach_group()), or @domain incompatible; -ENODEV
 * unknown group or context without a driver; -EBUSY a device of the
 * group has aux domains (rule 8) or DMA-API mappings live; -ENOMEM,
 * -ENOSPC, backend errors.
 */
int iommu_group_replace_domain(struct iommu_ctx *ctx, uint32_t group,
			       struct iommu_domain *domain);

/**
 * struct iommu_attachment - one attachment of a domain
 * @dev_id: the device
 * @pasid: IOMMU_NO_PASID when the domain is the device's primary domain,
 *         else the PASID through which it is the device's aux domain
 */
struct iommu_attachment {
	uint32_t dev_id;
	uint32_t pasid;
};

/**
 * iommu_domain_devices() - the devices a domain is attached to
 * @out: room for @max attachments (may be NULL when @max is 0), ordered
 *       by device ID, then PASID (a primary attachment last)
 * @count: receives the number of attachments (may exceed @max)
 * Context: thread-safe, not from a fault handler; the devices are a
 * snapshot (topology lock) and each group's attachments are read under
 * that group's lock, so a concurrent attach elsewhere shows or not.
 * Return: 0; -EINVAL bad or stale handle, NULL @count, or @max > 0 with
 * NULL @out.
 */
int iommu_domain_devices(struct iommu_domain *domain,
			 struct iommu_attachment *out, size_t max,
			 size_t *count);

/**
 * iommu_group_claim_dma_owner() - claim a group for a VMM assignment
 * @owner: non-NULL cookie; claiming again with the same owner is -EBUSY
 * The group moves to the blocking domain.
 * Return: 0; -ENODEV unknown group; -EINVAL NULL owner; -EBUSY already
 * owned, or DMA-API mappings live, or on a non-default domain, or a
 * device of the group has PASID attachments, aux or the VMM's (rule 5);
 * -ENOMEM and backend errors from the move (the group stays where it was).
 */
int iommu_group_claim_dma_owner(struct iommu_ctx *ctx, uint32_t group,
				void *owner);
/* Release; the group returns to its default domain.  -EINVAL not owned
 * by @owner; -EBUSY a device of the group still has PASID attachments;
 * -ENOMEM and backend errors from the move (still owned, on its domain). */
int iommu_group_release_dma_owner(struct iommu_ctx *ctx, uint32_t group,
				  void *owner);
bool iommu_group_dma_owner_claimed(struct iommu_ctx *ctx, uint32_t group);

/* ---- Map and unmap (rule 9, 10) --------------------------------------- */

/**
 * iommu_map() - map [iova, iova + size) to [paddr, paddr + size)
 * @prot: IOMMU_READ | IOMMU_WRITE | IOMMU_MMIO, at least one of R/W
 * Uses the largest pages the alignment and the page-size bitmap allow.
 * All or nothing.  Only on UNMANAGED domains (a DMA domain's IOVAs belong
 * to iommu_dma_map()).
 * Return: 0; -EINVAL bad handle, zero size, bad prot, misaligned to the
 * smallest page, or the domain is not UNMANAGED; -ERANGE outside the
 * aperture; -EEXIST overlaps a mapping; -ENOMEM; backend errors.
 */
int iommu_map(struct iommu_domain *domain, uint64_t iova, uint64_t paddr,
	      uint64_t size, unsigned int prot);

/**
 * iommu_unmap() - unmap whole pages from @iova on, then sync
 * Removes pages from @iova while they lie wholly inside the range; stops
 * at a hole or at a page that the range would cut (never splits).
 * @unmapped: receives the bytes removed (may be short); may be NULL
 * In strict mode no DMA uses the old translation once this returns.
 * Return: 0; -EINVAL bad handle, misaligned, zero size or not UNMANAGED;
 * -ERANGE outside the aperture.
 */
int iommu_unmap(struct iommu_domain *domain, uint64_t iova, uint64_t size,
		uint64_t *unmapped);

struct iommu_gather_tables;

/*
 * Ranges gathered by unmap for one invalidation at sync.  A gather that
 * iommu_unmap_fast() filled must be passed to iommu_iotlb_sync(): it may
 * hold table pages the unmap freed, given back only after the
 * invalidation (so the hardware never walks a reused page).
 */
struct iommu_iotlb_gather {
	uint64_t start;  /* lowest IOVA touched */
	uint64_t end;    /* last IOVA touched, inclusive; start > end: empty */
	uint64_t pgsize; /* largest page removed */
	unsigned int pending; /* backend: commands queued, not yet waited */
	struct iommu_gather_tables *freelist; /* the library's; NULL at init */
};

/* Initialize a gather to empty. */
void iommu_iotlb_gather_init(struct iommu_iotlb_gather *g);

/* Like iommu_unmap() but leaves the invalidation to iommu_iotlb_sync(). */
int iommu_unmap_fast(struct iommu_domain *domain, uint64_t iova, uint64_t size,
		     struct iommu_iotlb_gather *gather, uint64_t *unmapped);
/* Issue the gathered invalidation and wait for it. */
int iommu_iotlb_sync(struct iommu_domain *domain,
		     struct iommu_iotlb_gather *gather);
/* Invalidate everything the domain may have cached (deferred mode). */
int iommu_flush_iotlb_all(struct iommu_domain *domain);

/* Software lookup in the domain's own tables.  -ENOENT not mapped. */
int iommu_iova_to_phys(struct iommu_domain *domain, uint64_t iova,
		       uint64_t *phys);

/* ---- Auxiliary domains (rule 8) --------------------------------------- */

/**
 * iommu_aux_attach_device() - attach @domain to @dev_id through a PASID
 * The domain gets a PASID from the system-wide allocator on its first aux
 * attach and keeps it until freed.
 * Return: 0; -EINVAL bad handle, not UNMANAGED, or AUX not enabled on the
 * device; -ENODEV unknown device; -EEXIST already attached; -ENOSPC no
 * PASID; -EOPNOTSUPP backend without aux; backend errors.
 */
int iommu_aux_attach_device(struct iommu_domain *domain, uint32_t dev_id);
int iommu_aux_detach_device(struct iommu_domain *domain, uint32_t dev_id);
/* PASID of @domain on @dev_id; -ENOENT not aux-attached there. */
int iommu_aux_get_pasid(struct iommu_domain *domain, uint32_t dev_id,
			uint32_t *pasid);

/* ---- PASID attach with the VMM's PASID -------------------------------- */

/**
 * iommu_attach_device_pasid() - a device's requests with @pasid use @domain
 * @pasid: chosen by the VMM (a guest's own PASID), below 2^pasid_bits of
 *     the device; the primary domain is unaffected
 * For an UNMANAGED domain; the device needs a PASID width (pasid_bits in
 * its config) and a backend with PASID attach (VT-d scalable mode).
 * Return: 0; -EINVAL bad handle, not UNMANAGED, @pasid out of the
 * device's range; -ENODEV unknown device; -EBUSY @pasid already in use on
 * the device (by another domain, or by an aux domain); -EEXIST @domain
 * already there; -EOPNOTSUPP
 * backend or device without PASIDs; backend errors.
 */
int iommu_attach_device_pasid(struct iommu_domain *domain, uint32_t dev_id,
			      uint32_t pasid);
/* Like attach, but replaces the domain on @pasid (if any) with no window
 * through blocked; -EBUSY when @pasid belongs to an aux domain. */
int iommu_replace_device_pasid(struct iommu_domain *domain, uint32_t dev_id,
			       uint32_t pasid);
/* Remove @domain from @pasid (the blocking domain takes it).  -ENOENT
 * @domain is not attached there by iommu_attach_device_pasid(). */
int iommu_detach_device_pasid(struct iommu_domain *domain, uint32_t dev_id,
			      uint32_t pasid);

/* ---- Faults (rule 11) ------------------------------------------------- */

/* Per-domain handler; NULL fn removes it.  -EINVAL bad handle. */
int iommu_set_fault_handler(struct iommu_domain *domain,
			    iommu_domain_fault_fn fn, void *cookie);
/* Context-wide handler for faults no domain handler took. */
int iommu_set_ctx_fault_handler(struct iommu_ctx *ctx, iommu_ctx_fault_fn fn,
				void *cookie);

/**
 * iommu_set_fault_lost_handler() - learn that the hardware dropped faults
 * @fn: called with the number lost (see iommu_fault_lost_fn); NULL
 *      removes it.  Installing a handler starts its count afresh.
 * Context: thread-safe; a call already running may still reach the old
 * handler.
 * Return: 0; -EINVAL NULL @ctx.
 */
int iommu_set_fault_lost_handler(struct iommu_ctx *ctx, iommu_fault_lost_fn fn,
				 void *cookie);

/* ---- DMA API for emulated devices ------------------------------------- */

/**
 * iommu_dma_translate() - translate one DMA request through the IOMMU
 * @pasid: IOMMU_NO_PASID or a PASID
 * @len: bytes wanted (> 0); @out->len may be shorter
 * @access: IOMMU_ACCESS_READ or IOMMU_ACCESS_WRITE, ORed with request
 *     attributes (IOMMU_ACCESS_PRIV, _EXEC, _TRANSLATED)
 * A failed translation is recorded by the hardware and reported through
 * the fault handlers before this returns.
 * Return: 0; IOMMU_DMA_INTERRUPT: the request lies in the hardware's
 * interrupt window (DESIGN rule 12) and is no memory access: @out has the
 * address, the bytes to the window's end and no permission (perm 0);
 * -EFAULT translation fault; -ENODEV unknown device; -EINVAL bad
 * arguments; -EOPNOTSUPP external bus without translate.
 */
#define IOMMU_DMA_INTERRUPT 1
int iommu_dma_translate(struct iommu_ctx *ctx, uint32_t dev_id, uint32_t pasid,
			uint64_t iova, uint64_t len, unsigned int access,
			struct iommu_translation *out);

/*
 * Device DMA through the IOMMU, crossing page boundaries.  -EFAULT at the
 * first piece that faults or lies outside RAM (earlier pieces are done).
 * A piece in the interrupt window is no memory access: a write of one
 * naturally aligned dword there is an interrupt message, delivered to
 * opts.msi; any other access there is -EFAULT.
 */
int iommu_dma_read(struct iommu_ctx *ctx, uint32_t dev_id, uint32_t pasid,
		   uint64_t iova, void *buf, size_t len);
int iommu_dma_write(struct iommu_ctx *ctx, uint32_t dev_id, uint32_t pasid,
		    uint64_t iova, const void *buf, size_t len);

/**
 * iommu_dma_map() - the library's DMA API: map @paddr for @dev_id
 * On a DMA domain an IOVA is allocated (never in a reserved region); on
 * an IDENTITY domain the IOVA is @paddr.
 * Return: 0; -EINVAL bad args; -ENODEV unknown device; -EPERM the group is
 * on a blocked or unmanaged domain; -ENOSPC no IOVA space; -ENOMEM.
 */
int iommu_dma_map(struct iommu_ctx *ctx, uint32_t dev_id, uint64_t paddr,
		  uint64_t size, unsigned int prot, uint64_t *iova);
/* Undo one iommu_dma_map() exactly (same IOVA and size); waits for the
 * invalidation whatever the invalidation mode, since the IOVA is reused.
 * -ENOENT no such mapping (also after the group moved domains). */
int iommu_dma_unmap(struct iommu_ctx *ctx, uint32_t dev_id, uint64_t iova,
		    uint64_t size);

/* ---- The device model, for a VMM that exposes it to a guest ----------- */

/* Access the model's registers (for virtio: a virtio-mmio window).
 * Return: 0; -EINVAL bad size or offset. */
int iommu_hw_mmio_read(struct iommu_ctx *ctx, uint64_t offset,
		       unsigned int size, uint64_t *val);
int iommu_hw_mmio_write(struct iommu_ctx *ctx, uint64_t offset,
			unsigned int size, uint64_t val);
/* Doorbell for queue @queue (virtio: the QueueNotify write). */
int iommu_hw_notify(struct iommu_ctx *ctx, unsigned int queue);

/**
 * iommu_ctx_irq() - deliver an interrupt of external hardware to the driver
 * For a context whose driver is bound to other hardware (opts.bus): when
 * that hardware raises interrupt @vector, the VMM calls this so the driver
 * reads its fault records.  (The built-in model's interrupts need no call.)
 * The driver sees the interrupt when this call returns, or, when it is
 * made from inside another library call (the VMM's bus or irq callback
 * runs inside one), when that outermost call returns: never inside the
 * driver's own register write.
 * Return: 0; -EINVAL NULL @ctx or @vector > 63; -ENODEV no driver or it
 * takes no interrupts.
 */
int iommu_ctx_irq(struct iommu_ctx *ctx, unsigned int vector);

/* ---- Trace events ----------------------------------------------------- */

/**
 * iommu_set_trace() - install (or remove) the callback of event classes
 * @ctx: the context
 * @classes: IOMMU_TRACE_BIT(class) | ..., or IOMMU_TRACE_ALL
 * @fn: the callback for each class in @classes; NULL turns them off
 * @cookie: passed to @fn (for iommu_trace_print(), a FILE *)
 *
 * Events of one class come in the order they happened on one thread; the
 * events of an operation follow its course (an unmap: IOMMU_TR_UNMAP, its
 * IOMMU_TR_INVAL_SYNC, the driver's commands, the model's consumption).
 * The INI's [iommu] trace key (or the environment's IOMMU_TRACE, which
 * wins) installs iommu_trace_print() at creation: "all" or a comma list
 * of attach, map, inval, iotlb, fault; output to [iommu] trace_file (or
 * IOMMU_TRACE_FILE), else stderr.
 * Context: any thread; an event already being delivered may still reach
 * the old callback.
 * Return: 0; -EINVAL NULL @ctx or a bit beyond IOMMU_TRACE_ALL.
 */
int iommu_set_trace(struct iommu_ctx *ctx, unsigned int classes,
		    iommu_trace_fn fn, void *cookie);

/**
 * iommu_trace_print() - the ready-made tracer: one line per event
 * @cookie: a FILE * (NULL: stderr)
 * @ev: the event
 */
void iommu_trace_print(void *cookie, const struct iommu_trace_event *ev);

/* The name of an event type ("map", "cmd_issued"), or NULL. */
const char *iommu_trace_type_name(enum iommu_trace_type type);

/* ---- Logging and stats ------------------------------------------------ */

int iommu_set_log(struct iommu_ctx *ctx, iommu_log_fn fn, void *cookie,
		  enum iommu_log_level level);
/**
 * iommu_get_stats() - counters since creation or the last reset
 * @ctx: the context
 * @out: set @out->size to sizeof(*@out) first (0 reads as the 2.0
 *     layout); receives @out->count and the counters
 *
 * Counters are kept per thread (no atomic read-modify-write on a shared
 * line when a thread counts) and summed here; a thread's share goes back
 * to a pool when it exits, so threads may come and go freely, and the
 * sum stays exact whatever their number.  A reset while other threads
 * translate may miss or keep a few of their counts.
 * Return: 0; -EINVAL NULL argument, or @out->size smaller than the 2.0
 * layout, above 4096 or not a multiple of 8 (an uninitialized struct).
 */
int iommu_get_stats(struct iommu_ctx *ctx, struct iommu_stats *out);
int iommu_reset_stats(struct iommu_ctx *ctx);
/* Name of a stat ("translations", ...); NULL if out of range. */
const char *iommu_stat_name(enum iommu_stat stat);

/* ---- Dump ---- */
/*
 * Pictures of what the IOMMU holds, for a person debugging a VMM: a
 * domain's page table, the context's topology and the device model's
 * state, as text or as Graphviz dot (`dot -Tsvg`).  The text is for
 * reading, not parsing: it may gain detail between versions.  Each call
 * renders the whole picture in memory first, so @out receives all of it
 * or nothing.
 * Context: thread-safe, not from a fault handler (they take the locks
 * the listings take); a dump during map or unmap shows either state of
 * the range they change.
 */
enum iommu_dump_format {
	IOMMU_DUMP_TEXT = 1, /* indented text tree */
	IOMMU_DUMP_DOT = 2,  /* Graphviz dot: one digraph */
};

/**
 * iommu_dump_domain() - a domain's translation as a tree
 * @fmt: IOMMU_DUMP_TEXT or IOMMU_DUMP_DOT
 * @out: where it goes
 * A paging domain shows its tables, level by level (level 0 holds the
 * smallest pages), each with its physical address and the IOVAs it
 * covers, and under them the leaves: runs of leaves that continue each
 * other in one table (same size and rights, IOVA and PA contiguous) as
 * one line, "0x1000-0x8fff -> 0x200000 4K x8 RW".  A backend without
 * tables (virtio) shows its mappings as level-0 leaves.  The blocking
 * and identity domains show what they do.
 * Return: 0; -EINVAL bad or stale handle, NULL @out or unknown @fmt;
 * -EOPNOTSUPP the backend cannot show its tables (no walk op: a plugin
 * older than ABI 2.2); -ENOMEM; -EFAULT a table outside RAM; -EIO
 * writing to @out failed.
 */
int iommu_dump_domain(struct iommu_domain *domain,
		      enum iommu_dump_format fmt, FILE *out);

/**
 * iommu_dump_topology() - devices, groups and domains of a context
 * Devices (ID and name) inside their groups, every domain (type, default
 * domain of which group, the group's DMA owner), an edge from each device
 * to its primary domain and one per PASID attachment (aux domains and the
 * VMM's PASIDs, labelled with the PASID).
 * Return: 0; -EINVAL NULL @ctx or @out, unknown @fmt; -ENOMEM; -EIO.
 */
int iommu_dump_topology(struct iommu_ctx *ctx, enum iommu_dump_format fmt,
			FILE *out);

/**
 * iommu_dump_model() - the device model's state, decoded
 * @fmt: IOMMU_DUMP_TEXT (there is no picture of registers)
 * The model's main registers decoded field by field with the vendor's
 * names, its queues' heads and tails, its caches' occupancy.  Reading
 * it changes nothing the guest or the driver can see.
 * Return: 0; -EINVAL NULL @ctx or @out, unknown @fmt; -EOPNOTSUPP
 * IOMMU_DUMP_DOT, or the plugin has no dump op (older than ABI 2.2);
 * -ENODEV no device model; -ENOMEM; -EIO; the model's errors.
 */
int iommu_dump_model(struct iommu_ctx *ctx, enum iommu_dump_format fmt,
		     FILE *out);

/* ---- End of Dump ---- */

#ifdef __cplusplus
}
#endif

#endif /* IOMMU_IOMMU_H */
