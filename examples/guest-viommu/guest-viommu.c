// SPDX-License-Identifier: MIT
/*
 * guest-viommu.c - a VMM exposes an Intel VT-d unit to its guest.
 *
 * The context is created with IOMMU_CTX_NO_DRIVER: the library's own
 * driver does not run, the device model (the "hardware") is all there is,
 * and the guest's kernel is its driver.  The VMM's part is small:
 *
 *  - RAM: the guest's RAM is the VMM's memory (opts.ram); the guest
 *    writes its root, context and page tables there, the unit reads them.
 *  - MMIO: the guest's loads and stores to the unit's register page trap
 *    to the VMM (a VM exit); the exit handler forwards them with
 *    iommu_hw_mmio_read/write.
 *  - Interrupts: the unit's fault event reaches opts.irq, from where the
 *    VMM injects the guest's MSI (FEADDR/FEDATA).
 *  - DMA: every access of an emulated device goes through
 *    iommu_dma_read/write with the device's requester ID (BDF), so it is
 *    translated by the tables the guest programmed.
 *
 * The guest here is a few lines that do what Linux's intel-iommu does in
 * legacy mode (RTADDR.TTM = 00), each structure encoded bit by bit from
 * the VT-d specification (section numbers of the library's reference
 * sheet, spec/vtd.md, in the comments): a root table, a context entry for
 * the NIC, a 4-level second-stage table, SRTP, the invalidation queue
 * (its doorbell is the tail register IQT), TE.  Then the NIC's DMA goes
 * through those tables, a DMA to an unmapped address leaves a fault
 * record the guest reads back, and an unmap with a page-selective IOTLB
 * invalidation takes effect.
 *
 * Usage: guest-viommu
 * Exit status: 0 when every check passed, 1 otherwise.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iommu/iommu.h>

static int failures;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			printf("FAIL: ");                                      \
			printf(__VA_ARGS__);                                   \
			printf("\n");                                          \
			failures++;                                            \
		}                                                              \
	} while (0)

/* ==== The VMM ========================================================== */

#define RAM_SIZE (64ull << 20)
#define VTD_MMIO UINT64_C(0xfed90000) /* where the guest sees the unit */
#define VTD_PAGE 0x1000u

/*
 * The unit: VT-d hardware with 48-bit addresses and 8 fault recording
 * registers.  [memory] names no ram_size (the VMM brings its RAM) and the
 * table range is unused here (it would be the library driver's), but
 * required: the top of RAM.
 */
static const char ini[] = "[iommu]\n"
			  "backend = vtd\n"
			  "default_domain = dma\n"
			  "invalidation = strict\n"
			  "[memory]\n"
			  "table_base = 60M\n"
			  "table_size = 4M\n"
			  "[vtd]\n"
			  "aw = 48\n"
			  "fault_records = 8\n"
			  "translation = legacy\n"
			  "[device.nic]\n"
			  "id = 00:03.0\n";

struct vm {
	struct iommu_ctx *ctx;
	uint8_t *ram; /* guest-physical 0 */
	unsigned int irqs;
};

/* The unit raised an interrupt: vector 0 is its fault event.  A VMM
 * injects the MSI the guest wrote in FEADDR/FEDATA here. */
static void vmm_irq(void *cookie, unsigned int vector)
{
	struct vm *vm = cookie;

	printf("  vmm: VT-d interrupt, vector %u (fault event)\n", vector);
	vm->irqs++;
}

/*
 * The VM-exit handler for a guest MMIO access at @gpa.  Only the VT-d
 * page is ours here; a VMM has its other devices in the same switch.
 */
static int vmm_mmio_exit(struct vm *vm, uint64_t gpa, unsigned int size,
			 bool write, uint64_t *val)
{
	if (gpa >= VTD_MMIO && gpa - VTD_MMIO < VTD_PAGE) {
		if (write)
			return iommu_hw_mmio_write(vm->ctx, gpa - VTD_MMIO,
						   size, *val);
		return iommu_hw_mmio_read(vm->ctx, gpa - VTD_MMIO, size, val);
	}
	return -ENODEV;
}

/* ==== The guest ======================================================== */

/* Guest-physical layout the guest's driver chooses. */
#define ROOT	 UINT64_C(0x100000) /* root table (one 4 KiB page) */
#define CTX_BUS0 UINT64_C(0x101000) /* context table of bus 0 */
#define SL_L4	 UINT64_C(0x102000) /* second stage, levels 4..1 */
#define SL_L3	 UINT64_C(0x103000)
#define SL_L2	 UINT64_C(0x104000)
#define SL_L1	 UINT64_C(0x105000)
#define IQ	 UINT64_C(0x110000) /* invalidation queue, 256 x 16 B */
#define STATUS	 UINT64_C(0x111000) /* wait descriptors' status dword */
#define DATA	 UINT64_C(0x400000) /* the page the NIC may reach */

#define NIC_BDF	 0x0018u	      /* 00:03.0: bus 0, devfn 0x18 */
#define NIC_DID	 1u		      /* its domain ID */
#define NIC_IOVA UINT64_C(0x10000000) /* mapped to DATA */
#define BAD_IOVA UINT64_C(0x20000000) /* mapped nowhere */

/* Registers (sheet 2.1) and bits (2.4). */
#define CAP	  0x008
#define GCMD	  0x018
#define GSTS	  0x01c
#define RTADDR	  0x020
#define FSTS	  0x034
#define FECTL	  0x038
#define IQT	  0x088
#define IQA	  0x090
#define GCMD_TE	  (1u << 31)
#define GCMD_SRTP (1u << 30)
#define GCMD_QIE  (1u << 26)
#define FSTS_PPF  (1u << 1)

struct guest {
	struct vm *vm;
	uint32_t gcmd;	   /* persistent enables, as Linux shadows them */
	unsigned int tail; /* invalidation queue index */
	uint32_t seq;	   /* wait descriptor status data */
};

/* A guest store or load to the unit's registers traps to the VMM. */
static uint64_t rd(struct guest *g, unsigned int off, unsigned int size)
{
	uint64_t v = 0;

	if (vmm_mmio_exit(g->vm, VTD_MMIO + off, size, false, &v))
		CHECK(0, "MMIO read 0x%x", off);
	return v;
}

static void wr(struct guest *g, unsigned int off, unsigned int size, uint64_t v)
{
	if (vmm_mmio_exit(g->vm, VTD_MMIO + off, size, true, &v))
		CHECK(0, "MMIO write 0x%x", off);
}

/* The guest's stores to its own RAM (VT-d structures are little-endian;
 * so is the x86 guest). */
static void put64(struct guest *g, uint64_t gpa, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		g->vm->ram[gpa + i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(struct guest *g, uint64_t gpa)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v |= (uint32_t)g->vm->ram[gpa + i] << (8 * i);
	return v;
}

/* GCMD = persistent enables | one command, then wait for GSTS (2.4). */
static void gcmd(struct guest *g, uint32_t bit, bool persistent)
{
	if (persistent)
		g->gcmd |= bit;
	wr(g, GCMD, 4, g->gcmd | bit);
	for (int i = 0; i < 1000; i++)
		if (rd(g, GSTS, 4) & bit)
			return;
	CHECK(0, "GSTS never showed 0x%x", bit);
}

/*
 * Queue descriptors (6.1: 128-bit, written at the tail), then a wait
 * descriptor (6.7: SW = 1 writes the status data), then the doorbell:
 * the new tail in IQT.  The unit runs the queue inside that register
 * write; the guest polls the status dword like Linux does.
 */
static void qi_run(struct guest *g, const uint64_t (*d)[2], unsigned int n)
{
	uint32_t data = ++g->seq;

	for (unsigned int i = 0; i <= n; i++) {
		uint64_t slot = IQ + 16 * g->tail;

		if (i < n) {
			put64(g, slot, d[i][0]);
			put64(g, slot + 8, d[i][1]);
		} else { /* type 5, SW (bit 5), status data 63:32 */
			put64(g, slot, 0x5 | 1u << 5 | (uint64_t)data << 32);
			put64(g, slot + 8, STATUS);
		}
		g->tail = (g->tail + 1) % 256;
	}
	wr(g, IQT, 8, (uint64_t)g->tail << 4); /* the queue notify */
	CHECK(get32(g, STATUS) == data, "wait status 0x%x, want 0x%x",
	      get32(g, STATUS), data);
}

/* Second-stage table index of @iova at @level (1.2: 9 bits a level). */
static unsigned int sl_index(uint64_t iova, int level)
{
	return (unsigned int)(iova >> (12 + 9 * (level - 1))) & 511;
}

/* The guest's intel-iommu bring-up, legacy mode. */
static void guest_boot(struct guest *g)
{
	uint64_t cap = rd(g, CAP, 8);
	const uint64_t flush[2][2] = {
	    {0x1 | 1u << 4, 0}, /* 6.3 context cache, G = 01 global */
	    {0x2 | 1u << 4, 0}, /* 6.4 IOTLB, G = 01 global */
	};

	/* 2.2: SAGAW bit 2 = 4-level (48-bit) tables. */
	CHECK(cap >> 8 & 4, "no 4-level second stage (CAP 0x%" PRIx64 ")", cap);

	/* 3.1 root entry of bus 0: P | context-table pointer. */
	put64(g, ROOT + 16 * 0, CTX_BUS0 | 1);
	put64(g, ROOT + 16 * 0 + 8, 0);
	/* 3.2 context entry of devfn 0x18: P, TT = 00 (translate), the SL
	 * root; QW1: AW = 2 (4 levels), DID in bits 87:72. */
	put64(g, CTX_BUS0 + 16 * (NIC_BDF & 0xff), SL_L4 | 0 << 2 | 1);
	put64(g, CTX_BUS0 + 16 * (NIC_BDF & 0xff) + 8, 2 | NIC_DID << 8);
	/* 5.1 second stage: non-leaf entries are table | R | W; the leaf
	 * maps NIC_IOVA to DATA, R | W. */
	put64(g, SL_L4 + 8 * sl_index(NIC_IOVA, 4), SL_L3 | 3);
	put64(g, SL_L3 + 8 * sl_index(NIC_IOVA, 3), SL_L2 | 3);
	put64(g, SL_L2 + 8 * sl_index(NIC_IOVA, 2), SL_L1 | 3);
	put64(g, SL_L1 + 8 * sl_index(NIC_IOVA, 1), DATA | 3);

	/* 2.4: RTADDR (TTM = 00: legacy), then SRTP latches it. */
	wr(g, RTADDR, 8, ROOT);
	gcmd(g, GCMD_SRTP, false);
	/* 6.1: IQT = 0, IQA = base | DW 0 | QS 0 (256 entries), QIE. */
	wr(g, IQT, 8, 0);
	wr(g, IQA, 8, IQ);
	gcmd(g, GCMD_QIE, true);
	/* 9.6: global context-cache and IOTLB flushes before TE. */
	qi_run(g, flush, 2);
	/* Unmask the fault event (FECTL.IM, bit 31, resets to 1). */
	wr(g, FECTL, 4, 0);
	gcmd(g, GCMD_TE, true);
}

/*
 * The guest's fault handler: FSTS.FRI names the first pending record
 * (7.1 at CAP.FRO x 16); read it, decode it, clear F (Linux writes
 * 0x80000000 to its dword at +12).  Return: the fault reason, or -1.
 */
static int guest_fault(struct guest *g, uint64_t *fi, unsigned int *sid,
		       bool *read)
{
	uint64_t cap = rd(g, CAP, 8);
	unsigned int fro = (unsigned int)(cap >> 24 & 0x3ff) * 16;
	uint32_t fsts = rd(g, FSTS, 4);
	unsigned int rec = fro + 16 * (fsts >> 8 & 0xff);
	uint64_t lo, hi;

	if (!(fsts & FSTS_PPF))
		return -1;
	lo = rd(g, rec, 8);
	hi = rd(g, rec + 8, 8);
	if (!(hi >> 63)) /* F */
		return -1;
	*fi = lo & ~UINT64_C(0xfff);
	*sid = hi & 0xffff;
	*read = hi >> 62 & 1; /* T1: 1 read, 0 write */
	wr(g, rec + 12, 4, 0x80000000u);
	return (int)(hi >> 32 & 0xff);
}

/* ==== The emulated NIC ================================================= */

/* The NIC's DMA: by its BDF, through the unit, never straight to RAM. */
static int nic_dma(struct vm *vm, uint64_t iova, void *buf, size_t len,
		   bool write)
{
	if (write)
		return iommu_dma_write(vm->ctx, NIC_BDF, IOMMU_NO_PASID, iova,
				       buf, len);
	return iommu_dma_read(vm->ctx, NIC_BDF, IOMMU_NO_PASID, iova, buf, len);
}

/* ==== Putting it together ============================================== */

int main(void)
{
	struct iommu_ram_region region = {.base = 0, .size = RAM_SIZE};
	struct iommu_ctx_opts opts;
	struct vm vm = {0};
	struct guest g = {.vm = &vm};
	char msg[] = "frame from the NIC", got[32] = "", err[256] = "";
	unsigned int sid;
	uint64_t fi;
	bool read;
	int ret, fr;

	vm.ram = calloc(1, RAM_SIZE);
	if (!vm.ram)
		return 1;
	region.host = vm.ram;
	memset(&opts, 0, sizeof(opts));
	opts.size = sizeof(opts);
	opts.ini_string = ini;
	opts.ram = &region;
	opts.nr_ram = 1;
	opts.flags = IOMMU_CTX_NO_DRIVER; /* the guest drives the unit */
	opts.irq = vmm_irq;
	opts.irq_cookie = &vm;
	opts.log_level = IOMMU_LOG_WARN;
	opts.errbuf = err;
	opts.errbuf_len = sizeof(err);
	ret = iommu_ctx_create(&opts, &vm.ctx);
	if (ret) {
		fprintf(stderr, "iommu_ctx_create: %s (%s)\n", strerror(-ret),
			err);
		free(vm.ram);
		return 1;
	}

	/* The guest boots and brings the unit up. */
	guest_boot(&g);
	printf("guest: VT-d on, GSTS 0x%08" PRIx64 "\n", rd(&g, GSTS, 4));

	/* The NIC writes a frame at the IOVA the guest mapped: it lands in
	 * the page the guest's table points at. */
	ret = nic_dma(&vm, NIC_IOVA + 0x40, msg, sizeof(msg), true);
	CHECK(ret == 0, "NIC DMA write: %d", ret);
	CHECK(!memcmp(vm.ram + DATA + 0x40, msg, sizeof(msg)),
	      "the frame is not at GPA 0x%" PRIx64, DATA + 0x40);
	ret = nic_dma(&vm, NIC_IOVA + 0x40, got, sizeof(msg), false);
	CHECK(ret == 0 && !strcmp(got, msg), "NIC DMA read back: %d", ret);
	printf("nic: DMA to IOVA 0x%" PRIx64 " reached GPA 0x%" PRIx64 "\n",
	       NIC_IOVA + 0x40, DATA + 0x40);

	/* A read the guest never mapped: the unit records a fault (7.3
	 * reason 0x06: read, entry not present) and raises its event. */
	ret = nic_dma(&vm, BAD_IOVA, got, 8, false);
	CHECK(ret == -EFAULT, "DMA at an unmapped IOVA: %d", ret);
	CHECK(vm.irqs == 1, "%u fault interrupts, want 1", vm.irqs);
	fr = guest_fault(&g, &fi, &sid, &read);
	printf("guest: fault record: SID 0x%04x FI 0x%" PRIx64
	       " %s reason 0x%02x\n",
	       sid, fi, read ? "read" : "write", fr);
	CHECK(fr == 0x06 && sid == NIC_BDF && fi == BAD_IOVA && read,
	      "fault record reason 0x%02x sid 0x%x fi 0x%" PRIx64, fr, sid, fi);
	CHECK(!(rd(&g, FSTS, 4) & FSTS_PPF), "a fault still pending");

	/* The guest unmaps the page: clear the leaf, then a page-selective
	 * IOTLB invalidation (6.4: G = 11, DID, ADDR, AM = 0), through the
	 * queue.  Without it the unit could keep using its cached copy. */
	{
		const uint64_t inv[1][2] = {
		    {0x2 | 3u << 4 | (uint64_t)NIC_DID << 16, NIC_IOVA},
		};

		put64(&g, SL_L1 + 8 * sl_index(NIC_IOVA, 1), 0);
		qi_run(&g, inv, 1);
	}
	ret = nic_dma(&vm, NIC_IOVA, msg, 8, true);
	CHECK(ret == -EFAULT, "DMA after the guest's unmap: %d", ret);
	fr = guest_fault(&g, &fi, &sid, &read);
	printf("guest: after unmap: reason 0x%02x (%s at 0x%" PRIx64 ")\n", fr,
	       read ? "read" : "write", fi);
	CHECK(fr == 0x05 && !read && fi == NIC_IOVA,
	      "fault after unmap: reason 0x%02x", fr);

	iommu_ctx_destroy(vm.ctx);
	free(vm.ram);
	printf("guest-viommu: %s\n", failures ? "FAIL" : "OK");
	return failures ? 1 : 0;
}
