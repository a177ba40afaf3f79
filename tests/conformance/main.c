// SPDX-License-Identifier: MIT
/*
 * main.c - the conformance runner.
 *
 * Besides Criterion's own options (--tap, --xml, --filter, -j, ...) it
 * takes:
 *   --plugin PATH    run every test against the plugin at PATH
 *   --backend NAME   the plugin's backend name (default: from iommu-NAME.so)
 *   --ini FILE       run against FILE as the only configuration
 *   --config NAMES   run only the table's configurations named (comma list)
 *   --list-configs   print the INI of every configuration and exit
 * The choice travels to the parameter generators (configs.c) in
 * environment variables; test workers inherit them.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

void conf_print(FILE *f);

static void usage_extra(const char *prog)
{
	printf("IOMMU conformance suite\n"
	       "usage: %s [--plugin PATH [--backend NAME] | --ini FILE] "
	       "[criterion options]\n"
	       "    --plugin PATH: run every configuration against the plugin "
	       "at PATH\n"
	       "    --backend NAME: its backend name (default: NAME of "
	       "iommu-NAME.so)\n"
	       "    --ini FILE: run against FILE as the only configuration\n"
	       "    --config NAME[,NAME...]: only these configurations of the table\n"
	       "    --list-configs: print the configurations and exit\n"
	       "environment: IOMMU_SEED (differential test seed), "
	       "IOMMU_LONG=1 (10^6 random operations),\n"
	       "    IOMMU_CONF_VERBOSE=1 (show the library's log)\n\n",
	       prog);
}

/* Take "--opt VALUE" or "--opt=VALUE" at argv[*i]; NULL if not @opt. */
static const char *take_opt(int argc, char **argv, int *i, const char *opt)
{
	size_t n = strlen(opt);

	if (strncmp(argv[*i], opt, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static int set_path_env(const char *var, const char *opt, const char *path)
{
	char abs[PATH_MAX];

	if (!realpath(path, abs)) {
		fprintf(stderr, "conformance: %s: cannot open '%s'\n", opt,
			path);
		return -1;
	}
	setenv(var, abs, 1);
	return 0;
}

int main(int argc, char **argv)
{
	struct criterion_test_set *tests;
	char **rest = calloc((size_t)argc + 1, sizeof(*rest));
	const char *plugin = NULL, *backend = NULL, *ini = NULL, *v;
	bool list = false;
	int nrest = 0, i, ok;

	if (!rest)
		return 2;
	rest[nrest++] = argv[0];
	for (i = 1; i < argc; i++) {
		if ((v = take_opt(argc, argv, &i, "--plugin")))
			plugin = v;
		else if ((v = take_opt(argc, argv, &i, "--backend")))
			backend = v;
		else if ((v = take_opt(argc, argv, &i, "--ini")))
			ini = v;
		else if ((v = take_opt(argc, argv, &i, "--config")))
			setenv(CONF_ENV_ONLY, v, 1);
		else if (!strcmp(argv[i], "--list-configs"))
			list = true;
		else {
			if (!strcmp(argv[i], "--help") ||
			    !strcmp(argv[i], "-h"))
				usage_extra(argv[0]);
			rest[nrest++] = argv[i];
		}
	}
	if (plugin && ini) {
		fprintf(stderr,
			"conformance: --plugin and --ini exclude each other\n");
		free(rest);
		return 2;
	}
	if ((plugin && set_path_env(CONF_ENV_PLUGIN, "--plugin", plugin)) ||
	    (ini && set_path_env(CONF_ENV_INI, "--ini", ini))) {
		free(rest);
		return 2;
	}
	if (backend)
		setenv(CONF_ENV_BACKEND, backend, 1);
	if (list) {
		conf_print(stdout);
		free(rest);
		return 0;
	}

	tests = criterion_initialize();
	ok = criterion_handle_args(nrest, rest, true);
	if (ok > 0)
		ok = criterion_run_all_tests(tests) ? 0 : 1;
	else
		ok = ok < 0 ? 2 : 0;
	criterion_finalize(tests);
	free(rest);
	return ok;
}
