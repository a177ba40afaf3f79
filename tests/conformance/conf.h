/* SPDX-License-Identifier: MIT */
/*
 * conf.h - shared pieces of the conformance suite.
 *
 * Every test is a Criterion ParameterizedTest over the backend
 * configurations of configs.c.  A parameter is plain data (a name and the
 * INI text or path): each test runs in its own worker process, which gets
 * a copy of the parameter, not the parent's pointers.
 *
 * The suite talks to the library only through include/iommu/iommu.h.
 * Devices are found by their INI names (iommu_dev_lookup), so an outside
 * INI file works as long as it defines the names of README.md.
 */
#ifndef IOMMU_CONFORMANCE_CONF_H
#define IOMMU_CONFORMANCE_CONF_H

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommu/iommu.h"

#define CONF_NAME_MAX 16
#define CONF_INI_MAX  4096
#define CONF_PATH_MAX 512

/* Flags of a configuration (struct conf_param.flags). */
/* With IOMMU_CTX_NO_DRIVER, the hardware at reset faults every DMA. */
#define CONF_F_RESET_BLOCKS (1u << 0)
/* The page format cannot express write-only: a writable page is readable
 * (x86 first-stage tables, ARM LPAE). */
#define CONF_F_WRITE_IMPLIES_READ (1u << 1)
/* A domain no device is on does not exist in the hardware: virtio-iommu
 * creates it, empty, at the first ATTACH, and the driver's MAP requests
 * for its mappings follow that ATTACH.  A DMA while a device moves to
 * such a domain may fault for lack of a mapping (it never lands anywhere
 * else); a move to a domain another device is on has no such window. */
#define CONF_F_EMPTY_DOMAIN_WINDOW (1u << 2)
/* The smallest page of paging domains is 16 KiB / 64 KiB (else 4 KiB):
 * SMMUv3 granules. */
#define CONF_F_PAGE_16K (1u << 3)
#define CONF_F_PAGE_64K (1u << 4)
/* The configuration offers AUX and PASID attach on DEV_AUX: the aux and
 * pasid tests must take their positive paths there (a backend that stops
 * offering them fails pasid::offered_where_the_configuration_says instead
 * of passing every test through its refusal branch). */
#define CONF_F_PASID (1u << 5)

/**
 * struct conf_param - one backend configuration, as plain data
 * @name: short name for reports ("virtio", "virtio-lazy", ...)
 * @ini: INI text; used when @ini_path is empty
 * @ini_path: INI file (--ini); relative plugin paths in it are taken
 *            from its directory
 * @flags: CONF_F_*
 */
struct conf_param {
	char name[CONF_NAME_MAX];
	char ini[CONF_INI_MAX];
	char ini_path[CONF_PATH_MAX];
	unsigned int flags;
};

/* Environment variables the runner passes to the parameter generators. */
#define CONF_ENV_PLUGIN	 "IOMMU_CONF_PLUGIN"  /* --plugin PATH */
#define CONF_ENV_BACKEND "IOMMU_CONF_BACKEND" /* --backend NAME */
#define CONF_ENV_INI	 "IOMMU_CONF_INI"     /* --ini FILE */
#define CONF_ENV_ONLY	 "IOMMU_CONF_ONLY"    /* --config NAME[,NAME...] */

/* The parameter array for every test (configs.c). */
struct criterion_test_params conf_params(void);

void conf_fini(void);

/*
 * CONF_TEST(area, behaviour) - a test run once per configuration; the body
 * sees `p` (const struct conf_param *).  The worker's contexts are
 * destroyed by conf_fini() even when an assertion ends the test early.
 */
#define CONF_TEST(area, behaviour, ...)                                        \
	static void area##__##behaviour##_body(const struct conf_param *p);    \
	ParameterizedTestParameters(area, behaviour)                           \
	{                                                                      \
		return conf_params();                                          \
	}                                                                      \
	ParameterizedTest(struct conf_param *p, area, behaviour,               \
			  .fini = conf_fini, ##__VA_ARGS__)                    \
	{                                                                      \
		conf_begin(p);                                                 \
		area##__##behaviour##_body(p);                                 \
		conf_end();                                                    \
	}                                                                      \
	static void area##__##behaviour##_body(const struct conf_param *p)

/* Around each test body: conf_fini() names the configuration of a test
 * that did not reach its end (Criterion's report does not show it). */
void conf_begin(const struct conf_param *p);
void conf_end(void);

/* ---- The platform every configuration provides ------------------------ */

/* Device names every configuration defines (README.md). */
#define DEV_SOLO  "solo"   /* a group of one */
#define DEV_SOLO2 "solo2"  /* another group of one */
#define DEV_PAIR0 "pair0"  /* a group of two ... */
#define DEV_PAIR1 "pair1"  /* ... with this one */
#define DEV_AUX	  "auxdev" /* group of one, features = aux, pasid_bits 20 */

/* Test memory: RAM the tests use as DMA targets, away from the table
 * range (configs keep tables at 128M and above). */
#define TMEM_BASE 0x1000000ull /* 16 MiB */
#define TMEM_SIZE 0x4000000ull /* 64 MiB */

#define SZ_4K  0x1000ull
/* The configuration's smallest page (CONF_F_PAGE_*, else 4 KiB): what the
 * tests map and step by as "one page"; set by conf_begin(). */
extern uint64_t conf_page;
#define PG conf_page
#define SZ_64K 0x10000ull
#define SZ_2M  0x200000ull
#define SZ_1G  0x40000000ull

/* IOVA the tests map at by default: 1 GiB, aligned for every page size. */
#define TIOVA 0x40000000ull

/**
 * struct fault_log - faults a handler received
 * @count: number of calls
 * @last: the last fault
 * @first: the first fault
 */
struct fault_log {
	unsigned int count;
	struct iommu_fault first;
	struct iommu_fault last;
};

/**
 * struct tctx - one opened configuration
 * @ctx: the context
 * @solo, @solo2, @pair0, @pair1, @aux: device IDs
 * @g_solo, @g_pair: their groups
 * @ctx_faults: what the context handler received
 */
struct tctx {
	struct iommu_ctx *ctx;
	uint32_t solo, solo2, pair0, pair1, aux;
	uint32_t g_solo, g_solo2, g_pair, g_aux;
	struct fault_log ctx_faults;
};

/*
 * tctx_open() - create the context of @p (asserting success), look up the
 * devices and install a context fault handler that logs into ctx_faults.
 * @flags: extra IOMMU_CTX_* flags
 * The context is destroyed by conf_fini() or by tctx_close().
 */
struct tctx *tctx_open(const struct conf_param *p);
struct tctx *tctx_open_flags(const struct conf_param *p, unsigned int flags);
void tctx_close(struct tctx *t);

/* Create a context of @p, returning the errno (for negative tests). */
int conf_ctx_create(const struct conf_param *p, unsigned int flags,
		    struct iommu_ctx **out);

/* A fault handler for domains that logs into a struct fault_log cookie. */
int fault_log_domain_fn(struct iommu_domain *d, const struct iommu_fault *f,
			void *cookie);
int fault_log_ctx_fn(struct iommu_ctx *c, const struct iommu_fault *f,
		     void *cookie);

/* Allocate a domain of @type (asserting success). */
struct iommu_domain *dom_alloc(struct tctx *t, enum iommu_domain_type type);

/* Smallest page size of @d. */
uint64_t dom_min_page(struct iommu_domain *d);

/* Fill [pa, pa + len) with a pattern made from @seed. */
void mem_fill(struct tctx *t, uint64_t pa, size_t len, unsigned int seed);
/* Does [pa, pa + len) hold the pattern of @seed? */
bool mem_check(struct tctx *t, uint64_t pa, size_t len, unsigned int seed);

/*
 * dma_ok() - a DMA read of @len bytes at @iova by @dev works and gives the
 * bytes at @pa; a DMA write then lands at @pa.  Asserts.
 */
void expect_dma_rw(struct tctx *t, uint32_t dev, uint64_t iova, uint64_t pa,
		   size_t len);
/* A DMA read by @dev at @iova sees the bytes at @pa (asserts). */
void expect_dma_read(struct tctx *t, uint32_t dev, uint64_t iova, uint64_t pa,
		     size_t len);

/*
 * expect_fault() - DMA of @access at @iova by @dev must fault, and exactly
 * one fault must reach @log (the handler that should get it) with the
 * device, address and access of the request.  @reasons: bitmask of
 * 1 << enum iommu_fault_reason accepted (0: any reason but UNKNOWN).
 */
void expect_fault(struct tctx *t, struct fault_log *log, uint32_t dev,
		  uint64_t iova, unsigned int access, unsigned int reasons);

/* Translation of @iova by @dev for @access: 0 or the errno. */
int dma_xlate(struct tctx *t, uint32_t dev, uint64_t iova, unsigned int access,
	      struct iommu_translation *out);

/* Current domain of @dev (asserts). */
struct iommu_domain *dev_domain(struct tctx *t, uint32_t dev);

/* Is the default domain of @t DMA (else IDENTITY)? */
bool default_is_dma(struct tctx *t);

/* A stat of @t's context. */
uint64_t stat_get(struct tctx *t, enum iommu_stat s);

/*
 * expect_default_behaviour() - @dev is on its default domain and DMA
 * behaves as the default type says: on IDENTITY, iova == phys; on DMA, an
 * address nobody mapped faults and an iommu_dma_map() buffer works.
 */
void expect_default_behaviour(struct tctx *t, uint32_t dev);

/* In deferred mode, invalidate what the hardware may still hold for @d,
 * so that a test can expect the faults of strict mode. */
void settle(struct tctx *t, struct iommu_domain *d);

#define R_BIT(r)	   (1u << (r))
#define REASONS_NOT_MAPPED R_BIT(IOMMU_FAULT_NOT_MAPPED)
#define REASONS_PERM                                                           \
	(R_BIT(IOMMU_FAULT_PERMISSION) | R_BIT(IOMMU_FAULT_NOT_MAPPED))
#define REASONS_ANY 0u

/* ---- Interrupt messages, PASIDs (test_abi2*.c) ------------------------- */

/**
 * struct msi_log - interrupt messages an iommu_msi_fn received
 * @count: number of calls
 * @dev_id, @addr, @data: the last message
 */
struct msi_log {
	unsigned int count;
	uint32_t dev_id;
	uint64_t addr;
	uint32_t data;
};

/* An iommu_msi_fn that logs into a struct msi_log cookie. */
void msi_log_fn(void *cookie, uint32_t dev_id, uint64_t addr, uint32_t data);

/*
 * tctx_open_msi() - tctx_open() with opts.msi = @fn, opts.msi_cookie =
 * @cookie (@cookie must outlive the context: conf_fini() may destroy it).
 */
struct tctx *tctx_open_msi(const struct conf_param *p, iommu_msi_fn fn,
			   void *cookie);

/*
 * msi_window() - the interrupt window @dev's requests without PASID hit
 * @start, @last: receive its first and last byte
 * Asserts that @dev has an IOMMU_RESV_MSI or IOMMU_RESV_SW_MSI region.
 * Return: true for a hardware window (IOMMU_RESV_MSI: DMA there is an
 * interrupt message); false for a software-managed one (IOMMU_RESV_SW_MSI:
 * translated like memory), whose range is given instead.
 */
bool msi_window(struct tctx *t, uint32_t dev, uint64_t *start, uint64_t *last);

/* Is [pa, pa + len) RAM (iommu_mem_read works there)? */
bool phys_is_ram(struct tctx *t, uint64_t pa, size_t len);

/*
 * pasid_attach_supported() - can the VMM attach a domain at a PASID of
 * DEV_AUX?  Tries iommu_attach_device_pasid() at PASID 1 with a fresh
 * UNMANAGED domain and undoes it; anything but 0 or -EOPNOTSUPP fails
 * the test.
 */
bool pasid_attach_supported(struct tctx *t);

/* An UNMANAGED domain mapping [iova, iova + size) to [pa, pa + size)
 * read/write (asserts). */
struct iommu_domain *dom_mapped(struct tctx *t, uint64_t iova, uint64_t pa,
				uint64_t size);

/* The attachments of @d (iommu_domain_devices), asserting success and
 * at most @max. */
size_t dom_attachments(struct iommu_domain *d, struct iommu_attachment *out,
		       size_t max);

#endif /* IOMMU_CONFORMANCE_CONF_H */
