/* SPDX-License-Identifier: MIT */
/*
 * regs.h - Intel VT-d layouts shared by the driver (drv_*.c) and the
 * device model (hw_*.c): register offsets and fields, root/context/PASID
 * entries, second- and first-stage paging entries, invalidation
 * descriptors, fault records and fault reason codes.  Values from
 * spec/vtd.md; section numbers ("vtd 2.2") refer to that sheet.
 *
 * Every field is a 64-bit mask over the word it lives in (VTD_GENMASK);
 * vtd_field_get()/vtd_field_prep() extract and place a value.  Single-bit
 * flags are plain masks (VTD_BIT).  Whole-entry encoders and decoders are
 * deliberately absent: the driver encodes and the model decodes, each in
 * its own code, so that one misreading cannot pass through both.
 *
 * Absolute bit N of a 128/256/512-bit structure lives in QW(N / 64) at
 * bit N % 64; the macros below are named by word (_QW0_, _QW1_, ...).
 */
#ifndef VTD_REGS_H
#define VTD_REGS_H

#include <stdint.h>

#define VTD_BIT(n) (1ull << (n))
/* Bits h..l inclusive, h >= l, h <= 63. */
#define VTD_GENMASK(h, l) ((~0ull >> (63 - (h))) & (~0ull << (l)))

/* Value of the field @mask in @v, shifted down. */
static inline uint64_t vtd_field_get(uint64_t mask, uint64_t v)
{
	return (v & mask) >> __builtin_ctzll(mask);
}

/* @val placed in the field @mask (excess high bits are dropped). */
static inline uint64_t vtd_field_prep(uint64_t mask, uint64_t val)
{
	return (val << __builtin_ctzll(mask)) & mask;
}

/* ---- vtd 0: granule ---------------------------------------------------- */
#define VTD_PAGE_SHIFT 12
#define VTD_PAGE_SIZE  4096ull
#define VTD_PAGE_MASK  (~(VTD_PAGE_SIZE - 1))
#define VTD_ADDR_MASK  VTD_GENMASK(63, 12) /* 4 KiB-aligned address field */

/* ---- vtd 1.1, 1.2: address widths and levels --------------------------- */
#define VTD_AW_30  0 /* 2-level: treated as reserved (vtd 12.1) */
#define VTD_AW_39  1 /* 3-level */
#define VTD_AW_48  2 /* 4-level */
#define VTD_AW_57  3 /* 5-level */
#define VTD_AW_64  4 /* 6-level: treated as reserved */
#define VTD_LEVEL_STRIDE 9
#define VTD_LEVEL_MASK   0x1ffull

static inline unsigned int vtd_aw_to_width(unsigned int aw)
{
	return 30 + 9 * aw;
}

static inline unsigned int vtd_aw_to_levels(unsigned int aw)
{
	return aw + 2;
}

/* log2 of the bytes one entry at @level (1 = leaf table) covers. */
static inline unsigned int vtd_level_shift(unsigned int level)
{
	return VTD_PAGE_SHIFT + VTD_LEVEL_STRIDE * (level - 1);
}

/* Index of @iova in the table at @level. */
static inline unsigned int vtd_level_index(uint64_t iova, unsigned int level)
{
	return (unsigned int)((iova >> vtd_level_shift(level)) & VTD_LEVEL_MASK);
}

/* ---- vtd 2.1: register offsets ----------------------------------------- */
#define VTD_VER_REG      0x000 /* 32 */
#define VTD_CAP_REG      0x008 /* 64 */
#define VTD_ECAP_REG     0x010 /* 64 */
#define VTD_GCMD_REG     0x018 /* 32, write-only */
#define VTD_GSTS_REG     0x01c /* 32, read-only */
#define VTD_RTADDR_REG   0x020 /* 64 */
#define VTD_CCMD_REG     0x028 /* 64 */
#define VTD_FSTS_REG     0x034 /* 32 */
#define VTD_FECTL_REG    0x038 /* 32 */
#define VTD_FEDATA_REG   0x03c /* 32 */
#define VTD_FEADDR_REG   0x040 /* 32 */
#define VTD_FEUADDR_REG  0x044 /* 32 */
#define VTD_AFLOG_REG    0x058 /* 64 */
#define VTD_PMEN_REG     0x064 /* 32 */
#define VTD_PLMBASE_REG  0x068 /* 32 */
#define VTD_PLMLIMIT_REG 0x06c /* 32 */
#define VTD_PHMBASE_REG  0x070 /* 64 */
#define VTD_PHMLIMIT_REG 0x078 /* 64 */
#define VTD_IQH_REG      0x080 /* 64 */
#define VTD_IQT_REG      0x088 /* 64 */
#define VTD_IQA_REG      0x090 /* 64 */
#define VTD_ICS_REG      0x09c /* 32 */
#define VTD_IECTL_REG    0x0a0 /* 32 */
#define VTD_IEDATA_REG   0x0a4 /* 32 */
#define VTD_IEADDR_REG   0x0a8 /* 32 */
#define VTD_IEUADDR_REG  0x0ac /* 32 */
#define VTD_IQERCD_REG   0x0b0 /* 64 */
#define VTD_IRTA_REG     0x0b8 /* 64 */
#define VTD_PQH_REG      0x0c0 /* 64 */
#define VTD_PQT_REG      0x0c8 /* 64 */
#define VTD_PQA_REG      0x0d0 /* 64 */
#define VTD_PRS_REG      0x0dc /* 32 */
#define VTD_PECTL_REG    0x0e0 /* 32 */
#define VTD_PEDATA_REG   0x0e4 /* 32 */
#define VTD_PEADDR_REG   0x0e8 /* 32 */
#define VTD_PEUADDR_REG  0x0ec /* 32 */

/* IVA, IOTLB (at ECAP.IRO * 16) and FRCD (at CAP.FRO * 16): see below. */

/* ---- vtd 2.1: VER_REG -------------------------------------------------- */
#define VTD_VER_MINOR VTD_GENMASK(3, 0)
#define VTD_VER_MAJOR VTD_GENMASK(7, 4)

/* ---- vtd 2.2: CAP_REG -------------------------------------------------- */
#define VTD_CAP_ND      VTD_GENMASK(2, 0)   /* 2^(4 + 2 ND) domain IDs */
#define VTD_CAP_AFL     VTD_BIT(3)
#define VTD_CAP_RWBF    VTD_BIT(4)
#define VTD_CAP_PLMR    VTD_BIT(5)
#define VTD_CAP_PHMR    VTD_BIT(6)
#define VTD_CAP_CM      VTD_BIT(7)
#define VTD_CAP_SAGAW   VTD_GENMASK(12, 8)  /* bit n: AW code n supported */
#define VTD_CAP_MGAW    VTD_GENMASK(21, 16) /* width - 1 */
#define VTD_CAP_ZLR     VTD_BIT(22)
#define VTD_CAP_ISOCH   VTD_BIT(23)
#define VTD_CAP_FRO     VTD_GENMASK(33, 24) /* FRCD offset / 16 */
#define VTD_CAP_SLLPS   VTD_GENMASK(37, 34) /* bit 0: 2M, bit 1: 1G */
#define VTD_CAP_SLLPS_2M VTD_BIT(34)
#define VTD_CAP_SLLPS_1G VTD_BIT(35)
#define VTD_CAP_PSI     VTD_BIT(39)
#define VTD_CAP_NFR     VTD_GENMASK(47, 40) /* records - 1 */
#define VTD_CAP_MAMV    VTD_GENMASK(53, 48)
#define VTD_CAP_DWD     VTD_BIT(54)
#define VTD_CAP_DRD     VTD_BIT(55)
#define VTD_CAP_FL1GP   VTD_BIT(56)
#define VTD_CAP_PI      VTD_BIT(59)
#define VTD_CAP_FL5LP   VTD_BIT(60)
#define VTD_CAP_ECMDS   VTD_BIT(61)
#define VTD_CAP_ESIRTPS VTD_BIT(62)
#define VTD_CAP_ESRTPS  VTD_BIT(63)

/* ---- vtd 2.3: ECAP_REG ------------------------------------------------- */
#define VTD_ECAP_C      VTD_BIT(0)
#define VTD_ECAP_QI     VTD_BIT(1)
#define VTD_ECAP_DT     VTD_BIT(2)
#define VTD_ECAP_IR     VTD_BIT(3)
#define VTD_ECAP_EIM    VTD_BIT(4)
#define VTD_ECAP_PT     VTD_BIT(6)
#define VTD_ECAP_SC     VTD_BIT(7)
#define VTD_ECAP_IRO    VTD_GENMASK(17, 8)  /* IVA offset / 16 */
#define VTD_ECAP_MHMV   VTD_GENMASK(23, 20)
#define VTD_ECAP_MTS    VTD_BIT(25)
#define VTD_ECAP_NEST   VTD_BIT(26)
#define VTD_ECAP_PRS    VTD_BIT(29)
#define VTD_ECAP_ERS    VTD_BIT(30)
#define VTD_ECAP_SRS    VTD_BIT(31)
#define VTD_ECAP_NWFS   VTD_BIT(33)
#define VTD_ECAP_EAFS   VTD_BIT(34)
#define VTD_ECAP_PSS    VTD_GENMASK(39, 35) /* PASID width - 1 */
#define VTD_ECAP_PASID  VTD_BIT(40)
#define VTD_ECAP_DIT    VTD_BIT(41)
#define VTD_ECAP_PDS    VTD_BIT(42)
#define VTD_ECAP_SMTS   VTD_BIT(43)
#define VTD_ECAP_VCS    VTD_BIT(44)
#define VTD_ECAP_SLADS  VTD_BIT(45)
#define VTD_ECAP_SLTS   VTD_BIT(46)
#define VTD_ECAP_FLTS   VTD_BIT(47)
#define VTD_ECAP_SMPWCS VTD_BIT(48)
#define VTD_ECAP_RPS    VTD_BIT(49)
#define VTD_ECAP_PMS    VTD_BIT(51)
#define VTD_ECAP_ADMS   VTD_BIT(52)
#define VTD_ECAP_RPRIVS VTD_BIT(53)

/* Offsets of IVA_REG, IOTLB_REG and FRCD_REG[@i] (128-bit) (vtd 2.1). */
static inline uint64_t vtd_iva_reg(uint64_t ecap)
{
	return vtd_field_get(VTD_ECAP_IRO, ecap) * 16;
}

static inline uint64_t vtd_iotlb_reg(uint64_t ecap)
{
	return vtd_field_get(VTD_ECAP_IRO, ecap) * 16 + 8;
}

static inline uint64_t vtd_frcd_reg(uint64_t cap, unsigned int i)
{
	return vtd_field_get(VTD_CAP_FRO, cap) * 16 + 16ull * i;
}

/* ---- vtd 2.4: GCMD_REG / GSTS_REG (same positions) --------------------- */
#define VTD_GCMD_TE    VTD_BIT(31) /* persistent */
#define VTD_GCMD_SRTP  VTD_BIT(30) /* one-shot */
#define VTD_GCMD_SFL   VTD_BIT(29) /* one-shot */
#define VTD_GCMD_EAFL  VTD_BIT(28) /* persistent */
#define VTD_GCMD_WBF   VTD_BIT(27) /* one-shot */
#define VTD_GCMD_QIE   VTD_BIT(26) /* persistent */
#define VTD_GCMD_IRE   VTD_BIT(25) /* persistent */
#define VTD_GCMD_SIRTP VTD_BIT(24) /* one-shot */
#define VTD_GCMD_CFI   VTD_BIT(23) /* persistent */
#define VTD_GSTS_TES   VTD_BIT(31)
#define VTD_GSTS_RTPS  VTD_BIT(30)
#define VTD_GSTS_FLS   VTD_BIT(29)
#define VTD_GSTS_AFLS  VTD_BIT(28)
#define VTD_GSTS_WBFS  VTD_BIT(27)
#define VTD_GSTS_QIES  VTD_BIT(26)
#define VTD_GSTS_IRES  VTD_BIT(25)
#define VTD_GSTS_IRTPS VTD_BIT(24)
#define VTD_GSTS_CFIS  VTD_BIT(23)
/* The enables software ORs into every GCMD write. */
#define VTD_GCMD_PERSISTENT                                                    \
	(VTD_GCMD_TE | VTD_GCMD_EAFL | VTD_GCMD_QIE | VTD_GCMD_IRE |           \
	 VTD_GCMD_CFI)

/* RTADDR_REG */
#define VTD_RTADDR_TTM VTD_GENMASK(11, 10)
#define VTD_RTADDR_RTA VTD_GENMASK(63, 12)
#define VTD_TTM_LEGACY   0
#define VTD_TTM_SCALABLE 1
#define VTD_TTM_RSVD     2
#define VTD_TTM_ABORT    3 /* abort-DMA mode, needs ECAP.ADMS */

/* CCMD_REG: register-based context-cache invalidation */
#define VTD_CCMD_DID  VTD_GENMASK(15, 0)
#define VTD_CCMD_SID  VTD_GENMASK(31, 16)
#define VTD_CCMD_FM   VTD_GENMASK(33, 32)
#define VTD_CCMD_CAIG VTD_GENMASK(60, 59) /* actual granularity */
#define VTD_CCMD_CIRG VTD_GENMASK(62, 61) /* requested granularity */
#define VTD_CCMD_ICC  VTD_BIT(63)
#define VTD_CCMD_RSVD VTD_GENMASK(58, 34)
/* CIRG / CAIG values (also the type-1 descriptor's G) */
#define VTD_CC_GLOBAL 1
#define VTD_CC_DOMAIN 2
#define VTD_CC_DEVICE 3

/* IVA_REG and IOTLB_REG: register-based IOTLB invalidation */
#define VTD_IVA_AM    VTD_GENMASK(5, 0)
#define VTD_IVA_IH    VTD_BIT(6)
#define VTD_IVA_RSVD  VTD_GENMASK(11, 7)
#define VTD_IVA_ADDR  VTD_GENMASK(63, 12)
#define VTD_IOTLB_DID  VTD_GENMASK(47, 32)
#define VTD_IOTLB_DW   VTD_BIT(48)
#define VTD_IOTLB_DR   VTD_BIT(49)
#define VTD_IOTLB_IAIG VTD_GENMASK(58, 57) /* 0: request failed */
#define VTD_IOTLB_IIRG VTD_GENMASK(61, 60)
#define VTD_IOTLB_IVT  VTD_BIT(63)
#define VTD_IOTLB_RSVD                                                         \
	(VTD_GENMASK(31, 0) | VTD_GENMASK(56, 50) | VTD_BIT(59) | VTD_BIT(62))
/* IIRG / IAIG values (also the type-2 descriptor's G) */
#define VTD_IOTLB_GLOBAL 1
#define VTD_IOTLB_DOMAIN 2
#define VTD_IOTLB_PAGE   3

/* FSTS_REG / FECTL_REG / FEDATA / FEADDR */
#define VTD_FSTS_PFO VTD_BIT(0) /* RW1C */
#define VTD_FSTS_PPF VTD_BIT(1) /* RO, derived from FRCD F bits */
#define VTD_FSTS_AFO VTD_BIT(2) /* RW1C */
#define VTD_FSTS_APF VTD_BIT(3) /* RW1C */
#define VTD_FSTS_IQE VTD_BIT(4) /* RW1C */
#define VTD_FSTS_ICE VTD_BIT(5) /* RW1C */
#define VTD_FSTS_ITE VTD_BIT(6) /* RW1C */
#define VTD_FSTS_PRO VTD_BIT(7)
#define VTD_FSTS_FRI VTD_GENMASK(15, 8)
#define VTD_FSTS_RW1C                                                          \
	(VTD_FSTS_PFO | VTD_FSTS_AFO | VTD_FSTS_APF | VTD_FSTS_IQE |           \
	 VTD_FSTS_ICE | VTD_FSTS_ITE)
#define VTD_FECTL_IP VTD_BIT(30) /* RO */
#define VTD_FECTL_IM VTD_BIT(31) /* RW, 1 at reset */
#define VTD_FEDATA_MASK 0xffffull
#define VTD_FEADDR_MASK 0xfffffffcull

/* PMEN_REG */
#define VTD_PMEN_EPM VTD_BIT(31)
#define VTD_PMEN_PRS VTD_BIT(0)

/* IQH / IQT / IQA / ICS / IECTL / IQERCD */
#define VTD_IQH_QH VTD_GENMASK(18, 4) /* byte offset of the next descriptor */
#define VTD_IQT_QT VTD_GENMASK(18, 4) /* byte offset past the last one */
#define VTD_IQA_QS   VTD_GENMASK(2, 0) /* 2^QS 4 KiB pages */
#define VTD_IQA_RSVD VTD_GENMASK(10, 3)
#define VTD_IQA_DW   VTD_BIT(11) /* 256-bit descriptors */
#define VTD_IQA_IQA  VTD_GENMASK(63, 12)
#define VTD_ICS_IWC  VTD_BIT(0) /* RW1C */
#define VTD_IECTL_IP VTD_BIT(30)
#define VTD_IECTL_IM VTD_BIT(31)
#define VTD_IQERCD_IQEI   VTD_GENMASK(3, 0)
#define VTD_IQERCD_ITESID VTD_GENMASK(47, 32)
#define VTD_IQERCD_ICESID VTD_GENMASK(63, 48)
/* IQEI values */
#define VTD_IQEI_NONE        0
#define VTD_IQEI_BAD_TAIL    1 /* tail beyond the queue */
#define VTD_IQEI_FETCH       2 /* descriptor fetch error */
#define VTD_IQEI_BAD_TYPE    3
#define VTD_IQEI_RSVD        4 /* reserved field set */
#define VTD_IQEI_BAD_WIDTH   5
#define VTD_IQEI_TAIL_ALIGN  6 /* tail misaligned (256-bit queue) */
#define VTD_IQEI_BAD_TTM     7

/* Descriptor entries in a queue of 2^@qs pages, width 128 or 256 bits. */
static inline uint64_t vtd_iq_entries(unsigned int qs, int dw256)
{
	return 1ull << (qs + (dw256 ? 7 : 8));
}

/* ---- vtd 3.1: legacy root entry (128 bits) ------------------------------ */
#define VTD_ROOT_ENTRY_SIZE 16
#define VTD_ROOT_QW0_P    VTD_BIT(0)
#define VTD_ROOT_QW0_RSVD VTD_GENMASK(11, 1)
#define VTD_ROOT_QW0_CTP  VTD_GENMASK(63, 12)
#define VTD_ROOT_QW1_RSVD (~0ull)

/* ---- vtd 3.2: legacy context entry (128 bits) --------------------------- */
#define VTD_CTX_ENTRY_SIZE 16
#define VTD_CTX_QW0_P       VTD_BIT(0)
#define VTD_CTX_QW0_FPD     VTD_BIT(1)
#define VTD_CTX_QW0_TT      VTD_GENMASK(3, 2)
#define VTD_CTX_QW0_RSVD    VTD_GENMASK(11, 4)
#define VTD_CTX_QW0_SLPTPTR VTD_GENMASK(63, 12)
#define VTD_CTX_QW1_AW      VTD_GENMASK(2, 0)
#define VTD_CTX_QW1_AVAIL   VTD_GENMASK(6, 3) /* ignored */
#define VTD_CTX_QW1_DID     VTD_GENMASK(23, 8)
#define VTD_CTX_QW1_RSVD    (VTD_BIT(7) | VTD_GENMASK(63, 24))
/* TT values */
#define VTD_CTX_TT_MULTI_LEVEL 0 /* translate through SLPTPTR */
#define VTD_CTX_TT_DEV_TLB     1 /* as 0, plus ATS (ECAP.DT) */
#define VTD_CTX_TT_PASS        2 /* pass-through (ECAP.PT) */
#define VTD_CTX_TT_RSVD        3

/* ---- vtd 4.1: scalable-mode root entry (128 bits) ----------------------- */
#define VTD_SM_ROOT_QW0_LP    VTD_BIT(0)
#define VTD_SM_ROOT_QW0_RSVD  VTD_GENMASK(11, 1)
#define VTD_SM_ROOT_QW0_LCTP  VTD_GENMASK(63, 12)
#define VTD_SM_ROOT_QW1_UP    VTD_BIT(0)
#define VTD_SM_ROOT_QW1_RSVD  VTD_GENMASK(11, 1)
#define VTD_SM_ROOT_QW1_UCTP  VTD_GENMASK(63, 12)
#define VTD_SM_UPPER_DEVFN    0x80 /* devfn >= this: UP / UCTP */

/* ---- vtd 4.2: scalable-mode context entry (256 bits) -------------------- */
#define VTD_SM_CTX_ENTRY_SIZE 32
#define VTD_SM_CTX_QW0_P           VTD_BIT(0)
#define VTD_SM_CTX_QW0_FPD         VTD_BIT(1)
#define VTD_SM_CTX_QW0_DTE         VTD_BIT(2)
#define VTD_SM_CTX_QW0_PASIDE      VTD_BIT(3)
#define VTD_SM_CTX_QW0_PRE         VTD_BIT(4)
#define VTD_SM_CTX_QW0_RSVD        VTD_GENMASK(8, 5)
#define VTD_SM_CTX_QW0_PDTS        VTD_GENMASK(11, 9) /* 2^(PDTS+7) entries */
#define VTD_SM_CTX_QW0_PASIDDIRPTR VTD_GENMASK(63, 12)
#define VTD_SM_CTX_QW1_RID_PASID   VTD_GENMASK(19, 0)
#define VTD_SM_CTX_QW1_RID_PRIV    VTD_BIT(20)
#define VTD_SM_CTX_QW1_RSVD        VTD_GENMASK(63, 21)
/* QW2 and QW3 are reserved (must be 0). */

/* ---- vtd 4.3: PASID directory entry (64 bits) and PASID indexing --------- */
#define VTD_PASID_DIR_ENTRY_SIZE 8
#define VTD_PDE_P         VTD_BIT(0)
#define VTD_PDE_FPD       VTD_BIT(1)
#define VTD_PDE_RSVD      VTD_GENMASK(11, 2)
#define VTD_PDE_SMPTBLPTR VTD_GENMASK(63, 12)
#define VTD_PASID_DIR_SHIFT 6        /* directory index = PASID >> 6 */
#define VTD_PASID_TBL_MASK  0x3fu    /* table index = PASID & 0x3f */
#define VTD_PASID_MAX_BITS  20

/* Number of PASID-directory entries for a PDTS value. */
static inline uint64_t vtd_pdts_entries(unsigned int pdts)
{
	return 1ull << (pdts + 7);
}

/* ---- vtd 4.4: PASID table entry (512 bits) ------------------------------ */
#define VTD_PASID_ENTRY_SIZE 64
#define VTD_PE_QW0_P       VTD_BIT(0)
#define VTD_PE_QW0_FPD     VTD_BIT(1)
#define VTD_PE_QW0_AW      VTD_GENMASK(4, 2)
#define VTD_PE_QW0_SLEE    VTD_BIT(5)
#define VTD_PE_QW0_PGTT    VTD_GENMASK(8, 6)
#define VTD_PE_QW0_SLADE   VTD_BIT(9)
#define VTD_PE_QW0_RSVD    VTD_GENMASK(11, 10)
#define VTD_PE_QW0_SLPTPTR VTD_GENMASK(63, 12)
#define VTD_PE_QW1_DID     VTD_GENMASK(15, 0)
#define VTD_PE_QW1_RSVD    VTD_GENMASK(22, 16)
#define VTD_PE_QW1_PWSNP   VTD_BIT(23)
#define VTD_PE_QW1_PGSNP   VTD_BIT(24)
#define VTD_PE_QW1_CD      VTD_BIT(25)
#define VTD_PE_QW1_EMTE    VTD_BIT(26)
#define VTD_PE_QW1_EMT     VTD_GENMASK(29, 27)
#define VTD_PE_QW1_PWT     VTD_BIT(30)
#define VTD_PE_QW1_PCD     VTD_BIT(31)
#define VTD_PE_QW1_PAT     VTD_GENMASK(63, 32)
#define VTD_PE_QW2_SRE     VTD_BIT(0)
#define VTD_PE_QW2_ERE     VTD_BIT(1)
#define VTD_PE_QW2_FLPM    VTD_GENMASK(3, 2)
#define VTD_PE_QW2_WPE     VTD_BIT(4)
#define VTD_PE_QW2_NXE     VTD_BIT(5)
#define VTD_PE_QW2_SMEP    VTD_BIT(6)
#define VTD_PE_QW2_EAFE    VTD_BIT(7)
#define VTD_PE_QW2_RSVD    VTD_GENMASK(11, 8)
#define VTD_PE_QW2_FLPTPTR VTD_GENMASK(63, 12)
/* QW3-QW7: reserved (vtd 12.9). */
/* PGTT values */
#define VTD_PGTT_FL     1 /* first stage only (ECAP.FLTS) */
#define VTD_PGTT_SL     2 /* second stage only (ECAP.SLTS) */
#define VTD_PGTT_NESTED 3 /* ECAP.NEST */
#define VTD_PGTT_PT     4 /* pass-through (ECAP.PT) */
/* FLPM values */
#define VTD_FLPM_4LEVEL 0
#define VTD_FLPM_5LEVEL 1 /* needs CAP.FL5LP */

/* ---- vtd 5.1: second-stage paging entry (sl_pte) ------------------------ */
#define VTD_SL_PTE_R    VTD_BIT(0)
#define VTD_SL_PTE_W    VTD_BIT(1)
#define VTD_SL_PTE_X    VTD_BIT(2) /* with SLEE only */
#define VTD_SL_PTE_EMT  VTD_GENMASK(5, 3) /* leaf; vtd 12.7 */
#define VTD_SL_PTE_IPAT VTD_BIT(6)        /* leaf; vtd 12.7 */
#define VTD_SL_PTE_PS   VTD_BIT(7)        /* level 2/3: super page */
#define VTD_SL_PTE_A    VTD_BIT(8)
#define VTD_SL_PTE_D    VTD_BIT(9)
#define VTD_SL_PTE_SNP  VTD_BIT(11)       /* leaf; ECAP.SC or SM */
#define VTD_SL_PTE_ADDR VTD_GENMASK(51, 12)
#define VTD_SL_PTE_TM   VTD_BIT(62)       /* reserved unless ECAP.DT */
#define VTD_SL_PTE_PRESENT (VTD_SL_PTE_R | VTD_SL_PTE_W)
/* Bits hardware ignores in every SL entry: 61:52 and 63. */
#define VTD_SL_PTE_IGNORED (VTD_GENMASK(61, 52) | VTD_BIT(63))

/* ---- vtd 5.2: first-stage paging entry (fl_pte, IA-32e format) ---------- */
#define VTD_FL_PTE_P     VTD_BIT(0)
#define VTD_FL_PTE_RW    VTD_BIT(1)
#define VTD_FL_PTE_US    VTD_BIT(2)
#define VTD_FL_PTE_PWT   VTD_BIT(3)
#define VTD_FL_PTE_PCD   VTD_BIT(4)
#define VTD_FL_PTE_A     VTD_BIT(5)
#define VTD_FL_PTE_D     VTD_BIT(6)
#define VTD_FL_PTE_PS    VTD_BIT(7)  /* level 2/3; PAT in a 4 KiB PTE */
#define VTD_FL_PTE_PAT   VTD_BIT(7)  /* 4 KiB PTE */
#define VTD_FL_PTE_G     VTD_BIT(8)  /* leaf; vtd 12.8 */
#define VTD_FL_PTE_EA    VTD_BIT(10) /* with EAFE */
#define VTD_FL_PTE_PAT_LARGE VTD_BIT(12) /* 2 MiB / 1 GiB leaf */
#define VTD_FL_PTE_ADDR  VTD_GENMASK(51, 12)
#define VTD_FL_PTE_XD    VTD_BIT(63) /* with NXE, else reserved */
#define VTD_FL_PTE_IGNORED VTD_GENMASK(62, 52)

/* ---- vtd 6: invalidation descriptors (inv_desc) ------------------------- */
#define VTD_INV_DESC_SIZE_128 16
#define VTD_INV_DESC_SIZE_256 32

struct vtd_inv_desc {
	uint64_t qw[4]; /* QW2, QW3 only in a 256-bit queue */
};

#define VTD_INV_DESC_TYPE_LO VTD_GENMASK(3, 0)  /* type[3:0] */
#define VTD_INV_DESC_TYPE_HI VTD_GENMASK(11, 9) /* type[6:4] */

/* The 7-bit type of a descriptor from its QW0 (vtd 6.2). */
static inline unsigned int vtd_inv_desc_type(uint64_t qw0)
{
	return (unsigned int)(vtd_field_get(VTD_INV_DESC_TYPE_HI, qw0) << 4 |
			      vtd_field_get(VTD_INV_DESC_TYPE_LO, qw0));
}

#define VTD_INV_CC         0x1 /* context-cache */
#define VTD_INV_IOTLB      0x2
#define VTD_INV_DEV_TLB    0x3
#define VTD_INV_IEC        0x4 /* interrupt-entry cache */
#define VTD_INV_WAIT       0x5
#define VTD_INV_PIOTLB     0x6 /* PASID-based IOTLB (256-bit) */
#define VTD_INV_PC         0x7 /* PASID cache (256-bit) */
#define VTD_INV_PDEV_TLB   0x8 /* PASID-based device-TLB (256-bit) */
#define VTD_INV_PGRP_RESP  0x9 /* page-group response (256-bit) */
#define VTD_INV_PSTRM_RESP 0xa /* page-stream response: code only */

/* vtd 6.3: context-cache invalidate (type 1); G as VTD_CC_* */
#define VTD_INV_CC_QW0_G    VTD_GENMASK(5, 4)
#define VTD_INV_CC_QW0_DID  VTD_GENMASK(31, 16)
#define VTD_INV_CC_QW0_SID  VTD_GENMASK(47, 32)
#define VTD_INV_CC_QW0_FM   VTD_GENMASK(49, 48)
#define VTD_INV_CC_QW0_RSVD                                                    \
	(VTD_GENMASK(8, 6) | VTD_GENMASK(15, 12) | VTD_GENMASK(63, 50))
#define VTD_INV_CC_QW1_RSVD (~0ull)

/* vtd 6.4: IOTLB invalidate (type 2); G as VTD_IOTLB_* */
#define VTD_INV_IOTLB_QW0_G    VTD_GENMASK(5, 4)
#define VTD_INV_IOTLB_QW0_DW   VTD_BIT(6)
#define VTD_INV_IOTLB_QW0_DR   VTD_BIT(7)
#define VTD_INV_IOTLB_QW0_DID  VTD_GENMASK(31, 16)
#define VTD_INV_IOTLB_QW0_RSVD                                                 \
	(VTD_BIT(8) | VTD_GENMASK(15, 12) | VTD_GENMASK(63, 32))
#define VTD_INV_IOTLB_QW1_AM   VTD_GENMASK(5, 0)
#define VTD_INV_IOTLB_QW1_IH   VTD_BIT(6)
#define VTD_INV_IOTLB_QW1_RSVD VTD_GENMASK(11, 7)
#define VTD_INV_IOTLB_QW1_ADDR VTD_GENMASK(63, 12)

/* vtd 6.5: device-TLB invalidate (type 3) */
#define VTD_INV_DEV_TLB_QW0_PFSID_LO VTD_GENMASK(15, 12) /* PFSID[3:0] */
#define VTD_INV_DEV_TLB_QW0_MIP      VTD_GENMASK(20, 16)
#define VTD_INV_DEV_TLB_QW0_SID      VTD_GENMASK(47, 32)
#define VTD_INV_DEV_TLB_QW0_PFSID_HI VTD_GENMASK(63, 52) /* PFSID[15:4] */
#define VTD_INV_DEV_TLB_QW0_RSVD                                               \
	(VTD_GENMASK(8, 4) | VTD_GENMASK(31, 21) | VTD_GENMASK(51, 48))
#define VTD_INV_DEV_TLB_QW1_S    VTD_BIT(0)
#define VTD_INV_DEV_TLB_QW1_RSVD VTD_GENMASK(11, 1)
#define VTD_INV_DEV_TLB_QW1_ADDR VTD_GENMASK(63, 12)

/* vtd 6.6: interrupt-entry-cache invalidate (type 4) */
#define VTD_INV_IEC_QW0_G    VTD_BIT(4) /* 1: index-selective (vtd 12.12) */
#define VTD_INV_IEC_QW0_IM   VTD_GENMASK(31, 27)
#define VTD_INV_IEC_QW0_IIDX VTD_GENMASK(47, 32)
#define VTD_INV_IEC_QW0_RSVD                                                   \
	(VTD_GENMASK(8, 5) | VTD_GENMASK(26, 12) | VTD_GENMASK(63, 48))
#define VTD_INV_IEC_QW1_RSVD (~0ull)

/* vtd 6.7: invalidation wait (type 5) */
#define VTD_INV_WAIT_QW0_IF    VTD_BIT(4)
#define VTD_INV_WAIT_QW0_SW    VTD_BIT(5)
#define VTD_INV_WAIT_QW0_FN    VTD_BIT(6)
#define VTD_INV_WAIT_QW0_PD    VTD_BIT(7) /* needs ECAP.PDS */
#define VTD_INV_WAIT_QW0_SDATA VTD_GENMASK(63, 32)
#define VTD_INV_WAIT_QW0_RSVD  (VTD_BIT(8) | VTD_GENMASK(31, 12))
#define VTD_INV_WAIT_QW1_RSVD  VTD_GENMASK(1, 0)
#define VTD_INV_WAIT_QW1_SADDR VTD_GENMASK(63, 2)

/* vtd 6.8: PASID-based IOTLB invalidate (type 6) */
#define VTD_INV_PIOTLB_QW0_G     VTD_GENMASK(5, 4)
#define VTD_INV_PIOTLB_QW0_DID   VTD_GENMASK(31, 16)
#define VTD_INV_PIOTLB_QW0_PASID VTD_GENMASK(51, 32)
#define VTD_INV_PIOTLB_QW0_RSVD                                                \
	(VTD_GENMASK(8, 6) | VTD_GENMASK(15, 12) | VTD_GENMASK(63, 52))
#define VTD_INV_PIOTLB_QW1_AM    VTD_GENMASK(5, 0)
#define VTD_INV_PIOTLB_QW1_IH    VTD_BIT(6)
#define VTD_INV_PIOTLB_QW1_RSVD  VTD_GENMASK(11, 7)
#define VTD_INV_PIOTLB_QW1_ADDR  VTD_GENMASK(63, 12)
#define VTD_PIOTLB_G_PASID 2 /* all pages of DID + PASID */
#define VTD_PIOTLB_G_PAGE  3 /* DID + PASID + ADDR + AM */

/* vtd 6.9: PASID-cache invalidate (type 7) */
#define VTD_INV_PC_QW0_G     VTD_GENMASK(5, 4)
#define VTD_INV_PC_QW0_DID   VTD_GENMASK(31, 16)
#define VTD_INV_PC_QW0_PASID VTD_GENMASK(51, 32)
#define VTD_INV_PC_QW0_RSVD                                                    \
	(VTD_GENMASK(8, 6) | VTD_GENMASK(15, 12) | VTD_GENMASK(63, 52))
#define VTD_PC_G_DOMAIN 0
#define VTD_PC_G_PASID  1
#define VTD_PC_G_GLOBAL 3

/* vtd 6.10: PASID-based device-TLB invalidate (type 8) */
#define VTD_INV_PDEV_TLB_QW0_MIP      VTD_GENMASK(8, 4)
#define VTD_INV_PDEV_TLB_QW0_PFSID_LO VTD_GENMASK(15, 12)
#define VTD_INV_PDEV_TLB_QW0_SID      VTD_GENMASK(31, 16)
#define VTD_INV_PDEV_TLB_QW0_PASID    VTD_GENMASK(51, 32)
#define VTD_INV_PDEV_TLB_QW0_PFSID_HI VTD_GENMASK(63, 52)
#define VTD_INV_PDEV_TLB_QW1_G    VTD_BIT(0)
#define VTD_INV_PDEV_TLB_QW1_RSVD VTD_GENMASK(10, 1)
#define VTD_INV_PDEV_TLB_QW1_S    VTD_BIT(11)
#define VTD_INV_PDEV_TLB_QW1_ADDR VTD_GENMASK(63, 12)

/* vtd 6.11: page-group response (type 9) */
#define VTD_INV_PGRP_QW0_PP    VTD_BIT(4)
#define VTD_INV_PGRP_QW0_PDP   VTD_BIT(5) /* vtd 12.10 */
#define VTD_INV_PGRP_QW0_RC    VTD_GENMASK(15, 12)
#define VTD_INV_PGRP_QW0_RID   VTD_GENMASK(31, 16)
#define VTD_INV_PGRP_QW0_PASID VTD_GENMASK(51, 32)
#define VTD_INV_PGRP_QW0_RSVD  (VTD_GENMASK(8, 6) | VTD_GENMASK(63, 52))
#define VTD_INV_PGRP_QW1_LPIG  VTD_BIT(2) /* vtd 12.10 */
#define VTD_INV_PGRP_QW1_PRGI  VTD_GENMASK(11, 3)
#define VTD_INV_PGRP_QW1_RSVD  (VTD_GENMASK(1, 0) | VTD_GENMASK(63, 12))
#define VTD_PGRP_RC_SUCCESS 0x0
#define VTD_PGRP_RC_INVALID 0x1
#define VTD_PGRP_RC_FAILURE 0xf

/* ---- vtd 7.1: fault recording register (128 bits) ----------------------- */
#define VTD_FRCD_SIZE 16
#define VTD_FRCD_QW0_FI   VTD_GENMASK(63, 12) /* page address of the request */
#define VTD_FRCD_QW1_SID  VTD_GENMASK(15, 0)
#define VTD_FRCD_QW1_T2   VTD_BIT(28)
#define VTD_FRCD_QW1_PRIV VTD_BIT(29)
#define VTD_FRCD_QW1_EXE  VTD_BIT(30)
#define VTD_FRCD_QW1_PP   VTD_BIT(31)
#define VTD_FRCD_QW1_FR   VTD_GENMASK(39, 32)
#define VTD_FRCD_QW1_PV   VTD_GENMASK(59, 40)
#define VTD_FRCD_QW1_AT   VTD_GENMASK(61, 60)
#define VTD_FRCD_QW1_T1   VTD_BIT(62) /* 1 read, 0 write */
#define VTD_FRCD_QW1_F    VTD_BIT(63) /* RW1C */
/* Linux's 32-bit view: dword at +12 holds F(31) T1(30) PV(27:8) FR(7:0) */
#define VTD_FRCD_DW3_F  VTD_BIT(31)
#define VTD_FRCD_AT_UNTRANSLATED 0
#define VTD_FRCD_AT_TRANSLATION  1
#define VTD_FRCD_AT_TRANSLATED   2

/* ---- vtd 7.3, 7.4, 7.5: fault reason codes ------------------------------ */
enum vtd_fr {
	/* legacy mode (vtd 7.3) */
	VTD_FR_ROOT_NOT_PRESENT = 0x01,   /* LRT.2 */
	VTD_FR_CTX_NOT_PRESENT = 0x02,    /* LCT.2 */
	VTD_FR_CTX_INVALID = 0x03,        /* LCT.4.x */
	VTD_FR_ADDR_BEYOND_MGAW = 0x04,   /* LGN.1.x */
	VTD_FR_WRITE = 0x05,              /* LGN.2 */
	VTD_FR_READ = 0x06,               /* LGN.3 */
	VTD_FR_SL_READ_ERR = 0x07,        /* LSL.1 */
	VTD_FR_ROOT_READ_ERR = 0x08,      /* LRT.1 */
	VTD_FR_CTX_READ_ERR = 0x09,       /* LCT.1 */
	VTD_FR_ROOT_RSVD = 0x0a,          /* LRT.3 */
	VTD_FR_CTX_RSVD = 0x0b,           /* LCT.3 */
	VTD_FR_SL_RSVD = 0x0c,            /* LSL.2 */
	VTD_FR_CTX_TT_BLOCKED = 0x0d,     /* LCT.5 */
	VTD_FR_INTR_RANGE = 0x0e,         /* LGN.4 */
	/* interrupt remapping (vtd 7.5) */
	VTD_FR_IR_REQ_RSVD = 0x20,
	VTD_FR_IR_INDEX_OVER = 0x21,
	VTD_FR_IR_ENTRY_NOT_PRESENT = 0x22,
	VTD_FR_IR_ROOT_INVALID = 0x23,
	VTD_FR_IR_ENTRY_RSVD = 0x24,
	VTD_FR_IR_CFI_BLOCKED = 0x25,
	VTD_FR_IR_SID_ERR = 0x26,
	VTD_FR_IR_PID_READ_ERR = 0x27,
	VTD_FR_IR_PID_RSVD = 0x28,
	VTD_FR_IR_UNTRANSLATED = 0x29,
	/* scalable mode (vtd 7.4) */
	VTD_FR_SM_RTA_INVALID = 0x30,     /* RTA.1.x */
	VTD_FR_SM_TTM_INVALID = 0x31,     /* RTA.2 */
	VTD_FR_SM_TTM_PAGE_REQ = 0x32,    /* RTA.3 */
	VTD_FR_SM_RTA4 = 0x33,            /* RTA.4, vtd 12.19 */
	VTD_FR_SM_ROOT_READ_ERR = 0x38,   /* SRT.1 */
	VTD_FR_SM_ROOT_NOT_PRESENT = 0x39, /* SRT.2 */
	VTD_FR_SM_ROOT_RSVD = 0x3a,       /* SRT.3 */
	VTD_FR_SM_CTX_READ_ERR = 0x40,    /* SCT.1 */
	VTD_FR_SM_CTX_NOT_PRESENT = 0x41, /* SCT.2 */
	VTD_FR_SM_CTX_RSVD = 0x42,        /* SCT.3 */
	VTD_FR_SM_CTX_INVALID = 0x43,     /* SCT.4.x */
	VTD_FR_SM_CTX_DTE = 0x44,         /* SCT.5 */
	VTD_FR_SM_CTX_PASIDE = 0x45,      /* SCT.6 */
	VTD_FR_SM_PASID_TOO_BIG = 0x46,   /* SCT.7 */
	VTD_FR_SM_CTX_PRE = 0x47,         /* SCT.8 */
	VTD_FR_SM_RID_PASID = 0x48,       /* SCT.9 */
	VTD_FR_SM_PDE_READ_ERR = 0x50,    /* SPD.1 */
	VTD_FR_SM_PDE_NOT_PRESENT = 0x51, /* SPD.2 */
	VTD_FR_SM_PDE_RSVD = 0x52,        /* SPD.3 */
	VTD_FR_SM_PE_READ_ERR = 0x58,     /* SPT.1 */
	VTD_FR_SM_PE_NOT_PRESENT = 0x59,  /* SPT.2 */
	VTD_FR_SM_PE_RSVD = 0x5a,         /* SPT.3 */
	VTD_FR_SM_PE_INVALID = 0x5b,      /* SPT.4.x */
	VTD_FR_SM_PE_ERE = 0x5c,          /* SPT.5 */
	VTD_FR_SM_PE_SRE = 0x5d,          /* SPT.6 */
	VTD_FR_SM_FL_READ_ERR = 0x70,     /* SFL.1 */
	VTD_FR_SM_FL_NOT_PRESENT = 0x71,  /* SFL.2 */
	VTD_FR_SM_FL_RSVD = 0x72,         /* SFL.3 */
	VTD_FR_SM_FL_ROOT_ERR = 0x73,     /* SFL.4, vtd 12.19 */
	VTD_FR_SM_FL_NEST_WIDTH = 0x74,   /* SFL.5 */
	VTD_FR_SM_FL_NEST_TOP_READ = 0x75, /* SFL.6 */
	VTD_FR_SM_FL_NEST_READ = 0x76,    /* SFL.7 */
	VTD_FR_SM_FL_NEST_WRITE = 0x77,   /* SFL.8 */
	VTD_FR_SM_SL_READ_ERR = 0x78,     /* SSL.1 */
	VTD_FR_SM_SL_PERM = 0x79,         /* SSL.2 */
	VTD_FR_SM_SL_RSVD = 0x7a,         /* SSL.3 */
	VTD_FR_SM_SL_PTR_INVALID = 0x7b,  /* SSL.4 */
	VTD_FR_SM_SL_AD_NOSNOOP = 0x7c,   /* SSL.5 */
	VTD_FR_SM_SSL6 = 0x7d,            /* SSL.6, vtd 12.19 */
	VTD_FR_SM_NON_CANONICAL = 0x80,   /* SGN.1 */
	VTD_FR_SM_FL_USER = 0x81,         /* SGN.2 */
	VTD_FR_SM_EXEC = 0x82,            /* SGN.3 */
	VTD_FR_SM_ADDR_BEYOND_MAX = 0x83, /* SGN.4.x */
	VTD_FR_SM_SL_OUT_BEYOND = 0x84,   /* SGN.5 */
	VTD_FR_SM_WRITE = 0x85,           /* SGN.6 */
	VTD_FR_SM_READ = 0x86,            /* SGN.7 */
	VTD_FR_SM_INTR_RANGE = 0x87,      /* SGN.8 */
	VTD_FR_SM_SGN9 = 0x88,            /* vtd 12.19 */
	VTD_FR_SM_SGN10 = 0x89,           /* vtd 12.19 */
	VTD_FR_SM_FL_AD_NOSNOOP = 0x90,   /* SFL.9 */
	VTD_FR_SM_FL_AD_FAIL = 0x91,      /* SFL.10 */
};

/*
 * Interrupt vectors of the model (host->ops->raise_irq), a project
 * convention in place of the MSI address/data pairs: the fault event
 * (FECTL/FEDATA/FEADDR) and the invalidation-completion event
 * (IECTL/IEDATA/IEADDR, wait descriptors with IF = 1).
 */
#define VTD_IRQ_FAULT 0
#define VTD_IRQ_INV   1

/* ---- vtd 8: the x86 interrupt window ------------------------------------ */
#define VTD_INTR_ADDR_FIRST 0xfee00000ull
#define VTD_INTR_ADDR_LAST  0xfeefffffull

#endif /* VTD_REGS_H */
