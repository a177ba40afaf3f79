// SPDX-License-Identifier: MIT
/*
 * fuzz_drv.c - libFuzzer target: the library's drivers against hostile
 * hardware.
 *
 * The driver context (A) is bound to a bus of this file
 * (iommu_ctx_opts.bus).  Behind the bus is an honest device model of the
 * same backend: a second context (B, IOMMU_CTX_NO_DRIVER) over the same
 * guest RAM, whose interrupts the bus hands to A's driver
 * (iommu_ctx_irq).  Every bus operation (register read, register write,
 * translation) first takes one control byte from the input and may lie:
 *
 *   bits 2:0  0-3 honest; 4 the value XOR a u64 of the input; 5 a u64 of
 *             the input instead (a write: dropped, the hardware ignores
 *             it); 6 -EIO; 7 all ones (a write: done twice)
 *   bit 6     also raise an interrupt on A's driver (u8 vector % 64)
 *   bit 7     also write a u64 of the input into the table range at a u32
 *             offset of the input (a queue entry, a completion word, an
 *             event record, a used ring: what the hardware writes)
 *
 * A translation's lies: 4 a physical address and length of the input
 * (anywhere, beyond RAM too), 5 -EFAULT, 6 a return value of the input,
 * 7 a length beyond what was asked.  When the input has ended every
 * operation is honest.
 *
 * The first input byte picks the backend (bits 1:0: vtd, smmuv3, amdvi,
 * virtio) and a variant (bit 2 identity default domains, bit 3 deferred
 * invalidation, bit 4 the backend's other table format: VT-d legacy mode,
 * SMMUv3 stage-2 paging domains, AMD-Vi v2 tables, virtio 16-entry
 * queues).  Then a fixed scenario runs: create, a fault handler, an
 * UNMANAGED domain, attach, map, DMA through it and past it, unmap, the
 * DMA API on the default domain, detach, free, destroy.  The driver must
 * fail cleanly or time out: every INI sets timeout_polls small, and a
 * driver that keeps going after FD_SOFT_OPS bus operations gets -EIO for
 * each; one that still goes on past FD_HARD_OPS does not stop, and the
 * target aborts (a finding).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"

#define FD_SOFT_OPS 100000u
#define FD_HARD_OPS 1000000u
#define FD_DATA	    0x10000ull /* data pages the scenario maps */

struct fd_backend {
	const char *name;
	const char *ids[2]; /* INI ids of the two devices */
	uint32_t dev[2];
	uint64_t ram_size, table_base, table_size;
	const char *keys;  /* always */
	const char *other; /* the variant's bit-4 keys */
};

static const struct fd_backend fd_backends[4] = {
	{ "vtd", { "00:01.0", "00:02.0" }, { 0x08, 0x10 }, 2ull << 20,
	  1ull << 20, 1ull << 20, "",
	  "scalable_mode = no\ntranslation = legacy\n" },
	{ "smmuv3", { "0x08", "0x10" }, { 0x08, 0x10 }, 2ull << 20,
	  1ull << 20, 1ull << 20, "", "paging_stage = stage2\n" },
	{ "amdvi", { "00:01.0", "00:02.0" }, { 0x08, 0x10 }, 8ull << 20,
	  4ull << 20, 4ull << 20, "", "pgtable = v2\n" },
	{ "virtio", { "0x08", "0x10" }, { 0x08, 0x10 }, 2ull << 20,
	  1ull << 20, 1ull << 20,
	  /* a small domain-ID space: the driver's ID allocator is sized
	   * by it, and 2^32 IDs cost ~100 ms per input under ASan */
	  "domain_end = 1023\n", "queue_max = 16\n" },
};

struct fd_state {
	struct fz_in in; /* the lies */
	const struct fd_backend *be;
	struct iommu_ctx *hw;  /* B: the honest model */
	struct iommu_ctx *drv; /* A: NULL until created, and while destroyed */
	uint8_t *ram;
	unsigned long ops;
};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The side effects of a control byte's high bits. */
static void fd_extra(struct fd_state *st, uint8_t c)
{
	if (c & 0x40) {
		uint8_t vec = fz_u8(&st->in);

		if (st->drv)
			(void)iommu_ctx_irq(st->drv, vec % 64);
	}
	if (c & 0x80) {
		uint32_t off = fz_u32(&st->in);
		uint64_t v = fz_u64(&st->in);
		uint64_t pa = st->be->table_base +
			      ((off % st->be->table_size) & ~7ull);

		memcpy(st->ram + pa, &v, sizeof(v)); /* RAM is little-endian */
	}
}

/* The next control byte, or -EIO for a driver past FD_SOFT_OPS. */
static int fd_control(struct fd_state *st, uint8_t *c)
{
	if (++st->ops > FD_HARD_OPS) {
		fprintf(stderr, "fuzz_drv: %s driver still on the bus after %u "
			"operations (-EIO since %u)\n", st->be->name,
			FD_HARD_OPS, FD_SOFT_OPS);
		abort();
	}
	if (st->ops > FD_SOFT_OPS)
		return -EIO;
	*c = fz_u8(&st->in);
	return 0;
}

static int fd_mmio_read(void *opaque, uint64_t off, unsigned int size,
			uint64_t *val)
{
	struct fd_state *st = opaque;
	uint8_t c;
	int ret = fd_control(st, &c);

	if (ret)
		return ret;
	ret = iommu_hw_mmio_read(st->hw, off, size, val);
	switch (c & 7) {
	case 4:
		*val ^= fz_u64(&st->in);
		break;
	case 5:
		*val = fz_u64(&st->in);
		break;
	case 6:
		ret = -EIO;
		break;
	case 7:
		*val = ~0ull;
		break;
	}
	if (size < 8)
		*val &= (1ull << (8 * size)) - 1;
	fd_extra(st, c);
	return ret;
}

static int fd_mmio_write(void *opaque, uint64_t off, unsigned int size,
			 uint64_t val)
{
	struct fd_state *st = opaque;
	uint8_t c;
	int ret = fd_control(st, &c);

	if (ret)
		return ret;
	switch (c & 7) {
	case 4:
		val ^= fz_u64(&st->in);
		if (size < 8)
			val &= (1ull << (8 * size)) - 1;
		/* fall through */
	default:
		ret = iommu_hw_mmio_write(st->hw, off, size, val);
		break;
	case 5:
		break;
	case 6:
		ret = -EIO;
		break;
	case 7:
		ret = iommu_hw_mmio_write(st->hw, off, size, val);
		if (!ret)
			ret = iommu_hw_mmio_write(st->hw, off, size, val);
		break;
	}
	fd_extra(st, c);
	return ret;
}

static int fd_translate(void *opaque, uint32_t dev_id, uint32_t pasid,
			uint64_t iova, uint64_t len, unsigned int access,
			struct iommu_translation *out)
{
	struct fd_state *st = opaque;
	uint8_t c;
	int ret = fd_control(st, &c);

	if (ret)
		return ret;
	ret = iommu_dma_translate(st->hw, dev_id, pasid, iova, len, access,
				  out);
	switch (c & 7) {
	case 4:
		out->phys = fz_u64(&st->in);
		out->len = (uint64_t)fz_u16(&st->in) + 1;
		out->perm = fz_u8(&st->in) & 7;
		ret = 0;
		break;
	case 5:
		ret = -EFAULT;
		break;
	case 6:
		ret = (int)(int8_t)fz_u8(&st->in);
		break;
	case 7:
		out->len = len + 1 + fz_u16(&st->in);
		break;
	}
	fd_extra(st, c);
	return ret;
}

static const struct iommu_bus_ops fd_bus = {
	.mmio_read = fd_mmio_read,
	.mmio_write = fd_mmio_write,
	.translate = fd_translate,
};

/* B's interrupts go to A's driver, as a VMM forwards its hardware's. */
static void fd_irq(void *cookie, unsigned int vector)
{
	struct fd_state *st = cookie;

	if (st->drv)
		(void)iommu_ctx_irq(st->drv, vector);
}

static void fd_log(void *cookie, enum iommu_log_level level, const char *msg)
{
	(void)cookie, (void)level, (void)msg;
}

static int fd_fault(struct iommu_ctx *ctx, const struct iommu_fault *f,
		    void *cookie)
{
	(void)ctx, (void)f, (void)cookie;
	return 0;
}

static int fd_create(struct fd_state *st, const char *ini, bool driver,
		     struct iommu_ctx **out)
{
	struct iommu_ram_region r = {
		.base = 0, .size = st->be->ram_size, .host = st->ram,
	};
	struct iommu_ctx_opts o;
	char err[256] = "";

	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	o.ini_string = ini;
	o.log = fd_log;
	o.log_level = IOMMU_LOG_ERR;
	o.ram = &r;
	o.nr_ram = 1;
	o.errbuf = err;
	o.errbuf_len = sizeof(err);
	if (driver) {
		o.bus = &fd_bus;
		o.bus_opaque = st;
		return iommu_ctx_create(&o, out);
	}
	o.flags = IOMMU_CTX_NO_DRIVER | IOMMU_CTX_NO_HINT;
	o.irq = fd_irq;
	o.irq_cookie = st;
	if (iommu_ctx_create(&o, out)) {
		fprintf(stderr, "fuzz_drv: the model refused the INI: %s\n",
			err);
		abort(); /* the target's own INI: a bug of the target */
	}
	return 0;
}

/* FUZZ_STATS set: each step's result on stderr (is the honest run deep?) */
static int fd_step(const char *what, int ret)
{
	static int on = -1;

	if (on < 0)
		on = getenv("FUZZ_STATS") != NULL;
	if (on)
		fprintf(stderr, "fuzz_drv: %s: %d\n", what, ret);
	return ret;
}

/* The fixed scenario against A; every step may fail. */
static void fd_scenario(struct fd_state *st)
{
	struct iommu_ctx *ctx = st->drv;
	const uint32_t *dev = st->be->dev;
	struct iommu_domain *d = NULL;
	struct iommu_translation tr;
	uint8_t buf[0x1800];
	uint64_t n, phys, iova;

	(void)iommu_set_ctx_fault_handler(ctx, fd_fault, NULL);
	if (!fd_step("alloc", iommu_domain_alloc(ctx, IOMMU_DOMAIN_UNMANAGED,
						 &d))) {
		fd_step("attach", iommu_attach_device(d, dev[0]));
		fd_step("map", iommu_map(d, 0x100000, FD_DATA, 0x2000,
					 IOMMU_READ | IOMMU_WRITE));
		fd_step("map ro", iommu_map(d, 0x200000, FD_DATA, 0x1000,
					    IOMMU_READ));
		memset(buf, 0x5a, sizeof(buf));
		fd_step("dma write", iommu_dma_write(ctx, dev[0],
						     IOMMU_NO_PASID, 0x100800,
						     buf, sizeof(buf)));
		fd_step("dma read (faults)",
			iommu_dma_read(ctx, dev[0], IOMMU_NO_PASID, 0x1ff000,
				       buf, sizeof(buf)));
		fd_step("write ro (faults)",
			iommu_dma_translate(ctx, dev[0], IOMMU_NO_PASID,
					    0x200000, 8, IOMMU_ACCESS_WRITE,
					    &tr));
		fd_step("iova_to_phys", iommu_iova_to_phys(d, 0x101000,
							   &phys));
		fd_step("unmap", iommu_unmap(d, 0x100000, 0x2000, &n));
		fd_step("dma read (faults)",
			iommu_dma_read(ctx, dev[0], IOMMU_NO_PASID, 0x100000,
				       buf, 16));
		fd_step("detach", iommu_detach_device(d, dev[0]));
		fd_step("free", iommu_domain_free(d));
	}
	if (!fd_step("dma_map", iommu_dma_map(ctx, dev[1], FD_DATA, 0x1000,
					      IOMMU_READ | IOMMU_WRITE,
					      &iova))) {
		fd_step("dma write", iommu_dma_write(ctx, dev[1],
						     IOMMU_NO_PASID, iova,
						     buf, 64));
		fd_step("dma_unmap", iommu_dma_unmap(ctx, dev[1], iova,
						     0x1000));
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fz_keep_plugins();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fd_state st;
	char ini[1024];
	uint8_t v;

	if (!size)
		return 0;
	memset(&st, 0, sizeof(st));
	fz_init(&st.in, data, size);
	v = fz_u8(&st.in);
	st.be = &fd_backends[v & 3];
	snprintf(ini, sizeof(ini),
		 "[iommu]\nbackend = %s\ndefault_domain = %s\n"
		 "invalidation = %s\n"
		 "[memory]\ntable_base = %#llx\ntable_size = %#llx\n"
		 "[device.a]\nid = %s\n[device.b]\nid = %s\n"
		 "[%s]\ntimeout_polls = 8\n%s%s",
		 st.be->name, v & 4 ? "identity" : "dma",
		 v & 8 ? "deferred" : "strict",
		 (unsigned long long)st.be->table_base,
		 (unsigned long long)st.be->table_size, st.be->ids[0],
		 st.be->ids[1], st.be->name, st.be->keys,
		 v & 16 ? st.be->other : "");
	/* Exactly the RAM's size: ASan stops any access past it. */
	st.ram = calloc(1, st.be->ram_size);
	if (!st.ram)
		return 0;
	fd_create(&st, ini, false, &st.hw);
	{
		struct iommu_ctx *a = NULL;

		if (!fd_step("create", fd_create(&st, ini, true, &a))) {
			st.drv = a;
			fd_scenario(&st);
			st.drv = NULL; /* no interrupt reaches it from here */
			iommu_ctx_destroy(a);
		}
	}
	iommu_ctx_destroy(st.hw);
	free(st.ram);
	fd_step("bus operations", (int)st.ops);
	return 0;
}
