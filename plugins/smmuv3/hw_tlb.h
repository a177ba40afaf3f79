/* SPDX-License-Identifier: MIT */
/*
 * hw_tlb.h - the SMMUv3 model's TLB keys (hw_cache.c says what each
 * invalidation removes with them) and its lookup and insert, inline for
 * translate() (hw_xlate.c), which does one of each per TLB miss.
 */
#ifndef SMMU_HW_TLB_H
#define SMMU_HW_TLB_H

#include "hw.h"

#define HW_TLB_KEY_WORDS 2
#define HW_TLB_VAL_WORDS 3

/*
 * Key word 0: input page (< 2^52) | lg2 << 52 | kind << 58.
 * Key word 1: hw_tlb.tags (hw.h).
 * Value word 0: the output address of the entry's first byte.
 * Value word 1: hw_tlb.attr (hw.h).
 * Value word 2: the sum of the entry's epochs at its walk (hw.h).
 * Tag: hw_tlb_ctag().
 */
static inline uint64_t hw_tlb_key0(uint64_t page, unsigned int lg2,
				   uint8_t kind)
{
	return (page & SMMU_GENMASK(51, 0)) | (uint64_t)lg2 << 52 |
	       (uint64_t)kind << 58;
}

/*
 * The ilib_cache tag of an entry: what the VMID commands remove with
 * ilib_cache_flush_tag().  NS-EL1: the VMID, and whether the entry is
 * stage 2 only (TLBI_NH_ALL flushes the stage-1 tag, which combined
 * entries share; TLBI_S12_VMALL both); each EL2 world one tag of its own
 * (its entries carry no VMID).
 */
static inline uint64_t hw_tlb_ctag(uint8_t world, bool s2, uint16_t vmid)
{
	if (world != HW_W_EL1)
		return (uint64_t)world << 17;
	return vmid | (uint64_t)s2 << 16;
}

/*
 * The set depends on the VMID, the address kind (VA or IPA), the size and
 * the page, never on the ASID or the world: every TLBI that names an
 * address names the VMID (EL2 entries have VMID 0), so a small range
 * invalidation probes just the sets its pages map to.
 */
static inline uint64_t hw_tlb_salt(uint16_t vmid, bool ipa)
{
	/* page << 6 | lg2 < 2^58; VMID and stage go in over its top bits (a
	 * collision only shares a set), and one multiply by the golden
	 * ratio spreads them all into the top bits, which pick the set
	 * (ilib_cache_set_of()): consecutive pages land far apart. */
	return (uint64_t)vmid << 47 ^ (uint64_t)ipa << 63;
}

/* The hash of the entry of @page of 2^@lg2 bytes, hw_tlb_salt() @salt. */
static inline uint64_t hw_tlb_hash_s(uint64_t salt, unsigned int lg2,
				     uint64_t page)
{
	return ((page << 6 | lg2) ^ salt) * UINT64_C(0x9e3779b97f4a7c15);
}

static inline uint64_t hw_tlb_hash(uint16_t vmid, bool ipa, unsigned int lg2,
				   uint64_t page)
{
	return hw_tlb_hash_s(hw_tlb_salt(vmid, ipa), lg2, page);
}

/*
 * The epoch bucket of the ASID scope of tags @tags: the VMID, ASID and
 * world (the VMID is 0 in EL2-E2H), which TLBI_NH_ASID and TLBI_EL2_ASID
 * name.
 */
static inline unsigned int hw_ep_bucket(uint64_t tags)
{
	_Static_assert(HW_EP_BUCKETS == 1024u, "the top 10 bits");
	/* One multiply: its top bits depend on every bit of the scope. */
	return (unsigned int)(((tags & SMMU_GENMASK(33, 0)) *
			       UINT64_C(0x9e3779b97f4a7c15)) >>
			      54);
}

/* Does an entry of @kind in @world have an ASID epoch (when not global)? */
static inline bool hw_tlb_asids(uint8_t kind, uint8_t world)
{
	return kind != HW_K_S2 && world != HW_W_EL2;
}

/**
 * hw_tlb_epochs() - the current epochs of the scopes of an entry keyed
 * @k (taken as non-global: a global entry ignores its ASID epoch); 0 for
 * a scope the entry is not in
 * Context: lock-free (acquire loads).
 */
static inline void hw_tlb_epochs(struct smmu_hw *hw, const struct hw_tlbk *k,
				 struct hw_tlb_ep *ep)
{
	ep->world = __atomic_load_n(&hw->ep_world[k->world], __ATOMIC_ACQUIRE);
	ep->asid =
	    k->asids ? __atomic_load_n(&hw->ep_asid[k->ep_b], __ATOMIC_ACQUIRE)
		     : 0;
}

/* What the last non-global probe of a lookup saw of its set, and its
 * size, for the insert after the walk (of that size). */
struct hw_tlb_miss {
	struct ilib_cache_miss set;
	uint64_t key0;	  /* its key word 0 */
	unsigned int lg2; /* the size probed */
};

/**
 * hw_tlb_probe_k0() - the TLB entry keyed @k of 2^@lg2 bytes that holds
 * page @page (its key word 0 @key0, hw_tlb_key0()): one size of
 * hw_tlb_lookup() (hw_tlb_probe()), which says what it tries and what @t
 * and @miss receive (@miss: set on every call)
 * Context: lock-free on stable sets.
 * Return: true on a hit; a miss leaves @t as it came.
 */
static inline __attribute__((always_inline)) bool
hw_tlb_probe_k0(struct smmu_hw *hw, const struct hw_tlbk *k, uint64_t page,
		unsigned int lg2, uint64_t key0, struct hw_tlb *t,
		struct hw_tlb_miss *miss)
{
	const uint64_t k1 = k->tags;
	const uint64_t *ep_world = &hw->ep_world[k->world];
	const uint64_t hash = hw_tlb_hash_s(k->salt, lg2, page);
	uint64_t key[HW_TLB_KEY_WORDS], val[HW_TLB_VAL_WORDS], e;

	key[0] = key0;
	key[1] = k1;
	miss->key0 = key[0];
	miss->lg2 = lg2;
	if (ilib_cache_lookup_fixed_miss(&hw->tlbc, hash, key, val,
					 HW_TLB_KEY_WORDS, HW_TLB_VAL_WORDS,
					 &miss->set)) {
		e = __atomic_load_n(ep_world, __ATOMIC_ACQUIRE);
		if (k->asids)
			e += __atomic_load_n(&hw->ep_asid[k->ep_b],
					     __ATOMIC_ACQUIRE);
		if (val[2] == e)
			goto hit;
	}
	if (!k->asids || !__atomic_load_n(&hw->tlb_global, __ATOMIC_RELAXED))
		return false;
	/* A global entry: ASID 0, global set. */
	key[1] = (k1 & ~HW_TLB_T_ASID) | HW_TLB_T_GLOBAL;
	if (!ilib_cache_lookup_fixed(&hw->tlbc, hash, key, val,
				     HW_TLB_KEY_WORDS, HW_TLB_VAL_WORDS) ||
	    val[2] != __atomic_load_n(ep_world, __ATOMIC_ACQUIRE))
		return false;

hit:
	t->tags = key[1];
	t->lg2 = (uint8_t)lg2;
	t->kind = k->kind;
	t->page = page;
	t->out = val[0];
	t->attr = val[1];
	return true;
}

static inline __attribute__((always_inline)) bool
hw_tlb_probe(struct smmu_hw *hw, const struct hw_tlbk *k, uint64_t input,
	     unsigned int lg2, struct hw_tlb *t, struct hw_tlb_miss *miss)
{
	const uint64_t page = input >> lg2;

	return hw_tlb_probe_k0(hw, k, page, lg2,
			       hw_tlb_key0(page, lg2, k->kind), t, miss);
}

/**
 * hw_tlb_lookup() - the TLB entry keyed @k that holds @input
 * @k: smmu_hw_tlbk() of the request's tags
 * @input: the input address (a VA in canonical form, or an IPA)
 * @t: on a hit, the entry: its tags are its own (a global one: ASID 0
 *     and HW_TLB_T_GLOBAL)
 * @miss: set on every call: what the last size's non-global probe saw
 *     (for hw_tlb_insert())
 *
 * Tries the sizes that were ever cached, smallest first, each as a
 * non-global entry of @k's ASID and, for stage 1 of a world with ASIDs,
 * as a global entry (hw_tlb_probe()).
 * An entry whose scope was invalidated since its walk counts for nothing
 * (hw.h): read after the lookup found it, each epoch is at least what
 * its walk read (that read came before the entry was stored), so the
 * sums are equal only if every epoch is.
 * Context: lock-free on stable sets.
 * Return: true on a hit; a miss leaves @t as it came.
 */
static inline __attribute__((always_inline)) bool
hw_tlb_lookup(struct smmu_hw *hw, const struct hw_tlbk *k, uint64_t input,
	      struct hw_tlb *t, struct hw_tlb_miss *miss)
{
	uint64_t sizes = __atomic_load_n(&hw->tlb_sizes, __ATOMIC_RELAXED);
	unsigned int lg2;

	*miss = (struct hw_tlb_miss){ .set = { .seq = 1 } };
	while (sizes) {
		lg2 = (unsigned int)__builtin_ctzll(sizes);
		sizes &= sizes - 1;
		if (hw_tlb_probe(hw, k, input, lg2, t, miss))
			return true;
	}
	return false;
}

/**
 * hw_tlb_insert() - cache @t unless a TLBI began since @gen
 * @k: smmu_hw_tlbk() of the request's tags
 * @t: page (input >> lg2), lg2, out (of the entry's first byte) and attr
 * @global: the leaf is global (nG = 0, in a world with ASIDs): tagged
 *     with ASID 0 and HW_TLB_T_GLOBAL, and no ASID epoch
 * @ep: hw_tlb_epochs() of @k, read before the walk
 * @miss: hw_tlb_lookup()'s record of the request: used for a non-global
 *     entry of the size it probed last (then @t's key is that probe's)
 */
static inline __attribute__((always_inline)) void
hw_tlb_insert(struct smmu_hw *hw, const struct hw_tlbk *k,
	      const struct hw_tlb *t, bool global, uint64_t gen,
	      const struct hw_tlb_ep *ep, const struct hw_tlb_miss *miss)
{
	uint64_t key[HW_TLB_KEY_WORDS], val[HW_TLB_VAL_WORDS];
	const uint64_t bit = 1ull << t->lg2;

	key[1] =
	    global ? (k->tags & ~HW_TLB_T_ASID) | HW_TLB_T_GLOBAL : k->tags;
	val[0] = t->out;
	val[1] = t->attr;
	val[2] = ep->world + (global ? 0 : ep->asid);
	/*
	 * The sizes and the global flag are set before the insert checks
	 * the generation, so a lookup that misses them missed an entry that
	 * an invalidation running now removes anyway.
	 */
	if (!(__atomic_load_n(&hw->tlb_sizes, __ATOMIC_RELAXED) & bit))
		__atomic_fetch_or(&hw->tlb_sizes, bit, __ATOMIC_SEQ_CST);
	if (global && !__atomic_load_n(&hw->tlb_global, __ATOMIC_RELAXED))
		__atomic_store_n(&hw->tlb_global, true, __ATOMIC_SEQ_CST);
	if (!global && !(miss->set.seq & 1) && miss->lg2 == t->lg2) {
		/* The probe's page and size: its key word. */
		key[0] = miss->key0;
		ilib_cache_insert_after_miss_bucket(
		    &hw->tlbc, &miss->set, key, val, gen, k->ctag, k->bucket,
		    HW_TLB_KEY_WORDS, HW_TLB_VAL_WORDS);
	} else { /* the call: the inline copy above is the common case */
		key[0] = hw_tlb_key0(t->page, t->lg2, k->kind);
		ilib_cache_insert_tag(&hw->tlbc,
				      hw_tlb_hash_s(k->salt, t->lg2, t->page),
				      key, val, gen, k->ctag);
	}
}

#endif /* SMMU_HW_TLB_H */
