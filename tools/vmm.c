// SPDX-License-Identifier: MIT
/*
 * vmm.c - iommu-vmm, the main job: a program that plays an embedding VMM.
 *
 * It creates a context from an INI file (default conf/default.ini), lists
 * the platform's devices (with their INI names) and groups through the
 * library's listing calls, then runs the scenarios a VMM meets
 * and prints one line per step, "OK" or "FAIL: why":
 *
 *  (a) seed 001: a parent device with work queues.  WQ1 serves the host
 *      driver through the parent's primary (DMA) domain; WQ2 and WQ3 serve
 *      VM1 and VM2 through auxiliary domains (PASIDs).  VM1's domain is
 *      also the primary domain of a physical device assigned to VM1, so the
 *      two share one GPA space.  On a backend without AUX the program says
 *      so, checks that aux attach fails cleanly and runs the rest.
 *  (b) a device assigned to a VM: DMA-owner claim, blocked until an
 *      UNMANAGED domain maps GPA to HPA, unmap makes DMA fault, release
 *      returns to the default domain.
 *  (c) a blocked device: its DMA faults and the fault is printed.
 *  (d) identity passthrough: DMA passes 1:1.
 *  (e) two devices that share a group move together.
 *
 * Exit status: 0 when every step gave the expected result, 1 when one did
 * not, 2 when the context could not be created.
 *
 * This file holds the arguments, the context, the platform listing, the
 * order of the scenarios and the statistics; vmm.h says where the rest is.
 */
#include <unistd.h>

#include "vmm.h"

#define MAX_DEVS 64

/* ---- The platform ---------------------------------------------------- */

/* One device's line: its INI name, ID, group, domain and features. */
static void list_device(struct vmm *v, uint32_t id)
{
	char name[IOMMU_DEV_NAME_MAX];
	struct iommu_domain *d;
	bool aux, sva, iopf;
	uint32_t g;

	if (iommu_dev_name(v->ctx, id, name, sizeof(name)) ||
	    iommu_dev_group(v->ctx, id, &g)) {
		printf("  %-12s (not found)\n", "?");
		return;
	}
	aux = iommu_dev_has_feature(v->ctx, id, IOMMU_DEV_FEAT_AUX);
	sva = iommu_dev_has_feature(v->ctx, id, IOMMU_DEV_FEAT_SVA);
	iopf = iommu_dev_has_feature(v->ctx, id, IOMMU_DEV_FEAT_IOPF);
	printf("  %-12s id %-6" PRIu32 " group %-3" PRIu32
	       " domain %-9s usable features%s%s%s%s\n",
	       name, id, g, type_name(dev_domain_type(v, id, &d)),
	       aux ? " aux" : "", sva ? " sva" : "", iopf ? " iopf" : "",
	       aux || sva || iopf ? "" : " none");
}

/* The devices with their INI names and the groups, as the library lists
 * them (the program never reads the INI itself). */
static void list_platform(struct vmm *v)
{
	uint32_t ids[MAX_DEVS], groups[MAX_DEVS];
	size_t nr_devs = 0, nr_groups = 0;
	int rc;

	printf("platform: backend %s, %s invalidation, default domain %s\n",
	       iommu_ctx_backend(v->ctx),
	       iommu_ctx_strict(v->ctx) ? "strict" : "deferred",
	       type_name(iommu_ctx_default_domain_type(v->ctx)));

	printf("devices:\n");
	rc = iommu_dev_list(v->ctx, ids, MAX_DEVS, &nr_devs);
	if (rc)
		printf("  (cannot list the devices: %s)\n", errname(rc));
	else if (nr_devs > MAX_DEVS)
		printf("  (%zu devices; the first %d follow)\n", nr_devs,
		       MAX_DEVS);
	for (size_t i = 0; !rc && i < nr_devs && i < MAX_DEVS; i++)
		list_device(v, ids[i]);

	printf("groups:\n");
	rc = iommu_group_list(v->ctx, groups, MAX_DEVS, &nr_groups);
	if (rc)
		printf("  (cannot list the groups: %s)\n", errname(rc));
	for (size_t k = 0; !rc && k < nr_groups && k < MAX_DEVS; k++) {
		uint32_t dev[MAX_DEVS];
		size_t n = 0;

		if (iommu_group_devices(v->ctx, groups[k], dev, MAX_DEVS, &n))
			continue;
		printf("  group %-3" PRIu32 ":", groups[k]);
		for (size_t j = 0; j < n && j < MAX_DEVS; j++)
			printf(" %" PRIu32, dev[j]);
		printf("\n");
	}
}

/* ---- main ------------------------------------------------------------ */

static void print_stats(struct vmm *v)
{
	struct iommu_stats st = { .size = sizeof(st) };
	int rc;

	v->tag = "stats";
	printf("\nstats:\n");
	rc = iommu_get_stats(v->ctx, &st);
	if (!expect_rc(v, rc, 0, "iommu_get_stats"))
		return;
	for (int i = 0; i < IOMMU_STAT_COUNT; i++) {
		const char *name = iommu_stat_name((enum iommu_stat)i);

		printf("  %-20s %" PRIu64 "\n", name ? name : "?", st.v[i]);
	}
	step(v, st.v[IOMMU_STAT_FAULTS_REPORTED] == v->faults_total,
	     "faults reported by the core (%" PRIu64 ") == faults our "
	     "handlers got (%" PRIu64 ")",
	     st.v[IOMMU_STAT_FAULTS_REPORTED], v->faults_total);
	step(v, st.v[IOMMU_STAT_FAULTS_LOST] == 0 && v->faults_lost == 0,
	     "no fault was lost");
}

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [-v] [INI]\n"
		"  Plays an embedding VMM on the platform the INI describes "
		"(default conf/default.ini).\n"
		"  -v  log the library's debug messages\n",
		argv0);
}

int main(int argc, char **argv)
{
	static struct vmm v;
	struct iommu_ctx_opts opts;
	char errbuf[512] = "";
	const char *ini = NULL;
	int rc;

	memset(&opts, 0, sizeof(opts));
	opts.log_level = IOMMU_LOG_WARN;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v")) {
			opts.log_level = IOMMU_LOG_DEBUG;
		} else if (!strcmp(argv[i], "-h") ||
			   !strcmp(argv[i], "--help")) {
			usage(argv[0]);
			return 0;
		} else if (argv[i][0] == '-' || ini) {
			usage(argv[0]);
			return 2;
		} else {
			ini = argv[i];
		}
	}
	if (!ini) {
		ini = "conf/default.ini";
#ifdef IOMMU_SRC_ROOT
		if (access(ini, R_OK))
			ini = IOMMU_SRC_ROOT "/conf/default.ini";
#endif
	}

	opts.ini_path = ini;
	opts.errbuf = errbuf;
	opts.errbuf_len = sizeof(errbuf);
	printf("iommu-vmm: platform %s\n", ini);
	rc = iommu_ctx_create(&opts, &v.ctx);
	if (rc) {
		fprintf(stderr,
			"iommu-vmm: cannot create the context: %s "
			"(%s)\n",
			errbuf[0] ? errbuf : "no message", errname(rc));
		return 2;
	}
	rc = iommu_set_ctx_fault_handler(v.ctx, on_ctx_fault, &v);
	if (rc)
		fprintf(stderr, "iommu-vmm: context fault handler: %s\n",
			errname(rc));
	rc = iommu_set_fault_lost_handler(v.ctx, on_faults_lost, &v);
	if (rc)
		fprintf(stderr, "iommu-vmm: lost-fault handler: %s\n",
			errname(rc));

	list_platform(&v);
	scenario_seed(&v);
	scenario_assign(&v);
	scenario_blocked(&v);
	scenario_identity(&v);
	scenario_group(&v);
	print_stats(&v);
	iommu_ctx_destroy(v.ctx);

	printf("\niommu-vmm: %u steps OK, %u FAILED, %u scenario(s) "
	       "skipped\n",
	       v.ok, v.failed, v.skipped);
	return v.failed ? 1 : 0;
}
