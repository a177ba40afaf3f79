// SPDX-License-Identifier: MIT
/*
 * vctx.c - the context several core suites share (vctx.h).
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "vctx.h"

void vctx_create(const char *backend, const char *plugin_dir,
		 unsigned int flags, struct iommu_ctx **ctx, uint32_t *dev)
{
	char ini[768], err[512] = "";
	struct iommu_ctx_opts opts = {
	    .size = sizeof(opts),
	    .ini_string = ini,
	    .errbuf = err,
	    .errbuf_len = sizeof(err),
	    .log_level = IOMMU_LOG_ERR,
	    .flags = flags,
	};
	int rc;

	snprintf(ini, sizeof(ini),
		 "[iommu]\n"
		 "backend = %s\n"
		 "%s%s%s"
		 "default_domain = dma\n"
		 "invalidation = strict\n"
		 "[memory]\n"
		 "ram_size = 64M\n"
		 "table_base = 0x2000000\n"
		 "table_size = 8M\n"
		 "[device.nic]\n"
		 "id = 0x08\n",
		 backend, plugin_dir ? "plugin_dir = " : "",
		 plugin_dir ? plugin_dir : "", plugin_dir ? "\n" : "");
	rc = iommu_ctx_create(&opts, ctx);
	cr_assert_eq(rc, 0, "%s: iommu_ctx_create: %d (%s)", backend, rc, err);
	cr_assert_eq(iommu_dev_lookup(*ctx, "nic", dev), 0, "%s", backend);
}

uint64_t vctx_count(struct iommu_ctx *ctx, enum iommu_stat s)
{
	struct iommu_stats st = {.size = sizeof(st)};

	cr_assert_eq(iommu_get_stats(ctx, &st), 0);
	return st.v[s];
}

int vctx_xlate(struct iommu_ctx *ctx, uint32_t dev, uint64_t iova,
	       uint64_t len, unsigned int access, struct iommu_translation *t)
{
	memset(t, 0xa5, sizeof(*t));
	return iommu_dma_translate(ctx, dev, IOMMU_NO_PASID, iova, len, access,
				   t);
}
