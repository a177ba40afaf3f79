// SPDX-License-Identifier: MIT
/*
 * test_legacy.c - the guest-style tests in legacy mode (RTADDR.TTM = 00):
 * the test's own driver (vtdg.c) builds root, context and second-stage
 * tables from the sheet (sections 3, 5.1), programs the unit and checks
 * translations and every legacy fault reason it can provoke (7.3), FPD
 * (7.6), the IOTLB and context cache (9.1, 9.2) and the global command
 * rules (2.4).  No context here has the library's driver.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
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

Test(guest_legacy, iotlb_capacity_evicts_one_not_all)
{
	struct vt g;
	uint64_t root, h0, m0, hits, misses;
	unsigned int i;

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

/* ---- fault recording (7.1, 7.2) ---------------------------------------------
 */

Test(guest_legacy, fault_record_fields_and_fri)
{
	struct vt g;
	struct frec f;
	uint32_t fsts;
	unsigned int i;

	up(&g, "fault_records = 4");
	for (i = 0; i < 3; i++)
		map4k(&g, vt_sid(i), 5 + i, 0x100000, VT_DATA, SL_RW, NULL);
	cr_assert_eq(vt_tr(&g, SID_A, NP, 0x7FFFDEADB123ull, W, NULL), -EFAULT);
	fsts = vt_rd32(&g, R_FSTS);
	cr_assert_eq(fsts & 0xff03, FS_PPF, "FSTS 0x%x after one fault", fsts);
	cr_assert_eq(vt_tr(&g, SID_B, NP, 0x5000, R, NULL), -EFAULT);
	cr_assert_eq(vt_tr(&g, SID_C, NP, 0x6000, W, NULL), -EFAULT);
	/* records 0, 1, 2 in order; FRI still 0 */
	cr_assert_eq((vt_rd32(&g, R_FSTS) >> 8) & 0xff, 0);
	cr_assert(vt_fault_pop(&g, &f));
	cr_assert_eq(f.sid, SID_A);
	cr_assert_eq(f.fi, 0x7FFFDEADB000ull, "FI 0x%llx", U(f.fi));
	cr_assert_eq(f.fr, FR_WRITE);
	cr_assert(!f.t1 && !f.pp && f.pv == 0 && f.at == 0, "QW1 0x%016llx",
		  U(f.raw[1]));
	cr_assert_eq(f.raw[0] & 0xfff, 0, "FRCD QW0 reserved bits");
	cr_assert_eq(f.raw[1] & 0x0fff0000ull, 0, "FRCD QW1 bits 91:80");
	cr_assert(vt_fault_pop(&g, &f));
	cr_assert_eq(f.sid, SID_B);
	cr_assert(f.t1, "read has T1 = 1");
	cr_assert_eq(f.fr, FR_READ);
	cr_assert(vt_fault_pop(&g, &f));
	cr_assert_eq(f.sid, SID_C);
	cr_assert_eq(f.fi, 0x6000);
	cr_assert(!vt_fault_pop(&g, &f));
	cr_assert_eq(vt_rd32(&g, R_FSTS) & (FS_PPF | FS_PFO), 0);
	/* the next fault goes to record 3: FRI follows */
	cr_assert_eq(vt_tr(&g, SID_B, NP, 0x9000, R, NULL), -EFAULT);
	fsts = vt_rd32(&g, R_FSTS);
	cr_assert_eq(fsts & FS_PPF, FS_PPF);
	cr_assert_eq((fsts >> 8) & 0xff, 3, "FRI %u, want 3",
		     (fsts >> 8) & 0xff);
	vt_fault_expect(&g, SID_B, 0x9000, R, FR_READ);
	vt_destroy(&g);
}

Test(guest_legacy, fault_overflow_sets_pfo_and_counts_lost)
{
	struct vt g;
	struct frec f;
	uint64_t lost0, rec0;
	struct mallinfo2 m0, m1;
	unsigned int i;

	up(&g, "fault_records = 2");
	for (i = 0; i < 5; i++)
		map4k(&g, vt_sid(i), 5 + i, 0x100000, VT_DATA, SL_RW, NULL);
	lost0 = vt_stat(&g, IOMMU_STAT_FAULTS_LOST);
	rec0 = vt_stat(&g, IOMMU_STAT_FAULTS);
	cr_assert_eq(vt_tr(&g, SID_A, NP, 0x1000, R, NULL), -EFAULT);
	cr_assert_eq(vt_tr(&g, SID_B, NP, 0x2000, R, NULL), -EFAULT);
	cr_assert_eq(vt_rd32(&g, R_FSTS) & FS_PFO, 0);
	cr_assert_eq(vt_tr(&g, SID_C, NP, 0x3000, R, NULL), -EFAULT);
	cr_assert_eq(vt_tr(&g, SID_D, NP, 0x4000, R, NULL), -EFAULT);
	cr_assert_eq(vt_rd32(&g, R_FSTS) & (FS_PFO | FS_PPF), FS_PFO | FS_PPF,
		     "FSTS 0x%x", vt_rd32(&g, R_FSTS));
	cr_assert_eq(vt_stat(&g, IOMMU_STAT_FAULTS_LOST) - lost0, 2);
	cr_assert_eq(vt_stat(&g, IOMMU_STAT_FAULTS) - rec0, 2);
	/* many more: nothing grows, every one is counted */
	m0 = mallinfo2();
	for (i = 0; i < 2000; i++)
		cr_assert_eq(
		    vt_tr(&g, vt_sid(i), NP, 0x1000000 + PG * i, W, NULL),
		    -EFAULT);
	m1 = mallinfo2();
	cr_assert(m1.uordblks <= m0.uordblks + 4096,
		  "heap grew by %zu bytes over 2000 lost faults",
		  m1.uordblks - m0.uordblks);
	cr_assert_eq(vt_stat(&g, IOMMU_STAT_FAULTS_LOST) - lost0, 2002);
	/* the two records are the first two faults, untouched */
	cr_assert(vt_fault_pop(&g, &f));
	cr_assert_eq(f.sid, SID_A);
	cr_assert_eq(f.fi, 0x1000);
	cr_assert(vt_fault_pop(&g, &f));
	cr_assert_eq(f.sid, SID_B);
	cr_assert(!vt_fault_pop(&g, &f));
	/* PFO stays until written 1; faults are still dropped meanwhile */
	cr_assert_eq(vt_rd32(&g, R_FSTS) & (FS_PFO | FS_PPF), FS_PFO);
	cr_assert_eq(vt_tr(&g, SID_E, NP, 0x5000, R, NULL), -EFAULT);
	cr_assert(!vt_fault_pop(&g, &f), "recorded while PFO was set");
	vt_wr(&g, R_FSTS, 4, FS_PFO);
	cr_assert_eq(vt_rd32(&g, R_FSTS) & FS_PFO, 0, "PFO is RW1C");
	vt_tr_fault(&g, SID_E, NP, 0x6000, R, FR_READ);
	vt_destroy(&g);
}

Test(guest_legacy, fault_event_interrupt_and_mask)
{
	struct vt g;

	up(&g, NULL);
	map4k(&g, SID_A, 5, 0x100000, VT_DATA, SL_RW, NULL);
	/* IM = 1 (reset): IP instead of an interrupt */
	cr_assert_eq(vt_tr(&g, SID_A, NP, 0x1000, R, NULL), -EFAULT);
	cr_assert_eq(g.irqs, 0, "interrupt while FECTL.IM = 1");
	cr_assert(vt_rd32(&g, R_FECTL) & (1u << 30), "FECTL.IP not set");
	vt_fault_clear_all(&g);
	cr_assert_eq(vt_rd32(&g, R_FECTL) & (1u << 30), 0,
		     "FECTL.IP stays after FSTS cleared");
	/* IM = 0: the event is signalled */
	vt_wr(&g, R_FEDATA, 4, 0x41);
	vt_wr(&g, R_FEADDR, 4, 0xFEE00000u);
	vt_wr(&g, R_FECTL, 4, 0);
	cr_assert_eq(vt_tr(&g, SID_A, NP, 0x2000, R, NULL), -EFAULT);
	cr_assert_eq(g.irqs, 1, "%u interrupts for one fault", g.irqs);
	cr_assert_eq(vt_rd32(&g, R_FECTL) & (1u << 30), 0);
	vt_fault_expect(&g, SID_A, 0x2000, R, FR_READ);
	vt_destroy(&g);
}

/* ---- global command and status (2.4) ---------------------------------------
 */

/*
 * GCMD (2.4): software changes one command per write, keeping the other
 * persistent enables.  The model (hw.h header) applies a write that
 * changes exactly one command (TE or QIE toggled, SRTP or WBF set) and
 * ignores a write that changes more than one.
 */
Test(guest_legacy, gcmd_one_command_per_write)
{
	struct vt g;

	up(&g, NULL);
	map4k(&g, SID_A, 5, 0x100000, VT_DATA, SL_RW, NULL);
	cr_assert_eq(vt_rd32(&g, R_GCMD), 0, "GCMD reads back 0x%x",
		     vt_rd32(&g, R_GCMD));
	/* rewriting the same enables changes nothing */
	vt_wr(&g, R_GCMD, 4, G_TE | G_QIE);
	cr_assert_eq(vt_rd32(&g, R_GSTS) & (G_TE | G_QIE), G_TE | G_QIE);
	/* SRTP alone would also drop TE and QIE: three changes, ignored */
	vt_wr(&g, R_GCMD, 4, G_SRTP);
	cr_assert_eq(vt_rd32(&g, R_GSTS) & (G_TE | G_QIE), G_TE | G_QIE,
		     "GSTS 0x%x after a multi-command write",
		     vt_rd32(&g, R_GSTS));
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, VT_DATA);
	/* SRTP with the enables kept: one command */
	vt_wr(&g, R_GCMD, 4, G_TE | G_QIE | G_SRTP);
	cr_assert(vt_rd32(&g, R_GSTS) & G_SRTP, "RTPS after SRTP");
	cr_assert_eq(vt_rd32(&g, R_GSTS) & (G_TE | G_QIE), G_TE | G_QIE);
	/* TE off alone: applied; DMA is then not remapped */
	vt_wr(&g, R_GCMD, 4, G_QIE);
	cr_assert_eq(vt_rd32(&g, R_GSTS) & (G_TE | G_QIE), G_QIE,
		     "GSTS 0x%x after TE off", vt_rd32(&g, R_GSTS));
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, 0x100000);
	/* QIE off and TE on in one write: two changes, ignored */
	vt_wr(&g, R_GCMD, 4, G_TE);
	cr_assert_eq(vt_rd32(&g, R_GSTS) & (G_TE | G_QIE), G_QIE,
		     "GSTS 0x%x after a two-command write",
		     vt_rd32(&g, R_GSTS));
	/* back on, one bit per write */
	g.gcmd = G_QIE;
	vt_gcmd(&g, G_TE, true);
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, VT_DATA);
	vt_destroy(&g);
}

Test(guest_legacy, translation_disabled_is_not_remapped)
{
	struct vt g;

	vt_create(&g, false, NULL);
	cr_assert_eq(vt_rd32(&g, R_GSTS) & G_TE, 0);
	vt_tr_ok(&g, SID_A, NP, 0x123000, W, 0x123000);
	vt_no_fault(&g);
	vt_destroy(&g);
}

Test(guest_legacy, srtp_latches_rtaddr)
{
	struct vt g;
	uint64_t r1;

	up(&g, NULL);
	r1 = vt_ctx_sl(&g, SID_A, 5);
	vt_sl_map(&g, r1, 4, 0x1000, 1, enc_sl(VT_DATA, SL_RW));
	vt_tr_ok(&g, SID_A, NP, 0x1000, R, VT_DATA);
	/* writing RTADDR alone changes nothing until SRTP */
	vt_wr(&g, R_RTADDR, 8, 0x0F00000);
	vt_inv_cc_global(&g);
	vt_inv_iotlb_global(&g);
	vt_tr_ok(&g, SID_A, NP, 0x1000, R, VT_DATA);
	/* SRTP to an empty root table: root not present */
	vt_gcmd(&g, G_SRTP, true);
	vt_inv_cc_global(&g);
	vt_inv_iotlb_global(&g);
	vt_tr_fault(&g, SID_A, NP, 0x1000, R, FR_ROOT_NP);
	vt_destroy(&g);
}

Test(guest_legacy, register_based_invalidation_without_qi)
{
	struct vt g;
	uint64_t r1, leaf, v;
	int i;

	vt_create(&g, false, NULL);
	vt_set_root(&g, VT_ROOT);
	vt_gcmd(&g, G_TE, true);
	r1 = vt_ctx_sl(&g, SID_A, 5);
	leaf = vt_sl_map(&g, r1, 4, 0x1000, 1, enc_sl(VT_DATA, SL_RW));
	vt_tr_ok(&g, SID_A, NP, 0x1000, R, VT_DATA);
	vt_wr64(&g, leaf, enc_sl(VT_DATA + 0x3000, SL_RW));
	vt_tr_ok(&g, SID_A, NP, 0x1000, R, VT_DATA);
	/* CCMD global: ICC | CIRG 01 */
	vt_wr(&g, R_CCMD, 8, 1ull << 63 | 1ull << 61);
	for (i = 0; i < 100 && ((v = vt_rd64(&g, R_CCMD)) >> 63); i++)
		;
	cr_assert_eq(v >> 63, 0, "CCMD.ICC never cleared");
	cr_assert_eq(v >> 59 & 3, 1, "CAIG %llu", U(v >> 59 & 3));
	/* IOTLB page-selective: IVA then IOTLB_REG (IVT | IIRG 11 | DID 5) */
	vt_wr(&g, g.iro, 8, 0x1000);
	vt_wr(&g, g.iro + 8, 8, 1ull << 63 | 3ull << 60 | 5ull << 32);
	for (i = 0; i < 100 && ((v = vt_rd64(&g, g.iro + 8)) >> 63); i++)
		;
	cr_assert_eq(v >> 63, 0, "IOTLB_REG.IVT never cleared");
	cr_assert_neq(v >> 57 & 3, 0, "IAIG 00: the flush failed");
	vt_tr_ok(&g, SID_A, NP, 0x1000, R, VT_DATA + 0x3000);
	vt_destroy(&g);
}

/* ---- randomized ------------------------------------------------------------
 */

static uint64_t rnd(uint64_t *s)
{
	/* xorshift64* */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1Dull;
}

static uint64_t seed_of(const char *what)
{
	const char *env = getenv("VTD_TEST_SEED");
	uint64_t s = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);

	if (!s)
		s = 1;
	fprintf(stderr, "%s: seed %llu (set VTD_TEST_SEED to repeat)\n", what,
		U(s));
	cr_log_info("%s: seed %llu", what, U(s));
	return s;
}

Test(guest_legacy, random_mappings_translate_and_invalidate)
{
	struct vt g;
	uint64_t seed = seed_of("guest_legacy/random_mappings"), s = seed;
	uint64_t root, iova[128], pa[128], leaf[128];
	unsigned int i, n = 0;

	up(&g, NULL);
	root = vt_ctx_sl(&g, SID_A, 5);
	while (n < 128) {
		uint64_t v = (rnd(&s) & 0x0000FFFFFFFFF000ull);
		unsigned int j;

		for (j = 0; j < n && iova[j] != v; j++)
			;
		if (j < n)
			continue;
		iova[n] = v;
		pa[n] = VT_DATA + PG * (rnd(&s) % 4096);
		leaf[n] = vt_sl_map(&g, root, 4, v, 1,
				    enc_sl(pa[n], rnd(&s) & 1 ? SL_RW : SL_R));
		n++;
	}
	for (i = 0; i < 512; i++) {
		unsigned int k = rnd(&s) % n;
		uint64_t off = rnd(&s) & 0xffc;

		cr_assert_eq(vt_tr(&g, SID_A, NP, iova[k] + off, R, NULL), 0,
			     "seed %llu: mapping %u", U(seed), k);
		vt_tr_ok(&g, SID_A, NP, iova[k] + off, R, pa[k] + off);
	}
	/* move a random half; only the invalidated ones change */
	for (i = 0; i < n; i += 2) {
		/* cached now (a set-associative IOTLB may have evicted it) */
		vt_tr_ok(&g, SID_A, NP, iova[i], R, pa[i]);
		vt_wr64(&g, leaf[i], enc_sl(pa[i] + 0x1000000, SL_RW));
		vt_tr_ok(&g, SID_A, NP, iova[i], R, pa[i]);
		if (rnd(&s) & 1) {
			vt_inv_iotlb_page(&g, 5, iova[i], 0);
			pa[i] += 0x1000000;
		}
		vt_tr_ok(&g, SID_A, NP, iova[i], R, pa[i]);
	}
	vt_destroy(&g);
}

/* ---- caching mode (9.3)
 * -------------------------------------------------------- */

/*
 * With CAP.CM = 1 hardware may cache not-present entries.  The model does
 * (hw.h header): a not-present paging entry becomes a 4 KiB IOTLB entry
 * with the request's DID, a not-present root/context entry a context-cache
 * entry with DID 0; both fault again until invalidated.  With CM = 0
 * nothing negative is cached.
 */
Test(guest_legacy, caching_mode_caches_not_present_leaves)
{
	struct vt g;
	uint64_t root, leaf;

	up(&g, "caching_mode = yes");
	cr_assert(g.cap >> 7 & 1, "CAP.CM");
	root = vt_ctx_sl(&g, SID_A, 5);
	leaf = vt_sl_map(&g, root, 4, 0x100000, 1, 0);
	vt_tr_fault(&g, SID_A, NP, 0x100000, R, FR_READ);
	vt_wr64(&g, leaf, enc_sl(VT_DATA, SL_RW));
	/* the cached not-present result still faults */
	vt_tr_fault(&g, SID_A, NP, 0x100000, R, FR_READ);
	/* a wrong-DID invalidation does not help, the right one does */
	vt_inv_iotlb_page(&g, 6, 0x100000, 0);
	vt_tr_fault(&g, SID_A, NP, 0x100000, R, FR_READ);
	vt_inv_iotlb_page(&g, 5, 0x100000, 0);
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, VT_DATA);
	vt_destroy(&g);
}

Test(guest_legacy, caching_mode_caches_not_present_context_with_did_0)
{
	struct vt g;
	uint64_t root, e[2];

	up(&g, "caching_mode = yes");
	vt_ctx_sl(&g, SID_A, 5); /* root entry of bus 0 present */
	vt_tr_fault(&g, SID_B, NP, 0x1000, R, FR_CTX_NP);
	root = vt_page(&g, 0);
	vt_sl_map(&g, root, 4, 0x1000, 1, enc_sl(VT_DATA, SL_RW));
	enc_ctx(e, root, 0, 2, 6, false, true);
	vt_ctx_set(&g, SID_B, e);
	vt_tr_fault(&g, SID_B, NP, 0x1000, R, FR_CTX_NP);
	/* 9.6: device-selective with DID 0, then IOTLB DSI of the new DID */
	vt_inv_cc_dev(&g, 0, SID_B);
	vt_inv_iotlb_dom(&g, 6);
	vt_tr_ok(&g, SID_B, NP, 0x1000, R, VT_DATA);
	vt_destroy(&g);
}

Test(guest_legacy, no_caching_mode_caches_nothing_negative)
{
	struct vt g;
	uint64_t root, leaf, e[2];

	up(&g, "caching_mode = no");
	cr_assert_eq(g.cap >> 7 & 1, 0, "CAP.CM");
	root = vt_ctx_sl(&g, SID_A, 5);
	leaf = vt_sl_map(&g, root, 4, 0x100000, 1, 0);
	vt_tr_fault(&g, SID_A, NP, 0x100000, R, FR_READ);
	vt_wr64(&g, leaf, enc_sl(VT_DATA, SL_RW));
	vt_tr_ok(&g, SID_A, NP, 0x100000, R, VT_DATA);
	vt_tr_fault(&g, SID_B, NP, 0x1000, R, FR_CTX_NP);
	enc_ctx(e, root, 0, 2, 5, false, true);
	vt_ctx_set(&g, SID_B, e);
	vt_tr_ok(&g, SID_B, NP, 0x100000, W, VT_DATA);
	vt_destroy(&g);
}
