// SPDX-License-Identifier: MIT
/*
 * test_threads.c - translate() on several threads while the guest
 * changes leaves, invalidates through the command queue and consumes the
 * event queue (plugin.h: translate may run concurrently with MMIO).  Every
 * translation must give the old or the new address of its page, never
 * anything else; faulting requests fill and overflow the event queue.
 * The test owns RAM (iommu_ctx_opts.ram) and stores live leaves with
 * atomic 64-bit stores, as a driver does.  Run under ThreadSanitizer in
 * the tsan flavour.
 */
#include <endian.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "xl.h"

#define PAGES	   64
#define THREADS	   3
#define PA(set, i) (SG_DATA + 0x100000ull * (set) + 0x1000ull * (i))

struct worker {
	struct sg *g;
	unsigned int id;
	unsigned int iters;
	unsigned int bad;
	unsigned int faults;
};

static void *dma_worker(void *arg)
{
	struct worker *w = arg;
	struct iommu_translation out;

	for (unsigned int n = 0; n < w->iters; n++) {
		unsigned int i = (n * 7 + w->id * 13) % PAGES;
		int ret =
		    iommu_dma_translate(w->g->ctx, SID_A, NP,
					0x100000 + 0x1000ull * i, 8, AR, &out);

		if (ret || (out.phys != PA(0, i) && out.phys != PA(1, i)))
			w->bad++;
		if (n % 16 == 0 &&
		    iommu_dma_translate(w->g->ctx, SID_C, NP, 0x1000, 8, AW,
					&out) == -EFAULT)
			w->faults++;
	}
	return NULL;
}

Test(threads, translations_see_old_or_new_while_the_guest_invalidates)
{
	uint8_t *ram = aligned_alloc(4096, 64ull << 20);
	struct worker w[THREADS];
	pthread_t th[THREADS];
	uint64_t leaf[PAGES], q[2];
	struct sg_tt t;
	struct cd c;
	uint64_t cd;
	struct sg g;

	cr_assert_not_null(ram);
	memset(ram, 0, 64ull << 20);
	sg_create_ram(&g, NULL, ram);
	sg_init_q(&g, true, 16, 8, 3);
	xl_s1(&g, SID_A, 12, 16, 5, &t, &c, &cd);
	for (unsigned int i = 0; i < PAGES; i++)
		leaf[i] = sg_tt_map(&g, &t, 0x100000 + 0x1000ull * i, 3,
				    s1_page(12, PA(0, i), true));
	for (unsigned int k = 0; k < THREADS; k++) {
		w[k] = (struct worker){.g = &g, .id = k, .iters = 20000};
		cr_assert_eq(pthread_create(&th[k], NULL, dma_worker, &w[k]),
			     0);
	}
	for (unsigned int round = 1; round <= 100; round++) {
		for (unsigned int i = 0; i < PAGES; i++)
			__atomic_store_n(
			    (uint64_t *)(ram + leaf[i]),
			    htole64(s1_page(12, PA(round & 1, i), true)),
			    __ATOMIC_RELEASE);
		cmd_tlbi_nh_asid(q, 0, 1);
		sg_run(&g, q);
		if (round % 10 == 0) {
			sg_inv_ste(&g, SID_A);
			sg_evt_drain(&g);
			sg_wr(&g, S_EVTQ_CONS, 4,
			      g.eq_cons |
				  (sg_rd32(&g, S_EVTQ_PROD) & (1u << 31)));
		}
	}
	for (unsigned int k = 0; k < THREADS; k++) {
		cr_assert_eq(pthread_join(th[k], NULL), 0);
		cr_assert_eq(w[k].bad, 0, "thread %u: %u bad translations", k,
			     w[k].bad);
		cr_assert_gt(w[k].faults, 0);
	}
	sg_evt_drain(&g);
	sg_tr_ok(&g, SID_A, NP, 0x100000, AR, PA(0, 0));
	cr_assert(!sg_cmdq_err(&g, NULL));
	sg_destroy(&g);
	free(ram);
}
