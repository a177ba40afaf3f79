/* SPDX-License-Identifier: MIT */
/*
 * ops.h - the operation stream the guest-facing fuzz targets share.
 *
 * A fuzz input is one variant byte (the target picks its INI from it),
 * then operations until the input ends.  Every operation is an opcode
 * byte (taken modulo FZ_OP_COUNT) and its fields, little-endian; a field
 * cut off by the end of the input reads as zero and ends the stream.
 *
 *   FZ_MMIO_WR    u16 off, u8 size (1 << (n & 3)), u64 value
 *   FZ_MMIO_RD    u16 off, u8 size
 *   FZ_MEM_WR     u32 pa, u8 len, len bytes
 *   FZ_MEM_WR64   u32 pa, u64 value
 *   FZ_MEM_FILL   u32 pa, u16 len, u8 byte
 *   FZ_NOTIFY     u8 queue
 *   FZ_XLATE      u8 dev, u8 attr, u32 pasid, u64 iova, u16 len
 *   FZ_DMA_RD     the same fields; len taken modulo FZ_DMA_MAX + 1
 *   FZ_DMA_WR     the same fields
 *   FZ_MMIO_WR32  u16 off, u32 value (a 4-byte register write)
 *   FZ_STATS      no fields: iommu_get_stats()
 *   FZ_MMIO_HI    u16 hi: the MMIO operations after it reach (hi << 16) +
 *                 off (SMMUv3's page 1 is hi 1); 0 at the start
 *
 * pa is taken modulo twice the RAM size, so that half of the writes land
 * in guest RAM and the rest test the core's bounds check.  dev below the
 * target's device count names a configured device, any other value is
 * used as the device ID itself (an unknown device).  attr: FZ_A_* bits.
 *
 * The corpus generator (fuzz/gen_corpus.py) writes the same encoding.
 */
#ifndef FUZZ_OPS_H
#define FUZZ_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "iommu/iommu.h"

enum fz_op {
	FZ_MMIO_WR = 0,
	FZ_MMIO_RD = 1,
	FZ_MEM_WR = 2,
	FZ_MEM_WR64 = 3,
	FZ_MEM_FILL = 4,
	FZ_NOTIFY = 5,
	FZ_XLATE = 6,
	FZ_DMA_RD = 7,
	FZ_DMA_WR = 8,
	FZ_MMIO_WR32 = 9,
	FZ_STATS = 10,
	FZ_MMIO_HI = 11,
	FZ_OP_COUNT
};

/* attr bits of FZ_XLATE / FZ_DMA_* */
#define FZ_A_WRITE	(1u << 0) /* FZ_XLATE: a write (else a read) */
#define FZ_A_PASID	(1u << 1) /* with the PASID field (else none) */
#define FZ_A_PRIV	(1u << 2) /* IOMMU_ACCESS_PRIV */
#define FZ_A_EXEC	(1u << 3) /* IOMMU_ACCESS_EXEC */
#define FZ_A_TRANSLATED (1u << 4) /* IOMMU_ACCESS_TRANSLATED */

/* Largest DMA one operation does. */
#define FZ_DMA_MAX 8192u
/* Operations one input runs at most (keeps an input's time bounded). */
#define FZ_MAX_OPS 4096u

/* A reader over the input. */
struct fz_in {
	const uint8_t *p;
	size_t n;
	int eof; /* a read went past the end */
};

void fz_init(struct fz_in *in, const uint8_t *data, size_t size);
uint8_t fz_u8(struct fz_in *in);
uint16_t fz_u16(struct fz_in *in);
uint32_t fz_u32(struct fz_in *in);
uint64_t fz_u64(struct fz_in *in);
/* Up to @len bytes in place; *@got says how many there were. */
const uint8_t *fz_bytes(struct fz_in *in, size_t len, size_t *got);

/**
 * struct fz_target - what one guest-facing target runs the stream against
 * @ctx: the context (IOMMU_CTX_NO_DRIVER)
 * @ram_size: bytes of guest RAM at physical 0
 * @devs, @ndevs: the configured device IDs
 */
struct fz_target {
	struct iommu_ctx *ctx;
	uint64_t ram_size;
	const uint32_t *devs;
	unsigned int ndevs;
};

/* Run operations from @in until it ends (or FZ_MAX_OPS). */
void fz_run(const struct fz_target *t, struct fz_in *in);

/**
 * fz_ram_ctx() - a NO_DRIVER context over exactly @ram_size bytes of RAM
 * @ini: the INI text (its [memory] gives only the table range)
 * @ram: receives the malloc'd RAM (zeroed; free it after destroying)
 * Return: the context, or NULL when the INI is refused (that is a bug of
 * the target: its INIs are valid) or memory ran out.
 */
struct iommu_ctx *fz_ram_ctx(const char *ini, uint64_t ram_size, void **ram);

/**
 * fz_guest() - one input of a guest target: a context over exactly
 * @ram_size bytes of RAM from @ini, the operations of @in against it,
 * then everything freed.  Return: 0 (libFuzzer's "keep going").
 */
int fz_guest(const char *ini, uint64_t ram_size, const uint32_t *devs,
	     unsigned int ndevs, struct fz_in *in);

/* LLVMFuzzerInitialize's work: one mapping of each plugin for the whole
 * run, so coverage counters and sanitizer reports keep naming its code. */
void fz_keep_plugins(void);

#endif /* FUZZ_OPS_H */
