/* SPDX-License-Identifier: MIT */
/*
 * vguest.h - a minimal guest-side virtio-iommu driver for the vendor tests.
 *
 * The tests create a context with IOMMU_CTX_NO_DRIVER, so nothing in the
 * library drives the device model: this helper does, the way a guest
 * kernel would.  It writes descriptor tables, available rings and request
 * bytes into the context's RAM with iommu_mem_write(), programs the
 * virtio-mmio window with iommu_hw_mmio_read/write(), rings QueueNotify
 * and reads the used ring back.  It never uses plugins/virtio/drv_*.c, so a
 * misreading of the spec in the driver cannot hide one in the model.
 *
 * Guest physical layout (RAM is [0, 64 MiB)):
 *   0x0010000  free for tests that place buffers themselves (V11)
 *   0x0100000  request queue: descriptors, avail (+0x20000), used (+0x30000)
 *   0x0140000  event queue: the same layout
 *   0x0200000  request buffers (readable part, then writable part)
 *   0x0300000  batch tails (16 bytes per chain)
 *   0x0400000  event buffers (64 bytes apart)
 *   0x0500000  indirect tables and other scratch
 *   0x3000000  the core's table range (16 MiB)
 *
 * Context: single-threaded test code; every helper asserts with Criterion
 * when the transport itself misbehaves.
 */
#ifndef VGUEST_H
#define VGUEST_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommu/iommu.h"
#include "regs.h"

#define VG_RAM_SIZE   (64ull << 20)
#define VG_FREE_BASE  0x0010000ull
#define VG_RQ_BASE    0x0100000ull
#define VG_EQ_BASE    0x0140000ull
#define VG_REQ_RD     0x0200000ull
#define VG_REQ_WR     0x0280000ull
#define VG_BATCH_TAIL 0x0300000ull
#define VG_EVT_BUF    0x0400000ull
#define VG_SCRATCH    0x0500000ull
#define VG_AVAIL_OFF  0x20000ull
#define VG_USED_OFF   0x30000ull

/* Byte the helper fills writable buffers with, to see what was written. */
#define VG_POISON 0xee

/* Results of a request besides a status byte (0..255). */
#define VG_NOUSED (-1) /* the device returned no used element */
#define VG_LEN0   (-2) /* used element with length 0 */
#define VG_BADLEN (-3) /* used length neither 0 nor the expected size */

/* Default features the helper accepts: everything the model offers. */
#define VG_ALL_FEATURES UINT64_MAX

/**
 * struct vg_opts - how vg_setup() builds the context and the device
 * @virtio_ini: extra "key = value" lines of the [virtio] section (or NULL)
 * @accept: feature bits the helper accepts (masked by what is offered);
 *          0 means VG_ALL_FEATURES
 * @rq_num, @eq_num: queue sizes; 0 means 256 and 64
 * @bypass: -1 leave config bypass alone, 0 or 1 write it after DRIVER_OK
 * @evt_bufs: event buffers to post after DRIVER_OK
 * @evt_size: their size; 0 means 24
 * @rq_avail, @rq_used: place the request queue's rings elsewhere (0: the
 *          default layout); a ring outside RAM is not cleared
 * @ctx_flags: IOMMU_CTX_* besides IOMMU_CTX_NO_DRIVER (e.g. NO_HINT)
 */
struct vg_opts {
	uint64_t rq_avail;
	uint64_t rq_used;
	const char *virtio_ini;
	unsigned int ctx_flags;
	uint64_t accept;
	uint16_t rq_num;
	uint16_t eq_num;
	int bypass;
	unsigned int evt_bufs;
	uint32_t evt_size;
};

struct vg_queue {
	uint16_t num;       /* queue size programmed into QueueNum */
	uint64_t desc;      /* GPA of the descriptor table */
	uint64_t avail;     /* GPA of the available ring */
	uint64_t used;      /* GPA of the used ring */
	uint16_t avail_idx; /* next avail.idx the helper publishes */
	uint16_t used_seen; /* used.idx the helper has consumed */
};

struct vg {
	struct iommu_ctx *ctx;
	uint64_t dev_features; /* what the device offers */
	uint64_t features;     /* what was negotiated */
	struct vg_queue q[2];
	unsigned int irqs;      /* interrupts seen through opts.irq */
	unsigned int last_vector;
	uint32_t probe_size;   /* from config space */
	struct vg_opts opts;   /* what vg_setup() was given */
	char err[256];
};


/* The default options: all features, bypass left alone, 8 event buffers. */
struct vg_opts vg_default_opts(void);

/* Create the context (endpoints 0x8, 0x10, 0x18, 0x20) and run vg_init().
 * Asserts on failure. */
void vg_setup(struct vg *g, const struct vg_opts *o);
/* Create only the context; 0 or the error of iommu_ctx_create(). */
int vg_create_ctx(struct vg *g, const char *virtio_ini);
/* The same with IOMMU_CTX_* @flags besides IOMMU_CTX_NO_DRIVER. */
int vg_create_ctx_flags(struct vg *g, const char *virtio_ini,
			unsigned int flags);
void vg_teardown(struct vg *g);

/* Status handshake, feature negotiation, both queues, DRIVER_OK. */
void vg_init(struct vg *g, const struct vg_opts *o);
/* Write Status 0 and forget the helper's queue state. */
void vg_reset(struct vg *g);

/* ---- MMIO --------------------------------------------------------- */
uint64_t vg_rd(struct vg *g, uint64_t off, unsigned int size);
void vg_wr(struct vg *g, uint64_t off, unsigned int size, uint64_t val);
static inline uint32_t vg_rd32(struct vg *g, uint64_t off)
{
	return (uint32_t)vg_rd(g, off, 4);
}
static inline void vg_wr32(struct vg *g, uint64_t off, uint32_t val)
{
	vg_wr(g, off, 4, val);
}
uint32_t vg_status_reg(struct vg *g);
uint8_t vg_cfg_bypass(struct vg *g);

/* ---- memory ------------------------------------------------------- */
void vg_mem_wr(struct vg *g, uint64_t pa, const void *buf, size_t len);
void vg_mem_rd(struct vg *g, uint64_t pa, void *buf, size_t len);
void vg_mem_fill(struct vg *g, uint64_t pa, uint8_t byte, size_t len);

/* ---- request encoders (spec 2.3); return the readable size --------- */
size_t vg_enc_attach(uint8_t b[20], uint32_t domain, uint32_t ep,
		     uint32_t flags);
size_t vg_enc_detach(uint8_t b[20], uint32_t domain, uint32_t ep);
size_t vg_enc_map(uint8_t b[36], uint32_t domain, uint64_t vstart,
		  uint64_t vend, uint64_t pstart, uint32_t flags);
size_t vg_enc_unmap(uint8_t b[28], uint32_t domain, uint64_t vstart,
		    uint64_t vend);
size_t vg_enc_probe(uint8_t b[72], uint32_t ep);
/* Descriptor (spec 7.1) and its store in queue @q's table. */
void vg_enc_desc(uint8_t b[16], uint64_t addr, uint32_t len, uint16_t flags,
		 uint16_t next);
void vg_desc(struct vg *g, unsigned int q, uint16_t i, uint64_t addr,
	     uint32_t len, uint16_t flags, uint16_t next);

/* ---- virtqueue ---------------------------------------------------- */
/* Put @head in the next avail slot and advance avail.idx (no notify). */
void vg_publish(struct vg *g, unsigned int q, uint16_t head);
void vg_kick(struct vg *g, unsigned int q);
uint16_t vg_used_idx(struct vg *g, unsigned int q);
/* Pop one used element: true and @id/@len, or false if none is new. */
bool vg_pop_used(struct vg *g, unsigned int q, uint32_t *id, uint32_t *len);
/* Write used_event (the u16 after the avail ring; EVENT_IDX). */
void vg_set_used_event(struct vg *g, unsigned int q, uint16_t ev);
/* avail_event as the device wrote it after the used ring. */
uint16_t vg_avail_event(struct vg *g, unsigned int q);

/**
 * vg_req() - one request in two descriptors: [readable][writable]
 * @rd, @rdlen: readable bytes, stored at VG_REQ_RD
 * @wr, @wrlen: receives the writable part (VG_REQ_WR, poisoned first);
 *              may be NULL
 * @used_len: receives the used length
 * Return: true if a used element came back for head 0.
 */
bool vg_req(struct vg *g, const void *rd, size_t rdlen, void *wr,
	    size_t wrlen, uint32_t *used_len);
/* Status of a request with a 4-byte tail: 0..255, VG_NOUSED, VG_LEN0 or
 * VG_BADLEN (used length not 4). */
int vg_status(struct vg *g, const void *rd, size_t rdlen);

int vg_attach(struct vg *g, uint32_t domain, uint32_t ep, uint32_t flags);
int vg_detach(struct vg *g, uint32_t domain, uint32_t ep);
int vg_map(struct vg *g, uint32_t domain, uint64_t vstart, uint64_t vend,
	   uint64_t pstart, uint32_t flags);
int vg_unmap(struct vg *g, uint32_t domain, uint64_t vstart, uint64_t vend);
/* PROBE with a writable part of probe_size + 4; @props (probe_size
 * bytes) may be NULL.  Returns the status read at offset probe_size. */
int vg_probe(struct vg *g, uint32_t ep, uint8_t *props, uint32_t *used_len);

/**
 * vg_batch() - publish @n copies of one request, kick once, reap all
 * @rd, @rdlen: the readable part, shared by every chain
 * @expect: status every tail must hold
 * Chain i uses descriptors 2i and 2i+1 and tail VG_BATCH_TAIL + 16 i, so
 * @n <= num / 2.  Asserts every answer.
 */
void vg_batch(struct vg *g, unsigned int n, const void *rd, size_t rdlen,
	      int expect);

/* ---- events ------------------------------------------------------- */
/* Post @n buffers of @size bytes at VG_EVT_BUF + 64 i (descriptor i). */
void vg_evt_post(struct vg *g, unsigned int n, uint32_t size);
/* Pop one returned event buffer into @rec (24 bytes). */
bool vg_evt_pop(struct vg *g, uint8_t rec[24], uint32_t *len);

/* ---- DMA and stats ------------------------------------------------ */
int vg_dma(struct vg *g, uint32_t ep, uint64_t iova, uint64_t len,
	   unsigned int access, struct iommu_translation *out);
uint64_t vg_stat(struct vg *g, enum iommu_stat stat);

/* After hostile input: the device must still serve ATTACH/DETACH. If it
 * flagged DEVICE_NEEDS_RESET, that is accepted only with @allow_reset. */
void vg_assert_alive(struct vg *g, bool allow_reset);

/* Parse spec-sheet hex ("01 00 ff ...") into @out; returns the count. */
size_t vg_hex(const char *s, uint8_t *out, size_t max);
/* Assert @n bytes equal, printing both in hex when they differ. */
void vg_assert_bytes(const uint8_t *got, const uint8_t *exp, size_t n,
		     const char *what);
/* Fault record fields (spec 5). */
struct vg_fault {
	uint8_t reason;
	uint32_t flags;
	uint32_t ep;
	uint64_t addr;
	bool reserved_zero; /* bytes 1..3 and 12..15 are zero */
};
void vg_fault_decode(const uint8_t rec[24], struct vg_fault *f);

/* Endpoints every context has, and one it has not. */
#define VG_EP_A 0x8u
#define VG_EP_B 0x10u
#define VG_EP_C 0x18u
#define VG_EP_D 0x20u
#define VG_EP_NONE 0x99u

/* A shared fixture: vg_g set up with vg_default_opts(). */
extern struct vg vg_g;
void vg_std_init(void);
void vg_std_fini(void);
#define VG_TEST(suite, name, ...) \
	Test(suite, name, .init = vg_std_init, .fini = vg_std_fini, ##__VA_ARGS__)

/* Short names for status codes in assertions. */
#define S_OK     VIRTIO_IOMMU_S_OK
#define S_UNSUPP VIRTIO_IOMMU_S_UNSUPP
#define S_DEVERR VIRTIO_IOMMU_S_DEVERR
#define S_INVAL  VIRTIO_IOMMU_S_INVAL
#define S_RANGE  VIRTIO_IOMMU_S_RANGE
#define S_NOENT  VIRTIO_IOMMU_S_NOENT
#define S_NOMEM  VIRTIO_IOMMU_S_NOMEM
#define MAP_R  VIRTIO_IOMMU_MAP_F_READ
#define MAP_W  VIRTIO_IOMMU_MAP_F_WRITE
#define MAP_RW (MAP_R | MAP_W)
#define PG 0x1000ull

#endif /* VGUEST_H */
