// SPDX-License-Identifier: MIT
/*
 * test_drv_v2.c - the library's AMD-Vi driver through the public API: v2
 * paging domains and PASIDs through each device's GCR3 table (DTE GV,
 * GIoV, GLX and the GCR3 root; GCR3 entries; INVALIDATE_IOMMU_PAGES with
 * GN and PASID), and v1 domains that grow their mode on demand (the DTE of
 * every device on the domain, and the flush).  As in test_drv.c, what
 * the driver wrote is read back from memory and decoded with the test's
 * own field positions from the sheet (spec/amdvi.md 2.2, 3.1, 4.1, 4.2,
 * 5.3, 5.4).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "ag.h"
#include "dt.h"


#define V2_CFG "pgtable = v2\npasid_bits = 20\nglx_max = 2\n"

/* Sheet 2.2: GCR3 root = [14:12] from bits 60:58, [30:15] from 95:80,
 * [51:31] from 127:107. */
static uint64_t gcr3_root(const uint64_t q[4])
{
	return ((q[0] >> 58) & 7) << 12 | ((q[1] >> 16) & 0xffff) << 15 |
	       ((q[1] >> 43) & 0x1fffff) << 31;
}

/* Sheet 4.2: the GCR3 entry of @pasid (levels GLX .. 0), 0 if a level
 * above it is not valid. */
static uint64_t gcr3_entry(struct dt *t, const uint64_t q[4], uint32_t pasid)
{
	uint64_t tbl = gcr3_root(q), e = 0;

	for (int l = (int)DTE_GLX(q[0]); l >= 0; l--) {
		e = dt_mem64(t, tbl + 8 * ((pasid >> (9 * l)) & 0x1ff));
		if (!l)
			break;
		if (!(e & 1))
			return 0;
		tbl = e & ADDR;
	}
	return e;
}

/* Commands written since Tail was @from (byte offset), into @c. */
static uint64_t tail(struct dt *t)
{
	return dt_reg(t, R_CMD_TAIL) & 0x7fff0;
}

/* Sheet 5.3: is @c INVALIDATE_IOMMU_PAGES of all pages, GN = @gn, of
 * DomainID @domid (and PASID @pasid with GN)? */
static bool inv_all_of(const uint64_t c[2], unsigned int domid, bool gn,
		       uint32_t pasid)
{
	return OPC(c[0]) == 0x3 && ((c[0] >> 32) & 0xffff) == domid &&
	       !!(c[1] & 4) == gn && (!gn || (c[0] & 0xfffff) == pasid) &&
	       (c[1] & 1) && (c[1] & ~0xfffull) == 0x7FFFFFFFFFFFF000ull;
}

static struct iommu_domain *unmanaged(struct dt *t)
{
	struct iommu_domain *d = NULL;

	cr_assert_eq(iommu_domain_alloc(t->ctx, IOMMU_DOMAIN_UNMANAGED, &d), 0);
	return d;
}

static void expect_rw(struct dt *t, uint32_t dev, uint32_t pasid, uint64_t iova,
		      uint64_t pa)
{
	struct iommu_translation tr;
	int ret;

	ret = iommu_dma_translate(t->ctx, dev, pasid, iova, 8, W, &tr);
	cr_assert_eq(ret, 0, "dev %x pasid %x iova %llx: %d", dev, pasid,
		     U(iova), ret);
	cr_assert_eq(tr.phys, pa, "dev %x pasid %x: %llx, expected %llx", dev,
		     pasid, U(tr.phys), U(pa));
	ret = iommu_dma_translate(t->ctx, dev, pasid, iova, 8, R, &tr);
	cr_assert_eq(ret, 0);
}

static void expect_fault(struct dt *t, uint32_t dev, uint32_t pasid,
			 uint64_t iova)
{
	struct iommu_translation tr;
	unsigned int n = t->faults.n;

	cr_assert_eq(iommu_dma_translate(t->ctx, dev, pasid, iova, 8, R, &tr),
		     -EFAULT, "dev %x pasid %x iova %llx translated", dev,
		     pasid, U(iova));
	cr_assert_eq(t->faults.n, n + 1);
}

/* ---- v2 mode --------------------------------------------------------------
 */

/* Probe sets Control.GTEn; a v2 primary domain: GV, GIoV, IR, IW, Mode 0,
 * GLX for 20-bit PASIDs (3 GCR3 levels), the device's DomainID, GPM 0,
 * and PASID 0's GCR3 entry holds the guest table's root. */
Test(amdvi_v2, primary_domain_dte_and_gcr3_entry)
{
	struct dt t;
	uint64_t q[4], e, pml4e, root;

	dt_open(&t, "dma", V2_CFG, true);
	cr_assert(dt_reg(&t, R_CTRL) & C_GT_EN, "GTEn");
	dt_dte(&t, DEV_A, q);
	cr_assert_eq(q[0] & ~(ADDR | (7ull << 58) | (3ull << 56)),
		     DTE_V | DTE_TV | DTE_GIOV | DTE_GV | DTE_IR | DTE_IW,
		     "qword0 0x%llx", U(q[0]));
	cr_assert_eq(q[0] & ADDR, 0, "no v1 root");
	cr_assert_eq(DTE_MODE(q[0]), 0);
	cr_assert_eq(DTE_GLX(q[0]), 2, "GLX %u", (unsigned)DTE_GLX(q[0]));
	cr_assert_geq(DTE_DOMID(q[1]), 2);
	cr_assert_eq(q[1] & 0x7ff00000000ull, 0, "qword1 bits 106:96");
	cr_assert_eq(q[2], 0, "GPM 0 (4 levels), no IRT");
	cr_assert_neq(gcr3_root(q), 0);
	e = gcr3_entry(&t, q, 0);
	cr_assert(e & 1, "PASID 0 GCR3 entry valid: 0x%llx", U(e));
	cr_assert_eq(e & ~ADDR, 1, "GCR3 entry: bit 0 and the address only");
	/* The DMA API maps through the guest table. */
	{
		uint64_t iova = 0;
		struct iommu_translation tr;

		cr_assert_eq(iommu_dma_map(t.ctx, t.a, DATA, 0x1000, RW, &iova),
			     0);
		cr_assert_eq(
		    iommu_dma_translate(t.ctx, t.a, NP, iova + 8, 8, W, &tr),
		    0);
		cr_assert_eq(tr.phys, DATA + 8);
		/* Sheet 4.1: PML4E has P, R/W, U/S (Linux's table bits). */
		root = e & ADDR;
		pml4e = dt_mem64(&t, root + 8 * ((iova >> 39) & 0x1ff));
		cr_assert_eq(pml4e & 7, 7, "PML4E 0x%llx", U(pml4e));
		cr_assert_eq(iommu_dma_unmap(t.ctx, t.a, iova, 0x1000), 0);
	}
	/* Another device: its own DomainID and GCR3 table. */
	{
		uint64_t qb[4];

		dt_dte(&t, DEV_B, qb);
		cr_assert(qb[0] & DTE_GV);
		cr_assert_neq(DTE_DOMID(qb[1]), DTE_DOMID(q[1]));
		cr_assert_neq(gcr3_root(qb), gcr3_root(q));
	}
	dt_close(&t);
}

/* GCR3 entries of a 3-level table sit at the sheet's indices (T19);
 * DMA with the PASID goes through the domain's table, the device's
 * requests without PASID stay on the primary domain; detaching clears
 * the entry and the PASID faults again, with GN and the PASID. */
Test(amdvi_v2, pasid_gcr3_entry_at_t19_indices)
{
	struct dt t;
	struct iommu_domain *d;
	uint64_t q[4], l2, l1, e;

	dt_open(&t, "dma", V2_CFG, true);
	d = unmanaged(&t);
	cr_assert_eq(iommu_map(d, IOVA, DATA + 0x5000, 0x1000, RW), 0);
	cr_assert_eq(iommu_attach_device_pasid(d, t.x, 0x1234), 0);
	dt_dte(&t, DEV_X, q);
	cr_assert(q[0] & DTE_GV);
	cr_assert(q[0] & DTE_GIOV, "the primary (DMA) domain stays");
	/* T19, GLX 2: [0x000, 0x009, 0x034] from the top. */
	l2 = dt_mem64(&t, gcr3_root(q) + 8 * 0x000);
	cr_assert(l2 & 1);
	l1 = dt_mem64(&t, (l2 & ADDR) + 8 * 0x009);
	cr_assert(l1 & 1);
	e = dt_mem64(&t, (l1 & ADDR) + 8 * 0x034);
	cr_assert(e & 1);
	cr_assert_eq(e, gcr3_entry(&t, q, 0x1234));
	cr_assert_neq(e & ADDR, gcr3_entry(&t, q, 0) & ADDR,
		      "a table of its own");
	expect_rw(&t, t.x, 0x1234, IOVA + 0x10, DATA + 0x5010);
	expect_fault(&t, t.x, 0x1235, IOVA);
	cr_assert(t.faults.f[0].flags & IOMMU_FAULT_F_PASID_VALID);
	cr_assert_eq(t.faults.f[0].pasid, 0x1235);
	cr_assert_eq(t.faults.f[0].vendor_code, EV_PF);
	cr_assert_eq(iommu_detach_device_pasid(d, t.x, 0x1234), 0);
	dt_dte(&t, DEV_X, q);
	cr_assert_eq(gcr3_entry(&t, q, 0x1234), 0, "entry cleared");
	expect_fault(&t, t.x, 0x1234, IOVA);
	cr_assert_eq(iommu_domain_free(d), 0);
	dt_close(&t);
}

/* set_dev_pasid: the GCR3 entry, then INVALIDATE_IOMMU_PAGES GN = 1 of
 * (device DomainID, PASID), all pages, and one COMPLETION_WAIT; the DTE
 * did not change (GV was on for the primary domain), so no
 * INVALIDATE_DEVTAB_ENTRY. */
Test(amdvi_v2, set_pasid_flushes_that_pasid_only)
{
	struct dt t;
	struct iommu_domain *d, *e2;
	uint64_t q[4], c[16][2], from;
	unsigned int n;

	dt_open(&t, "dma", V2_CFG, true);
	d = unmanaged(&t);
	e2 = unmanaged(&t);
	dt_dte(&t, DEV_X, q);
	from = tail(&t);
	cr_assert_eq(iommu_attach_device_pasid(d, t.x, 5), 0);
	n = dt_cmds_since(&t, from, c, 16);
	cr_assert_eq(n, 2, "%u commands", n);
	cr_assert(inv_all_of(c[0], DTE_DOMID(q[1]), true, 5), "0x%llx 0x%llx",
		  U(c[0][0]), U(c[0][1]));
	cr_assert_eq(c[0][1] & 2, 2, "PDE");
	cr_assert_eq(OPC(c[1][0]), 0x1);
	/* Replace: one store, the same flush. */
	from = tail(&t);
	cr_assert_eq(iommu_replace_device_pasid(e2, t.x, 5), 0);
	n = dt_cmds_since(&t, from, c, 16);
	cr_assert_eq(n, 2);
	cr_assert(inv_all_of(c[0], DTE_DOMID(q[1]), true, 5));
	cr_assert_eq(iommu_detach_device_pasid(e2, t.x, 5), 0);
	cr_assert_eq(iommu_domain_free(d), 0);
	cr_assert_eq(iommu_domain_free(e2), 0);
	dt_close(&t);
}

/* Unmap of a v2 domain: one INVALIDATE_IOMMU_PAGES (GN = 1, the 1 MiB
 * block, sheet 5.4) per place it is on, one COMPLETION_WAIT. */
Test(amdvi_v2, unmap_invalidates_each_device_and_pasid)
{
	struct dt t;
	struct iommu_domain *d;
	uint64_t qb[4], qx[4], c[16][2], from, un = 0;
	unsigned int n, hit_b = 0, hit_x = 0;

	dt_open(&t, "dma", V2_CFG, true);
	d = dt_unmanaged_on(&t, t.b);
	cr_assert_eq(iommu_attach_device_pasid(d, t.x, 7), 0);
	for (unsigned int i = 0; i < 256; i++)
		cr_assert_eq(iommu_map(d, IOVA + i * 0x1000ull,
				       DATA + i * 0x1000ull, 0x1000, RW),
			     0);
	expect_rw(&t, t.b, NP, IOVA + 0x3000, DATA + 0x3000);
	expect_rw(&t, t.x, 7, IOVA + 0x4000, DATA + 0x4000);
	dt_dte(&t, DEV_B, qb);
	dt_dte(&t, DEV_X, qx);
	from = tail(&t);
	cr_assert_eq(iommu_unmap(d, IOVA, 256 * 0x1000ull, &un), 0);
	cr_assert_eq(un, 256 * 0x1000ull);
	n = dt_cmds_since(&t, from, c, 16);
	cr_assert_eq(n, 3, "%u commands", n);
	for (unsigned int i = 0; i < 2; i++) {
		cr_assert_eq(OPC(c[i][0]), 0x3);
		cr_assert_eq(c[i][1] & 5, 5, "S and GN");
		cr_assert_eq(c[i][1] & ~0xfffull, IOVA | 0x7f000);
		if (((c[i][0] >> 32) & 0xffff) == DTE_DOMID(qb[1]) &&
		    (c[i][0] & 0xfffff) == 0)
			hit_b++;
		if (((c[i][0] >> 32) & 0xffff) == DTE_DOMID(qx[1]) &&
		    (c[i][0] & 0xfffff) == 7)
			hit_x++;
	}
	cr_assert_eq(hit_b, 1, "device b, PASID 0 (GIoV)");
	cr_assert_eq(hit_x, 1, "device x, PASID 7");
	cr_assert_eq(OPC(c[2][0]), 0x1);
	expect_fault(&t, t.b, NP, IOVA + 0x3000);
	expect_fault(&t, t.x, 7, IOVA + 0x4000);
	cr_assert_eq(iommu_detach_device_pasid(d, t.x, 7), 0);
	dt_close(&t);
}

/* Identity primary with a PASID: GV without GIoV, Mode 0 with IR and IW
 * (requests without PASID pass); without PASIDs the DTE is the plain
 * identity one again (DomainID 1). */
Test(amdvi_v2, identity_with_pasid_then_plain_again)
{
	struct dt t;
	struct iommu_domain *d;
	uint64_t q[4];
	struct iommu_translation tr;

	dt_open(&t, "identity", V2_CFG, true);
	dt_dte(&t, DEV_X, q);
	cr_assert_eq(q[0], DTE_V | DTE_TV | DTE_IR | DTE_IW);
	cr_assert_eq(DTE_DOMID(q[1]), 1);
	d = unmanaged(&t);
	cr_assert_eq(iommu_map(d, IOVA, DATA, 0x1000, RW), 0);
	cr_assert_eq(iommu_attach_device_pasid(d, t.x, 3), 0);
	dt_dte(&t, DEV_X, q);
	cr_assert_eq(q[0] & (DTE_GV | DTE_GIOV | DTE_IR | DTE_IW),
		     DTE_GV | DTE_IR | DTE_IW, "0x%llx", U(q[0]));
	cr_assert_eq(DTE_MODE(q[0]), 0);
	cr_assert_geq(DTE_DOMID(q[1]), 2, "the device's own DomainID");
	cr_assert_eq(iommu_dma_translate(t.ctx, t.x, NP, DATA, 8, W, &tr), 0);
	cr_assert_eq(tr.phys, DATA);
	expect_rw(&t, t.x, 3, IOVA + 8, DATA + 8);
	cr_assert_eq(iommu_detach_device_pasid(d, t.x, 3), 0);
	dt_dte(&t, DEV_X, q);
	cr_assert_eq(q[0], DTE_V | DTE_TV | DTE_IR | DTE_IW, "0x%llx", U(q[0]));
	cr_assert_eq(q[1], 1);
	cr_assert_eq(iommu_domain_free(d), 0);
	dt_close(&t);
}

/* Blocked primary (an owner claim) with a PASID: GV, Mode 0, no IR / IW:
 * requests without PASID fault, the PASID translates. */
Test(amdvi_v2, blocked_with_pasid_blocks_requests_without)
{
	struct dt t;
	struct iommu_domain *d;
	uint64_t q[4];
	uint32_t g;

	dt_open(&t, "dma", V2_CFG, true);
	cr_assert_eq(iommu_dev_group(t.ctx, t.x, &g), 0);
	cr_assert_eq(iommu_group_claim_dma_owner(t.ctx, g, &t), 0);
	dt_dte(&t, DEV_X, q);
	cr_assert_eq(q[0], DTE_V | DTE_TV, "plain blocked 0x%llx", U(q[0]));
	d = unmanaged(&t);
	cr_assert_eq(iommu_map(d, IOVA, DATA, 0x1000, RW), 0);
	cr_assert_eq(iommu_attach_device_pasid(d, t.x, 9), 0);
	dt_dte(&t, DEV_X, q);
	cr_assert_eq(q[0] & (DTE_GV | DTE_GIOV | DTE_IR | DTE_IW), DTE_GV);
	expect_fault(&t, t.x, NP, DATA);
	expect_rw(&t, t.x, 9, IOVA, DATA);
	cr_assert_eq(iommu_detach_device_pasid(d, t.x, 9), 0);
	dt_dte(&t, DEV_X, q);
	cr_assert_eq(q[0], DTE_V | DTE_TV);
	cr_assert_eq(q[1], 0);
	cr_assert_eq(iommu_group_release_dma_owner(t.ctx, g, &t), 0);
	cr_assert_eq(iommu_domain_free(d), 0);
	dt_close(&t);
}

/* Moving the primary domain between v2 domains changes PASID 0's GCR3
 * entry and flushes (DomainID, PASID 0); other PASIDs stay. */
Test(amdvi_v2, primary_change_keeps_pasids)
{
	struct dt t;
	struct iommu_domain *p, *v;
	uint64_t q[4], e0, c[16][2], from;
	unsigned int n, gn0 = 0;
	uint32_t g;

	dt_open(&t, "dma", V2_CFG, true);
	dt_dte(&t, DEV_X, q);
	e0 = gcr3_entry(&t, q, 0);
	cr_assert(e0 & 1, "the DMA domain at PASID 0");
	/* Owned (a claim needs no PASID on), then a PASID, then a domain
	 * of the VMM as the primary one. */
	cr_assert_eq(iommu_dev_group(t.ctx, t.x, &g), 0);
	cr_assert_eq(iommu_group_claim_dma_owner(t.ctx, g, &t), 0);
	v = unmanaged(&t);
	cr_assert_eq(iommu_map(v, IOVA, DATA, 0x1000, RW), 0);
	cr_assert_eq(iommu_attach_device_pasid(v, t.x, 11), 0);
	p = unmanaged(&t);
	cr_assert_eq(iommu_map(p, IOVA, DATA + 0x7000, 0x1000, RW), 0);
	from = tail(&t);
	cr_assert_eq(iommu_attach_device(p, t.x), 0);
	n = dt_cmds_since(&t, from, c, 16);
	for (unsigned int i = 0; i < n; i++)
		gn0 += inv_all_of(c[i], DTE_DOMID(q[1]), true, 0);
	cr_assert_eq(gn0, 1, "(DomainID, PASID 0) flushed once");
	dt_dte(&t, DEV_X, q);
	cr_assert(q[0] & DTE_GIOV);
	cr_assert_neq(gcr3_entry(&t, q, 0), e0);
	expect_rw(&t, t.x, NP, IOVA, DATA + 0x7000);
	expect_rw(&t, t.x, 11, IOVA, DATA);
	cr_assert_eq(iommu_detach_device(p, t.x), 0);
	expect_fault(&t, t.x, NP, IOVA);
	expect_rw(&t, t.x, 11, IOVA, DATA);
	dt_dte(&t, DEV_X, q);
	cr_assert_eq(q[0] & (DTE_GV | DTE_GIOV), DTE_GV, "blocked + PASID");
	cr_assert_eq(gcr3_entry(&t, q, 0), 0, "PASID 0 cleared");
	cr_assert_eq(iommu_detach_device_pasid(v, t.x, 11), 0);
	cr_assert_eq(iommu_group_release_dma_owner(t.ctx, g, &t), 0);
	dt_dte(&t, DEV_X, q);
	cr_assert(q[0] & DTE_GIOV, "back on the DMA domain");
	dt_close(&t);
}

/* v2 domains: 4K / 2M / 1G (sheet 4.1), the lower 47 bits; AUX offered. */
Test(amdvi_v2, geometry_and_aux_feature)
{
	struct dt t;
	struct iommu_domain *d;
	uint64_t start = 1, last = 0;

	dt_open(&t, "dma", V2_CFG, true);
	d = unmanaged(&t);
	cr_assert_eq(iommu_domain_pgsize_bitmap(d), 0x40201000ull);
	cr_assert_eq(iommu_domain_geometry(d, &start, &last), 0);
	cr_assert_eq(start, 0);
	cr_assert_eq(last, (1ull << 47) - 1);
	cr_assert(iommu_dev_has_feature(t.ctx, t.x, IOMMU_DEV_FEAT_AUX));
	cr_assert_eq(iommu_dev_enable_feature(t.ctx, t.x, IOMMU_DEV_FEAT_AUX),
		     0);
	cr_assert_eq(iommu_aux_attach_device(d, t.x), 0);
	cr_assert_eq(iommu_dev_disable_feature(t.ctx, t.x, IOMMU_DEV_FEAT_AUX),
		     -EBUSY);
	cr_assert_eq(iommu_aux_detach_device(d, t.x), 0);
	cr_assert_eq(iommu_dev_disable_feature(t.ctx, t.x, IOMMU_DEV_FEAT_AUX),
		     0);
	cr_assert_eq(iommu_domain_free(d), 0);
	dt_close(&t);
}

/* v1 mode has no PASIDs (no nesting in the model): refused cleanly. */
Test(amdvi_v2, v1_mode_refuses_pasids)
{
	struct dt t;
	struct iommu_domain *d;
	uint64_t q[4];

	dt_open(&t, "dma", NULL, true);
	d = unmanaged(&t);
	cr_assert_eq(iommu_attach_device_pasid(d, t.x, 5), -EOPNOTSUPP);
	cr_assert_not(iommu_dev_has_feature(t.ctx, t.x, IOMMU_DEV_FEAT_AUX));
	dt_dte(&t, DEV_X, q);
	cr_assert_eq(q[0] & DTE_GV, 0);
	cr_assert_eq(dt_reg(&t, R_CTRL) & C_GT_EN, 0, "GTEn only for v2");
	cr_assert_eq(iommu_domain_free(d), 0);
	dt_close(&t);
}

/* pgtable = v2 needs EFR.GTSup and EFR.GIOSup. */
Test(amdvi_v2, needs_gt_and_gio)
{
	struct dt t;

	cr_assert_eq(dt_try(&t, "dma", "pgtable = v2\nguest_translation = no", true),
		     -EINVAL);
	cr_assert_eq(dt_try(&t, "dma", "pgtable = v2\ngio = no", true), -EINVAL);
}

/* With 16-bit PASIDs and GLXSup 1 (the model's defaults), GLX is 1. */
Test(amdvi_v2, glx_from_pasid_width)
{
	struct dt t;
	uint64_t q[4];

	dt_open(&t, "dma", "pgtable = v2\n", true);
	dt_dte(&t, DEV_A, q);
	cr_assert_eq(DTE_GLX(q[0]), 1);
	dt_close(&t);
	dt_open(&t, "dma", "pgtable = v2\npasid_bits = 9\n", true);
	dt_dte(&t, DEV_A, q);
	cr_assert_eq(DTE_GLX(q[0]), 0);
	dt_close(&t);
}

/* ---- v1 mode growth -------------------------------------------------------
 */

#define GROW_CFG "host_levels = 6\npgtable_mode = 3\npgtable_mode_max = 6\n"

/* A map above Mode 3's 39 bits: the domain grows to Mode 4; the DTE of
 * every device on it gets the new Mode and root (whose entry 0 is a PDE
 * for the old root, NextLevel 3), then INVALIDATE_DEVTAB_ENTRY of each,
 * INVALIDATE_IOMMU_PAGES of the DomainID (all, PDE) and a
 * COMPLETION_WAIT.  Old and new mappings translate. */
Test(amdvi_grow, map_above_the_mode_updates_every_dte)
{
	struct dt t;
	struct iommu_domain *d;
	uint64_t qa[4], qb[4], c[16][2], from, root3, start = 1, last = 0;
	unsigned int n, dtes = 0, pages = 0;
	uint32_t g;

	dt_open(&t, "dma", GROW_CFG, true);
	d = dt_unmanaged_on(&t, t.a);
	cr_assert_eq(iommu_dev_group(t.ctx, t.b, &g), 0);
	cr_assert_eq(iommu_group_claim_dma_owner(t.ctx, g, &t), 0);
	cr_assert_eq(iommu_attach_device(d, t.b), 0);
	cr_assert_eq(iommu_domain_geometry(d, &start, &last), 0);
	cr_assert_eq(last, UINT64_MAX, "aperture of Mode 6");
	cr_assert_eq(iommu_map(d, IOVA, DATA, 0x1000, RW), 0);
	dt_dte(&t, DEV_A, qa);
	cr_assert_eq(DTE_MODE(qa[0]), 3);
	root3 = qa[0] & ADDR;
	from = tail(&t);
	cr_assert_eq(iommu_map(d, 1ull << 40, DATA + 0x1000, 0x1000, RW), 0);
	n = dt_cmds_since(&t, from, c, 16);
	dt_dte(&t, DEV_A, qa);
	dt_dte(&t, DEV_B, qb);
	cr_assert_eq(DTE_MODE(qa[0]), 4, "Mode %u", (unsigned)DTE_MODE(qa[0]));
	cr_assert_eq(qa[0], qb[0], "both devices");
	cr_assert_eq(qa[0] & (DTE_V | DTE_TV | DTE_IR | DTE_IW),
		     DTE_V | DTE_TV | DTE_IR | DTE_IW);
	cr_assert_eq(dt_mem64(&t, qa[0] & ADDR),
		     root3 | (3ull << 9) | PTE_PR | DTE_IR | DTE_IW,
		     "new root's entry 0: 0x%llx", U(dt_mem64(&t, qa[0] & ADDR)));
	for (unsigned int i = 0; i < n; i++) {
		if (OPC(c[i][0]) == 0x2 && ((c[i][0] & 0xffff) == DEV_A ||
					    (c[i][0] & 0xffff) == DEV_B))
			dtes++;
		if (inv_all_of(c[i], DTE_DOMID(qa[1]), false, 0) &&
		    (c[i][1] & 2))
			pages++;
	}
	cr_assert_eq(dtes, 2, "INVALIDATE_DEVTAB_ENTRY per device");
	cr_assert_eq(pages, 1, "the DomainID, all pages, PDE");
	cr_assert_eq(OPC(c[n - 1][0]), 0x1);
	expect_rw(&t, t.a, NP, IOVA + 8, DATA + 8);
	expect_rw(&t, t.b, NP, (1ull << 40) + 8, DATA + 0x1008);
	/* Up to Mode 6 in one map; a map within the mode adds nothing. */
	cr_assert_eq(
	    iommu_map(d, 0xF000000000000000ull, DATA + 0x2000, 0x1000, RW), 0);
	dt_dte(&t, DEV_A, qa);
	cr_assert_eq(DTE_MODE(qa[0]), 6);
	expect_rw(&t, t.a, NP, 0xF000000000000010ull, DATA + 0x2010);
	expect_rw(&t, t.b, NP, IOVA, DATA);
	from = tail(&t);
	cr_assert_eq(iommu_map(d, IOVA + 0x1000, DATA, 0x1000, RW), 0);
	cr_assert_eq(dt_cmds_since(&t, from, c, 16), 0, "no command");
	dt_close(&t);
}

/* A device attached after the domain grew gets the grown DTE. */
Test(amdvi_grow, later_attach_gets_the_new_mode)
{
	struct dt t;
	struct iommu_domain *d;
	uint64_t q[4];

	dt_open(&t, "dma", GROW_CFG, true);
	d = unmanaged(&t);
	cr_assert_eq(iommu_map(d, 1ull << 50, DATA, 0x1000, RW), 0);
	cr_assert_eq(iommu_iova_to_phys(d, (1ull << 50) + 4, &(uint64_t){0}),
		     0);
	{
		uint32_t g;

		cr_assert_eq(iommu_dev_group(t.ctx, t.a, &g), 0);
		cr_assert_eq(iommu_group_claim_dma_owner(t.ctx, g, &t), 0);
		cr_assert_eq(iommu_attach_device(d, t.a), 0);
	}
	dt_dte(&t, DEV_A, q);
	cr_assert_eq(DTE_MODE(q[0]), 5);
	expect_rw(&t, t.a, NP, (1ull << 50) + 4, DATA + 4);
	dt_close(&t);
}

/* pgtable_mode_max beyond EFR.HATS + 4, or below pgtable_mode. */
Test(amdvi_grow, bad_mode_max_refused)
{
	struct dt t;

	cr_assert_eq(dt_try(&t, "dma",
			    "host_levels = 4\npgtable_mode = 3\n"
			    "pgtable_mode_max = 5", true),
		     -EINVAL);
	cr_assert_eq(
	    dt_try(&t, "dma", "pgtable_mode = 4\npgtable_mode_max = 3", true),
	    -EINVAL);
}

/* Without pgtable_mode_max the mode stays: beyond it is -ERANGE. */
Test(amdvi_grow, no_growth_without_mode_max)
{
	struct dt t;
	struct iommu_domain *d;

	dt_open(&t, "dma", "pgtable_mode = 3\n", true);
	d = unmanaged(&t);
	cr_assert_eq(iommu_map(d, 1ull << 40, DATA, 0x1000, RW), -ERANGE);
	cr_assert_eq(iommu_domain_free(d), 0);
	dt_close(&t);
}
