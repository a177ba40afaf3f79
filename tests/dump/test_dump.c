// SPDX-License-Identifier: MIT
/*
 * test_dump.c - the pictures of iommu.h ("Dump") through the public API:
 * a domain's tables as text and dot on a small known mapping (VT-d with
 * its four-level second stage, virtio-iommu with no table), the
 * topology, and the errnos of bad input.  Table addresses belong to the
 * table allocator, not to the picture: they are checked (distinct,
 * page-aligned, in the table range) and then named T0, T1, ... in the
 * order they appear, so the rest of the text is compared exactly.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "dump.h"

#define PLATFORM                                                               \
	"[memory]\nram_base = 0\nram_size = 64M\n"                             \
	"table_base = 0x3000000\ntable_size = 4M\n"

const char dump_ini_vtd[] =
    "[iommu]\nbackend = vtd\ndefault_domain = dma\n"
    "invalidation = strict\n" PLATFORM "[vtd]\naw = 48\n"
    "[device.accel]\nid = 00:01.0\nfeatures = aux\npasid_bits = 20\n"
    "[device.nic]\nid = 00:02.0\n"
    "[device.gpu]\nid = 01:00.0\ngroup = bridge1\n"
    "[device.gpu_audio]\nid = 01:00.1\ngroup = bridge1\n";

const char dump_ini_virtio[] =
    "[iommu]\nbackend = virtio\ndefault_domain = dma\n"
    "invalidation = strict\n" PLATFORM "[virtio]\npage_size_mask = 0x40201000\n"
    "input_end = 0xffffffffffff\n"
    "[device.ep0]\nid = 16\n";

struct iommu_ctx *dump_ctx(const char *ini)
{
	char err[512] = "";
	struct iommu_ctx_opts opts = {
	    .ini_string = ini,
	    .log_level = IOMMU_LOG_ERR,
	    .errbuf = err,
	    .errbuf_len = sizeof(err),
	};
	struct iommu_ctx *ctx = NULL;
	int ret = iommu_ctx_create(&opts, &ctx);

	cr_assert_eq(ret, 0, "context: %d %s", ret, err);
	return ctx;
}

char *dump_run(int (*fn)(void *, enum iommu_dump_format, FILE *), void *obj,
	       enum iommu_dump_format fmt, int *ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	*ret = fn(obj, fmt, f);
	fclose(f);
	return buf;
}

static int do_domain(void *d, enum iommu_dump_format fmt, FILE *f)
{
	return iommu_dump_domain(d, fmt, f);
}

static int do_topology(void *c, enum iommu_dump_format fmt, FILE *f)
{
	return iommu_dump_topology(c, fmt, f);
}

char *dump_domain(struct iommu_domain *d, enum iommu_dump_format fmt)
{
	int ret;
	char *s = dump_run(do_domain, d, fmt, &ret);

	cr_assert_eq(ret, 0, "iommu_dump_domain: %d", ret);
	return s;
}

char *dump_topology(struct iommu_ctx *ctx, enum iommu_dump_format fmt)
{
	int ret;
	char *s = dump_run(do_topology, ctx, fmt, &ret);

	cr_assert_eq(ret, 0, "iommu_dump_topology: %d", ret);
	return s;
}

char *dump_name_tables(const char *in, uint64_t base, uint64_t size)
{
	uint64_t seen[64];
	unsigned int nseen = 0;
	size_t cap = strlen(in) + 1;
	char *out = malloc(cap), *o = out;
	const char *p = in;

	cr_assert_not_null(out);
	while (*p) {
		const char *t = strstr(p, "table 0x");
		unsigned long long pa;
		char *end;
		unsigned int i;

		if (!t) {
			strcpy(o, p);
			return out;
		}
		memcpy(o, p, (size_t)(t - p) + 6);
		o += t - p + 6;
		pa = strtoull(t + 6, &end, 16);
		cr_assert_eq(pa & 0xfff, 0, "table 0x%llx not page-aligned",
			     pa);
		cr_assert(pa >= base && pa < base + size,
			  "table 0x%llx outside the table range", pa);
		for (i = 0; i < nseen && seen[i] != pa; i++)
			;
		if (i == nseen) {
			cr_assert_lt(nseen, 64);
			seen[nseen++] = pa;
		}
		o += sprintf(o, "T%u", i);
		p = end;
	}
	*o = 0;
	return out;
}

/* The known mapping: a run of eight 4K pages, a 4K page whose PA breaks
 * the run, one that continues the PA with other rights, a 2M page and a
 * read-only page in another 1G region. */
static struct iommu_domain *known_domain(struct iommu_ctx *ctx)
{
	struct iommu_domain *d = NULL;

	cr_assert_eq(iommu_domain_alloc(ctx, IOMMU_DOMAIN_UNMANAGED, &d), 0);
	cr_assert_eq(
	    iommu_map(d, 0x1000, 0x200000, 0x8000, IOMMU_READ | IOMMU_WRITE),
	    0);
	cr_assert_eq(
	    iommu_map(d, 0x9000, 0x20a000, 0x1000, IOMMU_READ | IOMMU_WRITE),
	    0);
	cr_assert_eq(iommu_map(d, 0xa000, 0x20b000, 0x1000, IOMMU_READ), 0);
	cr_assert_eq(iommu_map(d, 0x200000, 0x400000, 0x200000,
			       IOMMU_READ | IOMMU_WRITE),
		     0);
	cr_assert_eq(iommu_map(d, 0x40000000, 0x300000, 0x1000, IOMMU_READ), 0);
	return d;
}

static void expect_text(const char *got, const char *want)
{
	cr_assert_str_eq(got, want, "got:\n%s\nwanted:\n%s", got, want);
}

Test(dump, vtd_tree_of_a_known_table)
{
	struct iommu_ctx *ctx = dump_ctx(dump_ini_vtd);
	struct iommu_domain *d = known_domain(ctx);
	char *raw = dump_domain(d, IOMMU_DUMP_TEXT);
	char *s = dump_name_tables(raw, 0x3000000, 4u << 20);

	expect_text(s, "vtd domain UNMANAGED, aperture 0x0-0xffffffffffff, "
		       "pages 4K 2M 1G\n"
		       "L3 table T0: 0x0-0xffffffffffff\n"
		       "  L2 table T1: 0x0-0x7fffffffff\n"
		       "    L1 table T2: 0x0-0x3fffffff\n"
		       "      L0 table T3: 0x0-0x1fffff\n"
		       "        0x1000-0x8fff -> 0x200000 4K x8 RW\n"
		       "        0x9000-0x9fff -> 0x20a000 4K RW\n"
		       "        0xa000-0xafff -> 0x20b000 4K R\n"
		       "      0x200000-0x3fffff -> 0x400000 2M RW\n"
		       "    L1 table T4: 0x40000000-0x7fffffff\n"
		       "      L0 table T5: 0x40000000-0x401fffff\n"
		       "        0x40000000-0x40000fff -> 0x300000 4K R\n");
	free(s);
	free(raw);
	iommu_ctx_destroy(ctx);
}

Test(dump, vtd_dot_of_a_known_table)
{
	struct iommu_ctx *ctx = dump_ctx(dump_ini_vtd);
	struct iommu_domain *d = known_domain(ctx);
	char *raw = dump_domain(d, IOMMU_DUMP_DOT);
	char *s = dump_name_tables(raw, 0x3000000, 4u << 20);

	expect_text(
	    s, "digraph domain {\n"
	       "\trankdir=LR;\n"
	       "\tlabelloc=t;\n"
	       "\tnode [shape=box, style=filled, fontname=\"monospace\", "
	       "fontsize=10];\n"
	       "\tlabel=\"vtd domain UNMANAGED, aperture "
	       "0x0-0xffffffffffff, pages 4K 2M 1G\";\n"
	       "\tn0 [label=\"L3 table T0\\n0x0-0xffffffffffff\", "
	       "fillcolor=\"#dce6f2\"];\n"
	       "\tn1 [label=\"L2 table T1\\n0x0-0x7fffffffff\", "
	       "fillcolor=\"#dce6f2\"];\n"
	       "\tn0 -> n1;\n"
	       "\tn2 [label=\"L1 table T2\\n0x0-0x3fffffff\", "
	       "fillcolor=\"#dce6f2\"];\n"
	       "\tn1 -> n2;\n"
	       "\tn3 [label=\"L0 table T3\\n0x0-0x1fffff\", "
	       "fillcolor=\"#dce6f2\"];\n"
	       "\tn2 -> n3;\n"
	       "\tn4 [label=\"0x1000-0x8fff\\n-> 0x200000\\n4K x8 RW\", "
	       "fillcolor=\"#e2f0d9\"];\n"
	       "\tn3 -> n4;\n"
	       "\tn5 [label=\"0x9000-0x9fff\\n-> 0x20a000\\n4K RW\", "
	       "fillcolor=\"#e2f0d9\"];\n"
	       "\tn3 -> n5;\n"
	       "\tn6 [label=\"0xa000-0xafff\\n-> 0x20b000\\n4K R\", "
	       "fillcolor=\"#e2f0d9\"];\n"
	       "\tn3 -> n6;\n"
	       "\tn7 [label=\"0x200000-0x3fffff\\n-> 0x400000\\n2M RW\", "
	       "fillcolor=\"#e2f0d9\"];\n"
	       "\tn2 -> n7;\n"
	       "\tn8 [label=\"L1 table T4\\n0x40000000-0x7fffffff\", "
	       "fillcolor=\"#dce6f2\"];\n"
	       "\tn1 -> n8;\n"
	       "\tn9 [label=\"L0 table T5\\n0x40000000-0x401fffff\", "
	       "fillcolor=\"#dce6f2\"];\n"
	       "\tn8 -> n9;\n"
	       "\tn10 [label=\"0x40000000-0x40000fff\\n-> 0x300000\\n4K R\", "
	       "fillcolor=\"#e2f0d9\"];\n"
	       "\tn9 -> n10;\n"
	       "}\n");
	free(s);
	free(raw);
	iommu_ctx_destroy(ctx);
}

/* An unmap that empties a table leaves it linked (core/pt keeps a table
 * only partly covered): the picture shows the empty table. */
Test(dump, vtd_tree_after_unmap)
{
	struct iommu_ctx *ctx = dump_ctx(dump_ini_vtd);
	struct iommu_domain *d = known_domain(ctx);
	uint64_t done = 0;
	char *raw, *s;

	cr_assert_eq(iommu_unmap(d, 0x40000000, 0x1000, &done), 0);
	cr_assert_eq(done, 0x1000);
	cr_assert_eq(iommu_unmap(d, 0x3000, 0x2000, &done), 0);
	cr_assert_eq(done, 0x2000);
	raw = dump_domain(d, IOMMU_DUMP_TEXT);
	s = dump_name_tables(raw, 0x3000000, 4u << 20);
	expect_text(s, "vtd domain UNMANAGED, aperture 0x0-0xffffffffffff, "
		       "pages 4K 2M 1G\n"
		       "L3 table T0: 0x0-0xffffffffffff\n"
		       "  L2 table T1: 0x0-0x7fffffffff\n"
		       "    L1 table T2: 0x0-0x3fffffff\n"
		       "      L0 table T3: 0x0-0x1fffff\n"
		       "        0x1000-0x2fff -> 0x200000 4K x2 RW\n"
		       "        0x5000-0x8fff -> 0x204000 4K x4 RW\n"
		       "        0x9000-0x9fff -> 0x20a000 4K RW\n"
		       "        0xa000-0xafff -> 0x20b000 4K R\n"
		       "      0x200000-0x3fffff -> 0x400000 2M RW\n"
		       "    L1 table T4: 0x40000000-0x7fffffff\n"
		       "      L0 table T5: 0x40000000-0x401fffff\n");
	free(s);
	free(raw);
	iommu_ctx_destroy(ctx);
}

Test(dump, virtio_tree_of_known_mappings)
{
	struct iommu_ctx *ctx = dump_ctx(dump_ini_virtio);
	struct iommu_domain *d = known_domain(ctx);
	char *s = dump_domain(d, IOMMU_DUMP_TEXT);

	expect_text(s, "virtio domain UNMANAGED, aperture 0x0-0xffffffffffff, "
		       "pages 4K 2M 1G\n"
		       "0x1000-0x8fff -> 0x200000 4K x8 RW\n"
		       "0x9000-0x9fff -> 0x20a000 4K RW\n"
		       "0xa000-0xafff -> 0x20b000 4K R\n"
		       "0x200000-0x3fffff -> 0x400000 2M RW\n"
		       "0x40000000-0x40000fff -> 0x300000 4K R\n");
	free(s);
	iommu_ctx_destroy(ctx);
}

Test(dump, virtio_dot_of_known_mappings)
{
	struct iommu_ctx *ctx = dump_ctx(dump_ini_virtio);
	struct iommu_domain *d = known_domain(ctx);
	char *s = dump_domain(d, IOMMU_DUMP_DOT);

	expect_text(
	    s, "digraph domain {\n"
	       "\trankdir=LR;\n"
	       "\tlabelloc=t;\n"
	       "\tnode [shape=box, style=filled, fontname=\"monospace\", "
	       "fontsize=10];\n"
	       "\tlabel=\"virtio domain UNMANAGED, aperture "
	       "0x0-0xffffffffffff, pages 4K 2M 1G\";\n"
	       "\tn0 [label=\"0x1000-0x8fff\\n-> 0x200000\\n4K x8 RW\", "
	       "fillcolor=\"#e2f0d9\"];\n"
	       "\tn1 [label=\"0x9000-0x9fff\\n-> 0x20a000\\n4K RW\", "
	       "fillcolor=\"#e2f0d9\"];\n"
	       "\tn2 [label=\"0xa000-0xafff\\n-> 0x20b000\\n4K R\", "
	       "fillcolor=\"#e2f0d9\"];\n"
	       "\tn3 [label=\"0x200000-0x3fffff\\n-> 0x400000\\n2M RW\", "
	       "fillcolor=\"#e2f0d9\"];\n"
	       "\tn4 [label=\"0x40000000-0x40000fff\\n-> 0x300000\\n4K R\", "
	       "fillcolor=\"#e2f0d9\"];\n"
	       "}\n");
	free(s);
	iommu_ctx_destroy(ctx);
}

Test(dump, empty_and_static_domains)
{
	struct iommu_ctx *ctx = dump_ctx(dump_ini_virtio);
	struct iommu_domain *d = NULL, *blocked = NULL, *ident = NULL;
	char *s;

	cr_assert_eq(iommu_domain_alloc(ctx, IOMMU_DOMAIN_UNMANAGED, &d), 0);
	s = dump_domain(d, IOMMU_DUMP_TEXT);
	expect_text(s, "virtio domain UNMANAGED, aperture "
		       "0x0-0xffffffffffff, pages 4K 2M 1G\n"
		       "(nothing mapped)\n");
	free(s);
	cr_assert_eq(iommu_domain_alloc(ctx, IOMMU_DOMAIN_BLOCKED, &blocked),
		     0);
	s = dump_domain(blocked, IOMMU_DUMP_TEXT);
	expect_text(s, "virtio domain BLOCKED: every DMA faults\n");
	free(s);
	cr_assert_eq(iommu_domain_alloc(ctx, IOMMU_DOMAIN_IDENTITY, &ident), 0);
	s = dump_domain(ident, IOMMU_DUMP_TEXT);
	expect_text(s, "virtio domain IDENTITY: IOVA = physical address\n");
	free(s);
	s = dump_domain(ident, IOMMU_DUMP_DOT);
	cr_assert_not_null(strstr(s, "digraph domain {\n"));
	cr_assert_not_null(strstr(s, "IDENTITY: IOVA = physical address"));
	free(s);
	iommu_ctx_destroy(ctx);
}

/* The scene of the topology tests: the nic claimed for the VMM on an
 * UNMANAGED domain, a second one as accel's aux domain. */
static struct iommu_ctx *topo_scene(void)
{
	struct iommu_ctx *ctx = dump_ctx(dump_ini_vtd);
	struct iommu_domain *vm = NULL, *sub = NULL;
	static int owner;
	uint32_t nic, accel, g;

	cr_assert_eq(iommu_dev_lookup(ctx, "nic", &nic), 0);
	cr_assert_eq(iommu_dev_lookup(ctx, "accel", &accel), 0);
	cr_assert_eq(iommu_dev_group(ctx, nic, &g), 0);
	cr_assert_eq(iommu_group_claim_dma_owner(ctx, g, &owner), 0);
	cr_assert_eq(iommu_domain_alloc(ctx, IOMMU_DOMAIN_UNMANAGED, &vm), 0);
	cr_assert_eq(iommu_attach_group(vm, g), 0);
	cr_assert_eq(iommu_domain_alloc(ctx, IOMMU_DOMAIN_UNMANAGED, &sub), 0);
	cr_assert_eq(iommu_dev_enable_feature(ctx, accel, IOMMU_DEV_FEAT_AUX),
		     0);
	cr_assert_eq(iommu_aux_attach_device(sub, accel), 0);
	return ctx;
}

Test(dump, topology_text)
{
	struct iommu_ctx *ctx = topo_scene();
	char *s = dump_topology(ctx, IOMMU_DUMP_TEXT);

	expect_text(s, "vtd: 4 devices, 3 groups, 7 domains\n"
		       "domain 0: BLOCKED, static\n"
		       "domain 1: IDENTITY, static\n"
		       "domain 2: DMA, default of group 1\n"
		       "domain 3: DMA, default of group 2\n"
		       "domain 4: DMA, default of group 3\n"
		       "domain 5: UNMANAGED\n"
		       "domain 6: UNMANAGED, aux PASID 1\n"
		       "group 1: domain 2\n"
		       "  device 00:01.0 \"accel\"\n"
		       "  device 00:01.0 PASID 1 (aux): domain 6\n"
		       "group 2 (DMA owner claimed): domain 5\n"
		       "  device 00:02.0 \"nic\"\n"
		       "group 3 bridge1: domain 4\n"
		       "  device 01:00.0 \"gpu\"\n"
		       "  device 01:00.1 \"gpu_audio\"\n");
	free(s);
	iommu_ctx_destroy(ctx);
}

Test(dump, topology_dot)
{
	struct iommu_ctx *ctx = topo_scene();
	char *s = dump_topology(ctx, IOMMU_DUMP_DOT);
	static const char *const want[] = {
	    "digraph topology {\n",
	    "\tlabel=\"vtd: 4 devices, 3 groups, 7 domains\";\n",
	    "\tdom2 [shape=ellipse, fillcolor=\"#e2f0d9\", "
	    "label=\"domain 2\\nDMA\\ndefault of group 1\"];\n",
	    "\tdom6 [shape=ellipse, fillcolor=\"#e2f0d9\", "
	    "label=\"domain 6\\nUNMANAGED\\naux PASID 1\"];\n",
	    "\tsubgraph cluster_g2 {\n"
	    "\t\tlabel=\"group 2 (DMA owner claimed)\";\n"
	    "\t\tstyle=rounded;\n"
	    "\t\tdev16 [shape=box, fillcolor=\"#dce6f2\", "
	    "label=\"00:02.0\\nnic\"];\n"
	    "\t}\n"
	    "\tdev16 -> dom5 [label=\"primary\"];\n",
	    "\tdev8 -> dom2 [label=\"primary\"];\n",
	    "\tdev8 -> dom6 [style=dashed, label=\"PASID 1 (aux)\"];\n",
	    "\t\tlabel=\"group 3 bridge1\";\n",
	    "\tdev256 -> dom4 [label=\"primary\"];\n"
	    "\tdev257 -> dom4 [label=\"primary\"];\n",
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_expect_not_null(strstr(s, want[i]), "no\n%s\nin\n%s",
				   want[i], s);
	cr_assert_eq(strcmp(s + strlen(s) - 2, "}\n"), 0);
	free(s);
	iommu_ctx_destroy(ctx);
}

Test(dump, bad_input)
{
	struct iommu_ctx *ctx = dump_ctx(dump_ini_virtio);
	struct iommu_domain *d = NULL;
	FILE *f = fopen("/dev/null", "w");

	cr_assert_not_null(f);
	cr_assert_eq(iommu_domain_alloc(ctx, IOMMU_DOMAIN_UNMANAGED, &d), 0);
	cr_expect_eq(iommu_dump_domain(NULL, IOMMU_DUMP_TEXT, f), -EINVAL);
	cr_expect_eq(iommu_dump_domain((struct iommu_domain *)(uintptr_t)0x1235,
				       IOMMU_DUMP_TEXT, f),
		     -EINVAL);
	cr_expect_eq(iommu_dump_domain(d, IOMMU_DUMP_TEXT, NULL), -EINVAL);
	cr_expect_eq(iommu_dump_domain(d, 0, f), -EINVAL);
	cr_expect_eq(iommu_dump_domain(d, (enum iommu_dump_format)3, f),
		     -EINVAL);
	cr_expect_eq(iommu_dump_topology(NULL, IOMMU_DUMP_DOT, f), -EINVAL);
	cr_expect_eq(iommu_dump_topology(ctx, IOMMU_DUMP_DOT, NULL), -EINVAL);
	cr_expect_eq(iommu_dump_topology(ctx, 0, f), -EINVAL);
	cr_expect_eq(iommu_dump_model(NULL, IOMMU_DUMP_TEXT, f), -EINVAL);
	cr_expect_eq(iommu_dump_model(ctx, IOMMU_DUMP_TEXT, NULL), -EINVAL);
	cr_expect_eq(iommu_dump_model(ctx, (enum iommu_dump_format)7, f),
		     -EINVAL);
	cr_expect_eq(iommu_dump_model(ctx, IOMMU_DUMP_DOT, f), -EOPNOTSUPP);
	/* A freed domain's handle is stale. */
	cr_assert_eq(iommu_domain_free(d), 0);
	cr_expect_eq(iommu_dump_domain(d, IOMMU_DUMP_TEXT, f), -EINVAL);
	fclose(f);
	iommu_ctx_destroy(ctx);
}

/* A full FILE is -EIO, not a short picture passed off as whole. */
Test(dump, write_error_is_eio)
{
	struct iommu_ctx *ctx = dump_ctx(dump_ini_vtd);
	FILE *f = fopen("/dev/full", "w");

	cr_assert_not_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	cr_expect_eq(iommu_dump_topology(ctx, IOMMU_DUMP_TEXT, f), -EIO);
	fclose(f);
	iommu_ctx_destroy(ctx);
}

/* A plugin built against ABI 2.0's tables has neither the walk nor the
 * model dump: both say so instead of guessing. */
Test(dump, plugin_without_the_ops_is_eopnotsupp)
{
	struct iommu_ctx *ctx;
	struct iommu_domain *d = NULL;
	FILE *f;

	/* Else the loader would find the plugin of the build instead. */
	cr_assert_eq(access(ABI20_DIR "/iommu-vtd.so", R_OK), 0,
		     "the build did not make the ABI 2.0 plugin");
	ctx = dump_ctx("[iommu]\nbackend = vtd\ndefault_domain = dma\n"
		       "invalidation = strict\nplugin_dir = " ABI20_DIR
		       "\n" PLATFORM "[device.nic]\nid = 00:03.0\n");
	f = fopen("/dev/null", "w");

	cr_assert_not_null(f);
	cr_assert_eq(iommu_domain_alloc(ctx, IOMMU_DOMAIN_UNMANAGED, &d), 0);
	cr_assert_eq(iommu_map(d, 0x1000, 0x1000, 0x1000, IOMMU_READ), 0);
	cr_expect_eq(iommu_dump_domain(d, IOMMU_DUMP_TEXT, f), -EOPNOTSUPP);
	cr_expect_eq(iommu_dump_model(ctx, IOMMU_DUMP_TEXT, f), -EOPNOTSUPP);
	/* The topology is the core's own: it works with any plugin. */
	cr_expect_eq(iommu_dump_topology(ctx, IOMMU_DUMP_TEXT, f), 0);
	fclose(f);
	iommu_ctx_destroy(ctx);
}

/* Lines of the known mapping every backend shows the same way (a table's
 * leaves are one level down on each, so the indentation differs). */
static void expect_known_leaves(const char *s)
{
	static const char *const want[] = {
	    "0x1000-0x8fff -> 0x200000 4K x8 RW\n",
	    "0x9000-0x9fff -> 0x20a000 4K RW\n",
	    "0xa000-0xafff -> 0x20b000 4K R\n",
	    "0x200000-0x3fffff -> 0x400000 2M RW\n",
	    "0x40000000-0x40000fff -> 0x300000 4K R\n",
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_expect_not_null(strstr(s, want[i]), "no \"%s\" in\n%s",
				   want[i], s);
}

struct iommu_ctx *dump_conf_ctx(const char *name)
{
	char path[512], err[512] = "";
	struct iommu_ctx_opts opts = {
	    .ini_path = path,
	    .log_level = IOMMU_LOG_ERR,
	    .errbuf = err,
	    .errbuf_len = sizeof(err),
	};
	struct iommu_ctx *ctx = NULL;
	int ret;

	snprintf(path, sizeof(path), "%s/conf/%s.ini", IOMMU_SRC_ROOT, name);
	ret = iommu_ctx_create(&opts, &ctx);
	cr_assert_eq(ret, 0, "%s: %d %s", path, ret, err);
	return ctx;
}

/* The walk helper on Arm stage-1 tables (4K granule) and AMD v1 tables:
 * the same leaves with the same rights, under an L0 table each. */
Test(dump, smmuv3_and_amdvi_tables)
{
	static const char *const names[] = {"smmuv3", "amdvi"};

	for (size_t i = 0; i < 2; i++) {
		struct iommu_ctx *ctx = dump_conf_ctx(names[i]);
		struct iommu_domain *d = known_domain(ctx);
		char *s = dump_domain(d, IOMMU_DUMP_TEXT);

		cr_expect_eq(strncmp(s, names[i], strlen(names[i])), 0);
		cr_expect_not_null(strstr(s, "L0 table 0x"), "%s", s);
		cr_expect_not_null(strstr(s, "L1 table 0x"), "%s", s);
		expect_known_leaves(s);
		free(s);
		iommu_ctx_destroy(ctx);
	}
}

/* A run of leaves with contiguous IOVA and PA is one line only inside one
 * table: across a 2M boundary VT-d has two L0 tables, virtio (no tables)
 * one line. */
Test(dump, runs_do_not_cross_tables)
{
	struct iommu_ctx *vtd = dump_ctx(dump_ini_vtd);
	struct iommu_ctx *vio = dump_ctx(dump_ini_virtio);
	struct iommu_domain *a = NULL, *b = NULL;
	char *raw, *s;

	cr_assert_eq(iommu_domain_alloc(vtd, IOMMU_DOMAIN_UNMANAGED, &a), 0);
	cr_assert_eq(iommu_domain_alloc(vio, IOMMU_DOMAIN_UNMANAGED, &b), 0);
	/* 4K-aligned PA: the whole range is 4K pages. */
	cr_assert_eq(
	    iommu_map(a, 0x5fe000, 0x701000, 0x4000, IOMMU_READ | IOMMU_WRITE),
	    0);
	cr_assert_eq(
	    iommu_map(b, 0x5fe000, 0x701000, 0x4000, IOMMU_READ | IOMMU_WRITE),
	    0);
	raw = dump_domain(a, IOMMU_DUMP_TEXT);
	s = dump_name_tables(raw, 0x3000000, 4u << 20);
	expect_text(s, "vtd domain UNMANAGED, aperture 0x0-0xffffffffffff, "
		       "pages 4K 2M 1G\n"
		       "L3 table T0: 0x0-0xffffffffffff\n"
		       "  L2 table T1: 0x0-0x7fffffffff\n"
		       "    L1 table T2: 0x0-0x3fffffff\n"
		       "      L0 table T3: 0x400000-0x5fffff\n"
		       "        0x5fe000-0x5fffff -> 0x701000 4K x2 RW\n"
		       "      L0 table T4: 0x600000-0x7fffff\n"
		       "        0x600000-0x601fff -> 0x703000 4K x2 RW\n");
	free(s);
	free(raw);
	s = dump_domain(b, IOMMU_DUMP_TEXT);
	cr_expect_not_null(strstr(s, "\n0x5fe000-0x601fff -> 0x701000 4K x4 "
				     "RW\n"),
			   "%s", s);
	free(s);
	iommu_ctx_destroy(vtd);
	iommu_ctx_destroy(vio);
}
