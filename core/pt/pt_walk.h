/* SPDX-License-Identifier: MIT */
/*
 * pt_walk.h - the walker device models share.
 *
 * A model decodes the guest's configuration (a context entry, a PASID
 * entry, an STE or CD, a DTE) into a struct pt_walk_desc and calls
 * pt_walk().  The walker reads every entry through the host's
 * bounds-checked memory (a table outside RAM is a fetch failure, never a
 * wild read), applies the format's rules at each level in the order its
 * hardware checks them, and returns either the leaf or the failure and the
 * level it happened at; the model turns that into its vendor's fault code.
 *
 * Bounded work: each step goes down at least one level, so a walk reads at
 * most PT_MAX_LEVELS entries whatever the guest wrote (an AMD NextLevel
 * that does not go down is refused, amdvi 3.3 step 7).  A table that
 * points back to one already on the path is followed as hardware follows
 * it; it cannot make the walk longer.
 */
#ifndef IOMMU_CORE_PT_WALK_H
#define IOMMU_CORE_PT_WALK_H

#include <stdint.h>

/* What the request wants (pt_walk() @access). */
#define PT_ACC_R    (1u << 0)
#define PT_ACC_W    (1u << 1)
#define PT_ACC_X    (1u << 2) /* instruction fetch */
#define PT_ACC_PRIV (1u << 3) /* privileged (else user / unprivileged) */

/* What a translation allows (struct pt_walk_res.perm). */
#define PT_PERM_UR (1u << 0) /* unprivileged read */
#define PT_PERM_UW (1u << 1)
#define PT_PERM_UX (1u << 2)
#define PT_PERM_PR (1u << 3) /* privileged read */
#define PT_PERM_PW (1u << 4)
#define PT_PERM_PX (1u << 5)
#define PT_PERM_R  (PT_PERM_UR | PT_PERM_PR)
#define PT_PERM_W  (PT_PERM_UW | PT_PERM_PW)
#define PT_PERM_X  (PT_PERM_UX | PT_PERM_PX)
#define PT_PERM_ALL (PT_PERM_R | PT_PERM_W | PT_PERM_X)

/* Walk flags (struct pt_walk_desc.flags). */
#define PT_WALK_HA   (1u << 0) /* hardware sets access flags (x86 A, lpae AF, amdv1 A) */
#define PT_WALK_HD   (1u << 1) /* hardware sets the dirty state on writes */
#define PT_WALK_AFFD (1u << 2) /* lpae: AF = 0 does not fault (CD.AFFD) */
#define PT_WALK_NXE  (1u << 3) /* x86: XD (bit 63) is a permission, not reserved */
#define PT_WALK_HAD  (1u << 4) /* lpae_s1: hierarchical permissions disabled */
#define PT_WALK_SMEP (1u << 5) /* x86: no privileged fetch from user pages */
#define PT_WALK_NO_PERM (1u << 6) /* report perm, never fail on it */
#define PT_WALK_DS   (1u << 7) /* lpae 4K/16K: FEAT_LPA2 descriptors (CD.DS) */
#define PT_WALK_RESUME (1u << 8) /* start at @start_pa (see below) */

/**
 * struct pt_walk_desc - the guest's configuration of one walk
 * @fmt: entry format (enum pt_fmt)
 * @root: physical address of the top table (for lpae_s2 the first of the
 *     concatenated tables)
 * @granule_lg2: 12, 14, 16 (0 = 12)
 * @levels: levels to walk: the top level is @levels - 1 (amdv1: DTE.Mode;
 *     lpae: 4 - start level)
 * @top_bits: index bits of the top table; 0 = the format's stride, cut to
 *     @ia_bits
 * @ia_bits: input width; an address at or above 2^@ia_bits fails with
 *     PT_WALK_RANGE (x86 formats: the canonical check instead)
 * @oa_bits: output width; a table or output address beyond it fails with
 *     PT_WALK_ADDR_SIZE
 * @leaf_levels: bit L set: the hardware takes large leaves at level L
 *     (0 = every level the format allows)
 * @flags: PT_WALK_*
 * @rsvd: extra bits the model treats as reserved in every entry (a
 *     narrower HAW, a field its version does not have)
 * @perm: permissions the configuration grants before the first level
 *     (AMD DTE.IR/IW); 0 = all
 * @start_pa: with PT_WALK_RESUME, the walk starts at this table of level
 *     @start_lvl with the permissions @start_perm, as a walk that had come
 *     down to it would: what a paging-structure cache kept from an earlier
 *     walk (struct pt_walk_res @table, @level, @table_perm) of an address
 *     whose path to that table is the same.  Levels above are not read,
 *     nor their access flags set (the walk that filled the cache, one with
 *     an access, set them).  A @start_lvl at or above the top level walks
 *     from @root as without the flag.
 * @start_lvl: its level
 * @start_perm: PT_PERM_* the levels above granted
 * @start_host: with PT_WALK_RESUME, NULL or the host address of the whole
 *     table at @start_pa (what the host's mem_ptr gave for it, 8-byte
 *     aligned): its entry is then read there, without the host's lookup
 *     (RAM regions never go away, so a pointer the host gave stays good)
 */
struct pt_walk_desc {
	unsigned int fmt;
	uint64_t root;
	uint8_t granule_lg2;
	uint8_t levels;
	uint8_t top_bits;
	uint8_t ia_bits;
	uint8_t oa_bits;
	uint8_t leaf_levels;
	uint32_t flags;
	uint64_t rsvd;
	uint32_t perm;
	uint64_t start_pa;
	uint8_t start_lvl;
	uint32_t start_perm;
	const void *start_host;
};

/* Why a walk failed (struct pt_walk_res.err). */
enum pt_walk_err {
	PT_WALK_OK = 0,
	PT_WALK_RANGE,	    /* input beyond the table's width / not canonical */
	PT_WALK_FETCH,	    /* an entry lies outside RAM */
	PT_WALK_NOT_PRESENT,/* an entry is not present (invalid) */
	PT_WALK_RSVD,	    /* reserved bits or an invalid encoding */
	PT_WALK_ADDR_SIZE,  /* a table or output address beyond oa_bits */
	PT_WALK_ACCESS,	    /* lpae: AF = 0 without HA or AFFD */
	PT_WALK_PERM,	    /* the access is not allowed */
	PT_WALK_AD_FAIL,    /* the access / dirty update could not be written */
	PT_WALK_BAD_DESC,   /* the description itself is invalid */
};

/**
 * struct pt_walk_res - what a walk found
 * @err: PT_WALK_OK or why it failed
 * @level: level of the leaf, or of the entry that failed
 * @oa: output address of the input address (PT_WALK_OK)
 * @size_lg2: log2 of the leaf's size (a contiguous run or an AMD
 *     NextLevel-7 page counts whole)
 * @perm: PT_PERM_* the walk grants (also on PT_WALK_PERM)
 * @entry: the leaf (or failing) entry, CPU order
 * @entry_pa: physical address of that entry
 * @dirty: the leaf was dirty (after any update this walk made)
 * @table: physical address of the table @entry was read from (of level
 *     @level); with @table_perm, the permissions the levels above it
 *     granted, what a paging-structure cache keeps for PT_WALK_RESUME
 */
struct pt_walk_res {
	enum pt_walk_err err;
	int level;
	uint64_t oa;
	unsigned int size_lg2;
	uint32_t perm;
	uint64_t entry;
	uint64_t entry_pa;
	bool dirty;
	uint64_t table;
	uint32_t table_perm;
};

struct iommu_host;

/**
 * pt_walk() - translate @ia as the hardware would
 * @host: memory the tables are read from (bounds-checked)
 * @access: PT_ACC_* of the request (0: only look, no update, no perm check)
 * Return: 0 or a negative PT_WALK_* code, with @res filled either way.
 */
int pt_walk(struct iommu_host *host, const struct pt_walk_desc *d,
	    uint64_t ia, unsigned int access, struct pt_walk_res *res);

#endif /* IOMMU_CORE_PT_WALK_H */
