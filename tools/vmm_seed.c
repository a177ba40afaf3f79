// SPDX-License-Identifier: MIT
/*
 * vmm_seed.c - iommu-vmm's scenario (a), seed 001: a parent device whose
 * work queues serve the host driver (DMA API on the primary domain) and
 * two VMs (auxiliary domains through PASIDs), VM1's domain also being the
 * primary domain of a physical device assigned to VM1.
 */
#include "vmm.h"

/* ---- (a) seed 001: parent device, work queues, aux domains ----------- */

void scenario_seed(struct vmm *v)
{
	static int vm1_owner;
	struct iommu_domain *prim = NULL, *vm1, *vm2;
	enum iommu_domain_type deftype = iommu_ctx_default_domain_type(v->ctx);
	uint32_t parent, pdev, pgroup, p1 = 0, p2 = 0;
	uint64_t host_iova = 0;
	bool has_aux, host_mapped;
	int rc;

	v->tag = "a";
	printf("\n(a) seed 001: parent device with work queues; WQ1 host "
	       "driver, WQ2 VM1, WQ3 VM2 (aux domains); VM1 shares its GPA "
	       "space with an assigned device\n");
	if (!lookup(v, "accel", &parent) || !lookup(v, "nic", &pdev))
		return;

	/* WQ1: the host driver uses the DMA API on the primary domain. */
	step(v, dev_domain_type(v, parent, &prim) == deftype,
	     "WQ1: parent's primary domain is the default (%s)",
	     type_name(deftype));
	rc = iommu_dma_map(v->ctx, parent, HOST_BUF_HPA, 2 * PAGE, RW,
			   &host_iova);
	host_mapped = expect_rc(v, rc, 0,
				"WQ1: host driver iommu_dma_map "
				"HPA 0x%" PRIx64 " -> iova 0x%" PRIx64,
				HOST_BUF_HPA, host_iova);
	if (host_mapped) {
		if (deftype == IOMMU_DOMAIN_IDENTITY)
			step(v, host_iova == HOST_BUF_HPA,
			     "WQ1: identity default domain gives iova == HPA");
		expect_dma_lands(v, parent, IOMMU_NO_PASID, host_iova,
				 HOST_BUF_HPA, 1, "WQ1 host driver");
		expect_dma_sees(v, parent, IOMMU_NO_PASID, host_iova + PAGE,
				HOST_BUF_HPA + PAGE, 2, "WQ1 host driver");
	}

	/* The GPA spaces of VM1 and VM2: same GPAs, different HPAs. */
	vm1 = vm_domain(v, "VM1", VM1_HPA, VM_SIZE);
	vm2 = vm_domain(v, "VM2", VM2_HPA, VM_SIZE);
	if (!vm1 || !vm2)
		goto out_free;
	rc = iommu_map(vm2, VM2_ONLY_GPA, VM2_HPA + VM_SIZE, PAGE, RW);
	expect_rc(v, rc, 0, "VM2: map GPA 0x%" PRIx64 " (VM2 only)",
		  VM2_ONLY_GPA);

	/* VM1's domain is also the primary domain of an assigned device. */
	pgroup = group_of(v, pdev);
	rc = iommu_group_claim_dma_owner(v->ctx, pgroup, &vm1_owner);
	expect_rc(v, rc, 0,
		  "VM1: claim group %" PRIu32 " of the assigned "
		  "device %" PRIu32 " for VM1",
		  pgroup, pdev);
	rc = iommu_attach_group(vm1, pgroup);
	expect_rc(v, rc, 0,
		  "VM1: attach VM1's domain as primary domain of "
		  "the assigned device");
	expect_dma_lands(v, pdev, IOMMU_NO_PASID, 0x3000, VM1_HPA + 0x3000, 3,
			 "VM1 assigned device");

	has_aux = iommu_dev_has_feature(v->ctx, parent, IOMMU_DEV_FEAT_AUX);
	if (has_aux) {
		rc = iommu_dev_enable_feature(v->ctx, parent,
					      IOMMU_DEV_FEAT_AUX);
		expect_rc(v, rc, 0, "enable AUX on the parent");
		rc = iommu_aux_attach_device(vm1, parent);
		expect_rc(v, rc, 0,
			  "WQ2: aux-attach VM1's domain to the "
			  "parent");
		rc = iommu_aux_attach_device(vm2, parent);
		expect_rc(v, rc, 0,
			  "WQ3: aux-attach VM2's domain to the "
			  "parent");
		rc = iommu_aux_get_pasid(vm1, parent, &p1);
		expect_rc(v, rc, 0, "WQ2: VM1's PASID is %" PRIu32, p1);
		rc = iommu_aux_get_pasid(vm2, parent, &p2);
		expect_rc(v, rc, 0, "WQ3: VM2's PASID is %" PRIu32, p2);
		step(v, p1 != p2, "WQ2 and WQ3 have different PASIDs");

		/* Each PASID's DMA lands in its own VM's memory. */
		expect_dma_lands(v, parent, p1, 0x1000, VM1_HPA + 0x1000, 4,
				 "WQ2 (VM1)");
		expect_dma_lands(v, parent, p2, 0x1000, VM2_HPA + 0x1000, 5,
				 "WQ3 (VM2)");
		step(v, mem_holds(v, VM1_HPA + 0x1000, 4),
		     "VM1's memory kept WQ2's data after WQ3 wrote the same "
		     "GPA (isolated)");
		expect_dma_fault(v, parent, p1, VM2_ONLY_GPA, false,
				 "WQ2 cannot reach a GPA mapped in VM2 only");
		expect_dma_sees(v, parent, p2, VM2_ONLY_GPA, VM2_HPA + VM_SIZE,
				6, "WQ3 (VM2)");
		/* One GPA space: the assigned device sees what WQ2 wrote. */
		{
			unsigned char want[512], got[512];

			fill(want, sizeof(want), 4);
			rc = iommu_dma_read(v->ctx, pdev, IOMMU_NO_PASID,
					    0x1000, got, sizeof(got));
			step(v, rc == 0 && !memcmp(want, got, sizeof(got)),
			     "VM1: assigned device reads GPA 0x1000 written "
			     "by WQ2 (one GPA space, rc %s)",
			     errname(rc));
		}
		/* Rule 8: no primary attach while aux domains are there. */
		{
			struct iommu_domain *d3 = NULL;

			rc = iommu_domain_alloc(v->ctx, IOMMU_DOMAIN_UNMANAGED,
						&d3);
			if (rc == 0)
				rc = iommu_attach_device(d3, parent);
			expect_rc(v, rc, -EBUSY,
				  "assign the whole parent "
				  "while aux domains are attached");
			if (rc == 0)
				iommu_detach_device(d3, parent);
			if (d3)
				iommu_domain_free(d3);
		}
		if (host_mapped)
			expect_dma_sees(v, parent, IOMMU_NO_PASID, host_iova,
					HOST_BUF_HPA, 7,
					"WQ1 still on the primary domain");
		rc = iommu_aux_detach_device(vm2, parent);
		expect_rc(v, rc, 0, "WQ3: aux-detach VM2");
		expect_rc(v, iommu_aux_get_pasid(vm2, parent, &p2), -ENOENT,
			  "WQ3: VM2 has no PASID on the parent any more");
		expect_dma_fault(v, parent, p2, 0x1000, true,
				 "WQ3 after detach");
		rc = iommu_aux_detach_device(vm1, parent);
		expect_rc(v, rc, 0, "WQ2: aux-detach VM1");
		rc = iommu_dev_disable_feature(v->ctx, parent,
					       IOMMU_DEV_FEAT_AUX);
		expect_rc(v, rc, 0, "disable AUX on the parent");
	} else {
		printf("  [a] backend %s: the parent (dev %" PRIu32 ") lacks "
		       "AUX (iommu_dev_has_feature is false): WQ2/WQ3 cannot "
		       "get aux domains; running the rest\n",
		       iommu_ctx_backend(v->ctx), parent);
		rc = iommu_dev_enable_feature(v->ctx, parent,
					      IOMMU_DEV_FEAT_AUX);
		expect_rc(v, rc, -EOPNOTSUPP, "enable AUX is refused");
		rc = iommu_aux_attach_device(vm1, parent);
		step(v, rc < 0,
		     "aux attach of VM1's domain fails cleanly "
		     "(%s)",
		     errname(rc));
		rc = iommu_aux_get_pasid(vm1, parent, &p1);
		expect_rc(v, rc, -ENOENT, "no PASID was left behind");
		step(v,
		     !iommu_dev_feature_enabled(v->ctx, parent,
						IOMMU_DEV_FEAT_AUX),
		     "AUX still reads as disabled");
		if (host_mapped)
			expect_dma_sees(v, parent, IOMMU_NO_PASID, host_iova,
					HOST_BUF_HPA, 7,
					"WQ1 unaffected by the failed attach");
		expect_dma_sees(v, pdev, IOMMU_NO_PASID, 0x2000,
				VM1_HPA + 0x2000, 8,
				"VM1 assigned device unaffected");
	}

	/* VM isolation for the assigned device too. */
	expect_dma_fault(v, pdev, IOMMU_NO_PASID, VM2_ONLY_GPA, true,
			 "VM1's assigned device cannot reach VM2-only GPA");

	/* Teardown, as a VMM does when VM1 goes away. */
	rc = iommu_detach_group(vm1, pgroup);
	expect_rc(v, rc, 0, "VM1: detach the assigned device");
	step(v, dev_domain_type(v, pdev, NULL) == IOMMU_DOMAIN_BLOCKED,
	     "VM1: an owned group returns to the blocking domain");
	rc = iommu_group_release_dma_owner(v->ctx, pgroup, &vm1_owner);
	expect_rc(v, rc, 0, "VM1: release the assigned device");
	step(v, dev_domain_type(v, pdev, NULL) == deftype,
	     "VM1: the assigned device is back on its default domain");
out_free:
	domain_free(v, vm1, "VM1");
	domain_free(v, vm2, "VM2");
	if (host_mapped) {
		rc = iommu_dma_unmap(v->ctx, parent, host_iova, 2 * PAGE);
		expect_rc(v, rc, 0, "WQ1: host driver iommu_dma_unmap");
		if (deftype == IOMMU_DOMAIN_DMA)
			expect_dma_fault(v, parent, IOMMU_NO_PASID, host_iova,
					 false, "WQ1 after dma_unmap");
	}
}
