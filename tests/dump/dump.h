/* SPDX-License-Identifier: MIT */
/*
 * dump.h - what the files of the dump suite share: the platforms and
 * helpers that create a context and catch a picture in a string.
 */
#ifndef TESTS_DUMP_H
#define TESTS_DUMP_H

#include <stdint.h>
#include <stdio.h>

#include "iommu/iommu.h"

extern const char dump_ini_vtd[];
extern const char dump_ini_virtio[];

/* A context on @ini (asserts it is made). */
struct iommu_ctx *dump_ctx(const char *ini);
/* A context on the project's conf/@name.ini (asserts it is made). */
struct iommu_ctx *dump_conf_ctx(const char *name);
/* What @fn(@obj, @fmt, FILE) wrote, malloc'ed; its return in *@ret. */
char *dump_run(int (*fn)(void *, enum iommu_dump_format, FILE *), void *obj,
	       enum iommu_dump_format fmt, int *ret);
/* The picture of a domain / the topology (asserts the call returns 0). */
char *dump_domain(struct iommu_domain *d, enum iommu_dump_format fmt);
char *dump_topology(struct iommu_ctx *ctx, enum iommu_dump_format fmt);
/* @in with each "table 0x<hex>" replaced by "table T<n>" (n in order of
 * first appearance), malloc'ed; asserts each address is a distinct,
 * page-aligned table page in [@base, @base + @size). */
char *dump_name_tables(const char *in, uint64_t base, uint64_t size);

#endif /* TESTS_DUMP_H */
