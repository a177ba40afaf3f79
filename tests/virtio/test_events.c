// SPDX-License-Identifier: MIT
/*
 * test_events.c - the event queue (spec sheet 5: overflow, small buffers,
 * no stale reports), the interrupt line, the config space bypass rules
 * (1.3) and the virtio-mmio transport registers.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "params.h"
#include "vguest.h"

static void setup_opts(struct vg *g, unsigned int evt_bufs, uint32_t size,
		       int bypass)
{
	struct vg_opts o = vg_default_opts();

	o.evt_bufs = evt_bufs;
	o.evt_size = size;
	o.bypass = bypass;
	vg_setup(g, &o);
}

/* ---- event queue ----------------------------------------------------- */

Test(events, no_buffers_faults_counted_lost)
{
	struct vg g;
	uint8_t rec[24];
	uint64_t lost0;
	struct vg_fault f;
	int i;

	setup_opts(&g, 0, 24, -1);
	cr_assert_eq(vg_attach(&g, 1, VG_EP_A, 0), S_OK);
	lost0 = vg_stat(&g, IOMMU_STAT_FAULTS_LOST);
	for (i = 0; i < 3; i++)
		cr_assert_eq(vg_dma(&g, VG_EP_A, 0x1000 * (i + 1), 4,
				    IOMMU_ACCESS_READ, NULL), -EFAULT);
	cr_assert_eq(vg_stat(&g, IOMMU_STAT_FAULTS_LOST) - lost0, 3,
		     "lost %llu",
		     (unsigned long long)(vg_stat(&g, IOMMU_STAT_FAULTS_LOST) -
					  lost0));
	/* buffers posted now must not receive the old reports */
	vg_evt_post(&g, 4, 24);
	cr_assert(!vg_evt_pop(&g, rec, NULL), "a dropped fault was delivered");
	cr_assert_eq(vg_dma(&g, VG_EP_A, 0x9000, 4, IOMMU_ACCESS_READ, NULL),
		     -EFAULT);
	cr_assert(vg_evt_pop(&g, rec, NULL));
	vg_fault_decode(rec, &f);
	cr_assert_eq(f.addr, 0x9000ull, "got the report of 0x%llx",
		     (unsigned long long)f.addr);
	cr_assert(!vg_evt_pop(&g, rec, NULL));
	cr_assert_eq(vg_stat(&g, IOMMU_STAT_FAULTS_LOST) - lost0, 3);
	vg_teardown(&g);
}

Test(events, event_queue_not_ready_counts_lost)
{
	struct vg g;

	memset(&g, 0, sizeof(g));
	cr_assert_eq(vg_create_ctx(&g, "boot_bypass = no"), 0, "%s", g.err);
	cr_assert_eq(vg_dma(&g, VG_EP_A, 0x1000, 4, IOMMU_ACCESS_READ, NULL),
		     -EFAULT);
	cr_assert_eq(vg_stat(&g, IOMMU_STAT_FAULTS_LOST), 1);
	vg_teardown(&g);
}

Test(events, full_queue_then_overflow)
{
	struct vg g;
	uint8_t rec[24];
	struct vg_fault f;
	unsigned int i, n = 0;

	setup_opts(&g, 4, 24, -1);
	cr_assert_eq(vg_attach(&g, 1, VG_EP_A, 0), S_OK);
	for (i = 0; i < 6; i++)
		cr_assert_eq(vg_dma(&g, VG_EP_A, 0x10000 + 0x1000 * i, 4,
				    IOMMU_ACCESS_READ, NULL), -EFAULT);
	while (vg_evt_pop(&g, rec, NULL)) {
		vg_fault_decode(rec, &f);
		cr_assert_eq(f.addr, 0x10000 + 0x1000ull * n,
			     "report %u out of order", n);
		n++;
	}
	cr_assert_eq(n, 4, "%u reports for 4 buffers", n);
	cr_assert_eq(vg_stat(&g, IOMMU_STAT_FAULTS_LOST), 2);
	cr_assert(vg_stat(&g, IOMMU_STAT_FAULTS) >= 4);
	vg_teardown(&g);
}

Test(events, buffer_smaller_than_report_not_overrun)
{
	struct vg g;
	uint8_t buf[64], exp[64], rec[24];
	uint32_t id, len;
	uint64_t lost0;
	struct vg_fault f;
	bool returned;

	setup_opts(&g, 0, 24, -1);
	cr_assert_eq(vg_attach(&g, 1, VG_EP_A, 0), S_OK);
	vg_evt_post(&g, 1, 16);
	lost0 = vg_stat(&g, IOMMU_STAT_FAULTS_LOST);
	cr_assert_eq(vg_dma(&g, VG_EP_A, 0x5000, 4, IOMMU_ACCESS_READ, NULL),
		     -EFAULT);
	vg_mem_rd(&g, VG_EVT_BUF, buf, 64);
	memset(exp, VG_POISON, sizeof(exp));
	vg_assert_bytes(buf + 16, exp + 16, 48, "bytes past the 16-byte buffer");
	/* hw.h decision: the small buffer is consumed with used length 0 */
	returned = vg_pop_used(&g, 1, &id, &len);
	cr_assert(returned, "the 16-byte buffer was not returned");
	cr_assert_eq(len, 0, "a 16-byte buffer came back with len %u", len);
	cr_assert_eq(vg_stat(&g, IOMMU_STAT_FAULTS_LOST) - lost0, 1,
		     "the report that did not fit is not counted lost");
	/* a proper buffer afterwards gets the next report, not the old one */
	vg_evt_post(&g, 1, 24);
	cr_assert_eq(vg_dma(&g, VG_EP_A, 0x6000, 4, IOMMU_ACCESS_READ, NULL),
		     -EFAULT);
	while (vg_pop_used(&g, 1, &id, &len) && len == 0)
		;
	cr_assert_eq(len, 24);
	vg_mem_rd(&g, VG_EVT_BUF + 64ull * id, rec, 24);
	vg_fault_decode(rec, &f);
	cr_assert_eq(f.addr, 0x6000ull);
	vg_assert_alive(&g, false);
	vg_teardown(&g);
}

Test(events, larger_buffer_gets_24_bytes)
{
	struct vg g;
	uint8_t buf[64], exp[64];
	uint32_t id, len;

	setup_opts(&g, 1, 48, -1);
	cr_assert_eq(vg_attach(&g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_dma(&g, VG_EP_A, 0x5000, 4, IOMMU_ACCESS_READ, NULL),
		     -EFAULT);
	cr_assert(vg_pop_used(&g, 1, &id, &len));
	cr_assert_eq(len, 24);
	vg_mem_rd(&g, VG_EVT_BUF, buf, 64);
	memset(exp, VG_POISON, sizeof(exp));
	vg_assert_bytes(buf + 24, exp + 24, 40, "bytes past the 24-byte report");
	vg_teardown(&g);
}

Test(events, fault_raises_interrupt)
{
	struct vg g;
	unsigned int before;
	uint32_t isr;

	setup_opts(&g, 4, 24, -1);
	cr_assert_eq(vg_attach(&g, 1, VG_EP_A, 0), S_OK);
	vg_wr32(&g, VMMIO_INTERRUPT_ACK, VMMIO_INT_VRING | VMMIO_INT_CONFIG);
	before = g.irqs;
	cr_assert_eq(vg_dma(&g, VG_EP_A, 0x5000, 4, IOMMU_ACCESS_READ, NULL),
		     -EFAULT);
	cr_assert(g.irqs > before, "no interrupt for a fault report");
	cr_assert_eq(g.last_vector, 0);
	isr = vg_rd32(&g, VMMIO_INTERRUPT_STATUS);
	cr_assert(isr & VMMIO_INT_VRING, "InterruptStatus 0x%x", isr);
	vg_teardown(&g);
}

Test(events, stats_count_faults_and_requests)
{
	struct vg g;
	uint64_t f0, q0;

	setup_opts(&g, 4, 24, -1);
	f0 = vg_stat(&g, IOMMU_STAT_FAULTS);
	q0 = vg_stat(&g, IOMMU_STAT_QUEUE_CMDS);
	cr_assert_eq(vg_attach(&g, 1, VG_EP_A, 0), S_OK);
	cr_assert_eq(vg_detach(&g, 1, VG_EP_B), S_INVAL);
	cr_assert_eq(vg_attach(&g, 1, VG_EP_B, 0), S_OK);
	cr_assert_eq(vg_dma(&g, VG_EP_A, 0x5000, 4, IOMMU_ACCESS_READ, NULL),
		     -EFAULT);
	cr_assert_eq(vg_stat(&g, IOMMU_STAT_FAULTS) - f0, 1);
	cr_assert_eq(vg_stat(&g, IOMMU_STAT_QUEUE_CMDS) - q0, 3);
	vg_teardown(&g);
}

/* ---- config space bypass (1.3) ---------------------------------------- */

VG_TEST(config, bypass_write_0_and_1)
{
	cr_assert(vg_g.features & (1ull << VIRTIO_IOMMU_F_BYPASS_CONFIG));
	cr_assert_eq(vg_cfg_bypass(&vg_g), 1);
	vg_wr(&vg_g, VMMIO_CONFIG + VIOMMU_CFG_BYPASS, 1, 0);
	cr_assert_eq(vg_cfg_bypass(&vg_g), 0);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_A, 0x1000, 4, IOMMU_ACCESS_READ, NULL),
		     -EFAULT);
	vg_wr(&vg_g, VMMIO_CONFIG + VIOMMU_CFG_BYPASS, 1, 1);
	cr_assert_eq(vg_cfg_bypass(&vg_g), 1);
	cr_assert_eq(vg_dma(&vg_g, VG_EP_A, 0x1000, 4, IOMMU_ACCESS_READ, NULL),
		     0);
}

VG_TEST(config, bypass_write_other_values_ignored)
{
	static const uint8_t bad[] = { 2, 3, 0x80, 0xff, 0xfe };
	unsigned int i;

	vg_wr(&vg_g, VMMIO_CONFIG + VIOMMU_CFG_BYPASS, 1, 0);
	for (i = 0; i < sizeof(bad); i++) {
		(void)iommu_hw_mmio_write(vg_g.ctx,
					  VMMIO_CONFIG + VIOMMU_CFG_BYPASS, 1,
					  bad[i]);
		cr_assert_eq(vg_cfg_bypass(&vg_g), 0, "write 0x%x changed it",
			     bad[i]);
	}
	cr_assert_eq(vg_dma(&vg_g, VG_EP_A, 0x1000, 4, IOMMU_ACCESS_READ, NULL),
		     -EFAULT, "an invalid write opened bypass");
}

Test(config, bypass_write_without_feature_ignored)
{
	struct vg g;
	struct vg_opts o = vg_default_opts();

	o.accept = ~(1ull << VIRTIO_IOMMU_F_BYPASS_CONFIG);
	vg_setup(&g, &o);
	cr_assert_eq(vg_cfg_bypass(&g), 1);
	(void)iommu_hw_mmio_write(g.ctx, VMMIO_CONFIG + VIOMMU_CFG_BYPASS, 1,
				  0);
	cr_assert_eq(vg_cfg_bypass(&g), 1,
		     "bypass written without BYPASS_CONFIG");
	cr_assert_eq(vg_dma(&g, VG_EP_A, 0x1000, 4, IOMMU_ACCESS_READ, NULL), 0);
	vg_teardown(&g);
}

Test(config, bypass_survives_device_reset)
{
	struct vg g;
	struct vg_opts o = vg_default_opts();

	o.bypass = 0;
	vg_setup(&g, &o);
	vg_reset(&g);
	cr_assert_eq(vg_cfg_bypass(&g), 0);
	vg_teardown(&g);
}

VG_TEST(config, other_fields_read_only)
{
	uint8_t before[40], after[40];
	int i;

	for (i = 0; i < 40; i++)
		before[i] = (uint8_t)vg_rd(&vg_g, VMMIO_CONFIG + i, 1);
	for (i = 0; i < 36; i += 4)
		(void)iommu_hw_mmio_write(vg_g.ctx, VMMIO_CONFIG + i, 4,
					  0x12345678);
	(void)iommu_hw_mmio_write(vg_g.ctx, VMMIO_CONFIG + 37, 1, 0x55);
	for (i = 0; i < 40; i++)
		after[i] = (uint8_t)vg_rd(&vg_g, VMMIO_CONFIG + i, 1);
	vg_assert_bytes(after, before, 40, "config after stray writes");
}

Test(config, params_reach_config_space)
{
	struct vg g;
	struct vg_opts o = vg_default_opts();

	o.virtio_ini = "page_size_mask = 0x201000\nprobe_size = 64\n"
		       "boot_bypass = no";
	vg_setup(&g, &o);
	cr_assert_eq(vg_rd(&g, VMMIO_CONFIG + VIOMMU_CFG_PAGE_SIZE_MASK, 8),
		     0x201000ull);
	cr_assert_eq(vg_rd32(&g, VMMIO_CONFIG + VIOMMU_CFG_PROBE_SIZE), 64);
	cr_assert_eq(vg_cfg_bypass(&g), 0);
	vg_teardown(&g);
}

/* ---- transport registers --------------------------------------------- */

VG_TEST(transport, identity_registers)
{
	cr_assert_eq(vg_rd32(&vg_g, VMMIO_MAGIC_VALUE), 0x74726976);
	cr_assert_eq(vg_rd32(&vg_g, VMMIO_VERSION), 2);
	cr_assert_eq(vg_rd32(&vg_g, VMMIO_DEVICE_ID), 23);
	cr_assert_eq(vg_rd32(&vg_g, VMMIO_VENDOR_ID), VIRTIO_VENDOR_ID_PROJECT);
}

VG_TEST(transport, default_feature_words)
{
	cr_assert_eq(vg_g.dev_features, VIOMMU_DEFAULT_FEATURES,
		     "features 0x%llx",
		     (unsigned long long)vg_g.dev_features);
	cr_assert_eq(vg_g.dev_features, 0x130000077ull);
	cr_assert_eq(vg_g.dev_features & (1ull << VIRTIO_IOMMU_F_BYPASS), 0,
		     "legacy BYPASS offered with BYPASS_CONFIG");
}

Test(transport, features_param_and_queue_max)
{
	struct vg g;
	struct vg_opts o = vg_default_opts();

	o.virtio_ini = "features = 0x100000014\nqueue_max = 16";
	o.rq_num = 16;
	o.eq_num = 16;
	vg_setup(&g, &o);
	cr_assert_eq(g.dev_features, 0x100000014ull);
	vg_wr32(&g, VMMIO_QUEUE_SEL, 0);
	cr_assert_eq(vg_rd32(&g, VMMIO_QUEUE_NUM_MAX), 16);
	vg_wr32(&g, VMMIO_QUEUE_SEL, 1);
	cr_assert_eq(vg_rd32(&g, VMMIO_QUEUE_NUM_MAX), 16);
	cr_assert_eq(vg_attach(&g, 1, VG_EP_A, 0), S_OK);
	vg_teardown(&g);
}

VG_TEST(transport, queue_num_max_default_and_no_third_queue)
{
	vg_wr32(&vg_g, VMMIO_QUEUE_SEL, 0);
	cr_assert_eq(vg_rd32(&vg_g, VMMIO_QUEUE_NUM_MAX), 256);
	vg_wr32(&vg_g, VMMIO_QUEUE_SEL, 2);
	cr_assert_eq(vg_rd32(&vg_g, VMMIO_QUEUE_NUM_MAX), 0,
		     "a third queue exists");
}

VG_TEST(transport, interrupt_status_and_ack)
{
	uint32_t isr;
	unsigned int before = vg_g.irqs;

	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	cr_assert(vg_g.irqs > before, "no interrupt for a used buffer");
	isr = vg_rd32(&vg_g, VMMIO_INTERRUPT_STATUS);
	cr_assert(isr & VMMIO_INT_VRING, "InterruptStatus 0x%x", isr);
	vg_wr32(&vg_g, VMMIO_INTERRUPT_ACK, VMMIO_INT_VRING);
	cr_assert_eq(vg_rd32(&vg_g, VMMIO_INTERRUPT_STATUS) & VMMIO_INT_VRING,
		     0, "ACK did not clear the bit");
}

VG_TEST(transport, bad_offsets_and_sizes_rejected)
{
	uint64_t v;

	cr_assert_eq(iommu_hw_mmio_read(vg_g.ctx, VMMIO_WINDOW_SIZE, 4, &v),
		     -EINVAL);
	cr_assert_eq(iommu_hw_mmio_read(vg_g.ctx, UINT64_MAX - 1, 4, &v),
		     -EINVAL);
	cr_assert_eq(iommu_hw_mmio_read(vg_g.ctx, VMMIO_STATUS, 3, &v),
		     -EINVAL);
	cr_assert_eq(iommu_hw_mmio_write(vg_g.ctx, VMMIO_WINDOW_SIZE + 8, 4, 1),
		     -EINVAL);
	cr_assert_eq(iommu_hw_mmio_write(vg_g.ctx, VMMIO_STATUS, 0, 1),
		     -EINVAL);
	vg_assert_alive(&vg_g, false);
}

VG_TEST(transport, reset_clears_status_and_queues)
{
	vg_reset(&vg_g);
	cr_assert_eq(vg_status_reg(&vg_g), 0);
	vg_wr32(&vg_g, VMMIO_QUEUE_SEL, 0);
	cr_assert_eq(vg_rd32(&vg_g, VMMIO_QUEUE_READY), 0);
	vg_wr32(&vg_g, VMMIO_QUEUE_SEL, 1);
	cr_assert_eq(vg_rd32(&vg_g, VMMIO_QUEUE_READY), 0);
	vg_init(&vg_g, &vg_g.opts);
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
}

VG_TEST(transport, notify_before_driver_ok_ignored)
{
	uint8_t b[20];

	/* reset: queue 0 is not ready, a notify must not touch memory */
	vg_reset(&vg_g);
	vg_enc_attach(b, 1, VG_EP_A, 0);
	vg_mem_wr(&vg_g, VG_RQ_BASE + VG_AVAIL_OFF, "\0\0\1\0\0\0", 6);
	vg_wr32(&vg_g, VMMIO_QUEUE_NOTIFY, 0);
	vg_init(&vg_g, &vg_g.opts);
	cr_assert_eq(vg_attach(&vg_g, 1, VG_EP_A, 0), S_OK);
	(void)b;
}
