// SPDX-License-Identifier: MIT
/*
 * test_evtq.c - the event queue (sheet 6.1, 7.2): records at PROD, the
 * overflow flag and its acknowledgement, a disabled queue, a record that
 * cannot be written (GERROR.EVENTQ_ABT_ERR), the event and GERROR
 * interrupts as wired vectors or MSIs, a fault storm that loses records
 * without growing; the event priority of 6.5; and the caches evicting
 * one entry at a time while the others stay stale.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "xl.h"

#define OVF (1u << 31)

/* SID_A stage 1 with nothing mapped: every DMA is F_TRANSLATION. */
static void up(struct sg *g, const char *ini, unsigned int eq_log2)
{
	struct sg_tt t;
	struct cd c;
	uint64_t cd;

	sg_create(g, ini);
	sg_init_q(g, false, 13, 8, eq_log2);
	xl_s1(g, SID_A, 12, 16, 5, &t, &c, &cd);
}

static void faults(struct sg *g, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		cr_assert_eq(sg_tr(g, SID_A, NP, 0x1000ull * i, AR, NULL),
			     -EFAULT);
}

Test(evtq, overflow_toggles_ovflg_until_acknowledged)
{
	uint64_t lost;
	struct evt e;
	struct sg g;

	up(&g, NULL, 1); /* two records */
	faults(&g, 2);
	cr_assert_eq(sg_rd32(&g, S_EVTQ_PROD), 0x2, "full, no overflow yet");
	lost = sg_stat(&g, IOMMU_STAT_FAULTS_LOST);
	faults(&g, 3);
	cr_assert_eq(sg_rd32(&g, S_EVTQ_PROD), 0x2 | OVF, "OVFLG toggled once");
	cr_assert_eq(sg_stat(&g, IOMMU_STAT_FAULTS_LOST) - lost, 3);
	/* the two records that fit are the first two */
	cr_assert(sg_evt_pop(&g, &e));
	cr_assert_eq(e.addr, 0);
	cr_assert(sg_evt_pop(&g, &e));
	cr_assert_eq(e.addr, 0x1000);
	faults(&g, 3); /* 2 written, 1 lost; OVFLG != OVACKFLG: no toggle */
	cr_assert_eq(sg_rd32(&g, S_EVTQ_PROD) & OVF, OVF);
	sg_evt_drain(&g);
	sg_wr(&g, S_EVTQ_CONS, 4, g.eq_cons | OVF); /* acknowledge */
	faults(&g, 3);
	cr_assert_eq(sg_rd32(&g, S_EVTQ_PROD) & OVF, 0, "toggled again");
	cr_assert_eq(sg_stat(&g, IOMMU_STAT_FAULTS), 6);
	sg_destroy(&g);
}

Test(evtq, records_wrap_around_the_queue)
{
	struct evt e;
	struct sg g;

	up(&g, NULL, 1);
	for (unsigned int i = 0; i < 7; i++) {
		faults(&g, 1);
		sg_evt_one(&g, &e);
		cr_assert_eq(e.id, E_TRANSLATION);
	}
	cr_assert_eq(sg_rd32(&g, S_EVTQ_PROD), 0x3, "index 1, wrap flag 1");
	sg_destroy(&g);
}

Test(evtq, a_disabled_queue_drops_without_overflow)
{
	struct sg g;

	up(&g, NULL, 1);
	sg_cr0(&g, CR0_CMDQEN | CR0_SMMUEN);
	faults(&g, 5);
	cr_assert_eq(sg_rd32(&g, S_EVTQ_PROD), 0);
	cr_assert_eq(sg_stat(&g, IOMMU_STAT_FAULTS_LOST), 5);
	cr_assert_eq(g.irqs[V_EVTQ], 0);
	sg_cr0(&g, CR0_CMDQEN | CR0_SMMUEN | CR0_EVENTQEN);
	faults(&g, 1);
	sg_evt_one(&g, NULL);
	sg_destroy(&g);
}

Test(evtq, a_record_write_abort_sets_eventq_abt_err)
{
	struct sg g;

	up(&g, NULL, 3);
	sg_cr0(&g, CR0_CMDQEN | CR0_SMMUEN);
	sg_wr(&g, S_EVTQ_BASE, 8, enc_q_base(SG_UNBACKED, 3, true));
	sg_cr0(&g, CR0_CMDQEN | CR0_SMMUEN | CR0_EVENTQEN);
	faults(&g, 1);
	cr_assert_eq((sg_rd32(&g, S_GERROR) ^ sg_rd32(&g, S_GERRORN)) &
			 GE_EVTQ_ABT,
		     GE_EVTQ_ABT);
	cr_assert_eq(g.irqs[V_GERROR], 1);
	cr_assert_eq(sg_rd32(&g, S_EVTQ_PROD), 0, "nothing written");
	faults(&g, 1); /* still active: no second interrupt */
	cr_assert_eq(g.irqs[V_GERROR], 1);
	cr_assert_eq(sg_stat(&g, IOMMU_STAT_FAULTS_LOST), 2);
	sg_destroy(&g);
}

Test(evtq, event_interrupt_per_record_and_irqen)
{
	struct sg g;

	up(&g, NULL, 4);
	faults(&g, 3);
	cr_assert_eq(g.irqs[V_EVTQ], 3, "one per record (merged per call)");
	sg_wr(&g, S_IRQ_CTRL, 4, IRQ_GERROR);
	faults(&g, 2);
	cr_assert_eq(g.irqs[V_EVTQ], 3, "EVENTQ_IRQEN clear");
	cr_assert_eq(g.nmsi, 0);
	sg_destroy(&g);
}

Test(evtq, msis_replace_the_wired_interrupts)
{
	uint64_t q[2] = {0x00, 0};
	struct sg g;

	up(&g, NULL, 4);
	sg_wr(&g, S_EVTQ_CFG0, 8, 0xFEE01000);
	sg_wr(&g, S_EVTQ_CFG1, 4, 0x41);
	sg_wr(&g, S_GERROR_CFG0, 8, 0xFEE02000);
	sg_wr(&g, S_GERROR_CFG1, 4, 0x42);
	faults(&g, 2);
	cr_assert_eq(g.irqs[V_EVTQ], 0);
	cr_assert_eq(g.nmsi, 2);
	cr_assert_eq(g.msi[1].dev, IOMMU_MSI_FROM_IOMMU);
	cr_assert_eq(g.msi[1].addr, 0xFEE01000);
	cr_assert_eq(g.msi[1].data, 0x41);
	sg_cmd(&g, q); /* CERROR_ILL: the GERROR MSI */
	cr_assert_eq(g.irqs[V_GERROR], 0);
	cr_assert_eq(g.nmsi, 3);
	cr_assert_eq(g.msi[2].addr, 0xFEE02000);
	cr_assert_eq(g.msi[2].data, 0x42);
	sg_destroy(&g);
	up(&g, "msi = no\n", 4);
	sg_wr(&g, S_EVTQ_CFG0, 8, 0xFEE01000); /* RAZ/WI */
	faults(&g, 1);
	cr_assert_eq(g.irqs[V_EVTQ], 1);
	cr_assert_eq(g.nmsi, 0);
	sg_destroy(&g);
}

Test(evtq, a_fault_storm_loses_records_and_grows_nothing)
{
	const unsigned int n = 20000;
	struct sg g;

	up(&g, NULL, 2);
	faults(&g, n);
	cr_assert_eq(sg_stat(&g, IOMMU_STAT_FAULTS), 4);
	cr_assert_eq(sg_stat(&g, IOMMU_STAT_FAULTS_LOST), n - 4);
	cr_assert_eq(sg_rd32(&g, S_EVTQ_PROD), 0x4 | OVF);
	sg_evt_drain(&g);
	sg_destroy(&g);
}

/* ---- priority (sheet 6.5) --------------------------------------------------
 */

Test(evtq, event_priority)
{
	struct ste s = {.v = false, .config = 5, .s1cdmax = 1};
	struct sg_tt t;
	struct cd c;
	uint64_t cd, a;
	struct sg g;

	sg_create(&g, NULL);
	sg_init(&g, false, 13);
	/* C_BAD_STE before any substream check */
	sg_ste_set(&g, SID_C, &s);
	sg_tr_fault(&g, SID_C, 9, 0x1000, AR, E_BAD_STE, NULL);
	/* C_BAD_SUBSTREAMID before the CD is read (it is not RAM) */
	s.v = true;
	s.s1ctxptr = SG_UNBACKED;
	sg_ste_set(&g, SID_C, &s);
	sg_tr_fault(&g, SID_C, 9, 0x1000, AR, E_BAD_SUBSTREAMID, NULL);
	/* F_STREAM_DISABLED before the CD fetch */
	sg_tr_fault(&g, SID_C, NP, 0x1000, AR, E_STREAM_DISABLED, NULL);
	sg_tr_fault(&g, SID_C, 1, 0x1000, AR, E_CD_FETCH, NULL);
	/* the TTB's range check before any walk (the root is not RAM) */
	xl_s1(&g, SID_A, 12, 16, 5, &t, &c, &cd);
	c.ttb0 = SG_UNBACKED;
	xl_cd(&g, SID_A, cd, &c);
	sg_tr_fault(&g, SID_A, NP, 1ull << 50, AR, E_TRANSLATION, NULL);
	sg_tr_fault(&g, SID_A, NP, 0x1000, AR, E_WALK_EABT, NULL);
	/* F_ACCESS before F_PERMISSION */
	c.ttb0 = t.root;
	xl_cd(&g, SID_A, cd, &c);
	a = sg_tt_map(&g, &t, 0x1000, 3,
		      (s1_page(12, SG_DATA, true) | D_AP(3)) & ~D_AF);
	sg_tr_fault(&g, SID_A, NP, 0x1000, AW, E_ACCESS, NULL);
	sg_wr64m(&g, a, s1_page(12, SG_DATA, true) | D_AP(3));
	sg_tr_fault(&g, SID_A, NP, 0x1000, AW, E_PERMISSION, NULL);
	sg_destroy(&g);
}

Test(evtq, cd_r_decides_whether_stage1_faults_are_recorded)
{
	struct sg_tt t;
	struct cd c;
	uint64_t cd;
	struct sg g;

	sg_create(&g, NULL);
	sg_init(&g, false, 13);
	xl_s1(&g, SID_A, 12, 16, 5, &t, &c, &cd);
	c.r = false;
	xl_cd(&g, SID_A, cd, &c);
	sg_tr_fault(&g, SID_A, NP, 0x1000, AR, 0, NULL); /* aborted, silent */
	c.ttb0 = SG_UNBACKED;
	xl_cd(&g, SID_A, cd, &c);
	sg_tr_fault(&g, SID_A, NP, 0x1000, AR, E_WALK_EABT, NULL); /* always */
	sg_destroy(&g);
}

/* ---- caches -----------------------------------------------------------------
 */

Test(cache, the_tlb_evicts_one_entry_at_a_time)
{
	struct sg_tt t;
	struct cd c;
	uint64_t cd;
	struct sg g;

	sg_next_ctx_flags(IOMMU_CTX_NO_HINT); /* the model's own TLB */
	sg_create(&g, "tlb_sets = 1\ntlb_ways = 2\n");
	sg_init(&g, false, 13);
	xl_s1(&g, SID_A, 12, 16, 5, &t, &c, &cd);
	for (unsigned int i = 1; i <= 3; i++)
		sg_tt_map(&g, &t, 0x1000 * i, 3,
			  s1_page(12, SG_DATA + 0x1000 * i, true));
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, SG_DATA + 0x1000);
	sg_tr_ok(&g, SID_A, NP, 0x2000, AR, SG_DATA + 0x2000);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, SG_DATA + 0x1000); /* MRU */
	sg_tr_ok(&g, SID_A, NP, 0x3000, AR, SG_DATA + 0x3000); /* evicts 2 */
	for (unsigned int i = 1; i <= 3; i++)
		sg_wr64m(&g, sg_tt_entry(&g, &t, 0x1000 * i, 3),
			 s1_page(12, SG_DATA + 0x10000 * i, true));
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, SG_DATA + 0x1000);	/* stale */
	sg_tr_ok(&g, SID_A, NP, 0x3000, AR, SG_DATA + 0x3000);	/* stale */
	sg_tr_ok(&g, SID_A, NP, 0x2000, AR, SG_DATA + 0x20000); /* walked */
	cr_assert(sg_stat(&g, IOMMU_STAT_IOTLB_HITS) >= 3);
	sg_destroy(&g);
}

Test(cache, the_config_cache_evicts_one_entry_at_a_time)
{
	struct ste s = {.v = true, .config = 4};
	struct sg g;

	sg_create(&g, "config_cache_entries = 2\n");
	sg_init(&g, false, 13);
	sg_ste_set(&g, SID_A, &s);
	sg_ste_set(&g, SID_B, &s);
	sg_ste_set(&g, SID_C, &s);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, 0x1000);
	sg_tr_ok(&g, SID_B, NP, 0x1000, AR, 0x1000);
	s.config = 0;
	sg_ste_set(&g, SID_A, &s);
	sg_ste_set(&g, SID_B, &s);
	sg_tr_ok(&g, SID_B, NP, 0x1000, AR, 0x1000);	 /* B most recent */
	sg_tr_ok(&g, SID_C, NP, 0x1000, AR, 0x1000);	 /* evicts A */
	sg_tr_fault(&g, SID_A, NP, 0x1000, AR, 0, NULL); /* read again */
	sg_destroy(&g);
}
