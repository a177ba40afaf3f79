/* SPDX-License-Identifier: MIT */
/*
 * drv.h - the Intel VT-d driver: its state, the declarations its files
 * share, and the driver's decisions.
 *
 * The driver reaches the remapping unit only through the bus it is given
 * at probe (MMIO registers) and through physical memory: root, context and
 * PASID tables, page tables (core/pt), the invalidation queue and its
 * status words all live in table memory from host->ops->table_alloc.  It
 * never calls the model (hw_*.c).  Facts (bit positions, codes) are from
 * spec/vtd.md; section numbers below ("vtd 9.6") refer to that sheet.
 *
 * Files (this header holds every choice; the .c files say where they
 * apply):
 *  - drv_probe.c: discovery (VER/CAP/ECAP), probe and release, devices,
 *    features, the ops table.
 *  - drv_tables.c: root, context and PASID tables and their entries.
 *  - drv_queue.c: invalidation descriptors, the queue (an ilib_ring
 *    producer), submit-and-wait.
 *  - drv_domain.c: domains, DIDs, attach (primary and aux), map/unmap
 *    and the IOTLB flushes they need.
 *  - drv_fault.c: fault records -> struct iommu_fault.
 * Mechanisms every backend shares (DID allocator, queue arithmetic, bus
 * polls, table memory) come from plugins/lib (ilib_*).
 *
 * Choices (where the spec or the design leave room):
 *
 *  - Discovery: everything comes from VER/CAP/ECAP.  Required: ECAP.QI
 *    (all invalidation goes through the queue), a SAGAW level in 39/48/57
 *    bits, and in scalable mode ECAP.SMTS plus ECAP.SLTS or ECAP.FLTS for
 *    the stage the [vtd] section asks for.  A missing capability is
 *    -ENODEV with a log naming it.  The AGAW is the largest supported;
 *    every second-stage table (and the pass-through context entry, which
 *    must carry the largest AW, vtd 1.1) uses it, so two context entries
 *    of this driver always have the same AW.
 *
 *  - Domain IDs: 0 is never used (with CM=1 hardware tags cached
 *    not-present entries with DID 0, vtd 8); 1 is the identity domain's
 *    (Linux's FLPT_DEFAULT_DID); paging domains get the lowest free one
 *    of 2 .. 2^(4+2*ND)-1 (an ilib_ids allocator over that range).
 *    Every paging domain has its own DID, first- or second-stage.
 *
 *  - Static domains: BLOCKED has no translation entry: in legacy mode the
 *    device's context entry is cleared (DMA faults 0x02), in scalable mode
 *    its RID_PASID entry is cleared (0x59).  Translation stays enabled.
 *    IDENTITY is pass-through (legacy TT=2, scalable PGTT=4) when ECAP.PT,
 *    else instance_domains() leaves IDENTITY out.  Their ops (vtd_blocked_ops,
 *    vtd_identity_ops) get the instance as their domain.
 *
 *  - Replacing a device's entry (attach) without a window on no domain:
 *    hardware caches context and PASID entries until a context-cache /
 *    PASID-cache invalidation, and each 64-bit store is single-copy
 *    atomic, so the driver orders its stores so that every intermediate
 *    entry is a valid one: first the words the old translation type
 *    ignores (QW2's FLPTPTR in a PASID entry), then the word holding
 *    P/TT/PGTT and the table pointer in one store (QW0), then the DID
 *    (QW1).  The one mixed state, new tables tagged with the OLD DID, is
 *    exactly what the invalidation that follows removes: context-cache
 *    device-selective (old DID), PASID-cache PASID-selective (old DID),
 *    IOTLB domain-selective for the old DID (vtd 9.6).  A not-present ->
 *    present change writes QW1 before QW0 (P last); present -> not-present
 *    clears QW0 (P) first.
 *
 *  - Invalidation: one lock (q_lock) covers submit and wait.  Every batch
 *    ends with one wait descriptor (SW=1, FN=1, never IF) whose status
 *    dword the driver polls at most timeout_polls times (-ETIMEDOUT).
 *    Unmap gathers a range; iotlb_sync issues ONE page-selective IOTLB
 *    invalidation with the smallest aligned 2^AM block covering it (the
 *    rule of vtd 9.6), or a domain-selective one past inval_threshold
 *    pages, AM > MAMV or no CAP.PSI; IH=1 unless a table page was freed.
 *    Second-stage domains use type 2 (it covers every PASID of the DID,
 *    including aux attachments, vtd 9.2); first-stage domains use type 6
 *    once per distinct PASID they are attached through (RID_PASID 0 for
 *    primary attachments).  With CAP.CM=1, map also invalidates
 *    (second stage only: first-stage entries need none, vtd 9.3).
 *    Emptied table pages are freed only after the wait.
 *
 *  - Queue errors (FSTS.IQE): the submitter sees IQE while polling,
 *    logs IQERCD, overwrites the bad descriptor at IQH with a harmless
 *    wait (status write to a scratch dword), clears IQE and rewrites IQT
 *    so the rest of the batch runs; the batch then returns -EIO, and an
 *    unmap's flush falls back to one domain-selective invalidation.
 *    irq() never touches the queue (it has no need to: the submitter
 *    recovers its own errors).
 *
 *  - Faults: irq() reads FSTS, walks the records from FRI while F=1 (at
 *    most NFR+1), decodes and clears each (write F), clears PFO (the
 *    count of lost faults is the device model's stat), then reports them
 *    with no lock held.  Reasons: not-present root/context/PASID-dir/
 *    PASID entries -> NO_DOMAIN (that is what the blocking domain and a
 *    never-attached device look like: the requester itself is known to
 *    the platform); SL read/write faults (0x05, 0x06, 0x79, 0x85, 0x86)
 *    -> NOT_MAPPED with IOMMU_FAULT_F_REFINE: the core makes it PERMISSION
 *    when the domain maps the address (second-stage entries have no
 *    present bit, so the code alone cannot tell); FL not present -> NOT_MAPPED; reserved bits or
 *    invalid entries -> BAD_ENTRY; beyond the width or non-canonical ->
 *    ADDR_SIZE; table read errors -> TABLE_FETCH; PASID errors ->
 *    BAD_PASID.
 *
 *  - device_group: every BDF is its own group.  The core's group and
 *    alias labels from the INI model PCIe-to-PCI bridges and other
 *    topology the unit cannot see; VT-d itself isolates every RID.
 *
 *  - capable: CACHE_COHERENCY iff ECAP.C (walks snoop the CPU caches);
 *    NOEXEC is false (the driver never sets XD or X), PRE_BOOT_PROTECTION
 *    false (no PMEN use), DEFERRED_FLUSH false (every flush waits).
 *
 * Locks (outermost first): dev_lock (rwlock: the SID -> device map and
 * each device's current domain), dom->lock (attachment list), q_lock
 * (queue), then the leaves: the DID allocator's own lock,
 * ctx_lock (context table allocation), fault_lock.  irq() takes only dev_lock
 * for reading and fault_lock, and reports with none held.  The core calls
 * irq() only after the call that made the hardware raise has returned
 * (DESIGN rule 13), never inside one of this driver's register writes or
 * ops, so no lock here needs to know which thread holds it.
 * map/unmap/iova_to_phys take no lock (core/pt installs tables with
 * compare-and-swap).
 */
#ifndef VTD_DRV_H
#define VTD_DRV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "iommu/plugin.h"
#include "ilib.h"
#include "params.h"
#include "pt.h"
#include "regs.h"

#define VTD_DID_IDENTITY 1u
#define VTD_DID_FIRST	 2u
#define VTD_MAX_BATCH	 16u /* descriptors per batch, before the wait */
#define VTD_NR_BUS	 256u

#define vlog(v, lvl, fmt, ...)                                                 \
	(v)->host->ops->log((v)->host, (lvl), "vtd: " fmt, ##__VA_ARGS__)

#define vlog(v, lvl, fmt, ...)                                                 \
	(v)->host->ops->log((v)->host, (lvl), "vtd: " fmt, ##__VA_ARGS__)

enum vtd_dom_kind {
	VTD_DOM_PAGING = 1,
	VTD_DOM_BLOCKED,
	VTD_DOM_IDENTITY,
};

struct vtd_drv;

/* One (device, PASID) a domain is attached through. */
struct vtd_attach {
	uint16_t sid;
	uint32_t pasid; /* IOMMU_NO_PASID: primary attachment */
};

struct vtd_domain {
	struct vtd_drv *v;
	enum vtd_dom_kind kind;
	bool first_stage;
	uint16_t did;
	struct pt pt;
	pthread_mutex_t lock; /* att, nr_att */
	struct vtd_attach *att;
	/* nr_att: written under lock with atomic stores; a second-stage
	 * domain's unmap reads it without the lock. */
	size_t nr_att, cap_att;
};

struct vtd_aux {
	uint32_t pasid;
	struct vtd_domain *dom;
};

struct vtd_dev {
	uint16_t sid;
	struct vtd_domain *domain; /* primary; under dev_lock */
	bool aux;		   /* AUX enabled */
	unsigned int pasid_bits;   /* directory covers 2^pasid_bits */
	uint64_t pdir_pa;	   /* scalable: PASID directory */
	size_t pdir_size;
	uint64_t *pdir;
	struct vtd_aux *auxv; /* aux attachments */
	size_t nr_aux, cap_aux;
	struct vtd_dev *next; /* in v->devs */
};

struct vtd_drv {
	struct iommu_host *host;
	struct iommu_bus bus;
	uint64_t cap, ecap;
	bool scalable, first_stage, cm;
	unsigned int aw;       /* AW code for second-stage tables */
	unsigned int sl_width; /* input width of second-stage domains */
	unsigned int fl_levels;
	unsigned int pasid_bits; /* hardware PASID width (0: none) */
	uint64_t sl_pgsizes, fl_pgsizes;
	unsigned int mamv;
	uint64_t inval_threshold;
	uint64_t timeout_polls;
	uint32_t gcmd; /* persistent enables written so far */

	/* root and context tables */
	uint64_t root_pa;
	uint64_t *root;
	pthread_mutex_t ctx_lock;
	uint64_t ctx_pa[VTD_NR_BUS][2];

	/* invalidation queue: the driver is its producer */
	unsigned int q_lock; /* vtd_q_lock() */
	uint64_t iq_pa;
	size_t iq_size; /* 0: not allocated */
	struct ilib_ring iq;
	uint32_t tail;
	uint64_t status_pa; /* page: status dword + scratch */
	uint32_t *status;
	uint32_t seq;
	/* The last batch did not complete cleanly (timed out, or an
	 * error): the next one first checks FSTS for a leftover IQE. */
	bool iq_suspect;

	/* faults */
	pthread_mutex_t fault_lock;
	unsigned int nfr;

	/* devices and domains */
	pthread_rwlock_t dev_lock;
	struct vtd_dev *devs;
	uint32_t nr_dids;
	struct ilib_ids dids; /* VTD_DID_FIRST .. nr_dids - 1 */

	struct vtd_domain blocked;
	struct vtd_domain identity;
	bool has_identity;
};

/*
 * The queue lock, q_lock: a word taken with one compare-and-swap and
 * given back with a store, where a pthread mutex costs two atomic
 * operations and two library calls, on every strict unmap.  Its holder
 * fills the queue, rings IQT and polls the wait's status (or GSTS after
 * a GCMD write); on the built-in bus the model has answered before the
 * IQT write returns, on another bus it may take up to timeout_polls
 * polls, so a waiter spins a little and then yields the CPU each time
 * (ilib_poll_pause()).
 */
static inline void vtd_q_lock(struct vtd_drv *v)
{
	ilib_spin_lock(&v->q_lock);
}

static inline void vtd_q_unlock(struct vtd_drv *v)
{
	ilib_spin_unlock(&v->q_lock);
}

static inline struct vtd_dev *vtd_dev_of(struct iommu_dev_info *info)
{
	return info ? info->priv : NULL;
}

/* ---- drv_probe.c ------------------------------------------------------- */

struct vtd_dev *vtd_dev_find(struct vtd_drv *v, uint16_t sid);
int vtd_gcmd(struct vtd_drv *v, uint32_t cmd, uint32_t bit, bool want);

/* ---- drv_queue.c ------------------------------------------------------- */

struct vtd_inv_desc vtd_desc_cc(unsigned int g, uint16_t did, uint16_t sid);
struct vtd_inv_desc vtd_desc_iotlb(struct vtd_drv *v, unsigned int g,
				   uint16_t did, uint64_t addr, unsigned int am,
				   bool ih);
struct vtd_inv_desc vtd_desc_piotlb(unsigned int g, uint16_t did,
				    uint32_t pasid, uint64_t addr,
				    unsigned int am, bool ih);
struct vtd_inv_desc vtd_desc_pc(unsigned int g, uint16_t did, uint32_t pasid);
int vtd_submit(struct vtd_drv *v, const struct vtd_inv_desc *d, size_t n);
int vtd_flush_dev(struct vtd_drv *v, uint16_t sid, uint16_t old_did,
		  uint16_t new_did, bool was_present);
int vtd_setup_queue(struct vtd_drv *v, unsigned int qs);

/* ---- drv_tables.c ------------------------------------------------------ */

int vtd_ctx_entry(struct vtd_drv *v, uint16_t sid, bool alloc, uint64_t **out);
int vtd_pasid_entry(struct vtd_drv *v, struct vtd_dev *dev, uint32_t pasid,
		    bool alloc, uint64_t **out);
void vtd_pe_encode(struct vtd_drv *v, struct vtd_domain *dom, uint64_t pe[3]);
void vtd_pe_write(uint64_t *e, const uint64_t *pe);
void vtd_ctx_write_legacy(struct vtd_drv *v, uint64_t *e,
			  struct vtd_domain *dom);
int vtd_sm_ctx_setup(struct vtd_drv *v, struct vtd_dev *dev);
void vtd_free_pasid_tables(struct vtd_drv *v, struct vtd_dev *dev);
int vtd_set_paside(struct vtd_drv *v, struct vtd_dev *dev, bool on);
void vtd_free_tables(struct vtd_drv *v);

/* ---- drv_domain.c ------------------------------------------------------ */

int vtd_domain_init_common(struct vtd_drv *v, struct vtd_domain *dom,
			   enum vtd_dom_kind kind);
void vtd_domain_fini_common(struct vtd_domain *dom);
void vtd_att_del(struct vtd_domain *dom, uint16_t sid, uint32_t pasid);
int vtd_drv_domain_alloc_paging(void *inst, struct iommu_dev_info *dev,
				unsigned int flags,
				struct iommu_domain_info *info, void **out);
unsigned int vtd_drv_instance_domains(void *inst);
extern const struct iommu_domain_ops vtd_blocked_ops;
extern const struct iommu_domain_ops vtd_identity_ops;

/* ---- drv_fault.c ------------------------------------------------------- */

void vtd_drv_irq(void *inst, unsigned int vector);

#endif /* VTD_DRV_H */
