/* SPDX-License-Identifier: MIT */
/*
 * hw.h - the Arm SMMUv3 model (the "hardware"): its state, the
 * declarations its files share, and the model's decisions.
 *
 * The driver reaches the model only through the register window
 * (mmio_read/mmio_write, pages 0 and 1) and through memory: the Stream
 * table, CD tables, translation tables, and the command and event queues.
 * Section numbers ("smmuv3 2.6") refer to spec/smmuv3.md.
 *
 * Files (this header holds every decision; the .c files say where they
 * apply):
 *  - hw_regs.c: the register file, the [smmuv3] keys that build the ID
 *    registers, create/destroy and the ops table.
 *  - hw_queue.c: the command queue consumer (smmuv3 5, 7.1, 9.2).
 *  - hw_ste.c: Stream table (linear, 2-level), STE decode and validity,
 *    CD tables (linear, 2-level), CD decode and validity.
 *  - hw_walk.c: one stage's walk through core/pt's pt_walk(), the
 *    permission model, and the stage-2 view of memory a nested stage-1
 *    walk and a nested CD fetch read through.
 *  - hw_xlate.c: translate(): global bypass, STE, substreams, CD, the
 *    walks and the TLB on the way, the fault of each failure.
 *  - hw_cache.c: the configuration cache (STEs, CDs) and the TLB over
 *    plugins/lib's ilib_cache: keys, tags (smmuv3 9.1) and what each
 *    invalidation removes (9.2); hw_tlb.h: the TLB's keys, lookup and
 *    insert, inline for translate().
 *  - hw_event.c: event records (smmuv3 6), the event queue, GERROR and
 *    the interrupts and MSIs.
 *
 * What the model is (ID registers, from the [smmuv3] keys): IDR0 S1P,
 * S2P, HTTU, Hyp (with both stages only), ATS, ASID16, VMID16, MSI, CD2L,
 * ST_LEVEL per key; always TTF = AArch64, COHACC, TTENDIAN = little-endian
 * only, STALL_MODEL = terminate only, TERM_MODEL = 1; NS1ATS = 1 (no
 * split-stage ATS) with ATS.  No BTM, DORMHINT, SEV, ATOS, PRI, VMW,
 * VATOS, ATSRECERR, RME.  IDR1
 * SIDSIZE, SSIDSIZE, CMDQS, EVENTQS per key, PRIQS 0, ATTR_PERMS_OVR and
 * ATTR_TYPES_OVR set.  IDR3: HAD always, RIL per key, nothing else (no
 * STT, XNX, FWB, PBHA, BBML, MPAM, DPT).  IDR5: OAS, granules and DS per
 * key (DS for stage 1 only: CD.DS gives 4K/16K tables the FEAT_LPA2
 * layout and a 52-bit output, smmuv3 4.11; without IDR5.DS the bit is
 * RES0 and ignored; STE.S2DS stays ILLEGAL, and input sizes keep their
 * limits without DS: T0SZ >= 16, no level -1);
 * no VAX or D128; STALL_MAX 0.  IDR2, IDR4, IDR6, MPAMIDR read 0.
 * AIDR: SMMUv3.2 (RIL is mandatory from v3.2).  IIDR reads 0 (the fields
 * are IMPLEMENTATION DEFINED; this model names no implementer).
 *
 * Choices where spec/smmuv3.md 10 lists disagreeing or unsure sources:
 *  - 10.1 pointer widths: OAS <= 52, so bits 55:52 of every pointer
 *    (STRTAB_BASE, L1STD.L2Ptr, S1ContextPtr, L1CD.L2Ptr, TTBx, S2TTB,
 *    queue bases, *_IRQ_CFG0, CMD_SYNC MSIAddress) are RES0 and ignored;
 *    fault records carry IPA and FetchAddr up to bit 51.
 *  - 10.2 PRI_RESP: no PRI, so the command is CERROR_ILL; regs.h keeps
 *    Linux's Resp position [13:12] for the driver.
 *  - 10.3 PREFETCH_ADDR: a no-op hint; DW1 is not checked (Stride and NS
 *    positions are unknown).  PREFETCH_CONFIG is a no-op too.
 *  - 10.4 CFGI_ALL is 0x04 with Range = 31; 0x07 (CFGI_VMS_PIDM) is
 *    CERROR_ILL (no VMS).
 *  - 10.5 STE S2HD/S2HA/S2S/S2R at DW2 bits 55/56/57/58.
 *  - 10.6 IIDR at 0x18, AIDR at 0x1C.
 *  - 10.7 F_CD_FETCH carries its FetchAddr in DW3 [51:3], like
 *    F_STE_FETCH; DW2 (InputAddr) is 0 for it.
 *  - 10.8 2-level Stream table: the L2 array of an L1STD holds 2^(Span-1)
 *    STEs; a SID beyond it, Span 0, a reserved Span (12..31) or Span >
 *    SPLIT + 1 give C_BAD_STREAMID.  SPLIT other than 6, 8, 10 acts as 6.
 *  - 10.9, 10.10 Reason, NSIPA, Overlay, AssuredOnly, DirtyBit: 0.
 *  - 10.11 E_PAGE_REQUEST and F_BAD_ATS_TREQ are never produced (no PRI;
 *    ATS translation requests do not reach a model through the ABI).
 *  - 10.12 CD.UWXN is ignored (VMSAv8-64 only).
 *  - 10.13 stage-2 XN: no XNX, so descriptor bit 54 forbids execution at
 *    every level of privilege and bit 53 is ignored.
 *  - 10.14 IPS / S2PS 0b111 act as 52 bits (v3.1 to v3.3); the
 *    effective size is then min(that, OAS).
 *  - 10.15 queue bases: bit 5 is an address bit (32-byte queues); a base
 *    is aligned down to the queue's size.
 *
 * Register file (smmuv3 1):
 *  - Access: 4 or 8 bytes, naturally aligned, inside the 128 KiB window,
 *    else -EINVAL.  64-bit registers take 8-byte or 4-byte (either half)
 *    accesses.  An 8-byte access that is not a 64-bit register (two
 *    32-bit registers, or a reserved pair) is RAZ/WI, one of the
 *    architecture's CONSTRAINED UNPREDICTABLE choices.  Reserved
 *    offsets, the Secure page (0x8000 up), the optional EVENTQ aliases at
 *    0xA8/0xAC, PRIQ, GATOS, AGBPA, STATUSR, IDR2/4/6 and MPAMIDR read 0
 *    and ignore writes.  Writes to read-only registers are ignored.
 *  - CR0ACK and IRQ_CTRLACK follow their registers at once.  GBPA: a
 *    write with Update = 1 applies the other fields at once (Update reads
 *    0 afterwards); a write with Update = 0 is ignored.  GBPA resets to
 *    0x1000 (SHCFG = use incoming, ABORT = 0: traffic bypasses while
 *    SMMUEN = 0 until software sets ABORT).
 *  - STRTAB_BASE and STRTAB_BASE_CFG ignore writes while SMMUEN = 1;
 *    CMDQ_BASE and CMDQ_CONS while CMDQEN = 1; EVENTQ_BASE and
 *    EVENTQ_PROD while EVENTQEN = 1.  CMDQ_PROD and EVENTQ_CONS are
 *    always writable.  Bits above a queue's wrap bit are ignored.  A
 *    LOG2SIZE above IDR1's maximum acts as the maximum; 0 is a one-entry
 *    queue.  RES0 bits of every register read 0.
 *  - STRTAB_BASE_CFG.FMT 0b01 without 2-level support, and FMT 0b1x,
 *    act as linear.  The effective LOG2SIZE is min(LOG2SIZE, SIDSIZE).
 *  - The *_IRQ_CFG registers read 0 and ignore writes without IDR0.MSI.
 *
 * Command queue (smmuv3 5, 7.1, 9.2):
 *  - Consumed on the writer's thread when CMDQ_PROD is written, when
 *    CMDQEN goes to 1 and when GERRORN acknowledges CMDQ_ERR; at most the
 *    queue's entries per such write (DESIGN rule 15); every command
 *    finishes before the next starts, so CMD_SYNC only signals.  What
 *    one command costs is under Caches below.
 *  - CERROR_ILL for: a reserved opcode; the Secure-only and IMPDEF ones;
 *    a command of an absent feature (stage-1 TLBIs and CFGI_CD* without
 *    S1P, TLBI_S2_IPA and TLBI_S12_VMALL without S2P, TLBI_EL2_* without
 *    Hyp, ATC_INV without ATS, PRI_RESP, RESUME, STALL_TERM, DPTI_*,
 *    CFGI_VMS_PIDM); SSec = 1; any non-zero RES0 bit (strict: ASID[15:8]
 *    without ASID16, VMID[15:8] without VMID16, NUM/SCALE/TG/TTL without
 *    RIL, TTL or NUM/SCALE with TG = 0, TTL128); TG != 0 with NUM = SCALE
 *    = TTL = 0; CMD_SYNC CS = 0b11.  CERROR_ABT when the command cannot
 *    be read.  On either, CONS stays on the command, CONS.ERR is set and
 *    GERROR.CMDQ_ERR toggled (with its interrupt); nothing is consumed
 *    until GERRORN acknowledges it, then consumption resumes at CONS
 *    without a PROD write.  CONS.ERR reads 0 again once acknowledged.
 *  - CMD_SYNC CS = SIG_IRQ: an MSI (MSIData to MSIAddress) when IDR0.MSI
 *    and MSIAddress != 0, else the wired vector SMMU_IRQ_CMD_SYNC.
 *    SIG_SEV acts as SIG_NONE (no IDR0.SEV).  An MSI is never a RAM
 *    write (DESIGN rule 12), so Linux's "MSI polling" (MSIAddress = the
 *    SYNC entry) does not work here: a driver polls CONS.
 *  - Range invalidation (smmuv3 5.5): TG != 0 covers (NUM + 1) *
 *    2^SCALE granules from Addr, clipped at 2^64 (no wrap); TG = 0 covers
 *    the one address.  TTL != 0 removes only leaves of that level from
 *    tables of TG's granule; a level that granule cannot hold a leaf at
 *    (16K level 1; 64K level 1 without a 52-bit OAS) acts as TTL 0.
 *    Leaf = 1 keeps the walk cache (see Caches below).
 *  - ATC_INV is consumed as a no-op (the ATC is the endpoint's).
 *
 * Configuration (smmuv3 2, 3):
 *  - Validity (C_BAD_STE) as smmuv3 2.6, plus: STRW = 0b10 without Hyp;
 *    EATS != 0 without ATS, EATS = 0b11 (no DPT), EATS = 0b10 (NS1ATS);
 *    S2FWB = 1 (no FWB); S2VMID[15:8] without VMID16 whenever the VMID
 *    tags NS-EL1 entries; S2T0SZ, S2SL0, S2TG, S2PS, S2TTB, S2AA64,
 *    S2ENDI, S2S, S2HA/S2HD checked only with stage 2 enabled.
 *  - Validity (C_BAD_CD) as smmuv3 3.2, plus: TGx reserved or a granule
 *    IDR5 lacks, with EPDx = 0; TxSZ is checked only with EPDx = 0; an
 *    IPS of 0b111 acts as 52.  {HD, HA} = {1, 0} is "off" (illegal only
 *    when HTTU < 2).  In an EL2 stream world TTB1 fields are ignored and
 *    EPD0 acts as 0.
 *  - Unaligned bases: bits below a table's alignment are ignored (the
 *    linear Stream table to its size, an L1 table to max(64, its size),
 *    an L2 STE array to its size, a CD table likewise, TTBx to the start
 *    table's size (at least 8 bytes), S2TTB to the concatenated block).
 *  - Only valid STEs and CDs are cached; an invalid or illegal one, or a
 *    failed fetch, is read again by the next request.  A CD fetched
 *    through a cached STE is inserted with the generation read before
 *    the STE lookup, and taken out again when that STE is no longer the
 *    cached one (a CFGI_STE ran meanwhile), so no CD reached through a
 *    removed STE outlives the CFGI.  L1STDs and L1CDs
 *    are not cached apart from the STE / CD reached through them, so
 *    CFGI_STE and CFGI_CD remove the same with Leaf 0 or 1.  CFGI_STE,
 *    CFGI_STE_RANGE and CFGI_CD_ALL also remove the CDs cached for the
 *    SIDs they name; CFGI_CD_ALL removes the SID's STE too, and a
 *    CFGI_STE_RANGE of more than 64 SIDs everything (more than asked,
 *    never less: a cache may always drop entries; hw_cache.c).
 *
 * Requests (iommu_dma_req; smmuv3 4.9, 6.3):
 *  - PRIV and EXEC are the incoming attributes (EXEC on reads only:
 *    writes are data); a valid STE's PRIVCFG / INSTCFG override them
 *    (0b01 reserved acts as incoming).  Records carry the result in PnU
 *    and InD.  An instruction fetch needs execute permission only.
 *  - Stage 1, NS-EL1 and EL2-E2H worlds: privileged requests check the
 *    privileged permissions, others the unprivileged (AP, APTable,
 *    PXN/UXN and their table bits unless CD.HADx, "unprivileged-writable
 *    is never privileged-executable"); CD.WXN takes execution from
 *    writable pages (per privilege); CD.PAN takes privileged data access
 *    from pages unprivileged code can read or write.  EL2 world (STRW =
 *    EL2, CR2.E2H = 0): one privilege: read always, write unless AP[2]
 *    or APTable[1], execute unless bit 54 (XN) or bit 60 (XNTable).
 *  - Stage 2: S2AP read / write, bit 54 XN; privilege does not matter.
 *  - TRANSLATED (ATS): without IDR0.ATS the request is F_UUT.  With it,
 *    CR0.ATSCHK = 0 lets it through as a PA with no Stream-table lookup
 *    (fast mode); ATSCHK = 1 looks the STE up (its faults apply), Config
 *    abort aborts silently, Config bypass or EATS = 0 give
 *    F_TRANSL_FORBIDDEN, any other EATS lets it through.
 *  - SMMUEN = 0: GBPA.ABORT aborts every request with no record, else
 *    the address is used as it is.  A request with a SubstreamID to a
 *    Config bypass STE is C_BAD_SUBSTREAMID (stage 1 off, smmuv3 6.2).
 *  - No interrupt window: an MSI of a device is a write like any other
 *    and is translated (DESIGN rule 12); IOMMU_HW_INTERRUPT is never
 *    returned.  A TLB hit or fill returns IOMMU_HW_CACHED, so the core
 *    may keep it as its per-thread hint until the next register write
 *    (what a TLB entry would outlive only through a command); bypass
 *    (SMMUEN = 0, Config bypass, a bypassed stage) returns 0, as the TLB
 *    caches no bypass result.
 *
 * Faults and events (smmuv3 6):
 *  - Order of smmuv3 6.5; within a stage 4.13.  Every configuration error
 *    (C_*), F_*_FETCH, F_WALK_EABT, F_STREAM_DISABLED, F_UUT and
 *    F_TRANSL_FORBIDDEN aborts and is recorded (C_BAD_STREAMID only with
 *    CR2.RECINVSID).  F_TRANSLATION / F_ADDR_SIZE / F_ACCESS /
 *    F_PERMISSION abort always (TERM_MODEL = 1) and are recorded with
 *    CD.R (stage 1) or STE.S2R (stage 2, also CLASS CD and TT).  The
 *    F_ADDR_SIZE of a bypassed stage (bypass STE, S1DSS bypass, stage-1
 *    bypass) has no CD and is always recorded.  Stall is never used.
 *  - Nested (Config 0b111): the CD, L1CD and every stage-1 descriptor
 *    are read through stage 2 (a fault there is a stage-2 fault with
 *    CLASS CD or TT and the IPA it translated; S2PTW with a Device
 *    stage-2 page is F_PERMISSION there); a stage-1 descriptor whose PA
 *    is not RAM is F_WALK_EABT with S2 = 0, CLASS = TT; a stage-2
 *    descriptor that is not RAM is F_WALK_EABT with S2 = 1.
 *  - Hardware updates (CD.HA/HD, STE.S2HA/S2HD with IDR0.HTTU): a walk
 *    first looks (no update), the model checks AF and permission, and
 *    only an allowed access walks again to set AF or the dirty state, so
 *    a refused access changes no descriptor.  An update that cannot be
 *    written is F_WALK_EABT.
 *  - Event queue: a record is written at PROD and PROD advances; then the
 *    event interrupt (EVENTQ_IRQEN; MSI or SMMU_IRQ_EVENTQ) fires, after
 *    every record.  EVENTQEN = 0: the record is dropped with no overflow.
 *    Full: the record is dropped and PROD.OVFLG toggled if it equals
 *    CONS.OVACKFLG.  A record that cannot be written is dropped and
 *    activates GERROR.EVENTQ_ABT_ERR.  Every dropped record counts in
 *    IOMMU_STAT_FAULTS_LOST, every written one in IOMMU_STAT_FAULTS; the
 *    model allocates nothing per fault.
 *  - GERROR: a bit is activated (toggled) only when inactive; the GERROR
 *    interrupt fires on each activation (GERROR_IRQEN; MSI or
 *    SMMU_IRQ_GERROR).  msi_write cannot fail, so the MSI_*_ABT_ERR bits
 *    are never activated.
 *
 * Caches (smmuv3 9):
 *  - Configuration cache: decoded STEs (key: SID) and CDs (key: SID and
 *    CD-table index; index 0 for a single CD or S1DSS = 0b10 traffic),
 *    config_cache_entries entries, 4 ways.  Each thread keeps a copy of
 *    the last STE and CD it used (hw_ste.c), which counts only until the
 *    next insert into the cache or CFGI: it never holds what the cache
 *    would not, and spares a request of the same stream the two lookups.
 *    With them it keeps what a plain request (no SubstreamID, no
 *    attributes) of that stream derives from the two under one value of
 *    CR2.E2H (struct hw_plan): the stream world, the overrides' result,
 *    the TLB's and the walk cache's keys; nothing the caches do not
 *    already decide.
 *  - TLB: tlb_sets x tlb_ways, LRU per set, entries evicted one by one,
 *    stale until the invalidation 9.2 names.  Tags (9.1): kind (stage 1
 *    only, combined stage 1+2, stage 2 only), stream world, VMID (NS-EL1
 *    with IDR0.S2P, also for stage-1-only STEs), ASID (non-global entries
 *    of worlds with ASIDs), nG, ASET, input page and leaf size; never the
 *    StreamID or the table base.  Nested configurations cache combined
 *    entries only (size the smaller of the two leaves); TLBI_S2_IPA does
 *    not remove them (9.2: not required), TLBI_S12_VMALL and the NH_*
 *    commands do.  Stage-1 and stage-2 bypass results are not cached.
 *  - An entry writable only through DBM and still clean keeps no write
 *    permission: a write walks again and sets the dirty state.
 *  - Walk cache (smmuv3 9.1: the SMMU may cache table descriptors, and
 *    software invalidates them with Leaf = 0): the last-level table each
 *    single-stage walk reached, per region one last-level table spans (2
 *    MiB with 4K pages), so a TLB miss there reads one descriptor
 *    instead of every level (ilib_walk_cache.h).  TLB entries / 4, at
 *    least HW_WALK_MIN, HW_WALK_WAYS ways; no [smmuv3] key.  Tag: the
 *    stage, VMID and ASID (as the TLB's, hw_walk_tag()) plus the walk's
 *    granule, levels, sizes and flags, so two configurations that share
 *    a root and an ASID never resume each other's walks.  Used by stage
 *    1 without stage 2, by stage 2 alone and by every stage-2 walk of a
 *    nested request (tables at PAs); not by the stage-1 walk of a nested
 *    one, whose tables are IPAs: its resume would skip the stage-2
 *    translations of the levels above, which TLBI_S2_IPA may change.
 *    Removed whole (O(1)) by every command 9.2 applies to walk caches:
 *    any CFGI_*, TLBI_NH_ALL, NH_ASID, EL2_ALL, EL2_ASID, S12_VMALL,
 *    NSNH_ALL, and TLBI_NH_VA, NH_VAA, EL2_VA, EL2_VAA, S2_IPA with
 *    Leaf = 0 (with Leaf = 1 they remove only last-level TLB entries and
 *    the walk cache stays); and by SMMUEN changing (more than asked,
 *    never less).  So a driver that unlinks a table and invalidates with
 *    Leaf = 1 keeps translating through the old table, as on hardware.
 *  - Cost of one command (DESIGN rule 15): CFGI_ALL, CFGI_STE,
 *    CFGI_CD_ALL O(1) (the configuration cache is tagged by StreamID),
 *    CFGI_CD O(ways); TLBI_NSNH_ALL, S12_VMALL, NH_ALL, NH_ASID, EL2_ALL,
 *    EL2_ASID O(1): the TLB is tagged by VMID and stage (NS-EL1; the
 *    VMID commands flush one or two tags), and each entry keeps the
 *    epochs of its stream world and (non-global) of its ASID scope (VMID
 *    or E2H with ASID) read before its walk and counts only while they
 *    hold; the world and ASID commands bump one epoch.  Tags hash into
 *    4096 buckets and ASID scopes into 1024, so a command may drop
 *    another scope's entries of its bucket (never fewer than asked).
 *    The TLBIs by address probe the sets of the pages
 *    they cover (every size ever cached), or scan the TLB once when
 *    those are more than its sets: O(TLB size) for a large range.
 *
 * Locking.  Lock order: reg_lock -> cache set locks.
 *  - reg_lock (mutex) guards every register, the command queue consumer
 *    and the event queue producer.  translate() takes it only to write
 *    an event record.
 *  - hw->live (a seqlock of atomic words) holds SMMUEN, GBPA.ABORT,
 *    CR2.RECINVSID and E2H, CR0.ATSCHK, STRTAB_BASE and STRTAB_BASE_CFG
 *    for translate(), which never takes reg_lock on its success path.
 *  - The caches follow ilib_cache's rules: lock-free lookups of stable
 *    sets, a set lock for inserts, a generation bumped by each
 *    invalidation before it purges, so a walk that began before an
 *    invalidation never inserts its result.  The TLB epochs are atomic
 *    counters: a walk reads its scopes' epochs before the tables, the
 *    entry keeps their sum, a lookup that found the entry reads them
 *    again and compares; a scope TLBI bumps the generation, then the
 *    epoch (ilib_cache_flush_tag() does the same for a tag).
 *  - Wired interrupts are raised after reg_lock is dropped.  MSIs are
 *    sent with msi_write under reg_lock, in order with the state they
 *    announce: the core only queues them (plugin.h) and delivers them
 *    when the outermost library call returns.
 */
#ifndef SMMU_HW_H
#define SMMU_HW_H

#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>

#include "iommu/plugin.h"
#include "hw_tlb_words.h"
#include "ilib.h"
#include "ilib_walk_cache.h"
#include "params.h"
#include "pt.h"
#include "regs.h"

#define HW_AIDR	      0x02u /* SMMUv3.2 */
#define HW_IIDR	      0x0u
#define HW_GBPA_RESET 0x00001000u
#define HW_CFG_WAYS   4u
#define HW_WALK_WAYS  4u
#define HW_WALK_MIN   16u /* walk-cache entries, at least */

/* hw->live.ctrl: what translate() reads of the registers. */
#define HW_LIVE_SMMUEN	  SMMU_BIT(0)
#define HW_LIVE_ABORT	  SMMU_BIT(1) /* GBPA.ABORT */
#define HW_LIVE_RECINVSID SMMU_BIT(2)
#define HW_LIVE_E2H	  SMMU_BIT(3)
#define HW_LIVE_ATSCHK	  SMMU_BIT(4)
#define HW_LIVE_CFG	  SMMU_GENMASK(63, 32) /* STRTAB_BASE_CFG */

/* Stream worlds (smmuv3 9.1). */
enum hw_world { HW_W_EL1 = 0, HW_W_EL2 = 1, HW_W_E2H = 2 };

/* TLB entry kinds. */
enum hw_kind { HW_K_S1 = 1, HW_K_S12 = 2, HW_K_S2 = 3 };

/* One stage's tables (from a CD's TTBx or from an STE's stage 2). */
struct hw_wcfg {
	uint64_t root;	 /* first table (aligned) */
	uint8_t g;	 /* granule: 12, 14, 16 */
	uint8_t levels;	 /* 4 - start level */
	uint8_t ia_bits; /* input size */
	uint8_t oa_bits; /* effective output size */
	uint8_t flags;	 /* PT_WALK_HA | _HD | _AFFD | _HAD */
	bool off;	 /* CD.EPDx: no walks */
	uint64_t geom;	 /* smmu_hw_walk_geom() of the above, once */
};

/* A valid STE, decoded (smmuv3 2.4, 2.5). */
struct hw_ste {
	uint8_t config; /* SMMU_STE_CFG_*; 1..3 read as abort */
	uint8_t s1fmt;	/* effective: 0b11 reads as linear */
	uint8_t s1cdmax;
	uint8_t s1dss; /* effective: 0b11 reads as terminate */
	uint8_t eats;
	uint8_t strw; /* effective: NS-EL1 when stage 2 is enabled */
	uint8_t privcfg;
	uint8_t instcfg;
	bool s2r;
	bool s2ptw;
	uint16_t vmid;
	uint64_t s1ctxptr;
	struct hw_wcfg s2;
};

/* A valid CD, decoded (smmuv3 3.1, 3.2). */
struct hw_cd {
	uint16_t asid;
	bool r;
	bool aset;
	bool wxn;
	bool pan;
	bool tbi[2];
	struct hw_wcfg tt[2]; /* TTB0, TTB1 */
};

/* A CD as the CD cache holds it. */
struct hw_cd_entry {
	struct hw_cd cd;
	/* The STE it was reached through.  A cached CD counts only under
	 * that same STE: a walk that found the old STE just before a
	 * CFGI_STE may insert its CD after the invalidation, and the CD
	 * cache is keyed by StreamID and index alone, so without this a
	 * translation under the new STE could pick up the old CD.  (A
	 * thread's memo keeps the CD alone: its own STE is the one.) */
	struct hw_ste via;
};

/*
 * The TLB keys of a request's entries of one kind (smmu_hw_tlbk()): the
 * tags of its non-global entries (key word 1, hw_tlb.tags), what its
 * VMID and kind give the sets' hash, the ilib_cache tag the VMID
 * commands flush (hw_tlb_ctag()), and the ASID epoch bucket of its
 * non-global entries, if their world has ASIDs.
 */
struct hw_tlbk {
	uint64_t tags;
	uint64_t salt; /* hw_tlb_salt() of its VMID and kind */
	uint32_t ctag;
	uint16_t ep_b;
	uint8_t kind; /* enum hw_kind */
	bool asids;   /* non-global entries keep an ASID epoch */
	uint8_t world;	 /* HW_TLB_T_WORLD() of @tags: its epoch index */
	uint32_t bucket; /* ilib_cache_tag_bucket() of @ctag in the TLB */
};

/*
 * What a request derives from its STE and CD for its stage-1 walks
 * (hw_xl_plan()), made once per request, or kept in the thread's memo
 * for the plain requests (no SubstreamID, no attributes) of the memo's
 * stream while the memo's STE and CD hold, under one value of CR2.E2H.
 */
/*
 * The short way's look of one TTB, once per plan (hw_xlate.c hw_plain()):
 * a VA of its half (bit 55 = the TTB's number) is inside the input size
 * when (va & va_mask) is 0 for TTB0, va_mask for TTB1 (TBI leaves the top
 * byte out); the IOTLB must have held only pages of the granule
 * (tlb_sizes == tlb_want; UINT64_MAX, never: no walks through it); and a
 * page's key word 0 is its number | key0_hi (hw_tlb_key0()).
 */
struct hw_quick {
	uint64_t va_mask;
	uint64_t tlb_want;
	uint64_t key0_hi;
};

struct hw_plan {
	bool ok;	  /* the memo's: the rest holds for its STE and CD */
	/* ok, and no stage 2 (the short way's plans) */
	bool quick;
	/* ctrl & (HW_LIVE_SMMUEN | HW_LIVE_E2H) it was made under, with
	 * SMMUEN set */
	uint8_t ctrl;
	uint8_t world;	  /* enum hw_world */
	bool priv;	  /* a plain request after STE.PRIVCFG */
	bool exec;	  /* a plain read after STE.INSTCFG */
	uint8_t need[2];  /* hw_perm_need() of a plain read, write */
	uint8_t acc[2];	  /* the walker's PT_ACC_* of the same */
	struct hw_tlbk k; /* the stage-1 kind (S1, or S12 nested) */
	uint64_t wtag[2]; /* walk-cache tags of TTB0, TTB1 (hw_walk.c) */
	uint64_t wseed[2]; /* ilib_walk_cache_seed() of each tag and TTB */
	struct hw_quick q[2]; /* of TTB0, TTB1 */
};

/* What translate() knows about the request so far. */
struct hw_xl {
	const struct iommu_dma_req *req;
	uint64_t ctrl;	 /* hw->live.ctrl */
	uint64_t strtab; /* hw->live.strtab */
	uint32_t sid;
	uint32_t ssid;
	bool ssv; /* the request carries a SubstreamID */
	bool write;
	bool priv;	   /* after STE.PRIVCFG */
	bool exec;	   /* after STE.INSTCFG; never for writes */
	uint8_t need;	   /* after the overrides: the PT_PERM_* bit the
			    * access needs (hw_xlate.c) */
	uint8_t acc;	   /* and the walker's PT_ACC_* of the access */
	uint8_t world;	   /* enum hw_world */
	uint32_t cd_index; /* CD-table index used */
	uint64_t cfg_gen;  /* configuration-cache generation, read before
			    * the STE lookup: what the STE and the CD it
			    * leads to may be inserted with */
	uint64_t memo_gen; /* hw->cfg_memo, read before the STE lookup */
	bool memo;	   /* the thread's memo holds *x->ste at memo_gen */
	void *memo_p;	   /* that memo (hw_ste.c), found once */
	/*
	 * The STE and CD in use: the thread's memo's own copies when it
	 * holds them (not copied: nothing changes them before the request
	 * ends, as only this thread writes its memo and it writes no STE
	 * or CD there that these point at), else ste_buf and cd_buf.
	 */
	const struct hw_ste *ste;
	const struct hw_cd *cd;
	/* The keys of the stage-1 walks: the memo's plan, or plan_buf. */
	const struct hw_plan *plan;
	struct hw_ste ste_buf;
	struct hw_cd_entry cd_buf;
	struct hw_plan plan_buf;
};

/* The PT_PERM_* bit a write / fetch / read at @priv needs (hw.h
 * Requests: an instruction fetch needs execute permission only). */
static inline uint8_t hw_perm_need(bool write, bool exec, bool priv)
{
	if (write)
		return priv ? PT_PERM_PW : PT_PERM_UW;
	if (exec)
		return priv ? PT_PERM_PX : PT_PERM_UX;
	return priv ? PT_PERM_PR : PT_PERM_UR;
}

/* The walker's access (PT_ACC_*) of a write / fetch / read at @priv. */
static inline uint8_t hw_acc(bool write, bool exec, bool priv)
{
	return (uint8_t)((write	 ? PT_ACC_W
			  : exec ? PT_ACC_X
				 : PT_ACC_R) |
			 (priv ? PT_ACC_PRIV : 0u));
}

/*
 * The last STE (and the CD reached through it) this thread's requests
 * used: a copy of what the configuration cache gave or took in, and the
 * plan of the stream's plain requests (hw_xlate.c).  It counts only
 * while hw->cfg_memo is the value read before that STE's lookup: every
 * insert into the cache (which may evict) and every CFGI bumps it, so
 * the memo never holds an STE or CD the cache itself would no longer
 * give, and a request of the same stream skips the two cache lookups
 * (and the CD's check of the STE it was reached through).  Each thread
 * has one (hw_ste.c); only that thread reads or writes it.
 */
struct hw_memo {
	uint64_t uid; /* smmu_hw.uid; 0: empty */
	uint64_t gen; /* hw->cfg_memo before the STE's lookup */
	uint32_t sid;
	/* 1 + the index of the CD @cd holds, reached through @ste; 0: none
	 * (an index is below 2^20) */
	uint32_t cd_key;
	struct hw_ste ste;
	struct hw_cd cd;
	/* plan.ok: what the stream's plain requests derive from @ste and
	 * @cd (then the CD at index 0) */
	struct hw_plan plan;
};

/* A fault to record (the event's own fields; the rest come from @x). */
struct hw_fault {
	uint8_t id; /* SMMU_EVT_* */
	bool s2;
	uint8_t class; /* SMMU_EVT_CLASS_* */
	bool ttrnw;    /* F_PERMISSION, CLASS TT: 1 descriptor read */
	bool silent;   /* terminate without a record (CD.R / S2R = 0) */
	uint64_t dw3;  /* IPA or FetchAddr, in place */
};

/* One stage's walk result. */
struct hw_wres {
	uint64_t oa;   /* output address of the input address */
	uint8_t lg2;   /* leaf (or contiguous run) size */
	uint8_t level; /* Arm level of the leaf */
	uint8_t perm;  /* effective PT_PERM_* (writable-clean: no W) */
	bool wd;       /* writable through DBM, still clean */
	bool ng;       /* stage 1: leaf nG */
	bool device;   /* stage 2: leaf MemAttr is Device */
};

/* Wired interrupts to raise once reg_lock is dropped. */
struct hw_irqs {
	bool evtq, gerror, sync;
};

/* Registers translate() reads, published as a seqlock of atomic words. */
struct hw_live {
	unsigned int seq;
	uint64_t ctrl;	 /* HW_LIVE_* */
	uint64_t strtab; /* STRTAB_BASE address */
};

struct smmu_hw {
	struct iommu_host *host;

	/* parameters and derived constants (read-only after create) */
	uint32_t idr[6];
	bool s1p, s2p, hyp, ats, msi, ril, asid16, vmid16, cd2l, st2l;
	bool ds; /* IDR5.DS: CD.DS (stage 1 only; STE.S2DS stays ILLEGAL) */
	unsigned int httu;
	unsigned int sidsize, ssidsize;
	unsigned int oas; /* bits */
	unsigned int cmdqs, evtqs;
	uint8_t grans; /* bit 0 4K, 1 16K, 2 64K */

	struct hw_live live;

	pthread_mutex_t reg_lock;
	uint32_t cr0, cr1, cr2, gbpa, irq_ctrl;
	uint32_t gerror, gerrorn;
	uint64_t gerror_cfg0, evtq_cfg0;
	uint32_t gerror_cfg1, gerror_cfg2, evtq_cfg1, evtq_cfg2;
	uint64_t strtab_base;
	uint32_t strtab_cfg;
	uint64_t cmdq_base;
	uint32_t cmdq_prod, cmdq_cons;
	/* The command queue as CMDQ_BASE describes it, bound to RAM once
	 * per value of the register.  Context: reg_lock. */
	struct ilib_ring_cached cmdq_ring;
	uint64_t evtq_base;
	uint32_t evtq_prod, evtq_cons;

	/* Unique among the instances of the process (never 0): a thread's
	 * memo of the last STE and CD names the instance it came from, as
	 * a freed one's address may be reused (hw_ste.c). */
	uint64_t uid;
	/* Bumped (atomic) by every configuration-cache insert, which may
	 * evict, and by every CFGI before it acts: a thread's memo counts
	 * only while it has not moved (hw_ste.c). */
	uint64_t cfg_memo;

	struct ilib_cache cfgc, tlbc;
	/* Walk cache (hw.h Caches): where single-stage walks found their
	 * last-level table, keyed on hw_walk_tag(), the root and the
	 * region (ilib_walk_cache.h). */
	struct ilib_cache walkc;
	/* Each thread's copy of what walkc answered for its last regions
	 * (ilib_walk_front.h), for the short way (hw_walk.c). */
	struct ilib_walk_fronts fronts;
	uint64_t tlb_sizes;   /* atomic, sticky: 1 << lg2 of entries inserted */
	bool tlb_global;      /* atomic, sticky: a global entry was inserted */
	uint64_t ep_world[3]; /* atomic, by enum hw_world */
	uint64_t ep_asid[HW_EP_BUCKETS]; /* atomic, by ASID scope */
};

#define hw_log(hw, lvl, ...) (hw)->host->ops->log((hw)->host, lvl, __VA_ARGS__)

/* Effective LOG2SIZE of a queue base register (capped at the IDR max). */
static inline unsigned int hw_q_lg2(uint64_t base, unsigned int max)
{
	unsigned int q =
	    (unsigned int)smmu_field_get(SMMU_Q_BASE_LOG2SIZE, base);

	return q < max ? q : max;
}

/* Index plus wrap flag of a PROD/CONS value for a queue of 2^@q entries. */
static inline uint32_t hw_q_pos(uint32_t v, unsigned int q)
{
	return v & (uint32_t)((2ull << q) - 1);
}

/* A queue's base: ADDR aligned down to the queue's size (hw.h, 10.15). */
static inline uint64_t hw_q_base(uint64_t base, unsigned int q,
				 unsigned int entry)
{
	return base & SMMU_Q_BASE_ADDR & ~(((uint64_t)entry << q) - 1);
}

/* ---- hw_regs.c -------------------------------------------------------- */

uint64_t smmu_hw_live(struct smmu_hw *hw, uint64_t *strtab);

/* ---- hw_dump.c -------------------------------------------------------- */

int smmu_hw_dump(void *opaque, iommu_print_fn print, void *cookie);

/* ---- hw_event.c ------------------------------------------------------- */

int smmu_hw_fault(struct smmu_hw *hw, const struct hw_xl *x,
		  const struct hw_fault *f);
void smmu_hw_gerror(struct smmu_hw *hw, uint32_t bit, struct hw_irqs *irq);
void smmu_hw_raise(struct smmu_hw *hw, const struct hw_irqs *irq);
void smmu_hw_msi_or_irq(struct smmu_hw *hw, uint64_t cfg0, uint32_t cfg1,
			bool *wired);

/* ---- hw_queue.c ------------------------------------------------------- */

void smmu_hw_cmdq_run(struct smmu_hw *hw, struct hw_irqs *irq);

/* ---- hw_cache.c ------------------------------------------------------- */

int smmu_hw_caches_init(struct smmu_hw *hw, const uint64_t *params);
void smmu_hw_caches_fini(struct smmu_hw *hw);
bool smmu_hw_ste_lookup(struct smmu_hw *hw, uint32_t sid, struct hw_ste *s);
void smmu_hw_ste_insert(struct smmu_hw *hw, uint32_t sid,
			const struct hw_ste *s, uint64_t gen);
bool smmu_hw_cd_lookup(struct smmu_hw *hw, uint32_t sid, uint32_t index,
		       struct hw_cd_entry *c);
void smmu_hw_cd_insert(struct smmu_hw *hw, uint32_t sid, uint32_t index,
		       const struct hw_cd_entry *c, uint64_t gen);
void smmu_hw_tlbk(const struct smmu_hw *hw, uint64_t tags, uint8_t kind,
		  struct hw_tlbk *k);
void smmu_hw_cfgi_ste(struct smmu_hw *hw, uint32_t sid_first,
		      uint32_t sid_last);
void smmu_hw_cfgi_cd(struct smmu_hw *hw, uint32_t sid, bool one,
		     uint32_t index);
void smmu_hw_tlbi(struct smmu_hw *hw, const struct hw_tlbi *m);
void smmu_hw_tlbi_scope(struct smmu_hw *hw, enum hw_ep scope, uint8_t world,
			uint16_t vmid, uint16_t asid);

/* ---- hw_ste.c --------------------------------------------------------- */

int smmu_hw_ste_get(struct smmu_hw *hw, struct hw_xl *x);
int smmu_hw_cd_get(struct smmu_hw *hw, struct hw_xl *x);
const struct hw_memo *smmu_hw_memo_find(struct smmu_hw *hw, uint32_t sid);
bool smmu_hw_gran_ok(const struct smmu_hw *hw, unsigned int g);

/* ---- hw_walk.c -------------------------------------------------------- */

uint64_t smmu_hw_walk_geom(const struct hw_wcfg *w);
uint64_t smmu_hw_walk_tag(const struct hw_wcfg *w, bool s2,
			  const struct hw_xl *x);
int smmu_hw_walk_s1(struct smmu_hw *hw, struct hw_xl *x, unsigned int sel,
		    uint64_t ia, struct hw_wres *r);
int smmu_hw_walk_s2(struct smmu_hw *hw, struct hw_xl *x, uint64_t ipa,
		    uint8_t class, bool write, struct hw_wres *r);
int smmu_hw_cfg_read(struct smmu_hw *hw, struct hw_xl *x, uint64_t addr,
		     uint64_t *qw, unsigned int n, struct hw_fault *f);

/* ---- hw_xlate.c ------------------------------------------------------- */

int smmu_hw_translate(void *opaque, const struct iommu_dma_req *req,
		      struct iommu_translation *out);

#endif /* SMMU_HW_H */
