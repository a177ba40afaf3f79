// SPDX-License-Identifier: MIT
/*
 * test_event.c - the event log (amdvi 6): the event interrupt through
 * opts.irq and through the IOMMU's MSI (opts.msi), overflow and restart,
 * a disabled log, and the IOTLB's counters and bounded size.
 */
#include <errno.h>

#include <criterion/criterion.h>

#include "ag.h"

#define RD  IOMMU_ACCESS_READ
#define WR  IOMMU_ACCESS_WRITE
#define NOP IOMMU_NO_PASID

static struct ag g;

static void setup(void)
{
	uint64_t d[4];

	ag_create(&g, NULL);
	ag_init(&g, 8, 8, 0);
	enc_dte_v1(d, 0, 0, false, false, 1); /* every DMA faults */
	ag_set_dte(&g, DEV_A, d);
}

static void teardown(void)
{
	ag_destroy(&g);
}

TestSuite(event, .init = setup, .fini = teardown);

Test(event, log_int_status_and_tail)
{
	ag_expect_fault(&g, DEV_A, NOP, 0x1000, RD);
	cr_assert_eq(ag_r64(&g, R_EVT_TAIL), 16);
	cr_assert(ag_r64(&g, R_STATUS) & S_EVT_INT);
	cr_assert_eq(g.irqs, 0, "EventIntEn = 0");
	cr_assert_eq(ag_stat(&g, IOMMU_STAT_FAULTS), 1);
}

Test(event, interrupt_through_irq)
{
	ag_w64(&g, R_CTRL, C_IOMMU_EN | C_EVT_EN | C_CMD_EN | C_EVT_INT);
	ag_expect_fault(&g, DEV_A, NOP, 0x1000, RD);
	cr_assert_eq(g.irqs, 1);
	cr_assert_eq(g.last_vector, 0);
	ag_expect_fault(&g, DEV_A, NOP, 0x2000, RD);
	cr_assert_eq(g.irqs, 1, "EventLogInt still set: no new edge");
	ag_w64(&g, R_STATUS, S_EVT_INT);
	ag_expect_fault(&g, DEV_A, NOP, 0x3000, RD);
	cr_assert_eq(g.irqs, 2);
	cr_assert_eq(ag_evt_count(&g), 3);
}

Test(event, interrupt_through_msi)
{
	ag_wr(&g, R_MSI_LO, 4, 0xFEE00000);
	ag_wr(&g, R_MSI_HI, 4, 0);
	ag_wr(&g, R_MSI_DATA, 4, 0x30);
	ag_w64(&g, R_CTRL, C_IOMMU_EN | C_EVT_EN | C_CMD_EN | C_EVT_INT);
	ag_expect_fault(&g, DEV_A, NOP, 0x1000, RD);
	cr_assert_eq(g.msis, 1);
	cr_assert_eq(g.msi_addr, 0xFEE00000);
	cr_assert_eq(g.msi_data, 0x30);
	cr_assert_eq(g.irqs, 0);
	cr_assert_eq(ag_mr64(&g, 0xFEE00000 & 0x3ffffff), 0, "no RAM write");
}

Test(event, overflow_drops_counts_and_stops)
{
	const unsigned int n = 300; /* log of 256 entries holds 255 */

	ag_w64(&g, R_CTRL, C_IOMMU_EN | C_EVT_EN | C_CMD_EN | C_EVT_INT);
	for (unsigned int i = 0; i < n; i++)
		ag_expect_fault(&g, DEV_A, NOP, (uint64_t)i * PG, RD);
	cr_assert_eq(ag_evt_count(&g), 255);
	cr_assert(ag_r64(&g, R_STATUS) & S_EVT_OVF);
	cr_assert_eq(ag_r64(&g, R_STATUS) & S_EVT_RUN, 0);
	cr_assert_eq(ag_stat(&g, IOMMU_STAT_FAULTS), 255);
	cr_assert_eq(ag_stat(&g, IOMMU_STAT_FAULTS_LOST), n - 255);
	cr_assert_eq(ag_mr64(&g, AG_EVTLOG + 4096), 0, "nothing past the log");
	/* Draining alone does not restart logging. */
	for (unsigned int i = 0; i < 255; i++) {
		struct ag_ev e;

		cr_assert(ag_evt_pop(&g, &e));
		cr_assert_eq(e.addr, (uint64_t)i * PG);
	}
	ag_expect_fault(&g, DEV_A, NOP, 0x777000, RD);
	cr_assert_eq(ag_evt_count(&g), 0);
	/* Linux's restart: EventLogEn off, clear overflow, on. */
	ag_w64(&g, R_CTRL, C_IOMMU_EN | C_CMD_EN);
	ag_w64(&g, R_STATUS, S_EVT_OVF | S_EVT_INT);
	ag_w64(&g, R_CTRL, C_IOMMU_EN | C_EVT_EN | C_CMD_EN);
	cr_assert(ag_r64(&g, R_STATUS) & S_EVT_RUN);
	ag_expect_fault(&g, DEV_A, NOP, 0x778000, WR);
	ag_evt_expect(&g, EV_PF, DEV_A, F_PR | F_PE | F_RW, 0x778000);
}

Test(event, overflow_interrupt)
{
	ag_w64(&g, R_CTRL, C_IOMMU_EN | C_EVT_EN | C_CMD_EN | C_EVT_INT);
	for (unsigned int i = 0; i < 255; i++)
		ag_expect_fault(&g, DEV_A, NOP, 0, RD);
	ag_w64(&g, R_STATUS, S_EVT_INT);
	cr_assert_eq(g.irqs, 1);
	ag_expect_fault(&g, DEV_A, NOP, 0, RD);
	cr_assert_eq(g.irqs, 2, "the overflow interrupts");
}

Test(event, disabled_log_loses_events)
{
	ag_w64(&g, R_CTRL, C_IOMMU_EN | C_CMD_EN);
	ag_expect_fault(&g, DEV_A, NOP, 0x1000, RD);
	cr_assert_eq(ag_r64(&g, R_EVT_TAIL), 0);
	cr_assert_eq(ag_stat(&g, IOMMU_STAT_FAULTS_LOST), 1);
}

Test(event, bad_log_length_loses_events)
{
	ag_w64(&g, R_CTRL, C_IOMMU_EN | C_CMD_EN);
	ag_w64(&g, R_EVT_BASE, enc_ring(AG_EVTLOG, 3));
	ag_w64(&g, R_CTRL, C_IOMMU_EN | C_CMD_EN | C_EVT_EN);
	cr_assert_eq(ag_r64(&g, R_STATUS) & S_EVT_RUN, 0);
	ag_expect_fault(&g, DEV_A, NOP, 0x1000, RD);
	cr_assert_eq(ag_r64(&g, R_EVT_TAIL), 0);
	cr_assert_eq(ag_mr64(&g, AG_EVTLOG), 0);
}

Test(event, log_wraps)
{
	for (unsigned int i = 0; i < 600; i++) {
		ag_expect_fault(&g, DEV_A, NOP, (uint64_t)i * PG, RD);
		ag_evt_expect(&g, EV_PF, DEV_A, F_PR | F_PE, (uint64_t)i * PG);
	}
	cr_assert_eq(ag_r64(&g, R_EVT_TAIL), (600u * 16) % 4096);
}

Test(event, iotlb_hits_counted)
{
	uint64_t root = ag_v1_dev(&g, DEV_B, 3, 2);
	uint64_t hits;

	ag_map_v1(&g, root, 3, 0x5000, AG_DATA, 1, true, true);
	ag_expect(&g, DEV_B, NOP, 0x5000, RD, AG_DATA);
	hits = ag_stat(&g, IOMMU_STAT_IOTLB_HITS);
	ag_expect(&g, DEV_B, NOP, 0x5008, RD, AG_DATA + 8);
	cr_assert_eq(ag_stat(&g, IOMMU_STAT_IOTLB_HITS), hits + 1);
}

Test(event, small_iotlb_evicts_one_by_one)
{
	uint64_t root;

	ag_destroy(&g);
	ag_create(&g, "iotlb_entries = 8\niotlb_ways = 2");
	ag_init(&g, 8, 8, 0);
	root = ag_v1_dev(&g, DEV_B, 3, 2);
	for (unsigned int i = 0; i < 200; i++) {
		ag_map_v1(&g, root, 3, (uint64_t)i * PG, AG_DATA + i * PG, 1,
			  true, true);
		ag_expect(&g, DEV_B, NOP, (uint64_t)i * PG, RD,
			  AG_DATA + i * PG);
	}
	for (unsigned int i = 0; i < 200; i++)
		ag_expect(&g, DEV_B, NOP, (uint64_t)i * PG, WR,
			  AG_DATA + i * PG);
}

Test(event, write_after_read_only_hit_walks_again)
{
	uint64_t root = ag_v1_dev(&g, DEV_B, 3, 2);

	ag_map_v1(&g, root, 3, 0x5000, AG_DATA, 1, true, false);
	ag_expect(&g, DEV_B, NOP, 0x5000, RD, AG_DATA);
	ag_map_v1(&g, root, 3, 0x5000, AG_DATA, 1, true, true);
	ag_expect(&g, DEV_B, NOP, 0x5000, WR, AG_DATA);
}

/*
 * While only 4 KiB pages were cached a lookup probes one size; when the
 * walk then finds a 2 MiB page, its entry goes where a 2 MiB probe looks
 * (not into the set of the 4 KiB probe that missed), so it hits.
 */
Test(event, first_large_page_after_small_ones_hits)
{
	uint64_t root, hits;

	ag_destroy(&g);
	ag_create(&g, "iotlb_entries = 64\niotlb_ways = 8"); /* 8 sets */
	ag_init(&g, 8, 8, 0);
	root = ag_v1_dev(&g, DEV_B, 3, 2);
	/* Every set in use once (a lookup skips a set no insert reached). */
	for (unsigned int i = 0; i < 24; i++) {
		ag_map_v1(&g, root, 3, (uint64_t)i * PG, AG_DATA + i * PG, 1,
			  true, true);
		ag_expect(&g, DEV_B, NOP, (uint64_t)i * PG, RD,
			  AG_DATA + i * PG);
	}
	for (unsigned int i = 1; i <= 8; i++) {
		const uint64_t iova = (uint64_t)i << 21;
		const uint64_t pa = AG_DATA + ((uint64_t)i << 21);

		ag_map_v1(&g, root, 3, iova, pa, 2, true, true);
		ag_expect(&g, DEV_B, NOP, iova + 0x1234, RD, pa + 0x1234);
		hits = ag_stat(&g, IOMMU_STAT_IOTLB_HITS);
		ag_expect(&g, DEV_B, NOP, iova + 0x5678, RD, pa + 0x5678);
		cr_assert_eq(ag_stat(&g, IOMMU_STAT_IOTLB_HITS), hits + 1,
			     "2 MiB page %u: its entry missed", i);
	}
}
