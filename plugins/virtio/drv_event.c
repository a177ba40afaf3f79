// SPDX-License-Identifier: MIT
/*
 * drv_event.c - the event queue and fault reports ("Faults" under
 * "Locks" in drv.h).
 * Locks and choices: see drv.h.
 */
#include "drv.h"

static void viommu_evt_process(struct viommu_drv *v);

/* ---- faults -------------------------------------------------------------- */

/**
 * viommu_drv_decode_fault() - decode one 24-byte fault report (spec 5)
 * @rec: the report
 * @f: receives the fault; reason MAPPING gives NOT_MAPPED here (the caller
 *     with IOMMU_FAULT_F_REFINE: the core tells it from PERMISSION)
 *
 * Return: 0; -EINVAL if reserved bytes 1..3 are not zero (ignore it).
 */
static int viommu_drv_decode_fault(const uint8_t *rec, struct iommu_fault *f)
{
	uint8_t reason = rec[0];
	uint32_t flags = vio_le32(rec + 4);

	if (rec[1] || rec[2] || rec[3])
		return -EINVAL;
	memset(f, 0, sizeof(*f));
	f->dev_id = vio_le32(rec + 8);
	f->pasid = IOMMU_NO_PASID;
	f->vendor_code = reason;
	if (flags & VIRTIO_IOMMU_FAULT_F_READ)
		f->access |= IOMMU_ACCESS_READ;
	if (flags & VIRTIO_IOMMU_FAULT_F_WRITE)
		f->access |= IOMMU_ACCESS_WRITE;
	if (flags & VIRTIO_IOMMU_FAULT_F_ADDRESS) {
		f->addr = vio_le64(rec + 16);
		f->flags |= IOMMU_FAULT_F_ADDR_VALID;
	}
	switch (reason) {
	case VIRTIO_IOMMU_FAULT_R_DOMAIN:
		f->reason = IOMMU_FAULT_NO_DOMAIN;
		break;
	case VIRTIO_IOMMU_FAULT_R_MAPPING:
		/* Not mapped, or mapped without the right: the core tells
		 * them apart from the domain's mappings. */
		f->reason = IOMMU_FAULT_NOT_MAPPED;
		f->flags |= IOMMU_FAULT_F_REFINE;
		break;
	default:
		f->reason = IOMMU_FAULT_UNKNOWN;
		break;
	}
	return 0;
}

/*
 * Consume the event queue: decode reports, re-post their buffers, notify,
 * then deliver the faults with no lock held.  Context: no driver lock.
 */
static void viommu_evt_process(struct viommu_drv *v)
{
	for (;;) {
		uint8_t recs[VIOMMU_EVT_BATCH][VIOMMU_FAULT_SIZE];
		unsigned int nrec = 0, reposted = 0;
		bool more = false;

		pthread_mutex_lock(&v->evt_lock);
		for (;;) {
			uint16_t used = vq_used_idx(&v->eq);
			const uint8_t *e;
			uint32_t id, len;

			if (used == v->eq.last_used)
				break;
			if (nrec == VIOMMU_EVT_BATCH) {
				more = true;
				break;
			}
			e = v->eq.used + 4 +
			    8 * (size_t)(v->eq.last_used & (v->eq.num - 1));
			v->eq.last_used++;
			id = vio_le32(e);
			len = vio_le32(e + 4);
			if (id >= v->eq.num || !v->evt_posted[id]) {
				vlog(v, IOMMU_LOG_WARN,
				     "event queue returns idle buffer %u", id);
				continue;
			}
			v->evt_posted[id] = false;
			if (len == VIOMMU_FAULT_SIZE)
				memcpy(recs[nrec++],
				       v->eq.buf +
					       (size_t)id * VIOMMU_FAULT_SIZE,
				       VIOMMU_FAULT_SIZE);
			else
				vlog(v, IOMMU_LOG_WARN,
				     "fault report of %u bytes ignored", len);
			memset(v->eq.buf + (size_t)id * VIOMMU_FAULT_SIZE, 0,
			       VIOMMU_FAULT_SIZE);
			v->evt_posted[id] = true;
			vq_publish(&v->eq, (uint16_t)id);
			reposted++;
		}
		pthread_mutex_unlock(&v->evt_lock);

		if (reposted && vq_notify(v, VIOMMU_EVENT_VQ))
			vlog(v, IOMMU_LOG_ERR, "event queue notify failed");
		for (unsigned int i = 0; i < nrec; i++) {
			struct iommu_fault f;

			if (viommu_drv_decode_fault(recs[i], &f)) {
				vlog(v, IOMMU_LOG_WARN,
				     "fault report with reserved bits ignored");
				continue;
			}
			v->host->ops->report_fault(v->host, &f);
		}
		if (!more)
			break;
	}
}

/**
 * viommu_drv_irq() - the virtio-mmio interrupt
 * @inst: instance
 * @vector: 0 (virtio-mmio has one line)
 *
 * Acks InterruptStatus and consumes the event queue.  When called from a
 * notify this thread made under req_lock, only sets a flag; that thread
 * consumes the queue after dropping its locks.
 * Context: never takes req_lock; takes evt_lock, dev_lock, domain locks.
 */
void viommu_drv_irq(void *inst, unsigned int vector)
{
	struct viommu_drv *v = inst;
	uint64_t isr = 0;

	(void)vector;
	if (!v)
		return;
	if (!v->bus.ops->mmio_read(v->bus.opaque, VMMIO_INTERRUPT_STATUS, 4,
				   &isr) &&
	    isr)
		v->bus.ops->mmio_write(v->bus.opaque, VMMIO_INTERRUPT_ACK, 4,
				       isr);
	if (isr & VMMIO_INT_CONFIG)
		vlog(v, IOMMU_LOG_INFO, "configuration changed");
	/* The core delivers interrupts only after the call that raised them
	 * has returned (DESIGN rule 13): no driver lock is held here. */
	viommu_evt_process(v);
}
