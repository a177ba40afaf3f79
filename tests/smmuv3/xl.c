// SPDX-License-Identifier: MIT
/*
 * xl.c - set-ups shared by the SMMUv3 translation tests (xl.h), built on
 * the guest driver (sg.c).
 */
#include <string.h>

#include <criterion/criterion.h>

#include "xl.h"

void xl_s1(struct sg *g, uint32_t sid, unsigned int gran, unsigned int t0sz,
	   unsigned int ips, struct sg_tt *t, struct cd *c, uint64_t *cd_pa)
{
	unsigned int ia = 64 - t0sz;
	struct ste st = {.v = true, .config = 5};
	uint64_t dw[8];

	sg_tt_new(g, t, gran, ia, 4 - (ia - 4) / (gran - 3));
	cd_linux(c, t0sz, xl_tg(gran), ips, 1, t->root);
	enc_cd(dw, c);
	*cd_pa = sg_alloc(g, 64);
	sg_wrn(g, *cd_pa, dw, 8);
	st.s1ctxptr = *cd_pa;
	sg_ste_set(g, sid, &st);
	sg_inv_ste(g, sid);
}

void xl_cd(struct sg *g, uint32_t sid, uint64_t cd_pa, const struct cd *c)
{
	uint64_t dw[8], q[2][2];

	enc_cd(dw, c);
	sg_wrn(g, cd_pa, dw, 8);
	cmd_cfgi_cd(q[0], sid, 0, true);
	cmd_tlbi_nh_all(q[1], 0);
	sg_cmds(g, (const uint64_t(*)[2])q, 2);
	sg_sync(g);
}

void xl_nested(struct sg *g, uint32_t sid, struct sg_tt *s1, struct sg_tt *s2,
	       struct ste *st)
{
	uint64_t cd_pa = SG_DATA + 0x100000, dw[8];
	struct cd c;

	sg_tt_new(g, s2, 12, 48, 0);
	for (uint64_t ipa = 0; ipa < (64ull << 20); ipa += 2ull << 20)
		sg_tt_map(g, s2, ipa, 2, s2_page(12, ipa, false));
	sg_tt_new(g, s1, 12, 48, 0);
	cd_linux(&c, 16, 0, 5, 1, s1->root);
	enc_cd(dw, &c);
	sg_wrn(g, cd_pa, dw, 8);
	memset(st, 0, sizeof(*st));
	sg_ste_s2(st, s2, 7);
	st->config = 7;
	st->s1ctxptr = cd_pa;
	sg_ste_set(g, sid, st);
	sg_inv_ste(g, sid);
}
