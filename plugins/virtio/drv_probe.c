// SPDX-License-Identifier: MIT
/*
 * drv_probe.c - discovery, negotiation, probe and release, endpoints
 * ("Features" in drv.h), the ops table.
 * Locks and choices: see drv.h.
 */
#include "drv.h"

/* ---- devices ------------------------------------------------------------- */

/**
 * viommu_drv_parse_probe() - read the RESV_MEM properties of a PROBE reply
 * @v: instance (for logs)
 * @p: the properties, @size bytes (probe_size)
 * @out: room for @max regions
 *
 * Spec 4: unknown types are skipped by their length, a header with its
 * reserved bits set is ignored, unknown subtypes count as RESERVED, the
 * list ends at type 0 or at @size; a property that runs past @size is
 * dropped.  MSI -> IOMMU_RESV_MSI (prot WRITE|MMIO), else
 * IOMMU_RESV_RESERVED (prot 0).
 * Return: number of regions written.
 */
static size_t viommu_drv_parse_probe(struct viommu_drv *v, const uint8_t *p,
				     size_t size, struct iommu_resv_region *out,
				     size_t max)
{
	size_t cur = 0, n = 0;

	while (cur + VIOMMU_PROP_HDR_SIZE <= size) {
		uint16_t hdr = vio_le16(p + cur);
		size_t len = vio_le16(p + cur + 2);
		unsigned int type = hdr & VIRTIO_IOMMU_PROBE_T_MASK;
		const uint8_t *body = p + cur + VIOMMU_PROP_HDR_SIZE;

		if (type == VIRTIO_IOMMU_PROBE_T_NONE)
			break;
		if (cur + VIOMMU_PROP_HDR_SIZE + len > size) {
			vlog(v, IOMMU_LOG_WARN,
			     "probe property at %zu overruns probe_size", cur);
			break;
		}
		cur += VIOMMU_PROP_HDR_SIZE + len;
		if (hdr & ~VIRTIO_IOMMU_PROBE_T_MASK)
			continue;
		if (type != VIRTIO_IOMMU_PROBE_T_RESV_MEM)
			continue;
		if (len < VIOMMU_RESV_MEM_SIZE - VIOMMU_PROP_HDR_SIZE) {
			vlog(v, IOMMU_LOG_WARN,
			     "RESV_MEM property of %zu bytes ignored", len);
			continue;
		}
		{
			uint8_t sub = body[0];
			uint64_t start = vio_le64(body + 4);
			uint64_t end = vio_le64(body + 12);

			if (end < start || n >= max)
				continue;
			out[n].start = start;
			out[n].last = end;
			if (sub == VIRTIO_IOMMU_RESV_MEM_T_MSI) {
				out[n].type = IOMMU_RESV_MSI;
				out[n].prot = IOMMU_WRITE | IOMMU_MMIO;
			} else {
				out[n].type = IOMMU_RESV_RESERVED;
				out[n].prot = 0;
			}
			n++;
		}
	}
	return n;
}

/**
 * viommu_drv_probe_device() - set up an endpoint and read its properties
 * @inst: instance
 * @dev: the device; dev->priv receives the endpoint state
 *
 * Sends PROBE when F_PROBE was negotiated and probe_size is not 0.
 * Context: takes req_lock, then dev_lock.
 * Return: 0; -EINVAL bad arguments; -EEXIST endpoint already probed;
 * -ENOMEM; the PROBE status as errno; -ETIMEDOUT.
 */
static int viommu_drv_probe_device(void *inst, struct iommu_dev_info *dev)
{
	struct viommu_drv *v = inst;
	struct viommu_ep *ep;
	int err = 0;

	if (!v || !dev)
		return -EINVAL;
	ep = calloc(1, sizeof(*ep));
	if (!ep)
		return -ENOMEM;
	ep->v = v;
	ep->id = dev->id;

	if (has_feat(v, VIRTIO_IOMMU_F_PROBE) && v->probe_size) {
		struct viommu_req r = {
			.type = VIRTIO_IOMMU_T_PROBE,
			.endpoint = dev->id,
		};
		size_t max = v->probe_size / VIOMMU_RESV_MEM_SIZE + 1;

		ep->resv = calloc(max, sizeof(*ep->resv));
		if (!ep->resv) {
			err = -ENOMEM;
			goto err_free_ep;
		}
		viommu_req_lock(v);
		err = viommu_req_send(v, &r);
		if (!err)
			ep->nr_resv = viommu_drv_parse_probe(
				v, v->probe_buf + VIOMMU_PROBE_RD_SIZE,
				v->probe_size, ep->resv, max);
		viommu_req_unlock(v);
		if (err) {
			vlog(v, IOMMU_LOG_ERR, "PROBE of endpoint 0x%x: %d",
			     dev->id, err);
			goto err_free_ep;
		}
	}

	pthread_mutex_lock(&v->dev_lock);
	err = rangemap_insert(&v->eps, dev->id, dev->id, (uintptr_t)ep, 0);
	pthread_mutex_unlock(&v->dev_lock);
	if (err)
		goto err_free_ep;
	dev->priv = ep;
	return 0;

err_free_ep:
	free(ep->resv);
	free(ep);
	return err;
}

/**
 * viommu_drv_release_device() - DETACH an endpoint and free its state
 * Context: takes the domain lock, req_lock, then dev_lock.
 */
static void viommu_drv_release_device(void *inst, struct iommu_dev_info *dev)
{
	struct viommu_drv *v = inst;
	struct viommu_domain *d;
	struct viommu_ep *ep;

	if (!v || !dev || !dev->priv)
		return;
	ep = dev->priv;
	if (ep->v != v)
		return;

	pthread_mutex_lock(&v->dev_lock);
	d = ep->domain;
	pthread_mutex_unlock(&v->dev_lock);
	if (d) {
		struct viommu_req r = {
			.type = VIRTIO_IOMMU_T_DETACH,
			.domain = d->id,
			.endpoint = ep->id,
		};
		int err;

		pthread_mutex_lock(&d->lock);
		viommu_req_lock(v);
		err = viommu_req_send(v, &r);
		viommu_req_unlock(v);
		if (err)
			vlog(v, IOMMU_LOG_WARN,
			     "DETACH of endpoint 0x%x from domain %u: %d",
			     ep->id, d->id, err);
		if (d->nr_endpoints)
			d->nr_endpoints--;
		pthread_mutex_unlock(&d->lock);
	}
	pthread_mutex_lock(&v->dev_lock);
	rangemap_remove(&v->eps, ep->id);
	pthread_mutex_unlock(&v->dev_lock);
	dev->priv = NULL;
	free(ep->resv);
	free(ep);
}

/**
 * viommu_drv_get_resv_regions() - the endpoint's RESV_MEM regions
 * @out: room for @max regions (may be NULL when @max is 0)
 * @count: receives how many there are (may exceed @max)
 * Return: 0; -EINVAL bad arguments.
 */
static int viommu_drv_get_resv_regions(void *inst, struct iommu_dev_info *dev,
				       struct iommu_resv_region *out,
				       size_t max, size_t *count)
{
	struct viommu_drv *v = inst;
	struct viommu_ep *ep;

	if (!v || !dev || !dev->priv || !count || (max && !out))
		return -EINVAL;
	ep = dev->priv;
	if (ep->v != v)
		return -EINVAL;
	for (size_t i = 0; i < ep->nr_resv && i < max; i++)
		out[i] = ep->resv[i];
	*count = ep->nr_resv;
	return 0;
}

static bool viommu_drv_capable(void *inst, struct iommu_dev_info *dev,
			       enum iommu_cap cap)
{
	(void)dev;
	return inst && cap == IOMMU_CAP_CACHE_COHERENCY;
}

/* ---- probe and release --------------------------------------------------- */

/* Read the 40-byte config, consistent across ConfigGeneration (1.3). */
static int viommu_read_config(struct viommu_drv *v,
			      uint8_t cfg[VIOMMU_CFG_SIZE])
{
	for (int tries = 0; tries < 16; tries++) {
		uint32_t g0, g1, w;
		int err = mmio_r32(v, VMMIO_CONFIG_GENERATION, &g0);

		for (unsigned int off = 0; !err && off < VIOMMU_CFG_SIZE;
		     off += 4) {
			err = mmio_r32(v, VMMIO_CONFIG + off, &w);
			vio_put32(cfg + off, w);
		}
		if (!err)
			err = mmio_r32(v, VMMIO_CONFIG_GENERATION, &g1);
		if (err)
			return err;
		if (g0 == g1)
			return 0;
	}
	return -EIO;
}

static int viommu_set_status(struct viommu_drv *v, uint32_t status)
{
	return mmio_w32(v, VMMIO_STATUS, status);
}

static int viommu_reset(struct viommu_drv *v)
{
	if (viommu_set_status(v, 0))
		return -EIO;
	/* the reset is complete once Status reads back 0 */
	return ilib_mmio_poll(&v->bus, VMMIO_STATUS, 4, UINT32_MAX, 0,
			      VIOMMU_RESET_POLLS, NULL);
}

static int viommu_negotiate(struct viommu_drv *v)
{
	const uint64_t wanted = (1ull << VIRTIO_F_VERSION_1) |
				(1ull << VIRTIO_IOMMU_F_MAP_UNMAP) |
				(1ull << VIRTIO_IOMMU_F_INPUT_RANGE) |
				(1ull << VIRTIO_IOMMU_F_DOMAIN_RANGE) |
				(1ull << VIRTIO_IOMMU_F_PROBE) |
				(1ull << VIRTIO_IOMMU_F_MMIO) |
				(1ull << VIRTIO_IOMMU_F_BYPASS_CONFIG);
	uint32_t lo, hi, st = 0;
	uint64_t dev;

	if (mmio_w32(v, VMMIO_DEVICE_FEATURES_SEL, 0) ||
	    mmio_r32(v, VMMIO_DEVICE_FEATURES, &lo) ||
	    mmio_w32(v, VMMIO_DEVICE_FEATURES_SEL, 1) ||
	    mmio_r32(v, VMMIO_DEVICE_FEATURES, &hi))
		return -EIO;
	dev = (uint64_t)hi << 32 | lo;
	if (!(dev & (1ull << VIRTIO_F_VERSION_1))) {
		vlog(v, IOMMU_LOG_ERR,
		     "device features 0x%llx lack VERSION_1",
		     (unsigned long long)dev);
		return -ENODEV;
	}
	if (!(dev & (1ull << VIRTIO_IOMMU_F_MAP_UNMAP))) {
		vlog(v, IOMMU_LOG_ERR,
		     "device features 0x%llx lack MAP_UNMAP",
		     (unsigned long long)dev);
		return -ENODEV;
	}
	v->features = dev & wanted;
	if (mmio_w32(v, VMMIO_DRIVER_FEATURES_SEL, 0) ||
	    mmio_w32(v, VMMIO_DRIVER_FEATURES, (uint32_t)v->features) ||
	    mmio_w32(v, VMMIO_DRIVER_FEATURES_SEL, 1) ||
	    mmio_w32(v, VMMIO_DRIVER_FEATURES, (uint32_t)(v->features >> 32)))
		return -EIO;
	if (viommu_set_status(v, VIRTIO_STATUS_ACKNOWLEDGE |
				      VIRTIO_STATUS_DRIVER |
				      VIRTIO_STATUS_FEATURES_OK) ||
	    mmio_r32(v, VMMIO_STATUS, &st))
		return -EIO;
	if (!(st & VIRTIO_STATUS_FEATURES_OK)) {
		vlog(v, IOMMU_LOG_ERR, "device refused features 0x%llx",
		     (unsigned long long)v->features);
		return -ENODEV;
	}
	return 0;
}

static int viommu_parse_config(struct viommu_drv *v)
{
	uint8_t cfg[VIOMMU_CFG_SIZE];
	int err = viommu_read_config(v, cfg);

	if (err)
		return -EIO;
	v->page_size_mask = vio_le64(cfg + VIOMMU_CFG_PAGE_SIZE_MASK);
	if (!v->page_size_mask) {
		vlog(v, IOMMU_LOG_ERR, "page_size_mask is 0");
		return -ENODEV;
	}
	v->granule = v->page_size_mask & -v->page_size_mask;
	v->input_start = 0;
	v->input_last = UINT64_MAX;
	if (has_feat(v, VIRTIO_IOMMU_F_INPUT_RANGE)) {
		v->input_start = vio_le64(cfg + VIOMMU_CFG_INPUT_START);
		v->input_last = vio_le64(cfg + VIOMMU_CFG_INPUT_END);
	}
	if (v->input_last < v->input_start) {
		vlog(v, IOMMU_LOG_ERR, "empty input range 0x%llx..0x%llx",
		     (unsigned long long)v->input_start,
		     (unsigned long long)v->input_last);
		return -ENODEV;
	}
	v->domain_start = 0;
	v->domain_last = UINT32_MAX;
	if (has_feat(v, VIRTIO_IOMMU_F_DOMAIN_RANGE)) {
		v->domain_start = vio_le32(cfg + VIOMMU_CFG_DOMAIN_START);
		v->domain_last = vio_le32(cfg + VIOMMU_CFG_DOMAIN_END);
	}
	if (v->domain_last <= v->domain_start) {
		vlog(v, IOMMU_LOG_ERR,
		     "domain range %u..%u holds fewer than 2 IDs",
		     v->domain_start, v->domain_last);
		return -ENODEV;
	}
	v->id_cursor = v->domain_start;
	err = ilib_ids_init(&v->ids, v->domain_start, v->domain_last);
	if (err)
		return err;
	v->probe_size = 0;
	if (has_feat(v, VIRTIO_IOMMU_F_PROBE))
		v->probe_size = vio_le32(cfg + VIOMMU_CFG_PROBE_SIZE);
	if (v->probe_size > 65536) {
		vlog(v, IOMMU_LOG_ERR, "probe_size %u too large",
		     v->probe_size);
		return -ENODEV;
	}
	return 0;
}

static void viommu_destroy_locks(struct viommu_drv *v)
{
	pthread_mutex_destroy(&v->req_lock);
	pthread_mutex_destroy(&v->evt_lock);
	pthread_mutex_destroy(&v->dev_lock);
	pthread_mutex_destroy(&v->id_lock);
}

/**
 * viommu_drv_probe() - find and start the virtio-iommu behind @bus
 * @host: core services
 * @bus: the virtio-mmio window
 * @params: the [virtio] section (VIOMMU_P_DRV_* are read)
 * @cfg: core settings (unused: invalidation mode is the core's business)
 * @inst: receives the instance
 *
 * Context: single-threaded (the instance is not yet published).
 * Return: 0; -EINVAL bad arguments or queue size; -ENODEV not a
 * virtio-iommu, missing VERSION_1/MAP_UNMAP, features refused, bad config;
 * -EIO register access failed; -ENOMEM; -ETIMEDOUT reset never completed.
 */
static int viommu_drv_probe(struct iommu_host *host,
			    const struct iommu_bus *bus, const uint64_t *params,
			    const struct iommu_core_cfg *cfg, void **inst)
{
	struct viommu_drv *v;
	uint32_t magic, version, devid;
	int err;

	(void)cfg;
	if (!ilib_driver_host_ok(host, bus) || !params || !inst)
		return -EINVAL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->host = host;
	v->bus = *bus;
	v->identity_bypass = params[VIOMMU_P_DRV_IDENTITY_BYPASS] != 0;
	v->timeout_polls = params[VIOMMU_P_DRV_TIMEOUT] ?
				   params[VIOMMU_P_DRV_TIMEOUT] : 1;
	rangemap_init(&v->eps);
	if (pthread_mutex_init(&v->req_lock, NULL) ||
	    pthread_mutex_init(&v->evt_lock, NULL) ||
	    pthread_mutex_init(&v->dev_lock, NULL) ||
	    pthread_mutex_init(&v->id_lock, NULL)) {
		free(v);
		return -ENOMEM;
	}

	if (mmio_r32(v, VMMIO_MAGIC_VALUE, &magic) ||
	    mmio_r32(v, VMMIO_VERSION, &version) ||
	    mmio_r32(v, VMMIO_DEVICE_ID, &devid)) {
		err = -EIO;
		goto err_free;
	}
	if (magic != VMMIO_MAGIC) {
		vlog(v, IOMMU_LOG_ERR, "bad virtio-mmio magic 0x%x", magic);
		err = -ENODEV;
		goto err_free;
	}
	if (version != VMMIO_VERSION_MODERN) {
		vlog(v, IOMMU_LOG_ERR, "virtio-mmio version %u, need 2",
		     version);
		err = -ENODEV;
		goto err_free;
	}
	if (devid != VIRTIO_ID_IOMMU) {
		vlog(v, IOMMU_LOG_ERR, "virtio device ID %u, need %u", devid,
		     VIRTIO_ID_IOMMU);
		err = -ENODEV;
		goto err_free;
	}
	err = viommu_reset(v);
	if (err)
		goto err_free;
	if (viommu_set_status(v, VIRTIO_STATUS_ACKNOWLEDGE) ||
	    viommu_set_status(v, VIRTIO_STATUS_ACKNOWLEDGE |
					 VIRTIO_STATUS_DRIVER)) {
		err = -EIO;
		goto err_fail;
	}
	err = viommu_negotiate(v);
	if (err)
		goto err_fail;
	err = viommu_parse_config(v);
	if (err)
		goto err_fail;
	err = viommu_init_queues(v, params);
	if (err)
		goto err_fail;

	err = viommu_domain_init(v, &v->blocked, VIOMMU_DOM_BLOCKED);
	if (err)
		goto err_free_queues;
	err = viommu_domain_init(v, &v->identity,
				 has_feat(v, VIRTIO_IOMMU_F_BYPASS_CONFIG) &&
						 v->identity_bypass ?
					 VIOMMU_DOM_BYPASS :
					 VIOMMU_DOM_IDENT_MAP);
	if (err)
		goto err_free_blocked;

	if (viommu_set_status(v, VIRTIO_STATUS_ACKNOWLEDGE |
					 VIRTIO_STATUS_DRIVER |
					 VIRTIO_STATUS_FEATURES_OK |
					 VIRTIO_STATUS_DRIVER_OK)) {
		err = -EIO;
		goto err_free_identity;
	}
	if (has_feat(v, VIRTIO_IOMMU_F_BYPASS_CONFIG)) {
		uint64_t b = 1;

		if (v->bus.ops->mmio_write(v->bus.opaque,
					   VMMIO_CONFIG + VIOMMU_CFG_BYPASS, 1,
					   0) ||
		    v->bus.ops->mmio_read(v->bus.opaque,
					  VMMIO_CONFIG + VIOMMU_CFG_BYPASS, 1,
					  &b) ||
		    (b & 1))
			vlog(v, IOMMU_LOG_WARN,
			     "config bypass did not clear: "
			     "unattached endpoints may bypass");
	}
	viommu_post_events(v);
	vlog(v, IOMMU_LOG_DEBUG,
	     "features 0x%llx, granule 0x%llx, input 0x%llx..0x%llx, "
	     "domains %u..%u, probe_size %u, queues %u/%u",
	     (unsigned long long)v->features, (unsigned long long)v->granule,
	     (unsigned long long)v->input_start,
	     (unsigned long long)v->input_last, v->domain_start,
	     v->domain_last, v->probe_size, v->rq.num, v->eq.num);
	*inst = v;
	return 0;

err_free_identity:
	viommu_domain_fini(&v->identity);
err_free_blocked:
	viommu_domain_fini(&v->blocked);
err_free_queues:
	viommu_reset(v);
	viommu_free_queues(v);
err_fail:
	viommu_reset(v);
	viommu_set_status(v, VIRTIO_STATUS_FAILED);
err_free:
	ilib_ids_fini(&v->ids);
	viommu_destroy_locks(v);
	free(v);
	return err;
}

/**
 * viommu_drv_release() - reset the device and free everything
 * Devices were released and paging domains freed by the core before;
 * endpoint state still present is freed here.
 */
static void viommu_drv_release(void *inst)
{
	struct viommu_drv *v = inst;
	const struct rangemap_entry *e;

	if (!v)
		return;
	if (viommu_reset(v))
		vlog(v, IOMMU_LOG_WARN, "device reset did not complete");
	for (e = rangemap_first_overlap(&v->eps, 0, UINT64_MAX); e;
	     e = rangemap_next(&v->eps, e)) {
		struct viommu_ep *ep = (struct viommu_ep *)(uintptr_t)e->phys;

		free(ep->resv);
		free(ep);
	}
	rangemap_clear(&v->eps);
	viommu_domain_fini(&v->identity);
	viommu_domain_fini(&v->blocked);
	viommu_free_queues(v);
	ilib_ids_fini(&v->ids);
	viommu_destroy_locks(v);
	free(v);
}

const struct iommu_ops viommu_drv_ops = {
	.size = IOMMU_TABLE_SIZE(iommu_ops),
	.probe = viommu_drv_probe,
	.release = viommu_drv_release,
	.probe_device = viommu_drv_probe_device,
	.release_device = viommu_drv_release_device,
	.domain_alloc_paging = viommu_drv_domain_alloc_paging,
	.blocked_domain = &viommu_blocked_ops,
	.identity_domain = &viommu_identity_ops,
	.get_resv_regions = viommu_drv_get_resv_regions,
	.capable = viommu_drv_capable,
	.backend_features = 0,
	.irq = viommu_drv_irq,
};
