// SPDX-License-Identifier: MIT
/*
 * test_race.c - translations that race with requests.
 *
 * The model's translate() looks at endpoints, domains and mappings without
 * a lock while the request queue changes them (plugins/virtio/hw.h, "The
 * state's readers").  Here the test thread is the guest: it sends MAPs and
 * UNMAPs that reshape one domain's tree, rotates the root of a second
 * domain's tree at every request, moves an endpoint from domain to domain
 * (each left domain dies), and flips one page between mapped and
 * unmapped.  Meanwhile a thread translates, with no hint, so every
 * translation reaches the model:
 *  - pages that stay mapped all along must always translate, to their
 *    target (a look misled by a tree being rebalanced would fault them:
 *    in the middle of a root rotation one of the two stable pages of the
 *    small tree is out of reach for a few stores);
 *  - the flipped page and the moving endpoint's page must match the state
 *    the guest last completed, whenever the guest's record of it did not
 *    change around the translation (no old mapping after its UNMAP's
 *    completion, no new one before its MAP's).
 * Under ASan and TSan the same run also checks that a racing look never
 * reads freed memory nor races with a plain store.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include <criterion/criterion.h>

#include "vguest.h"

#define RACE_PAGES   64u            /* even: stays mapped; odd: churned */
#define RACE_IOVA    0x100000ull
#define RACE_PA      0x800000ull
#define RACE_X       0x400000ull    /* the flipped page, domain 1 */
#define RACE_HOT     0x700000ull    /* the small tree, domain 4, by pages */
#define RACE_Y       0x600000ull    /* the moving endpoint's page */
#define RACE_FLIP_PA 0x1000000ull   /* + (gen % 256) pages */
#define RACE_MS      2000u
#define RACE_THREADS 2

/*
 * Domain 4 (endpoint C) holds pages 10 and 20 of RACE_HOT for good; a
 * cycle of four requests rotates its root twice (AVL):
 *   {10 > 20}  + 30: rotate left at 10   -> {20: 10, 30}
 *              - 30                      -> {20: 10}
 *              + 5:  rotate right at 20  -> {10: 5, 20}
 *              - 5                       -> {10 > 20}
 */
static const unsigned int race_hot_stable[] = { 10, 20 };
static const struct {
	unsigned int page;
	bool map;
} race_hot_cycle[] = { { 30, true }, { 30, false }, { 5, true },
		       { 5, false } };

static uint64_t race_hot_iova(unsigned int page)
{
	return RACE_HOT + page * PG;
}

/* A guest's record of one page: 0 while a request on it is in flight. */
enum race_kind {
	RACE_BUSY = 0,
	RACE_UNMAPPED = 1, /* translation faults */
	RACE_RO = 2,       /* maps to its pa, read only */
	RACE_RW = 3,       /* maps to its pa, read and write */
};

static uint64_t race_rec(uint64_t gen, enum race_kind k)
{
	return gen << 8 | k;
}

static uint64_t race_flip_pa(uint64_t gen)
{
	return RACE_FLIP_PA + (gen % 256) * PG;
}

struct race {
	struct vg *g;
	atomic_bool stop;
	_Atomic uint64_t x_rec, y_rec; /* race_rec() of RACE_X, RACE_Y */
	atomic_uint fails;
	atomic_ulong stable_checks, flip_checks;
	char msg[256];
};

static void race_fail(struct race *r, const char *what, uint64_t iova,
		      uint64_t rec, int ret, const struct iommu_translation *t)
{
	if (atomic_fetch_add(&r->fails, 1) == 0)
		snprintf(r->msg, sizeof(r->msg),
			 "%s: iova 0x%llx record 0x%llx: ret %d phys 0x%llx "
			 "perm %u",
			 what, (unsigned long long)iova,
			 (unsigned long long)rec, ret,
			 (unsigned long long)t->phys, t->perm);
}

/* Translate @iova of @ep around the guest's record *@rec and check. */
static void race_check_rec(struct race *r, uint32_t ep, uint64_t iova,
			   _Atomic uint64_t *recp, unsigned int access)
{
	struct iommu_translation t = { 0 };
	uint64_t rec = atomic_load(recp), gen = rec >> 8;
	int ret = vg_dma(r->g, ep, iova, 8, access, &t);
	bool ok;

	if (rec == RACE_BUSY || atomic_load(recp) != rec)
		return; /* a request was in flight: either answer is right */
	atomic_fetch_add_explicit(&r->flip_checks, 1, memory_order_relaxed);
	switch ((enum race_kind)(rec & 0xff)) {
	case RACE_UNMAPPED:
		ok = ret == -EFAULT;
		break;
	case RACE_RO:
		ok = access == IOMMU_ACCESS_WRITE ?
			     ret == -EFAULT :
			     !ret && t.phys == race_flip_pa(gen) &&
				     t.perm == IOMMU_READ;
		break;
	default:
		ok = !ret && t.phys == race_flip_pa(gen) &&
		     t.perm == (IOMMU_READ | IOMMU_WRITE);
		break;
	}
	if (!ok)
		race_fail(r, "flipped page", iova, rec, ret, &t);
}

static void *race_translator(void *arg)
{
	struct race *r = arg;
	unsigned int access = IOMMU_ACCESS_READ;

	while (!atomic_load(&r->stop)) {
		for (unsigned int i = 0; i < 64; i++) {
			struct iommu_translation t = { 0 };
			uint64_t iova = race_hot_iova(race_hot_stable[i & 1]);
			int ret = vg_dma(r->g, VG_EP_C, iova, 8, access, &t);

			if (ret || t.phys != RACE_PA + iova ||
			    t.perm != (IOMMU_READ | IOMMU_WRITE))
				race_fail(r, "stable page", iova, 0, ret, &t);
		}
		atomic_fetch_add_explicit(&r->stable_checks, 64,
					  memory_order_relaxed);
		for (unsigned int p = 0; p < RACE_PAGES; p += 2) {
			struct iommu_translation t = { 0 };
			uint64_t iova = RACE_IOVA + p * PG;
			int ret = vg_dma(r->g, VG_EP_A, iova, 8, access, &t);

			if (ret || t.phys != RACE_PA + p * PG ||
			    t.perm != (IOMMU_READ | IOMMU_WRITE))
				race_fail(r, "stable page", iova, 0, ret, &t);
			atomic_fetch_add_explicit(&r->stable_checks, 1,
						  memory_order_relaxed);
		}
		race_check_rec(r, VG_EP_A, RACE_X, &r->x_rec, access);
		race_check_rec(r, VG_EP_B, RACE_Y, &r->y_rec, access);
		access = access == IOMMU_ACCESS_READ ? IOMMU_ACCESS_WRITE
						     : IOMMU_ACCESS_READ;
	}
	return NULL;
}

static uint64_t race_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Step @gen of RACE_X in domain 1: odd maps it (RO or RW), even unmaps. */
static void race_step_x(struct race *r, uint64_t gen)
{
	uint32_t flags = gen & 2 ? MAP_R : MAP_RW;

	atomic_store(&r->x_rec, RACE_BUSY);
	if (gen & 1) {
		cr_assert_eq(vg_map(r->g, 1, RACE_X, RACE_X + PG - 1,
				    race_flip_pa(gen), flags),
			     S_OK);
		atomic_store(&r->x_rec,
			     race_rec(gen, flags == MAP_R ? RACE_RO : RACE_RW));
	} else {
		cr_assert_eq(vg_unmap(r->g, 1, RACE_X, RACE_X + PG - 1), S_OK);
		atomic_store(&r->x_rec, race_rec(gen, RACE_UNMAPPED));
	}
}

/*
 * Step @gen of endpoint B: even moves it onto a new, empty domain (2 or
 * 3; the one it leaves dies with its mapping), odd maps RACE_Y there.
 */
static void race_step_y(struct race *r, uint64_t gen)
{
	uint32_t dom = 2 + (uint32_t)((gen >> 1) & 1);

	atomic_store(&r->y_rec, RACE_BUSY);
	if (gen & 1) {
		cr_assert_eq(vg_map(r->g, dom, RACE_Y, RACE_Y + PG - 1,
				    race_flip_pa(gen), MAP_RW),
			     S_OK);
		atomic_store(&r->y_rec, race_rec(gen, RACE_RW));
	} else {
		cr_assert_eq(vg_attach(r->g, dom, VG_EP_B, 0), S_OK);
		atomic_store(&r->y_rec, race_rec(gen, RACE_UNMAPPED));
	}
}

Test(race, translations_race_map_unmap_attach)
{
	struct vg_opts o = vg_default_opts();
	pthread_t th[RACE_THREADS];
	struct race r = { 0 };
	struct vg g;
	uint64_t end, gen = 0;
	unsigned int p, k;

	o.ctx_flags = IOMMU_CTX_NO_HINT;
	vg_setup(&g, &o);
	r.g = &g;
	cr_assert_eq(vg_attach(&g, 1, VG_EP_A, 0), S_OK);
	for (p = 0; p < RACE_PAGES; p += 2)
		cr_assert_eq(vg_map(&g, 1, RACE_IOVA + p * PG,
				    RACE_IOVA + p * PG + PG - 1,
				    RACE_PA + p * PG, MAP_RW),
			     S_OK);
	race_step_x(&r, gen);
	race_step_y(&r, gen);
	cr_assert_eq(vg_attach(&g, 4, VG_EP_C, 0), S_OK);
	for (k = 0; k < 2; k++) {
		uint64_t iova = race_hot_iova(race_hot_stable[k]);

		cr_assert_eq(vg_map(&g, 4, iova, iova + PG - 1, RACE_PA + iova,
				    MAP_RW),
			     S_OK);
	}
	for (int i = 0; i < RACE_THREADS; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, race_translator, &r),
			     0);

	/* Odd pages in and out, in orders that differ: rotations all over
	 * the tree, under the feet of the looks at the even pages. */
	end = race_now_ms() + RACE_MS;
	while (race_now_ms() < end) {
		for (k = 0; k < 64; k++) {
			unsigned int c = k % 4;
			uint64_t iova = race_hot_iova(race_hot_cycle[c].page);

			if (race_hot_cycle[c].map)
				cr_assert_eq(vg_map(&g, 4, iova, iova + PG - 1,
						    RACE_PA + iova, MAP_RW),
					     S_OK);
			else
				cr_assert_eq(vg_unmap(&g, 4, iova,
						      iova + PG - 1),
					     S_OK);
		}
		for (k = 0; k < RACE_PAGES / 2; k++) {
			p = 2 * ((k * 7 + gen) % (RACE_PAGES / 2)) + 1;
			cr_assert_eq(vg_map(&g, 1, RACE_IOVA + p * PG,
					    RACE_IOVA + p * PG + PG - 1,
					    RACE_PA + p * PG, MAP_RW),
				     S_OK);
		}
		race_step_x(&r, ++gen);
		race_step_y(&r, gen);
		for (k = 0; k < RACE_PAGES / 2; k++) {
			p = 2 * ((k * 11 + 3 * gen) % (RACE_PAGES / 2)) + 1;
			cr_assert_eq(vg_unmap(&g, 1, RACE_IOVA + p * PG,
					      RACE_IOVA + p * PG + PG - 1),
				     S_OK);
		}
		race_step_x(&r, ++gen);
		race_step_y(&r, gen);
	}
	atomic_store(&r.stop, true);
	for (int i = 0; i < RACE_THREADS; i++)
		pthread_join(th[i], NULL);
	cr_assert_eq(atomic_load(&r.fails), 0, "%u failures, first: %s",
		     atomic_load(&r.fails), r.msg);
	cr_assert_gt(atomic_load(&r.stable_checks), 0);
	cr_assert_gt(atomic_load(&r.flip_checks), 0);
	vg_teardown(&g);
}
