// SPDX-License-Identifier: MIT
/*
 * ids.c - the ID allocator (see ilib_ids.h).
 *
 * Leaves are allocated when an ID in them is first taken and freed when
 * their last one is given back: a driver's domain IDs, a 20-bit PASID
 * space and a 32-bit virtio domain range all cost only what is in use.
 * full_below skips the full leaves at the bottom, where lowest-first
 * allocation piles IDs up, so that a long-lived instance does not rescan
 * them on every allocation.
 */
#include <errno.h>
#include <stdlib.h>

#include "ilib_ids.h"

#define ILIB_IDS_WORDS (ILIB_IDS_LEAF / 64u)

struct ilib_ids_leaf {
	uint32_t used;
	uint64_t w[ILIB_IDS_WORDS];
};

int ilib_ids_init(struct ilib_ids *ids, uint32_t start, uint32_t last)
{
	if (!ids || start > last)
		return -EINVAL;
	ids->start = start;
	ids->last = last;
	ids->nr_leaves =
	    (uint32_t)(((uint64_t)last - start) / ILIB_IDS_LEAF) + 1;
	ids->full_below = 0;
	ids->leaves_end = 0;
	ids->used = 0;
	ids->leaves = calloc(ids->nr_leaves, sizeof(*ids->leaves));
	if (!ids->leaves)
		return -ENOMEM;
	if (pthread_mutex_init(&ids->lock, NULL)) {
		free(ids->leaves);
		ids->leaves = NULL;
		return -ENOMEM;
	}
	return 0;
}

void ilib_ids_fini(struct ilib_ids *ids)
{
	if (!ids || !ids->leaves)
		return;
	/* Only as far as a leaf was ever made: a 32-bit space has 2^20. */
	for (uint32_t l = 0; l < ids->leaves_end; l++)
		free(ids->leaves[l]);
	free(ids->leaves);
	ids->leaves = NULL;
	pthread_mutex_destroy(&ids->lock);
}

/* IDs in leaf @l: ILIB_IDS_LEAF except in a last, partial leaf. */
static uint32_t ids_leaf_cap(const struct ilib_ids *ids, uint32_t l)
{
	if (l + 1 < ids->nr_leaves)
		return ILIB_IDS_LEAF;
	return (uint32_t)(((uint64_t)ids->last - ids->start) % ILIB_IDS_LEAF) +
	       1;
}

static bool ids_leaf_full(const struct ilib_ids *ids, uint32_t l)
{
	return ids->leaves[l] && ids->leaves[l]->used == ids_leaf_cap(ids, l);
}

/*
 * The lowest clear bit in [@lo, @hi] of leaf @lf (NULL: all clear), or
 * ILIB_IDS_LEAF if there is none.
 */
static uint32_t ids_leaf_find(const struct ilib_ids_leaf *lf, uint32_t lo,
			      uint32_t hi)
{
	if (!lf)
		return lo;
	if (lf->used == ILIB_IDS_LEAF)
		return ILIB_IDS_LEAF;
	for (uint32_t i = lo / 64; i <= hi / 64; i++) {
		uint64_t free_bits = ~lf->w[i];

		if (i == lo / 64)
			free_bits &= ~0ull << (lo % 64);
		if (i == hi / 64 && hi % 64 != 63)
			free_bits &= (1ull << (hi % 64 + 1)) - 1;
		if (free_bits)
			return i * 64 + (uint32_t)__builtin_ctzll(free_bits);
	}
	return ILIB_IDS_LEAF;
}

/* Take bit @b of leaf @l, allocating the leaf. Context: ids->lock. */
static int ids_take(struct ilib_ids *ids, uint32_t l, uint32_t b)
{
	struct ilib_ids_leaf *lf = ids->leaves[l];

	if (!lf) {
		lf = calloc(1, sizeof(*lf));
		if (!lf)
			return -ENOMEM;
		ids->leaves[l] = lf;
		if (l >= ids->leaves_end)
			ids->leaves_end = l + 1;
	}
	lf->w[b / 64] |= 1ull << (b % 64);
	lf->used++;
	ids->used++;
	while (ids->full_below < ids->nr_leaves &&
	       ids_leaf_full(ids, ids->full_below))
		ids->full_below++;
	return 0;
}

int ilib_ids_alloc(struct ilib_ids *ids, uint32_t min, uint32_t max,
		   uint32_t *id)
{
	uint32_t l0, l1, l;
	int ret = -ENOSPC;

	if (!ids || !ids->leaves || !id || min > max || min < ids->start ||
	    max > ids->last)
		return -EINVAL;
	l0 = (min - ids->start) / ILIB_IDS_LEAF;
	l1 = (max - ids->start) / ILIB_IDS_LEAF;
	pthread_mutex_lock(&ids->lock);
	for (l = l0 > ids->full_below ? l0 : ids->full_below; l <= l1; l++) {
		uint32_t lo = l == l0 ? (min - ids->start) % ILIB_IDS_LEAF : 0;
		uint32_t hi = l == l1 ? (max - ids->start) % ILIB_IDS_LEAF
				      : ILIB_IDS_LEAF - 1;
		uint32_t b = ids_leaf_find(ids->leaves[l], lo, hi);

		if (b == ILIB_IDS_LEAF)
			continue;
		ret = ids_take(ids, l, b);
		if (!ret)
			*id = ids->start + l * ILIB_IDS_LEAF + b;
		break;
	}
	pthread_mutex_unlock(&ids->lock);
	return ret;
}

int ilib_ids_alloc_id(struct ilib_ids *ids, uint32_t id)
{
	uint32_t l, b;
	int ret;

	if (!ids || !ids->leaves || id < ids->start || id > ids->last)
		return -EINVAL;
	l = (id - ids->start) / ILIB_IDS_LEAF;
	b = (id - ids->start) % ILIB_IDS_LEAF;
	pthread_mutex_lock(&ids->lock);
	if (ids->leaves[l] && (ids->leaves[l]->w[b / 64] & (1ull << (b % 64))))
		ret = -EBUSY;
	else
		ret = ids_take(ids, l, b);
	pthread_mutex_unlock(&ids->lock);
	return ret;
}

int ilib_ids_free(struct ilib_ids *ids, uint32_t id)
{
	struct ilib_ids_leaf *lf;
	uint32_t l, b;
	int ret = 0;

	if (!ids || !ids->leaves || id < ids->start || id > ids->last)
		return -EINVAL;
	l = (id - ids->start) / ILIB_IDS_LEAF;
	b = (id - ids->start) % ILIB_IDS_LEAF;
	pthread_mutex_lock(&ids->lock);
	lf = ids->leaves[l];
	if (!lf || !(lf->w[b / 64] & (1ull << (b % 64)))) {
		ret = -ENOENT;
		goto out;
	}
	lf->w[b / 64] &= ~(1ull << (b % 64));
	ids->used--;
	if (!--lf->used) {
		free(lf);
		ids->leaves[l] = NULL;
	}
	if (l < ids->full_below)
		ids->full_below = l;
out:
	pthread_mutex_unlock(&ids->lock);
	return ret;
}

bool ilib_ids_taken(struct ilib_ids *ids, uint32_t id)
{
	struct ilib_ids_leaf *lf;
	uint32_t b;
	bool taken;

	if (!ids || !ids->leaves || id < ids->start || id > ids->last)
		return false;
	b = (id - ids->start) % ILIB_IDS_LEAF;
	pthread_mutex_lock(&ids->lock);
	lf = ids->leaves[(id - ids->start) / ILIB_IDS_LEAF];
	taken = lf && (lf->w[b / 64] & (1ull << (b % 64)));
	pthread_mutex_unlock(&ids->lock);
	return taken;
}

uint64_t ilib_ids_used(struct ilib_ids *ids)
{
	uint64_t n;

	if (!ids || !ids->leaves)
		return 0;
	pthread_mutex_lock(&ids->lock);
	n = ids->used;
	pthread_mutex_unlock(&ids->lock);
	return n;
}
