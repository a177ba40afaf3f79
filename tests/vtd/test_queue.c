// SPDX-License-Identifier: MIT
/*
 * test_queue.c - the device model's invalidation queue (sheet 6): every
 * descriptor type executed, wait descriptors (status write, interrupt),
 * invalid descriptors raising FSTS.IQE and stopping the queue with IQH on
 * the bad slot until software clears it, tail checks and wrap-around.
 * The test's own driver (vtdg.c) fills the queue; no library driver.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "vtdg.h"

#define R    IOMMU_ACCESS_READ
#define NP   IOMMU_NO_PASID
#define U(x) ((unsigned long long)(x))

static void up(struct vt *g, const char *ini)
{
	vt_create(g, false, ini);
	vt_guest_init(g, false);
}

static unsigned int dsz(struct vt *g)
{
	return g->dw ? 32 : 16;
}

/*
 * Submit @q followed by a wait; expect IQE with IQH on @q and the wait not
 * run; then recover the Linux way (6.1): overwrite the bad slot with a
 * harmless descriptor, clear IQE, write IQT again; the wait completes.
 */
static void expect_iqe(struct vt *g, const uint64_t q[4], unsigned int iqei)
{
	uint64_t batch[2][4], fix[4], wait_addr = VT_STATUS + 0x1000;
	unsigned int bad = g->tail, i;
	uint32_t st = 0, fsts;
	uint64_t ercd;

	memcpy(batch[0], q, sizeof(batch[0]));
	dsc_wait(batch[1], false, true, false, 0x77, wait_addr);
	vt_mem_wr(g, wait_addr, &st, 4);
	vt_qsubmit_n(g, (const uint64_t(*)[4])batch, 2);
	fsts = vt_rd32(g, R_FSTS);
	cr_assert(fsts & FS_IQE,
		  "descriptor 0x%016llx 0x%016llx accepted "
		  "(FSTS 0x%x)",
		  U(q[0]), U(q[1]), fsts);
	cr_assert_eq(vt_rd64(g, R_IQH), (uint64_t)bad * dsz(g),
		     "IQH 0x%llx, want the bad slot 0x%llx",
		     U(vt_rd64(g, R_IQH)), U((uint64_t)bad * dsz(g)));
	vt_mem_rd(g, wait_addr, &st, 4);
	cr_assert_eq(st, 0, "the wait after a bad descriptor ran");
	if (iqei) {
		ercd = vt_rd64(g, R_IQERCD);
		cr_assert_eq(ercd & 0xf, iqei, "IQERCD.IQEI %llu, want %u",
			     U(ercd & 0xf), iqei);
	}
	/* while IQE is set, another IQT write fetches nothing */
	vt_wr(g, R_IQT, 8, vt_rd64(g, R_IQT));
	cr_assert_eq(vt_rd64(g, R_IQH), (uint64_t)bad * dsz(g));
	vt_mem_rd(g, wait_addr, &st, 4);
	cr_assert_eq(st, 0, "the queue ran while IQE was set");
	/* recover */
	dsc_cc(fix, 1, 0, 0, 0);
	for (i = 0; i < dsz(g) / 8; i++)
		vt_wr64(g, VT_IQ_BASE + (uint64_t)bad * dsz(g) + 8 * i, fix[i]);
	vt_wr(g, R_FSTS, 4, FS_IQE);
	cr_assert_eq(vt_rd32(g, R_FSTS) & FS_IQE, 0, "IQE is RW1C");
	vt_wr(g, R_IQT, 8, vt_rd64(g, R_IQT));
	vt_mem_rd(g, wait_addr, &st, 4);
	cr_assert_eq(st, 0x77,
		     "the queue did not restart after IQE was "
		     "cleared and IQT written");
	cr_assert_eq(vt_rd64(g, R_IQH), vt_rd64(g, R_IQT));
}

Test(queue, every_128_bit_descriptor_type_executes)
{
	struct vt g;
	uint64_t q[4], n0, c0;
	unsigned int n = 0;

	up(&g, NULL);
	n0 = vt_stat(&g, IOMMU_STAT_INVAL_CMDS);
	c0 = vt_stat(&g, IOMMU_STAT_QUEUE_CMDS);
	dsc_cc(q, 1, 0, 0, 0); /* T13 global */
	vt_qrun(&g, q), n++;
	dsc_cc(q, 2, 5, 0, 0); /* domain-selective */
	vt_qrun(&g, q), n++;
	dsc_cc(q, 3, 5, 0x0300, 0); /* T13 device-selective */
	vt_qrun(&g, q), n++;
	dsc_iotlb(q, 1, false, false, 0, 0, 0, false); /* T12 global */
	vt_qrun(&g, q), n++;
	dsc_iotlb(q, 2, false, false, 5, 0, 0, false); /* T12 DSI */
	vt_qrun(&g, q), n++;
	dsc_iotlb(q, 3, false, false, 5, 0x10000, 4, false); /* T11 */
	vt_qrun(&g, q), n++;
	dsc_iotlb(q, 3, true, true, 5, 0x10000, 4, true); /* DR DW IH */
	vt_qrun(&g, q), n++;
	dsc_devtlb(q, 0x0300, 0, 0, 0x107000, true); /* T26 */
	vt_qrun(&g, q), n++;
	dsc_devtlb(q, 0x0300, 0, 0, 0x7FFFFFFFFFFFF000ull, true); /* T27 */
	vt_qrun(&g, q), n++;
	dsc_iec(&q[0], false, 0, 0); /* T29 global */
	vt_qrun(&g, q), n++;
	dsc_iec(&q[0], true, 0x20, 2); /* T29 index */
	vt_qrun(&g, q), n++;
	cr_assert_eq(vt_stat(&g, IOMMU_STAT_INVAL_CMDS) - n0, n,
		     "INVAL_CMDS +%llu for %u invalidations",
		     U(vt_stat(&g, IOMMU_STAT_INVAL_CMDS) - n0), n);
	cr_assert(vt_stat(&g, IOMMU_STAT_QUEUE_CMDS) - c0 >= 2 * n,
		  "QUEUE_CMDS +%llu for %u descriptors",
		  U(vt_stat(&g, IOMMU_STAT_QUEUE_CMDS) - c0), 2 * n);
	vt_destroy(&g);
}

Test(queue, wait_writes_status_in_order)
{
	struct vt g;
	uint64_t b[3][4];
	uint32_t s1 = 0, s2 = 0;

	up(&g, NULL);
	vt_mem_wr(&g, VT_STATUS + 0x800, &s1, 4);
	vt_mem_wr(&g, VT_STATUS + 0x804, &s2, 4);
	dsc_wait(b[0], false, true, false, 2, VT_STATUS + 0x800); /* T14 */
	dsc_iotlb(b[1], 1, false, false, 0, 0, 0, false);
	dsc_wait(b[2], false, true, true, 0xdead, VT_STATUS + 0x804);
	vt_qsubmit_n(&g, (const uint64_t(*)[4])b, 3);
	vt_mem_rd(&g, VT_STATUS + 0x800, &s1, 4);
	vt_mem_rd(&g, VT_STATUS + 0x804, &s2, 4);
	cr_assert_eq(s1, 2);
	cr_assert_eq(s2, 0xdead);
	cr_assert_eq(vt_rd64(&g, R_IQH), vt_rd64(&g, R_IQT));
	vt_destroy(&g);
}

/* The model remembers where a status write last went: writes taking
 * turns between two dwords reach both, and one outside RAM after them
 * still stops the queue (IQE, IQEI 0). */
Test(queue, status_writes_to_several_places_then_outside_ram)
{
	struct vt g;
	uint64_t q[4];
	uint32_t s;

	up(&g, NULL);
	for (uint32_t i = 1; i <= 4; i++) {
		dsc_wait(q, false, true, false, i,
			 VT_STATUS + 0x800 + 4 * (i & 1));
		vt_qsubmit(&g, q);
	}
	vt_mem_rd(&g, VT_STATUS + 0x804, &s, 4);
	cr_assert_eq(s, 3);
	vt_mem_rd(&g, VT_STATUS + 0x800, &s, 4);
	cr_assert_eq(s, 4);
	cr_assert_eq(vt_rd32(&g, R_FSTS) & FS_IQE, 0);
	dsc_wait(q, false, true, false, 5, VT_UNBACKED);
	vt_qsubmit(&g, q);
	cr_assert(vt_rd32(&g, R_FSTS) & FS_IQE);
	cr_assert_eq(vt_rd64(&g, R_IQERCD) & 0xf, 0);
	vt_destroy(&g);
}

Test(queue, wait_status_address_outside_ram_is_not_a_crash)
{
	struct vt g;
	uint64_t q[4], iqh;

	up(&g, NULL);
	dsc_wait(q, false, true, false, 1, VT_UNBACKED);
	vt_qsubmit(&g, q);
	/* whatever the model reports (the model: IQE), it keeps serving */
	if (vt_rd32(&g, R_FSTS) & FS_IQE) {
		iqh = vt_rd64(&g, R_IQH);
		cr_assert_eq(
		    iqh, (uint64_t)((g.tail + g.entries - 1) % g.entries) << 4,
		    "IQH 0x%llx not on the failed wait", U(iqh));
		dsc_cc(q, 1, 0, 0, 0);
		vt_wr64(&g, VT_IQ_BASE + iqh, q[0]);
		vt_wr64(&g, VT_IQ_BASE + iqh + 8, q[1]);
		vt_wr(&g, R_FSTS, 4, FS_IQE);
		vt_wr(&g, R_IQT, 8, vt_rd64(&g, R_IQT));
	}
	vt_qwait(&g);
	vt_destroy(&g);
}

Test(queue, wait_with_interrupt_flag)
{
	struct vt g;
	uint64_t q[4];

	up(&g, NULL);
	/* IECTL.IM = 1 at reset: IWC and IP, no interrupt (6.7) */
	dsc_wait(q, true, false, false, 0, 0); /* T14 IF-only */
	vt_qsubmit(&g, q);
	cr_assert_eq(vt_rd32(&g, R_FSTS) & FS_IQE, 0);
	cr_assert_eq(vt_rd32(&g, R_ICS) & 1, 1, "ICS.IWC not set");
	cr_assert(vt_rd32(&g, R_IECTL) & (1u << 30), "IECTL.IP not set");
	cr_assert_eq(g.irqs, 0);
	vt_wr(&g, R_ICS, 4, 1);
	cr_assert_eq(vt_rd32(&g, R_ICS) & 1, 0, "IWC is RW1C");
	cr_assert_eq(vt_rd32(&g, R_IECTL) & (1u << 30), 0,
		     "IP stays after IWC cleared");
	/* IM = 0: the completion event is signalled */
	vt_wr(&g, R_IECTL, 4, 0);
	vt_qsubmit(&g, q);
	cr_assert_eq(vt_rd32(&g, R_ICS) & 1, 1);
	cr_assert_eq(g.irqs, 1, "%u interrupts for one IF wait", g.irqs);
	vt_destroy(&g);
}

Test(queue, unknown_type_raises_iqe_and_stops)
{
	struct vt g;
	uint64_t q[4] = {0xF, 0, 0, 0};

	up(&g, NULL);
	expect_iqe(&g, q, 3);
	/* type[6:4] in QW0 11:9 makes an unknown type 0x12 */
	dsc_iotlb(q, 1, false, false, 0, 0, 0, false);
	q[0] |= 1ull << 9;
	expect_iqe(&g, q, 0);
	vt_destroy(&g);
}

Test(queue, reserved_granularity_raises_iqe)
{
	struct vt g;
	uint64_t q[4];

	up(&g, NULL);
	dsc_cc(q, 0, 0, 0, 0);
	expect_iqe(&g, q, 0);
	dsc_iotlb(q, 0, false, false, 0, 0, 0, false);
	expect_iqe(&g, q, 0);
	vt_destroy(&g);
}

Test(queue, reserved_fields_raise_iqe)
{
	struct vt g;
	uint64_t q[4];
	unsigned int mamv;

	up(&g, NULL);
	mamv = (g.cap >> 48) & 0x3f;
	dsc_iotlb(q, 3, false, false, 5, 0, mamv + 1, false);
	expect_iqe(&g, q, 0);
	dsc_iotlb(q, 3, false, false, 5, 0, mamv, false);
	vt_qrun(&g, q);
	dsc_iotlb(q, 1, false, false, 0, 0, 0, false);
	q[0] |= 1ull << 8;
	expect_iqe(&g, q, 4);
	dsc_iotlb(q, 3, false, false, 5, 0x1000, 0, false);
	q[1] |= 1ull << 7;
	expect_iqe(&g, q, 4);
	dsc_cc(q, 1, 0, 0, 0);
	q[0] |= 1ull << 50;
	expect_iqe(&g, q, 4);
	dsc_wait(q, false, true, false, 1, VT_STATUS);
	q[1] |= 1; /* status address bits 1:0 */
	expect_iqe(&g, q, 4);
	vt_destroy(&g);
}

Test(queue, tail_beyond_queue_size_raises_iqe)
{
	struct vt g;
	uint64_t q[4];

	up(&g, NULL);
	cr_assert_eq(g.entries, 256);
	vt_wr(&g, R_IQT, 8, 256ull << 4);
	cr_assert(vt_rd32(&g, R_FSTS) & FS_IQE, "tail 256 of 256 accepted");
	vt_wr(&g, R_IQT, 8, (uint64_t)g.tail << 4);
	vt_wr(&g, R_FSTS, 4, FS_IQE);
	dsc_cc(q, 1, 0, 0, 0);
	vt_qrun(&g, q);
	vt_destroy(&g);
}

Test(queue, wraps_around_at_the_queue_size)
{
	struct vt g;
	unsigned int i;

	up(&g, NULL);
	for (i = 0; i < 600; i++)
		vt_qwait(&g);
	cr_assert_eq(vt_rd64(&g, R_IQH), (uint64_t)g.tail << 4);
	cr_assert(g.wait_seq > 600);
	vt_destroy(&g);
}

Test(queue, larger_queue_order)
{
	struct vt g;
	unsigned int i;

	vt_create(&g, false, NULL);
	vt_set_root(&g, VT_ROOT);
	vt_qi_enable(&g, 0, 2); /* 4 pages, 1024 entries (T34) */
	for (i = 0; i < 700; i++)
		vt_qwait(&g);
	cr_assert_eq(vt_rd64(&g, R_IQH), 700ull << 4);
	vt_destroy(&g);
}

Test(queue, disable_when_empty)
{
	struct vt g;
	uint64_t q[4];

	up(&g, NULL);
	vt_qwait(&g);
	vt_gcmd(&g, G_QIE, false);
	cr_assert_eq(vt_rd32(&g, R_GSTS) & G_QIE, 0);
	/* enable again from index 0 */
	vt_qi_enable(&g, 0, 0);
	dsc_iotlb(q, 1, false, false, 0, 0, 0, false);
	vt_qrun(&g, q);
	cr_assert_eq(vt_rd64(&g, R_IQH), 2ull << 4);
	vt_destroy(&g);
}

Test(queue, invalidation_effects_are_done_before_the_wait)
{
	struct vt g;
	uint64_t root, leaf, b[2][4];
	uint32_t st = 0;

	up(&g, NULL);
	root = vt_ctx_sl(&g, SID_A, 5);
	leaf = vt_sl_map(&g, root, 4, 0x1000, 1, enc_sl(VT_DATA, SL_RW));
	vt_tr_ok(&g, SID_A, NP, 0x1000, R, VT_DATA);
	vt_wr64(&g, leaf, enc_sl(VT_DATA + 0x1000, SL_RW));
	dsc_iotlb(b[0], 3, true, true, 5, 0x1000, 0, false);
	dsc_wait(b[1], false, true, true, 9, VT_STATUS + 0x900);
	vt_mem_wr(&g, VT_STATUS + 0x900, &st, 4);
	vt_qsubmit_n(&g, (const uint64_t(*)[4])b, 2);
	vt_mem_rd(&g, VT_STATUS + 0x900, &st, 4);
	cr_assert_eq(st, 9);
	vt_tr_ok(&g, SID_A, NP, 0x1000, R, VT_DATA + 0x1000);
	vt_destroy(&g);
}

/* 12.14 (model decision): PASID-based types in a 128-bit queue are
 * refused with IQEI 5 (invalid descriptor width). */
Test(queue, pasid_types_refused_in_128_bit_queue)
{
	struct vt g;
	uint64_t q[4];

	up(&g, NULL);
	dsc_piotlb(q, 2, 1, 5, 0, 0, false);
	expect_iqe(&g, q, 5);
	dsc_pc(q, 3, 0, 0);
	expect_iqe(&g, q, 5);
	dsc_pdevtlb(q, SID_C, 5, 0, false, false, 0x1000);
	expect_iqe(&g, q, 5);
	vt_destroy(&g);
}

/* Type 9 without ECAP.PRS is an invalid type; type 6 G = 0/1 and type 7
 * G = 2 are reserved (sheet 6.8, 6.9; 12.25). */
Test(queue, reserved_pasid_based_forms_raise_iqe)
{
	struct vt g;
	uint64_t q[4];

	vt_create(&g, false, "scalable_mode = yes");
	vt_guest_init(&g, true);
	cr_assert_eq(g.ecap >> 29 & 1, 0, "ECAP.PRS");
	dsc_pgrp(q, true, 0, SID_C, 0x12345, 0x10); /* T30 */
	expect_iqe(&g, q, 3);
	dsc_piotlb(q, 0, 1, 5, 0, 0, false);
	expect_iqe(&g, q, 0);
	dsc_piotlb(q, 1, 1, 5, 0, 0, false);
	expect_iqe(&g, q, 0);
	dsc_pc(q, 2, 1, 5);
	expect_iqe(&g, q, 0);
	/* a fine one still runs after all that */
	dsc_pc(q, 3, 0, 0);
	vt_qrun(&g, q);
	vt_destroy(&g);
}

/* @q at the tail, without ringing (vt_qsubmit rings with 8 bytes). */
static void qput(struct vt *g, const uint64_t q[4])
{
	for (unsigned int i = 0; i < dsz(g) / 8; i++)
		vt_wr64(g, VT_IQ_BASE + (uint64_t)g->tail * dsz(g) + 8 * i,
			q[i]);
	g->tail = (g->tail + 1) % g->entries;
}

/*
 * IQT is the doorbell: an 8-byte write (the model's fast path) and the
 * two 4-byte halves must latch the same bits (QT only: bits 3:0 and above
 * 18 are reserved) and run the same queue; with QIE off the write only
 * latches.
 */
Test(queue, tail_write_widths_agree)
{
	struct vt g;
	uint64_t q[4], st_addr = VT_STATUS + 0x200;
	uint32_t st = 0;

	up(&g, NULL);
	dsc_wait(q, false, true, false, 0x51, st_addr);
	vt_mem_wr(&g, st_addr, &st, 4);
	qput(&g, q);
	/* reserved bits around QT are dropped, the queue runs */
	vt_wr(&g, R_IQT, 8, ((uint64_t)g.tail << 4) | 0xf | (0xffull << 40));
	cr_assert_eq(vt_rd64(&g, R_IQT), (uint64_t)g.tail << 4,
		     "IQT 0x%llx after an 8-byte write", U(vt_rd64(&g, R_IQT)));
	cr_assert_eq(vt_rd64(&g, R_IQH), (uint64_t)g.tail << 4);
	vt_mem_rd(&g, st_addr, &st, 4);
	cr_assert_eq(st, 0x51, "the 8-byte doorbell ran nothing");
	/* the low half alone rings it too; the high half is reserved */
	dsc_wait(q, false, true, false, 0x52, st_addr);
	qput(&g, q);
	vt_wr(&g, R_IQT + 4, 4, 0xffffffff);
	vt_wr(&g, R_IQT, 4, ((uint32_t)g.tail << 4) | 0xf);
	cr_assert_eq(vt_rd64(&g, R_IQT), (uint64_t)g.tail << 4);
	vt_mem_rd(&g, st_addr, &st, 4);
	cr_assert_eq(st, 0x52, "the 4-byte doorbell ran nothing");
	/* QIE off: latched, not run */
	vt_gcmd(&g, G_QIE, false);
	dsc_wait(q, false, true, false, 0x53, st_addr);
	qput(&g, q);
	vt_wr(&g, R_IQT, 8, (uint64_t)g.tail << 4);
	cr_assert_eq(vt_rd64(&g, R_IQT), (uint64_t)g.tail << 4);
	cr_assert_eq(vt_rd64(&g, R_IQH), 0, "QIE off reset IQH");
	vt_mem_rd(&g, st_addr, &st, 4);
	cr_assert_eq(st, 0x52, "the queue ran with QIE off");
	vt_destroy(&g);
}

/*
 * After IQE on @bad: replace it with a harmless descriptor (a global
 * context-cache invalidation), clear IQE and ring again (sheet 6.1); the
 * queue then runs to the tail.
 */
static void restart_past(struct vt *g, unsigned int bad)
{
	uint64_t fix[4];

	dsc_cc(fix, 1, 0, 0, 0);
	for (unsigned int i = 0; i < dsz(g) / 8; i++)
		vt_wr64(g, VT_IQ_BASE + (uint64_t)bad * dsz(g) + 8 * i, fix[i]);
	vt_wr(g, R_FSTS, 4, FS_IQE);
	vt_wr(g, R_IQT, 8, (uint64_t)g->tail << (g->dw ? 5 : 4));
	cr_assert_eq(vt_rd32(g, R_FSTS) & FS_IQE, 0);
	cr_assert_eq(vt_rd64(g, R_IQH), vt_rd64(g, R_IQT));
}

/*
 * A page-selective invalidation and its wait rung in with one IQT write
 * (what a driver's strict unmap sends): the invalidation is done before
 * the status is written, each counts as a queue command, and the wait
 * stays checked: a reserved bit, PD without ECAP.PDS, or IF all behave
 * as for a wait alone (IQE on the wait's slot after the invalidation
 * ran; IWC).  The status address is used twice first, so that the model
 * already knows where it is.
 */
Test(queue, page_invalidation_and_wait_in_one_doorbell)
{
	struct vt g;
	uint64_t root, leaf, b[2][4], st_addr = VT_STATUS + 0x300;
	uint64_t cmds, invals;
	uint32_t st = 0;
	unsigned int i;

	up(&g, NULL);
	root = vt_ctx_sl(&g, SID_A, 5);
	leaf = vt_sl_map(&g, root, 4, 0x1000, 1, enc_sl(VT_DATA, SL_RW));
	for (i = 1; i <= 2; i++) {
		vt_tr_ok(&g, SID_A, NP, 0x1000, R, VT_DATA + (i - 1) * 0x1000);
		vt_wr64(&g, leaf, enc_sl(VT_DATA + i * 0x1000, SL_RW));
		cmds = vt_stat(&g, IOMMU_STAT_QUEUE_CMDS);
		invals = vt_stat(&g, IOMMU_STAT_INVAL_CMDS);
		dsc_iotlb(b[0], 3, false, false, 5, 0x1000, 0, true);
		dsc_wait(b[1], false, true, false, i, st_addr);
		vt_qsubmit_n(&g, (const uint64_t(*)[4])b, 2);
		vt_mem_rd(&g, st_addr, &st, 4);
		cr_assert_eq(st, i, "round %u: status 0x%x", i, st);
		cr_assert_eq(vt_rd64(&g, R_IQH), vt_rd64(&g, R_IQT));
		cr_assert_eq(vt_stat(&g, IOMMU_STAT_QUEUE_CMDS) - cmds, 2);
		cr_assert_eq(vt_stat(&g, IOMMU_STAT_INVAL_CMDS) - invals, 1);
		vt_tr_ok(&g, SID_A, NP, 0x1000, R, VT_DATA + i * 0x1000);
	}
	/* status address bits 1:0 reserved: IQE on the wait, after the
	 * invalidation ran */
	vt_wr64(&g, leaf, enc_sl(VT_DATA + 0x5000, SL_RW));
	dsc_wait(b[1], false, true, false, 3, st_addr);
	b[1][1] |= 1;
	vt_qsubmit_n(&g, (const uint64_t(*)[4])b, 2);
	cr_assert(vt_rd32(&g, R_FSTS) & FS_IQE);
	cr_assert_eq(vt_rd64(&g, R_IQH),
		     ((g.tail + g.entries - 1) % g.entries) * 16ull);
	vt_mem_rd(&g, st_addr, &st, 4);
	cr_assert_eq(st, 2, "a bad wait wrote its status");
	vt_tr_ok(&g, SID_A, NP, 0x1000, R, VT_DATA + 0x5000);
	restart_past(&g, (g.tail + g.entries - 1) % g.entries);
	/* PD without ECAP.PDS: the same */
	cr_assert_eq(g.ecap >> 42 & 1, 0, "ECAP.PDS");
	dsc_wait(b[1], false, true, false, 4, st_addr);
	b[1][0] |= 1ull << 7;
	vt_qsubmit_n(&g, (const uint64_t(*)[4])b, 2);
	cr_assert(vt_rd32(&g, R_FSTS) & FS_IQE);
	vt_mem_rd(&g, st_addr, &st, 4);
	cr_assert_eq(st, 2, "a PD wait wrote its status");
	restart_past(&g, (g.tail + g.entries - 1) % g.entries);
	/* IF with SW: status and IWC */
	cr_assert_eq(vt_rd32(&g, R_ICS) & 1, 0);
	dsc_wait(b[1], true, true, false, 5, st_addr);
	vt_qsubmit_n(&g, (const uint64_t(*)[4])b, 2);
	cr_assert_eq(vt_rd32(&g, R_FSTS) & FS_IQE, 0);
	vt_mem_rd(&g, st_addr, &st, 4);
	cr_assert_eq(st, 5);
	cr_assert_eq(vt_rd32(&g, R_ICS) & 1, 1, "ICS.IWC not set");
	vt_destroy(&g);
}

/* The same batch in a 256-bit queue: its upper qwords are reserved in
 * both descriptors. */
Test(queue, page_invalidation_and_wait_upper_qwords_reserved)
{
	struct vt g;
	uint64_t b[2][4], st_addr = VT_STATUS + 0x300;
	uint32_t st = 0;
	unsigned int i, bad;

	vt_create(&g, false, "scalable_mode = yes");
	vt_guest_init(&g, true);
	for (i = 0; i < 4; i++) {
		dsc_iotlb(b[0], 3, false, false, 5, 0x1000, 0, true);
		dsc_wait(b[1], false, true, false, 0x10 + i, st_addr);
		vt_qsubmit_n(&g, (const uint64_t(*)[4])b, 2);
		vt_mem_rd(&g, st_addr, &st, 4);
		cr_assert_eq(st, 0x10 + i);
	}
	for (i = 0; i < 4; i++) {
		dsc_iotlb(b[0], 3, false, false, 5, 0x1000, 0, true);
		dsc_wait(b[1], false, true, false, 0x20 + i, st_addr);
		b[i / 2][2 + i % 2] = 1ull << 40;
		bad = (g.tail + i / 2) % g.entries;
		vt_qsubmit_n(&g, (const uint64_t(*)[4])b, 2);
		cr_assert(vt_rd32(&g, R_FSTS) & FS_IQE, "qword %u", 2 + i % 2);
		cr_assert_eq(vt_rd64(&g, R_IQH), bad * 32ull);
		vt_mem_rd(&g, st_addr, &st, 4);
		cr_assert_eq(st, 0x13, "the status of a refused batch");
		restart_past(&g, bad);
		if (bad != (g.tail + g.entries - 1) % g.entries) {
			/* the wait after a refused invalidation runs now */
			vt_mem_rd(&g, st_addr, &st, 4);
			cr_assert_eq(st, 0x20 + i);
			st = 0x13;
			vt_mem_wr(&g, st_addr, &st, 4);
		}
	}
	vt_destroy(&g);
}
