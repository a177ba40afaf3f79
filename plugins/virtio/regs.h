/* SPDX-License-Identifier: MIT */
/*
 * regs.h - virtio-iommu and virtio-mmio layouts, shared by the driver
 * (drv_*.c) and the device model (hw_*.c).  Values from
 * spec/virtio-iommu.md; section numbers refer to that sheet.  The
 * transport is virtio-mmio version 2 (virtio 1.x, "MMIO Device Register
 * Layout").
 */
#ifndef VIOMMU_REGS_H
#define VIOMMU_REGS_H

#include <endian.h>
#include <stdint.h>
#include <string.h>

/* ---- virtio-mmio transport registers (offsets in the window) ---------- */
#define VMMIO_MAGIC_VALUE       0x000 /* "virt" = 0x74726976 */
#define VMMIO_VERSION           0x004 /* 2 */
#define VMMIO_DEVICE_ID         0x008
#define VMMIO_VENDOR_ID         0x00c
#define VMMIO_DEVICE_FEATURES   0x010
#define VMMIO_DEVICE_FEATURES_SEL 0x014
#define VMMIO_DRIVER_FEATURES   0x020
#define VMMIO_DRIVER_FEATURES_SEL 0x024
#define VMMIO_QUEUE_SEL         0x030
#define VMMIO_QUEUE_NUM_MAX     0x034
#define VMMIO_QUEUE_NUM         0x038
#define VMMIO_QUEUE_READY       0x044
#define VMMIO_QUEUE_NOTIFY      0x050
#define VMMIO_INTERRUPT_STATUS  0x060
#define VMMIO_INTERRUPT_ACK     0x064
#define VMMIO_STATUS            0x070
#define VMMIO_QUEUE_DESC_LOW    0x080
#define VMMIO_QUEUE_DESC_HIGH   0x084
#define VMMIO_QUEUE_DRIVER_LOW  0x090
#define VMMIO_QUEUE_DRIVER_HIGH 0x094
#define VMMIO_QUEUE_DEVICE_LOW  0x0a0
#define VMMIO_QUEUE_DEVICE_HIGH 0x0a4
#define VMMIO_CONFIG_GENERATION 0x0fc
#define VMMIO_CONFIG            0x100 /* device config space starts here */
#define VMMIO_WINDOW_SIZE       0x200

#define VMMIO_MAGIC   0x74726976u
#define VMMIO_VERSION_MODERN 2u
#define VIRTIO_VENDOR_ID_PROJECT 0x554d4d49u /* "IMMU": our vendor ID */

/* InterruptStatus bits */
#define VMMIO_INT_VRING  (1u << 0)
#define VMMIO_INT_CONFIG (1u << 1)

/* Device status bits (virtio 1.x 2.1) */
#define VIRTIO_STATUS_ACKNOWLEDGE 1u
#define VIRTIO_STATUS_DRIVER      2u
#define VIRTIO_STATUS_DRIVER_OK   4u
#define VIRTIO_STATUS_FEATURES_OK 8u
#define VIRTIO_STATUS_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED      128u

/* ---- 1.1 identity and queues ------------------------------------------ */
#define VIRTIO_ID_IOMMU 23u
#define VIOMMU_REQUEST_VQ 0u
#define VIOMMU_EVENT_VQ   1u
#define VIOMMU_NR_VQS     2u

/* ---- 1.2 feature bits ------------------------------------------------- */
#define VIRTIO_IOMMU_F_INPUT_RANGE   0
#define VIRTIO_IOMMU_F_DOMAIN_RANGE  1
#define VIRTIO_IOMMU_F_MAP_UNMAP     2
#define VIRTIO_IOMMU_F_BYPASS        3
#define VIRTIO_IOMMU_F_PROBE         4
#define VIRTIO_IOMMU_F_MMIO          5
#define VIRTIO_IOMMU_F_BYPASS_CONFIG 6
#define VIRTIO_F_INDIRECT_DESC       28
#define VIRTIO_F_EVENT_IDX           29
#define VIRTIO_F_VERSION_1           32
#define VIRTIO_F_RING_RESET          40

/* ---- 1.3 config space (40 bytes) -------------------------------------- */
#define VIOMMU_CFG_PAGE_SIZE_MASK 0
#define VIOMMU_CFG_INPUT_START    8
#define VIOMMU_CFG_INPUT_END      16
#define VIOMMU_CFG_DOMAIN_START   24
#define VIOMMU_CFG_DOMAIN_END     28
#define VIOMMU_CFG_PROBE_SIZE     32
#define VIOMMU_CFG_BYPASS         36
#define VIOMMU_CFG_SIZE           40

/* ---- 2.2 request types ------------------------------------------------ */
#define VIRTIO_IOMMU_T_ATTACH 1
#define VIRTIO_IOMMU_T_DETACH 2
#define VIRTIO_IOMMU_T_MAP    3
#define VIRTIO_IOMMU_T_UNMAP  4
#define VIRTIO_IOMMU_T_PROBE  5

/* ---- 2.3 request sizes (readable part, whole request incl. tail) ------ */
#define VIOMMU_TAIL_SIZE        4
#define VIOMMU_ATTACH_RD_SIZE   20
#define VIOMMU_DETACH_RD_SIZE   20
#define VIOMMU_MAP_RD_SIZE      36
#define VIOMMU_UNMAP_RD_SIZE    28
#define VIOMMU_PROBE_RD_SIZE    72

/* field offsets inside requests */
#define VIOMMU_REQ_TYPE       0
#define VIOMMU_ATTACH_DOMAIN  4
#define VIOMMU_ATTACH_EP      8
#define VIOMMU_ATTACH_FLAGS   12
#define VIOMMU_ATTACH_RSVD    16
#define VIOMMU_MAP_DOMAIN     4
#define VIOMMU_MAP_VSTART     8
#define VIOMMU_MAP_VEND       16
#define VIOMMU_MAP_PSTART     24
#define VIOMMU_MAP_FLAGS      32
#define VIOMMU_UNMAP_DOMAIN   4
#define VIOMMU_UNMAP_VSTART   8
#define VIOMMU_UNMAP_VEND     16
#define VIOMMU_PROBE_EP       4

#define VIRTIO_IOMMU_ATTACH_F_BYPASS (1u << 0)
#define VIRTIO_IOMMU_MAP_F_READ  (1u << 0)
#define VIRTIO_IOMMU_MAP_F_WRITE (1u << 1)
#define VIRTIO_IOMMU_MAP_F_MMIO  (1u << 2)
#define VIRTIO_IOMMU_MAP_F_MASK  0x7u

/* ---- 3.1 status codes ------------------------------------------------- */
#define VIRTIO_IOMMU_S_OK     0
#define VIRTIO_IOMMU_S_IOERR  1
#define VIRTIO_IOMMU_S_UNSUPP 2
#define VIRTIO_IOMMU_S_DEVERR 3
#define VIRTIO_IOMMU_S_INVAL  4
#define VIRTIO_IOMMU_S_RANGE  5
#define VIRTIO_IOMMU_S_NOENT  6
#define VIRTIO_IOMMU_S_FAULT  7
#define VIRTIO_IOMMU_S_NOMEM  8

/* ---- 4 probe properties ----------------------------------------------- */
#define VIRTIO_IOMMU_PROBE_T_NONE     0
#define VIRTIO_IOMMU_PROBE_T_RESV_MEM 1
#define VIRTIO_IOMMU_PROBE_T_MASK     0xfffu
#define VIRTIO_IOMMU_RESV_MEM_T_RESERVED 0
#define VIRTIO_IOMMU_RESV_MEM_T_MSI      1
#define VIOMMU_PROP_HDR_SIZE   4
#define VIOMMU_RESV_MEM_SIZE   24 /* with header; length field = 20 */

/* ---- 5 fault reports (24 bytes) --------------------------------------- */
#define VIOMMU_FAULT_SIZE 24
#define VIRTIO_IOMMU_FAULT_R_UNKNOWN 0
#define VIRTIO_IOMMU_FAULT_R_DOMAIN  1
#define VIRTIO_IOMMU_FAULT_R_MAPPING 2
#define VIRTIO_IOMMU_FAULT_F_READ    (1u << 0)
#define VIRTIO_IOMMU_FAULT_F_WRITE   (1u << 1)
#define VIRTIO_IOMMU_FAULT_F_EXEC    (1u << 2)
#define VIRTIO_IOMMU_FAULT_F_ADDRESS (1u << 8)

/* ---- 7 split virtqueue ------------------------------------------------ */
#define VRING_DESC_SIZE       16
#define VRING_DESC_F_NEXT     1u
#define VRING_DESC_F_WRITE    2u
#define VRING_DESC_F_INDIRECT 4u
#define VRING_AVAIL_F_NO_INTERRUPT 1u
#define VRING_USED_F_NO_NOTIFY     1u
#define VRING_MAX_SIZE 32768u

static inline uint64_t vring_desc_bytes(uint32_t n) { return 16ull * n; }
static inline uint64_t vring_avail_bytes(uint32_t n) { return 6ull + 2ull * n; }
static inline uint64_t vring_used_bytes(uint32_t n) { return 6ull + 8ull * n; }

/* Notify iff (u16)(new - event - 1) < (u16)(new - old)  (7.4) */
static inline int vring_need_event(uint16_t event, uint16_t new_idx,
				   uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

/*
 * Little-endian accessors for byte buffers: one unaligned load or store
 * each (memcpy of a fixed size compiles to one move), not a byte at a
 * time.
 */
static inline uint16_t vio_le16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return le16toh(v);
}
static inline uint32_t vio_le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}
static inline uint64_t vio_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}
static inline void vio_put16(uint8_t *p, uint16_t v)
{
	v = htole16(v);
	memcpy(p, &v, sizeof(v));
}
static inline void vio_put32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}
static inline void vio_put64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

#endif /* VIOMMU_REGS_H */
