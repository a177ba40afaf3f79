/* SPDX-License-Identifier: MIT */
/*
 * vtdg.h - the VT-d vendor tests' own guest driver.
 *
 * Tests that check the device model create a context with
 * IOMMU_CTX_NO_DRIVER and program the model the way a guest kernel would:
 * root, context, PASID and page tables as raw little-endian bytes written
 * into RAM with iommu_mem_write(), registers through iommu_hw_mmio_*(),
 * invalidation descriptors in a queue the helper owns.  Every encoder here
 * is written from the spec sheet (shared/spec/vtd.md) and nothing is taken
 * from plugins/vtd/regs.h, so a misreading there cannot hide one here: the
 * encoders are themselves checked against the sheet's test vectors T1-T38
 * (test_vectors.c).
 *
 * Guest physical layout (RAM is [0, 64 MiB)):
 *   0x0100000  root table (RTADDR)
 *   0x0200000  bump allocator for context / PASID / page tables
 *   0x1000000  invalidation queue (up to 1 MiB)
 *   0x1100000  wait-descriptor status dwords
 *   0x2000000  data pages tests translate to
 *   0x3000000  the core's table range (16 MiB), used by the library driver
 *
 * Devices of every context (PCI BDF -> source id):
 *   a 00:02.0 = 0x0010   b 00:03.0 = 0x0018   c 03:00.0 = 0x0300
 *   d 00:10.5 = 0x0085 (upper half of an SM context table)
 *   e 00:04.0 = 0x0020 (features = aux, pasid_bits = 20)
 *
 * Context: single-threaded test code; helpers assert with Criterion when
 * the hardware misbehaves at a level the test did not mean to check.
 */
#ifndef VTDG_H
#define VTDG_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommu/iommu.h"

#define VT_RAM_SIZE   (64ull << 20)
#define VT_ROOT	      0x0100000ull
#define VT_ALLOC_BASE 0x0200000ull
#define VT_ALLOC_END  0x1000000ull
#define VT_IQ_BASE    0x1000000ull
#define VT_STATUS     0x1100000ull
#define VT_DATA	      0x2000000ull
#define VT_TABLES     0x3000000ull
#define VT_UNBACKED   0x80000000ull /* below every HAW, beyond RAM */
#define PG	      0x1000ull

#define SID_A 0x0010u
#define SID_B 0x0018u
#define SID_C 0x0300u
#define SID_D 0x0085u
#define SID_E 0x0020u

/* ---- registers (sheet 2.1) ------------------------------------------- */
#define R_VER	 0x000
#define R_CAP	 0x008
#define R_ECAP	 0x010
#define R_GCMD	 0x018
#define R_GSTS	 0x01C
#define R_RTADDR 0x020
#define R_CCMD	 0x028
#define R_FSTS	 0x034
#define R_FECTL	 0x038
#define R_FEDATA 0x03C
#define R_FEADDR 0x040
#define R_IQH	 0x080
#define R_IQT	 0x088
#define R_IQA	 0x090
#define R_ICS	 0x09C
#define R_IECTL	 0x0A0
#define R_IQERCD 0x0B0

/* GCMD / GSTS bits (sheet 2.4) */
#define G_TE   (1u << 31)
#define G_SRTP (1u << 30)
#define G_SFL  (1u << 29)
#define G_WBF  (1u << 27)
#define G_QIE  (1u << 26)
#define G_IRE  (1u << 25)

/* FSTS bits */
#define FS_PFO (1u << 0)
#define FS_PPF (1u << 1)
#define FS_IQE (1u << 4)

/* Fault reasons used by the tests (sheet 7.3, 7.4). */
enum {
	FR_ROOT_NP = 0x01,
	FR_CTX_NP = 0x02,
	FR_CTX_INV = 0x03,
	FR_ADDR = 0x04,
	FR_WRITE = 0x05,
	FR_READ = 0x06,
	FR_SL_FETCH = 0x07,
	FR_ROOT_FETCH = 0x08,
	FR_CTX_FETCH = 0x09,
	FR_ROOT_RSV = 0x0A,
	FR_CTX_RSV = 0x0B,
	FR_SL_RSV = 0x0C,
	FR_INTR = 0x0E,
	FR_SM_ROOT_FETCH = 0x38,
	FR_SM_ROOT_NP = 0x39,
	FR_SM_ROOT_RSV = 0x3A,
	FR_SM_CTX_FETCH = 0x40,
	FR_SM_CTX_NP = 0x41,
	FR_SM_CTX_RSV = 0x42,
	FR_SM_PASIDE = 0x45,
	FR_SM_PASID_MAX = 0x46,
	FR_SM_PD_FETCH = 0x50,
	FR_SM_PD_NP = 0x51,
	FR_SM_PD_RSV = 0x52,
	FR_SM_PE_FETCH = 0x58,
	FR_SM_PE_NP = 0x59,
	FR_SM_PE_RSV = 0x5A,
	FR_SM_PGTT = 0x5B,
	FR_FL_NP = 0x71,
	FR_FL_RSV = 0x72,
	FR_FL_CANON = 0x80,
	FR_SM_WRITE = 0x85,
	FR_SM_READ = 0x86,
	FR_SM_INTR = 0x87,
};

/* ---- the guest -------------------------------------------------------- */

struct vt {
	struct iommu_ctx *ctx;
	bool driver; /* created with the library's driver */
	uint64_t cap, ecap;
	uint64_t fro;	  /* byte offset of FRCD[0] */
	unsigned int nfr; /* number of fault recording registers */
	uint64_t iro;	  /* byte offset of IVA_REG */
	bool sm;	  /* RTADDR.TTM = 01 */
	uint32_t gcmd;	  /* shadow of the persistent enables */
	/* invalidation queue */
	unsigned int dw; /* IQA.DW */
	unsigned int qs; /* IQA.QS */
	unsigned int entries;
	unsigned int tail; /* index */
	uint32_t wait_seq;
	/* tables the guest built */
	uint64_t next_pg;
	uint64_t ctxt[256];    /* legacy context table, or SM lower, per bus */
	uint64_t ctxt_hi[256]; /* SM upper context table per bus */
	uint64_t pdir[8];      /* PASID directory of SID_A..SID_E, by slot */
	/* interrupts seen through opts.irq */
	unsigned int irqs;
	unsigned int last_vector;
	char err[256];
	/* caller of the last checking helper, for messages */
	const char *at_file;
	int at_line;
};

/* The checking helpers below are macros that record their caller. */
static inline void vt_at(struct vt *g, const char *file, int line)
{
	g->at_file = file;
	g->at_line = line;
}
#define VT_AT(g)		vt_at((g), __FILE__, __LINE__)
#define vt_tr_ok(g, ...)	(VT_AT(g), vt_tr_ok_((g), __VA_ARGS__))
#define vt_tr_fault(g, ...)	(VT_AT(g), vt_tr_fault_((g), __VA_ARGS__))
#define vt_fault_expect(g, ...) (VT_AT(g), vt_fault_expect_((g), __VA_ARGS__))
#define vt_qrun(g, q)		(VT_AT(g), vt_qrun_((g), (q)))
#define vt_qwait(g)		(VT_AT(g), vt_qwait_(g))
#define vt_no_fault(g)		(VT_AT(g), vt_no_fault_(g))

/* Create a context: @vtd_ini is extra lines of the [vtd] section.  With
 * @driver false the context has IOMMU_CTX_NO_DRIVER.  Asserts success. */
void vt_create(struct vt *g, bool driver, const char *vtd_ini);
/* Same, extra [iommu] lines too (e.g. "default_domain = identity"). */
void vt_create2(struct vt *g, bool driver, const char *iommu_ini,
		const char *vtd_ini);
/* Only try: 0 or the error of iommu_ctx_create(). */
/* Extra IOMMU_CTX_* flags for the next context created (then reset):
 * IOMMU_CTX_NO_HINT for tests of the model's own IOTLB and counters. */
void vt_next_ctx_flags(unsigned int flags);
int vt_try_create(struct vt *g, bool driver, const char *iommu_ini,
		  const char *vtd_ini);
void vt_destroy(struct vt *g);

/* Guest bring-up: root table at VT_ROOT, RTADDR (+TTM for @sm), SRTP, the
 * invalidation queue (DW = @sm), global invalidations, TE. */
void vt_guest_init(struct vt *g, bool sm);
/* The pieces, for tests that check each step. */
void vt_set_root(struct vt *g, uint64_t rtaddr);
void vt_qi_enable(struct vt *g, unsigned int dw, unsigned int qs);
void vt_gcmd(struct vt *g, uint32_t bit, bool on);

/* ---- MMIO and memory -------------------------------------------------- */
uint64_t vt_rd(struct vt *g, uint64_t off, unsigned int size);
void vt_wr(struct vt *g, uint64_t off, unsigned int size, uint64_t val);
static inline uint32_t vt_rd32(struct vt *g, uint64_t off)
{
	return (uint32_t)vt_rd(g, off, 4);
}
static inline uint64_t vt_rd64(struct vt *g, uint64_t off)
{
	return vt_rd(g, off, 8);
}
void vt_mem_wr(struct vt *g, uint64_t pa, const void *buf, size_t len);
void vt_mem_rd(struct vt *g, uint64_t pa, void *buf, size_t len);
void vt_wr64(struct vt *g, uint64_t pa, uint64_t v);
uint64_t vt_rd64m(struct vt *g, uint64_t pa);
/* A zeroed page (or 2^order pages, naturally aligned) from the bump
 * allocator. */
uint64_t vt_page(struct vt *g, unsigned int order);

/* ---- encoders (sheet 3-6), all QWs little-endian in memory ------------ */
/* 3.1 legacy root entry */
void enc_root(uint64_t e[2], uint64_t ctp, bool p);
/* 4.1 SM root entry */
void enc_sm_root(uint64_t e[2], uint64_t lctp, bool lp, uint64_t uctp, bool up);
/* 3.2 legacy context entry */
void enc_ctx(uint64_t e[2], uint64_t slptptr, unsigned int tt, unsigned int aw,
	     unsigned int did, bool fpd, bool p);
/* 4.2 SM context entry; @flags: QW0 bits 4:1 (FPD 1, DTE 2, PASIDE 3,
 * PRE 4) as CE_* */
#define CE_FPD	  (1u << 1)
#define CE_DTE	  (1u << 2)
#define CE_PASIDE (1u << 3)
#define CE_PRE	  (1u << 4)
void enc_sm_ctx(uint64_t e[4], uint64_t pasiddir, unsigned int pdts,
		unsigned int flags, uint32_t rid_pasid, bool p);
/* 4.3 PASID directory entry */
uint64_t enc_pde(uint64_t table, bool fpd, bool p);
/* 4.4 PASID table entry */
struct pe {
	bool p, fpd, slee, slade;
	unsigned int aw, pgtt, did;
	uint64_t slptptr, flptptr;
	bool pwsnp, pgsnp, sre, ere, wpe, nxe, smep;
	unsigned int flpm;
};
#define PGTT_FL	  1
#define PGTT_SL	  2
#define PGTT_NEST 3
#define PGTT_PT	  4
void enc_pe(uint64_t e[8], const struct pe *pe);
/* 5.1 second-stage entry: @flags R 1, W 2, X 4, PS 0x80, SNP 0x800 */
#define SL_R   0x1ull
#define SL_W   0x2ull
#define SL_RW  0x3ull
#define SL_PS  0x80ull
#define SL_SNP 0x800ull
uint64_t enc_sl(uint64_t addr, uint64_t flags);
/* 5.2 first-stage entry: P 1, RW 2, US 4, A 0x20, D 0x40, PS 0x80, XD 63 */
#define FL_P  0x1ull
#define FL_RW 0x2ull
#define FL_US 0x4ull
#define FL_A  0x20ull
#define FL_D  0x40ull
#define FL_PS 0x80ull
#define FL_XD (1ull << 63) /* with NXE */
uint64_t enc_fl(uint64_t addr, uint64_t flags);

/* 6.3-6.11 descriptors; q[4], unused QWs zero */
void dsc_cc(uint64_t q[4], unsigned int g, unsigned int did, unsigned int sid,
	    unsigned int fm);
void dsc_iotlb(uint64_t q[4], unsigned int g, bool dr, bool dw,
	       unsigned int did, uint64_t addr, unsigned int am, bool ih);
void dsc_devtlb(uint64_t q[4], unsigned int sid, unsigned int pfsid,
		unsigned int mip, uint64_t addr, bool s);
void dsc_iec(uint64_t q[4], bool index_sel, unsigned int iidx, unsigned int im);
void dsc_wait(uint64_t q[4], bool iflag, bool sw, bool fn, uint32_t data,
	      uint64_t addr);
void dsc_piotlb(uint64_t q[4], unsigned int g, unsigned int did, uint32_t pasid,
		uint64_t addr, unsigned int am, bool ih);
void dsc_pc(uint64_t q[4], unsigned int g, unsigned int did, uint32_t pasid);
void dsc_pdevtlb(uint64_t q[4], unsigned int sid, uint32_t pasid,
		 unsigned int mip, bool gl, bool s, uint64_t addr);
void dsc_pgrp(uint64_t q[4], bool pp, unsigned int rc, unsigned int rid,
	      uint32_t pasid, unsigned int prgi);

/* 7.1 fault recording register */
struct frec {
	uint64_t fi;
	unsigned int sid, fr, pv;
	bool pp, t1, f;
	bool priv, exe; /* bits 93, 94 */
	unsigned int at;
	uint64_t raw[2];
};
void dec_frcd(const uint64_t raw[2], struct frec *f);

/* ---- queue ------------------------------------------------------------ */
/* Write one descriptor at the tail and advance IQT.  Does not check. */
void vt_qsubmit(struct vt *g, const uint64_t q[4]);
/* Several, one IQT write. */
void vt_qsubmit_n(struct vt *g, const uint64_t (*q)[4], unsigned int n);
/* Submit a wait (SW, fresh status data) and assert it completed and the
 * queue is empty and error-free. */
void vt_qwait_(struct vt *g);
/* Submit @q then a wait; assert both ran. */
void vt_qrun_(struct vt *g, const uint64_t q[4]);
/* Common invalidations, each followed by a wait. */
void vt_inv_cc_global(struct vt *g);
void vt_inv_cc_dev(struct vt *g, unsigned int did, unsigned int sid);
void vt_inv_iotlb_global(struct vt *g);
void vt_inv_iotlb_dom(struct vt *g, unsigned int did);
void vt_inv_iotlb_page(struct vt *g, unsigned int did, uint64_t addr,
		       unsigned int am);
void vt_inv_pc_global(struct vt *g);

/* ---- table builders ----------------------------------------------------- */
/* Legacy: write @e as the context entry of @sid (root entry made present
 * on first use of the bus). */
void vt_ctx_set(struct vt *g, unsigned int sid, const uint64_t e[2]);
uint64_t vt_ctx_addr(struct vt *g, unsigned int sid);
/* Legacy translated context for @sid: new 4-level (AW 2) SL table;
 * returns the SL root. */
uint64_t vt_ctx_sl(struct vt *g, unsigned int sid, unsigned int did);
/* SM: context entry of @sid (root LP/UP made present on first use). */
void vt_smctx_set(struct vt *g, unsigned int sid, const uint64_t e[4]);
uint64_t vt_smctx_addr(struct vt *g, unsigned int sid);
/* SM: a present context entry with a PASID directory of 2^(7+7)
 * entries, PASIDE set; returns the directory. */
uint64_t vt_smctx_std(struct vt *g, unsigned int sid, unsigned int flags);
/* SM: PASID entry @pasid of the directory @dir (table allocated on first
 * use); returns its address. */
uint64_t vt_pe_set(struct vt *g, uint64_t dir, uint32_t pasid,
		   const struct pe *pe);
/* SM device with an SL PASID entry for RID_PASID 0: returns the SL root. */
uint64_t vt_sm_sl(struct vt *g, unsigned int sid, unsigned int did);

/* Map @iova in the SL table @root with @levels levels: intermediate
 * tables are allocated (non-leaf = table | R | W), the leaf at @leaf_level
 * (1 4K, 2 2M, 3 1G) is @leaf verbatim.  Returns the leaf's address. */
uint64_t vt_sl_map(struct vt *g, uint64_t root, unsigned int levels,
		   uint64_t iova, unsigned int leaf_level, uint64_t leaf);
/* The same for first-stage (non-leaf = table | P | RW | US | A). */
uint64_t vt_fl_map(struct vt *g, uint64_t root, unsigned int levels,
		   uint64_t iova, unsigned int leaf_level, uint64_t leaf);
/* Address of the entry for @iova at @level (must exist). */
uint64_t vt_sl_entry(struct vt *g, uint64_t root, unsigned int levels,
		     uint64_t iova, unsigned int level);

/* ---- DMA and faults ------------------------------------------------------ */
int vt_tr(struct vt *g, unsigned int sid, uint32_t pasid, uint64_t iova,
	  unsigned int access, uint64_t *phys);
/* Translate and assert success with @phys. */
void vt_tr_ok_(struct vt *g, unsigned int sid, uint32_t pasid, uint64_t iova,
	       unsigned int access, uint64_t phys);
/* Pop one pending fault record (from FSTS.FRI, wrapping), clearing it.
 * false if none is pending. */
bool vt_fault_pop(struct vt *g, struct frec *f);
/* Assert that exactly one fault is recorded, with these fields (@access
 * IOMMU_ACCESS_*: READ gives T1; PRIV, EXEC and TRANSLATED the PRIV, EXE
 * and AT = 10b the record must show, their absence 0), and clear it. */
void vt_fault_expect_(struct vt *g, unsigned int sid, uint64_t addr,
		      unsigned int access, unsigned int fr);
/* Translate, assert -EFAULT and the one record (the record's attributes
 * are those the hardware takes: PRIV and EXEC only with a PASID and not
 * translated, EXEC only on a read). */
void vt_tr_fault_(struct vt *g, unsigned int sid, uint32_t pasid, uint64_t iova,
		  unsigned int access, unsigned int fr);
/* Assert no fault record is pending and FSTS has no PPF/PFO. */
void vt_no_fault_(struct vt *g);
/* Clear every record and FSTS. */
void vt_fault_clear_all(struct vt *g);

uint64_t vt_stat(struct vt *g, enum iommu_stat s);

/* Source id of a test device by its letter index 0..4. */
unsigned int vt_sid(unsigned int i);

#endif /* VTDG_H */
