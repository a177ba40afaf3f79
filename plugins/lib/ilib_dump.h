/* SPDX-License-Identifier: MIT */
/*
 * ilib_dump.h - printing a device model's registers and caches for the
 * model's dump op (iommu_dump_model()): a register as its value and its
 * fields by the vendor's names, a cache as its occupancy.
 */
#ifndef ILIB_DUMP_H
#define ILIB_DUMP_H

#include <stdint.h>

#include "ilib_cache.h"
#include "iommu/plugin.h"

/* The field holds an address in place: printed as (value & mask). */
#define ILIB_FIELD_F_ADDR (1u << 0)

/**
 * struct ilib_field - one field of a register
 * @mask: its bits
 * @name: the vendor's name (NULL ends a table)
 * @flags: ILIB_FIELD_F_*
 */
struct ilib_field {
	uint64_t mask;
	const char *name;
	unsigned int flags;
};

#define ILIB_FIELD(m, n)                                                       \
	{                                                                      \
		(m), (n), 0                                                    \
	}
#define ILIB_FIELD_ADDR(m, n)                                                  \
	{                                                                      \
		(m), (n), ILIB_FIELD_F_ADDR                                    \
	}
#define ILIB_FIELD_END                                                         \
	{                                                                      \
		0, NULL, 0                                                     \
	}

/**
 * ilib_dump_reg() - "  NAME 0x<value>: FIELD=v ..." and a newline
 * @pr, @c: where to print
 * @width: the column the name is padded to
 * @name: the register's name
 * @v: its value
 * @f: its fields, ended by ILIB_FIELD_END: one-bit fields by name when
 *     set, address fields as the address, the others as a number
 */
void ilib_dump_reg(iommu_print_fn pr, void *c, int width, const char *name,
		   uint64_t v, const struct ilib_field *f);

/* "  NAME n of N entries (S sets x W ways)" and a newline. */
void ilib_dump_cache(iommu_print_fn pr, void *c, int width, const char *name,
		     const struct ilib_cache *ca);

#endif /* ILIB_DUMP_H */
