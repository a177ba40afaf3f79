// SPDX-License-Identifier: MIT
/*
 * test_drv.c - the library's SMMUv3 driver through the public API, on
 * contexts WITH the driver.  The tests read back what the driver wrote
 * (the Stream table at STRTAB_BASE, STEs, CDs, page-table leaves, the
 * commands in the queue at CMDQ_BASE) and compare it with the sheet's
 * layouts and vectors, decoded here with the test's own field positions
 * (sg.h); translations and faults go through the device model.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dc.h"

/* The racer's counters and flag are atomics (the test thread reads
 * them while it runs). */
struct racer {
	struct dc *d;
	int stop;
	uint64_t n;
	unsigned int bad;
	uint64_t pa, pb;
};

#define LD(x)	 __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define ST(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

static void *racer_main(void *arg)
{
	struct racer *r = arg;

	for (uint64_t n = 0; !LD(r->stop); n++) {
		struct iommu_translation tr;
		uint64_t off = (n % 16) * PG + 8;

		if (iommu_dma_translate(r->d->ctx, SID_A, NP, TIO + off, 8, AW,
					&tr) ||
		    (tr.phys != r->pa + off && tr.phys != r->pb + off))
			ST(r->bad, LD(r->bad) + 1);
		ST(r->n, n + 1);
	}
	return NULL;
}

/*
 * A replace while another thread translates: once it returns, DMA uses
 * the new domain (the model once kept a CD it had fetched through a
 * cached STE that the CFGI_STE was removing at that moment).
 */
Test(drv_attach, replace_under_dma_has_no_stale_domain)
{
	struct dc d;
	struct racer r = {.d = &d, .pa = TPA, .pb = TPA + 0x100000};
	struct iommu_domain *a, *b;
	pthread_t tid;
	uint32_t grp;
	int owner;

	dc_open(&d, NULL, "sid_bits = 8\nstream_table_2level = yes");
	cr_assert_eq(iommu_dev_group(d.ctx, SID_A, &grp), 0);
	a = mapped(&d, r.pa, 16 * PG);
	b = mapped(&d, r.pb, 16 * PG);
	cr_assert_eq(iommu_group_claim_dma_owner(d.ctx, grp, &owner), 0);
	cr_assert_eq(iommu_attach_device(a, SID_A), 0);
	cr_assert_eq(pthread_create(&tid, NULL, racer_main, &r), 0);
	for (unsigned int i = 0; i < 1000; i++) {
		struct iommu_domain *to = i & 1 ? a : b;
		struct iommu_translation tr;
		uint64_t off = (i % 16) * PG + 16, n0 = LD(r.n);

		cr_assert_eq(iommu_group_replace_domain(d.ctx, grp, to), 0);
		cr_assert_eq(iommu_dma_translate(d.ctx, SID_A, NP, TIO + off, 8,
						 AR, &tr),
			     0);
		if (tr.phys != (to == a ? r.pa : r.pb) + off) {
			ST(r.stop, 1);
			pthread_join(tid, NULL);
			cr_assert_fail("replace %u: DMA at 0x%llx uses the old "
				       "domain (phys 0x%llx)",
				       i, U64(TIO + off), U64(tr.phys));
		}
		while (LD(r.n) < n0 + 2)
			sched_yield(); /* the racer into every phase */
	}
	ST(r.stop, 1);
	pthread_join(tid, NULL);
	cr_assert_eq(r.bad, 0);
	iommu_ctx_destroy(d.ctx);
}

/* ---- unmap: the invalidation commands ------------------------------------ */

/* Unmap 256 x 4K mapped at TIO; return the commands it wrote. */
static unsigned int unmap_256(struct dc *d, uint64_t (*c)[2], unsigned int max,
			      struct iommu_domain **out)
{
	struct iommu_domain *dom = mapped(d, TPA, 256 * PG);
	uint64_t done = 0;
	uint32_t p0;

	cr_assert_eq(iommu_attach_device(dom, SID_A), 0);
	p0 = cq_prod(d);
	cr_assert_eq(iommu_unmap(dom, TIO, 256 * PG, &done), 0);
	cr_assert_eq(done, 256 * PG);
	*out = dom;
	return cq_since(d, p0, c, max);
}

Test(drv_unmap, ril_256_pages_is_one_range_tlbi_and_one_sync)
{
	struct dc d;
	struct iommu_domain *dom;
	struct iommu_translation tr;
	uint64_t c[64][2];
	unsigned int n;

	dc_open(&d, NULL, "sid_bits = 8\nrange_invalidation = yes");
	n = unmap_256(&d, c, 64, &dom);
	cr_assert_eq(n, 2, "256 x 4K unmap: %u commands", n);
	/* sheet 5.4/5.5: TLBI_NH_VA, NUM 0, SCALE 8, TG 4K, TTL 0, VA */
	cr_assert_eq(c[0][0] & 0xff, 0x12);
	cr_assert_eq((c[0][0] >> 12) & 0x1f, 0, "NUM");
	cr_assert_eq((c[0][0] >> 20) & 0x1f, 8, "SCALE");
	cr_assert_eq((c[0][1] >> 10) & 3, 1, "TG");
	cr_assert_eq((c[0][1] >> 8) & 3, 0, "TTL");
	cr_assert_eq(c[0][1] & ~0xfffull, TIO);
	cr_assert_eq(c[1][0] & 0xff, 0x46, "then CMD_SYNC");
	cr_assert_eq((c[1][0] >> 12) & 3, 0, "CS = SIG_NONE");
	/* Nothing stale: every page faults now. */
	cr_assert_eq(
	    iommu_dma_translate(d.ctx, SID_A, NP, TIO + 255 * PG, 4, AR, &tr),
	    -EFAULT);
	iommu_ctx_destroy(d.ctx);
}

/* ---- probe: registers and the first commands ----------------------------- */

Test(drv_probe, bring_up_registers_and_commands)
{
	struct dc d;
	uint64_t base, cq;

	dc_open(&d, NULL,
		"sid_bits = 16\nstream_table_2level = yes\nats = yes");
	/* sheet 1.6: SMMUEN, EVENTQEN, CMDQEN, ATSCHK; acknowledged */
	cr_assert_eq(rd32(&d, S_CR0), 0x1d, "CR0 0x%x", rd32(&d, S_CR0));
	cr_assert_eq(rd32(&d, S_CR0ACK), 0x1d);
	cr_assert_eq(rd32(&d, S_CR1), 0x0d75);
	cr_assert_eq(rd32(&d, S_CR2), 0x6);
	cr_assert(rd32(&d, S_GBPA) & (1u << 20), "GBPA.ABORT");
	cr_assert_eq(rd32(&d, S_IRQ_CTRL), 0x5);
	/* TV10: 2-level, SPLIT 8, LOG2SIZE 16 */
	cr_assert_eq(rd32(&d, S_STRTAB_CFG), 0x10210);
	base = rd64(&d, S_STRTAB);
	cr_assert(base & (1ull << 62), "STRTAB_BASE.RA");
	cq = rd64(&d, S_CMDQ_BASE);
	cr_assert(cq & (1ull << 62), "CMDQ_BASE.RA");
	cr_assert_eq(cq & 0x1f, 8, "256 commands");
	/* sheet 1.7 step 6: CFGI_ALL, SYNC, TLBI_NSNH_ALL, SYNC (no Hyp) */
	cq &= 0x000FFFFFFFFFFFE0ull;
	cr_assert_eq(m64(&d, cq), 0x4);
	cr_assert_eq(m64(&d, cq + 8), 0x1f);
	cr_assert_eq(m64(&d, cq + 16), 0x46);
	cr_assert_eq(m64(&d, cq + 32), 0x30);
	cr_assert_eq(m64(&d, cq + 48), 0x46);
	iommu_ctx_destroy(d.ctx);
}

Test(drv_probe, hyp_adds_tlbi_el2_all)
{
	struct dc d;
	uint64_t cq;

	dc_open(&d, NULL, "stage2 = yes\nhyp = yes");
	cq = rd64(&d, S_CMDQ_BASE) & 0x000FFFFFFFFFFFE0ull;
	cr_assert_eq(m64(&d, cq + 32), 0x20, "TLBI_EL2_ALL");
	cr_assert_eq(m64(&d, cq + 48), 0x46);
	cr_assert_eq(m64(&d, cq + 64), 0x30);
	iommu_ctx_destroy(d.ctx);
}

Test(drv_probe, small_sidsize_gets_a_linear_table_of_abort_stes)
{
	struct dc d;
	uint64_t ste[8];

	dc_open(&d, NULL, "sid_bits = 8\nstream_table_2level = yes");
	cr_assert_eq(rd32(&d, S_STRTAB_CFG), 0x8, "linear, LOG2SIZE 8");
	ste_of(&d, 0x33, ste); /* no device there */
	cr_assert_eq(ste[0], 0x1, "TV3: V, Config abort");
	for (int i = 1; i < 8; i++)
		cr_assert_eq(ste[i], 0);
	iommu_ctx_destroy(d.ctx);
}

Test(drv_probe, two_level_l1std_span_9)
{
	struct dc d;
	uint64_t base, l1;

	dc_open(&d, NULL, "sid_bits = 16\nstream_table_2level = yes");
	base = rd64(&d, S_STRTAB) & 0x000FFFFFFFFFFFC0ull;
	l1 = m64(&d, base); /* SIDs 0x00..0xff: devices a, b, c */
	cr_assert_eq(l1 & 0x1f, 9, "Span 9 (256 STEs)");
	cr_assert_eq(m64(&d, base + 8), 0, "no device under L1STD 1");
	iommu_ctx_destroy(d.ctx);
}

/* ---- STEs, CDs and leaves ------------------------------------------------ */

/*
 * The page sizes come from the granule and the output size (smmuv3 4.5):
 * with 64K and OAS 52 Arm level 1 holds a 4T block, which the driver
 * writes and the model walks; with OAS 48 it holds none.
 */
Test(drv_probe, granule_64k_oas_52_offers_the_4t_block)
{
	const uint64_t sz4t = 1ull << 42, iova = 3 * sz4t;
	struct iommu_translation t;
	uint64_t done = 0;
	struct iommu_domain *dom = NULL;
	struct dc d;

	dc_open(&d, NULL, "granule = 64k\noas = 48");
	cr_assert_eq(iommu_domain_alloc(d.ctx, IOMMU_DOMAIN_UNMANAGED, &dom),
		     0);
	cr_assert_eq(iommu_domain_pgsize_bitmap(dom),
		     (1ull << 16) | (1ull << 29));
	cr_assert_eq(iommu_domain_free(dom), 0);
	iommu_ctx_destroy(d.ctx);

	dc_open(&d, NULL, "granule = 64k\noas = 52");
	cr_assert_eq(iommu_domain_alloc(d.ctx, IOMMU_DOMAIN_UNMANAGED, &dom),
		     0);
	cr_assert_eq(iommu_domain_pgsize_bitmap(dom),
		     (1ull << 16) | (1ull << 29) | sz4t);
	/* One 4T leaf: IOVA 12T -> PA 0, so RAM at TPA is inside it. */
	cr_assert_eq(iommu_map(dom, iova, 0, sz4t, IOMMU_READ | IOMMU_WRITE),
		     0);
	cr_assert_eq(iommu_attach_device(dom, SID_A), 0);
	cr_assert_eq(iommu_dma_translate(d.ctx, SID_A, IOMMU_NO_PASID,
					 iova + TPA + 0x18, 8,
					 IOMMU_ACCESS_WRITE, &t),
		     0);
	cr_assert_eq(t.phys, TPA + 0x18);
	cr_assert_eq(iommu_detach_device(dom, SID_A), 0);
	cr_assert_eq(iommu_unmap(dom, iova, sz4t, &done), 0);
	cr_assert_eq(done, sz4t);
	cr_assert_eq(iommu_domain_free(dom), 0);
	iommu_ctx_destroy(d.ctx);
}

Test(drv_ste, paging_domain_ste_cd_and_leaf_bytes)
{
	struct dc d;
	struct iommu_domain *dom;
	uint64_t ste[8], cd[8], t, e;

	dc_open(&d, NULL, "sid_bits = 8\noas = 48");
	dom = mapped(&d, TPA, PG);
	cr_assert_eq(iommu_map(dom, TIO + PG, TPA + PG, PG, IOMMU_READ), 0);
	cr_assert_eq(iommu_attach_device(dom, SID_A), 0);
	ste_of(&d, SID_A, ste);
	/* TV3: V, Config 5, one CD (S1Fmt 0, S1CDMax 0) */
	cr_assert_eq(ste[0] & 0xf, 0xb, "STE DW0 0x%llx", U64(ste[0]));
	cr_assert_eq(ste[0] >> 59, 0);
	cr_assert_eq((ste[0] >> 4) & 3, 0);
	/* DW1: TV3's 0xD4, SHCFG incoming, INSTCFG data */
	cr_assert_eq(ste[1], 0xD4ull | 1ull << 44 | 2ull << 50,
		     "STE DW1 0x%llx", U64(ste[1]));
	cr_assert_eq(ste[2], 0);
	cr_assert_eq(ste[3], 0);
	for (int i = 0; i < 8; i++)
		cd[i] = m64(&d, (ste[0] & 0x000FFFFFFFFFFFC0ull) + 8 * i);
	/* TV4 with this domain's ASID */
	cr_assert_eq(cd[0] & 0xFFFFFFFFFFFFull, 0xE205C0003510ull,
		     "CD DW0 0x%llx", U64(cd[0]));
	cr_assert_neq(cd[0] >> 48, 0, "ASID 0 is the blocking CD's");
	cr_assert_eq(cd[3], 0xF404FF44ull, "MAIR");
	cr_assert_eq(cd[2], 0);
	/* TV2's walk from TTB0 to the level-3 leaves */
	t = cd[1] & 0x000FFFFFFFFFFFF0ull;
	for (unsigned int lvl = 0; lvl < 3; lvl++) {
		e = m64(&d, t + 8 * ((TIO >> (39 - 9 * lvl)) & 0x1ff));
		cr_assert_eq(e & 3, 3, "table at level %u: 0x%llx", lvl,
			     U64(e));
		t = e & 0x0000FFFFFFFFF000ull;
	}
	/* TV1 layout: RW 0xF47, read-only 0xFC7 */
	cr_assert_eq(m64(&d, t + 8 * ((TIO >> 12) & 0x1ff)), TPA | 0xF47);
	cr_assert_eq(m64(&d, t + 8 * (((TIO + PG) >> 12) & 0x1ff)),
		     (TPA + PG) | 0xFC7);
	iommu_ctx_destroy(d.ctx);
}

Test(drv_ste, blocked_is_a_recording_cd_never_bypass)
{
	struct dc d;
	struct iommu_domain *blk = NULL;
	struct iommu_translation tr;
	uint64_t ste[8], cd0;

	dc_open(&d, NULL, "sid_bits = 8");
	cr_assert_eq(iommu_domain_alloc(d.ctx, IOMMU_DOMAIN_BLOCKED, &blk), 0);
	cr_assert_eq(iommu_attach_device(blk, SID_A), 0);
	ste_of(&d, SID_A, ste);
	cr_assert_eq(ste[0] & 0xf, 0xb, "stage 1, never Config bypass");
	cd0 = m64(&d, ste[0] & 0x000FFFFFFFFFFFC0ull);
	/* V, EPD0, EPD1, R, A, AA64; ASID 0 */
	cr_assert(cd0 & (1ull << 31) && cd0 & (1ull << 14) &&
		      cd0 & (1ull << 30),
		  "CD DW0 0x%llx", U64(cd0));
	cr_assert(cd0 & (1ull << 45) && cd0 & (1ull << 46));
	cr_assert_eq(cd0 >> 48, 0);
	cr_assert_eq(iommu_dma_translate(d.ctx, SID_A, NP, TPA, 4, AW, &tr),
		     -EFAULT);
	cr_assert_eq(d.nf, 1, "one fault, got %u", d.nf);
	cr_assert_eq(d.f[0].dev_id, SID_A);
	cr_assert_eq(d.f[0].vendor_code, 0x10, "F_TRANSLATION");
	cr_assert_eq(d.f[0].reason, IOMMU_FAULT_NOT_MAPPED);
	cr_assert_eq(d.f[0].access, AW);
	cr_assert_eq(d.f[0].addr, TPA);
	cr_assert(d.f[0].flags & IOMMU_FAULT_F_ADDR_VALID);
	iommu_ctx_destroy(d.ctx);
}

Test(drv_ste, identity_is_config_bypass)
{
	struct dc d;
	struct iommu_domain *id = NULL;
	struct iommu_translation tr;
	uint64_t ste[8];

	dc_open(&d, NULL, "sid_bits = 8");
	cr_assert_eq(iommu_domain_alloc(d.ctx, IOMMU_DOMAIN_IDENTITY, &id), 0);
	cr_assert_eq(iommu_attach_device(id, SID_B), 0);
	ste_of(&d, SID_B, ste);
	cr_assert_eq(ste[0], 0x9, "TV3: V, Config bypass");
	cr_assert_eq(iommu_dma_translate(d.ctx, SID_B, NP, TPA + 8, 4, AR, &tr),
		     0);
	cr_assert_eq(tr.phys, TPA + 8);
	iommu_ctx_destroy(d.ctx);
}

Test(drv_fault, permission_fault_is_decoded_once)
{
	struct dc d;
	struct iommu_domain *dom;
	struct iommu_translation tr;

	dc_open(&d, NULL, "sid_bits = 8");
	dom = mapped(&d, TPA, PG);
	cr_assert_eq(iommu_map(dom, TIO + PG, TPA + PG, PG, IOMMU_READ), 0);
	cr_assert_eq(iommu_attach_device(dom, SID_A), 0);
	cr_assert_eq(
	    iommu_dma_translate(d.ctx, SID_A, NP, TIO + PG + 4, 4, AW, &tr),
	    -EFAULT);
	cr_assert_eq(
	    iommu_dma_translate(d.ctx, SID_A, NP, TIO + 2 * PG, 4, AR, &tr),
	    -EFAULT);
	cr_assert_eq(d.nf, 2);
	cr_assert_eq(d.f[0].vendor_code, 0x13, "F_PERMISSION");
	cr_assert_eq(d.f[0].reason, IOMMU_FAULT_PERMISSION);
	cr_assert_eq(d.f[0].access, AW);
	cr_assert_eq(d.f[0].addr, TIO + PG + 4);
	cr_assert_eq(d.f[1].vendor_code, 0x10, "F_TRANSLATION");
	cr_assert_eq(d.f[1].reason, IOMMU_FAULT_NOT_MAPPED);
	cr_assert_eq(d.f[1].access, AR);
	cr_assert_eq(d.f[1].flags & IOMMU_FAULT_F_PASID_VALID, 0);
	iommu_ctx_destroy(d.ctx);
}

Test(drv_fault, two_entry_event_queue_loses_nothing)
{
	struct dc d;
	struct iommu_domain *dom;
	struct iommu_translation tr;
	unsigned int i;

	dc_open(&d, NULL, "sid_bits = 8\neventq_bits = 1");
	dom = mapped(&d, TPA, PG);
	cr_assert_eq(iommu_attach_device(dom, SID_A), 0);
	for (i = 0; i < 40; i++)
		cr_assert_eq(iommu_dma_translate(d.ctx, SID_A, NP,
						 TIO + (i + 1) * PG, 4, AR,
						 &tr),
			     -EFAULT);
	/* Each DMA's record is read before the next: none is lost. */
	cr_assert_eq(d.nf, 40, "faults %u", d.nf);
	iommu_ctx_destroy(d.ctx);
}

/* ---- unmap without RIL --------------------------------------------------- */

Test(drv_unmap, no_ril_256_pages_is_per_page_then_one_sync)
{
	struct dc d;
	struct iommu_domain *dom;
	static uint64_t c[300][2];
	unsigned int n;

	dc_open(&d, NULL, "sid_bits = 8\nrange_invalidation = no");
	n = unmap_256(&d, c, 300, &dom);
	cr_assert_eq(n, 257, "%u commands", n);
	/* The 256-entry queue wrapped: the sync sits where page 0's TLBI
	 * was. */
	for (unsigned int i = 1; i < 256; i++) {
		cr_assert_eq(c[i][0] & 0xff, 0x12);
		cr_assert_eq(c[i][1], (TIO + i * PG) | 1, "Leaf, TG 0, VA");
	}
	cr_assert_eq(c[256][0] & 0xff, 0x46);
	iommu_ctx_destroy(d.ctx);
}

Test(drv_unmap, no_ril_past_threshold_is_tlbi_asid)
{
	struct dc d;
	struct iommu_domain *dom;
	uint64_t c[8][2];
	unsigned int n;

	dc_open(&d, NULL,
		"sid_bits = 8\nrange_invalidation = no\ninval_threshold = 16");
	n = unmap_256(&d, c, 8, &dom);
	cr_assert_eq(n, 2, "%u commands", n);
	cr_assert_eq(c[0][0] & 0xffff, 0x11, "TLBI_NH_ASID");
	cr_assert_neq(c[0][0] >> 48, 0);
	cr_assert_eq(c[1][0] & 0xff, 0x46);
	iommu_ctx_destroy(d.ctx);
}

Test(drv_unmap, ril_33_pages_follows_tv8)
{
	struct dc d;
	struct iommu_domain *dom;
	uint64_t c[8][2], done = 0;
	uint32_t p0;
	unsigned int n;

	dc_open(&d, NULL, "sid_bits = 8");
	dom = mapped(&d, TPA, 33 * PG);
	cr_assert_eq(iommu_attach_device(dom, SID_A), 0);
	p0 = cq_prod(&d);
	cr_assert_eq(iommu_unmap(dom, TIO, 33 * PG, &done), 0);
	n = cq_since(&d, p0, c, 8);
	/* TV8 with TTL 0: one page (TG 0: NUM = SCALE = TTL = 0 is
	 * reserved), then 32 pages: NUM 0, SCALE 5. */
	cr_assert_eq(n, 3, "%u commands", n);
	cr_assert_eq(c[0][1], TIO | 1, "single page, TG 0");
	cr_assert_eq((c[1][0] >> 12) & 0x1f, 0);
	cr_assert_eq((c[1][0] >> 20) & 0x1f, 5);
	cr_assert_eq(c[1][1] & ~0xfffull, TIO + PG);
	cr_assert_eq((c[1][1] >> 10) & 3, 1);
	cr_assert_eq(c[2][0] & 0xff, 0x46);
	iommu_ctx_destroy(d.ctx);
}

Test(drv_unmap, skipped_domain_free_invalidates_its_asid)
{
	struct dc d;
	struct iommu_domain *dom;
	uint64_t c[4][2];
	uint32_t p0;

	dc_open(&d, NULL, "sid_bits = 8");
	dom = mapped(&d, TPA, PG);
	cr_assert_eq(iommu_attach_device(dom, SID_A), 0);
	cr_assert_eq(iommu_detach_device(dom, SID_A), 0);
	p0 = cq_prod(&d);
	iommu_domain_free(dom);
	cr_assert_eq(cq_since(&d, p0, c, 4), 2);
	cr_assert_eq(c[0][0] & 0xffff, 0x11, "TLBI_NH_ASID at free");
	iommu_ctx_destroy(d.ctx);
}

/* A SubstreamID on a bypass STE: stage 1 is off (sheet 6.2). */
Test(drv_fault, pasid_on_identity_is_bad_substreamid)
{
	struct dc d;
	struct iommu_domain *id = NULL;
	struct iommu_translation tr;

	dc_open(&d, NULL, "sid_bits = 8");
	cr_assert_eq(iommu_domain_alloc(d.ctx, IOMMU_DOMAIN_IDENTITY, &id), 0);
	cr_assert_eq(iommu_attach_device(id, SID_C), 0);
	cr_assert_eq(iommu_dma_translate(d.ctx, SID_C, 5, TPA, 4, AR, &tr),
		     -EFAULT);
	cr_assert_eq(d.nf, 1);
	cr_assert_eq(d.f[0].vendor_code, 0x08);
	cr_assert_eq(d.f[0].reason, IOMMU_FAULT_BAD_PASID);
	cr_assert(d.f[0].flags & IOMMU_FAULT_F_PASID_VALID);
	cr_assert_eq(d.f[0].pasid, 5);
	iommu_ctx_destroy(d.ctx);
}
