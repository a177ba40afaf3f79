// SPDX-License-Identifier: MIT
/*
 * test_misc.c - faults (rule 11), reserved regions, the DMA API, stats,
 * hostile input, several instances in one process and threads.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

/* ---- Faults ----------------------------------------------------------- */

CONF_TEST(fault, domain_handler_takes_it_else_ctx_handler)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *d = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	struct fault_log dl = {0};

	cr_assert_eq(iommu_attach_device(d, t->solo), 0);
	/* No domain handler: the context handler gets it. */
	expect_fault(t, &t->ctx_faults, t->solo, TIOVA + 0x123,
		     IOMMU_ACCESS_READ, REASONS_NOT_MAPPED);
	cr_assert_eq(dl.count, 0);
	/* With one: only the domain handler. */
	cr_assert_eq(iommu_set_fault_handler(d, fault_log_domain_fn, &dl), 0);
	expect_fault(t, &dl, t->solo, TIOVA + 0x5000, IOMMU_ACCESS_WRITE,
		     REASONS_NOT_MAPPED);
	cr_assert_eq(t->ctx_faults.count, 1);
	/* A fault of another device on another domain is not ours. */
	cr_assert_eq(
	    iommu_attach_device(dom_alloc(t, IOMMU_DOMAIN_BLOCKED), t->solo2),
	    0);
	expect_fault(t, &t->ctx_faults, t->solo2, TIOVA + 0x5000,
		     IOMMU_ACCESS_READ, REASONS_ANY);
	cr_assert_eq(dl.count, 1);
	/* Removed again: back to the context handler. */
	cr_assert_eq(iommu_set_fault_handler(d, NULL, NULL), 0);
	expect_fault(t, &t->ctx_faults, t->solo, TIOVA, IOMMU_ACCESS_READ,
		     REASONS_NOT_MAPPED);
	cr_assert_eq(dl.count, 1);
	/* No handler at all: the fault is still counted, nothing crashes. */
	cr_assert_eq(iommu_set_ctx_fault_handler(t->ctx, NULL, NULL), 0);
	{
		uint64_t rep = stat_get(t, IOMMU_STAT_FAULTS_REPORTED);

		cr_assert_eq(
		    dma_xlate(t, t->solo, TIOVA, IOMMU_ACCESS_READ, NULL),
		    -EFAULT);
		cr_assert_eq(stat_get(t, IOMMU_STAT_FAULTS_REPORTED), rep + 1);
	}
	cr_assert_eq(t->ctx_faults.count, 3);
	cr_assert_eq(iommu_set_fault_handler(NULL, NULL, NULL), -EINVAL);
	cr_assert_eq(iommu_set_ctx_fault_handler(NULL, NULL, NULL), -EINVAL);
	cr_assert_eq(iommu_detach_device(d, t->solo), 0);
}

CONF_TEST(fault, each_fault_delivered_once)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *d = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	struct fault_log dl = {0};
	const unsigned int n = 300; /* more than any event queue here */
	uint64_t f0, r0, l0, f, r, l;
	unsigned int i;

	cr_assert_eq(iommu_set_fault_handler(d, fault_log_domain_fn, &dl), 0);
	cr_assert_eq(iommu_attach_group(d, t->g_pair), 0);
	f0 = stat_get(t, IOMMU_STAT_FAULTS);
	r0 = stat_get(t, IOMMU_STAT_FAULTS_REPORTED);
	l0 = stat_get(t, IOMMU_STAT_FAULTS_LOST);
	for (i = 0; i < n; i++) {
		uint32_t dev = i & 1 ? t->pair1 : t->pair0;
		uint64_t iova = TIOVA + (uint64_t)i * PG;
		unsigned int acc =
		    i % 3 ? IOMMU_ACCESS_READ : IOMMU_ACCESS_WRITE;

		cr_assert_eq(dma_xlate(t, dev, iova, acc, NULL), -EFAULT);
		/* Once each, in order, with its own fields. */
		cr_assert_eq(dl.count, i + 1, "fault %u delivered %u times", i,
			     dl.count - i);
		cr_assert_eq(dl.last.dev_id, dev);
		cr_assert_eq(dl.last.access, acc);
		if (dl.last.flags & IOMMU_FAULT_F_ADDR_VALID)
			cr_assert_eq(dl.last.addr & ~(PG - 1), iova);
	}
	f = stat_get(t, IOMMU_STAT_FAULTS) - f0;
	r = stat_get(t, IOMMU_STAT_FAULTS_REPORTED) - r0;
	l = stat_get(t, IOMMU_STAT_FAULTS_LOST) - l0;
	cr_assert_eq(f, n, "FAULTS counted %llu of %u", (unsigned long long)f,
		     n);
	cr_assert_eq(r, n, "FAULTS_REPORTED %llu of %u", (unsigned long long)r,
		     n);
	cr_assert_eq(l, 0, "the serviced queue lost %llu faults",
		     (unsigned long long)l);
	cr_assert_eq(t->ctx_faults.count, 0);
	cr_assert_eq(iommu_detach_group(d, t->g_pair), 0);
}

/*
 * Without a driver nobody posts event buffers or services the fault
 * queue: every fault the hardware records must be counted as lost, none
 * reported, none delivered twice.
 */
CONF_TEST(fault, overflow_counted_without_driver)
{
	struct tctx *t = tctx_open_flags(p, IOMMU_CTX_NO_DRIVER);
	struct iommu_domain *d = NULL;
	unsigned int i, faulted = 0;
	uint64_t f0, l0, r0;

	cr_assert_eq(iommu_domain_alloc(t->ctx, IOMMU_DOMAIN_UNMANAGED, &d),
		     -ENODEV, "domain calls need a driver");
	f0 = stat_get(t, IOMMU_STAT_FAULTS);
	l0 = stat_get(t, IOMMU_STAT_FAULTS_LOST);
	r0 = stat_get(t, IOMMU_STAT_FAULTS_REPORTED);
	for (i = 0; i < 100; i++) {
		int ret = dma_xlate(t, t->solo, TMEM_BASE + i * PG,
				    IOMMU_ACCESS_READ, NULL);

		cr_assert(ret == 0 || ret == -EFAULT, "translate: %d", ret);
		if (ret)
			faulted++;
	}
	if (p->flags & CONF_F_RESET_BLOCKS)
		cr_assert_eq(faulted, 100, "hardware at reset passed DMA");
	/* A dropped fault may or may not count as recorded; it must count
	 * as lost. */
	cr_assert_leq(stat_get(t, IOMMU_STAT_FAULTS) - f0, faulted,
		      "FAULTS %llu for %u faulting DMAs",
		      (unsigned long long)(stat_get(t, IOMMU_STAT_FAULTS) - f0),
		      faulted);
	cr_assert_eq(
	    stat_get(t, IOMMU_STAT_FAULTS_LOST) - l0, faulted,
	    "FAULTS_LOST %llu for %u faults with no event buffer",
	    (unsigned long long)(stat_get(t, IOMMU_STAT_FAULTS_LOST) - l0),
	    faulted);
	cr_assert_eq(stat_get(t, IOMMU_STAT_FAULTS_REPORTED) - r0, 0);
	cr_assert_eq(t->ctx_faults.count, 0, "fault delivered without driver");
}

/* ---- Reserved regions ------------------------------------------------- */

static bool overlaps(uint64_t s1, uint64_t l1, uint64_t s2, uint64_t l2)
{
	return s1 <= l2 && s2 <= l1;
}

CONF_TEST(resv, regions_reported)
{
	struct tctx *t = tctx_open(p);
	struct iommu_resv_region r[16], g[16];
	size_t n = 0, ng = 0, i;
	bool msi = false;

	cr_assert_eq(iommu_get_resv_regions(t->ctx, t->solo, r, 16, &n), 0);
	cr_assert_geq(n, 1, "no reserved region reported");
	cr_assert_leq(n, 16);
	for (i = 0; i < n; i++) {
		cr_assert_leq(r[i].start, r[i].last);
		cr_assert(r[i].type >= IOMMU_RESV_DIRECT &&
			  r[i].type <= IOMMU_RESV_SW_MSI);
		if (r[i].type == IOMMU_RESV_MSI ||
		    r[i].type == IOMMU_RESV_SW_MSI)
			msi = true;
	}
	cr_assert(msi, "no MSI window among %zu regions", n);
	/* Count only. */
	cr_assert_eq(iommu_get_resv_regions(t->ctx, t->solo, NULL, 0, &i), 0);
	cr_assert_eq(i, n);
	cr_assert_eq(iommu_get_resv_regions(t->ctx, t->solo, r, 16, NULL),
		     -EINVAL);
	cr_assert_eq(iommu_get_resv_regions(t->ctx, 0xdeadbe, r, 16, &i),
		     -ENODEV);
	/* Group: sorted, merged, covering each device's regions. */
	cr_assert_eq(
	    iommu_get_group_resv_regions(t->ctx, t->g_pair, g, 16, &ng), 0);
	cr_assert_geq(ng, 1);
	for (i = 1; i < ng && i < 16; i++)
		cr_assert_gt(g[i].start, g[i - 1].last,
			     "group regions not sorted/merged");
	cr_assert_eq(iommu_get_resv_regions(t->ctx, t->pair0, r, 16, &n), 0);
	for (i = 0; i < n; i++) {
		size_t j;
		bool in = false;

		for (j = 0; j < ng; j++)
			if (g[j].start <= r[i].start && r[i].last <= g[j].last)
				in = true;
		cr_assert(in, "device region %#llx not in the group's",
			  (unsigned long long)r[i].start);
	}
	cr_assert_eq(iommu_get_group_resv_regions(t->ctx, 0xdead, g, 16, &ng),
		     -ENODEV);
}

CONF_TEST(resv, dma_map_avoids_reserved_regions)
{
	struct tctx *t = tctx_open(p);
	struct iommu_resv_region r[16];
	uint64_t iovas[96];
	size_t n = 0, i, j;
	const uint64_t sz = SZ_2M / 2;

	cr_assert_eq(iommu_get_group_resv_regions(t->ctx, t->g_solo, r, 16, &n),
		     0);
	cr_assert_leq(n, 16);
	/* 96 MiB of buffers: an allocator that starts near a reserved
	 * region (bottom-up next to a low MSI window, or top-down below
	 * 0xfee00000) walks over it unless it skips it. */
	for (i = 0; i < 96; i++) {
		int ret = iommu_dma_map(t->ctx, t->solo, TMEM_BASE, sz,
					IOMMU_READ, &iovas[i]);

		cr_assert_eq(ret, 0, "dma_map %zu: %d", i, ret);
		if (!default_is_dma(t)) {
			cr_assert_eq(iovas[i], TMEM_BASE);
			continue;
		}
		for (j = 0; j < n; j++)
			cr_assert_not(
			    overlaps(iovas[i], iovas[i] + sz - 1, r[j].start,
				     r[j].last),
			    "dma_map gave %#llx inside reserved %#llx-%#llx",
			    (unsigned long long)iovas[i],
			    (unsigned long long)r[j].start,
			    (unsigned long long)r[j].last);
		for (j = 0; j < i; j++)
			cr_assert_not(overlaps(iovas[i], iovas[i] + sz - 1,
					       iovas[j], iovas[j] + sz - 1),
				      "dma_map gave overlapping IOVAs");
	}
	expect_dma_read(t, t->solo, iovas[95] + 0x100, TMEM_BASE + 0x100, 64);
	for (i = 0; i < 96; i++)
		cr_assert_eq(iommu_dma_unmap(t->ctx, t->solo, iovas[i], sz), 0);
}

CONF_TEST(resv, unmanaged_may_map_reported_msi_window)
{
	struct tctx *t = tctx_open(p);
	struct iommu_resv_region r[16];
	struct iommu_domain *d = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	uint64_t s, l, pg = dom_min_page(d);
	size_t n = 0, i;

	/* The regions are reported so the VMM can avoid them; mapping
	 * next to one works. */
	cr_assert_eq(iommu_get_resv_regions(t->ctx, t->solo, r, 16, &n), 0);
	cr_assert_eq(iommu_domain_geometry(d, &s, &l), 0);
	cr_assert_eq(iommu_attach_device(d, t->solo), 0);
	for (i = 0; i < n && i < 16; i++) {
		uint64_t below = (r[i].start & ~(pg - 1)) - pg;

		if (r[i].start < pg || below < s)
			continue;
		cr_assert_eq(iommu_map(d, below, TMEM_BASE, pg,
				       IOMMU_READ | IOMMU_WRITE),
			     0, "map just below reserved region %#llx",
			     (unsigned long long)r[i].start);
		expect_dma_rw(t, t->solo, below, TMEM_BASE, 64);
	}
	cr_assert_eq(iommu_detach_device(d, t->solo), 0);
}

/* ---- DMA API ---------------------------------------------------------- */

CONF_TEST(dma_api, map_unmap_round_trip)
{
	struct tctx *t = tctx_open(p);
	uint64_t pa = TMEM_BASE + 0x500000, iova = 0, iova2 = 0;
	uint8_t buf[256], back[256];
	size_t i;

	cr_assert_eq(iommu_dma_map(t->ctx, t->solo, pa, 3 * PG,
				   IOMMU_READ | IOMMU_WRITE, &iova),
		     0);
	if (!default_is_dma(t))
		cr_assert_eq(iova, pa);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i ^ 0x77);
	cr_assert_eq(iommu_dma_write(t->ctx, t->solo, IOMMU_NO_PASID,
				     iova + 3 * PG - 100, buf, 100),
		     0);
	cr_assert_eq(iommu_mem_read(t->ctx, pa + 3 * PG - 100, back, 100),
		     0);
	cr_assert_eq(memcmp(buf, back, 100), 0);
	expect_dma_rw(t, t->solo, iova, pa, 3 * PG);
	/* A read-only buffer. */
	cr_assert_eq(iommu_dma_map(t->ctx, t->solo, pa + 0x10000, PG,
				   IOMMU_READ, &iova2),
		     0);
	expect_dma_read(t, t->solo, iova2, pa + 0x10000, 128);
	if (default_is_dma(t)) {
		cr_assert(iova2 + PG <= iova || iova2 >= iova + 3 * PG,
			  "two live buffers share IOVAs");
		expect_fault(t, &t->ctx_faults, t->solo, iova2,
			     IOMMU_ACCESS_WRITE, REASONS_PERM);
	}
	/* Another device of another group cannot use the buffer. */
	if (default_is_dma(t))
		expect_fault(t, &t->ctx_faults, t->solo2, iova,
			     IOMMU_ACCESS_READ, REASONS_ANY);
	cr_assert_eq(iommu_dma_unmap(t->ctx, t->solo, iova, 3 * PG), 0);
	/* The core keeps no record of identity buffers (iova == paddr), so
	 * only a DMA domain can tell a buffer that is not mapped. */
	if (default_is_dma(t)) {
		cr_assert_eq(iommu_dma_unmap(t->ctx, t->solo, iova, 3 * PG),
			     -ENOENT, "second unmap of one buffer");
		cr_assert_eq(
		    iommu_dma_unmap(t->ctx, t->solo, iova2 + PG, PG),
		    -ENOENT);
	}
	if (default_is_dma(t)) {
		settle(t, dev_domain(t, t->solo));
		expect_fault(t, &t->ctx_faults, t->solo, iova,
			     IOMMU_ACCESS_READ, REASONS_ANY);
	}
	cr_assert_eq(iommu_dma_unmap(t->ctx, t->solo, iova2, PG), 0);
	/* Bad input. */
	cr_assert_eq(iommu_dma_map(t->ctx, t->solo, pa, 0, IOMMU_READ, &iova),
		     -EINVAL);
	cr_assert_eq(iommu_dma_map(t->ctx, t->solo, pa, PG, 0, &iova),
		     -EINVAL);
	cr_assert_eq(
	    iommu_dma_map(t->ctx, t->solo, pa, PG, IOMMU_READ, NULL),
	    -EINVAL);
	cr_assert_eq(
	    iommu_dma_map(t->ctx, 0xdeadbe, pa, PG, IOMMU_READ, &iova),
	    -ENODEV);
	cr_assert_eq(iommu_dma_map(NULL, t->solo, pa, PG, IOMMU_READ, &iova),
		     -EINVAL);
}

CONF_TEST(dma_api, group_members_share_buffers)
{
	struct tctx *t = tctx_open(p);
	uint64_t pa = TMEM_BASE + 0x600000, iova = 0;

	/* Both devices of a group are on one domain: a buffer mapped for
	 * one is visible to the other. */
	cr_assert_eq(iommu_dma_map(t->ctx, t->pair0, pa, PG,
				   IOMMU_READ | IOMMU_WRITE, &iova),
		     0);
	expect_dma_rw(t, t->pair1, iova, pa, 64);
	cr_assert_eq(iommu_dma_unmap(t->ctx, t->pair0, iova, PG), 0);
}

/* ---- Stats ------------------------------------------------------------ */

CONF_TEST(stats, counters_move)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *d = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	struct iommu_stats st = { .size = sizeof(st) };
	uint64_t un;
	int i;

	for (i = 0; i < IOMMU_STAT_COUNT; i++)
		cr_assert_not_null(iommu_stat_name(i), "stat %d has no name",
				   i);
	cr_assert_null(iommu_stat_name(IOMMU_STAT_COUNT));
	cr_assert_eq(iommu_reset_stats(t->ctx), 0);
	cr_assert_eq(iommu_get_stats(t->ctx, &st), 0);
	for (i = 0; i < IOMMU_STAT_COUNT; i++)
		cr_assert_eq(st.v[i], 0, "stat %s not reset",
			     iommu_stat_name(i));
	cr_assert_eq(iommu_map(d, TIOVA, TMEM_BASE, PG, IOMMU_READ), 0);
	cr_assert_eq(iommu_attach_device(d, t->solo), 0);
	for (i = 0; i < 10; i++)
		cr_assert_eq(
		    dma_xlate(t, t->solo, TIOVA, IOMMU_ACCESS_READ, NULL), 0);
	cr_assert_eq(
	    dma_xlate(t, t->solo, TIOVA + PG, IOMMU_ACCESS_READ, NULL),
	    -EFAULT);
	cr_assert_eq(iommu_unmap(d, TIOVA, PG, &un), 0);
	cr_assert_eq(iommu_get_stats(t->ctx, &st), 0);
	cr_assert_geq(st.v[IOMMU_STAT_TRANSLATIONS], 11);
	cr_assert_eq(st.v[IOMMU_STAT_FAULTS], 1);
	cr_assert_eq(st.v[IOMMU_STAT_FAULTS_REPORTED], 1);
	cr_assert_eq(st.v[IOMMU_STAT_FAULTS_LOST], 0);
	cr_assert_gt(st.v[IOMMU_STAT_QUEUE_CMDS] + st.v[IOMMU_STAT_INVAL_CMDS],
		     0, "map, attach and unmap consumed no command");
	cr_assert_gt(st.v[IOMMU_STAT_WALKS] + st.v[IOMMU_STAT_IOTLB_HITS] +
			 st.v[IOMMU_STAT_IOTLB_MISSES],
		     0, "eleven translations but no lookup counted");
	cr_assert_eq(iommu_get_stats(t->ctx, NULL), -EINVAL);
	cr_assert_eq(iommu_get_stats(NULL, &st), -EINVAL);
	cr_assert_eq(iommu_reset_stats(NULL), -EINVAL);
	cr_assert_eq(iommu_detach_device(d, t->solo), 0);
}

/* ---- Hostile input ---------------------------------------------------- */

CONF_TEST(input, null_pointers_einval)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *d = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	struct iommu_domain *o = NULL;
	struct iommu_translation tr;
	struct iommu_ctx_opts opts;
	struct iommu_ctx *c = NULL;
	uint64_t x, y;
	uint32_t id, g;
	uint8_t buf[8];

	memset(&opts, 0, sizeof(opts));
	cr_assert_eq(iommu_ctx_create(NULL, &c), -EINVAL);
	cr_assert_eq(iommu_ctx_create(&opts, &c), -EINVAL, "no INI given");
	cr_assert_null(c);
	opts.ini_string = p->ini;
	cr_assert_eq(iommu_ctx_create(&opts, NULL), -EINVAL);
	iommu_ctx_destroy(NULL);
	cr_assert_eq(iommu_domain_alloc(NULL, IOMMU_DOMAIN_UNMANAGED, &o),
		     -EINVAL);
	cr_assert_eq(iommu_domain_alloc(t->ctx, IOMMU_DOMAIN_UNMANAGED, NULL),
		     -EINVAL);
	cr_assert_eq(iommu_domain_free(NULL), -EINVAL);
	cr_assert_eq(iommu_domain_type(NULL), 0);
	cr_assert_eq(iommu_domain_pgsize_bitmap(NULL), 0);
	cr_assert_eq(iommu_domain_geometry(NULL, &x, &y), -EINVAL);
	cr_assert_eq(iommu_domain_geometry(d, NULL, &y), -EINVAL);
	cr_assert_eq(iommu_domain_geometry(d, &x, NULL), -EINVAL);
	cr_assert_eq(iommu_attach_device(NULL, t->solo), -EINVAL);
	cr_assert_eq(iommu_detach_device(NULL, t->solo), -EINVAL);
	cr_assert_eq(iommu_attach_group(NULL, t->g_solo), -EINVAL);
	cr_assert_eq(iommu_detach_group(NULL, t->g_solo), -EINVAL);
	cr_assert_eq(iommu_get_domain_for_dev(NULL, t->solo, &o), -EINVAL);
	cr_assert_eq(iommu_get_domain_for_dev(t->ctx, t->solo, NULL), -EINVAL);
	cr_assert_eq(iommu_dev_lookup(t->ctx, NULL, &id), -EINVAL);
	cr_assert_eq(iommu_dev_lookup(t->ctx, DEV_SOLO, NULL), -EINVAL);
	cr_assert_eq(iommu_dev_lookup(NULL, DEV_SOLO, &id), -EINVAL);
	cr_assert_eq(iommu_dev_group(t->ctx, t->solo, NULL), -EINVAL);
	cr_assert_eq(iommu_dev_group(NULL, t->solo, &g), -EINVAL);
	cr_assert_eq(iommu_group_devices(t->ctx, t->g_solo, &id, 1, NULL),
		     -EINVAL);
	cr_assert_eq(iommu_dma_translate(NULL, t->solo, IOMMU_NO_PASID, TIOVA,
					 4, IOMMU_ACCESS_READ, &tr),
		     -EINVAL);
	cr_assert_eq(iommu_dma_translate(t->ctx, t->solo, IOMMU_NO_PASID, TIOVA,
					 4, IOMMU_ACCESS_READ, NULL),
		     -EINVAL);
	cr_assert_eq(iommu_dma_translate(t->ctx, t->solo, IOMMU_NO_PASID, TIOVA,
					 0, IOMMU_ACCESS_READ, &tr),
		     -EINVAL, "zero-length DMA");
	cr_assert_eq(iommu_dma_translate(t->ctx, t->solo, IOMMU_NO_PASID, TIOVA,
					 4, 0, &tr),
		     -EINVAL, "DMA without access kind");
	cr_assert_eq(iommu_dma_translate(t->ctx, t->solo, IOMMU_NO_PASID, TIOVA,
					 4, 0x40, &tr),
		     -EINVAL);
	cr_assert_eq(
	    iommu_dma_read(t->ctx, t->solo, IOMMU_NO_PASID, TIOVA, NULL, 8),
	    -EINVAL);
	cr_assert_eq(
	    iommu_dma_write(t->ctx, t->solo, IOMMU_NO_PASID, TIOVA, NULL, 8),
	    -EINVAL);
	cr_assert_eq(
	    iommu_dma_read(NULL, t->solo, IOMMU_NO_PASID, TIOVA, buf, 8),
	    -EINVAL);
	cr_assert_eq(iommu_mem_read(t->ctx, TMEM_BASE, NULL, 8), -EINVAL);
	cr_assert_eq(iommu_mem_read(NULL, TMEM_BASE, buf, 8), -EINVAL);
	cr_assert_eq(iommu_mem_write(t->ctx, TMEM_BASE, NULL, 8), -EINVAL);
	cr_assert_eq(iommu_mem_read(t->ctx, 0x100000000000ull, buf, 8),
		     -EFAULT);
	cr_assert_eq(iommu_mem_write(t->ctx, UINT64_MAX - 3, buf, 8), -EFAULT);
	cr_assert_eq(iommu_aux_get_pasid(d, t->solo, NULL), -EINVAL);
	cr_assert_eq(iommu_set_log(NULL, NULL, NULL, IOMMU_LOG_ERR), -EINVAL);
	cr_assert_eq(iommu_domain_free(d), 0);
}

CONF_TEST(input, unknown_device_enodev)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *d = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	struct iommu_domain *o = NULL;
	struct iommu_resv_region r[4];
	struct iommu_translation tr;
	const uint32_t bad = 0x7ff0;
	uint32_t g, id;
	size_t n;
	uint64_t iova;

	cr_assert_eq(iommu_dev_lookup(t->ctx, "no-such-device", &id), -ENODEV);
	cr_assert_eq(iommu_dev_group(t->ctx, bad, &g), -ENODEV);
	cr_assert_eq(iommu_get_domain_for_dev(t->ctx, bad, &o), -ENODEV);
	cr_assert_eq(iommu_attach_device(d, bad), -ENODEV);
	cr_assert_eq(iommu_detach_device(d, bad), -ENODEV);
	cr_assert_eq(iommu_attach_group(d, 0xdead), -ENODEV);
	cr_assert_eq(iommu_group_devices(t->ctx, 0xdead, NULL, 0, &n), -ENODEV);
	cr_assert_eq(iommu_get_resv_regions(t->ctx, bad, r, 4, &n), -ENODEV);
	cr_assert_eq(iommu_dma_translate(t->ctx, bad, IOMMU_NO_PASID, TIOVA, 4,
					 IOMMU_ACCESS_READ, &tr),
		     -ENODEV);
	cr_assert_eq(
	    iommu_dma_map(t->ctx, bad, TMEM_BASE, PG, IOMMU_READ, &iova),
	    -ENODEV);
	cr_assert_eq(iommu_dma_unmap(t->ctx, bad, TIOVA, PG), -ENODEV);
	cr_assert_eq(iommu_dev_remove(t->ctx, bad), -ENODEV);
	cr_assert_not(iommu_dev_capable(t->ctx, bad, IOMMU_CAP_NOEXEC));
	cr_assert_eq(t->ctx_faults.count, 0, "unknown device made a fault");
	cr_assert_eq(iommu_domain_free(d), 0);
}

CONF_TEST(instances, attach_in_one_context_only)
{
	struct tctx *a = tctx_open(p), *b = tctx_open(p);
	struct iommu_domain *da = dom_alloc(a, IOMMU_DOMAIN_UNMANAGED);
	struct iommu_domain *bdef = dev_domain(b, b->solo);

	/* Same device IDs in both contexts: an attach in A leaves B. */
	cr_assert_eq(a->solo, b->solo);
	cr_assert_eq(iommu_attach_device(da, a->solo), 0);
	cr_assert_eq(dev_domain(a, a->solo), da);
	cr_assert_eq(dev_domain(b, b->solo), bdef);
	expect_default_behaviour(b, b->solo);
	cr_assert_eq(iommu_domain_free(da), -EBUSY);
	cr_assert_eq(iommu_detach_device(da, a->solo), 0);
	cr_assert_eq(iommu_domain_free(da), 0);
}

static void quiet_log(void *cookie, enum iommu_log_level level, const char *msg)
{
	(void)cookie;
	(void)level;
	(void)msg;
}

CONF_TEST(input, config_errors_reported)
{
	struct conf_param bad = *p;
	struct iommu_ctx_opts o;
	struct iommu_ctx *c = NULL;
	char err[256] = "";
	int ret;

	memset(&o, 0, sizeof(o));
	o.log = quiet_log;
	o.errbuf = err;
	o.errbuf_len = sizeof(err);
	/* A key the [iommu] section does not have. */
	snprintf(bad.ini, sizeof(bad.ini),
		 "[iommu]\nbackend = virtio\n"
		 "default_domain = dma\ninvalidation = strict\n"
		 "no_such_key = 1\n[memory]\nram_size = 16M\ntable_base = 0\n"
		 "table_size = 1M\n");
	o.ini_string = bad.ini;
	ret = iommu_ctx_create(&o, &c);
	cr_assert_eq(ret, -EINVAL, "unknown key: %d", ret);
	cr_assert_null(c);
	cr_assert_neq(strstr(err, "no_such_key"), NULL,
		      "error does not name the key: '%s'", err);
	/* A backend that does not exist. */
	snprintf(bad.ini, sizeof(bad.ini),
		 "[iommu]\nbackend = nosuchbackend\n"
		 "default_domain = dma\ninvalidation = "
		 "strict\n[memory]\nram_size = 16M\ntable_base = 0\n"
		 "table_size = 1M\n");
	err[0] = 0;
	ret = iommu_ctx_create(&o, &c);
	cr_assert_eq(ret, -ENOENT, "missing plugin: %d", ret);
	cr_assert_null(c);
	cr_assert_neq(err[0], 0, "no error message");
}

/* ---- Two instances ---------------------------------------------------- */

CONF_TEST(instances, two_contexts_are_isolated)
{
	struct tctx *a = tctx_open(p), *b = tctx_open(p);
	struct iommu_domain *da = dom_alloc(a, IOMMU_DOMAIN_UNMANAGED);
	struct iommu_domain *db = dom_alloc(b, IOMMU_DOMAIN_UNMANAGED);
	uint64_t pa = TMEM_BASE + 0x700000, pb = TMEM_BASE + 0x780000, x;

	cr_assert_eq(a->solo, b->solo);
	cr_assert_eq(iommu_map(da, TIOVA, pa, PG, IOMMU_READ | IOMMU_WRITE),
		     0);
	cr_assert_eq(
	    iommu_map(db, TIOVA + PG, pb, PG, IOMMU_READ | IOMMU_WRITE),
	    0);
	cr_assert_eq(iommu_attach_device(da, a->solo), 0);
	cr_assert_eq(iommu_attach_device(db, b->solo), 0);
	mem_fill(a, pa, PG, 1);
	mem_fill(b, pa, PG, 2);
	/* Separate memories. */
	cr_assert(mem_check(a, pa, PG, 1));
	cr_assert(mem_check(b, pa, PG, 2));
	expect_dma_rw(a, a->solo, TIOVA, pa, 128);
	expect_dma_rw(b, b->solo, TIOVA + PG, pb, 128);
	/* Each device sees only its own context's mappings. */
	expect_fault(a, &a->ctx_faults, a->solo, TIOVA + PG,
		     IOMMU_ACCESS_READ, REASONS_ANY);
	expect_fault(b, &b->ctx_faults, b->solo, TIOVA, IOMMU_ACCESS_READ,
		     REASONS_ANY);
	cr_assert_eq(a->ctx_faults.count, 1);
	cr_assert_eq(b->ctx_faults.count, 1);
	cr_assert_eq(iommu_iova_to_phys(da, TIOVA + PG, &x), -ENOENT);
	cr_assert_eq(stat_get(a, IOMMU_STAT_FAULTS), 1);
	cr_assert_eq(stat_get(b, IOMMU_STAT_FAULTS), 1);
	/* Destroying one leaves the other working. */
	tctx_close(a);
	expect_dma_rw(b, b->solo, TIOVA + PG, pb, 128);
	cr_assert_eq(iommu_detach_device(db, b->solo), 0);
}

/* ---- Devices at run time ---------------------------------------------- */

CONF_TEST(device, add_and_remove_at_run_time)
{
	struct tctx *t = tctx_open(p);
	struct iommu_dev_config c;
	struct iommu_domain *a = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	uint32_t g = 0, ids[4];
	uint64_t iova;
	size_t n;

	memset(&c, 0, sizeof(c));
	c.id = 0x28;
	c.name = "late";
	cr_assert_eq(iommu_dev_add(t->ctx, &c), 0);
	cr_assert_eq(iommu_dev_add(t->ctx, &c), -EEXIST);
	cr_assert_eq(iommu_dev_add(t->ctx, NULL), -EINVAL);
	cr_assert_eq(iommu_dev_group(t->ctx, 0x28, &g), 0);
	expect_default_behaviour(t, 0x28);
	/* Joining an existing group puts it on the group's current domain. */
	cr_assert_eq(
	    iommu_map(a, TIOVA, TMEM_BASE, PG, IOMMU_READ | IOMMU_WRITE), 0);
	cr_assert_eq(iommu_attach_device(a, t->solo2), 0);
	c.id = 0x19;
	c.name = "late2";
	c.group = "joins";
	cr_assert_eq(iommu_dev_add(t->ctx, &c), 0);
	c.id = 0x1a;
	c.name = "late3";
	cr_assert_eq(iommu_dev_add(t->ctx, &c), 0);
	cr_assert_eq(iommu_dev_group(t->ctx, 0x19, &g), 0);
	cr_assert_eq(iommu_group_devices(t->ctx, g, ids, 4, &n), 0);
	cr_assert_eq(n, 2);
	/* Alias naming no device. */
	c.id = 0x1b;
	c.name = "late4";
	c.group = NULL;
	c.has_alias = true;
	c.alias = 0x7777;
	cr_assert_eq(iommu_dev_add(t->ctx, &c), -ENOENT);
	/* Remove: refused while DMA-API mappings live. */
	if (default_is_dma(t)) {
		cr_assert_eq(iommu_dma_map(t->ctx, 0x28, TMEM_BASE, PG,
					   IOMMU_READ, &iova),
			     0);
		cr_assert_eq(iommu_dev_remove(t->ctx, 0x28), -EBUSY);
		cr_assert_eq(iommu_dma_unmap(t->ctx, 0x28, iova, PG), 0);
	}
	cr_assert_eq(iommu_dev_remove(t->ctx, 0x28), 0);
	cr_assert_eq(iommu_dev_group(t->ctx, 0x28, &g), -ENODEV);
	cr_assert_eq(dma_xlate(t, 0x28, TIOVA, IOMMU_ACCESS_READ, NULL),
		     -ENODEV);
	cr_assert_eq(iommu_dev_remove(t->ctx, 0x28), -ENODEV);
	cr_assert_eq(iommu_dev_remove(t->ctx, 0x19), 0);
	/* A device's DMA right before its removal leaves nothing that
	 * serves it after (the core keeps per-thread translations). */
	c.id = 0x2c;
	c.name = "late5";
	c.has_alias = false;
	cr_assert_eq(iommu_dev_add(t->ctx, &c), 0);
	cr_assert_eq(iommu_attach_device(a, 0x2c), 0);
	expect_dma_rw(t, 0x2c, TIOVA, TMEM_BASE, 64);
	cr_assert_eq(iommu_dev_remove(t->ctx, 0x2c), 0);
	{
		uint8_t buf[64] = { 0 };

		cr_assert_eq(iommu_dma_read(t->ctx, 0x2c, IOMMU_NO_PASID,
					    TIOVA, buf, sizeof(buf)),
			     -ENODEV);
		cr_assert_eq(iommu_dma_write(t->ctx, 0x2c, IOMMU_NO_PASID,
					     TIOVA, buf, sizeof(buf)),
			     -ENODEV);
		cr_assert_eq(dma_xlate(t, 0x2c, TIOVA, IOMMU_ACCESS_READ,
				       NULL),
			     -ENODEV);
	}
	/* The remaining devices work. */
	expect_dma_rw(t, t->solo2, TIOVA, TMEM_BASE, 64);
	expect_default_behaviour(t, 0x1a);
	cr_assert_eq(iommu_detach_device(a, t->solo2), 0);
}

/* ---- Threads ---------------------------------------------------------- */

struct thr {
	struct tctx *t;
	struct iommu_domain *d;
	uint64_t iova, pa, pg;
	unsigned int rounds;
	bool rotate; /* new targets each round (strict mode only) */
	unsigned int errors;
	char what[128];
};

static void *thr_main(void *arg)
{
	struct thr *th = arg;
	unsigned int r, i;

	for (r = 0; r < th->rounds && !th->errors; r++) {
		uint64_t un = 0, x;
		struct iommu_translation tr;

		for (i = 0; i < 8 && !th->errors; i++) {
			uint64_t iova = th->iova + i * th->pg;
			uint64_t pa =
			    th->pa + ((i + r * th->rotate) % 8) * th->pg;
			int ret = iommu_map(th->d, iova, pa, th->pg,
					    IOMMU_READ | IOMMU_WRITE);

			if (ret) {
				th->errors++;
				snprintf(th->what, sizeof(th->what),
					 "map %#llx: %d",
					 (unsigned long long)iova, ret);
			}
		}
		for (i = 0; i < 8 && !th->errors; i++) {
			uint64_t iova = th->iova + i * th->pg + 8 * i;
			uint64_t pa = th->pa +
				      ((i + r * th->rotate) % 8) * th->pg +
				      8 * i;
			int ret = iommu_dma_translate(th->t->ctx, th->t->solo,
						      IOMMU_NO_PASID, iova, 8,
						      IOMMU_ACCESS_WRITE, &tr);

			if (ret || tr.phys != pa ||
			    iommu_iova_to_phys(th->d, iova, &x) || x != pa) {
				th->errors++;
				snprintf(th->what, sizeof(th->what),
					 "translate %#llx: %d phys %#llx, "
					 "expected %#llx",
					 (unsigned long long)iova, ret,
					 (unsigned long long)tr.phys,
					 (unsigned long long)pa);
			}
		}
		if (!th->errors &&
		    (iommu_unmap(th->d, th->iova, 8 * th->pg, &un) ||
		     un != 8 * th->pg)) {
			th->errors++;
			snprintf(th->what, sizeof(th->what),
				 "unmap returned %#llx",
				 (unsigned long long)un);
		}
	}
	return NULL;
}

CONF_TEST(threads, concurrent_map_translate_unmap)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *d = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	struct thr th[4];
	pthread_t tid[4];
	uint64_t pg = dom_min_page(d), un;
	int i;

	cr_assert_eq(iommu_attach_device(d, t->solo), 0);
	for (i = 0; i < 4; i++) {
		memset(&th[i], 0, sizeof(th[i]));
		th[i].t = t;
		th[i].d = d;
		th[i].pg = pg;
		th[i].iova = TIOVA + (uint64_t)i * 64 * pg;
		th[i].pa = TMEM_BASE + (uint64_t)i * 64 * pg;
		th[i].rounds = 200;
		/* Deferred mode may keep the old target until a flush, which
		 * is not a call for concurrent use: keep the targets. */
		th[i].rotate = iommu_ctx_strict(t->ctx);
		cr_assert_eq(pthread_create(&tid[i], NULL, thr_main, &th[i]),
			     0);
	}
	for (i = 0; i < 4; i++)
		pthread_join(tid[i], NULL);
	for (i = 0; i < 4; i++)
		cr_assert_eq(th[i].errors, 0, "thread %d: %s", i, th[i].what);
	cr_assert_eq(t->ctx_faults.count, 0);
	/* Everything unmapped; nothing left behind. */
	cr_assert_eq(iommu_unmap(d, TIOVA, 4 * 64 * pg, &un), 0);
	cr_assert_eq(un, 0);
	cr_assert_eq(iommu_detach_device(d, t->solo), 0);
}
