/* SPDX-License-Identifier: MIT */
/*
 * drv.h - the AMD-Vi driver: its state, the declarations its files share,
 * and the driver's decisions.
 *
 * The driver reaches the IOMMU only through the bus it is given at probe
 * (MMIO registers) and through physical memory: the device table, v1 page
 * tables (core/pt, PT_FMT_AMDV1), the command buffer, the event log and
 * the COMPLETION_WAIT store word all live in table memory from
 * host->ops->table_alloc.  It never calls the model (hw_*.c).  Facts (bit
 * positions, codes) are from spec/amdvi.md; "amdvi 2.5" below refers to
 * that sheet.
 *
 * Files:
 *  - drv_probe.c: discovery (EFR), probe and release in the enable order
 *    of amdvi 1.3 / 5.1, devices, groups, reserved regions, the ops table.
 *  - drv_tables.c: the device table and its entries (amdvi 2).
 *  - drv_queue.c: command encoders (amdvi 5.3, 5.4), the command buffer
 *    as an ilib_ring producer, submit-and-wait.
 *  - drv_domain.c: domains, DomainIDs, attach, map/unmap and the
 *    invalidations they need.
 *  - drv_fault.c: the event log -> struct iommu_fault.
 *
 * Choices (where the sheet or the design leave room):
 *
 *  - Probe follows the order Linux uses (amdvi 1.3, 5.1): Control = 0
 *    (IOMMU off), device table base, command buffer base with Head = Tail
 *    = 0 and CmdBufEn, event log base with Head = Tail = 0, EventLogEn and
 *    EventIntEn, then IommuEn; then INVALIDATE_IOMMU_ALL (or, without
 *    EFR.IASup, nothing is cached yet: every DTE was written before
 *    IommuEn) and a COMPLETION_WAIT.  The command buffer and the event log
 *    hold 512 entries each (Len 9, as Linux).
 *
 *  - The device table covers every 16-bit DeviceID (Size 0x1FF, 2 MiB):
 *    the platform's IDs are PCI BDFs.  Every entry starts as the blocking
 *    DTE, so a requester the core never probed is blocked, not passed
 *    through (V = 0 would be pass-through, amdvi 2.4).
 *
 *  - DomainIDs: 0 is the blocking DTE's (amdvi 2.5, Linux's "clear" DTE);
 *    1 is the identity domain's; paging domains get the lowest free one
 *    of 2..65535 (an ilib_ids allocator).  So a fault event with
 *    DomainID 0 (GN = 0) comes from a blocked device.
 *
 *  - Static domains: BLOCKED is V = 1, TV = 1, Mode 0, IR = IW = 0,
 *    DomainID 0 (amdvi 2.4-2.5): every DMA faults with IO_PAGE_FAULT
 *    (PR | PE).  Translation stays on.  IDENTITY is V = 1, TV = 1,
 *    Mode 0, IR = IW = 1, DomainID 1 (pass-through).  Their ops get the
 *    instance as their domain.
 *
 *  - Paging domains: v1 tables of pgtable_mode levels (the [amdvi] key,
 *    default 4, at most EFR.HATS + 4), every page size the format holds
 *    (pt_pgsizes: each power of two from 4 KiB through NextLevel 7).
 *
 *  - Mode growing (pgtable_mode_max > pgtable_mode, at most EFR.HATS +
 *    4): the domain's aperture and page sizes are those of the largest
 *    mode; a map whose last address is above the current width first
 *    grows the table (core/pt pt_grow(): new top tables, entry 0 a PDE
 *    for the old top), then, under dev_lock, rewrites qword 0 of the DTE
 *    of every device on the domain (Mode and root in one store; qword 1
 *    does not change) and issues INVALIDATE_DEVTAB_ENTRY for each,
 *    INVALIDATE_IOMMU_PAGES of the whole DomainID with PDE (a directory
 *    cache of the old top would be stale) and a COMPLETION_WAIT, before
 *    the map writes its leaves.  A device that still uses the old DTE
 *    walks the old top, which translates all it did.  The mode never
 *    shrinks.
 *
 *  - v2 mode (pgtable = v2; needs EFR.GTSup and GIOSup, else probe fails
 *    with -EINVAL): every paging domain is a 4-level v2 (x86-64) table
 *    (core/pt PT_FMT_AMDV2, 4K/2M/1G, the lower half: 47 bits, as
 *    Linux).  Control.GTEn is set at probe.  A device gets a GCR3 table
 *    (amdvi 4.2; GLX + 1 levels, GLX from the PASID width
 *    min(EFR.PASmax + 1, 20, 9 * (EFR.GLXSup + 1)) as Linux chooses it)
 *    and a DomainID of its own (the tag of all its guest translations,
 *    amdvi 8) the first time it needs one: a v2 primary domain or a
 *    PASID.  Both stay until release_device.  Its DTE then has GV, GLX,
 *    the table root, Mode 0 and its own DomainID; a v2 primary domain
 *    sits at PASID 0 with GIoV, IR and IW (requests without PASID use
 *    PASID 0's entry); identity with PASIDs has IR and IW (Mode 0
 *    passes them); blocked with PASIDs has neither (they fault, with
 *    the device's DomainID: the fault reads PERMISSION, not NO_DOMAIN).
 *    Without a v2 primary domain and without PASIDs the DTE goes back to
 *    the plain form (no GV).  set_dev_pasid writes the PASID's GCR3
 *    entry in one store (old or new table, never none), then flushes
 *    (device DomainID, PASID) with GN = 1.  An unmap of a v2 domain
 *    issues one INVALIDATE_IOMMU_PAGES (GN = 1) per (device, PASID) the
 *    domain is on, found under dev_lock, then one COMPLETION_WAIT.  The
 *    model has no nesting (GV with Mode != 0), so v1 mode offers no
 *    PASIDs: set_dev_pasid gives -EOPNOTSUPP and AUX is not offered.
 *    In v2 mode a PASID fault without PR is NOT_MAPPED (the record does
 *    not tell a missing GCR3 entry from a missing page); in v1 mode it
 *    is BAD_PASID.
 *
 *  - Replacing a live DTE (attach) without a window on no domain: each
 *    64-bit store is single-copy atomic and the unit may read the entry
 *    at any time (a DTE-cache miss), so qword 0 (V, TV, Mode, root, IR,
 *    IW: the whole translation) is written in one store first, then
 *    qword 1 (DomainID).  The one mixed state, the new translation
 *    tagged with the OLD DomainID, is what the invalidation that follows
 *    removes: INVALIDATE_DEVTAB_ENTRY, then INVALIDATE_IOMMU_PAGES of the
 *    whole space for the old DomainID (also 0 and 1, which the mixed
 *    state may have tagged), then one COMPLETION_WAIT.  When GV goes
 *    from 0 to 1 the order is the other way round (qword 1 carries
 *    GCR3[51:15], which the unit ignores while GV is 0, so GV never
 *    comes with half a root); the mixed state is then the old
 *    translation under the NEW DomainID, which is flushed as well.  A
 *    change of a GCR3 entry also flushes (device DomainID, PASID) with
 *    GN = 1.  Qwords 2 and 3 (interrupt remapping, GPM) are never
 *    touched: 4-level guest tables are GPM 0.
 *
 *  - Invalidation: one lock (q_lock) covers submit and wait.  Every batch
 *    ends with one COMPLETION_WAIT (S = 1, store of a 64-bit sequence
 *    number to a table-memory word) polled at most timeout_polls times
 *    (-ETIMEDOUT).  Unmap gathers a range; iotlb_sync issues ONE
 *    INVALIDATE_IOMMU_PAGES with the smallest S-bit block covering it
 *    (amdvi 5.4), PDE = 1 only when a table page was unlinked, then one
 *    COMPLETION_WAIT.  Emptied table pages are given back only after it
 *    (host->ops->table_free_after).  The unit caches no not-present
 *    entry the driver relies on, so map invalidates nothing, except when
 *    pt_map replaced an empty table by a large leaf.
 *
 *  - A command the unit refuses (ILLEGAL_COMMAND_ERROR halts the buffer,
 *    Status.CmdBufRun = 0): the submitter sees it while polling, logs it,
 *    clears CmdBufEn, moves Head to Tail (dropping the rest of the batch)
 *    and sets CmdBufEn again; the batch returns -EIO.
 *
 *  - Faults: irq() clears Status.EventLogInt, reads the log from Head to
 *    Tail, zeroes each entry after reading it (as Linux), writes Head,
 *    and on EventOverflow counts it, clears it and restarts logging
 *    (EventLogEn off and on, Linux's restart; the lost events are the
 *    model's IOMMU_STAT_FAULTS_LOST).  Then it reports each fault with no
 *    lock held.  Reasons: IO_PAGE_FAULT with DomainID 0 (GN = 0) ->
 *    NO_DOMAIN; in v1 mode GN = 1 with PR = 0 -> BAD_PASID (no DTE has
 *    GV: the PASID has no table; in v2 mode it is NOT_MAPPED, above);
 *    RZ -> BAD_ENTRY; PE -> PERMISSION; PR = 0 -> NOT_MAPPED (the entry
 *    was not present); PR = 1 without PE or RZ -> NOT_MAPPED with
 *    IOMMU_FAULT_F_REFINE (the flags do not say which).
 *    ILLEGAL_DEV_TABLE_ENTRY -> BAD_ENTRY (RZ) or BAD_DEVICE (beyond the
 *    table); DEV_TAB / PAGE_TAB_HARDWARE_ERROR -> TABLE_FETCH (no IOVA
 *    in the record); INVALID_DEVICE_REQUEST -> BAD_DEVICE.  Command
 *    errors are logged only (the submitter handles them).
 *
 *  - device_group: every DeviceID is its own group (IVRS aliases come
 *    from the configured topology).  capable: CACHE_COHERENCY (the unit
 *    snoops); nothing else.  Reserved regions: the MSI window (amdvi 7)
 *    as IOMMU_RESV_MSI; the HyperTransport range as RESERVED unless
 *    EFR2.HTRangeIgnore.
 *
 * Locks (outermost first): dev_lock (devices and their current domain),
 * evt_lock (event log), q_lock (command buffer and every Control write),
 * then the DomainID allocator's own lock.  irq() takes evt_lock, and
 * q_lock only to restart logging, and reports with none held.
 * map/unmap/iova_to_phys take no lock (core/pt installs tables with
 * compare-and-swap), except that a map which grows a v1 domain takes
 * dev_lock (then q_lock) for the grow, and the invalidation of a v2
 * domain takes dev_lock to find the (device, PASID) places it is on.
 */
#ifndef AMDVI_DRV_H
#define AMDVI_DRV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "iommu/plugin.h"
#include "ilib.h"
#include "params.h"
#include "pt.h"
#include "regs.h"

#define AMDVI_DOMID_BLOCKED  0u
#define AMDVI_DOMID_IDENTITY 1u
#define AMDVI_DOMID_FIRST    2u
#define AMDVI_DOMID_LAST     0xffffu
#define AMDVI_NR_DEVID	     65536u
#define AMDVI_DRV_RING_LEN   9u	 /* 512 entries: commands and events */
#define AMDVI_MAX_BATCH	     16u /* commands per batch, before the wait */
#define AMDVI_HT_FIRST	     0xFD00000000ull /* amdvi 7 */
#define AMDVI_HT_LAST	     0xFFFFFFFFFFull

#define alog(a, lvl, fmt, ...)                                                 \
	(a)->host->ops->log((a)->host, (lvl), "amdvi: " fmt, ##__VA_ARGS__)

enum amdvi_dom_kind {
	AMDVI_DOM_PAGING = 1,
	AMDVI_DOM_BLOCKED,
	AMDVI_DOM_IDENTITY,
};

struct amdvi_drv;

struct amdvi_domain {
	struct amdvi_drv *a;
	enum amdvi_dom_kind kind;
	bool v2;	   /* guest (v2) tables, reached through GCR3 */
	uint16_t domid;	   /* v1: the DTE's tag; v2: unused (per device) */
	unsigned int mode; /* v1 DTE.Mode (under dev_lock); 0: static, v2 */
	struct pt pt;
};

/* A PASID of a device and the domain on it (v2 mode). */
struct amdvi_pasid {
	uint32_t pasid;
	struct amdvi_domain *dom;
};

struct amdvi_dev {
	uint16_t devid;
	unsigned int pasid_bits;     /* the device's, within the unit's */
	struct amdvi_domain *domain; /* under dev_lock */
	struct amdvi_dev *next;	     /* in a->devs */
	/* v2 mode, under dev_lock: the GCR3 table (amdvi 4.2) and the
	 * DomainID that tags every guest translation of this device, made
	 * on first use and kept until release_device. */
	uint64_t gcr3_pa;
	uint16_t gdomid;
	struct amdvi_pasid *pv;
	size_t nr_pasid, cap_pasid;
};

struct amdvi_cmd {
	uint64_t qw[2];
};

struct amdvi_drv {
	struct iommu_host *host;
	struct iommu_bus bus;
	uint64_t efr, efr2;
	unsigned int max_mode; /* EFR.HATS + 4 */
	unsigned int mode;     /* of paging domains */
	unsigned int mode_max; /* v1 domains grow up to it (= mode: never) */
	uint64_t pgsizes;
	bool v2;		 /* paging domains on v2 tables */
	unsigned int v2_levels;	 /* 4 */
	unsigned int glx;	 /* DTE.GLX of every GCR3 table */
	unsigned int pasid_bits; /* PASIDs the GCR3 tables cover */
	uint64_t timeout_polls;
	uint64_t ctrl; /* Control as last written */

	/* device table */
	uint64_t devtab_pa;
	uint64_t *devtab;

	/* command buffer: the driver is its producer */
	pthread_mutex_t q_lock;
	uint64_t cmd_pa;
	struct ilib_ring cmd;
	uint32_t tail;
	uint64_t sem_pa; /* page: COMPLETION_WAIT store word */
	uint64_t *sem;
	uint64_t seq;

	/* event log: the driver is its consumer */
	pthread_mutex_t evt_lock;
	uint64_t evt_pa;
	struct ilib_ring evt;
	uint64_t overflows;

	/* devices and domains */
	pthread_mutex_t dev_lock;
	struct amdvi_dev *devs;
	struct ilib_ids domids;

	struct amdvi_domain blocked;
	struct amdvi_domain identity;
};

static inline struct amdvi_dev *amdvi_dev_of(struct iommu_dev_info *info)
{
	return info ? info->priv : NULL;
}

/* ---- drv_queue.c ------------------------------------------------------- */

struct amdvi_cmd amdvi_cmd_cw(uint64_t addr, uint64_t data);
struct amdvi_cmd amdvi_cmd_inv_dte(uint16_t devid);
struct amdvi_cmd amdvi_cmd_inv_pages(uint16_t domid, uint64_t start,
				     uint64_t last, bool pde);
struct amdvi_cmd amdvi_cmd_inv_guest_pages(uint16_t domid, uint32_t pasid,
					   uint64_t start, uint64_t last,
					   bool pde);
struct amdvi_cmd amdvi_cmd_inv_all(void);
int amdvi_submit(struct amdvi_drv *a, const struct amdvi_cmd *c, size_t n);
int amdvi_setup_queue(struct amdvi_drv *a);

/* ---- drv_tables.c ------------------------------------------------------ */

int amdvi_setup_devtab(struct amdvi_drv *a);
void amdvi_dte_encode(const struct amdvi_drv *a, const struct amdvi_dev *dev,
		      const struct amdvi_domain *dom, uint64_t q[2]);
void amdvi_dte_write(struct amdvi_drv *a, uint16_t devid, const uint64_t q[2]);
void amdvi_dte_update(struct amdvi_drv *a, uint16_t devid,
		      const uint64_t q[2]);
void amdvi_dte_read(struct amdvi_drv *a, uint16_t devid, uint64_t q[2]);
int amdvi_flush_dte(struct amdvi_drv *a, uint16_t devid, uint16_t old_domid);
void amdvi_free_tables(struct amdvi_drv *a);
int amdvi_gcr3_setup(struct amdvi_drv *a, struct amdvi_dev *dev);
int amdvi_gcr3_set(struct amdvi_drv *a, struct amdvi_dev *dev, uint32_t pasid,
		   uint64_t root_pa);
void amdvi_gcr3_free(struct amdvi_drv *a, struct amdvi_dev *dev);

/* ---- drv_domain.c ------------------------------------------------------ */

void amdvi_domain_init_static(struct amdvi_drv *a);
int amdvi_drv_domain_alloc_paging(void *inst, struct iommu_dev_info *dev,
				  unsigned int flags,
				  struct iommu_domain_info *info, void **out);
unsigned int amdvi_drv_instance_domains(void *inst);
extern const struct iommu_domain_ops amdvi_blocked_ops;
extern const struct iommu_domain_ops amdvi_identity_ops;
void amdvi_dev_drop_pasids(struct amdvi_drv *a, struct amdvi_dev *dev);

/* ---- drv_fault.c ------------------------------------------------------- */

void amdvi_drv_irq(void *inst, unsigned int vector);

#endif /* AMDVI_DRV_H */
