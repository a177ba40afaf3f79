// SPDX-License-Identifier: MIT
/*
 * vmm.c - iommu-vmm, the main job: a program that plays an embedding VMM.
 *
 * It creates a context from an INI file (default conf/default.ini), lists
 * the platform's devices (with their INI names) and groups through the
 * library's listing calls, then runs the scenarios a VMM meets
 * and prints one line per step, "OK" or "FAIL: why":
 *
 *  (a) seed 001: a parent device with work queues.  WQ1 serves the host
 *      driver through the parent's primary (DMA) domain; WQ2 and WQ3 serve
 *      VM1 and VM2 through auxiliary domains (PASIDs).  VM1's domain is
 *      also the primary domain of a physical device assigned to VM1, so the
 *      two share one GPA space.  On a backend without AUX the program says
 *      so, checks that aux attach fails cleanly and runs the rest.
 *  (b) a device assigned to a VM: DMA-owner claim, blocked until an
 *      UNMANAGED domain maps GPA to HPA, unmap makes DMA fault, release
 *      returns to the default domain.
 *  (c) a blocked device: its DMA faults and the fault is printed.
 *  (d) identity passthrough: DMA passes 1:1.
 *  (e) two devices that share a group move together.
 *
 * Exit status: 0 when every step gave the expected result, 1 when one did
 * not, 2 when the context could not be created.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iommu/iommu.h"

#define PAGE  UINT64_C(4096)
#define SZ_2M (UINT64_C(2) << 20)
#define RW    (IOMMU_READ | IOMMU_WRITE)

/*
 * Host physical layout the scenarios use inside the platform's RAM (the
 * INI gives 256M; the IOMMU's tables live at its top).  Each VM's memory
 * is a separate HPA window, so a DMA that lands in the wrong VM shows.
 */
#define HOST_BUF_HPA UINT64_C(0x00100000) /* parent's host-driver buffer */
#define VM1_HPA	     UINT64_C(0x01000000)
#define VM2_HPA	     UINT64_C(0x02000000)
#define VM3_HPA	     UINT64_C(0x03000000) /* the VM of scenario (b) */
#define GROUP_HPA    UINT64_C(0x04000000) /* the VM of scenario (e) */
#define PT_HPA	     UINT64_C(0x05000000) /* passthrough target, (d) */
#define VM_SIZE	     (UINT64_C(4) << 20)  /* GPA 0 .. 4M of each VM */
#define VM2_ONLY_GPA UINT64_C(0x00800000) /* a GPA mapped in VM2 only */

#define MAX_DEVS 64

struct vmm {
	struct iommu_ctx *ctx;
	const char *tag; /* scenario letter for report lines */
	unsigned int ok;
	unsigned int failed;
	unsigned int skipped;
	/* faults seen by our handlers since the last fault_reset() */
	unsigned int faults;
	struct iommu_fault last_fault;
	uint64_t faults_total;
	/* faults the hardware dropped, as the lost-fault handler told */
	uint64_t faults_lost;
};

/* ---- Report lines ---------------------------------------------------- */

static void __attribute__((format(printf, 3, 4)))
step(struct vmm *v, bool good, const char *fmt, ...)
{
	va_list ap;

	printf("  [%s] ", v->tag);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (good) {
		printf(": OK\n");
		v->ok++;
	} else {
		printf(": FAIL\n");
		v->failed++;
	}
	fflush(stdout);
}

static const char *errname(int rc)
{
	switch (-rc) {
	case 0:
		return "0";
	case EINVAL:
		return "-EINVAL";
	case EBUSY:
		return "-EBUSY";
	case ENODEV:
		return "-ENODEV";
	case ENOENT:
		return "-ENOENT";
	case EEXIST:
		return "-EEXIST";
	case ERANGE:
		return "-ERANGE";
	case EFAULT:
		return "-EFAULT";
	case EPERM:
		return "-EPERM";
	case ENOSPC:
		return "-ENOSPC";
	case ENOMEM:
		return "-ENOMEM";
	case EOPNOTSUPP:
		return "-EOPNOTSUPP";
	case ETIMEDOUT:
		return "-ETIMEDOUT";
	default:
		return rc < 0 ? "-E?" : "positive";
	}
}

/* One step whose result is an errno; prints what came back on mismatch. */
static bool __attribute__((format(printf, 4, 5)))
expect_rc(struct vmm *v, int rc, int want, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (rc == want)
		step(v, true, "%s -> %s", what, errname(rc));
	else
		step(v, false, "%s -> %s (%d), expected %s", what, errname(rc),
		     rc, errname(want));
	return rc == want;
}

static const char *type_name(enum iommu_domain_type t)
{
	switch (t) {
	case IOMMU_DOMAIN_BLOCKED:
		return "blocked";
	case IOMMU_DOMAIN_IDENTITY:
		return "identity";
	case IOMMU_DOMAIN_UNMANAGED:
		return "unmanaged";
	case IOMMU_DOMAIN_DMA:
		return "dma";
	default:
		return "?";
	}
}

static const char *reason_name(enum iommu_fault_reason r)
{
	static const char *const names[] = {
	    [IOMMU_FAULT_UNKNOWN] = "unknown",
	    [IOMMU_FAULT_NO_DOMAIN] = "no-domain",
	    [IOMMU_FAULT_NOT_MAPPED] = "not-mapped",
	    [IOMMU_FAULT_PERMISSION] = "permission",
	    [IOMMU_FAULT_TABLE_FETCH] = "table-fetch",
	    [IOMMU_FAULT_BAD_ENTRY] = "bad-entry",
	    [IOMMU_FAULT_ADDR_SIZE] = "addr-size",
	    [IOMMU_FAULT_BAD_PASID] = "bad-pasid",
	    [IOMMU_FAULT_BAD_DEVICE] = "bad-device",
	};

	if ((unsigned int)r < sizeof(names) / sizeof(names[0]) && names[r])
		return names[r];
	return "?";
}

/* ---- Faults ---------------------------------------------------------- */

static void fault_print(const char *via, const struct iommu_fault *f)
{
	char pasid[16] = "none";
	char addr[24] = "?";

	if (f->flags & IOMMU_FAULT_F_PASID_VALID)
		snprintf(pasid, sizeof(pasid), "%" PRIu32, f->pasid);
	if (f->flags & IOMMU_FAULT_F_ADDR_VALID)
		snprintf(addr, sizeof(addr), "0x%" PRIx64, f->addr);
	printf("      fault (%s handler): dev %" PRIu32 " pasid %s addr %s "
	       "access %s%s reason %s vendor_code 0x%" PRIx32 "\n",
	       via, f->dev_id, pasid, addr,
	       (f->access & IOMMU_ACCESS_READ) ? "r" : "",
	       (f->access & IOMMU_ACCESS_WRITE) ? "w" : (f->access ? "" : "-"),
	       reason_name(f->reason), f->vendor_code);
}

static void fault_record(struct vmm *v, const char *via,
			 const struct iommu_fault *f)
{
	v->faults++;
	v->faults_total++;
	v->last_fault = *f;
	fault_print(via, f);
}

static int on_domain_fault(struct iommu_domain *domain,
			   const struct iommu_fault *fault, void *cookie)
{
	(void)domain;
	fault_record(cookie, "domain", fault);
	return 0;
}

static int on_ctx_fault(struct iommu_ctx *ctx, const struct iommu_fault *fault,
			void *cookie)
{
	(void)ctx;
	fault_record(cookie, "context", fault);
	return 0;
}

static void on_faults_lost(struct iommu_ctx *ctx, uint64_t lost, void *cookie)
{
	struct vmm *v = cookie;

	(void)ctx;
	v->faults_lost += lost;
	printf("      %" PRIu64 " fault(s) lost: the fault queue was full\n",
	       lost);
}

static void fault_reset(struct vmm *v)
{
	v->faults = 0;
	memset(&v->last_fault, 0, sizeof(v->last_fault));
}

/*
 * One DMA that must fault: the call returns -EFAULT and exactly one
 * normalized fault naming the device (and PASID, address and access when
 * the record carries them) reaches a handler.
 */
static void expect_dma_fault(struct vmm *v, uint32_t dev, uint32_t pasid,
			     uint64_t iova, bool write, const char *what)
{
	unsigned char buf[64];
	const struct iommu_fault *f = &v->last_fault;
	unsigned int access = write ? IOMMU_ACCESS_WRITE : IOMMU_ACCESS_READ;
	bool good;
	int rc;

	memset(buf, 0x5a, sizeof(buf));
	fault_reset(v);
	if (write)
		rc =
		    iommu_dma_write(v->ctx, dev, pasid, iova, buf, sizeof(buf));
	else
		rc = iommu_dma_read(v->ctx, dev, pasid, iova, buf, sizeof(buf));
	good = rc == -EFAULT && v->faults == 1 && f->dev_id == dev;
	if (good && (f->flags & IOMMU_FAULT_F_ADDR_VALID))
		good = f->addr >= iova && f->addr < iova + sizeof(buf);
	if (good && f->access)
		good = f->access == access;
	if (good && pasid != IOMMU_NO_PASID &&
	    (f->flags & IOMMU_FAULT_F_PASID_VALID))
		good = f->pasid == pasid;
	step(v, good,
	     "%s: DMA %s dev %" PRIu32 " iova 0x%" PRIx64
	     " faults once (rc %s, %u fault(s))",
	     what, write ? "write" : "read", dev, iova, errname(rc), v->faults);
}

/* ---- Helpers --------------------------------------------------------- */

static void fill(unsigned char *buf, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)(seed * 131u + i * 7u + (i >> 8));
}

/* Device DMA writes a pattern at @iova; the CPU finds it at @hpa. */
static void expect_dma_lands(struct vmm *v, uint32_t dev, uint32_t pasid,
			     uint64_t iova, uint64_t hpa, unsigned int seed,
			     const char *what)
{
	unsigned char out[512], in[512];
	int rc, rc2;

	fill(out, sizeof(out), seed);
	memset(in, 0, sizeof(in));
	fault_reset(v);
	rc = iommu_dma_write(v->ctx, dev, pasid, iova, out, sizeof(out));
	rc2 = iommu_mem_read(v->ctx, hpa, in, sizeof(in));
	step(v,
	     rc == 0 && rc2 == 0 && v->faults == 0 &&
		 !memcmp(in, out, sizeof(in)),
	     "%s: DMA write dev %" PRIu32 " iova 0x%" PRIx64
	     " lands at HPA 0x%" PRIx64 " (rc %s)",
	     what, dev, iova, hpa, errname(rc));
}

/* The CPU writes a pattern at @hpa; device DMA reads it at @iova. */
static void expect_dma_sees(struct vmm *v, uint32_t dev, uint32_t pasid,
			    uint64_t iova, uint64_t hpa, unsigned int seed,
			    const char *what)
{
	unsigned char out[512], in[512];
	int rc, rc2;

	fill(out, sizeof(out), seed);
	memset(in, 0, sizeof(in));
	fault_reset(v);
	rc2 = iommu_mem_write(v->ctx, hpa, out, sizeof(out));
	rc = iommu_dma_read(v->ctx, dev, pasid, iova, in, sizeof(in));
	step(v,
	     rc == 0 && rc2 == 0 && v->faults == 0 &&
		 !memcmp(in, out, sizeof(in)),
	     "%s: DMA read dev %" PRIu32 " iova 0x%" PRIx64
	     " sees HPA 0x%" PRIx64 " (rc %s)",
	     what, dev, iova, hpa, errname(rc));
}

/* Does HPA hold the pattern @seed (written earlier by a DMA)? */
static bool mem_holds(struct vmm *v, uint64_t hpa, unsigned int seed)
{
	unsigned char want[512], got[512];

	fill(want, sizeof(want), seed);
	if (iommu_mem_read(v->ctx, hpa, got, sizeof(got)))
		return false;
	return !memcmp(want, got, sizeof(got));
}

static bool lookup(struct vmm *v, const char *name, uint32_t *id)
{
	int rc = iommu_dev_lookup(v->ctx, name, id);

	if (rc) {
		printf("  [%s] SKIP: no [device.%s] in this INI (%s)\n", v->tag,
		       name, errname(rc));
		v->skipped++;
		return false;
	}
	return true;
}

static uint32_t group_of(struct vmm *v, uint32_t dev)
{
	uint32_t g = UINT32_MAX;
	int rc = iommu_dev_group(v->ctx, dev, &g);

	if (rc)
		step(v, false, "group of dev %" PRIu32 " (%s)", dev,
		     errname(rc));
	return g;
}

static enum iommu_domain_type dev_domain_type(struct vmm *v, uint32_t dev,
					      struct iommu_domain **out)
{
	struct iommu_domain *d = NULL;

	if (iommu_get_domain_for_dev(v->ctx, dev, &d))
		return 0;
	if (out)
		*out = d;
	return iommu_domain_type(d);
}

/* A new UNMANAGED domain mapping GPA [0, @size) to HPA [@hpa, ...). */
static struct iommu_domain *vm_domain(struct vmm *v, const char *vm,
				      uint64_t hpa, uint64_t size)
{
	struct iommu_domain *d = NULL;
	int rc;

	rc = iommu_domain_alloc(v->ctx, IOMMU_DOMAIN_UNMANAGED, &d);
	if (!expect_rc(v, rc, 0, "%s: allocate an UNMANAGED domain", vm))
		return NULL;
	rc = iommu_set_fault_handler(d, on_domain_fault, v);
	expect_rc(v, rc, 0, "%s: install the domain's fault handler", vm);
	rc = iommu_map(d, 0, hpa, size, RW);
	expect_rc(v, rc, 0, "%s: map GPA [0, 0x%" PRIx64 ") -> HPA 0x%" PRIx64,
		  vm, size, hpa);
	return d;
}

static void domain_free(struct vmm *v, struct iommu_domain *d, const char *vm)
{
	if (d)
		expect_rc(v, iommu_domain_free(d), 0, "%s: free its domain",
			  vm);
}

/* ---- The platform ---------------------------------------------------- */

/* One device's line: its INI name, ID, group, domain and features. */
static void list_device(struct vmm *v, uint32_t id)
{
	char name[IOMMU_DEV_NAME_MAX];
	struct iommu_domain *d;
	bool aux, sva, iopf;
	uint32_t g;

	if (iommu_dev_name(v->ctx, id, name, sizeof(name)) ||
	    iommu_dev_group(v->ctx, id, &g)) {
		printf("  %-12s (not found)\n", "?");
		return;
	}
	aux = iommu_dev_has_feature(v->ctx, id, IOMMU_DEV_FEAT_AUX);
	sva = iommu_dev_has_feature(v->ctx, id, IOMMU_DEV_FEAT_SVA);
	iopf = iommu_dev_has_feature(v->ctx, id, IOMMU_DEV_FEAT_IOPF);
	printf("  %-12s id %-6" PRIu32 " group %-3" PRIu32
	       " domain %-9s usable features%s%s%s%s\n",
	       name, id, g, type_name(dev_domain_type(v, id, &d)),
	       aux ? " aux" : "", sva ? " sva" : "", iopf ? " iopf" : "",
	       aux || sva || iopf ? "" : " none");
}

/* The devices with their INI names and the groups, as the library lists
 * them (the program never reads the INI itself). */
static void list_platform(struct vmm *v)
{
	uint32_t ids[MAX_DEVS], groups[MAX_DEVS];
	size_t nr_devs = 0, nr_groups = 0;
	int rc;

	printf("platform: backend %s, %s invalidation, default domain %s\n",
	       iommu_ctx_backend(v->ctx),
	       iommu_ctx_strict(v->ctx) ? "strict" : "deferred",
	       type_name(iommu_ctx_default_domain_type(v->ctx)));

	printf("devices:\n");
	rc = iommu_dev_list(v->ctx, ids, MAX_DEVS, &nr_devs);
	if (rc)
		printf("  (cannot list the devices: %s)\n", errname(rc));
	else if (nr_devs > MAX_DEVS)
		printf("  (%zu devices; the first %d follow)\n", nr_devs,
		       MAX_DEVS);
	for (size_t i = 0; !rc && i < nr_devs && i < MAX_DEVS; i++)
		list_device(v, ids[i]);

	printf("groups:\n");
	rc = iommu_group_list(v->ctx, groups, MAX_DEVS, &nr_groups);
	if (rc)
		printf("  (cannot list the groups: %s)\n", errname(rc));
	for (size_t k = 0; !rc && k < nr_groups && k < MAX_DEVS; k++) {
		uint32_t dev[MAX_DEVS];
		size_t n = 0;

		if (iommu_group_devices(v->ctx, groups[k], dev, MAX_DEVS, &n))
			continue;
		printf("  group %-3" PRIu32 ":", groups[k]);
		for (size_t j = 0; j < n && j < MAX_DEVS; j++)
			printf(" %" PRIu32, dev[j]);
		printf("\n");
	}
}

/* ---- (a) seed 001: parent device, work queues, aux domains ----------- */

static void scenario_seed(struct vmm *v)
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

/* ---- (b) a device assigned to a VM ----------------------------------- */

static void scenario_assign(struct vmm *v)
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

static void scenario_blocked(struct vmm *v)
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

static void scenario_identity(struct vmm *v)
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

static void scenario_group(struct vmm *v)
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

/* ---- main ------------------------------------------------------------ */

static void print_stats(struct vmm *v)
{
	struct iommu_stats st;
	int rc;

	v->tag = "stats";
	printf("\nstats:\n");
	rc = iommu_get_stats(v->ctx, &st);
	if (!expect_rc(v, rc, 0, "iommu_get_stats"))
		return;
	for (int i = 0; i < IOMMU_STAT_COUNT; i++) {
		const char *name = iommu_stat_name((enum iommu_stat)i);

		printf("  %-20s %" PRIu64 "\n", name ? name : "?", st.v[i]);
	}
	step(v, st.v[IOMMU_STAT_FAULTS_REPORTED] == v->faults_total,
	     "faults reported by the core (%" PRIu64 ") == faults our "
	     "handlers got (%" PRIu64 ")",
	     st.v[IOMMU_STAT_FAULTS_REPORTED], v->faults_total);
	step(v, st.v[IOMMU_STAT_FAULTS_LOST] == 0 && v->faults_lost == 0,
	     "no fault was lost");
}

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [-v] [INI]\n"
		"  Plays an embedding VMM on the platform the INI describes "
		"(default conf/default.ini).\n"
		"  -v  log the library's debug messages\n",
		argv0);
}

int main(int argc, char **argv)
{
	static struct vmm v;
	struct iommu_ctx_opts opts;
	char errbuf[512] = "";
	const char *ini = NULL;
	int rc;

	memset(&opts, 0, sizeof(opts));
	opts.log_level = IOMMU_LOG_WARN;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v")) {
			opts.log_level = IOMMU_LOG_DEBUG;
		} else if (!strcmp(argv[i], "-h") ||
			   !strcmp(argv[i], "--help")) {
			usage(argv[0]);
			return 0;
		} else if (argv[i][0] == '-' || ini) {
			usage(argv[0]);
			return 2;
		} else {
			ini = argv[i];
		}
	}
	if (!ini) {
		ini = "conf/default.ini";
#ifdef IOMMU_SRC_ROOT
		if (access(ini, R_OK))
			ini = IOMMU_SRC_ROOT "/conf/default.ini";
#endif
	}

	opts.ini_path = ini;
	opts.errbuf = errbuf;
	opts.errbuf_len = sizeof(errbuf);
	printf("iommu-vmm: platform %s\n", ini);
	rc = iommu_ctx_create(&opts, &v.ctx);
	if (rc) {
		fprintf(stderr,
			"iommu-vmm: cannot create the context: %s "
			"(%s)\n",
			errbuf[0] ? errbuf : "no message", errname(rc));
		return 2;
	}
	rc = iommu_set_ctx_fault_handler(v.ctx, on_ctx_fault, &v);
	if (rc)
		fprintf(stderr, "iommu-vmm: context fault handler: %s\n",
			errname(rc));
	rc = iommu_set_fault_lost_handler(v.ctx, on_faults_lost, &v);
	if (rc)
		fprintf(stderr, "iommu-vmm: lost-fault handler: %s\n",
			errname(rc));

	list_platform(&v);
	scenario_seed(&v);
	scenario_assign(&v);
	scenario_blocked(&v);
	scenario_identity(&v);
	scenario_group(&v);
	print_stats(&v);
	iommu_ctx_destroy(v.ctx);

	printf("\niommu-vmm: %u steps OK, %u FAILED, %u scenario(s) "
	       "skipped\n",
	       v.ok, v.failed, v.skipped);
	return v.failed ? 1 : 0;
}
