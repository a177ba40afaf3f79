// SPDX-License-Identifier: MIT
/*
 * hw_cache.c - the SMMUv3 model's caches over plugins/lib's ilib_cache:
 * the configuration cache (decoded STEs and CDs) and the TLB (the walk
 * cache is ilib_walk_cache.h's, used in hw_walk.c).
 * This file says what their keys, tags (smmuv3 9.1) and sets are, and
 * what each CFGI_* and TLBI_* command removes (9.2), at what cost (DESIGN
 * rule 15): CFGI_ALL, CFGI_STE and CFGI_CD_ALL in O(1) (the configuration
 * cache is tagged by StreamID), CFGI_CD in O(ways); the TLBIs of a whole
 * scope (NSNH_ALL, S12_VMALL, NH_ALL, NH_ASID, EL2_ALL, EL2_ASID) in O(1)
 * through the TLB's VMID tags and the world and ASID epochs; the TLBIs of
 * an address probe the sets of the pages they cover, or scan the TLB once
 * when those are more than its sets.  The decisions it follows (what is
 * cached, nested entries, TTL) are in hw.h.
 */
#include <errno.h>
#include <string.h>

#include "hw.h"
#include "hw_tlb.h"

/* ilib_cache words holding a struct. */
#define HW_WORDS(t)	 ((sizeof(t) + 7) / 8)
#define HW_CFG_KEY_WORDS 2
#define HW_CFG_VAL_WORDS                                                       \
	(HW_WORDS(struct hw_ste) > HW_WORDS(struct hw_cd_entry)                \
	     ? HW_WORDS(struct hw_ste)                                         \
	     : HW_WORDS(struct hw_cd_entry))
#define HW_TLB_TAG_BUCKETS 4096u
#define HW_CFG_TAG_BUCKETS 4096u

_Static_assert(HW_CFG_KEY_WORDS + HW_CFG_VAL_WORDS <= ILIB_CACHE_MAX_WORDS,
	       "an STE or CD must fit an ilib_cache slot");

/* Configuration-cache entry types (key word 0, bits 33:32). */
#define HW_CFG_STE 1ull
#define HW_CFG_CD  2ull

/**
 * smmu_hw_caches_init() - the caches, sized by the [smmuv3] keys
 * @hw: model (zeroed caches)
 * @params: the [smmuv3] values, already checked
 *
 * Return: 0; -ENOMEM (the caches made so far are freed).
 */
int smmu_hw_caches_init(struct smmu_hw *hw, const uint64_t *params)
{
	uint64_t ways = params[SMMU_P_HW_TLB_WAYS];
	uint64_t tlb = params[SMMU_P_HW_TLB_SETS] * ways;
	/* The walk cache: a quarter of the TLB (hw.h). */
	uint64_t walk = tlb / 4 > HW_WALK_MIN ? tlb / 4 : HW_WALK_MIN;

	if (ilib_cache_init_tagged(&hw->cfgc, params[SMMU_P_HW_CFG_CACHE],
				   HW_CFG_WAYS, HW_CFG_KEY_WORDS,
				   HW_CFG_VAL_WORDS, HW_CFG_TAG_BUCKETS) ||
	    ilib_cache_init_tagged(&hw->tlbc, tlb, (unsigned int)ways,
				   HW_TLB_KEY_WORDS, HW_TLB_VAL_WORDS,
				   HW_TLB_TAG_BUCKETS) ||
	    ilib_walk_cache_init(&hw->walkc, walk, HW_WALK_WAYS)) {
		smmu_hw_caches_fini(hw);
		return -ENOMEM;
	}
	ilib_cache_set_host(&hw->cfgc, hw->host, "smmuv3 config cache");
	ilib_cache_set_host(&hw->tlbc, hw->host, "smmuv3 tlb");
	ilib_cache_set_host(&hw->walkc, hw->host, "smmuv3 walk cache");
	return 0;
}

void smmu_hw_caches_fini(struct smmu_hw *hw)
{
	if (!hw)
		return;
	ilib_cache_fini(&hw->cfgc);
	ilib_cache_fini(&hw->tlbc);
	ilib_cache_fini(&hw->walkc);
	ilib_walk_fronts_fini(&hw->fronts);
}

/* ---- Configuration cache ------------------------------------------------- */

/*
 * Key: type and SID in word 0, the CD-table index in word 1.  The set of
 * an STE depends on its SID, that of a CD on SID and index (so many
 * substreams of one device spread over the sets); a CFGI by SID scans.
 */
static void hw_cfg_key(uint64_t type, uint32_t sid, uint32_t index,
		       uint64_t key[HW_CFG_KEY_WORDS], uint64_t *hash)
{
	key[0] = sid | type << 32;
	key[1] = type == HW_CFG_CD ? index : 0;
	*hash = ilib_hash64(key[0] ^ key[1] << 34);
}

/* Inlined for each struct: only its own words are copied (a CD is twice
 * the size of an STE, which the slots are sized for as well). */
static inline __attribute__((always_inline)) bool
hw_cfg_lookup(struct smmu_hw *hw, uint64_t type, uint32_t sid, uint32_t index,
	      void *out, size_t size)
{
	uint64_t key[HW_CFG_KEY_WORDS], val[HW_CFG_VAL_WORDS], hash;

	hw_cfg_key(type, sid, index, key, &hash);
	if (!ilib_cache_lookup_fixed(&hw->cfgc, hash, key, val,
				     HW_CFG_KEY_WORDS,
				     (unsigned int)((size + 7) / 8)))
		return false;
	memcpy(out, val, size);
	return true;
}

static void hw_cfg_insert(struct smmu_hw *hw, uint64_t type, uint32_t sid,
			  uint32_t index, const void *in, size_t size,
			  uint64_t gen)
{
	uint64_t key[HW_CFG_KEY_WORDS], val[HW_CFG_VAL_WORDS] = {0}, hash;

	/* May evict: the threads' memos of the cache stop counting. */
	__atomic_add_fetch(&hw->cfg_memo, 1, __ATOMIC_SEQ_CST);
	hw_cfg_key(type, sid, index, key, &hash);
	memcpy(val, in, size);
	ilib_cache_insert_tag(&hw->cfgc, hash, key, val, gen, sid);
}

bool smmu_hw_ste_lookup(struct smmu_hw *hw, uint32_t sid, struct hw_ste *s)
{
	return hw_cfg_lookup(hw, HW_CFG_STE, sid, 0, s, sizeof(*s));
}

/* Cache the valid STE @s of @sid unless an invalidation ran since @gen. */
void smmu_hw_ste_insert(struct smmu_hw *hw, uint32_t sid,
			const struct hw_ste *s, uint64_t gen)
{
	hw_cfg_insert(hw, HW_CFG_STE, sid, 0, s, sizeof(*s), gen);
}

bool smmu_hw_cd_lookup(struct smmu_hw *hw, uint32_t sid, uint32_t index,
		       struct hw_cd_entry *c)
{
	return hw_cfg_lookup(hw, HW_CFG_CD, sid, index, c, sizeof(*c));
}

/* Cache the valid CD @c at @index of @sid's table. */
void smmu_hw_cd_insert(struct smmu_hw *hw, uint32_t sid, uint32_t index,
		       const struct hw_cd_entry *c, uint64_t gen)
{
	hw_cfg_insert(hw, HW_CFG_CD, sid, index, c, sizeof(*c), gen);
}

/* CFGI_CD: the CD at @index of @sid's table. */
struct hw_cfgi {
	uint32_t sid;
	uint32_t index;
};

static bool hw_cfgi_pred(const uint64_t *key, const uint64_t *val,
			 const void *arg)
{
	const struct hw_cfgi *m = arg;

	(void)val;
	return key[0] == (m->sid | HW_CFG_CD << 32) && key[1] == m->index;
}

/**
 * smmu_hw_cfgi_ste() - CFGI_STE, CFGI_STE_RANGE, CFGI_ALL (smmuv3 5.4)
 * @sid_first, @sid_last: the StreamIDs whose STEs (and the CDs cached
 *     through them) are removed
 *
 * O(1) per StreamID through the cache's StreamID tags; a range of more
 * than 64 StreamIDs, and CFGI_ALL, flush the whole cache in O(1) (more
 * than a range asks, never less: a cache may always drop entries).
 * Context: lock-free.
 */
void smmu_hw_cfgi_ste(struct smmu_hw *hw, uint32_t sid_first, uint32_t sid_last)
{
	/* Before the cache: a request that reads the memo generation after
	 * this sees its memo gone (hw_ste.c). */
	__atomic_add_fetch(&hw->cfg_memo, 1, __ATOMIC_SEQ_CST);
	if (sid_last - sid_first >= 64) {
		ilib_cache_flush(&hw->cfgc);
		return;
	}
	for (uint64_t sid = sid_first; sid <= sid_last; sid++)
		ilib_cache_flush_tag(&hw->cfgc, sid);
}

/**
 * smmu_hw_cfgi_cd() - CFGI_CD (@one, the CD at @index) or CFGI_CD_ALL
 *
 * CFGI_CD probes the one set the CD lives in; CFGI_CD_ALL drops the
 * StreamID's tag in O(1), its STE included (more than asked, never less).
 * Context: bumps the generation; takes at most one set lock.
 */
void smmu_hw_cfgi_cd(struct smmu_hw *hw, uint32_t sid, bool one, uint32_t index)
{
	const struct hw_cfgi m = {.sid = sid, .index = index};
	uint64_t key[HW_CFG_KEY_WORDS], hash;

	__atomic_add_fetch(&hw->cfg_memo, 1, __ATOMIC_SEQ_CST); /* hw_ste.c */
	if (!one) {
		ilib_cache_flush_tag(&hw->cfgc, sid);
		return;
	}
	hw_cfg_key(HW_CFG_CD, sid, index, key, &hash);
	ilib_cache_inval_begin(&hw->cfgc);
	ilib_cache_inval_set(&hw->cfgc, ilib_cache_set_of(&hw->cfgc, hash),
			     hw_cfgi_pred, &m);
}

/* ---- TLB ---------------------------------------------------------------- */

/**
 * smmu_hw_tlbk() - the keys of the entries of @kind tagged @tags (as
 * non-global: VMID, the CD's ASID for stage 1, world, ASET)
 * @k: receives them, for hw_tlb_lookup() and hw_tlb_insert() (hw_tlb.h)
 */
void smmu_hw_tlbk(const struct smmu_hw *hw, uint64_t tags, uint8_t kind,
		  struct hw_tlbk *k)
{
	const uint8_t world = HW_TLB_T_WORLD(tags);

	k->tags = tags;
	k->world = world;
	k->salt = hw_tlb_salt(HW_TLB_T_VMID(tags), kind == HW_K_S2);
	k->kind = kind;
	k->ctag =
	    (uint32_t)hw_tlb_ctag(world, kind == HW_K_S2, HW_TLB_T_VMID(tags));
	k->asids = hw_tlb_asids(kind, world);
	k->ep_b = k->asids ? (uint16_t)hw_ep_bucket(tags) : 0;
	k->bucket = ilib_cache_tag_bucket(&hw->tlbc, k->ctag);
}

static bool hw_tlbi_pred(const uint64_t *key, const uint64_t *val,
			 const void *arg)
{
	const struct hw_tlbi *m = arg;
	const uint64_t tags = key[1];
	const unsigned int kind = (unsigned int)((key[0] >> 58) & 3);
	const unsigned int lg2 = (unsigned int)((key[0] >> 52) & 0x3f);
	uint64_t first, last;

	if (!(m->kinds & (1u << kind)) ||
	    !(m->worlds & (1u << HW_TLB_T_WORLD(tags))))
		return false;
	if (m->vmid_on && HW_TLB_T_VMID(tags) != m->vmid)
		return false;
	if (m->asid_on &&
	    !(tags & HW_TLB_T_GLOBAL ? m->with_global
				     : HW_TLB_T_ASIDV(tags) == m->asid))
		return false;
	if (m->ttl &&
	    (HW_TLB_A_LEVEL(val[1]) != m->ttl || HW_TLB_A_G(val[1]) != m->tg_g))
		return false;
	if (!m->range_on)
		return true;
	first = (key[0] & SMMU_GENMASK(51, 0)) << lg2;
	last = first + ((1ull << lg2) - 1);
	return first <= m->last && last >= m->first;
}

/*
 * Pages of size 2^@lg2 that [@first, @last] touches, saturated at
 * UINT64_MAX.
 */
static uint64_t hw_span_pages(uint64_t first, uint64_t last, unsigned int lg2)
{
	return (last >> lg2) - (first >> lg2) + 1;
}

/**
 * smmu_hw_tlbi_scope() - a TLBI of a whole scope, in O(1) (smmuv3 9.2)
 * @scope: HW_EP_WORLD (@world: NSNH_ALL for NS-EL1, EL2_ALL for the two
 *     EL2 worlds), HW_EP_VMID (S12_VMALL), HW_EP_VMID_S1 (NH_ALL) or
 *     HW_EP_ASID (NH_ASID with @vmid, EL2_ASID with @world HW_W_E2H)
 *
 * Bumps the generation (walks in flight insert nothing) and the scope's
 * epoch (a world or an ASID: every entry that recorded the old one stops
 * counting) or the epoch of its tags (a VMID: ilib_cache_flush_tag()).
 * Context: lock-free.
 */
void smmu_hw_tlbi_scope(struct smmu_hw *hw, enum hw_ep scope, uint8_t world,
			uint16_t vmid, uint16_t asid)
{
	uint64_t *ep;

	switch (scope) {
	case HW_EP_VMID:
		/* The stage-2 tag, then the stage-1 one too. */
		ilib_cache_flush_tag(&hw->tlbc,
				     hw_tlb_ctag(HW_W_EL1, true, vmid));
		/* fall through */
	case HW_EP_VMID_S1:
		ilib_cache_flush_tag(&hw->tlbc,
				     hw_tlb_ctag(HW_W_EL1, false, vmid));
		return;
	case HW_EP_WORLD:
		ep = &hw->ep_world[world];
		break;
	default: /* HW_EP_ASID */
		ep = &hw->ep_asid[hw_ep_bucket(
		    hw_tlb_tagw(vmid, asid, world, false))];
		break;
	}
	ilib_cache_inval_begin(&hw->tlbc);
	__atomic_add_fetch(ep, 1, __ATOMIC_SEQ_CST);
}

/**
 * smmu_hw_tlbi() - remove every TLB entry @m accepts (smmuv3 9.2)
 *
 * A range whose pages (of every size ever cached, in the VA and/or IPA
 * sets of the one VMID it names) are fewer than the sets probes only the
 * sets those pages hash to.  A larger one drops its whole scope in O(1)
 * instead (the VMID's stage-1 entries, or all of them when it names IPAs;
 * an EL2 world's): more than asked, which a TLB may always do, so that a
 * queue of them costs its length, not its length times the TLB's size
 * (rule 15).  What names no VMID in EL1 scans every set.
 * Context: bumps the generation first; takes each set's lock in turn.
 */
void smmu_hw_tlbi(struct smmu_hw *hw, const struct hw_tlbi *m)
{
	struct ilib_cache *c = &hw->tlbc;
	unsigned int nsets = ilib_cache_nsets(c);
	uint64_t sizes = __atomic_load_n(&hw->tlb_sizes, __ATOMIC_SEQ_CST);
	bool va = m->kinds & (1u << HW_K_S1 | 1u << HW_K_S12);
	bool ipa = m->kinds & (1u << HW_K_S2);
	bool vmid_known = m->vmid_on || !(m->worlds & (1u << HW_W_EL1));
	uint64_t probes = 0, s;

	ilib_cache_inval_begin(c);
	if (!m->range_on || !vmid_known)
		goto scan_all;
	for (s = sizes; s; s &= s - 1) {
		probes += hw_span_pages(m->first, m->last,
					(unsigned int)__builtin_ctzll(s)) *
			  ((va ? 1 : 0) + (ipa ? 1 : 0));
		if (probes > nsets)
			goto drop_scope;
	}
	for (s = sizes; s; s &= s - 1) {
		unsigned int lg2 = (unsigned int)__builtin_ctzll(s);

		for (uint64_t p = m->first >> lg2; p <= m->last >> lg2; p++) {
			if (va)
				ilib_cache_inval_set(
				    c,
				    ilib_cache_set_of(
					c, hw_tlb_hash(m->vmid, false, lg2, p)),
				    hw_tlbi_pred, m);
			if (ipa)
				ilib_cache_inval_set(
				    c,
				    ilib_cache_set_of(
					c, hw_tlb_hash(m->vmid, true, lg2, p)),
				    hw_tlbi_pred, m);
			if (p == UINT64_MAX >> lg2)
				break;
		}
	}
	return;

scan_all:
	for (unsigned int set = 0; set < nsets; set++)
		ilib_cache_inval_set(c, set, hw_tlbi_pred, m);
	return;

drop_scope:
	for (unsigned int w = HW_W_EL1; w <= HW_W_E2H; w++) {
		if (!(m->worlds & (1u << w)))
			continue;
		if (w == HW_W_EL1)
			smmu_hw_tlbi_scope(hw, ipa ? HW_EP_VMID : HW_EP_VMID_S1,
					   (uint8_t)w, m->vmid, 0);
		else
			smmu_hw_tlbi_scope(hw, HW_EP_WORLD, (uint8_t)w, 0, 0);
	}
}
