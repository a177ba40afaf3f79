/* SPDX-License-Identifier: MIT */
/*
 * xl.h - set-ups shared by the SMMUv3 translation tests, on top of the
 * guest driver (sg.h): stage-1 devices of any granule and input size,
 * and a nested device whose stage 2 maps guest RAM one to one.
 */
#ifndef XL_H
#define XL_H

#include "sg.h"

/* TG0 / S2TG code of granule 2^@gran (sheet 2.5, 3.1). */
static inline unsigned int xl_tg(unsigned int gran)
{
	return gran == 12 ? 0 : gran == 16 ? 1 : 2;
}

/*
 * A stage-1 device @sid: tables of @gran for T0SZ @t0sz (start level of
 * sheet 4.2), a Linux CD (ASID 1, IPS code @ips) at *@cd_pa, returned in
 * @c for tests to change, STE Config 0b101, invalidated.
 */
void xl_s1(struct sg *g, uint32_t sid, unsigned int gran, unsigned int t0sz,
	   unsigned int ips, struct sg_tt *t, struct cd *c, uint64_t *cd_pa);
/* Rewrite @sid's CD at @cd_pa as @c, then CFGI_CD and TLBI_NH_ALL. */
void xl_cd(struct sg *g, uint32_t sid, uint64_t cd_pa, const struct cd *c);

/* IPA where nested tests put what stage 2 maps on purpose. */
#define XL_IPA 0x40000000ull

/*
 * A nested device @sid (Config 0b111, VMID 7): stage 2 (4K, 48 bits)
 * maps IPA [0, 64 MiB) one to one with 2 MiB blocks (tables and the CD
 * sit at IPA = PA); stage 1 (4K, T0SZ 16) has its CD at SG_DATA +
 * 0x100000.  Nothing of stage 1 is mapped yet.
 */
void xl_nested(struct sg *g, uint32_t sid, struct sg_tt *s1, struct sg_tt *s2,
	       struct ste *st);

#endif /* XL_H */
