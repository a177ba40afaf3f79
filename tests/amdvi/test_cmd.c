// SPDX-License-Identifier: MIT
/*
 * test_cmd.c - the command buffer (amdvi 5) and what each command
 * removes from the caches (8): a skipped invalidation leaves a stale
 * translation, the right one removes exactly its range; COMPLETION_WAIT
 * stores and interrupts; illegal commands halt the buffer.
 */
#include <errno.h>

#include <criterion/criterion.h>

#include "ag.h"

#define RD  IOMMU_ACCESS_READ
#define WR  IOMMU_ACCESS_WRITE
#define NOP IOMMU_NO_PASID

AG_SUITE(cmd, 8, 10, C_GT_EN);

/* Map @n pages from @iova to AG_DATA.., translate each once (cached). */
static uint64_t cached_pages(unsigned int devid, unsigned int domid,
			     uint64_t iova, unsigned int n)
{
	uint64_t root = ag_v1_dev(&g, devid, 3, domid);

	for (unsigned int i = 0; i < n; i++) {
		ag_map_v1(&g, root, 3, iova + i * PG, AG_DATA + i * PG, 1, true,
			  true);
		ag_expect(&g, devid, NOP, iova + i * PG, RD, AG_DATA + i * PG);
	}
	return root;
}

/* Point page @i of [@iova..] at a new frame in the tables only. */
static void remap(uint64_t root, uint64_t iova, unsigned int i)
{
	ag_map_v1(&g, root, 3, iova + i * PG, AG_DATA + 0x100000 + i * PG, 1,
		  true, true);
}

static bool fresh(unsigned int devid, uint64_t iova, unsigned int i)
{
	struct iommu_translation t;

	cr_assert_eq(ag_xl(&g, devid, NOP, iova + i * PG, RD, &t), 0);
	return t.phys == AG_DATA + 0x100000 + i * PG;
}

Test(cmd, completion_wait_stores_64_bits)
{
	uint64_t c[2];

	ag_mw64(&g, AG_STORE + 8, 0x5555);
	enc_cw(c, true, false, AG_STORE + 8, 0x1122334455667788ull);
	ag_cmd(&g, c);
	cr_assert_eq(ag_mr64(&g, AG_STORE + 8), 0x1122334455667788ull);
	cr_assert_eq(ag_mr64(&g, AG_STORE + 16), 0);
	cr_assert_eq(ag_r64(&g, R_CMD_HEAD), 16);
}

Test(cmd, completion_wait_interrupt)
{
	uint64_t c[2];

	enc_cw(c, false, true, 0, 0);
	ag_cmd(&g, c); /* ComWaitIntEn = 0: status only */
	cr_assert(ag_r64(&g, R_STATUS) & S_CW_INT);
	cr_assert_eq(g.irqs, 0);
	ag_w64(&g, R_STATUS, S_CW_INT);
	ag_w64(&g, R_CTRL, C_IOMMU_EN | C_EVT_EN | C_CMD_EN | C_CW_INT);
	ag_cmd(&g, c);
	cr_assert_eq(g.irqs, 1);
	cr_assert_eq(g.last_vector, 1);
	cr_assert_eq(g.msis, 0);
}

Test(cmd, completion_wait_msi)
{
	uint64_t c[2];

	ag_wr(&g, R_MSI_LO, 4, 0xFEE01000);
	ag_wr(&g, R_MSI_DATA, 4, 0x41);
	ag_w64(&g, R_CTRL, C_IOMMU_EN | C_EVT_EN | C_CMD_EN | C_CW_INT);
	enc_cw(c, true, true, AG_STORE, 3);
	ag_cmd(&g, c);
	cr_assert_eq(g.msis, 1);
	cr_assert_eq(g.msi_addr, 0xFEE01000);
	cr_assert_eq(g.msi_data, 0x41);
	cr_assert_eq(g.irqs, 0);
	cr_assert_eq(ag_mr64(&g, AG_STORE), 3);
}

Test(cmd, stale_until_invalidate_pages)
{
	uint64_t root = cached_pages(DEV_A, 1, 0x100000, 1);
	uint64_t c[2];

	remap(root, 0x100000, 0);
	cr_assert_not(fresh(DEV_A, 0x100000, 0), "IOTLB hit expected");
	ag_sync(&g);
	cr_assert_not(fresh(DEV_A, 0x100000, 0),
		      "a sync alone flushes nothing");
	ag_flush_dte(&g, DEV_A);
	cr_assert_not(fresh(DEV_A, 0x100000, 0),
		      "DTE flush keeps translations");
	enc_inv_pages(c, 1, 0, false, false, false, 0x100000);
	ag_cmd(&g, c);
	cr_assert(fresh(DEV_A, 0x100000, 0));
}

Test(cmd, page_invalidation_keeps_the_rest_of_the_domain)
{
	uint64_t root = cached_pages(DEV_A, 1, 0x100000, 4);
	uint64_t c[2];

	for (unsigned int i = 0; i < 4; i++)
		remap(root, 0x100000, i);
	enc_inv_pages(c, 1, 0, false, false, false, 0x102000);
	ag_cmd(&g, c);
	cr_assert(fresh(DEV_A, 0x100000, 2));
	cr_assert_not(fresh(DEV_A, 0x100000, 0));
	cr_assert_not(fresh(DEV_A, 0x100000, 1));
	cr_assert_not(fresh(DEV_A, 0x100000, 3));
}

Test(cmd, range_invalidation_s1)
{
	uint64_t root = cached_pages(DEV_A, 1, 0x100000, 20);
	uint64_t c[2];

	for (unsigned int i = 0; i < 20; i++)
		remap(root, 0x100000, i);
	enc_inv_range(c, 1, 0, false, 0x100000, 16 * PG); /* T12 */
	ag_cmd(&g, c);
	for (unsigned int i = 0; i < 16; i++)
		cr_assert(fresh(DEV_A, 0x100000, i), "page %u", i);
	for (unsigned int i = 16; i < 20; i++)
		cr_assert_not(fresh(DEV_A, 0x100000, i), "page %u", i);
}

Test(cmd, unaligned_range_over_invalidates_t14)
{
	uint64_t root = cached_pages(DEV_A, 1, 0x0, 9);
	uint64_t c[2];

	for (unsigned int i = 0; i < 9; i++)
		remap(root, 0, i);
	enc_inv_range(c, 1, 0, false, 0x3000, 0x2000); /* covers 0..0x7FFF */
	ag_cmd(&g, c);
	for (unsigned int i = 0; i < 8; i++)
		cr_assert(fresh(DEV_A, 0, i), "page %u", i);
	cr_assert_not(fresh(DEV_A, 0, 8));
}

Test(cmd, all_pages_address_flushes_the_domain_only)
{
	uint64_t ra = cached_pages(DEV_A, 1, 0x100000, 2);
	uint64_t rb = cached_pages(DEV_B, 2, 0x100000, 2);

	remap(ra, 0x100000, 1);
	remap(rb, 0x100000, 1);
	ag_flush_dom(&g, 1); /* T13 */
	cr_assert(fresh(DEV_A, 0x100000, 1));
	cr_assert_not(fresh(DEV_B, 0x100000, 1), "DomainID 2 untouched");
}

Test(cmd, invalidation_inside_a_large_page_drops_it)
{
	uint64_t root = ag_v1_dev(&g, DEV_A, 3, 1), c[2];

	ag_map_v1(&g, root, 3, 0x200000, 0x1200000, 2, true, true);
	ag_expect(&g, DEV_A, NOP, 0x3ff000, RD, 0x13ff000);
	ag_map_v1(&g, root, 3, 0x200000, 0x1400000, 2, true, true);
	ag_expect(&g, DEV_A, NOP, 0x3ff000, RD, 0x13ff000); /* stale */
	enc_inv_pages(c, 1, 0, false, false, false, 0x201000);
	ag_cmd(&g, c);
	ag_expect(&g, DEV_A, NOP, 0x3ff000, RD, 0x15ff000);
}

/*
 * A write the IOTLB served keeps serving writes, stale, for a 4 KiB and
 * a 2 MiB page: the cached entry keeps the page's write permission and
 * its output address (not only its base and size), until the page's
 * invalidation.
 */
Test(cmd, write_permission_stays_cached_until_invalidated)
{
	uint64_t root = ag_v1_dev(&g, DEV_A, 3, 1), c[2];
	struct iommu_translation t;

	ag_map_v1(&g, root, 3, 0x5000, 0x1005000, 1, true, true);
	ag_map_v1(&g, root, 3, 0x400000, 0x1200000, 2, true, true);
	ag_expect(&g, DEV_A, NOP, 0x5000, WR, 0x1005000);
	ag_expect(&g, DEV_A, NOP, 0x401000, WR, 0x1201000);
	ag_map_v1(&g, root, 3, 0x5000, 0x1105000, 1, true, true);
	ag_map_v1(&g, root, 3, 0x400000, 0x1400000, 2, true, true);
	cr_assert_eq(ag_xl(&g, DEV_A, NOP, 0x5010, WR, &t), 0);
	cr_assert_eq(t.phys, 0x1005010, "stale 4K write: %#lx",
		     (unsigned long)t.phys);
	cr_assert_eq(t.perm, IOMMU_READ | IOMMU_WRITE);
	cr_assert_eq(ag_xl(&g, DEV_A, NOP, 0x5ff000, WR, &t), 0);
	cr_assert_eq(t.phys, 0x13ff000, "stale 2M write: %#lx",
		     (unsigned long)t.phys);
	cr_assert_eq(t.perm, IOMMU_READ | IOMMU_WRITE);
	enc_inv_pages(c, 1, 0, false, false, false, 0x5000);
	ag_cmd(&g, c);
	ag_expect(&g, DEV_A, NOP, 0x5000, WR, 0x1105000);
	ag_expect(&g, DEV_A, NOP, 0x5ff000, WR, 0x13ff000); /* stale */
	enc_inv_pages(c, 1, 0, false, false, false, 0x400000);
	ag_cmd(&g, c);
	ag_expect(&g, DEV_A, NOP, 0x5ff000, WR, 0x15ff000);
}

/*
 * Without dirty tracking a read caches the page with its write
 * permission: a later write is served by the IOTLB, stale, until the
 * page's invalidation.
 */
Test(cmd, read_caches_the_write_permission_without_dirty_tracking)
{
	uint64_t root = cached_pages(DEV_A, 1, 0x100000, 1);
	struct iommu_translation t;
	uint64_t c[2];

	remap(root, 0x100000, 0);
	cr_assert_eq(ag_xl(&g, DEV_A, NOP, 0x100000, WR, &t), 0);
	cr_assert_eq(t.phys, AG_DATA, "stale write: %#lx",
		     (unsigned long)t.phys);
	cr_assert_eq(t.perm, IOMMU_READ | IOMMU_WRITE);
	enc_inv_pages(c, 1, 0, false, false, false, 0x100000);
	ag_cmd(&g, c);
	ag_expect(&g, DEV_A, NOP, 0x100000, WR, AG_DATA + 0x100000);
}

Test(cmd, shared_domain_id_shares_the_iotlb)
{
	uint64_t root = cached_pages(DEV_A, 4, 0x100000, 1), d[4];

	enc_dte_v1(d, 3, root, true, true, 4);
	ag_set_dte(&g, DEV_B, d);
	remap(root, 0x100000, 0);
	cr_assert_not(fresh(DEV_B, 0x100000, 0), "hit on DomainID 4's entry");
	ag_flush_dom(&g, 4);
	cr_assert(fresh(DEV_B, 0x100000, 0));
}

Test(cmd, guest_invalidation_by_pasid)
{
	uint64_t gcr3 = ag_page(&g), cr3a = ag_page(&g), cr3b = ag_page(&g);
	uint64_t d[4], c[2];

	enc_dte_gcr3(d, gcr3, 0, false, true, true, 3);
	ag_set_dte(&g, DEV_A, d);
	ag_gcr3_set(&g, gcr3, 0, 1, cr3a);
	ag_gcr3_set(&g, gcr3, 0, 2, cr3b);
	ag_map_v2(&g, cr3a, 4, 0x3000, AG_DATA, 1, V2_P | V2_RW | V2_US);
	ag_map_v2(&g, cr3b, 4, 0x3000, AG_DATA, 1, V2_P | V2_RW | V2_US);
	ag_expect(&g, DEV_A, 1, 0x3000, RD, AG_DATA);
	ag_expect(&g, DEV_A, 2, 0x3000, RD, AG_DATA);
	ag_map_v2(&g, cr3a, 4, 0x3000, AG_DATA + PG, 1, V2_P | V2_RW | V2_US);
	ag_map_v2(&g, cr3b, 4, 0x3000, AG_DATA + PG, 1, V2_P | V2_RW | V2_US);
	enc_inv_pages(c, 3, 1, false, false, false, 0x3000); /* GN = 0 */
	ag_cmd(&g, c);
	ag_expect(&g, DEV_A, 1, 0x3000, RD, AG_DATA);
	enc_inv_pages(c, 3, 1, true, false, false, 0x3000);
	ag_cmd(&g, c);
	ag_expect(&g, DEV_A, 1, 0x3000, RD, AG_DATA + PG);
	ag_expect(&g, DEV_A, 2, 0x3000, RD, AG_DATA); /* PASID 2 stale */
}

Test(cmd, invalidate_all)
{
	uint64_t root = cached_pages(DEV_A, 1, 0x100000, 2), c[2];

	remap(root, 0x100000, 0);
	remap(root, 0x100000, 1);
	enc_inv_all(c);
	ag_cmd(&g, c);
	cr_assert(fresh(DEV_A, 0x100000, 0));
	cr_assert(fresh(DEV_A, 0x100000, 1));
}

Test(cmd, iotlb_irt_prefetch_accepted_and_flush_nothing)
{
	uint64_t root = cached_pages(DEV_A, 1, 0x100000, 1), c[2];

	remap(root, 0x100000, 0);
	enc_inv_iotlb(c, DEV_A, 0, false, 0x100000);
	ag_cmd(&g, c);
	enc_inv_irt(c, DEV_A);
	ag_cmd(&g, c);
	enc_prefetch(c, DEV_A, 1, 0x100000);
	ag_cmd(&g, c);
	ag_sync(&g);
	cr_assert_eq(ag_evt_count(&g), 0);
	cr_assert_not(fresh(DEV_A, 0x100000, 0));
}

/* An illegal command halts the buffer with the event at its address. */
static void expect_illegal(const uint64_t bad[2])
{
	const uint64_t at = AG_CMDBUF + g.cmd_tail;
	uint64_t c[2];

	ag_cmd_raw(&g, bad);
	g.seq++;
	enc_cw(c, true, false, AG_STORE, g.seq);
	ag_cmd(&g, c);
	cr_assert_neq(ag_mr64(&g, AG_STORE), g.seq, "halted before the wait");
	ag_evt_expect(&g, EV_ILL_CMD, 0, 0, at);
	cr_assert_eq(ag_r64(&g, R_STATUS) & S_CMD_RUN, 0);
	cr_assert_eq(ag_r64(&g, R_CMD_HEAD), at - AG_CMDBUF);
	/* Restart: CmdBufEn off, skip the command, CmdBufEn on. */
	ag_w64(&g, R_CTRL, C_IOMMU_EN | C_EVT_EN | C_GT_EN);
	ag_w64(&g, R_CMD_HEAD, at - AG_CMDBUF + 16);
	ag_w64(&g, R_CTRL, C_IOMMU_EN | C_EVT_EN | C_CMD_EN | C_GT_EN);
	cr_assert_eq(ag_mr64(&g, AG_STORE), g.seq, "the wait ran");
}

Test(cmd, unknown_opcodes_are_illegal)
{
	static const unsigned int ops[] = {0x0, 0x9, 0xA, 0xB, 0xF};

	for (unsigned int i = 0; i < 5; i++) {
		uint64_t c[2] = {(uint64_t)ops[i] << 60, 0};

		expect_illegal(c);
	}
}

Test(cmd, reserved_bits_are_illegal)
{
	uint64_t c[2];

	enc_cw(c, true, false, AG_STORE, 0);
	c[0] |= 1ull << 52;
	expect_illegal(c);
	enc_inv_dte(c, 1);
	c[1] = 1;
	expect_illegal(c);
	enc_inv_pages(c, 1, 0, false, false, false, 0);
	c[1] |= 1ull << 3; /* bit 67 */
	expect_illegal(c);
	enc_inv_pages(c, 1, 0, false, false, false, 0);
	c[0] |= 1ull << 20;
	expect_illegal(c);
	enc_inv_iotlb(c, 1, 0, false, 0);
	c[1] |= 1ull << 4; /* Type without InvIotlbTypeSup */
	expect_illegal(c);
	enc_inv_irt(c, 1);
	c[0] |= 1ull << 16;
	expect_illegal(c);
	enc_inv_all(c);
	c[1] = 1ull << 12;
	expect_illegal(c);
}

Test(cmd, commands_the_efr_lacks_are_illegal)
{
	uint64_t c[2];

	ag_destroy(&g);
	ag_create(&g, "invalidate_all = no\nprefetch = no");
	ag_init(&g, 8, 10, 0);
	enc_inv_all(c);
	expect_illegal(c);
	enc_prefetch(c, 1, 1, 0);
	expect_illegal(c);
	c[0] = 7ull << 60; /* COMPLETE_PPR_REQUEST, PPRSup = 0 */
	c[1] = 0;
	expect_illegal(c);
}

Test(cmd, complete_ppr_with_pprsup)
{
	uint64_t c[2] = {7ull << 60 | 0x10, 0x5ull << 32};

	ag_destroy(&g);
	ag_create(&g, "ppr = yes");
	ag_init(&g, 8, 10, 0);
	ag_cmd(&g, c);
	ag_sync(&g);
	cr_assert_eq(ag_evt_count(&g), 0);
}

Test(cmd, ring_wraps)
{
	for (unsigned int i = 0; i < 600; i++)
		ag_sync(&g);
	cr_assert_eq(ag_r64(&g, R_CMD_HEAD), (600u * 16) % 4096);
}

Test(cmd, queued_while_disabled_runs_on_enable)
{
	uint64_t c[2];

	ag_w64(&g, R_CTRL, C_IOMMU_EN | C_EVT_EN);
	enc_cw(c, true, false, AG_STORE, 42);
	ag_cmd(&g, c);
	cr_assert_eq(ag_mr64(&g, AG_STORE), 0);
	ag_w64(&g, R_CTRL, C_IOMMU_EN | C_EVT_EN | C_CMD_EN);
	cr_assert_eq(ag_mr64(&g, AG_STORE), 42);
}

Test(cmd, store_outside_ram_is_command_hardware_error)
{
	uint64_t c[2];
	struct ag_ev e;

	enc_cw(c, true, false, AG_UNBACKED + 8, 1);
	ag_cmd(&g, c);
	cr_assert(ag_evt_pop(&g, &e));
	cr_assert_eq(e.code, EV_CMD_HW);
	cr_assert_eq((e.raw[0] >> 57) & 3, 1);
	cr_assert_eq(e.addr, AG_UNBACKED + 8);
	cr_assert_eq(ag_r64(&g, R_STATUS) & S_CMD_RUN, 0);
}

/* The model remembers where a store last went: stores that take turns
 * between two places reach both, and one outside RAM after them still
 * fails. */
Test(cmd, stores_to_several_places_and_then_outside_ram)
{
	uint64_t c[2];
	struct ag_ev e;

	for (uint64_t i = 1; i <= 4; i++) {
		enc_cw(c, true, false, AG_STORE + 8 * (1 + (i & 1)), i);
		ag_cmd(&g, c);
	}
	cr_assert_eq(ag_mr64(&g, AG_STORE + 16), 3);
	cr_assert_eq(ag_mr64(&g, AG_STORE + 8), 4);
	enc_cw(c, true, false, AG_UNBACKED + 8, 5);
	ag_cmd(&g, c);
	cr_assert(ag_evt_pop(&g, &e));
	cr_assert_eq(e.code, EV_CMD_HW);
	cr_assert_eq(e.addr, AG_UNBACKED + 8);
}

/* A buffer moved while it is off is read at its new place: the model
 * must not keep the place it read before. */
Test(cmd, a_moved_buffer_is_read_at_its_new_place)
{
	const uint64_t nbuf = AG_CMDBUF + 0x8000;
	uint64_t c[2];

	ag_sync(&g); /* the buffer at AG_CMDBUF has run */
	ag_w64(&g, R_CTRL, C_IOMMU_EN | C_EVT_EN | C_GT_EN);
	ag_w64(&g, R_CMD_BASE, enc_ring(nbuf, 9));
	ag_w64(&g, R_CMD_HEAD, 0);
	ag_w64(&g, R_CMD_TAIL, 0);
	ag_w64(&g, R_CTRL, C_IOMMU_EN | C_EVT_EN | C_CMD_EN | C_GT_EN);
	/* Entry 0 of the old place stores 1, of the new one 2. */
	enc_cw(c, true, false, AG_STORE + 24, 1);
	ag_mw64(&g, AG_CMDBUF, c[0]);
	ag_mw64(&g, AG_CMDBUF + 8, c[1]);
	enc_cw(c, true, false, AG_STORE + 24, 2);
	ag_mw64(&g, nbuf, c[0]);
	ag_mw64(&g, nbuf + 8, c[1]);
	ag_w64(&g, R_CMD_TAIL, 16);
	cr_assert_eq(ag_mr64(&g, AG_STORE + 24), 2);
	cr_assert_eq(ag_r64(&g, R_CMD_HEAD), 16);
}

Test(cmd, buffer_outside_ram_is_command_hardware_error)
{
	struct ag_ev e;

	ag_w64(&g, R_CTRL, C_IOMMU_EN | C_EVT_EN);
	ag_w64(&g, R_CMD_BASE, enc_ring(AG_UNBACKED, 8));
	ag_w64(&g, R_CMD_TAIL, 0x20);
	ag_w64(&g, R_CTRL, C_IOMMU_EN | C_EVT_EN | C_CMD_EN);
	cr_assert(ag_evt_pop(&g, &e));
	cr_assert_eq(e.code, EV_CMD_HW);
	cr_assert_eq(e.addr, AG_UNBACKED);
}

Test(cmd, pointers_beyond_the_ring_stop_it)
{
	uint64_t c[2];

	enc_cw(c, true, false, AG_STORE, 9);
	ag_mw64(&g, AG_CMDBUF, c[0]);
	ag_mw64(&g, AG_CMDBUF + 8, c[1]);
	ag_w64(&g, R_CMD_TAIL, 0x10000); /* ring is 4 KiB */
	cr_assert_eq(ag_mr64(&g, AG_STORE), 0);
	ag_w64(&g, R_CMD_TAIL, 0x10);
	cr_assert_eq(ag_mr64(&g, AG_STORE), 9);
}

/* The core's translation hint keeps IOTLB results only until the next
 * register write: the invalidation's Tail write makes the new page seen. */
Test(cmd, invalidation_reaches_the_core_hint)
{
	uint64_t root, c[2];

	ag_destroy(&g);
	ag_next_ctx_with_hint();
	ag_create(&g, NULL);
	ag_init(&g, 8, 10, 0);
	root = cached_pages(DEV_A, 1, 0x100000, 1);
	ag_expect(&g, DEV_A, NOP, 0x100010, RD, AG_DATA + 0x10);
	remap(root, 0x100000, 0);
	cr_assert_not(fresh(DEV_A, 0x100000, 0));
	enc_inv_pages(c, 1, 0, false, false, false, 0x100000);
	ag_cmd(&g, c);
	cr_assert(fresh(DEV_A, 0x100000, 0));
	cr_assert_gt(ag_stat(&g, IOMMU_STAT_HINT_HITS), 0);
}
