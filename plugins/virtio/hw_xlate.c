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

/* What one look at the state found for a request (hw_look()). */
enum hw_look {
	HW_LOOK_NO_EP,	  /* no such endpoint */
	HW_LOOK_MSI,	  /* the MSI window, whatever the domain */
	HW_LOOK_NO_DOM,	  /* endpoint on no domain */
	HW_LOOK_BYPASS,	  /* on a bypass (identity) domain */
	HW_LOOK_MAPPED,	  /* a mapping holds the address */
	HW_LOOK_UNMAPPED, /* a translated domain, no mapping there */
};

/*
 * hw_look() - the endpoint's domain and the mapping of @iova, as a
 * shared reader ("The state's readers" in hw.h): atomic loads only,
 * results in @m and the return value, nothing done with them.
 * Return: enum hw_look; -EAGAIN a descent was cut short.
 */
static inline __attribute__((always_inline)) int
hw_look(const struct viommu_hw *hw, uint32_t dev_id,
	uint64_t iova, struct rangemap_entry *m)
{
	const struct hw_ep_slot *slot = &hw->ep_slot[hw_ep_slot_of(dev_id)];
	const struct hw_domain *dom;
	struct rangemap_entry ep;
	int ret;

	if (__atomic_load_n(&slot->key, __ATOMIC_ACQUIRE) == dev_id + 1ull) {
		ep.phys = __atomic_load_n(&slot->dom, __ATOMIC_ACQUIRE);
	} else {
		ret = rangemap_find_shared(&hw->endpoints, dev_id, &ep);
		if (ret <= 0)
			return ret ? ret : HW_LOOK_NO_EP;
	}
	/* Step 2: the MSI RESV_MEM window is the MSI doorbell, not memory
	 * (DESIGN rule 12): the core delivers a dword write to the VMM's
	 * msi callback and faults anything else, on any domain or none. */
	if (hw->has_msi && iova >= hw->msi_base && iova <= hw->msi_last)
		return HW_LOOK_MSI;
	dom = (const struct hw_domain *)(uintptr_t)ep.phys;
	if (!dom)
		return HW_LOOK_NO_DOM;
	if (__atomic_load_n(&dom->bypass, __ATOMIC_ACQUIRE))
		return HW_LOOK_BYPASS;
	ret = rangemap_find_shared(&dom->maps, iova, m);
	if (ret < 0)
		return ret;
	return ret ? HW_LOOK_MAPPED : HW_LOOK_UNMAPPED;
}

/* IOMMU_READ/IOMMU_WRITE of a mapping's MAP flags. */
static inline uint32_t hw_map_perm(uint32_t flags)
{
	return ((flags & VIRTIO_IOMMU_MAP_F_READ) ? IOMMU_READ : 0) |
	       ((flags & VIRTIO_IOMMU_MAP_F_WRITE) ? IOMMU_WRITE : 0);
}

/*
 * A fault of @req (spec 5), out of line: the path of every translation
 * stays small.  @walked: the mappings were looked at (a walk counted).
 */
static __attribute__((noinline, cold)) int
hw_xlate_fault(struct viommu_hw *hw, const struct iommu_dma_req *req,
	       uint8_t reason, bool walked)
{
	uint32_t fflags =
		VIRTIO_IOMMU_FAULT_F_ADDRESS |
		(req->access == IOMMU_ACCESS_READ ? VIRTIO_IOMMU_FAULT_F_READ
						  : VIRTIO_IOMMU_FAULT_F_WRITE);

	if (walked)
		ilib_stat_req(hw->host, req, IOMMU_STAT_WALKS);
	viommu_hw_record_fault(hw, reason, fflags, req->dev_id, req->iova);
	return -EFAULT;
}

/*
 * The whole of translate() but the argument checks, for what
 * viommu_hw_translate() does not finish itself: every fault, bypass and
 * the MSI window, and a look that raced with a writer.
 */
static __attribute__((noinline)) int
hw_xlate_slow(struct viommu_hw *hw, const struct iommu_dma_req *req,
	      struct iommu_translation *out, uint32_t need)
{
	struct rangemap_entry m = { 0 }; /* set when HW_LOOK_MAPPED */
	unsigned int tries = HW_READ_TRIES;
	uint64_t iova = req->iova, seq;
	bool byp;
	int look;

	/* No PASIDs and no ATS: such requests fault.  PRIV and EXEC have
	 * no meaning here (an instruction fetch is a read). */
	if (req->pasid != IOMMU_NO_PASID ||
	    (req->attrs & IOMMU_ACCESS_TRANSLATED))
		return hw_xlate_fault(hw, req, VIRTIO_IOMMU_FAULT_R_UNKNOWN,
				      false);

	do {
		seq = hw_state_read_begin(hw);
		look = hw_look(hw, req->dev_id, iova, &m);
		if (!hw_state_read_retry(hw, seq) && look >= 0)
			break;
	} while (--tries);
	if (!tries) {
		/* Writers keep changing the state: wait for one to finish
		 * instead of spinning.  A stable tree is never cut short. */
		pthread_mutex_lock(&hw->state_lock);
		look = hw_look(hw, req->dev_id, iova, &m);
		pthread_mutex_unlock(&hw->state_lock);
	}

	switch (look) {
	case HW_LOOK_MAPPED:
		if (!(m.flags & need))
			break;
		out->phys = m.phys + (iova - m.start);
		out->len = ilib_clip(iova, req->len, m.last);
		out->perm = hw_map_perm(m.flags);
		ilib_stat_req(hw->host, req, IOMMU_STAT_WALKS);
		return IOMMU_HW_CACHED;
	case HW_LOOK_UNMAPPED:
		break;
	case HW_LOOK_MSI:
		out->phys = iova;
		out->len = ilib_clip(iova, req->len, hw->msi_last);
		out->perm = 0;
		return IOMMU_HW_INTERRUPT;
	case HW_LOOK_NO_DOM:
		byp = (hw_offers(hw, VIRTIO_IOMMU_F_BYPASS_CONFIG) &&
		       __atomic_load_n(&hw->bypass, __ATOMIC_ACQUIRE) == 1) ||
		      (hw_negotiated(hw) & BIT64(VIRTIO_IOMMU_F_BYPASS));
		if (!byp)
			return hw_xlate_fault(hw, req,
					      VIRTIO_IOMMU_FAULT_R_DOMAIN,
					      false);
		/* fall through */
	case HW_LOOK_BYPASS:
		out->phys = iova;
		out->len = ilib_clip(iova, req->len, hw_bypass_last(hw, iova));
		out->perm = IOMMU_READ | IOMMU_WRITE;
		return IOMMU_HW_CACHED;
	default: /* HW_LOOK_NO_EP */
		return hw_xlate_fault(hw, req, VIRTIO_IOMMU_FAULT_R_UNKNOWN,
				      false);
	}
	return hw_xlate_fault(hw, req, VIRTIO_IOMMU_FAULT_R_MAPPING, true);
}

/**
 * viommu_hw_translate() - translate one DMA request (spec 6.3)
 * @opaque: model
 * @req: the request; len > 0, access READ or WRITE
 * @out: phys, contiguous len (at most req->len) and perm on success
 *
 * The path of every DMA: one look without a lock, at a mapping that
 * allows the access, with nothing changing meanwhile, is answered here;
 * anything else is hw_xlate_slow()'s.
 *
 * Context: any thread, concurrently with MMIO; takes no lock to look
 * (hw.h, "The state's readers"; state_lock after HW_READ_TRIES changes
 * under its feet), and on a fault q[1].lock and reg_lock, then raises
 * the interrupt.
 * Return: IOMMU_HW_CACHED; IOMMU_HW_INTERRUPT in the MSI window; -EFAULT
 * after recording a fault; -EINVAL bad arguments.
 */
int viommu_hw_translate(void *opaque, const struct iommu_dma_req *req,
			struct iommu_translation *out)
{
	struct viommu_hw *hw = opaque;
	struct rangemap_entry m;
	uint64_t iova, seq;
	uint32_t need;

	/* The core never passes NULL; a caller of the plugin's ops might. */
	if (!hw || !req || !out)
		return -EINVAL;
	iova = req->iova;
	if (req->access == IOMMU_ACCESS_READ)
		need = VIRTIO_IOMMU_MAP_F_READ;
	else if (req->access == IOMMU_ACCESS_WRITE)
		need = VIRTIO_IOMMU_MAP_F_WRITE;
	else
		return -EINVAL;
	if (!req->len || (req->attrs & ~IOMMU_ACCESS_ATTRS))
		return -EINVAL;
	if (req->pasid != IOMMU_NO_PASID ||
	    (req->attrs & IOMMU_ACCESS_TRANSLATED))
		goto slow;

	seq = hw_state_read_begin(hw);
	if (hw_look(hw, req->dev_id, iova, &m) != HW_LOOK_MAPPED ||
	    hw_state_read_retry(hw, seq) || !(m.flags & need))
		goto slow;
	out->phys = m.phys + (iova - m.start);
	out->len = ilib_clip(iova, req->len, m.last);
	out->perm = hw_map_perm(m.flags);
	ilib_stat_req(hw->host, req, IOMMU_STAT_WALKS);
	/* Mappings change only through requests and register writes. */
	return IOMMU_HW_CACHED;
slow:
	return hw_xlate_slow(hw, req, out, need);
}

/* ---- Endpoints -------------------------------------------------------- */

/* Return: 0, -EEXIST already present, -ENOMEM, -EINVAL no instance. */
int viommu_hw_endpoint_add(void *opaque, uint32_t dev_id)
{
	struct viommu_hw *hw = opaque;
	struct hw_ep_slot *slot;
	int ret;

	if (!hw)
		return -EINVAL;
	hw_state_write_begin(hw);
	ret = rangemap_insert(&hw->endpoints, dev_id, dev_id, 0, 0);
	slot = &hw->ep_slot[hw_ep_slot_of(dev_id)];
	if (!ret && !slot->key) {
		__atomic_store_n(&slot->dom, 0, __ATOMIC_RELEASE);
		__atomic_store_n(&slot->key, dev_id + 1ull, __ATOMIC_RELEASE);
	}
	hw_state_write_end(hw);
	return ret;
}

/* Forget @dev_id; an attached endpoint is detached first. */
void viommu_hw_endpoint_remove(void *opaque, uint32_t dev_id)
{
	struct viommu_hw *hw = opaque;
	struct rangemap_entry *ep;

	if (!hw)
		return;
	hw_state_write_begin(hw);
	ep = viommu_hw_ep_find(hw, dev_id);
	if (ep) {
		struct hw_ep_slot *slot = &hw->ep_slot[hw_ep_slot_of(dev_id)];

		viommu_hw_ep_detach(hw, ep);
		rangemap_remove(&hw->endpoints, dev_id);
		/* The slot stays free until an endpoint that hashes to it is
		 * added: the others that do are found in the map. */
		if (slot->key == dev_id + 1ull)
			__atomic_store_n(&slot->key, 0, __ATOMIC_RELEASE);
	}
	hw_state_write_end(hw);
}
