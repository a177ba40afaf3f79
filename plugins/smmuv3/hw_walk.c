// SPDX-License-Identifier: MIT
/*
 * hw_walk.c - the SMMUv3 model's table walks (smmuv3 4): one stage at a
 * time through core/pt's pt_walk() (PT_FMT_LPAE_S1 / PT_FMT_LPAE_S2),
 * judged by the permission model of 4.9 / 4.10 with the CD's WXN and PAN
 * and the stream world, with the access-flag and dirty-state updates of
 * HTTU; and the stage-2 view of memory through which a nested stage-1
 * walk and a nested CD fetch read (the 2-D walk: every stage-1 descriptor
 * and the CD are IPAs).  The decisions (permission model per world,
 * look-then-update, fault fields of nested fetches) are in hw.h.
 */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "hw.h"
#include "hw_walk_quick.h"
#include "pt_quick.h"

/* ---- Permissions ----------------------------------------------------------
 */


/* ---- One stage ------------------------------------------------------------
 */

/* The event of a failed pt_walk() (smmuv3 4.13). */
static void hw_walk_err(const struct pt_walk_res *res, struct hw_fault *f)
{
	memset(f, 0, sizeof(*f));
	switch (res->err) {
	case PT_WALK_FETCH:
	case PT_WALK_AD_FAIL:
		f->id = SMMU_EVT_F_WALK_EABT;
		f->dw3 = res->entry_pa & SMMU_EVT_DW3_FETCH_ADDR;
		return;
	case PT_WALK_ADDR_SIZE:
		f->id = SMMU_EVT_F_ADDR_SIZE;
		return;
	case PT_WALK_ACCESS:
		f->id = SMMU_EVT_F_ACCESS;
		return;
	case PT_WALK_PERM:
		f->id = SMMU_EVT_F_PERMISSION;
		return;
	default: /* RANGE, NOT_PRESENT, RSVD (and BAD_DESC, never here) */
		f->id = SMMU_EVT_F_TRANSLATION;
		return;
	}
}

/*
 * The walk cache's tag of a walk (hw.h Caches): what 9.1 tags walk-cache
 * entries with, the stage, the VMID and for stage 1 the ASID (as the TLB
 * tags them: hw_tlb_tags()) and the stream world, plus everything of the
 * walk that a resumed walk takes on trust (granule, levels, input and
 * output sizes, flags: HAD decides the permissions kept, the output size
 * the table addresses already checked).  Packed: kind 1:0, world 3:2,
 * VMID 19:4, ASID 35:20, granule - 12 38:36, levels 41:39, ia_bits
 * 48:42, oa_bits 54:49, flags 62:55.
 */

/**
 * smmu_hw_walk_geom() - the bits of the walk-cache tag that the tables'
 * description @w gives (granule to flags), which a decode keeps in
 * w->geom so that no walk packs them again
 */
uint64_t smmu_hw_walk_geom(const struct hw_wcfg *w)
{
	return (uint64_t)((w->g - 12u) & 7u) << 36 |
	       (uint64_t)(w->levels & 7u) << 39 |
	       (uint64_t)(w->ia_bits & 0x7fu) << 42 |
	       (uint64_t)(w->oa_bits & 0x3fu) << 49 | (uint64_t)w->flags << 55;
}

/**
 * smmu_hw_walk_tag() - the walk-cache tag of a walk of @w for the
 * request @x (x->ste, x->cd of stage 1 and x->world set)
 * @s2: a stage-2 walk (else stage 1)
 */
uint64_t smmu_hw_walk_tag(const struct hw_wcfg *w, bool s2,
			  const struct hw_xl *x)
{
	/* x->ste->vmid is 0 unless it tags NS-EL1 entries (hw_tlb_tags()),
	 * x->cd->asid 0 in the EL2 world (hw_cd_decode()). */
	if (s2)
		return w->geom | HW_K_S2 | (uint64_t)x->ste->vmid << 4;
	return w->geom | HW_K_S1 | (uint64_t)x->world << 2 |
	       (uint64_t)x->ste->vmid << 4 | (uint64_t)x->cd->asid << 20;
}

/* The description of a walk of @w's tables (stage 2 if @s2). */
static inline __attribute__((always_inline)) void
hw_stage_desc(const struct hw_wcfg *w, bool s2, struct pt_walk_desc *d)
{
	*d = (struct pt_walk_desc){
	    .fmt = s2 ? PT_FMT_LPAE_S2 : PT_FMT_LPAE_S1,
	    .root = w->root,
	    .granule_lg2 = w->g,
	    .levels = w->levels,
	    .ia_bits = w->ia_bits,
	    .oa_bits = w->oa_bits,
	    .flags = w->flags,
	};
}

/*
 * hw_stage()'s look through pt_walk(): resumed at @s if the walk cache
 * gave it (else NULL: from the root, and a walk that goes down fills the
 * walk cache when @cached, with @wgen read before its lookup).  Out of
 * line: the usual look is hw_stage_quick()'s.
 * Return: 0 and @l; -1 and @f.
 */
static __attribute__((noinline)) int
hw_stage_look(struct smmu_hw *hw, struct iommu_host *mem,
	      const struct hw_wcfg *w, bool s2, bool cached, uint64_t tag,
	      uint64_t seed, uint64_t ia, const struct ilib_walk_start *s,
	      uint64_t wgen, struct hw_look *l, struct hw_fault *f)
{
	struct pt_walk_desc d;
	struct pt_walk_res res;

	hw_stage_desc(w, s2, &d);
	if (s)
		ilib_walk_cache_resume(s, &d);
	if (pt_walk(mem, &d, ia, 0, &res)) {
		hw_walk_err(&res, f);
		return -1;
	}
	/*
	 * A look fills the walk cache as a walk with an access would: lpae
	 * table descriptors have no access flag, so the two go down the
	 * same path and set nothing on it (the fill's access only has to
	 * say that).
	 */
	if (cached && !s)
		ilib_walk_cache_fill_seeded(&hw->walkc, mem, tag, seed, &d, ia,
					    PT_ACC_R, &res, wgen);
	hw_look_of(&res, l);
	return 0;
}

/*
 * hw_stage()'s walk with the access @acc that sets AF or the dirty
 * state, from where its look started (@s, or the root if NULL), judged
 * by the caller (PT_WALK_NO_PERM).
 * Return: 0 and @l; -1 and @f.
 */
static __attribute__((noinline)) int
hw_stage_update(struct iommu_host *mem, const struct hw_wcfg *w, bool s2,
		const struct ilib_walk_start *s, uint64_t ia, unsigned int acc,
		struct hw_look *l, struct hw_fault *f)
{
	struct pt_walk_desc d;
	struct pt_walk_res res;

	hw_stage_desc(w, s2, &d);
	if (s)
		ilib_walk_cache_resume(s, &d);
	d.flags |= PT_WALK_NO_PERM;
	if (pt_walk(mem, &d, ia, acc, &res)) {
		hw_walk_err(&res, f);
		return -1;
	}
	hw_look_of(&res, l);
	return 0;
}

/* A fault of hw_stage()'s own judgement (AF, permission). */
static void hw_stage_fault(uint8_t id, struct hw_fault *f)
{
	memset(f, 0, sizeof(*f));
	f->id = id;
}

/*
 * hw_stage() - walk one stage for one access (smmuv3 4.13 steps 1-9)
 * @hw: the model (its walk cache)
 * @mem: where the tables are read: the host (the tables are at PAs: the
 *     walk may resume from and fill the walk cache, hw.h), or the nested
 *     stage-2 view
 * @w: the stage's tables
 * @s2: stage 2 (else stage 1, judged with x->cd and x->world)
 * @tag: smmu_hw_walk_tag() of the walk (@mem the host only)
 * @ia: input address (below 2^w->ia_bits for stage 1; checked for 2)
 * @acc: the access, hw_acc()
 * @need: the PT_PERM_* bit @acc needs, hw_perm_need()
 *
 * Looks first (no update), checks AF (step 7) and the permission (step
 * 8), then, only for an allowed access that needs it, walks again to set
 * AF or the dirty state (HTTU).  The result's permissions lack W while
 * the leaf is clean (r->wd).  Both walks start at the last-level table
 * the walk cache holds for @ia's region, if any; a look that went down
 * from the root fills it.  A look at such a table whose entry is a plain
 * page reads it inline (hw_stage_quick()), with the same answer.
 * Return: 0 and @r; -1 and @f's id (and FetchAddr of F_WALK_EABT), not
 * recorded.
 */
static inline __attribute__((always_inline)) int
hw_stage(struct smmu_hw *hw, struct iommu_host *mem, const struct hw_wcfg *w,
	 bool s2, const struct hw_xl *x, uint64_t tag, uint64_t seed,
	 uint64_t ia,
	 unsigned int acc, uint8_t need, struct hw_wres *r, struct hw_fault *f)
{
	const bool cached = mem == hw->host;
	struct ilib_walk_start s;
	struct hw_look l;
	uint64_t wgen = 0;
	bool resumed = false, wd;
	uint8_t perm;

	if (cached) {
		/* Before the lookup: an invalidation from here on keeps
		 * what this walk finds out of the walk cache. */
		wgen = ilib_walk_cache_gen(&hw->walkc);
		resumed = ilib_walk_cache_find(&hw->walkc, tag, seed, w->root,
					       w->g, ia, &s);
	}
	if (!(resumed &&
	      hw_stage_quick(w, w->g, s2, ilib_walk_start_leaf_table(&s),
			     ilib_walk_start_perm(&s), ia, &l))) {
		struct hw_look lw;

		if (hw_stage_look(hw, mem, w, s2, cached, tag, seed, ia,
				  resumed ? &s : NULL, wgen, &lw, f))
			return -1;
		l = lw;
	}
	if (!(l.entry & SMMU_PTE_AF) &&
	    !(w->flags & (PT_WALK_AFFD | PT_WALK_HA))) {
		hw_stage_fault(SMMU_EVT_F_ACCESS, f);
		return -1;
	}
	perm = hw_res_perm(x, s2, l.perm, l.dirty, &wd);
	if (!(perm & need))
		goto perm;
	if (((w->flags & PT_WALK_HA) && !(l.entry & SMMU_PTE_AF)) ||
	    ((acc & PT_ACC_W) && wd)) {
		struct hw_look lw;

		if (hw_stage_update(mem, w, s2, resumed ? &s : NULL, ia, acc,
				    &lw, f))
			return -1;
		l = lw;
		/* The tables may have changed since the look: judge again. */
		perm = hw_res_perm(x, s2, l.perm, l.dirty, &wd);
		if (!(perm & need))
			goto perm;
	}
	r->oa = l.oa;
	r->lg2 = l.lg2;
	r->level = (uint8_t)(3 - l.level);
	r->perm = wd ? (uint8_t)(perm & ~PT_PERM_W) : perm;
	r->wd = wd;
	r->ng = l.entry & SMMU_PTE_NG;
	r->device = s2 && SMMU_S2_MEMATTR_DEVICE(
			      smmu_field_get(SMMU_PTE_S2_MEMATTR, l.entry));
	return 0;

perm:
	hw_stage_fault(SMMU_EVT_F_PERMISSION, f);
	return -1;
}

/* ---- The stage-2 view of a nested walk ------------------------------------
 */

/*
 * Nested (Config 0b111): stage-1 descriptors and the CD are read at IPAs.
 * struct hw_s2mem is a struct iommu_host for pt_walk() whose reads and
 * writes go through stage 2 first; the first failure is kept (the walk
 * then fails with PT_WALK_FETCH or PT_WALK_AD_FAIL, and the caller
 * reports the kept fault instead).
 */
struct hw_s2mem {
	struct iommu_host host; /* first: pt_walk()'s memory */
	struct smmu_hw *hw;
	const struct hw_xl *x;
	uint8_t class; /* SMMU_EVT_CLASS_CD or _TT */
	bool failed;
	struct hw_fault f;
};

/* Stage 2 of one descriptor access at @ipa. Return: 0 and @pa, or -EFAULT. */
static int hw_s2mem_xlate(struct hw_s2mem *m, uint64_t ipa, bool write,
			  uint64_t *pa)
{
	const struct hw_xl *x = m->x;
	const uint64_t tag = smmu_hw_walk_tag(&x->ste->s2, true, x);
	struct hw_wres r;

	if (m->failed)
		return -EFAULT;
	if (hw_stage(m->hw, m->hw->host, &x->ste->s2, true, x, tag,
		     ilib_walk_cache_seed(tag, x->ste->s2.root), ipa,
		     hw_acc(write, false, false),
		     hw_perm_need(write, false, false), &r, &m->f))
		goto fail;
	if (x->ste->s2ptw && r.device) {
		/* S2PTW: a descriptor in Device memory (smmuv3 2.4). */
		memset(&m->f, 0, sizeof(m->f));
		m->f.id = SMMU_EVT_F_PERMISSION;
		goto fail;
	}
	*pa = r.oa;
	return 0;

fail:
	m->f.s2 = true;
	m->f.class = m->class;
	m->f.ttrnw = !write;
	if (m->f.id != SMMU_EVT_F_WALK_EABT) {
		m->f.dw3 = ipa & SMMU_EVT_DW3_IPA;
		m->f.silent = !x->ste->s2r;
	}
	m->failed = true;
	return -EFAULT;
}

/* The fetch at @pa itself failed: F_CD_FETCH or F_WALK_EABT, S2 = 0. */
static int hw_s2mem_abort(struct hw_s2mem *m, uint64_t pa)
{
	memset(&m->f, 0, sizeof(m->f));
	m->f.id = m->class == SMMU_EVT_CLASS_CD ? SMMU_EVT_F_CD_FETCH
						: SMMU_EVT_F_WALK_EABT;
	m->f.class = m->class;
	m->f.dw3 = pa & SMMU_EVT_DW3_FETCH_ADDR;
	m->failed = true;
	return -EFAULT;
}

static int hw_s2mem_read(struct iommu_host *host, uint64_t ipa, void *buf,
			 size_t len)
{
	struct hw_s2mem *m = (struct hw_s2mem *)host;
	uint64_t pa;

	if (hw_s2mem_xlate(m, ipa, false, &pa))
		return -EFAULT;
	if (ilib_mem_read(m->hw->host, pa, buf, len))
		return hw_s2mem_abort(m, pa);
	return 0;
}

static int hw_s2mem_write(struct iommu_host *host, uint64_t ipa,
			  const void *buf, size_t len)
{
	struct hw_s2mem *m = (struct hw_s2mem *)host;
	uint64_t pa;

	if (hw_s2mem_xlate(m, ipa, true, &pa))
		return -EFAULT;
	if (ilib_mem_write(m->hw->host, pa, buf, len))
		return hw_s2mem_abort(m, pa);
	return 0;
}

static void hw_s2mem_log(struct iommu_host *host, enum iommu_log_level level,
			 const char *fmt, ...)
{
	(void)host;
	(void)level;
	(void)fmt;
}

/* No host pointers: every access goes through stage 2. */
static const struct iommu_host_ops hw_s2mem_ops = {
    .size = sizeof(struct iommu_host_ops),
    .log = hw_s2mem_log,
    .mem_read = hw_s2mem_read,
    .mem_write = hw_s2mem_write,
};

static void hw_s2mem_init(struct hw_s2mem *m, struct smmu_hw *hw,
			  const struct hw_xl *x, uint8_t class)
{
	memset(m, 0, sizeof(*m));
	m->host.ops = &hw_s2mem_ops;
	m->hw = hw;
	m->x = x;
	m->class = class;
}

/**
 * smmu_hw_cfg_read() - read @n qwords of a CD or L1CD at @addr
 * @addr: a PA, or an IPA when the STE nests (stage 2 with CLASS CD)
 * @f: receives the fault on failure (not recorded)
 *
 * Return: 0; -EFAULT and @f: F_CD_FETCH (FetchAddr = the PA) or a
 * stage-2 fault of the fetch.
 */
int smmu_hw_cfg_read(struct smmu_hw *hw, struct hw_xl *x, uint64_t addr,
		     uint64_t *qw, unsigned int n, struct hw_fault *f)
{
	struct hw_s2mem m;

	if (x->ste->config != SMMU_STE_CFG_NESTED) {
		if (!ilib_mem_read_le64(hw->host, addr, qw, n))
			return 0;
		memset(f, 0, sizeof(*f));
		f->id = SMMU_EVT_F_CD_FETCH;
		f->dw3 = addr & SMMU_EVT_DW3_FETCH_ADDR;
		return -EFAULT;
	}
	hw_s2mem_init(&m, hw, x, SMMU_EVT_CLASS_CD);
	if (hw_s2mem_read(&m.host, addr, qw, n * sizeof(*qw))) {
		*f = m.f;
		return -EFAULT;
	}
	for (unsigned int i = 0; i < n; i++)
		qw[i] = le64toh(qw[i]);
	return 0;
}

/* ---- The stages of a request ----------------------------------------------
 */

/*
 * A nested stage 1 (smmu_hw_walk_s1()): its tables are read through stage
 * 2, without the walk cache (their addresses are IPAs, hw.h); the stage-2
 * walks of that use it.  Apart, so that the plain stage 1 stays small
 * enough for its caller to take inline.
 */
static __attribute__((noinline)) int
hw_walk_s1_nested(struct smmu_hw *hw, struct hw_xl *x, unsigned int sel,
		  uint64_t ia, struct hw_wres *r)
{
	struct hw_s2mem m;
	struct hw_fault f;

	hw_s2mem_init(&m, hw, x, SMMU_EVT_CLASS_TT);
	if (!hw_stage(hw, &m.host, &x->cd->tt[sel], false, x,
		      x->plan->wtag[sel], x->plan->wseed[sel], ia, x->acc,
		      x->need, r, &f))
		return 0;
	if (m.failed) {
		f = m.f;
	} else if (f.id == SMMU_EVT_F_WALK_EABT) {
		f.class = SMMU_EVT_CLASS_TT;
	} else {
		f.class = SMMU_EVT_CLASS_IN;
		f.silent = !x->cd->r;
	}
	return smmu_hw_fault(hw, x, &f);
}

/**
 * smmu_hw_walk_s1() - stage 1 of the request @x through TTB@sel
 * @x: x->plan, x->acc and x->need set
 * @ia: the input address, already range-checked and cut to the TTB's
 *     input size
 *
 * Nested: the tables are read through stage 2 (a failure there is the
 * stage-2 fault, CLASS TT).  Faults: S2 = 0, CLASS IN, recorded with
 * CD.R; F_WALK_EABT CLASS TT, always recorded.
 * Return: 0 and @r; -EFAULT after the fault.
 */
int smmu_hw_walk_s1(struct smmu_hw *hw, struct hw_xl *x, unsigned int sel,
		    uint64_t ia, struct hw_wres *r)
{
	struct hw_fault f;

	if (x->ste->config == SMMU_STE_CFG_NESTED)
		return hw_walk_s1_nested(hw, x, sel, ia, r);
	if (!hw_stage(hw, hw->host, &x->cd->tt[sel], false, x,
		      x->plan->wtag[sel], x->plan->wseed[sel], ia, x->acc,
		      x->need, r, &f))
		return 0;
	if (f.id == SMMU_EVT_F_WALK_EABT) {
		f.class = SMMU_EVT_CLASS_TT;
	} else {
		f.class = SMMU_EVT_CLASS_IN;
		f.silent = !x->cd->r;
	}
	return smmu_hw_fault(hw, x, &f);
}

/**
 * smmu_hw_walk_s2() - stage 2 of @ipa for the request @x
 * @class: what the IPA is (SMMU_EVT_CLASS_IN: the request's own)
 * @write: the request writes
 *
 * Faults: S2 = 1, the IPA in DW3, recorded with STE.S2R; F_WALK_EABT
 * always recorded.
 * Return: 0 and @r; -EFAULT after the fault.
 */
int smmu_hw_walk_s2(struct smmu_hw *hw, struct hw_xl *x, uint64_t ipa,
		    uint8_t class, bool write, struct hw_wres *r)
{
	const uint64_t tag = smmu_hw_walk_tag(&x->ste->s2, true, x);
	struct hw_fault f;

	if (!hw_stage(hw, hw->host, &x->ste->s2, true, x, tag,
		      ilib_walk_cache_seed(tag, x->ste->s2.root), ipa,
		      hw_acc(write, x->exec, x->priv),
		      hw_perm_need(write, x->exec, x->priv), r, &f))
		return 0;
	f.s2 = true;
	f.class = class;
	if (f.id != SMMU_EVT_F_WALK_EABT) {
		f.dw3 = ipa & SMMU_EVT_DW3_IPA;
		f.silent = !x->ste->s2r;
	}
	return smmu_hw_fault(hw, x, &f);
}
