// SPDX-License-Identifier: MIT
/*
 * test_domains.c - the spec's UNMAP examples (sheet 2.3), the domain
 * lifecycle (6.1), and the translation rules (6.2, 6.3) with the fault
 * records they leave in the event queue (5).
 */
#include <string.h>

#include <criterion/criterion.h>

#include "vguest.h"

/* ---- UNMAP examples: units are 4 KiB pages ---------------------------- */

struct unmap_row {
	unsigned int nr;
	unsigned int map[2][2];   /* first and last page of a, b */
	unsigned int unmap[2];    /* first and last page to unmap */
	int status;
	bool removed[2];
};

static void run_unmap_row(const struct unmap_row *r)
{
	struct vg g;
	unsigned int i;

	vg_setup(&g, NULL);
	cr_assert_eq(vg_attach(&g, 1, VG_EP_A, 0), S_OK);
	for (i = 0; i < r->nr; i++)
		cr_assert_eq(vg_map(&g, 1, r->map[i][0] * PG,
				    (r->map[i][1] + 1) * PG - 1,
				    0x100000 + r->map[i][0] * PG, MAP_RW),
			     S_OK, "map %u", i);
	cr_assert_eq(vg_unmap(&g, 1, r->unmap[0] * PG,
			      (r->unmap[1] + 1) * PG - 1), r->status,
		     "unmap(%u,%u)", r->unmap[0], r->unmap[1]);
	for (i = 0; i < r->nr; i++) {
		unsigned int p;

		for (p = r->map[i][0]; p <= r->map[i][1]; p++) {
			struct iommu_translation t;
			int ret = vg_dma(&g, VG_EP_A, p * PG, 4,
					 IOMMU_ACCESS_READ, &t);

			if (r->removed[i]) {
				cr_assert_eq(ret, -EFAULT,
					     "page %u of %c still mapped", p,
					     'a' + i);
			} else {
				cr_assert_eq(ret, 0, "page %u of %c removed",
					     p, 'a' + i);
				cr_assert_eq(t.phys, 0x100000 + p * PG);
			}
		}
		/* what is gone can be mapped again; what stays cannot */
		cr_assert_eq(vg_map(&g, 1, r->map[i][0] * PG,
				    (r->map[i][1] + 1) * PG - 1, 0x100000,
				    MAP_R),
			     r->removed[i] ? S_OK : S_INVAL);
	}
	vg_teardown(&g);
}

Test(unmap_table, row1_unmap_empty_ok)
{
	struct unmap_row r = { 0, { { 0 } }, { 0, 4 }, S_OK, { false } };

	run_unmap_row(&r);
}

Test(unmap_table, row2_exact_removes_a)
{
	struct unmap_row r = { 1, { { 0, 9 } }, { 0, 9 }, S_OK, { true } };

	run_unmap_row(&r);
}

Test(unmap_table, row3_two_mappings_removed)
{
	struct unmap_row r = { 2, { { 0, 4 }, { 5, 9 } }, { 0, 9 }, S_OK,
			       { true, true } };

	run_unmap_row(&r);
}

Test(unmap_table, row4_split_fails_removes_nothing)
{
	struct unmap_row r = { 1, { { 0, 9 } }, { 0, 4 }, S_RANGE, { false } };

	run_unmap_row(&r);
}

Test(unmap_table, row5_removes_a_keeps_b)
{
	struct unmap_row r = { 2, { { 0, 4 }, { 5, 9 } }, { 0, 4 }, S_OK,
			       { true, false } };

	run_unmap_row(&r);
}

Test(unmap_table, row6_range_larger_than_mapping)
{
	struct unmap_row r = { 1, { { 0, 4 } }, { 0, 9 }, S_OK, { true } };

	run_unmap_row(&r);
}

Test(unmap_table, row7_hole_between_mappings)
{
	struct unmap_row r = { 2, { { 0, 4 }, { 10, 14 } }, { 0, 14 }, S_OK,
			       { true, true } };

	run_unmap_row(&r);
}

/* ---- domain lifecycle ------------------------------------------------- */

VG_TEST(lifecycle, last_detach_drops_domain_and_mappings)
{
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_map(&vg_g, 1, 0x1000, 0x1fff, 0x5000, MAP_R), S_OK);
	cr_assert_eq(vg_detach(&vg_g, 1, VG_EP_A), S_OK);
	cr_assert_eq(vg_map(&vg_g, 1, 0x1000, 0x1fff, 0x5000, MAP_R), S_NOENT,
		     "domain outlived its last endpoint");
	cr_assert_eq(vg_unmap(&vg_g, 1, 0x1000, 0x1fff), S_NOENT);
}

VG_TEST(lifecycle, reattach_sees_no_old_mappings)
{
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_map(&vg_g, 1, 0x1000, 0x1fff, 0x5000, MAP_R), S_OK);
	cr_assert_eq(vg_detach(&vg_g, 1, VG_EP_A), S_OK);
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_A, 0x1000, 4, IOMMU_ACCESS_READ, NULL),
		     -EFAULT, "old mapping survived the domain");
	cr_assert_eq(vg_map(&vg_g, 1, 0x1000, 0x1fff, 0x6000, MAP_R), S_OK);
}

VG_TEST(lifecycle, domain_id_reused_with_new_kind)
{
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_detach(&vg_g, 1, VG_EP_A), S_OK);
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, VIRTIO_IOMMU_ATTACH_F_BYPASS),
		     S_OK, "the ID of a vanished domain is free");
	cr_assert_eq(vg_map(&vg_g, 1, 0x1000, 0x1fff, 0x5000, MAP_R), S_INVAL,
		     "domain 1 is a bypass domain now");
}

VG_TEST(lifecycle, shared_domain_survives_one_detach)
{
	struct iommu_translation t;

	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_B, 0), S_OK);
	cr_assert_eq(vg_map(&vg_g, 1, 0x1000, 0x1fff, 0x5000, MAP_R), S_OK);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_A, 0x1000, 4, IOMMU_ACCESS_READ, &t),
		     0);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_B, 0x1000, 4, IOMMU_ACCESS_READ, &t),
		     0);
	cr_assert_eq(vg_detach(&vg_g, 1, VG_EP_A), S_OK);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_B, 0x1ffc, 4, IOMMU_ACCESS_READ, &t),
		     0, "B lost the shared mapping");
	cr_assert_eq(t.phys, 0x5ffcull);
	cr_assert_eq(vg_map(&vg_g, 1, 0x2000, 0x2fff, 0x5000, MAP_R), S_OK);
}

VG_TEST(lifecycle, implicit_detach_on_reattach)
{
	struct iommu_translation t;

	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_map(&vg_g, 1, 0x1000, 0x1fff, 0x5000, MAP_R), S_OK);
	cr_assert_eq(vg_attach(&vg_g, 2, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_map(&vg_g, 1, 0x1000, 0x1fff, 0x5000, MAP_R), S_NOENT,
		     "old domain kept after its last endpoint moved");
	cr_assert_eq(vg_dma(&vg_g, VG_EP_A, 0x1000, 4, IOMMU_ACCESS_READ, &t),
		     -EFAULT, "endpoint still reaches the old mappings");
	cr_assert_eq(vg_map(&vg_g, 2, 0x1000, 0x1fff, 0x7000, MAP_R), S_OK);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_A, 0x1000, 4, IOMMU_ACCESS_READ, &t),
		     0);
	cr_assert_eq(t.phys, 0x7000ull);
	cr_assert_eq(vg_detach(&vg_g, 1, VG_EP_A), S_INVAL);
	cr_assert_eq(vg_detach(&vg_g, 2, VG_EP_A), S_OK);
}

VG_TEST(lifecycle, implicit_detach_keeps_shared_old_domain)
{
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_B, 0), S_OK);
	cr_assert_eq(vg_map(&vg_g, 1, 0x1000, 0x1fff, 0x5000, MAP_R), S_OK);
	cr_assert_eq(vg_attach(&vg_g, 2, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_B, 0x1000, 4, IOMMU_ACCESS_READ, NULL),
		     0);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_A, 0x1000, 4, IOMMU_ACCESS_READ, NULL),
		     -EFAULT);
	cr_assert_eq(vg_detach(&vg_g, 1, VG_EP_B), S_OK);
}

VG_TEST(lifecycle, reattach_same_domain_ok)
{
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_map(&vg_g, 1, 0x1000, 0x1fff, 0x5000, MAP_R), S_OK);
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_A, 0x1000, 4, IOMMU_ACCESS_READ, NULL),
		     0, "re-ATTACH to the same domain dropped its mappings");
}

Test(lifecycle, device_reset_drops_all_domains)
{
	struct vg g;
	struct vg_opts o = vg_default_opts();
	uint8_t rec[24];
	struct vg_fault f;

	o.bypass = 0;
	vg_setup(&g, &o);
	cr_assert_eq(vg_attach(&g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_attach(&g, 2, VG_EP_B, VIRTIO_IOMMU_ATTACH_F_BYPASS),
		     S_OK);
	cr_assert_eq(vg_map(&g, 1, 0x1000, 0x1fff, 0x5000, MAP_R), S_OK);
	vg_init(&g, &g.opts); /* writes Status 0 first */
	cr_assert_eq(vg_cfg_bypass(&g), 0, "bypass must survive a reset");
	cr_assert_eq(vg_map(&g, 1, 0x1000, 0x1fff, 0x5000, MAP_R), S_NOENT);
	cr_assert_eq(vg_map(&g, 2, 0x1000, 0x1fff, 0x5000, MAP_R), S_NOENT);
	cr_assert_eq(vg_detach(&g, 1, VG_EP_A), S_INVAL);
	cr_assert_eq(vg_dma(&g, VG_EP_A, 0x1000, 4, IOMMU_ACCESS_READ, NULL),
		     -EFAULT);
	cr_assert(vg_evt_pop(&g, rec, NULL));
	vg_fault_decode(rec, &f);
	cr_assert_eq(f.reason, VIRTIO_IOMMU_FAULT_R_DOMAIN);
	cr_assert_eq(vg_dma(&g, VG_EP_B, 0x1000, 4, IOMMU_ACCESS_READ, NULL),
		     -EFAULT, "bypass domain survived the reset");
	vg_teardown(&g);
}

/* ---- translation (6.2, 6.3) ------------------------------------------ */

static void expect_fault(struct vg *g, uint32_t ep, uint64_t addr,
			 uint8_t reason, uint32_t access_flag)
{
	uint8_t rec[24];
	uint32_t len;
	struct vg_fault f;

	cr_assert(vg_evt_pop(g, rec, &len), "no fault report");
	cr_assert_eq(len, 24);
	vg_fault_decode(rec, &f);
	cr_assert(f.reserved_zero, "reserved bytes of the report not zero");
	cr_assert_eq(f.reason, reason, "reason %u, expected %u", f.reason,
		     reason);
	cr_assert_eq(f.ep, ep, "endpoint 0x%x", f.ep);
	cr_assert(f.flags & VIRTIO_IOMMU_FAULT_F_ADDRESS, "flags 0x%x",
		  f.flags);
	cr_assert_eq(f.addr, addr, "address 0x%llx",
		     (unsigned long long)f.addr);
	cr_assert_eq(f.flags & ~(uint32_t)(VIRTIO_IOMMU_FAULT_F_ADDRESS |
					   access_flag), 0,
		     "unexpected flags 0x%x", f.flags);
}

VG_TEST(translate, unattached_bypass_1_is_identity)
{
	struct iommu_translation t;

	cr_assert_eq(vg_cfg_bypass(&vg_g), 1, "boot bypass is 1");
	cr_assert_eq(vg_dma(&vg_g, VG_EP_A, 0x123456, 8, IOMMU_ACCESS_WRITE,
			    &t), 0);
	cr_assert_eq(t.phys, 0x123456ull);
	cr_assert(t.len >= 1 && t.len <= 8, "len %llu",
		  (unsigned long long)t.len);
	cr_assert_eq(t.perm & (IOMMU_READ | IOMMU_WRITE),
		     IOMMU_READ | IOMMU_WRITE);
	/* after a DETACH too */
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_detach(&vg_g, 1, VG_EP_A), S_OK);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_A, 0x2000, 4, IOMMU_ACCESS_READ, &t),
		     0);
	cr_assert_eq(t.phys, 0x2000ull);
}

Test(translate, unattached_bypass_0_faults_domain)
{
	struct vg g;
	struct vg_opts o = vg_default_opts();

	o.bypass = 0;
	vg_setup(&g, &o);
	cr_assert_eq(vg_cfg_bypass(&g), 0);
	cr_assert_eq(vg_dma(&g, VG_EP_A, 0x3000, 4, IOMMU_ACCESS_READ, NULL),
		     -EFAULT);
	expect_fault(&g, VG_EP_A, 0x3000, VIRTIO_IOMMU_FAULT_R_DOMAIN,
		     VIRTIO_IOMMU_FAULT_F_READ);
	/* after a DETACH the same (QEMU would say UNKNOWN before) */
	cr_assert_eq(vg_attach(&g, 1, VG_EP_B, 0), S_OK);
	cr_assert_eq(vg_detach(&g, 1, VG_EP_B), S_OK);
	cr_assert_eq(vg_dma(&g, VG_EP_B, 0x4000, 4, IOMMU_ACCESS_WRITE, NULL),
		     -EFAULT);
	expect_fault(&g, VG_EP_B, 0x4000, VIRTIO_IOMMU_FAULT_R_DOMAIN,
		     VIRTIO_IOMMU_FAULT_F_WRITE);
	vg_teardown(&g);
}

Test(translate, boot_bypass_off_blocks_before_driver)
{
	struct vg g;

	memset(&g, 0, sizeof(g));
	cr_assert_eq(vg_create_ctx(&g, "boot_bypass = no"), 0, "%s", g.err);
	/* no driver initialised the device: nothing attached, bypass 0 */
	cr_assert_eq(vg_cfg_bypass(&g), 0);
	cr_assert_eq(vg_dma(&g, VG_EP_A, 0x3000, 4, IOMMU_ACCESS_READ, NULL),
		     -EFAULT);
	vg_teardown(&g);
}

Test(translate, bypass_offered_not_negotiated_still_bypasses)
{
	struct vg g;
	struct vg_opts o = vg_default_opts();
	struct iommu_translation t;

	o.accept = ~(1ull << VIRTIO_IOMMU_F_BYPASS_CONFIG);
	vg_setup(&g, &o);
	cr_assert_eq(g.features & (1ull << VIRTIO_IOMMU_F_BYPASS_CONFIG), 0);
	cr_assert_eq(vg_dma(&g, VG_EP_A, 0x3000, 4, IOMMU_ACCESS_READ, &t), 0);
	cr_assert_eq(t.phys, 0x3000ull);
	vg_teardown(&g);
}

Test(translate, bypass_domain_is_identity_with_bypass_0)
{
	struct vg g;
	struct vg_opts o = vg_default_opts();
	struct iommu_translation t;

	o.bypass = 0;
	vg_setup(&g, &o);
	cr_assert_eq(vg_attach(&g, 7, VG_EP_A, VIRTIO_IOMMU_ATTACH_F_BYPASS),
		     S_OK);
	cr_assert_eq(vg_dma(&g, VG_EP_A, 0x1234000, 16, IOMMU_ACCESS_WRITE,
			    &t), 0);
	cr_assert_eq(t.phys, 0x1234000ull);
	cr_assert_eq(vg_dma(&g, VG_EP_A, 0x2345000, 16, IOMMU_ACCESS_READ, &t),
		     0);
	cr_assert_eq(t.phys, 0x2345000ull);
	vg_teardown(&g);
}

VG_TEST(translate, msi_window_is_an_interrupt_when_attached)
{
	struct iommu_translation t;

	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_A, 0xfee00004, 4, IOMMU_ACCESS_WRITE,
			    &t), IOMMU_DMA_INTERRUPT);
	cr_assert_eq(t.phys, 0xfee00004ull);
	cr_assert_eq(t.perm, 0u, "the MSI doorbell grants no memory access");
	cr_assert_eq(vg_dma(&vg_g, VG_EP_A, 0xfeeffffc, 4, IOMMU_ACCESS_READ,
			    &t), IOMMU_DMA_INTERRUPT);
	cr_assert_eq(t.phys, 0xfeeffffcull);
	cr_assert_eq(t.len, 4ull);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_A, 0xfef00000, 4, IOMMU_ACCESS_WRITE,
			    &t), -EFAULT, "just past the MSI window");
}

Test(translate, msi_window_is_an_interrupt_when_detached_bypass_0)
{
	struct vg g;
	struct vg_opts o = vg_default_opts();
	struct iommu_translation t;

	o.bypass = 0;
	vg_setup(&g, &o);
	cr_assert_eq(vg_attach(&g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_detach(&g, 1, VG_EP_A), S_OK);
	cr_assert_eq(vg_dma(&g, VG_EP_A, 0xfee00000, 4, IOMMU_ACCESS_WRITE, &t),
		     IOMMU_DMA_INTERRUPT, "spec 6.3 step 2 comes before step 3");
	cr_assert_eq(t.phys, 0xfee00000ull);
	cr_assert_eq(t.perm, 0u);
	vg_teardown(&g);
}

VG_TEST(translate, unmapped_faults_mapping)
{
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_map(&vg_g, 1, 0x10000, 0x10fff, 0x5000, MAP_RW), S_OK);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_A, 0x11000, 4, IOMMU_ACCESS_READ,
			    NULL), -EFAULT);
	expect_fault(&vg_g, VG_EP_A, 0x11000, VIRTIO_IOMMU_FAULT_R_MAPPING,
		     VIRTIO_IOMMU_FAULT_F_READ);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_A, 0xfffc, 4, IOMMU_ACCESS_WRITE,
			    NULL), -EFAULT, "just below the mapping");
	expect_fault(&vg_g, VG_EP_A, 0xfffc, VIRTIO_IOMMU_FAULT_R_MAPPING,
		     VIRTIO_IOMMU_FAULT_F_WRITE);
}

VG_TEST(translate, write_to_read_only_faults_with_write_flag)
{
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_B, 0), S_OK);
	cr_assert_eq(vg_map(&vg_g, 1, 0x20000, 0x20fff, 0x5000, MAP_R), S_OK);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_B, 0x20010, 4, IOMMU_ACCESS_READ,
			    NULL), 0);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_B, 0x20010, 4, IOMMU_ACCESS_WRITE,
			    NULL), -EFAULT);
	expect_fault(&vg_g, VG_EP_B, 0x20010, VIRTIO_IOMMU_FAULT_R_MAPPING,
		     VIRTIO_IOMMU_FAULT_F_WRITE);
	{
		uint8_t rec[24];

		vg_mem_rd(&vg_g, VG_EVT_BUF, rec, 24);
		cr_assert_eq(vio_le32(rec + 4),
			     VIRTIO_IOMMU_FAULT_F_WRITE |
				     VIRTIO_IOMMU_FAULT_F_ADDRESS,
			     "permission fault flags 0x%x", vio_le32(rec + 4));
	}
}

VG_TEST(translate, read_from_write_only_faults_with_read_flag)
{
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_B, 0), S_OK);
	cr_assert_eq(vg_map(&vg_g, 1, 0x20000, 0x20fff, 0x5000, MAP_W), S_OK);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_B, 0x20010, 4, IOMMU_ACCESS_WRITE,
			    NULL), 0);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_B, 0x20010, 4, IOMMU_ACCESS_READ,
			    NULL), -EFAULT);
	expect_fault(&vg_g, VG_EP_B, 0x20010, VIRTIO_IOMMU_FAULT_R_MAPPING,
		     VIRTIO_IOMMU_FAULT_F_READ);
}

/*
 * Spec 6.3 step 1 (unknown endpoint: fault UNKNOWN) cannot be reached
 * through the public API: the core refuses a DMA from a device it does
 * not know with -ENODEV before the model sees it.  So: no record, no
 * fault counted.  The model's UNKNOWN path is reached with a PASID, which
 * virtio-iommu does not have (hw.h decision).
 */
VG_TEST(translate, unknown_endpoint_refused_before_model)
{
	uint8_t rec[24];
	uint64_t f0 = vg_stat(&vg_g, IOMMU_STAT_FAULTS);

	cr_assert_eq(vg_dma(&vg_g, VG_EP_NONE, 0x1000, 4, IOMMU_ACCESS_READ,
			    NULL), -ENODEV);
	cr_assert(!vg_evt_pop(&vg_g, rec, NULL));
	cr_assert_eq(vg_stat(&vg_g, IOMMU_STAT_FAULTS), f0);
}

VG_TEST(translate, pasid_dma_faults_unknown)
{
	struct iommu_translation t;

	cr_assert_eq(iommu_dma_translate(vg_g.ctx, VG_EP_A, 1, 0x1000, 4,
					 IOMMU_ACCESS_READ, &t), -EFAULT,
		     "virtio-iommu has no PASIDs; even bypass must refuse");
	expect_fault(&vg_g, VG_EP_A, 0x1000, VIRTIO_IOMMU_FAULT_R_UNKNOWN,
		     VIRTIO_IOMMU_FAULT_F_READ);
}

VG_TEST(translate, output_address_and_length)
{
	struct iommu_translation t;

	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_map(&vg_g, 1, 0x10000, 0x1ffff, 0x300000, MAP_RW),
		     S_OK);
	cr_assert_eq(vg_map(&vg_g, 1, 0x20000, 0x20fff, 0x900000, MAP_R),
		     S_OK);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_A, 0x1f800, 0x1000, IOMMU_ACCESS_READ,
			    &t), 0);
	cr_assert_eq(t.phys, 0x30f800ull);
	cr_assert(t.len >= 1 && t.len <= 0x800,
		  "len %llu crosses the end of the mapping",
		  (unsigned long long)t.len);
	cr_assert_eq(t.perm & (IOMMU_READ | IOMMU_WRITE),
		     IOMMU_READ | IOMMU_WRITE);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_A, 0x20ffc, 4, IOMMU_ACCESS_READ, &t),
		     0);
	cr_assert_eq(t.phys, 0x900ffcull);
	cr_assert_eq(t.perm & (IOMMU_READ | IOMMU_WRITE), IOMMU_READ);
}

VG_TEST(translate, domains_are_isolated)
{
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_attach(&vg_g, 2, VG_EP_B, 0), S_OK);
	cr_assert_eq(vg_map(&vg_g, 1, 0x1000, 0x1fff, 0x5000, MAP_RW), S_OK);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_A, 0x1000, 4, IOMMU_ACCESS_READ, NULL),
		     0);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_B, 0x1000, 4, IOMMU_ACCESS_READ, NULL),
		     -EFAULT, "B reaches A's domain");
	expect_fault(&vg_g, VG_EP_B, 0x1000, VIRTIO_IOMMU_FAULT_R_MAPPING,
		     VIRTIO_IOMMU_FAULT_F_READ);
}

/*
 * Endpoints beyond the model's endpoint slots (plugins/virtio/hw.h, "The
 * state's readers": 64 slots by a hash of the ID): of 100 endpoints some
 * share a slot, and each must still reach its own domain, after others
 * moved or were removed and added again.
 */
#define MANY_EPS 100u
#define MANY_EP0 0x1000u

static uint64_t many_pa(uint32_t ep, uint32_t dom)
{
	return 0x1000000ull + ((uint64_t)(ep - MANY_EP0) * 4 + dom % 4) * PG;
}

static void many_check(uint32_t ep, uint32_t dom)
{
	struct iommu_translation t;
	int ret = vg_dma(&vg_g, ep, 0x7000, 4, IOMMU_ACCESS_READ, &t);

	cr_assert_eq(ret, 0, "endpoint 0x%x: %d", ep, ret);
	cr_assert_eq(t.phys, many_pa(ep, dom), "endpoint 0x%x: 0x%llx", ep,
		     (unsigned long long)t.phys);
}

/* Endpoint @ep onto a new domain @dom with its own page. */
static void many_attach(uint32_t ep, uint32_t dom)
{
	cr_assert_eq(vg_attach(&vg_g, dom, ep, 0), S_OK);
	cr_assert_eq(vg_map(&vg_g, dom, 0x7000, 0x7fff, many_pa(ep, dom),
			    MAP_RW),
		     S_OK);
}

VG_TEST(translate, endpoints_sharing_a_slot_keep_their_domains)
{
	struct iommu_dev_config cfg = { 0 };
	uint32_t i;

	for (i = 0; i < MANY_EPS; i++) {
		cfg.id = MANY_EP0 + i;
		cr_assert_eq(iommu_dev_add(vg_g.ctx, &cfg), 0);
		many_attach(MANY_EP0 + i, 100 + i);
	}
	for (i = 0; i < MANY_EPS; i++)
		many_check(MANY_EP0 + i, 100 + i);
	/* Every third moves to another new domain (its old one dies). */
	for (i = 0; i < MANY_EPS; i += 3)
		many_attach(MANY_EP0 + i, 1000 + i);
	for (i = 0; i < MANY_EPS; i++)
		many_check(MANY_EP0 + i, i % 3 ? 100 + i : 1000 + i);
	/* Every other one leaves (its domain dies) and comes back, the
	 * others unchanged; then it attaches again. */
	for (i = 0; i < MANY_EPS; i += 2)
		cr_assert_eq(iommu_dev_remove(vg_g.ctx, MANY_EP0 + i), 0);
	for (i = 0; i < MANY_EPS; i += 2) {
		cfg.id = MANY_EP0 + i;
		cr_assert_eq(iommu_dev_add(vg_g.ctx, &cfg), 0);
	}
	for (i = 1; i < MANY_EPS; i += 2)
		many_check(MANY_EP0 + i, i % 3 ? 100 + i : 1000 + i);
	for (i = 0; i < MANY_EPS; i += 2)
		many_attach(MANY_EP0 + i, 2000 + i);
	for (i = 0; i < MANY_EPS; i++)
		many_check(MANY_EP0 + i,
			   i % 2 == 0 ? 2000 + i : i % 3 ? 100 + i : 1000 + i);
}
