// SPDX-License-Identifier: MIT
/*
 * test_rangemap.c - the range map's pool and its lookup for readers that
 * hold no lock (plugins/virtio/rangemap.h), which the device model's
 * translate() relies on (hw.h, "The state's readers"): a pooled map never
 * gives a node back to the allocator, only to its pool, so a reader with
 * a stale pointer reads a node; and a shared lookup in a tree that a
 * writer left in a loop for a moment ends.
 *
 * The map is compiled into this test (it is the model's, not a library's).
 */
#include <unistd.h>

#include <criterion/criterion.h>

#include "rangemap.c"

#define PG 0x1000ull

static void fill(struct rangemap *m, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		cr_assert_eq(rangemap_insert(m, i * 2 * PG, i * 2 * PG + PG - 1,
					     0x100000 + i * PG, i),
			     0);
}

Test(rangemap, pooled_nodes_go_back_to_the_pool)
{
	struct rangemap_pool pool = { 0 };
	struct rangemap a, b;
	const struct rangemap_entry *e;

	rangemap_init_pooled(&a, &pool);
	rangemap_init_pooled(&b, &pool);
	fill(&a, 16);
	e = rangemap_find(&a, 6 * PG);
	cr_assert_not_null(e);
	cr_assert_eq(rangemap_remove(&a, 6 * PG), 0);
	/* The removed node is the pool's first, unfreed (ASan would say). */
	cr_assert_eq(pool.nr_free, 1);
	cr_assert_eq((const void *)pool.free, (const void *)e);
	cr_assert_eq(__atomic_load_n(&e->start, __ATOMIC_RELAXED), 6 * PG);
	/* Another map of the pool takes it again. */
	cr_assert_eq(rangemap_insert(&b, 0, PG - 1, 0, 0), 0);
	cr_assert_eq(pool.nr_free, 0);
	cr_assert_eq((const void *)rangemap_find(&b, 0), (const void *)e);
	/* Clearing keeps every node, with no bound (no spare list). */
	rangemap_clear(&a);
	cr_assert_eq(pool.nr_free, 15);
	cr_assert_eq(rangemap_count(&a), 0);
	cr_assert_null(rangemap_find(&a, 0));
	rangemap_clear(&b);
	cr_assert_eq(pool.nr_free, 16);
	rangemap_pool_free(&pool);
	cr_assert_eq(pool.nr_free, 0);
	cr_assert_null(pool.free);
}

Test(rangemap, shared_lookup_finds_what_find_finds)
{
	struct rangemap_pool pool = { 0 };
	struct rangemap m;
	struct rangemap_entry out = { 0 };

	rangemap_init_pooled(&m, &pool);
	fill(&m, 100);
	for (uint64_t a = 0; a < 201 * PG; a += PG / 2) {
		const struct rangemap_entry *e = rangemap_find(&m, a);
		int ret = rangemap_find_shared(&m, a, &out);

		cr_assert_eq(ret, e ? 1 : 0, "0x%llx", (unsigned long long)a);
		if (e)
			cr_assert(out.start == e->start && out.last == e->last &&
				  out.phys == e->phys && out.flags == e->flags);
	}
	rangemap_clear(&m);
	rangemap_pool_free(&pool);
}

Test(rangemap, shared_lookup_in_a_loop_ends)
{
	struct rangemap_pool pool = { 0 };
	struct rangemap m;
	struct rangemap_entry out = { 0 };
	struct rangemap_node *root, *saved;

	/* A lookup that went round for ever ends here (SIGALRM), not by
	 * Criterion's .timeout: that one leaks in the runner under ASan. */
	alarm(10);
	rangemap_init_pooled(&m, &pool);
	fill(&m, 3); /* root [2 PG], children [0] and [4 PG] */
	root = m.root;
	cr_assert_eq(root->e.start, 2 * PG);
	/* A writer half way through a change: the right child points back
	 * at the root, so a lookup past the end goes round for ever. */
	saved = root->right->right;
	root->right->right = root;
	cr_assert_eq(rangemap_find_shared(&m, 100 * PG, &out), -EAGAIN);
	root->right->right = saved;
	cr_assert_eq(rangemap_find_shared(&m, 100 * PG, &out), 0);
	alarm(0);
	rangemap_clear(&m);
	rangemap_pool_free(&pool);
}
