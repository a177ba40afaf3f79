// SPDX-License-Identifier: MIT
/*
 * test_abi2_domain.c - paging domains allocated with flags
 * (iommu_domain_alloc_paging(), IOMMU_ALLOC_* of plugin.h) and dirty
 * tracking (iommu_domain_set_dirty_tracking(),
 * iommu_domain_read_and_clear_dirty()), added with ABI 2.
 *
 * A flag is honoured or refused with -EOPNOTSUPP, never ignored: each
 * test asks the configuration which (what the allocation returns, whether
 * the VMM can attach at a PASID) and checks that answer's behaviour.
 */
#include <errno.h>
#include <string.h>

#include "conf.h"
#include "iommu/plugin.h" /* IOMMU_ALLOC_*, IOMMU_DIRTY_NO_CLEAR */

#define RW (IOMMU_READ | IOMMU_WRITE)

/* ---- iommu_domain_alloc_paging ---------------------------------------- */

/* @d is a working UNMANAGED domain: map, attach to solo, DMA, detach. */
static void expect_paging_works(struct tctx *t, struct iommu_domain *d,
				uint64_t pa)
{
	uint64_t s, l;

	cr_assert_eq(iommu_domain_type(d), IOMMU_DOMAIN_UNMANAGED);
	cr_assert_eq(iommu_domain_geometry(d, &s, &l), 0);
	cr_assert(s <= TIOVA && TIOVA + SZ_64K - 1 <= l,
		  "aperture %#llx-%#llx lacks the test IOVAs",
		  (unsigned long long)s, (unsigned long long)l);
	cr_assert_neq(iommu_domain_pgsize_bitmap(d), 0);
	cr_assert_eq(iommu_map(d, TIOVA, pa, PG, RW), 0);
	cr_assert_eq(iommu_attach_device(d, t->solo), 0);
	expect_dma_rw(t, t->solo, TIOVA, pa, 64);
	cr_assert_eq(iommu_detach_device(d, t->solo), 0);
	expect_default_behaviour(t, t->solo);
}

CONF_TEST(alloc, paging_for_any_or_one_device)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *d = NULL;
	int ret;

	ret = iommu_domain_alloc_paging(t->ctx, IOMMU_ANY_DEV, 0, &d);
	cr_assert_eq(ret, 0, "alloc_paging(any device): %d", ret);
	expect_paging_works(t, d, TMEM_BASE + 0x900000);
	cr_assert_eq(iommu_domain_free(d), 0);
	ret = iommu_domain_alloc_paging(t->ctx, t->solo, 0, &d);
	cr_assert_eq(ret, 0, "alloc_paging(solo): %d", ret);
	expect_paging_works(t, d, TMEM_BASE + 0x900000 + PG);
	cr_assert_eq(iommu_domain_free(d), 0);
	/* Sized for one device, usable by another one of the IOMMU. */
	ret = iommu_domain_alloc_paging(t->ctx, t->pair1, 0, &d);
	cr_assert_eq(ret, 0, "alloc_paging(pair1): %d", ret);
	expect_paging_works(t, d, TMEM_BASE + 0x900000 + 2 * PG);
	cr_assert_eq(iommu_domain_free(d), 0);
}

CONF_TEST(alloc, paging_bad_input_refused)
{
	struct tctx *t = tctx_open(p);
	static const unsigned int unknown[] = {1u << 3, 1u << 16, 1u << 31,
					       ~IOMMU_ALLOC_FLAGS_ALL};
	struct iommu_domain *d = NULL;
	struct tctx *nd;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		ret = iommu_domain_alloc_paging(t->ctx, IOMMU_ANY_DEV,
						unknown[i], &d);
		cr_assert_eq(ret, -EINVAL, "unknown flags %#x: %d", unknown[i],
			     ret);
		ret =
		    iommu_domain_alloc_paging(t->ctx, t->solo, unknown[i], &d);
		cr_assert_eq(ret, -EINVAL, "unknown flags %#x (solo): %d",
			     unknown[i], ret);
	}
	cr_assert_eq(iommu_domain_alloc_paging(t->ctx, 0xdeadbe, 0, &d),
		     -ENODEV);
	cr_assert_eq(iommu_domain_alloc_paging(t->ctx, t->solo, 0, NULL),
		     -EINVAL);
	cr_assert_eq(iommu_domain_alloc_paging(NULL, t->solo, 0, &d), -EINVAL);
	nd = tctx_open_flags(p, IOMMU_CTX_NO_DRIVER);
	cr_assert_eq(iommu_domain_alloc_paging(nd->ctx, IOMMU_ANY_DEV, 0, &d),
		     -ENODEV, "alloc_paging without a driver");
	/* Nothing of the refusals is left behind. */
	expect_default_behaviour(t, t->solo);
}

/*
 * Each flag is honoured or refused with -EOPNOTSUPP, never ignored: a
 * domain allocated with it does what the flag promises.  PASID is needed
 * exactly where the VMM can attach at a PASID.
 */
CONF_TEST(alloc, paging_flags_honoured_or_refused)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *d = NULL,
			    *plain = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	bool pasid = pasid_attach_supported(t);
	int ret;

	ret = iommu_domain_alloc_paging(t->ctx, t->solo,
					IOMMU_ALLOC_NEST_PARENT, &d);
	cr_assert(ret == 0 || ret == -EOPNOTSUPP, "NEST_PARENT: %d", ret);
	if (!ret) {
		expect_paging_works(t, d, TMEM_BASE + 0xa00000);
		cr_assert_eq(iommu_domain_free(d), 0);
	}
	ret = iommu_domain_alloc_paging(t->ctx, t->solo,
					IOMMU_ALLOC_DIRTY_TRACKING, &d);
	cr_assert(ret == 0 || ret == -EOPNOTSUPP, "DIRTY_TRACKING: %d", ret);
	if (!ret) {
		cr_assert_eq(iommu_domain_set_dirty_tracking(d, true), 0);
		cr_assert_eq(iommu_domain_set_dirty_tracking(d, false), 0);
		expect_paging_works(t, d, TMEM_BASE + 0xa00000 + PG);
		cr_assert_eq(iommu_domain_free(d), 0);
	}
	ret = iommu_domain_alloc_paging(t->ctx, t->aux, IOMMU_ALLOC_PASID, &d);
	if (pasid)
		cr_assert_eq(ret, 0, "PASID attach works, but PASID: %d", ret);
	else
		cr_assert(ret == 0 || ret == -EOPNOTSUPP, "PASID: %d", ret);
	if (!ret && pasid) {
		uint64_t pa = TMEM_BASE + 0xa00000 + 2 * PG;
		uint8_t buf[32], back[32];

		cr_assert_eq(iommu_map(d, TIOVA, pa, PG, RW), 0);
		cr_assert_eq(iommu_attach_device_pasid(d, t->aux, 7), 0);
		memset(buf, 0x71, sizeof(buf));
		cr_assert_eq(
		    iommu_dma_write(t->ctx, t->aux, 7, TIOVA, buf, sizeof(buf)),
		    0);
		cr_assert_eq(iommu_mem_read(t->ctx, pa, back, sizeof(back)), 0);
		cr_assert_eq(memcmp(buf, back, sizeof(buf)), 0);
		cr_assert_eq(iommu_detach_device_pasid(d, t->aux, 7), 0);
		cr_assert_eq(iommu_domain_free(d), 0);
	} else if (!ret) {
		expect_paging_works(t, d, TMEM_BASE + 0xa00000 + 3 * PG);
		cr_assert_eq(iommu_domain_free(d), 0);
	}
	/* A domain without PASID flag attaches by PASID just as well
	 * (the flag is a hint for the backend). */
	if (pasid) {
		cr_assert_eq(iommu_attach_device_pasid(plain, t->aux, 8), 0);
		cr_assert_eq(iommu_detach_device_pasid(plain, t->aux, 8), 0);
	}
	cr_assert_eq(iommu_domain_free(plain), 0);
}

/* ---- Dirty tracking ----------------------------------------------------- */

/* A domain with dirty tracking, or NULL when the backend refuses it. */
static struct iommu_domain *dirty_domain(struct tctx *t)
{
	struct iommu_domain *d = NULL;
	int ret = iommu_domain_alloc_paging(t->ctx, IOMMU_ANY_DEV,
					    IOMMU_ALLOC_DIRTY_TRACKING, &d);

	cr_assert(ret == 0 || ret == -EOPNOTSUPP, "DIRTY_TRACKING: %d", ret);
	return ret ? NULL : d;
}

CONF_TEST(dirty, refused_without_dirty_tracking)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *plain = dom_mapped(t, TIOVA, TMEM_BASE, SZ_64K);
	struct iommu_domain *blk = dom_alloc(t, IOMMU_DOMAIN_BLOCKED);
	struct iommu_domain *def = dev_domain(t, t->solo);
	struct iommu_domain *const doms[] = {plain, blk, def};
	uint64_t bm[2] = {0, 0};
	size_t i;

	for (i = 0; i < 3; i++) {
		cr_assert_eq(iommu_domain_set_dirty_tracking(doms[i], true),
			     -EOPNOTSUPP, "domain %zu: enable", i);
		cr_assert_eq(iommu_domain_set_dirty_tracking(doms[i], false),
			     -EOPNOTSUPP, "domain %zu: disable", i);
		cr_assert_eq(iommu_domain_read_and_clear_dirty(
				 doms[i], TIOVA, 16 * PG, 0, bm, 12),
			     -EOPNOTSUPP, "domain %zu: read", i);
		cr_assert_eq(iommu_domain_read_and_clear_dirty(
				 doms[i], TIOVA, 16 * PG,
				 IOMMU_DIRTY_NO_CLEAR, bm, 12),
			     -EOPNOTSUPP, "domain %zu: read, no clear", i);
	}
	cr_assert_eq(bm[0] | bm[1], 0, "a refused read wrote the bitmap");
	/* The domain still works. */
	cr_assert_eq(iommu_attach_device(plain, t->solo), 0);
	expect_dma_rw(t, t->solo, TIOVA, TMEM_BASE, 64);
	cr_assert_eq(iommu_detach_device(plain, t->solo), 0);
}

CONF_TEST(dirty, bad_arguments_einval)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *dd = dirty_domain(t);
	struct iommu_domain *stale = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	struct iommu_domain *d;
	const uint64_t n = 16 * PG;
	uint64_t bm[2];

	/* The argument rules, on a domain with tracking where there is
	 * one, else on a plain one (bad arguments come first). */
	d = dd ? dd : dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	cr_assert_eq(iommu_domain_free(stale), 0);
	cr_assert_eq(iommu_domain_set_dirty_tracking(NULL, true), -EINVAL);
	cr_assert_eq(iommu_domain_set_dirty_tracking(stale, true), -EINVAL);
	cr_assert_eq(
	    iommu_domain_read_and_clear_dirty(NULL, TIOVA, n, 0, bm, 12),
	    -EINVAL);
	cr_assert_eq(
	    iommu_domain_read_and_clear_dirty(stale, TIOVA, n, 0, bm, 12),
	    -EINVAL);
	cr_assert_eq(
	    iommu_domain_read_and_clear_dirty(d, TIOVA, n, 0, NULL, 12),
	    -EINVAL, "NULL bitmap");
	cr_assert_eq(iommu_domain_read_and_clear_dirty(d, TIOVA, 0, 0, bm, 12),
		     -EINVAL, "zero size");
	cr_assert_eq(
	    iommu_domain_read_and_clear_dirty(d, TIOVA + 0x800, n, 0, bm, 12),
	    -EINVAL, "iova not aligned to 2^pgshift");
	cr_assert_eq(
	    iommu_domain_read_and_clear_dirty(d, TIOVA, n + 0x800, 0, bm, 12),
	    -EINVAL, "size not aligned to 2^pgshift");
	cr_assert_eq(iommu_domain_read_and_clear_dirty(d, TIOVA + PG, SZ_2M,
						       0, bm, 21),
		     -EINVAL, "iova not aligned to 2^21");
	cr_assert_eq(iommu_domain_read_and_clear_dirty(d, 0ull - PG,
						       2 * PG, 0, bm, 12),
		     -EINVAL, "range wraps around");
	cr_assert_eq(
	    iommu_domain_read_and_clear_dirty(d, TIOVA, n, 1u << 1, bm, 12),
	    -EINVAL, "unknown flag");
	cr_assert_eq(
	    iommu_domain_read_and_clear_dirty(d, TIOVA, n, 1u << 31, bm, 12),
	    -EINVAL, "unknown flag");
	cr_assert_eq(iommu_domain_read_and_clear_dirty(d, TIOVA, n, 0, bm, 64),
		     -EINVAL, "pgshift 64");
}

/* Backend with dirty tracking: writes, and only writes, set bits. */
static void dirty_tracks_writes(struct tctx *t, struct iommu_domain *d)
{
	uint64_t pa = TMEM_BASE + 0xb00000, bm;
	uint8_t buf[16];

	memset(buf, 0xd1, sizeof(buf));
	cr_assert_eq(iommu_map(d, TIOVA, pa, 8 * PG, RW), 0);
	cr_assert_eq(iommu_attach_device(d, t->solo), 0);
	cr_assert_eq(iommu_domain_set_dirty_tracking(d, true), 0);
	bm = 0;
	cr_assert_eq(
	    iommu_domain_read_and_clear_dirty(d, TIOVA, 8 * PG, 0, &bm, 12),
	    0);
	/* Pages 1 and 3 written, page 0 only read. */
	cr_assert_eq(iommu_dma_write(t->ctx, t->solo, IOMMU_NO_PASID,
				     TIOVA + PG, buf, sizeof(buf)),
		     0);
	cr_assert_eq(iommu_dma_write(t->ctx, t->solo, IOMMU_NO_PASID,
				     TIOVA + 3 * PG + 64, buf, sizeof(buf)),
		     0);
	cr_assert_eq(iommu_dma_read(t->ctx, t->solo, IOMMU_NO_PASID, TIOVA, buf,
				    sizeof(buf)),
		     0);
	bm = 1ull << 63; /* a bit already set stays set */
	cr_assert_eq(iommu_domain_read_and_clear_dirty(
			 d, TIOVA, 8 * PG, IOMMU_DIRTY_NO_CLEAR, &bm, 12),
		     0);
	cr_assert_eq(bm, (1ull << 63) | 0xa, "dirty bitmap %#llx",
		     (unsigned long long)bm);
	bm = 0;
	cr_assert_eq(
	    iommu_domain_read_and_clear_dirty(d, TIOVA, 8 * PG, 0, &bm, 12),
	    0);
	cr_assert_eq(bm, 0xa, "NO_CLEAR cleared: %#llx",
		     (unsigned long long)bm);
	bm = 0;
	cr_assert_eq(
	    iommu_domain_read_and_clear_dirty(d, TIOVA, 8 * PG, 0, &bm, 12),
	    0);
	cr_assert_eq(bm, 0, "cleared state reported again: %#llx",
		     (unsigned long long)bm);
	/* Cleared pages are tracked again (the clear invalidated). */
	cr_assert_eq(iommu_dma_write(t->ctx, t->solo, IOMMU_NO_PASID,
				     TIOVA + PG, buf, sizeof(buf)),
		     0);
	cr_assert_eq(
	    iommu_domain_read_and_clear_dirty(d, TIOVA, 8 * PG, 0, &bm, 12),
	    0);
	cr_assert_eq(bm, 0x2, "rewrite after clear: %#llx",
		     (unsigned long long)bm);
	cr_assert_eq(iommu_domain_set_dirty_tracking(d, false), 0);
	cr_assert_eq(iommu_detach_device(d, t->solo), 0);
}

CONF_TEST(dirty, tracks_writes_or_refused_everywhere)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *d = dirty_domain(t), *x = NULL;

	if (d) {
		dirty_tracks_writes(t, d);
		cr_assert_eq(iommu_domain_free(d), 0);
		return;
	}
	/* Refused for any device, and a plain domain has none. */
	cr_assert_eq(iommu_domain_alloc_paging(t->ctx, t->solo,
					       IOMMU_ALLOC_DIRTY_TRACKING, &x),
		     -EOPNOTSUPP);
	cr_assert_eq(iommu_domain_alloc_paging(
			 t->ctx, t->pair0,
			 IOMMU_ALLOC_DIRTY_TRACKING | IOMMU_ALLOC_PASID, &x),
		     -EOPNOTSUPP);
	x = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	cr_assert_eq(iommu_domain_set_dirty_tracking(x, true), -EOPNOTSUPP);
}
