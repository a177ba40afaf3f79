// SPDX-License-Identifier: MIT
/*
 * test_bound.c - the work one notify can cause is bounded by the queue's
 * size, not its square (hostile-guest hardening).
 *
 * The case outside fuzzing found: a descriptor whose next points to
 * itself, and every slot of the available ring naming it, with avail.idx
 * a whole queue ahead.  Each chain is refused only after the queue's
 * length of reads, so serving them all costs the square of the queue
 * size for one notify.  The device reads at most HW_WALK_PER_NOTIFY
 * queues' worth of descriptors per notify (plugins/virtio/hw.h) and then
 * treats the queue as broken: DEVICE_NEEDS_RESET with a config
 * interrupt.  Counted in requests served (IOMMU_STAT_QUEUE_CMDS), not in
 * time.
 */
#include <criterion/criterion.h>
#include <errno.h>

#include "hw.h"
#include "vguest.h"

#define BOUND_QNUM 4096u

static uint64_t queue_cmds(struct vg *g)
{
	struct iommu_stats st = { .size = sizeof(st) };

	cr_assert_eq(iommu_get_stats(g->ctx, &st), 0);
	return st.v[IOMMU_STAT_QUEUE_CMDS];
}

/* Publish head @head in every slot and move avail.idx a queue ahead. */
static void fill_avail(struct vg *g, uint16_t head)
{
	for (unsigned int i = 0; i < BOUND_QNUM; i++)
		vg_publish(g, 0, head);
}

Test(bound, self_looping_chain_in_every_slot_stops_the_queue)
{
	struct vg g;
	struct vg_opts o = vg_default_opts();
	uint64_t before;
	uint32_t isr;

	o.virtio_ini = "queue_max = 4096";
	o.rq_num = BOUND_QNUM;
	o.evt_bufs = 0;
	vg_setup(&g, &o);
	vg_desc(&g, 0, 0, VG_REQ_RD, 20, VRING_DESC_F_NEXT, 0);
	fill_avail(&g, 0);
	before = queue_cmds(&g);
	vg_kick(&g, 0);
	/* At most one queue's worth of reads per looping chain, so the
	 * budget of HW_WALK_PER_NOTIFY queues serves that many chains. */
	cr_assert_leq(queue_cmds(&g) - before, HW_WALK_PER_NOTIFY + 1,
		      "one notify served %llu looping chains",
		      (unsigned long long)(queue_cmds(&g) - before));
	cr_assert(vg_status_reg(&g) & VIRTIO_STATUS_NEEDS_RESET,
		  "status 0x%x", vg_status_reg(&g));
	isr = vg_rd32(&g, VMMIO_INTERRUPT_STATUS);
	cr_assert(isr & VMMIO_INT_CONFIG, "InterruptStatus 0x%x", isr);
	/* A second notify does nothing until the driver resets. */
	before = queue_cmds(&g);
	vg_kick(&g, 0);
	cr_assert_eq(queue_cmds(&g) - before, 0);
	vg_init(&g, &g.opts);
	vg_assert_alive(&g, true);
	vg_teardown(&g);
}

Test(bound, long_valid_chain_reused_by_every_slot_stops_the_queue)
{
	struct vg g;
	struct vg_opts o = vg_default_opts();
	uint64_t before;

	o.virtio_ini = "queue_max = 4096";
	o.rq_num = BOUND_QNUM;
	o.evt_bufs = 0;
	vg_setup(&g, &o);
	/* 0 -> 1 -> ... -> 4095: a legal chain the length of the queue,
	 * but named by every slot at once. */
	for (unsigned int i = 0; i + 1 < BOUND_QNUM; i++)
		vg_desc(&g, 0, (uint16_t)i, VG_REQ_RD, 1, VRING_DESC_F_NEXT,
			(uint16_t)(i + 1));
	vg_desc(&g, 0, BOUND_QNUM - 1, VG_REQ_WR, 4, VRING_DESC_F_WRITE, 0);
	fill_avail(&g, 0);
	before = queue_cmds(&g);
	vg_kick(&g, 0);
	cr_assert_leq(queue_cmds(&g) - before, HW_WALK_PER_NOTIFY + 1);
	cr_assert(vg_status_reg(&g) & VIRTIO_STATUS_NEEDS_RESET,
		  "status 0x%x", vg_status_reg(&g));
	vg_teardown(&g);
}

Test(bound, a_full_queue_of_honest_requests_is_served)
{
	struct vg g;
	struct vg_opts o = vg_default_opts();
	uint8_t b[20];
	uint64_t before;

	o.virtio_ini = "queue_max = 4096";
	o.rq_num = BOUND_QNUM;
	o.evt_bufs = 0;
	vg_setup(&g, &o);
	vg_enc_attach(b, 1, VG_EP_A, 0);
	vg_mem_wr(&g, VG_REQ_RD, b, 20);
	/* Two descriptors per request, all disjoint: half a queue of
	 * requests, the whole descriptor table. */
	for (unsigned int i = 0; i < BOUND_QNUM / 2; i++) {
		vg_desc(&g, 0, (uint16_t)(2 * i), VG_REQ_RD, 20,
			VRING_DESC_F_NEXT, (uint16_t)(2 * i + 1));
		vg_desc(&g, 0, (uint16_t)(2 * i + 1), VG_REQ_WR + 4 * i, 4,
			VRING_DESC_F_WRITE, 0);
		vg_publish(&g, 0, (uint16_t)(2 * i));
	}
	before = queue_cmds(&g);
	vg_kick(&g, 0);
	cr_assert_eq(queue_cmds(&g) - before, BOUND_QNUM / 2);
	cr_assert_not(vg_status_reg(&g) & VIRTIO_STATUS_NEEDS_RESET,
		      "status 0x%x", vg_status_reg(&g));
	vg_teardown(&g);
}
