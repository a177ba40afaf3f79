// SPDX-License-Identifier: MIT
/*
 * vmm_report.c - iommu-vmm's report lines ("OK" / "FAIL" per step), the
 * names it prints for errnos, domain types and fault reasons, and the
 * fault handlers that print each normalized fault and count it.
 */
#include <stdarg.h>

#include "vmm.h"

/* ---- Report lines ---------------------------------------------------- */

void __attribute__((format(printf, 3, 4)))
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

const char *errname(int rc)
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
bool __attribute__((format(printf, 4, 5)))
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

const char *type_name(enum iommu_domain_type t)
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

int on_domain_fault(struct iommu_domain *domain,
		    const struct iommu_fault *fault, void *cookie)
{
	(void)domain;
	fault_record(cookie, "domain", fault);
	return 0;
}

int on_ctx_fault(struct iommu_ctx *ctx, const struct iommu_fault *fault,
		 void *cookie)
{
	(void)ctx;
	fault_record(cookie, "context", fault);
	return 0;
}

void on_faults_lost(struct iommu_ctx *ctx, uint64_t lost, void *cookie)
{
	struct vmm *v = cookie;

	(void)ctx;
	v->faults_lost += lost;
	printf("      %" PRIu64 " fault(s) lost: the fault queue was full\n",
	       lost);
}

void fault_reset(struct vmm *v)
{
	v->faults = 0;
	memset(&v->last_fault, 0, sizeof(v->last_fault));
}
