// SPDX-License-Identifier: MIT
/*
 * test_perm.c - permissions and request attributes (sheet 4.7, 4.9, 4.10,
 * 2.5): AP against privileged and unprivileged requests, APTable and
 * CD.HAD0, execute-never bits, WXN and PAN, STE.PRIVCFG / INSTCFG, the
 * EL2 stream worlds, stage-2 S2AP and XN, and ATS-translated requests
 * (F_UUT, F_TRANSL_FORBIDDEN).  Records carry PnU, InD and RnW.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "xl.h"

#define PRIV IOMMU_ACCESS_PRIV
#define EXEC IOMMU_ACCESS_EXEC

/* A stage-1 leaf at @pa with AP @ap and extra bits @x (no AP[1:2] else). */
static uint64_t leaf(uint64_t pa, unsigned int ap, uint64_t x)
{
	return enc_oa(12, pa) | D_TABLE | D_IDX(1) | D_SH(3) | D_AF | D_NG |
	       D_AP(ap) | x;
}

struct dev {
	struct sg_tt t;
	struct cd c;
	uint64_t cd;
};

static void up(struct sg *g, const char *ini, struct dev *d)
{
	sg_create(g, ini);
	sg_init(g, true, 16);
	xl_s1(g, SID_A, 12, 16, 5, &d->t, &d->c, &d->cd);
}

#define ok(g, va, acc)	    sg_tr_ok(g, SID_A, NP, va, acc, SG_DATA + (va))
#define perm(g, va, acc, e) sg_tr_fault(g, SID_A, NP, va, acc, E_PERMISSION, e)

Test(perm, ap_bits_against_the_request_privilege)
{
	struct dev d;
	struct evt e;
	struct sg g;

	up(&g, NULL, &d);
	for (unsigned int ap = 0; ap < 4; ap++)
		sg_tt_map(&g, &d.t, 0x1000 * (ap + 1), 3,
			  leaf(SG_DATA + 0x1000 * (ap + 1), ap, 0));
	/* AP 0b00: privileged read/write only */
	perm(&g, 0x1000, AR, &e);
	cr_assert(!e.pnu && e.rnw && !e.ind && !e.s2 && e.class == CL_IN);
	ok(&g, 0x1000, AR | PRIV);
	ok(&g, 0x1000, AW | PRIV);
	perm(&g, 0x1000, AW, NULL);
	/* AP 0b01: read/write for both */
	ok(&g, 0x2000, AR);
	ok(&g, 0x2000, AW);
	ok(&g, 0x2000, AW | PRIV);
	/* AP 0b10: privileged read-only */
	ok(&g, 0x3000, AR | PRIV);
	perm(&g, 0x3000, AW | PRIV, &e);
	cr_assert(e.pnu && !e.rnw);
	perm(&g, 0x3000, AR, NULL);
	/* AP 0b11: read-only for both */
	ok(&g, 0x4000, AR);
	ok(&g, 0x4000, AR | PRIV);
	perm(&g, 0x4000, AW, NULL);
	perm(&g, 0x4000, AW | PRIV, NULL);
	sg_destroy(&g);
}

Test(perm, tlb_entries_keep_both_privileges)
{
	struct iommu_translation out;
	struct dev d;
	struct sg g;

	up(&g, NULL, &d);
	sg_tt_map(&g, &d.t, 0x1000, 3, leaf(SG_DATA + 0x1000, 0, 0));
	sg_tt_map(&g, &d.t, 0x2000, 3, leaf(SG_DATA + 0x2000, 3, 0));
	ok(&g, 0x1000, AR | PRIV);  /* fills the TLB */
	perm(&g, 0x1000, AR, NULL); /* a hit, still refused */
	cr_assert_eq(iommu_dma_translate(g.ctx, SID_A, NP, 0x2000, 8, AR, &out),
		     0);
	cr_assert_eq(out.perm, IOMMU_READ, "AP 0b11 reports read only");
	cr_assert_eq(
	    iommu_dma_translate(g.ctx, SID_A, NP, 0x1000, 8, AR | PRIV, &out),
	    0);
	cr_assert_eq(out.perm, IOMMU_READ | IOMMU_WRITE);
	sg_destroy(&g);
}

Test(perm, aptable_limits_the_levels_below_unless_had)
{
	struct dev d;
	uint64_t tbl;
	struct sg g;

	up(&g, NULL, &d);
	sg_tt_map(&g, &d.t, 0x1000, 3, leaf(SG_DATA + 0x1000, 1, 0));
	tbl = sg_tt_entry(&g, &d.t, 0x1000, 2);
	sg_wr64m(&g, tbl, sg_rd64m(&g, tbl) | D_APT(2)); /* no writes */
	ok(&g, 0x1000, AR);
	perm(&g, 0x1000, AW, NULL);
	perm(&g, 0x1000, AW | PRIV, NULL);
	sg_wr64m(&g, tbl, (sg_rd64m(&g, tbl) & ~D_APT(3)) | D_APT(1));
	sg_inv_all(&g);
	perm(&g, 0x1000, AR, NULL); /* no unprivileged access */
	ok(&g, 0x1000, AW | PRIV);
	d.c.had0 = true; /* IDR3.HAD: table attributes ignored */
	xl_cd(&g, SID_A, d.cd, &d.c);
	ok(&g, 0x1000, AR);
	ok(&g, 0x1000, AW);
	sg_destroy(&g);
}

Test(perm, execute_never_bits)
{
	struct dev d;
	struct evt e;
	uint64_t tbl;
	struct sg g;

	up(&g, NULL, &d);
	sg_tt_map(&g, &d.t, 0x1000, 3, leaf(SG_DATA + 0x1000, 0, D_UXN));
	sg_tt_map(&g, &d.t, 0x2000, 3, leaf(SG_DATA + 0x2000, 3, D_PXN));
	sg_tt_map(&g, &d.t, 0x3000, 3, leaf(SG_DATA + 0x3000, 1, 0));
	sg_tt_map(&g, &d.t, 0x204000, 3, leaf(SG_DATA + 0x204000, 3, 0));
	/* an instruction fetch needs execute permission only (hw.h) */
	ok(&g, 0x1000, AR | EXEC | PRIV);
	perm(&g, 0x1000, AR | EXEC, &e); /* UXN */
	cr_assert(e.ind && e.rnw && !e.pnu);
	perm(&g, 0x2000, AR | EXEC | PRIV, &e); /* PXN */
	cr_assert(e.ind && e.pnu);
	ok(&g, 0x2000, AR | EXEC);
	/* unprivileged-writable is never privileged-executable */
	ok(&g, 0x3000, AR | EXEC);
	perm(&g, 0x3000, AR | EXEC | PRIV, NULL);
	/* UXNTable in the level-2 entry above */
	ok(&g, 0x204000, AR | EXEC);
	tbl = sg_tt_entry(&g, &d.t, 0x204000, 2);
	sg_wr64m(&g, tbl, sg_rd64m(&g, tbl) | D_UXNT);
	sg_inv_all(&g);
	perm(&g, 0x204000, AR | EXEC, NULL);
	ok(&g, 0x204000, AR | EXEC | PRIV);
	ok(&g, 0x204000, AR);
	sg_destroy(&g);
}

Test(perm, the_exec_attribute_means_nothing_on_writes)
{
	struct dev d;
	struct evt e;
	struct sg g;

	up(&g, NULL, &d);
	sg_tt_map(&g, &d.t, 0x1000, 3,
		  leaf(SG_DATA + 0x1000, 1, D_UXN | D_PXN));
	sg_tt_map(&g, &d.t, 0x2000, 3, leaf(SG_DATA + 0x2000, 3, 0));
	ok(&g, 0x1000, AW | EXEC);
	perm(&g, 0x2000, AW | EXEC, &e);
	cr_assert(!e.ind && !e.rnw, "writes are data");
	sg_destroy(&g);
}

Test(perm, wxn_and_pan)
{
	struct dev d;
	struct sg g;

	up(&g, NULL, &d);
	sg_tt_map(&g, &d.t, 0x1000, 3, leaf(SG_DATA + 0x1000, 0, 0));
	sg_tt_map(&g, &d.t, 0x2000, 3, leaf(SG_DATA + 0x2000, 2, 0));
	sg_tt_map(&g, &d.t, 0x3000, 3, leaf(SG_DATA + 0x3000, 1, 0));
	ok(&g, 0x1000, AR | EXEC | PRIV);
	ok(&g, 0x3000, AR | PRIV);
	d.c.wxn = true;
	xl_cd(&g, SID_A, d.cd, &d.c);
	perm(&g, 0x1000, AR | EXEC | PRIV, NULL); /* writable: no exec */
	ok(&g, 0x2000, AR | EXEC | PRIV);	  /* read-only */
	perm(&g, 0x3000, AR | EXEC, NULL);
	d.c.wxn = false;
	d.c.pan = true;
	xl_cd(&g, SID_A, d.cd, &d.c);
	perm(&g, 0x3000, AR | PRIV, NULL); /* unprivileged-accessible */
	perm(&g, 0x3000, AW | PRIV, NULL);
	ok(&g, 0x3000, AR);
	ok(&g, 0x1000, AR | PRIV);
	sg_destroy(&g);
}

Test(perm, privcfg_and_instcfg_override_the_request)
{
	struct ste s = {.v = true, .config = 5};
	struct dev d;
	struct evt e;
	struct sg g;

	up(&g, NULL, &d);
	sg_tt_map(&g, &d.t, 0x1000, 3, leaf(SG_DATA + 0x1000, 0, D_UXN));
	s.s1ctxptr = d.cd;
	s.privcfg = 3; /* privileged */
	sg_ste_set(&g, SID_A, &s);
	sg_inv_ste(&g, SID_A);
	ok(&g, 0x1000, AR);
	s.privcfg = 2; /* unprivileged */
	s.instcfg = 3; /* instruction */
	sg_ste_set(&g, SID_A, &s);
	sg_inv_ste(&g, SID_A);
	perm(&g, 0x1000, AR | PRIV, &e);
	cr_assert(!e.pnu && e.ind, "PnU, InD after the overrides");
	s.privcfg = 3;
	sg_ste_set(&g, SID_A, &s);
	sg_inv_ste(&g, SID_A);
	ok(&g, 0x1000, AR); /* priv fetch: UXN does not stop it */
	ok(&g, 0x1000, AW); /* writes stay data */
	s.privcfg = 2;
	s.instcfg = 2; /* data */
	sg_ste_set(&g, SID_A, &s);
	sg_inv_ste(&g, SID_A);
	perm(&g, 0x1000, AR | EXEC, &e);
	cr_assert(!e.ind && !e.pnu);
	sg_destroy(&g);
}

Test(perm, el2_stream_worlds)
{
	struct ste s = {.v = true, .config = 5, .strw = 2};
	struct dev d;
	struct sg g;

	up(&g, NULL, &d);
	sg_tt_map(&g, &d.t, 0x1000, 3, leaf(SG_DATA + 0x1000, 0, D_PXN));
	sg_tt_map(&g, &d.t, 0x2000, 3, leaf(SG_DATA + 0x2000, 2, D_UXN));
	s.s1ctxptr = d.cd;
	sg_ste_set(&g, SID_A, &s);
	sg_inv_ste(&g, SID_A);
	/* EL2 (CR2.E2H = 0): one privilege; bit 54 is XN, PXN is RES0 */
	ok(&g, 0x1000, AR);
	ok(&g, 0x1000, AW);
	ok(&g, 0x1000, AR | EXEC);
	perm(&g, 0x2000, AW | PRIV, NULL);
	perm(&g, 0x2000, AR | EXEC | PRIV, NULL);
	ok(&g, 0x2000, AR);
	/* EL2-E2H: two privileges again */
	sg_wr(&g, S_CR2, 4, CR2_E2H | CR2_RECINVSID);
	sg_inv_all(&g);
	perm(&g, 0x1000, AR, NULL);
	ok(&g, 0x1000, AR | PRIV);
	perm(&g, 0x1000, AR | EXEC | PRIV, NULL);
	sg_destroy(&g);
}

/*
 * CR2.E2H is read per request: a change moves an EL2 stream's next
 * request to the other world at once, with no invalidation, whatever the
 * thread's memo keeps of the stream (the plan of its plain requests
 * names the world it was made in).  No hints: every request reaches the
 * model, the later ones through the memo.
 */
Test(perm, a_cr2_e2h_change_moves_the_next_request_to_the_other_world)
{
	struct ste s = {.v = true, .config = 5, .strw = 2};
	struct dev d;
	struct sg g;

	sg_next_ctx_flags(IOMMU_CTX_NO_HINT);
	up(&g, NULL, &d);
	sg_tt_map(&g, &d.t, 0x1000, 3, leaf(SG_DATA + 0x1000, 0, 0));
	s.s1ctxptr = d.cd;
	sg_ste_set(&g, SID_A, &s);
	sg_inv_ste(&g, SID_A);
	/* EL2: one privilege, AP 0b00 reads */
	for (unsigned int i = 0; i < 3; i++)
		ok(&g, 0x1000, AR);
	/* EL2-E2H: an unprivileged read of a privileged-only page */
	sg_wr(&g, S_CR2, 4, CR2_E2H | CR2_RECINVSID | CR2_PTM);
	perm(&g, 0x1000, AR, NULL);
	perm(&g, 0x1000, AR, NULL);
	/* and back: the EL2 world's entry */
	sg_wr(&g, S_CR2, 4, CR2_RECINVSID | CR2_PTM);
	ok(&g, 0x1000, AR);
	sg_destroy(&g);
}

Test(perm, stage2_permissions_ignore_privilege)
{
	struct sg_tt t;
	struct evt e;
	struct sg g;

	sg_create(&g, NULL);
	sg_init(&g, true, 16);
	sg_s2_dev(&g, SID_B, 12, 48, 0, 2, &t);
	sg_tt_map(&g, &t, 0x1000, 3, s2_page(12, SG_DATA, true) & ~D_AP(2));
	sg_tt_map(&g, &t, 0x2000, 3, s2_page(12, SG_DATA, true) & ~D_AP(1));
	sg_tt_map(&g, &t, 0x3000, 3, s2_page(12, SG_DATA, true) | D_UXN);
	sg_tr_ok(&g, SID_B, NP, 0x1000, AR, SG_DATA);
	sg_tr_fault(&g, SID_B, NP, 0x1000, AW | PRIV, E_PERMISSION, &e);
	cr_assert(e.s2 && e.class == CL_IN && e.ipa == 0x1000 && e.pnu);
	sg_tr_ok(&g, SID_B, NP, 0x2000, AW, SG_DATA); /* write-only */
	sg_tr_fault(&g, SID_B, NP, 0x2000, AR | PRIV, E_PERMISSION, NULL);
	sg_tr_ok(&g, SID_B, NP, 0x3000, AR | PRIV, SG_DATA);
	sg_tr_fault(&g, SID_B, NP, 0x3000, AR | EXEC | PRIV, E_PERMISSION, &e);
	cr_assert(e.ind && e.s2);
	sg_destroy(&g);
}

Test(perm, ats_translated_requests)
{
	struct ste s = {.v = true, .config = 4};
	struct dev d;
	struct evt e;
	struct sg g;

	up(&g, NULL, &d);
	/* ATSCHK = 0: translated traffic passes with no STE lookup */
	sg_tr_ok(&g, SID_C, NP, 0x123000, AW | IOMMU_ACCESS_TRANSLATED,
		 0x123000);
	sg_cr0(&g, CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN | CR0_ATSCHK);
	sg_tr_fault(&g, SID_C, NP, 0x123000, AR | IOMMU_ACCESS_TRANSLATED,
		    E_BAD_STE, NULL);
	sg_ste_set(&g, SID_C, &s); /* bypass: EATS effectively 0 */
	sg_tr_fault(&g, SID_C, 5, 0x123000, AR | IOMMU_ACCESS_TRANSLATED,
		    E_TRANSL_FORBIDDEN, &e);
	cr_assert(e.rnw && e.addr == 0x123000 && !e.ssv, "RnW, addr only");
	sg_tr_fault(&g, SID_A, NP, 0x5000, AW | IOMMU_ACCESS_TRANSLATED,
		    E_TRANSL_FORBIDDEN, NULL); /* EATS 0 */
	s.config = 5;
	s.s1ctxptr = d.cd;
	s.eats = 1;
	sg_ste_set(&g, SID_A, &s);
	sg_inv_ste(&g, SID_A);
	sg_tr_ok(&g, SID_A, NP, 0x5000, AW | IOMMU_ACCESS_TRANSLATED, 0x5000);
	sg_tr_fault(&g, SID_A, NP, 0x5000, AW, E_TRANSLATION, NULL);
	sg_destroy(&g);
	/* without ATS a translated request is unsupported */
	up(&g, "ats = no\n", &d);
	sg_tr_fault(&g, SID_A, 3, 0x7000, AW | IOMMU_ACCESS_TRANSLATED, E_UUT,
		    &e);
	cr_assert(e.ssv && e.ssid == 3 && !e.rnw && e.addr == 0x7000);
	sg_destroy(&g);
}
