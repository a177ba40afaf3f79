// SPDX-License-Identifier: MIT
/*
 * hw_cache.c - the AMD-Vi device-table cache and IOTLB (amdvi 8) over
 * plugins/lib's ilib_cache, and what each command removes.  Tags and
 * rules are in hw.h.
 *
 * DTE cache: key = DeviceID, value = the four raw qwords.
 * IOTLB: key = the page's size and number (size_lg2 << 56 | IOVA >>
 * size_lg2), then DomainID | tag << 16; value = output address | perm
 * (the page is at least 4 KiB, so perm fits below the address; the key
 * already says the page's base and size).  One entry per page, filed
 * under its own base: a lookup probes once per page size the IOTLB ever
 * held (tlb_sizes; a 4 KiB-only guest one probe, 4K + 2M + 1G three),
 * smallest first.  The set: the key's first word plus a seed of its
 * second (hw_tlb_tag, made once per DTE resolution), times an odd
 * constant.
 *
 * What a command costs (rule 15), whatever the caches' sizes:
 * INVALIDATE_IOMMU_ALL is O(1) (ilib_cache_flush: an epoch); an
 * INVALIDATE_IOMMU_PAGES of the whole address space is O(1) too
 * (ilib_cache_flush_tag: entries are tagged by DomainID | tag, an epoch
 * per tag bucket; other domains in the bucket go too, which a cache may
 * always do); a range probes, for each page size ever held, the set of
 * each page of that size meeting it, so a one-page command costs a probe
 * per size and removes exactly the pages it names (a 1 GiB page cached
 * somewhere does not widen it); only when those probes would outnumber
 * the sets (a range of more small pages than the IOTLB has sets) does it
 * drop every entry of the DomainID and tag in O(1) instead (more than
 * asked, as a cache may).  INVALIDATE_DEVTAB_ENTRY probes one set.
 *
 * PDE cache (ilib_walk_cache.h's entries, the set hashed as the IOTLB's
 * from a seed of the walk's tag word and root): what empties it is in
 * hw.h; always the whole cache, in O(1).
 */
#include <errno.h>
#include <string.h>

#include "hw.h"
#include "ilib_walk_cache.h"

#define HW_DTE_WAYS 8u
#define HW_WALK_WAYS 8u
#define HW_WALK_MIN 16u
#define HW_TLB_TAG_BUCKETS 4096u

int amdvi_hw_caches_init(struct amdvi_hw *hw, const uint64_t *p)
{
	int ret;

	ret = ilib_cache_init(&hw->dtec, p[AMDVI_P_HW_DTE_CACHE], HW_DTE_WAYS,
			      1, 4);
	if (ret)
		return ret;
	ret = ilib_cache_init_tagged(&hw->tlbc, p[AMDVI_P_HW_IOTLB],
				     (unsigned int)p[AMDVI_P_HW_IOTLB_WAYS], 2,
				     1, HW_TLB_TAG_BUCKETS);
	if (ret) {
		ilib_cache_fini(&hw->dtec);
		return ret;
	}
	/* PDE cache: a quarter of the IOTLB, at least 16 (hw.h). */
	ret = ilib_walk_cache_init(&hw->walkc,
				   p[AMDVI_P_HW_IOTLB] / 4 > HW_WALK_MIN
				       ? p[AMDVI_P_HW_IOTLB] / 4
				       : HW_WALK_MIN,
				   HW_WALK_WAYS);
	if (ret) {
		ilib_cache_fini(&hw->tlbc);
		ilib_cache_fini(&hw->dtec);
		return ret;
	}
	ilib_cache_set_host(&hw->dtec, hw->host, "amdvi device table cache");
	ilib_cache_set_host(&hw->tlbc, hw->host, "amdvi iotlb");
	ilib_cache_set_host(&hw->walkc, hw->host, "amdvi pde cache");
	return 0;
}

void amdvi_hw_caches_fini(struct amdvi_hw *hw)
{
	ilib_cache_fini(&hw->walkc);
	ilib_walk_fronts_fini(&hw->fronts);
	ilib_cache_fini(&hw->tlbc);
	ilib_cache_fini(&hw->dtec);
}

static uint64_t hw_dte_hash(uint16_t devid)
{
	return ilib_hash64(devid);
}

bool amdvi_hw_dte_lookup(struct amdvi_hw *hw, uint16_t devid, uint64_t *dte)
{
	const uint64_t key = devid;

	return ilib_cache_lookup_fixed(&hw->dtec, hw_dte_hash(devid), &key, dte,
				       1, 4);
}

void amdvi_hw_dte_insert(struct amdvi_hw *hw, uint16_t devid,
			 const uint64_t *dte, uint64_t gen)
{
	const uint64_t key = devid;

	ilib_cache_insert(&hw->dtec, hw_dte_hash(devid), &key, dte, gen);
}

/* The page sizes the IOTLB ever held, as lg2 bits (12..63). */
static uint64_t hw_tlb_sizes(struct amdvi_hw *hw)
{
	return __atomic_load_n(&hw->tlb_sizes, __ATOMIC_SEQ_CST);
}

#define HW_TLB_SEED_MUL 0xc4ceb9fe1a85ec53ull

void amdvi_hw_tlb_tag(const struct amdvi_hw *hw, struct hw_tlb_tag *tt,
		      uint16_t domid, uint32_t tag)
{
	tt->word = domid | (uint64_t)tag << 16;
	tt->seed = tt->word * HW_TLB_SEED_MUL;
	tt->bucket = ilib_cache_tag_bucket(&hw->tlbc, tt->word);
}

/* One probe: the 2^@lg2 page holding @iova (@miss: NULL, or what a miss
 * saw of its set). */
static inline __attribute__((always_inline)) bool
hw_tlb_probe(struct amdvi_hw *hw, const struct hw_tlb_tag *tt, uint64_t iova,
	     unsigned int lg2, struct hw_tlb *t, struct ilib_cache_miss *miss)
{
	uint64_t key[2], val;

	amdvi_hw_tlb_key(key, tt->word, iova, lg2);
	if (!ilib_cache_lookup_fixed_miss(&hw->tlbc,
					  amdvi_hw_tlb_hash(key, tt->seed),
					  key, &val, 2, 1, miss))
		return false;
	t->mask = (1ull << lg2) - 1;
	t->base = iova & ~t->mask;
	t->out = val & ~AMDVI_HW_TLB_PERM;
	t->size_lg2 = lg2;
	t->perm = (unsigned int)(val & AMDVI_HW_TLB_PERM);
	return true;
}

bool amdvi_hw_tlb_lookup(struct amdvi_hw *hw, const struct hw_tlb_tag *tt,
			 uint64_t iova, struct hw_tlb *t,
			 struct ilib_cache_miss *miss)
{
	const uint64_t sizes = hw_tlb_sizes(hw);

	/* Only 4 KiB pages ever cached (the usual case): one probe, its
	 * shifts constant. */
	if (sizes == 1ull << 12)
		return hw_tlb_probe(hw, tt, iova, 12, t, miss);
	miss->seq = 1; /* several probes: none kept */
	for (uint64_t m = sizes; m; m &= m - 1)
		if (hw_tlb_probe(hw, tt, iova,
				 (unsigned int)__builtin_ctzll(m), t, NULL))
			return true;
	return false;
}

/* amdvi_hw_tlb_insert(), inline for a caller whose page size is a
 * constant. */
static inline __attribute__((always_inline)) bool
hw_tlb_insert(struct amdvi_hw *hw, const struct hw_tlb_tag *tt,
	      const struct hw_tlb *t, uint64_t gen,
	      const struct ilib_cache_miss *miss)
{
	const uint64_t bit = 1ull << t->size_lg2;
	uint64_t key[2], val;

	amdvi_hw_tlb_key(key, tt->word, t->base, t->size_lg2);
	val = t->out | t->perm; /* the page is at least 4 KiB */
	/* The sizes ever cached say what lookups and ranges probe; they only
	 * grow (stored before the insert checks the generation, so a range
	 * command that reads them after bumping it either sees this size or
	 * makes this insert back off). */
	if (!(hw_tlb_sizes(hw) & bit)) {
		__atomic_fetch_or(&hw->tlb_sizes, bit, __ATOMIC_SEQ_CST);
		/* hw.h short_off: a size for good, before the insert. */
		if (bit == 1ull << 12)
			__atomic_fetch_and(&hw->short_off, ~HW_SHORT_EMPTY,
					   __ATOMIC_SEQ_CST);
		else
			__atomic_fetch_or(&hw->short_off, HW_SHORT_BIG,
					  __ATOMIC_SEQ_CST);
	}
	if (miss && !(miss->seq & 1) && t->size_lg2 == 12)
		return ilib_cache_insert_after_miss(&hw->tlbc, miss, key, &val,
						    gen, key[1], 2, 1);
	return ilib_cache_insert_tag_fixed(&hw->tlbc,
					   amdvi_hw_tlb_hash(key, tt->seed),
					   key, &val, gen, key[1], 2, 1);
}

bool amdvi_hw_tlb_insert(struct amdvi_hw *hw, const struct hw_tlb_tag *tt,
			 const struct hw_tlb *t, uint64_t gen,
			 const struct ilib_cache_miss *miss)
{
	return hw_tlb_insert(hw, tt, t, gen, miss);
}

/* The usual page: its key's shift, its size bit and its choice of the
 * insert after the lookup's miss are constants. */
bool amdvi_hw_tlb_insert_4k(struct amdvi_hw *hw, const struct hw_tlb_tag *tt,
			    const struct hw_tlb *t, uint64_t gen,
			    const struct ilib_cache_miss *miss)
{
	struct hw_tlb t4 = *t;

	t4.size_lg2 = 12;
	return hw_tlb_insert(hw, tt, &t4, gen, miss);
}

static bool hw_dte_match(const uint64_t *key, const uint64_t *val,
			 const void *arg)
{
	(void)val;
	return key[0] == *(const uint64_t *)arg;
}

/*
 * Every PDE cache entry, O(1) (the invalidations of hw.h).  Before the
 * IOTLB's generation moves in the same command: a walk that resumed from
 * an entry flushed here read the IOTLB's generation earlier, so its
 * insert backs off.
 */
void amdvi_hw_walk_flush(struct amdvi_hw *hw)
{
	ilib_walk_cache_flush(&hw->walkc);
}

/*
 * INVALIDATE_DEVTAB_ENTRY: the cached DTE and not its translations (8);
 * but the PDE cache, whose entries the old DTE's root and shape name.
 */
void amdvi_hw_inv_dte(struct amdvi_hw *hw, uint16_t devid)
{
	const uint64_t key = devid;

	amdvi_hw_walk_flush(hw);
	ilib_cache_inval_begin(&hw->dtec);
	ilib_cache_inval_set(&hw->dtec,
			     ilib_cache_set_of(&hw->dtec, hw_dte_hash(devid)),
			     hw_dte_match, &key);
	/* After the cache is emptied: a memo made under the new uid read
	 * what the cache holds now (hw_xlate.c struct hw_memo). */
	amdvi_hw_uid_redraw(hw);
}

struct hw_inv_arg {
	uint64_t tagword;
	uint64_t first, last;
};

/* Does the entry's page [base, base + 2^size) meet [first, last]?  (The
 * key says both: amdvi_hw_tlb_key().) */
static bool hw_tlb_match(const uint64_t *key, const uint64_t *val,
			 const void *arg)
{
	const struct hw_inv_arg *a = arg;
	const unsigned int lg2 = (unsigned int)(key[0] >> 56);
	const uint64_t base = (key[0] & ((1ull << 56) - 1)) << lg2;
	const uint64_t plast = base + ((1ull << lg2) - 1);

	(void)val;
	return key[1] == a->tagword && base <= a->last && plast >= a->first;
}

/*
 * INVALIDATE_IOMMU_PAGES: the translations of (@domid, @tag) whose page
 * meets [@first, @last] (8, 5.4); nothing else of the domain.
 */
void amdvi_hw_inv_pages(struct amdvi_hw *hw, uint16_t domid, uint32_t tag,
			uint64_t first, uint64_t last)
{
	struct hw_tlb_tag tt;
	struct hw_inv_arg a;
	struct ilib_cache *c = &hw->tlbc;
	const unsigned int nsets = ilib_cache_nsets(c);
	uint64_t key[2], sizes, probes = 0;
	unsigned int set;

	amdvi_hw_tlb_tag(hw, &tt, domid, tag);
	a = (struct hw_inv_arg){
	    .tagword = tt.word,
	    .first = first,
	    .last = last,
	};
	if (first == 0 && last == UINT64_MAX) {
		ilib_cache_flush_tag(c, a.tagword);
		return;
	}
	/*
	 * Generation first (an insert racing this sees it and drops its
	 * entry), then the sizes: an entry of a size not read here was
	 * filled under the new generation, and is not stored.
	 */
	ilib_cache_inval_begin(c);
	sizes = hw_tlb_sizes(hw);
	for (uint64_t m = sizes; m; m &= m - 1) {
		const unsigned int lg2 = (unsigned int)__builtin_ctzll(m);

		probes += (last >> lg2) - (first >> lg2) + 1;
		if (probes > nsets)
			goto drop_tag;
	}
	for (uint64_t m = sizes; m; m &= m - 1) {
		const unsigned int lg2 = (unsigned int)__builtin_ctzll(m);

		for (uint64_t p = first >> lg2; p <= last >> lg2; p++) {
			amdvi_hw_tlb_key(key, tt.word, p << lg2, lg2);
			set = ilib_cache_set_of(
			    c, amdvi_hw_tlb_hash(key, tt.seed));
			ilib_cache_inval_set(c, set, hw_tlb_match, &a);
		}
	}
	return;

drop_tag:
	/* More pages than sets: the whole DomainID | tag goes, O(1). */
	ilib_cache_flush_tag(c, a.tagword);
}

/* INVALIDATE_IOMMU_ALL: every cached DTE and translation (5.3). */
void amdvi_hw_inv_all(struct amdvi_hw *hw)
{
	amdvi_hw_walk_flush(hw); /* O(1), whatever their sizes */
	ilib_cache_flush(&hw->dtec);
	ilib_cache_flush(&hw->tlbc);
	amdvi_hw_uid_redraw(hw); /* as amdvi_hw_inv_dte() */
}
