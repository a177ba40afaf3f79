// SPDX-License-Identifier: MIT
/*
 * test_abi2.c - what ABI 2 added to the public API: interrupt messages
 * (DESIGN rule 12, delivered as rule 13 says) and request attributes.
 * Paging domains with allocation flags and dirty tracking are in
 * test_abi2_domain.c, PASID attach with the VMM's own PASIDs in
 * test_abi2_pasid.c.
 *
 * What a configuration offers is read through the public API (its
 * reserved regions, what an allocation flag returns), never from its
 * name.  The interrupt window is the IOMMU_RESV_MSI region a device
 * reports; where no RAM lies under it, the tests add some
 * (iommu_mem_add_ram) so that "never a memory access" is checked on every
 * configuration.
 */
#include <errno.h>
#include <string.h>

#include "conf.h"

#define RW (IOMMU_READ | IOMMU_WRITE)

/* Message logs outlive the test body: conf_fini() destroys the context. */
static struct msi_log msis;

static const char *acc_name(unsigned int access)
{
	return (access & IOMMU_ACCESS_WRITE) ? "write" : "read";
}

/*
 * hw_window() - the hardware interrupt window of @dev, asserting the
 * behaviour of a software-managed one instead
 * Return: true with [*s, *l] the IOMMU_RESV_MSI window; false when @dev
 * reports only an IOMMU_RESV_SW_MSI region: then a request there was
 * checked to be no interrupt message (it is translated like memory), and
 * the caller has nothing more to check.
 */
static bool hw_window(struct tctx *t, uint32_t dev, uint64_t *s, uint64_t *l)
{
	struct iommu_translation tr;
	int ret;

	if (msi_window(t, dev, s, l)) {
		cr_assert_leq(*s, *l);
		cr_assert_eq(*s & 3, 0, "window start %#llx not dword aligned",
			     (unsigned long long)*s);
		cr_assert_eq((*l + 1) & 3, 0,
			     "window end %#llx not dword aligned",
			     (unsigned long long)*l);
		return true;
	}
	ret = iommu_dma_translate(t->ctx, dev, IOMMU_NO_PASID, *s, 4,
				  IOMMU_ACCESS_WRITE, &tr);
	cr_assert_neq(ret, IOMMU_DMA_INTERRUPT,
		      "a software-managed MSI region (%#llx) is an interrupt "
		      "window, but not reported as IOMMU_RESV_MSI",
		      (unsigned long long)*s);
	return false;
}

/* Put RAM under [s - 4K, s + 60K) when none is there, so that a write into
 * the window that reached memory would show.  A platform whose RAM only
 * partly covers it keeps what it has (the checks look where RAM is). */
static void window_ram(struct tctx *t, uint64_t s)
{
	uint64_t base = (s & ~(PG - 1)) - PG;
	int ret;

	if (phys_is_ram(t, base, PG) || phys_is_ram(t, s, 4))
		return;
	ret = iommu_mem_add_ram(t->ctx, base, SZ_64K, NULL);
	if (ret)
		cr_log_warn("no RAM at the interrupt window %#llx: %d",
			    (unsigned long long)s, ret);
}

/*
 * Remember what [pa, pa + len) holds where that is RAM; true if it is.
 * A snapshot, not a pattern: the window may lie over memory the platform
 * uses (SMMUv3's software MSI window sits where the test platform keeps
 * its tables), which a pattern would overwrite.  The test's DMA values
 * differ from what is there (checked), so a write that reached memory
 * still shows.
 */
#define RAM_SNAP_MAX 256
/* One snapshot per @seed (the callers' seeds differ modulo 8). */
static uint8_t ram_snap[8][RAM_SNAP_MAX];

static bool ram_mark(struct tctx *t, uint64_t pa, size_t len, unsigned int seed)
{
	cr_assert_leq(len, RAM_SNAP_MAX);
	if (!phys_is_ram(t, pa, len))
		return false;
	cr_assert_eq(iommu_mem_read(t->ctx, pa, ram_snap[seed & 7], len), 0);
	return true;
}

static void expect_ram_kept(struct tctx *t, bool ram, uint64_t pa, size_t len,
			    unsigned int seed, const char *what)
{
	uint8_t now[RAM_SNAP_MAX];

	if (!ram)
		return;
	cr_assert_eq(iommu_mem_read(t->ctx, pa, now, len), 0);
	cr_assert(!memcmp(now, ram_snap[seed & 7], len),
		  "%s: RAM at %#llx changed", what, (unsigned long long)pa);
}

static int dword_write(struct tctx *t, uint32_t dev, uint64_t iova, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			(uint8_t)(v >> 24)};

	return iommu_dma_write(t->ctx, dev, IOMMU_NO_PASID, iova, b, 4);
}

/* A dword write at @iova by @dev is one message to the msi callback, with
 * the device, address and data of the write. */
static void expect_message(struct tctx *t, uint32_t dev, uint64_t iova,
			   uint32_t v)
{
	unsigned int before = msis.count;
	int ret = dword_write(t, dev, iova, v);

	cr_assert_eq(ret, 0, "dev %#x: dword write at %#llx in the window: %d",
		     dev, (unsigned long long)iova, ret);
	cr_assert_eq(msis.count, before + 1,
		     "dev %#x: %u interrupt messages for one dword write", dev,
		     msis.count - before);
	cr_assert_eq(msis.dev_id, dev, "message from %#x, expected %#x",
		     msis.dev_id, dev);
	cr_assert_eq(msis.addr, iova, "message address %#llx, expected %#llx",
		     (unsigned long long)msis.addr, (unsigned long long)iova);
	cr_assert_eq(msis.data, v, "message data %#x, expected %#x", msis.data,
		     v);
}

/* ---- Interrupt messages (rule 12) -------------------------------------- */

CONF_TEST(msi, window_translates_as_interrupt)
{
	struct tctx *t = tctx_open(p);
	const uint32_t devs[] = {t->solo, t->solo2, t->pair0, t->pair1, t->aux};
	uint64_t s, l, s2, l2, f0;
	struct iommu_translation tr;
	unsigned int c0;
	size_t i;
	int ret;

	if (!hw_window(t, t->solo, &s, &l))
		return;
	c0 = t->ctx_faults.count;
	f0 = stat_get(t, IOMMU_STAT_FAULTS);
	for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		cr_assert(msi_window(t, devs[i], &s2, &l2));
		cr_assert(s2 == s && l2 == l,
			  "dev %#x: window %#llx-%#llx, solo's %#llx-%#llx",
			  devs[i], (unsigned long long)s2,
			  (unsigned long long)l2, (unsigned long long)s,
			  (unsigned long long)l);
		for (unsigned int a = IOMMU_ACCESS_READ;
		     a <= IOMMU_ACCESS_WRITE; a <<= 1) {
			memset(&tr, 0xa5, sizeof(tr));
			ret = iommu_dma_translate(t->ctx, devs[i],
						  IOMMU_NO_PASID, s, 4, a, &tr);
			cr_assert_eq(ret, IOMMU_DMA_INTERRUPT,
				     "dev %#x: %s at window start %#llx: %d",
				     devs[i], acc_name(a),
				     (unsigned long long)s, ret);
			cr_assert_eq(tr.phys, s);
			cr_assert_eq(tr.perm, 0, "interrupt with perm %#x",
				     tr.perm);
			cr_assert_eq(tr.len, 4);
		}
	}
	/* len: the bytes to the window's end, at most those asked for. */
	ret = iommu_dma_translate(t->ctx, t->solo, IOMMU_NO_PASID, l - 3, 64,
				  IOMMU_ACCESS_WRITE, &tr);
	cr_assert_eq(ret, IOMMU_DMA_INTERRUPT);
	cr_assert_eq(tr.phys, l - 3);
	cr_assert_eq(tr.len, 4, "len %#llx past the window's end",
		     (unsigned long long)tr.len);
	ret = iommu_dma_translate(t->ctx, t->solo, IOMMU_NO_PASID, s,
				  l - s + 1 + PG, IOMMU_ACCESS_READ, &tr);
	cr_assert_eq(ret, IOMMU_DMA_INTERRUPT);
	cr_assert_eq(tr.len, l - s + 1);
	/* An interrupt request is no translation fault. */
	cr_assert_eq(t->ctx_faults.count, c0,
		     "window request reported a fault");
	cr_assert_eq(stat_get(t, IOMMU_STAT_FAULTS), f0);
}

CONF_TEST(msi, dword_write_is_a_message_not_memory)
{
	struct tctx *t = tctx_open_msi(p, msi_log_fn, &msis);
	uint64_t s, l, m0, d0;
	unsigned int c0 = t->ctx_faults.count;
	bool ram;

	if (!hw_window(t, t->solo, &s, &l))
		return;
	window_ram(t, s);
	ram = ram_mark(t, s, 64, 71);
	m0 = stat_get(t, IOMMU_STAT_MSI);
	d0 = stat_get(t, IOMMU_STAT_MSI_DROPPED);
	expect_message(t, t->solo, s + 8, 0x12345678);
	expect_message(t, t->pair1, l - 3, 0xcafef00d);
	expect_message(t, t->aux, s, 0x00000041);
	expect_message(t, t->solo, s + 8, 0x12345678); /* no merging */
	cr_assert_eq(stat_get(t, IOMMU_STAT_MSI) - m0, 4);
	cr_assert_eq(stat_get(t, IOMMU_STAT_MSI_DROPPED), d0);
	cr_assert_eq(t->ctx_faults.count, c0, "a message reported a fault");
	expect_ram_kept(t, ram, s, 64, 71, "interrupt messages");
	/* The devices' ordinary DMA is unaffected. */
	expect_default_behaviour(t, t->solo);
	cr_assert_eq(msis.count, 4, "a message without a window write");
}

/*
 * Rule 13 for messages: one is delivered when the outermost library call
 * returns.  The callback itself makes a DMA call that writes a second
 * message (a VMM whose interrupt injection runs device emulation): that
 * one must not be delivered inside the nested call, nor inside the
 * callback, but before the outer call returns.
 */
struct nest {
	struct iommu_ctx *ctx;
	uint32_t dev;
	uint64_t addr;
	bool armed;
	int nested_ret;
	unsigned int calls, depth, max_depth, calls_in_nested;
	uint32_t data[4];
};

static struct nest nest;

static void nest_msi_fn(void *cookie, uint32_t dev_id, uint64_t addr,
			uint32_t data)
{
	struct nest *n = cookie;
	uint8_t b[4] = {2, 0, 0, 0};

	(void)dev_id;
	(void)addr;
	if (++n->depth > n->max_depth)
		n->max_depth = n->depth;
	if (n->calls < 4)
		n->data[n->calls] = data;
	n->calls++;
	if (n->armed) {
		n->armed = false;
		n->nested_ret = iommu_dma_write(n->ctx, n->dev, IOMMU_NO_PASID,
						n->addr, b, sizeof(b));
		n->calls_in_nested = n->calls;
	}
	n->depth--;
}

CONF_TEST(msi, delivered_when_outermost_call_returns)
{
	struct tctx *t = tctx_open_msi(p, nest_msi_fn, &nest);
	uint64_t s, l;
	int ret;

	if (!hw_window(t, t->solo, &s, &l))
		return;
	nest.ctx = t->ctx;
	nest.dev = t->solo2;
	nest.addr = s + 4;
	nest.armed = true;
	ret = dword_write(t, t->solo, s, 1);
	cr_assert_eq(ret, 0, "dword write in the window: %d", ret);
	cr_assert_eq(nest.nested_ret, 0, "nested dword write: %d",
		     nest.nested_ret);
	cr_assert_eq(nest.calls_in_nested, 1,
		     "the nested call's message was delivered inside it");
	cr_assert_eq(nest.max_depth, 1, "msi callback ran inside itself");
	cr_assert_eq(nest.calls, 2,
		     "%u messages delivered by the time the outer call "
		     "returned, expected 2",
		     nest.calls);
	cr_assert_eq(nest.data[0], 1);
	cr_assert_eq(nest.data[1], 2);
}

CONF_TEST(msi, other_window_accesses_fault)
{
	struct tctx *t = tctx_open_msi(p, msi_log_fn, &msis);
	static const struct {
		uint64_t off;
		size_t len;
		bool write;
	} bad[] = {
	    {0, 4, false}, {4, 1, false}, {0, 64, false}, {2, 4, true},
	    {1, 4, true},  {0, 1, true},  {0, 2, true},	  {0, 8, true},
	    {0, 64, true}, {0, 3, true},
	};
	uint8_t buf[64];
	uint64_t s, l, m0;
	size_t i;
	bool ram;

	if (!hw_window(t, t->solo, &s, &l))
		return;
	window_ram(t, s);
	ram = ram_mark(t, s, 128, 72);
	m0 = stat_get(t, IOMMU_STAT_MSI);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t a = s + 16 + bad[i].off;
		int ret;

		memset(buf, 0x5a, sizeof(buf));
		ret = bad[i].write
			  ? iommu_dma_write(t->ctx, t->solo, IOMMU_NO_PASID, a,
					    buf, bad[i].len)
			  : iommu_dma_read(t->ctx, t->solo, IOMMU_NO_PASID, a,
					   buf, bad[i].len);
		cr_assert_eq(ret, -EFAULT,
			     "%s of %zu bytes at %#llx in the window: %d, "
			     "expected -EFAULT",
			     bad[i].write ? "write" : "read", bad[i].len,
			     (unsigned long long)a, ret);
	}
	cr_assert_eq(msis.count, 0, "a refused access became a message");
	cr_assert_eq(stat_get(t, IOMMU_STAT_MSI), m0);
	expect_ram_kept(t, ram, s, 128, 72, "refused window accesses");
}

CONF_TEST(msi, dropped_and_counted_without_callback)
{
	struct tctx *t = tctx_open(p);
	uint64_t s, l, m0, d0;
	bool ram;
	int ret;

	if (!hw_window(t, t->solo, &s, &l))
		return;
	window_ram(t, s);
	ram = ram_mark(t, s, 64, 73);
	m0 = stat_get(t, IOMMU_STAT_MSI);
	d0 = stat_get(t, IOMMU_STAT_MSI_DROPPED);
	ret = dword_write(t, t->solo, s, 0x55aa55aa);
	cr_log_info("dword write without msi callback: %d", ret);
	cr_assert_eq(stat_get(t, IOMMU_STAT_MSI_DROPPED) - d0, 1,
		     "message without callback not counted as dropped");
	cr_assert_eq(stat_get(t, IOMMU_STAT_MSI), m0,
		     "a dropped message counted as delivered");
	expect_ram_kept(t, ram, s, 64, 73, "dropped message");
}

/*
 * The review finding: a device on the blocking domain must get no memory
 * translation in the interrupt window.  Its requests there are interrupt
 * messages (the hardware takes them apart from DMA) or fault; a write
 * never changes RAM there and a read never succeeds.
 */
CONF_TEST(msi, blocked_device_never_reaches_window)
{
	struct tctx *t = tctx_open_msi(p, msi_log_fn, &msis);
	static const unsigned int accs[] = {
	    IOMMU_ACCESS_READ, IOMMU_ACCESS_WRITE,
	    IOMMU_ACCESS_READ | IOMMU_ACCESS_TRANSLATED,
	    IOMMU_ACCESS_WRITE | IOMMU_ACCESS_TRANSLATED};
	const uint32_t devs[] = {t->solo, t->pair0};
	const uint32_t groups[] = {t->g_solo, t->g_pair};
	struct iommu_domain *blk = dom_alloc(t, IOMMU_DOMAIN_BLOCKED);
	uint8_t buf[64];
	uint64_t s, l;
	bool hw, ram;
	int owner;
	size_t i, k;

	hw = msi_window(t, t->solo, &s, &l);
	window_ram(t, s);
	ram = ram_mark(t, s - 4, 128, 74);
	for (i = 0; i < 2; i++) {
		uint32_t dev = devs[i];
		struct iommu_translation tr;
		bool msg = false;
		int ret;

		cr_assert_eq(
		    iommu_group_claim_dma_owner(t->ctx, groups[i], &owner), 0);
		cr_assert_eq(dev_domain(t, dev), blk);
		for (k = 0; k < sizeof(accs) / sizeof(accs[0]); k++) {
			memset(&tr, 0, sizeof(tr));
			ret = iommu_dma_translate(t->ctx, dev, IOMMU_NO_PASID,
						  s, 4, accs[k], &tr);
			cr_assert_neq(ret, 0,
				      "dev %#x on the blocking domain: %s at "
				      "%#llx (attrs %#x) translated to memory "
				      "%#llx perm %#x",
				      dev, acc_name(accs[k]),
				      (unsigned long long)s,
				      accs[k] & IOMMU_ACCESS_ATTRS,
				      (unsigned long long)tr.phys, tr.perm);
			if (ret == IOMMU_DMA_INTERRUPT) {
				cr_assert(hw, "interrupt in a software window");
				cr_assert_eq(tr.perm, 0);
				cr_assert_eq(tr.phys, s);
				if (accs[k] == IOMMU_ACCESS_WRITE)
					msg = true;
			} else {
				cr_assert_eq(ret, -EFAULT,
					     "dev %#x blocked: %s at %#llx: %d",
					     dev, acc_name(accs[k]),
					     (unsigned long long)s, ret);
			}
		}
		memset(buf, 0x3c, sizeof(buf));
		ret = iommu_dma_write(t->ctx, dev, IOMMU_NO_PASID, s, buf, 64);
		cr_assert_eq(ret, -EFAULT,
			     "blocked: 64-byte write at %#llx: %d",
			     (unsigned long long)s, ret);
		ret =
		    iommu_dma_write(t->ctx, dev, IOMMU_NO_PASID, s - 4, buf, 8);
		cr_assert_eq(ret, -EFAULT,
			     "blocked: write across the window start: %d", ret);
		ret = iommu_dma_read(t->ctx, dev, IOMMU_NO_PASID, s, buf, 4);
		cr_assert_eq(ret, -EFAULT, "blocked: read at %#llx: %d",
			     (unsigned long long)s, ret);
		ret = iommu_dma_read(t->ctx, dev, IOMMU_NO_PASID, s, buf, 64);
		cr_assert_eq(ret, -EFAULT);
		/* A dword write is a message exactly when the window takes
		 * the device's requests as interrupts. */
		if (msg)
			expect_message(t, dev, s, 0x0b10c4ed);
		else
			cr_assert_eq(dword_write(t, dev, s, 0x0b10c4ed),
				     -EFAULT);
		expect_ram_kept(t, ram, s - 4, 128, 74, "blocked device");
		/* And ordinary memory stays out of reach. */
		expect_fault(t, &t->ctx_faults, dev, TMEM_BASE,
			     IOMMU_ACCESS_WRITE, REASONS_ANY);
		cr_assert_eq(
		    iommu_group_release_dma_owner(t->ctx, groups[i], &owner),
		    0);
	}
}

/*
 * On every other domain a device can be on (its default, the identity
 * domain, an UNMANAGED domain that maps the window's IOVAs to RAM) a
 * request in the window is an interrupt, never memory.
 */
static void expect_window_not_memory(struct tctx *t, uint32_t dev, uint64_t s,
				     uint64_t target, const char *what)
{
	struct iommu_translation tr;
	uint8_t buf[64];
	bool ram = ram_mark(t, s, 64, 75);
	bool tram = target && ram_mark(t, target, 64, 76);
	int ret;

	for (unsigned int a = IOMMU_ACCESS_READ; a <= IOMMU_ACCESS_WRITE;
	     a <<= 1) {
		ret = iommu_dma_translate(t->ctx, dev, IOMMU_NO_PASID, s, 4, a,
					  &tr);
		cr_assert_eq(ret, IOMMU_DMA_INTERRUPT,
			     "%s: %s at window start %#llx: %d (phys %#llx)",
			     what, acc_name(a), (unsigned long long)s, ret,
			     (unsigned long long)(ret ? 0 : tr.phys));
		cr_assert_eq(tr.perm, 0);
		cr_assert_eq(tr.phys, s, "%s: interrupt at phys %#llx", what,
			     (unsigned long long)tr.phys);
	}
	memset(buf, 0x3c, sizeof(buf));
	cr_assert_eq(iommu_dma_write(t->ctx, dev, IOMMU_NO_PASID, s, buf, 64),
		     -EFAULT, "%s: 64-byte write in the window", what);
	cr_assert_eq(iommu_dma_read(t->ctx, dev, IOMMU_NO_PASID, s, buf, 4),
		     -EFAULT, "%s: read in the window", what);
	expect_message(t, dev, s, 0x600d);
	expect_ram_kept(t, ram, s, 64, 75, what);
	expect_ram_kept(t, tram, target, 64, 76, what);
}

CONF_TEST(msi, window_is_no_memory_on_any_domain)
{
	struct tctx *t = tctx_open_msi(p, msi_log_fn, &msis);
	uint64_t s, l, tgt = TMEM_BASE + 0x400000;
	struct iommu_domain *id = NULL, *u;
	int ret;

	if (!hw_window(t, t->solo, &s, &l))
		return;
	window_ram(t, s);
	expect_window_not_memory(t, t->solo, s, 0, "default domain");
	ret = iommu_domain_alloc(t->ctx, IOMMU_DOMAIN_IDENTITY, &id);
	cr_assert(ret == 0 || ret == -EOPNOTSUPP, "identity domain: %d", ret);
	if (!ret) {
		cr_assert_eq(iommu_attach_device(id, t->solo), 0);
		expect_window_not_memory(t, t->solo, s, 0, "identity domain");
		cr_assert_eq(iommu_detach_device(id, t->solo), 0);
	}
	/* The window is reported to the VMM, which may still map its IOVAs
	 * (rule 9; the backend may refuse): the hardware takes requests
	 * there as interrupts either way. */
	u = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	cr_assert_eq(iommu_attach_device(u, t->solo), 0);
	ret = iommu_map(u, s & ~(PG - 1), tgt, PG, RW);
	cr_log_info("map over the interrupt window: %d", ret);
	cr_assert_leq(ret, 0);
	expect_window_not_memory(t, t->solo, s, ret ? 0 : tgt + (s & 0xfff),
				 "unmanaged domain");
	cr_assert_eq(iommu_detach_device(u, t->solo), 0);
}

/*
 * A VMM builds a domain (maps the guest's memory) before it attaches a
 * device, or after.  A backend may refuse a mapping over a device's
 * reported window once the device is attached (reserved regions are per
 * device, so an unattached domain cannot know them, as with iommufd):
 * then it also refuses to attach a domain that already has such a
 * mapping, leaving the device on its old domain, working, and attaches it
 * once the mapping is gone.  A backend that accepts the mapping accepts
 * it both ways.  Never does a device end up on a domain with a mapping
 * the backend refuses.
 */
CONF_TEST(msi, window_map_refused_before_and_after_attach_alike)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *early = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	struct iommu_domain *late = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	struct iommu_domain *def = dev_domain(t, t->solo);
	uint64_t s, l, w, got = 0, tgt = TMEM_BASE + 0x480000;
	int r_early, r_late, ret;

	if (!hw_window(t, t->solo, &s, &l))
		return;
	w = s & ~(PG - 1);
	cr_assert_eq(iommu_attach_device(late, t->solo), 0);
	cr_assert_eq(iommu_map(late, TIOVA, tgt, PG, RW), 0);
	r_late = iommu_map(late, w, tgt, PG, RW);
	cr_log_info("map over the window %#llx while attached: %d",
		    (unsigned long long)w, r_late);
	cr_assert_leq(r_late, 0);
	if (r_late)
		cr_assert_eq(iommu_iova_to_phys(late, w, &got), -ENOENT,
			     "refused map left a mapping");
	expect_dma_rw(t, t->solo, TIOVA, tgt, 64);
	cr_assert_eq(iommu_detach_device(late, t->solo), 0);
	/* The same mappings made first, then the attach. */
	cr_assert_eq(iommu_map(early, TIOVA, tgt, PG, RW), 0);
	r_early = iommu_map(early, w, tgt, PG, RW);
	cr_assert_leq(r_early, 0);
	ret = iommu_attach_device(early, t->solo);
	if (!r_late) {
		cr_assert_eq(r_early, 0,
			     "map over the window refused before "
			     "attach (%d), accepted after",
			     r_early);
		cr_assert_eq(ret, 0, "attach with the accepted map: %d", ret);
	} else if (!r_early) {
		cr_assert_lt(ret, 0,
			     "attached with a map over the window that the "
			     "backend refuses while attached (%d)",
			     r_late);
		cr_assert_eq(dev_domain(t, t->solo), def);
		expect_default_behaviour(t, t->solo);
		cr_assert_eq(iommu_unmap(early, w, PG, &got), 0);
		cr_assert_eq(got, PG);
		ret = iommu_attach_device(early, t->solo);
		cr_assert_eq(ret, 0, "attach once the map is gone: %d", ret);
	} else {
		cr_assert_eq(ret, 0, "attach: %d", ret);
	}
	expect_dma_rw(t, t->solo, TIOVA, tgt, 64);
	cr_assert_eq(iommu_detach_device(early, t->solo), 0);
}

/*
 * A memory translation ends where the window begins: @len of a request
 * just below it covers no byte of it, so a DMA that runs into the window
 * never writes the RAM under it.
 */
static void expect_run_stops_at_window(struct tctx *t, uint32_t dev, uint64_t s,
				       const char *what)
{
	struct iommu_translation tr;
	uint8_t buf[8];
	bool ram = ram_mark(t, s, 64, 77);
	int ret;

	memset(buf, 0xe7, sizeof(buf));
	ret = iommu_dma_write(t->ctx, dev, IOMMU_NO_PASID, s - 4, buf, 8);
	cr_log_info("%s: write across the window start: %d", what, ret);
	expect_ram_kept(t, ram, s, 64, 77, what);
	memset(&tr, 0, sizeof(tr));
	ret = iommu_dma_translate(t->ctx, dev, IOMMU_NO_PASID, s - 4, 64,
				  IOMMU_ACCESS_WRITE, &tr);
	cr_assert(ret == 0 || ret == -EFAULT, "%s: write below the window: %d",
		  what, ret);
	if (!ret)
		cr_assert_leq(tr.len, 4,
			      "%s: translation at %#llx runs %#llx bytes, "
			      "into the interrupt window at %#llx",
			      what, (unsigned long long)(s - 4),
			      (unsigned long long)tr.len,
			      (unsigned long long)s);
}

CONF_TEST(msi, memory_translation_stops_at_window)
{
	struct tctx *t = tctx_open_msi(p, msi_log_fn, &msis);
	struct iommu_domain *id = NULL, *u;
	uint64_t s, l, pg = PG;
	int ret;

	if (!hw_window(t, t->solo, &s, &l))
		return;
	window_ram(t, s);
	expect_run_stops_at_window(t, t->solo, s, "default domain");
	ret = iommu_domain_alloc(t->ctx, IOMMU_DOMAIN_IDENTITY, &id);
	cr_assert(ret == 0 || ret == -EOPNOTSUPP, "identity domain: %d", ret);
	if (!ret) {
		cr_assert_eq(iommu_attach_device(id, t->solo), 0);
		expect_run_stops_at_window(t, t->solo, s, "identity domain");
		cr_assert_eq(iommu_detach_device(id, t->solo), 0);
	}
	/* The page below the window, and the window's own IOVAs where the
	 * backend lets the VMM map them, contiguously. */
	u = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	cr_assert_eq(iommu_attach_device(u, t->solo), 0);
	ret = iommu_map(u, (s & ~(pg - 1)) - pg, TMEM_BASE + 0x500000, pg, RW);
	cr_assert_eq(ret, 0, "map below the window: %d", ret);
	ret = iommu_map(u, s & ~(pg - 1), TMEM_BASE + 0x500000 + pg, pg, RW);
	cr_log_info("map over the interrupt window: %d", ret);
	expect_run_stops_at_window(t, t->solo, s, "unmanaged domain");
	cr_assert_eq(iommu_detach_device(u, t->solo), 0);
}

/* ---- Request attributes ------------------------------------------------- */

CONF_TEST(attr, unknown_access_bits_einval)
{
	struct tctx *t = tctx_open(p);
	static const unsigned int bad[] = {
	    0,
	    IOMMU_ACCESS_READ | IOMMU_ACCESS_WRITE,
	    IOMMU_ACCESS_PRIV,
	    IOMMU_ACCESS_EXEC | IOMMU_ACCESS_TRANSLATED,
	    IOMMU_ACCESS_READ | (1u << 5),
	    IOMMU_ACCESS_WRITE | (1u << 7),
	    IOMMU_ACCESS_READ | (1u << 31),
	    IOMMU_ACCESS_READ | IOMMU_ACCESS_PRIV | (1u << 16),
	    ~0u,
	};
	uint64_t pa = TMEM_BASE + 0x600000;
	struct iommu_domain *d = dom_mapped(t, TIOVA, pa, PG);
	struct iommu_translation tr;
	uint64_t f0;
	size_t i;
	int ret;

	cr_assert_eq(iommu_attach_device(d, t->solo), 0);
	f0 = stat_get(t, IOMMU_STAT_FAULTS);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ret = iommu_dma_translate(t->ctx, t->solo, IOMMU_NO_PASID,
					  TIOVA, 4, bad[i], &tr);
		cr_assert_eq(ret, -EINVAL, "access %#x: %d, expected -EINVAL",
			     bad[i], ret);
	}
	cr_assert_eq(t->ctx_faults.count, 0, "a refused request faulted");
	cr_assert_eq(stat_get(t, IOMMU_STAT_FAULTS), f0);
	/* The same request with a valid access works. */
	cr_assert_eq(dma_xlate(t, t->solo, TIOVA, IOMMU_ACCESS_READ, &tr), 0);
	cr_assert_eq(tr.phys, pa);
	cr_assert_eq(iommu_detach_device(d, t->solo), 0);
}

/*
 * PRIV and EXEC on a request without PASID: neither backend gives them a
 * meaning there (VT-d takes them from a PASID prefix), and no page format
 * denies a privileged access or a fetch that a read/write mapping allows.
 * They never widen a mapping: a privileged write to a read-only page
 * faults.
 */
CONF_TEST(attr, priv_exec_never_widen_a_mapping)
{
	struct tctx *t = tctx_open(p);
	static const unsigned int reads[] = {
	    IOMMU_ACCESS_PRIV, IOMMU_ACCESS_EXEC,
	    IOMMU_ACCESS_PRIV | IOMMU_ACCESS_EXEC};
	uint64_t pa = TMEM_BASE + 0x700000;
	struct iommu_domain *d = dom_mapped(t, TIOVA, pa, PG);
	struct iommu_translation tr;
	unsigned int before;
	size_t i;
	int owner, ret;

	cr_assert_eq(iommu_map(d, TIOVA + PG, pa + PG, PG, IOMMU_READ),
		     0);
	cr_assert_eq(iommu_attach_device(d, t->solo), 0);
	for (i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
		ret = dma_xlate(t, t->solo, TIOVA + 8,
				IOMMU_ACCESS_READ | reads[i], &tr);
		cr_assert_eq(ret, 0, "read with attrs %#x: %d", reads[i], ret);
		cr_assert_eq(tr.phys, pa + 8);
		cr_assert(tr.perm & IOMMU_READ);
	}
	ret = dma_xlate(t, t->solo, TIOVA + 8,
			IOMMU_ACCESS_WRITE | IOMMU_ACCESS_PRIV, &tr);
	cr_assert_eq(ret, 0, "privileged write: %d", ret);
	cr_assert_eq(tr.phys, pa + 8);
	before = t->ctx_faults.count;
	ret = dma_xlate(t, t->solo, TIOVA + PG,
			IOMMU_ACCESS_WRITE | IOMMU_ACCESS_PRIV, &tr);
	cr_assert_eq(ret, -EFAULT,
		     "privileged write to a read-only page: %d (phys %#llx)",
		     ret, (unsigned long long)(ret ? 0 : tr.phys));
	cr_assert_eq(t->ctx_faults.count, before + 1);
	cr_assert_eq(t->ctx_faults.last.dev_id, t->solo);
	cr_assert_eq(t->ctx_faults.last.access &
			 (IOMMU_ACCESS_READ | IOMMU_ACCESS_WRITE),
		     IOMMU_ACCESS_WRITE);
	cr_assert_eq(iommu_detach_device(d, t->solo), 0);
	/* On the blocking domain they get nothing either. */
	cr_assert_eq(iommu_group_claim_dma_owner(t->ctx, t->g_solo2, &owner),
		     0);
	ret = dma_xlate(
	    t, t->solo2, TMEM_BASE,
	    IOMMU_ACCESS_READ | IOMMU_ACCESS_PRIV | IOMMU_ACCESS_EXEC, &tr);
	cr_assert_eq(ret, -EFAULT, "blocked: privileged fetch: %d", ret);
	cr_assert_eq(iommu_group_release_dma_owner(t->ctx, t->g_solo2, &owner),
		     0);
}

/*
 * A TRANSLATED request carries an address the device already translated
 * (ATS).  The IOMMU either refuses it (no device TLB enabled: virtio has
 * no ATS, VT-d blocks it unless the context enables the device TLB) or
 * takes the address as physical; it never walks the domain's tables with
 * it, and a device on the blocking domain never gets through with one.
 */
CONF_TEST(attr, translated_request_never_walks_the_domain)
{
	struct tctx *t = tctx_open(p);
	uint64_t pa = TMEM_BASE + 0x800000;
	struct iommu_domain *d = dom_mapped(t, TIOVA, pa, PG);
	struct iommu_translation tr;
	int owner, ret;

	cr_assert_eq(iommu_attach_device(d, t->solo), 0);
	for (unsigned int a = IOMMU_ACCESS_READ; a <= IOMMU_ACCESS_WRITE;
	     a <<= 1) {
		memset(&tr, 0, sizeof(tr));
		ret = dma_xlate(t, t->solo, TIOVA + 16,
				a | IOMMU_ACCESS_TRANSLATED, &tr);
		cr_assert(ret == -EFAULT || (ret == 0 && tr.phys == TIOVA + 16),
			  "translated %s at %#llx: %d, phys %#llx (the "
			  "domain maps it to %#llx; a translated address is "
			  "not walked)",
			  acc_name(a), (unsigned long long)(TIOVA + 16), ret,
			  (unsigned long long)tr.phys,
			  (unsigned long long)(pa + 16));
	}
	/* The untranslated request still works. */
	cr_assert_eq(dma_xlate(t, t->solo, TIOVA + 16, IOMMU_ACCESS_READ, &tr),
		     0);
	cr_assert_eq(tr.phys, pa + 16);
	cr_assert_eq(iommu_detach_device(d, t->solo), 0);
	cr_assert_eq(iommu_group_claim_dma_owner(t->ctx, t->g_solo2, &owner),
		     0);
	for (unsigned int a = IOMMU_ACCESS_READ; a <= IOMMU_ACCESS_WRITE;
	     a <<= 1) {
		ret = dma_xlate(t, t->solo2, TMEM_BASE,
				a | IOMMU_ACCESS_TRANSLATED, &tr);
		cr_assert_eq(ret, -EFAULT, "blocked: translated %s: %d",
			     acc_name(a), ret);
	}
	cr_assert_eq(iommu_group_release_dma_owner(t->ctx, t->g_solo2, &owner),
		     0);
}
