// SPDX-License-Identifier: MIT
/*
 * test_drv.c - the library's AMD-Vi driver through the public API, on
 * contexts WITH the driver.  The tests read back what the driver wrote
 * (registers, the device table at the DTB register, v1 page-table
 * entries, the command buffer at ComBase) and compare it with the spec
 * sheet's layouts, decoded here with the test's own field positions
 * (ag.h); translations and faults go through the device model.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "ag.h"
#include "dt.h"


/* The v1 entry for @iova at @level of the table @root of @levels. */
static uint64_t walk(struct dt *t, uint64_t root, unsigned int levels,
		     uint64_t iova, unsigned int level)
{
	uint64_t tbl = root, e = 0;

	for (unsigned int l = levels; l >= level; l--) {
		e = dt_mem64(t, tbl + 8 * ((iova >> (12 + 9 * (l - 1))) & 0x1ff));
		if (l == level)
			break;
		cr_assert(e & PTE_PR, "level %u entry not present", l);
		cr_assert_eq(PTE_NL(e), l - 1, "PDE NextLevel %u at level %u",
			     (unsigned int)PTE_NL(e), l);
		tbl = e & ADDR;
	}
	return e;
}

/* Commands written since Tail was @from (byte offset), into @c. */
/* ---- probe ----------------------------------------------------------------
 */

Test(amdvi_drv, probe_enables_in_order_with_full_device_table)
{
	struct dt t;
	uint64_t ctrl, q[4];

	dt_open(&t, "dma", NULL, false);
	ctrl = dt_reg(&t, R_CTRL);
	cr_assert(ctrl & C_IOMMU_EN, "IommuEn");
	cr_assert(ctrl & C_CMD_EN, "CmdBufEn");
	cr_assert(ctrl & C_EVT_EN, "EventLogEn");
	cr_assert(ctrl & C_EVT_INT, "EventIntEn");
	cr_assert_eq(dt_reg(&t, R_DTB) & 0x1ff, 0x1ff, "Size: 65536 DTEs");
	cr_assert_eq((dt_reg(&t, R_CMD_BASE) >> 56) & 0xf, 9, "ComLen 9");
	cr_assert_eq((dt_reg(&t, R_EVT_BASE) >> 56) & 0xf, 9, "EventLen 9");
	cr_assert(dt_reg(&t, R_STATUS) & S_CMD_RUN);
	cr_assert(dt_reg(&t, R_STATUS) & S_EVT_RUN);
	/* A DeviceID never probed: the blocking DTE (V, TV, Mode 0, no IR /
	 * IW, DomainID 0), never V = 0 (pass-through). */
	dt_dte(&t, 0x0500, q);
	cr_assert_eq(q[0], DTE_V | DTE_TV, "DTE qword0 0x%llx", U(q[0]));
	cr_assert_eq(q[1], 0);
	cr_assert_eq(q[2], 0);
	cr_assert_eq(q[3], 0);
	/* Probe's INVALIDATE_IOMMU_ALL then COMPLETION_WAIT ran first. */
	{
		uint64_t c[64][2];
		unsigned int n = dt_cmds_since(&t, 0, c, 64);

		cr_assert_geq(n, 2);
		cr_assert_eq(OPC(c[0][0]), 0x8, "first command 0x%x",
			     OPC(c[0][0]));
		cr_assert_eq(OPC(c[1][0]), 0x1);
		cr_assert_eq(c[1][0] & 7, 1, "COMPLETION_WAIT: S only");
	}
	dt_close(&t);
}

static void quiet_log(void *cookie, enum iommu_log_level level, const char *msg)
{
	(void)cookie;
	(void)level;
	(void)msg;
}

Test(amdvi_drv, mode_beyond_hats_refused)
{
	char ini[1024];
	struct iommu_ctx_opts co;
	struct iommu_ctx *ctx = NULL;
	char err[256] = "";

	snprintf(ini, sizeof(ini),
		 "[iommu]\nbackend = amdvi\ndefault_domain = dma\n"
		 "invalidation = strict\n[memory]\nram_size = 64M\n"
		 "table_base = 0x3000000\ntable_size = 0x1000000\n"
		 "[amdvi]\nhost_levels = 4\npgtable_mode = 5\n");
	memset(&co, 0, sizeof(co));
	co.ini_string = ini;
	co.log = quiet_log;
	co.log_level = IOMMU_LOG_ERR;
	co.errbuf = err;
	co.errbuf_len = sizeof(err);
	cr_assert_eq(iommu_ctx_create(&co, &ctx), -EINVAL, "%s", err);
}

/* ---- DTEs of each domain kind ------------------------------------------ */

Test(amdvi_drv, paging_dte_and_leaf_bytes)
{
	struct dt t;
	struct iommu_domain *d;
	uint64_t q[4], e;

	dt_open(&t, "dma", NULL, false);
	d = dt_unmanaged_on(&t, t.a);
	cr_assert_eq(iommu_map(d, IOVA, DATA, 0x1000, IOMMU_READ), 0);
	dt_dte(&t, DEV_A, q);
	cr_assert_eq(q[0] & (DTE_V | DTE_TV | DTE_IR | DTE_IW),
		     DTE_V | DTE_TV | DTE_IR | DTE_IW);
	cr_assert_eq(DTE_MODE(q[0]), 4, "Mode %u", (unsigned)DTE_MODE(q[0]));
	cr_assert_geq(DTE_DOMID(q[1]), 2, "DomainID %u", DTE_DOMID(q[1]));
	cr_assert_eq(q[0] & ((0x1full << 2) | (1ull << 63)), 0, "reserved");
	e = walk(&t, q[0] & ADDR, 4, IOVA, 1);
	cr_assert(e & PTE_PR);
	cr_assert_eq(PTE_NL(e), 0);
	cr_assert_eq(e & ADDR, DATA);
	cr_assert(e & PTE_IR);
	cr_assert_not(e & PTE_IW, "read-only map wrote IW");
	/* 2 MiB: a leaf at level 2 (NextLevel 0). */
	cr_assert_eq(
	    iommu_map(d, IOVA + 0x200000, DATA + 0x200000, 0x200000, RW), 0);
	e = walk(&t, q[0] & ADDR, 4, IOVA + 0x200000, 2);
	cr_assert(e & PTE_PR);
	cr_assert_eq(PTE_NL(e), 0, "2M leaf NextLevel %u", (unsigned)PTE_NL(e));
	cr_assert_eq(e & ADDR, DATA + 0x200000);
	dt_close(&t);
}

Test(amdvi_drv, blocked_dte_faults_no_domain)
{
	struct dt t;
	uint64_t q[4];
	uint32_t g;
	uint8_t b[4];

	dt_open(&t, "dma", NULL, false);
	cr_assert_eq(iommu_dev_group(t.ctx, t.a, &g), 0);
	cr_assert_eq(iommu_group_claim_dma_owner(t.ctx, g, &t), 0);
	dt_dte(&t, DEV_A, q);
	cr_assert_eq(q[0], DTE_V | DTE_TV, "blocked qword0 0x%llx", U(q[0]));
	cr_assert_eq(DTE_DOMID(q[1]), 0);
	cr_assert_eq(iommu_dma_read(t.ctx, t.a, NP, DATA, b, 4), -EFAULT);
	cr_assert_eq(t.faults.n, 1);
	cr_assert_eq(t.faults.f[0].reason, IOMMU_FAULT_NO_DOMAIN);
	cr_assert_eq(t.faults.f[0].dev_id, DEV_A);
	cr_assert_eq(t.faults.f[0].addr, DATA);
	cr_assert_eq(t.faults.f[0].access, R);
	cr_assert_eq(t.faults.f[0].vendor_code, EV_PF);
	dt_close(&t);
}

Test(amdvi_drv, identity_dte_is_mode0_with_ir_iw)
{
	struct dt t;
	uint64_t q[4];
	struct iommu_translation tr;

	dt_open(&t, "identity", NULL, false);
	dt_dte(&t, DEV_A, q);
	cr_assert_eq(q[0], DTE_V | DTE_TV | DTE_IR | DTE_IW, "0x%llx", U(q[0]));
	cr_assert_eq(DTE_DOMID(q[1]), 1);
	cr_assert_eq(iommu_dma_translate(t.ctx, t.a, NP, DATA, 8, W, &tr), 0);
	cr_assert_eq(tr.phys, DATA);
	dt_close(&t);
}

/* ---- command sequences ---------------------------------------------------
 */

/* Sheet 2.5: the DTE, then INVALIDATE_DEVTAB_ENTRY, the old DomainID's
 * pages (S, PDE, all pages) and one COMPLETION_WAIT. */
static void expect_attach_cmds(struct dt *t, uint64_t c[][2], unsigned int n,
			       unsigned int old)
{
	cr_assert_eq(n, 3, "%u commands", n);
	cr_assert_eq(OPC(c[0][0]), 0x2);
	cr_assert_eq(c[0][0] & 0xffff, DEV_A);
	cr_assert_eq(OPC(c[1][0]), 0x3);
	cr_assert_eq((c[1][0] >> 32) & 0xffff, old);
	cr_assert_eq(c[1][1] & 1, 1, "S");
	cr_assert_eq(c[1][1] & 2, 2, "PDE");
	cr_assert_eq(c[1][1] & ~0xfffull, 0x7FFFFFFFFFFFF000ull, "all pages");
	cr_assert_eq(OPC(c[2][0]), 0x1);
	cr_assert_eq(c[2][0] & 7, 1, "COMPLETION_WAIT S");
	(void)t;
}

Test(amdvi_drv, attach_writes_dte_then_inv_dte_old_domain_and_wait)
{
	struct dt t;
	struct iommu_domain *d;
	uint64_t q[4], c[16][2], tail;
	unsigned int old, n;
	uint32_t g;

	dt_open(&t, "dma", NULL, false);
	dt_dte(&t, DEV_A, q);
	old = DTE_DOMID(q[1]);
	cr_assert_geq(old, 2, "default DMA domain's DomainID %u", old);
	/* default -> blocked (the owner claim) */
	cr_assert_eq(iommu_dev_group(t.ctx, t.a, &g), 0);
	tail = dt_reg(&t, R_CMD_TAIL) & 0x7fff0;
	cr_assert_eq(iommu_group_claim_dma_owner(t.ctx, g, &t), 0);
	n = dt_cmds_since(&t, tail, c, 16);
	expect_attach_cmds(&t, c, n, old);
	/* blocked -> unmanaged: DomainID 0 is flushed */
	cr_assert_eq(iommu_domain_alloc(t.ctx, IOMMU_DOMAIN_UNMANAGED, &d), 0);
	tail = dt_reg(&t, R_CMD_TAIL) & 0x7fff0;
	cr_assert_eq(iommu_attach_device(d, t.a), 0);
	n = dt_cmds_since(&t, tail, c, 16);
	expect_attach_cmds(&t, c, n, 0);
	dt_dte(&t, DEV_A, q);
	cr_assert_neq(DTE_DOMID(q[1]), old);
	cr_assert_geq(DTE_DOMID(q[1]), 2);
	dt_close(&t);
}

/* Unmap of 256 x 4K: one INVALIDATE_IOMMU_PAGES (S = 1, the 1 MiB block),
 * one COMPLETION_WAIT; a single page: S = 0. */
Test(amdvi_drv, unmap_256_pages_is_one_range_and_one_wait)
{
	struct dt t;
	struct iommu_domain *d;
	uint64_t c[16][2], tail, un = 0, q[4];
	unsigned int n, domid;

	dt_open(&t, "dma", NULL, false);
	d = dt_unmanaged_on(&t, t.a);
	dt_dte(&t, DEV_A, q);
	domid = DTE_DOMID(q[1]);
	for (unsigned int i = 0; i < 256; i++)
		cr_assert_eq(iommu_map(d, IOVA + i * 0x1000ull,
				       DATA + i * 0x1000ull, 0x1000, RW),
			     0);
	tail = dt_reg(&t, R_CMD_TAIL) & 0x7fff0;
	cr_assert_eq(iommu_unmap(d, IOVA, 256 * 0x1000ull, &un), 0);
	cr_assert_eq(un, 256 * 0x1000ull);
	n = dt_cmds_since(&t, tail, c, 16);
	cr_assert_eq(n, 2, "%u commands per 256x4K unmap", n);
	cr_assert_eq(OPC(c[0][0]), 0x3);
	cr_assert_eq((c[0][0] >> 32) & 0xffff, domid);
	cr_assert_eq(c[0][0] & 0xfffff, 0, "PASID");
	cr_assert_eq(c[0][1] & 1, 1, "S");
	cr_assert_eq(c[0][1] & 4, 0, "GN");
	/* sheet 5.4: 1 MiB at IOVA: bits 18..12 set, bit 19 clear */
	cr_assert_eq(c[0][1] & ~0xfffull, IOVA | 0x7f000, "0x%llx", U(c[0][1]));
	cr_assert_eq(OPC(c[1][0]), 0x1);
	cr_assert_eq(c[1][0] & 1, 1);

	cr_assert_eq(iommu_map(d, IOVA + 0x5000, DATA, 0x1000, RW), 0);
	tail = dt_reg(&t, R_CMD_TAIL) & 0x7fff0;
	cr_assert_eq(iommu_unmap(d, IOVA + 0x5000, 0x1000, &un), 0);
	n = dt_cmds_since(&t, tail, c, 16);
	cr_assert_eq(n, 2);
	cr_assert_eq(c[0][1], IOVA + 0x5000, "S = 0, the page: 0x%llx",
		     U(c[0][1]));
	dt_close(&t);
}

Test(amdvi_drv, unmap_removes_the_translation)
{
	struct dt t;
	struct iommu_domain *d;
	struct iommu_translation tr;
	uint64_t un = 0;

	dt_open(&t, "dma", NULL, false);
	d = dt_unmanaged_on(&t, t.a);
	cr_assert_eq(iommu_map(d, IOVA, DATA, 0x2000, RW), 0);
	cr_assert_eq(
	    iommu_dma_translate(t.ctx, t.a, NP, IOVA + 0x1000, 8, R, &tr), 0);
	cr_assert_eq(tr.phys, DATA + 0x1000);
	cr_assert_eq(iommu_unmap(d, IOVA, 0x2000, &un), 0);
	cr_assert_eq(
	    iommu_dma_translate(t.ctx, t.a, NP, IOVA + 0x1000, 8, R, &tr),
	    -EFAULT);
	cr_assert_eq(t.faults.n, 1);
	cr_assert_eq(t.faults.f[0].reason, IOMMU_FAULT_NOT_MAPPED);
	cr_assert_eq(t.faults.f[0].addr, IOVA + 0x1000);
	dt_close(&t);
}

Test(amdvi_drv, write_to_read_only_page_is_permission)
{
	struct dt t;
	struct iommu_domain *d;
	struct iommu_translation tr;

	dt_open(&t, "dma", NULL, false);
	d = dt_unmanaged_on(&t, t.a);
	cr_assert_eq(iommu_map(d, IOVA, DATA, 0x1000, IOMMU_READ), 0);
	cr_assert_eq(iommu_dma_translate(t.ctx, t.a, NP, IOVA, 8, W, &tr),
		     -EFAULT);
	cr_assert_eq(t.faults.n, 1);
	cr_assert_eq(t.faults.f[0].reason, IOMMU_FAULT_PERMISSION);
	cr_assert_eq(t.faults.f[0].access, W);
	cr_assert_eq(t.faults.f[0].dev_id, DEV_A);
	dt_close(&t);
}

/* ---- geometry ------------------------------------------------------------ */

Test(amdvi_drv, default_page_sizes_are_every_power_of_two)
{
	struct dt t;
	struct iommu_domain *d;
	uint64_t s, l, q[4], e;

	dt_open(&t, "dma", NULL, false);
	d = dt_unmanaged_on(&t, t.a);
	cr_assert_eq(iommu_domain_pgsize_bitmap(d) & 0xffffffffull,
		     0xfffff000ull, "bitmap 0x%llx",
		     U(iommu_domain_pgsize_bitmap(d)));
	cr_assert_eq(iommu_domain_geometry(d, &s, &l), 0);
	cr_assert_eq(s, 0);
	cr_assert_eq(l, (1ull << 48) - 1);
	/* 32K: a NextLevel-7 run of eight level-1 entries (sheet 3.5). */
	cr_assert_eq(iommu_map(d, IOVA, DATA, 0x8000, RW), 0);
	dt_dte(&t, DEV_A, q);
	e = walk(&t, q[0] & ADDR, 4, IOVA + 0x3000, 1);
	cr_assert(e & PTE_PR);
	cr_assert_eq(PTE_NL(e), 7, "NextLevel %u", (unsigned)PTE_NL(e));
	dt_close(&t);
}

Test(amdvi_drv, pgtable_mode_3_gives_39_bits)
{
	struct dt t;
	struct iommu_domain *d;
	uint64_t s, l, q[4];

	dt_open(&t, "dma", "pgtable_mode = 3\npage_sizes = 0x40201000", false);
	d = dt_unmanaged_on(&t, t.a);
	cr_assert_eq(iommu_domain_pgsize_bitmap(d), 0x40201000ull);
	cr_assert_eq(iommu_domain_geometry(d, &s, &l), 0);
	cr_assert_eq(l, (1ull << 39) - 1);
	dt_dte(&t, DEV_A, q);
	cr_assert_eq(DTE_MODE(q[0]), 3);
	dt_close(&t);
}

Test(amdvi_drv, nest_parent_and_dirty_refused)
{
	struct dt t;
	struct iommu_domain *d = NULL;

	dt_open(&t, "dma", NULL, false);
	cr_assert_eq(
	    iommu_domain_alloc_paging(t.ctx, t.a, IOMMU_ALLOC_NEST_PARENT, &d),
	    -EOPNOTSUPP);
	cr_assert_eq(iommu_domain_alloc_paging(t.ctx, t.a,
					       IOMMU_ALLOC_DIRTY_TRACKING, &d),
		     -EOPNOTSUPP);
	dt_close(&t);
}

Test(amdvi_drv, resv_regions_msi_and_ht)
{
	struct dt t;
	struct iommu_resv_region r[8];
	size_t n = 0;

	dt_open(&t, "dma", NULL, false);
	cr_assert_eq(iommu_get_resv_regions(t.ctx, t.a, r, 8, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_eq(r[0].start, 0xFEE00000ull);
	cr_assert_eq(r[0].last, 0xFEEFFFFFull);
	cr_assert_eq(r[0].type, IOMMU_RESV_MSI);
	cr_assert_eq(r[1].start, 0xFD00000000ull);
	cr_assert_eq(r[1].type, IOMMU_RESV_RESERVED);
	dt_close(&t);
}

/* Unmapping a whole level-1 table unlinks it: the range command has PDE. */
Test(amdvi_drv, unlinked_table_sets_pde)
{
	struct dt t;
	struct iommu_domain *d;
	uint64_t c[16][2], tail, un = 0;
	unsigned int n;

	dt_open(&t, "dma", "page_sizes = 0x1000", false);
	d = dt_unmanaged_on(&t, t.a);
	cr_assert_eq(iommu_map(d, IOVA, DATA, 0x200000, RW), 0);
	tail = dt_reg(&t, R_CMD_TAIL) & 0x7fff0;
	cr_assert_eq(iommu_unmap(d, IOVA, 0x200000, &un), 0);
	cr_assert_eq(un, 0x200000);
	n = dt_cmds_since(&t, tail, c, 16);
	cr_assert_eq(n, 2, "%u commands", n);
	cr_assert_eq(OPC(c[0][0]), 0x3);
	cr_assert_eq(c[0][1] & 3, 3, "S and PDE: 0x%llx", U(c[0][1]));
	cr_assert_eq(c[0][1] & ~0xfffull, IOVA | 0xff000);
	dt_close(&t);
}

/* Deferred mode: unmap leaves the invalidation to flush_iotlb_all, which
 * is one all-pages INVALIDATE_IOMMU_PAGES of the DomainID. */
Test(amdvi_drv, deferred_flush_all_is_one_command_and_wait)
{
	char ini[1024];
	struct iommu_ctx_opts co;
	struct iommu_ctx *ctx = NULL;
	struct iommu_domain *d = NULL;
	struct iommu_iotlb_gather g;
	uint64_t base, tail, to, un = 0, c0, c1;

	snprintf(ini, sizeof(ini),
		 "[iommu]\nbackend = amdvi\ninvalidation = deferred\n"
		 "default_domain = dma\n"
		 "[memory]\nram_size = 64M\n"
		 "table_base = 0x3000000\ntable_size = 0x1000000\n"
		 "[device.a]\nid = 00:02.0\n");
	memset(&co, 0, sizeof(co));
	co.ini_string = ini;
	co.log_level = IOMMU_LOG_ERR;
	cr_assert_eq(iommu_ctx_create(&co, &ctx), 0);
	cr_assert_eq(iommu_domain_alloc(ctx, IOMMU_DOMAIN_UNMANAGED, &d), 0);
	cr_assert_eq(iommu_map(d, IOVA, DATA, 0x1000, RW), 0);
	iommu_iotlb_gather_init(&g);
	cr_assert_eq(iommu_unmap_fast(d, IOVA, 0x1000, &g, &un), 0);
	cr_assert_eq(iommu_hw_mmio_read(ctx, R_CMD_TAIL, 8, &tail), 0);
	cr_assert_eq(iommu_flush_iotlb_all(d), 0);
	cr_assert_eq(iommu_hw_mmio_read(ctx, R_CMD_TAIL, 8, &to), 0);
	cr_assert_eq(iommu_hw_mmio_read(ctx, R_CMD_BASE, 8, &base), 0);
	cr_assert_eq((to - tail) & 0x7fff0, 32, "two commands");
	base &= ADDR;
	cr_assert_eq(iommu_mem_read(ctx, base + tail, &c0, 8), 0);
	cr_assert_eq(iommu_mem_read(ctx, base + tail + 8, &c1, 8), 0);
	cr_assert_eq(OPC(c0), 0x3);
	cr_assert_eq(c1 & ~0xfffull, 0x7FFFFFFFFFFFF000ull);
	cr_assert_eq(c1 & 3, 3);
	iommu_domain_free(d);
	iommu_ctx_destroy(ctx);
}

/* No DTE of the driver has GV: a PASID-tagged request is BAD_PASID. */
Test(amdvi_drv, pasid_request_is_bad_pasid)
{
	struct dt t;
	struct iommu_translation tr;

	dt_open(&t, "identity", NULL, false);
	cr_assert_eq(iommu_dma_translate(t.ctx, t.a, 5, DATA, 8, R, &tr),
		     -EFAULT);
	cr_assert_eq(t.faults.n, 1);
	cr_assert_eq(t.faults.f[0].reason, IOMMU_FAULT_BAD_PASID);
	cr_assert(t.faults.f[0].flags & IOMMU_FAULT_F_PASID_VALID);
	cr_assert_eq(t.faults.f[0].pasid, 5);
	dt_close(&t);
}

/* Removing a device puts the blocking DTE back and flushes its DomainID. */
Test(amdvi_drv, release_device_restores_blocking_dte)
{
	struct dt t;
	uint64_t q[4], c[16][2], tail;
	unsigned int old, n;

	dt_open(&t, "dma", NULL, false);
	dt_dte(&t, DEV_B, q);
	old = DTE_DOMID(q[1]);
	cr_assert_geq(old, 2);
	tail = dt_reg(&t, R_CMD_TAIL) & 0x7fff0;
	cr_assert_eq(iommu_dev_remove(t.ctx, t.b), 0);
	dt_dte(&t, DEV_B, q);
	cr_assert_eq(q[0], DTE_V | DTE_TV, "0x%llx", U(q[0]));
	cr_assert_eq(q[1], 0);
	n = dt_cmds_since(&t, tail, c, 16);
	cr_assert_geq(n, 3, "%u commands", n);
	cr_assert_eq(OPC(c[n - 3][0]), 0x2);
	cr_assert_eq(c[n - 3][0] & 0xffff, DEV_B);
	cr_assert_eq(OPC(c[n - 2][0]), 0x3);
	cr_assert_eq((c[n - 2][0] >> 32) & 0xffff, old);
	cr_assert_eq(OPC(c[n - 1][0]), 0x1);
	dt_close(&t);
}

/* ---- event log ----------------------------------------------------------- */

static uint64_t stat_of(struct dt *t, enum iommu_stat s)
{
	struct iommu_stats st = {.size = sizeof(st)};

	cr_assert_eq(iommu_get_stats(t->ctx, &st), 0);
	return st.v[s];
}

/*
 * Overflow (sheet 6.1): with the event interrupt masked behind the
 * driver's back, 600 faults fill the 512-entry log (511 records), the
 * next one sets EventOverflow and stops logging, the rest are lost.  The
 * next interrupt reports the 511 records once each, in order, clears the
 * overflow and restarts logging; later faults are reported again.
 */
Test(amdvi_drv, event_log_overflow_is_counted_and_logging_restarts)
{
	struct dt t;
	uint64_t ctrl, sts;
	uint32_t g;
	uint8_t b[4];

	dt_open(&t, "dma", NULL, false);
	cr_assert_eq(iommu_dev_group(t.ctx, t.a, &g), 0);
	cr_assert_eq(iommu_group_claim_dma_owner(t.ctx, g, &t), 0);
	ctrl = dt_reg(&t, R_CTRL);
	cr_assert(ctrl & C_EVT_INT);
	cr_assert_eq(iommu_hw_mmio_write(t.ctx, R_CTRL, 8, ctrl & ~C_EVT_INT),
		     0);
	for (uint64_t i = 0; i < 600; i++)
		cr_assert_eq(
		    iommu_dma_read(t.ctx, t.a, NP, DATA + i * 0x1000, b, 4),
		    -EFAULT);
	cr_assert_eq(t.faults.n, 0, "reported without an interrupt");
	sts = dt_reg(&t, R_STATUS);
	cr_assert(sts & S_EVT_OVF, "Status 0x%llx", U(sts));
	cr_assert_not(sts & S_EVT_RUN, "logging went on after the overflow");
	cr_assert_eq(stat_of(&t, IOMMU_STAT_FAULTS_LOST), 600 - 511);
	/* Unmask and deliver the event vector (0) the unit did not raise. */
	cr_assert_eq(iommu_hw_mmio_write(t.ctx, R_CTRL, 8, ctrl), 0);
	cr_assert_eq(iommu_ctx_irq(t.ctx, 0), 0);
	cr_assert_eq(t.faults.n, 511);
	for (unsigned int i = 0; i < 8; i++) {
		cr_assert_eq(t.faults.f[i].addr, DATA + i * 0x1000ull);
		cr_assert_eq(t.faults.f[i].reason, IOMMU_FAULT_NO_DOMAIN);
	}
	sts = dt_reg(&t, R_STATUS);
	cr_assert_not(sts & S_EVT_OVF, "overflow not cleared: 0x%llx", U(sts));
	cr_assert(sts & S_EVT_RUN, "logging not restarted: 0x%llx", U(sts));
	cr_assert_eq(dt_reg(&t, R_EVT_HEAD), dt_reg(&t, R_EVT_TAIL));
	/* Logging runs again: the next fault is reported at once. */
	cr_assert_eq(iommu_dma_read(t.ctx, t.a, NP, DATA, b, 4), -EFAULT);
	cr_assert_eq(t.faults.n, 512);
	cr_assert_eq(stat_of(&t, IOMMU_STAT_FAULTS_REPORTED), 512);
	cr_assert_eq(stat_of(&t, IOMMU_STAT_FAULTS_LOST), 600 - 511);
	dt_close(&t);
}
