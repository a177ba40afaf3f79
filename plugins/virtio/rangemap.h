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
 */
#ifndef VIOMMU_RANGEMAP_H
#define VIOMMU_RANGEMAP_H

#include <stddef.h>
#include <stdint.h>

struct rangemap_entry {
	uint64_t start; /* first address covered */
	uint64_t last;	/* last address covered (inclusive) */
	uint64_t phys;	/* output address of @start */
	uint32_t flags; /* owner-defined */
};

struct rangemap_node;

/* Removed nodes a map keeps for its next inserts, at most. */
#define RANGEMAP_SPARE_MAX 4u

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
};

/**
 * rangemap_init() - make @m an empty map
 * @m: map
 */
void rangemap_init(struct rangemap *m);

/**
 * rangemap_clear() - free every entry and spare node; @m is empty
 * afterwards and holds no memory
 * @m: map
 */
void rangemap_clear(struct rangemap *m);

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
