// SPDX-License-Identifier: MIT
/*
 * assign.c - a VMM assigns a physical device to a VM (as VFIO and iommufd
 * do in Linux).
 *
 *  1. The VMM claims DMA ownership of the device's group: the host's
 *     driver gives the device up, and until the VMM sets up a translation
 *     the group sits on the blocking domain (every DMA faults).
 *  2. It allocates an UNMANAGED domain (the VMM, not the library, decides
 *     every mapping), maps the guest's RAM GPA -> HPA and attaches the
 *     group.  The device's DMA now uses guest-physical addresses.
 *  3. The VM's address space changes (a reboot into another memory
 *     layout, a live update, a second VM taking the device over): the VMM
 *     builds a second domain and *replaces* the first with it, with no
 *     window through "blocked" (iommu_group_replace_domain).
 *  4. The VM is done: the VMM detaches (back to blocking, since it still
 *     owns the group), releases ownership (the group goes back to its
 *     default domain, the host's) and frees its domains.
 *
 * "Host physical" memory is the library's own RAM ([memory] ram_size in
 * the INI); the device's DMA is iommu_dma_read/write with the device's ID,
 * the way an emulated PCIe root port would forward it.
 *
 * Usage: assign [INI]   (default virtio.ini; vtd.ini runs it on VT-d)
 * Exit status: 0 when every check passed, 1 otherwise.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <iommu/iommu.h>

/* Where each VM's RAM lies in host-physical memory, and how big it is. */
#define VM1_HPA	 UINT64_C(0x1000000) /* 16 MiB */
#define VM2_HPA	 UINT64_C(0x2000000) /* 32 MiB */
#define VM_RAM	 UINT64_C(0x400000)  /* 4 MiB each */
#define GPA_TEST UINT64_C(0x1000)    /* where the device writes */

static int failures;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			printf("FAIL: ");                                      \
			printf(__VA_ARGS__);                                   \
			printf("\n");                                          \
			failures++;                                            \
		}                                                              \
	} while (0)

/* Faults of the device, whichever domain it is on. */
struct faults {
	unsigned int count;
	struct iommu_fault last;
};

static void note_fault(struct faults *fs, const struct iommu_fault *f,
		       const char *where)
{
	static const char *const reasons[] = {
	    [IOMMU_FAULT_NO_DOMAIN] = "no domain",
	    [IOMMU_FAULT_NOT_MAPPED] = "not mapped",
	    [IOMMU_FAULT_PERMISSION] = "permission",
	    [IOMMU_FAULT_TABLE_FETCH] = "table fetch",
	    [IOMMU_FAULT_BAD_ENTRY] = "bad entry",
	    [IOMMU_FAULT_ADDR_SIZE] = "address size",
	    [IOMMU_FAULT_BAD_PASID] = "bad PASID",
	    [IOMMU_FAULT_BAD_DEVICE] = "bad device",
	};
	const char *r = (unsigned int)f->reason < 9 && reasons[f->reason]
			    ? reasons[f->reason]
			    : "unknown";

	printf("  fault (%s handler): device 0x%" PRIx32 " IOVA 0x%" PRIx64
	       ": %s\n",
	       where, f->dev_id, f->addr, r);
	fs->count++;
	fs->last = *f;
}

/* A VM's domain handler: the VMM would forward it to the guest's vIOMMU
 * or log a misbehaving device. */
static int vm_fault(struct iommu_domain *d, const struct iommu_fault *f,
		    void *cookie)
{
	(void)d;
	note_fault(cookie, f, "domain");
	return 0;
}

/* Faults no domain handler took: here, the blocking domain's. */
static int ctx_fault(struct iommu_ctx *ctx, const struct iommu_fault *f,
		     void *cookie)
{
	(void)ctx;
	note_fault(cookie, f, "context");
	return 0;
}

/* The device writes @msg at guest-physical @gpa; does it land at @hpa? */
static void dma_lands(struct iommu_ctx *ctx, uint32_t dev, uint64_t gpa,
		      uint64_t hpa, const char *msg)
{
	char got[32] = "";
	int ret;

	ret = iommu_dma_write(ctx, dev, IOMMU_NO_PASID, gpa, msg,
			      strlen(msg) + 1);
	CHECK(ret == 0, "DMA write to GPA 0x%" PRIx64 ": %d", gpa, ret);
	iommu_mem_read(ctx, hpa, got, strlen(msg) + 1);
	CHECK(!strcmp(got, msg), "HPA 0x%" PRIx64 " holds '%s', want '%s'", hpa,
	      got, msg);
}

/* A DMA read by the device at @gpa must fault, and be reported once. */
static void dma_faults(struct iommu_ctx *ctx, uint32_t dev, uint64_t gpa,
		       struct faults *fs)
{
	unsigned int before = fs->count;
	char buf[8];
	int ret;

	ret = iommu_dma_read(ctx, dev, IOMMU_NO_PASID, gpa, buf, sizeof(buf));
	CHECK(ret == -EFAULT, "DMA read at GPA 0x%" PRIx64 ": %d, want -EFAULT",
	      gpa, ret);
	CHECK(fs->count == before + 1, "%u faults reported, want 1",
	      fs->count - before);
}

/* A VM's address space: GPA [0, VM_RAM) -> HPA [@hpa, @hpa + VM_RAM). */
static struct iommu_domain *vm_domain(struct iommu_ctx *ctx, uint64_t hpa,
				      struct faults *fs)
{
	struct iommu_domain *d;
	int ret;

	ret = iommu_domain_alloc(ctx, IOMMU_DOMAIN_UNMANAGED, &d);
	CHECK(ret == 0, "alloc UNMANAGED: %d", ret);
	if (ret)
		return NULL;
	/* One call maps the whole range with the largest pages the
	 * alignment allows (2 MiB here). */
	ret = iommu_map(d, 0, hpa, VM_RAM, IOMMU_READ | IOMMU_WRITE);
	CHECK(ret == 0, "map GPA 0 -> HPA 0x%" PRIx64 ": %d", hpa, ret);
	iommu_set_fault_handler(d, vm_fault, fs);
	return d;
}

int main(int argc, char **argv)
{
	const char *ini = argc > 1 ? argv[1] : "virtio.ini";
	struct iommu_domain *vm1 = NULL, *vm2 = NULL, *cur;
	struct iommu_ctx_opts opts;
	struct faults fs = {0};
	struct iommu_ctx *ctx;
	uint64_t start, last, phys, unmapped;
	uint32_t dev, group;
	char err[256] = "";
	int owner_cookie; /* any unique address identifies the owner */
	int ret;

	memset(&opts, 0, sizeof(opts));
	opts.size = sizeof(opts);
	opts.ini_path = ini;
	opts.log_level = IOMMU_LOG_WARN;
	opts.errbuf = err;
	opts.errbuf_len = sizeof(err);
	ret = iommu_ctx_create(&opts, &ctx);
	if (ret) {
		fprintf(stderr, "iommu_ctx_create(%s): %s (%s)\n", ini,
			strerror(-ret), err);
		return 1;
	}
	printf("assign: backend %s\n", iommu_ctx_backend(ctx));
	iommu_set_ctx_fault_handler(ctx, ctx_fault, &fs);
	if (iommu_dev_lookup(ctx, "nic", &dev) ||
	    iommu_dev_group(ctx, dev, &group)) {
		printf("FAIL: no device 'nic' in %s\n", ini);
		iommu_ctx_destroy(ctx);
		return 1;
	}

	/* 1. Claim: the group moves to the blocking domain. */
	ret = iommu_group_claim_dma_owner(ctx, group, &owner_cookie);
	CHECK(ret == 0, "claim group %" PRIu32 ": %d", group, ret);
	CHECK(iommu_group_dma_owner_claimed(ctx, group), "not claimed");
	iommu_get_domain_for_dev(ctx, dev, &cur);
	CHECK(iommu_domain_type(cur) == IOMMU_DOMAIN_BLOCKED,
	      "claimed group on domain type %d", iommu_domain_type(cur));
	printf("step 1: group %" PRIu32 " claimed, DMA blocked\n", group);
	dma_faults(ctx, dev, GPA_TEST, &fs);

	/* 2. VM 1's RAM, GPA -> HPA, and the group attached to it. */
	vm1 = vm_domain(ctx, VM1_HPA, &fs);
	if (!vm1)
		goto out;
	iommu_domain_geometry(vm1, &start, &last);
	printf("step 2: UNMANAGED domain, aperture [0x%" PRIx64 ", 0x%" PRIx64
	       "], page sizes 0x%" PRIx64 "\n",
	       start, last, iommu_domain_pgsize_bitmap(vm1));
	ret = iommu_attach_group(vm1, group);
	CHECK(ret == 0, "attach VM 1's domain: %d", ret);
	dma_lands(ctx, dev, GPA_TEST, VM1_HPA + GPA_TEST, "to VM 1");
	CHECK(iommu_iova_to_phys(vm1, GPA_TEST, &phys) == 0 &&
		  phys == VM1_HPA + GPA_TEST,
	      "iova_to_phys(0x%" PRIx64 ")", GPA_TEST);
	/* Outside the guest's RAM there is nothing: a fault for VM 1. */
	dma_faults(ctx, dev, VM_RAM + GPA_TEST, &fs);

	/* 3. Replace: straight from VM 1's domain to VM 2's. */
	vm2 = vm_domain(ctx, VM2_HPA, &fs);
	if (!vm2)
		goto out;
	ret = iommu_group_replace_domain(ctx, group, vm2);
	CHECK(ret == 0, "replace with VM 2's domain: %d", ret);
	iommu_get_domain_for_dev(ctx, dev, &cur);
	CHECK(cur == vm2, "the device is not on VM 2's domain");
	printf("step 3: replaced: the same GPA now reaches VM 2's RAM\n");
	dma_lands(ctx, dev, GPA_TEST, VM2_HPA + GPA_TEST, "to VM 2");
	/* VM 2 gives back its first 2 MiB (a balloon): unmap it.  Strict
	 * invalidation: no DMA reaches it once iommu_unmap() returns. */
	ret = iommu_unmap(vm2, 0, 0x200000, &unmapped);
	CHECK(ret == 0 && unmapped == 0x200000, "unmap: %d, %" PRIu64, ret,
	      unmapped);
	dma_faults(ctx, dev, GPA_TEST, &fs);
	CHECK(fs.last.reason == IOMMU_FAULT_NOT_MAPPED,
	      "fault reason %d, want not mapped", (int)fs.last.reason);

	/* 4. Detach (blocked again: still owned), release, free. */
	ret = iommu_detach_group(vm2, group);
	CHECK(ret == 0, "detach: %d", ret);
	iommu_get_domain_for_dev(ctx, dev, &cur);
	CHECK(iommu_domain_type(cur) == IOMMU_DOMAIN_BLOCKED,
	      "detached owned group on type %d", iommu_domain_type(cur));
	ret = iommu_group_release_dma_owner(ctx, group, &owner_cookie);
	CHECK(ret == 0, "release: %d", ret);
	iommu_get_domain_for_dev(ctx, dev, &cur);
	CHECK(iommu_domain_type(cur) == iommu_ctx_default_domain_type(ctx),
	      "released group on type %d", iommu_domain_type(cur));
	printf("step 4: released: back on the host's default domain\n");
	/* The host's DMA domain has nothing mapped at the VM's GPAs (an
	 * identity default domain would pass them 1:1). */
	if (iommu_domain_type(cur) == IOMMU_DOMAIN_DMA)
		dma_faults(ctx, dev, VM_RAM + GPA_TEST, &fs);

out:
	if (vm1)
		CHECK(iommu_domain_free(vm1) == 0, "free VM 1's domain");
	if (vm2)
		CHECK(iommu_domain_free(vm2) == 0, "free VM 2's domain");
	iommu_ctx_destroy(ctx);
	printf("assign: %s\n", failures ? "FAIL" : "OK");
	return failures ? 1 : 0;
}
