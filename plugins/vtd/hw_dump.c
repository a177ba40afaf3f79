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

/* One field of a register: its mask and its vtd 2 name. */
struct vdf {
	uint64_t mask;
	const char *name;
};

#define F(m, n)                                                                \
	{                                                                      \
		(m), (n)                                                       \
	}

static const struct vdf f_ver[] = {
    F(VTD_VER_MAJOR, "MAJOR"),
    F(VTD_VER_MINOR, "MINOR"),
    {0, NULL},
};

static const struct vdf f_cap[] = {
    F(VTD_CAP_ND, "ND"),	 F(VTD_CAP_AFL, "AFL"),
    F(VTD_CAP_RWBF, "RWBF"),	 F(VTD_CAP_PLMR, "PLMR"),
    F(VTD_CAP_PHMR, "PHMR"),	 F(VTD_CAP_CM, "CM"),
    F(VTD_CAP_SAGAW, "SAGAW"),	 F(VTD_CAP_MGAW, "MGAW"),
    F(VTD_CAP_ZLR, "ZLR"),	 F(VTD_CAP_FRO, "FRO"),
    F(VTD_CAP_SLLPS, "SLLPS"),	 F(VTD_CAP_PSI, "PSI"),
    F(VTD_CAP_NFR, "NFR"),	 F(VTD_CAP_MAMV, "MAMV"),
    F(VTD_CAP_DWD, "DWD"),	 F(VTD_CAP_DRD, "DRD"),
    F(VTD_CAP_FL1GP, "FL1GP"),	 F(VTD_CAP_PI, "PI"),
    F(VTD_CAP_FL5LP, "FL5LP"),	 F(VTD_CAP_ESIRTPS, "ESIRTPS"),
    F(VTD_CAP_ESRTPS, "ESRTPS"), {0, NULL},
};

static const struct vdf f_ecap[] = {
    F(VTD_ECAP_C, "C"),
    F(VTD_ECAP_QI, "QI"),
    F(VTD_ECAP_DT, "DT"),
    F(VTD_ECAP_IR, "IR"),
    F(VTD_ECAP_EIM, "EIM"),
    F(VTD_ECAP_PT, "PT"),
    F(VTD_ECAP_SC, "SC"),
    F(VTD_ECAP_IRO, "IRO"),
    F(VTD_ECAP_MHMV, "MHMV"),
    F(VTD_ECAP_MTS, "MTS"),
    F(VTD_ECAP_NEST, "NEST"),
    F(VTD_ECAP_PRS, "PRS"),
    F(VTD_ECAP_ERS, "ERS"),
    F(VTD_ECAP_SRS, "SRS"),
    F(VTD_ECAP_NWFS, "NWFS"),
    F(VTD_ECAP_EAFS, "EAFS"),
    F(VTD_ECAP_PSS, "PSS"),
    F(VTD_ECAP_PASID, "PASID"),
    F(VTD_ECAP_DIT, "DIT"),
    F(VTD_ECAP_PDS, "PDS"),
    F(VTD_ECAP_SMTS, "SMTS"),
    F(VTD_ECAP_VCS, "VCS"),
    F(VTD_ECAP_SLADS, "SLADS"),
    F(VTD_ECAP_SLTS, "SLTS"),
    F(VTD_ECAP_FLTS, "FLTS"),
    F(VTD_ECAP_SMPWCS, "SMPWCS"),
    F(VTD_ECAP_RPS, "RPS"),
    F(VTD_ECAP_PMS, "PMS"),
    F(VTD_ECAP_ADMS, "ADMS"),
    F(VTD_ECAP_RPRIVS, "RPRIVS"),
    {0, NULL},
};

static const struct vdf f_gsts[] = {
    F(VTD_GSTS_TES, "TES"),   F(VTD_GSTS_RTPS, "RTPS"),
    F(VTD_GSTS_FLS, "FLS"),   F(VTD_GSTS_AFLS, "AFLS"),
    F(VTD_GSTS_WBFS, "WBFS"), F(VTD_GSTS_QIES, "QIES"),
    F(VTD_GSTS_IRES, "IRES"), F(VTD_GSTS_IRTPS, "IRTPS"),
    F(VTD_GSTS_CFIS, "CFIS"), {0, NULL},
};

static const struct vdf f_rtaddr[] = {
    F(VTD_RTADDR_RTA, "RTA"),
    F(VTD_RTADDR_TTM, "TTM"),
    {0, NULL},
};

static const struct vdf f_ccmd[] = {
    F(VTD_CCMD_ICC, "ICC"),
    F(VTD_CCMD_CIRG, "CIRG"),
    F(VTD_CCMD_CAIG, "CAIG"),
    F(VTD_CCMD_FM, "FM"),
    F(VTD_CCMD_SID, "SID"),
    F(VTD_CCMD_DID, "DID"),
    {0, NULL},
};

static const struct vdf f_fsts[] = {
    F(VTD_FSTS_FRI, "FRI"), F(VTD_FSTS_PRO, "PRO"),
    F(VTD_FSTS_ITE, "ITE"), F(VTD_FSTS_ICE, "ICE"),
    F(VTD_FSTS_IQE, "IQE"), F(VTD_FSTS_APF, "APF"),
    F(VTD_FSTS_AFO, "AFO"), F(VTD_FSTS_PPF, "PPF"),
    F(VTD_FSTS_PFO, "PFO"), {0, NULL},
};

static const struct vdf f_ectl[] = {
    F(VTD_FECTL_IM, "IM"),
    F(VTD_FECTL_IP, "IP"),
    {0, NULL},
};

static const struct vdf f_iqa[] = {
    F(VTD_IQA_IQA, "IQA"),
    F(VTD_IQA_DW, "DW"),
    F(VTD_IQA_QS, "QS"),
    {0, NULL},
};

static const struct vdf f_iqercd[] = {
    F(VTD_IQERCD_ICESID, "ICESID"),
    F(VTD_IQERCD_ITESID, "ITESID"),
    F(VTD_IQERCD_IQEI, "IQEI"),
    {0, NULL},
};

static const struct vdf f_ics[] = {
    F(VTD_ICS_IWC, "IWC"),
    {0, NULL},
};

/*
 * "NAME 0x<value>: FIELD=v ..." - one-bit fields by name when set,
 * wider fields always with their value (an address field shifted back to
 * an address).
 */
static void vd_reg(iommu_print_fn pr, void *c, const char *name, uint64_t v,
		   const struct vdf *f)
{
	pr(c, "  %-7s 0x%016" PRIx64 ":", name, v);
	for (; f->name; f++) {
		const uint64_t x = vtd_field_get(f->mask, v);

		if (!(f->mask & (f->mask - 1))) {
			if (x)
				pr(c, " %s", f->name);
		} else if (f->mask == VTD_RTADDR_RTA ||
			   f->mask == VTD_IQA_IQA) {
			pr(c, " %s=0x%" PRIx64, f->name, v & f->mask);
		} else {
			pr(c, " %s=%" PRIu64, f->name, x);
		}
	}
	pr(c, "\n");
}

struct vd_regs {
	uint64_t rtaddr, ccmd, iqh, iqt, iqa, iqa_live, iqercd;
	uint32_t gsts, fsts, fectl, fedata, feaddr, iectl, ics;
	unsigned int nr_pending;
};

static void vd_cache(iommu_print_fn pr, void *c, const char *name,
		     const struct ilib_cache *ca)
{
	pr(c,
	   "  %-12s %" PRIu64 " of %" PRIu64 " entries (%u sets x %u ways)\n",
	   name, ilib_cache_count(ca),
	   (uint64_t)ilib_cache_nsets(ca) * ca->ways, ilib_cache_nsets(ca),
	   ca->ways);
}

int vtd_hw_dump(void *opaque, iommu_print_fn pr, void *c)
{
	struct vtd_hw *hw = opaque;
	struct vd_regs r;
	uint64_t entries, esz, head, tail;

	if (!hw || !pr)
		return -EINVAL;
	pthread_mutex_lock(&hw->reg_lock);
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
	pthread_mutex_unlock(&hw->reg_lock);

	pr(c, "registers (vtd 2):\n");
	vd_reg(pr, c, "VER", HW_VER, f_ver);
	vd_reg(pr, c, "CAP", hw->cap, f_cap);
	vd_reg(pr, c, "ECAP", hw->ecap, f_ecap);
	vd_reg(pr, c, "GSTS", r.gsts, f_gsts);
	vd_reg(pr, c, "RTADDR", r.rtaddr, f_rtaddr);
	vd_reg(pr, c, "CCMD", r.ccmd, f_ccmd);
	vd_reg(pr, c, "FSTS", r.fsts, f_fsts);
	vd_reg(pr, c, "FECTL", r.fectl, f_ectl);
	pr(c, "  FEDATA  0x%08" PRIx32 " FEADDR 0x%08" PRIx32 "\n", r.fedata,
	   r.feaddr);
	vd_reg(pr, c, "IQA", r.iqa, f_iqa);
	vd_reg(pr, c, "ICS", r.ics, f_ics);
	vd_reg(pr, c, "IECTL", r.iectl, f_ectl);
	vd_reg(pr, c, "IQERCD", r.iqercd, f_iqercd);

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
	vd_cache(pr, c, "context", &hw->ctxc);
	vd_cache(pr, c, "PASID", &hw->pasidc);
	vd_cache(pr, c, "IOTLB", &hw->tlbc);
	return 0;
}
