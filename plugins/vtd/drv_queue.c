// SPDX-License-Identifier: MIT
/*
 * drv_queue.c - the VT-d driver's invalidation: descriptor encoders
 * (vtd 6.3-6.9), the queue as an ilib_ring producer written through the
 * host's memory, submit-and-wait with IQE recovery, and the queue's setup
 * (vtd 6.1).  The choices it follows (one wait per batch, bounded polls,
 * IQE recovery) are in drv.h.
 */
#include <endian.h>
#include <errno.h>
#include <pthread.h>

#include "drv.h"

/* ---- invalidation descriptors (vtd 6) ------------------------------------ */

struct vtd_inv_desc vtd_desc_cc(unsigned int g, uint16_t did, uint16_t sid)
{
	struct vtd_inv_desc d = {{0}};

	d.qw[0] = VTD_INV_CC | vtd_field_prep(VTD_INV_CC_QW0_G, g) |
		  vtd_field_prep(VTD_INV_CC_QW0_DID, did) |
		  vtd_field_prep(VTD_INV_CC_QW0_SID, sid); /* 6.3, T13 */
	return d;
}

struct vtd_inv_desc vtd_desc_iotlb(struct vtd_drv *v, unsigned int g,
				   uint16_t did, uint64_t addr, unsigned int am,
				   bool ih)
{
	struct vtd_inv_desc d = {{0}};

	d.qw[0] = VTD_INV_IOTLB | vtd_field_prep(VTD_INV_IOTLB_QW0_G, g) |
		  vtd_field_prep(VTD_INV_IOTLB_QW0_DID, did); /* 6.4, T11 */
	if (v->cap & VTD_CAP_DWD)
		d.qw[0] |= VTD_INV_IOTLB_QW0_DW;
	if (v->cap & VTD_CAP_DRD)
		d.qw[0] |= VTD_INV_IOTLB_QW0_DR;
	if (g == VTD_IOTLB_PAGE)
		d.qw[1] = (addr & VTD_INV_IOTLB_QW1_ADDR) |
			  vtd_field_prep(VTD_INV_IOTLB_QW1_AM, am) |
			  (ih ? VTD_INV_IOTLB_QW1_IH : 0);
	return d;
}

struct vtd_inv_desc vtd_desc_piotlb(unsigned int g, uint16_t did,
				    uint32_t pasid, uint64_t addr,
				    unsigned int am, bool ih)
{
	struct vtd_inv_desc d = {{0}};

	d.qw[0] = VTD_INV_PIOTLB | vtd_field_prep(VTD_INV_PIOTLB_QW0_G, g) |
		  vtd_field_prep(VTD_INV_PIOTLB_QW0_DID, did) |
		  vtd_field_prep(VTD_INV_PIOTLB_QW0_PASID, pasid); /* 6.8 */
	if (g == VTD_PIOTLB_G_PAGE)
		d.qw[1] = (addr & VTD_INV_PIOTLB_QW1_ADDR) |
			  vtd_field_prep(VTD_INV_PIOTLB_QW1_AM, am) |
			  (ih ? VTD_INV_PIOTLB_QW1_IH : 0); /* T24 */
	return d;
}

struct vtd_inv_desc vtd_desc_pc(unsigned int g, uint16_t did, uint32_t pasid)
{
	struct vtd_inv_desc d = {{0}};

	d.qw[0] = VTD_INV_PC | vtd_field_prep(VTD_INV_PC_QW0_G, g) |
		  vtd_field_prep(VTD_INV_PC_QW0_DID, did) |
		  vtd_field_prep(VTD_INV_PC_QW0_PASID, pasid); /* 6.9, T25 */
	return d;
}

static struct vtd_inv_desc desc_wait(uint32_t data, uint64_t addr)
{
	struct vtd_inv_desc d = {{0}};

	d.qw[0] = VTD_INV_WAIT | VTD_INV_WAIT_QW0_SW | VTD_INV_WAIT_QW0_FN |
		  vtd_field_prep(VTD_INV_WAIT_QW0_SDATA, data); /* 6.7, T14 */
	d.qw[1] = addr & VTD_INV_WAIT_QW1_SADDR;
	return d;
}

/* ---- invalidation queue -------------------------------------------------- */

/*
 * Write @d at the tail and advance it.  The queue is never full: a batch
 * is at most VTD_MAX_BATCH + 1 descriptors, each batch is waited for
 * before the next, and the smallest queue holds 128.  The queue is table
 * memory, bound at setup: the descriptor's qwords are stored in place,
 * the upper two only in a 256-bit (scalable-mode) queue.  Context: q_lock.
 */
static inline __attribute__((always_inline)) int
iq_put(struct vtd_drv *v, const struct vtd_inv_desc *d)
{
	const struct ilib_ring *r = &v->iq;

	if (__builtin_expect(r->hp != NULL, 1)) {
		uint64_t *p = ilib_ring_entry_hp(r, v->tail);

		__atomic_store_n(&p[0], htole64(d->qw[0]), __ATOMIC_RELEASE);
		__atomic_store_n(&p[1], htole64(d->qw[1]), __ATOMIC_RELEASE);
		if (v->scalable) {
			__atomic_store_n(&p[2], htole64(d->qw[2]),
					 __ATOMIC_RELEASE);
			__atomic_store_n(&p[3], htole64(d->qw[3]),
					 __ATOMIC_RELEASE);
		}
	} else {
		int ret = ilib_ring_write_le64(r, v->host, v->tail, d->qw);

		if (ret)
			return ret;
	}
	ilib_trace_raw(v->host, IOMMU_TR_CMD_ISSUED, "vtd inv_desc", 0, 0,
		       d->qw, v->scalable ? 32 : 16);
	v->tail = ilib_ring_next(r, v->tail);
	return 0;
}

/* IQT / IQH hold byte offsets: index << 4 or << 5 (T35). */
static uint64_t iq_tail_reg(struct vtd_drv *v)
{
	return ilib_ring_offset(&v->iq, v->tail);
}

/*
 * Recover from FSTS.IQE: replace the descriptor at IQH with a harmless
 * wait (status write to the scratch dword), clear IQE, restart the queue.
 * Context: q_lock.
 */
static void iq_recover(struct vtd_drv *v)
{
	uint64_t iqh = 0, ercd = 0, bad[4] = {0};
	struct vtd_inv_desc nop;
	uint32_t idx;

	ilib_mmio_read64(&v->bus, VTD_IQH_REG, &iqh);
	ilib_mmio_read64(&v->bus, VTD_IQERCD_REG, &ercd);
	idx = ilib_ring_index(&v->iq, (uint32_t)((iqh & VTD_IQH_QH) /
						 ilib_ring_entry_size(&v->iq)));
	ilib_ring_read_le64(&v->iq, v->host, idx, bad);
	vlog(v, IOMMU_LOG_ERR,
	     "invalidation queue error at descriptor %u (qw0 0x%llx, IQEI %u)",
	     idx, (unsigned long long)bad[0],
	     (unsigned int)vtd_field_get(VTD_IQERCD_IQEI, ercd));
	nop = desc_wait(0, v->status_pa + 4);
	if (ilib_ring_write_le64(&v->iq, v->host, idx, nop.qw))
		vlog(v, IOMMU_LOG_ERR, "cannot rewrite descriptor %u", idx);
	ilib_mmio_write32(&v->bus, VTD_FSTS_REG, (uint32_t)VTD_FSTS_IQE);
	ilib_mmio_write64(&v->bus, VTD_IQT_REG, iq_tail_reg(v));
}

/**
 * vtd_submit() - run descriptors through the queue and wait for them
 * @v: instance
 * @d: descriptors (128-bit types have qw[2] = qw[3] = 0)
 * @n: how many
 *
 * Context: takes q_lock; may block (polls).
 * Return: 0; -EIO the unit refused a descriptor (IQE) or MMIO failed;
 * -ETIMEDOUT the wait's status never arrived.
 */
int vtd_submit(struct vtd_drv *v, const struct vtd_inv_desc *d, size_t n)
{
	int ret = 0;

	vtd_q_lock(v);
	do {
		size_t chunk = n < VTD_MAX_BATCH ? n : VTD_MAX_BATCH;
		uint32_t seq = ++v->seq;
		struct vtd_inv_desc w = desc_wait(seq, v->status_pa);
		uint32_t fsts = 0;
		bool done = false;

		/* An IQE left from an earlier batch that did not finish
		 * cleanly; after a clean one the wait loop below has seen
		 * every error the queue raised, so no register read. */
		if (v->iq_suspect &&
		    !ilib_mmio_read32(&v->bus, VTD_FSTS_REG, &fsts) &&
		    (fsts & VTD_FSTS_IQE))
			iq_recover(v);
		v->iq_suspect = true;
		for (size_t i = 0; i < chunk && !ret; i++)
			ret = iq_put(v, &d[i]);
		if (!ret)
			ret = iq_put(v, &w);
		if (ret ||
		    ilib_mmio_write64(&v->bus, VTD_IQT_REG, iq_tail_reg(v))) {
			ret = -EIO;
			break;
		}
		for (uint64_t i = 0; i < v->timeout_polls; i++) {
			if (__atomic_load_n(v->status, __ATOMIC_ACQUIRE) ==
			    htole32(seq)) {
				done = true;
				break;
			}
			if (!ilib_mmio_read32(&v->bus, VTD_FSTS_REG, &fsts) &&
			    (fsts & VTD_FSTS_IQE)) {
				iq_recover(v);
				ret = -EIO;
				continue;
			}
			ilib_poll_pause(i);
		}
		if (!done) {
			vlog(v, IOMMU_LOG_ERR,
			     "invalidation wait %u timed out after %llu polls",
			     seq, (unsigned long long)v->timeout_polls);
			ret = -ETIMEDOUT;
			break;
		}
		v->iq_suspect = ret != 0;
		d += chunk;
		n -= chunk;
	} while (n && !ret);
	vtd_q_unlock(v);
	return ret;
}

/*
 * Invalidate what the device's old entry may have left cached (vtd 9.6):
 * context cache device-selective, PASID cache, IOTLB of the old DID.
 */
int vtd_flush_dev(struct vtd_drv *v, uint16_t sid, uint16_t old_did,
		  uint16_t new_did, bool was_present)
{
	struct vtd_inv_desc d[5];
	size_t n = 0;

	d[n++] = vtd_desc_cc(VTD_CC_DEVICE, was_present ? old_did : 0, sid);
	if (v->scalable)
		d[n++] =
		    vtd_desc_pc(VTD_PC_G_PASID, was_present ? old_did : 0, 0);
	if (was_present)
		d[n++] =
		    vtd_desc_iotlb(v, VTD_IOTLB_DOMAIN, old_did, 0, 0, false);
	if (v->scalable && new_did && new_did != old_did)
		d[n++] = vtd_desc_pc(VTD_PC_G_PASID, new_did, 0);
	if (v->cm && new_did && new_did != old_did)
		d[n++] =
		    vtd_desc_iotlb(v, VTD_IOTLB_DOMAIN, new_did, 0, 0, false);
	return vtd_submit(v, d, n);
}

/**
 * vtd_setup_queue() - the invalidation queue and its status page (vtd 6.1)
 * @v: instance, QIE off
 * @qs: IQA.QS: the queue is 2^@qs 4 KiB pages
 *
 * 256-bit descriptors in scalable mode, 128-bit in legacy mode; IQT = 0,
 * IQA, then QIE.
 * Context: probe.  Return: 0; -ENOMEM, -EFAULT table memory; -EIO MMIO;
 * -ETIMEDOUT QIES never came.
 */
int vtd_setup_queue(struct vtd_drv *v, unsigned int qs)
{
	bool dw = v->scalable;
	void *va;
	int err;

	if (qs > 7)
		return -EINVAL;
	v->iq_size = 4096ull << qs;
	err = ilib_table_alloc(v->host, "vtd", v->iq_size, &v->iq_pa, &va);
	if (err) {
		v->iq_size = 0;
		return err;
	}
	err = ilib_ring_init(&v->iq, v->iq_pa,
			     dw ? VTD_INV_DESC_SIZE_256 : VTD_INV_DESC_SIZE_128,
			     vtd_iq_entries(qs, dw), 0);
	if (err)
		return err;
	ilib_ring_bind(&v->iq, v->host); /* table memory: always RAM */
	v->iq_suspect = true; /* the first batch looks at FSTS */
	err = ilib_table_alloc(v->host, "vtd", 4096, &v->status_pa, &va);
	if (err)
		return err;
	v->status = va;
	v->tail = 0;
	if (ilib_mmio_write64(&v->bus, VTD_IQT_REG, 0) ||
	    ilib_mmio_write64(&v->bus, VTD_IQA_REG,
			      v->iq_pa | (dw ? VTD_IQA_DW : 0) |
				  vtd_field_prep(VTD_IQA_QS, qs)))
		return -EIO;
	err = vtd_gcmd(v, VTD_GCMD_QIE, VTD_GSTS_QIES, true);
	if (err)
		return err;
	v->gcmd |= VTD_GCMD_QIE;
	return 0;
}
