// SPDX-License-Identifier: MIT
/*
 * test_walk_cache.c - the paging-structure cache of ilib_walk_cache.h on
 * its own: what a fill keeps, which walks resume from it.
 */
#include <criterion/criterion.h>

#include "ilib_walk_cache.h"

#define TAG  0x5au
#define ROOT 0x100000ull

/* A walk's result: a 4 KiB leaf at level 0 of table @table. */
static struct pt_walk_res leaf_in(uint64_t table)
{
	return (struct pt_walk_res){
	    .table = table, .level = 0, .table_perm = PT_PERM_ALL};
}

static struct pt_walk_desc desc(unsigned int granule_lg2)
{
	return (struct pt_walk_desc){.root = ROOT,
				     .granule_lg2 = (uint8_t)granule_lg2,
				     .levels = 4};
}

/*
 * A fill keeps the leaf table for the walk's whole region (one last-level
 * table's span), for walks of the same tag, root and granule; a walk of
 * another granule, root or tag, or of the next region, walks from the top.
 */
Test(walk_cache, a_region_resumes_only_for_its_own_walks)
{
	const uint64_t seed = ilib_walk_cache_seed(TAG, ROOT);
	const struct pt_walk_res r = leaf_in(0x7000);
	struct pt_walk_desc d = desc(0), fill = desc(12);
	struct ilib_cache c;

	cr_assert_eq(ilib_walk_cache_init(&c, 64, 4), 0);
	ilib_walk_cache_fill_seeded(&c, NULL, TAG, seed, &fill, 0x1000,
				    PT_ACC_R, &r, ilib_walk_cache_gen(&c));
	cr_assert(ilib_walk_cache_lookup_seeded(&c, TAG, seed, &d, 0x1ff000),
		  "the same 2 MiB region (granule 0 is 4 KiB)");
	cr_assert(d.flags & PT_WALK_RESUME);
	cr_assert_eq(d.start_pa, 0x7000);
	cr_assert_eq(d.start_lvl, 0);
	cr_assert_eq(d.start_perm, PT_PERM_ALL);
	d = desc(0);
	cr_assert_not(ilib_walk_cache_lookup_seeded(&c, TAG, seed, &d,
						    0x200000),
		      "the next region");
	cr_assert_not(d.flags & PT_WALK_RESUME);
	for (unsigned int g = 14; g <= 16; g += 2) {
		d = desc(g);
		cr_assert_not(
		    ilib_walk_cache_lookup_seeded(&c, TAG, seed, &d, 0x1000),
		    "a %u-bit granule resumed at a table of 4 KiB", g);
		cr_assert_not(d.flags & PT_WALK_RESUME);
	}
	d = desc(0);
	d.root = ROOT + 0x1000;
	cr_assert_not(ilib_walk_cache_lookup_seeded(
	    &c, TAG, ilib_walk_cache_seed(TAG, d.root), &d, 0x1000));
	d = desc(0);
	cr_assert_not(ilib_walk_cache_lookup_seeded(
	    &c, TAG + 1, ilib_walk_cache_seed(TAG + 1, ROOT), &d, 0x1000));
	ilib_cache_fini(&c);
}

/*
 * A look (access 0), a failed walk and a leaf in the top-level table fill
 * nothing; a flush, and an invalidation that began before the walk, keep
 * its result out.
 */
Test(walk_cache, what_is_never_kept)
{
	const uint64_t seed = ilib_walk_cache_seed(TAG, ROOT);
	struct pt_walk_desc d = desc(12);
	struct pt_walk_res r = leaf_in(0x7000);
	struct ilib_cache c;
	uint64_t gen;

	cr_assert_eq(ilib_walk_cache_init(&c, 64, 4), 0);
	ilib_walk_cache_fill_seeded(&c, NULL, TAG, seed, &d, 0x1000, 0, &r,
				    ilib_walk_cache_gen(&c));
	cr_assert_not(ilib_walk_cache_lookup_seeded(&c, TAG, seed, &d, 0x1000),
		      "a look keeps nothing");
	r.err = PT_WALK_NOT_PRESENT;
	ilib_walk_cache_fill_seeded(&c, NULL, TAG, seed, &d, 0x1000, PT_ACC_R,
				    &r, ilib_walk_cache_gen(&c));
	cr_assert_not(ilib_walk_cache_lookup_seeded(&c, TAG, seed, &d, 0x1000),
		      "a failed walk keeps nothing");
	r = leaf_in(ROOT);
	r.level = 3;
	ilib_walk_cache_fill_seeded(&c, NULL, TAG, seed, &d, 0x1000, PT_ACC_R,
				    &r, ilib_walk_cache_gen(&c));
	cr_assert_not(ilib_walk_cache_lookup_seeded(&c, TAG, seed, &d, 0x1000),
		      "a leaf in the root table keeps nothing");
	r = leaf_in(0x7000);
	gen = ilib_walk_cache_gen(&c);
	ilib_walk_cache_flush(&c);
	ilib_walk_cache_fill_seeded(&c, NULL, TAG, seed, &d, 0x1000, PT_ACC_R,
				    &r, gen);
	cr_assert_not(ilib_walk_cache_lookup_seeded(&c, TAG, seed, &d, 0x1000),
		      "a walk older than the flush keeps nothing");
	ilib_walk_cache_fill_seeded(&c, NULL, TAG, seed, &d, 0x1000, PT_ACC_R,
				    &r, ilib_walk_cache_gen(&c));
	cr_assert(ilib_walk_cache_lookup_seeded(&c, TAG, seed, &d, 0x1000));
	ilib_walk_cache_flush(&c);
	d = desc(12);
	cr_assert_not(ilib_walk_cache_lookup_seeded(&c, TAG, seed, &d, 0x1000),
		      "flushed");
	ilib_cache_fini(&c);
}
