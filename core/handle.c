// SPDX-License-Identifier: MIT
/*
 * handle.c - the table behind domain handles (DESIGN rule 14).
 *
 * The VMM never holds a domain's address.  It holds a handle: the index of
 * the domain's slot in this table and the generation the slot had when
 * the domain was made (core.h has the encoding and the lookup).  Freeing
 * the domain sets the slot's generation to IOMMU__H_FREE, so the handle
 * stops matching at once, and the slot's memory stays the table's: a
 * stale or garbage handle makes the library read a generation word in a
 * live chunk, or nothing at all, never freed memory.
 *
 * Why one table for the process and not one per context: the calls that
 * take a domain have no context argument, so the context would have to be
 * encoded in the handle and found again through a table of contexts,
 * which is this table again with one more level.  The context is the
 * domain's own field; a call that also takes a context compares the two.
 *
 * Generations come from one process-wide counter, not one per slot, and
 * that counter lives in static storage: the chunks are freed when the last
 * context goes (valgrind sees no leak), and a handle kept from before is
 * still refused when a new context fills the same slots.  At 43 bits the
 * counter wraps after 8.8e12 domain allocations; only then could an old
 * handle match a new domain.
 *
 * Growth: the directory of chunk pointers is a fixed static array; a chunk
 * of IOMMU__H_CHUNK slots is allocated when the free list is empty and
 * published with a release store, after its slots are marked free, so a
 * lookup never sees a chunk half made and no live slot ever moves.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

struct iommu__hchunk *_Atomic iommu__hdir[IOMMU__H_DIR];

/*
 * The table's bookkeeping, all under @lock (allocation and free only; a
 * lookup takes no lock).
 * @users: live contexts; the last one to go frees the chunks
 * @nr_chunks: chunks in iommu__hdir[0 .. nr_chunks)
 * @free_head: a free slot's index + 1; 0 when none is free
 * @live: slots that hold a domain (published or being made)
 * @next_gen: generation of the next domain, 1 .. IOMMU__H_GEN_MAX
 */
static struct {
	pthread_mutex_t lock;
	unsigned int users;
	size_t nr_chunks;
	uint32_t free_head;
	size_t live;
	uint64_t next_gen;
} ht = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.next_gen = 1,
};

static struct iommu__hslot *slot_of(uint32_t idx)
{
	struct iommu__hchunk *c = atomic_load_explicit(
		&iommu__hdir[idx >> IOMMU__H_CHUNK_LG2], memory_order_relaxed);

	return &c->slot[idx & (IOMMU__H_CHUNK - 1)];
}

static uint32_t index_of(const struct iommu_domain *d)
{
	return (uint32_t)(d->handle >> 1) & (IOMMU__H_SLOTS - 1);
}

static struct iommu__hslot *slot_of_domain(struct iommu_domain *d)
{
	return iommu__container_of(d, struct iommu__hslot, dom);
}

/**
 * iommu__handles_get() - a context starts using the table
 *
 * Context: takes the table lock.
 */
void iommu__handles_get(void)
{
	pthread_mutex_lock(&ht.lock);
	ht.users++;
	pthread_mutex_unlock(&ht.lock);
}

/**
 * iommu__handles_put() - a context is gone; the last one frees the chunks
 *
 * Every domain of the context has been freed by now.  Should a slot still
 * be live (a bug), the chunks stay: a stale lookup must never find freed
 * memory.
 * Context: takes the table lock; no lookup may race with the destruction
 * of the last context (iommu_ctx_destroy() is the last call).
 */
void iommu__handles_put(void)
{
	pthread_mutex_lock(&ht.lock);
	if (--ht.users == 0 && ht.live == 0) {
		for (size_t i = 0; i < ht.nr_chunks; i++) {
			struct iommu__hchunk *c = atomic_load_explicit(
				&iommu__hdir[i], memory_order_relaxed);
			atomic_store_explicit(&iommu__hdir[i], NULL,
					      memory_order_release);
			free(c);
		}
		ht.nr_chunks = 0;
		ht.free_head = 0;
	}
	pthread_mutex_unlock(&ht.lock);
}

/* Add a chunk of free slots.  Table lock held. */
static int grow(void)
{
	struct iommu__hchunk *c;
	uint32_t base;

	if (ht.nr_chunks == IOMMU__H_DIR)
		return -ENOSPC;
	c = malloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	base = (uint32_t)ht.nr_chunks << IOMMU__H_CHUNK_LG2;
	for (uint32_t i = 0; i < IOMMU__H_CHUNK; i++) {
		atomic_init(&c->slot[i].gen, IOMMU__H_FREE);
		/* Lowest index first: handles stay small and dense. */
		c->slot[i].next_free =
			i + 1 < IOMMU__H_CHUNK ? base + i + 2 : ht.free_head;
	}
	atomic_store_explicit(&iommu__hdir[ht.nr_chunks], c,
			      memory_order_release);
	ht.nr_chunks++;
	ht.free_head = base + 1;
	return 0;
}

/**
 * iommu__domain_slot() - a zeroed domain in a free slot, with its handle
 * @out: receives the domain; d->handle is set, the rest is zero
 *
 * The handle does not resolve until iommu__domain_publish(): the caller
 * fills the domain in first.  Undo with iommu__domain_slot_free().
 * Context: takes the table lock.
 * Return: 0; -ENOMEM; -ENOSPC all IOMMU__H_SLOTS slots live.
 */
int iommu__domain_slot(struct iommu_domain **out)
{
	struct iommu__hslot *s;
	uint32_t idx;
	int ret = 0;

	pthread_mutex_lock(&ht.lock);
	if (!ht.free_head)
		ret = grow();
	if (ret) {
		pthread_mutex_unlock(&ht.lock);
		return ret;
	}
	idx = ht.free_head - 1;
	s = slot_of(idx);
	ht.free_head = s->next_free;
	ht.live++;
	uint64_t gen = ht.next_gen;
	ht.next_gen = gen == IOMMU__H_GEN_MAX ? 1 : gen + 1;
	pthread_mutex_unlock(&ht.lock);

	memset(&s->dom, 0, sizeof(s->dom));
	s->dom.handle = (uintptr_t)gen << IOMMU__H_GEN_SHIFT |
			(uintptr_t)idx << 1 | 1;
	*out = &s->dom;
	return 0;
}

/**
 * iommu__domain_publish() - make a domain's handle resolve
 *
 * The release store orders every write that made the domain before a
 * lookup that finds it.
 * Context: lock-free.
 */
void iommu__domain_publish(struct iommu_domain *d)
{
	atomic_store_explicit(&slot_of_domain(d)->gen,
			      (uint64_t)(d->handle >> IOMMU__H_GEN_SHIFT),
			      memory_order_release);
}

/**
 * iommu__domain_revoke() - make a domain's handle stale, keep the slot
 *
 * Called first when a domain is freed, so that a lookup during the
 * teardown already fails.
 * Context: lock-free.
 */
void iommu__domain_revoke(struct iommu_domain *d)
{
	atomic_store_explicit(&slot_of_domain(d)->gen, IOMMU__H_FREE,
			      memory_order_release);
}

/**
 * iommu__domain_slot_free() - give a domain's slot back
 *
 * The domain is torn down; its handle is stale from here on, whatever
 * domain the slot holds next (that one has another generation).
 * Context: takes the table lock.
 */
void iommu__domain_slot_free(struct iommu_domain *d)
{
	struct iommu__hslot *s = slot_of_domain(d);
	uint32_t idx = index_of(d);

	iommu__domain_revoke(d);
	pthread_mutex_lock(&ht.lock);
	s->next_free = ht.free_head;
	ht.free_head = idx + 1;
	ht.live--;
	pthread_mutex_unlock(&ht.lock);
}
