// SPDX-License-Identifier: MIT
/*
 * vtdg.c - the VT-d tests' guest driver: raw tables in RAM, registers,
 * the invalidation queue and fault recording registers, all encoded from
 * the spec sheet (shared/spec/vtd.md).  See vtdg.h for the layout.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "vtdg.h"

#define ADDR_MASK 0x000FFFFFFFFFF000ull /* bits 51:12 */

static void vt_irq(void *cookie, unsigned int vector)
{
	struct vt *g = cookie;

	g->irqs++;
	g->last_vector = vector;
}

static void vt_log(void *cookie, enum iommu_log_level level, const char *msg)
{
	(void)cookie;
	(void)level;
	(void)msg;
}

static unsigned int vt_extra_flags;

void vt_next_ctx_flags(unsigned int flags)
{
	vt_extra_flags = flags;
}

int vt_try_create(struct vt *g, bool driver, const char *iommu_ini,
		  const char *vtd_ini)
{
	char ini[4096];
	struct iommu_ctx_opts co;

	memset(g, 0, sizeof(*g));
	snprintf(ini, sizeof(ini),
		 "[iommu]\n"
		 "backend = vtd\n"
		 "%s\n"
		 "[memory]\n"
		 "ram_size = 64M\n"
		 "table_base = 0x3000000\n"
		 "table_size = 0x1000000\n"
		 "[device.a]\nid = 00:02.0\n"
		 "[device.b]\nid = 00:03.0\n"
		 "[device.c]\nid = 03:00.0\n"
		 "[device.d]\nid = 00:10.5\n"
		 "[device.e]\nid = 00:04.0\nfeatures = aux\npasid_bits = 20\n"
		 "[vtd]\n%s\n",
		 iommu_ini ? iommu_ini
			   : "default_domain = dma\ninvalidation = strict",
		 vtd_ini ? vtd_ini : "");
	memset(&co, 0, sizeof(co));
	co.ini_string = ini;
	co.log = vt_log;
	co.log_level = IOMMU_LOG_ERR;
	co.irq = vt_irq;
	co.irq_cookie = g;
	co.flags = (driver ? 0 : IOMMU_CTX_NO_DRIVER) | vt_extra_flags;
	vt_extra_flags = 0;
	co.errbuf = g->err;
	co.errbuf_len = sizeof(g->err);
	g->driver = driver;
	g->next_pg = VT_ALLOC_BASE;
	return iommu_ctx_create(&co, &g->ctx);
}

void vt_create2(struct vt *g, bool driver, const char *iommu_ini,
		const char *vtd_ini)
{
	int ret = vt_try_create(g, driver, iommu_ini, vtd_ini);

	cr_assert_eq(ret, 0, "iommu_ctx_create: %d (%s)", ret, g->err);
	g->cap = vt_rd64(g, R_CAP);
	g->ecap = vt_rd64(g, R_ECAP);
	/* sheet 2.2: FRO bits 33:24 (x16), NFR bits 47:40 (+1);
	 * 2.3: IRO bits 17:8 (x16) */
	g->fro = ((g->cap >> 24) & 0x3ff) * 16;
	g->nfr = (unsigned int)((g->cap >> 40) & 0xff) + 1;
	g->iro = ((g->ecap >> 8) & 0x3ff) * 16;
}

void vt_create(struct vt *g, bool driver, const char *vtd_ini)
{
	vt_create2(g, driver, NULL, vtd_ini);
}

void vt_destroy(struct vt *g)
{
	iommu_ctx_destroy(g->ctx);
	g->ctx = NULL;
}

/* ---- MMIO and memory ---------------------------------------------------- */

uint64_t vt_rd(struct vt *g, uint64_t off, unsigned int size)
{
	uint64_t v = 0;
	int ret = iommu_hw_mmio_read(g->ctx, off, size, &v);

	cr_assert_eq(ret, 0, "mmio_read(0x%llx, %u): %d",
		     (unsigned long long)off, size, ret);
	return v;
}

void vt_wr(struct vt *g, uint64_t off, unsigned int size, uint64_t val)
{
	int ret = iommu_hw_mmio_write(g->ctx, off, size, val);

	cr_assert_eq(ret, 0, "mmio_write(0x%llx, %u, 0x%llx): %d",
		     (unsigned long long)off, size, (unsigned long long)val,
		     ret);
}

void vt_mem_wr(struct vt *g, uint64_t pa, const void *buf, size_t len)
{
	int ret = iommu_mem_write(g->ctx, pa, buf, len);

	cr_assert_eq(ret, 0, "mem_write(0x%llx, %zu): %d",
		     (unsigned long long)pa, len, ret);
}

void vt_mem_rd(struct vt *g, uint64_t pa, void *buf, size_t len)
{
	int ret = iommu_mem_read(g->ctx, pa, buf, len);

	cr_assert_eq(ret, 0, "mem_read(0x%llx, %zu): %d",
		     (unsigned long long)pa, len, ret);
}

/* Sheet 0: every structure is little-endian 64-bit words. */
void vt_wr64(struct vt *g, uint64_t pa, uint64_t v)
{
	uint8_t b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	vt_mem_wr(g, pa, b, 8);
}

uint64_t vt_rd64m(struct vt *g, uint64_t pa)
{
	uint8_t b[8];
	uint64_t v = 0;
	int i;

	vt_mem_rd(g, pa, b, 8);
	for (i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

uint64_t vt_page(struct vt *g, unsigned int order)
{
	uint64_t size = PG << order;
	uint64_t pa = (g->next_pg + size - 1) & ~(size - 1);
	static const uint8_t zero[4096];
	uint64_t off;

	cr_assert(pa + size <= VT_ALLOC_END, "guest table allocator exhausted");
	g->next_pg = pa + size;
	for (off = 0; off < size; off += PG)
		vt_mem_wr(g, pa + off, zero, sizeof(zero));
	return pa;
}

/* ---- encoders ------------------------------------------------------------ */

/* Sheet 3.1: P bit 0, CTP 63:12; QW1 reserved. */
void enc_root(uint64_t e[2], uint64_t ctp, bool p)
{
	e[0] = (ctp & ~0xfffull) | (p ? 1 : 0);
	e[1] = 0;
}

/* Sheet 4.1: LP bit 0, LCTP 63:12; UP bit 64, UCTP 127:76. */
void enc_sm_root(uint64_t e[2], uint64_t lctp, bool lp, uint64_t uctp, bool up)
{
	e[0] = (lctp & ~0xfffull) | (lp ? 1 : 0);
	e[1] = (uctp & ~0xfffull) | (up ? 1 : 0);
}

/* Sheet 3.2: P 0, FPD 1, TT 3:2, SLPTPTR 63:12; AW 66:64, DID 87:72. */
void enc_ctx(uint64_t e[2], uint64_t slptptr, unsigned int tt, unsigned int aw,
	     unsigned int did, bool fpd, bool p)
{
	e[0] = (slptptr & ~0xfffull) | (uint64_t)(tt & 3) << 2 | (fpd ? 2 : 0) |
	       (p ? 1 : 0);
	e[1] = (uint64_t)(aw & 7) | (uint64_t)(did & 0xffff) << 8;
}

/* Sheet 4.2: P 0, FPD 1, DTE 2, PASIDE 3, PRE 4, PDTS 11:9, dir 63:12;
 * RID_PASID 83:64. */
void enc_sm_ctx(uint64_t e[4], uint64_t pasiddir, unsigned int pdts,
		unsigned int flags, uint32_t rid_pasid, bool p)
{
	e[0] = (pasiddir & ~0xfffull) | (uint64_t)(pdts & 7) << 9 |
	       (flags & 0x1e) | (p ? 1 : 0);
	e[1] = rid_pasid & 0xfffff;
	e[2] = 0;
	e[3] = 0;
}

/* Sheet 4.3: P 0, FPD 1, table 63:12. */
uint64_t enc_pde(uint64_t table, bool fpd, bool p)
{
	return (table & ~0xfffull) | (fpd ? 2 : 0) | (p ? 1 : 0);
}

/* Sheet 4.4. */
void enc_pe(uint64_t e[8], const struct pe *pe)
{
	memset(e, 0, 8 * sizeof(e[0]));
	e[0] = (pe->p ? 1ull : 0) | (pe->fpd ? 2ull : 0) |
	       (uint64_t)(pe->aw & 7) << 2 | (pe->slee ? 1ull << 5 : 0) |
	       (uint64_t)(pe->pgtt & 7) << 6 | (pe->slade ? 1ull << 9 : 0) |
	       (pe->slptptr & ~0xfffull);
	e[1] = (uint64_t)(pe->did & 0xffff) | (pe->pwsnp ? 1ull << 23 : 0) |
	       (pe->pgsnp ? 1ull << 24 : 0);
	e[2] = (pe->sre ? 1ull : 0) | (pe->ere ? 2ull : 0) |
	       (uint64_t)(pe->flpm & 3) << 2 | (pe->wpe ? 1ull << 4 : 0) |
	       (pe->nxe ? 1ull << 5 : 0) | (pe->smep ? 1ull << 6 : 0) |
	       (pe->flptptr & ~0xfffull);
}

uint64_t enc_sl(uint64_t addr, uint64_t flags)
{
	return (addr & ADDR_MASK) | flags;
}

uint64_t enc_fl(uint64_t addr, uint64_t flags)
{
	return (addr & ADDR_MASK) | flags;
}

static void dsc_zero(uint64_t q[4])
{
	q[0] = q[1] = q[2] = q[3] = 0;
}

/* Sheet 6.3: type 1, G 5:4, DID 31:16, SID 47:32, FM 49:48. */
void dsc_cc(uint64_t q[4], unsigned int g, unsigned int did, unsigned int sid,
	    unsigned int fm)
{
	dsc_zero(q);
	q[0] = 0x1 | (uint64_t)(g & 3) << 4 | (uint64_t)(did & 0xffff) << 16 |
	       (uint64_t)(sid & 0xffff) << 32 | (uint64_t)(fm & 3) << 48;
}

/* Sheet 6.4: type 2, G 5:4, DW 6, DR 7, DID 31:16; AM 5:0, IH 6, ADDR. */
void dsc_iotlb(uint64_t q[4], unsigned int g, bool dr, bool dw,
	       unsigned int did, uint64_t addr, unsigned int am, bool ih)
{
	dsc_zero(q);
	q[0] = 0x2 | (uint64_t)(g & 3) << 4 | (dw ? 1ull << 6 : 0) |
	       (dr ? 1ull << 7 : 0) | (uint64_t)(did & 0xffff) << 16;
	q[1] = (addr & ~0xfffull) | (ih ? 1ull << 6 : 0) | (am & 0x3f);
}

/* Sheet 6.5: type 3, PFSID 15:12 and 63:52, MIP 20:16, SID 47:32; S 0. */
void dsc_devtlb(uint64_t q[4], unsigned int sid, unsigned int pfsid,
		unsigned int mip, uint64_t addr, bool s)
{
	dsc_zero(q);
	q[0] = 0x3 | (uint64_t)(pfsid & 0xf) << 12 |
	       (uint64_t)(mip & 0x1f) << 16 | (uint64_t)(sid & 0xffff) << 32 |
	       (uint64_t)((pfsid >> 4) & 0xfff) << 52;
	q[1] = (addr & ~0xfffull) | (s ? 1 : 0);
}

/* Sheet 6.6: type 4, G 4, IM 31:27, IIDX 47:32. */
void dsc_iec(uint64_t q[4], bool index_sel, unsigned int iidx, unsigned int im)
{
	dsc_zero(q);
	q[0] = 0x4 | (index_sel ? 1ull << 4 : 0) | (uint64_t)(im & 0x1f) << 27 |
	       (uint64_t)(iidx & 0xffff) << 32;
}

/* Sheet 6.7: type 5, IF 4, SW 5, FN 6, data 63:32; address 63:2. */
void dsc_wait(uint64_t q[4], bool iflag, bool sw, bool fn, uint32_t data,
	      uint64_t addr)
{
	dsc_zero(q);
	q[0] = 0x5 | (iflag ? 1ull << 4 : 0) | (sw ? 1ull << 5 : 0) |
	       (fn ? 1ull << 6 : 0) | (uint64_t)data << 32;
	q[1] = addr & ~3ull;
}

/* Sheet 6.8: type 6, G 5:4, DID 31:16, PASID 51:32; AM, IH, ADDR. */
void dsc_piotlb(uint64_t q[4], unsigned int g, unsigned int did, uint32_t pasid,
		uint64_t addr, unsigned int am, bool ih)
{
	dsc_zero(q);
	q[0] = 0x6 | (uint64_t)(g & 3) << 4 | (uint64_t)(did & 0xffff) << 16 |
	       (uint64_t)(pasid & 0xfffff) << 32;
	q[1] = (addr & ~0xfffull) | (ih ? 1ull << 6 : 0) | (am & 0x3f);
}

/* Sheet 6.9: type 7, G 5:4, DID 31:16, PASID 51:32. */
void dsc_pc(uint64_t q[4], unsigned int g, unsigned int did, uint32_t pasid)
{
	dsc_zero(q);
	q[0] = 0x7 | (uint64_t)(g & 3) << 4 | (uint64_t)(did & 0xffff) << 16 |
	       (uint64_t)(pasid & 0xfffff) << 32;
}

/* Sheet 6.10: type 8, MIP 8:4, SID 31:16, PASID 51:32; G 0, S 11. */
void dsc_pdevtlb(uint64_t q[4], unsigned int sid, uint32_t pasid,
		 unsigned int mip, bool gl, bool s, uint64_t addr)
{
	dsc_zero(q);
	q[0] = 0x8 | (uint64_t)(mip & 0x1f) << 4 |
	       (uint64_t)(sid & 0xffff) << 16 |
	       (uint64_t)(pasid & 0xfffff) << 32;
	q[1] = (addr & ~0xfffull) | (s ? 1ull << 11 : 0) | (gl ? 1 : 0);
}

/* Sheet 6.11: type 9, PP 4, RC 15:12, RID 31:16, PASID 51:32; PRGI 11:3. */
void dsc_pgrp(uint64_t q[4], bool pp, unsigned int rc, unsigned int rid,
	      uint32_t pasid, unsigned int prgi)
{
	dsc_zero(q);
	q[0] = 0x9 | (pp ? 1ull << 4 : 0) | (uint64_t)(rc & 0xf) << 12 |
	       (uint64_t)(rid & 0xffff) << 16 |
	       (uint64_t)(pasid & 0xfffff) << 32;
	q[1] = (uint64_t)(prgi & 0x1ff) << 3;
}

/* Sheet 7.1. */
void dec_frcd(const uint64_t raw[2], struct frec *f)
{
	memset(f, 0, sizeof(*f));
	f->raw[0] = raw[0];
	f->raw[1] = raw[1];
	f->fi = raw[0] & ~0xfffull;
	f->sid = raw[1] & 0xffff;
	f->pp = raw[1] >> 31 & 1;
	f->fr = (raw[1] >> 32) & 0xff;
	f->pv = (raw[1] >> 40) & 0xfffff;
	f->priv = raw[1] >> 29 & 1;
	f->exe = raw[1] >> 30 & 1;
	f->at = (raw[1] >> 60) & 3;
	f->t1 = raw[1] >> 62 & 1;
	f->f = raw[1] >> 63 & 1;
}

/* ---- bring-up -------------------------------------------------------------
 */

static void vt_poll_gsts(struct vt *g, uint32_t bit, bool want)
{
	int i;

	for (i = 0; i < 1000; i++)
		if (!!(vt_rd32(g, R_GSTS) & bit) == want)
			return;
	cr_assert_fail("GSTS bit 0x%x never became %d (GSTS 0x%x)", bit, want,
		       vt_rd32(g, R_GSTS));
}

/* Sheet 2.4: GCMD = persistent enables | the one command. */
void vt_gcmd(struct vt *g, uint32_t bit, bool on)
{
	if (bit == G_TE || bit == G_QIE || bit == G_IRE) {
		if (on)
			g->gcmd |= bit;
		else
			g->gcmd &= ~bit;
		vt_wr(g, R_GCMD, 4, g->gcmd);
		vt_poll_gsts(g, bit, on);
		return;
	}
	vt_wr(g, R_GCMD, 4, g->gcmd | bit);
	if (bit == G_SRTP)
		vt_poll_gsts(g, bit, true);
}

void vt_set_root(struct vt *g, uint64_t rtaddr)
{
	vt_wr(g, R_RTADDR, 8, rtaddr | (g->sm ? 1ull << 10 : 0));
	vt_gcmd(g, G_SRTP, true);
}

/* Sheet 6.1: IQT = 0, IQA, then QIE. */
void vt_qi_enable(struct vt *g, unsigned int dw, unsigned int qs)
{
	g->dw = dw;
	g->qs = qs;
	g->entries = 1u << (qs + (dw ? 7 : 8));
	g->tail = 0;
	vt_wr(g, R_IQT, 8, 0);
	vt_wr(g, R_IQA, 8, VT_IQ_BASE | (uint64_t)dw << 11 | qs);
	vt_gcmd(g, G_QIE, true);
}

void vt_guest_init(struct vt *g, bool sm)
{
	g->sm = sm;
	vt_set_root(g, VT_ROOT);
	vt_qi_enable(g, sm ? 1 : 0, 0);
	vt_inv_cc_global(g);
	if (sm)
		vt_inv_pc_global(g);
	vt_inv_iotlb_global(g);
	vt_gcmd(g, G_TE, true);
}

/* ---- queue -------------------------------------------------------------- */

static void vt_qput(struct vt *g, const uint64_t q[4])
{
	unsigned int size = g->dw ? 32 : 16;
	unsigned int i;

	for (i = 0; i < size / 8; i++)
		vt_wr64(g, VT_IQ_BASE + (uint64_t)g->tail * size + 8 * i, q[i]);
	g->tail = (g->tail + 1) % g->entries;
}

void vt_qsubmit(struct vt *g, const uint64_t q[4])
{
	vt_qput(g, q);
	vt_wr(g, R_IQT, 8, (uint64_t)g->tail << (g->dw ? 5 : 4));
}

void vt_qsubmit_n(struct vt *g, const uint64_t (*q)[4], unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		vt_qput(g, q[i]);
	vt_wr(g, R_IQT, 8, (uint64_t)g->tail << (g->dw ? 5 : 4));
}

void vt_qwait_(struct vt *g)
{
	uint64_t q[4];
	uint64_t addr = VT_STATUS + 4 * (g->wait_seq % 512);
	uint32_t data = ++g->wait_seq, got = 0;
	int i;

	vt_mem_wr(g, addr, &got, 4);
	dsc_wait(q, false, true, false, data, addr);
	vt_qsubmit(g, q);
	for (i = 0; i < 1000 && got != data; i++)
		vt_mem_rd(g, addr, &got, 4);
	cr_assert_eq(got, data,
		     "[%s:%d] wait descriptor status 0x%x, want 0x%x "
		     "(FSTS 0x%x IQH 0x%llx IQT 0x%llx)",
		     g->at_file, g->at_line, got, data, vt_rd32(g, R_FSTS),
		     (unsigned long long)vt_rd64(g, R_IQH),
		     (unsigned long long)vt_rd64(g, R_IQT));
	cr_assert_eq(vt_rd32(g, R_FSTS) & FS_IQE, 0, "[%s:%d] IQE after a wait",
		     g->at_file, g->at_line);
	cr_assert_eq(vt_rd64(g, R_IQH), vt_rd64(g, R_IQT),
		     "[%s:%d] queue not drained after the wait", g->at_file,
		     g->at_line);
}

void vt_qrun_(struct vt *g, const uint64_t q[4])
{
	vt_qsubmit(g, q);
	cr_assert_eq(vt_rd32(g, R_FSTS) & FS_IQE, 0,
		     "[%s:%d] IQE for descriptor 0x%016llx 0x%016llx",
		     g->at_file, g->at_line, (unsigned long long)q[0],
		     (unsigned long long)q[1]);
	vt_qwait_(g);
}

void vt_inv_cc_global(struct vt *g)
{
	uint64_t q[4];

	dsc_cc(q, 1, 0, 0, 0);
	vt_qrun(g, q);
}

void vt_inv_cc_dev(struct vt *g, unsigned int did, unsigned int sid)
{
	uint64_t q[4];

	dsc_cc(q, 3, did, sid, 0);
	vt_qrun(g, q);
}

void vt_inv_iotlb_global(struct vt *g)
{
	uint64_t q[4];

	dsc_iotlb(q, 1, false, false, 0, 0, 0, false);
	vt_qrun(g, q);
}

void vt_inv_iotlb_dom(struct vt *g, unsigned int did)
{
	uint64_t q[4];

	dsc_iotlb(q, 2, false, false, did, 0, 0, false);
	vt_qrun(g, q);
}

void vt_inv_iotlb_page(struct vt *g, unsigned int did, uint64_t addr,
		       unsigned int am)
{
	uint64_t q[4];

	dsc_iotlb(q, 3, false, false, did, addr, am, false);
	vt_qrun(g, q);
}

void vt_inv_pc_global(struct vt *g)
{
	uint64_t q[4];

	dsc_pc(q, 3, 0, 0);
	vt_qrun(g, q);
}

/* ---- tables ------------------------------------------------------------- */

uint64_t vt_ctx_addr(struct vt *g, unsigned int sid)
{
	unsigned int bus = sid >> 8;

	if (!g->ctxt[bus]) {
		uint64_t e[2];

		g->ctxt[bus] = vt_page(g, 0);
		enc_root(e, g->ctxt[bus], true);
		vt_wr64(g, VT_ROOT + 16 * bus, e[0]);
		vt_wr64(g, VT_ROOT + 16 * bus + 8, e[1]);
	}
	return g->ctxt[bus] + 16 * (sid & 0xff);
}

void vt_ctx_set(struct vt *g, unsigned int sid, const uint64_t e[2])
{
	uint64_t a = vt_ctx_addr(g, sid);

	vt_wr64(g, a + 8, e[1]);
	vt_wr64(g, a, e[0]);
}

uint64_t vt_ctx_sl(struct vt *g, unsigned int sid, unsigned int did)
{
	uint64_t root = vt_page(g, 0), e[2];

	enc_ctx(e, root, 0, 2, did, false, true);
	vt_ctx_set(g, sid, e);
	return root;
}

uint64_t vt_smctx_addr(struct vt *g, unsigned int sid)
{
	unsigned int bus = sid >> 8, devfn = sid & 0xff;
	bool hi = devfn >= 0x80;
	uint64_t *tab = hi ? &g->ctxt_hi[bus] : &g->ctxt[bus];

	if (!*tab) {
		uint64_t e[2];

		*tab = vt_page(g, 0);
		enc_sm_root(e, g->ctxt[bus], g->ctxt[bus] != 0, g->ctxt_hi[bus],
			    g->ctxt_hi[bus] != 0);
		vt_wr64(g, VT_ROOT + 16 * bus, e[0]);
		vt_wr64(g, VT_ROOT + 16 * bus + 8, e[1]);
	}
	return *tab + 32 * (devfn & 0x7f);
}

void vt_smctx_set(struct vt *g, unsigned int sid, const uint64_t e[4])
{
	uint64_t a = vt_smctx_addr(g, sid);
	int i;

	for (i = 3; i >= 0; i--)
		vt_wr64(g, a + 8 * i, e[i]);
}

uint64_t vt_smctx_std(struct vt *g, unsigned int sid, unsigned int flags)
{
	uint64_t dir = vt_page(g, 5), e[4]; /* 2^14 entries x 8 B */

	enc_sm_ctx(e, dir, 7, flags | CE_PASIDE, 0, true);
	vt_smctx_set(g, sid, e);
	return dir;
}

uint64_t vt_pe_set(struct vt *g, uint64_t dir, uint32_t pasid,
		   const struct pe *pe)
{
	uint64_t da = dir + 8 * (pasid >> 6), d = vt_rd64m(g, da), e[8], a;
	int i;

	if (!(d & 1)) {
		d = enc_pde(vt_page(g, 0), false, true);
		vt_wr64(g, da, d);
	}
	a = (d & ~0xfffull) + 64 * (pasid & 0x3f);
	enc_pe(e, pe);
	for (i = 7; i >= 0; i--)
		vt_wr64(g, a + 8 * i, e[i]);
	return a;
}

uint64_t vt_sm_sl(struct vt *g, unsigned int sid, unsigned int did)
{
	uint64_t root = vt_page(g, 0);
	uint64_t dir = vt_smctx_std(g, sid, 0);
	struct pe pe = {
	    .p = true, .aw = 2, .pgtt = PGTT_SL, .did = did, .slptptr = root};

	vt_pe_set(g, dir, 0, &pe);
	return root;
}

static uint64_t vt_pt_map(struct vt *g, uint64_t root, unsigned int levels,
			  uint64_t iova, unsigned int leaf_level, uint64_t leaf,
			  bool fl)
{
	uint64_t table = root;
	unsigned int l;

	for (l = levels; l > leaf_level; l--) {
		unsigned int idx = (iova >> (12 + 9 * (l - 1))) & 0x1ff;
		uint64_t ea = table + 8 * idx, e = vt_rd64m(g, ea);
		bool present = fl ? (e & 1) : (e & 3);

		if (!present) {
			uint64_t pg = vt_page(g, 0);

			e = fl ? enc_fl(pg, FL_P | FL_RW | FL_US | FL_A)
			       : enc_sl(pg, SL_RW);
			vt_wr64(g, ea, e);
		}
		table = e & ADDR_MASK;
	}
	table += 8 * ((iova >> (12 + 9 * (leaf_level - 1))) & 0x1ff);
	vt_wr64(g, table, leaf);
	return table;
}

uint64_t vt_sl_map(struct vt *g, uint64_t root, unsigned int levels,
		   uint64_t iova, unsigned int leaf_level, uint64_t leaf)
{
	return vt_pt_map(g, root, levels, iova, leaf_level, leaf, false);
}

uint64_t vt_fl_map(struct vt *g, uint64_t root, unsigned int levels,
		   uint64_t iova, unsigned int leaf_level, uint64_t leaf)
{
	return vt_pt_map(g, root, levels, iova, leaf_level, leaf, true);
}

uint64_t vt_sl_entry(struct vt *g, uint64_t root, unsigned int levels,
		     uint64_t iova, unsigned int level)
{
	uint64_t table = root;
	unsigned int l;

	for (l = levels; l > level; l--) {
		unsigned int idx = (iova >> (12 + 9 * (l - 1))) & 0x1ff;

		table = vt_rd64m(g, table + 8 * idx) & ADDR_MASK;
		cr_assert(table, "[%s:%d] no table at level %u", g->at_file,
			  g->at_line, l - 1);
	}
	return table + 8 * ((iova >> (12 + 9 * (level - 1))) & 0x1ff);
}

/* ---- DMA and faults ------------------------------------------------------ */

int vt_tr(struct vt *g, unsigned int sid, uint32_t pasid, uint64_t iova,
	  unsigned int access, uint64_t *phys)
{
	struct iommu_translation t;
	int ret;

	memset(&t, 0, sizeof(t));
	ret = iommu_dma_translate(g->ctx, sid, pasid, iova, 4, access, &t);
	if (!ret && phys)
		*phys = t.phys;
	return ret;
}

void vt_tr_ok_(struct vt *g, unsigned int sid, uint32_t pasid, uint64_t iova,
	       unsigned int access, uint64_t phys)
{
	uint64_t got = 0;
	int ret = vt_tr(g, sid, pasid, iova, access, &got);
	struct frec f;

	if (ret && vt_fault_pop(g, &f))
		cr_assert_fail(
		    "[%s:%d] translate sid 0x%x pasid 0x%x iova 0x%llx: %d, "
		    "fault reason 0x%02x",
		    g->at_file, g->at_line, sid, pasid,
		    (unsigned long long)iova, ret, f.fr);
	cr_assert_eq(ret, 0, "[%s:%d] translate sid 0x%x iova 0x%llx: %d",
		     g->at_file, g->at_line, sid, (unsigned long long)iova,
		     ret);
	cr_assert_eq(got, phys,
		     "[%s:%d] sid 0x%x iova 0x%llx -> 0x%llx, want 0x%llx",
		     g->at_file, g->at_line, sid, (unsigned long long)iova,
		     (unsigned long long)got, (unsigned long long)phys);
}

bool vt_fault_pop(struct vt *g, struct frec *f)
{
	uint32_t fsts = vt_rd32(g, R_FSTS);
	unsigned int fri = (fsts >> 8) & 0xff, i;

	for (i = 0; i < g->nfr; i++) {
		unsigned int idx = (fri + i) % g->nfr;
		uint64_t off = g->fro + 16 * idx, raw[2];

		raw[1] = vt_rd64(g, off + 8);
		if (!(raw[1] >> 63))
			continue;
		raw[0] = vt_rd64(g, off);
		dec_frcd(raw, f);
		/* Linux clears a record with a dword write at +12 (7.1) */
		vt_wr(g, off + 12, 4, 0x80000000u);
		return true;
	}
	return false;
}

void vt_fault_clear_all(struct vt *g)
{
	struct frec f;
	unsigned int n = 0;

	while (vt_fault_pop(g, &f) && n++ < 512)
		;
	vt_wr(g, R_FSTS, 4, FS_PFO | FS_PPF);
}

void vt_fault_expect_(struct vt *g, unsigned int sid, uint64_t addr,
		      unsigned int access, unsigned int fr)
{
	uint32_t fsts = vt_rd32(g, R_FSTS);
	struct frec f, extra;

	cr_assert(fsts & FS_PPF,
		  "[%s:%d] FSTS 0x%x: no pending fault (want reason "
		  "0x%02x)",
		  g->at_file, g->at_line, fsts, fr);
	cr_assert(vt_fault_pop(g, &f), "[%s:%d] PPF set but no FRCD has F",
		  g->at_file, g->at_line);
	cr_assert_eq(f.fr, fr,
		     "[%s:%d] fault reason 0x%02x, want 0x%02x (sid 0x%x "
		     "fi 0x%llx)",
		     g->at_file, g->at_line, f.fr, fr, f.sid,
		     (unsigned long long)f.fi);
	cr_assert_eq(f.sid, sid, "[%s:%d] fault SID 0x%x, want 0x%x",
		     g->at_file, g->at_line, f.sid, sid);
	cr_assert_eq(f.fi, addr & ~0xfffull,
		     "[%s:%d] fault FI 0x%llx, want 0x%llx", g->at_file,
		     g->at_line, (unsigned long long)f.fi,
		     (unsigned long long)(addr & ~0xfffull));
	cr_assert_eq(f.t1, (access & ~IOMMU_ACCESS_ATTRS) == IOMMU_ACCESS_READ,
		     "[%s:%d] fault T1 %d for access 0x%x", g->at_file,
		     g->at_line, f.t1, access);
	cr_assert_eq(f.priv, (access & IOMMU_ACCESS_PRIV) != 0,
		     "[%s:%d] fault PRIV %d for access 0x%x", g->at_file,
		     g->at_line, f.priv, access);
	cr_assert_eq(f.exe, (access & IOMMU_ACCESS_EXEC) != 0,
		     "[%s:%d] fault EXE %d for access 0x%x", g->at_file,
		     g->at_line, f.exe, access);
	cr_assert_eq(f.at, access & IOMMU_ACCESS_TRANSLATED ? 2u : 0u,
		     "[%s:%d] fault AT %u for access 0x%x", g->at_file,
		     g->at_line, f.at, access);
	cr_assert(!vt_fault_pop(g, &extra),
		  "[%s:%d] a second record: reason 0x%02x "
		  "sid 0x%x fi 0x%llx",
		  g->at_file, g->at_line, extra.fr, extra.sid,
		  (unsigned long long)extra.fi);
	fsts = vt_rd32(g, R_FSTS);
	cr_assert_eq(fsts & (FS_PPF | FS_PFO), 0,
		     "[%s:%d] FSTS 0x%x after clearing the only record",
		     g->at_file, g->at_line, fsts);
}

void vt_tr_fault_(struct vt *g, unsigned int sid, uint32_t pasid, uint64_t iova,
		  unsigned int access, unsigned int fr)
{
	uint64_t phys = 0;
	int ret = vt_tr(g, sid, pasid, iova, access, &phys);

	cr_assert_eq(ret, -EFAULT,
		     "[%s:%d] translate sid 0x%x iova 0x%llx: %d "
		     "(phys 0x%llx), want -EFAULT with reason 0x%02x",
		     g->at_file, g->at_line, sid, (unsigned long long)iova, ret,
		     (unsigned long long)phys, fr);
	if (pasid == IOMMU_NO_PASID || (access & IOMMU_ACCESS_TRANSLATED))
		access &= ~(IOMMU_ACCESS_PRIV | IOMMU_ACCESS_EXEC);
	if (access & IOMMU_ACCESS_WRITE)
		access &= ~IOMMU_ACCESS_EXEC;
	vt_fault_expect_(g, sid, iova, access, fr);
}

void vt_no_fault_(struct vt *g)
{
	struct frec f;
	uint32_t fsts;

	if (vt_fault_pop(g, &f))
		cr_assert_fail(
		    "[%s:%d] unexpected fault: reason 0x%02x sid 0x%x fi "
		    "0x%llx",
		    g->at_file, g->at_line, f.fr, f.sid,
		    (unsigned long long)f.fi);
	fsts = vt_rd32(g, R_FSTS);
	cr_assert_eq(fsts & (FS_PPF | FS_PFO), 0, "[%s:%d] FSTS 0x%x",
		     g->at_file, g->at_line, fsts);
}

uint64_t vt_stat(struct vt *g, enum iommu_stat s)
{
	struct iommu_stats st = { .size = sizeof(st) };

	cr_assert_eq(iommu_get_stats(g->ctx, &st), 0);
	return st.v[s];
}

unsigned int vt_sid(unsigned int i)
{
	static const unsigned int sids[] = {SID_A, SID_B, SID_C, SID_D, SID_E};

	return sids[i % 5];
}
