/* SPDX-License-Identifier: MIT */
/*
 * ilib_ids.h - an allocator of small integer IDs (domain IDs, PASIDs,
 * ASIDs, VMIDs).
 *
 * Hardware names a domain by an ID the driver picks from a range the
 * hardware advertises (VT-d CAP.ND, SMMUv3 ASID/VMID bits, AMD-Vi DTE
 * DomainID, the virtio-iommu domain range), and some IDs are set aside
 * (VT-d DID 0 tags cached not-present entries).  Drivers want the lowest
 * free ID, so that IDs stay small and tests see stable values, and
 * sometimes one particular ID (a guest's own PASID).
 *
 * The space is a bitmap in leaves of ILIB_IDS_LEAF IDs, allocated on first
 * use and freed when they empty again, so a 32-bit space that holds a few
 * IDs costs a few leaves (plus one pointer per leaf).  One mutex guards
 * it: every call is thread-safe.
 */
#ifndef ILIB_IDS_H
#define ILIB_IDS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#pragma GCC visibility push(hidden)

/* IDs per bitmap leaf. */
#define ILIB_IDS_LEAF 4096u

struct ilib_ids_leaf;

/**
 * struct ilib_ids - an ID space [start, last]
 * @lock: guards everything below
 * @start: first ID of the space
 * @last: last ID of the space (inclusive)
 * @nr_leaves: leaves covering the space
 * @leaves: leaf i covers IDs start + i * ILIB_IDS_LEAF on; NULL: all free
 * @full_below: every leaf below this index is full (search hint)
 * @leaves_end: no leaf at or above this index was ever allocated
 * @used: IDs taken
 */
struct ilib_ids {
	pthread_mutex_t lock;
	uint32_t start, last;
	uint32_t nr_leaves;
	struct ilib_ids_leaf **leaves;
	uint32_t full_below;
	uint32_t leaves_end;
	uint64_t used;
};

/**
 * ilib_ids_init() - make an empty ID space
 * @ids: the allocator
 * @start: first ID
 * @last: last ID (inclusive), >= @start
 *
 * Return: 0; -EINVAL @ids NULL or @start > @last; -ENOMEM.
 */
int ilib_ids_init(struct ilib_ids *ids, uint32_t start, uint32_t last);

/**
 * ilib_ids_fini() - free the allocator (IDs still taken are dropped)
 * @ids: the allocator, or one that ilib_ids_init() failed on (zeroed)
 */
void ilib_ids_fini(struct ilib_ids *ids);

/**
 * ilib_ids_alloc() - take the lowest free ID in [@min, @max]
 * @ids: the allocator
 * @min: lowest acceptable ID, inside the space
 * @max: highest acceptable ID (inclusive), inside the space, >= @min
 * @id: the ID taken
 *
 * Context: takes ids->lock.
 * Return: 0 and *@id; -EINVAL bad arguments or a bound outside the
 * space; -ENOSPC every ID in [@min, @max] is taken; -ENOMEM.
 */
int ilib_ids_alloc(struct ilib_ids *ids, uint32_t min, uint32_t max,
		   uint32_t *id);

/**
 * ilib_ids_alloc_id() - take one particular ID
 * @ids: the allocator
 * @id: the ID wanted
 *
 * Context: takes ids->lock.
 * Return: 0; -EINVAL @ids NULL or @id outside the space; -EBUSY @id is
 * taken; -ENOMEM.
 */
int ilib_ids_alloc_id(struct ilib_ids *ids, uint32_t id);

/**
 * ilib_ids_free() - give an ID back
 * @ids: the allocator
 * @id: an ID taken before
 *
 * Context: takes ids->lock.
 * Return: 0; -EINVAL @ids NULL or @id outside the space; -ENOENT @id was
 * not taken (nothing changes).
 */
int ilib_ids_free(struct ilib_ids *ids, uint32_t id);

/**
 * ilib_ids_taken() - whether @id is taken
 * @ids: the allocator
 * @id: any ID
 *
 * Context: takes ids->lock.
 * Return: true if @id is inside the space and taken.
 */
bool ilib_ids_taken(struct ilib_ids *ids, uint32_t id);

/**
 * ilib_ids_used() - how many IDs are taken
 * @ids: the allocator
 *
 * Context: takes ids->lock.
 * Return: the count (0 for NULL).
 */
uint64_t ilib_ids_used(struct ilib_ids *ids);

#pragma GCC visibility pop

#endif /* ILIB_IDS_H */
