// SPDX-License-Identifier: MIT
/*
 * dt.c - the AMD-Vi driver tests' context (dt.h).
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "ag.h"
#include "dt.h"

static int fcap_fn(struct iommu_ctx *c, const struct iommu_fault *f,
		   void *cookie)
{
	struct fcap *fc = cookie;

	(void)c;
	if (fc->n < 8)
		fc->f[fc->n] = *f;
	fc->n++;
	return 0;
}

static void quiet_log(void *cookie, enum iommu_log_level level, const char *msg)
{
	(void)cookie, (void)level, (void)msg;
}

int dt_try(struct dt *t, const char *dflt, const char *amdvi, bool with_x)
{
	char ini[2048];
	struct iommu_ctx_opts co;

	memset(t, 0, sizeof(*t));
	snprintf(ini, sizeof(ini),
		 "[iommu]\nbackend = amdvi\n"
		 "default_domain = %s\ninvalidation = strict\n"
		 "[memory]\nram_size = 64M\n"
		 "table_base = 0x3000000\ntable_size = 0x1000000\n"
		 "[device.a]\nid = 00:02.0\n"
		 "[device.b]\nid = 00:03.0\n"
		 "%s"
		 "[amdvi]\n%s\n",
		 dflt,
		 with_x ? "[device.x]\nid = 00:05.0\nfeatures = aux\n"
			  "pasid_bits = 20\n"
			: "",
		 amdvi ? amdvi : "");
	memset(&co, 0, sizeof(co));
	co.size = sizeof(co);
	co.ini_string = ini;
	co.log = quiet_log;
	co.log_level = IOMMU_LOG_ERR;
	co.errbuf = t->err;
	co.errbuf_len = sizeof(t->err);
	return iommu_ctx_create(&co, &t->ctx);
}

void dt_open(struct dt *t, const char *dflt, const char *amdvi, bool with_x)
{
	int ret = dt_try(t, dflt, amdvi, with_x);

	cr_assert_eq(ret, 0, "iommu_ctx_create: %d (%s)", ret, t->err);
	cr_assert_eq(iommu_dev_lookup(t->ctx, "a", &t->a), 0);
	cr_assert_eq(iommu_dev_lookup(t->ctx, "b", &t->b), 0);
	cr_assert_eq(t->a, DEV_A);
	if (with_x) {
		cr_assert_eq(iommu_dev_lookup(t->ctx, "x", &t->x), 0);
		cr_assert_eq(t->x, DEV_X);
	}
	cr_assert_eq(iommu_set_ctx_fault_handler(t->ctx, fcap_fn, &t->faults),
		     0);
}

void dt_close(struct dt *t)
{
	iommu_ctx_destroy(t->ctx);
}

uint64_t dt_reg(struct dt *t, uint64_t off)
{
	uint64_t v = 0;

	cr_assert_eq(iommu_hw_mmio_read(t->ctx, off, 8, &v), 0);
	return v;
}

uint64_t dt_mem64(struct dt *t, uint64_t pa)
{
	uint8_t b[8];
	uint64_t v = 0;

	cr_assert_eq(iommu_mem_read(t->ctx, pa, b, 8), 0, "read 0x%llx", U(pa));
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

void dt_dte(struct dt *t, unsigned int devid, uint64_t q[4])
{
	uint64_t base = dt_reg(t, R_DTB) & ADDR;

	for (int i = 0; i < 4; i++)
		q[i] = dt_mem64(t, base + 32ull * devid + 8 * i);
}

unsigned int dt_cmds_since(struct dt *t, uint64_t from, uint64_t c[][2],
			   unsigned int max)
{
	uint64_t base = dt_reg(t, R_CMD_BASE) & ADDR;
	uint64_t size = 16ull << ((dt_reg(t, R_CMD_BASE) >> 56) & 0xf);
	uint64_t to = dt_reg(t, R_CMD_TAIL) & 0x7fff0;
	unsigned int n = 0;

	for (uint64_t o = from; o != to; o = (o + 16) % size) {
		cr_assert_lt(n, max, "more than %u commands", max);
		c[n][0] = dt_mem64(t, base + o);
		c[n][1] = dt_mem64(t, base + o + 8);
		n++;
	}
	return n;
}

struct iommu_domain *dt_unmanaged_on(struct dt *t, uint32_t dev)
{
	struct iommu_domain *d = NULL;
	uint32_t g;

	cr_assert_eq(iommu_domain_alloc(t->ctx, IOMMU_DOMAIN_UNMANAGED, &d), 0);
	cr_assert_eq(iommu_dev_group(t->ctx, dev, &g), 0);
	cr_assert_eq(iommu_group_claim_dma_owner(t->ctx, g, t), 0);
	cr_assert_eq(iommu_attach_device(d, dev), 0);
	return d;
}
