// SPDX-License-Identifier: MIT
/*
 * fuzz_amdvi.c - libFuzzer target: a hostile guest against the AMD-Vi
 * device model.
 *
 * The input is a variant byte and an operation stream (ops.h): register
 * writes (device-table, command-buffer and event-log bases, Control,
 * the exclusion range, the head and tail pointers at 0x2000, Status and
 * the MSI registers), device-table entries, v1 (host) page tables with
 * every level count, skipped levels and NextLevel-7 pages, GCR3 tables
 * and v2 (guest) page tables, commands in the command buffer (consumed
 * on Tail writes), event-log records read back and acknowledged, and DMA
 * translations of the configured devices with and without PASID and the
 * PRIV, EXEC and TRANSLATED attributes.  The context has no driver of
 * the library (IOMMU_CTX_NO_DRIVER) and exactly RAM_SIZE bytes of
 * malloc'd RAM at physical 0, so ASan stops any read or write past it.
 *
 * Variant byte: bit 0 host_levels 4 (else 6), bit 1 guest_translation
 * no, bit 2 small caches (4 DTEs, 8 IOTLB entries, 2 ways), bit 3
 * guest_levels 5 and glx_max 2, bit 4 no invalidate_all, prefetch, nx or
 * gio, bit 5 host_access and host_dirty (A/D updates), bit 6
 * devtab_entries_max 128, bit 7 ht_range_ignore and pasid_bits 20.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ops.h"

#define RAM_SIZE (1ull << 20)

/* 00:01.0, 00:02.0, 00:03.0 (PASIDs), 01:00.0, 00:10.5 */
static const uint32_t devs[] = {0x0008, 0x0010, 0x0018, 0x0100, 0x0085};

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
	struct fz_in in;
	char ini[1536];
	uint8_t v;

	if (!size)
		return 0;
	fz_init(&in, data, size);
	v = fz_u8(&in);
	snprintf(ini, sizeof(ini),
		 "[iommu]\nbackend = amdvi\ndefault_domain = dma\n"
		 "invalidation = strict\n"
		 "[memory]\ntable_base = 0x40000000\ntable_size = 0x1000\n"
		 "[device.a]\nid = 00:01.0\n[device.b]\nid = 00:02.0\n"
		 "[device.c]\nid = 00:03.0\nfeatures = aux\npasid_bits = 16\n"
		 "[device.d]\nid = 01:00.0\n[device.e]\nid = 00:10.5\n"
		 "[amdvi]\nhost_levels = %u\n%s%s%s%s%s%s%s",
		 v & 1 ? 4 : 6, v & 2 ? "guest_translation = no\n" : "",
		 v & 4 ? "dte_cache_entries = 4\niotlb_entries = 8\n"
			 "iotlb_ways = 2\n"
		       : "",
		 v & 8 ? "guest_levels = 5\nglx_max = 2\n" : "",
		 v & 16 ? "invalidate_all = no\nprefetch = no\nnx = no\n"
			  "gio = no\n"
			: "",
		 v & 32 ? "host_access = yes\nhost_dirty = yes\n" : "",
		 v & 64 ? "devtab_entries_max = 128\n" : "",
		 v & 128 ? "ht_range_ignore = yes\npasid_bits = 20\n" : "");
	return fz_guest(ini, RAM_SIZE, devs, sizeof(devs) / sizeof(devs[0]),
			&in);
}
