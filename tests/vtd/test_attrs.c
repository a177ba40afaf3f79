// SPDX-License-Identifier: MIT
/*
 * test_attrs.c - privileged and execute requests against the device
 * model (plugins/vtd/hw.h "Request attributes"), from the test's own
 * driver in scalable mode: ECAP.SRS/ERS, the PASID entry's SRE / ERE
 * (0x5D SPT.6 / 0x5C SPT.5, reserved 0x5A without SRS / ERS), the
 * first-stage rules for a privileged request (WPE, SMEP) and for an
 * execute request (XD with NXE, 0x82 SGN.3), the PRIV / EXE bits of the
 * fault record (sheet 7.1 bits 93, 94), and the rule that such requests
 * neither use nor fill the IOTLB.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "vtdg.h"

#define R    IOMMU_ACCESS_READ
#define W    IOMMU_ACCESS_WRITE
#define PRIV IOMMU_ACCESS_PRIV
#define EXEC IOMMU_ACCESS_EXEC
#define NP   IOMMU_NO_PASID
#define U(x) ((unsigned long long)(x))

/* Sheet 7.4. */
#define FR_SM_ERE  0x5C /* SPT.5: execute request, ERE = 0 */
#define FR_SM_SRE  0x5D /* SPT.6: supervisor request, SRE = 0 */
#define FR_FL_USER 0x81 /* SGN.2: user request, U/S = 0 */
#define FR_SM_EXEC 0x82 /* SGN.3: execute request without permission */
#define SM_SL_PERM 0x79 /* SSL.2, the model's SM second-stage code */

/* Leaf flags (sheet 5.2). */
#define USER_RW (FL_P | FL_RW | FL_US | FL_A | FL_D)
#define USER_RO (FL_P | FL_US | FL_A)
#define SUP_RW	(FL_P | FL_RW | FL_A | FL_D)
#define SUP_RO	(FL_P | FL_A)

static void up(struct vt *g, const char *ini)
{
	vt_create(g, false, ini ? ini : "scalable_mode = yes\npasid_bits = 20");
	vt_guest_init(g, true);
}

/* PASID entry @pasid of @dir: first stage at @fl with @pe's bits. */
static void fl_pe(struct vt *g, uint64_t dir, uint32_t pasid, uint64_t fl,
		  struct pe pe)
{
	pe.p = true;
	pe.aw = 2;
	pe.pgtt = PGTT_FL;
	pe.did = 1;
	pe.flptptr = fl;
	vt_pe_set(g, dir, pasid, &pe);
}

/* Map the 4 KiB page @iova -> VT_DATA + @iova in the FL table @fl. */
static uint64_t fl_leaf(struct vt *g, uint64_t fl, uint64_t iova,
			uint64_t flags)
{
	return vt_fl_map(g, fl, 4, iova, 1, enc_fl(VT_DATA + iova, flags));
}

/* The request's result and out->perm through iommu_dma_translate(). */
static void tr_perm(struct vt *g, unsigned int sid, uint32_t pasid,
		    uint64_t iova, unsigned int access, uint64_t phys,
		    unsigned int perm)
{
	struct iommu_translation t;
	int ret;

	memset(&t, 0, sizeof(t));
	ret = iommu_dma_translate(g->ctx, sid, pasid, iova, 4, access, &t);
	cr_assert_eq(ret, 0, "iova 0x%llx access 0x%x: %d", U(iova), access,
		     ret);
	cr_assert_eq(t.phys, phys, "iova 0x%llx -> 0x%llx, want 0x%llx",
		     U(iova), U(t.phys), U(phys));
	cr_assert_eq(t.perm, perm,
		     "iova 0x%llx access 0x%x: perm 0x%x, "
		     "want 0x%x",
		     U(iova), access, t.perm, perm);
}

/* ---- capabilities and the PASID entry ------------------------------------ */

Test(attrs, ecap_srs_ers_follow_pasid_support)
{
	struct vt g;

	vt_create(&g, false, "scalable_mode = yes\npasid_bits = 20");
	cr_assert_eq(g.ecap >> 31 & 1, 1, "ECAP.SRS with PASIDs");
	cr_assert_eq(g.ecap >> 30 & 1, 1, "ECAP.ERS with PASIDs");
	vt_destroy(&g);
	vt_create(&g, false, "scalable_mode = yes\npasid_bits = 0");
	cr_assert_eq(g.ecap >> 40 & 1, 0, "ECAP.PASID");
	cr_assert_eq(g.ecap >> 31 & 1, 0, "ECAP.SRS without PASIDs");
	cr_assert_eq(g.ecap >> 30 & 1, 0, "ECAP.ERS without PASIDs");
	vt_destroy(&g);
}

Test(attrs, sre_ere_reserved_without_srs_ers_0x5a)
{
	struct vt g;
	struct pe pe = {.p = true, .aw = 2, .pgtt = PGTT_SL, .did = 5};
	const unsigned int sids[3] = {SID_A, SID_B, SID_C};
	unsigned int i;

	up(&g, "scalable_mode = yes\npasid_bits = 0");
	for (i = 0; i < 3; i++) {
		uint64_t dir = vt_smctx_std(&g, sids[i], 0);

		pe.slptptr = vt_page(&g, 0);
		pe.sre = i == 0;
		pe.ere = i == 1;
		vt_pe_set(&g, dir, 0, &pe);
		vt_sl_map(&g, pe.slptptr, 4, 0x1000, 1, enc_sl(VT_DATA, SL_RW));
	}
	vt_tr_fault(&g, SID_A, NP, 0x1000, R, FR_SM_PE_RSV);
	vt_tr_fault(&g, SID_B, NP, 0x1000, R, FR_SM_PE_RSV);
	vt_tr_ok(&g, SID_C, NP, 0x1000, R, VT_DATA);
	vt_destroy(&g);
}

/* A privileged request needs SRE in its PASID entry, whatever the PGTT. */
Test(attrs, privileged_request_needs_sre_0x5d)
{
	struct vt g;
	uint64_t dir, fl, sl;
	struct pe pe = {.p = true, .aw = 2, .did = 2};

	up(&g, NULL);
	dir = vt_smctx_std(&g, SID_E, 0);
	fl = vt_page(&g, 0);
	fl_leaf(&g, fl, 0x1000, USER_RW);
	fl_pe(&g, dir, 0, fl, (struct pe){0});
	fl_pe(&g, dir, 1, fl, (struct pe){0});
	fl_pe(&g, dir, 4, fl, (struct pe){.sre = true});
	sl = vt_page(&g, 0);
	vt_sl_map(&g, sl, 4, 0x1000, 1, enc_sl(VT_DATA + 0x1000, SL_RW));
	pe.pgtt = PGTT_SL;
	pe.slptptr = sl;
	vt_pe_set(&g, dir, 2, &pe);
	pe.pgtt = PGTT_PT;
	pe.slptptr = 0;
	vt_pe_set(&g, dir, 3, &pe);

	/* first stage: the record carries PRIV (bit 93) */
	vt_tr_fault(&g, SID_E, 1, 0x1000, R | PRIV, FR_SM_SRE);
	vt_tr_fault(&g, SID_E, 1, 0x1000, W | PRIV, FR_SM_SRE);
	vt_tr_ok(&g, SID_E, 1, 0x1000, R, VT_DATA + 0x1000);
	/* second stage only and pass-through check SRE too */
	vt_tr_fault(&g, SID_E, 2, 0x1000, R | PRIV, FR_SM_SRE);
	vt_tr_ok(&g, SID_E, 2, 0x1000, R, VT_DATA + 0x1000);
	vt_tr_fault(&g, SID_E, 3, 0x1000, W | PRIV, FR_SM_SRE);
	vt_tr_ok(&g, SID_E, 3, 0x1000, W, 0x1000);
	/* SRE = 1 lets it through */
	vt_tr_ok(&g, SID_E, 4, 0x1000, R | PRIV, VT_DATA + 0x1000);
	vt_tr_ok(&g, SID_E, 4, 0x1000, W | PRIV, VT_DATA + 0x1000);
	/* without PASID there is no privilege: RID_PASID 0 has SRE = 0 */
	vt_tr_ok(&g, SID_E, NP, 0x1000, R | PRIV, VT_DATA + 0x1000);
	vt_no_fault(&g);
	vt_destroy(&g);
}

/* An execute request needs ERE; ER exists only on reads. */
Test(attrs, execute_request_needs_ere_0x5c)
{
	struct vt g;
	uint64_t dir, fl, sl;
	struct pe pe = {.p = true, .aw = 2, .did = 2};

	up(&g, NULL);
	dir = vt_smctx_std(&g, SID_E, 0);
	fl = vt_page(&g, 0);
	fl_leaf(&g, fl, 0x1000, USER_RW);
	fl_pe(&g, dir, 0, fl, (struct pe){0});
	fl_pe(&g, dir, 1, fl, (struct pe){0});
	fl_pe(&g, dir, 4, fl, (struct pe){.ere = true});
	sl = vt_page(&g, 0);
	vt_sl_map(&g, sl, 4, 0x1000, 1, enc_sl(VT_DATA + 0x1000, SL_RW));
	pe.pgtt = PGTT_SL;
	pe.slptptr = sl;
	vt_pe_set(&g, dir, 2, &pe);
	pe.pgtt = PGTT_PT;
	pe.slptptr = 0;
	vt_pe_set(&g, dir, 3, &pe);

	/* the record carries EXE (bit 94) */
	vt_tr_fault(&g, SID_E, 1, 0x1000, R | EXEC, FR_SM_ERE);
	vt_tr_fault(&g, SID_E, 2, 0x1000, R | EXEC, FR_SM_ERE);
	vt_tr_fault(&g, SID_E, 3, 0x1000, R | EXEC, FR_SM_ERE);
	/* both attributes and neither enabled: ERE is checked first */
	vt_tr_fault(&g, SID_E, 1, 0x1000, R | EXEC | PRIV, FR_SM_ERE);
	vt_tr_ok(&g, SID_E, 4, 0x1000, R | EXEC, VT_DATA + 0x1000);
	vt_tr_ok(&g, SID_E, 2, 0x1000, R, VT_DATA + 0x1000);
	/* a write carries no ER: EXEC is ignored there */
	vt_tr_ok(&g, SID_E, 1, 0x1000, W | EXEC, VT_DATA + 0x1000);
	vt_tr_ok(&g, SID_E, 3, 0x1000, W | EXEC, 0x1000);
	/* nor does a request without PASID */
	vt_tr_ok(&g, SID_E, NP, 0x1000, R | EXEC, VT_DATA + 0x1000);
	vt_no_fault(&g);
	vt_destroy(&g);
}

/* Without PASID, PRIV and EXEC are not seen: a user request, and the
 * record shows neither bit. */
Test(attrs, request_without_pasid_is_a_user_request)
{
	struct vt g;
	uint64_t dir, fl;

	up(&g, NULL);
	dir = vt_smctx_std(&g, SID_E, 0);
	fl = vt_page(&g, 0);
	fl_leaf(&g, fl, 0x2000, SUP_RW);
	fl_pe(&g, dir, 0, fl, (struct pe){.sre = true, .ere = true});
	fl_pe(&g, dir, 4, fl, (struct pe){.sre = true, .ere = true});
	vt_tr_fault(&g, SID_E, NP, 0x2000, R | PRIV, FR_FL_USER);
	vt_tr_fault(&g, SID_E, NP, 0x2000, R | PRIV | EXEC, FR_FL_USER);
	vt_tr_ok(&g, SID_E, 4, 0x2000, R | PRIV, VT_DATA + 0x2000);
	vt_tr_fault(&g, SID_E, 4, 0x2000, R, FR_FL_USER);
	vt_destroy(&g);
}

/* ---- first-stage permissions of a privileged request --------------------- */

Test(attrs, privileged_write_follows_wpe)
{
	struct vt g;
	uint64_t dir, fl, hi = 0x8000000000ull; /* PML4 index 1 */

	up(&g, NULL);
	dir = vt_smctx_std(&g, SID_E, 0);
	fl = vt_page(&g, 0);
	fl_leaf(&g, fl, 0x1000, USER_RO);
	fl_leaf(&g, fl, 0x2000, SUP_RW);
	fl_leaf(&g, fl, 0x3000, SUP_RO);
	vt_fl_map(&g, fl, 4, hi, 1, enc_fl(VT_DATA + 0x4000, USER_RW));
	/* a read-only PML4E above a writable leaf */
	vt_wr64(&g, fl + 8, vt_rd64m(&g, fl + 8) & ~FL_RW);
	fl_pe(&g, dir, 1, fl, (struct pe){.sre = true});
	fl_pe(&g, dir, 2, fl, (struct pe){.sre = true, .wpe = true});

	/* a user write honours R/W */
	vt_tr_fault(&g, SID_E, 1, 0x1000, W, FR_SM_WRITE);
	vt_tr_fault(&g, SID_E, 1, hi, W, FR_SM_WRITE);
	/* WPE = 0: a supervisor writes any present page */
	tr_perm(&g, SID_E, 1, 0x1000, W | PRIV, VT_DATA + 0x1000,
		IOMMU_READ | IOMMU_WRITE);
	tr_perm(&g, SID_E, 1, 0x3000, W | PRIV, VT_DATA + 0x3000,
		IOMMU_READ | IOMMU_WRITE);
	tr_perm(&g, SID_E, 1, hi, W | PRIV, VT_DATA + 0x4000,
		IOMMU_READ | IOMMU_WRITE);
	tr_perm(&g, SID_E, 1, 0x2000, R | PRIV, VT_DATA + 0x2000,
		IOMMU_READ | IOMMU_WRITE);
	/* WPE = 1: R/W = 1 at every level, else 0x85 with PRIV recorded */
	vt_tr_fault(&g, SID_E, 2, 0x1000, W | PRIV, FR_SM_WRITE);
	vt_tr_fault(&g, SID_E, 2, 0x3000, W | PRIV, FR_SM_WRITE);
	vt_tr_fault(&g, SID_E, 2, hi, W | PRIV, FR_SM_WRITE);
	tr_perm(&g, SID_E, 2, 0x2000, W | PRIV, VT_DATA + 0x2000,
		IOMMU_READ | IOMMU_WRITE);
	tr_perm(&g, SID_E, 2, 0x3000, R | PRIV, VT_DATA + 0x3000, IOMMU_READ);
	tr_perm(&g, SID_E, 2, 0x1000, R | PRIV, VT_DATA + 0x1000, IOMMU_READ);
	vt_no_fault(&g);
	vt_destroy(&g);
}

Test(attrs, execute_follows_xd_nxe_and_smep)
{
	struct vt g;
	uint64_t dir, fl, hi = 0x8000000000ull; /* PML4 index 1 */
	const struct pe on = {.sre = true, .ere = true, .nxe = true};
	struct pe smep = on;

	up(&g, NULL);
	dir = vt_smctx_std(&g, SID_E, 0);
	fl = vt_page(&g, 0);
	fl_leaf(&g, fl, 0x1000, USER_RW | FL_XD);
	fl_leaf(&g, fl, 0x2000, USER_RW);
	fl_leaf(&g, fl, 0x3000, SUP_RW);
	fl_leaf(&g, fl, 0x4000, SUP_RW | FL_XD);
	vt_fl_map(&g, fl, 4, hi, 1, enc_fl(VT_DATA + 0x5000, USER_RW));
	/* XD in the PML4E above an executable leaf */
	vt_wr64(&g, fl + 8, vt_rd64m(&g, fl + 8) | FL_XD);
	fl_pe(&g, dir, 1, fl, on);
	smep.smep = true;
	fl_pe(&g, dir, 2, fl, smep);

	/* NXE: XD at any level refuses a fetch, user or supervisor */
	vt_tr_fault(&g, SID_E, 1, 0x1000, R | EXEC, FR_SM_EXEC);
	vt_tr_fault(&g, SID_E, 1, 0x1000, R | EXEC | PRIV, FR_SM_EXEC);
	vt_tr_fault(&g, SID_E, 1, 0x4000, R | EXEC | PRIV, FR_SM_EXEC);
	vt_tr_fault(&g, SID_E, 1, hi, R | EXEC, FR_SM_EXEC);
	vt_tr_ok(&g, SID_E, 1, 0x1000, R, VT_DATA + 0x1000);
	vt_tr_ok(&g, SID_E, 1, hi, R, VT_DATA + 0x5000);
	vt_tr_ok(&g, SID_E, 1, 0x2000, R | EXEC, VT_DATA + 0x2000);
	vt_tr_ok(&g, SID_E, 1, 0x2000, R | EXEC | PRIV, VT_DATA + 0x2000);
	/* a user fetch from a supervisor page fails on U/S first */
	vt_tr_fault(&g, SID_E, 1, 0x3000, R | EXEC, FR_FL_USER);
	vt_tr_ok(&g, SID_E, 1, 0x3000, R | EXEC | PRIV, VT_DATA + 0x3000);
	/* SMEP: no supervisor fetch from a user page; reads still work */
	vt_tr_fault(&g, SID_E, 2, 0x2000, R | EXEC | PRIV, FR_SM_EXEC);
	vt_tr_ok(&g, SID_E, 2, 0x2000, R | PRIV, VT_DATA + 0x2000);
	vt_tr_ok(&g, SID_E, 2, 0x2000, R | EXEC, VT_DATA + 0x2000);
	vt_tr_ok(&g, SID_E, 2, 0x3000, R | EXEC | PRIV, VT_DATA + 0x3000);
	vt_no_fault(&g);
	vt_destroy(&g);
}

/* NXE = 0: XD is a reserved bit (0x72) and every page is executable. */
Test(attrs, execute_without_nxe)
{
	struct vt g;
	uint64_t dir, fl;

	up(&g, NULL);
	dir = vt_smctx_std(&g, SID_E, 0);
	fl = vt_page(&g, 0);
	fl_leaf(&g, fl, 0x1000, USER_RW | FL_XD);
	fl_leaf(&g, fl, 0x2000, USER_RO);
	fl_pe(&g, dir, 3, fl, (struct pe){.sre = true, .ere = true});
	vt_tr_fault(&g, SID_E, 3, 0x1000, R | EXEC, FR_FL_RSV);
	vt_tr_ok(&g, SID_E, 3, 0x2000, R | EXEC, VT_DATA + 0x2000);
	vt_tr_ok(&g, SID_E, 3, 0x2000, R | EXEC | PRIV, VT_DATA + 0x2000);
	vt_destroy(&g);
}

/* A refused privileged request leaves A and D as they were; an allowed
 * one sets them like any walk. */
Test(attrs, refused_privileged_request_sets_no_accessed_bit)
{
	struct vt g;
	uint64_t dir, fl, leaf;
	struct pe strict = {.sre = true, .ere = true, .wpe = true};

	up(&g, NULL);
	dir = vt_smctx_std(&g, SID_E, 0);
	fl = vt_page(&g, 0);
	leaf = fl_leaf(&g, fl, 0x1000, FL_P | FL_US);
	strict.smep = true;
	fl_pe(&g, dir, 1, fl, strict);
	fl_pe(&g, dir, 2, fl, (struct pe){.sre = true});
	vt_tr_fault(&g, SID_E, 1, 0x1000, W | PRIV, FR_SM_WRITE);
	vt_tr_fault(&g, SID_E, 1, 0x1000, R | EXEC | PRIV, FR_SM_EXEC);
	cr_assert_eq(vt_rd64m(&g, leaf) & (FL_A | FL_D), 0,
		     "refused requests changed the leaf: 0x%016llx",
		     U(vt_rd64m(&g, leaf)));
	vt_tr_ok(&g, SID_E, 1, 0x1000, R | PRIV, VT_DATA + 0x1000);
	cr_assert_eq(vt_rd64m(&g, leaf) & (FL_A | FL_D), FL_A,
		     "after a privileged read: 0x%016llx",
		     U(vt_rd64m(&g, leaf)));
	vt_tr_ok(&g, SID_E, 2, 0x1000, W | PRIV, VT_DATA + 0x1000);
	cr_assert_eq(vt_rd64m(&g, leaf) & (FL_A | FL_D), FL_A | FL_D,
		     "after a privileged write: 0x%016llx",
		     U(vt_rd64m(&g, leaf)));
	vt_destroy(&g);
}

/* ---- the IOTLB ----------------------------------------------------------- */

/* A user result in the IOTLB answers no privileged or execute request,
 * and those leave nothing a user request would find. */
Test(attrs, privileged_and_execute_requests_bypass_the_iotlb)
{
	struct vt g;
	uint64_t dir, fl, hits, walks;
	const struct pe all = {.sre = true, .ere = true, .nxe = true};

	up(&g, NULL);
	dir = vt_smctx_std(&g, SID_E, 0);
	fl = vt_page(&g, 0);
	fl_leaf(&g, fl, 0x1000, USER_RO);
	fl_leaf(&g, fl, 0x2000, SUP_RW);
	fl_leaf(&g, fl, 0x3000, USER_RW | FL_XD);
	fl_pe(&g, dir, 1, fl, all);

	/* a cached read-only user page does not refuse a supervisor write
	 * (WPE = 0) */
	vt_tr_ok(&g, SID_E, 1, 0x1000, R, VT_DATA + 0x1000);
	vt_tr_ok(&g, SID_E, 1, 0x1000, R, VT_DATA + 0x1000);
	vt_tr_ok(&g, SID_E, 1, 0x1000, W | PRIV, VT_DATA + 0x1000);
	/* a supervisor page read by a supervisor is not left for a user */
	vt_tr_ok(&g, SID_E, 1, 0x2000, R | PRIV, VT_DATA + 0x2000);
	vt_tr_fault(&g, SID_E, 1, 0x2000, R, FR_FL_USER);
	/* a cached readable XD page does not serve a fetch */
	vt_tr_ok(&g, SID_E, 1, 0x3000, R, VT_DATA + 0x3000);
	vt_tr_fault(&g, SID_E, 1, 0x3000, R | EXEC, FR_SM_EXEC);
	/* every such request walks and none hits */
	hits = vt_stat(&g, IOMMU_STAT_IOTLB_HITS);
	walks = vt_stat(&g, IOMMU_STAT_WALKS);
	vt_tr_ok(&g, SID_E, 1, 0x1000, R | PRIV, VT_DATA + 0x1000);
	vt_tr_ok(&g, SID_E, 1, 0x1000, R | PRIV, VT_DATA + 0x1000);
	vt_tr_ok(&g, SID_E, 1, 0x1000, R | EXEC, VT_DATA + 0x1000);
	cr_assert_eq(vt_stat(&g, IOMMU_STAT_IOTLB_HITS), hits);
	cr_assert_eq(vt_stat(&g, IOMMU_STAT_WALKS), walks + 3);
	/* the user entry is still there */
	vt_tr_ok(&g, SID_E, 1, 0x1000, R, VT_DATA + 0x1000);
	cr_assert_eq(vt_stat(&g, IOMMU_STAT_IOTLB_HITS), hits + 1);
	vt_destroy(&g);
}

/* Second stage: a privileged request after SRE is an ordinary one; it
 * neither uses nor fills the IOTLB either. */
Test(attrs, second_stage_privileged_request_walks)
{
	struct vt g;
	uint64_t dir, sl, leaf, walks;
	struct pe pe = {
	    .p = true, .aw = 2, .pgtt = PGTT_SL, .did = 3, .sre = true};

	up(&g, NULL);
	dir = vt_smctx_std(&g, SID_E, 0);
	sl = vt_page(&g, 0);
	leaf = vt_sl_map(&g, sl, 4, 0x1000, 1, enc_sl(VT_DATA, SL_R));
	pe.slptptr = sl;
	vt_pe_set(&g, dir, 1, &pe);
	vt_tr_fault(&g, SID_E, 1, 0x1000, W | PRIV, SM_SL_PERM);
	vt_tr_ok(&g, SID_E, 1, 0x1000, R | PRIV, VT_DATA);
	/* not cached: a changed leaf is seen without an invalidation */
	walks = vt_stat(&g, IOMMU_STAT_WALKS);
	vt_wr64(&g, leaf, enc_sl(VT_DATA + 0x7000, SL_RW));
	vt_tr_ok(&g, SID_E, 1, 0x1000, W | PRIV, VT_DATA + 0x7000);
	cr_assert_eq(vt_stat(&g, IOMMU_STAT_WALKS), walks + 1);
	vt_destroy(&g);
}
