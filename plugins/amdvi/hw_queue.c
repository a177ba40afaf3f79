// SPDX-License-Identifier: MIT
/*
 * hw_queue.c - the AMD-Vi command-buffer consumer (amdvi 5).  Commands
 * run in order from Head to Tail on the thread of the register write that
 * made them runnable, at most one ring's worth per call.  Halting rules
 * and what each command does are in hw.h.
 */
#include <errno.h>
#include <string.h>

#include "hw.h"

/* 1.2: 2^ComLen entries, valid lengths only.  Context: reg_lock. */
static unsigned int hw_cmd_len(const struct amdvi_hw *hw)
{
	unsigned int len =
	    (unsigned int)amdvi_field_get(AMDVI_RING_LEN, hw->cmd_base);

	if (len < AMDVI_RING_LEN_MIN || len > hw->cmd_len_max)
		return 0;
	return len;
}

/* Status.CmdBufRun (1.4).  Context: reg_lock. */
bool amdvi_hw_cmd_running(const struct amdvi_hw *hw)
{
	const uint64_t need = AMDVI_CTRL_IOMMU_EN | AMDVI_CTRL_CMD_BUF_EN;

	return (hw_ld(&hw->ctrl) & need) == need && !hw->cmd_halted &&
	       hw_cmd_len(hw);
}

/*
 * amdvi_inv_range() - decode S and Address of an invalidation (5.4)
 * @q1: the command's qword 1
 * @first, @last: the inclusive range
 * Return: 1 for the whole address space, else 0.
 */
int amdvi_inv_range(uint64_t q1, uint64_t *first, uint64_t *last)
{
	const uint64_t addr = q1 & AMDVI_INV1_ADDR;
	uint64_t zeros;
	unsigned int j;

	if (!(q1 & AMDVI_INV1_S)) {
		*first = addr;
		*last = addr + 0xfff;
		return 0;
	}
	zeros = ~(addr | 0xfffull);
	j = zeros ? (unsigned int)__builtin_ctzll(zeros) : 64;
	if (j >= AMDVI_INV_ALL_BIT) {
		*first = 0;
		*last = UINT64_MAX;
		return 1;
	}
	*first = addr & ~((2ull << j) - 1);
	*last = *first + (2ull << j) - 1;
	return 0;
}

/* Is any reserved bit of command @c (qwords) set?  Opcode known. */
static bool hw_cmd_rsvd(const struct amdvi_hw *hw, unsigned int op,
			const uint64_t *c)
{
	switch (op) {
	case AMDVI_CMD_COMPLETION_WAIT:
		return c[0] & AMDVI_CW0_RSVD;
	case AMDVI_CMD_INV_DEVTAB_ENTRY:
	case AMDVI_CMD_INV_INTR_TABLE:
		return (c[0] & AMDVI_IDT0_RSVD) || c[1];
	case AMDVI_CMD_INV_IOMMU_PAGES:
		return (c[0] & AMDVI_IIP0_RSVD) || (c[1] & AMDVI_IIP1_RSVD);
	case AMDVI_CMD_INV_IOTLB_PAGES:
		return (c[1] & AMDVI_IOTLB1_RSVD) ||
		       (!(hw->efr & AMDVI_EFR_INV_IOTLB_TYPE) &&
			(c[1] & AMDVI_IOTLB1_TYPE));
	case AMDVI_CMD_PREFETCH_PAGES:
		return (c[0] & AMDVI_PF0_RSVD) || (c[1] & AMDVI_PF1_RSVD);
	case AMDVI_CMD_COMPLETE_PPR:
		return (c[0] & AMDVI_PPR0_RSVD) || (c[1] & AMDVI_PPR1_RSVD);
	case AMDVI_CMD_INV_IOMMU_ALL:
		return (c[0] & AMDVI_ALL0_RSVD) || c[1];
	default:
		return true;
	}
}

/* Does this unit implement opcode @op (5.2 and the EFR bits)? */
static bool hw_cmd_known(const struct amdvi_hw *hw, unsigned int op)
{
	switch (op) {
	case AMDVI_CMD_COMPLETION_WAIT:
	case AMDVI_CMD_INV_DEVTAB_ENTRY:
	case AMDVI_CMD_INV_IOMMU_PAGES:
	case AMDVI_CMD_INV_IOTLB_PAGES:
	case AMDVI_CMD_INV_INTR_TABLE:
		return true;
	case AMDVI_CMD_PREFETCH_PAGES:
		return hw->efr & AMDVI_EFR_PREF_SUP;
	case AMDVI_CMD_COMPLETE_PPR:
		return hw->efr & AMDVI_EFR_PPR_SUP;
	case AMDVI_CMD_INV_IOMMU_ALL:
		return hw->efr & AMDVI_EFR_IA_SUP;
	default:
		return false;
	}
}

/*
 * hw_cmd_exec() - run one command
 * Return: 0; -EINVAL illegal (ILLEGAL_COMMAND_ERROR); -EFAULT the
 * COMPLETION_WAIT store failed (COMMAND_HARDWARE_ERROR at *@bad).
 * Context: reg_lock held.
 */
static int hw_cmd_exec(struct amdvi_hw *hw, const uint64_t *c,
		       struct hw_irqs *irq, uint64_t *bad, unsigned int *inval)
{
	const unsigned int op =
	    (unsigned int)amdvi_field_get(AMDVI_CMD_OPCODE, c[0]);
	uint64_t first, last;
	uint32_t tag;

	if (!hw_cmd_known(hw, op) || hw_cmd_rsvd(hw, op, c))
		return -EINVAL;
	switch (op) {
	case AMDVI_CMD_COMPLETION_WAIT:
		if (c[0] & AMDVI_CW0_S) {
			/* The store, as the release of the wait: whoever
			 * sees it sees every command before it done. */
			*bad = c[0] & AMDVI_CW0_ADDR;
			if (ilib_mem_store_le(hw->host, &hw->cw_spot, *bad,
					      c[1], 8))
				return -EFAULT;
		}
		if (c[0] & AMDVI_CW0_I) {
			if (!(hw->status & AMDVI_STS_COMWAIT_INT) &&
			    (hw_ld(&hw->ctrl) & AMDVI_CTRL_COMWAIT_INT_EN))
				irq->comwait = true;
			hw->status |= AMDVI_STS_COMWAIT_INT;
		}
		break;
	case AMDVI_CMD_INV_DEVTAB_ENTRY:
		amdvi_hw_inv_dte(hw, (uint16_t)(c[0] & AMDVI_CMD0_DEVID));
		(*inval)++;
		break;
	case AMDVI_CMD_INV_IOMMU_PAGES:
		tag =
		    c[1] & AMDVI_INV1_GN
			? (uint32_t)amdvi_field_get(AMDVI_IIP0_PASID, c[0]) + 1
			: 0;
		/* 5.4: PDE = 1 also removes cached directory entries; 0
		 * only leaves, and the PDE cache stays (hw.h). */
		if (c[1] & AMDVI_INV1_PDE)
			amdvi_hw_walk_flush(hw);
		amdvi_inv_range(c[1], &first, &last);
		amdvi_hw_inv_pages(
		    hw, (uint16_t)amdvi_field_get(AMDVI_IIP0_DOMID, c[0]), tag,
		    first, last);
		(*inval)++;
		break;
	case AMDVI_CMD_INV_IOMMU_ALL:
		amdvi_hw_inv_all(hw);
		(*inval)++;
		break;
	default:
		/* IOTLB_PAGES, INTR_TABLE, PREFETCH, COMPLETE_PPR: checked,
		 * nothing cached they could act on (hw.h). */
		if (op != AMDVI_CMD_PREFETCH_PAGES &&
		    op != AMDVI_CMD_COMPLETE_PPR)
			(*inval)++;
		break;
	}
	return 0;
}

/*
 * amdvi_hw_cmd_run() - consume commands from Head to Tail (5.1)
 * Stops at an illegal command or a failed fetch / store (halting the
 * buffer, with the event), at Tail, or after one ring's worth.
 * Context: reg_lock held; @irq collects interrupts to signal.
 */
void amdvi_hw_cmd_run(struct amdvi_hw *hw, struct hw_irqs *irq)
{
	unsigned int cmds = 0, inval = 0;
	const struct ilib_ring *r;
	struct hw_event ev;
	uint32_t head, tail;
	uint64_t c[2], bad = 0;
	int ret;

	if (!amdvi_hw_cmd_running(hw))
		return;
	/* Outside RAM it stays unbound, and each read below faults. */
	r = ilib_ring_cached_get(&hw->cmd_ring, hw->host, hw->cmd_base,
				 hw->cmd_base & AMDVI_RING_BASE,
				 AMDVI_ENTRY_SIZE, 1ull << hw_cmd_len(hw), 0);
	if (!r ||
	    ilib_ring_pos_of_offset(r, hw->cmd_head & AMDVI_RING_PTR, &head) ||
	    ilib_ring_pos_of_offset(r, hw->cmd_tail & AMDVI_RING_PTR, &tail))
		return;
	for (uint32_t n = 0; n < ilib_ring_count(r) && head != tail; n++) {
		const uint64_t cpa = (hw->cmd_base & AMDVI_RING_BASE) +
				     ilib_ring_offset(r, head);

		if (ilib_ring_read_le64(r, hw->host, head, c)) {
			amdvi_evt_simple(&ev, AMDVI_EVT_COMMAND_HW_ERROR, 0, 0,
					 AMDVI_HWERR_MASTER_ABORT, cpa);
			hw->cmd_halted = true;
			amdvi_hw_log_event_locked(hw, &ev, irq);
			break;
		}
		ilib_trace_raw(hw->host, IOMMU_TR_CMD_CONSUMED,
			       "amdvi command buffer", 0, 0, c,
			       2 * sizeof(uint64_t));
		ret = hw_cmd_exec(hw, c, irq, &bad, &inval);
		if (ret == -EINVAL) {
			amdvi_evt_simple(&ev, AMDVI_EVT_ILLEGAL_COMMAND, 0, 0,
					 0, cpa);
			hw->cmd_halted = true;
			amdvi_hw_log_event_locked(hw, &ev, irq);
			break;
		}
		if (ret) {
			amdvi_evt_simple(&ev, AMDVI_EVT_COMMAND_HW_ERROR, 0, 0,
					 AMDVI_HWERR_MASTER_ABORT, bad);
			hw->cmd_halted = true;
			amdvi_hw_log_event_locked(hw, &ev, irq);
			break;
		}
		cmds++;
		head = ilib_ring_next(r, head);
		hw->cmd_head = ilib_ring_offset(r, head);
	}
	ilib_stat(hw->host, IOMMU_STAT_QUEUE_CMDS, cmds);
	ilib_stat(hw->host, IOMMU_STAT_INVAL_CMDS, inval);
}
