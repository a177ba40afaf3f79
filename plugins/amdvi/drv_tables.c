// SPDX-License-Identifier: MIT
/*
 * drv_tables.c - the AMD-Vi driver's device table (amdvi 2): its setup,
 * DTE encoding for the three kinds of domain (amdvi 2.4, 2.5), the store
 * order that keeps a live entry valid, and the invalidation after a DTE
 * change.  The choices it follows are in drv.h.
 */
#include <errno.h>

#include "drv.h"

#define AMDVI_DEVTAB_BYTES ((uint64_t)AMDVI_NR_DEVID * AMDVI_DTE_SIZE)

/**
 * amdvi_dte_encode() - qwords 0 and 1 of the DTE that puts @dev on @dom
 * (amdvi 2.5)
 * @dev: NULL for a device the core never probed (blocked)
 *
 * Without a GCR3 table in use: blocked is V, TV, Mode 0, IR = IW = 0,
 * DomainID 0; identity V, TV, Mode 0, IR, IW, DomainID 1; a v1 paging
 * domain V, TV, Mode, root, IR, IW and its DomainID.
 *
 * A device in v2 mode whose primary domain is a v2 domain, or which has
 * PASIDs, uses its GCR3 table (drv.h): V, TV, GV, GLX, the table's root,
 * Mode 0 and the device's own DomainID, plus GIoV, IR and IW for a v2
 * primary domain (requests without PASID go through PASID 0's entry),
 * IR and IW for identity (they pass by Mode 0), nothing more for blocked
 * (they fault).  HAD, PPR, I, SA stay 0.
 */
void amdvi_dte_encode(const struct amdvi_drv *a, const struct amdvi_dev *dev,
		      const struct amdvi_domain *dom, uint64_t q[2])
{
	const bool gv =
	    dev && dev->gcr3_pa &&
	    ((dom->kind == AMDVI_DOM_PAGING && dom->v2) || dev->nr_pasid);

	q[0] = AMDVI_DTE0_V | AMDVI_DTE0_TV;
	q[1] = 0;
	if (gv) {
		const uint64_t g = dev->gcr3_pa;

		q[0] |= AMDVI_DTE0_GV |
			amdvi_field_prep(AMDVI_DTE0_GLX, a->glx) |
			amdvi_field_prep(AMDVI_DTE0_GCR3_LO, g >> 12);
		q[1] = amdvi_field_prep(AMDVI_DTE1_DOMID, dev->gdomid) |
		       amdvi_field_prep(AMDVI_DTE1_GCR3_MID, g >> 15) |
		       amdvi_field_prep(AMDVI_DTE1_GCR3_HI, g >> 31);
		if (dom->kind == AMDVI_DOM_PAGING)
			q[0] |= AMDVI_DTE0_GIOV | AMDVI_DTE0_IR | AMDVI_DTE0_IW;
		else if (dom->kind == AMDVI_DOM_IDENTITY)
			q[0] |= AMDVI_DTE0_IR | AMDVI_DTE0_IW;
		return;
	}
	switch (dom->kind) {
	case AMDVI_DOM_BLOCKED:
		break;
	case AMDVI_DOM_IDENTITY:
		q[0] |= AMDVI_DTE0_IR | AMDVI_DTE0_IW;
		q[1] = amdvi_field_prep(AMDVI_DTE1_DOMID, dom->domid);
		break;
	case AMDVI_DOM_PAGING:
		q[0] |= AMDVI_DTE0_IR | AMDVI_DTE0_IW |
			amdvi_field_prep(AMDVI_DTE0_MODE, dom->mode) |
			(pt_root(&dom->pt, NULL) & AMDVI_DTE0_ROOT);
		q[1] = amdvi_field_prep(AMDVI_DTE1_DOMID, dom->domid);
		break;
	}
}

void amdvi_dte_read(struct amdvi_drv *a, uint16_t devid, uint64_t q[2])
{
	uint64_t *e = a->devtab + (size_t)devid * 4;

	q[0] = ilib_le64_load(&e[0]);
	q[1] = ilib_le64_load(&e[1]);
}

/* Store qwords 0 and 1 of @devid's DTE, in that order (set-up). */
void amdvi_dte_write(struct amdvi_drv *a, uint16_t devid, const uint64_t q[2])
{
	uint64_t *e = a->devtab + (size_t)devid * 4;

	ilib_le64_store(&e[0], q[0]);
	ilib_le64_store(&e[1], q[1]);
}

/**
 * amdvi_dte_update() - make a live DTE say @q with no invalid state
 * Each 64-bit store is single-copy atomic and the unit may read the entry
 * at any time, so the order keeps every mixed state a valid entry (drv.h):
 * qword 0 first (the whole translation: V, TV, Mode, root, GV, GLX,
 * GCR3[14:12], IR, IW), then qword 1 (DomainID, GCR3[51:15]), except
 * when GV goes from 0 to 1: then qword 1 first, whose GCR3 bits the unit
 * ignores while GV is 0, so GV never comes with half a root.  The mixed
 * state, one domain's translation under the other's DomainID, is what
 * amdvi_flush_dte() removes.  Qwords 2 and 3 are left as they are.
 * Context: dev_lock (one writer per entry).
 */
void amdvi_dte_update(struct amdvi_drv *a, uint16_t devid, const uint64_t q[2])
{
	uint64_t *e = a->devtab + (size_t)devid * 4;
	const uint64_t q0 = ilib_le64_load(&e[0]);

	if (!(q0 & AMDVI_DTE0_GV) && (q[0] & AMDVI_DTE0_GV)) {
		ilib_le64_store(&e[1], q[1]);
		ilib_le64_store(&e[0], q[0]);
		return;
	}
	ilib_le64_store(&e[0], q[0]);
	ilib_le64_store(&e[1], q[1]);
}

/**
 * amdvi_flush_dte() - after a DTE change: INVALIDATE_DEVTAB_ENTRY, the
 * whole space of @old_domid (PDE = 1), one COMPLETION_WAIT (amdvi 2.5)
 * Return: 0 or amdvi_submit()'s error.
 */
int amdvi_flush_dte(struct amdvi_drv *a, uint16_t devid, uint16_t old_domid)
{
	struct amdvi_cmd c[2];

	c[0] = amdvi_cmd_inv_dte(devid);
	c[1] = amdvi_cmd_inv_pages(old_domid, 0, UINT64_MAX, true);
	return amdvi_submit(a, c, 2);
}

/**
 * amdvi_setup_devtab() - the device table: 65536 blocking DTEs, and its
 * base register with Size 0x1FF (amdvi 1.2, 2.1)
 * Context: probe, IOMMU off (nothing is cached yet).
 * Return: 0; -ENOMEM, -EFAULT table memory; -EIO MMIO.
 */
int amdvi_setup_devtab(struct amdvi_drv *a)
{
	uint64_t q[2];
	void *va;
	int err;

	err = ilib_table_alloc(a->host, "amdvi", AMDVI_DEVTAB_BYTES,
			       &a->devtab_pa, &va);
	if (err)
		return err;
	a->devtab = va;
	amdvi_dte_encode(a, NULL, &a->blocked, q);
	for (uint32_t id = 0; id < AMDVI_NR_DEVID; id++)
		amdvi_dte_write(a, (uint16_t)id, q);
	if (ilib_mmio_write64(
		&a->bus, AMDVI_MMIO_DEVTAB_BASE,
		a->devtab_pa |
		    amdvi_field_prep(AMDVI_DEVTAB_SIZE,
				     AMDVI_NR_DEVID / AMDVI_DTE_PER_4K - 1)))
		return -EIO;
	return 0;
}

/* Give back every table probe allocated (what was allocated). */
void amdvi_free_tables(struct amdvi_drv *a)
{
	const size_t ring = (size_t)AMDVI_ENTRY_SIZE << AMDVI_DRV_RING_LEN;

	if (a->devtab)
		ilib_table_free(a->host, a->devtab_pa, AMDVI_DEVTAB_BYTES);
	if (a->cmd_pa)
		ilib_table_free(a->host, a->cmd_pa, ring);
	if (a->evt_pa)
		ilib_table_free(a->host, a->evt_pa, ring);
	if (a->sem)
		ilib_table_free(a->host, a->sem_pa, 4096);
	a->devtab = NULL;
	a->sem = NULL;
	a->cmd_pa = a->evt_pa = 0;
}

/* ---- GCR3 tables (amdvi 4.2) --------------------------------------------- */

/**
 * amdvi_gcr3_setup() - give @dev its GCR3 table (the top of GLX + 1
 * levels, empty) and the DomainID of its guest translations
 * Context: dev_lock.
 * Return: 0; -ENOSPC no DomainID; -ENOMEM, -EFAULT table memory.
 */
int amdvi_gcr3_setup(struct amdvi_drv *a, struct amdvi_dev *dev)
{
	uint32_t id;
	void *va;
	int err;

	if (dev->gcr3_pa)
		return 0;
	err = ilib_ids_alloc(&a->domids, AMDVI_DOMID_FIRST, AMDVI_DOMID_LAST,
			     &id);
	if (err)
		return err;
	err = ilib_table_alloc(a->host, "amdvi", 4096, &dev->gcr3_pa, &va);
	if (err) {
		dev->gcr3_pa = 0;
		ilib_ids_free(&a->domids, id);
		return err;
	}
	dev->gdomid = (uint16_t)id;
	return 0;
}

/**
 * amdvi_gcr3_set() - point @pasid's GCR3 entry of @dev at the guest table
 * @root_pa (0: clear it)
 * Lower GCR3 levels are made as needed (GCR3 entry: valid, bits 51:12).
 * The last-level entry changes in one store, so the unit sees the old or
 * the new table; the caller invalidates (DomainID, PASID) after.
 * Context: dev_lock.
 * Return: 0; -ENOMEM, -EFAULT table memory.
 */
int amdvi_gcr3_set(struct amdvi_drv *a, struct amdvi_dev *dev, uint32_t pasid,
		   uint64_t root_pa)
{
	uint64_t table = dev->gcr3_pa;

	for (int l = (int)a->glx;; l--) {
		uint64_t *t = a->host->ops->mem_ptr(a->host, table, 4096);
		const unsigned int idx =
		    (pasid >> (AMDVI_GCR3_IDX_BITS * (unsigned int)l)) & 0x1ff;
		uint64_t e;

		if (!t)
			return -EFAULT;
		if (!l) {
			ilib_le64_store(&t[idx],
					root_pa ? (root_pa & AMDVI_GCR3_ADDR) |
						      AMDVI_GCR3_VALID
						: 0);
			return 0;
		}
		e = ilib_le64_load(&t[idx]);
		if (!(e & AMDVI_GCR3_VALID)) {
			uint64_t npa;
			void *nva;
			int err;

			if (!root_pa)
				return 0; /* nothing below to clear */
			err = ilib_table_alloc(a->host, "amdvi", 4096, &npa,
					       &nva);
			if (err)
				return err;
			e = npa | AMDVI_GCR3_VALID;
			ilib_le64_store(&t[idx], e);
		}
		table = e & AMDVI_GCR3_ADDR;
	}
}

static void amdvi_gcr3_free_level(struct amdvi_drv *a, uint64_t pa,
				  unsigned int l)
{
	const uint64_t *t = a->host->ops->mem_ptr(a->host, pa, 4096);

	for (unsigned int i = 0; t && l && i < 512; i++) {
		uint64_t e = ilib_le64_load(&t[i]);

		if (e & AMDVI_GCR3_VALID)
			amdvi_gcr3_free_level(a, e & AMDVI_GCR3_ADDR, l - 1);
	}
	ilib_table_free(a->host, pa, 4096);
}

/* Free @dev's GCR3 table and DomainID (no DTE uses them any more, and
 * the DomainID was flushed). */
void amdvi_gcr3_free(struct amdvi_drv *a, struct amdvi_dev *dev)
{
	if (!dev->gcr3_pa)
		return;
	amdvi_gcr3_free_level(a, dev->gcr3_pa, a->glx);
	ilib_ids_free(&a->domids, dev->gdomid);
	dev->gcr3_pa = 0;
	dev->gdomid = 0;
}
