// SPDX-License-Identifier: MIT
/*
 * test_drv_sub.c - the library's SMMUv3 driver on stage 2 and on
 * substreams, through the public API (contexts WITH the driver, dc.h):
 * the stage-2 STE words it writes (sheet 2.4, 2.7, 4.4, TV3, TV5), the
 * stage-2 leaves (TV1), TLBI_S2_IPA / TLBI_S12_VMALL (TV7, 5.5), the swap
 * VMID of a stage-2 replace; the per-device CD table of a device with
 * PASIDs (linear and 2-level, 3.3, TV10), CD 0 and S1DSS, CFGI_CD (TV7),
 * the swap ASID of a PASID replace, and the faults of removed PASIDs.
 * Bit positions are the test's own, from the sheet.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dc.h"

/* Bits [hi:lo] of @v. */
#define F(v, hi, lo) (((v) >> (lo)) & ((2ull << ((hi) - (lo))) - 1))

#define S2_16K                                                                 \
	"stage2 = yes\ngranule = 16k\npaging_stage = stage2\n"                 \
	"oas = 48\nsid_bits = 8\n"
#define S2_4K40                                                                \
	"stage2 = yes\ngranule = 4k\npaging_stage = stage2\n"                  \
	"oas = 40\nsid_bits = 8\n"
#define PG16 0x4000ull

/* The group of @sid claimed, on @dom. */
static void own(struct dc *d, uint32_t sid, struct iommu_domain *dom)
{
	uint32_t grp;
	int owner;

	cr_assert_eq(iommu_dev_group(d->ctx, sid, &grp), 0);
	cr_assert_eq(iommu_group_claim_dma_owner(d->ctx, grp, &owner), 0);
	cr_assert_eq(iommu_attach_device(dom, sid), 0);
}

static uint64_t xlate(struct dc *d, uint32_t sid, uint32_t pasid, uint64_t iova,
		      unsigned int acc)
{
	struct iommu_translation tr;
	int ret = iommu_dma_translate(d->ctx, sid, pasid, iova, 4, acc, &tr);

	cr_assert_eq(ret, 0, "DMA 0x%x/%u at 0x%llx: %d", sid, pasid, U64(iova),
		     ret);
	return tr.phys;
}

/* The DMA faults with event @code (and one report). */
static void xfault(struct dc *d, uint32_t sid, uint32_t pasid, uint64_t iova,
		   unsigned int code)
{
	struct iommu_translation tr;
	unsigned int n0 = d->nf;

	cr_assert_eq(iommu_dma_translate(d->ctx, sid, pasid, iova, 4, AR, &tr),
		     -EFAULT);
	cr_assert_eq(d->nf, n0 + 1, "%u faults", d->nf - n0);
	cr_assert_eq(d->f[n0 % 16].vendor_code, code, "event 0x%x, not 0x%x",
		     d->f[n0 % 16].vendor_code, code);
}

/* ---- stage 2 ------------------------------------------------------------- */

Test(drv_s2, ste_16k_concatenated_start_tables)
{
	struct dc d;
	struct iommu_domain *dom;
	uint64_t ste[8], root, e, t;

	dc_open(&d, NULL, S2_16K);
	dom = mapped(&d, TPA, PG16);
	cr_assert_eq(iommu_domain_pgsize_bitmap(dom), PG16 | 1ull << 25,
		     "16K pages and 32M blocks");
	own(&d, SID_A, dom);
	ste_of(&d, SID_A, ste);
	cr_assert_eq(ste[0], 0xD, "TV3: V, Config stage 2: 0x%llx",
		     U64(ste[0]));
	/* sheet 2.4 / 2.7 / 4.4: a 48-bit IPA with 16K starts at level 1
	 * with 2 concatenated tables: S2T0SZ 16, S2SL0 0b10. */
	cr_assert_neq(F(ste[2], 15, 0), 0, "S2VMID 0 is stage 1's");
	cr_assert_eq(F(ste[2], 37, 32), 16, "S2T0SZ");
	cr_assert_eq(F(ste[2], 39, 38), 2, "S2SL0");
	cr_assert_eq(F(ste[2], 41, 40), 1, "S2IR0 WB");
	cr_assert_eq(F(ste[2], 43, 42), 1, "S2OR0 WB");
	cr_assert_eq(F(ste[2], 45, 44), 3, "S2SH0 ISH");
	cr_assert_eq(F(ste[2], 47, 46), 2, "S2TG 16K");
	cr_assert_eq(F(ste[2], 50, 48), 5, "S2PS 48 bits");
	cr_assert_eq(F(ste[2], 63, 51), 1 | 1 << 3 | 1 << 7,
		     "S2AA64, S2PTW, S2R only: 0x%llx", U64(ste[2]));
	root = ste[3] & 0x000FFFFFFFFFFFF0ull;
	cr_assert_eq(ste[3] & ~0x000FFFFFFFFFFFF0ull, 0, "DW3 0x%llx",
		     U64(ste[3]));
	cr_assert_eq(root & (2 * PG16 - 1), 0, "two tables, 32K aligned");
	/* Walk: L1 IPA[47:36] (4096 entries), L2 [35:25], L3 [24:14]. */
	e = m64(&d, root + 8 * ((TIO >> 36) & 0xfff));
	cr_assert_eq(e & 3, 3);
	t = e & 0x0000FFFFFFFFC000ull;
	e = m64(&d, t + 8 * ((TIO >> 25) & 0x7ff));
	cr_assert_eq(e & 3, 3);
	t = e & 0x0000FFFFFFFFC000ull;
	/* TV1's stage-2 line: S2AP RW, MemAttr 0xF, ISH, AF, page. */
	cr_assert_eq(m64(&d, t + 8 * ((TIO >> 14) & 0x7ff)), TPA | 0x7FF);
	cr_assert_eq(xlate(&d, SID_A, NP, TIO + 0x3ff8, AW), TPA + 0x3ff8);
	iommu_ctx_destroy(d.ctx);
}

/* TV5: IAS 40 with 4K: 2 concatenated tables at level 1, S2T0SZ 24,
 * S2SL0 0b01; IPA 0x80_4020_1234 is table 1 entry 1. */
Test(drv_s2, tv5_4k_ias40)
{
	struct dc d;
	struct iommu_domain *dom = NULL;
	uint64_t ste[8], root, e;

	dc_open(&d, NULL, S2_4K40);
	cr_assert_eq(iommu_domain_alloc(d.ctx, IOMMU_DOMAIN_UNMANAGED, &dom),
		     0);
	cr_assert_eq(
	    iommu_map(dom, 0x8040201000ull, TPA, PG, IOMMU_READ | IOMMU_WRITE),
	    0);
	cr_assert_eq(iommu_map(dom, 1ull << 40, TPA, PG, IOMMU_READ), -ERANGE,
		     "beyond the 40-bit IPA");
	own(&d, SID_A, dom);
	ste_of(&d, SID_A, ste);
	cr_assert_eq(F(ste[2], 37, 32), 24, "S2T0SZ");
	cr_assert_eq(F(ste[2], 39, 38), 1, "S2SL0");
	cr_assert_eq(F(ste[2], 47, 46), 0, "S2TG 4K");
	cr_assert_eq(F(ste[2], 50, 48), 2, "S2PS 40 bits");
	root = ste[3] & 0x000FFFFFFFFFFFF0ull;
	cr_assert_eq(root & 0x1fff, 0, "8 KiB aligned");
	e = m64(&d, root + 4096 + 8);
	cr_assert_eq(e & 3, 3, "table 1, entry 1: 0x%llx", U64(e));
	cr_assert_eq(xlate(&d, SID_A, NP, 0x8040201234ull, AR), TPA + 0x234);
	iommu_ctx_destroy(d.ctx);
}

/* 64K with a 52-bit OAS: S2PS 52 (sheet 4.11: 64K holds OA[51:48]), a
 * 48-bit IPA from level 1 (64 entries, S2SL0 0b10), S2TG 0b01. */
Test(drv_s2, ste_64k_oas52)
{
	struct dc d;
	struct iommu_domain *dom;
	uint64_t ste[8];

	dc_open(&d, NULL,
		"stage2 = yes\ngranule = 64k\npaging_stage = stage2\n"
		"oas = 52\nsid_bits = 8\n");
	dom = mapped(&d, TPA, 0x10000);
	own(&d, SID_A, dom);
	ste_of(&d, SID_A, ste);
	cr_assert_eq(F(ste[2], 37, 32), 16, "S2T0SZ");
	cr_assert_eq(F(ste[2], 39, 38), 2, "S2SL0");
	cr_assert_eq(F(ste[2], 47, 46), 1, "S2TG 64K");
	cr_assert_eq(F(ste[2], 50, 48), 6, "S2PS 52 bits");
	cr_assert_eq(xlate(&d, SID_A, NP, TIO + 0xfff0, AR), TPA + 0xfff0);
	iommu_ctx_destroy(d.ctx);
}

/* 4K with a 48-bit IPA: four levels from level 0 (S2SL0 0b10), no
 * concatenation (512 entries). */
Test(drv_s2, ste_4k_ipa48_starts_at_level0)
{
	struct dc d;
	struct iommu_domain *dom;
	uint64_t ste[8];

	dc_open(&d, NULL,
		"stage2 = yes\ngranule = 4k\npaging_stage = stage2\n"
		"oas = 48\nsid_bits = 8\n");
	dom = mapped(&d, TPA, PG);
	own(&d, SID_A, dom);
	ste_of(&d, SID_A, ste);
	cr_assert_eq(F(ste[2], 37, 32), 16, "S2T0SZ");
	cr_assert_eq(F(ste[2], 39, 38), 2, "S2SL0");
	cr_assert_eq(F(ste[2], 50, 48), 5, "S2PS 48 bits");
	cr_assert_eq(xlate(&d, SID_A, NP, TIO + 8, AR), TPA + 8);
	iommu_ctx_destroy(d.ctx);
}

/* A write-only mapping is expressible at stage 2 (S2AP 0b10). */
Test(drv_s2, write_only_faults_reads)
{
	struct dc d;
	struct iommu_domain *dom = NULL;

	dc_open(&d, NULL, S2_16K);
	cr_assert_eq(iommu_domain_alloc(d.ctx, IOMMU_DOMAIN_UNMANAGED, &dom),
		     0);
	cr_assert_eq(iommu_map(dom, TIO, TPA, PG16, IOMMU_WRITE), 0);
	own(&d, SID_A, dom);
	cr_assert_eq(xlate(&d, SID_A, NP, TIO + 8, AW), TPA + 8);
	xfault(&d, SID_A, NP, TIO + 8, 0x13);
	cr_assert_eq(d.f[0].reason, IOMMU_FAULT_PERMISSION);
	iommu_ctx_destroy(d.ctx);
}

/* Unmap 256 x 4K at TIO of a stage-2 domain; the commands and its VMID. */
static unsigned int s2_unmap_256(struct dc *d, uint64_t (*c)[2],
				 unsigned int max, uint16_t *vmid)
{
	struct iommu_domain *dom = mapped(d, TPA, 256 * PG);
	uint64_t done = 0, ste[8];
	uint32_t p0;

	own(d, SID_A, dom);
	ste_of(d, SID_A, ste);
	*vmid = (uint16_t)F(ste[2], 15, 0);
	p0 = cq_prod(d);
	cr_assert_eq(iommu_unmap(dom, TIO, 256 * PG, &done), 0);
	cr_assert_eq(done, 256 * PG);
	return cq_since(d, p0, c, max);
}

Test(drv_s2, ril_256_pages_is_one_tlbi_s2_ipa_and_one_sync)
{
	struct dc d;
	uint64_t c[8][2];
	uint16_t vmid;
	unsigned int n;

	dc_open(&d, NULL, S2_4K40);
	n = s2_unmap_256(&d, c, 8, &vmid);
	cr_assert_eq(n, 2, "%u commands", n);
	/* sheet 5.4, 5.5: TLBI_S2_IPA, VMID, NUM 0, SCALE 8, TG 4K, IPA */
	cr_assert_eq(c[0][0] & 0xff, 0x2A);
	cr_assert_eq(F(c[0][0], 47, 32), vmid);
	cr_assert_eq(F(c[0][0], 16, 12), 0, "NUM");
	cr_assert_eq(F(c[0][0], 24, 20), 8, "SCALE");
	cr_assert_eq(F(c[0][1], 11, 10), 1, "TG");
	cr_assert_eq(F(c[0][1], 9, 8), 0, "TTL");
	cr_assert_eq(c[0][1] & 0x000FFFFFFFFFF000ull, TIO);
	cr_assert_eq(c[1][0], 0x46, "CMD_SYNC, CS none");
	xfault(&d, SID_A, NP, TIO + 255 * PG, 0x10);
	cr_assert_eq(d.f[0].reason, IOMMU_FAULT_NOT_MAPPED);
	iommu_ctx_destroy(d.ctx);
}

Test(drv_s2, no_ril_past_threshold_is_tlbi_s12_vmall)
{
	struct dc d;
	uint64_t c[8][2];
	uint16_t vmid;
	unsigned int n;

	dc_open(&d, NULL,
		S2_4K40 "range_invalidation = no\ninval_threshold = 16\n");
	n = s2_unmap_256(&d, c, 8, &vmid);
	cr_assert_eq(n, 2, "%u commands", n);
	/* TV7: TLBI_S12_VMALL VMID v = (v << 32) | 0x28 */
	cr_assert_eq(c[0][0], (uint64_t)vmid << 32 | 0x28);
	cr_assert_eq(c[0][1], 0);
	iommu_ctx_destroy(d.ctx);
}

Test(drv_s2, no_ril_per_granule_tlbi_s2_ipa)
{
	struct dc d;
	static uint64_t c[300][2];
	uint16_t vmid;
	unsigned int n;

	dc_open(&d, NULL, S2_4K40 "range_invalidation = no\n");
	n = s2_unmap_256(&d, c, 300, &vmid);
	cr_assert_eq(n, 257, "%u commands", n);
	for (unsigned int i = 1; i < 256; i++) {
		cr_assert_eq(c[i][0], (uint64_t)vmid << 32 | 0x2A);
		cr_assert_eq(c[i][1], (TIO + i * PG) | 1, "Leaf, TG 0, IPA");
	}
	iommu_ctx_destroy(d.ctx);
}

/* Two stage-2 domains: the STE goes through the swap VMID, one word per
 * CFGI_STE, the last step with TLBI_S12_VMALL(swap). */
Test(drv_s2, replace_goes_through_the_swap_vmid)
{
	struct dc d;
	struct iommu_domain *a, *b;
	uint64_t c[16][2], sa[8], sb[8];
	uint32_t grp, p0;
	unsigned int n;

	dc_open(&d, NULL, S2_16K);
	a = mapped(&d, TPA, PG16);
	b = mapped(&d, TPA + 0x100000, PG16);
	own(&d, SID_A, a);
	ste_of(&d, SID_A, sa);
	cr_assert_eq(iommu_attach_device(b, SID_B), 0);
	ste_of(&d, SID_B, sb);
	cr_assert_neq(F(sa[2], 15, 0), F(sb[2], 15, 0), "one VMID each");
	cr_assert_eq(iommu_dev_group(d.ctx, SID_A, &grp), 0);
	p0 = cq_prod(&d);
	cr_assert_eq(iommu_group_replace_domain(d.ctx, grp, b), 0);
	n = cq_since(&d, p0, c, 16);
	cr_assert_eq(n, 7, "%u commands", n);
	for (unsigned int i = 0; i < 6; i += 2) {
		cr_assert_eq(c[i][0], (uint64_t)SID_A << 32 | 0x3,
			     "CFGI_STE %u", i);
		cr_assert_eq(c[i][1], 1, "Leaf");
	}
	cr_assert_eq(c[1][0], 0x46);
	cr_assert_eq(c[3][0], 0x46);
	cr_assert_eq(c[5][0], 0xffffull << 32 | 0x28,
		     "TLBI_S12_VMALL of the swap VMID");
	cr_assert_eq(c[6][0], 0x46);
	ste_of(&d, SID_A, sa);
	cr_assert_eq(sa[2], sb[2]);
	cr_assert_eq(sa[3], sb[3]);
	cr_assert_eq(xlate(&d, SID_A, NP, TIO + 8, AR), TPA + 0x100000 + 8);
	iommu_ctx_destroy(d.ctx);
}

/* From stage 2 to blocked and identity: DW0 alone; DW2/DW3 stay. */
Test(drv_s2, blocked_and_identity_keep_the_stage2_words)
{
	struct dc d;
	struct iommu_domain *a, *blk = NULL;
	uint64_t s0[8], s1[8];
	uint32_t grp;

	dc_open(&d, NULL, S2_16K);
	a = mapped(&d, TPA, PG16);
	own(&d, SID_A, a);
	ste_of(&d, SID_A, s0);
	cr_assert_eq(iommu_domain_alloc(d.ctx, IOMMU_DOMAIN_BLOCKED, &blk), 0);
	cr_assert_eq(iommu_dev_group(d.ctx, SID_A, &grp), 0);
	cr_assert_eq(iommu_detach_device(a, SID_A), 0);
	ste_of(&d, SID_A, s1);
	cr_assert_eq(s1[0] & 0xf, 0xb, "blocked: stage 1 with the EPD CD");
	cr_assert_eq(s1[1], s0[1]);
	cr_assert_eq(s1[2], s0[2]);
	cr_assert_eq(s1[3], s0[3]);
	xfault(&d, SID_A, NP, TIO, 0x10);
	iommu_ctx_destroy(d.ctx);
}

Test(drv_s2, free_invalidates_its_vmid)
{
	struct dc d;
	struct iommu_domain *dom;
	uint64_t c[4][2], ste[8];
	uint32_t p0;

	dc_open(&d, NULL, S2_16K);
	dom = mapped(&d, TPA, PG16);
	own(&d, SID_A, dom);
	ste_of(&d, SID_A, ste);
	cr_assert_eq(iommu_detach_device(dom, SID_A), 0);
	p0 = cq_prod(&d);
	cr_assert_eq(iommu_domain_free(dom), 0);
	cr_assert_eq(cq_since(&d, p0, c, 4), 2);
	cr_assert_eq(c[0][0], F(ste[2], 15, 0) << 32 | 0x28);
	iommu_ctx_destroy(d.ctx);
}

Test(drv_s2, no_substreams_in_stage2_mode)
{
	struct dc d;
	struct iommu_domain *dom;

	dc_open(&d, NULL, S2_16K);
	dom = mapped(&d, TPA, PG16);
	cr_assert_not(iommu_dev_has_feature(d.ctx, SID_P, IOMMU_DEV_FEAT_AUX));
	cr_assert_eq(iommu_attach_device_pasid(dom, SID_P, 5), -EOPNOTSUPP);
	iommu_ctx_destroy(d.ctx);
}

Test(drv_s2, stage2_mode_needs_s2p)
{
	struct dc d;

	cr_assert_eq(dc_try(&d, NULL,
			    "stage2 = no\npaging_stage = stage2\nsid_bits = 8"),
		     -ENODEV, "%s", d.err);
}

/* ---- 52-bit output with the 4K granule ------------------------------------
 */

/* IDR5.DS: CD.DS and IPS 52; leaves in the FEAT_LPA2 layout (TV6), so a
 * page above 2^48 is reachable; SH comes from CD.SH0. */
Test(drv_52, ds_cd_and_a_page_above_2_48)
{
	const uint64_t hi = 0x000F000012345000ull;
	struct dc d;
	struct iommu_domain *dom;
	uint64_t ste[8], cd[8], t, e;
	uint32_t v = 0x5a5a1234, back = 0;

	dc_open(&d, NULL, "sid_bits = 8\noas = 52\nds = yes\ngranule = 4k");
	cr_assert(rd32(&d, S_IDR5) & 1u << 7, "IDR5.DS");
	cr_assert_eq(iommu_mem_add_ram(d.ctx, hi & ~0xffffull, 0x10000, NULL),
		     0);
	dom = mapped(&d, TPA, PG);
	cr_assert_eq(iommu_map(dom, TIO + PG, hi, PG, IOMMU_READ | IOMMU_WRITE),
		     0);
	cr_assert_eq(iommu_attach_device(dom, SID_A), 0);
	ste_of(&d, SID_A, ste);
	for (int i = 0; i < 8; i++)
		cd[i] = m64(&d, (ste[0] & 0x000FFFFFFFFFFFC0ull) + 8 * i);
	cr_assert_eq(F(cd[0], 34, 32), 6, "IPS 52");
	cr_assert_eq(F(cd[0], 13, 12), 3, "SH0 ISH");
	cr_assert_eq(cd[2], 1ull << 58, "DS");
	t = cd[1] & 0x000FFFFFFFFFFFF0ull;
	for (unsigned int lvl = 0; lvl < 3; lvl++) {
		e = m64(&d, t + 8 * ((TIO >> (39 - 9 * lvl)) & 0x1ff));
		cr_assert_eq(e & 3, 3);
		t = e & 0x0003FFFFFFFFF000ull;
	}
	/* TV1 without SH (bits 9:8 are OA[51:50]); TV6 for the high page */
	cr_assert_eq(m64(&d, t + 8 * ((TIO >> 12) & 0x1ff)), TPA | 0xC47);
	cr_assert_eq(m64(&d, t + 8 * (((TIO + PG) >> 12) & 0x1ff)),
		     0x0003000012345000ull | 0x300 | 0xC47);
	cr_assert_eq(xlate(&d, SID_A, NP, TIO + PG + 0x10, AW), hi + 0x10);
	cr_assert_eq(iommu_dma_write(d.ctx, SID_A, NP, TIO + PG + 0x10, &v, 4),
		     0);
	cr_assert_eq(iommu_mem_read(d.ctx, hi + 0x10, &back, 4), 0);
	cr_assert_eq(back, v);
	iommu_ctx_destroy(d.ctx);
}

/* Without IDR5.DS a 4K table stays at 48 bits: IPS 48, no DS. */
Test(drv_52, no_ds_caps_4k_at_48_bits)
{
	struct dc d;
	struct iommu_domain *dom;
	uint64_t ste[8], cd0, cd2;

	dc_open(&d, NULL, "sid_bits = 8\noas = 52\ngranule = 4k");
	dom = mapped(&d, TPA, PG);
	cr_assert_eq(iommu_map(dom, TIO + PG, 1ull << 48, PG, IOMMU_READ),
		     -ERANGE);
	cr_assert_eq(iommu_attach_device(dom, SID_A), 0);
	ste_of(&d, SID_A, ste);
	cd0 = m64(&d, ste[0] & 0x000FFFFFFFFFFFC0ull);
	cd2 = m64(&d, (ste[0] & 0x000FFFFFFFFFFFC0ull) + 16);
	cr_assert_eq(F(cd0, 34, 32), 5, "IPS 48");
	cr_assert_eq(cd2, 0, "no DS");
	iommu_ctx_destroy(d.ctx);
}

/* ---- substreams ---------------------------------------------------------- */

/* The CD @ssid of @sid's table (linear or 2-level, from its STE). */
static void cd_of(struct dc *d, uint32_t sid, uint32_t ssid, uint64_t cd[8])
{
	uint64_t ste[8], base, at;

	ste_of(d, sid, ste);
	base = ste[0] & 0x000FFFFFFFFFFFC0ull;
	at = base + 64ull * ssid;
	if (F(ste[0], 5, 4) == 2) {
		uint64_t l1 = m64(d, base + 8ull * (ssid >> 10));

		cr_assert(l1 & 1, "L1CD of SSID 0x%x not valid", ssid);
		at = (l1 & 0x000FFFFFFFFFF000ull) + 64ull * (ssid & 1023);
	}
	for (int i = 0; i < 8; i++)
		cd[i] = m64(d, at + 8 * i);
}

Test(drv_sub, first_pasid_builds_a_2level_cd_table)
{
	struct dc d;
	struct iommu_domain *x;
	uint64_t before[8], ste[8], cd0[8], cdx[8], prim[8];

	dc_open(&d, NULL, "sid_bits = 8");
	ste_of(&d, SID_P, before);
	for (int i = 0; i < 8; i++)
		prim[i] = m64(&d, (before[0] & 0x000FFFFFFFFFFFC0ull) + 8 * i);
	x = mapped(&d, TPA, PG);
	cr_assert_eq(iommu_attach_device_pasid(x, SID_P, 5), 0);
	ste_of(&d, SID_P, ste);
	/* sheet 2.4, 2.5, 3.3: Config 5, S1Fmt 0b10, S1CDMax 20, S1DSS
	 * 0b10 (no SubstreamID: CD 0) */
	cr_assert_eq(ste[0] & 0xf, 0xb);
	cr_assert_eq(F(ste[0], 5, 4), 2, "S1Fmt 64K leaves");
	cr_assert_eq(F(ste[0], 63, 59), 20, "S1CDMax");
	cr_assert_eq(F(ste[1], 1, 0), 2, "S1DSS");
	cr_assert_eq(ste[1] & ~3ull, before[1] & ~3ull, "rest of DW1");
	cr_assert_eq(m64(&d, (ste[0] & 0x000FFFFFFFFFFFC0ull) + 8), 0,
		     "one leaf so far");
	cr_assert_eq(m64(&d, ste[0] & 0x000FFFFFFFFFFFC0ull) & 0xffff, 1,
		     "L1CD 0: V, 64K-aligned L2Ptr");
	cd_of(&d, SID_P, 0, cd0);
	for (int i = 0; i < 8; i++)
		cr_assert_eq(cd0[i], prim[i], "CD 0 is the primary's, DW%d", i);
	cd_of(&d, SID_P, 5, cdx);
	cr_assert(cdx[0] & 1ull << 31, "CD 5 valid");
	cr_assert_neq(F(cdx[0], 63, 48), F(cd0[0], 63, 48), "its own ASID");
	cr_assert_eq(cdx[0] & 0xFFFFFFFFFFFFull, cd0[0] & 0xFFFFFFFFFFFFull);
	cr_assert_eq(cdx[3], 0xF404FF44ull);
	cr_assert_eq(xlate(&d, SID_P, 5, TIO + 8, AW), TPA + 8);
	/* SubstreamID 0 is refused (S1DSS 0b10): F_STREAM_DISABLED. */
	xfault(&d, SID_P, 0, TIO, 0x06);
	/* No SubstreamID: the primary (DMA) domain, TIO unmapped there. */
	xfault(&d, SID_P, NP, TIO, 0x10);
	iommu_ctx_destroy(d.ctx);
}

/* TV10: SSID 0x12345 in a 2-level table is L1CD 72, CD 837 of its leaf;
 * the new L1CD is invalidated with CFGI_CD Leaf 0. */
Test(drv_sub, pasid_in_a_new_leaf_tv10)
{
	struct dc d;
	struct iommu_domain *x, *y;
	uint64_t ste[8], l1, c[4][2];
	uint32_t p0;

	dc_open(&d, NULL, "sid_bits = 8");
	x = mapped(&d, TPA, PG);
	y = mapped(&d, TPA + 0x10000, PG);
	cr_assert_eq(iommu_attach_device_pasid(x, SID_P, 5), 0);
	p0 = cq_prod(&d);
	cr_assert_eq(iommu_attach_device_pasid(y, SID_P, 0x12345), 0);
	cr_assert_eq(cq_since(&d, p0, c, 4), 2);
	cr_assert_eq(c[0][0], (uint64_t)SID_P << 32 | 0x12345ull << 12 | 0x5,
		     "CFGI_CD 0x%llx", U64(c[0][0]));
	cr_assert_eq(c[0][1], 0, "Leaf 0: the L1CD is new");
	ste_of(&d, SID_P, ste);
	l1 = m64(&d, (ste[0] & 0x000FFFFFFFFFFFC0ull) + 0x240);
	cr_assert_eq(l1 & 0xfff, 1, "L1CD 72: V");
	cr_assert(m64(&d, (l1 & 0x000FFFFFFFFFF000ull) + 0xD140) & 1ull << 31,
		  "CD 837 of the leaf");
	cr_assert_eq(xlate(&d, SID_P, 0x12345, TIO + 8, AR), TPA + 0x10008);
	cr_assert_eq(xlate(&d, SID_P, 5, TIO + 8, AR), TPA + 8);
	iommu_ctx_destroy(d.ctx);
}

/* ssid_bits 8: a linear table of 256 CDs; CFGI_CD Leaf 1 as TV7. */
Test(drv_sub, linear_cd_table_and_cfgi_cd_tv7)
{
	struct dc d;
	struct iommu_domain *x, *y;
	uint64_t ste[8], c[4][2];
	uint32_t p0;

	dc_open(&d, NULL, "sid_bits = 8\nssid_bits = 8");
	x = mapped(&d, TPA, PG);
	y = mapped(&d, TPA + 0x10000, PG);
	cr_assert_eq(iommu_attach_device_pasid(x, SID_P, 5), 0);
	ste_of(&d, SID_P, ste);
	cr_assert_eq(F(ste[0], 5, 4), 0, "S1Fmt linear");
	cr_assert_eq(F(ste[0], 63, 59), 8, "S1CDMax");
	cr_assert_eq(ste[0] & 0x3fc0, 0, "16 KiB table, aligned");
	cr_assert(m64(&d, (ste[0] & 0x000FFFFFFFFFFFC0ull) + 5 * 64) &
		      1ull << 31,
		  "CD 5 at table + 5 x 64");
	p0 = cq_prod(&d);
	cr_assert_eq(iommu_attach_device_pasid(y, SID_P, 3), 0);
	cr_assert_eq(cq_since(&d, p0, c, 4), 2);
	/* TV7: CFGI_CD SID 0x10, SSID 3, Leaf 1 = 0x0000_0010_0000_3005;
	 * here SID 0x30 */
	cr_assert_eq(c[0][0], 0x0000003000003005ull);
	cr_assert_eq(c[0][1], 1);
	cr_assert_eq(xlate(&d, SID_P, 3, TIO, AR), TPA + 0x10000);
	cr_assert_eq(iommu_attach_device_pasid(x, SID_P, 256), -ENOSPC,
		     "PASID 256 beyond S1CDMax 8");
	iommu_ctx_destroy(d.ctx);
}

/* Removing one of two PASIDs: V = 0 (C_BAD_CD); the last one: the STE
 * back to the primary's single CD (C_BAD_SUBSTREAMID). */
Test(drv_sub, removed_pasids_fault)
{
	struct dc d;
	struct iommu_domain *x, *y;
	uint64_t before[8], ste[8];

	dc_open(&d, NULL, "sid_bits = 8");
	ste_of(&d, SID_P, before);
	x = mapped(&d, TPA, PG);
	y = mapped(&d, TPA + 0x10000, PG);
	cr_assert_eq(iommu_attach_device_pasid(x, SID_P, 5), 0);
	cr_assert_eq(iommu_attach_device_pasid(y, SID_P, 6), 0);
	cr_assert_eq(iommu_detach_device_pasid(x, SID_P, 5), 0);
	xfault(&d, SID_P, 5, TIO, 0x0A);
	cr_assert_eq(d.f[0].reason, IOMMU_FAULT_BAD_ENTRY);
	cr_assert_eq(d.f[0].pasid, 5);
	cr_assert_eq(xlate(&d, SID_P, 6, TIO, AR), TPA + 0x10000);
	cr_assert_eq(iommu_detach_device_pasid(y, SID_P, 6), 0);
	ste_of(&d, SID_P, ste);
	cr_assert_eq(ste[0], before[0], "DW0 back to the primary's CD");
	xfault(&d, SID_P, 6, TIO, 0x08);
	cr_assert_eq(d.f[1].reason, IOMMU_FAULT_BAD_PASID);
	iommu_ctx_destroy(d.ctx);
}

/* A PASID replace: ASID and TTB0 change through the swap ASID, one word
 * per CFGI_CD, then TLBI_NH_ASID(swap). */
Test(drv_sub, replace_goes_through_the_swap_asid)
{
	struct dc d;
	struct iommu_domain *x, *y;
	uint64_t c[16][2], cd[8];
	uint32_t p0;
	unsigned int n;

	dc_open(&d, NULL, "sid_bits = 8");
	x = mapped(&d, TPA, PG);
	y = mapped(&d, TPA + 0x10000, PG);
	cr_assert_eq(iommu_attach_device_pasid(x, SID_P, 7), 0);
	p0 = cq_prod(&d);
	cr_assert_eq(iommu_replace_device_pasid(y, SID_P, 7), 0);
	n = cq_since(&d, p0, c, 16);
	cr_assert_eq(n, 7, "%u commands", n);
	for (unsigned int i = 0; i < 6; i += 2) {
		cr_assert_eq(c[i][0], (uint64_t)SID_P << 32 | 7 << 12 | 0x5);
		cr_assert_eq(c[i][1], 1);
	}
	cr_assert_eq(c[5][0], 0xffffull << 48 | 0x11,
		     "TLBI_NH_ASID of the swap ASID");
	cr_assert_eq(c[6][0], 0x46);
	cd_of(&d, SID_P, 7, cd);
	cr_assert_neq(F(cd[0], 63, 48), 0xffff);
	cr_assert_eq(xlate(&d, SID_P, 7, TIO, AR), TPA + 0x10000);
	iommu_ctx_destroy(d.ctx);
}

/* Rule 8: no primary attach while a PASID is attached. */
Test(drv_sub, primary_attach_refused_while_pasids)
{
	struct dc d;
	struct iommu_domain *x, *y;

	dc_open(&d, NULL, "sid_bits = 8");
	x = mapped(&d, TPA, PG);
	y = mapped(&d, TPA + 0x10000, PG);
	cr_assert_eq(iommu_attach_device_pasid(x, SID_P, 5), 0);
	cr_assert_eq(iommu_attach_device(y, SID_P), -EBUSY);
	cr_assert_eq(iommu_detach_device_pasid(x, SID_P, 5), 0);
	cr_assert_eq(iommu_attach_device(y, SID_P), 0);
	cr_assert_eq(xlate(&d, SID_P, NP, TIO, AR), TPA + 0x10000);
	iommu_ctx_destroy(d.ctx);
}

/* Identity primary: S1DSS bypass, CD 0 unused. */
Test(drv_sub, identity_primary_bypasses_without_substream)
{
	struct dc d;
	struct iommu_domain *x;
	uint64_t ste[8];

	dc_open(&d, "default_domain = identity\ninvalidation = strict",
		"sid_bits = 8");
	x = mapped(&d, TPA, PG);
	cr_assert_eq(iommu_attach_device_pasid(x, SID_P, 9), 0);
	ste_of(&d, SID_P, ste);
	cr_assert_eq(ste[0] & 0xf, 0xb);
	cr_assert_eq(F(ste[1], 1, 0), 1, "S1DSS bypass");
	cr_assert_eq(xlate(&d, SID_P, NP, TPA + 8, AR), TPA + 8);
	cr_assert_eq(xlate(&d, SID_P, 9, TIO + 8, AR), TPA + 8);
	iommu_ctx_destroy(d.ctx);
}

/* The aux API over set_dev_pasid: one PASID per domain. */
Test(drv_sub, aux_domains_on_substreams)
{
	struct dc d;
	struct iommu_domain *x, *y;
	uint32_t px = 0, py = 0;

	dc_open(&d, NULL, "sid_bits = 8");
	cr_assert(iommu_dev_has_feature(d.ctx, SID_P, IOMMU_DEV_FEAT_AUX));
	cr_assert_not(iommu_dev_has_feature(d.ctx, SID_A, IOMMU_DEV_FEAT_AUX));
	cr_assert_eq(iommu_dev_enable_feature(d.ctx, SID_P, IOMMU_DEV_FEAT_AUX),
		     0);
	x = mapped(&d, TPA, PG);
	y = mapped(&d, TPA + 0x10000, PG);
	cr_assert_eq(iommu_aux_attach_device(x, SID_P), 0);
	cr_assert_eq(iommu_aux_attach_device(y, SID_P), 0);
	cr_assert_eq(iommu_aux_get_pasid(x, SID_P, &px), 0);
	cr_assert_eq(iommu_aux_get_pasid(y, SID_P, &py), 0);
	cr_assert_neq(px, py);
	cr_assert_eq(xlate(&d, SID_P, px, TIO + 4, AW), TPA + 4);
	cr_assert_eq(xlate(&d, SID_P, py, TIO + 4, AW), TPA + 0x10004);
	cr_assert_eq(
	    iommu_dev_disable_feature(d.ctx, SID_P, IOMMU_DEV_FEAT_AUX),
	    -EBUSY);
	cr_assert_eq(iommu_aux_detach_device(x, SID_P), 0);
	cr_assert_eq(iommu_aux_detach_device(y, SID_P), 0);
	cr_assert_eq(
	    iommu_dev_disable_feature(d.ctx, SID_P, IOMMU_DEV_FEAT_AUX), 0);
	iommu_ctx_destroy(d.ctx);
}

/* No SSIDSIZE: no AUX, PASID attach refused. */
Test(drv_sub, no_ssidsize_no_substreams)
{
	struct dc d;
	struct iommu_domain *x;

	dc_open(&d, NULL, "sid_bits = 8\nssid_bits = 0");
	x = mapped(&d, TPA, PG);
	cr_assert_not(iommu_dev_has_feature(d.ctx, SID_P, IOMMU_DEV_FEAT_AUX));
	cr_assert_eq(iommu_attach_device_pasid(x, SID_P, 5), -EOPNOTSUPP);
	iommu_ctx_destroy(d.ctx);
}
