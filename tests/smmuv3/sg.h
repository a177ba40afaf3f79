/* SPDX-License-Identifier: MIT */
/*
 * sg.h - the SMMUv3 vendor tests' own guest driver.
 *
 * Tests create a context with IOMMU_CTX_NO_DRIVER and program the device
 * model the way a guest kernel would: Stream table, CDs and translation
 * tables as raw little-endian bytes written into RAM with
 * iommu_mem_write(), registers through iommu_hw_mmio_*(), a command queue
 * and an event queue this helper owns.  Every encoder here is written
 * from the spec sheet (shared/spec/smmuv3.md) and nothing is taken from
 * plugins/smmuv3/regs.h, so a misreading there cannot hide one here: the
 * encoders are checked against the sheet's test vectors (test_vectors.c).
 *
 * Guest physical layout (RAM is [0, 64 MiB)):
 *   0x0100000  Stream table (linear up to LOG2SIZE 14, or a 2-level L1)
 *   0x0200000  bump allocator: L2 STE arrays, CD tables, page tables
 *   0x1000000  command queue (up to 1 MiB)
 *   0x1100000  event queue (up to 1 MiB)
 *   0x2000000  data pages tests translate to
 *   0x3000000  the core's table range (16 MiB, unused without a driver)
 *   0x80000000 and up: not RAM (fetch aborts)
 *
 * Devices (StreamIDs) of the default platform: a 0x10, b 0x11, c 0x20,
 * d 0x1234, e 0x40 (aux, 20 PASID bits), f 0x3f.
 *
 * Context: single-threaded test code; helpers assert with Criterion when
 * the hardware misbehaves at a step the test did not mean to check.
 */
#ifndef SG_H
#define SG_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommu/iommu.h"

#define SG_ST	     0x0100000ull
#define SG_ALLOC     0x0200000ull
#define SG_ALLOC_END 0x1000000ull
#define SG_CMDQ	     0x1000000ull
#define SG_EVTQ	     0x1100000ull
#define SG_DATA	     0x2000000ull
#define SG_UNBACKED  0x80000000ull
#define PG	     0x1000ull

#define SID_A 0x10u
#define SID_B 0x11u
#define SID_C 0x20u
#define SID_D 0x1234u
#define SID_E 0x40u
#define SID_F 0x3fu

#define AR     IOMMU_ACCESS_READ
#define AW     IOMMU_ACCESS_WRITE
#define NP     IOMMU_NO_PASID
#define U64(x) ((unsigned long long)(x))

/* ---- registers (sheet 1.1) ------------------------------------------ */
#define S_IDR0	      0x0000
#define S_IDR1	      0x0004
#define S_IDR3	      0x000C
#define S_IDR5	      0x0014
#define S_IIDR	      0x0018
#define S_AIDR	      0x001C
#define S_CR0	      0x0020
#define S_CR0ACK      0x0024
#define S_CR1	      0x0028
#define S_CR2	      0x002C
#define S_GBPA	      0x0044
#define S_IRQ_CTRL    0x0050
#define S_IRQ_CTRLACK 0x0054
#define S_GERROR      0x0060
#define S_GERRORN     0x0064
#define S_GERROR_CFG0 0x0068
#define S_GERROR_CFG1 0x0070
#define S_GERROR_CFG2 0x0074
#define S_STRTAB      0x0080
#define S_STRTAB_CFG  0x0088
#define S_CMDQ_BASE   0x0090
#define S_CMDQ_PROD   0x0098
#define S_CMDQ_CONS   0x009C
#define S_EVTQ_BASE   0x00A0
#define S_EVTQ_CFG0   0x00B0
#define S_EVTQ_CFG1   0x00B8
#define S_EVTQ_CFG2   0x00BC
#define S_EVTQ_PROD   0x100A8
#define S_EVTQ_CONS   0x100AC

/* CR0 (1.6) */
#define CR0_SMMUEN   (1u << 0)
#define CR0_EVENTQEN (1u << 2)
#define CR0_CMDQEN   (1u << 3)
#define CR0_ATSCHK   (1u << 4)
/* CR2 */
#define CR2_E2H	      (1u << 0)
#define CR2_RECINVSID (1u << 1)
#define CR2_PTM	      (1u << 2)
/* GBPA */
#define GBPA_ABORT  (1u << 20)
#define GBPA_UPDATE (1u << 31)
/* IRQ_CTRL */
#define IRQ_GERROR (1u << 0)
#define IRQ_EVTQ   (1u << 2)
/* GERROR (7.2) */
#define GE_CMDQ	    (1u << 0)
#define GE_EVTQ_ABT (1u << 2)

/* Wired vectors the model documents (plugin regs.h says 0, 1, 2). */
#define V_EVTQ	 0
#define V_GERROR 1
#define V_SYNC	 2

/* Event codes (6.2) */
enum {
	E_UUT = 0x01,
	E_BAD_STREAMID = 0x02,
	E_STE_FETCH = 0x03,
	E_BAD_STE = 0x04,
	E_STREAM_DISABLED = 0x06,
	E_TRANSL_FORBIDDEN = 0x07,
	E_BAD_SUBSTREAMID = 0x08,
	E_CD_FETCH = 0x09,
	E_BAD_CD = 0x0A,
	E_WALK_EABT = 0x0B,
	E_TRANSLATION = 0x10,
	E_ADDR_SIZE = 0x11,
	E_ACCESS = 0x12,
	E_PERMISSION = 0x13,
};
/* CLASS */
#define CL_CD 0
#define CL_TT 1
#define CL_IN 2

/* CMDQ_CONS.ERR (7.1) */
#define CERR_ILL 1
#define CERR_ABT 2

/* ---- structures ------------------------------------------------------ */

/* STE fields (sheet 2.4), as numbers. */
struct ste {
	bool v;
	unsigned int config; /* 0 abort, 4 bypass, 5 S1, 6 S2, 7 nested */
	unsigned int s1fmt, s1cdmax, s1dss, s1cir, s1cor, s1csh;
	uint64_t s1ctxptr;
	bool s1stalld, s2fwb;
	unsigned int eats, strw, shcfg, privcfg, instcfg;
	unsigned int vmid, s2t0sz, s2sl0, s2ir0, s2or0, s2sh0, s2tg, s2ps;
	bool s2aa64, s2endi, s2affd, s2ptw, s2hd, s2ha, s2s, s2r;
	bool s2sl0_2, s2ds;
	uint64_t s2ttb;
};
void enc_ste(uint64_t dw[8], const struct ste *s);

/* CD fields (sheet 3.1). */
struct cd {
	bool v;
	unsigned int t0sz, tg0, ir0, or0, sh0, t1sz, tg1, ir1, or1, sh1;
	bool epd0, epd1, endi;
	unsigned int ips;
	bool affd, wxn, uwxn, tbi0, tbi1, pan, aa64, hd, ha, s, r, a, aset;
	unsigned int asid;
	bool had0, had1;
	uint64_t ttb0, ttb1, mair;
};
void enc_cd(uint64_t dw[8], const struct cd *c);
/* A stage-1 CD as Linux writes it (sheet 3.4): T0SZ, TG0 code, IPS code. */
void cd_linux(struct cd *c, unsigned int t0sz, unsigned int tg0,
	      unsigned int ips, unsigned int asid, uint64_t ttb0);

/* L1STD (2.3) and L1CD (3.3). */
uint64_t enc_l1std(uint64_t l2ptr, unsigned int span);
uint64_t enc_l1cd(uint64_t l2ptr, bool v);

/* Translation-table descriptors (4.6-4.11). */
#define D_TABLE	 0x3ull /* table / page */
#define D_BLOCK	 0x1ull
#define D_AF	 (1ull << 10)
#define D_NG	 (1ull << 11)
#define D_DBM	 (1ull << 51)
#define D_CONT	 (1ull << 52)
#define D_PXN	 (1ull << 53)
#define D_UXN	 (1ull << 54) /* XN at stage 2 */
#define D_IDX(n) ((uint64_t)(n) << 2)
#define D_AP(n)	 ((uint64_t)(n) << 6) /* AP[2:1] / S2AP */
#define D_SH(n)	 ((uint64_t)(n) << 8)
#define D_MEM(n) ((uint64_t)(n) << 2) /* stage-2 MemAttr */
#define D_APT(n) ((uint64_t)(n) << 61)
#define D_PXNT	 (1ull << 59)
#define D_UXNT	 (1ull << 60)
/* Output / next-level address of granule 2^g (64K: PA[51:48] in 15:12). */
uint64_t enc_oa(unsigned int g, uint64_t pa);
uint64_t dec_oa(unsigned int g, uint64_t e);
/* Linux leaves (sheet 4.14, TV1): RW, AttrIndx 1, ISH, AF, nG. */
uint64_t s1_page(unsigned int g, uint64_t pa, bool page);
uint64_t s2_page(unsigned int g, uint64_t pa, bool page);

/* Commands (5.2-5.6): q[0] = DW0, q[1] = DW1. */
void cmd_cfgi_ste(uint64_t q[2], uint32_t sid, bool leaf);
void cmd_cfgi_ste_range(uint64_t q[2], uint32_t sid, unsigned int range);
void cmd_cfgi_all(uint64_t q[2]);
void cmd_cfgi_cd(uint64_t q[2], uint32_t sid, uint32_t ssid, bool leaf);
void cmd_cfgi_cd_all(uint64_t q[2], uint32_t sid);
void cmd_tlbi_nh_all(uint64_t q[2], unsigned int vmid);
void cmd_tlbi_nh_asid(uint64_t q[2], unsigned int vmid, unsigned int asid);
/* @tg 0 = no range; @num, @scale, @ttl as the sheet's 5.5. */
void cmd_tlbi_va(uint64_t q[2], unsigned int op, unsigned int vmid,
		 unsigned int asid, uint64_t va, bool leaf, unsigned int tg,
		 unsigned int ttl, unsigned int num, unsigned int scale);
void cmd_tlbi_nh_va(uint64_t q[2], unsigned int vmid, unsigned int asid,
		    uint64_t va, bool leaf);
void cmd_tlbi_s2_ipa(uint64_t q[2], unsigned int vmid, uint64_t ipa, bool leaf);
void cmd_tlbi_s12_vmall(uint64_t q[2], unsigned int vmid);
void cmd_tlbi_nsnh_all(uint64_t q[2]);
void cmd_sync(uint64_t q[2], unsigned int cs, unsigned int msh,
	      unsigned int attr, uint32_t data, uint64_t addr);
#define OP_PREFETCH_CFG	  0x01
#define OP_PREFETCH_ADDR  0x02
#define OP_TLBI_NH_ALL	  0x10
#define OP_TLBI_NH_ASID	  0x11
#define OP_TLBI_NH_VA	  0x12
#define OP_TLBI_NH_VAA	  0x13
#define OP_TLBI_EL2_ALL	  0x20
#define OP_TLBI_EL2_ASID  0x21
#define OP_TLBI_EL2_VA	  0x22
#define OP_TLBI_EL2_VAA	  0x23
#define OP_TLBI_S12_VMALL 0x28
#define OP_TLBI_S2_IPA	  0x2A
#define OP_TLBI_NSNH_ALL  0x30
#define OP_ATC_INV	  0x40
#define OP_PRI_RESP	  0x41
#define OP_RESUME	  0x44
#define OP_STALL_TERM	  0x45
#define OP_SYNC		  0x46

/* Event record (6.3). */
struct evt {
	unsigned int id, ssid, sid, stag;
	bool ssv, stall, pnu, ind, rnw, s2, ttrnw;
	unsigned int class;
	uint64_t addr, ipa, fetch;
	uint64_t raw[4];
};
void dec_evt(const uint64_t raw[4], struct evt *e);

/* Register encodings (2.1, 5.1). */
uint32_t enc_strtab_cfg(unsigned int fmt, unsigned int split,
			unsigned int log2size);
uint64_t enc_q_base(uint64_t pa, unsigned int log2size, bool ra);

/* Linux's range TLBI split (5.5): up to @max (addr, scale, num) triples
 * for @pages pages of 2^@tg bytes from @start; returns how many. */
unsigned int tlbi_range_split(uint64_t start, uint64_t pages, unsigned int tg,
			      uint64_t (*out)[3], unsigned int max);

/* ---- the guest ---------------------------------------------------------- */

#define SG_MAX_MSI 64

struct sg_msi {
	uint32_t dev;
	uint64_t addr;
	uint32_t data;
};

struct sg {
	struct iommu_ctx *ctx;
	uint32_t idr0, idr1, idr3, idr5;
	/* Stream table */
	bool st2l;
	unsigned int st_log2, split;
	uint64_t l2[4096]; /* 2-level: L2 array per L1 index */
	/* queues */
	unsigned int cq_log2, eq_log2;
	uint32_t cq_prod, eq_cons;
	uint64_t next_pg;
	/* interrupts and MSIs seen */
	unsigned int irqs[8];
	unsigned int nmsi;
	struct sg_msi msi[SG_MAX_MSI];
	char err[256];
	const char *at_file;
	int at_line;
};

static inline void sg_at(struct sg *g, const char *file, int line)
{
	g->at_file = file;
	g->at_line = line;
}
#define SG_AT(g)	    sg_at((g), __FILE__, __LINE__)
#define sg_tr_ok(g, ...)    (SG_AT(g), sg_tr_ok_((g), __VA_ARGS__))
#define sg_tr_fault(g, ...) (SG_AT(g), sg_tr_fault_((g), __VA_ARGS__))
#define sg_run(g, q)	    (SG_AT(g), sg_run_((g), (q)))
#define sg_sync(g)	    (SG_AT(g), sg_sync_(g))
#define sg_no_evt(g)	    (SG_AT(g), sg_no_evt_(g))
#define sg_evt_one(g, e)    (SG_AT(g), sg_evt_one_((g), (e)))

/* Create a context: @smmu_ini is extra [smmuv3] lines; @devs replaces the
 * default [device.*] sections when not NULL.  Asserts success. */
/* Extra IOMMU_CTX_* flags for the next context created (then reset):
 * IOMMU_CTX_NO_HINT for tests of the model's own TLB. */
void sg_next_ctx_flags(unsigned int flags);
void sg_create(struct sg *g, const char *smmu_ini);
void sg_create_devs(struct sg *g, const char *smmu_ini, const char *devs);
int sg_try_create(struct sg *g, const char *smmu_ini, const char *devs);
/* The same over RAM the test owns (iommu_ctx_opts.ram, 64 MiB at 0), so
 * that it can store live descriptors atomically (tests with threads). */
void sg_create_ram(struct sg *g, const char *smmu_ini, void *ram);
void sg_destroy(struct sg *g);

/* Bring-up (sheet 1.7): Stream table (2-level with SPLIT 8 when @two),
 * command queue of 2^@cq_log2, CFGI_ALL and TLBI_NSNH_ALL, event queue
 * of 2^@eq_log2, interrupts, SMMUEN. */
void sg_init(struct sg *g, bool two, unsigned int st_log2);
void sg_init_q(struct sg *g, bool two, unsigned int st_log2,
	       unsigned int cq_log2, unsigned int eq_log2);
void sg_cr0(struct sg *g, uint32_t val);

/* ---- MMIO and memory ----------------------------------------------------- */
uint64_t sg_rd(struct sg *g, uint64_t off, unsigned int size);
void sg_wr(struct sg *g, uint64_t off, unsigned int size, uint64_t val);
static inline uint32_t sg_rd32(struct sg *g, uint64_t off)
{
	return (uint32_t)sg_rd(g, off, 4);
}
void sg_wr64m(struct sg *g, uint64_t pa, uint64_t v);
uint64_t sg_rd64m(struct sg *g, uint64_t pa);
void sg_wrn(struct sg *g, uint64_t pa, const uint64_t *dw, unsigned int n);
/* Zeroed, naturally aligned memory of 2^@order pages. */
uint64_t sg_page(struct sg *g, unsigned int order);
/* Zeroed, aligned to @size (a power of two, at least 64). */
uint64_t sg_alloc(struct sg *g, uint64_t size);

/* ---- Stream table and CDs ----------------------------------------------- */
uint64_t sg_ste_addr(struct sg *g, uint32_t sid);
void sg_ste_set(struct sg *g, uint32_t sid, const struct ste *s);
void sg_ste_raw(struct sg *g, uint32_t sid, const uint64_t dw[8]);

/* ---- translation tables ---------------------------------------------------
 */
struct sg_tt {
	uint64_t root;
	unsigned int g;	    /* granule lg2 */
	unsigned int ia;    /* input bits */
	unsigned int start; /* Arm start level */
	unsigned int top;   /* index bits of the start level */
};
/* A new table set; @start is the Arm start level, the top table gets
 * what remains of @ia (concatenated tables when more than the stride). */
void sg_tt_new(struct sg *g, struct sg_tt *t, unsigned int gran,
	       unsigned int ia, unsigned int start);
/* Put @desc at Arm @level for @va, making tables (desc | 0b11) on the
 * way; returns the entry's address. */
uint64_t sg_tt_map(struct sg *g, const struct sg_tt *t, uint64_t va,
		   unsigned int level, uint64_t desc);
/* Address of @va's entry at @level (the tables above must exist). */
uint64_t sg_tt_entry(struct sg *g, const struct sg_tt *t, uint64_t va,
		     unsigned int level);
/* Index of @va at Arm @level of @t. */
unsigned int sg_tt_index(const struct sg_tt *t, uint64_t va,
			 unsigned int level);

/* Common devices: stage 1 with one CD (Linux style, AA64, R, A), 4K
 * granule unless @gran, T0SZ 16 (ia 48); returns the tables. */
void sg_s1_dev(struct sg *g, uint32_t sid, unsigned int gran, unsigned int asid,
	       struct sg_tt *t, uint64_t *cd_pa);
/* Stage 2 only: @gran, input @ia bits, start level @start, VMID. */
void sg_s2_dev(struct sg *g, uint32_t sid, unsigned int gran, unsigned int ia,
	       unsigned int start, unsigned int vmid, struct sg_tt *t);
/* The STE of sg_s2_dev() for @t (caller adds fields). */
void sg_ste_s2(struct ste *s, const struct sg_tt *t, unsigned int vmid);

/* ---- queues ---------------------------------------------------------------
 */
/* Write commands at PROD, one PROD write; no check. */
void sg_cmds(struct sg *g, const uint64_t (*q)[2], unsigned int n);
void sg_cmd(struct sg *g, const uint64_t q[2]);
/* CMD_SYNC (CS NONE), asserting the queue drained with no error. */
void sg_sync_(struct sg *g);
/* @q then CMD_SYNC, asserting both were consumed. */
void sg_run_(struct sg *g, const uint64_t q[2]);
/* Common invalidations + sync. */
void sg_inv_ste(struct sg *g, uint32_t sid);
void sg_inv_all(struct sg *g);
/* Is GERROR.CMDQ_ERR active?  The CMDQ_CONS.ERR code. */
bool sg_cmdq_err(struct sg *g, unsigned int *code);

bool sg_evt_pop(struct sg *g, struct evt *e);
/* Assert exactly one event is pending, pop it into @e. */
void sg_evt_one_(struct sg *g, struct evt *e);
void sg_no_evt_(struct sg *g);
void sg_evt_drain(struct sg *g);

/* ---- DMA ------------------------------------------------------------------
 */
int sg_tr(struct sg *g, uint32_t sid, uint32_t pasid, uint64_t iova,
	  unsigned int access, uint64_t *phys);
void sg_tr_ok_(struct sg *g, uint32_t sid, uint32_t pasid, uint64_t iova,
	       unsigned int access, uint64_t phys);
/* Translate, assert -EFAULT and one event of @id (0: no event); the
 * event goes to @e when not NULL. */
void sg_tr_fault_(struct sg *g, uint32_t sid, uint32_t pasid, uint64_t iova,
		  unsigned int access, unsigned int id, struct evt *e);
uint64_t sg_stat(struct sg *g, enum iommu_stat s);

#endif /* SG_H */
