// SPDX-License-Identifier: MIT
/*
 * test_alloc.c - allocation-failure sweeps (issue #10, in the style of
 * Linux's iommufd fail_nth), one test per backend configuration.
 *
 * Debug flavour only: failnth.c replaces malloc and its family in this
 * program, which the asan and tsan runtimes do themselves.
 *
 * A clean run of the scenario (scenario.c) counts the allocations made
 * between its first call (iommu_ctx_create) and its last
 * (iommu_ctx_destroy) and records what every call returned.  Then, for
 * N = 1, 2, ..., a forked child runs the scenario with the N-th
 * allocation failing (a malloc-family call, an anonymous mmap, dlopen
 * or a page of table memory: see failnth.h), until a run ends with none
 * failed.  In the second
 * mode the N-th and every later allocation fail (teardown under memory
 * pressure).  A run fails when the child crashes or hangs (caught by the
 * parent and reported with the backend and N), when a call returns
 * neither 0 nor a negative errno, when a call in which nothing failed
 * returns other than in the clean run, when a failed call left a
 * half-changed state, or when an allocation of the run is still live
 * after iommu_ctx_destroy() (table pages included).  Each distinct finding (by kind and the
 * caller of the failed allocation; in the second mode by kind and
 * message) is printed once, with its first N and stack.
 *
 * Every N is run up to ALLOC_FULL (env IOMMU_ALLOC_FULL), then one N per
 * stride at an offset drawn from IOMMU_SEED (printed); the stride keeps
 * a mode to about ALLOC_SAMPLES (IOMMU_ALLOC_SAMPLES) more runs (today every
 * configuration makes fewer than 200 allocations, so every N runs).
 * IOMMU_ALLOC_ONLY=N runs that N alone; IOMMU_ALLOC_SITES=1 prints, for every
 * N, who made the allocation that failed (and the first call that still
 * returned 0).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <execinfo.h>
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "alloc.h"
#include "failnth.h"

#define ALLOC_FULL    1500 /* every N up to here */
#define ALLOC_SAMPLES 300  /* then about this many more per mode */
#define ALLOC_TIMEOUT 20   /* seconds per child */
#define ALLOC_SHOW    12   /* distinct findings printed per mode */

#define BDF6                                                                   \
	{                                                                      \
		"00:01.0", "00:02.0", "00:03.0", "00:04.0", "01:00.0",         \
		    "01:00.1"                                                  \
	}

static const struct alloc_conf confs[] = {
    {"virtio",
     "virtio",
     "page_size_mask = 0x40201000\n"
     "input_end = 0xffffffffffff\n"
     "boot_bypass = no\n",
     {"1", "2", "3", "4", "5", "6"},
     7,
     NULL,
     NULL,
     false},
    {"vtd-sm", "vtd",
     "translation = scalable\n"
     "stage = second\n"
     "aw = 48\n"
     "pasid_bits = 20\n",
     BDF6, 0x38, NULL, NULL, false},
    {"vtd-legacy", "vtd",
     "translation = legacy\n"
     "aw = 48\n",
     BDF6, 0x38, NULL, NULL, false},
    {"smmuv3",
     "smmuv3",
     "stage1 = yes\n"
     "stage2 = no\n"
     "hyp = no\n"
     "granule = 4k\n"
     "oas = 48\n"
     "sid_bits = 16\n"
     "stream_table_2level = yes\n"
     "ssid_bits = 20\n"
     "cd_table_2level = yes\n",
     {"0x08", "0x10", "0x18", "0x20", "0x100", "0x101"},
     0x38,
     NULL,
     NULL,
     false},
    {"amdvi", "amdvi", "pgtable_mode = 4\n", BDF6, 0x38, NULL, NULL, false},
    {"amdvi-v2", "amdvi",
     "pgtable = v2\n"
     "pasid_bits = 20\n"
     "glx_max = 2\n",
     BDF6, 0x38, NULL, NULL, false},
    /* Deferred invalidation (the deferred free list), read from a file
     * (the config reader's own allocations). */
    {"vtd-sm-lazy", "vtd",
     "translation = scalable\n"
     "stage = second\n"
     "aw = 48\n"
     "pasid_bits = 20\n",
     BDF6, 0x38, NULL, "deferred", true},
    {"virtio-lazy",
     "virtio",
     "page_size_mask = 0x40201000\n"
     "input_end = 0xffffffffffff\n"
     "event_queue_size = 8\n"
     "boot_bypass = no\n",
     {"1", "2", "3", "4", "5", "6"},
     7,
     NULL,
     "deferred",
     false},
    /* Identity default domains: the DMA API's 1:1 bookkeeping. */
    {"smmuv3-ident",
     "smmuv3",
     "stage1 = yes\n"
     "stage2 = no\n"
     "hyp = no\n"
     "granule = 4k\n"
     "oas = 48\n"
     "sid_bits = 8\n",
     {"0x08", "0x10", "0x18", "0x20", "0x40", "0x41"},
     0x38,
     "identity",
     NULL,
     false},
};

static char ini[4096];
static char ini_file[64]; /* when the configuration is read from a file */
/* /dev/null, unbuffered: a stdio buffer made in the window would stay. */
static FILE *dump_out;

static void build_ini(const struct alloc_conf *c)
{
	const struct alloc_conf *k = c;

	snprintf(ini, sizeof(ini),
		 "[iommu]\n"
		 "backend = %s\n"
		 "plugin = %s/iommu-%s.so\n"
		 "default_domain = %s\n"
		 "invalidation = %s\n"
		 "[memory]\n"
		 "ram_size = 128M\n"
		 "table_base = 0x6000000\n"
		 "table_size = 32M\n"
		 "[%s]\n%s"
		 "[device.accel]\nid = %s\nfeatures = aux\npasid_bits = 20\n"
		 "[device.nic]\nid = %s\n"
		 "[device.untrusted]\nid = %s\n"
		 "[device.passthru]\nid = %s\n"
		 "[device.gpu]\nid = %s\ngroup = bridge1\n"
		 "[device.gpu_audio]\nid = %s\ngroup = bridge1\n",
		 k->backend, IOMMU_PLUGIN_DIR, k->backend,
		 k->dflt ? k->dflt : "dma", k->inval ? k->inval : "strict",
		 k->backend, k->section, k->ids[0], k->ids[1], k->ids[2],
		 k->ids[3], k->ids[4], k->ids[5]);
}

/* What the parent and its children share: MAP_SHARED, made before fork. */
struct shared {
	struct alloc_base base;
	struct alloc_result res;
	void *crash[ALLOC_SITE]; /* where the child crashed */
	int crash_depth;
	int crash_sig;
	struct fnth_block leaks[ALLOC_LEAKS];
	size_t nr_leaks;
};

static struct shared *sh;

/* ---- The child ---------------------------------------------------------- */

static void on_crash(int sig)
{
	fnth_disarm();
	sh->crash_sig = sig;
	sh->res.site_depth = fnth_site(sh->res.site, ALLOC_SITE);
	sh->res.site_caller = fnth_site_caller();
	sh->crash_depth = backtrace(sh->crash, ALLOC_SITE);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void child(const struct alloc_conf *c, unsigned long n, bool after,
		  bool record)
{
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGABRT,
				   SIGFPE,  SIGILL, SIGALRM};
	struct alloc_result *res = &sh->res;

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], on_crash);
	alarm(ALLOC_TIMEOUT);
	fnth_arm(n, after);
	alloc_scenario(c->by_path ? ini_file : ini, c->by_path, c->hot_id,
		       dump_out, &sh->base, record, after, res);
	fnth_disarm();
	res->count = fnth_count();
	res->injected = fnth_injected();
	res->leaked = fnth_live();
	res->site_depth = fnth_site(res->site, ALLOC_SITE);
	res->site_caller = fnth_site_caller();
	sh->nr_leaks = fnth_live_list(sh->leaks, ALLOC_LEAKS);
	if (fnth_overflow() && !res->bad) {
		res->bad = true;
		snprintf(res->msg, sizeof(res->msg),
			 "tracking table full: leak check incomplete");
	}
	if (res->leaked && !res->bad) {
		res->leak = true;
		snprintf(
		    res->msg, sizeof(res->msg),
		    "%zu allocations of the run live after iommu_ctx_destroy",
		    res->leaked);
	}
	res->done = true;
	_exit(0);
}

/* Run one child; its wait status. */
static int run(const struct alloc_conf *c, unsigned long n, bool after,
	       bool record)
{
	int status = 0;
	pid_t pid;

	memset(&sh->res, 0, sizeof(sh->res));
	sh->crash_depth = 0;
	sh->crash_sig = 0;
	sh->nr_leaks = 0;
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		child(c, n, after, record);
	cr_assert(pid > 0, "fork: %s", strerror(errno));
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/* ---- The parent: findings ----------------------------------------------- */

struct finding {
	const char *kind;
	void *key[2];
	unsigned long first_n;
	unsigned int hits;
};

struct sweep {
	const struct alloc_conf *c;
	const char *mode;
	bool after;
	struct finding f[64];
	unsigned int nr_f;
	unsigned int runs, bad_runs;
	unsigned int errno_hits[ALLOC_ERRNO_MAX];
	unsigned int absorbed;
	bool step_failed[S_COUNT];
};

static void print_stack(void *const *frames, int depth, int skip)
{
	fflush(stdout);
	fflush(stderr);
	if (depth > skip)
		backtrace_symbols_fd(frames + skip, depth - skip, 2);
}

static void report(struct sweep *s, unsigned long n, const char *kind,
		   const char *detail)
{
	struct alloc_result *res = &sh->res;
	void *k0 = res->site_caller, *k1 = NULL;
	struct finding *f;

	if (s->after) {
		/* Every later allocation fails too: what went wrong matters
		 * more than which allocation failed first. */
		uintptr_t h = 14695981039346656037ull;

		for (const char *p = detail; *p; p++)
			if (!(*p >= '0' && *p <= '9') && *p != 'x')
				h = (h ^ (unsigned char)*p) * 1099511628211ull;
		k0 = (void *)h;
		k1 = NULL;
	}

	s->bad_runs++;
	for (unsigned int i = 0; i < s->nr_f; i++) {
		f = &s->f[i];
		if (f->kind == kind && f->key[0] == k0 && f->key[1] == k1) {
			f->hits++;
			return;
		}
	}
	if (s->nr_f == sizeof(s->f) / sizeof(s->f[0]))
		return;
	f = &s->f[s->nr_f++];
	*f = (struct finding){kind, {k0, k1}, n, 1};
	if (s->nr_f > ALLOC_SHOW)
		return;
	fprintf(stderr, "\nFINDING [%s, %s] N=%lu: %s: %s\n", s->c->name,
		s->mode, n, kind, detail);
	if (res->site_depth) {
		fprintf(stderr, "  the failed allocation (N=%lu):\n", n);
		print_stack(res->site, res->site_depth, 2);
	}
	if (sh->crash_depth) {
		fprintf(stderr, "  where it crashed:\n");
		print_stack(sh->crash, sh->crash_depth, 2);
	}
	for (size_t i = 0; i < sh->nr_leaks; i++) {
		fprintf(stderr,
			"  leaked %s of %zu bytes (allocation #%lu) from ",
			sh->leaks[i].table    ? "table memory"
			: sh->leaks[i].mapped ? "mapping"
					      : "block",
			sh->leaks[i].size, sh->leaks[i].seq);
		print_stack(&sh->leaks[i].caller, 1, 0);
	}
}

/* Run N and judge it; false once a run had nothing to fail (the end). */
static bool sweep_one(struct sweep *s, unsigned long n, bool after)
{
	struct alloc_result *res = &sh->res;
	int st = run(s->c, n, after, false);
	char why[160];

	s->runs++;
	if (getenv("IOMMU_ALLOC_SITES") && res->site_caller) {
		/* Which call each N fails (for judging the coverage). */
		fprintf(stderr, "N=%lu: %s%s", n,
			res->absorbed ? res->absorbed_what : "",
			res->absorbed ? " returned 0 after: " : "");
		print_stack(&res->site_caller, 1, 0);
	}
	if (WIFSIGNALED(st) || !res->done) {
		int sig = WIFSIGNALED(st) ? WTERMSIG(st) : sh->crash_sig;

		snprintf(why, sizeof(why), "%s (signal %d%s)",
			 sig == SIGALRM ? "hang" : "crash", sig,
			 sig == SIGALRM ? ", timeout" : "");
		report(s, n, sig == SIGALRM ? "hang" : "crash", why);
		return true;
	}
	for (unsigned int i = 0; i < ALLOC_ERRNO_MAX; i++)
		s->errno_hits[i] += res->errno_hits[i];
	s->absorbed += res->absorbed;
	for (int i = 0; i < S_COUNT; i++)
		s->step_failed[i] |= res->step_failed[i];
	if (res->bad)
		report(s, n, "check", res->msg);
	else if (res->leak)
		report(s, n, "leak", res->msg);
	return res->injected != 0;
}

static void summary(struct sweep *s, unsigned long total, unsigned long last,
		    double secs)
{
	char buf[512];
	size_t off = 0;

	for (unsigned int e = 1; e < ALLOC_ERRNO_MAX; e++)
		if (s->errno_hits[e] && off < sizeof(buf))
			off += (size_t)snprintf(
			    buf + off, sizeof(buf) - off, " %s:%u",
			    strerrorname_np(e) ? strerrorname_np(e) : "?",
			    s->errno_hits[e]);
	buf[off < sizeof(buf) ? off : sizeof(buf) - 1] = '\0';
	printf("alloc [%s, %s]: %lu allocations in the clean run, N up to %lu, "
	       "%u runs, %.1fs; failed calls:%s; absorbed (returned 0): %u; "
	       "%u bad runs, %u distinct findings\n",
	       s->c->name, s->mode, total, last, s->runs, secs,
	       off ? buf : " none", s->absorbed, s->bad_runs, s->nr_f);
	if (!s->after) {
		/* Which calls an allocation failure can make fail. */
		printf("  calls that failed: ");
		for (int i = 0; i < S_COUNT; i++)
			if (s->step_failed[i] && sh->base.seen[i])
				printf("%s ", sh->base.name[i]);
		printf("\n");
	}
	for (unsigned int i = 0; i < s->nr_f; i++)
		printf("  finding %u: %s, first at N=%lu, %u runs\n", i + 1,
		       s->f[i].kind, s->f[i].first_n, s->f[i].hits);
	fflush(stdout);
}

static unsigned long env_ul(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : def;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static unsigned int sweep_conf(const struct alloc_conf *c)
{
	char path[4096];
	unsigned long total, full = env_ul("IOMMU_ALLOC_FULL", ALLOC_FULL);
	unsigned long only = env_ul("IOMMU_ALLOC_ONLY", 0);
	unsigned long samples = env_ul("IOMMU_ALLOC_SAMPLES", ALLOC_SAMPLES);
	unsigned long seed = env_ul("IOMMU_SEED", (unsigned long)time(NULL));
	unsigned int findings = 0;
	void *dl;
	int st;

	fnth_init();
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	cr_assert(sh != MAP_FAILED);
	dump_out = fopen("/dev/null", "w");
	cr_assert(dump_out && !setvbuf(dump_out, NULL, _IONBF, 0));
	build_ini(c);
	if (c->by_path) {
		int fd;

		snprintf(ini_file, sizeof(ini_file), "/tmp/iommu-alloc-XXXXXX");
		fd = mkstemp(ini_file);
		cr_assert(fd >= 0, "mkstemp: %s", strerror(errno));
		cr_assert(write(fd, ini, strlen(ini)) == (ssize_t)strlen(ini));
		close(fd);
	}
	/* Loaded here, a child's dlopen only takes a reference: fast, and
	 * its addresses are the same in the parent's reports. */
	snprintf(path, sizeof(path), "%s/iommu-%s.so", IOMMU_PLUGIN_DIR,
		 c->backend);
	dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	cr_assert(dl, "dlopen %s: %s", path, dlerror());

	st = run(c, 0, false, true);
	cr_assert(WIFEXITED(st) && sh->res.done,
		  "[%s] the clean run crashed (status 0x%x)", c->name, st);
	cr_assert(!sh->res.bad, "[%s] clean run: %s", c->name, sh->res.msg);
	cr_assert(!sh->res.leak, "[%s] clean run: %s", c->name, sh->res.msg);
	total = sh->res.count;
	cr_assert(total > 0, "[%s] the interposer counted nothing", c->name);
	unsigned int steps = 0;

	for (int i = 0; i < S_COUNT; i++)
		steps += sh->base.seen[i];
	printf("alloc [%s]: clean run: %u of %d steps, aux feature %d, aux "
	       "attach %d, PASID attach %d\n",
	       c->name, steps, S_COUNT - 1, sh->base.rc[S_FEAT_AUX],
	       sh->base.seen[S_AUX_ATTACH] ? sh->base.rc[S_AUX_ATTACH] : 1,
	       sh->base.rc[S_PASID_ATTACH]);

	for (int mode = 0; mode < 2; mode++) {
		struct sweep s = {
		    .c = c, .mode = mode ? "N and later" : "N", .after = mode};
		unsigned long n, stride = 1, last = 0;
		double t0 = now();

		if (only) {
			sweep_one(&s, only, mode);
			summary(&s, total, only, now() - t0);
			findings += s.nr_f;
			continue;
		}
		if (total > full)
			stride = (total - full + samples - 1) /
				 (samples ? samples : 1);
		if (stride > 1)
			printf("alloc [%s, %s]: every N to %lu, then stride "
			       "%lu from offset %lu (IOMMU_SEED=%lu)\n",
			       c->name, s.mode, full, stride,
			       (seed + mode) % stride, seed);
		for (n = 1;;) {
			last = n;
			if (!sweep_one(&s, n, mode))
				break;
			if (n < full || stride == 1)
				n++;
			else if (n == full)
				n += 1 + (seed + mode) % stride;
			else
				n += stride;
		}
		summary(&s, total, last, now() - t0);
		findings += s.nr_f;
	}
	dlclose(dl);
	munmap(sh, sizeof(*sh));
	if (c->by_path)
		unlink(ini_file);
	fclose(dump_out);
	return findings;
}

/*
 * The injector itself: counting, failing, tracking and the leak report,
 * so that a clean sweep means the library is clean, not the injector
 * blind.  A child leaks on purpose; the parent must see it.
 */
Test(alloc, injector_counts_fails_and_tracks)
{
	void *a, *b, *c, *d;
	struct fnth_block blk[2];

	fnth_init();
	fnth_arm(2, false);
	a = malloc(16);
	b = calloc(2, 8);
	c = strdup("x");
	d = realloc(NULL, 32);
	fnth_disarm();
	cr_assert(a && !b && c && d, "the 2nd allocation fails, no other");
	cr_assert_eq(fnth_count(), 4);
	cr_assert_eq(fnth_injected(), 1);
	cr_assert_eq(fnth_live(), 3);
	d = realloc(d, 4096); /* still tracked under its new address */
	cr_assert_eq(fnth_live(), 3);
	free(a);
	free(c);
	cr_assert_eq(fnth_live_list(blk, 2), 1);
	cr_assert_eq(blk[0].seq, 4);
	free(d);
	cr_assert_eq(fnth_live(), 0);
	cr_assert_eq(fnth_count(), 4, "nothing counted once disarmed");

	fnth_arm(1, true); /* every allocation fails */
	a = malloc(1);
	b = aligned_alloc(64, 64);
	fnth_disarm();
	cr_assert(!a && !b);
	cr_assert_eq(fnth_injected(), 2);
}

static void leaky_child(void)
{
	fnth_arm(0, false);
	sh->res.count = malloc(24) ? 1 : 0; /* never freed */
	fnth_disarm();
	sh->res.leaked = fnth_live();
	sh->nr_leaks = fnth_live_list(sh->leaks, ALLOC_LEAKS);
	sh->res.done = true;
	_exit(0);
}

Test(alloc, injector_sees_a_leak_in_a_child)
{
	int st = 0;
	pid_t pid;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	cr_assert(sh != MAP_FAILED);
	pid = fork();
	if (pid == 0)
		leaky_child();
	cr_assert(pid > 0);
	waitpid(pid, &st, 0);
	cr_assert(WIFEXITED(st) && sh->res.done);
	cr_assert_eq(sh->res.leaked, 1);
	cr_assert_eq(sh->nr_leaks, 1);
	cr_assert_eq(sh->leaks[0].size, 24);
}

#define ALLOC_TEST(id, idx)                                                    \
	Test(alloc, id, .timeout = 300)                                        \
	{                                                                      \
		unsigned int f = sweep_conf(&confs[idx]);                      \
		cr_expect_eq(f, 0, "[%s] %u distinct findings (see above)",    \
			     confs[idx].name, f);                              \
	}

ALLOC_TEST(virtio, 0)
ALLOC_TEST(vtd_sm, 1)
ALLOC_TEST(vtd_legacy, 2)
ALLOC_TEST(smmuv3, 3)
ALLOC_TEST(amdvi, 4)
ALLOC_TEST(amdvi_v2, 5)
ALLOC_TEST(vtd_sm_lazy, 6)
ALLOC_TEST(virtio_lazy, 7)
ALLOC_TEST(smmuv3_ident, 8)
