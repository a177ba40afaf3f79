// SPDX-License-Identifier: MIT
/*
 * sg.c - the SMMUv3 tests' guest driver: raw Stream table, CDs and
 * translation tables in RAM, registers, the command and event queues,
 * all encoded from the spec sheet (shared/spec/smmuv3.md).  See sg.h for
 * the layout.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "sg.h"

/* ---- context ------------------------------------------------------------- */

/* Interrupts arrive on whatever thread's call raised them: count
 * atomically (the threaded test has several). */
static void sg_irq(void *cookie, unsigned int vector)
{
	struct sg *g = cookie;

	if (vector < 8)
		__atomic_fetch_add(&g->irqs[vector], 1, __ATOMIC_RELAXED);
}

static void sg_msi_cb(void *cookie, uint32_t dev, uint64_t addr, uint32_t data)
{
	struct sg *g = cookie;
	unsigned int i = __atomic_fetch_add(&g->nmsi, 1, __ATOMIC_RELAXED);

	if (i < SG_MAX_MSI) {
		g->msi[i].dev = dev;
		g->msi[i].addr = addr;
		g->msi[i].data = data;
	}
}

static void sg_log(void *cookie, enum iommu_log_level level, const char *msg)
{
	(void)cookie;
	(void)level;
	(void)msg;
}

static const char sg_devs[] =
    "[device.a]\nid = 0x10\n"
    "[device.b]\nid = 0x11\n"
    "[device.c]\nid = 0x20\n"
    "[device.d]\nid = 0x1234\n"
    "[device.e]\nid = 0x40\nfeatures = aux\npasid_bits = 20\n"
    "[device.f]\nid = 0x3f\n";

static unsigned int sg_extra_flags;

void sg_next_ctx_flags(unsigned int flags)
{
	sg_extra_flags = flags;
}

static int sg_try_create_ram(struct sg *g, const char *smmu_ini,
			     const char *devs, void *ram)
{
	const struct iommu_ram_region region = {0, 64ull << 20, ram};
	char ini[4096];
	struct iommu_ctx_opts co;

	memset(g, 0, sizeof(*g));
	snprintf(ini, sizeof(ini),
		 "[iommu]\nbackend = smmuv3\ndefault_domain = dma\n"
		 "invalidation = strict\n"
		 "[memory]\n%stable_base = 0x3000000\n"
		 "table_size = 0x1000000\n%s[smmuv3]\n%s\n",
		 ram ? "" : "ram_size = 64M\n", devs ? devs : sg_devs,
		 smmu_ini ? smmu_ini : "");
	memset(&co, 0, sizeof(co));
	if (ram) {
		co.ram = &region;
		co.nr_ram = 1;
	}
	co.ini_string = ini;
	co.log = sg_log;
	co.log_level = IOMMU_LOG_ERR;
	co.irq = sg_irq;
	co.irq_cookie = g;
	co.msi = sg_msi_cb;
	co.msi_cookie = g;
	co.flags = IOMMU_CTX_NO_DRIVER | sg_extra_flags;
	sg_extra_flags = 0;
	co.errbuf = g->err;
	co.errbuf_len = sizeof(g->err);
	g->next_pg = SG_ALLOC;
	return iommu_ctx_create(&co, &g->ctx);
}

int sg_try_create(struct sg *g, const char *smmu_ini, const char *devs)
{
	return sg_try_create_ram(g, smmu_ini, devs, NULL);
}

void sg_create_ram(struct sg *g, const char *smmu_ini, void *ram)
{
	int ret = sg_try_create_ram(g, smmu_ini, NULL, ram);

	cr_assert_eq(ret, 0, "iommu_ctx_create: %d (%s)", ret, g->err);
	g->idr0 = sg_rd32(g, S_IDR0);
	g->idr1 = sg_rd32(g, S_IDR1);
	g->idr3 = sg_rd32(g, S_IDR3);
	g->idr5 = sg_rd32(g, S_IDR5);
}

void sg_create_devs(struct sg *g, const char *smmu_ini, const char *devs)
{
	int ret = sg_try_create(g, smmu_ini, devs);

	cr_assert_eq(ret, 0, "iommu_ctx_create: %d (%s)", ret, g->err);
	g->idr0 = sg_rd32(g, S_IDR0);
	g->idr1 = sg_rd32(g, S_IDR1);
	g->idr3 = sg_rd32(g, S_IDR3);
	g->idr5 = sg_rd32(g, S_IDR5);
}

void sg_create(struct sg *g, const char *smmu_ini)
{
	sg_create_devs(g, smmu_ini, NULL);
}

void sg_destroy(struct sg *g)
{
	iommu_ctx_destroy(g->ctx);
	g->ctx = NULL;
}

/* ---- MMIO and memory --------------------------------------------------------
 */

uint64_t sg_rd(struct sg *g, uint64_t off, unsigned int size)
{
	uint64_t v = 0;
	int ret = iommu_hw_mmio_read(g->ctx, off, size, &v);

	cr_assert_eq(ret, 0, "mmio_read(0x%llx, %u): %d", U64(off), size, ret);
	return v;
}

void sg_wr(struct sg *g, uint64_t off, unsigned int size, uint64_t val)
{
	int ret = iommu_hw_mmio_write(g->ctx, off, size, val);

	cr_assert_eq(ret, 0, "mmio_write(0x%llx, %u, 0x%llx): %d", U64(off),
		     size, U64(val), ret);
}

/* Sheet 0: every structure is little-endian 64-bit words. */
void sg_wr64m(struct sg *g, uint64_t pa, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	cr_assert_eq(iommu_mem_write(g->ctx, pa, b, 8), 0, "mem_write 0x%llx",
		     U64(pa));
}

uint64_t sg_rd64m(struct sg *g, uint64_t pa)
{
	uint8_t b[8];
	uint64_t v = 0;

	cr_assert_eq(iommu_mem_read(g->ctx, pa, b, 8), 0, "mem_read 0x%llx",
		     U64(pa));
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

void sg_wrn(struct sg *g, uint64_t pa, const uint64_t *dw, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		sg_wr64m(g, pa + 8 * i, dw[i]);
}

uint64_t sg_alloc(struct sg *g, uint64_t size)
{
	static const uint8_t zero[4096];
	uint64_t pa, off;

	if (size < 64)
		size = 64;
	pa = (g->next_pg + size - 1) & ~(size - 1);
	cr_assert(pa + size <= SG_ALLOC_END, "guest allocator exhausted");
	g->next_pg = pa + size;
	for (off = 0; off < size; off += sizeof(zero))
		cr_assert_eq(iommu_mem_write(g->ctx, pa + off, zero,
					     size - off < sizeof(zero)
						 ? size - off
						 : sizeof(zero)),
			     0);
	return pa;
}

uint64_t sg_page(struct sg *g, unsigned int order)
{
	return sg_alloc(g, PG << order);
}

/* ---- bring-up (sheet 1.7)
 * ---------------------------------------------------- */

void sg_cr0(struct sg *g, uint32_t val)
{
	sg_wr(g, S_CR0, 4, val);
	for (int i = 0; i < 1000; i++)
		if (sg_rd32(g, S_CR0ACK) == val)
			return;
	cr_assert_fail("CR0ACK never became 0x%x", val);
}

void sg_init_q(struct sg *g, bool two, unsigned int st_log2,
	       unsigned int cq_log2, unsigned int eq_log2)
{
	uint64_t q[2];

	sg_cr0(g, 0);
	sg_wr(g, S_CR1, 4, 0x0D75);
	sg_wr(g, S_CR2, 4, CR2_RECINVSID | CR2_PTM);
	g->st2l = two;
	g->st_log2 = st_log2;
	g->split = two ? 8 : 0;
	sg_wr(g, S_STRTAB, 8, SG_ST | 1ull << 62);
	sg_wr(g, S_STRTAB_CFG, 4,
	      enc_strtab_cfg(two ? 1 : 0, g->split, st_log2));
	g->cq_log2 = cq_log2;
	g->cq_prod = 0;
	sg_wr(g, S_CMDQ_BASE, 8, enc_q_base(SG_CMDQ, cq_log2, true));
	sg_wr(g, S_CMDQ_PROD, 4, 0);
	sg_wr(g, S_CMDQ_CONS, 4, 0);
	sg_cr0(g, CR0_CMDQEN);
	cmd_cfgi_all(q);
	sg_run(g, q);
	cmd_tlbi_nsnh_all(q);
	sg_run(g, q);
	g->eq_log2 = eq_log2;
	g->eq_cons = 0;
	sg_wr(g, S_EVTQ_BASE, 8, enc_q_base(SG_EVTQ, eq_log2, true));
	sg_wr(g, S_EVTQ_PROD, 4, 0);
	sg_wr(g, S_EVTQ_CONS, 4, 0);
	sg_cr0(g, CR0_CMDQEN | CR0_EVENTQEN);
	sg_wr(g, S_IRQ_CTRL, 4, 0);
	sg_wr(g, S_IRQ_CTRL, 4, IRQ_EVTQ | IRQ_GERROR);
	cr_assert_eq(sg_rd32(g, S_IRQ_CTRLACK), IRQ_EVTQ | IRQ_GERROR);
	sg_cr0(g, CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN);
}

void sg_init(struct sg *g, bool two, unsigned int st_log2)
{
	sg_init_q(g, two, st_log2, 8, 6);
}

/* ---- Stream table
 * ------------------------------------------------------------ */

/* Sheet 2.2: linear base + SID * 64; 2-level L1 index SID >> SPLIT. */
uint64_t sg_ste_addr(struct sg *g, uint32_t sid)
{
	uint32_t l1;

	if (!g->st2l)
		return SG_ST + (uint64_t)sid * 64;
	l1 = sid >> g->split;
	cr_assert(l1 < 4096, "SID 0x%x beyond the guest's L1 table", sid);
	if (!g->l2[l1]) {
		g->l2[l1] = sg_alloc(g, 64ull << g->split);
		sg_wr64m(g, SG_ST + 8ull * l1,
			 enc_l1std(g->l2[l1], g->split + 1));
	}
	return g->l2[l1] + (uint64_t)(sid & ((1u << g->split) - 1)) * 64;
}

void sg_ste_raw(struct sg *g, uint32_t sid, const uint64_t dw[8])
{
	sg_wrn(g, sg_ste_addr(g, sid), dw, 8);
}

void sg_ste_set(struct sg *g, uint32_t sid, const struct ste *s)
{
	uint64_t dw[8];

	enc_ste(dw, s);
	sg_ste_raw(g, sid, dw);
}

/* ---- translation tables (sheet 4.1, 4.2, 4.4)
 * --------------------------------- */

void sg_tt_new(struct sg *g, struct sg_tt *t, unsigned int gran,
	       unsigned int ia, unsigned int start)
{
	unsigned int s = gran - 3, below = gran + s * (3 - start);

	cr_assert(ia > below, "no bits left for the start level");
	t->g = gran;
	t->ia = ia;
	t->start = start;
	t->top = ia - below;
	t->root = sg_alloc(g, 8ull << t->top);
}

unsigned int sg_tt_index(const struct sg_tt *t, uint64_t va, unsigned int level)
{
	unsigned int s = t->g - 3, shift = t->g + s * (3 - level);
	unsigned int bits = level == t->start ? t->top : s;

	return (unsigned int)((va >> shift) & ((1ull << bits) - 1));
}

static uint64_t sg_tt_walk(struct sg *g, const struct sg_tt *t, uint64_t va,
			   unsigned int level, bool make)
{
	uint64_t table = t->root;

	for (unsigned int l = t->start; l < level; l++) {
		uint64_t a = table + 8ull * sg_tt_index(t, va, l);
		uint64_t e = sg_rd64m(g, a);

		if (!(e & 1)) {
			cr_assert(make, "no table at level %u for 0x%llx", l,
				  U64(va));
			table = sg_alloc(g, 1ull << t->g);
			sg_wr64m(g, a, enc_oa(t->g, table) | D_TABLE);
		} else {
			table = dec_oa(t->g, e);
		}
	}
	return table + 8ull * sg_tt_index(t, va, level);
}

uint64_t sg_tt_map(struct sg *g, const struct sg_tt *t, uint64_t va,
		   unsigned int level, uint64_t desc)
{
	uint64_t a = sg_tt_walk(g, t, va, level, true);

	sg_wr64m(g, a, desc);
	return a;
}

uint64_t sg_tt_entry(struct sg *g, const struct sg_tt *t, uint64_t va,
		     unsigned int level)
{
	return sg_tt_walk(g, t, va, level, false);
}

/* TG0 / S2TG code of a granule (sheet 2.5, 3.1). */
static unsigned int sg_tg(unsigned int gran)
{
	return gran == 12 ? 0 : gran == 16 ? 1 : 2;
}

void sg_s1_dev(struct sg *g, uint32_t sid, unsigned int gran, unsigned int asid,
	       struct sg_tt *t, uint64_t *cd_pa)
{
	unsigned int s = gran - 3;
	struct ste st = {0};
	uint64_t dw[8];
	struct cd c;

	sg_tt_new(g, t, gran, 48, 4 - 44 / s);
	cd_linux(&c, 16, sg_tg(gran), 5, asid, t->root);
	enc_cd(dw, &c);
	*cd_pa = sg_alloc(g, 64);
	sg_wrn(g, *cd_pa, dw, 8);
	st.v = true;
	st.config = 5;
	st.s1ctxptr = *cd_pa;
	st.s1cir = st.s1cor = 1;
	st.s1csh = 3;
	sg_ste_set(g, sid, &st);
}

void sg_ste_s2(struct ste *s, const struct sg_tt *t, unsigned int vmid)
{
	s->v = true;
	s->config = 6;
	s->vmid = vmid;
	s->s2t0sz = 64 - t->ia;
	/* 4.4: 4K 0/1/2 = L2/L1/L0; 16K and 64K 0/1/2 = L3/L2/L1 */
	s->s2sl0 = t->g == 12 ? 2 - t->start : 3 - t->start;
	s->s2tg = sg_tg(t->g);
	s->s2ps = 5;
	s->s2aa64 = true;
	s->s2r = true;
	s->s2ir0 = s->s2or0 = 1;
	s->s2sh0 = 3;
	s->s2ttb = t->root;
}

void sg_s2_dev(struct sg *g, uint32_t sid, unsigned int gran, unsigned int ia,
	       unsigned int start, unsigned int vmid, struct sg_tt *t)
{
	struct ste st = {0};

	sg_tt_new(g, t, gran, ia, start);
	sg_ste_s2(&st, t, vmid);
	sg_ste_set(g, sid, &st);
}

/* ---- queues
 * ------------------------------------------------------------------ */

void sg_cmds(struct sg *g, const uint64_t (*q)[2], unsigned int n)
{
	uint32_t mask = (2u << g->cq_log2) - 1, idx = (1u << g->cq_log2) - 1;

	if (n > 1u << g->cq_log2) { /* more than the queue holds */
		for (unsigned int i = 0; i < n; i++)
			sg_cmds(g, q + i, 1);
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		sg_wrn(g, SG_CMDQ + 16ull * (g->cq_prod & idx), q[i], 2);
		g->cq_prod = (g->cq_prod + 1) & mask;
	}
	sg_wr(g, S_CMDQ_PROD, 4, g->cq_prod);
}

void sg_cmd(struct sg *g, const uint64_t q[2])
{
	sg_cmds(g, (const uint64_t(*)[2])q, 1);
}

bool sg_cmdq_err(struct sg *g, unsigned int *code)
{
	uint32_t ge = sg_rd32(g, S_GERROR) ^ sg_rd32(g, S_GERRORN);

	if (code)
		*code = (sg_rd32(g, S_CMDQ_CONS) >> 24) & 0x7f;
	return ge & GE_CMDQ;
}

static void sg_drained(struct sg *g)
{
	uint32_t cons = sg_rd32(g, S_CMDQ_CONS);
	unsigned int code;

	cr_assert(!sg_cmdq_err(g, &code),
		  "%s:%d: command queue error %u at CONS 0x%x", g->at_file,
		  g->at_line, code, cons);
	cr_assert_eq(cons & 0xfffff, g->cq_prod,
		     "%s:%d: CONS 0x%x, PROD 0x%x: not consumed", g->at_file,
		     g->at_line, cons, g->cq_prod);
}

void sg_sync_(struct sg *g)
{
	uint64_t q[2];

	cmd_sync(q, 0, 0, 0, 0, 0);
	sg_cmd(g, q);
	sg_drained(g);
}

void sg_run_(struct sg *g, const uint64_t q[2])
{
	uint64_t b[2][2];

	memcpy(b[0], q, sizeof(b[0]));
	cmd_sync(b[1], 0, 0, 0, 0, 0);
	sg_cmds(g, (const uint64_t(*)[2])b, 2);
	sg_drained(g);
}

void sg_inv_ste(struct sg *g, uint32_t sid)
{
	uint64_t q[2];

	cmd_cfgi_ste(q, sid, true);
	sg_run(g, q);
}

void sg_inv_all(struct sg *g)
{
	uint64_t q[2];

	cmd_cfgi_all(q);
	sg_run(g, q);
	cmd_tlbi_nsnh_all(q);
	sg_run(g, q);
}

/* Sheet 6.1: read at CONS while PROD != CONS; write CONS back. */
bool sg_evt_pop(struct sg *g, struct evt *e)
{
	uint32_t mask = (2u << g->eq_log2) - 1, idx = (1u << g->eq_log2) - 1;
	uint32_t prod = sg_rd32(g, S_EVTQ_PROD);
	uint64_t raw[4];

	if ((prod & mask) == (g->eq_cons & mask))
		return false;
	for (int i = 0; i < 4; i++)
		raw[i] =
		    sg_rd64m(g, SG_EVTQ + 32ull * (g->eq_cons & idx) + 8 * i);
	g->eq_cons = (g->eq_cons + 1) & mask;
	sg_wr(g, S_EVTQ_CONS, 4,
	      g->eq_cons | (sg_rd32(g, S_EVTQ_CONS) & 0x80000000u));
	if (e)
		dec_evt(raw, e);
	return true;
}

void sg_evt_one_(struct sg *g, struct evt *e)
{
	struct evt first, more;

	cr_assert(sg_evt_pop(g, &first), "%s:%d: no event recorded", g->at_file,
		  g->at_line);
	cr_assert(!sg_evt_pop(g, &more),
		  "%s:%d: a second event 0x%02x (first 0x%02x)", g->at_file,
		  g->at_line, more.id, first.id);
	if (e)
		*e = first;
}

void sg_no_evt_(struct sg *g)
{
	struct evt e;

	cr_assert(!sg_evt_pop(g, &e), "%s:%d: unexpected event 0x%02x",
		  g->at_file, g->at_line, e.id);
}

void sg_evt_drain(struct sg *g)
{
	while (sg_evt_pop(g, NULL))
		;
}

/* ---- DMA
 * ----------------------------------------------------------------------- */

int sg_tr(struct sg *g, uint32_t sid, uint32_t pasid, uint64_t iova,
	  unsigned int access, uint64_t *phys)
{
	struct iommu_translation t;
	int ret = iommu_dma_translate(g->ctx, sid, pasid, iova, 1, access, &t);

	if (!ret && phys)
		*phys = t.phys;
	return ret;
}

void sg_tr_ok_(struct sg *g, uint32_t sid, uint32_t pasid, uint64_t iova,
	       unsigned int access, uint64_t phys)
{
	uint64_t got = 0;
	int ret = sg_tr(g, sid, pasid, iova, access, &got);
	struct evt e;

	if (ret && sg_evt_pop(g, &e))
		cr_assert_fail("%s:%d: translate sid 0x%x iova 0x%llx: %d, "
			       "event 0x%02x",
			       g->at_file, g->at_line, sid, U64(iova), ret,
			       e.id);
	cr_assert_eq(ret, 0, "%s:%d: translate sid 0x%x iova 0x%llx: %d",
		     g->at_file, g->at_line, sid, U64(iova), ret);
	cr_assert_eq(got, phys, "%s:%d: iova 0x%llx -> 0x%llx, want 0x%llx",
		     g->at_file, g->at_line, U64(iova), U64(got), U64(phys));
	sg_no_evt_(g);
}

void sg_tr_fault_(struct sg *g, uint32_t sid, uint32_t pasid, uint64_t iova,
		  unsigned int access, unsigned int id, struct evt *e)
{
	uint64_t phys = 0;
	int ret = sg_tr(g, sid, pasid, iova, access, &phys);
	struct evt ev;

	cr_assert_eq(ret, -EFAULT,
		     "%s:%d: translate sid 0x%x iova 0x%llx: %d (phys 0x%llx), "
		     "want -EFAULT",
		     g->at_file, g->at_line, sid, U64(iova), ret, U64(phys));
	if (!id) {
		sg_no_evt_(g);
		return;
	}
	sg_evt_one_(g, &ev);
	cr_assert_eq(ev.id, id, "%s:%d: event 0x%02x, want 0x%02x", g->at_file,
		     g->at_line, ev.id, id);
	cr_assert_eq(ev.sid, sid, "%s:%d: event SID 0x%x, want 0x%x",
		     g->at_file, g->at_line, ev.sid, sid);
	if (e)
		*e = ev;
}

uint64_t sg_stat(struct sg *g, enum iommu_stat s)
{
	struct iommu_stats st = { .size = sizeof(st) };

	cr_assert_eq(iommu_get_stats(g->ctx, &st), 0);
	return st.v[s];
}
