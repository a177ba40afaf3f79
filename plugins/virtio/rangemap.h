/* SPDX-License-Identifier: MIT */
/*
 * rangemap.h - an ordered map of non-overlapping inclusive ranges.
 *
 * Each entry covers [start, last] (inclusive, so a range may end at
 * UINT64_MAX) and carries a physical address and flags.  The map is an
 * AVL tree keyed by start: lookups, inserts and removals are O(log n).
 * The device model keeps one per domain for MAP/UNMAP; the driver keeps
 * its own copy of what it asked the device to map.  The two never share
 * a map.
 *
 * Context: no internal locking; the owner serializes writers against
 * readers.  Pointers returned by the lookup functions stay valid until
 * that entry is removed or the map is cleared.
 *
 * Readers without a lock (rangemap_find_shared()): every store a writer
 * makes to a node or the root is an atomic release store, so a reader
 * that loads them (acquire) while a writer changes the tree reads no torn
 * value, TSan sees no race, and the owner's sequence count is ordered
 * around them.  What such a reader finds may mix
 * states; the owner's sequence count tells it whether to trust the
 * result.  For the reader to never touch freed memory the map must take
 * its nodes from a pool (rangemap_init_pooled()): a pooled node is never
 * freed while the pool lives, only reused as a node, so a stale pointer
 * still points to a node (type-stable memory).
 */
#ifndef VIOMMU_RANGEMAP_H
#define VIOMMU_RANGEMAP_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

struct rangemap_entry {
	uint64_t start; /* first address covered */
	uint64_t last;	/* last address covered (inclusive) */
	uint64_t phys;	/* output address of @start */
	uint32_t flags; /* owner-defined */
};

/* Here, not in rangemap.c, so that rangemap_find_shared() is inline. */
struct rangemap_node {
	struct rangemap_entry e; /* first: entry pointer == node pointer */
	struct rangemap_node *left;
	struct rangemap_node *right;
	int height; /* writers only */
};

/* Removed nodes a map keeps for its next inserts, at most. */
#define RANGEMAP_SPARE_MAX 4u

/*
 * Nodes given back by the maps that share the pool, chained by their left
 * pointer, kept for their next inserts with no bound: a pool's node goes
 * back to the allocator only in rangemap_pool_free().  Its memory is
 * bounded by the most entries its maps held at once.
 */
struct rangemap_pool {
	struct rangemap_node *free;
	size_t nr_free;
};

struct rangemap {
	struct rangemap_node *root;
	size_t count;
	/*
	 * Nodes of removed entries, chained by their left pointer: a map
	 * that an UNMAP empties and a MAP fills again (the common cycle)
	 * then allocates nothing.  Freed by rangemap_clear().
	 */
	struct rangemap_node *spare;
	unsigned int nr_spare;
	struct rangemap_pool *pool; /* NULL: nodes are freed (or spare) */
};

/**
 * rangemap_init() - make @m an empty map
 * @m: map
 */
void rangemap_init(struct rangemap *m);

/**
 * rangemap_init_pooled() - make @m an empty map whose nodes come from and
 * go back to @pool (several maps may share one pool; the owner serializes
 * all their writers)
 * @m: map
 * @pool: the pool; outlives @m
 */
void rangemap_init_pooled(struct rangemap *m, struct rangemap_pool *pool);

/**
 * rangemap_clear() - free every entry and spare node (a pooled map's go
 * back to its pool); @m is empty afterwards and holds no memory
 * @m: map
 */
void rangemap_clear(struct rangemap *m);

/**
 * rangemap_pool_free() - free the nodes of @pool
 * @pool: pool; the maps that used it are cleared, no reader is left
 */
void rangemap_pool_free(struct rangemap_pool *pool);

/**
 * rangemap_insert() - add the entry [@start, @last] -> @phys
 * @m: map
 * @start: first address
 * @last: last address (inclusive)
 * @phys: output address of @start
 * @flags: stored as is
 *
 * Return: 0; -EINVAL if @last < @start or @m is NULL; -EEXIST if the range
 * intersects an existing entry (the map is unchanged); -ENOMEM.
 */
int rangemap_insert(struct rangemap *m, uint64_t start, uint64_t last,
		    uint64_t phys, uint32_t flags);

/**
 * rangemap_find() - the entry that contains @addr
 * @m: map
 * @addr: address
 *
 * Return: the entry, or NULL if no entry contains @addr.
 */
const struct rangemap_entry *rangemap_find(const struct rangemap *m,
					   uint64_t addr);

/* Steps of a shared descent: an AVL tree of 2^64 entries is under 93
 * levels high, so a longer descent went through a tree being changed. */
#define RANGEMAP_SHARED_STEPS 128u

/**
 * rangemap_find_shared() - rangemap_find() for a reader that holds no
 * lock: a copy of the entry that contains @addr
 * @m: a pooled map (see the top comment)
 * @addr: address
 * @out: the entry, when found
 *
 * Every load is an acquire load (what a pointer points to was initialized
 * before it was published, and a later load of the owner's sequence count
 * cannot pass them).  The result is good only when that count shows that
 * no writer ran meanwhile.
 *
 * Return: 1 found; 0 not found; -EAGAIN the descent was too long (a
 * writer was changing the tree; never happens in a stable tree).
 */
static inline int rangemap_find_shared(const struct rangemap *m,
				       uint64_t addr,
				       struct rangemap_entry *out)
{
	const struct rangemap_node *n =
		__atomic_load_n(&m->root, __ATOMIC_ACQUIRE);
	unsigned int steps = RANGEMAP_SHARED_STEPS;

	while (n) {
		uint64_t start = __atomic_load_n(&n->e.start, __ATOMIC_ACQUIRE);
		uint64_t last = __atomic_load_n(&n->e.last, __ATOMIC_ACQUIRE);

		if (!--steps)
			return -EAGAIN;
		if (addr < start) {
			n = __atomic_load_n(&n->left, __ATOMIC_ACQUIRE);
		} else if (addr > last) {
			n = __atomic_load_n(&n->right, __ATOMIC_ACQUIRE);
		} else {
			out->start = start;
			out->last = last;
			out->phys = __atomic_load_n(&n->e.phys,
						    __ATOMIC_ACQUIRE);
			out->flags = __atomic_load_n(&n->e.flags,
						     __ATOMIC_ACQUIRE);
			return 1;
		}
	}
	return 0;
}

/**
 * rangemap_first_overlap() - the lowest entry intersecting [@start, @last]
 * @m: map
 * @start: first address
 * @last: last address (inclusive)
 *
 * Return: the entry, or NULL if none intersects (or @last < @start).
 */
const struct rangemap_entry *
rangemap_first_overlap(const struct rangemap *m, uint64_t start, uint64_t last);

/**
 * rangemap_next() - the entry after @e in address order
 * @m: map
 * @e: an entry of @m
 *
 * Return: the next higher entry, or NULL if @e is the last (or NULL).
 */
const struct rangemap_entry *rangemap_next(const struct rangemap *m,
					   const struct rangemap_entry *e);

/**
 * rangemap_remove() - remove the entry that starts exactly at @start
 * @m: map
 * @start: its start
 *
 * Return: 0, or -ENOENT if no entry starts at @start.
 */
int rangemap_remove(struct rangemap *m, uint64_t start);

/* Number of entries in @m. */
static inline size_t rangemap_count(const struct rangemap *m)
{
	return m->count;
}

#endif /* VIOMMU_RANGEMAP_H */
