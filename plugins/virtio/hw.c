// SPDX-License-Identifier: MIT
/*
 * hw.c - the virtio-iommu device model (the "hardware").
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
 *  - state_lock (rwlock) guards endpoints, domains and mappings:
 *    translate() reads, requests write.
 *  - host->ops->raise_irq is never called with any lock held: the driver's
 *    handler calls back into mmio_read/mmio_write and notify.
 */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

struct hw_seg {
	uint64_t addr;
	uint32_t len;
};

/* A translated or bypass domain; lives from its first ATTACH. */
struct hw_domain {
	uint32_t id;
	bool bypass;
	uint32_t nr_eps; /* endpoints attached */
	struct rangemap maps; /* virt -> phys, flags = MAP flags */
};

struct hw_queue {
	pthread_mutex_t lock; /* consumer side; see the top comment */
	/* transport registers, under hw->reg_lock */
	uint32_t num;
	bool ready;
	uint64_t desc, driver, device;
	/* consumer state, under lock */
	uint16_t last_avail;
	uint16_t used_idx;
	struct hw_seg *segs; /* writable segments of the current chain */
	unsigned int seg_cap;
	uint8_t *scratch; /* PROBE reply / fault record */
};

struct viommu_hw {
	struct iommu_host *host;

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
	struct hw_queue q[VIOMMU_NR_VQS];

	pthread_rwlock_t state_lock;
	struct rangemap endpoints; /* key = id, phys = (uintptr_t)hw_domain */
	struct rangemap domains; /* key = id, phys = (uintptr_t)hw_domain */
	uint64_t nr_mappings;
};

/* What a consumer needs of the transport, copied under reg_lock. */
struct hw_qsnap {
	bool live;
	uint32_t num;
	uint64_t desc, driver, device;
	uint64_t feat; /* negotiated */
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
};

#define hw_log(hw, lvl, ...) (hw)->host->ops->log((hw)->host, lvl, __VA_ARGS__)

static void hw_stat(struct viommu_hw *hw, enum iommu_stat stat, uint64_t n)
{
	if (n && hw->host->ops->stat_add)
		hw->host->ops->stat_add(hw->host, stat, n);
}

static int hw_mem_read(struct viommu_hw *hw, uint64_t pa, void *buf, size_t len)
{
	if (len && pa + (len - 1) < pa)
		return -EFAULT;
	return hw->host->ops->mem_read(hw->host, pa, buf, len);
}

static int hw_mem_write(struct viommu_hw *hw, uint64_t pa, const void *buf,
			size_t len)
{
	if (len && pa + (len - 1) < pa)
		return -EFAULT;
	return hw->host->ops->mem_write(hw->host, pa, buf, len);
}

/*
 * hw_in_ram() - whether the guest buffer [@pa, @pa + @len) is all RAM.
 * One region: mem_ptr says so.  A small buffer spanning adjacent regions
 * is checked by reading it; a large one spanning regions is refused.
 */
static bool hw_in_ram(struct viommu_hw *hw, uint64_t pa, uint64_t len)
{
	uint8_t tmp[HW_PROBE_COPY_MAX];

	if (!len)
		return true;
	if (pa + (len - 1) < pa)
		return false;
	if (hw->host->ops->mem_ptr &&
	    hw->host->ops->mem_ptr(hw->host, pa, (size_t)len))
		return true;
	if (len > sizeof(tmp))
		return false;
	return hw_mem_read(hw, pa, tmp, (size_t)len) == 0;
}

static uint64_t hw_negotiated(struct viommu_hw *hw)
{
	return __atomic_load_n(&hw->negotiated, __ATOMIC_ACQUIRE);
}

static bool hw_offers(const struct viommu_hw *hw, unsigned int bit)
{
	return hw->features & BIT64(bit);
}

static struct hw_domain *hw_ep_domain(const struct rangemap_entry *ep)
{
	return (struct hw_domain *)(uintptr_t)ep->phys;
}

/*
 * The endpoint and domain maps are keyed by ID; only an entry's payload
 * (phys = domain pointer) changes after insertion, never its key, so
 * writing it in place keeps the map ordered.  Entries are heap objects
 * owned by the map.
 */
static struct rangemap_entry *hw_ep_find(struct viommu_hw *hw, uint32_t id)
{
	return (struct rangemap_entry *)rangemap_find(&hw->endpoints, id);
}

static struct hw_domain *hw_domain_find(struct viommu_hw *hw, uint32_t id)
{
	const struct rangemap_entry *e = rangemap_find(&hw->domains, id);

	return e ? (struct hw_domain *)(uintptr_t)e->phys : NULL;
}

static void hw_domain_free(struct viommu_hw *hw, struct hw_domain *dom)
{
	hw->nr_mappings -= rangemap_count(&dom->maps);
	rangemap_clear(&dom->maps);
	rangemap_remove(&hw->domains, dom->id);
	free(dom);
}

/* Detach endpoint @ep; its domain dies with its last endpoint. */
static void hw_ep_detach(struct viommu_hw *hw, struct rangemap_entry *ep)
{
	struct hw_domain *dom = hw_ep_domain(ep);

	if (!dom)
		return;
	ep->phys = 0;
	if (--dom->nr_eps == 0)
		hw_domain_free(hw, dom);
}

/* Drop every domain and attachment.  Context: state_lock held for write. */
static void hw_state_reset(struct viommu_hw *hw)
{
	const struct rangemap_entry *e;

	for (e = rangemap_first_overlap(&hw->endpoints, 0, UINT64_MAX); e;
	     e = rangemap_next(&hw->endpoints, e))
		((struct rangemap_entry *)e)->phys = 0;
	while ((e = rangemap_first_overlap(&hw->domains, 0, UINT64_MAX)))
		hw_domain_free(hw, (struct hw_domain *)(uintptr_t)e->phys);
	hw->nr_mappings = 0;
}

/* ---- Transport snapshot and rings (virtio 1.x split ring, spec 7) ----- */

static bool hw_status_live(uint32_t status)
{
	const uint32_t need =
		VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_FEATURES_OK;

	return (status & need) == need &&
	       !(status & (VIRTIO_STATUS_FAILED | VIRTIO_STATUS_NEEDS_RESET));
}

/* Context: reg_lock held. */
static void hw_snap_locked(struct viommu_hw *hw, unsigned int qi,
			   struct hw_qsnap *s)
{
	const struct hw_queue *q = &hw->q[qi];

	s->live = q->ready && hw_status_live(hw->status);
	s->num = q->num;
	s->desc = q->desc;
	s->driver = q->driver;
	s->device = q->device;
	s->feat = hw->driver_features;
}

static void hw_snap(struct viommu_hw *hw, unsigned int qi, struct hw_qsnap *s)
{
	pthread_mutex_lock(&hw->reg_lock);
	hw_snap_locked(hw, qi, s);
	pthread_mutex_unlock(&hw->reg_lock);
}

/*
 * The device found the queue unusable (ring outside RAM, corrupt index):
 * DEVICE_NEEDS_RESET and a config-change interrupt, as virtio 1.x asks.
 * Context: the queue lock may be held; takes reg_lock.  The caller raises
 * the interrupt after dropping its locks.
 */
static void hw_needs_reset(struct viommu_hw *hw, const char *why)
{
	hw_log(hw, IOMMU_LOG_WARN, "virtio-iommu: %s: device needs reset", why);
	pthread_mutex_lock(&hw->reg_lock);
	hw->status |= VIRTIO_STATUS_NEEDS_RESET;
	hw->isr |= VMMIO_INT_CONFIG;
	pthread_mutex_unlock(&hw->reg_lock);
}

static int hw_read16(struct viommu_hw *hw, uint64_t pa, uint16_t *v)
{
	uint8_t b[2];
	int ret = hw_mem_read(hw, pa, b, 2);

	if (!ret)
		*v = vio_le16(b);
	return ret;
}

static int hw_write16(struct viommu_hw *hw, uint64_t pa, uint16_t v)
{
	uint8_t b[2];

	vio_put16(b, v);
	return hw_mem_write(hw, pa, b, 2);
}

/*
 * The ring words a driver and the device both use while the queue runs:
 * avail.idx and used_event (the driver writes, we read), used.idx and
 * avail_event (we write, the driver reads), and avail.flags.  The driver
 * may run on another thread, so each is one aligned 16-bit atomic access
 * in guest memory: acquire when reading an index publishes the entries
 * behind it to us, release when writing one publishes ours (7.3: the used
 * element before used.idx).  Where the driver needs a store then a load
 * ordered (event suppression, 7.4) both are seq_cst, as a full barrier
 * would do; TSan understands this, not a fence.
 *
 * The word is reached through mem_ptr(), the host's bounds-checked
 * lookup.  A word that is not 2-byte aligned (rings must be, 2.7) or not
 * in one RAM region is copied through mem_read/mem_write as before: a
 * driver that misplaces its rings gets no atomicity, and nothing outside
 * RAM is ever touched.
 */
static uint16_t *hw_ring_word(struct viommu_hw *hw, uint64_t pa)
{
	if ((pa & 1) || !hw->host->ops->mem_ptr)
		return NULL;
	return hw->host->ops->mem_ptr(hw->host, pa, sizeof(uint16_t));
}

static int hw_ring_load(struct viommu_hw *hw, uint64_t pa, int order,
			uint16_t *v)
{
	uint16_t *p = hw_ring_word(hw, pa);

	if (!p)
		return hw_read16(hw, pa, v);
	*v = le16toh(__atomic_load_n(p, order));
	return 0;
}

static int hw_ring_store(struct viommu_hw *hw, uint64_t pa, int order,
			 uint16_t v)
{
	uint16_t *p = hw_ring_word(hw, pa);

	if (!p)
		return hw_write16(hw, pa, v);
	__atomic_store_n(p, htole16(v), order);
	return 0;
}

/*
 * Publish one used element, then used.idx (7.3: len before idx).  The
 * index store is seq_cst, not only release: hw_need_irq() then reads
 * used_event or avail.flags, and that load must not pass it (7.4).
 */
static int hw_push_used(struct viommu_hw *hw, const struct hw_qsnap *s,
			struct hw_queue *q, uint32_t id, uint32_t len)
{
	uint8_t e[8];
	uint64_t pa = s->device + 4 + 8ull * (q->used_idx % s->num);

	vio_put32(e, id);
	vio_put32(e + 4, len);
	if (hw_mem_write(hw, pa, e, sizeof(e)))
		return -EFAULT;
	if (hw_ring_store(hw, s->device + 2, __ATOMIC_SEQ_CST,
			  (uint16_t)(q->used_idx + 1)))
		return -EFAULT;
	q->used_idx++;
	return 0;
}

/*
 * Whether the driver wants an interrupt for used.idx moving old -> new.
 * Context: after hw_push_used(), whose seq_cst store orders these loads.
 */
static bool hw_need_irq(struct viommu_hw *hw, const struct hw_qsnap *s,
			uint16_t old_idx, uint16_t new_idx)
{
	uint16_t v;

	if (old_idx == new_idx)
		return false;
	if (s->feat & BIT64(VIRTIO_F_EVENT_IDX)) {
		if (hw_ring_load(hw, s->driver + 4 + 2ull * s->num,
				 __ATOMIC_SEQ_CST, &v))
			return true;
		return vring_need_event(v, new_idx, old_idx);
	}
	if (hw_ring_load(hw, s->driver, __ATOMIC_SEQ_CST, &v))
		return true;
	return !(v & VRING_AVAIL_F_NO_INTERRUPT);
}

/*
 * hw_walk_chain() - walk the chain at @head (spec 7.1, 7.4)
 * @hw: model
 * @s: queue snapshot
 * @head: head descriptor index
 * @c: out; c->ws, c->ws_cap and c->ws_need set by the caller
 *
 * Gathers the first readable bytes into c->rd and records the writable
 * segments covering the first c->ws_need bytes.  Every buffer is checked
 * to be RAM.  A readable buffer outside RAM only sets c->rd_bad.
 *
 * Return: 0; -EINVAL bad structure (head or next out of range, INDIRECT
 * not negotiated, nested or with NEXT, bad table length, readable after
 * writable), -ELOOP longer than the queue (or the indirect table),
 * -EFAULT descriptor table or writable buffer outside RAM.
 */
static int hw_walk_chain(struct viommu_hw *hw, const struct hw_qsnap *s,
			 uint32_t head, struct hw_chain *c)
{
	uint64_t table = s->desc;
	uint32_t tsize = s->num, limit = s->num, walked = 0, idx = head;
	bool indirect = false, seen_wr = false;
	uint8_t d[VRING_DESC_SIZE];

	c->rd_len = 0;
	c->rd_bad = false;
	c->nws = 0;
	c->ws_bytes = 0;
	c->wr_len = 0;
	memset(c->rd, 0, sizeof(c->rd));
	if (head >= s->num)
		return -EINVAL;
	for (;;) {
		uint64_t addr;
		uint32_t len;
		uint16_t flags, next;

		if (++walked > limit)
			return -ELOOP;
		if (hw_mem_read(hw, table + (uint64_t)VRING_DESC_SIZE * idx, d,
				sizeof(d)))
			return -EFAULT;
		addr = vio_le64(d);
		len = vio_le32(d + 8);
		flags = vio_le16(d + 12);
		next = vio_le16(d + 14);

		if (flags & VRING_DESC_F_INDIRECT) {
			if (!(s->feat & BIT64(VIRTIO_F_INDIRECT_DESC)) ||
			    indirect || (flags & VRING_DESC_F_NEXT))
				return -EINVAL;
			if (!len || len % VRING_DESC_SIZE)
				return -EINVAL;
			if (!hw_in_ram(hw, addr, len))
				return -EFAULT;
			table = addr;
			tsize = len / VRING_DESC_SIZE;
			limit = tsize < s->num ? tsize : s->num;
			walked = 0;
			idx = 0;
			indirect = true;
			continue;
		}

		if (flags & VRING_DESC_F_WRITE) {
			seen_wr = true;
			if (!hw_in_ram(hw, addr, len))
				return -EFAULT;
			if (len && c->ws_bytes < c->ws_need &&
			    c->nws < c->ws_cap) {
				c->ws[c->nws].addr = addr;
				c->ws[c->nws].len = len;
				c->nws++;
				c->ws_bytes += len;
			}
			c->wr_len += len;
		} else {
			if (seen_wr)
				return -EINVAL;
			if (!hw_in_ram(hw, addr, len)) {
				c->rd_bad = true;
			} else if (c->rd_len < sizeof(c->rd)) {
				uint64_t n = sizeof(c->rd) - c->rd_len;

				if (n > len)
					n = len;
				if (hw_mem_read(hw, addr, c->rd + c->rd_len,
						(size_t)n))
					c->rd_bad = true;
			}
			c->rd_len += len;
		}
		if (!(flags & VRING_DESC_F_NEXT))
			return 0;
		if (next >= tsize)
			return -EINVAL;
		idx = next;
	}
}

/* Write @len bytes at the start of the chain's writable part. */
static int hw_chain_write(struct viommu_hw *hw, const struct hw_chain *c,
			  const uint8_t *buf, uint64_t len)
{
	if (len > c->ws_bytes)
		return -ENOSPC;
	for (unsigned int i = 0; i < c->nws && len; i++) {
		uint64_t n = c->ws[i].len < len ? c->ws[i].len : len;

		if (hw_mem_write(hw, c->ws[i].addr, buf, (size_t)n))
			return -EFAULT;
		buf += n;
		len -= n;
	}
	return 0;
}

/* ---- Requests (spec 2, 3) --------------------------------------------- */

/* ATTACH (spec 2.3, 3.2).  Context: takes state_lock for write. */
static uint8_t hw_req_attach(struct viommu_hw *hw, const struct hw_qsnap *s,
			     const struct hw_chain *c)
{
	uint32_t dom_id, ep_id, flags, allowed = 0;
	struct rangemap_entry *ep;
	struct hw_domain *dom, *old;
	uint8_t st = VIRTIO_IOMMU_S_OK;
	bool bypass;

	if (c->rd_len < VIOMMU_ATTACH_RD_SIZE)
		return VIRTIO_IOMMU_S_INVAL;
	dom_id = vio_le32(c->rd + VIOMMU_ATTACH_DOMAIN);
	ep_id = vio_le32(c->rd + VIOMMU_ATTACH_EP);
	flags = vio_le32(c->rd + VIOMMU_ATTACH_FLAGS);
	if (vio_le32(c->rd + VIOMMU_ATTACH_RSVD))
		return VIRTIO_IOMMU_S_INVAL;
	if (s->feat & BIT64(VIRTIO_IOMMU_F_BYPASS_CONFIG))
		allowed |= VIRTIO_IOMMU_ATTACH_F_BYPASS;
	if (flags & ~allowed)
		return VIRTIO_IOMMU_S_INVAL;
	bypass = flags & VIRTIO_IOMMU_ATTACH_F_BYPASS;

	pthread_rwlock_wrlock(&hw->state_lock);
	ep = hw_ep_find(hw, ep_id);
	if (!ep) {
		st = VIRTIO_IOMMU_S_NOENT;
		goto out;
	}
	if (hw_offers(hw, VIRTIO_IOMMU_F_DOMAIN_RANGE) &&
	    (dom_id < hw->domain_start || dom_id > hw->domain_end)) {
		st = VIRTIO_IOMMU_S_RANGE;
		goto out;
	}
	old = hw_ep_domain(ep);
	dom = hw_domain_find(hw, dom_id);
	if (dom) {
		/* The kind of a domain is fixed at creation. */
		if (dom->bypass != bypass)
			st = VIRTIO_IOMMU_S_INVAL;
		if (dom == old || st)
			goto out;
	} else {
		uint64_t nr = rangemap_count(&hw->domains);

		/* The implicit detach may free the old domain first. */
		if (old && old->nr_eps == 1)
			nr--;
		if (nr >= hw->max_domains) {
			st = VIRTIO_IOMMU_S_NOMEM;
			goto out;
		}
		dom = calloc(1, sizeof(*dom));
		if (!dom) {
			st = VIRTIO_IOMMU_S_NOMEM;
			goto out;
		}
		dom->id = dom_id;
		dom->bypass = bypass;
		rangemap_init(&dom->maps);
		if (rangemap_insert(&hw->domains, dom_id, dom_id,
				    (uintptr_t)dom, 0)) {
			free(dom);
			st = VIRTIO_IOMMU_S_NOMEM;
			goto out;
		}
	}
	hw_ep_detach(hw, ep);
	ep->phys = (uintptr_t)dom;
	dom->nr_eps++;
out:
	pthread_rwlock_unlock(&hw->state_lock);
	return st;
}

/* DETACH (spec 2.3, 3.2).  Context: takes state_lock for write. */
static uint8_t hw_req_detach(struct viommu_hw *hw, const struct hw_chain *c)
{
	struct rangemap_entry *ep;
	struct hw_domain *dom;
	uint8_t st = VIRTIO_IOMMU_S_OK;

	hw_stat(hw, IOMMU_STAT_INVAL_CMDS, 1);
	if (c->rd_len < VIOMMU_DETACH_RD_SIZE)
		return VIRTIO_IOMMU_S_INVAL;
	pthread_rwlock_wrlock(&hw->state_lock);
	ep = hw_ep_find(hw, vio_le32(c->rd + VIOMMU_ATTACH_EP));
	if (!ep) {
		st = VIRTIO_IOMMU_S_NOENT;
		goto out;
	}
	dom = hw_ep_domain(ep);
	if (!dom || dom->id != vio_le32(c->rd + VIOMMU_ATTACH_DOMAIN)) {
		st = VIRTIO_IOMMU_S_INVAL;
		goto out;
	}
	hw_ep_detach(hw, ep);
out:
	pthread_rwlock_unlock(&hw->state_lock);
	return st;
}

static bool hw_hits_msi(const struct viommu_hw *hw, uint64_t start,
			uint64_t last)
{
	return hw->has_msi && start <= hw->msi_last && last >= hw->msi_base;
}

/* MAP (spec 2.3, 3.2).  Context: takes state_lock for write. */
static uint8_t hw_req_map(struct viommu_hw *hw, const struct hw_qsnap *s,
			  const struct hw_chain *c)
{
	uint64_t vstart, vend, pstart, gmask;
	uint32_t flags, allowed;
	struct hw_domain *dom;
	uint8_t st = VIRTIO_IOMMU_S_OK;

	if (c->rd_len < VIOMMU_MAP_RD_SIZE)
		return VIRTIO_IOMMU_S_INVAL;
	vstart = vio_le64(c->rd + VIOMMU_MAP_VSTART);
	vend = vio_le64(c->rd + VIOMMU_MAP_VEND);
	pstart = vio_le64(c->rd + VIOMMU_MAP_PSTART);
	flags = vio_le32(c->rd + VIOMMU_MAP_FLAGS);
	allowed = VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE;
	if (s->feat & BIT64(VIRTIO_IOMMU_F_MMIO))
		allowed |= VIRTIO_IOMMU_MAP_F_MMIO;
	gmask = (hw->page_size_mask & -hw->page_size_mask) - 1;

	pthread_rwlock_wrlock(&hw->state_lock);
	dom = hw_domain_find(hw, vio_le32(c->rd + VIOMMU_MAP_DOMAIN));
	if (!dom)
		st = VIRTIO_IOMMU_S_NOENT;
	else if (dom->bypass || (flags & ~allowed) || vend <= vstart)
		st = VIRTIO_IOMMU_S_INVAL;
	else if ((vstart | pstart | (vend + 1)) & gmask)
		st = VIRTIO_IOMMU_S_RANGE;
	else if (hw_offers(hw, VIRTIO_IOMMU_F_INPUT_RANGE) &&
		 (vstart < hw->input_start || vend > hw->input_end))
		st = VIRTIO_IOMMU_S_RANGE;
	else if (pstart + (vend - vstart) < pstart)
		st = VIRTIO_IOMMU_S_RANGE;
	else if (rangemap_first_overlap(&dom->maps, vstart, vend))
		st = VIRTIO_IOMMU_S_INVAL;
	else if (dom->nr_eps && hw_hits_msi(hw, vstart, vend))
		st = VIRTIO_IOMMU_S_INVAL; /* RESV_MEM of its endpoints */
	else if (hw->nr_mappings >= hw->max_mappings)
		st = VIRTIO_IOMMU_S_NOMEM;
	else if (rangemap_insert(&dom->maps, vstart, vend, pstart, flags))
		st = VIRTIO_IOMMU_S_NOMEM;
	else
		hw->nr_mappings++;
	pthread_rwlock_unlock(&hw->state_lock);
	return st;
}

/* UNMAP (spec 2.3, 3.2).  Context: takes state_lock for write. */
static uint8_t hw_req_unmap(struct viommu_hw *hw, const struct hw_chain *c)
{
	const struct rangemap_entry *e;
	uint64_t vstart, vend;
	struct hw_domain *dom;
	uint8_t st = VIRTIO_IOMMU_S_OK;

	hw_stat(hw, IOMMU_STAT_INVAL_CMDS, 1);
	if (c->rd_len < VIOMMU_UNMAP_RD_SIZE)
		return VIRTIO_IOMMU_S_INVAL;
	vstart = vio_le64(c->rd + VIOMMU_UNMAP_VSTART);
	vend = vio_le64(c->rd + VIOMMU_UNMAP_VEND);

	pthread_rwlock_wrlock(&hw->state_lock);
	dom = hw_domain_find(hw, vio_le32(c->rd + VIOMMU_UNMAP_DOMAIN));
	if (!dom) {
		st = VIRTIO_IOMMU_S_NOENT;
		goto out;
	}
	if (dom->bypass || vend < vstart) {
		st = VIRTIO_IOMMU_S_INVAL;
		goto out;
	}
	/* A mapping cut at either end: refuse before removing anything. */
	e = rangemap_first_overlap(&dom->maps, vstart, vend);
	if (e && e->start < vstart) {
		st = VIRTIO_IOMMU_S_RANGE;
		goto out;
	}
	e = rangemap_find(&dom->maps, vend);
	if (e && e->last > vend) {
		st = VIRTIO_IOMMU_S_RANGE;
		goto out;
	}
	while ((e = rangemap_first_overlap(&dom->maps, vstart, vend))) {
		rangemap_remove(&dom->maps, e->start);
		hw->nr_mappings--;
	}
out:
	pthread_rwlock_unlock(&hw->state_lock);
	return st;
}

/*
 * PROBE (spec 2.3, 4): properties then the tail, probe_size + 4 bytes.
 * Return: used length; 0 if the writable part cannot hold the reply.
 * Context: q[0].lock held (scratch); takes state_lock for read.
 */
static uint32_t hw_req_probe(struct viommu_hw *hw, struct hw_queue *q,
			     const struct hw_chain *c)
{
	uint32_t n = hw->probe_size + VIOMMU_TAIL_SIZE;
	uint8_t *buf = q->scratch, st = VIRTIO_IOMMU_S_OK;
	bool known;

	if (c->wr_len < n)
		return 0;
	memset(buf, 0, n);
	if (c->rd_len < VIOMMU_PROBE_RD_SIZE) {
		st = VIRTIO_IOMMU_S_INVAL;
	} else {
		pthread_rwlock_rdlock(&hw->state_lock);
		known = hw_ep_find(hw, vio_le32(c->rd + VIOMMU_PROBE_EP));
		pthread_rwlock_unlock(&hw->state_lock);
		if (!known) {
			st = VIRTIO_IOMMU_S_NOENT;
		} else if (hw->has_msi) {
			if (hw->probe_size < VIOMMU_RESV_MEM_SIZE) {
				st = VIRTIO_IOMMU_S_INVAL; /* no property */
			} else {
				/* spec 4: RESV_MEM, subtype MSI (V8) */
				vio_put16(buf, VIRTIO_IOMMU_PROBE_T_RESV_MEM);
				vio_put16(buf + 2,
					  VIOMMU_RESV_MEM_SIZE -
						  VIOMMU_PROP_HDR_SIZE);
				buf[4] = VIRTIO_IOMMU_RESV_MEM_T_MSI;
				vio_put64(buf + 8, hw->msi_base);
				vio_put64(buf + 16, hw->msi_last);
			}
		}
	}
	buf[hw->probe_size] = st;
	if (hw_chain_write(hw, c, buf, n))
		return 0;
	return n;
}

/*
 * hw_serve_request() - execute the request at @head
 * Return: the used length to publish (0: returned unwritten).
 * Context: q[0].lock held.
 */
static uint32_t hw_serve_request(struct viommu_hw *hw, const struct hw_qsnap *s,
				 struct hw_queue *q, uint32_t head)
{
	struct hw_chain c = {.ws = q->segs, .ws_cap = q->seg_cap};
	uint8_t tail[VIOMMU_TAIL_SIZE] = {0};
	int ret;

	c.ws_need = (uint64_t)hw->probe_size + VIOMMU_TAIL_SIZE;
	ret = hw_walk_chain(hw, s, head, &c);
	if (ret) {
		hw_log(hw, IOMMU_LOG_DEBUG,
		       "virtio-iommu: request %u: bad chain (%d)", head, ret);
		return 0;
	}
	if (c.wr_len < VIOMMU_TAIL_SIZE)
		return 0;
	if (c.rd_bad) {
		tail[0] = VIRTIO_IOMMU_S_DEVERR;
		goto write_tail;
	}
	if (c.rd_len < 4)
		return 0; /* no head: nothing to answer to */

	switch (c.rd[VIOMMU_REQ_TYPE]) {
	case VIRTIO_IOMMU_T_ATTACH:
		tail[0] = hw_req_attach(hw, s, &c);
		break;
	case VIRTIO_IOMMU_T_DETACH:
		tail[0] = hw_req_detach(hw, &c);
		break;
	case VIRTIO_IOMMU_T_MAP:
		if (!(s->feat & BIT64(VIRTIO_IOMMU_F_MAP_UNMAP)))
			return 0;
		tail[0] = hw_req_map(hw, s, &c);
		break;
	case VIRTIO_IOMMU_T_UNMAP:
		if (!(s->feat & BIT64(VIRTIO_IOMMU_F_MAP_UNMAP)))
			return 0;
		tail[0] = hw_req_unmap(hw, &c);
		break;
	case VIRTIO_IOMMU_T_PROBE:
		if (!(s->feat & BIT64(VIRTIO_IOMMU_F_PROBE)))
			return 0;
		return hw_req_probe(hw, q, &c);
	default:
		return 0; /* spec 3.2: unknown type, write nothing */
	}
write_tail:
	if (hw_chain_write(hw, &c, tail, sizeof(tail)))
		return 0;
	return VIOMMU_TAIL_SIZE;
}

/*
 * hw_process_requests() - consume the request queue
 * Return: true if the caller must raise the interrupt (InterruptStatus is
 * already set).  Context: takes q[0].lock, reg_lock, state_lock; call
 * with no lock held.
 */
static bool hw_process_requests(struct viommu_hw *hw)
{
	struct hw_queue *q = &hw->q[VIOMMU_REQUEST_VQ];
	struct hw_qsnap s;
	uint64_t served = 0;
	uint16_t old_used, avail, head;
	bool irq = false, broken = false;

	pthread_mutex_lock(&q->lock);
	hw_snap(hw, VIOMMU_REQUEST_VQ, &s);
	if (!s.live)
		goto out;
	old_used = q->used_idx;
	while (served < HW_NOTIFY_BUDGET) {
		/* Acquire: the ring entries and descriptors before it. */
		if (hw_ring_load(hw, s.driver + 2, __ATOMIC_ACQUIRE, &avail)) {
			hw_needs_reset(hw, "request queue: avail ring not RAM");
			broken = true;
			break;
		}
		if (avail == q->last_avail) {
			if (!(s.feat & BIT64(VIRTIO_F_EVENT_IDX)))
				break;
			/* avail_event: notify us for the next request.
			 * Store then load, both seq_cst: a request the
			 * driver published before it could see the new
			 * avail_event is found by the second load. */
			if (hw_ring_store(hw, s.device + 4 + 8ull * s.num,
					  __ATOMIC_SEQ_CST, q->last_avail)) {
				hw_needs_reset(
					hw, "request queue: used ring not RAM");
				broken = true;
				break;
			}
			if (hw_ring_load(hw, s.driver + 2, __ATOMIC_SEQ_CST,
					 &avail) ||
			    avail == q->last_avail)
				break;
		}
		if ((uint16_t)(avail - q->last_avail) > s.num) {
			hw_needs_reset(hw, "request queue: avail.idx corrupt");
			broken = true;
			break;
		}
		while (q->last_avail != avail && served < HW_NOTIFY_BUDGET) {
			uint32_t len;

			if (hw_read16(hw,
				      s.driver + 4 +
					      2ull * (q->last_avail % s.num),
				      &head)) {
				hw_needs_reset(
					hw,
					"request queue: avail ring not RAM");
				broken = true;
				break;
			}
			q->last_avail++;
			served++;
			len = hw_serve_request(hw, &s, q, head);
			if (hw_push_used(hw, &s, q, head, len)) {
				hw_needs_reset(
					hw, "request queue: used ring not RAM");
				broken = true;
				break;
			}
		}
		if (broken)
			break;
	}
	hw_stat(hw, IOMMU_STAT_QUEUE_CMDS, served);
	irq = hw_need_irq(hw, &s, old_used, q->used_idx);
	if (irq) {
		pthread_mutex_lock(&hw->reg_lock);
		hw->isr |= VMMIO_INT_VRING;
		pthread_mutex_unlock(&hw->reg_lock);
	}
	irq |= broken; /* hw_needs_reset() set the config-change bit */
out:
	pthread_mutex_unlock(&q->lock);
	return irq;
}

/* ---- Fault reports (spec 5) ------------------------------------------- */

/*
 * hw_record_fault() - write one fault record into an event buffer
 *
 * Pops one buffer from the event queue, writes the 24-byte record, returns
 * it with used length 24 and raises the interrupt.  No buffer, or one too
 * small: the fault is lost (the small buffer is returned with length 0).
 * Context: takes q[1].lock and reg_lock; call with no lock held.
 */
static void hw_record_fault(struct viommu_hw *hw, uint8_t reason,
			    uint32_t flags, uint32_t ep, uint64_t addr)
{
	struct hw_queue *q = &hw->q[VIOMMU_EVENT_VQ];
	struct hw_chain c;
	struct hw_qsnap s;
	uint16_t avail, head, old_used;
	uint32_t len = 0;
	bool irq = false, recorded = false;

	pthread_mutex_lock(&q->lock);
	hw_snap(hw, VIOMMU_EVENT_VQ, &s);
	/* Acquire: the buffer the driver posted before it. */
	if (!s.live ||
	    hw_ring_load(hw, s.driver + 2, __ATOMIC_ACQUIRE, &avail) ||
	    avail == q->last_avail)
		goto out;
	if ((uint16_t)(avail - q->last_avail) > s.num) {
		hw_needs_reset(hw, "event queue: avail.idx corrupt");
		irq = true;
		goto out;
	}
	if (hw_read16(hw, s.driver + 4 + 2ull * (q->last_avail % s.num),
		      &head)) {
		hw_needs_reset(hw, "event queue: avail ring not RAM");
		irq = true;
		goto out;
	}
	q->last_avail++;
	memset(&c, 0, sizeof(c));
	c.ws = q->segs;
	c.ws_cap = q->seg_cap;
	c.ws_need = VIOMMU_FAULT_SIZE;
	if (!hw_walk_chain(hw, &s, head, &c) && c.wr_len >= VIOMMU_FAULT_SIZE) {
		uint8_t *r = q->scratch;

		memset(r, 0, VIOMMU_FAULT_SIZE);
		r[0] = reason;
		vio_put32(r + 4, flags);
		vio_put32(r + 8, ep);
		vio_put64(r + 16, addr);
		if (!hw_chain_write(hw, &c, r, VIOMMU_FAULT_SIZE)) {
			len = VIOMMU_FAULT_SIZE;
			recorded = true;
		}
	}
	old_used = q->used_idx;
	if (hw_push_used(hw, &s, q, head, len)) {
		hw_needs_reset(hw, "event queue: used ring not RAM");
		irq = true;
		goto out;
	}
	if (hw_need_irq(hw, &s, old_used, q->used_idx)) {
		pthread_mutex_lock(&hw->reg_lock);
		hw->isr |= VMMIO_INT_VRING;
		pthread_mutex_unlock(&hw->reg_lock);
		irq = true;
	}
out:
	pthread_mutex_unlock(&q->lock);
	hw_stat(hw, recorded ? IOMMU_STAT_FAULTS : IOMMU_STAT_FAULTS_LOST, 1);
	if (irq)
		hw->host->ops->raise_irq(hw->host, 0);
}

/* ---- Translation (spec 6.3) ------------------------------------------- */

/* Bytes of [iova, iova + want) up to and including @last; @last >= iova. */
static uint64_t hw_clip(uint64_t iova, uint64_t want, uint64_t last)
{
	uint64_t room = last - iova; /* bytes after iova */

	return want - 1 <= room ? want : room + 1;
}

/**
 * viommu_hw_translate() - translate one DMA request (spec 6.3)
 * @opaque: model
 * @req: the request; len > 0, access READ or WRITE
 * @out: phys, contiguous len (at most req->len) and perm on success
 *
 * Context: any thread, concurrently with MMIO; takes state_lock for read,
 * and on a fault q[1].lock and reg_lock, then raises the interrupt.
 * Return: 0; -EFAULT after recording a fault; -EINVAL bad arguments.
 */
static int viommu_hw_translate(void *opaque, const struct iommu_dma_req *req,
			       struct iommu_translation *out)
{
	struct viommu_hw *hw = opaque;
	const struct rangemap_entry *ep, *m;
	const struct hw_domain *dom;
	uint32_t fflags, need;
	uint8_t reason;
	uint64_t iova;
	bool walked = false;

	if (!hw || !req || !out || !req->len)
		return -EINVAL;
	if (req->access != IOMMU_ACCESS_READ &&
	    req->access != IOMMU_ACCESS_WRITE)
		return -EINVAL;
	iova = req->iova;
	fflags =
		VIRTIO_IOMMU_FAULT_F_ADDRESS |
		(req->access == IOMMU_ACCESS_READ ? VIRTIO_IOMMU_FAULT_F_READ
						  : VIRTIO_IOMMU_FAULT_F_WRITE);
	need = req->access == IOMMU_ACCESS_READ ? VIRTIO_IOMMU_MAP_F_READ
						: VIRTIO_IOMMU_MAP_F_WRITE;
	if (req->pasid != IOMMU_NO_PASID) {
		reason = VIRTIO_IOMMU_FAULT_R_UNKNOWN;
		goto fault;
	}

	pthread_rwlock_rdlock(&hw->state_lock);
	ep = rangemap_find(&hw->endpoints, req->dev_id);
	if (!ep) {
		reason = VIRTIO_IOMMU_FAULT_R_UNKNOWN;
		goto fault_unlock;
	}
	/* Step 2: the MSI RESV_MEM window is always identity. */
	if (hw->has_msi && iova >= hw->msi_base && iova <= hw->msi_last) {
		out->len = hw_clip(iova, req->len, hw->msi_last);
		goto identity;
	}
	dom = hw_ep_domain(ep);
	if (!dom) {
		bool byp =
			(hw_offers(hw, VIRTIO_IOMMU_F_BYPASS_CONFIG) &&
			 __atomic_load_n(&hw->bypass, __ATOMIC_ACQUIRE) == 1) ||
			(hw_negotiated(hw) & BIT64(VIRTIO_IOMMU_F_BYPASS));

		if (!byp) {
			reason = VIRTIO_IOMMU_FAULT_R_DOMAIN;
			goto fault_unlock;
		}
		out->len = hw_clip(iova, req->len, UINT64_MAX);
		goto identity;
	}
	if (dom->bypass) {
		out->len = hw_clip(iova, req->len, UINT64_MAX);
		goto identity;
	}
	walked = true;
	m = rangemap_find(&dom->maps, iova);
	if (!m || !(m->flags & need)) {
		reason = VIRTIO_IOMMU_FAULT_R_MAPPING;
		goto fault_unlock;
	}
	out->phys = m->phys + (iova - m->start);
	out->len = hw_clip(iova, req->len, m->last);
	out->perm = ((m->flags & VIRTIO_IOMMU_MAP_F_READ) ? IOMMU_READ : 0) |
		    ((m->flags & VIRTIO_IOMMU_MAP_F_WRITE) ? IOMMU_WRITE : 0);
	pthread_rwlock_unlock(&hw->state_lock);
	hw_stat(hw, IOMMU_STAT_WALKS, 1);
	return 0;

identity:
	pthread_rwlock_unlock(&hw->state_lock);
	out->phys = iova;
	out->perm = IOMMU_READ | IOMMU_WRITE;
	return 0;

fault_unlock:
	pthread_rwlock_unlock(&hw->state_lock);
fault:
	if (walked)
		hw_stat(hw, IOMMU_STAT_WALKS, 1);
	hw_record_fault(hw, reason, fflags, req->dev_id, iova);
	return -EFAULT;
}

/* ---- Endpoints -------------------------------------------------------- */

/* Return: 0, -EEXIST already present, -ENOMEM, -EINVAL no instance. */
static int viommu_hw_endpoint_add(void *opaque, uint32_t dev_id)
{
	struct viommu_hw *hw = opaque;
	int ret;

	if (!hw)
		return -EINVAL;
	pthread_rwlock_wrlock(&hw->state_lock);
	ret = rangemap_insert(&hw->endpoints, dev_id, dev_id, 0, 0);
	pthread_rwlock_unlock(&hw->state_lock);
	return ret;
}

/* Forget @dev_id; an attached endpoint is detached first. */
static void viommu_hw_endpoint_remove(void *opaque, uint32_t dev_id)
{
	struct viommu_hw *hw = opaque;
	struct rangemap_entry *ep;

	if (!hw)
		return;
	pthread_rwlock_wrlock(&hw->state_lock);
	ep = hw_ep_find(hw, dev_id);
	if (ep) {
		hw_ep_detach(hw, ep);
		rangemap_remove(&hw->endpoints, dev_id);
	}
	pthread_rwlock_unlock(&hw->state_lock);
}

/* ---- Registers (virtio-mmio version 2) -------------------------------- */

/* Context: reg_lock held. */
static void hw_build_config(struct viommu_hw *hw, uint8_t cfg[VIOMMU_CFG_SIZE])
{
	memset(cfg, 0, VIOMMU_CFG_SIZE);
	vio_put64(cfg + VIOMMU_CFG_PAGE_SIZE_MASK, hw->page_size_mask);
	vio_put64(cfg + VIOMMU_CFG_INPUT_START, hw->input_start);
	vio_put64(cfg + VIOMMU_CFG_INPUT_END, hw->input_end);
	vio_put32(cfg + VIOMMU_CFG_DOMAIN_START, hw->domain_start);
	vio_put32(cfg + VIOMMU_CFG_DOMAIN_END, hw->domain_end);
	vio_put32(cfg + VIOMMU_CFG_PROBE_SIZE, hw->probe_size);
	cfg[VIOMMU_CFG_BYPASS] = __atomic_load_n(&hw->bypass, __ATOMIC_RELAXED);
}

/* Config accesses: 1, 2, 4 or 8 bytes, naturally aligned, inside the 40. */
static bool hw_cfg_access_ok(uint64_t off, unsigned int size)
{
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return false;
	return off % size == 0 && off + size <= VIOMMU_CFG_SIZE;
}

/**
 * viommu_hw_mmio_read() - read a register of the virtio-mmio window
 * Return: 0 and *@val; -EINVAL unknown offset, a transport register read
 * with a size other than 4, a bad config access, or NULL arguments.
 * Context: takes reg_lock.
 */
static int viommu_hw_mmio_read(void *opaque, uint64_t offset, unsigned int size,
			       uint64_t *val)
{
	struct viommu_hw *hw = opaque;
	struct hw_queue *q;
	uint64_t v = 0;
	int ret = 0;

	if (!hw || !val)
		return -EINVAL;
	if (offset >= VMMIO_CONFIG) {
		uint8_t cfg[VIOMMU_CFG_SIZE];
		uint64_t off = offset - VMMIO_CONFIG;

		if (!hw_cfg_access_ok(off, size))
			return -EINVAL;
		pthread_mutex_lock(&hw->reg_lock);
		hw_build_config(hw, cfg);
		pthread_mutex_unlock(&hw->reg_lock);
		for (unsigned int i = 0; i < size; i++)
			v |= (uint64_t)cfg[off + i] << (8 * i);
		*val = v;
		return 0;
	}
	if (size != 4 || offset % 4)
		return -EINVAL;

	pthread_mutex_lock(&hw->reg_lock);
	q = hw->queue_sel < VIOMMU_NR_VQS ? &hw->q[hw->queue_sel] : NULL;
	switch (offset) {
	case VMMIO_MAGIC_VALUE:
		v = VMMIO_MAGIC;
		break;
	case VMMIO_VERSION:
		v = VMMIO_VERSION_MODERN;
		break;
	case VMMIO_DEVICE_ID:
		v = VIRTIO_ID_IOMMU;
		break;
	case VMMIO_VENDOR_ID:
		v = VIRTIO_VENDOR_ID_PROJECT;
		break;
	case VMMIO_DEVICE_FEATURES:
		if (hw->dev_feat_sel < 2)
			v = (uint32_t)(hw->features >> (32 * hw->dev_feat_sel));
		break;
	case VMMIO_DEVICE_FEATURES_SEL:
		v = hw->dev_feat_sel;
		break;
	case VMMIO_DRIVER_FEATURES:
		if (hw->drv_feat_sel < 2)
			v = (uint32_t)(hw->driver_features >>
				       (32 * hw->drv_feat_sel));
		break;
	case VMMIO_DRIVER_FEATURES_SEL:
		v = hw->drv_feat_sel;
		break;
	case VMMIO_QUEUE_SEL:
		v = hw->queue_sel;
		break;
	case VMMIO_QUEUE_NUM_MAX:
		v = q ? hw->queue_max : 0;
		break;
	case VMMIO_QUEUE_NUM:
		v = q ? q->num : 0;
		break;
	case VMMIO_QUEUE_READY:
		v = q ? q->ready : 0;
		break;
	case VMMIO_QUEUE_DESC_LOW:
		v = q ? (uint32_t)q->desc : 0;
		break;
	case VMMIO_QUEUE_DESC_HIGH:
		v = q ? (uint32_t)(q->desc >> 32) : 0;
		break;
	case VMMIO_QUEUE_DRIVER_LOW:
		v = q ? (uint32_t)q->driver : 0;
		break;
	case VMMIO_QUEUE_DRIVER_HIGH:
		v = q ? (uint32_t)(q->driver >> 32) : 0;
		break;
	case VMMIO_QUEUE_DEVICE_LOW:
		v = q ? (uint32_t)q->device : 0;
		break;
	case VMMIO_QUEUE_DEVICE_HIGH:
		v = q ? (uint32_t)(q->device >> 32) : 0;
		break;
	case VMMIO_QUEUE_NOTIFY:
	case VMMIO_INTERRUPT_ACK:
		v = 0; /* write-only */
		break;
	case VMMIO_INTERRUPT_STATUS:
		v = hw->isr;
		break;
	case VMMIO_STATUS:
		v = hw->status;
		break;
	case VMMIO_CONFIG_GENERATION:
		v = 0; /* the device never changes its config by itself */
		break;
	default:
		ret = -EINVAL;
	}
	pthread_mutex_unlock(&hw->reg_lock);
	if (!ret)
		*val = v;
	return ret;
}

/* Device reset (Status = 0).  Context: every lock held. */
static void hw_reset_locked(struct viommu_hw *hw)
{
	hw->status = 0;
	hw->dev_feat_sel = 0;
	hw->drv_feat_sel = 0;
	hw->queue_sel = 0;
	hw->isr = 0;
	hw->driver_features = 0;
	__atomic_store_n(&hw->negotiated, 0, __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < VIOMMU_NR_VQS; i++) {
		struct hw_queue *q = &hw->q[i];

		q->num = 0;
		q->ready = false;
		q->desc = q->driver = q->device = 0;
		q->last_avail = q->used_idx = 0;
	}
	hw_state_reset(hw);
	/* config.bypass keeps its value (spec 1.3). */
}

static void hw_reset(struct viommu_hw *hw)
{
	pthread_mutex_lock(&hw->q[0].lock);
	pthread_mutex_lock(&hw->q[1].lock);
	pthread_mutex_lock(&hw->reg_lock);
	pthread_rwlock_wrlock(&hw->state_lock);
	hw_reset_locked(hw);
	pthread_rwlock_unlock(&hw->state_lock);
	pthread_mutex_unlock(&hw->reg_lock);
	pthread_mutex_unlock(&hw->q[1].lock);
	pthread_mutex_unlock(&hw->q[0].lock);
}

/*
 * Status write other than 0.  FEATURES_OK is refused (not kept) when the
 * driver accepted a feature the device does not offer.
 * Return: true when DRIVER_OK was just set (the caller kicks queue 0).
 * Context: reg_lock held.
 */
static bool hw_write_status_locked(struct viommu_hw *hw, uint32_t val)
{
	uint32_t old = hw->status;

	val &= 0xff;
	if ((val & VIRTIO_STATUS_FEATURES_OK) &&
	    !(old & VIRTIO_STATUS_FEATURES_OK)) {
		if (hw->driver_features & ~hw->features) {
			hw_log(hw, IOMMU_LOG_WARN,
			       "virtio-iommu: FEATURES_OK refused: driver "
			       "features 0x%llx not offered",
			       (unsigned long long)(hw->driver_features &
						    ~hw->features));
			val &= ~VIRTIO_STATUS_FEATURES_OK;
		} else {
			__atomic_store_n(&hw->negotiated, hw->driver_features,
					 __ATOMIC_RELEASE);
		}
	}
	/* The device owns NEEDS_RESET; the driver cannot clear it. */
	val |= old & VIRTIO_STATUS_NEEDS_RESET;
	hw->status = val;
	return (val & VIRTIO_STATUS_DRIVER_OK) &&
	       !(old & VIRTIO_STATUS_DRIVER_OK);
}

/* QueueReady = 1: the queue must have a valid size and aligned rings. */
static void hw_queue_ready_locked(struct viommu_hw *hw, struct hw_queue *q,
				  uint32_t val)
{
	if (!val) {
		q->ready = false;
		return;
	}
	if (q->ready)
		return;
	if (!iommu_is_pow2(q->num) || q->num > hw->queue_max || q->desc % 16 ||
	    q->driver % 2 || q->device % 4) {
		hw_log(hw, IOMMU_LOG_WARN,
		       "virtio-iommu: queue %u not made ready: size %u "
		       "(max %u) or ring alignment invalid",
		       (unsigned int)(q - hw->q), q->num, hw->queue_max);
		return;
	}
	q->last_avail = 0;
	q->used_idx = 0;
	q->ready = true;
}

/* Config write: only bypass, only with BYPASS_CONFIG, only 0 or 1. */
static void hw_config_write_locked(struct viommu_hw *hw, uint64_t off,
				   unsigned int size, uint64_t val)
{
	uint8_t b;

	if (off > VIOMMU_CFG_BYPASS || off + size <= VIOMMU_CFG_BYPASS) {
		hw_log(hw, IOMMU_LOG_WARN,
		       "virtio-iommu: write to read-only config offset %llu "
		       "ignored",
		       (unsigned long long)off);
		return;
	}
	b = (uint8_t)(val >> (8 * (VIOMMU_CFG_BYPASS - off)));
	if (!(hw->status & VIRTIO_STATUS_FEATURES_OK) ||
	    !(hw->driver_features & BIT64(VIRTIO_IOMMU_F_BYPASS_CONFIG))) {
		hw_log(hw, IOMMU_LOG_WARN,
		       "virtio-iommu: config bypass write ignored: "
		       "BYPASS_CONFIG not negotiated");
		return;
	}
	if (b > 1) {
		hw_log(hw, IOMMU_LOG_WARN,
		       "virtio-iommu: config bypass write of %u ignored", b);
		return;
	}
	__atomic_store_n(&hw->bypass, b, __ATOMIC_RELEASE);
}

static void hw_set_low(uint64_t *r, uint64_t v)
{
	*r = (*r & ~0xffffffffull) | (uint32_t)v;
}

static void hw_set_high(uint64_t *r, uint64_t v)
{
	*r = (*r & 0xffffffffull) | ((uint64_t)(uint32_t)v << 32);
}

/**
 * viommu_hw_mmio_write() - write a register of the virtio-mmio window
 * Return: 0; -EINVAL unknown or read-only offset, bad size, bad config
 * access.  A write the device refuses (bad bypass value, queue register
 * of a ready queue) is ignored and logged, and returns 0.
 * Context: takes reg_lock; QueueNotify and DRIVER_OK consume the request
 * queue and may raise the interrupt (after every lock is dropped).
 */
static int viommu_hw_mmio_write(void *opaque, uint64_t offset,
				unsigned int size, uint64_t val)
{
	struct viommu_hw *hw = opaque;
	struct hw_queue *q;
	bool kick = false, irq = false;
	int ret = 0;

	if (!hw)
		return -EINVAL;
	if (offset >= VMMIO_CONFIG) {
		if (!hw_cfg_access_ok(offset - VMMIO_CONFIG, size))
			return -EINVAL;
		pthread_mutex_lock(&hw->reg_lock);
		hw_config_write_locked(hw, offset - VMMIO_CONFIG, size, val);
		pthread_mutex_unlock(&hw->reg_lock);
		return 0;
	}
	if (size != 4 || offset % 4)
		return -EINVAL;
	val = (uint32_t)val;
	if (offset == VMMIO_STATUS && val == 0) {
		hw_reset(hw);
		return 0;
	}
	if (offset == VMMIO_QUEUE_NOTIFY) {
		/* No NOTIFICATION_DATA: the value is the queue index. */
		if (val == VIOMMU_REQUEST_VQ && hw_process_requests(hw))
			hw->host->ops->raise_irq(hw->host, 0);
		return 0;
	}

	pthread_mutex_lock(&hw->reg_lock);
	q = hw->queue_sel < VIOMMU_NR_VQS ? &hw->q[hw->queue_sel] : NULL;
	/* Queue layout registers are frozen while the queue is ready. */
	if (q && q->ready &&
	    (offset == VMMIO_QUEUE_NUM ||
	     (offset >= VMMIO_QUEUE_DESC_LOW &&
	      offset <= VMMIO_QUEUE_DEVICE_HIGH))) {
		hw_log(hw, IOMMU_LOG_WARN,
		       "virtio-iommu: queue register 0x%llx written while the "
		       "queue is ready: ignored",
		       (unsigned long long)offset);
		goto out;
	}
	switch (offset) {
	case VMMIO_DEVICE_FEATURES_SEL:
		hw->dev_feat_sel = (uint32_t)val;
		break;
	case VMMIO_DRIVER_FEATURES:
		if (hw->status & VIRTIO_STATUS_FEATURES_OK)
			break; /* negotiation is over */
		if (hw->drv_feat_sel == 0)
			hw_set_low(&hw->driver_features, val);
		else if (hw->drv_feat_sel == 1)
			hw_set_high(&hw->driver_features, val);
		break;
	case VMMIO_DRIVER_FEATURES_SEL:
		hw->drv_feat_sel = (uint32_t)val;
		break;
	case VMMIO_QUEUE_SEL:
		hw->queue_sel = (uint32_t)val;
		break;
	case VMMIO_QUEUE_NUM:
		if (q)
			q->num = (uint32_t)val;
		break;
	case VMMIO_QUEUE_READY:
		if (q)
			hw_queue_ready_locked(hw, q, (uint32_t)val);
		break;
	case VMMIO_QUEUE_DESC_LOW:
		if (q)
			hw_set_low(&q->desc, val);
		break;
	case VMMIO_QUEUE_DESC_HIGH:
		if (q)
			hw_set_high(&q->desc, val);
		break;
	case VMMIO_QUEUE_DRIVER_LOW:
		if (q)
			hw_set_low(&q->driver, val);
		break;
	case VMMIO_QUEUE_DRIVER_HIGH:
		if (q)
			hw_set_high(&q->driver, val);
		break;
	case VMMIO_QUEUE_DEVICE_LOW:
		if (q)
			hw_set_low(&q->device, val);
		break;
	case VMMIO_QUEUE_DEVICE_HIGH:
		if (q)
			hw_set_high(&q->device, val);
		break;
	case VMMIO_INTERRUPT_ACK:
		hw->isr &= ~(uint32_t)val;
		break;
	case VMMIO_STATUS:
		kick = hw_write_status_locked(hw, (uint32_t)val);
		break;
	default:
		ret = -EINVAL; /* read-only or unknown */
	}
out:
	pthread_mutex_unlock(&hw->reg_lock);
	if (kick)
		irq = hw_process_requests(hw);
	if (irq)
		hw->host->ops->raise_irq(hw->host, 0);
	return ret;
}

/**
 * viommu_hw_notify() - doorbell for queue @queue
 * Return: 0; -EINVAL no instance or @queue >= 2.
 * Context: like a QueueNotify write.
 */
static int viommu_hw_notify(void *opaque, unsigned int queue)
{
	struct viommu_hw *hw = opaque;

	if (!hw || queue >= VIOMMU_NR_VQS)
		return -EINVAL;
	/* Event buffers are taken when a fault happens: nothing to do. */
	if (queue == VIOMMU_REQUEST_VQ && hw_process_requests(hw))
		hw->host->ops->raise_irq(hw->host, 0);
	return 0;
}

/* ---- Life cycle ------------------------------------------------------- */

static int hw_bad_param(struct iommu_host *host, const char *key, uint64_t v,
			const char *why)
{
	host->ops->log(host, IOMMU_LOG_ERR, "virtio: parameter %s = 0x%llx: %s",
		       key, (unsigned long long)v, why);
	return -EINVAL;
}

/* Check and copy the VIOMMU_P_HW_* parameters.  Return: 0 or -EINVAL. */
static int hw_load_params(struct viommu_hw *hw, const uint64_t *p)
{
	struct iommu_host *host = hw->host;
	uint64_t unknown = p[VIOMMU_P_HW_FEATURES] & ~VIOMMU_HW_KNOWN_FEATURES;

	if (unknown)
		return hw_bad_param(host, "features", p[VIOMMU_P_HW_FEATURES],
				    "offers bits the model does not implement");
	if (!p[VIOMMU_P_HW_PAGE_SIZE_MASK])
		return hw_bad_param(host, "page_size_mask", 0,
				    "must have at least one bit set");
	if (p[VIOMMU_P_HW_INPUT_START] > p[VIOMMU_P_HW_INPUT_END])
		return hw_bad_param(host, "input_start",
				    p[VIOMMU_P_HW_INPUT_START],
				    "greater than input_end");
	if (p[VIOMMU_P_HW_DOMAIN_END] > UINT32_MAX)
		return hw_bad_param(host, "domain_end",
				    p[VIOMMU_P_HW_DOMAIN_END],
				    "domain IDs are 32-bit");
	if (p[VIOMMU_P_HW_DOMAIN_START] > p[VIOMMU_P_HW_DOMAIN_END])
		return hw_bad_param(host, "domain_start",
				    p[VIOMMU_P_HW_DOMAIN_START],
				    "greater than domain_end");
	if (p[VIOMMU_P_HW_PROBE_SIZE] > 4096)
		return hw_bad_param(host, "probe_size",
				    p[VIOMMU_P_HW_PROBE_SIZE],
				    "more than 4096 bytes");
	if (p[VIOMMU_P_HW_BOOT_BYPASS] > 1)
		return hw_bad_param(host, "boot_bypass",
				    p[VIOMMU_P_HW_BOOT_BYPASS], "not 0 or 1");
	if (!iommu_is_pow2(p[VIOMMU_P_HW_QUEUE_MAX]) ||
	    p[VIOMMU_P_HW_QUEUE_MAX] < 2 ||
	    p[VIOMMU_P_HW_QUEUE_MAX] > VRING_MAX_SIZE)
		return hw_bad_param(host, "queue_max", p[VIOMMU_P_HW_QUEUE_MAX],
				    "not a power of two in [2, 32768]");
	if (p[VIOMMU_P_HW_MSI_SIZE] &&
	    p[VIOMMU_P_HW_MSI_BASE] + (p[VIOMMU_P_HW_MSI_SIZE] - 1) <
		    p[VIOMMU_P_HW_MSI_BASE])
		return hw_bad_param(host, "msi_size", p[VIOMMU_P_HW_MSI_SIZE],
				    "region wraps past 2^64");
	if (!p[VIOMMU_P_HW_MAX_DOMAINS])
		return hw_bad_param(host, "max_domains", 0, "must be >= 1");
	if (!p[VIOMMU_P_HW_MAX_MAPPINGS])
		return hw_bad_param(host, "max_mappings", 0, "must be >= 1");

	hw->features = p[VIOMMU_P_HW_FEATURES];
	hw->page_size_mask = p[VIOMMU_P_HW_PAGE_SIZE_MASK];
	hw->input_start = p[VIOMMU_P_HW_INPUT_START];
	hw->input_end = p[VIOMMU_P_HW_INPUT_END];
	hw->domain_start = (uint32_t)p[VIOMMU_P_HW_DOMAIN_START];
	hw->domain_end = (uint32_t)p[VIOMMU_P_HW_DOMAIN_END];
	hw->probe_size = (uint32_t)p[VIOMMU_P_HW_PROBE_SIZE];
	hw->bypass = (uint8_t)p[VIOMMU_P_HW_BOOT_BYPASS];
	hw->queue_max = (uint32_t)p[VIOMMU_P_HW_QUEUE_MAX];
	hw->has_msi = p[VIOMMU_P_HW_MSI_SIZE] != 0;
	hw->msi_base = p[VIOMMU_P_HW_MSI_BASE];
	hw->msi_last = hw->msi_base + p[VIOMMU_P_HW_MSI_SIZE] - 1;
	hw->max_domains = p[VIOMMU_P_HW_MAX_DOMAINS];
	hw->max_mappings = p[VIOMMU_P_HW_MAX_MAPPINGS];
	if (hw_offers(hw, VIRTIO_IOMMU_F_BYPASS) &&
	    hw_offers(hw, VIRTIO_IOMMU_F_BYPASS_CONFIG))
		host->ops->log(host, IOMMU_LOG_WARN,
			       "virtio: features offers both BYPASS and "
			       "BYPASS_CONFIG (spec 1.2 advises against)");
	return 0;
}

static void viommu_hw_destroy(void *opaque)
{
	struct viommu_hw *hw = opaque;

	if (!hw)
		return;
	hw_state_reset(hw);
	rangemap_clear(&hw->endpoints);
	rangemap_clear(&hw->domains);
	for (unsigned int i = 0; i < VIOMMU_NR_VQS; i++) {
		free(hw->q[i].segs);
		free(hw->q[i].scratch);
		pthread_mutex_destroy(&hw->q[i].lock);
	}
	pthread_rwlock_destroy(&hw->state_lock);
	pthread_mutex_destroy(&hw->reg_lock);
	free(hw);
}

/**
 * viommu_hw_create() - make a device model in its system-reset state
 * @host: core services
 * @params: the [virtio] values, indexed by enum viommu_param
 * @out: the instance
 *
 * Return: 0; -EINVAL bad argument or parameter (logged with its key);
 * -ENOMEM.
 */
static int viommu_hw_create(struct iommu_host *host, const uint64_t *params,
			    void **out)
{
	struct viommu_hw *hw;
	size_t scratch;
	unsigned int i, locks = 0;
	int ret;

	if (!host || !host->ops || !params || !out)
		return -EINVAL;
	if (!host->ops->log || !host->ops->mem_read || !host->ops->mem_write ||
	    !host->ops->raise_irq)
		return -EINVAL;
	hw = calloc(1, sizeof(*hw));
	if (!hw)
		return -ENOMEM;
	hw->host = host;
	ret = hw_load_params(hw, params);
	if (ret)
		goto err_free;
	rangemap_init(&hw->endpoints);
	rangemap_init(&hw->domains);

	ret = -ENOMEM;
	if (pthread_mutex_init(&hw->reg_lock, NULL))
		goto err_free;
	if (pthread_rwlock_init(&hw->state_lock, NULL))
		goto err_reg_lock;
	/* Stored segments stop once they cover the longest reply. */
	scratch = (size_t)hw->probe_size + VIOMMU_TAIL_SIZE;
	if (scratch < VIOMMU_FAULT_SIZE)
		scratch = VIOMMU_FAULT_SIZE;
	for (i = 0; i < VIOMMU_NR_VQS; i++) {
		struct hw_queue *q = &hw->q[i];

		if (pthread_mutex_init(&q->lock, NULL))
			goto err_queues;
		locks++;
		q->seg_cap = (unsigned int)scratch;
		q->segs = calloc(scratch, sizeof(*q->segs));
		q->scratch = calloc(1, scratch);
		if (!q->segs || !q->scratch)
			goto err_queues;
	}
	*out = hw;
	return 0;

err_queues:
	for (i = 0; i < VIOMMU_NR_VQS; i++) {
		free(hw->q[i].segs);
		free(hw->q[i].scratch);
		if (i < locks)
			pthread_mutex_destroy(&hw->q[i].lock);
	}
	pthread_rwlock_destroy(&hw->state_lock);
err_reg_lock:
	pthread_mutex_destroy(&hw->reg_lock);
err_free:
	free(hw);
	return ret;
}

const struct iommu_hw_ops viommu_hw_ops = {
	.size = IOMMU_TABLE_SIZE(iommu_hw_ops),
	.create = viommu_hw_create,
	.destroy = viommu_hw_destroy,
	.mmio_read = viommu_hw_mmio_read,
	.mmio_write = viommu_hw_mmio_write,
	.translate = viommu_hw_translate,
	.endpoint_add = viommu_hw_endpoint_add,
	.endpoint_remove = viommu_hw_endpoint_remove,
	.notify = viommu_hw_notify,
};
