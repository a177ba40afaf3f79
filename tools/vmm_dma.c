// SPDX-License-Identifier: MIT
/*
 * vmm_dma.c - iommu-vmm's DMA checks (a DMA that must fault, land at an
 * HPA or read what the CPU wrote there) and the device and domain helpers
 * the scenarios share.
 */
#include "vmm.h"

/*
 * One DMA that must fault: the call returns -EFAULT and exactly one
 * normalized fault naming the device (and PASID, address and access when
 * the record carries them) reaches a handler.
 */
void expect_dma_fault(struct vmm *v, uint32_t dev, uint32_t pasid,
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

void fill(unsigned char *buf, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)(seed * 131u + i * 7u + (i >> 8));
}

/* Device DMA writes a pattern at @iova; the CPU finds it at @hpa. */
void expect_dma_lands(struct vmm *v, uint32_t dev, uint32_t pasid,
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
void expect_dma_sees(struct vmm *v, uint32_t dev, uint32_t pasid, uint64_t iova,
		     uint64_t hpa, unsigned int seed, const char *what)
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
bool mem_holds(struct vmm *v, uint64_t hpa, unsigned int seed)
{
	unsigned char want[512], got[512];

	fill(want, sizeof(want), seed);
	if (iommu_mem_read(v->ctx, hpa, got, sizeof(got)))
		return false;
	return !memcmp(want, got, sizeof(got));
}

bool lookup(struct vmm *v, const char *name, uint32_t *id)
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

uint32_t group_of(struct vmm *v, uint32_t dev)
{
	uint32_t g = UINT32_MAX;
	int rc = iommu_dev_group(v->ctx, dev, &g);

	if (rc)
		step(v, false, "group of dev %" PRIu32 " (%s)", dev,
		     errname(rc));
	return g;
}

enum iommu_domain_type dev_domain_type(struct vmm *v, uint32_t dev,
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
struct iommu_domain *vm_domain(struct vmm *v, const char *vm, uint64_t hpa,
			       uint64_t size)
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

void domain_free(struct vmm *v, struct iommu_domain *d, const char *vm)
{
	if (d)
		expect_rc(v, iommu_domain_free(d), 0, "%s: free its domain",
			  vm);
}
