// SPDX-License-Identifier: MIT
/*
 * plugin.c - test plugins for the loader: one good, the rest broken in
 * exactly one way each.  The build compiles this file once per variant
 * with PLUGIN_NAME (the backend name, also the file name iommu-NAME.so)
 * and one BROKEN_* macro naming the defect.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "iommu/plugin.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define DEFINE_(name, desc) IOMMU_PLUGIN_DEFINE(name, desc)
/* Each variant leaves some stubs out. */
#define MAYBE_UNUSED __attribute__((unused))

MAYBE_UNUSED static int t_create(struct iommu_host *host,
				 const uint64_t *params, void **hw)
{
	(void)host;
	(void)params;
	(void)hw;
	return -ENODEV;
}

MAYBE_UNUSED static void t_destroy(void *hw)
{
	(void)hw;
}

MAYBE_UNUSED static int t_mmio_read(void *hw, uint64_t offset,
				    unsigned int size, uint64_t *val)
{
	(void)hw;
	(void)offset;
	(void)size;
	(void)val;
	return -EINVAL;
}

MAYBE_UNUSED static int t_mmio_write(void *hw, uint64_t offset,
				     unsigned int size, uint64_t val)
{
	(void)hw;
	(void)offset;
	(void)size;
	(void)val;
	return -EINVAL;
}

MAYBE_UNUSED static int t_translate(void *hw, const struct iommu_dma_req *req,
				    struct iommu_translation *out)
{
	(void)hw;
	(void)req;
	(void)out;
	return -EFAULT;
}

MAYBE_UNUSED static int t_endpoint_add(void *hw, uint32_t dev_id)
{
	(void)hw;
	(void)dev_id;
	return 0;
}

MAYBE_UNUSED static void t_endpoint_remove(void *hw, uint32_t dev_id)
{
	(void)hw;
	(void)dev_id;
}

MAYBE_UNUSED static int t_probe(struct iommu_host *host,
				const struct iommu_bus *bus,
				const uint64_t *params,
				const struct iommu_core_cfg *cfg, void **inst)
{
	(void)host;
	(void)bus;
	(void)params;
	(void)cfg;
	(void)inst;
	return -ENODEV;
}

MAYBE_UNUSED static void t_release(void *inst)
{
	(void)inst;
}

MAYBE_UNUSED static int t_probe_device(void *inst, struct iommu_dev_info *dev)
{
	(void)inst;
	(void)dev;
	return 0;
}

MAYBE_UNUSED static void t_release_device(void *inst,
					  struct iommu_dev_info *dev)
{
	(void)inst;
	(void)dev;
}

MAYBE_UNUSED static int t_domain_alloc_paging(void *inst,
					      struct iommu_dev_info *dev,
					      unsigned int flags,
					      struct iommu_domain_info *info,
					      void **dom)
{
	(void)inst;
	(void)dev;
	(void)flags;
	(void)info;
	(void)dom;
	return -EOPNOTSUPP;
}

MAYBE_UNUSED static int t_attach_dev(void *dom, struct iommu_dev_info *dev)
{
	(void)dom;
	(void)dev;
	return 0;
}

MAYBE_UNUSED static const struct iommu_domain_ops t_blocked_ops = {
	.size = IOMMU_TABLE_SIZE(iommu_domain_ops),
	.attach_dev = t_attach_dev,
};

MAYBE_UNUSED static const struct iommu_hw_ops t_hw_ops = {
	.size = IOMMU_TABLE_SIZE(iommu_hw_ops),
	.create = t_create,
	.destroy = t_destroy,
	.mmio_read = t_mmio_read,
	.mmio_write = t_mmio_write,
#ifndef BROKEN_NO_TRANSLATE
	.translate = t_translate,
#endif
	.endpoint_add = t_endpoint_add,
	.endpoint_remove = t_endpoint_remove,
};

MAYBE_UNUSED static const struct iommu_ops t_ops = {
#ifdef BROKEN_SMALL_OPS
	.size = 16, /* smaller than any ABI 2 table */
#else
	.size = IOMMU_TABLE_SIZE(iommu_ops),
#endif
	.probe = t_probe,
	.release = t_release,
	.probe_device = t_probe_device,
	.release_device = t_release_device,
#ifndef BROKEN_NO_DOMAIN_ALLOC
	.domain_alloc_paging = t_domain_alloc_paging,
#endif
#ifndef BROKEN_NO_BLOCKED
	.blocked_domain = &t_blocked_ops,
#endif
};

MAYBE_UNUSED static const struct iommu_param_spec t_params[] = {
	{ "depth", IOMMU_PARAM_U64, 1, 8, 4, NULL, "a test key" },
};

MAYBE_UNUSED static const struct iommu_plugin t_plugin = {
#ifdef BROKEN_BAD_MAGIC
	.magic = IOMMU_PLUGIN_MAGIC ^ 1,
#else
	.magic = IOMMU_PLUGIN_MAGIC,
#endif
#ifdef BROKEN_MAJOR
	.abi_major = IOMMU_PLUGIN_ABI_MAJOR + 1,
#else
	.abi_major = IOMMU_PLUGIN_ABI_MAJOR,
#endif
#ifdef BROKEN_MINOR
	.abi_minor = IOMMU_PLUGIN_ABI_MINOR + 1,
#else
	.abi_minor = IOMMU_PLUGIN_ABI_MINOR,
#endif
	.size = sizeof(struct iommu_plugin),
#ifdef BROKEN_NAME
	.name = "somebody_else",
#else
	.name = STR(PLUGIN_NAME),
#endif
	.description = "loader test plugin",
#ifdef BROKEN_ID_KIND
	.id_kind = 0,
#else
	.id_kind = IOMMU_ID_PCI_BDF,
#endif
	.id_bits = 16,
#ifdef BROKEN_NO_PARAMS
	.params = NULL,
#else
	.params = t_params,
#endif
	.nr_params = 1,
#ifdef BROKEN_NO_HW
	.hw = NULL,
#else
	.hw = &t_hw_ops,
#endif
	.ops = &t_ops,
};

#if defined(BROKEN_SMALL)
/* Only the fixed header: the loader must not read past it. */
static const struct {
	uint64_t magic;
	uint16_t abi_major;
	uint16_t abi_minor;
	uint32_t size;
} t_small = {
	IOMMU_PLUGIN_MAGIC,
	IOMMU_PLUGIN_ABI_MAJOR,
	IOMMU_PLUGIN_ABI_MINOR,
	sizeof(t_small),
};
DEFINE_(PLUGIN_NAME, (const struct iommu_plugin *)(const void *)&t_small)
#elif defined(BROKEN_NULL_DESC)
DEFINE_(PLUGIN_NAME, NULL)
#elif defined(BROKEN_NO_SYMBOL)
/* Exports an entry, but under another backend's name. */
DEFINE_(not_this_one, &t_plugin)
#else
DEFINE_(PLUGIN_NAME, &t_plugin)
#endif
