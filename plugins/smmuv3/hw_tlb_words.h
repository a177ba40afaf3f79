/* SPDX-License-Identifier: MIT */
/*
 * hw_tlb_words.h - the SMMUv3 model's TLB entry as its cache keeps it:
 * the words of an entry (tags, attributes), the epochs of its scopes and
 * what an invalidation by address removes (included by hw.h; hw_tlb.h
 * has the keys, lookup and insert).
 */
#ifndef SMMU_HW_TLB_WORDS_H
#define SMMU_HW_TLB_WORDS_H

#include <stdbool.h>
#include <stdint.h>

#include "pt.h"
#include "regs.h"

/* A TLB entry (key: page, size, kind, tags; value: output, attributes,
 * epochs). */
struct hw_tlb {
	uint64_t page; /* input address >> lg2 */
	uint64_t out;  /* output address of the entry's first byte */
	uint64_t attr; /* HW_TLB_A_*: the rest of what the walk found */
	uint64_t tags; /* HW_TLB_T_*: what it is tagged with (smmuv3 9.1) */
	uint8_t lg2;
	uint8_t kind; /* enum hw_kind */
};

/*
 * hw_tlb.tags, one word as the TLB's key keeps it: VMID (15:0; NS-EL1
 * entries when stage 2 exists, else 0), ASID (31:16; non-global stage-1
 * entries of worlds with ASIDs, else 0), stream world (33:32), global
 * (34: nG = 0) and ASET (35).  Bits 33:0 are the entry's ASID scope
 * (hw_cache.c).
 */
#define HW_TLB_T_ASID	  SMMU_GENMASK(31, 16)
#define HW_TLB_T_GLOBAL	  SMMU_BIT(34)
#define HW_TLB_T_ASET	  SMMU_BIT(35)
#define HW_TLB_T_VMID(t)  ((uint16_t)(t))
#define HW_TLB_T_ASIDV(t) ((uint16_t)((t) >> 16))
#define HW_TLB_T_WORLD(t) ((uint8_t)(((t) >> 32) & 3))

static inline uint64_t hw_tlb_tagw(uint16_t vmid, uint16_t asid, uint8_t world,
				   bool aset)
{
	return vmid | (uint64_t)asid << 16 | (uint64_t)(world & 3u) << 32 |
	       (aset ? HW_TLB_T_ASET : 0);
}

/*
 * hw_tlb.attr, one word as the TLB keeps it: combined entries' IPA of the
 * entry's first byte (bits 51:12; 0 for the others), the PT_PERM_* of
 * stage 1 (or of the only stage; 5:0) and of stage 2 (combined entries;
 * else all, 11:6), whether each lacks W only because the leaf is clean
 * (52, 53), the Arm level of the leaf (stage 1's for combined entries;
 * 55:54) and its granule ((g - 12) / 2, 57:56).
 */
#define HW_TLB_A_IPA	  SMMU_GENMASK(51, 12)
#define HW_TLB_A_WD	  SMMU_BIT(52)
#define HW_TLB_A_WD2	  SMMU_BIT(53)
#define HW_TLB_A_PERM(a)  ((uint8_t)((a)&0x3f))
#define HW_TLB_A_PERM2(a) ((uint8_t)(((a) >> 6) & 0x3f))
#define HW_TLB_A_LEVEL(a) ((unsigned int)(((a) >> 54) & 3))
#define HW_TLB_A_G(a)	  (12u + 2u * (unsigned int)(((a) >> 56) & 3))

_Static_assert(PT_PERM_ALL <= 0x3f, "a stage's permissions fit 6 bits");

/* hw_tlb.attr of a walk's result: @ipa (aligned), the leaf's stage-1 (or
 * only) permissions and clean flag, stage 2's, level and granule 2^@g. */
static inline uint64_t hw_tlb_attr(uint64_t ipa, uint8_t perm, bool wd,
				   uint8_t perm2, bool wd2, unsigned int level,
				   unsigned int g)
{
	return (ipa & HW_TLB_A_IPA) | (perm & 0x3fu) |
	       (uint64_t)(perm2 & 0x3fu) << 6 | (wd ? HW_TLB_A_WD : 0) |
	       (wd2 ? HW_TLB_A_WD2 : 0) | (uint64_t)(level & 3u) << 54 |
	       (uint64_t)(((g - 12u) / 2u) & 3u) << 56;
}

/*
 * Whole-scope TLBIs, in O(1) whatever the TLB's size (smmu_hw_tlbi_scope).
 * The VMID scopes are the TLB's ilib_cache tags (hw_cache.c): NS-EL1
 * entries are tagged by VMID and stage (stage 1 and combined, or stage 2
 * only), and ilib_cache_flush_tag() drops a tag.  The stream world and
 * the ASID are epochs: an entry keeps the sum of its world's epoch and,
 * non-global stage-1 entries of a world with ASIDs, its ASID's, read
 * before its walk, and counts only while that sum holds (both only grow,
 * so the sum holds only while each does).  Tags and ASIDs hash into
 * buckets (a bump drops a bucket's other scopes too: more than asked,
 * never less).
 */
#define HW_EP_BUCKETS 1024u
enum hw_ep {
	HW_EP_WORLD = 0, /* TLBI_NSNH_ALL (NS-EL1), TLBI_EL2_ALL (EL2) */
	HW_EP_VMID,	 /* TLBI_S12_VMALL: every entry of the VMID */
	HW_EP_VMID_S1,	 /* TLBI_NH_ALL: stage-1 / combined of the VMID */
	HW_EP_ASID,	 /* TLBI_NH_ASID, TLBI_EL2_ASID: non-global */
};

/* The epochs a walk reads for the entry it may insert. */
struct hw_tlb_ep {
	uint64_t world; /* hw->ep_world[world] */
	uint64_t asid;	/* hw->ep_asid[] of the ASID scope (non-global) */
};

/* What a TLB invalidation by address removes (smmuv3 9.2). */
struct hw_tlbi {
	uint8_t kinds;	/* 1 << enum hw_kind */
	uint8_t worlds; /* 1 << enum hw_world */
	bool vmid_on;
	bool asid_on;	  /* non-global entries of asid (and globals if
			   * with_global) */
	bool with_global; /* asid_on: global entries match too */
	bool range_on;
	uint16_t vmid;
	uint16_t asid;
	uint64_t first, last; /* inclusive input range */
	uint8_t ttl;	      /* 0 any level; else level with granule tg_g */
	uint8_t tg_g;
};

#endif /* SMMU_HW_TLB_WORDS_H */
