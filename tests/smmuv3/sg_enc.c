// SPDX-License-Identifier: MIT
/*
 * sg_enc.c - the SMMUv3 tests' encoders and decoders, each written from
 * the spec sheet (shared/spec/smmuv3.md; section in its comment) and
 * nothing else: STE, CD, L1STD, L1CD, translation-table descriptors,
 * commands, event records, register values, Linux's range split.
 * test_vectors.c checks them against the sheet's test vectors.
 */
#include <string.h>

#include "sg.h"

#define GM(h, l) ((~0ull >> (63 - (h))) & (~0ull << (l)))

/* ---- encoders (sheet 2-6) ----------------------------------------------- */

/* Sheet 2.4. */
void enc_ste(uint64_t dw[8], const struct ste *s)
{
	memset(dw, 0, 8 * sizeof(dw[0]));
	dw[0] = (s->v ? 1ull : 0) | (uint64_t)(s->config & 7) << 1 |
		(uint64_t)(s->s1fmt & 3) << 4 | (s->s1ctxptr & GM(55, 6)) |
		(uint64_t)(s->s1cdmax & 31) << 59;
	dw[1] = (uint64_t)(s->s1dss & 3) | (uint64_t)(s->s1cir & 3) << 2 |
		(uint64_t)(s->s1cor & 3) << 4 | (uint64_t)(s->s1csh & 3) << 6 |
		(s->s2fwb ? 1ull << 25 : 0) | (s->s1stalld ? 1ull << 27 : 0) |
		(uint64_t)(s->eats & 3) << 28 | (uint64_t)(s->strw & 3) << 30 |
		(uint64_t)(s->shcfg & 3) << 44 |
		(uint64_t)(s->privcfg & 3) << 48 |
		(uint64_t)(s->instcfg & 3) << 50;
	dw[2] =
	    (uint64_t)(s->vmid & 0xffff) | (uint64_t)(s->s2t0sz & 63) << 32 |
	    (uint64_t)(s->s2sl0 & 3) << 38 | (uint64_t)(s->s2ir0 & 3) << 40 |
	    (uint64_t)(s->s2or0 & 3) << 42 | (uint64_t)(s->s2sh0 & 3) << 44 |
	    (uint64_t)(s->s2tg & 3) << 46 | (uint64_t)(s->s2ps & 7) << 48 |
	    (s->s2aa64 ? 1ull << 51 : 0) | (s->s2endi ? 1ull << 52 : 0) |
	    (s->s2affd ? 1ull << 53 : 0) | (s->s2ptw ? 1ull << 54 : 0) |
	    (s->s2hd ? 1ull << 55 : 0) | (s->s2ha ? 1ull << 56 : 0) |
	    (s->s2s ? 1ull << 57 : 0) | (s->s2r ? 1ull << 58 : 0);
	dw[3] = (s->s2sl0_2 ? 1ull << 2 : 0) | (s->s2ds ? 1ull << 3 : 0) |
		(s->s2ttb & GM(55, 4));
}

/* Sheet 3.1. */
void enc_cd(uint64_t dw[8], const struct cd *c)
{
	memset(dw, 0, 8 * sizeof(dw[0]));
	dw[0] = (uint64_t)(c->t0sz & 63) | (uint64_t)(c->tg0 & 3) << 6 |
		(uint64_t)(c->ir0 & 3) << 8 | (uint64_t)(c->or0 & 3) << 10 |
		(uint64_t)(c->sh0 & 3) << 12 | (c->epd0 ? 1ull << 14 : 0) |
		(c->endi ? 1ull << 15 : 0) | (uint64_t)(c->t1sz & 63) << 16 |
		(uint64_t)(c->tg1 & 3) << 22 | (uint64_t)(c->ir1 & 3) << 24 |
		(uint64_t)(c->or1 & 3) << 26 | (uint64_t)(c->sh1 & 3) << 28 |
		(c->epd1 ? 1ull << 30 : 0) | (c->v ? 1ull << 31 : 0) |
		(uint64_t)(c->ips & 7) << 32 | (c->affd ? 1ull << 35 : 0) |
		(c->wxn ? 1ull << 36 : 0) | (c->uwxn ? 1ull << 37 : 0) |
		(c->tbi0 ? 1ull << 38 : 0) | (c->tbi1 ? 1ull << 39 : 0) |
		(c->pan ? 1ull << 40 : 0) | (c->aa64 ? 1ull << 41 : 0) |
		(c->hd ? 1ull << 42 : 0) | (c->ha ? 1ull << 43 : 0) |
		(c->s ? 1ull << 44 : 0) | (c->r ? 1ull << 45 : 0) |
		(c->a ? 1ull << 46 : 0) | (c->aset ? 1ull << 47 : 0) |
		(uint64_t)(c->asid & 0xffff) << 48;
	dw[1] = (c->had0 ? 1ull << 1 : 0) | (c->ttb0 & GM(55, 4));
	dw[2] = (c->had1 ? 1ull << 1 : 0) | (c->ttb1 & GM(55, 4));
	dw[3] = c->mair;
}

/* Sheet 3.4: the stage-1 CD Linux writes. */
void cd_linux(struct cd *c, unsigned int t0sz, unsigned int tg0,
	      unsigned int ips, unsigned int asid, uint64_t ttb0)
{
	memset(c, 0, sizeof(*c));
	c->v = c->aa64 = c->r = c->a = c->aset = c->epd1 = true;
	c->t0sz = t0sz;
	c->tg0 = tg0;
	c->ir0 = c->or0 = 1;
	c->sh0 = 3;
	c->ips = ips;
	c->asid = asid;
	c->ttb0 = ttb0;
	c->mair = 0x00000000F404FF44ull;
}

uint64_t enc_l1std(uint64_t l2ptr, unsigned int span)
{
	return (l2ptr & GM(55, 6)) | (span & 31);
}

uint64_t enc_l1cd(uint64_t l2ptr, bool v)
{
	return (l2ptr & GM(55, 12)) | (v ? 1 : 0);
}

/* Sheet 4.11, TV6. */
uint64_t enc_oa(unsigned int g, uint64_t pa)
{
	if (g == 16)
		return (pa & GM(47, 16)) | ((pa >> 48) & 0xf) << 12;
	return pa & GM(47, g);
}

uint64_t dec_oa(unsigned int g, uint64_t e)
{
	if (g == 16)
		return (e & GM(47, 16)) | ((e >> 12) & 0xf) << 48;
	return e & GM(47, g);
}

/* Sheet 4.14, TV1: RW, AttrIndx 1, ISH, AF, nG. */
uint64_t s1_page(unsigned int g, uint64_t pa, bool page)
{
	return enc_oa(g, pa) | (page ? D_TABLE : D_BLOCK) | D_IDX(1) | D_AP(1) |
	       D_SH(3) | D_AF | D_NG;
}

/* TV1 stage-2 line: S2AP RW, MemAttr 0xF, ISH, AF. */
uint64_t s2_page(unsigned int g, uint64_t pa, bool page)
{
	return enc_oa(g, pa) | (page ? D_TABLE : D_BLOCK) | D_MEM(0xf) |
	       D_AP(3) | D_SH(3) | D_AF;
}

/* Sheet 5.4. */
void cmd_cfgi_ste(uint64_t q[2], uint32_t sid, bool leaf)
{
	q[0] = 0x03 | (uint64_t)sid << 32;
	q[1] = leaf ? 1 : 0;
}

void cmd_cfgi_ste_range(uint64_t q[2], uint32_t sid, unsigned int range)
{
	q[0] = 0x04 | (uint64_t)sid << 32;
	q[1] = range & 31;
}

void cmd_cfgi_all(uint64_t q[2])
{
	q[0] = 0x04;
	q[1] = 31;
}

void cmd_cfgi_cd(uint64_t q[2], uint32_t sid, uint32_t ssid, bool leaf)
{
	q[0] = 0x05 | (uint64_t)(ssid & 0xfffff) << 12 | (uint64_t)sid << 32;
	q[1] = leaf ? 1 : 0;
}

void cmd_cfgi_cd_all(uint64_t q[2], uint32_t sid)
{
	q[0] = 0x06 | (uint64_t)sid << 32;
	q[1] = 0;
}

void cmd_tlbi_nh_all(uint64_t q[2], unsigned int vmid)
{
	q[0] = 0x10 | (uint64_t)(vmid & 0xffff) << 32;
	q[1] = 0;
}

void cmd_tlbi_nh_asid(uint64_t q[2], unsigned int vmid, unsigned int asid)
{
	q[0] = 0x11 | (uint64_t)(vmid & 0xffff) << 32 |
	       (uint64_t)(asid & 0xffff) << 48;
	q[1] = 0;
}

/* Sheet 5.4, 5.5: NUM [16:12], SCALE [24:20]; Leaf, TTL [9:8], TG
 * [11:10], address [63:12]. */
void cmd_tlbi_va(uint64_t q[2], unsigned int op, unsigned int vmid,
		 unsigned int asid, uint64_t va, bool leaf, unsigned int tg,
		 unsigned int ttl, unsigned int num, unsigned int scale)
{
	q[0] = (op & 0xff) | (uint64_t)(num & 31) << 12 |
	       (uint64_t)(scale & 31) << 20 | (uint64_t)(vmid & 0xffff) << 32 |
	       (uint64_t)(asid & 0xffff) << 48;
	q[1] = (leaf ? 1 : 0) | (uint64_t)(ttl & 3) << 8 |
	       (uint64_t)(tg & 3) << 10 | (va & GM(63, 12));
}

void cmd_tlbi_nh_va(uint64_t q[2], unsigned int vmid, unsigned int asid,
		    uint64_t va, bool leaf)
{
	cmd_tlbi_va(q, OP_TLBI_NH_VA, vmid, asid, va, leaf, 0, 0, 0, 0);
}

void cmd_tlbi_s2_ipa(uint64_t q[2], unsigned int vmid, uint64_t ipa, bool leaf)
{
	cmd_tlbi_va(q, OP_TLBI_S2_IPA, vmid, 0, ipa & GM(55, 12), leaf, 0, 0, 0,
		    0);
}

void cmd_tlbi_s12_vmall(uint64_t q[2], unsigned int vmid)
{
	q[0] = 0x28 | (uint64_t)(vmid & 0xffff) << 32;
	q[1] = 0;
}

void cmd_tlbi_nsnh_all(uint64_t q[2])
{
	q[0] = 0x30;
	q[1] = 0;
}

/* Sheet 5.6. */
void cmd_sync(uint64_t q[2], unsigned int cs, unsigned int msh,
	      unsigned int attr, uint32_t data, uint64_t addr)
{
	q[0] = 0x46 | (uint64_t)(cs & 3) << 12 | (uint64_t)(msh & 3) << 22 |
	       (uint64_t)(attr & 15) << 24 | (uint64_t)data << 32;
	q[1] = addr & GM(55, 2);
}

/* Sheet 6.3. */
void dec_evt(const uint64_t raw[4], struct evt *e)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->raw, raw, sizeof(e->raw));
	e->id = raw[0] & 0xff;
	e->ssv = (raw[0] >> 11) & 1;
	e->ssid = (raw[0] >> 12) & 0xfffff;
	e->sid = (unsigned int)(raw[0] >> 32);
	e->stag = raw[1] & 0xffff;
	e->stall = (raw[1] >> 31) & 1;
	e->pnu = (raw[1] >> 33) & 1;
	e->ind = (raw[1] >> 34) & 1;
	e->rnw = (raw[1] >> 35) & 1;
	e->s2 = (raw[1] >> 39) & 1;
	e->class = (raw[1] >> 40) & 3;
	e->ttrnw = (raw[1] >> 44) & 1;
	e->addr = raw[2];
	e->ipa = raw[3] & GM(55, 12);
	e->fetch = raw[3] & GM(55, 3);
}

/* Sheet 2.1. */
uint32_t enc_strtab_cfg(unsigned int fmt, unsigned int split,
			unsigned int log2size)
{
	return (log2size & 63) | (split & 31) << 6 | (fmt & 3) << 16;
}

/* Sheet 5.1. */
uint64_t enc_q_base(uint64_t pa, unsigned int log2size, bool ra)
{
	return (pa & GM(55, 5)) | (log2size & 31) | (ra ? 1ull << 62 : 0);
}

/* Sheet 5.5: Linux's loop. */
unsigned int tlbi_range_split(uint64_t start, uint64_t pages, unsigned int tg,
			      uint64_t (*out)[3], unsigned int max)
{
	unsigned int n = 0;

	while (pages && n < max) {
		unsigned int scale = (unsigned int)__builtin_ctzll(pages);
		uint64_t num = (pages >> scale) & 31;

		out[n][0] = start;
		out[n][1] = scale;
		out[n][2] = num - 1;
		n++;
		pages -= num << scale;
		start += num << (scale + tg);
	}
	return n;
}
