// SPDX-License-Identifier: MIT
/* fmt_lpae_s2.c - placeholder until the format lands: every config refused. */
#include "pt_defs.h"

static int stub_geom(const struct pt_cfg *cfg, struct pt_geom *g)
{
	(void)cfg, (void)g;
	return -EINVAL;
}

static int stub_walk(struct iommu_host *host, const struct pt_walk_desc *d,
		     uint64_t ia, unsigned int access, struct pt_walk_res *r)
{
	(void)host, (void)d, (void)ia, (void)access;
	memset(r, 0, sizeof(*r));
	r->err = PT_WALK_BAD_DESC;
	return -PT_WALK_BAD_DESC;
}

const struct pt_fmt_ops pt_fmt_lpae_s2 = {
	.fmt = PT_FMT_LPAE_S2,
	.name = "lpae_s2",
	.geom = stub_geom,
	.walk = stub_walk,
};
