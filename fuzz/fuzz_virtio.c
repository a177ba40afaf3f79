// SPDX-License-Identifier: MIT
/*
 * fuzz_virtio.c - libFuzzer target: a hostile guest against the
 * virtio-iommu device model.
 *
 * The input is a variant byte and an operation stream (ops.h): the guest
 * programs the virtio-mmio window, writes descriptor tables, rings and
 * requests into its RAM, rings QueueNotify for both queues, and the VMM's
 * emulated devices translate and do DMA with and without PASID and
 * attributes.  The context has no driver of the library
 * (IOMMU_CTX_NO_DRIVER) and exactly RAM_SIZE bytes of malloc'd RAM at
 * physical 0, so ASan stops any read or write past it.
 *
 * Variant byte: bits 1:0 queue_max (8, 64, 256, 32768), bit 2 no
 * INDIRECT_DESC / EVENT_IDX, bit 3 boot_bypass = no, bit 4 probe_size 16,
 * bit 5 max_domains 4, bit 6 max_mappings 16, bit 7 page_size_mask 64K.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ops.h"

#define RAM_SIZE (1ull << 20)

static const uint32_t devs[] = {0x8, 0x10, 0x18, 0x20};

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
	static const unsigned int qmax[] = {8, 64, 256, 32768};
	struct fz_in in;
	char ini[1024];
	uint8_t v;

	if (!size)
		return 0;
	fz_init(&in, data, size);
	v = fz_u8(&in);
	snprintf(ini, sizeof(ini),
		 "[iommu]\nbackend = virtio\ndefault_domain = dma\n"
		 "invalidation = strict\n"
		 "[memory]\ntable_base = 0x40000000\ntable_size = 0x1000\n"
		 "[device.a]\nid = 0x8\n[device.b]\nid = 0x10\n"
		 "[device.c]\nid = 0x18\n[device.d]\nid = 0x20\n"
		 "[virtio]\nqueue_max = %u\n%s%s%s%s%s%s",
		 qmax[v & 3], v & 4 ? "features = 0x100000077\n" : "",
		 v & 8 ? "boot_bypass = no\n" : "",
		 v & 16 ? "probe_size = 16\n" : "",
		 v & 32 ? "max_domains = 4\n" : "",
		 v & 64 ? "max_mappings = 16\n" : "",
		 v & 128 ? "page_size_mask = 0xffffffffffff0000\n" : "");
	return fz_guest(ini, RAM_SIZE, devs, sizeof(devs) / sizeof(devs[0]),
			&in);
}
