// SPDX-License-Identifier: MIT
/*
 * vguest.c - the tests' own guest driver for the virtio-iommu model: raw
 * bytes in RAM, virtio-mmio registers, split virtqueues (spec sheet 7).
 * See vguest.h for the memory layout.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "vguest.h"

static void vg_irq(void *cookie, unsigned int vector)
{
	struct vg *g = cookie;

	g->irqs++;
	g->last_vector = vector;
}

static void vg_log(void *cookie, enum iommu_log_level level, const char *msg)
{
	(void)cookie;
	(void)level;
	(void)msg;
}

struct vg_opts vg_default_opts(void)
{
	struct vg_opts o = {
		.virtio_ini = NULL,
		.accept = VG_ALL_FEATURES,
		.rq_num = 256,
		.eq_num = 64,
		.bypass = -1,
		.evt_bufs = 8,
		.evt_size = 24,
	};
	return o;
}

int vg_create_ctx(struct vg *g, const char *virtio_ini)
{
	return vg_create_ctx_flags(g, virtio_ini, 0);
}

int vg_create_ctx_flags(struct vg *g, const char *virtio_ini,
			unsigned int flags)
{
	char ini[2048];
	struct iommu_ctx_opts co;

	snprintf(ini, sizeof(ini),
		 "[iommu]\n"
		 "backend = virtio\n"
		 "default_domain = dma\n"
		 "invalidation = strict\n"
		 "[memory]\n"
		 "ram_size = 64M\n"
		 "table_base = 0x3000000\n"
		 "table_size = 0x1000000\n"
		 "[device.a]\nid = 0x8\n"
		 "[device.b]\nid = 0x10\n"
		 "[device.c]\nid = 0x18\n"
		 "[device.d]\nid = 0x20\n"
		 "[virtio]\n%s\n",
		 virtio_ini ? virtio_ini : "");
	memset(&co, 0, sizeof(co));
	co.ini_string = ini;
	co.log = vg_log;
	co.log_level = IOMMU_LOG_ERR;
	co.irq = vg_irq;
	co.irq_cookie = g;
	co.flags = IOMMU_CTX_NO_DRIVER | flags;
	co.errbuf = g->err;
	co.errbuf_len = sizeof(g->err);
	g->ctx = NULL;
	return iommu_ctx_create(&co, &g->ctx);
}

void vg_setup(struct vg *g, const struct vg_opts *o)
{
	struct vg_opts d = vg_default_opts();
	int ret;

	memset(g, 0, sizeof(*g));
	if (!o)
		o = &d;
	g->opts = *o;
	if (!g->opts.accept)
		g->opts.accept = VG_ALL_FEATURES;
	if (!g->opts.rq_num)
		g->opts.rq_num = 256;
	if (!g->opts.eq_num)
		g->opts.eq_num = 64;
	if (!g->opts.evt_size)
		g->opts.evt_size = 24;
	ret = vg_create_ctx_flags(g, o->virtio_ini, o->ctx_flags);
	cr_assert_eq(ret, 0, "iommu_ctx_create: %d (%s)", ret, g->err);
	vg_init(g, &g->opts);
}

void vg_teardown(struct vg *g)
{
	iommu_ctx_destroy(g->ctx);
	g->ctx = NULL;
}

uint64_t vg_rd(struct vg *g, uint64_t off, unsigned int size)
{
	uint64_t v = 0;
	int ret = iommu_hw_mmio_read(g->ctx, off, size, &v);

	cr_assert_eq(ret, 0, "mmio_read(0x%llx, %u): %d",
		     (unsigned long long)off, size, ret);
	return v;
}

void vg_wr(struct vg *g, uint64_t off, unsigned int size, uint64_t val)
{
	int ret = iommu_hw_mmio_write(g->ctx, off, size, val);

	cr_assert_eq(ret, 0, "mmio_write(0x%llx, %u, 0x%llx): %d",
		     (unsigned long long)off, size, (unsigned long long)val,
		     ret);
}

uint32_t vg_status_reg(struct vg *g)
{
	return vg_rd32(g, VMMIO_STATUS);
}

uint8_t vg_cfg_bypass(struct vg *g)
{
	return (uint8_t)vg_rd(g, VMMIO_CONFIG + VIOMMU_CFG_BYPASS, 1);
}

void vg_mem_wr(struct vg *g, uint64_t pa, const void *buf, size_t len)
{
	int ret = iommu_mem_write(g->ctx, pa, buf, len);

	cr_assert_eq(ret, 0, "mem_write(0x%llx, %zu): %d",
		     (unsigned long long)pa, len, ret);
}

void vg_mem_rd(struct vg *g, uint64_t pa, void *buf, size_t len)
{
	int ret = iommu_mem_read(g->ctx, pa, buf, len);

	cr_assert_eq(ret, 0, "mem_read(0x%llx, %zu): %d",
		     (unsigned long long)pa, len, ret);
}

void vg_mem_fill(struct vg *g, uint64_t pa, uint8_t byte, size_t len)
{
	uint8_t buf[4096];

	memset(buf, byte, sizeof(buf));
	while (len) {
		size_t n = len < sizeof(buf) ? len : sizeof(buf);

		vg_mem_wr(g, pa, buf, n);
		pa += n;
		len -= n;
	}
}

/* ---- encoders (spec sheet 2.3, 7.1) --------------------------------- */

size_t vg_enc_attach(uint8_t b[20], uint32_t domain, uint32_t ep,
		     uint32_t flags)
{
	memset(b, 0, 20);
	b[VIOMMU_REQ_TYPE] = VIRTIO_IOMMU_T_ATTACH;
	vio_put32(b + VIOMMU_ATTACH_DOMAIN, domain);
	vio_put32(b + VIOMMU_ATTACH_EP, ep);
	vio_put32(b + VIOMMU_ATTACH_FLAGS, flags);
	return VIOMMU_ATTACH_RD_SIZE;
}

size_t vg_enc_detach(uint8_t b[20], uint32_t domain, uint32_t ep)
{
	memset(b, 0, 20);
	b[VIOMMU_REQ_TYPE] = VIRTIO_IOMMU_T_DETACH;
	vio_put32(b + 4, domain);
	vio_put32(b + 8, ep);
	return VIOMMU_DETACH_RD_SIZE;
}

size_t vg_enc_map(uint8_t b[36], uint32_t domain, uint64_t vstart,
		  uint64_t vend, uint64_t pstart, uint32_t flags)
{
	memset(b, 0, 36);
	b[VIOMMU_REQ_TYPE] = VIRTIO_IOMMU_T_MAP;
	vio_put32(b + VIOMMU_MAP_DOMAIN, domain);
	vio_put64(b + VIOMMU_MAP_VSTART, vstart);
	vio_put64(b + VIOMMU_MAP_VEND, vend);
	vio_put64(b + VIOMMU_MAP_PSTART, pstart);
	vio_put32(b + VIOMMU_MAP_FLAGS, flags);
	return VIOMMU_MAP_RD_SIZE;
}

size_t vg_enc_unmap(uint8_t b[28], uint32_t domain, uint64_t vstart,
		    uint64_t vend)
{
	memset(b, 0, 28);
	b[VIOMMU_REQ_TYPE] = VIRTIO_IOMMU_T_UNMAP;
	vio_put32(b + VIOMMU_UNMAP_DOMAIN, domain);
	vio_put64(b + VIOMMU_UNMAP_VSTART, vstart);
	vio_put64(b + VIOMMU_UNMAP_VEND, vend);
	return VIOMMU_UNMAP_RD_SIZE;
}

size_t vg_enc_probe(uint8_t b[72], uint32_t ep)
{
	memset(b, 0, 72);
	b[VIOMMU_REQ_TYPE] = VIRTIO_IOMMU_T_PROBE;
	vio_put32(b + VIOMMU_PROBE_EP, ep);
	return VIOMMU_PROBE_RD_SIZE;
}

void vg_enc_desc(uint8_t b[16], uint64_t addr, uint32_t len, uint16_t flags,
		 uint16_t next)
{
	vio_put64(b, addr);
	vio_put32(b + 8, len);
	vio_put16(b + 12, flags);
	vio_put16(b + 14, next);
}

void vg_desc(struct vg *g, unsigned int q, uint16_t i, uint64_t addr,
	     uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t b[16];

	vg_enc_desc(b, addr, len, flags, next);
	vg_mem_wr(g, g->q[q].desc + 16ull * i, b, 16);
}

/* ---- transport ------------------------------------------------------ */

static void vg_clear(struct vg *g, uint64_t pa, uint64_t len)
{
	if (pa + len <= VG_RAM_SIZE)
		vg_mem_fill(g, pa, 0, len);
}

static void vg_setup_queue(struct vg *g, unsigned int qi, uint16_t num,
			   uint64_t base, uint64_t avail, uint64_t used)
{
	struct vg_queue *q = &g->q[qi];
	uint32_t max;

	q->num = num;
	q->desc = base;
	q->avail = avail ? avail : base + VG_AVAIL_OFF;
	q->used = used ? used : base + VG_USED_OFF;
	q->avail_idx = 0;
	q->used_seen = 0;
	vg_clear(g, q->desc, vring_desc_bytes(num));
	vg_clear(g, q->avail, vring_avail_bytes(num));
	vg_clear(g, q->used, vring_used_bytes(num));

	vg_wr32(g, VMMIO_QUEUE_SEL, qi);
	cr_assert_eq(vg_rd32(g, VMMIO_QUEUE_READY), 0, "queue %u ready", qi);
	max = vg_rd32(g, VMMIO_QUEUE_NUM_MAX);
	cr_assert(max >= num, "QueueNumMax %u < %u", max, num);
	vg_wr32(g, VMMIO_QUEUE_NUM, num);
	vg_wr32(g, VMMIO_QUEUE_DESC_LOW, (uint32_t)q->desc);
	vg_wr32(g, VMMIO_QUEUE_DESC_HIGH, (uint32_t)(q->desc >> 32));
	vg_wr32(g, VMMIO_QUEUE_DRIVER_LOW, (uint32_t)q->avail);
	vg_wr32(g, VMMIO_QUEUE_DRIVER_HIGH, (uint32_t)(q->avail >> 32));
	vg_wr32(g, VMMIO_QUEUE_DEVICE_LOW, (uint32_t)q->used);
	vg_wr32(g, VMMIO_QUEUE_DEVICE_HIGH, (uint32_t)(q->used >> 32));
	vg_wr32(g, VMMIO_QUEUE_READY, 1);
	cr_assert_eq(vg_rd32(g, VMMIO_QUEUE_READY), 1, "queue %u not ready",
		     qi);
}

void vg_reset(struct vg *g)
{
	vg_wr32(g, VMMIO_STATUS, 0);
	cr_assert_eq(vg_status_reg(g), 0, "status after reset");
	memset(g->q, 0, sizeof(g->q));
}

void vg_init(struct vg *g, const struct vg_opts *o)
{
	uint32_t st;
	uint64_t accept = o->accept ? o->accept : VG_ALL_FEATURES;

	vg_reset(g);
	cr_assert_eq(vg_rd32(g, VMMIO_MAGIC_VALUE), VMMIO_MAGIC);
	cr_assert_eq(vg_rd32(g, VMMIO_VERSION), VMMIO_VERSION_MODERN);
	cr_assert_eq(vg_rd32(g, VMMIO_DEVICE_ID), VIRTIO_ID_IOMMU);
	vg_wr32(g, VMMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	vg_wr32(g, VMMIO_STATUS,
		VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);

	vg_wr32(g, VMMIO_DEVICE_FEATURES_SEL, 0);
	g->dev_features = vg_rd32(g, VMMIO_DEVICE_FEATURES);
	vg_wr32(g, VMMIO_DEVICE_FEATURES_SEL, 1);
	g->dev_features |= (uint64_t)vg_rd32(g, VMMIO_DEVICE_FEATURES) << 32;
	g->features = g->dev_features & accept;
	vg_wr32(g, VMMIO_DRIVER_FEATURES_SEL, 0);
	vg_wr32(g, VMMIO_DRIVER_FEATURES, (uint32_t)g->features);
	vg_wr32(g, VMMIO_DRIVER_FEATURES_SEL, 1);
	vg_wr32(g, VMMIO_DRIVER_FEATURES, (uint32_t)(g->features >> 32));
	st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
	     VIRTIO_STATUS_FEATURES_OK;
	vg_wr32(g, VMMIO_STATUS, st);
	cr_assert(vg_status_reg(g) & VIRTIO_STATUS_FEATURES_OK,
		  "device refused features 0x%llx",
		  (unsigned long long)g->features);

	vg_setup_queue(g, VIOMMU_REQUEST_VQ, o->rq_num ? o->rq_num : 256,
		       VG_RQ_BASE, o->rq_avail, o->rq_used);
	vg_setup_queue(g, VIOMMU_EVENT_VQ, o->eq_num ? o->eq_num : 64,
		       VG_EQ_BASE, 0, 0);
	vg_wr32(g, VMMIO_STATUS, st | VIRTIO_STATUS_DRIVER_OK);
	if (o->rq_avail || o->rq_used) /* hostile layout: may be refused */
		cr_assert_eq(vg_status_reg(g) & ~VIRTIO_STATUS_NEEDS_RESET,
			     st | VIRTIO_STATUS_DRIVER_OK);
	else
		cr_assert_eq(vg_status_reg(g), st | VIRTIO_STATUS_DRIVER_OK);

	g->probe_size = (uint32_t)vg_rd(g, VMMIO_CONFIG + VIOMMU_CFG_PROBE_SIZE,
					 4);
	if (o->bypass >= 0)
		vg_wr(g, VMMIO_CONFIG + VIOMMU_CFG_BYPASS, 1,
		      (uint64_t)o->bypass);
	if (o->evt_bufs)
		vg_evt_post(g, o->evt_bufs, o->evt_size ? o->evt_size : 24);
}

/* ---- virtqueue ------------------------------------------------------ */

void vg_publish(struct vg *g, unsigned int qi, uint16_t head)
{
	struct vg_queue *q = &g->q[qi];
	uint8_t b[2];

	vio_put16(b, head);
	vg_mem_wr(g, q->avail + 4 + 2ull * (q->avail_idx % q->num), b, 2);
	q->avail_idx++;
	vio_put16(b, q->avail_idx);
	vg_mem_wr(g, q->avail + 2, b, 2);
}

void vg_kick(struct vg *g, unsigned int qi)
{
	vg_wr32(g, VMMIO_QUEUE_NOTIFY, qi);
}

uint16_t vg_used_idx(struct vg *g, unsigned int qi)
{
	uint8_t b[2];

	vg_mem_rd(g, g->q[qi].used + 2, b, 2);
	return vio_le16(b);
}

bool vg_pop_used(struct vg *g, unsigned int qi, uint32_t *id, uint32_t *len)
{
	struct vg_queue *q = &g->q[qi];
	uint8_t b[8];

	if (vg_used_idx(g, qi) == q->used_seen)
		return false;
	vg_mem_rd(g, q->used + 4 + 8ull * (q->used_seen % q->num), b, 8);
	q->used_seen++;
	if (id)
		*id = vio_le32(b);
	if (len)
		*len = vio_le32(b + 4);
	return true;
}

void vg_set_used_event(struct vg *g, unsigned int qi, uint16_t ev)
{
	uint8_t b[2];

	vio_put16(b, ev);
	vg_mem_wr(g, g->q[qi].avail + 4 + 2ull * g->q[qi].num, b, 2);
}

uint16_t vg_avail_event(struct vg *g, unsigned int qi)
{
	uint8_t b[2];

	vg_mem_rd(g, g->q[qi].used + 4 + 8ull * g->q[qi].num, b, 2);
	return vio_le16(b);
}

bool vg_req(struct vg *g, const void *rd, size_t rdlen, void *wr,
	    size_t wrlen, uint32_t *used_len)
{
	uint32_t id = 0, len = 0;
	bool got;

	if (rdlen)
		vg_mem_wr(g, VG_REQ_RD, rd, rdlen);
	vg_mem_fill(g, VG_REQ_WR, VG_POISON, wrlen + 64);
	if (rdlen && wrlen) {
		vg_desc(g, 0, 0, VG_REQ_RD, (uint32_t)rdlen, VRING_DESC_F_NEXT,
			1);
		vg_desc(g, 0, 1, VG_REQ_WR, (uint32_t)wrlen,
			VRING_DESC_F_WRITE, 0);
	} else if (rdlen) {
		vg_desc(g, 0, 0, VG_REQ_RD, (uint32_t)rdlen, 0, 0);
	} else {
		vg_desc(g, 0, 0, VG_REQ_WR, (uint32_t)wrlen,
			VRING_DESC_F_WRITE, 0);
	}
	vg_publish(g, 0, 0);
	vg_kick(g, 0);
	got = vg_pop_used(g, 0, &id, &len);
	if (got)
		cr_assert_eq(id, 0, "used id %u for head 0", id);
	if (wr && wrlen)
		vg_mem_rd(g, VG_REQ_WR, wr, wrlen);
	if (used_len)
		*used_len = got ? len : 0;
	return got;
}

int vg_status(struct vg *g, const void *rd, size_t rdlen)
{
	uint8_t tail[4];
	uint32_t len;

	if (!vg_req(g, rd, rdlen, tail, 4, &len))
		return VG_NOUSED;
	if (len == 0)
		return VG_LEN0;
	if (len != 4)
		return VG_BADLEN;
	return tail[0];
}

int vg_attach(struct vg *g, uint32_t domain, uint32_t ep, uint32_t flags)
{
	uint8_t b[20];

	return vg_status(g, b, vg_enc_attach(b, domain, ep, flags));
}

int vg_detach(struct vg *g, uint32_t domain, uint32_t ep)
{
	uint8_t b[20];

	return vg_status(g, b, vg_enc_detach(b, domain, ep));
}

int vg_map(struct vg *g, uint32_t domain, uint64_t vstart, uint64_t vend,
	   uint64_t pstart, uint32_t flags)
{
	uint8_t b[36];

	return vg_status(g, b, vg_enc_map(b, domain, vstart, vend, pstart,
					  flags));
}

int vg_unmap(struct vg *g, uint32_t domain, uint64_t vstart, uint64_t vend)
{
	uint8_t b[28];

	return vg_status(g, b, vg_enc_unmap(b, domain, vstart, vend));
}

int vg_probe(struct vg *g, uint32_t ep, uint8_t *props, uint32_t *used_len)
{
	uint8_t b[72];
	uint8_t wr[4096 + 4];
	uint32_t len;
	size_t wlen = g->probe_size + 4;

	cr_assert(wlen <= sizeof(wr));
	vg_enc_probe(b, ep);
	if (!vg_req(g, b, sizeof(b), wr, wlen, &len))
		return VG_NOUSED;
	if (used_len)
		*used_len = len;
	if (props)
		memcpy(props, wr, g->probe_size);
	if (len == 0)
		return VG_LEN0;
	if (len != wlen)
		return VG_BADLEN;
	return wr[g->probe_size];
}

void vg_batch(struct vg *g, unsigned int n, const void *rd, size_t rdlen,
	      int expect)
{
	unsigned int i, got = 0;
	uint32_t id, len;
	uint8_t tail[4];

	cr_assert(n <= g->q[0].num / 2);
	vg_mem_wr(g, VG_REQ_RD, rd, rdlen);
	for (i = 0; i < n; i++) {
		vg_mem_fill(g, VG_BATCH_TAIL + 16ull * i, VG_POISON, 4);
		vg_desc(g, 0, (uint16_t)(2 * i), VG_REQ_RD, (uint32_t)rdlen,
			VRING_DESC_F_NEXT, (uint16_t)(2 * i + 1));
		vg_desc(g, 0, (uint16_t)(2 * i + 1), VG_BATCH_TAIL + 16ull * i,
			4, VRING_DESC_F_WRITE, 0);
		vg_publish(g, 0, (uint16_t)(2 * i));
	}
	vg_kick(g, 0);
	while (vg_pop_used(g, 0, &id, &len)) {
		cr_assert_eq(id, 2 * got, "used id %u, expected %u (in order)",
			     id, 2 * got);
		cr_assert_eq(len, 4, "used len %u", len);
		vg_mem_rd(g, VG_BATCH_TAIL + 8ull * id, tail, 4);
		cr_assert_eq(tail[0], expect, "status %u, expected %d at avail %u",
			     tail[0], expect, (unsigned)(uint16_t)(g->q[0].used_seen - 1));
		got++;
	}
	cr_assert_eq(got, n, "%u of %u requests answered", got, n);
}

/* ---- events --------------------------------------------------------- */

void vg_evt_post(struct vg *g, unsigned int n, uint32_t size)
{
	struct vg_queue *q = &g->q[VIOMMU_EVENT_VQ];
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint16_t d = q->avail_idx % q->num;

		vg_mem_fill(g, VG_EVT_BUF + 64ull * d, VG_POISON, 64);
		vg_desc(g, VIOMMU_EVENT_VQ, d, VG_EVT_BUF + 64ull * d, size,
			VRING_DESC_F_WRITE, 0);
		vg_publish(g, VIOMMU_EVENT_VQ, d);
	}
	vg_kick(g, VIOMMU_EVENT_VQ);
}

bool vg_evt_pop(struct vg *g, uint8_t rec[24], uint32_t *len)
{
	uint32_t id, l;

	if (!vg_pop_used(g, VIOMMU_EVENT_VQ, &id, &l))
		return false;
	cr_assert(id < g->q[VIOMMU_EVENT_VQ].num, "event used id %u", id);
	vg_mem_rd(g, VG_EVT_BUF + 64ull * id, rec, 24);
	if (len)
		*len = l;
	return true;
}

/* ---- DMA and stats -------------------------------------------------- */

int vg_dma(struct vg *g, uint32_t ep, uint64_t iova, uint64_t len,
	   unsigned int access, struct iommu_translation *out)
{
	struct iommu_translation t;

	memset(&t, 0, sizeof(t));
	int ret = iommu_dma_translate(g->ctx, ep, IOMMU_NO_PASID, iova, len,
				      access, &t);
	if (out)
		*out = t;
	return ret;
}

uint64_t vg_stat(struct vg *g, enum iommu_stat stat)
{
	struct iommu_stats st = { .size = sizeof(st) };

	cr_assert_eq(iommu_get_stats(g->ctx, &st), 0);
	return st.v[stat];
}

void vg_assert_alive(struct vg *g, bool allow_reset)
{
	uint32_t st = vg_status_reg(g);

	if (st & VIRTIO_STATUS_NEEDS_RESET) {
		cr_assert(allow_reset,
			  "device set DEVICE_NEEDS_RESET (status 0x%x)", st);
		vg_init(g, &g->opts);
	}
	cr_assert_eq(vg_attach(g, 0x7777, VG_EP_D, 0), VIRTIO_IOMMU_S_OK,
		     "device no longer serves a valid ATTACH");
	cr_assert_eq(vg_detach(g, 0x7777, VG_EP_D), VIRTIO_IOMMU_S_OK,
		     "device no longer serves a valid DETACH");
}

/* ---- comparison ----------------------------------------------------- */

size_t vg_hex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned int v;
	int used;

	while (*s && n < max) {
		if (*s == ' ') {
			s++;
			continue;
		}
		if (sscanf(s, "%2x%n", &v, &used) != 1)
			break;
		out[n++] = (uint8_t)v;
		s += used;
	}
	return n;
}

static void vg_hexstr(const uint8_t *b, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0;

	out[0] = 0;
	for (i = 0; i < n && o + 4 < outlen; i++)
		o += (size_t)snprintf(out + o, outlen - o, "%02x ", b[i]);
}

void vg_assert_bytes(const uint8_t *got, const uint8_t *exp, size_t n,
		     const char *what)
{
	char a[1600], b[1600];

	if (!memcmp(got, exp, n))
		return;
	vg_hexstr(got, n, a, sizeof(a));
	vg_hexstr(exp, n, b, sizeof(b));
	cr_assert_fail("%s differs\n  got:      %s\n  expected: %s", what, a, b);
}

void vg_fault_decode(const uint8_t rec[24], struct vg_fault *f)
{
	f->reason = rec[0];
	f->flags = vio_le32(rec + 4);
	f->ep = vio_le32(rec + 8);
	f->addr = vio_le64(rec + 16);
	f->reserved_zero = !rec[1] && !rec[2] && !rec[3] &&
			   !vio_le32(rec + 12);
}

/* ---- shared fixture ------------------------------------------------- */

struct vg vg_g;

void vg_std_init(void)
{
	vg_setup(&vg_g, NULL);
}

void vg_std_fini(void)
{
	vg_teardown(&vg_g);
}
