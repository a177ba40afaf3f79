// SPDX-License-Identifier: MIT
/*
 * hw_cache.c - the VT-d side of the model's three caches: context cache,
 * PASID cache and IOTLB are ilib_cache instances (plugins/lib: sets, LRU,
 * lock-free reads, generations); this file says what their keys and sets
 * are (vtd 9.1) and what each invalidation (vtd 6.3, 6.4, 6.8, 6.9, 9.2;
 * CCMD and IOTLB_REG, vtd 2.4) removes.  The decisions it follows
 * (12.22 domain-selective context invalidation, IOTLB tags, caching
 * mode) are in hw.h.
 */
#include <errno.h>
#include <string.h>

#include "hw.h"

/* ilib_cache words holding a struct. */
#define HW_WORDS(t) ((sizeof(t) + 7) / 8)

_Static_assert(HW_WORDS(struct hw_ctx) < ILIB_CACHE_MAX_WORDS,
	       "a context-cache entry must fit an ilib_cache slot");
_Static_assert(HW_WORDS(struct hw_pe) < ILIB_CACHE_MAX_WORDS,
	       "a PASID-cache entry must fit an ilib_cache slot");


/* What an invalidation removes. */
struct hw_match {
	unsigned int gran; /* VTD_CC_* / 0 = everything for the others */
	bool did_on, pasid_on, range_on, fl_only, fl_any_addr;
	uint16_t did;
	uint32_t pasid;
	uint16_t sid, sid_mask;
	uint64_t first, last;	      /* byte range, inclusive */
	uint64_t vfirst[4], vlast[4]; /* [level]: page numbers it covers */
};

/**
 * vtd_hw_caches_init() - the three caches, sized by the [vtd] keys
 * @hw: model (zeroed caches)
 * @params: the [vtd] values, already checked
 *
 * Return: 0; -ENOMEM (the caches made so far are freed).
 */
/*
 * The IOTLB and the PASID cache tag their entries with the DID: a
 * domain-selective invalidation is ilib_cache_flush_tag(), O(1) whatever
 * the cache's size.  DIDs hash into HW_DID_BUCKETS buckets, and flushing
 * one DID flushes the DIDs of its bucket too (more than asked, which a
 * cache may always do; never less).
 */
#define HW_DID_BUCKETS 4096u

/* Paging-structure caches: a quarter of the IOTLB's entries, in sets of
 * four (a lookup that misses compares four keys, not eight). */
#define HW_WC_WAYS 4u

int vtd_hw_caches_init(struct vtd_hw *hw, const uint64_t *params)
{
	if (!hw || !params)
		return -EINVAL;
	if (ilib_cache_init(&hw->ctxc, params[VTD_P_HW_CTX_CACHE], HW_WAYS, 1,
			    HW_WORDS(struct hw_ctx)) ||
	    ilib_cache_init_tagged(&hw->pasidc, params[VTD_P_HW_PASID_CACHE],
				   HW_WAYS, 1, HW_WORDS(struct hw_pe),
				   HW_DID_BUCKETS) ||
	    ilib_cache_init_tagged(&hw->tlbc, params[VTD_P_HW_IOTLB], HW_WAYS,
				   HW_TLB_KEY_WORDS, HW_TLB_VAL_WORDS,
				   HW_DID_BUCKETS) ||
	    ilib_walk_cache_init(&hw->wc,
				 params[VTD_P_HW_IOTLB] / 4 > HW_WC_WAYS
				     ? params[VTD_P_HW_IOTLB] / 4
				     : HW_WC_WAYS,
				 HW_WC_WAYS)) {
		vtd_hw_caches_fini(hw);
		return -ENOMEM;
	}
	ilib_cache_set_host(&hw->ctxc, hw->host, "vtd context cache");
	ilib_cache_set_host(&hw->pasidc, hw->host, "vtd pasid cache");
	ilib_cache_set_host(&hw->tlbc, hw->host, "vtd iotlb");
	ilib_cache_set_host(&hw->wc, hw->host, "vtd paging-structure cache");
	return 0;
}

void vtd_hw_caches_fini(struct vtd_hw *hw)
{
	if (!hw)
		return;
	ilib_cache_fini(&hw->ctxc);
	ilib_cache_fini(&hw->pasidc);
	ilib_cache_fini(&hw->tlbc);
	ilib_cache_fini(&hw->wc);
	ilib_walk_fronts_fini(&hw->fronts);
}

/*
 * Context and PASID caches keep a decoded entry (struct hw_ctx, hw_pe) as
 * their value words, under a one-word key.  Inlined for each struct, so
 * that the lookup is unrolled for its size and the copies are moves.
 */
static inline __attribute__((always_inline)) bool
hw_struct_lookup(struct ilib_cache *c, uint64_t hash, uint64_t key, void *out,
		 size_t size)
{
	uint64_t w[ILIB_CACHE_MAX_WORDS];

	if (!ilib_cache_lookup_fixed(c, hash, &key, w, 1,
				     (unsigned int)((size + 7) / 8)))
		return false;
	memcpy(out, w, size);
	return true;
}

static inline __attribute__((always_inline)) void
hw_struct_insert(struct ilib_cache *c, uint64_t hash, uint64_t key,
		 const void *in, size_t size, uint64_t gen, uint64_t did)
{
	uint64_t w[ILIB_CACHE_MAX_WORDS];

	w[(size + 7) / 8 - 1] = 0; /* the padding of a last partial word */
	memcpy(w, in, size);
	ilib_cache_insert_tag(c, hash, &key, w, gen, did);
}

/* Context cache: one entry per (SID, mode it was read in). */
static uint64_t hw_ctx_key(uint16_t sid, uint8_t ttm)
{
	return sid | (uint64_t)ttm << 16;
}

/* Look up @sid's context entry as read in mode @ttm; fills @c. */
bool vtd_hw_ctx_lookup(struct vtd_hw *hw, uint16_t sid, uint8_t ttm,
		       struct hw_ctx *c)
{
	uint64_t key = hw_ctx_key(sid, ttm);

	return hw_struct_lookup(&hw->ctxc, ilib_hash64(key), key, c,
				sizeof(*c));
}

/* Cache @c (c->sid, c->ttm are its key) unless an invalidation ran. */
void vtd_hw_ctx_insert(struct vtd_hw *hw, const struct hw_ctx *c, uint64_t gen)
{
	uint64_t key = hw_ctx_key(c->sid, c->ttm);

	hw_struct_insert(&hw->ctxc, ilib_hash64(key), key, c, sizeof(*c), gen,
			 0);
}

/*
 * PASID cache: one entry per (SID, PASID), hashed with bit 63 set (a salt,
 * so that SID/PASID pairs do not land in the sets SID/TTM pairs would).
 */
static uint64_t hw_pe_key(uint16_t sid, uint32_t pasid)
{
	return sid | (uint64_t)pasid << 16;
}

bool vtd_hw_pe_lookup(struct vtd_hw *hw, uint16_t sid, uint32_t pasid,
		      struct hw_pe *p)
{
	uint64_t key = hw_pe_key(sid, pasid);

	return hw_struct_lookup(&hw->pasidc, ilib_hash64(key | 1ull << 63), key,
				p, sizeof(*p));
}

/* Cache @p (p->sid, p->pasid are its key) unless an invalidation ran. */
void vtd_hw_pe_insert(struct vtd_hw *hw, const struct hw_pe *p, uint64_t gen)
{
	uint64_t key = hw_pe_key(p->sid, p->pasid);

	hw_struct_insert(&hw->pasidc, ilib_hash64(key | 1ull << 63), key, p,
			 sizeof(*p), gen, p->did);
}

/* ---- IOTLB -------------------------------------------------------------- */

static void hw_tlb_key(const struct hw_tlb *t, uint64_t key[HW_TLB_KEY_WORDS])
{
	key[0] = vtd_hw_tlb_key0(t->vpn, t->level,
				 vtd_hw_tlb_key0_mode(t->stage, t->sm));
	key[1] = vtd_hw_tlb_key1(t->pasid, t->did, t->sid);
}

/* The tags of the entry with key @key (for the invalidation predicate). */
static void hw_tlb_unkey(const uint64_t *key, struct hw_tlb *t)
{
	t->vpn = key[0] & HW_TLB_VPN;
	t->level = (uint8_t)((key[0] >> 56) & 0xf);
	t->stage = (uint8_t)((key[0] >> 60) & 3);
	t->sm = (key[0] >> 62) & 1;
	t->pasid = (uint32_t)key[1];
	t->did = (uint16_t)(key[1] >> 32);
	t->sid = (uint16_t)(key[1] >> 48);
}

/*
 * The IOTLB set of an entry depends on its DID, level and page only (not
 * on SID or PASID), so that a page-selective invalidation, which names the
 * DID and the range, can probe just the sets the range maps to.  The DID
 * is mixed once (a translation keeps the seed with its context); the page
 * and level go in with one multiply, whose high bits, the set, spread
 * neighbouring pages.
 */
uint64_t vtd_hw_tlb_seed(uint16_t did)
{
	return ilib_hash64((uint64_t)did + 1);
}

static uint64_t hw_tlb_hash(uint16_t did, unsigned int level, uint64_t vpn)
{
	return vtd_hw_tlb_hash(vtd_hw_tlb_seed(did), level, vpn);
}

/*
 * vtd_hw_tlb_lookup() - the IOTLB entry tagged like @t
 * @t: sid, did, pasid, level, stage, sm and vpn set; on a hit out, perm,
 *     neg and wd are filled in
 */
bool vtd_hw_tlb_lookup(struct vtd_hw *hw, struct hw_tlb *t,
		       struct hw_tlb_probe *p)
{
	hw_tlb_key(t, p->key);
	p->level = t->level;
	return vtd_hw_tlb_probe(hw, p,
				vtd_hw_tlb_hash(t->seed, t->level, t->vpn), t);
}

/* Cache @t unless an IOTLB invalidation ran since @gen was read; @p:
 * NULL, or the lookup that missed @t's very key (its key and set). */
void vtd_hw_tlb_insert(struct vtd_hw *hw, const struct hw_tlb *t, uint64_t gen,
		       const struct hw_tlb_probe *p)
{
	uint64_t key[HW_TLB_KEY_WORDS], val[HW_TLB_VAL_WORDS];

	vtd_hw_tlb_val(t->out, t->perm, t->neg, t->wd, val);
	/*
	 * Set before the insert checks the generation: an IOTLB_REG-style
	 * page invalidation that reads it clear after bumping the
	 * generation makes this insert back off.
	 */
	if (t->stage == HW_ST_FL &&
	    !__atomic_load_n(&hw->tlb_fl, __ATOMIC_RELAXED))
		__atomic_store_n(&hw->tlb_fl, true, __ATOMIC_SEQ_CST);
	if (p) {
		ilib_cache_insert_after_miss(&hw->tlbc, &p->miss, p->key, val,
					     gen, t->did, HW_TLB_KEY_WORDS,
					     HW_TLB_VAL_WORDS);
		return;
	}
	hw_tlb_key(t, key);
	ilib_cache_insert_tag_fixed(
	    &hw->tlbc, vtd_hw_tlb_hash(t->seed, t->level, t->vpn), key, val,
	    gen, t->did, HW_TLB_KEY_WORDS, HW_TLB_VAL_WORDS);
}

/* ---- What invalidations remove ----------------------------------------- */

static bool hw_ctx_pred(const uint64_t *key, const uint64_t *val,
			const void *arg)
{
	const struct hw_match *m = arg;
	struct hw_ctx c;

	(void)key;
	memcpy(&c, val, sizeof(c));
	switch (m->gran) {
	case VTD_CC_DOMAIN:
		return c.ttm == VTD_TTM_SCALABLE || c.did == m->did;
	case VTD_CC_DEVICE:
		return (c.sid & m->sid_mask) == (m->sid & m->sid_mask);
	default:
		return true;
	}
}

static bool hw_pe_pred(const uint64_t *key, const uint64_t *val,
		       const void *arg)
{
	const struct hw_match *m = arg;
	struct hw_pe p;

	(void)key;
	memcpy(&p, val, sizeof(p));
	if (m->did_on && p.did != m->did)
		return false;
	return !m->pasid_on || p.pasid == m->pasid;
}

static bool hw_tlb_pred(const uint64_t *key, const uint64_t *val,
			const void *arg)
{
	const struct hw_match *m = arg;
	struct hw_tlb t;

	(void)val;
	hw_tlb_unkey(key, &t);
	if (m->did_on && t.did != m->did)
		return false;
	if (m->pasid_on && t.pasid != m->pasid)
		return false;
	if (m->fl_only && t.stage != HW_ST_FL)
		return false;
	if (!m->range_on)
		return true;
	if (m->fl_any_addr && t.stage == HW_ST_FL)
		return true;
	/* A page overlaps the range iff its number is within the range's. */
	return t.level >= 1 && t.level <= 3 && t.vpn >= m->vfirst[t.level] &&
	       t.vpn <= m->vlast[t.level];
}

/*
 * hw_tlb_filter() - the key bits every entry of @level that @m (a DID-
 * qualified range) removes has: its level, its DID (and PASID) and the
 * page-number block of the range, which is 2^k pages aligned to 2^k (an
 * address mask) or one page.  Entries of the probed sets that differ there
 * are skipped before hw_tlb_pred(), which still decides for the rest.
 */
static void hw_tlb_filter(const struct hw_match *m, unsigned int level,
			  struct ilib_cache_filter *f)
{
	uint64_t n = m->vlast[level] - m->vfirst[level] + 1;

	f->mask[0] = 0xfull << 56;
	f->val[0] = (uint64_t)level << 56;
	if (n && !(n & (n - 1)) && !(m->vfirst[level] & (n - 1))) {
		f->mask[0] |= HW_TLB_VPN & ~(n - 1);
		f->val[0] |= m->vfirst[level];
	}
	f->mask[1] = 0xffffull << 32;
	f->val[1] = (uint64_t)m->did << 32;
	if (m->pasid_on) {
		f->mask[1] |= 0xffffffffull;
		f->val[1] |= m->pasid;
	}
}

/*
 * hw_tlb_remove() - remove every IOTLB entry @m accepts, the generation
 * bumped (hw_tlb_inval())
 * A DID-qualified range that spans fewer pages (of sizes 4K, 2M and 1G
 * together) than there are sets probes only the sets those pages hash to.
 * A larger DID-qualified one (and a type-2 page invalidation once a
 * first-stage entry was ever cached: it removes every first-stage entry
 * of the DID whatever its address) drops the whole DID instead, in O(1)
 * (ilib_cache_flush_tag): more than asked, which a cache may always do,
 * so that a queue of them costs its length, not its length times the
 * IOTLB's size (rule 15).  Only what no DID qualifies scans every set.
 * Context: takes each set's lock in turn.
 */
static void hw_tlb_remove(struct vtd_hw *hw, const struct hw_match *m)
{
	struct ilib_cache *c = &hw->tlbc;
	unsigned int nsets = ilib_cache_nsets(c), level, levels;
	uint64_t probes = 0;

	if (m->did_on && m->range_on &&
	    m->fl_any_addr && __atomic_load_n(&hw->tlb_fl, __ATOMIC_SEQ_CST))
		goto drop_did;
	/* Only the page sizes the IOTLB ever held (hw_tlb_put sets a
	 * level's bit before its insert reads the generation, and this
	 * reads the bits after bumping it: an entry of a level read clear
	 * here is dropped by its insert). */
	levels = __atomic_load_n(&hw->tlb_levels, __ATOMIC_SEQ_CST);
	if (m->did_on && m->range_on) {
		for (level = 1; level <= 3; level++)
			if (levels >> (level - 1) & 1)
				probes += m->vlast[level] - m->vfirst[level] + 1;
		if (probes > nsets)
			goto drop_did;
	}
	if (!m->range_on || !m->did_on)
		goto scan_all;
	for (level = 1; level <= 3; level++) {
		struct ilib_cache_filter f;

		if (!(levels >> (level - 1) & 1))
			continue;
		hw_tlb_filter(m, level, &f);
		for (uint64_t vpn = m->vfirst[level]; vpn <= m->vlast[level];
		     vpn++)
			ilib_cache_inval_set_filtered(
			    c,
			    ilib_cache_set_of(c,
					      hw_tlb_hash(m->did, level, vpn)),
			    &f, hw_tlb_pred, m);
	}
	return;

scan_all:
	for (unsigned int set = 0; set < nsets; set++)
		ilib_cache_inval_set(c, set, hw_tlb_pred, m);
	return;

drop_did:
	ilib_cache_flush_tag(c, m->did);
}

/*
 * hw_tlb_inval() - remove every IOTLB entry @m accepts (hw_tlb_remove())
 * Context: bumps the generation first, so an insert racing this sees it
 * (and a first-stage entry's tlb_fl, or a level's bit, is then visible
 * to hw_tlb_remove()).
 */
static void hw_tlb_inval(struct vtd_hw *hw, const struct hw_match *m)
{
	ilib_cache_inval_begin(&hw->tlbc);
	hw_tlb_remove(hw, m);
}

/* Set @m's range to 2^@am pages at @addr (low bits ignored). */
static void hw_match_range(struct hw_match *m, uint64_t addr, unsigned int am)
{
	uint64_t size = 1ull << (VTD_PAGE_SHIFT + am);

	m->range_on = true;
	m->first = addr & ~(size - 1);
	m->last = m->first + (size - 1);
	for (unsigned int level = 1; level <= 3; level++) {
		m->vfirst[level] = m->first >> vtd_level_shift(level);
		m->vlast[level] = m->last >> vtd_level_shift(level);
	}
}

/*
 * vtd_hw_inv_ctx() - context-cache invalidation (vtd 6.3, CCMD)
 * @gran: VTD_CC_GLOBAL, _DOMAIN or _DEVICE
 * @fm: function mask (device-selective)
 */
void vtd_hw_inv_ctx(struct vtd_hw *hw, unsigned int gran, uint16_t did,
		    uint16_t sid, unsigned int fm)
{
	struct hw_match m = {.gran = gran, .did = did, .sid = sid};

	/* FM 0: compare all; 1: ignore SID bit 2; 2: bits 2:1; 3: bits 2:0. */
	static const uint16_t masks[4] = {0xffff, 0xfffb, 0xfff9, 0xfff8};

	m.sid_mask = masks[fm & 3];
	/* A context entry names the tables: what was cached below it goes
	 * (more than the sheet asks, never less). */
	ilib_walk_cache_flush(&hw->wc);
	if (gran == VTD_CC_GLOBAL)
		ilib_cache_flush(&hw->ctxc); /* O(1), whatever its size */
	else
		ilib_cache_inval(&hw->ctxc, hw_ctx_pred, &m);
}

/*
 * hw_tlb_inval_page() - what a type-2 page-selective invalidation of
 * 2^@am pages at @addr (DID @did) removes from the IOTLB
 * One 4 KiB page while the IOTLB never held a larger one (the strict
 * unmap's case) probes its one set, with no match description: the
 * filter names the level, the page and the DID, all a type-2 page
 * invalidation compares (hw_tlb_pred() would accept every entry that
 * passes it).  The rest goes through hw_tlb_remove().
 */
static void hw_tlb_inval_page(struct vtd_hw *hw, uint16_t did, uint64_t addr,
			      unsigned int am)
{
	struct ilib_cache *c = &hw->tlbc;
	unsigned int levels;

	ilib_cache_inval_begin(c); /* before the bits below: hw_tlb_inval() */
	levels = __atomic_load_n(&hw->tlb_levels, __ATOMIC_SEQ_CST);
	if (!am && !(levels & ~1u) &&
	    !__atomic_load_n(&hw->tlb_fl, __ATOMIC_SEQ_CST)) {
		const uint64_t vpn = (addr >> VTD_PAGE_SHIFT) & HW_TLB_VPN;
		const struct ilib_cache_filter f = {
		    .mask = {0xfull << 56 | HW_TLB_VPN, 0xffffull << 32},
		    .val = {1ull << 56 | vpn, (uint64_t)did << 32},
		};

		/* Every IOTLB invalidation runs under reg_lock. */
		if (levels)
			ilib_cache_inval_set_serial(
			    c, ilib_cache_set_of(c, hw_tlb_hash(did, 1, vpn)),
			    &f);
		return;
	}
	struct hw_match m = {.did_on = true, .did = did, .fl_any_addr = true};

	hw_match_range(&m, addr, am);
	hw_tlb_remove(hw, &m);
}

/*
 * vtd_hw_inv_iotlb() - type-2 / IOTLB_REG semantics (vtd 9.2)
 * @gran: VTD_IOTLB_*
 * @addr, @am: the pages of a page-selective one (2^@am at @addr)
 * @ih: its invalidation hint: the driver changed leaves only
 */
void vtd_hw_inv_iotlb(struct vtd_hw *hw, unsigned int gran, uint16_t did,
		      uint64_t addr, unsigned int am, bool ih)
{
	/* IOTLB invalidations also cover the paging-structure caches
	 * (vtd 6.4; the sheet's 9.1), first (docs/architecture.md), except
	 * a page-selective one with IH = 1: no directory entry changed, so
	 * the table a walk found for a region is still that region's. */
	if (gran != VTD_IOTLB_PAGE || !ih)
		ilib_walk_cache_flush(&hw->wc);
	if (gran == VTD_IOTLB_GLOBAL)
		ilib_cache_flush(&hw->tlbc); /* O(1), whatever its size */
	else if (gran == VTD_IOTLB_DOMAIN)
		ilib_cache_flush_tag(&hw->tlbc, did); /* O(1) too */
	else
		hw_tlb_inval_page(hw, did, addr, am);
}

/*
 * vtd_hw_inv_piotlb() - type 6 (vtd 9.2): PASID-selective or
 * page-selective (first-stage entries only); @ih as for
 * vtd_hw_inv_iotlb()
 */
void vtd_hw_inv_piotlb(struct vtd_hw *hw, unsigned int g, uint16_t did,
		       uint32_t pasid, uint64_t addr, unsigned int am, bool ih)
{
	struct hw_match m = {
	    .did_on = true, .did = did, .pasid_on = true, .pasid = pasid};

	if (g != VTD_PIOTLB_G_PAGE || !ih)
		ilib_walk_cache_flush(&hw->wc); /* as vtd_hw_inv_iotlb() */
	if (g == VTD_PIOTLB_G_PAGE) {
		hw_match_range(&m, addr, am);
		m.fl_only = true;
	}
	hw_tlb_inval(hw, &m);
}

/* Type 7 (vtd 6.9): global, domain- or PASID-selective. */
void vtd_hw_inv_pc(struct vtd_hw *hw, unsigned int g, uint16_t did,
		   uint32_t pasid)
{
	struct hw_match m = {0};

	ilib_walk_cache_flush(&hw->wc); /* a PASID entry names the tables */
	if (g != VTD_PC_G_GLOBAL) {
		m.did_on = true;
		m.did = did;
	}
	if (g == VTD_PC_G_PASID) {
		m.pasid_on = true;
		m.pasid = pasid;
	}
	if (g == VTD_PC_G_GLOBAL)
		ilib_cache_flush(&hw->pasidc); /* O(1), whatever its size */
	else if (g == VTD_PC_G_DOMAIN)
		ilib_cache_flush_tag(&hw->pasidc, did); /* O(1) too */
	else
		ilib_cache_inval(&hw->pasidc, hw_pe_pred, &m);
}
