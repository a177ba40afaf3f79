// SPDX-License-Identifier: MIT
/*
 * test_status.c - every status the device answers (spec sheet 3.2 and the
 * model decisions in docs/architecture.md): OK, INVAL, RANGE, NOENT,
 * NOMEM, and used length 0 for unknown types.  Each failed request is
 * also checked for having had no effect.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "params.h"
#include "vguest.h"

static void setup_with(struct vg *g, const char *ini)
{
	struct vg_opts o = vg_default_opts();

	o.virtio_ini = ini;
	vg_setup(g, &o);
}

/* Is @ep attached to @domain?  Detach tells (and re-attach restores). */
static bool attached_to(struct vg *g, uint32_t domain, uint32_t ep,
			uint32_t flags)
{
	if (vg_detach(g, domain, ep) != S_OK)
		return false;
	cr_assert_eq(vg_attach(g, domain, ep, flags), S_OK);
	return true;
}

/* ---- OK and the basic INVAL cases ----------------------------------- */

VG_TEST(status, attach_detach_ok)
{
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_B, 0), S_OK);
	cr_assert_eq(vg_detach(&vg_g, 1, VG_EP_A), S_OK);
	cr_assert_eq(vg_detach(&vg_g, 1, VG_EP_B), S_OK);
}

VG_TEST(status, attach_reserved_nonzero_inval)
{
	uint8_t b[20];
	int i;

	for (i = 16; i < 20; i++) {
		vg_enc_attach(b, 1, VG_EP_A, 0);
		b[i] = 0x01;
		cr_assert_eq(vg_status(&vg_g, b, 20), S_INVAL,
			     "reserved byte %d", i);
	}
	cr_assert_eq(vg_detach(&vg_g, 1, VG_EP_A), S_INVAL,
		     "rejected ATTACH attached the endpoint");
	cr_assert_eq(vg_map(&vg_g, 1, 0, 0xfff, 0, MAP_R), S_NOENT,
		     "rejected ATTACH created the domain");
}

VG_TEST(status, attach_unknown_flags_inval)
{
	static const uint32_t flags[] = { 0x2, 0x4, 0x100, 0x80000000u, 0x3 };
	unsigned int i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, flags[i]), S_INVAL,
			     "flags 0x%x", flags[i]);
	cr_assert_eq(vg_map(&vg_g, 1, 0, 0xfff, 0, MAP_R), S_NOENT);
}

VG_TEST(status, head_reserved_ignored)
{
	uint8_t b[20];

	vg_enc_attach(b, 1, VG_EP_A, 0);
	b[1] = 0xff;
	b[2] = 0x5a;
	b[3] = 0x01;
	cr_assert_eq(vg_status(&vg_g, b, 20), S_OK);
	vg_enc_detach(b, 1, VG_EP_A);
	b[3] = 0x80;
	cr_assert_eq(vg_status(&vg_g, b, 20), S_OK);
}

VG_TEST(status, detach_reserved_ignored)
{
	uint8_t b[20];

	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	vg_enc_detach(b, 1, VG_EP_A);
	memset(b + 12, 0xa5, 8);
	cr_assert_eq(vg_status(&vg_g, b, 20), S_OK);
	cr_assert_eq(vg_detach(&vg_g, 1, VG_EP_A), S_INVAL);
}

VG_TEST(status, attach_bypass_mismatch_inval_no_side_effect)
{
	/* translated domain 1, then a bypass ATTACH to it */
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_attach(&vg_g, 3, VG_EP_B, 0), S_OK);
	cr_assert_eq(vg_map(&vg_g, 3, 0x4000, 0x4fff, 0x9000, MAP_R), S_OK);
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_B, VIRTIO_IOMMU_ATTACH_F_BYPASS),
		     S_INVAL);
	/* B still translates through domain 3 (a detach would have emptied
	 * and so destroyed it, mappings included) */
	cr_assert_eq(vg_dma(&vg_g, VG_EP_B, 0x4000, 4, IOMMU_ACCESS_READ, NULL),
		     0, "failed ATTACH moved B off domain 3");
	cr_assert_eq(vg_map(&vg_g, 3, 0x4000, 0x4fff, 0x9000, MAP_R), S_INVAL,
		     "domain 3 lost its mapping");
	cr_assert(attached_to(&vg_g, 1, VG_EP_A, 0));

	/* bypass domain 2, then a translated ATTACH to it */
	cr_assert_eq(vg_attach(&vg_g, 2, VG_EP_C, VIRTIO_IOMMU_ATTACH_F_BYPASS),
		     S_OK);
	cr_assert_eq(vg_attach(&vg_g, 2, VG_EP_D, 0), S_INVAL);
	cr_assert_eq(vg_detach(&vg_g, 2, VG_EP_D), S_INVAL);
	cr_assert_eq(vg_attach(&vg_g, 2, VG_EP_D,
			       VIRTIO_IOMMU_ATTACH_F_BYPASS), S_OK);
}

VG_TEST(status, detach_not_attached_inval)
{
	cr_assert_eq(vg_detach(&vg_g, 1, VG_EP_A), S_INVAL, "never attached");
	cr_assert_eq(vg_attach(&vg_g, 2, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_B, 0), S_OK);
	cr_assert_eq(vg_detach(&vg_g, 1, VG_EP_A), S_INVAL,
		     "attached to another domain");
	cr_assert(attached_to(&vg_g, 2, VG_EP_A, 0),
		  "rejected DETACH detached the endpoint");
	cr_assert_eq(vg_detach(&vg_g, 2, VG_EP_A), S_OK);
	cr_assert_eq(vg_detach(&vg_g, 2, VG_EP_A), S_INVAL, "detached twice");
}

/* ---- MAP ------------------------------------------------------------ */

VG_TEST(status, map_overlap_inval_every_shape)
{
	struct iommu_translation t;
	static const uint64_t r[][2] = {
		{ 0x10000, 0x1ffff }, /* identical */
		{ 0xf000, 0x10fff },  /* partial, low end */
		{ 0x1f000, 0x20fff }, /* partial, high end */
		{ 0x11000, 0x11fff }, /* inside */
		{ 0xf000, 0x20fff },  /* containing */
	};
	unsigned int i;

	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_map(&vg_g, 1, 0x10000, 0x1ffff, 0x200000, MAP_RW),
		     S_OK);
	for (i = 0; i < 5; i++)
		cr_assert_eq(vg_map(&vg_g, 1, r[i][0], r[i][1], 0x400000, MAP_R),
			     S_INVAL, "overlap %u", i);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_A, 0x1f000, 4, IOMMU_ACCESS_WRITE, &t),
		     0);
	cr_assert_eq(t.phys, 0x20f000ull, "mapping changed by a rejected MAP");
	cr_assert_eq(vg_dma(&vg_g, VG_EP_A, 0xf000, 4, IOMMU_ACCESS_READ, &t),
		     -EFAULT, "rejected MAP left a partial mapping");
	cr_assert_eq(vg_map(&vg_g, 1, 0xf000, 0xffff, 0x400000, MAP_R), S_OK,
		     "adjacent below");
	cr_assert_eq(vg_map(&vg_g, 1, 0x20000, 0x20fff, 0x400000, MAP_R), S_OK,
		     "adjacent above");
}

VG_TEST(status, map_unknown_flags_inval)
{
	static const uint32_t flags[] = { 0x8, 0x9, 0x10, 0x80000000u };
	unsigned int i;

	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	for (i = 0; i < 4; i++)
		cr_assert_eq(vg_map(&vg_g, 1, 0x1000, 0x1fff, 0x1000, flags[i]),
			     S_INVAL, "flags 0x%x", flags[i]);
	cr_assert_eq(vg_map(&vg_g, 1, 0x1000, 0x1fff, 0x1000, MAP_R), S_OK,
		     "a rejected MAP left a mapping");
}

VG_TEST(status, map_mmio_flag_ok_when_negotiated)
{
	cr_assert(vg_g.features & (1ull << VIRTIO_IOMMU_F_MMIO));
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_map(&vg_g, 1, 0x1000, 0x1fff, 0x1000,
			    MAP_RW | VIRTIO_IOMMU_MAP_F_MMIO), S_OK);
}

VG_TEST(status, map_end_before_start_inval)
{
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_map(&vg_g, 1, 0x2000, 0xfff, 0x2000, MAP_R), S_INVAL);
	cr_assert_eq(vg_map(&vg_g, 1, 0x0, 0xfff, 0x2000, MAP_R), S_OK,
		     "rejected MAP left a mapping");
}

Test(status, map_end_equal_start_inval)
{
	struct vg g;

	/* 1-byte granule: virt_end == virt_start is aligned, still invalid */
	setup_with(&g, "page_size_mask = 0xffffffffffffffff");
	cr_assert_eq(vg_attach(&g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_map(&g, 1, 0x2000, 0x2000, 0x2000, MAP_R), S_INVAL);
	cr_assert_eq(vg_map(&g, 1, 0x2000, 0x2001, 0x2000, MAP_R), S_OK);
	vg_teardown(&g);
}

VG_TEST(status, map_on_bypass_domain_inval)
{
	cr_assert_eq(vg_attach(&vg_g, 5, VG_EP_A, VIRTIO_IOMMU_ATTACH_F_BYPASS),
		     S_OK);
	cr_assert_eq(vg_map(&vg_g, 5, 0x1000, 0x1fff, 0x1000, MAP_R), S_INVAL);
}

VG_TEST(status, unmap_on_bypass_domain_inval)
{
	cr_assert_eq(vg_attach(&vg_g, 5, VG_EP_A, VIRTIO_IOMMU_ATTACH_F_BYPASS),
		     S_OK);
	cr_assert_eq(vg_unmap(&vg_g, 5, 0x1000, 0x1fff), S_INVAL);
}

VG_TEST(status, map_over_resv_mem_inval)
{
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_map(&vg_g, 1, 0xfee00000, 0xfee00fff, 0x1000, MAP_RW),
		     S_INVAL, "inside the MSI window");
	cr_assert_eq(vg_map(&vg_g, 1, 0xfed00000, 0xfee00fff, 0x1000, MAP_RW),
		     S_INVAL, "reaching into the MSI window");
	cr_assert_eq(vg_map(&vg_g, 1, 0xfeeff000, 0xfef00fff, 0x1000, MAP_RW),
		     S_INVAL, "reaching out of the MSI window");
	cr_assert_eq(vg_map(&vg_g, 1, 0xfe000000, 0xffffffff, 0x1000, MAP_RW),
		     S_INVAL, "containing the MSI window");
	cr_assert_eq(vg_map(&vg_g, 1, 0xfedff000, 0xfedfffff, 0x1000, MAP_RW),
		     S_OK, "just below the window");
	cr_assert_eq(vg_map(&vg_g, 1, 0xfef00000, 0xfef00fff, 0x1000, MAP_RW),
		     S_OK, "just above the window");
}

VG_TEST(status, map_misaligned_range)
{
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_map(&vg_g, 1, 0x1800, 0x27ff, 0x2000, MAP_R), S_RANGE,
		     "virt_start");
	cr_assert_eq(vg_map(&vg_g, 1, 0x1000, 0x1fff, 0x2800, MAP_R), S_RANGE,
		     "phys_start");
	cr_assert_eq(vg_map(&vg_g, 1, 0x1000, 0x1ffe, 0x2000, MAP_R), S_RANGE,
		     "virt_end + 1");
	cr_assert_eq(vg_map(&vg_g, 1, 0x1000, 0x1fff, 0x2000, MAP_R), S_OK,
		     "a rejected MAP left a mapping");
}

Test(status, map_outside_input_range)
{
	struct vg g;

	setup_with(&g, "input_start = 0x10000\ninput_end = 0xffffffff");
	cr_assert_eq(vg_rd(&g, VMMIO_CONFIG + VIOMMU_CFG_INPUT_START, 8),
		     0x10000);
	cr_assert_eq(vg_rd(&g, VMMIO_CONFIG + VIOMMU_CFG_INPUT_END, 8),
		     0xffffffff);
	cr_assert_eq(vg_attach(&g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_map(&g, 1, 0x100000000ull, 0x100000fffull, 0, MAP_R),
		     S_RANGE, "above");
	cr_assert_eq(vg_map(&g, 1, 0xfffff000, 0x100000fffull, 0, MAP_R),
		     S_RANGE, "crossing the end");
	cr_assert_eq(vg_map(&g, 1, 0xf000, 0x10fff, 0, MAP_R), S_RANGE,
		     "crossing the start");
	cr_assert_eq(vg_map(&g, 1, 0x0, 0xfff, 0, MAP_R), S_RANGE, "below");
	cr_assert_eq(vg_map(&g, 1, 0xfffff000, 0xffffffff, 0, MAP_R), S_OK,
		     "last page");
	cr_assert_eq(vg_map(&g, 1, 0x10000, 0x10fff, 0, MAP_R), S_OK,
		     "first page");
	vg_teardown(&g);
}

Test(status, domain_outside_domain_range)
{
	struct vg g;

	setup_with(&g, "domain_start = 10\ndomain_end = 20");
	cr_assert_eq(vg_rd32(&g, VMMIO_CONFIG + VIOMMU_CFG_DOMAIN_START), 10);
	cr_assert_eq(vg_rd32(&g, VMMIO_CONFIG + VIOMMU_CFG_DOMAIN_END), 20);
	cr_assert_eq(vg_attach(&g, 9, VG_EP_A, 0), S_RANGE);
	cr_assert_eq(vg_attach(&g, 21, VG_EP_A, 0), S_RANGE);
	cr_assert_eq(vg_attach(&g, 0xffffffff, VG_EP_A, 0), S_RANGE);
	cr_assert_eq(vg_detach(&g, 10, VG_EP_A), S_INVAL,
		     "rejected ATTACH attached");
	cr_assert_eq(vg_attach(&g, 10, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_attach(&g, 20, VG_EP_B, 0), S_OK);
	vg_teardown(&g);
}

/* ---- UNMAP ---------------------------------------------------------- */

VG_TEST(status, unmap_split_range_removes_nothing)
{
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	/* a = pages 0..4, b = pages 5..14; unmap 0..9 would split b */
	cr_assert_eq(vg_map(&vg_g, 1, 0, 5 * PG - 1, 0x100000, MAP_R), S_OK);
	cr_assert_eq(vg_map(&vg_g, 1, 5 * PG, 15 * PG - 1, 0x200000, MAP_R),
		     S_OK);
	cr_assert_eq(vg_unmap(&vg_g, 1, 0, 10 * PG - 1), S_RANGE);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_A, 0, 4, IOMMU_ACCESS_READ, NULL), 0,
		     "UNMAP answered RANGE but removed a");
	cr_assert_eq(vg_dma(&vg_g, VG_EP_A, 14 * PG, 4, IOMMU_ACCESS_READ,
			    NULL), 0, "UNMAP answered RANGE but removed b");
	/* cut at the start of a mapping too */
	cr_assert_eq(vg_unmap(&vg_g, 1, 6 * PG, 20 * PG - 1), S_RANGE);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_A, 5 * PG, 4, IOMMU_ACCESS_READ, NULL),
		     0);
}

/* ---- NOENT ---------------------------------------------------------- */

VG_TEST(status, attach_unknown_endpoint_noent)
{
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_NONE, 0), S_NOENT);
	cr_assert_eq(vg_map(&vg_g, 1, 0, 0xfff, 0, MAP_R), S_NOENT,
		     "rejected ATTACH created the domain");
}

VG_TEST(status, endpoint_above_16_bits_not_aliased)
{
	/* QEMU aliases 0x10010 to 0x10; the spec says it does not exist */
	cr_assert_eq(vg_attach(&vg_g, 1, 0x10000u | VG_EP_B, 0), S_NOENT);
	cr_assert_eq(vg_probe(&vg_g, 0x10000u | VG_EP_B, NULL, NULL), S_NOENT);
	cr_assert_eq(vg_detach(&vg_g, 1, VG_EP_B), S_INVAL,
		     "the alias attached endpoint 0x10");
}

VG_TEST(status, detach_unknown_endpoint_noent)
{
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_detach(&vg_g, 1, VG_EP_NONE), S_NOENT);
}

VG_TEST(status, probe_unknown_endpoint_noent)
{
	uint8_t props[4096], zero[512] = { 0 };
	uint32_t len;

	cr_assert_eq(vg_probe(&vg_g, VG_EP_NONE, props, &len), S_NOENT);
	cr_assert_eq(len, vg_g.probe_size + 4);
	vg_assert_bytes(props, zero, 512, "properties of a NOENT PROBE");
}

VG_TEST(status, map_unmap_unknown_domain_noent)
{
	cr_assert_eq(vg_map(&vg_g, 42, 0x1000, 0x1fff, 0x1000, MAP_R), S_NOENT);
	cr_assert_eq(vg_unmap(&vg_g, 42, 0x1000, 0x1fff), S_NOENT);
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_map(&vg_g, 42, 0x1000, 0x1fff, 0x1000, MAP_R), S_NOENT);
}

/* ---- unknown types, short requests ---------------------------------- */

VG_TEST(status, unknown_type_used_len_zero)
{
	static const uint8_t types[] = { 0, 6, 0x7f, 0xff };
	uint8_t b[36], tail[4];
	uint32_t len;
	unsigned int i;

	for (i = 0; i < sizeof(types); i++) {
		memset(b, 0, sizeof(b));
		b[0] = types[i];
		cr_assert(vg_req(&vg_g, b, sizeof(b), tail, 4, &len),
			     "type %u not returned", types[i]);
		cr_assert_eq(len, 0, "type %u: used len %u", types[i], len);
		cr_assert_eq(tail[0], VG_POISON, "type %u: tail written",
			     types[i]);
	}
	vg_assert_alive(&vg_g, false);
}

VG_TEST(status, short_request_inval)
{
	uint8_t b[72];
	uint8_t wr[600];
	uint32_t len;

	vg_enc_attach(b, 1, VG_EP_A, 0);
	cr_assert_eq(vg_status(&vg_g, b, 12), S_INVAL, "ATTACH of 12 bytes");
	cr_assert_eq(vg_status(&vg_g, b, 19), S_INVAL, "ATTACH of 19 bytes");
	cr_assert_eq(vg_detach(&vg_g, 1, VG_EP_A), S_INVAL,
		     "short ATTACH attached");
	vg_enc_detach(b, 1, VG_EP_A);
	cr_assert_eq(vg_status(&vg_g, b, 8), S_INVAL, "DETACH of 8 bytes");
	vg_enc_map(b, 1, 0x1000, 0x1fff, 0, MAP_R);
	cr_assert_eq(vg_status(&vg_g, b, 32), S_INVAL, "MAP of 32 bytes");
	vg_enc_unmap(b, 1, 0x1000, 0x1fff);
	cr_assert_eq(vg_status(&vg_g, b, 20), S_INVAL, "UNMAP of 20 bytes");
	b[0] = VIRTIO_IOMMU_T_ATTACH;
	cr_assert_eq(vg_status(&vg_g, b, 4), S_INVAL, "head only");
	vg_enc_probe(b, VG_EP_A);
	cr_assert(vg_req(&vg_g, b, 40, wr, vg_g.probe_size + 4, &len));
	cr_assert_eq(len, vg_g.probe_size + 4, "short PROBE used len %u", len);
	cr_assert_eq(wr[vg_g.probe_size], S_INVAL, "short PROBE status %u",
		     wr[vg_g.probe_size]);
}

VG_TEST(status, extra_readable_bytes_ignored)
{
	uint8_t b[64];

	memset(b, 0x5a, sizeof(b));
	vg_enc_attach(b, 1, VG_EP_A, 0);
	cr_assert_eq(vg_status(&vg_g, b, sizeof(b)), S_OK);
}

/* ---- PROBE variants ------------------------------------------------- */

Test(status, probe_properties_do_not_fit_inval)
{
	struct vg g;
	uint8_t props[4096], zero[8] = { 0 };
	uint32_t len;

	setup_with(&g, "probe_size = 8");
	cr_assert_eq(g.probe_size, 8);
	cr_assert_eq(vg_probe(&g, VG_EP_A, props, &len), S_INVAL);
	cr_assert_eq(len, 12);
	vg_assert_bytes(props, zero, 8, "no property may be written");
	vg_teardown(&g);
}

Test(status, probe_exact_fit_ok)
{
	struct vg g;
	uint8_t props[4096], exp[24];

	setup_with(&g, "probe_size = 24");
	cr_assert_eq(vg_probe(&g, VG_EP_A, props, NULL), S_OK);
	vg_hex("01 00 14 00 01 00 00 00 00 00 e0 fe 00 00 00 00 ff ff ef fe "
	       "00 00 00 00", exp, 24);
	vg_assert_bytes(props, exp, 24, "RESV_MEM in a 24-byte probe_size");
	vg_teardown(&g);
}

Test(status, probe_without_msi_region_all_zero)
{
	struct vg g;
	uint8_t props[4096], zero[512] = { 0 };

	setup_with(&g, "msi_size = 0");
	cr_assert_eq(vg_probe(&g, VG_EP_A, props, NULL), S_OK);
	vg_assert_bytes(props, zero, 512, "properties without an MSI region");
	cr_assert_eq(vg_attach(&g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_map(&g, 1, 0xfee00000, 0xfee00fff, 0x1000, MAP_RW),
		     S_OK, "no RESV_MEM, nothing to refuse");
	vg_teardown(&g);
}

Test(status, probe_custom_msi_region)
{
	struct vg g;
	uint8_t props[4096], exp[24];

	setup_with(&g, "msi_base = 0x8000000\nmsi_size = 0x100000");
	cr_assert_eq(vg_probe(&g, VG_EP_B, props, NULL), S_OK);
	vg_hex("01 00 14 00 01 00 00 00 00 00 00 08 00 00 00 00 ff ff 0f 08 "
	       "00 00 00 00", exp, 24);
	vg_assert_bytes(props, exp, 24, "RESV_MEM 0x8000000..0x80fffff");
	cr_assert_eq(props[24] | props[25] | props[26] | props[27], 0);
	vg_teardown(&g);
}

Test(status, probe_not_offered_used_len_zero)
{
	struct vg g;
	uint8_t b[72], wr[516];
	uint32_t len;
	char ini[128];

	snprintf(ini, sizeof(ini), "features = 0x%llx",
		 (unsigned long long)(VIOMMU_DEFAULT_FEATURES &
				      ~(1ull << VIRTIO_IOMMU_F_PROBE)));
	setup_with(&g, ini);
	cr_assert_eq(g.dev_features & (1ull << VIRTIO_IOMMU_F_PROBE), 0);
	vg_enc_probe(b, VG_EP_A);
	cr_assert(vg_req(&g, b, 72, wr, sizeof(wr), &len));
	cr_assert_eq(len, 0, "PROBE without F_PROBE: used len %u", len);
	vg_teardown(&g);
}

Test(status, map_unmap_not_negotiated_used_len_zero)
{
	struct vg g;
	struct vg_opts o = vg_default_opts();
	uint8_t b[36];

	o.accept = ~(1ull << VIRTIO_IOMMU_F_MAP_UNMAP);
	vg_setup(&g, &o);
	cr_assert_eq(vg_attach(&g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_map(&g, 1, 0x1000, 0x1fff, 0x1000, MAP_R), VG_LEN0,
		     "MAP served without MAP_UNMAP (hw.c: unknown type)");
	cr_assert_eq(vg_status(&g, b, vg_enc_unmap(b, 1, 0x1000, 0x1fff)),
		     VG_LEN0);
	cr_assert_eq(vg_dma(&g, VG_EP_A, 0x1000, 4, IOMMU_ACCESS_READ, NULL),
		     -EFAULT, "the refused MAP mapped");
	vg_teardown(&g);
}

VG_TEST(status, unmap_end_before_start_inval)
{
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_map(&vg_g, 1, 0x1000, 0x1fff, 0x1000, MAP_R), S_OK);
	cr_assert_eq(vg_unmap(&vg_g, 1, 0x2000, 0x0fff), S_INVAL);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_A, 0x1000, 4, IOMMU_ACCESS_READ, NULL),
		     0);
}

VG_TEST(status, map_phys_wrapping_past_2_64_range)
{
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_map(&vg_g, 1, 0x1000, 0x2fff, 0xfffffffffffff000ull,
			    MAP_R), S_RANGE);
	cr_assert_eq(vg_map(&vg_g, 1, 0x1000, 0x1fff, 0xfffffffffffff000ull,
			    MAP_R), S_OK, "the last page is mappable");
}

VG_TEST(status, map_last_page_of_input_range)
{
	struct iommu_translation t;

	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_map(&vg_g, 1, 0xfffffffffffff000ull, UINT64_MAX,
			    0x7000, MAP_RW), S_OK);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_A, UINT64_MAX - 3, 4,
			    IOMMU_ACCESS_WRITE, &t), 0);
	cr_assert_eq(t.phys, 0x7ffcull);
	cr_assert_eq(vg_unmap(&vg_g, 1, 0xfffffffffffff000ull, UINT64_MAX),
		     S_OK);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_A, UINT64_MAX - 3, 4,
			    IOMMU_ACCESS_WRITE, &t), -EFAULT);
}

/* ---- NOMEM ---------------------------------------------------------- */

Test(status, max_domains_nomem)
{
	struct vg g;

	setup_with(&g, "max_domains = 2");
	cr_assert_eq(vg_attach(&g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_attach(&g, 2, VG_EP_B, 0), S_OK);
	cr_assert_eq(vg_attach(&g, 3, VG_EP_C, 0), S_NOMEM);
	cr_assert_eq(vg_detach(&g, 3, VG_EP_C), S_INVAL,
		     "NOMEM ATTACH attached");
	cr_assert_eq(vg_attach(&g, 1, VG_EP_C, 0), S_OK,
		     "joining an existing domain needs no new domain");
	cr_assert_eq(vg_detach(&g, 2, VG_EP_B), S_OK);
	cr_assert_eq(vg_attach(&g, 3, VG_EP_D, 0), S_OK,
		     "domain 2 was freed, room for domain 3");
	vg_teardown(&g);
}

Test(status, max_mappings_nomem)
{
	struct vg g;

	setup_with(&g, "max_mappings = 3");
	cr_assert_eq(vg_attach(&g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_attach(&g, 2, VG_EP_B, 0), S_OK);
	cr_assert_eq(vg_map(&g, 1, 0x1000, 0x1fff, 0x1000, MAP_R), S_OK);
	cr_assert_eq(vg_map(&g, 1, 0x2000, 0x2fff, 0x1000, MAP_R), S_OK);
	cr_assert_eq(vg_map(&g, 2, 0x1000, 0x1fff, 0x1000, MAP_R), S_OK);
	cr_assert_eq(vg_map(&g, 2, 0x2000, 0x2fff, 0x1000, MAP_R), S_NOMEM,
		     "the cap counts mappings of all domains");
	cr_assert_eq(vg_dma(&g, VG_EP_B, 0x2000, 4, IOMMU_ACCESS_READ, NULL),
		     -EFAULT, "NOMEM MAP left a mapping");
	cr_assert_eq(vg_unmap(&g, 1, 0x1000, 0x1fff), S_OK);
	cr_assert_eq(vg_map(&g, 2, 0x2000, 0x2fff, 0x1000, MAP_R), S_OK);
	/* a domain that disappears gives its mappings back */
	cr_assert_eq(vg_detach(&g, 2, VG_EP_B), S_OK);
	cr_assert_eq(vg_map(&g, 1, 0x4000, 0x4fff, 0x1000, MAP_R), S_OK);
	cr_assert_eq(vg_map(&g, 1, 0x5000, 0x5fff, 0x1000, MAP_R), S_OK);
	vg_teardown(&g);
}
