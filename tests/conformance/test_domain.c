// SPDX-License-Identifier: MIT
/*
 * test_domain.c - devices, groups, domain types, attach and detach
 * (DESIGN.md rules 1 to 6), each checked with real DMA through the device
 * model.
 */
#include <errno.h>
#include <string.h>

#include "conf.h"

/* Map @size bytes at TIOVA to @pa in a new UNMANAGED domain. */
static struct iommu_domain *unmanaged_with(struct tctx *t, uint64_t iova,
					   uint64_t pa, uint64_t size,
					   unsigned int prot)
{
	struct iommu_domain *d = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	int ret = iommu_map(d, iova, pa, size, prot);

	cr_assert_eq(ret, 0, "iommu_map(%#llx -> %#llx, %#llx): %d",
		     (unsigned long long)iova, (unsigned long long)pa,
		     (unsigned long long)size, ret);
	return d;
}

CONF_TEST(ctx, reports_backend_and_settings)
{
	struct tctx *t = tctx_open(p);
	const char *b = iommu_ctx_backend(t->ctx);
	enum iommu_id_kind k = iommu_ctx_id_kind(t->ctx);

	cr_assert_not_null(b);
	cr_assert_eq(strncmp(p->name, b, strlen(b)), 0,
		     "backend '%s' for configuration '%s'", b, p->name);
	cr_assert(k == IOMMU_ID_PCI_BDF || k == IOMMU_ID_STREAM_ID ||
		      k == IOMMU_ID_ENDPOINT,
		  "id kind %d", k);
	/* The names of the table say what the INI chose. */
	if (strstr(p->name, "-lazy"))
		cr_assert_not(iommu_ctx_strict(t->ctx));
	else if (!p->ini_path[0])
		cr_assert(iommu_ctx_strict(t->ctx));
	if (strstr(p->name, "-id"))
		cr_assert_eq(iommu_ctx_default_domain_type(t->ctx),
			     IOMMU_DOMAIN_IDENTITY);
	else if (!p->ini_path[0])
		cr_assert_eq(iommu_ctx_default_domain_type(t->ctx),
			     IOMMU_DOMAIN_DMA);
	cr_assert_null(iommu_ctx_backend(NULL));
	cr_assert_eq(iommu_ctx_id_kind(NULL), 0);
	cr_assert_eq(iommu_ctx_default_domain_type(NULL), 0);
}

CONF_TEST(group, topology_matches_config)
{
	struct tctx *t = tctx_open(p);
	uint32_t ids[4] = {0};
	size_t count = 0;
	int ret;

	cr_assert_neq(t->g_solo, t->g_pair);
	cr_assert_neq(t->g_solo, t->g_solo2);
	{
		uint32_t g1;

		cr_assert_eq(iommu_dev_group(t->ctx, t->pair1, &g1), 0);
		cr_assert_eq(g1, t->g_pair, "pair0 and pair1 not in one group");
	}
	ret = iommu_group_devices(t->ctx, t->g_pair, ids, 4, &count);
	cr_assert_eq(ret, 0);
	cr_assert_eq(count, 2, "group of two lists %zu devices", count);
	cr_assert((ids[0] == t->pair0 && ids[1] == t->pair1) ||
		  (ids[0] == t->pair1 && ids[1] == t->pair0));
	ret = iommu_group_devices(t->ctx, t->g_solo, ids, 4, &count);
	cr_assert_eq(ret, 0);
	cr_assert_eq(count, 1);
	cr_assert_eq(ids[0], t->solo);
	/* Count only, with no room. */
	ret = iommu_group_devices(t->ctx, t->g_pair, NULL, 0, &count);
	cr_assert_eq(ret, 0);
	cr_assert_eq(count, 2);
	/* Both devices of a group start on the same default domain. */
	cr_assert_eq(dev_domain(t, t->pair0), dev_domain(t, t->pair1));
	/* Capabilities are consistent across a group. */
	for (int c = 0; c < IOMMU_CAP_COUNT; c++)
		cr_assert_eq(iommu_dev_capable(t->ctx, t->pair0, c),
			     iommu_dev_capable(t->ctx, t->pair1, c),
			     "capability %d differs within a group", c);
}

CONF_TEST(domain, alloc_gives_static_and_paging_domains)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *b1 = dom_alloc(t, IOMMU_DOMAIN_BLOCKED);
	struct iommu_domain *b2 = dom_alloc(t, IOMMU_DOMAIN_BLOCKED);
	struct iommu_domain *i1 = dom_alloc(t, IOMMU_DOMAIN_IDENTITY);
	struct iommu_domain *i2 = dom_alloc(t, IOMMU_DOMAIN_IDENTITY);
	struct iommu_domain *u1 = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	struct iommu_domain *u2 = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	struct iommu_domain *dd = dom_alloc(t, IOMMU_DOMAIN_DMA);
	struct iommu_domain *x = NULL;
	uint64_t s, l;

	cr_assert_eq(b1, b2, "blocking domain is not static");
	cr_assert_eq(i1, i2, "identity domain is not static");
	cr_assert_neq(u1, u2);
	cr_assert_neq(b1, i1);
	cr_assert_neq(iommu_domain_pgsize_bitmap(u1), 0);
	cr_assert_neq(iommu_domain_pgsize_bitmap(dd), 0);
	cr_assert_eq(iommu_domain_geometry(u1, &s, &l), 0);
	cr_assert_leq(s, l);
	cr_assert_eq(iommu_domain_alloc(t->ctx, 0, &x), -EINVAL);
	cr_assert_eq(iommu_domain_alloc(t->ctx, 77, &x), -EINVAL);
	cr_assert_null(x);
	/* Freeing a static domain is a no-op; it stays usable. */
	cr_assert_eq(iommu_domain_free(b1), 0);
	cr_assert_eq(iommu_domain_free(i1), 0);
	cr_assert_eq(iommu_domain_type(b1), IOMMU_DOMAIN_BLOCKED);
	cr_assert_eq(iommu_domain_type(i1), IOMMU_DOMAIN_IDENTITY);
	cr_assert_eq(iommu_domain_free(u1), 0);
	cr_assert_eq(iommu_domain_free(u2), 0);
	cr_assert_eq(iommu_domain_free(dd), 0);
}

CONF_TEST(domain, default_domain_matches_config)
{
	struct tctx *t = tctx_open(p);

	expect_default_behaviour(t, t->solo);
	expect_default_behaviour(t, t->pair0);
	expect_default_behaviour(t, t->pair1);
	/* A DMA default domain is per group (its IOVAs are the group's);
	 * the identity default is the backend's static domain. */
	if (default_is_dma(t))
		cr_assert_neq(dev_domain(t, t->solo), dev_domain(t, t->pair0),
			      "two groups share one default DMA domain");
	else
		cr_assert_eq(dev_domain(t, t->solo),
			     dom_alloc(t, IOMMU_DOMAIN_IDENTITY));
}

CONF_TEST(blocked, dma_faults_once_with_fields)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *b = dom_alloc(t, IOMMU_DOMAIN_BLOCKED);
	uint8_t buf[16];
	unsigned int n;

	cr_assert_eq(iommu_attach_device(b, t->solo), 0);
	cr_assert_eq(dev_domain(t, t->solo), b);
	expect_fault(t, &t->ctx_faults, t->solo, TMEM_BASE, IOMMU_ACCESS_READ,
		     REASONS_ANY);
	expect_fault(t, &t->ctx_faults, t->solo, TMEM_BASE + 0x5008,
		     IOMMU_ACCESS_WRITE, REASONS_ANY);
	expect_fault(t, &t->ctx_faults, t->solo, 0, IOMMU_ACCESS_READ,
		     REASONS_ANY);
	/* Blocking is not identity: not even RAM addresses pass. */
	n = t->ctx_faults.count;
	cr_assert_eq(iommu_dma_read(t->ctx, t->solo, IOMMU_NO_PASID, TMEM_BASE,
				    buf, sizeof(buf)),
		     -EFAULT);
	cr_assert_eq(iommu_dma_write(t->ctx, t->solo, IOMMU_NO_PASID, TMEM_BASE,
				     buf, sizeof(buf)),
		     -EFAULT);
	cr_assert_eq(t->ctx_faults.count, n + 2);
	/* The other devices are untouched. */
	expect_default_behaviour(t, t->solo2);
	cr_assert_eq(iommu_detach_device(b, t->solo), 0);
	expect_default_behaviour(t, t->solo);
}

CONF_TEST(identity, dma_passes_with_phys_equal_iova)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *id = dom_alloc(t, IOMMU_DOMAIN_IDENTITY);
	struct iommu_translation tr;
	uint64_t pa;

	cr_assert_eq(iommu_attach_device(id, t->solo), 0);
	cr_assert_eq(dev_domain(t, t->solo), id);
	for (pa = TMEM_BASE; pa < TMEM_BASE + TMEM_SIZE; pa += 0x1234567) {
		cr_assert_eq(dma_xlate(t, t->solo, pa, IOMMU_ACCESS_READ, &tr),
			     0, "identity read at %#llx",
			     (unsigned long long)pa);
		cr_assert_eq(tr.phys, pa);
		cr_assert_geq(tr.len, 1);
		cr_assert(tr.perm & IOMMU_READ);
		cr_assert_eq(dma_xlate(t, t->solo, pa, IOMMU_ACCESS_WRITE, &tr),
			     0);
		cr_assert_eq(tr.phys, pa);
		cr_assert(tr.perm & IOMMU_WRITE);
	}
	expect_dma_rw(t, t->solo, TMEM_BASE + 0x10ff0, TMEM_BASE + 0x10ff0,
		      0x2040);
	cr_assert_eq(t->ctx_faults.count, 0);
	cr_assert_eq(iommu_detach_device(id, t->solo), 0);
	expect_default_behaviour(t, t->solo);
}

CONF_TEST(unmanaged, dma_passes_only_where_mapped)
{
	struct tctx *t = tctx_open(p);
	uint64_t pa = TMEM_BASE + 0x200000;
	struct iommu_domain *d =
	    unmanaged_with(t, TIOVA, pa, 4 * PG, IOMMU_READ | IOMMU_WRITE);
	struct fault_log dl = {0};
	struct iommu_translation tr;

	cr_assert_eq(iommu_set_fault_handler(d, fault_log_domain_fn, &dl), 0);
	cr_assert_eq(iommu_attach_device(d, t->solo), 0);
	cr_assert_eq(dev_domain(t, t->solo), d);
	expect_dma_rw(t, t->solo, TIOVA, pa, 4 * PG);
	cr_assert_eq(
	    dma_xlate(t, t->solo, TIOVA + 0x2010, IOMMU_ACCESS_READ, &tr), 0);
	cr_assert_eq(tr.phys, pa + 0x2010);
	cr_assert_eq(tr.perm & (IOMMU_READ | IOMMU_WRITE),
		     IOMMU_READ | IOMMU_WRITE);
	cr_assert_geq(tr.len, 1);
	cr_assert_leq(tr.len, 4);
	/* Just outside on both sides, and the physical address itself. */
	expect_fault(t, &dl, t->solo, TIOVA + 4 * PG, IOMMU_ACCESS_READ,
		     REASONS_NOT_MAPPED);
	expect_fault(t, &dl, t->solo, TIOVA - PG, IOMMU_ACCESS_WRITE,
		     REASONS_NOT_MAPPED);
	expect_fault(t, &dl, t->solo, pa, IOMMU_ACCESS_READ,
		     REASONS_NOT_MAPPED);
	cr_assert_eq(dl.count, 3);
	cr_assert_eq(t->ctx_faults.count, 0);
	cr_assert_eq(iommu_detach_device(d, t->solo), 0);
	cr_assert_eq(iommu_domain_free(d), 0);
}

CONF_TEST(unmanaged, readonly_mapping_faults_on_write)
{
	struct tctx *t = tctx_open(p);
	uint64_t pa = TMEM_BASE + 0x400000;
	struct iommu_domain *d =
	    unmanaged_with(t, TIOVA, pa, PG, IOMMU_READ);
	struct fault_log dl = {0};
	struct iommu_translation tr;
	uint8_t buf[8] = {1, 2, 3, 4, 5, 6, 7, 8};

	cr_assert_eq(iommu_set_fault_handler(d, fault_log_domain_fn, &dl), 0);
	cr_assert_eq(iommu_attach_device(d, t->solo), 0);
	cr_assert_eq(dma_xlate(t, t->solo, TIOVA, IOMMU_ACCESS_READ, &tr), 0);
	cr_assert_eq(tr.phys, pa);
	cr_assert_eq(tr.perm & IOMMU_WRITE, 0, "read-only page grants write");
	mem_fill(t, pa, PG, 7);
	expect_dma_read(t, t->solo, TIOVA, pa, PG);
	expect_fault(t, &dl, t->solo, TIOVA + 0x10, IOMMU_ACCESS_WRITE,
		     REASONS_PERM);
	cr_assert_eq(iommu_dma_write(t->ctx, t->solo, IOMMU_NO_PASID, TIOVA,
				     buf, sizeof(buf)),
		     -EFAULT);
	cr_assert(mem_check(t, pa, PG, 7), "a refused write changed RAM");
	cr_assert_eq(dl.count, 2);
}

CONF_TEST(unmanaged, writeonly_mapping_faults_on_read)
{
	struct tctx *t = tctx_open(p);
	uint64_t pa = TMEM_BASE + 0x400000;
	struct iommu_domain *d =
	    unmanaged_with(t, TIOVA, pa, PG, IOMMU_WRITE);
	struct fault_log dl = {0};
	struct iommu_translation tr;
	uint8_t buf[8] = {1, 2, 3, 4, 5, 6, 7, 8}, back[8];

	cr_assert_eq(iommu_set_fault_handler(d, fault_log_domain_fn, &dl), 0);
	cr_assert_eq(iommu_attach_device(d, t->solo), 0);
	cr_assert_eq(dma_xlate(t, t->solo, TIOVA, IOMMU_ACCESS_WRITE, &tr), 0);
	cr_assert_eq(tr.phys, pa);
	cr_assert_eq(iommu_dma_write(t->ctx, t->solo, IOMMU_NO_PASID, TIOVA + 8,
				     buf, sizeof(buf)),
		     0);
	cr_assert_eq(iommu_mem_read(t->ctx, pa + 8, back, sizeof(back)), 0);
	cr_assert_eq(memcmp(buf, back, sizeof(buf)), 0);
	if (p->flags & CONF_F_WRITE_IMPLIES_READ) {
		/* The format has no write-only page: read must pass too, and
		 * nothing faults. */
		cr_assert_eq(dma_xlate(t, t->solo, TIOVA, IOMMU_ACCESS_READ, &tr),
			     0);
		cr_assert_eq(tr.phys, pa);
		cr_assert_eq(dl.count, 0);
		return;
	}
	cr_assert_eq(tr.perm & IOMMU_READ, 0, "write-only page grants read");
	expect_fault(t, &dl, t->solo, TIOVA, IOMMU_ACCESS_READ, REASONS_PERM);
}

CONF_TEST(attach, replaces_default_without_detach)
{
	struct tctx *t = tctx_open(p);
	uint64_t pa = TMEM_BASE + 0x600000, dpa = TMEM_BASE + 0x700000;
	uint64_t old_iova = dpa;
	struct iommu_domain *def = dev_domain(t, t->solo);
	struct iommu_domain *a =
	    unmanaged_with(t, TIOVA, pa, SZ_64K, IOMMU_READ | IOMMU_WRITE);

	/* A translation only the default domain gives: a live DMA-API
	 * buffer, or the identity. */
	if (default_is_dma(t))
		cr_assert_eq(iommu_dma_map(t->ctx, t->solo, dpa, PG,
					   IOMMU_READ | IOMMU_WRITE, &old_iova),
			     0);
	cr_assert(old_iova + PG <= TIOVA || old_iova >= TIOVA + SZ_64K,
		  "DMA API chose the test's IOVA %#llx",
		  (unsigned long long)old_iova);
	expect_dma_rw(t, t->solo, old_iova, dpa, 64);

	cr_assert_eq(iommu_attach_device(a, t->solo), 0,
		     "attach from the default domain without detach");
	cr_assert_eq(dev_domain(t, t->solo), a);
	expect_dma_rw(t, t->solo, TIOVA, pa, SZ_64K);
	/* The default domain's translation is gone for this device. */
	expect_fault(t, &t->ctx_faults, t->solo, old_iova, IOMMU_ACCESS_READ,
		     REASONS_ANY);

	cr_assert_eq(iommu_detach_device(a, t->solo), 0);
	cr_assert_eq(dev_domain(t, t->solo), def);
	/* A's mappings are no longer reachable; the default's are back. */
	if (default_is_dma(t)) {
		expect_fault(t, &t->ctx_faults, t->solo, TIOVA,
			     IOMMU_ACCESS_READ, REASONS_ANY);
		expect_dma_rw(t, t->solo, old_iova, dpa, 64);
		cr_assert_eq(iommu_dma_unmap(t->ctx, t->solo, old_iova, PG),
			     0);
	} else {
		struct iommu_translation tr;

		cr_assert_eq(
		    dma_xlate(t, t->solo, TIOVA, IOMMU_ACCESS_READ, &tr), 0);
		cr_assert_eq(tr.phys, TIOVA, "identity after detach");
	}
	expect_default_behaviour(t, t->solo);
}

CONF_TEST(attach, replaces_blocking_without_detach)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *b = dom_alloc(t, IOMMU_DOMAIN_BLOCKED);
	uint64_t pa = TMEM_BASE + 0x800000;
	struct iommu_domain *a =
	    unmanaged_with(t, TIOVA, pa, PG, IOMMU_READ | IOMMU_WRITE);
	int owner;

	cr_assert_eq(iommu_group_claim_dma_owner(t->ctx, t->g_solo, &owner), 0);
	cr_assert_eq(dev_domain(t, t->solo), b);
	expect_fault(t, &t->ctx_faults, t->solo, TIOVA, IOMMU_ACCESS_READ,
		     REASONS_ANY);
	cr_assert_eq(iommu_attach_group(a, t->g_solo), 0);
	cr_assert_eq(dev_domain(t, t->solo), a);
	expect_dma_rw(t, t->solo, TIOVA, pa, 256);
	/* Detach of an owned group goes back to blocking, not default. */
	cr_assert_eq(iommu_detach_group(a, t->g_solo), 0);
	cr_assert_eq(dev_domain(t, t->solo), b);
	expect_fault(t, &t->ctx_faults, t->solo, TIOVA, IOMMU_ACCESS_WRITE,
		     REASONS_ANY);
	cr_assert_eq(iommu_group_release_dma_owner(t->ctx, t->g_solo, &owner),
		     0);
	expect_default_behaviour(t, t->solo);
}

CONF_TEST(attach, busy_group_on_other_domain)
{
	struct tctx *t = tctx_open(p);
	uint64_t pa = TMEM_BASE + 0x900000, pb = TMEM_BASE + 0xa00000;
	struct iommu_domain *a =
	    unmanaged_with(t, TIOVA, pa, PG, IOMMU_READ | IOMMU_WRITE);
	struct iommu_domain *b =
	    unmanaged_with(t, TIOVA, pb, PG, IOMMU_READ | IOMMU_WRITE);

	cr_assert_eq(iommu_attach_device(a, t->solo), 0);
	cr_assert_eq(iommu_attach_device(b, t->solo), -EBUSY,
		     "attach over a non-default, non-blocking domain");
	cr_assert_eq(iommu_attach_group(b, t->g_solo), -EBUSY);
	/* The failed attach left A working. */
	cr_assert_eq(dev_domain(t, t->solo), a);
	expect_dma_rw(t, t->solo, TIOVA, pa, 128);
	/* Detach first, then B attaches. */
	cr_assert_eq(iommu_detach_device(a, t->solo), 0);
	cr_assert_eq(iommu_attach_device(b, t->solo), 0);
	expect_dma_rw(t, t->solo, TIOVA, pb, 128);
	cr_assert_eq(iommu_detach_device(b, t->solo), 0);
}

CONF_TEST(attach, device_on_group_of_two_ebusy)
{
	struct tctx *t = tctx_open(p);
	uint64_t pa = TMEM_BASE + 0xb00000;
	struct iommu_domain *def = dev_domain(t, t->pair0);
	struct iommu_domain *a =
	    unmanaged_with(t, TIOVA, pa, PG, IOMMU_READ | IOMMU_WRITE);

	cr_assert_eq(iommu_attach_device(a, t->pair0), -EBUSY);
	cr_assert_eq(iommu_attach_device(a, t->pair1), -EBUSY);
	/* Both devices still on, and working through, the default. */
	cr_assert_eq(dev_domain(t, t->pair0), def);
	cr_assert_eq(dev_domain(t, t->pair1), def);
	expect_default_behaviour(t, t->pair0);
	expect_default_behaviour(t, t->pair1);
	cr_assert_eq(iommu_domain_free(a), 0, "domain of a failed attach busy");
}

CONF_TEST(attach, group_moves_every_device)
{
	struct tctx *t = tctx_open(p);
	uint64_t pa = TMEM_BASE + 0xc00000;
	struct iommu_domain *def = dev_domain(t, t->pair0);
	struct iommu_domain *a =
	    unmanaged_with(t, TIOVA, pa, 2 * PG, IOMMU_READ | IOMMU_WRITE);

	cr_assert_eq(iommu_attach_group(a, t->g_pair), 0);
	cr_assert_eq(dev_domain(t, t->pair0), a);
	cr_assert_eq(dev_domain(t, t->pair1), a);
	expect_dma_rw(t, t->pair0, TIOVA, pa, PG);
	expect_dma_rw(t, t->pair1, TIOVA + PG, pa + PG, PG);
	/* Unrelated groups stay where they were. */
	expect_default_behaviour(t, t->solo);
	/* Detach by device returns the whole group. */
	cr_assert_eq(iommu_detach_group(a, t->g_pair), 0);
	cr_assert_eq(dev_domain(t, t->pair0), def);
	cr_assert_eq(dev_domain(t, t->pair1), def);
	expect_default_behaviour(t, t->pair1);
}

CONF_TEST(detach, returns_to_default_domain)
{
	struct tctx *t = tctx_open(p);
	uint64_t pa = TMEM_BASE + 0xd00000;
	struct iommu_domain *def = dev_domain(t, t->solo);
	struct iommu_domain *a =
	    unmanaged_with(t, TIOVA, pa, PG, IOMMU_READ | IOMMU_WRITE);
	struct iommu_domain *other = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);

	cr_assert_eq(iommu_domain_type(def),
		     iommu_ctx_default_domain_type(t->ctx));
	cr_assert_eq(iommu_attach_device(a, t->solo), 0);
	/* Detach from a domain the device is not on. */
	cr_assert_eq(iommu_detach_device(other, t->solo), -EINVAL);
	cr_assert_eq(dev_domain(t, t->solo), a);
	expect_dma_rw(t, t->solo, TIOVA, pa, 64);
	cr_assert_eq(iommu_detach_device(a, t->solo), 0);
	cr_assert_eq(dev_domain(t, t->solo), def);
	expect_default_behaviour(t, t->solo);
	/* A second detach: no longer on @a. */
	cr_assert_eq(iommu_detach_device(a, t->solo), -EINVAL);
	cr_assert_eq(iommu_domain_free(other), 0);
	cr_assert_eq(iommu_domain_free(a), 0);
}

CONF_TEST(domain, free_attached_is_busy)
{
	struct tctx *t = tctx_open(p);
	uint64_t pa = TMEM_BASE + 0xe00000;
	struct iommu_domain *a =
	    unmanaged_with(t, TIOVA, pa, PG, IOMMU_READ | IOMMU_WRITE);

	cr_assert_eq(iommu_attach_group(a, t->g_pair), 0);
	cr_assert_eq(iommu_domain_free(a), -EBUSY);
	/* Still attached and working. */
	expect_dma_rw(t, t->pair1, TIOVA, pa, 64);
	cr_assert_eq(iommu_detach_group(a, t->g_pair), 0);
	cr_assert_eq(iommu_domain_free(a), 0);
}

CONF_TEST(domain, one_domain_on_several_groups)
{
	struct tctx *t = tctx_open(p);
	uint64_t pa = TMEM_BASE + 0xf00000;
	struct iommu_domain *a =
	    unmanaged_with(t, TIOVA, pa, PG, IOMMU_READ | IOMMU_WRITE);

	cr_assert_eq(iommu_attach_device(a, t->solo), 0);
	cr_assert_eq(iommu_attach_device(a, t->solo2), 0);
	cr_assert_eq(iommu_attach_group(a, t->g_pair), 0);
	expect_dma_rw(t, t->solo, TIOVA, pa, 32);
	expect_dma_rw(t, t->solo2, TIOVA, pa, 32);
	expect_dma_rw(t, t->pair0, TIOVA, pa, 32);
	/* A new mapping is seen by every device at once. */
	cr_assert_eq(iommu_map(a, TIOVA + PG, pa + PG, PG, IOMMU_READ),
		     0);
	expect_dma_read(t, t->solo2, TIOVA + PG, pa + PG, 32);
	expect_dma_read(t, t->pair1, TIOVA + PG, pa + PG, 32);
	cr_assert_eq(iommu_detach_device(a, t->solo), 0);
	/* The others keep it. */
	expect_dma_rw(t, t->solo2, TIOVA, pa, 32);
	cr_assert_eq(iommu_detach_device(a, t->solo2), 0);
	cr_assert_eq(iommu_detach_group(a, t->g_pair), 0);
	cr_assert_eq(iommu_domain_free(a), 0);
}
