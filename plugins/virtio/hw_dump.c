// SPDX-License-Identifier: MIT
/*
 * hw_dump.c - the device model's state for a person reading it (the hw
 * op dump, plugin.h ABI 2.2): the virtio-mmio registers decoded (Status
 * and feature bits by name, virtio-iommu.md 1.2 and the virtio 1.x
 * status bits), the device config (1.3), each virtqueue's addresses, the
 * driver's avail index and the device's own consumer and used indices
 * (7), and the state the requests built (endpoints, domains, mappings).
 *
 * Read-only: the registers are copied under reg_lock, each queue's
 * indices under its lock, the state under state_lock, one at
 * a time (no nesting, so no order to keep); avail.idx is read from guest
 * memory the way the consumer reads it, and nothing is written.
 */
#include <inttypes.h>

#include "hw.h"

static const char *const status_names[8] = {
    "ACKNOWLEDGE", "DRIVER", "DRIVER_OK",	   "FEATURES_OK",
    NULL,	   NULL,     "DEVICE_NEEDS_RESET", "FAILED",
};

/* 1.2 and the transport's bits (virtio 1.x 6). */
static const char *feature_name(unsigned int bit)
{
	switch (bit) {
	case VIRTIO_IOMMU_F_INPUT_RANGE:
		return "INPUT_RANGE";
	case VIRTIO_IOMMU_F_DOMAIN_RANGE:
		return "DOMAIN_RANGE";
	case VIRTIO_IOMMU_F_MAP_UNMAP:
		return "MAP_UNMAP";
	case VIRTIO_IOMMU_F_BYPASS:
		return "BYPASS";
	case VIRTIO_IOMMU_F_PROBE:
		return "PROBE";
	case VIRTIO_IOMMU_F_MMIO:
		return "MMIO";
	case VIRTIO_IOMMU_F_BYPASS_CONFIG:
		return "BYPASS_CONFIG";
	case VIRTIO_F_INDIRECT_DESC:
		return "INDIRECT_DESC";
	case VIRTIO_F_EVENT_IDX:
		return "EVENT_IDX";
	case VIRTIO_F_VERSION_1:
		return "VERSION_1";
	case VIRTIO_F_RING_RESET:
		return "RING_RESET";
	default:
		return NULL;
	}
}

static void print_features(iommu_print_fn pr, void *c, const char *reg,
			   uint64_t f)
{
	pr(c, "  %-14s 0x%016" PRIx64 ":", reg, f);
	if (!f)
		pr(c, " (none)");
	for (unsigned int b = 0; b < 64; b++) {
		const char *n = feature_name(b);

		if (!(f & BIT64(b)))
			continue;
		if (n)
			pr(c, " %s", n);
		else
			pr(c, " bit%u", b);
	}
	pr(c, "\n");
}

/* The transport, copied under reg_lock. */
struct vdump_regs {
	uint32_t status, isr;
	uint64_t driver_features, negotiated;
	uint8_t bypass;
	struct {
		uint32_t num;
		bool ready;
		uint64_t desc, driver, device;
	} q[VIOMMU_NR_VQS];
};

static void vdump_queue(struct viommu_hw *hw, iommu_print_fn pr, void *c,
			const struct vdump_regs *r, unsigned int i)
{
	struct hw_queue *q = &hw->q[i];
	uint16_t last_avail, used_idx, avail = 0;
	bool have_avail = false;

	pthread_mutex_lock(&q->lock);
	last_avail = q->last_avail;
	used_idx = q->used_idx;
	pthread_mutex_unlock(&q->lock);
	if (r->q[i].ready && !viommu_hw_ring_load(hw, r->q[i].driver + 2,
						  __ATOMIC_ACQUIRE, &avail))
		have_avail = true;
	pr(c, "  queue %u (%s): QueueNum %" PRIu32 " QueueReady %u\n", i,
	   i == VIOMMU_REQUEST_VQ ? "requestq" : "eventq", r->q[i].num,
	   r->q[i].ready);
	pr(c,
	   "    QueueDesc 0x%" PRIx64 " QueueDriver 0x%" PRIx64
	   " QueueDevice 0x%" PRIx64 "\n",
	   r->q[i].desc, r->q[i].driver, r->q[i].device);
	if (have_avail)
		pr(c, "    avail.idx %u (driver's head), ", avail);
	else
		pr(c, "    avail.idx - (queue not ready or not RAM), ");
	pr(c, "last_avail %u (device's tail), used.idx %u", last_avail,
	   used_idx);
	if (have_avail)
		pr(c, ", %u available to the device",
		   (uint16_t)(avail - last_avail));
	pr(c, "\n");
}

int viommu_hw_dump(void *opaque, iommu_print_fn pr, void *c)
{
	struct viommu_hw *hw = opaque;
	struct vdump_regs r;
	size_t nr_eps, nr_doms;
	uint64_t nr_maps;

	if (!hw || !pr)
		return -EINVAL;
	pthread_mutex_lock(&hw->reg_lock);
	r.status = hw->status;
	r.isr = hw->isr;
	r.driver_features = hw->driver_features;
	for (unsigned int i = 0; i < VIOMMU_NR_VQS; i++) {
		r.q[i].num = hw->q[i].num;
		r.q[i].ready = hw->q[i].ready;
		r.q[i].desc = hw->q[i].desc;
		r.q[i].driver = hw->q[i].driver;
		r.q[i].device = hw->q[i].device;
	}
	pthread_mutex_unlock(&hw->reg_lock);
	r.negotiated = hw_negotiated(hw);
	r.bypass = __atomic_load_n(&hw->bypass, __ATOMIC_ACQUIRE);

	pr(c, "virtio-mmio registers:\n");
	pr(c, "  MagicValue 0x%08x Version %u DeviceID %u VendorID 0x%08x\n",
	   VMMIO_MAGIC, VMMIO_VERSION_MODERN, VIRTIO_ID_IOMMU,
	   VIRTIO_VENDOR_ID_PROJECT);
	pr(c, "  Status 0x%02" PRIx32 ":", r.status);
	if (!r.status)
		pr(c, " (reset)");
	for (unsigned int b = 0; b < 8; b++)
		if (r.status & (1u << b))
			pr(c, " %s", status_names[b] ? status_names[b] : "?");
	pr(c, "\n");
	pr(c, "  InterruptStatus 0x%" PRIx32 ":%s%s%s\n", r.isr,
	   r.isr & VMMIO_INT_VRING ? " USED_BUFFER" : "",
	   r.isr & VMMIO_INT_CONFIG ? " CONFIG_CHANGE" : "",
	   r.isr ? "" : " (none)");
	print_features(pr, c, "DeviceFeatures", hw->features);
	print_features(pr, c, "DriverFeatures", r.driver_features);
	print_features(pr, c, "negotiated", r.negotiated);
	pr(c, "device config (1.3):\n");
	pr(c, "  page_size_mask 0x%" PRIx64 "\n", hw->page_size_mask);
	pr(c,
	   "  input_range.start 0x%" PRIx64 " input_range.end 0x%" PRIx64 "\n",
	   hw->input_start, hw->input_end);
	pr(c, "  domain_range.start %" PRIu32 " domain_range.end %" PRIu32 "\n",
	   hw->domain_start, hw->domain_end);
	pr(c, "  probe_size %" PRIu32 " bypass %u\n", hw->probe_size, r.bypass);
	pr(c, "virtqueues (QueueNumMax %" PRIu32 "):\n", hw->queue_max);
	for (unsigned int i = 0; i < VIOMMU_NR_VQS; i++)
		vdump_queue(hw, pr, c, &r, i);

	pthread_mutex_lock(&hw->state_lock);
	nr_eps = rangemap_count(&hw->endpoints);
	nr_doms = rangemap_count(&hw->domains);
	nr_maps = hw->nr_mappings;
	pthread_mutex_unlock(&hw->state_lock);
	pr(c, "state:\n");
	pr(c,
	   "  endpoints %zu, domains %zu of %" PRIu64 ", mappings %" PRIu64
	   " of %" PRIu64 "\n",
	   nr_eps, nr_doms, hw->max_domains, nr_maps, hw->max_mappings);
	return 0;
}
