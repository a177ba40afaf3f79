/* SPDX-License-Identifier: MIT */
/*
 * hw.h - the AMD-Vi IOMMU model (the "hardware"): its state, the
 * declarations its files share, and the model's decisions.
 *
 * The driver (or a guest) reaches the model only through the register
 * window (mmio_read/mmio_write) and through memory: the device table, v1
 * and v2 page tables, GCR3 tables, the command buffer, the event log and
 * COMPLETION_WAIT store words.  Section numbers ("amdvi 3.4") refer to
 * spec/amdvi.md.
 *
 * Files:
 *  - hw_regs.c: the register file (amdvi 1), EFR / EFR2 from the
 *    [amdvi] keys (plugin.c declares them), create/destroy and the ops
 *    table.
 *  - hw_queue.c: the command-buffer consumer (amdvi 5).
 *  - hw_dte.c: DTE fetch and checks, the walk configuration of a v1 or
 *    v2 DTE, the events of a failed request.
 *  - hw_xlate.c: each thread's memo, the GCR3 table, v1 and v2 walks,
 *    translate() and its short way.
 *  - hw_cache.c: the device-table cache and the IOTLB over plugins/lib's
 *    ilib_cache, and what each command removes (amdvi 8).
 *  - hw_event.c: event-log records (amdvi 6) and the interrupts.
 *
 * Choices on the open points of amdvi 10 (and others the sheet leaves):
 *  - 3.4 level skipping: a PDE at level L with NextLevel M < L - 1 is
 *    followed; the IOVA bits of the skipped levels must be zero, else
 *    IO_PAGE_FAULT with PR = 0 (the implied tables hold only entry 0: no
 *    translation, not a malformed entry).  core/pt's amdv1 walker does
 *    this.  NextLevel >= L (not 7): IO_PAGE_FAULT with PR = 1, RZ = 1.
 *  - 3.5 NextLevel-7 pages: every size above the entry's own up to its
 *    table's span, so a 2 MiB page as NextLevel 7 in level-1 slots is
 *    accepted (the walker's rule).  Leaf reserved bits (PTE 56:52, PDE
 *    60:52), address bits beyond 52, a bad size code and a leaf at level 6
 *    are RZ faults (PR = 1, RZ = 1).  Leaf PR = 0: PR = 0 fault.
 *  - 2.4 V = 1, TV = 0: every DMA is blocked and logs IO_PAGE_FAULT with
 *    PR = 0 (unless DTE.SA).  Reserved DTE bits (QEMU's list, 2.2: qword0
 *    6:2 and 63, qword2 53:52, qword3 14:0 and 53:48) are checked only
 *    when V = 1.  Mode 7, Mode above EFR.HATS + 4, GV with GLX 11b or a
 *    GLX above EFR.GLXSup, GV with GPM 10b/11b or GPM 01b without 5-level
 *    support, and IV with IntCtl 11b are illegal: ILLEGAL_DEV_TABLE_ENTRY
 *    with RZ = 1, the request aborted.  SATS (106), GPM, bit 187: not
 *    reserved (the newer layout).  SE is accepted and ignored; SA
 *    suppresses IO_PAGE_FAULT events only (the request still aborts).
 *  - DeviceID beyond the device table's Size (or the devtab_entries_max
 *    key): ILLEGAL_DEV_TABLE_ENTRY with RZ = 0, the request aborted (never
 *    a read past the table).  A DTE outside RAM: DEV_TAB_HARDWARE_ERROR
 *    (Type master abort) with the DTE's address; a page-table or GCR3
 *    entry outside RAM: PAGE_TAB_HARDWARE_ERROR with the entry's address.
 *  - 6.5 ILLEGAL_DEV_TABLE_ENTRY address: the request's IOVA (V).
 *  - 7: an untranslated result (IommuEn = 0, V = 0, Mode 0, exclusion)
 *    for a request without PASID below the MSI window ends before it: the
 *    window is never memory, whatever the DTE says.
 *  - 5.1 ILLEGAL_COMMAND_ERROR halts command processing: Head stays on the
 *    bad command, Status.CmdBufRun reads 0, until software clears
 *    Control.CmdBufEn and sets it again (it may move Head meanwhile).  A
 *    command fetch or COMPLETION_WAIT store outside RAM does the same with
 *    COMMAND_HARDWARE_ERROR (Type master abort).  Head and Tail at or past
 *    the ring's end also stop processing, without an event, until fixed.
 *  - COMPLETION_WAIT F is accepted and changes nothing: every command
 *    completes before the next one starts.  S = I = 0 is a valid fence.
 *    I sets Status.ComWaitInt whatever ComWaitIntEn says (QEMU 7.2).
 *  - Commands need IommuEn and CmdBufEn (5.1) and run on the thread of
 *    the register write that made them runnable, at most one ring's worth
 *    per write.  Opcodes 0x9/0xA (vIOMMU), 0x0 and 0xB-0xF are illegal;
 *    so are PREFETCH without EFR.PreFSup, COMPLETE_PPR_REQUEST without
 *    PPRSup, INVALIDATE_IOMMU_ALL without IASup and an IOTLB Type without
 *    InvIotlbTypeSup (never set).  INVALIDATE_IOTLB_PAGES (no device
 *    IOTLB is modelled), INVALIDATE_INTERRUPT_TABLE (no IRTE cache),
 *    COMPLETE_PPR_REQUEST and PREFETCH are checked and change nothing;
 *    PREFETCH's Inval is therefore a no-op too (nothing was prefetched).
 *  - ComLen / EventLen below 8 or above the cmd_len_max / event_len_max
 *    keys: the ring does not run (CmdBufRun / EventLogRun read 0); events
 *    meant for such a log are lost and counted.
 *  - Event log overflow (6.1): the event is dropped and counted
 *    (IOMMU_STAT_FAULTS_LOST), Status.EventOverflow is set and logging
 *    stops (EventLogRun = 0): every later event is dropped until software
 *    clears EventLogEn and sets it again (Linux's restart); the event
 *    interrupt fires on the overflow.  Events while EventLogEn or IommuEn
 *    is 0 are dropped and counted the same way.
 *  - Interrupts: the event interrupt fires when EventLogInt or
 *    EventOverflow goes from 0 to 1 with EventIntEn set (software clears
 *    EventLogInt before it drains the log, as Linux does); the
 *    completion interrupt when ComWaitInt goes from 0 to 1 with
 *    ComWaitIntEn.  MSI programmed (MSI address registers not both zero):
 *    host->ops->msi_write(address, data); else raise_irq(AMDVI_IRQ_*).
 *  - Exclusion range (1.1, 7): with ExEn, a request without PASID whose
 *    address lies in [base, limit | 0xFFF] passes untranslated (read and
 *    write) when Allow is set or the DTE has EX; checked after the DTE is
 *    found valid and legal, before TV and Mode; never cached.
 *  - MSI window (7): a request without PASID to 0xFEE00000-0xFEEFFFFF is
 *    an interrupt request, whatever the DTE, Mode or attributes:
 *    IOMMU_HW_INTERRUPT, clipped to the window (interrupt remapping is
 *    not modelled).  With PASID it is translated like any address.
 *  - IommuEn = 0 and V = 0: the request passes untranslated with read and
 *    write, not cached (2.4).
 *  - Request attributes.  Without PASID (v1, Mode 0, GIoV) PRIV and EXEC
 *    are ignored.  With PASID (v2): US = !PRIV; a user request needs U/S
 *    at every level; a privileged request may read any present page and
 *    write only pages writable at every level; EXEC is checked against NX
 *    with EFR.NXSup (without it NX is a reserved bit).  TRANSLATED (an
 *    ATS-translated address): passes unchanged with read and write when
 *    the DTE has V, TV and I = 1 (the device holds the permission the
 *    translation granted); with I = 0 it is an INVALID_DEVICE_REQUEST
 *    (Type 0, the sheet gives no encodings) and aborts.  V = 0 or
 *    IommuEn = 0: untranslated pass.
 *  - PASID requests need V, TV, GV and Control.GTEn (with EFR.GTSup) and
 *    Mode 0, else IO_PAGE_FAULT (GN, PR = 0): guest tables over v1 host
 *    tables (nesting) are not modelled.  A PASID above EFR.PASmax or not
 *    covered by DTE.GLX: the same fault.  GCR3 entries use only bit 0
 *    and bits 51:12.  GIoV (with EFR.GIOSup) sends requests without PASID
 *    through PASID 0's entry as user requests.
 *  - DomainID 0 is an ordinary tag.  HAD: A/D updates (PT_WALK_HA/HD) only
 *    when EFR.HASup/HDSup allow it and Control.HADUpdate is not 0.
 *  - Register conflicts of amdvi 10: Control bits 43/44 (NumIntRemapMode
 *    per F, DomainIDPNE per X) are stored and read back and change
 *    nothing (neither interrupt remapping nor DomainID-per-PASID is
 *    modelled).  Status bits 8/9/10 follow L, F and V (GALogRun read-only,
 *    GALogOverflow and GAInt write-1-to-clear); with no GA log they read
 *    0.  EFR bit 63 (SNPSup) is never set: no SNP.
 *
 * Caches (amdvi 8): a device-table cache keyed by DeviceID (raw DTEs,
 * V = 0 ones too; stale until INVALIDATE_DEVTAB_ENTRY or
 * INVALIDATE_IOMMU_ALL; a new device-table base does not flush it) and an
 * IOTLB keyed by (DomainID, tag, page size, page base): tag 0 for host
 * (v1) translations, PASID + 1 for guest ones (GIoV: PASID 0).  One entry
 * per page (base, size, output, permission); a lookup probes each page
 * size the IOTLB ever held (tlb_sizes), smallest first; an invalidation
 * removes every entry whose page meets its range (hw_cache.c says what
 * it probes).  Only successful walks of user requests are cached; results
 * with PRIV or EXEC are never cached.  A cached entry without the
 * permission a request needs counts as a miss: the tables are walked
 * again and the new result replaces it (so with dirty tracking a read
 * caches a page whose D is clear as read-only, and the first write walks
 * to set D).  Nothing is wiped when full: LRU per set.
 *
 * PDE cache (plugins/lib ilib_walk_cache.h, probed with the seed each
 * DTE's walk makes once, kept in the memo): where a walk found the table holding its leaf,
 * so a miss elsewhere in the same 2 MiB region reads one entry; keyed on
 * DomainID, the IOTLB tag (0 host, PASID + 1 guest), the walk's levels
 * and GLX, the root the DTE names (v1: the host table; v2: the GCR3
 * table, so a hit also skips the GCR3 entries, which the entry stands
 * for) and the region.  Only walks that found their leaf
 * below the top level fill it; a walk resumed from it reads nothing
 * above that table (nor sets A there: the walk that filled it did).
 * Size: a quarter of the IOTLB's entries, at least 16 (a table covers
 * 512 pages, so a quarter of the IOTLB's reach in regions is plenty),
 * 8 ways.  What empties it (all of it, O(1)): INVALIDATE_IOMMU_PAGES
 * with PDE = 1 (5.4: PDE = 1 removes cached page-directory entries with
 * the PTEs; after a GCR3 entry changes, software sends GN = 1, PDE = 1
 * for the PASID, as the driver does), INVALIDATE_IOMMU_ALL,
 * INVALIDATE_DEVTAB_ENTRY (a new DTE may name another root, Mode, GLX
 * or HAD), a write of the device-table base and a change of Control's
 * IommuEn, GTEn or HADUpdate.  PDE = 0 removes only leaf translations
 * (5.4) and keeps it: a driver that frees or changes a directory entry
 * and sends PDE = 0 keeps translating through the old tables, as on
 * hardware with PDE caches.
 *
 * Each thread's memo (hw_xlate.c): what the last DTE it resolved for a
 * plain request (no TRANSLATED; with PASID, neither PRIV nor EXEC) makes
 * of a v1 or v2 walk, per DeviceID and PASID, valid while the
 * device-table cache's generation, Control and Device Table Base are as
 * they were: it answers as the cache would, without the lookup and the
 * checks (and what the walk's caches need of the DTE: the IOTLB's key
 * word and the two set-hash seeds).  For v2 it also keeps the PASID's
 * GCR3 entry while the PDE cache's generation holds, so that GCR3 entry
 * is cached as the PDE entries that stand for it are (a thread that read
 * it keeps using it for regions the PDE cache never saw), until the same
 * invalidations: software changes a GCR3 entry and sends GN = 1, PDE = 1.
 *
 * Locking.  Lock order: reg_lock -> cache set locks.
 *  - reg_lock (mutex) guards the register file, the command consumer and
 *    the event log; translate() takes it only to log an event.
 *  - The registers translate() reads (Control, device-table base,
 *    exclusion base / limit) are also published as atomics.
 *  - The caches follow ilib_cache's rules (generation before a walk, so a
 *    walk that raced an invalidation does not insert).
 *  - host->ops->raise_irq and msi_write are called with no lock held.
 */
#ifndef AMDVI_HW_H
#define AMDVI_HW_H

#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>

#include "iommu/plugin.h"
#include "ilib.h"
#include "ilib_walk_cache.h"
#include "ilib_walk_front.h"
#include "params.h"
#include "pt.h"
#include "regs.h"

/* An IOTLB entry (value words, see hw_cache.c). */
struct hw_tlb {
	uint64_t base; /* IOVA of the page */
	uint64_t out;  /* output address of the page */
	uint64_t mask; /* its size - 1 */
	unsigned int size_lg2;
	unsigned int perm; /* IOMMU_READ | IOMMU_WRITE */
};

struct amdvi_hw {
	struct iommu_host *host;

	/* parameters (read-only after create) */
	uint64_t efr, efr2;
	unsigned int max_mode;	   /* HATS + 4 */
	unsigned int guest_levels; /* 4 or 5 */
	unsigned int glx_max;
	unsigned int pasid_bits;
	uint32_t devtab_max; /* entries */
	unsigned int cmd_len_max, evt_len_max;

	/* published for translate(): atomics */
	uint64_t ctrl, dtb, excl_base, excl_limit;

	pthread_mutex_t reg_lock;
	uint64_t cmd_base, evt_base, ppr_base;
	uint64_t cmd_head, cmd_tail, evt_head, evt_tail;
	uint64_t ppr_head, ppr_tail, ga_base, ga_tail, ga_head, ga_tail_ptr;
	uint64_t status;  /* RW1C bits; the run bits are derived */
	bool cmd_halted;  /* ILLEGAL_COMMAND / COMMAND_HW_ERROR */
	/* The command buffer as Command Buffer Base describes it, bound to
	 * RAM once per value of the register, not per doorbell. */
	struct ilib_ring_cached cmd_ring;
	struct ilib_mem_spot cw_spot; /* the last COMPLETION_WAIT store */
	bool evt_stopped; /* overflow stopped logging */
	uint32_t msi_lo, msi_hi, msi_data;

	struct ilib_cache dtec, tlbc;
	/* PDE cache (ilib_walk_cache.h): where a walk found the table of
	 * its leaf, per (tag, root, 2 MiB region); hw_cache.c. */
	struct ilib_cache walkc;
	/* Each thread's copy of what walkc answered for its last regions
	 * (ilib_walk_front.h), for the short way (hw_xlate.c). */
	struct ilib_walk_fronts fronts;
	uint64_t tlb_sizes; /* bit n: the IOTLB held a 2^n page (atomic) */
	/* What keeps a request off the short way (hw_xlate.c hw_plain()),
	 * one load for all: HW_SHORT_EXCL, the exclusion range is on (a
	 * request without PASID; set and cleared by the register write,
	 * under reg_lock); HW_SHORT_EMPTY, the IOTLB held no page yet
	 * (cleared by its first 4 KiB page, never set again); HW_SHORT_BIG,
	 * it held a page larger than 4 KiB (set once, never cleared).  Each
	 * bit changes by one atomic read-modify-write of its own owner, so
	 * no change undoes another (atomic). */
	uint64_t short_off;
	/* pt_quick_amdv1_rsvd() and pt_quick_amdv2_rsvd() of every v1 and
	 * v2 walk (hw_xlate.c hw_walk()): read-only after create. */
	uint64_t v1_rsvd0, v2_rsvd0;
	/* This instance's number for the threads' memos (hw_xlate.c),
	 * never 0 and never another instance's (atomic).  Drawn again
	 * after every write that changes Control or Device Table Base and
	 * after every invalidation of the device-table cache
	 * (amdvi_hw_uid_redraw()): a memo made under the old number is
	 * void, so it need not keep those values or the cache's
	 * generation. */
	uint64_t uid;
};

/* Interrupts to signal once the locks are dropped. */
struct hw_irqs {
	bool event, comwait;
};

/* One event record before it is written (amdvi 6.3). */
struct hw_event {
	uint64_t qw[2];
};

#define hw_log(hw, lvl, ...) (hw)->host->ops->log((hw)->host, lvl, __VA_ARGS__)

static inline uint64_t hw_ld(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void hw_st(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* ---- hw_dump.c -------------------------------------------------------- */

int amdvi_hw_dump(void *opaque, iommu_print_fn print, void *cookie);

/* ---- hw_event.c ------------------------------------------------------- */

void amdvi_hw_log_event_locked(struct amdvi_hw *hw, const struct hw_event *e,
			       struct hw_irqs *irq);
void amdvi_hw_log_event(struct amdvi_hw *hw, const struct hw_event *e);
void amdvi_hw_signal(struct amdvi_hw *hw, const struct hw_irqs *irq);
bool amdvi_hw_evt_running(const struct amdvi_hw *hw);
void amdvi_evt_page_fault(struct hw_event *e, uint16_t devid, uint16_t domid,
			  uint32_t pasid, bool gn, unsigned int flags,
			  uint64_t addr);
void amdvi_evt_simple(struct hw_event *e, unsigned int code, uint16_t devid,
		      unsigned int flags, unsigned int type, uint64_t addr);

/* ---- hw_cache.c ------------------------------------------------------- */

int amdvi_hw_caches_init(struct amdvi_hw *hw, const uint64_t *params);
void amdvi_hw_caches_fini(struct amdvi_hw *hw);
bool amdvi_hw_dte_lookup(struct amdvi_hw *hw, uint16_t devid, uint64_t *dte);
void amdvi_hw_dte_insert(struct amdvi_hw *hw, uint16_t devid,
			 const uint64_t *dte, uint64_t gen);
/*
 * What the IOTLB's key and set hash take from (DomainID, tag): made once
 * per DTE resolution (the thread's memo keeps it), not per request.
 */
struct hw_tlb_tag {
	uint64_t word; /* DomainID | tag << 16: the key's second word */
	uint64_t seed; /* its part of the set hash */
	/* ilib_cache_tag_bucket() of @word in the IOTLB: a thread's memo
	 * keeps it for the short way's insert (hw_xlate.c hw_plain()) */
	unsigned int bucket;
};

void amdvi_hw_tlb_tag(const struct amdvi_hw *hw, struct hw_tlb_tag *tt,
		      uint16_t domid, uint32_t tag);

/* An IOTLB value: the page's output address | its permission (the page
 * is at least 4 KiB, so the permission fits below the address). */
#define AMDVI_HW_TLB_PERM 0xfffull

/*
 * amdvi_hw_tlb_key() - the IOTLB key of the 2^@lg2 page holding @addr, of
 * @tagword (hw_tlb_tag.word): the page first, since a lookup compares
 * each way's first word and the entries of a set mostly share their
 * DomainID and tag (word 1).  The page's number in its own size needs no
 * mask of the address.
 */
static inline void amdvi_hw_tlb_key(uint64_t *key, uint64_t tagword,
				    uint64_t addr, unsigned int lg2)
{
	key[0] = addr >> lg2 | (uint64_t)lg2 << 56;
	key[1] = tagword;
}

/*
 * amdvi_hw_tlb_hash() - the set hash of an IOTLB key (@seed:
 * hw_tlb_tag.seed of its word 1): the page number times an odd constant
 * picks the set from the product's high bits (ilib_cache_set_of()),
 * which every bit of the page number reaches, so neighbouring pages
 * spread over the sets; the DomainID and tag move the whole sequence.
 * One multiplication per probe, where ilib_hash64() takes five steps
 * more.
 */
static inline uint64_t amdvi_hw_tlb_hash(const uint64_t *key, uint64_t seed)
{
	return (key[0] + seed) * 0x9e3779b97f4a7c15ull;
}
/* @miss: set on every call; on a miss of the one 4 KiB probe, what it
 * saw of its set (ilib_cache_lookup_fixed_miss()). */
bool amdvi_hw_tlb_lookup(struct amdvi_hw *hw, const struct hw_tlb_tag *tt,
			 uint64_t iova, struct hw_tlb *t,
			 struct ilib_cache_miss *miss);
/*
 * Cache the page @t of @tt: its base and size are the key; 12 <= size_lg2
 * <= 63, base and output aligned to the size (hw_xlate.c makes it so).
 * @miss: NULL, or the lookup's record for @t's address (used for a 4 KiB
 * page, the size that lookup probed).
 */
bool amdvi_hw_tlb_insert(struct amdvi_hw *hw, const struct hw_tlb_tag *tt,
			 const struct hw_tlb *t, uint64_t gen,
			 const struct ilib_cache_miss *miss);
/* amdvi_hw_tlb_insert() of a 4 KiB page (@t's size_lg2 is not read). */
bool amdvi_hw_tlb_insert_4k(struct amdvi_hw *hw, const struct hw_tlb_tag *tt,
			    const struct hw_tlb *t, uint64_t gen,
			    const struct ilib_cache_miss *miss);
void amdvi_hw_inv_dte(struct amdvi_hw *hw, uint16_t devid);
void amdvi_hw_inv_pages(struct amdvi_hw *hw, uint16_t domid, uint32_t tag,
			uint64_t first, uint64_t last);
void amdvi_hw_inv_all(struct amdvi_hw *hw);
void amdvi_hw_walk_flush(struct amdvi_hw *hw);

/* ---- hw_queue.c ------------------------------------------------------- */

bool amdvi_hw_cmd_running(const struct amdvi_hw *hw);
void amdvi_hw_cmd_run(struct amdvi_hw *hw, struct hw_irqs *irq);
int amdvi_inv_range(uint64_t q1, uint64_t *first, uint64_t *last);

/* ---- hw_dte.c --------------------------------------------------------- */

/* What translate() knows about the request so far. */
struct hw_xl {
	const struct iommu_dma_req *req;
	const uint64_t *dte; /* the DTE (resolution only, not the memo) */
	uint16_t devid;
	uint16_t domid;
	bool has_pasid;
	bool write;
	bool sa;	  /* DTE.SA: no IO_PAGE_FAULT events */
	bool user;	  /* v2: a user request (PRIV clear, or no PASID) */
	bool cache;	  /* the IOTLB may hold the result (hw.h) */
	unsigned int acc; /* the walk's PT_ACC_* */
	bool memo; /* the thread's memo holds this request's resolution */
};

/*
 * What a DTE and the registers make of a request's walk: built from the
 * DTE by hw_cfg_v1() / hw_cfg_v2(), or taken from the thread's memo.
 */
struct hw_cfg {
	/* The PDE cache's key: its tag (hw_walk_tag()), the seed of tag
	 * and root, and the root (v1: the host table; v2: the GCR3
	 * table) */
	struct ilib_walk_key wk;
	uint64_t dbit;	 /* the leaf's D bit under dirty updates, else 0 */
	struct hw_tlb_tag tt; /* the IOTLB's (domid, tag) */
	uint32_t wflags; /* PT_WALK_* */
	uint32_t perm;	 /* v1: DTE.IR / IW as PT_PERM_*; v2: 0 */
	uint32_t tag;	 /* IOTLB tag: 0 host, PASID + 1 guest */
	uint16_t domid;
	uint8_t levels;
	uint8_t glx; /* v2; 0 for v1 */
	uint8_t fmt; /* the walk's PT_FMT_* */
	uint8_t leaf_levels; /* and its pt_walk_desc.leaf_levels */
	bool v2;
	bool sa;
	/* pt_quick_amdv1_need() or pt_quick_amdv2_need() of @wflags, by
	 * PT_ACC_R (1) and PT_ACC_W (2) (hw_quick()): bits below 8 */
	uint8_t quick_need[3];
};
_Static_assert(PT_FMT_AMDV1 <= 0xff && PT_FMT_AMDV2 <= 0xff,
	       "a format fits hw_cfg.fmt");

int amdvi_hw_pf(struct amdvi_hw *hw, const struct hw_xl *x, bool gn,
		unsigned int flags);
int amdvi_hw_illegal_dte(struct amdvi_hw *hw, const struct hw_xl *x, bool rz);
int amdvi_hw_hw_error(struct amdvi_hw *hw, const struct hw_xl *x,
		      unsigned int code, uint64_t pa);
int amdvi_hw_dte_get(struct amdvi_hw *hw, const struct hw_xl *x, uint64_t dtb,
		     uint64_t *d);
bool amdvi_hw_dte_legal(const struct amdvi_hw *hw, const uint64_t *d);
void amdvi_hw_cfg_v1(const struct amdvi_hw *hw, const struct hw_xl *x,
		     uint64_t ctrl, struct hw_cfg *c);
int amdvi_hw_cfg_v2(struct amdvi_hw *hw, const struct hw_xl *x, uint32_t pasid,
		    uint64_t ctrl, struct hw_cfg *c);

/* ---- hw_xlate.c ------------------------------------------------------- */

int amdvi_hw_translate(void *opaque, const struct iommu_dma_req *req,
		       struct iommu_translation *out);
uint64_t amdvi_hw_uid_new(void);

#define HW_SHORT_EXCL  1ull
#define HW_SHORT_EMPTY 2ull
#define HW_SHORT_BIG   4ull
/* The sizes' bits: a request with PASID checks only these. */
#define HW_SHORT_SIZES (HW_SHORT_EMPTY | HW_SHORT_BIG)
void amdvi_hw_uid_redraw(struct amdvi_hw *hw);

#endif /* AMDVI_HW_H */
