// SPDX-License-Identifier: MIT
/*
 * hw_xlate.c - the SMMUv3 model's translate(): global bypass, the STE,
 * substreams (S1DSS, S1CDMax), the CD, stage 1 / stage 2 / nested walks
 * with the TLB in front of them, and the fault of each failure in the
 * order of smmuv3 6.5.  The decisions on request attributes, ATS
 * (translated requests), bypass address checks and TLB tags are in hw.h.
 * The usual request (plain, its stream in the thread's memo, stage 1
 * alone) goes the short way (hw_plain()) first, which answers it as the
 * whole way (hw_translate_whole()) would or leaves it to that way
 * untouched.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "hw.h"
#include "hw_tlb.h"
#include "hw_walk_quick.h"

/* Fill @out with the identity of @req up to @last. */
static void hw_identity(const struct iommu_dma_req *req, uint64_t last,
			struct iommu_translation *out)
{
	out->phys = req->iova;
	out->len = ilib_clip(req->iova, req->len, last);
	out->perm = IOMMU_READ | IOMMU_WRITE;
}

/* A fault of the request itself at the top (no stage walked). */
static int hw_xl_fault(struct smmu_hw *hw, const struct hw_xl *x, uint8_t id)
{
	const struct hw_fault f = {.id = id, .class = SMMU_EVT_CLASS_IN};

	return smmu_hw_fault(hw, x, &f);
}

/*
 * A bypassed stage: the input must fit the OAS (= IAS here, smmuv3 4.3);
 * F_ADDR_SIZE, S2 = 0, CLASS IN, always recorded (hw.h).
 */
static int hw_xl_bypass(struct smmu_hw *hw, const struct hw_xl *x,
			struct iommu_translation *out)
{
	const struct iommu_dma_req *req = x->req;

	if (req->iova >> hw->oas)
		return hw_xl_fault(hw, x, SMMU_EVT_F_ADDR_SIZE);
	hw_identity(req, (1ull << hw->oas) - 1, out);
	return 0;
}

/* The data permissions the request's privilege has in @perm. */
static unsigned int hw_out_perm(const struct hw_xl *x, uint8_t perm)
{
	/* The privileged bits are the unprivileged ones moved up by 3, and
	 * UR, UW are IOMMU_READ, IOMMU_WRITE. */
	_Static_assert(PT_PERM_PR == (PT_PERM_UR << 3), "PR is UR << 3");
	_Static_assert(PT_PERM_PW == (PT_PERM_UW << 3), "PW is UW << 3");
	_Static_assert(PT_PERM_UR == IOMMU_READ && PT_PERM_UW == IOMMU_WRITE,
		       "unprivileged read and write are the IOMMU_ bits");
	return (unsigned int)(x->priv ? perm >> 3 : perm) &
	       (IOMMU_READ | IOMMU_WRITE);
}

/*
 * Fill @out from the TLB entry (or walk result) @t that holds @input.
 * Forced inline, as hw_tlb_use(): GCC kept both out of line (each has two
 * callers), and on a TLB hit their calls cost more than their bodies.
 */
static inline __attribute__((always_inline)) void
hw_out(const struct hw_xl *x, const struct hw_tlb *t, uint64_t input,
       struct iommu_translation *out)
{
	uint64_t mask = (1ull << t->lg2) - 1;

	out->phys = t->out + (input & mask);
	out->len = ilib_clip(x->req->iova, x->req->len, x->req->iova | mask);
	out->perm =
	    hw_out_perm(x, HW_TLB_A_PERM(t->attr) & HW_TLB_A_PERM2(t->attr));
}

/*
 * hw_tlb_use() - answer the request from the TLB entry @t
 * Return: 0 (done); 1: a write to a writable-clean page, walk to set the
 * dirty state; -EFAULT after the permission fault of the cached stage.
 */
static inline __attribute__((always_inline)) int
hw_tlb_use(struct smmu_hw *hw, const struct hw_xl *x, const struct hw_tlb *t,
	   uint64_t input, struct iommu_translation *out)
{
	struct hw_fault f = {.id = SMMU_EVT_F_PERMISSION,
			     .class = SMMU_EVT_CLASS_IN};

	if (!(HW_TLB_A_PERM(t->attr) & x->need)) {
		if (x->write && (t->attr & HW_TLB_A_WD))
			return 1;
		if (t->kind == HW_K_S2) {
			f.s2 = true;
			f.dw3 = input & SMMU_EVT_DW3_IPA;
			f.silent = !x->ste->s2r;
		} else {
			f.silent = !x->cd->r;
		}
		ilib_stat_req(hw->host, x->req, IOMMU_STAT_IOTLB_HITS);
		return smmu_hw_fault(hw, x, &f);
	}
	if (!(HW_TLB_A_PERM2(t->attr) & x->need)) {
		if (x->write && (t->attr & HW_TLB_A_WD2))
			return 1;
		f.s2 = true;
		f.dw3 = ((t->attr & HW_TLB_A_IPA) +
			 (input & ((1ull << t->lg2) - 1))) &
			SMMU_EVT_DW3_IPA;
		f.silent = !x->ste->s2r;
		ilib_stat_req(hw->host, x->req, IOMMU_STAT_IOTLB_HITS);
		return smmu_hw_fault(hw, x, &f);
	}
	ilib_stat_req(hw->host, x->req, IOMMU_STAT_IOTLB_HITS);
	hw_out(x, t, input, out);
	return 0;
}

/*
 * The TLB tags (hw_tlb.tags) of the request @x for entries of @kind
 * (smmuv3 9.1).  VMID: NS-EL1 entries, when stage 2 exists, which is
 * when the STE's decode keeps it (x->ste->vmid is 0 otherwise); ASID and
 * ASET: stage-1 entries of worlds with ASIDs.
 */
static inline __attribute__((always_inline)) uint64_t
hw_tlb_tags(const struct hw_xl *x, uint8_t kind)
{
	bool asid = kind != HW_K_S2 && x->world != HW_W_EL2;

	return hw_tlb_tagw(x->ste->vmid, asid ? x->cd->asid : 0, x->world,
			   asid && x->cd->aset);
}

/*
 * hw_xl_s1() - stage 1 (and, nested, stage 2 of its output) through the
 * TLB (smmuv3 4.3, 4.13)
 */
static int hw_xl_s1(struct smmu_hw *hw, struct hw_xl *x,
		    struct iommu_translation *out)
{
	const uint64_t va = x->req->iova;
	const unsigned int sel = (unsigned int)(va >> 55) & 1;
	const bool nested = x->ste->config == SMMU_STE_CFG_NESTED;
	const struct hw_wcfg *tt = &x->cd->tt[sel];
	const struct hw_tlbk *k = &x->plan->k;
	uint64_t vae = va, gen;
	struct hw_tlb_miss miss;
	struct hw_tlb_ep ep;
	struct hw_wres r1, r2;
	struct hw_tlb t;
	unsigned int lg2;
	int ret = 0;

	/* 4.3: TBI keeps bit 55 for the top byte; the TTB's range check. */
	if (x->cd->tbi[sel])
		vae =
		    sel ? va | SMMU_GENMASK(63, 56) : va & SMMU_GENMASK(55, 0);
	if (tt->off ||
	    (vae >> tt->ia_bits) != (sel ? ~0ull >> tt->ia_bits : 0)) {
		const struct hw_fault f = {.id = SMMU_EVT_F_TRANSLATION,
					   .class = SMMU_EVT_CLASS_IN,
					   .silent = !x->cd->r};

		return smmu_hw_fault(hw, x, &f);
	}
	if (hw_tlb_lookup(hw, k, vae, &t, &miss)) {
		ret = hw_tlb_use(hw, x, &t, vae, out);
		if (ret <= 0)
			return ret ? ret : IOMMU_HW_CACHED;
	} else {
		ilib_stat_req(hw->host, x->req, IOMMU_STAT_IOTLB_MISSES);
	}
	ilib_stat_req(hw->host, x->req, IOMMU_STAT_WALKS);
	/* The generation and the scopes' epochs before the tables are read:
	 * an invalidation from here on keeps this walk out of the TLB. */
	gen = ilib_cache_gen(&hw->tlbc);
	hw_tlb_epochs(hw, k, &ep);
	ret =
	    smmu_hw_walk_s1(hw, x, sel, vae & ((1ull << tt->ia_bits) - 1), &r1);
	if (ret)
		return ret;
	lg2 = r1.lg2;
	if (nested) {
		ret = smmu_hw_walk_s2(hw, x, r1.oa, SMMU_EVT_CLASS_IN, x->write,
				      &r2);
		if (ret)
			return ret;
		if (r2.lg2 < lg2)
			lg2 = r2.lg2;
		t.out = r2.oa & ~((1ull << lg2) - 1);
		t.attr = hw_tlb_attr(r1.oa & ~((1ull << lg2) - 1), r1.perm,
				     r1.wd, r2.perm, r2.wd, r1.level, tt->g);
	} else {
		t.out = r1.oa & ~((1ull << lg2) - 1);
		t.attr = hw_tlb_attr(0, r1.perm, r1.wd, PT_PERM_ALL, false,
				     r1.level, tt->g);
	}
	t.lg2 = (uint8_t)lg2;
	t.page = vae >> lg2;
	/* nG = 0: any ASID (9.1) */
	hw_tlb_insert(hw, k, &t, x->world != HW_W_EL2 && !r1.ng, gen, &ep,
		      &miss);
	hw_out(x, &t, vae, out);
	return IOMMU_HW_CACHED; /* a TLB entry: the core may keep it */
}

/* Stage 2 alone (Config 0b110, or stage 1 bypassed by S1DSS). */
static int hw_xl_s2(struct smmu_hw *hw, struct hw_xl *x,
		    struct iommu_translation *out)
{
	const uint64_t ipa = x->req->iova;
	uint64_t gen;
	struct hw_tlb_miss miss;
	struct hw_tlb_ep ep;
	struct hw_tlbk k;
	struct hw_wres r;
	struct hw_tlb t;
	int ret = 0;

	smmu_hw_tlbk(hw, hw_tlb_tags(x, HW_K_S2), HW_K_S2, &k);
	if (hw_tlb_lookup(hw, &k, ipa, &t, &miss)) {
		ret = hw_tlb_use(hw, x, &t, ipa, out);
		if (ret <= 0)
			return ret ? ret : IOMMU_HW_CACHED;
	} else {
		ilib_stat_req(hw->host, x->req, IOMMU_STAT_IOTLB_MISSES);
	}
	ilib_stat_req(hw->host, x->req, IOMMU_STAT_WALKS);
	gen = ilib_cache_gen(&hw->tlbc);
	hw_tlb_epochs(hw, &k, &ep);
	ret = smmu_hw_walk_s2(hw, x, ipa, SMMU_EVT_CLASS_IN, x->write, &r);
	if (ret)
		return ret;
	t.attr = hw_tlb_attr(0, r.perm, r.wd, PT_PERM_ALL, false, r.level,
			     x->ste->s2.g);
	t.lg2 = r.lg2;
	t.page = ipa >> r.lg2;
	t.out = r.oa & ~((1ull << r.lg2) - 1);
	hw_tlb_insert(hw, &k, &t, false, gen, &ep, &miss);
	hw_out(x, &t, ipa, out);
	return IOMMU_HW_CACHED; /* a TLB entry: the core may keep it */
}

/* STE.PRIVCFG / INSTCFG on a request's attributes (smmuv3 2.5). */
static void hw_xl_overrides(const struct hw_ste *s, bool write, bool *priv,
			    bool *exec)
{
	if (s->privcfg == SMMU_PRIVCFG_UNPRIV)
		*priv = false;
	else if (s->privcfg == SMMU_PRIVCFG_PRIV)
		*priv = true;
	if (s->instcfg == SMMU_INSTCFG_DATA)
		*exec = false;
	else if (s->instcfg == SMMU_INSTCFG_INSTR)
		*exec = !write; /* writes are always data */
}

/*
 * hw_xl_plan() - what the request @x (STE, CD and world known) derives
 * for its stage-1 walks, into @p: the TLB keys and walk-cache tags, and
 * for a plain request of the stream (no attributes: the memo's plan)
 * the overrides' result
 */
static void hw_xl_plan(const struct smmu_hw *hw, const struct hw_xl *x,
		       struct hw_plan *p)
{
	const uint8_t kind =
	    x->ste->config == SMMU_STE_CFG_NESTED ? HW_K_S12 : HW_K_S1;

	p->ctrl = (uint8_t)((x->ctrl & HW_LIVE_E2H) | HW_LIVE_SMMUEN);
	p->world = x->world;
	p->priv = false;
	p->exec = false;
	hw_xl_overrides(x->ste, false, &p->priv, &p->exec);
	for (unsigned int w = 0; w < 2; w++) {
		p->need[w] = hw_perm_need(w, !w && p->exec, p->priv);
		p->acc[w] = hw_acc(w, !w && p->exec, p->priv);
	}
	smmu_hw_tlbk(hw, hw_tlb_tags(x, kind), kind, &p->k);
	for (unsigned int i = 0; i < 2; i++) {
		const struct hw_wcfg *tt = &x->cd->tt[i];
		const uint64_t top = x->cd->tbi[i] ? SMMU_GENMASK(55, 0)
						   : ~0ull;

		p->wtag[i] = smmu_hw_walk_tag(tt, false, x);
		p->wseed[i] = ilib_walk_cache_seed(p->wtag[i], tt->root);
		p->q[i].va_mask = ~0ull << tt->ia_bits & top;
		p->q[i].tlb_want = tt->off ? UINT64_MAX : 1ull << tt->g;
		p->q[i].key0_hi = hw_tlb_key0(0, tt->g, kind);
	}
	p->ok = true;
	p->quick = kind == HW_K_S1;
}

/* hw_xl_ste()'s "stage 1 next" (never a translate() result). */
#define HW_XL_S1 3

/*
 * hw_xl_ste() - a translating STE (Config 0b101..0b111): the substream
 * checks of smmuv3 3.3 and 6.5, S1DSS, then the stages
 * Return: HW_XL_S1 with x->cd and x->plan set: translate() goes on with
 * hw_xl_s1() (one call site, so that it is inlined there); else what
 * translate() returns.
 */
static int hw_xl_ste(struct smmu_hw *hw, struct hw_xl *x,
		     struct iommu_translation *out)
{
	const struct hw_ste *s = x->ste;
	bool s1 = s->config & SMMU_STE_CFG_S1_BIT;
	bool s2 = s->config & SMMU_STE_CFG_S2_BIT;
	bool subs = s1 && s->s1cdmax, use_s1 = s1;
	int ret;

	if (!s2 && s->strw == SMMU_STRW_EL2)
		x->world = x->ctrl & HW_LIVE_E2H ? HW_W_E2H : HW_W_EL2;
	else
		x->world = HW_W_EL1;
	x->cd_index = 0;
	if (x->ssv) {
		if (!subs || (x->ssid >> s->s1cdmax))
			return hw_xl_fault(hw, x, SMMU_EVT_C_BAD_SUBSTREAMID);
		if (!x->ssid && s->s1dss == SMMU_S1DSS_SSID0)
			return hw_xl_fault(hw, x, SMMU_EVT_F_STREAM_DISABLED);
		x->cd_index = x->ssid;
	} else if (subs) {
		if (s->s1dss == SMMU_S1DSS_TERMINATE)
			return hw_xl_fault(hw, x, SMMU_EVT_F_STREAM_DISABLED);
		use_s1 = s->s1dss == SMMU_S1DSS_SSID0; /* else bypass */
	}
	if (use_s1) {
		struct hw_memo *m = x->memo_p;
		struct hw_plan *p = &x->plan_buf;

		ret = smmu_hw_cd_get(hw, x);
		if (ret)
			return ret;
		/*
		 * A plain request's CD (index 0 without a SubstreamID):
		 * keep the plan of the stream's plain requests in the memo
		 * (translate()).  The memo holds that CD now, or the CD was
		 * fetched, and its insert ended the memo.
		 */
		if (x->memo && !x->ssv)
			p = &m->plan;
		hw_xl_plan(hw, x, p);
		x->plan = p;
		return HW_XL_S1;
	}
	/* Stage 1 bypassed: the input must fit the IAS (4.3). */
	if (!s2)
		return hw_xl_bypass(hw, x, out);
	if (x->req->iova >> hw->oas)
		return hw_xl_fault(hw, x, SMMU_EVT_F_ADDR_SIZE);
	return hw_xl_s2(hw, x, out);
}

/*
 * hw_xl_cfg() - the request @x with its STE, off the plan: STE.PRIVCFG /
 * INSTCFG, then what the STE's Config says
 * Return: as hw_xl_ste().
 */
static int hw_xl_cfg(struct smmu_hw *hw, struct hw_xl *x, bool translated,
		     struct iommu_translation *out)
{
	hw_xl_overrides(x->ste, x->write, &x->priv, &x->exec);
	x->need = hw_perm_need(x->write, x->exec, x->priv);
	x->acc = hw_acc(x->write, x->exec, x->priv);
	switch (x->ste->config) {
	case SMMU_STE_CFG_ABORT:
		return -EFAULT; /* no event (2.5) */
	case SMMU_STE_CFG_BYPASS:
		if (translated)
			return hw_xl_fault(hw, x, SMMU_EVT_F_TRANSL_FORBIDDEN);
		/* smmuv3 6.2: a SubstreamID with stage 1 off. */
		if (x->ssv)
			return hw_xl_fault(hw, x, SMMU_EVT_C_BAD_SUBSTREAMID);
		return hw_xl_bypass(hw, x, out);
	default:
		if (!translated)
			return hw_xl_ste(hw, x, out);
		if (x->ste->eats == SMMU_EATS_ABT)
			return hw_xl_fault(hw, x, SMMU_EVT_F_TRANSL_FORBIDDEN);
		hw_identity(x->req, UINT64_MAX, out);
		return 0;
	}
}

/* hw_plain()'s answer when the request needs the whole way. */
#define HW_PLAIN_NO 1

/*
 * hw_plain() - the usual request, the short way: a plain request (no
 * SubstreamID, no attribute) of the stream whose STE, CD and plan this
 * thread's memo @m holds, for a stage 1 without stage 2 (the memo's
 * plan: the overrides' result, the world, the TLB's and the walk
 * cache's keys), while the TLB has only ever held entries of the TTB's
 * granule.  One TLB probe (hw_tlb_probe(): the non-global entry, then
 * the global one when there are any, as hw_tlb_lookup() does for that
 * one size); on a miss, the walk cache's last-level table and its entry
 * decoded inline (smmu_hw_walk_s1_plain()), and the page cached with the
 * probe's record.  What it answers is what the whole way answers, from
 * the same caches and memory; anything else (outside the TTB's range or
 * EPDx, a hit that faults or must walk again, no cached table, an entry
 * that is not a plain page, a refused access, an update of the page) it
 * leaves to the whole way, having changed and counted nothing: that way
 * probes again and walks, and reports the fault.
 * Return: IOMMU_HW_CACHED and @out; HW_PLAIN_NO.
 */
static inline __attribute__((always_inline)) int
hw_plain_g(struct smmu_hw *hw, const struct hw_memo *m,
	   const struct iommu_dma_req *req, struct iommu_translation *out,
	   unsigned int sel, const struct hw_wcfg *tt, const unsigned int g)
{
	const struct hw_plan *p = &m->plan;
	const uint64_t va = req->iova;
	const struct hw_quick *q = &p->q[sel];
	const bool write = req->access == IOMMU_ACCESS_WRITE;
	uint64_t vae = va, gen, page;
	struct hw_tlb_miss miss;
	struct hw_tlb_ep ep;
	struct hw_wres r;
	struct hw_tlb t;
	struct hw_xl x;

	/* What hw_xl_s1() and hw_tlb_use() read of the request. */
	x.req = req;
	x.write = write;
	x.priv = p->priv;
	x.need = p->need[write];
	x.acc = p->acc[write];
	x.world = p->world;
	x.cd = &m->cd;
	x.plan = p;
	/* Inside the TTB's input size, walks through it (no EPDx), a TLB
	 * of its granule alone (struct hw_quick). */
	if ((va & q->va_mask) != (sel ? q->va_mask : 0) ||
	    __atomic_load_n(&hw->tlb_sizes, __ATOMIC_RELAXED) != q->tlb_want)
		return HW_PLAIN_NO;
	if (m->cd.tbi[sel])
		vae =
		    sel ? va | SMMU_GENMASK(63, 56) : va & SMMU_GENMASK(55, 0);
	page = vae >> g;
	if (hw_tlb_probe_k0(hw, &p->k, page, g, page | q->key0_hi, &t,
			    &miss)) {
		/* hw_tlb_use()'s answer, without its faults and walks. */
		if (!(HW_TLB_A_PERM(t.attr) & x.need) ||
		    !(HW_TLB_A_PERM2(t.attr) & x.need))
			return HW_PLAIN_NO;
		ilib_stat_req(hw->host, req, IOMMU_STAT_IOTLB_HITS);
		hw_out(&x, &t, vae, out);
		return IOMMU_HW_CACHED;
	}
	/* Before the table is read, as hw_xl_s1(). */
	gen = ilib_cache_gen(&hw->tlbc);
	hw_tlb_epochs(hw, &p->k, &ep);
	if (!smmu_hw_walk_s1_plain(hw, &x, sel, tt, g,
				   vae & ((1ull << tt->ia_bits) - 1), &r))
		return HW_PLAIN_NO;
	ilib_stat_req2(hw->host, req, IOMMU_STAT_IOTLB_MISSES,
		       IOMMU_STAT_WALKS);
	/* A page of the granule (r.lg2 is @g). */
	t.out = r.oa & ~((1ull << g) - 1);
	t.attr = hw_tlb_attr(0, r.perm, r.wd, PT_PERM_ALL, false, r.level, g);
	t.lg2 = (uint8_t)g;
	t.page = page;
	/* hw_out() of a request the caller checked (a length above 0),
	 * inside one page of the granule: up to the page's end. */
	{
		const uint64_t mask = (1ull << g) - 1,
			       room = (~va & mask) + 1;

		out->phys = t.out + (vae & mask);
		out->len = req->len < room ? req->len : room;
		out->perm = hw_out_perm(&x, HW_TLB_A_PERM(t.attr));
	}
	hw_tlb_insert(hw, &p->k, &t, x.world != HW_W_EL2 && !r.ng, gen, &ep,
		      &miss);
	return IOMMU_HW_CACHED;
}

static __attribute__((noinline)) int
hw_translate_whole(struct smmu_hw *hw, const struct iommu_dma_req *req,
		   struct iommu_translation *out);

/* hw_plain_g() of a TTB of 4 KiB granule (the constant folds the
 * decode's shifts and masks), then the whole way if it says so: the
 * caller's last call. */
static __attribute__((noinline)) int
hw_plain_4k(struct smmu_hw *hw, const struct hw_memo *m,
	    const struct iommu_dma_req *req, struct iommu_translation *out,
	    unsigned int sel, const struct hw_wcfg *tt)
{
	const int ret = hw_plain_g(hw, m, req, out, sel, tt, 12);

	return ret != HW_PLAIN_NO ? ret : hw_translate_whole(hw, req, out);
}

/* hw_plain_4k() of a TTB of another granule. */
static __attribute__((noinline)) int
hw_plain_other(struct smmu_hw *hw, const struct hw_memo *m,
	       const struct iommu_dma_req *req, struct iommu_translation *out,
	       unsigned int sel, const struct hw_wcfg *tt)
{
	const int ret = hw_plain_g(hw, m, req, out, sel, tt, tt->g);

	return ret != HW_PLAIN_NO ? ret : hw_translate_whole(hw, req, out);
}

/* hw_plain_g() of the request's TTB, and the whole way if it says so. */
static inline __attribute__((always_inline)) int
hw_plain(struct smmu_hw *hw, const struct hw_memo *m,
	 const struct iommu_dma_req *req, struct iommu_translation *out)
{
	const unsigned int sel = (unsigned int)(req->iova >> 55) & 1;
	const struct hw_wcfg *tt = &m->cd.tt[sel];

	if (tt->g == 12)
		return hw_plain_4k(hw, m, req, out, sel, tt);
	return hw_plain_other(hw, m, req, out, sel, tt);
}

/* smmu_hw_translate() the whole way: every kind of request, every fault. */
static __attribute__((noinline)) int
hw_translate_whole(struct smmu_hw *hw, const struct iommu_dma_req *req,
		   struct iommu_translation *out)
{
	struct hw_xl x;
	bool translated;
	int ret;

	if (!hw || !req || !out || !req->len)
		return -EINVAL;
	if (req->access != IOMMU_ACCESS_READ &&
	    req->access != IOMMU_ACCESS_WRITE)
		return -EINVAL;
	if ((req->attrs & ~IOMMU_ACCESS_ATTRS) ||
	    (req->pasid != IOMMU_NO_PASID && (req->pasid >> SMMU_SSIDSIZE_MAX)))
		return -EINVAL;
	/*
	 * Field by field, not the STE and CD: every path writes those
	 * whole before it reads them (a lookup or the memo copies the
	 * whole struct, a decode clears it first), and the rest is set
	 * here or before anything reads it: the generations, x.ste and
	 * x.memo_p by smmu_hw_ste_get(), x.need and x.acc with the
	 * overrides, x.world, x.cd_index and x.plan before the CD.
	 */
	x.req = req;
	x.sid = req->dev_id;
	x.ssv = req->pasid != IOMMU_NO_PASID;
	x.ssid = x.ssv ? req->pasid : 0;
	x.write = req->access == IOMMU_ACCESS_WRITE;
	x.priv = req->attrs & IOMMU_ACCESS_PRIV;
	x.exec = !x.write && (req->attrs & IOMMU_ACCESS_EXEC);
	x.memo = false;
	x.cd = &x.cd_buf.cd;
	translated = req->attrs & IOMMU_ACCESS_TRANSLATED;
	x.ctrl = smmu_hw_live(hw, &x.strtab);

	if (!(x.ctrl & HW_LIVE_SMMUEN)) {
		if (x.ctrl & HW_LIVE_ABORT)
			return -EFAULT; /* GBPA.ABORT: no record */
		hw_identity(req, UINT64_MAX, out);
		return 0;
	}
	if (translated) {
		if (!hw->ats)
			return hw_xl_fault(hw, &x, SMMU_EVT_F_UUT);
		if (!(x.ctrl & HW_LIVE_ATSCHK)) {
			hw_identity(req, UINT64_MAX, out); /* fast mode */
			return 0;
		}
	}
	ret = smmu_hw_ste_get(hw, &x);
	if (ret)
		return ret;
	if (x.memo && !x.ssv && !req->attrs) {
		/* A plain request of the memo's stream: its plan (hw.h). */
		const struct hw_memo *m = x.memo_p;
		const struct hw_plan *p = &m->plan;

		if (p->ok && p->ctrl == ((x.ctrl & HW_LIVE_E2H) |
					 HW_LIVE_SMMUEN)) {
			x.priv = p->priv;
			x.exec = p->exec && !x.write;
			x.need = p->need[x.write];
			x.acc = p->acc[x.write];
			x.world = p->world;
			x.cd_index = 0;
			x.cd = &m->cd;
			x.plan = p;
			goto s1;
		}
	}
	ret = hw_xl_cfg(hw, &x, translated, out);
	if (ret != HW_XL_S1)
		return ret;
s1:
	return hw_xl_s1(hw, &x, out);
}

/**
 * smmu_hw_translate() - translate one DMA request (smmuv3 2-6)
 * @opaque: model
 * @req: dev_id a StreamID; pasid IOMMU_NO_PASID or a SubstreamID < 2^20;
 *     len > 0; access IOMMU_ACCESS_READ or _WRITE; attrs a subset of
 *     IOMMU_ACCESS_ATTRS, taken as hw.h says
 * @out: phys, len contiguous up to the end of the page or block (at most
 *     req->len) and the data permissions of the request's privilege
 *
 * Never returns IOMMU_HW_INTERRUPT: SMMUv3 translates MSIs like any
 * write (DESIGN rule 12).
 * Context: any thread, concurrently with MMIO; lock-free on a TLB hit;
 * takes cache set locks one at a time, and reg_lock to record a fault.
 * Return: IOMMU_HW_CACHED for a TLB hit or fill; 0 for bypass; -EFAULT
 * after the fault was recorded (or terminated silently); -EINVAL bad
 * arguments.
 */
int smmu_hw_translate(void *opaque, const struct iommu_dma_req *req,
		      struct iommu_translation *out)
{
	struct smmu_hw *hw = opaque;
	const struct hw_memo *m;
	uint64_t ctrl;

	/* The usual request (valid, no attribute, no SubstreamID) with the
	 * SMMU on and this thread's memo of its stream, a stage 1 without
	 * stage 2 planned under the current CR2.E2H (plan.quick, plan.ctrl):
	 * the short way; the rest, and whatever the short way leaves, the
	 * whole way, which checks everything again. */
	if (!ilib_ptrs_set(hw, req, out))
		return -EINVAL;
	if (req->len && ilib_req_plain(req) && req->pasid == IOMMU_NO_PASID) {
		/* One word, which a register write publishes whole: the
		 * seqlock (smmu_hw_live()) only pairs it with STRTAB_BASE,
		 * which a memo's stream does not need. */
		ctrl = __atomic_load_n(&hw->live.ctrl, __ATOMIC_ACQUIRE);
		m = smmu_hw_memo_find(hw, req->dev_id);
		if (m && m->plan.quick &&
		    m->plan.ctrl ==
			(ctrl & (HW_LIVE_SMMUEN | HW_LIVE_E2H))) {
			return hw_plain(hw, m, req, out);
		}
	}
	return hw_translate_whole(hw, req, out);
}
