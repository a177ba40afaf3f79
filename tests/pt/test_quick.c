// SPDX-License-Identifier: MIT
/*
 * test_quick.c - the inline decoders of pt_quick.h keep their contract:
 * what one accepts, pt_walk() resumed at the same last-level table
 * translates, to the same output address and permissions; and (for a
 * decoder that claims it) whatever pt_walk() translates there to a page
 * of the granule as the entry stands (no A or D to set), the decoder
 * accepts, so a model's fast path is not quietly never taken.  On random
 * tables of every variant of the decoder's format, with the leaf corrupted
 * at random (validity, permissions, reserved and address bits, A and D),
 * random output widths, reserved masks, walk flags (A/D updates, AFFD),
 * permissions of the levels above and accesses (and looks, for a decoder
 * that takes them); at each granule the format has.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "pt_quick.h"
#include "variants.h"

#define U(x) ((unsigned long long)(x))

/* One decoder under test. */
struct quick {
	enum pt_fmt fmt;
	/* Whether the decoder's preconditions hold for @d. */
	bool (*covers)(const struct pt_walk_desc *d);
	/* Decode @e, the level-0 entry of @ia, as the model would. */
	bool (*decode)(const struct pt_walk_desc *d, uint64_t e, uint64_t ia,
		       unsigned int access, uint32_t *perm, uint64_t *oa);
	/* Accepts every entry pt_walk() translates to a page of the granule
	 * without an update (else: may refuse). */
	bool complete;
};

/* What a decoder of quicks[] may add (quick_more_of(): zero if absent). */
struct quick_more {
	enum pt_fmt fmt;
	/* Where not complete: whether it must accept @e, for @access, when
	 * pt_walk() translates it (NULL: never required). */
	bool (*plain)(const struct pt_walk_desc *d, uint64_t e,
		      unsigned int access);
	/* The walk flags the test sets at random in the description. */
	uint32_t flags;
	/* Also decodes looks (access 0), which the test then asks for. */
	bool look;
	/* The index of @ia in its level-0 table (NULL: pt_quick_idx4k()). */
	uint64_t (*idx)(const struct pt_walk_desc *d, uint64_t ia);
	/* The dirty state pt_walk() reports for an accepted @e (NULL: not
	 * checked). */
	bool (*dirty)(uint64_t e);
};

static bool vtdss_covers(const struct pt_walk_desc *d)
{
	return !(d->flags & ~PT_WALK_RESUME) && d->oa_bits <= 52;
}

static bool vtdss_decode(const struct pt_walk_desc *d, uint64_t e,
			 uint64_t ia, unsigned int access, uint32_t *perm,
			 uint64_t *oa)
{
	(void)ia;
	return pt_quick_vtdss(e, pt_quick_vtdss_rsvd(d->oa_bits, d->rsvd),
			      access, perm, oa);
}

static bool amdv1_covers(const struct pt_walk_desc *d)
{
	return !(d->flags & ~(PT_WALK_HA | PT_WALK_HD | PT_WALK_RESUME)) &&
	       d->oa_bits <= 52;
}

static bool amdv1_decode(const struct pt_walk_desc *d, uint64_t e,
			 uint64_t ia, unsigned int access, uint32_t *perm,
			 uint64_t *oa)
{
	(void)ia;
	return pt_quick_amdv1(e, pt_quick_amdv1_rsvd(d->oa_bits, d->rsvd),
			      pt_quick_amdv1_need(d->flags, access), access,
			      perm, oa);
}

static bool amdv2_covers(const struct pt_walk_desc *d)
{
	return !(d->flags & ~(PT_WALK_HA | PT_WALK_HD | PT_WALK_NXE |
			      PT_WALK_RESUME)) &&
	       d->oa_bits <= 52;
}

static bool amdv2_decode(const struct pt_walk_desc *d, uint64_t e,
			 uint64_t ia, unsigned int access, uint32_t *perm,
			 uint64_t *oa)
{
	(void)ia;
	return pt_quick_amdv2(
	    e, pt_quick_amdv2_rsvd(d->oa_bits, d->rsvd, d->flags),
	    pt_quick_amdv2_need(d->flags, access), access, perm, oa);
}

/* Arm stage 1 and 2: what the SMMUv3 model's descriptions may hold. */
#define LPAE_FLAGS (PT_WALK_HA | PT_WALK_HD | PT_WALK_AFFD | PT_WALK_HAD)

static bool lpae_covers(const struct pt_walk_desc *d)
{
	return !(d->flags & ~(LPAE_FLAGS | PT_WALK_RESUME)) && !d->rsvd;
}

static uint64_t lpae_idx(const struct pt_walk_desc *d, uint64_t ia)
{
	return pt_quick_lpae_idx(d->granule_lg2 ? d->granule_lg2 : 12u, ia);
}

/* Not a run, and with an access: AF set and no dirty state to set
 * (@clean: the page's write-permission bit says no). */
static bool lpae_plain(const struct pt_walk_desc *d, uint64_t e,
		       unsigned int access, bool clean)
{
	if (e & (1ull << 52))
		return false;
	if (!access)
		return true;
	return (e & (1ull << 10)) &&
	       !((access & PT_ACC_W) && (d->flags & PT_WALK_HD) &&
		 (e & (1ull << 51)) && clean);
}

static bool lpae_s1_plain(const struct pt_walk_desc *d, uint64_t e,
			  unsigned int access)
{
	return lpae_plain(d, e, access, e & (1ull << 7));
}

static bool lpae_s2_plain(const struct pt_walk_desc *d, uint64_t e,
			  unsigned int access)
{
	return lpae_plain(d, e, access, !(e & (1ull << 7)));
}

static bool lpae_s1_decode(const struct pt_walk_desc *d, uint64_t e,
			   uint64_t ia, unsigned int access, uint32_t *perm,
			   uint64_t *oa)
{
	(void)ia;
	return pt_quick_lpae_s1(e, d->granule_lg2 ? d->granule_lg2 : 12u,
				d->oa_bits ? d->oa_bits : 52u, d->flags, access,
				perm, oa);
}

static bool lpae_s2_decode(const struct pt_walk_desc *d, uint64_t e,
			   uint64_t ia, unsigned int access, uint32_t *perm,
			   uint64_t *oa)
{
	(void)ia;
	return pt_quick_lpae_s2(e, d->granule_lg2 ? d->granule_lg2 : 12u,
				d->oa_bits ? d->oa_bits : 52u, d->flags, access,
				perm, oa);
}

static const struct quick quicks[] = {
    {PT_FMT_VTDSS, vtdss_covers, vtdss_decode, true},
    {PT_FMT_AMDV1, amdv1_covers, amdv1_decode, true},
    {PT_FMT_AMDV2, amdv2_covers, amdv2_decode, true},
    {PT_FMT_LPAE_S1, lpae_covers, lpae_s1_decode, false},
    {PT_FMT_LPAE_S2, lpae_covers, lpae_s2_decode, false},
};

static const struct quick_more quick_mores[] = {
    /* AMD-Vi: DTE.HAD (v1); HA, HD and NXE with the unit's features (v2) */
    {PT_FMT_AMDV1, NULL, PT_WALK_HA | PT_WALK_HD, false, NULL, NULL},
    {PT_FMT_AMDV2, NULL, PT_WALK_HA | PT_WALK_HD | PT_WALK_NXE, false, NULL,
     NULL},
    {PT_FMT_LPAE_S1, lpae_s1_plain, LPAE_FLAGS, true, lpae_idx,
     pt_quick_lpae_s1_dirty},
    {PT_FMT_LPAE_S2, lpae_s2_plain, LPAE_FLAGS, true, lpae_idx,
     pt_quick_lpae_s2_dirty},
};

static const struct quick_more *quick_more_of(enum pt_fmt fmt)
{
	static const struct quick_more none;

	for (size_t i = 0; i < sizeof(quick_mores) / sizeof(quick_mores[0]);
	     i++)
		if (quick_mores[i].fmt == fmt)
			return &quick_mores[i];
	return &none;
}

static const struct quick *quick_of(enum pt_fmt fmt)
{
	for (size_t i = 0; i < sizeof(quicks) / sizeof(quicks[0]); i++)
		if (quicks[i].fmt == fmt)
			return &quicks[i];
	return NULL;
}

static uint64_t quick_iters(void)
{
	const char *e = getenv("PT_QUICK_ITERS");

	return e && *e ? strtoull(e, NULL, 0) : 20000;
}

/* @base's description with a random output width and reserved mask. */
static struct pt_walk_desc random_desc(const struct pt_walk_desc *base,
				       uint64_t *seed)
{
	struct pt_walk_desc d = *base;

	switch (rnd(seed) % 4) {
	case 0:
		d.oa_bits = (uint8_t)(32 + rnd(seed) % 21);
		break;
	case 1:
		d.oa_bits = 0;
		break;
	}
	switch (rnd(seed) % 4) {
	case 0:
		d.rsvd = 1ull << (rnd(seed) % 64);
		break;
	case 1:
		d.rsvd = 1ull << 62; /* VT-d TM */
		break;
	}
	return d;
}

/*
 * 4 KiB pages at random free places of [@base, +@win), read, write or
 * both, output below @pa_limit: the pages the decoders are for, which
 * variant_fill_random() makes few of where a level holds many sizes
 * (amdv1).  @at gets an address in each (@n room).  Return: how many.
 */
static unsigned int fill_4k(struct pt *pt, struct pt_free_list *fl,
			    uint64_t *seed, uint64_t base, uint64_t win,
			    uint64_t pa_limit, uint64_t *at, unsigned int n)
{
	unsigned int got = 0;

	for (unsigned int i = 0; i < n; i++) {
		const uint64_t iova = base + ((rnd(seed) % win) & ~0xfffull);
		const uint64_t pa = (rnd(seed) % (pa_limit / 2)) & ~0xfffull;
		uint64_t mapped = 0;

		if (!pt_map(pt, iova, pa, 4096,
			    (unsigned int)(rnd(seed) % 3 + 1), &mapped, fl))
			at[got++] = iova;
	}
	return got;
}

/* Variants of a format that has a decoder, of more than one level (a
 * paging-structure cache keeps no top table: a decoder never reads
 * one). */
static struct variant qvariants[32];

ParameterizedTestParameters(quick, decoder_is_the_walk)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < pt_nvariants && n < 32; i++)
		if (quick_of(pt_variants[i].fmt) && pt_variants[i].levels != 1)
			qvariants[n++] = pt_variants[i];
	return cr_make_param_array(struct variant, qvariants, n);
}

ParameterizedTest(const struct variant *v, quick, decoder_is_the_walk)
{
	const struct quick *q = quick_of(v->fmt);
	const struct quick_more *qm = quick_more_of(v->fmt);
	struct pth *h = pth_new();
	struct pt_cfg cfg = variant_cfg(v);
	struct pt_free_list fl = {0};
	struct pt pt;
	uint64_t seed = test_seed(v->name), iters = quick_iters();
	uint64_t base, win, pa_limit, naccept = 0, nwalk = 0;
	uint64_t ats[3 * VARIANT_NLEAF];
	struct pt_walk_desc d0;
	unsigned int ia, nat;

	cr_assert_not_null(q);
	cr_assert_not_null(h);
	cr_assert_eq(pt_init(&pt, &h->host, &cfg), 0, "pt_init(%s)", v->name);
	ia = pt.cfg.ia_bits;
	win = 1ull << (ia >= 34 ? 32 : ia - 2);
	base = ia >= 34 ? 1ull << 32 : 1ull << (ia - 2);
	pa_limit = 1ull << (pt.cfg.oa_bits < 40 ? pt.cfg.oa_bits : 40);
	nat = variant_fill_random(&pt, &fl, &seed, base, win, pa_limit, ats);
	if (pt.cfg.granule_lg2 == 12)
		nat += fill_4k(&pt, &fl, &seed, base, win, pa_limit,
			       ats + nat, 2 * VARIANT_NLEAF);
	cr_assert_gt(nat, 0, "%s: nothing mapped", v->name);
	d0 = variant_desc(&pt);

	for (uint64_t it = 0; it < iters; it++) {
		const uint64_t at =
		    ats[rnd(&seed) % nat] ^ (rnd(&seed) & 0xfff);
		struct pt_walk_desc d;
		struct pt_walk_res look, r;
		unsigned int access;
		uint64_t orig, e, oa = 0, psize;
		unsigned int ilog_psize;
		uint32_t perm, qperm;
		bool ok;
		int rw;

		/* A leaf at level 0: the table a resumed walk reads. */
		if (pt_walk(&h->host, &d0, at, 0, &look) || look.level)
			continue;
		do {
			d = random_desc(&d0, &seed);
			d.flags |= qm->flags & (uint32_t)rnd(&seed);
		} while (!q->covers(&d));
		ilog_psize = d.granule_lg2 ? d.granule_lg2 : 12u;
		psize = 1ull << ilog_psize;
		orig = pth_rd(h, look.entry_pa);
		e = variant_corrupt(orig, &seed);
		pth_wr(h, look.entry_pa, e);
		access = rnd(&seed) % 2 ? PT_ACC_W : PT_ACC_R;
		if (qm->look && rnd(&seed) % 3 == 0)
			access = 0;
		perm = look.table_perm;
		if (rnd(&seed) % 4 == 0)
			perm &= (uint32_t)rnd(&seed);

		d.flags |= PT_WALK_RESUME;
		d.start_pa = look.table;
		d.start_lvl = 0;
		d.start_perm = perm;
		d.start_host =
		    h->host.ops->mem_ptr(&h->host, look.table, psize);
		cr_assert_not_null(d.start_host);
		qperm = perm;
		ok = q->decode(
		    &d,
		    pt_quick_load(d.start_host, qm->idx ? qm->idx(&d, at)
							: pt_quick_idx4k(at)),
		    at, access, &qperm, &oa);
		rw = pt_walk(&h->host, &d, at, access, &r);
		if (ok) {
			/* Nothing for the walk to write (A, D) either. */
			cr_assert_eq(pth_rd(h, look.entry_pa), e,
				     "%s #%llu: entry %llx accepted, the walk "
				     "changed it",
				     v->name, U(it), U(e));
			cr_assert_eq(rw, 0,
				     "%s #%llu: entry %llx accepted, the walk "
				     "says %d",
				     v->name, U(it), U(e), r.err);
			cr_assert_eq(oa | (at & (psize - 1)), r.oa,
				     "%s #%llu: entry %llx: oa %llx, %llx",
				     v->name, U(it), U(e), U(oa), U(r.oa));
			cr_assert_eq(qperm, r.perm,
				     "%s #%llu: entry %llx: perm %x, %x",
				     v->name, U(it), U(e), qperm, r.perm);
			if (qm->dirty)
				cr_assert_eq(qm->dirty(e), r.dirty,
					     "%s #%llu: entry %llx: dirty %d, "
					     "%d",
					     v->name, U(it), U(e), qm->dirty(e),
					     r.dirty);
			naccept++;
		} else if (q->complete ||
			   (qm->plain && qm->plain(&d, e, access))) {
			/* Refused: the walk fails, or gives more than a
			 * page, or had an A or D bit to set. */
			cr_assert(rw != 0 || r.size_lg2 != ilog_psize ||
				      pth_rd(h, look.entry_pa) != e,
				  "%s #%llu: entry %llx refused, the walk "
				  "translates it as it stands (access %u, "
				  "flags %x)",
				  v->name, U(it), U(e), access, d.flags);
		}
		nwalk += !rw;
		/* Mostly keep the table sound for the next rounds. */
		if (rnd(&seed) % 4)
			pth_wr(h, look.entry_pa, orig);
	}
	cr_log_info("%s: %llu accepted, %llu translated by the walk", v->name,
		    U(naccept), U(nwalk));
	/* A variant of large granules has few level-0 leaves: of those the
	 * walk translates, a good part must be plain pages the decoder
	 * takes. */
	cr_assert_gt(naccept, iters / 100, "%s: too few entries accepted",
		     v->name);
	cr_assert_gt(naccept, nwalk / 4,
		     "%s: too few of the translated entries accepted", v->name);
	pt_destroy(&pt);
	pt_free_pages(&h->host, &fl);
	pt_free_list_fini(&fl);
	pth_free(h);
}
