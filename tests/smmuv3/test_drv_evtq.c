// SPDX-License-Identifier: MIT
/*
 * test_drv_evtq.c - the driver's event-queue consumer when the queue
 * overflowed.  With the built-in model the driver reads each record
 * before the next fault (the interrupt arrives when the faulting call
 * returns), so its overflow path is reached only when interrupts are
 * late.  Here the driver of context A is bound through a VMM bus to the
 * model of context B (IOMMU_CTX_NO_DRIVER, the same RAM), and the test
 * holds B's interrupts back while faults fill B's two-entry event queue:
 * the driver then reports the records the queue kept, once each,
 * acknowledges the overflow (OVACKFLG = OVFLG), logs it, and the queue
 * works again.  Public API only; field positions from sg.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <criterion/criterion.h>

#include "sg.h"

#define EV_RAM	(64ull << 20)
#define EV_IOVA 0x40000000ull

struct ev {
	struct iommu_ctx *a, *b;
	void *ram;
	bool hold;	   /* keep B's interrupts back */
	uint64_t held;	   /* vectors B raised meanwhile */
	unsigned int nf;   /* faults A reported */
	uint64_t addr[8];  /* their addresses */
	unsigned int novf; /* A's "overflowed" log lines */
};

static int ev_read(void *opaque, uint64_t off, unsigned int size,
		   uint64_t *val)
{
	struct ev *v = opaque;

	return iommu_hw_mmio_read(v->b, off, size, val);
}

static int ev_write(void *opaque, uint64_t off, unsigned int size,
		    uint64_t val)
{
	struct ev *v = opaque;

	return iommu_hw_mmio_write(v->b, off, size, val);
}

static int ev_translate(void *opaque, uint32_t dev_id, uint32_t pasid,
			uint64_t iova, uint64_t len, unsigned int access,
			struct iommu_translation *out)
{
	struct ev *v = opaque;

	return iommu_dma_translate(v->b, dev_id, pasid, iova, len, access,
				   out);
}

static const struct iommu_bus_ops ev_bus = {
	.mmio_read = ev_read,
	.mmio_write = ev_write,
	.translate = ev_translate,
};

static void ev_irq(void *cookie, unsigned int vector)
{
	struct ev *v = cookie;

	if (v->hold || !v->a)
		v->held |= 1ull << vector;
	else
		cr_assert_eq(iommu_ctx_irq(v->a, vector), 0);
}

static int ev_fault(struct iommu_ctx *ctx, const struct iommu_fault *f,
		    void *cookie)
{
	struct ev *v = cookie;

	(void)ctx;
	if (v->nf < 8)
		v->addr[v->nf] = f->addr;
	v->nf++;
	return 0;
}

static void ev_log(void *cookie, enum iommu_log_level lvl, const char *msg)
{
	struct ev *v = cookie;

	if (strstr(msg, "overflowed"))
		v->novf++;
	else if (lvl <= IOMMU_LOG_WARN)
		fprintf(stderr, "log: %s\n", msg);
}

static void ev_open(struct ev *v)
{
	static const char ini[] = "[iommu]\nbackend = smmuv3\n"
				  "default_domain = dma\n"
				  "invalidation = strict\n"
				  "[memory]\ntable_base = 0x3000000\n"
				  "table_size = 0x1000000\n"
				  "[device.a]\nid = 0x10\n"
				  "[smmuv3]\nsid_bits = 8\nhyp = no\n"
				  "eventq_bits = 1\n";
	struct iommu_ram_region ram;
	struct iommu_ctx_opts o;
	char err[256] = "";

	memset(v, 0, sizeof(*v));
	v->ram = mmap(NULL, EV_RAM, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(v->ram, MAP_FAILED);
	ram = (struct iommu_ram_region){0, EV_RAM, v->ram};
	memset(&o, 0, sizeof(o));
	o.ini_string = ini;
	o.log = ev_log;
	o.log_cookie = v;
	o.log_level = IOMMU_LOG_INFO;
	o.ram = &ram;
	o.nr_ram = 1;
	o.errbuf = err;
	o.errbuf_len = sizeof(err);
	o.irq = ev_irq;
	o.irq_cookie = v;
	o.flags = IOMMU_CTX_NO_DRIVER;
	cr_assert_eq(iommu_ctx_create(&o, &v->b), 0, "model: %s", err);
	o.irq = NULL;
	o.irq_cookie = NULL;
	o.flags = 0;
	o.bus = &ev_bus;
	o.bus_opaque = v;
	cr_assert_eq(iommu_ctx_create(&o, &v->a), 0, "driver: %s", err);
	cr_assert_eq(iommu_set_ctx_fault_handler(v->a, ev_fault, v), 0);
}

static void ev_close(struct ev *v)
{
	struct iommu_ctx *a = v->a;

	v->a = NULL;
	iommu_ctx_destroy(a);
	iommu_ctx_destroy(v->b);
	munmap(v->ram, EV_RAM);
}

/* A DMA through A's default domain at an IOVA nothing maps. */
static void ev_fault_at(struct ev *v, uint64_t iova)
{
	struct iommu_translation tr;

	cr_assert_eq(iommu_dma_translate(v->a, SID_A, IOMMU_NO_PASID, iova, 4,
					 IOMMU_ACCESS_READ, &tr),
		     -EFAULT);
}

static uint64_t ev_stat(struct iommu_ctx *c, enum iommu_stat s)
{
	struct iommu_stats st = {.size = sizeof(st)};

	cr_assert_eq(iommu_get_stats(c, &st), 0);
	return st.v[s];
}

Test(drv_evtq, overflow_is_acknowledged_and_the_kept_records_reported)
{
	uint64_t prod, cons;
	struct ev v;

	ev_open(&v);
	/* Interrupts on time: each record is read before the next fault. */
	ev_fault_at(&v, EV_IOVA);
	cr_assert_eq(v.nf, 1);
	/* Held back: two records fit, three are lost, OVFLG toggles. */
	v.hold = true;
	for (unsigned int i = 1; i <= 5; i++)
		ev_fault_at(&v, EV_IOVA + i * PG);
	cr_assert_eq(v.nf, 1, "no interrupt reached the driver");
	cr_assert_eq(ev_stat(v.b, IOMMU_STAT_FAULTS_LOST), 3);
	cr_assert(v.held & (1ull << V_EVTQ), "the event interrupt was raised");
	cr_assert_eq(iommu_hw_mmio_read(v.b, S_EVTQ_PROD, 4, &prod), 0);
	cr_assert_eq(iommu_hw_mmio_read(v.b, S_EVTQ_CONS, 4, &cons), 0);
	cr_assert_neq((prod ^ cons) >> 31, 0, "overflow not yet acknowledged");
	/* The interrupt arrives: the two kept records, once each. */
	v.hold = false;
	v.held = 0;
	cr_assert_eq(iommu_ctx_irq(v.a, V_EVTQ), 0);
	cr_assert_eq(v.nf, 3, "faults reported: %u", v.nf);
	cr_assert_eq(v.addr[1], EV_IOVA + PG);
	cr_assert_eq(v.addr[2], EV_IOVA + 2 * PG);
	cr_assert_eq(v.novf, 1, "the overflow is logged once");
	cr_assert_eq(iommu_hw_mmio_read(v.b, S_EVTQ_PROD, 4, &prod), 0);
	cr_assert_eq(iommu_hw_mmio_read(v.b, S_EVTQ_CONS, 4, &cons), 0);
	cr_assert_eq((prod ^ cons) >> 31, 0, "OVACKFLG = OVFLG");
	cr_assert_eq(prod & 3, cons & 3, "queue drained");
	/* The queue works again: no new overflow, nothing reported twice. */
	ev_fault_at(&v, EV_IOVA + 9 * PG);
	cr_assert_eq(v.nf, 4);
	cr_assert_eq(v.addr[3], EV_IOVA + 9 * PG);
	cr_assert_eq(v.novf, 1);
	cr_assert_eq(iommu_ctx_irq(v.a, V_EVTQ), 0);
	cr_assert_eq(v.nf, 4, "a spurious interrupt reports nothing");
	ev_close(&v);
}
