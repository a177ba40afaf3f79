// SPDX-License-Identifier: MIT
/*
 * drv.c - the Intel VT-d driver.
 *
 * The driver reaches the remapping unit only through the bus it is given
 * at probe (MMIO registers) and through physical memory: root, context and
 * PASID tables, page tables (core/pt), the invalidation queue and its
 * status words all live in table memory from host->ops->table_alloc.  It
 * never calls hw.c.  Facts (bit positions, codes) are from spec/vtd.md;
 * section numbers below ("vtd 9.6") refer to that sheet.
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
 *    (Linux's FLPT_DEFAULT_DID); paging domains get 2 .. 2^(4+2*ND)-1.
 *    Every paging domain has its own DID, first- or second-stage.
 *
 *  - Static domains: BLOCKED has no translation entry: in legacy mode the
 *    device's context entry is cleared (DMA faults 0x02), in scalable mode
 *    its RID_PASID entry is cleared (0x59).  Translation stays enabled.
 *    IDENTITY is pass-through (legacy TT=2, scalable PGTT=4) when ECAP.PT,
 *    else domain_alloc(IDENTITY) is -EOPNOTSUPP.
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
 *    irq() never touches the queue (it may run inside a submit).
 *
 *  - Faults: irq() reads FSTS, walks the records from FRI while F=1 (at
 *    most NFR+1), decodes and clears each (write F), clears PFO (the
 *    count of lost faults is the device model's stat), then reports them
 *    with no lock held.  Reasons: not-present root/context/PASID-dir/
 *    PASID entries -> NO_DOMAIN (that is what the blocking domain and a
 *    never-attached device look like: the requester itself is known to
 *    the platform); SL read/write faults (0x05, 0x06, 0x79, 0x85, 0x86)
 *    -> PERMISSION if the device's domain maps the address, else
 *    NOT_MAPPED (second-stage entries have no present bit, so the code
 *    alone cannot tell); FL not present -> NOT_MAPPED; reserved bits or
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
 * (queue), then the leaves id_lock, dom->free_lock, ctx_lock (context
 * table allocation), fault_lock.  irq() takes only dev_lock for reading
 * and fault_lock, and reports with none held.  map/unmap/iova_to_phys
 * take no lock (core/pt installs tables with compare-and-swap).
 */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iommu/plugin.h"
#include "params.h"
#include "pt.h"
#include "regs.h"

#define VTD_DID_IDENTITY 1u
#define VTD_DID_FIRST	 2u
#define VTD_MAX_BATCH	 16u /* descriptors per batch, before the wait */
#define VTD_WAIT_DONE	 0x1u
#define VTD_NR_BUS	 256u

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
	size_t nr_att, cap_att;
	pthread_mutex_t free_lock;   /* pending */
	struct pt_free_list pending; /* table pages waiting for a flush */
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

	/* invalidation queue */
	pthread_mutex_t q_lock;
	uint64_t iq_pa;
	size_t iq_size;
	uint8_t *iq;
	uint32_t iq_entries;
	unsigned int desc_size;
	uint32_t tail;
	uint64_t status_pa; /* page: status dword + scratch */
	uint32_t *status;
	uint32_t seq;

	/* faults */
	pthread_mutex_t fault_lock;
	unsigned int nfr;

	/* devices and domains */
	pthread_rwlock_t dev_lock;
	pthread_t dev_owner; /* writer of dev_lock (valid if held) */
	bool dev_held;	     /* atomic */
	struct vtd_dev *devs;
	pthread_mutex_t id_lock;
	uint32_t nr_dids;
	uint64_t *did_map;

	struct vtd_domain blocked;
	struct vtd_domain identity;
	bool has_identity;
};

static const struct iommu_domain_ops vtd_paging_ops;
static const struct iommu_domain_ops vtd_static_ops;

/* ---- device lock ----------------------------------------------------------
 */

/*
 * dev_lock is taken for writing around attach and feature changes, which
 * submit invalidations; a queue error raised inside that submit calls
 * irq() on the same thread, which then must not wait for dev_lock.
 */
static void dev_wrlock(struct vtd_drv *v)
{
	pthread_rwlock_wrlock(&v->dev_lock);
	v->dev_owner = pthread_self();
	__atomic_store_n(&v->dev_held, true, __ATOMIC_RELEASE);
}

static void dev_wrunlock(struct vtd_drv *v)
{
	__atomic_store_n(&v->dev_held, false, __ATOMIC_RELEASE);
	pthread_rwlock_unlock(&v->dev_lock);
}

static bool dev_held_by_me(struct vtd_drv *v)
{
	return __atomic_load_n(&v->dev_held, __ATOMIC_ACQUIRE) &&
	       pthread_equal(v->dev_owner, pthread_self());
}

/* ---- registers ----------------------------------------------------------- */

static int r32(struct vtd_drv *v, uint64_t off, uint32_t *val)
{
	uint64_t x = 0;
	int err = v->bus.ops->mmio_read(v->bus.opaque, off, 4, &x);

	*val = (uint32_t)x;
	return err;
}

static int r64(struct vtd_drv *v, uint64_t off, uint64_t *val)
{
	*val = 0;
	return v->bus.ops->mmio_read(v->bus.opaque, off, 8, val);
}

static int w32(struct vtd_drv *v, uint64_t off, uint32_t val)
{
	return v->bus.ops->mmio_write(v->bus.opaque, off, 4, val);
}

static int w64(struct vtd_drv *v, uint64_t off, uint64_t val)
{
	return v->bus.ops->mmio_write(v->bus.opaque, off, 8, val);
}

/* Write GCMD (persistent enables | @cmd) and wait for GSTS & @bit == @want. */
static int vtd_gcmd(struct vtd_drv *v, uint32_t cmd, uint32_t bit, bool want)
{
	uint32_t sts = 0;

	if (w32(v, VTD_GCMD_REG, v->gcmd | cmd))
		return -EIO;
	for (uint64_t i = 0; i < v->timeout_polls; i++) {
		if (r32(v, VTD_GSTS_REG, &sts))
			return -EIO;
		if (!!(sts & bit) == want)
			return 0;
		if (i > 64)
			sched_yield();
	}
	vlog(v, IOMMU_LOG_ERR, "GSTS 0x%x: bit 0x%x never became %d", sts, bit,
	     want);
	return -ETIMEDOUT;
}

/* ---- table memory -------------------------------------------------------- */

static void *vtd_ptr(struct vtd_drv *v, uint64_t pa, size_t size)
{
	return v->host->ops->mem_ptr(v->host, pa, size);
}

static int vtd_alloc(struct vtd_drv *v, size_t size, uint64_t *pa, void **va)
{
	int err = v->host->ops->table_alloc(v->host, size, pa);

	if (err)
		return err;
	*va = vtd_ptr(v, *pa, size);
	if (!*va) {
		v->host->ops->table_free(v->host, *pa, size);
		vlog(v, IOMMU_LOG_ERR, "table memory 0x%llx is not RAM",
		     (unsigned long long)*pa);
		return -EFAULT;
	}
	memset(*va, 0, size);
	return 0;
}

static inline void qw_store(uint64_t *p, uint64_t val)
{
	__atomic_store_n(p, htole64(val), __ATOMIC_RELEASE);
}

static inline uint64_t qw_load(const uint64_t *p)
{
	return le64toh(__atomic_load_n(p, __ATOMIC_ACQUIRE));
}

/* ---- invalidation descriptors (vtd 6) ------------------------------------ */

static struct vtd_inv_desc desc_cc(unsigned int g, uint16_t did, uint16_t sid)
{
	struct vtd_inv_desc d = {{0}};

	d.qw[0] = VTD_INV_CC | vtd_field_prep(VTD_INV_CC_QW0_G, g) |
		  vtd_field_prep(VTD_INV_CC_QW0_DID, did) |
		  vtd_field_prep(VTD_INV_CC_QW0_SID, sid); /* 6.3, T13 */
	return d;
}

static struct vtd_inv_desc desc_iotlb(struct vtd_drv *v, unsigned int g,
				      uint16_t did, uint64_t addr,
				      unsigned int am, bool ih)
{
	struct vtd_inv_desc d = {{0}};

	d.qw[0] = VTD_INV_IOTLB | vtd_field_prep(VTD_INV_IOTLB_QW0_G, g) |
		  vtd_field_prep(VTD_INV_IOTLB_QW0_DID, did); /* 6.4, T11 */
	if (v->cap & VTD_CAP_DWD)
		d.qw[0] |= VTD_INV_IOTLB_QW0_DW;
	if (v->cap & VTD_CAP_DRD)
		d.qw[0] |= VTD_INV_IOTLB_QW0_DR;
	if (g == VTD_IOTLB_PAGE)
		d.qw[1] = (addr & VTD_INV_IOTLB_QW1_ADDR) |
			  vtd_field_prep(VTD_INV_IOTLB_QW1_AM, am) |
			  (ih ? VTD_INV_IOTLB_QW1_IH : 0);
	return d;
}

static struct vtd_inv_desc desc_piotlb(unsigned int g, uint16_t did,
				       uint32_t pasid, uint64_t addr,
				       unsigned int am, bool ih)
{
	struct vtd_inv_desc d = {{0}};

	d.qw[0] = VTD_INV_PIOTLB | vtd_field_prep(VTD_INV_PIOTLB_QW0_G, g) |
		  vtd_field_prep(VTD_INV_PIOTLB_QW0_DID, did) |
		  vtd_field_prep(VTD_INV_PIOTLB_QW0_PASID, pasid); /* 6.8 */
	if (g == VTD_PIOTLB_G_PAGE)
		d.qw[1] = (addr & VTD_INV_PIOTLB_QW1_ADDR) |
			  vtd_field_prep(VTD_INV_PIOTLB_QW1_AM, am) |
			  (ih ? VTD_INV_PIOTLB_QW1_IH : 0); /* T24 */
	return d;
}

static struct vtd_inv_desc desc_pc(unsigned int g, uint16_t did, uint32_t pasid)
{
	struct vtd_inv_desc d = {{0}};

	d.qw[0] = VTD_INV_PC | vtd_field_prep(VTD_INV_PC_QW0_G, g) |
		  vtd_field_prep(VTD_INV_PC_QW0_DID, did) |
		  vtd_field_prep(VTD_INV_PC_QW0_PASID, pasid); /* 6.9, T25 */
	return d;
}

static struct vtd_inv_desc desc_wait(uint32_t data, uint64_t addr)
{
	struct vtd_inv_desc d = {{0}};

	d.qw[0] = VTD_INV_WAIT | VTD_INV_WAIT_QW0_SW | VTD_INV_WAIT_QW0_FN |
		  vtd_field_prep(VTD_INV_WAIT_QW0_SDATA, data); /* 6.7, T14 */
	d.qw[1] = addr & VTD_INV_WAIT_QW1_SADDR;
	return d;
}

/* ---- invalidation queue -------------------------------------------------- */

static void iq_put(struct vtd_drv *v, const struct vtd_inv_desc *d)
{
	uint64_t *slot = (uint64_t *)(v->iq + (size_t)v->tail * v->desc_size);
	unsigned int words = v->desc_size / 8;

	for (unsigned int i = 0; i < words; i++)
		slot[i] = htole64(d->qw[i]);
	v->tail = (v->tail + 1) % v->iq_entries;
}

static uint64_t iq_tail_reg(struct vtd_drv *v, uint32_t tail)
{
	return (uint64_t)tail * v->desc_size; /* T35: index << 4 or << 5 */
}

/*
 * Recover from FSTS.IQE: replace the descriptor at IQH with a harmless
 * wait (status write to the scratch dword), clear IQE, restart the queue.
 */
static void iq_recover(struct vtd_drv *v)
{
	uint64_t iqh = 0, ercd = 0;
	uint32_t idx;
	struct vtd_inv_desc nop;
	uint64_t *slot;

	r64(v, VTD_IQH_REG, &iqh);
	r64(v, VTD_IQERCD_REG, &ercd);
	idx = (uint32_t)(vtd_field_get(VTD_IQH_QH, iqh) * 16 / v->desc_size) %
	      v->iq_entries;
	slot = (uint64_t *)(v->iq + (size_t)idx * v->desc_size);
	vlog(v, IOMMU_LOG_ERR,
	     "invalidation queue error at descriptor %u (qw0 0x%llx, IQEI %u)",
	     idx, (unsigned long long)le64toh(slot[0]),
	     (unsigned int)vtd_field_get(VTD_IQERCD_IQEI, ercd));
	nop = desc_wait(0, v->status_pa + 4);
	for (unsigned int i = 0; i < v->desc_size / 8; i++)
		slot[i] = htole64(nop.qw[i]);
	w32(v, VTD_FSTS_REG, (uint32_t)VTD_FSTS_IQE);
	w64(v, VTD_IQT_REG, iq_tail_reg(v, v->tail));
}

/**
 * vtd_submit() - run descriptors through the queue and wait for them
 * @v: instance
 * @d: descriptors (128-bit types have qw[2] = qw[3] = 0)
 * @n: how many
 *
 * Context: takes q_lock; may block (polls).
 * Return: 0; -EIO the unit refused a descriptor (IQE) or MMIO failed;
 * -ETIMEDOUT the wait's status never arrived.
 */
static int vtd_submit(struct vtd_drv *v, const struct vtd_inv_desc *d, size_t n)
{
	int ret = 0;

	pthread_mutex_lock(&v->q_lock);
	do {
		size_t chunk = n < VTD_MAX_BATCH ? n : VTD_MAX_BATCH;
		uint32_t seq = ++v->seq;
		struct vtd_inv_desc w = desc_wait(seq, v->status_pa);
		uint32_t fsts = 0;
		bool done = false;

		if (!r32(v, VTD_FSTS_REG, &fsts) && (fsts & VTD_FSTS_IQE))
			iq_recover(v); /* left from an earlier failure */
		for (size_t i = 0; i < chunk; i++)
			iq_put(v, &d[i]);
		iq_put(v, &w);
		if (w64(v, VTD_IQT_REG, iq_tail_reg(v, v->tail))) {
			ret = -EIO;
			break;
		}
		for (uint64_t i = 0; i < v->timeout_polls; i++) {
			if (__atomic_load_n(v->status, __ATOMIC_ACQUIRE) ==
			    htole32(seq)) {
				done = true;
				break;
			}
			if (!r32(v, VTD_FSTS_REG, &fsts) &&
			    (fsts & VTD_FSTS_IQE)) {
				iq_recover(v);
				ret = -EIO;
				continue;
			}
			if (i > 64)
				sched_yield();
		}
		if (!done) {
			vlog(v, IOMMU_LOG_ERR,
			     "invalidation wait %u timed out after %llu polls",
			     seq, (unsigned long long)v->timeout_polls);
			ret = -ETIMEDOUT;
			break;
		}
		d += chunk;
		n -= chunk;
	} while (n && !ret);
	pthread_mutex_unlock(&v->q_lock);
	return ret;
}

/* ---- domain IDs ---------------------------------------------------------- */

static int vtd_did_alloc(struct vtd_drv *v, uint16_t *did)
{
	int ret = -ENOSPC;

	pthread_mutex_lock(&v->id_lock);
	for (uint32_t i = VTD_DID_FIRST; i < v->nr_dids; i++) {
		if (!(v->did_map[i / 64] & (1ull << (i % 64)))) {
			v->did_map[i / 64] |= 1ull << (i % 64);
			*did = (uint16_t)i;
			ret = 0;
			break;
		}
	}
	pthread_mutex_unlock(&v->id_lock);
	return ret;
}

static void vtd_did_free(struct vtd_drv *v, uint16_t did)
{
	pthread_mutex_lock(&v->id_lock);
	v->did_map[did / 64] &= ~(1ull << (did % 64));
	pthread_mutex_unlock(&v->id_lock);
}

/* ---- context and PASID tables -------------------------------------------- */

/*
 * Context entry of @sid (legacy: 16 bytes, scalable: 32 bytes), allocating
 * its context table and making the root entry present on first use.
 */
static int vtd_ctx_entry(struct vtd_drv *v, uint16_t sid, bool alloc,
			 uint64_t **out)
{
	unsigned int bus = sid >> 8, devfn = sid & 0xff;
	unsigned int half = v->scalable && devfn >= VTD_SM_UPPER_DEVFN;
	uint64_t pa;
	uint8_t *tbl;
	int err = 0;

	pthread_mutex_lock(&v->ctx_lock);
	pa = v->ctx_pa[bus][half];
	if (!pa) {
		void *va;

		if (!alloc) {
			err = -ENOENT;
			goto out;
		}
		err = vtd_alloc(v, 4096, &pa, &va);
		if (err)
			goto out;
		v->ctx_pa[bus][half] = pa;
		/* vtd 3.1 / 4.1: root entry (T16, T20); LCTP in QW0, UCTP in
		 * QW1, P/LP/UP in bit 0 of each. */
		qw_store(&v->root[bus * 2 + half], pa | VTD_ROOT_QW0_P);
	}
	tbl = vtd_ptr(v, pa, 4096);
	if (!tbl) {
		err = -EFAULT;
		goto out;
	}
	if (v->scalable)
		*out =
		    (uint64_t *)(tbl + (devfn & 0x7f) * VTD_SM_CTX_ENTRY_SIZE);
	else
		*out = (uint64_t *)(tbl + devfn * VTD_CTX_ENTRY_SIZE);
out:
	pthread_mutex_unlock(&v->ctx_lock);
	return err;
}

/* PASID entry of @pasid for @dev (scalable), allocating its table. */
static int vtd_pasid_entry(struct vtd_drv *v, struct vtd_dev *dev,
			   uint32_t pasid, bool alloc, uint64_t **out)
{
	uint32_t di = pasid >> VTD_PASID_DIR_SHIFT;
	uint64_t pde, pa;
	uint8_t *tbl;

	if (!dev->pdir || di >= dev->pdir_size / 8)
		return -EINVAL;
	pde = qw_load(&dev->pdir[di]);
	if (!(pde & VTD_PDE_P)) {
		void *va;
		int err;

		if (!alloc)
			return -ENOENT;
		err = vtd_alloc(v, 4096, &pa, &va);
		if (err)
			return err;
		/* vtd 4.3: directory entry */
		qw_store(&dev->pdir[di], pa | VTD_PDE_P);
	} else {
		pa = pde & VTD_PDE_SMPTBLPTR;
	}
	tbl = vtd_ptr(v, pa, 4096);
	if (!tbl)
		return -EFAULT;
	*out = (uint64_t *)(tbl + (pasid & VTD_PASID_TBL_MASK) *
				      VTD_PASID_ENTRY_SIZE);
	return 0;
}

/* The words of a PASID entry (vtd 4.4) that puts @dom behind a PASID. */
static void vtd_pe_encode(struct vtd_drv *v, struct vtd_domain *dom,
			  uint64_t pe[3])
{
	uint64_t aw = vtd_field_prep(VTD_PE_QW0_AW, v->aw);

	pe[1] = vtd_field_prep(VTD_PE_QW1_DID, dom->did);
	if (v->ecap & VTD_ECAP_SMPWCS)
		pe[1] |= VTD_PE_QW1_PWSNP;
	pe[2] = 0;
	if (dom->kind == VTD_DOM_IDENTITY) {
		pe[0] = VTD_PE_QW0_P | aw |
			vtd_field_prep(VTD_PE_QW0_PGTT, VTD_PGTT_PT);
	} else if (dom->first_stage) {
		pe[0] = VTD_PE_QW0_P | aw |
			vtd_field_prep(VTD_PE_QW0_PGTT, VTD_PGTT_FL); /* T23 */
		pe[2] = dom->pt.root_pa | VTD_PE_QW2_NXE |
			vtd_field_prep(VTD_PE_QW2_FLPM, dom->pt.cfg.levels == 5
							    ? VTD_FLPM_5LEVEL
							    : VTD_FLPM_4LEVEL);
	} else {
		pe[0] = VTD_PE_QW0_P | aw | dom->pt.root_pa |
			vtd_field_prep(VTD_PE_QW0_PGTT, VTD_PGTT_SL); /* T22 */
	}
}

/*
 * Write PASID entry @e to reach @pe (NULL: not present) in an order where
 * every intermediate state is valid (see the header comment).
 */
static void vtd_pe_write(uint64_t *e, const uint64_t *pe)
{
	bool was = qw_load(&e[0]) & VTD_PE_QW0_P;

	if (!pe) {
		qw_store(&e[0], 0);
		qw_store(&e[1], 0);
		qw_store(&e[2], 0);
		return;
	}
	if (!was) {
		qw_store(&e[2], pe[2]);
		qw_store(&e[1], pe[1]);
		qw_store(&e[0], pe[0]);
		return;
	}
	if (pe[2])
		qw_store(&e[2], pe[2]); /* FLPTPTR: ignored by SL/PT entries */
	qw_store(&e[0], pe[0]);		/* PGTT + SLPTPTR in one store */
	qw_store(&e[1], pe[1]);		/* DID last */
	if (!pe[2])
		qw_store(&e[2], 0);
}

/* ---- attachments --------------------------------------------------------- */

static int vtd_att_add(struct vtd_domain *dom, uint16_t sid, uint32_t pasid)
{
	int ret = 0;

	pthread_mutex_lock(&dom->lock);
	if (dom->nr_att == dom->cap_att) {
		size_t cap = dom->cap_att ? dom->cap_att * 2 : 4;
		struct vtd_attach *a = realloc(dom->att, cap * sizeof(*a));

		if (!a) {
			ret = -ENOMEM;
			goto out;
		}
		dom->att = a;
		dom->cap_att = cap;
	}
	dom->att[dom->nr_att++] = (struct vtd_attach){sid, pasid};
out:
	pthread_mutex_unlock(&dom->lock);
	return ret;
}

static void vtd_att_del(struct vtd_domain *dom, uint16_t sid, uint32_t pasid)
{
	pthread_mutex_lock(&dom->lock);
	for (size_t i = 0; i < dom->nr_att; i++) {
		if (dom->att[i].sid == sid && dom->att[i].pasid == pasid) {
			dom->att[i] = dom->att[--dom->nr_att];
			break;
		}
	}
	pthread_mutex_unlock(&dom->lock);
}

/*
 * Build the IOTLB invalidation of [start, last] for @dom into @d (room for
 * VTD_MAX_BATCH); returns how many, 0 if the domain is attached nowhere.
 * @all: whole domain.
 */
static size_t vtd_iotlb_descs(struct vtd_domain *dom, uint64_t start,
			      uint64_t last, bool all, bool ih,
			      struct vtd_inv_desc *d, size_t max)
{
	struct vtd_drv *v = dom->v;
	uint64_t spfn = start >> 12, epfn = last >> 12;
	uint64_t pages = epfn - spfn + 1;
	unsigned int am = 0;
	size_t n = 0;

	if (!all) {
		/* vtd 9.6: the smallest aligned 2^AM block covering it */
		while (am < 63 && (1ull << am) < pages)
			am++;
		if (spfn & ((1ull << am) - 1))
			am = 64 - __builtin_clzll(spfn ^ epfn);
		if (!(v->cap & VTD_CAP_PSI) || am > v->mamv ||
		    pages > v->inval_threshold)
			all = true;
	}
	uint64_t addr = all ? 0 : (spfn & ~((1ull << am) - 1)) << 12;

	pthread_mutex_lock(&dom->lock);
	if (!dom->nr_att) {
		pthread_mutex_unlock(&dom->lock);
		return 0;
	}
	if (!dom->first_stage) {
		d[n++] =
		    all ? desc_iotlb(v, VTD_IOTLB_DOMAIN, dom->did, 0, 0, false)
			: desc_iotlb(v, VTD_IOTLB_PAGE, dom->did, addr, am, ih);
	} else {
		/* One type 6 per distinct PASID (0 = RID_PASID). */
		for (size_t i = 0; i < dom->nr_att; i++) {
			uint32_t p = dom->att[i].pasid == IOMMU_NO_PASID
					 ? 0
					 : dom->att[i].pasid;
			bool dup = false;

			for (size_t j = 0; j < i && !dup; j++)
				dup = (dom->att[j].pasid == IOMMU_NO_PASID
					   ? 0
					   : dom->att[j].pasid) == p;
			if (dup)
				continue;
			if (n == max) {
				/* Too many PASIDs: the whole DID. */
				n = 0;
				d[n++] = desc_iotlb(v, VTD_IOTLB_DOMAIN,
						    dom->did, 0, 0, false);
				break;
			}
			d[n++] = all ? desc_piotlb(VTD_PIOTLB_G_PASID, dom->did,
						   p, 0, 0, false)
				     : desc_piotlb(VTD_PIOTLB_G_PAGE, dom->did,
						   p, addr, am, ih);
		}
	}
	pthread_mutex_unlock(&dom->lock);
	return n;
}

/* Take the pending table pages inside [start, last] into @out. */
static void vtd_take_pending(struct vtd_domain *dom, uint64_t start,
			     uint64_t last, struct pt_free_list *out)
{
	pthread_mutex_lock(&dom->free_lock);
	for (size_t i = 0; i < dom->pending.n;) {
		struct pt_free_ent *e = &dom->pending.v[i];

		if (e->start >= start && e->last <= last) {
			struct pt_free_list one = {.v = e, .n = 1, .cap = 1};

			if (pt_free_list_splice(out, &one)) {
				i++; /* stays pending: freed with the domain */
				continue;
			}
			*e = dom->pending.v[--dom->pending.n];
		} else {
			i++;
		}
	}
	pthread_mutex_unlock(&dom->free_lock);
}

/*
 * Invalidate [start, last] of @dom (all: the whole domain) and free the
 * table pages that waited for it.
 */
static int vtd_flush_range(struct vtd_domain *dom, uint64_t start,
			   uint64_t last, bool all)
{
	struct vtd_inv_desc d[VTD_MAX_BATCH];
	struct pt_free_list fl = {0};
	size_t n;
	int ret = 0;

	if (all) {
		start = 0;
		last = UINT64_MAX;
	}
	vtd_take_pending(dom, start, last, &fl);
	n = vtd_iotlb_descs(dom, start, last, all, fl.n == 0, d, VTD_MAX_BATCH);
	if (n)
		ret = vtd_submit(dom->v, d, n);
	if (ret == -EIO && !all) {
		/* The unit refused a descriptor (logged): the range is not
		 * invalidated, so fall back to the whole domain once. */
		n = vtd_iotlb_descs(dom, 0, UINT64_MAX, true, false, d,
				    VTD_MAX_BATCH);
		ret = n ? vtd_submit(dom->v, d, n) : 0;
	}
	if (!ret) {
		pt_free_pages(dom->v->host, &fl);
	} else if (fl.n) {
		/* Not invalidated: keep them until the domain is freed. */
		pthread_mutex_lock(&dom->free_lock);
		if (pt_free_list_splice(&dom->pending, &fl))
			vlog(dom->v, IOMMU_LOG_ERR, "leaking %zu table pages",
			     fl.n);
		pthread_mutex_unlock(&dom->free_lock);
	}
	pt_free_list_fini(&fl);
	return ret;
}

/* ---- paging domain ops --------------------------------------------------- */

/**
 * vtd_drv_map_pages() - write leaves through core/pt
 * Context: lock-free; concurrent on disjoint ranges.
 * Return: 0; -EINVAL, -ERANGE, -EEXIST, -ENOMEM, -EFAULT from pt_map();
 * an invalidation error when an empty table had to be replaced.
 */
static int vtd_drv_map_pages(void *d, uint64_t iova, uint64_t paddr,
			     uint64_t pgsize, uint64_t pgcount,
			     unsigned int prot, uint64_t *mapped)
{
	struct vtd_domain *dom = d;
	struct pt_free_list fl = {0};
	int ret;

	if (!dom || !mapped)
		return -EINVAL;
	if (!pgsize || pgcount > UINT64_MAX / pgsize)
		return -EINVAL;
	ret = pt_map(&dom->pt, iova, paddr, pgsize * pgcount, prot, mapped,
		     &fl);
	if (fl.n) {
		/* Empty tables were replaced by large leaves: the hardware
		 * may cache them, so invalidate (IH=0) before freeing. */
		pthread_mutex_lock(&dom->free_lock);
		if (pt_free_list_splice(&dom->pending, &fl))
			ret = ret ? ret : -ENOMEM;
		pthread_mutex_unlock(&dom->free_lock);
		if (!ret)
			ret = vtd_flush_range(
			    dom, iova, iova + pgsize * pgcount - 1, false);
	}
	pt_free_list_fini(&fl);
	return ret;
}

static uint64_t vtd_drv_unmap_pages(void *d, uint64_t iova, uint64_t pgsize,
				    uint64_t pgcount,
				    struct iommu_iotlb_gather *g)
{
	struct vtd_domain *dom = d;
	struct pt_free_list fl = {0};
	uint64_t done, max_leaf = 0;

	if (!dom || !g || !pgsize || pgcount > UINT64_MAX / pgsize)
		return 0;
	done = pt_unmap(&dom->pt, iova, pgsize * pgcount, &fl, &max_leaf);
	if (fl.n) {
		pthread_mutex_lock(&dom->free_lock);
		if (pt_free_list_splice(&dom->pending, &fl))
			vlog(dom->v, IOMMU_LOG_ERR,
			     "out of memory: %zu empty tables stay linked",
			     fl.n);
		pthread_mutex_unlock(&dom->free_lock);
	}
	pt_free_list_fini(&fl);
	if (done) {
		if (iova < g->start)
			g->start = iova;
		if (iova + done - 1 > g->end)
			g->end = iova + done - 1;
		if (max_leaf > g->pgsize)
			g->pgsize = max_leaf;
		g->pending = 1;
	}
	return done;
}

/**
 * vtd_drv_iotlb_sync() - invalidate the gathered range and wait
 * Context: takes dom->lock, dom->free_lock, q_lock.
 * Return: 0; -EIO, -ETIMEDOUT from the queue.
 */
static int vtd_drv_iotlb_sync(void *d, struct iommu_iotlb_gather *g)
{
	struct vtd_domain *dom = d;

	if (!dom || !g)
		return -EINVAL;
	if (g->start > g->end)
		return 0;
	return vtd_flush_range(dom, g->start, g->end, false);
}

static int vtd_drv_iotlb_sync_map(void *d, uint64_t iova, uint64_t size)
{
	struct vtd_domain *dom = d;

	if (!dom || !size)
		return -EINVAL;
	/* vtd 9.3: with caching mode, not-present -> present needs an
	 * invalidation; first-stage entries never do.  Without it, a unit
	 * with CAP.RWBF needs a write-buffer flush (vtd 9.4). */
	if (!dom->v->cm || dom->first_stage) {
		int ret = 0;

		if (dom->v->cap & VTD_CAP_RWBF) {
			pthread_mutex_lock(&dom->v->q_lock); /* GCMD writer */
			ret = vtd_gcmd(dom->v, VTD_GCMD_WBF, VTD_GSTS_WBFS,
				       false);
			pthread_mutex_unlock(&dom->v->q_lock);
		}
		return ret;
	}
	return vtd_flush_range(dom, iova, iova + size - 1, false);
}

static int vtd_drv_flush_iotlb_all(void *d)
{
	struct vtd_domain *dom = d;

	if (!dom)
		return -EINVAL;
	return vtd_flush_range(dom, 0, UINT64_MAX, true);
}

static int vtd_drv_iova_to_phys(void *d, uint64_t iova, uint64_t *phys)
{
	struct vtd_domain *dom = d;
	int ret;

	if (!dom || !phys)
		return -EINVAL;
	ret = pt_iova_to_phys(&dom->pt, iova, phys);
	return ret == -ERANGE ? -ENOENT : ret;
}

/* ---- attach -------------------------------------------------------------- */

static struct vtd_dev *vtd_dev_of(struct iommu_dev_info *info)
{
	return info ? info->priv : NULL;
}

/*
 * Invalidate what the device's old entry may have left cached (vtd 9.6):
 * context cache device-selective, PASID cache, IOTLB of the old DID.
 */
static int vtd_flush_dev(struct vtd_drv *v, uint16_t sid, uint16_t old_did,
			 uint16_t new_did, bool was_present)
{
	struct vtd_inv_desc d[5];
	size_t n = 0;

	d[n++] = desc_cc(VTD_CC_DEVICE, was_present ? old_did : 0, sid);
	if (v->scalable)
		d[n++] = desc_pc(VTD_PC_G_PASID, was_present ? old_did : 0, 0);
	if (was_present)
		d[n++] = desc_iotlb(v, VTD_IOTLB_DOMAIN, old_did, 0, 0, false);
	if (v->scalable && new_did && new_did != old_did)
		d[n++] = desc_pc(VTD_PC_G_PASID, new_did, 0);
	if (v->cm && new_did && new_did != old_did)
		d[n++] = desc_iotlb(v, VTD_IOTLB_DOMAIN, new_did, 0, 0, false);
	return vtd_submit(v, d, n);
}

/* Legacy: write context entry @e for @dom (BLOCKED: not present). */
static void vtd_ctx_write_legacy(struct vtd_drv *v, uint64_t *e,
				 struct vtd_domain *dom)
{
	bool was = qw_load(&e[0]) & VTD_CTX_QW0_P;
	uint64_t lo, hi;

	if (dom->kind == VTD_DOM_BLOCKED) {
		qw_store(&e[0], 0); /* P first */
		qw_store(&e[1], 0);
		return;
	}
	hi = vtd_field_prep(VTD_CTX_QW1_AW, v->aw) |
	     vtd_field_prep(VTD_CTX_QW1_DID, dom->did);
	if (dom->kind == VTD_DOM_IDENTITY)
		lo = VTD_CTX_QW0_P |
		     vtd_field_prep(VTD_CTX_QW0_TT, VTD_CTX_TT_PASS); /* T18 */
	else
		lo = VTD_CTX_QW0_P | dom->pt.root_pa |
		     vtd_field_prep(VTD_CTX_QW0_TT,
				    VTD_CTX_TT_MULTI_LEVEL); /* T17 */
	if (was) {
		qw_store(&e[0], lo); /* new tables under the old DID ... */
		qw_store(&e[1], hi); /* ... then the new DID */
	} else {
		qw_store(&e[1], hi);
		qw_store(&e[0], lo); /* P last */
	}
}

/**
 * vtd_drv_attach_dev() - move @info's device onto @d
 * Context: the core serializes attach per group; takes dev_lock (write),
 * dom->lock, q_lock.
 * Return: 0; -EINVAL bad arguments; -ENOMEM; -EFAULT table memory; -EIO,
 * -ETIMEDOUT the invalidation failed (the entry was restored).
 */
static int vtd_drv_attach_dev(void *d, struct iommu_dev_info *info)
{
	struct vtd_domain *dom = d, *old;
	struct vtd_dev *dev = vtd_dev_of(info);
	struct vtd_drv *v;
	uint64_t *e, save[8];
	uint16_t old_did;
	bool was;
	int ret;

	if (!dom || !dev)
		return -EINVAL;
	v = dom->v;
	dev_wrlock(v);
	old = dev->domain;
	if (old == dom) {
		dev_wrunlock(v);
		return 0;
	}
	if (v->scalable)
		ret = vtd_pasid_entry(v, dev, 0, true, &e);
	else
		ret = vtd_ctx_entry(v, dev->sid, true, &e);
	if (ret)
		goto out;
	if (dom->kind != VTD_DOM_BLOCKED) {
		ret = vtd_att_add(dom, dev->sid, IOMMU_NO_PASID);
		if (ret)
			goto out;
	}
	memcpy(save, e, v->scalable ? 64 : 16);
	was = qw_load(&e[0]) & 1; /* P is bit 0 in both entries */
	old_did = old && old->kind != VTD_DOM_BLOCKED ? old->did : 0;
	if (v->scalable) {
		uint64_t pe[3];

		vtd_pe_encode(v, dom, pe);
		vtd_pe_write(e, dom->kind == VTD_DOM_BLOCKED ? NULL : pe);
	} else {
		vtd_ctx_write_legacy(v, e, dom);
	}
	ret = vtd_flush_dev(v, dev->sid, old_did,
			    dom->kind == VTD_DOM_BLOCKED ? 0 : dom->did, was);
	if (ret) {
		/* Leave the old domain working: put the entry back. */
		for (int i = v->scalable ? 7 : 1; i >= 0; i--)
			__atomic_store_n(&e[i], save[i], __ATOMIC_RELEASE);
		vtd_flush_dev(v, dev->sid, old_did, 0, was);
		if (dom->kind != VTD_DOM_BLOCKED)
			vtd_att_del(dom, dev->sid, IOMMU_NO_PASID);
		goto out;
	}
	if (old && old->kind != VTD_DOM_BLOCKED)
		vtd_att_del(old, dev->sid, IOMMU_NO_PASID);
	dev->domain = dom;
out:
	dev_wrunlock(v);
	return ret;
}

/* ---- aux (PASID) attach -------------------------------------------------- */

static int vtd_drv_aux_attach_dev(void *d, struct iommu_dev_info *info,
				  uint32_t pasid)
{
	struct vtd_domain *dom = d;
	struct vtd_dev *dev = vtd_dev_of(info);
	struct vtd_drv *v;
	struct vtd_inv_desc inv[2];
	uint64_t *e, pe[3];
	int ret;

	if (!dom || !dev || dom->kind != VTD_DOM_PAGING || !pasid)
		return -EINVAL;
	v = dom->v;
	if (!v->scalable || !dev->aux)
		return -EINVAL;
	if (pasid >> dev->pasid_bits)
		return -ENOSPC;
	dev_wrlock(v);
	ret = vtd_pasid_entry(v, dev, pasid, true, &e);
	if (ret)
		goto out;
	if (qw_load(&e[0]) & VTD_PE_QW0_P) {
		ret = -EEXIST;
		goto out;
	}
	if (dev->nr_aux == dev->cap_aux) {
		size_t cap = dev->cap_aux ? dev->cap_aux * 2 : 4;
		struct vtd_aux *a = realloc(dev->auxv, cap * sizeof(*a));

		if (!a) {
			ret = -ENOMEM;
			goto out;
		}
		dev->auxv = a;
		dev->cap_aux = cap;
	}
	ret = vtd_att_add(dom, dev->sid, pasid);
	if (ret)
		goto out;
	vtd_pe_encode(v, dom, pe);
	vtd_pe_write(e, pe);
	/* vtd 9.6, PASID entry set up: PASID cache, PASID-based IOTLB. */
	inv[0] = desc_pc(VTD_PC_G_PASID, dom->did, pasid);
	inv[1] = desc_piotlb(VTD_PIOTLB_G_PASID, dom->did, pasid, 0, 0, false);
	ret = vtd_submit(v, inv, 2);
	if (ret) {
		vtd_pe_write(e, NULL);
		vtd_submit(v, inv, 1);
		vtd_att_del(dom, dev->sid, pasid);
		goto out;
	}
	dev->auxv[dev->nr_aux++] = (struct vtd_aux){pasid, dom};
out:
	dev_wrunlock(v);
	return ret;
}

static void vtd_drv_aux_detach_dev(void *d, struct iommu_dev_info *info,
				   uint32_t pasid)
{
	struct vtd_domain *dom = d;
	struct vtd_dev *dev = vtd_dev_of(info);
	struct vtd_drv *v;
	struct vtd_inv_desc inv[2];
	uint64_t *e;

	if (!dom || !dev || dom->kind != VTD_DOM_PAGING || !pasid)
		return;
	v = dom->v;
	dev_wrlock(v);
	if (!vtd_pasid_entry(v, dev, pasid, false, &e) &&
	    (qw_load(&e[0]) & VTD_PE_QW0_P) &&
	    vtd_field_get(VTD_PE_QW1_DID, qw_load(&e[1])) == dom->did) {
		vtd_pe_write(e, NULL);
		/* vtd 9.6, PASID entry torn down */
		inv[0] = desc_pc(VTD_PC_G_PASID, dom->did, pasid);
		inv[1] = dom->first_stage
			     ? desc_piotlb(VTD_PIOTLB_G_PASID, dom->did, pasid,
					   0, 0, false)
			     : desc_iotlb(v, VTD_IOTLB_DOMAIN, dom->did, 0, 0,
					  false);
		if (vtd_submit(v, inv, 2))
			vlog(v, IOMMU_LOG_ERR,
			     "aux detach of %04x pasid %u: invalidation failed",
			     dev->sid, pasid);
	}
	for (size_t i = 0; i < dev->nr_aux; i++) {
		if (dev->auxv[i].pasid == pasid && dev->auxv[i].dom == dom) {
			dev->auxv[i] = dev->auxv[--dev->nr_aux];
			break;
		}
	}
	vtd_att_del(dom, dev->sid, pasid);
	dev_wrunlock(v);
}

/* ---- domain allocation --------------------------------------------------- */

static int vtd_domain_init_common(struct vtd_drv *v, struct vtd_domain *dom,
				  enum vtd_dom_kind kind)
{
	memset(dom, 0, sizeof(*dom));
	dom->v = v;
	dom->kind = kind;
	if (pthread_mutex_init(&dom->lock, NULL))
		return -ENOMEM;
	if (pthread_mutex_init(&dom->free_lock, NULL)) {
		pthread_mutex_destroy(&dom->lock);
		return -ENOMEM;
	}
	return 0;
}

static void vtd_domain_fini_common(struct vtd_domain *dom)
{
	pthread_mutex_destroy(&dom->lock);
	pthread_mutex_destroy(&dom->free_lock);
	free(dom->att);
	dom->att = NULL;
}

static void vtd_drv_domain_free(void *d)
{
	struct vtd_domain *dom = d;

	if (!dom || dom->kind != VTD_DOM_PAGING)
		return;
	/* No device is attached: the old DID was flushed at detach. */
	pt_free_pages(dom->v->host, &dom->pending);
	pt_free_list_fini(&dom->pending);
	pt_destroy(&dom->pt);
	vtd_did_free(dom->v, dom->did);
	vtd_domain_fini_common(dom);
	free(dom);
}

/**
 * vtd_drv_domain_alloc() - a paging domain, or a static one
 * Return: 0; -EINVAL bad arguments or type; -EOPNOTSUPP IDENTITY without
 * ECAP.PT; -ENOSPC no DID left; -ENOMEM.
 */
static int vtd_drv_domain_alloc(void *inst, enum iommu_domain_type type,
				struct iommu_domain_info *info, void **out)
{
	struct vtd_drv *v = inst;
	struct vtd_domain *dom;
	struct pt_cfg cfg = {0};
	int ret;

	if (!v || !info || !out)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	switch (type) {
	case IOMMU_DOMAIN_BLOCKED:
		info->ops = &vtd_static_ops;
		*out = &v->blocked;
		return 0;
	case IOMMU_DOMAIN_IDENTITY:
		if (!v->has_identity) {
			vlog(v, IOMMU_LOG_INFO,
			     "no pass-through (ECAP.PT): no identity domain");
			return -EOPNOTSUPP;
		}
		info->ops = &vtd_static_ops;
		*out = &v->identity;
		return 0;
	case IOMMU_DOMAIN_UNMANAGED:
	case IOMMU_DOMAIN_DMA:
		break;
	default:
		return -EINVAL;
	}
	dom = calloc(1, sizeof(*dom));
	if (!dom)
		return -ENOMEM;
	ret = vtd_domain_init_common(v, dom, VTD_DOM_PAGING);
	if (ret)
		goto err_free;
	ret = vtd_did_alloc(v, &dom->did);
	if (ret)
		goto err_fini;
	dom->first_stage = v->first_stage;
	cfg.oa_bits = 52;
	if (dom->first_stage) {
		cfg.fmt = PT_FMT_X86_64;
		cfg.levels = v->fl_levels;
		cfg.ia_bits = v->fl_levels == 5 ? 56 : 47; /* lower half */
		cfg.pgsize_bitmap = v->fl_pgsizes;
	} else {
		cfg.fmt = PT_FMT_VTDSS;
		cfg.levels = vtd_aw_to_levels(v->aw);
		cfg.ia_bits = v->sl_width;
		cfg.pgsize_bitmap = v->sl_pgsizes;
	}
	ret = pt_init(&dom->pt, v->host, &cfg);
	if (ret)
		goto err_did;
	info->ops = &vtd_paging_ops;
	info->pgsize_bitmap = cfg.pgsize_bitmap;
	info->aperture_start = 0;
	info->aperture_last = (1ull << cfg.ia_bits) - 1;
	*out = dom;
	return 0;

err_did:
	vtd_did_free(v, dom->did);
err_fini:
	vtd_domain_fini_common(dom);
err_free:
	free(dom);
	return ret;
}

/* ---- devices ------------------------------------------------------------- */

static struct vtd_dev *vtd_dev_find(struct vtd_drv *v, uint16_t sid)
{
	for (struct vtd_dev *d = v->devs; d; d = d->next)
		if (d->sid == sid)
			return d;
	return NULL;
}

/* Scalable: the device's context entry (vtd 4.2) with its directory. */
static int vtd_sm_ctx_setup(struct vtd_drv *v, struct vtd_dev *dev)
{
	unsigned int bits = dev->pasid_bits;
	unsigned int pdts;
	uint64_t *e;
	void *va;
	int ret;

	/* 2^(PDTS+7) directory entries of 64 PASIDs each; at least one
	 * 4 KiB page (512 entries, PDTS 2). */
	pdts = bits > 15 ? bits - 13 : 2;
	dev->pdir_size = (size_t)vtd_pdts_entries(pdts) * 8;
	ret = vtd_alloc(v, dev->pdir_size, &dev->pdir_pa, &va);
	if (ret)
		return ret;
	dev->pdir = va;
	ret = vtd_ctx_entry(v, dev->sid, true, &e);
	if (ret)
		goto err_free;
	qw_store(&e[3], 0);
	qw_store(&e[2], 0);
	qw_store(&e[1], 0); /* RID_PASID 0 */
	qw_store(&e[0], VTD_SM_CTX_QW0_P | dev->pdir_pa |
			    vtd_field_prep(VTD_SM_CTX_QW0_PDTS, pdts) |
			    (dev->aux ? VTD_SM_CTX_QW0_PASIDE : 0));
	ret = vtd_flush_dev(v, dev->sid, 0, 0, false);
	if (ret)
		goto err_clear;
	return 0;

err_clear:
	qw_store(&e[0], 0);
err_free:
	v->host->ops->table_free(v->host, dev->pdir_pa, dev->pdir_size);
	dev->pdir = NULL;
	return ret;
}

static int vtd_drv_probe_device(void *inst, struct iommu_dev_info *info)
{
	struct vtd_drv *v = inst;
	struct vtd_dev *dev;
	int ret = 0;

	if (!v || !info || info->id > 0xffff)
		return -EINVAL;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->sid = (uint16_t)info->id;
	dev->pasid_bits =
	    info->pasid_bits < v->pasid_bits ? info->pasid_bits : v->pasid_bits;
	dev_wrlock(v);
	if (vtd_dev_find(v, dev->sid)) {
		ret = -EEXIST;
		goto out;
	}
	if (v->scalable) {
		ret = vtd_sm_ctx_setup(v, dev);
		if (ret)
			goto out;
	}
	dev->next = v->devs;
	v->devs = dev;
	info->priv = dev;
out:
	dev_wrunlock(v);
	if (ret)
		free(dev);
	return ret;
}

static void vtd_free_pasid_tables(struct vtd_drv *v, struct vtd_dev *dev)
{
	if (!dev->pdir)
		return;
	for (size_t i = 0; i < dev->pdir_size / 8; i++) {
		uint64_t pde = qw_load(&dev->pdir[i]);

		if (pde & VTD_PDE_P)
			v->host->ops->table_free(v->host,
						 pde & VTD_PDE_SMPTBLPTR, 4096);
	}
	v->host->ops->table_free(v->host, dev->pdir_pa, dev->pdir_size);
	dev->pdir = NULL;
}

static void vtd_drv_release_device(void *inst, struct iommu_dev_info *info)
{
	struct vtd_drv *v = inst;
	struct vtd_dev *dev = vtd_dev_of(info);
	uint64_t *e;

	if (!v || !dev)
		return;
	dev_wrlock(v);
	for (struct vtd_dev **pp = &v->devs; *pp; pp = &(*pp)->next) {
		if (*pp == dev) {
			*pp = dev->next;
			break;
		}
	}
	if (!vtd_ctx_entry(v, dev->sid, false, &e)) {
		bool was = qw_load(&e[0]) & 1;
		uint16_t did =
		    dev->domain && dev->domain->kind != VTD_DOM_BLOCKED
			? dev->domain->did
			: 0;

		for (int i = 0; i < (v->scalable ? 4 : 2); i++)
			qw_store(&e[i], 0);
		if (was && vtd_flush_dev(v, dev->sid, did, 0, true))
			vlog(v, IOMMU_LOG_WARN,
			     "release of %04x: invalidation failed", dev->sid);
	}
	if (dev->domain && dev->domain->kind != VTD_DOM_BLOCKED)
		vtd_att_del(dev->domain, dev->sid, IOMMU_NO_PASID);
	vtd_free_pasid_tables(v, dev);
	dev_wrunlock(v);
	info->priv = NULL;
	free(dev->auxv);
	free(dev);
}

static int vtd_drv_device_group(void *inst, const struct iommu_dev_info *info,
				uint64_t *key)
{
	if (!inst || !info || !key)
		return -EINVAL;
	/* VT-d isolates every requester ID; bridges and aliases come from
	 * the configured topology (INI group/alias labels). */
	*key = info->id;
	return 0;
}

static int vtd_drv_get_resv_regions(void *inst, struct iommu_dev_info *info,
				    struct iommu_resv_region *out, size_t max,
				    size_t *count)
{
	if (!inst || !info || !count || (max && !out))
		return -EINVAL;
	/* vtd 8: the interrupt window is never DMA-translated. */
	*count = 1;
	if (max) {
		out[0].start = VTD_INTR_ADDR_FIRST;
		out[0].last = VTD_INTR_ADDR_LAST;
		out[0].type = IOMMU_RESV_MSI;
		out[0].prot = IOMMU_WRITE;
	}
	return 0;
}

static bool vtd_drv_capable(void *inst, struct iommu_dev_info *info,
			    enum iommu_cap cap)
{
	struct vtd_drv *v = inst;

	if (!v || !info)
		return false;
	if (cap == IOMMU_CAP_CACHE_COHERENCY)
		return v->ecap & VTD_ECAP_C;
	return false;
}

/* Set or clear PASIDE in the device's scalable context entry. */
static int vtd_set_paside(struct vtd_drv *v, struct vtd_dev *dev, bool on)
{
	uint64_t *e, qw0;
	uint16_t did;
	struct vtd_inv_desc inv[2];

	if (vtd_ctx_entry(v, dev->sid, false, &e))
		return -ENODEV;
	qw0 = qw_load(&e[0]);
	qw0 = on ? qw0 | VTD_SM_CTX_QW0_PASIDE : qw0 & ~VTD_SM_CTX_QW0_PASIDE;
	qw_store(&e[0], qw0);
	did = dev->domain && dev->domain->kind != VTD_DOM_BLOCKED
		  ? dev->domain->did
		  : 0;
	/* vtd 9.6, SM context change: context cache, then PASID cache. */
	inv[0] = desc_cc(VTD_CC_DEVICE, did, dev->sid);
	inv[1] = desc_pc(VTD_PC_G_GLOBAL, 0, 0);
	return vtd_submit(v, inv, 2);
}

/* AUX needs PASIDs: scalable mode on a unit with ECAP.PASID. */
static unsigned int vtd_drv_instance_features(void *inst)
{
	const struct vtd_drv *v = inst;

	return v && v->scalable && v->pasid_bits ? 1u << IOMMU_DEV_FEAT_AUX : 0;
}

static int vtd_drv_dev_enable_feat(void *inst, struct iommu_dev_info *info,
				   enum iommu_dev_feature feat)
{
	struct vtd_drv *v = inst;
	struct vtd_dev *dev = vtd_dev_of(info);
	int ret = 0;

	if (!v || !dev)
		return -EINVAL;
	if (feat != IOMMU_DEV_FEAT_AUX || !v->scalable || !v->pasid_bits ||
	    !dev->pasid_bits)
		return -EOPNOTSUPP;
	dev_wrlock(v);
	if (!dev->aux) {
		ret = vtd_set_paside(v, dev, true);
		if (!ret)
			dev->aux = true;
	}
	dev_wrunlock(v);
	return ret;
}

static int vtd_drv_dev_disable_feat(void *inst, struct iommu_dev_info *info,
				    enum iommu_dev_feature feat)
{
	struct vtd_drv *v = inst;
	struct vtd_dev *dev = vtd_dev_of(info);
	int ret = 0;

	if (!v || !dev)
		return -EINVAL;
	if (feat != IOMMU_DEV_FEAT_AUX || !v->scalable || !v->pasid_bits)
		return -EOPNOTSUPP;
	dev_wrlock(v);
	if (dev->nr_aux) {
		ret = -EBUSY;
	} else if (dev->aux) {
		ret = vtd_set_paside(v, dev, false);
		if (!ret)
			dev->aux = false;
	}
	dev_wrunlock(v);
	return ret;
}

/* ---- faults (vtd 7) ------------------------------------------------------ */

/*
 * vtd_drv_fault_reason() - the normalized reason of fault reason @fr
 * The one place that maps VT-d FR codes (vtd 7.3, 7.4).  @mapped tells,
 * for read/write faults, whether the device's domain maps the address.
 */
static enum iommu_fault_reason vtd_drv_fault_reason(unsigned int fr,
						    bool mapped)
{
	switch (fr) {
	case VTD_FR_ROOT_NOT_PRESENT:
	case VTD_FR_CTX_NOT_PRESENT:
	case VTD_FR_SM_ROOT_NOT_PRESENT:
	case VTD_FR_SM_CTX_NOT_PRESENT:
	case VTD_FR_SM_PDE_NOT_PRESENT:
	case VTD_FR_SM_PE_NOT_PRESENT:
		return IOMMU_FAULT_NO_DOMAIN;
	case VTD_FR_WRITE:
	case VTD_FR_READ:
	case VTD_FR_SM_SL_PERM:
	case VTD_FR_SM_WRITE:
	case VTD_FR_SM_READ:
		return mapped ? IOMMU_FAULT_PERMISSION : IOMMU_FAULT_NOT_MAPPED;
	case VTD_FR_SM_FL_NOT_PRESENT:
		return IOMMU_FAULT_NOT_MAPPED;
	case VTD_FR_SM_FL_USER:
	case VTD_FR_SM_EXEC:
	case VTD_FR_CTX_TT_BLOCKED:
	case VTD_FR_INTR_RANGE:
	case VTD_FR_SM_INTR_RANGE:
	case VTD_FR_SM_CTX_DTE:
	case VTD_FR_SM_CTX_PRE:
	case VTD_FR_SM_PE_ERE:
	case VTD_FR_SM_PE_SRE:
		return IOMMU_FAULT_PERMISSION;
	case VTD_FR_CTX_INVALID:
	case VTD_FR_ROOT_RSVD:
	case VTD_FR_CTX_RSVD:
	case VTD_FR_SL_RSVD:
	case VTD_FR_SM_ROOT_RSVD:
	case VTD_FR_SM_CTX_RSVD:
	case VTD_FR_SM_CTX_INVALID:
	case VTD_FR_SM_RID_PASID:
	case VTD_FR_SM_PDE_RSVD:
	case VTD_FR_SM_PE_RSVD:
	case VTD_FR_SM_PE_INVALID:
	case VTD_FR_SM_FL_RSVD:
	case VTD_FR_SM_SL_RSVD:
	case VTD_FR_SM_SL_PTR_INVALID:
	case VTD_FR_SM_TTM_INVALID:
		return IOMMU_FAULT_BAD_ENTRY;
	case VTD_FR_ADDR_BEYOND_MGAW:
	case VTD_FR_SM_NON_CANONICAL:
	case VTD_FR_SM_ADDR_BEYOND_MAX:
	case VTD_FR_SM_SL_OUT_BEYOND:
	case VTD_FR_SM_FL_NEST_WIDTH:
		return IOMMU_FAULT_ADDR_SIZE;
	case VTD_FR_SL_READ_ERR:
	case VTD_FR_ROOT_READ_ERR:
	case VTD_FR_CTX_READ_ERR:
	case VTD_FR_SM_RTA_INVALID:
	case VTD_FR_SM_ROOT_READ_ERR:
	case VTD_FR_SM_CTX_READ_ERR:
	case VTD_FR_SM_PDE_READ_ERR:
	case VTD_FR_SM_PE_READ_ERR:
	case VTD_FR_SM_FL_READ_ERR:
	case VTD_FR_SM_FL_ROOT_ERR:
	case VTD_FR_SM_SL_READ_ERR:
		return IOMMU_FAULT_TABLE_FETCH;
	case VTD_FR_SM_CTX_PASIDE:
	case VTD_FR_SM_PASID_TOO_BIG:
		return IOMMU_FAULT_BAD_PASID;
	default:
		return IOMMU_FAULT_UNKNOWN;
	}
}

/* Does the domain the faulting (device, PASID) is on map f->addr? */
static bool vtd_fault_mapped(struct vtd_drv *v, const struct iommu_fault *f)
{
	struct vtd_domain *dom = NULL;
	struct vtd_dev *dev;
	uint64_t phys;
	bool mapped = false;

	if (dev_held_by_me(v))
		return false; /* inside our own attach: cannot look */
	pthread_rwlock_rdlock(&v->dev_lock);
	dev = vtd_dev_find(v, (uint16_t)f->dev_id);
	if (dev && !(f->flags & IOMMU_FAULT_F_PASID_VALID)) {
		dom = dev->domain;
	} else if (dev) {
		for (size_t i = 0; i < dev->nr_aux; i++)
			if (dev->auxv[i].pasid == f->pasid)
				dom = dev->auxv[i].dom;
		if (!dom && !f->pasid)
			dom = dev->domain; /* RID_PASID */
	}
	if (dom && dom->kind == VTD_DOM_PAGING)
		mapped = !pt_iova_to_phys(&dom->pt, f->addr, &phys);
	pthread_rwlock_unlock(&v->dev_lock);
	return mapped;
}

static void vtd_decode_fault(struct vtd_drv *v, uint64_t lo, uint64_t hi,
			     struct iommu_fault *f)
{
	unsigned int fr = (unsigned int)vtd_field_get(VTD_FRCD_QW1_FR, hi);

	memset(f, 0, sizeof(*f));
	f->dev_id = (uint32_t)vtd_field_get(VTD_FRCD_QW1_SID, hi);
	f->addr = lo & VTD_FRCD_QW0_FI;
	f->flags = IOMMU_FAULT_F_ADDR_VALID;
	f->pasid = IOMMU_NO_PASID;
	if (hi & VTD_FRCD_QW1_PP) {
		f->pasid = (uint32_t)vtd_field_get(VTD_FRCD_QW1_PV, hi);
		f->flags |= IOMMU_FAULT_F_PASID_VALID;
	}
	/* vtd 7.1: T1 = 1 read, 0 write (T2 = 0) */
	f->access =
	    hi & VTD_FRCD_QW1_T1 ? IOMMU_ACCESS_READ : IOMMU_ACCESS_WRITE;
	f->vendor_code = fr;
	f->reason = vtd_drv_fault_reason(fr, false);
	if (f->reason == IOMMU_FAULT_NOT_MAPPED &&
	    fr != VTD_FR_SM_FL_NOT_PRESENT)
		f->reason = vtd_drv_fault_reason(fr, vtd_fault_mapped(v, f));
}

/**
 * vtd_drv_irq() - the fault event
 * Context: may run from a DMA thread inside translate; never takes q_lock;
 * reports faults with no lock held.
 */
static void vtd_drv_irq(void *inst, unsigned int vector)
{
	struct vtd_drv *v = inst;
	struct iommu_fault faults[256];
	uint64_t raw[256][2];
	unsigned int nr = 0;
	uint32_t fsts = 0;

	(void)vector;
	if (!v)
		return;
	pthread_mutex_lock(&v->fault_lock);
	if (r32(v, VTD_FSTS_REG, &fsts)) {
		pthread_mutex_unlock(&v->fault_lock);
		return;
	}
	/* A fault recorded while PPF is still set raises no new event, so
	 * look again until PPF reads clear (bounded). */
	for (unsigned int pass = 0;
	     pass < 4 && (fsts & VTD_FSTS_PPF) && nr < 256; pass++) {
		unsigned int i =
		    (unsigned int)vtd_field_get(VTD_FSTS_FRI, fsts);

		for (unsigned int k = 0; k < v->nfr && nr < 256; k++) {
			uint64_t off = vtd_frcd_reg(v->cap, i % v->nfr);
			uint64_t lo = 0, hi = 0;

			i = (i + 1) % v->nfr;
			if (r64(v, off + 8, &hi))
				break;
			if (!(hi & VTD_FRCD_QW1_F))
				continue; /* scan them all: from FRI, wrapping
					   */
			r64(v, off, &lo);
			w32(v, off + 12, (uint32_t)VTD_FRCD_DW3_F);
			raw[nr][0] = lo;
			raw[nr][1] = hi;
			nr++;
		}
		if (r32(v, VTD_FSTS_REG, &fsts))
			break;
	}
	if (fsts & VTD_FSTS_PFO) {
		vlog(v, IOMMU_LOG_INFO, "fault records overflowed (PFO)");
		w32(v, VTD_FSTS_REG, (uint32_t)VTD_FSTS_PFO);
	}
	if (fsts & VTD_FSTS_IQE)
		vlog(v, IOMMU_LOG_DEBUG,
		     "IQE pending: the submitter recovers the queue");
	pthread_mutex_unlock(&v->fault_lock);
	for (unsigned int k = 0; k < nr; k++)
		vtd_decode_fault(v, raw[k][0], raw[k][1], &faults[k]);
	for (unsigned int k = 0; k < nr; k++)
		v->host->ops->report_fault(v->host, &faults[k]);
}

/* ---- probe and release --------------------------------------------------- */

static void vtd_destroy_locks(struct vtd_drv *v)
{
	pthread_mutex_destroy(&v->ctx_lock);
	pthread_mutex_destroy(&v->q_lock);
	pthread_mutex_destroy(&v->fault_lock);
	pthread_mutex_destroy(&v->id_lock);
	pthread_rwlock_destroy(&v->dev_lock);
}

static void vtd_free_tables(struct vtd_drv *v)
{
	for (unsigned int b = 0; b < VTD_NR_BUS; b++)
		for (unsigned int h = 0; h < 2; h++)
			if (v->ctx_pa[b][h])
				v->host->ops->table_free(v->host,
							 v->ctx_pa[b][h], 4096);
	memset(v->ctx_pa, 0, sizeof(v->ctx_pa));
	if (v->root)
		v->host->ops->table_free(v->host, v->root_pa, 4096);
	v->root = NULL;
	if (v->iq)
		v->host->ops->table_free(v->host, v->iq_pa, v->iq_size);
	v->iq = NULL;
	if (v->status)
		v->host->ops->table_free(v->host, v->status_pa, 4096);
	v->status = NULL;
}

/* Read CAP/ECAP and decide what the driver can do with this unit. */
static int vtd_discover(struct vtd_drv *v, const uint64_t *params)
{
	uint32_t ver = 0;
	uint64_t sagaw;
	unsigned int mgaw;

	if (r32(v, VTD_VER_REG, &ver) || r64(v, VTD_CAP_REG, &v->cap) ||
	    r64(v, VTD_ECAP_REG, &v->ecap))
		return -EIO;
	vlog(v, IOMMU_LOG_DEBUG, "VER %u.%u CAP 0x%016llx ECAP 0x%016llx",
	     (unsigned int)vtd_field_get(VTD_VER_MAJOR, ver),
	     (unsigned int)vtd_field_get(VTD_VER_MINOR, ver),
	     (unsigned long long)v->cap, (unsigned long long)v->ecap);
	if (!(v->ecap & VTD_ECAP_QI)) {
		vlog(v, IOMMU_LOG_ERR, "no queued invalidation (ECAP.QI)");
		return -ENODEV;
	}
	sagaw = vtd_field_get(VTD_CAP_SAGAW, v->cap);
	v->aw = 0;
	for (unsigned int aw = VTD_AW_57; aw >= VTD_AW_39; aw--) {
		if (sagaw & (1u << aw)) {
			v->aw = aw;
			break;
		}
	}
	if (!v->aw) {
		vlog(v, IOMMU_LOG_ERR,
		     "CAP.SAGAW 0x%llx has no 39/48/57-bit level",
		     (unsigned long long)sagaw);
		return -ENODEV;
	}
	mgaw = (unsigned int)vtd_field_get(VTD_CAP_MGAW, v->cap) + 1;
	v->sl_width = vtd_aw_to_width(v->aw);
	if (mgaw < v->sl_width)
		v->sl_width = mgaw;
	if (v->sl_width < 32) {
		vlog(v, IOMMU_LOG_ERR, "CAP.MGAW %u too small", mgaw);
		return -ENODEV;
	}
	v->cm = v->cap & VTD_CAP_CM;
	v->mamv = (unsigned int)vtd_field_get(VTD_CAP_MAMV, v->cap);
	v->nfr = (unsigned int)vtd_field_get(VTD_CAP_NFR, v->cap) + 1;
	v->nr_dids = 1u << (4 + 2 * vtd_field_get(VTD_CAP_ND, v->cap));
	if (v->nr_dids > 65536)
		v->nr_dids = 65536;
	v->sl_pgsizes = 1ull << 12;
	if (v->cap & VTD_CAP_SLLPS_2M)
		v->sl_pgsizes |= 1ull << 21;
	if (v->cap & VTD_CAP_SLLPS_1G)
		v->sl_pgsizes |= 1ull << 30;
	v->fl_pgsizes = (1ull << 12) | (1ull << 21);
	if (v->cap & VTD_CAP_FL1GP)
		v->fl_pgsizes |= 1ull << 30;
	v->fl_levels = v->cap & VTD_CAP_FL5LP ? 5 : 4;
	v->has_identity = v->ecap & VTD_ECAP_PT;

	v->scalable = params[VTD_P_DRV_TRANSLATION] == VTD_TRANSLATION_SCALABLE;
	v->first_stage = params[VTD_P_DRV_STAGE] == VTD_STAGE_FIRST;
	if (v->first_stage && !v->scalable) {
		vlog(v, IOMMU_LOG_ERR,
		     "stage=first needs translation=scalable");
		return -EINVAL;
	}
	if (v->scalable) {
		if (!(v->ecap & VTD_ECAP_SMTS)) {
			vlog(v, IOMMU_LOG_ERR,
			     "translation=scalable: the unit lacks scalable "
			     "mode (ECAP.SMTS)");
			return -ENODEV;
		}
		if (v->first_stage && !(v->ecap & VTD_ECAP_FLTS)) {
			vlog(v, IOMMU_LOG_ERR,
			     "stage=first: the unit lacks first-stage "
			     "translation (ECAP.FLTS)");
			return -ENODEV;
		}
		if (!v->first_stage && !(v->ecap & VTD_ECAP_SLTS)) {
			vlog(v, IOMMU_LOG_ERR,
			     "stage=second: the unit lacks second-stage "
			     "translation in scalable mode (ECAP.SLTS)");
			return -ENODEV;
		}
		if (v->ecap & VTD_ECAP_PASID)
			v->pasid_bits =
			    (unsigned int)vtd_field_get(VTD_ECAP_PSS, v->ecap) +
			    1;
	}
	return 0;
}

/* Invalidation queue (vtd 6.1): IQT = 0, IQA, QIE. */
static int vtd_setup_queue(struct vtd_drv *v, unsigned int qs)
{
	bool dw = v->scalable;
	void *va;
	int err;

	v->desc_size = dw ? VTD_INV_DESC_SIZE_256 : VTD_INV_DESC_SIZE_128;
	v->iq_entries = (uint32_t)vtd_iq_entries(qs, dw);
	v->iq_size = 4096ull << qs;
	err = vtd_alloc(v, v->iq_size, &v->iq_pa, &va);
	if (err)
		return err;
	v->iq = va;
	err = vtd_alloc(v, 4096, &v->status_pa, &va);
	if (err)
		return err;
	v->status = va;
	v->tail = 0;
	if (w64(v, VTD_IQT_REG, 0) || w64(v, VTD_IQA_REG,
					  v->iq_pa | (dw ? VTD_IQA_DW : 0) |
					      vtd_field_prep(VTD_IQA_QS, qs)))
		return -EIO;
	err = vtd_gcmd(v, VTD_GCMD_QIE, VTD_GSTS_QIES, true);
	if (err)
		return err;
	v->gcmd |= VTD_GCMD_QIE;
	return 0;
}

/**
 * vtd_drv_probe() - find and start the VT-d unit behind @bus
 * @params: the [vtd] section; the driver reads VTD_P_DRV_* only
 *
 * Context: single-threaded.
 * Return: 0; -EINVAL bad arguments or stage/translation mismatch; -ENODEV
 * a required capability is missing; -EIO register access failed;
 * -ETIMEDOUT a status bit never came; -ENOMEM; -EFAULT table memory.
 */
static int vtd_drv_probe(struct iommu_host *host, const struct iommu_bus *bus,
			 const uint64_t *params,
			 const struct iommu_core_cfg *cfg, void **inst)
{
	struct vtd_drv *v;
	uint32_t gsts = 0;
	void *va;
	int err;

	(void)cfg;
	if (!host || !host->ops || !host->ops->log || !host->ops->mem_ptr ||
	    !host->ops->table_alloc || !host->ops->table_free ||
	    !host->ops->report_fault || !bus || !bus->ops ||
	    !bus->ops->mmio_read || !bus->ops->mmio_write || !params || !inst)
		return -EINVAL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->host = host;
	v->bus = *bus;
	v->timeout_polls =
	    params[VTD_P_DRV_TIMEOUT] ? params[VTD_P_DRV_TIMEOUT] : 1;
	v->inval_threshold = params[VTD_P_DRV_INV_THRESHOLD]
				 ? params[VTD_P_DRV_INV_THRESHOLD]
				 : 1;
	pthread_mutex_init(&v->ctx_lock, NULL);
	pthread_mutex_init(&v->q_lock, NULL);
	pthread_mutex_init(&v->fault_lock, NULL);
	pthread_mutex_init(&v->id_lock, NULL);
	pthread_rwlock_init(&v->dev_lock, NULL);

	err = vtd_discover(v, params);
	if (err)
		goto err_free;
	if (params[VTD_P_DRV_QUEUE_ORDER] > 7) {
		err = -EINVAL;
		goto err_free;
	}
	v->did_map = calloc((v->nr_dids + 63) / 64, sizeof(uint64_t));
	if (!v->did_map) {
		err = -ENOMEM;
		goto err_free;
	}
	v->did_map[0] = 3; /* DIDs 0 and 1 */

	/* Start from a quiet unit: translation and queue off. */
	if (r32(v, VTD_GSTS_REG, &gsts)) {
		err = -EIO;
		goto err_free;
	}
	if (gsts & (VTD_GSTS_TES | VTD_GSTS_QIES)) {
		v->gcmd = 0;
		err = vtd_gcmd(v, 0, VTD_GSTS_TES | VTD_GSTS_QIES, false);
		if (err)
			goto err_free;
	}

	/* Root table (vtd 3.1 / 4.1), RTADDR with TTM, SRTP. */
	err = vtd_alloc(v, 4096, &v->root_pa, &va);
	if (err)
		goto err_free;
	v->root = va;
	if (w64(v, VTD_RTADDR_REG,
		v->root_pa | vtd_field_prep(VTD_RTADDR_TTM,
					    v->scalable ? VTD_TTM_SCALABLE
							: VTD_TTM_LEGACY))) {
		err = -EIO;
		goto err_tables;
	}
	err = vtd_gcmd(v, VTD_GCMD_SRTP, VTD_GSTS_RTPS, true);
	if (err)
		goto err_tables;

	err = vtd_setup_queue(v, (unsigned int)params[VTD_P_DRV_QUEUE_ORDER]);
	if (err)
		goto err_off;

	/* vtd 9.6 after SRTP: context cache, PASID cache, IOTLB global. */
	{
		struct vtd_inv_desc inv[3];
		size_t n = 0;

		inv[n++] = desc_cc(VTD_CC_GLOBAL, 0, 0);
		if (v->scalable)
			inv[n++] = desc_pc(VTD_PC_G_GLOBAL, 0, 0);
		inv[n++] = desc_iotlb(v, VTD_IOTLB_GLOBAL, 0, 0, 0, false);
		err = vtd_submit(v, inv, n);
		if (err)
			goto err_off;
	}

	/* Faults: clear stale state, unmask the event. */
	w32(v, VTD_FSTS_REG, (uint32_t)VTD_FSTS_RW1C);
	for (unsigned int i = 0; i < v->nfr; i++)
		w32(v, vtd_frcd_reg(v->cap, i) + 12, (uint32_t)VTD_FRCD_DW3_F);
	if (w32(v, VTD_FECTL_REG, 0)) {
		err = -EIO;
		goto err_off;
	}

	err = vtd_domain_init_common(v, &v->blocked, VTD_DOM_BLOCKED);
	if (err)
		goto err_off;
	err = vtd_domain_init_common(v, &v->identity, VTD_DOM_IDENTITY);
	if (err)
		goto err_blocked;
	v->identity.did = VTD_DID_IDENTITY;

	err = vtd_gcmd(v, VTD_GCMD_TE, VTD_GSTS_TES, true);
	if (err)
		goto err_identity;
	v->gcmd |= VTD_GCMD_TE;
	vlog(v, IOMMU_LOG_DEBUG,
	     "%s mode, %s stage, AW %u (%u-bit), %u DIDs, %u fault records, "
	     "queue %u x %u B%s",
	     v->scalable ? "scalable" : "legacy",
	     v->first_stage ? "first" : "second", v->aw, v->sl_width,
	     v->nr_dids, v->nfr, v->iq_entries, v->desc_size,
	     v->cm ? ", caching mode" : "");
	*inst = v;
	return 0;

err_identity:
	vtd_domain_fini_common(&v->identity);
err_blocked:
	vtd_domain_fini_common(&v->blocked);
err_off:
	v->gcmd = 0;
	vtd_gcmd(v, 0, VTD_GSTS_TES | VTD_GSTS_QIES, false);
err_tables:
	vtd_free_tables(v);
err_free:
	free(v->did_map);
	vtd_destroy_locks(v);
	free(v);
	return err;
}

/**
 * vtd_drv_release() - translation and queue off, free everything
 * Devices were released and paging domains freed by the core before.
 */
static void vtd_drv_release(void *inst)
{
	struct vtd_drv *v = inst;

	if (!v)
		return;
	v->gcmd &= ~VTD_GCMD_TE;
	if (vtd_gcmd(v, 0, VTD_GSTS_TES, false))
		vlog(v, IOMMU_LOG_WARN, "translation did not turn off");
	v->gcmd = 0;
	if (vtd_gcmd(v, 0, VTD_GSTS_QIES, false))
		vlog(v, IOMMU_LOG_WARN, "queue did not turn off");
	while (v->devs) {
		struct vtd_dev *d = v->devs;

		v->devs = d->next;
		vtd_free_pasid_tables(v, d);
		free(d->auxv);
		free(d);
	}
	vtd_free_tables(v);
	vtd_domain_fini_common(&v->identity);
	vtd_domain_fini_common(&v->blocked);
	free(v->did_map);
	vtd_destroy_locks(v);
	free(v);
}

/* ---- ops tables ---------------------------------------------------------- */

static const struct iommu_domain_ops vtd_paging_ops = {
    .attach_dev = vtd_drv_attach_dev,
    .map_pages = vtd_drv_map_pages,
    .unmap_pages = vtd_drv_unmap_pages,
    .iotlb_sync_map = vtd_drv_iotlb_sync_map,
    .iotlb_sync = vtd_drv_iotlb_sync,
    .flush_iotlb_all = vtd_drv_flush_iotlb_all,
    .iova_to_phys = vtd_drv_iova_to_phys,
    .aux_attach_dev = vtd_drv_aux_attach_dev,
    .aux_detach_dev = vtd_drv_aux_detach_dev,
    .free = vtd_drv_domain_free,
};

/* Static domains: the core never maps, unmaps or frees them. */
static const struct iommu_domain_ops vtd_static_ops = {
    .attach_dev = vtd_drv_attach_dev,
};

const struct iommu_ops vtd_drv_ops = {
    .probe = vtd_drv_probe,
    .release = vtd_drv_release,
    .probe_device = vtd_drv_probe_device,
    .release_device = vtd_drv_release_device,
    .device_group = vtd_drv_device_group,
    .domain_alloc = vtd_drv_domain_alloc,
    .get_resv_regions = vtd_drv_get_resv_regions,
    .capable = vtd_drv_capable,
    .dev_enable_feat = vtd_drv_dev_enable_feat,
    .dev_disable_feat = vtd_drv_dev_disable_feat,
    .backend_features = 1u << IOMMU_DEV_FEAT_AUX,
    .irq = vtd_drv_irq,
    .instance_features = vtd_drv_instance_features,
};
