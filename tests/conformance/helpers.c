// SPDX-License-Identifier: MIT
/*
 * helpers.c - opening a configuration, fault logs and DMA checks shared by
 * the conformance tests.  Public API only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

/* Contexts of this worker, destroyed by conf_fini().  A worker runs one
 * test, so plain statics are enough. */
#define TCTX_MAX 8
static struct tctx *tctx_open_list[TCTX_MAX];

static void conf_log(void *cookie, enum iommu_log_level level, const char *msg)
{
	/* Tests provoke errors on purpose; show the log only on demand. */
	(void)cookie;
	if (getenv("IOMMU_CONF_VERBOSE"))
		fprintf(stderr, "iommu[%d]: %s\n", (int)level, msg);
}

int conf_ctx_create(const struct conf_param *p, unsigned int flags,
		    struct iommu_ctx **out)
{
	struct iommu_ctx_opts o;
	char err[512] = "";
	int ret;

	memset(&o, 0, sizeof(o));
	if (p->ini_path[0])
		o.ini_path = p->ini_path;
	else
		o.ini_string = p->ini;
	o.log = conf_log;
	o.log_level = IOMMU_LOG_DEBUG;
	o.flags = flags;
	o.errbuf = err;
	o.errbuf_len = sizeof(err);
	ret = iommu_ctx_create(&o, out);
	if (ret)
		cr_log_warn("[%s] iommu_ctx_create: %d (%s)", p->name, ret,
			    err);
	return ret;
}

int fault_log_domain_fn(struct iommu_domain *d, const struct iommu_fault *f,
			void *cookie)
{
	struct fault_log *log = cookie;

	(void)d;
	if (!log->count)
		log->first = *f;
	log->last = *f;
	log->count++;
	return 0;
}

int fault_log_ctx_fn(struct iommu_ctx *c, const struct iommu_fault *f,
		     void *cookie)
{
	(void)c;
	return fault_log_domain_fn(NULL, f, cookie);
}

static void tctx_lookup(struct tctx *t, const char *name, uint32_t *id,
			uint32_t *group)
{
	int ret = iommu_dev_lookup(t->ctx, name, id);

	cr_assert_eq(ret, 0, "device [device.%s] missing: %d", name, ret);
	if (group) {
		ret = iommu_dev_group(t->ctx, *id, group);
		cr_assert_eq(ret, 0, "iommu_dev_group(%s): %d", name, ret);
	}
}

struct tctx *tctx_open_flags(const struct conf_param *p, unsigned int flags)
{
	struct tctx *t = calloc(1, sizeof(*t));
	size_t i;
	int ret;

	cr_assert_not_null(t);
	for (i = 0; i < TCTX_MAX && tctx_open_list[i]; i++)
		;
	cr_assert_lt(i, TCTX_MAX, "too many contexts in one test");
	tctx_open_list[i] = t;
	ret = conf_ctx_create(p, flags, &t->ctx);
	cr_assert_eq(ret, 0, "[%s] iommu_ctx_create failed: %d", p->name, ret);
	cr_assert_not_null(t->ctx);
	tctx_lookup(t, DEV_SOLO, &t->solo, &t->g_solo);
	tctx_lookup(t, DEV_SOLO2, &t->solo2, &t->g_solo2);
	tctx_lookup(t, DEV_PAIR0, &t->pair0, &t->g_pair);
	tctx_lookup(t, DEV_PAIR1, &t->pair1, NULL);
	tctx_lookup(t, DEV_AUX, &t->aux, &t->g_aux);
	ret = iommu_set_ctx_fault_handler(t->ctx, fault_log_ctx_fn,
					  &t->ctx_faults);
	cr_assert_eq(ret, 0, "iommu_set_ctx_fault_handler: %d", ret);
	return t;
}

struct tctx *tctx_open(const struct conf_param *p)
{
	return tctx_open_flags(p, 0);
}

void tctx_close(struct tctx *t)
{
	size_t i;

	for (i = 0; i < TCTX_MAX; i++)
		if (tctx_open_list[i] == t)
			tctx_open_list[i] = NULL;
	iommu_ctx_destroy(t->ctx);
	free(t);
}

static char conf_cur_name[CONF_NAME_MAX];
static bool conf_done;

uint64_t conf_page = SZ_4K;

void conf_begin(const struct conf_param *p)
{
	conf_page = p->flags & CONF_F_PAGE_64K	 ? SZ_64K
		    : p->flags & CONF_F_PAGE_16K ? 0x4000ull
						 : SZ_4K;
	snprintf(conf_cur_name, sizeof(conf_cur_name), "%s", p->name);
	conf_done = false;
}

void conf_end(void)
{
	conf_done = true;
}

void conf_fini(void)
{
	size_t i;

	if (!conf_done)
		cr_log_error("failed on configuration '%s'", conf_cur_name);
	for (i = 0; i < TCTX_MAX; i++)
		if (tctx_open_list[i])
			tctx_close(tctx_open_list[i]);
}

struct iommu_domain *dom_alloc(struct tctx *t, enum iommu_domain_type type)
{
	struct iommu_domain *d = NULL;
	int ret = iommu_domain_alloc(t->ctx, type, &d);

	cr_assert_eq(ret, 0, "iommu_domain_alloc(type %d): %d", type, ret);
	cr_assert_not_null(d);
	cr_assert_eq(iommu_domain_type(d), type);
	return d;
}

uint64_t dom_min_page(struct iommu_domain *d)
{
	uint64_t bm = iommu_domain_pgsize_bitmap(d);

	cr_assert_neq(bm, 0, "paging domain without page sizes");
	return bm & -bm;
}

static uint8_t pattern_byte(uint64_t i, unsigned int seed)
{
	uint64_t x =
	    (i + 1) * 0x9e3779b97f4a7c15ull ^ seed * 0xbf58476d1ce4e5b9ull;

	return (uint8_t)(x >> 29 ^ x >> 7);
}

void mem_fill(struct tctx *t, uint64_t pa, size_t len, unsigned int seed)
{
	uint8_t *buf = malloc(len);
	size_t i;
	int ret;

	cr_assert_not_null(buf);
	for (i = 0; i < len; i++)
		buf[i] = pattern_byte(i, seed);
	ret = iommu_mem_write(t->ctx, pa, buf, len);
	free(buf);
	cr_assert_eq(ret, 0, "iommu_mem_write(%#llx): %d",
		     (unsigned long long)pa, ret);
}

bool mem_check(struct tctx *t, uint64_t pa, size_t len, unsigned int seed)
{
	uint8_t *buf = malloc(len);
	bool ok = true;
	size_t i;

	cr_assert_not_null(buf);
	if (iommu_mem_read(t->ctx, pa, buf, len))
		ok = false;
	for (i = 0; ok && i < len; i++)
		if (buf[i] != pattern_byte(i, seed))
			ok = false;
	free(buf);
	return ok;
}

void expect_dma_read(struct tctx *t, uint32_t dev, uint64_t iova, uint64_t pa,
		     size_t len)
{
	uint8_t *a = malloc(len), *b = malloc(len);
	int ret;

	cr_assert(a && b);
	ret = iommu_mem_read(t->ctx, pa, a, len);
	cr_assert_eq(ret, 0, "iommu_mem_read(%#llx): %d",
		     (unsigned long long)pa, ret);
	memset(b, 0xa5, len);
	ret = iommu_dma_read(t->ctx, dev, IOMMU_NO_PASID, iova, b, len);
	cr_assert_eq(ret, 0, "dev %#x: DMA read at iova %#llx: %d (expected 0)",
		     dev, (unsigned long long)iova, ret);
	cr_assert_eq(memcmp(a, b, len), 0,
		     "dev %#x: DMA read at iova %#llx did not see pa %#llx",
		     dev, (unsigned long long)iova, (unsigned long long)pa);
	free(a);
	free(b);
}

void expect_dma_rw(struct tctx *t, uint32_t dev, uint64_t iova, uint64_t pa,
		   size_t len)
{
	static unsigned int seed = 1000;
	uint8_t *buf = malloc(len);
	size_t i;
	int ret;

	cr_assert_not_null(buf);
	seed++;
	mem_fill(t, pa, len, seed);
	expect_dma_read(t, dev, iova, pa, len);
	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 7 + seed);
	ret = iommu_dma_write(t->ctx, dev, IOMMU_NO_PASID, iova, buf, len);
	cr_assert_eq(ret, 0,
		     "dev %#x: DMA write at iova %#llx: %d (expected 0)", dev,
		     (unsigned long long)iova, ret);
	{
		uint8_t *back = malloc(len);

		cr_assert_not_null(back);
		ret = iommu_mem_read(t->ctx, pa, back, len);
		cr_assert_eq(ret, 0);
		cr_assert_eq(
		    memcmp(back, buf, len), 0,
		    "dev %#x: DMA write at iova %#llx did not land at pa %#llx",
		    dev, (unsigned long long)iova, (unsigned long long)pa);
		free(back);
	}
	free(buf);
}

int dma_xlate(struct tctx *t, uint32_t dev, uint64_t iova, unsigned int access,
	      struct iommu_translation *out)
{
	struct iommu_translation tr;

	return iommu_dma_translate(t->ctx, dev, IOMMU_NO_PASID, iova, 4, access,
				   out ? out : &tr);
}

void expect_fault(struct tctx *t, struct fault_log *log, uint32_t dev,
		  uint64_t iova, unsigned int access, unsigned int reasons)
{
	unsigned int before = log->count;
	unsigned int ctx_before = t->ctx_faults.count;
	struct iommu_translation tr;
	const struct iommu_fault *f;
	int ret;

	ret = iommu_dma_translate(t->ctx, dev, IOMMU_NO_PASID, iova, 4, access,
				  &tr);
	cr_assert_eq(ret, -EFAULT,
		     "dev %#x: DMA %s at iova %#llx: got %d (phys %#llx), "
		     "expected -EFAULT",
		     dev, access == IOMMU_ACCESS_WRITE ? "write" : "read",
		     (unsigned long long)iova, ret,
		     (unsigned long long)(ret ? 0 : tr.phys));
	cr_assert_eq(log->count, before + 1,
		     "dev %#x iova %#llx: %u faults delivered to the expected "
		     "handler, expected 1",
		     dev, (unsigned long long)iova, log->count - before);
	if (log != &t->ctx_faults)
		cr_assert_eq(t->ctx_faults.count, ctx_before,
			     "fault also delivered to the context handler");
	f = &log->last;
	cr_assert_eq(f->dev_id, dev, "fault dev_id %#x, expected %#x",
		     f->dev_id, dev);
	cr_assert_eq(f->flags & IOMMU_FAULT_F_PASID_VALID, 0,
		     "fault without PASID claims a PASID");
	if (f->flags & IOMMU_FAULT_F_ADDR_VALID)
		cr_assert_eq(f->addr & ~(PG - 1), iova & ~(PG - 1),
			     "fault addr %#llx, expected %#llx",
			     (unsigned long long)f->addr,
			     (unsigned long long)iova);
	cr_assert_eq(f->access, access, "fault access %u, expected %u",
		     f->access, access);
	if (reasons)
		cr_assert(reasons & R_BIT(f->reason),
			  "fault reason %d not in the expected set %#x",
			  f->reason, reasons);
	else
		cr_assert_neq(f->reason, IOMMU_FAULT_UNKNOWN,
			      "fault reason UNKNOWN");
}

struct iommu_domain *dev_domain(struct tctx *t, uint32_t dev)
{
	struct iommu_domain *d = NULL;
	int ret = iommu_get_domain_for_dev(t->ctx, dev, &d);

	cr_assert_eq(ret, 0, "iommu_get_domain_for_dev(%#x): %d", dev, ret);
	cr_assert_not_null(d);
	return d;
}

bool default_is_dma(struct tctx *t)
{
	enum iommu_domain_type ty = iommu_ctx_default_domain_type(t->ctx);

	cr_assert(ty == IOMMU_DOMAIN_DMA || ty == IOMMU_DOMAIN_IDENTITY,
		  "default domain type %d", ty);
	return ty == IOMMU_DOMAIN_DMA;
}

uint64_t stat_get(struct tctx *t, enum iommu_stat s)
{
	struct iommu_stats st = { .size = sizeof(st) };
	int ret = iommu_get_stats(t->ctx, &st);

	cr_assert_eq(ret, 0, "iommu_get_stats: %d", ret);
	return st.v[s];
}

void expect_default_behaviour(struct tctx *t, uint32_t dev)
{
	struct iommu_domain *d = dev_domain(t, dev);
	uint64_t pa = TMEM_BASE + 0x3000, iova = 0;
	int ret;

	if (default_is_dma(t)) {
		cr_assert_eq(iommu_domain_type(d), IOMMU_DOMAIN_DMA,
			     "dev %#x: on a domain of type %d, expected the "
			     "default DMA domain",
			     dev, iommu_domain_type(d));
		/* Nothing is mapped at TIOVA in a DMA domain... unless the
		 * allocator chose it; use an address far from RAM instead. */
		expect_fault(t, &t->ctx_faults, dev, 0x7654321000ull,
			     IOMMU_ACCESS_READ, REASONS_ANY);
		ret = iommu_dma_map(t->ctx, dev, pa, PG,
				    IOMMU_READ | IOMMU_WRITE, &iova);
		cr_assert_eq(ret, 0, "iommu_dma_map on the default domain: %d",
			     ret);
		expect_dma_rw(t, dev, iova, pa, 64);
		ret = iommu_dma_unmap(t->ctx, dev, iova, PG);
		cr_assert_eq(ret, 0, "iommu_dma_unmap: %d", ret);
	} else {
		struct iommu_translation tr;

		cr_assert_eq(iommu_domain_type(d), IOMMU_DOMAIN_IDENTITY,
			     "dev %#x: on a domain of type %d, expected the "
			     "identity default",
			     dev, iommu_domain_type(d));
		ret = dma_xlate(t, dev, pa, IOMMU_ACCESS_WRITE, &tr);
		cr_assert_eq(ret, 0, "identity DMA at %#llx: %d",
			     (unsigned long long)pa, ret);
		cr_assert_eq(tr.phys, pa);
		expect_dma_rw(t, dev, pa, pa, 64);
	}
}

void settle(struct tctx *t, struct iommu_domain *d)
{
	if (!iommu_ctx_strict(t->ctx))
		cr_assert_eq(iommu_flush_iotlb_all(d), 0);
}

/* ---- Interrupt messages, PASIDs (test_abi2*.c) ------------------------- */

void msi_log_fn(void *cookie, uint32_t dev_id, uint64_t addr, uint32_t data)
{
	struct msi_log *log = cookie;

	log->count++;
	log->dev_id = dev_id;
	log->addr = addr;
	log->data = data;
}

struct tctx *tctx_open_msi(const struct conf_param *p, iommu_msi_fn fn,
			   void *cookie)
{
	struct tctx *t = calloc(1, sizeof(*t));
	struct iommu_ctx_opts o;
	char err[512] = "";
	size_t i;
	int ret;

	cr_assert_not_null(t);
	for (i = 0; i < TCTX_MAX && tctx_open_list[i]; i++)
		;
	cr_assert_lt(i, TCTX_MAX, "too many contexts in one test");
	tctx_open_list[i] = t;
	memset(&o, 0, sizeof(o));
	if (p->ini_path[0])
		o.ini_path = p->ini_path;
	else
		o.ini_string = p->ini;
	o.log = conf_log;
	o.log_level = IOMMU_LOG_DEBUG;
	o.msi = fn;
	o.msi_cookie = cookie;
	o.errbuf = err;
	o.errbuf_len = sizeof(err);
	ret = iommu_ctx_create(&o, &t->ctx);
	cr_assert_eq(ret, 0, "[%s] iommu_ctx_create with msi: %d (%s)", p->name,
		     ret, err);
	cr_assert_not_null(t->ctx);
	tctx_lookup(t, DEV_SOLO, &t->solo, &t->g_solo);
	tctx_lookup(t, DEV_SOLO2, &t->solo2, &t->g_solo2);
	tctx_lookup(t, DEV_PAIR0, &t->pair0, &t->g_pair);
	tctx_lookup(t, DEV_PAIR1, &t->pair1, NULL);
	tctx_lookup(t, DEV_AUX, &t->aux, &t->g_aux);
	ret = iommu_set_ctx_fault_handler(t->ctx, fault_log_ctx_fn,
					  &t->ctx_faults);
	cr_assert_eq(ret, 0, "iommu_set_ctx_fault_handler: %d", ret);
	return t;
}

bool msi_window(struct tctx *t, uint32_t dev, uint64_t *start, uint64_t *last)
{
	struct iommu_resv_region r[16];
	size_t n = 0, i, sw = SIZE_MAX;
	int ret = iommu_get_resv_regions(t->ctx, dev, r, 16, &n);

	cr_assert_eq(ret, 0, "iommu_get_resv_regions(%#x): %d", dev, ret);
	for (i = 0; i < n && i < 16; i++) {
		if (r[i].type == IOMMU_RESV_MSI) {
			*start = r[i].start;
			*last = r[i].last;
			return true;
		}
		if (r[i].type == IOMMU_RESV_SW_MSI && sw == SIZE_MAX)
			sw = i;
	}
	cr_assert_neq(sw, SIZE_MAX, "dev %#x: no MSI window among %zu regions",
		      dev, n);
	*start = r[sw].start;
	*last = r[sw].last;
	return false;
}

bool phys_is_ram(struct tctx *t, uint64_t pa, size_t len)
{
	uint8_t buf[64];

	while (len) {
		size_t n = len < sizeof(buf) ? len : sizeof(buf);

		if (iommu_mem_read(t->ctx, pa, buf, n))
			return false;
		pa += n;
		len -= n;
	}
	return true;
}

bool pasid_attach_supported(struct tctx *t)
{
	struct iommu_domain *d = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	int ret = iommu_attach_device_pasid(d, t->aux, 1);

	cr_assert(ret == 0 || ret == -EOPNOTSUPP,
		  "iommu_attach_device_pasid(PASID 1 of %s): %d, expected 0 "
		  "or -EOPNOTSUPP",
		  DEV_AUX, ret);
	if (!ret)
		cr_assert_eq(iommu_detach_device_pasid(d, t->aux, 1), 0);
	cr_assert_eq(iommu_domain_free(d), 0);
	return ret == 0;
}

struct iommu_domain *dom_mapped(struct tctx *t, uint64_t iova, uint64_t pa,
				uint64_t size)
{
	struct iommu_domain *d = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	int ret = iommu_map(d, iova, pa, size, IOMMU_READ | IOMMU_WRITE);

	cr_assert_eq(ret, 0, "iommu_map(%#llx -> %#llx, %#llx): %d",
		     (unsigned long long)iova, (unsigned long long)pa,
		     (unsigned long long)size, ret);
	return d;
}

size_t dom_attachments(struct iommu_domain *d, struct iommu_attachment *out,
		       size_t max)
{
	size_t n = 0;
	int ret = iommu_domain_devices(d, out, max, &n);

	cr_assert_eq(ret, 0, "iommu_domain_devices: %d", ret);
	cr_assert_leq(n, max, "%zu attachments, at most %zu expected", n, max);
	return n;
}
