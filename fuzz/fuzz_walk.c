// SPDX-License-Identifier: MIT
/*
 * fuzz_walk.c - libFuzzer target: the model walker pt_walk() (core/pt)
 * over every format with hostile tables.
 *
 * Input layout (little-endian):
 *   0  u8  format (modulo the number of formats, + 1)
 *   1  u8  granule: 0 -> 12, 1 -> 14, 2 -> 16, 3 -> the next byte as is
 *   2  u8  granule_lg2 when byte 1 is 3
 *   3  u8  levels
 *   4  u8  top_bits
 *   5  u8  ia_bits
 *   6  u8  oa_bits
 *   7  u8  leaf_levels
 *   8  u32 flags (PT_WALK_*)
 *  12  u64 rsvd
 *  20  u32 perm
 *  24  u32 root (taken modulo twice the RAM size)
 *  28  u8  number of walks N (at most 16)
 *  29  N x { u64 ia, u8 access (PT_ACC_*, low 4 bits) }
 *  ..  the rest: entries { u32 pa, u64 value } stored into RAM (pa
 *      modulo RAM_SIZE - 7) before the walks: the tables
 *
 * RAM is RAM_SIZE bytes at physical 0, malloc'd to exactly that size, and
 * the host's accessors check bounds the way the core's do, so a walker
 * that computed an entry address past RAM gets PT_WALK_FETCH from the
 * host while a walker that bypassed the host (or mem_ptr's length) is
 * stopped by ASan.  Walks with access bits may write accessed / dirty
 * state back into the tables; later walks see it.
 *
 * Each walk that got below the top level is also resumed at the table it
 * reported (a paging-structure cache hit), once reading that table
 * through the host and once at its host address (start_host, one
 * granule mapped, as the walk caches keep it): the two must answer the
 * same, field by field, or the target aborts.  A walk resumed at level 0
 * is also answered by its format's inline decoder (pt_quick.h), where the
 * description meets the decoder's conditions: what the decoder accepts,
 * the walk must translate the same (output, permissions) without writing
 * the entry, or the target aborts.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt.h"
#include "pt_quick.h"
#include "pt_walk.h"

#define RAM_SIZE  (128u * 1024)
#define MAX_WALKS 16

struct fw_host {
	struct iommu_host host; /* first */
	uint8_t *ram;
};

static uint8_t *fw_ram(struct iommu_host *h, uint64_t pa, size_t len)
{
	if (pa >= RAM_SIZE || len > RAM_SIZE - pa)
		return NULL;
	return ((struct fw_host *)h)->ram + pa;
}

static void fw_log(struct iommu_host *h, enum iommu_log_level l,
		   const char *fmt, ...)
{
	(void)h, (void)l, (void)fmt;
}

static int fw_read(struct iommu_host *h, uint64_t pa, void *buf, size_t len)
{
	uint8_t *p = fw_ram(h, pa, len);

	if (!p)
		return -EFAULT;
	memcpy(buf, p, len);
	return 0;
}

static int fw_write(struct iommu_host *h, uint64_t pa, const void *buf,
		    size_t len)
{
	uint8_t *p = fw_ram(h, pa, len);

	if (!p)
		return -EFAULT;
	memcpy(p, buf, len);
	return 0;
}

static void *fw_ptr(struct iommu_host *h, uint64_t pa, size_t len)
{
	return fw_ram(h, pa, len);
}

static void fw_stat(struct iommu_host *h, enum iommu_stat s, uint64_t n)
{
	(void)h, (void)s, (void)n;
}

/* The device model's role: no table allocation, no fault reports. */
static const struct iommu_host_ops fw_ops = {
    .log = fw_log,
    .mem_read = fw_read,
    .mem_write = fw_write,
    .mem_ptr = fw_ptr,
    .stat_add = fw_stat,
};

/* Abort unless @a and @b (and their returns) are the same answer. */
static void same_answer(int ra, const struct pt_walk_res *a, int rb,
			const struct pt_walk_res *b)
{
	if (ra != rb || a->err != b->err || a->level != b->level ||
	    a->oa != b->oa || a->size_lg2 != b->size_lg2 ||
	    a->perm != b->perm || a->entry != b->entry ||
	    a->entry_pa != b->entry_pa || a->dirty != b->dirty ||
	    a->table != b->table || a->table_perm != b->table_perm) {
		fprintf(stderr, "resumed walks differ: err %d/%d level %d/%d "
				"oa 0x%llx/0x%llx\n",
			a->err, b->err, a->level, b->level,
			(unsigned long long)a->oa, (unsigned long long)b->oa);
		abort();
	}
}

/*
 * The inline decoder of @d's format on entry @e of a level-0 table whose
 * levels above granted @perm, for @access: true and @perm, @oa if it
 * accepts; false if it refuses or @d is not one it takes.
 */
static bool quick_decode(const struct pt_walk_desc *d, uint64_t e,
			 unsigned int access, uint32_t *perm, uint64_t *oa)
{
	const uint32_t f = d->flags & ~PT_WALK_RESUME;
	const unsigned int g = d->granule_lg2 ? d->granule_lg2 : 12;
	const bool rw = access == PT_ACC_R || access == PT_ACC_W;

	if (d->oa_bits > 52)
		return false;
	switch (d->fmt) {
	case PT_FMT_VTDSS:
		return rw && !f &&
		       pt_quick_vtdss(e,
				      pt_quick_vtdss_rsvd(d->oa_bits, d->rsvd),
				      access, perm, oa);
	case PT_FMT_AMDV1:
		return rw && !(f & ~(PT_WALK_HA | PT_WALK_HD)) &&
		       pt_quick_amdv1(
			   e, pt_quick_amdv1_rsvd(d->oa_bits, d->rsvd),
			   pt_quick_amdv1_need(f, access), access, perm, oa);
	case PT_FMT_AMDV2:
		return rw && !(f & ~(PT_WALK_HA | PT_WALK_HD | PT_WALK_NXE)) &&
		       pt_quick_amdv2(
			   e, pt_quick_amdv2_rsvd(d->oa_bits, d->rsvd, f),
			   pt_quick_amdv2_need(f, access), access, perm, oa);
	case PT_FMT_LPAE_S1:
	case PT_FMT_LPAE_S2:
		if ((!rw && access) || d->rsvd ||
		    (f & ~(PT_WALK_HA | PT_WALK_HD | PT_WALK_AFFD |
			   PT_WALK_HAD)))
			return false;
		return d->fmt == PT_FMT_LPAE_S1
			   ? pt_quick_lpae_s1(e, g,
					      d->oa_bits ? d->oa_bits : 52,
					      d->flags, access, perm, oa)
			   : pt_quick_lpae_s2(e, g,
					      d->oa_bits ? d->oa_bits : 52,
					      d->flags, access, perm, oa);
	default:
		return false;
	}
}

/*
 * Resume the walk @d of @ia at the table @res reported: through the host,
 * then at the table's host address; the answers must agree.  At level 0,
 * the format's inline decoder too, on the entry as it was before.
 */
static void resume_both(struct fw_host *h, const struct pt_walk_desc *d,
			uint64_t ia, unsigned int access,
			const struct pt_walk_res *res)
{
	const unsigned int g = d->granule_lg2 ? d->granule_lg2 : 12;
	struct pt_walk_res a, b;
	struct pt_walk_desc rd;
	const void *host = NULL;
	uint64_t e = 0, idx = 0, qoa = 0;
	uint32_t qperm = 0;
	bool quick = false;
	int ra, rb;

	if ((g != 12 && g != 14 && g != 16) || res->level < 0 ||
	    res->level + 1 >= (int)d->levels || (res->table & 7) ||
	    (d->flags & PT_WALK_RESUME))
		return;
	rd = *d;
	rd.flags |= PT_WALK_RESUME;
	rd.start_pa = res->table;
	rd.start_lvl = (uint8_t)res->level;
	rd.start_perm = res->table_perm;
	rd.start_host = NULL;
	/* The decoders take permissions of PT_PERM_* bits only (pt_quick.h);
	 * a description's @perm of other bits leaves them in table_perm. */
	if (!res->level && g <= 16 && !(res->table_perm & ~PT_PERM_ALL) &&
	    (host = fw_ram(&h->host, res->table, (size_t)1 << g))) {
		idx = g == 12 ? pt_quick_idx4k(ia) : pt_quick_lpae_idx(g, ia);
		e = pt_quick_load(host, idx);
		qperm = res->table_perm;
		quick = quick_decode(d, e, access, &qperm, &qoa);
	}
	memset(&a, 0, sizeof(a));
	ra = pt_walk(&h->host, &rd, ia, access, &a);
	if (quick && (ra || a.oa != (qoa | (ia & ((1ull << g) - 1))) ||
		      a.perm != qperm || pt_quick_load(host, idx) != e)) {
		fprintf(stderr, "decoder and walk differ: entry 0x%llx: "
				"err %d oa 0x%llx/0x%llx perm %x/%x\n",
			(unsigned long long)e, a.err,
			(unsigned long long)(qoa | (ia & ((1ull << g) - 1))),
			(unsigned long long)a.oa, qperm, a.perm);
		abort();
	}
	rd.start_host = fw_ram(&h->host, res->table, (size_t)1 << g);
	if (!rd.start_host)
		return;
	memset(&b, 0, sizeof(b));
	rb = pt_walk(&h->host, &rd, ia, access, &b);
	same_answer(ra, &a, rb, &b);
}

static uint64_t le(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t gran[] = {12, 14, 16};
	static int verbose = -1;
	struct pt_walk_desc d;
	struct pt_walk_res res;
	struct fw_host h;
	const uint8_t *w;
	unsigned int n, i;
	size_t hdr;

	if (verbose < 0)
		verbose = getenv("FUZZ_STATS") != NULL;
	if (size < 29)
		return 0;
	n = data[28] % (MAX_WALKS + 1);
	hdr = 29 + 9ull * n;
	if (size < hdr)
		return 0;
	memset(&d, 0, sizeof(d));
	d.fmt = 1 + data[0] % (PT_FMT_COUNT - 1);
	d.granule_lg2 = (data[1] & 3) == 3 ? data[2] : gran[data[1] & 3];
	d.levels = data[3];
	d.top_bits = data[4];
	d.ia_bits = data[5];
	d.oa_bits = data[6];
	d.leaf_levels = data[7];
	d.flags = (uint32_t)le(data + 8, 4);
	d.rsvd = le(data + 12, 8);
	d.perm = (uint32_t)le(data + 20, 4);
	d.root = le(data + 24, 4) % (2ull * RAM_SIZE);

	h.host.ops = &fw_ops;
	h.ram = calloc(1, RAM_SIZE); /* exactly: ASan sees past the end */
	if (!h.ram)
		return 0;
	for (w = data + hdr; w + 12 <= data + size; w += 12) {
		uint64_t pa = le(w, 4) % (RAM_SIZE - 7), v = le(w + 4, 8);

		for (i = 0; i < 8; i++)
			h.ram[pa + i] = (uint8_t)(v >> (8 * i));
	}
	for (i = 0, w = data + 29; i < n; i++, w += 9) {
		memset(&res, 0, sizeof(res));
		(void)pt_walk(&h.host, &d, le(w, 8), w[8] & 0xf, &res);
		if (res.err != PT_WALK_BAD_DESC)
			resume_both(&h, &d, le(w, 8), w[8] & 0xf, &res);
		/* FUZZ_STATS=1: how far each walk got (seed checks). */
		if (verbose)
			fprintf(stderr, "walk %u: err %d level %d oa 0x%llx\n",
				i, res.err, res.level,
				(unsigned long long)res.oa);
	}
	free(h.ram);
	return 0;
}
