// SPDX-License-Identifier: MIT
/*
 * trace.c - trace events: one callback per class, the ready-made text
 * tracer, and its switch in the INI and the environment.
 *
 * The cost when a class is off is one relaxed load and a predicted branch
 * at the place the event would be made (iommu__tracing(), and
 * iommu_host_tracing() in a plugin): ctx->trace_mask has a bit per class
 * with a callback.  A callback and its cookie change together: each class
 * points at an immutable record; records replaced stay allocated until
 * the context dies, so a thread delivering an event never reads freed
 * memory.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

struct iommu__tracer {
	iommu_trace_fn fn;
	void *cookie;
	struct iommu__tracer *next; /* every record, for ctx destroy */
};

static const char *const class_names[IOMMU_TRACE_CLASS_COUNT] = {
	[IOMMU_TRACE_ATTACH] = "attach", [IOMMU_TRACE_MAP] = "map",
	[IOMMU_TRACE_INVAL] = "inval",	 [IOMMU_TRACE_IOTLB] = "iotlb",
	[IOMMU_TRACE_FAULT] = "fault",
};

static const char *const type_names[IOMMU_TR_TYPE_COUNT] = {
	[IOMMU_TR_ATTACH] = "attach",
	[IOMMU_TR_PASID] = "pasid",
	[IOMMU_TR_MAP] = "map",
	[IOMMU_TR_UNMAP] = "unmap",
	[IOMMU_TR_INVAL_SYNC] = "inval_sync",
	[IOMMU_TR_CMD_ISSUED] = "cmd_issued",
	[IOMMU_TR_CMD_CONSUMED] = "cmd_consumed",
	[IOMMU_TR_IOTLB_FILL] = "iotlb_fill",
	[IOMMU_TR_IOTLB_EVICT] = "iotlb_evict",
	[IOMMU_TR_FAULT_RECORD] = "fault_record",
	[IOMMU_TR_FAULT] = "fault",
};

const char *iommu_trace_type_name(enum iommu_trace_type type)
{
	return (unsigned int)type < IOMMU_TR_TYPE_COUNT ? type_names[type] :
							  NULL;
}

int iommu__trace_parse(const char *s, unsigned int *mask, char *bad,
		       size_t badlen)
{
	unsigned int m = 0;
	const char *p = s;

	if (!strcmp(s, "all")) {
		*mask = IOMMU_TRACE_ALL;
		return 0;
	}
	if (!strcmp(s, "none") || !*s) {
		*mask = 0;
		return 0;
	}
	while (*p) {
		size_t n = strcspn(p, ",");
		const char *w = p;
		size_t wn = n;
		int c;

		while (wn && (*w == ' ' || *w == '\t'))
			w++, wn--;
		while (wn && (w[wn - 1] == ' ' || w[wn - 1] == '\t'))
			wn--;
		for (c = 0; c < IOMMU_TRACE_CLASS_COUNT; c++)
			if (strlen(class_names[c]) == wn &&
			    !strncmp(w, class_names[c], wn))
				break;
		if (c == IOMMU_TRACE_CLASS_COUNT) {
			snprintf(bad, badlen, "%.*s", (int)wn, w);
			return -EINVAL;
		}
		m |= IOMMU_TRACE_BIT(c);
		p += n;
		if (*p == ',')
			p++;
	}
	*mask = m;
	return 0;
}

/* The record of (@fn, @cookie), reused or made.  Context: trace_lock. */
static struct iommu__tracer *tracer_get(struct iommu_ctx *ctx,
					iommu_trace_fn fn, void *cookie)
{
	struct iommu__tracer *t;

	for (t = ctx->tracers; t; t = t->next)
		if (t->fn == fn && t->cookie == cookie)
			return t;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->fn = fn;
	t->cookie = cookie;
	t->next = ctx->tracers;
	ctx->tracers = t;
	return t;
}

int iommu_set_trace(struct iommu_ctx *ctx, unsigned int classes,
		    iommu_trace_fn fn, void *cookie)
{
	struct iommu__tracer *t = NULL;
	unsigned int mask;

	if (!ctx || classes & ~IOMMU_TRACE_ALL)
		return -EINVAL;
	pthread_mutex_lock(&ctx->trace_lock);
	/* Records live until the context dies (a delivering thread may
	 * still hold one); reusing them bounds their number by the
	 * distinct callbacks, however often tracing is turned on and off. */
	if (fn && !(t = tracer_get(ctx, fn, cookie))) {
		pthread_mutex_unlock(&ctx->trace_lock);
		return -ENOMEM;
	}
	mask = __atomic_load_n(&ctx->trace_mask, __ATOMIC_RELAXED);
	for (int c = 0; c < IOMMU_TRACE_CLASS_COUNT; c++) {
		if (!(classes & IOMMU_TRACE_BIT(c)))
			continue;
		__atomic_store_n(&ctx->tracer[c], t, __ATOMIC_RELEASE);
		if (t)
			mask |= IOMMU_TRACE_BIT(c);
		else
			mask &= ~IOMMU_TRACE_BIT(c);
	}
	__atomic_store_n(&ctx->trace_mask, mask, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&ctx->trace_lock);
	return 0;
}

void iommu__trace(struct iommu_ctx *ctx, const struct iommu_trace_event *ev)
{
	struct iommu__tracer *t;

	if ((unsigned int)ev->cls >= IOMMU_TRACE_CLASS_COUNT ||
	    (unsigned int)ev->type >= IOMMU_TR_TYPE_COUNT)
		return;
	t = __atomic_load_n(&ctx->tracer[ev->cls], __ATOMIC_ACQUIRE);
	if (t)
		t->fn(t->cookie, ev);
}

void iommu__trace_attach(struct iommu_domain *d, uint32_t dev_id,
			 uint32_t pasid, int result)
{
	struct iommu_trace_event ev = {
		.cls = IOMMU_TRACE_ATTACH,
		.type = pasid == IOMMU_NO_PASID ? IOMMU_TR_ATTACH :
						  IOMMU_TR_PASID,
		.result = result,
		.dev_id = dev_id,
		.pasid = pasid,
		.domain = iommu__domain_handle(d),
	};

	iommu__trace(d->ctx, &ev);
}

/* The host op: a plugin's event (either role). */
void iommu__host_trace(struct iommu_host *h, const struct iommu_trace_event *ev)
{
	if (ev)
		iommu__trace(iommu__host_ctx(h), ev);
}

static const char *prot_str(unsigned int prot, char buf[4])
{
	buf[0] = prot & IOMMU_READ ? 'R' : '-';
	buf[1] = prot & IOMMU_WRITE ? 'W' : '-';
	buf[2] = 0;
	return buf;
}

void iommu_trace_print(void *cookie, const struct iommu_trace_event *ev)
{
	FILE *f = cookie ? cookie : stderr;
	const char *name;
	char line[512], pb[4];
	int n = 0;

	if (!ev)
		return;
	name = iommu_trace_type_name(ev->type);
	if (!name)
		return;
#define OUT(...)                                                              \
	do {                                                                   \
		if (n >= 0 && (size_t)n < sizeof(line))                        \
			n += snprintf(line + n, sizeof(line) - n, __VA_ARGS__); \
	} while (0)
	OUT("iommu-trace: %s", name);
	switch (ev->type) {
	case IOMMU_TR_ATTACH:
		OUT(" dev 0x%x domain %p", ev->dev_id, (void *)ev->domain);
		break;
	case IOMMU_TR_PASID:
		OUT(" dev 0x%x pasid 0x%x domain %p", ev->dev_id, ev->pasid,
		    (void *)ev->domain);
		break;
	case IOMMU_TR_MAP:
		OUT(" domain %p iova 0x%" PRIx64 " size 0x%" PRIx64
		    " -> 0x%" PRIx64 " %s",
		    (void *)ev->domain, ev->iova, ev->size, ev->paddr,
		    prot_str(ev->prot, pb));
		break;
	case IOMMU_TR_UNMAP:
		OUT(" domain %p iova 0x%" PRIx64 " size 0x%" PRIx64
		    " removed 0x%" PRIx64,
		    (void *)ev->domain, ev->iova, ev->size, ev->done);
		break;
	case IOMMU_TR_INVAL_SYNC:
		if (ev->size)
			OUT(" domain %p iova 0x%" PRIx64 " size 0x%" PRIx64,
			    (void *)ev->domain, ev->iova, ev->size);
		else
			OUT(" domain %p all", (void *)ev->domain);
		break;
	case IOMMU_TR_FAULT:
		if (ev->fault)
			OUT(" dev 0x%x pasid 0x%x iova 0x%" PRIx64
			    " reason %d prot %s",
			    ev->fault->dev_id, ev->fault->pasid,
			    ev->fault->addr, (int)ev->fault->reason,
			    prot_str(ev->fault->access, pb));
		break;
	default:
		if (ev->dev_id || ev->iova)
			OUT(" dev 0x%x iova 0x%" PRIx64, ev->dev_id, ev->iova);
		break;
	}
	if (ev->what)
		OUT(" [%s]", ev->what);
	if (ev->raw && ev->raw_len) {
		const unsigned char *b = ev->raw;

		OUT(" raw");
		/* Little-endian 64-bit words, as the specs print them. */
		for (size_t i = 0; i < ev->raw_len; i += 8) {
			uint64_t w = 0;

			for (size_t j = 0; j < 8 && i + j < ev->raw_len; j++)
				w |= (uint64_t)b[i + j] << (8 * j);
			OUT(" %016" PRIx64, w);
		}
	}
	if (ev->result)
		OUT(" result %d", ev->result);
#undef OUT
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	line[n] = 0;
	/* One write per line, so lines of several threads do not mix. */
	fprintf(f, "%s\n", line);
}

int iommu__trace_init(struct iommu_ctx *ctx, char *err, size_t errlen)
{
	const char *env = getenv("IOMMU_TRACE");
	const char *file = getenv("IOMMU_TRACE_FILE");
	unsigned int mask = ctx->cfg.trace;
	char path[PATH_MAX * 2];
	FILE *f = stderr;

	if (pthread_mutex_init(&ctx->trace_lock, NULL)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ctx->trace_lock_init = true;
	if (env) {
		char bad[64];

		if (iommu__trace_parse(env, &mask, bad, sizeof(bad))) {
			snprintf(err, errlen,
				 "environment IOMMU_TRACE: '%s' is not all, none or one of attach, map, inval, iotlb, fault",
				 bad);
			return -EINVAL;
		}
	}
	if (!mask)
		return 0;
	if (file && *file) {
		snprintf(path, sizeof(path), "%s", file);
	} else if (ctx->cfg.trace_file[0]) {
		if (ctx->cfg.trace_file[0] == '/')
			snprintf(path, sizeof(path), "%s", ctx->cfg.trace_file);
		else
			snprintf(path, sizeof(path), "%s/%s", ctx->cfg.dir,
				 ctx->cfg.trace_file);
	} else {
		path[0] = 0;
	}
	if (path[0]) {
		f = fopen(path, "a");
		if (!f) {
			int e = errno ? errno : EIO;

			snprintf(err, errlen, "%s: [iommu] trace_file: cannot open '%s': %s",
				 ctx->cfg.file, path, strerror(e));
			return -e;
		}
		setvbuf(f, NULL, _IOLBF, 0);
		ctx->trace_file = f;
	}
	return iommu_set_trace(ctx, mask, iommu_trace_print, f);
}

void iommu__trace_fini(struct iommu_ctx *ctx)
{
	struct iommu__tracer *t = ctx->tracers, *n;

	for (; t; t = n) {
		n = t->next;
		free(t);
	}
	ctx->tracers = NULL;
	if (ctx->trace_file)
		fclose(ctx->trace_file);
	ctx->trace_file = NULL;
	if (ctx->trace_lock_init)
		pthread_mutex_destroy(&ctx->trace_lock);
	ctx->trace_lock_init = false;
}
