// SPDX-License-Identifier: MIT
/*
 * vmm_scenarios.c - iommu-vmm's scenarios (b) to (e): a device assigned
 * to a VM, a blocked device, identity passthrough, and two devices that
 * share a group.
 */
#include "vmm.h"

/* ---- (b) a device assigned to a VM ----------------------------------- */

void scenario_assign(struct vmm *v)
{
	static int vm3_owner;
	enum iommu_domain_type deftype = iommu_ctx_default_domain_type(v->ctx);
	struct iommu_domain *d = NULL, *cur = NULL;
	uint32_t dev, g;
	uint64_t phys = 0, unmapped = 0;
	int rc;

	v->tag = "b";
	printf("\n(b) device assigned to a VM: claim, blocked, GPA->HPA "
	       "mapping, unmap, release\n");
	if (!lookup(v, "nic", &dev))
		return;
	g = group_of(v, dev);
	rc = iommu_group_claim_dma_owner(v->ctx, g, &vm3_owner);
	if (!expect_rc(v, rc, 0, "claim group %" PRIu32 " as DMA owner", g))
		return;
	step(v, iommu_group_dma_owner_claimed(v->ctx, g),
	     "group reads as "
	     "claimed");
	expect_rc(v, iommu_group_claim_dma_owner(v->ctx, g, &vm3_owner), -EBUSY,
		  "a second claim");
	step(v, dev_domain_type(v, dev, NULL) == IOMMU_DOMAIN_BLOCKED,
	     "the claimed group is on the blocking domain");
	expect_dma_fault(v, dev, IOMMU_NO_PASID, 0x1000, false,
			 "blocked before the VM's domain");

	/* GPA [0, 1M) in 4K pages and GPA [2M, 4M) as one 2M page. */
	rc = iommu_domain_alloc(v->ctx, IOMMU_DOMAIN_UNMANAGED, &d);
	if (!expect_rc(v, rc, 0, "allocate the VM's UNMANAGED domain"))
		goto out_release;
	expect_rc(v, iommu_set_fault_handler(d, on_domain_fault, v), 0,
		  "install the domain's fault handler");
	rc = iommu_map(d, 0, VM3_HPA, UINT64_C(1) << 20, RW);
	expect_rc(v, rc, 0, "map GPA [0, 1M) -> HPA 0x%" PRIx64, VM3_HPA);
	rc = iommu_map(d, SZ_2M, VM3_HPA + SZ_2M, SZ_2M, RW);
	expect_rc(v, rc, 0,
		  "map GPA [2M, 4M) -> HPA 0x%" PRIx64
		  " (a 2M page where the backend has one)",
		  VM3_HPA + SZ_2M);
	rc = iommu_map(d, 4 * SZ_2M, VM3_HPA + 4 * SZ_2M, PAGE, IOMMU_READ);
	expect_rc(v, rc, 0, "map GPA 0x%" PRIx64 " read-only", 4 * SZ_2M);
	expect_rc(v, iommu_map(d, 0x1000, VM3_HPA, PAGE, RW), -EEXIST,
		  "map over an existing mapping");
	expect_rc(v, iommu_map(d, 0x1800, VM3_HPA, PAGE, RW), -EINVAL,
		  "map a misaligned IOVA");
	rc = iommu_attach_group(d, g);
	expect_rc(v, rc, 0, "attach the VM's domain to the group");
	step(v,
	     dev_domain_type(v, dev, &cur) == IOMMU_DOMAIN_UNMANAGED &&
		 cur == d,
	     "the device is on the VM's domain");

	rc = iommu_iova_to_phys(d, SZ_2M + 0x12345, &phys);
	step(v, rc == 0 && phys == VM3_HPA + SZ_2M + 0x12345,
	     "iova_to_phys(GPA 0x%" PRIx64 ") = 0x%" PRIx64, SZ_2M + 0x12345,
	     phys);
	expect_dma_lands(v, dev, IOMMU_NO_PASID, 0x1000, VM3_HPA + 0x1000, 10,
			 "GPA in a 4K page");
	expect_dma_sees(v, dev, IOMMU_NO_PASID, 0xff000 - 256,
			VM3_HPA + 0xff000 - 256, 11,
			"GPA crossing a 4K page boundary");
	expect_dma_lands(v, dev, IOMMU_NO_PASID, SZ_2M + 0x1ff000,
			 VM3_HPA + SZ_2M + 0x1ff000, 12, "GPA in the 2M page");
	expect_dma_sees(v, dev, IOMMU_NO_PASID, 4 * SZ_2M, VM3_HPA + 4 * SZ_2M,
			13, "read-only GPA");
	expect_dma_fault(v, dev, IOMMU_NO_PASID, 4 * SZ_2M, true,
			 "write to a read-only GPA");
	expect_dma_fault(v, dev, IOMMU_NO_PASID, UINT64_C(1) << 20, false,
			 "GPA outside every mapping");

	/* Unmap: in strict mode no DMA may use the old translation. */
	rc = iommu_unmap(d, 0, UINT64_C(1) << 20, &unmapped);
	step(v, rc == 0 && unmapped == (UINT64_C(1) << 20),
	     "unmap GPA [0, 1M) removes 0x%" PRIx64 " bytes (%s)", unmapped,
	     errname(rc));
	if (iommu_ctx_strict(v->ctx))
		expect_dma_fault(v, dev, IOMMU_NO_PASID, 0x1000, false,
				 "after unmap");
	rc = iommu_unmap(d, SZ_2M, PAGE, &unmapped);
	step(v, rc == 0 && unmapped == 0,
	     "unmap of 4K inside the 2M page "
	     "does not split it (0x%" PRIx64 " bytes, %s)",
	     unmapped, errname(rc));
	expect_dma_sees(v, dev, IOMMU_NO_PASID, SZ_2M, VM3_HPA + SZ_2M, 14,
			"the 2M page still translates");

	rc = iommu_detach_group(d, g);
	expect_rc(v, rc, 0, "detach the VM's domain");
	step(v, dev_domain_type(v, dev, NULL) == IOMMU_DOMAIN_BLOCKED,
	     "back on the blocking domain while still owned");
	expect_dma_fault(v, dev, IOMMU_NO_PASID, SZ_2M, false, "after detach");
	domain_free(v, d, "VM");
out_release:
	rc = iommu_group_release_dma_owner(v->ctx, g, &vm3_owner);
	expect_rc(v, rc, 0, "release the group");
	step(v,
	     !iommu_group_dma_owner_claimed(v->ctx, g) &&
		 dev_domain_type(v, dev, NULL) == deftype,
	     "released: back on the default domain (%s)", type_name(deftype));
}

/* ---- (c) a blocked device -------------------------------------------- */

void scenario_blocked(struct vmm *v)
{
	enum iommu_domain_type deftype = iommu_ctx_default_domain_type(v->ctx);
	struct iommu_domain *blk = NULL, *cur = NULL;
	uint64_t iova = 0;
	uint32_t dev;
	int rc;

	v->tag = "c";
	printf("\n(c) blocked device: every DMA faults\n");
	if (!lookup(v, "untrusted", &dev))
		return;
	rc = iommu_domain_alloc(v->ctx, IOMMU_DOMAIN_BLOCKED, &blk);
	if (!expect_rc(v, rc, 0, "get the static blocking domain"))
		return;
	rc = iommu_attach_device(blk, dev);
	expect_rc(v, rc, 0, "attach dev %" PRIu32 " to it", dev);
	step(v,
	     dev_domain_type(v, dev, &cur) == IOMMU_DOMAIN_BLOCKED &&
		 cur == blk,
	     "the device is on the blocking domain");
	expect_dma_fault(v, dev, IOMMU_NO_PASID, PT_HPA, false, "blocked");
	expect_dma_fault(v, dev, IOMMU_NO_PASID, 0x2000, true, "blocked");
	expect_dma_fault(v, dev, IOMMU_NO_PASID, 0, false, "blocked");
	expect_rc(v, iommu_map(blk, 0, PT_HPA, PAGE, RW), -EINVAL,
		  "iommu_map on the blocking domain");
	expect_rc(v, iommu_dma_map(v->ctx, dev, PT_HPA, PAGE, RW, &iova),
		  -EPERM, "iommu_dma_map for a blocked device");
	rc = iommu_detach_device(blk, dev);
	expect_rc(v, rc, 0, "detach: back to the default domain");
	step(v, dev_domain_type(v, dev, NULL) == deftype,
	     "the device is on its default domain (%s)", type_name(deftype));
	rc = iommu_attach_device(blk, dev);
	expect_rc(v, rc, 0, "block it again for the rest of the run");
	expect_dma_fault(v, dev, IOMMU_NO_PASID, 0x3000, true, "blocked");
	/* Freeing a static domain is a no-op; the device stays blocked. */
	iommu_domain_free(blk);
}

/* ---- (d) identity passthrough ---------------------------------------- */

void scenario_identity(struct vmm *v)
{
	static const uint64_t addrs[] = {
	    0x0,
	    PT_HPA,
	    PT_HPA + 0x123456,
	    UINT64_C(0x0ffff000),
	    UINT64_C(0x100000000),
	    UINT64_C(0x7fffffff000),
	};
	struct iommu_domain *id = NULL, *cur = NULL;
	uint32_t dev;
	int rc;

	v->tag = "d";
	printf("\n(d) identity passthrough: DMA address == physical "
	       "address\n");
	if (!lookup(v, "passthru", &dev))
		return;
	rc = iommu_domain_alloc(v->ctx, IOMMU_DOMAIN_IDENTITY, &id);
	if (!expect_rc(v, rc, 0, "get the static identity domain"))
		return;
	rc = iommu_attach_device(id, dev);
	expect_rc(v, rc, 0, "attach dev %" PRIu32 " to it", dev);
	step(v,
	     dev_domain_type(v, dev, &cur) == IOMMU_DOMAIN_IDENTITY &&
		 cur == id,
	     "the device is on the identity domain");
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		struct iommu_translation t = {0};

		fault_reset(v);
		rc = iommu_dma_translate(v->ctx, dev, IOMMU_NO_PASID, addrs[i],
					 PAGE, IOMMU_ACCESS_WRITE, &t);
		step(v,
		     rc == 0 && t.phys == addrs[i] && t.len > 0 &&
			 (t.perm & IOMMU_WRITE) && v->faults == 0,
		     "translate 0x%" PRIx64 " -> 0x%" PRIx64 " len 0x%" PRIx64
		     " (%s)",
		     addrs[i], t.phys, t.len, errname(rc));
	}
	expect_dma_lands(v, dev, IOMMU_NO_PASID, PT_HPA + 0x800, PT_HPA + 0x800,
			 20, "1:1");
	expect_dma_sees(v, dev, IOMMU_NO_PASID, PT_HPA + 0x10ff00,
			PT_HPA + 0x10ff00, 21, "1:1 across pages");
	expect_rc(v, iommu_map(id, 0, PT_HPA, PAGE, RW), -EINVAL,
		  "iommu_map on the identity domain");
	/* The device stays in passthrough; destroy must cope. */
}

/* ---- (e) two devices in one group ------------------------------------ */

void scenario_group(struct vmm *v)
{
	static int owner;
	enum iommu_domain_type deftype = iommu_ctx_default_domain_type(v->ctx);
	struct iommu_domain *d = NULL, *c1 = NULL, *c2 = NULL;
	uint32_t a, b, ga, gb, ids[4];
	size_t n = 0;
	int rc;

	v->tag = "e";
	printf("\n(e) two devices the topology cannot isolate: one group\n");
	if (!lookup(v, "gpu", &a) || !lookup(v, "gpu_audio", &b))
		return;
	ga = group_of(v, a);
	gb = group_of(v, b);
	step(v, ga == gb, "gpu and gpu_audio share group %" PRIu32, ga);
	rc = iommu_group_devices(v->ctx, ga, ids, 4, &n);
	step(v, rc == 0 && n == 2, "the group lists %zu devices", n);

	d = vm_domain(v, "VM4", GROUP_HPA, VM_SIZE);
	if (!d)
		return;
	expect_rc(v, iommu_attach_device(d, a), -EBUSY,
		  "attach one device of a group of two");
	rc = iommu_group_claim_dma_owner(v->ctx, ga, &owner);
	expect_rc(v, rc, 0, "claim the group");
	rc = iommu_attach_group(d, ga);
	expect_rc(v, rc, 0, "attach the group");
	step(v,
	     dev_domain_type(v, a, &c1) == IOMMU_DOMAIN_UNMANAGED &&
		 dev_domain_type(v, b, &c2) == IOMMU_DOMAIN_UNMANAGED &&
		 c1 == d && c2 == d,
	     "both devices are on the domain");
	expect_dma_lands(v, a, IOMMU_NO_PASID, 0x4000, GROUP_HPA + 0x4000, 30,
			 "gpu");
	{
		unsigned char want[512], got[512];

		fill(want, sizeof(want), 30);
		rc = iommu_dma_read(v->ctx, b, IOMMU_NO_PASID, 0x4000, got,
				    sizeof(got));
		step(v, rc == 0 && !memcmp(want, got, sizeof(got)),
		     "gpu_audio reads what gpu wrote (rc %s)", errname(rc));
	}
	rc = iommu_detach_group(d, ga);
	expect_rc(v, rc, 0, "detach the group");
	rc = iommu_group_release_dma_owner(v->ctx, ga, &owner);
	expect_rc(v, rc, 0, "release the group");
	step(v,
	     dev_domain_type(v, a, NULL) == deftype &&
		 dev_domain_type(v, b, NULL) == deftype,
	     "both back on the default domain");
	domain_free(v, d, "VM4");
}
