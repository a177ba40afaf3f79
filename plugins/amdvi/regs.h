/* SPDX-License-Identifier: MIT */
/*
 * regs.h - AMD-Vi (AMD I/O Virtualization) layouts shared by the driver
 * and the device model: MMIO registers (amdvi 1), the device table entry
 * (2), host v1 and guest v2 entries (3, 4), the GCR3 table (4.2), commands
 * (5) and events (6).  Section numbers refer to spec/amdvi.md.  Bit
 * numbers of the DTE are split per qword (qword N holds DTE bits
 * 64N+63 .. 64N); commands and events per qword the same way.
 */
#ifndef AMDVI_REGS_H
#define AMDVI_REGS_H

#include <stdint.h>

#define AMDVI_BIT(n)	     (1ull << (n))
#define AMDVI_GENMASK(h, l)  ((~0ull >> (63 - (h))) & ~((1ull << (l)) - 1))

static inline uint64_t amdvi_field_get(uint64_t mask, uint64_t v)
{
	return (v & mask) >> __builtin_ctzll(mask);
}

static inline uint64_t amdvi_field_prep(uint64_t mask, uint64_t v)
{
	return (v << __builtin_ctzll(mask)) & mask;
}

/* ---- amdvi 1.1: MMIO offsets ------------------------------------------- */
#define AMDVI_MMIO_DEVTAB_BASE	0x0000
#define AMDVI_MMIO_CMD_BASE	0x0008
#define AMDVI_MMIO_EVT_BASE	0x0010
#define AMDVI_MMIO_CONTROL	0x0018
#define AMDVI_MMIO_EXCL_BASE	0x0020
#define AMDVI_MMIO_EXCL_LIMIT	0x0028
#define AMDVI_MMIO_EFR		0x0030
#define AMDVI_MMIO_PPR_BASE	0x0038
#define AMDVI_MMIO_HWEV_UPPER	0x0040
#define AMDVI_MMIO_HWEV_LOWER	0x0048
#define AMDVI_MMIO_HWEV_STATUS	0x0050
#define AMDVI_MMIO_GA_LOG_BASE	0x00E0
#define AMDVI_MMIO_GA_LOG_TAIL	0x00E8
#define AMDVI_MMIO_MSI_ADDR_LO	0x015C
#define AMDVI_MMIO_MSI_ADDR_HI	0x0160
#define AMDVI_MMIO_MSI_DATA	0x0164
#define AMDVI_MMIO_EFR2		0x01A0
#define AMDVI_MMIO_CMD_HEAD	0x2000
#define AMDVI_MMIO_CMD_TAIL	0x2008
#define AMDVI_MMIO_EVT_HEAD	0x2010
#define AMDVI_MMIO_EVT_TAIL	0x2018
#define AMDVI_MMIO_STATUS	0x2020
#define AMDVI_MMIO_PPR_HEAD	0x2030
#define AMDVI_MMIO_PPR_TAIL	0x2038
#define AMDVI_MMIO_GA_HEAD	0x2040
#define AMDVI_MMIO_GA_TAIL	0x2048
#define AMDVI_MMIO_WINDOW	0x4000 /* 16 KiB core register set */

/* ---- amdvi 1.2: base / head / tail formats ---------------------------- */
#define AMDVI_DEVTAB_SIZE	AMDVI_GENMASK(8, 0)   /* (Size+1) * 4 KiB */
#define AMDVI_DEVTAB_BASE	AMDVI_GENMASK(51, 12)
#define AMDVI_DEVTAB_RSVD	(AMDVI_GENMASK(11, 9) | AMDVI_GENMASK(63, 52))
#define AMDVI_DTE_PER_4K	128u
#define AMDVI_RING_BASE		AMDVI_GENMASK(51, 12) /* ComBase, EventBase */
#define AMDVI_RING_LEN		AMDVI_GENMASK(59, 56) /* 2^Len entries */
#define AMDVI_RING_LEN_MIN	8u		      /* 256 entries, 4 KiB */
#define AMDVI_RING_LEN_MAX	15u
#define AMDVI_RING_PTR		AMDVI_GENMASK(18, 4)  /* head / tail byte offset */
#define AMDVI_ENTRY_SIZE	16u		      /* command and event */

/* ---- amdvi 1.3: Control ------------------------------------------------- */
#define AMDVI_CTRL_IOMMU_EN	 AMDVI_BIT(0)
#define AMDVI_CTRL_HT_TUN_EN	 AMDVI_BIT(1)
#define AMDVI_CTRL_EVT_LOG_EN	 AMDVI_BIT(2)
#define AMDVI_CTRL_EVT_INT_EN	 AMDVI_BIT(3)
#define AMDVI_CTRL_COMWAIT_INT_EN AMDVI_BIT(4)
#define AMDVI_CTRL_INV_TIMEOUT	 AMDVI_GENMASK(7, 5)
#define AMDVI_CTRL_PASS_PW	 AMDVI_BIT(8)
#define AMDVI_CTRL_RES_PASS_PW	 AMDVI_BIT(9)
#define AMDVI_CTRL_COHERENT	 AMDVI_BIT(10)
#define AMDVI_CTRL_ISOC		 AMDVI_BIT(11)
#define AMDVI_CTRL_CMD_BUF_EN	 AMDVI_BIT(12)
#define AMDVI_CTRL_PPR_LOG_EN	 AMDVI_BIT(13)
#define AMDVI_CTRL_PPR_INT_EN	 AMDVI_BIT(14)
#define AMDVI_CTRL_PPR_EN	 AMDVI_BIT(15)
#define AMDVI_CTRL_GT_EN	 AMDVI_BIT(16)
#define AMDVI_CTRL_GA_EN	 AMDVI_BIT(17)
#define AMDVI_CTRL_HAD_UPDATE	 AMDVI_GENMASK(47, 46)
#define AMDVI_CTRL_XT_EN	 AMDVI_BIT(50)
#define AMDVI_CTRL_INTCAP_XT_EN	 AMDVI_BIT(51)

/* ---- amdvi 1.4: Status (RW1C: 0, 1, 2, 5, 6, 9, 10) ------------------- */
#define AMDVI_STS_EVT_OVERFLOW	AMDVI_BIT(0)
#define AMDVI_STS_EVT_LOG_INT	AMDVI_BIT(1)
#define AMDVI_STS_COMWAIT_INT	AMDVI_BIT(2)
#define AMDVI_STS_EVT_LOG_RUN	AMDVI_BIT(3)
#define AMDVI_STS_CMD_BUF_RUN	AMDVI_BIT(4)
#define AMDVI_STS_PPR_OVERFLOW	AMDVI_BIT(5)
#define AMDVI_STS_PPR_INT	AMDVI_BIT(6)
#define AMDVI_STS_PPR_LOG_RUN	AMDVI_BIT(7)
#define AMDVI_STS_GA_LOG_RUN	AMDVI_BIT(8)
#define AMDVI_STS_GA_OVERFLOW	AMDVI_BIT(9)
#define AMDVI_STS_GA_INT	AMDVI_BIT(10)
#define AMDVI_STS_RW1C                                                        \
	(AMDVI_STS_EVT_OVERFLOW | AMDVI_STS_EVT_LOG_INT |                     \
	 AMDVI_STS_COMWAIT_INT | AMDVI_STS_PPR_OVERFLOW | AMDVI_STS_PPR_INT | \
	 AMDVI_STS_GA_OVERFLOW | AMDVI_STS_GA_INT)

/* ---- amdvi 1.1: exclusion range ----------------------------------------- */
#define AMDVI_EXCL_EN	 AMDVI_BIT(0)
#define AMDVI_EXCL_ALLOW AMDVI_BIT(1)
#define AMDVI_EXCL_ADDR	 AMDVI_GENMASK(51, 12)

/* ---- amdvi 1.5: EFR ------------------------------------------------------ */
#define AMDVI_EFR_PREF_SUP	 AMDVI_BIT(0)
#define AMDVI_EFR_PPR_SUP	 AMDVI_BIT(1)
#define AMDVI_EFR_XT_SUP	 AMDVI_BIT(2)
#define AMDVI_EFR_NX_SUP	 AMDVI_BIT(3)
#define AMDVI_EFR_GT_SUP	 AMDVI_BIT(4)
#define AMDVI_EFR_GAPPI_SUP	 AMDVI_BIT(5)
#define AMDVI_EFR_IA_SUP	 AMDVI_BIT(6)
#define AMDVI_EFR_GA_SUP	 AMDVI_BIT(7)
#define AMDVI_EFR_HE_SUP	 AMDVI_BIT(8)
#define AMDVI_EFR_PC_SUP	 AMDVI_BIT(9)
#define AMDVI_EFR_HATS		 AMDVI_GENMASK(11, 10) /* max mode = HATS + 4 */
#define AMDVI_EFR_GATS		 AMDVI_GENMASK(13, 12) /* 0: 4, 1: 5 levels */
#define AMDVI_EFR_GLX_SUP	 AMDVI_GENMASK(15, 14)
#define AMDVI_EFR_PASMAX	 AMDVI_GENMASK(36, 32) /* max PASID 2^(n+1)-1 */
#define AMDVI_EFR_US_SUP	 AMDVI_BIT(37)
#define AMDVI_EFR_GIO_SUP	 AMDVI_BIT(48)
#define AMDVI_EFR_HA_SUP	 AMDVI_BIT(49)
#define AMDVI_EFR_HD_SUP	 AMDVI_BIT(52)
#define AMDVI_EFR_INV_IOTLB_TYPE AMDVI_BIT(54)

/* ---- amdvi 1.6: EFR2 ----------------------------------------------------- */
#define AMDVI_EFR2_GCR3TRP_MODE	  AMDVI_BIT(3)
#define AMDVI_EFR2_NUM_INT_REMAP  AMDVI_GENMASK(9, 8)
#define AMDVI_EFR2_HT_RANGE_IGNORE AMDVI_BIT(11)

/* ---- amdvi 2.2: DTE, qword 0 (bits 63:0) --------------------------------- */
#define AMDVI_DTE0_V	     AMDVI_BIT(0)
#define AMDVI_DTE0_TV	     AMDVI_BIT(1)
#define AMDVI_DTE0_HAD	     AMDVI_GENMASK(8, 7)
#define AMDVI_DTE0_MODE	     AMDVI_GENMASK(11, 9)
#define AMDVI_DTE0_ROOT	     AMDVI_GENMASK(51, 12)
#define AMDVI_DTE0_PPR	     AMDVI_BIT(52)
#define AMDVI_DTE0_GPRP	     AMDVI_BIT(53)
#define AMDVI_DTE0_GIOV	     AMDVI_BIT(54)
#define AMDVI_DTE0_GV	     AMDVI_BIT(55)
#define AMDVI_DTE0_GLX	     AMDVI_GENMASK(57, 56)
#define AMDVI_DTE0_GCR3_LO   AMDVI_GENMASK(60, 58) /* GCR3 root [14:12] */
#define AMDVI_DTE0_IR	     AMDVI_BIT(61)
#define AMDVI_DTE0_IW	     AMDVI_BIT(62)
#define AMDVI_DTE0_RSVD	     (AMDVI_GENMASK(6, 2) | AMDVI_BIT(63))
/* qword 1 (bits 127:64) */
#define AMDVI_DTE1_DOMID     AMDVI_GENMASK(15, 0)
#define AMDVI_DTE1_GCR3_MID  AMDVI_GENMASK(31, 16) /* GCR3 root [30:15] */
#define AMDVI_DTE1_I	     AMDVI_BIT(32)
#define AMDVI_DTE1_SE	     AMDVI_BIT(33)
#define AMDVI_DTE1_SA	     AMDVI_BIT(34)
#define AMDVI_DTE1_IOCTL     AMDVI_GENMASK(36, 35)
#define AMDVI_DTE1_CACHE     AMDVI_BIT(37)
#define AMDVI_DTE1_SD	     AMDVI_BIT(38)
#define AMDVI_DTE1_EX	     AMDVI_BIT(39)
#define AMDVI_DTE1_SYSMGT    AMDVI_GENMASK(41, 40)
#define AMDVI_DTE1_GCR3_HI   AMDVI_GENMASK(63, 43) /* GCR3 root [51:31] */
/* qword 2 (bits 191:128) */
#define AMDVI_DTE2_IV	     AMDVI_BIT(0)
#define AMDVI_DTE2_INTTABLEN AMDVI_GENMASK(4, 1)
#define AMDVI_DTE2_IG	     AMDVI_BIT(5)
#define AMDVI_DTE2_IRT	     AMDVI_GENMASK(51, 6)
#define AMDVI_DTE2_GPM	     AMDVI_GENMASK(55, 54)
#define AMDVI_DTE2_INITPASS  AMDVI_BIT(56)
#define AMDVI_DTE2_EINTPASS  AMDVI_BIT(57)
#define AMDVI_DTE2_NMIPASS   AMDVI_BIT(58)
#define AMDVI_DTE2_INTCTL    AMDVI_GENMASK(61, 60)
#define AMDVI_DTE2_LINT0PASS AMDVI_BIT(62)
#define AMDVI_DTE2_LINT1PASS AMDVI_BIT(63)
#define AMDVI_DTE2_RSVD	     AMDVI_GENMASK(53, 52)
/* qword 3 (bits 255:192) */
#define AMDVI_DTE3_RSVD	     (AMDVI_GENMASK(14, 0) | AMDVI_GENMASK(53, 48))
#define AMDVI_DTE_SIZE	     32u

/* 2.3: DTE.Mode; 2.2: GLX 11b, IntCtl 11b reserved. */
#define AMDVI_MODE_NONE	     0u
#define AMDVI_MODE_RSVD	     7u
#define AMDVI_GLX_RSVD	     3u
#define AMDVI_INTCTL_RSVD    3u
#define AMDVI_GPM_4LEVEL     0u
#define AMDVI_GPM_5LEVEL     1u

/* ---- amdvi 3.1: v1 PDE / PTE --------------------------------------------- */
#define AMDVI_PTE_PR	     AMDVI_BIT(0)
#define AMDVI_PTE_A	     AMDVI_BIT(5)
#define AMDVI_PTE_D	     AMDVI_BIT(6)
#define AMDVI_PTE_NEXT_LEVEL AMDVI_GENMASK(11, 9)
#define AMDVI_PTE_ADDR	     AMDVI_GENMASK(51, 12)
#define AMDVI_PTE_U	     AMDVI_BIT(59)
#define AMDVI_PTE_FC	     AMDVI_BIT(60)
#define AMDVI_PTE_IR	     AMDVI_BIT(61)
#define AMDVI_PTE_IW	     AMDVI_BIT(62)
#define AMDVI_NL_PAGE	     7u /* NextLevel 7: size coded in the address */

/* ---- amdvi 4.1: v2 (x86-64) entry --------------------------------------- */
#define AMDVI_V2_P	     AMDVI_BIT(0)
#define AMDVI_V2_RW	     AMDVI_BIT(1)
#define AMDVI_V2_US	     AMDVI_BIT(2)
#define AMDVI_V2_A	     AMDVI_BIT(5)
#define AMDVI_V2_D	     AMDVI_BIT(6)
#define AMDVI_V2_PS	     AMDVI_BIT(7)
#define AMDVI_V2_ADDR	     AMDVI_GENMASK(51, 12)
#define AMDVI_V2_NX	     AMDVI_BIT(63)

/* ---- amdvi 4.2: GCR3 table entry ---------------------------------------- */
#define AMDVI_GCR3_VALID     AMDVI_BIT(0)
#define AMDVI_GCR3_ADDR	     AMDVI_GENMASK(51, 12)
#define AMDVI_GCR3_IDX_BITS  9u

/* ---- amdvi 5.2: command opcodes (qword 0 bits 63:60) -------------------- */
#define AMDVI_CMD_OPCODE	    AMDVI_GENMASK(63, 60)
#define AMDVI_CMD_COMPLETION_WAIT   0x1u
#define AMDVI_CMD_INV_DEVTAB_ENTRY  0x2u
#define AMDVI_CMD_INV_IOMMU_PAGES   0x3u
#define AMDVI_CMD_INV_IOTLB_PAGES   0x4u
#define AMDVI_CMD_INV_INTR_TABLE    0x5u
#define AMDVI_CMD_PREFETCH_PAGES    0x6u
#define AMDVI_CMD_COMPLETE_PPR	    0x7u
#define AMDVI_CMD_INV_IOMMU_ALL	    0x8u
#define AMDVI_CMD_INSERT_GUEST_EVT  0x9u
#define AMDVI_CMD_RESET_VMMIO	    0xAu

/* 5.3 COMPLETION_WAIT */
#define AMDVI_CW0_S	    AMDVI_BIT(0)
#define AMDVI_CW0_I	    AMDVI_BIT(1)
#define AMDVI_CW0_F	    AMDVI_BIT(2)
#define AMDVI_CW0_ADDR	    AMDVI_GENMASK(51, 3) /* store address [51:3] */
#define AMDVI_CW0_RSVD	    AMDVI_GENMASK(59, 52)
/* INVALIDATE_DEVTAB_ENTRY, INVALIDATE_INTERRUPT_TABLE */
#define AMDVI_CMD0_DEVID    AMDVI_GENMASK(15, 0)
#define AMDVI_IDT0_RSVD	    AMDVI_GENMASK(59, 16)
/* INVALIDATE_IOMMU_PAGES */
#define AMDVI_IIP0_PASID    AMDVI_GENMASK(19, 0)
#define AMDVI_IIP0_DOMID    AMDVI_GENMASK(47, 32)
#define AMDVI_IIP0_RSVD	    (AMDVI_GENMASK(31, 20) | AMDVI_GENMASK(59, 48))
#define AMDVI_INV1_S	    AMDVI_BIT(0)
#define AMDVI_INV1_PDE	    AMDVI_BIT(1) /* IOMMU_PAGES; reserved elsewhere */
#define AMDVI_INV1_GN	    AMDVI_BIT(2)
#define AMDVI_INV1_ADDR	    AMDVI_GENMASK(63, 12)
#define AMDVI_IIP1_RSVD	    AMDVI_GENMASK(11, 3)
/* INVALIDATE_IOTLB_PAGES */
#define AMDVI_IOTLB0_PASID_MID AMDVI_GENMASK(23, 16) /* PASID[15:8] */
#define AMDVI_IOTLB0_MAXPEND AMDVI_GENMASK(31, 24)
#define AMDVI_IOTLB0_QUEUEID AMDVI_GENMASK(47, 32)
#define AMDVI_IOTLB0_PASID_LO AMDVI_GENMASK(55, 48) /* PASID[7:0] */
#define AMDVI_IOTLB0_PASID_HI AMDVI_GENMASK(59, 56) /* PASID[19:16] */
#define AMDVI_IOTLB1_TYPE   AMDVI_GENMASK(5, 4)
#define AMDVI_IOTLB1_RSVD   (AMDVI_BIT(1) | AMDVI_BIT(3) | AMDVI_GENMASK(11, 6))
/* PREFETCH_IOMMU_PAGES */
#define AMDVI_PF0_PFCOUNT   AMDVI_GENMASK(31, 24)
#define AMDVI_PF0_PASID	    AMDVI_GENMASK(51, 32)
#define AMDVI_PF0_RSVD	    (AMDVI_GENMASK(23, 16) | AMDVI_GENMASK(59, 52))
#define AMDVI_PF1_INVAL	    AMDVI_BIT(4)
#define AMDVI_PF1_RSVD	    (AMDVI_BIT(1) | AMDVI_BIT(3) | AMDVI_GENMASK(11, 5))
/* COMPLETE_PPR_REQUEST */
#define AMDVI_PPR0_PASID    AMDVI_GENMASK(51, 32)
#define AMDVI_PPR0_RSVD	    (AMDVI_GENMASK(31, 16) | AMDVI_GENMASK(59, 52))
#define AMDVI_PPR1_TAG	    AMDVI_GENMASK(47, 32)
#define AMDVI_PPR1_RSVD                                                     \
	(AMDVI_GENMASK(1, 0) | AMDVI_GENMASK(31, 3) | AMDVI_GENMASK(63, 48))
/* INVALIDATE_IOMMU_ALL */
#define AMDVI_ALL0_RSVD	    AMDVI_GENMASK(59, 0)

/* 5.4: S = 1 with the lowest 0 at bit 51 or above: the whole space. */
#define AMDVI_INV_ALL_ADDR  0x7FFFFFFFFFFFF000ull
#define AMDVI_INV_ALL_BIT   51u

/* ---- amdvi 6.2-6.5: events ------------------------------------------------ */
#define AMDVI_EVT_CODE		     AMDVI_GENMASK(63, 60)
#define AMDVI_EVT_ILLEGAL_DEV_TABLE_ENTRY 0x1u
#define AMDVI_EVT_IO_PAGE_FAULT	     0x2u
#define AMDVI_EVT_DEV_TAB_HW_ERROR   0x3u
#define AMDVI_EVT_PAGE_TAB_HW_ERROR  0x4u
#define AMDVI_EVT_ILLEGAL_COMMAND    0x5u
#define AMDVI_EVT_COMMAND_HW_ERROR   0x6u
#define AMDVI_EVT_IOTLB_INV_TIMEOUT  0x7u
#define AMDVI_EVT_INVALID_DEV_REQ    0x8u
#define AMDVI_EVT_INVALID_PPR_REQ    0x9u
#define AMDVI_EVT_COUNTER_ZERO	     0xAu
/* qword 0 fields (6.3) */
#define AMDVI_EVT0_DEVID	     AMDVI_GENMASK(15, 0)
#define AMDVI_EVT0_PASID_HI	     AMDVI_GENMASK(19, 16)
#define AMDVI_EVT0_DOMID	     AMDVI_GENMASK(47, 32) /* or PASID[15:0] */
#define AMDVI_EVT0_FLAGS	     AMDVI_GENMASK(59, 48)
#define AMDVI_EVT0_HW_TYPE	     AMDVI_GENMASK(58, 57) /* hardware errors */
#define AMDVI_EVT0_IDR_TYPE	     AMDVI_GENMASK(59, 57) /* invalid dev req */
/* 6.4: flags (bit n of the flags field = entry bit 48 + n) */
#define AMDVI_EVT_F_GN		     (1u << 0)
#define AMDVI_EVT_F_NX		     (1u << 1)
#define AMDVI_EVT_F_US		     (1u << 2)
#define AMDVI_EVT_F_I		     (1u << 3)
#define AMDVI_EVT_F_PR		     (1u << 4)
#define AMDVI_EVT_F_RW		     (1u << 5)
#define AMDVI_EVT_F_PE		     (1u << 6)
#define AMDVI_EVT_F_RZ		     (1u << 7)
#define AMDVI_EVT_F_TR		     (1u << 8)
/* 6.5: hardware-error Type */
#define AMDVI_HWERR_MASTER_ABORT     1u
#define AMDVI_HWERR_TARGET_ABORT     2u
#define AMDVI_HWERR_DATA_ERROR	     3u

/* ---- amdvi 7: the x86 MSI window ------------------------------------------ */
#define AMDVI_MSI_FIRST 0xFEE00000ull
#define AMDVI_MSI_LAST	0xFEEFFFFFull

/*
 * The model's interrupt vectors (host->ops->raise_irq), used when the
 * guest has not programmed the MSI registers (0x15C/0x160/0x164 all
 * zero): AMDVI_IRQ_EVENT when Status.EventLogInt or EventOverflow rises
 * with Control.EventIntEn, AMDVI_IRQ_COMWAIT when Status.ComWaitInt rises
 * with Control.ComWaitIntEn.  With an MSI address programmed both become
 * the one MSI of the IOMMU: host->ops->msi_write(address, data).
 */
#define AMDVI_IRQ_EVENT	  0
#define AMDVI_IRQ_COMWAIT 1

#endif /* AMDVI_REGS_H */
