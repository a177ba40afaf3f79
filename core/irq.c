// SPDX-License-Identifier: MIT
/*
 * irq.c - deferred interrupt delivery (DESIGN rule 13), the built-in bus
 * and the VMM's entry points into the device model.
 *
 * A device model raises an interrupt from inside whatever call reached
 * it: a translation, a register write the driver made while the core
 * held a group or the topology lock, a register write the guest made.
 * Delivering it there would run the driver's irq op inside its own
 * register write, or a fault handler under a core lock.  So a raise only
 * sets the vector's bit in the context's pending mask and notes the
 * context in a per-thread list; the vectors are delivered when the
 * thread leaves its outermost public call (IOMMU__API_SCOPE), when it no
 * longer holds any core lock and is inside no plugin call.
 *
 * One thread delivers a context's interrupts at a time, and it loops
 * until nothing is pending: a vector raised meanwhile, by the handlers it
 * runs or by another thread, is taken by that loop.  Delivery is a call
 * into the plugin (or the VMM), so the thread's depth is raised around
 * it and what it raises is queued like any other raise.
 */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "core.h"

/*
 * Contexts this thread raised on and has not drained yet.  A thread is
 * inside at most a few contexts at once (a VMM's bus that forwards to a
 * second context); past IRQ_DIRTY_MAX the vector stays pending on its
 * context and goes with that context's next delivery.
 */
#define IRQ_DIRTY_MAX 16

_Thread_local unsigned int iommu__irq_depth;
static _Thread_local struct iommu_ctx *irq_dirty[IRQ_DIRTY_MAX];
_Thread_local unsigned int iommu__irq_nr_dirty;

static void irq_mark(struct iommu_ctx *ctx)
{
	for (unsigned int i = 0; i < iommu__irq_nr_dirty; i++)
		if (irq_dirty[i] == ctx)
			return;
	if (iommu__irq_nr_dirty < IRQ_DIRTY_MAX)
		irq_dirty[iommu__irq_nr_dirty++] = ctx;
}

/* Hand @mask's vectors, lowest first, to the driver or to the VMM. */
static void irq_deliver(struct iommu_ctx *ctx, uint64_t mask, bool to_drv)
{
	while (mask) {
		unsigned int vec = (unsigned int)__builtin_ctzll(mask);

		mask &= mask - 1;
		if (to_drv) {
			void *drv = atomic_load_explicit(&ctx->drv,
							 memory_order_acquire);
			if (drv && ctx->desc->ops->irq)
				ctx->desc->ops->irq(drv, vec);
		} else if (ctx->irq_fn) {
			ctx->irq_fn(ctx->irq_cookie, vec);
		}
	}
}

/*
 * irq_drain() - deliver what is pending on @ctx, unless another thread
 * already does (it will see our bits: it re-reads the masks after it
 * stops being the drainer).
 * Context: no core lock held; this thread's depth is 0.
 */
/* Hand the queued interrupt messages to opts.msi, oldest first. */
static bool msi_deliver(struct iommu_ctx *ctx)
{
	struct iommu__msi m[IOMMU__MSI_QUEUE];
	unsigned int n;

	pthread_mutex_lock(&ctx->msi_lock);
	n = ctx->msi_nr;
	memcpy(m, ctx->msiq, n * sizeof(m[0]));
	ctx->msi_nr = 0;
	atomic_store(&ctx->irq.msi_pending, false);
	pthread_mutex_unlock(&ctx->msi_lock);
	for (unsigned int i = 0; i < n; i++)
		ctx->msi_fn(ctx->msi_cookie, m[i].dev_id, m[i].addr, m[i].data);
	return n != 0;
}

static void irq_drain(struct iommu_ctx *ctx)
{
	struct iommu__irq *q = &ctx->irq;

	while (atomic_load(&q->drv_pending) || atomic_load(&q->vmm_pending) ||
	       atomic_load(&q->msi_pending)) {
		if (atomic_exchange(&q->draining, true))
			return;
		iommu__irq_depth++;
		for (;;) {
			uint64_t d = atomic_exchange(&q->drv_pending, 0);
			uint64_t v = atomic_exchange(&q->vmm_pending, 0);

			bool m = atomic_load(&q->msi_pending) &&
				 msi_deliver(ctx);

			if (!d && !v && !m)
				break;
			irq_deliver(ctx, d, true);
			irq_deliver(ctx, v, false);
		}
		iommu__fault_lost_flush(ctx);
		iommu__irq_depth--;
		atomic_store(&q->draining, false);
	}
}

void iommu__irq_drain_all(void)
{
	while (iommu__irq_nr_dirty)
		irq_drain(irq_dirty[--iommu__irq_nr_dirty]);
}

/*
 * iommu__irq_queue() - note @vector for the driver (@to_drv) or the VMM
 * Delivered at once when the thread is in no public call (nothing of the
 * core is on its stack), else when it leaves the outermost one.
 */
static void iommu__irq_queue(struct iommu_ctx *ctx, unsigned int vector,
			     bool to_drv)
{
	struct iommu__irq *q = &ctx->irq;

	atomic_fetch_or(to_drv ? &q->drv_pending : &q->vmm_pending,
			UINT64_C(1) << vector);
	irq_mark(ctx);
	if (!iommu__irq_depth)
		iommu__irq_drain_all();
}

void iommu__irq_forget(struct iommu_ctx *ctx)
{
	for (unsigned int i = 0; i < iommu__irq_nr_dirty; i++) {
		if (irq_dirty[i] == ctx) {
			irq_dirty[i] = irq_dirty[--iommu__irq_nr_dirty];
			return;
		}
	}
}

/*
 * The model's raise_irq.  The built-in model's interrupt goes to our
 * driver when it drives that model; otherwise to whoever the VMM says
 * serves it (opts.irq).  Never delivered here: see the top of the file.
 */
void iommu__host_raise_irq(struct iommu_host *h, unsigned int vector)
{
	struct iommu_ctx *ctx = iommu__host_ctx(h);
	bool to_drv = ctx->has_driver && ctx->bus_builtin;

	if (vector >= IOMMU__IRQ_VECTORS) {
		iommu__log(ctx, IOMMU_LOG_WARN,
			   "device model raised vector %u (max %u): dropped",
			   vector, IOMMU__IRQ_VECTORS - 1);
		return;
	}
	if (!to_drv && !ctx->irq_fn)
		return;
	iommu__irq_queue(ctx, vector, to_drv);
}

/*
 * iommu__msi_queue() - an interrupt message for opts.msi (DESIGN rule 12)
 * Queued like a raised vector and delivered when the thread leaves its
 * outermost public call.  Without opts.msi, or past the queue's room
 * (a model that writes messages in a loop), it is dropped and counted.
 */
void iommu__msi_queue(struct iommu_ctx *ctx, uint32_t dev_id, uint64_t addr,
		      uint32_t data)
{
	bool room;

	if (!ctx->msi_fn) {
		iommu__stat(ctx, IOMMU_STAT_MSI_DROPPED, 1);
		return;
	}
	pthread_mutex_lock(&ctx->msi_lock);
	room = ctx->msi_nr < IOMMU__MSI_QUEUE;
	if (room) {
		ctx->msiq[ctx->msi_nr++] =
			(struct iommu__msi){ dev_id, data, addr };
		atomic_store(&ctx->irq.msi_pending, true);
	}
	pthread_mutex_unlock(&ctx->msi_lock);
	if (!room) {
		iommu__stat(ctx, IOMMU_STAT_MSI_DROPPED, 1);
		return;
	}
	iommu__stat(ctx, IOMMU_STAT_MSI, 1);
	irq_mark(ctx);
	if (!iommu__irq_depth)
		iommu__irq_drain_all();
}

/* The model's msi_write: its own interrupt message (a queue-completion or
 * event MSI the guest programmed). */
void iommu__host_msi_write(struct iommu_host *h, uint64_t addr, uint32_t data)
{
	iommu__msi_queue(iommu__host_ctx(h), IOMMU_MSI_FROM_IOMMU, addr, data);
}

int iommu_ctx_irq(struct iommu_ctx *ctx, unsigned int vector)
{
	IOMMU__API_SCOPE();

	if (!ctx || vector >= IOMMU__IRQ_VECTORS)
		return -EINVAL;
	if (!ctx->has_driver || !ctx->desc->ops->irq)
		return -ENODEV;
	iommu__irq_queue(ctx, vector, true);
	return 0;
}

/* ---- The built-in bus: straight to the plugin's own device model ------ */

static int builtin_mmio_read(void *opaque, uint64_t off, unsigned int size,
			     uint64_t *val)
{
	struct iommu_ctx *ctx = opaque;

	return ctx->desc->hw->mmio_read(ctx->hw, off, size, val);
}

static int builtin_mmio_write(void *opaque, uint64_t off, unsigned int size,
			      uint64_t val)
{
	struct iommu_ctx *ctx = opaque;
	int ret = ctx->desc->hw->mmio_write(ctx->hw, off, size, val);

	iommu__xlate_changed(ctx);
	return ret;
}

const struct iommu_bus_ops iommu__builtin_bus_ops = {
	.mmio_read = builtin_mmio_read,
	.mmio_write = builtin_mmio_write,
};

/* ---- Device model entry points ---------------------------------------- */

static bool mmio_size_ok(unsigned int size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

/* The guest's accesses to the model may make it drop faults (a full
 * record queue): told to the VMM once the model has returned.  What the
 * access raises is delivered when the call returns (rule 13). */
int iommu_hw_mmio_read(struct iommu_ctx *ctx, uint64_t offset,
		       unsigned int size, uint64_t *val)
{
	IOMMU__API_SCOPE();
	int ret;

	if (!ctx || !val || !mmio_size_ok(size))
		return -EINVAL;
	ret = ctx->desc->hw->mmio_read(ctx->hw, offset, size, val);
	iommu__fault_lost_flush(ctx);
	return ret;
}

int iommu_hw_mmio_write(struct iommu_ctx *ctx, uint64_t offset,
			unsigned int size, uint64_t val)
{
	IOMMU__API_SCOPE();
	int ret;

	if (!ctx || !mmio_size_ok(size))
		return -EINVAL;
	ret = ctx->desc->hw->mmio_write(ctx->hw, offset, size, val);
	iommu__xlate_changed(ctx);
	iommu__fault_lost_flush(ctx);
	return ret;
}

int iommu_hw_notify(struct iommu_ctx *ctx, unsigned int queue)
{
	IOMMU__API_SCOPE();
	int ret;

	if (!ctx)
		return -EINVAL;
	if (!ctx->desc->hw->notify)
		return -EOPNOTSUPP;
	ret = ctx->desc->hw->notify(ctx->hw, queue);
	iommu__xlate_changed(ctx);
	iommu__fault_lost_flush(ctx);
	return ret;
}
