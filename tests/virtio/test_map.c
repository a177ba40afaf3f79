// SPDX-License-Identifier: MIT
/*
 * test_map.c - the driver's map and unmap (plugins/virtio/drv_map.c)
 * against the device model, through the public API: one MAP request per
 * map_pages() call, one UNMAP per unmap_pages() call, the core's prefix
 * semantics for partial unmaps and holes (DESIGN rule 9), and a failed
 * MAP that leaves nothing behind.
 *
 * Unlike the other files of this suite, these tests let the library's
 * driver run.  They count the requests the device consumed
 * (IOMMU_STAT_QUEUE_CMDS; UNMAP and DETACH also count in
 * IOMMU_STAT_INVAL_CMDS) and see the device's mappings through DMA
 * translation: the model answers with the bytes left in the mapping that
 * holds the address, so a translation of a long range tells where the
 * device's mapping ends.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "iommu/iommu.h"

#define MT_DEV	0x8u
#define MT_PG	0x1000ull
#define MT_2M	0x200000ull
#define MT_IOVA 0x40000000ull /* 1 GiB: 1G-, 2M- and 4K-aligned */
#define MT_PA	0x1000000ull  /* 16 MiB: 2M-aligned */
#define MT_RW	(IOMMU_READ | IOMMU_WRITE)

/* Page sizes: one (4K), or 4K, 2M and 1G. */
#define MASK_4K	   "page_size_mask = 0x1000\n"
#define MASK_MIXED "page_size_mask = 0x40201000\n"

struct mt {
	struct iommu_ctx *ctx;
	struct iommu_domain *d;
	char err[256];
};

static struct mt mt_g;

static void mt_log(void *cookie, enum iommu_log_level level, const char *msg)
{
	/* Some tests provoke errors on purpose. */
	(void)cookie;
	(void)level;
	(void)msg;
}

/* A context with the driver running, endpoint MT_DEV on a fresh
 * UNMANAGED domain. */
static void mt_open(const char *virtio_ini, bool strict)
{
	struct mt *m = &mt_g;
	struct iommu_ctx_opts co;
	char ini[1024];
	int ret;

	snprintf(ini, sizeof(ini),
		 "[iommu]\n"
		 "backend = virtio\n"
		 "default_domain = dma\n"
		 "invalidation = %s\n"
		 "[memory]\n"
		 "ram_size = 64M\n"
		 "table_base = 0x3000000\n"
		 "table_size = 0x1000000\n"
		 "[device.a]\nid = 0x8\n"
		 "[virtio]\n%s",
		 strict ? "strict" : "deferred", virtio_ini);
	memset(&co, 0, sizeof(co));
	co.ini_string = ini;
	co.log = mt_log;
	co.log_level = IOMMU_LOG_ERR;
	co.errbuf = m->err;
	co.errbuf_len = sizeof(m->err);
	ret = iommu_ctx_create(&co, &m->ctx);
	cr_assert_eq(ret, 0, "iommu_ctx_create: %d (%s)", ret, m->err);
	ret = iommu_domain_alloc(m->ctx, IOMMU_DOMAIN_UNMANAGED, &m->d);
	cr_assert_eq(ret, 0, "iommu_domain_alloc: %d", ret);
	ret = iommu_attach_device(m->d, MT_DEV);
	cr_assert_eq(ret, 0, "iommu_attach_device: %d", ret);
}

static void mt_fini(void)
{
	struct mt *m = &mt_g;

	if (!m->ctx)
		return;
	if (m->d) {
		iommu_detach_device(m->d, MT_DEV);
		iommu_domain_free(m->d);
	}
	iommu_ctx_destroy(m->ctx);
	memset(m, 0, sizeof(*m));
}

#define MT_TEST(name, ...) Test(drvmap, name, .fini = mt_fini, ##__VA_ARGS__)

static uint64_t mt_stat(enum iommu_stat s)
{
	struct iommu_stats st = { .size = sizeof(st) };

	cr_assert_eq(iommu_get_stats(mt_g.ctx, &st), 0);
	return st.v[s];
}

static uint64_t cmds(void)
{
	return mt_stat(IOMMU_STAT_QUEUE_CMDS);
}

/*
 * The device's view of @iova: 0 and the bytes of its mapping from @iova
 * on (at most @want) and the physical address, or -EFAULT.
 */
static int dev_xlate(uint64_t iova, uint64_t want, uint64_t *len,
		     uint64_t *phys)
{
	struct iommu_translation tr;
	int ret = iommu_dma_translate(mt_g.ctx, MT_DEV, IOMMU_NO_PASID, iova,
				      want, IOMMU_ACCESS_READ, &tr);

	if (!ret) {
		if (len)
			*len = tr.len;
		if (phys)
			*phys = tr.phys;
	}
	return ret;
}

/* @iova maps to @pa in the driver's table and in the device. */
static void expect_mapped(uint64_t iova, uint64_t pa)
{
	uint64_t x = 0, len = 0;
	int ret;

	ret = iommu_iova_to_phys(mt_g.d, iova, &x);
	cr_assert_eq(ret, 0, "iova_to_phys(%#llx): %d",
		     (unsigned long long)iova, ret);
	cr_assert_eq(x, pa, "iova_to_phys(%#llx) = %#llx, not %#llx",
		     (unsigned long long)iova, (unsigned long long)x,
		     (unsigned long long)pa);
	ret = dev_xlate(iova, 8, &len, &x);
	cr_assert_eq(ret, 0, "device: %#llx not mapped (%d)",
		     (unsigned long long)iova, ret);
	cr_assert_eq(x, pa, "device: %#llx -> %#llx, not %#llx",
		     (unsigned long long)iova, (unsigned long long)x,
		     (unsigned long long)pa);
}

/* @iova is mapped neither in the driver's table nor in the device. */
static void expect_unmapped(uint64_t iova)
{
	uint64_t x;

	cr_assert_eq(iommu_iova_to_phys(mt_g.d, iova, &x), -ENOENT,
		     "driver still maps %#llx", (unsigned long long)iova);
	cr_assert_eq(dev_xlate(iova, 8, NULL, NULL), -EFAULT,
		     "device still maps %#llx", (unsigned long long)iova);
}

/* The device's mapping holding @iova ends exactly @bytes later. */
static void expect_extent(uint64_t iova, uint64_t bytes)
{
	uint64_t len = 0;

	cr_assert_eq(dev_xlate(iova, bytes + MT_PG, &len, NULL), 0);
	cr_assert_eq(len, bytes,
		     "device mapping at %#llx: %#llx bytes, not %#llx",
		     (unsigned long long)iova, (unsigned long long)len,
		     (unsigned long long)bytes);
}

/* iommu_unmap() of [@iova, +@size): its return, *@un, and the requests. */
static uint64_t unmap_counted(uint64_t iova, uint64_t size, uint64_t *reqs,
			      int expect_ret)
{
	uint64_t un = ~0ull, c0 = cmds();
	int ret = iommu_unmap(mt_g.d, iova, size, &un);

	cr_assert_eq(ret, expect_ret, "unmap(%#llx, %#llx): %d",
		     (unsigned long long)iova, (unsigned long long)size, ret);
	*reqs = cmds() - c0;
	return un;
}

/* ---- One request per call ------------------------------------------ */

MT_TEST(map_256_pages_is_one_request)
{
	uint64_t c0, i0, un, reqs, i;

	mt_open(MASK_4K, true);
	c0 = cmds();
	cr_assert_eq(iommu_map(mt_g.d, MT_IOVA, MT_PA, 256 * MT_PG, MT_RW), 0);
	cr_assert_eq(cmds() - c0, 1, "256x4K map took %llu requests",
		     (unsigned long long)(cmds() - c0));
	expect_extent(MT_IOVA, 256 * MT_PG);
	for (i = 0; i < 256; i += 51)
		expect_mapped(MT_IOVA + i * MT_PG + 8, MT_PA + i * MT_PG + 8);
	expect_mapped(MT_IOVA + 255 * MT_PG, MT_PA + 255 * MT_PG);
	expect_unmapped(MT_IOVA + 256 * MT_PG);

	i0 = mt_stat(IOMMU_STAT_INVAL_CMDS);
	un = unmap_counted(MT_IOVA, 256 * MT_PG, &reqs, 0);
	cr_assert_eq(un, 256 * MT_PG);
	cr_assert_eq(reqs, 1, "256x4K unmap took %llu requests",
		     (unsigned long long)reqs);
	cr_assert_eq(mt_stat(IOMMU_STAT_INVAL_CMDS) - i0, 1);
	for (i = 0; i < 256; i += 51)
		expect_unmapped(MT_IOVA + i * MT_PG);
	expect_unmapped(MT_IOVA + 255 * MT_PG);
}

MT_TEST(one_map_per_page_size_run_one_unmap_per_call)
{
	/* [2M - 8K, 4M + 8K): 2 x 4K, 1 x 2M, 2 x 4K: three calls. */
	uint64_t iova = MT_IOVA + MT_2M - 2 * MT_PG;
	uint64_t pa = MT_PA + MT_2M - 2 * MT_PG;
	uint64_t size = MT_2M + 4 * MT_PG, c0, un, reqs;

	mt_open(MASK_MIXED, true);
	c0 = cmds();
	cr_assert_eq(iommu_map(mt_g.d, iova, pa, size, MT_RW), 0);
	cr_assert_eq(cmds() - c0, 3);
	expect_extent(iova, 2 * MT_PG);
	expect_extent(MT_IOVA + MT_2M, MT_2M);
	expect_extent(MT_IOVA + 2 * MT_2M, 2 * MT_PG);
	/* The 2M page is never cut. */
	un = unmap_counted(MT_IOVA + MT_2M, MT_PG, &reqs, 0);
	cr_assert_eq(un, 0);
	cr_assert_eq(reqs, 0);
	un = unmap_counted(MT_IOVA + MT_2M + MT_PG, MT_PG, &reqs, 0);
	cr_assert_eq(un, 0);
	expect_mapped(MT_IOVA + MT_2M + MT_PG, MT_PA + MT_2M + MT_PG);
	/* The core asks for 4K pages over the whole range (it does not know
	 * the paddr); the driver removes each mapping's own whole pages,
	 * all three mappings in one call: one UNMAP. */
	un = unmap_counted(iova, size, &reqs, 0);
	cr_assert_eq(un, size);
	cr_assert_eq(reqs, 1);
	expect_unmapped(iova);
	expect_unmapped(MT_IOVA + MT_2M + MT_PG);
	expect_unmapped(iova + size - MT_PG);
}

/* ---- Prefix semantics: partial unmaps and holes ---------------------- */

MT_TEST(partial_unmaps_split_the_device_mapping)
{
	uint64_t un, reqs, i;

	mt_open(MASK_4K, true);
	cr_assert_eq(iommu_map(mt_g.d, MT_IOVA, MT_PA, 16 * MT_PG, MT_RW), 0);

	/* Upper half: UNMAP of the whole mapping, MAP of pages 0-7. */
	un = unmap_counted(MT_IOVA + 8 * MT_PG, 8 * MT_PG, &reqs, 0);
	cr_assert_eq(un, 8 * MT_PG);
	cr_assert_eq(reqs, 2);
	expect_extent(MT_IOVA, 8 * MT_PG);
	for (i = 0; i < 16; i++) {
		if (i < 8)
			expect_mapped(MT_IOVA + i * MT_PG, MT_PA + i * MT_PG);
		else
			expect_unmapped(MT_IOVA + i * MT_PG);
	}

	/* Middle: pages 2-3 go, 0-1 and 4-7 come back as two mappings. */
	un = unmap_counted(MT_IOVA + 2 * MT_PG, 2 * MT_PG, &reqs, 0);
	cr_assert_eq(un, 2 * MT_PG);
	cr_assert_eq(reqs, 3);
	expect_extent(MT_IOVA, 2 * MT_PG);
	expect_extent(MT_IOVA + 4 * MT_PG, 4 * MT_PG);
	expect_mapped(MT_IOVA + MT_PG, MT_PA + MT_PG);
	expect_unmapped(MT_IOVA + 2 * MT_PG);
	expect_unmapped(MT_IOVA + 3 * MT_PG);
	expect_mapped(MT_IOVA + 4 * MT_PG + 0x10, MT_PA + 4 * MT_PG + 0x10);
	expect_mapped(MT_IOVA + 7 * MT_PG, MT_PA + 7 * MT_PG);

	/* Across two mappings, cutting both: one UNMAP, two MAPs. */
	cr_assert_eq(iommu_map(mt_g.d, MT_IOVA + 8 * MT_PG, MT_PA + 0x100000,
			       4 * MT_PG, MT_RW),
		     0);
	un = unmap_counted(MT_IOVA + 6 * MT_PG, 4 * MT_PG, &reqs, 0);
	cr_assert_eq(un, 4 * MT_PG);
	cr_assert_eq(reqs, 3);
	expect_extent(MT_IOVA + 4 * MT_PG, 2 * MT_PG);
	expect_extent(MT_IOVA + 10 * MT_PG, 2 * MT_PG);
	expect_mapped(MT_IOVA + 5 * MT_PG, MT_PA + 5 * MT_PG);
	for (i = 6; i < 10; i++)
		expect_unmapped(MT_IOVA + i * MT_PG);
	expect_mapped(MT_IOVA + 10 * MT_PG, MT_PA + 0x100000 + 2 * MT_PG);
	expect_mapped(MT_IOVA + 11 * MT_PG, MT_PA + 0x100000 + 3 * MT_PG);
}

MT_TEST(unmap_stops_at_a_hole)
{
	uint64_t un, reqs;

	mt_open(MASK_4K, true);
	/* [0, 4) and [5, 8): a hole at page 4. */
	cr_assert_eq(iommu_map(mt_g.d, MT_IOVA, MT_PA, 4 * MT_PG, MT_RW), 0);
	cr_assert_eq(iommu_map(mt_g.d, MT_IOVA + 5 * MT_PG, MT_PA + 5 * MT_PG,
			       3 * MT_PG, MT_RW),
		     0);
	/* The UNMAP must stop before the hole: the device would remove
	 * the mapping behind it too (spec: every mapping in the range). */
	un = unmap_counted(MT_IOVA, 8 * MT_PG, &reqs, 0);
	cr_assert_eq(un, 4 * MT_PG);
	cr_assert_eq(reqs, 1);
	expect_unmapped(MT_IOVA + 3 * MT_PG);
	expect_extent(MT_IOVA + 5 * MT_PG, 3 * MT_PG);
	expect_mapped(MT_IOVA + 7 * MT_PG, MT_PA + 7 * MT_PG);
	/* From inside a mapping up to a hole: the tail of [5, 8) goes,
	 * its head comes back. */
	cr_assert_eq(
	    iommu_map(mt_g.d, MT_IOVA + 10 * MT_PG, MT_PA, MT_PG, MT_RW), 0);
	un = unmap_counted(MT_IOVA + 6 * MT_PG, 6 * MT_PG, &reqs, 0);
	cr_assert_eq(un, 2 * MT_PG);
	cr_assert_eq(reqs, 2);
	expect_mapped(MT_IOVA + 5 * MT_PG, MT_PA + 5 * MT_PG);
	expect_unmapped(MT_IOVA + 6 * MT_PG);
	expect_unmapped(MT_IOVA + 7 * MT_PG);
	expect_mapped(MT_IOVA + 10 * MT_PG, MT_PA);
	/* Starting at a hole: nothing, no request. */
	un = unmap_counted(MT_IOVA + 4 * MT_PG, 4 * MT_PG, &reqs, 0);
	cr_assert_eq(un, 0);
	cr_assert_eq(reqs, 0);
	expect_mapped(MT_IOVA + 5 * MT_PG, MT_PA + 5 * MT_PG);
}

MT_TEST(unmap_stops_at_a_large_page_it_would_cut)
{
	uint64_t un, reqs;

	mt_open(MASK_MIXED, true);
	/* Two 4K pages, then three 2M pages in one call. */
	cr_assert_eq(iommu_map(mt_g.d, MT_IOVA - 2 * MT_PG, MT_PA - 2 * MT_PG,
			       2 * MT_PG, MT_RW),
		     0);
	cr_assert_eq(iommu_map(mt_g.d, MT_IOVA, MT_PA, 3 * MT_2M, MT_RW), 0);
	expect_extent(MT_IOVA, 3 * MT_2M);
	un = unmap_counted(MT_IOVA - 2 * MT_PG, 3 * MT_PG, &reqs, 0);
	cr_assert_eq(un, 2 * MT_PG, "cut a 2M page: removed %#llx",
		     (unsigned long long)un);
	cr_assert_eq(reqs, 1);
	expect_extent(MT_IOVA, 3 * MT_2M);
	/* A middle 2M page: the mapping splits at 2M boundaries. */
	un = unmap_counted(MT_IOVA + MT_2M, MT_2M, &reqs, 0);
	cr_assert_eq(un, MT_2M);
	cr_assert_eq(reqs, 3);
	expect_extent(MT_IOVA, MT_2M);
	expect_unmapped(MT_IOVA + MT_2M + 5 * MT_PG);
	expect_extent(MT_IOVA + 2 * MT_2M, MT_2M);
	expect_mapped(MT_IOVA + 2 * MT_2M + MT_PG, MT_PA + 2 * MT_2M + MT_PG);
	/* 2M + 4K from the last piece's start: only its whole page. */
	un = unmap_counted(MT_IOVA + 2 * MT_2M, MT_2M + MT_PG, &reqs, 0);
	cr_assert_eq(un, MT_2M);
	un = unmap_counted(MT_IOVA, MT_2M, &reqs, 0);
	cr_assert_eq(un, MT_2M);
	cr_assert_eq(reqs, 1);
}

/* ---- Failures ------------------------------------------------------- */

MT_TEST(failed_map_leaves_nothing_and_reports_zero)
{
	uint64_t c0, i0, un, reqs, i;

	/* The device holds two mappings. */
	mt_open(MASK_MIXED "max_mappings = 2\n", true);
	cr_assert_eq(iommu_map(mt_g.d, MT_IOVA, MT_PA, MT_PG, MT_RW), 0);
	cr_assert_eq(iommu_map(mt_g.d, MT_IOVA + MT_PG, MT_PA, MT_PG, MT_RW),
		     0);
	/* One call, refused by the device: one MAP, no UNMAP after it
	 * (*mapped was 0, so the core had nothing to take back). */
	c0 = cmds();
	i0 = mt_stat(IOMMU_STAT_INVAL_CMDS);
	cr_assert_eq(
	    iommu_map(mt_g.d, MT_IOVA + 16 * MT_PG, MT_PA, 8 * MT_PG, MT_RW),
	    -ENOMEM);
	cr_assert_eq(cmds() - c0, 1);
	cr_assert_eq(mt_stat(IOMMU_STAT_INVAL_CMDS) - i0, 0);
	for (i = 16; i < 24; i++)
		expect_unmapped(MT_IOVA + i * MT_PG);

	/* Two calls (2 x 4K, then 2M); the second fails: the core takes
	 * back exactly the first, with one UNMAP. */
	un = unmap_counted(MT_IOVA + MT_PG, MT_PG, &reqs, 0);
	cr_assert_eq(un, MT_PG);
	c0 = cmds();
	cr_assert_eq(iommu_map(mt_g.d, MT_IOVA + MT_2M - 2 * MT_PG,
			       MT_PA + MT_2M - 2 * MT_PG, MT_2M + 2 * MT_PG,
			       MT_RW),
		     -ENOMEM);
	cr_assert_eq(cmds() - c0, 3, "MAP, MAP (refused), UNMAP");
	expect_unmapped(MT_IOVA + MT_2M - 2 * MT_PG);
	expect_unmapped(MT_IOVA + MT_2M - MT_PG);
	expect_unmapped(MT_IOVA + MT_2M);
	expect_mapped(MT_IOVA, MT_PA);
	/* Room again: the same range maps. */
	cr_assert_eq(
	    iommu_map(mt_g.d, MT_IOVA + MT_2M, MT_PA + MT_2M, MT_2M, MT_RW), 0);
	expect_extent(MT_IOVA + MT_2M, MT_2M);
}

MT_TEST(lost_piece_of_a_split_leaves_both_sides_agreeing)
{
	uint64_t un, reqs;
	struct iommu_iotlb_gather g;

	/* One mapping at most: the second piece of a split is refused. */
	mt_open(MASK_4K "max_mappings = 1\n", true);
	cr_assert_eq(iommu_map(mt_g.d, MT_IOVA, MT_PA, 8 * MT_PG, MT_RW), 0);
	un = unmap_counted(MT_IOVA + 2 * MT_PG, 2 * MT_PG, &reqs, -ENOMEM);
	cr_assert_eq(un, 2 * MT_PG, "the prefix asked for is removed");
	cr_assert_eq(reqs, 3);
	/* The head came back, the tail is gone from table and device. */
	expect_mapped(MT_IOVA + MT_PG, MT_PA + MT_PG);
	expect_unmapped(MT_IOVA + 2 * MT_PG);
	expect_unmapped(MT_IOVA + 4 * MT_PG);
	expect_unmapped(MT_IOVA + 7 * MT_PG);
	/* The error was reported once. */
	iommu_iotlb_gather_init(&g);
	cr_assert_eq(iommu_iotlb_sync(mt_g.d, &g), 0);
	un = unmap_counted(MT_IOVA, 8 * MT_PG, &reqs, 0);
	cr_assert_eq(un, 2 * MT_PG);
}

/* ---- Without endpoints, and deferred mode ---------------------------- */

MT_TEST(table_split_while_detached_is_replayed)
{
	uint64_t c0, un, reqs;

	mt_open(MASK_4K, true);
	cr_assert_eq(iommu_detach_device(mt_g.d, MT_DEV), 0);
	c0 = cmds();
	cr_assert_eq(iommu_map(mt_g.d, MT_IOVA, MT_PA, 16 * MT_PG, MT_RW), 0);
	un = unmap_counted(MT_IOVA + 4 * MT_PG, 4 * MT_PG, &reqs, 0);
	cr_assert_eq(un, 4 * MT_PG);
	cr_assert_eq(cmds() - c0, 0, "requests for a domain without endpoints");
	/* ATTACH, then one MAP per piece. */
	c0 = cmds();
	cr_assert_eq(iommu_attach_device(mt_g.d, MT_DEV), 0);
	cr_assert_eq(cmds() - c0, 3);
	expect_extent(MT_IOVA, 4 * MT_PG);
	expect_extent(MT_IOVA + 8 * MT_PG, 8 * MT_PG);
	expect_unmapped(MT_IOVA + 4 * MT_PG);
	expect_mapped(MT_IOVA + 9 * MT_PG, MT_PA + 9 * MT_PG);
}

MT_TEST(deferred_split_gives_back_the_rest_at_once)
{
	uint64_t un, reqs, c0;

	mt_open(MASK_4K, false);
	cr_assert_eq(iommu_map(mt_g.d, MT_IOVA, MT_PA, 8 * MT_PG, MT_RW), 0);
	/* Whole mapping: the UNMAP waits for the flush. */
	cr_assert_eq(
	    iommu_map(mt_g.d, MT_IOVA + 64 * MT_PG, MT_PA, 8 * MT_PG, MT_RW),
	    0);
	un = unmap_counted(MT_IOVA + 64 * MT_PG, 8 * MT_PG, &reqs, 0);
	cr_assert_eq(un, 8 * MT_PG);
	cr_assert_eq(reqs, 0, "deferred UNMAP sent before the flush");
	c0 = cmds();
	cr_assert_eq(iommu_flush_iotlb_all(mt_g.d), 0);
	cr_assert_eq(cmds() - c0, 1);
	expect_unmapped(MT_IOVA + 64 * MT_PG);
	/* Cut: the kept part must not wait for a flush. */
	un = unmap_counted(MT_IOVA + 4 * MT_PG, 4 * MT_PG, &reqs, 0);
	cr_assert_eq(un, 4 * MT_PG);
	cr_assert_eq(reqs, 2);
	expect_mapped(MT_IOVA + 3 * MT_PG, MT_PA + 3 * MT_PG);
	expect_extent(MT_IOVA, 4 * MT_PG);
	expect_unmapped(MT_IOVA + 4 * MT_PG);
}

/* ---- Randomized against a page model --------------------------------- */

#define RND_PAGES 64u
#define RND_OPS	  1500u

/* Page model: which device mapping (0: none) and the target of a page. */
struct rnd_model {
	unsigned int id[RND_PAGES];
	uint64_t pa[RND_PAGES];
	unsigned int next_id;
};

/* Pages [a, b] become a mapping of their own (a piece that came back,
 * or a new map). */
static void rnd_renumber(struct rnd_model *m, unsigned int a, unsigned int b)
{
	unsigned int id = ++m->next_id;

	for (unsigned int i = a; i <= b; i++)
		m->id[i] = id;
}

/* Check every page, and where each device mapping ends, against @m. */
static void rnd_check(const struct rnd_model *m, unsigned int seed,
		      unsigned int op)
{
	for (unsigned int i = 0; i < RND_PAGES; i++) {
		uint64_t iova = MT_IOVA + i * MT_PG, len = 0;
		unsigned int want = 0;

		if (!m->id[i]) {
			expect_unmapped(iova);
			continue;
		}
		expect_mapped(iova, m->pa[i]);
		if (i && m->id[i - 1] == m->id[i])
			continue;
		while (i + want < RND_PAGES && m->id[i + want] == m->id[i])
			want++;
		cr_assert_eq(dev_xlate(iova, RND_PAGES * MT_PG, &len, NULL), 0);
		cr_assert_eq(len, want * MT_PG,
			     "seed %u op %u: mapping at page %u: %#llx bytes, "
			     "model %u pages",
			     seed, op, i, (unsigned long long)len, want);
	}
}

MT_TEST(random_maps_and_unmaps_match_a_page_model, .timeout = 120)
{
	struct rnd_model m;
	unsigned int seed, op;
	const char *env = getenv("MT_SEED");

	seed = env ? (unsigned int)strtoul(env, NULL, 0)
		   : (unsigned int)time(NULL);
	printf("drvmap/random_maps_and_unmaps_match_a_page_model: seed %u "
	       "(MT_SEED to repeat)\n",
	       seed);
	fflush(stdout);
	srand(seed);
	memset(&m, 0, sizeof(m));
	mt_open(MASK_4K, true);

	for (op = 0; op < RND_OPS; op++) {
		unsigned int a = (unsigned int)rand() % RND_PAGES;
		unsigned int n = 1 + (unsigned int)rand() % (RND_PAGES - a);
		uint64_t iova = MT_IOVA + a * MT_PG, c0 = cmds(), reqs;

		if (n > 12 && rand() % 2)
			n = 1 + n % 12;
		if (rand() % 2) {
			uint64_t pa = MT_PA + (uint64_t)(rand() % 256) * MT_PG;
			bool free_run = true;
			int ret;

			for (unsigned int i = a; i < a + n; i++)
				free_run &= !m.id[i];
			ret = iommu_map(mt_g.d, iova, pa, n * MT_PG, MT_RW);
			cr_assert_eq(ret, free_run ? 0 : -EEXIST,
				     "seed %u op %u: map pages [%u, +%u): %d",
				     seed, op, a, n, ret);
			cr_assert_eq(cmds() - c0, free_run ? 1 : 0,
				     "seed %u op %u: map requests", seed, op);
			if (free_run) {
				rnd_renumber(&m, a, a + n - 1);
				for (unsigned int i = 0; i < n; i++)
					m.pa[a + i] = pa + i * MT_PG;
			}
		} else {
			/* Prefix: from a, up to the first hole or the end. */
			unsigned int k = 0, want;
			uint64_t un;

			while (k < n && m.id[a + k])
				k++;
			un = unmap_counted(iova, n * MT_PG, &reqs, 0);
			cr_assert_eq(un, k * MT_PG,
				     "seed %u op %u: unmap [%u, +%u) removed "
				     "%#llx, model %u pages",
				     seed, op, a, n, (unsigned long long)un, k);
			want = 0;
			if (k) {
				unsigned int b = a + k - 1;
				bool head = a && m.id[a - 1] == m.id[a];
				bool tail =
				    b + 1 < RND_PAGES && m.id[b + 1] == m.id[b];
				unsigned int h = a, t = b + 1;

				want = 1 + head + tail;
				if (head) {
					while (h && m.id[h - 1] == m.id[a])
						h--;
					rnd_renumber(&m, h, a - 1);
				}
				if (tail) {
					unsigned int id = m.id[b];

					while (t + 1 < RND_PAGES &&
					       m.id[t + 1] == id)
						t++;
					rnd_renumber(&m, b + 1, t);
				}
				for (unsigned int i = a; i <= b; i++)
					m.id[i] = 0;
			}
			cr_assert_eq(reqs, want,
				     "seed %u op %u: unmap took %llu requests, "
				     "model %u",
				     seed, op, (unsigned long long)reqs, want);
		}
		if (op % 16 == 0 || op == RND_OPS - 1)
			rnd_check(&m, seed, op);
	}
}
