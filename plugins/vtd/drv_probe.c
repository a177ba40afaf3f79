// SPDX-License-Identifier: MIT
/*
 * drv_probe.c - the VT-d driver's probe and release: discovery from
 * VER/CAP/ECAP, root table, queue and fault setup, translation enable;
 * devices, groups, reserved regions, features; the driver's ops table.
 * The choices it follows (required capabilities, AGAW, static domains)
 * are in drv.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "drv.h"

/* ---- registers ----------------------------------------------------------- */

/**
 * vtd_gcmd() - write GCMD and wait for GSTS (vtd 2.4)
 * @v: instance
 * @cmd: the command bit, or 0 (the persistent enables are always written)
 * @bit: GSTS bits to watch
 * @want: all of @bit set (true) or all clear (false)
 *
 * Context: callers serialize GCMD writes (probe, release, q_lock).
 * Return: 0; -EIO MMIO failed; -ETIMEDOUT after timeout_polls reads.
 */
int vtd_gcmd(struct vtd_drv *v, uint32_t cmd, uint32_t bit, bool want)
{
	uint64_t sts = 0;
	int ret;

	if (ilib_mmio_write32(&v->bus, VTD_GCMD_REG, v->gcmd | cmd))
		return -EIO;
	ret = ilib_mmio_poll(&v->bus, VTD_GSTS_REG, 4, bit, want ? bit : 0,
			     v->timeout_polls, &sts);
	if (ret == -ETIMEDOUT)
		vlog(v, IOMMU_LOG_ERR, "GSTS 0x%x: bit 0x%x never became %d",
		     (uint32_t)sts, bit, want);
	return ret && ret != -ETIMEDOUT ? -EIO : ret;
}

/* ---- devices ------------------------------------------------------------- */

struct vtd_dev *vtd_dev_find(struct vtd_drv *v, uint16_t sid)
{
	for (struct vtd_dev *d = v->devs; d; d = d->next)
		if (d->sid == sid)
			return d;
	return NULL;
}

static int vtd_drv_probe_device(void *inst, struct iommu_dev_info *info)
{
	struct vtd_drv *v = inst;
	struct vtd_dev *dev;
	int ret = 0;

	if (!v || !info || info->id > 0xffff)
		return -EINVAL;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->sid = (uint16_t)info->id;
	dev->pasid_bits =
	    info->pasid_bits < v->pasid_bits ? info->pasid_bits : v->pasid_bits;
	pthread_rwlock_wrlock(&v->dev_lock);
	if (vtd_dev_find(v, dev->sid)) {
		ret = -EEXIST;
		goto out;
	}
	if (v->scalable) {
		ret = vtd_sm_ctx_setup(v, dev);
		if (ret)
			goto out;
	}
	dev->next = v->devs;
	v->devs = dev;
	info->priv = dev;
out:
	pthread_rwlock_unlock(&v->dev_lock);
	if (ret)
		free(dev);
	return ret;
}

static void vtd_drv_release_device(void *inst, struct iommu_dev_info *info)
{
	struct vtd_drv *v = inst;
	struct vtd_dev *dev = vtd_dev_of(info);
	uint64_t *e;

	if (!v || !dev)
		return;
	pthread_rwlock_wrlock(&v->dev_lock);
	for (struct vtd_dev **pp = &v->devs; *pp; pp = &(*pp)->next) {
		if (*pp == dev) {
			*pp = dev->next;
			break;
		}
	}
	if (!vtd_ctx_entry(v, dev->sid, false, &e)) {
		bool was = ilib_le64_load(&e[0]) & 1;
		uint16_t did =
		    dev->domain && dev->domain->kind != VTD_DOM_BLOCKED
			? dev->domain->did
			: 0;

		for (int i = 0; i < (v->scalable ? 4 : 2); i++)
			ilib_le64_store(&e[i], 0);
		if (was && vtd_flush_dev(v, dev->sid, did, 0, true))
			vlog(v, IOMMU_LOG_WARN,
			     "release of %04x: invalidation failed", dev->sid);
	}
	if (dev->domain && dev->domain->kind != VTD_DOM_BLOCKED)
		vtd_att_del(dev->domain, dev->sid, IOMMU_NO_PASID);
	vtd_free_pasid_tables(v, dev);
	pthread_rwlock_unlock(&v->dev_lock);
	info->priv = NULL;
	free(dev->auxv);
	free(dev);
}

static int vtd_drv_device_group(void *inst, const struct iommu_dev_info *info,
				uint64_t *key)
{
	if (!inst || !info || !key)
		return -EINVAL;
	/* VT-d isolates every requester ID; bridges and aliases come from
	 * the configured topology (INI group/alias labels). */
	*key = info->id;
	return 0;
}

static int vtd_drv_get_resv_regions(void *inst, struct iommu_dev_info *info,
				    struct iommu_resv_region *out, size_t max,
				    size_t *count)
{
	if (!inst || !info || !count || (max && !out))
		return -EINVAL;
	/* vtd 8: the interrupt window is never DMA-translated. */
	*count = 1;
	if (max) {
		out[0].start = VTD_INTR_ADDR_FIRST;
		out[0].last = VTD_INTR_ADDR_LAST;
		out[0].type = IOMMU_RESV_MSI;
		out[0].prot = IOMMU_WRITE;
	}
	return 0;
}

static bool vtd_drv_capable(void *inst, struct iommu_dev_info *info,
			    enum iommu_cap cap)
{
	struct vtd_drv *v = inst;

	if (!v || !info)
		return false;
	if (cap == IOMMU_CAP_CACHE_COHERENCY)
		return v->ecap & VTD_ECAP_C;
	return false;
}

/* AUX needs PASIDs: scalable mode on a unit with ECAP.PASID. */
static unsigned int vtd_drv_instance_features(void *inst)
{
	const struct vtd_drv *v = inst;

	return v && v->scalable && v->pasid_bits ? 1u << IOMMU_DEV_FEAT_AUX : 0;
}

static int vtd_drv_dev_enable_feat(void *inst, struct iommu_dev_info *info,
				   enum iommu_dev_feature feat)
{
	struct vtd_drv *v = inst;
	struct vtd_dev *dev = vtd_dev_of(info);
	int ret = 0;

	if (!v || !dev)
		return -EINVAL;
	if (feat != IOMMU_DEV_FEAT_AUX || !v->scalable || !v->pasid_bits ||
	    !dev->pasid_bits)
		return -EOPNOTSUPP;
	pthread_rwlock_wrlock(&v->dev_lock);
	if (!dev->aux) {
		ret = vtd_set_paside(v, dev, true);
		if (!ret)
			dev->aux = true;
	}
	pthread_rwlock_unlock(&v->dev_lock);
	return ret;
}

static int vtd_drv_dev_disable_feat(void *inst, struct iommu_dev_info *info,
				    enum iommu_dev_feature feat)
{
	struct vtd_drv *v = inst;
	struct vtd_dev *dev = vtd_dev_of(info);
	int ret = 0;

	if (!v || !dev)
		return -EINVAL;
	if (feat != IOMMU_DEV_FEAT_AUX || !v->scalable || !v->pasid_bits)
		return -EOPNOTSUPP;
	pthread_rwlock_wrlock(&v->dev_lock);
	if (dev->nr_aux) {
		ret = -EBUSY;
	} else if (dev->aux) {
		ret = vtd_set_paside(v, dev, false);
		if (!ret)
			dev->aux = false;
	}
	pthread_rwlock_unlock(&v->dev_lock);
	return ret;
}

/* ---- probe and release --------------------------------------------------- */

static void vtd_destroy_locks(struct vtd_drv *v)
{
	pthread_mutex_destroy(&v->ctx_lock);
	pthread_mutex_destroy(&v->fault_lock);
	pthread_rwlock_destroy(&v->dev_lock);
}

/* Read CAP/ECAP and decide what the driver can do with this unit. */
static int vtd_discover(struct vtd_drv *v, const uint64_t *params)
{
	uint32_t ver = 0;
	uint64_t sagaw;
	unsigned int mgaw;

	if (ilib_mmio_read32(&v->bus, VTD_VER_REG, &ver) ||
	    ilib_mmio_read64(&v->bus, VTD_CAP_REG, &v->cap) ||
	    ilib_mmio_read64(&v->bus, VTD_ECAP_REG, &v->ecap))
		return -EIO;
	vlog(v, IOMMU_LOG_DEBUG, "VER %u.%u CAP 0x%016llx ECAP 0x%016llx",
	     (unsigned int)vtd_field_get(VTD_VER_MAJOR, ver),
	     (unsigned int)vtd_field_get(VTD_VER_MINOR, ver),
	     (unsigned long long)v->cap, (unsigned long long)v->ecap);
	if (!(v->ecap & VTD_ECAP_QI)) {
		vlog(v, IOMMU_LOG_ERR, "no queued invalidation (ECAP.QI)");
		return -ENODEV;
	}
	sagaw = vtd_field_get(VTD_CAP_SAGAW, v->cap);
	v->aw = 0;
	for (unsigned int aw = VTD_AW_57; aw >= VTD_AW_39; aw--) {
		if (sagaw & (1u << aw)) {
			v->aw = aw;
			break;
		}
	}
	if (!v->aw) {
		vlog(v, IOMMU_LOG_ERR,
		     "CAP.SAGAW 0x%llx has no 39/48/57-bit level",
		     (unsigned long long)sagaw);
		return -ENODEV;
	}
	mgaw = (unsigned int)vtd_field_get(VTD_CAP_MGAW, v->cap) + 1;
	v->sl_width = vtd_aw_to_width(v->aw);
	if (mgaw < v->sl_width)
		v->sl_width = mgaw;
	if (v->sl_width < 32) {
		vlog(v, IOMMU_LOG_ERR, "CAP.MGAW %u too small", mgaw);
		return -ENODEV;
	}
	v->cm = v->cap & VTD_CAP_CM;
	v->mamv = (unsigned int)vtd_field_get(VTD_CAP_MAMV, v->cap);
	v->nfr = (unsigned int)vtd_field_get(VTD_CAP_NFR, v->cap) + 1;
	v->nr_dids = 1u << (4 + 2 * vtd_field_get(VTD_CAP_ND, v->cap));
	if (v->nr_dids > 65536)
		v->nr_dids = 65536;
	v->sl_pgsizes = 1ull << 12;
	if (v->cap & VTD_CAP_SLLPS_2M)
		v->sl_pgsizes |= 1ull << 21;
	if (v->cap & VTD_CAP_SLLPS_1G)
		v->sl_pgsizes |= 1ull << 30;
	v->fl_pgsizes = (1ull << 12) | (1ull << 21);
	if (v->cap & VTD_CAP_FL1GP)
		v->fl_pgsizes |= 1ull << 30;
	v->fl_levels = v->cap & VTD_CAP_FL5LP ? 5 : 4;
	v->has_identity = v->ecap & VTD_ECAP_PT;

	v->scalable = params[VTD_P_DRV_TRANSLATION] == VTD_TRANSLATION_SCALABLE;
	v->first_stage = params[VTD_P_DRV_STAGE] == VTD_STAGE_FIRST;
	if (v->first_stage && !v->scalable) {
		vlog(v, IOMMU_LOG_ERR,
		     "stage=first needs translation=scalable");
		return -EINVAL;
	}
	if (v->scalable) {
		if (!(v->ecap & VTD_ECAP_SMTS)) {
			vlog(v, IOMMU_LOG_ERR,
			     "translation=scalable: the unit lacks scalable "
			     "mode (ECAP.SMTS)");
			return -ENODEV;
		}
		if (v->first_stage && !(v->ecap & VTD_ECAP_FLTS)) {
			vlog(v, IOMMU_LOG_ERR,
			     "stage=first: the unit lacks first-stage "
			     "translation (ECAP.FLTS)");
			return -ENODEV;
		}
		if (!v->first_stage && !(v->ecap & VTD_ECAP_SLTS)) {
			vlog(v, IOMMU_LOG_ERR,
			     "stage=second: the unit lacks second-stage "
			     "translation in scalable mode (ECAP.SLTS)");
			return -ENODEV;
		}
		if (v->ecap & VTD_ECAP_PASID)
			v->pasid_bits =
			    (unsigned int)vtd_field_get(VTD_ECAP_PSS, v->ecap) +
			    1;
	}
	return 0;
}

/**
 * vtd_drv_probe() - find and start the VT-d unit behind @bus
 * @params: the [vtd] section; the driver reads VTD_P_DRV_* only
 *
 * Context: single-threaded.
 * Return: 0; -EINVAL bad arguments or stage/translation mismatch; -ENODEV
 * a required capability is missing; -EIO register access failed;
 * -ETIMEDOUT a status bit never came; -ENOMEM; -EFAULT table memory.
 */
static int vtd_drv_probe(struct iommu_host *host, const struct iommu_bus *bus,
			 const uint64_t *params,
			 const struct iommu_core_cfg *cfg, void **inst)
{
	struct vtd_drv *v;
	uint32_t gsts = 0;
	void *va;
	int err;

	(void)cfg;
	if (!ilib_driver_host_ok(host, bus) || !params || !inst)
		return -EINVAL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->host = host;
	v->bus = *bus;
	v->timeout_polls =
	    params[VTD_P_DRV_TIMEOUT] ? params[VTD_P_DRV_TIMEOUT] : 1;
	v->inval_threshold = params[VTD_P_DRV_INV_THRESHOLD]
				 ? params[VTD_P_DRV_INV_THRESHOLD]
				 : 1;
	pthread_mutex_init(&v->ctx_lock, NULL);
	pthread_mutex_init(&v->fault_lock, NULL);
	pthread_rwlock_init(&v->dev_lock, NULL);

	err = vtd_discover(v, params);
	if (err)
		goto err_free;
	if (params[VTD_P_DRV_QUEUE_ORDER] > 7) {
		err = -EINVAL;
		goto err_free;
	}
	/* DIDs 0 and 1 are never allocated (see drv.h). */
	err = ilib_ids_init(&v->dids, VTD_DID_FIRST, v->nr_dids - 1);
	if (err)
		goto err_free;

	/* Start from a quiet unit: translation and queue off. */
	if (ilib_mmio_read32(&v->bus, VTD_GSTS_REG, &gsts)) {
		err = -EIO;
		goto err_free;
	}
	if (gsts & (VTD_GSTS_TES | VTD_GSTS_QIES)) {
		v->gcmd = 0;
		err = vtd_gcmd(v, 0, VTD_GSTS_TES | VTD_GSTS_QIES, false);
		if (err)
			goto err_free;
	}

	/* Root table (vtd 3.1 / 4.1), RTADDR with TTM, SRTP. */
	err = ilib_table_alloc(v->host, "vtd", 4096, &v->root_pa, &va);
	if (err)
		goto err_free;
	v->root = va;
	if (ilib_mmio_write64(
		&v->bus, VTD_RTADDR_REG,
		v->root_pa | vtd_field_prep(VTD_RTADDR_TTM,
					    v->scalable ? VTD_TTM_SCALABLE
							: VTD_TTM_LEGACY))) {
		err = -EIO;
		goto err_tables;
	}
	err = vtd_gcmd(v, VTD_GCMD_SRTP, VTD_GSTS_RTPS, true);
	if (err)
		goto err_tables;

	err = vtd_setup_queue(v, (unsigned int)params[VTD_P_DRV_QUEUE_ORDER]);
	if (err)
		goto err_off;

	/* vtd 9.6 after SRTP: context cache, PASID cache, IOTLB global. */
	{
		struct vtd_inv_desc inv[3];
		size_t n = 0;

		inv[n++] = vtd_desc_cc(VTD_CC_GLOBAL, 0, 0);
		if (v->scalable)
			inv[n++] = vtd_desc_pc(VTD_PC_G_GLOBAL, 0, 0);
		inv[n++] = vtd_desc_iotlb(v, VTD_IOTLB_GLOBAL, 0, 0, 0, false);
		err = vtd_submit(v, inv, n);
		if (err)
			goto err_off;
	}

	/* Faults: clear stale state, unmask the event. */
	ilib_mmio_write32(&v->bus, VTD_FSTS_REG, (uint32_t)VTD_FSTS_RW1C);
	for (unsigned int i = 0; i < v->nfr; i++)
		ilib_mmio_write32(&v->bus, vtd_frcd_reg(v->cap, i) + 12,
				  (uint32_t)VTD_FRCD_DW3_F);
	if (ilib_mmio_write32(&v->bus, VTD_FECTL_REG, 0)) {
		err = -EIO;
		goto err_off;
	}

	err = vtd_domain_init_common(v, &v->blocked, VTD_DOM_BLOCKED);
	if (err)
		goto err_off;
	err = vtd_domain_init_common(v, &v->identity, VTD_DOM_IDENTITY);
	if (err)
		goto err_blocked;
	v->identity.did = VTD_DID_IDENTITY;

	err = vtd_gcmd(v, VTD_GCMD_TE, VTD_GSTS_TES, true);
	if (err)
		goto err_identity;
	v->gcmd |= VTD_GCMD_TE;
	vlog(v, IOMMU_LOG_DEBUG,
	     "%s mode, %s stage, AW %u (%u-bit), %u DIDs, %u fault records, "
	     "queue %u x %u B%s",
	     v->scalable ? "scalable" : "legacy",
	     v->first_stage ? "first" : "second", v->aw, v->sl_width,
	     v->nr_dids, v->nfr, ilib_ring_count(&v->iq),
	     (unsigned int)ilib_ring_entry_size(&v->iq),
	     v->cm ? ", caching mode" : "");
	*inst = v;
	return 0;

err_identity:
	vtd_domain_fini_common(&v->identity);
err_blocked:
	vtd_domain_fini_common(&v->blocked);
err_off:
	v->gcmd = 0;
	vtd_gcmd(v, 0, VTD_GSTS_TES | VTD_GSTS_QIES, false);
err_tables:
	vtd_free_tables(v);
err_free:
	ilib_ids_fini(&v->dids);
	vtd_destroy_locks(v);
	free(v);
	return err;
}

/**
 * vtd_drv_release() - translation and queue off, free everything
 * Devices were released and paging domains freed by the core before.
 */
static void vtd_drv_release(void *inst)
{
	struct vtd_drv *v = inst;

	if (!v)
		return;
	v->gcmd &= ~VTD_GCMD_TE;
	if (vtd_gcmd(v, 0, VTD_GSTS_TES, false))
		vlog(v, IOMMU_LOG_WARN, "translation did not turn off");
	v->gcmd = 0;
	if (vtd_gcmd(v, 0, VTD_GSTS_QIES, false))
		vlog(v, IOMMU_LOG_WARN, "queue did not turn off");
	while (v->devs) {
		struct vtd_dev *d = v->devs;

		v->devs = d->next;
		vtd_free_pasid_tables(v, d);
		free(d->auxv);
		free(d);
	}
	vtd_free_tables(v);
	vtd_domain_fini_common(&v->identity);
	vtd_domain_fini_common(&v->blocked);
	ilib_ids_fini(&v->dids);
	vtd_destroy_locks(v);
	free(v);
}

const struct iommu_ops vtd_drv_ops = {
	.size = IOMMU_TABLE_SIZE(iommu_ops),
	.probe = vtd_drv_probe,
	.release = vtd_drv_release,
	.probe_device = vtd_drv_probe_device,
	.release_device = vtd_drv_release_device,
	.device_group = vtd_drv_device_group,
	.domain_alloc_paging = vtd_drv_domain_alloc_paging,
	.blocked_domain = &vtd_blocked_ops,
	.identity_domain = &vtd_identity_ops,
	.instance_domains = vtd_drv_instance_domains,
	.get_resv_regions = vtd_drv_get_resv_regions,
	.capable = vtd_drv_capable,
	.dev_enable_feat = vtd_drv_dev_enable_feat,
	.dev_disable_feat = vtd_drv_dev_disable_feat,
	.backend_features = 1u << IOMMU_DEV_FEAT_AUX,
	.irq = vtd_drv_irq,
	.instance_features = vtd_drv_instance_features,
};
