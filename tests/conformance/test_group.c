// SPDX-License-Identifier: MIT
/*
 * test_group.c - the group calls a VMM uses: replacing a group's domain
 * with no window through blocked (rule 5), listing devices with their
 * names, groups and a domain's attachments; the claim refused while PASID
 * attachments live (rule 5, seed 004); the lost-fault notification.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

#define RW (IOMMU_READ | IOMMU_WRITE)

/* An UNMANAGED domain mapping [TIOVA, +size) to [pa, +size). */
static struct iommu_domain *vm_dom(struct tctx *t, uint64_t pa, uint64_t size)
{
	struct iommu_domain *d = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);

	cr_assert_eq(iommu_map(d, TIOVA, pa, size, RW), 0);
	return d;
}

/* The attachments of @d, asserting there are at most @max. */
static size_t dom_devs(struct iommu_domain *d, struct iommu_attachment *out,
		       size_t max)
{
	size_t n = 0;
	int ret = iommu_domain_devices(d, out, max, &n);

	cr_assert_eq(ret, 0, "iommu_domain_devices: %d", ret);
	cr_assert_leq(n, max);
	return n;
}

/* ---- Replace ------------------------------------------------------------ */

CONF_TEST(replace, moves_group_between_vmm_domains)
{
	struct tctx *t = tctx_open(p);
	uint64_t pa = TMEM_BASE + 0x100000, pb = TMEM_BASE + 0x180000;
	struct iommu_domain *a = vm_dom(t, pa, SZ_64K);
	struct iommu_domain *b = vm_dom(t, pb, SZ_64K);
	struct iommu_attachment at[4];
	int owner;

	/* A group of two, owned by the VMM. */
	cr_assert_eq(iommu_group_claim_dma_owner(t->ctx, t->g_pair, &owner), 0);
	cr_assert_eq(iommu_attach_group(a, t->g_pair), 0);
	cr_assert_eq(iommu_attach_group(b, t->g_pair), -EBUSY,
		     "attach over a VMM domain");
	cr_assert_eq(iommu_group_replace_domain(t->ctx, t->g_pair, b), 0);
	cr_assert_eq(dev_domain(t, t->pair0), b);
	cr_assert_eq(dev_domain(t, t->pair1), b);
	expect_dma_rw(t, t->pair0, TIOVA, pb, 128);
	expect_dma_rw(t, t->pair1, TIOVA + SZ_4K, pb + SZ_4K, 128);
	cr_assert_eq(dom_devs(a, at, 4), 0);
	cr_assert_eq(dom_devs(b, at, 4), 2);
	/* The old domain is free to go; the new one is busy. */
	cr_assert_eq(iommu_domain_free(b), -EBUSY);
	cr_assert_eq(iommu_group_replace_domain(t->ctx, t->g_pair, a), 0);
	expect_dma_rw(t, t->pair1, TIOVA, pa, 128);
	cr_assert_eq(iommu_domain_free(b), 0);
	/* Replacing with the domain the group is on does nothing. */
	cr_assert_eq(iommu_group_replace_domain(t->ctx, t->g_pair, a), 0);
	expect_dma_rw(t, t->pair0, TIOVA, pa, 128);
	/* Detach goes back to blocking (owned), release to the default. */
	cr_assert_eq(iommu_detach_group(a, t->g_pair), 0);
	cr_assert_eq(dev_domain(t, t->pair0),
		     dom_alloc(t, IOMMU_DOMAIN_BLOCKED));
	cr_assert_eq(iommu_group_release_dma_owner(t->ctx, t->g_pair, &owner),
		     0);
	expect_default_behaviour(t, t->pair0);
	/* Without an owner: from the default domain by attach, then
	 * replace. */
	b = vm_dom(t, pb, SZ_64K);
	cr_assert_eq(iommu_attach_device(a, t->solo), 0);
	cr_assert_eq(iommu_group_replace_domain(t->ctx, t->g_solo, b), 0);
	expect_dma_rw(t, t->solo, TIOVA, pb, 64);
	cr_assert_eq(iommu_detach_device(b, t->solo), 0);
	expect_default_behaviour(t, t->solo);
}

struct rthr {
	struct tctx *t;
	uint32_t dev;
	uint64_t pa, pb;
	bool may_fault; /* CONF_F_EMPTY_DOMAIN_WINDOW */
	_Atomic int stop;
	_Atomic unsigned int n;
	unsigned int on_a, on_b, faulted, errors;
	char what[128];
	/* Faults reach the handler on the DMA thread or, for a fault the
	 * driver reads while it attaches, on the replacing one. */
	_Atomic unsigned int faults, no_domain;
};

static int rthr_fault_fn(struct iommu_domain *d, const struct iommu_fault *f,
			 void *cookie)
{
	struct rthr *r = cookie;

	(void)d;
	r->faults++;
	if (f->reason == IOMMU_FAULT_NO_DOMAIN)
		r->no_domain++;
	return 0;
}

static void *rthr_main(void *arg)
{
	struct rthr *r = arg;

	while (!r->stop && !r->errors) {
		struct iommu_translation tr;
		uint64_t off = (r->n % 16) * SZ_4K + 8;
		int ret = iommu_dma_translate(r->t->ctx, r->dev, IOMMU_NO_PASID,
					      TIOVA + off, 8,
					      IOMMU_ACCESS_WRITE, &tr);

		if (!ret && tr.phys == r->pa + off) {
			r->on_a++;
		} else if (!ret && tr.phys == r->pb + off) {
			r->on_b++;
		} else if (ret == -EFAULT && r->may_fault) {
			r->faulted++;
		} else {
			r->errors++;
			snprintf(r->what, sizeof(r->what),
				 "DMA %u at %#llx: %d phys %#llx",
				 (unsigned int)r->n,
				 (unsigned long long)(TIOVA + off), ret,
				 ret ? 0ull : (unsigned long long)tr.phys);
		}
		r->n++;
	}
	return NULL;
}

/*
 * Move solo between @a and @b 100 times while a thread keeps doing DMA:
 * every DMA translates through A or B; with @may_fault a DMA may also
 * fault, but never for lack of a domain.  After each replace returns, DMA
 * goes through the new domain.
 */
static void replace_under_dma(struct tctx *t, struct iommu_domain *a,
			      struct iommu_domain *b, uint64_t pa, uint64_t pb,
			      bool may_fault)
{
	struct rthr r;
	pthread_t tid;
	unsigned int i;

	memset(&r, 0, sizeof(r));
	r.t = t;
	r.dev = t->solo;
	r.pa = pa;
	r.pb = pb;
	r.may_fault = may_fault;
	cr_assert_eq(iommu_set_fault_handler(a, rthr_fault_fn, &r), 0);
	cr_assert_eq(iommu_set_fault_handler(b, rthr_fault_fn, &r), 0);
	cr_assert_eq(iommu_attach_device(a, t->solo), 0);
	cr_assert_eq(pthread_create(&tid, NULL, rthr_main, &r), 0);
	while (r.n < 1 && !r.errors)
		sched_yield();
	char bad[160] = "";

	for (i = 0; i < 100 && !r.errors && !bad[0]; i++) {
		struct iommu_domain *to = i & 1 ? a : b;

		struct iommu_translation tr;
		uint64_t off = (i % 16) * SZ_4K + 16;
		unsigned int n0 = r.n;
		int rc;

		rc = iommu_group_replace_domain(t->ctx, t->g_solo, to);
		if (rc || dev_domain(t, t->solo) != to) {
			snprintf(bad, sizeof(bad), "replace %u: %d", i, rc);
			break;
		}
		/* No stale translation of the old domain once it returns. */
		rc = iommu_dma_translate(t->ctx, t->solo, IOMMU_NO_PASID,
					 TIOVA + off, 8, IOMMU_ACCESS_READ, &tr);
		if (rc || tr.phys != (to == a ? pa : pb) + off)
			snprintf(bad, sizeof(bad),
				 "%s: replace %u: translate %d, phys %#llx: "
				 "DMA still uses the old domain",
				 iommu_ctx_backend(t->ctx), i, rc,
				 (unsigned long long)tr.phys);
		/* The thread's DMAs run into every phase, not just one. */
		while (!bad[0] && r.n < n0 + 2 && !r.errors)
			sched_yield();
	}
	/* The DMA thread stops before any assertion ends the test. */
	r.stop = 1;
	pthread_join(tid, NULL);
	cr_assert(!bad[0], "%s", bad);
	cr_assert_eq(r.errors, 0, "%s", r.what);
	cr_log_info("%u DMAs: %u through A, %u through B, %u faulted",
		    (unsigned int)r.n, r.on_a, r.on_b, r.faulted);
	if (!may_fault)
		cr_assert_eq(r.faults, 0, "%u faults during replace",
			     (unsigned int)r.faults);
	cr_assert_eq(r.no_domain, 0, "DMA found no domain during replace");
	cr_assert_eq(t->ctx_faults.count, 0);
	cr_assert_eq(dev_domain(t, t->solo), a);
	expect_dma_rw(t, t->solo, TIOVA, pa, 64);
	cr_assert_eq(iommu_set_fault_handler(a, NULL, NULL), 0);
	cr_assert_eq(iommu_set_fault_handler(b, NULL, NULL), 0);
	cr_assert_eq(iommu_detach_device(a, t->solo), 0);
}

/* Both domains stay in use by other devices: on every backend a DMA
 * during the move uses the old or the new domain, never none. */
CONF_TEST(replace, no_window_between_domains_in_use)
{
	struct tctx *t = tctx_open(p);
	uint64_t pa = TMEM_BASE + 0x200000, pb = TMEM_BASE + 0x280000;
	struct iommu_domain *a = vm_dom(t, pa, SZ_64K);
	struct iommu_domain *b = vm_dom(t, pb, SZ_64K);

	cr_assert_eq(iommu_attach_device(a, t->aux), 0);
	cr_assert_eq(iommu_attach_device(b, t->solo2), 0);
	replace_under_dma(t, a, b, pa, pb, false);
	expect_dma_rw(t, t->aux, TIOVA, pa, 64);
	expect_dma_rw(t, t->solo2, TIOVA, pb, 64);
	cr_assert_eq(iommu_detach_device(a, t->aux), 0);
	cr_assert_eq(iommu_detach_device(b, t->solo2), 0);
}

/* Domains only this group uses: the core never goes through the
 * blocking domain; a backend whose hardware only learns a domain at its
 * first attach (CONF_F_EMPTY_DOMAIN_WINDOW) may fault a DMA meanwhile. */
CONF_TEST(replace, no_window_through_blocked)
{
	struct tctx *t = tctx_open(p);
	uint64_t pa = TMEM_BASE + 0x200000, pb = TMEM_BASE + 0x280000;
	struct iommu_domain *a = vm_dom(t, pa, SZ_64K);
	struct iommu_domain *b = vm_dom(t, pb, SZ_64K);

	replace_under_dma(t, a, b, pa, pb,
			  p->flags & CONF_F_EMPTY_DOMAIN_WINDOW);
}

/* The group is still on @d and its DMA goes there. */
static void expect_on(struct tctx *t, uint32_t dev, struct iommu_domain *d,
		      uint64_t pa)
{
	cr_assert_eq(dev_domain(t, dev), d);
	expect_dma_rw(t, dev, TIOVA, pa, 64);
}

CONF_TEST(replace, refused_replace_leaves_old_domain)
{
	struct tctx *t = tctx_open(p), *o = tctx_open(p);
	uint64_t pa = TMEM_BASE + 0x300000, pb = TMEM_BASE + 0x380000;
	struct iommu_domain *a = vm_dom(t, pa, SZ_64K);
	struct iommu_domain *b = vm_dom(t, pb, SZ_64K);
	struct iommu_domain *blk = dom_alloc(t, IOMMU_DOMAIN_BLOCKED);
	struct iommu_domain *def = dev_domain(t, t->solo);
	struct iommu_domain *foreign = vm_dom(o, pb, SZ_64K);
	struct iommu_domain *stale = vm_dom(t, pb, SZ_64K);
	int owner;

	cr_assert_eq(iommu_domain_free(stale), 0);
	/* Not on a VMM domain: the default, then the blocking domain. */
	cr_assert_eq(iommu_group_replace_domain(t->ctx, t->g_solo, b), -EINVAL,
		     "replace from the default domain");
	expect_default_behaviour(t, t->solo);
	cr_assert_eq(iommu_group_claim_dma_owner(t->ctx, t->g_solo, &owner), 0);
	cr_assert_eq(iommu_group_replace_domain(t->ctx, t->g_solo, b), -EINVAL,
		     "replace from the blocking domain");
	cr_assert_eq(dev_domain(t, t->solo), blk);
	cr_assert_eq(iommu_attach_group(a, t->g_solo), 0);
	/* Bad targets. */
	cr_assert_eq(iommu_group_replace_domain(t->ctx, t->g_solo, blk),
		     -EINVAL, "replace with the blocking domain");
	expect_on(t, t->solo, a, pa);
	cr_assert_eq(iommu_group_replace_domain(t->ctx, t->g_solo, def),
		     -EINVAL, "replace with the default domain");
	expect_on(t, t->solo, a, pa);
	cr_assert_eq(iommu_group_replace_domain(t->ctx, t->g_solo, foreign),
		     -EINVAL, "a domain of another context");
	expect_on(t, t->solo, a, pa);
	cr_assert_eq(iommu_group_replace_domain(t->ctx, t->g_solo, stale),
		     -EINVAL, "a freed domain");
	cr_assert_eq(iommu_group_replace_domain(t->ctx, t->g_solo, NULL),
		     -EINVAL);
	cr_assert_eq(iommu_group_replace_domain(NULL, t->g_solo, b), -EINVAL);
	cr_assert_eq(iommu_group_replace_domain(t->ctx, 0xdead, b), -ENODEV);
	expect_on(t, t->solo, a, pa);
	/* The other context's group is not touched by ours. */
	cr_assert_eq(iommu_group_replace_domain(o->ctx, o->g_solo, a), -EINVAL);
	expect_default_behaviour(o, o->solo);
	/* And the good one still works afterwards. */
	cr_assert_eq(iommu_group_replace_domain(t->ctx, t->g_solo, b), 0);
	expect_on(t, t->solo, b, pb);
	cr_assert_eq(iommu_detach_group(b, t->g_solo), 0);
	cr_assert_eq(iommu_group_release_dma_owner(t->ctx, t->g_solo, &owner),
		     0);
	expect_default_behaviour(t, t->solo);
}

CONF_TEST(replace, busy_while_aux_attached)
{
	struct tctx *t = tctx_open(p);
	uint64_t pa = TMEM_BASE + 0x400000, pb = TMEM_BASE + 0x480000;
	struct iommu_domain *a = vm_dom(t, pa, SZ_64K);
	struct iommu_domain *b = vm_dom(t, pb, SZ_64K);
	struct iommu_domain *x = vm_dom(t, pb, SZ_64K);

	cr_assert_eq(iommu_attach_device(a, t->aux), 0);
	if (iommu_dev_has_feature(t->ctx, t->aux, IOMMU_DEV_FEAT_AUX)) {
		cr_assert_eq(iommu_dev_enable_feature(t->ctx, t->aux,
						      IOMMU_DEV_FEAT_AUX),
			     0);
		cr_assert_eq(iommu_aux_attach_device(x, t->aux), 0);
		cr_assert_eq(iommu_group_replace_domain(t->ctx, t->g_aux, b),
			     -EBUSY, "replace while an aux domain is on");
		expect_on(t, t->aux, a, pa);
		cr_assert_eq(iommu_aux_detach_device(x, t->aux), 0);
	} else {
		cr_assert_lt(iommu_aux_attach_device(x, t->aux), 0);
	}
	cr_assert_eq(iommu_group_replace_domain(t->ctx, t->g_aux, b), 0);
	expect_on(t, t->aux, b, pb);
	cr_assert_eq(iommu_detach_device(b, t->aux), 0);
}

/* ---- Ownership and PASIDs (rule 5, seed 004) ---------------------------- */

CONF_TEST(owner, claim_refused_while_pasid_attached)
{
	struct tctx *t = tctx_open(p);
	uint64_t pa = TMEM_BASE + 0x500000;
	struct iommu_domain *x = vm_dom(t, pa, PG);
	struct iommu_domain *def = dev_domain(t, t->aux);
	uint32_t pasid = 0;
	int owner;

	if (iommu_dev_has_feature(t->ctx, t->aux, IOMMU_DEV_FEAT_AUX)) {
		uint8_t buf[32] = {0};

		cr_assert_eq(iommu_dev_enable_feature(t->ctx, t->aux,
						      IOMMU_DEV_FEAT_AUX),
			     0);
		cr_assert_eq(iommu_aux_attach_device(x, t->aux), 0);
		cr_assert_eq(iommu_aux_get_pasid(x, t->aux, &pasid), 0);
		cr_assert_eq(
		    iommu_group_claim_dma_owner(t->ctx, t->g_aux, &owner),
		    -EBUSY, "claim while a PASID is attached");
		cr_assert_not(iommu_group_dma_owner_claimed(t->ctx, t->g_aux));
		cr_assert_eq(dev_domain(t, t->aux), def);
		expect_default_behaviour(t, t->aux);
		cr_assert_eq(iommu_dma_read(t->ctx, t->aux, pasid, TIOVA, buf,
					    sizeof(buf)),
			     0, "the aux domain stopped working");
		cr_assert_eq(iommu_aux_detach_device(x, t->aux), 0);
	} else {
		cr_assert_lt(iommu_aux_attach_device(x, t->aux), 0);
	}
	cr_assert_eq(iommu_group_claim_dma_owner(t->ctx, t->g_aux, &owner), 0,
		     "claim with no PASID attached");
	cr_assert_eq(iommu_group_release_dma_owner(t->ctx, t->g_aux, &owner),
		     0);
}

/* ---- Listing ------------------------------------------------------------ */

CONF_TEST(list, devices_with_their_names)
{
	struct tctx *t = tctx_open(p);
	static const char *const names[] = {DEV_SOLO, DEV_SOLO2, DEV_PAIR0,
					    DEV_PAIR1, DEV_AUX};
	struct iommu_dev_config c;
	char name[IOMMU_DEV_NAME_MAX], small[3] = "xy";
	uint32_t ids[16], id;
	size_t n = 0, m = 0, i, k;

	cr_assert_eq(iommu_dev_list(t->ctx, ids, 16, &n), 0);
	cr_assert_eq(n, 5, "the platform has 5 devices, listed %zu", n);
	for (i = 1; i < n; i++)
		cr_assert_lt(ids[i - 1], ids[i], "not in ascending order");
	/* Every name maps back to its ID, and every configured one is
	 * there. */
	for (i = 0; i < n; i++) {
		cr_assert_eq(iommu_dev_name(t->ctx, ids[i], name, sizeof(name)),
			     0);
		cr_assert_eq(iommu_dev_lookup(t->ctx, name, &id), 0,
			     "'%s' does not look up", name);
		cr_assert_eq(id, ids[i]);
	}
	for (k = 0; k < 5; k++) {
		cr_assert_eq(iommu_dev_lookup(t->ctx, names[k], &id), 0);
		cr_assert_eq(iommu_dev_name(t->ctx, id, name, sizeof(name)), 0);
		cr_assert_str_eq(name, names[k]);
	}
	/* Count only; short arrays. */
	cr_assert_eq(iommu_dev_list(t->ctx, NULL, 0, &m), 0);
	cr_assert_eq(m, n);
	memset(ids, 0xff, sizeof(ids));
	cr_assert_eq(iommu_dev_list(t->ctx, ids, 2, &m), 0);
	cr_assert_eq(m, n);
	cr_assert_eq(ids[2], UINT32_MAX, "wrote past max");
	/* Exact room works; one byte less is -ERANGE, buffer untouched. */
	cr_assert_eq(
	    iommu_dev_name(t->ctx, t->solo, name, strlen(DEV_SOLO) + 1), 0);
	cr_assert_str_eq(name, DEV_SOLO);
	cr_assert_eq(iommu_dev_name(t->ctx, t->solo, small, sizeof(small)),
		     -ERANGE);
	cr_assert_str_eq(small, "xy");
	/* Devices at run time: named, unnamed, removed. */
	memset(&c, 0, sizeof(c));
	c.id = 0x28;
	c.name = "late";
	cr_assert_eq(iommu_dev_add(t->ctx, &c), 0);
	c.id = 0x29;
	c.name = NULL;
	cr_assert_eq(iommu_dev_add(t->ctx, &c), 0);
	cr_assert_eq(iommu_dev_list(t->ctx, ids, 16, &m), 0);
	cr_assert_eq(m, n + 2);
	cr_assert_eq(iommu_dev_name(t->ctx, 0x28, name, sizeof(name)), 0);
	cr_assert_str_eq(name, "late");
	cr_assert_eq(iommu_dev_name(t->ctx, 0x29, name, sizeof(name)), 0);
	cr_assert_str_eq(name, "");
	cr_assert_eq(iommu_dev_remove(t->ctx, 0x28), 0);
	cr_assert_eq(iommu_dev_list(t->ctx, ids, 16, &m), 0);
	cr_assert_eq(m, n + 1);
	for (i = 0; i < m; i++)
		cr_assert_neq(ids[i], 0x28);
	cr_assert_eq(iommu_dev_name(t->ctx, 0x28, name, sizeof(name)),
		     -ENODEV);
	/* A name that does not fit is refused, not cut. */
	{
		char longname[IOMMU_DEV_NAME_MAX + 8];

		memset(longname, 'n', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = 0;
		c.id = 0x2a;
		c.name = longname;
		cr_assert_eq(iommu_dev_add(t->ctx, &c), -EINVAL);
		cr_assert_eq(iommu_dev_group(t->ctx, 0x2a, &id), -ENODEV);
	}
	/* Bad input. */
	cr_assert_eq(iommu_dev_list(NULL, ids, 16, &m), -EINVAL);
	cr_assert_eq(iommu_dev_list(t->ctx, ids, 16, NULL), -EINVAL);
	cr_assert_eq(iommu_dev_list(t->ctx, NULL, 4, &m), -EINVAL);
	cr_assert_eq(iommu_dev_name(NULL, t->solo, name, sizeof(name)),
		     -EINVAL);
	cr_assert_eq(iommu_dev_name(t->ctx, t->solo, NULL, sizeof(name)),
		     -EINVAL);
	cr_assert_eq(iommu_dev_name(t->ctx, t->solo, name, 0), -EINVAL);
	cr_assert_eq(iommu_dev_name(t->ctx, 0x7ff0, name, sizeof(name)),
		     -ENODEV);
}

CONF_TEST(list, groups)
{
	struct tctx *t = tctx_open(p);
	struct iommu_dev_config c;
	uint32_t groups[16], ids[16], dev[16], g;
	size_t n = 0, m = 0, nd = 0, total = 0, i, j;

	cr_assert_eq(iommu_group_list(t->ctx, groups, 16, &n), 0);
	cr_assert_eq(n, 4, "solo, solo2, pair, aux: %zu groups", n);
	for (i = 1; i < n; i++)
		cr_assert_lt(groups[i - 1], groups[i]);
	/* The groups are those of the devices, each device in one. */
	cr_assert_eq(iommu_dev_list(t->ctx, dev, 16, &nd), 0);
	for (i = 0; i < nd; i++) {
		bool found = false;

		cr_assert_eq(iommu_dev_group(t->ctx, dev[i], &g), 0);
		for (j = 0; j < n; j++)
			found |= groups[j] == g;
		cr_assert(found, "group %u of device %#x not listed", g,
			  dev[i]);
	}
	for (i = 0; i < n; i++) {
		cr_assert_eq(iommu_group_devices(t->ctx, groups[i], ids, 16,
						 &m),
			     0);
		cr_assert_geq(m, 1, "empty group %u listed", groups[i]);
		total += m;
	}
	cr_assert_eq(total, nd);
	/* A group made and emptied at run time comes and goes. */
	memset(&c, 0, sizeof(c));
	c.id = 0x28;
	c.name = "late";
	cr_assert_eq(iommu_dev_add(t->ctx, &c), 0);
	cr_assert_eq(iommu_dev_group(t->ctx, 0x28, &g), 0);
	cr_assert_eq(iommu_group_list(t->ctx, groups, 16, &m), 0);
	cr_assert_eq(m, n + 1);
	cr_assert_eq(groups[m - 1], g);
	cr_assert_eq(iommu_dev_remove(t->ctx, 0x28), 0);
	cr_assert_eq(iommu_group_list(t->ctx, NULL, 0, &m), 0);
	cr_assert_eq(m, n);
	cr_assert_eq(iommu_group_list(NULL, groups, 16, &m), -EINVAL);
	cr_assert_eq(iommu_group_list(t->ctx, groups, 16, NULL), -EINVAL);
	cr_assert_eq(iommu_group_list(t->ctx, NULL, 1, &m), -EINVAL);
}

CONF_TEST(list, devices_of_a_domain)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *a = vm_dom(t, TMEM_BASE, PG);
	struct iommu_domain *blk = dom_alloc(t, IOMMU_DOMAIN_BLOCKED);
	struct iommu_domain *def = dev_domain(t, t->solo);
	struct iommu_attachment at[8];
	size_t n, m = 0, i;
	int owner;

	cr_assert_eq(dom_devs(a, at, 8), 0);
	/* The solo group's default domain has solo (an identity default is
	 * shared by every group). */
	n = dom_devs(def, at, 8);
	cr_assert_geq(n, 1);
	for (i = 0; i < n; i++)
		cr_assert_eq(at[i].pasid, IOMMU_NO_PASID);
	if (default_is_dma(t)) {
		cr_assert_eq(n, 1);
		cr_assert_eq(at[0].dev_id, t->solo);
	}
	/* Primary attachments of a group of two, ordered by ID. */
	cr_assert_eq(iommu_group_claim_dma_owner(t->ctx, t->g_pair, &owner), 0);
	cr_assert_eq(dom_devs(blk, at, 8), 2);
	cr_assert_eq(iommu_attach_group(a, t->g_pair), 0);
	cr_assert_eq(dom_devs(blk, at, 8), 0);
	cr_assert_eq(dom_devs(a, at, 8), 2);
	cr_assert_eq(at[0].dev_id, t->pair0 < t->pair1 ? t->pair0 : t->pair1);
	cr_assert_eq(at[1].dev_id, t->pair0 < t->pair1 ? t->pair1 : t->pair0);
	cr_assert_eq(at[0].pasid, IOMMU_NO_PASID);
	cr_assert_eq(at[1].pasid, IOMMU_NO_PASID);
	/* Count only, and a short array. */
	cr_assert_eq(iommu_domain_devices(a, NULL, 0, &m), 0);
	cr_assert_eq(m, 2);
	cr_assert_eq(iommu_domain_devices(a, at, 1, &m), 0);
	cr_assert_eq(m, 2);
	/* Aux attachments carry their PASID. */
	if (iommu_dev_has_feature(t->ctx, t->aux, IOMMU_DEV_FEAT_AUX)) {
		uint32_t pasid = 0;

		cr_assert_eq(iommu_dev_enable_feature(t->ctx, t->aux,
						      IOMMU_DEV_FEAT_AUX),
			     0);
		cr_assert_eq(iommu_aux_attach_device(a, t->aux), 0);
		cr_assert_eq(iommu_aux_get_pasid(a, t->aux, &pasid), 0);
		n = dom_devs(a, at, 8);
		cr_assert_eq(n, 3);
		for (i = 0; i < n && at[i].dev_id != t->aux; i++)
			;
		cr_assert_lt(i, n, "aux device not listed");
		cr_assert_eq(at[i].pasid, pasid);
		cr_assert_eq(iommu_aux_detach_device(a, t->aux), 0);
	} else {
		cr_assert_lt(iommu_aux_attach_device(a, t->aux), 0);
	}
	cr_assert_eq(dom_devs(a, at, 8), 2);
	cr_assert_eq(iommu_detach_group(a, t->g_pair), 0);
	cr_assert_eq(dom_devs(a, at, 8), 0);
	cr_assert_eq(iommu_group_release_dma_owner(t->ctx, t->g_pair, &owner),
		     0);
	/* Bad input. */
	cr_assert_eq(iommu_domain_devices(NULL, at, 8, &m), -EINVAL);
	cr_assert_eq(iommu_domain_devices(a, at, 8, NULL), -EINVAL);
	cr_assert_eq(iommu_domain_devices(a, NULL, 8, &m), -EINVAL);
	cr_assert_eq(iommu_domain_free(a), 0);
	cr_assert_eq(iommu_domain_devices(a, at, 8, &m), -EINVAL);
}

/* ---- Lost faults -------------------------------------------------------- */

struct lost_log {
	struct iommu_ctx *ctx;
	unsigned int calls;
	uint64_t lost;
	bool bad_ctx;
};

static void lost_fn(struct iommu_ctx *ctx, uint64_t lost, void *cookie)
{
	struct lost_log *l = cookie;

	if (ctx != l->ctx || !lost)
		l->bad_ctx = true;
	l->calls++;
	l->lost += lost;
}

/*
 * Without a driver nobody services the fault records, so every fault the
 * hardware records is lost: the VMM learns it through the handler, with
 * the count that IOMMU_STAT_FAULTS_LOST adds up.
 */
CONF_TEST(fault, lost_faults_notified_with_count)
{
	struct tctx *t = tctx_open_flags(p, IOMMU_CTX_NO_DRIVER);
	struct lost_log l = {.ctx = t->ctx};
	unsigned int i, faulted = 0;
	uint64_t l0 = stat_get(t, IOMMU_STAT_FAULTS_LOST), lost;

	cr_assert_eq(iommu_set_fault_lost_handler(t->ctx, lost_fn, &l), 0);
	for (i = 0; i < 50; i++) {
		int ret = dma_xlate(t, t->solo, TMEM_BASE + i * PG,
				    IOMMU_ACCESS_READ, NULL);

		cr_assert(ret == 0 || ret == -EFAULT, "translate: %d", ret);
		faulted += ret == -EFAULT;
		/* Told before the call that lost it returns. */
		lost = stat_get(t, IOMMU_STAT_FAULTS_LOST) - l0;
		cr_assert_eq(l.lost, lost, "handler told %llu of %llu lost",
			     (unsigned long long)l.lost,
			     (unsigned long long)lost);
	}
	if (p->flags & CONF_F_RESET_BLOCKS)
		cr_assert_eq(faulted, 50, "hardware at reset passed DMA");
	cr_assert_eq(l.lost, faulted);
	cr_assert_not(l.bad_ctx, "wrong context or a zero count");
	cr_assert_leq(l.calls, faulted);
	/* Removed: no more calls, the stat still counts. */
	cr_assert_eq(iommu_set_fault_lost_handler(t->ctx, NULL, NULL), 0);
	i = l.calls;
	dma_xlate(t, t->solo, TMEM_BASE, IOMMU_ACCESS_READ, NULL);
	cr_assert_eq(l.calls, i);
	cr_assert_eq(iommu_set_fault_lost_handler(NULL, lost_fn, &l), -EINVAL);
}

CONF_TEST(fault, no_lost_notification_when_serviced)
{
	struct tctx *t = tctx_open(p);
	struct lost_log l = {.ctx = t->ctx};
	unsigned int i;

	cr_assert_eq(iommu_set_fault_lost_handler(t->ctx, lost_fn, &l), 0);
	for (i = 0; i < 100; i++)
		cr_assert_eq(dma_xlate(t, t->solo2, TIOVA + i * PG,
				       IOMMU_ACCESS_WRITE, NULL),
			     default_is_dma(t) ? -EFAULT : 0);
	cr_assert_eq(stat_get(t, IOMMU_STAT_FAULTS_LOST), 0);
	cr_assert_eq(l.calls, 0, "lost handler called for serviced faults");
}
