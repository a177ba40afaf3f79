// SPDX-License-Identifier: MIT
/*
 * test_queue.c - the request queue as a device must consume it (spec
 * sheet 7): index wrap, how requests are split over descriptors, indirect
 * tables, and hostile chains (outside RAM, loops, bad indexes, short
 * buffers, random descriptor fields).  Hostile input must end in used
 * length 0 or status DEVERR, never a crash, and the device keeps serving.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "vguest.h"

#define OUTSIDE_RAM 0x40000000ull /* 1 GiB: RAM is 64 MiB */

/* Chain answered as broken: used length 0, or DEVERR in a 4-byte tail. */
static void expect_broken(struct vg *g, uint64_t tail_gpa, const char *what)
{
	uint32_t id, len;
	uint8_t tail[4];

	cr_assert(vg_pop_used(g, 0, &id, &len), "%s: chain never returned",
		  what);
	if (len == 0)
		return;
	cr_assert_eq(len, 4, "%s: used len %u", what, len);
	vg_mem_rd(g, tail_gpa, tail, 4);
	cr_assert_eq(tail[0], S_DEVERR, "%s: status %u", what, tail[0]);
}

/* ---- wrap and batches ------------------------------------------------ */

/* QueueReady 0 then 1 restarts the queue: the device counts avail and
 * used from 0 again (the driver cleared its rings), whatever it served
 * before. */
VG_TEST(queue, ready_again_counts_from_zero)
{
	struct vg_queue *q = &vg_g.q[0];

	for (unsigned int i = 0; i < 5; i++)
		cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_used_idx(&vg_g, 0), 5);
	vg_wr32(&vg_g, VMMIO_QUEUE_SEL, 0);
	vg_wr32(&vg_g, VMMIO_QUEUE_READY, 0);
	vg_mem_fill(&vg_g, q->avail, 0, vring_avail_bytes(q->num));
	vg_mem_fill(&vg_g, q->used, 0, vring_used_bytes(q->num));
	q->avail_idx = 0;
	q->used_seen = 0;
	vg_wr32(&vg_g, VMMIO_QUEUE_READY, 1);
	cr_assert_eq(vg_detach(&vg_g, 1, VG_EP_A), S_OK);
	cr_assert_eq(vg_used_idx(&vg_g, 0), 1, "used.idx did not restart");
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_used_idx(&vg_g, 0), 2);
}

VG_TEST(queue, avail_index_wraps_past_65535)
{
	uint8_t rd[28];
	unsigned int done = 0, i;

	vg_enc_unmap(rd, 77, 0, 0xfff);
	while (done + 128 <= 65530) {
		vg_batch(&vg_g, 128, rd, sizeof(rd), S_NOENT);
		done += 128;
	}
	vg_batch(&vg_g, 65530 - done, rd, sizeof(rd), S_NOENT);
	cr_assert_eq(vg_used_idx(&vg_g, 0), 65530);
	/* now cross the wrap one request at a time, with real answers */
	for (i = 0; i < 12; i++) {
		cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK,
			     "attach at avail %u", vg_g.q[0].avail_idx);
		cr_assert_eq(vg_detach(&vg_g, 1, VG_EP_A), S_OK,
			     "detach at avail %u", vg_g.q[0].avail_idx);
	}
	cr_assert_eq(vg_used_idx(&vg_g, 0), (uint16_t)(65530 + 24));
	/* and a batch straddling it again on the next lap */
	vg_batch(&vg_g, 100, rd, sizeof(rd), S_NOENT);
}

VG_TEST(queue, batch_served_in_order)
{
	uint8_t b[5][36];
	size_t len[5];
	static const int expect[5] = { S_OK, S_OK, S_INVAL, S_OK, S_OK };
	unsigned int i;
	uint32_t id, ul;
	uint8_t tail[4];

	len[0] = vg_enc_attach(b[0], 1, VG_EP_A, 0);
	len[1] = vg_enc_map(b[1], 1, 0x1000, 0x1fff, 0x5000, MAP_R);
	len[2] = vg_enc_map(b[2], 1, 0x1000, 0x1fff, 0x6000, MAP_R);
	len[3] = vg_enc_unmap(b[3], 1, 0x1000, 0x1fff);
	len[4] = vg_enc_detach(b[4], 1, VG_EP_A);
	for (i = 0; i < 5; i++) {
		vg_mem_wr(&vg_g, VG_REQ_RD + 64 * i, b[i], len[i]);
		vg_mem_fill(&vg_g, VG_BATCH_TAIL + 16 * i, VG_POISON, 4);
		vg_desc(&vg_g, 0, (uint16_t)(2 * i), VG_REQ_RD + 64 * i,
			(uint32_t)len[i], VRING_DESC_F_NEXT,
			(uint16_t)(2 * i + 1));
		vg_desc(&vg_g, 0, (uint16_t)(2 * i + 1), VG_BATCH_TAIL + 16 * i,
			4, VRING_DESC_F_WRITE, 0);
		vg_publish(&vg_g, 0, (uint16_t)(2 * i));
	}
	vg_kick(&vg_g, 0);
	for (i = 0; i < 5; i++) {
		cr_assert(vg_pop_used(&vg_g, 0, &id, &ul), "request %u", i);
		cr_assert_eq(id, 2 * i);
		cr_assert_eq(ul, 4);
		vg_mem_rd(&vg_g, VG_BATCH_TAIL + 16 * i, tail, 4);
		cr_assert_eq(tail[0], expect[i], "request %u: status %u", i,
			     tail[0]);
	}
	cr_assert(!vg_pop_used(&vg_g, 0, &id, &ul));
}

VG_TEST(queue, hw_notify_doorbell_serves_queue)
{
	uint8_t b[20];
	uint32_t id, len;
	uint8_t tail[4];

	vg_enc_attach(b, 1, VG_EP_A, 0);
	vg_mem_wr(&vg_g, VG_REQ_RD, b, 20);
	vg_desc(&vg_g, 0, 0, VG_REQ_RD, 20, VRING_DESC_F_NEXT, 1);
	vg_desc(&vg_g, 0, 1, VG_REQ_WR, 4, VRING_DESC_F_WRITE, 0);
	vg_mem_fill(&vg_g, VG_REQ_WR, VG_POISON, 4);
	vg_publish(&vg_g, 0, 0);
	cr_assert_eq(iommu_hw_notify(vg_g.ctx, 0), 0);
	cr_assert(vg_pop_used(&vg_g, 0, &id, &len));
	cr_assert_eq(len, 4);
	vg_mem_rd(&vg_g, VG_REQ_WR, tail, 4);
	cr_assert_eq(tail[0], S_OK);
}

/* ---- how a request is split over descriptors ------------------------- */

VG_TEST(queue, one_byte_descriptors)
{
	uint8_t b[20], tail[4];
	uint32_t id, len;
	uint16_t i;

	vg_enc_attach(b, 1, VG_EP_A, 0);
	vg_mem_wr(&vg_g, VG_REQ_RD, b, 20);
	vg_mem_fill(&vg_g, VG_REQ_WR, VG_POISON, 64);
	/* 20 readable bytes, each in its own descriptor, scattered */
	for (i = 0; i < 20; i++)
		vg_desc(&vg_g, 0, i, VG_REQ_RD + i, 1, VRING_DESC_F_NEXT,
			(uint16_t)(i + 1));
	/* the tail as 4 one-byte descriptors, 8 bytes apart */
	for (i = 0; i < 4; i++)
		vg_desc(&vg_g, 0, (uint16_t)(20 + i), VG_REQ_WR + 8 * i, 1,
			(uint16_t)(VRING_DESC_F_WRITE |
				   (i < 3 ? VRING_DESC_F_NEXT : 0)),
			(uint16_t)(21 + i));
	vg_publish(&vg_g, 0, 0);
	vg_kick(&vg_g, 0);
	cr_assert(vg_pop_used(&vg_g, 0, &id, &len));
	cr_assert_eq(id, 0);
	cr_assert_eq(len, 4);
	for (i = 0; i < 4; i++) {
		vg_mem_rd(&vg_g, VG_REQ_WR + 8 * i, tail + i, 1);
	}
	cr_assert_eq(tail[0], S_OK, "status %u", tail[0]);
	cr_assert_eq(tail[1] | tail[2] | tail[3], 0, "tail reserved");
	{
		uint8_t gap[7], exp[7];

		vg_mem_rd(&vg_g, VG_REQ_WR + 1, gap, 7);
		memset(exp, VG_POISON, 7);
		vg_assert_bytes(gap, exp, 7, "bytes between tail descriptors");
	}
	cr_assert_eq(vg_detach(&vg_g, 1, VG_EP_A), S_OK, "not attached");
}

VG_TEST(queue, readable_part_split_across_descriptors)
{
	uint8_t b[36];
	uint32_t id, len;
	uint8_t tail[4];
	struct iommu_translation t;

	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	vg_enc_map(b, 1, 0x7000, 0x7fff, 0x123000, MAP_RW);
	/* 1 + 7 + 28 bytes at unrelated addresses, in chain order 5, 2, 9 */
	vg_mem_wr(&vg_g, VG_SCRATCH + 0x000, b, 1);
	vg_mem_wr(&vg_g, VG_SCRATCH + 0x800, b + 1, 7);
	vg_mem_wr(&vg_g, VG_SCRATCH + 0x100, b + 8, 28);
	vg_mem_fill(&vg_g, VG_REQ_WR, VG_POISON, 4);
	vg_desc(&vg_g, 0, 5, VG_SCRATCH + 0x000, 1, VRING_DESC_F_NEXT, 2);
	vg_desc(&vg_g, 0, 2, VG_SCRATCH + 0x800, 7, VRING_DESC_F_NEXT, 9);
	vg_desc(&vg_g, 0, 9, VG_SCRATCH + 0x100, 28, VRING_DESC_F_NEXT, 3);
	vg_desc(&vg_g, 0, 3, VG_REQ_WR, 4, VRING_DESC_F_WRITE, 0);
	vg_publish(&vg_g, 0, 5);
	vg_kick(&vg_g, 0);
	cr_assert(vg_pop_used(&vg_g, 0, &id, &len));
	cr_assert_eq(id, 5);
	cr_assert_eq(len, 4);
	vg_mem_rd(&vg_g, VG_REQ_WR, tail, 4);
	cr_assert_eq(tail[0], S_OK);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_A, 0x7abc, 4, IOMMU_ACCESS_WRITE, &t),
		     0);
	cr_assert_eq(t.phys, 0x123abcull);
}

VG_TEST(queue, event_buffer_split_across_descriptors)
{
	struct vg *g = &vg_g;
	uint32_t id, len;
	uint8_t rec[24], exp[24];

	/* drain the 8 posted buffers with faults first */
	cr_assert_eq(vg_attach(g, 1, VG_EP_A, 0), S_OK);
	for (int i = 0; i < 8; i++)
		cr_assert_eq(vg_dma(g, VG_EP_A, 0x1000, 4, IOMMU_ACCESS_READ,
				    NULL), -EFAULT);
	while (vg_evt_pop(g, rec, NULL))
		;
	/* one buffer of 10 + 14 bytes in two descriptors */
	vg_mem_fill(g, VG_SCRATCH, VG_POISON, 64);
	vg_mem_fill(g, VG_SCRATCH + 0x100, VG_POISON, 64);
	vg_desc(g, 1, 20, VG_SCRATCH, 10,
		VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 21);
	vg_desc(g, 1, 21, VG_SCRATCH + 0x100, 14, VRING_DESC_F_WRITE, 0);
	vg_publish(g, 1, 20);
	vg_kick(g, 1);
	cr_assert_eq(vg_map(g, 1, 0xdead000, 0xdeadfff, 0x100000, MAP_R), S_OK);
	cr_assert_eq(vg_dma(g, VG_EP_A, 0xdead000, 4, IOMMU_ACCESS_WRITE, NULL),
		     -EFAULT);
	cr_assert(vg_pop_used(g, 1, &id, &len));
	cr_assert_eq(id, 20);
	cr_assert_eq(len, 24);
	vg_mem_rd(g, VG_SCRATCH, rec, 10);
	vg_mem_rd(g, VG_SCRATCH + 0x100, rec + 10, 14);
	vg_hex("02 00 00 00 02 01 00 00 08 00 00 00 00 00 00 00 00 d0 ea 0d "
	       "00 00 00 00", exp, 24);
	vg_assert_bytes(rec, exp, 24, "fault record over two descriptors");
}

Test(queue, indirect_descriptor_table)
{
	struct vg g;
	uint8_t b[20], d[32], tail[4];
	uint32_t id, len;

	vg_setup(&g, NULL);
	cr_assert(g.features & (1ull << VIRTIO_F_INDIRECT_DESC),
		  "INDIRECT_DESC not offered");
	vg_enc_attach(b, 1, VG_EP_A, 0);
	vg_mem_wr(&g, VG_REQ_RD, b, 20);
	vg_mem_fill(&g, VG_REQ_WR, VG_POISON, 4);
	vg_enc_desc(d, VG_REQ_RD, 20, VRING_DESC_F_NEXT, 1);
	vg_enc_desc(d + 16, VG_REQ_WR, 4, VRING_DESC_F_WRITE, 0);
	vg_mem_wr(&g, VG_SCRATCH, d, 32);
	/* WRITE on the descriptor that points to the table is ignored */
	vg_desc(&g, 0, 7, VG_SCRATCH, 32,
		VRING_DESC_F_INDIRECT | VRING_DESC_F_WRITE, 0);
	vg_publish(&g, 0, 7);
	vg_kick(&g, 0);
	cr_assert(vg_pop_used(&g, 0, &id, &len));
	cr_assert_eq(id, 7);
	cr_assert_eq(len, 4);
	vg_mem_rd(&g, VG_REQ_WR, tail, 4);
	cr_assert_eq(tail[0], S_OK);
	cr_assert_eq(vg_detach(&g, 1, VG_EP_A), S_OK);
	vg_teardown(&g);
}

VG_TEST(queue, indirect_inside_indirect_is_broken)
{
	uint8_t b[20], d[32];

	vg_enc_attach(b, 1, VG_EP_A, 0);
	vg_mem_wr(&vg_g, VG_REQ_RD, b, 20);
	vg_mem_fill(&vg_g, VG_REQ_WR, VG_POISON, 4);
	/* inner table: the real request */
	vg_enc_desc(d, VG_REQ_RD, 20, VRING_DESC_F_NEXT, 1);
	vg_enc_desc(d + 16, VG_REQ_WR, 4, VRING_DESC_F_WRITE, 0);
	vg_mem_wr(&vg_g, VG_SCRATCH + 0x100, d, 32);
	/* outer table: one entry pointing at the inner table */
	vg_enc_desc(d, VG_SCRATCH + 0x100, 32, VRING_DESC_F_INDIRECT, 0);
	vg_mem_wr(&vg_g, VG_SCRATCH, d, 16);
	vg_desc(&vg_g, 0, 0, VG_SCRATCH, 16, VRING_DESC_F_INDIRECT, 0);
	vg_publish(&vg_g, 0, 0);
	vg_kick(&vg_g, 0);
	expect_broken(&vg_g, VG_REQ_WR, "nested indirect");
	vg_assert_alive(&vg_g, false);
}

/* ---- hostile chains -------------------------------------------------- */

VG_TEST(queue, readable_descriptor_outside_ram)
{
	vg_mem_fill(&vg_g, VG_REQ_WR, VG_POISON, 4);
	vg_desc(&vg_g, 0, 0, OUTSIDE_RAM, 20, VRING_DESC_F_NEXT, 1);
	vg_desc(&vg_g, 0, 1, VG_REQ_WR, 4, VRING_DESC_F_WRITE, 0);
	vg_publish(&vg_g, 0, 0);
	vg_kick(&vg_g, 0);
	expect_broken(&vg_g, VG_REQ_WR, "readable part outside RAM");
	vg_assert_alive(&vg_g, false);
}

VG_TEST(queue, readable_descriptor_crossing_ram_end)
{
	uint8_t b[20];

	vg_enc_attach(b, 1, VG_EP_A, 0);
	vg_mem_wr(&vg_g, VG_RAM_SIZE - 8, b, 8);
	vg_mem_fill(&vg_g, VG_REQ_WR, VG_POISON, 4);
	vg_desc(&vg_g, 0, 0, VG_RAM_SIZE - 8, 20, VRING_DESC_F_NEXT, 1);
	vg_desc(&vg_g, 0, 1, VG_REQ_WR, 4, VRING_DESC_F_WRITE, 0);
	vg_publish(&vg_g, 0, 0);
	vg_kick(&vg_g, 0);
	expect_broken(&vg_g, VG_REQ_WR, "readable part crossing RAM end");
	vg_assert_alive(&vg_g, false);
}

VG_TEST(queue, descriptor_address_wraps_64_bits)
{
	vg_mem_fill(&vg_g, VG_REQ_WR, VG_POISON, 4);
	vg_desc(&vg_g, 0, 0, UINT64_MAX - 7, 20, VRING_DESC_F_NEXT, 1);
	vg_desc(&vg_g, 0, 1, VG_REQ_WR, 4, VRING_DESC_F_WRITE, 0);
	vg_publish(&vg_g, 0, 0);
	vg_kick(&vg_g, 0);
	expect_broken(&vg_g, VG_REQ_WR, "address + len wraps");
	vg_assert_alive(&vg_g, false);
}

VG_TEST(queue, tail_outside_ram_used_len_zero)
{
	uint8_t b[20];
	uint32_t id, len;

	vg_enc_attach(b, 1, VG_EP_A, 0);
	vg_mem_wr(&vg_g, VG_REQ_RD, b, 20);
	vg_desc(&vg_g, 0, 0, VG_REQ_RD, 20, VRING_DESC_F_NEXT, 1);
	vg_desc(&vg_g, 0, 1, OUTSIDE_RAM, 4, VRING_DESC_F_WRITE, 0);
	vg_publish(&vg_g, 0, 0);
	vg_kick(&vg_g, 0);
	cr_assert(vg_pop_used(&vg_g, 0, &id, &len), "chain never returned");
	cr_assert_eq(len, 0, "used len %u for an unwritable tail", len);
	vg_assert_alive(&vg_g, false);
}

VG_TEST(queue, writable_part_too_short)
{
	uint8_t b[20], w[8], exp[8];
	uint32_t id, len;

	vg_enc_attach(b, 1, VG_EP_A, 0);
	vg_mem_wr(&vg_g, VG_REQ_RD, b, 20);
	vg_mem_fill(&vg_g, VG_REQ_WR, VG_POISON, 8);
	vg_desc(&vg_g, 0, 0, VG_REQ_RD, 20, VRING_DESC_F_NEXT, 1);
	vg_desc(&vg_g, 0, 1, VG_REQ_WR, 2, VRING_DESC_F_WRITE, 0);
	vg_publish(&vg_g, 0, 0);
	vg_kick(&vg_g, 0);
	cr_assert(vg_pop_used(&vg_g, 0, &id, &len), "chain never returned");
	cr_assert_eq(len, 0, "used len %u for a 2-byte tail", len);
	vg_mem_rd(&vg_g, VG_REQ_WR, w, 8);
	memset(exp, VG_POISON, 8);
	vg_assert_bytes(w + 2, exp + 2, 6, "bytes past the 2-byte buffer");
	vg_assert_alive(&vg_g, false);
}

VG_TEST(queue, no_writable_part_used_len_zero)
{
	uint8_t b[20];
	uint32_t len;

	vg_enc_attach(b, 1, VG_EP_A, 0);
	cr_assert(vg_req(&vg_g, b, 20, NULL, 0, &len), "chain never returned");
	cr_assert_eq(len, 0);
	cr_assert_eq(vg_detach(&vg_g, 1, VG_EP_A), S_INVAL,
		     "request without a tail was executed");
}

VG_TEST(queue, head_unreadable_used_len_zero)
{
	uint8_t b[2] = { VIRTIO_IOMMU_T_ATTACH, 0 };

	cr_assert_eq(vg_status(&vg_g, b, 2), VG_LEN0);
	vg_assert_alive(&vg_g, false);
}

VG_TEST(queue, readable_after_writable_is_broken)
{
	uint8_t b[20];

	vg_enc_attach(b, 1, VG_EP_A, 0);
	vg_mem_wr(&vg_g, VG_REQ_RD, b, 20);
	vg_mem_fill(&vg_g, VG_REQ_WR, VG_POISON, 4);
	vg_desc(&vg_g, 0, 0, VG_REQ_RD, 12, VRING_DESC_F_NEXT, 1);
	vg_desc(&vg_g, 0, 1, VG_REQ_WR, 4,
		VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
	vg_desc(&vg_g, 0, 2, VG_REQ_RD + 12, 8, 0, 0);
	vg_publish(&vg_g, 0, 0);
	vg_kick(&vg_g, 0);
	expect_broken(&vg_g, VG_REQ_WR, "readable after writable");
	vg_assert_alive(&vg_g, false);
}

VG_TEST(queue, chain_loop_is_broken)
{
	uint8_t b[20];

	vg_enc_attach(b, 1, VG_EP_A, 0);
	vg_mem_wr(&vg_g, VG_REQ_RD, b, 20);
	vg_mem_fill(&vg_g, VG_REQ_WR, VG_POISON, 4);
	/* 0 -> 1 -> 2 -> 1 -> ... : the writable tail loops on itself */
	vg_desc(&vg_g, 0, 0, VG_REQ_RD, 20, VRING_DESC_F_NEXT, 1);
	vg_desc(&vg_g, 0, 1, VG_REQ_WR, 2,
		VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
	vg_desc(&vg_g, 0, 2, VG_REQ_WR + 2, 2,
		VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	vg_publish(&vg_g, 0, 0);
	vg_kick(&vg_g, 0);
	expect_broken(&vg_g, VG_REQ_WR, "loop in the writable part");
	vg_assert_alive(&vg_g, false);
}

VG_TEST(queue, readable_loop_is_broken)
{
	uint8_t b[20];

	vg_enc_attach(b, 1, VG_EP_A, 0);
	vg_mem_wr(&vg_g, VG_REQ_RD, b, 20);
	vg_desc(&vg_g, 0, 0, VG_REQ_RD, 4, VRING_DESC_F_NEXT, 1);
	vg_desc(&vg_g, 0, 1, VG_REQ_RD + 4, 4, VRING_DESC_F_NEXT, 0);
	vg_publish(&vg_g, 0, 0);
	vg_kick(&vg_g, 0);
	expect_broken(&vg_g, VG_REQ_WR, "loop in the readable part");
	vg_assert_alive(&vg_g, false);
}

VG_TEST(queue, next_out_of_range_is_broken)
{
	uint8_t b[20];

	vg_enc_attach(b, 1, VG_EP_A, 0);
	vg_mem_wr(&vg_g, VG_REQ_RD, b, 20);
	vg_mem_fill(&vg_g, VG_REQ_WR, VG_POISON, 4);
	vg_desc(&vg_g, 0, 0, VG_REQ_RD, 20, VRING_DESC_F_NEXT,
		(uint16_t)(vg_g.q[0].num + 5));
	/* what an unchecked index would reach: a valid tail */
	vg_desc(&vg_g, 0, (uint16_t)(vg_g.q[0].num + 5), VG_REQ_WR, 4,
		VRING_DESC_F_WRITE, 0);
	vg_publish(&vg_g, 0, 0);
	vg_kick(&vg_g, 0);
	expect_broken(&vg_g, VG_REQ_WR, "next out of range");
	vg_assert_alive(&vg_g, false);
}

VG_TEST(queue, head_out_of_range_survives)
{
	uint32_t id, len;

	vg_publish(&vg_g, 0, (uint16_t)(vg_g.q[0].num + 3));
	vg_kick(&vg_g, 0);
	if (vg_pop_used(&vg_g, 0, &id, &len))
		cr_assert_eq(len, 0, "bad head returned with used len %u", len);
	vg_publish(&vg_g, 0, 0xffff);
	vg_kick(&vg_g, 0);
	if (vg_pop_used(&vg_g, 0, &id, &len))
		cr_assert_eq(len, 0, "bad head returned with used len %u", len);
	vg_assert_alive(&vg_g, false);
}

VG_TEST(queue, chain_longer_than_queue_is_broken)
{
	struct vg *g = &vg_g;
	uint8_t b[20];
	uint8_t d[16];
	unsigned int i, n = g->q[0].num + 4;

	/* an indirect table longer than the queue: N + 4 one-byte entries */
	vg_enc_attach(b, 1, VG_EP_A, 0);
	vg_mem_wr(g, VG_REQ_RD, b, 20);
	for (i = 0; i < n; i++) {
		bool last = i == n - 1;

		vg_enc_desc(d, last ? VG_REQ_WR : VG_REQ_RD + (i % 20),
			    last ? 4 : 1,
			    (uint16_t)(last ? VRING_DESC_F_WRITE :
					      VRING_DESC_F_NEXT),
			    (uint16_t)(i + 1));
		vg_mem_wr(g, VG_SCRATCH + 16ull * i, d, 16);
	}
	vg_mem_fill(g, VG_REQ_WR, VG_POISON, 4);
	vg_desc(g, 0, 0, VG_SCRATCH, 16 * n, VRING_DESC_F_INDIRECT, 0);
	vg_publish(g, 0, 0);
	vg_kick(g, 0);
	expect_broken(g, VG_REQ_WR, "chain longer than the queue");
	vg_assert_alive(g, false);
}

VG_TEST(queue, probe_with_short_writable_part)
{
	uint8_t b[72], w[160], exp[160];
	uint32_t id, len;

	vg_enc_probe(b, VG_EP_A);
	vg_mem_wr(&vg_g, VG_REQ_RD, b, 72);
	vg_mem_fill(&vg_g, VG_REQ_WR, VG_POISON, sizeof(w));
	vg_desc(&vg_g, 0, 0, VG_REQ_RD, 72, VRING_DESC_F_NEXT, 1);
	vg_desc(&vg_g, 0, 1, VG_REQ_WR, 100, VRING_DESC_F_WRITE, 0);
	vg_publish(&vg_g, 0, 0);
	vg_kick(&vg_g, 0);
	cr_assert(vg_pop_used(&vg_g, 0, &id, &len), "chain never returned");
	cr_assert(len <= 100, "used len %u larger than the buffer", len);
	vg_mem_rd(&vg_g, VG_REQ_WR, w, sizeof(w));
	memset(exp, VG_POISON, sizeof(exp));
	vg_assert_bytes(w + 100, exp + 100, 60, "bytes past the buffer");
	vg_assert_alive(&vg_g, false);
}

VG_TEST(queue, zero_length_descriptors_skipped)
{
	uint8_t b[20], tail[4];
	uint32_t id, len;

	vg_enc_attach(b, 1, VG_EP_A, 0);
	vg_mem_wr(&vg_g, VG_REQ_RD, b, 20);
	vg_mem_fill(&vg_g, VG_REQ_WR, VG_POISON, 4);
	vg_desc(&vg_g, 0, 0, VG_REQ_RD, 10, VRING_DESC_F_NEXT, 1);
	vg_desc(&vg_g, 0, 1, OUTSIDE_RAM, 0, VRING_DESC_F_NEXT, 2);
	vg_desc(&vg_g, 0, 2, VG_REQ_RD + 10, 10, VRING_DESC_F_NEXT, 3);
	vg_desc(&vg_g, 0, 3, VG_REQ_WR, 4, VRING_DESC_F_WRITE, 0);
	vg_publish(&vg_g, 0, 0);
	vg_kick(&vg_g, 0);
	cr_assert(vg_pop_used(&vg_g, 0, &id, &len));
	cr_assert_eq(len, 4);
	vg_mem_rd(&vg_g, VG_REQ_WR, tail, 4);
	cr_assert_eq(tail[0], S_OK);
}

Test(queue, used_ring_outside_ram_needs_reset)
{
	struct vg g;
	struct vg_opts o = vg_default_opts();
	uint8_t b[20];
	uint32_t isr;

	o.rq_used = OUTSIDE_RAM;
	o.evt_bufs = 0;
	vg_setup(&g, &o);
	vg_enc_attach(b, 1, VG_EP_A, 0);
	vg_mem_wr(&g, VG_REQ_RD, b, 20);
	vg_desc(&g, 0, 0, VG_REQ_RD, 20, VRING_DESC_F_NEXT, 1);
	vg_desc(&g, 0, 1, VG_REQ_WR, 4, VRING_DESC_F_WRITE, 0);
	vg_publish(&g, 0, 0);
	/* refused at DRIVER_OK already, or at the first notify */
	vg_kick(&g, 0);
	cr_assert(vg_status_reg(&g) & VIRTIO_STATUS_NEEDS_RESET,
		  "status 0x%x", vg_status_reg(&g));
	isr = vg_rd32(&g, VMMIO_INTERRUPT_STATUS);
	cr_assert(isr & VMMIO_INT_CONFIG, "InterruptStatus 0x%x", isr);
	cr_assert(g.irqs > 0, "no config interrupt");
	cr_assert_eq(iommu_mem_read(g.ctx, VG_REQ_WR, b, 1), 0);
	g.opts.rq_used = 0;
	vg_assert_alive(&g, true);
	vg_teardown(&g);
}

VG_TEST(queue, avail_index_too_far_ahead_needs_reset)
{
	uint8_t b[2];

	vio_put16(b, (uint16_t)(vg_g.q[0].num + 1));
	vg_mem_wr(&vg_g, vg_g.q[0].avail + 2, b, 2);
	vg_kick(&vg_g, 0);
	cr_assert(vg_status_reg(&vg_g) & VIRTIO_STATUS_NEEDS_RESET,
		  "status 0x%x", vg_status_reg(&vg_g));
	cr_assert_eq(vg_used_idx(&vg_g, 0), 0, "served a bogus index");
	vg_assert_alive(&vg_g, true);
}

/* ---- random descriptor fields ---------------------------------------- */

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	/* xorshift64*: reproducible from the printed seed */
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dull;
}

static uint64_t rnd_addr(void)
{
	static const uint64_t wild[] = {
		0, OUTSIDE_RAM, VG_RAM_SIZE - 1, VG_RAM_SIZE - 16, UINT64_MAX,
		UINT64_MAX - 15, 0x8000000000000000ull, 0xfee00000ull,
	};

	switch (rnd() % 4) {
	case 0:
		return wild[rnd() % 8];
	case 1:
		return rnd();
	default:
		/* scratch area that holds nothing the helper relies on */
		return 0x600000 + rnd() % 0x200000;
	}
}

static uint32_t rnd_len(void)
{
	switch (rnd() % 5) {
	case 0:
		return (uint32_t)rnd();
	case 1:
		return 0;
	default:
		return (uint32_t)(rnd() % 600);
	}
}

Test(queue, fuzz_descriptor_fields_seeded)
{
	struct vg g;
	struct vg_opts o = vg_default_opts();
	uint64_t seed;
	const char *env = getenv("VG_FUZZ_SEED");
	unsigned int it, i, returned = 0, written = 0, resets = 0;
	uint8_t junk[256];

	seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
	fprintf(stderr, "queue/fuzz_descriptor_fields_seeded: seed %llu "
		"(VG_FUZZ_SEED to repeat)\n", (unsigned long long)seed);
	cr_log_info("fuzz seed %llu", (unsigned long long)seed);
	rnd_state = seed * 0x9e3779b97f4a7c15ull + 1;
	o.rq_num = 16;
	vg_setup(&g, &o);
	for (it = 0; it < 3000; it++) {
		uint16_t head, nd = (uint16_t)(1 + rnd() % 6);
		uint16_t start = (uint16_t)(rnd() % 16);
		uint32_t id, len;

		/* random request bytes, sometimes a valid type */
		for (i = 0; i < sizeof(junk); i++)
			junk[i] = (uint8_t)rnd();
		if (rnd() % 2)
			junk[0] = (uint8_t)(1 + rnd() % 5);
		vg_mem_wr(&g, 0x600000 + (rnd() % 0x1ff00), junk,
			  sizeof(junk));
		if (rnd() % 3 == 0) {
			/* a valid request with one descriptor field mutated */
			static const uint32_t rdl[] = { 20, 20, 36, 28, 72 };
			uint8_t t = (uint8_t)(rnd() % 5);
			uint32_t wl = t == 4 ? 516 : 4;
			uint16_t d1 = (uint16_t)((start + 1) % 16);

			junk[0] = (uint8_t)(t + 1);
			junk[1] = junk[2] = junk[3] = 0;
			vio_put32(junk + 4, (uint32_t)(rnd() % 4));
			vio_put32(junk + 8, (rnd() % 2) ? VG_EP_A : (uint32_t)rnd());
			vg_mem_wr(&g, 0x600000, junk, 72);
			vg_desc(&g, 0, start, 0x600000, rdl[t], VRING_DESC_F_NEXT,
				d1);
			vg_desc(&g, 0, d1, 0x610000, wl, VRING_DESC_F_WRITE, 0);
			switch (rnd() % 5) {
			case 0:
				vg_desc(&g, 0, rnd() % 2 ? start : d1,
					rnd_addr(), rnd() % 2 ? rdl[t] : wl,
					(uint16_t)(rnd() % 2 ? 0 : 2),
					(uint16_t)d1);
				break;
			case 1:
				vg_desc(&g, 0, start, 0x600000, rnd_len(),
					VRING_DESC_F_NEXT, d1);
				break;
			case 2:
				vg_desc(&g, 0, d1, 0x610000, rnd_len(),
					(uint16_t)rnd(), (uint16_t)rnd());
				break;
			case 3:
				vg_desc(&g, 0, start, 0x600000, rdl[t],
					(uint16_t)rnd(), (uint16_t)rnd());
				break;
			default:
				break;
			}
			nd = 0;
		}
		for (i = 0; i < nd; i++) {
			uint16_t flags = (uint16_t)rnd();
			uint16_t next = (uint16_t)rnd();

			if (rnd() % 4)
				flags &= 7;
			if (rnd() % 3)
				next %= 16;
			vg_desc(&g, 0, (uint16_t)((start + i) % 16), rnd_addr(),
				rnd_len(), flags, next);
			if (rnd() % 8 == 0) {
				/* an indirect table of random entries */
				uint8_t d[16];
				unsigned int k;

				for (k = 0; k < 8; k++) {
					vg_enc_desc(d, rnd_addr(), rnd_len(),
						    (uint16_t)rnd(),
						    (uint16_t)(rnd() % 10));
					vg_mem_wr(&g, 0x600000 + 16 * k, d, 16);
				}
			}
		}
		head = rnd() % 10 ? start : (uint16_t)rnd();
		vg_publish(&g, 0, head);
		if (rnd() % 3 == 0 || it == 2999)
			vg_kick(&g, 0);
		while (vg_pop_used(&g, 0, &id, &len)) {
			cr_assert(len <= 512 + 4, "seed %llu: used len %u",
				  (unsigned long long)seed, len);
			returned++;
			written += len != 0;
		}
		/* the used index never runs ahead of the avail index */
		cr_assert((uint16_t)(g.q[0].avail_idx - g.q[0].used_seen) <
				  0x8000,
			  "seed %llu: used idx %u past avail idx %u",
			  (unsigned long long)seed, g.q[0].used_seen,
			  g.q[0].avail_idx);
		if (vg_status_reg(&g) & VIRTIO_STATUS_NEEDS_RESET) {
			vg_init(&g, &g.opts);
			resets++;
		}
	}
	fprintf(stderr, "fuzz seed %llu: %u chains returned, %u with a "
		"tail, %u resets\n", (unsigned long long)seed, returned,
		written, resets);
	vg_assert_alive(&g, true);
	vg_teardown(&g);
}

/* ---- tracing a hostile request ---------------------------------------- */

struct trace_seen {
	size_t max_len;
	unsigned int consumed;
	unsigned int sum;
};

static void trace_consumed(void *cookie, const struct iommu_trace_event *ev)
{
	struct trace_seen *t = cookie;
	const uint8_t *raw = ev->raw;

	if (ev->type != IOMMU_TR_CMD_CONSUMED)
		return;
	t->consumed++;
	if (ev->raw_len > t->max_len)
		t->max_len = ev->raw_len;
	/* Read every byte the event claims (ASan: inside the buffer). */
	for (size_t i = 0; i < ev->raw_len; i++)
		t->sum += raw[i];
}

/* A request whose readable part is far longer than the model copies: the
 * trace event carries the bytes it copied, never the length offered. */
Test(queue, traced_request_longer_than_its_copy)
{
	static uint8_t rd[4096];
	struct trace_seen t = {0};
	struct vg g;

	vg_setup(&g, NULL);
	cr_assert_eq(iommu_set_trace(g.ctx, IOMMU_TRACE_ALL, trace_consumed,
				     &t),
		     0);
	vg_enc_attach(rd, 1, VG_EP_A, 0);
	memset(rd + 20, 0x5a, sizeof(rd) - 20);
	cr_assert_geq(vg_status(&g, rd, sizeof(rd)), 0);
	cr_assert_geq(t.consumed, 1u);
	cr_assert_geq(t.max_len, 20u, "the head was not traced");
	cr_assert_leq(t.max_len, 256u,
		      "the event claims %zu bytes of a 4096-byte request",
		      t.max_len);
	cr_assert_eq(iommu_set_trace(g.ctx, 0, NULL, NULL), 0);
	vg_teardown(&g);
}
