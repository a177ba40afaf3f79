// SPDX-License-Identifier: MIT
/*
 * test_ats.c - translated (ATS) requests and the interrupt window against
 * the device model, from the test's own driver (plugins/vtd/hw.h
 * "Request attributes" and the interrupt-window decision):
 *  - a translated request passes unchanged only where the context enables
 *    the device TLB: legacy TT 01 (TT 00 and 10: 0x0D, LCT.5), scalable
 *    DTE (else 0x44, SCT.5); the record says AT = 10b (sheet 7.1);
 *  - a request without PASID to 0xFEE00000-0xFEEFFFFF is an interrupt
 *    (IOMMU_HW_INTERRUPT, no permission, clipped to the window, no fault)
 *    whatever the device's context; one with a PASID is translated.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "iommu/plugin.h"
#include "vtdg.h"

#define R    IOMMU_ACCESS_READ
#define W    IOMMU_ACCESS_WRITE
#define T    IOMMU_ACCESS_TRANSLATED
#define PRIV IOMMU_ACCESS_PRIV
#define EXEC IOMMU_ACCESS_EXEC
#define NP   IOMMU_NO_PASID
#define U(x) ((unsigned long long)(x))

#define FR_TT_BLOCKED 0x0D /* LCT.5 */
#define FR_SM_DTE     0x44 /* SCT.5 */
#define SM_SL_PERM    0x79 /* SSL.2, the model's SM second-stage code */

#define WIN_FIRST 0xFEE00000ull /* sheet 8 */
#define WIN_END	  0xFEF00000ull

_Static_assert(IOMMU_DMA_INTERRUPT == IOMMU_HW_INTERRUPT,
	       "the core passes the model's interrupt answer through");

static void up(struct vt *g, bool sm)
{
	vt_create(g, false, sm ? "scalable_mode = yes\npasid_bits = 20" : NULL);
	vt_guest_init(g, sm);
}

static int tr(struct vt *g, unsigned int sid, uint32_t pasid, uint64_t iova,
	      uint64_t len, unsigned int access, struct iommu_translation *t)
{
	memset(t, 0xa5, sizeof(*t));
	return iommu_dma_translate(g->ctx, sid, pasid, iova, len, access, t);
}

/* A translated request passes: output = input, read and write. */
static void ats_ok(struct vt *g, unsigned int sid, uint32_t pasid,
		   uint64_t iova, unsigned int access)
{
	struct iommu_translation t;
	int ret = tr(g, sid, pasid, iova, 4, access, &t);

	cr_assert_eq(ret, 0, "sid 0x%x iova 0x%llx access 0x%x: %d", sid,
		     U(iova), access, ret);
	cr_assert_eq(t.phys, iova, "0x%llx -> 0x%llx", U(iova), U(t.phys));
	cr_assert_eq(t.len, 4ull);
	cr_assert_eq(t.perm, IOMMU_READ | IOMMU_WRITE);
}

/* The request is an interrupt: no permission, clipped to the window. */
static void intr(struct vt *g, unsigned int sid, uint64_t iova, uint64_t len,
		 unsigned int access)
{
	struct iommu_translation t;
	uint64_t want = len < WIN_END - iova ? len : WIN_END - iova;
	int ret = tr(g, sid, NP, iova, len, access, &t);

	cr_assert_eq(ret, IOMMU_HW_INTERRUPT,
		     "sid 0x%x iova 0x%llx access 0x%x: %d, want an interrupt",
		     sid, U(iova), access, ret);
	cr_assert_eq(t.phys, iova);
	cr_assert_eq(t.perm, 0u, "an interrupt grants no memory access");
	cr_assert_eq(t.len, want, "len 0x%llx, want 0x%llx", U(t.len), U(want));
}

/* Every kind of request of @sid into the window, then no fault. */
static void intr_all(struct vt *g, unsigned int sid)
{
	static const unsigned int acc[] = {R, W, R | T, W | T, R | PRIV | EXEC};

	for (unsigned int i = 0; i < sizeof(acc) / sizeof(acc[0]); i++) {
		intr(g, sid, WIN_FIRST, 4, acc[i]);
		intr(g, sid, WIN_FIRST + 0x1000, 0x1000, acc[i]);
		intr(g, sid, WIN_END - 0x800, 0x1000, acc[i]);
		intr(g, sid, WIN_END - 4, 0x100000, acc[i]);
	}
	vt_no_fault(g);
}

/* ---- translated requests ------------------------------------------------- */

Test(ats, legacy_translated_request_needs_tt_01)
{
	struct vt g;
	uint64_t e[2], r0, r1;

	up(&g, false);
	r0 = vt_ctx_sl(&g, SID_A, 5); /* TT 00 */
	vt_sl_map(&g, r0, 4, 0x1000, 1, enc_sl(VT_DATA, SL_RW));
	r1 = vt_page(&g, 0);
	enc_ctx(e, r1, 1, 2, 6, false, true); /* TT 01 */
	vt_ctx_set(&g, SID_B, e);
	vt_sl_map(&g, r1, 4, 0x1000, 1, enc_sl(VT_DATA, SL_RW));
	enc_ctx(e, 0, 2, 2, 7, false, true); /* TT 10 */
	vt_ctx_set(&g, SID_C, e);

	/* TT 00: blocked, the record says AT = 10b */
	vt_tr_fault(&g, SID_A, NP, 0x1000, R | T, FR_TT_BLOCKED);
	vt_tr_fault(&g, SID_A, NP, 0x1000, W | T, FR_TT_BLOCKED);
	vt_tr_ok(&g, SID_A, NP, 0x1000, R, VT_DATA);
	/* TT 01: untranslated requests walk, translated ones pass as they
	 * are, also where nothing is mapped and after an IOTLB fill */
	vt_tr_ok(&g, SID_B, NP, 0x1000, R, VT_DATA);
	ats_ok(&g, SID_B, NP, 0x1000, R | T);
	ats_ok(&g, SID_B, NP, 0x1000, W | T);
	ats_ok(&g, SID_B, NP, 0x2345000, W | T);
	vt_tr_fault(&g, SID_B, NP, 0x2345000, W, FR_WRITE);
	/* TT 10: pass-through is for untranslated requests only */
	vt_tr_fault(&g, SID_C, NP, 0x1000, R | T, FR_TT_BLOCKED);
	vt_tr_ok(&g, SID_C, NP, 0x1000, R, 0x1000);
	vt_no_fault(&g);
	vt_destroy(&g);
}

/* FPD suppresses 0x0D like the other qualified faults (sheet 7.6). */
Test(ats, legacy_tt_blocked_is_fpd_qualified)
{
	struct vt g;
	uint64_t e[2];

	up(&g, false);
	enc_ctx(e, vt_page(&g, 0), 0, 2, 5, true, true);
	vt_ctx_set(&g, SID_A, e);
	cr_assert_eq(vt_tr(&g, SID_A, NP, 0x1000, R | T, NULL), -EFAULT);
	vt_no_fault(&g);
	vt_destroy(&g);
}

Test(ats, scalable_translated_request_needs_dte_0x44)
{
	struct vt g;
	uint64_t dir, sl;
	struct pe pe = {.p = true, .aw = 2, .pgtt = PGTT_SL, .did = 5};
	struct frec f;

	up(&g, true);
	sl = vt_page(&g, 0);
	vt_sl_map(&g, sl, 4, 0x1000, 1, enc_sl(VT_DATA, SL_RW));
	pe.slptptr = sl;
	dir = vt_smctx_std(&g, SID_A, 0);
	vt_pe_set(&g, dir, 0, &pe);
	dir = vt_smctx_std(&g, SID_B, CE_DTE);
	vt_pe_set(&g, dir, 0, &pe);
	vt_smctx_std(&g, SID_E, CE_DTE); /* no PASID entry at all */
	vt_smctx_std(&g, SID_D, 0);

	vt_tr_fault(&g, SID_A, NP, 0x1000, R | T, FR_SM_DTE);
	vt_tr_ok(&g, SID_A, NP, 0x1000, R, VT_DATA);
	vt_tr_ok(&g, SID_B, NP, 0x1000, R, VT_DATA);
	ats_ok(&g, SID_B, NP, 0x1000, R | T);
	ats_ok(&g, SID_B, NP, 0x5000, W | T);
	/* with a PASID: no PASID-table lookup, PRIV and EXEC unused */
	ats_ok(&g, SID_E, 7, 0x3000, W | T);
	ats_ok(&g, SID_E, 7, 0x3000, R | T | PRIV | EXEC);
	vt_tr_fault(&g, SID_E, 7, 0x3000, R, FR_SM_PD_NP);
	/* DTE = 0 with a PASID: 0x44 with PP, PV, AT = 10b, no PRIV */
	cr_assert_eq(vt_tr(&g, SID_D, 7, 0x3000, R | T | PRIV, NULL), -EFAULT);
	cr_assert(vt_fault_pop(&g, &f), "no record");
	cr_assert_eq(f.fr, FR_SM_DTE, "reason 0x%02x", f.fr);
	cr_assert(f.pp && f.pv == 7, "PP %d PV 0x%x", f.pp, f.pv);
	cr_assert_eq(f.at, 2u, "AT %u", f.at);
	cr_assert(!f.priv && !f.exe && f.t1);
	vt_no_fault(&g);
	/* into the window with a PASID: no interrupt, 0x87 */
	vt_tr_fault(&g, SID_E, 7, WIN_FIRST, W | T, FR_SM_INTR);
	vt_destroy(&g);
}

/* ---- the interrupt window ------------------------------------------------ */

Test(intr_window, legacy_request_without_pasid_is_an_interrupt)
{
	struct vt g;
	uint64_t e[2], r, before = 0x1122334455667788ull, got;
	uint32_t msg = 0x4041;

	up(&g, false);
	/* SID_C: bus 3 has no root entry; SID_A: bus 0 has one, devfn
	 * 0x10 no context entry */
	enc_ctx(e, 0, 2, 2, 7, false, true); /* SID_B pass-through */
	vt_ctx_set(&g, SID_B, e);
	r = vt_ctx_sl(&g, SID_D, 5); /* SID_D paging, RAM at the window */
	vt_sl_map(&g, r, 4, WIN_FIRST, 1, enc_sl(VT_DATA, SL_RW));
	vt_sl_map(&g, r, 4, WIN_END - 0x1000, 1,
		  enc_sl(VT_DATA + 0x1000, SL_RW));
	vt_sl_map(&g, r, 4, WIN_FIRST - 0x1000, 1,
		  enc_sl(VT_DATA + 0x2000, SL_RW));
	vt_sl_map(&g, r, 4, WIN_END, 1, enc_sl(VT_DATA + 0x3000, SL_RW));
	intr_all(&g, SID_A);
	intr_all(&g, SID_B);
	intr_all(&g, SID_C);
	intr_all(&g, SID_D);
	/* just outside the window the tables apply */
	vt_tr_ok(&g, SID_D, NP, WIN_FIRST - 4, R, VT_DATA + 0x2ffc);
	vt_tr_ok(&g, SID_D, NP, WIN_END, W, VT_DATA + 0x3000);
	vt_tr_fault(&g, SID_A, NP, WIN_END, R, FR_CTX_NP);
	vt_tr_fault(&g, SID_C, NP, WIN_FIRST - 4, W, FR_ROOT_NP);
	/* a dword write there is a message: RAM behind the mapping stays */
	vt_wr64(&g, VT_DATA, before);
	cr_assert_eq(iommu_dma_write(g.ctx, SID_D, NP, WIN_FIRST, &msg, 4), 0);
	cr_assert_eq(iommu_dma_read(g.ctx, SID_D, NP, WIN_FIRST, &got, 8),
		     -EFAULT);
	cr_assert_eq(vt_rd64m(&g, VT_DATA), before,
		     "RAM behind the window "
		     "written: 0x%016llx",
		     U(vt_rd64m(&g, VT_DATA)));
	vt_no_fault(&g);
	vt_destroy(&g);
}

Test(intr_window, scalable_request_without_pasid_is_an_interrupt)
{
	struct vt g;
	uint64_t dir, sl, fl;
	struct pe pe = {.p = true, .aw = 2, .did = 5};

	up(&g, true);
	/* SID_A: no context entry; SID_B: RID_PASID entry not present */
	vt_smctx_std(&g, SID_B, 0);
	/* SID_C: second stage maps the window to RAM */
	sl = vt_page(&g, 0);
	vt_sl_map(&g, sl, 4, WIN_FIRST, 1, enc_sl(VT_DATA, SL_RW));
	pe.pgtt = PGTT_SL;
	pe.slptptr = sl;
	dir = vt_smctx_std(&g, SID_C, CE_DTE);
	vt_pe_set(&g, dir, 0, &pe);
	/* SID_D: first stage maps it; SID_E: pass-through */
	fl = vt_page(&g, 0);
	vt_fl_map(&g, fl, 4, WIN_FIRST, 1,
		  enc_fl(VT_DATA, FL_P | FL_RW | FL_US | FL_A | FL_D));
	pe.pgtt = PGTT_FL;
	pe.slptptr = 0;
	pe.flptptr = fl;
	dir = vt_smctx_std(&g, SID_D, 0);
	vt_pe_set(&g, dir, 0, &pe);
	pe.pgtt = PGTT_PT;
	dir = vt_smctx_std(&g, SID_E, 0);
	vt_pe_set(&g, dir, 0, &pe);
	intr_all(&g, SID_A);
	intr_all(&g, SID_B);
	intr_all(&g, SID_C);
	intr_all(&g, SID_D);
	intr_all(&g, SID_E);
	vt_destroy(&g);
}

Test(intr_window, request_with_pasid_is_translated)
{
	struct vt g;
	uint64_t dir, sl, fl;
	struct pe pe = {.p = true, .aw = 2, .did = 5};

	up(&g, true);
	dir = vt_smctx_std(&g, SID_E, 0);
	sl = vt_page(&g, 0);
	vt_sl_map(&g, sl, 4, WIN_FIRST, 1, enc_sl(VT_DATA, SL_RW));
	pe.pgtt = PGTT_SL;
	pe.slptptr = sl;
	vt_pe_set(&g, dir, 5, &pe);
	fl = vt_page(&g, 0);
	vt_fl_map(&g, fl, 4, WIN_FIRST + 0x1000, 1,
		  enc_fl(VT_DATA + 0x1000, FL_P | FL_RW | FL_US | FL_A | FL_D));
	pe.pgtt = PGTT_FL;
	pe.did = 1;
	pe.slptptr = 0;
	pe.flptptr = fl;
	pe.sre = true;
	vt_pe_set(&g, dir, 6, &pe);
	pe.pgtt = PGTT_PT;
	vt_pe_set(&g, dir, 7, &pe);

	vt_tr_ok(&g, SID_E, 5, WIN_FIRST + 0x10, R, VT_DATA + 0x10);
	vt_tr_ok(&g, SID_E, 5, WIN_FIRST, W, VT_DATA);
	vt_tr_ok(&g, SID_E, 6, WIN_FIRST + 0x1000, W, VT_DATA + 0x1000);
	vt_tr_ok(&g, SID_E, 6, WIN_FIRST + 0x1000, R | PRIV, VT_DATA + 0x1000);
	/* unmapped there: an ordinary translation fault */
	vt_tr_fault(&g, SID_E, 5, WIN_FIRST + 0x2000, W, SM_SL_PERM);
	vt_tr_fault(&g, SID_E, 6, WIN_FIRST + 0x2000, R, FR_FL_NP);
	/* through pass-through the output would be the window: 0x87 */
	vt_tr_fault(&g, SID_E, 7, WIN_FIRST, W, FR_SM_INTR);
	vt_no_fault(&g);
	vt_destroy(&g);
}

/* An identity output never runs on into the window: the bytes there are
 * another request's, an interrupt (or, with a PASID, a fault). */
Test(intr_window, identity_output_stops_before_the_window)
{
	static const struct {
		unsigned int sid;
		unsigned int access;
	} rq[] = {{SID_B, R}, {SID_B, W}, {SID_D, R | T}, {SID_D, W | T}};
	struct vt g;
	struct iommu_translation t;
	uint64_t e[2];

	up(&g, false);
	enc_ctx(e, 0, 2, 2, 7, false, true); /* SID_B pass-through */
	vt_ctx_set(&g, SID_B, e);
	enc_ctx(e, vt_page(&g, 0), 1, 2, 6, false, true); /* SID_D TT 01 */
	vt_ctx_set(&g, SID_D, e);
	for (unsigned int i = 0; i < sizeof(rq) / sizeof(rq[0]); i++) {
		cr_assert_eq(tr(&g, rq[i].sid, NP, WIN_FIRST - 0x10, 0x100,
				rq[i].access, &t),
			     0);
		cr_assert_eq(t.phys, WIN_FIRST - 0x10);
		cr_assert_eq(t.len, 0x10ull, "len 0x%llx", U(t.len));
		/* above the window nothing stops it */
		cr_assert_eq(
		    tr(&g, rq[i].sid, NP, WIN_END, 0x100000, rq[i].access, &t),
		    0);
		cr_assert_eq(t.len, 0x100000ull, "len 0x%llx", U(t.len));
	}
	vt_no_fault(&g);
	vt_destroy(&g);
}
