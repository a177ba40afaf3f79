// SPDX-License-Identifier: MIT
/*
 * fuzz_vtd.c - libFuzzer target: a hostile guest against the VT-d device
 * model.
 *
 * The input is a variant byte and an operation stream (ops.h): register
 * writes (GCMD, RTADDR, CCMD, IOTLB/IVA, the invalidation queue's IQA and
 * IQT, the fault registers and FRCD), root / context / PASID / page
 * tables and invalidation descriptors written into guest RAM, and DMA
 * translations of the configured devices with and without PASID and the
 * PRIV, EXEC and TRANSLATED attributes.  The context has no driver of the
 * library (IOMMU_CTX_NO_DRIVER) and exactly RAM_SIZE bytes of malloc'd
 * RAM at physical 0, so ASan stops any read or write past it.
 *
 * Variant byte: bits 1:0 aw (39, 48, 57, 48), bit 2 caching_mode, bit 3
 * fault_records 1 (else 8), bit 4 small caches (8 entries), bit 5
 * scalable_mode = no, bit 6 pasid_bits 0, bit 7 no large pages (sp_2m,
 * sp_1g, fl_1g, fl_5level off) and haw 39.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ops.h"

#define RAM_SIZE (1ull << 20)

/* 00:02.0, 00:03.0, 03:00.0, 00:10.5, 00:04.0 (PASIDs) */
static const uint32_t devs[] = {0x0010, 0x0018, 0x0300, 0x0085, 0x0020};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fz_keep_plugins();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int aw[] = {39, 48, 57, 48};
	struct fz_in in;
	char ini[1536];
	uint8_t v;

	if (!size)
		return 0;
	fz_init(&in, data, size);
	v = fz_u8(&in);
	snprintf(ini, sizeof(ini),
		 "[iommu]\nbackend = vtd\ndefault_domain = dma\n"
		 "invalidation = strict\n"
		 "[memory]\ntable_base = 0x40000000\ntable_size = 0x1000\n"
		 "[device.a]\nid = 00:02.0\n[device.b]\nid = 00:03.0\n"
		 "[device.c]\nid = 03:00.0\n[device.d]\nid = 00:10.5\n"
		 "[device.e]\nid = 00:04.0\nfeatures = aux\npasid_bits = 20\n"
		 "[vtd]\naw = %u\n%s%s%s%s%s%s",
		 aw[v & 3], v & 4 ? "caching_mode = yes\n" : "",
		 v & 8 ? "fault_records = 1\n" : "",
		 v & 16 ? "iotlb_entries = 8\ncontext_cache_entries = 8\n"
			  "pasid_cache_entries = 8\n"
			: "",
		 v & 32 ? "scalable_mode = no\ntranslation = legacy\n" : "",
		 v & 64 ? "pasid_bits = 0\n" : "",
		 v & 128 ? "sp_2m = no\nsp_1g = no\nfl_1g = no\n"
			   "fl_5level = no\nhaw = 39\n"
			 : "");
	return fz_guest(ini, RAM_SIZE, devs, sizeof(devs) / sizeof(devs[0]),
			&in);
}
