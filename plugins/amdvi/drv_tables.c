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
 * amdvi_dte_encode() - qwords 0 and 1 of the DTE for @dom (amdvi 2.5)
 * Blocked: V, TV, Mode 0, IR = IW = 0, DomainID 0.  Identity: V, TV,
 * Mode 0, IR, IW, DomainID 1.  Paging: V, TV, Mode, root, IR, IW and the
 * domain's DomainID.  HAD, GV, PPR, I, SA stay 0.
 */
void amdvi_dte_encode(const struct amdvi_domain *dom, uint64_t q[2])
{
	q[0] = AMDVI_DTE0_V | AMDVI_DTE0_TV;
	q[1] = 0;
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
			(dom->pt.root_pa & AMDVI_DTE0_ROOT);
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

/**
 * amdvi_dte_write() - make @devid's DTE say @q with no invalid state
 * Qword 0 (the whole translation: V, TV, Mode, root, IR, IW) in one
 * store, then qword 1 (DomainID; the other bits of qword 1 the driver
 * keeps at 0).  In between, the new translation carries the old
 * DomainID: amdvi_flush_dte() removes what that may have cached.
 * Qwords 2 and 3 are left as they are.
 * Context: dev_lock (one writer per entry).
 */
void amdvi_dte_write(struct amdvi_drv *a, uint16_t devid, const uint64_t q[2])
{
	uint64_t *e = a->devtab + (size_t)devid * 4;

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
	amdvi_dte_encode(&a->blocked, q);
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
