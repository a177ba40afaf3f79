/* SPDX-License-Identifier: MIT */
/*
 * drv.h - the virtio-iommu driver: its state, the declarations its files
 * share, and the driver's decisions.
 *
 * The driver reaches the device only through the bus it is given at probe
 * (a virtio-mmio version 2 register window, device config at 0x100) and
 * through physical memory: its virtqueues and request/event buffers live in
 * table memory from host->ops->table_alloc.  It never calls the model (hw_*.c).
 *
 * Files (this header holds every choice; the .c files say where they
 * apply):
 *  - drv_probe.c: discovery, feature negotiation, config, probe and
 *    release, endpoints (PROBE properties, reserved regions), the ops
 *    table.
 *  - drv_queue.c: the virtqueues (table memory, the transport), request
 *    encoding, submission and completion, status codes.
 *  - drv_domain.c: domain IDs, domains, the identity map, attach, and the
 *    domain ops tables.
 *  - drv_map.c: map_pages/unmap_pages, iotlb_sync, iova_to_phys.
 *  - drv_event.c: the event queue, fault decoding, irq().
 * Mechanisms every backend shares (domain IDs, register access and
 * polls, table memory) come from plugins/lib (ilib_*).
 *
 * Choices (where the spec or the design leave room):
 *
 *  - Features: VERSION_1 and MAP_UNMAP are required (-ENODEV otherwise).
 *    INPUT_RANGE, DOMAIN_RANGE, PROBE, MMIO and BYPASS_CONFIG are accepted
 *    when offered; the legacy BYPASS bit, EVENT_IDX and INDIRECT_DESC are
 *    never accepted (the driver always notifies and uses two direct
 *    descriptors per request).  With BYPASS_CONFIG the driver writes
 *    config.bypass = 0 after DRIVER_OK, so an endpoint on no domain is
 *    blocked, never passed through.
 *
 *  - Request queue: each request is two descriptors, [device-readable
 *    part][device-writable tail] (PROBE: [72 bytes][properties + tail]),
 *    in per-slot buffers of 64 bytes; slot s owns descriptors 2s and 2s+1,
 *    so the queue holds num/2 requests.  PROBE uses one dedicated buffer of
 *    72 + probe_size + 4 bytes (PROBE always waits, so one is enough).
 *    Requests are published in the available ring; one QueueNotify write
 *    ("kick") then covers a whole batch, and the caller drains the used ring
 *    by polling used.idx, at most timeout_polls times (-ETIMEDOUT).  A full
 *    ring is kicked and drained before the next request.  Since nothing
 *    waits for a request-queue interrupt, its avail.flags says
 *    NO_INTERRUPT (as Linux does for a queue without a callback).  A used length
 *    shorter than the writable part means IOERR.  Status codes become
 *    errnos in one function, viommu_drv_status_errno().
 *
 *  - Mappings: each map_pages() call is one entry of the domain's rangemap
 *    and one MAP request for the whole range (pgsize * pgcount bytes);
 *    the entry's flags keep the prot bits and log2 of the page size, the
 *    unit an unmap may take out of it.  Entries and device mappings stay
 *    one to one, so an UNMAP that covers whole entries never splits a
 *    device mapping.  MAPs are sent only while the domain has endpoints
 *    (the device keeps mappings only for live domains); when the first
 *    endpoint attaches, the whole table is replayed, one MAP per entry.
 *    An asynchronous UNMAP that fails is logged and returned by the
 *    domain's next iotlb_sync().
 *
 *  - unmap_pages(): from iova on, whole pages of each entry's page size,
 *    up to a hole or a page the range would cut; the bytes removed are
 *    that prefix.  When the prefix is made of whole entries, one UNMAP for
 *    it is published without waiting; iotlb_sync() and flush_iotlb_all()
 *    kick and wait.  When it starts or ends inside an entry, the device
 *    cannot split that mapping: one UNMAP covers the whole entries and
 *    one MAP each brings back the pieces that stay, all sent and waited
 *    for before unmap_pages() returns (also in deferred mode).  A DMA to
 *    those pieces in that window faults: the price of one request per
 *    range.  A piece whose MAP fails is dropped from the table too (the
 *    table follows the device) and the error is returned by the next
 *    iotlb_sync().
 *
 *  - map_pages() error path: a MAP is all or nothing, so *mapped is 0 on
 *    any failure and the entry is removed.  If the queue breaks with the
 *    MAP in flight, an UNMAP of the range is queued behind it.
 *
 *  - Static domains: BLOCKED is a translated domain with its own ID that
 *    never has a mapping (every DMA faults; translation is never turned
 *    off).  IDENTITY is ATTACH_F_BYPASS on its own ID when BYPASS_CONFIG
 *    was negotiated and identity_bypass is set; otherwise a translated
 *    domain mapped 1:1 (READ|WRITE, one large MAP per piece) over the
 *    granule-aligned input range minus the reserved regions of its
 *    endpoints.  A region of a later endpoint is carved out of the live
 *    mappings before that endpoint attaches; holes are not filled again
 *    until the domain empties.  Both static IDs are taken at probe, so the
 *    domain range must hold at least two IDs (-ENODEV otherwise); paging
 *    domains get the rest (-ENOSPC when none is left).
 *
 *  - attach_dev(): the spec's ATTACH moves an endpoint only on success, so
 *    an ATTACH error leaves the endpoint on its old domain (the driver
 *    cannot observe an implicit detach; our device model rejects before it
 *    acts).  If ATTACH succeeds but replaying the mappings fails, the
 *    endpoint is attached back to its old domain (replaying that one if it
 *    had emptied) or detached if it had none.  Attaching a device to the
 *    domain it is already on sends nothing (the device would drop the
 *    domain's mappings if it treated that as DETACH + ATTACH).
 *
 *  - Faults: irq() acks InterruptStatus and consumes the event queue.  A
 *    report is decoded only when used length is 24 and bytes 1..3 are zero.
 *    Reason DOMAIN -> NO_DOMAIN; MAPPING -> PERMISSION if the driver's table
 *    for the endpoint's current domain has an entry at the address, else
 *    NOT_MAPPED; anything else -> UNKNOWN.  Faults are delivered with
 *    report_fault() while the driver holds none of its locks.
 *
 * Locks (order: domain lock(s), by address when two, then req_lock;
 * dev_lock before a domain lock; id_lock and evt_lock are leaves):
 *  - req_lock: request queue, slots, per-domain async errors.
 *  - evt_lock: event queue.  irq() never takes req_lock.
 *  - dev_lock: endpoint-ID map and each endpoint's current domain pointer.
 *  - dom->lock: the domain's table and endpoint count.
 * irq() runs only after the library call that made the device raise the
 * interrupt has returned (the core defers delivery, DESIGN rule 13), so
 * it never runs inside one of the driver's own register writes and needs
 * no re-entrancy guard.
 */
#ifndef VIOMMU_DRV_H
#define VIOMMU_DRV_H

#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ilib_ids.h"
#include "ilib_trace.h"
#include "ilib_util.h"
#include "ilib_mem.h"
#include "ilib_mmio.h"
#include "iommu/plugin.h"
#include "params.h"
#include "rangemap.h"
#include "regs.h"

#define VIOMMU_SLOT_SIZE 64u   /* per-request buffer: readable part + tail */
#define VIOMMU_SLOT_TAIL 48u   /* offset of the writable tail in a slot */
#define VIOMMU_EVT_BATCH 16u   /* faults decoded per pass of the event loop */
#define VIOMMU_RESET_POLLS 1000u

#define vlog(v, lvl, fmt, ...)                                               \
	(v)->host->ops->log((v)->host, (lvl), "virtio-iommu: " fmt,           \
			    ##__VA_ARGS__)

enum viommu_dom_kind {
	VIOMMU_DOM_PAGING = 1, /* UNMANAGED or DMA */
	VIOMMU_DOM_BLOCKED,    /* translated, never mapped */
	VIOMMU_DOM_BYPASS,     /* ATTACH_F_BYPASS */
	VIOMMU_DOM_IDENT_MAP,  /* translated, 1:1 MAPs */
};

struct viommu_drv;

struct viommu_domain {
	struct viommu_drv *v;
	enum viommu_dom_kind kind;
	uint32_t id;
	pthread_mutex_t lock;   /* table and nr_endpoints */
	struct rangemap map;    /* what the driver asked the device to map */
	unsigned int nr_endpoints;
	int async_err;          /* first failed async UNMAP; under req_lock */
};

struct viommu_ep {
	struct viommu_drv *v;
	uint32_t id;
	struct iommu_resv_region *resv;
	size_t nr_resv;
	struct viommu_domain *domain; /* current; under dev_lock */
};

/* A split virtqueue in table memory (spec 7). */
struct viommu_vq {
	unsigned int index;
	uint32_t num;
	uint64_t ring_pa;
	size_t ring_size;
	uint64_t desc_pa, avail_pa, used_pa;
	uint8_t *desc, *avail, *used;
	uint16_t avail_idx;   /* next free avail slot (shadow of avail.idx) */
	uint16_t last_used;   /* used entries consumed */
	uint64_t buf_pa;      /* per-slot buffers */
	size_t buf_size;
	uint8_t *buf;
};

/* Collects the outcome of requests a caller waits for. */
struct viommu_batch {
	int err;             /* first error */
	uint64_t first_fail; /* lowest cookie that failed */
};

struct viommu_slot {
	bool busy;
	uint32_t wlen;                /* bytes of the writable part */
	uint8_t *tail;                /* writable part (host pointer) */
	struct viommu_batch *batch;   /* waiter, or NULL when asynchronous */
	struct viommu_domain *dom;    /* async UNMAP: gets the error */
	uint64_t cookie;
};

struct viommu_drv {
	struct iommu_host *host;
	struct iommu_bus bus;
	uint64_t features;          /* negotiated */
	uint64_t page_size_mask;
	uint64_t granule;
	uint64_t input_start, input_last;
	uint32_t domain_start, domain_last;
	uint32_t probe_size;
	bool identity_bypass;
	uint64_t timeout_polls;

	pthread_mutex_t req_lock;
	struct viommu_vq rq;
	struct viommu_slot *slots;
	uint32_t nslots;
	uint32_t *free_slots;
	uint32_t nr_free;
	uint32_t inflight;
	uint32_t unkicked;
	uint64_t probe_pa;
	size_t probe_alloc;
	uint8_t *probe_buf;

	pthread_mutex_t evt_lock;
	struct viommu_vq eq;
	bool *evt_posted;

	pthread_mutex_t dev_lock;
	struct rangemap eps;        /* endpoint ID -> struct viommu_ep * */

	pthread_mutex_t id_lock;
	struct ilib_ids ids;        /* allocated domain IDs */
	uint32_t id_cursor;

	struct viommu_domain blocked;
	struct viommu_domain identity;
};

/* A request before encoding; which fields count depends on @type. */
struct viommu_req {
	uint8_t type;
	uint32_t domain;
	uint32_t endpoint;
	uint32_t flags;
	uint64_t start;
	uint64_t end; /* inclusive */
	uint64_t phys;
};

static inline bool has_feat(const struct viommu_drv *v, unsigned int bit)
{
	return v->features & (1ull << bit);
}

/*
 * used.idx, with acquire: the used elements and buffers the device wrote
 * before it are complete.  The device also stores it atomically, so the
 * two never race on it.
 */
static inline uint16_t vq_used_idx(const struct viommu_vq *vq)
{
	uint16_t raw = __atomic_load_n((const uint16_t *)(vq->used + 2),
				       __ATOMIC_ACQUIRE);

	return le16toh(raw);
}

/*
 * Put chain @head in the available ring and publish it (release).  A
 * queue's size is a power of two (viommu_queue_size()), so ring indices
 * here and in the used-ring loops are masked, not divided.
 */
static inline void vq_publish(struct viommu_vq *vq, uint16_t head)
{
	vio_put16(vq->avail + 4 + 2 * (size_t)(vq->avail_idx & (vq->num - 1)),
		  head);
	vq->avail_idx++;
	__atomic_store_n((uint16_t *)(vq->avail + 2), htole16(vq->avail_idx),
			 __ATOMIC_RELEASE);
}

static inline int vq_notify(struct viommu_drv *v, unsigned int index)
{
	return ilib_mmio_write32(&v->bus, VMMIO_QUEUE_NOTIFY, index);
}

static inline int mmio_r32(struct viommu_drv *v, uint64_t off, uint32_t *val)
{
	return ilib_mmio_read32(&v->bus, off, val);
}

static inline int mmio_w32(struct viommu_drv *v, uint64_t off, uint32_t val)
{
	return ilib_mmio_write32(&v->bus, off, val);
}

/* drv_queue.c */
void viommu_req_lock(struct viommu_drv *v);
void viommu_req_unlock(struct viommu_drv *v);
int viommu_req_sync(struct viommu_drv *v);
void viommu_batch_abandon(struct viommu_drv *v, struct viommu_batch *b);
int viommu_req_queue(struct viommu_drv *v, const struct viommu_req *r,
		     struct viommu_batch *b, struct viommu_domain *dom,
		     uint64_t cookie);
int viommu_req_send(struct viommu_drv *v, const struct viommu_req *r);
void viommu_free_queues(struct viommu_drv *v);
int viommu_init_queues(struct viommu_drv *v, const uint64_t *params);
void viommu_post_events(struct viommu_drv *v);

/* drv_domain.c */
int viommu_domain_init(struct viommu_drv *v, struct viommu_domain *d,
		       enum viommu_dom_kind kind);
void viommu_domain_fini(struct viommu_domain *d);
int viommu_queue_map(struct viommu_drv *v, struct viommu_domain *d,
		     const struct rangemap_entry *e,
		     struct viommu_batch *b, uint64_t cookie);
int viommu_unmap_sync(struct viommu_drv *v, struct viommu_domain *d,
		      uint64_t start, uint64_t last);
int viommu_drv_domain_alloc_paging(void *inst, struct iommu_dev_info *dev,
				   unsigned int flags,
				   struct iommu_domain_info *info, void **dom);
extern const struct iommu_domain_ops viommu_blocked_ops;
extern const struct iommu_domain_ops viommu_identity_ops;

/* drv_map.c */
int viommu_drv_map_pages(void *dom, uint64_t iova, uint64_t paddr,
			 uint64_t pgsize, uint64_t pgcount,
			 unsigned int prot, uint64_t *mapped);
uint64_t viommu_drv_unmap_pages(void *dom, uint64_t iova,
				uint64_t pgsize, uint64_t pgcount,
				struct iommu_iotlb_gather *gather);
int viommu_drv_iotlb_sync(void *dom, struct iommu_iotlb_gather *gather);
int viommu_drv_flush_iotlb_all(void *dom);
int viommu_drv_iova_to_phys(void *dom, uint64_t iova, uint64_t *phys);
int viommu_drv_walk(void *dom, const struct iommu_walk_visitor *v,
		    void *cookie);

/* drv_event.c */
void viommu_drv_irq(void *inst, unsigned int vector);

#endif /* VIOMMU_DRV_H */
