/* SPDX-License-Identifier: MIT */
/*
 * ilib_pt_walk.h - the domain op walk (plugin.h, ABI 2.2) of every driver
 * whose page tables are core/pt's, written once.
 *
 * Header-only (static inline), like ilib_pt.h: plugins/lib is built
 * without core/pt in its include path; a driver that includes this has
 * both.
 *
 *  - Tables and leaves come from the engine's read-only iteration
 *    (pt_iterate(), tables included; the top table, which it does not
 *    show, first).  A contiguous run (Arm) or an AMD NextLevel-7 page is
 *    one leaf of its whole size.
 *  - A leaf's permissions are what the engine's model walker
 *    (pt_walk() with no access: only look, no update) finds for its first
 *    address: the decode a device model makes, permissions of the upper
 *    levels included, with no per-format decoder here.
 *
 * A driver defines its op with one line, naming its domain struct and the
 * struct pt in it, and puts it in its paging ops table:
 *
 *	ILIB_PT_WALK_OP(vtd_drv_walk, struct vtd_domain, pt)
 *	...	.walk = vtd_drv_walk,
 */
#ifndef ILIB_PT_WALK_H
#define ILIB_PT_WALK_H

#include <errno.h>
#include <stdint.h>

#include "iommu/plugin.h"
#include "pt.h"

#pragma GCC visibility push(hidden)

struct ilib_pt_walk {
	struct pt *pt;
	struct pt_walk_desc desc;
	const struct iommu_walk_visitor *v;
	void *cookie;
};

/* The walk description of the driver's own table, as a model decodes it. */
static inline void ilib_pt_walk_desc(const struct pt *pt,
				     struct pt_walk_desc *d)
{
	*d = (struct pt_walk_desc){
	    .fmt = pt->cfg.fmt,
	    .root = pt->root_pa,
	    .granule_lg2 = (uint8_t)pt->cfg.granule_lg2,
	    .levels = (uint8_t)pt->cfg.levels,
	    .top_bits = (uint8_t)pt->top_bits,
	    .ia_bits = (uint8_t)pt->cfg.ia_bits,
	    .oa_bits = (uint8_t)pt->cfg.oa_bits,
	    /* XD is a permission bit of the driver's x86 leaves, never
	     * a reserved one. */
	    .flags = PT_WALK_NXE,
	};
}

static inline int ilib_pt_walk_visit(void *ctx, const struct pt_visit *pv)
{
	struct ilib_pt_walk *w = ctx;

	if (pv->table) {
		/* pt_iterate() names the entry that points to the table:
		 * its level is the parent's, its span the table's. */
		struct iommu_walk_table t = {
		    .level = pv->level - 1,
		    .pa = pv->pa,
		    .iova = pv->iova,
		    .last = pv->iova + ((1ull << pv->lg2) - 1),
		};

		return w->v->table ? w->v->table(w->cookie, &t) : 0;
	} else {
		struct iommu_walk_leaf l = {
		    .iova = pv->iova,
		    .size = 1ull << pv->lg2,
		    .pa = pv->pa,
		    .level = pv->level,
		};
		struct pt_walk_res r;

		if (!w->v->leaf)
			return 0;
		/* A leaf the walker cannot decode shows without rights. */
		if (!pt_walk(w->pt->host, &w->desc, pv->iova, 0, &r)) {
			if (r.perm & PT_PERM_R)
				l.prot |= IOMMU_READ;
			if (r.perm & PT_PERM_W)
				l.prot |= IOMMU_WRITE;
		}
		return w->v->leaf(w->cookie, &l);
	}
}

/**
 * ilib_pt_walk() - show @pt's tables and leaves to @v
 * Context: read-only; may run concurrently with map and unmap of @pt.
 * Return: 0; -EINVAL bad arguments; what a visitor call returned;
 * -EFAULT a table outside RAM.
 */
static inline int ilib_pt_walk(struct pt *pt,
			       const struct iommu_walk_visitor *v, void *cookie)
{
	struct ilib_pt_walk w = {.pt = pt, .v = v, .cookie = cookie};
	int ret;

	if (!pt || !pt->root || !v)
		return -EINVAL;
	ilib_pt_walk_desc(pt, &w.desc);
	if (v->table) {
		struct iommu_walk_table top = {
		    .level = pt->cfg.levels - 1,
		    .pa = pt->root_pa,
		    .iova = 0,
		    .last = pt->cfg.ia_bits >= 64
				? UINT64_MAX
				: (1ull << pt->cfg.ia_bits) - 1,
		};

		ret = v->table(cookie, &top);
		if (ret)
			return ret;
	}
	return pt_iterate(pt, 0, UINT64_MAX, v->table != NULL,
			  ilib_pt_walk_visit, &w);
}

/* Define the walk op @name of a driver whose domain (@type) holds its
 * struct pt in @member. */
#define ILIB_PT_WALK_OP(name, type, member)                                    \
	static int name(void *dom, const struct iommu_walk_visitor *v,         \
			void *cookie)                                          \
	{                                                                      \
		return dom ? ilib_pt_walk(&((type *)dom)->member, v, cookie)   \
			   : -EINVAL;                                          \
	}

#pragma GCC visibility pop

#endif /* ILIB_PT_WALK_H */
