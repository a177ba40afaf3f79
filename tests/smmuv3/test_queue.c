// SPDX-License-Identifier: MIT
/*
 * test_queue.c - the command queue (sheet 5.1, 5.3, 5.6, 7.1): CMD_SYNC
 * completion by none, wired interrupt or MSI; CERROR_ILL for reserved
 * opcodes, commands of absent features, SSec and RES0 bits, bad range
 * encodings; CERROR_ABT; the queue stopped on the bad command until
 * GERRORN acknowledges, then resuming without a PROD write; index and
 * wrap arithmetic, one-entry and full queues, CMDQEN, bounded work.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "sg.h"

static void up(struct sg *g, const char *ini)
{
	sg_create(g, ini);
	sg_init(g, false, 13);
}

/* Submit @q (and a CMD_SYNC after it); expect CERROR @code on @q. */
#define ill(g, q, code) (SG_AT(g), ill_((g), (q), (code)))
static void ill_(struct sg *g, const uint64_t q[2], unsigned int code)
{
	uint32_t at = g->cq_prod, mask = (1u << g->cq_log2) - 1;
	uint64_t b[2][2];
	unsigned int err = 0;

	memcpy(b[0], q, sizeof(b[0]));
	cmd_sync(b[1], 0, 0, 0, 0, 0);
	sg_cmds(g, (const uint64_t(*)[2])b, 2);
	cr_assert(sg_cmdq_err(g, &err),
		  "%s:%d: command 0x%016llx 0x%016llx accepted", g->at_file,
		  g->at_line, U64(q[0]), U64(q[1]));
	cr_assert_eq(err, code, "%s:%d: CERROR %u, want %u", g->at_file,
		     g->at_line, err, code);
	cr_assert_eq(sg_rd32(g, S_CMDQ_CONS) & 0xfffff, at,
		     "%s:%d: CONS must stay on the bad command", g->at_file,
		     g->at_line);
	/* Linux's recovery: replace it with a CMD_SYNC, acknowledge */
	sg_wrn(g, SG_CMDQ + 16ull * (at & mask), b[1], 2);
	sg_wr(g, S_GERRORN, 4, sg_rd32(g, S_GERROR));
	cr_assert(!sg_cmdq_err(g, NULL));
	cr_assert_eq(sg_rd32(g, S_CMDQ_CONS), g->cq_prod,
		     "%s:%d: resumed without a PROD write, ERR cleared",
		     g->at_file, g->at_line);
}

Test(queue, cmd_sync_completion_none_irq_and_msi)
{
	uint64_t q[2], word;
	struct sg g;

	up(&g, NULL);
	cmd_sync(q, 0, 0, 0, 0, 0);
	sg_cmd(&g, q);
	cmd_sync(q, 2, 0, 0, 0, 0); /* SEV without IDR0.SEV: as none */
	sg_cmd(&g, q);
	cr_assert_eq(g.irqs[V_SYNC] + g.nmsi, 0);
	cmd_sync(q, 1, 3, 0xF, 0xAB, 0);
	sg_cmd(&g, q);
	cr_assert_eq(g.irqs[V_SYNC], 1, "MSIAddress 0: the wired interrupt");
	/* Linux's MSI polling address: the SYNC entry itself */
	cmd_sync(q, 1, 3, 0xF, 0, SG_CMDQ + 16ull * g.cq_prod);
	sg_cmd(&g, q);
	cr_assert_eq(g.nmsi, 1);
	cr_assert_eq(g.msi[0].dev, IOMMU_MSI_FROM_IOMMU);
	cr_assert_eq(g.msi[0].addr, SG_CMDQ + 16ull * (g.cq_prod - 1));
	cr_assert_eq(g.msi[0].data, 0);
	word = sg_rd64m(&g, SG_CMDQ + 16ull * (g.cq_prod - 1));
	cr_assert_eq(word, q[0], "an MSI never writes RAM (rule 12)");
	cr_assert_eq(g.irqs[V_SYNC], 1);
	cmd_sync(q, 3, 0, 0, 0, 0);
	ill(&g, q, CERR_ILL);
	sg_destroy(&g);
	up(&g, "msi = no\n");
	cmd_sync(q, 1, 3, 0xF, 7, 0x1000);
	sg_cmd(&g, q);
	cr_assert_eq(g.nmsi, 0);
	cr_assert_eq(g.irqs[V_SYNC], 1, "no MSIs: wired");
	sg_destroy(&g);
}

Test(queue, reserved_and_secure_opcodes_are_cerror_ill)
{
	static const unsigned int ops[] = {
	    0x00, 0x07, 0x08, 0x0B, 0x0F, 0x14, 0x17, 0x18, 0x1A, 0x1F, 0x24,
	    0x29, 0x2B, 0x31, 0x3F, 0x41, 0x42, 0x44, 0x45, 0x47, 0x50, 0x53,
	    0x58, 0x5A, 0x60, 0x70, 0x73, 0x80, 0x8F, 0x90, 0xFF};
	uint64_t q[2];
	struct sg g;

	up(&g, NULL);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		q[0] = ops[i];
		q[1] = 0;
		ill(&g, q, CERR_ILL);
	}
	sg_destroy(&g);
}

Test(queue, commands_of_absent_features_are_ill)
{
	uint64_t q[2] = {0, 0};
	struct sg g;

	up(&g, "stage2 = no\n");
	q[0] = OP_TLBI_S12_VMALL;
	ill(&g, q, CERR_ILL);
	q[0] = OP_TLBI_S2_IPA;
	ill(&g, q, CERR_ILL);
	q[0] = OP_TLBI_EL2_ALL; /* Hyp needs both stages */
	ill(&g, q, CERR_ILL);
	q[0] = OP_TLBI_NH_ALL;
	sg_run(&g, q);
	sg_destroy(&g);
	up(&g, "stage1 = no\n");
	for (unsigned int op = 0x10; op <= 0x13; op++) {
		q[0] = op;
		ill(&g, q, CERR_ILL);
	}
	cmd_cfgi_cd(q, SID_A, 0, true);
	ill(&g, q, CERR_ILL);
	cmd_cfgi_cd_all(q, SID_A);
	ill(&g, q, CERR_ILL);
	q[0] = OP_TLBI_S12_VMALL;
	q[1] = 0;
	sg_run(&g, q);
	sg_destroy(&g);
	up(&g, "ats = no\nhyp = no\n");
	q[0] = OP_ATC_INV;
	ill(&g, q, CERR_ILL);
	q[0] = OP_TLBI_EL2_VAA;
	ill(&g, q, CERR_ILL);
	sg_destroy(&g);
}

Test(queue, ssec_and_res0_bits_are_ill)
{
	uint64_t q[2];
	struct sg g;

	up(&g, NULL);
	cmd_cfgi_ste(q, SID_A, true);
	q[0] |= 1ull << 10; /* SSec on the Non-secure queue */
	ill(&g, q, CERR_ILL);
	cmd_cfgi_ste(q, SID_A, true);
	q[1] |= 1ull << 5;
	ill(&g, q, CERR_ILL);
	cmd_cfgi_cd(q, SID_A, 1, true);
	q[0] |= 1ull << 11; /* SSV is not a CFGI_CD field */
	ill(&g, q, CERR_ILL);
	cmd_tlbi_nh_all(q, 1);
	q[0] |= 1ull << 48; /* an ASID in NH_ALL */
	ill(&g, q, CERR_ILL);
	cmd_tlbi_nh_va(q, 1, 1, 0x1000, true);
	q[1] |= 1ull << 7; /* TTL128 */
	ill(&g, q, CERR_ILL);
	cmd_sync(q, 0, 0, 0, 0, 0);
	q[1] = 1; /* MSIAddress[1:0] */
	ill(&g, q, CERR_ILL);
	cmd_tlbi_s2_ipa(q, 1, 1ull << 52, true); /* IPA beyond bit 51 */
	ill(&g, q, CERR_ILL);
	sg_destroy(&g);
	up(&g, "asid16 = no\nvmid16 = no\n");
	cmd_tlbi_nh_asid(q, 0, 0x100);
	ill(&g, q, CERR_ILL);
	cmd_tlbi_nh_asid(q, 0x100, 1);
	ill(&g, q, CERR_ILL);
	cmd_tlbi_nh_asid(q, 0xff, 0xff);
	sg_run(&g, q);
	sg_destroy(&g);
}

Test(queue, range_encodings_that_are_ill)
{
	uint64_t q[2];
	struct sg g;

	up(&g, NULL);
	/* TG != 0 with NUM = SCALE = TTL = 0 is reserved (5.5) */
	cmd_tlbi_va(q, OP_TLBI_NH_VA, 0, 1, 0x1000, true, 1, 0, 0, 0);
	ill(&g, q, CERR_ILL);
	/* TG = 0: NUM, SCALE, TTL are RES0 */
	cmd_tlbi_va(q, OP_TLBI_NH_VAA, 0, 0, 0x1000, true, 0, 2, 0, 0);
	ill(&g, q, CERR_ILL);
	cmd_tlbi_va(q, OP_TLBI_S2_IPA, 0, 0, 0x1000, true, 0, 0, 1, 0);
	ill(&g, q, CERR_ILL);
	cmd_tlbi_va(q, OP_TLBI_NH_VA, 0, 1, 0x1000, true, 1, 0, 1, 0);
	sg_run(&g, q);
	sg_destroy(&g);
	up(&g, "range_invalidation = no\n");
	cmd_tlbi_va(q, OP_TLBI_NH_VA, 0, 1, 0x1000, true, 1, 3, 1, 0);
	ill(&g, q, CERR_ILL);
	cmd_tlbi_va(q, OP_TLBI_NH_VA, 0, 1, 0x1000, true, 0, 0, 0, 0);
	sg_run(&g, q);
	sg_destroy(&g);
}

Test(queue, cerror_abt_then_retry_and_recovery)
{
	uint64_t q[2];
	unsigned int err;
	struct sg g;

	up(&g, NULL);
	sg_cr0(&g, CR0_EVENTQEN | CR0_SMMUEN);
	sg_wr(&g, S_CMDQ_BASE, 8, enc_q_base(SG_UNBACKED, 4, true));
	sg_wr(&g, S_CMDQ_CONS, 4, 0);
	sg_wr(&g, S_CMDQ_PROD, 4, 0);
	sg_cr0(&g, CR0_EVENTQEN | CR0_SMMUEN | CR0_CMDQEN);
	sg_wr(&g, S_CMDQ_PROD, 4, 1);
	cr_assert(sg_cmdq_err(&g, &err));
	cr_assert_eq(err, CERR_ABT);
	cr_assert_eq(sg_rd32(&g, S_CMDQ_CONS) & 0xfffff, 0);
	/* acknowledged: it re-fetches, and aborts again */
	sg_wr(&g, S_GERRORN, 4, sg_rd32(&g, S_GERROR));
	cr_assert(sg_cmdq_err(&g, &err));
	cr_assert_eq(err, CERR_ABT);
	/* software moves the queue into RAM */
	sg_cr0(&g, CR0_EVENTQEN | CR0_SMMUEN);
	sg_wr(&g, S_CMDQ_BASE, 8, enc_q_base(SG_CMDQ, 4, true));
	sg_wr(&g, S_CMDQ_CONS, 4, 0);
	g.cq_log2 = 4;
	g.cq_prod = 0;
	sg_wr(&g, S_CMDQ_PROD, 4, 0);
	sg_wr(&g, S_GERRORN, 4, sg_rd32(&g, S_GERROR));
	sg_cr0(&g, CR0_EVENTQEN | CR0_SMMUEN | CR0_CMDQEN);
	cmd_cfgi_all(q);
	sg_run(&g, q);
	sg_destroy(&g);
}

/* A queue moved from RAM to other RAM while off is read at its new place:
 * entry 0 of the old place holds an illegal command, of the new one a
 * CMD_SYNC, so a model that kept the old place stops with CERROR_ILL. */
Test(queue, a_moved_queue_is_read_at_its_new_place)
{
	const uint64_t nq = SG_CMDQ + 0x8000;
	uint64_t q[2], bad[2] = {0xff, 0};
	unsigned int err;
	struct sg g;

	up(&g, NULL);
	cmd_cfgi_all(q);
	sg_run(&g, q); /* the queue at SG_CMDQ has run */
	sg_cr0(&g, CR0_EVENTQEN | CR0_SMMUEN);
	sg_wr(&g, S_CMDQ_BASE, 8, enc_q_base(nq, 4, true));
	sg_wr(&g, S_CMDQ_CONS, 4, 0);
	sg_wr(&g, S_CMDQ_PROD, 4, 0);
	sg_cr0(&g, CR0_EVENTQEN | CR0_SMMUEN | CR0_CMDQEN);
	sg_wrn(&g, SG_CMDQ, bad, 2);
	cmd_sync(q, 0, 0, 0, 0, 0);
	sg_wrn(&g, nq, q, 2);
	sg_wr(&g, S_CMDQ_PROD, 4, 1);
	cr_assert_not(sg_cmdq_err(&g, &err), "CERROR %u: the old place", err);
	cr_assert_eq(sg_rd32(&g, S_CMDQ_CONS) & 0xfffff, 1);
	sg_destroy(&g);
}

Test(queue, nothing_runs_after_an_error_until_acknowledged)
{
	struct ste s = {.v = true, .config = 4};
	uint64_t b[3][2];
	struct sg g;

	up(&g, NULL);
	sg_ste_set(&g, SID_A, &s);
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, 0x1000);
	s.config = 0;
	sg_ste_set(&g, SID_A, &s);
	b[0][0] = 0x09; /* reserved */
	b[0][1] = 0;
	cmd_cfgi_ste(b[1], SID_A, true);
	cmd_sync(b[2], 0, 0, 0, 0, 0);
	sg_cmds(&g, (const uint64_t(*)[2])b, 3);
	cr_assert(sg_cmdq_err(&g, NULL));
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, 0x1000); /* CFGI not run */
	sg_wr(&g, S_CMDQ_PROD, 4, g.cq_prod); /* a doorbell changes nothing */
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, 0x1000);
	/* discard the bad command: PROD back onto CONS, then acknowledge */
	g.cq_prod = sg_rd32(&g, S_CMDQ_CONS) & 0xfffff;
	sg_wr(&g, S_CMDQ_PROD, 4, g.cq_prod);
	sg_wr(&g, S_GERRORN, 4, sg_rd32(&g, S_GERROR));
	cr_assert(!sg_cmdq_err(&g, NULL));
	cr_assert_eq(sg_rd32(&g, S_CMDQ_CONS), g.cq_prod, "nothing consumed");
	sg_tr_ok(&g, SID_A, NP, 0x1000, AR, 0x1000);
	sg_inv_ste(&g, SID_A);
	sg_tr_fault(&g, SID_A, NP, 0x1000, AR, 0, NULL);
	sg_destroy(&g);
}

Test(queue, index_and_wrap_flag)
{
	uint64_t q[2];
	struct sg g;

	sg_create(&g, NULL);
	sg_init_q(&g, false, 13, 2, 6); /* 4 entries */
	for (unsigned int i = 0; i < 11; i++) {
		cmd_tlbi_nsnh_all(q);
		sg_cmd(&g, q);
		cr_assert_eq(sg_rd32(&g, S_CMDQ_CONS), g.cq_prod);
	}
	/* init ran 4 commands; 15 in all: index 3, wrap flag 1 */
	cr_assert_eq(g.cq_prod, 0x7, "PROD 0x%x", g.cq_prod);
	sg_destroy(&g);
}

Test(queue, a_full_queue_is_consumed_by_one_doorbell)
{
	uint64_t b[4][2], before;
	struct sg g;

	sg_create(&g, NULL);
	sg_init_q(&g, false, 13, 2, 6);
	before = sg_stat(&g, IOMMU_STAT_QUEUE_CMDS);
	for (int i = 0; i < 4; i++)
		cmd_tlbi_nsnh_all(b[i]);
	sg_cmds(&g, (const uint64_t(*)[2])b, 4); /* CONS ^ PROD = wrap */
	cr_assert_eq(sg_rd32(&g, S_CMDQ_CONS), g.cq_prod);
	cr_assert_eq(sg_stat(&g, IOMMU_STAT_QUEUE_CMDS) - before, 4,
		     "exactly the queue's entries");
	cr_assert_eq(sg_stat(&g, IOMMU_STAT_INVAL_CMDS) >= 4, 1);
	sg_destroy(&g);
}

Test(queue, one_entry_queue_and_log2size_cap)
{
	uint64_t q[2];
	struct sg g;

	sg_create(&g, NULL);
	sg_init_q(&g, false, 13, 0, 6); /* LOG2SIZE 0: one entry */
	for (int i = 0; i < 3; i++) {
		cmd_cfgi_all(q);
		sg_run(&g, q); /* wraps on every command */
	}
	sg_destroy(&g);
	sg_create(&g, "cmdq_bits = 3\n");
	sg_init_q(&g, false, 13, 3, 6);
	/* LOG2SIZE 10 > CMDQS 3: eight entries */
	sg_cr0(&g, CR0_EVENTQEN | CR0_SMMUEN);
	sg_wr(&g, S_CMDQ_BASE, 8, enc_q_base(SG_CMDQ, 10, true));
	sg_wr(&g, S_CMDQ_PROD, 4, 0x3F5);
	cr_assert_eq(sg_rd32(&g, S_CMDQ_PROD), 0x5, "wrap flag at bit 3");
	sg_destroy(&g);
}

Test(queue, nothing_is_consumed_while_cmdqen_is_clear)
{
	uint64_t q[2];
	struct sg g;

	up(&g, NULL);
	sg_cr0(&g, CR0_EVENTQEN | CR0_SMMUEN);
	cmd_cfgi_all(q);
	sg_cmd(&g, q);
	cr_assert_neq(sg_rd32(&g, S_CMDQ_CONS), g.cq_prod);
	sg_cr0(&g, CR0_EVENTQEN | CR0_SMMUEN | CR0_CMDQEN);
	cr_assert_eq(sg_rd32(&g, S_CMDQ_CONS), g.cq_prod, "enable consumes");
	sg_destroy(&g);
}

Test(queue, cmd_sync_msi_goes_to_the_msi_callback_only)
{
	uint64_t q[2];
	struct sg g;

	up(&g, NULL);
	for (uint32_t i = 0; i < 5; i++) {
		cmd_sync(q, 1, 3, 0xF, 0x100 + i, 0xFEE00000 + 4 * i);
		sg_cmd(&g, q);
	}
	cr_assert_eq(g.nmsi, 5);
	for (uint32_t i = 0; i < 5; i++) {
		cr_assert_eq(g.msi[i].addr, 0xFEE00000 + 4 * i);
		cr_assert_eq(g.msi[i].data, 0x100 + i, "in order");
	}
	cr_assert_eq(g.irqs[V_SYNC], 0);
	sg_destroy(&g);
}
