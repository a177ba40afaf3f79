// SPDX-License-Identifier: MIT
/*
 * drv_tables.c - the VT-d driver's translation structures in table
 * memory: root entries (vtd 3.1, 4.1), legacy and scalable-mode context
 * entries (vtd 3.2, 4.2), PASID directories and tables (vtd 4.3, 4.4),
 * written with single-copy-atomic stores in the orders drv.h explains.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "drv.h"

/* ---- context and PASID tables -------------------------------------------- */

/*
 * Context entry of @sid (legacy: 16 bytes, scalable: 32 bytes), allocating
 * its context table and making the root entry present on first use.
 */
int vtd_ctx_entry(struct vtd_drv *v, uint16_t sid, bool alloc, uint64_t **out)
{
	unsigned int bus = sid >> 8, devfn = sid & 0xff;
	unsigned int half = v->scalable && devfn >= VTD_SM_UPPER_DEVFN;
	uint64_t pa;
	uint8_t *tbl;
	int err = 0;

	pthread_mutex_lock(&v->ctx_lock);
	pa = v->ctx_pa[bus][half];
	if (!pa) {
		void *va;

		if (!alloc) {
			err = -ENOENT;
			goto out;
		}
		err = ilib_table_alloc(v->host, "vtd", 4096, &pa, &va);
		if (err)
			goto out;
		v->ctx_pa[bus][half] = pa;
		/* vtd 3.1 / 4.1: root entry (T16, T20); LCTP in QW0, UCTP in
		 * QW1, P/LP/UP in bit 0 of each. */
		ilib_le64_store(&v->root[bus * 2 + half], pa | VTD_ROOT_QW0_P);
	}
	tbl = ilib_table_ptr(v->host, pa, 4096);
	if (!tbl) {
		err = -EFAULT;
		goto out;
	}
	if (v->scalable)
		*out =
		    (uint64_t *)(tbl + (devfn & 0x7f) * VTD_SM_CTX_ENTRY_SIZE);
	else
		*out = (uint64_t *)(tbl + devfn * VTD_CTX_ENTRY_SIZE);
out:
	pthread_mutex_unlock(&v->ctx_lock);
	return err;
}

/* PASID entry of @pasid for @dev (scalable), allocating its table. */
int vtd_pasid_entry(struct vtd_drv *v, struct vtd_dev *dev, uint32_t pasid,
		    bool alloc, uint64_t **out)
{
	uint32_t di = pasid >> VTD_PASID_DIR_SHIFT;
	uint64_t pde, pa;
	uint8_t *tbl;

	if (!dev->pdir || di >= dev->pdir_size / 8)
		return -EINVAL;
	pde = ilib_le64_load(&dev->pdir[di]);
	if (!(pde & VTD_PDE_P)) {
		void *va;
		int err;

		if (!alloc)
			return -ENOENT;
		err = ilib_table_alloc(v->host, "vtd", 4096, &pa, &va);
		if (err)
			return err;
		/* vtd 4.3: directory entry */
		ilib_le64_store(&dev->pdir[di], pa | VTD_PDE_P);
	} else {
		pa = pde & VTD_PDE_SMPTBLPTR;
	}
	tbl = ilib_table_ptr(v->host, pa, 4096);
	if (!tbl)
		return -EFAULT;
	*out = (uint64_t *)(tbl + (pasid & VTD_PASID_TBL_MASK) *
				      VTD_PASID_ENTRY_SIZE);
	return 0;
}

/* The words of a PASID entry (vtd 4.4) that puts @dom behind a PASID. */
void vtd_pe_encode(struct vtd_drv *v, struct vtd_domain *dom, uint64_t pe[3])
{
	uint64_t aw = vtd_field_prep(VTD_PE_QW0_AW, v->aw);

	pe[1] = vtd_field_prep(VTD_PE_QW1_DID, dom->did);
	if (v->ecap & VTD_ECAP_SMPWCS)
		pe[1] |= VTD_PE_QW1_PWSNP;
	pe[2] = 0;
	if (dom->kind == VTD_DOM_IDENTITY) {
		pe[0] = VTD_PE_QW0_P | aw |
			vtd_field_prep(VTD_PE_QW0_PGTT, VTD_PGTT_PT);
	} else if (dom->first_stage) {
		pe[0] = VTD_PE_QW0_P | aw |
			vtd_field_prep(VTD_PE_QW0_PGTT, VTD_PGTT_FL); /* T23 */
		pe[2] = dom->pt.root_pa | VTD_PE_QW2_NXE |
			vtd_field_prep(VTD_PE_QW2_FLPM, dom->pt.cfg.levels == 5
							    ? VTD_FLPM_5LEVEL
							    : VTD_FLPM_4LEVEL);
	} else {
		pe[0] = VTD_PE_QW0_P | aw | dom->pt.root_pa |
			vtd_field_prep(VTD_PE_QW0_PGTT, VTD_PGTT_SL); /* T22 */
	}
}

/*
 * Write PASID entry @e to reach @pe (NULL: not present) in an order where
 * every intermediate state is valid (see the header comment).
 */
void vtd_pe_write(uint64_t *e, const uint64_t *pe)
{
	bool was = ilib_le64_load(&e[0]) & VTD_PE_QW0_P;

	if (!pe) {
		ilib_le64_store(&e[0], 0);
		ilib_le64_store(&e[1], 0);
		ilib_le64_store(&e[2], 0);
		return;
	}
	if (!was) {
		ilib_le64_store(&e[2], pe[2]);
		ilib_le64_store(&e[1], pe[1]);
		ilib_le64_store(&e[0], pe[0]);
		return;
	}
	if (pe[2])
		ilib_le64_store(&e[2],
				pe[2]); /* FLPTPTR: ignored by SL/PT entries */
	ilib_le64_store(&e[0], pe[0]);	/* PGTT + SLPTPTR in one store */
	ilib_le64_store(&e[1], pe[1]);	/* DID last */
	if (!pe[2])
		ilib_le64_store(&e[2], 0);
}

/* Legacy: write context entry @e for @dom (BLOCKED: not present). */
void vtd_ctx_write_legacy(struct vtd_drv *v, uint64_t *e,
			  struct vtd_domain *dom)
{
	bool was = ilib_le64_load(&e[0]) & VTD_CTX_QW0_P;
	uint64_t lo, hi;

	if (dom->kind == VTD_DOM_BLOCKED) {
		ilib_le64_store(&e[0], 0); /* P first */
		ilib_le64_store(&e[1], 0);
		return;
	}
	hi = vtd_field_prep(VTD_CTX_QW1_AW, v->aw) |
	     vtd_field_prep(VTD_CTX_QW1_DID, dom->did);
	if (dom->kind == VTD_DOM_IDENTITY)
		lo = VTD_CTX_QW0_P |
		     vtd_field_prep(VTD_CTX_QW0_TT, VTD_CTX_TT_PASS); /* T18 */
	else
		lo = VTD_CTX_QW0_P | dom->pt.root_pa |
		     vtd_field_prep(VTD_CTX_QW0_TT,
				    VTD_CTX_TT_MULTI_LEVEL); /* T17 */
	if (was) {
		ilib_le64_store(&e[0],
				lo); /* new tables under the old DID ... */
		ilib_le64_store(&e[1], hi); /* ... then the new DID */
	} else {
		ilib_le64_store(&e[1], hi);
		ilib_le64_store(&e[0], lo); /* P last */
	}
}

/* Scalable: the device's context entry (vtd 4.2) with its directory. */
int vtd_sm_ctx_setup(struct vtd_drv *v, struct vtd_dev *dev)
{
	unsigned int bits = dev->pasid_bits;
	unsigned int pdts;
	uint64_t *e;
	void *va;
	int ret;

	/* 2^(PDTS+7) directory entries of 64 PASIDs each; at least one
	 * 4 KiB page (512 entries, PDTS 2). */
	pdts = bits > 15 ? bits - 13 : 2;
	dev->pdir_size = (size_t)vtd_pdts_entries(pdts) * 8;
	ret = ilib_table_alloc(v->host, "vtd", dev->pdir_size, &dev->pdir_pa,
			       &va);
	if (ret)
		return ret;
	dev->pdir = va;
	ret = vtd_ctx_entry(v, dev->sid, true, &e);
	if (ret)
		goto err_free;
	ilib_le64_store(&e[3], 0);
	ilib_le64_store(&e[2], 0);
	ilib_le64_store(&e[1], 0); /* RID_PASID 0 */
	ilib_le64_store(&e[0], VTD_SM_CTX_QW0_P | dev->pdir_pa |
				   vtd_field_prep(VTD_SM_CTX_QW0_PDTS, pdts) |
				   (dev->aux ? VTD_SM_CTX_QW0_PASIDE : 0));
	ret = vtd_flush_dev(v, dev->sid, 0, 0, false);
	if (ret)
		goto err_clear;
	return 0;

err_clear:
	ilib_le64_store(&e[0], 0);
err_free:
	ilib_table_free(v->host, dev->pdir_pa, dev->pdir_size);
	dev->pdir = NULL;
	return ret;
}

void vtd_free_pasid_tables(struct vtd_drv *v, struct vtd_dev *dev)
{
	if (!dev->pdir)
		return;
	for (size_t i = 0; i < dev->pdir_size / 8; i++) {
		uint64_t pde = ilib_le64_load(&dev->pdir[i]);

		if (pde & VTD_PDE_P)
			ilib_table_free(v->host, pde & VTD_PDE_SMPTBLPTR, 4096);
	}
	ilib_table_free(v->host, dev->pdir_pa, dev->pdir_size);
	dev->pdir = NULL;
}

/* Set or clear PASIDE in the device's scalable context entry. */
int vtd_set_paside(struct vtd_drv *v, struct vtd_dev *dev, bool on)
{
	uint64_t *e, qw0;
	uint16_t did;
	struct vtd_inv_desc inv[2];

	if (vtd_ctx_entry(v, dev->sid, false, &e))
		return -ENODEV;
	qw0 = ilib_le64_load(&e[0]);
	qw0 = on ? qw0 | VTD_SM_CTX_QW0_PASIDE : qw0 & ~VTD_SM_CTX_QW0_PASIDE;
	ilib_le64_store(&e[0], qw0);
	did = dev->domain && dev->domain->kind != VTD_DOM_BLOCKED
		  ? dev->domain->did
		  : 0;
	/* vtd 9.6, SM context change: context cache, then PASID cache. */
	inv[0] = vtd_desc_cc(VTD_CC_DEVICE, did, dev->sid);
	inv[1] = vtd_desc_pc(VTD_PC_G_GLOBAL, 0, 0);
	return vtd_submit(v, inv, 2);
}

void vtd_free_tables(struct vtd_drv *v)
{
	for (unsigned int b = 0; b < VTD_NR_BUS; b++)
		for (unsigned int h = 0; h < 2; h++)
			if (v->ctx_pa[b][h])
				ilib_table_free(v->host, v->ctx_pa[b][h], 4096);
	memset(v->ctx_pa, 0, sizeof(v->ctx_pa));
	if (v->root)
		ilib_table_free(v->host, v->root_pa, 4096);
	v->root = NULL;
	if (v->iq_size)
		ilib_table_free(v->host, v->iq_pa, v->iq_size);
	v->iq_size = 0;
	if (v->status)
		ilib_table_free(v->host, v->status_pa, 4096);
	v->status = NULL;
}
