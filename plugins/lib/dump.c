// SPDX-License-Identifier: MIT
/*
 * dump.c - registers and caches as text for the models' dump ops
 * (ilib_dump.h).
 */
#include <inttypes.h>

#include "ilib_dump.h"

void ilib_dump_reg(iommu_print_fn pr, void *c, int width, const char *name,
		   uint64_t v, const struct ilib_field *f)
{
	pr(c, "  %-*s 0x%016" PRIx64 ":", width, name, v);
	for (; f && f->name; f++) {
		const uint64_t x = f->mask ? (v & f->mask) >>
						     __builtin_ctzll(f->mask)
					   : 0;

		if (f->flags & ILIB_FIELD_F_ADDR)
			pr(c, " %s=0x%" PRIx64, f->name, v & f->mask);
		else if (!(f->mask & (f->mask - 1))) {
			if (x)
				pr(c, " %s", f->name);
		} else
			pr(c, " %s=%" PRIu64, f->name, x);
	}
	pr(c, "\n");
}

void ilib_dump_cache(iommu_print_fn pr, void *c, int width, const char *name,
		     const struct ilib_cache *ca)
{
	const unsigned int sets = ilib_cache_nsets(ca);

	pr(c, "  %-*s %" PRIu64 " of %" PRIu64 " entries (%u sets x %u ways)\n",
	   width, name, ilib_cache_count(ca), (uint64_t)sets * ca->ways, sets,
	   ca->ways);
}
