/* SPDX-License-Identifier: MIT */
/*
 * drv.h - the Arm SMMUv3 driver: its state, the declarations its files
 * share, and the driver's decisions.
 *
 * The driver reaches the SMMU only through the bus it is given at probe
 * (the 128 KiB register window) and through physical memory: the Stream
 * table, CDs, page tables (core/pt, PT_FMT_LPAE_S1), the command queue
 * and the event queue all live in table memory from host->ops->
 * table_alloc.  It never calls the model (hw_*.c); the two share only
 * regs.h.  Section numbers ("smmuv3 2.7") refer to spec/smmuv3.md.
 *
 * Files (this header holds every choice; the .c files say where they
 * apply):
 *  - drv_probe.c: discovery (IDR0/1/3/5), the bring-up of smmuv3 1.7,
 *    release, devices, groups, reserved regions, the ops table.
 *  - drv_queue.c: command encoders (smmuv3 5.4, 5.5), the command queue
 *    as an ilib_ring producer, submit-and-sync with error recovery.
 *  - drv_domain.c: the Stream table and STEs, CDs, ASIDs, paging domains
 *    on core/pt, map/unmap and the TLBIs they gather, attach, the static
 *    blocked and identity domains.
 *  - drv_pasid.c: per-device CD tables (substreams), set_dev_pasid, the
 *    AUX feature.
 *  - drv_fault.c: the event queue consumer, event records -> struct
 *    iommu_fault, GERROR.
 *
 * Choices (where the spec or the design leave room):
 *
 *  - Discovery: IDR0.S1P and AArch64 tables (IDR0.TTF) are required, and
 *    the granule the [smmuv3] key `granule` names (IDR5.GRANxx); a
 *    missing one is -ENODEV with a log naming it.  Paging domains are
 *    stage 1 by default: VA size 48 bits (CD.T0SZ = 16), output size
 *    IDR5.OAS (capped at 48 bits for 4K/16K unless IDR5.DS: then CD.DS,
 *    IPS 52 and core/pt's PT_FEAT_DS tables, OA[51:50] in bits 9:8 and
 *    no SH in leaves, sheet 4.11, TV6; stage 2 never uses S2DS), the
 *    page-size bitmap the granule's levels can hold leaves at
 *    (4K: 4K 2M 1G; 16K: 16K 32M; 64K: 64K 512M), no contiguous runs.
 *
 *  - Stage-2 paging domains (paging_stage = stage2, needs IDR0.S2P; the
 *    blocking domain keeps its stage-1 CD, so S1P stays required): a
 *    VMID each from 1 .. 2^8 or 2^16 - 2 (VMID 0 tags every stage-1 STE;
 *    the largest is the swap VMID below), PT_FMT_LPAE_S2 with an IPA of
 *    min(OAS, 48) bits and core/pt's (Linux's) start level, concatenated
 *    tables included (sheet 4.4, TV5: 16K with 48 bits is two tables at
 *    level 1), STE DW2 = S2VMID, S2T0SZ = 64 - IPA, S2SL0 of that start
 *    level, S2IR0 = S2OR0 = WBRA, S2SH0 ISH, S2TG, S2PS = the output
 *    code, S2AA64, S2PTW and S2R (sheet 2.7); DW3 = S2TTB.  Unmap:
 *    TLBI_S2_IPA (ranges as for stage 1), TLBI_S12_VMALL past the
 *    threshold; a freed domain's VMID is TLBI_S12_VMALL'd before reuse.
 *
 *  - Stream table (smmuv3 2.2): linear when IDR0.ST_LEVEL has no 2-level
 *    support or SIDSIZE <= 8 (Linux's rule), else 2-level with SPLIT 8
 *    (L2 arrays of 256 STEs, Span 9) and an L1 table of at most 2^13
 *    descriptors (LOG2SIZE = min(SIDSIZE, 21)); an L2 array is
 *    allocated when the first device under it is probed.  A device whose
 *    SID the table cannot hold is refused (-ERANGE).  Every STE starts as
 *    "V, Config abort" (smmuv3 1.7).
 *
 *  - One STE layout, so that every attach is hitless: DW1 (S1CIR = S1COR
 *    = WB, S1CSH = ISH, SHCFG = incoming, STRW NS-EL1, EATS 0, INSTCFG
 *    data) is the same for every STE the driver writes after the
 *    initial abort; DW2/DW3 hold a stage-2 domain's fields and are kept
 *    as they are by the other kinds, which ignore them (S2VMID tags
 *    stage-1 entries, but the blocking CD and bypass cache nothing; in
 *    stage-1 mode DW2 = DW3 = 0, VMID 0).  The words the old STE does not
 *    use are written first; the switch is then one 64-bit store of DW0
 *    (Config and S1ContextPtr live there), followed by CFGI_STE (Leaf)
 *    and CMD_SYNC.  A request sees the old STE or the new one, never
 *    an invalid one (smmuv3 2.7 needs the V = 0 step only when more than
 *    one used doubleword changes).  Between two stage-2 STEs two used
 *    words change (S2VMID, S2TTB): the STE goes through the swap VMID
 *    (the largest one, never allocated): {old, old TTB} -> {swap, old
 *    TTB} -> {swap, new TTB} -> {new, new TTB}, each step one store with
 *    CFGI_STE + CMD_SYNC, the last with TLBI_S12_VMALL(swap); dev_lock
 *    serializes attaches, so one swap VMID is enough.
 *
 *  - INSTCFG = data: the API's mappings carry no execute permission of
 *    their own (there is no IOMMU_NOEXEC), so an instruction fetch is
 *    taken as the read it is; otherwise a privileged fetch from a page
 *    unprivileged code may write (AP[1] = 1, as Linux maps) would fault
 *    where a read passes.  PRIVCFG stays "incoming": privilege does not
 *    widen or narrow what a read/write mapping allows (PAN is 0).
 *
 *  - CDs: one CD per stage-1 paging domain, in a 4 KiB table page of
 *    its own (S1CDMax 0): every device without PASIDs on the domain
 *    points its STE at it.  The CD is written whole before any STE
 *    points at it and never changes afterwards, so it needs no CFGI_CD;
 *    CFGI_STE drops the CDs cached through the SID (smmuv3 5.4).  Fields
 *    as smmuv3 3.4 (T0SZ 16, TG0, IR0 = OR0 = WBWA, SH0 ISH, EPD1, IPS,
 *    AA64, R, A, ASET, ASID, TTB0, MAIR 0x00000000F404FF44).
 *
 *  - Substreams (drv_pasid.c; stage-1 mode, IDR1.SSIDSIZE > 0): a device
 *    gets a CD table of its own while PASIDs are attached to it, S1CDMax
 *    = min(its PASID bits, SSIDSIZE), shaped as Linux does (smmuv3 3.3):
 *    linear without IDR0.CD2L or up to 1024 CDs, else S1Fmt 0b10 (an L1
 *    table of 2^(S1CDMax - 10) L1CDs, 64 KiB leaves of 1024 CDs, a leaf
 *    allocated when the first PASID under it is attached, leaf 0 at
 *    once).  CD 0 is a copy of the primary domain's CD (S1DSS 0b10:
 *    requests without a SubstreamID use it, SubstreamID 0 is refused),
 *    or none for identity (S1DSS bypass); CD[pasid] a copy of the PASID
 *    domain's.  Copies are safe: a domain's CD never changes.  The first
 *    PASID fills the table, then switches the STE (DW1's S1DSS, unused
 *    while S1CDMax = 0, first; then DW0); the last one removed switches
 *    it back (DW0 alone: S1DSS stays, unused) and frees the table.  A new
 *    CD is written whole with V last, then CFGI_CD (Leaf 0 when its L1CD
 *    is new) + CMD_SYNC; a removed one gets V = 0 (its DMA is C_BAD_CD);
 *    a replaced one changes ASID (DW0) and TTB0 (DW1), so it goes
 *    through the swap ASID (the largest, never allocated) one word at a
 *    time with CFGI_CD + CMD_SYNC, the last step with TLBI_NH_ASID(swap):
 *    no window through blocked.  A primary attach while PASIDs are
 *    attached is -EBUSY (rule 8; the core refuses it first).  No
 *    substreams in stage-2 mode (they would need nested STEs): AUX and
 *    set_dev_pasid are -EOPNOTSUPP there.  AUX is a flag: the table
 *    comes with the first PASID, whoever attaches it (aux API or VMM).
 *
 *  - ASIDs: 0 is the blocking domain's; paging domains get the lowest
 *    free one of 1 .. 2^8 - 2 or 2^16 - 2 (IDR0.ASID16) from an ilib_ids
 *    allocator (the largest is the swap ASID of a CD replace).  Leaves
 *    are non-global (PT_FEAT_NG), so the TLB tags them with the ASID.
 *    Stage-1-only STEs use VMID 0 (smmuv3 9.1), so every stage-1 TLBI
 *    names VMID 0.  A freed domain's ASID is invalidated whole
 *    (TLBI_NH_ASID + CMD_SYNC) before it can be reused.
 *
 *  - Static domains: BLOCKED is never bypass and never Config abort
 *    alone: an abort STE aborts silently (smmuv3 2.5), and DESIGN rule
 *    11 wants every blocked DMA reported once with its access.  So the
 *    blocking STE is stage 1 with the instance's blocking CD: EPD0 =
 *    EPD1 = 1, R = 1, A = 1, ASID 0: every request without a substream
 *    is an F_TRANSLATION, recorded and aborted, and nothing is walked or
 *    cached.  IDENTITY is Config bypass.  Their ops (smmu_blocked_ops,
 *    smmu_identity_ops) get the instance as their domain.
 *
 *  - Invalidation: one lock (cmdq_lock) covers writing commands, PROD
 *    and the wait.  Every submission ends with one CMD_SYNC with CS =
 *    SIG_NONE (the model never writes MSIs to RAM, so no MSI polling);
 *    commands go in as the queue has room (PROD written when it is full,
 *    the SMMU consuming meanwhile), so any number of them needs one sync.
 *    The driver polls CMDQ_CONS until it passes the sync, at most
 *    timeout_polls reads per wait (-ETIMEDOUT).  Unmap gathers a range; iotlb_sync issues, with
 *    IDR3.RIL, range TLBI_NH_VA commands (TG = granule, TTL 0, NUM and
 *    SCALE as smmuv3 5.5's loop; one granule alone is a plain TG = 0
 *    command, since NUM = SCALE = TTL = 0 is reserved), so a 256 x 4K
 *    unmap is one TLBI and one CMD_SYNC; without RIL one TLBI_NH_VA per
 *    granule up to inval_threshold granules, else TLBI_NH_ASID.  Leaf = 1
 *    unless a table page was unlinked.  Emptied table pages are freed
 *    only after the sync (table_free_after).
 *
 *  - Command errors (GERROR.CMDQ_ERR, CMDQ_CONS.ERR): the submitter sees
 *    the error while polling, logs it, overwrites the bad command with a
 *    CMD_SYNC (harmless), acknowledges through GERRORN so the queue
 *    resumes, and the batch returns -EIO; an unmap's flush then falls
 *    back to TLBI_NH_ASID.  irq() never touches the command queue.
 *
 *  - Bring-up (smmuv3 1.7): GBPA.ABORT first, so nothing bypasses while
 *    the SMMU is off; CR0 = 0; CR1/CR2 Linux's values (PTM, RECINVSID);
 *    Stream table; command queue (2^min(CMDQS, 8) entries) and CMDQEN;
 *    CFGI_ALL, TLBI_EL2_ALL (with Hyp), TLBI_NSNH_ALL, each with a sync;
 *    event queue (2^min(EVENTQS, 7) entries) and EVENTQEN; ATSCHK with
 *    ATS (so that a TRANSLATED request is checked against its STE: EATS
 *    0 refuses it, never a pass-through of a blocked device); wired
 *    interrupts (IRQ_CFG0 = 0) with EVENTQ_IRQEN and GERROR_IRQEN; then
 *    SMMUEN.  Release turns SMMUEN and the queues off with GBPA.ABORT.
 *
 *  - Faults: irq() reads EVENTQ_PROD, copies the records up to it (at
 *    most the queue's size per pass, a few passes), moves EVENTQ_CONS
 *    with OVACKFLG = OVFLG (an overflow is logged and counted in
 *    nr_overflows; the lost records are the model's FAULTS_LOST), then
 *    reports each decoded record once with no lock held.  Reasons:
 *    F_TRANSLATION -> NOT_MAPPED (an invalid descriptor: the event tells
 *    it apart from F_PERMISSION, so no IOMMU_FAULT_F_REFINE is needed);
 *    F_PERMISSION, F_TRANSL_FORBIDDEN, F_UUT -> PERMISSION; F_ACCESS,
 *    C_BAD_STE, C_BAD_CD -> BAD_ENTRY; F_ADDR_SIZE -> ADDR_SIZE;
 *    F_STE_FETCH, F_CD_FETCH, F_WALK_EABT -> TABLE_FETCH;
 *    C_BAD_SUBSTREAMID, F_STREAM_DISABLED -> BAD_PASID; C_BAD_STREAMID
 *    -> BAD_DEVICE.  Access from RnW (plus PRIV from PnU, EXEC from InD)
 *    and the address from InputAddr, for the events that carry them.
 *
 *  - device_group: every StreamID is its own group (the INI's group
 *    labels model what the SMMU cannot see).  Reserved region: Linux's
 *    software MSI window 0x08000000 + 1 MiB (smmuv3 8).
 *
 * Locks (outermost first): dev_lock (rwlock: the device list and each
 * device's domain), cmdq_lock (queue), then the leaves: the ASID
 * allocator's lock, st_lock (L2 arrays), evt_lock.  irq() takes only
 * evt_lock and reports with none held; the core calls it only after the
 * call that made the hardware raise returned (DESIGN rule 13).
 * map/unmap/iova_to_phys take no lock (core/pt installs tables with
 * compare-and-swap).
 */
#ifndef SMMU_DRV_H
#define SMMU_DRV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "iommu/plugin.h"
#include "ilib.h"
#include "params.h"
#include "pt.h"
#include "regs.h"

#define SMMU_ASID_BLOCKED  0u
#define SMMU_ASID_FIRST	   1u
#define SMMU_VMID_S1	   0u /* every stage-1 STE's S2VMID */
#define SMMU_VMID_FIRST	   1u
#define SMMU_ST_SPLIT	   8u  /* 256 STEs per L2 array */
#define SMMU_ST_L1_MAX_LG2 13u /* at most 8192 L1 descriptors */
#define SMMU_ST_LINEAR_MAX 8u  /* SIDSIZE up to this: linear */
#define SMMU_CMDQ_MAX_LG2  8u
#define SMMU_EVTQ_MAX_LG2  7u
#define SMMU_MAX_BATCH	   32u /* range TLBIs built for one flush, at most */
#define SMMU_VA_BITS	   48u

#define slog(s, lvl, fmt, ...)                                                 \
	(s)->host->ops->log((s)->host, (lvl), "smmuv3: " fmt, ##__VA_ARGS__)

enum smmu_dom_kind {
	SMMU_DOM_PAGING = 1,
	SMMU_DOM_BLOCKED,
	SMMU_DOM_IDENTITY,
};

struct smmu_drv;

struct smmu_cmd {
	uint64_t dw[2];
};

struct smmu_domain {
	struct smmu_drv *s;
	enum smmu_dom_kind kind;
	bool s2;	/* paging on stage 2 (VMID, STE.S2*), no CD */
	uint16_t asid;	/* stage 1 */
	uint16_t vmid;	/* stage 2 */
	uint64_t vtcr;	/* stage 2: STE DW2 but S2VMID */
	uint64_t cd_pa; /* CD table page (one CD): stage-1 paging, blocked */
	uint64_t *cd;
	struct pt pt;
	unsigned int nr_devs; /* devices attached; under dev_lock */
};

/* A domain on a SubstreamID of a device (its CD-table slot). */
struct smmu_pasid {
	uint32_t pasid;
	struct smmu_domain *dom;
};

struct smmu_dev {
	uint32_t sid;
	struct smmu_domain *domain; /* under dev_lock */
	struct smmu_dev *next;	    /* in s->devs */
	unsigned int ssid_bits;	    /* S1CDMax: min(PASID bits, SSIDSIZE) */
	bool aux;		    /* IOMMU_DEV_FEAT_AUX enabled */
	/* The CD table, while PASIDs are attached (under dev_lock). */
	uint64_t cdt_pa;	    /* linear table or L1 table */
	uint64_t *cdt;
	size_t cdt_size;
	bool cdt_2lvl;		    /* S1Fmt 64K_L2: leaves of 1024 CDs */
	uint64_t *cdt_leaf;	    /* 2-level: leaf PA per L1 index, or 0 */
	struct smmu_pasid *pv;
	size_t nr_pasid, cap_pasid;
};

struct smmu_drv {
	struct iommu_host *host;
	struct iommu_bus bus;
	uint32_t idr0, idr1, idr3, idr5;
	unsigned int sid_bits, oas_bits, ias_oas_code;
	unsigned int granule_lg2;
	uint64_t pgsizes;
	bool s2;	      /* paging domains on stage 2 (paging_stage) */
	bool ds;	      /* CD.DS: 52-bit output with the 4K/16K granule */
	unsigned int ssid_bits; /* IDR1.SSIDSIZE; 0 in stage-2 mode */
	bool cd2l;	      /* IDR0.CD2L */
	unsigned int s2_ia;   /* their IPA size */
	bool ril, hyp, ats;
	uint64_t inval_threshold;
	uint64_t timeout_polls;
	uint32_t cr0; /* enables written so far */

	/* Stream table */
	bool st_2lvl;
	unsigned int st_log2size;
	uint64_t st_pa;
	size_t st_size;
	uint64_t *st; /* linear STEs or L1 descriptors */
	pthread_mutex_t st_lock;
	uint64_t *l2_pa; /* 2-level: per L1 index, 0 if none */

	/* command queue: the driver is its producer */
	pthread_mutex_t cmdq_lock;
	uint64_t cmdq_pa;
	size_t cmdq_size;
	struct ilib_ring cmdq;
	uint32_t cmdq_prod;
	uint32_t cmdq_cons; /* CONS as last read: never ahead of the SMMU's */

	/* event queue: the driver is its consumer */
	pthread_mutex_t evt_lock;
	uint64_t evtq_pa;
	size_t evtq_size;
	struct ilib_ring evtq;
	uint32_t evtq_cons;
	uint64_t nr_overflows;

	/* devices and domains */
	pthread_rwlock_t dev_lock;
	struct smmu_dev *devs;
	struct ilib_ids asids;
	uint32_t asid_last;
	struct ilib_ids vmids; /* stage 2: 1 .. vmid_last - 1 */
	uint32_t vmid_last;    /* the swap VMID (drv.h) */

	struct smmu_domain blocked;
	struct smmu_domain identity;
};

static inline struct smmu_dev *smmu_dev_of(struct iommu_dev_info *info)
{
	return info ? info->priv : NULL;
}

/* ---- drv_queue.c --------------------------------------------------------- */

struct smmu_cmd smmu_cmd_cfgi_all(void);
struct smmu_cmd smmu_cmd_cfgi_ste(uint32_t sid, bool leaf);
struct smmu_cmd smmu_cmd_tlbi_nsnh_all(void);
struct smmu_cmd smmu_cmd_tlbi_el2_all(void);
struct smmu_cmd smmu_cmd_cfgi_cd(uint32_t sid, uint32_t ssid, bool leaf);
struct smmu_cmd smmu_cmd_tlbi_asid(uint16_t asid);
struct smmu_cmd smmu_cmd_tlbi_va(uint16_t asid, uint64_t va, bool leaf,
				 unsigned int tg, unsigned int num,
				 unsigned int scale);
struct smmu_cmd smmu_cmd_tlbi_s2_ipa(uint16_t vmid, uint64_t ipa, bool leaf,
				     unsigned int tg, unsigned int num,
				     unsigned int scale);
struct smmu_cmd smmu_cmd_tlbi_s12_vmall(uint16_t vmid);
struct smmu_cmd smmu_cmd_sync(void);
int smmu_submit(struct smmu_drv *s, const struct smmu_cmd *c, size_t n);
int smmu_setup_cmdq(struct smmu_drv *s);

/* ---- drv_domain.c -------------------------------------------------------- */

int smmu_st_setup(struct smmu_drv *s);
int smmu_st_l2_alloc(struct smmu_drv *s, uint32_t sid);
uint64_t *smmu_ste_ptr(struct smmu_drv *s, uint32_t sid);
int smmu_write_ste(struct smmu_drv *s, struct smmu_dev *dev,
		   struct smmu_domain *dom);
int smmu_domain_init_static(struct smmu_drv *s);
void smmu_domain_fini_static(struct smmu_drv *s);
void smmu_free_tables(struct smmu_drv *s);
int smmu_drv_domain_alloc_paging(void *inst, struct iommu_dev_info *dev,
				 unsigned int flags,
				 struct iommu_domain_info *info, void **out);
extern const struct iommu_domain_ops smmu_blocked_ops;
extern const struct iommu_domain_ops smmu_identity_ops;

/* ---- drv_pasid.c --------------------------------------------------------- */

int smmu_drv_set_dev_pasid(void *d, struct iommu_dev_info *info,
			   uint32_t pasid, void *old);
int smmu_blocked_set_dev_pasid(void *inst, struct iommu_dev_info *info,
			       uint32_t pasid, void *old);
void smmu_cdt_free(struct smmu_drv *s, struct smmu_dev *dev);
unsigned int smmu_drv_instance_features(void *inst);
int smmu_drv_dev_enable_feat(void *inst, struct iommu_dev_info *info,
			     enum iommu_dev_feature feat);
int smmu_drv_dev_disable_feat(void *inst, struct iommu_dev_info *info,
			      enum iommu_dev_feature feat);

/* ---- drv_fault.c --------------------------------------------------------- */

int smmu_setup_evtq(struct smmu_drv *s);
void smmu_drv_irq(void *inst, unsigned int vector);

#endif /* SMMU_DRV_H */
