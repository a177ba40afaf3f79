// SPDX-License-Identifier: MIT
/*
 * hw_xlate.c - AMD-Vi translate(): the MSI window, the DTE (amdvi 2;
 * fetched, checked and made a walk configuration by hw_dte.c), the
 * exclusion range, Mode 0, v1 walks (3) and v2 walks through the GCR3
 * table (4), the IOTLB on the way, the short way of the usual request,
 * and the event of each failure (6, hw_dte.c).  The order of the checks
 * and every choice are in hw.h.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "hw.h"
#include "ilib_walk_cache.h"
#include "pt.h"
#include "pt_quick.h"

/*
 * What a request asks of a walk, in one word (hw_walk()'s argument): the
 * walk's PT_ACC_* and these.  A write asks PT_ACC_W, a read PT_ACC_R, and
 * those are IOMMU_WRITE and IOMMU_READ, the permission it needs.
 */
#define HW_ASK_ACC   0xffu
#define HW_ASK_USER  (1u << 8)  /* hw_xl.user */
#define HW_ASK_CACHE (1u << 9)  /* hw_xl.cache */
#define HW_ASK_MEMO  (1u << 10) /* hw_xl.memo */
_Static_assert(PT_ACC_R == IOMMU_READ && PT_ACC_W == IOMMU_WRITE &&
		   PT_ACC_R == IOMMU_ACCESS_READ &&
		   PT_ACC_W == IOMMU_ACCESS_WRITE,
	       "a request's access is its walk's and the permission it needs");
_Static_assert(PT_PERM_UR == IOMMU_READ && PT_PERM_UW == IOMMU_WRITE &&
		   PT_PERM_PR == IOMMU_READ << 3 &&
		   PT_PERM_PW == IOMMU_WRITE << 3,
	       "PT_PERM_U* and PT_PERM_P* are the permission, shifted");

/* ---- results ---------------------------------------------------------------
 */

static int hw_pass(const struct iommu_dma_req *req,
		   struct iommu_translation *out, unsigned int perm)
{
	/* amdvi 7: an untranslated run without PASID stops before the MSI
	 * window, which is never memory. */
	uint64_t last = req->pasid == IOMMU_NO_PASID &&
				req->iova < AMDVI_MSI_FIRST
			    ? AMDVI_MSI_FIRST - 1
			    : UINT64_MAX;

	out->phys = req->iova;
	out->len = ilib_clip(req->iova, req->len, last);
	out->perm = perm;
	return 0;
}

/*
 * The bytes of @req inside its page of size @mask + 1 (ilib_clip() to
 * the page's end, without its checks: the page holds the first byte and
 * the length is above 0, struct iommu_dma_req).
 */
static inline uint64_t hw_page_len(const struct iommu_dma_req *req,
				   uint64_t mask)
{
	const uint64_t room = ~req->iova & mask; /* bytes after the first */

	return req->len - 1 <= room ? req->len : room + 1;
}

static inline __attribute__((always_inline)) int
hw_from_tlb(const struct iommu_dma_req *req, const struct hw_tlb *t,
	    struct iommu_translation *out)
{
	out->phys = t->out | (req->iova & t->mask);
	out->len = hw_page_len(req, t->mask);
	out->perm = t->perm;
	return IOMMU_HW_CACHED;
}

/* The event of a walk that failed (@r->err), then -EFAULT. */
static __attribute__((noinline)) int hw_walk_fault(struct amdvi_hw *hw,
						   const struct hw_xl *x,
						   const struct pt_walk_res *r,
						   bool gn)
{
	switch (r->err) {
	case PT_WALK_NOT_PRESENT:
	case PT_WALK_RANGE:
		return amdvi_hw_pf(hw, x, gn, 0);
	case PT_WALK_RSVD:
	case PT_WALK_ADDR_SIZE:
	case PT_WALK_BAD_DESC:
		return amdvi_hw_pf(hw, x, gn, AMDVI_EVT_F_PR | AMDVI_EVT_F_RZ);
	case PT_WALK_PERM:
		return amdvi_hw_pf(hw, x, gn, AMDVI_EVT_F_PR | AMDVI_EVT_F_PE);
	default: /* PT_WALK_FETCH, PT_WALK_AD_FAIL */
		return amdvi_hw_hw_error(hw, x, AMDVI_EVT_PAGE_TAB_HW_ERROR,
				   r->entry_pa);
	}
}

/*
 * The PDE cache's tag of a walk (hw.h): DomainID, the IOTLB tag (0 host,
 * PASID + 1 guest) and the DTE's shape of the walk beyond its root, so an
 * entry never resumes a walk of other levels.
 */
static uint64_t hw_walk_tag(uint16_t domid, uint32_t tag, unsigned int levels,
			    unsigned int glx)
{
	return domid | (uint64_t)tag << 16 | (uint64_t)levels << 40 |
	       (uint64_t)glx << 44;
}

/* ---- the walk's configuration and the thread's memo ---------------------- */

/*
 * The resolution each thread made last (hw.h): the DTE's walk
 * configuration for one DeviceID and PASID, and for v2 the PASID's GCR3
 * entry.  The model's uid is read before the lookup that made it, and a
 * new one is drawn after every INVALIDATE_DEVTAB_ENTRY and
 * INVALIDATE_IOMMU_ALL has emptied the device-table cache and after
 * every write that changes Control or Device Table Base.  While it
 * holds, the cache would answer the same DTE and the checks after it
 * would pass the same way: the memo stands for a cache hit and those
 * checks.  It only serves what the cache held or could
 * have held (an entry another thread's insert evicted meanwhile is still
 * one the cache was allowed to keep; this thread's own cache work clears
 * the memo first, so a single thread sees the cache's evictions exactly).
 * The GCR3 entry holds while the PDE cache's generation, read before the
 * entry was, does: everything that empties the PDE cache drops it, as it
 * drops the PDE entries that stand for it.
 * Only plain requests (no TRANSLATED; with PASID, neither PRIV nor EXEC)
 * that reach a v1 or v2 walk are kept.
 */
struct hw_memo {
	/* The model's amdvi_hw.uid, read before Control, Device Table Base
	 * and the DTE were (so it stands for them); 0: empty */
	uint64_t uid;
	uint64_t who;	/* hw_who(): DeviceID and PASID as requested */
	struct hw_cfg cfg;
	/* g3_table holds while the PDE cache's generation is g3_gen - 1
	 * (g3_gen 0: no entry kept) */
	uint64_t g3_table, g3_gen;
};

/*
 * Initial-exec TLS: in the static block glibc keeps room in for objects
 * loaded later, so a thread's first translation allocates nothing and
 * reaching it costs no __tls_get_addr() call.  It must stay small: that
 * room is shared by every plugin loaded (docs/architecture.md).
 */
static _Thread_local struct hw_memo hw_memo
	__attribute__((tls_model("initial-exec")));
_Static_assert(sizeof(struct hw_memo) <= 128,
	       "the memo must stay small: static TLS room is shared");
static uint64_t hw_uid_next;

/*
 * The request's DeviceID and PASID (IOMMU_NO_PASID too) as one word: the
 * memo's key, compared in one load.  A DeviceID above 0xffff never
 * matches, since the memo keeps only checked ones.
 */
static inline uint64_t hw_who(const struct iommu_dma_req *req)
{
	uint64_t w;

	_Static_assert(offsetof(struct iommu_dma_req, pasid) ==
			       offsetof(struct iommu_dma_req, dev_id) + 4,
		       "DeviceID and PASID side by side");
	memcpy(&w, &req->dev_id, sizeof(w));
	return w;
}

/* A number no other instance of this process had: the memo's key. */
uint64_t amdvi_hw_uid_new(void)
{
	return __atomic_add_fetch(&hw_uid_next, 1, __ATOMIC_RELAXED);
}

/* A new number for @hw after a change its memos must not outlive (made
 * first): every thread's memo of it is void, and one made with the new
 * number read the change. */
void amdvi_hw_uid_redraw(struct amdvi_hw *hw)
{
	/* An exchange: racing redraws keep each other's release (as
	 * VT-d's vtd_hw_uid_redraw()). */
	(void)__atomic_exchange_n(&hw->uid, amdvi_hw_uid_new(),
				  __ATOMIC_ACQ_REL);
}

/* The model's number, before the registers a memo stands for. */
static inline uint64_t hw_uid(const struct amdvi_hw *hw)
{
	return __atomic_load_n(&hw->uid, __ATOMIC_ACQUIRE);
}

/*
 * hw_xl_of() - the request as the events need it, rebuilt from what a
 * walk was given (a walk's failures only: the walk itself needs less)
 */
static void hw_xl_of(struct hw_xl *x, const struct iommu_dma_req *req,
		     const struct hw_cfg *c, unsigned int ask)
{
	*x = (struct hw_xl){
	    .req = req,
	    .devid = (uint16_t)req->dev_id,
	    .domid = c->domid,
	    .has_pasid = req->pasid != IOMMU_NO_PASID,
	    .write = ask & PT_ACC_W,
	    .sa = c->sa,
	    .user = ask & HW_ASK_USER,
	    .cache = ask & HW_ASK_CACHE,
	    .acc = ask & HW_ASK_ACC,
	    .memo = ask & HW_ASK_MEMO,
	};
}

/* The event of a GCR3 entry that failed (@epa, or not valid), -EFAULT. */
static __attribute__((noinline, cold)) int
hw_gcr3_fault(struct amdvi_hw *hw, const struct iommu_dma_req *req,
	      const struct hw_cfg *c, unsigned int ask, uint64_t epa)
{
	struct hw_xl x;

	hw_xl_of(&x, req, c, ask);
	if (epa)
		return amdvi_hw_hw_error(hw, &x, AMDVI_EVT_PAGE_TAB_HW_ERROR,
					 epa);
	return amdvi_hw_pf(hw, &x, true, 0);
}

/*
 * hw_gcr3() - the guest table root of @c's PASID (4.1): the GCR3 entry
 * of each level from the GCR3 table down, or the thread's memo of it
 * @ask: the request's HW_ASK_* (HW_ASK_MEMO: the memo is this request's)
 * @wgen: the PDE cache's generation, read before this
 * Return: 0 and @root; -EFAULT after the event (an entry outside RAM, or
 * not valid).
 */
static int hw_gcr3(struct amdvi_hw *hw, const struct iommu_dma_req *req,
		   const struct hw_cfg *c, unsigned int ask, uint64_t wgen,
		   uint64_t *root)
{
	struct hw_memo *m = &hw_memo;
	const uint32_t pasid = c->tag - 1;
	uint64_t table = c->wk.root, epa, e;

	if ((ask & HW_ASK_MEMO) && m->g3_gen == wgen + 1) {
		*root = m->g3_table;
		return 0;
	}
	for (int l = c->glx; l >= 0; l--) {
		const uint64_t idx =
		    (pasid >> (AMDVI_GCR3_IDX_BITS * (unsigned int)l)) & 0x1ff;

		epa = table + 8 * idx;
		if (ilib_mem_read_le64(hw->host, epa, &e, 1))
			return hw_gcr3_fault(hw, req, c, ask, epa);
		if (!(e & AMDVI_GCR3_VALID))
			return hw_gcr3_fault(hw, req, c, ask, 0);
		table = e & AMDVI_GCR3_ADDR;
	}
	if (ask & HW_ASK_MEMO) {
		m->g3_table = table;
		m->g3_gen = wgen + 1;
	}
	*root = table;
	return 0;
}

/* ---- the walks (3, 4) ------------------------------------------------------
 */

/* The event of a walk that failed, then -EFAULT. */
static __attribute__((noinline, cold)) int
hw_walk_failed(struct amdvi_hw *hw, const struct iommu_dma_req *req,
	       const struct hw_cfg *c, unsigned int ask,
	       const struct pt_walk_res *r)
{
	struct hw_xl x;

	hw_xl_of(&x, req, c, ask);
	return hw_walk_fault(hw, &x, r, c->v2);
}

/*
 * hw_page_done() - the result of a page the walk found (and its IOTLB
 * entry): the output address @oa of a page of 2^@lg2 bytes (4 KiB to
 * 2^64), the walk's PT_PERM_* @perm and the leaf @entry
 * @c: the walk's configuration
 * @ask: the request's HW_ASK_*
 * @gen: the IOTLB's generation, read before the walk
 * @miss: NULL, or what the IOTLB lookup that missed saw of its set
 * Inline: a caller with a constant @lg2 keeps none of the size's cases.
 */
static inline __attribute__((always_inline)) int
hw_page_done(struct amdvi_hw *hw, const struct iommu_dma_req *req,
	     const struct hw_cfg *c, unsigned int ask, uint64_t oa,
	     unsigned int lg2, uint32_t perm, uint64_t entry, uint64_t gen,
	     const struct ilib_cache_miss *miss, struct iommu_translation *out)
{
	const uint64_t rw = IOMMU_READ | IOMMU_WRITE;
	struct hw_tlb t;
	uint64_t mask;

	/* Only a page of 4 KiB to 2^63 bytes goes into the IOTLB (the
	 * walker returns no other). */
	if (__builtin_expect(lg2 - 12u > 63u - 12u, 0))
		ask &= ~HW_ASK_CACHE;
	mask = lg2 >= 64 ? UINT64_MAX : (1ull << lg2) - 1;
	t.base = req->iova & ~mask;
	t.out = oa & ~mask;
	t.mask = mask;
	t.size_lg2 = lg2;
	/* PT_PERM_U* decide a user request, PT_PERM_P* a privileged one. */
	t.perm = (unsigned int)((ask & HW_ASK_USER ? perm : perm >> 3) & rw);
	/* With dirty updates, a clean page stays read-only in the IOTLB
	 * so that the first write walks again to set D. */
	if (!(ask & PT_ACC_W) && (entry & c->dbit) != c->dbit)
		t.perm &= ~IOMMU_WRITE;
	out->phys = t.out | (req->iova & mask);
	out->len = hw_page_len(req, mask);
	out->perm = t.perm;
	if ((ask & HW_ASK_CACHE) &&
	    (lg2 == 12 ? amdvi_hw_tlb_insert_4k(hw, &c->tt, &t, gen, miss)
		       : amdvi_hw_tlb_insert(hw, &c->tt, &t, gen, miss)))
		return IOMMU_HW_CACHED;
	return 0;
}

/*
 * hw_walk_done() - turn a walk into the result (and the IOTLB entry) or
 * the event (hw_page_done())
 */
static int hw_walk_done(struct amdvi_hw *hw, const struct iommu_dma_req *req,
			const struct hw_cfg *c, unsigned int ask,
			const struct pt_walk_res *r, uint64_t gen,
			const struct ilib_cache_miss *miss,
			struct iommu_translation *out)
{
	if (__builtin_expect(r->err != PT_WALK_OK, 0))
		return hw_walk_failed(hw, req, c, ask, r);
	return hw_page_done(hw, req, c, ask, r->oa, r->size_lg2, r->perm,
			    r->entry, gen, miss, out);
}

/*
 * hw_quick() - the leaf @e of @req in the PDE cache's last-level table,
 * when it is a plain 4 KiB page that @c's walk would take as it stands
 * (pt_quick.h: no A or D to set, every check passed)
 * @acc: the walk's PT_ACC_*: PT_ACC_R or PT_ACC_W (a user request)
 * @perm: in, what the levels above granted; out, the page's
 * @oa: out, the page's output address
 * Return: true, as pt_walk() resumed there; false: ask pt_walk().
 */
static inline __attribute__((always_inline)) bool
hw_quick(const struct amdvi_hw *hw, const struct hw_cfg *c, unsigned int acc,
	 uint64_t e, uint32_t *perm, uint64_t *oa)
{
	const uint64_t need = c->quick_need[acc];

	if (c->v2)
		return pt_quick_amdv2(e, hw->v2_rsvd0, need, acc, perm, oa);
	return pt_quick_amdv1(e, hw->v1_rsvd0, need, acc, perm, oa);
}

/*
 * hw_walk_from() - pt_walk() for @req as @c says, resumed at @s (a PDE
 * cache hit) or, when @s is NULL, from the top (v2: through the GCR3
 * entry), which fills the PDE cache; then the result or the event
 * @gen: the IOTLB's generation, read before the PDE cache was
 * @miss: what the IOTLB lookup that missed saw of its set
 * Out of line: the inline decode of hw_walk() keeps none of this.
 */
static __attribute__((noinline)) int
hw_walk_from(struct amdvi_hw *hw, const struct iommu_dma_req *req,
	     const struct hw_cfg *c, unsigned int ask,
	     const struct ilib_walk_start *s, uint64_t gen,
	     const struct ilib_cache_miss *miss, struct iommu_translation *out)
{
	const unsigned int acc = ask & HW_ASK_ACC;
	struct pt_walk_desc wd;
	struct pt_walk_res r;
	uint64_t wgen;

	wd = (struct pt_walk_desc){
	    .fmt = c->fmt,
	    .root = c->wk.root,
	    .levels = c->levels,
	    .oa_bits = 52,
	    .leaf_levels = c->leaf_levels,
	    .flags = c->wflags,
	    .perm = c->perm,
	};
	if (s) {
		ilib_walk_cache_resume(s, &wd);
		pt_walk(hw->host, &wd, req->iova, acc, &r);
	} else {
		wgen = ilib_walk_cache_gen(&hw->walkc);
		if (c->v2 && hw_gcr3(hw, req, c, ask, wgen, &wd.root))
			return -EFAULT;
		pt_walk(hw->host, &wd, req->iova, acc, &r);
		wd.root = c->wk.root; /* the key */
		ilib_walk_cache_fill_seeded(&hw->walkc, hw->host, c->wk.tag,
					    c->wk.seed, &wd, req->iova, acc, &r,
					    wgen);
	}
	return hw_walk_done(hw, req, c, ask, &r, gen, miss, out);
}

/*
 * hw_walk() - translate @req as @c says: the IOTLB, then the PDE cache
 * and the walk (v2: through the GCR3 entry).  A PDE cache hit on a
 * last-level table whose entry is a plain 4 KiB page decodes it inline
 * (hw_quick()); any other hit resumes pt_walk() from the same lookup.
 * @ask: what the request asks (HW_ASK_*)
 * Return: as amdvi_hw_translate().
 */
static int hw_walk(struct amdvi_hw *hw, const struct iommu_dma_req *req,
		   const struct hw_cfg *c, unsigned int ask,
		   struct iommu_translation *out)
{
	const unsigned int acc = ask & HW_ASK_ACC;
	struct ilib_cache_miss miss = { .seq = 1 };
	struct ilib_walk_start s;
	const void *table;
	struct hw_tlb t;
	uint64_t gen, e, oa;
	uint32_t perm;
	bool hit;

	if (ask & HW_ASK_CACHE) {
		if (amdvi_hw_tlb_lookup(hw, &c->tt, req->iova, &t, &miss) &&
		    (t.perm & ask & (IOMMU_READ | IOMMU_WRITE))) {
			/* The counter last: nothing is live across its call. */
			hw_from_tlb(req, &t, out);
			ilib_stat_req(hw->host, req, IOMMU_STAT_IOTLB_HITS);
			return IOMMU_HW_CACHED;
		}
		ilib_stat_req(hw->host, req, IOMMU_STAT_IOTLB_MISSES);
	}
	ilib_stat_req(hw->host, req, IOMMU_STAT_WALKS);
	/* The IOTLB's generation before the PDE cache is read (hw_cache.c
	 * amdvi_hw_walk_flush()). */
	gen = ilib_cache_gen(&hw->tlbc);
	/* v2 keys on the GCR3 table: a hit stands for the PASID's GCR3
	 * entry too, and reads neither it nor the levels above. */
	hit = ilib_walk_cache_find(&hw->walkc, c->wk.tag, c->wk.seed,
				   c->wk.root, 12, req->iova, &s);
	/* The usual miss: a plain read or write of a page in a region whose
	 * last table the PDE cache holds. */
	if (hit && (table = ilib_walk_start_leaf_table(&s)) &&
	    (acc == PT_ACC_R || acc == PT_ACC_W)) {
		e = pt_quick_load(table, pt_quick_idx4k(req->iova));
		perm = ilib_walk_start_perm(&s);
		if (hw_quick(hw, c, acc, e, &perm, &oa))
			return hw_page_done(hw, req, c, ask, oa, 12, perm, e,
					    gen, &miss, out);
	}
	return hw_walk_from(hw, req, c, ask, hit ? &s : NULL, gen, &miss, out);
}

/* ---- translate
 * --------------------------------------------------------------- */

/* 1.1, 7: does the exclusion range let @x through untranslated? */
static bool hw_excluded(const struct amdvi_hw *hw, const struct hw_xl *x)
{
	const uint64_t base = hw_ld(&hw->excl_base);
	const uint64_t last =
	    (hw_ld(&hw->excl_limit) & AMDVI_EXCL_ADDR) | 0xfff;
	const uint64_t iova = x->req->iova;

	if (x->has_pasid || !(base & AMDVI_EXCL_EN))
		return false;
	if (!(base & AMDVI_EXCL_ALLOW) && !(x->dte[1] & AMDVI_DTE1_EX))
		return false;
	return iova >= (base & AMDVI_EXCL_ADDR) && iova <= last;
}

/* 2.3 Mode 0: identity, reads need IR and writes IW. */
static int hw_xl_mode0(struct amdvi_hw *hw, const struct hw_xl *x,
		       struct iommu_translation *out)
{
	const unsigned int perm =
	    (x->dte[0] & AMDVI_DTE0_IR ? IOMMU_READ : 0u) |
	    (x->dte[0] & AMDVI_DTE0_IW ? IOMMU_WRITE : 0u);

	if (!(perm & (x->write ? IOMMU_WRITE : IOMMU_READ)))
		return amdvi_hw_pf(hw, x, false,
				   AMDVI_EVT_F_PR | AMDVI_EVT_F_PE);
	return hw_pass(x->req, out, perm);
}

/* A translated (ATS) request: DTE.I lets it through (hw.h). */
static int hw_xl_translated(struct amdvi_hw *hw, const struct hw_xl *x,
			    struct iommu_translation *out)
{
	struct hw_event e;

	if (x->dte[1] & AMDVI_DTE1_I)
		return hw_pass(x->req, out, IOMMU_READ | IOMMU_WRITE);
	amdvi_evt_simple(&e, AMDVI_EVT_INVALID_DEV_REQ, x->devid, 0, 0,
			 x->req->iova);
	amdvi_hw_log_event(hw, &e);
	return -EFAULT;
}

/*
 * hw_resolve() - translate @x from its DTE (amdvi 2.4, 7, 3, 4), in the
 * order of hw.h, and keep what a plain request resolved to in the
 * thread's memo
 * @uid: the model's uid, read before them (the memo's key)
 * @ctrl, @dtb: the registers as translate() read them
 * @plain: the memo may keep the resolution
 * Out of line: translate() keeps only what the memo's path needs.
 * Return: as amdvi_hw_translate().
 */
static __attribute__((noinline)) int
hw_resolve(struct amdvi_hw *hw, struct hw_xl *x, uint64_t uid, uint64_t ctrl,
	   uint64_t dtb, bool plain, struct iommu_translation *out)
{
	const struct iommu_dma_req *req = x->req;
	const uint64_t rw = IOMMU_READ | IOMMU_WRITE;
	struct hw_memo *m = &hw_memo;
	struct hw_cfg c;
	uint64_t d[4];
	int ret;

	/* This resolution's cache lookups and inserts come first: the memo
	 * stands for none of them until it is filled again below. */
	m->uid = 0;
	x->dte = d;
	ret = amdvi_hw_dte_get(hw, x, dtb, d);
	if (ret)
		return ret;
	if (!(d[0] & AMDVI_DTE0_V))
		return hw_pass(req, out, rw);
	if (!amdvi_hw_dte_legal(hw, d))
		return amdvi_hw_illegal_dte(hw, x, true);
	x->domid = (uint16_t)amdvi_field_get(AMDVI_DTE1_DOMID, d[1]);
	x->sa = d[1] & AMDVI_DTE1_SA;
	if (req->attrs & IOMMU_ACCESS_TRANSLATED)
		return hw_xl_translated(hw, x, out);
	if (hw_excluded(hw, x))
		return hw_pass(req, out, rw);
	if (!(d[0] & AMDVI_DTE0_TV))
		return amdvi_hw_pf(hw, x, false, 0);
	if (x->has_pasid) {
		const bool exec = !x->write && (req->attrs & IOMMU_ACCESS_EXEC);

		x->user = !(req->attrs & IOMMU_ACCESS_PRIV);
		/* Only user requests are cached; results with EXEC never
		 * (hw.h). */
		x->cache = x->user && !exec;
		x->acc |= (exec ? PT_ACC_X : 0u) | (x->user ? 0u : PT_ACC_PRIV);
		ret = amdvi_hw_cfg_v2(hw, x, req->pasid, ctrl, &c);
	} else if ((d[0] & AMDVI_DTE0_GV) && (d[0] & AMDVI_DTE0_GIOV) &&
		   (hw->efr & AMDVI_EFR_GIO_SUP) && (ctrl & AMDVI_CTRL_GT_EN)) {
		ret = amdvi_hw_cfg_v2(hw, x, 0, ctrl, &c); /* GIoV: PASID 0 */
	} else if (amdvi_field_get(AMDVI_DTE0_MODE, d[0]) == AMDVI_MODE_NONE) {
		return hw_xl_mode0(hw, x, out);
	} else {
		amdvi_hw_cfg_v1(hw, x, ctrl, &c);
	}
	if (ret)
		return ret;
	c.wk.tag = hw_walk_tag(c.domid, c.tag, c.levels, c.glx);
	amdvi_hw_tlb_tag(hw, &c.tt, c.domid, c.tag);
	c.wk.seed = ilib_walk_cache_seed(c.wk.tag, c.wk.root);
	c.quick_need[0] = 0;
	for (unsigned int a = PT_ACC_R; a <= PT_ACC_W; a++)
		c.quick_need[a] =
		    (uint8_t)(c.v2 ? pt_quick_amdv2_need(c.wflags, a)
				   : pt_quick_amdv1_need(c.wflags, a));
	if (plain) {
		*m = (struct hw_memo){
		    .uid = uid,
		    .who = hw_who(req),
		    .cfg = c,
		};
		x->memo = true;
	}
	return hw_walk(hw, req, &c,
		       x->acc | (x->user ? HW_ASK_USER : 0u) |
			   (x->cache ? HW_ASK_CACHE : 0u) |
			   (x->memo ? HW_ASK_MEMO : 0u),
		       out);
}

/*
 * hw_translate_slow() - every request the memo does not answer: the
 * argument checks, the MSI window, IommuEn, then hw_resolve()
 * @uid, @ctrl, @dtb: as translate() read them, in its order
 */
static __attribute__((noinline)) int
hw_translate_slow(struct amdvi_hw *hw, const struct iommu_dma_req *req,
		  uint64_t uid, uint64_t ctrl, uint64_t dtb,
		  struct iommu_translation *out)
{
	struct hw_xl x;
	bool plain;

	if (!req->len || req->dev_id > 0xffff ||
	    (req->access != IOMMU_ACCESS_READ &&
	     req->access != IOMMU_ACCESS_WRITE))
		return -EINVAL;
	x = (struct hw_xl){
	    .req = req,
	    .devid = (uint16_t)req->dev_id,
	    .has_pasid = req->pasid != IOMMU_NO_PASID,
	    .write = req->access == IOMMU_ACCESS_WRITE,
	    .user = true,
	    .cache = true,
	    .acc = req->access == IOMMU_ACCESS_WRITE ? PT_ACC_W : PT_ACC_R,
	};
	if (!x.has_pasid && req->iova >= AMDVI_MSI_FIRST &&
	    req->iova <= AMDVI_MSI_LAST) {
		out->phys = req->iova;
		out->len = ilib_clip(req->iova, req->len, AMDVI_MSI_LAST);
		out->perm = 0;
		return IOMMU_HW_INTERRUPT;
	}
	if (!(ctrl & AMDVI_CTRL_IOMMU_EN))
		return hw_pass(req, out, IOMMU_READ | IOMMU_WRITE);
	plain = !(req->attrs & IOMMU_ACCESS_TRANSLATED) &&
		(!x.has_pasid ||
		 !(req->attrs & (IOMMU_ACCESS_PRIV | IOMMU_ACCESS_EXEC)));
	return hw_resolve(hw, &x, uid, ctrl, dtb, plain, out);
}

/*
 * hw_memo_holds() - does this thread's memo @m answer @req's resolution?
 * @uid: the model's number, read first
 *
 * A memo is only made under IommuEn, for a checked DeviceID and PASID,
 * and is void once Control or Device Table Base changes or the
 * device-table cache is invalidated (a new number).  Only for a plain
 * request (no TRANSLATED; with PASID, neither PRIV nor EXEC; a length
 * above 0 and a read or a write, as the whole way checked).  Without
 * PASID, the MSI window comes first and the exclusion range, which
 * depends on the address, must be off.
 */
static inline __attribute__((always_inline)) bool
hw_memo_holds(const struct amdvi_hw *hw, const struct hw_memo *m,
	      const struct iommu_dma_req *req, uint64_t uid)
{
	return m->uid == uid && m->who == hw_who(req) &&
	       !(req->attrs & IOMMU_ACCESS_TRANSLATED) &&
	       (req->pasid != IOMMU_NO_PASID
		    ? !(req->attrs & (IOMMU_ACCESS_PRIV | IOMMU_ACCESS_EXEC))
		    : (req->iova < AMDVI_MSI_FIRST ||
		       req->iova > AMDVI_MSI_LAST) &&
			  !(hw_ld(&hw->excl_base) & AMDVI_EXCL_EN));
}

/*
 * amdvi_hw_translate() the whole way: every kind of request, every
 * fault, and the memo's requests the short way (hw_plain()) leaves.
 */
static __attribute__((noinline)) int
hw_translate_whole(struct amdvi_hw *hw, const struct iommu_dma_req *req,
		   struct iommu_translation *out)
{
	const struct hw_memo *m = &hw_memo;
	uint64_t uid, ctrl, dtb;

	if (!hw || !req || !out || !req->len ||
	    (req->access != IOMMU_ACCESS_READ &&
	     req->access != IOMMU_ACCESS_WRITE) ||
	    (req->attrs & ~IOMMU_ACCESS_ATTRS))
		return -EINVAL;
	uid = hw_uid(hw);
	ctrl = hw_ld(&hw->ctrl);
	dtb = hw_ld(&hw->dtb);
	if (hw_memo_holds(hw, m, req, uid))
		return hw_walk(hw, req, &m->cfg,
			       req->access | HW_ASK_USER | HW_ASK_CACHE |
				   HW_ASK_MEMO,
			       out);
	return hw_translate_slow(hw, req, uid, ctrl, dtb, out);
}

/* hw_plain()'s answer when the request needs the whole way: one it never
 * gives otherwise. */
#define HW_PLAIN_NO IOMMU_HW_INTERRUPT

/*
 * hw_plain() - the usual request, the short way: a plain read or write
 * whose resolution this thread's memo holds (@c, a v1 or v2 walk; a user
 * request, cached), while the IOTLB has only ever held 4 KiB pages.  One
 * IOTLB probe (hw_walk()'s, with its key); on a miss, the PDE cache's
 * last-level table of the region and its entry decoded inline
 * (hw_quick()), and the page cached with the probe's key.  What it
 * answers is what hw_walk() answers, from the same caches and memory;
 * anything else (a hit without the permission, no last-level table
 * cached, an entry that is not a plain page the walk would leave alone)
 * it leaves to the whole way having changed and counted nothing: that
 * way probes again, walks and reports the fault.
 * Return: 0 or IOMMU_HW_CACHED (the page cached) and @out; HW_PLAIN_NO.
 */
static inline __attribute__((always_inline)) int
hw_plain(struct amdvi_hw *hw, const struct hw_cfg *c,
	 const struct iommu_dma_req *req, struct iommu_translation *out)
{
	const uint64_t iova = req->iova;
	const unsigned int acc = req->access; /* PT_ACC_R or PT_ACC_W */
	struct ilib_cache_miss miss;
	uint64_t key[2], val, gen, e, oa;
	struct ilib_walk_leaf leaf;
	uint32_t perm;

	amdvi_hw_tlb_key(key, c->tt.word, iova, 12);
	if (ilib_cache_lookup_fixed_miss(&hw->tlbc,
					 amdvi_hw_tlb_hash(key, c->tt.seed),
					 key, &val, 2, 1, &miss)) {
		if (!(val & acc))
			return HW_PLAIN_NO;
		out->phys = (val & ~AMDVI_HW_TLB_PERM) | (iova & 0xfff);
		out->len = hw_page_len(req, 0xfff);
		out->perm = (unsigned int)(val & AMDVI_HW_TLB_PERM);
		ilib_stat_req(hw->host, req, IOMMU_STAT_IOTLB_HITS);
		return IOMMU_HW_CACHED;
	}
	/* The IOTLB's generation before the PDE cache is read (hw_walk()). */
	gen = ilib_cache_gen(&hw->tlbc);
	leaf = ilib_walk_cache_leaf_key(&hw->walkc, &hw->fronts, req, &c->wk,
					12, iova);
	if (!leaf.table)
		return HW_PLAIN_NO;
	perm = (uint32_t)leaf.perm;
	e = pt_quick_load(leaf.table, pt_quick_idx4k(iova));
	if (!hw_quick(hw, c, acc, e, &perm, &oa))
		return HW_PLAIN_NO;
	/* hw_page_done() of a user request: PT_PERM_U*; a clean page read
	 * under dirty updates stays read-only in the IOTLB. */
	perm &= IOMMU_READ | IOMMU_WRITE;
	if ((e & c->dbit) != c->dbit && acc == PT_ACC_R)
		perm &= ~IOMMU_WRITE;
	out->phys = oa | (iova & 0xfff);
	/* hw_page_len() of a length above 0 (the caller's check). */
	out->len = req->len < 0x1000 - (iova & 0xfff) ? req->len
						      : 0x1000 - (iova & 0xfff);
	out->perm = perm;
	ilib_stat_req2(hw->host, req, IOMMU_STAT_IOTLB_MISSES,
		       IOMMU_STAT_WALKS);
	/* The probe's key and set; tlb_sizes already has 4 KiB (it only
	 * grows), so the insert has nothing to publish first. */
	val = oa | perm;
	return ilib_cache_insert_after_miss_bucket(&hw->tlbc, &miss, key,
						   &val, gen, key[1],
						   c->tt.bucket, 2, 1)
		   ? IOMMU_HW_CACHED
		   : 0;
}

/**
 * amdvi_hw_translate() - translate one DMA request (amdvi 2.4, 3, 4, 7)
 * @opaque: the instance
 * @req: the request
 * @out: the translation
 *
 * Context: any thread, concurrently with mmio_write and other translate
 * calls; takes reg_lock only to log an event.
 * Return: 0 or IOMMU_HW_CACHED and @out; IOMMU_HW_INTERRUPT (MSI window);
 * -EFAULT after the event; -EINVAL bad arguments.
 */
int amdvi_hw_translate(void *opaque, const struct iommu_dma_req *req,
		       struct iommu_translation *out)
{
	struct amdvi_hw *hw = opaque;
	const struct hw_memo *m;
	int ret;

	/* The usual request (a plain read or write, no attribute, that
	 * this thread's memo holds) while the IOTLB held only 4 KiB pages,
	 * so hw_walk() would probe that size alone: the short way; the
	 * rest, and whatever the short way leaves, the whole way, which
	 * checks everything again. */
	if (!ilib_ptrs_set(hw, req, out))
		return -EINVAL;
	if (req->len && ilib_req_plain(req)) {
		m = &hw_memo;
		if (m->uid == hw_uid(hw) && m->who == hw_who(req) &&
		    (req->pasid != IOMMU_NO_PASID
			 ? !(hw_ld(&hw->short_off) & HW_SHORT_SIZES)
			 : (req->iova < AMDVI_MSI_FIRST ||
			    req->iova > AMDVI_MSI_LAST) &&
			       !hw_ld(&hw->short_off))) {
			ret = hw_plain(hw, &m->cfg, req, out);
			if (ret != HW_PLAIN_NO)
				return ret;
		}
	}
	return hw_translate_whole(hw, req, out);
}
