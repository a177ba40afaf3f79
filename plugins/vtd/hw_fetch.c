// SPDX-License-Identifier: MIT
/*
 * hw_fetch.c - the VT-d model's structure fetches (vtd 3, 4, 10 steps
 * 1-3): root, context, PASID-directory and PASID-table entries read from
 * guest memory and checked in the order the unit checks them, each
 * failure as its fault reason.  hw_xlate.c caches what they return.
 */
#include <errno.h>
#include <string.h>

#include "hw.h"

static bool hw_aw_ok(const struct vtd_hw *hw, unsigned int aw)
{
	return aw < 5 && (vtd_field_get(VTD_CAP_SAGAW, hw->cap) & (1u << aw));
}

/*
 * vtd_hw_fetch_legacy_ctx() - read root and context entry of @sid (legacy)
 * Fills @c (c->fpd as soon as the context entry is read).
 * Return: 0 or the fault reason.
 */
uint8_t vtd_hw_fetch_legacy_ctx(struct vtd_hw *hw, uint64_t rta,
				uint16_t sid, struct hw_ctx *c)
{
	uint64_t root[2], ce[2], ctp;
	unsigned int tt, aw;

	if (ilib_mem_read_le64(
		hw->host, rta + VTD_ROOT_ENTRY_SIZE * (sid >> 8u), root, 2))
		return VTD_FR_ROOT_READ_ERR;
	if (!(root[0] & VTD_ROOT_QW0_P))
		return VTD_FR_ROOT_NOT_PRESENT;
	if ((root[0] & (VTD_ROOT_QW0_RSVD | hw->ptr_rsvd)) || root[1])
		return VTD_FR_ROOT_RSVD;
	ctp = root[0] & VTD_ROOT_QW0_CTP;
	if (ilib_mem_read_le64(hw->host,
			       ctp + VTD_CTX_ENTRY_SIZE * (sid & 0xffu), ce, 2))
		return VTD_FR_CTX_READ_ERR;
	c->fpd = ce[0] & VTD_CTX_QW0_FPD;
	if (!(ce[0] & VTD_CTX_QW0_P))
		return VTD_FR_CTX_NOT_PRESENT;
	if ((ce[0] & (VTD_CTX_QW0_RSVD | hw->ptr_rsvd)) ||
	    (ce[1] & VTD_CTX_QW1_RSVD))
		return VTD_FR_CTX_RSVD;
	tt = (unsigned int)vtd_field_get(VTD_CTX_QW0_TT, ce[0]);
	aw = (unsigned int)vtd_field_get(VTD_CTX_QW1_AW, ce[1]);
	switch (tt) {
	case VTD_CTX_TT_MULTI_LEVEL:
		break;
	case VTD_CTX_TT_DEV_TLB:
		if (!(hw->ecap & VTD_ECAP_DT))
			return VTD_FR_CTX_INVALID;
		break;
	case VTD_CTX_TT_PASS:
		if (!hw->pt || aw != hw->aw_max)
			return VTD_FR_CTX_INVALID;
		break;
	default:
		return VTD_FR_CTX_INVALID;
	}
	if (!hw_aw_ok(hw, aw))
		return VTD_FR_CTX_INVALID;
	c->tt = (uint8_t)tt;
	c->aw = (uint8_t)aw;
	c->did = (uint16_t)vtd_field_get(VTD_CTX_QW1_DID, ce[1]);
	c->ptr = ce[0] & VTD_CTX_QW0_SLPTPTR;
	return 0;
}

/* As above for a scalable-mode root and 256-bit context entry. */
uint8_t vtd_hw_fetch_sm_ctx(struct vtd_hw *hw, uint64_t rta, uint16_t sid,
			    struct hw_ctx *c)
{
	unsigned int devfn = sid & 0xffu;
	uint64_t root[2], ce[4], half;

	if (ilib_mem_read_le64(
		hw->host, rta + VTD_ROOT_ENTRY_SIZE * (sid >> 8u), root, 2))
		return VTD_FR_SM_ROOT_READ_ERR;
	half = devfn >= VTD_SM_UPPER_DEVFN ? root[1] : root[0];
	/* LP/UP, reserved bits 11:1 and the pointer sit alike in both. */
	if (!(half & VTD_SM_ROOT_QW0_LP))
		return VTD_FR_SM_ROOT_NOT_PRESENT;
	if (half & (VTD_SM_ROOT_QW0_RSVD | hw->ptr_rsvd))
		return VTD_FR_SM_ROOT_RSVD;
	if (ilib_mem_read_le64(hw->host,
			       (half & VTD_SM_ROOT_QW0_LCTP) +
				   VTD_SM_CTX_ENTRY_SIZE * (devfn & 0x7fu),
			       ce, 4))
		return VTD_FR_SM_CTX_READ_ERR;
	c->fpd = ce[0] & VTD_SM_CTX_QW0_FPD;
	if (!(ce[0] & VTD_SM_CTX_QW0_P))
		return VTD_FR_SM_CTX_NOT_PRESENT;
	if ((ce[0] & (VTD_SM_CTX_QW0_RSVD | hw->ptr_rsvd)) ||
	    (ce[1] & (VTD_SM_CTX_QW1_RSVD | VTD_SM_CTX_QW1_RID_PRIV)) ||
	    ce[2] || ce[3])
		return VTD_FR_SM_CTX_RSVD;
	if ((ce[0] & VTD_SM_CTX_QW0_PRE) ||
	    ((ce[0] & VTD_SM_CTX_QW0_DTE) && !(hw->ecap & VTD_ECAP_DT)))
		return VTD_FR_SM_CTX_INVALID;
	c->pdts = (uint8_t)vtd_field_get(VTD_SM_CTX_QW0_PDTS, ce[0]);
	c->paside = ce[0] & VTD_SM_CTX_QW0_PASIDE;
	c->dte = ce[0] & VTD_SM_CTX_QW0_DTE;
	c->rid_pasid = (uint32_t)vtd_field_get(VTD_SM_CTX_QW1_RID_PASID, ce[1]);
	c->ptr = ce[0] & VTD_SM_CTX_QW0_PASIDDIRPTR;
	return 0;
}

/*
 * vtd_hw_fetch_pe() - read the PASID-directory and PASID-table entries
 * @x: x->fpd gains the FPD bits read (also of entries not present)
 * Return: 0 and @p, or the fault reason.
 */
uint8_t vtd_hw_fetch_pe(struct vtd_hw *hw, struct hw_xl *x,
			const struct hw_ctx *c, uint32_t pasid, struct hw_pe *p)
{
	uint64_t pde, pe[8], fpd;
	unsigned int pgtt, aw, flpm;

	if (ilib_mem_read_le64(hw->host,
			       c->ptr + VTD_PASID_DIR_ENTRY_SIZE *
					    (pasid >> VTD_PASID_DIR_SHIFT),
			       &pde, 1))
		return VTD_FR_SM_PDE_READ_ERR;
	fpd = pde & VTD_PDE_FPD;
	x->fpd |= fpd != 0;
	if (!(pde & VTD_PDE_P))
		return VTD_FR_SM_PDE_NOT_PRESENT;
	if (pde & (VTD_PDE_RSVD | hw->ptr_rsvd))
		return VTD_FR_SM_PDE_RSVD;
	if (ilib_mem_read_le64(hw->host,
			       (pde & VTD_PDE_SMPTBLPTR) +
				   VTD_PASID_ENTRY_SIZE *
				       (pasid & VTD_PASID_TBL_MASK),
			       pe, 8))
		return VTD_FR_SM_PE_READ_ERR;
	fpd |= pe[0] & VTD_PE_QW0_FPD;
	x->fpd |= fpd != 0;
	if (!(pe[0] & VTD_PE_QW0_P))
		return VTD_FR_SM_PE_NOT_PRESENT;
	if ((pe[0] & VTD_PE_QW0_RSVD) || (pe[1] & VTD_PE_QW1_RSVD) ||
	    (pe[2] & VTD_PE_QW2_RSVD) || pe[3] || pe[4] || pe[5] || pe[6] ||
	    pe[7])
		return VTD_FR_SM_PE_RSVD;
	/* SRE and ERE are reserved without ECAP.SRS / ECAP.ERS (hw.h). */
	if (((pe[2] & VTD_PE_QW2_SRE) && !(hw->ecap & VTD_ECAP_SRS)) ||
	    ((pe[2] & VTD_PE_QW2_ERE) && !(hw->ecap & VTD_ECAP_ERS)))
		return VTD_FR_SM_PE_RSVD;
	pgtt = (unsigned int)vtd_field_get(VTD_PE_QW0_PGTT, pe[0]);
	aw = (unsigned int)vtd_field_get(VTD_PE_QW0_AW, pe[0]);
	flpm = (unsigned int)vtd_field_get(VTD_PE_QW2_FLPM, pe[2]);
	memset(p, 0, sizeof(*p));
	switch (pgtt) {
	case VTD_PGTT_FL:
		if (!hw->fs || flpm > VTD_FLPM_5LEVEL ||
		    (flpm == VTD_FLPM_5LEVEL && !hw->fl5))
			return VTD_FR_SM_PE_INVALID;
		if (pe[2] & hw->ptr_rsvd)
			return VTD_FR_SM_PE_RSVD;
		p->levels = flpm == VTD_FLPM_5LEVEL ? 5 : 4;
		p->ptr = pe[2] & VTD_PE_QW2_FLPTPTR;
		break;
	case VTD_PGTT_SL:
		if (!hw->ss || !hw_aw_ok(hw, aw))
			return VTD_FR_SM_PE_INVALID;
		if (pe[0] & hw->ptr_rsvd)
			return VTD_FR_SM_PE_RSVD;
		p->levels = (uint8_t)vtd_aw_to_levels(aw);
		p->width = (uint8_t)vtd_aw_to_width(aw);
		if (p->width > hw->mgaw)
			p->width = (uint8_t)hw->mgaw;
		p->ptr = pe[0] & VTD_PE_QW0_SLPTPTR;
		break;
	case VTD_PGTT_PT:
		if (!hw->pt)
			return VTD_FR_SM_PE_INVALID;
		break;
	case VTD_PGTT_NESTED:
		if (!__atomic_exchange_n(&hw->nest_warned, true,
					 __ATOMIC_RELAXED))
			hw_log(hw, IOMMU_LOG_WARN,
			       "vtd: PGTT 011 (nested) is not modelled yet; "
			       "faulting 0x5B");
		return VTD_FR_SM_PE_INVALID;
	default:
		return VTD_FR_SM_PE_INVALID;
	}
	p->sid = x->sid;
	p->pasid = pasid;
	p->did = (uint16_t)vtd_field_get(VTD_PE_QW1_DID, pe[1]);
	p->fpd = fpd != 0;
	p->nxe = pe[2] & VTD_PE_QW2_NXE;
	p->sre = pe[2] & VTD_PE_QW2_SRE;
	p->ere = pe[2] & VTD_PE_QW2_ERE;
	p->wpe = pe[2] & VTD_PE_QW2_WPE;
	p->smep = pe[2] & VTD_PE_QW2_SMEP;
	p->pgtt = (uint8_t)pgtt;
	return 0;
}
