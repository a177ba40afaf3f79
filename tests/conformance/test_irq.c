// SPDX-License-Identifier: MIT
/*
 * test_irq.c - rule 13: interrupts are delivered after the register write
 * that caused them returns, never inside it, and the faults they carry
 * reach the right handler once, whatever call the hardware raised in.
 *
 * Most tests bind the driver of one context ("A") to the device model of
 * a second context ("B", IOMMU_CTX_NO_DRIVER) through a VMM bus, the way a
 * VMM serves the driver from hardware of its own: both share one RAM
 * buffer, the bus forwards MMIO to iommu_hw_mmio_*(B) and DMA to
 * iommu_dma_translate(B), and B's interrupts come back through B's irq
 * callback into iommu_ctx_irq(A).  The bus marks the time spent inside a
 * register write, so a driver's irq op (which reads registers) or a fault
 * handler that runs inside one is seen.  Public API only.
 */
#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conf.h"

/* Inside a register write of the bus, on this thread. */
static _Thread_local bool in_write;

/**
 * struct pair - a driver (a) bound to another context's model (b)
 * @violations: bus accesses, interrupts or fault handlers seen inside a
 *     register write
 * @irqs: interrupts B raised (to its irq callback)
 * @inject: > 0: at the @inject-th register write from now, the hardware
 *     also does the DMA below (a fault raised inside that write)
 * @injected: the DMA was done (and faulted)
 */
struct pair {
	struct iommu_ctx *a, *b;
	void *ram;
	size_t ram_size;
	uint32_t solo, solo2;
	unsigned int violations;
	unsigned int irqs;
	unsigned int inject;
	bool injected;
	uint32_t inj_dev;
	uint64_t inj_iova;
	unsigned int inj_access;
	struct fault_log ctx_faults;
	struct fault_log dom_faults;
};

static struct pair *the_pair;

static int pair_read(void *opaque, uint64_t off, unsigned int size,
		     uint64_t *val)
{
	struct pair *pr = opaque;

	if (in_write)
		pr->violations++;
	return iommu_hw_mmio_read(pr->b, off, size, val);
}

static int pair_write(void *opaque, uint64_t off, unsigned int size,
		      uint64_t val)
{
	struct pair *pr = opaque;
	int ret;

	if (in_write)
		pr->violations++;
	in_write = true;
	ret = iommu_hw_mmio_write(pr->b, off, size, val);
	if (pr->inject && !--pr->inject) {
		struct iommu_translation tr;

		pr->injected = iommu_dma_translate(pr->b, pr->inj_dev,
						   IOMMU_NO_PASID, pr->inj_iova,
						   4, pr->inj_access,
						   &tr) == -EFAULT;
	}
	in_write = false;
	return ret;
}

static int pair_translate(void *opaque, uint32_t dev_id, uint32_t pasid,
			  uint64_t iova, uint64_t len, unsigned int access,
			  struct iommu_translation *out)
{
	struct pair *pr = opaque;

	return iommu_dma_translate(pr->b, dev_id, pasid, iova, len, access,
				   out);
}

static const struct iommu_bus_ops pair_bus = {
	.mmio_read = pair_read,
	.mmio_write = pair_write,
	.translate = pair_translate,
};

static void pair_irq(void *cookie, unsigned int vector)
{
	struct pair *pr = cookie;

	pr->irqs++;
	if (in_write)
		pr->violations++;
	if (pr->a)
		cr_assert_eq(iommu_ctx_irq(pr->a, vector), 0);
}

static int pair_dom_fn(struct iommu_domain *d, const struct iommu_fault *f,
		       void *cookie)
{
	struct pair *pr = cookie;

	if (in_write)
		pr->violations++;
	return fault_log_domain_fn(d, f, &pr->dom_faults);
}

static int pair_ctx_fn(struct iommu_ctx *c, const struct iommu_fault *f,
		       void *cookie)
{
	struct pair *pr = cookie;

	if (in_write)
		pr->violations++;
	return fault_log_ctx_fn(c, f, &pr->ctx_faults);
}

static void conf_quiet(void *cookie, enum iommu_log_level level,
		       const char *msg)
{
	(void)cookie;
	if (getenv("IOMMU_CONF_VERBOSE"))
		fprintf(stderr, "iommu[%d]: %s\n", (int)level, msg);
}

/* The INI of @p without its RAM keys (the pair gives RAM as opts.ram). */
static char *ini_without_ram(const struct conf_param *p)
{
	char *text = NULL, *out;
	size_t len = 0;

	if (p->ini_path[0]) {
		FILE *f = fopen(p->ini_path, "r");
		char dir[CONF_PATH_MAX];

		cr_assert_not_null(f, "cannot open %s", p->ini_path);
		text = calloc(1, 1 << 16);
		cr_assert_not_null(text);
		len = fread(text, 1, (1 << 16) - 1, f);
		fclose(f);
		/* A relative plugin path is taken from the file's directory. */
		snprintf(dir, sizeof(dir), "%s", p->ini_path);
		cr_assert_eq(chdir(dirname(dir)), 0);
	} else {
		text = strdup(p->ini);
		cr_assert_not_null(text);
		len = strlen(text);
	}
	out = calloc(1, len + 1);
	cr_assert_not_null(out);
	for (char *line = text, *o = out; line && *line;) {
		char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line + 1) : strlen(line);
		const char *k = line + strspn(line, " \t");

		if (strncmp(k, "ram_size", 8) && strncmp(k, "ram_base", 8)) {
			memcpy(o, line, n);
			o += n;
		}
		line += n;
	}
	free(text);
	return out;
}

static struct pair *pair_open(const struct conf_param *p)
{
	struct pair *pr = calloc(1, sizeof(*pr));
	struct iommu_ctx_opts o;
	struct iommu_ram_region ram;
	char *ini;
	char err[512] = "";
	int ret;

	cr_assert_not_null(pr);
	the_pair = pr;
	/* Tables at 128M + 32M, test memory below 80M: 256M covers both. */
	pr->ram_size = 256u << 20;
	pr->ram = mmap(NULL, pr->ram_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	cr_assert_neq(pr->ram, MAP_FAILED);
	ram = (struct iommu_ram_region){ 0, pr->ram_size, pr->ram };
	ini = ini_without_ram(p);

	memset(&o, 0, sizeof(o));
	o.ini_string = ini;
	o.log = conf_quiet;
	o.log_level = IOMMU_LOG_DEBUG;
	o.ram = &ram;
	o.nr_ram = 1;
	o.errbuf = err;
	o.errbuf_len = sizeof(err);
	o.irq = pair_irq;
	o.irq_cookie = pr;
	o.flags = IOMMU_CTX_NO_DRIVER;
	ret = iommu_ctx_create(&o, &pr->b);
	cr_assert_eq(ret, 0, "[%s] model context: %d (%s)", p->name, ret, err);

	o.irq = NULL;
	o.irq_cookie = NULL;
	o.flags = 0;
	o.bus = &pair_bus;
	o.bus_opaque = pr;
	ret = iommu_ctx_create(&o, &pr->a);
	cr_assert_eq(ret, 0, "[%s] driver context: %d (%s)", p->name, ret,
		     err);
	free(ini);
	cr_assert_eq(iommu_dev_lookup(pr->a, DEV_SOLO, &pr->solo), 0);
	cr_assert_eq(iommu_dev_lookup(pr->a, DEV_SOLO2, &pr->solo2), 0);
	cr_assert_eq(iommu_set_ctx_fault_handler(pr->a, pair_ctx_fn, pr), 0);
	return pr;
}

static void pair_close(void)
{
	struct pair *pr = the_pair;

	if (!pr)
		return;
	the_pair = NULL;
	if (pr->a) {
		struct iommu_ctx *a = pr->a;

		/* B's interrupts during the teardown have no driver left. */
		pr->a = NULL;
		iommu_ctx_destroy(a);
	}
	if (pr->b)
		iommu_ctx_destroy(pr->b);
	munmap(pr->ram, pr->ram_size);
	free(pr);
}

static void pair_fini(void)
{
	pair_close();
	conf_fini();
}

#define PAIR_TEST(area, behaviour)                                             \
	static void area##__##behaviour##_body(const struct conf_param *p);    \
	ParameterizedTestParameters(area, behaviour)                           \
	{                                                                      \
		return conf_params();                                          \
	}                                                                      \
	ParameterizedTest(struct conf_param *p, area, behaviour,               \
			  .fini = pair_fini)                                   \
	{                                                                      \
		conf_begin(p);                                                 \
		area##__##behaviour##_body(p);                                 \
		conf_end();                                                    \
	}                                                                      \
	static void area##__##behaviour##_body(const struct conf_param *p)

/* Put solo2 on a domain with a handler, mapped read-only at TIOVA. */
static struct iommu_domain *pair_ro_domain(struct pair *pr)
{
	struct iommu_domain *d = NULL;

	cr_assert_eq(iommu_domain_alloc(pr->a, IOMMU_DOMAIN_UNMANAGED, &d), 0);
	cr_assert_eq(iommu_map(d, TIOVA, TMEM_BASE, PG, IOMMU_READ), 0);
	cr_assert_eq(iommu_attach_device(d, pr->solo2), 0);
	cr_assert_eq(iommu_set_fault_handler(d, pair_dom_fn, pr), 0);
	return d;
}

/* Arm the hardware to do a write by solo2 at TIOVA (read-only) at the
 * next register write. */
static void pair_arm(struct pair *pr)
{
	pr->inject = 1;
	pr->injected = false;
	pr->inj_dev = pr->solo2;
	pr->inj_iova = TIOVA;
	pr->inj_access = IOMMU_ACCESS_WRITE;
	memset(&pr->dom_faults, 0, sizeof(pr->dom_faults));
	memset(&pr->ctx_faults, 0, sizeof(pr->ctx_faults));
}

static void expect_injected_fault(struct pair *pr, const char *what)
{
	cr_assert(pr->injected, "%s made no register write", what);
	cr_assert_eq(pr->violations, 0,
		     "%u irq or handler calls inside a register write (%s)",
		     pr->violations, what);
	cr_assert_eq(pr->dom_faults.count, 1,
		     "fault raised in %s reached the domain handler %u times",
		     what, pr->dom_faults.count);
	cr_assert_eq(pr->ctx_faults.count, 0,
		     "fault raised in %s went to the context handler", what);
	cr_assert_eq(pr->dom_faults.last.dev_id, pr->solo2);
	cr_assert_eq(pr->dom_faults.last.addr, TIOVA);
	cr_assert_eq(pr->dom_faults.last.access, IOMMU_ACCESS_WRITE);
	cr_assert_eq(pr->dom_faults.last.reason, IOMMU_FAULT_PERMISSION,
		     "fault raised in %s: reason %d, not PERMISSION", what,
		     pr->dom_faults.last.reason);
}

/*
 * Whatever the model raises while the driver writes its registers (a
 * virtio used-buffer interrupt at QueueNotify, a fault from a DMA at the
 * same time) reaches the driver after that write returned.
 */
PAIR_TEST(irq, never_delivered_inside_a_register_write)
{
	struct pair *pr = pair_open(p);
	struct iommu_domain *d = NULL;
	struct iommu_translation tr;
	uint64_t done = 0;

	cr_assert_eq(iommu_domain_alloc(pr->a, IOMMU_DOMAIN_UNMANAGED, &d), 0);
	cr_assert_eq(iommu_attach_device(d, pr->solo), 0);
	for (unsigned int i = 0; i < 8; i++) {
		pr->inject = 1;
		pr->inj_dev = pr->solo;
		pr->inj_iova = TIOVA + SZ_2M + i * PG;
		pr->inj_access = IOMMU_ACCESS_READ;
		cr_assert_eq(iommu_map(d, TIOVA + i * PG,
				       TMEM_BASE + i * PG, PG,
				       IOMMU_READ | IOMMU_WRITE), 0);
		cr_assert_eq(iommu_unmap(d, TIOVA + i * PG, PG, &done),
			     0);
		cr_assert_eq(iommu_dma_translate(pr->a, pr->solo,
						 IOMMU_NO_PASID, TIOVA + SZ_64K,
						 4,
						 IOMMU_ACCESS_READ, &tr),
			     -EFAULT);
	}
	pr->inject = 0;
	cr_assert_eq(iommu_detach_device(d, pr->solo), 0);
	cr_assert_gt(pr->irqs, 0, "the model raised nothing");
	cr_assert_eq(pr->violations, 0,
		     "%u bus accesses, interrupts or handlers inside a register write",
		     pr->violations);
	cr_assert_geq(pr->ctx_faults.count, 8);
	cr_assert_eq(iommu_domain_free(d), 0);
}

/* A fault the hardware raises while the driver attaches another device. */
PAIR_TEST(irq, fault_raised_in_attach_reaches_domain_handler_once)
{
	struct pair *pr = pair_open(p);
	struct iommu_domain *ro = pair_ro_domain(pr);
	struct iommu_domain *d = NULL;

	cr_assert_eq(iommu_domain_alloc(pr->a, IOMMU_DOMAIN_UNMANAGED, &d), 0);
	cr_assert_eq(iommu_map(d, TIOVA, TMEM_BASE, PG,
			       IOMMU_READ | IOMMU_WRITE), 0);
	pair_arm(pr);
	cr_assert_eq(iommu_attach_device(d, pr->solo), 0);
	expect_injected_fault(pr, "attach");
	pair_arm(pr);
	cr_assert_eq(iommu_detach_device(d, pr->solo), 0);
	expect_injected_fault(pr, "detach");
	cr_assert_eq(iommu_detach_device(ro, pr->solo2), 0);
	cr_assert_eq(iommu_domain_free(d), 0);
	cr_assert_eq(iommu_domain_free(ro), 0);
}

/*
 * A fault raised inside map, unmap or the sync behind them (in one of the
 * driver's register writes: a queue tail, a doorbell) reaches its
 * domain's handler once.  A backend may need no register write to map,
 * so the first write of map, unmap and flush is armed in turn.
 */
PAIR_TEST(irq, fault_raised_in_map_reaches_domain_handler_once)
{
	struct pair *pr = pair_open(p);
	struct iommu_domain *ro = pair_ro_domain(pr);
	struct iommu_domain *d = NULL;
	uint64_t done = 0;
	unsigned int hits = 0;

	cr_assert_eq(iommu_domain_alloc(pr->a, IOMMU_DOMAIN_UNMANAGED, &d), 0);
	cr_assert_eq(iommu_attach_device(d, pr->solo), 0);
	pair_arm(pr);
	cr_assert_eq(iommu_map(d, TIOVA, TMEM_BASE, PG,
			       IOMMU_READ | IOMMU_WRITE), 0);
	if (pr->injected) {
		expect_injected_fault(pr, "map");
		hits++;
	} else {
		cr_assert_eq(pr->dom_faults.count + pr->ctx_faults.count, 0);
	}
	pair_arm(pr);
	cr_assert_eq(iommu_unmap(d, TIOVA, PG, &done), 0);
	cr_assert_eq(iommu_flush_iotlb_all(d), 0);
	expect_injected_fault(pr, "unmap");
	hits++;
	pr->inject = 0;
	cr_assert_geq(hits, 1);
	cr_assert_eq(iommu_detach_device(d, pr->solo), 0);
	cr_assert_eq(iommu_detach_device(ro, pr->solo2), 0);
	cr_assert_eq(iommu_domain_free(d), 0);
	cr_assert_eq(iommu_domain_free(ro), 0);
}

/* ---- Faults on a DMA thread while the topology changes ----------------- */

struct dma_thread_arg {
	struct tctx *t;
	struct fault_log *log;
	unsigned int n, missed;
	bool *stop; /* __atomic: set by the DMA thread when done */
	bool go;    /* __atomic: set by the main thread */
};

static void *dma_thread(void *arg)
{
	struct dma_thread_arg *a = arg;
	struct iommu_translation tr;

	while (!__atomic_load_n(&a->go, __ATOMIC_ACQUIRE))
		sched_yield();
	for (unsigned int i = 0; i < a->n; i++)
		if (dma_xlate(a->t, a->t->solo, TIOVA + SZ_2M,
			      IOMMU_ACCESS_READ, &tr) != -EFAULT)
			a->missed++;
	__atomic_store_n(a->stop, true, __ATOMIC_RELEASE);
	return NULL;
}

static int locked_log_fn(struct iommu_domain *d, const struct iommu_fault *f,
			 void *cookie)
{
	struct fault_log *log = cookie;

	(void)d;
	if (!log->count)
		log->first = *f;
	log->last = *f;
	__atomic_add_fetch(&log->count, 1, __ATOMIC_RELEASE);
	return 0;
}

/*
 * A fault raised during a translation on a DMA thread reaches the handler
 * of the device's domain (when that translation returns, or when the
 * thread delivering the context's interrupts at that moment is done),
 * even while another thread adds and removes devices (holding the
 * topology lock for writing): the handler a fault reaches must not
 * depend on timing.
 */
CONF_TEST(irq, dma_thread_fault_reaches_domain_handler_during_dev_add)
{
	struct tctx *t = tctx_open(p);
	struct iommu_domain *d = dom_alloc(t, IOMMU_DOMAIN_UNMANAGED);
	struct fault_log dl = {0};
	bool stop = false;
	struct dma_thread_arg a = { t, &dl, 3000, 0, &stop, false };
	struct iommu_dev_config c;
	pthread_t th;
	unsigned int rounds = 0;
	uint64_t lost = stat_get(t, IOMMU_STAT_FAULTS_LOST);

	cr_assert_eq(iommu_attach_device(d, t->solo), 0);
	cr_assert_eq(iommu_set_fault_handler(d, locked_log_fn, &dl), 0);
	memset(&c, 0, sizeof(c));
	c.id = 0x28;
	c.name = "late";
	cr_assert_eq(pthread_create(&th, NULL, dma_thread, &a), 0);
	do {
		cr_assert_eq(iommu_dev_add(t->ctx, &c), 0);
		__atomic_store_n(&a.go, true, __ATOMIC_RELEASE);
		cr_assert_eq(iommu_dev_remove(t->ctx, c.id), 0);
		rounds++;
	} while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE));
	pthread_join(th, NULL);
	cr_assert_gt(rounds, 0);
	cr_assert_eq(t->ctx_faults.count, 0,
		     "%u of %u faults went to the context handler",
		     t->ctx_faults.count, a.n);
	/* A small event queue may drop faults while another thread is
	 * delivering; each is then counted as lost, never misrouted. */
	lost = stat_get(t, IOMMU_STAT_FAULTS_LOST) - lost;
	cr_assert_gt(dl.count, 0);
	cr_assert_eq(dl.count + lost, a.n,
		     "domain handler got %u of %u faults, %llu lost", dl.count,
		     a.n, (unsigned long long)lost);
	cr_assert_eq(a.missed, 0, "%u DMAs did not fault", a.missed);
	cr_assert_eq(iommu_detach_device(d, t->solo), 0);
}
