// SPDX-License-Identifier: MIT
/*
 * hw.c - the Intel VT-d DMA-remapping unit model (the "hardware").
 *
 * The driver reaches the model only through the register window
 * (mmio_read/mmio_write) and through memory: root, context, PASID and
 * paging structures, the invalidation queue and wait status dwords.
 * Section numbers ("vtd 7.2") refer to spec/vtd.md.
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
 *    LRU per set; "N entries" is rounded up to a multiple of the ways).
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
 * RPS and, per key, SLTS, FLTS, NEST, PASID + PSS.  No interrupt
 * remapping, no page requests, no advanced fault log: those registers read
 * 0 and ignore writes.  The window is FRO*16 + 16*NFR rounded up to 4 KiB
 * (at least 4 KiB); offsets beyond it get -EINVAL.
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
 *  - 12.16/12.17: FRCD AT = 0 (untranslated requests only), T2 = 0, T1 = 1
 *    for reads.  12.18: PV is 20 bits; PP = 0 and PV = 0 for requests
 *    without PASID, also in scalable mode.
 *  - 12.20/12.26 scalable-mode second-stage codes: input beyond the width
 *    0x83, read error 0x78 (any level), not present or missing permission
 *    0x79, reserved bits 0x7A.  Legacy uses 0x04, 0x07 (any level, also
 *    the top: QEMU says 0x03 there), 0x05/0x06, 0x0C.
 *  - First stage: non-canonical 0x80, top-level read error 0x73, lower
 *    0x70, P = 0 0x71, reserved 0x72, U/S = 0 0x81 (every request is a
 *    user request), write to read-only 0x85, A/D update failure 0x91.
 *    A and D are set (atomically) after a successful walk.
 *  - 12.21 FPD-qualified codes: QEMU's list (vtd 7.6) plus the scalable
 *    equivalents this model uses: 0x41, 0x43-0x46, 0x48, 0x78, 0x79, 0x7A,
 *    0x83, 0x84, 0x86.  FPD is read from context, PASID-directory and
 *    PASID entries even when they are not present.
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
 *    message, not DMA: identity, clipped to the window, never a fault.
 *    A translation whose output page overlaps the window faults 0x0E
 *    (legacy) / 0x87 (scalable); so does a PASID request through PT.
 *  - PGTT 3 (nested) faults 0x5B even when NEST is advertised.
 *  - Register access: 4 or 8 bytes, naturally aligned.  64-bit registers
 *    take 8-byte or 4-byte (either half) accesses; 32-bit registers take
 *    4-byte accesses only (8 bytes there: -EINVAL).  Reserved offsets
 *    read 0 and ignore writes.
 *
 * Locking.  Lock order: reg_lock -> cache set locks.
 *  - reg_lock (mutex) guards every register, the fault records and the
 *    queue consumer.  translate() takes it only to record a fault.
 *  - hw->live (atomic) holds the latched root table, TTM and TES, so
 *    translate() never takes reg_lock on the success path.
 *  - Each cache set has a mutex; translate() holds at most one at a time.
 *    Every cache has an atomic generation bumped by each invalidation
 *    before it purges; a walk started before an invalidation does not
 *    insert its (possibly stale) result.
 *  - Each set also has a sequence count (odd while a lock holder changes
 *    it): a lookup that finds its entry already most recently used (or
 *    finds nothing) in a stable set takes no lock; an IOTLB invalidation
 *    skips, without the lock, a stable set holding nothing it removes.
 *    Inserts make seq odd before they read the generation (seq_cst on
 *    both sides), so an invalidation never misses an insert in flight.
 *  - The IOTLB set depends on DID, level and page number only: a small
 *    page-selective invalidation probes just the sets its pages map to.
 *  - host->ops->raise_irq is never called with a lock held.
 */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iommu/plugin.h"
#include "params.h"
#include "pt.h"
#include "regs.h"

#define HW_VER  0x30
#define HW_ND   6
#define HW_FRO  0x22
#define HW_IRO  0x0f
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

enum hw_stage { HW_ST_SL = 0, HW_ST_FL = 1, HW_ST_PT = 2 };

/* A context-cache entry: a decoded legacy or scalable-mode context. */
struct hw_ctx {
	uint16_t sid;
	uint8_t ttm;     /* mode the entry was read in */
	uint8_t neg_fr;  /* CM = 1 cached not-present result; 0: valid */
	bool fpd;
	uint8_t tt;      /* legacy */
	uint8_t aw;      /* legacy */
	uint8_t pdts;    /* scalable */
	bool paside;     /* scalable */
	uint16_t did;    /* legacy; 0 for scalable and negative entries */
	uint32_t rid_pasid;
	uint64_t ptr;    /* legacy SLPTPTR or scalable PASIDDIRPTR */
};

/* A PASID-cache entry: decoded PASID-directory + PASID-table entries. */
struct hw_pe {
	uint16_t sid;
	uint16_t did;
	uint32_t pasid;
	bool fpd;        /* directory or table entry FPD */
	bool nxe;
	uint8_t pgtt;
	uint8_t levels;  /* SL: AW + 2; FL: 4 or 5 */
	uint8_t width;   /* SL input width */
	uint64_t ptr;    /* SLPTPTR or FLPTPTR by PGTT */
};

/* An IOTLB entry. */
struct hw_tlb {
	uint16_t sid;
	uint16_t did;
	uint32_t pasid;  /* HW_NO_TAG in legacy mode */
	uint8_t level;   /* leaf level: 1, 2 or 3 */
	uint8_t stage;   /* HW_ST_SL or HW_ST_FL */
	uint8_t perm;    /* IOMMU_READ | IOMMU_WRITE */
	bool neg;        /* CM = 1 not-present result */
	bool wd;         /* FL: writable, cached before D was set */
	bool sm;         /* read in scalable mode */
	uint64_t vpn;    /* input address >> level shift */
	uint64_t out;    /* output address of the page */
};

struct hw_slot {
	uint64_t stamp; /* 0: empty; else last use within the set */
	union {
		struct hw_ctx ctx;
		struct hw_pe pe;
		struct hw_tlb tlb;
	} u;
};

struct hw_set {
	pthread_mutex_t lock;
	uint64_t tick;
	unsigned int seq; /* atomic: odd while a lock holder changes the set */
};

struct hw_cache {
	unsigned int nsets, ways;
	struct hw_set *sets;
	struct hw_slot *slots;
	uint64_t gen; /* atomic: bumped by every invalidation */
};

struct vtd_hw {
	struct iommu_host *host;

	/* parameters and derived constants (read-only after create) */
	uint64_t cap, ecap;
	uint64_t window;
	unsigned int nfr;
	unsigned int aw_max;     /* largest AW code in SAGAW */
	unsigned int mgaw;       /* MGAW + 1, bits */
	unsigned int pasid_bits; /* 0: no PASID */
	uint64_t ptr_rsvd;       /* bits >= HAW of a structure pointer */
	uint8_t haw;             /* host address width, bits */
	bool cm, sm, fs, ss, pt, nest, sp2m, sp1g, fl1g, fl5;

	uint64_t live; /* atomic; see HW_LIVE_TES */
	bool nest_warned; /* atomic */

	pthread_mutex_t reg_lock;
	uint32_t gsts;
	uint64_t rtaddr, ccmd, iva, iotlb;
	uint32_t fsts; /* RW1C bits only; PPF and FRI are derived */
	uint32_t fri;
	uint32_t fectl, fedata, feaddr, feuaddr;
	uint64_t iqh, iqt, iqa, iqa_live, iqercd;
	uint32_t ics, iectl, iedata, ieaddr, ieuaddr;
	uint64_t (*frcd)[2];
	unsigned int frcd_next;
	unsigned int nr_pending;

	struct hw_cache ctxc, pasidc, tlbc;
	bool tlb_fl; /* atomic, sticky: a first-stage entry was inserted */
};

/* Interrupts to raise once the locks are dropped. */
struct hw_irqs {
	bool fault, inv;
};

/* What translate() knows about the request so far. */
struct hw_xl {
	const struct iommu_dma_req *req;
	uint16_t sid;
	bool has_pasid;
	bool sm;
	bool fpd;
	bool nxe;
	uint8_t stage;
	uint8_t levels;
	uint16_t did;
	uint32_t tag;
	uint64_t root;
};

struct hw_walk {
	uint64_t out;
	unsigned int level;
	unsigned int perm;
	bool wd;
	bool notpresent;
};

#define hw_log(hw, lvl, ...) (hw)->host->ops->log((hw)->host, lvl, __VA_ARGS__)

static void hw_stat(struct vtd_hw *hw, enum iommu_stat stat, uint64_t n)
{
	if (n && hw->host->ops->stat_add)
		hw->host->ops->stat_add(hw->host, stat, n);
}

static void hw_raise(struct vtd_hw *hw, const struct hw_irqs *irq)
{
	if (irq->fault)
		hw->host->ops->raise_irq(hw->host, VTD_IRQ_FAULT);
	if (irq->inv)
		hw->host->ops->raise_irq(hw->host, VTD_IRQ_INV);
}

/* Bounds-checked read of guest memory; -EFAULT outside RAM or on wrap. */
static int hw_read(struct vtd_hw *hw, uint64_t pa, void *buf, size_t len)
{
	if (pa + (len - 1) < pa)
		return -EFAULT;
	return hw->host->ops->mem_read(hw->host, pa, buf, len);
}

/* Read @n little-endian qwords at @pa. */
static int hw_read_qw(struct vtd_hw *hw, uint64_t pa, uint64_t *qw,
		      unsigned int n)
{
	int ret = hw_read(hw, pa, qw, 8u * n);

	if (ret)
		return ret;
	for (unsigned int i = 0; i < n; i++)
		qw[i] = le64toh(qw[i]);
	return 0;
}

static uint64_t hw_mix(uint64_t a)
{
	a ^= a >> 33;
	a *= 0xff51afd7ed558ccdull;
	a ^= a >> 33;
	a *= 0xc4ceb9fe1a85ec53ull;
	a ^= a >> 33;
	return a;
}

/* ---- Set-associative caches ------------------------------------------- */

static int hw_cache_init(struct hw_cache *c, uint64_t entries)
{
	unsigned int i;

	c->ways = entries < HW_WAYS ? (unsigned int)entries : HW_WAYS;
	c->nsets = (unsigned int)((entries + c->ways - 1) / c->ways);
	c->sets = calloc(c->nsets, sizeof(*c->sets));
	c->slots = calloc((size_t)c->nsets * c->ways, sizeof(*c->slots));
	if (!c->sets || !c->slots)
		goto err_free;
	for (i = 0; i < c->nsets; i++) {
		if (pthread_mutex_init(&c->sets[i].lock, NULL))
			goto err_locks;
	}
	return 0;

err_locks:
	while (i--)
		pthread_mutex_destroy(&c->sets[i].lock);
err_free:
	free(c->sets);
	free(c->slots);
	c->sets = NULL;
	c->slots = NULL;
	return -ENOMEM;
}

static void hw_cache_fini(struct hw_cache *c)
{
	if (!c->sets)
		return;
	for (unsigned int i = 0; i < c->nsets; i++)
		pthread_mutex_destroy(&c->sets[i].lock);
	free(c->sets);
	free(c->slots);
	c->sets = NULL;
	c->slots = NULL;
}

typedef bool (*hw_eq_fn)(const struct hw_slot *s, const struct hw_slot *key);

static uint64_t hw_cache_gen(struct hw_cache *c)
{
	return __atomic_load_n(&c->gen, __ATOMIC_ACQUIRE);
}

/* The set of @hash: its high 32 bits scaled to nsets (no division). */
static unsigned int hw_cache_set(const struct hw_cache *c, uint64_t hash)
{
	return (unsigned int)(((hash >> 32) * c->nsets) >> 32);
}

/*
 * Writers of a set (slots, stamps, tick) hold its lock and bracket the
 * change with hw_set_wbegin()/hw_set_wend(), so that hw_cache_lookup() can
 * read the set without the lock and retry under it when seq moved.
 */
static void hw_set_wbegin(struct hw_set *st)
{
	__atomic_store_n(&st->seq, st->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void hw_set_wend(struct hw_set *st)
{
	__atomic_store_n(&st->seq, st->seq + 1, __ATOMIC_RELEASE);
}

/*
 * hw_cache_lookup() - find the entry equal to @key in set @hash
 * Copies it into @out and marks it most recently used.
 * Context: lock-free when the set is stable and the entry found is already
 * the most recently used one of its set (or absent); else takes the
 * set's lock.
 */
static inline __attribute__((always_inline)) bool
hw_cache_lookup(struct hw_cache *c, uint64_t hash, hw_eq_fn eq,
			    const struct hw_slot *key, struct hw_slot *out)
{
	unsigned int set = hw_cache_set(c, hash);
	struct hw_set *st = &c->sets[set];
	struct hw_slot *s = &c->slots[(size_t)set * c->ways];
	unsigned int seq = __atomic_load_n(&st->seq, __ATOMIC_ACQUIRE);
	bool hit = false, mru = false;

	if (!(seq & 1)) {
		for (unsigned int w = 0; w < c->ways; w++) {
			uint64_t stamp = __atomic_load_n(&s[w].stamp,
							 __ATOMIC_RELAXED);

			if (stamp && eq(&s[w], key)) {
				*out = s[w];
				mru = stamp == __atomic_load_n(
						       &st->tick,
						       __ATOMIC_RELAXED);
				hit = true;
				break;
			}
		}
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&st->seq, __ATOMIC_RELAXED) == seq &&
		    (!hit || mru))
			return hit;
	}
	hit = false;
	pthread_mutex_lock(&st->lock);
	for (unsigned int w = 0; w < c->ways; w++) {
		if (s[w].stamp && eq(&s[w], key)) {
			hw_set_wbegin(st);
			s[w].stamp = ++st->tick;
			hw_set_wend(st);
			*out = s[w];
			hit = true;
			break;
		}
	}
	pthread_mutex_unlock(&st->lock);
	return hit;
}

/*
 * hw_cache_insert() - store @e in set @hash unless an invalidation ran
 * since @gen was read; replaces an equal entry, else an empty or the
 * least recently used one.
 * Context: takes the set's lock.
 */
static void hw_cache_insert(struct hw_cache *c, uint64_t hash, hw_eq_fn eq,
			    const struct hw_slot *e, uint64_t gen)
{
	unsigned int set = hw_cache_set(c, hash);
	struct hw_set *st = &c->sets[set];
	struct hw_slot *s = &c->slots[(size_t)set * c->ways];
	struct hw_slot *victim = NULL;

	pthread_mutex_lock(&st->lock);
	for (unsigned int w = 0; w < c->ways; w++) {
		if (s[w].stamp && eq(&s[w], e)) {
			victim = &s[w];
			break;
		}
		if (!victim || (victim->stamp && s[w].stamp < victim->stamp))
			victim = &s[w];
	}
	/*
	 * seq goes odd before the generation is read (both seq_cst):
	 * hw_tlb_inval_set() bumps the generation before it reads seq, so
	 * either it sees this set busy or this insert sees the new generation.
	 */
	__atomic_fetch_add(&st->seq, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&c->gen, __ATOMIC_SEQ_CST) == gen) {
		*victim = *e;
		victim->stamp = ++st->tick;
	}
	hw_set_wend(st);
	pthread_mutex_unlock(&st->lock);
}

/*
 * hw_cache_inval() - remove every entry @pred accepts
 * Bumps the generation first, so that walks in flight do not insert.
 * Context: takes each set's lock in turn.
 */
static void hw_cache_inval(struct hw_cache *c,
			   bool (*pred)(const struct hw_slot *s, const void *arg),
			   const void *arg)
{
	__atomic_add_fetch(&c->gen, 1, __ATOMIC_SEQ_CST);
	for (unsigned int set = 0; set < c->nsets; set++) {
		struct hw_set *st = &c->sets[set];
		struct hw_slot *s = &c->slots[(size_t)set * c->ways];

		pthread_mutex_lock(&st->lock);
		hw_set_wbegin(st);
		for (unsigned int w = 0; w < c->ways; w++)
			if (s[w].stamp && (!pred || pred(&s[w], arg)))
				s[w].stamp = 0;
		hw_set_wend(st);
		pthread_mutex_unlock(&st->lock);
	}
}

/* Keys and hashes of the three caches. */
static bool hw_ctx_eq(const struct hw_slot *s, const struct hw_slot *k)
{
	return s->u.ctx.sid == k->u.ctx.sid && s->u.ctx.ttm == k->u.ctx.ttm;
}

static uint64_t hw_ctx_hash(uint16_t sid, uint8_t ttm)
{
	return hw_mix(sid | (uint64_t)ttm << 16);
}

static bool hw_pe_eq(const struct hw_slot *s, const struct hw_slot *k)
{
	return s->u.pe.sid == k->u.pe.sid && s->u.pe.pasid == k->u.pe.pasid;
}

static uint64_t hw_pe_hash(uint16_t sid, uint32_t pasid)
{
	return hw_mix(sid | (uint64_t)pasid << 16 | 1ull << 63);
}

static bool hw_tlb_eq(const struct hw_slot *s, const struct hw_slot *k)
{
	const struct hw_tlb *a = &s->u.tlb, *b = &k->u.tlb;

	return a->vpn == b->vpn && a->level == b->level && a->sid == b->sid &&
	       a->pasid == b->pasid && a->did == b->did &&
	       a->stage == b->stage && a->sm == b->sm;
}

/*
 * The IOTLB set of an entry depends on its DID, level and page only (not
 * on SID or PASID), so that a page-selective invalidation, which names the
 * DID and the range, can probe just the sets the range maps to.
 */
static inline uint64_t hw_tlb_hash_of(uint16_t did, unsigned int level, uint64_t vpn)
{
	return hw_mix(vpn * 8 + level) ^ hw_mix((uint64_t)did << 32 | 1);
}

static uint64_t hw_tlb_hash(const struct hw_tlb *t)
{
	return hw_tlb_hash_of(t->did, t->level, t->vpn);
}

/* What an invalidation removes. */
struct hw_match {
	unsigned int gran;   /* VTD_CC_* / 0 = everything for the others */
	bool did_on, pasid_on, range_on, fl_only, fl_any_addr;
	uint16_t did;
	uint32_t pasid;
	uint16_t sid, sid_mask;
	uint64_t first, last; /* byte range, inclusive */
	uint64_t vfirst[4], vlast[4]; /* [level]: page numbers it covers */
};

static bool hw_ctx_pred(const struct hw_slot *s, const void *arg)
{
	const struct hw_match *m = arg;
	const struct hw_ctx *c = &s->u.ctx;

	switch (m->gran) {
	case VTD_CC_DOMAIN:
		return c->ttm == VTD_TTM_SCALABLE || c->did == m->did;
	case VTD_CC_DEVICE:
		return (c->sid & m->sid_mask) == (m->sid & m->sid_mask);
	default:
		return true;
	}
}

static bool hw_pe_pred(const struct hw_slot *s, const void *arg)
{
	const struct hw_match *m = arg;

	if (m->did_on && s->u.pe.did != m->did)
		return false;
	return !m->pasid_on || s->u.pe.pasid == m->pasid;
}

static inline bool hw_tlb_pred(const struct hw_slot *s, const void *arg)
{
	const struct hw_match *m = arg;
	const struct hw_tlb *t = &s->u.tlb;

	if (m->did_on && t->did != m->did)
		return false;
	if (m->pasid_on && t->pasid != m->pasid)
		return false;
	if (m->fl_only && t->stage != HW_ST_FL)
		return false;
	if (!m->range_on)
		return true;
	if (m->fl_any_addr && t->stage == HW_ST_FL)
		return true;
	/* A page overlaps the range iff its number is within the range's. */
	return t->level >= 1 && t->level <= 3 &&
	       t->vpn >= m->vfirst[t->level] && t->vpn <= m->vlast[t->level];
}

/*
 * Remove the entries of IOTLB set @set that @m accepts.  A stable set
 * (seq even and unchanged) in which nothing matches is left alone without
 * its lock.  Context: the generation was bumped (seq_cst) before; takes
 * the set's lock only when something may match.
 */
static void hw_tlb_inval_set(struct hw_cache *c, unsigned int set,
			     const struct hw_match *m)
{
	struct hw_set *st = &c->sets[set];
	struct hw_slot *s = &c->slots[(size_t)set * c->ways];
	unsigned int seq;
	bool match = false;

	seq = __atomic_load_n(&st->seq, __ATOMIC_SEQ_CST);
	if (!(seq & 1)) {
		for (unsigned int w = 0; w < c->ways && !match; w++)
			match = __atomic_load_n(&s[w].stamp,
						__ATOMIC_RELAXED) &&
				hw_tlb_pred(&s[w], m);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (!match &&
		    __atomic_load_n(&st->seq, __ATOMIC_RELAXED) == seq)
			return;
	}
	pthread_mutex_lock(&st->lock);
	hw_set_wbegin(st);
	for (unsigned int w = 0; w < c->ways; w++)
		if (s[w].stamp && hw_tlb_pred(&s[w], m))
			s[w].stamp = 0;
	hw_set_wend(st);
	pthread_mutex_unlock(&st->lock);
}

/*
 * hw_tlb_inval() - remove every IOTLB entry @m accepts
 * A DID-qualified range that spans fewer pages (of sizes 4K, 2M and 1G
 * together) than there are sets probes only the sets those pages hash to;
 * anything else scans every set.  A type-2 page invalidation also removes
 * every first-stage entry of the DID whatever its address, so it scans
 * every set once a first-stage entry was ever cached.
 * Context: bumps the generation first; takes each set's lock in turn.
 */
static void hw_tlb_inval(struct vtd_hw *hw, const struct hw_match *m)
{
	struct hw_cache *c = &hw->tlbc;
	uint64_t probes = 0;
	unsigned int level;

	__atomic_add_fetch(&c->gen, 1, __ATOMIC_SEQ_CST);
	if (!m->range_on || !m->did_on ||
	    (m->fl_any_addr && __atomic_load_n(&hw->tlb_fl, __ATOMIC_SEQ_CST)))
		goto scan_all;
	for (level = 1; level <= 3; level++)
		probes += m->vlast[level] - m->vfirst[level] + 1;
	if (probes > c->nsets)
		goto scan_all;
	for (level = 1; level <= 3; level++) {
		for (uint64_t vpn = m->vfirst[level]; vpn <= m->vlast[level];
		     vpn++)
			hw_tlb_inval_set(c,
					 hw_cache_set(c, hw_tlb_hash_of(
								 m->did, level,
								 vpn)),
					 m);
	}
	return;

scan_all:
	for (unsigned int set = 0; set < c->nsets; set++)
		hw_tlb_inval_set(c, set, m);
}

/* Set @m's range to 2^@am pages at @addr (low bits ignored). */
static void hw_match_range(struct hw_match *m, uint64_t addr, unsigned int am)
{
	uint64_t size = 1ull << (VTD_PAGE_SHIFT + am);

	m->range_on = true;
	m->first = addr & ~(size - 1);
	m->last = m->first + (size - 1);
	for (unsigned int level = 1; level <= 3; level++) {
		m->vfirst[level] = m->first >> vtd_level_shift(level);
		m->vlast[level] = m->last >> vtd_level_shift(level);
	}
}

/* ---- Fault recording (vtd 7.1, 7.2) ----------------------------------- */

/* FSTS as software reads it (PPF derived). Context: reg_lock held. */
static uint32_t hw_fsts_now(const struct vtd_hw *hw)
{
	return hw->fsts | (hw->nr_pending ? (uint32_t)VTD_FSTS_PPF : 0);
}

/*
 * hw_fault_event() - after a status bit was set: fire the fault event if
 * the status was all clear before (@before), or set FECTL.IP when masked.
 * Context: reg_lock held.  Return: whether the interrupt must be raised.
 */
static bool hw_fault_event(struct vtd_hw *hw, uint32_t before)
{
	if (before & HW_FSTS_EVENT)
		return false;
	if (!(hw_fsts_now(hw) & HW_FSTS_EVENT))
		return false;
	if (hw->fectl & VTD_FECTL_IM) {
		hw->fectl |= (uint32_t)VTD_FECTL_IP;
		return false;
	}
	return true;
}

/* Software cleared status: IP falls with the last status bit. */
static void hw_fault_status_cleared(struct vtd_hw *hw)
{
	if (!(hw_fsts_now(hw) & HW_FSTS_EVENT))
		hw->fectl &= ~(uint32_t)VTD_FECTL_IP;
}

/* Oldest pending record (scan from the next slot). Context: reg_lock. */
static uint32_t hw_fri(struct vtd_hw *hw)
{
	if (!hw->nr_pending)
		return hw->fri;
	for (unsigned int i = 0; i < hw->nfr; i++) {
		unsigned int idx = (hw->frcd_next + i) % hw->nfr;

		if (hw->frcd[idx][1] & VTD_FRCD_QW1_F)
			return idx;
	}
	return hw->fri;
}

/*
 * hw_record_fault() - write one primary fault record (vtd 7.2)
 * Context: takes reg_lock; raises VTD_IRQ_FAULT after dropping it.
 */
static void hw_record_fault(struct vtd_hw *hw, const struct hw_xl *x,
			    uint8_t fr)
{
	const struct iommu_dma_req *req = x->req;
	struct hw_irqs irq = { 0 };
	uint64_t *rec;
	uint32_t before;
	bool recorded = false;

	pthread_mutex_lock(&hw->reg_lock);
	before = hw_fsts_now(hw);
	if (hw->fsts & VTD_FSTS_PFO)
		goto out;
	rec = hw->frcd[hw->frcd_next];
	if (rec[1] & VTD_FRCD_QW1_F) {
		hw->fsts |= (uint32_t)VTD_FSTS_PFO;
		irq.fault = hw_fault_event(hw, before);
		goto out;
	}
	rec[0] = req->iova & VTD_FRCD_QW0_FI;
	rec[1] = VTD_FRCD_QW1_F | vtd_field_prep(VTD_FRCD_QW1_SID, x->sid) |
		 vtd_field_prep(VTD_FRCD_QW1_FR, fr) |
		 vtd_field_prep(VTD_FRCD_QW1_AT, VTD_FRCD_AT_UNTRANSLATED);
	if (req->access == IOMMU_ACCESS_READ)
		rec[1] |= VTD_FRCD_QW1_T1;
	if (x->has_pasid)
		rec[1] |= VTD_FRCD_QW1_PP |
			  vtd_field_prep(VTD_FRCD_QW1_PV, req->pasid);
	if (!hw->nr_pending)
		hw->fri = hw->frcd_next;
	hw->nr_pending++;
	hw->frcd_next = (hw->frcd_next + 1) % hw->nfr;
	recorded = true;
	irq.fault = hw_fault_event(hw, before);
out:
	pthread_mutex_unlock(&hw->reg_lock);
	hw_stat(hw, recorded ? IOMMU_STAT_FAULTS : IOMMU_STAT_FAULTS_LOST, 1);
	hw_raise(hw, &irq);
}

/* Faults that FPD suppresses (vtd 7.6 and the decisions above). */
static bool hw_fr_qualified(uint8_t fr)
{
	switch (fr) {
	case 0x02: case 0x03: case 0x04: case 0x05: case 0x06: case 0x07:
	case 0x0c: case 0x0d: case 0x0e:
	case 0x41: case 0x43: case 0x44: case 0x45: case 0x46: case 0x48:
	case 0x51: case 0x59: case 0x5b:
	case 0x70: case 0x71: case 0x72: case 0x73:
	case 0x78: case 0x79: case 0x7a:
	case 0x80: case 0x81: case 0x83: case 0x84: case 0x85: case 0x86:
	case 0x87: case 0x91:
		return true;
	default:
		return false;
	}
}

/* Record (unless FPD suppresses it) and fail the request. */
static int hw_fault(struct vtd_hw *hw, const struct hw_xl *x, uint8_t fr)
{
	if (!(x->fpd && hw_fr_qualified(fr)))
		hw_record_fault(hw, x, fr);
	return -EFAULT;
}

/* ---- Structure fetches (vtd 3, 4, 10 steps 1-3) ------------------------ */

static bool hw_aw_ok(const struct vtd_hw *hw, unsigned int aw)
{
	return aw < 5 && (vtd_field_get(VTD_CAP_SAGAW, hw->cap) & (1u << aw));
}

/*
 * hw_fetch_legacy_ctx() - read root and context entry of @sid (legacy)
 * Fills @c (c->fpd as soon as the context entry is read).
 * Return: 0 or the fault reason.
 */
static uint8_t hw_fetch_legacy_ctx(struct vtd_hw *hw, uint64_t rta,
				   uint16_t sid, struct hw_ctx *c)
{
	uint64_t root[2], ce[2], ctp;
	unsigned int tt, aw;

	if (hw_read_qw(hw, rta + VTD_ROOT_ENTRY_SIZE * (sid >> 8u), root, 2))
		return VTD_FR_ROOT_READ_ERR;
	if (!(root[0] & VTD_ROOT_QW0_P))
		return VTD_FR_ROOT_NOT_PRESENT;
	if ((root[0] & (VTD_ROOT_QW0_RSVD | hw->ptr_rsvd)) || root[1])
		return VTD_FR_ROOT_RSVD;
	ctp = root[0] & VTD_ROOT_QW0_CTP;
	if (hw_read_qw(hw, ctp + VTD_CTX_ENTRY_SIZE * (sid & 0xffu), ce, 2))
		return VTD_FR_CTX_READ_ERR;
	c->fpd = ce[0] & VTD_CTX_QW0_FPD;
	if (!(ce[0] & VTD_CTX_QW0_P))
		return VTD_FR_CTX_NOT_PRESENT;
	if ((ce[0] & (VTD_CTX_QW0_RSVD | hw->ptr_rsvd)) ||
	    (ce[1] & VTD_CTX_QW1_RSVD))
		return VTD_FR_CTX_RSVD;
	tt = (unsigned int)vtd_field_get(VTD_CTX_QW0_TT, ce[0]);
	aw = (unsigned int)vtd_field_get(VTD_CTX_QW1_AW, ce[1]);
	switch (tt) {
	case VTD_CTX_TT_MULTI_LEVEL:
		break;
	case VTD_CTX_TT_DEV_TLB:
		if (!(hw->ecap & VTD_ECAP_DT))
			return VTD_FR_CTX_INVALID;
		break;
	case VTD_CTX_TT_PASS:
		if (!hw->pt || aw != hw->aw_max)
			return VTD_FR_CTX_INVALID;
		break;
	default:
		return VTD_FR_CTX_INVALID;
	}
	if (!hw_aw_ok(hw, aw))
		return VTD_FR_CTX_INVALID;
	c->tt = (uint8_t)tt;
	c->aw = (uint8_t)aw;
	c->did = (uint16_t)vtd_field_get(VTD_CTX_QW1_DID, ce[1]);
	c->ptr = ce[0] & VTD_CTX_QW0_SLPTPTR;
	return 0;
}

/* As above for a scalable-mode root and 256-bit context entry. */
static uint8_t hw_fetch_sm_ctx(struct vtd_hw *hw, uint64_t rta, uint16_t sid,
			       struct hw_ctx *c)
{
	unsigned int devfn = sid & 0xffu;
	uint64_t root[2], ce[4], half;

	if (hw_read_qw(hw, rta + VTD_ROOT_ENTRY_SIZE * (sid >> 8u), root, 2))
		return VTD_FR_SM_ROOT_READ_ERR;
	half = devfn >= VTD_SM_UPPER_DEVFN ? root[1] : root[0];
	/* LP/UP, reserved bits 11:1 and the pointer sit alike in both. */
	if (!(half & VTD_SM_ROOT_QW0_LP))
		return VTD_FR_SM_ROOT_NOT_PRESENT;
	if (half & (VTD_SM_ROOT_QW0_RSVD | hw->ptr_rsvd))
		return VTD_FR_SM_ROOT_RSVD;
	if (hw_read_qw(hw, (half & VTD_SM_ROOT_QW0_LCTP) +
				   VTD_SM_CTX_ENTRY_SIZE * (devfn & 0x7fu),
		       ce, 4))
		return VTD_FR_SM_CTX_READ_ERR;
	c->fpd = ce[0] & VTD_SM_CTX_QW0_FPD;
	if (!(ce[0] & VTD_SM_CTX_QW0_P))
		return VTD_FR_SM_CTX_NOT_PRESENT;
	if ((ce[0] & (VTD_SM_CTX_QW0_RSVD | hw->ptr_rsvd)) ||
	    (ce[1] & (VTD_SM_CTX_QW1_RSVD | VTD_SM_CTX_QW1_RID_PRIV)) ||
	    ce[2] || ce[3])
		return VTD_FR_SM_CTX_RSVD;
	if ((ce[0] & VTD_SM_CTX_QW0_PRE) ||
	    ((ce[0] & VTD_SM_CTX_QW0_DTE) && !(hw->ecap & VTD_ECAP_DT)))
		return VTD_FR_SM_CTX_INVALID;
	c->pdts = (uint8_t)vtd_field_get(VTD_SM_CTX_QW0_PDTS, ce[0]);
	c->paside = ce[0] & VTD_SM_CTX_QW0_PASIDE;
	c->rid_pasid = (uint32_t)vtd_field_get(VTD_SM_CTX_QW1_RID_PASID, ce[1]);
	c->ptr = ce[0] & VTD_SM_CTX_QW0_PASIDDIRPTR;
	return 0;
}

/*
 * hw_fetch_pe() - read the PASID-directory and PASID-table entries
 * @x: x->fpd gains the FPD bits read (also of entries not present)
 * Return: 0 and @p, or the fault reason.
 */
static uint8_t hw_fetch_pe(struct vtd_hw *hw, struct hw_xl *x,
			   const struct hw_ctx *c, uint32_t pasid,
			   struct hw_pe *p)
{
	uint64_t pde, pe[8], fpd;
	unsigned int pgtt, aw, flpm;

	if (hw_read_qw(hw, c->ptr + VTD_PASID_DIR_ENTRY_SIZE *
					    (pasid >> VTD_PASID_DIR_SHIFT),
		       &pde, 1))
		return VTD_FR_SM_PDE_READ_ERR;
	fpd = pde & VTD_PDE_FPD;
	x->fpd |= fpd != 0;
	if (!(pde & VTD_PDE_P))
		return VTD_FR_SM_PDE_NOT_PRESENT;
	if (pde & (VTD_PDE_RSVD | hw->ptr_rsvd))
		return VTD_FR_SM_PDE_RSVD;
	if (hw_read_qw(hw, (pde & VTD_PDE_SMPTBLPTR) +
				   VTD_PASID_ENTRY_SIZE *
					   (pasid & VTD_PASID_TBL_MASK),
		       pe, 8))
		return VTD_FR_SM_PE_READ_ERR;
	fpd |= pe[0] & VTD_PE_QW0_FPD;
	x->fpd |= fpd != 0;
	if (!(pe[0] & VTD_PE_QW0_P))
		return VTD_FR_SM_PE_NOT_PRESENT;
	if ((pe[0] & VTD_PE_QW0_RSVD) || (pe[1] & VTD_PE_QW1_RSVD) ||
	    (pe[2] & VTD_PE_QW2_RSVD) || pe[3] || pe[4] || pe[5] || pe[6] ||
	    pe[7])
		return VTD_FR_SM_PE_RSVD;
	pgtt = (unsigned int)vtd_field_get(VTD_PE_QW0_PGTT, pe[0]);
	aw = (unsigned int)vtd_field_get(VTD_PE_QW0_AW, pe[0]);
	flpm = (unsigned int)vtd_field_get(VTD_PE_QW2_FLPM, pe[2]);
	memset(p, 0, sizeof(*p));
	switch (pgtt) {
	case VTD_PGTT_FL:
		if (!hw->fs || flpm > VTD_FLPM_5LEVEL ||
		    (flpm == VTD_FLPM_5LEVEL && !hw->fl5))
			return VTD_FR_SM_PE_INVALID;
		if (pe[2] & hw->ptr_rsvd)
			return VTD_FR_SM_PE_RSVD;
		p->levels = flpm == VTD_FLPM_5LEVEL ? 5 : 4;
		p->ptr = pe[2] & VTD_PE_QW2_FLPTPTR;
		break;
	case VTD_PGTT_SL:
		if (!hw->ss || !hw_aw_ok(hw, aw))
			return VTD_FR_SM_PE_INVALID;
		if (pe[0] & hw->ptr_rsvd)
			return VTD_FR_SM_PE_RSVD;
		p->levels = (uint8_t)vtd_aw_to_levels(aw);
		p->width = (uint8_t)vtd_aw_to_width(aw);
		if (p->width > hw->mgaw)
			p->width = (uint8_t)hw->mgaw;
		p->ptr = pe[0] & VTD_PE_QW0_SLPTPTR;
		break;
	case VTD_PGTT_PT:
		if (!hw->pt)
			return VTD_FR_SM_PE_INVALID;
		break;
	case VTD_PGTT_NESTED:
		if (!__atomic_exchange_n(&hw->nest_warned, true,
					 __ATOMIC_RELAXED))
			hw_log(hw, IOMMU_LOG_WARN,
			       "vtd: PGTT 011 (nested) is not modelled yet; "
			       "faulting 0x5B");
		return VTD_FR_SM_PE_INVALID;
	default:
		return VTD_FR_SM_PE_INVALID;
	}
	p->sid = x->sid;
	p->pasid = pasid;
	p->did = (uint16_t)vtd_field_get(VTD_PE_QW1_DID, pe[1]);
	p->fpd = fpd != 0;
	p->nxe = pe[2] & VTD_PE_QW2_NXE;
	p->pgtt = (uint8_t)pgtt;
	return 0;
}

/* ---- Page walks (vtd 5, 10 steps 4-5) --------------------------------- */

static unsigned int hw_need(const struct iommu_dma_req *req)
{
	return req->access == IOMMU_ACCESS_WRITE ? IOMMU_WRITE : IOMMU_READ;
}

/* pt_walk() access of @req: every request is a user (non-privileged) one. */
static unsigned int hw_walk_acc(const struct iommu_dma_req *req)
{
	return req->access == IOMMU_ACCESS_WRITE ? PT_ACC_W : PT_ACC_R;
}

/* IOMMU_READ / IOMMU_WRITE from the user permissions a walk granted. */
static unsigned int hw_walk_perm(uint32_t perm)
{
	return (perm & PT_PERM_UR ? IOMMU_READ : 0u) |
	       (perm & PT_PERM_UW ? IOMMU_WRITE : 0u);
}

/* Reason for a not-present / permission miss at the second stage. */
static uint8_t hw_sl_perm_fr(const struct hw_xl *x)
{
	if (x->sm)
		return VTD_FR_SM_SL_PERM;
	return x->req->access == IOMMU_ACCESS_WRITE ? VTD_FR_WRITE : VTD_FR_READ;
}

/*
 * hw_sl_walk() - second-stage walk (vtd 5.1) through pt_walk()
 * PT_FMT_VTDSS checks, per level: read, present / permission, reserved
 * bits (TM always, address bits at or above the HAW, PS where the unit
 * has no such page).  The caller has checked the input width.
 * Return: 0 and @w, or the fault reason (w->notpresent for R = W = 0).
 */
static uint8_t hw_sl_walk(struct vtd_hw *hw, const struct hw_xl *x,
			  struct hw_walk *w)
{
	const struct pt_walk_desc d = {
		.fmt = PT_FMT_VTDSS,
		.root = x->root,
		.levels = x->levels,
		.oa_bits = hw->haw,
		/* 4 KiB always; bit 1: 2 MiB, bit 2: 1 GiB (SLLPS) */
		.leaf_levels = (uint8_t)(1u | (hw->sp2m ? 2u : 0u) |
					 (hw->sp1g ? 4u : 0u)),
		.rsvd = VTD_SL_PTE_TM,
	};
	struct pt_walk_res r;

	pt_walk(hw->host, &d, x->req->iova, hw_walk_acc(x->req), &r);
	switch (r.err) {
	case PT_WALK_OK:
		break;
	case PT_WALK_NOT_PRESENT:
		w->notpresent = true;
		return hw_sl_perm_fr(x);
	case PT_WALK_PERM:
		return hw_sl_perm_fr(x);
	case PT_WALK_RSVD:
		return x->sm ? VTD_FR_SM_SL_RSVD : VTD_FR_SL_RSVD;
	case PT_WALK_RANGE: /* not reached: the caller checked the width */
		return x->sm ? VTD_FR_SM_ADDR_BEYOND_MAX
			     : VTD_FR_ADDR_BEYOND_MGAW;
	default: /* PT_WALK_FETCH; nothing else without HA / HD */
		return x->sm ? VTD_FR_SM_SL_READ_ERR : VTD_FR_SL_READ_ERR;
	}
	w->level = (unsigned int)r.level + 1; /* VT-d levels count from 1 */
	w->perm = hw_walk_perm(r.perm);
	w->out = r.oa & ~((1ull << r.size_lg2) - 1);
	return 0;
}

/*
 * hw_fl_walk() - first-stage walk (vtd 5.2), 4 or 5 levels, through
 * pt_walk()
 * PT_FMT_X86_64 checks: canonical input; per level read, present,
 * reserved, U/S; then write permission; then the A/D updates (A in every
 * entry walked, D in the leaf on a write; atomic where the host maps the
 * memory).
 * Return: 0 and @w, or the fault reason.
 */
static uint8_t hw_fl_walk(struct vtd_hw *hw, const struct hw_xl *x,
			  struct hw_walk *w)
{
	const struct pt_walk_desc d = {
		.fmt = PT_FMT_X86_64,
		.root = x->root,
		.levels = x->levels,
		.oa_bits = hw->haw,
		/* 4 KiB and 2 MiB always (vtd 12.3); 1 GiB with FL1GP */
		.leaf_levels = (uint8_t)(3u | (hw->fl1g ? 4u : 0u)),
		.flags = PT_WALK_HA | PT_WALK_HD |
			 (x->nxe ? PT_WALK_NXE : 0u),
	};
	bool write = x->req->access == IOMMU_ACCESS_WRITE;
	struct pt_walk_res r;

	pt_walk(hw->host, &d, x->req->iova, hw_walk_acc(x->req), &r);
	switch (r.err) {
	case PT_WALK_OK:
		break;
	case PT_WALK_RANGE:
		return VTD_FR_SM_NON_CANONICAL;
	case PT_WALK_FETCH:
		return r.level == x->levels - 1 ? VTD_FR_SM_FL_ROOT_ERR
						: VTD_FR_SM_FL_READ_ERR;
	case PT_WALK_NOT_PRESENT:
		w->notpresent = true;
		return VTD_FR_SM_FL_NOT_PRESENT;
	case PT_WALK_RSVD:
		return VTD_FR_SM_FL_RSVD;
	case PT_WALK_PERM:
		/* U/S = 0 fails at its level with the user bits cleared;
		 * only the write check after the leaf keeps them. */
		return r.perm & PT_PERM_UR ? VTD_FR_SM_WRITE
					   : VTD_FR_SM_FL_USER;
	default: /* PT_WALK_AD_FAIL */
		return VTD_FR_SM_FL_AD_FAIL;
	}
	w->level = (unsigned int)r.level + 1; /* VT-d levels count from 1 */
	w->out = r.oa & ~((1ull << r.size_lg2) - 1);
	w->perm = hw_walk_perm(r.perm);
	if ((w->perm & IOMMU_WRITE) && !write && !(r.entry & VTD_FL_PTE_D)) {
		/* Writable, but a write must walk again to set D. */
		w->perm = IOMMU_READ;
		w->wd = true;
	}
	return 0;
}

/* ---- Translation ------------------------------------------------------- */

static bool hw_overlaps_intr(uint64_t first, uint64_t last)
{
	return first <= VTD_INTR_ADDR_LAST && last >= VTD_INTR_ADDR_FIRST;
}

/* Bytes of [iova, iova + want) up to and including @last; @last >= iova. */
static uint64_t hw_clip(uint64_t iova, uint64_t want, uint64_t last)
{
	uint64_t room = last - iova;

	return want - 1 <= room ? want : room + 1;
}

static void hw_identity(const struct iommu_dma_req *req, uint64_t last,
			struct iommu_translation *out)
{
	out->phys = req->iova;
	out->len = hw_clip(req->iova, req->len, last);
	out->perm = IOMMU_READ | IOMMU_WRITE;
}

/*
 * hw_ctx_get() - the context entry of @x->sid in mode @ttm, cached
 * Return: 0 and @c; or -EFAULT after the fault (negative entries too).
 */
static int hw_ctx_get(struct vtd_hw *hw, struct hw_xl *x, uint64_t rta,
		      uint8_t ttm, struct hw_ctx *c)
{
	struct hw_slot key, s;
	uint64_t hash = hw_ctx_hash(x->sid, ttm), gen;
	uint8_t fr;

	memset(&key, 0, sizeof(key));
	key.u.ctx.sid = x->sid;
	key.u.ctx.ttm = ttm;
	if (hw_cache_lookup(&hw->ctxc, hash, hw_ctx_eq, &key, &s)) {
		*c = s.u.ctx;
	} else {
		gen = hw_cache_gen(&hw->ctxc);
		s = key;
		fr = ttm == VTD_TTM_LEGACY
			     ? hw_fetch_legacy_ctx(hw, rta, x->sid, &s.u.ctx)
			     : hw_fetch_sm_ctx(hw, rta, x->sid, &s.u.ctx);
		if (fr) {
			bool np = fr == VTD_FR_ROOT_NOT_PRESENT ||
				  fr == VTD_FR_CTX_NOT_PRESENT ||
				  fr == VTD_FR_SM_ROOT_NOT_PRESENT ||
				  fr == VTD_FR_SM_CTX_NOT_PRESENT;

			x->fpd = s.u.ctx.fpd;
			if (hw->cm && np) {
				s.u.ctx.neg_fr = fr;
				s.u.ctx.did = 0;
				hw_cache_insert(&hw->ctxc, hash, hw_ctx_eq, &s,
						gen);
			}
			return hw_fault(hw, x, fr);
		}
		hw_cache_insert(&hw->ctxc, hash, hw_ctx_eq, &s, gen);
		*c = s.u.ctx;
	}
	x->fpd = c->fpd;
	if (c->neg_fr)
		return hw_fault(hw, x, c->neg_fr);
	return 0;
}

/* Legacy mode: context -> SL table or pass-through (vtd 10 legacy). */
static int hw_xl_legacy(struct vtd_hw *hw, struct hw_xl *x, uint64_t rta)
{
	struct hw_ctx c;
	unsigned int width;
	int ret;

	if (x->has_pasid)
		return hw_fault(hw, x, VTD_FR_SM_TTM_INVALID);
	ret = hw_ctx_get(hw, x, rta, VTD_TTM_LEGACY, &c);
	if (ret)
		return ret;
	if (c.tt == VTD_CTX_TT_PASS) {
		x->stage = HW_ST_PT;
		return 0;
	}
	x->stage = HW_ST_SL;
	x->root = c.ptr;
	x->levels = (uint8_t)vtd_aw_to_levels(c.aw);
	x->did = c.did;
	x->tag = HW_NO_TAG;
	width = vtd_aw_to_width(c.aw);
	if (width > hw->mgaw)
		width = hw->mgaw;
	if (x->req->iova >> width)
		return hw_fault(hw, x, VTD_FR_ADDR_BEYOND_MGAW);
	return 0;
}

/* Scalable mode: context -> PASID directory -> PASID entry (vtd 10 SM). */
static int hw_xl_sm(struct vtd_hw *hw, struct hw_xl *x, uint64_t rta)
{
	struct hw_slot key, s;
	struct hw_ctx c;
	struct hw_pe p;
	uint64_t hash, gen, npasid;
	uint32_t pasid;
	uint8_t fr;
	int ret;

	ret = hw_ctx_get(hw, x, rta, VTD_TTM_SCALABLE, &c);
	if (ret)
		return ret;
	npasid = vtd_pdts_entries(c.pdts) << VTD_PASID_DIR_SHIFT;
	if (x->has_pasid) {
		pasid = x->req->pasid;
		if (!hw->pasid_bits || !c.paside)
			return hw_fault(hw, x, VTD_FR_SM_CTX_PASIDE);
		if (pasid >= npasid || (pasid >> hw->pasid_bits))
			return hw_fault(hw, x, VTD_FR_SM_PASID_TOO_BIG);
	} else {
		pasid = c.rid_pasid;
		if (pasid >= npasid || (pasid >> hw->pasid_bits))
			return hw_fault(hw, x, VTD_FR_SM_RID_PASID);
	}

	hash = hw_pe_hash(x->sid, pasid);
	memset(&key, 0, sizeof(key));
	key.u.pe.sid = x->sid;
	key.u.pe.pasid = pasid;
	if (hw_cache_lookup(&hw->pasidc, hash, hw_pe_eq, &key, &s)) {
		p = s.u.pe;
		x->fpd |= p.fpd;
	} else {
		gen = hw_cache_gen(&hw->pasidc);
		fr = hw_fetch_pe(hw, x, &c, pasid, &p);
		if (fr)
			return hw_fault(hw, x, fr);
		s.stamp = 0;
		s.u.pe = p;
		hw_cache_insert(&hw->pasidc, hash, hw_pe_eq, &s, gen);
	}
	x->did = p.did;
	x->tag = pasid;
	x->root = p.ptr;
	x->levels = p.levels;
	x->nxe = p.nxe;
	switch (p.pgtt) {
	case VTD_PGTT_PT:
		x->stage = HW_ST_PT;
		return 0;
	case VTD_PGTT_FL:
		x->stage = HW_ST_FL;
		return 0;
	default:
		x->stage = HW_ST_SL;
		if (x->req->iova >> p.width)
			return hw_fault(hw, x, VTD_FR_SM_ADDR_BEYOND_MAX);
		return 0;
	}
}

/* Fill @out from the page at @page_out of level @level. */
static void hw_out(const struct iommu_dma_req *req, uint64_t page_out,
		   unsigned int level, unsigned int perm,
		   struct iommu_translation *out)
{
	uint64_t size = 1ull << vtd_level_shift(level);
	uint64_t off = req->iova & (size - 1);

	out->phys = page_out + off;
	out->len = req->len < size - off ? req->len : size - off;
	out->perm = perm;
}

/*
 * hw_tlb_find() - IOTLB lookup at levels 1, 2, 3 (those the stage has)
 * Context: takes one set lock at a time.
 */
static bool hw_tlb_find(struct vtd_hw *hw, const struct hw_xl *x,
			struct hw_tlb *t)
{
	unsigned int maxl = 1;
	struct hw_slot key, s;

	if (x->stage == HW_ST_SL)
		maxl = hw->sp1g ? 3 : hw->sp2m ? 2 : 1;
	else
		maxl = hw->fl1g ? 3 : 2;
	memset(&key, 0, sizeof(key));
	key.u.tlb.sid = x->sid;
	key.u.tlb.did = x->did;
	key.u.tlb.pasid = x->tag;
	key.u.tlb.stage = x->stage;
	key.u.tlb.sm = x->sm;
	for (unsigned int level = 1; level <= maxl; level++) {
		key.u.tlb.level = (uint8_t)level;
		key.u.tlb.vpn = x->req->iova >> vtd_level_shift(level);
		if (hw_cache_lookup(&hw->tlbc, hw_tlb_hash(&key.u.tlb),
				    hw_tlb_eq, &key, &s)) {
			*t = s.u.tlb;
			return true;
		}
	}
	return false;
}

static void hw_tlb_put(struct vtd_hw *hw, const struct hw_xl *x,
		       const struct hw_walk *w, bool neg, uint64_t gen)
{
	struct hw_slot s;
	struct hw_tlb *t = &s.u.tlb;

	memset(&s, 0, sizeof(s));
	t->sid = x->sid;
	t->did = x->did;
	t->pasid = x->tag;
	t->stage = x->stage;
	t->sm = x->sm;
	t->neg = neg;
	t->level = (uint8_t)(neg ? 1 : w->level);
	t->vpn = x->req->iova >> vtd_level_shift(t->level);
	t->out = w->out;
	t->perm = (uint8_t)w->perm;
	t->wd = w->wd;
	/*
	 * Set before the insert checks the generation: an IOTLB_REG-style
	 * page invalidation that reads it clear after bumping the
	 * generation makes this insert back off.
	 */
	if (t->stage == HW_ST_FL && !__atomic_load_n(&hw->tlb_fl,
						     __ATOMIC_RELAXED))
		__atomic_store_n(&hw->tlb_fl, true, __ATOMIC_SEQ_CST);
	hw_cache_insert(&hw->tlbc, hw_tlb_hash(t), hw_tlb_eq, &s, gen);
}

/**
 * vtd_hw_translate() - translate one DMA request (vtd 10)
 * @opaque: model
 * @req: dev_id a 16-bit SID; pasid IOMMU_NO_PASID or < 2^20; len > 0;
 *     access IOMMU_ACCESS_READ or IOMMU_ACCESS_WRITE
 * @out: phys, len contiguous up to the end of the page (at most req->len)
 *     and the page's permissions
 *
 * Context: any thread, concurrently with MMIO; takes cache set locks one
 * at a time, and reg_lock to record a fault; raises the fault event after.
 * Return: 0; -EFAULT after the fault was recorded (or FPD-suppressed);
 * -EINVAL bad arguments.
 */
static int vtd_hw_translate(void *opaque, const struct iommu_dma_req *req,
			    struct iommu_translation *out)
{
	struct vtd_hw *hw = opaque;
	struct hw_walk w;
	struct hw_tlb t;
	struct hw_xl x;
	uint64_t live, rta, gen, size;
	unsigned int ttm, need;
	uint8_t fr;
	int ret;

	if (!hw || !req || !out || !req->len || req->dev_id > 0xffff)
		return -EINVAL;
	if (req->access != IOMMU_ACCESS_READ &&
	    req->access != IOMMU_ACCESS_WRITE)
		return -EINVAL;
	if (req->pasid != IOMMU_NO_PASID &&
	    req->pasid >= (1u << VTD_PASID_MAX_BITS))
		return -EINVAL;

	live = __atomic_load_n(&hw->live, __ATOMIC_ACQUIRE);
	if (!(live & HW_LIVE_TES)) {
		hw_identity(req, UINT64_MAX, out);
		return 0;
	}
	memset(&x, 0, sizeof(x));
	x.req = req;
	x.sid = (uint16_t)req->dev_id;
	x.has_pasid = req->pasid != IOMMU_NO_PASID;
	if (!x.has_pasid && req->iova >= VTD_INTR_ADDR_FIRST &&
	    req->iova <= VTD_INTR_ADDR_LAST) {
		/* An interrupt message, not DMA (vtd 8). */
		hw_identity(req, VTD_INTR_ADDR_LAST, out);
		return 0;
	}
	ttm = (unsigned int)vtd_field_get(VTD_RTADDR_TTM, live);
	rta = live & VTD_RTADDR_RTA;
	if (ttm == VTD_TTM_LEGACY) {
		ret = hw_xl_legacy(hw, &x, rta);
	} else if (ttm == VTD_TTM_SCALABLE && hw->sm) {
		x.sm = true;
		ret = hw_xl_sm(hw, &x, rta);
	} else {
		return hw_fault(hw, &x, VTD_FR_SM_TTM_INVALID);
	}
	if (ret)
		return ret;

	if (x.stage == HW_ST_PT) {
		if (x.has_pasid &&
		    hw_overlaps_intr(req->iova & VTD_PAGE_MASK,
				     req->iova | (VTD_PAGE_SIZE - 1)))
			return hw_fault(hw, &x, VTD_FR_SM_INTR_RANGE);
		hw_identity(req, UINT64_MAX, out);
		return 0;
	}

	need = hw_need(req);
	if (hw_tlb_find(hw, &x, &t)) {
		if (t.neg) {
			hw_stat(hw, IOMMU_STAT_IOTLB_HITS, 1);
			return hw_fault(hw, &x,
					t.stage == HW_ST_FL
						? VTD_FR_SM_FL_NOT_PRESENT
						: hw_sl_perm_fr(&x));
		}
		if (t.perm & need) {
			hw_stat(hw, IOMMU_STAT_IOTLB_HITS, 1);
			hw_out(req, t.out, t.level, t.perm, out);
			return 0;
		}
		if (!t.wd) {
			hw_stat(hw, IOMMU_STAT_IOTLB_HITS, 1);
			return hw_fault(hw, &x,
					t.stage == HW_ST_FL ? VTD_FR_SM_WRITE
							    : hw_sl_perm_fr(&x));
		}
		/* A first write through a clean FL page: walk to set D. */
	}
	hw_stat(hw, IOMMU_STAT_IOTLB_MISSES, 1);
	hw_stat(hw, IOMMU_STAT_WALKS, 1);
	gen = hw_cache_gen(&hw->tlbc);
	memset(&w, 0, sizeof(w));
	fr = x.stage == HW_ST_FL ? hw_fl_walk(hw, &x, &w)
				 : hw_sl_walk(hw, &x, &w);
	if (fr) {
		if (w.notpresent && hw->cm)
			hw_tlb_put(hw, &x, &w, true, gen);
		return hw_fault(hw, &x, fr);
	}
	size = 1ull << vtd_level_shift(w.level);
	if (hw_overlaps_intr(w.out, w.out + (size - 1)))
		return hw_fault(hw, &x,
				x.sm ? VTD_FR_SM_INTR_RANGE : VTD_FR_INTR_RANGE);
	hw_tlb_put(hw, &x, &w, false, gen);
	hw_out(req, w.out, w.level, w.perm, out);
	return 0;
}

/* ---- Invalidation ------------------------------------------------------ */

static void hw_inv_ctx(struct vtd_hw *hw, unsigned int gran, uint16_t did,
		       uint16_t sid, unsigned int fm)
{
	struct hw_match m = { .gran = gran, .did = did, .sid = sid };

	/* FM 0: compare all; 1: ignore SID bit 2; 2: bits 2:1; 3: bits 2:0. */
	static const uint16_t masks[4] = { 0xffff, 0xfffb, 0xfff9, 0xfff8 };

	m.sid_mask = masks[fm & 3];
	hw_cache_inval(&hw->ctxc, hw_ctx_pred, &m);
}

/* Type-2 / IOTLB_REG semantics (vtd 9.2). @gran VTD_IOTLB_*. */
static void hw_inv_iotlb(struct vtd_hw *hw, unsigned int gran, uint16_t did,
			 uint64_t addr, unsigned int am)
{
	struct hw_match m = { 0 };

	if (gran != VTD_IOTLB_GLOBAL) {
		m.did_on = true;
		m.did = did;
	}
	if (gran == VTD_IOTLB_PAGE) {
		hw_match_range(&m, addr, am);
		m.fl_any_addr = true;
	}
	hw_tlb_inval(hw, &m);
}

/* Type 6 (vtd 9.2): PASID-selective or page-selective (FL only). */
static void hw_inv_piotlb(struct vtd_hw *hw, unsigned int g, uint16_t did,
			  uint32_t pasid, uint64_t addr, unsigned int am)
{
	struct hw_match m = { .did_on = true, .did = did, .pasid_on = true,
			      .pasid = pasid };

	if (g == VTD_PIOTLB_G_PAGE) {
		hw_match_range(&m, addr, am);
		m.fl_only = true;
	}
	hw_tlb_inval(hw, &m);
}

static void hw_inv_pc(struct vtd_hw *hw, unsigned int g, uint16_t did,
		      uint32_t pasid)
{
	struct hw_match m = { 0 };

	if (g != VTD_PC_G_GLOBAL) {
		m.did_on = true;
		m.did = did;
	}
	if (g == VTD_PC_G_PASID) {
		m.pasid_on = true;
		m.pasid = pasid;
	}
	hw_cache_inval(&hw->pasidc, hw_pe_pred, &m);
}

/* ---- Queued invalidation (vtd 6) --------------------------------------- */

static void hw_iqe(struct vtd_hw *hw, unsigned int iqei, struct hw_irqs *irq)
{
	uint32_t before = hw_fsts_now(hw);

	hw->fsts |= (uint32_t)VTD_FSTS_IQE;
	hw->iqercd = vtd_field_prep(VTD_IQERCD_IQEI, iqei);
	if (hw_fault_event(hw, before))
		irq->fault = true;
}

/*
 * hw_qi_exec() - check and run one descriptor
 * @dw: the queue holds 256-bit descriptors
 * @inval: set when it was an invalidation (not a wait)
 * Context: reg_lock held.  Return: 0, or the IQEI reason for IQE.
 */
static unsigned int hw_qi_exec(struct vtd_hw *hw, const struct vtd_inv_desc *d,
			       bool dw, bool *inval, struct hw_irqs *irq)
{
	uint64_t q0 = d->qw[0], q1 = d->qw[1];
	bool hi_zero = !dw || (!d->qw[2] && !d->qw[3]);
	unsigned int type = vtd_inv_desc_type(q0), g, am;

	*inval = true;
	switch (type) {
	case VTD_INV_CC:
		g = (unsigned int)vtd_field_get(VTD_INV_CC_QW0_G, q0);
		if ((q0 & VTD_INV_CC_QW0_RSVD) || q1 || !hi_zero || !g)
			return VTD_IQEI_RSVD;
		hw_inv_ctx(hw, g,
			   (uint16_t)vtd_field_get(VTD_INV_CC_QW0_DID, q0),
			   (uint16_t)vtd_field_get(VTD_INV_CC_QW0_SID, q0),
			   (unsigned int)vtd_field_get(VTD_INV_CC_QW0_FM, q0));
		return 0;
	case VTD_INV_IOTLB:
		g = (unsigned int)vtd_field_get(VTD_INV_IOTLB_QW0_G, q0);
		am = (unsigned int)vtd_field_get(VTD_INV_IOTLB_QW1_AM, q1);
		if ((q0 & VTD_INV_IOTLB_QW0_RSVD) ||
		    (q1 & VTD_INV_IOTLB_QW1_RSVD) || !hi_zero || !g ||
		    (g == VTD_IOTLB_PAGE && am > HW_MAMV))
			return VTD_IQEI_RSVD;
		hw_inv_iotlb(hw, g,
			     (uint16_t)vtd_field_get(VTD_INV_IOTLB_QW0_DID, q0),
			     q1 & VTD_INV_IOTLB_QW1_ADDR, am);
		return 0;
	case VTD_INV_DEV_TLB:
		/* ECAP.DIT = 0: PFSID is reserved.  No device TLB here. */
		if ((q0 & (VTD_INV_DEV_TLB_QW0_RSVD |
			   VTD_INV_DEV_TLB_QW0_PFSID_LO |
			   VTD_INV_DEV_TLB_QW0_PFSID_HI)) ||
		    (q1 & VTD_INV_DEV_TLB_QW1_RSVD) || !hi_zero)
			return VTD_IQEI_RSVD;
		return 0;
	case VTD_INV_IEC:
		if ((q0 & VTD_INV_IEC_QW0_RSVD) || q1 || !hi_zero)
			return VTD_IQEI_RSVD;
		return 0;
	case VTD_INV_WAIT:
		*inval = false;
		if ((q0 & VTD_INV_WAIT_QW0_RSVD) ||
		    (q1 & VTD_INV_WAIT_QW1_RSVD) || !hi_zero ||
		    ((q0 & VTD_INV_WAIT_QW0_PD) && !(hw->ecap & VTD_ECAP_PDS)))
			return VTD_IQEI_RSVD;
		if (q0 & VTD_INV_WAIT_QW0_SW) {
			uint32_t data = htole32((uint32_t)vtd_field_get(
				VTD_INV_WAIT_QW0_SDATA, q0));

			if (hw->host->ops->mem_write(hw->host,
						     q1 & VTD_INV_WAIT_QW1_SADDR,
						     &data, 4))
				return HW_IQE_STATUS;
		}
		if ((q0 & VTD_INV_WAIT_QW0_IF) && !(hw->ics & VTD_ICS_IWC)) {
			hw->ics |= (uint32_t)VTD_ICS_IWC;
			if (hw->iectl & VTD_IECTL_IM)
				hw->iectl |= (uint32_t)VTD_IECTL_IP;
			else
				irq->inv = true;
		}
		return 0;
	case VTD_INV_PIOTLB:
		if (!dw)
			return VTD_IQEI_BAD_WIDTH;
		g = (unsigned int)vtd_field_get(VTD_INV_PIOTLB_QW0_G, q0);
		am = (unsigned int)vtd_field_get(VTD_INV_PIOTLB_QW1_AM, q1);
		if ((q0 & VTD_INV_PIOTLB_QW0_RSVD) ||
		    (q1 & VTD_INV_PIOTLB_QW1_RSVD) || d->qw[2] || d->qw[3] ||
		    (g != VTD_PIOTLB_G_PASID && g != VTD_PIOTLB_G_PAGE) ||
		    (g == VTD_PIOTLB_G_PAGE && am > HW_MAMV))
			return VTD_IQEI_RSVD;
		hw_inv_piotlb(hw, g,
			      (uint16_t)vtd_field_get(VTD_INV_PIOTLB_QW0_DID, q0),
			      (uint32_t)vtd_field_get(VTD_INV_PIOTLB_QW0_PASID,
						      q0),
			      q1 & VTD_INV_PIOTLB_QW1_ADDR, am);
		return 0;
	case VTD_INV_PC:
		if (!dw)
			return VTD_IQEI_BAD_WIDTH;
		g = (unsigned int)vtd_field_get(VTD_INV_PC_QW0_G, q0);
		if ((q0 & VTD_INV_PC_QW0_RSVD) || q1 || d->qw[2] || d->qw[3] ||
		    g == 2)
			return VTD_IQEI_RSVD;
		hw_inv_pc(hw, g, (uint16_t)vtd_field_get(VTD_INV_PC_QW0_DID, q0),
			  (uint32_t)vtd_field_get(VTD_INV_PC_QW0_PASID, q0));
		return 0;
	case VTD_INV_PDEV_TLB:
		if (!dw)
			return VTD_IQEI_BAD_WIDTH;
		if ((q0 & (VTD_INV_PDEV_TLB_QW0_PFSID_LO |
			   VTD_INV_PDEV_TLB_QW0_PFSID_HI)) ||
		    (q1 & VTD_INV_PDEV_TLB_QW1_RSVD) || d->qw[2] || d->qw[3])
			return VTD_IQEI_RSVD;
		return 0;
	default:
		/* 9 and 0xA need ECAP.PRS; the rest are undefined. */
		return VTD_IQEI_BAD_TYPE;
	}
}

/*
 * hw_qi_run() - consume descriptors from IQH up to IQT (vtd 6.1)
 * Stops with IQH on a bad descriptor and IQE set.
 * Context: reg_lock held; takes cache set locks.
 */
static void hw_qi_run(struct vtd_hw *hw, struct hw_irqs *irq)
{
	bool dw = hw->iqa_live & VTD_IQA_DW;
	unsigned int shift = dw ? 5 : 4;
	uint64_t n = vtd_iq_entries(
		(unsigned int)vtd_field_get(VTD_IQA_QS, hw->iqa_live), dw);
	uint64_t base = hw->iqa_live & VTD_IQA_IQA;
	uint64_t tail = hw->iqt & VTD_IQT_QT, head, cmds = 0, invals = 0;

	if (!(hw->gsts & VTD_GSTS_QIES) || (hw->fsts & VTD_FSTS_IQE))
		return;
	if (dw && !hw->sm) {
		hw_iqe(hw, VTD_IQEI_BAD_WIDTH, irq);
		return;
	}
	if (dw && (tail & 0x10)) {
		hw_iqe(hw, VTD_IQEI_TAIL_ALIGN, irq);
		return;
	}
	if ((tail >> shift) >= n) {
		hw_iqe(hw, VTD_IQEI_BAD_TAIL, irq);
		return;
	}
	head = (hw->iqh & VTD_IQH_QH) >> shift;
	tail >>= shift;
	while (head != tail) {
		struct vtd_inv_desc d = { { 0 } };
		unsigned int bad;
		bool inval;

		if (hw_read_qw(hw, base + (head << shift), d.qw, dw ? 4 : 2)) {
			hw_iqe(hw, VTD_IQEI_FETCH, irq);
			break;
		}
		bad = hw_qi_exec(hw, &d, dw, &inval, irq);
		if (bad) {
			hw_iqe(hw, bad == HW_IQE_STATUS ? VTD_IQEI_NONE : bad,
			       irq);
			break;
		}
		cmds++;
		invals += inval;
		head = (head + 1) % n;
		hw->iqh = head << shift;
	}
	hw_stat(hw, IOMMU_STAT_QUEUE_CMDS, cmds);
	hw_stat(hw, IOMMU_STAT_INVAL_CMDS, invals);
}

/* ---- Registers (vtd 2) ------------------------------------------------- */

/* Publish TES and the latched root for translate(). Context: reg_lock. */
static void hw_publish(struct vtd_hw *hw, uint64_t root)
{
	uint64_t v = (root & (VTD_RTADDR_RTA | VTD_RTADDR_TTM)) |
		     ((hw->gsts & VTD_GSTS_TES) ? HW_LIVE_TES : 0);

	__atomic_store_n(&hw->live, v, __ATOMIC_RELEASE);
}

/* GCMD: one command per write (see the decisions above). */
static void hw_gcmd(struct vtd_hw *hw, uint32_t val, struct hw_irqs *irq)
{
	uint32_t toggled = (val ^ hw->gsts) &
			   (uint32_t)(VTD_GCMD_TE | VTD_GCMD_QIE);
	uint32_t shots = val & (uint32_t)(VTD_GCMD_SRTP | VTD_GCMD_WBF);
	uint32_t cmd = toggled | shots;
	uint64_t live = __atomic_load_n(&hw->live, __ATOMIC_RELAXED);

	if (!cmd)
		return;
	if (cmd & (cmd - 1)) {
		hw_log(hw, IOMMU_LOG_WARN,
		       "vtd: GCMD 0x%08x changes several commands at once "
		       "(GSTS 0x%08x); ignored", val, hw->gsts);
		return;
	}
	switch (cmd) {
	case VTD_GCMD_TE:
		hw->gsts ^= (uint32_t)VTD_GSTS_TES;
		hw_publish(hw, live);
		break;
	case VTD_GCMD_SRTP:
		hw->gsts |= (uint32_t)VTD_GSTS_RTPS;
		hw_publish(hw, hw->rtaddr);
		break;
	case VTD_GCMD_WBF:
		break; /* nothing is buffered: done at once, WBFS reads 0 */
	case VTD_GCMD_QIE:
		hw->iqh = 0;
		if (hw->gsts & VTD_GSTS_QIES) {
			hw->gsts &= ~(uint32_t)VTD_GSTS_QIES;
		} else {
			hw->gsts |= (uint32_t)VTD_GSTS_QIES;
			hw->iqa_live = hw->iqa;
			hw_qi_run(hw, irq);
		}
		break;
	}
}

/* CCMD with ICC set (vtd 2.4). Context: reg_lock. */
static void hw_ccmd(struct vtd_hw *hw)
{
	unsigned int g = (unsigned int)vtd_field_get(VTD_CCMD_CIRG, hw->ccmd);
	unsigned int actual = g;
	uint64_t live = __atomic_load_n(&hw->live, __ATOMIC_RELAXED);

	if (hw->gsts & VTD_GSTS_QIES) {
		hw_log(hw, IOMMU_LOG_WARN,
		       "vtd: CCMD written while queued invalidation is "
		       "enabled; ignored (ICC stays set)");
		return;
	}
	if (g) {
		hw_inv_ctx(hw, g,
			   (uint16_t)vtd_field_get(VTD_CCMD_DID, hw->ccmd),
			   (uint16_t)vtd_field_get(VTD_CCMD_SID, hw->ccmd),
			   (unsigned int)vtd_field_get(VTD_CCMD_FM, hw->ccmd));
		if (g == VTD_CC_DOMAIN &&
		    vtd_field_get(VTD_RTADDR_TTM, live) == VTD_TTM_SCALABLE)
			actual = VTD_CC_GLOBAL;
		hw_stat(hw, IOMMU_STAT_INVAL_CMDS, 1);
	}
	hw->ccmd &= ~(VTD_CCMD_ICC | VTD_CCMD_CAIG);
	hw->ccmd |= vtd_field_prep(VTD_CCMD_CAIG, actual);
}

/* IOTLB_REG with IVT set (vtd 2.4). Context: reg_lock. */
static void hw_iotlb_reg(struct vtd_hw *hw)
{
	unsigned int g = (unsigned int)vtd_field_get(VTD_IOTLB_IIRG, hw->iotlb);
	unsigned int am = (unsigned int)vtd_field_get(VTD_IVA_AM, hw->iva);

	if (hw->gsts & VTD_GSTS_QIES) {
		hw_log(hw, IOMMU_LOG_WARN,
		       "vtd: IOTLB_REG written while queued invalidation is "
		       "enabled; ignored (IVT stays set)");
		return;
	}
	if (g == VTD_IOTLB_PAGE && am > HW_MAMV)
		g = 0;
	if (g) {
		hw_inv_iotlb(hw, g,
			     (uint16_t)vtd_field_get(VTD_IOTLB_DID, hw->iotlb),
			     hw->iva & VTD_IVA_ADDR, am);
		hw_stat(hw, IOMMU_STAT_INVAL_CMDS, 1);
	}
	hw->iotlb &= ~(VTD_IOTLB_IVT | VTD_IOTLB_IAIG);
	hw->iotlb |= vtd_field_prep(VTD_IOTLB_IAIG, g);
}

enum hw_reg_kind { HW_REG_RSVD = 0, HW_REG_32 = 4, HW_REG_64 = 8 };

/* Width of the register at 4-aligned @off (within the window). */
static enum hw_reg_kind hw_reg_kind(const struct vtd_hw *hw, uint64_t off)
{
	uint64_t frcd = vtd_frcd_reg(hw->cap, 0), iva = vtd_iva_reg(hw->ecap);

	if (off >= frcd && off < frcd + VTD_FRCD_SIZE * hw->nfr)
		return HW_REG_64;
	if (off >= iva && off < iva + 16)
		return HW_REG_64;
	switch (off & ~7ull) {
	case VTD_CAP_REG: case VTD_ECAP_REG: case VTD_RTADDR_REG:
	case VTD_CCMD_REG: case VTD_AFLOG_REG: case VTD_PHMBASE_REG:
	case VTD_PHMLIMIT_REG: case VTD_IQH_REG: case VTD_IQT_REG:
	case VTD_IQA_REG: case VTD_IQERCD_REG: case VTD_IRTA_REG:
	case VTD_PQH_REG: case VTD_PQT_REG: case VTD_PQA_REG:
		return HW_REG_64;
	}
	switch (off) {
	case VTD_VER_REG: case VTD_GCMD_REG: case VTD_GSTS_REG:
	case VTD_FSTS_REG: case VTD_FECTL_REG: case VTD_FEDATA_REG:
	case VTD_FEADDR_REG: case VTD_FEUADDR_REG: case VTD_PMEN_REG:
	case VTD_PLMBASE_REG: case VTD_PLMLIMIT_REG: case VTD_ICS_REG:
	case VTD_IECTL_REG: case VTD_IEDATA_REG: case VTD_IEADDR_REG:
	case VTD_IEUADDR_REG: case VTD_PRS_REG: case VTD_PECTL_REG:
	case VTD_PEDATA_REG: case VTD_PEADDR_REG: case VTD_PEUADDR_REG:
		return HW_REG_32;
	}
	return HW_REG_RSVD;
}

/* Value of the 64-bit register at 8-aligned @off. Context: reg_lock. */
static uint64_t hw_read64(struct vtd_hw *hw, uint64_t off)
{
	uint64_t frcd = vtd_frcd_reg(hw->cap, 0), iva = vtd_iva_reg(hw->ecap);

	if (off >= frcd && off < frcd + VTD_FRCD_SIZE * hw->nfr)
		return hw->frcd[(off - frcd) / 16][((off - frcd) / 8) & 1];
	if (off == iva)
		return hw->iva;
	if (off == iva + 8)
		return hw->iotlb;
	switch (off) {
	case VTD_CAP_REG:
		return hw->cap;
	case VTD_ECAP_REG:
		return hw->ecap;
	case VTD_RTADDR_REG:
		return hw->rtaddr;
	case VTD_CCMD_REG:
		return hw->ccmd;
	case VTD_IQH_REG:
		return hw->iqh;
	case VTD_IQT_REG:
		return hw->iqt;
	case VTD_IQA_REG:
		return hw->iqa;
	case VTD_IQERCD_REG:
		return hw->iqercd;
	default:
		return 0; /* AFLOG, PHM*, IRTA, PQ*: features absent */
	}
}

static uint32_t hw_read32(struct vtd_hw *hw, uint64_t off)
{
	switch (off) {
	case VTD_VER_REG:
		return HW_VER;
	case VTD_GSTS_REG:
		return hw->gsts;
	case VTD_FSTS_REG:
		return hw_fsts_now(hw) |
		       (uint32_t)vtd_field_prep(VTD_FSTS_FRI, hw_fri(hw));
	case VTD_FECTL_REG:
		return hw->fectl;
	case VTD_FEDATA_REG:
		return hw->fedata;
	case VTD_FEADDR_REG:
		return hw->feaddr;
	case VTD_FEUADDR_REG:
		return hw->feuaddr;
	case VTD_ICS_REG:
		return hw->ics;
	case VTD_IECTL_REG:
		return hw->iectl;
	case VTD_IEDATA_REG:
		return hw->iedata;
	case VTD_IEADDR_REG:
		return hw->ieaddr;
	case VTD_IEUADDR_REG:
		return hw->ieuaddr;
	default:
		return 0; /* GCMD reads 0; PMEN, PLM*, PRS, PE*: absent */
	}
}

/* Write @val under byte mask @mask to the 64-bit register at @off. */
static void hw_write64(struct vtd_hw *hw, uint64_t off, uint64_t val,
		       uint64_t mask, struct hw_irqs *irq)
{
	uint64_t frcd = vtd_frcd_reg(hw->cap, 0), iva = vtd_iva_reg(hw->ecap);
	uint64_t *reg;

	val &= mask;
	if (off >= frcd && off < frcd + VTD_FRCD_SIZE * hw->nfr) {
		uint64_t *rec = hw->frcd[(off - frcd) / 16];

		/* Only F (QW1 bit 63) is writable: W1C. */
		if ((((off - frcd) / 8) & 1) && (val & VTD_FRCD_QW1_F) &&
		    (rec[1] & VTD_FRCD_QW1_F)) {
			rec[1] &= ~VTD_FRCD_QW1_F;
			hw->nr_pending--;
			hw_fault_status_cleared(hw);
		}
		return;
	}
	if (off == iva) {
		hw->iva = ((hw->iva & ~mask) | val) & ~VTD_IVA_RSVD;
		return;
	}
	if (off == iva + 8) {
		hw->iotlb = ((hw->iotlb & ~mask) | val) & ~VTD_IOTLB_RSVD;
		if (hw->iotlb & mask & VTD_IOTLB_IVT)
			hw_iotlb_reg(hw);
		return;
	}
	switch (off) {
	case VTD_RTADDR_REG:
		reg = &hw->rtaddr;
		*reg = ((*reg & ~mask) | val) & VTD_GENMASK(63, 10);
		return;
	case VTD_CCMD_REG:
		hw->ccmd = ((hw->ccmd & ~mask) | val) & ~VTD_CCMD_RSVD;
		if (hw->ccmd & mask & VTD_CCMD_ICC)
			hw_ccmd(hw);
		return;
	case VTD_IQT_REG:
		hw->iqt = ((hw->iqt & ~mask) | val) & VTD_IQT_QT;
		if (mask & VTD_IQT_QT)
			hw_qi_run(hw, irq);
		return;
	case VTD_IQA_REG:
		hw->iqa = ((hw->iqa & ~mask) | val) &
			  (VTD_IQA_IQA | VTD_IQA_DW | VTD_IQA_QS);
		return;
	default:
		return; /* read-only or absent */
	}
}

/* IM written: clearing it with IP set delivers the pending event. */
static bool hw_write_ectl(uint32_t *ctl, uint32_t val)
{
	bool fire = !(val & VTD_FECTL_IM) && (*ctl & VTD_FECTL_IP);

	*ctl = (uint32_t)(val & VTD_FECTL_IM) |
	       (fire ? 0 : (*ctl & (uint32_t)VTD_FECTL_IP));
	return fire;
}

static void hw_write32(struct vtd_hw *hw, uint64_t off, uint32_t val,
		       struct hw_irqs *irq)
{
	switch (off) {
	case VTD_GCMD_REG:
		hw_gcmd(hw, val, irq);
		return;
	case VTD_FSTS_REG: {
		uint32_t w1c = val & (uint32_t)VTD_FSTS_RW1C & hw->fsts;

		hw->fsts &= ~w1c;
		hw_fault_status_cleared(hw);
		if (w1c & VTD_FSTS_IQE) {
			hw->iqercd = 0;
			hw_qi_run(hw, irq);
		}
		return;
	}
	case VTD_FECTL_REG:
		if (hw_write_ectl(&hw->fectl, val))
			irq->fault = true;
		return;
	case VTD_FEDATA_REG:
		hw->fedata = val & (uint32_t)VTD_FEDATA_MASK;
		return;
	case VTD_FEADDR_REG:
		hw->feaddr = val & (uint32_t)VTD_FEADDR_MASK;
		return;
	case VTD_FEUADDR_REG:
		hw->feuaddr = val;
		return;
	case VTD_ICS_REG:
		if (val & hw->ics & VTD_ICS_IWC) {
			hw->ics &= ~(uint32_t)VTD_ICS_IWC;
			hw->iectl &= ~(uint32_t)VTD_IECTL_IP;
		}
		return;
	case VTD_IECTL_REG:
		if (hw_write_ectl(&hw->iectl, val))
			irq->inv = true;
		return;
	case VTD_IEDATA_REG:
		hw->iedata = val & (uint32_t)VTD_FEDATA_MASK;
		return;
	case VTD_IEADDR_REG:
		hw->ieaddr = val & (uint32_t)VTD_FEADDR_MASK;
		return;
	case VTD_IEUADDR_REG:
		hw->ieuaddr = val;
		return;
	default:
		return; /* read-only or absent */
	}
}

/* Size and alignment rules (see the decisions above). */
static int hw_access_ok(const struct vtd_hw *hw, uint64_t off,
			unsigned int size, enum hw_reg_kind *kind)
{
	if (size != 4 && size != 8)
		return -EINVAL;
	if ((off & (size - 1)) || off >= hw->window || size > hw->window - off)
		return -EINVAL;
	*kind = hw_reg_kind(hw, off);
	if (size == 8 && (*kind == HW_REG_32 ||
			  hw_reg_kind(hw, off + 4) == HW_REG_32))
		return -EINVAL;
	return 0;
}

/**
 * vtd_hw_mmio_read() - read a register
 * Context: takes reg_lock.
 * Return: 0; -EINVAL bad size, misaligned, beyond the window, or 8 bytes
 * at a 32-bit register.
 */
static int vtd_hw_mmio_read(void *opaque, uint64_t offset, unsigned int size,
			    uint64_t *val)
{
	struct vtd_hw *hw = opaque;
	enum hw_reg_kind kind;
	int ret;

	if (!hw || !val)
		return -EINVAL;
	ret = hw_access_ok(hw, offset, size, &kind);
	if (ret)
		return ret;
	pthread_mutex_lock(&hw->reg_lock);
	if (kind == HW_REG_32)
		*val = hw_read32(hw, offset);
	else if (kind == HW_REG_64 && size == 8)
		*val = hw_read64(hw, offset);
	else if (kind == HW_REG_64)
		*val = (uint32_t)(hw_read64(hw, offset & ~7ull) >>
				  ((offset & 4) * 8));
	else
		*val = 0;
	pthread_mutex_unlock(&hw->reg_lock);
	return 0;
}

/**
 * vtd_hw_mmio_write() - write a register; runs commands and the queue
 * Context: takes reg_lock (and cache set locks); raises the fault or
 * invalidation event after dropping them.
 * Return: 0; -EINVAL as for mmio_read.
 */
static int vtd_hw_mmio_write(void *opaque, uint64_t offset, unsigned int size,
			     uint64_t val)
{
	struct vtd_hw *hw = opaque;
	struct hw_irqs irq = { 0 };
	enum hw_reg_kind kind;
	int ret;

	if (!hw)
		return -EINVAL;
	ret = hw_access_ok(hw, offset, size, &kind);
	if (ret)
		return ret;
	pthread_mutex_lock(&hw->reg_lock);
	if (kind == HW_REG_32) {
		hw_write32(hw, offset, (uint32_t)val, &irq);
	} else if (kind == HW_REG_64 && size == 8) {
		hw_write64(hw, offset, val, ~0ull, &irq);
	} else if (kind == HW_REG_64) {
		unsigned int sh = (unsigned int)(offset & 4) * 8;

		hw_write64(hw, offset & ~7ull, (val & 0xffffffffull) << sh,
			   0xffffffffull << sh, &irq);
	}
	pthread_mutex_unlock(&hw->reg_lock);
	hw_raise(hw, &irq);
	return 0;
}

/* ---- Endpoints: VT-d finds devices by SID in its tables --------------- */

static int vtd_hw_endpoint_add(void *opaque, uint32_t dev_id)
{
	return opaque && dev_id <= 0xffff ? 0 : -EINVAL;
}

static void vtd_hw_endpoint_remove(void *opaque, uint32_t dev_id)
{
	(void)opaque;
	(void)dev_id;
}

/* ---- Life cycle --------------------------------------------------------- */

static int hw_bad_param(struct iommu_host *host, const char *key, uint64_t v,
			const char *why)
{
	host->ops->log(host, IOMMU_LOG_ERR, "vtd: parameter %s = %llu: %s", key,
		       (unsigned long long)v, why);
	return -EINVAL;
}

/* Check the VTD_P_HW_* keys and build CAP/ECAP. Return: 0 or -EINVAL. */
static int hw_load_params(struct vtd_hw *hw, const uint64_t *p)
{
	struct iommu_host *host = hw->host;
	uint64_t aw = p[VTD_P_HW_AW], haw = p[VTD_P_HW_HAW];
	unsigned int awc, sagaw;
	static const struct {
		enum vtd_param key;
		const char *name;
	} bools[] = {
		{ VTD_P_HW_SCALABLE, "scalable_mode" }, { VTD_P_HW_SP2M, "sp_2m" },
		{ VTD_P_HW_SP1G, "sp_1g" }, { VTD_P_HW_FL1GP, "fl_1g" },
		{ VTD_P_HW_FL5LP, "fl_5level" }, { VTD_P_HW_CM, "caching_mode" },
		{ VTD_P_HW_FS, "first_stage" }, { VTD_P_HW_SS, "second_stage" },
		{ VTD_P_HW_PT, "pass_through" }, { VTD_P_HW_NEST, "nesting" },
	};

	if (aw != 39 && aw != 48 && aw != 57)
		return hw_bad_param(host, "aw", aw, "not 39, 48 or 57");
	if (haw < 39 || haw > 52)
		return hw_bad_param(host, "haw", haw, "not in [39, 52]");
	if (p[VTD_P_HW_NFR] < 1 || p[VTD_P_HW_NFR] > 256)
		return hw_bad_param(host, "fault_records", p[VTD_P_HW_NFR],
				    "not in [1, 256]");
	if (p[VTD_P_HW_PASID_BITS] > VTD_PASID_MAX_BITS)
		return hw_bad_param(host, "pasid_bits", p[VTD_P_HW_PASID_BITS],
				    "more than 20");
	if (!p[VTD_P_HW_IOTLB] || p[VTD_P_HW_IOTLB] > 65536)
		return hw_bad_param(host, "iotlb_entries", p[VTD_P_HW_IOTLB],
				    "not in [1, 65536]");
	if (!p[VTD_P_HW_CTX_CACHE] || p[VTD_P_HW_CTX_CACHE] > 65536)
		return hw_bad_param(host, "context_cache_entries",
				    p[VTD_P_HW_CTX_CACHE], "not in [1, 65536]");
	if (!p[VTD_P_HW_PASID_CACHE] || p[VTD_P_HW_PASID_CACHE] > 65536)
		return hw_bad_param(host, "pasid_cache_entries",
				    p[VTD_P_HW_PASID_CACHE],
				    "not in [1, 65536]");
	for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++)
		if (p[bools[i].key] > 1)
			return hw_bad_param(host, bools[i].name,
					    p[bools[i].key], "not 0 or 1");

	awc = (unsigned int)(aw - 30) / 9;
	sagaw = (1u << (awc + 1)) - 2u; /* AW codes 1..awc */
	hw->aw_max = awc;
	hw->mgaw = (unsigned int)aw;
	hw->nfr = (unsigned int)p[VTD_P_HW_NFR];
	hw->ptr_rsvd = VTD_GENMASK(63, haw);
	hw->haw = (uint8_t)haw;
	hw->cm = p[VTD_P_HW_CM];
	hw->sm = p[VTD_P_HW_SCALABLE];
	hw->sp2m = p[VTD_P_HW_SP2M];
	hw->sp1g = p[VTD_P_HW_SP1G];
	hw->pt = p[VTD_P_HW_PT];
	/* Scalable-mode-only features exist only with scalable mode. */
	hw->fs = hw->sm && p[VTD_P_HW_FS];
	hw->ss = hw->sm && p[VTD_P_HW_SS];
	hw->nest = hw->sm && p[VTD_P_HW_NEST];
	hw->fl1g = hw->fs && p[VTD_P_HW_FL1GP];
	hw->fl5 = hw->fs && p[VTD_P_HW_FL5LP];
	hw->pasid_bits = hw->sm ? (unsigned int)p[VTD_P_HW_PASID_BITS] : 0;

	hw->cap = vtd_field_prep(VTD_CAP_ND, HW_ND) |
		  (hw->cm ? VTD_CAP_CM : 0) |
		  vtd_field_prep(VTD_CAP_SAGAW, sagaw) |
		  vtd_field_prep(VTD_CAP_MGAW, aw - 1) |
		  vtd_field_prep(VTD_CAP_FRO, HW_FRO) |
		  (hw->sp2m ? VTD_CAP_SLLPS_2M : 0) |
		  (hw->sp1g ? VTD_CAP_SLLPS_1G : 0) | VTD_CAP_PSI |
		  vtd_field_prep(VTD_CAP_NFR, hw->nfr - 1) |
		  vtd_field_prep(VTD_CAP_MAMV, HW_MAMV) | VTD_CAP_DWD |
		  VTD_CAP_DRD | (hw->fl1g ? VTD_CAP_FL1GP : 0) |
		  (hw->fl5 ? VTD_CAP_FL5LP : 0);
	hw->ecap = VTD_ECAP_C | VTD_ECAP_QI | VTD_ECAP_DT | VTD_ECAP_SC |
		   (hw->pt ? VTD_ECAP_PT : 0) |
		   vtd_field_prep(VTD_ECAP_IRO, HW_IRO);
	if (hw->sm)
		hw->ecap |= VTD_ECAP_SMTS | VTD_ECAP_SMPWCS | VTD_ECAP_RPS |
			    (hw->ss ? VTD_ECAP_SLTS : 0) |
			    (hw->fs ? VTD_ECAP_FLTS : 0) |
			    (hw->nest ? VTD_ECAP_NEST : 0);
	if (hw->pasid_bits)
		hw->ecap |= VTD_ECAP_PASID |
			    vtd_field_prep(VTD_ECAP_PSS, hw->pasid_bits - 1);
	hw->window = vtd_frcd_reg(hw->cap, hw->nfr);
	hw->window = (hw->window + 0xfff) & ~0xfffull;
	return 0;
}

static void vtd_hw_destroy(void *opaque)
{
	struct vtd_hw *hw = opaque;

	if (!hw)
		return;
	hw_cache_fini(&hw->ctxc);
	hw_cache_fini(&hw->pasidc);
	hw_cache_fini(&hw->tlbc);
	pthread_mutex_destroy(&hw->reg_lock);
	free(hw->frcd);
	free(hw);
}

/**
 * vtd_hw_create() - make a DMA-remapping unit in its reset state
 * @host: core services
 * @params: the [vtd] values, indexed by enum vtd_param
 * @out: the instance
 *
 * Return: 0; -EINVAL bad argument or parameter (logged with its key);
 * -ENOMEM.
 */
static int vtd_hw_create(struct iommu_host *host, const uint64_t *params,
			 void **out)
{
	struct vtd_hw *hw;
	int ret;

	if (!host || !host->ops || !params || !out)
		return -EINVAL;
	if (!host->ops->log || !host->ops->mem_read || !host->ops->mem_write ||
	    !host->ops->raise_irq)
		return -EINVAL;
	hw = calloc(1, sizeof(*hw));
	if (!hw)
		return -ENOMEM;
	hw->host = host;
	ret = hw_load_params(hw, params);
	if (ret)
		goto err_free;
	ret = -ENOMEM;
	hw->frcd = calloc(hw->nfr, sizeof(*hw->frcd));
	if (!hw->frcd)
		goto err_free;
	if (pthread_mutex_init(&hw->reg_lock, NULL))
		goto err_free;
	if (hw_cache_init(&hw->ctxc, params[VTD_P_HW_CTX_CACHE]) ||
	    hw_cache_init(&hw->pasidc, params[VTD_P_HW_PASID_CACHE]) ||
	    hw_cache_init(&hw->tlbc, params[VTD_P_HW_IOTLB]))
		goto err_caches;
	hw->fectl = (uint32_t)VTD_FECTL_IM;
	hw->iectl = (uint32_t)VTD_IECTL_IM;
	*out = hw;
	return 0;

err_caches:
	hw_cache_fini(&hw->ctxc);
	hw_cache_fini(&hw->pasidc);
	hw_cache_fini(&hw->tlbc);
	pthread_mutex_destroy(&hw->reg_lock);
err_free:
	free(hw->frcd);
	free(hw);
	return ret;
}

const struct iommu_hw_ops vtd_hw_ops = {
	.create = vtd_hw_create,
	.destroy = vtd_hw_destroy,
	.mmio_read = vtd_hw_mmio_read,
	.mmio_write = vtd_hw_mmio_write,
	.translate = vtd_hw_translate,
	.endpoint_add = vtd_hw_endpoint_add,
	.endpoint_remove = vtd_hw_endpoint_remove,
	.notify = NULL,
};
