/* SPDX-License-Identifier: MIT */
/*
 * ag.h - the AMD-Vi vendor tests' own guest driver.
 *
 * Tests create a context with IOMMU_CTX_NO_DRIVER (the plugin's driver is
 * tested apart, in test_drv.c) and program the device model as a guest
 * kernel would: device-table entries, v1 / v2 page tables and GCR3
 * tables as raw little-endian bytes written with iommu_mem_write(),
 * registers through iommu_hw_mmio_*(), a command buffer and an event
 * log the helper owns.
 * Every encoder here is written from the spec sheet (shared/spec/amdvi.md)
 * and nothing is taken from plugins/amdvi/regs.h; the encoders are checked
 * against the sheet's test vectors T1-T22 (test_vectors.c).
 *
 * Guest physical layout (RAM is [0, 64 MiB)):
 *   0x0100000  device table (2 MiB: 65536 entries)
 *   0x0400000  command buffer (up to 512 KiB)
 *   0x0500000  event log (up to 512 KiB)
 *   0x0600000  COMPLETION_WAIT store words
 *   0x0800000  bump allocator for page / GCR3 tables
 *   0x2000000  data pages tests translate to
 *
 * Context: single-threaded test code; helpers assert with Criterion when
 * the hardware misbehaves at a level the test did not mean to check.
 */
#ifndef AG_H
#define AG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommu/iommu.h"

#define AG_DEVTAB   0x0100000ull
#define AG_CMDBUF   0x0400000ull
#define AG_EVTLOG   0x0500000ull
#define AG_STORE    0x0600000ull
#define AG_ALLOC    0x0800000ull
#define AG_ALLOC_END 0x2000000ull
#define AG_DATA	    0x2000000ull
#define AG_UNBACKED 0x80000000ull /* beyond RAM */
#define PG	    0x1000ull

#define DEV_A 0x0010u /* 00:02.0 */
#define DEV_B 0x0018u /* 00:03.0 */
#define DEV_C 0x0300u /* 03:00.0 */
#define DEV_D 0x0020u /* 00:04.0 */

/* ---- registers (sheet 1.1) ------------------------------------------- */
#define R_DTB	   0x0000
#define R_CMD_BASE 0x0008
#define R_EVT_BASE 0x0010
#define R_CTRL	   0x0018
#define R_EXCL_BASE 0x0020
#define R_EXCL_LIM 0x0028
#define R_EFR	   0x0030
#define R_PPR_BASE 0x0038
#define R_MSI_LO   0x015C
#define R_MSI_HI   0x0160
#define R_MSI_DATA 0x0164
#define R_EFR2	   0x01A0
#define R_CMD_HEAD 0x2000
#define R_CMD_TAIL 0x2008
#define R_EVT_HEAD 0x2010
#define R_EVT_TAIL 0x2018
#define R_STATUS   0x2020

/* Control (sheet 1.3) */
#define C_IOMMU_EN  (1ull << 0)
#define C_EVT_EN    (1ull << 2)
#define C_EVT_INT   (1ull << 3)
#define C_CW_INT    (1ull << 4)
#define C_CMD_EN    (1ull << 12)
#define C_GT_EN	    (1ull << 16)
/* Status (sheet 1.4) */
#define S_EVT_OVF   (1ull << 0)
#define S_EVT_INT   (1ull << 1)
#define S_CW_INT    (1ull << 2)
#define S_EVT_RUN   (1ull << 3)
#define S_CMD_RUN   (1ull << 4)

/* Event codes (sheet 6.2) and IO_PAGE_FAULT flags (6.4, flags field) */
#define EV_ILL_DTE  0x1u
#define EV_PF	    0x2u
#define EV_DT_HW    0x3u
#define EV_PT_HW    0x4u
#define EV_ILL_CMD  0x5u
#define EV_CMD_HW   0x6u
#define EV_BAD_REQ  0x8u
#define F_GN 0x001u
#define F_NX 0x002u
#define F_US 0x004u
#define F_I  0x008u
#define F_PR 0x010u
#define F_RW 0x020u
#define F_PE 0x040u
#define F_RZ 0x080u

struct ag {
	struct iommu_ctx *ctx;
	char err[256];
	uint64_t next_pg;
	unsigned int cmd_len, evt_len; /* log2 entries */
	uint32_t cmd_tail;	       /* byte offset */
	uint32_t evt_head;	       /* byte offset */
	uint64_t seq;
	unsigned int irqs, last_vector, irq_mask;
	unsigned int msis;
	uint64_t msi_addr;
	uint32_t msi_data;
};

/* A decoded event (sheet 6.3). */
struct ag_ev {
	unsigned int code;
	unsigned int devid;
	unsigned int domid; /* or PASID[15:0] */
	unsigned int pasid_hi;
	unsigned int flags;
	uint64_t addr;
	uint64_t raw[2];
};

/* ---- context, registers, memory --------------------------------------- */
int ag_try_create(struct ag *g, const char *amdvi_ini);
/* The next context keeps the core's translation hint (default: off). */
void ag_next_ctx_with_hint(void);
void ag_create(struct ag *g, const char *amdvi_ini);
void ag_destroy(struct ag *g);
uint64_t ag_rd(struct ag *g, uint64_t off, unsigned int size);
void ag_wr(struct ag *g, uint64_t off, unsigned int size, uint64_t val);
uint64_t ag_r64(struct ag *g, uint64_t off);
void ag_w64(struct ag *g, uint64_t off, uint64_t val);
void ag_mw64(struct ag *g, uint64_t pa, uint64_t v);
uint64_t ag_mr64(struct ag *g, uint64_t pa);
uint64_t ag_page(struct ag *g);
uint64_t ag_stat(struct ag *g, enum iommu_stat s);

/* ---- encoders (sheet 1-5, checked against §9) -------------------------- */
uint64_t enc_dtb(uint64_t base, unsigned int size_field);
uint64_t enc_ring(uint64_t base, unsigned int len);
void enc_dte_v1(uint64_t d[4], unsigned int mode, uint64_t root, bool ir,
		bool iw, unsigned int domid);
void enc_dte_gcr3(uint64_t d[4], uint64_t gcr3, unsigned int glx, bool giov,
		  bool ir, bool iw, unsigned int domid);
/* qword 2's interrupt-remapping fields (IV set); qwords 0, 1, 3 kept. */
void enc_dte_irq(uint64_t d[4], unsigned int tab_len_lg2, unsigned int intctl,
		 uint64_t irt);
uint64_t enc_pte(uint64_t pa, bool ir, bool iw, bool fc);
uint64_t enc_pte7(uint64_t pa, unsigned int size_lg2, bool ir, bool iw);
uint64_t enc_pde(uint64_t table, unsigned int next_level);
void enc_cw(uint64_t c[2], bool s, bool i, uint64_t addr, uint64_t data);
void enc_inv_dte(uint64_t c[2], unsigned int devid);
void enc_inv_pages(uint64_t c[2], unsigned int domid, unsigned int pasid,
		   bool gn, bool pde, bool s, uint64_t addr);
void enc_inv_range(uint64_t c[2], unsigned int domid, unsigned int pasid,
		   bool gn, uint64_t start, uint64_t size);
void enc_inv_all(uint64_t c[2]);
void enc_inv_irt(uint64_t c[2], unsigned int devid);
void enc_inv_iotlb(uint64_t c[2], unsigned int devid, unsigned int pasid,
		   bool s, uint64_t addr);
void enc_prefetch(uint64_t c[2], unsigned int devid, unsigned int count,
		  uint64_t addr);
unsigned int gcr3_index(unsigned int pasid, unsigned int level);

/* ---- the guest's setup ------------------------------------------------ */
/* Device table (Size 0x1FF), command buffer 2^cmd_len, event log 2^evt_len,
 * heads and tails 0, then IommuEn | EventLogEn | CmdBufEn | @ctrl. */
void ag_init(struct ag *g, unsigned int cmd_len, unsigned int evt_len,
	     uint64_t ctrl);
void ag_set_dte(struct ag *g, unsigned int devid, const uint64_t d[4]);
void ag_cmd(struct ag *g, const uint64_t c[2]);
void ag_cmd_raw(struct ag *g, const uint64_t c[2]); /* no Tail write */
void ag_kick(struct ag *g);			     /* write Tail */
void ag_sync(struct ag *g); /* COMPLETION_WAIT store, checked */
bool ag_sync_try(struct ag *g);
void ag_flush_dte(struct ag *g, unsigned int devid);
void ag_flush_dom(struct ag *g, unsigned int domid);
unsigned int ag_evt_count(struct ag *g);
bool ag_evt_pop(struct ag *g, struct ag_ev *e);
void ag_evt_expect(struct ag *g, unsigned int code, unsigned int devid,
		   unsigned int flags, uint64_t addr);

/* v1 tables: a 4 KiB (or larger, NextLevel 0) leaf at spec level @lvl. */
void ag_map_v1(struct ag *g, uint64_t root, unsigned int mode, uint64_t iova,
	       uint64_t pa, unsigned int lvl, bool ir, bool iw);
/* The address of the entry at spec level @lvl for @iova (tables exist). */
uint64_t ag_v1_slot(struct ag *g, uint64_t root, unsigned int mode,
		    uint64_t iova, unsigned int lvl);
/* v2 (x86-64) tables: leaf at level @lvl (1: 4K, 2: 2M, 3: 1G). */
#define V2_P  (1ull << 0)
#define V2_RW (1ull << 1)
#define V2_US (1ull << 2)
#define V2_A  (1ull << 5)
#define V2_D  (1ull << 6)
#define V2_PS (1ull << 7)
#define V2_NX (1ull << 63)
void ag_map_v2(struct ag *g, uint64_t cr3, unsigned int levels, uint64_t iova,
	       uint64_t pa, unsigned int lvl, uint64_t flags);
void ag_gcr3_set(struct ag *g, uint64_t root, unsigned int glx,
		 unsigned int pasid, uint64_t cr3);

/* Translate; returns iommu_dma_translate()'s value. */
int ag_xl(struct ag *g, unsigned int devid, uint32_t pasid, uint64_t iova,
	  unsigned int access, struct iommu_translation *out);
/* Translate and expect @phys (0 ret) with at least @perm. */
void ag_expect(struct ag *g, unsigned int devid, uint32_t pasid,
	       uint64_t iova, unsigned int access, uint64_t phys);
void ag_expect_fault(struct ag *g, unsigned int devid, uint32_t pasid,
		     uint64_t iova, unsigned int access);

/* A standard v1 device: DTE of @devid, Mode @mode, root returned. */
uint64_t ag_v1_dev(struct ag *g, unsigned int devid, unsigned int mode,
		   unsigned int domid);

/*
 * AG_SUITE() - a Criterion suite @name over one guest in the file's
 * static g, made fresh for each test with ag_init(&g, @cmd_lg2, @evt_lg2,
 * @ctrl) and destroyed after it.
 */
#define AG_SUITE(name, cmd_lg2, evt_lg2, ctrl)                                  \
	static struct ag g;                                                    \
	static void name##_setup(void)                                         \
	{                                                                      \
		ag_create(&g, NULL);                                           \
		ag_init(&g, cmd_lg2, evt_lg2, ctrl);                           \
	}                                                                      \
	static void name##_teardown(void)                                      \
	{                                                                      \
		ag_destroy(&g);                                                \
	}                                                                      \
	TestSuite(name, .init = name##_setup, .fini = name##_teardown)

#endif /* AG_H */
