// SPDX-License-Identifier: MIT
/*
 * walk_front.c - making and freeing the per-thread copies of a model's
 * paging-structure cache (ilib_walk_front.h).
 */
#include <stdlib.h>

#include "ilib_walk_front.h"

struct ilib_walk_front *ilib_walk_front_make(struct ilib_walk_fronts *f,
					     unsigned int t)
{
	if (!f || t >= IOMMU_HW_THREADS)
		return NULL;
	/* Only thread number @t stores here; calloc's zeros are empty
	 * entries.  Failing, it is tried again on the next miss. */
	f->t[t] = calloc(1, sizeof(*f->t[t]));
	return f->t[t];
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
