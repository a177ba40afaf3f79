/* SPDX-License-Identifier: MIT */
/*
 * hw.h - the virtio-iommu device model (the "hardware"): its state, the
 * declarations its files share, and the model's decisions.
 *
 * The model is a virtio-iommu device (spec sheet sections 1-7) behind a
 * virtio-mmio version 2 register window.  The driver reaches it only
 * through that window and through guest memory:
 *
 *  - Transport: magic/version/IDs, 64-bit feature negotiation through the
 *    *_SEL registers, two split virtqueues (0 = requests, 1 = events),
 *    InterruptStatus/ACK, Status and the 40-byte device config at 0x100.
 *    Writing Status 0 resets the device: every domain, mapping, endpoint
 *    attachment and queue is gone, config.bypass keeps its value.
 *  - Request queue: consumed on QueueNotify (or the notify op) once
 *    DRIVER_OK and FEATURES_OK are set and the queue is ready.  Each chain
 *    is walked (NEXT, INDIRECT when negotiated, readable before writable),
 *    the readable bytes are gathered, the request executed and the status
 *    tail written at the start of the writable part.  A hostile chain
 *    (loop, index out of range, nested indirect, buffer outside RAM,
 *    writable part under 4 bytes) is returned with used length 0; when
 *    only a readable buffer is outside RAM the tail says DEVERR.
 *  - State: a set of endpoints (the platform adds them with endpoint_add),
 *    domains created by their first ATTACH and destroyed with their
 *    mappings when the last endpoint leaves, and per domain a rangemap of
 *    mappings (one entry per MAP; UNMAP never splits one).
 *  - translate() follows spec 6.3 and reports failures as 24-byte fault
 *    records in event-queue buffers (spec 5).  Every fault record carries
 *    ADDRESS and the READ or WRITE bit of the access (our choice: QEMU
 *    omits the access bit for non-permission faults; the spec allows it).
 *
 * Files (this header holds every decision; the .c files say where they
 * apply):
 *  - hw_regs.c: the virtio-mmio registers, feature negotiation, Status
 *    and reset, the device config, the [virtio] keys, create/destroy and
 *    the ops table.
 *  - hw_queue.c: the virtqueue consumer: snapshots, ring words, chains
 *    (NEXT, INDIRECT), used ring and event index, the request loop.
 *  - hw_req.c: endpoint and domain state; ATTACH, DETACH, MAP, UNMAP,
 *    PROBE.
 *  - hw_xlate.c: translate() (spec 6.3), bypass, endpoint_add/remove.
 *  - hw_event.c: fault records in the event queue (spec 5).
 * Guest memory, counters, clipping and parameter errors come from
 * plugins/lib (ilib_*).
 *
 * Decisions where the spec leaves a choice (docs/architecture.md):
 *  - A request type whose feature was not negotiated (MAP/UNMAP without
 *    MAP_UNMAP, PROBE without PROBE) is an unknown type: used length 0.
 *  - MAP whose physical range would wrap past 2^64: RANGE.
 *  - UNMAP with virt_end < virt_start: INVAL.
 *  - INPUT_RANGE and DOMAIN_RANGE limits apply when the feature is
 *    offered (the config fields are then valid), negotiated or not.
 *  - An event buffer smaller than 24 bytes is consumed and returned with
 *    used length 0; the fault is lost (IOMMU_STAT_FAULTS_LOST).
 *  - A DMA request with a PASID: virtio-iommu has no PASIDs, so it faults
 *    with reason UNKNOWN.
 *  - A ring (avail/used) outside RAM or an avail index more than the queue
 *    size ahead sets DEVICE_NEEDS_RESET and a config interrupt.
 *
 * Locking.  Lock order: queue lock -> reg_lock -> state_lock.
 *  - q[i].lock serializes the consumer side of queue i (its shadow
 *    indices and scratch buffers).
 *  - reg_lock guards the transport registers; the snapshot a consumer
 *    takes of them is made under it.  bypass and the negotiated features
 *    are also kept in atomics so translate() never takes reg_lock.
 *    Every change of a register a snapshot copies bumps reg_gen (under
 *    reg_lock, release); a queue keeps its last snapshot with the
 *    generation it was taken at and takes reg_lock again only when
 *    reg_gen moved (viommu_hw_snap()), so a doorbell with no register
 *    change in between takes no register lock.  A snapshot taken while
 *    a write is under way is the one taken just before that write.
 *  - state_lock (mutex) serializes the writers of endpoints, domains and
 *    mappings (requests, endpoint_add/remove, reset) and the readers that
 *    want a stable view (PROBE, dump).  translate() takes no lock: see
 *    "The state's readers" below.
 *  - host->ops->raise_irq is never called with any lock held: the driver's
 *    handler calls back into mmio_read/mmio_write and notify.
 *
 * The state's readers.  translate() runs on every DMA of every device
 * thread; a reader lock there is two atomic read-modify-writes on one
 * shared line per lookup.  Instead:
 *  - Writers, under state_lock, make state_seq odd before they change
 *    anything and even again after (hw_state_write_begin/_end()); every
 *    store a reader may see is an atomic release store (so a reader that
 *    loads a pointer sees what it points to initialized, and one that
 *    reads any new value sees the odd count after it).
 *  - translate() loads state_seq, looks up with atomic acquire loads only
 *    (rangemap_find_shared(); on x86 plain loads), copies what it found,
 *    and trusts the copy only if state_seq was even and has not moved (a
 *    seqlock read, with no fence on either side).  It tries HW_READ_TRIES
 *    times, then takes state_lock: a reader never spins behind a writer
 *    that is not running.
 *  - Such a reader may follow a pointer a writer has just unlinked.  So
 *    the memory it can reach is never freed while the model lives: the
 *    nodes of the endpoint, domain and mapping maps come from one pool
 *    (rangemap_pool) and freed domains go to dom_pool; both are reused
 *    only as the same type and freed by destroy().  A stale pointer thus
 *    reads a node or a domain, perhaps another one, never freed memory,
 *    and the sequence check throws the result away; a descent that
 *    loops in a tree under change is cut short (RANGEMAP_SHARED_STEPS).
 *    The price: the pools keep the most nodes and domains the device
 *    held at once (bounded by max_mappings and max_domains).
 *  - Endpoint slots (ep_slot): translate() finds an endpoint and its
 *    domain in a slot picked by a hash of its ID, not by a descent of
 *    the endpoint map.  A slot holds the first endpoint added while it
 *    was free among those whose ID hashes to it, with a copy of that
 *    endpoint's domain the writers keep with the map
 *    (hw_ep_set_domain()); any other endpoint is looked up in the map.
 *  - Completion: a request's writer section ends (release) before its
 *    used element is published, so a translate() that starts after the
 *    driver saw the completion loads state_seq at or after that end and
 *    reads the new state.  A translate() that read state_seq earlier
 *    returns what held before: it is ordered before the completion, as a
 *    reader holding a lock across the request would have been.
 */
#ifndef VIOMMU_HW_H
#define VIOMMU_HW_H

#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ilib_mem.h"
#include "ilib_trace.h"
#include "ilib_util.h"
#include "iommu/plugin.h"
#include "params.h"
#include "rangemap.h"
#include "regs.h"

#define BIT64(n) (1ull << (n))

/* Feature bits this model implements; anything else cannot be offered. */
#define VIOMMU_HW_KNOWN_FEATURES                                               \
	(BIT64(VIRTIO_IOMMU_F_INPUT_RANGE) |                                   \
	 BIT64(VIRTIO_IOMMU_F_DOMAIN_RANGE) |                                  \
	 BIT64(VIRTIO_IOMMU_F_MAP_UNMAP) | BIT64(VIRTIO_IOMMU_F_BYPASS) |      \
	 BIT64(VIRTIO_IOMMU_F_PROBE) | BIT64(VIRTIO_IOMMU_F_MMIO) |            \
	 BIT64(VIRTIO_IOMMU_F_BYPASS_CONFIG) | BIT64(VIRTIO_F_INDIRECT_DESC) | \
	 BIT64(VIRTIO_F_EVENT_IDX) | BIT64(VIRTIO_F_VERSION_1))

/* Readable and writable buffers of a small buffer are probed by copying. */
#define HW_PROBE_COPY_MAX 4096u

/* Requests served per notify at most, so a racing driver cannot pin us. */
#define HW_NOTIFY_BUDGET 65536u

/*
 * Descriptors read per notify at most, in units of the queue's size: the
 * chains a driver has in flight are disjoint, so all of them together are
 * at most one queue's worth of descriptors (and indirect tables are at
 * most a queue's length each).  A driver that makes the device read more
 * in one notify reuses descriptors or loops them: the queue is treated as
 * broken (DEVICE_NEEDS_RESET), so one notify costs O(queue size), never
 * its square.
 */
#define HW_WALK_PER_NOTIFY 4u

struct hw_seg {
	uint64_t addr;
	uint32_t len;
	uint8_t *va; /* host pointer to all of it, or NULL: copy by address */
};

/*
 * Host pointers to a queue's three rings, each checked once to lie in one
 * RAM region with all of its num entries (RAM regions are never removed
 * while the model lives, so a pointer stays good).  A ring word is then a
 * load or store at a bounded offset instead of a region lookup and a
 * copy.  NULL: that ring is not in one RAM region (or not aligned for
 * atomic access); its accesses go through the host's accessors as
 * before.  Resolved for the addresses and size below, so a queue set up
 * again after a reset is resolved again.
 */
/*
 * One page of guest RAM a queue's buffers were last found in, and its host
 * pointer: a driver reuses a few buffers, so most checks of a buffer that
 * lies within one page are then a compare, not a region lookup.  Like the
 * ring pointers, a page found to be RAM stays RAM with the same host
 * pointer for the model's life, so it is never invalidated.
 */
#define HW_BUF_PAGE 4096u

struct hw_page_va {
	uint64_t pa;  /* HW_BUF_PAGE-aligned */
	uint8_t *va;  /* host pointer to [pa, pa + HW_BUF_PAGE); NULL: none */
};

struct hw_ring_va {
	uint64_t desc, driver, device;
	uint32_t num;
	uint8_t *desc_va;  /* [desc, + 16 num) */
	uint8_t *avail_va; /* [driver, + 6 + 2 num): flags, idx, ring, event */
	uint8_t *used_va;  /* [device, + 6 + 8 num): flags, idx, ring, event */
};

/* Endpoint slots ("The state's readers" above): 2^HW_EP_SLOT_BITS. */
#define HW_EP_SLOT_BITS 6u
#define HW_EP_SLOTS (1u << HW_EP_SLOT_BITS)

struct hw_ep_slot {
	uint64_t key;  /* atomic: endpoint ID + 1; 0: free */
	uintptr_t dom; /* atomic: its struct hw_domain, or 0 */
};

/* The slot of endpoint @id: a multiplicative hash, so IDs that differ
 * only in high bits (PCI buses) spread too. */
static inline unsigned int hw_ep_slot_of(uint32_t id)
{
	return (uint32_t)(id * 0x9e3779b1u) >> (32 - HW_EP_SLOT_BITS);
}

/* A translated or bypass domain; lives from its first ATTACH. */
struct hw_domain {
	uint32_t id;
	bool bypass; /* atomic: translate() reads it without a lock */
	uint32_t nr_eps; /* endpoints attached */
	struct rangemap maps; /* virt -> phys, flags = MAP flags; pooled */
	struct hw_domain *next_free; /* in hw->dom_pool */
};

/* What a consumer needs of the transport, copied under reg_lock. */
struct hw_qsnap {
	bool live;
	uint32_t num;
	uint64_t desc, driver, device;
	uint64_t feat; /* negotiated */
	uint32_t ready_seq; /* the queue's ready_seq */
	const struct hw_ring_va *va; /* the queue's, for desc/driver/device */
};

struct hw_queue {
	pthread_mutex_t lock; /* consumer side; see the top comment */
	/* transport registers, under hw->reg_lock */
	uint32_t num;
	bool ready;
	uint64_t desc, driver, device;
	uint32_t ready_seq; /* +1 each time QueueReady makes it ready */
	/* consumer state, under lock */
	uint16_t last_avail;
	uint16_t used_idx;
	/* The ready_seq last_avail and used_idx count from: a snapshot of a
	 * later one starts them at 0 again (under lock, so a register write
	 * never touches what a consumer is using). */
	uint32_t idx_seq;
	uint64_t walk_left; /* descriptor reads left in this notify */
	struct hw_seg *segs; /* writable segments of the current chain */
	unsigned int seg_cap;
	uint8_t *scratch; /* PROBE reply / fault record */
	struct hw_ring_va va; /* cache for the snapshots; see hw_ring_va */
	struct hw_page_va buf_page; /* cache for hw_in_ram(); see hw_page_va */
	struct hw_qsnap snap; /* the last snapshot, under lock */
	uint64_t snap_gen; /* hw->reg_gen it was taken at; 0: none yet */
	bool snap_done; /* snap needs no look-up: not live, or every ring
			 * has its host pointer */
};

struct viommu_hw {
	struct iommu_host *host;
	/* host->ops->stat_add, or NULL (read-only after create) */
	void (*stat_add)(struct iommu_host *host, enum iommu_stat stat,
			 uint64_t n);

	/* parameters (read-only after create) */
	uint64_t features;
	uint64_t page_size_mask;
	uint64_t input_start, input_end;
	uint32_t domain_start, domain_end;
	uint32_t probe_size;
	uint32_t queue_max;
	uint64_t msi_base, msi_last;
	bool has_msi;
	uint64_t max_domains, max_mappings;

	pthread_mutex_t reg_lock;
	uint32_t status;
	uint32_t dev_feat_sel, drv_feat_sel, queue_sel;
	uint32_t isr;
	uint64_t driver_features;
	uint64_t negotiated; /* atomic: driver_features once FEATURES_OK */
	uint8_t bypass; /* atomic: config.bypass */
	uint64_t reg_gen; /* atomic, starts at 1; see the top comment */
	struct hw_queue q[VIOMMU_NR_VQS];

	pthread_mutex_t state_lock;
	uint64_t state_seq; /* atomic; odd while a writer changes the state */
	struct rangemap endpoints; /* key = id, phys = (uintptr_t)hw_domain */
	struct rangemap domains; /* key = id, phys = (uintptr_t)hw_domain */
	uint64_t nr_mappings;
	struct rangemap_pool node_pool; /* of the three maps above */
	struct hw_ep_slot ep_slot[HW_EP_SLOTS];
	struct hw_domain *dom_pool; /* freed domains, for the next ones */
};

/* A walked descriptor chain. */
struct hw_chain {
	uint8_t rd[VIOMMU_PROBE_RD_SIZE]; /* first readable bytes */
	uint64_t rd_len; /* all readable bytes */
	bool rd_bad; /* a readable buffer is not RAM */
	struct hw_seg *ws; /* first writable segments */
	unsigned int nws, ws_cap;
	uint64_t ws_bytes; /* bytes covered by @ws */
	uint64_t ws_need; /* stop storing segments here */
	uint64_t wr_len; /* all writable bytes */
	uint64_t *budget; /* descriptor reads left; NULL: no bound */
	struct hw_page_va *page; /* the queue's buffer page; NULL: none */
};

#define hw_log(hw, lvl, ...) (hw)->host->ops->log((hw)->host, lvl, __VA_ARGS__)

static inline uint64_t hw_negotiated(struct viommu_hw *hw)
{
	return __atomic_load_n(&hw->negotiated, __ATOMIC_ACQUIRE);
}

/*
 * A register a queue snapshot copies changed.  Context: reg_lock held.
 */
static inline void hw_regs_changed(struct viommu_hw *hw)
{
	uint64_t gen = __atomic_load_n(&hw->reg_gen, __ATOMIC_RELAXED);

	__atomic_store_n(&hw->reg_gen, gen + 1, __ATOMIC_RELEASE);
}

/*
 * A writer of the state ("The state's readers" above) takes state_lock
 * and makes state_seq odd.  No fence: each store the writer makes next is
 * a release store, so a reader whose acquire load reads one of them also
 * sees this odd count (or a later one) when it loads state_seq again.
 */
static inline void hw_state_write_begin(struct viommu_hw *hw)
{
	pthread_mutex_lock(&hw->state_lock);
	__atomic_store_n(&hw->state_seq, hw->state_seq + 1, __ATOMIC_RELAXED);
}

static inline void hw_state_write_end(struct viommu_hw *hw)
{
	__atomic_store_n(&hw->state_seq, hw->state_seq + 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&hw->state_lock);
}

/* Optimistic reads before translate() takes state_lock instead. */
#define HW_READ_TRIES 4

static inline uint64_t hw_state_read_begin(const struct viommu_hw *hw)
{
	return __atomic_load_n(&hw->state_seq, __ATOMIC_ACQUIRE);
}

/*
 * Whether what was read since hw_state_read_begin() returned @seq may mix
 * states: a writer was active then or has been since.  No fence (TSan has
 * none): the reads were acquire loads, so this load cannot pass them.
 */
static inline bool hw_state_read_retry(const struct viommu_hw *hw,
				       uint64_t seq)
{
	return (seq & 1) ||
	       __atomic_load_n(&hw->state_seq, __ATOMIC_RELAXED) != seq;
}

/*
 * One walk of the mappings (IOMMU_STAT_WALKS), on the path of every
 * translation: the host's stat_add, looked up once at create().
 */
static inline void hw_stat_walk(struct viommu_hw *hw)
{
	if (hw->stat_add)
		hw->stat_add(hw->host, IOMMU_STAT_WALKS, 1);
}

static inline bool hw_offers(const struct viommu_hw *hw, unsigned int bit)
{
	return hw->features & BIT64(bit);
}

/* Context: state_lock held (a writer's own loads need no atomics). */
static inline struct hw_domain *hw_ep_domain(const struct rangemap_entry *ep)
{
	return (struct hw_domain *)(uintptr_t)ep->phys;
}

/*
 * Attach endpoint @ep to @dom (NULL: none), in the map and in its slot if
 * it has one.  Context: a writer of the state.
 */
static inline void hw_ep_set_domain(struct viommu_hw *hw,
				    struct rangemap_entry *ep,
				    struct hw_domain *dom)
{
	struct hw_ep_slot *slot = &hw->ep_slot[hw_ep_slot_of(ep->start)];

	__atomic_store_n(&ep->phys, (uintptr_t)dom, __ATOMIC_RELEASE);
	if (slot->key == ep->start + 1)
		__atomic_store_n(&slot->dom, (uintptr_t)dom, __ATOMIC_RELEASE);
}

/* hw_queue.c */
const struct hw_qsnap *viommu_hw_snap_slow(struct viommu_hw *hw,
					    unsigned int qi, uint64_t gen);
void viommu_hw_needs_reset(struct viommu_hw *hw, const char *why);
int viommu_hw_read16(struct viommu_hw *hw, uint64_t pa, uint16_t *v);
int viommu_hw_ring_load(struct viommu_hw *hw, uint64_t pa, int order,
			uint16_t *v);
int viommu_hw_push_used_slow(struct viommu_hw *hw, const struct hw_qsnap *s,
			     struct hw_queue *q, uint32_t id, uint32_t len);

/*
 * viommu_hw_snap() - queue @qi's transport registers, as a consumer sees
 * them: the queue's last snapshot while no register it copies changed
 * (hw->reg_gen) and it needs no ring look-up, else viommu_hw_snap_slow().
 * Context: q[qi].lock held (the snapshot is the queue's, valid until the
 * lock is dropped); takes reg_lock when the registers changed.
 */
static inline const struct hw_qsnap *viommu_hw_snap(struct viommu_hw *hw,
						    unsigned int qi)
{
	struct hw_queue *q = &hw->q[qi];
	uint64_t gen = __atomic_load_n(&hw->reg_gen, __ATOMIC_ACQUIRE);

	if (gen == q->snap_gen && q->snap_done)
		return &q->snap;
	return viommu_hw_snap_slow(hw, qi, gen);
}

/*
 * The ring words of a live snapshot @s (hw_queue.c, "The ring words"):
 * through the ring's host pointer when it has one (every offset the
 * callers pass is inside the ring's 6 + 2 num or 6 + 8 num bytes, and
 * even), else by address.  A live queue's size is a power of two
 * (QueueReady checks it), so an index modulo the size is a mask.
 */
static inline int viommu_hw_avail_load(struct viommu_hw *hw,
				       const struct hw_qsnap *s, uint64_t off,
				       int order, uint16_t *v)
{
	if (s->va && s->va->avail_va) {
		*v = le16toh(__atomic_load_n(
			(const uint16_t *)(s->va->avail_va + off), order));
		return 0;
	}
	return viommu_hw_ring_load(hw, s->driver + off, order, v);
}

/*
 * Avail ring entry @i (modulo the queue size): the head of a chain.  The
 * driver wrote it before the avail.idx the caller loaded with acquire.
 */
static inline int viommu_hw_avail_head(struct viommu_hw *hw,
				       const struct hw_qsnap *s, uint16_t i,
				       uint16_t *head)
{
	uint64_t off = 4 + 2ull * (i & (s->num - 1));

	if (s->va && s->va->avail_va) {
		*head = le16toh(__atomic_load_n(
			(const uint16_t *)(s->va->avail_va + off),
			__ATOMIC_RELAXED));
		return 0;
	}
	return viommu_hw_read16(hw, s->driver + off, head);
}

/*
 * Publish one used element, then used.idx (7.3: len before idx).  The
 * index store is seq_cst, not only release: viommu_hw_need_irq() then
 * reads used_event or avail.flags, and that load must not pass it (7.4).
 * Return: 0; -EFAULT the used ring is not RAM (q->used_idx unchanged).
 */
static inline int viommu_hw_push_used(struct viommu_hw *hw,
				      const struct hw_qsnap *s,
				      struct hw_queue *q, uint32_t id,
				      uint32_t len)
{
	uint8_t e[8];
	uint8_t *used;

	if (!s->va || !s->va->used_va)
		return viommu_hw_push_used_slow(hw, s, q, id, len);
	used = s->va->used_va;
	vio_put32(e, id);
	vio_put32(e + 4, len);
	memcpy(used + 4 + 8ull * (q->used_idx & (s->num - 1)), e, sizeof(e));
	q->used_idx++;
	__atomic_store_n((uint16_t *)(used + 2), htole16(q->used_idx),
			 __ATOMIC_SEQ_CST);
	return 0;
}

/*
 * Whether the driver wants an interrupt for used.idx moving old -> new.
 * Context: after viommu_hw_push_used(), whose seq_cst store orders these
 * loads.
 */
static inline bool viommu_hw_need_irq(struct viommu_hw *hw,
				      const struct hw_qsnap *s,
				      uint16_t old_idx, uint16_t new_idx)
{
	uint16_t v;

	if (old_idx == new_idx)
		return false;
	if (s->feat & BIT64(VIRTIO_F_EVENT_IDX)) {
		if (viommu_hw_avail_load(hw, s, 4 + 2ull * s->num,
					 __ATOMIC_SEQ_CST, &v))
			return true;
		return vring_need_event(v, new_idx, old_idx);
	}
	if (viommu_hw_avail_load(hw, s, 0, __ATOMIC_SEQ_CST, &v))
		return true;
	return !(v & VRING_AVAIL_F_NO_INTERRUPT);
}
int viommu_hw_walk_chain(struct viommu_hw *hw, const struct hw_qsnap *s,
			 uint32_t head, struct hw_chain *c);
int viommu_hw_chain_write_slow(struct viommu_hw *hw, const struct hw_chain *c,
			       const uint8_t *buf, uint64_t len);

/*
 * Write @len bytes at the start of the chain's writable part.  A reply
 * that fits in the first writable buffer, whose host pointer the walk
 * found, is one copy in line (the status tail: a 4-byte store).
 * Return: 0; -ENOSPC the writable part is shorter; -EFAULT.
 */
static inline int viommu_hw_chain_write(struct viommu_hw *hw,
					const struct hw_chain *c,
					const uint8_t *buf, uint64_t len)
{
	if (c->nws && c->ws[0].va && len <= c->ws[0].len) {
		memcpy(c->ws[0].va, buf, (size_t)len);
		return 0;
	}
	return viommu_hw_chain_write_slow(hw, c, buf, len);
}
bool viommu_hw_process_requests(struct viommu_hw *hw);

/* hw_req.c */
struct rangemap_entry *viommu_hw_ep_find(struct viommu_hw *hw, uint32_t id);
void viommu_hw_ep_detach(struct viommu_hw *hw, struct rangemap_entry *ep);
void viommu_hw_state_reset(struct viommu_hw *hw);
void viommu_hw_dom_pool_free(struct viommu_hw *hw);
uint32_t viommu_hw_serve_request(struct viommu_hw *hw, const struct hw_qsnap *s,
				 struct hw_queue *q, uint32_t head);

/* hw_xlate.c */
int viommu_hw_translate(void *opaque, const struct iommu_dma_req *req,
			struct iommu_translation *out);
int viommu_hw_endpoint_add(void *opaque, uint32_t dev_id);
void viommu_hw_endpoint_remove(void *opaque, uint32_t dev_id);

/* hw_dump.c */
int viommu_hw_dump(void *opaque, iommu_print_fn print, void *cookie);

/* hw_event.c */
void viommu_hw_record_fault(struct viommu_hw *hw, uint8_t reason,
			    uint32_t flags, uint32_t ep, uint64_t addr);

#endif /* VIOMMU_HW_H */
