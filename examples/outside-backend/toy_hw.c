// SPDX-License-Identifier: MIT
/*
 * toy_hw.c - the toy IOMMU's device model: the hardware of toy_regs.h.
 *
 * Registers behind mmio_read/mmio_write, the device-table lookup, the
 * IOTLB and the page walk behind translate, and the fault records.  It
 * reads the guest's (or the driver's) tables only through the host's
 * bounds-checked memory: the engine's model walker (pt_walk) for the page
 * table, ilib_mem_read_le64 for the device table.  The IOTLB is the
 * backend kit's set-associative cache (ilib_cache.h), which also makes
 * its fills trace events.  Nothing here knows the driver.
 *
 * Context: translate runs on many threads at once and concurrently with
 * register writes: the registers live under one mutex; the IOTLB locks
 * itself; the walk takes no lock (it reads memory, as hardware does).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "iommu/plugin.h"
#include "ilib.h"
#include "pt.h"
#include "toy.h"
#include "toy_regs.h"

struct toy_frec {
	uint64_t addr;
	uint64_t info;
};

struct toy_hw {
	struct iommu_host *host;
	struct ilib_cache iotlb; /* key: requester, frame; value: PA, perm */
	pthread_mutex_t lock;	 /* everything below */
	uint64_t ctrl;
	uint64_t devtab;
	unsigned int nr_frec;
	unsigned int fhead, ftail;
	struct toy_frec frec[TOY_NR_FREC_MAX];
};

static int toy_hw_create(struct iommu_host *host, const uint64_t *params,
			 void **out)
{
	struct toy_hw *hw;
	int ret;

	if (!ilib_model_host_ok(host) || !params || !out)
		return -EINVAL;
	hw = calloc(1, sizeof(*hw));
	if (!hw)
		return -ENOMEM;
	hw->host = host;
	hw->nr_frec = (unsigned int)params[TOY_P_FAULT_RECORDS];
	ret = ilib_cache_init(&hw->iotlb, params[TOY_P_IOTLB_ENTRIES], 4, 1, 1);
	if (ret) {
		free(hw);
		return ret;
	}
	ilib_cache_set_host(&hw->iotlb, host, "toy iotlb");
	pthread_mutex_init(&hw->lock, NULL);
	*out = hw;
	return 0;
}

static void toy_hw_destroy(void *p)
{
	struct toy_hw *hw = p;

	if (!hw)
		return;
	ilib_cache_fini(&hw->iotlb);
	pthread_mutex_destroy(&hw->lock);
	free(hw);
}

/* Aligned 8-byte accesses inside the register page only. */
static bool toy_hw_access_ok(uint64_t off, unsigned int size)
{
	return size == 8 && !(off & 7) && off < TOY_MMIO_SIZE;
}

static int toy_hw_mmio_read(void *p, uint64_t off, unsigned int size,
			    uint64_t *val)
{
	struct toy_hw *hw = p;

	if (!hw || !val || !toy_hw_access_ok(off, size))
		return -EINVAL;
	pthread_mutex_lock(&hw->lock);
	switch (off) {
	case TOY_REG_ID:
		*val = TOY_ID_VALUE | (uint64_t)hw->nr_frec << 32;
		break;
	case TOY_REG_CTRL:
		*val = hw->ctrl;
		break;
	case TOY_REG_DEVTAB:
		*val = hw->devtab;
		break;
	case TOY_REG_FHEAD:
		*val = hw->fhead;
		break;
	case TOY_REG_FTAIL:
		*val = hw->ftail;
		break;
	default:
		*val = 0; /* INVAL and holes read as zero */
		if (off >= TOY_REG_FREC &&
		    off < TOY_REG_FREC + 16 * hw->nr_frec) {
			const struct toy_frec *r =
			    &hw->frec[(off - TOY_REG_FREC) / 16];

			*val = off & 8 ? r->info : r->addr;
		}
	}
	pthread_mutex_unlock(&hw->lock);
	return 0;
}

static int toy_hw_mmio_write(void *p, uint64_t off, unsigned int size,
			     uint64_t val)
{
	struct toy_hw *hw = p;

	if (!hw || !toy_hw_access_ok(off, size))
		return -EINVAL;
	pthread_mutex_lock(&hw->lock);
	switch (off) {
	case TOY_REG_CTRL:
		hw->ctrl = val & (TOY_CTRL_EN | TOY_CTRL_FLOG);
		break;
	case TOY_REG_DEVTAB:
		hw->devtab = val & ~0xfffull;
		break;
	case TOY_REG_INVAL:
		/* Every walk in flight now inserts nothing (generation). */
		ilib_cache_flush(&hw->iotlb);
		ilib_stat(hw->host, IOMMU_STAT_INVAL_CMDS, 1);
		ilib_trace_raw(hw->host, IOMMU_TR_CMD_CONSUMED, "toy INVAL", 0,
			       0, &val, sizeof(val));
		break;
	case TOY_REG_FHEAD:
		/* The driver read the records up to here. */
		hw->fhead = (unsigned int)(val % hw->nr_frec);
		break;
	default:
		break; /* read-only or unused: ignored */
	}
	pthread_mutex_unlock(&hw->lock);
	return 0;
}

/*
 * toy_hw_fault() - record a fault of @req with @reason
 * A full ring (or FLOG off) drops it and counts it lost; a record raises
 * vector 0 (the core delivers it once the library call returns).
 * Return: -EFAULT, for "return toy_hw_fault(...)".
 */
static int toy_hw_fault(struct toy_hw *hw, const struct iommu_dma_req *req,
			enum toy_reason reason)
{
	const struct toy_frec r = {
	    .addr = req->iova,
	    .info = (req->dev_id & TOY_FREC_DEV_MASK) |
		    (req->access & IOMMU_ACCESS_WRITE ? TOY_FREC_WRITE : 0) |
		    (uint64_t)reason << TOY_FREC_REASON_SHIFT,
	};
	bool recorded = false;

	pthread_mutex_lock(&hw->lock);
	if ((hw->ctrl & TOY_CTRL_FLOG) &&
	    (hw->ftail + 1) % hw->nr_frec != hw->fhead) {
		hw->frec[hw->ftail] = r;
		hw->ftail = (hw->ftail + 1) % hw->nr_frec;
		recorded = true;
	}
	pthread_mutex_unlock(&hw->lock);
	if (recorded) {
		ilib_stat(hw->host, IOMMU_STAT_FAULTS, 1);
		ilib_trace_raw(hw->host, IOMMU_TR_FAULT_RECORD,
			       "toy fault record", req->dev_id, req->iova, &r,
			       sizeof(r));
		hw->host->ops->raise_irq(hw->host, 0);
	} else {
		ilib_stat(hw->host, IOMMU_STAT_FAULTS_LOST, 1);
	}
	return -EFAULT;
}

/* The walker's verdict as a toy reason. */
static enum toy_reason toy_hw_walk_reason(enum pt_walk_err err)
{
	switch (err) {
	case PT_WALK_NOT_PRESENT:
		return TOY_R_NOT_PRESENT;
	case PT_WALK_PERM:
		return TOY_R_PERMISSION;
	case PT_WALK_FETCH:
		return TOY_R_TABLE_FETCH;
	case PT_WALK_RANGE:
	case PT_WALK_ADDR_SIZE:
		return TOY_R_RANGE;
	default:
		return TOY_R_BAD_PTE;
	}
}

/* IOTLB key and value of a 4 KiB frame (toy_regs.h: INVAL). */
#define TOY_TLB_KEY(dev, iova) ((uint64_t)(dev) << 48 | (iova) >> 12)
#define TOY_TLB_PERM_R	       1ull
#define TOY_TLB_PERM_W	       2ull

/* The translation of @req from a frame's IOTLB value @val. */
static int toy_hw_from_tlb(const struct iommu_dma_req *req, uint64_t val,
			   struct iommu_translation *out)
{
	unsigned int perm = (val & TOY_TLB_PERM_R ? IOMMU_READ : 0) |
			    (val & TOY_TLB_PERM_W ? IOMMU_WRITE : 0);
	unsigned int need =
	    req->access & IOMMU_ACCESS_WRITE ? IOMMU_WRITE : IOMMU_READ;

	if (!(perm & need))
		return -EACCES;
	out->phys = (val & ~0xfffull) | (req->iova & 0xfff);
	out->len = ilib_clip(req->iova, req->len, req->iova | 0xfff);
	out->perm = perm;
	return IOMMU_HW_CACHED; /* kept until INVAL: the core may too */
}

/*
 * toy_hw_translate() - what the hardware does with one DMA request
 * CTRL.EN, the device-table entry of the requester, then (MODE_XLATE)
 * the IOTLB or the page walk, whose result fills the IOTLB.  The result
 * covers the request's prefix that lies in one 4 KiB frame; a fault is
 * recorded only when its first byte cannot be translated.
 */
static int toy_hw_translate(void *p, const struct iommu_dma_req *req,
			    struct iommu_translation *out)
{
	struct toy_hw *hw = p;
	struct pt_walk_desc d = {0};
	struct pt_walk_res r;
	uint64_t ctrl, devtab, dte, gen, key, hash, val;
	unsigned int mode;
	int ret;

	if (!hw || !req || !out || !req->len)
		return -EINVAL;
	if (req->pasid != IOMMU_NO_PASID ||
	    (req->attrs & IOMMU_ACCESS_TRANSLATED))
		return toy_hw_fault(hw, req, TOY_R_BAD_REQUEST);
	/* Before the device table: an INVAL from here on voids the walk. */
	gen = ilib_cache_gen(&hw->iotlb);
	pthread_mutex_lock(&hw->lock);
	ctrl = hw->ctrl;
	devtab = hw->devtab;
	pthread_mutex_unlock(&hw->lock);
	if (!(ctrl & TOY_CTRL_EN))
		return toy_hw_fault(hw, req, TOY_R_BLOCKED);
	if (req->dev_id >= TOY_DEVTAB_ENTRIES)
		return toy_hw_fault(hw, req, TOY_R_BAD_DEVICE);
	if (ilib_mem_read_le64(hw->host, devtab + 8ull * req->dev_id, &dte, 1))
		return toy_hw_fault(hw, req, TOY_R_TABLE_FETCH);
	if (!(dte & TOY_DTE_V))
		return toy_hw_fault(hw, req, TOY_R_BAD_DEVICE);
	mode = (unsigned int)((dte & TOY_DTE_MODE_MASK) >> TOY_DTE_MODE_SHIFT);
	if ((dte & TOY_DTE_RSVD_MASK) || mode > TOY_MODE_XLATE)
		return toy_hw_fault(hw, req, TOY_R_BAD_DTE);
	if (mode == TOY_MODE_BLOCK)
		return toy_hw_fault(hw, req, TOY_R_BLOCKED);
	if (mode == TOY_MODE_PASS) {
		out->phys = req->iova;
		out->len = ilib_clip(req->iova, req->len, UINT64_MAX);
		out->perm = IOMMU_READ | IOMMU_WRITE;
		return 0; /* not cached: read afresh every time */
	}
	/* MODE_XLATE: the IOTLB first (a frame's entry; beyond 48 bits
	 * there is none). */
	key = TOY_TLB_KEY(req->dev_id, req->iova);
	hash = ilib_hash64(key);
	if (!(req->iova >> TOY_PT_BITS) &&
	    ilib_cache_lookup(&hw->iotlb, hash, &key, &val)) {
		ilib_stat(hw->host, IOMMU_STAT_IOTLB_HITS, 1);
		ret = toy_hw_from_tlb(req, val, out);
		if (ret != -EACCES)
			return ret;
		return toy_hw_fault(hw, req, TOY_R_PERMISSION);
	}
	ilib_stat(hw->host, IOMMU_STAT_IOTLB_MISSES, 1);
	/* The engine walks the VT-d second-stage format. */
	d.fmt = PT_FMT_VTDSS;
	d.root = dte & TOY_DTE_ROOT_MASK;
	d.levels = TOY_PT_LEVELS;
	d.ia_bits = TOY_PT_BITS;
	d.oa_bits = TOY_PT_BITS;
	ilib_stat(hw->host, IOMMU_STAT_WALKS, 1);
	if (pt_walk(hw->host, &d, req->iova,
		    req->access & IOMMU_ACCESS_WRITE ? PT_ACC_W : PT_ACC_R, &r))
		return toy_hw_fault(hw, req, toy_hw_walk_reason(r.err));
	/* The frame's output address and the rights the walk found. */
	val = (r.oa & ~0xfffull) | (r.perm & PT_PERM_R ? TOY_TLB_PERM_R : 0) |
	      (r.perm & PT_PERM_W ? TOY_TLB_PERM_W : 0);
	ilib_cache_insert(&hw->iotlb, hash, &key, &val, gen);
	return toy_hw_from_tlb(req, val, out);
}

const struct iommu_hw_ops toy_hw_ops = {
    .size = IOMMU_TABLE_SIZE(iommu_hw_ops),
    .create = toy_hw_create,
    .destroy = toy_hw_destroy,
    .mmio_read = toy_hw_mmio_read,
    .mmio_write = toy_hw_mmio_write,
    .translate = toy_hw_translate,
};
