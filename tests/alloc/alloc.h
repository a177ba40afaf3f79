/* SPDX-License-Identifier: MIT */
/*
 * alloc.h - the allocation-failure sweep: one scenario, run once per N
 * with the N-th allocation failing (see test_alloc.c).
 */
#ifndef TESTS_ALLOC_ALLOC_H
#define TESTS_ALLOC_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The calls of the scenario, each checked against the clean run. */
enum step {
	S_CREATE,
	S_LOOKUP_ACCEL,
	S_LOOKUP_NIC,
	S_LOOKUP_UNTR,
	S_LOOKUP_GPU,
	S_GROUP_NIC,
	S_GROUP_UNTR,
	S_GROUP_GPU,
	S_DEF_NIC,
	S_DEF_UNTR,
	S_ALLOC_BLOCKED,
	S_CTX_FAULT_FN,
	S_DMA_MAP_A,
	S_DMA_WRITE_A,
	S_DMA_READ_A,
	S_ALLOC_DMA,
	S_ALLOC_UNM,
	S_FAULT_FN,
	S_ATTACH_U,
	S_MAP_4K,
	S_MAP_64K,
	S_MAP_2M,
	S_MAP_RO,
	S_TRANSLATE,
	S_DMA_WRITE_U,
	S_DMA_READ_U,
	S_FAULT_UNMAPPED,
	S_FAULT_RO,
	S_UNMAP_4K,
	S_UNMAP_FAST,
	S_IOTLB_SYNC,
	S_FAULT_AFTER_UNMAP,
	S_REPLACE,
	S_DMA_MAP_DD,
	S_DMA_READ_DD,
	S_DMA_UNMAP_DD,
	S_DETACH_NIC,
	S_FEAT_AUX,
	S_ALLOC_AUX,
	S_MAP_AUX,
	S_AUX_ATTACH,
	S_AUX_PASID,
	S_AUX_DMA,
	S_AUX_DETACH,
	S_PASID_ATTACH,
	S_PASID_DMA,
	S_PASID_DETACH,
	S_CLAIM,
	S_BLOCKED_DMA,
	S_ATTACH_UNTR,
	S_DMA_UNTR,
	S_DETACH_UNTR,
	S_RELEASE,
	S_ATTACH_GROUP,
	S_DMA_MAP_GPU,
	S_DMA_UNMAP_GPU,
	S_DETACH_GROUP,
	S_DEV_ADD,
	S_DMA_MAP_HOT,
	S_DMA_UNMAP_HOT,
	S_DEV_REMOVE,
	S_UNMAP_REST,
	S_DMA_UNMAP_A,
	S_FREE_AUX,
	S_FREE_UNM,
	S_FREE_DMA,
	S_MAP_RUN,
	S_UNMAP_RUN,
	S_SYNC_RUN,
	S_FLUSH_ALL,
	S_DUMP_DOMAIN,
	S_DUMP_DOT,
	S_DUMP_TOPO,
	S_DUMP_MODEL,
	S_SET_TRACE,
	S_GROUP_RESV,
	S_STATS,
	S_ALLOC_PAGING,
	S_FREE_PAGING,
	S_STATE,
	S_COUNT
};

/* A backend configuration of the sweep. */
struct alloc_conf {
	const char *name;
	const char *backend;
	const char *section; /* body of the [backend] section */
	const char *ids[6];  /* accel, nic, untrusted, passthru, gpu, audio */
	uint32_t hot_id;     /* the device added at run time */
	const char *dflt;    /* [iommu] default_domain (NULL: dma) */
	const char *inval;   /* [iommu] invalidation (NULL: strict) */
	bool by_path;	     /* from a file (ini_path), not a string */
};

/* What the clean run returned at each step (shared with the children). */
struct alloc_base {
	int rc[S_COUNT];
	bool seen[S_COUNT];
	char name[S_COUNT][40]; /* the call, as written */
};

#define ALLOC_MSG	1024
#define ALLOC_SITE	24
#define ALLOC_LEAKS	8
#define ALLOC_ERRNO_MAX 140

/* One run's outcome, written by the child into shared memory. */
struct alloc_result {
	bool done;		/* the child reached its end */
	bool bad;		/* a check failed: @msg says which */
	bool leak;		/* allocations live after destroy */
	unsigned long count;	/* allocations counted */
	unsigned long injected; /* failures injected */
	size_t leaked;		/* how many */
	char msg[ALLOC_MSG];
	void *site[ALLOC_SITE]; /* stack of the first injected failure */
	void *site_caller;	/* the caller of the allocation that failed */
	int site_depth;
	unsigned int errno_hits[ALLOC_ERRNO_MAX]; /* errnos of failed calls */
	unsigned int absorbed;	   /* calls that failed inside and gave 0 */
	char absorbed_what[96];	   /* the first of them */
	bool step_failed[S_COUNT]; /* failed with an allocation failing */
};

/*
 * alloc_scenario() - play the scenario once on @ini
 * @is_path: @ini is a file's path, not the INI text
 * @dump: an unbuffered stream for the iommu_dump_*() pictures (NULL: none)
 * @hot_id: the vendor ID of the device added and removed at run time
 * @after: every allocation after the failed one fails too (a cleanup
 *     call may then fail again)
 * @base: the clean run's results: filled when @record, else checked
 * @res: the outcome (counters, first failed check)
 * The caller arms the injector before and checks for leaks after.
 */
void alloc_scenario(const char *ini, bool is_path, uint32_t hot_id, FILE *dump,
		    struct alloc_base *base, bool record, bool after,
		    struct alloc_result *res);

#endif /* TESTS_ALLOC_ALLOC_H */
