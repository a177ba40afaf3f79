// SPDX-License-Identifier: MIT
/*
 * hw_dump.c - the VT-d unit's state for a person reading it (the hw op
 * dump, plugin.h ABI 2.2): the main registers decoded field by field
 * with the names of vtd 2 (VER, CAP, ECAP, GSTS, RTADDR, CCMD, FSTS,
 * FECTL, IQH/IQT/IQA, ICS, IECTL, IQERCD), the invalidation queue's head
 * and tail in descriptors, the fault recording registers in use, and the
 * occupancy of the context cache, PASID cache and IOTLB.
 *
 * Read-only: the registers are copied under reg_lock (the values a read
 * of each register returns, FSTS with PPF and FRI derived as the read
 * does), then printed with no lock held; the caches are counted without
 * their locks (a snapshot).  Nothing is written, no event raised.
 */
#include <errno.h>
#include <inttypes.h>

#include "hw.h"
#include "ilib_dump.h"

static const struct ilib_field f_ver[] = {
    ILIB_FIELD(VTD_VER_MAJOR, "MAJOR"),
    ILIB_FIELD(VTD_VER_MINOR, "MINOR"),
    ILIB_FIELD_END,
};

static const struct ilib_field f_cap[] = {
    ILIB_FIELD(VTD_CAP_ND, "ND"),	 ILIB_FIELD(VTD_CAP_AFL, "AFL"),
    ILIB_FIELD(VTD_CAP_RWBF, "RWBF"),	 ILIB_FIELD(VTD_CAP_PLMR, "PLMR"),
    ILIB_FIELD(VTD_CAP_PHMR, "PHMR"),	 ILIB_FIELD(VTD_CAP_CM, "CM"),
    ILIB_FIELD(VTD_CAP_SAGAW, "SAGAW"),	 ILIB_FIELD(VTD_CAP_MGAW, "MGAW"),
    ILIB_FIELD(VTD_CAP_ZLR, "ZLR"),	 ILIB_FIELD(VTD_CAP_FRO, "FRO"),
    ILIB_FIELD(VTD_CAP_SLLPS, "SLLPS"),	 ILIB_FIELD(VTD_CAP_PSI, "PSI"),
    ILIB_FIELD(VTD_CAP_NFR, "NFR"),	 ILIB_FIELD(VTD_CAP_MAMV, "MAMV"),
    ILIB_FIELD(VTD_CAP_DWD, "DWD"),	 ILIB_FIELD(VTD_CAP_DRD, "DRD"),
    ILIB_FIELD(VTD_CAP_FL1GP, "FL1GP"),	 ILIB_FIELD(VTD_CAP_PI, "PI"),
    ILIB_FIELD(VTD_CAP_FL5LP, "FL5LP"),	 ILIB_FIELD(VTD_CAP_ESIRTPS, "ESIRTPS"),
    ILIB_FIELD(VTD_CAP_ESRTPS, "ESRTPS"), ILIB_FIELD_END,
};

static const struct ilib_field f_ecap[] = {
    ILIB_FIELD(VTD_ECAP_C, "C"),
    ILIB_FIELD(VTD_ECAP_QI, "QI"),
    ILIB_FIELD(VTD_ECAP_DT, "DT"),
    ILIB_FIELD(VTD_ECAP_IR, "IR"),
    ILIB_FIELD(VTD_ECAP_EIM, "EIM"),
    ILIB_FIELD(VTD_ECAP_PT, "PT"),
    ILIB_FIELD(VTD_ECAP_SC, "SC"),
    ILIB_FIELD(VTD_ECAP_IRO, "IRO"),
    ILIB_FIELD(VTD_ECAP_MHMV, "MHMV"),
    ILIB_FIELD(VTD_ECAP_MTS, "MTS"),
    ILIB_FIELD(VTD_ECAP_NEST, "NEST"),
    ILIB_FIELD(VTD_ECAP_PRS, "PRS"),
    ILIB_FIELD(VTD_ECAP_ERS, "ERS"),
    ILIB_FIELD(VTD_ECAP_SRS, "SRS"),
    ILIB_FIELD(VTD_ECAP_NWFS, "NWFS"),
    ILIB_FIELD(VTD_ECAP_EAFS, "EAFS"),
    ILIB_FIELD(VTD_ECAP_PSS, "PSS"),
    ILIB_FIELD(VTD_ECAP_PASID, "PASID"),
    ILIB_FIELD(VTD_ECAP_DIT, "DIT"),
    ILIB_FIELD(VTD_ECAP_PDS, "PDS"),
    ILIB_FIELD(VTD_ECAP_SMTS, "SMTS"),
    ILIB_FIELD(VTD_ECAP_VCS, "VCS"),
    ILIB_FIELD(VTD_ECAP_SLADS, "SLADS"),
    ILIB_FIELD(VTD_ECAP_SLTS, "SLTS"),
    ILIB_FIELD(VTD_ECAP_FLTS, "FLTS"),
    ILIB_FIELD(VTD_ECAP_SMPWCS, "SMPWCS"),
    ILIB_FIELD(VTD_ECAP_RPS, "RPS"),
    ILIB_FIELD(VTD_ECAP_PMS, "PMS"),
    ILIB_FIELD(VTD_ECAP_ADMS, "ADMS"),
    ILIB_FIELD(VTD_ECAP_RPRIVS, "RPRIVS"),
    ILIB_FIELD_END,
};

static const struct ilib_field f_gsts[] = {
    ILIB_FIELD(VTD_GSTS_TES, "TES"),   ILIB_FIELD(VTD_GSTS_RTPS, "RTPS"),
    ILIB_FIELD(VTD_GSTS_FLS, "FLS"),   ILIB_FIELD(VTD_GSTS_AFLS, "AFLS"),
    ILIB_FIELD(VTD_GSTS_WBFS, "WBFS"), ILIB_FIELD(VTD_GSTS_QIES, "QIES"),
    ILIB_FIELD(VTD_GSTS_IRES, "IRES"), ILIB_FIELD(VTD_GSTS_IRTPS, "IRTPS"),
    ILIB_FIELD(VTD_GSTS_CFIS, "CFIS"), ILIB_FIELD_END,
};

static const struct ilib_field f_rtaddr[] = {
    ILIB_FIELD_ADDR(VTD_RTADDR_RTA, "RTA"),
    ILIB_FIELD(VTD_RTADDR_TTM, "TTM"),
    ILIB_FIELD_END,
};

static const struct ilib_field f_ccmd[] = {
    ILIB_FIELD(VTD_CCMD_ICC, "ICC"),
    ILIB_FIELD(VTD_CCMD_CIRG, "CIRG"),
    ILIB_FIELD(VTD_CCMD_CAIG, "CAIG"),
    ILIB_FIELD(VTD_CCMD_FM, "FM"),
    ILIB_FIELD(VTD_CCMD_SID, "SID"),
    ILIB_FIELD(VTD_CCMD_DID, "DID"),
    ILIB_FIELD_END,
};

static const struct ilib_field f_fsts[] = {
    ILIB_FIELD(VTD_FSTS_FRI, "FRI"), ILIB_FIELD(VTD_FSTS_PRO, "PRO"),
    ILIB_FIELD(VTD_FSTS_ITE, "ITE"), ILIB_FIELD(VTD_FSTS_ICE, "ICE"),
    ILIB_FIELD(VTD_FSTS_IQE, "IQE"), ILIB_FIELD(VTD_FSTS_APF, "APF"),
    ILIB_FIELD(VTD_FSTS_AFO, "AFO"), ILIB_FIELD(VTD_FSTS_PPF, "PPF"),
    ILIB_FIELD(VTD_FSTS_PFO, "PFO"), ILIB_FIELD_END,
};

static const struct ilib_field f_ectl[] = {
    ILIB_FIELD(VTD_FECTL_IM, "IM"),
    ILIB_FIELD(VTD_FECTL_IP, "IP"),
    ILIB_FIELD_END,
};

static const struct ilib_field f_iqa[] = {
    ILIB_FIELD_ADDR(VTD_IQA_IQA, "IQA"),
    ILIB_FIELD(VTD_IQA_DW, "DW"),
    ILIB_FIELD(VTD_IQA_QS, "QS"),
    ILIB_FIELD_END,
};

static const struct ilib_field f_iqercd[] = {
    ILIB_FIELD(VTD_IQERCD_ICESID, "ICESID"),
    ILIB_FIELD(VTD_IQERCD_ITESID, "ITESID"),
    ILIB_FIELD(VTD_IQERCD_IQEI, "IQEI"),
    ILIB_FIELD_END,
};

static const struct ilib_field f_ics[] = {
    ILIB_FIELD(VTD_ICS_IWC, "IWC"),
    ILIB_FIELD_END,
};

struct vd_regs {
	uint64_t rtaddr, ccmd, iqh, iqt, iqa, iqa_live, iqercd;
	uint32_t gsts, fsts, fectl, fedata, feaddr, iectl, ics;
	unsigned int nr_pending;
};

int vtd_hw_dump(void *opaque, iommu_print_fn pr, void *c)
{
	struct vtd_hw *hw = opaque;
	struct vd_regs r;
	uint64_t entries, esz, head, tail;

	if (!hw || !pr)
		return -EINVAL;
	vtd_hw_lock(hw);
	r.gsts = hw->gsts;
	r.rtaddr = hw->rtaddr;
	r.ccmd = hw->ccmd;
	r.fsts = vtd_hw_fsts_now(hw) |
		 (uint32_t)vtd_field_prep(VTD_FSTS_FRI, vtd_hw_fri(hw));
	r.fectl = hw->fectl;
	r.fedata = hw->fedata;
	r.feaddr = hw->feaddr;
	r.iqh = hw->iqh;
	r.iqt = hw->iqt;
	r.iqa = hw->iqa;
	r.iqa_live = hw->iqa_live;
	r.iqercd = hw->iqercd;
	r.ics = hw->ics;
	r.iectl = hw->iectl;
	r.nr_pending = hw->nr_pending;
	vtd_hw_unlock(hw);

	pr(c, "registers (vtd 2):\n");
	ilib_dump_reg(pr, c, 7, "VER", HW_VER, f_ver);
	ilib_dump_reg(pr, c, 7, "CAP", hw->cap, f_cap);
	ilib_dump_reg(pr, c, 7, "ECAP", hw->ecap, f_ecap);
	ilib_dump_reg(pr, c, 7, "GSTS", r.gsts, f_gsts);
	ilib_dump_reg(pr, c, 7, "RTADDR", r.rtaddr, f_rtaddr);
	ilib_dump_reg(pr, c, 7, "CCMD", r.ccmd, f_ccmd);
	ilib_dump_reg(pr, c, 7, "FSTS", r.fsts, f_fsts);
	ilib_dump_reg(pr, c, 7, "FECTL", r.fectl, f_ectl);
	pr(c, "  FEDATA  0x%08" PRIx32 " FEADDR 0x%08" PRIx32 "\n", r.fedata,
	   r.feaddr);
	ilib_dump_reg(pr, c, 7, "IQA", r.iqa, f_iqa);
	ilib_dump_reg(pr, c, 7, "ICS", r.ics, f_ics);
	ilib_dump_reg(pr, c, 7, "IECTL", r.iectl, f_ectl);
	ilib_dump_reg(pr, c, 7, "IQERCD", r.iqercd, f_iqercd);

	/* The queue as the hardware runs it: IQA latched at QIE enable. */
	esz = vtd_field_get(VTD_IQA_DW, r.iqa_live) ? 32 : 16;
	entries =
	    vtd_iq_entries((unsigned int)vtd_field_get(VTD_IQA_QS, r.iqa_live),
			   vtd_field_get(VTD_IQA_DW, r.iqa_live) != 0);
	head = vtd_field_get(VTD_IQH_QH, r.iqh) * 16 / esz;
	tail = vtd_field_get(VTD_IQT_QT, r.iqt) * 16 / esz;
	pr(c,
	   "invalidation queue (vtd 6): %s, base 0x%" PRIx64 ", %" PRIu64
	   " descriptors of %" PRIu64 " bytes\n",
	   r.gsts & VTD_GSTS_QIES ? "enabled" : "disabled",
	   (uint64_t)(r.iqa_live & VTD_IQA_IQA), entries, esz);
	pr(c,
	   "  IQH 0x%" PRIx64 " (head, descriptor %" PRIu64 ") IQT 0x%" PRIx64
	   " (tail, descriptor %" PRIu64 "), %" PRIu64 " pending\n",
	   r.iqh, head, r.iqt, tail,
	   (tail + entries - head % entries) % entries);
	pr(c,
	   "fault recording (vtd 7): %u registers at 0x%" PRIx64
	   ", %u pending\n",
	   hw->nfr, vtd_frcd_reg(hw->cap, 0), r.nr_pending);
	pr(c, "caches:\n");
	ilib_dump_cache(pr, c, 12, "context", &hw->ctxc);
	ilib_dump_cache(pr, c, 12, "PASID", &hw->pasidc);
	ilib_dump_cache(pr, c, 12, "IOTLB", &hw->tlbc);
	return 0;
}
