// SPDX-License-Identifier: MIT
/*
 * hw_xlate.c - AMD-Vi translate(): the MSI window, the DTE (amdvi 2), the
 * exclusion range, Mode 0, v1 walks (3) and v2 walks through the GCR3
 * table (4), the IOTLB on the way, and the event of each failure (6).
 * The order of the checks and every choice are in hw.h.
 */
#include <errno.h>
#include <string.h>

#include "hw.h"
#include "ilib_walk_cache.h"
#include "pt.h"

/* What translate() knows about the request so far. */
struct hw_xl {
	const struct iommu_dma_req *req;
	uint16_t devid;
	uint16_t domid;
	bool has_pasid;
	bool write;
	bool sa; /* DTE.SA: no IO_PAGE_FAULT events */
	uint64_t dte[4];
};

/* ---- events -------------------------------------------------------------- */

/* IO_PAGE_FAULT (6.4) unless DTE.SA, then -EFAULT. */
static int hw_pf(struct amdvi_hw *hw, const struct hw_xl *x, bool gn,
		 unsigned int flags)
{
	struct hw_event e;

	if (x->write)
		flags |= AMDVI_EVT_F_RW;
	if (gn && x->has_pasid) {
		if (!(x->req->attrs & IOMMU_ACCESS_PRIV))
			flags |= AMDVI_EVT_F_US;
		if ((x->req->attrs & IOMMU_ACCESS_EXEC) && !x->write)
			flags |= AMDVI_EVT_F_NX;
	}
	if (x->sa)
		return -EFAULT;
	amdvi_evt_page_fault(&e, x->devid, x->domid,
			     x->has_pasid ? x->req->pasid : 0,
			     gn && x->has_pasid, flags, x->req->iova);
	amdvi_hw_log_event(hw, &e);
	return -EFAULT;
}

/* ILLEGAL_DEV_TABLE_ENTRY (6.5) with the request's IOVA, then -EFAULT. */
static int hw_illegal_dte(struct amdvi_hw *hw, const struct hw_xl *x, bool rz)
{
	unsigned int flags =
	    (x->write ? AMDVI_EVT_F_RW : 0u) | (rz ? AMDVI_EVT_F_RZ : 0u);
	struct hw_event e;

	amdvi_evt_page_fault(&e, x->devid, 0, x->has_pasid ? x->req->pasid : 0,
			     x->has_pasid, flags, x->req->iova);
	e.qw[0] =
	    (e.qw[0] & ~AMDVI_EVT_CODE) |
	    amdvi_field_prep(AMDVI_EVT_CODE, AMDVI_EVT_ILLEGAL_DEV_TABLE_ENTRY);
	if (!x->has_pasid)
		e.qw[0] &= ~AMDVI_EVT0_DOMID;
	amdvi_hw_log_event(hw, &e);
	return -EFAULT;
}

/* DEV_TAB / PAGE_TAB_HARDWARE_ERROR (6.5) at @pa, then -EFAULT. */
static int hw_hw_error(struct amdvi_hw *hw, const struct hw_xl *x,
		       unsigned int code, uint64_t pa)
{
	struct hw_event e;

	amdvi_evt_simple(&e, code, x->devid, x->write ? AMDVI_EVT_F_RW : 0u, 0,
			 pa);
	e.qw[0] |=
	    amdvi_field_prep(AMDVI_EVT0_HW_TYPE, AMDVI_HWERR_MASTER_ABORT);
	if (code == AMDVI_EVT_PAGE_TAB_HW_ERROR)
		e.qw[0] |= amdvi_field_prep(AMDVI_EVT0_DOMID, x->domid);
	amdvi_hw_log_event(hw, &e);
	return -EFAULT;
}

/* ---- the DTE --------------------------------------------------------------
 */

/*
 * hw_dte_get() - the DTE of @x->devid, through the device-table cache
 * Return: 0 and x->dte; -EFAULT after the event (beyond the table's
 * size, or the entry outside RAM).
 */
static int hw_dte_get(struct amdvi_hw *hw, struct hw_xl *x)
{
	const uint64_t dtb = hw_ld(&hw->dtb);
	uint64_t entries =
	    (amdvi_field_get(AMDVI_DEVTAB_SIZE, dtb) + 1) * AMDVI_DTE_PER_4K;
	uint64_t pa, gen;

	if (entries > hw->devtab_max)
		entries = hw->devtab_max;
	if (x->devid >= entries)
		return hw_illegal_dte(hw, x, false);
	if (amdvi_hw_dte_lookup(hw, x->devid, x->dte))
		return 0;
	gen = ilib_cache_gen(&hw->dtec);
	pa = (dtb & AMDVI_DEVTAB_BASE) + (uint64_t)x->devid * AMDVI_DTE_SIZE;
	/* Each qword whole, as the driver stores them (one may change
	 * between two of them: the driver's store order makes every mix a
	 * valid entry). */
	if (ilib_mem_read_le64(hw->host, pa, x->dte, 4))
		return hw_hw_error(hw, x, AMDVI_EVT_DEV_TAB_HW_ERROR, pa);
	amdvi_hw_dte_insert(hw, x->devid, x->dte, gen);
	return 0;
}

/* 2.2-2.4: is a V = 1 DTE legal?  (Reserved bits and encodings, hw.h.) */
static bool hw_dte_legal(const struct amdvi_hw *hw, const uint64_t *d)
{
	const unsigned int mode =
	    (unsigned int)amdvi_field_get(AMDVI_DTE0_MODE, d[0]);
	const unsigned int gpm =
	    (unsigned int)amdvi_field_get(AMDVI_DTE2_GPM, d[2]);

	if ((d[0] & AMDVI_DTE0_RSVD) || (d[2] & AMDVI_DTE2_RSVD) ||
	    (d[3] & AMDVI_DTE3_RSVD))
		return false;
	if (mode == AMDVI_MODE_RSVD || mode > hw->max_mode)
		return false;
	if ((d[2] & AMDVI_DTE2_IV) &&
	    amdvi_field_get(AMDVI_DTE2_INTCTL, d[2]) == AMDVI_INTCTL_RSVD)
		return false;
	if (d[0] & AMDVI_DTE0_GV) {
		if (amdvi_field_get(AMDVI_DTE0_GLX, d[0]) > hw->glx_max)
			return false; /* GLX 11b too: glx_max <= 2 */
		if (gpm > AMDVI_GPM_5LEVEL ||
		    (gpm == AMDVI_GPM_5LEVEL && hw->guest_levels < 5))
			return false;
	}
	return true;
}

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

static int hw_from_tlb(const struct iommu_dma_req *req, const struct hw_tlb *t,
		       struct iommu_translation *out)
{
	const uint64_t mask =
	    t->size_lg2 >= 64 ? UINT64_MAX : (1ull << t->size_lg2) - 1;

	out->phys = t->out + (req->iova - t->base);
	out->len = ilib_clip(req->iova, req->len, t->base + mask);
	out->perm = t->perm;
	return IOMMU_HW_CACHED;
}

static unsigned int hw_need(const struct hw_xl *x)
{
	return x->write ? IOMMU_WRITE : IOMMU_READ;
}

/*
 * hw_walk_done() - turn a walk into the result or the event
 * @user: PT_PERM_U* decide the permission, else PT_PERM_P*
 * @cache: the result may go into the IOTLB under (domid, @tag)
 */
static int hw_walk_done(struct amdvi_hw *hw, const struct hw_xl *x,
			const struct pt_walk_res *r, bool gn, bool user,
			bool cache, uint32_t tag, uint64_t gen, uint64_t dbit,
			struct iommu_translation *out)
{
	const struct iommu_dma_req *req = x->req;
	struct hw_tlb t;
	uint64_t mask;

	switch (r->err) {
	case PT_WALK_OK:
		break;
	case PT_WALK_NOT_PRESENT:
	case PT_WALK_RANGE:
		return hw_pf(hw, x, gn, 0);
	case PT_WALK_RSVD:
	case PT_WALK_ADDR_SIZE:
	case PT_WALK_BAD_DESC:
		return hw_pf(hw, x, gn, AMDVI_EVT_F_PR | AMDVI_EVT_F_RZ);
	case PT_WALK_PERM:
		return hw_pf(hw, x, gn, AMDVI_EVT_F_PR | AMDVI_EVT_F_PE);
	default: /* PT_WALK_FETCH, PT_WALK_AD_FAIL */
		return hw_hw_error(hw, x, AMDVI_EVT_PAGE_TAB_HW_ERROR,
				   r->entry_pa);
	}
	mask = r->size_lg2 >= 64 ? UINT64_MAX : (1ull << r->size_lg2) - 1;
	t.base = req->iova & ~mask;
	t.out = r->oa & ~mask;
	t.size_lg2 = r->size_lg2;
	if (user)
		t.perm = (r->perm & PT_PERM_UR ? IOMMU_READ : 0u) |
			 (r->perm & PT_PERM_UW ? IOMMU_WRITE : 0u);
	else
		t.perm = (r->perm & PT_PERM_PR ? IOMMU_READ : 0u) |
			 (r->perm & PT_PERM_PW ? IOMMU_WRITE : 0u);
	/* With dirty updates, a clean page stays read-only in the IOTLB
	 * so that the first write walks again to set D. */
	if (dbit && !x->write && !(r->entry & dbit))
		t.perm &= ~IOMMU_WRITE;
	if (cache && amdvi_hw_tlb_insert(hw, x->domid, tag, &t, gen))
		return hw_from_tlb(req, &t, out);
	hw_from_tlb(req, &t, out);
	return 0;
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

/* ---- v1 (3) -----------------------------------------------------------------
 */

static int hw_xl_v1(struct amdvi_hw *hw, const struct hw_xl *x,
		    struct iommu_translation *out)
{
	const uint64_t *d = x->dte;
	const unsigned int had =
	    (unsigned int)amdvi_field_get(AMDVI_DTE0_HAD, d[0]);
	const bool hud =
	    amdvi_field_get(AMDVI_CTRL_HAD_UPDATE, hw_ld(&hw->ctrl)) != 0;
	struct pt_walk_desc wd = {
	    .fmt = PT_FMT_AMDV1,
	    .root = d[0] & AMDVI_DTE0_ROOT,
	    .levels = (uint8_t)amdvi_field_get(AMDVI_DTE0_MODE, d[0]),
	    .oa_bits = 52,
	    .perm = (d[0] & AMDVI_DTE0_IR ? PT_PERM_R : 0u) |
		    (d[0] & AMDVI_DTE0_IW ? PT_PERM_W : 0u) | PT_PERM_X,
	};
	const unsigned int acc = x->write ? PT_ACC_W : PT_ACC_R;
	struct pt_walk_res r;
	struct hw_tlb t;
	uint64_t gen, wtag, wgen;
	bool hd = false;

	if (hud && (had & 1) && (hw->efr & AMDVI_EFR_HA_SUP))
		wd.flags |= PT_WALK_HA;
	if (hud && had == 3 && (hw->efr & AMDVI_EFR_HD_SUP)) {
		wd.flags |= PT_WALK_HD;
		hd = true;
	}
	if (amdvi_hw_tlb_lookup(hw, x->domid, 0, x->req->iova, &t) &&
	    (t.perm & hw_need(x))) {
		ilib_stat(hw->host, IOMMU_STAT_IOTLB_HITS, 1);
		return hw_from_tlb(x->req, &t, out);
	}
	ilib_stat(hw->host, IOMMU_STAT_IOTLB_MISSES, 1);
	ilib_stat(hw->host, IOMMU_STAT_WALKS, 1);
	/* The IOTLB's generation before the PDE cache is read (hw_cache.c
	 * amdvi_hw_walk_flush()). */
	gen = ilib_cache_gen(&hw->tlbc);
	wtag = hw_walk_tag(x->domid, 0, wd.levels, 0);
	if (ilib_walk_cache_lookup(&hw->walkc, wtag, &wd, x->req->iova)) {
		pt_walk(hw->host, &wd, x->req->iova, acc, &r);
	} else {
		wgen = ilib_walk_cache_gen(&hw->walkc);
		pt_walk(hw->host, &wd, x->req->iova, acc, &r);
		ilib_walk_cache_fill(&hw->walkc, wtag, &wd, x->req->iova, acc,
				     &r, wgen);
	}
	return hw_walk_done(hw, x, &r, false, true, true, 0, gen,
			    hd ? AMDVI_PTE_D : 0, out);
}

/* ---- v2 through GCR3 (4)
 * ----------------------------------------------------- */

/*
 * hw_xl_v2() - a guest (v2) translation of @pasid (4.2, 4.1)
 * @user: a user request (PRIV clear, or a request without PASID)
 */
static int hw_xl_v2(struct amdvi_hw *hw, const struct hw_xl *x, uint32_t pasid,
		    bool user, struct iommu_translation *out)
{
	const uint64_t *d = x->dte;
	const unsigned int glx =
	    (unsigned int)amdvi_field_get(AMDVI_DTE0_GLX, d[0]);
	const bool exec =
	    x->has_pasid && !x->write && (x->req->attrs & IOMMU_ACCESS_EXEC);
	const bool cache = user && !exec;
	const unsigned int acc = (x->write ? PT_ACC_W : PT_ACC_R) |
				 (exec ? PT_ACC_X : 0u) |
				 (user ? 0u : PT_ACC_PRIV);
	uint64_t gcr3, table, epa, gen, wtag, wgen;
	struct pt_walk_desc wd = {
	    .fmt = PT_FMT_AMDV2,
	    .oa_bits = 52,
	    .leaf_levels = 0x7, /* 4 KiB, 2 MiB, 1 GiB */
	    .flags = PT_WALK_HA | PT_WALK_HD |
		     (hw->efr & AMDVI_EFR_NX_SUP ? PT_WALK_NXE : 0u),
	};
	struct pt_walk_res r;
	struct hw_tlb t;

	if (!(hw_ld(&hw->ctrl) & AMDVI_CTRL_GT_EN) ||
	    !(hw->efr & AMDVI_EFR_GT_SUP) || !(d[0] & AMDVI_DTE0_GV) ||
	    amdvi_field_get(AMDVI_DTE0_MODE, d[0]) != AMDVI_MODE_NONE ||
	    (pasid >> hw->pasid_bits) ||
	    (pasid >> (AMDVI_GCR3_IDX_BITS * (glx + 1))))
		return hw_pf(hw, x, true, 0);
	if (cache &&
	    amdvi_hw_tlb_lookup(hw, x->domid, pasid + 1, x->req->iova, &t) &&
	    (t.perm & hw_need(x))) {
		ilib_stat(hw->host, IOMMU_STAT_IOTLB_HITS, 1);
		return hw_from_tlb(x->req, &t, out);
	}
	if (cache)
		ilib_stat(hw->host, IOMMU_STAT_IOTLB_MISSES, 1);
	ilib_stat(hw->host, IOMMU_STAT_WALKS, 1);
	gen = ilib_cache_gen(&hw->tlbc);
	gcr3 = amdvi_field_get(AMDVI_DTE0_GCR3_LO, d[0]) << 12 |
	       amdvi_field_get(AMDVI_DTE1_GCR3_MID, d[1]) << 15 |
	       amdvi_field_get(AMDVI_DTE1_GCR3_HI, d[1]) << 31;
	wd.levels =
	    amdvi_field_get(AMDVI_DTE2_GPM, d[2]) == AMDVI_GPM_5LEVEL ? 5 : 4;
	/* Keyed on the GCR3 table: a hit stands for the PASID's GCR3
	 * entry too, and reads neither it nor the levels above. */
	wd.root = gcr3;
	wtag = hw_walk_tag(x->domid, pasid + 1, wd.levels, glx);
	if (ilib_walk_cache_lookup(&hw->walkc, wtag, &wd, x->req->iova)) {
		pt_walk(hw->host, &wd, x->req->iova, acc, &r);
		return hw_walk_done(hw, x, &r, true, user, cache, pasid + 1,
				    gen, AMDVI_V2_D, out);
	}
	wgen = ilib_walk_cache_gen(&hw->walkc);
	table = gcr3;
	for (int l = (int)glx; l >= 0; l--) {
		const uint64_t idx =
		    (pasid >> (AMDVI_GCR3_IDX_BITS * (unsigned int)l)) & 0x1ff;
		uint64_t e;

		epa = table + 8 * idx;
		if (ilib_mem_read_le64(hw->host, epa, &e, 1))
			return hw_hw_error(hw, x, AMDVI_EVT_PAGE_TAB_HW_ERROR,
					   epa);
		if (!(e & AMDVI_GCR3_VALID))
			return hw_pf(hw, x, true, 0);
		table = e & AMDVI_GCR3_ADDR;
	}
	wd.root = table;
	pt_walk(hw->host, &wd, x->req->iova, acc, &r);
	wd.root = gcr3; /* the key */
	ilib_walk_cache_fill(&hw->walkc, wtag, &wd, x->req->iova, acc, &r,
			     wgen);
	return hw_walk_done(hw, x, &r, true, user, cache, pasid + 1, gen,
			    AMDVI_V2_D, out);
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

	if (!(perm & hw_need(x)))
		return hw_pf(hw, x, false, AMDVI_EVT_F_PR | AMDVI_EVT_F_PE);
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
	struct hw_xl x = {0};
	const uint64_t rw = IOMMU_READ | IOMMU_WRITE;
	int ret;

	if (!hw || !req || !out || !req->len || req->dev_id > 0xffff ||
	    (req->access != IOMMU_ACCESS_READ &&
	     req->access != IOMMU_ACCESS_WRITE))
		return -EINVAL;
	x.req = req;
	x.devid = (uint16_t)req->dev_id;
	x.has_pasid = req->pasid != IOMMU_NO_PASID;
	x.write = req->access == IOMMU_ACCESS_WRITE;
	if (!x.has_pasid && req->iova >= AMDVI_MSI_FIRST &&
	    req->iova <= AMDVI_MSI_LAST) {
		out->phys = req->iova;
		out->len = ilib_clip(req->iova, req->len, AMDVI_MSI_LAST);
		out->perm = 0;
		return IOMMU_HW_INTERRUPT;
	}
	if (!(hw_ld(&hw->ctrl) & AMDVI_CTRL_IOMMU_EN))
		return hw_pass(req, out, rw);
	ret = hw_dte_get(hw, &x);
	if (ret)
		return ret;
	if (!(x.dte[0] & AMDVI_DTE0_V))
		return hw_pass(req, out, rw);
	if (!hw_dte_legal(hw, x.dte))
		return hw_illegal_dte(hw, &x, true);
	x.domid = (uint16_t)amdvi_field_get(AMDVI_DTE1_DOMID, x.dte[1]);
	x.sa = x.dte[1] & AMDVI_DTE1_SA;
	if (req->attrs & IOMMU_ACCESS_TRANSLATED)
		return hw_xl_translated(hw, &x, out);
	if (hw_excluded(hw, &x))
		return hw_pass(req, out, rw);
	if (!(x.dte[0] & AMDVI_DTE0_TV))
		return hw_pf(hw, &x, false, 0);
	if (x.has_pasid)
		return hw_xl_v2(hw, &x, req->pasid,
				!(req->attrs & IOMMU_ACCESS_PRIV), out);
	if ((x.dte[0] & AMDVI_DTE0_GV) && (x.dte[0] & AMDVI_DTE0_GIOV) &&
	    (hw->efr & AMDVI_EFR_GIO_SUP) &&
	    (hw_ld(&hw->ctrl) & AMDVI_CTRL_GT_EN))
		return hw_xl_v2(hw, &x, 0, true, out);
	if (amdvi_field_get(AMDVI_DTE0_MODE, x.dte[0]) == AMDVI_MODE_NONE)
		return hw_xl_mode0(hw, &x, out);
	return hw_xl_v1(hw, &x, out);
}
