// SPDX-License-Identifier: MIT
/*
 * test_owner.c - DMA ownership claims (rule 5), device features (rule 7)
 * and auxiliary domains (rule 8).
 */
#include <errno.h>
#include <string.h>

#include "conf.h"

CONF_TEST(owner, claim_moves_group_to_blocking)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *def = dev_domain(t, t->pair0);
	struct iommu_domain *b = dom_alloc(t, IOMMU_DOMAIN_BLOCKED);
	int owner;

	cr_assert_not(iommu_group_dma_owner_claimed(t->ctx, t->g_pair));
	cr_assert_eq(iommu_group_claim_dma_owner(t->ctx, t->g_pair, &owner), 0);
	cr_assert(iommu_group_dma_owner_claimed(t->ctx, t->g_pair));
	cr_assert_eq(dev_domain(t, t->pair0), b);
	cr_assert_eq(dev_domain(t, t->pair1), b);
	/* Every DMA of both devices faults, identity addresses included. */
	expect_fault(t, &t->ctx_faults, t->pair0, TMEM_BASE, IOMMU_ACCESS_READ,
		     REASONS_ANY);
	expect_fault(t, &t->ctx_faults, t->pair1, TMEM_BASE, IOMMU_ACCESS_WRITE,
		     REASONS_ANY);
	/* The DMA API is refused on a blocked group. */
	{
		uint64_t iova;

		cr_assert_eq(iommu_dma_map(t->ctx, t->pair0, TMEM_BASE, PG,
					   IOMMU_READ, &iova),
			     -EPERM);
	}
	/* Other groups are not affected. */
	cr_assert_not(iommu_group_dma_owner_claimed(t->ctx, t->g_solo));
	expect_default_behaviour(t, t->solo);
	cr_assert_eq(iommu_group_release_dma_owner(t->ctx, t->g_pair, &owner),
		     0);
	cr_assert_not(iommu_group_dma_owner_claimed(t->ctx, t->g_pair));
	cr_assert_eq(dev_domain(t, t->pair0), def);
	cr_assert_eq(dev_domain(t, t->pair1), def);
	expect_default_behaviour(t, t->pair0);
	expect_default_behaviour(t, t->pair1);
}

CONF_TEST(owner, double_claim_and_bad_release)
{
	struct tctx *t = tctx_open(p);
	int owner, other;

	cr_assert_eq(iommu_group_claim_dma_owner(t->ctx, t->g_solo, NULL),
		     -EINVAL);
	cr_assert_eq(iommu_group_claim_dma_owner(t->ctx, t->g_solo, &owner), 0);
	cr_assert_eq(iommu_group_claim_dma_owner(t->ctx, t->g_solo, &owner),
		     -EBUSY, "second claim by the same owner");
	cr_assert_eq(iommu_group_claim_dma_owner(t->ctx, t->g_solo, &other),
		     -EBUSY, "second claim by another owner");
	cr_assert_eq(iommu_group_release_dma_owner(t->ctx, t->g_solo, &other),
		     -EINVAL, "release by a non-owner");
	cr_assert(iommu_group_dma_owner_claimed(t->ctx, t->g_solo));
	expect_fault(t, &t->ctx_faults, t->solo, TMEM_BASE, IOMMU_ACCESS_READ,
		     REASONS_ANY);
	cr_assert_eq(iommu_group_release_dma_owner(t->ctx, t->g_solo, &owner),
		     0);
	cr_assert_eq(iommu_group_release_dma_owner(t->ctx, t->g_solo, &owner),
		     -EINVAL, "release twice");
	/* Claimable again after release. */
	cr_assert_eq(iommu_group_claim_dma_owner(t->ctx, t->g_solo, &other), 0);
	cr_assert_eq(iommu_group_release_dma_owner(t->ctx, t->g_solo, &other),
		     0);
	expect_default_behaviour(t, t->solo);
	cr_assert_eq(iommu_group_claim_dma_owner(t->ctx, 0xdead, &owner),
		     -ENODEV);
	cr_assert_eq(iommu_group_claim_dma_owner(NULL, t->g_solo, &owner),
		     -EINVAL);
}

CONF_TEST(owner, claim_with_live_dma_mappings_ebusy)
{
	struct tctx *t = tctx_open(p);
	uint64_t pa = TMEM_BASE + 0x100000, iova = 0;
	struct iommu_domain *def = dev_domain(t, t->solo);
	int owner, ret;

	ret = iommu_dma_map(t->ctx, t->solo, pa, 2 * PG,
			    IOMMU_READ | IOMMU_WRITE, &iova);
	cr_assert_eq(ret, 0, "iommu_dma_map: %d", ret);
	if (default_is_dma(t)) {
		cr_assert_eq(
		    iommu_group_claim_dma_owner(t->ctx, t->g_solo, &owner),
		    -EBUSY, "claim while DMA-API mappings live");
		cr_assert_not(iommu_group_dma_owner_claimed(t->ctx, t->g_solo));
		/* The failed claim left the mapping working. */
		cr_assert_eq(dev_domain(t, t->solo), def);
		expect_dma_rw(t, t->solo, iova, pa, 2 * PG);
	} else {
		cr_assert_eq(iova, pa, "identity dma_map: iova is paddr");
		expect_dma_rw(t, t->solo, iova, pa, 2 * PG);
	}
	cr_assert_eq(iommu_dma_unmap(t->ctx, t->solo, iova, 2 * PG), 0);
	cr_assert_eq(iommu_group_claim_dma_owner(t->ctx, t->g_solo, &owner), 0,
		     "claim after the last DMA-API unmap");
	cr_assert_eq(iommu_group_release_dma_owner(t->ctx, t->g_solo, &owner),
		     0);
}

CONF_TEST(owner, claim_on_non_default_domain_ebusy)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *a = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	uint64_t pa = TMEM_BASE + 0x200000;
	int owner;

	cr_assert_eq(iommu_map(a, TIOVA, pa, PG, IOMMU_READ | IOMMU_WRITE),
		     0);
	cr_assert_eq(iommu_attach_device(a, t->solo), 0);
	cr_assert_eq(iommu_group_claim_dma_owner(t->ctx, t->g_solo, &owner),
		     -EBUSY);
	cr_assert_eq(dev_domain(t, t->solo), a);
	expect_dma_rw(t, t->solo, TIOVA, pa, 64);
	cr_assert_eq(iommu_detach_device(a, t->solo), 0);
}

CONF_TEST(owner, dma_api_refused_on_unmanaged_domain)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *a = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	uint64_t iova = 0;
	int owner;

	cr_assert_eq(iommu_group_claim_dma_owner(t->ctx, t->g_solo, &owner), 0);
	cr_assert_eq(iommu_attach_group(a, t->g_solo), 0);
	cr_assert_eq(
	    iommu_dma_map(t->ctx, t->solo, TMEM_BASE, PG, IOMMU_READ, &iova),
	    -EPERM);
	cr_assert_eq(iommu_detach_group(a, t->g_solo), 0);
	cr_assert_eq(iommu_group_release_dma_owner(t->ctx, t->g_solo, &owner),
		     0);
}

CONF_TEST(feature, unsupported_feature_is_an_error)
{
	struct tctx *t = tctx_open(p);
	enum iommu_dev_feature f;

	/* The solo device declares no feature at all. */
	for (f = 0; f < IOMMU_DEV_FEAT_COUNT; f++) {
		cr_assert_not(iommu_dev_has_feature(t->ctx, t->solo, f));
		cr_assert_eq(iommu_dev_enable_feature(t->ctx, t->solo, f),
			     -EOPNOTSUPP, "enable feature %d the device lacks",
			     f);
		cr_assert_not(iommu_dev_feature_enabled(t->ctx, t->solo, f));
	}
	/* The aux device declares AUX only: SVA is still refused. */
	cr_assert_not(
	    iommu_dev_has_feature(t->ctx, t->aux, IOMMU_DEV_FEAT_SVA));
	cr_assert_eq(
	    iommu_dev_enable_feature(t->ctx, t->aux, IOMMU_DEV_FEAT_SVA),
	    -EOPNOTSUPP);
	cr_assert_not(
	    iommu_dev_feature_enabled(t->ctx, t->aux, IOMMU_DEV_FEAT_SVA));
	/* Bad input. */
	cr_assert_eq(
	    iommu_dev_enable_feature(t->ctx, t->solo, IOMMU_DEV_FEAT_COUNT),
	    -EINVAL);
	cr_assert_eq(iommu_dev_enable_feature(t->ctx, t->solo, -1), -EINVAL);
	cr_assert_eq(
	    iommu_dev_enable_feature(t->ctx, 0xdeadbe, IOMMU_DEV_FEAT_AUX),
	    -ENODEV);
	cr_assert_eq(
	    iommu_dev_enable_feature(NULL, t->solo, IOMMU_DEV_FEAT_AUX),
	    -EINVAL);
	cr_assert_not(
	    iommu_dev_has_feature(t->ctx, 0xdeadbe, IOMMU_DEV_FEAT_AUX));
	cr_assert_not(iommu_dev_has_feature(NULL, t->solo, IOMMU_DEV_FEAT_AUX));
	/* The device still works. */
	expect_default_behaviour(t, t->solo);
}

/* Backend with AUX: the full aux life cycle, with DMA through the PASID. */
static void aux_supported(struct tctx *t)
{
	struct iommu_domain *a = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	struct iommu_domain *prim = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	struct iommu_domain *def = dev_domain(t, t->aux);
	uint64_t pa = TMEM_BASE + 0x300000, pp = TMEM_BASE + 0x340000;
	uint8_t buf[64], back[64];
	uint32_t pasid = 0, pasid2 = 0;
	struct iommu_translation tr;

	cr_assert_eq(iommu_map(a, TIOVA, pa, PG, IOMMU_READ | IOMMU_WRITE),
		     0);
	cr_assert_eq(
	    iommu_map(prim, TIOVA, pp, PG, IOMMU_READ | IOMMU_WRITE), 0);
	cr_assert_eq(iommu_aux_attach_device(a, t->aux), -EINVAL,
		     "aux attach before AUX is enabled");
	cr_assert_eq(
	    iommu_dev_enable_feature(t->ctx, t->aux, IOMMU_DEV_FEAT_AUX), 0);
	cr_assert(
	    iommu_dev_feature_enabled(t->ctx, t->aux, IOMMU_DEV_FEAT_AUX));
	cr_assert_eq(iommu_aux_attach_device(a, t->aux), 0);
	cr_assert_eq(iommu_aux_attach_device(a, t->aux), -EEXIST);
	cr_assert_eq(iommu_aux_get_pasid(a, t->aux, &pasid), 0);
	cr_assert_lt(pasid, 1u << 20);
	/* DMA with the PASID goes through the aux domain ... */
	memset(buf, 0x3c, sizeof(buf));
	cr_assert_eq(
	    iommu_dma_write(t->ctx, t->aux, pasid, TIOVA, buf, sizeof(buf)), 0);
	cr_assert_eq(iommu_mem_read(t->ctx, pa, back, sizeof(back)), 0);
	cr_assert_eq(memcmp(buf, back, sizeof(buf)), 0);
	cr_assert_eq(iommu_dma_translate(t->ctx, t->aux, pasid, TIOVA, 8,
					 IOMMU_ACCESS_READ, &tr),
		     0);
	cr_assert_eq(tr.phys, pa);
	/* ... and the primary domain is unchanged. */
	cr_assert_eq(dev_domain(t, t->aux), def);
	/* Rule 8: no primary attach while aux domains are attached. */
	cr_assert_eq(iommu_attach_device(prim, t->aux), -EBUSY);
	cr_assert_eq(dev_domain(t, t->aux), def);
	cr_assert_eq(iommu_domain_free(a), -EBUSY, "free of an aux domain");
	cr_assert_eq(
	    iommu_dev_disable_feature(t->ctx, t->aux, IOMMU_DEV_FEAT_AUX),
	    -EBUSY);
	/* Primary on another device and aux here at once. */
	cr_assert_eq(iommu_attach_device(a, t->solo), 0);
	expect_dma_rw(t, t->solo, TIOVA, pa, 64);
	cr_assert_eq(iommu_aux_get_pasid(a, t->solo, &pasid2), -ENOENT,
		     "primary attach carried an aux PASID");
	cr_assert_eq(iommu_detach_device(a, t->solo), 0);
	cr_assert_eq(iommu_aux_detach_device(a, t->aux), 0);
	cr_assert_eq(iommu_aux_get_pasid(a, t->aux, &pasid2), -ENOENT);
	cr_assert_eq(iommu_dma_translate(t->ctx, t->aux, pasid, TIOVA, 8,
					 IOMMU_ACCESS_READ, &tr),
		     -EFAULT);
	cr_assert_eq(iommu_attach_device(prim, t->aux), 0);
	expect_dma_rw(t, t->aux, TIOVA, pp, 64);
	cr_assert_eq(iommu_detach_device(prim, t->aux), 0);
}

/* Backend without AUX: every aux call fails cleanly, nothing changes. */
static void aux_unsupported(struct tctx *t)
{
	struct iommu_domain *a = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	struct iommu_domain *def = dev_domain(t, t->aux);
	uint64_t pa = TMEM_BASE + 0x300000;
	uint32_t pasid = 0;
	int ret;

	cr_assert_eq(iommu_map(a, TIOVA, pa, PG, IOMMU_READ | IOMMU_WRITE),
		     0);
	ret = iommu_dev_enable_feature(t->ctx, t->aux, IOMMU_DEV_FEAT_AUX);
	cr_assert_eq(ret, -EOPNOTSUPP, "enable AUX on a backend without it: %d",
		     ret);
	cr_assert_not(
	    iommu_dev_feature_enabled(t->ctx, t->aux, IOMMU_DEV_FEAT_AUX));
	ret = iommu_aux_attach_device(a, t->aux);
	cr_assert_lt(ret, 0, "aux attach on a backend without AUX: %d", ret);
	cr_assert_eq(iommu_aux_get_pasid(a, t->aux, &pasid), -ENOENT);
	cr_assert_lt(iommu_aux_detach_device(a, t->aux), 0);
	/* Device state unchanged: same domain, still working. */
	cr_assert_eq(dev_domain(t, t->aux), def);
	expect_default_behaviour(t, t->aux);
	/* And the domain still attaches as a primary. */
	cr_assert_eq(iommu_attach_device(a, t->aux), 0);
	expect_dma_rw(t, t->aux, TIOVA, pa, 64);
	cr_assert_eq(iommu_detach_device(a, t->aux), 0);
	cr_assert_eq(iommu_domain_free(a), 0);
}

CONF_TEST(aux, attach_follows_backend_support)
{
	struct tctx *t = tctx_open(p);

	/* The device declares AUX; has_feature says whether the backend
	 * provides it.  Both answers are checked, none is skipped. */
	if (iommu_dev_has_feature(t->ctx, t->aux, IOMMU_DEV_FEAT_AUX))
		aux_supported(t);
	else
		aux_unsupported(t);
}

CONF_TEST(aux, refused_on_device_without_aux)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *a = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	struct iommu_domain *def = dev_domain(t, t->solo);
	int ret;

	ret = iommu_aux_attach_device(a, t->solo);
	cr_assert_lt(ret, 0, "aux attach to a device without AUX: %d", ret);
	cr_assert_eq(dev_domain(t, t->solo), def);
	cr_assert_eq(iommu_aux_attach_device(a, 0xdeadbe), -ENODEV);
	cr_assert_eq(iommu_aux_attach_device(NULL, t->solo), -EINVAL);
	cr_assert_eq(iommu_domain_free(a), 0);
}
