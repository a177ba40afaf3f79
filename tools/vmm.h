/* SPDX-License-Identifier: MIT */
/*
 * vmm.h - what the files of iommu-vmm, the main job, share: the host
 * physical layout of the scenarios, the run's state (struct vmm), the
 * report and fault helpers (vmm_report.c), the DMA checks and device and
 * domain helpers (vmm_dma.c) and the scenarios (vmm_seed.c: (a);
 * vmm_scenarios.c: (b) to (e)).  vmm.c holds main().
 */
#ifndef IOMMU_VMM_H
#define IOMMU_VMM_H

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

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

/* ---- vmm_report.c: report lines, names, fault handlers --------------- */

/* One report line "  [tag] ...: OK" or ": FAIL", counted in @v. */
void __attribute__((format(printf, 3, 4)))
step(struct vmm *v, bool good, const char *fmt, ...);
/* "-EINVAL" for -EINVAL, "0" for 0. */
const char *errname(int rc);
/* One step whose result is an errno; true when @rc == @want. */
bool __attribute__((format(printf, 4, 5)))
expect_rc(struct vmm *v, int rc, int want, const char *fmt, ...);
const char *type_name(enum iommu_domain_type t);

/* Fault handlers; @cookie is the struct vmm. */
int on_domain_fault(struct iommu_domain *domain,
		    const struct iommu_fault *fault, void *cookie);
int on_ctx_fault(struct iommu_ctx *ctx, const struct iommu_fault *fault,
		 void *cookie);
void on_faults_lost(struct iommu_ctx *ctx, uint64_t lost, void *cookie);
/* Forget the faults seen so far (v->faults, v->last_fault). */
void fault_reset(struct vmm *v);

/* ---- vmm_dma.c: DMA checks, device and domain helpers ---------------- */

void expect_dma_fault(struct vmm *v, uint32_t dev, uint32_t pasid,
		      uint64_t iova, bool write, const char *what);
void fill(unsigned char *buf, size_t len, unsigned int seed);
void expect_dma_lands(struct vmm *v, uint32_t dev, uint32_t pasid,
		      uint64_t iova, uint64_t hpa, unsigned int seed,
		      const char *what);
void expect_dma_sees(struct vmm *v, uint32_t dev, uint32_t pasid, uint64_t iova,
		     uint64_t hpa, unsigned int seed, const char *what);
bool mem_holds(struct vmm *v, uint64_t hpa, unsigned int seed);
/* The ID of [device.@name]; false (and a SKIP line) when there is none. */
bool lookup(struct vmm *v, const char *name, uint32_t *id);
uint32_t group_of(struct vmm *v, uint32_t dev);
enum iommu_domain_type dev_domain_type(struct vmm *v, uint32_t dev,
				       struct iommu_domain **out);
struct iommu_domain *vm_domain(struct vmm *v, const char *vm, uint64_t hpa,
			       uint64_t size);
void domain_free(struct vmm *v, struct iommu_domain *d, const char *vm);

/* ---- the scenarios ---------------------------------------------------- */

void scenario_seed(struct vmm *v);     /* (a), vmm_seed.c */
void scenario_assign(struct vmm *v);   /* (b), vmm_scenarios.c */
void scenario_blocked(struct vmm *v);  /* (c) */
void scenario_identity(struct vmm *v); /* (d) */
void scenario_group(struct vmm *v);    /* (e) */

#endif
