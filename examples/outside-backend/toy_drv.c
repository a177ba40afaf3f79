// SPDX-License-Identifier: MIT
/*
 * toy_drv.c - the toy IOMMU's driver: what a kernel driver for the
 * hardware of toy_regs.h does.
 *
 * It finds the unit through its registers, allocates the device table
 * from the host's table range, writes one entry per device (the whole
 * translation of a device in one 64-bit store, so an attach has no window
 * on neither domain), keeps each paging domain's page table with the
 * engine (core/pt, VT-d second-stage format) through the backend kit's
 * helpers (ilib_pt.h: map and unmap with the gather's bookkeeping;
 * ilib_pt_walk.h: the walk op behind iommu_dump_domain), writes INVAL
 * wherever the IOTLB may hold what changed, and turns the fault records
 * into normalized faults in its irq op.
 *
 * Context: the core serializes attach per group and never runs irq
 * concurrently with itself; map and unmap of disjoint ranges run in
 * parallel (core/pt allows it).  No lock of its own is needed.
 */
#include <errno.h>
#include <stdlib.h>

#include "iommu/plugin.h"
#include "ilib.h"
#include "ilib_pt.h"
#include "ilib_pt_walk.h"
#include "pt.h"
#include "toy.h"
#include "toy_regs.h"

#define TOY_MSI_START 0xfee00000ull /* a software-managed MSI window */
#define TOY_MSI_LAST  0xfeefffffull

struct toy_drv {
	struct iommu_host *host;
	struct iommu_bus bus;
	uint64_t devtab_pa;
	uint64_t *devtab; /* TOY_DEVTAB_ENTRIES little-endian qwords */
	unsigned int nr_frec;
};

/* A paging domain: its page table. */
struct toy_domain {
	struct toy_drv *t;
	struct pt pt;
};

static const struct iommu_domain_ops toy_paging_ops;

static int toy_rd(struct toy_drv *t, uint64_t off, uint64_t *val)
{
	return ilib_mmio_read64(&t->bus, off, val);
}

static int toy_wr(struct toy_drv *t, uint64_t off, uint64_t val)
{
	return ilib_mmio_write64(&t->bus, off, val);
}

/* Invalidate the IOTLB: after a device's entry changed, after leaves
 * were removed, before table pages go back. */
static int toy_inval(struct toy_drv *t)
{
	const uint64_t cmd = 1;

	ilib_trace_raw(t->host, IOMMU_TR_CMD_ISSUED, "toy INVAL", 0, 0, &cmd,
		       sizeof(cmd));
	return toy_wr(t, TOY_REG_INVAL, cmd);
}

/* ---- probe and release ------------------------------------------------ */

static int toy_probe(struct iommu_host *host, const struct iommu_bus *bus,
		     const uint64_t *params, const struct iommu_core_cfg *cfg,
		     void **inst)
{
	struct toy_drv *t;
	uint64_t id, tail;
	void *va;
	int ret;

	(void)params; /* the driver has no keys; the model has one */
	(void)cfg;    /* strict or deferred: the core calls sync or flush */
	if (!ilib_driver_host_ok(host, bus) || !inst)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->host = host;
	t->bus = *bus;
	ret = toy_rd(t, TOY_REG_ID, &id);
	if (ret)
		goto err_free;
	t->nr_frec = (unsigned int)(id >> 32 & 0xff);
	if ((uint32_t)id != TOY_ID_VALUE || t->nr_frec < 2 ||
	    t->nr_frec > TOY_NR_FREC_MAX) {
		host->ops->log(host, IOMMU_LOG_ERR,
			       "toy: no toy IOMMU here (ID 0x%llx)",
			       (unsigned long long)id);
		ret = -ENODEV;
		goto err_free;
	}
	/* Off while setting up; every entry starts invalid (blocked). */
	ret = toy_wr(t, TOY_REG_CTRL, 0);
	if (ret)
		goto err_free;
	ret = ilib_table_alloc(host, "toy", 4096, &t->devtab_pa, &va);
	if (ret)
		goto err_free;
	t->devtab = va;
	/* Skip stale records, then translate and record faults. */
	ret = toy_wr(t, TOY_REG_DEVTAB, t->devtab_pa);
	if (!ret)
		ret = toy_rd(t, TOY_REG_FTAIL, &tail);
	if (!ret)
		ret = toy_wr(t, TOY_REG_FHEAD, tail);
	if (!ret)
		ret = toy_wr(t, TOY_REG_CTRL, TOY_CTRL_EN | TOY_CTRL_FLOG);
	if (ret)
		goto err_table;
	*inst = t;
	return 0;

err_table:
	ilib_table_free(host, t->devtab_pa, 4096);
err_free:
	free(t);
	return ret;
}

static void toy_release(void *inst)
{
	struct toy_drv *t = inst;

	if (!t)
		return;
	toy_wr(t, TOY_REG_CTRL, 0);
	toy_inval(t);
	ilib_table_free(t->host, t->devtab_pa, 4096);
	free(t);
}

/* ---- devices ---------------------------------------------------------- */

/*
 * toy_set_dte() - make @dte the device table entry of @dev, then
 * invalidate.  One 64-bit store: the unit sees the old or the new entry.
 * On failure the old entry is put back.
 */
static int toy_set_dte(struct toy_drv *t, uint32_t dev, uint64_t dte)
{
	uint64_t old = ilib_le64_load(&t->devtab[dev]);
	int ret;

	ilib_le64_store(&t->devtab[dev], dte);
	ret = toy_inval(t);
	if (ret)
		ilib_le64_store(&t->devtab[dev], old);
	return ret;
}

static uint64_t toy_dte(unsigned int mode, uint64_t root)
{
	return TOY_DTE_V | (uint64_t)mode << TOY_DTE_MODE_SHIFT |
	       (root & TOY_DTE_ROOT_MASK);
}

static int toy_probe_device(void *inst, struct iommu_dev_info *dev)
{
	struct toy_drv *t = inst;

	if (!t || !dev || dev->id >= TOY_DEVTAB_ENTRIES)
		return -EINVAL;
	/* The core attaches the group's domain next. */
	return toy_set_dte(t, dev->id, toy_dte(TOY_MODE_BLOCK, 0));
}

static void toy_release_device(void *inst, struct iommu_dev_info *dev)
{
	struct toy_drv *t = inst;

	if (t && dev && dev->id < TOY_DEVTAB_ENTRIES)
		toy_set_dte(t, dev->id, 0);
}

/* One reserved region: an MSI window the VMM maps itself (like Arm's). */
static int toy_get_resv_regions(void *inst, struct iommu_dev_info *dev,
				struct iommu_resv_region *out, size_t max,
				size_t *count)
{
	if (!inst || !dev || !count)
		return -EINVAL;
	*count = 1;
	if (max >= 1 && out)
		out[0] = (struct iommu_resv_region){
		    .start = TOY_MSI_START,
		    .last = TOY_MSI_LAST,
		    .type = IOMMU_RESV_SW_MSI,
		    .prot = IOMMU_READ | IOMMU_WRITE | IOMMU_MMIO,
		};
	return 0;
}

/* ---- faults ----------------------------------------------------------- */

static enum iommu_fault_reason toy_fault_reason(unsigned int r)
{
	switch (r) {
	case TOY_R_BLOCKED:
		return IOMMU_FAULT_NO_DOMAIN;
	case TOY_R_BAD_DEVICE:
		return IOMMU_FAULT_BAD_DEVICE;
	case TOY_R_BAD_DTE:
	case TOY_R_BAD_PTE:
		return IOMMU_FAULT_BAD_ENTRY;
	case TOY_R_NOT_PRESENT:
		return IOMMU_FAULT_NOT_MAPPED;
	case TOY_R_PERMISSION:
		return IOMMU_FAULT_PERMISSION;
	case TOY_R_TABLE_FETCH:
		return IOMMU_FAULT_TABLE_FETCH;
	case TOY_R_RANGE:
		return IOMMU_FAULT_ADDR_SIZE;
	default: /* TOY_R_BAD_REQUEST: no normalized reason says "ATS" */
		return IOMMU_FAULT_UNKNOWN;
	}
}

/* Vector 0: read the records from FHEAD to FTAIL, report, acknowledge. */
static void toy_irq(void *inst, unsigned int vector)
{
	struct toy_drv *t = inst;
	uint64_t head, tail, addr, info;

	if (!t || vector != 0)
		return;
	if (toy_rd(t, TOY_REG_FHEAD, &head) || toy_rd(t, TOY_REG_FTAIL, &tail))
		return;
	while (head % t->nr_frec != tail % t->nr_frec) {
		uint64_t rec = TOY_REG_FREC + 16 * (head % t->nr_frec);
		struct iommu_fault f = {0};
		unsigned int reason;

		if (toy_rd(t, rec, &addr) || toy_rd(t, rec + 8, &info))
			break;
		reason = (unsigned int)((info & TOY_FREC_REASON_MASK) >>
					TOY_FREC_REASON_SHIFT);
		f.dev_id = (uint32_t)(info & TOY_FREC_DEV_MASK);
		f.pasid = IOMMU_NO_PASID;
		f.addr = addr;
		f.access = info & TOY_FREC_WRITE ? IOMMU_ACCESS_WRITE
						 : IOMMU_ACCESS_READ;
		f.reason = toy_fault_reason(reason);
		f.vendor_code = reason;
		f.flags = IOMMU_FAULT_F_ADDR_VALID;
		t->host->ops->report_fault(t->host, &f);
		head++;
	}
	toy_wr(t, TOY_REG_FHEAD, head % t->nr_frec);
}

/* ---- paging domains --------------------------------------------------- */

static int toy_map_flush(void *d, uint64_t first, uint64_t last)
{
	struct toy_domain *dom = d;

	(void)first;
	(void)last;
	return toy_inval(dom->t);
}

static int toy_map_pages(void *d, uint64_t iova, uint64_t paddr,
			 uint64_t pgsize, uint64_t pgcount, unsigned int prot,
			 uint64_t *mapped)
{
	struct toy_domain *dom = d;

	if (!dom)
		return -EINVAL;
	return ilib_pt_map_pages(&dom->pt, dom->t->host, iova, paddr, pgsize,
				 pgcount, prot, mapped, toy_map_flush, dom);
}

static uint64_t toy_unmap_pages(void *d, uint64_t iova, uint64_t pgsize,
				uint64_t pgcount, struct iommu_iotlb_gather *g)
{
	struct toy_domain *dom = d;

	if (!dom)
		return 0;
	return ilib_pt_unmap_pages(&dom->pt, dom->t->host, iova, pgsize,
				   pgcount, g);
}

/* The gathered range's invalidation; the core then frees the table pages
 * the unmap unlinked. */
static int toy_iotlb_sync(void *d, struct iommu_iotlb_gather *g)
{
	struct toy_domain *dom = d;

	if (!dom || !g)
		return -EINVAL;
	return g->pending ? toy_inval(dom->t) : 0;
}

static int toy_flush_iotlb_all(void *d)
{
	struct toy_domain *dom = d;

	return dom ? toy_inval(dom->t) : -EINVAL;
}

static int toy_iova_to_phys(void *d, uint64_t iova, uint64_t *phys)
{
	struct toy_domain *dom = d;
	int ret;

	if (!dom || !phys)
		return -EINVAL;
	ret = pt_iova_to_phys(&dom->pt, iova, phys);
	return ret == -ERANGE ? -ENOENT : ret;
}

static int toy_attach_paging(void *d, struct iommu_dev_info *dev)
{
	struct toy_domain *dom = d;

	if (!dom || !dev)
		return -EINVAL;
	return toy_set_dte(dom->t, dev->id,
			   toy_dte(TOY_MODE_XLATE, dom->pt.root_pa));
}

static void toy_domain_free(void *d)
{
	struct toy_domain *dom = d;

	if (!dom)
		return;
	pt_destroy(&dom->pt); /* no device uses it: the core detached them */
	free(dom);
}

/* A 4-level table, 48-bit IOVAs, 4K/2M/1G pages; no allocation flags. */
static int toy_domain_alloc_paging(void *inst, struct iommu_dev_info *dev,
				   unsigned int flags,
				   struct iommu_domain_info *info, void **out)
{
	const struct pt_cfg cfg = {
	    .fmt = PT_FMT_VTDSS,
	    .levels = TOY_PT_LEVELS,
	    .ia_bits = TOY_PT_BITS,
	    .oa_bits = TOY_PT_BITS,
	};
	struct toy_drv *t = inst;
	struct toy_domain *dom;
	int ret;

	(void)dev;
	if (!t || !info || !out)
		return -EINVAL;
	if (flags)
		return -EOPNOTSUPP; /* no nesting, dirty tracking or PASIDs */
	dom = calloc(1, sizeof(*dom));
	if (!dom)
		return -ENOMEM;
	dom->t = t;
	ret = pt_init(&dom->pt, t->host, &cfg);
	if (ret) {
		free(dom);
		return ret;
	}
	*info = (struct iommu_domain_info){
	    .ops = &toy_paging_ops,
	    .pgsize_bitmap = dom->pt.pgsizes,
	    .aperture_start = 0,
	    .aperture_last = (1ull << TOY_PT_BITS) - 1,
	};
	*out = dom;
	return 0;
}

ILIB_PT_WALK_OP(toy_walk, struct toy_domain, pt)

static const struct iommu_domain_ops toy_paging_ops = {
    .size = IOMMU_TABLE_SIZE(iommu_domain_ops),
    .attach_dev = toy_attach_paging,
    .map_pages = toy_map_pages,
    .unmap_pages = toy_unmap_pages,
    .iotlb_sync = toy_iotlb_sync,
    .flush_iotlb_all = toy_flush_iotlb_all,
    .iova_to_phys = toy_iova_to_phys,
    .free = toy_domain_free,
    .walk = toy_walk,
};

/* ---- static domains: their ops get the instance ------------------------ */

static int toy_attach_blocked(void *inst, struct iommu_dev_info *dev)
{
	if (!inst || !dev)
		return -EINVAL;
	return toy_set_dte(inst, dev->id, toy_dte(TOY_MODE_BLOCK, 0));
}

static int toy_attach_identity(void *inst, struct iommu_dev_info *dev)
{
	if (!inst || !dev)
		return -EINVAL;
	return toy_set_dte(inst, dev->id, toy_dte(TOY_MODE_PASS, 0));
}

static const struct iommu_domain_ops toy_blocked_ops = {
    .size = IOMMU_TABLE_SIZE(iommu_domain_ops),
    .attach_dev = toy_attach_blocked,
};

static const struct iommu_domain_ops toy_identity_ops = {
    .size = IOMMU_TABLE_SIZE(iommu_domain_ops),
    .attach_dev = toy_attach_identity,
};

const struct iommu_ops toy_drv_ops = {
    .size = IOMMU_TABLE_SIZE(iommu_ops),
    .probe = toy_probe,
    .release = toy_release,
    .probe_device = toy_probe_device,
    .release_device = toy_release_device,
    .domain_alloc_paging = toy_domain_alloc_paging,
    .get_resv_regions = toy_get_resv_regions,
    .irq = toy_irq,
    .blocked_domain = &toy_blocked_ops,
    .identity_domain = &toy_identity_ops,
};
