// SPDX-License-Identifier: MIT
/*
 * test_driver.c - the library's VT-d driver through the public API, on
 * contexts WITH the driver.  The tests read back the bytes the driver
 * wrote (root table at RTADDR, context and PASID entries, page-table
 * leaves, the invalidation queue at IQA) and compare them with the spec
 * sheet's layouts and vectors, decoded here with the test's own field
 * positions; translations and faults go through the device model.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "vtdg.h"

#define R    IOMMU_ACCESS_READ
#define W    IOMMU_ACCESS_WRITE
#define NP   IOMMU_NO_PASID
#define U(x) ((unsigned long long)(x))
#define ADDR 0x000FFFFFFFFFF000ull

/* ---- reading what the driver wrote -------------------------------------- */

struct drv_ctx {
	uint64_t rtaddr;
	unsigned int ttm;
	uint64_t root[2]; /* root entry of the bus */
	uint64_t ce_pa;	  /* context entry */
	uint64_t ce[4];
};

static void read_ctx(struct vt *g, unsigned int sid, struct drv_ctx *c)
{
	unsigned int bus = sid >> 8, devfn = sid & 0xff;
	uint64_t ctp;

	memset(c, 0, sizeof(*c));
	c->rtaddr = vt_rd64(g, R_RTADDR) & ~0xfffull;
	c->ttm = (vt_rd64(g, R_RTADDR) >> 10) & 3;
	c->root[0] = vt_rd64m(g, c->rtaddr + 16 * bus);
	c->root[1] = vt_rd64m(g, c->rtaddr + 16 * bus + 8);
	if (c->ttm == 0) {
		cr_assert(c->root[0] & 1, "root entry of bus %u not present",
			  bus);
		c->ce_pa = (c->root[0] & ADDR) + 16 * devfn;
		c->ce[0] = vt_rd64m(g, c->ce_pa);
		c->ce[1] = vt_rd64m(g, c->ce_pa + 8);
	} else {
		ctp = devfn < 0x80 ? c->root[0] : c->root[1];
		cr_assert(ctp & 1, "SM root entry half not present");
		c->ce_pa = (ctp & ADDR) + 32 * (devfn & 0x7f);
		for (int i = 0; i < 4; i++)
			c->ce[i] = vt_rd64m(g, c->ce_pa + 8 * i);
	}
}

/* SM: the PASID entry @pasid of @sid; false if the directory entry is
 * not present. */
static bool read_pe(struct vt *g, unsigned int sid, uint32_t pasid,
		    uint64_t pe[8])
{
	struct drv_ctx c;
	uint64_t dir, pde;

	read_ctx(g, sid, &c);
	cr_assert_eq(c.ttm, 1);
	cr_assert(c.ce[0] & 1, "SM context entry not present");
	dir = c.ce[0] & ADDR;
	cr_assert(pasid >> 6 < 1u << (((c.ce[0] >> 9) & 7) + 7),
		  "PASID 0x%x beyond PDTS", pasid);
	pde = vt_rd64m(g, dir + 8 * (pasid >> 6));
	if (!(pde & 1))
		return false;
	cr_assert_eq(pde & 0xffe, 0,
		     "PASID directory entry reserved bits: "
		     "0x%llx",
		     U(pde));
	for (int i = 0; i < 8; i++)
		pe[i] = vt_rd64m(g, (pde & ADDR) + 64 * (pasid & 0x3f) + 8 * i);
	return true;
}

/* Walk the table at @root (second stage unless @fl) down to @level;
 * returns the entry there (0 if a level is missing). */
static uint64_t walk(struct vt *g, uint64_t root, unsigned int levels,
		     uint64_t iova, unsigned int level, bool fl,
		     uint64_t *nonleaf)
{
	uint64_t t = root, e = 0;

	for (unsigned int l = levels; l >= level; l--) {
		e = vt_rd64m(g, t + 8 * ((iova >> (12 + 9 * (l - 1))) & 0x1ff));
		if (l == level)
			break;
		if (!(fl ? (e & 1) : (e & 3)))
			return 0;
		if (nonleaf && l == levels)
			*nonleaf = e;
		t = e & ADDR;
	}
	return e;
}

static uint16_t ctx_did(struct vt *g, unsigned int sid)
{
	struct drv_ctx c;

	read_ctx(g, sid, &c);
	return (uint16_t)(c.ce[1] >> 8);
}

/* ---- fault capture ---------------------------------------------------------
 */

struct fcap {
	unsigned int n;
	struct iommu_fault f[8];
};

static int dom_fault(struct iommu_domain *d, const struct iommu_fault *f,
		     void *cookie)
{
	struct fcap *c = cookie;

	(void)d;
	if (c->n < 8)
		c->f[c->n] = *f;
	c->n++;
	return 0;
}

static int ctx_fault(struct iommu_ctx *ctx, const struct iommu_fault *f,
		     void *cookie)
{
	(void)ctx;
	return dom_fault(NULL, f, cookie);
}

/* ---- setup ------------------------------------------------------------------
 */

static const char *legacy_ini = "translation = legacy\naw = 48\nhaw = 48";
static const char *sm_ini = "translation = scalable\nscalable_mode = yes\n"
			    "aw = 48\nhaw = 48\nstage = second";
static const char *fl_ini = "translation = scalable\nscalable_mode = yes\n"
			    "aw = 48\nhaw = 48\nstage = first\n"
			    "first_stage = yes\nfl_5level = no";

/* An UNMANAGED domain with @sid attached. */
static struct iommu_domain *unmanaged(struct vt *g, unsigned int sid)
{
	struct iommu_domain *d = NULL;
	int ret;

	cr_assert_eq(iommu_domain_alloc(g->ctx, IOMMU_DOMAIN_UNMANAGED, &d), 0);
	ret = iommu_attach_device(d, sid);
	cr_assert_eq(ret, 0, "attach 0x%x: %d", sid, ret);
	return d;
}

static void check_sl_leaf(struct vt *g, uint64_t root, unsigned int levels,
			  uint64_t iova, unsigned int level, uint64_t want)
{
	uint64_t nl = 0, e = walk(g, root, levels, iova, level, false, &nl);

	/* bits 10:8 (A/D, ignored) may change under hardware; mask them */
	cr_assert_eq(e & ~0x700ull, want,
		     "leaf of 0x%llx at level %u is "
		     "0x%016llx, want 0x%016llx",
		     U(iova), level, U(e), U(want));
	/* T5: a non-leaf entry is table | R | W */
	cr_assert_eq(nl & ~(ADDR | 0x700ull), SL_RW,
		     "top-level entry 0x%016llx", U(nl));
}

/* ---- legacy mode ------------------------------------------------------------
 */

Test(drv_legacy, root_and_context_entries_follow_the_sheet)
{
	struct vt g;
	struct drv_ctx c;
	struct iommu_domain *d;
	uint16_t did;

	vt_create(&g, true, legacy_ini);
	d = unmanaged(&g, SID_A);
	cr_assert_eq(
	    iommu_map(d, 0x100000, VT_DATA, PG, IOMMU_READ | IOMMU_WRITE), 0);
	read_ctx(&g, SID_A, &c);
	cr_assert_eq(c.ttm, 0, "RTADDR.TTM %u in legacy mode", c.ttm);
	cr_assert(c.rtaddr >= VT_TABLES && c.rtaddr < VT_TABLES + (16 << 20),
		  "root table at 0x%llx, outside the table range", U(c.rtaddr));
	/* 3.1 (T16 layout) */
	cr_assert_eq(c.root[0] & 0xfff, 1, "root QW0 0x%016llx", U(c.root[0]));
	cr_assert_eq(c.root[1], 0, "root QW1 0x%016llx", U(c.root[1]));
	/* 3.2 (T17 layout): P, FPD 0, TT 00, 11:4 zero, AW 2 */
	cr_assert_eq(c.ce[0] & 0xfff, 0x001, "context QW0 0x%016llx",
		     U(c.ce[0]));
	cr_assert_neq(c.ce[0] & ADDR, 0, "no SLPTPTR");
	cr_assert_eq(c.ce[1] & 0xff, 2, "context AW: QW1 0x%016llx",
		     U(c.ce[1]));
	cr_assert_eq(c.ce[1] >> 24, 0, "context QW1 63:24 reserved");
	did = (uint16_t)(c.ce[1] >> 8);
	cr_assert(did >= 2, "DID %u: 0 is reserved, 1 is identity", did);
	cr_assert(did < 1u << (4 + 2 * (g.cap & 7)), "DID beyond CAP.ND");
	/* a second domain gets another DID */
	unmanaged(&g, SID_B);
	cr_assert_neq(ctx_did(&g, SID_B), did);
	/* and the model agrees with the bytes */
	vt_tr_ok(&g, SID_A, NP, 0x100abc, W, VT_DATA + 0xabc);
	vt_destroy(&g);
}

Test(drv_legacy, map_writes_the_expected_leaf_bytes)
{
	struct vt g;
	struct drv_ctx c;
	struct iommu_domain *d;
	uint64_t root;

	vt_create(&g, true, legacy_ini);
	d = unmanaged(&g, SID_A);
	cr_assert_eq(
	    iommu_map(d, 0x12345000, 0x12345000, PG, IOMMU_READ | IOMMU_WRITE),
	    0);
	cr_assert_eq(iommu_map(d, 0x100000, VT_DATA + 0x5000, PG, IOMMU_READ),
		     0);
	cr_assert_eq(iommu_map(d, 0x40000000, 0x40000000, 2ull << 20,
			       IOMMU_READ | IOMMU_WRITE),
		     0);
	read_ctx(&g, SID_A, &c);
	root = c.ce[0] & ADDR;
	check_sl_leaf(&g, root, 4, 0x12345000, 1, 0x0000000012345003); /* T1 */
	check_sl_leaf(&g, root, 4, 0x100000, 1,
		      (VT_DATA + 0x5000) | 1);			       /* T3 */
	check_sl_leaf(&g, root, 4, 0x40000000, 2, 0x0000000040000083); /* T4 */
	vt_tr_ok(&g, SID_A, NP, 0x12345678, W, 0x12345678);
	vt_tr_ok(&g, SID_A, NP, 0x40123456, R, 0x40123456);
	vt_destroy(&g);
}

Test(drv_legacy, probe_queue_holds_global_invalidations)
{
	struct vt g;
	uint64_t iqa, q[4][2];
	int i;

	vt_create(&g, true, legacy_ini);
	iqa = vt_rd64(&g, R_IQA);
	cr_assert_eq(iqa >> 11 & 1, 0, "DW = 1 in legacy mode");
	cr_assert(vt_rd32(&g, R_GSTS) & G_QIE);
	for (i = 0; i < 4; i++) {
		q[i][0] = vt_rd64m(&g, (iqa & ~0xfffull) + 16 * i);
		q[i][1] = vt_rd64m(&g, (iqa & ~0xfffull) + 16 * i + 8);
	}
	/* 9.6 after SRTP: CC global (T13), IOTLB global (T12), wait (T14) */
	cr_assert_eq(q[0][0], 0x11, "desc 0: 0x%016llx", U(q[0][0]));
	cr_assert_eq(q[0][1], 0);
	cr_assert_eq(q[1][0] & ~0xc0ull, 0x12, "desc 1: 0x%016llx", U(q[1][0]));
	cr_assert_eq(q[1][0] & 0xc0,
		     (g.cap >> 54 & 1 ? 0x40 : 0) |
			 (g.cap >> 55 & 1 ? 0x80 : 0),
		     "DW/DR do not follow CAP.DWD/DRD");
	cr_assert_eq(q[2][0] & 0xffffffffull, 0x65, "wait: 0x%016llx",
		     U(q[2][0]));
	cr_assert_eq(q[2][1] & 3, 0);
	vt_destroy(&g);
}

Test(drv_legacy, unmap_256_pages_is_one_psi_and_one_wait)
{
	struct vt g;
	struct iommu_domain *d;
	uint64_t iqa, t0, t1, n0, q[2][2], unmapped = 0;
	uint16_t did;
	unsigned int i;

	vt_create(&g, true, legacy_ini);
	d = unmanaged(&g, SID_A);
	did = ctx_did(&g, SID_A);
	cr_assert_eq(
	    iommu_map(d, 0x100000, VT_DATA, 256 * PG, IOMMU_READ | IOMMU_WRITE),
	    0);
	for (i = 0; i < 256; i += 51)
		vt_tr_ok(&g, SID_A, NP, 0x100000 + PG * i, R, VT_DATA + PG * i);
	iqa = vt_rd64(&g, R_IQA) & ~0xfffull;
	t0 = vt_rd64(&g, R_IQT);
	n0 = vt_stat(&g, IOMMU_STAT_INVAL_CMDS);
	cr_assert_eq(iommu_unmap(d, 0x100000, 256 * PG, &unmapped), 0);
	cr_assert_eq(unmapped, 256 * PG);
	t1 = vt_rd64(&g, R_IQT);
	cr_assert_eq(vt_stat(&g, IOMMU_STAT_INVAL_CMDS) - n0, 1,
		     "INVAL_CMDS +%llu for one unmap",
		     U(vt_stat(&g, IOMMU_STAT_INVAL_CMDS) - n0));
	cr_assert_eq((t1 - t0) & 0xfffff, 2 * 16, "%llu descriptors queued",
		     U(((t1 - t0) & 0xfffff) / 16));
	for (i = 0; i < 2; i++) {
		q[i][0] = vt_rd64m(&g, iqa + t0 + 16 * i);
		q[i][1] = vt_rd64m(&g, iqa + t0 + 16 * i + 8);
	}
	/* 6.4: type 2, G 11, DID, AM 8 at 0x100000 (T11 layout) */
	cr_assert_eq(q[0][0] & 0x3f, 0x32, "desc 0x%016llx", U(q[0][0]));
	cr_assert_eq((q[0][0] >> 16) & 0xffff, did);
	cr_assert_eq(q[0][0] >> 32, 0);
	cr_assert_eq(q[0][1] & ~0x40ull, 0x100000 | 8, "QW1 0x%016llx",
		     U(q[0][1]));
	cr_assert_eq(q[1][0] & 0xf, 5, "no wait after the PSI");
	/* strict: the old translation is gone */
	for (i = 0; i < 256; i += 51)
		cr_assert_eq(vt_tr(&g, SID_A, NP, 0x100000 + PG * i, R, NULL),
			     -EFAULT, "page %u still translates", i);
	vt_destroy(&g);
}

Test(drv_legacy, strict_unmap_leaves_no_stale_translation)
{
	struct vt g;
	struct iommu_domain *d;
	uint64_t un;
	struct fcap fc = {0};

	vt_create(&g, true, legacy_ini);
	d = unmanaged(&g, SID_A);
	cr_assert(iommu_ctx_strict(g.ctx));
	cr_assert_eq(iommu_set_fault_handler(d, dom_fault, &fc), 0);
	cr_assert_eq(
	    iommu_map(d, 0x7000, VT_DATA, PG, IOMMU_READ | IOMMU_WRITE), 0);
	vt_tr_ok(&g, SID_A, NP, 0x7000, W, VT_DATA);
	cr_assert_eq(iommu_unmap(d, 0x7000, PG, &un), 0);
	cr_assert_eq(vt_tr(&g, SID_A, NP, 0x7000, W, NULL), -EFAULT);
	cr_assert_eq(fc.n, 1, "%u faults delivered", fc.n);
	cr_assert_eq(fc.f[0].reason, IOMMU_FAULT_NOT_MAPPED);
	/* map again: the new translation, not a cached fault */
	cr_assert_eq(iommu_map(d, 0x7000, VT_DATA + PG, PG, IOMMU_READ), 0);
	vt_tr_ok(&g, SID_A, NP, 0x7000, R, VT_DATA + PG);
	vt_destroy(&g);
}

Test(drv_legacy, faults_are_normalized_with_the_vendor_code)
{
	struct vt g;
	struct iommu_domain *d;
	struct fcap fc = {0};

	vt_create(&g, true, legacy_ini);
	d = unmanaged(&g, SID_A);
	cr_assert_eq(iommu_set_fault_handler(d, dom_fault, &fc), 0);
	cr_assert_eq(iommu_map(d, 0x100000, VT_DATA, PG, IOMMU_READ), 0);
	cr_assert_eq(vt_tr(&g, SID_A, NP, 0x200123, W, NULL), -EFAULT);
	cr_assert_eq(vt_tr(&g, SID_A, NP, 0x100456, W, NULL), -EFAULT);
	cr_assert_eq(vt_tr(&g, SID_A, NP, 0x300000, R, NULL), -EFAULT);
	cr_assert_eq(fc.n, 3, "%u faults delivered", fc.n);
	cr_assert_eq(fc.f[0].dev_id, SID_A);
	cr_assert_eq(fc.f[0].addr, 0x200000, "addr 0x%llx", U(fc.f[0].addr));
	cr_assert(fc.f[0].flags & IOMMU_FAULT_F_ADDR_VALID);
	cr_assert_eq(fc.f[0].flags & IOMMU_FAULT_F_PASID_VALID, 0);
	cr_assert_eq(fc.f[0].access, IOMMU_ACCESS_WRITE);
	cr_assert_eq(fc.f[0].reason, IOMMU_FAULT_NOT_MAPPED);
	cr_assert_eq(fc.f[0].vendor_code, FR_WRITE);
	cr_assert_eq(fc.f[1].reason, IOMMU_FAULT_PERMISSION);
	cr_assert_eq(fc.f[1].vendor_code, FR_WRITE);
	cr_assert_eq(fc.f[1].addr, 0x100000);
	cr_assert_eq(fc.f[2].access, IOMMU_ACCESS_READ);
	cr_assert_eq(fc.f[2].vendor_code, FR_READ);
	cr_assert_eq(vt_stat(&g, IOMMU_STAT_FAULTS_REPORTED), 3);
	/* the driver cleared the records */
	cr_assert_eq(vt_rd32(&g, R_FSTS) & (FS_PPF | FS_PFO), 0);
	vt_destroy(&g);
}

Test(drv_legacy, blocked_domain_faults_not_present)
{
	struct vt g;
	struct iommu_domain *b;
	struct drv_ctx c;
	struct fcap fc = {0};

	vt_create(&g, true, legacy_ini);
	cr_assert_eq(iommu_set_ctx_fault_handler(g.ctx, ctx_fault, &fc), 0);
	cr_assert_eq(iommu_domain_alloc(g.ctx, IOMMU_DOMAIN_BLOCKED, &b), 0);
	cr_assert_eq(iommu_attach_device(b, SID_A), 0);
	read_ctx(&g, SID_A, &c);
	cr_assert_eq(c.ce[0] & 1, 0,
		     "blocked context entry present: "
		     "0x%016llx",
		     U(c.ce[0]));
	cr_assert_neq((c.ce[0] >> 2) & 3, 2, "blocked is pass-through");
	cr_assert_eq(vt_tr(&g, SID_A, NP, 0x1000, R, NULL), -EFAULT);
	cr_assert_eq(vt_tr(&g, SID_A, NP, 0x12345000, W, NULL), -EFAULT);
	cr_assert_eq(fc.n, 2);
	cr_assert_eq(fc.f[0].vendor_code, FR_CTX_NP);
	cr_assert_eq(fc.f[0].reason, IOMMU_FAULT_NO_DOMAIN);
	cr_assert_eq(fc.f[1].access, IOMMU_ACCESS_WRITE);
	vt_destroy(&g);
}

Test(drv_legacy, identity_is_pass_through_t18)
{
	struct vt g;
	struct iommu_domain *id;
	struct drv_ctx c;

	vt_create(&g, true, legacy_ini);
	cr_assert_eq(iommu_domain_alloc(g.ctx, IOMMU_DOMAIN_IDENTITY, &id), 0);
	cr_assert_eq(iommu_attach_device(id, SID_B), 0);
	read_ctx(&g, SID_B, &c);
	/* T18: TT 10, P, AW 2, DID 1 */
	cr_assert_eq(c.ce[0], 0x0000000000000009, "QW0 0x%016llx", U(c.ce[0]));
	cr_assert_eq(c.ce[1], 0x0000000000000102, "QW1 0x%016llx", U(c.ce[1]));
	vt_tr_ok(&g, SID_B, NP, 0x2345678, W, 0x2345678);
	vt_destroy(&g);
}

Test(drv_legacy, caching_mode_map_invalidates)
{
	struct vt g;
	struct iommu_domain *d;
	uint64_t n0;

	vt_create(&g, true, "translation = legacy\ncaching_mode = yes");
	cr_assert(g.cap >> 7 & 1, "CAP.CM");
	d = unmanaged(&g, SID_A);
	/* a fault first: with CM the model may cache the not-present leaf */
	cr_assert_eq(vt_tr(&g, SID_A, NP, 0x9000, R, NULL), -EFAULT);
	n0 = vt_stat(&g, IOMMU_STAT_INVAL_CMDS);
	cr_assert_eq(iommu_map(d, 0x9000, VT_DATA, PG, IOMMU_READ), 0);
	cr_assert(vt_stat(&g, IOMMU_STAT_INVAL_CMDS) > n0,
		  "map with CAP.CM = 1 issued no invalidation");
	vt_tr_ok(&g, SID_A, NP, 0x9000, R, VT_DATA);
	vt_destroy(&g);
}

Test(drv_legacy, no_caching_mode_map_needs_no_invalidation)
{
	struct vt g;
	struct iommu_domain *d;
	uint64_t n0;

	vt_create(&g, true, "translation = legacy\ncaching_mode = no");
	d = unmanaged(&g, SID_A);
	n0 = vt_stat(&g, IOMMU_STAT_INVAL_CMDS);
	cr_assert_eq(iommu_map(d, 0x9000, VT_DATA, PG, IOMMU_READ), 0);
	cr_assert_eq(vt_stat(&g, IOMMU_STAT_INVAL_CMDS), n0,
		     "map with CM = 0 invalidated");
	vt_tr_ok(&g, SID_A, NP, 0x9000, R, VT_DATA);
	vt_destroy(&g);
}

/* ---- scalable mode, second stage
 * --------------------------------------------- */

Test(drv_sm, context_and_pasid_entry_bytes)
{
	struct vt g;
	struct drv_ctx c;
	struct iommu_domain *d;
	uint64_t pe[8];

	vt_create(&g, true, sm_ini);
	d = unmanaged(&g, SID_A);
	cr_assert_eq(
	    iommu_map(d, 0x12345000, 0x12345000, PG, IOMMU_READ | IOMMU_WRITE),
	    0);
	read_ctx(&g, SID_A, &c);
	cr_assert_eq(c.ttm, 1, "RTADDR.TTM %u", c.ttm);
	/* 4.1 (T20 layout): LP, reserved 11:1 zero; UP side untouched */
	cr_assert_eq(c.root[0] & 0xfff, 1);
	cr_assert_eq(c.root[1] & 0xffe, 0);
	/* 4.2 (T21 layout): P, 8:5 zero, RID_PASID 0, QW1 63:21 zero */
	cr_assert_eq(c.ce[0] & 1, 1);
	cr_assert_eq(c.ce[0] & 0x1e0, 0, "QW0 0x%016llx", U(c.ce[0]));
	cr_assert_eq(c.ce[1], 0, "RID_PASID/QW1 0x%016llx", U(c.ce[1]));
	cr_assert_eq(c.ce[2], 0);
	cr_assert_eq(c.ce[3], 0);
	/* 4.4 (T22 layout): P, AW 2, PGTT 010, SLPTPTR; DID */
	cr_assert(read_pe(&g, SID_A, 0, pe));
	cr_assert_eq(pe[0] & 0xfff, 0x089, "PE QW0 0x%016llx", U(pe[0]));
	cr_assert_eq(pe[1] & ~(0xffffull | 1ull << 23), 0, "PE QW1 0x%016llx",
		     U(pe[1]));
	cr_assert((pe[1] & 0xffff) >= 2, "DID %llu", U(pe[1] & 0xffff));
	for (int i = 2; i < 8; i++)
		cr_assert_eq(pe[i], 0, "PE QW%d 0x%016llx", i, U(pe[i]));
	check_sl_leaf(&g, pe[0] & ADDR, 4, 0x12345000, 1, 0x12345003);
	vt_tr_ok(&g, SID_A, NP, 0x12345010, W, 0x12345010);
	vt_destroy(&g);
}

Test(drv_sm, upper_devfn_uses_uctp)
{
	struct vt g;
	struct drv_ctx c;
	struct iommu_domain *d;

	vt_create(&g, true, sm_ini);
	d = unmanaged(&g, SID_D);
	cr_assert_eq(iommu_map(d, 0x1000, VT_DATA, PG, IOMMU_READ), 0);
	read_ctx(&g, SID_D, &c);
	cr_assert_eq(c.root[1] & 1, 1, "UP not set for devfn 0x85");
	cr_assert_eq(c.ce_pa & 0xfff, 0xA0, "T19: entry at 0x%llx",
		     U(c.ce_pa & 0xfff));
	vt_tr_ok(&g, SID_D, NP, 0x1000, R, VT_DATA);
	vt_destroy(&g);
}

Test(drv_sm, unmap_uses_type2_psi_and_no_stale_entry)
{
	struct vt g;
	struct iommu_domain *d;
	uint64_t iqa, t0, t1, q[4], un, pe[8];

	vt_create(&g, true, sm_ini);
	d = unmanaged(&g, SID_A);
	cr_assert(read_pe(&g, SID_A, 0, pe));
	cr_assert_eq(
	    iommu_map(d, 0x100000, VT_DATA, 256 * PG, IOMMU_READ | IOMMU_WRITE),
	    0);
	vt_tr_ok(&g, SID_A, NP, 0x180000, R, VT_DATA + 0x80000);
	iqa = vt_rd64(&g, R_IQA);
	cr_assert_eq(iqa >> 11 & 1, 1,
		     "scalable mode uses 256-bit descriptors");
	t0 = vt_rd64(&g, R_IQT);
	cr_assert_eq(iommu_unmap(d, 0x100000, 256 * PG, &un), 0);
	t1 = vt_rd64(&g, R_IQT);
	cr_assert_eq((t1 - t0) & 0xfffff, 2 * 32);
	for (int i = 0; i < 4; i++)
		q[i] = vt_rd64m(&g, (iqa & ~0xfffull) + t0 + 8 * i);
	cr_assert_eq(q[0] & 0x3f, 0x32, "desc 0x%016llx", U(q[0]));
	cr_assert_eq((q[0] >> 16) & 0xffff, pe[1] & 0xffff, "DID");
	cr_assert_eq(q[1] & ~0x40ull, 0x100000 | 8);
	cr_assert_eq(q[2], 0, "QW2 of a 128-bit type");
	cr_assert_eq(q[3], 0);
	cr_assert_eq(vt_tr(&g, SID_A, NP, 0x180000, R, NULL), -EFAULT);
	vt_destroy(&g);
}

Test(drv_sm, blocked_clears_the_rid_pasid_entry)
{
	struct vt g;
	struct iommu_domain *b;
	uint64_t pe[8];
	struct fcap fc = {0};

	vt_create(&g, true, sm_ini);
	cr_assert_eq(iommu_set_ctx_fault_handler(g.ctx, ctx_fault, &fc), 0);
	cr_assert_eq(iommu_domain_alloc(g.ctx, IOMMU_DOMAIN_BLOCKED, &b), 0);
	cr_assert_eq(iommu_attach_device(b, SID_A), 0);
	if (read_pe(&g, SID_A, 0, pe)) {
		cr_assert_eq(pe[0] & 1, 0,
			     "blocked PASID entry present: "
			     "0x%016llx",
			     U(pe[0]));
		cr_assert_neq((pe[0] >> 6) & 7, PGTT_PT);
	}
	cr_assert_eq(vt_tr(&g, SID_A, NP, 0x1000, W, NULL), -EFAULT);
	cr_assert_eq(fc.n, 1);
	cr_assert(fc.f[0].vendor_code == FR_SM_PE_NP ||
		      fc.f[0].vendor_code == FR_SM_PD_NP ||
		      fc.f[0].vendor_code == FR_SM_CTX_NP,
		  "vendor code 0x%02x is not a not-present reason",
		  fc.f[0].vendor_code);
	cr_assert_eq(fc.f[0].reason, IOMMU_FAULT_NO_DOMAIN);
	vt_destroy(&g);
}

Test(drv_sm, identity_is_pgtt_pass_through)
{
	struct vt g;
	struct iommu_domain *id;
	uint64_t pe[8];

	vt_create2(&g, true, "default_domain = identity\ninvalidation = strict",
		   sm_ini);
	cr_assert_eq(iommu_get_domain_for_dev(g.ctx, SID_B, &id), 0);
	cr_assert_eq(iommu_domain_type(id), IOMMU_DOMAIN_IDENTITY);
	cr_assert(read_pe(&g, SID_B, 0, pe));
	/* P, AW 2, PGTT 100; DID 1 */
	cr_assert_eq(pe[0], 0x0000000000000109, "PE QW0 0x%016llx", U(pe[0]));
	cr_assert_eq(pe[1] & 0xffff, 1, "identity DID %llu", U(pe[1] & 0xffff));
	vt_tr_ok(&g, SID_B, NP, 0x3456789, W, 0x3456789);
	vt_destroy(&g);
}

Test(drv_sm, aux_domain_through_a_pasid)
{
	struct vt g;
	struct iommu_domain *prim, *aux, *other;
	uint32_t pasid = 0;
	uint64_t pe[8], pe0[8];
	struct fcap fc = {0};
	int ret;

	vt_create(&g, true, sm_ini);
	cr_assert(iommu_dev_has_feature(g.ctx, SID_E, IOMMU_DEV_FEAT_AUX));
	cr_assert_eq(iommu_dev_enable_feature(g.ctx, SID_E, IOMMU_DEV_FEAT_AUX),
		     0);
	prim = unmanaged(&g, SID_E);
	cr_assert_eq(iommu_map(prim, 0x5000, VT_DATA, PG, IOMMU_READ), 0);
	cr_assert_eq(iommu_detach_device(prim, SID_E), 0);
	cr_assert_eq(iommu_domain_alloc(g.ctx, IOMMU_DOMAIN_UNMANAGED, &aux),
		     0);
	cr_assert_eq(iommu_aux_attach_device(aux, SID_E), 0);
	cr_assert_eq(iommu_aux_get_pasid(aux, SID_E, &pasid), 0);
	cr_assert(pasid > 0 && pasid < 1u << 20, "PASID %u", pasid);
	cr_assert_eq(iommu_set_fault_handler(aux, dom_fault, &fc), 0);
	cr_assert_eq(iommu_map(aux, 0x5000, VT_DATA + 0x7000, PG,
			       IOMMU_READ | IOMMU_WRITE),
		     0);
	/* DMA with the PASID reaches the aux domain */
	vt_tr_ok(&g, SID_E, pasid, 0x5123, W, VT_DATA + 0x7123);
	/* PASIDE set in the context entry, the PASID entry per 4.4 */
	{
		struct drv_ctx c;

		read_ctx(&g, SID_E, &c);
		cr_assert(c.ce[0] & CE_PASIDE, "PASIDE clear with aux on");
	}
	cr_assert(read_pe(&g, SID_E, pasid, pe));
	cr_assert_eq(pe[0] & 0xfff, 0x089, "aux PE QW0 0x%016llx", U(pe[0]));
	cr_assert(read_pe(&g, SID_E, 0, pe0));
	cr_assert_neq(pe[1] & 0xffff, pe0[1] & 0xffff,
		      "aux domain shares the primary's DID");
	check_sl_leaf(&g, pe[0] & ADDR, 4, 0x5000, 1, (VT_DATA + 0x7000) | 3);
	/* a fault under the PASID goes to the aux domain's handler */
	cr_assert_eq(vt_tr(&g, SID_E, pasid, 0x9000, R, NULL), -EFAULT);
	cr_assert_eq(fc.n, 1, "%u faults at the aux domain", fc.n);
	cr_assert(fc.f[0].flags & IOMMU_FAULT_F_PASID_VALID);
	cr_assert_eq(fc.f[0].pasid, pasid);
	cr_assert_eq(fc.f[0].addr, 0x9000);
	/* rule 8: no primary attach while an aux domain is attached */
	cr_assert_eq(iommu_domain_alloc(g.ctx, IOMMU_DOMAIN_UNMANAGED, &other),
		     0);
	ret = iommu_attach_device(other, SID_E);
	cr_assert_eq(ret, -EBUSY, "primary attach with aux attached: %d", ret);
	/* detach: the PASID entry is gone and DMA with it faults */
	cr_assert_eq(iommu_aux_detach_device(aux, SID_E), 0);
	if (read_pe(&g, SID_E, pasid, pe))
		cr_assert_eq(pe[0] & 1, 0, "PASID entry still present");
	cr_assert_eq(vt_tr(&g, SID_E, pasid, 0x5000, R, NULL), -EFAULT);
	cr_assert_eq(iommu_attach_device(other, SID_E), 0);
	vt_destroy(&g);
}

Test(drv_sm, caching_mode_map_invalidates)
{
	struct vt g;
	struct iommu_domain *d;
	uint64_t n0;
	char ini[256];

	snprintf(ini, sizeof(ini), "%s\ncaching_mode = yes", sm_ini);
	vt_create(&g, true, ini);
	d = unmanaged(&g, SID_A);
	cr_assert_eq(vt_tr(&g, SID_A, NP, 0x9000, W, NULL), -EFAULT);
	n0 = vt_stat(&g, IOMMU_STAT_INVAL_CMDS);
	cr_assert_eq(iommu_map(d, 0x9000, VT_DATA, PG, IOMMU_WRITE), 0);
	cr_assert(vt_stat(&g, IOMMU_STAT_INVAL_CMDS) > n0);
	vt_tr_ok(&g, SID_A, NP, 0x9000, W, VT_DATA);
	vt_destroy(&g);
}

/* ---- scalable mode, first stage
 * ----------------------------------------------- */

Test(drv_fl, pasid_entry_and_first_stage_leaf)
{
	struct vt g;
	struct iommu_domain *d;
	uint64_t pe[8], leaf, nl = 0;

	vt_create(&g, true, fl_ini);
	d = unmanaged(&g, SID_A);
	cr_assert_eq(
	    iommu_map(d, 0x12345000, 0x12345000, PG, IOMMU_READ | IOMMU_WRITE),
	    0);
	cr_assert_eq(iommu_map(d, 0x100000, VT_DATA, PG, IOMMU_READ), 0);
	cr_assert(read_pe(&g, SID_A, 0, pe));
	/* T23 layout: P, AW 2, PGTT 001; FLPTPTR, FLPM 0, NXE */
	cr_assert_eq(pe[0] & 0xfff, 0x049, "PE QW0 0x%016llx", U(pe[0]));
	cr_assert_eq(pe[0] & ADDR, 0, "SLPTPTR in a first-stage entry");
	cr_assert_eq(pe[2] & 0xfff, 0x020, "PE QW2 0x%016llx", U(pe[2]));
	cr_assert_neq(pe[2] & ADDR, 0);
	leaf = walk(&g, pe[2] & ADDR, 4, 0x12345000, 1, true, &nl);
	/* 5.2: P, R/W set; address; PS/PAT and XD clear */
	cr_assert_eq(leaf & ADDR, 0x12345000, "leaf 0x%016llx", U(leaf));
	cr_assert_eq(leaf & 3, 3, "leaf 0x%016llx", U(leaf));
	cr_assert_eq(leaf & 0x80, 0);
	cr_assert_eq(leaf >> 63, 0);
	cr_assert_eq(nl & 1, 1, "non-leaf not present");
	cr_assert_eq(nl & 0x80, 0, "PS in a PML4E");
	leaf = walk(&g, pe[2] & ADDR, 4, 0x100000, 1, true, NULL);
	cr_assert_eq(leaf & 3, 1, "read-only leaf 0x%016llx", U(leaf));
	vt_tr_ok(&g, SID_A, NP, 0x12345678, W, 0x12345678);
	vt_tr_ok(&g, SID_A, NP, 0x100010, R, VT_DATA + 0x10);
	cr_assert_eq(vt_tr(&g, SID_A, NP, 0x100010, W, NULL), -EFAULT);
	vt_destroy(&g);
}

Test(drv_fl, unmap_uses_type6_with_rid_pasid)
{
	struct vt g;
	struct iommu_domain *d;
	uint64_t iqa, t0, t1, q[4], un, pe[8];

	vt_create(&g, true, fl_ini);
	d = unmanaged(&g, SID_A);
	cr_assert(read_pe(&g, SID_A, 0, pe));
	cr_assert_eq(
	    iommu_map(d, 0x100000, VT_DATA, 16 * PG, IOMMU_READ | IOMMU_WRITE),
	    0);
	vt_tr_ok(&g, SID_A, NP, 0x10f000, R, VT_DATA + 0xf000);
	iqa = vt_rd64(&g, R_IQA) & ~0xfffull;
	t0 = vt_rd64(&g, R_IQT);
	cr_assert_eq(iommu_unmap(d, 0x100000, 16 * PG, &un), 0);
	t1 = vt_rd64(&g, R_IQT);
	cr_assert_eq((t1 - t0) & 0xfffff, 2 * 32);
	for (int i = 0; i < 4; i++)
		q[i] = vt_rd64m(&g, iqa + t0 + 8 * i);
	/* 6.8 (T24 layout): type 6, G 11, DID, PASID 0, AM 4 */
	cr_assert_eq(q[0] & 0x3f, 0x36, "desc 0x%016llx", U(q[0]));
	cr_assert_eq((q[0] >> 16) & 0xffff, pe[1] & 0xffff);
	cr_assert_eq(q[0] >> 32, 0, "PASID field 0x%llx", U(q[0] >> 32));
	cr_assert_eq(q[1] & ~0x40ull, 0x100000 | 4, "QW1 0x%016llx", U(q[1]));
	cr_assert_eq(vt_tr(&g, SID_A, NP, 0x10f000, R, NULL), -EFAULT);
	vt_destroy(&g);
}

Test(drv_fl, five_level_first_stage_sets_flpm)
{
	struct vt g;
	struct iommu_domain *d;
	uint64_t pe[8], leaf;
	uint64_t start, last;

	vt_create(&g, true,
		  "translation = scalable\nscalable_mode = yes\n"
		  "stage = first\nfirst_stage = yes\nfl_5level = yes\n"
		  "aw = 57\nhaw = 52");
	cr_assert(g.cap >> 60 & 1, "CAP.FL5LP");
	d = unmanaged(&g, SID_B);
	cr_assert_eq(iommu_domain_geometry(d, &start, &last), 0);
	cr_assert(last >= (1ull << 48), "aperture 0x%llx", U(last));
	cr_assert_eq(iommu_map(d, 1ull << 50, VT_DATA, PG, IOMMU_READ), 0);
	cr_assert(read_pe(&g, SID_B, 0, pe));
	/* 4.4: FLPM 01 = 5-level */
	cr_assert_eq((pe[2] >> 2) & 3, 1, "FLPM: QW2 0x%016llx", U(pe[2]));
	leaf = walk(&g, pe[2] & ADDR, 5, 1ull << 50, 1, true, NULL);
	cr_assert_eq(leaf & (ADDR | 1), VT_DATA | 1, "leaf 0x%016llx", U(leaf));
	vt_tr_ok(&g, SID_B, NP, (1ull << 50) + 0x10, R, VT_DATA + 0x10);
	vt_destroy(&g);
}

/* ---- randomized
 * -------------------------------------------------------------- */

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1Dull;
}

Test(drv_sm, random_map_unmap_matches_the_model)
{
	struct vt g;
	struct iommu_domain *d;
	const char *env = getenv("VTD_TEST_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
	uint64_t s, iova[64], size[64], un;
	unsigned int i, j;

	if (!seed)
		seed = 1;
	s = seed;
	fprintf(stderr,
		"drv_sm/random_map_unmap: seed %llu (set "
		"VTD_TEST_SEED to repeat)\n",
		U(seed));
	vt_create(&g, true, sm_ini);
	d = unmanaged(&g, SID_A);
	/* 64 slots of 4 MiB, each mapped with 4K..2M at a random offset */
	for (i = 0; i < 64; i++) {
		size[i] =
		    (rnd(&s) & 1) ? (2ull << 20) : PG * (1 + rnd(&s) % 64);
		iova[i] = (uint64_t)(i + 1) << 22;
		if (size[i] < (2ull << 20))
			iova[i] += PG * (rnd(&s) % 256);
		cr_assert_eq(iommu_map(d, iova[i], VT_DATA, size[i],
				       IOMMU_READ | IOMMU_WRITE),
			     0, "seed %llu: map %u", U(seed), i);
	}
	for (i = 0; i < 64; i++) {
		uint64_t off = (rnd(&s) % size[i]) & ~3ull;

		vt_tr_ok(&g, SID_A, NP, iova[i] + off, W, VT_DATA + off);
	}
	for (i = 0; i < 64; i += 1 + rnd(&s) % 3) {
		cr_assert_eq(iommu_unmap(d, iova[i], size[i], &un), 0);
		cr_assert_eq(un, size[i], "seed %llu: unmap %u: %llu of %llu",
			     U(seed), i, U(un), U(size[i]));
		for (j = 0; j < 4; j++) {
			uint64_t off = (rnd(&s) % size[i]) & ~3ull;

			cr_assert_eq(
			    vt_tr(&g, SID_A, NP, iova[i] + off, R, NULL),
			    -EFAULT, "seed %llu: stale translation of slot %u",
			    U(seed), i);
		}
		size[i] = 0;
	}
	for (i = 0; i < 64; i++)
		if (size[i])
			vt_tr_ok(&g, SID_A, NP, iova[i], R, VT_DATA);
	vt_destroy(&g);
}
