// SPDX-License-Identifier: MIT
/*
 * test_vectors.c - spec sheet section 9: the request encodings V1-V7 built
 * by the test's own encoder, then what the device model answers (V1t,
 * V4t, V8, V9, V10, V11-V14 ring bytes, V15 sizes, V16 interrupts, V17).
 */
#include <string.h>

#include <criterion/criterion.h>

#include "vguest.h"

#define V1 "01 00 00 00 01 00 00 00 08 00 00 00 00 00 00 00 00 00 00 00"
#define V2 "01 00 00 00 02 00 00 00 10 00 00 00 01 00 00 00 00 00 00 00"
#define V3 "02 00 00 00 01 00 00 00 08 00 00 00 00 00 00 00 00 00 00 00"
#define V4 "03 00 00 00 01 00 00 00 00 10 00 00 00 00 00 00 ff 1f 00 00 " \
	   "00 00 00 00 00 a0 00 00 00 00 00 00 01 00 00 00"
#define V5 "03 00 00 00 01 00 00 00 00 00 10 00 00 00 00 00 ff ff 10 00 " \
	   "00 00 00 00 00 00 00 80 00 00 00 00 03 00 00 00"
#define V6 "04 00 00 00 01 00 00 00 00 10 00 00 00 00 00 00 ff 1f 00 00 " \
	   "00 00 00 00 00 00 00 00"
#define V7 "05 00 00 00 08 00 00 00"
#define V8 "01 00 14 00 01 00 00 00 00 00 e0 fe 00 00 00 00 ff ff ef fe " \
	   "00 00 00 00"
#define V9 "02 00 00 00 02 01 00 00 10 00 00 00 00 00 00 00 00 d0 ea 0d " \
	   "00 00 00 00"
#define V10 "00 f0 ff ff ff ff ff ff 00 00 00 00 00 00 00 00 ff ff ff ff " \
	    "ff ff ff ff 00 00 00 00 ff ff ff ff 00 02 00 00 01 00 00 00"
#define V11 "00 00 01 00 00 00 00 00 24 00 00 00 01 00 01 00"
#define V12 "24 00 01 00 00 00 00 00 04 00 00 00 02 00 00 00"
#define V13 "00 00 01 00 00 00"
#define V14 "00 00 01 00 00 00 00 00 04 00 00 00"

static void check_enc(const uint8_t *got, size_t got_len, const char *hex,
		      const char *what)
{
	uint8_t exp[128];
	size_t n = vg_hex(hex, exp, sizeof(exp));

	cr_assert_eq(got_len, n, "%s: size %zu, expected %zu", what, got_len,
		     n);
	vg_assert_bytes(got, exp, n, what);
}

/* ---- the encoder against the vectors -------------------------------- */

Test(vectors, v1_attach_encoding)
{
	uint8_t b[20];

	check_enc(b, vg_enc_attach(b, 1, 8, 0), V1, "V1");
}

Test(vectors, v2_attach_bypass_encoding)
{
	uint8_t b[20];

	check_enc(b, vg_enc_attach(b, 2, 0x10, VIRTIO_IOMMU_ATTACH_F_BYPASS),
		  V2, "V2");
}

Test(vectors, v3_detach_encoding)
{
	uint8_t b[20];

	check_enc(b, vg_enc_detach(b, 1, 8), V3, "V3");
}

Test(vectors, v4_map_encoding)
{
	uint8_t b[36];

	check_enc(b, vg_enc_map(b, 1, 0x1000, 0x1fff, 0xa000, MAP_R), V4,
		  "V4");
}

Test(vectors, v5_map_rw_encoding)
{
	uint8_t b[36];

	check_enc(b, vg_enc_map(b, 1, 0x100000, 0x10ffff, 0x80000000, MAP_RW),
		  V5, "V5");
}

Test(vectors, v6_unmap_encoding)
{
	uint8_t b[28];

	check_enc(b, vg_enc_unmap(b, 1, 0x1000, 0x1fff), V6, "V6");
}

Test(vectors, v7_probe_encoding)
{
	uint8_t b[72], zero[64] = { 0 };

	cr_assert_eq(vg_enc_probe(b, 8), 72);
	check_enc(b, 8, V7, "V7");
	vg_assert_bytes(b + 8, zero, 64, "V7 reserved");
}

Test(vectors, v11_v12_descriptor_encoding)
{
	uint8_t b[16];

	vg_enc_desc(b, 0x10000, 36, VRING_DESC_F_NEXT, 1);
	check_enc(b, 16, V11, "V11");
	vg_enc_desc(b, 0x10024, 4, VRING_DESC_F_WRITE, 0);
	check_enc(b, 16, V12, "V12");
}

Test(vectors, v15_ring_sizes)
{
	cr_assert_eq(vring_desc_bytes(4), 64);
	cr_assert_eq(vring_desc_bytes(256), 4096);
	cr_assert_eq(vring_avail_bytes(4), 14);
	cr_assert_eq(vring_avail_bytes(256), 518);
	cr_assert_eq(vring_used_bytes(4), 38);
	cr_assert_eq(vring_used_bytes(256), 2054);
}

Test(vectors, v16_event_index_formula)
{
	cr_assert(vring_need_event(0, 1, 0));
	cr_assert(vring_need_event(5, 7, 4));
	cr_assert(!vring_need_event(9, 7, 4));
}

Test(vectors, v17_request_sizes)
{
	cr_assert_eq(VIOMMU_ATTACH_RD_SIZE + VIOMMU_TAIL_SIZE, 24);
	cr_assert_eq(VIOMMU_DETACH_RD_SIZE + VIOMMU_TAIL_SIZE, 24);
	cr_assert_eq(VIOMMU_MAP_RD_SIZE + VIOMMU_TAIL_SIZE, 40);
	cr_assert_eq(VIOMMU_UNMAP_RD_SIZE + VIOMMU_TAIL_SIZE, 32);
	cr_assert_eq(VIOMMU_PROBE_RD_SIZE + 512 + VIOMMU_TAIL_SIZE, 588);
}

/* ---- the device's answers ------------------------------------------- */

VG_TEST(vectors, v1t_attach_tail_bytes)
{
	uint8_t rd[20], tail[4], exp[4];
	uint32_t len;

	vg_hex(V1, rd, sizeof(rd));
	cr_assert(vg_req(&vg_g, rd, 20, tail, 4, &len));
	cr_assert_eq(len, 4);
	vg_hex("00 00 00 00", exp, 4);
	vg_assert_bytes(tail, exp, 4, "V1t");
}

VG_TEST(vectors, v2_v3_served_ok)
{
	uint8_t rd[20];

	vg_hex(V2, rd, sizeof(rd));
	cr_assert_eq(vg_status(&vg_g, rd, 20), S_OK, "V2");
	vg_hex(V1, rd, sizeof(rd));
	cr_assert_eq(vg_status(&vg_g, rd, 20), S_OK, "V1");
	vg_hex(V3, rd, sizeof(rd));
	cr_assert_eq(vg_status(&vg_g, rd, 20), S_OK, "V3");
	/* V3 left domain 1 empty: it is gone. */
	cr_assert_eq(vg_map(&vg_g, 1, 0x1000, 0x1fff, 0xa000, MAP_R), S_NOENT);
}

VG_TEST(vectors, v4t_map_tails_noent_ok_inval)
{
	uint8_t rd[36], tail[4], exp[4];
	uint32_t len;

	vg_hex(V4, rd, sizeof(rd));
	cr_assert(vg_req(&vg_g, rd, 36, tail, 4, &len));
	cr_assert_eq(len, 4);
	vg_hex("06 00 00 00", exp, 4);
	vg_assert_bytes(tail, exp, 4, "V4t NOENT (no domain 1 yet)");

	cr_assert_eq(vg_attach(&vg_g, 1, 8, 0), S_OK);
	cr_assert(vg_req(&vg_g, rd, 36, tail, 4, &len));
	vg_hex("00 00 00 00", exp, 4);
	vg_assert_bytes(tail, exp, 4, "V4t OK");

	cr_assert(vg_req(&vg_g, rd, 36, tail, 4, &len));
	vg_hex("04 00 00 00", exp, 4);
	vg_assert_bytes(tail, exp, 4, "V4t INVAL (overlap)");
}

VG_TEST(vectors, v5_v6_served_ok)
{
	uint8_t rd[36];
	struct iommu_translation t;

	cr_assert_eq(vg_attach(&vg_g, 1, 8, 0), S_OK);
	vg_hex(V5, rd, sizeof(rd));
	cr_assert_eq(vg_status(&vg_g, rd, 36), S_OK, "V5");
	cr_assert_eq(vg_dma(&vg_g, 8, 0x100010, 4, IOMMU_ACCESS_WRITE, &t), 0);
	cr_assert_eq(t.phys, 0x80000010ull);
	vg_hex(V4, rd, sizeof(rd));
	cr_assert_eq(vg_status(&vg_g, rd, 36), S_OK, "V4");
	vg_hex(V6, rd, sizeof(rd));
	cr_assert_eq(vg_status(&vg_g, rd, 28), S_OK, "V6");
	cr_assert_eq(vg_dma(&vg_g, 8, 0x1000, 4, IOMMU_ACCESS_READ, &t),
		     -EFAULT, "V6 did not remove the V4 mapping");
}

VG_TEST(vectors, v8_probe_resv_mem_then_zeros)
{
	uint8_t props[4096], exp[512];
	uint32_t len;

	cr_assert_eq(vg_g.probe_size, 512);
	memset(exp, 0, sizeof(exp));
	vg_hex(V8, exp, 24);
	cr_assert_eq(vg_probe(&vg_g, 8, props, &len), S_OK);
	cr_assert_eq(len, 516);
	vg_assert_bytes(props, exp, 512, "V8 + 488 zero bytes");
	{
		uint8_t tail[4];

		vg_mem_rd(&vg_g, VG_REQ_WR + 512, tail, 4);
		cr_assert_eq(tail[0] | tail[1] | tail[2] | tail[3], 0,
			     "PROBE tail not 00 00 00 00");
	}
}

VG_TEST(vectors, v9_permission_fault_record)
{
	uint8_t rec[24], exp[24];
	uint32_t len;
	struct iommu_translation t;

	cr_assert_eq(vg_attach(&vg_g, 2, 0x10, 0), S_OK);
	cr_assert_eq(vg_map(&vg_g, 2, 0xdead000, 0xdeadfff, 0x100000, MAP_R),
		     S_OK);
	cr_assert_eq(vg_dma(&vg_g, 0x10, 0xdead000, 4, IOMMU_ACCESS_WRITE, &t),
		     -EFAULT);
	cr_assert(vg_evt_pop(&vg_g, rec, &len), "no fault report");
	cr_assert_eq(len, 24);
	vg_hex(V9, exp, sizeof(exp));
	vg_assert_bytes(rec, exp, 24, "V9");
	cr_assert(!vg_evt_pop(&vg_g, rec, &len), "a second report for one DMA");
}

VG_TEST(vectors, v10_config_space_dwords)
{
	uint8_t got[40], exp[40];
	int i;

	for (i = 0; i < 40; i += 4)
		vio_put32(got + i, vg_rd32(&vg_g, VMMIO_CONFIG + i));
	vg_hex(V10, exp, sizeof(exp));
	vg_assert_bytes(got, exp, 40, "V10 (4-byte reads)");
}

VG_TEST(vectors, v10_config_space_bytes_and_qwords)
{
	uint8_t got[40], exp[40];
	int i;

	for (i = 0; i < 40; i++)
		got[i] = (uint8_t)vg_rd(&vg_g, VMMIO_CONFIG + i, 1);
	vg_hex(V10, exp, sizeof(exp));
	vg_assert_bytes(got, exp, 40, "V10 (1-byte reads)");
	for (i = 0; i < 40; i += 2)
		vio_put16(got + i, (uint16_t)vg_rd(&vg_g, VMMIO_CONFIG + i, 2));
	vg_assert_bytes(got, exp, 40, "V10 (2-byte reads)");
	cr_assert_eq(vg_rd(&vg_g, VMMIO_CONFIG, 8), 0xfffffffffffff000ull);
	cr_assert_eq(vg_rd(&vg_g, VMMIO_CONFIG + 16, 8), UINT64_MAX);
}

Test(vectors, v11_v14_ring_bytes)
{
	struct vg g;
	uint8_t b[64], exp[64], tail[4];
	uint32_t len;

	vg_setup(&g, NULL);
	/* The request V4 at GPA 0x10000, tail at 0x10024 (V11, V12). */
	vg_hex(V4, b, sizeof(b));
	vg_mem_wr(&g, 0x10000, b, 36);
	vg_mem_fill(&g, 0x10024, VG_POISON, 4);
	vg_hex(V11, b, 16);
	vg_mem_wr(&g, g.q[0].desc, b, 16);
	vg_hex(V12, b, 16);
	vg_mem_wr(&g, g.q[0].desc + 16, b, 16);
	vg_publish(&g, 0, 0);
	vg_mem_rd(&g, g.q[0].avail, b, 6);
	vg_hex(V13, exp, 6);
	vg_assert_bytes(b, exp, 6, "V13 available ring");

	vg_kick(&g, 0);
	vg_mem_rd(&g, g.q[0].used, b, 12);
	vg_hex(V14, exp, 12);
	vg_assert_bytes(b, exp, 12, "V14 used ring");
	/* The device never writes device-readable buffers (7.4). */
	vg_mem_rd(&g, g.q[0].desc, b, 32);
	vg_hex(V11 " " V12, exp, 32);
	vg_assert_bytes(b, exp, 32, "descriptor table after use");
	vg_mem_rd(&g, 0x10024, tail, 4);
	cr_assert_eq(tail[0], S_NOENT, "V4 on an empty device: NOENT");
	cr_assert(vg_pop_used(&g, 0, NULL, &len));
	cr_assert_eq(len, 4);
	vg_teardown(&g);
}

/* V15 from the device side: with EVENT_IDX and N = 4 the used ring is 38
 * bytes, avail_event sits at +36 and follows avail.idx; nothing past it
 * is touched. */
Test(vectors, v15_avail_event_position)
{
	struct vg g;
	struct vg_opts o = vg_default_opts();
	uint8_t guard[26], exp[26];
	int i;

	o.rq_num = 4;
	vg_setup(&g, &o);
	cr_assert(g.features & (1ull << VIRTIO_F_EVENT_IDX),
		  "EVENT_IDX not offered");
	vg_mem_fill(&g, g.q[0].used + 38, VG_POISON, sizeof(guard));
	for (i = 0; i < 6; i++)
		cr_assert_eq(vg_detach(&g, 1, VG_EP_NONE), S_NOENT);
	cr_assert_eq(vg_avail_event(&g, 0), 6, "avail_event %u",
		     vg_avail_event(&g, 0));
	cr_assert_eq(vg_used_idx(&g, 0), 6);
	vg_mem_rd(&g, g.q[0].used + 38, guard, sizeof(guard));
	memset(exp, VG_POISON, sizeof(exp));
	vg_assert_bytes(guard, exp, sizeof(exp), "bytes after the used ring");
	vg_teardown(&g);
}

/*
 * V16 through the interrupt line: bring used.idx to @old, set used_event
 * to @event, publish @n requests with one kick and count interrupts.
 */
static void v16_case(uint16_t event, unsigned int old, unsigned int n,
		     unsigned int expect_irqs)
{
	struct vg g;
	struct vg_opts o = vg_default_opts();
	uint8_t rd[28];
	unsigned int i, before;

	o.rq_num = 16;
	o.evt_bufs = 0;
	vg_setup(&g, &o);
	cr_assert(g.features & (1ull << VIRTIO_F_EVENT_IDX),
		  "EVENT_IDX not offered");
	for (i = 0; i < old; i++)
		cr_assert_eq(vg_unmap(&g, 77, 0, 0xfff), S_NOENT);
	cr_assert_eq(vg_used_idx(&g, 0), old);
	vg_set_used_event(&g, 0, event);
	before = g.irqs;
	vg_enc_unmap(rd, 77, 0, 0xfff);
	vg_batch(&g, n, rd, sizeof(rd), S_NOENT);
	cr_assert_eq(g.irqs - before, expect_irqs,
		     "event %u old %u new %u: %u interrupts, expected %u",
		     event, old, old + n, g.irqs - before, expect_irqs);
	vg_teardown(&g);
}

Test(vectors, v16_event0_old0_new1_notifies)
{
	v16_case(0, 0, 1, 1);
}

Test(vectors, v16_event5_old4_new7_notifies_once)
{
	v16_case(5, 4, 3, 1);
}

Test(vectors, v16_event9_old4_new7_no_notify)
{
	v16_case(9, 4, 3, 0);
}
