// SPDX-License-Identifier: MIT
/*
 * hw_xlate.c - the VT-d model's translation (vtd 10): the context and
 * PASID structures (fetched by hw_fetch.c) through their caches and this
 * thread's memo, the IOTLB, the page walks (hw_walk.c), and the short way
 * of the usual request.  The decisions on fault codes, caching mode, the
 * interrupt window, pass-through and the request attributes (privileged,
 * execute, translated) are in hw.h.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "hw.h"

/* ---- Translation ------------------------------------------------------- */

/* What a resolution of @x makes once for its walks and IOTLB probes. */
static void hw_xl_seeds(struct hw_xl *x)
{
	x->wc_tag = vtd_hw_wc_tag(x);
	x->wc_seed = ilib_walk_cache_seed(x->wc_tag, x->root);
	x->tlb_seed = vtd_hw_tlb_seed(x->did);
	x->tlb_key1 = vtd_hw_tlb_key1(x->tag, x->did, x->sid);
}

static bool hw_overlaps_intr(uint64_t first, uint64_t last)
{
	return first <= VTD_INTR_ADDR_LAST && last >= VTD_INTR_ADDR_FIRST;
}

static void hw_identity(const struct iommu_dma_req *req, uint64_t last,
			struct iommu_translation *out)
{
	out->phys = req->iova;
	out->len = ilib_clip(req->iova, req->len, last);
	out->perm = IOMMU_READ | IOMMU_WRITE;
}

/*
 * hw_ctx_get() - the context entry of @x->sid in mode @ttm, cached
 * Return: 0 and @c; or -EFAULT after the fault (negative entries too).
 */
static int hw_ctx_get(struct vtd_hw *hw, struct hw_xl *x, uint64_t rta,
		      uint8_t ttm, struct hw_ctx *c)
{
	struct hw_ctx n;
	uint64_t gen;
	uint8_t fr;

	if (!vtd_hw_ctx_lookup(hw, x->sid, ttm, c)) {
		gen = ilib_cache_gen(&hw->ctxc);
		memset(&n, 0, sizeof(n));
		n.sid = x->sid;
		n.ttm = ttm;
		fr = ttm == VTD_TTM_LEGACY
			 ? vtd_hw_fetch_legacy_ctx(hw, rta, x->sid, &n)
			 : vtd_hw_fetch_sm_ctx(hw, rta, x->sid, &n);
		if (fr) {
			bool np = fr == VTD_FR_ROOT_NOT_PRESENT ||
				  fr == VTD_FR_CTX_NOT_PRESENT ||
				  fr == VTD_FR_SM_ROOT_NOT_PRESENT ||
				  fr == VTD_FR_SM_CTX_NOT_PRESENT;

			x->fpd = n.fpd;
			if (hw->cm && np) {
				n.neg_fr = fr;
				n.did = 0;
				vtd_hw_ctx_insert(hw, &n, gen);
			}
			return vtd_hw_fault(hw, x, fr);
		}
		vtd_hw_ctx_insert(hw, &n, gen);
		*c = n;
	}
	x->fpd = c->fpd;
	if (c->neg_fr)
		return vtd_hw_fault(hw, x, c->neg_fr);
	return 0;
}

/* Legacy mode: context -> SL table or pass-through (vtd 10 legacy). */
static int hw_xl_legacy(struct vtd_hw *hw, struct hw_xl *x, uint64_t rta)
{
	struct hw_ctx c;
	unsigned int width;
	int ret;

	if (x->has_pasid)
		return vtd_hw_fault(hw, x, VTD_FR_SM_TTM_INVALID);
	ret = hw_ctx_get(hw, x, rta, VTD_TTM_LEGACY, &c);
	if (ret)
		return ret;
	if (x->translated) {
		/* Only a device-TLB context takes translated requests. */
		if (c.tt != VTD_CTX_TT_DEV_TLB)
			return vtd_hw_fault(hw, x, VTD_FR_CTX_TT_BLOCKED);
		x->stage = HW_ST_ATS;
		return 0;
	}
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
	x->width = (uint8_t)width;
	if (x->req->iova >> width)
		return vtd_hw_fault(hw, x, VTD_FR_ADDR_BEYOND_MGAW);
	return 0;
}

/* Scalable mode: context -> PASID directory -> PASID entry (vtd 10 SM). */
static int hw_xl_sm(struct vtd_hw *hw, struct hw_xl *x, uint64_t rta)
{
	struct hw_ctx c;
	struct hw_pe p;
	uint64_t gen, npasid;
	uint32_t pasid;
	uint8_t fr;
	int ret;

	ret = hw_ctx_get(hw, x, rta, VTD_TTM_SCALABLE, &c);
	if (ret)
		return ret;
	if (x->translated) {
		/* DTE takes translated requests; no PASID lookup (hw.h). */
		if (!c.dte)
			return vtd_hw_fault(hw, x, VTD_FR_SM_CTX_DTE);
		x->stage = HW_ST_ATS;
		return 0;
	}
	npasid = vtd_pdts_entries(c.pdts) << VTD_PASID_DIR_SHIFT;
	if (x->has_pasid) {
		pasid = x->req->pasid;
		if (!hw->pasid_bits || !c.paside)
			return vtd_hw_fault(hw, x, VTD_FR_SM_CTX_PASIDE);
		if (pasid >= npasid || (pasid >> hw->pasid_bits))
			return vtd_hw_fault(hw, x, VTD_FR_SM_PASID_TOO_BIG);
	} else {
		pasid = c.rid_pasid;
		if (pasid >= npasid || (pasid >> hw->pasid_bits))
			return vtd_hw_fault(hw, x, VTD_FR_SM_RID_PASID);
	}

	if (vtd_hw_pe_lookup(hw, x->sid, pasid, &p)) {
		x->fpd |= p.fpd;
	} else {
		gen = ilib_cache_gen(&hw->pasidc);
		fr = vtd_hw_fetch_pe(hw, x, &c, pasid, &p);
		if (fr)
			return vtd_hw_fault(hw, x, fr);
		vtd_hw_pe_insert(hw, &p, gen);
	}
	/* The request's attributes against the entry (SPT.5, SPT.6). */
	if (x->exec && !p.ere)
		return vtd_hw_fault(hw, x, VTD_FR_SM_PE_ERE);
	if (x->priv && !p.sre)
		return vtd_hw_fault(hw, x, VTD_FR_SM_PE_SRE);
	x->wpe = p.wpe;
	x->smep = p.smep;
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
		x->width = p.width;
		if (x->req->iova >> p.width)
			return vtd_hw_fault(hw, x, VTD_FR_SM_ADDR_BEYOND_MAX);
		return 0;
	}
}

/*
 * The context each thread resolved last.  The context and PASID caches'
 * generations are read before the lookups that made it and move with
 * every invalidation of either cache (ilib_cache_gen()), so while both
 * still hold, the caches would answer the same: the memo stands for two
 * cache hits and the checks after them.  It only ever serves what the
 * caches held or could have held (an entry the caches evicted meanwhile
 * is still one they were allowed to keep); the root pointer and
 * translation mode come from the live register value, part of the key.
 * Only plain requests (no privilege, execute or translated attribute)
 * that resolved to a second- or first-stage walk are kept.
 */
struct hw_memo {
	/* The model's hw->uid, read before the resolution read hw->live
	 * (a change of that word draws a new uid, so the memo needs no copy
	 * of it); 0: empty */
	uint64_t uid;
	uint64_t ctx_gen, pe_gen;
	/* The request's first two words, dev_id (the SID) and pasid (as
	 * requested, IOMMU_NO_PASID too): one compare, and a match says
	 * both are valid (only a checked request makes a memo). */
	uint64_t dev_pasid;
	bool sm, fpd, nxe, wpe, smep;
	uint8_t stage, levels, width; /* width: 64 = no input check */
	/* A second-stage walk while the IOTLB has only ever held 4 KiB
	 * pages (at @uid: a first larger page draws the model a new uid),
	 * so the short way may take it (hw_plain()). */
	bool quick;
	uint16_t did;
	uint32_t tag;
	/* root, and the paging-structure cache's tag and seed of it
	 * (hw_xl_seeds()) */
	struct ilib_walk_key wk;
	uint64_t tlb_seed, tlb_key1; /* hw_xl_seeds() */
	uint64_t tlb_key0; /* vtd_hw_tlb_key0() of page 0 at level 1 */
	uint16_t tlb_bucket; /* ilib_cache_tag_bucket() of @did */
	uint64_t in_max; /* the last input address @width lets through */
};

/*
 * Initial-exec TLS: in the static block glibc keeps room in for objects
 * loaded later, so a thread's first translation allocates nothing (the
 * default model would allocate the plugin's block per thread and free it
 * only when the thread exits, after the context is gone) and reaching it
 * costs no __tls_get_addr() call.  It must stay small: that room is
 * shared by every plugin loaded (docs/architecture.md).
 */
static _Thread_local struct hw_memo hw_memo
	__attribute__((tls_model("initial-exec")));
_Static_assert(sizeof(struct hw_memo) <= 128,
	       "the memo must stay small: static TLS room is shared");
static uint64_t hw_uid_next;

static uint64_t hw_uid(struct vtd_hw *hw)
{
	uint64_t uid = __atomic_load_n(&hw->uid, __ATOMIC_RELAXED), mine;

	if (uid)
		return uid;
	mine = __atomic_add_fetch(&hw_uid_next, 1, __ATOMIC_RELAXED);
	if (__atomic_compare_exchange_n(&hw->uid, &uid, mine, false,
					__ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return mine;
	return uid; /* another thread's number won */
}

void vtd_hw_uid_init(struct vtd_hw *hw)
{
	hw_uid(hw);
}

/* A new uid for the model: every thread's memo of it is void.  After
 * the change of state the memos must not outlive (its store comes
 * first), so a memo made with the new uid saw that state too.  An
 * exchange, not a store: with redraws racing (the register write, a
 * translation's first large page), whichever uid is last continues
 * every earlier redraw's release, so a reader that acquires it sees
 * every change made before any of them. */
void vtd_hw_uid_redraw(struct vtd_hw *hw)
{
	(void)__atomic_exchange_n(
	    &hw->uid, __atomic_add_fetch(&hw_uid_next, 1, __ATOMIC_RELAXED),
	    __ATOMIC_ACQ_REL);
}

/* struct hw_memo.dev_pasid of @req: its first two words as one. */
static inline uint64_t hw_dev_pasid(const struct iommu_dma_req *req)
{
	_Static_assert(offsetof(struct iommu_dma_req, pasid) ==
			       offsetof(struct iommu_dma_req, dev_id) + 4,
		       "dev_id and pasid make one word");
	return (uint64_t)req->pasid << 32 | req->dev_id;
}

/* This thread's memo, if it holds for @req's device and PASID now. */
static inline const struct hw_memo *
hw_memo_find(uint64_t uid, const struct iommu_dma_req *req, uint64_t ctx_gen,
	     uint64_t pe_gen)
{
	const struct hw_memo *m = &hw_memo;

	/* hw->uid is set at create (never 0), an empty memo's is 0 */
	if (m->uid != uid || m->dev_pasid != hw_dev_pasid(req) ||
	    m->ctx_gen != ctx_gen || m->pe_gen != pe_gen)
		return NULL;
	return m;
}

/* The model's uid, before hw->live (a memo's rule). */
static inline uint64_t hw_uid_now(const struct vtd_hw *hw)
{
	return __atomic_load_n(&hw->uid, __ATOMIC_ACQUIRE);
}

/* Resolve @x from the memo @m. */
static inline void hw_memo_get(struct hw_xl *x, const struct hw_memo *m)
{
	x->sm = m->sm;
	x->fpd = m->fpd;
	x->nxe = m->nxe;
	x->wpe = m->wpe;
	x->smep = m->smep;
	x->stage = m->stage;
	x->levels = m->levels;
	x->width = m->width;
	x->did = m->did;
	x->tag = m->tag;
	x->root = m->wk.root;
	x->wc_tag = m->wk.tag;
	x->wc_seed = m->wk.seed;
	x->tlb_seed = m->tlb_seed;
	x->tlb_key1 = m->tlb_key1;
}

/* @uid: read before the resolution read hw->live (and so before the
 * IOTLB's page sizes, read here: vtd_hw_uid_redraw()). */
static void hw_memo_put(struct vtd_hw *hw, const struct hw_xl *x,
			uint64_t uid, uint64_t ctx_gen, uint64_t pe_gen)
{
	const bool tlb_4k = __atomic_load_n(&hw->tlb_levels,
					    __ATOMIC_SEQ_CST) == 1;

	hw_memo = (struct hw_memo){
	    .uid = uid,
	    .ctx_gen = ctx_gen,
	    .pe_gen = pe_gen,
	    .dev_pasid = hw_dev_pasid(x->req),
	    .quick = x->stage == HW_ST_SL && tlb_4k,
	    .sm = x->sm,
	    .fpd = x->fpd,
	    .nxe = x->nxe,
	    .wpe = x->wpe,
	    .smep = x->smep,
	    .stage = x->stage,
	    .levels = x->levels,
	    .width = x->width,
	    .did = x->did,
	    .tag = x->tag,
	    .wk = {.tag = x->wc_tag, .seed = x->wc_seed, .root = x->root},
	    .tlb_seed = x->tlb_seed,
	    .tlb_key1 = x->tlb_key1,
	    .tlb_key0 = vtd_hw_tlb_key0(0, 1,
					vtd_hw_tlb_key0_mode(x->stage, x->sm)),
	    .tlb_bucket = (uint16_t)ilib_cache_tag_bucket(&hw->tlbc, x->did),
	    .in_max = x->width >= 64 ? UINT64_MAX
				     : (UINT64_C(1) << x->width) - 1,
	};
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
			struct hw_tlb *t, struct hw_tlb_probe *p)
{
	const uint64_t mode = vtd_hw_tlb_key0_mode(x->stage, x->sm);
	unsigned int maxl = 1;

	p->level = 0; /* no probe yet */
	if (x->stage == HW_ST_SL)
		maxl = hw->sp1g ? 3 : hw->sp2m ? 2 : 1;
	else
		maxl = hw->fl1g ? 3 : 2;
	/* Only the page sizes the IOTLB ever held: a 4 KiB-only guest
	 * costs one probe, not three.  (A bit set late only makes a lookup
	 * miss, which walks: always safe.) */
	unsigned int levels = __atomic_load_n(&hw->tlb_levels,
					      __ATOMIC_ACQUIRE) &
			      ((1u << maxl) - 1);

	while (levels) {
		const unsigned int level =
		    (unsigned int)__builtin_ctz(levels) + 1;
		uint64_t vpn;

		levels &= levels - 1;
		vpn = x->req->iova >> vtd_level_shift(level);
		p->level = level;
		p->key[0] = vtd_hw_tlb_key0(vpn, level, mode);
		p->key[1] = x->tlb_key1;
		if (vtd_hw_tlb_probe(hw, p,
				     vtd_hw_tlb_hash(x->tlb_seed, level, vpn),
				     t)) {
			t->level = (uint8_t)level;
			t->stage = x->stage;
			return true;
		}
	}
	return false;
}

/* Cache the walk's result @w (@neg: a CM = 1 not-present result);
 * @p: hw_tlb_find()'s last probe, whose key the insert uses when it is
 * the entry's (the same level), and its set's count if it was stable. */
static void hw_tlb_put(struct vtd_hw *hw, const struct hw_xl *x,
		       const struct hw_walk *w, bool neg, uint64_t gen,
		       const struct hw_tlb_probe *p)
{
	struct hw_tlb t;

	/* The usual case: a page of the size probed last. */
	if (!neg && p->level == w->level) {
		vtd_hw_tlb_insert_probe(hw, p, x->stage, x->did, w->out,
					w->perm, w->wd, gen);
		return;
	}
	t = (struct hw_tlb){
	    .sid = x->sid,
	    .did = x->did,
	    .pasid = x->tag,
	    .stage = x->stage,
	    .sm = x->sm,
	    .neg = neg,
	    .level = (uint8_t)(neg ? 1 : w->level),
	    .seed = x->tlb_seed,
	};
	if (!(__atomic_load_n(&hw->tlb_levels, __ATOMIC_RELAXED) >>
	      (t.level - 1) & 1)) {
		__atomic_fetch_or(&hw->tlb_levels, 1u << (t.level - 1),
				  __ATOMIC_SEQ_CST);
		/* No memo may send a request the short way now. */
		vtd_hw_uid_redraw(hw);
	}
	t.vpn = x->req->iova >> vtd_level_shift(t.level);
	t.out = w->out;
	t.perm = (uint8_t)w->perm;
	t.wd = w->wd;
	vtd_hw_tlb_insert(
	    hw, &t, gen, neg && p->level == 1 && !(p->miss.seq & 1) ? p : NULL);
}

/* hw_plain()'s answer when the request needs the whole way. */
#define HW_PLAIN_NO 1

/*
 * hw_plain() - the usual request, the short way: a plain request whose
 * context this thread's memo @m resolved to a second-stage walk, while
 * the IOTLB has only ever held 4 KiB pages.  One IOTLB probe; on a miss,
 * the paging-structure caches' table of the region and its entry decoded
 * inline (pt_quick_vtdss()), and the page cached.  What it answers is
 * what the whole way answers, from the same caches and memory; anything
 * else (a hit that faults or must walk again, no cached table, an entry
 * that is not a plain page, an output in the interrupt window) it leaves
 * to the whole way, having changed and counted nothing: that way probes
 * again and walks, and reports the fault.
 * Return: IOMMU_HW_CACHED and @out; HW_PLAIN_NO.
 */
static int hw_plain(struct vtd_hw *hw, const struct hw_memo *m,
		    const struct iommu_dma_req *req,
		    struct iommu_translation *out)
{
	const uint64_t iova = req->iova, vpn = iova >> VTD_PAGE_SHIFT;
	/* A read or a write (the caller checked): PT_ACC_R or PT_ACC_W. */
	const unsigned int access = req->access;
	struct hw_tlb_probe p;
	struct hw_tlb t;
	struct ilib_walk_leaf leaf;
	unsigned int iperm;
	uint64_t gen, oa;
	uint32_t perm;

	_Static_assert(PT_ACC_R == IOMMU_ACCESS_READ &&
			       PT_ACC_W == IOMMU_ACCESS_WRITE,
		       "a request's access is the walk's");
	/* The probe's level stays unset: only hw_tlb_put() reads it. */
	p.key[0] = (vpn & HW_TLB_VPN) | m->tlb_key0;
	p.key[1] = m->tlb_key1;
	if (vtd_hw_tlb_probe(hw, &p, vtd_hw_tlb_hash(m->tlb_seed, 1, vpn),
			     &t)) {
		if (t.neg || !(t.perm & vtd_hw_need(req)))
			return HW_PLAIN_NO;
		ilib_stat_req(hw->host, req, IOMMU_STAT_IOTLB_HITS);
		hw_out(req, t.out, 1, t.perm, out);
		return IOMMU_HW_CACHED;
	}
	gen = ilib_cache_gen(&hw->tlbc);
	leaf = ilib_walk_cache_leaf_key(&hw->wc, &hw->fronts, req, &m->wk, 12,
					iova);
	if (!leaf.table)
		return HW_PLAIN_NO;
	perm = (uint32_t)leaf.perm;
	if (!pt_quick_vtdss(pt_quick_load(leaf.table, pt_quick_idx4k(iova)),
			    hw->sl_rsvd0, access, &perm, &oa) ||
	    hw_overlaps_intr(oa, oa + (VTD_PAGE_SIZE - 1)))
		return HW_PLAIN_NO;
	ilib_stat_req2(hw->host, req, IOMMU_STAT_IOTLB_MISSES,
		       IOMMU_STAT_WALKS);
	iperm = vtd_hw_walk_perm(perm);
	hw_out(req, oa, 1, iperm, out);
	/* The probe's key, and its set's count when it was stable (else
	 * the insert looks for the key itself). */
	vtd_hw_tlb_insert_probe_b(hw, &p, HW_ST_SL, m->did, m->tlb_bucket, oa,
				  iperm, false, gen);
	return IOMMU_HW_CACHED;
}

/* vtd_hw_translate() the whole way: every kind of request, every fault. */
static __attribute__((noinline)) int
hw_translate_whole(struct vtd_hw *hw, const struct iommu_dma_req *req,
		   struct iommu_translation *out)
{
	struct hw_walk w;
	struct hw_tlb_probe probe;
	struct hw_tlb t;
	struct hw_xl x;
	uint64_t uid, live, rta, gen, size, ctx_gen, pe_gen;
	const struct hw_memo *m;
	unsigned int ttm, need;
	bool cached, plain;
	uint8_t fr;
	int ret;

	if (!hw || !req || !out || !req->len || req->dev_id > 0xffff)
		return -EINVAL;
	if (req->access != IOMMU_ACCESS_READ &&
	    req->access != IOMMU_ACCESS_WRITE)
		return -EINVAL;
	if (req->attrs & ~IOMMU_ACCESS_ATTRS)
		return -EINVAL;
	if (req->pasid != IOMMU_NO_PASID &&
	    req->pasid >= (1u << VTD_PASID_MAX_BITS))
		return -EINVAL;

	uid = hw_uid_now(hw);
	live = __atomic_load_n(&hw->live, __ATOMIC_ACQUIRE);
	if (!(live & HW_LIVE_TES)) {
		hw_identity(req, UINT64_MAX, out);
		return 0;
	}
	/* An initializer, not a memset: stores inline, no libc call. */
	x = (struct hw_xl){
	    .req = req,
	    .sid = (uint16_t)req->dev_id,
	    .has_pasid = req->pasid != IOMMU_NO_PASID,
	    .translated = req->attrs & IOMMU_ACCESS_TRANSLATED,
	};
	/* PRIV and EXEC come in the PASID prefix; ER only on reads. */
	x.priv =
	    x.has_pasid && !x.translated && (req->attrs & IOMMU_ACCESS_PRIV);
	x.exec = x.has_pasid && !x.translated &&
		 (req->attrs & IOMMU_ACCESS_EXEC) &&
		 req->access == IOMMU_ACCESS_READ;
	if (!x.has_pasid && req->iova >= VTD_INTR_ADDR_FIRST &&
	    req->iova <= VTD_INTR_ADDR_LAST) {
		/* An interrupt request, not DMA (vtd 8; DESIGN rule 12):
		 * the core hands a dword write to the VMM's msi callback
		 * and faults anything else.  No remapping is modelled. */
		hw_identity(req, VTD_INTR_ADDR_LAST, out);
		out->perm = 0;
		return IOMMU_HW_INTERRUPT;
	}
	/* Plain requests: this thread's memo of the context first. */
	plain = !x.priv && !x.exec && !x.translated;
	ctx_gen = ilib_cache_gen(&hw->ctxc);
	pe_gen = ilib_cache_gen(&hw->pasidc);
	m = plain ? hw_memo_find(uid, req, ctx_gen, pe_gen) : NULL;
	if (m)
		hw_memo_get(&x, m);
	if (!m || (x.width < 64 && req->iova >> x.width)) {
		ttm = (unsigned int)vtd_field_get(VTD_RTADDR_TTM, live);
		rta = live & VTD_RTADDR_RTA;
		x.width = 64;
		if (ttm == VTD_TTM_LEGACY) {
			ret = hw_xl_legacy(hw, &x, rta);
		} else if (ttm == VTD_TTM_SCALABLE && hw->sm) {
			x.sm = true;
			ret = hw_xl_sm(hw, &x, rta);
		} else {
			return vtd_hw_fault(hw, &x, VTD_FR_SM_TTM_INVALID);
		}
		if (ret)
			return ret;
		hw_xl_seeds(&x);
		if (plain && (x.stage == HW_ST_SL || x.stage == HW_ST_FL))
			hw_memo_put(hw, &x, uid, ctx_gen, pe_gen);
	}

	if (x.stage == HW_ST_PT || x.stage == HW_ST_ATS) {
		/* Pass-through or a translated request: output = input,
		 * never running on into the interrupt window (its bytes are
		 * an interrupt or a fault, each request on its own). */
		if (x.has_pasid &&
		    hw_overlaps_intr(req->iova & VTD_PAGE_MASK,
				     req->iova | (VTD_PAGE_SIZE - 1)))
			return vtd_hw_fault(hw, &x, VTD_FR_SM_INTR_RANGE);
		hw_identity(req,
			    req->iova < VTD_INTR_ADDR_FIRST
				? VTD_INTR_ADDR_FIRST - 1
				: UINT64_MAX,
			    out);
		return 0;
	}

	need = vtd_hw_need(req);
	/* Privileged and execute requests bypass the IOTLB (hw.h). */
	cached = !x.priv && !x.exec;
	if (cached && hw_tlb_find(hw, &x, &t, &probe)) {
		if (t.neg) {
			ilib_stat_req(hw->host, req, IOMMU_STAT_IOTLB_HITS);
			return vtd_hw_fault(hw, &x,
					    t.stage == HW_ST_FL
						? VTD_FR_SM_FL_NOT_PRESENT
						: vtd_hw_sl_perm_fr(&x));
		}
		if (t.perm & need) {
			ilib_stat_req(hw->host, req, IOMMU_STAT_IOTLB_HITS);
			hw_out(req, t.out, t.level, t.perm, out);
			return IOMMU_HW_CACHED;
		}
		if (!t.wd) {
			ilib_stat_req(hw->host, req, IOMMU_STAT_IOTLB_HITS);
			return vtd_hw_fault(hw, &x,
					    t.stage == HW_ST_FL
						? VTD_FR_SM_WRITE
						: vtd_hw_sl_perm_fr(&x));
		}
		/* A first write through a clean FL page: walk to set D. */
	}
	if (cached)
		ilib_stat_req(hw->host, req, IOMMU_STAT_IOTLB_MISSES);
	ilib_stat_req(hw->host, req, IOMMU_STAT_WALKS);
	gen = ilib_cache_gen(&hw->tlbc);
	w = (struct hw_walk){ 0 };
	fr = x.stage == HW_ST_FL ? vtd_hw_fl_walk(hw, &x, &w)
				 : vtd_hw_sl_walk(hw, &x, &w);
	if (fr) {
		if (w.notpresent && hw->cm && cached)
			hw_tlb_put(hw, &x, &w, true, gen, &probe);
		return vtd_hw_fault(hw, &x, fr);
	}
	size = 1ull << vtd_level_shift(w.level);
	if (hw_overlaps_intr(w.out, w.out + (size - 1)))
		return vtd_hw_fault(
		    hw, &x, x.sm ? VTD_FR_SM_INTR_RANGE : VTD_FR_INTR_RANGE);
	hw_out(req, w.out, w.level, w.perm, out);
	if (!cached)
		return 0;
	/* An IOTLB entry: the core may keep it until the next register
	 * write (an invalidation is one). */
	hw_tlb_put(hw, &x, &w, false, gen, &probe);
	return IOMMU_HW_CACHED;
}

/**
 * vtd_hw_translate() - translate one DMA request (vtd 10)
 * @opaque: model
 * @req: dev_id a 16-bit SID; pasid IOMMU_NO_PASID or < 2^20; len > 0;
 *     access IOMMU_ACCESS_READ or IOMMU_ACCESS_WRITE; attrs a subset of
 *     IOMMU_ACCESS_ATTRS, taken as hw.h says
 * @out: phys, len contiguous up to the end of the page (at most req->len)
 *     and the page's permissions for the request's privilege
 *
 * Context: any thread, concurrently with MMIO; takes cache set locks one
 * at a time, and reg_lock to record a fault; raises the fault event after.
 * Return: 0; -EFAULT after the fault was recorded (or FPD-suppressed);
 * -EINVAL bad arguments.
 */
int vtd_hw_translate(void *opaque, const struct iommu_dma_req *req,
		     struct iommu_translation *out)
{
	struct vtd_hw *hw = opaque;
	const struct hw_memo *m;
	int ret;

	/* The usual request (no attribute, outside the interrupt window
	 * unless it has a PASID) and this thread's memo of its context,
	 * quick: the short way; the rest, and whatever the short way
	 * leaves, the whole way, which checks everything again.  The memo's
	 * match says the SID and PASID are valid, and its uid that hw->live
	 * is still the word of its resolution (translation on). */
	if (!ilib_ptrs_set(hw, req, out))
		return -EINVAL;
	if (req->len && ilib_req_plain(req)) {
		m = hw_memo_find(hw_uid_now(hw), req,
				 ilib_cache_gen(&hw->ctxc),
				 ilib_cache_gen(&hw->pasidc));
		if (m && m->quick && req->iova <= m->in_max &&
		    (req->pasid != IOMMU_NO_PASID ||
		     req->iova < VTD_INTR_ADDR_FIRST ||
		     req->iova > VTD_INTR_ADDR_LAST)) {
			ret = hw_plain(hw, m, req, out);
			if (ret != HW_PLAIN_NO)
				return ret;
		}
	}
	return hw_translate_whole(hw, req, out);
}
