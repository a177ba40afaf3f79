// SPDX-License-Identifier: MIT
/*
 * hw_regs.c - the virtio-mmio transport registers, feature
 * negotiation, Status and reset, the device config, parameters and life
 * cycle ("Transport", "INPUT_RANGE and DOMAIN_RANGE" in hw.h).
 * Locking and decisions: see hw.h.
 */
#include "hw.h"

/* ---- Registers (virtio-mmio version 2) -------------------------------- */

/* Context: reg_lock held. */
static void hw_build_config(struct viommu_hw *hw, uint8_t cfg[VIOMMU_CFG_SIZE])
{
	memset(cfg, 0, VIOMMU_CFG_SIZE);
	vio_put64(cfg + VIOMMU_CFG_PAGE_SIZE_MASK, hw->page_size_mask);
	vio_put64(cfg + VIOMMU_CFG_INPUT_START, hw->input_start);
	vio_put64(cfg + VIOMMU_CFG_INPUT_END, hw->input_end);
	vio_put32(cfg + VIOMMU_CFG_DOMAIN_START, hw->domain_start);
	vio_put32(cfg + VIOMMU_CFG_DOMAIN_END, hw->domain_end);
	vio_put32(cfg + VIOMMU_CFG_PROBE_SIZE, hw->probe_size);
	cfg[VIOMMU_CFG_BYPASS] = __atomic_load_n(&hw->bypass, __ATOMIC_RELAXED);
}

/* Config accesses: 1, 2, 4 or 8 bytes, naturally aligned, inside the 40. */
static bool hw_cfg_access_ok(uint64_t off, unsigned int size)
{
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return false;
	return off % size == 0 && off + size <= VIOMMU_CFG_SIZE;
}

/**
 * viommu_hw_mmio_read() - read a register of the virtio-mmio window
 * Return: 0 and *@val; -EINVAL unknown offset, a transport register read
 * with a size other than 4, a bad config access, or NULL arguments.
 * Context: takes reg_lock.
 */
static int viommu_hw_mmio_read(void *opaque, uint64_t offset, unsigned int size,
			       uint64_t *val)
{
	struct viommu_hw *hw = opaque;
	struct hw_queue *q;
	uint64_t v = 0;
	int ret = 0;

	if (!hw || !val)
		return -EINVAL;
	if (offset >= VMMIO_CONFIG) {
		uint8_t cfg[VIOMMU_CFG_SIZE];
		uint64_t off = offset - VMMIO_CONFIG;

		if (!hw_cfg_access_ok(off, size))
			return -EINVAL;
		pthread_mutex_lock(&hw->reg_lock);
		hw_build_config(hw, cfg);
		pthread_mutex_unlock(&hw->reg_lock);
		for (unsigned int i = 0; i < size; i++)
			v |= (uint64_t)cfg[off + i] << (8 * i);
		*val = v;
		return 0;
	}
	if (size != 4 || offset % 4)
		return -EINVAL;

	pthread_mutex_lock(&hw->reg_lock);
	q = hw->queue_sel < VIOMMU_NR_VQS ? &hw->q[hw->queue_sel] : NULL;
	switch (offset) {
	case VMMIO_MAGIC_VALUE:
		v = VMMIO_MAGIC;
		break;
	case VMMIO_VERSION:
		v = VMMIO_VERSION_MODERN;
		break;
	case VMMIO_DEVICE_ID:
		v = VIRTIO_ID_IOMMU;
		break;
	case VMMIO_VENDOR_ID:
		v = VIRTIO_VENDOR_ID_PROJECT;
		break;
	case VMMIO_DEVICE_FEATURES:
		if (hw->dev_feat_sel < 2)
			v = (uint32_t)(hw->features >> (32 * hw->dev_feat_sel));
		break;
	case VMMIO_DEVICE_FEATURES_SEL:
		v = hw->dev_feat_sel;
		break;
	case VMMIO_DRIVER_FEATURES:
		if (hw->drv_feat_sel < 2)
			v = (uint32_t)(hw->driver_features >>
				       (32 * hw->drv_feat_sel));
		break;
	case VMMIO_DRIVER_FEATURES_SEL:
		v = hw->drv_feat_sel;
		break;
	case VMMIO_QUEUE_SEL:
		v = hw->queue_sel;
		break;
	case VMMIO_QUEUE_NUM_MAX:
		v = q ? hw->queue_max : 0;
		break;
	case VMMIO_QUEUE_NUM:
		v = q ? q->num : 0;
		break;
	case VMMIO_QUEUE_READY:
		v = q ? q->ready : 0;
		break;
	case VMMIO_QUEUE_DESC_LOW:
		v = q ? (uint32_t)q->desc : 0;
		break;
	case VMMIO_QUEUE_DESC_HIGH:
		v = q ? (uint32_t)(q->desc >> 32) : 0;
		break;
	case VMMIO_QUEUE_DRIVER_LOW:
		v = q ? (uint32_t)q->driver : 0;
		break;
	case VMMIO_QUEUE_DRIVER_HIGH:
		v = q ? (uint32_t)(q->driver >> 32) : 0;
		break;
	case VMMIO_QUEUE_DEVICE_LOW:
		v = q ? (uint32_t)q->device : 0;
		break;
	case VMMIO_QUEUE_DEVICE_HIGH:
		v = q ? (uint32_t)(q->device >> 32) : 0;
		break;
	case VMMIO_QUEUE_NOTIFY:
	case VMMIO_INTERRUPT_ACK:
		v = 0; /* write-only */
		break;
	case VMMIO_INTERRUPT_STATUS:
		v = hw->isr;
		break;
	case VMMIO_STATUS:
		v = hw->status;
		break;
	case VMMIO_CONFIG_GENERATION:
		v = 0; /* the device never changes its config by itself */
		break;
	default:
		ret = -EINVAL;
	}
	pthread_mutex_unlock(&hw->reg_lock);
	if (!ret)
		*val = v;
	return ret;
}

/* Device reset (Status = 0).  Context: every lock held. */
static void hw_reset_locked(struct viommu_hw *hw)
{
	hw->status = 0;
	hw->dev_feat_sel = 0;
	hw->drv_feat_sel = 0;
	hw->queue_sel = 0;
	hw->isr = 0;
	hw->driver_features = 0;
	__atomic_store_n(&hw->negotiated, 0, __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < VIOMMU_NR_VQS; i++) {
		struct hw_queue *q = &hw->q[i];

		q->num = 0;
		q->ready = false;
		q->desc = q->driver = q->device = 0;
		q->last_avail = q->used_idx = 0;
	}
	viommu_hw_state_reset(hw);
	hw_regs_changed(hw);
	/* config.bypass keeps its value (spec 1.3). */
}

static void hw_reset(struct viommu_hw *hw)
{
	pthread_mutex_lock(&hw->q[0].lock);
	pthread_mutex_lock(&hw->q[1].lock);
	pthread_mutex_lock(&hw->reg_lock);
	hw_state_write_begin(hw);
	hw_reset_locked(hw);
	hw_state_write_end(hw);
	pthread_mutex_unlock(&hw->reg_lock);
	pthread_mutex_unlock(&hw->q[1].lock);
	pthread_mutex_unlock(&hw->q[0].lock);
}

/*
 * Status write other than 0.  FEATURES_OK is refused (not kept) when the
 * driver accepted a feature the device does not offer.
 * Return: true when DRIVER_OK was just set (the caller kicks queue 0).
 * Context: reg_lock held.
 */
static bool hw_write_status_locked(struct viommu_hw *hw, uint32_t val)
{
	uint32_t old = hw->status;

	val &= 0xff;
	if ((val & VIRTIO_STATUS_FEATURES_OK) &&
	    !(old & VIRTIO_STATUS_FEATURES_OK)) {
		if (hw->driver_features & ~hw->features) {
			hw_log(hw, IOMMU_LOG_WARN,
			       "virtio-iommu: FEATURES_OK refused: driver "
			       "features 0x%llx not offered",
			       (unsigned long long)(hw->driver_features &
						    ~hw->features));
			val &= ~VIRTIO_STATUS_FEATURES_OK;
		} else {
			__atomic_store_n(&hw->negotiated, hw->driver_features,
					 __ATOMIC_RELEASE);
		}
	}
	/* The device owns NEEDS_RESET; the driver cannot clear it. */
	val |= old & VIRTIO_STATUS_NEEDS_RESET;
	hw->status = val;
	return (val & VIRTIO_STATUS_DRIVER_OK) &&
	       !(old & VIRTIO_STATUS_DRIVER_OK);
}

/* QueueReady = 1: the queue must have a valid size and aligned rings. */
static void hw_queue_ready_locked(struct viommu_hw *hw, struct hw_queue *q,
				  uint32_t val)
{
	if (!val) {
		q->ready = false;
		return;
	}
	if (q->ready)
		return;
	if (!iommu_is_pow2(q->num) || q->num > hw->queue_max || q->desc % 16 ||
	    q->driver % 2 || q->device % 4) {
		hw_log(hw, IOMMU_LOG_WARN,
		       "virtio-iommu: queue %u not made ready: size %u "
		       "(max %u) or ring alignment invalid",
		       (unsigned int)(q - hw->q), q->num, hw->queue_max);
		return;
	}
	/* Its indices start at 0 again, set by the consumer at its next
	 * snapshot under the queue lock (viommu_hw_snap_slow()). */
	q->ready_seq++;
	q->ready = true;
}

/* Config write: only bypass, only with BYPASS_CONFIG, only 0 or 1. */
static void hw_config_write_locked(struct viommu_hw *hw, uint64_t off,
				   unsigned int size, uint64_t val)
{
	uint8_t b;

	if (off > VIOMMU_CFG_BYPASS || off + size <= VIOMMU_CFG_BYPASS) {
		hw_log(hw, IOMMU_LOG_WARN,
		       "virtio-iommu: write to read-only config offset %llu "
		       "ignored",
		       (unsigned long long)off);
		return;
	}
	b = (uint8_t)(val >> (8 * (VIOMMU_CFG_BYPASS - off)));
	if (!(hw->status & VIRTIO_STATUS_FEATURES_OK) ||
	    !(hw->driver_features & BIT64(VIRTIO_IOMMU_F_BYPASS_CONFIG))) {
		hw_log(hw, IOMMU_LOG_WARN,
		       "virtio-iommu: config bypass write ignored: "
		       "BYPASS_CONFIG not negotiated");
		return;
	}
	if (b > 1) {
		hw_log(hw, IOMMU_LOG_WARN,
		       "virtio-iommu: config bypass write of %u ignored", b);
		return;
	}
	__atomic_store_n(&hw->bypass, b, __ATOMIC_RELEASE);
}

static void hw_set_low(uint64_t *r, uint64_t v)
{
	*r = (*r & ~0xffffffffull) | (uint32_t)v;
}

static void hw_set_high(uint64_t *r, uint64_t v)
{
	*r = (*r & 0xffffffffull) | ((uint64_t)(uint32_t)v << 32);
}

/**
 * viommu_hw_mmio_write() - write a register of the virtio-mmio window
 * Return: 0; -EINVAL unknown or read-only offset, bad size, bad config
 * access.  A write the device refuses (bad bypass value, queue register
 * of a ready queue) is ignored and logged, and returns 0.
 * Context: takes reg_lock; QueueNotify and DRIVER_OK consume the request
 * queue and may raise the interrupt (after every lock is dropped).
 */
static int viommu_hw_mmio_write(void *opaque, uint64_t offset,
				unsigned int size, uint64_t val)
{
	struct viommu_hw *hw = opaque;
	struct hw_queue *q;
	bool kick = false, irq = false;
	int ret = 0;

	if (!hw)
		return -EINVAL;
	if (offset >= VMMIO_CONFIG) {
		if (!hw_cfg_access_ok(offset - VMMIO_CONFIG, size))
			return -EINVAL;
		pthread_mutex_lock(&hw->reg_lock);
		hw_config_write_locked(hw, offset - VMMIO_CONFIG, size, val);
		pthread_mutex_unlock(&hw->reg_lock);
		return 0;
	}
	if (size != 4 || offset % 4)
		return -EINVAL;
	val = (uint32_t)val;
	if (offset == VMMIO_STATUS && val == 0) {
		hw_reset(hw);
		return 0;
	}
	if (offset == VMMIO_QUEUE_NOTIFY) {
		/* No NOTIFICATION_DATA: the value is the queue index. */
		if (val == VIOMMU_REQUEST_VQ && viommu_hw_process_requests(hw))
			hw->host->ops->raise_irq(hw->host, 0);
		return 0;
	}

	pthread_mutex_lock(&hw->reg_lock);
	q = hw->queue_sel < VIOMMU_NR_VQS ? &hw->q[hw->queue_sel] : NULL;
	/* Queue layout registers are frozen while the queue is ready. */
	if (q && q->ready &&
	    (offset == VMMIO_QUEUE_NUM ||
	     (offset >= VMMIO_QUEUE_DESC_LOW &&
	      offset <= VMMIO_QUEUE_DEVICE_HIGH))) {
		hw_log(hw, IOMMU_LOG_WARN,
		       "virtio-iommu: queue register 0x%llx written while the "
		       "queue is ready: ignored",
		       (unsigned long long)offset);
		goto out;
	}
	switch (offset) {
	case VMMIO_DEVICE_FEATURES_SEL:
		hw->dev_feat_sel = (uint32_t)val;
		break;
	case VMMIO_DRIVER_FEATURES:
		if (hw->status & VIRTIO_STATUS_FEATURES_OK)
			break; /* negotiation is over */
		if (hw->drv_feat_sel == 0)
			hw_set_low(&hw->driver_features, val);
		else if (hw->drv_feat_sel == 1)
			hw_set_high(&hw->driver_features, val);
		break;
	case VMMIO_DRIVER_FEATURES_SEL:
		hw->drv_feat_sel = (uint32_t)val;
		break;
	case VMMIO_QUEUE_SEL:
		hw->queue_sel = (uint32_t)val;
		break;
	case VMMIO_QUEUE_NUM:
		if (q)
			q->num = (uint32_t)val;
		break;
	case VMMIO_QUEUE_READY:
		if (q)
			hw_queue_ready_locked(hw, q, (uint32_t)val);
		break;
	case VMMIO_QUEUE_DESC_LOW:
		if (q)
			hw_set_low(&q->desc, val);
		break;
	case VMMIO_QUEUE_DESC_HIGH:
		if (q)
			hw_set_high(&q->desc, val);
		break;
	case VMMIO_QUEUE_DRIVER_LOW:
		if (q)
			hw_set_low(&q->driver, val);
		break;
	case VMMIO_QUEUE_DRIVER_HIGH:
		if (q)
			hw_set_high(&q->driver, val);
		break;
	case VMMIO_QUEUE_DEVICE_LOW:
		if (q)
			hw_set_low(&q->device, val);
		break;
	case VMMIO_QUEUE_DEVICE_HIGH:
		if (q)
			hw_set_high(&q->device, val);
		break;
	case VMMIO_INTERRUPT_ACK:
		hw->isr &= ~(uint32_t)val;
		goto out; /* no register a queue snapshot copies */
	case VMMIO_STATUS:
		kick = hw_write_status_locked(hw, (uint32_t)val);
		break;
	default:
		ret = -EINVAL; /* read-only or unknown */
		goto out;
	}
	hw_regs_changed(hw);
out:
	pthread_mutex_unlock(&hw->reg_lock);
	if (kick)
		irq = viommu_hw_process_requests(hw);
	if (irq)
		hw->host->ops->raise_irq(hw->host, 0);
	return ret;
}

/**
 * viommu_hw_notify() - doorbell for queue @queue
 * Return: 0; -EINVAL no instance or @queue >= 2.
 * Context: like a QueueNotify write.
 */
static int viommu_hw_notify(void *opaque, unsigned int queue)
{
	struct viommu_hw *hw = opaque;

	if (!hw || queue >= VIOMMU_NR_VQS)
		return -EINVAL;
	/* Event buffers are taken when a fault happens: nothing to do. */
	if (queue == VIOMMU_REQUEST_VQ && viommu_hw_process_requests(hw))
		hw->host->ops->raise_irq(hw->host, 0);
	return 0;
}

/* ---- Life cycle ------------------------------------------------------- */

/* Check and copy the VIOMMU_P_HW_* parameters.  Return: 0 or -EINVAL. */
static int hw_load_params(struct viommu_hw *hw, const uint64_t *p)
{
	struct iommu_host *host = hw->host;
	uint64_t unknown = p[VIOMMU_P_HW_FEATURES] & ~VIOMMU_HW_KNOWN_FEATURES;

	if (unknown)
		return ilib_bad_param(
		    host, "virtio", "features", p[VIOMMU_P_HW_FEATURES],
		    "offers bits the model does not implement");
	if (!p[VIOMMU_P_HW_PAGE_SIZE_MASK])
		return ilib_bad_param(host, "virtio", "page_size_mask", 0,
				      "must have at least one bit set");
	if (p[VIOMMU_P_HW_INPUT_START] > p[VIOMMU_P_HW_INPUT_END])
		return ilib_bad_param(host, "virtio", "input_start",
				      p[VIOMMU_P_HW_INPUT_START],
				      "greater than input_end");
	if (p[VIOMMU_P_HW_DOMAIN_END] > UINT32_MAX)
		return ilib_bad_param(host, "virtio", "domain_end",
				      p[VIOMMU_P_HW_DOMAIN_END],
				      "domain IDs are 32-bit");
	if (p[VIOMMU_P_HW_DOMAIN_START] > p[VIOMMU_P_HW_DOMAIN_END])
		return ilib_bad_param(host, "virtio", "domain_start",
				      p[VIOMMU_P_HW_DOMAIN_START],
				      "greater than domain_end");
	if (p[VIOMMU_P_HW_PROBE_SIZE] > 4096)
		return ilib_bad_param(host, "virtio", "probe_size",
				      p[VIOMMU_P_HW_PROBE_SIZE],
				      "more than 4096 bytes");
	if (p[VIOMMU_P_HW_BOOT_BYPASS] > 1)
		return ilib_bad_param(host, "virtio", "boot_bypass",
				      p[VIOMMU_P_HW_BOOT_BYPASS], "not 0 or 1");
	if (!iommu_is_pow2(p[VIOMMU_P_HW_QUEUE_MAX]) ||
	    p[VIOMMU_P_HW_QUEUE_MAX] < 2 ||
	    p[VIOMMU_P_HW_QUEUE_MAX] > VRING_MAX_SIZE)
		return ilib_bad_param(host, "virtio", "queue_max",
				      p[VIOMMU_P_HW_QUEUE_MAX],
				      "not a power of two in [2, 32768]");
	if (p[VIOMMU_P_HW_MSI_SIZE] &&
	    p[VIOMMU_P_HW_MSI_BASE] + (p[VIOMMU_P_HW_MSI_SIZE] - 1) <
		    p[VIOMMU_P_HW_MSI_BASE])
		return ilib_bad_param(host, "virtio", "msi_size",
				      p[VIOMMU_P_HW_MSI_SIZE],
				      "region wraps past 2^64");
	if (!p[VIOMMU_P_HW_MAX_DOMAINS])
		return ilib_bad_param(host, "virtio", "max_domains", 0,
				      "must be >= 1");
	if (!p[VIOMMU_P_HW_MAX_MAPPINGS])
		return ilib_bad_param(host, "virtio", "max_mappings", 0,
				      "must be >= 1");

	hw->features = p[VIOMMU_P_HW_FEATURES];
	hw->page_size_mask = p[VIOMMU_P_HW_PAGE_SIZE_MASK];
	hw->input_start = p[VIOMMU_P_HW_INPUT_START];
	hw->input_end = p[VIOMMU_P_HW_INPUT_END];
	hw->domain_start = (uint32_t)p[VIOMMU_P_HW_DOMAIN_START];
	hw->domain_end = (uint32_t)p[VIOMMU_P_HW_DOMAIN_END];
	hw->probe_size = (uint32_t)p[VIOMMU_P_HW_PROBE_SIZE];
	hw->bypass = (uint8_t)p[VIOMMU_P_HW_BOOT_BYPASS];
	hw->queue_max = (uint32_t)p[VIOMMU_P_HW_QUEUE_MAX];
	hw->has_msi = p[VIOMMU_P_HW_MSI_SIZE] != 0;
	hw->msi_base = p[VIOMMU_P_HW_MSI_BASE];
	hw->msi_last = hw->msi_base + p[VIOMMU_P_HW_MSI_SIZE] - 1;
	hw->max_domains = p[VIOMMU_P_HW_MAX_DOMAINS];
	hw->max_mappings = p[VIOMMU_P_HW_MAX_MAPPINGS];
	if (hw_offers(hw, VIRTIO_IOMMU_F_BYPASS) &&
	    hw_offers(hw, VIRTIO_IOMMU_F_BYPASS_CONFIG))
		host->ops->log(host, IOMMU_LOG_WARN,
			       "virtio: features offers both BYPASS and "
			       "BYPASS_CONFIG (spec 1.2 advises against)");
	return 0;
}

static void viommu_hw_destroy(void *opaque)
{
	struct viommu_hw *hw = opaque;

	if (!hw)
		return;
	viommu_hw_state_reset(hw);
	rangemap_clear(&hw->endpoints);
	rangemap_clear(&hw->domains);
	rangemap_pool_free(&hw->node_pool);
	viommu_hw_dom_pool_free(hw);
	for (unsigned int i = 0; i < VIOMMU_NR_VQS; i++) {
		free(hw->q[i].segs);
		free(hw->q[i].scratch);
		pthread_mutex_destroy(&hw->q[i].lock);
	}
	pthread_mutex_destroy(&hw->state_lock);
	pthread_mutex_destroy(&hw->reg_lock);
	free(hw);
}

/**
 * viommu_hw_create() - make a device model in its system-reset state
 * @host: core services
 * @params: the [virtio] values, indexed by enum viommu_param
 * @out: the instance
 *
 * Return: 0; -EINVAL bad argument or parameter (logged with its key);
 * -ENOMEM.
 */
static int viommu_hw_create(struct iommu_host *host, const uint64_t *params,
			    void **out)
{
	struct viommu_hw *hw;
	size_t scratch;
	unsigned int i, locks = 0;
	int ret;

	if (!ilib_model_host_ok(host) || !params || !out)
		return -EINVAL;
	hw = calloc(1, sizeof(*hw));
	if (!hw)
		return -ENOMEM;
	hw->host = host;
	hw->stat_add = host->ops->stat_add;
	hw->reg_gen = 1; /* no queue has a snapshot (snap_gen 0) */
	ret = hw_load_params(hw, params);
	if (ret)
		goto err_free;
	rangemap_init_pooled(&hw->endpoints, &hw->node_pool);
	rangemap_init_pooled(&hw->domains, &hw->node_pool);

	ret = -ENOMEM;
	if (pthread_mutex_init(&hw->reg_lock, NULL))
		goto err_free;
	if (pthread_mutex_init(&hw->state_lock, NULL))
		goto err_reg_lock;
	/* Stored segments stop once they cover the longest reply. */
	scratch = (size_t)hw->probe_size + VIOMMU_TAIL_SIZE;
	if (scratch < VIOMMU_FAULT_SIZE)
		scratch = VIOMMU_FAULT_SIZE;
	for (i = 0; i < VIOMMU_NR_VQS; i++) {
		struct hw_queue *q = &hw->q[i];

		if (pthread_mutex_init(&q->lock, NULL))
			goto err_queues;
		locks++;
		q->seg_cap = (unsigned int)scratch;
		q->segs = calloc(scratch, sizeof(*q->segs));
		q->scratch = calloc(1, scratch);
		if (!q->segs || !q->scratch)
			goto err_queues;
	}
	*out = hw;
	return 0;

err_queues:
	for (i = 0; i < VIOMMU_NR_VQS; i++) {
		free(hw->q[i].segs);
		free(hw->q[i].scratch);
		if (i < locks)
			pthread_mutex_destroy(&hw->q[i].lock);
	}
	pthread_mutex_destroy(&hw->state_lock);
err_reg_lock:
	pthread_mutex_destroy(&hw->reg_lock);
err_free:
	free(hw);
	return ret;
}

const struct iommu_hw_ops viommu_hw_ops = {
	.size = IOMMU_TABLE_SIZE(iommu_hw_ops),
	.create = viommu_hw_create,
	.destroy = viommu_hw_destroy,
	.mmio_read = viommu_hw_mmio_read,
	.mmio_write = viommu_hw_mmio_write,
	.translate = viommu_hw_translate,
	.endpoint_add = viommu_hw_endpoint_add,
	.endpoint_remove = viommu_hw_endpoint_remove,
	.notify = viommu_hw_notify,
	.dump = viommu_hw_dump,
};
