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
	dev->pasid_bits = a->v2 ? info->pasid_bits : 0;
	if (dev->pasid_bits > a->pasid_bits)
		dev->pasid_bits = a->pasid_bits;
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

/* Everything of @dev's GCR3 table and PASIDs (no DTE uses them). */
static void amdvi_dev_free(struct amdvi_drv *a, struct amdvi_dev *dev)
{
	amdvi_gcr3_free(a, dev);
	free(dev->pv);
	free(dev);
}

/*
 * The device goes back to the blocking DTE (without GV), its old
 * DomainID flushed and, with a GCR3 table, its guest translations; then
 * the table and its DomainID are given back.  The core removed its
 * PASIDs before; any left are dropped here.
 */
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
	amdvi_dte_read(a, dev->devid, old);
	amdvi_dte_encode(a, NULL, &a->blocked, q);
	if (old[0] != q[0] || old[1] != q[1]) {
		struct amdvi_cmd c[2];

		amdvi_dte_update(a, dev->devid, q);
		c[0] = amdvi_cmd_inv_dte(dev->devid);
		c[1] = amdvi_cmd_inv_pages(
		    (uint16_t)amdvi_field_get(AMDVI_DTE1_DOMID, old[1]), 0,
		    UINT64_MAX, true);
		if (amdvi_submit(a, c, 2))
			alog(a, IOMMU_LOG_WARN,
			     "release of %04x: invalidation failed",
			     dev->devid);
	}
	if (dev->gcr3_pa) {
		/* The guest translations of every GCR3 entry still set, so
		 * that the DomainID comes back clean. */
		struct amdvi_cmd c;
		int err = 0;

		if (dev->domain->kind == AMDVI_DOM_PAGING) {
			c = amdvi_cmd_inv_guest_pages(dev->gdomid, 0, 0,
						      UINT64_MAX, true);
			err |= amdvi_submit(a, &c, 1);
		}
		for (size_t i = 0; i < dev->nr_pasid; i++) {
			c = amdvi_cmd_inv_guest_pages(
			    dev->gdomid, dev->pv[i].pasid, 0, UINT64_MAX, true);
			err |= amdvi_submit(a, &c, 1);
		}
		if (err)
			alog(a, IOMMU_LOG_WARN,
			     "release of %04x: invalidation failed",
			     dev->devid);
	}
	pthread_mutex_unlock(&a->dev_lock);
	info->priv = NULL;
	amdvi_dev_free(a, dev);
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

/* ---- device features ------------------------------------------------------
 */

/* AUX needs PASIDs: v2 mode (GCR3 tables). */
static unsigned int amdvi_drv_instance_features(void *inst)
{
	const struct amdvi_drv *a = inst;

	return a && a->v2 && a->pasid_bits ? 1u << IOMMU_DEV_FEAT_AUX : 0;
}

/* Nothing to program: the GCR3 table is made with the first PASID. */
static int amdvi_drv_dev_enable_feat(void *inst, struct iommu_dev_info *info,
				     enum iommu_dev_feature feat)
{
	struct amdvi_drv *a = inst;
	struct amdvi_dev *dev = amdvi_dev_of(info);

	if (!a || !dev)
		return -EINVAL;
	if (feat != IOMMU_DEV_FEAT_AUX || !a->v2 || !dev->pasid_bits)
		return -EOPNOTSUPP;
	return 0;
}

static int amdvi_drv_dev_disable_feat(void *inst, struct iommu_dev_info *info,
				      enum iommu_dev_feature feat)
{
	struct amdvi_drv *a = inst;
	struct amdvi_dev *dev = amdvi_dev_of(info);
	int ret = 0;

	if (!a || !dev)
		return -EINVAL;
	if (feat != IOMMU_DEV_FEAT_AUX || !a->v2 || !dev->pasid_bits)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&a->dev_lock);
	if (dev->nr_pasid)
		ret = -EBUSY;
	pthread_mutex_unlock(&a->dev_lock);
	return ret;
}

/* ---- probe and release --------------------------------------------------- */

/*
 * v2 mode (drv.h): the unit needs EFR.GTSup (guest tables) and GIOSup
 * (GIoV: a v2 primary domain serves requests without PASID).  PASIDs:
 * EFR.PASmax + 1 bits, at most 20, within what GLX <= EFR.GLXSup covers
 * (9 bits a GCR3 level); GLX as Linux chooses it (amdvi 4.2).
 */
static int amdvi_discover_v2(struct amdvi_drv *a)
{
	unsigned int bits, glx_sup;

	if (!(a->efr & AMDVI_EFR_GT_SUP) || !(a->efr & AMDVI_EFR_GIO_SUP)) {
		alog(a, IOMMU_LOG_ERR,
		     "pgtable = v2 needs EFR.GTSup and EFR.GIOSup");
		return -EINVAL;
	}
	a->v2_levels = 4;
	bits = (unsigned int)amdvi_field_get(AMDVI_EFR_PASMAX, a->efr) + 1;
	if (bits > 20)
		bits = 20;
	glx_sup = (unsigned int)amdvi_field_get(AMDVI_EFR_GLX_SUP, a->efr);
	if (glx_sup > 2)
		glx_sup = 2;
	if (bits > AMDVI_GCR3_IDX_BITS * (glx_sup + 1))
		bits = AMDVI_GCR3_IDX_BITS * (glx_sup + 1);
	a->pasid_bits = bits;
	a->glx = (bits + AMDVI_GCR3_IDX_BITS - 1) / AMDVI_GCR3_IDX_BITS - 1;
	return 0;
}

/* Read EFR / EFR2 and decide what the driver can do with this unit. */
static int amdvi_discover(struct amdvi_drv *a, const uint64_t *params)
{
	struct pt_cfg cfg = {0};
	unsigned int hats;
	int err;

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
	a->mode_max = (unsigned int)params[AMDVI_P_DRV_MODE_MAX];
	if (!a->mode_max)
		a->mode_max = a->mode;
	if (a->mode_max < a->mode || a->mode_max > a->max_mode) {
		alog(a, IOMMU_LOG_ERR,
		     "pgtable_mode_max %u: between pgtable_mode %u and %u "
		     "(EFR.HATS)",
		     a->mode_max, a->mode, a->max_mode);
		return -EINVAL;
	}
	a->v2 = params[AMDVI_P_DRV_PGTABLE] == AMDVI_PGTABLE_V2;
	if (a->v2) {
		err = amdvi_discover_v2(a);
		if (err)
			return err;
		cfg.fmt = PT_FMT_AMDV2;
		cfg.levels = a->v2_levels;
	} else {
		cfg.fmt = PT_FMT_AMDV1;
		cfg.levels = a->mode_max;
	}
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
	if (!err && a->v2)
		err = amdvi_ctrl(a, a->ctrl | AMDVI_CTRL_GT_EN);
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
	     "%s, v1 mode %u..%u (unit %u), page sizes 0x%llx, %u DTEs, "
	     "command buffer and event log of %u entries",
	     a->v2 ? "v2 tables" : "v1 tables", a->mode, a->mode_max,
	     a->max_mode, (unsigned long long)a->pgsizes, AMDVI_NR_DEVID,
	     1u << AMDVI_DRV_RING_LEN);
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
		amdvi_dev_free(a, d);
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
    .dev_enable_feat = amdvi_drv_dev_enable_feat,
    .dev_disable_feat = amdvi_drv_dev_disable_feat,
    .backend_features = 1u << IOMMU_DEV_FEAT_AUX,
    .instance_features = amdvi_drv_instance_features,
};
