// SPDX-License-Identifier: MIT
/*
 * test_trace.c - turning the ready-made tracer on from the INI and the
 * environment (and the errors a bad value gets), its text, and the
 * counters the core keeps itself, which hold when the driver is bound to
 * another implementation of the hardware.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "iommu/iommu.h"

#define INI_HEAD                                                               \
	"[iommu]\n"                                                            \
	"backend = virtio\n"                                                   \
	"default_domain = dma\n"                                               \
	"invalidation = strict\n"
#define INI_TAIL                                                               \
	"[memory]\n"                                                           \
	"ram_size = 64M\n"                                                     \
	"table_base = 0x2000000\n"                                             \
	"table_size = 8M\n"                                                    \
	"[device.nic]\n"                                                       \
	"id = 0x08\n"

TestSuite(trace);

static int create(const char *ini, struct iommu_ctx **ctx, char *err,
		  size_t errlen)
{
	struct iommu_ctx_opts o = {
		.size = sizeof(o),
		.ini_string = ini,
		.errbuf = err,
		.errbuf_len = errlen,
		.log_level = IOMMU_LOG_ERR,
	};

	return iommu_ctx_create(&o, ctx);
}

/* Map and unmap one page on [device.nic]'s own domain. */
static void map_unmap(struct iommu_ctx *ctx)
{
	struct iommu_domain *d;
	uint32_t nic;

	cr_assert_eq(iommu_dev_lookup(ctx, "nic", &nic), 0);
	cr_assert_eq(iommu_domain_alloc(ctx, IOMMU_DOMAIN_UNMANAGED, &d), 0);
	cr_assert_eq(iommu_attach_device(d, nic), 0);
	cr_assert_eq(iommu_map(d, 0x10000, 0x100000, 0x1000, IOMMU_READ), 0);
	cr_assert_eq(iommu_unmap(d, 0x10000, 0x1000, NULL), 0);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 16);

	cr_assert_not_null(f, "%s", path);
	cr_assert_not_null(buf);
	fread(buf, 1, (1 << 16) - 1, f);
	fclose(f);
	return buf;
}

static void tmp_path(char *path, size_t len)
{
	snprintf(path, len, "/tmp/iommu-trace-%d.log", (int)getpid());
	unlink(path);
}

Test(trace, ini_turns_the_text_tracer_on)
{
	char path[128], ini[1024], err[256] = "";
	struct iommu_ctx *ctx;
	char *text;

	tmp_path(path, sizeof(path));
	snprintf(ini, sizeof(ini),
		 INI_HEAD "trace = map, inval\ntrace_file = %s\n" INI_TAIL,
		 path);
	cr_assert_eq(create(ini, &ctx, err, sizeof(err)), 0, "%s", err);
	map_unmap(ctx);
	iommu_ctx_destroy(ctx);
	text = slurp(path);
	unlink(path);
	/* In order: the map, the unmap, the core's invalidation, the
	 * driver's request, the device consuming it. */
	char *m = strstr(text, "iommu-trace: map ");
	char *u = strstr(text, "iommu-trace: unmap ");
	cr_assert_not_null(m, "%s", text);
	cr_assert_not_null(u, "%s", text);
	cr_assert_lt(m, u);
	char *s = strstr(u, "iommu-trace: inval_sync ");
	cr_assert_not_null(s, "%s", text);
	cr_assert_not_null(strstr(text, "iommu-trace: cmd_issued"), "%s",
			   text);
	cr_assert_not_null(strstr(text, "iommu-trace: cmd_consumed"), "%s",
			   text);
	cr_assert_not_null(strstr(m, "iova 0x10000 size 0x1000 -> 0x100000 R-"),
			   "%s", text);
	/* Classes not asked for stay quiet. */
	cr_assert_null(strstr(text, "iommu-trace: attach"), "%s", text);
	free(text);
}

Test(trace, environment_wins_over_the_ini)
{
	char path[128], err[256] = "";
	struct iommu_ctx *ctx;
	char *text;

	tmp_path(path, sizeof(path));
	cr_assert_eq(setenv("IOMMU_TRACE", "attach", 1), 0);
	cr_assert_eq(setenv("IOMMU_TRACE_FILE", path, 1), 0);
	cr_assert_eq(create(INI_HEAD "trace = map\n" INI_TAIL, &ctx, err,
			    sizeof(err)), 0, "%s", err);
	map_unmap(ctx);
	iommu_ctx_destroy(ctx);
	text = slurp(path);
	unlink(path);
	cr_assert_not_null(strstr(text, "iommu-trace: attach dev 0x8"), "%s",
			   text);
	cr_assert_null(strstr(text, "iommu-trace: map"), "%s", text);
	free(text);

	cr_assert_eq(setenv("IOMMU_TRACE", "map,bogus", 1), 0);
	cr_assert_eq(create(INI_HEAD INI_TAIL, &ctx, err, sizeof(err)),
		     -EINVAL);
	cr_assert_not_null(strstr(err, "IOMMU_TRACE: 'bogus'"), "%s", err);
}

Test(trace, bad_ini_values_name_the_line_and_key)
{
	char err[256] = "";
	struct iommu_ctx *ctx;

	cr_assert_eq(create(INI_HEAD "trace = map,iotlb,nope\n" INI_TAIL, &ctx,
			    err, sizeof(err)),
		     -EINVAL);
	cr_assert_not_null(strstr(err, "<string>:5: [iommu] trace: 'nope'"),
			   "%s", err);
	cr_assert_eq(create(INI_HEAD "trace = all\n"
				     "trace_file = /nonexistent/dir/x.log\n" INI_TAIL,
			    &ctx, err, sizeof(err)),
		     -ENOENT);
	cr_assert_not_null(strstr(err, "trace_file"), "%s", err);
	/* "none" and "all" are words of their own. */
	cr_assert_eq(create(INI_HEAD "trace = none\n" INI_TAIL, &ctx, err,
			    sizeof(err)), 0, "%s", err);
	iommu_ctx_destroy(ctx);
}

Test(trace, print_formats_one_line)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	uint64_t raw[2] = { 0x1234, 0xabcdef };
	struct iommu_trace_event ev = {
		.cls = IOMMU_TRACE_INVAL,
		.type = IOMMU_TR_CMD_ISSUED,
		.what = "vtd inv_desc",
		.raw = raw,
		.raw_len = sizeof(raw),
	};

	cr_assert_not_null(f);
	iommu_trace_print(f, &ev);
	ev.type = IOMMU_TR_TYPE_COUNT; /* unknown: nothing */
	iommu_trace_print(f, &ev);
	fclose(f);
	cr_assert_str_eq(buf, "iommu-trace: cmd_issued [vtd inv_desc] raw "
			      "0000000000001234 0000000000abcdef\n");
	free(buf);
}

/* ---- The driver bound to another implementation ----------------------- */

static struct iommu_ctx *model_ctx;

static int fwd_read(void *opaque, uint64_t off, unsigned int size,
		    uint64_t *val)
{
	(void)opaque;
	return iommu_hw_mmio_read(model_ctx, off, size, val);
}

static int fwd_write(void *opaque, uint64_t off, unsigned int size,
		     uint64_t val)
{
	(void)opaque;
	return iommu_hw_mmio_write(model_ctx, off, size, val);
}

static int fwd_translate(void *opaque, uint32_t dev_id, uint32_t pasid,
			 uint64_t iova, uint64_t len, unsigned int access,
			 struct iommu_translation *out)
{
	(void)opaque;
	return iommu_dma_translate(model_ctx, dev_id, pasid, iova, len, access,
				   out);
}

static const struct iommu_bus_ops fwd_bus = {
	.mmio_read = fwd_read,
	.mmio_write = fwd_write,
	.translate = fwd_translate,
};

Test(trace, core_counters_hold_with_another_bus)
{
	static const char ini[] = "[iommu]\n"
				  "backend = vtd\n"
				  "default_domain = dma\n"
				  "invalidation = strict\n"
				  "[memory]\n"
				  "table_base = 0x2000000\n"
				  "table_size = 8M\n"
				  "[device.nic]\n"
				  "id = 0x08\n";
	size_t ram_size = 64u << 20;
	void *ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct iommu_ram_region r = { 0, ram_size, ram };
	struct iommu_ctx_opts o = {
		.size = sizeof(o),
		.ini_string = ini,
		.ram = &r,
		.nr_ram = 1,
		.log_level = IOMMU_LOG_ERR,
		.flags = IOMMU_CTX_NO_DRIVER,
	};
	struct iommu_stats st = { .size = sizeof(st) };
	struct iommu_translation tr;
	struct iommu_ctx *ctx;
	uint32_t nic;

	cr_assert_neq(ram, MAP_FAILED);
	cr_assert_eq(iommu_ctx_create(&o, &model_ctx), 0);
	o.flags = 0;
	o.bus = &fwd_bus;
	cr_assert_eq(iommu_ctx_create(&o, &ctx), 0);
	map_unmap(ctx);
	cr_assert_eq(iommu_dev_lookup(ctx, "nic", &nic), 0);
	cr_assert_eq(iommu_dma_translate(ctx, nic, IOMMU_NO_PASID, 0x10000, 4,
					 IOMMU_ACCESS_READ, &tr),
		     -EFAULT);
	cr_assert_eq(iommu_get_stats(ctx, &st), 0);
	cr_assert_eq(st.v[IOMMU_STAT_MAPS], 1);
	cr_assert_eq(st.v[IOMMU_STAT_UNMAPS], 1);
	cr_assert_geq(st.v[IOMMU_STAT_INVAL_SYNCS], 1);
	cr_assert_eq(st.v[IOMMU_STAT_TRANSLATIONS], 1);
	cr_assert_eq(st.v[IOMMU_STAT_DMA_FAULTS], 1);
	/* What only the hardware sees stays with the hardware. */
	cr_assert_eq(st.v[IOMMU_STAT_INVAL_CMDS], 0);
	iommu_ctx_destroy(ctx);
	iommu_ctx_destroy(model_ctx);
	munmap(ram, ram_size);
}

/* ---- The DMA API's own maps ------------------------------------------- */

struct seen {
	unsigned int n;
	struct iommu_trace_event ev[16];
};

static void seen_fn(void *cookie, const struct iommu_trace_event *ev)
{
	struct seen *s = cookie;

	if (s->n < 16)
		s->ev[s->n] = *ev;
	s->n++;
}

Test(trace, dma_api_maps_are_traced_with_their_device)
{
	char err[256] = "";
	struct iommu_ctx *ctx;
	struct seen s = { 0 };
	uint64_t iova = 0;
	uint32_t nic;

	cr_assert_eq(create(INI_HEAD INI_TAIL, &ctx, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(iommu_dev_lookup(ctx, "nic", &nic), 0);
	cr_assert_eq(iommu_set_trace(ctx, IOMMU_TRACE_BIT(IOMMU_TRACE_MAP),
				     seen_fn, &s),
		     0);
	cr_assert_eq(iommu_dma_map(ctx, nic, 0x100000, 0x2000,
				   IOMMU_READ | IOMMU_WRITE, &iova),
		     0);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(s.ev[0].type, IOMMU_TR_MAP);
	cr_assert_eq(s.ev[0].dev_id, nic);
	cr_assert_eq(s.ev[0].iova, iova);
	cr_assert_eq(s.ev[0].size, 0x2000);
	cr_assert_eq(s.ev[0].paddr, 0x100000);
	cr_assert_eq(s.ev[0].result, 0);
	cr_assert_eq(iommu_dma_unmap(ctx, nic, iova, 0x2000), 0);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(s.ev[1].type, IOMMU_TR_UNMAP);
	cr_assert_eq(s.ev[1].dev_id, nic);
	cr_assert_eq(s.ev[1].iova, iova);
	cr_assert_eq(s.ev[1].done, 0x2000);
	iommu_ctx_destroy(ctx);
}

/* Turning tracing on and off again and again grows nothing. */
Test(trace, toggling_keeps_memory_flat)
{
	char err[256] = "";
	struct iommu_ctx *ctx;
	struct seen s = { 0 };
	size_t heap;

	cr_assert_eq(create(INI_HEAD INI_TAIL, &ctx, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(iommu_set_trace(ctx, IOMMU_TRACE_ALL, seen_fn, &s), 0);
	heap = mallinfo2().uordblks;
	for (int i = 0; i < 10000; i++) {
		cr_assert_eq(iommu_set_trace(ctx, IOMMU_TRACE_ALL, NULL, NULL),
			     0);
		cr_assert_eq(iommu_set_trace(ctx, IOMMU_TRACE_ALL, seen_fn,
					     &s),
			     0);
	}
	cr_assert_leq(mallinfo2().uordblks, heap);
	iommu_ctx_destroy(ctx);
}
