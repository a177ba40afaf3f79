// SPDX-License-Identifier: MIT
/*
 * drv_probe.c - the AMD-Vi driver's probe and release: discovery from EFR
 * and EFR2, device table, command buffer and event log, the enable order
 * of amdvi 1.3 / 5.1; devices, groups, reserved regions; the driver's ops
 * table.  The choices it follows are in drv.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "drv.h"

/* ---- devices ------------------------------------------------------------- */

static struct amdvi_dev *amdvi_dev_find(struct amdvi_drv *a, uint16_t devid)
{
	for (struct amdvi_dev *d = a->devs; d; d = d->next)
		if (d->devid == devid)
			return d;
	return NULL;
}

static int amdvi_drv_probe_device(void *inst, struct iommu_dev_info *info)
{
	struct amdvi_drv *a = inst;
	struct amdvi_dev *dev;
	int ret = 0;

	if (!a || !info || info->id > 0xffff)
		return -EINVAL;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->devid = (uint16_t)info->id;
	pthread_mutex_lock(&a->dev_lock);
	if (amdvi_dev_find(a, dev->devid)) {
		ret = -EEXIST;
	} else {
		/* Its DTE is the blocking one since probe (drv.h). */
		dev->domain = &a->blocked;
		dev->next = a->devs;
		a->devs = dev;
		info->priv = dev;
	}
	pthread_mutex_unlock(&a->dev_lock);
	if (ret)
		free(dev);
	return ret;
}

/* The device goes back to the blocking DTE, its old DomainID flushed. */
static void amdvi_drv_release_device(void *inst, struct iommu_dev_info *info)
{
	struct amdvi_drv *a = inst;
	struct amdvi_dev *dev = amdvi_dev_of(info);
	uint64_t old[2], q[2];

	if (!a || !dev)
		return;
	pthread_mutex_lock(&a->dev_lock);
	for (struct amdvi_dev **pp = &a->devs; *pp; pp = &(*pp)->next) {
		if (*pp == dev) {
			*pp = dev->next;
			break;
		}
	}
	if (dev->domain != &a->blocked) {
		amdvi_dte_read(a, dev->devid, old);
		amdvi_dte_encode(&a->blocked, q);
		amdvi_dte_write(a, dev->devid, q);
		if (amdvi_flush_dte(
			a, dev->devid,
			(uint16_t)amdvi_field_get(AMDVI_DTE1_DOMID, old[1])))
			alog(a, IOMMU_LOG_WARN,
			     "release of %04x: invalidation failed",
			     dev->devid);
	}
	pthread_mutex_unlock(&a->dev_lock);
	info->priv = NULL;
	free(dev);
}

static int amdvi_drv_device_group(void *inst, const struct iommu_dev_info *info,
				  uint64_t *key)
{
	if (!inst || !info || !key)
		return -EINVAL;
	/* Every DeviceID has its own DTE; aliases and bridges come from
	 * the configured topology (INI group labels). */
	*key = info->id;
	return 0;
}

/* amdvi 7: the MSI window, and the HyperTransport range unless ignored. */
static int amdvi_drv_get_resv_regions(void *inst, struct iommu_dev_info *info,
				      struct iommu_resv_region *out, size_t max,
				      size_t *count)
{
	struct amdvi_drv *a = inst;
	struct iommu_resv_region r[2];
	size_t n = 0;

	if (!a || !info || !count || (max && !out))
		return -EINVAL;
	r[n++] = (struct iommu_resv_region){AMDVI_MSI_FIRST, AMDVI_MSI_LAST,
					    IOMMU_RESV_MSI, IOMMU_WRITE};
	if (!(a->efr2 & AMDVI_EFR2_HT_RANGE_IGNORE))
		r[n++] = (struct iommu_resv_region){
		    AMDVI_HT_FIRST, AMDVI_HT_LAST, IOMMU_RESV_RESERVED, 0};
	*count = n;
	for (size_t i = 0; i < n && i < max; i++)
		out[i] = r[i];
	return 0;
}

static bool amdvi_drv_capable(void *inst, struct iommu_dev_info *info,
			      enum iommu_cap cap)
{
	if (!inst || !info)
		return false;
	/* The unit's walks and DMA snoop the CPU caches. */
	return cap == IOMMU_CAP_CACHE_COHERENCY;
}

/* ---- probe and release --------------------------------------------------- */

/* Read EFR / EFR2 and decide what the driver can do with this unit. */
static int amdvi_discover(struct amdvi_drv *a, const uint64_t *params)
{
	struct pt_cfg cfg = {0};
	unsigned int hats;

	if (ilib_mmio_read64(&a->bus, AMDVI_MMIO_EFR, &a->efr) ||
	    ilib_mmio_read64(&a->bus, AMDVI_MMIO_EFR2, &a->efr2))
		return -EIO;
	alog(a, IOMMU_LOG_DEBUG, "EFR 0x%016llx EFR2 0x%016llx",
	     (unsigned long long)a->efr, (unsigned long long)a->efr2);
	hats = (unsigned int)amdvi_field_get(AMDVI_EFR_HATS, a->efr);
	if (hats == 3) {
		alog(a, IOMMU_LOG_ERR,
		     "EFR.HATS reserved: no host translation");
		return -ENODEV;
	}
	a->max_mode = hats + 4;
	a->mode = (unsigned int)params[AMDVI_P_DRV_MODE];
	if (a->mode < 1 || a->mode > a->max_mode) {
		alog(a, IOMMU_LOG_ERR,
		     "pgtable_mode %u: the unit takes modes 1..%u (EFR.HATS)",
		     a->mode, a->max_mode);
		return -EINVAL;
	}
	cfg.fmt = PT_FMT_AMDV1;
	cfg.levels = a->mode;
	cfg.oa_bits = 52;
	a->pgsizes = pt_pgsizes(&cfg);
	if (params[AMDVI_P_DRV_PGSIZES])
		a->pgsizes &= params[AMDVI_P_DRV_PGSIZES];
	if (!(a->pgsizes & (1ull << 12))) {
		alog(a, IOMMU_LOG_ERR, "page_sizes 0x%llx lacks 4 KiB",
		     (unsigned long long)params[AMDVI_P_DRV_PGSIZES]);
		return -EINVAL;
	}
	return 0;
}

/* Write Control and remember it.  Probe and release only; later Control
 * writes (cmd_recover, irq's restart) hold q_lock and rewrite a->ctrl. */
static int amdvi_ctrl(struct amdvi_drv *a, uint64_t ctrl)
{
	a->ctrl = ctrl;
	return ilib_mmio_write64(&a->bus, AMDVI_MMIO_CONTROL, ctrl) ? -EIO : 0;
}

static void amdvi_destroy_locks(struct amdvi_drv *a)
{
	pthread_mutex_destroy(&a->q_lock);
	pthread_mutex_destroy(&a->evt_lock);
	pthread_mutex_destroy(&a->dev_lock);
}

/**
 * amdvi_drv_probe() - find and start the AMD-Vi unit behind @bus
 * @params: the [amdvi] section; the driver reads AMDVI_P_DRV_* only
 *
 * Order (amdvi 1.3, 5.1, as Linux): IOMMU off; device table; command
 * buffer and event log with Head = Tail = 0; CmdBufEn, EventLogEn,
 * EventIntEn; IommuEn; INVALIDATE_IOMMU_ALL (with EFR.IASup) and
 * COMPLETION_WAIT.
 * Context: single-threaded.
 * Return: 0; -EINVAL bad arguments or pgtable_mode beyond EFR.HATS;
 * -ENODEV no host translation; -EIO register access failed or a command
 * refused; -ETIMEDOUT; -ENOMEM; -EFAULT table memory.
 */
static int amdvi_drv_probe(struct iommu_host *host, const struct iommu_bus *bus,
			   const uint64_t *params,
			   const struct iommu_core_cfg *cfg, void **inst)
{
	struct amdvi_drv *a;
	int err;

	(void)cfg;
	if (!ilib_driver_host_ok(host, bus) || !params || !inst)
		return -EINVAL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->host = host;
	a->bus = *bus;
	a->timeout_polls =
	    params[AMDVI_P_DRV_TIMEOUT] ? params[AMDVI_P_DRV_TIMEOUT] : 1;
	pthread_mutex_init(&a->q_lock, NULL);
	pthread_mutex_init(&a->evt_lock, NULL);
	pthread_mutex_init(&a->dev_lock, NULL);
	amdvi_domain_init_static(a);

	err = amdvi_discover(a, params);
	if (err)
		goto err_free;
	err = ilib_ids_init(&a->domids, AMDVI_DOMID_FIRST, AMDVI_DOMID_LAST);
	if (err)
		goto err_free;

	/* Start from a quiet unit. */
	err = amdvi_ctrl(a, 0);
	if (err)
		goto err_ids;
	err = amdvi_setup_devtab(a);
	if (err)
		goto err_tables;
	err = amdvi_setup_queue(a);
	if (err)
		goto err_tables;
	ilib_mmio_write64(&a->bus, AMDVI_MMIO_STATUS, AMDVI_STS_RW1C);
	err = amdvi_ctrl(a, AMDVI_CTRL_CMD_BUF_EN);
	if (!err)
		err = amdvi_ctrl(a, a->ctrl | AMDVI_CTRL_EVT_LOG_EN |
					AMDVI_CTRL_EVT_INT_EN);
	if (!err)
		err = amdvi_ctrl(a, a->ctrl | AMDVI_CTRL_IOMMU_EN);
	if (err)
		goto err_off;
	if (a->efr & AMDVI_EFR_IA_SUP) {
		struct amdvi_cmd c = amdvi_cmd_inv_all();

		err = amdvi_submit(a, &c, 1);
	} else {
		err = amdvi_submit(a, NULL, 0);
	}
	if (err)
		goto err_off;
	alog(a, IOMMU_LOG_DEBUG,
	     "v1 mode %u (max %u), page sizes 0x%llx, %u DTEs, "
	     "command buffer and event log of %u entries",
	     a->mode, a->max_mode, (unsigned long long)a->pgsizes,
	     AMDVI_NR_DEVID, 1u << AMDVI_DRV_RING_LEN);
	*inst = a;
	return 0;

err_off:
	amdvi_ctrl(a, 0);
err_tables:
	amdvi_free_tables(a);
err_ids:
	ilib_ids_fini(&a->domids);
err_free:
	amdvi_destroy_locks(a);
	free(a);
	return err;
}

/**
 * amdvi_drv_release() - IOMMU, command buffer and event log off, free
 * everything.  Devices were released and paging domains freed by the
 * core before.
 */
static void amdvi_drv_release(void *inst)
{
	struct amdvi_drv *a = inst;

	if (!a)
		return;
	if (amdvi_ctrl(a, 0))
		alog(a, IOMMU_LOG_WARN, "the unit did not turn off");
	while (a->devs) {
		struct amdvi_dev *d = a->devs;

		a->devs = d->next;
		free(d);
	}
	amdvi_free_tables(a);
	ilib_ids_fini(&a->domids);
	amdvi_destroy_locks(a);
	free(a);
}

const struct iommu_ops amdvi_drv_ops = {
    .size = IOMMU_TABLE_SIZE(iommu_ops),
    .probe = amdvi_drv_probe,
    .release = amdvi_drv_release,
    .probe_device = amdvi_drv_probe_device,
    .release_device = amdvi_drv_release_device,
    .device_group = amdvi_drv_device_group,
    .domain_alloc_paging = amdvi_drv_domain_alloc_paging,
    .blocked_domain = &amdvi_blocked_ops,
    .identity_domain = &amdvi_identity_ops,
    .instance_domains = amdvi_drv_instance_domains,
    .get_resv_regions = amdvi_drv_get_resv_regions,
    .capable = amdvi_drv_capable,
    .irq = amdvi_drv_irq,
};
