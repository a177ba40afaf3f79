// SPDX-License-Identifier: MIT
/*
 * walk_front.c - making and freeing the per-thread copies of a model's
 * paging-structure cache (ilib_walk_front.h).
 */
#include <stdlib.h>
#include <string.h>

#include "ilib_walk_front.h"

struct ilib_walk_front *ilib_walk_front_make(struct ilib_walk_fronts *f,
					     unsigned int t)
{
	if (!f || t >= IOMMU_HW_THREADS)
		return NULL;
	struct ilib_walk_front *fr;

	_Static_assert(sizeof(*fr) % _Alignof(struct ilib_walk_front) == 0,
		       "aligned_alloc() takes a multiple of the alignment");
	/* Only thread number @t stores here; zeros are empty entries.
	 * Failing, it is tried again on the next miss. */
	fr = aligned_alloc(_Alignof(struct ilib_walk_front), sizeof(*fr));
	if (fr)
		memset(fr, 0, sizeof(*fr));
	f->t[t] = fr;
	return fr;
}

void ilib_walk_fronts_fini(struct ilib_walk_fronts *f)
{
	if (!f)
		return;
	for (unsigned int t = 0; t < IOMMU_HW_THREADS; t++) {
		free(f->t[t]);
		f->t[t] = NULL;
	}
}
