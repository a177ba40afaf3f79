// SPDX-License-Identifier: MIT
/*
 * drv_pasid.c - the SMMUv3 driver's substreams (smmuv3 2.5 S1CDMax,
 * S1Fmt, S1DSS; 3.3 CD tables and L1CDs): a device's own CD table while
 * PASIDs are attached, CD 0 holding its primary domain's CD and CD[pasid]
 * each PASID domain's; set_dev_pasid with no window; the AUX feature the
 * core's aux API needs.  The choices it follows are in drv.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drv.h"

#define CD_L2_LG2    SMMU_CD_L2_SPLIT_64K /* 1024 CDs per leaf */
#define CD_LEAF_SIZE ((size_t)SMMU_CD_SIZE << CD_L2_LG2)

/* Free the device's CD table and its PASID records. */
void smmu_cdt_free(struct smmu_drv *s, struct smmu_dev *dev)
{
	if (dev->cdt_2lvl && dev->cdt_leaf) {
		for (size_t i = 0;
		     i < (size_t)1 << (dev->ssid_bits - CD_L2_LG2); i++)
			if (dev->cdt_leaf[i])
				ilib_table_free(s->host, dev->cdt_leaf[i],
						CD_LEAF_SIZE);
	}
	free(dev->cdt_leaf);
	dev->cdt_leaf = NULL;
	if (dev->cdt)
		ilib_table_free(s->host, dev->cdt_pa, dev->cdt_size);
	dev->cdt = NULL;
	dev->cdt_pa = 0;
	dev->cdt_size = 0;
	free(dev->pv);
	dev->pv = NULL;
	dev->nr_pasid = 0;
	dev->cap_pasid = 0;
}

/*
 * The CD of @ssid in the device's table; in a 2-level table the leaf of
 * 1024 CDs is allocated (zeroed: invalid CDs) and its L1CD written when
 * missing, *@l1_new telling the caller to invalidate with Leaf = 0.
 * Context: dev_lock held for writing.  Return: 0; -ENOMEM; -EFAULT.
 */
static int cd_slot(struct smmu_drv *s, struct smmu_dev *dev, uint32_t ssid,
		   uint64_t **cd, bool *l1_new)
{
	uint32_t l1 = ssid >> CD_L2_LG2;
	uint64_t *leaf;
	void *va;
	int err;

	*l1_new = false;
	if (!dev->cdt_2lvl) {
		*cd = dev->cdt + (size_t)ssid * SMMU_CD_DWORDS;
		return 0;
	}
	if (!dev->cdt_leaf[l1]) {
		err = ilib_table_alloc(s->host, "smmuv3", CD_LEAF_SIZE,
				       &dev->cdt_leaf[l1], &va);
		if (err)
			return err;
		/* smmuv3 3.3: V, L2Ptr of the 64 KiB leaf (S1Fmt 0b10). */
		ilib_le64_store(&dev->cdt[l1],
				SMMU_L1CD_V |
				    (dev->cdt_leaf[l1] & SMMU_L1CD_L2PTR));
		*l1_new = true;
	}
	leaf = ilib_table_ptr(s->host, dev->cdt_leaf[l1], CD_LEAF_SIZE);
	if (!leaf)
		return -EFAULT;
	*cd = leaf + (size_t)(ssid & ((1u << CD_L2_LG2) - 1)) * SMMU_CD_DWORDS;
	return 0;
}

/*
 * A new CD table for @dev (smmuv3 3.3, as Linux): linear with 2^S1CDMax
 * CDs without CD2L or up to 1024 CDs, else 2-level with 64 KiB leaves;
 * leaf 0 (CD 0) is there from the start.  Not yet referenced by the STE.
 */
static int cdt_alloc(struct smmu_drv *s, struct smmu_dev *dev)
{
	bool two = s->cd2l && dev->ssid_bits > CD_L2_LG2;
	size_t size = two ? (size_t)SMMU_L1CD_SIZE
				<< (dev->ssid_bits - CD_L2_LG2)
			  : (size_t)SMMU_CD_SIZE << dev->ssid_bits;
	uint64_t *cd0;
	bool l1_new;
	void *va;
	int err;

	if (size < 4096)
		size = 4096;
	if (two) {
		dev->cdt_leaf =
		    calloc((size_t)1 << (dev->ssid_bits - CD_L2_LG2),
			   sizeof(*dev->cdt_leaf));
		if (!dev->cdt_leaf)
			return -ENOMEM;
	}
	err = ilib_table_alloc(s->host, "smmuv3", size, &dev->cdt_pa, &va);
	if (err) {
		free(dev->cdt_leaf);
		dev->cdt_leaf = NULL;
		return err;
	}
	dev->cdt = va;
	dev->cdt_size = size;
	dev->cdt_2lvl = two;
	err = cd_slot(s, dev, 0, &cd0, &l1_new);
	if (err)
		smmu_cdt_free(s, dev);
	return err;
}

/* Copy @dom's CD into a slot no STE or cached CD uses: V last. */
static void cd_put(uint64_t *dst, const struct smmu_domain *dom)
{
	for (int k = SMMU_CD_DWORDS - 1; k >= 1; k--)
		ilib_le64_store(&dst[k], ilib_le64_load(&dom->cd[k]));
	ilib_le64_store(&dst[0], ilib_le64_load(&dom->cd[0]));
}

/*
 * Replace the live CD at @cd (@ssid of @dev) by @to's with no window
 * (drv.h): ASID (DW0) and TTB0 (DW1) both change, every other word is
 * the same for all stage-1 domains, so the CD goes through the swap ASID:
 * {old, old TTB0} -> {swap, old TTB0} -> {swap, new TTB0} -> {new, new
 * TTB0}, each step CFGI_CD + CMD_SYNC, the last with TLBI_NH_ASID(swap).
 */
static int cd_swap(struct smmu_drv *s, struct smmu_dev *dev, uint32_t ssid,
		   uint64_t *cd, const struct smmu_domain *to)
{
	uint64_t dw0 = ilib_le64_load(&to->cd[0]);
	uint64_t mid = (dw0 & ~SMMU_CD_DW0_ASID) |
		       smmu_field_prep(SMMU_CD_DW0_ASID, s->asid_last);
	struct smmu_cmd c[2];
	int ret;

	c[0] = smmu_cmd_cfgi_cd(dev->sid, ssid, true);
	c[1] = smmu_cmd_tlbi_asid((uint16_t)s->asid_last);
	ilib_le64_store(&cd[0], mid);
	ret = smmu_submit(s, c, 1);
	if (ret)
		return ret;
	ilib_le64_store(&cd[1], ilib_le64_load(&to->cd[1]));
	ret = smmu_submit(s, c, 1);
	if (ret)
		return ret;
	ilib_le64_store(&cd[0], dw0);
	return smmu_submit(s, c, 2);
}

static struct smmu_pasid *pasid_rec(struct smmu_dev *dev, uint32_t pasid)
{
	for (size_t i = 0; i < dev->nr_pasid; i++)
		if (dev->pv[i].pasid == pasid)
			return &dev->pv[i];
	return NULL;
}

/* Leave the CD table: the STE goes back to the primary domain alone. */
static int cdt_leave(struct smmu_drv *s, struct smmu_dev *dev,
		     struct smmu_domain *prim)
{
	struct smmu_dev keep = *dev;
	int ret;

	dev->cdt = NULL;
	ret = smmu_write_ste(s, dev, prim);
	if (ret) {
		*dev = keep;
		return ret;
	}
	/* No STE points at the table and CFGI_STE dropped the CDs cached
	 * through the SID: give it back. */
	dev->cdt = keep.cdt;
	smmu_cdt_free(s, dev);
	return 0;
}

/*
 * smmu_set_pasid() - put @dom (a stage-1 paging domain, or NULL to
 * remove) on @pasid of @info's device, replacing whatever is there
 *
 * The first PASID builds the device's CD table (CD 0 = the primary
 * domain's CD, or none for identity) and points the STE at it; the last
 * one removed points the STE back at the primary domain and frees the
 * table.  In between a new CD is written whole before V and made
 * visible by CFGI_CD; a replaced one goes through the swap ASID; a
 * removed one gets V = 0 (C_BAD_CD for its DMA).
 * Context: the core serializes PASID calls per device; takes dev_lock.
 * Return: 0; -EINVAL bad arguments; -EOPNOTSUPP no substreams (stage-2
 * mode, SSIDSIZE 0, a device without PASIDs); -ENOSPC @pasid beyond
 * S1CDMax; -ENOMEM; -EFAULT; -EIO, -ETIMEDOUT the invalidation failed
 * (the old CD or STE is back).
 */
static int smmu_set_pasid(struct smmu_drv *s, struct smmu_domain *dom,
			  struct iommu_dev_info *info, uint32_t pasid)
{
	struct smmu_dev *dev = smmu_dev_of(info);
	struct smmu_domain *prim;
	struct smmu_pasid *rec;
	struct smmu_cmd c[1];
	bool l1_new;
	uint64_t *cd, old0;
	int ret = 0;

	if (!dev || !pasid || pasid == IOMMU_NO_PASID)
		return -EINVAL;
	if (s->s2 || !dev->ssid_bits)
		return dom ? -EOPNOTSUPP : 0;
	if (dom && (dom->kind != SMMU_DOM_PAGING || dom->s2))
		return -EINVAL;
	if (pasid >> dev->ssid_bits)
		return -ENOSPC;
	pthread_rwlock_wrlock(&s->dev_lock);
	prim = dev->domain ? dev->domain : &s->blocked;
	rec = pasid_rec(dev, pasid);
	if ((rec ? rec->dom : NULL) == dom)
		goto out;
	if (!dom) {
		/* Remove: the last one leaves the table. */
		if (dev->nr_pasid == 1) {
			ret = cdt_leave(s, dev, prim);
			goto out;
		}
		ret = cd_slot(s, dev, pasid, &cd, &l1_new);
		if (ret)
			goto out;
		old0 = ilib_le64_load(&cd[0]);
		ilib_le64_store(&cd[0], 0);
		c[0] = smmu_cmd_cfgi_cd(dev->sid, pasid, true);
		ret = smmu_submit(s, c, 1);
		if (ret) {
			ilib_le64_store(&cd[0], old0);
			smmu_submit(s, c, 1);
			goto out;
		}
		*rec = dev->pv[--dev->nr_pasid];
		goto out;
	}
	if (!rec && dev->nr_pasid == dev->cap_pasid) {
		size_t cap = dev->cap_pasid ? dev->cap_pasid * 2 : 4;
		struct smmu_pasid *v = realloc(dev->pv, cap * sizeof(*v));

		if (!v) {
			ret = -ENOMEM;
			goto out;
		}
		dev->pv = v;
		dev->cap_pasid = cap;
	}
	if (!dev->cdt) {
		/* Enter: CD 0 and CD[pasid] first, then the STE. */
		ret = cdt_alloc(s, dev);
		if (ret)
			goto out;
		if (prim->kind != SMMU_DOM_IDENTITY) {
			ret = cd_slot(s, dev, 0, &cd, &l1_new);
			if (!ret)
				cd_put(cd, prim);
		}
		if (!ret)
			ret = cd_slot(s, dev, pasid, &cd, &l1_new);
		if (!ret) {
			cd_put(cd, dom);
			ret = smmu_write_ste(s, dev, prim);
		}
		if (ret) {
			struct smmu_pasid *pv = dev->pv;
			size_t cap = dev->cap_pasid;

			dev->pv = NULL; /* the records stay */
			smmu_cdt_free(s, dev);
			dev->pv = pv;
			dev->cap_pasid = cap;
			goto out;
		}
	} else if (rec) {
		/* Replace in place, through the swap ASID. */
		ret = cd_slot(s, dev, pasid, &cd, &l1_new);
		if (ret)
			goto out;
		ret = cd_swap(s, dev, pasid, cd, dom);
		if (ret) {
			if (cd_swap(s, dev, pasid, cd, rec->dom))
				slog(s, IOMMU_LOG_ERR,
				     "CD 0x%x of 0x%x: the old domain is not "
				     "back",
				     pasid, dev->sid);
			goto out;
		}
	} else {
		/* A new slot: written whole, then V, then CFGI_CD (Leaf 0
		 * when its L1CD is new). */
		ret = cd_slot(s, dev, pasid, &cd, &l1_new);
		if (ret)
			goto out;
		cd_put(cd, dom);
		c[0] = smmu_cmd_cfgi_cd(dev->sid, pasid, !l1_new);
		ret = smmu_submit(s, c, 1);
		if (ret) {
			ilib_le64_store(&cd[0], 0);
			smmu_submit(s, c, 1);
			goto out;
		}
	}
	if (rec)
		rec->dom = dom;
	else
		dev->pv[dev->nr_pasid++] = (struct smmu_pasid){pasid, dom};
out:
	pthread_rwlock_unlock(&s->dev_lock);
	return ret;
}

/**
 * smmu_drv_set_dev_pasid() - a stage-1 paging domain on a PASID
 * Return: as smmu_set_pasid().
 */
int smmu_drv_set_dev_pasid(void *d, struct iommu_dev_info *info, uint32_t pasid,
			   void *old)
{
	struct smmu_domain *dom = d;

	(void)old; /* the device's own record says what is there */
	if (!dom || dom->kind != SMMU_DOM_PAGING)
		return -EINVAL;
	return smmu_set_pasid(dom->s, dom, info, pasid);
}

/* The blocking domain's set_dev_pasid: the PASID is removed. */
int smmu_blocked_set_dev_pasid(void *inst, struct iommu_dev_info *info,
			       uint32_t pasid, void *old)
{
	(void)old;
	if (!inst)
		return -EINVAL;
	return smmu_set_pasid(inst, NULL, info, pasid);
}

/* ---- the AUX feature ----------------------------------------------------- */

/* AUX needs substreams: stage-1 mode on an SMMU with SSIDSIZE > 0. */
unsigned int smmu_drv_instance_features(void *inst)
{
	const struct smmu_drv *s = inst;

	return s && s->ssid_bits ? 1u << IOMMU_DEV_FEAT_AUX : 0;
}

int smmu_drv_dev_enable_feat(void *inst, struct iommu_dev_info *info,
			     enum iommu_dev_feature feat)
{
	struct smmu_drv *s = inst;
	struct smmu_dev *dev = smmu_dev_of(info);

	if (!s || !dev)
		return -EINVAL;
	if (feat != IOMMU_DEV_FEAT_AUX || !s->ssid_bits || !dev->ssid_bits)
		return -EOPNOTSUPP;
	pthread_rwlock_wrlock(&s->dev_lock);
	dev->aux = true; /* the CD table comes with the first PASID */
	pthread_rwlock_unlock(&s->dev_lock);
	return 0;
}

int smmu_drv_dev_disable_feat(void *inst, struct iommu_dev_info *info,
			      enum iommu_dev_feature feat)
{
	struct smmu_drv *s = inst;
	struct smmu_dev *dev = smmu_dev_of(info);
	int ret = 0;

	if (!s || !dev)
		return -EINVAL;
	if (feat != IOMMU_DEV_FEAT_AUX || !s->ssid_bits)
		return -EOPNOTSUPP;
	pthread_rwlock_wrlock(&s->dev_lock);
	if (dev->nr_pasid)
		ret = -EBUSY;
	else
		dev->aux = false;
	pthread_rwlock_unlock(&s->dev_lock);
	return ret;
}
