// SPDX-License-Identifier: MIT
/*
 * drv_probe.c - the SMMUv3 driver's probe and release: discovery from the
 * ID registers, the bring-up of smmuv3 1.7; devices, groups, reserved
 * regions, capabilities; the driver's ops table.  The choices it follows
 * (required features, table shapes, static domains) are in drv.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "drv.h"

/* ---- registers ----------------------------------------------------------- */

/*
 * Write CR0 (or IRQ_CTRL) and wait until its ACK register reads the same
 * (smmuv3 1.6).  Context: probe, release.
 * Return: 0; -EIO MMIO failed; -ETIMEDOUT after timeout_polls reads.
 */
static int smmu_write_ack(struct smmu_drv *s, uint64_t reg, uint64_t ack,
			  uint32_t val)
{
	uint64_t last = 0;
	int ret;

	if (ilib_mmio_write32(&s->bus, reg, val))
		return -EIO;
	ret = ilib_mmio_poll(&s->bus, ack, 4, UINT32_MAX, val, s->timeout_polls,
			     &last);
	if (ret == -ETIMEDOUT)
		slog(s, IOMMU_LOG_ERR,
		     "register 0x%llx: ACK 0x%x never followed 0x%x",
		     (unsigned long long)reg, (uint32_t)last, val);
	return ret && ret != -ETIMEDOUT ? -EIO : ret;
}

static int smmu_cr0(struct smmu_drv *s, uint32_t val)
{
	int ret = smmu_write_ack(s, SMMU_CR0, SMMU_CR0ACK, val);

	if (!ret)
		s->cr0 = val;
	return ret;
}

/* GBPA with Update (smmuv3 1.6): ABORT so nothing bypasses while off. */
static int smmu_gbpa_abort(struct smmu_drv *s)
{
	if (ilib_mmio_write32(&s->bus, SMMU_GBPA,
			      (uint32_t)(SMMU_GBPA_ABORT | SMMU_GBPA_UPDATE)))
		return -EIO;
	return ilib_mmio_poll(&s->bus, SMMU_GBPA, 4, SMMU_GBPA_UPDATE, 0,
			      s->timeout_polls, NULL);
}

/* ---- devices ------------------------------------------------------------- */

static struct smmu_dev *smmu_dev_find(struct smmu_drv *s, uint32_t sid)
{
	for (struct smmu_dev *d = s->devs; d; d = d->next)
		if (d->sid == sid)
			return d;
	return NULL;
}

static int smmu_drv_probe_device(void *inst, struct iommu_dev_info *info)
{
	struct smmu_drv *s = inst;
	struct smmu_dev *dev;
	int ret;

	if (!s || !info)
		return -EINVAL;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->sid = info->id;
	dev->ssid_bits =
	    info->pasid_bits < s->ssid_bits ? info->pasid_bits : s->ssid_bits;
	pthread_rwlock_wrlock(&s->dev_lock);
	if (smmu_dev_find(s, dev->sid)) {
		ret = -EEXIST;
		goto out;
	}
	ret = smmu_st_l2_alloc(s, dev->sid);
	if (ret) {
		if (ret == -ERANGE)
			slog(s, IOMMU_LOG_ERR,
			     "StreamID 0x%x beyond the Stream table (%u bits)",
			     dev->sid, s->st_log2size);
		goto out;
	}
	dev->next = s->devs;
	s->devs = dev;
	info->priv = dev;
out:
	pthread_rwlock_unlock(&s->dev_lock);
	if (ret)
		free(dev);
	return ret;
}

/* The device's STE goes back to abort (smmuv3 1.7's initial state). */
static void smmu_drv_release_device(void *inst, struct iommu_dev_info *info)
{
	struct smmu_drv *s = inst;
	struct smmu_dev *dev = smmu_dev_of(info);
	uint64_t *e;

	if (!s || !dev)
		return;
	pthread_rwlock_wrlock(&s->dev_lock);
	for (struct smmu_dev **pp = &s->devs; *pp; pp = &(*pp)->next) {
		if (*pp == dev) {
			*pp = dev->next;
			break;
		}
	}
	e = smmu_ste_ptr(s, dev->sid);
	if (e) {
		struct smmu_cmd c = smmu_cmd_cfgi_ste(dev->sid, true);

		ilib_le64_store(&e[0], SMMU_STE_DW0_V |
					   smmu_field_prep(SMMU_STE_DW0_CONFIG,
							   SMMU_STE_CFG_ABORT));
		if (smmu_submit(s, &c, 1))
			slog(s, IOMMU_LOG_WARN,
			     "release of 0x%x: CFGI_STE failed", dev->sid);
	}
	smmu_cdt_free(s, dev);
	if (dev->domain)
		dev->domain->nr_devs--;
	pthread_rwlock_unlock(&s->dev_lock);
	info->priv = NULL;
	free(dev);
}

static int smmu_drv_device_group(void *inst, const struct iommu_dev_info *info,
				 uint64_t *key)
{
	if (!inst || !info || !key)
		return -EINVAL;
	*key = info->id; /* the SMMU isolates every StreamID */
	return 0;
}

static int smmu_drv_get_resv_regions(void *inst, struct iommu_dev_info *info,
				     struct iommu_resv_region *out, size_t max,
				     size_t *count)
{
	if (!inst || !info || !count || (max && !out))
		return -EINVAL;
	/* smmuv3 8: Linux's software MSI window. */
	*count = 1;
	if (max) {
		out[0].start = SMMU_SW_MSI_BASE;
		out[0].last = SMMU_SW_MSI_BASE + SMMU_SW_MSI_SIZE - 1;
		out[0].type = IOMMU_RESV_SW_MSI;
		out[0].prot = IOMMU_WRITE;
	}
	return 0;
}

static bool smmu_drv_capable(void *inst, struct iommu_dev_info *info,
			     enum iommu_cap cap)
{
	struct smmu_drv *s = inst;

	if (!s || !info)
		return false;
	if (cap == IOMMU_CAP_CACHE_COHERENCY)
		return s->idr0 & SMMU_IDR0_COHACC;
	return false;
}

static unsigned int smmu_drv_instance_domains(void *inst)
{
	(void)inst;
	return 1u << IOMMU_DOMAIN_BLOCKED | 1u << IOMMU_DOMAIN_IDENTITY |
	       1u << IOMMU_DOMAIN_UNMANAGED | 1u << IOMMU_DOMAIN_DMA;
}

/* ---- probe and release --------------------------------------------------- */

static void smmu_destroy_locks(struct smmu_drv *s)
{
	pthread_mutex_destroy(&s->st_lock);
	pthread_mutex_destroy(&s->cmdq_lock);
	pthread_mutex_destroy(&s->evt_lock);
	pthread_rwlock_destroy(&s->dev_lock);
}

/* Read the ID registers and decide what the driver does with this SMMU. */
static int smmu_discover(struct smmu_drv *s, const uint64_t *params)
{
	static const unsigned int gran_lg2[] = {12, 14, 16};
	static const uint32_t gran_bit[] = {SMMU_IDR5_GRAN4K, SMMU_IDR5_GRAN16K,
					    SMMU_IDR5_GRAN64K};
	uint64_t g = params[SMMU_P_DRV_GRANULE];
	unsigned int oas;

	if (ilib_mmio_read32(&s->bus, SMMU_IDR0, &s->idr0) ||
	    ilib_mmio_read32(&s->bus, SMMU_IDR1, &s->idr1) ||
	    ilib_mmio_read32(&s->bus, SMMU_IDR3, &s->idr3) ||
	    ilib_mmio_read32(&s->bus, SMMU_IDR5, &s->idr5))
		return -EIO;
	slog(s, IOMMU_LOG_DEBUG, "IDR0 0x%x IDR1 0x%x IDR3 0x%x IDR5 0x%x",
	     s->idr0, s->idr1, s->idr3, s->idr5);
	if (!(s->idr0 & SMMU_IDR0_S1P)) {
		slog(s, IOMMU_LOG_ERR, "no stage-1 translation (IDR0.S1P)");
		return -ENODEV;
	}
	if (!(smmu_field_get(SMMU_IDR0_TTF, s->idr0) & SMMU_TTF_AARCH64)) {
		slog(s, IOMMU_LOG_ERR, "no AArch64 tables (IDR0.TTF)");
		return -ENODEV;
	}
	if (g > 2 || !(s->idr5 & gran_bit[g])) {
		slog(s, IOMMU_LOG_ERR, "granule %u KiB not in IDR5",
		     g > 2 ? 0 : 1u << (gran_lg2[g] - 10));
		return -ENODEV;
	}
	s->granule_lg2 = gran_lg2[g];
	s->s2 = params[SMMU_P_DRV_STAGE] == SMMU_P_STAGE_2;
	s->ias_oas_code = (unsigned int)smmu_field_get(SMMU_IDR5_OAS, s->idr5);
	if (s->ias_oas_code > SMMU_OAS_52)
		s->ias_oas_code = SMMU_OAS_52;
	/* 52 bits need 64K, or CD.DS (IDR5.DS) for 4K/16K at stage 1. */
	s->ds = s->ias_oas_code == SMMU_OAS_52 && s->granule_lg2 != 16 &&
		!s->s2 && (s->idr5 & SMMU_IDR5_DS);
	if (s->ias_oas_code == SMMU_OAS_52 && s->granule_lg2 != 16 && !s->ds)
		s->ias_oas_code = SMMU_OAS_48;
	oas = smmu_oas_bits(s->ias_oas_code);
	s->oas_bits = oas;
	/* The levels a leaf can be at (smmuv3 4.5), without contiguous. */
	if (s->granule_lg2 == 12)
		s->pgsizes = (1ull << 12) | (1ull << 21) | (1ull << 30);
	else if (s->granule_lg2 == 14)
		s->pgsizes = (1ull << 14) | (1ull << 25);
	else
		s->pgsizes = (1ull << 16) | (1ull << 29) |
			     /* Arm level 1's 4T block needs a 52-bit OA */
			     (oas == 52 ? 1ull << 42 : 0);
	s->sid_bits = (unsigned int)smmu_field_get(SMMU_IDR1_SIDSIZE, s->idr1);
	/* SIDSIZE is 0..32 (smmuv3 1.3); a larger value would overflow the
	 * linear table's size (64 << SIDSIZE) and its abort-STE fill. */
	if (s->sid_bits > SMMU_SIDSIZE_MAX)
		s->sid_bits = SMMU_SIDSIZE_MAX;
	if (s->s2 && !(s->idr0 & SMMU_IDR0_S2P)) {
		slog(s, IOMMU_LOG_ERR,
		     "paging_stage = stage2 without stage 2 (IDR0.S2P)");
		return -ENODEV;
	}
	/* Stage 2: IPA size OAS, at most 48 bits (smmuv3 2.6 S2T0SZ). */
	s->s2_ia = oas < SMMU_VA_BITS ? oas : SMMU_VA_BITS;
	s->ril = s->idr3 & SMMU_IDR3_RIL;
	/* Substreams need stage-1 CDs: none in stage-2 mode. */
	s->ssid_bits =
	    s->s2 ? 0
		  : (unsigned int)smmu_field_get(SMMU_IDR1_SSIDSIZE, s->idr1);
	if (s->ssid_bits > SMMU_SSIDSIZE_MAX)
		s->ssid_bits = SMMU_SSIDSIZE_MAX;
	s->cd2l = s->idr0 & SMMU_IDR0_CD2L;
	s->hyp = s->idr0 & SMMU_IDR0_HYP;
	s->ats = s->idr0 & SMMU_IDR0_ATS;
	s->asid_last = s->idr0 & SMMU_IDR0_ASID16 ? 0xffff : 0xff;
	s->vmid_last = s->idr0 & SMMU_IDR0_VMID16 ? 0xffff : 0xff;
	return 0;
}

/* smmuv3 1.7 steps 5-10, after the Stream table. */
static int smmu_bring_up(struct smmu_drv *s)
{
	struct smmu_cmd c[1];
	uint32_t irq;
	int err;

	err = smmu_setup_cmdq(s);
	if (err)
		return err;
	err = smmu_cr0(s, SMMU_CR0_CMDQEN);
	if (err)
		return err;
	c[0] = smmu_cmd_cfgi_all();
	err = smmu_submit(s, c, 1);
	if (!err && s->hyp) {
		c[0] = smmu_cmd_tlbi_el2_all();
		err = smmu_submit(s, c, 1);
	}
	if (!err) {
		c[0] = smmu_cmd_tlbi_nsnh_all();
		err = smmu_submit(s, c, 1);
	}
	if (err)
		return err;
	err = smmu_setup_evtq(s);
	if (err)
		return err;
	err = smmu_cr0(s, s->cr0 | SMMU_CR0_EVENTQEN |
			      (s->ats ? SMMU_CR0_ATSCHK : 0));
	if (err)
		return err;
	/* Wired interrupts: no MSI addresses. */
	err = smmu_write_ack(s, SMMU_IRQ_CTRL, SMMU_IRQ_CTRLACK, 0);
	if (err)
		return err;
	if (s->idr0 & SMMU_IDR0_MSI &&
	    (ilib_mmio_write64(&s->bus, SMMU_GERROR_IRQ_CFG0, 0) ||
	     ilib_mmio_write64(&s->bus, SMMU_EVENTQ_IRQ_CFG0, 0)))
		return -EIO;
	irq =
	    (uint32_t)(SMMU_IRQ_CTRL_EVENTQ_IRQEN | SMMU_IRQ_CTRL_GERROR_IRQEN);
	err = smmu_write_ack(s, SMMU_IRQ_CTRL, SMMU_IRQ_CTRLACK, irq);
	if (err)
		return err;
	return smmu_cr0(s, s->cr0 | SMMU_CR0_SMMUEN);
}

/**
 * smmu_drv_probe() - find and start the SMMU behind @bus
 * @params: the [smmuv3] section; the driver reads SMMU_P_DRV_* only
 *
 * Context: single-threaded.
 * Return: 0; -EINVAL bad arguments; -ENODEV a required feature is
 * missing; -EIO register access failed; -ETIMEDOUT an ACK or a sync
 * never came; -ENOMEM; -EFAULT table memory.
 */
static int smmu_drv_probe(struct iommu_host *host, const struct iommu_bus *bus,
			  const uint64_t *params,
			  const struct iommu_core_cfg *cfg, void **inst)
{
	struct smmu_drv *s;
	int err;

	(void)cfg;
	if (!ilib_driver_host_ok(host, bus) || !params || !inst)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->host = host;
	s->bus = *bus;
	s->timeout_polls =
	    params[SMMU_P_DRV_TIMEOUT] ? params[SMMU_P_DRV_TIMEOUT] : 1;
	s->inval_threshold = params[SMMU_P_DRV_INV_THRESHOLD]
				 ? params[SMMU_P_DRV_INV_THRESHOLD]
				 : 1;
	pthread_mutex_init(&s->st_lock, NULL);
	pthread_mutex_init(&s->cmdq_lock, NULL);
	pthread_mutex_init(&s->evt_lock, NULL);
	pthread_rwlock_init(&s->dev_lock, NULL);

	err = smmu_discover(s, params);
	if (err)
		goto err_free;
	err = ilib_ids_init(&s->asids, SMMU_ASID_FIRST, s->asid_last - 1);
	if (err)
		goto err_free;
	err = ilib_ids_init(&s->vmids, SMMU_VMID_FIRST, s->vmid_last - 1);
	if (err)
		goto err_ids;
	/* smmuv3 1.7 steps 1-4: quiet, abort while off, CR1/CR2, tables. */
	err = smmu_gbpa_abort(s);
	if (!err)
		err = smmu_cr0(s, 0);
	if (err)
		goto err_ids;
	if (ilib_mmio_write32(&s->bus, SMMU_CR1, SMMU_CR1_LINUX) ||
	    ilib_mmio_write32(&s->bus, SMMU_CR2, SMMU_CR2_LINUX)) {
		err = -EIO;
		goto err_ids;
	}
	err = smmu_st_setup(s);
	if (err)
		goto err_tables;
	err = smmu_domain_init_static(s);
	if (err)
		goto err_tables;
	err = smmu_bring_up(s);
	if (err)
		goto err_off;
	slog(s, IOMMU_LOG_DEBUG,
	     "%s Stream table (%u SID bits), %u KiB granule, OA %u bits, "
	     "cmdq %u, evtq %u%s",
	     s->st_2lvl ? "2-level" : "linear", s->st_log2size,
	     1u << (s->granule_lg2 - 10), s->oas_bits,
	     ilib_ring_count(&s->cmdq), ilib_ring_count(&s->evtq),
	     s->ril ? ", RIL" : "");
	*inst = s;
	return 0;

err_off:
	smmu_cr0(s, 0);
	smmu_domain_fini_static(s);
err_tables:
	smmu_free_tables(s);
err_ids:
	ilib_ids_fini(&s->vmids);
	ilib_ids_fini(&s->asids);
err_free:
	smmu_destroy_locks(s);
	free(s);
	return err;
}

/**
 * smmu_drv_release() - SMMU off (aborting), free everything
 * Devices were released and paging domains freed by the core before.
 */
static void smmu_drv_release(void *inst)
{
	struct smmu_drv *s = inst;

	if (!s)
		return;
	if (smmu_gbpa_abort(s) || smmu_cr0(s, 0))
		slog(s, IOMMU_LOG_WARN, "the SMMU did not turn off");
	smmu_write_ack(s, SMMU_IRQ_CTRL, SMMU_IRQ_CTRLACK, 0);
	while (s->devs) {
		struct smmu_dev *d = s->devs;

		s->devs = d->next;
		smmu_cdt_free(s, d);
		free(d);
	}
	smmu_domain_fini_static(s);
	smmu_free_tables(s);
	ilib_ids_fini(&s->vmids);
	ilib_ids_fini(&s->asids);
	smmu_destroy_locks(s);
	free(s);
}

const struct iommu_ops smmu_drv_ops = {
    .size = IOMMU_TABLE_SIZE(iommu_ops),
    .probe = smmu_drv_probe,
    .release = smmu_drv_release,
    .probe_device = smmu_drv_probe_device,
    .release_device = smmu_drv_release_device,
    .device_group = smmu_drv_device_group,
    .domain_alloc_paging = smmu_drv_domain_alloc_paging,
    .blocked_domain = &smmu_blocked_ops,
    .identity_domain = &smmu_identity_ops,
    .instance_domains = smmu_drv_instance_domains,
    .get_resv_regions = smmu_drv_get_resv_regions,
    .capable = smmu_drv_capable,
    .irq = smmu_drv_irq,
    .dev_enable_feat = smmu_drv_dev_enable_feat,
    .dev_disable_feat = smmu_drv_dev_disable_feat,
    .backend_features = 1u << IOMMU_DEV_FEAT_AUX,
    .instance_features = smmu_drv_instance_features,
};
