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
 */
#ifndef IOMMU_CORE_CORE_H
#define IOMMU_CORE_CORE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "iommu/iommu.h"
#include "iommu/plugin.h"

#define IOMMU__DOMAIN_MAGIC 0x4e4d4f44u /* "DOMN" */
#define IOMMU__MAX_RAM 64
#define IOMMU__PAGE_SIZE 4096ull
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
	size_t nr_pages;
	size_t hint;
};

/* One live iommu_dma_map() mapping of a DMA domain. */
struct iommu__iova {
	uint64_t iova;
	uint64_t size;
};

struct iommu_domain {
	uint32_t magic;
	struct iommu_ctx *ctx;
	enum iommu_domain_type type;
	bool is_static;
	void *priv;
	struct iommu_domain_info info;
	_Atomic int users; /* groups on it as primary + aux attachments */
	uint32_t pasid;    /* system-wide PASID, IOMMU_NO_PASID until aux */
	_Atomic(iommu_domain_fault_fn) fault_fn;
	_Atomic(void *) fault_cookie;
	/* DMA domains: the IOVA allocator's live ranges, sorted */
	pthread_mutex_t iova_lock;
	struct iommu__iova *iovas;
	size_t nr_iovas, cap_iovas;
	struct iommu_domain *next; /* ctx->domains list */
};

struct iommu__aux {
	struct iommu_domain *domain;
	uint32_t pasid;
};

struct iommu__group;

struct iommu__dev {
	struct iommu_dev_info info; /* what the backend sees */
	char name[IOMMU__NAME_MAX];
	struct iommu__group *group;
	unsigned int enabled; /* 1 << IOMMU_DEV_FEAT_* enabled */
	struct iommu__aux *aux;
	size_t nr_aux, cap_aux;
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

struct iommu_ctx {
	struct iommu_host host; /* first: host ops find the ctx from it */
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

	iommu_log_fn log_fn;
	void *log_cookie;
	enum iommu_log_level log_level;

	void (*irq_fn)(void *cookie, unsigned int vector);
	void *irq_cookie;

	_Atomic uint64_t stats[IOMMU_STAT_COUNT];
};

static inline struct iommu_ctx *iommu__host_ctx(struct iommu_host *h)
{
	return iommu__container_of(h, struct iommu_ctx, host);
}

static inline void iommu__stat(struct iommu_ctx *ctx, enum iommu_stat s,
			       uint64_t n)
{
	atomic_fetch_add_explicit(&ctx->stats[s], n, memory_order_relaxed);
}

/* core.c */
void iommu__log(struct iommu_ctx *ctx, enum iommu_log_level level,
		const char *fmt, ...) __attribute__((format(printf, 3, 4)));
struct iommu__dev *iommu__dev_find(struct iommu_ctx *ctx, uint32_t id);
struct iommu__group *iommu__group_find(struct iommu_ctx *ctx, uint32_t id);
bool iommu__dev_exists(struct iommu_ctx *ctx, uint32_t id);

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

/* domain.c */
bool iommu__domain_valid(const struct iommu_domain *d);
int iommu__domain_new(struct iommu_ctx *ctx, enum iommu_domain_type type,
		      struct iommu_domain **out);
void iommu__domain_destroy(struct iommu_domain *d);
int iommu__group_set_domain(struct iommu__group *g, struct iommu_domain *d);
int iommu__unmap_range(struct iommu_domain *d, uint64_t iova, uint64_t size,
		       struct iommu_iotlb_gather *g, uint64_t *unmapped);
int iommu__map_range(struct iommu_domain *d, uint64_t iova, uint64_t paddr,
		     uint64_t size, unsigned int prot);
void iommu__dev_drop_aux(struct iommu__dev *dev);

int iommu__group_resv(struct iommu_ctx *ctx, struct iommu__group *g,
		      struct iommu_resv_region **out, size_t *count);

/* dma.c */
void iommu__report_fault(struct iommu_host *host,
			 const struct iommu_fault *fault);
void iommu__domain_iova_fini(struct iommu_domain *d);

#endif /* IOMMU_CORE_CORE_H */
