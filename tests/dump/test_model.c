// SPDX-License-Identifier: MIT
/*
 * test_model.c - iommu_dump_model() on every backend's device model: the
 * registers come decoded by field with the vendor's names (spec sheets),
 * the queues with their heads and tails, the caches with what they hold;
 * and reading it changes nothing (the same text twice, the same stats).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dump.h"

static int do_model(void *c, enum iommu_dump_format fmt, FILE *f)
{
	return iommu_dump_model(c, fmt, f);
}

static char *model(struct iommu_ctx *ctx)
{
	int ret;
	char *s = dump_run(do_model, ctx, IOMMU_DUMP_TEXT, &ret);

	cr_assert_eq(ret, 0, "iommu_dump_model: %d", ret);
	return s;
}

/* Each of @want must be in @s. */
static void expect_all(const char *s, const char *const *want, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cr_expect_not_null(strstr(s, want[i]), "no \"%s\" in\n%s",
				   want[i], s);
}

#define EXPECT_ALL(s, ...)                                                     \
	do {                                                                   \
		static const char *const w_[] = {__VA_ARGS__};                 \
		expect_all((s), w_, sizeof(w_) / sizeof(w_[0]));               \
	} while (0)

/* A UNMANAGED domain on the device @name with a page at 0x1000 that
 * the device then reads: the caches hold an entry for it. */
static void one_dma(struct iommu_ctx *ctx, const char *name)
{
	struct iommu_domain *d = NULL;
	static int owner;
	uint32_t dev, g;
	char buf[16];

	cr_assert_eq(iommu_dev_lookup(ctx, name, &dev), 0);
	cr_assert_eq(iommu_dev_group(ctx, dev, &g), 0);
	cr_assert_eq(iommu_group_claim_dma_owner(ctx, g, &owner), 0);
	cr_assert_eq(iommu_domain_alloc(ctx, IOMMU_DOMAIN_UNMANAGED, &d), 0);
	cr_assert_eq(iommu_attach_group(d, g), 0);
	cr_assert_eq(
	    iommu_map(d, 0x1000, 0x200000, 0x1000, IOMMU_READ | IOMMU_WRITE),
	    0);
	cr_assert_eq(
	    iommu_dma_read(ctx, dev, IOMMU_NO_PASID, 0x1000, buf, sizeof(buf)),
	    0);
}

Test(model, vtd_registers_queue_and_caches)
{
	struct iommu_ctx *ctx = dump_conf_ctx("vtd");
	char *s;

	one_dma(ctx, "nic");
	s = model(ctx);
	EXPECT_ALL(s, "vtd model (", "registers (vtd 2):\n",
		   "  VER     0x0000000000000030: MAJOR=3 MINOR=0\n",
		   " SAGAW=", " MGAW=47 ", " NFR=7 ", " SMTS ", " QI ",
		   "  GSTS    0x00000000c4000000: TES RTPS QIES\n", " TTM=1\n",
		   "  IECTL   ", "IQERCD", " IQEI=0\n",
		   "invalidation queue (vtd 6): enabled, ",
		   "128 descriptors of 32 bytes\n", " (head, descriptor ",
		   " (tail, descriptor ", ", 0 pending\n",
		   "fault recording (vtd 7): 8 registers at 0x220, 0 pending\n",
		   "  context      1 of 64 entries (8 sets x 8 ways)\n",
		   "  IOTLB        1 of 256 entries (32 sets x 8 ways)\n");
	free(s);
	iommu_ctx_destroy(ctx);
}

Test(model, virtio_transport_queues_and_state)
{
	struct iommu_ctx *ctx = dump_ctx(dump_ini_virtio);
	char *s;

	one_dma(ctx, "ep0");
	s = model(ctx);
	EXPECT_ALL(s, "virtio model (", "virtio-mmio registers:\n",
		   "  MagicValue 0x74726976 Version 2 DeviceID 23 ",
		   "  Status 0x0f: ACKNOWLEDGE DRIVER DRIVER_OK FEATURES_OK\n",
		   " MAP_UNMAP ", " VERSION_1\n", "  negotiated ",
		   "  page_size_mask 0x40201000\n",
		   "  queue 0 (requestq): QueueNum ",
		   "  queue 1 (eventq): QueueNum ", " (driver's head), ",
		   " (device's tail), ", "  endpoints 1, domains 1 of ",
		   "mappings 1 of ");
	free(s);
	iommu_ctx_destroy(ctx);
}

Test(model, smmuv3_registers_queues_and_caches)
{
	struct iommu_ctx *ctx = dump_conf_ctx("smmuv3");
	char *s;

	one_dma(ctx, "nic");
	s = model(ctx);
	EXPECT_ALL(s, "smmuv3 model (", "registers (smmuv3 6):\n",
		   "  IDR0            ", " S1P ", " SIDSIZE=16 ", " GRAN4K ",
		   " SMMUEN\n", " CMDQEN ", " EVENTQEN ", "  STRTAB_BASE_CFG ",
		   " FMT=1 ", " LOG2SIZE=8\n",
		   "  CMDQ: 256 entries; PROD index ",
		   "  EVENTQ: 128 entries; PROD index ", " between them\n",
		   "  TLB    1 of ");
	free(s);
	iommu_ctx_destroy(ctx);
}

Test(model, amdvi_registers_rings_and_caches)
{
	struct iommu_ctx *ctx = dump_conf_ctx("amdvi");
	char *s;

	one_dma(ctx, "nic");
	s = model(ctx);
	EXPECT_ALL(s, "amdvi model (", "registers (amdvi 1):\n",
		   "  DevTableBase     ", " DevTabBase=0x", "  Control ",
		   " IommuEn ", " CmdBufEn ", " EventLogEn ",
		   " HATS=", "  Status ", " CmdBufRun",
		   "command buffer (running): ", "event log (running): ",
		   "  IOTLB        1 of ");
	free(s);
	iommu_ctx_destroy(ctx);
}

/* Reading the model's state is no access of the guest's: the same text
 * twice, and not one counter moves. */
Test(model, dump_changes_nothing)
{
	struct iommu_ctx *ctx = dump_conf_ctx("vtd");
	struct iommu_stats a = {.size = sizeof(a)}, b = {.size = sizeof(b)};
	char *s1, *s2;

	one_dma(ctx, "nic");
	cr_assert_eq(iommu_get_stats(ctx, &a), 0);
	s1 = model(ctx);
	s2 = model(ctx);
	cr_assert_eq(iommu_get_stats(ctx, &b), 0);
	cr_expect_str_eq(s1, s2);
	cr_expect_eq(memcmp(&a, &b, sizeof(a)), 0, "stats moved");
	free(s1);
	free(s2);
	iommu_ctx_destroy(ctx);
}
