// SPDX-License-Identifier: MIT
/*
 * scenario.c - the fixed scenario of the allocation-failure sweep.
 *
 * A context on the INI (text or file), a tracer on every event class,
 * the group's reserved regions, the stats, a paging domain for PASID use,
 * a DMA-API mapping on the default domain, a DMA and an UNMANAGED domain,
 * attach, maps of 4 KiB, 64 KiB, 2 MiB and a read-only page, translation,
 * DMA reads and writes, faulting DMA (with a domain fault handler), the
 * dumps (domain as text and dot, topology, model), unmap and unmap_fast +
 * iotlb_sync, a whole leaf table unmapped (its pages on the gather's free
 * list), flush_iotlb_all, a group replace onto the DMA domain and the DMA
 * API there, aux and PASID attach where the backend has them, a DMA-owner
 * claim and release, a two-device group attach, a device added and
 * removed at run time, and every domain freed.  The scenario ends with
 * iommu_ctx_destroy().
 *
 * Every public call goes through STEP(), which checks that it returned 0
 * or a negative errno and, when no allocation failed during the call,
 * that it returned what the clean run did: a failure earlier on must
 * leave everything it did not take down working.  A call whose
 * precondition failed (its domain could not be allocated, say) is
 * skipped.  After a call that failed, the state is checked to be the old
 * one (all or nothing: the software lookup, the device's domain and what
 * a DMA translates to); a cleanup call that failed is tried once more.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <iommu/iommu.h>

#include "alloc.h"
#include "failnth.h"

/* Physical buffers (below the table range) and IOVAs of the domain u. */
#define PA_A	  0x00100000ull /* accel's DMA-API buffer, 8K */
#define PA_B	  0x00200000ull /* u: 4K */
#define PA_C	  0x00300000ull /* u: 64K */
#define PA_D	  0x00400000ull /* u: 2M */
#define PA_E	  0x00800000ull /* u: read-only 4K */
#define PA_F	  0x00900000ull /* aux domain: 4K */
#define PA_G	  0x00a00000ull /* DMA domain dd: 8K */
#define PA_H	  0x00b00000ull /* the group's and the hot device's DMA API */
#define IOVA_4K	  0x10000ull
#define IOVA_64K  0x20000ull
#define IOVA_2M	  0x200000ull
#define IOVA_RO	  0x400000ull
#define IOVA_HOLE 0x800000ull
#define IOVA_RUN  0x600000ull	/* 2M of 4K pages: one whole leaf table */
#define PA_RUN	  0x01001000ull /* not 2M-aligned: 4K pages only */
#define IOVA_AUX  0x1000ull
#define VMM_PASID 5u

struct run {
	struct alloc_base *base;
	bool record;
	bool after; /* every allocation after the first failed one fails */
	struct alloc_result *res;
	struct iommu_ctx *ctx;
	unsigned int faults;	/* seen by u's handler */
	FILE *dump;		/* where the dumps go (unbuffered) */
	struct iommu_domain *u; /* the UNMANAGED domain, and ... */
	uint32_t u_dev;		/* ... the device on it, or NO_DEV */
	unsigned long events;	/* trace events seen */
	uint8_t buf[0x2000], chk[0x2000];
};

static void fail(struct run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fail(struct run *r, const char *fmt, ...)
{
	va_list ap;

	if (r->res->bad)
		return; /* the first failure is the one that matters */
	r->res->bad = true;
	va_start(ap, fmt);
	vsnprintf(r->res->msg, sizeof(r->res->msg), fmt, ap);
	va_end(ap);
}

/*
 * Check one call's result.  @inj: failures injected before the call.
 */
static int step(struct run *r, enum step id, const char *what, int rc,
		unsigned long inj)
{
	bool injected = fnth_injected() != inj;

	if (rc > 0 || rc < -4095) {
		fail(r, "%s returned %d (not 0 or a negative errno)", what, rc);
		return rc;
	}
	if (id == S_STATE)
		return rc; /* a check or a retry: nothing to compare */
	if (r->record) {
		r->base->rc[id] = rc;
		r->base->seen[id] = true;
		snprintf(r->base->name[id], sizeof(r->base->name[id]), "%.*s",
			 (int)strcspn(what, "("), what);
		if (id == S_FAULT_UNMAPPED || id == S_FAULT_RO ||
		    id == S_FAULT_AFTER_UNMAP || id == S_BLOCKED_DMA) {
			if (rc != -EFAULT)
				fail(r, "%s: %d in the clean run, not -EFAULT",
				     what, rc);
		} else if (rc && id != S_FEAT_AUX && id != S_AUX_ATTACH &&
			   id != S_PASID_ATTACH && id != S_ALLOC_PAGING) {
			fail(r, "%s failed in the clean run: %d", what, rc);
		}
		return rc;
	}
	if (injected) {
		if (rc < 0 && (!r->base->seen[id] || rc != r->base->rc[id]))
			r->res->step_failed[id] = true;
		if (rc < 0 && -rc < ALLOC_ERRNO_MAX)
			r->res->errno_hits[-rc]++;
		else if (!rc && id >= S_DUMP_DOMAIN && id <= S_DUMP_MODEL)
			fail(r,
			     "%s returned 0 though an allocation in it failed "
			     "(all of the picture or an error)",
			     what);
		else if (!rc && !r->res->absorbed++)
			snprintf(r->res->absorbed_what,
				 sizeof(r->res->absorbed_what), "%s", what);
		return rc;
	}
	/* With every allocation failing after the first failed one, the
	 * state drifts from the clean run's (a detach failed, so a free
	 * is -EBUSY): only the checks of each call's own effect hold. */
	if (r->after && fnth_injected())
		return rc;
	if (r->base->seen[id] && rc != r->base->rc[id])
		fail(r,
		     "%s returned %d with no allocation failing in it; the "
		     "clean run returned %d",
		     what, rc, r->base->rc[id]);
	return rc;
}

/* Call and check; evaluates to the call's return value. */
#define STEP(r, id, call)                                                      \
	({                                                                     \
		unsigned long inj_ = fnth_injected();                          \
		step((r), (id), #call, (call), inj_);                          \
	})

/* A check of the state (id S_STATE: never compared with the clean run). */
#define CHECK(r, cond, ...)                                                    \
	do {                                                                   \
		if (!(cond))                                                   \
			fail((r), __VA_ARGS__);                                \
	} while (0)

static void log_sink(void *cookie, enum iommu_log_level level, const char *msg)
{
	(void)cookie;
	(void)level;
	(void)msg;
}

static int fault_fn(struct iommu_domain *d, const struct iommu_fault *f,
		    void *cookie)
{
	struct run *r = cookie;

	(void)d;
	(void)f;
	r->faults++;
	return 0;
}

static int ctx_fault_fn(struct iommu_ctx *ctx, const struct iommu_fault *f,
			void *cookie)
{
	(void)ctx;
	(void)f;
	(void)cookie;
	return 0;
}

static void trace_fn(void *cookie, const struct iommu_trace_event *ev)
{
	(void)ev;
	++*(unsigned long *)cookie;
}

static void fill(struct run *r, uint8_t seed)
{
	for (size_t i = 0; i < sizeof(r->buf); i++)
		r->buf[i] = (uint8_t)(seed + i * 7);
}

/* @pa holds r->buf's first @len bytes. */
static void check_mem(struct run *r, uint64_t pa, size_t len, const char *what)
{
	int rc = STEP(r, S_STATE, iommu_mem_read(r->ctx, pa, r->chk, len));

	CHECK(r, !rc && !memcmp(r->buf, r->chk, len),
	      "%s: memory at 0x%llx does not hold what the DMA wrote", what,
	      (unsigned long long)pa);
}

/*
 * A cleanup call failed twice: with one failing allocation the second try
 * must work; with every later one failing it may fail again.
 */
static void retried(struct run *r, int rc, const char *what)
{
	CHECK(r, !rc || r->after, "%s failed twice: %d", what, rc);
}

/* After a failed map: nothing of [iova, iova + size) is mapped. */
static void check_unmapped(struct run *r, struct iommu_domain *d, uint64_t iova,
			   uint64_t size, const char *what)
{
	uint64_t pa;

	for (uint64_t off = 0; off < size; off += 0x1000) {
		int rc = iommu_iova_to_phys(d, iova + off, &pa);

		if (rc != -ENOENT) {
			fail(r, "%s failed but left 0x%llx %s (%d)", what,
			     (unsigned long long)(iova + off),
			     rc ? "in a bad state" : "mapped", rc);
			return;
		}
	}
}

/* The device's primary domain is @want. */
static void check_domain(struct run *r, uint32_t dev, struct iommu_domain *want,
			 const char *what)
{
	struct iommu_domain *cur = NULL;
	int rc = iommu_get_domain_for_dev(r->ctx, dev, &cur);

	CHECK(r, !rc && cur == want, "%s: device 0x%x is on %p (%d), not on %p",
	      what, dev, (void *)cur, rc, (void *)want);
}

/* Map on u, with the all-or-nothing check after a failure. */
#define NO_DEV UINT32_MAX

/*
 * What a device on @u sees at @iova: the hardware's view, next to the
 * software lookup.  -EFAULT, or 0 with the address in @pa.
 */
static int dma_view(struct run *r, struct iommu_domain *u, uint64_t iova,
		    uint64_t *pa)
{
	struct iommu_translation t = {0};
	int rc;

	if (u != r->u || r->u_dev == NO_DEV)
		return -ENODEV;
	rc = iommu_dma_translate(r->ctx, r->u_dev, IOMMU_NO_PASID, iova, 0x1000,
				 IOMMU_ACCESS_READ, &t);
	*pa = t.phys;
	return rc;
}

static bool map_u(struct run *r, enum step id, struct iommu_domain *u,
		  uint64_t iova, uint64_t pa, uint64_t size, unsigned int prot)
{
	int rc = STEP(r, id, iommu_map(u, iova, pa, size, prot));
	uint64_t got, last = iova + size - 0x1000;

	if (rc) {
		check_unmapped(r, u, iova, size, "iommu_map");
		/* Nor does the hardware translate any of it. */
		rc = dma_view(r, u, iova, &got);
		CHECK(r, rc == -EFAULT || rc == -ENODEV,
		      "failed iommu_map: DMA at 0x%llx gives %d (0x%llx)",
		      (unsigned long long)iova, rc, (unsigned long long)got);
		rc = dma_view(r, u, last, &got);
		CHECK(r, rc == -EFAULT || rc == -ENODEV,
		      "failed iommu_map: DMA at 0x%llx gives %d (0x%llx)",
		      (unsigned long long)last, rc, (unsigned long long)got);
		return false;
	}
	rc = iommu_iova_to_phys(u, last, &got);
	CHECK(r, !rc && got == pa + size - 0x1000,
	      "iommu_map: last page of 0x%llx maps to 0x%llx (%d)",
	      (unsigned long long)iova, (unsigned long long)got, rc);
	rc = dma_view(r, u, last, &got);
	CHECK(r, rc == -ENODEV || (!rc && got == pa + size - 0x1000),
	      "iommu_map: DMA at 0x%llx gives %d (0x%llx)",
	      (unsigned long long)last, rc, (unsigned long long)got);
	return true;
}

/* Unmap [iova, iova + size) of @d, trying once more after a failure. */
static void unmap_all(struct run *r, enum step id, struct iommu_domain *d,
		      uint64_t iova, uint64_t size)
{
	uint64_t done = 0;
	int rc = STEP(r, id, iommu_unmap(d, iova, size, &done));

	if (!rc && done == size)
		return;
	CHECK(r, rc, "iommu_unmap of 0x%llx: %llu of %llu bytes",
	      (unsigned long long)iova, (unsigned long long)done,
	      (unsigned long long)size);
	if (done < size)
		rc = STEP(r, S_STATE,
			  iommu_unmap(d, iova + done, size - done, NULL));
	retried(r, rc, "iommu_unmap");
}

/* Undo a DMA-API mapping, once more after a failure. */
static void dma_unmap(struct run *r, enum step id, uint32_t dev, uint64_t iova,
		      uint64_t size)
{
	if (STEP(r, id, iommu_dma_unmap(r->ctx, dev, iova, size)))
		retried(
		    r,
		    STEP(r, S_STATE, iommu_dma_unmap(r->ctx, dev, iova, size)),
		    "iommu_dma_unmap");
}

/* Detach, once more after a failure, and check where the device went. */
static void detach_dev(struct run *r, enum step id, struct iommu_domain *d,
		       uint32_t dev, struct iommu_domain *to)
{
	int rc = STEP(r, id, iommu_detach_device(d, dev));

	if (rc) {
		check_domain(r, dev, d, "failed detach");
		rc = STEP(r, S_STATE, iommu_detach_device(d, dev));
		retried(r, rc, "iommu_detach_device");
	}
	check_domain(r, dev, rc ? d : to, "detach");
}

struct ids {
	uint32_t accel, nic, untr, gpu, ggpu, gnic, guntr;
	struct iommu_domain *def_nic, *def_untr, *blocked;
};

/* The UNMANAGED domain u on nic: maps, DMA, faults, unmaps, replace. */
static void play_unmanaged(struct run *r, struct ids *x, struct iommu_domain *u,
			   struct iommu_domain *dd, bool *m2m, bool *mro)
{
	struct iommu_ctx *ctx = r->ctx;
	struct iommu_translation t;
	struct iommu_iotlb_gather g;
	bool m4k, m64k, on_u;
	uint64_t iova, done = 0;
	int rc;

	rc = STEP(r, S_ATTACH_U, iommu_attach_device(u, x->nic));
	on_u = !rc;
	check_domain(r, x->nic, on_u ? u : x->def_nic, "attach");
	r->u = u;
	r->u_dev = on_u ? x->nic : NO_DEV;

	m4k = map_u(r, S_MAP_4K, u, IOVA_4K, PA_B, 0x1000,
		    IOMMU_READ | IOMMU_WRITE);
	m64k = map_u(r, S_MAP_64K, u, IOVA_64K, PA_C, 0x10000,
		     IOMMU_READ | IOMMU_WRITE);
	*m2m = map_u(r, S_MAP_2M, u, IOVA_2M, PA_D, 0x200000,
		     IOMMU_READ | IOMMU_WRITE);
	*mro = map_u(r, S_MAP_RO, u, IOVA_RO, PA_E, 0x1000, IOMMU_READ);

	if (on_u && m64k) {
		rc = STEP(r, S_TRANSLATE,
			  iommu_dma_translate(ctx, x->nic, IOMMU_NO_PASID,
					      IOVA_64K + 0x1234, 0x100,
					      IOMMU_ACCESS_READ, &t));
		CHECK(r, rc || t.phys == PA_C + 0x1234, "translate gave 0x%llx",
		      (unsigned long long)t.phys);
		/* 8K from the middle of a page: crosses into the next. */
		fill(r, 0x11);
		rc = STEP(r, S_DMA_WRITE_U,
			  iommu_dma_write(ctx, x->nic, IOMMU_NO_PASID,
					  IOVA_64K + 0x800, r->buf, 0x2000));
		if (!rc)
			check_mem(r, PA_C + 0x800, 0x2000, "DMA write via u");
		rc = STEP(r, S_DMA_READ_U,
			  iommu_dma_read(ctx, x->nic, IOMMU_NO_PASID,
					 IOVA_64K + 0x800, r->chk, 0x2000));
		CHECK(r, rc || !memcmp(r->buf, r->chk, 0x2000),
		      "DMA read via u gave other bytes");
	} else if (!on_u && m64k) {
		/* Not attached: nic's default domain has nothing there. */
		STEP(r, S_STATE,
		     iommu_dma_translate(ctx, x->nic, IOMMU_NO_PASID, IOVA_64K,
					 0x100, IOMMU_ACCESS_READ, &t));
	}
	if (on_u) {
		unsigned int before = r->faults;
		unsigned long inj = fnth_injected();

		rc = STEP(r, S_FAULT_UNMAPPED,
			  iommu_dma_read(ctx, x->nic, IOMMU_NO_PASID, IOVA_HOLE,
					 r->chk, 64));
		CHECK(r, rc == -EFAULT, "DMA to a hole gave %d", rc);
		/* Whatever failed before, the fault still reaches u's
		 * handler, once, before the DMA call returns. */
		if (fnth_injected() == inj)
			CHECK(r, r->faults == before + 1,
			      "the fault handler ran %u times",
			      r->faults - before);
		if (*mro)
			STEP(r, S_FAULT_RO,
			     iommu_dma_write(ctx, x->nic, IOMMU_NO_PASID,
					     IOVA_RO, r->buf, 64));
	}
	if (m4k)
		unmap_all(r, S_UNMAP_4K, u, IOVA_4K, 0x1000);
	if (m64k) {
		iommu_iotlb_gather_init(&g);
		rc = STEP(r, S_UNMAP_FAST,
			  iommu_unmap_fast(u, IOVA_64K, 0x10000, &g, &done));
		int rs = STEP(r, S_IOTLB_SYNC, iommu_iotlb_sync(u, &g));
		if (rc || done != 0x10000)
			unmap_all(r, S_STATE, u, IOVA_64K + done,
				  0x10000 - done);
		if (on_u && !rc && !rs)
			STEP(r, S_FAULT_AFTER_UNMAP,
			     iommu_dma_translate(ctx, x->nic, IOMMU_NO_PASID,
						 IOVA_64K, 0x100,
						 IOMMU_ACCESS_READ, &t));
	}

	/* The pictures: rendered in memory (open_memstream), then written. */
	if (r->dump) {
		STEP(r, S_DUMP_DOMAIN,
		     iommu_dump_domain(u, IOMMU_DUMP_TEXT, r->dump));
		STEP(r, S_DUMP_DOT,
		     iommu_dump_domain(u, IOMMU_DUMP_DOT, r->dump));
		STEP(r, S_DUMP_TOPO,
		     iommu_dump_topology(ctx, IOMMU_DUMP_DOT, r->dump));
		STEP(r, S_DUMP_MODEL,
		     iommu_dump_model(ctx, IOMMU_DUMP_TEXT, r->dump));
	}

	/* A whole leaf table unmapped: the gather holds the table until
	 * the sync has invalidated it, then frees it. */
	if (map_u(r, S_MAP_RUN, u, IOVA_RUN, PA_RUN, 0x200000,
		  IOMMU_READ | IOMMU_WRITE)) {
		iommu_iotlb_gather_init(&g);
		done = 0;
		rc = STEP(r, S_UNMAP_RUN,
			  iommu_unmap_fast(u, IOVA_RUN, 0x200000, &g, &done));
		STEP(r, S_SYNC_RUN, iommu_iotlb_sync(u, &g));
		if (rc || done != 0x200000)
			unmap_all(r, S_STATE, u, IOVA_RUN + done,
				  0x200000 - done);
	}
	STEP(r, S_FLUSH_ALL, iommu_flush_iotlb_all(u));

	/* Move nic from u to the DMA domain, with no window. */
	r->u_dev = NO_DEV;
	if (on_u && dd) {
		rc = STEP(r, S_REPLACE,
			  iommu_group_replace_domain(ctx, x->gnic, dd));
		check_domain(r, x->nic, rc ? u : dd, "replace");
		if (rc && *m2m) {
			/* Still on u, fully working. */
			rc = STEP(r, S_STATE,
				  iommu_dma_translate(
				      ctx, x->nic, IOMMU_NO_PASID, IOVA_2M,
				      0x100, IOMMU_ACCESS_READ, &t));
			CHECK(r, !rc && t.phys == PA_D,
			      "after a failed replace, u translates to 0x%llx "
			      "(%d)",
			      (unsigned long long)t.phys, rc);
			detach_dev(r, S_STATE, u, x->nic, x->def_nic);
		} else if (rc) {
			detach_dev(r, S_STATE, u, x->nic, x->def_nic);
		} else {
			fill(r, 0x22);
			STEP(r, S_STATE,
			     iommu_mem_write(ctx, PA_G, r->buf, 0x2000));
			rc = STEP(r, S_DMA_MAP_DD,
				  iommu_dma_map(ctx, x->nic, PA_G, 0x2000,
						IOMMU_READ | IOMMU_WRITE,
						&iova));
			if (!rc) {
				rc = STEP(r, S_DMA_READ_DD,
					  iommu_dma_read(ctx, x->nic,
							 IOMMU_NO_PASID, iova,
							 r->chk, 0x2000));
				CHECK(r, rc || !memcmp(r->buf, r->chk, 0x2000),
				      "DMA read via the DMA domain gave other "
				      "bytes");
				dma_unmap(r, S_DMA_UNMAP_DD, x->nic, iova,
					  0x2000);
			}
			detach_dev(r, S_DETACH_NIC, dd, x->nic, x->def_nic);
		}
	} else if (on_u) {
		detach_dev(r, S_STATE, u, x->nic, x->def_nic);
	}
}

/* Aux domain and the VMM's PASID on accel. */
static void play_pasid(struct run *r, struct ids *x, struct iommu_domain *u,
		       bool m2m)
{
	struct iommu_ctx *ctx = r->ctx;
	struct iommu_domain *ua = NULL;
	uint32_t pasid = 0;
	int rc, feat;

	feat =
	    STEP(r, S_FEAT_AUX,
		 iommu_dev_enable_feature(ctx, x->accel, IOMMU_DEV_FEAT_AUX));
	rc = STEP(r, S_ALLOC_AUX,
		  iommu_domain_alloc(ctx, IOMMU_DOMAIN_UNMANAGED, &ua));
	CHECK(r, !rc || !ua, "failed domain alloc set the handle");
	if (!rc) {
		bool mapped = map_u(r, S_MAP_AUX, ua, IOVA_AUX, PA_F, 0x1000,
				    IOMMU_READ | IOMMU_WRITE);

		if (!feat) {
			rc = STEP(r, S_AUX_ATTACH,
				  iommu_aux_attach_device(ua, x->accel));
			if (rc && rc != -EOPNOTSUPP && !r->record) {
				int p =
				    iommu_aux_get_pasid(ua, x->accel, &pasid);
				CHECK(r, p == -ENOENT,
				      "failed aux attach left a PASID (%d)", p);
			}
			if (!rc) {
				STEP(r, S_AUX_PASID,
				     iommu_aux_get_pasid(ua, x->accel, &pasid));
				if (mapped)
					STEP(r, S_AUX_DMA,
					     iommu_dma_read(ctx, x->accel,
							    pasid, IOVA_AUX,
							    r->chk, 64));
				if (STEP(r, S_AUX_DETACH,
					 iommu_aux_detach_device(ua, x->accel)))
					retried(r,
						STEP(r, S_STATE,
						     iommu_aux_detach_device(
							 ua, x->accel)),
						"iommu_aux_detach_device");
			}
		}
		if (mapped)
			unmap_all(r, S_STATE, ua, IOVA_AUX, 0x1000);
		STEP(r, S_FREE_AUX, iommu_domain_free(ua));
	}
	if (!u)
		return;
	/* The VMM's own PASID: u, whose 2M mapping is left, at PASID 5. */
	rc = STEP(r, S_PASID_ATTACH,
		  iommu_attach_device_pasid(u, x->accel, VMM_PASID));
	if (rc && m2m && !r->record) {
		/* Nothing answers on that PASID. */
		int d = iommu_dma_read(ctx, x->accel, VMM_PASID, IOVA_2M,
				       r->chk, 64);

		CHECK(r, d == -EFAULT,
		      "after a failed PASID attach, DMA with the PASID gave %d",
		      d);
	}
	if (!rc) {
		if (m2m)
			STEP(r, S_PASID_DMA,
			     iommu_dma_read(ctx, x->accel, VMM_PASID, IOVA_2M,
					    r->chk, 64));
		if (STEP(r, S_PASID_DETACH,
			 iommu_detach_device_pasid(u, x->accel, VMM_PASID)))
			retried(r,
				STEP(r, S_STATE,
				     iommu_detach_device_pasid(u, x->accel,
							       VMM_PASID)),
				"iommu_detach_device_pasid");
	}
}

/* Claim untrusted's group, DMA through u while owned, release. */
static void play_owner(struct run *r, struct ids *x, struct iommu_domain *u,
		       bool m2m)
{
	struct iommu_ctx *ctx = r->ctx;
	struct iommu_domain *before = NULL;
	static int owner;
	int rc;

	rc = STEP(r, S_CLAIM,
		  iommu_group_claim_dma_owner(ctx, x->guntr, &owner));
	if (rc) {
		CHECK(r, !iommu_group_dma_owner_claimed(ctx, x->guntr),
		      "failed claim left the group claimed");
		check_domain(r, x->untr, x->def_untr, "failed claim");
		return;
	}
	check_domain(r, x->untr, x->blocked, "claim");
	rc = STEP(
	    r, S_BLOCKED_DMA,
	    iommu_dma_read(ctx, x->untr, IOMMU_NO_PASID, IOVA_2M, r->chk, 64));
	if (u) {
		rc = STEP(r, S_ATTACH_UNTR, iommu_attach_device(u, x->untr));
		check_domain(r, x->untr, rc ? x->blocked : u, "attach (owned)");
		if (!rc) {
			if (m2m)
				STEP(r, S_DMA_UNTR,
				     iommu_dma_read(ctx, x->untr,
						    IOMMU_NO_PASID, IOVA_2M,
						    r->chk, 64));
			detach_dev(r, S_DETACH_UNTR, u, x->untr, x->blocked);
		}
	}
	iommu_get_domain_for_dev(ctx, x->untr, &before);
	rc = STEP(r, S_RELEASE,
		  iommu_group_release_dma_owner(ctx, x->guntr, &owner));
	if (rc) {
		CHECK(r, iommu_group_dma_owner_claimed(ctx, x->guntr),
		      "failed release left the group unclaimed");
		check_domain(r, x->untr, before, "failed release");
		rc = STEP(r, S_STATE,
			  iommu_group_release_dma_owner(ctx, x->guntr, &owner));
		retried(r, rc, "iommu_group_release_dma_owner");
	}
	check_domain(r, x->untr, rc ? before : x->def_untr, "release");
}

/* The DMA domain on the two-device group, then the DMA API there. */
static void play_group(struct run *r, struct ids *x, struct iommu_domain *dd)
{
	struct iommu_ctx *ctx = r->ctx;
	struct iommu_domain *def = NULL;
	uint64_t iova;
	int rc;

	if (iommu_get_domain_for_dev(ctx, x->gpu, &def))
		return;
	rc = STEP(r, S_ATTACH_GROUP, iommu_attach_group(dd, x->ggpu));
	check_domain(r, x->gpu, rc ? def : dd, "group attach");
	if (rc)
		return;
	rc = STEP(r, S_DMA_MAP_GPU,
		  iommu_dma_map(ctx, x->gpu, PA_H, 0x1000,
				IOMMU_READ | IOMMU_WRITE, &iova));
	if (!rc)
		dma_unmap(r, S_DMA_UNMAP_GPU, x->gpu, iova, 0x1000);
	rc = STEP(r, S_DETACH_GROUP, iommu_detach_group(dd, x->ggpu));
	if (rc) {
		check_domain(r, x->gpu, dd, "failed group detach");
		rc = STEP(r, S_STATE, iommu_detach_group(dd, x->ggpu));
		retried(r, rc, "iommu_detach_group");
	}
	check_domain(r, x->gpu, rc ? dd : def, "group detach");
}

/* A device added at run time, used through the DMA API and removed. */
static void play_hotplug(struct run *r, uint32_t id)
{
	struct iommu_ctx *ctx = r->ctx;
	struct iommu_dev_config cfg = {.id = id, .name = "hot"};
	uint32_t found;
	uint64_t iova;
	int rc;

	rc = STEP(r, S_DEV_ADD, iommu_dev_add(ctx, &cfg));
	if (rc) {
		CHECK(r, iommu_dev_lookup(ctx, "hot", &found) == -ENODEV,
		      "failed device add left the device");
		rc = iommu_dma_read(ctx, id, IOMMU_NO_PASID, 0, r->chk, 64);
		CHECK(r, rc == -ENODEV,
		      "failed device add: DMA from it gave %d", rc);
		return;
	}
	rc = STEP(r, S_DMA_MAP_HOT,
		  iommu_dma_map(ctx, id, PA_H, 0x1000, IOMMU_READ, &iova));
	if (!rc)
		dma_unmap(r, S_DMA_UNMAP_HOT, id, iova, 0x1000);
	rc = STEP(r, S_DEV_REMOVE, iommu_dev_remove(ctx, id));
	if (rc) {
		CHECK(r, !iommu_dev_lookup(ctx, "hot", &found),
		      "failed device remove lost the device");
		retried(r, STEP(r, S_STATE, iommu_dev_remove(ctx, id)),
			"iommu_dev_remove");
	}
}

void alloc_scenario(const char *ini, bool is_path, uint32_t hot_id, FILE *dump,
		    struct alloc_base *base, bool record, bool after,
		    struct alloc_result *res)
{
	static struct run run;
	struct run *r = &run;
	struct iommu_ctx_opts o = {
	    .size = sizeof(o),
	    .ini_string = is_path ? NULL : ini,
	    .ini_path = is_path ? ini : NULL,
	    .log = log_sink,
	    .log_level = IOMMU_LOG_ERR,
	};
	struct iommu_domain *dd = NULL, *u = NULL;
	struct ids x = {0};
	uint64_t iova_a = 0;
	bool dma_a = false, m2m = false, mro = false;
	int rc;

	memset(r, 0, sizeof(*r));
	r->base = base;
	r->record = record;
	r->after = after;
	r->dump = dump;
	r->res = res;

	rc = STEP(r, S_CREATE, iommu_ctx_create(&o, &r->ctx));
	if (rc) {
		CHECK(r, !r->ctx, "failed create set the context");
		return;
	}
	/* The configured devices are there whatever failed on the way. */
	if (STEP(r, S_LOOKUP_ACCEL,
		 iommu_dev_lookup(r->ctx, "accel", &x.accel)) ||
	    STEP(r, S_LOOKUP_NIC, iommu_dev_lookup(r->ctx, "nic", &x.nic)) ||
	    STEP(r, S_LOOKUP_UNTR,
		 iommu_dev_lookup(r->ctx, "untrusted", &x.untr)) ||
	    STEP(r, S_LOOKUP_GPU, iommu_dev_lookup(r->ctx, "gpu", &x.gpu)) ||
	    STEP(r, S_GROUP_NIC, iommu_dev_group(r->ctx, x.nic, &x.gnic)) ||
	    STEP(r, S_GROUP_UNTR, iommu_dev_group(r->ctx, x.untr, &x.guntr)) ||
	    STEP(r, S_GROUP_GPU, iommu_dev_group(r->ctx, x.gpu, &x.ggpu)) ||
	    STEP(r, S_DEF_NIC,
		 iommu_get_domain_for_dev(r->ctx, x.nic, &x.def_nic)) ||
	    STEP(r, S_DEF_UNTR,
		 iommu_get_domain_for_dev(r->ctx, x.untr, &x.def_untr)) ||
	    STEP(r, S_ALLOC_BLOCKED,
		 iommu_domain_alloc(r->ctx, IOMMU_DOMAIN_BLOCKED, &x.blocked)))
		goto out;
	STEP(r, S_CTX_FAULT_FN,
	     iommu_set_ctx_fault_handler(r->ctx, ctx_fault_fn, NULL));
	/* Every event class traced from here on (the tracer is allocated). */
	STEP(r, S_SET_TRACE,
	     iommu_set_trace(r->ctx, IOMMU_TRACE_ALL, trace_fn, &r->events));
	{
		struct iommu_resv_region rr[8];
		struct iommu_stats st = {.size = sizeof(st)};
		struct iommu_domain *p = NULL;
		size_t n;

		STEP(r, S_GROUP_RESV,
		     iommu_get_group_resv_regions(r->ctx, x.ggpu, rr, 8, &n));
		STEP(r, S_STATS, iommu_get_stats(r->ctx, &st));
		/* A paging domain sized for accel, for PASID use, unused. */
		if (!STEP(r, S_ALLOC_PAGING,
			  iommu_domain_alloc_paging(r->ctx, x.accel,
						    IOMMU_ALLOC_PASID, &p)))
			STEP(r, S_FREE_PAGING, iommu_domain_free(p));
		else
			CHECK(r, !p, "failed domain alloc set the handle");
	}

	/* The DMA API on accel's default domain, live until the end. */
	fill(r, 0x33);
	rc = STEP(r, S_DMA_MAP_A,
		  iommu_dma_map(r->ctx, x.accel, PA_A, 0x2000,
				IOMMU_READ | IOMMU_WRITE, &iova_a));
	dma_a = !rc;
	if (dma_a) {
		rc = STEP(r, S_DMA_WRITE_A,
			  iommu_dma_write(r->ctx, x.accel, IOMMU_NO_PASID,
					  iova_a, r->buf, 0x2000));
		if (!rc)
			check_mem(r, PA_A, 0x2000, "DMA-API write");
		rc = STEP(r, S_DMA_READ_A,
			  iommu_dma_read(r->ctx, x.accel, IOMMU_NO_PASID,
					 iova_a, r->chk, 0x2000));
		CHECK(r, rc || !memcmp(r->buf, r->chk, 0x2000),
		      "DMA-API read gave other bytes");
	}

	rc = STEP(r, S_ALLOC_DMA,
		  iommu_domain_alloc(r->ctx, IOMMU_DOMAIN_DMA, &dd));
	CHECK(r, !rc || !dd, "failed domain alloc set the handle");
	rc = STEP(r, S_ALLOC_UNM,
		  iommu_domain_alloc(r->ctx, IOMMU_DOMAIN_UNMANAGED, &u));
	CHECK(r, !rc || !u, "failed domain alloc set the handle");
	if (u) {
		STEP(r, S_FAULT_FN, iommu_set_fault_handler(u, fault_fn, r));
		play_unmanaged(r, &x, u, dd, &m2m, &mro);
	}
	play_pasid(r, &x, u, m2m);
	play_owner(r, &x, u, m2m);
	if (dd)
		play_group(r, &x, dd);
	play_hotplug(r, hot_id);

	if (u) {
		if (m2m)
			unmap_all(r, S_UNMAP_REST, u, IOVA_2M, 0x200000);
		if (mro)
			unmap_all(r, S_STATE, u, IOVA_RO, 0x1000);
	}
	if (dma_a)
		dma_unmap(r, S_DMA_UNMAP_A, x.accel, iova_a, 0x2000);
	if (u)
		STEP(r, S_FREE_UNM, iommu_domain_free(u));
	if (dd)
		STEP(r, S_FREE_DMA, iommu_domain_free(dd));
out:
	iommu_ctx_destroy(r->ctx);
	r->ctx = NULL;
}
