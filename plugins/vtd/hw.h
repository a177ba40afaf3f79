/* SPDX-License-Identifier: MIT */
/*
 * hw.h - the Intel VT-d DMA-remapping unit model (the "hardware"): its
 * state, the declarations its files share, and the model's decisions.
 *
 * The driver reaches the model only through the register window
 * (mmio_read/mmio_write) and through memory: root, context, PASID and
 * paging structures, the invalidation queue and wait status dwords.
 * Section numbers ("vtd 7.2") refer to spec/vtd.md.
 *
 * Files (this header holds every decision; the .c files say where they
 * apply):
 *  - hw_regs.c: the register file, GCMD/CCMD/IOTLB_REG commands, the
 *    [vtd] keys, create/destroy and the ops table.
 *  - hw_queue.c: the queued-invalidation consumer (vtd 6).
 *  - hw_xlate.c: root/context/PASID fetches, the walks, translate().
 *  - hw_cache.c: the VT-d side of the caches (keys, tags, what each
 *    invalidation removes) over plugins/lib's ilib_cache.
 *  - hw_fault.c: fault recording and the fault event (vtd 7).
 *
 *  - Registers (vtd 2): VER, CAP, ECAP (built from the [vtd] keys), GCMD /
 *    GSTS, RTADDR, CCMD, FSTS, FECTL/FEDATA/FEADDR/FEUADDR, the NFR fault
 *    recording registers at CAP.FRO, IQH/IQT/IQA/ICS/IECTL/IEDATA/IEADDR/
 *    IEUADDR/IQERCD and IVA/IOTLB at ECAP.IRO.
 *  - translate(): legacy (root -> context -> second stage) and scalable
 *    mode (root -> 256-bit context -> PASID directory -> 512-bit PASID
 *    entry -> first stage, second stage or pass-through), in the walk order
 *    of vtd 10, one fault reason per condition (vtd 7.3, 7.4).  The paging
 *    structures are walked by core/pt's pt_walk() (PT_FMT_VTDSS for the
 *    second stage, PT_FMT_X86_64 for the first, which also sets A/D); the
 *    model turns its result into the fault reason.
 *  - Caches: context cache, PASID cache and IOTLB, set-associative (8 ways,
 *    LRU per set; "N entries" is rounded up to a multiple of the ways),
 *    three instances of plugins/lib's ilib_cache.
 *    Nothing is wiped when full: one entry is evicted.  Entries stay (stale)
 *    until the matching invalidation, by queue or by register.
 *  - Queued invalidation (vtd 6): consumed on IQT writes (and when QIE is
 *    enabled or IQE cleared), in order, on the writer's thread.
 *  - Fault recording (vtd 7.1, 7.2) and the two events: vector
 *    VTD_IRQ_FAULT (FECTL) and VTD_IRQ_INV (IECTL).
 *
 * Model constants: VER 3.0 (0x30); CAP.ND 6 (16-bit DIDs); CAP.FRO 0x22
 * (FRCD[0] at 0x220); ECAP.IRO 0xF (IVA 0xF0, IOTLB_REG 0xF8); MAMV 18;
 * PSI, DWD, DRD set; RWBF, AFL, PLMR, PHMR, ZLR, PI, ESRTPS, ESIRTPS clear.
 * ECAP: C, QI, DT, SC always; PT per key; in scalable mode SMTS, SMPWCS,
 * RPS and, per key, SLTS, FLTS, NEST, PASID + PSS + SRS + ERS.  No
 * interrupt remapping, no page requests, no advanced fault log: those
 * registers read 0 and ignore writes.  The window is FRO*16 + 16*NFR
 * rounded up to 4 KiB (at least 4 KiB); offsets beyond it get -EINVAL.
 *
 * Request attributes (iommu_dma_req.attrs; vtd 4.2, 4.4, 5.2, 7.1, 7.4):
 *  - PRIV and EXEC ride in the PASID prefix: a request without PASID has
 *    neither, and the bits are ignored there (legacy and scalable mode;
 *    RID_PRIV needs ECAP.RPRIVS, which the model does not have, so it is
 *    a reserved context bit, 0x42).  EXEC is the prefix's Execute
 *    Requested bit, defined for reads only: ignored on a write.
 *  - ECAP.SRS and ECAP.ERS are set whenever PASIDs are (ECAP.PASID).
 *    Without them, PASID-entry SRE / ERE are reserved (0x5A), as Linux
 *    reports of hardware ("Set SRE bit only when hardware has SRS cap").
 *  - A request with PASID and PRIV faults 0x5D (SPT.6) when the PASID
 *    entry's SRE is 0; with EXEC, 0x5C (SPT.5) when ERE is 0.  Both are
 *    checked after the PASID entry is found valid, ERE first (the code
 *    order), for every PGTT: Linux set SRE in second-stage and
 *    pass-through entries "since the addresses are expected to be GPAs",
 *    so hardware checks it there too.  Choice: both are FPD-qualified,
 *    like 0x5B.
 *  - First stage (vtd 5.2, IA-32e rules).  A user request needs U/S = 1
 *    at every level (else 0x81), R/W = 1 at every level for a write (else
 *    0x85), and for EXEC with NXE, XD = 0 at every level (else 0x82,
 *    SGN.3).  A privileged request may read any present page; may write
 *    any present page when WPE = 0, only pages writable at every level
 *    when WPE = 1 (else 0x85); may fetch (EXEC) where XD (with NXE) allows
 *    it, and with SMEP not from a user page (U/S = 1 at every level):
 *    both 0x82.  A privileged request is looked up in the tables first
 *    without updates and walked again to set A/D only when allowed, so a
 *    refused request sets no A or D bit.  0x82 is FPD-qualified, like
 *    0x81 and 0x85.
 *  - Second stage and pass-through: PRIV changes nothing after SRE.
 *    EXEC: the SL X bit is not checked even with SLEE = 1 (core/pt's
 *    vtdss walker does not track X; vtd 12.7 keeps bit 2 ignored), so an
 *    allowed exec request translates like a read.
 *  - IOTLB: a request with PASID and PRIV or EXEC neither uses nor fills
 *    the IOTLB, whatever the stage (also no CM = 1 negative entry): it
 *    walks every time.  IOTLB entries keep the user R/W result only, so
 *    no cached answer is ever given to, or left by, another privilege.
 *  - TRANSLATED (ATS-translated, AT = 10b): the address is a host
 *    physical address.  Legacy: TT 01 lets it through unchanged with R
 *    and W (the device holds the permission the translation granted);
 *    TT 00 and TT 10 fault 0x0D (LCT.5; VirtualBox blocks translated
 *    requests on pass-through too).  Scalable: the context entry's DTE
 *    (QW0 bit 2) lets it through, else 0x44 (SCT.5, "ATS request with
 *    DTE = 0").  Choice: in scalable mode the PASID prefix of a
 *    translated request selects nothing (no PASID-table lookup; PRIV and
 *    EXEC are ignored and not recorded); the PASID is still recorded in
 *    PP/PV of a fault.  A translated request with PASID into the
 *    interrupt window faults 0x87; one without PASID is an interrupt
 *    request like any other (see below).  Translated requests never use
 *    or fill the IOTLB.
 *  - Fault records (vtd 7.1) carry PRIV (bit 93) and EXE (bit 94) of a
 *    request with PASID, and AT = 10b for a translated request.
 *
 * Decisions (vtd 12 disputed points and other choices):
 *  - 12.1 AW 0 and AW 4 are reserved: never in SAGAW, so context/PASID
 *    entries using them fault 0x03 / 0x5B.  12.2: SLLPS bits 36/37 never set.
 *  - 12.3 first-stage 2 MiB pages are always allowed; 1 GiB needs FL1GP.
 *  - 12.4 ND is 3 bits, FRO 10 bits, PSS 5 bits.
 *  - 12.7 SL leaf bits 6:3 (EMT/IPAT) and bit 2 (X) are accepted and
 *    ignored.  SL bit 62 (TM) is reserved in every entry (a 3.x unit),
 *    even though ECAP.DT is set.  SNP (bit 11) is accepted in leaves
 *    (ECAP.SC = 1) and reserved in non-leaf entries.
 *  - 12.8 FL G bit is ignored.  12.9 PASID-entry QW3-QW7 must be 0 (0x5A).
 *  - 12.11 ECAP.DIT = 0: PFSID fields of types 3 and 8 are reserved (IQE).
 *  - 12.12 IEC descriptor: G = 1 is index-selective; accepted, no effect.
 *  - 12.13 a wait with SW = IF = 0 is a valid fence (no effect); SW and IF
 *    together do both (status write, then the interrupt flag); PD without
 *    ECAP.PDS is a reserved field (IQE).
 *  - 12.14 types 6, 7, 8 (and 9) in a 128-bit queue: IQE, IQEI 5.
 *    Type 9 is an invalid type (ECAP.PRS = 0): IQE, IQEI 3.
 *  - 12.16/12.17: FRCD AT = 00b for untranslated requests, 10b for
 *    translated ones (the PCIe AT values); T2 = 0, T1 = 1 for reads.
 *    12.18: PV is 20 bits; PP = 0 and PV = 0 for requests without
 *    PASID, also in scalable mode.
 *  - 12.20/12.26 scalable-mode second-stage codes: input beyond the width
 *    0x83, read error 0x78 (any level), not present or missing permission
 *    0x79, reserved bits 0x7A.  Legacy uses 0x04, 0x07 (any level, also
 *    the top: QEMU says 0x03 there), 0x05/0x06, 0x0C.
 *  - First stage: non-canonical 0x80, top-level read error 0x73, lower
 *    0x70, P = 0 0x71, reserved 0x72, U/S = 0 0x81 (a user request),
 *    write to read-only 0x85, execute refused 0x82, A/D update failure
 *    0x91 (request attributes above).
 *    A and D are set (atomically) after a successful walk.
 *  - 12.21 FPD-qualified codes: QEMU's list (vtd 7.6) plus the scalable
 *    equivalents this model uses: 0x41, 0x43-0x46, 0x48, 0x5C, 0x5D, 0x78,
 *    0x79, 0x7A, 0x82, 0x83, 0x84, 0x86.  FPD is read from context,
 *    PASID-directory and PASID entries even when they are not present.
 *  - 12.22 context-cache domain-selective invalidation removes legacy
 *    entries of that DID and every scalable-mode entry (SM context entries
 *    carry no DID); CCMD then reports CAIG = global when the unit runs in
 *    scalable mode.  Device-selective ignores the DID (so it also removes
 *    the DID-0 not-present entries caching mode keeps).
 *  - 12.25 type-6 G = 0/1 are reserved: IQE.  Type-7 G = 2: IQE.
 *  - 12.15 DR/DW accepted and ignored (nothing is ever in flight).
 *  - Other: TTM 10, TTM 11 (no ADMS) and TTM 01 without SMTS make every
 *    DMA fault 0x31; a request with PASID in legacy mode also faults 0x31.
 *  - GCMD: a write may change one command only (TE or QIE toggled, SRTP
 *    or WBF set).  A write that changes more than one is ignored and
 *    logged.  Unsupported commands (EAFL, SFL, IRE, SIRTP, CFI) are
 *    ignored.  RTPS stays set after SRTP; WBFS never reads 1.  SRTP and TE
 *    changes do not touch the caches (ESRTPS = 0); cache entries remember
 *    the mode they were read in.  QIE enable sets IQH = 0 and latches IQA;
 *    QIE disable sets IQH = 0.
 *  - IQE stops the queue with IQH on the bad descriptor; clearing IQE
 *    (W1C) restarts processing at once.  IQERCD holds the IQEI code while
 *    IQE is set.  Register-based invalidation (CCMD, IOTLB_REG) while QI
 *    is enabled does nothing and leaves ICC / IVT set (as QEMU).
 *  - Faults are not merged by SID (no "compression"): every fault takes
 *    the next record; a full next record sets PFO; while PFO is set every
 *    fault is lost (IOMMU_STAT_FAULTS_LOST).  FSTS.FRI reads the oldest
 *    pending record.  The fault event fires when PPF/PFO/IQE/ICE/ITE go
 *    from all-clear to set; FECTL.IP follows vtd 2.4.
 *  - Caching mode (CM = 1): not-present results are cached too: a root or
 *    context entry not present (0x01/0x02/0x39/0x41) as a context-cache
 *    entry with DID 0, a not-present paging entry (at any level) as a 4 KiB
 *    IOTLB entry with the request's DID/PASID.  They fault again until
 *    invalidated.  PASID entries are never cached when not present.  With
 *    CM = 0 nothing negative is cached.
 *  - IOTLB entries are tagged by SID as well as DID, PASID (RID_PASID for
 *    requests without PASID in scalable mode, none in legacy), page and
 *    size; invalidations match DID/PASID/range only.  A write that hits a
 *    cached read-only translation faults (0x05/0x79/0x85) without a walk,
 *    except a first-stage entry that is writable but was cached before D
 *    was set: that write walks again.
 *  - Pass-through (TT 2, PGTT 4) and disabled translation are not cached.
 *    TT 2 needs AW = the largest supported AW (else 0x03).
 *  - A request without PASID to 0xFEE00000-0xFEEFFFFF is an interrupt
 *    request, not DMA: IOMMU_HW_INTERRUPT (clipped to the window, never
 *    a fault record), whatever domain the device is on and whatever its
 *    attributes (also TRANSLATED).  Translation disabled (TE = 0) is
 *    still the identity there.
 *    A translation whose output page overlaps the window faults 0x0E
 *    (legacy) / 0x87 (scalable); so does a PASID request through PT or
 *    a translated one.  An identity output (PT, translated) that starts
 *    below the window ends before it.
 *  - PGTT 3 (nested) faults 0x5B even when NEST is advertised.
 *  - Register access: 4 or 8 bytes, naturally aligned.  64-bit registers
 *    take 8-byte or 4-byte (either half) accesses; 32-bit registers take
 *    4-byte accesses only (8 bytes there: -EINVAL).  Reserved offsets
 *    read 0 and ignore writes.
 *
 * Locking.  Lock order: reg_lock -> cache set locks.
 *  - reg_lock (vtd_hw_lock(): a spin-then-yield word) guards every
 *    register, the fault records and the queue consumer, and so
 *    serializes every cache invalidation.  translate() takes it only to
 *    record a fault.
 *  - hw->live (atomic) holds the latched root table, TTM and TES, so
 *    translate() never takes reg_lock on the success path.
 *  - The caches follow ilib_cache's rules (plugins/lib/ilib_cache.h): a
 *    mutex per set, translate() holds at most one at a time; lock-free
 *    seqlock lookups of stable sets, with every slot word copied by an
 *    atomic load; a generation bumped by each invalidation before it
 *    purges, so a walk started before an invalidation does not insert
 *    its (possibly stale) result; an invalidation skips, without the
 *    lock, a stable set holding nothing it removes.
 *  - The IOTLB set depends on DID, level and page number only: a small
 *    page-selective invalidation probes just the sets its pages map to.
 *  - host->ops->raise_irq is never called with a lock held.
 */
#ifndef VTD_HW_H
#define VTD_HW_H

#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>

#include "iommu/plugin.h"
#include "ilib.h"
#include "ilib_walk_cache.h"
#include "params.h"
#include "pt.h"
#include "pt_quick.h"
#include "regs.h"

#define HW_VER	0x30
#define HW_ND	6
#define HW_FRO	0x22
#define HW_IRO	0x0f
#define HW_MAMV 18
#define HW_WAYS 8u

/* hw_qi_exec(): a wait's status write failed (IQE with IQEI 0). */
#define HW_IQE_STATUS 0x100u

#define HW_NO_TAG UINT32_MAX /* IOTLB PASID tag of legacy-mode entries */

/* hw->live: latched RTADDR (RTA and TTM) plus TES in bit 0. */
#define HW_LIVE_TES VTD_BIT(0)

/* FSTS bits whose rise fires the fault event. */
#define HW_FSTS_EVENT                                                          \
	(VTD_FSTS_PFO | VTD_FSTS_PPF | VTD_FSTS_IQE | VTD_FSTS_ICE |           \
	 VTD_FSTS_ITE)

/* HW_ST_ATS: a translated request the context lets through unchanged. */
enum hw_stage { HW_ST_SL = 0, HW_ST_FL = 1, HW_ST_PT = 2, HW_ST_ATS = 3 };

/* A context-cache entry: a decoded legacy or scalable-mode context. */
struct hw_ctx {
	uint16_t sid;
	uint8_t ttm;	/* mode the entry was read in */
	uint8_t neg_fr; /* CM = 1 cached not-present result; 0: valid */
	bool fpd;
	uint8_t tt;   /* legacy */
	uint8_t aw;   /* legacy */
	uint8_t pdts; /* scalable */
	bool paside;  /* scalable */
	bool dte;     /* scalable: translated requests allowed */
	uint16_t did; /* legacy; 0 for scalable and negative entries */
	uint32_t rid_pasid;
	uint64_t ptr; /* legacy SLPTPTR or scalable PASIDDIRPTR */
};

/* A PASID-cache entry: decoded PASID-directory + PASID-table entries. */
struct hw_pe {
	uint16_t sid;
	uint16_t did;
	uint32_t pasid;
	bool fpd; /* directory or table entry FPD */
	bool nxe;
	uint8_t pgtt;
	uint8_t levels; /* SL: AW + 2; FL: 4 or 5 */
	uint8_t width;	/* SL input width */
	bool sre;	/* supervisor requests enabled */
	bool ere;	/* execute requests enabled */
	bool wpe;	/* FL: supervisor writes honour R/W */
	bool smep;	/* FL: no supervisor fetch from user pages */
	uint64_t ptr;	/* SLPTPTR or FLPTPTR by PGTT */
};

/* An IOTLB entry. */
struct hw_tlb {
	uint16_t sid;
	uint16_t did;
	uint32_t pasid; /* HW_NO_TAG in legacy mode */
	uint8_t level;	/* leaf level: 1, 2 or 3 */
	uint8_t stage;	/* HW_ST_SL or HW_ST_FL */
	uint8_t perm;	/* IOMMU_READ | IOMMU_WRITE */
	bool neg;	/* CM = 1 not-present result */
	bool wd;	/* FL: writable, cached before D was set */
	bool sm;	/* read in scalable mode */
	uint64_t vpn;	/* input address >> level shift */
	uint64_t out;	/* output address of the page */
	uint64_t seed;	/* vtd_hw_tlb_seed(did) */
};

struct vtd_hw {
	struct iommu_host *host;

	/* parameters and derived constants (read-only after create) */
	uint64_t cap, ecap;
	uint64_t window;
	unsigned int nfr;
	unsigned int aw_max;	 /* largest AW code in SAGAW */
	unsigned int mgaw;	 /* MGAW + 1, bits */
	unsigned int pasid_bits; /* 0: no PASID */
	uint64_t ptr_rsvd;	 /* bits >= HAW of a structure pointer */
	uint64_t sl_rsvd0;	 /* pt_quick_vtdss_rsvd() of every SL walk */
	uint8_t haw;		 /* host address width, bits */
	bool cm, sm, fs, ss, pt, nest, sp2m, sp1g, fl1g, fl5;

	uint64_t live;	  /* atomic; see HW_LIVE_TES */
	bool nest_warned; /* atomic */

	unsigned int reg_lock; /* vtd_hw_lock() */
	uint32_t gsts;
	uint64_t rtaddr, ccmd, iva, iotlb;
	uint32_t fsts; /* RW1C bits only; PPF and FRI are derived */
	uint32_t fri;
	uint32_t fectl, fedata, feaddr, feuaddr;
	uint64_t iqh, iqt, iqa, iqa_live, iqercd;
	/* The queue iqa_live describes, bound to RAM once per value. */
	struct ilib_ring_cached iq;
	struct ilib_mem_spot wait_spot; /* the last wait status dword */
	uint32_t ics, iectl, iedata, ieaddr, ieuaddr;
	uint64_t (*frcd)[2];
	unsigned int frcd_next;
	unsigned int nr_pending;

	struct ilib_cache ctxc, pasidc, tlbc;
	/* Paging-structure caches (vtd 6.2.4): where a walk found the
	 * table of its leaf (ilib_walk_cache.h), IOTLB entries / 4 of them;
	 * every invalidation of the IOTLB, context or PASID cache empties
	 * it, but a page-selective IOTLB one with IH = 1 (hw_cache.c). */
	struct ilib_cache wc;
	/* Each thread's copy of what wc answered for its last regions
	 * (ilib_walk_front.h), for the short way (hw_xlate.c). */
	struct ilib_walk_fronts fronts;
	/* This model's number for the threads' memos (hw_xlate.c), given
	 * at create, never 0 (atomic). */
	uint64_t uid;
	bool tlb_fl; /* atomic, sticky: a first-stage entry was inserted */
	uint8_t tlb_levels; /* 1 << (level - 1) of sizes ever cached (atomic) */
};

/* Interrupts to raise once the locks are dropped. */
struct hw_irqs {
	bool fault, inv;
};

/*
 * What translate() knows about the request so far.  @priv and @exec are
 * the request's attributes as the hardware takes them (only with a
 * PASID; exec only on reads), @translated its address type.
 */
struct hw_xl {
	const struct iommu_dma_req *req;
	uint16_t sid;
	bool has_pasid;
	bool priv;
	bool exec;
	bool translated;
	bool sm;
	bool fpd;
	bool nxe;
	bool wpe;
	bool smep;
	uint8_t stage;
	uint8_t levels;
	uint8_t width; /* the input width checked (hw_xl_*), 64: none */
	uint16_t did;
	uint32_t tag;
	uint64_t root;
	/* Made once per resolution (hw_xl_seeds()), kept in the memo: */
	uint64_t wc_tag;   /* the paging-structure caches' tag word */
	uint64_t wc_seed;  /* ilib_walk_cache_seed(wc_tag, root) */
	uint64_t tlb_seed; /* vtd_hw_tlb_seed(did) */
	uint64_t tlb_key1; /* vtd_hw_tlb_key1(tag, did, sid) */
};

struct hw_walk {
	uint64_t out;
	unsigned int level;
	unsigned int perm;
	bool wd;
	bool notpresent;
};

#define hw_log(hw, lvl, ...) (hw)->host->ops->log((hw)->host, lvl, __VA_ARGS__)

/* ---- hw_fault.c ------------------------------------------------------- */

uint32_t vtd_hw_fsts_now(const struct vtd_hw *hw);
bool vtd_hw_fault_event(struct vtd_hw *hw, uint32_t before);
void vtd_hw_fault_status_cleared(struct vtd_hw *hw);
uint32_t vtd_hw_fri(struct vtd_hw *hw);
int vtd_hw_fault(struct vtd_hw *hw, const struct hw_xl *x, uint8_t fr);
void vtd_hw_raise(struct vtd_hw *hw, const struct hw_irqs *irq);

/* ---- hw_fetch.c ------------------------------------------------------- */

/* Root and context entry of @sid (legacy / scalable mode); fills @c
 * (c->fpd as soon as the context entry is read).  Return: 0 or the fault
 * reason. */
uint8_t vtd_hw_fetch_legacy_ctx(struct vtd_hw *hw, uint64_t rta,
				uint16_t sid, struct hw_ctx *c);
uint8_t vtd_hw_fetch_sm_ctx(struct vtd_hw *hw, uint64_t rta, uint16_t sid,
			    struct hw_ctx *c);
/* PASID-directory and PASID-table entries of @pasid under @c (x->fpd gains
 * the FPD bits read).  Return: 0 and @p, or the fault reason. */
uint8_t vtd_hw_fetch_pe(struct vtd_hw *hw, struct hw_xl *x,
			const struct hw_ctx *c, uint32_t pasid, struct hw_pe *p);

/* ---- hw_cache.c ------------------------------------------------------- */

int vtd_hw_caches_init(struct vtd_hw *hw, const uint64_t *params);
void vtd_hw_caches_fini(struct vtd_hw *hw);
bool vtd_hw_ctx_lookup(struct vtd_hw *hw, uint16_t sid, uint8_t ttm,
		       struct hw_ctx *c);
void vtd_hw_ctx_insert(struct vtd_hw *hw, const struct hw_ctx *c, uint64_t gen);
bool vtd_hw_pe_lookup(struct vtd_hw *hw, uint16_t sid, uint32_t pasid,
		      struct hw_pe *p);
void vtd_hw_pe_insert(struct vtd_hw *hw, const struct hw_pe *p, uint64_t gen);
/* The IOTLB set hash's part that depends on the DID alone. */
uint64_t vtd_hw_tlb_seed(uint16_t did);
/*
 * IOTLB key, 2 words: the tags an entry is found by.  Word 0: the page
 * number (input address >> the level's shift, below 2^52), the level at
 * bit 56, the stage at 60, scalable mode at 62; word 1: PASID (or
 * HW_NO_TAG), DID at 32, SID at 48.  A translation keeps word 1 and the
 * mode bits of word 0 with its context (the memo).
 */
#define HW_TLB_KEY_WORDS 2
#define HW_TLB_VPN	 VTD_GENMASK(55, 0)

static inline uint64_t vtd_hw_tlb_key0_mode(uint8_t stage, bool sm)
{
	return (uint64_t)stage << 60 | (uint64_t)sm << 62;
}

static inline uint64_t vtd_hw_tlb_key0(uint64_t vpn, unsigned int level,
				       uint64_t mode)
{
	return (vpn & HW_TLB_VPN) | (uint64_t)level << 56 | mode;
}

static inline uint64_t vtd_hw_tlb_key1(uint32_t pasid, uint16_t did,
				       uint16_t sid)
{
	return pasid | (uint64_t)did << 32 | (uint64_t)sid << 48;
}

/* The set hash of page @vpn of @level under the DID's seed (hw_cache.c
 * says why the set depends on these alone). */
static inline uint64_t vtd_hw_tlb_hash(uint64_t seed, unsigned int level,
				       uint64_t vpn)
{
	/* vpn * 8 + level < 2^55 */
	return ((vpn * 8 + level) + seed) * UINT64_C(0x9e3779b97f4a7c15);
}

/* An IOTLB probe's key and what it saw of its set, for the insert of
 * the same key after the walk. */
struct hw_tlb_probe {
	uint64_t key[HW_TLB_KEY_WORDS];
	struct ilib_cache_miss miss;
	unsigned int level; /* 0: no probe */
};

bool vtd_hw_tlb_lookup(struct vtd_hw *hw, struct hw_tlb *t,
		       struct hw_tlb_probe *p);
void vtd_hw_tlb_insert(struct vtd_hw *hw, const struct hw_tlb *t, uint64_t gen,
		       const struct hw_tlb_probe *p);

/* IOTLB value, 2 words: the output page; permissions, neg (bit 8), wd (9). */
#define HW_TLB_VAL_WORDS 2

/*
 * vtd_hw_tlb_probe() - the IOTLB entry of key @p->key, whose set hash is
 * @hash (vtd_hw_tlb_hash() of its DID's seed, level and page)
 * @t: on a hit, out, perm, neg and wd are filled in
 * @p: key set by the caller; on a miss keeps what the probe saw of the set
 */
static inline __attribute__((always_inline)) bool
vtd_hw_tlb_probe(struct vtd_hw *hw, struct hw_tlb_probe *p, uint64_t hash,
		 struct hw_tlb *t)
{
	uint64_t val[HW_TLB_VAL_WORDS];

	if (!ilib_cache_lookup_fixed_miss(&hw->tlbc, hash, p->key, val,
					  HW_TLB_KEY_WORDS, HW_TLB_VAL_WORDS,
					  &p->miss))
		return false;
	t->out = val[0];
	t->perm = (uint8_t)(val[1] & 0xff);
	t->neg = (val[1] >> 8) & 1;
	t->wd = (val[1] >> 9) & 1;
	return true;
}

/* The value words of an entry: output page; permissions, neg, wd. */
static inline void vtd_hw_tlb_val(uint64_t out, unsigned int perm, bool neg,
				  bool wd, uint64_t val[HW_TLB_VAL_WORDS])
{
	val[0] = out;
	val[1] = perm | (uint64_t)neg << 8 | (uint64_t)wd << 9;
}

/* vtd_hw_tlb_insert_probe() with ilib_cache_tag_bucket() of @did kept
 * in @bucket. */
static inline __attribute__((always_inline)) void
vtd_hw_tlb_insert_probe_b(struct vtd_hw *hw, const struct hw_tlb_probe *p,
			  uint8_t stage, uint16_t did, unsigned int bucket,
			  uint64_t out, unsigned int perm, bool wd,
			  uint64_t gen)
{
	uint64_t val[HW_TLB_VAL_WORDS];

	vtd_hw_tlb_val(out, perm, false, wd, val);
	if (stage == HW_ST_FL &&
	    !__atomic_load_n(&hw->tlb_fl, __ATOMIC_RELAXED))
		__atomic_store_n(&hw->tlb_fl, true, __ATOMIC_SEQ_CST);
	ilib_cache_insert_after_miss_bucket(&hw->tlbc, &p->miss, p->key, val,
					    gen, did, bucket,
					    HW_TLB_KEY_WORDS,
					    HW_TLB_VAL_WORDS);
}

/*
 * Cache the result of the walk that followed the IOTLB probe @p that
 * missed, whose key (tags and level) is the entry's: the key words are
 * the probe's, and the level's bit is already in tlb_levels (only those
 * levels are probed).  Whether the probe's set was stable is the
 * insert's to judge (ilib_cache_insert_after_miss()).
 */
static inline __attribute__((always_inline)) void
vtd_hw_tlb_insert_probe(struct vtd_hw *hw, const struct hw_tlb_probe *p,
			uint8_t stage, uint16_t did, uint64_t out,
			unsigned int perm, bool wd, uint64_t gen)
{
	vtd_hw_tlb_insert_probe_b(hw, p, stage, did,
				  ilib_cache_tag_bucket(&hw->tlbc, did), out,
				  perm, wd, gen);
}

void vtd_hw_inv_ctx(struct vtd_hw *hw, unsigned int gran, uint16_t did,
		    uint16_t sid, unsigned int fm);
void vtd_hw_inv_iotlb(struct vtd_hw *hw, unsigned int gran, uint16_t did,
		      uint64_t addr, unsigned int am, bool ih);
void vtd_hw_inv_piotlb(struct vtd_hw *hw, unsigned int g, uint16_t did,
		       uint32_t pasid, uint64_t addr, unsigned int am, bool ih);
void vtd_hw_inv_pc(struct vtd_hw *hw, unsigned int g, uint16_t did,
		   uint32_t pasid);

/*
 * The register lock, reg_lock: a word taken with one compare-and-swap and
 * given back with a store (a pthread mutex costs two atomic operations
 * and two library calls, and every driver submission takes it).  Its
 * holders run a register access, a queue run or a fault record: bounded
 * work, which waits for nothing but the cache sets' own spin locks (and
 * a VMM's trace callback, when tracing); a waiter spins a little, then
 * yields the CPU (ilib_poll_pause()), in case the holder was preempted.
 */
static inline void vtd_hw_lock(struct vtd_hw *hw)
{
	ilib_spin_lock(&hw->reg_lock);
}

static inline void vtd_hw_unlock(struct vtd_hw *hw)
{
	ilib_spin_unlock(&hw->reg_lock);
}

/* ---- hw_dump.c -------------------------------------------------------- */

int vtd_hw_dump(void *opaque, iommu_print_fn print, void *cookie);

/* ---- hw_queue.c ------------------------------------------------------- */

void vtd_hw_qi_run(struct vtd_hw *hw, struct hw_irqs *irq);

/* ---- hw_walk.c -------------------------------------------------------- */

/* IOMMU_READ or IOMMU_WRITE: what @req needs. */
static inline unsigned int vtd_hw_need(const struct iommu_dma_req *req)
{
	return req->access == IOMMU_ACCESS_WRITE ? IOMMU_WRITE : IOMMU_READ;
}

/* pt_walk() access of @req at the second stage: read or write only. */
static inline unsigned int vtd_hw_walk_acc(const struct iommu_dma_req *req)
{
	return req->access == IOMMU_ACCESS_WRITE ? PT_ACC_W : PT_ACC_R;
}

/* IOMMU_READ / IOMMU_WRITE from the user permissions a walk granted. */
static inline unsigned int vtd_hw_walk_perm(uint32_t perm)
{
	return (perm & PT_PERM_UR ? IOMMU_READ : 0u) |
	       (perm & PT_PERM_UW ? IOMMU_WRITE : 0u);
}

/* Reason for a not-present / permission miss at the second stage. */
static inline uint8_t vtd_hw_sl_perm_fr(const struct hw_xl *x)
{
	if (x->sm)
		return VTD_FR_SM_SL_PERM;
	return x->req->access == IOMMU_ACCESS_WRITE ? VTD_FR_WRITE
						    : VTD_FR_READ;
}

/* The paging-structure caches' tag of @x's walk (DID, PASID, stage). */
static inline uint64_t vtd_hw_wc_tag(const struct hw_xl *x)
{
	return x->did | (uint64_t)x->tag << 16 | (uint64_t)x->stage << 48 |
	       (uint64_t)x->sm << 52;
}

uint8_t vtd_hw_sl_walk(struct vtd_hw *hw, const struct hw_xl *x,
		       struct hw_walk *w);
uint8_t vtd_hw_fl_walk(struct vtd_hw *hw, const struct hw_xl *x,
		       struct hw_walk *w);

/* ---- hw_xlate.c ------------------------------------------------------- */

int vtd_hw_translate(void *opaque, const struct iommu_dma_req *req,
		     struct iommu_translation *out);
/* Give the model its number for the threads' memos (at create). */
void vtd_hw_uid_init(struct vtd_hw *hw);
void vtd_hw_uid_redraw(struct vtd_hw *hw);

#endif /* VTD_HW_H */
