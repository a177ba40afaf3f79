// SPDX-License-Identifier: MIT
/*
 * fuzz_ini.c - libFuzzer target: INI text through iommu_ctx_create().
 *
 * The input is the INI text itself (a NUL-terminated copy of it; a NUL
 * inside it ends the text the parser sees).  Any backend name may
 * appear.  An input of odd length gets a context with IOMMU_CTX_NO_DRIVER,
 * an even one the library's driver too, so both paths are fuzzed without
 * a framing byte that would make the seeds unreadable as INI.  Errors are
 * expected; a crash, a sanitizer report or a leak is a finding.  A
 * context that was created is used a little (its stats) and destroyed.
 */
#include <stdlib.h>
#include <string.h>

#include "iommu/iommu.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	setenv("IOMMU_NO_DLCLOSE", "1", 1);
	return 0;
}

static void fz_log(void *cookie, enum iommu_log_level level, const char *msg)
{
	(void)cookie, (void)level, (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iommu_ctx_opts o;
	struct iommu_ctx *ctx = NULL;
	struct iommu_stats st = { .size = sizeof(st) };
	char err[256];
	char *text;

	/* The parser refuses files above 1 MiB; keep inputs well below. */
	if (size > 64 * 1024)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	memset(&o, 0, sizeof(o));
	o.ini_string = text;
	o.log = fz_log;
	o.log_level = IOMMU_LOG_DEBUG;
	o.flags = size & 1 ? IOMMU_CTX_NO_DRIVER : 0;
	o.errbuf = err;
	o.errbuf_len = sizeof(err);
	if (iommu_ctx_create(&o, &ctx) == 0) {
		(void)iommu_get_stats(ctx, &st);
		iommu_ctx_destroy(ctx);
	}
	free(text);
	return 0;
}
