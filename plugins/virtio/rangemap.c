// SPDX-License-Identifier: MIT
/*
 * rangemap.c - AVL tree of non-overlapping inclusive ranges, keyed by start.
 *
 * Because entries never overlap, ordering by start is also ordering by
 * last, so every search is a single descent.  Removal relinks nodes rather
 * than copying payloads, so a pointer to an entry stays valid until that
 * very entry is removed.  Recursion depth is bounded by the tree height
 * (at most about 1.44 * log2(n) + 2, i.e. under 100 for any n that fits
 * in memory).
 *
 * Every store to a node's entry or links and to the root is an atomic
 * store (SET), for the readers of rangemap_find_shared() (rangemap.h);
 * writers read with plain loads, as they are the only ones storing.
 */
#include <errno.h>
#include <stdlib.h>

#include "rangemap.h"

/* Release: a reader that loads a pointer sees the node it points to
 * initialized (and TSan knows it), and one that loads any value stored
 * here sees the owner's sequence count as it was made odd before (see
 * rangemap_find_shared()); on x86 a plain store. */
#define SET(field, v) __atomic_store_n(&(field), (v), __ATOMIC_RELEASE)

static int node_height(const struct rangemap_node *n)
{
	return n ? n->height : 0;
}

static void node_update(struct rangemap_node *n)
{
	int hl = node_height(n->left), hr = node_height(n->right);

	n->height = (hl > hr ? hl : hr) + 1;
}

static struct rangemap_node *rotate_right(struct rangemap_node *n)
{
	struct rangemap_node *l = n->left;

	SET(n->left, l->right);
	SET(l->right, n);
	node_update(n);
	node_update(l);
	return l;
}

static struct rangemap_node *rotate_left(struct rangemap_node *n)
{
	struct rangemap_node *r = n->right;

	SET(n->right, r->left);
	SET(r->left, n);
	node_update(n);
	node_update(r);
	return r;
}

/* Restore the AVL invariant at @n, whose subtrees are valid AVL trees. */
static struct rangemap_node *rebalance(struct rangemap_node *n)
{
	int bal = node_height(n->left) - node_height(n->right);

	if (bal > 1) {
		if (node_height(n->left->left) < node_height(n->left->right))
			SET(n->left, rotate_left(n->left));
		return rotate_right(n);
	}
	if (bal < -1) {
		if (node_height(n->right->right) < node_height(n->right->left))
			SET(n->right, rotate_right(n->right));
		return rotate_left(n);
	}
	node_update(n);
	return n;
}

void rangemap_init(struct rangemap *m)
{
	if (!m)
		return;
	SET(m->root, NULL);
	m->count = 0;
	m->spare = NULL;
	m->nr_spare = 0;
	m->pool = NULL;
}

void rangemap_init_pooled(struct rangemap *m, struct rangemap_pool *pool)
{
	rangemap_init(m);
	if (m)
		m->pool = pool;
}

void rangemap_pool_free(struct rangemap_pool *pool)
{
	struct rangemap_node *n;

	if (!pool)
		return;
	while ((n = pool->free)) {
		pool->free = n->left;
		free(n);
	}
	pool->nr_free = 0;
}

/*
 * A node with no links: from the pool or the spare list if they have one,
 * else a new one.  A reused node may still be read by a stale shared
 * reader, hence the atomic stores; the caller sets the entry.
 */
static struct rangemap_node *node_get(struct rangemap *m)
{
	struct rangemap_node *n;

	if (m->pool && m->pool->free) {
		n = m->pool->free;
		m->pool->free = n->left;
		m->pool->nr_free--;
	} else if (m->spare) {
		n = m->spare;
		m->spare = n->left;
		m->nr_spare--;
	} else {
		n = malloc(sizeof(*n));
		if (!n)
			return NULL;
	}
	SET(n->left, NULL);
	SET(n->right, NULL);
	return n;
}

/* Keep @n for a later insert (a pooled map: always), or free it. */
static void node_put(struct rangemap *m, struct rangemap_node *n)
{
	if (m->pool) {
		SET(n->left, m->pool->free);
		m->pool->free = n;
		m->pool->nr_free++;
		return;
	}
	if (m->nr_spare >= RANGEMAP_SPARE_MAX) {
		free(n);
		return;
	}
	n->left = m->spare;
	m->spare = n;
	m->nr_spare++;
}

static void put_tree(struct rangemap *m, struct rangemap_node *n)
{
	while (n) {
		struct rangemap_node *l = n->left, *r = n->right;

		put_tree(m, l);
		if (m->pool)
			node_put(m, n);
		else
			free(n);
		n = r;
	}
}

void rangemap_clear(struct rangemap *m)
{
	struct rangemap_node *root;

	if (!m)
		return;
	/* Unhook the tree first: a shared reader that starts now finds the
	 * map empty rather than nodes on their way to the pool. */
	root = m->root;
	SET(m->root, NULL);
	put_tree(m, root);
	m->count = 0;
	while (m->spare) {
		struct rangemap_node *n = m->spare;

		m->spare = n->left;
		free(n);
	}
	m->nr_spare = 0;
}

/* The caller has checked that @nn overlaps nothing in the tree. */
static struct rangemap_node *insert_node(struct rangemap_node *n,
					 struct rangemap_node *nn)
{
	if (!n)
		return nn;
	if (nn->e.start < n->e.start)
		SET(n->left, insert_node(n->left, nn));
	else
		SET(n->right, insert_node(n->right, nn));
	return rebalance(n);
}

int rangemap_insert(struct rangemap *m, uint64_t start, uint64_t last,
		    uint64_t phys, uint32_t flags)
{
	struct rangemap_node *nn;

	if (!m || last < start)
		return -EINVAL;
	if (rangemap_first_overlap(m, start, last))
		return -EEXIST;
	nn = node_get(m);
	if (!nn)
		return -ENOMEM;
	SET(nn->e.start, start);
	SET(nn->e.last, last);
	SET(nn->e.phys, phys);
	SET(nn->e.flags, flags);
	nn->height = 1;
	SET(m->root, insert_node(m->root, nn));
	m->count++;
	return 0;
}

const struct rangemap_entry *rangemap_find(const struct rangemap *m,
					   uint64_t addr)
{
	const struct rangemap_node *n = m ? m->root : NULL;

	while (n) {
		if (addr < n->e.start)
			n = n->left;
		else if (addr > n->e.last)
			n = n->right;
		else
			return &n->e;
	}
	return NULL;
}

const struct rangemap_entry *
rangemap_first_overlap(const struct rangemap *m, uint64_t start, uint64_t last)
{
	const struct rangemap_node *n = m ? m->root : NULL;
	const struct rangemap_node *best = NULL;

	if (last < start)
		return NULL;
	/* Lowest entry with e.last >= start; then it must begin by @last. */
	while (n) {
		if (n->e.last >= start) {
			best = n;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	if (best && best->e.start <= last)
		return &best->e;
	return NULL;
}

const struct rangemap_entry *rangemap_next(const struct rangemap *m,
					   const struct rangemap_entry *e)
{
	const struct rangemap_node *n = m ? m->root : NULL;
	const struct rangemap_node *best = NULL;

	if (!e)
		return NULL;
	while (n) {
		if (n->e.start > e->start) {
			best = n;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best ? &best->e : NULL;
}

/* Unlink the lowest node of @n into *@min; return the new subtree root. */
static struct rangemap_node *unlink_min(struct rangemap_node *n,
					struct rangemap_node **min)
{
	if (!n->left) {
		*min = n;
		return n->right;
	}
	SET(n->left, unlink_min(n->left, min));
	return rebalance(n);
}

static struct rangemap_node *remove_node(struct rangemap_node *n,
					 uint64_t start,
					 struct rangemap_node **gone)
{
	struct rangemap_node *succ;

	if (!n)
		return NULL;
	if (start < n->e.start) {
		SET(n->left, remove_node(n->left, start, gone));
	} else if (start > n->e.start) {
		SET(n->right, remove_node(n->right, start, gone));
	} else {
		*gone = n;
		if (!n->left)
			return n->right;
		if (!n->right)
			return n->left;
		/* Put the successor node in n's place (relink, no copy). */
		succ = NULL;
		SET(n->right, unlink_min(n->right, &succ));
		SET(succ->left, n->left);
		SET(succ->right, n->right);
		return rebalance(succ);
	}
	return rebalance(n);
}

int rangemap_remove(struct rangemap *m, uint64_t start)
{
	struct rangemap_node *gone = NULL;

	if (!m)
		return -ENOENT;
	SET(m->root, remove_node(m->root, start, &gone));
	if (!gone)
		return -ENOENT;
	node_put(m, gone);
	m->count--;
	return 0;
}
