// SPDX-License-Identifier: MIT
/*
 * drv.c - the virtio-iommu driver.
 *
 * The driver reaches the device only through the bus it is given at probe
 * (a virtio-mmio version 2 register window, device config at 0x100) and
 * through physical memory: its virtqueues and request/event buffers live in
 * table memory from host->ops->table_alloc.  It never calls hw.c.
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
 *    ring is kicked and drained before the next request.  A used length
 *    shorter than the writable part means IOERR.  Status codes become
 *    errnos in one function, viommu_drv_status_errno().
 *
 *  - Mappings: each page the core hands to map_pages() is one entry of the
 *    domain's rangemap and one MAP request, so an UNMAP never has to split
 *    a device mapping.  MAPs are sent only while the domain has endpoints
 *    (the device keeps mappings only for live domains); when the first
 *    endpoint attaches, the whole table is replayed.  unmap_pages() removes
 *    whole entries and publishes one UNMAP for the contiguous range it
 *    removed without waiting; iotlb_sync() and flush_iotlb_all() kick and
 *    wait.  An asynchronous UNMAP that fails is logged and returned by the
 *    domain's next iotlb_sync().
 *
 *  - map_pages() error path: entries whose MAP failed are removed, as are
 *    all pages after the first failure (those that did map are unmapped
 *    with one UNMAP), so *mapped is the contiguous prefix that is really
 *    mapped; the core unmaps that.
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
 * The device model may call raise_irq (and so irq()) from inside a
 * QueueNotify write made under req_lock.  irq() then only acks and leaves
 * a flag; the thread that held req_lock consumes the event queue once it
 * has dropped all its locks.
 */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
	atomic_bool req_held;
	atomic_uintptr_t req_owner; /* thread holding req_lock */
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
	atomic_bool evt_deferred;

	pthread_mutex_t dev_lock;
	struct rangemap eps;        /* endpoint ID -> struct viommu_ep * */

	pthread_mutex_t id_lock;
	struct rangemap ids;        /* allocated domain IDs */
	uint32_t id_cursor;

	struct viommu_domain blocked;
	struct viommu_domain identity;
};

_Static_assert(sizeof(pthread_t) <= sizeof(uintptr_t),
	       "pthread_t must fit the owner word");

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

static const struct iommu_domain_ops viommu_paging_ops;
static const struct iommu_domain_ops viommu_static_ops;

static inline bool has_feat(const struct viommu_drv *v, unsigned int bit)
{
	return v->features & (1ull << bit);
}

/* ---- status codes and request encoding ----------------------------------- */

/**
 * viommu_drv_status_errno() - the errno of a request's status byte
 * @status: tail status (spec 3.1)
 *
 * The one place that turns device status codes into errnos (Linux column
 * of spec 3.1).
 * Return: 0 for OK, else a negative errno; -EIO for unknown codes.
 */
static int viommu_drv_status_errno(unsigned int status)
{
	switch (status) {
	case VIRTIO_IOMMU_S_OK:
		return 0;
	case VIRTIO_IOMMU_S_IOERR:
		return -EIO;
	case VIRTIO_IOMMU_S_UNSUPP:
		return -ENOSYS;
	case VIRTIO_IOMMU_S_DEVERR:
		return -EIO;
	case VIRTIO_IOMMU_S_INVAL:
		return -EINVAL;
	case VIRTIO_IOMMU_S_RANGE:
		return -ERANGE;
	case VIRTIO_IOMMU_S_NOENT:
		return -ENOENT;
	case VIRTIO_IOMMU_S_FAULT:
		return -EFAULT;
	case VIRTIO_IOMMU_S_NOMEM:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

/**
 * viommu_drv_build_req() - encode the device-readable part of a request
 * @r: the request
 * @buf: at least VIOMMU_PROBE_RD_SIZE bytes; zeroed and filled
 *
 * Spec 2.3: little-endian; head reserved bytes, ATTACH/DETACH/UNMAP/PROBE
 * reserved fields and undefined MAP flags are written as zero.
 * Return: bytes of the readable part, or 0 for an unknown @r->type.
 */
static size_t viommu_drv_build_req(const struct viommu_req *r, uint8_t *buf)
{
	memset(buf, 0, VIOMMU_PROBE_RD_SIZE);
	buf[VIOMMU_REQ_TYPE] = r->type;
	switch (r->type) {
	case VIRTIO_IOMMU_T_ATTACH:
		vio_put32(buf + VIOMMU_ATTACH_DOMAIN, r->domain);
		vio_put32(buf + VIOMMU_ATTACH_EP, r->endpoint);
		vio_put32(buf + VIOMMU_ATTACH_FLAGS, r->flags);
		return VIOMMU_ATTACH_RD_SIZE;
	case VIRTIO_IOMMU_T_DETACH:
		vio_put32(buf + VIOMMU_ATTACH_DOMAIN, r->domain);
		vio_put32(buf + VIOMMU_ATTACH_EP, r->endpoint);
		return VIOMMU_DETACH_RD_SIZE;
	case VIRTIO_IOMMU_T_MAP:
		vio_put32(buf + VIOMMU_MAP_DOMAIN, r->domain);
		vio_put64(buf + VIOMMU_MAP_VSTART, r->start);
		vio_put64(buf + VIOMMU_MAP_VEND, r->end);
		vio_put64(buf + VIOMMU_MAP_PSTART, r->phys);
		vio_put32(buf + VIOMMU_MAP_FLAGS,
			  r->flags & VIRTIO_IOMMU_MAP_F_MASK);
		return VIOMMU_MAP_RD_SIZE;
	case VIRTIO_IOMMU_T_UNMAP:
		vio_put32(buf + VIOMMU_UNMAP_DOMAIN, r->domain);
		vio_put64(buf + VIOMMU_UNMAP_VSTART, r->start);
		vio_put64(buf + VIOMMU_UNMAP_VEND, r->end);
		return VIOMMU_UNMAP_RD_SIZE;
	case VIRTIO_IOMMU_T_PROBE:
		vio_put32(buf + VIOMMU_PROBE_EP, r->endpoint);
		return VIOMMU_PROBE_RD_SIZE;
	default:
		return 0;
	}
}

/* ---- virtqueue helpers (spec 7) ------------------------------------------ */

/*
 * used.idx, with acquire: the used elements and buffers the device wrote
 * before it are complete.  The device also stores it atomically, so the
 * two never race on it.
 */
static uint16_t vq_used_idx(const struct viommu_vq *vq)
{
	uint16_t raw = __atomic_load_n((const uint16_t *)(vq->used + 2),
				       __ATOMIC_ACQUIRE);

	return le16toh(raw);
}

static void vq_set_desc(struct viommu_vq *vq, uint32_t i, uint64_t addr,
			uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *d = vq->desc + VRING_DESC_SIZE * (size_t)i;

	vio_put64(d, addr);
	vio_put32(d + 8, len);
	vio_put16(d + 12, flags);
	vio_put16(d + 14, next);
}

/* Put chain @head in the available ring and publish it (release). */
static void vq_publish(struct viommu_vq *vq, uint16_t head)
{
	vio_put16(vq->avail + 4 + 2 * (size_t)(vq->avail_idx % vq->num), head);
	vq->avail_idx++;
	__atomic_store_n((uint16_t *)(vq->avail + 2), htole16(vq->avail_idx),
			 __ATOMIC_RELEASE);
}

static int vq_notify(struct viommu_drv *v, unsigned int index)
{
	return v->bus.ops->mmio_write(v->bus.opaque, VMMIO_QUEUE_NOTIFY, 4,
				      index);
}

static void *viommu_table_ptr(struct viommu_drv *v, uint64_t pa, size_t size)
{
	return v->host->ops->mem_ptr(v->host, pa, size);
}

static size_t pow2_at_least(size_t n)
{
	size_t s = 4096;

	while (s < n)
		s <<= 1;
	return s;
}

/*
 * Allocate a queue's rings (descriptor table, available ring, used ring in
 * one block of table memory) and its buffers of @buf_size bytes.
 */
static int vq_alloc(struct viommu_drv *v, struct viommu_vq *vq,
		    unsigned int index, uint32_t num, size_t buf_size)
{
	uint64_t avail_off = vring_desc_bytes(num);
	uint64_t used_off = (avail_off + vring_avail_bytes(num) + 3) & ~3ull;
	size_t need = (size_t)(used_off + vring_used_bytes(num));
	uint8_t *p;
	int err;

	memset(vq, 0, sizeof(*vq));
	vq->index = index;
	vq->num = num;
	vq->ring_size = pow2_at_least(need);
	err = v->host->ops->table_alloc(v->host, vq->ring_size, &vq->ring_pa);
	if (err)
		return err;
	p = viommu_table_ptr(v, vq->ring_pa, vq->ring_size);
	if (!p) {
		vlog(v, IOMMU_LOG_ERR, "table memory 0x%llx is not in RAM",
		     (unsigned long long)vq->ring_pa);
		err = -EFAULT;
		goto err_free_ring;
	}
	memset(p, 0, vq->ring_size);
	vq->desc_pa = vq->ring_pa;
	vq->avail_pa = vq->ring_pa + avail_off;
	vq->used_pa = vq->ring_pa + used_off;
	vq->desc = p;
	vq->avail = p + avail_off;
	vq->used = p + used_off;

	vq->buf_size = pow2_at_least(buf_size);
	err = v->host->ops->table_alloc(v->host, vq->buf_size, &vq->buf_pa);
	if (err)
		goto err_free_ring;
	vq->buf = viommu_table_ptr(v, vq->buf_pa, vq->buf_size);
	if (!vq->buf) {
		err = -EFAULT;
		goto err_free_buf;
	}
	memset(vq->buf, 0, vq->buf_size);
	return 0;

err_free_buf:
	v->host->ops->table_free(v->host, vq->buf_pa, vq->buf_size);
err_free_ring:
	v->host->ops->table_free(v->host, vq->ring_pa, vq->ring_size);
	vq->ring_size = 0;
	vq->buf_size = 0;
	return err;
}

static void vq_free(struct viommu_drv *v, struct viommu_vq *vq)
{
	if (vq->buf_size)
		v->host->ops->table_free(v->host, vq->buf_pa, vq->buf_size);
	if (vq->ring_size)
		v->host->ops->table_free(v->host, vq->ring_pa, vq->ring_size);
	vq->buf_size = 0;
	vq->ring_size = 0;
}

/* ---- request queue ------------------------------------------------------- */

static void viommu_req_lock(struct viommu_drv *v)
{
	pthread_mutex_lock(&v->req_lock);
	atomic_store(&v->req_owner, (uintptr_t)pthread_self());
	atomic_store(&v->req_held, true);
}

static void viommu_req_unlock(struct viommu_drv *v)
{
	atomic_store(&v->req_held, false);
	pthread_mutex_unlock(&v->req_lock);
}

static bool viommu_req_owned_by_me(struct viommu_drv *v)
{
	return atomic_load(&v->req_held) &&
	       pthread_equal((pthread_t)atomic_load(&v->req_owner),
			     pthread_self());
}

static void viommu_evt_process(struct viommu_drv *v);

/* Consume events an irq() left for us; call with no driver lock held. */
static void viommu_evt_flush(struct viommu_drv *v)
{
	if (atomic_exchange(&v->evt_deferred, false))
		viommu_evt_process(v);
}

/* Complete one used element of the request queue.  Context: req_lock. */
static void viommu_req_complete(struct viommu_drv *v, uint32_t head,
				uint32_t len)
{
	struct viommu_slot *s;
	int err;

	if (head >= v->rq.num || (head & 1)) {
		vlog(v, IOMMU_LOG_WARN, "used ring names descriptor %u", head);
		return;
	}
	s = &v->slots[head / 2];
	if (!s->busy) {
		vlog(v, IOMMU_LOG_WARN, "used ring returns idle chain %u",
		     head);
		return;
	}
	if (len < s->wlen)
		err = viommu_drv_status_errno(VIRTIO_IOMMU_S_IOERR);
	else
		err = viommu_drv_status_errno(s->tail[s->wlen - 4]);

	if (err) {
		if (s->batch) {
			if (!s->batch->err)
				s->batch->err = err;
			if (s->cookie < s->batch->first_fail)
				s->batch->first_fail = s->cookie;
		} else {
			vlog(v, IOMMU_LOG_WARN,
			     "asynchronous request failed: %d", err);
			if (s->dom && !s->dom->async_err)
				s->dom->async_err = err;
		}
	}
	s->busy = false;
	s->batch = NULL;
	s->dom = NULL;
	v->free_slots[v->nr_free++] = head / 2;
	v->inflight--;
}

/**
 * viommu_req_sync() - kick the request queue and wait for every request
 * @v: instance
 *
 * Context: req_lock held.
 * Return: 0; -ETIMEDOUT if used.idx did not move for timeout_polls polls
 * while requests were outstanding; -EIO if the notify write failed.
 */
static int viommu_req_sync(struct viommu_drv *v)
{
	uint64_t polls = 0;

	if (v->unkicked) {
		v->unkicked = 0;
		if (vq_notify(v, VIOMMU_REQUEST_VQ)) {
			vlog(v, IOMMU_LOG_ERR, "request queue notify failed");
			return -EIO;
		}
	}
	while (v->inflight) {
		uint16_t used = vq_used_idx(&v->rq);

		if (used == v->rq.last_used) {
			if (++polls >= v->timeout_polls) {
				vlog(v, IOMMU_LOG_ERR,
				     "request queue timed out, %u in flight",
				     v->inflight);
				return -ETIMEDOUT;
			}
			sched_yield();
			continue;
		}
		polls = 0;
		while (v->rq.last_used != used) {
			const uint8_t *e = v->rq.used + 4 +
				8 * (size_t)(v->rq.last_used % v->rq.num);

			v->rq.last_used++;
			viommu_req_complete(v, vio_le32(e), vio_le32(e + 4));
		}
	}
	return 0;
}

/* Forget @b in slots still in flight (after a timeout). */
static void viommu_batch_abandon(struct viommu_drv *v, struct viommu_batch *b)
{
	for (uint32_t i = 0; i < v->nslots; i++)
		if (v->slots[i].busy && v->slots[i].batch == b)
			v->slots[i].batch = NULL;
}

/**
 * viommu_req_queue() - publish one request without kicking
 * @v: instance
 * @r: request
 * @b: batch that collects the status, or NULL (asynchronous)
 * @dom: for an asynchronous request, the domain that gets its error
 * @cookie: recorded in @b->first_fail if this request fails
 *
 * When every slot is in flight the queue is kicked and drained first.
 * Context: req_lock held.
 * Return: 0; -EINVAL unknown type; -ETIMEDOUT, -EIO from the drain.
 */
static int viommu_req_queue(struct viommu_drv *v, const struct viommu_req *r,
			    struct viommu_batch *b, struct viommu_domain *dom,
			    uint64_t cookie)
{
	struct viommu_slot *s;
	uint64_t rd_pa, wr_pa;
	uint8_t *rd;
	uint32_t si, wlen;
	size_t rlen;
	int err;

	if (!v->nr_free) {
		err = viommu_req_sync(v);
		if (err)
			return err;
	}
	si = v->free_slots[v->nr_free - 1];
	s = &v->slots[si];
	if (r->type == VIRTIO_IOMMU_T_PROBE) {
		rd = v->probe_buf;
		rd_pa = v->probe_pa;
		wlen = v->probe_size + VIOMMU_TAIL_SIZE;
		wr_pa = rd_pa + VIOMMU_PROBE_RD_SIZE;
		s->tail = rd + VIOMMU_PROBE_RD_SIZE;
	} else {
		rd = v->rq.buf + (size_t)si * VIOMMU_SLOT_SIZE;
		rd_pa = v->rq.buf_pa + (uint64_t)si * VIOMMU_SLOT_SIZE;
		wlen = VIOMMU_TAIL_SIZE;
		wr_pa = rd_pa + VIOMMU_SLOT_TAIL;
		s->tail = rd + VIOMMU_SLOT_TAIL;
	}
	if (!rd)
		return -EINVAL;
	if (r->type == VIRTIO_IOMMU_T_PROBE) {
		rlen = viommu_drv_build_req(r, rd);
	} else {
		uint8_t tmp[VIOMMU_PROBE_RD_SIZE];

		rlen = viommu_drv_build_req(r, tmp);
		memcpy(rd, tmp, VIOMMU_SLOT_TAIL);
	}
	if (!rlen)
		return -EINVAL;
	memset(s->tail, 0, wlen);
	/* Status starts as IOERR: a device that writes nothing fails it. */
	s->tail[wlen - 4] = VIRTIO_IOMMU_S_IOERR;

	v->nr_free--;
	s->busy = true;
	s->wlen = wlen;
	s->batch = b;
	s->dom = dom;
	s->cookie = cookie;
	vq_set_desc(&v->rq, 2 * si, rd_pa, (uint32_t)rlen, VRING_DESC_F_NEXT,
		    (uint16_t)(2 * si + 1));
	vq_set_desc(&v->rq, 2 * si + 1, wr_pa, wlen, VRING_DESC_F_WRITE, 0);
	vq_publish(&v->rq, (uint16_t)(2 * si));
	v->inflight++;
	v->unkicked++;
	return 0;
}

/* Send one request and wait for it.  Context: req_lock held. */
static int viommu_req_send(struct viommu_drv *v, const struct viommu_req *r)
{
	struct viommu_batch b = { 0, UINT64_MAX };
	int err;

	err = viommu_req_queue(v, r, &b, NULL, 0);
	if (err)
		return err;
	err = viommu_req_sync(v);
	if (err) {
		viommu_batch_abandon(v, &b);
		return err;
	}
	return b.err;
}

/* ---- domain IDs ---------------------------------------------------------- */

/**
 * viommu_id_alloc() - take a free domain ID from [domain_start, domain_last]
 * Context: takes id_lock.
 * Return: 0 and *@id; -ENOSPC none left; -ENOMEM.
 */
static int viommu_id_alloc(struct viommu_drv *v, uint32_t *id)
{
	uint64_t span = (uint64_t)v->domain_last - v->domain_start + 1;
	uint32_t cur;
	int err;

	pthread_mutex_lock(&v->id_lock);
	if (rangemap_count(&v->ids) >= span) {
		pthread_mutex_unlock(&v->id_lock);
		return -ENOSPC;
	}
	cur = v->id_cursor;
	for (;;) {
		const struct rangemap_entry *e = rangemap_find(&v->ids, cur);

		if (!e)
			break;
		/* entries are single IDs; step past the run of taken ones */
		cur = (e->last >= v->domain_last) ? v->domain_start :
						      (uint32_t)(e->last + 1);
	}
	err = rangemap_insert(&v->ids, cur, cur, 0, 0);
	if (!err) {
		*id = cur;
		v->id_cursor = cur >= v->domain_last ? v->domain_start :
						       cur + 1;
	}
	pthread_mutex_unlock(&v->id_lock);
	return err;
}

static void viommu_id_free(struct viommu_drv *v, uint32_t id)
{
	pthread_mutex_lock(&v->id_lock);
	rangemap_remove(&v->ids, id);
	pthread_mutex_unlock(&v->id_lock);
}

/* ---- domains ------------------------------------------------------------- */

static int viommu_domain_init(struct viommu_drv *v, struct viommu_domain *d,
			      enum viommu_dom_kind kind)
{
	int err;

	memset(d, 0, sizeof(*d));
	d->v = v;
	d->kind = kind;
	rangemap_init(&d->map);
	err = viommu_id_alloc(v, &d->id);
	if (err)
		return err;
	if (pthread_mutex_init(&d->lock, NULL)) {
		viommu_id_free(v, d->id);
		return -ENOMEM;
	}
	return 0;
}

static void viommu_domain_fini(struct viommu_domain *d)
{
	rangemap_clear(&d->map);
	pthread_mutex_destroy(&d->lock);
	viommu_id_free(d->v, d->id);
}

static uint32_t viommu_prot_to_flags(unsigned int prot)
{
	uint32_t f = 0;

	if (prot & IOMMU_READ)
		f |= VIRTIO_IOMMU_MAP_F_READ;
	if (prot & IOMMU_WRITE)
		f |= VIRTIO_IOMMU_MAP_F_WRITE;
	if (prot & IOMMU_MMIO)
		f |= VIRTIO_IOMMU_MAP_F_MMIO;
	return f;
}

static int viommu_queue_map(struct viommu_drv *v, struct viommu_domain *d,
			    const struct rangemap_entry *e,
			    struct viommu_batch *b, uint64_t cookie)
{
	struct viommu_req r = {
		.type = VIRTIO_IOMMU_T_MAP,
		.domain = d->id,
		.start = e->start,
		.end = e->last,
		.phys = e->phys,
		.flags = viommu_prot_to_flags(e->flags),
	};

	return viommu_req_queue(v, &r, b, NULL, cookie);
}

/* Send UNMAP [start, last] and wait.  Context: req_lock held. */
static int viommu_unmap_sync(struct viommu_drv *v, struct viommu_domain *d,
			     uint64_t start, uint64_t last)
{
	struct viommu_req r = {
		.type = VIRTIO_IOMMU_T_UNMAP,
		.domain = d->id,
		.start = start,
		.end = last,
	};

	return viommu_req_send(v, &r);
}

/**
 * viommu_replay() - send a MAP for every entry of @d's table
 * Context: @d->lock and req_lock held.
 * Return: 0 or the first errno.
 */
static int viommu_replay(struct viommu_drv *v, struct viommu_domain *d)
{
	struct viommu_batch b = { 0, UINT64_MAX };
	const struct rangemap_entry *e;
	int err = 0;

	for (e = rangemap_first_overlap(&d->map, 0, UINT64_MAX); e;
	     e = rangemap_next(&d->map, e)) {
		err = viommu_queue_map(v, d, e, &b, 0);
		if (err)
			break;
	}
	if (!err)
		err = viommu_req_sync(v);
	if (err) {
		viommu_batch_abandon(v, &b);
		return err;
	}
	return b.err;
}

/* ---- identity mapped 1:1 ------------------------------------------------- */

/*
 * Insert [start, last] 1:1 READ|WRITE in @d's table and, if @on_device,
 * MAP it.  A one-byte piece cannot be expressed (virt_end must exceed
 * virt_start) and is skipped.  Context: d->lock (and req_lock if
 * @on_device).
 */
static int viommu_ident_add(struct viommu_drv *v, struct viommu_domain *d,
			    uint64_t start, uint64_t last, bool on_device)
{
	const struct rangemap_entry *e;
	int err;

	if (last <= start)
		return 0;
	err = rangemap_insert(&d->map, start, last, start,
			      IOMMU_READ | IOMMU_WRITE);
	if (err || !on_device)
		return err;
	e = rangemap_find(&d->map, start);
	{
		struct viommu_batch b = { 0, UINT64_MAX };

		err = viommu_queue_map(v, d, e, &b, 0);
		if (!err)
			err = viommu_req_sync(v);
		if (err)
			viommu_batch_abandon(v, &b);
		else
			err = b.err;
	}
	if (err)
		rangemap_remove(&d->map, start);
	return err;
}

/*
 * Take [rs, rl], widened to the granule, out of the identity map.
 * Context: d->lock (and req_lock if @on_device).
 */
static int viommu_ident_carve(struct viommu_drv *v, struct viommu_domain *d,
			      uint64_t rs, uint64_t rl, bool on_device)
{
	uint64_t s = rs & ~(v->granule - 1);
	uint64_t l = rl | (v->granule - 1);
	const struct rangemap_entry *e;
	int err = 0;

	while ((e = rangemap_first_overlap(&d->map, s, l))) {
		uint64_t es = e->start, el = e->last;
		int rc;

		if (on_device) {
			rc = viommu_unmap_sync(v, d, es, el);
			if (rc)
				return rc;
		}
		rangemap_remove(&d->map, es);
		if (es < s) {
			rc = viommu_ident_add(v, d, es, s - 1, on_device);
			if (rc && !err)
				err = rc;
		}
		if (el > l) {
			rc = viommu_ident_add(v, d, l + 1, el, on_device);
			if (rc && !err)
				err = rc;
		}
	}
	return err;
}

/* Rebuild the identity table for a first endpoint.  Context: d->lock. */
static int viommu_ident_build(struct viommu_drv *v, struct viommu_domain *d,
			      const struct viommu_ep *ep)
{
	uint64_t g = v->granule;
	uint64_t first = (v->input_start + g - 1) & ~(g - 1);
	/* exclusive end, modulo 2^64 */
	uint64_t endx = (v->input_last + 1) & ~(g - 1);
	int err;

	rangemap_clear(&d->map);
	if (first < v->input_start) /* rounding up wrapped */
		return 0;
	if (endx == 0 && v->input_last != UINT64_MAX)
		return 0;
	if (endx != 0 && endx <= first)
		return 0;
	err = viommu_ident_add(v, d, first, endx - 1, false);
	if (err)
		return err;
	for (size_t i = 0; i < ep->nr_resv; i++) {
		err = viommu_ident_carve(v, d, ep->resv[i].start,
					 ep->resv[i].last, false);
		if (err)
			return err;
	}
	return 0;
}

/* ---- attach -------------------------------------------------------------- */

static int viommu_attach_req(struct viommu_drv *v, struct viommu_domain *d,
			     uint32_t ep_id)
{
	struct viommu_req r = {
		.type = VIRTIO_IOMMU_T_ATTACH,
		.domain = d->id,
		.endpoint = ep_id,
		.flags = d->kind == VIOMMU_DOM_BYPASS ?
				 VIRTIO_IOMMU_ATTACH_F_BYPASS : 0,
	};

	return viommu_req_send(v, &r);
}

/*
 * ATTACH @ep to @d and, if @replay, MAP @d's table.  Return: 0; 1 if
 * ATTACH succeeded but the replay failed (*@err set); else -errno.
 * Context: d->lock and req_lock.
 */
static int viommu_ep_attach(struct viommu_drv *v, struct viommu_domain *d,
			    uint32_t ep_id, bool replay, int *err)
{
	int rc = viommu_attach_req(v, d, ep_id);

	if (rc)
		return rc;
	if (replay && rangemap_count(&d->map)) {
		*err = viommu_replay(v, d);
		if (*err)
			return 1;
	}
	return 0;
}

static void lock_two(struct viommu_domain *a, struct viommu_domain *b)
{
	if (!b || a == b) {
		pthread_mutex_lock(&a->lock);
		return;
	}
	if ((uintptr_t)a < (uintptr_t)b) {
		pthread_mutex_lock(&a->lock);
		pthread_mutex_lock(&b->lock);
	} else {
		pthread_mutex_lock(&b->lock);
		pthread_mutex_lock(&a->lock);
	}
}

static void unlock_two(struct viommu_domain *a, struct viommu_domain *b)
{
	pthread_mutex_unlock(&a->lock);
	if (b && b != a)
		pthread_mutex_unlock(&b->lock);
}

/**
 * viommu_drv_attach_dev() - move an endpoint to this domain
 * @dom: domain
 * @dev: device (probed by this instance)
 *
 * Sends ATTACH; the first endpoint of a domain gets the domain's table
 * replayed.  On failure the endpoint stays on its old domain.
 * Context: takes the domain locks, then req_lock; then dev_lock.
 * Return: 0; -EINVAL bad arguments or another instance's device; the
 * device's status as errno (-EINVAL, -ENOENT, -ENOSYS, -ENOMEM, ...);
 * -ETIMEDOUT; -ENOMEM.
 */
static int viommu_drv_attach_dev(void *dom, struct iommu_dev_info *dev)
{
	struct viommu_domain *d = dom, *old;
	struct viommu_drv *v;
	struct viommu_ep *ep;
	int err = 0, rc, rerr = 0;

	if (!d || !dev || !dev->priv)
		return -EINVAL;
	v = d->v;
	ep = dev->priv;
	if (ep->v != v || ep->id != dev->id)
		return -EINVAL;

	pthread_mutex_lock(&v->dev_lock);
	old = ep->domain;
	pthread_mutex_unlock(&v->dev_lock);
	if (old == d)
		return 0;

	lock_two(d, old);
	if (d->kind == VIOMMU_DOM_IDENT_MAP) {
		if (!d->nr_endpoints) {
			err = viommu_ident_build(v, d, ep);
		} else {
			viommu_req_lock(v);
			for (size_t i = 0; i < ep->nr_resv && !err; i++)
				err = viommu_ident_carve(v, d,
							 ep->resv[i].start,
							 ep->resv[i].last,
							 true);
			viommu_req_unlock(v);
		}
		if (err) {
			unlock_two(d, old);
			viommu_evt_flush(v);
			return err;
		}
	}

	viommu_req_lock(v);
	rc = viommu_ep_attach(v, d, ep->id, d->nr_endpoints == 0, &rerr);
	if (rc == 1) {
		/* Attached, but the domain is incomplete: go back. */
		int back = 0, berr = 0;

		err = rerr;
		if (old) {
			back = viommu_ep_attach(v, old, ep->id,
						old->nr_endpoints == 1, &berr);
		} else {
			struct viommu_req r = {
				.type = VIRTIO_IOMMU_T_DETACH,
				.domain = d->id,
				.endpoint = ep->id,
			};

			back = viommu_req_send(v, &r);
		}
		if (back)
			vlog(v, IOMMU_LOG_ERR,
			     "endpoint 0x%x: cannot return to its domain (%d)",
			     ep->id, back == 1 ? berr : back);
	} else if (rc) {
		err = rc;
	}
	viommu_req_unlock(v);

	if (!err) {
		d->nr_endpoints++;
		if (old && old->nr_endpoints)
			old->nr_endpoints--;
	}
	unlock_two(d, old);

	if (!err) {
		pthread_mutex_lock(&v->dev_lock);
		ep->domain = d;
		pthread_mutex_unlock(&v->dev_lock);
	}
	viommu_evt_flush(v);
	return err;
}

/* ---- paging domain ops --------------------------------------------------- */

/**
 * viommu_drv_map_pages() - map @pgcount pages of @pgsize at @iova
 * @dom: paging domain
 * @iova, @paddr: both aligned to @pgsize
 * @pgsize: one size of the domain's page-size bitmap
 * @pgcount: number of pages, > 0
 * @prot: IOMMU_READ | IOMMU_WRITE | IOMMU_MMIO (MMIO needs F_MMIO)
 * @mapped: receives the bytes mapped from @iova on, also on failure
 *
 * Every page becomes one table entry; while the domain has endpoints one
 * MAP per page is sent, all behind one notify.
 * Context: takes dom->lock, then req_lock.  Safe against concurrent
 * map/unmap/iova_to_phys on disjoint ranges.
 * Return: 0; -EINVAL bad arguments or prot; -ERANGE outside the aperture;
 * -EEXIST a page overlaps a mapping (nothing done); -ENOMEM; the device's
 * status as errno; -ETIMEDOUT.
 */
static int viommu_drv_map_pages(void *dom, uint64_t iova, uint64_t paddr,
				uint64_t pgsize, uint64_t pgcount,
				unsigned int prot, uint64_t *mapped)
{
	struct viommu_domain *d = dom;
	struct viommu_batch b = { 0, UINT64_MAX };
	struct viommu_drv *v;
	uint64_t last, i, sent = 0;
	int err = 0;

	if (mapped)
		*mapped = 0;
	if (!d || !mapped || d->kind != VIOMMU_DOM_PAGING)
		return -EINVAL;
	v = d->v;
	if (!iommu_is_pow2(pgsize) || !(pgsize & v->page_size_mask) ||
	    !pgcount || (iova & (pgsize - 1)) || (paddr & (pgsize - 1)))
		return -EINVAL;
	if (prot & ~(unsigned int)IOMMU_PROT_MASK)
		return -EINVAL;
	if ((prot & IOMMU_MMIO) && !has_feat(v, VIRTIO_IOMMU_F_MMIO))
		return -EINVAL;
	if (pgcount > UINT64_MAX / pgsize ||
	    pgcount * pgsize - 1 > UINT64_MAX - iova ||
	    pgcount * pgsize - 1 > UINT64_MAX - paddr)
		return -ERANGE;
	last = iova + (pgcount * pgsize - 1);
	if (iova < v->input_start || last > v->input_last)
		return -ERANGE;

	pthread_mutex_lock(&d->lock);
	if (rangemap_first_overlap(&d->map, iova, last)) {
		pthread_mutex_unlock(&d->lock);
		return -EEXIST;
	}
	for (i = 0; i < pgcount; i++) {
		err = rangemap_insert(&d->map, iova + i * pgsize,
				      iova + i * pgsize + pgsize - 1,
				      paddr + i * pgsize, prot);
		if (err)
			break;
	}
	if (err) {
		while (i--)
			rangemap_remove(&d->map, iova + i * pgsize);
		pthread_mutex_unlock(&d->lock);
		return err;
	}
	if (!d->nr_endpoints) {
		pthread_mutex_unlock(&d->lock);
		*mapped = pgcount * pgsize;
		return 0;
	}

	viommu_req_lock(v);
	for (i = 0; i < pgcount; i++) {
		const struct rangemap_entry *e =
			rangemap_find(&d->map, iova + i * pgsize);

		err = viommu_queue_map(v, d, e, &b, i);
		if (err)
			break;
		sent++;
		if (b.err) /* a drain for room saw a failure: stop here */
			break;
	}
	if (!err)
		err = viommu_req_sync(v);
	if (err) {
		/* Queue broken: what the device did is unknown. */
		viommu_batch_abandon(v, &b);
		b.first_fail = 0;
		sent = pgcount;
	} else if (b.err) {
		err = b.err;
	} else {
		b.first_fail = pgcount;
	}
	if (b.first_fail < pgcount) {
		/* Drop everything from the first failure on. */
		uint64_t f = b.first_fail;

		if (sent > f + 1) {
			int rc = viommu_unmap_sync(v, d,
						   iova + (f + 1) * pgsize,
						   iova + sent * pgsize - 1);

			if (rc)
				vlog(v, IOMMU_LOG_ERR,
				     "domain %u: cannot undo a failed map (%d)",
				     d->id, rc);
		}
		for (i = f; i < pgcount; i++)
			rangemap_remove(&d->map, iova + i * pgsize);
		*mapped = f * pgsize;
	} else {
		*mapped = pgcount * pgsize;
	}
	viommu_req_unlock(v);
	pthread_mutex_unlock(&d->lock);
	viommu_evt_flush(v);
	return err;
}

/**
 * viommu_drv_unmap_pages() - remove whole entries from @iova on
 * @dom: paging domain
 * @iova: first address; must start an entry
 * @pgsize, @pgcount: the range is [iova, iova + pgsize * pgcount)
 * @gather: widened over what was removed; pending counts queued UNMAPs
 *
 * Stops at a hole or at an entry the range would cut.  While the domain
 * has endpoints one UNMAP for the removed range is published without a
 * notify; iotlb_sync() sends and waits for it.
 * Context: takes dom->lock, then req_lock.
 * Return: bytes removed (0 on bad arguments or if the UNMAP could not be
 * queued, in which case nothing is removed).
 */
static uint64_t viommu_drv_unmap_pages(void *dom, uint64_t iova,
				       uint64_t pgsize, uint64_t pgcount,
				       struct iommu_iotlb_gather *gather)
{
	struct viommu_domain *d = dom;
	const struct rangemap_entry *e;
	struct viommu_drv *v;
	uint64_t end, cur, last = 0, biggest = 0;
	bool any = false;

	if (!d || d->kind != VIOMMU_DOM_PAGING || !pgsize || !pgcount)
		return 0;
	v = d->v;
	if (pgcount > UINT64_MAX / pgsize ||
	    pgcount * pgsize - 1 > UINT64_MAX - iova)
		end = UINT64_MAX;
	else
		end = iova + (pgcount * pgsize - 1);

	pthread_mutex_lock(&d->lock);
	cur = iova;
	for (;;) {
		e = rangemap_find(&d->map, cur);
		if (!e || e->start != cur || e->last > end)
			break;
		any = true;
		last = e->last;
		if (e->last - e->start + 1 > biggest)
			biggest = e->last - e->start + 1;
		if (e->last == end)
			break;
		cur = e->last + 1;
	}
	if (!any) {
		pthread_mutex_unlock(&d->lock);
		return 0;
	}
	if (d->nr_endpoints) {
		struct viommu_req r = {
			.type = VIRTIO_IOMMU_T_UNMAP,
			.domain = d->id,
			.start = iova,
			.end = last,
		};
		int err;

		viommu_req_lock(v);
		err = viommu_req_queue(v, &r, NULL, d, 0);
		viommu_req_unlock(v);
		if (err) {
			vlog(v, IOMMU_LOG_ERR,
			     "domain %u: cannot queue UNMAP (%d)", d->id, err);
			pthread_mutex_unlock(&d->lock);
			viommu_evt_flush(v);
			return 0;
		}
		if (gather)
			gather->pending++;
	}
	cur = iova;
	for (;;) {
		e = rangemap_find(&d->map, cur);
		uint64_t el = e->last;

		rangemap_remove(&d->map, cur);
		if (el == last)
			break;
		cur = el + 1;
	}
	pthread_mutex_unlock(&d->lock);
	if (gather) {
		if (gather->start > gather->end) {
			gather->start = iova;
			gather->end = last;
		} else {
			if (iova < gather->start)
				gather->start = iova;
			if (last > gather->end)
				gather->end = last;
		}
		if (biggest > gather->pgsize)
			gather->pgsize = biggest;
	}
	viommu_evt_flush(v);
	return last - iova + 1;
}

/* Kick, wait for every queued request, collect @d's async errors. */
static int viommu_domain_sync(struct viommu_domain *d)
{
	struct viommu_drv *v = d->v;
	int err;

	viommu_req_lock(v);
	err = viommu_req_sync(v);
	if (!err)
		err = d->async_err;
	d->async_err = 0;
	viommu_req_unlock(v);
	viommu_evt_flush(v);
	return err;
}

/**
 * viommu_drv_iotlb_sync() - send the gathered UNMAPs and wait for them
 * @dom: paging domain
 * @gather: what unmap_pages() recorded (may be NULL); not reset here
 *
 * Waits for every request in the queue, so also for other threads' UNMAPs.
 * Context: takes req_lock.
 * Return: 0; -EINVAL bad domain; -ETIMEDOUT; the errno of an UNMAP of this
 * domain that failed since the last sync.
 */
static int viommu_drv_iotlb_sync(void *dom, struct iommu_iotlb_gather *gather)
{
	struct viommu_domain *d = dom;

	(void)gather;
	if (!d || d->kind != VIOMMU_DOM_PAGING)
		return -EINVAL;
	return viommu_domain_sync(d);
}

/* Same as iotlb_sync for the whole domain: UNMAP is the invalidation. */
static int viommu_drv_flush_iotlb_all(void *dom)
{
	struct viommu_domain *d = dom;

	if (!d || d->kind != VIOMMU_DOM_PAGING)
		return -EINVAL;
	return viommu_domain_sync(d);
}

/**
 * viommu_drv_iova_to_phys() - look @iova up in the driver's table
 * Context: takes dom->lock.
 * Return: 0 and *@phys; -ENOENT not mapped; -EINVAL bad arguments.
 */
static int viommu_drv_iova_to_phys(void *dom, uint64_t iova, uint64_t *phys)
{
	struct viommu_domain *d = dom;
	const struct rangemap_entry *e;
	int err = -ENOENT;

	if (!d || !phys || d->kind != VIOMMU_DOM_PAGING)
		return -EINVAL;
	pthread_mutex_lock(&d->lock);
	e = rangemap_find(&d->map, iova);
	if (e) {
		*phys = e->phys + (iova - e->start);
		err = 0;
	}
	pthread_mutex_unlock(&d->lock);
	return err;
}

/**
 * viommu_drv_domain_free() - free a paging domain
 * The core frees only domains without endpoints; the queue is drained
 * first so that no request in flight still names this domain.
 * Context: takes req_lock.
 */
static void viommu_drv_domain_free(void *dom)
{
	struct viommu_domain *d = dom;
	struct viommu_drv *v;

	if (!d || d->kind != VIOMMU_DOM_PAGING)
		return;
	v = d->v;
	if (d->nr_endpoints)
		vlog(v, IOMMU_LOG_WARN, "domain %u freed with %u endpoints",
		     d->id, d->nr_endpoints);
	viommu_req_lock(v);
	if (viommu_req_sync(v)) {
		/* Requests still in flight must not point at freed memory. */
		for (uint32_t i = 0; i < v->nslots; i++)
			if (v->slots[i].dom == d)
				v->slots[i].dom = NULL;
	}
	viommu_req_unlock(v);
	viommu_domain_fini(d);
	free(d);
	viommu_evt_flush(v);
}

/**
 * viommu_drv_domain_alloc() - a paging domain or a static one
 * @inst: instance
 * @type: UNMANAGED, DMA (new paging domain), BLOCKED, IDENTITY (static)
 * @info: receives ops, page sizes (page_size_mask; 0 for static domains)
 *        and the aperture (the input range)
 * @dom: receives the domain
 *
 * Context: takes id_lock.
 * Return: 0; -EINVAL bad arguments or type; -ENOSPC no domain ID left;
 * -ENOMEM.
 */
static int viommu_drv_domain_alloc(void *inst, enum iommu_domain_type type,
				   struct iommu_domain_info *info, void **dom)
{
	struct viommu_drv *v = inst;
	struct viommu_domain *d;
	int err;

	if (!v || !info || !dom)
		return -EINVAL;
	info->aperture_start = v->input_start;
	info->aperture_last = v->input_last;
	switch (type) {
	case IOMMU_DOMAIN_BLOCKED:
		info->ops = &viommu_static_ops;
		info->pgsize_bitmap = 0;
		*dom = &v->blocked;
		return 0;
	case IOMMU_DOMAIN_IDENTITY:
		info->ops = &viommu_static_ops;
		info->pgsize_bitmap = 0;
		*dom = &v->identity;
		return 0;
	case IOMMU_DOMAIN_UNMANAGED:
	case IOMMU_DOMAIN_DMA:
		break;
	default:
		return -EINVAL;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	err = viommu_domain_init(v, d, VIOMMU_DOM_PAGING);
	if (err) {
		free(d);
		return err;
	}
	info->ops = &viommu_paging_ops;
	info->pgsize_bitmap = v->page_size_mask;
	*dom = d;
	return 0;
}

/* ---- devices ------------------------------------------------------------- */

/**
 * viommu_drv_parse_probe() - read the RESV_MEM properties of a PROBE reply
 * @v: instance (for logs)
 * @p: the properties, @size bytes (probe_size)
 * @out: room for @max regions
 *
 * Spec 4: unknown types are skipped by their length, a header with its
 * reserved bits set is ignored, unknown subtypes count as RESERVED, the
 * list ends at type 0 or at @size; a property that runs past @size is
 * dropped.  MSI -> IOMMU_RESV_MSI (prot WRITE|MMIO), else
 * IOMMU_RESV_RESERVED (prot 0).
 * Return: number of regions written.
 */
static size_t viommu_drv_parse_probe(struct viommu_drv *v, const uint8_t *p,
				     size_t size, struct iommu_resv_region *out,
				     size_t max)
{
	size_t cur = 0, n = 0;

	while (cur + VIOMMU_PROP_HDR_SIZE <= size) {
		uint16_t hdr = vio_le16(p + cur);
		size_t len = vio_le16(p + cur + 2);
		unsigned int type = hdr & VIRTIO_IOMMU_PROBE_T_MASK;
		const uint8_t *body = p + cur + VIOMMU_PROP_HDR_SIZE;

		if (type == VIRTIO_IOMMU_PROBE_T_NONE)
			break;
		if (cur + VIOMMU_PROP_HDR_SIZE + len > size) {
			vlog(v, IOMMU_LOG_WARN,
			     "probe property at %zu overruns probe_size", cur);
			break;
		}
		cur += VIOMMU_PROP_HDR_SIZE + len;
		if (hdr & ~VIRTIO_IOMMU_PROBE_T_MASK)
			continue;
		if (type != VIRTIO_IOMMU_PROBE_T_RESV_MEM)
			continue;
		if (len < VIOMMU_RESV_MEM_SIZE - VIOMMU_PROP_HDR_SIZE) {
			vlog(v, IOMMU_LOG_WARN,
			     "RESV_MEM property of %zu bytes ignored", len);
			continue;
		}
		{
			uint8_t sub = body[0];
			uint64_t start = vio_le64(body + 4);
			uint64_t end = vio_le64(body + 12);

			if (end < start || n >= max)
				continue;
			out[n].start = start;
			out[n].last = end;
			if (sub == VIRTIO_IOMMU_RESV_MEM_T_MSI) {
				out[n].type = IOMMU_RESV_MSI;
				out[n].prot = IOMMU_WRITE | IOMMU_MMIO;
			} else {
				out[n].type = IOMMU_RESV_RESERVED;
				out[n].prot = 0;
			}
			n++;
		}
	}
	return n;
}

/**
 * viommu_drv_probe_device() - set up an endpoint and read its properties
 * @inst: instance
 * @dev: the device; dev->priv receives the endpoint state
 *
 * Sends PROBE when F_PROBE was negotiated and probe_size is not 0.
 * Context: takes req_lock, then dev_lock.
 * Return: 0; -EINVAL bad arguments; -EEXIST endpoint already probed;
 * -ENOMEM; the PROBE status as errno; -ETIMEDOUT.
 */
static int viommu_drv_probe_device(void *inst, struct iommu_dev_info *dev)
{
	struct viommu_drv *v = inst;
	struct viommu_ep *ep;
	int err = 0;

	if (!v || !dev)
		return -EINVAL;
	ep = calloc(1, sizeof(*ep));
	if (!ep)
		return -ENOMEM;
	ep->v = v;
	ep->id = dev->id;

	if (has_feat(v, VIRTIO_IOMMU_F_PROBE) && v->probe_size) {
		struct viommu_req r = {
			.type = VIRTIO_IOMMU_T_PROBE,
			.endpoint = dev->id,
		};
		size_t max = v->probe_size / VIOMMU_RESV_MEM_SIZE + 1;

		ep->resv = calloc(max, sizeof(*ep->resv));
		if (!ep->resv) {
			err = -ENOMEM;
			goto err_free_ep;
		}
		viommu_req_lock(v);
		err = viommu_req_send(v, &r);
		if (!err)
			ep->nr_resv = viommu_drv_parse_probe(
				v, v->probe_buf + VIOMMU_PROBE_RD_SIZE,
				v->probe_size, ep->resv, max);
		viommu_req_unlock(v);
		viommu_evt_flush(v);
		if (err) {
			vlog(v, IOMMU_LOG_ERR, "PROBE of endpoint 0x%x: %d",
			     dev->id, err);
			goto err_free_ep;
		}
	}

	pthread_mutex_lock(&v->dev_lock);
	err = rangemap_insert(&v->eps, dev->id, dev->id, (uintptr_t)ep, 0);
	pthread_mutex_unlock(&v->dev_lock);
	if (err)
		goto err_free_ep;
	dev->priv = ep;
	return 0;

err_free_ep:
	free(ep->resv);
	free(ep);
	return err;
}

/**
 * viommu_drv_release_device() - DETACH an endpoint and free its state
 * Context: takes the domain lock, req_lock, then dev_lock.
 */
static void viommu_drv_release_device(void *inst, struct iommu_dev_info *dev)
{
	struct viommu_drv *v = inst;
	struct viommu_domain *d;
	struct viommu_ep *ep;

	if (!v || !dev || !dev->priv)
		return;
	ep = dev->priv;
	if (ep->v != v)
		return;

	pthread_mutex_lock(&v->dev_lock);
	d = ep->domain;
	pthread_mutex_unlock(&v->dev_lock);
	if (d) {
		struct viommu_req r = {
			.type = VIRTIO_IOMMU_T_DETACH,
			.domain = d->id,
			.endpoint = ep->id,
		};
		int err;

		pthread_mutex_lock(&d->lock);
		viommu_req_lock(v);
		err = viommu_req_send(v, &r);
		viommu_req_unlock(v);
		if (err)
			vlog(v, IOMMU_LOG_WARN,
			     "DETACH of endpoint 0x%x from domain %u: %d",
			     ep->id, d->id, err);
		if (d->nr_endpoints)
			d->nr_endpoints--;
		pthread_mutex_unlock(&d->lock);
	}
	pthread_mutex_lock(&v->dev_lock);
	rangemap_remove(&v->eps, ep->id);
	pthread_mutex_unlock(&v->dev_lock);
	dev->priv = NULL;
	free(ep->resv);
	free(ep);
	viommu_evt_flush(v);
}

/**
 * viommu_drv_get_resv_regions() - the endpoint's RESV_MEM regions
 * @out: room for @max regions (may be NULL when @max is 0)
 * @count: receives how many there are (may exceed @max)
 * Return: 0; -EINVAL bad arguments.
 */
static int viommu_drv_get_resv_regions(void *inst, struct iommu_dev_info *dev,
				       struct iommu_resv_region *out,
				       size_t max, size_t *count)
{
	struct viommu_drv *v = inst;
	struct viommu_ep *ep;

	if (!v || !dev || !dev->priv || !count || (max && !out))
		return -EINVAL;
	ep = dev->priv;
	if (ep->v != v)
		return -EINVAL;
	for (size_t i = 0; i < ep->nr_resv && i < max; i++)
		out[i] = ep->resv[i];
	*count = ep->nr_resv;
	return 0;
}

static bool viommu_drv_capable(void *inst, struct iommu_dev_info *dev,
			       enum iommu_cap cap)
{
	(void)dev;
	return inst && cap == IOMMU_CAP_CACHE_COHERENCY;
}

/* ---- faults -------------------------------------------------------------- */

/**
 * viommu_drv_decode_fault() - decode one 24-byte fault report (spec 5)
 * @rec: the report
 * @f: receives the fault; reason MAPPING gives NOT_MAPPED here (the caller
 *     refines it to PERMISSION from its table)
 *
 * Return: 0; -EINVAL if reserved bytes 1..3 are not zero (ignore it).
 */
static int viommu_drv_decode_fault(const uint8_t *rec, struct iommu_fault *f)
{
	uint8_t reason = rec[0];
	uint32_t flags = vio_le32(rec + 4);

	if (rec[1] || rec[2] || rec[3])
		return -EINVAL;
	memset(f, 0, sizeof(*f));
	f->dev_id = vio_le32(rec + 8);
	f->pasid = IOMMU_NO_PASID;
	f->vendor_code = reason;
	if (flags & VIRTIO_IOMMU_FAULT_F_READ)
		f->access |= IOMMU_ACCESS_READ;
	if (flags & VIRTIO_IOMMU_FAULT_F_WRITE)
		f->access |= IOMMU_ACCESS_WRITE;
	if (flags & VIRTIO_IOMMU_FAULT_F_ADDRESS) {
		f->addr = vio_le64(rec + 16);
		f->flags |= IOMMU_FAULT_F_ADDR_VALID;
	}
	switch (reason) {
	case VIRTIO_IOMMU_FAULT_R_DOMAIN:
		f->reason = IOMMU_FAULT_NO_DOMAIN;
		break;
	case VIRTIO_IOMMU_FAULT_R_MAPPING:
		f->reason = IOMMU_FAULT_NOT_MAPPED;
		break;
	default:
		f->reason = IOMMU_FAULT_UNKNOWN;
		break;
	}
	return 0;
}

/* MAPPING fault at a mapped address: a permission fault.  No locks held. */
static void viommu_fault_refine(struct viommu_drv *v, struct iommu_fault *f)
{
	const struct rangemap_entry *e;
	struct viommu_domain *d;

	if (f->reason != IOMMU_FAULT_NOT_MAPPED ||
	    !(f->flags & IOMMU_FAULT_F_ADDR_VALID))
		return;
	pthread_mutex_lock(&v->dev_lock);
	e = rangemap_find(&v->eps, f->dev_id);
	d = e ? ((struct viommu_ep *)(uintptr_t)e->phys)->domain : NULL;
	if (d && (d->kind == VIOMMU_DOM_PAGING ||
		  d->kind == VIOMMU_DOM_IDENT_MAP)) {
		pthread_mutex_lock(&d->lock);
		if (rangemap_find(&d->map, f->addr))
			f->reason = IOMMU_FAULT_PERMISSION;
		pthread_mutex_unlock(&d->lock);
	}
	pthread_mutex_unlock(&v->dev_lock);
}

/*
 * Consume the event queue: decode reports, re-post their buffers, notify,
 * then deliver the faults with no lock held.  Context: no driver lock.
 */
static void viommu_evt_process(struct viommu_drv *v)
{
	for (;;) {
		uint8_t recs[VIOMMU_EVT_BATCH][VIOMMU_FAULT_SIZE];
		unsigned int nrec = 0, reposted = 0;
		bool more = false;

		pthread_mutex_lock(&v->evt_lock);
		for (;;) {
			uint16_t used = vq_used_idx(&v->eq);
			const uint8_t *e;
			uint32_t id, len;

			if (used == v->eq.last_used)
				break;
			if (nrec == VIOMMU_EVT_BATCH) {
				more = true;
				break;
			}
			e = v->eq.used + 4 +
			    8 * (size_t)(v->eq.last_used % v->eq.num);
			v->eq.last_used++;
			id = vio_le32(e);
			len = vio_le32(e + 4);
			if (id >= v->eq.num || !v->evt_posted[id]) {
				vlog(v, IOMMU_LOG_WARN,
				     "event queue returns idle buffer %u", id);
				continue;
			}
			v->evt_posted[id] = false;
			if (len == VIOMMU_FAULT_SIZE)
				memcpy(recs[nrec++],
				       v->eq.buf +
					       (size_t)id * VIOMMU_FAULT_SIZE,
				       VIOMMU_FAULT_SIZE);
			else
				vlog(v, IOMMU_LOG_WARN,
				     "fault report of %u bytes ignored", len);
			memset(v->eq.buf + (size_t)id * VIOMMU_FAULT_SIZE, 0,
			       VIOMMU_FAULT_SIZE);
			v->evt_posted[id] = true;
			vq_publish(&v->eq, (uint16_t)id);
			reposted++;
		}
		pthread_mutex_unlock(&v->evt_lock);

		if (reposted && vq_notify(v, VIOMMU_EVENT_VQ))
			vlog(v, IOMMU_LOG_ERR, "event queue notify failed");
		for (unsigned int i = 0; i < nrec; i++) {
			struct iommu_fault f;

			if (viommu_drv_decode_fault(recs[i], &f)) {
				vlog(v, IOMMU_LOG_WARN,
				     "fault report with reserved bits ignored");
				continue;
			}
			viommu_fault_refine(v, &f);
			v->host->ops->report_fault(v->host, &f);
		}
		if (!more)
			break;
	}
}

/**
 * viommu_drv_irq() - the virtio-mmio interrupt
 * @inst: instance
 * @vector: 0 (virtio-mmio has one line)
 *
 * Acks InterruptStatus and consumes the event queue.  When called from a
 * notify this thread made under req_lock, only sets a flag; that thread
 * consumes the queue after dropping its locks.
 * Context: never takes req_lock; takes evt_lock, dev_lock, domain locks.
 */
static void viommu_drv_irq(void *inst, unsigned int vector)
{
	struct viommu_drv *v = inst;
	uint64_t isr = 0;

	(void)vector;
	if (!v)
		return;
	if (!v->bus.ops->mmio_read(v->bus.opaque, VMMIO_INTERRUPT_STATUS, 4,
				   &isr) &&
	    isr)
		v->bus.ops->mmio_write(v->bus.opaque, VMMIO_INTERRUPT_ACK, 4,
				       isr);
	if (isr & VMMIO_INT_CONFIG)
		vlog(v, IOMMU_LOG_INFO, "configuration changed");
	if (viommu_req_owned_by_me(v)) {
		atomic_store(&v->evt_deferred, true);
		return;
	}
	viommu_evt_process(v);
}

/* ---- probe and release --------------------------------------------------- */

static int mmio_r32(struct viommu_drv *v, uint64_t off, uint32_t *val)
{
	uint64_t x = 0;
	int err = v->bus.ops->mmio_read(v->bus.opaque, off, 4, &x);

	*val = (uint32_t)x;
	return err;
}

static int mmio_w32(struct viommu_drv *v, uint64_t off, uint32_t val)
{
	return v->bus.ops->mmio_write(v->bus.opaque, off, 4, val);
}

/* Read the 40-byte config, consistent across ConfigGeneration (1.3). */
static int viommu_read_config(struct viommu_drv *v,
			      uint8_t cfg[VIOMMU_CFG_SIZE])
{
	for (int tries = 0; tries < 16; tries++) {
		uint32_t g0, g1, w;
		int err = mmio_r32(v, VMMIO_CONFIG_GENERATION, &g0);

		for (unsigned int off = 0; !err && off < VIOMMU_CFG_SIZE;
		     off += 4) {
			err = mmio_r32(v, VMMIO_CONFIG + off, &w);
			vio_put32(cfg + off, w);
		}
		if (!err)
			err = mmio_r32(v, VMMIO_CONFIG_GENERATION, &g1);
		if (err)
			return err;
		if (g0 == g1)
			return 0;
	}
	return -EIO;
}

static int viommu_set_status(struct viommu_drv *v, uint32_t status)
{
	return mmio_w32(v, VMMIO_STATUS, status);
}

static int viommu_reset(struct viommu_drv *v)
{
	uint32_t st = 0;

	if (viommu_set_status(v, 0))
		return -EIO;
	for (unsigned int i = 0; i < VIOMMU_RESET_POLLS; i++) {
		if (mmio_r32(v, VMMIO_STATUS, &st))
			return -EIO;
		if (!st)
			return 0;
		sched_yield();
	}
	return -ETIMEDOUT;
}

/* Program queue @vq into the transport (virtio-mmio 4.2.3.2). */
static int viommu_setup_queue(struct viommu_drv *v, struct viommu_vq *vq)
{
	int err = 0;

	err |= mmio_w32(v, VMMIO_QUEUE_SEL, vq->index);
	err |= mmio_w32(v, VMMIO_QUEUE_NUM, vq->num);
	err |= mmio_w32(v, VMMIO_QUEUE_DESC_LOW, (uint32_t)vq->desc_pa);
	err |= mmio_w32(v, VMMIO_QUEUE_DESC_HIGH,
			(uint32_t)(vq->desc_pa >> 32));
	err |= mmio_w32(v, VMMIO_QUEUE_DRIVER_LOW, (uint32_t)vq->avail_pa);
	err |= mmio_w32(v, VMMIO_QUEUE_DRIVER_HIGH,
			(uint32_t)(vq->avail_pa >> 32));
	err |= mmio_w32(v, VMMIO_QUEUE_DEVICE_LOW, (uint32_t)vq->used_pa);
	err |= mmio_w32(v, VMMIO_QUEUE_DEVICE_HIGH,
			(uint32_t)(vq->used_pa >> 32));
	err |= mmio_w32(v, VMMIO_QUEUE_READY, 1);
	return err ? -EIO : 0;
}

/* Queue size: the parameter, clamped to QueueNumMax, a power of two. */
static int viommu_queue_size(struct viommu_drv *v, unsigned int index,
			     uint64_t want, uint32_t min, uint32_t *num)
{
	uint32_t max = 0, ready = 0;
	uint64_t n;

	if (!iommu_is_pow2(want)) {
		vlog(v, IOMMU_LOG_ERR,
		     "queue %u: size %llu is not a power of two", index,
		     (unsigned long long)want);
		return -EINVAL;
	}
	if (mmio_w32(v, VMMIO_QUEUE_SEL, index) ||
	    mmio_r32(v, VMMIO_QUEUE_NUM_MAX, &max) ||
	    mmio_r32(v, VMMIO_QUEUE_READY, &ready))
		return -EIO;
	if (ready) {
		vlog(v, IOMMU_LOG_ERR, "queue %u is already live", index);
		return -ENODEV;
	}
	n = want < max ? want : max;
	if (n > VRING_MAX_SIZE)
		n = VRING_MAX_SIZE;
	while (n & (n - 1))
		n &= n - 1;
	if (n < min) {
		vlog(v, IOMMU_LOG_ERR, "queue %u: QueueNumMax %u too small",
		     index, max);
		return -ENODEV;
	}
	*num = (uint32_t)n;
	return 0;
}

static void viommu_free_queues(struct viommu_drv *v)
{
	if (v->probe_alloc)
		v->host->ops->table_free(v->host, v->probe_pa, v->probe_alloc);
	v->probe_alloc = 0;
	vq_free(v, &v->rq);
	vq_free(v, &v->eq);
	free(v->slots);
	free(v->free_slots);
	free(v->evt_posted);
	v->slots = NULL;
	v->free_slots = NULL;
	v->evt_posted = NULL;
}

/* Allocate and program both queues; post the event buffers later. */
static int viommu_init_queues(struct viommu_drv *v, const uint64_t *params)
{
	uint32_t rnum, enum_;
	int err;

	err = viommu_queue_size(v, VIOMMU_REQUEST_VQ,
				params[VIOMMU_P_DRV_REQ_QUEUE], 2, &rnum);
	if (!err)
		err = viommu_queue_size(v, VIOMMU_EVENT_VQ,
					params[VIOMMU_P_DRV_EVT_QUEUE], 1,
					&enum_);
	if (err)
		return err;

	v->nslots = rnum / 2;
	v->slots = calloc(v->nslots, sizeof(*v->slots));
	v->free_slots = calloc(v->nslots, sizeof(*v->free_slots));
	v->evt_posted = calloc(enum_, sizeof(*v->evt_posted));
	if (!v->slots || !v->free_slots || !v->evt_posted) {
		err = -ENOMEM;
		goto err_free;
	}
	for (uint32_t i = 0; i < v->nslots; i++)
		v->free_slots[i] = v->nslots - 1 - i;
	v->nr_free = v->nslots;

	err = vq_alloc(v, &v->rq, VIOMMU_REQUEST_VQ, rnum,
		       (size_t)v->nslots * VIOMMU_SLOT_SIZE);
	if (err)
		goto err_free;
	err = vq_alloc(v, &v->eq, VIOMMU_EVENT_VQ, enum_,
		       (size_t)enum_ * VIOMMU_FAULT_SIZE);
	if (err)
		goto err_free;
	if (has_feat(v, VIRTIO_IOMMU_F_PROBE) && v->probe_size) {
		v->probe_alloc = pow2_at_least(VIOMMU_PROBE_RD_SIZE +
					       (size_t)v->probe_size +
					       VIOMMU_TAIL_SIZE);
		err = v->host->ops->table_alloc(v->host, v->probe_alloc,
						&v->probe_pa);
		if (err) {
			v->probe_alloc = 0;
			goto err_free;
		}
		v->probe_buf = viommu_table_ptr(v, v->probe_pa, v->probe_alloc);
		if (!v->probe_buf) {
			err = -EFAULT;
			goto err_free;
		}
	}
	for (uint32_t i = 0; i < enum_; i++)
		vq_set_desc(&v->eq, i, v->eq.buf_pa + (uint64_t)i *
			    VIOMMU_FAULT_SIZE, VIOMMU_FAULT_SIZE,
			    VRING_DESC_F_WRITE, 0);

	err = viommu_setup_queue(v, &v->rq);
	if (!err)
		err = viommu_setup_queue(v, &v->eq);
	if (err)
		goto err_free;
	return 0;

err_free:
	viommu_free_queues(v);
	return err;
}

static int viommu_negotiate(struct viommu_drv *v)
{
	const uint64_t wanted = (1ull << VIRTIO_F_VERSION_1) |
				(1ull << VIRTIO_IOMMU_F_MAP_UNMAP) |
				(1ull << VIRTIO_IOMMU_F_INPUT_RANGE) |
				(1ull << VIRTIO_IOMMU_F_DOMAIN_RANGE) |
				(1ull << VIRTIO_IOMMU_F_PROBE) |
				(1ull << VIRTIO_IOMMU_F_MMIO) |
				(1ull << VIRTIO_IOMMU_F_BYPASS_CONFIG);
	uint32_t lo, hi, st = 0;
	uint64_t dev;

	if (mmio_w32(v, VMMIO_DEVICE_FEATURES_SEL, 0) ||
	    mmio_r32(v, VMMIO_DEVICE_FEATURES, &lo) ||
	    mmio_w32(v, VMMIO_DEVICE_FEATURES_SEL, 1) ||
	    mmio_r32(v, VMMIO_DEVICE_FEATURES, &hi))
		return -EIO;
	dev = (uint64_t)hi << 32 | lo;
	if (!(dev & (1ull << VIRTIO_F_VERSION_1))) {
		vlog(v, IOMMU_LOG_ERR,
		     "device features 0x%llx lack VERSION_1",
		     (unsigned long long)dev);
		return -ENODEV;
	}
	if (!(dev & (1ull << VIRTIO_IOMMU_F_MAP_UNMAP))) {
		vlog(v, IOMMU_LOG_ERR,
		     "device features 0x%llx lack MAP_UNMAP",
		     (unsigned long long)dev);
		return -ENODEV;
	}
	v->features = dev & wanted;
	if (mmio_w32(v, VMMIO_DRIVER_FEATURES_SEL, 0) ||
	    mmio_w32(v, VMMIO_DRIVER_FEATURES, (uint32_t)v->features) ||
	    mmio_w32(v, VMMIO_DRIVER_FEATURES_SEL, 1) ||
	    mmio_w32(v, VMMIO_DRIVER_FEATURES, (uint32_t)(v->features >> 32)))
		return -EIO;
	if (viommu_set_status(v, VIRTIO_STATUS_ACKNOWLEDGE |
				      VIRTIO_STATUS_DRIVER |
				      VIRTIO_STATUS_FEATURES_OK) ||
	    mmio_r32(v, VMMIO_STATUS, &st))
		return -EIO;
	if (!(st & VIRTIO_STATUS_FEATURES_OK)) {
		vlog(v, IOMMU_LOG_ERR, "device refused features 0x%llx",
		     (unsigned long long)v->features);
		return -ENODEV;
	}
	return 0;
}

static int viommu_parse_config(struct viommu_drv *v)
{
	uint8_t cfg[VIOMMU_CFG_SIZE];
	int err = viommu_read_config(v, cfg);

	if (err)
		return -EIO;
	v->page_size_mask = vio_le64(cfg + VIOMMU_CFG_PAGE_SIZE_MASK);
	if (!v->page_size_mask) {
		vlog(v, IOMMU_LOG_ERR, "page_size_mask is 0");
		return -ENODEV;
	}
	v->granule = v->page_size_mask & -v->page_size_mask;
	v->input_start = 0;
	v->input_last = UINT64_MAX;
	if (has_feat(v, VIRTIO_IOMMU_F_INPUT_RANGE)) {
		v->input_start = vio_le64(cfg + VIOMMU_CFG_INPUT_START);
		v->input_last = vio_le64(cfg + VIOMMU_CFG_INPUT_END);
	}
	if (v->input_last < v->input_start) {
		vlog(v, IOMMU_LOG_ERR, "empty input range 0x%llx..0x%llx",
		     (unsigned long long)v->input_start,
		     (unsigned long long)v->input_last);
		return -ENODEV;
	}
	v->domain_start = 0;
	v->domain_last = UINT32_MAX;
	if (has_feat(v, VIRTIO_IOMMU_F_DOMAIN_RANGE)) {
		v->domain_start = vio_le32(cfg + VIOMMU_CFG_DOMAIN_START);
		v->domain_last = vio_le32(cfg + VIOMMU_CFG_DOMAIN_END);
	}
	if (v->domain_last <= v->domain_start) {
		vlog(v, IOMMU_LOG_ERR,
		     "domain range %u..%u holds fewer than 2 IDs",
		     v->domain_start, v->domain_last);
		return -ENODEV;
	}
	v->id_cursor = v->domain_start;
	v->probe_size = 0;
	if (has_feat(v, VIRTIO_IOMMU_F_PROBE))
		v->probe_size = vio_le32(cfg + VIOMMU_CFG_PROBE_SIZE);
	if (v->probe_size > 65536) {
		vlog(v, IOMMU_LOG_ERR, "probe_size %u too large",
		     v->probe_size);
		return -ENODEV;
	}
	return 0;
}

static void viommu_post_events(struct viommu_drv *v)
{
	pthread_mutex_lock(&v->evt_lock);
	for (uint32_t i = 0; i < v->eq.num; i++) {
		v->evt_posted[i] = true;
		vq_publish(&v->eq, (uint16_t)i);
	}
	pthread_mutex_unlock(&v->evt_lock);
	if (vq_notify(v, VIOMMU_EVENT_VQ))
		vlog(v, IOMMU_LOG_ERR, "event queue notify failed");
}

static void viommu_destroy_locks(struct viommu_drv *v)
{
	pthread_mutex_destroy(&v->req_lock);
	pthread_mutex_destroy(&v->evt_lock);
	pthread_mutex_destroy(&v->dev_lock);
	pthread_mutex_destroy(&v->id_lock);
}

/**
 * viommu_drv_probe() - find and start the virtio-iommu behind @bus
 * @host: core services
 * @bus: the virtio-mmio window
 * @params: the [virtio] section (VIOMMU_P_DRV_* are read)
 * @cfg: core settings (unused: invalidation mode is the core's business)
 * @inst: receives the instance
 *
 * Context: single-threaded (the instance is not yet published).
 * Return: 0; -EINVAL bad arguments or queue size; -ENODEV not a
 * virtio-iommu, missing VERSION_1/MAP_UNMAP, features refused, bad config;
 * -EIO register access failed; -ENOMEM; -ETIMEDOUT reset never completed.
 */
static int viommu_drv_probe(struct iommu_host *host,
			    const struct iommu_bus *bus, const uint64_t *params,
			    const struct iommu_core_cfg *cfg, void **inst)
{
	struct viommu_drv *v;
	uint32_t magic, version, devid;
	int err;

	(void)cfg;
	if (!host || !host->ops || !host->ops->log || !host->ops->mem_ptr ||
	    !host->ops->table_alloc || !host->ops->table_free ||
	    !host->ops->report_fault || !bus || !bus->ops ||
	    !bus->ops->mmio_read || !bus->ops->mmio_write || !params || !inst)
		return -EINVAL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->host = host;
	v->bus = *bus;
	v->identity_bypass = params[VIOMMU_P_DRV_IDENTITY_BYPASS] != 0;
	v->timeout_polls = params[VIOMMU_P_DRV_TIMEOUT] ?
				   params[VIOMMU_P_DRV_TIMEOUT] : 1;
	rangemap_init(&v->eps);
	rangemap_init(&v->ids);
	if (pthread_mutex_init(&v->req_lock, NULL) ||
	    pthread_mutex_init(&v->evt_lock, NULL) ||
	    pthread_mutex_init(&v->dev_lock, NULL) ||
	    pthread_mutex_init(&v->id_lock, NULL)) {
		free(v);
		return -ENOMEM;
	}

	if (mmio_r32(v, VMMIO_MAGIC_VALUE, &magic) ||
	    mmio_r32(v, VMMIO_VERSION, &version) ||
	    mmio_r32(v, VMMIO_DEVICE_ID, &devid)) {
		err = -EIO;
		goto err_free;
	}
	if (magic != VMMIO_MAGIC) {
		vlog(v, IOMMU_LOG_ERR, "bad virtio-mmio magic 0x%x", magic);
		err = -ENODEV;
		goto err_free;
	}
	if (version != VMMIO_VERSION_MODERN) {
		vlog(v, IOMMU_LOG_ERR, "virtio-mmio version %u, need 2",
		     version);
		err = -ENODEV;
		goto err_free;
	}
	if (devid != VIRTIO_ID_IOMMU) {
		vlog(v, IOMMU_LOG_ERR, "virtio device ID %u, need %u", devid,
		     VIRTIO_ID_IOMMU);
		err = -ENODEV;
		goto err_free;
	}
	err = viommu_reset(v);
	if (err)
		goto err_free;
	if (viommu_set_status(v, VIRTIO_STATUS_ACKNOWLEDGE) ||
	    viommu_set_status(v, VIRTIO_STATUS_ACKNOWLEDGE |
					 VIRTIO_STATUS_DRIVER)) {
		err = -EIO;
		goto err_fail;
	}
	err = viommu_negotiate(v);
	if (err)
		goto err_fail;
	err = viommu_parse_config(v);
	if (err)
		goto err_fail;
	err = viommu_init_queues(v, params);
	if (err)
		goto err_fail;

	err = viommu_domain_init(v, &v->blocked, VIOMMU_DOM_BLOCKED);
	if (err)
		goto err_free_queues;
	err = viommu_domain_init(v, &v->identity,
				 has_feat(v, VIRTIO_IOMMU_F_BYPASS_CONFIG) &&
						 v->identity_bypass ?
					 VIOMMU_DOM_BYPASS :
					 VIOMMU_DOM_IDENT_MAP);
	if (err)
		goto err_free_blocked;

	if (viommu_set_status(v, VIRTIO_STATUS_ACKNOWLEDGE |
					 VIRTIO_STATUS_DRIVER |
					 VIRTIO_STATUS_FEATURES_OK |
					 VIRTIO_STATUS_DRIVER_OK)) {
		err = -EIO;
		goto err_free_identity;
	}
	if (has_feat(v, VIRTIO_IOMMU_F_BYPASS_CONFIG)) {
		uint64_t b = 1;

		if (v->bus.ops->mmio_write(v->bus.opaque,
					   VMMIO_CONFIG + VIOMMU_CFG_BYPASS, 1,
					   0) ||
		    v->bus.ops->mmio_read(v->bus.opaque,
					  VMMIO_CONFIG + VIOMMU_CFG_BYPASS, 1,
					  &b) ||
		    (b & 1))
			vlog(v, IOMMU_LOG_WARN,
			     "config bypass did not clear: "
			     "unattached endpoints may bypass");
	}
	viommu_post_events(v);
	vlog(v, IOMMU_LOG_DEBUG,
	     "features 0x%llx, granule 0x%llx, input 0x%llx..0x%llx, "
	     "domains %u..%u, probe_size %u, queues %u/%u",
	     (unsigned long long)v->features, (unsigned long long)v->granule,
	     (unsigned long long)v->input_start,
	     (unsigned long long)v->input_last, v->domain_start,
	     v->domain_last, v->probe_size, v->rq.num, v->eq.num);
	*inst = v;
	return 0;

err_free_identity:
	viommu_domain_fini(&v->identity);
err_free_blocked:
	viommu_domain_fini(&v->blocked);
err_free_queues:
	viommu_reset(v);
	viommu_free_queues(v);
err_fail:
	viommu_reset(v);
	viommu_set_status(v, VIRTIO_STATUS_FAILED);
err_free:
	rangemap_clear(&v->ids);
	viommu_destroy_locks(v);
	free(v);
	return err;
}

/**
 * viommu_drv_release() - reset the device and free everything
 * Devices were released and paging domains freed by the core before;
 * endpoint state still present is freed here.
 */
static void viommu_drv_release(void *inst)
{
	struct viommu_drv *v = inst;
	const struct rangemap_entry *e;

	if (!v)
		return;
	if (viommu_reset(v))
		vlog(v, IOMMU_LOG_WARN, "device reset did not complete");
	for (e = rangemap_first_overlap(&v->eps, 0, UINT64_MAX); e;
	     e = rangemap_next(&v->eps, e)) {
		struct viommu_ep *ep = (struct viommu_ep *)(uintptr_t)e->phys;

		free(ep->resv);
		free(ep);
	}
	rangemap_clear(&v->eps);
	viommu_domain_fini(&v->identity);
	viommu_domain_fini(&v->blocked);
	viommu_free_queues(v);
	rangemap_clear(&v->ids);
	viommu_destroy_locks(v);
	free(v);
}

/* ---- ops tables ---------------------------------------------------------- */

static const struct iommu_domain_ops viommu_paging_ops = {
	.size = IOMMU_TABLE_SIZE(iommu_domain_ops),
	.attach_dev = viommu_drv_attach_dev,
	.map_pages = viommu_drv_map_pages,
	.unmap_pages = viommu_drv_unmap_pages,
	.iotlb_sync = viommu_drv_iotlb_sync,
	.flush_iotlb_all = viommu_drv_flush_iotlb_all,
	.iova_to_phys = viommu_drv_iova_to_phys,
	.free = viommu_drv_domain_free,
};

/* Static domains: the core never maps, unmaps or frees them. */
static const struct iommu_domain_ops viommu_static_ops = {
	.size = IOMMU_TABLE_SIZE(iommu_domain_ops),
	.attach_dev = viommu_drv_attach_dev,
};

const struct iommu_ops viommu_drv_ops = {
	.size = IOMMU_TABLE_SIZE(iommu_ops),
	.probe = viommu_drv_probe,
	.release = viommu_drv_release,
	.probe_device = viommu_drv_probe_device,
	.release_device = viommu_drv_release_device,
	.domain_alloc = viommu_drv_domain_alloc,
	.get_resv_regions = viommu_drv_get_resv_regions,
	.capable = viommu_drv_capable,
	.backend_features = 0,
	.irq = viommu_drv_irq,
};
