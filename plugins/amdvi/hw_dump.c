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
#include "ilib_dump.h"

static const struct ilib_field f_devtab[] = {
    ILIB_FIELD_ADDR(AMDVI_DEVTAB_BASE, "DevTabBase"),
    ILIB_FIELD(AMDVI_DEVTAB_SIZE, "Size"),
    ILIB_FIELD_END,
};

static const struct ilib_field f_ring[] = {
    ILIB_FIELD(AMDVI_RING_LEN, "Len"),
    ILIB_FIELD_ADDR(AMDVI_RING_BASE, "Base"),
    ILIB_FIELD_END,
};

static const struct ilib_field f_ctrl[] = {
    ILIB_FIELD(AMDVI_CTRL_IOMMU_EN, "IommuEn"),
    ILIB_FIELD(AMDVI_CTRL_HT_TUN_EN, "HtTunEn"),
    ILIB_FIELD(AMDVI_CTRL_EVT_LOG_EN, "EventLogEn"),
    ILIB_FIELD(AMDVI_CTRL_EVT_INT_EN, "EventIntEn"),
    ILIB_FIELD(AMDVI_CTRL_COMWAIT_INT_EN, "ComWaitIntEn"),
    ILIB_FIELD(AMDVI_CTRL_INV_TIMEOUT, "InvTimeOut"),
    ILIB_FIELD(AMDVI_CTRL_PASS_PW, "PassPW"),
    ILIB_FIELD(AMDVI_CTRL_RES_PASS_PW, "ResPassPW"),
    ILIB_FIELD(AMDVI_CTRL_COHERENT, "Coherent"),
    ILIB_FIELD(AMDVI_CTRL_ISOC, "Isoc"),
    ILIB_FIELD(AMDVI_CTRL_CMD_BUF_EN, "CmdBufEn"),
    ILIB_FIELD(AMDVI_CTRL_PPR_LOG_EN, "PprLogEn"),
    ILIB_FIELD(AMDVI_CTRL_PPR_INT_EN, "PprIntEn"),
    ILIB_FIELD(AMDVI_CTRL_PPR_EN, "PprEn"),
    ILIB_FIELD(AMDVI_CTRL_GT_EN, "GTEn"),
    ILIB_FIELD(AMDVI_CTRL_GA_EN, "GAEn"),
    ILIB_FIELD(AMDVI_CTRL_HAD_UPDATE, "HADUpdate"),
    ILIB_FIELD(AMDVI_CTRL_XT_EN, "XTEn"),
    ILIB_FIELD(AMDVI_CTRL_INTCAP_XT_EN, "IntCapXTEn"),
    ILIB_FIELD_END,
};

static const struct ilib_field f_excl[] = {
    ILIB_FIELD_ADDR(AMDVI_EXCL_ADDR, "Addr"),
    ILIB_FIELD(AMDVI_EXCL_ALLOW, "Allow"),
    ILIB_FIELD(AMDVI_EXCL_EN, "ExEn"),
    ILIB_FIELD_END,
};

static const struct ilib_field f_efr[] = {
    ILIB_FIELD(AMDVI_EFR_PREF_SUP, "PreFSup"),
    ILIB_FIELD(AMDVI_EFR_PPR_SUP, "PPRSup"),
    ILIB_FIELD(AMDVI_EFR_XT_SUP, "XTSup"),
    ILIB_FIELD(AMDVI_EFR_NX_SUP, "NXSup"),
    ILIB_FIELD(AMDVI_EFR_GT_SUP, "GTSup"),
    ILIB_FIELD(AMDVI_EFR_GAPPI_SUP, "GAPPISup"),
    ILIB_FIELD(AMDVI_EFR_IA_SUP, "IASup"),
    ILIB_FIELD(AMDVI_EFR_GA_SUP, "GASup"),
    ILIB_FIELD(AMDVI_EFR_HE_SUP, "HESup"),
    ILIB_FIELD(AMDVI_EFR_PC_SUP, "PCSup"),
    ILIB_FIELD(AMDVI_EFR_HATS, "HATS"),
    ILIB_FIELD(AMDVI_EFR_GATS, "GATS"),
    ILIB_FIELD(AMDVI_EFR_GLX_SUP, "GLXSup"),
    ILIB_FIELD(AMDVI_EFR_PASMAX, "PASmax"),
    ILIB_FIELD(AMDVI_EFR_US_SUP, "USSup"),
    ILIB_FIELD(AMDVI_EFR_GIO_SUP, "GIOSup"),
    ILIB_FIELD(AMDVI_EFR_HA_SUP, "HASup"),
    ILIB_FIELD(AMDVI_EFR_HD_SUP, "HDSup"),
    ILIB_FIELD(AMDVI_EFR_INV_IOTLB_TYPE, "InvIotlbTypeSup"),
    ILIB_FIELD_END,
};

static const struct ilib_field f_status[] = {
    ILIB_FIELD(AMDVI_STS_EVT_OVERFLOW, "EventOverflow"),
    ILIB_FIELD(AMDVI_STS_EVT_LOG_INT, "EventLogInt"),
    ILIB_FIELD(AMDVI_STS_COMWAIT_INT, "ComWaitInt"),
    ILIB_FIELD(AMDVI_STS_EVT_LOG_RUN, "EventLogRun"),
    ILIB_FIELD(AMDVI_STS_CMD_BUF_RUN, "CmdBufRun"),
    ILIB_FIELD(AMDVI_STS_PPR_OVERFLOW, "PprOverflow"),
    ILIB_FIELD(AMDVI_STS_PPR_INT, "PprInt"),
    ILIB_FIELD(AMDVI_STS_PPR_LOG_RUN, "PprLogRun"),
    ILIB_FIELD(AMDVI_STS_GA_LOG_RUN, "GALogRun"),
    ILIB_FIELD(AMDVI_STS_GA_OVERFLOW, "GAOverflow"),
    ILIB_FIELD(AMDVI_STS_GA_INT, "GAInt"),
    ILIB_FIELD_END,
};

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
	ilib_dump_reg(pr, c, 16, "DevTableBase", dtb, f_devtab);
	ilib_dump_reg(pr, c, 16, "CmdBufBase", cmd_base, f_ring);
	ilib_dump_reg(pr, c, 16, "EventLogBase", evt_base, f_ring);
	ilib_dump_reg(pr, c, 16, "Control", ctrl, f_ctrl);
	ilib_dump_reg(pr, c, 16, "ExclusionBase", excl_base, f_excl);
	pr(c, "  %-16s 0x%016" PRIx64 "\n", "ExclusionLimit", excl_limit);
	ilib_dump_reg(pr, c, 16, "ExtFeatures", hw->efr, f_efr);
	ilib_dump_reg(pr, c, 16, "Status", status, f_status);
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
	ilib_dump_cache(pr, c, 12, "device table", &hw->dtec);
	ilib_dump_cache(pr, c, 12, "IOTLB", &hw->tlbc);
	return 0;
}
