// SPDX-License-Identifier: MIT
/*
 * iommu-dump.c - pictures of an IOMMU: a domain's page table, the
 * context's topology, the device model's registers.
 *
 *   iommu-dump [--tree|--dot] [--what tables|topology|model] INI
 *
 * Creates a context on INI, plays a small fixed scenario so that there
 * is something to show, and prints the view asked for (iommu.h, "Dump"):
 *
 *  - the first device of a group of one is claimed for the VMM and put on
 *    an UNMANAGED domain, which maps a contiguous run of eight 4 KiB
 *    pages, a large page (2 MiB, or the next size the backend has) and a
 *    read-only page: "tables" shows that domain;
 *  - that device reads through the run once (so the model's caches hold
 *    something), and another device maps a buffer through the library's
 *    DMA API on its default DMA domain;
 *  - where the backend has PASIDs, a device with AUX gets a second
 *    UNMANAGED domain as its auxiliary domain, else one with a PASID
 *    width gets it at PASID 1 (the VMM's own PASID).
 *
 * A step the backend cannot do is said on stderr and skipped; the view is
 * printed on stdout.  `dot -Tsvg` turns the --dot output into a picture.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iommu/iommu.h"

#define MAX_DEVS 64

struct scene {
	struct iommu_ctx *ctx;
	struct iommu_domain *vm;  /* the VMM's UNMANAGED domain */
	struct iommu_domain *sub; /* the one attached through a PASID */
	uint32_t ids[MAX_DEVS];
	size_t nr;
	int owner; /* the DMA-owner cookie */
};

static void usage(FILE *f, const char *argv0)
{
	fprintf(f,
		"usage: %s [--tree|--dot] [--what tables|topology|model] INI\n"
		"  --tree  indented text (the default)\n"
		"  --dot   Graphviz dot (tables and topology): pipe it to "
		"`dot -Tsvg`\n"
		"  --what  tables: the VMM domain's page table (default)\n"
		"          topology: devices, groups, domains, PASIDs\n"
		"          model: the device model's registers, queues, "
		"caches\n",
		argv0);
}

static void note(const char *what, int rc)
{
	fprintf(stderr, "iommu-dump: %s: %s (skipped)\n", what, strerror(-rc));
}

/* The largest page of @bm from 2 MiB up, else the smallest above 4K. */
static uint64_t large_page(uint64_t bm)
{
	if (bm & (1ull << 21))
		return 1ull << 21;
	bm &= ~((1ull << 13) - 1);
	return bm ? bm & -bm : 0;
}

static size_t group_size(struct scene *s, uint32_t id)
{
	uint32_t g;
	size_t n = 0;

	if (iommu_dev_group(s->ctx, id, &g) ||
	    iommu_group_devices(s->ctx, g, NULL, 0, &n))
		return 0;
	return n;
}

/* The VMM's domain on a claimed device: a run, a large page, a RO page. */
static void scene_vm(struct scene *s, uint32_t dev)
{
	uint64_t big;
	uint32_t g;
	int rc;

	rc = iommu_domain_alloc(s->ctx, IOMMU_DOMAIN_UNMANAGED, &s->vm);
	if (rc) {
		note("UNMANAGED domain", rc);
		s->vm = NULL;
		return;
	}
	rc = iommu_dev_group(s->ctx, dev, &g);
	if (!rc)
		rc = iommu_group_claim_dma_owner(s->ctx, g, &s->owner);
	if (!rc)
		rc = iommu_attach_group(s->vm, g);
	if (rc)
		note("attach the VMM domain", rc);
	rc = iommu_map(s->vm, 0x1000, 0x200000, 0x8000,
		       IOMMU_READ | IOMMU_WRITE);
	if (rc)
		note("map a run of 4K pages", rc);
	big = large_page(iommu_domain_pgsize_bitmap(s->vm));
	rc = big ? iommu_map(s->vm, 4 * big, 2 * big, big,
			     IOMMU_READ | IOMMU_WRITE)
		 : -EOPNOTSUPP;
	if (rc)
		note("map a large page", rc);
	rc = iommu_map(s->vm, 0x40000000, 0x300000, 0x1000, IOMMU_READ);
	if (rc)
		note("map a read-only page", rc);
}

/* A second domain through a PASID: aux where a device has AUX, else the
 * VMM's PASID 1 on a device with a PASID width. */
static void scene_pasid(struct scene *s, uint32_t skip)
{
	int rc = -EOPNOTSUPP;

	if (iommu_domain_alloc(s->ctx, IOMMU_DOMAIN_UNMANAGED, &s->sub)) {
		s->sub = NULL;
		return;
	}
	rc = iommu_map(s->sub, 0, 0x800000, 0x4000, IOMMU_READ | IOMMU_WRITE);
	if (rc)
		note("map the PASID domain", rc);
	rc = -EOPNOTSUPP;
	for (size_t i = 0; i < s->nr && rc; i++) {
		if (s->ids[i] == skip ||
		    !iommu_dev_has_feature(s->ctx, s->ids[i],
					   IOMMU_DEV_FEAT_AUX))
			continue;
		rc = iommu_dev_enable_feature(s->ctx, s->ids[i],
					      IOMMU_DEV_FEAT_AUX);
		if (!rc)
			rc = iommu_aux_attach_device(s->sub, s->ids[i]);
	}
	for (size_t i = 0; i < s->nr && rc; i++)
		if (s->ids[i] != skip)
			rc = iommu_attach_device_pasid(s->sub, s->ids[i], 1);
	if (rc)
		note("PASID attachment", rc);
}

static void scene_play(struct scene *s)
{
	uint32_t vm_dev = UINT32_MAX;
	uint64_t iova;
	int rc;

	rc = iommu_dev_list(s->ctx, s->ids, MAX_DEVS, &s->nr);
	if (rc || !s->nr) {
		note("no devices", rc ? rc : -ENODEV);
		s->nr = 0;
		return;
	}
	if (s->nr > MAX_DEVS)
		s->nr = MAX_DEVS;
	/* The VMM takes the first device that has a group of its own and
	 * no AUX (the one with AUX serves the PASID). */
	for (int pass = 0; pass < 2 && vm_dev == UINT32_MAX; pass++)
		for (size_t i = 0; i < s->nr && vm_dev == UINT32_MAX; i++)
			if (group_size(s, s->ids[i]) == 1 &&
			    (pass ||
			     !iommu_dev_has_feature(s->ctx, s->ids[i],
						    IOMMU_DEV_FEAT_AUX)))
				vm_dev = s->ids[i];
	if (vm_dev != UINT32_MAX) {
		uint8_t buf[64];

		scene_vm(s, vm_dev);
		/* One DMA, so that the model's caches hold something. */
		rc = iommu_dma_read(s->ctx, vm_dev, IOMMU_NO_PASID, 0x1000, buf,
				    sizeof(buf));
		if (rc)
			note("DMA through the VMM domain", rc);
	}
	for (size_t i = 0; i < s->nr; i++) {
		if (s->ids[i] == vm_dev)
			continue;
		rc = iommu_dma_map(s->ctx, s->ids[i], 0x600000, 0x4000,
				   IOMMU_READ | IOMMU_WRITE, &iova);
		if (rc)
			note("DMA-API map", rc);
		break;
	}
	scene_pasid(s, vm_dev);
}

/*
 * The library's messages on stderr.  Errors while the context is created
 * are held back: the one the library also puts in errbuf is printed once,
 * by main(), and the others (a driver's or model's own reason) after it
 * is known which one that is.
 */
#define HELD_MAX 16

struct dump_logs {
	bool creating;
	unsigned int nheld;
	char *held[HELD_MAX];
};

static const char *level_name(enum iommu_log_level level)
{
	static const char *const names[] = { "error", "warning", "info",
					     "debug" };

	return (unsigned int)level < 4 ? names[level] : "log";
}

static void dump_log(void *cookie, enum iommu_log_level level, const char *msg)
{
	struct dump_logs *l = cookie;

	if (l->creating && level == IOMMU_LOG_ERR && l->nheld < HELD_MAX) {
		char *copy = strdup(msg);

		if (copy) {
			l->held[l->nheld++] = copy;
			return;
		}
	}
	fprintf(stderr, "iommu: %s: %s\n", level_name(level), msg);
}

/* Print the held errors but @skip (NULL: all), and free them. */
static void dump_logs_release(struct dump_logs *l, const char *skip)
{
	for (unsigned int i = 0; i < l->nheld; i++) {
		if (!skip || strcmp(l->held[i], skip))
			fprintf(stderr, "iommu: %s: %s\n",
				level_name(IOMMU_LOG_ERR), l->held[i]);
		free(l->held[i]);
	}
	l->nheld = 0;
	l->creating = false;
}

int main(int argc, char **argv)
{
	static struct dump_logs logs = { .creating = true };
	enum iommu_dump_format fmt = IOMMU_DUMP_TEXT;
	const char *what = "tables", *ini = NULL;
	struct iommu_ctx_opts opts = {0};
	struct scene s = {0};
	char errbuf[512] = "";
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dot")) {
			fmt = IOMMU_DUMP_DOT;
		} else if (!strcmp(argv[i], "--tree")) {
			fmt = IOMMU_DUMP_TEXT;
		} else if (!strcmp(argv[i], "--what") && i + 1 < argc) {
			what = argv[++i];
		} else if (!strncmp(argv[i], "--what=", 7)) {
			what = argv[i] + 7;
		} else if (!strcmp(argv[i], "-h") ||
			   !strcmp(argv[i], "--help")) {
			usage(stdout, argv[0]);
			return 0;
		} else if (argv[i][0] == '-' || ini) {
			usage(stderr, argv[0]);
			return 2;
		} else {
			ini = argv[i];
		}
	}
	if (!ini || (strcmp(what, "tables") && strcmp(what, "topology") &&
		     strcmp(what, "model"))) {
		usage(stderr, argv[0]);
		return 2;
	}
	if (fmt == IOMMU_DUMP_DOT && !strcmp(what, "model")) {
		fprintf(stderr, "iommu-dump: the model's registers are text: "
				"use --tree\n");
		return 2;
	}
	opts.ini_path = ini;
	opts.log = dump_log;
	opts.log_cookie = &logs;
	opts.log_level = IOMMU_LOG_WARN;
	opts.errbuf = errbuf;
	opts.errbuf_len = sizeof(errbuf);
	rc = iommu_ctx_create(&opts, &s.ctx);
	dump_logs_release(&logs, rc ? errbuf : NULL);
	if (rc) {
		/* The message names the file (and line and key) itself. */
		if (errbuf[0])
			fprintf(stderr, "iommu-dump: %s (%s)\n", errbuf,
				strerror(-rc));
		else
			fprintf(stderr,
				"iommu-dump: %s: cannot create the context "
				"(%s)\n",
				ini, strerror(-rc));
		return 2;
	}
	scene_play(&s);
	if (!strcmp(what, "tables"))
		rc = s.vm ? iommu_dump_domain(s.vm, fmt, stdout) : -ENODEV;
	else if (!strcmp(what, "topology"))
		rc = iommu_dump_topology(s.ctx, fmt, stdout);
	else
		rc = iommu_dump_model(s.ctx, fmt, stdout);
	if (rc)
		fprintf(stderr, "iommu-dump: %s: %s\n", what, strerror(-rc));
	iommu_ctx_destroy(s.ctx);
	return rc ? 1 : 0;
}
