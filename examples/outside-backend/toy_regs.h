/* SPDX-License-Identifier: MIT */
/*
 * toy_regs.h - the "toy" IOMMU: the hardware's programming interface.
 *
 * This is the whole specification of the toy, the one thing its device
 * model (toy_hw.c) and its driver (toy_drv.c) share.  They never call each
 * other: the driver reaches the hardware only through these registers and
 * the tables it writes in memory, as a kernel driver would.
 *
 * The toy sits on one PCI bus: a requester is named by its devfn (0..255).
 *
 * Registers: 64-bit, accessed with aligned 8-byte loads and stores
 * (anything else is refused).  Reset value 0 unless said.
 *
 *   0x000 ID       RO  TOY_ID_VALUE; bits 39:32 the number of fault
 *                      records (TOY_NR_FREC_MAX at most)
 *   0x008 CTRL     RW  bit 0 EN: translate DMA (0: every DMA is blocked);
 *                      bit 1 FLOG: record faults (0: a fault is dropped
 *                      and counted as lost)
 *   0x010 DEVTAB   RW  physical address of the device table (4 KiB
 *                      aligned; bits 11:0 ignored)
 *   0x018 INVAL    WO  any write: invalidate the whole IOTLB.  The IOTLB
 *                      keeps translations of 4 KiB frames (by requester
 *                      and address) until then; the device table is read
 *                      afresh by every request
 *   0x020 FHEAD    RW  index of the oldest fault record the driver has
 *                      not read; the driver writes it after reading
 *   0x028 FTAIL    RO  index of the next record the hardware writes;
 *                      FHEAD == FTAIL: no record pending.  The records
 *                      form a ring: the hardware never overwrites an
 *                      unread one (a fault that finds the ring full is
 *                      dropped and counted lost)
 *   0x100 + 16 i   RO  fault record i: qword 0 the request's address;
 *                      qword 1 TOY_FREC_*
 *
 * Device table: 256 entries of 8 bytes, indexed by devfn, little-endian:
 *   bit 0      V: valid; an invalid entry blocks (reason BAD_DEVICE)
 *   bits 2:1   MODE: TOY_MODE_BLOCK, TOY_MODE_PASS (the address is the
 *              physical address) or TOY_MODE_XLATE
 *   bits 11:3  reserved (0)
 *   bits 47:12 ROOT: with MODE_XLATE, the top table of a 4-level page
 *              table in the VT-d second-stage format (48-bit input and
 *              output addresses; 4 KiB, 2 MiB and 1 GiB pages; separate
 *              read and write bits), the format of core/pt's
 *              PT_FMT_VTDSS, walked with the engine's model walker
 *   bits 63:48 reserved (0)
 *
 * Requests with a PASID, and ATS-translated requests, fault (BAD_REQUEST):
 * the toy has neither.  Privileged and execute attributes are ignored.
 * Interrupt: vector 0, raised when a fault record is written.
 */
#ifndef TOY_REGS_H
#define TOY_REGS_H

#include <stdint.h>

#define TOY_REG_ID     0x000
#define TOY_REG_CTRL   0x008
#define TOY_REG_DEVTAB 0x010
#define TOY_REG_INVAL  0x018
#define TOY_REG_FHEAD  0x020
#define TOY_REG_FTAIL  0x028
#define TOY_REG_FREC   0x100
#define TOY_MMIO_SIZE  0x1000

#define TOY_ID_VALUE	0x31594f54u /* "TOY1" */
#define TOY_NR_FREC_MAX 64u

#define TOY_CTRL_EN   (1ull << 0)
#define TOY_CTRL_FLOG (1ull << 1)

#define TOY_DTE_V	   (1ull << 0)
#define TOY_DTE_MODE_SHIFT 1
#define TOY_DTE_MODE_MASK  (3ull << 1)
#define TOY_DTE_ROOT_MASK  0x0000fffffffff000ull
#define TOY_DTE_RSVD_MASK  0xffff000000000ff8ull
#define TOY_MODE_BLOCK	   0u
#define TOY_MODE_PASS	   1u
#define TOY_MODE_XLATE	   2u

#define TOY_DEVTAB_ENTRIES 256u
#define TOY_PT_LEVELS	   4u
#define TOY_PT_BITS	   48u

/* Fault record qword 1. */
#define TOY_FREC_DEV_MASK     0xffull	  /* bits 7:0: requester */
#define TOY_FREC_WRITE	      (1ull << 8) /* 1 write, 0 read */
#define TOY_FREC_REASON_SHIFT 16	  /* bits 23:16: TOY_R_* */
#define TOY_FREC_REASON_MASK  (0xffull << 16)

/* Fault reasons, the toy's vendor codes. */
enum toy_reason {
	TOY_R_BLOCKED = 1,     /* CTRL.EN = 0, or MODE_BLOCK */
	TOY_R_BAD_DEVICE = 2,  /* V = 0 */
	TOY_R_BAD_DTE = 3,     /* reserved bits or MODE 3 in the entry */
	TOY_R_NOT_PRESENT = 4, /* no translation for the address */
	TOY_R_PERMISSION = 5,  /* translation present, access denied */
	TOY_R_TABLE_FETCH = 6, /* a table or the device table not in RAM */
	TOY_R_BAD_PTE = 7,     /* reserved bits in a page-table entry */
	TOY_R_RANGE = 8,       /* address beyond 48 bits */
	TOY_R_BAD_REQUEST = 9, /* PASID or translated request */
};

#endif /* TOY_REGS_H */
