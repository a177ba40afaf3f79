// SPDX-License-Identifier: MIT
/*
 * configs.c - the one table of backend configurations the suite runs on.
 *
 * Adding a backend (or a variant of one) is adding one entry to
 * conf_table[].  An entry is the [iommu] choices plus the text of the
 * backend's own INI section; the platform part (memory and devices) is
 * the same for every entry, so every test finds the same devices.
 *
 * The runner (main.c) can replace the table: --plugin PATH runs the
 * entries of that backend against PATH (or, for a backend the table does
 * not know, one entry per [iommu] variant without a backend section), and
 * --ini FILE runs FILE as the only configuration.  It tells the parameter
 * generator through environment variables, read here in the parent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

/**
 * struct conf_entry - a configuration of the table
 * @backend: [iommu] backend
 * @suffix: appended to @backend to name the configuration
 * @default_domain: [iommu] default_domain
 * @invalidation: [iommu] invalidation
 * @section: body of the [@backend] section ("" for none)
 * @flags: CONF_F_*
 */
struct conf_entry {
	const char *backend;
	const char *suffix;
	const char *default_domain;
	const char *invalidation;
	const char *section;
	unsigned int flags;
};

/*
 * virtio: 4K, 2M and 1G pages; a 48-bit input range so that -ERANGE is
 * reachable (the ident entry keeps the whole 64-bit space to check the
 * overflow rule instead); the first entry moves the MSI window low, into
 * the path of a bottom-up IOVA allocator; an endpoint on no domain is
 * blocked from reset (boot_bypass = no) so that a context without driver
 * faults every DMA.  A domain exists in the device only while an
 * endpoint is attached to it (CONF_F_EMPTY_DOMAIN_WINDOW).
 */
static const struct conf_entry conf_table[] = {
    {"virtio", "", "dma", "strict",
     "page_size_mask = 0x40201000\n"
     "input_end = 0xffffffffffff\n"
     "msi_base = 0x200000\n"
     "msi_size = 1M\n"
     "boot_bypass = no\n",
     CONF_F_RESET_BLOCKS | CONF_F_EMPTY_DOMAIN_WINDOW},
    {"virtio", "-ident", "identity", "strict",
     "page_size_mask = 0x40201000\n"
     "boot_bypass = no\n",
     CONF_F_RESET_BLOCKS | CONF_F_EMPTY_DOMAIN_WINDOW},
    {"virtio", "-idmap", "identity", "strict",
     "page_size_mask = 0x1000\n"
     "input_end = 0xffffffffff\n"
     "identity_bypass = no\n"
     "boot_bypass = no\n",
     CONF_F_RESET_BLOCKS | CONF_F_EMPTY_DOMAIN_WINDOW},
    {"virtio", "-lazy", "dma", "deferred",
     "page_size_mask = 0x40201000\n"
     "input_end = 0xffffffffffff\n"
     "event_queue_size = 8\n"
     "boot_bypass = no\n",
     CONF_F_RESET_BLOCKS | CONF_F_EMPTY_DOMAIN_WINDOW},
    /*
     * vtd: legacy root/context tables with a 48-bit second stage;
     * scalable mode with a 48-bit second stage (aux through PASID
     * entries); scalable mode with 5-level first-stage tables (57 bits).
     */
    {"vtd", "-legacy", "dma", "strict",
     "translation = legacy\n"
     "aw = 48\n",
     0},
    {"vtd", "-sm-ss", "dma", "strict",
     "translation = scalable\n"
     "stage = second\n"
     "aw = 48\n",
     CONF_F_PASID},
    {"vtd", "-sm-lazy", "dma", "deferred",
     "translation = scalable\n"
     "stage = second\n"
     "aw = 48\n",
     CONF_F_PASID},
    {"vtd", "-sm-fs57", "dma", "strict",
     "translation = scalable\n"
     "stage = first\n"
     "aw = 57\n"
     "fl_5level = yes\n",
     CONF_F_WRITE_IMPLIES_READ | CONF_F_PASID},
    /*
     * amdvi: v1 host tables of 4 levels (48 bits) with every page size
     * the format allows (each power of two from 4K but 512G, through
     * NextLevel 7).  The unit passes DMA untranslated at reset
     * (IommuEn = 0), IR and IW are separate bits, and a DomainID needs
     * no device.
     */
    {"amdvi", "", "dma", "strict",
     "pgtable_mode = 4\n",
     0},
    /*
     * amdvi-v2: paging domains on v2 (x86-64) tables through each
     * device's GCR3 table, the primary one at PASID 0 with GIoV; 20-bit
     * PASIDs (a 3-level GCR3 table), so the aux and PASID paths run.  The
     * x86 format cannot express write-only.
     */
    {"amdvi", "-v2", "dma", "strict",
     "pgtable = v2\n"
     "pasid_bits = 20\n"
     "glx_max = 2\n",
     CONF_F_WRITE_IMPLIES_READ | CONF_F_PASID},
    /*
     * amdvi-grow: v1 domains start at mode 3 (39 bits) and grow their
     * top level on demand up to mode 6 (the whole 64-bit space), as
     * Linux does: a map above the width adds levels, rewrites the DTE of
     * every device on the domain and flushes it.
     */
    {"amdvi", "-grow", "dma", "strict",
     "host_levels = 6\n"
     "pgtable_mode = 3\n"
     "pgtable_mode_max = 6\n",
     0},
    /*
     * smmuv3: stage 1 with the 4K granule, 48-bit VAs and OAS, and a
     * linear Stream table (SIDSIZE 8: the driver goes linear, as Linux
     * does, though the SMMU could walk two levels).  LPAE cannot express
     * write-only; the SMMU at reset bypasses (GBPA).
     */
    {"smmuv3", "", "dma", "strict",
     "stage1 = yes\n"
     "stage2 = no\n"
     "hyp = no\n"
     "granule = 4k\n"
     "oas = 48\n"
     "sid_bits = 8\n"
     "stream_table_2level = yes\n",
     CONF_F_WRITE_IMPLIES_READ | CONF_F_PASID},
    /*
     * smmuv3-s2-16k: paging domains on stage 2 (VMIDs, STE.S2*) with the
     * 16K granule and a 48-bit IPA: two concatenated start tables at Arm
     * level 1 (sheet 4.4).  Stage-2 S2AP can express write-only.
     */
    {"smmuv3", "-s2-16k", "dma", "strict",
     "stage1 = yes\n"
     "stage2 = yes\n"
     "hyp = no\n"
     "granule = 16k\n"
     "oas = 48\n"
     "sid_bits = 8\n"
     "paging_stage = stage2\n",
     CONF_F_PAGE_16K},
    /*
     * smmuv3-52: stage 1, 4K granule, 52-bit output: IDR5.DS, so the
     * driver sets CD.DS and IPS 52 and its tables carry OA[51:48] in the
     * FEAT_LPA2 layout (sheet 4.11, TV6).
     */
    {"smmuv3", "-52", "dma", "strict",
     "stage1 = yes\n"
     "stage2 = yes\n"
     "hyp = no\n"
     "granule = 4k\n"
     "ds = yes\n"
     "oas = 52\n"
     "sid_bits = 8\n",
     CONF_F_WRITE_IMPLIES_READ | CONF_F_PASID},
    /*
     * smmuv3-64k: stage 1 with the 64K granule, a 2-level Stream table
     * (SIDSIZE 16), range invalidation, and substreams: 20-bit
     * SubstreamIDs in 2-level CD tables (64 KiB leaves of 1024 CDs), so
     * the aux and PASID positive paths run.
     */
    {"smmuv3", "-64k", "dma", "strict",
     "stage1 = yes\n"
     "stage2 = yes\n"
     "hyp = no\n"
     "granule = 64k\n"
     "oas = 48\n"
     "sid_bits = 16\n"
     "stream_table_2level = yes\n"
     "ssid_bits = 20\n"
     "cd_table_2level = yes\n"
     "range_invalidation = yes\n",
     CONF_F_WRITE_IMPLIES_READ | CONF_F_PAGE_64K | CONF_F_PASID},
};

#define CONF_TABLE_LEN (sizeof(conf_table) / sizeof(conf_table[0]))

/* The platform: RAM, the table range and the devices of conf.h. */
static const char conf_platform[] = "[memory]\n"
				    "ram_size = 256M\n"
				    "table_base = 0x8000000\n"
				    "table_size = 32M\n"
				    "[device.solo]\n"
				    "id = 0x08\n"
				    "[device.solo2]\n"
				    "id = 0x18\n"
				    "[device.pair0]\n"
				    "id = 0x10\n"
				    "group = pair\n"
				    "[device.pair1]\n"
				    "id = 0x11\n"
				    "group = pair\n"
				    "[device.auxdev]\n"
				    "id = 0x20\n"
				    "features = aux\n"
				    "pasid_bits = 20\n";

static void conf_build(struct conf_param *out, const struct conf_entry *e,
		       const char *backend, const char *plugin,
		       bool with_section)
{
	int n;

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s%s", backend, e->suffix);
	n = snprintf(out->ini, sizeof(out->ini),
		     "[iommu]\nbackend = %s\n%s%s%sdefault_domain = %s\n"
		     "invalidation = %s\n%s",
		     backend, plugin ? "plugin = " : "", plugin ? plugin : "",
		     plugin ? "\n" : "", e->default_domain, e->invalidation,
		     conf_platform);
	if (with_section && e->section[0] && n > 0 &&
	    (size_t)n < sizeof(out->ini))
		snprintf(out->ini + n, sizeof(out->ini) - n, "[%s]\n%s",
			 backend, e->section);
	out->flags = with_section ? e->flags : 0;
}

/* Backend name from a plugin file name "…/iommu-NAME.so". */
static void conf_backend_from_path(const char *path, char *name, size_t len)
{
	const char *base = strrchr(path, '/');
	const char *dot;

	base = base ? base + 1 : path;
	if (!strncmp(base, "iommu-", 6))
		base += 6;
	dot = strstr(base, ".so");
	snprintf(name, len, "%.*s", dot ? (int)(dot - base) : (int)strlen(base),
		 base);
}

/* Is @name one of the comma-separated names of @list? */
static bool conf_name_listed(const char *list, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = list; *p;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n == len && !strncmp(p, name, n))
			return true;
		p += n + (end ? 1 : 0);
	}
	return false;
}

/*
 * conf_fill() - the configurations to run, from the environment
 * @out: room for CONF_TABLE_LEN entries (or NULL to count)
 * Return: how many.
 */
static size_t conf_fill(struct conf_param *out)
{
	const char *ini = getenv(CONF_ENV_INI);
	const char *plugin = getenv(CONF_ENV_PLUGIN);
	const char *bname = getenv(CONF_ENV_BACKEND);
	char backend[CONF_NAME_MAX];
	size_t n = 0, i, j;

	if (ini && *ini) {
		if (out) {
			const char *base = strrchr(ini, '/');
			const char *dot;

			base = base ? base + 1 : ini;
			dot = strrchr(base, '.');
			memset(out, 0, sizeof(*out));
			snprintf(out->name, sizeof(out->name), "%.*s",
				 dot ? (int)(dot - base) : (int)strlen(base),
				 base);
			snprintf(out->ini_path, sizeof(out->ini_path), "%s",
				 ini);
		}
		return 1;
	}
	if (!plugin || !*plugin) {
		const char *only = getenv(CONF_ENV_ONLY);

		for (i = 0; i < CONF_TABLE_LEN; i++) {
			struct conf_param tmp;

			conf_build(&tmp, &conf_table[i], conf_table[i].backend,
				   NULL, true);
			if (only && *only && !conf_name_listed(only, tmp.name))
				continue;
			if (out)
				out[n] = tmp;
			n++;
		}
		return n;
	}
	if (bname && *bname)
		snprintf(backend, sizeof(backend), "%s", bname);
	else
		conf_backend_from_path(plugin, backend, sizeof(backend));
	for (i = 0; i < CONF_TABLE_LEN; i++) {
		if (strcmp(conf_table[i].backend, backend))
			continue;
		if (out)
			conf_build(&out[n], &conf_table[i], backend, plugin,
				   true);
		n++;
	}
	if (n)
		return n;
	/* A backend the table does not know: each [iommu] variant
	 * (default domain, invalidation) once, with the backend's defaults
	 * (no backend section). */
	for (i = 0; i < CONF_TABLE_LEN; i++) {
		bool seen = false;

		for (j = 0; j < i; j++)
			if (!strcmp(conf_table[j].default_domain,
				    conf_table[i].default_domain) &&
			    !strcmp(conf_table[j].invalidation,
				    conf_table[i].invalidation))
				seen = true;
		if (seen)
			continue;
		if (out)
			conf_build(&out[n], &conf_table[i], backend, plugin,
				   false);
		n++;
	}
	return n;
}

static void conf_params_free(struct criterion_test_params *crp)
{
	cr_free(crp->params);
}

struct criterion_test_params conf_params(void)
{
	size_t n = conf_fill(NULL);
	struct conf_param *a = cr_malloc(n * sizeof(*a));

	if (!a) {
		fprintf(stderr, "conformance: out of parameter memory\n");
		abort();
	}
	conf_fill(a);
	return cr_make_param_array(struct conf_param, a, n, conf_params_free);
}

/* For the runner's --list-configs. */
void conf_print(FILE *f)
{
	size_t n = conf_fill(NULL), i;
	struct conf_param *a = calloc(n, sizeof(*a));

	if (!a)
		return;
	conf_fill(a);
	for (i = 0; i < n; i++) {
		fprintf(f, "# configuration %s\n", a[i].name);
		if (a[i].ini_path[0])
			fprintf(f, "# (file %s)\n\n", a[i].ini_path);
		else
			fprintf(f, "%s\n", a[i].ini);
	}
	free(a);
}
