// SPDX-License-Identifier: MIT
/*
 * test_cmds.c - every invalidation command with the scope of sheet 9.2:
 * a changed STE, CD or leaf stays in use (stale) until the right command
 * removes it, and a command of another scope leaves it; TLB tags of 9.1
 * (ASID, VMID, nG, stream world; never the StreamID); range invalidation
 * (TG, NUM, SCALE, TTL; TV8); ATC_INV and PREFETCH_* as accepted no-ops.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "xl.h"

#define D(n) (SG_DATA + 0x10000 * (n))

struct s1 {
	struct sg_tt t;
	uint64_t cd;
	struct cd c;
};

/* Stage-1 device @sid: ASID @asid, VMID @vmid, 0x1000 -> D(0). */
static void dev(struct sg *g, uint32_t sid, unsigned int asid,
		unsigned int vmid, struct s1 *d)
{
	struct ste s = {.v = true, .config = 5};

	xl_s1(g, sid, 12, 16, 5, &d->t, &d->c, &d->cd);
	d->c.asid = asid;
	xl_cd(g, sid, d->cd, &d->c);
	s.s1ctxptr = d->cd;
	s.vmid = vmid;
	sg_ste_set(g, sid, &s);
	sg_inv_ste(g, sid);
	sg_tt_map(g, &d->t, 0x1000, 3, s1_page(12, D(0), true));
}

/* Point @va's leaf at @pa, no invalidation. */
static void remap(struct sg *g, const struct sg_tt *t, uint64_t va, uint64_t pa)
{
	sg_wr64m(g, sg_tt_entry(g, t, va, 3), s1_page(t->g, pa, true));
}

static void up(struct sg *g, const char *ini)
{
	sg_create(g, ini);
	sg_init(g, true, 16);
}

Test(cmds, cfgi_ste_removes_a_stale_ste)
{
	struct ste s = {.v = true, .config = 4};
	uint64_t q[2];
	struct sg g;

	up(&g, NULL);
	sg_ste_set(&g, SID_C, &s);
	sg_tr_ok(&g, SID_C, NP, 0x1000, AR, 0x1000);
	s.config = 0;
	sg_ste_set(&g, SID_C, &s);
	sg_tr_ok(&g, SID_C, NP, 0x1000, AR, 0x1000); /* stale */
	cmd_cfgi_ste(q, SID_B, true);
	sg_run(&g, q);
	sg_tr_ok(&g, SID_C, NP, 0x1000, AR, 0x1000); /* another SID */
	cmd_cfgi_ste(q, SID_C, false);		     /* Leaf = 0 works too */
	sg_run(&g, q);
	sg_tr_fault(&g, SID_C, NP, 0x1000, AR, 0, NULL); /* abort */
	sg_destroy(&g);
}

Test(cmds, cfgi_ste_range_covers_aligned_sids)
{
	struct ste s = {.v = true, .config = 4};
	uint64_t q[2];
	struct sg g;

	up(&g, NULL);
	sg_ste_set(&g, SID_A, &s);
	sg_ste_set(&g, SID_B, &s);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, 0x1000);
	sg_tr_ok(&g, SID_B, NP, 0x1000, AR, 0x1000);
	s.config = 0;
	sg_ste_set(&g, SID_A, &s);
	sg_ste_set(&g, SID_B, &s);
	cmd_cfgi_ste_range(q, 0x18, 2); /* 0x18..0x1f */
	sg_run(&g, q);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, 0x1000);
	cmd_cfgi_ste_range(q, 0x11, 0); /* 0x10..0x11 */
	sg_run(&g, q);
	sg_tr_fault(&g, SID_A, NP, 0x1000, AR, 0, NULL);
	sg_tr_fault(&g, SID_B, NP, 0x1000, AR, 0, NULL);
	sg_destroy(&g);
}

Test(cmds, cfgi_all_removes_every_ste_and_cd)
{
	struct s1 a;
	uint64_t q[2];
	struct sg g;

	up(&g, NULL);
	dev(&g, SID_A, 1, 0, &a);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(0));
	a.c.v = false;
	{
		uint64_t dw[8];

		enc_cd(dw, &a.c);
		sg_wrn(&g, a.cd, dw, 8);
	}
	cmd_tlbi_nh_all(q, 0);
	sg_run(&g, q);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(0)); /* cached CD walks again */
	cmd_cfgi_all(q);
	sg_run(&g, q);
	sg_tr_fault(&g, SID_A, NP, 0x1000, AR, E_BAD_CD, NULL);
	sg_destroy(&g);
}

Test(cmds, cfgi_cd_removes_the_cd_but_not_the_tlb)
{
	struct sg_tt t2;
	uint64_t q[2], dw[8];
	struct s1 a;
	struct sg g;

	up(&g, NULL);
	dev(&g, SID_A, 1, 0, &a);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(0));
	sg_tt_new(&g, &t2, 12, 48, 0);
	sg_tt_map(&g, &t2, 0x1000, 3, s1_page(12, D(1), true));
	a.c.ttb0 = t2.root;
	enc_cd(dw, &a.c);
	sg_wrn(&g, a.cd, dw, 8);
	cmd_tlbi_nh_all(q, 0);
	sg_run(&g, q);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(0)); /* CD still cached */
	cmd_cfgi_cd(q, SID_A, 0, true);
	sg_run(&g, q);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(0)); /* TLB, same ASID */
	cmd_tlbi_nh_asid(q, 0, 1);
	sg_run(&g, q);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(1));
	sg_destroy(&g);
}

Test(cmds, cfgi_cd_all_removes_every_cd_of_the_sid)
{
	struct ste s = {.v = true, .config = 5, .s1cdmax = 2};
	uint64_t tab, q[2], dw[8];
	struct sg_tt t;
	struct cd c;
	struct sg g;

	up(&g, NULL);
	sg_tt_new(&g, &t, 12, 48, 0);
	sg_tt_map(&g, &t, 0x1000, 3, s1_page(12, D(2), true));
	tab = sg_alloc(&g, 4 * 64);
	for (unsigned int k = 1; k < 4; k++) {
		cd_linux(&c, 16, 0, 5, 10 + k, t.root);
		enc_cd(dw, &c);
		sg_wrn(&g, tab + 64 * k, dw, 8);
	}
	s.s1ctxptr = tab;
	sg_ste_set(&g, SID_E, &s);
	sg_tr_ok(&g, SID_E, 1, 0x1000, AR, D(2));
	sg_tr_ok(&g, SID_E, 3, 0x1000, AR, D(2));
	memset(dw, 0, sizeof(dw));
	sg_wrn(&g, tab + 64, dw, 8);
	sg_wrn(&g, tab + 192, dw, 8);
	cmd_cfgi_cd(q, SID_E, 2, true); /* another CD */
	sg_run(&g, q);
	sg_tr_ok(&g, SID_E, 1, 0x1000, AR, D(2));
	cmd_cfgi_cd_all(q, SID_E);
	sg_run(&g, q);
	sg_tr_fault(&g, SID_E, 1, 0x1000, AR, E_BAD_CD, NULL);
	sg_tr_fault(&g, SID_E, 3, 0x1000, AR, E_BAD_CD, NULL);
	sg_destroy(&g);
}

Test(cmds, tlb_is_shared_by_streams_of_one_asid)
{
	struct s1 a, c;
	uint64_t q[2];
	struct sg g;

	up(&g, NULL);
	dev(&g, SID_A, 1, 0, &a);
	dev(&g, SID_C, 1, 0, &c);
	remap(&g, &c.t, 0x1000, D(5));
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(0));
	/* SID_C's own tables say D(5); the entry of ASID 1 answers */
	sg_tr_ok(&g, SID_C, NP, 0x1000, AR, D(0));
	cmd_tlbi_nh_asid(q, 0, 1);
	sg_run(&g, q);
	sg_tr_ok(&g, SID_C, NP, 0x1000, AR, D(5));
	sg_destroy(&g);
}

Test(cmds, tlbi_nh_va_removes_one_page_of_one_asid)
{
	struct s1 a, b;
	uint64_t q[2];
	struct sg g;

	up(&g, NULL);
	dev(&g, SID_A, 1, 0, &a);
	dev(&g, SID_B, 2, 0, &b);
	sg_tt_map(&g, &a.t, 0x2000, 3, s1_page(12, D(0) + 0x1000, true));
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(0));
	sg_tr_ok(&g, SID_A, NP, 0x2000, AR, D(0) + 0x1000);
	sg_tr_ok(&g, SID_B, NP, 0x1000, AR, D(0));
	remap(&g, &a.t, 0x1000, D(1));
	remap(&g, &a.t, 0x2000, D(2));
	remap(&g, &b.t, 0x1000, D(3));
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(0)); /* stale */
	cmd_tlbi_nh_va(q, 0, 1, 0x1ABC, true);	   /* unaligned VA is fine */
	sg_run(&g, q);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(1));
	sg_tr_ok(&g, SID_A, NP, 0x2000, AR, D(0) + 0x1000);
	sg_tr_ok(&g, SID_B, NP, 0x1000, AR, D(0)); /* ASID 2 kept */
	cmd_tlbi_nh_va(q, 0, 2, 0x1000, false);
	sg_run(&g, q);
	sg_tr_ok(&g, SID_B, NP, 0x1000, AR, D(3));
	sg_destroy(&g);
}

Test(cmds, global_entries_match_any_asid)
{
	struct s1 a;
	uint64_t q[2];
	struct sg g;

	up(&g, NULL);
	dev(&g, SID_A, 1, 0, &a);
	cmd_tlbi_nh_asid(q, 0, 1); /* ASID 1's scope moved on before */
	sg_run(&g, q);
	/* nG = 0 */
	sg_wr64m(&g, sg_tt_entry(&g, &a.t, 0x1000, 3),
		 s1_page(12, D(0), true) & ~D_NG);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(0));
	sg_wr64m(&g, sg_tt_entry(&g, &a.t, 0x1000, 3),
		 s1_page(12, D(4), true) & ~D_NG);
	cmd_tlbi_nh_asid(q, 0, 1); /* non-global entries only */
	sg_run(&g, q);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(0));
	cmd_tlbi_nh_va(q, 0, 77, 0x1000, true); /* any ASID */
	sg_run(&g, q);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(4));
	sg_destroy(&g);
}

Test(cmds, tlbi_nh_vaa_ignores_the_asid)
{
	struct s1 a, b;
	uint64_t q[2];
	struct sg g;

	up(&g, NULL);
	dev(&g, SID_A, 1, 0, &a);
	dev(&g, SID_B, 2, 0, &b);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(0));
	sg_tr_ok(&g, SID_B, NP, 0x1000, AR, D(0));
	remap(&g, &a.t, 0x1000, D(1));
	remap(&g, &b.t, 0x1000, D(2));
	cmd_tlbi_va(q, OP_TLBI_NH_VAA, 0, 0, 0x1000, true, 0, 0, 0, 0);
	sg_run(&g, q);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(1));
	sg_tr_ok(&g, SID_B, NP, 0x1000, AR, D(2));
	sg_destroy(&g);
}

Test(cmds, tlbi_nh_all_is_scoped_by_vmid)
{
	struct s1 a, b;
	uint64_t q[2];
	struct sg g;

	up(&g, NULL);
	dev(&g, SID_A, 1, 5, &a); /* stage-1-only entries carry the VMID */
	dev(&g, SID_B, 1, 6, &b);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(0));
	sg_tr_ok(&g, SID_B, NP, 0x1000, AR, D(0));
	remap(&g, &a.t, 0x1000, D(1));
	remap(&g, &b.t, 0x1000, D(2));
	cmd_tlbi_nh_all(q, 6);
	sg_run(&g, q);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(0));
	sg_tr_ok(&g, SID_B, NP, 0x1000, AR, D(2));
	cmd_tlbi_nsnh_all(q);
	sg_run(&g, q);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(1));
	sg_destroy(&g);
}

Test(cmds, tlbi_s2_ipa_and_s12_vmall)
{
	struct sg_tt t, s1, s2;
	struct ste st;
	uint64_t q[2];
	struct sg g;

	up(&g, NULL);
	sg_s2_dev(&g, SID_B, 12, 48, 0, 7, &t);
	sg_tt_map(&g, &t, 0x3000, 3, s2_page(12, D(0), true));
	sg_tr_ok(&g, SID_B, NP, 0x3000, AR, D(0));
	sg_wr64m(&g, sg_tt_entry(&g, &t, 0x3000, 3), s2_page(12, D(1), true));
	cmd_tlbi_s2_ipa(q, 6, 0x3000, true); /* another VMID */
	sg_run(&g, q);
	sg_tr_ok(&g, SID_B, NP, 0x3000, AR, D(0));
	cmd_tlbi_s2_ipa(q, 7, 0x3000, true);
	sg_run(&g, q);
	sg_tr_ok(&g, SID_B, NP, 0x3000, AR, D(1));
	/* a nested (combined) entry of VMID 7 */
	xl_nested(&g, SID_A, &s1, &s2, &st);
	sg_tt_map(&g, &s1, 0x1000, 3, s1_page(12, XL_IPA, true));
	sg_tt_map(&g, &s2, XL_IPA, 3, s2_page(12, D(2), true));
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(2));
	sg_wr64m(&g, sg_tt_entry(&g, &s2, XL_IPA, 3), s2_page(12, D(3), true));
	cmd_tlbi_s2_ipa(q, 7, XL_IPA, true); /* not required to (9.2) */
	sg_run(&g, q);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(2));
	cmd_tlbi_s12_vmall(q, 7);
	sg_run(&g, q);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(3));
	sg_destroy(&g);
}

Test(cmds, el2_entries_and_the_el2_commands)
{
	struct ste s = {.v = true, .config = 5, .strw = 2};
	struct s1 a, b;
	uint64_t q[2];
	struct sg g;

	up(&g, NULL);
	dev(&g, SID_A, 1, 0, &a);
	s.s1ctxptr = a.cd;
	sg_ste_set(&g, SID_A, &s);
	sg_inv_ste(&g, SID_A);
	dev(&g, SID_B, 1, 0, &b); /* NS-EL1, same ASID */
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(0));
	sg_tr_ok(&g, SID_B, NP, 0x1000, AR, D(0));
	remap(&g, &a.t, 0x1000, D(1));
	remap(&g, &b.t, 0x1000, D(2));
	cmd_tlbi_nh_all(q, 0); /* NS-EL1 only */
	sg_run(&g, q);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(0));
	sg_tr_ok(&g, SID_B, NP, 0x1000, AR, D(2));
	cmd_tlbi_va(q, OP_TLBI_EL2_VA, 0, 9, 0x1000, true, 0, 0, 0, 0);
	sg_run(&g, q); /* E2H = 0: the ASID is ignored */
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(1));
	remap(&g, &a.t, 0x1000, D(3));
	q[0] = OP_TLBI_EL2_ASID | 1ull << 48; /* EL2-E2H entries only */
	q[1] = 0;
	sg_run(&g, q);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(1));
	q[0] = OP_TLBI_EL2_ALL;
	sg_run(&g, q);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(3));
	sg_destroy(&g);
}

Test(cmds, range_invalidation_tv8_leaves_page_33)
{
	uint64_t r[4][3], q[2];
	unsigned int n;
	struct s1 a;
	struct sg g;

	up(&g, NULL);
	dev(&g, SID_A, 1, 0, &a);
	for (unsigned int i = 0; i < 34; i++) {
		sg_tt_map(&g, &a.t, 0x100000 + 0x1000 * i, 3,
			  s1_page(12, D(0) + 0x1000 * i, true));
		sg_tr_ok(&g, SID_A, NP, 0x100000 + 0x1000 * i, AR,
			 D(0) + 0x1000 * i);
		remap(&g, &a.t, 0x100000 + 0x1000 * i, D(1) + 0x1000 * i);
	}
	n = tlbi_range_split(0x100000, 33, 12, r, 4);
	for (unsigned int i = 0; i < n; i++) {
		cmd_tlbi_va(q, OP_TLBI_NH_VA, 0, 1, r[i][0], true, 1, 3,
			    (unsigned int)r[i][2], (unsigned int)r[i][1]);
		sg_run(&g, q);
	}
	for (unsigned int i = 0; i < 33; i++)
		sg_tr_ok(&g, SID_A, NP, 0x100000 + 0x1000 * i, AR,
			 D(1) + 0x1000 * i);
	sg_tr_ok(&g, SID_A, NP, 0x100000 + 0x1000 * 33, AR, D(0) + 0x1000 * 33);
	sg_destroy(&g);
}

Test(cmds, range_ttl_names_the_leaf_level)
{
	uint64_t q[2];
	struct s1 a;
	struct sg g;

	up(&g, NULL);
	dev(&g, SID_A, 1, 0, &a);
	sg_tt_map(&g, &a.t, 0x200000, 2, s1_page(12, SG_DATA, false));
	sg_tr_ok(&g, SID_A, NP, 0x200000, AR, SG_DATA);
	sg_tt_map(&g, &a.t, 0x200000, 2,
		  s1_page(12, SG_DATA + 0x200000, false));
	/* TV8: one 2 MiB block = SCALE 9, NUM 0 of 4K; TTL 3 misses it */
	cmd_tlbi_va(q, OP_TLBI_NH_VA, 0, 1, 0x200000, true, 1, 3, 0, 9);
	sg_run(&g, q);
	sg_tr_ok(&g, SID_A, NP, 0x200000, AR, SG_DATA);
	cmd_tlbi_va(q, OP_TLBI_NH_VA, 0, 1, 0x200000, true, 1, 2, 0, 9);
	sg_run(&g, q);
	sg_tr_ok(&g, SID_A, NP, 0x200000, AR, SG_DATA + 0x200000);
	/* 16K TTL 1 (no DS) is no hint: acts as TTL 0 */
	sg_tt_map(&g, &a.t, 0x200000, 2, s1_page(12, SG_DATA, false));
	cmd_tlbi_va(q, OP_TLBI_NH_VA, 0, 1, 0x200000, true, 2, 1, 0, 0);
	sg_run(&g, q);
	sg_tr_ok(&g, SID_A, NP, 0x200000, AR, SG_DATA);
	sg_destroy(&g);
}

Test(cmds, range_of_the_largest_size_removes_everything)
{
	uint64_t q[2];
	struct s1 a;
	struct sg g;

	up(&g, NULL);
	dev(&g, SID_A, 1, 0, &a);
	sg_tt_map(&g, &a.t, 0x7F0000000000ull, 3, s1_page(12, D(0), true));
	sg_tr_ok(&g, SID_A, NP, 0x7F0000000000ull, AR, D(0));
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(0));
	remap(&g, &a.t, 0x7F0000000000ull, D(1));
	remap(&g, &a.t, 0x1000, D(2));
	/* 32 * 2^31 64K granules from 0 (to 2^52, clipped at 2^64) */
	cmd_tlbi_va(q, OP_TLBI_NH_VA, 0, 1, 0, false, 3, 0, 31, 31);
	sg_run(&g, q);
	sg_tr_ok(&g, SID_A, NP, 0x7F0000000000ull, AR, D(1));
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(2));
	sg_destroy(&g);
}

Test(cmds, atc_inv_and_prefetch_are_accepted)
{
	uint64_t q[2], before;
	struct sg g;

	up(&g, NULL);
	before = sg_stat(&g, IOMMU_STAT_INVAL_CMDS);
	q[0] = OP_ATC_INV | 1ull << 11 | 5ull << 12 | (uint64_t)SID_A << 32;
	q[1] = 52; /* everything */
	sg_run(&g, q);
	cr_assert_eq(sg_stat(&g, IOMMU_STAT_INVAL_CMDS), before + 1);
	q[0] = OP_PREFETCH_CFG | (uint64_t)SID_A << 32;
	q[1] = 0;
	sg_run(&g, q);
	q[0] = OP_PREFETCH_ADDR | (uint64_t)SID_A << 32;
	q[1] = 0x12345000 | 3;
	sg_run(&g, q);
	cr_assert_eq(sg_stat(&g, IOMMU_STAT_INVAL_CMDS), before + 1,
		     "prefetches are hints");
	sg_destroy(&g);
}

Test(cmds, whole_scope_invalidations_keep_other_scopes)
{
	struct ste el2 = {.v = true, .config = 5, .strw = 2};
	struct s1 a, b, e;
	struct sg_tt t;
	uint64_t q[2];
	struct sg g;

	up(&g, NULL);
	dev(&g, SID_A, 1, 7, &a); /* stage 1, VMID 7 */
	dev(&g, SID_C, 1, 8, &b); /* stage 1, VMID 8 */
	dev(&g, SID_D, 1, 0, &e); /* EL2 world */
	el2.s1ctxptr = e.cd;
	sg_ste_set(&g, SID_D, &el2);
	sg_inv_ste(&g, SID_D);
	sg_s2_dev(&g, SID_B, 12, 48, 0, 7, &t); /* stage 2, VMID 7 */
	sg_tt_map(&g, &t, 0x1000, 3, s2_page(12, D(0), true));
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(0));
	sg_tr_ok(&g, SID_B, NP, 0x1000, AR, D(0));
	sg_tr_ok(&g, SID_C, NP, 0x1000, AR, D(0));
	sg_tr_ok(&g, SID_D, NP, 0x1000, AR, D(0));
	remap(&g, &a.t, 0x1000, D(1));
	sg_wr64m(&g, sg_tt_entry(&g, &t, 0x1000, 3), s2_page(12, D(2), true));
	remap(&g, &b.t, 0x1000, D(3));
	remap(&g, &e.t, 0x1000, D(4));
	cmd_tlbi_nh_all(q, 7); /* stage-1 entries of VMID 7 only */
	sg_run(&g, q);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(1));
	sg_tr_ok(&g, SID_B, NP, 0x1000, AR, D(0));
	sg_tr_ok(&g, SID_C, NP, 0x1000, AR, D(0));
	cmd_tlbi_nh_asid(q, 8, 2); /* another ASID */
	sg_run(&g, q);
	sg_tr_ok(&g, SID_C, NP, 0x1000, AR, D(0));
	cmd_tlbi_s12_vmall(q, 7); /* every stage of VMID 7 */
	sg_run(&g, q);
	sg_tr_ok(&g, SID_B, NP, 0x1000, AR, D(2));
	sg_tr_ok(&g, SID_C, NP, 0x1000, AR, D(0));
	cmd_tlbi_nsnh_all(q); /* every NS-EL1 entry, no EL2 one */
	sg_run(&g, q);
	sg_tr_ok(&g, SID_C, NP, 0x1000, AR, D(3));
	sg_tr_ok(&g, SID_D, NP, 0x1000, AR, D(0));
	sg_destroy(&g);
}

/*
 * TLBI_S12_VMALL removes every entry of its VMID, stage 1 and stage 2
 * alike (the TLB drops both of the VMID's tags), and nothing of another
 * VMID or of the EL2 world; TLBI_NH_ALL of the VMID, before it, keeps the
 * stage-2 entry.
 */
Test(cmds, tlbi_s12_vmall_removes_both_stages_of_its_vmid_only)
{
	struct ste el2 = {.v = true, .config = 5, .strw = 2};
	struct s1 a, c, e;
	struct sg_tt t;
	uint64_t q[2];
	struct sg g;

	up(&g, NULL);
	dev(&g, SID_A, 1, 7, &a); /* stage 1, VMID 7 */
	dev(&g, SID_C, 1, 8, &c); /* stage 1, VMID 8, same ASID */
	dev(&g, SID_D, 1, 0, &e); /* EL2 world */
	el2.s1ctxptr = e.cd;
	sg_ste_set(&g, SID_D, &el2);
	sg_inv_ste(&g, SID_D);
	sg_s2_dev(&g, SID_B, 12, 48, 0, 7, &t); /* stage 2, VMID 7 */
	sg_tt_map(&g, &t, 0x1000, 3, s2_page(12, D(0), true));
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(0));
	sg_tr_ok(&g, SID_B, NP, 0x1000, AR, D(0));
	sg_tr_ok(&g, SID_C, NP, 0x1000, AR, D(0));
	sg_tr_ok(&g, SID_D, NP, 0x1000, AR, D(0));
	sg_wr64m(&g, sg_tt_entry(&g, &t, 0x1000, 3), s2_page(12, D(2), true));
	cmd_tlbi_nh_all(q, 7); /* stage 1 of VMID 7: not the stage-2 entry */
	sg_run(&g, q);
	sg_tr_ok(&g, SID_B, NP, 0x1000, AR, D(0));
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(0)); /* walked again */
	remap(&g, &a.t, 0x1000, D(1));
	remap(&g, &c.t, 0x1000, D(3));
	remap(&g, &e.t, 0x1000, D(4));
	cmd_tlbi_s12_vmall(q, 7);
	sg_run(&g, q);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, D(1));
	sg_tr_ok(&g, SID_B, NP, 0x1000, AR, D(2));
	sg_tr_ok(&g, SID_C, NP, 0x1000, AR, D(0));
	sg_tr_ok(&g, SID_D, NP, 0x1000, AR, D(0));
	sg_destroy(&g);
}
