// SPDX-License-Identifier: MIT
/*
 * drv_queue.c - the virtqueues and the request queue: table memory,
 * the transport, encoding, submission and completion ("Request queue" in
 * drv.h).
 * Locks and choices: see drv.h.
 */
#include "drv.h"

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
 * @buf: @size bytes; the request's bytes are zeroed and filled, the rest
 *       (not part of the request) is left alone
 * @size: room at @buf
 *
 * Spec 2.3: little-endian; head reserved bytes, ATTACH/DETACH/UNMAP/PROBE
 * reserved fields and undefined MAP flags are written as zero.  Each type
 * zeroes its own, fixed, length: a constant the compiler expands in line.
 * Return: bytes of the readable part, or 0 (nothing written) for an
 * unknown @r->type or a request longer than @size.
 */
static size_t viommu_drv_build_req(const struct viommu_req *r, uint8_t *buf,
				   size_t size)
{
	switch (r->type) {
	case VIRTIO_IOMMU_T_ATTACH:
		if (size < VIOMMU_ATTACH_RD_SIZE)
			return 0;
		memset(buf, 0, VIOMMU_ATTACH_RD_SIZE);
		buf[VIOMMU_REQ_TYPE] = r->type;
		vio_put32(buf + VIOMMU_ATTACH_DOMAIN, r->domain);
		vio_put32(buf + VIOMMU_ATTACH_EP, r->endpoint);
		vio_put32(buf + VIOMMU_ATTACH_FLAGS, r->flags);
		return VIOMMU_ATTACH_RD_SIZE;
	case VIRTIO_IOMMU_T_DETACH:
		if (size < VIOMMU_DETACH_RD_SIZE)
			return 0;
		memset(buf, 0, VIOMMU_DETACH_RD_SIZE);
		buf[VIOMMU_REQ_TYPE] = r->type;
		vio_put32(buf + VIOMMU_ATTACH_DOMAIN, r->domain);
		vio_put32(buf + VIOMMU_ATTACH_EP, r->endpoint);
		return VIOMMU_DETACH_RD_SIZE;
	case VIRTIO_IOMMU_T_MAP:
		if (size < VIOMMU_MAP_RD_SIZE)
			return 0;
		memset(buf, 0, VIOMMU_MAP_RD_SIZE);
		buf[VIOMMU_REQ_TYPE] = r->type;
		vio_put32(buf + VIOMMU_MAP_DOMAIN, r->domain);
		vio_put64(buf + VIOMMU_MAP_VSTART, r->start);
		vio_put64(buf + VIOMMU_MAP_VEND, r->end);
		vio_put64(buf + VIOMMU_MAP_PSTART, r->phys);
		vio_put32(buf + VIOMMU_MAP_FLAGS,
			  r->flags & VIRTIO_IOMMU_MAP_F_MASK);
		return VIOMMU_MAP_RD_SIZE;
	case VIRTIO_IOMMU_T_UNMAP:
		if (size < VIOMMU_UNMAP_RD_SIZE)
			return 0;
		memset(buf, 0, VIOMMU_UNMAP_RD_SIZE);
		buf[VIOMMU_REQ_TYPE] = r->type;
		vio_put32(buf + VIOMMU_UNMAP_DOMAIN, r->domain);
		vio_put64(buf + VIOMMU_UNMAP_VSTART, r->start);
		vio_put64(buf + VIOMMU_UNMAP_VEND, r->end);
		return VIOMMU_UNMAP_RD_SIZE;
	case VIRTIO_IOMMU_T_PROBE:
		if (size < VIOMMU_PROBE_RD_SIZE)
			return 0;
		memset(buf, 0, VIOMMU_PROBE_RD_SIZE);
		buf[VIOMMU_REQ_TYPE] = r->type;
		vio_put32(buf + VIOMMU_PROBE_EP, r->endpoint);
		return VIOMMU_PROBE_RD_SIZE;
	default:
		return 0;
	}
}

/* ---- virtqueue helpers (spec 7) ------------------------------------------ */

static void vq_set_desc(struct viommu_vq *vq, uint32_t i, uint64_t addr,
			uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *d = vq->desc + VRING_DESC_SIZE * (size_t)i;

	vio_put64(d, addr);
	vio_put32(d + 8, len);
	vio_put16(d + 12, flags);
	vio_put16(d + 14, next);
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
	void *ring, *buf;
	uint8_t *p;
	int err;

	memset(vq, 0, sizeof(*vq));
	vq->index = index;
	vq->num = num;
	vq->ring_size = pow2_at_least(need);
	err = ilib_table_alloc(v->host, "virtio-iommu", vq->ring_size,
			       &vq->ring_pa, &ring);
	if (err) {
		vq->ring_size = 0;
		return err;
	}
	p = ring;
	vq->desc_pa = vq->ring_pa;
	vq->avail_pa = vq->ring_pa + avail_off;
	vq->used_pa = vq->ring_pa + used_off;
	vq->desc = p;
	vq->avail = p + avail_off;
	vq->used = p + used_off;

	vq->buf_size = pow2_at_least(buf_size);
	err = ilib_table_alloc(v->host, "virtio-iommu", vq->buf_size,
			       &vq->buf_pa, &buf);
	if (err)
		goto err_free_ring;
	vq->buf = buf;
	return 0;

err_free_ring:
	ilib_table_free(v->host, vq->ring_pa, vq->ring_size);
	vq->ring_size = 0;
	vq->buf_size = 0;
	return err;
}

static void vq_free(struct viommu_drv *v, struct viommu_vq *vq)
{
	ilib_table_free(v->host, vq->buf_pa, vq->buf_size);
	ilib_table_free(v->host, vq->ring_pa, vq->ring_size);
	vq->buf_size = 0;
	vq->ring_size = 0;
}

/* ---- request queue ------------------------------------------------------- */

void viommu_req_lock(struct viommu_drv *v)
{
	pthread_mutex_lock(&v->req_lock);
}

void viommu_req_unlock(struct viommu_drv *v)
{
	pthread_mutex_unlock(&v->req_lock);
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
int viommu_req_sync(struct viommu_drv *v)
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
			ilib_poll_pause(polls);
			continue;
		}
		polls = 0;
		while (v->rq.last_used != used) {
			const uint8_t *e = v->rq.used + 4 +
				8 * (size_t)(v->rq.last_used & (v->rq.num - 1));

			v->rq.last_used++;
			viommu_req_complete(v, vio_le32(e), vio_le32(e + 4));
		}
	}
	return 0;
}

/* Forget @b in slots still in flight (after a timeout). */
void viommu_batch_abandon(struct viommu_drv *v, struct viommu_batch *b)
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
int viommu_req_queue(struct viommu_drv *v, const struct viommu_req *r,
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
	/* Encoded in place: every type but PROBE fits before the tail. */
	rlen = viommu_drv_build_req(r, rd, (size_t)(wr_pa - rd_pa));
	if (!rlen)
		return -EINVAL;
	ilib_trace_raw(v->host, IOMMU_TR_CMD_ISSUED, "virtio request", 0, 0,
		       rd, rlen);
	if (wlen == VIOMMU_TAIL_SIZE)
		memset(s->tail, 0, VIOMMU_TAIL_SIZE); /* in line */
	else
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
int viommu_req_send(struct viommu_drv *v, const struct viommu_req *r)
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

void viommu_free_queues(struct viommu_drv *v)
{
	ilib_table_free(v->host, v->probe_pa, v->probe_alloc);
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
int viommu_init_queues(struct viommu_drv *v, const uint64_t *params)
{
	uint32_t rnum, enum_;
	void *probe;
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
	/*
	 * Every request is waited for by polling used.idx, so an interrupt
	 * per completion would only cost an InterruptStatus read, an ack
	 * and an empty pass over the event queue (spec 2.7.7: the device
	 * may still send one; irq() copes).  Config-change interrupts and
	 * the event queue's are not affected.
	 */
	vio_put16(v->rq.avail, VRING_AVAIL_F_NO_INTERRUPT);
	err = vq_alloc(v, &v->eq, VIOMMU_EVENT_VQ, enum_,
		       (size_t)enum_ * VIOMMU_FAULT_SIZE);
	if (err)
		goto err_free;
	if (has_feat(v, VIRTIO_IOMMU_F_PROBE) && v->probe_size) {
		v->probe_alloc = pow2_at_least(VIOMMU_PROBE_RD_SIZE +
					       (size_t)v->probe_size +
					       VIOMMU_TAIL_SIZE);
		err = ilib_table_alloc(v->host, "virtio-iommu",
				       v->probe_alloc, &v->probe_pa, &probe);
		if (err) {
			v->probe_alloc = 0;
			goto err_free;
		}
		v->probe_buf = probe;
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

void viommu_post_events(struct viommu_drv *v)
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
