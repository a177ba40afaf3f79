// SPDX-License-Identifier: MIT
/*
 * ag.c - the AMD-Vi tests' guest driver: raw device-table entries, page
 * and GCR3 tables in RAM, registers, the command buffer and the event
 * log, all encoded from the spec sheet (shared/spec/amdvi.md).  See ag.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "ag.h"

#define ADDR_51_12 0x000FFFFFFFFFF000ull

static void ag_irq(void *cookie, unsigned int vector)
{
	struct ag *g = cookie;

	g->irqs++;
	g->last_vector = vector;
	g->irq_mask |= 1u << vector;
}

static void ag_msi(void *cookie, uint32_t dev_id, uint64_t addr, uint32_t data)
{
	struct ag *g = cookie;

	(void)dev_id;
	g->msis++;
	g->msi_addr = addr;
	g->msi_data = data;
}

static void ag_log(void *cookie, enum iommu_log_level level, const char *msg)
{
	(void)cookie;
	(void)level;
	(void)msg;
}

static unsigned int ag_drop_flags;

void ag_next_ctx_with_hint(void)
{
	ag_drop_flags = IOMMU_CTX_NO_HINT;
}

int ag_try_create(struct ag *g, const char *amdvi_ini)
{
	char ini[4096];
	struct iommu_ctx_opts co;

	memset(g, 0, sizeof(*g));
	snprintf(ini, sizeof(ini),
		 "[iommu]\nbackend = amdvi\n"
		 "default_domain = dma\ninvalidation = strict\n"
		 "[memory]\nram_size = 64M\n"
		 "table_base = 0x3000000\ntable_size = 0x1000000\n"
		 "[device.a]\nid = 00:02.0\n"
		 "[device.b]\nid = 00:03.0\n"
		 "[device.c]\nid = 03:00.0\n"
		 "[device.d]\nid = 00:04.0\n"
		 "[amdvi]\n%s\n",
		 amdvi_ini ? amdvi_ini : "");
	memset(&co, 0, sizeof(co));
	co.ini_string = ini;
	co.log = ag_log;
	co.log_level = IOMMU_LOG_ERR;
	co.irq = ag_irq;
	co.irq_cookie = g;
	co.msi = ag_msi;
	co.msi_cookie = g;
	co.flags = (IOMMU_CTX_NO_DRIVER | IOMMU_CTX_NO_HINT) & ~ag_drop_flags;
	ag_drop_flags = 0;
	co.errbuf = g->err;
	co.errbuf_len = sizeof(g->err);
	g->next_pg = AG_ALLOC;
	return iommu_ctx_create(&co, &g->ctx);
}

void ag_create(struct ag *g, const char *amdvi_ini)
{
	int ret = ag_try_create(g, amdvi_ini);

	cr_assert_eq(ret, 0, "iommu_ctx_create: %d (%s)", ret, g->err);
}

void ag_destroy(struct ag *g)
{
	iommu_ctx_destroy(g->ctx);
	g->ctx = NULL;
}

uint64_t ag_rd(struct ag *g, uint64_t off, unsigned int size)
{
	uint64_t v = 0;
	int ret = iommu_hw_mmio_read(g->ctx, off, size, &v);

	cr_assert_eq(ret, 0, "mmio_read(0x%llx, %u): %d",
		     (unsigned long long)off, size, ret);
	return v;
}

void ag_wr(struct ag *g, uint64_t off, unsigned int size, uint64_t val)
{
	int ret = iommu_hw_mmio_write(g->ctx, off, size, val);

	cr_assert_eq(ret, 0, "mmio_write(0x%llx, %u): %d",
		     (unsigned long long)off, size, ret);
}

uint64_t ag_r64(struct ag *g, uint64_t off)
{
	return ag_rd(g, off, 8);
}

void ag_w64(struct ag *g, uint64_t off, uint64_t val)
{
	ag_wr(g, off, 8, val);
}

/* Sheet 0: little-endian in memory. */
void ag_mw64(struct ag *g, uint64_t pa, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	cr_assert_eq(iommu_mem_write(g->ctx, pa, b, 8), 0);
}

uint64_t ag_mr64(struct ag *g, uint64_t pa)
{
	uint8_t b[8];
	uint64_t v = 0;

	cr_assert_eq(iommu_mem_read(g->ctx, pa, b, 8), 0);
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

uint64_t ag_page(struct ag *g)
{
	static const uint8_t zero[4096];
	uint64_t pa = g->next_pg;

	cr_assert(pa + PG <= AG_ALLOC_END, "guest allocator exhausted");
	g->next_pg += PG;
	cr_assert_eq(iommu_mem_write(g->ctx, pa, zero, sizeof(zero)), 0);
	return pa;
}

uint64_t ag_stat(struct ag *g, enum iommu_stat s)
{
	struct iommu_stats st = { .size = sizeof(st) };

	cr_assert_eq(iommu_get_stats(g->ctx, &st), 0);
	return st.v[s];
}

/* ---- encoders ------------------------------------------------------------ */

/* 1.2: Size 8:0, DevTabBase 51:12. */
uint64_t enc_dtb(uint64_t base, unsigned int size_field)
{
	return (base & ADDR_51_12) | (size_field & 0x1ff);
}

/* 1.2: base 51:12, Len 59:56. */
uint64_t enc_ring(uint64_t base, unsigned int len)
{
	return (base & ADDR_51_12) | (uint64_t)(len & 0xf) << 56;
}

/* 2.2: V 0, TV 1, Mode 11:9, root 51:12, IR 61, IW 62; DomainID 79:64. */
void enc_dte_v1(uint64_t d[4], unsigned int mode, uint64_t root, bool ir,
		bool iw, unsigned int domid)
{
	d[0] = 3ull | (uint64_t)(mode & 7) << 9 | (root & ADDR_51_12) |
	       (ir ? 1ull << 61 : 0) | (iw ? 1ull << 62 : 0);
	d[1] = domid & 0xffff;
	d[2] = 0;
	d[3] = 0;
}

/* 2.2, 4.2: GIoV 54, GV 55, GLX 57:56, GCR3 [14:12] at 60:58, [30:15] at
 * 95:80, [51:31] at 127:107. */
void enc_dte_gcr3(uint64_t d[4], uint64_t gcr3, unsigned int glx, bool giov,
		  bool ir, bool iw, unsigned int domid)
{
	d[0] = 3ull | (giov ? 1ull << 54 : 0) | 1ull << 55 |
	       (uint64_t)(glx & 3) << 56 | ((gcr3 >> 12) & 7) << 58 |
	       (ir ? 1ull << 61 : 0) | (iw ? 1ull << 62 : 0);
	d[1] = (domid & 0xffff) | ((gcr3 >> 15) & 0xffff) << 16 |
	       ((gcr3 >> 31) & 0x1fffff) << 43;
	d[2] = 0;
	d[3] = 0;
}

/* 2.2 qword 2: IV 128, IntTabLen 132:129, IRT address [51:6] at 179:134
 * (its own bit positions: qword 2 bits 51:6), IntCtl 189:188. */
void enc_dte_irq(uint64_t d[4], unsigned int tab_len_lg2, unsigned int intctl,
		 uint64_t irt)
{
	d[2] = 1ull | (uint64_t)(tab_len_lg2 & 0xf) << 1 |
	       (irt & 0x000FFFFFFFFFFFC0ull) | (uint64_t)(intctl & 3) << 60;
}

/* 3.1: PR 0, NextLevel 0, address 51:12, FC 60, IR 61, IW 62. */
uint64_t enc_pte(uint64_t pa, bool ir, bool iw, bool fc)
{
	return 1ull | (pa & ADDR_51_12) | (fc ? 1ull << 60 : 0) |
	       (ir ? 1ull << 61 : 0) | (iw ? 1ull << 62 : 0);
}

/* 3.5: NextLevel 7, bits [k-2:12] ones, bit k-1 zero. */
uint64_t enc_pte7(uint64_t pa, unsigned int size_lg2, bool ir, bool iw)
{
	uint64_t ones = ((1ull << (size_lg2 - 1)) - 1) & ~0xfffull;

	return 1ull | 7ull << 9 |
	       ((pa & ~((1ull << size_lg2) - 1)) & ADDR_51_12) | ones |
	       (ir ? 1ull << 61 : 0) | (iw ? 1ull << 62 : 0);
}

/* 3.1: a PDE as Linux writes it: PR, NextLevel, IR, IW. */
uint64_t enc_pde(uint64_t table, unsigned int next_level)
{
	return 1ull | (uint64_t)(next_level & 7) << 9 | (table & ADDR_51_12) |
	       3ull << 61;
}

/* 5.3 COMPLETION_WAIT: S 0, I 1, address 51:3, opcode 1. */
void enc_cw(uint64_t c[2], bool s, bool i, uint64_t addr, uint64_t data)
{
	c[0] = (s ? 1ull : 0) | (i ? 2ull : 0) |
	       (addr & 0x000FFFFFFFFFFFF8ull) | 1ull << 60;
	c[1] = data;
}

void enc_inv_dte(uint64_t c[2], unsigned int devid)
{
	c[0] = (devid & 0xffff) | 2ull << 60;
	c[1] = 0;
}

/* 5.3 INVALIDATE_IOMMU_PAGES: PASID 19:0, DomainID 47:32, opcode 3;
 * S 64, PDE 65, GN 66, address 127:76. */
void enc_inv_pages(uint64_t c[2], unsigned int domid, unsigned int pasid,
		   bool gn, bool pde, bool s, uint64_t addr)
{
	c[0] =
	    (pasid & 0xfffff) | (uint64_t)(domid & 0xffff) << 32 | 3ull << 60;
	c[1] = (s ? 1ull : 0) | (pde ? 2ull : 0) | (gn ? 4ull : 0) |
	       (addr & ~0xfffull);
}

/* 5.4, Linux's encoder: the smallest aligned power of two covering it. */
void enc_inv_range(uint64_t c[2], unsigned int domid, unsigned int pasid,
		   bool gn, uint64_t start, uint64_t size)
{
	uint64_t end = start + size - 1, addr;
	unsigned int m;

	if (size <= PG) {
		enc_inv_pages(c, domid, pasid, gn, true, false, start);
		return;
	}
	m = 63u - (unsigned int)__builtin_clzll(start ^ end);
	if (m > 51)
		addr = 0x7FFFFFFFFFFFF000ull;
	else
		addr = (start | ((1ull << m) - 1)) & ~0xfffull;
	enc_inv_pages(c, domid, pasid, gn, true, true, addr);
}

void enc_inv_all(uint64_t c[2])
{
	c[0] = 8ull << 60;
	c[1] = 0;
}

void enc_inv_irt(uint64_t c[2], unsigned int devid)
{
	c[0] = (devid & 0xffff) | 5ull << 60;
	c[1] = 0;
}

/* 5.3 INVALIDATE_IOTLB_PAGES, PASID bytes as Linux places them. */
void enc_inv_iotlb(uint64_t c[2], unsigned int devid, unsigned int pasid,
		   bool s, uint64_t addr)
{
	c[0] = (devid & 0xffff) | (uint64_t)((pasid >> 8) & 0xff) << 16 |
	       (uint64_t)32 << 24 | (uint64_t)(devid & 0xffff) << 32 |
	       (uint64_t)(pasid & 0xff) << 48 |
	       (uint64_t)((pasid >> 16) & 0xf) << 56 | 4ull << 60;
	c[1] = (s ? 1ull : 0) | (pasid ? 4ull : 0) | (addr & ~0xfffull);
}

void enc_prefetch(uint64_t c[2], unsigned int devid, unsigned int count,
		  uint64_t addr)
{
	c[0] = (devid & 0xffff) | (uint64_t)(count & 0xff) << 24 | 6ull << 60;
	c[1] = addr & ~0xfffull;
}

/* 4.2: index at GCR3 level l. */
unsigned int gcr3_index(unsigned int pasid, unsigned int level)
{
	return (pasid >> (9 * level)) & 0x1ff;
}

/* ---- setup ----------------------------------------------------------------
 */

void ag_init(struct ag *g, unsigned int cmd_len, unsigned int evt_len,
	     uint64_t ctrl)
{
	g->cmd_len = cmd_len;
	g->evt_len = evt_len;
	g->cmd_tail = 0;
	g->evt_head = 0;
	ag_w64(g, R_DTB, enc_dtb(AG_DEVTAB, 0x1ff));
	ag_w64(g, R_CMD_BASE, enc_ring(AG_CMDBUF, cmd_len));
	ag_w64(g, R_EVT_BASE, enc_ring(AG_EVTLOG, evt_len));
	ag_w64(g, R_CMD_HEAD, 0);
	ag_w64(g, R_CMD_TAIL, 0);
	ag_w64(g, R_EVT_HEAD, 0);
	ag_w64(g, R_EVT_TAIL, 0);
	ag_w64(g, R_CTRL, C_IOMMU_EN | C_EVT_EN | C_CMD_EN | ctrl);
}

void ag_set_dte(struct ag *g, unsigned int devid, const uint64_t d[4])
{
	for (unsigned int i = 0; i < 4; i++)
		ag_mw64(g, AG_DEVTAB + 32ull * devid + 8 * i, d[i]);
}

void ag_cmd_raw(struct ag *g, const uint64_t c[2])
{
	const uint32_t size = 16u << g->cmd_len;

	ag_mw64(g, AG_CMDBUF + g->cmd_tail, c[0]);
	ag_mw64(g, AG_CMDBUF + g->cmd_tail + 8, c[1]);
	g->cmd_tail = (g->cmd_tail + 16) % size;
}

void ag_kick(struct ag *g)
{
	ag_w64(g, R_CMD_TAIL, g->cmd_tail);
}

void ag_cmd(struct ag *g, const uint64_t c[2])
{
	ag_cmd_raw(g, c);
	ag_kick(g);
}

bool ag_sync_try(struct ag *g)
{
	uint64_t c[2];

	g->seq++;
	enc_cw(c, true, false, AG_STORE, g->seq);
	ag_cmd(g, c);
	return ag_mr64(g, AG_STORE) == g->seq;
}

void ag_sync(struct ag *g)
{
	cr_assert(ag_sync_try(g), "COMPLETION_WAIT did not store");
}

void ag_flush_dte(struct ag *g, unsigned int devid)
{
	uint64_t c[2];

	enc_inv_dte(c, devid);
	ag_cmd(g, c);
	ag_sync(g);
}

void ag_flush_dom(struct ag *g, unsigned int domid)
{
	uint64_t c[2];

	enc_inv_pages(c, domid, 0, false, true, true, 0x7FFFFFFFFFFFF000ull);
	ag_cmd(g, c);
	ag_sync(g);
}

unsigned int ag_evt_count(struct ag *g)
{
	const uint32_t size = 16u << g->evt_len;
	uint32_t tail = (uint32_t)(ag_r64(g, R_EVT_TAIL) & 0x7fff0);

	return ((tail + size - g->evt_head) % size) / 16;
}

bool ag_evt_pop(struct ag *g, struct ag_ev *e)
{
	const uint32_t size = 16u << g->evt_len;
	uint32_t tail = (uint32_t)(ag_r64(g, R_EVT_TAIL) & 0x7fff0);

	if (tail == g->evt_head)
		return false;
	/* 6.3: DeviceID 15:0, PASID[19:16] 19:16, DomainID 47:32,
	 * flags 59:48, code 63:60, address 127:64. */
	e->raw[0] = ag_mr64(g, AG_EVTLOG + g->evt_head);
	e->raw[1] = ag_mr64(g, AG_EVTLOG + g->evt_head + 8);
	e->devid = e->raw[0] & 0xffff;
	e->pasid_hi = (e->raw[0] >> 16) & 0xf;
	e->domid = (e->raw[0] >> 32) & 0xffff;
	e->flags = (e->raw[0] >> 48) & 0xfff;
	e->code = (unsigned int)(e->raw[0] >> 60);
	e->addr = e->raw[1];
	g->evt_head = (g->evt_head + 16) % size;
	ag_w64(g, R_EVT_HEAD, g->evt_head);
	return true;
}

void ag_evt_expect(struct ag *g, unsigned int code, unsigned int devid,
		   unsigned int flags, uint64_t addr)
{
	struct ag_ev e;

	cr_assert(ag_evt_pop(g, &e), "no event (expected code %u)", code);
	cr_assert_eq(e.code, code, "event code %u, expected %u", e.code, code);
	cr_assert_eq(e.devid, devid, "devid 0x%x", e.devid);
	cr_assert_eq(e.flags, flags, "flags 0x%x, expected 0x%x", e.flags,
		     flags);
	cr_assert_eq(e.addr, addr, "address 0x%llx",
		     (unsigned long long)e.addr);
}

/* ---- tables -----------------------------------------------------------------
 */

static unsigned int v1_idx(uint64_t iova, unsigned int lvl)
{
	return (unsigned int)((iova >> (12 + 9 * (lvl - 1))) & 0x1ff);
}

uint64_t ag_v1_slot(struct ag *g, uint64_t root, unsigned int mode,
		    uint64_t iova, unsigned int lvl)
{
	uint64_t table = root;

	for (unsigned int l = mode; l > lvl; l--) {
		uint64_t pa = table + 8ull * v1_idx(iova, l);
		uint64_t e = ag_mr64(g, pa);

		if (!(e & 1)) {
			uint64_t nt = ag_page(g);

			ag_mw64(g, pa, enc_pde(nt, l - 1));
			table = nt;
		} else {
			table = e & ADDR_51_12;
		}
	}
	return table + 8ull * v1_idx(iova, lvl);
}

void ag_map_v1(struct ag *g, uint64_t root, unsigned int mode, uint64_t iova,
	       uint64_t pa, unsigned int lvl, bool ir, bool iw)
{
	ag_mw64(g, ag_v1_slot(g, root, mode, iova, lvl),
		enc_pte(pa, ir, iw, true));
}

void ag_map_v2(struct ag *g, uint64_t cr3, unsigned int levels, uint64_t iova,
	       uint64_t pa, unsigned int lvl, uint64_t flags)
{
	uint64_t table = cr3;

	for (unsigned int l = levels; l > lvl; l--) {
		uint64_t slot = table + 8ull * v1_idx(iova, l);
		uint64_t e = ag_mr64(g, slot);

		if (!(e & V2_P)) {
			uint64_t nt = ag_page(g);

			ag_mw64(g, slot, nt | V2_P | V2_RW | V2_US | V2_A);
			table = nt;
		} else {
			table = e & ADDR_51_12;
		}
	}
	ag_mw64(g, table + 8ull * v1_idx(iova, lvl),
		(pa & ADDR_51_12) | flags | (lvl > 1 ? V2_PS : 0));
}

void ag_gcr3_set(struct ag *g, uint64_t root, unsigned int glx,
		 unsigned int pasid, uint64_t cr3)
{
	uint64_t table = root;

	for (unsigned int l = glx; l > 0; l--) {
		uint64_t slot = table + 8ull * gcr3_index(pasid, l);
		uint64_t e = ag_mr64(g, slot);

		if (!(e & 1)) {
			uint64_t nt = ag_page(g);

			ag_mw64(g, slot, nt | 1);
			table = nt;
		} else {
			table = e & ADDR_51_12;
		}
	}
	ag_mw64(g, table + 8ull * gcr3_index(pasid, 0), cr3 | 1);
}

/* ---- DMA --------------------------------------------------------------------
 */

int ag_xl(struct ag *g, unsigned int devid, uint32_t pasid, uint64_t iova,
	  unsigned int access, struct iommu_translation *out)
{
	memset(out, 0, sizeof(*out));
	return iommu_dma_translate(g->ctx, devid, pasid, iova, 4, access, out);
}

void ag_expect(struct ag *g, unsigned int devid, uint32_t pasid, uint64_t iova,
	       unsigned int access, uint64_t phys)
{
	struct iommu_translation t;
	int ret = ag_xl(g, devid, pasid, iova, access, &t);

	cr_assert_eq(ret, 0, "translate 0x%llx: %d", (unsigned long long)iova,
		     ret);
	cr_assert_eq(t.phys, phys, "0x%llx -> 0x%llx, expected 0x%llx",
		     (unsigned long long)iova, (unsigned long long)t.phys,
		     (unsigned long long)phys);
}

void ag_expect_fault(struct ag *g, unsigned int devid, uint32_t pasid,
		     uint64_t iova, unsigned int access)
{
	struct iommu_translation t;
	int ret = ag_xl(g, devid, pasid, iova, access, &t);

	cr_assert_eq(ret, -EFAULT, "translate 0x%llx: %d, expected -EFAULT",
		     (unsigned long long)iova, ret);
}

uint64_t ag_v1_dev(struct ag *g, unsigned int devid, unsigned int mode,
		   unsigned int domid)
{
	uint64_t root = ag_page(g), d[4];

	enc_dte_v1(d, mode, root, true, true, domid);
	ag_set_dte(g, devid, d);
	return root;
}
