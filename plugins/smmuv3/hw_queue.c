// SPDX-License-Identifier: MIT
/*
 * hw_queue.c - the SMMUv3 model's command queue consumer (smmuv3 5):
 * each command is fetched through the host's bounds-checked memory,
 * checked field by field (RES0 bits, absent features, range encodings)
 * and carried out against the configuration cache and the TLB with the
 * scope smmuv3 9.2 gives it; a bad one stops the queue with CERROR_ILL
 * or CERROR_ABT (7.1).  The decisions (strict RES0 checks, CMD_SYNC
 * signalling, TTL) are in hw.h.
 */
#include <errno.h>

#include "hw.h"

#define HW_OP SMMU_CMD_DW0_OPCODE

/* What a command may carry in each doubleword besides its opcode. */
struct hw_cmd_fmt {
	uint64_t dw0, dw1;
};

/* Fields of a TLBI_* command that exist on this SMMU. */
static uint64_t hw_asid_mask(const struct smmu_hw *hw)
{
	return hw->asid16 ? SMMU_CMD_DW0_ASID : SMMU_GENMASK(55, 48);
}

static uint64_t hw_vmid_mask(const struct smmu_hw *hw)
{
	if (!hw->s2p)
		return 0; /* no VMIDs: the field is RES0 */
	return hw->vmid16 ? SMMU_CMD_DW0_VMID : SMMU_GENMASK(39, 32);
}

static uint64_t hw_range0(const struct smmu_hw *hw)
{
	return hw->ril ? SMMU_CMD_TLBI_DW0_NUM | SMMU_CMD_TLBI_DW0_SCALE : 0;
}

static uint64_t hw_range1(const struct smmu_hw *hw)
{
	return SMMU_CMD_TLBI_DW1_LEAF |
	       (hw->ril ? SMMU_CMD_TLBI_DW1_TTL | SMMU_CMD_TLBI_DW1_TG : 0);
}

/*
 * hw_cmd_fmt() - the fields opcode @op has on this SMMU (smmuv3 5.2-5.4)
 * Return: false for a reserved opcode or one of an absent feature
 * (CERROR_ILL, hw.h).
 */
static bool hw_cmd_fmt(const struct smmu_hw *hw, unsigned int op,
		       struct hw_cmd_fmt *f)
{
	const uint64_t sid = SMMU_CMD_DW0_SID, ssid = SMMU_CMD_DW0_SSID;

	f->dw0 = f->dw1 = 0;
	switch (op) {
	case SMMU_CMD_PREFETCH_CONFIG:
		f->dw0 = SMMU_CMD_DW0_SSV | ssid | sid;
		return true;
	case SMMU_CMD_PREFETCH_ADDR:
		f->dw0 = SMMU_CMD_DW0_SSV | ssid | sid;
		f->dw1 = ~0ull; /* 10.3: Stride / NS unknown, not checked */
		return true;
	case SMMU_CMD_CFGI_STE:
		f->dw0 = sid;
		f->dw1 = SMMU_CMD_CFGI_DW1_LEAF;
		return true;
	case SMMU_CMD_CFGI_STE_RANGE:
		f->dw0 = sid;
		f->dw1 = SMMU_CMD_CFGI_DW1_RANGE;
		return true;
	case SMMU_CMD_CFGI_CD:
		f->dw0 = ssid | sid;
		f->dw1 = SMMU_CMD_CFGI_DW1_LEAF;
		return hw->s1p;
	case SMMU_CMD_CFGI_CD_ALL:
		f->dw0 = sid;
		return hw->s1p;
	case SMMU_CMD_TLBI_NH_ALL:
		f->dw0 = hw_vmid_mask(hw);
		return hw->s1p;
	case SMMU_CMD_TLBI_NH_ASID:
		f->dw0 = hw_vmid_mask(hw) | hw_asid_mask(hw);
		return hw->s1p;
	case SMMU_CMD_TLBI_NH_VA:
		f->dw0 = hw_range0(hw) | hw_vmid_mask(hw) | hw_asid_mask(hw);
		f->dw1 = hw_range1(hw) | SMMU_CMD_DW1_VA;
		return hw->s1p;
	case SMMU_CMD_TLBI_NH_VAA:
		f->dw0 = hw_range0(hw) | hw_vmid_mask(hw);
		f->dw1 = hw_range1(hw) | SMMU_CMD_DW1_VA;
		return hw->s1p;
	case SMMU_CMD_TLBI_EL2_ALL:
		return hw->hyp;
	case SMMU_CMD_TLBI_EL2_ASID:
		f->dw0 = hw_asid_mask(hw);
		return hw->hyp;
	case SMMU_CMD_TLBI_EL2_VA:
		f->dw0 = hw_range0(hw) | hw_asid_mask(hw);
		f->dw1 = hw_range1(hw) | SMMU_CMD_DW1_VA;
		return hw->hyp;
	case SMMU_CMD_TLBI_EL2_VAA:
		f->dw0 = hw_range0(hw);
		f->dw1 = hw_range1(hw) | SMMU_CMD_DW1_VA;
		return hw->hyp;
	case SMMU_CMD_TLBI_S12_VMALL:
		f->dw0 = hw_vmid_mask(hw);
		return hw->s2p;
	case SMMU_CMD_TLBI_S2_IPA:
		f->dw0 = hw_range0(hw) | hw_vmid_mask(hw);
		f->dw1 = hw_range1(hw) | SMMU_CMD_DW1_IPA;
		return hw->s2p;
	case SMMU_CMD_TLBI_NSNH_ALL:
		return true;
	case SMMU_CMD_ATC_INV:
		f->dw0 =
		    SMMU_CMD_ATC_DW0_GLOBAL | SMMU_CMD_DW0_SSV | ssid | sid;
		f->dw1 = SMMU_CMD_ATC_DW1_SIZE | SMMU_CMD_ATC_DW1_ADDR;
		return hw->ats;
	case SMMU_CMD_SYNC:
		f->dw0 = SMMU_CMD_SYNC_DW0_CS | SMMU_CMD_SYNC_DW0_MSH |
			 SMMU_CMD_SYNC_DW0_MSIATTR | SMMU_CMD_SYNC_DW0_MSIDATA;
		f->dw1 = SMMU_CMD_SYNC_DW1_MSIADDR;
		return true;
	default:
		/* CFGI_VMS_PIDM (no VMS), PRI_RESP (no PRI), RESUME and
		 * STALL_TERM (terminate model), DPTI_* (no DPT), the EL3 and
		 * Secure TLBIs, IMPDEF and reserved opcodes. */
		return false;
	}
}

/*
 * hw_tlbi_range() - the input range of a TLBI_*VA* / S2_IPA (smmuv3 5.5)
 * Return: 0 and m->first/last/ttl/tg_g, or CERROR_ILL.
 */
static unsigned int hw_tlbi_range(const struct smmu_hw *hw, uint64_t dw0,
				  uint64_t dw1, uint64_t addr,
				  struct hw_tlbi *m)
{
	unsigned int tg =
	    (unsigned int)smmu_field_get(SMMU_CMD_TLBI_DW1_TG, dw1);
	unsigned int ttl =
	    (unsigned int)smmu_field_get(SMMU_CMD_TLBI_DW1_TTL, dw1);
	unsigned int num =
	    (unsigned int)smmu_field_get(SMMU_CMD_TLBI_DW0_NUM, dw0);
	unsigned int scale =
	    (unsigned int)smmu_field_get(SMMU_CMD_TLBI_DW0_SCALE, dw0);
	uint64_t bytes;
	unsigned int g;

	m->range_on = true;
	m->first = addr;
	if (tg == SMMU_TLBI_TG_NONE) {
		if (ttl || num || scale)
			return SMMU_CERROR_ILL; /* RES0 with TG = 0 */
		m->last = addr;
		return 0;
	}
	if (!num && !scale && !ttl)
		return SMMU_CERROR_ILL; /* reserved (5.5) */
	g = tg == SMMU_TLBI_TG_4K ? 12 : tg == SMMU_TLBI_TG_16K ? 14 : 16;
	/* (NUM + 1) * 2^SCALE granules: below 2^53, no overflow. */
	bytes = (uint64_t)(num + 1) << (scale + g);
	m->last = addr + (bytes - 1) < addr ? UINT64_MAX : addr + (bytes - 1);
	/* A level the granule holds no leaf at is no hint (hw.h). */
	if ((ttl == 1 && g == 14) || (ttl == 1 && g == 16 && hw->oas != 52))
		ttl = 0;
	m->ttl = (uint8_t)ttl;
	m->tg_g = (uint8_t)g;
	return 0;
}

#define K_ST1	 ((uint8_t)(1u << HW_K_S1 | 1u << HW_K_S12))
#define W_EL1	 ((uint8_t)(1u << HW_W_EL1))
#define W_EL2ANY ((uint8_t)(1u << HW_W_EL2 | 1u << HW_W_E2H))

/*
 * hw_cmd_tlbi() - a TLBI_* command (smmuv3 9.2): a whole scope in O(1)
 * (smmu_hw_tlbi_scope), an address range through smmu_hw_tlbi
 * Return: 0 or CERROR_ILL.
 */
static unsigned int hw_cmd_tlbi(struct smmu_hw *hw, unsigned int op,
				uint64_t dw0, uint64_t dw1)
{
	uint16_t vmid = (uint16_t)smmu_field_get(SMMU_CMD_DW0_VMID, dw0);
	uint16_t asid = (uint16_t)smmu_field_get(SMMU_CMD_DW0_ASID, dw0);
	bool e2h = hw->cr2 & SMMU_CR2_E2H;
	struct hw_tlbi m = {.vmid = vmid, .asid = asid};
	unsigned int err;

	switch (op) {
	case SMMU_CMD_TLBI_NH_ALL:
		smmu_hw_tlbi_scope(hw, HW_EP_VMID_S1, HW_W_EL1, vmid, 0);
		return 0;
	case SMMU_CMD_TLBI_NH_ASID:
		smmu_hw_tlbi_scope(hw, HW_EP_ASID, HW_W_EL1, vmid, asid);
		return 0;
	case SMMU_CMD_TLBI_EL2_ALL:
		smmu_hw_tlbi_scope(hw, HW_EP_WORLD, HW_W_EL2, 0, 0);
		smmu_hw_tlbi_scope(hw, HW_EP_WORLD, HW_W_E2H, 0, 0);
		return 0;
	case SMMU_CMD_TLBI_EL2_ASID:
		smmu_hw_tlbi_scope(hw, HW_EP_ASID, HW_W_E2H, 0, asid);
		return 0;
	case SMMU_CMD_TLBI_S12_VMALL:
		smmu_hw_tlbi_scope(hw, HW_EP_VMID, HW_W_EL1, vmid, 0);
		return 0;
	case SMMU_CMD_TLBI_NSNH_ALL:
		smmu_hw_tlbi_scope(hw, HW_EP_WORLD, HW_W_EL1, 0, 0);
		return 0;
	case SMMU_CMD_TLBI_NH_VA:
		m.asid_on = m.with_global = true;
		/* fall through */
	case SMMU_CMD_TLBI_NH_VAA:
		m.kinds = K_ST1;
		m.worlds = W_EL1;
		m.vmid_on = true;
		err = hw_tlbi_range(hw, dw0, dw1, dw1 & SMMU_CMD_DW1_VA, &m);
		break;
	case SMMU_CMD_TLBI_EL2_VA:
		m.kinds = K_ST1;
		/* ASID only with CR2.E2H (9.2). */
		m.worlds = e2h ? 1u << HW_W_E2H : 1u << HW_W_EL2;
		m.asid_on = m.with_global = e2h;
		err = hw_tlbi_range(hw, dw0, dw1, dw1 & SMMU_CMD_DW1_VA, &m);
		break;
	case SMMU_CMD_TLBI_EL2_VAA:
		m.kinds = K_ST1;
		m.worlds = W_EL2ANY;
		err = hw_tlbi_range(hw, dw0, dw1, dw1 & SMMU_CMD_DW1_VA, &m);
		break;
	default: /* TLBI_S2_IPA */
		m.kinds = 1u << HW_K_S2;
		m.worlds = W_EL1;
		m.vmid_on = true;
		err = hw_tlbi_range(hw, dw0, dw1, dw1 & SMMU_CMD_DW1_IPA, &m);
		break;
	}
	if (m.worlds != W_EL1)
		m.vmid = 0; /* EL2 entries carry no VMID */
	if (!err)
		smmu_hw_tlbi(hw, &m);
	return err;
}

/* CMD_SYNC (smmuv3 5.6): every earlier command is done; signal. */
static unsigned int hw_cmd_sync(struct smmu_hw *hw, uint64_t dw0, uint64_t dw1,
				struct hw_irqs *irq)
{
	unsigned int cs =
	    (unsigned int)smmu_field_get(SMMU_CMD_SYNC_DW0_CS, dw0);

	if (cs == 3)
		return SMMU_CERROR_ILL;
	if (cs == SMMU_SYNC_CS_IRQ)
		smmu_hw_msi_or_irq(
		    hw, dw1 & SMMU_CMD_SYNC_DW1_MSIADDR,
		    (uint32_t)smmu_field_get(SMMU_CMD_SYNC_DW0_MSIDATA, dw0),
		    &irq->sync);
	return 0;
}

/*
 * hw_cmd_walks() - does command @op apply to walk caches (smmuv3 9.2)?
 * Every CFGI_* and every TLBI but those by address with Leaf = 1
 * (TLBI_NH_VA, NH_VAA, EL2_VA, EL2_VAA, S2_IPA), which need remove only
 * last-level entries.  The walk cache is then flushed whole (hw.h).
 */
static bool hw_cmd_walks(unsigned int op, uint64_t dw1)
{
	switch (op) {
	case SMMU_CMD_TLBI_NH_VA:
	case SMMU_CMD_TLBI_NH_VAA:
	case SMMU_CMD_TLBI_EL2_VA:
	case SMMU_CMD_TLBI_EL2_VAA:
	case SMMU_CMD_TLBI_S2_IPA:
		return !(dw1 & SMMU_CMD_TLBI_DW1_LEAF);
	case SMMU_CMD_ATC_INV:
	case SMMU_CMD_PREFETCH_CONFIG:
	case SMMU_CMD_PREFETCH_ADDR:
	case SMMU_CMD_SYNC:
		return false;
	default: /* CFGI_*, the TLBIs of a whole scope */
		return true;
	}
}

/*
 * hw_cmd_exec() - check and carry out one command
 * @inval: set for an invalidation (counted in IOMMU_STAT_INVAL_CMDS)
 * Return: 0 or the CERROR code.
 * Context: reg_lock held.
 */
static unsigned int hw_cmd_exec(struct smmu_hw *hw, const uint64_t dw[2],
				bool *inval, struct hw_irqs *irq)
{
	unsigned int op = (unsigned int)smmu_field_get(HW_OP, dw[0]);
	uint32_t sid = (uint32_t)smmu_field_get(SMMU_CMD_DW0_SID, dw[0]);
	uint32_t ssid = (uint32_t)smmu_field_get(SMMU_CMD_DW0_SSID, dw[0]);
	unsigned int range;
	struct hw_cmd_fmt f;
	uint64_t n;

	*inval = false;
	if (!hw_cmd_fmt(hw, op, &f))
		return SMMU_CERROR_ILL;
	/* SSec (bit 10) is in no format: 1 on the Non-secure queue is ILL. */
	if ((dw[0] & ~(f.dw0 | HW_OP)) || (dw[1] & ~f.dw1))
		return SMMU_CERROR_ILL;
	*inval = true;
	/*
	 * The walk cache before the TLB: a translation that reads the TLB's
	 * generation after this command bumped it finds the walk cache
	 * flushed too, so no walk resumed from a removed table enters the
	 * TLB.  (A range TLBI refused below for its encoding has flushed it
	 * already: more than asked, never less.)
	 */
	if (hw_cmd_walks(op, dw[1]))
		ilib_walk_cache_flush(&hw->walkc);
	switch (op) {
	case SMMU_CMD_CFGI_STE:
		smmu_hw_cfgi_ste(hw, sid, sid);
		return 0;
	case SMMU_CMD_CFGI_STE_RANGE:
		range = (unsigned int)smmu_field_get(SMMU_CMD_CFGI_DW1_RANGE,
						     dw[1]);
		if (range == SMMU_CMD_CFGI_RANGE_ALL) {
			smmu_hw_cfgi_ste(hw, 0, UINT32_MAX);
			return 0;
		}
		n = 1ull << (range + 1); /* 2^(Range+1) SIDs, aligned */
		sid &= (uint32_t) ~(n - 1);
		smmu_hw_cfgi_ste(hw, sid, (uint32_t)(sid + (n - 1)));
		return 0;
	case SMMU_CMD_CFGI_CD:
		smmu_hw_cfgi_cd(hw, sid, true, ssid);
		return 0;
	case SMMU_CMD_CFGI_CD_ALL:
		smmu_hw_cfgi_cd(hw, sid, false, 0);
		return 0;
	case SMMU_CMD_ATC_INV:
		return 0; /* no ATC in the model: the endpoint's (hw.h) */
	case SMMU_CMD_PREFETCH_CONFIG:
	case SMMU_CMD_PREFETCH_ADDR:
		*inval = false;
		return 0; /* hints (10.3) */
	case SMMU_CMD_SYNC:
		*inval = false;
		return hw_cmd_sync(hw, dw[0], dw[1], irq);
	default:
		return hw_cmd_tlbi(hw, op, dw[0], dw[1]);
	}
}

/* Stop the queue on the command at CONS with @err (smmuv3 7.1). */
static void hw_cmdq_error(struct smmu_hw *hw, unsigned int err,
			  struct hw_irqs *irq)
{
	hw->cmdq_cons = (hw->cmdq_cons & ~(uint32_t)SMMU_CMDQ_CONS_ERR) |
			(uint32_t)smmu_field_prep(SMMU_CMDQ_CONS_ERR, err);
	smmu_hw_gerror(hw, (uint32_t)SMMU_GERROR_CMDQ_ERR, irq);
}

/*
 * hw_cmd_read() - command @idx of the queue at @base, 2^@q entries
 * Through the queue as CMDQ_BASE describes it (ilib_ring_cached_get(): bound
 * to RAM once per register value); a one-entry queue, which an ilib_ring
 * cannot describe, through the host's bounds-checked memory.
 * Context: reg_lock held.  Return: 0; -EFAULT not memory.
 */
static int hw_cmd_read(struct smmu_hw *hw, uint64_t base, unsigned int q,
		       uint32_t idx, uint64_t dw[2])
{
	const struct ilib_ring *r =
	    ilib_ring_cached_get(&hw->cmdq_ring, hw->host, hw->cmdq_base, base,
				 SMMU_CMD_SIZE, 1ull << q, 0);

	if (r)
		return ilib_ring_read_le64(r, hw->host, idx, dw);
	return ilib_mem_read_le64(hw->host,
				  base + (uint64_t)idx * SMMU_CMD_SIZE, dw, 2);
}

/**
 * smmu_hw_cmdq_run() - consume commands from CONS up to PROD (smmuv3 5.1)
 * @hw: model
 * @irq: wired interrupts to raise afterwards
 *
 * Nothing happens while CMDQEN = 0 or CMDQ_ERR is active.  At most the
 * queue's entries are consumed per call (DESIGN rule 15); a bad command
 * stops the queue with CONS on it.
 * Context: reg_lock held; takes cache set locks.
 */
void smmu_hw_cmdq_run(struct smmu_hw *hw, struct hw_irqs *irq)
{
	unsigned int q = hw_q_lg2(hw->cmdq_base, hw->cmdqs);
	uint64_t base = hw_q_base(hw->cmdq_base, q, SMMU_CMD_SIZE);
	uint32_t prod = hw_q_pos(hw->cmdq_prod, q);
	uint32_t cons = hw_q_pos(hw->cmdq_cons, q);
	uint64_t cmds = 0, invals = 0, budget = 1ull << q;

	if (!(hw->cr0 & SMMU_CR0_CMDQEN) ||
	    ((hw->gerror ^ hw->gerrorn) & SMMU_GERROR_CMDQ_ERR))
		return;
	while (cons != prod && budget--) {
		uint64_t dw[2];
		unsigned int err;
		bool inval;

		if (hw_cmd_read(hw, base, q, cons & ((1u << q) - 1), dw)) {
			hw_cmdq_error(hw, SMMU_CERROR_ABT, irq);
			break;
		}
		ilib_trace_raw(hw->host, IOMMU_TR_CMD_CONSUMED, "smmuv3 cmdq",
			       0, 0, dw, sizeof(dw));
		err = hw_cmd_exec(hw, dw, &inval, irq);
		if (err) {
			hw_cmdq_error(hw, err, irq);
			break;
		}
		cmds++;
		invals += inval;
		cons = hw_q_pos(cons + 1, q);
		hw->cmdq_cons = cons;
	}
	ilib_stat(hw->host, IOMMU_STAT_QUEUE_CMDS, cmds);
	ilib_stat(hw->host, IOMMU_STAT_INVAL_CMDS, invals);
}
