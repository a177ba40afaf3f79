/* SPDX-License-Identifier: MIT */
/*
 * core.h - internals shared by the core's files.  Not installed.
 *
 * Locking, outermost first:
 *   ctx->topo_lock (rwlock: device and group tables; write for add/remove)
 *   group->lock    (mutex: the group's domain, owner, aux attachments)
 *   ctx->domains_lock, ctx->pasid_lock, domain->iova_lock (leaf locks)
 * Map, unmap and translate take only topo_lock for reading (translate) or
 * nothing (map/unmap: the domain handle is the caller's to keep alive).
 * The handle table (handle.c) has its own process-wide lock, a leaf taken
 * only to allocate and free domains; looking a handle up takes none.
 */
#ifndef IOMMU_CORE_CORE_H
#define IOMMU_CORE_CORE_H

#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "iommu/iommu.h"
#include "iommu/plugin.h"

#define IOMMU__MAX_RAM 64
#define IOMMU__PAGE_SIZE 4096ull
#define IOMMU__SHARDS 64
#define IOMMU__MAX_PASID_BITS 20

#define iommu__container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

struct iommu__ram {
	uint64_t base;
	uint64_t size;
	uint8_t *host;
	bool owned; /* mmap'ed by the library */
};

struct iommu__mem {
	/* Regions are only appended (under add_lock) and published by nr;
	 * readers need no lock. */
	struct iommu__ram ram[IOMMU__MAX_RAM];
	_Atomic size_t nr;
	pthread_mutex_t add_lock;
	/* table page allocator: one bit per 4 KiB page of the table range */
	pthread_mutex_t table_lock;
	uint64_t table_base;
	uint64_t table_size;
	uint64_t *bitmap;
	/* per page: log2(pages) + 1 where a live allocation starts, else 0,
	 * so that a free must name exactly one allocation */
	uint8_t *starts;
	size_t nr_pages;
	size_t hint;
};

/* One live iommu_dma_map() mapping of a DMA domain. */
struct iommu__iova {
	uint64_t iova;
	uint64_t size;
};

/*
 * A domain lives in a slot of the handle table; the VMM holds its handle
 * (see handle.c), the core passes real pointers around.
 */
struct iommu_domain {
	uintptr_t handle; /* the value the VMM holds */
	struct iommu_ctx *ctx;
	enum iommu_domain_type type;
	bool is_static;
	bool is_default; /* a group's default domain: freed with the group */
	void *priv;
	struct iommu_domain_info info; /* info.ops = &ops once taken in */
	struct iommu_domain_ops ops;   /* the driver's, full size (abi.c) */
	struct iommu_dirty_ops dirty;  /* likewise, when info.dirty_ops */
	_Atomic int users; /* groups on it as primary + aux attachments */
	uint32_t pasid;    /* system-wide PASID, IOMMU_NO_PASID until aux */
	_Atomic(iommu_domain_fault_fn) fault_fn;
	_Atomic(void *) fault_cookie;
	/* Table pages unlinked by unmaps whose invalidation has not been
	 * done yet (deferred mode, or a failed sync): given back after the
	 * next successful flush of the whole domain, or with the domain. */
	pthread_mutex_t deferred_lock;
	struct iommu_gather_tables *deferred;
	/* An emptied list kept for the next unmap's reservation (atomic
	 * exchange; freed with the domain). */
	struct iommu_gather_tables *spare;
	/* DMA domains: the IOVA allocator's live ranges, sorted */
	pthread_mutex_t iova_lock;
	struct iommu__iova *iovas;
	size_t nr_iovas, cap_iovas;
	struct iommu_domain *next; /* ctx->domains list */
};

/* ---- Domain handles (handle.c) ------------------------------------------
 *
 * A handle is (generation << 21) | (slot index << 1) | 1: odd, so never an
 * aligned address and never NULL.  The slot index picks a chunk from a
 * fixed directory and a slot in it; chunks are allocated when needed and
 * never move, so a lookup is a mask, one load of the chunk pointer, one
 * load of the slot's generation and a compare.  A slot's generation is
 * IOMMU__H_FREE (which no handle encodes) while the slot holds no live
 * domain.
 */
#define IOMMU__H_IDX_BITS 20 /* up to 2^20 live domains per process */
#define IOMMU__H_SLOTS (1u << IOMMU__H_IDX_BITS)
#define IOMMU__H_CHUNK_LG2 7
#define IOMMU__H_CHUNK (1u << IOMMU__H_CHUNK_LG2)
#define IOMMU__H_DIR (IOMMU__H_SLOTS >> IOMMU__H_CHUNK_LG2)
#define IOMMU__H_GEN_SHIFT (IOMMU__H_IDX_BITS + 1)
#define IOMMU__H_GEN_MAX ((UINT64_C(1) << (64 - IOMMU__H_GEN_SHIFT)) - 1)
#define IOMMU__H_FREE UINT64_MAX

_Static_assert(sizeof(uintptr_t) == sizeof(uint64_t),
	       "domain handles encode a 43-bit generation in a pointer");

struct iommu__hslot {
	_Atomic uint64_t gen; /* of the live domain, or IOMMU__H_FREE */
	uint32_t next_free;   /* free list: slot index + 1, 0 ends it */
	struct iommu_domain dom;
};

struct iommu__hchunk {
	struct iommu__hslot slot[IOMMU__H_CHUNK];
};

extern struct iommu__hchunk *_Atomic iommu__hdir[IOMMU__H_DIR];

/*
 * iommu__domain_get() - the domain behind a handle, or NULL
 *
 * Checks the tag bit, then the generation the slot holds now; anything
 * else (a freed domain, a destroyed context's, a garbage value) is NULL.
 * Reads only the directory (static) and a live chunk.
 * Context: lock-free; safe against concurrent allocation and free of
 * other domains.
 */
static inline struct iommu_domain *
iommu__domain_get(const struct iommu_domain *h)
{
	uintptr_t v = (uintptr_t)h;
	uint32_t idx = (uint32_t)(v >> 1) & (IOMMU__H_SLOTS - 1);
	struct iommu__hchunk *c;
	struct iommu__hslot *s;

	if (!(v & 1))
		return NULL;
	c = atomic_load_explicit(&iommu__hdir[idx >> IOMMU__H_CHUNK_LG2],
				 memory_order_acquire);
	if (!c)
		return NULL;
	s = &c->slot[idx & (IOMMU__H_CHUNK - 1)];
	if (atomic_load_explicit(&s->gen, memory_order_acquire) !=
	    (uint64_t)(v >> IOMMU__H_GEN_SHIFT))
		return NULL;
	return &s->dom;
}

/* The handle of a live domain, as the VMM sees it. */
static inline struct iommu_domain *
iommu__domain_handle(const struct iommu_domain *d)
{
	return (struct iommu_domain *)d->handle;
}

/* A domain attached to a device through a PASID (pasid.c). */
struct iommu__aux {
	struct iommu_domain *domain;
	uint32_t pasid;
	bool aux; /* by iommu_aux_attach_device(), else by the VMM's PASID */
};

struct iommu__group;

struct iommu__dev {
	struct iommu_dev_info info; /* what the backend sees */
	char name[IOMMU__NAME_MAX];
	struct iommu__group *group;
	unsigned int enabled; /* 1 << IOMMU_DEV_FEAT_* enabled */
	struct iommu__aux *aux; /* PASID attachments, both kinds */
	size_t nr_aux, cap_aux;
	size_t nr_auxdom; /* of them, aux domains (rule 8) */
};

struct iommu__group {
	uint32_t id;
	pthread_mutex_t lock;
	char label[IOMMU__NAME_MAX];
	bool has_key;
	uint64_t key;
	struct iommu__dev **devs;
	size_t nr_devs, cap_devs;
	struct iommu_domain *_Atomic domain; /* current primary domain */
	struct iommu_domain *default_domain;
	void *owner;
	uint64_t dma_live; /* live iommu_dma_map() mappings */
	/* iommu_dma_map() records while on an IDENTITY domain (iova == pa) */
	struct iommu__iova *ident;
	size_t nr_ident, cap_ident;
};

/*
 * Interrupts a model raised (or the VMM passed to iommu_ctx_irq) and that
 * are not delivered yet: one bit per vector, for the driver's irq op and
 * for the VMM's irq callback; @draining is set while one thread delivers.
 */
#define IOMMU__IRQ_VECTORS 64u
struct iommu__irq {
	_Atomic uint64_t drv_pending;
	_Atomic uint64_t vmm_pending;
	atomic_bool msi_pending; /* ctx->msiq holds messages */
	atomic_bool draining;
};

/* A host-services handle given to one half of the plugin (by role). */
struct iommu__host {
	struct iommu_host pub;
	struct iommu_ctx *ctx;
};

/* Interrupt messages waiting for delivery to opts.msi (irq.c). */
#define IOMMU__MSI_QUEUE 64u
struct iommu__msi {
	uint32_t dev_id;
	uint32_t data;
	uint64_t addr;
};

struct iommu_ctx {
	struct iommu__host drv_host; /* the driver's services */
	struct iommu__host hw_host;  /* the device model's */
	struct iommu__config cfg;
	struct iommu__plugin_handle plugin;
	const struct iommu_plugin *desc;
	uint64_t *params;
	void *hw;
	void *_Atomic drv; /* set once probe succeeded */
	struct iommu_bus bus;
	bool bus_builtin;
	bool has_driver;
	bool strict;
	enum iommu_domain_type default_type;

	struct iommu__mem mem;

	pthread_rwlock_t topo_lock;
	struct iommu__dev **devs; /* sorted by id */
	size_t nr_devs, cap_devs;
	struct iommu__group **groups;
	size_t nr_groups, cap_groups;
	uint32_t next_group_id;

	/* The device IDs again, for the DMA path: readers take no lock and
	 * retry while ids_seq is odd or moved (a seqlock); writers hold
	 * topo_lock.  Replaced arrays are kept until the context dies. */
	_Atomic unsigned int ids_seq;
	_Atomic uint32_t *_Atomic ids;
	size_t cap_ids;
	void **retired;
	size_t nr_retired;

	pthread_mutex_t domains_lock;
	struct iommu_domain *domains;
	struct iommu_domain *blocked;
	struct iommu_domain *identity;

	pthread_mutex_t pasid_lock;
	uint8_t *pasid_used; /* one byte per PASID; PASID 0 is reserved */

	_Atomic(iommu_ctx_fault_fn) fault_fn;
	_Atomic(void *) fault_cookie;
	/* Lost faults not yet told to lost_fn (see iommu__fault_lost_flush) */
	_Atomic uint64_t lost_pending;
	_Atomic(iommu_fault_lost_fn) lost_fn;
	_Atomic(void *) lost_cookie;

	iommu_log_fn log_fn;
	void *log_cookie;
	enum iommu_log_level log_level;

	void (*irq_fn)(void *cookie, unsigned int vector);
	void *irq_cookie;
	struct iommu__irq irq; /* raised, not yet delivered (irq.c) */
	iommu_msi_fn msi_fn;
	void *msi_cookie;
	pthread_mutex_t msi_lock; /* the queue below */
	struct iommu__msi msiq[IOMMU__MSI_QUEUE];
	unsigned int msi_nr;

	/* Trace events (trace.c): a bit per class with a callback (the
	 * plugins' iommu_host.trace_mask points here), each class's
	 * record, every record ever installed (freed at destroy). */
	unsigned int trace_mask;
	struct iommu__tracer *tracer[IOMMU_TRACE_CLASS_COUNT];
	struct iommu__tracer *tracers;
	pthread_mutex_t trace_lock;
	bool trace_lock_init;
	FILE *trace_file;

	/* The translation hint (dma.c): a process-unique id and a
	 * generation every call into the model that can change its
	 * translations bumps; per-thread hints are valid while both match. */
	uint64_t uid;
	bool hint; /* built-in model, hint not turned off */
	/* Read on every hit, written on every model state change: a line
	 * of its own, away from the shards each thread writes. */
	_Alignas(64) _Atomic uint64_t xlate_gen;
	/* Counters per thread shard, summed on read (iommu_get_stats):
	 * v[s] for each enum iommu_stat, and xl[0] the translations the
	 * model answered, xl[1] those the hint served.  Shard i < IOMMU__SHARDS
	 * belongs to one live thread at a time (load + store, no
	 * read-modify-write on a shared line; a thread's number goes back
	 * to the pool when it exits, dma.c); threads beyond that many alive
	 * at once share the last one, with atomic adds.  While a model
	 * translates for a thread that owns its shard, it adds to that
	 * shard's v[] itself, the same way (struct iommu_dma_req.stats). */
	struct iommu__shard {
		_Alignas(64) _Atomic uint64_t xl[2];
		_Atomic uint64_t v[IOMMU_STAT_COUNT];
		/* struct iommu_dma_req.thread of the shard's owner: 1 + its
		 * number; 0 in the shared one (set at create) */
		unsigned int thread;
	} shard[IOMMU__SHARDS + 1];
};

static inline struct iommu_ctx *iommu__host_ctx(struct iommu_host *h)
{
	return iommu__container_of(h, struct iommu__host, pub)->ctx;
}

/* Is the class @c traced?  The whole cost of a disabled trace point. */
static inline bool iommu__tracing(struct iommu_ctx *ctx,
				  enum iommu_trace_class c)
{
#ifdef IOMMU_NO_TRACE /* the notrace flavour: every trace point goes */
	(void)ctx;
	(void)c;
	return false;
#endif
	return __builtin_expect(__atomic_load_n(&ctx->trace_mask,
						__ATOMIC_RELAXED) &
					IOMMU_TRACE_BIT(c),
				0);
}

/* Deliver @ev to its class's callback (trace.c). */
void iommu__trace(struct iommu_ctx *ctx, const struct iommu_trace_event *ev);
void iommu__host_trace(struct iommu_host *h,
		       const struct iommu_trace_event *ev);
/* A map or unmap of [@iova, +@size) on @d (@dev_id: the DMA API's
 * device, else 0), done: @done bytes, @result. */
void iommu__trace_range(struct iommu_domain *d, enum iommu_trace_type type,
			uint32_t dev_id, uint64_t iova, uint64_t size,
			uint64_t paddr, unsigned int prot, uint64_t done,
			int result);
/* An attach of @dev_id (at @pasid, or IOMMU_NO_PASID) to @d, done. */
void iommu__trace_attach(struct iommu_domain *d, uint32_t dev_id,
			 uint32_t pasid, int result);
/* The INI's or the environment's tracer; and freeing it all. */
int iommu__trace_init(struct iommu_ctx *ctx, char *err, size_t errlen);
void iommu__trace_fini(struct iommu_ctx *ctx);

/*
 * This thread's shard as a byte offset, sizeof(struct iommu__shard) times
 * (1 + its number among those that counted); 0: none yet.  A shard is
 * then one add away from the context (iommu__shard_at()).
 */
extern _Thread_local unsigned int iommu__shard_off;
/* Take a number (dma.c).  Return: the new iommu__shard_off. */
unsigned int iommu__shard_first(void);

static inline unsigned int iommu__shard_mine(void)
{
	unsigned int off = iommu__shard_off;

	return __builtin_expect(off != 0, 1) ? off : iommu__shard_first();
}

/* The shard of @ctx at @off (iommu__shard_mine()). */
static inline struct iommu__shard *iommu__shard_at(struct iommu_ctx *ctx,
						   unsigned int off)
{
	return (struct iommu__shard *)((char *)ctx->shard + off) - 1;
}

/* Is the shard at @off one thread's alone (not the shared last one)? */
static inline bool iommu__shard_owned(unsigned int off)
{
	return off <= IOMMU__SHARDS * sizeof(struct iommu__shard);
}

/* 1 + this thread's number (taking one if it has none). */
static inline unsigned int iommu__shard_thread(void)
{
	return iommu__shard_mine() / sizeof(struct iommu__shard);
}

/* Add @n to the counter @c of this thread's shard, at @off. */
static inline void iommu__shard_add(_Atomic uint64_t *c, unsigned int off,
				    uint64_t n)
{
	if (iommu__shard_owned(off)) /* the shard is this thread's alone */
		atomic_store_explicit(
			c, atomic_load_explicit(c, memory_order_relaxed) + n,
			memory_order_relaxed);
	else
		atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static inline void iommu__stat(struct iommu_ctx *ctx, enum iommu_stat s,
			       uint64_t n)
{
	unsigned int off = iommu__shard_mine();

	iommu__shard_add(&iommu__shard_at(ctx, off)->v[s], off, n);
}

/* Every translation the model gave with IOMMU_HW_CACHED may change: drop
 * the per-thread hints of @ctx (dma.c).  Called after each call into the
 * model that can change state, before the caller's call returns. */
static inline void iommu__xlate_changed(struct iommu_ctx *ctx)
{
	atomic_fetch_add_explicit(&ctx->xlate_gen, 1, memory_order_seq_cst);
}

/* A context id never used before in this process (dma.c). */
uint64_t iommu__ctx_uid(void);

/* abi.c */
/*
 * iommu__abi_take_domain_ops() - copy the domain ops the driver gave in
 * d->info.ops into d->ops (full size, NULL past the driver's table) and
 * point d->info.ops there (core/abi.c).
 * Return: 0; -EINVAL too small a table or no attach_dev (logged).
 */
int iommu__abi_take_domain_ops(struct iommu_ctx *ctx, struct iommu_domain *d);
/* Likewise d->info.dirty_ops into d->dirty (when set). */
int iommu__abi_take_dirty_ops(struct iommu_ctx *ctx, struct iommu_domain *d);

/* host.c */
void iommu__log(struct iommu_ctx *ctx, enum iommu_log_level level,
		const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The default log callback: "iommu: LEVEL: message" on stderr. */
void iommu__log_stderr(void *cookie, enum iommu_log_level level,
		       const char *msg);
/* The host services given to the plugin, by role (struct iommu_host_ops). */
extern const struct iommu_host_ops iommu__drv_host_ops;
extern const struct iommu_host_ops iommu__hw_host_ops;

/* dev.c */
struct iommu__dev *iommu__dev_find(struct iommu_ctx *ctx, uint32_t id);
struct iommu__group *iommu__group_find(struct iommu_ctx *ctx, uint32_t id);
bool iommu__dev_exists(struct iommu_ctx *ctx, uint32_t id);
/* Take @dev out of everything.  topo_lock held for writing.  With
 * @force (context teardown) nothing may refuse. */
int iommu__dev_remove_locked(struct iommu_ctx *ctx, struct iommu__dev *dev,
			     bool force);
int iommu__group_resv(struct iommu_ctx *ctx, struct iommu__group *g,
		      struct iommu_resv_region **out, size_t *count);

/* mem.c */
int iommu__mem_init(struct iommu_ctx *ctx, const struct iommu_ctx_opts *opts,
		    char *err, size_t errlen);
void iommu__mem_fini(struct iommu__mem *mem);
int iommu__mem_add(struct iommu__mem *mem, uint64_t base, uint64_t size,
		   void *host);
void *iommu__mem_ptr(struct iommu__mem *mem, uint64_t pa, size_t len);
int iommu__mem_rw(struct iommu__mem *mem, uint64_t pa, void *buf, size_t len,
		  bool write);
int iommu__table_alloc(struct iommu__mem *mem, size_t size, uint64_t *pa);
int iommu__table_free(struct iommu__mem *mem, uint64_t pa, size_t size);

/* handle.c */
void iommu__handles_get(void);
void iommu__handles_put(void);
int iommu__domain_slot(struct iommu_domain **out);
void iommu__domain_publish(struct iommu_domain *d);
void iommu__domain_revoke(struct iommu_domain *d);
void iommu__domain_slot_free(struct iommu_domain *d);

/* domain.c */
/* A new paging domain of @type (UNMANAGED or DMA) from the driver's
 * domain_alloc_paging(@dev (may be NULL), @flags). */
int iommu__domain_new(struct iommu_ctx *ctx, enum iommu_domain_type type,
		      struct iommu_dev_info *dev, unsigned int flags,
		      struct iommu_domain **out);
void iommu__domain_destroy(struct iommu_domain *d);
int iommu__group_set_domain(struct iommu__group *g, struct iommu_domain *d);
/* A device of @g has aux domains (rule 8) / any PASID attachment. */
bool iommu__group_has_aux(const struct iommu__group *g);
bool iommu__group_has_pasid(const struct iommu__group *g);
int iommu__group_get(struct iommu_ctx *ctx, bool by_dev, uint32_t id,
		     struct iommu__group **out);
void iommu__group_put(struct iommu_ctx *ctx, struct iommu__group *g);

/* pasid.c */
void iommu__dev_drop_aux(struct iommu__dev *dev);
void iommu__pasid_free(struct iommu_ctx *ctx, uint32_t pasid);

/* map.c */
/* The pages a gather holds (host table_free_after); lists deferred to a
 * domain are chained, so deferring allocates nothing. */
struct iommu_gather_tables {
	size_t n, cap;
	struct iommu_gather_tables *next;
	struct iommu__table_page {
		uint64_t pa;
		uint64_t size;
	} v[];
};
int iommu__host_table_free_after(struct iommu_host *h,
				 struct iommu_iotlb_gather *g, uint64_t pa,
				 size_t size);
/* The backend's iotlb_sync of @g, then its table pages given back (or,
 * when the sync failed, kept for later); @g is reset. */
int iommu__sync(struct iommu_domain *d, struct iommu_iotlb_gather *g);
/* Keep @g's table pages until the next flush of all of @d (deferred
 * mode); @g is reset. */
void iommu__gather_defer(struct iommu_domain *d, struct iommu_iotlb_gather *g);
/* Give back every deferred page of @d (after a flush of all, or when it
 * is freed). */
void iommu__deferred_free(struct iommu_domain *d);
int iommu__unmap_range(struct iommu_domain *d, uint64_t iova, uint64_t size,
		       struct iommu_iotlb_gather *g, uint64_t *unmapped);
int iommu__map_range(struct iommu_domain *d, uint64_t iova, uint64_t paddr,
		     uint64_t size, unsigned int prot);

/* irq.c */
/*
 * IOMMU__API_SCOPE() - first statement of every public call that may
 * reach the plugin.  It counts the thread's nesting depth; when the
 * outermost such call returns (after its locks are dropped: the cleanup
 * runs once the return value is computed), the interrupts raised inside
 * it are delivered (rule 13).
 */
#define IOMMU__API_SCOPE()                                                     \
	int iommu__api_scope                                                   \
		__attribute__((cleanup(iommu__api_leave), unused)) =           \
			iommu__api_enter()
extern _Thread_local unsigned int iommu__irq_depth;    /* public calls */
extern _Thread_local unsigned int iommu__irq_nr_dirty; /* ctxs to drain */
void iommu__irq_drain_all(void);

/* Inline: every DMA translation passes here twice. */
static inline int iommu__api_enter(void)
{
	iommu__irq_depth++;
	return 0;
}

static inline void iommu__api_leave(int *scope)
{
	(void)scope;
	if (--iommu__irq_depth == 0 && iommu__irq_nr_dirty)
		iommu__irq_drain_all();
}
void iommu__host_raise_irq(struct iommu_host *h, unsigned int vector);
void iommu__host_msi_write(struct iommu_host *h, uint64_t addr, uint32_t data);
/* Queue an interrupt message from @dev_id for opts.msi (rule 12). */
void iommu__msi_queue(struct iommu_ctx *ctx, uint32_t dev_id, uint64_t addr,
		      uint32_t data);
/* Drop @ctx from this thread's list of contexts to drain (destroy). */
void iommu__irq_forget(struct iommu_ctx *ctx);
extern const struct iommu_bus_ops iommu__builtin_bus_ops;

/* dma.c */
void iommu__report_fault(struct iommu_host *host,
			 const struct iommu_fault *fault);
void iommu__fault_lost_flush(struct iommu_ctx *ctx);
/* dma_api.c */
void iommu__domain_iova_fini(struct iommu_domain *d);

#endif /* IOMMU_CORE_CORE_H */
