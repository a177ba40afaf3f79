// SPDX-License-Identifier: MIT
/*
 * test_abi2_pasid.c - domains attached at a PASID the VMM chooses (a
 * guest's own PASID): iommu_attach_device_pasid(),
 * iommu_replace_device_pasid(), iommu_detach_device_pasid() (rules 5 and
 * 8).  A device's DMA with that PASID uses the attached domain, its
 * primary domain is unaffected, ownership and freeing respect the
 * attachment, and the aux API shares the device's PASID space.
 *
 * Whether a configuration has PASID attach is asked through the API
 * (pasid_attach_supported()); where it has none, every test checks the
 * clean refusal instead.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"

#define PASID_A	  5u
#define PASID_MAX ((1u << 20) - 1) /* DEV_AUX has pasid_bits 20 */

/* DMA by @dev with @pasid at @iova reads and writes the RAM at @pa. */
static void expect_pasid_rw(struct tctx *t, uint32_t dev, uint32_t pasid,
			    uint64_t iova, uint64_t pa)
{
	static unsigned int seed = 500;
	uint8_t buf[64], ram[64];
	int ret;

	mem_fill(t, pa, sizeof(buf), ++seed);
	ret = iommu_dma_read(t->ctx, dev, pasid, iova, buf, sizeof(buf));
	cr_assert_eq(ret, 0, "dev %#x PASID %#x: read at %#llx: %d", dev, pasid,
		     (unsigned long long)iova, ret);
	cr_assert(mem_check(t, pa, sizeof(buf), seed));
	cr_assert_eq(iommu_mem_read(t->ctx, pa, ram, sizeof(ram)), 0);
	cr_assert_eq(memcmp(buf, ram, sizeof(buf)), 0,
		     "PASID %#x: read did not see pa %#llx", pasid,
		     (unsigned long long)pa);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 13 + seed);
	ret = iommu_dma_write(t->ctx, dev, pasid, iova, buf, sizeof(buf));
	cr_assert_eq(ret, 0, "dev %#x PASID %#x: write at %#llx: %d", dev,
		     pasid, (unsigned long long)iova, ret);
	cr_assert_eq(iommu_mem_read(t->ctx, pa, ram, sizeof(ram)), 0);
	cr_assert_eq(memcmp(buf, ram, sizeof(buf)), 0,
		     "PASID %#x: write did not land at pa %#llx", pasid,
		     (unsigned long long)pa);
}

/* DMA by @dev with @pasid faults, reported once with that PASID. */
static void expect_pasid_fault(struct tctx *t, uint32_t dev, uint32_t pasid,
			       uint64_t iova)
{
	unsigned int before = t->ctx_faults.count;
	struct iommu_translation tr;
	const struct iommu_fault *f = &t->ctx_faults.last;
	int ret = iommu_dma_translate(t->ctx, dev, pasid, iova, 4,
				      IOMMU_ACCESS_WRITE, &tr);

	cr_assert_eq(ret, -EFAULT,
		     "dev %#x PASID %#x: write at %#llx: %d (phys %#llx), "
		     "expected -EFAULT",
		     dev, pasid, (unsigned long long)iova, ret,
		     (unsigned long long)(ret ? 0 : tr.phys));
	cr_assert_eq(t->ctx_faults.count, before + 1,
		     "%u faults reported, expected 1",
		     t->ctx_faults.count - before);
	cr_assert_eq(f->dev_id, dev);
	cr_assert(f->flags & IOMMU_FAULT_F_PASID_VALID,
		  "fault of a request with PASID %#x has no PASID", pasid);
	cr_assert_eq(f->pasid, pasid, "fault PASID %#x, expected %#x", f->pasid,
		     pasid);
}

/* Without PASID attach on @dev: every call is refused, nothing changes. */
static void expect_pasid_refused(struct tctx *t, uint32_t dev)
{
	struct iommu_domain *d = dom_mapped(t, TIOVA, TMEM_BASE, PG);
	struct iommu_domain *def = dev_domain(t, dev);
	struct iommu_translation tr;
	int ret;

	ret = iommu_attach_device_pasid(d, dev, PASID_A);
	cr_assert_eq(ret, -EOPNOTSUPP, "dev %#x: PASID attach: %d", dev, ret);
	ret = iommu_replace_device_pasid(d, dev, PASID_A);
	cr_assert_eq(ret, -EOPNOTSUPP, "dev %#x: PASID replace: %d", dev, ret);
	cr_assert_eq(iommu_detach_device_pasid(d, dev, PASID_A), -ENOENT);
	cr_assert_eq(dom_attachments(d, NULL, 0), 0);
	ret = iommu_dma_translate(t->ctx, dev, PASID_A, TIOVA, 4,
				  IOMMU_ACCESS_READ, &tr);
	cr_assert_eq(ret, -EFAULT, "dev %#x: DMA at an unused PASID: %d", dev,
		     ret);
	cr_assert_eq(dev_domain(t, dev), def);
	cr_assert_eq(iommu_domain_free(d), 0, "refused domain left busy");
	expect_default_behaviour(t, dev);
}

CONF_TEST(pasid, refused_on_device_without_pasids)
{
	struct tctx *t = tctx_open(p);

	/* solo and pair0 have no PASID width on any configuration. */
	expect_pasid_refused(t, t->solo);
	expect_pasid_refused(t, t->pair0);
	if (!pasid_attach_supported(t))
		expect_pasid_refused(t, t->aux);
}

/* A configuration flagged CONF_F_PASID offers both (the others may or may
 * not: each test checks whichever answer it gets). */
CONF_TEST(pasid, offered_where_the_configuration_says)
{
	struct tctx *t = tctx_open(p);
	bool aux = iommu_dev_has_feature(t->ctx, t->aux, IOMMU_DEV_FEAT_AUX);
	bool pasid = pasid_attach_supported(t);

	if (!(p->flags & CONF_F_PASID))
		return;
	cr_assert(aux, "[%s] %s does not offer AUX", p->name, DEV_AUX);
	cr_assert(pasid, "[%s] %s refuses PASID attach", p->name, DEV_AUX);
}

CONF_TEST(pasid, attach_routes_dma_primary_unaffected)
{
	struct tctx *t = tctx_open(p);
	uint64_t pa = TMEM_BASE + 0xc00000, pb = TMEM_BASE + 0xc40000;
	struct iommu_domain *def = dev_domain(t, t->aux);
	struct iommu_attachment at[4];
	struct iommu_domain *a, *b;
	struct iommu_translation tr;
	bool solo_first = t->solo < t->aux;

	if (!pasid_attach_supported(t)) {
		expect_pasid_refused(t, t->aux);
		return;
	}
	a = dom_mapped(t, TIOVA, pa, SZ_64K);
	b = dom_mapped(t, TIOVA, pb, SZ_64K);
	cr_assert_eq(iommu_attach_device_pasid(a, t->aux, PASID_A), 0);
	expect_pasid_rw(t, t->aux, PASID_A, TIOVA, pa);
	cr_assert_eq(iommu_dma_translate(t->ctx, t->aux, PASID_A,
					 TIOVA + SZ_4K + 8, 8,
					 IOMMU_ACCESS_READ, &tr),
		     0);
	cr_assert_eq(tr.phys, pa + SZ_4K + 8);
	/* The primary domain and the other PASIDs are untouched. */
	cr_assert_eq(dev_domain(t, t->aux), def);
	expect_default_behaviour(t, t->aux);
	expect_pasid_fault(t, t->aux, PASID_A + 1, TIOVA);
	/* The device's highest PASID, with another domain. */
	cr_assert_eq(iommu_attach_device_pasid(b, t->aux, PASID_MAX), 0);
	expect_pasid_rw(t, t->aux, PASID_MAX, TIOVA, pb);
	expect_pasid_rw(t, t->aux, PASID_A, TIOVA + 64, pa + 64);
	/* Listed with its PASID; primary of another device at once. */
	cr_assert_eq(dom_attachments(a, at, 4), 1);
	cr_assert_eq(at[0].dev_id, t->aux);
	cr_assert_eq(at[0].pasid, PASID_A);
	cr_assert_eq(iommu_attach_device(a, t->solo), 0);
	cr_assert_eq(dom_attachments(a, at, 4), 2);
	cr_assert_eq(at[solo_first ? 0 : 1].dev_id, t->solo);
	cr_assert_eq(at[solo_first ? 0 : 1].pasid, IOMMU_NO_PASID);
	cr_assert_eq(at[solo_first ? 1 : 0].dev_id, t->aux);
	cr_assert_eq(at[solo_first ? 1 : 0].pasid, PASID_A);
	expect_dma_rw(t, t->solo, TIOVA + 128, pa + 128, 64);
	expect_pasid_rw(t, t->aux, PASID_A, TIOVA + 128, pa + 128);
	cr_assert_eq(iommu_detach_device(a, t->solo), 0);
	/* Busy while attached at a PASID, and still working after. */
	cr_assert_eq(iommu_domain_free(a), -EBUSY);
	cr_assert_eq(iommu_domain_free(b), -EBUSY);
	expect_pasid_rw(t, t->aux, PASID_A, TIOVA, pa);
	cr_assert_eq(iommu_detach_device_pasid(b, t->aux, PASID_MAX), 0);
	cr_assert_eq(iommu_detach_device_pasid(a, t->aux, PASID_A), 0);
	cr_assert_eq(dom_attachments(a, at, 4), 0);
	cr_assert_eq(iommu_domain_free(a), 0);
	cr_assert_eq(iommu_domain_free(b), 0);
	cr_assert_eq(dev_domain(t, t->aux), def);
	expect_default_behaviour(t, t->aux);
}

CONF_TEST(pasid, replace_then_detach)
{
	struct tctx *t = tctx_open(p);
	uint64_t pa = TMEM_BASE + 0xd00000, pb = TMEM_BASE + 0xd40000;
	struct iommu_domain *def = dev_domain(t, t->aux);
	struct iommu_attachment at[4];
	struct iommu_domain *a, *b;

	if (!pasid_attach_supported(t)) {
		expect_pasid_refused(t, t->aux);
		return;
	}
	a = dom_mapped(t, TIOVA, pa, SZ_64K);
	b = dom_mapped(t, TIOVA, pb, SZ_64K);
	/* Replace where nothing is attached attaches. */
	cr_assert_eq(iommu_replace_device_pasid(a, t->aux, PASID_A), 0);
	expect_pasid_rw(t, t->aux, PASID_A, TIOVA, pa);
	cr_assert_eq(iommu_replace_device_pasid(b, t->aux, PASID_A), 0);
	expect_pasid_rw(t, t->aux, PASID_A, TIOVA, pb);
	cr_assert_eq(dom_attachments(a, at, 4), 0, "old domain still listed");
	cr_assert_eq(dom_attachments(b, at, 4), 1);
	cr_assert_eq(at[0].dev_id, t->aux);
	cr_assert_eq(at[0].pasid, PASID_A);
	cr_assert_eq(dev_domain(t, t->aux), def);
	/* The old domain is free of the device; not detachable there. */
	cr_assert_eq(iommu_detach_device_pasid(a, t->aux, PASID_A), -ENOENT);
	expect_pasid_rw(t, t->aux, PASID_A, TIOVA + 64, pb + 64);
	cr_assert_eq(iommu_domain_free(a), 0, "replaced domain still busy");
	/* Detach: the PASID's DMA faults; the primary domain works. */
	cr_assert_eq(iommu_detach_device_pasid(b, t->aux, PASID_A), 0);
	expect_pasid_fault(t, t->aux, PASID_A, TIOVA);
	cr_assert_eq(iommu_detach_device_pasid(b, t->aux, PASID_A), -ENOENT);
	cr_assert_eq(dom_attachments(b, at, 4), 0);
	cr_assert_eq(dev_domain(t, t->aux), def);
	expect_default_behaviour(t, t->aux);
	/* The PASID is free again. */
	cr_assert_eq(iommu_attach_device_pasid(b, t->aux, PASID_A), 0);
	expect_pasid_rw(t, t->aux, PASID_A, TIOVA, pb);
	cr_assert_eq(iommu_detach_device_pasid(b, t->aux, PASID_A), 0);
	cr_assert_eq(iommu_domain_free(b), 0);
}

CONF_TEST(pasid, refusals_leave_attachment_working)
{
	struct tctx *t = tctx_open(p);
	uint64_t pa = TMEM_BASE + 0xe00000, pb = TMEM_BASE + 0xe40000;
	struct iommu_domain *blk = dom_alloc(t, IOMMU_DOMAIN_BLOCKED);
	struct iommu_domain *def = dev_domain(t, t->aux);
	struct iommu_domain *a, *b, *stale, *id = NULL;
	struct iommu_attachment at[4];

	if (!pasid_attach_supported(t)) {
		expect_pasid_refused(t, t->aux);
		return;
	}
	a = dom_mapped(t, TIOVA, pa, SZ_64K);
	b = dom_mapped(t, TIOVA, pb, SZ_64K);
	stale = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	cr_assert_eq(iommu_domain_free(stale), 0);
	cr_assert_eq(iommu_attach_device_pasid(a, t->aux, PASID_A), 0);
	cr_assert_eq(iommu_attach_device_pasid(a, t->aux, PASID_A), -EEXIST);
	cr_assert_eq(iommu_attach_device_pasid(b, t->aux, PASID_A), -EBUSY,
		     "attach over another domain's PASID");
	/* PASIDs out of the device's range. */
	cr_assert_eq(iommu_attach_device_pasid(b, t->aux, PASID_MAX + 1),
		     -EINVAL);
	cr_assert_eq(iommu_replace_device_pasid(b, t->aux, PASID_MAX + 1),
		     -EINVAL);
	cr_assert_eq(iommu_attach_device_pasid(b, t->aux, IOMMU_NO_PASID),
		     -EINVAL);
	cr_assert_eq(iommu_replace_device_pasid(b, t->aux, IOMMU_NO_PASID),
		     -EINVAL);
	/* Bad handles, unknown devices. */
	cr_assert_eq(iommu_attach_device_pasid(NULL, t->aux, 9), -EINVAL);
	cr_assert_eq(iommu_replace_device_pasid(NULL, t->aux, PASID_A),
		     -EINVAL);
	cr_assert_eq(iommu_detach_device_pasid(NULL, t->aux, PASID_A), -EINVAL);
	cr_assert_eq(iommu_attach_device_pasid(stale, t->aux, 9), -EINVAL);
	cr_assert_eq(iommu_replace_device_pasid(stale, t->aux, PASID_A),
		     -EINVAL);
	cr_assert_eq(iommu_detach_device_pasid(stale, t->aux, PASID_A),
		     -EINVAL);
	cr_assert_eq(iommu_attach_device_pasid(b, 0xdeadbe, 9), -ENODEV);
	cr_assert_eq(iommu_replace_device_pasid(b, 0xdeadbe, PASID_A), -ENODEV);
	/* Only UNMANAGED domains go on a PASID. */
	cr_assert_eq(iommu_attach_device_pasid(blk, t->aux, 9), -EINVAL);
	cr_assert_eq(iommu_replace_device_pasid(blk, t->aux, PASID_A), -EINVAL);
	cr_assert_eq(iommu_attach_device_pasid(def, t->aux, 9), -EINVAL,
		     "attach of the default domain at a PASID");
	if (!iommu_domain_alloc(t->ctx, IOMMU_DOMAIN_IDENTITY, &id))
		cr_assert_eq(iommu_attach_device_pasid(id, t->aux, 9), -EINVAL);
	/* Devices without PASIDs. */
	cr_assert_eq(iommu_attach_device_pasid(b, t->solo, 9), -EOPNOTSUPP);
	cr_assert_eq(iommu_replace_device_pasid(b, t->solo, 9), -EOPNOTSUPP);
	/* Detach by a domain that is not there. */
	cr_assert_eq(iommu_detach_device_pasid(b, t->aux, PASID_A), -ENOENT);
	cr_assert_eq(iommu_detach_device_pasid(a, t->aux, 9), -ENOENT);
	cr_assert_eq(iommu_detach_device_pasid(a, t->solo, PASID_A), -ENOENT);
	/* Every refusal left A on the PASID, working, and nothing else. */
	expect_pasid_rw(t, t->aux, PASID_A, TIOVA, pa);
	expect_pasid_fault(t, t->aux, 9, TIOVA);
	cr_assert_eq(dom_attachments(a, at, 4), 1);
	cr_assert_eq(at[0].pasid, PASID_A);
	cr_assert_eq(dom_attachments(b, at, 4), 0);
	cr_assert_eq(dev_domain(t, t->aux), def);
	cr_assert_eq(iommu_domain_free(b), 0);
	cr_assert_eq(iommu_domain_free(a), -EBUSY);
	cr_assert_eq(iommu_detach_device_pasid(a, t->aux, PASID_A), 0);
	cr_assert_eq(iommu_domain_free(a), 0);
}

/* ---- Replace under DMA -------------------------------------------------- */

struct pthr {
	struct tctx *t;
	uint64_t pa, pb;
	_Atomic int stop;
	_Atomic unsigned int n;
	unsigned int on_a, on_b, errors;
	char what[128];
};

static void *pthr_main(void *arg)
{
	struct pthr *r = arg;

	while (!r->stop && !r->errors) {
		struct iommu_translation tr;
		uint64_t off = (r->n % 16) * SZ_4K + 8;
		int ret = iommu_dma_translate(r->t->ctx, r->t->aux, PASID_A,
					      TIOVA + off, 8,
					      IOMMU_ACCESS_WRITE, &tr);

		if (!ret && tr.phys == r->pa + off) {
			r->on_a++;
		} else if (!ret && tr.phys == r->pb + off) {
			r->on_b++;
		} else {
			r->errors++;
			snprintf(r->what, sizeof(r->what),
				 "DMA %u at %#llx: %d phys %#llx",
				 (unsigned int)r->n,
				 (unsigned long long)(TIOVA + off), ret,
				 ret ? 0ull : (unsigned long long)tr.phys);
		}
		r->n++;
	}
	return NULL;
}

/*
 * Replace moves the PASID from one domain to the other with no window
 * through blocked: a thread doing DMA with the PASID meanwhile always
 * translates through the old or the new domain, and once replace returns
 * only through the new one.
 */
CONF_TEST(pasid, replace_has_no_window_through_blocked)
{
	struct tctx *t = tctx_open(p);
	uint64_t pa = TMEM_BASE + 0xf00000, pb = TMEM_BASE + 0xf40000;
	struct iommu_domain *a, *b;
	struct pthr r;
	pthread_t tid;
	unsigned int i;
	int rret = 0;

	if (!pasid_attach_supported(t)) {
		expect_pasid_refused(t, t->aux);
		return;
	}
	a = dom_mapped(t, TIOVA, pa, SZ_64K);
	b = dom_mapped(t, TIOVA, pb, SZ_64K);
	memset(&r, 0, sizeof(r));
	r.t = t;
	r.pa = pa;
	r.pb = pb;
	cr_assert_eq(iommu_attach_device_pasid(a, t->aux, PASID_A), 0);
	cr_assert_eq(pthread_create(&tid, NULL, pthr_main, &r), 0);
	while (r.n < 1 && !r.errors)
		sched_yield();
	for (i = 0; i < 100 && !r.errors; i++) {
		struct iommu_domain *to = i & 1 ? a : b;
		uint64_t off = (i % 16) * SZ_4K + 16;
		struct iommu_translation tr;
		unsigned int n0 = r.n;
		int ret = iommu_replace_device_pasid(to, t->aux, PASID_A);

		if (ret) {
			rret = ret;
			break;
		}
		ret = iommu_dma_translate(t->ctx, t->aux, PASID_A, TIOVA + off,
					  8, IOMMU_ACCESS_READ, &tr);
		if (ret || tr.phys != (to == a ? pa : pb) + off) {
			r.stop = 1;
			pthread_join(tid, NULL);
			cr_assert_fail(
			    "replace %u: DMA after it: %d phys "
			    "%#llx, expected %#llx",
			    i, ret, (unsigned long long)(ret ? 0 : tr.phys),
			    (unsigned long long)((to == a ? pa : pb) + off));
		}
		while (r.n < n0 + 2 && !r.errors)
			sched_yield();
	}
	r.stop = 1;
	pthread_join(tid, NULL);
	cr_assert_eq(rret, 0, "replace %u: %d", i, rret);
	cr_assert_eq(r.errors, 0, "%s", r.what);
	cr_log_info("%u DMAs: %u through A, %u through B", (unsigned int)r.n,
		    r.on_a, r.on_b);
	cr_assert_eq(t->ctx_faults.count, 0, "%u faults during replace",
		     t->ctx_faults.count);
	expect_pasid_rw(t, t->aux, PASID_A, TIOVA, pa);
	cr_assert_eq(iommu_detach_device_pasid(a, t->aux, PASID_A), 0);
}

/* ---- Ownership (rule 5) ------------------------------------------------- */

CONF_TEST(pasid, ownership_busy_while_attached)
{
	struct tctx *t = tctx_open(p);
	uint64_t pa = TMEM_BASE + 0x1000000;
	struct iommu_domain *blk = dom_alloc(t, IOMMU_DOMAIN_BLOCKED);
	struct iommu_domain *def = dev_domain(t, t->aux);
	struct iommu_domain *a;
	int owner;

	if (!pasid_attach_supported(t)) {
		expect_pasid_refused(t, t->aux);
		return;
	}
	a = dom_mapped(t, TIOVA, pa, SZ_64K);
	cr_assert_eq(iommu_attach_device_pasid(a, t->aux, PASID_A), 0);
	cr_assert_eq(iommu_group_claim_dma_owner(t->ctx, t->g_aux, &owner),
		     -EBUSY, "claim while a PASID is attached");
	cr_assert_not(iommu_group_dma_owner_claimed(t->ctx, t->g_aux));
	cr_assert_eq(dev_domain(t, t->aux), def);
	expect_default_behaviour(t, t->aux);
	expect_pasid_rw(t, t->aux, PASID_A, TIOVA, pa);
	cr_assert_eq(iommu_detach_device_pasid(a, t->aux, PASID_A), 0);
	/* Owned: the primary is blocked, a PASID may still get a domain. */
	cr_assert_eq(iommu_group_claim_dma_owner(t->ctx, t->g_aux, &owner), 0);
	cr_assert_eq(dev_domain(t, t->aux), blk);
	cr_assert_eq(iommu_attach_device_pasid(a, t->aux, PASID_A), 0);
	expect_pasid_rw(t, t->aux, PASID_A, TIOVA, pa);
	expect_fault(t, &t->ctx_faults, t->aux, TMEM_BASE, IOMMU_ACCESS_READ,
		     REASONS_ANY);
	cr_assert_eq(iommu_group_release_dma_owner(t->ctx, t->g_aux, &owner),
		     -EBUSY, "release while a PASID is attached");
	cr_assert(iommu_group_dma_owner_claimed(t->ctx, t->g_aux));
	cr_assert_eq(dev_domain(t, t->aux), blk);
	expect_pasid_rw(t, t->aux, PASID_A, TIOVA + 64, pa + 64);
	expect_fault(t, &t->ctx_faults, t->aux, TMEM_BASE, IOMMU_ACCESS_WRITE,
		     REASONS_ANY);
	cr_assert_eq(iommu_detach_device_pasid(a, t->aux, PASID_A), 0);
	cr_assert_eq(iommu_group_release_dma_owner(t->ctx, t->g_aux, &owner),
		     0);
	cr_assert_eq(dev_domain(t, t->aux), def);
	expect_default_behaviour(t, t->aux);
	cr_assert_eq(iommu_domain_free(a), 0);
}

/* ---- One PASID space with the aux API (rule 8) -------------------------- */

CONF_TEST(pasid, shares_space_with_aux_domains)
{
	struct tctx *t = tctx_open(p);
	uint64_t pa = TMEM_BASE + 0x1100000, pb = TMEM_BASE + 0x1140000;
	struct iommu_attachment at[4];
	struct iommu_domain *x, *a;
	uint32_t q = 0, q2 = 0;
	int owner, ret;

	if (!pasid_attach_supported(t)) {
		expect_pasid_refused(t, t->aux);
		return;
	}
	x = dom_mapped(t, TIOVA, pa, SZ_64K);
	a = dom_mapped(t, TIOVA, pb, SZ_64K);
	if (!iommu_dev_has_feature(t->ctx, t->aux, IOMMU_DEV_FEAT_AUX)) {
		/* No aux domains to share with: the VMM's PASIDs alone. */
		cr_assert_eq(iommu_dev_enable_feature(t->ctx, t->aux,
						      IOMMU_DEV_FEAT_AUX),
			     -EOPNOTSUPP);
		cr_assert_lt(iommu_aux_attach_device(x, t->aux), 0);
		cr_assert_eq(iommu_attach_device_pasid(a, t->aux, PASID_A), 0);
		expect_pasid_rw(t, t->aux, PASID_A, TIOVA, pb);
		cr_assert_eq(iommu_detach_device_pasid(a, t->aux, PASID_A), 0);
		return;
	}
	cr_assert_eq(
	    iommu_dev_enable_feature(t->ctx, t->aux, IOMMU_DEV_FEAT_AUX), 0);
	cr_assert_eq(iommu_aux_attach_device(x, t->aux), 0);
	cr_assert_eq(iommu_aux_get_pasid(x, t->aux, &q), 0);
	/* The VMM cannot take, replace or detach the aux domain's PASID. */
	cr_assert_eq(iommu_attach_device_pasid(a, t->aux, q), -EBUSY,
		     "attach at aux PASID %#x", q);
	cr_assert_eq(iommu_replace_device_pasid(a, t->aux, q), -EBUSY,
		     "replace at aux PASID %#x", q);
	cr_assert_eq(iommu_detach_device_pasid(x, t->aux, q), -ENOENT,
		     "PASID detach of an aux attachment");
	expect_pasid_rw(t, t->aux, q, TIOVA, pa);
	cr_assert_eq(dom_attachments(x, at, 4), 1);
	cr_assert_eq(at[0].pasid, q);
	cr_assert_eq(dom_attachments(a, at, 4), 0);
	/* The aux domain keeps its PASID while detached; the VMM may use
	 * it on this device meanwhile, and the aux attach then waits. */
	cr_assert_eq(iommu_aux_detach_device(x, t->aux), 0);
	cr_assert_eq(iommu_attach_device_pasid(a, t->aux, q), 0);
	expect_pasid_rw(t, t->aux, q, TIOVA, pb);
	ret = iommu_aux_attach_device(x, t->aux);
	cr_assert_lt(ret, 0, "aux attach at PASID %#x the VMM uses: %d", q,
		     ret);
	cr_assert_eq(iommu_aux_get_pasid(x, t->aux, &q2), -ENOENT);
	expect_pasid_rw(t, t->aux, q, TIOVA + 64, pb + 64);
	cr_assert_eq(iommu_detach_device_pasid(a, t->aux, q), 0);
	cr_assert_eq(iommu_aux_attach_device(x, t->aux), 0);
	cr_assert_eq(iommu_aux_get_pasid(x, t->aux, &q2), 0);
	cr_assert_eq(q2, q, "aux domain changed its PASID");
	expect_pasid_rw(t, t->aux, q, TIOVA, pa);
	/* Both kinds side by side at different PASIDs. */
	cr_assert_eq(iommu_attach_device_pasid(
			 a, t->aux, q == PASID_A ? PASID_A + 1 : PASID_A),
		     0);
	expect_pasid_rw(t, t->aux, q, TIOVA + 128, pa + 128);
	cr_assert_eq(iommu_group_claim_dma_owner(t->ctx, t->g_aux, &owner),
		     -EBUSY);
	cr_assert_eq(iommu_detach_device_pasid(
			 a, t->aux, q == PASID_A ? PASID_A + 1 : PASID_A),
		     0);
	cr_assert_eq(iommu_aux_detach_device(x, t->aux), 0);
	cr_assert_eq(
	    iommu_dev_disable_feature(t->ctx, t->aux, IOMMU_DEV_FEAT_AUX), 0);
	cr_assert_eq(iommu_domain_free(x), 0);
	cr_assert_eq(iommu_domain_free(a), 0);
}
