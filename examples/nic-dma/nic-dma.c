// SPDX-License-Identifier: MIT
/*
 * nic-dma.c - a VMM wires an emulated NIC's DMA through the IOMMU.
 *
 * The VMM owns its RAM: shared-memory files (memfd) mapped into the
 * process, the way a VMM shares guest RAM with vhost or a migration
 * helper.  It hands the boot RAM to the library when it creates the
 * context (iommu_ctx_opts.ram) and a bank plugged in later with
 * iommu_mem_add_ram(), so the library's tables, the device model's
 * queues, the NIC's ring (boot RAM) and its buffers (the added bank) all
 * live in the same bytes the VMM sees.
 *
 * Two roles play in this one program:
 *  - the NIC's driver (what the guest or host kernel would do): it puts
 *    a receive ring and buffers in RAM, maps them for the NIC through the
 *    library's DMA API (the NIC's default domain is a DMA domain) and
 *    writes the IOVAs into the descriptors;
 *  - the emulated NIC (the VMM's device model): every access it makes to
 *    memory is a DMA through the IOMMU (iommu_dma_read, iommu_dma_write,
 *    or iommu_dma_translate for zero-copy access to the host mapping).
 *
 * A descriptor with an IOVA nobody mapped makes the NIC's DMA fault; the
 * fault handler prints the normalized fault.
 *
 * Usage: nic-dma [INI]   (default virtio.ini; vtd.ini runs it on VT-d)
 * Exit status: 0 when every check passed, 1 otherwise.
 */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <iommu/iommu.h>

#define RAM_SIZE (64ull << 20)
/* A RAM bank the VMM plugs in after creating the context (a DIMM added
 * at run time), right above the boot RAM. */
#define HOT_PA	 UINT64_C(0x4000000)
#define HOT_SIZE (2ull << 20)

/* Guest-physical layout the NIC driver chooses: the ring in boot RAM
 * (below the table range of the INI, which is [48M, 64M)), the buffers
 * in the added bank. */
#define RING_PA	 UINT64_C(0x100000) /* the receive ring: one page */
#define BUF_PA	 HOT_PA		    /* the receive buffers */
#define BUF_SIZE 2048u
#define RING_LEN 8u
#define BAD_IOVA 0x30000000ull /* an IOVA nobody maps */

/* A receive descriptor as the NIC reads it (16 bytes, little-endian). */
struct rx_desc {
	uint64_t addr;	/* IOVA of the buffer */
	uint32_t len;	/* buffer size; the NIC writes the packet size */
	uint32_t flags; /* RX_DONE once the NIC filled it, RX_ERR on fault */
};
#define RX_DONE 1u
#define RX_ERR	2u

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

/* ---- The fault handler ------------------------------------------------ */

struct fault_seen {
	unsigned int count;
	struct iommu_fault last;
};

static const char *reason_name(enum iommu_fault_reason r)
{
	switch (r) {
	case IOMMU_FAULT_NO_DOMAIN:
		return "no domain";
	case IOMMU_FAULT_NOT_MAPPED:
		return "not mapped";
	case IOMMU_FAULT_PERMISSION:
		return "permission";
	case IOMMU_FAULT_TABLE_FETCH:
		return "table fetch";
	case IOMMU_FAULT_BAD_ENTRY:
		return "bad entry";
	case IOMMU_FAULT_ADDR_SIZE:
		return "address size";
	case IOMMU_FAULT_BAD_PASID:
		return "bad PASID";
	case IOMMU_FAULT_BAD_DEVICE:
		return "bad device";
	default:
		return "unknown";
	}
}

/*
 * Runs when the library call whose DMA faulted is about to return, with
 * no library lock held.  The fault is the driver's decoding of the
 * vendor's record (a virtio-iommu fault event, a VT-d fault recording
 * register): the same struct whatever the backend.
 */
static int nic_fault(struct iommu_domain *domain, const struct iommu_fault *f,
		     void *cookie)
{
	struct fault_seen *seen = cookie;

	(void)domain;
	printf("  fault: device 0x%" PRIx32 " %s at IOVA 0x%" PRIx64
	       ": %s (vendor code 0x%" PRIx32 ")\n",
	       f->dev_id, f->access & IOMMU_ACCESS_WRITE ? "write" : "read",
	       f->flags & IOMMU_FAULT_F_ADDR_VALID ? f->addr : 0,
	       reason_name(f->reason), f->vendor_code);
	seen->count++;
	seen->last = *f;
	return 0;
}

/* ---- The emulated NIC ------------------------------------------------- */

struct nic {
	struct iommu_ctx *ctx;
	uint32_t id;	    /* its vendor ID behind the IOMMU */
	uint64_t ring_iova; /* programmed by the driver (a register) */
	unsigned int next;  /* next descriptor to fill */
};

/*
 * nic_receive() - the NIC receives @len bytes of @pkt into the next
 * descriptor.  Every memory access is a DMA through the IOMMU.
 * Return: 0, or the errno of the DMA that faulted.
 */
static int nic_receive(struct nic *n, const void *pkt, uint32_t len)
{
	uint64_t slot = n->ring_iova + n->next * sizeof(struct rx_desc);
	struct iommu_translation t;
	struct rx_desc d;
	void *dst;
	int ret;

	n->next = (n->next + 1) % RING_LEN;
	/* 1. Fetch the descriptor. */
	ret =
	    iommu_dma_read(n->ctx, n->id, IOMMU_NO_PASID, slot, &d, sizeof(d));
	if (ret)
		return ret;
	if (len > d.len)
		len = d.len;
	/*
	 * 2. Write the packet.  A VMM that wants to copy straight into its
	 * own mapping translates first: the result is a guest-physical
	 * address and how many bytes from there are contiguous, and
	 * iommu_mem_ptr() the VMM's pointer to them (whichever RAM bank
	 * holds them).  A buffer that crosses into another page may need
	 * several pieces; iommu_dma_write() does that loop itself.
	 */
	ret = iommu_dma_translate(n->ctx, n->id, IOMMU_NO_PASID, d.addr, len,
				  IOMMU_ACCESS_WRITE, &t);
	dst = ret == 0 && t.len == len ? iommu_mem_ptr(n->ctx, t.phys, len)
				       : NULL;
	if (dst)
		memcpy(dst, pkt, len);
	else if (ret == 0)
		ret = iommu_dma_write(n->ctx, n->id, IOMMU_NO_PASID, d.addr,
				      pkt, len);
	/* 3. Write the descriptor back: done, or error. */
	d.len = ret ? 0 : len;
	d.flags = ret ? RX_ERR : RX_DONE;
	if (iommu_dma_write(n->ctx, n->id, IOMMU_NO_PASID, slot, &d, sizeof(d)))
		return -EFAULT;
	return ret;
}

/* ---- The VMM ---------------------------------------------------------- */

/* A RAM bank of @size bytes: a memfd named @name, mapped shared. */
static uint8_t *ram_create(const char *name, size_t size, int *fd)
{
	void *p;

	*fd = memfd_create(name, MFD_CLOEXEC);
	if (*fd < 0) {
		perror("memfd_create");
		return NULL;
	}
	if (ftruncate(*fd, (off_t)size)) {
		perror("ftruncate");
		close(*fd);
		return NULL;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		close(*fd);
		return NULL;
	}
	return p;
}

int main(int argc, char **argv)
{
	const char *ini = argc > 1 ? argv[1] : "virtio.ini";
	struct iommu_ram_region region = {.base = 0, .size = RAM_SIZE};
	struct iommu_ctx_opts opts;
	struct fault_seen seen = {0};
	struct iommu_stats st;
	struct iommu_domain *dom;
	struct iommu_ctx *ctx;
	struct nic nic = {0};
	uint64_t ring_iova, buf_iova;
	struct rx_desc *ring;
	char err[256] = "", pkt[64];
	int fd, hot_fd = -1, ret;
	uint8_t *ram, *hot = NULL, *bufs;

	ram = ram_create("guest-ram", RAM_SIZE, &fd);
	if (!ram)
		return 1;

	/* The context: backend, platform and devices from the INI; RAM from
	 * the VMM.  Set opts.size so a newer library knows our layout. */
	region.host = ram;
	memset(&opts, 0, sizeof(opts));
	opts.size = sizeof(opts);
	opts.ini_path = ini;
	opts.ram = &region;
	opts.nr_ram = 1;
	opts.log_level = IOMMU_LOG_WARN;
	opts.errbuf = err;
	opts.errbuf_len = sizeof(err);
	ret = iommu_ctx_create(&opts, &ctx);
	if (ret) {
		fprintf(stderr, "iommu_ctx_create(%s): %s (%s)\n", ini,
			strerror(-ret), err);
		return 1;
	}
	printf("nic-dma: library %s, backend %s\n",
	       iommu_version(NULL, NULL, NULL), iommu_ctx_backend(ctx));

	/* The NIC, by the name of its INI section. */
	ret = iommu_dev_lookup(ctx, "nic", &nic.id);
	CHECK(ret == 0, "no device 'nic' in %s", ini);
	nic.ctx = ctx;

	/* A bank plugged in now: the library reaches it like the boot RAM
	 * (the same bytes, no copy); the NIC's buffers go there. */
	hot = ram_create("guest-ram-hotplug", HOT_SIZE, &hot_fd);
	if (!hot) {
		ret = -ENOMEM;
		goto out;
	}
	ret = iommu_mem_add_ram(ctx, HOT_PA, HOT_SIZE, hot);
	CHECK(ret == 0, "add the RAM bank at 0x%" PRIx64 ": %d", HOT_PA, ret);
	if (ret)
		goto out;
	bufs = hot + (BUF_PA - HOT_PA);

	/* Its domain is the group's default DMA domain; faults of its DMA
	 * go to this handler. */
	ret = iommu_get_domain_for_dev(ctx, nic.id, &dom);
	CHECK(ret == 0 && iommu_domain_type(dom) == IOMMU_DOMAIN_DMA,
	      "the NIC is not on a DMA domain");
	if (!ret)
		ret = iommu_set_fault_handler(dom, nic_fault, &seen);
	if (ret)
		goto out;

	/*
	 * The NIC's driver: map the ring (read/write: the NIC writes the
	 * status back) and the buffers (the NIC writes packets), put the
	 * IOVAs in the descriptors.  The driver writes RAM directly: it is
	 * the CPU, not a device.
	 */
	ret = iommu_dma_map(ctx, nic.id, RING_PA, 4096,
			    IOMMU_READ | IOMMU_WRITE, &ring_iova);
	CHECK(ret == 0, "map the ring: %d", ret);
	if (ret)
		goto out;
	ret = iommu_dma_map(ctx, nic.id, BUF_PA, RING_LEN * BUF_SIZE,
			    IOMMU_READ | IOMMU_WRITE, &buf_iova);
	CHECK(ret == 0, "map the buffers: %d", ret);
	if (ret)
		goto out;
	printf("  ring  PA 0x%" PRIx64 " -> IOVA 0x%" PRIx64 "\n", RING_PA,
	       ring_iova);
	printf("  bufs  PA 0x%" PRIx64 " -> IOVA 0x%" PRIx64 "\n", BUF_PA,
	       buf_iova);
	ring = (struct rx_desc *)(ram + RING_PA);
	for (unsigned int i = 0; i < RING_LEN; i++)
		ring[i] = (struct rx_desc){.addr = buf_iova + i * BUF_SIZE,
					   .len = BUF_SIZE};
	/* Descriptor 3 holds an IOVA nobody mapped: a driver bug, or a
	 * guest attacking the VMM. */
	ring[3].addr = BAD_IOVA;
	nic.ring_iova = ring_iova; /* the driver's doorbell register write */

	/* The NIC receives four packets. */
	for (unsigned int i = 0; i < 4; i++) {
		int len = snprintf(pkt, sizeof(pkt), "packet %u", i);

		ret = nic_receive(&nic, pkt, (uint32_t)len + 1);
		if (i == 3) {
			CHECK(ret == -EFAULT, "DMA to 0x%llx: %d, want -EFAULT",
			      BAD_IOVA, ret);
			continue;
		}
		CHECK(ret == 0, "receive %u: %d", i, ret);
		/* What the NIC wrote is in the VMM's RAM, at the PA the
		 * driver mapped. */
		CHECK(!strcmp((char *)bufs + i * BUF_SIZE, pkt),
		      "buffer %u holds '%.16s'", i,
		      (char *)bufs + i * BUF_SIZE);
		CHECK(ring[i].flags == RX_DONE &&
			  ring[i].len == (uint32_t)len + 1,
		      "descriptor %u: flags %u len %u", i, ring[i].flags,
		      ring[i].len);
	}
	CHECK(ring[3].flags == RX_ERR, "descriptor 3 flags %u", ring[3].flags);
	CHECK(seen.count == 1, "%u faults reported, want 1", seen.count);
	CHECK(seen.last.dev_id == nic.id &&
		  (seen.last.flags & IOMMU_FAULT_F_ADDR_VALID) &&
		  (seen.last.addr & ~0xfffull) == BAD_IOVA &&
		  seen.last.reason == IOMMU_FAULT_NOT_MAPPED &&
		  (seen.last.access & IOMMU_ACCESS_WRITE),
	      "the fault is not the NIC's write to 0x%llx", BAD_IOVA);

	/* The driver takes the buffers back: from now on the NIC cannot
	 * reach them, and trying faults again. */
	ret = iommu_dma_unmap(ctx, nic.id, buf_iova, RING_LEN * BUF_SIZE);
	CHECK(ret == 0, "unmap the buffers: %d", ret);
	ring[4].flags = 0;
	nic.next = 4;
	ret = nic_receive(&nic, "late", 5);
	CHECK(ret == -EFAULT, "DMA after unmap: %d, want -EFAULT", ret);
	CHECK(seen.count == 2, "%u faults after the unmap, want 2", seen.count);
	CHECK(bufs[4 * BUF_SIZE] == 0, "DMA landed after unmap");
	ret = iommu_dma_unmap(ctx, nic.id, ring_iova, 4096);
	CHECK(ret == 0, "unmap the ring: %d", ret);

	/* The counters: translations the NIC asked for, faults. */
	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	if (!iommu_get_stats(ctx, &st))
		printf("  stats: %" PRIu64 " translations, %" PRIu64
		       " faults reported\n",
		       st.v[IOMMU_STAT_TRANSLATIONS],
		       st.v[IOMMU_STAT_FAULTS_REPORTED]);
	ret = 0;
out:
	if (ret)
		failures++;
	iommu_ctx_destroy(ctx);
	/* The banks are the VMM's: unmapped once the library is gone. */
	if (hot) {
		munmap(hot, HOT_SIZE);
		close(hot_fd);
	}
	munmap(ram, RAM_SIZE);
	close(fd);
	printf("nic-dma: %s\n", failures ? "FAIL" : "OK");
	return failures ? 1 : 0;
}
