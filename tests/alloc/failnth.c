// SPDX-License-Identifier: MIT
/*
 * failnth.c - count, fail and track the program's allocations (see
 * failnth.h).
 *
 * Every function here may run before main, from any thread and inside
 * glibc, so none of them allocates or takes a lock that an allocation
 * could need: state is static, the counters belong to the one thread
 * that armed (a thread-local flag says which), and the tracking table is
 * guarded by a spin lock taken only around its own few lines (a free from
 * another thread may look a pointer up at any time).  The forwarding goes
 * to glibc's exported __libc_* entry points, mmap and munmap to the
 * system calls.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "failnth.h"

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void *__libc_memalign(size_t align, size_t size);
extern void __libc_free(void *p);

/* ---- Counting and failing --------------------------------------------- */

static _Thread_local bool tl_armed;	   /* this thread's calls count */
static _Thread_local unsigned int tl_skip; /* inside dlopen or unwinder */

static unsigned long fail_at;
static bool fail_after;
static unsigned long nr_count;
static unsigned long nr_injected;

#define SITE_DEPTH 24
static void *site[SITE_DEPTH];
static int site_depth;
static void *site_caller; /* who called malloc (or mmap, dlopen) */

/*
 * One allocation event.  @track receives whether its result is tracked
 * (it was made in the window); true return: fail it.
 */
static bool event(bool *track, void *caller)
{
	unsigned long n;

	*track = false;
	if (!tl_armed || tl_skip)
		return false;
	*track = true;
	n = ++nr_count;
	if (!fail_at || n < fail_at || (n > fail_at && !fail_after))
		return false;
	if (!nr_injected++) {
		site_caller = caller;
		tl_skip++;
		site_depth = backtrace(site, SITE_DEPTH);
		tl_skip--;
	}
	return true;
}

/* ---- The tracking table: open addressing, backward-shift deletion ----- */

#define TRACK_LG2  14
#define TRACK_SIZE (1u << TRACK_LG2)
#define TRACK_MASK (TRACK_SIZE - 1)

struct ent {
	void *p;
	size_t size;
	unsigned long seq; /* which counted allocation made it */
	void *caller;
	bool mapped; /* an mmap, not a malloc */
	bool table;  /* a table-memory allocation (@p: table_key()) */
};

static struct ent tab[TRACK_SIZE];
static _Atomic size_t nr_live;
static bool overflowed;
static atomic_flag tab_lock = ATOMIC_FLAG_INIT;

static void tab_lock_take(void)
{
	while (
	    atomic_flag_test_and_set_explicit(&tab_lock, memory_order_acquire))
		;
}

static void tab_lock_drop(void)
{
	atomic_flag_clear_explicit(&tab_lock, memory_order_release);
}

static size_t home(const void *p)
{
	uint64_t x = (uintptr_t)p;

	x ^= x >> 21;
	x *= 0x9e3779b97f4a7c15ull;
	return (size_t)(x >> (64 - TRACK_LG2));
}

static void track_add(void *p, size_t size, void *caller, bool mapped,
		      bool table)
{
	size_t i;

	tab_lock_take();
	if (atomic_load_explicit(&nr_live, memory_order_relaxed) >=
	    TRACK_SIZE / 4 * 3) {
		overflowed = true;
		tab_lock_drop();
		return;
	}
	for (i = home(p); tab[i].p; i = (i + 1) & TRACK_MASK)
		;
	tab[i] = (struct ent){p, size, nr_count, caller, mapped, table};
	atomic_fetch_add_explicit(&nr_live, 1, memory_order_relaxed);
	tab_lock_drop();
}

/* Forget @p if tracked; true if it was. */
static bool track_del(void *p)
{
	size_t i, j, k;

	if (!p || !atomic_load_explicit(&nr_live, memory_order_relaxed))
		return false;
	tab_lock_take();
	for (i = home(p); tab[i].p && tab[i].p != p; i = (i + 1) & TRACK_MASK)
		;
	if (!tab[i].p) {
		tab_lock_drop();
		return false;
	}
	tab[i].p = NULL;
	/* Shift back the entries of the run that probed past slot i. */
	for (j = (i + 1) & TRACK_MASK; tab[j].p; j = (j + 1) & TRACK_MASK) {
		k = home(tab[j].p);
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		tab[i] = tab[j];
		tab[j].p = NULL;
		i = j;
	}
	atomic_fetch_sub_explicit(&nr_live, 1, memory_order_relaxed);
	tab_lock_drop();
	return true;
}

/* ---- The interface ------------------------------------------------------ */

void fnth_init(void)
{
	void *dummy[2];

	/* The first backtrace() loads libgcc_s; not inside an allocation. */
	backtrace(dummy, 2);
}

void fnth_arm(unsigned long at, bool after)
{
	if (atomic_load(&nr_live) || overflowed) {
		tab_lock_take();
		memset(tab, 0, sizeof(tab));
		atomic_store(&nr_live, 0);
		overflowed = false;
		tab_lock_drop();
	}
	fail_at = at;
	fail_after = after;
	nr_count = 0;
	nr_injected = 0;
	site_depth = 0;
	site_caller = NULL;
	tl_armed = true;
}

void fnth_disarm(void)
{
	tl_armed = false;
}

unsigned long fnth_count(void)
{
	return nr_count;
}

unsigned long fnth_injected(void)
{
	return nr_injected;
}

size_t fnth_live(void)
{
	return atomic_load(&nr_live);
}

bool fnth_overflow(void)
{
	return overflowed;
}

size_t fnth_live_list(struct fnth_block *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < TRACK_SIZE; i++) {
		size_t j;

		if (!tab[i].p)
			continue;
		/* Insertion by number: the oldest are the likeliest cause. */
		for (j = n < max ? n : max;
		     j > 0 && out[j - 1].seq > tab[i].seq; j--)
			if (j < max)
				out[j] = out[j - 1];
		if (j < max) {
			out[j] =
			    (struct fnth_block){tab[i].size, tab[i].seq,
						tab[i].caller, tab[i].mapped,
						tab[i].table};
			if (n < max)
				n++;
		}
	}
	return n;
}

void *fnth_site_caller(void)
{
	return site_caller;
}

int fnth_site(void **out, int max)
{
	int n = site_depth < max ? site_depth : max;

	for (int i = 0; i < n; i++)
		out[i] = site[i];
	return n;
}

/* ---- The allocator --------------------------------------------------------
 */

static void *alloc_done(void *p, size_t size, bool track, void *caller)
{
	if (p && track)
		track_add(p, size, caller, false, false);
	return p;
}

static void *do_malloc(size_t size, void *caller)
{
	bool track;

	if (event(&track, caller)) {
		errno = ENOMEM;
		return NULL;
	}
	return alloc_done(__libc_malloc(size), size, track, caller);
}

void *malloc(size_t size)
{
	return do_malloc(size, __builtin_return_address(0));
}

void *calloc(size_t n, size_t size)
{
	void *caller = __builtin_return_address(0);
	bool track;

	if (event(&track, caller)) {
		errno = ENOMEM;
		return NULL;
	}
	return alloc_done(__libc_calloc(n, size), n * size, track, caller);
}

static void *do_realloc(void *p, size_t size, void *caller)
{
	bool track, was;
	void *q;

	if (!p)
		return do_malloc(size, caller);
	if (!size) {
		/* glibc: realloc(p, 0) frees @p and returns NULL. */
		track_del(p);
		__libc_free(p);
		return NULL;
	}
	if (event(&track, caller)) {
		errno = ENOMEM;
		return NULL; /* @p stays valid, as after a real failure */
	}
	q = __libc_realloc(p, size);
	if (!q)
		return NULL;
	was = track_del(p);
	return alloc_done(q, size, track || was, caller);
}

void *realloc(void *p, size_t size)
{
	return do_realloc(p, size, __builtin_return_address(0));
}

void *reallocarray(void *p, size_t n, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes)) {
		errno = ENOMEM;
		return NULL;
	}
	return do_realloc(p, bytes, __builtin_return_address(0));
}

static void *do_memalign(size_t align, size_t size, void *caller)
{
	bool track;

	if (event(&track, caller)) {
		errno = ENOMEM;
		return NULL;
	}
	return alloc_done(__libc_memalign(align, size), size, track, caller);
}

void *memalign(size_t align, size_t size)
{
	return do_memalign(align, size, __builtin_return_address(0));
}

void *aligned_alloc(size_t align, size_t size)
{
	return do_memalign(align, size, __builtin_return_address(0));
}

void *valloc(size_t size)
{
	return do_memalign((size_t)sysconf(_SC_PAGESIZE), size,
			   __builtin_return_address(0));
}

void *pvalloc(size_t size)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	return do_memalign(pg, (size + pg - 1) & ~(pg - 1),
			   __builtin_return_address(0));
}

int posix_memalign(void **out, size_t align, size_t size)
{
	void *p;

	if (!align || (align & (align - 1)) || align % sizeof(void *))
		return EINVAL;
	p = do_memalign(align, size, __builtin_return_address(0));
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

char *strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = do_malloc(n, __builtin_return_address(0));

	return d ? memcpy(d, s, n) : NULL;
}

char *strndup(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	char *d = do_malloc(n + 1, __builtin_return_address(0));

	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

void free(void *p)
{
	if (!p)
		return;
	track_del(p);
	__libc_free(p);
}

/* ---- Anonymous mappings (the library's RAM) -------------------------- */

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	bool track = false;
	long r;

	if ((flags & MAP_ANONYMOUS) &&
	    event(&track, __builtin_return_address(0))) {
		errno = ENOMEM;
		return MAP_FAILED;
	}
	r = syscall(SYS_mmap, addr, len, prot, flags, fd, off);
	if (r == -1)
		return MAP_FAILED;
	if (track)
		track_add((void *)r, len, __builtin_return_address(0), true,
			  false);
	return (void *)r;
}

int munmap(void *addr, size_t len)
{
	track_del(addr);
	return (int)syscall(SYS_munmap, addr, len);
}

/* ---- dlopen: one event; what it allocates inside is not counted ------- */

void *dlopen(const char *file, int mode)
{
	static void *(*real)(const char *, int);
	bool track;
	void *h;

	if (event(&track, __builtin_return_address(0)))
		return NULL; /* dlerror() then has nothing: "unknown error" */
	tl_skip++;
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "dlopen");
	h = real(file, mode);
	tl_skip--;
	return h;
}

int dlclose(void *h)
{
	static int (*real)(void *);
	int r;

	tl_skip++;
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "dlclose");
	r = real(h);
	tl_skip--;
	return r;
}

/* ---- Table memory (the simulated RAM pages drivers build tables in) ---
 *
 * The test links with --wrap=iommu__table_alloc,--wrap=iommu__table_free:
 * every table page a driver asks of its host (and every page a gather
 * gives back) passes through here.  An allocation is one more counted
 * event, so the N-th may be a table page; a page still allocated after
 * iommu_ctx_destroy() is a leak like a malloc block.  Table addresses are
 * guest-physical: the top bit keeps their keys apart from host pointers.
 */
struct iommu__mem;
int __real_iommu__table_alloc(struct iommu__mem *mem, size_t size,
			      uint64_t *pa);
int __real_iommu__table_free(struct iommu__mem *mem, uint64_t pa,
			     size_t size);
int __wrap_iommu__table_alloc(struct iommu__mem *mem, size_t size,
			      uint64_t *pa);
int __wrap_iommu__table_free(struct iommu__mem *mem, uint64_t pa,
			     size_t size);

static void *table_key(uint64_t pa)
{
	return (void *)(uintptr_t)(pa | UINT64_C(1) << 63);
}

int __wrap_iommu__table_alloc(struct iommu__mem *mem, size_t size,
			      uint64_t *pa)
{
	void *caller = __builtin_return_address(0);
	bool track;
	int rc;

	if (event(&track, caller))
		return -ENOMEM;
	rc = __real_iommu__table_alloc(mem, size, pa);
	if (!rc && track)
		track_add(table_key(*pa), size, caller, false, true);
	return rc;
}

int __wrap_iommu__table_free(struct iommu__mem *mem, uint64_t pa,
			     size_t size)
{
	int rc = __real_iommu__table_free(mem, pa, size);

	if (!rc)
		track_del(table_key(pa));
	return rc;
}
