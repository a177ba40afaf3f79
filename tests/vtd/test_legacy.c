// SPDX-License-Identifier: MIT
/*
 * test_legacy.c - the guest-style tests in legacy mode (RTADDR.TTM = 00):
 * the test's own driver (vtdg.c) builds root, context and second-stage
 * tables from the sheet (sections 3, 5.1), programs the unit and checks
 * translations and every legacy fault reason it can provoke (7.3), FPD
 * (7.6), the IOTLB and context cache (9.1, 9.2).  Fault recording, the
 * global command rules and caching mode are in test_legacy_unit.c.  No
 * context here has the library's driver.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "vtdg.h"

#define R    IOMMU_ACCESS_READ
#define W    IOMMU_ACCESS_WRITE
#define NP   IOMMU_NO_PASID
#define U(x) ((unsigned long long)(x))

static void up(struct vt *g, const char *ini)
{
	vt_create(g, false, ini);
	vt_guest_init(g, false);
}

/* A device on DID @did with one 4 KiB leaf @iova -> @pa (flags @fl). */
static uint64_t map4k(struct vt *g, unsigned int sid, unsigned int did,
		      uint64_t iova, uint64_t pa, uint64_t fl, uint64_t *root)
{
	uint64_t r = vt_ctx_sl(g, sid, did);

	if (root)
		*root = r;
	return vt_sl_map(g, r, 4, iova, 1, enc_sl(pa, fl));
}

/* ---- translations ---------------------------------------------------------
 */

Test(guest_legacy, translates_4k_read_write)
{
	struct vt g;

	up(&g, NULL);
	cr_assert_eq(vt_rd32(&g, R_GSTS) & (G_TE | G_QIE), G_TE | G_QIE,
		     "GSTS 0x%x", vt_rd32(&g, R_GSTS));
	map4k(&g, SID_A, 5, 0x7FFFDEADB000ull, VT_DATA + 0x3000, SL_RW, NULL);
	vt_tr_ok(&g, SID_A, NP, 0x7FFFDEADB123ull, R, VT_DATA + 0x3123);
	vt_tr_ok(&g, SID_A, NP, 0x7FFFDEADB800ull, W, VT_DATA + 0x3800);
	vt_no_fault(&g);
	vt_destroy(&g);
}

Test(guest_legacy, dma_moves_bytes_through_the_tables)
{
	struct vt g;
	char buf[16] = "through vt-d!", out[16];

	up(&g, NULL);
	map4k(&g, SID_A, 5, 0x100000, VT_DATA, SL_RW, NULL);
	cr_assert_eq(iommu_dma_write(g.ctx, SID_A, NP, 0x100010, buf, 14), 0);
	vt_mem_rd(&g, VT_DATA + 0x10, out, 14);
	cr_assert_str_eq(out, buf);
	memset(out, 0, sizeof(out));
	cr_assert_eq(iommu_dma_read(g.ctx, SID_A, NP, 0x100010, out, 14), 0);
	cr_assert_str_eq(out, buf);
	vt_destroy(&g);
}

Test(guest_legacy, read_only_leaf_faults_writes_0x05)
{
	struct vt g;

	up(&g, NULL);
	map4k(&g, SID_A, 5, 0x100000, VT_DATA, SL_R, NULL);
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, VT_DATA);
	/* a write after a read that filled the IOTLB still faults (13 #19) */
	vt_tr_fault(&g, SID_A, NP, 0x100008, W, FR_WRITE);
	vt_destroy(&g);
}

Test(guest_legacy, write_only_leaf_faults_reads_0x06)
{
	struct vt g;

	up(&g, NULL);
	map4k(&g, SID_A, 5, 0x100000, VT_DATA, SL_W, NULL);
	vt_tr_ok(&g, SID_A, NP, 0x100000, W, VT_DATA);
	vt_tr_fault(&g, SID_A, NP, 0x100000, R, FR_READ);
	vt_destroy(&g);
}

Test(guest_legacy, non_leaf_permissions_are_anded)
{
	struct vt g;
	uint64_t root, pde;

	up(&g, NULL);
	map4k(&g, SID_A, 5, 0x100000, VT_DATA, SL_RW, &root);
	/* the level-2 entry loses W: writes fault 0x05, reads pass */
	pde = vt_sl_entry(&g, root, 4, 0x100000, 2);
	vt_wr64(&g, pde, (vt_rd64m(&g, pde) & ~SL_RW) | SL_R);
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, VT_DATA);
	vt_tr_fault(&g, SID_A, NP, 0x100000, W, FR_WRITE);
	vt_destroy(&g);
}

Test(guest_legacy, super_pages_2m_and_1g)
{
	struct vt g;
	uint64_t root;

	up(&g, "sp_2m = yes\nsp_1g = yes");
	root = vt_ctx_sl(&g, SID_A, 5);
	vt_sl_map(&g, root, 4, 0x200000, 2, enc_sl(VT_DATA, SL_RW | SL_PS));
	vt_sl_map(&g, root, 4, 0x40000000, 3,
		  enc_sl(0x40000000, SL_RW | SL_PS));
	vt_tr_ok(&g, SID_A, NP, 0x2ABCDE, R, VT_DATA + 0xABCDE);
	vt_tr_ok(&g, SID_A, NP, 0x3FF000, W, VT_DATA + 0x1FF000);
	vt_tr_ok(&g, SID_A, NP, 0x7FEDC123, R, 0x7FEDC123);
	vt_destroy(&g);
}

Test(guest_legacy, three_level_table_with_aw1)
{
	struct vt g;
	uint64_t root, e[2];

	up(&g, NULL);
	root = vt_page(&g, 0);
	enc_ctx(e, root, 0, 1, 7, false, true);
	vt_ctx_set(&g, SID_B, e);
	vt_sl_map(&g, root, 3, 0x7FC0001000ull, 1, enc_sl(VT_DATA, SL_RW));
	vt_tr_ok(&g, SID_B, NP, 0x7FC0001010ull, R, VT_DATA + 0x10);
	/* sheet 1.4 / T8: beyond 2^39 with AW 1 -> 0x04 */
	vt_tr_fault(&g, SID_B, NP, 1ull << 39, R, FR_ADDR);
	vt_tr_fault(&g, SID_B, NP, 0x7FFFDEADB000ull, W, FR_ADDR);
	vt_destroy(&g);
}

Test(guest_legacy, address_beyond_aw2_faults_0x04)
{
	struct vt g;

	up(&g, "aw = 48");
	map4k(&g, SID_A, 5, 0x100000, VT_DATA, SL_RW, NULL);
	vt_tr_fault(&g, SID_A, NP, 1ull << 48, R, FR_ADDR);
	vt_tr_fault(&g, SID_A, NP, ~0xfffull, W, FR_ADDR);
	vt_destroy(&g);
}

Test(guest_legacy, pass_through_context_is_identity)
{
	struct vt g;
	uint64_t e[2];

	up(&g, "aw = 48\npass_through = yes");
	enc_ctx(e, 0, 2, 2, 1, false, true);
	vt_ctx_set(&g, SID_A, e);
	vt_tr_ok(&g, SID_A, NP, 0x123456, W, 0x123456);
	vt_tr_ok(&g, SID_A, NP, 0x3FFFFF0, R, 0x3FFFFF0);
	vt_destroy(&g);
}

/*
 * GCMD.TE = 0 and back apply to the very next request, also one this
 * thread's memo of the context and the IOTLB would answer on the short
 * way; so does a new root table, once the context cache is invalidated.
 */
Test(guest_legacy, translation_enable_and_root_apply_at_once)
{
	struct vt g;
	uint64_t root;

	up(&g, NULL);
	map4k(&g, SID_A, 5, 0x40000000, VT_DATA + 0x3000, SL_RW, &root);
	vt_sl_map(&g, root, 4, 0x40001000, 1, enc_sl(VT_DATA + 0x4000, SL_RW));
	vt_tr_ok(&g, SID_A, NP, 0x40000010, R, VT_DATA + 0x3010);
	vt_tr_ok(&g, SID_A, NP, 0x40001010, R, VT_DATA + 0x4010);
	vt_gcmd(&g, G_TE, false);
	vt_tr_ok(&g, SID_A, NP, 0x40000010, R, 0x40000010);
	vt_tr_ok(&g, SID_A, NP, 0x40001020, W, 0x40001020);
	vt_gcmd(&g, G_TE, true);
	vt_tr_ok(&g, SID_A, NP, 0x40001030, R, VT_DATA + 0x4030);
	/* An empty root table: the context cache, never told, may still
	 * answer; once it is invalidated, SID_A has no context entry,
	 * whatever the thread resolved before. */
	vt_set_root(&g, vt_page(&g, 0));
	vt_tr_ok(&g, SID_A, NP, 0x40001040, R, VT_DATA + 0x4040);
	vt_inv_cc_global(&g);
	vt_tr_fault(&g, SID_A, NP, 0x40001050, R, FR_ROOT_NP);
	vt_destroy(&g);
}

/* ---- structure faults (7.3) ------------------------------------------------
 */

Test(guest_legacy, root_entry_not_present_0x01)
{
	struct vt g;

	up(&g, NULL);
	vt_tr_fault(&g, SID_C, NP, 0x5000, R, FR_ROOT_NP);
	vt_destroy(&g);
}

Test(guest_legacy, context_entry_not_present_0x02)
{
	struct vt g;

	up(&g, NULL);
	map4k(&g, SID_A, 5, 0x1000, VT_DATA, SL_RW, NULL);
	/* same bus, other devfn: root present, context entry not */
	vt_tr_fault(&g, SID_B, NP, 0x1000, W, FR_CTX_NP);
	vt_destroy(&g);
}

Test(guest_legacy, root_entry_reserved_bits_0x0a)
{
	struct vt g;
	uint64_t e[2], ctxt;

	up(&g, NULL);
	ctxt = vt_page(&g, 0);
	enc_root(e, ctxt, true);
	vt_wr64(&g, VT_ROOT + 16 * 3, e[0] | 2); /* bit 1 */
	vt_tr_fault(&g, SID_C, NP, 0x1000, R, FR_ROOT_RSV);
	vt_destroy(&g);

	up(&g, NULL);
	ctxt = vt_page(&g, 0);
	enc_root(e, ctxt, true);
	vt_wr64(&g, VT_ROOT + 16 * 3, e[0]);
	vt_wr64(&g, VT_ROOT + 16 * 3 + 8, 1); /* QW1 bit 0 */
	vt_tr_fault(&g, SID_C, NP, 0x1000, R, FR_ROOT_RSV);
	vt_destroy(&g);

	up(&g, "haw = 48");
	enc_root(e, 1ull << 48, true); /* CTP bit at HAW */
	vt_wr64(&g, VT_ROOT + 16 * 3, e[0]);
	vt_tr_fault(&g, SID_C, NP, 0x1000, R, FR_ROOT_RSV);
	vt_destroy(&g);
}

Test(guest_legacy, context_entry_reserved_bits_0x0b)
{
	static const struct {
		unsigned int qw, bit;
	} rsv[] = {
	    {0, 4}, {0, 11}, {1, 7}, {1, 24}, {1, 63},
	};
	unsigned int i;

	for (i = 0; i < sizeof(rsv) / sizeof(rsv[0]); i++) {
		struct vt g;
		uint64_t e[2];

		up(&g, NULL);
		enc_ctx(e, vt_page(&g, 0), 0, 2, 5, false, true);
		e[rsv[i].qw] |= 1ull << rsv[i].bit;
		vt_ctx_set(&g, SID_A, e);
		cr_log_info("context QW%u bit %u", rsv[i].qw, rsv[i].bit);
		vt_tr_fault(&g, SID_A, NP, 0x1000, R, FR_CTX_RSV);
		vt_destroy(&g);
	}
}

Test(guest_legacy, context_ignored_bits_accepted)
{
	struct vt g;
	uint64_t e[2], root;

	up(&g, NULL);
	root = vt_page(&g, 0);
	enc_ctx(e, root, 0, 2, 5, false, true);
	e[1] |= 0xfull << 3; /* AVAIL, QW1 6:3 */
	vt_ctx_set(&g, SID_A, e);
	vt_sl_map(&g, root, 4, 0x1000, 1, enc_sl(VT_DATA, SL_RW));
	vt_tr_ok(&g, SID_A, NP, 0x1000, R, VT_DATA);
	vt_destroy(&g);
}

Test(guest_legacy, invalid_context_entry_0x03)
{
	struct vt g;
	uint64_t e[2];

	/* AW 3 (57-bit) is not in SAGAW of a 48-bit unit */
	up(&g, "aw = 48");
	enc_ctx(e, vt_page(&g, 0), 0, 3, 5, false, true);
	vt_ctx_set(&g, SID_A, e);
	vt_tr_fault(&g, SID_A, NP, 0x1000, R, FR_CTX_INV);
	/* TT = 11 is reserved */
	enc_ctx(e, vt_page(&g, 0), 3, 2, 5, false, true);
	vt_ctx_set(&g, SID_B, e);
	vt_tr_fault(&g, SID_B, NP, 0x1000, R, FR_CTX_INV);
	/* pass-through must carry the largest supported AW (1.1) */
	enc_ctx(e, 0, 2, 1, 1, false, true);
	vt_ctx_set(&g, SID_D, e);
	vt_tr_fault(&g, SID_D, NP, 0x1000, R, FR_CTX_INV);
	vt_destroy(&g);

	/* TT = 10 without ECAP.PT */
	up(&g, "aw = 48\npass_through = no");
	enc_ctx(e, 0, 2, 2, 1, false, true);
	vt_ctx_set(&g, SID_A, e);
	vt_tr_fault(&g, SID_A, NP, 0x1000, W, FR_CTX_INV);
	vt_destroy(&g);
}

Test(guest_legacy, leaf_not_present_read_0x06_write_0x05)
{
	struct vt g;

	up(&g, NULL);
	map4k(&g, SID_A, 5, 0x100000, VT_DATA, SL_RW, NULL);
	/* the next page's leaf is zero; a fresh table misses at level 4 */
	vt_tr_fault(&g, SID_A, NP, 0x101000, R, FR_READ);
	vt_tr_fault(&g, SID_A, NP, 0x101000, W, FR_WRITE);
	vt_tr_fault(&g, SID_A, NP, 0x7F0000000000ull, R, FR_READ);
	vt_destroy(&g);
}

Test(guest_legacy, paging_entry_reserved_bits_0x0c)
{
	struct vt g;
	uint64_t root, l4;

	up(&g, "haw = 48\nsp_2m = yes");
	/* leaf address bit 51 >= HAW */
	map4k(&g, SID_A, 5, 0x100000, (1ull << 51) | VT_DATA, SL_RW, &root);
	vt_tr_fault(&g, SID_A, NP, 0x100000, R, FR_SL_RSV);
	/* a 2 MiB leaf with bit 12 set */
	vt_sl_map(&g, root, 4, 0x40000000, 2,
		  enc_sl(VT_DATA | 0x1000, SL_RW | SL_PS));
	vt_tr_fault(&g, SID_A, NP, 0x40000000, W, FR_SL_RSV);
	/* PS in a PML4E */
	root = vt_ctx_sl(&g, SID_B, 6);
	vt_sl_map(&g, root, 4, 0x1000, 1, enc_sl(VT_DATA, SL_RW));
	l4 = vt_sl_entry(&g, root, 4, 0x1000, 4);
	vt_wr64(&g, l4, vt_rd64m(&g, l4) | SL_PS);
	vt_tr_fault(&g, SID_B, NP, 0x1000, R, FR_SL_RSV);
	vt_destroy(&g);
}

Test(guest_legacy, ignored_leaf_bits_accepted)
{
	struct vt g;

	up(&g, NULL);
	/* bits 61:52, 63, 10:8 and 7 of a level-1 entry are ignored (5.1) */
	map4k(&g, SID_A, 5, 0x100000, VT_DATA,
	      SL_RW | 0x3FFull << 52 | 1ull << 63 | 0x780, NULL);
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, VT_DATA);
	vt_destroy(&g);
}

Test(guest_legacy, tables_outside_ram_0x07_0x08_0x09)
{
	struct vt g;
	uint64_t root, e[2];

	/* a lower-level table outside RAM */
	up(&g, NULL);
	root = vt_ctx_sl(&g, SID_A, 5);
	vt_wr64(&g, root, enc_sl(VT_UNBACKED, SL_RW)); /* PML4E[0] */
	vt_tr_fault(&g, SID_A, NP, 0x1000, R, FR_SL_FETCH);
	/* a context table outside RAM */
	enc_root(e, VT_UNBACKED, true);
	vt_wr64(&g, VT_ROOT + 16 * 3, e[0]);
	vt_tr_fault(&g, SID_C, NP, 0x1000, R, FR_CTX_FETCH);
	vt_destroy(&g);

	/* the root table itself */
	vt_create(&g, false, NULL);
	vt_set_root(&g, VT_UNBACKED);
	vt_qi_enable(&g, 0, 0);
	vt_inv_cc_global(&g);
	vt_inv_iotlb_global(&g);
	vt_gcmd(&g, G_TE, true);
	vt_tr_fault(&g, SID_A, NP, 0x1000, W, FR_ROOT_FETCH);
	vt_destroy(&g);
}

Test(guest_legacy, output_in_interrupt_window_0x0e)
{
	struct vt g;

	up(&g, NULL);
	map4k(&g, SID_A, 5, 0x100000, 0xFEE00000ull, SL_RW, NULL);
	vt_tr_fault(&g, SID_A, NP, 0x100000, R, FR_INTR);
	vt_destroy(&g);
}

Test(guest_legacy, fpd_suppresses_qualified_faults)
{
	struct vt g;
	uint64_t e[2], root;
	uint64_t f0;

	up(&g, NULL);
	root = vt_page(&g, 0);
	enc_ctx(e, root, 0, 2, 5, true, true);
	vt_ctx_set(&g, SID_A, e);
	f0 = vt_stat(&g, IOMMU_STAT_FAULTS);
	cr_assert_eq(vt_tr(&g, SID_A, NP, 0x1000, R, NULL), -EFAULT);
	cr_assert_eq(vt_tr(&g, SID_A, NP, 0x1000, W, NULL), -EFAULT);
	cr_assert_eq(vt_tr(&g, SID_A, NP, 1ull << 50, W, NULL), -EFAULT);
	vt_no_fault(&g);
	cr_assert_eq(vt_rd32(&g, R_FSTS), 0, "FSTS 0x%x", vt_rd32(&g, R_FSTS));
	cr_assert_eq(vt_stat(&g, IOMMU_STAT_FAULTS), f0,
		     "suppressed faults counted as recorded");
	/* the same device without FPD records */
	enc_ctx(e, root, 0, 2, 5, false, true);
	vt_ctx_set(&g, SID_A, e);
	vt_inv_cc_dev(&g, 5, SID_A);
	vt_tr_fault(&g, SID_A, NP, 0x1000, R, FR_READ);
	vt_destroy(&g);
}

/* ---- caches (9.1, 9.2)
 * -------------------------------------------------------- */

Test(guest_legacy, skipped_invalidation_leaves_stale_translation)
{
	struct vt g;
	uint64_t leaf;

	up(&g, NULL);
	leaf = map4k(&g, SID_A, 5, 0x100000, VT_DATA, SL_RW, NULL);
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, VT_DATA);
	vt_wr64(&g, leaf, enc_sl(VT_DATA + 0x5000, SL_RW));
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, VT_DATA);
	/* wrong DID: nothing removed */
	vt_inv_iotlb_page(&g, 6, 0x100000, 0);
	vt_inv_iotlb_dom(&g, 6);
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, VT_DATA);
	/* wrong page of the right DID */
	vt_inv_iotlb_page(&g, 5, 0x101000, 0);
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, VT_DATA);
	/* the right one */
	vt_inv_iotlb_page(&g, 5, 0x100000, 0);
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, VT_DATA + 0x5000);
	vt_destroy(&g);
}

Test(guest_legacy, unmap_without_invalidation_still_translates)
{
	struct vt g;
	uint64_t leaf;

	up(&g, NULL);
	leaf = map4k(&g, SID_A, 5, 0x100000, VT_DATA, SL_RW, NULL);
	vt_tr_ok(&g, SID_A, NP, 0x100000, W, VT_DATA);
	vt_wr64(&g, leaf, 0);
	vt_tr_ok(&g, SID_A, NP, 0x100000, W, VT_DATA);
	vt_inv_iotlb_dom(&g, 5);
	vt_tr_fault(&g, SID_A, NP, 0x100000, W, FR_WRITE);
	vt_destroy(&g);
}

Test(guest_legacy, domain_and_global_invalidation)
{
	struct vt g;
	uint64_t la, lb;

	up(&g, NULL);
	la = map4k(&g, SID_A, 5, 0x100000, VT_DATA, SL_RW, NULL);
	lb = map4k(&g, SID_B, 6, 0x100000, VT_DATA + 0x1000, SL_RW, NULL);
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, VT_DATA);
	vt_tr_ok(&g, SID_B, NP, 0x100000, R, VT_DATA + 0x1000);
	vt_wr64(&g, la, enc_sl(VT_DATA + 0x8000, SL_RW));
	vt_wr64(&g, lb, enc_sl(VT_DATA + 0x9000, SL_RW));
	vt_inv_iotlb_dom(&g, 5);
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, VT_DATA + 0x8000);
	vt_tr_ok(&g, SID_B, NP, 0x100000, R, VT_DATA + 0x1000);
	vt_inv_iotlb_global(&g);
	vt_tr_ok(&g, SID_B, NP, 0x100000, R, VT_DATA + 0x9000);
	vt_destroy(&g);
}

Test(guest_legacy, page_selective_am_covers_exactly_its_range)
{
	struct vt g;
	uint64_t root, leaf[20];
	unsigned int i;

	up(&g, NULL);
	root = vt_ctx_sl(&g, SID_A, 5);
	/* pages 0x10000..0x23000: 0x10000-0x1FFFF is the AM 4 range (T10) */
	for (i = 0; i < 20; i++) {
		leaf[i] = vt_sl_map(&g, root, 4, 0x10000 + PG * i, 1,
				    enc_sl(VT_DATA + PG * i, SL_RW));
		vt_tr_ok(&g, SID_A, NP, 0x10000 + PG * i, R, VT_DATA + PG * i);
	}
	for (i = 0; i < 20; i++)
		vt_wr64(&g, leaf[i],
			enc_sl(VT_DATA + 0x100000 + PG * i, SL_RW));
	/* ADDR's low AM page bits are ignored: 0x13000 means 0x10000 */
	vt_inv_iotlb_page(&g, 5, 0x13000, 4);
	for (i = 0; i < 20; i++)
		vt_tr_ok(&g, SID_A, NP, 0x10000 + PG * i, R,
			 VT_DATA + (i < 16 ? 0x100000 : 0) + PG * i);
	vt_destroy(&g);
}

Test(guest_legacy, page_selective_hits_a_cached_super_page)
{
	struct vt g;
	uint64_t root, leaf;

	up(&g, "sp_2m = yes");
	root = vt_ctx_sl(&g, SID_A, 5);
	leaf =
	    vt_sl_map(&g, root, 4, 0x200000, 2, enc_sl(VT_DATA, SL_RW | SL_PS));
	vt_tr_ok(&g, SID_A, NP, 0x200000, R, VT_DATA);
	vt_tr_ok(&g, SID_A, NP, 0x3FF000, R, VT_DATA + 0x1FF000);
	vt_wr64(&g, leaf, enc_sl(VT_DATA + 0x200000, SL_RW | SL_PS));
	vt_tr_ok(&g, SID_A, NP, 0x250000, R, VT_DATA + 0x50000);
	/* any 4 KiB page inside the 2 MiB page removes it (6.4) */
	vt_inv_iotlb_page(&g, 5, 0x321000, 0);
	vt_tr_ok(&g, SID_A, NP, 0x250000, R, VT_DATA + 0x250000);
	vt_destroy(&g);
}

Test(guest_legacy, invalidation_hint_removes_the_leaf)
{
	struct vt g;
	uint64_t leaf, q[4];

	up(&g, NULL);
	leaf = map4k(&g, SID_A, 5, 0x100000, VT_DATA, SL_RW, NULL);
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, VT_DATA);
	vt_wr64(&g, leaf, enc_sl(VT_DATA + 0x2000, SL_RW));
	dsc_iotlb(q, 3, true, true, 5, 0x100000, 0, true);
	vt_qrun(&g, q);
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, VT_DATA + 0x2000);
	vt_destroy(&g);
}

/*
 * The paging-structure caches (vtd 6.4; sheet 9.1): a walk keeps where it
 * found its leaf table, so another page of the same 2 MiB region misses in
 * the IOTLB but no longer reads the directory entries above that table.
 * A cleared PDE is seen only after an IOTLB invalidation, which covers
 * these caches too.
 */
Test(guest_legacy, paging_structure_cache_kept_until_iotlb_invalidation)
{
	struct vt g;
	uint64_t root, pde, saved;

	up(&g, NULL);
	root = vt_ctx_sl(&g, SID_A, 5);
	vt_sl_map(&g, root, 4, 0x100000, 1, enc_sl(VT_DATA, SL_RW));
	vt_sl_map(&g, root, 4, 0x101000, 1, enc_sl(VT_DATA + 0x1000, SL_RW));
	vt_sl_map(&g, root, 4, 0x102000, 1, enc_sl(VT_DATA + 0x2000, SL_RW));
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, VT_DATA);
	pde = vt_sl_entry(&g, root, 4, 0x100000, 2);
	saved = vt_rd64m(&g, pde);
	vt_wr64(&g, pde, 0);
	/* not in the IOTLB, yet translated through the cached table */
	vt_tr_ok(&g, SID_A, NP, 0x101000, R, VT_DATA + 0x1000);
	/* a page-selective invalidation elsewhere drops them all */
	vt_inv_iotlb_page(&g, 5, 0x40000000, 0);
	vt_tr_fault(&g, SID_A, NP, 0x102000, R, FR_READ);
	vt_wr64(&g, pde, saved);
	vt_inv_iotlb_dom(&g, 5);
	vt_tr_ok(&g, SID_A, NP, 0x102000, R, VT_DATA + 0x2000);
	vt_destroy(&g);
}

/*
 * A miss whose region the paging-structure caches hold reads one entry
 * (the model decodes a plain page inline, pt_quick.h): every check of
 * that entry and of the levels above still holds there.  The first page
 * fills the caches; each other page of the region then misses the IOTLB
 * and resumes at the cached table.  A read before each write puts the
 * page's permissions in the IOTLB, which the write then meets.
 */
Test(guest_legacy, cached_region_pages_keep_every_check)
{
	struct vt g;
	uint64_t root, pde;

	up(&g, "haw = 48");
	root = vt_ctx_sl(&g, SID_A, 5);
	vt_sl_map(&g, root, 4, 0x100000, 1, enc_sl(VT_DATA, SL_RW));
	vt_sl_map(&g, root, 4, 0x101000, 1, enc_sl(VT_DATA + 0x1000, SL_R));
	vt_sl_map(&g, root, 4, 0x102000, 1, enc_sl(VT_DATA + 0x2000, SL_W));
	vt_sl_map(&g, root, 4, 0x103000, 1,
		  enc_sl((1ull << 51) | VT_DATA, SL_RW));
	vt_sl_map(&g, root, 4, 0x104000, 1,
		  enc_sl(VT_DATA, SL_RW | 1ull << 62)); /* TM, no ECAP.DT */
	vt_sl_map(&g, root, 4, 0x105000, 1,
		  enc_sl(VT_DATA + 0x5000, SL_RW | 0x3FFull << 52));
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, VT_DATA);
	vt_tr_ok(&g, SID_A, NP, 0x101010, R, VT_DATA + 0x1010);
	vt_tr_fault(&g, SID_A, NP, 0x101020, W, FR_WRITE);
	vt_tr_ok(&g, SID_A, NP, 0x102030, W, VT_DATA + 0x2030);
	vt_tr_fault(&g, SID_A, NP, 0x102040, R, FR_READ);
	vt_tr_fault(&g, SID_A, NP, 0x103000, R, FR_SL_RSV);
	vt_tr_fault(&g, SID_A, NP, 0x104000, R, FR_SL_RSV);
	vt_tr_ok(&g, SID_A, NP, 0x105050, W, VT_DATA + 0x5050);
	vt_tr_fault(&g, SID_A, NP, 0x106000, R, FR_READ);

	/* The level-2 entry without W: the cached table keeps that. */
	vt_sl_map(&g, root, 4, 0x40000000, 1, enc_sl(VT_DATA, SL_RW));
	vt_sl_map(&g, root, 4, 0x40001000, 1, enc_sl(VT_DATA + 0x1000, SL_RW));
	pde = vt_sl_entry(&g, root, 4, 0x40000000, 2);
	vt_wr64(&g, pde, (vt_rd64m(&g, pde) & ~SL_RW) | SL_R);
	vt_tr_ok(&g, SID_A, NP, 0x40000000, R, VT_DATA);
	vt_tr_ok(&g, SID_A, NP, 0x40001000, R, VT_DATA + 0x1000);
	vt_tr_fault(&g, SID_A, NP, 0x40001008, W, FR_WRITE);
	vt_no_fault(&g);
	vt_destroy(&g);
}

/*
 * A page-selective invalidation with IH = 1 says only leaves changed
 * (vtd 6.4): the paging-structure caches may keep their tables, and the
 * model does, so a driver's strict unmap leaves the other pages of the
 * region one table read away.  The same invalidation with IH = 0 drops
 * them.
 */
Test(guest_legacy, leaf_only_invalidation_keeps_paging_structure_cache)
{
	struct vt g;
	uint64_t root, pde, q[4];

	up(&g, NULL);
	root = vt_ctx_sl(&g, SID_A, 5);
	vt_sl_map(&g, root, 4, 0x100000, 1, enc_sl(VT_DATA, SL_RW));
	vt_sl_map(&g, root, 4, 0x101000, 1, enc_sl(VT_DATA + 0x1000, SL_RW));
	vt_sl_map(&g, root, 4, 0x102000, 1, enc_sl(VT_DATA + 0x2000, SL_RW));
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, VT_DATA);
	pde = vt_sl_entry(&g, root, 4, 0x100000, 2);
	vt_wr64(&g, pde, 0);
	dsc_iotlb(q, 3, false, false, 5, 0x100000, 0, true);
	vt_qrun(&g, q);
	vt_tr_ok(&g, SID_A, NP, 0x101000, R, VT_DATA + 0x1000);
	dsc_iotlb(q, 3, false, false, 5, 0x100000, 0, false);
	vt_qrun(&g, q);
	vt_tr_fault(&g, SID_A, NP, 0x102000, R, FR_READ);
	vt_destroy(&g);
}

Test(guest_legacy, context_cache_kept_until_context_invalidation)
{
	struct vt g;
	uint64_t r1, r2, e[2];

	up(&g, NULL);
	r1 = vt_ctx_sl(&g, SID_A, 5);
	vt_sl_map(&g, r1, 4, 0x100000, 1, enc_sl(VT_DATA, SL_RW));
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, VT_DATA);
	/* the context entry moves to another table and DID */
	r2 = vt_page(&g, 0);
	vt_sl_map(&g, r2, 4, 0x100000, 1, enc_sl(VT_DATA + 0x7000, SL_RW));
	enc_ctx(e, r2, 0, 2, 6, false, true);
	vt_ctx_set(&g, SID_A, e);
	/* an IOTLB flush alone: the cached context still points at r1 */
	vt_inv_iotlb_global(&g);
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, VT_DATA);
	/* device-selective context flush with the old DID (9.6) */
	vt_inv_cc_dev(&g, 5, SID_A);
	vt_inv_iotlb_dom(&g, 5);
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, VT_DATA + 0x7000);
	vt_destroy(&g);
}

Test(guest_legacy, context_invalidation_function_mask)
{
	struct vt g;
	uint64_t r1, r2, e[2], q[4];

	up(&g, NULL);
	r1 = vt_ctx_sl(&g, SID_A, 5);
	vt_sl_map(&g, r1, 4, 0x1000, 1, enc_sl(VT_DATA, SL_RW));
	vt_tr_ok(&g, SID_A, NP, 0x1000, R, VT_DATA);
	r2 = vt_page(&g, 0);
	vt_sl_map(&g, r2, 4, 0x1000, 1, enc_sl(VT_DATA + 0x4000, SL_RW));
	enc_ctx(e, r2, 0, 2, 5, false, true);
	vt_ctx_set(&g, SID_A, e);
	/* SID 00:02.1 with FM 00 does not hit 00:02.0 */
	dsc_cc(q, 3, 5, SID_A | 1, 0);
	vt_qrun(&g, q);
	vt_inv_iotlb_dom(&g, 5);
	vt_tr_ok(&g, SID_A, NP, 0x1000, R, VT_DATA);
	/* with FM 11 (ignore function bits) it does */
	dsc_cc(q, 3, 5, SID_A | 1, 3);
	vt_qrun(&g, q);
	vt_inv_iotlb_dom(&g, 5);
	vt_tr_ok(&g, SID_A, NP, 0x1000, R, VT_DATA + 0x4000);
	vt_destroy(&g);
}

Test(guest_legacy, iotlb_hits_and_misses_counted)
{
	struct vt g;
	uint64_t h0, m0;

	vt_next_ctx_flags(IOMMU_CTX_NO_HINT); /* every access reaches the model */
	up(&g, NULL);
	map4k(&g, SID_A, 5, 0x100000, VT_DATA, SL_RW, NULL);
	h0 = vt_stat(&g, IOMMU_STAT_IOTLB_HITS);
	m0 = vt_stat(&g, IOMMU_STAT_IOTLB_MISSES);
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, VT_DATA);
	vt_tr_ok(&g, SID_A, NP, 0x100040, R, VT_DATA + 0x40);
	vt_tr_ok(&g, SID_A, NP, 0x100080, W, VT_DATA + 0x80);
	cr_assert_eq(vt_stat(&g, IOMMU_STAT_IOTLB_MISSES) - m0, 1);
	cr_assert_eq(vt_stat(&g, IOMMU_STAT_IOTLB_HITS) - h0, 2);
	vt_destroy(&g);
}

/*
 * With 4 KiB and 2 MiB entries both cached, a miss probes two page
 * sizes; the entry the walk makes goes where the next lookup of its own
 * size looks (not into the set of the last size probed), so it hits.
 */
Test(guest_legacy, iotlb_entry_after_two_probes_hits)
{
	struct vt g;
	uint64_t root, h0, m0;

	vt_next_ctx_flags(IOMMU_CTX_NO_HINT); /* every access reaches the model */
	up(&g, "sp_2m = yes\niotlb_entries = 64"); /* 8 sets of 8 */
	root = vt_ctx_sl(&g, SID_A, 5);
	vt_sl_map(&g, root, 4, 0x200000, 2, enc_sl(VT_DATA, SL_RW | SL_PS));
	for (unsigned int i = 0; i < 32; i++)
		vt_sl_map(&g, root, 4, 0x1000000 + PG * i, 1,
			  enc_sl(VT_DATA + 0x200000 + PG * i, SL_RW));
	vt_tr_ok(&g, SID_A, NP, 0x2ABCDE, R, VT_DATA + 0xABCDE);
	/* Every set in use once (a set no insert has reached yet is
	 * skipped by a lookup, without a look). */
	for (unsigned int i = 0; i < 24; i++)
		vt_tr_ok(&g, SID_A, NP, 0x1000000 + PG * i, R,
			 VT_DATA + 0x200000 + PG * i);
	for (unsigned int i = 24; i < 32; i++) {
		const uint64_t iova = 0x1000000 + PG * i;
		const uint64_t pa = VT_DATA + 0x200000 + PG * i;

		m0 = vt_stat(&g, IOMMU_STAT_IOTLB_MISSES);
		vt_tr_ok(&g, SID_A, NP, iova, R, pa);
		cr_assert_eq(vt_stat(&g, IOMMU_STAT_IOTLB_MISSES) - m0, 1);
		h0 = vt_stat(&g, IOMMU_STAT_IOTLB_HITS);
		vt_tr_ok(&g, SID_A, NP, iova + 0x10, R, pa + 0x10);
		cr_assert_eq(vt_stat(&g, IOMMU_STAT_IOTLB_HITS) - h0, 1,
			     "page %u: its new 4 KiB entry missed", i);
	}
	vt_destroy(&g);
}

/*
 * The same through the model's own IOTLB (no hint), its sets all in use:
 * each page of a cached region misses once and then hits, with the
 * permissions of its entry both times (a read-only page answers read-only
 * from the IOTLB too, and a write to it faults there), and a page whose
 * output lies in the interrupt window faults even with its table cached.
 */
Test(guest_legacy, cached_region_pages_through_the_iotlb)
{
	struct iommu_translation t;
	struct vt g;
	uint64_t root, h0, m0;

	/* Every access reaches the model. */
	vt_next_ctx_flags(IOMMU_CTX_NO_HINT);
	up(&g, "iotlb_entries = 64"); /* 8 sets of 8 */
	root = vt_ctx_sl(&g, SID_A, 5);
	for (unsigned int i = 0; i < 48; i++)
		vt_sl_map(&g, root, 4, 0x100000 + PG * i, 1,
			  enc_sl(VT_DATA + PG * i, i % 2 ? SL_R : SL_RW));
	vt_sl_map(&g, root, 4, 0x100000 + PG * 48, 1,
		  enc_sl(0xFEE00000ull, SL_RW));
	/* Every set in use once (a set no insert has reached yet is
	 * skipped by a lookup, without a look). */
	for (unsigned int i = 0; i < 32; i++)
		vt_tr_ok(&g, SID_A, NP, 0x100000 + PG * i, R, VT_DATA + PG * i);
	for (unsigned int i = 32; i < 48; i++) {
		const uint64_t iova = 0x100000 + PG * i;
		const unsigned int perm =
		    i % 2 ? IOMMU_READ : IOMMU_READ | IOMMU_WRITE;

		for (unsigned int k = 0; k < 2; k++) {
			m0 = vt_stat(&g, IOMMU_STAT_IOTLB_MISSES);
			h0 = vt_stat(&g, IOMMU_STAT_IOTLB_HITS);
			memset(&t, 0, sizeof(t));
			cr_assert_eq(iommu_dma_translate(g.ctx, SID_A, NP,
							 iova + 8 * k, 4, R,
							 &t),
				     0, "page %u", i);
			cr_assert_eq(t.phys, VT_DATA + PG * i + 8 * k);
			cr_assert_eq(t.perm, perm, "page %u, %s: perm %x", i,
				     k ? "IOTLB hit" : "miss", t.perm);
			cr_assert_eq(vt_stat(&g, IOMMU_STAT_IOTLB_MISSES) - m0,
				     k ? 0 : 1, "page %u, access %u", i, k);
			cr_assert_eq(vt_stat(&g, IOMMU_STAT_IOTLB_HITS) - h0,
				     k ? 1 : 0, "page %u, access %u", i, k);
		}
		if (i % 2)
			vt_tr_fault(&g, SID_A, NP, iova + 0x20, W, FR_WRITE);
		else
			vt_tr_ok(&g, SID_A, NP, iova + 0x20, W,
				 VT_DATA + PG * i + 0x20);
	}
	vt_tr_fault(&g, SID_A, NP, 0x100000 + PG * 48, R, FR_INTR);
	vt_no_fault(&g);
	vt_destroy(&g);
}

Test(guest_legacy, iotlb_capacity_evicts_one_not_all)
{
	struct vt g;
	uint64_t root, h0, m0, hits, misses;
	unsigned int i;

	vt_next_ctx_flags(IOMMU_CTX_NO_HINT); /* the model's own IOTLB */
	up(&g, "iotlb_entries = 16");
	root = vt_ctx_sl(&g, SID_A, 5);
	for (i = 0; i < 64; i++)
		vt_sl_map(&g, root, 4, 0x100000 + PG * i, 1,
			  enc_sl(VT_DATA + PG * i, SL_RW));
	/* fill: 16 misses */
	for (i = 0; i < 16; i++)
		vt_tr_ok(&g, SID_A, NP, 0x100000 + PG * i, R, VT_DATA + PG * i);
	/* one more entry evicts one */
	vt_tr_ok(&g, SID_A, NP, 0x100000 + PG * 16, R, VT_DATA + PG * 16);
	h0 = vt_stat(&g, IOMMU_STAT_IOTLB_HITS);
	m0 = vt_stat(&g, IOMMU_STAT_IOTLB_MISSES);
	/* newest first, so an LRU or FIFO victim is never re-fetched */
	for (i = 16; i >= 2; i--)
		vt_tr_ok(&g, SID_A, NP, 0x100000 + PG * i, R, VT_DATA + PG * i);
	hits = vt_stat(&g, IOMMU_STAT_IOTLB_HITS) - h0;
	misses = vt_stat(&g, IOMMU_STAT_IOTLB_MISSES) - m0;
	cr_assert(hits >= 12,
		  "after one eviction only %llu of 15 recent "
		  "pages hit (%llu misses): IOTLB wiped?",
		  U(hits), U(misses));
	/* far beyond capacity: the newest still hits */
	for (i = 17; i < 64; i++)
		vt_tr_ok(&g, SID_A, NP, 0x100000 + PG * i, R, VT_DATA + PG * i);
	h0 = vt_stat(&g, IOMMU_STAT_IOTLB_HITS);
	vt_tr_ok(&g, SID_A, NP, 0x100000 + PG * 63, R, VT_DATA + PG * 63);
	vt_tr_ok(&g, SID_A, NP, 0x100000 + PG * 62, R, VT_DATA + PG * 62);
	cr_assert_eq(vt_stat(&g, IOMMU_STAT_IOTLB_HITS) - h0, 2);
	vt_destroy(&g);
}
