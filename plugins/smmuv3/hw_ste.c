// SPDX-License-Identifier: MIT
/*
 * hw_ste.c - the SMMUv3 model's configuration structures: the Stream
 * table (linear and 2-level, smmuv3 2.1-2.3), STE decode and every
 * validity rule of 2.6 (C_BAD_STE), the CD tables (linear and 2-level,
 * 3.3) and CD decode with the rules of 3.2 (C_BAD_CD).  Valid structures
 * go into the configuration cache.  The decisions beyond the sheet's
 * rules (extra ILLEGAL cases, unaligned bases, what is cached) are in
 * hw.h.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "hw.h"

/* Is granule 2^@g one IDR5 advertises? */
bool smmu_hw_gran_ok(const struct smmu_hw *hw, unsigned int g)
{
	switch (g) {
	case 12:
		return hw->grans & 1;
	case 14:
		return hw->grans & 2;
	case 16:
		return hw->grans & 4;
	default:
		return false;
	}
}

/* Effective bits of an IPS / S2PS code: 0b111 acts as 52 (10.14). */
static unsigned int hw_ps_bits(const struct smmu_hw *hw, unsigned int code)
{
	unsigned int bits =
	    smmu_oas_bits(code == SMMU_OAS_56 ? SMMU_OAS_52 : code);

	return bits < hw->oas ? bits : hw->oas;
}

/* A configuration fault: no stage, no address. */
static int hw_cfg_fault(struct smmu_hw *hw, const struct hw_xl *x, uint8_t id,
			uint64_t dw3, bool silent)
{
	const struct hw_fault f = {.id = id, .dw3 = dw3, .silent = silent};

	return smmu_hw_fault(hw, x, &f);
}

/* ---- Stage 2 of an STE (smmuv3 2.4-2.6, 4.4) ----------------------------- */

/*
 * hw_ste_s2() - decode and check the stage-2 fields
 * Return: true and @w, or false: ILLEGAL.
 */
static bool hw_ste_s2(const struct smmu_hw *hw, const uint64_t *dw,
		      struct hw_wcfg *w)
{
	static const uint8_t tg_g[4] = {12, 16, 14, 0};
	unsigned int g = tg_g[smmu_field_get(SMMU_STE_DW2_S2TG, dw[2])];
	unsigned int t0sz =
	    (unsigned int)smmu_field_get(SMMU_STE_DW2_S2T0SZ, dw[2]);
	unsigned int sl0 =
	    (unsigned int)smmu_field_get(SMMU_STE_DW2_S2SL0, dw[2]);
	unsigned int ps = hw_ps_bits(
	    hw, (unsigned int)smmu_field_get(SMMU_STE_DW2_S2PS, dw[2]));
	uint64_t ttb = dw[3] & SMMU_STE_DW3_S2TTB, align;
	unsigned int min, start, s, ia, below, top;
	bool ha = dw[2] & SMMU_STE_DW2_S2HA, hd = dw[2] & SMMU_STE_DW2_S2HD;

	if (!g || !smmu_hw_gran_ok(hw, g))
		return false; /* S2TG reserved or unsupported */
	if (!(dw[2] & SMMU_STE_DW2_S2AA64) || (dw[2] & SMMU_STE_DW2_S2ENDI) ||
	    (dw[2] & SMMU_STE_DW2_S2S) || (dw[1] & SMMU_STE_DW1_S2FWB) ||
	    (dw[3] & (SMMU_STE_DW3_S2DS | SMMU_STE_DW3_S2SL0_2)))
		return false; /* AArch32 tables, BE, stall, FWB, DS */
	if ((ha && hw->httu < SMMU_HTTU_AF) ||
	    (hd && hw->httu < SMMU_HTTU_AF_DIRTY))
		return false;
	/* S2T0SZ range: IAS = OAS on an AArch64-only SMMU (1.5). */
	min = 64 - hw->oas;
	if (g != 16 && min < SMMU_TXSZ_MIN)
		min = SMMU_TXSZ_MIN;
	if (t0sz < min || t0sz > SMMU_TXSZ_MAX)
		return false;
	/* S2SL0 (4.4): 4K 0/1/2 = L2/L1/L0; 16K and 64K 0/1/2 = L3/L2/L1;
	 * 0b11 needs STT (4K) or DS (16K), reserved for 64K. */
	if (sl0 == 3)
		return false;
	start = g == 12 ? 2 - sl0 : 3 - sl0;
	s = g - 3;
	ia = 64 - t0sz;
	below = g + s * (3 - start);
	if (ia <= below)
		return false;
	top = ia - below;
	/* Up to 16 concatenated tables, none at level 0 or 64K level 1. */
	if (top > s + 4 || (top > s && (start == 0 || (g == 16 && start == 1))))
		return false;
	if (g != 16 && ps > 48)
		ps = 48; /* no S2DS: OA[47:g] only (4.11) */
	if (ttb >> ps)
		return false; /* S2TTB beyond S2PS, or 48 bits without DS */
	align = 8ull << top;
	if (ps == 52 && align < 64)
		align = 64;
	w->root = ttb & ~(align - 1);
	w->g = (uint8_t)g;
	w->levels = (uint8_t)(4 - start);
	w->ia_bits = (uint8_t)ia;
	w->oa_bits = (uint8_t)ps;
	w->flags =
	    (uint8_t)((dw[2] & SMMU_STE_DW2_S2AFFD ? PT_WALK_AFFD : 0) |
		      (ha ? PT_WALK_HA : 0) | (ha && hd ? PT_WALK_HD : 0));
	w->off = false;
	w->geom = smmu_hw_walk_geom(w);
	return true;
}

/*
 * hw_ste_decode() - decode the STE @dw and apply smmuv3 2.6
 * Return: true and @s, or false: V = 0 or ILLEGAL (C_BAD_STE).
 */
static bool hw_ste_decode(const struct smmu_hw *hw, const uint64_t *dw,
			  struct hw_ste *s)
{
	unsigned int cfg =
	    (unsigned int)smmu_field_get(SMMU_STE_DW0_CONFIG, dw[0]);
	bool s1 = cfg & SMMU_STE_CFG_S1_BIT, s2 = cfg & SMMU_STE_CFG_S2_BIT;
	unsigned int strw, eats;

	memset(s, 0, sizeof(*s));
	if (!(dw[0] & SMMU_STE_DW0_V))
		return false;
	/* Overrides of the request's attributes (IDR1.ATTR_PERMS_OVR). */
	s->privcfg = (uint8_t)smmu_field_get(SMMU_STE_DW1_PRIVCFG, dw[1]);
	s->instcfg = (uint8_t)smmu_field_get(SMMU_STE_DW1_INSTCFG, dw[1]);
	if (cfg < SMMU_STE_CFG_BYPASS) {
		s->config = SMMU_STE_CFG_ABORT; /* 1..3 behave as abort */
		return true;
	}
	s->config = (uint8_t)cfg;
	if (cfg == SMMU_STE_CFG_BYPASS)
		return true; /* EATS effectively 0; nothing else is read */
	if ((s1 && !hw->s1p) || (s2 && !hw->s2p))
		return false;
	/* STRW: ignored (NS-EL1) with stage 2; 0bx1 ILLEGAL; EL2 needs Hyp. */
	strw = (unsigned int)smmu_field_get(SMMU_STE_DW1_STRW, dw[1]);
	if (s2)
		strw = SMMU_STRW_NSEL1;
	if ((strw & 1) || (strw == SMMU_STRW_EL2 && !hw->hyp))
		return false;
	s->strw = (uint8_t)strw;
	/* EATS: no ATS, DPT (0b11) or split-stage ATS (NS1ATS) here. */
	eats = (unsigned int)smmu_field_get(SMMU_STE_DW1_EATS, dw[1]);
	if (eats && (!hw->ats || eats != SMMU_EATS_TRANS))
		return false;
	s->eats = (uint8_t)eats;
	if (s1) {
		s->s1cdmax =
		    (uint8_t)smmu_field_get(SMMU_STE_DW0_S1CDMAX, dw[0]);
		if (s->s1cdmax > hw->ssidsize)
			return false;
		s->s1fmt = (uint8_t)smmu_field_get(SMMU_STE_DW0_S1FMT, dw[0]);
		if (s->s1cdmax && s->s1fmt && !hw->cd2l)
			return false;
		if (s->s1fmt == 3 || !s->s1cdmax)
			s->s1fmt = SMMU_S1FMT_LINEAR; /* 0b11 reserved */
		/* STALL_MODEL is terminate-only: S1STALLD must be 0. */
		if (dw[1] & SMMU_STE_DW1_S1STALLD)
			return false;
		s->s1dss = (uint8_t)smmu_field_get(SMMU_STE_DW1_S1DSS, dw[1]);
		if (s->s1dss == 3)
			s->s1dss = SMMU_S1DSS_TERMINATE;
		s->s1ctxptr = dw[0] & SMMU_STE_DW0_S1CTXPTR;
	}
	/* S2VMID tags NS-EL1 entries whenever stage 2 exists (9.1). */
	if (hw->s2p && strw == SMMU_STRW_NSEL1) {
		s->vmid = (uint16_t)smmu_field_get(SMMU_STE_DW2_S2VMID, dw[2]);
		if (!hw->vmid16 && (s->vmid >> 8))
			return false;
	}
	if (s2) {
		if (!hw_ste_s2(hw, dw, &s->s2))
			return false;
		s->s2r = dw[2] & SMMU_STE_DW2_S2R;
		s->s2ptw = dw[2] & SMMU_STE_DW2_S2PTW;
	}
	return true;
}

/*
 * hw_ste_addr() - where @sid's STE is (smmuv3 2.2)
 * Return: 0 and @addr, or -EFAULT after the fault (C_BAD_STREAMID,
 * F_STE_FETCH of the L1STD).
 */
static int hw_ste_addr(struct smmu_hw *hw, struct hw_xl *x, uint64_t *addr)
{
	uint64_t strtab = x->strtab;
	uint32_t cfg = (uint32_t)(x->ctrl >> 32);
	unsigned int lg2 =
	    (unsigned int)smmu_field_get(SMMU_STRTAB_CFG_LOG2SIZE, cfg);
	unsigned int fmt =
	    (unsigned int)smmu_field_get(SMMU_STRTAB_CFG_FMT, cfg);
	unsigned int split =
	    (unsigned int)smmu_field_get(SMMU_STRTAB_CFG_SPLIT, cfg);
	bool rec = x->ctrl & HW_LIVE_RECINVSID;
	uint64_t l1, l1_size, l1std, span, idx;

	if (lg2 > hw->sidsize)
		lg2 = hw->sidsize;
	if (lg2 < 32 && (x->sid >> lg2))
		return hw_cfg_fault(hw, x, SMMU_EVT_C_BAD_STREAMID, 0, !rec);
	if (fmt != SMMU_STRTAB_FMT_2LVL || !hw->st2l) {
		*addr = (strtab & ~(((uint64_t)SMMU_STE_SIZE << lg2) - 1)) +
			(uint64_t)x->sid * SMMU_STE_SIZE;
		return 0;
	}
	if (split != 6 && split != 8 && split != 10)
		split = 6; /* 2.1: other values behave as 6 */
	l1_size = lg2 > split ? (uint64_t)SMMU_L1STD_SIZE << (lg2 - split)
			      : SMMU_L1STD_SIZE;
	if (l1_size < 64)
		l1_size = 64;
	l1 = (strtab & ~(l1_size - 1)) +
	     (uint64_t)(x->sid >> split) * SMMU_L1STD_SIZE;
	if (ilib_mem_read_le64(hw->host, l1, &l1std, 1))
		return hw_cfg_fault(hw, x, SMMU_EVT_F_STE_FETCH,
				    l1 & SMMU_EVT_DW3_FETCH_ADDR, false);
	span = smmu_field_get(SMMU_L1STD_SPAN, l1std);
	idx = x->sid & ((1ull << split) - 1);
	/* 10.8: Span 0, reserved, beyond SPLIT + 1, or the SID beyond the
	 * 2^(Span - 1) STEs of the L2 array. */
	if (!span || span > SMMU_L1STD_SPAN_MAX || span > split + 1 ||
	    idx >= 1ull << (span - 1))
		return hw_cfg_fault(hw, x, SMMU_EVT_C_BAD_STREAMID, 0, !rec);
	*addr = (l1std & SMMU_L1STD_L2PTR &
		 ~(((uint64_t)SMMU_STE_SIZE << (span - 1)) - 1)) +
		idx * SMMU_STE_SIZE;
	return 0;
}

/* ---- The thread's memo (struct hw_memo) ---------------------------------- */

/*
 * Initial-exec: in the static TLS block glibc reserves at startup with
 * room for objects loaded later, which costs no allocation (the default
 * model allocates each thread's block of a dlopen()ed object on its first
 * use and frees it only when the thread exits, long after the context is
 * destroyed) and no __tls_get_addr() call.  The memo is a few hundred
 * bytes, well inside the room glibc keeps for dlopen().
 */
static _Thread_local struct hw_memo hw_memo
    __attribute__((tls_model("initial-exec")));
_Static_assert(sizeof(struct hw_memo) <= 256,
	       "the memo must stay small: static TLS room is shared");

/* Keep x->ste, found after x->memo_gen was read. */
static void hw_memo_ste(const struct smmu_hw *hw, struct hw_xl *x)
{
	struct hw_memo *m = &hw_memo;

	m->uid = hw->uid;
	m->gen = x->memo_gen;
	m->sid = x->sid;
	m->cd_key = 0;
	m->plan.ok = false;
	m->plan.quick = false;
	m->ste = *x->ste;
	x->memo = true;
}

/**
 * smmu_hw_ste_get() - the valid STE of x->sid, cached or fetched
 * @hw: model
 * @x: x->sid, x->ctrl and x->strtab set; fills x->ste, the generations,
 *     x->memo_p (the thread's memo) and x->memo (that memo holds the STE)
 *
 * Context: lock-free unless a fault is recorded.
 * Return: 0; -EFAULT after C_BAD_STREAMID, F_STE_FETCH or C_BAD_STE.
 */
/* smmu_hw_ste_get() past the memo: the cache, else the Stream table.
 * Kept out of line, so that the memo's check stays small enough to be
 * inlined into translate(). */
static __attribute__((noinline)) int hw_ste_get_slow(struct smmu_hw *hw,
						     struct hw_xl *x)
{
	uint64_t addr = 0, dw[SMMU_STE_DWORDS], gen;
	int ret;

	x->ste = &x->ste_buf;
	if (smmu_hw_ste_lookup(hw, x->sid, &x->ste_buf)) {
		hw_memo_ste(hw, x);
		return 0;
	}
	gen = x->cfg_gen;
	ret = hw_ste_addr(hw, x, &addr);
	if (ret)
		return ret;
	if (ilib_mem_read_le64(hw->host, addr, dw, SMMU_STE_DWORDS))
		return hw_cfg_fault(hw, x, SMMU_EVT_F_STE_FETCH,
				    addr & SMMU_EVT_DW3_FETCH_ADDR, false);
	if (!hw_ste_decode(hw, dw, &x->ste_buf))
		return hw_cfg_fault(hw, x, SMMU_EVT_C_BAD_STE, 0, false);
	smmu_hw_ste_insert(hw, x->sid, &x->ste_buf, gen);
	/* (The insert moved hw->cfg_memo: this memo counts for nothing, the
	 * next request takes the cached STE and keeps that.) */
	hw_memo_ste(hw, x);
	return 0;
}

int smmu_hw_ste_get(struct smmu_hw *hw, struct hw_xl *x)
{
	struct hw_memo *m = &hw_memo;

	x->memo_gen = __atomic_load_n(&hw->cfg_memo, __ATOMIC_ACQUIRE);
	/* The generation before the lookup: a CD fetched through a cached
	 * STE that a CFGI_STE removes meanwhile must not be inserted. */
	x->cfg_gen = ilib_cache_gen(&hw->cfgc);
	x->memo_p = m;
	if (m->uid == hw->uid && m->gen == x->memo_gen && m->sid == x->sid) {
		x->ste = &m->ste;
		x->memo = true;
		return 0;
	}
	return hw_ste_get_slow(hw, x);
}

/**
 * smmu_hw_memo_find() - this thread's memo, if it holds the STE of @sid
 * now (as smmu_hw_ste_get() finds it), for translate()'s short way
 * @hw: model
 * @sid: the request's StreamID
 *
 * Whether its plan holds is the caller's to judge (hw_xlate.c).
 * Context: lock-free; changes nothing.
 * Return: the memo, not copied (only this thread writes it); NULL.
 */
const struct hw_memo *smmu_hw_memo_find(struct smmu_hw *hw, uint32_t sid)
{
	const struct hw_memo *m = &hw_memo;

	if (m->uid != hw->uid ||
	    m->gen != __atomic_load_n(&hw->cfg_memo, __ATOMIC_ACQUIRE) ||
	    m->sid != sid)
		return NULL;
	return m;
}

/* ---- Context descriptors (smmuv3 3) ---------------------------------------
 */

/*
 * hw_cd_tt() - decode and check TTB@i of the CD @dw (3.1, 3.2, 4.2)
 * @ips: effective output size
 * Return: true and @w (w->off for EPDx = 1), or false: ILLEGAL.
 */
static bool hw_cd_tt(const struct smmu_hw *hw, const uint64_t *dw,
		     unsigned int i, bool el2, unsigned int ips,
		     struct hw_wcfg *w)
{
	static const uint8_t tg0[4] = {12, 16, 14, 0}, tg1[4] = {0, 14, 12, 16};
	uint64_t d0 = dw[0], ttb, align;
	unsigned int g, txsz, s, levels, top, oab = ips;
	bool ha = d0 & SMMU_CD_DW0_HA, hd = d0 & SMMU_CD_DW0_HD;
	bool ds = hw->ds && (dw[2] & SMMU_CD_DW2_DS); /* RES0 without DS */

	memset(w, 0, sizeof(*w));
	w->off = true;
	if (i == 1 && el2)
		return true; /* EL2: TTB1 unreachable, its fields ignored */
	if (!el2 && (d0 & (i ? SMMU_CD_DW0_EPD1 : SMMU_CD_DW0_EPD0)))
		return true;
	if (i == 0) {
		g = tg0[smmu_field_get(SMMU_CD_DW0_TG0, d0)];
		txsz = (unsigned int)smmu_field_get(SMMU_CD_DW0_T0SZ, d0);
		ttb = dw[1] & SMMU_CD_DW1_TTB0;
	} else {
		g = tg1[smmu_field_get(SMMU_CD_DW0_TG1, d0)];
		txsz = (unsigned int)smmu_field_get(SMMU_CD_DW0_T1SZ, d0);
		ttb = dw[2] & SMMU_CD_DW2_TTB1;
	}
	if (!g || !smmu_hw_gran_ok(hw, g))
		return false;
	if (txsz < SMMU_TXSZ_MIN || txsz > SMMU_TXSZ_MAX)
		return false;
	if (g != 16 && oab > 48 && !ds)
		oab = 48; /* no DS: OA[47:g] only (4.11) */
	if (ttb >> oab)
		return false; /* beyond IPS, or 48 bits for 4K/16K */
	if (ips == 52 && (ttb & 0x30))
		return false; /* 64-byte aligned with a 52-bit output */
	s = g - 3;
	levels = (64 - txsz - 4) / s; /* 4.2: start = 4 - levels */
	top = 64 - txsz - (g + s * (levels - 1));
	align = 8ull << top;
	if (ips == 52 && align < 64)
		align = 64;
	w->root = ttb & ~(align - 1);
	w->g = (uint8_t)g;
	w->levels = (uint8_t)levels;
	w->ia_bits = (uint8_t)(64 - txsz);
	w->oa_bits = (uint8_t)oab;
	w->flags =
	    (uint8_t)((d0 & SMMU_CD_DW0_AFFD ? PT_WALK_AFFD : 0) |
		      (ha ? PT_WALK_HA : 0) | (ha && hd ? PT_WALK_HD : 0) |
		      (ds && g != 16 ? PT_WALK_DS : 0));
	if (dw[1 + i] & (i ? SMMU_CD_DW2_HAD1 : SMMU_CD_DW1_HAD0))
		w->flags |= PT_WALK_HAD; /* IDR3.HAD */
	w->off = false;
	w->geom = smmu_hw_walk_geom(w);
	return true;
}

/*
 * hw_cd_decode() - decode the CD @dw and apply smmuv3 3.2
 * Return: true and @c, or false: V = 0 or ILLEGAL (C_BAD_CD).
 */
static bool hw_cd_decode(const struct smmu_hw *hw, const struct hw_xl *x,
			 const uint64_t *dw, struct hw_cd *c)
{
	uint64_t d0 = dw[0];
	bool el2 = x->world == HW_W_EL2;
	unsigned int ips;

	memset(c, 0, sizeof(*c));
	if (!(d0 & SMMU_CD_DW0_V) || !(d0 & SMMU_CD_DW0_AA64))
		return false; /* invalid; AA64 = 0 is LPAE (TTF = AArch64) */
	if ((d0 & SMMU_CD_DW0_S) || !(d0 & SMMU_CD_DW0_A))
		return false; /* STALL_MODEL terminate, TERM_MODEL = 1 */
	if (((d0 & SMMU_CD_DW0_HA) && hw->httu < SMMU_HTTU_AF) ||
	    ((d0 & SMMU_CD_DW0_HD) && hw->httu < SMMU_HTTU_AF_DIRTY))
		return false;
	c->asid = (uint16_t)smmu_field_get(SMMU_CD_DW0_ASID, d0);
	if (el2)
		c->asid = 0; /* plain EL2: the ASID is ignored */
	else if (!hw->asid16 && (c->asid >> 8))
		return false;
	ips = hw_ps_bits(hw, (unsigned int)smmu_field_get(SMMU_CD_DW0_IPS, d0));
	if (!hw_cd_tt(hw, dw, 0, el2, ips, &c->tt[0]) ||
	    !hw_cd_tt(hw, dw, 1, el2, ips, &c->tt[1]))
		return false;
	/* TTENDIAN little-endian only: ENDI = 1 is ILLEGAL unless no TTB is
	 * walked. */
	if ((d0 & SMMU_CD_DW0_ENDI) && !(c->tt[0].off && c->tt[1].off))
		return false;
	c->tbi[0] = d0 & SMMU_CD_DW0_TBI0;
	c->tbi[1] = !el2 && (d0 & SMMU_CD_DW0_TBI1);
	c->r = d0 & SMMU_CD_DW0_R;
	c->aset = d0 & SMMU_CD_DW0_ASET;
	c->wxn = d0 & SMMU_CD_DW0_WXN;
	c->pan = d0 & SMMU_CD_DW0_PAN;
	return true;
}

/*
 * hw_cd_addr() - where the CD at x->cd_index is (smmuv3 3.3), reading
 * the L1CD of a 2-level table (through stage 2 when nested)
 * Return: 0 and @addr; -EFAULT after the fault.
 */
static int hw_cd_addr(struct smmu_hw *hw, struct hw_xl *x, uint64_t *addr)
{
	const struct hw_ste *s = x->ste;
	uint64_t ptr = s->s1ctxptr, l1_size, l1, l1cd;
	unsigned int n = s->s1cdmax, split;
	struct hw_fault f;

	if (!n) {
		*addr = ptr;
		return 0;
	}
	if (s->s1fmt == SMMU_S1FMT_LINEAR) {
		*addr = (ptr & ~(((uint64_t)SMMU_CD_SIZE << n) - 1)) +
			(uint64_t)x->cd_index * SMMU_CD_SIZE;
		return 0;
	}
	split = s->s1fmt == SMMU_S1FMT_4K_L2 ? SMMU_CD_L2_SPLIT_4K
					     : SMMU_CD_L2_SPLIT_64K;
	l1_size = n > split ? (uint64_t)SMMU_L1CD_SIZE << (n - split)
			    : SMMU_L1CD_SIZE;
	if (l1_size < 64)
		l1_size = 64;
	l1 = (ptr & ~(l1_size - 1)) +
	     (uint64_t)(x->cd_index >> split) * SMMU_L1CD_SIZE;
	if (smmu_hw_cfg_read(hw, x, l1, &l1cd, 1, &f))
		return smmu_hw_fault(hw, x, &f);
	if (!(l1cd & SMMU_L1CD_V))
		return hw_cfg_fault(hw, x, SMMU_EVT_C_BAD_SUBSTREAMID, 0,
				    false);
	*addr = (l1cd & SMMU_L1CD_L2PTR &
		 ~(((uint64_t)SMMU_CD_SIZE << split) - 1)) +
		(uint64_t)(x->cd_index & ((1u << split) - 1)) * SMMU_CD_SIZE;
	return 0;
}

/**
 * smmu_hw_cd_get() - the valid CD at x->cd_index of x->sid's CD table
 * @hw: model
 * @x: x->ste, x->world and x->cd_index set; fills x->cd
 *
 * Context: lock-free unless a fault is recorded.
 * Return: 0; -EFAULT after C_BAD_SUBSTREAMID (an invalid L1CD),
 * F_CD_FETCH, a stage-2 fault of a nested fetch (CLASS CD) or C_BAD_CD.
 */
int smmu_hw_cd_get(struct smmu_hw *hw, struct hw_xl *x)
{
	uint64_t addr = 0, dw[SMMU_CD_DWORDS], gen;
	struct hw_memo *m = x->memo_p; /* set with x->memo */
	struct hw_fault f;
	int ret;

	/* x->memo: the memo's STE is *x->ste, so its CD was reached through
	 * it; a CFGI since then moved the memo generation, which the next
	 * request's STE check sees.  Used in place (hw.h struct hw_xl). */
	if (x->memo && m->cd_key == x->cd_index + 1) {
		x->cd = &m->cd;
		return 0;
	}
	x->cd = &x->cd_buf.cd;
	if (smmu_hw_cd_lookup(hw, x->sid, x->cd_index, &x->cd_buf) &&
	    !memcmp(&x->cd_buf.via, x->ste, sizeof(*x->ste))) {
		if (x->memo) {
			m->cd = x->cd_buf.cd;
			m->cd_key = x->cd_index + 1;
			/* hw_xlate.c makes it again */
			m->plan.ok = false;
			m->plan.quick = false;
		}
		return 0;
	}
	/* Not cached, or cached through another STE: fetched again (and
	 * cached again under this one). */
	gen = x->cfg_gen; /* read before the STE lookup (smmu_hw_ste_get) */
	ret = hw_cd_addr(hw, x, &addr);
	if (ret)
		return ret;
	if (smmu_hw_cfg_read(hw, x, addr, dw, SMMU_CD_DWORDS, &f))
		return smmu_hw_fault(hw, x, &f);
	if (!hw_cd_decode(hw, x, dw, &x->cd_buf.cd))
		return hw_cfg_fault(hw, x, SMMU_EVT_C_BAD_CD, 0, false);
	x->cd_buf.via = *x->ste;
	smmu_hw_cd_insert(hw, x->sid, x->cd_index, &x->cd_buf, gen);
	/*
	 * The STE this CD was found through may have come from the cache
	 * just before a CFGI_STE removed it: the invalidation's generation
	 * may already be the one read above while its StreamID tag was not
	 * yet bumped.  If the STE is no longer the cached one, take the CD
	 * out again (more than asked, never less), so that no CD reached
	 * through a removed STE outlives the CFGI.
	 */
	{
		struct hw_ste chk;

		if (!smmu_hw_ste_lookup(hw, x->sid, &chk) ||
		    memcmp(&chk, x->ste, sizeof(chk)))
			smmu_hw_cfgi_cd(hw, x->sid, true, x->cd_index);
	}
	return 0;
}
