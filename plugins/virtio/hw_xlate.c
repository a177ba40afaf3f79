// SPDX-License-Identifier: MIT
/*
 * hw_xlate.c - translate() and bypass, endpoints added by the
 * platform ("translate()", "A DMA request with a PASID" in hw.h).
 * Locking and decisions: see hw.h.
 */
#include "hw.h"

/* ---- Translation (spec 6.3) ------------------------------------------- */

/* Last byte a bypass from @iova may reach: it stops short of the MSI
 * window (the window is never memory, rule 12). */
static uint64_t hw_bypass_last(const struct viommu_hw *hw, uint64_t iova)
{
	if (hw->has_msi && iova < hw->msi_base)
		return hw->msi_base - 1;
	return UINT64_MAX;
}

/**
 * viommu_hw_translate() - translate one DMA request (spec 6.3)
 * @opaque: model
 * @req: the request; len > 0, access READ or WRITE
 * @out: phys, contiguous len (at most req->len) and perm on success
 *
 * Context: any thread, concurrently with MMIO; takes state_lock for read,
 * and on a fault q[1].lock and reg_lock, then raises the interrupt.
 * Return: IOMMU_HW_CACHED; IOMMU_HW_INTERRUPT in the MSI window; -EFAULT
 * after recording a fault; -EINVAL bad arguments.
 */
int viommu_hw_translate(void *opaque, const struct iommu_dma_req *req,
			struct iommu_translation *out)
{
	struct viommu_hw *hw = opaque;
	const struct rangemap_entry *ep, *m;
	const struct hw_domain *dom;
	uint32_t fflags, need;
	uint8_t reason;
	uint64_t iova;
	bool walked = false;

	if (!hw || !req || !out || !req->len)
		return -EINVAL;
	if (req->access != IOMMU_ACCESS_READ &&
	    req->access != IOMMU_ACCESS_WRITE)
		return -EINVAL;
	iova = req->iova;
	fflags =
		VIRTIO_IOMMU_FAULT_F_ADDRESS |
		(req->access == IOMMU_ACCESS_READ ? VIRTIO_IOMMU_FAULT_F_READ
						  : VIRTIO_IOMMU_FAULT_F_WRITE);
	need = req->access == IOMMU_ACCESS_READ ? VIRTIO_IOMMU_MAP_F_READ
						: VIRTIO_IOMMU_MAP_F_WRITE;
	/* No PASIDs and no ATS: such requests fault.  PRIV and EXEC have
	 * no meaning here (an instruction fetch is a read). */
	if (req->pasid != IOMMU_NO_PASID ||
	    (req->attrs & IOMMU_ACCESS_TRANSLATED)) {
		reason = VIRTIO_IOMMU_FAULT_R_UNKNOWN;
		goto fault;
	}

	pthread_rwlock_rdlock(&hw->state_lock);
	ep = rangemap_find(&hw->endpoints, req->dev_id);
	if (!ep) {
		reason = VIRTIO_IOMMU_FAULT_R_UNKNOWN;
		goto fault_unlock;
	}
	/* Step 2: the MSI RESV_MEM window is the MSI doorbell, not memory
	 * (DESIGN rule 12): the core delivers a dword write to the VMM's
	 * msi callback and faults anything else, on any domain or none. */
	if (hw->has_msi && iova >= hw->msi_base && iova <= hw->msi_last) {
		pthread_rwlock_unlock(&hw->state_lock);
		out->phys = iova;
		out->len = ilib_clip(iova, req->len, hw->msi_last);
		out->perm = 0;
		return IOMMU_HW_INTERRUPT;
	}
	dom = hw_ep_domain(ep);
	if (!dom) {
		bool byp =
			(hw_offers(hw, VIRTIO_IOMMU_F_BYPASS_CONFIG) &&
			 __atomic_load_n(&hw->bypass, __ATOMIC_ACQUIRE) == 1) ||
			(hw_negotiated(hw) & BIT64(VIRTIO_IOMMU_F_BYPASS));

		if (!byp) {
			reason = VIRTIO_IOMMU_FAULT_R_DOMAIN;
			goto fault_unlock;
		}
		out->len = ilib_clip(iova, req->len, hw_bypass_last(hw, iova));
		goto identity;
	}
	if (dom->bypass) {
		out->len = ilib_clip(iova, req->len, hw_bypass_last(hw, iova));
		goto identity;
	}
	walked = true;
	m = rangemap_find(&dom->maps, iova);
	if (!m || !(m->flags & need)) {
		reason = VIRTIO_IOMMU_FAULT_R_MAPPING;
		goto fault_unlock;
	}
	out->phys = m->phys + (iova - m->start);
	out->len = ilib_clip(iova, req->len, m->last);
	out->perm = ((m->flags & VIRTIO_IOMMU_MAP_F_READ) ? IOMMU_READ : 0) |
		    ((m->flags & VIRTIO_IOMMU_MAP_F_WRITE) ? IOMMU_WRITE : 0);
	pthread_rwlock_unlock(&hw->state_lock);
	ilib_stat(hw->host, IOMMU_STAT_WALKS, 1);
	/* Mappings change only through requests and register writes. */
	return IOMMU_HW_CACHED;

identity:
	pthread_rwlock_unlock(&hw->state_lock);
	out->phys = iova;
	out->perm = IOMMU_READ | IOMMU_WRITE;
	return IOMMU_HW_CACHED;

fault_unlock:
	pthread_rwlock_unlock(&hw->state_lock);
fault:
	if (walked)
		ilib_stat(hw->host, IOMMU_STAT_WALKS, 1);
	viommu_hw_record_fault(hw, reason, fflags, req->dev_id, iova);
	return -EFAULT;
}

/* ---- Endpoints -------------------------------------------------------- */

/* Return: 0, -EEXIST already present, -ENOMEM, -EINVAL no instance. */
int viommu_hw_endpoint_add(void *opaque, uint32_t dev_id)
{
	struct viommu_hw *hw = opaque;
	int ret;

	if (!hw)
		return -EINVAL;
	pthread_rwlock_wrlock(&hw->state_lock);
	ret = rangemap_insert(&hw->endpoints, dev_id, dev_id, 0, 0);
	pthread_rwlock_unlock(&hw->state_lock);
	return ret;
}

/* Forget @dev_id; an attached endpoint is detached first. */
void viommu_hw_endpoint_remove(void *opaque, uint32_t dev_id)
{
	struct viommu_hw *hw = opaque;
	struct rangemap_entry *ep;

	if (!hw)
		return;
	pthread_rwlock_wrlock(&hw->state_lock);
	ep = viommu_hw_ep_find(hw, dev_id);
	if (ep) {
		viommu_hw_ep_detach(hw, ep);
		rangemap_remove(&hw->endpoints, dev_id);
	}
	pthread_rwlock_unlock(&hw->state_lock);
}
