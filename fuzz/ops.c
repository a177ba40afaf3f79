// SPDX-License-Identifier: MIT
/*
 * ops.c - the operation stream of the guest-facing fuzz targets (ops.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"

void fz_init(struct fz_in *in, const uint8_t *data, size_t size)
{
	in->p = data;
	in->n = size;
	in->eof = 0;
}

static uint64_t fz_le(struct fz_in *in, unsigned int bytes)
{
	uint64_t v = 0;
	unsigned int i;

	if (in->n < bytes) {
		in->eof = 1;
		in->p += in->n;
		in->n = 0;
		return 0;
	}
	for (i = 0; i < bytes; i++)
		v |= (uint64_t)in->p[i] << (8 * i);
	in->p += bytes;
	in->n -= bytes;
	return v;
}

uint8_t fz_u8(struct fz_in *in)
{
	return (uint8_t)fz_le(in, 1);
}

uint16_t fz_u16(struct fz_in *in)
{
	return (uint16_t)fz_le(in, 2);
}

uint32_t fz_u32(struct fz_in *in)
{
	return (uint32_t)fz_le(in, 4);
}

uint64_t fz_u64(struct fz_in *in)
{
	return fz_le(in, 8);
}

const uint8_t *fz_bytes(struct fz_in *in, size_t len, size_t *got)
{
	const uint8_t *p = in->p;

	if (len > in->n) {
		len = in->n;
		in->eof = 1;
	}
	in->p += len;
	in->n -= len;
	*got = len;
	return p;
}

/* Bytes the DMA operations read into and write from. */
static uint8_t fz_dma_buf[FZ_DMA_MAX];

/* FUZZ_STATS: 1 prints the stats after each input, 2 also each DMA
 * operation's result (to see where a seed goes). */
static int fz_verbose(void)
{
	static int v = -1;

	if (v < 0)
		v = getenv("FUZZ_STATS") ? atoi(getenv("FUZZ_STATS")) : 0;
	return v;
}

static uint32_t fz_dev(const struct fz_target *t, uint8_t d)
{
	return d < t->ndevs ? t->devs[d] : d;
}

static unsigned int fz_access(uint8_t attr, unsigned int rw)
{
	unsigned int a = rw;

	if (attr & FZ_A_PRIV)
		a |= IOMMU_ACCESS_PRIV;
	if (attr & FZ_A_EXEC)
		a |= IOMMU_ACCESS_EXEC;
	if (attr & FZ_A_TRANSLATED)
		a |= IOMMU_ACCESS_TRANSLATED;
	return a;
}

/* FZ_XLATE, FZ_DMA_RD, FZ_DMA_WR: the same fields. */
static void fz_dma(const struct fz_target *t, struct fz_in *in, unsigned int op)
{
	uint8_t d = fz_u8(in), attr = fz_u8(in);
	uint32_t pasid = fz_u32(in);
	uint64_t iova = fz_u64(in);
	uint16_t len = fz_u16(in);
	uint32_t dev = fz_dev(t, d);
	struct iommu_translation tr;
	int ret;

	if (in->eof)
		return;
	if (!(attr & FZ_A_PASID))
		pasid = IOMMU_NO_PASID;
	memset(&tr, 0, sizeof(tr));
	if (op == FZ_XLATE) {
		unsigned int rw =
		    attr & FZ_A_WRITE ? IOMMU_ACCESS_WRITE : IOMMU_ACCESS_READ;

		ret = iommu_dma_translate(t->ctx, dev, pasid, iova,
					  len ? len : 1, fz_access(attr, rw),
					  &tr);
	} else if (op == FZ_DMA_RD) {
		len %= FZ_DMA_MAX + 1;
		ret = iommu_dma_read(t->ctx, dev, pasid, iova, fz_dma_buf, len);
	} else {
		len %= FZ_DMA_MAX + 1;
		ret = iommu_dma_write(t->ctx, dev, pasid, iova, fz_dma_buf,
				      len);
	}
	if (fz_verbose() > 1)
		fprintf(stderr, "op %u dev %#x attr %#x pasid %#x iova %#llx: "
			"%d phys %#llx\n", op, dev, attr, pasid,
			(unsigned long long)iova, ret,
			(unsigned long long)tr.phys);
}

/* FUZZ_STATS: print the context's stats after each input, to see how
 * deep a seed gets (translations, walks, queue commands, faults). */
static void fz_report(struct iommu_ctx *ctx)
{
	struct iommu_stats st = { .size = sizeof(st) };
	unsigned int i;

	if (!fz_verbose() || iommu_get_stats(ctx, &st))
		return;
	for (i = 0; i < IOMMU_STAT_COUNT; i++)
		if (st.v[i])
			fprintf(stderr, "%s=%llu ", iommu_stat_name(i),
				(unsigned long long)st.v[i]);
	fprintf(stderr, "\n");
}

void fz_run(const struct fz_target *t, struct fz_in *in)
{
	unsigned int nops = 0;
	uint64_t pa_mod = 2 * t->ram_size;
	uint64_t hi = 0; /* FZ_MMIO_HI */

	while (in->n && nops++ < FZ_MAX_OPS) {
		unsigned int op = fz_u8(in) % FZ_OP_COUNT;
		uint16_t off, len;
		uint8_t sz, byte;
		uint64_t v, pa;
		const uint8_t *b;
		size_t got;
		uint8_t fill[4096];
		struct iommu_stats st = { .size = sizeof(st) };

		switch (op) {
		case FZ_MMIO_WR:
			off = fz_u16(in);
			sz = fz_u8(in);
			v = fz_u64(in);
			if (!in->eof)
				(void)iommu_hw_mmio_write(t->ctx, hi + off,
							  1u << (sz & 3), v);
			break;
		case FZ_MMIO_WR32:
			off = fz_u16(in);
			v = fz_u32(in);
			if (!in->eof)
				(void)iommu_hw_mmio_write(t->ctx, hi + off, 4,
							  v);
			break;
		case FZ_MMIO_RD:
			off = fz_u16(in);
			sz = fz_u8(in);
			if (!in->eof)
				(void)iommu_hw_mmio_read(t->ctx, hi + off,
							 1u << (sz & 3), &v);
			break;
		case FZ_MEM_WR:
			pa = fz_u32(in) % pa_mod;
			len = fz_u8(in);
			b = fz_bytes(in, len, &got);
			if (got)
				(void)iommu_mem_write(t->ctx, pa, b, got);
			break;
		case FZ_MEM_WR64:
			pa = fz_u32(in) % pa_mod;
			v = fz_u64(in);
			if (!in->eof) {
				uint8_t le[8];

				for (unsigned int i = 0; i < 8; i++)
					le[i] = (uint8_t)(v >> (8 * i));
				(void)iommu_mem_write(t->ctx, pa, le, 8);
			}
			break;
		case FZ_MEM_FILL:
			pa = fz_u32(in) % pa_mod;
			len = fz_u16(in);
			byte = fz_u8(in);
			if (in->eof)
				break;
			memset(fill, byte, sizeof(fill));
			while (len) {
				uint16_t n =
				    len < sizeof(fill) ? len : sizeof(fill);

				if (iommu_mem_write(t->ctx, pa, fill, n))
					break;
				pa += n;
				len -= n;
			}
			break;
		case FZ_NOTIFY:
			sz = fz_u8(in);
			if (!in->eof)
				(void)iommu_hw_notify(t->ctx, sz);
			break;
		case FZ_XLATE:
		case FZ_DMA_RD:
		case FZ_DMA_WR:
			fz_dma(t, in, op);
			break;
		case FZ_STATS:
			(void)iommu_get_stats(t->ctx, &st);
			break;
		case FZ_MMIO_HI:
			hi = (uint64_t)fz_u16(in) << 16;
			break;
		}
	}
	fz_report(t->ctx);
}

static void fz_log(void *cookie, enum iommu_log_level level, const char *msg)
{
	(void)cookie, (void)level, (void)msg;
}

static void fz_irq(void *cookie, unsigned int vector)
{
	(void)cookie, (void)vector;
}

static void fz_msi(void *cookie, uint32_t dev_id, uint64_t addr, uint32_t data)
{
	(void)cookie, (void)dev_id, (void)addr, (void)data;
}

struct iommu_ctx *fz_ram_ctx(const char *ini, uint64_t ram_size, void **ram)
{
	struct iommu_ram_region r;
	struct iommu_ctx_opts o;
	struct iommu_ctx *ctx = NULL;
	char err[256] = "";
	int ret;

	/* Exactly @ram_size bytes: ASan stops any access past the end. */
	*ram = calloc(1, ram_size);
	if (!*ram)
		return NULL;
	r.base = 0;
	r.size = ram_size;
	r.host = *ram;
	memset(&o, 0, sizeof(o));
	o.ini_string = ini;
	o.log = fz_log;
	o.log_level = IOMMU_LOG_ERR;
	o.ram = &r;
	o.nr_ram = 1;
	o.irq = fz_irq;
	o.msi = fz_msi;
	o.flags = IOMMU_CTX_NO_DRIVER;
	o.errbuf = err;
	o.errbuf_len = sizeof(err);
	ret = iommu_ctx_create(&o, &ctx);
	if (ret) {
		fprintf(stderr,
			"fuzz: the target's own INI was refused: %d %s\n", ret,
			err);
		free(*ram);
		*ram = NULL;
		abort();
	}
	return ctx;
}

int fz_guest(const char *ini, uint64_t ram_size, const uint32_t *devs,
	     unsigned int ndevs, struct fz_in *in)
{
	struct fz_target t = {.ram_size = ram_size, .devs = devs,
			      .ndevs = ndevs};
	void *ram;

	t.ctx = fz_ram_ctx(ini, ram_size, &ram);
	if (!t.ctx)
		return 0;
	fz_run(&t, in);
	iommu_ctx_destroy(t.ctx);
	free(ram);
	return 0;
}

void fz_keep_plugins(void)
{
	setenv("IOMMU_NO_DLCLOSE", "1", 1);
}
