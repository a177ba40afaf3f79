// SPDX-License-Identifier: MIT
/*
 * dma.c - what emulated devices call: translation (through the
 * per-thread hint or the model), DMA reads and writes, and the delivery of
 * decoded faults to handlers.  The library's own DMA API (iommu_dma_map,
 * IOVA allocation on DMA domains) is in dma_api.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* ---- Fault delivery (rule 11) ----------------------------------------- */

/*
 * The domain the faulting request used: the one on the fault's PASID of
 * the device (aux or the VMM's), else the device's primary domain (also
 * for PASID 0, the requests-without-PASID stand-in of VT-d).  With
 * IOMMU_FAULT_F_REFINE, decide between NOT_MAPPED and PERMISSION from
 * that domain's own tables: the one place that refinement happens, for
 * every backend.
 */
static struct iommu_domain *fault_domain(struct iommu_ctx *ctx,
					 struct iommu_fault *f)
{
	struct iommu_domain *d = NULL;
	struct iommu__dev *dev;
	uint64_t phys;

	pthread_rwlock_rdlock(&ctx->topo_lock);
	dev = iommu__dev_find(ctx, f->dev_id);
	if (!dev)
		goto out;
	pthread_mutex_lock(&dev->group->lock);
	if (f->flags & IOMMU_FAULT_F_PASID_VALID && f->pasid &&
	    f->pasid != IOMMU_NO_PASID) {
		for (size_t i = 0; i < dev->nr_aux; i++)
			if (dev->aux[i].pasid == f->pasid)
				d = dev->aux[i].domain;
	} else {
		d = atomic_load(&dev->group->domain);
	}
	if (d && (f->flags & IOMMU_FAULT_F_REFINE) &&
	    f->reason == IOMMU_FAULT_NOT_MAPPED &&
	    (f->flags & IOMMU_FAULT_F_ADDR_VALID) && !d->is_static &&
	    !d->info.ops->iova_to_phys(d->priv, f->addr, &phys))
		f->reason = IOMMU_FAULT_PERMISSION;
	pthread_mutex_unlock(&dev->group->lock);
out:
	pthread_rwlock_unlock(&ctx->topo_lock);
	f->flags &= ~IOMMU_FAULT_F_REFINE;
	return d;
}

/*
 * Called by the driver, once per decoded fault, from its irq op.  The core
 * calls that op only when the thread holds none of its locks and is in
 * no other plugin call (irq.c, rule 13), so the topology and group locks
 * are taken like anywhere else: the handler a fault reaches does not
 * depend on what another call of this thread was doing when the hardware
 * raised.
 */
void iommu__report_fault(struct iommu_host *host,
			 const struct iommu_fault *fault)
{
	struct iommu_ctx *ctx = iommu__host_ctx(host);
	struct iommu_domain *d;
	struct iommu_fault f;

	if (!fault)
		return;
	iommu__stat(ctx, IOMMU_STAT_FAULTS_REPORTED, 1);
	f = *fault;
	fault = &f;
	d = fault_domain(ctx, &f);
	if (iommu__tracing(ctx, IOMMU_TRACE_FAULT)) {
		struct iommu_trace_event ev = {
			.cls = IOMMU_TRACE_FAULT,
			.type = IOMMU_TR_FAULT,
			.dev_id = f.dev_id,
			.pasid = f.pasid,
			.domain = d ? iommu__domain_handle(d) : NULL,
			.iova = f.addr,
			.fault = &f,
		};
		iommu__trace(ctx, &ev);
	}
	if (d) {
		iommu_domain_fault_fn fn = atomic_load(&d->fault_fn);
		if (fn) {
			/* The VMM knows the domain by its handle only. */
			fn(iommu__domain_handle(d), fault,
			   atomic_load(&d->fault_cookie));
			return;
		}
	}
	iommu_ctx_fault_fn cfn = atomic_load(&ctx->fault_fn);
	if (cfn) {
		cfn(ctx, fault, atomic_load(&ctx->fault_cookie));
		return;
	}
	iommu__log(ctx, IOMMU_LOG_INFO,
		   "fault: device 0x%x pasid %u addr 0x%llx access %u reason %d (vendor 0x%x)",
		   fault->dev_id, fault->pasid, (unsigned long long)fault->addr,
		   fault->access, fault->reason, fault->vendor_code);
}

int iommu_set_fault_handler(struct iommu_domain *handle,
			    iommu_domain_fault_fn fn, void *cookie)
{
	struct iommu_domain *d = iommu__domain_get(handle);

	if (!d)
		return -EINVAL;
	atomic_store(&d->fault_cookie, cookie);
	atomic_store(&d->fault_fn, fn);
	return 0;
}

/**
 * iommu__fault_lost_flush() - tell the VMM about faults the hardware dropped
 * @ctx: context
 *
 * The device model counts a dropped fault record with stat_add(), from
 * inside a translation or a register access, maybe holding its locks; the
 * core only adds it to lost_pending there.  The entry points that called
 * into the model call this once the model has returned, so the handler
 * runs where a fault handler would and may call into the library.  The
 * exchange hands each lost fault to exactly one call, whichever thread
 * gets there first.
 * Context: lock-free.
 */
void iommu__fault_lost_flush(struct iommu_ctx *ctx)
{
	iommu_fault_lost_fn fn;
	uint64_t n;

	if (!atomic_load_explicit(&ctx->lost_pending, memory_order_relaxed))
		return;
	fn = atomic_load(&ctx->lost_fn);
	if (!fn)
		return;
	n = atomic_exchange(&ctx->lost_pending, 0);
	if (n)
		fn(ctx, n, atomic_load(&ctx->lost_cookie));
}

int iommu_set_fault_lost_handler(struct iommu_ctx *ctx, iommu_fault_lost_fn fn,
				 void *cookie)
{
	if (!ctx)
		return -EINVAL;
	atomic_store(&ctx->lost_fn, NULL);
	atomic_store(&ctx->lost_cookie, cookie);
	/* A new handler counts from now on. */
	atomic_store(&ctx->lost_pending, 0);
	atomic_store(&ctx->lost_fn, fn);
	return 0;
}

/* ---- Translation ------------------------------------------------------ */

/*
 * The translation hint.  A translation the model returns with
 * IOMMU_HW_CACHED is one its hardware caches would keep until a register
 * write or doorbell changes its state; every such call into the model,
 * and every device added or removed, bumps the context's xlate_gen
 * (iommu__xlate_changed) before the call that made it returns.  So a
 * thread may keep such translations and serve repeats itself while the
 * generation it saw before asking the model still holds: a translation
 * is never served after the invalidation (or unmap) that removed it has
 * returned.  Per thread, direct-mapped by page: no lock, no shared write.
 */
#define HINT_SLOTS 64u

struct hint {
	uint64_t uid;   /* context; 0: empty */
	uint64_t gen;   /* xlate_gen read before the model was asked */
	uint64_t first; /* [first, last] -> first + delta */
	uint64_t last;
	uint64_t delta;
	uint8_t *host;  /* RAM behind first + delta, or NULL */
	/* Pairs a fill writes as one word each (hint_fill()). */
	union {
		struct {
			uint32_t dev_id;
			uint32_t pasid;
		};
		uint64_t id;
	};
	union {
		struct {
			uint32_t perm;
			/* @host was looked up (DMA reads and writes) */
			uint32_t host_known;
		};
		uint64_t flags;
	};
};

_Static_assert(sizeof(struct hint) == 64, "a hint is one cache line");

static _Thread_local struct hint hints[HINT_SLOTS];
_Thread_local unsigned int iommu__shard_off;
/* Shard numbers free to take: bit i for number i (< IOMMU__SHARDS). */
static _Atomic uint64_t shard_free = UINT64_MAX;
_Static_assert(IOMMU__SHARDS == 64, "shard_free has a bit per shard");
/* Gives a thread's number back when it exits (pthread key destructor). */
static pthread_key_t shard_key;
static pthread_once_t shard_once = PTHREAD_ONCE_INIT;
static bool shard_key_ok;
static _Atomic uint64_t uid_next = 1;

uint64_t iommu__ctx_uid(void)
{
	return atomic_fetch_add(&uid_next, 1);
}

static void shard_release(void *v)
{
	unsigned int t = (unsigned int)(uintptr_t)v - 1;

	/* Release: this thread's last plain stores to the shard happen
	 * before the next owner's first (it takes the bit with acquire). */
	if (t < IOMMU__SHARDS)
		atomic_fetch_or_explicit(&shard_free, UINT64_C(1) << t,
					 memory_order_release);
	iommu__shard_off = 0;
}

static void shard_key_init(void)
{
	shard_key_ok = !pthread_key_create(&shard_key, shard_release);
}

/* The key's destructor is this library's code: delete the key before an
 * unload, or a thread exiting later would call into unmapped text. */
__attribute__((destructor)) static void shard_key_fini(void)
{
	if (shard_key_ok)
		pthread_key_delete(shard_key);
	shard_key_ok = false;
}

/*
 * iommu__shard_first() - the calling thread's first count: give it the
 * lowest free shard number, for as long as it lives (a VMM that starts
 * and ends worker threads all day keeps reusing the same few shards), or
 * the shared shard IOMMU__SHARDS when IOMMU__SHARDS threads that counted
 * are alive at once.
 * Return: sizeof(struct iommu__shard) times the number plus one (the new
 * iommu__shard_off).
 */
unsigned int iommu__shard_first(void)
{
	uint64_t f;
	unsigned int t;

	pthread_once(&shard_once, shard_key_init);
	f = atomic_load_explicit(&shard_free, memory_order_relaxed);
	do {
		if (!f || !shard_key_ok) {
			/* None free, or no way to give one back. */
			t = IOMMU__SHARDS;
			break;
		}
		t = (unsigned int)__builtin_ctzll(f);
	} while (!atomic_compare_exchange_weak_explicit(
	    &shard_free, &f, f & ~(UINT64_C(1) << t), memory_order_acquire,
	    memory_order_relaxed));
	if (t < IOMMU__SHARDS &&
	    pthread_setspecific(shard_key, (void *)(uintptr_t)(t + 1))) {
		/* Could not arrange the return: give it back now. */
		atomic_fetch_or_explicit(&shard_free, UINT64_C(1) << t,
					 memory_order_release);
		t = IOMMU__SHARDS;
	}
	iommu__shard_off = (t + 1) * (unsigned int)sizeof(struct iommu__shard);
	return iommu__shard_off;
}

/* Count a translation: @which 0 by the model, 1 by the hint. */
static inline void count_xlate(struct iommu_ctx *ctx, unsigned int which)
{
	unsigned int off = iommu__shard_mine();

	iommu__shard_add(&iommu__shard_at(ctx, off)->xl[which], off, 1);
}

/*
 * The counters of this thread's shard @sh, at @off, for a model to add to
 * itself (struct iommu_dma_req.stats): only a shard this thread owns,
 * where a load and a store add; NULL for the shared one.
 */
static inline uint64_t *shard_own(struct iommu__shard *sh, unsigned int off)
{
	_Static_assert(sizeof(_Atomic uint64_t) == sizeof(uint64_t) &&
			       _Alignof(_Atomic uint64_t) ==
				       _Alignof(uint64_t),
		       "a model adds to the shard with __atomic builtins");
	return iommu__shard_owned(off) ? (uint64_t *)sh->v : NULL;
}

/* struct iommu_dma_req.thread of the shard @sh: 1 + its number for one
 * this thread owns, 0 for the shared one (one load: the shard keeps
 * it). */
static inline unsigned int shard_thread(const struct iommu__shard *sh)
{
	_Static_assert(IOMMU__SHARDS == IOMMU_HW_THREADS,
		       "a thread's number is its shard's");
	return sh->thread;
}

static inline struct hint *hint_slot(uint32_t dev_id, uint64_t iova)
{
	return &hints[((iova >> 12) ^ dev_id) & (HINT_SLOTS - 1)];
}

/* The word hint.id of @dev_id and @pasid (as the struct lays them out). */
static inline uint64_t hint_id(uint32_t dev_id, uint32_t pasid)
{
	const struct hint h = { .dev_id = dev_id, .pasid = pasid };

	return h.id;
}

/*
 * hint_fill() - make @h the hint of @out, the model's IOMMU_HW_CACHED
 * answer for [@iova, +out->len) of the device and PASID @id, at @gen;
 * one store per word (@h->host is the caller's when @host_known)
 */
static inline __attribute__((always_inline)) void
hint_fill(struct hint *h, uint64_t uid, uint64_t gen, uint64_t id,
	  uint64_t iova, const struct iommu_translation *out, bool host_known)
{
	h->uid = uid;
	h->gen = gen;
	h->first = iova;
	h->last = iova + (out->len - 1);
	h->delta = out->phys - iova;
	h->id = id;
	h->flags = (uint64_t)out->perm | (uint64_t)host_known << 32;
}

/*
 * hint_match() - does this thread's hint for @iova answer a copy of
 * [@iova, +@len): one that starts inside it (the copy continues from the
 * next page's hint)?  A translation needs the request wholly inside
 * (iommu_dma_translate(): the model would answer it in full, with the
 * same address and rights, and a caller may rely on the length being the
 * whole contiguous run).
 * Return: the hint, or NULL.
 */
static inline __attribute__((always_inline)) struct hint *
hint_match(struct iommu_ctx *ctx, uint32_t dev_id, uint32_t pasid,
	   uint64_t iova, uint64_t len, unsigned int need)
{
	struct hint *h = hint_slot(dev_id, iova);

	/* A zero length or a wrap never matches. */
	if (h->uid != ctx->uid || h->dev_id != dev_id || h->pasid != pasid ||
	    iova < h->first || iova > h->last || !len ||
	    iova + (len - 1) < iova || !(h->perm & need) ||
	    h->gen != atomic_load_explicit(&ctx->xlate_gen,
					   memory_order_acquire))
		return NULL;
	return h;
}

/* The part of a copy the hint covers, and the RAM behind it in @host. */
static inline bool hint_get_copy(struct iommu_ctx *ctx, uint32_t dev_id,
				 uint32_t pasid, uint64_t iova, uint64_t len,
				 unsigned int need,
				 struct iommu_translation *out, uint8_t **host)
{
	struct hint *h = hint_match(ctx, dev_id, pasid, iova, len, need);

	if (!h)
		return false;
	out->phys = iova + h->delta;
	out->len = len - 1 > h->last - iova ? h->last - iova + 1 : len;
	out->perm = h->perm;
	if (!h->host_known) {
		/* First copy through this hint: find its RAM once. */
		h->host = iommu__mem_ptr(&ctx->mem, h->first + h->delta,
					 h->last - h->first + 1);
		h->host_known = true;
	}
	*host = h->host ? h->host + (iova - h->first) : NULL;
	return true;
}

/*
 * translate() - one request through the model, after this thread's hint
 * missed (both callers look there first; nothing else changes the
 * thread's hints in between)
 * @host: if not NULL, receives the host address of out->phys when the
 *        whole of [phys, phys + out->len) is one RAM region, else NULL
 * @gen: ctx->xlate_gen as the caller read it BEFORE it checked that the
 *        device exists: a hint made from this answer is then void once a
 *        removal that the check did not see has bumped the generation
 *        (iommu__dev_remove_locked() bumps it after the device is gone)
 */
static inline __attribute__((always_inline)) int
translate(struct iommu_ctx *ctx, uint32_t dev_id, uint32_t pasid,
	  uint64_t iova, uint64_t len, unsigned int access,
	  struct iommu_translation *out, uint8_t **host, uint64_t gen)
{
	unsigned int attrs = access & IOMMU_ACCESS_ATTRS;
	uint64_t ask = len, page_left;
	struct iommu_dma_req req;
	int ret;

	access &= ~IOMMU_ACCESS_ATTRS;
	if (ctx->hint && !attrs) {
		/* Ask for the rest of the page: the model answers with the
		 * prefix it can translate (a fault only if the first byte
		 * cannot), and the hint then covers the page. */
		page_left = IOMMU__PAGE_SIZE - (iova & (IOMMU__PAGE_SIZE - 1));
		if (ask < page_left)
			ask = page_left;
	}
	unsigned int off = iommu__shard_mine();
	struct iommu__shard *sh = iommu__shard_at(ctx, off);

	iommu__shard_add(&sh->xl[0], off, 1);
	if (!ctx->bus_builtin) {
		if (!ctx->bus.ops->translate)
			return -EOPNOTSUPP;
		ret = ctx->bus.ops->translate(ctx->bus.opaque, dev_id, pasid,
					      iova, len, access | attrs, out);
	} else {
		req = (struct iommu_dma_req){
			.dev_id = dev_id,
			.pasid = pasid,
			.iova = iova,
			.len = ask,
			.access = access,
			.attrs = attrs,
			.stats = shard_own(sh, off),
			.thread = shard_thread(sh),
		};
		ret = ctx->desc->hw->translate(ctx->hw, &req, out);
	}
	/* The call only when a lost fault waits (rare). */
	if (atomic_load_explicit(&ctx->lost_pending, memory_order_relaxed))
		iommu__fault_lost_flush(ctx);
	if (ret < 0) {
		if (ret == -EFAULT)
			iommu__stat(ctx, IOMMU_STAT_DMA_FAULTS, 1);
		return ret;
	}
	if (ret > IOMMU_HW_CACHED || out->len == 0 || out->len > ask)
		return -EIO; /* a model that answers nonsense */
	if (ret == IOMMU_HW_INTERRUPT) {
		/* Not memory, whatever the model said (rule 12). */
		out->phys = iova;
		out->perm = 0;
		if (out->len > len)
			out->len = len;
		return IOMMU_DMA_INTERRUPT;
	}
	/* The RAM behind it only for a copy (a plain translate, the hot
	 * case of a VMM that maps itself, never needs it). */
	uint8_t *hp = host ? iommu__mem_ptr(&ctx->mem, out->phys, out->len)
			   : NULL;
	if (ret == IOMMU_HW_CACHED && ctx->hint && !attrs &&
	    iova + (out->len - 1) >= iova) {
		struct hint *h = hint_slot(dev_id, iova);

		hint_fill(h, ctx->uid, gen, hint_id(dev_id, pasid), iova, out,
			  host != NULL);
		h->host = hp;
	}
	if (out->len > len)
		out->len = len;
	if (host)
		*host = hp;
	return 0;
}

/*
 * The device this thread last found, with the generation read before it
 * looked.  Adding or removing a device bumps xlate_gen (removal once more
 * after lookups no longer find it), so while the generation holds, the
 * device is still there: a miss in a steady state skips the seqlocked
 * search, and one after any change searches again.
 */
static _Thread_local struct {
	uint64_t uid; /* context; 0: none */
	uint64_t gen;
	uint32_t dev_id;
} dev_seen;

/* Does @dev_id exist, @gen being xlate_gen as read before this call? */
static inline bool dev_exists_at(struct iommu_ctx *ctx, uint32_t dev_id,
				 uint64_t gen)
{
	if (dev_seen.uid == ctx->uid && dev_seen.gen == gen &&
	    dev_seen.dev_id == dev_id)
		return true;
	if (!iommu__dev_exists(ctx, dev_id))
		return false;
	dev_seen.uid = ctx->uid;
	dev_seen.gen = gen;
	dev_seen.dev_id = dev_id;
	return true;
}

static int dma_args_ok(struct iommu_ctx *ctx, uint32_t pasid, uint64_t iova,
		       uint64_t len, unsigned int access)
{
	if (!ctx || !len || iova + (len - 1) < iova)
		return -EINVAL;
	if ((access & ~IOMMU_ACCESS_ATTRS) != IOMMU_ACCESS_READ &&
	    (access & ~IOMMU_ACCESS_ATTRS) != IOMMU_ACCESS_WRITE)
		return -EINVAL;
	if (pasid != IOMMU_NO_PASID && pasid >> IOMMU__MAX_PASID_BITS)
		return -EINVAL;
	return 0;
}

static __attribute__((noinline)) int
dma_translate_slow(struct iommu_ctx *ctx, uint32_t dev_id, uint32_t pasid,
		   uint64_t iova, uint64_t len, unsigned int access,
		   struct iommu_translation *out)
{
	IOMMU__API_SCOPE();
	int ret = dma_args_ok(ctx, pasid, iova, len, access);

	if (ret)
		return ret;
	if (!out)
		return -EINVAL;
	uint64_t gen = atomic_load_explicit(&ctx->xlate_gen,
					    memory_order_acquire);
	if (!dev_exists_at(ctx, dev_id, gen))
		return -ENODEV;
	return translate(ctx, dev_id, pasid, iova, len, access, out, NULL,
			 gen);
}

/*
 * What translate_seen() does with an answer other than an
 * IOMMU_HW_CACHED one it can keep (as translate() does).
 */
static __attribute__((noinline)) int
translate_other(struct iommu_ctx *ctx, int ret, uint64_t iova, uint64_t len,
		uint64_t ask, struct iommu_translation *out)
{
	if (ret < 0) {
		if (ret == -EFAULT)
			iommu__stat(ctx, IOMMU_STAT_DMA_FAULTS, 1);
		return ret;
	}
	if (ret > IOMMU_HW_CACHED || out->len - 1 >= ask)
		return -EIO; /* a model that answers nonsense */
	if (ret == IOMMU_HW_INTERRUPT) {
		/* Not memory, whatever the model said (rule 12). */
		out->phys = iova;
		out->perm = 0;
		ret = IOMMU_DMA_INTERRUPT;
	} else {
		ret = 0;
	}
	if (out->len > len)
		out->len = len;
	return ret;
}

/*
 * translate_seen() - the miss of a request whose hint slot @h holds this
 * context, device and PASID at the generation that holds now
 * (iommu_dma_translate() looked; access is READ or WRITE): that device
 * still exists (removing it bumps the generation), its PASID was checked
 * when the slot was filled, and the hint is on (so the bus is the
 * built-in one); what is left to check is the length.  The slot's
 * generation is then the one read before the device was known to exist,
 * as translate() needs it; the device and PASID are the slot's (one
 * word, as the request lays them out); and the new hint goes back into
 * the same slot (its index is the page's and the device's).
 */
static __attribute__((noinline)) int
translate_seen(struct iommu_ctx *ctx, struct hint *const h, uint64_t iova,
	       uint64_t len, unsigned int access,
	       struct iommu_translation *out)
{
	/* This thread has a shard number: it counted the translation that
	 * filled the slot, and gives the number back only when it exits.
	 * Should it translate after that (from a later key destructor),
	 * the whole way takes a number again; and nothing here keeps a
	 * value across that call. */
	const unsigned int off = iommu__shard_off;

	if (__builtin_expect(!off, 0))
		return dma_translate_slow(ctx, h->dev_id, h->pasid, iova, len,
					  access, out);

	IOMMU__API_SCOPE();
	struct iommu__shard *const sh = iommu__shard_at(ctx, off);
	const uint64_t gen = h->gen, id = h->id;
	uint64_t ask, page_left;
	struct iommu_dma_req req;
	int ret;

	_Static_assert(offsetof(struct hint, pasid) ==
				   offsetof(struct hint, dev_id) + 4 &&
			       offsetof(struct iommu_dma_req, pasid) ==
				   offsetof(struct iommu_dma_req, dev_id) + 4,
		       "a hint's id word is a request's first two fields");

	if (!len || iova + (len - 1) < iova)
		return -EINVAL;
	/* The rest of the page, as translate() asks. */
	page_left = IOMMU__PAGE_SIZE - (iova & (IOMMU__PAGE_SIZE - 1));
	ask = len > page_left ? len : page_left;
	iommu__shard_add(&sh->xl[0], off, 1);
	req = (struct iommu_dma_req){
		.iova = iova,
		.len = ask,
		.access = access,
		.stats = shard_own(sh, off),
		.thread = shard_thread(sh),
	};
	memcpy(&req.dev_id, &id, sizeof(id));
	ret = ctx->desc->hw->translate(ctx->hw, &req, out);
	/* From the request again, not kept across the call: fewer
	 * registers to save. */
	iova = req.iova;
	ask = req.len;
	if (__builtin_expect(ret == IOMMU_HW_CACHED && out->len - 1 < ask, 1)) {
		/* The whole slot again: a callback the model made (a log
		 * line, a trace event) may have translated on this thread.
		 * No wrap: the answer lies inside the request or the page. */
		hint_fill(h, ctx->uid, gen, id, iova, out, false);
		if (out->len > len)
			out->len = len;
		ret = 0;
	} else {
		ret = translate_other(ctx, ret, iova, len, ask, out);
	}
	/* The call only when a lost fault waits (rare); after the hint is
	 * made, so a handler that translates on this thread finds it
	 * whole. */
	if (atomic_load_explicit(&ctx->lost_pending, memory_order_relaxed))
		iommu__fault_lost_flush(ctx);
	return ret;
}

/*
 * The hit path first: a request wholly inside this thread's hint needs no
 * argument check beyond the hint's own compares (a zero length, a wrap or
 * a bad PASID never matches one), no device lookup (a removed device
 * bumps the generation) and no call scope (nothing reaches the model).
 * A miss whose slot holds the same context, device and PASID at the
 * current generation (another page of the device, mostly) skips what
 * that says already (translate_seen()); any other goes the whole way.
 */
int iommu_dma_translate(struct iommu_ctx *ctx, uint32_t dev_id, uint32_t pasid,
			uint64_t iova, uint64_t len, unsigned int access,
			struct iommu_translation *out)
{
	struct hint *h;

	if (!ctx || !out || !ctx->hint ||
	    (access != IOMMU_ACCESS_READ && access != IOMMU_ACCESS_WRITE))
		goto slow;
	h = hint_slot(dev_id, iova);
	/* Keep the slot's address once made: left to itself, the compiler
	 * makes it again (TLS base, index) for the hit's last loads. */
	__asm__("" : "+r"(h));
	if (h->uid != ctx->uid || h->dev_id != dev_id || h->pasid != pasid ||
	    h->gen != atomic_load_explicit(&ctx->xlate_gen,
					   memory_order_acquire))
		goto slow;
	/* A zero length or a wrap never matches: len - 1 is then huge, or
	 * goes past h->last. */
	if (iova < h->first || iova > h->last || len - 1 > h->last - iova ||
	    !(h->perm & (access == IOMMU_ACCESS_WRITE ? IOMMU_WRITE
						      : IOMMU_READ)))
		return translate_seen(ctx, h, iova, len, access, out);
	out->phys = iova + h->delta;
	out->len = len;
	out->perm = h->perm;
	count_xlate(ctx, 1);
	return 0;
slow:
	return dma_translate_slow(ctx, dev_id, pasid, iova, len, access, out);
}

/*
 * A piece of a device's access that the hardware takes as an interrupt
 * message (rule 12): one naturally aligned dword written, and all that is
 * left of the access, becomes a message for opts.msi; anything else there
 * is refused, and nothing there touches memory.
 */
static int dma_interrupt(struct iommu_ctx *ctx, uint32_t dev_id,
			 uint64_t iova, const uint8_t *p, size_t len,
			 bool write)
{
	uint32_t data;

	if (!write || len != 4 || (iova & 3)) {
		iommu__log(ctx, IOMMU_LOG_DEBUG,
			   "device 0x%x: %s of %zu bytes at 0x%llx in the interrupt window refused",
			   dev_id, write ? "write" : "read", len,
			   (unsigned long long)iova);
		return -EFAULT;
	}
	data = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
	iommu__msi_queue(ctx, dev_id, iova, data);
	return 0;
}

/*
 * A copy checks its device only when a piece misses the hint: a hint
 * already names a device that existed at its generation, and removing the
 * device bumps the generation (as on the translate hit path).
 */
static int dma_rw(struct iommu_ctx *ctx, uint32_t dev_id, uint32_t pasid,
		  uint64_t iova, void *buf, size_t len, bool write)
{
	unsigned int access = write ? IOMMU_ACCESS_WRITE : IOMMU_ACCESS_READ;
	unsigned int need = write ? IOMMU_WRITE : IOMMU_READ;
	bool dev_checked = false;
	uint64_t gen = 0;
	uint8_t *p = buf;
	int ret = dma_args_ok(ctx, pasid, iova, len, access);

	if (ret)
		return ret;
	if (!buf)
		return -EINVAL;
	while (len) {
		struct iommu_translation t;
		uint8_t *host;

		if (ctx->hint && hint_get_copy(ctx, dev_id, pasid, iova, len,
					       need, &t, &host)) {
			count_xlate(ctx, 1);
			ret = 0;
		} else {
			if (!dev_checked) {
				/* The generation before the check (see
				 * translate()); later pieces reuse it, which
				 * only makes their hints stricter. */
				gen = atomic_load_explicit(
				    &ctx->xlate_gen, memory_order_acquire);
				if (!dev_exists_at(ctx, dev_id, gen))
					return -ENODEV;
				dev_checked = true;
			}
			ret = translate(ctx, dev_id, pasid, iova, len, access,
					&t, &host, gen);
		}
		if (ret == IOMMU_DMA_INTERRUPT)
			return dma_interrupt(ctx, dev_id, iova, p, len, write);
		if (ret)
			return ret;
		if (host && write)
			memcpy(host, p, t.len);
		else if (host)
			memcpy(p, host, t.len);
		else if ((ret = iommu__mem_rw(&ctx->mem, t.phys, p, t.len,
					      write)) != 0)
			return ret;
		p += t.len;
		iova += t.len;
		len -= t.len;
	}
	return 0;
}

int iommu_dma_read(struct iommu_ctx *ctx, uint32_t dev_id, uint32_t pasid,
		   uint64_t iova, void *buf, size_t len)
{
	IOMMU__API_SCOPE();
	return dma_rw(ctx, dev_id, pasid, iova, buf, len, false);
}

int iommu_dma_write(struct iommu_ctx *ctx, uint32_t dev_id, uint32_t pasid,
		    uint64_t iova, const void *buf, size_t len)
{
	IOMMU__API_SCOPE();
	return dma_rw(ctx, dev_id, pasid, iova, (void *)buf, len, true);
}
