// SPDX-License-Identifier: MIT
/*
 * test_legacy_unit.c - more guest-style tests in legacy mode (RTADDR.TTM
 * = 00), the unit-wide state rather than one translation: fault
 * recording (sheet 7.1, 7.2) and the fault event, the global command and
 * status rules (2.4), caching mode (9.3) and a randomized run of mappings
 * and invalidations.  Split from test_legacy.c, with the same helpers; no
 * context here has the library's driver.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include <criterion/criterion.h>

#include "vtdg.h"

#define R    IOMMU_ACCESS_READ
#define W    IOMMU_ACCESS_WRITE
#define NP   IOMMU_NO_PASID
#define U(x) ((unsigned long long)(x))

static void up(struct vt *g, const char *ini)
{
	vt_create(g, false, ini);
	vt_guest_init(g, false);
}

/* A device on DID @did with one 4 KiB leaf @iova -> @pa (flags @fl). */
static uint64_t map4k(struct vt *g, unsigned int sid, unsigned int did,
		      uint64_t iova, uint64_t pa, uint64_t fl, uint64_t *root)
{
	uint64_t r = vt_ctx_sl(g, sid, did);

	if (root)
		*root = r;
	return vt_sl_map(g, r, 4, iova, 1, enc_sl(pa, fl));
}

/* ---- fault recording (7.1, 7.2) ---------------------------------------------
 */

Test(guest_legacy, fault_record_fields_and_fri)
{
	struct vt g;
	struct frec f;
	uint32_t fsts;
	unsigned int i;

	up(&g, "fault_records = 4");
	for (i = 0; i < 3; i++)
		map4k(&g, vt_sid(i), 5 + i, 0x100000, VT_DATA, SL_RW, NULL);
	cr_assert_eq(vt_tr(&g, SID_A, NP, 0x7FFFDEADB123ull, W, NULL), -EFAULT);
	fsts = vt_rd32(&g, R_FSTS);
	cr_assert_eq(fsts & 0xff03, FS_PPF, "FSTS 0x%x after one fault", fsts);
	cr_assert_eq(vt_tr(&g, SID_B, NP, 0x5000, R, NULL), -EFAULT);
	cr_assert_eq(vt_tr(&g, SID_C, NP, 0x6000, W, NULL), -EFAULT);
	/* records 0, 1, 2 in order; FRI still 0 */
	cr_assert_eq((vt_rd32(&g, R_FSTS) >> 8) & 0xff, 0);
	cr_assert(vt_fault_pop(&g, &f));
	cr_assert_eq(f.sid, SID_A);
	cr_assert_eq(f.fi, 0x7FFFDEADB000ull, "FI 0x%llx", U(f.fi));
	cr_assert_eq(f.fr, FR_WRITE);
	cr_assert(!f.t1 && !f.pp && f.pv == 0 && f.at == 0, "QW1 0x%016llx",
		  U(f.raw[1]));
	cr_assert_eq(f.raw[0] & 0xfff, 0, "FRCD QW0 reserved bits");
	cr_assert_eq(f.raw[1] & 0x0fff0000ull, 0, "FRCD QW1 bits 91:80");
	cr_assert(vt_fault_pop(&g, &f));
	cr_assert_eq(f.sid, SID_B);
	cr_assert(f.t1, "read has T1 = 1");
	cr_assert_eq(f.fr, FR_READ);
	cr_assert(vt_fault_pop(&g, &f));
	cr_assert_eq(f.sid, SID_C);
	cr_assert_eq(f.fi, 0x6000);
	cr_assert(!vt_fault_pop(&g, &f));
	cr_assert_eq(vt_rd32(&g, R_FSTS) & (FS_PPF | FS_PFO), 0);
	/* the next fault goes to record 3: FRI follows */
	cr_assert_eq(vt_tr(&g, SID_B, NP, 0x9000, R, NULL), -EFAULT);
	fsts = vt_rd32(&g, R_FSTS);
	cr_assert_eq(fsts & FS_PPF, FS_PPF);
	cr_assert_eq((fsts >> 8) & 0xff, 3, "FRI %u, want 3",
		     (fsts >> 8) & 0xff);
	vt_fault_expect(&g, SID_B, 0x9000, R, FR_READ);
	vt_destroy(&g);
}

Test(guest_legacy, fault_overflow_sets_pfo_and_counts_lost)
{
	struct vt g;
	struct frec f;
	uint64_t lost0, rec0;
	struct mallinfo2 m0, m1;
	unsigned int i;

	up(&g, "fault_records = 2");
	for (i = 0; i < 5; i++)
		map4k(&g, vt_sid(i), 5 + i, 0x100000, VT_DATA, SL_RW, NULL);
	lost0 = vt_stat(&g, IOMMU_STAT_FAULTS_LOST);
	rec0 = vt_stat(&g, IOMMU_STAT_FAULTS);
	cr_assert_eq(vt_tr(&g, SID_A, NP, 0x1000, R, NULL), -EFAULT);
	cr_assert_eq(vt_tr(&g, SID_B, NP, 0x2000, R, NULL), -EFAULT);
	cr_assert_eq(vt_rd32(&g, R_FSTS) & FS_PFO, 0);
	cr_assert_eq(vt_tr(&g, SID_C, NP, 0x3000, R, NULL), -EFAULT);
	cr_assert_eq(vt_tr(&g, SID_D, NP, 0x4000, R, NULL), -EFAULT);
	cr_assert_eq(vt_rd32(&g, R_FSTS) & (FS_PFO | FS_PPF), FS_PFO | FS_PPF,
		     "FSTS 0x%x", vt_rd32(&g, R_FSTS));
	cr_assert_eq(vt_stat(&g, IOMMU_STAT_FAULTS_LOST) - lost0, 2);
	cr_assert_eq(vt_stat(&g, IOMMU_STAT_FAULTS) - rec0, 2);
	/* many more: nothing grows, every one is counted */
	m0 = mallinfo2();
	for (i = 0; i < 2000; i++)
		cr_assert_eq(
		    vt_tr(&g, vt_sid(i), NP, 0x1000000 + PG * i, W, NULL),
		    -EFAULT);
	m1 = mallinfo2();
	cr_assert(m1.uordblks <= m0.uordblks + 4096,
		  "heap grew by %zu bytes over 2000 lost faults",
		  m1.uordblks - m0.uordblks);
	cr_assert_eq(vt_stat(&g, IOMMU_STAT_FAULTS_LOST) - lost0, 2002);
	/* the two records are the first two faults, untouched */
	cr_assert(vt_fault_pop(&g, &f));
	cr_assert_eq(f.sid, SID_A);
	cr_assert_eq(f.fi, 0x1000);
	cr_assert(vt_fault_pop(&g, &f));
	cr_assert_eq(f.sid, SID_B);
	cr_assert(!vt_fault_pop(&g, &f));
	/* PFO stays until written 1; faults are still dropped meanwhile */
	cr_assert_eq(vt_rd32(&g, R_FSTS) & (FS_PFO | FS_PPF), FS_PFO);
	cr_assert_eq(vt_tr(&g, SID_E, NP, 0x5000, R, NULL), -EFAULT);
	cr_assert(!vt_fault_pop(&g, &f), "recorded while PFO was set");
	vt_wr(&g, R_FSTS, 4, FS_PFO);
	cr_assert_eq(vt_rd32(&g, R_FSTS) & FS_PFO, 0, "PFO is RW1C");
	vt_tr_fault(&g, SID_E, NP, 0x6000, R, FR_READ);
	vt_destroy(&g);
}

Test(guest_legacy, fault_event_interrupt_and_mask)
{
	struct vt g;

	up(&g, NULL);
	map4k(&g, SID_A, 5, 0x100000, VT_DATA, SL_RW, NULL);
	/* IM = 1 (reset): IP instead of an interrupt */
	cr_assert_eq(vt_tr(&g, SID_A, NP, 0x1000, R, NULL), -EFAULT);
	cr_assert_eq(g.irqs, 0, "interrupt while FECTL.IM = 1");
	cr_assert(vt_rd32(&g, R_FECTL) & (1u << 30), "FECTL.IP not set");
	vt_fault_clear_all(&g);
	cr_assert_eq(vt_rd32(&g, R_FECTL) & (1u << 30), 0,
		     "FECTL.IP stays after FSTS cleared");
	/* IM = 0: the event is signalled */
	vt_wr(&g, R_FEDATA, 4, 0x41);
	vt_wr(&g, R_FEADDR, 4, 0xFEE00000u);
	vt_wr(&g, R_FECTL, 4, 0);
	cr_assert_eq(vt_tr(&g, SID_A, NP, 0x2000, R, NULL), -EFAULT);
	cr_assert_eq(g.irqs, 1, "%u interrupts for one fault", g.irqs);
	cr_assert_eq(vt_rd32(&g, R_FECTL) & (1u << 30), 0);
	vt_fault_expect(&g, SID_A, 0x2000, R, FR_READ);
	vt_destroy(&g);
}

/* ---- global command and status (2.4) ---------------------------------------
 */

/*
 * GCMD (2.4): software changes one command per write, keeping the other
 * persistent enables.  The model (hw.h header) applies a write that
 * changes exactly one command (TE or QIE toggled, SRTP or WBF set) and
 * ignores a write that changes more than one.
 */
Test(guest_legacy, gcmd_one_command_per_write)
{
	struct vt g;

	up(&g, NULL);
	map4k(&g, SID_A, 5, 0x100000, VT_DATA, SL_RW, NULL);
	cr_assert_eq(vt_rd32(&g, R_GCMD), 0, "GCMD reads back 0x%x",
		     vt_rd32(&g, R_GCMD));
	/* rewriting the same enables changes nothing */
	vt_wr(&g, R_GCMD, 4, G_TE | G_QIE);
	cr_assert_eq(vt_rd32(&g, R_GSTS) & (G_TE | G_QIE), G_TE | G_QIE);
	/* SRTP alone would also drop TE and QIE: three changes, ignored */
	vt_wr(&g, R_GCMD, 4, G_SRTP);
	cr_assert_eq(vt_rd32(&g, R_GSTS) & (G_TE | G_QIE), G_TE | G_QIE,
		     "GSTS 0x%x after a multi-command write",
		     vt_rd32(&g, R_GSTS));
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, VT_DATA);
	/* SRTP with the enables kept: one command */
	vt_wr(&g, R_GCMD, 4, G_TE | G_QIE | G_SRTP);
	cr_assert(vt_rd32(&g, R_GSTS) & G_SRTP, "RTPS after SRTP");
	cr_assert_eq(vt_rd32(&g, R_GSTS) & (G_TE | G_QIE), G_TE | G_QIE);
	/* TE off alone: applied; DMA is then not remapped */
	vt_wr(&g, R_GCMD, 4, G_QIE);
	cr_assert_eq(vt_rd32(&g, R_GSTS) & (G_TE | G_QIE), G_QIE,
		     "GSTS 0x%x after TE off", vt_rd32(&g, R_GSTS));
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, 0x100000);
	/* QIE off and TE on in one write: two changes, ignored */
	vt_wr(&g, R_GCMD, 4, G_TE);
	cr_assert_eq(vt_rd32(&g, R_GSTS) & (G_TE | G_QIE), G_QIE,
		     "GSTS 0x%x after a two-command write",
		     vt_rd32(&g, R_GSTS));
	/* back on, one bit per write */
	g.gcmd = G_QIE;
	vt_gcmd(&g, G_TE, true);
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, VT_DATA);
	vt_destroy(&g);
}

Test(guest_legacy, translation_disabled_is_not_remapped)
{
	struct vt g;

	vt_create(&g, false, NULL);
	cr_assert_eq(vt_rd32(&g, R_GSTS) & G_TE, 0);
	vt_tr_ok(&g, SID_A, NP, 0x123000, W, 0x123000);
	vt_no_fault(&g);
	vt_destroy(&g);
}

Test(guest_legacy, srtp_latches_rtaddr)
{
	struct vt g;
	uint64_t r1;

	up(&g, NULL);
	r1 = vt_ctx_sl(&g, SID_A, 5);
	vt_sl_map(&g, r1, 4, 0x1000, 1, enc_sl(VT_DATA, SL_RW));
	vt_tr_ok(&g, SID_A, NP, 0x1000, R, VT_DATA);
	/* writing RTADDR alone changes nothing until SRTP */
	vt_wr(&g, R_RTADDR, 8, 0x0F00000);
	vt_inv_cc_global(&g);
	vt_inv_iotlb_global(&g);
	vt_tr_ok(&g, SID_A, NP, 0x1000, R, VT_DATA);
	/* SRTP to an empty root table: root not present */
	vt_gcmd(&g, G_SRTP, true);
	vt_inv_cc_global(&g);
	vt_inv_iotlb_global(&g);
	vt_tr_fault(&g, SID_A, NP, 0x1000, R, FR_ROOT_NP);
	vt_destroy(&g);
}

Test(guest_legacy, register_based_invalidation_without_qi)
{
	struct vt g;
	uint64_t r1, leaf, v;
	int i;

	vt_create(&g, false, NULL);
	vt_set_root(&g, VT_ROOT);
	vt_gcmd(&g, G_TE, true);
	r1 = vt_ctx_sl(&g, SID_A, 5);
	leaf = vt_sl_map(&g, r1, 4, 0x1000, 1, enc_sl(VT_DATA, SL_RW));
	vt_tr_ok(&g, SID_A, NP, 0x1000, R, VT_DATA);
	vt_wr64(&g, leaf, enc_sl(VT_DATA + 0x3000, SL_RW));
	vt_tr_ok(&g, SID_A, NP, 0x1000, R, VT_DATA);
	/* CCMD global: ICC | CIRG 01 */
	vt_wr(&g, R_CCMD, 8, 1ull << 63 | 1ull << 61);
	for (i = 0; i < 100 && ((v = vt_rd64(&g, R_CCMD)) >> 63); i++)
		;
	cr_assert_eq(v >> 63, 0, "CCMD.ICC never cleared");
	cr_assert_eq(v >> 59 & 3, 1, "CAIG %llu", U(v >> 59 & 3));
	/* IOTLB page-selective: IVA then IOTLB_REG (IVT | IIRG 11 | DID 5) */
	vt_wr(&g, g.iro, 8, 0x1000);
	vt_wr(&g, g.iro + 8, 8, 1ull << 63 | 3ull << 60 | 5ull << 32);
	for (i = 0; i < 100 && ((v = vt_rd64(&g, g.iro + 8)) >> 63); i++)
		;
	cr_assert_eq(v >> 63, 0, "IOTLB_REG.IVT never cleared");
	cr_assert_neq(v >> 57 & 3, 0, "IAIG 00: the flush failed");
	vt_tr_ok(&g, SID_A, NP, 0x1000, R, VT_DATA + 0x3000);
	vt_destroy(&g);
}

/* ---- randomized ------------------------------------------------------------
 */

static uint64_t rnd(uint64_t *s)
{
	/* xorshift64* */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1Dull;
}

static uint64_t seed_of(const char *what)
{
	const char *env = getenv("VTD_TEST_SEED");
	uint64_t s = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);

	if (!s)
		s = 1;
	fprintf(stderr, "%s: seed %llu (set VTD_TEST_SEED to repeat)\n", what,
		U(s));
	cr_log_info("%s: seed %llu", what, U(s));
	return s;
}

Test(guest_legacy, random_mappings_translate_and_invalidate)
{
	struct vt g;
	uint64_t seed = seed_of("guest_legacy/random_mappings"), s = seed;
	uint64_t root, iova[128], pa[128], leaf[128];
	unsigned int i, n = 0;

	up(&g, NULL);
	root = vt_ctx_sl(&g, SID_A, 5);
	while (n < 128) {
		uint64_t v = (rnd(&s) & 0x0000FFFFFFFFF000ull);
		unsigned int j;

		for (j = 0; j < n && iova[j] != v; j++)
			;
		if (j < n)
			continue;
		iova[n] = v;
		pa[n] = VT_DATA + PG * (rnd(&s) % 4096);
		leaf[n] = vt_sl_map(&g, root, 4, v, 1,
				    enc_sl(pa[n], rnd(&s) & 1 ? SL_RW : SL_R));
		n++;
	}
	for (i = 0; i < 512; i++) {
		unsigned int k = rnd(&s) % n;
		uint64_t off = rnd(&s) & 0xffc;

		cr_assert_eq(vt_tr(&g, SID_A, NP, iova[k] + off, R, NULL), 0,
			     "seed %llu: mapping %u", U(seed), k);
		vt_tr_ok(&g, SID_A, NP, iova[k] + off, R, pa[k] + off);
	}
	/* move a random half; only the invalidated ones change */
	for (i = 0; i < n; i += 2) {
		/* cached now (a set-associative IOTLB may have evicted it) */
		vt_tr_ok(&g, SID_A, NP, iova[i], R, pa[i]);
		vt_wr64(&g, leaf[i], enc_sl(pa[i] + 0x1000000, SL_RW));
		vt_tr_ok(&g, SID_A, NP, iova[i], R, pa[i]);
		if (rnd(&s) & 1) {
			vt_inv_iotlb_page(&g, 5, iova[i], 0);
			pa[i] += 0x1000000;
		}
		vt_tr_ok(&g, SID_A, NP, iova[i], R, pa[i]);
	}
	vt_destroy(&g);
}

/* ---- caching mode (9.3)
 * -------------------------------------------------------- */

/*
 * With CAP.CM = 1 hardware may cache not-present entries.  The model does
 * (hw.h header): a not-present paging entry becomes a 4 KiB IOTLB entry
 * with the request's DID, a not-present root/context entry a context-cache
 * entry with DID 0; both fault again until invalidated.  With CM = 0
 * nothing negative is cached.
 */
Test(guest_legacy, caching_mode_caches_not_present_leaves)
{
	struct vt g;
	uint64_t root, leaf;

	up(&g, "caching_mode = yes");
	cr_assert(g.cap >> 7 & 1, "CAP.CM");
	root = vt_ctx_sl(&g, SID_A, 5);
	leaf = vt_sl_map(&g, root, 4, 0x100000, 1, 0);
	vt_tr_fault(&g, SID_A, NP, 0x100000, R, FR_READ);
	vt_wr64(&g, leaf, enc_sl(VT_DATA, SL_RW));
	/* the cached not-present result still faults */
	vt_tr_fault(&g, SID_A, NP, 0x100000, R, FR_READ);
	/* a wrong-DID invalidation does not help, the right one does */
	vt_inv_iotlb_page(&g, 6, 0x100000, 0);
	vt_tr_fault(&g, SID_A, NP, 0x100000, R, FR_READ);
	vt_inv_iotlb_page(&g, 5, 0x100000, 0);
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, VT_DATA);
	vt_destroy(&g);
}

Test(guest_legacy, caching_mode_caches_not_present_context_with_did_0)
{
	struct vt g;
	uint64_t root, e[2];

	up(&g, "caching_mode = yes");
	vt_ctx_sl(&g, SID_A, 5); /* root entry of bus 0 present */
	vt_tr_fault(&g, SID_B, NP, 0x1000, R, FR_CTX_NP);
	root = vt_page(&g, 0);
	vt_sl_map(&g, root, 4, 0x1000, 1, enc_sl(VT_DATA, SL_RW));
	enc_ctx(e, root, 0, 2, 6, false, true);
	vt_ctx_set(&g, SID_B, e);
	vt_tr_fault(&g, SID_B, NP, 0x1000, R, FR_CTX_NP);
	/* 9.6: device-selective with DID 0, then IOTLB DSI of the new DID */
	vt_inv_cc_dev(&g, 0, SID_B);
	vt_inv_iotlb_dom(&g, 6);
	vt_tr_ok(&g, SID_B, NP, 0x1000, R, VT_DATA);
	vt_destroy(&g);
}

Test(guest_legacy, no_caching_mode_caches_nothing_negative)
{
	struct vt g;
	uint64_t root, leaf, e[2];

	up(&g, "caching_mode = no");
	cr_assert_eq(g.cap >> 7 & 1, 0, "CAP.CM");
	root = vt_ctx_sl(&g, SID_A, 5);
	leaf = vt_sl_map(&g, root, 4, 0x100000, 1, 0);
	vt_tr_fault(&g, SID_A, NP, 0x100000, R, FR_READ);
	vt_wr64(&g, leaf, enc_sl(VT_DATA, SL_RW));
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, VT_DATA);
	vt_tr_fault(&g, SID_B, NP, 0x1000, R, FR_CTX_NP);
	enc_ctx(e, root, 0, 2, 5, false, true);
	vt_ctx_set(&g, SID_B, e);
	vt_tr_ok(&g, SID_B, NP, 0x100000, W, VT_DATA);
	vt_destroy(&g);
}
