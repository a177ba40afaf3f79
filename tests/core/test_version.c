// SPDX-License-Identifier: MIT
/*
 * test_version.c - what lets a caller and the library grow apart under
 * one soname: the version the library reports, the soname the build
 * gives it, and the sized structs a caller allocates (the context
 * options, the stats) read and written only as far as both sides know.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "iommu/iommu.h"

static const char ini[] = "[iommu]\n"
			  "backend = virtio\n"
			  "default_domain = dma\n"
			  "invalidation = strict\n"
			  "[memory]\n"
			  "ram_size = 16M\n"
			  "table_base = 0x800000\n"
			  "table_size = 4M\n"
			  "[device.nic]\n"
			  "id = 0x08\n";

TestSuite(version);

Test(version, library_reports_the_header_version)
{
	unsigned int ma = 99, mi = 99, pa = 99;
	char want[64];

	snprintf(want, sizeof(want), "%u.%u.%u", IOMMU_VERSION_MAJOR,
		 IOMMU_VERSION_MINOR, IOMMU_VERSION_PATCH);
	cr_assert_str_eq(iommu_version(&ma, &mi, &pa), want);
	cr_assert_eq(ma, IOMMU_VERSION_MAJOR);
	cr_assert_eq(mi, IOMMU_VERSION_MINOR);
	cr_assert_eq(pa, IOMMU_VERSION_PATCH);
	cr_assert_str_eq(iommu_version(NULL, NULL, NULL), want);
	/* The build's SHLIBVERSION (SConstruct) is the same number. */
	cr_assert_str_eq(IOMMU_BUILD_VERSION, want);
}

Test(version, soname_carries_the_major)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/libiommu.so.%u", IOMMU_CORE_DIR,
		 IOMMU_VERSION_MAJOR);
	cr_assert_eq(access(path, F_OK), 0, "%s missing", path);
	snprintf(path, sizeof(path), "%s/libiommu.so.%s", IOMMU_CORE_DIR,
		 IOMMU_BUILD_VERSION);
	cr_assert_eq(access(path, F_OK), 0, "%s missing", path);
}

static int create(struct iommu_ctx_opts *o, struct iommu_ctx **ctx)
{
	o->ini_string = ini;
	return iommu_ctx_create(o, ctx);
}

Test(version, ctx_opts_size_zero_is_the_2_0_layout)
{
	struct iommu_ctx_opts o = { 0 };
	struct iommu_ctx *ctx;

	cr_assert_eq(create(&o, &ctx), 0);
	iommu_ctx_destroy(ctx);
	o.size = sizeof(o);
	cr_assert_eq(create(&o, &ctx), 0);
	iommu_ctx_destroy(ctx);
	o.size = IOMMU_CTX_OPTS_SIZE_2_0;
	cr_assert_eq(create(&o, &ctx), 0);
	iommu_ctx_destroy(ctx);
}

Test(version, ctx_opts_too_small_is_refused_with_a_message)
{
	char err[256] = "";
	struct iommu_ctx_opts o = { .size = 8, .errbuf = err,
				    .errbuf_len = sizeof(err) };
	struct iommu_ctx *ctx = (void *)1;

	cr_assert_eq(create(&o, &ctx), -EINVAL);
	cr_assert_null(ctx);
	cr_assert_neq(strstr(err, "opts.size"), NULL, "%s", err);
}

/* A caller built against a newer header: its struct is larger. */
struct newer_opts {
	struct iommu_ctx_opts o;
	uint64_t future[4];
};

Test(version, ctx_opts_from_a_newer_caller)
{
	char err[256] = "";
	struct newer_opts n = { .o = { .size = sizeof(n), .errbuf = err,
				       .errbuf_len = sizeof(err) } };
	struct iommu_ctx *ctx = NULL;

	/* Fields this library does not know, all zero: accepted. */
	cr_assert_eq(create(&n.o, &ctx), 0, "%s", err);
	iommu_ctx_destroy(ctx);
	/* One of them set: the library cannot honour it. */
	n.future[2] = 1;
	cr_assert_eq(create(&n.o, &ctx), -E2BIG);
	cr_assert_null(ctx);
	cr_assert_neq(strstr(err, "does not know"), NULL, "%s", err);
}

Test(version, stats_sized_by_the_caller)
{
	struct iommu_ctx_opts o = { .size = sizeof(o) };
	struct iommu_ctx *ctx;
	struct {
		struct iommu_stats st;
		uint64_t pad[4];
	} big;
	struct iommu_stats st;

	cr_assert_eq(create(&o, &ctx), 0);

	/* The caller's own size: every counter. */
	memset(&st, 0xa5, sizeof(st));
	st.size = sizeof(st);
	cr_assert_eq(iommu_get_stats(ctx, &st), 0);
	cr_assert_eq(st.count, IOMMU_STAT_COUNT);

	/* 0: the 2.0 layout, whose counters only. */
	memset(&st, 0xa5, sizeof(st));
	st.size = 0;
	cr_assert_eq(iommu_get_stats(ctx, &st), 0);
	cr_assert_eq(st.count, IOMMU_STAT_COUNT_2_0);
	for (int i = IOMMU_STAT_COUNT_2_0; i < IOMMU_STAT_COUNT; i++)
		cr_assert_eq(st.v[i], 0xa5a5a5a5a5a5a5a5ull,
			     "counter %d past the 2.0 layout written", i);

	/* A newer caller's larger struct: the counters it has and this
	 * library lacks read 0. */
	memset(&big, 0xa5, sizeof(big));
	big.st.size = sizeof(big);
	cr_assert_eq(iommu_get_stats(ctx, &big.st), 0);
	cr_assert_eq(big.st.count, IOMMU_STAT_COUNT);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(big.pad[i], 0);

	/* Too small, not a multiple of 8, or garbage: refused. */
	st.size = 16;
	cr_assert_eq(iommu_get_stats(ctx, &st), -EINVAL);
	st.size = sizeof(st) + 4;
	cr_assert_eq(iommu_get_stats(ctx, &st), -EINVAL);
	st.size = 0xa5a5a5a5u;
	cr_assert_eq(iommu_get_stats(ctx, &st), -EINVAL);
	cr_assert_eq(iommu_get_stats(NULL, &st), -EINVAL);
	cr_assert_eq(iommu_get_stats(ctx, NULL), -EINVAL);
	iommu_ctx_destroy(ctx);
}
