// SPDX-License-Identifier: MIT
/*
 * hw_dump.c - the AMD-Vi unit's state for a person reading it (the hw op
 * dump, plugin.h ABI 2.2): the main MMIO registers decoded field by field
 * with the names of amdvi 1 (Device Table Base, Command and Event Log
 * Base, Control, Exclusion Base and Limit, EFR, Status), the command
 * buffer's and event log's head and tail in entries, and the occupancy
 * of the device-table cache and the IOTLB.
 *
 * Read-only: the registers are copied under reg_lock, as software reads
 * them (Status with its run bits derived), and printed with no lock
 * held; the caches are counted without their locks (a snapshot).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "hw.h"

struct adf {
	uint64_t mask;
	const char *name;
};

#define F(m, n)                                                                \
	{                                                                      \
		(m), (n)                                                       \
	}

static const struct adf f_devtab[] = {
    F(AMDVI_DEVTAB_BASE, "DevTabBase"),
    F(AMDVI_DEVTAB_SIZE, "Size"),
    {0, NULL},
};

static const struct adf f_ring[] = {
    F(AMDVI_RING_LEN, "Len"),
    F(AMDVI_RING_BASE, "Base"),
    {0, NULL},
};

static const struct adf f_ctrl[] = {
    F(AMDVI_CTRL_IOMMU_EN, "IommuEn"),
    F(AMDVI_CTRL_HT_TUN_EN, "HtTunEn"),
    F(AMDVI_CTRL_EVT_LOG_EN, "EventLogEn"),
    F(AMDVI_CTRL_EVT_INT_EN, "EventIntEn"),
    F(AMDVI_CTRL_COMWAIT_INT_EN, "ComWaitIntEn"),
    F(AMDVI_CTRL_INV_TIMEOUT, "InvTimeOut"),
    F(AMDVI_CTRL_PASS_PW, "PassPW"),
    F(AMDVI_CTRL_RES_PASS_PW, "ResPassPW"),
    F(AMDVI_CTRL_COHERENT, "Coherent"),
    F(AMDVI_CTRL_ISOC, "Isoc"),
    F(AMDVI_CTRL_CMD_BUF_EN, "CmdBufEn"),
    F(AMDVI_CTRL_PPR_LOG_EN, "PprLogEn"),
    F(AMDVI_CTRL_PPR_INT_EN, "PprIntEn"),
    F(AMDVI_CTRL_PPR_EN, "PprEn"),
    F(AMDVI_CTRL_GT_EN, "GTEn"),
    F(AMDVI_CTRL_GA_EN, "GAEn"),
    F(AMDVI_CTRL_HAD_UPDATE, "HADUpdate"),
    F(AMDVI_CTRL_XT_EN, "XTEn"),
    F(AMDVI_CTRL_INTCAP_XT_EN, "IntCapXTEn"),
    {0, NULL},
};

static const struct adf f_excl[] = {
    F(AMDVI_EXCL_ADDR, "Addr"),
    F(AMDVI_EXCL_ALLOW, "Allow"),
    F(AMDVI_EXCL_EN, "ExEn"),
    {0, NULL},
};

static const struct adf f_efr[] = {
    F(AMDVI_EFR_PREF_SUP, "PreFSup"),
    F(AMDVI_EFR_PPR_SUP, "PPRSup"),
    F(AMDVI_EFR_XT_SUP, "XTSup"),
    F(AMDVI_EFR_NX_SUP, "NXSup"),
    F(AMDVI_EFR_GT_SUP, "GTSup"),
    F(AMDVI_EFR_GAPPI_SUP, "GAPPISup"),
    F(AMDVI_EFR_IA_SUP, "IASup"),
    F(AMDVI_EFR_GA_SUP, "GASup"),
    F(AMDVI_EFR_HE_SUP, "HESup"),
    F(AMDVI_EFR_PC_SUP, "PCSup"),
    F(AMDVI_EFR_HATS, "HATS"),
    F(AMDVI_EFR_GATS, "GATS"),
    F(AMDVI_EFR_GLX_SUP, "GLXSup"),
    F(AMDVI_EFR_PASMAX, "PASmax"),
    F(AMDVI_EFR_US_SUP, "USSup"),
    F(AMDVI_EFR_GIO_SUP, "GIOSup"),
    F(AMDVI_EFR_HA_SUP, "HASup"),
    F(AMDVI_EFR_HD_SUP, "HDSup"),
    F(AMDVI_EFR_INV_IOTLB_TYPE, "InvIotlbTypeSup"),
    {0, NULL},
};

static const struct adf f_status[] = {
    F(AMDVI_STS_EVT_OVERFLOW, "EventOverflow"),
    F(AMDVI_STS_EVT_LOG_INT, "EventLogInt"),
    F(AMDVI_STS_COMWAIT_INT, "ComWaitInt"),
    F(AMDVI_STS_EVT_LOG_RUN, "EventLogRun"),
    F(AMDVI_STS_CMD_BUF_RUN, "CmdBufRun"),
    F(AMDVI_STS_PPR_OVERFLOW, "PprOverflow"),
    F(AMDVI_STS_PPR_INT, "PprInt"),
    F(AMDVI_STS_PPR_LOG_RUN, "PprLogRun"),
    F(AMDVI_STS_GA_LOG_RUN, "GALogRun"),
    F(AMDVI_STS_GA_OVERFLOW, "GAOverflow"),
    F(AMDVI_STS_GA_INT, "GAInt"),
    {0, NULL},
};

/* "Name 0x<value>: Field=v ..."; one-bit fields by name when set, address
 * fields (Base, Addr) as the address they hold. */
static void ad_reg(iommu_print_fn pr, void *c, const char *name, uint64_t v,
		   const struct adf *f)
{
	pr(c, "  %-16s 0x%016" PRIx64 ":", name, v);
	for (; f->name; f++) {
		const uint64_t x = amdvi_field_get(f->mask, v);

		if (!(f->mask & (f->mask - 1))) {
			if (x)
				pr(c, " %s", f->name);
		} else if (strstr(f->name, "Base") ||
			   !strcmp(f->name, "Addr")) {
			pr(c, " %s=0x%" PRIx64, f->name, v & f->mask);
		} else {
			pr(c, " %s=%" PRIu64, f->name, x);
		}
	}
	pr(c, "\n");
}

/* A ring of 2^Len 16-byte entries: head and tail as entry indices. */
static void ad_ring(iommu_print_fn pr, void *c, const char *name, uint64_t base,
		    uint64_t head, uint64_t tail, const char *state)
{
	const unsigned int len =
	    (unsigned int)amdvi_field_get(AMDVI_RING_LEN, base);
	const uint64_t n = 1ull << len;
	const uint64_t h = (head & AMDVI_RING_PTR) / AMDVI_ENTRY_SIZE;
	const uint64_t t = (tail & AMDVI_RING_PTR) / AMDVI_ENTRY_SIZE;

	pr(c,
	   "  %s (%s): %" PRIu64 " entries at 0x%" PRIx64 ", head %" PRIu64
	   " (0x%" PRIx64 "), tail %" PRIu64 " (0x%" PRIx64 "), %" PRIu64
	   " between them\n",
	   name, state, n, (uint64_t)(base & AMDVI_RING_BASE), h, head, t, tail,
	   (t + n - h % n) % n);
}

static void ad_cache(iommu_print_fn pr, void *c, const char *name,
		     const struct ilib_cache *ca)
{
	pr(c,
	   "  %-12s %" PRIu64 " of %" PRIu64 " entries (%u sets x %u ways)\n",
	   name, ilib_cache_count(ca),
	   (uint64_t)ilib_cache_nsets(ca) * ca->ways, ilib_cache_nsets(ca),
	   ca->ways);
}

int amdvi_hw_dump(void *opaque, iommu_print_fn pr, void *c)
{
	struct amdvi_hw *hw = opaque;
	uint64_t dtb, ctrl, excl_base, excl_limit, cmd_base, evt_base;
	uint64_t cmd_head, cmd_tail, evt_head, evt_tail, status;
	bool halted, stopped;

	if (!hw || !pr)
		return -EINVAL;
	pthread_mutex_lock(&hw->reg_lock);
	dtb = hw_ld(&hw->dtb);
	ctrl = hw_ld(&hw->ctrl);
	excl_base = hw_ld(&hw->excl_base);
	excl_limit = hw_ld(&hw->excl_limit) | 0xfff; /* 1.1: reads as ones */
	cmd_base = hw->cmd_base;
	evt_base = hw->evt_base;
	cmd_head = hw->cmd_head;
	cmd_tail = hw->cmd_tail;
	evt_head = hw->evt_head;
	evt_tail = hw->evt_tail;
	status = hw->status & AMDVI_STS_RW1C;
	if (amdvi_hw_evt_running(hw))
		status |= AMDVI_STS_EVT_LOG_RUN;
	if (amdvi_hw_cmd_running(hw))
		status |= AMDVI_STS_CMD_BUF_RUN;
	halted = hw->cmd_halted;
	stopped = hw->evt_stopped;
	pthread_mutex_unlock(&hw->reg_lock);

	pr(c, "registers (amdvi 1):\n");
	ad_reg(pr, c, "DevTableBase", dtb, f_devtab);
	ad_reg(pr, c, "CmdBufBase", cmd_base, f_ring);
	ad_reg(pr, c, "EventLogBase", evt_base, f_ring);
	ad_reg(pr, c, "Control", ctrl, f_ctrl);
	ad_reg(pr, c, "ExclusionBase", excl_base, f_excl);
	pr(c, "  %-16s 0x%016" PRIx64 "\n", "ExclusionLimit", excl_limit);
	ad_reg(pr, c, "ExtFeatures", hw->efr, f_efr);
	ad_reg(pr, c, "Status", status, f_status);
	pr(c,
	   "device table: %" PRIu64 " entries (%" PRIu32
	   " the unit takes at most)\n",
	   (amdvi_field_get(AMDVI_DEVTAB_SIZE, dtb) + 1) * AMDVI_DTE_PER_4K,
	   hw->devtab_max);
	pr(c, "rings:\n");
	ad_ring(pr, c, "command buffer", cmd_base, cmd_head, cmd_tail,
		halted				 ? "halted on an error"
		: status & AMDVI_STS_CMD_BUF_RUN ? "running"
						 : "stopped");
	ad_ring(pr, c, "event log", evt_base, evt_head, evt_tail,
		stopped				 ? "stopped by overflow"
		: status & AMDVI_STS_EVT_LOG_RUN ? "running"
						 : "stopped");
	pr(c, "caches:\n");
	ad_cache(pr, c, "device table", &hw->dtec);
	ad_cache(pr, c, "IOTLB", &hw->tlbc);
	return 0;
}
