// SPDX-License-Identifier: MIT
/*
 * dc.c - contexts with the library's SMMUv3 driver for the driver tests
 * (dc.h).
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dc.h"

static int dc_fault(struct iommu_ctx *ctx, const struct iommu_fault *f,
		    void *cookie)
{
	struct dc *d = cookie;

	(void)ctx;
	if (d->nf < 16)
		d->f[d->nf] = *f;
	d->nf++;
	return 0;
}

static void dc_log(void *cookie, enum iommu_log_level lvl, const char *msg)
{
	(void)cookie;
	if (lvl <= IOMMU_LOG_WARN)
		fprintf(stderr, "log: %s\n", msg);
}

int dc_try(struct dc *d, const char *iommu, const char *smmu)
{
	char ini[2048];
	struct iommu_ctx_opts co;
	int ret;

	memset(d, 0, sizeof(*d));
	snprintf(ini, sizeof(ini),
		 "[iommu]\nbackend = smmuv3\n%s\n"
		 "[memory]\nram_size = 64M\ntable_base = 0x3000000\n"
		 "table_size = 0x1000000\n"
		 "[device.a]\nid = 0x10\n[device.b]\nid = 0x11\n"
		 "[device.c]\nid = 0x20\n"
		 "[device.p]\nid = 0x30\nfeatures = aux\npasid_bits = 20\n"
		 "[smmuv3]\n%s\n%s\n",
		 iommu ? iommu : "default_domain = dma\ninvalidation = strict",
		 smmu && strstr(smmu, "hyp") ? "" : "hyp = no",
		 smmu ? smmu : "");
	memset(&co, 0, sizeof(co));
	co.ini_string = ini;
	co.log = dc_log;
	co.log_level = IOMMU_LOG_ERR;
	co.errbuf = d->err;
	co.errbuf_len = sizeof(d->err);
	ret = iommu_ctx_create(&co, &d->ctx);
	if (!ret)
		cr_assert_eq(iommu_set_ctx_fault_handler(d->ctx, dc_fault, d),
			     0);
	return ret;
}

void dc_open(struct dc *d, const char *iommu, const char *smmu)
{
	int ret = dc_try(d, iommu, smmu);

	cr_assert_eq(ret, 0, "iommu_ctx_create: %d (%s)", ret, d->err);
}

uint64_t rd64(struct dc *d, uint64_t off)
{
	uint64_t v = 0;

	cr_assert_eq(iommu_hw_mmio_read(d->ctx, off, 8, &v), 0);
	return v;
}

uint32_t rd32(struct dc *d, uint64_t off)
{
	uint64_t v = 0;

	cr_assert_eq(iommu_hw_mmio_read(d->ctx, off, 4, &v), 0);
	return (uint32_t)v;
}

uint64_t m64(struct dc *d, uint64_t pa)
{
	uint64_t v = 0;

	cr_assert_eq(iommu_mem_read(d->ctx, pa, &v, 8), 0, "read 0x%llx",
		     U64(pa));
	return v;
}

/* ---- the command queue --------------------------------------------------- */

/* CMDQ_PROD now (index and wrap). */
uint32_t cq_prod(struct dc *d)
{
	return rd32(d, S_CMDQ_PROD) & 0xfffff;
}

/* The commands written from PROD @from up to the current PROD. */
unsigned int cq_since(struct dc *d, uint32_t from, uint64_t (*out)[2],
		      unsigned int max)
{
	uint64_t base = rd64(d, S_CMDQ_BASE);
	unsigned int lg2 = base & 0x1f, n = 0;
	uint32_t mask = (2u << lg2) - 1, to = cq_prod(d) & mask;
	uint64_t pa = base & 0x000FFFFFFFFFFFE0ull;

	for (uint32_t p = from & mask; p != to && n < max;
	     p = (p + 1) & mask, n++) {
		uint64_t e = pa + 16ull * (p & ((1u << lg2) - 1));

		out[n][0] = m64(d, e);
		out[n][1] = m64(d, e + 8);
	}
	return n;
}

/* The STE of @sid: linear or 2-level, from STRTAB_BASE(_CFG). */
void ste_of(struct dc *d, uint32_t sid, uint64_t ste[8])
{
	uint64_t base = rd64(d, S_STRTAB) & 0x000FFFFFFFFFFFC0ull;
	uint32_t cfg = rd32(d, S_STRTAB_CFG);
	uint64_t at = base + 64ull * sid;

	if (((cfg >> 16) & 3) == 1) {
		unsigned int split = (cfg >> 6) & 0x1f;
		uint64_t l1 = m64(d, base + 8ull * (sid >> split));

		cr_assert_neq(l1 & 0x1f, 0, "L1STD of 0x%x has Span 0", sid);
		at = (l1 & 0x000FFFFFFFFFFFC0ull) +
		     64ull * (sid & ((1u << split) - 1));
	}
	for (int i = 0; i < 8; i++)
		ste[i] = m64(d, at + 8 * i);
}

/* ---- attach -------------------------------------------------------------- */

struct iommu_domain *mapped(struct dc *d, uint64_t pa, uint64_t size)
{
	struct iommu_domain *dom = NULL;

	cr_assert_eq(iommu_domain_alloc(d->ctx, IOMMU_DOMAIN_UNMANAGED, &dom),
		     0);
	cr_assert_eq(iommu_map(dom, TIO, pa, size, IOMMU_READ | IOMMU_WRITE),
		     0);
	return dom;
}
