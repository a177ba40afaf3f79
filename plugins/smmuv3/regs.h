/* SPDX-License-Identifier: MIT */
/*
 * regs.h - Arm SMMUv3 layouts shared by the driver (drv_*.c) and the
 * device model (hw_*.c): register offsets and fields, the Stream table
 * (L1STD, STE), Context Descriptors (L1CD, CD), VMSAv8-64 descriptor bits
 * the model looks at, commands, event records, command errors, GERROR
 * bits and the model's interrupt vectors.  Values from spec/smmuv3.md;
 * section numbers ("smmuv3 2.4") refer to that sheet.
 *
 * Every field is a 64-bit mask over the doubleword (or register) it lives
 * in (SMMU_GENMASK); smmu_field_get()/smmu_field_prep() extract and place
 * a value.  Single-bit flags are plain masks (SMMU_BIT).  Structures are
 * arrays of little-endian doublewords: absolute bit N of an STE, CD,
 * command or event lives in DW(N / 64) at bit N % 64, and the macros are
 * named by doubleword (_DW0_, _DW1_, ...).  Whole-entry encoders and
 * decoders are deliberately absent: the driver encodes and the model
 * decodes, each in its own code, so that one misreading cannot pass
 * through both.
 *
 * Pointer fields (smmuv3 10 item 1): the sheet's G.b text gives bits up
 * to 55, Linux masks at bit 51.  This SMMU implements OAS <= 52, so bits
 * 55:52 of every pointer are RES0 and the _ADDR masks stop at bit 51.
 */
#ifndef SMMU_REGS_H
#define SMMU_REGS_H

#include <stdint.h>

#define SMMU_BIT(n) (1ull << (n))
/* Bits h..l inclusive, h >= l, h <= 63. */
#define SMMU_GENMASK(h, l) ((~0ull >> (63 - (h))) & (~0ull << (l)))

/* Value of the field @mask in @v, shifted down. */
static inline uint64_t smmu_field_get(uint64_t mask, uint64_t v)
{
	return (v & mask) >> __builtin_ctzll(mask);
}

/* @val placed in the field @mask (excess high bits are dropped). */
static inline uint64_t smmu_field_prep(uint64_t mask, uint64_t val)
{
	return (val << __builtin_ctzll(mask)) & mask;
}

/* ---- smmuv3 1.1: register map -------------------------------------------- */
#define SMMU_PAGE1		0x10000 /* Page 1 = base + 64 KiB */
#define SMMU_REG_WINDOW		0x20000 /* two 64 KiB pages */

#define SMMU_IDR0		0x0000 /* 32 RO */
#define SMMU_IDR1		0x0004 /* 32 RO */
#define SMMU_IDR2		0x0008 /* 32 RO */
#define SMMU_IDR3		0x000C /* 32 RO */
#define SMMU_IDR4		0x0010 /* 32 RO, IMPDEF */
#define SMMU_IDR5		0x0014 /* 32 RO */
#define SMMU_IIDR		0x0018 /* 32 RO */
#define SMMU_AIDR		0x001C /* 32 RO */
#define SMMU_CR0		0x0020 /* 32 RW */
#define SMMU_CR0ACK		0x0024 /* 32 RO */
#define SMMU_CR1		0x0028 /* 32 RW */
#define SMMU_CR2		0x002C /* 32 RW */
#define SMMU_STATUSR		0x0040 /* 32 RO */
#define SMMU_GBPA		0x0044 /* 32 RW */
#define SMMU_AGBPA		0x0048 /* 32 RW, IMPDEF */
#define SMMU_IRQ_CTRL		0x0050 /* 32 RW */
#define SMMU_IRQ_CTRLACK	0x0054 /* 32 RO */
#define SMMU_GERROR		0x0060 /* 32 RO */
#define SMMU_GERRORN		0x0064 /* 32 RW */
#define SMMU_GERROR_IRQ_CFG0	0x0068 /* 64 RW */
#define SMMU_GERROR_IRQ_CFG1	0x0070 /* 32 RW */
#define SMMU_GERROR_IRQ_CFG2	0x0074 /* 32 RW */
#define SMMU_STRTAB_BASE	0x0080 /* 64 RW */
#define SMMU_STRTAB_BASE_CFG	0x0088 /* 32 RW */
#define SMMU_CMDQ_BASE		0x0090 /* 64 RW */
#define SMMU_CMDQ_PROD		0x0098 /* 32 RW */
#define SMMU_CMDQ_CONS		0x009C /* 32 RW */
#define SMMU_EVENTQ_BASE	0x00A0 /* 64 RW */
#define SMMU_EVENTQ_PROD_ALIAS	0x00A8 /* optional alias; RAZ/WI here */
#define SMMU_EVENTQ_CONS_ALIAS	0x00AC /* optional alias; RAZ/WI here */
#define SMMU_EVENTQ_IRQ_CFG0	0x00B0 /* 64 RW */
#define SMMU_EVENTQ_IRQ_CFG1	0x00B8 /* 32 RW */
#define SMMU_EVENTQ_IRQ_CFG2	0x00BC /* 32 RW */
#define SMMU_PRIQ_BASE		0x00C0 /* 64, only with IDR0.PRI */
#define SMMU_PRIQ_IRQ_CFG0	0x00D0 /* 64, only with IDR0.PRI */
#define SMMU_PRIQ_IRQ_CFG1	0x00D8
#define SMMU_PRIQ_IRQ_CFG2	0x00DC
#define SMMU_GATOS_CTRL		0x0100 /* 0x100..0x118 only with IDR0.ATOS */
#define SMMU_MPAMIDR		0x0130 /* 32 RO */
#define SMMU_IDR6		0x0190 /* 32 RO, ECMDQ */
#define SMMU_SECURE_BASE	0x8000 /* SMMU_S_*: RAZ/WI to Non-secure */
#define SMMU_EVENTQ_PROD	0x100A8 /* 32 RW, Page 1 */
#define SMMU_EVENTQ_CONS	0x100AC /* 32 RW, Page 1 */
#define SMMU_PRIQ_PROD		0x100C8 /* 32 RW, Page 1 */
#define SMMU_PRIQ_CONS		0x100CC /* 32 RW, Page 1 */

/* ---- smmuv3 1.2: IDR0 ------------------------------------------------------- */
#define SMMU_IDR0_S2P		SMMU_BIT(0)
#define SMMU_IDR0_S1P		SMMU_BIT(1)
#define SMMU_IDR0_TTF		SMMU_GENMASK(3, 2)
#define SMMU_IDR0_COHACC	SMMU_BIT(4)
#define SMMU_IDR0_BTM		SMMU_BIT(5)
#define SMMU_IDR0_HTTU		SMMU_GENMASK(7, 6)
#define SMMU_IDR0_DORMHINT	SMMU_BIT(8)
#define SMMU_IDR0_HYP		SMMU_BIT(9)
#define SMMU_IDR0_ATS		SMMU_BIT(10)
#define SMMU_IDR0_NS1ATS	SMMU_BIT(11)
#define SMMU_IDR0_ASID16	SMMU_BIT(12)
#define SMMU_IDR0_MSI		SMMU_BIT(13)
#define SMMU_IDR0_SEV		SMMU_BIT(14)
#define SMMU_IDR0_ATOS		SMMU_BIT(15)
#define SMMU_IDR0_PRI		SMMU_BIT(16)
#define SMMU_IDR0_VMW		SMMU_BIT(17)
#define SMMU_IDR0_VMID16	SMMU_BIT(18)
#define SMMU_IDR0_CD2L		SMMU_BIT(19)
#define SMMU_IDR0_VATOS		SMMU_BIT(20)
#define SMMU_IDR0_TTENDIAN	SMMU_GENMASK(22, 21)
#define SMMU_IDR0_ATSRECERR	SMMU_BIT(23)
#define SMMU_IDR0_STALL_MODEL	SMMU_GENMASK(25, 24)
#define SMMU_IDR0_TERM_MODEL	SMMU_BIT(26)
#define SMMU_IDR0_ST_LEVEL	SMMU_GENMASK(28, 27)
#define SMMU_IDR0_RME_IMPL	SMMU_BIT(30)

#define SMMU_TTF_AARCH32	1 /* VMSAv8-32 LPAE only */
#define SMMU_TTF_AARCH64	2 /* VMSAv8-64 only */
#define SMMU_TTF_BOTH		3
#define SMMU_HTTU_NONE		0
#define SMMU_HTTU_AF		1 /* Access flag */
#define SMMU_HTTU_AF_DIRTY	2 /* Access flag and dirty state */
#define SMMU_HTTU_AF_DIRTY_HAFT 3
#define SMMU_TTENDIAN_MIXED	0
#define SMMU_TTENDIAN_LE	2
#define SMMU_TTENDIAN_BE	3
#define SMMU_STALL_MODEL_BOTH	0 /* stall and terminate */
#define SMMU_STALL_MODEL_TERM	1 /* terminate only */
#define SMMU_STALL_MODEL_STALL	2 /* stall forced */
#define SMMU_ST_LEVEL_LINEAR	0
#define SMMU_ST_LEVEL_2LVL	1

/* ---- smmuv3 1.3: IDR1 ------------------------------------------------------- */
#define SMMU_IDR1_SIDSIZE	SMMU_GENMASK(5, 0)
#define SMMU_IDR1_SSIDSIZE	SMMU_GENMASK(10, 6)
#define SMMU_IDR1_PRIQS		SMMU_GENMASK(15, 11)
#define SMMU_IDR1_EVENTQS	SMMU_GENMASK(20, 16)
#define SMMU_IDR1_CMDQS		SMMU_GENMASK(25, 21)
#define SMMU_IDR1_ATTR_PERMS_OVR SMMU_BIT(26)
#define SMMU_IDR1_ATTR_TYPES_OVR SMMU_BIT(27)
#define SMMU_IDR1_REL		SMMU_BIT(28)
#define SMMU_IDR1_QUEUES_PRESET	SMMU_BIT(29)
#define SMMU_IDR1_TABLES_PRESET	SMMU_BIT(30)
#define SMMU_IDR1_ECMDQ		SMMU_BIT(31)

#define SMMU_SIDSIZE_MAX	32
#define SMMU_SSIDSIZE_MAX	20
#define SMMU_QUEUE_LG2_MAX	19 /* PRIQS, EVENTQS, CMDQS */

/* ---- smmuv3 1.4: IDR3 ------------------------------------------------------- */
#define SMMU_IDR3_HAD		SMMU_BIT(2)
#define SMMU_IDR3_PBHA		SMMU_BIT(3)
#define SMMU_IDR3_XNX		SMMU_BIT(4)
#define SMMU_IDR3_PPS		SMMU_BIT(5)
#define SMMU_IDR3_MPAM		SMMU_BIT(7)
#define SMMU_IDR3_FWB		SMMU_BIT(8)
#define SMMU_IDR3_STT		SMMU_BIT(9)
#define SMMU_IDR3_RIL		SMMU_BIT(10)
#define SMMU_IDR3_BBML		SMMU_GENMASK(12, 11)
#define SMMU_IDR3_E0PD		SMMU_BIT(13)
#define SMMU_IDR3_PTWNNC	SMMU_BIT(14)
#define SMMU_IDR3_DPT		SMMU_BIT(15)

/* ---- smmuv3 1.5: IDR5 ------------------------------------------------------- */
#define SMMU_IDR5_OAS		SMMU_GENMASK(2, 0)
#define SMMU_IDR5_GRAN4K	SMMU_BIT(4)
#define SMMU_IDR5_GRAN16K	SMMU_BIT(5)
#define SMMU_IDR5_GRAN64K	SMMU_BIT(6)
#define SMMU_IDR5_DS		SMMU_BIT(7)
#define SMMU_IDR5_D128		SMMU_BIT(8)
#define SMMU_IDR5_VAX		SMMU_GENMASK(11, 10)
#define SMMU_IDR5_STALL_MAX	SMMU_GENMASK(31, 16)

/* Address-size codes of IDR5.OAS, CD.IPS and STE.S2PS (smmuv3 1.5, 2.5). */
#define SMMU_OAS_32	0
#define SMMU_OAS_36	1
#define SMMU_OAS_40	2
#define SMMU_OAS_42	3
#define SMMU_OAS_44	4
#define SMMU_OAS_48	5
#define SMMU_OAS_52	6
#define SMMU_OAS_56	7

/* Bits of address-size code @code (0..7). */
static inline unsigned int smmu_oas_bits(unsigned int code)
{
	static const unsigned char bits[8] = {32, 36, 40, 42, 44, 48, 52, 56};

	return bits[code & 7];
}

/* ---- smmuv3 1.1: IIDR, AIDR ------------------------------------------------- */
#define SMMU_IIDR_IMPLEMENTER	SMMU_GENMASK(11, 0)
#define SMMU_IIDR_REVISION	SMMU_GENMASK(15, 12)
#define SMMU_IIDR_VARIANT	SMMU_GENMASK(19, 16)
#define SMMU_IIDR_PRODUCTID	SMMU_GENMASK(31, 20)
#define SMMU_AIDR_MINOR		SMMU_GENMASK(3, 0)
#define SMMU_AIDR_MAJOR		SMMU_GENMASK(7, 4)

/* ---- smmuv3 1.6: control registers ----------------------------------------- */
#define SMMU_CR0_SMMUEN		SMMU_BIT(0)
#define SMMU_CR0_PRIQEN		SMMU_BIT(1)
#define SMMU_CR0_EVENTQEN	SMMU_BIT(2)
#define SMMU_CR0_CMDQEN		SMMU_BIT(3)
#define SMMU_CR0_ATSCHK		SMMU_BIT(4)
#define SMMU_CR0_VMW		SMMU_GENMASK(8, 6)
#define SMMU_CR0_DPT_WALK_EN	SMMU_BIT(10)

#define SMMU_CR1_QUEUE_IC	SMMU_GENMASK(1, 0)
#define SMMU_CR1_QUEUE_OC	SMMU_GENMASK(3, 2)
#define SMMU_CR1_QUEUE_SH	SMMU_GENMASK(5, 4)
#define SMMU_CR1_TABLE_IC	SMMU_GENMASK(7, 6)
#define SMMU_CR1_TABLE_OC	SMMU_GENMASK(9, 8)
#define SMMU_CR1_TABLE_SH	SMMU_GENMASK(11, 10)

#define SMMU_CR2_E2H		SMMU_BIT(0)
#define SMMU_CR2_RECINVSID	SMMU_BIT(1)
#define SMMU_CR2_PTM		SMMU_BIT(2)
#define SMMU_CR2_REC_CFG_ATS	SMMU_BIT(3)

#define SMMU_GBPA_MEMATTR	SMMU_GENMASK(3, 0)
#define SMMU_GBPA_MTCFG		SMMU_BIT(4)
#define SMMU_GBPA_ALLOCCFG	SMMU_GENMASK(11, 8)
#define SMMU_GBPA_SHCFG		SMMU_GENMASK(13, 12)
#define SMMU_GBPA_PRIVCFG	SMMU_GENMASK(17, 16)
#define SMMU_GBPA_INSTCFG	SMMU_GENMASK(19, 18)
#define SMMU_GBPA_ABORT		SMMU_BIT(20)
#define SMMU_GBPA_UPDATE	SMMU_BIT(31)

#define SMMU_IRQ_CTRL_GERROR_IRQEN SMMU_BIT(0)
#define SMMU_IRQ_CTRL_PRIQ_IRQEN   SMMU_BIT(1)
#define SMMU_IRQ_CTRL_EVENTQ_IRQEN SMMU_BIT(2)

/* *_IRQ_CFG0/1/2: the MSI each interrupt source may send. */
#define SMMU_IRQ_CFG0_ADDR	SMMU_GENMASK(51, 2)
#define SMMU_IRQ_CFG1_DATA	SMMU_GENMASK(31, 0)
#define SMMU_IRQ_CFG2_MEMATTR	SMMU_GENMASK(3, 0)
#define SMMU_IRQ_CFG2_SH	SMMU_GENMASK(5, 4)

/* Linux bring-up values (smmuv3 1.7 steps 2 and 3). */
#define SMMU_CR1_LINUX		0x0D75u
#define SMMU_CR2_LINUX		0x6u

/* ---- smmuv3 7.2: GERROR / GERRORN ------------------------------------------- */
#define SMMU_GERROR_CMDQ_ERR		SMMU_BIT(0)
#define SMMU_GERROR_EVENTQ_ABT_ERR	SMMU_BIT(2)
#define SMMU_GERROR_PRIQ_ABT_ERR	SMMU_BIT(3)
#define SMMU_GERROR_MSI_CMDQ_ABT_ERR	SMMU_BIT(4)
#define SMMU_GERROR_MSI_EVENTQ_ABT_ERR	SMMU_BIT(5)
#define SMMU_GERROR_MSI_PRIQ_ABT_ERR	SMMU_BIT(6)
#define SMMU_GERROR_MSI_GERROR_ABT_ERR	SMMU_BIT(7)
#define SMMU_GERROR_SFM_ERR		SMMU_BIT(8)
#define SMMU_GERROR_CMDQP_ERR		SMMU_BIT(9)
#define SMMU_GERROR_DPT_ERR		SMMU_BIT(10)
#define SMMU_GERROR_ERR_MASK		0x1FDu /* Linux's error bits */

/* ---- smmuv3 2.1: STRTAB_BASE, STRTAB_BASE_CFG ------------------------------- */
#define SMMU_STRTAB_BASE_ADDR	SMMU_GENMASK(51, 6)
#define SMMU_STRTAB_BASE_RA	SMMU_BIT(62)
#define SMMU_STRTAB_CFG_LOG2SIZE SMMU_GENMASK(5, 0)
#define SMMU_STRTAB_CFG_SPLIT	SMMU_GENMASK(10, 6)
#define SMMU_STRTAB_CFG_FMT	SMMU_GENMASK(17, 16)
#define SMMU_STRTAB_FMT_LINEAR	0
#define SMMU_STRTAB_FMT_2LVL	1

/* ---- smmuv3 2.3: L1STD (8 bytes) ------------------------------------------- */
#define SMMU_L1STD_SIZE		8
#define SMMU_L1STD_SPAN		SMMU_GENMASK(4, 0)
#define SMMU_L1STD_L2PTR	SMMU_GENMASK(51, 6)
#define SMMU_L1STD_SPAN_MAX	11 /* 12..31 reserved (as 0) */

/* ---- smmuv3 2.4: STE (64 bytes = 8 DWs) ------------------------------------- */
#define SMMU_STE_SIZE		64
#define SMMU_STE_DWORDS		8
/* DW0 */
#define SMMU_STE_DW0_V		SMMU_BIT(0)
#define SMMU_STE_DW0_CONFIG	SMMU_GENMASK(3, 1)
#define SMMU_STE_DW0_S1FMT	SMMU_GENMASK(5, 4)
#define SMMU_STE_DW0_S1CTXPTR	SMMU_GENMASK(51, 6)
#define SMMU_STE_DW0_S1CDMAX	SMMU_GENMASK(63, 59)
/* DW1 */
#define SMMU_STE_DW1_S1DSS	SMMU_GENMASK(1, 0)
#define SMMU_STE_DW1_S1CIR	SMMU_GENMASK(3, 2)
#define SMMU_STE_DW1_S1COR	SMMU_GENMASK(5, 4)
#define SMMU_STE_DW1_S1CSH	SMMU_GENMASK(7, 6)
#define SMMU_STE_DW1_S2HWU	SMMU_GENMASK(11, 8)
#define SMMU_STE_DW1_DRE	SMMU_BIT(12)
#define SMMU_STE_DW1_CONT	SMMU_GENMASK(16, 13)
#define SMMU_STE_DW1_DCP	SMMU_BIT(17)
#define SMMU_STE_DW1_PPAR	SMMU_BIT(18)
#define SMMU_STE_DW1_MEV	SMMU_BIT(19)
#define SMMU_STE_DW1_SW_RESERVED SMMU_GENMASK(23, 20)
#define SMMU_STE_DW1_S1PIE	SMMU_BIT(24)
#define SMMU_STE_DW1_S2FWB	SMMU_BIT(25)
#define SMMU_STE_DW1_S1MPAM	SMMU_BIT(26)
#define SMMU_STE_DW1_S1STALLD	SMMU_BIT(27)
#define SMMU_STE_DW1_EATS	SMMU_GENMASK(29, 28)
#define SMMU_STE_DW1_STRW	SMMU_GENMASK(31, 30)
#define SMMU_STE_DW1_MEMATTR	SMMU_GENMASK(35, 32)
#define SMMU_STE_DW1_MTCFG	SMMU_BIT(36)
#define SMMU_STE_DW1_ALLOCCFG	SMMU_GENMASK(40, 37)
#define SMMU_STE_DW1_SHCFG	SMMU_GENMASK(45, 44)
#define SMMU_STE_DW1_NSCFG	SMMU_GENMASK(47, 46)
#define SMMU_STE_DW1_PRIVCFG	SMMU_GENMASK(49, 48)
#define SMMU_STE_DW1_INSTCFG	SMMU_GENMASK(51, 50)
#define SMMU_STE_DW1_IMPDEF	SMMU_GENMASK(63, 52)
/* DW2 */
#define SMMU_STE_DW2_S2VMID	SMMU_GENMASK(15, 0)
#define SMMU_STE_DW2_IMPDEF	SMMU_GENMASK(31, 16)
#define SMMU_STE_DW2_S2T0SZ	SMMU_GENMASK(37, 32)
#define SMMU_STE_DW2_S2SL0	SMMU_GENMASK(39, 38)
#define SMMU_STE_DW2_S2IR0	SMMU_GENMASK(41, 40)
#define SMMU_STE_DW2_S2OR0	SMMU_GENMASK(43, 42)
#define SMMU_STE_DW2_S2SH0	SMMU_GENMASK(45, 44)
#define SMMU_STE_DW2_S2TG	SMMU_GENMASK(47, 46)
#define SMMU_STE_DW2_S2PS	SMMU_GENMASK(50, 48)
#define SMMU_STE_DW2_S2AA64	SMMU_BIT(51)
#define SMMU_STE_DW2_S2ENDI	SMMU_BIT(52)
#define SMMU_STE_DW2_S2AFFD	SMMU_BIT(53)
#define SMMU_STE_DW2_S2PTW	SMMU_BIT(54)
#define SMMU_STE_DW2_S2HD	SMMU_BIT(55)
#define SMMU_STE_DW2_S2HA	SMMU_BIT(56)
#define SMMU_STE_DW2_S2S	SMMU_BIT(57)
#define SMMU_STE_DW2_S2R	SMMU_BIT(58)
#define SMMU_STE_DW2_S2HAFT	SMMU_BIT(59)
#define SMMU_STE_DW2_S2PIE	SMMU_BIT(60)
#define SMMU_STE_DW2_S2POE	SMMU_BIT(61)
#define SMMU_STE_DW2_DPT_VMATCH	SMMU_GENMASK(63, 62)
/* DW3 */
#define SMMU_STE_DW3_S2NSW	SMMU_BIT(0)
#define SMMU_STE_DW3_S2NSA	SMMU_BIT(1)
#define SMMU_STE_DW3_S2SL0_2	SMMU_BIT(2)
#define SMMU_STE_DW3_S2DS	SMMU_BIT(3)
#define SMMU_STE_DW3_S2TTB	SMMU_GENMASK(51, 4)
#define SMMU_STE_DW3_S2SKL	SMMU_GENMASK(62, 61)
/* DW4..DW7: MPAM, Secure, Realm and overlay fields this SMMU lacks. */
#define SMMU_STE_DW4_PARTID	SMMU_GENMASK(31, 16)
#define SMMU_STE_DW5_PMG	SMMU_GENMASK(7, 0)
#define SMMU_STE_DW5_VMSPTR	SMMU_GENMASK(55, 12)

/* smmuv3 2.5: STE.Config (V = 1) */
#define SMMU_STE_CFG_ABORT	0 /* 1..3 reserved, behave as abort */
#define SMMU_STE_CFG_BYPASS	4
#define SMMU_STE_CFG_S1		5 /* stage 1 translate, stage 2 bypass */
#define SMMU_STE_CFG_S2		6 /* stage 1 bypass, stage 2 translate */
#define SMMU_STE_CFG_NESTED	7
#define SMMU_STE_CFG_S1_BIT	1 /* Config[0]: stage 1 enabled */
#define SMMU_STE_CFG_S2_BIT	2 /* Config[1]: stage 2 enabled */
/* STE.S1Fmt */
#define SMMU_S1FMT_LINEAR	0
#define SMMU_S1FMT_4K_L2	1 /* 64 CDs per leaf table */
#define SMMU_S1FMT_64K_L2	2 /* 1024 CDs per leaf table */
/* STE.S1DSS */
#define SMMU_S1DSS_TERMINATE	0
#define SMMU_S1DSS_BYPASS	1
#define SMMU_S1DSS_SSID0	2
/* STE.EATS */
#define SMMU_EATS_ABT		0
#define SMMU_EATS_TRANS		1
#define SMMU_EATS_S1CHK		2
#define SMMU_EATS_DPT		3
/* STE.STRW */
#define SMMU_STRW_NSEL1		0
#define SMMU_STRW_EL2		2
/* STE.S2TG and CD.TG0 */
#define SMMU_TG0_4K		0
#define SMMU_TG0_64K		1
#define SMMU_TG0_16K		2
/* CD.TG1 (a different encoding) */
#define SMMU_TG1_16K		1
#define SMMU_TG1_4K		2
#define SMMU_TG1_64K		3
/* STE.PRIVCFG / GBPA.PRIVCFG, STE.INSTCFG / GBPA.INSTCFG */
#define SMMU_PRIVCFG_INCOMING	0
#define SMMU_PRIVCFG_UNPRIV	2
#define SMMU_PRIVCFG_PRIV	3
#define SMMU_INSTCFG_INCOMING	0
#define SMMU_INSTCFG_DATA	2
#define SMMU_INSTCFG_INSTR	3
/* Cacheability of S1CIR/S1COR/S2IR0/S2OR0 and CD IR/OR */
#define SMMU_CACHE_NC		0
#define SMMU_CACHE_WBRA		1
#define SMMU_CACHE_WT		2
#define SMMU_CACHE_WB		3
/* Shareability of S1CSH/S2SH0/CD SH, SHCFG */
#define SMMU_SH_NSH		0
#define SMMU_SH_INCOMING	1 /* SHCFG only */
#define SMMU_SH_OSH		2
#define SMMU_SH_ISH		3

/* ---- smmuv3 3.1: CD (64 bytes = 8 DWs) -------------------------------------- */
#define SMMU_CD_SIZE		64
#define SMMU_CD_DWORDS		8
/* DW0 */
#define SMMU_CD_DW0_T0SZ	SMMU_GENMASK(5, 0)
#define SMMU_CD_DW0_TG0		SMMU_GENMASK(7, 6)
#define SMMU_CD_DW0_IR0		SMMU_GENMASK(9, 8)
#define SMMU_CD_DW0_OR0		SMMU_GENMASK(11, 10)
#define SMMU_CD_DW0_SH0		SMMU_GENMASK(13, 12)
#define SMMU_CD_DW0_EPD0	SMMU_BIT(14)
#define SMMU_CD_DW0_ENDI	SMMU_BIT(15)
#define SMMU_CD_DW0_T1SZ	SMMU_GENMASK(21, 16)
#define SMMU_CD_DW0_TG1		SMMU_GENMASK(23, 22)
#define SMMU_CD_DW0_IR1		SMMU_GENMASK(25, 24)
#define SMMU_CD_DW0_OR1		SMMU_GENMASK(27, 26)
#define SMMU_CD_DW0_SH1		SMMU_GENMASK(29, 28)
#define SMMU_CD_DW0_EPD1	SMMU_BIT(30)
#define SMMU_CD_DW0_V		SMMU_BIT(31)
#define SMMU_CD_DW0_IPS		SMMU_GENMASK(34, 32)
#define SMMU_CD_DW0_AFFD	SMMU_BIT(35)
#define SMMU_CD_DW0_WXN		SMMU_BIT(36)
#define SMMU_CD_DW0_UWXN	SMMU_BIT(37)
#define SMMU_CD_DW0_TBI0	SMMU_BIT(38)
#define SMMU_CD_DW0_TBI1	SMMU_BIT(39)
#define SMMU_CD_DW0_PAN		SMMU_BIT(40)
#define SMMU_CD_DW0_AA64	SMMU_BIT(41)
#define SMMU_CD_DW0_HD		SMMU_BIT(42)
#define SMMU_CD_DW0_HA		SMMU_BIT(43)
#define SMMU_CD_DW0_S		SMMU_BIT(44)
#define SMMU_CD_DW0_R		SMMU_BIT(45)
#define SMMU_CD_DW0_A		SMMU_BIT(46)
#define SMMU_CD_DW0_ASET	SMMU_BIT(47)
#define SMMU_CD_DW0_ASID	SMMU_GENMASK(63, 48)
/* DW1 */
#define SMMU_CD_DW1_NSCFG0	SMMU_BIT(0)
#define SMMU_CD_DW1_HAD0	SMMU_BIT(1)
#define SMMU_CD_DW1_E0PD0	SMMU_BIT(2)
#define SMMU_CD_DW1_HAFT	SMMU_BIT(3)
#define SMMU_CD_DW1_TTB0	SMMU_GENMASK(51, 4)
#define SMMU_CD_DW1_PNCH	SMMU_BIT(58)
#define SMMU_CD_DW1_EPAN	SMMU_BIT(59)
#define SMMU_CD_DW1_HWU0	SMMU_GENMASK(63, 60)
/* DW2 */
#define SMMU_CD_DW2_NSCFG1	SMMU_BIT(0)
#define SMMU_CD_DW2_HAD1	SMMU_BIT(1)
#define SMMU_CD_DW2_E0PD1	SMMU_BIT(2)
#define SMMU_CD_DW2_AIE		SMMU_BIT(3)
#define SMMU_CD_DW2_TTB1	SMMU_GENMASK(51, 4)
#define SMMU_CD_DW2_DS		SMMU_BIT(58)
#define SMMU_CD_DW2_PIE		SMMU_BIT(59)
#define SMMU_CD_DW2_HWU1	SMMU_GENMASK(63, 60)
/* DW3: MAIR0 (Attr0..3) and MAIR1 (Attr4..7) */
#define SMMU_CD_DW3_MAIR0	SMMU_GENMASK(31, 0)
#define SMMU_CD_DW3_MAIR1	SMMU_GENMASK(63, 32)
/* DW4: AMAIR; DW5: IMPDEF, PARTID, PMG; DW6, DW7: PIIU / PIIP */
#define SMMU_CD_DW5_PARTID	SMMU_GENMASK(47, 32)
#define SMMU_CD_DW5_PMG		SMMU_GENMASK(55, 48)

/* smmuv3 3.2, 4.12: the MAIR Linux programs (AttrIndx 0 NC, 1 WB, 2 Dev). */
#define SMMU_MAIR_LINUX		0x00000000F404FF44ull

/* T0SZ / T1SZ / S2T0SZ limits without STT, VAX or DS (smmuv3 3.2, 2.6). */
#define SMMU_TXSZ_MIN		16
#define SMMU_TXSZ_MAX		39

/* ---- smmuv3 3.3: L1CD (8 bytes) and CD-table geometry ----------------------- */
#define SMMU_L1CD_SIZE		8
#define SMMU_L1CD_V		SMMU_BIT(0)
#define SMMU_L1CD_L2PTR		SMMU_GENMASK(51, 12)
#define SMMU_CD_L2_SPLIT_4K	6  /* S1Fmt 0b01: 64 CDs per leaf */
#define SMMU_CD_L2_SPLIT_64K	10 /* S1Fmt 0b10: 1024 CDs per leaf */

/* ---- smmuv3 4: VMSAv8-64 descriptor bits the model reads -------------------- */
#define SMMU_PTE_VALID		SMMU_BIT(0)
#define SMMU_PTE_TABLE		SMMU_BIT(1) /* 0b11 table/page, 0b01 block */
#define SMMU_PTE_ATTRINDX	SMMU_GENMASK(4, 2)  /* stage 1 */
#define SMMU_PTE_S2_MEMATTR	SMMU_GENMASK(5, 2)  /* stage 2 */
#define SMMU_PTE_AP		SMMU_GENMASK(7, 6)  /* S1 AP[2:1] / S2AP */
#define SMMU_PTE_SH		SMMU_GENMASK(9, 8)
#define SMMU_PTE_AF		SMMU_BIT(10)
#define SMMU_PTE_NG		SMMU_BIT(11)
#define SMMU_PTE_DBM		SMMU_BIT(51)
#define SMMU_PTE_CONT		SMMU_BIT(52)
#define SMMU_PTE_PXN		SMMU_BIT(53)
#define SMMU_PTE_UXN		SMMU_BIT(54) /* XN at stage 2 */
#define SMMU_PTE_PXNTABLE	SMMU_BIT(59)
#define SMMU_PTE_UXNTABLE	SMMU_BIT(60)
#define SMMU_PTE_APTABLE	SMMU_GENMASK(62, 61)
/* Stage-2 MemAttr[3:2] = 0b00: Device memory (smmuv3 4.10). */
#define SMMU_S2_MEMATTR_DEVICE(m) (((m) & 0xCu) == 0)

/* ---- smmuv3 5.1: queue registers -------------------------------------------- */
#define SMMU_Q_BASE_LOG2SIZE	SMMU_GENMASK(4, 0)
#define SMMU_Q_BASE_ADDR	SMMU_GENMASK(51, 5)
#define SMMU_Q_BASE_RA		SMMU_BIT(62) /* CMDQ: RA; EVENTQ: WA */
#define SMMU_Q_WR_RD		SMMU_GENMASK(19, 0) /* index + wrap flag */
#define SMMU_CMDQ_CONS_ERR	SMMU_GENMASK(30, 24)
#define SMMU_EVENTQ_PROD_OVFLG	SMMU_BIT(31)
#define SMMU_EVENTQ_CONS_OVACKFLG SMMU_BIT(31)
#define SMMU_CMD_SIZE		16
#define SMMU_EVT_SIZE		32

/* ---- smmuv3 5.2: command, common fields ------------------------------------- */
#define SMMU_CMD_DW0_OPCODE	SMMU_GENMASK(7, 0)
#define SMMU_CMD_DW0_SSEC	SMMU_BIT(10)
#define SMMU_CMD_DW0_SSV	SMMU_BIT(11)
#define SMMU_CMD_DW0_SSID	SMMU_GENMASK(31, 12)
#define SMMU_CMD_DW0_SID	SMMU_GENMASK(63, 32)
#define SMMU_CMD_DW0_VMID	SMMU_GENMASK(47, 32)
#define SMMU_CMD_DW0_ASID	SMMU_GENMASK(63, 48)
#define SMMU_CMD_DW1_VA		SMMU_GENMASK(63, 12)
#define SMMU_CMD_DW1_IPA	SMMU_GENMASK(51, 12)

/* ---- smmuv3 5.3: opcodes ------------------------------------------------------ */
#define SMMU_CMD_PREFETCH_CONFIG 0x01
#define SMMU_CMD_PREFETCH_ADDR	0x02
#define SMMU_CMD_CFGI_STE	0x03
#define SMMU_CMD_CFGI_STE_RANGE	0x04 /* CFGI_ALL: Range = 31 */
#define SMMU_CMD_CFGI_ALL	0x04
#define SMMU_CMD_CFGI_CD	0x05
#define SMMU_CMD_CFGI_CD_ALL	0x06
#define SMMU_CMD_CFGI_VMS_PIDM	0x07
#define SMMU_CMD_TLBI_NH_ALL	0x10
#define SMMU_CMD_TLBI_NH_ASID	0x11
#define SMMU_CMD_TLBI_NH_VA	0x12
#define SMMU_CMD_TLBI_NH_VAA	0x13
#define SMMU_CMD_TLBI_EL3_ALL	0x18 /* Secure queue only */
#define SMMU_CMD_TLBI_EL3_VA	0x1A /* Secure queue only */
#define SMMU_CMD_TLBI_EL2_ALL	0x20
#define SMMU_CMD_TLBI_EL2_ASID	0x21
#define SMMU_CMD_TLBI_EL2_VA	0x22
#define SMMU_CMD_TLBI_EL2_VAA	0x23
#define SMMU_CMD_TLBI_S12_VMALL	0x28
#define SMMU_CMD_TLBI_S2_IPA	0x2A
#define SMMU_CMD_TLBI_NSNH_ALL	0x30
#define SMMU_CMD_ATC_INV	0x40
#define SMMU_CMD_PRI_RESP	0x41
#define SMMU_CMD_RESUME		0x44
#define SMMU_CMD_STALL_TERM	0x45
#define SMMU_CMD_SYNC		0x46
#define SMMU_CMD_DPTI_ALL	0x70
#define SMMU_CMD_DPTI_PA	0x73
/* Secure-EL2 / Secure stage-2 TLBIs: 0x50-0x53, 0x58, 0x5A, 0x60 */
#define SMMU_CMD_IMPDEF_FIRST	0x80
#define SMMU_CMD_IMPDEF_LAST	0x8F

/* ---- smmuv3 5.4: per-command fields ------------------------------------------ */
/* PREFETCH_ADDR DW1: Size [4:0], Addr [63:12]; Stride / NS unknown (10 #3) */
#define SMMU_CMD_PREFETCH_DW1_SIZE SMMU_GENMASK(4, 0)
#define SMMU_CMD_PREFETCH_DW1_ADDR SMMU_GENMASK(63, 12)
/* CFGI_STE / CFGI_CD DW1 */
#define SMMU_CMD_CFGI_DW1_LEAF	SMMU_BIT(0)
/* CFGI_STE_RANGE DW1 */
#define SMMU_CMD_CFGI_DW1_RANGE	SMMU_GENMASK(4, 0)
#define SMMU_CMD_CFGI_RANGE_ALL	31
/* TLBI_* (smmuv3 5.4, 5.5) */
#define SMMU_CMD_TLBI_DW0_NUM	SMMU_GENMASK(16, 12)
#define SMMU_CMD_TLBI_DW0_SCALE	SMMU_GENMASK(24, 20) /* [25:20] with DS */
#define SMMU_CMD_TLBI_DW1_LEAF	SMMU_BIT(0)
#define SMMU_CMD_TLBI_DW1_TTL128 SMMU_BIT(7)
#define SMMU_CMD_TLBI_DW1_TTL	SMMU_GENMASK(9, 8)
#define SMMU_CMD_TLBI_DW1_TG	SMMU_GENMASK(11, 10)
#define SMMU_CMD_TLBI_RANGE_NUM_MAX 31
/* TG of range invalidation: 0 = single address, else the granule */
#define SMMU_TLBI_TG_NONE	0
#define SMMU_TLBI_TG_4K		1
#define SMMU_TLBI_TG_16K	2
#define SMMU_TLBI_TG_64K	3
/* ATC_INV */
#define SMMU_CMD_ATC_DW0_GLOBAL	SMMU_BIT(9)
#define SMMU_CMD_ATC_DW1_SIZE	SMMU_GENMASK(5, 0)
#define SMMU_CMD_ATC_DW1_ADDR	SMMU_GENMASK(63, 12)
#define SMMU_ATC_INV_SIZE_ALL	52
/* PRI_RESP (Linux positions, smmuv3 10 #2) */
#define SMMU_CMD_PRI_DW1_PRGINDEX SMMU_GENMASK(8, 0)
#define SMMU_CMD_PRI_DW1_RESP	SMMU_GENMASK(13, 12)
/* RESUME */
#define SMMU_CMD_RESUME_DW0_AC	SMMU_BIT(12)
#define SMMU_CMD_RESUME_DW0_AB	SMMU_BIT(13)
#define SMMU_CMD_RESUME_DW1_STAG SMMU_GENMASK(15, 0)
/* SYNC (smmuv3 5.6) */
#define SMMU_CMD_SYNC_DW0_CS	SMMU_GENMASK(13, 12)
#define SMMU_CMD_SYNC_DW0_MSH	SMMU_GENMASK(23, 22)
#define SMMU_CMD_SYNC_DW0_MSIATTR SMMU_GENMASK(27, 24)
#define SMMU_CMD_SYNC_DW0_MSIDATA SMMU_GENMASK(63, 32)
#define SMMU_CMD_SYNC_DW1_MSIADDR SMMU_GENMASK(51, 2)
#define SMMU_SYNC_CS_NONE	0
#define SMMU_SYNC_CS_IRQ	1
#define SMMU_SYNC_CS_SEV	2

/* ---- smmuv3 6.2: event codes ------------------------------------------------- */
#define SMMU_EVT_F_UUT			0x01
#define SMMU_EVT_C_BAD_STREAMID		0x02
#define SMMU_EVT_F_STE_FETCH		0x03
#define SMMU_EVT_C_BAD_STE		0x04
#define SMMU_EVT_F_BAD_ATS_TREQ		0x05
#define SMMU_EVT_F_STREAM_DISABLED	0x06
#define SMMU_EVT_F_TRANSL_FORBIDDEN	0x07
#define SMMU_EVT_C_BAD_SUBSTREAMID	0x08
#define SMMU_EVT_F_CD_FETCH		0x09
#define SMMU_EVT_C_BAD_CD		0x0A
#define SMMU_EVT_F_WALK_EABT		0x0B
#define SMMU_EVT_F_TRANSLATION		0x10
#define SMMU_EVT_F_ADDR_SIZE		0x11
#define SMMU_EVT_F_ACCESS		0x12
#define SMMU_EVT_F_PERMISSION		0x13
#define SMMU_EVT_F_TLB_CONFLICT		0x20
#define SMMU_EVT_F_CFG_CONFLICT		0x21
#define SMMU_EVT_E_PAGE_REQUEST		0x24
#define SMMU_EVT_F_VMS_FETCH		0x25

/* ---- smmuv3 6.3: event record fields (32 bytes = 4 DWs) ---------------------- */
#define SMMU_EVT_DW0_ID		SMMU_GENMASK(7, 0)
#define SMMU_EVT_DW0_SSV	SMMU_BIT(11)
#define SMMU_EVT_DW0_SSID	SMMU_GENMASK(31, 12)
#define SMMU_EVT_DW0_SID	SMMU_GENMASK(63, 32)
#define SMMU_EVT_DW1_STAG	SMMU_GENMASK(15, 0)
#define SMMU_EVT_DW1_STALL	SMMU_BIT(31)
#define SMMU_EVT_DW1_PNU	SMMU_BIT(33)
#define SMMU_EVT_DW1_IND	SMMU_BIT(34)
#define SMMU_EVT_DW1_RNW	SMMU_BIT(35)
#define SMMU_EVT_DW1_S2		SMMU_BIT(39)
#define SMMU_EVT_DW1_CLASS	SMMU_GENMASK(41, 40)
#define SMMU_EVT_DW1_TTRNW	SMMU_BIT(44)
#define SMMU_EVT_DW2_INPUT_ADDR	SMMU_GENMASK(63, 0)
#define SMMU_EVT_DW3_IPA	SMMU_GENMASK(51, 12)
#define SMMU_EVT_DW3_FETCH_ADDR	SMMU_GENMASK(51, 3)
/* CLASS */
#define SMMU_EVT_CLASS_CD	0
#define SMMU_EVT_CLASS_TT	1
#define SMMU_EVT_CLASS_IN	2

/* ---- smmuv3 7.1: CMDQ_CONS.ERR ------------------------------------------------ */
#define SMMU_CERROR_NONE	0x00
#define SMMU_CERROR_ILL		0x01
#define SMMU_CERROR_ABT		0x02
#define SMMU_CERROR_ATC_INV_SYNC 0x03

/* ---- smmuv3 8: Linux's software MSI window ------------------------------------ */
#define SMMU_SW_MSI_BASE	0x08000000ull
#define SMMU_SW_MSI_SIZE	0x00100000ull

/*
 * Interrupt vectors (host->ops->raise_irq): the wired interrupts of this
 * SMMU, one per source.  When the guest gave a source an MSI address
 * (its *_IRQ_CFG0 non-zero, with IDR0.MSI) the model sends the MSI
 * (host->ops->msi_write) instead of raising the vector.
 *  - SMMU_IRQ_EVENTQ: an event record was written (IRQ_CTRL.EVENTQ_IRQEN).
 *  - SMMU_IRQ_GERROR: a GERROR bit became active (IRQ_CTRL.GERROR_IRQEN).
 *  - SMMU_IRQ_CMD_SYNC: a CMD_SYNC with CS = SIG_IRQ completed and its
 *    MSIAddress was 0 (or the SMMU has no MSIs); no enable bit.
 */
#define SMMU_IRQ_EVENTQ		0
#define SMMU_IRQ_GERROR		1
#define SMMU_IRQ_CMD_SYNC	2

#endif /* SMMU_REGS_H */
