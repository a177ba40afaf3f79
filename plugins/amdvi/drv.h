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
 *    (pt_pgsizes: each power of two from 4 KiB through NextLevel 7).  The
 *    mode is fixed for the domain's life (no growing yet).
 *
 *  - Replacing a live DTE (attach) without a window on no domain: each
 *    64-bit store is single-copy atomic and the unit may read the entry
 *    at any time (a DTE-cache miss), so qword 0 (V, TV, Mode, root, IR,
 *    IW: the whole translation) is written in one store first, then
 *    qword 1 (DomainID).  The one mixed state, the new translation
 *    tagged with the OLD DomainID, is what the invalidation that follows
 *    removes: INVALIDATE_DEVTAB_ENTRY, then INVALIDATE_IOMMU_PAGES of the
 *    whole space for the old DomainID (also 0 and 1, which the mixed
 *    state may have tagged), then one COMPLETION_WAIT.  Qwords 2 and 3
 *    (interrupt remapping) are never touched.
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
 *    NO_DOMAIN; GN = 1 with PR = 0 -> BAD_PASID (no DTE of this driver
 *    has GV: the PASID has no table); RZ -> BAD_ENTRY; PE -> PERMISSION; PR = 0 -> NOT_MAPPED
 *    (the entry was not present); PR = 1 without PE or RZ -> NOT_MAPPED
 *    with IOMMU_FAULT_F_REFINE (the flags do not say which).
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
 * compare-and-swap).
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
	uint16_t domid;
	unsigned int mode; /* DTE.Mode: 0 for static domains */
	struct pt pt;
};

struct amdvi_dev {
	uint16_t devid;
	struct amdvi_domain *domain; /* under dev_lock */
	struct amdvi_dev *next;	     /* in a->devs */
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
	uint64_t pgsizes;
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
struct amdvi_cmd amdvi_cmd_inv_all(void);
int amdvi_submit(struct amdvi_drv *a, const struct amdvi_cmd *c, size_t n);
int amdvi_setup_queue(struct amdvi_drv *a);

/* ---- drv_tables.c ------------------------------------------------------ */

int amdvi_setup_devtab(struct amdvi_drv *a);
void amdvi_dte_encode(const struct amdvi_domain *dom, uint64_t q[2]);
void amdvi_dte_write(struct amdvi_drv *a, uint16_t devid, const uint64_t q[2]);
void amdvi_dte_read(struct amdvi_drv *a, uint16_t devid, uint64_t q[2]);
int amdvi_flush_dte(struct amdvi_drv *a, uint16_t devid, uint16_t old_domid);
void amdvi_free_tables(struct amdvi_drv *a);

/* ---- drv_domain.c ------------------------------------------------------ */

void amdvi_domain_init_static(struct amdvi_drv *a);
int amdvi_drv_domain_alloc_paging(void *inst, struct iommu_dev_info *dev,
				  unsigned int flags,
				  struct iommu_domain_info *info, void **out);
unsigned int amdvi_drv_instance_domains(void *inst);
extern const struct iommu_domain_ops amdvi_blocked_ops;
extern const struct iommu_domain_ops amdvi_identity_ops;

/* ---- drv_fault.c ------------------------------------------------------- */

void amdvi_drv_irq(void *inst, unsigned int vector);

#endif /* AMDVI_DRV_H */
