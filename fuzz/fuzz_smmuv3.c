// SPDX-License-Identifier: MIT
/*
 * fuzz_smmuv3.c - libFuzzer target: a hostile guest against the Arm
 * SMMUv3 device model.
 *
 * The input is a variant byte and an operation stream (ops.h): register
 * writes to pages 0 and 1 (FZ_MMIO_HI 1 reaches EVENTQ_PROD / CONS at
 * 0x100A8), the Stream table (linear or 2-level), L1CDs and CDs, stage-1
 * and stage-2 translation tables at every granule, commands in the
 * command queue (consumed on CMDQ_PROD writes), event records read back
 * and acknowledged (EVENTQ_CONS, GERRORN), and DMA translations of the
 * configured StreamIDs with and without a SubstreamID and the PRIV, EXEC
 * and TRANSLATED attributes.  The context has no driver of the library
 * (IOMMU_CTX_NO_DRIVER) and exactly RAM_SIZE bytes of malloc'd RAM at
 * physical 0, so ASan stops any read or write past it.
 *
 * Variant byte: bit 0 stage2 = no, bit 1 1-level Stream and CD tables
 * only, sid_bits 6 and device d 0x3f (else sid_bits 16 and 0x100), bit
 * 2 small caches (4 config entries, a 1 x 2 TLB), bit 3 ssid_bits 0,
 * bit 4 no HTTU or ATS, bits 0 or 4 no Hyp, bit 5 no MSI, RIL, ASID16 or
 * VMID16, bit 6 oas 40 and no 16K granule, bit 7 tiny queues (cmdq_bits
 * 2, eventq_bits 1: overflow and wrap).
 */
#include <stdio.h>
#include <stdlib.h>

#include "ops.h"

#define RAM_SIZE (1ull << 20)

/* StreamIDs; 0x18 has substreams (PASIDs); [3] is set per variant. */
static uint32_t devs[] = {0x08, 0x10, 0x18, 0x100, 0x20};

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
	devs[3] = v & 2 ? 0x3f : 0x100;
	snprintf(ini, sizeof(ini),
		 "[iommu]\nbackend = smmuv3\ndefault_domain = dma\n"
		 "invalidation = strict\n"
		 "[memory]\ntable_base = 0x40000000\ntable_size = 0x1000\n"
		 "[device.a]\nid = 0x08\n[device.b]\nid = 0x10\n"
		 "[device.c]\nid = 0x18\nfeatures = aux\npasid_bits = 20\n"
		 "[device.d]\nid = %#x\n[device.e]\nid = 0x20\n"
		 "[smmuv3]\nsid_bits = %u\n%s%s%s%s%s%s%s%s%s",
		 devs[3], v & 2 ? 6 : 16,
		 v & 1 ? "stage2 = no\n" : "",
		 v & 2 ? "stream_table_2level = no\ncd_table_2level = no\n"
		       : "",
		 v & 4 ? "config_cache_entries = 4\ntlb_sets = 1\n"
			 "tlb_ways = 2\n"
		       : "",
		 v & 8 ? "ssid_bits = 0\n" : "",
		 v & 16 ? "httu = none\nats = no\n" : "",
		 v & 17 ? "hyp = no\n" : "",
		 v & 32 ? "msi = no\nrange_invalidation = no\nasid16 = no\n"
			  "vmid16 = no\n"
			: "",
		 v & 64 ? "oas = 40\ngranule_16k = no\n" : "",
		 v & 128 ? "cmdq_bits = 2\neventq_bits = 1\n" : "");
	return fz_guest(ini, RAM_SIZE, devs, sizeof(devs) / sizeof(devs[0]),
			&in);
}
