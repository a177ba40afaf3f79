// SPDX-License-Identifier: MIT
/*
 * core.c - contexts: create (parse, load, probe, add the configured
 * devices), destroy, and what a context tells about itself.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* ---- Context ---------------------------------------------------------- */

/* snprintf into an error buffer; truncation is acceptable there. */
static void errf(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void errf(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static void set_err(const struct iommu_ctx_opts *opts, const char *msg)
{
	if (opts && opts->errbuf && opts->errbuf_len)
		snprintf(opts->errbuf, opts->errbuf_len, "%s", msg);
}

static void ctx_free(struct iommu_ctx *ctx)
{
	const struct iommu_plugin *p = ctx->desc;

	pthread_rwlock_wrlock(&ctx->topo_lock);
	while (ctx->nr_devs)
		iommu__dev_remove_locked(ctx, ctx->devs[ctx->nr_devs - 1],
					 true);
	pthread_rwlock_unlock(&ctx->topo_lock);
	while (ctx->domains)
		iommu__domain_destroy(ctx->domains);
	if (ctx->blocked)
		iommu__domain_slot_free(ctx->blocked);
	if (ctx->identity)
		iommu__domain_slot_free(ctx->identity);
	if (ctx->drv)
		p->ops->release(ctx->drv);
	if (ctx->hw)
		p->hw->destroy(ctx->hw);
	iommu__mem_fini(&ctx->mem);
	free(ctx->params);
	free(ctx->devs);
	free((void *)atomic_load(&ctx->ids));
	for (size_t i = 0; i < ctx->nr_retired; i++)
		free(ctx->retired[i]);
	free(ctx->retired);
	free(ctx->groups);
	free(ctx->pasid_used);
	if (ctx->plugin.dl)
		iommu__plugin_unload(&ctx->plugin);
	iommu__config_free(&ctx->cfg);
	iommu__trace_fini(ctx);
	pthread_rwlock_destroy(&ctx->topo_lock);
	pthread_mutex_destroy(&ctx->domains_lock);
	pthread_mutex_destroy(&ctx->pasid_lock);
	pthread_mutex_destroy(&ctx->msi_lock);
	pthread_mutex_destroy(&ctx->mem.add_lock);
	pthread_mutex_destroy(&ctx->mem.table_lock);
	/* What the teardown raised has nobody left to serve it. */
	iommu__irq_forget(ctx);
	free(ctx);
	iommu__handles_put();
}

/*
 * Wrap the backend's static BLOCKED or IDENTITY domain: the ops the
 * driver's table points at, called with the instance as their domain.
 */
static int static_domain(struct iommu_ctx *ctx, enum iommu_domain_type type,
			 struct iommu_domain **out)
{
	const struct iommu_ops *ops = ctx->desc->ops;
	void *drv = atomic_load(&ctx->drv);
	struct iommu_domain *d;
	int ret;

	if (ops->instance_domains && !(ops->instance_domains(drv) >> type & 1))
		return -EOPNOTSUPP;
	ret = iommu__domain_slot(&d);
	if (ret)
		return ret;
	memset(&d->info, 0, sizeof(d->info));
	d->info.ops = type == IOMMU_DOMAIN_BLOCKED ? ops->blocked_domain
						   : ops->identity_domain;
	d->priv = drv;
	ret = d->info.ops ? iommu__abi_take_domain_ops(ctx, d) : -EOPNOTSUPP;
	if (ret) {
		iommu__domain_slot_free(d);
		return ret;
	}
	d->ctx = ctx;
	d->type = type;
	d->is_static = true;
	d->pasid = IOMMU_NO_PASID;
	iommu__domain_publish(d);
	*out = d;
	return 0;
}

/*
 * Add the configured devices.  A device named by another's alias is added
 * before it, whatever their order in the file (the parser has checked
 * that every alias names a device and that no alias names itself).
 */
static int add_config_devices(struct iommu_ctx *ctx, char *err, size_t errlen)
{
	const struct iommu__config *cfg = &ctx->cfg;
	size_t n = cfg->nr_devs, left = n;
	bool *done = calloc(n ? n : 1, sizeof(*done));

	if (!done) {
		errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	while (left) {
		size_t before = left;
		for (size_t i = 0; i < n; i++) {
			const struct iommu__dev_cfg *dc = &cfg->devs[i];
			struct iommu_dev_config dev = {
				.id = dc->id,
				.name = dc->name,
				.group = dc->group,
				.features = dc->features,
				.pasid_bits = dc->pasid_bits,
			};
			bool ready = true;
			if (done[i])
				continue;
			if (dc->alias[0]) {
				for (size_t j = 0; j < n; j++) {
					if (strcmp(cfg->devs[j].name, dc->alias))
						continue;
					dev.alias = cfg->devs[j].id;
					ready = done[j];
				}
				dev.has_alias = true;
			}
			if (!ready)
				continue;
			int ret = iommu_dev_add(ctx, &dev);
			if (ret) {
				errf(err, errlen,
				     "%s:%d: [device.%s] %s: cannot add device 0x%x: %s",
				     cfg->file,
				     ret == -ENOENT && dc->alias[0] ? dc->alias_line :
								       dc->line,
				     dc->name,
				     ret == -ENOENT && dc->alias[0] ? "alias" : "id",
				     dc->id, strerror(-ret));
				free(done);
				return ret;
			}
			done[i] = true;
			left--;
		}
		if (left == before) {
			for (size_t i = 0; i < n; i++) {
				if (done[i])
					continue;
				errf(err, errlen,
				     "%s:%d: [device.%s] alias: aliases form a cycle",
				     cfg->file, cfg->devs[i].alias_line,
				     cfg->devs[i].name);
				break;
			}
			free(done);
			return -EINVAL;
		}
	}
	free(done);
	return 0;
}

/*
 * Read the caller's options into @o, whatever version of the struct it
 * was compiled with (see @size in struct iommu_ctx_opts).
 */
static int opts_copy(const struct iommu_ctx_opts *uopts,
		     struct iommu_ctx_opts *o)
{
	size_t size = uopts->size ? uopts->size : IOMMU_CTX_OPTS_SIZE_2_0;

	memset(o, 0, sizeof(*o));
	if (size < IOMMU_CTX_OPTS_SIZE_2_0) {
		memcpy(o, uopts, IOMMU_CTX_OPTS_SIZE_2_0);
		set_err(o, "iommu_ctx_create: opts.size is smaller than any struct iommu_ctx_opts (set it to sizeof(struct iommu_ctx_opts))");
		return -EINVAL;
	}
	if (size > sizeof(*o)) {
		const unsigned char *tail = (const unsigned char *)uopts;

		memcpy(o, uopts, sizeof(*o));
		for (size_t i = sizeof(*o); i < size; i++) {
			if (tail[i]) {
				set_err(o, "iommu_ctx_create: opts sets fields this library does not know (opts.size larger than its struct iommu_ctx_opts, non-zero tail)");
				return -E2BIG;
			}
		}
		return 0;
	}
	memcpy(o, uopts, size);
	return 0;
}

int iommu_ctx_create(const struct iommu_ctx_opts *uopts,
		     struct iommu_ctx **out)
{
	IOMMU__API_SCOPE();
	char err[1024] = "";
	struct iommu_ctx_opts o, *opts = &o;
	struct iommu_ctx *ctx;
	const struct iommu_plugin *p;
	int ret;

	if (out)
		*out = NULL;
	if (!uopts)
		return -EINVAL;
	ret = opts_copy(uopts, &o);
	if (ret)
		return ret;
	if (!out || !!opts->ini_path == !!opts->ini_string ||
	    (opts->nr_ram && !opts->ram) ||
	    (opts->bus && (!opts->bus->mmio_read || !opts->bus->mmio_write)) ||
	    (unsigned int)opts->log_level > IOMMU_LOG_DEBUG ||
	    opts->flags & ~(IOMMU_CTX_NO_DRIVER | IOMMU_CTX_NO_HINT)) {
		set_err(opts, "iommu_ctx_create: bad options (exactly one of ini_path and ini_string; bus needs mmio_read and mmio_write)");
		return -EINVAL;
	}
	/* Cache-line aligned: each stats shard starts a line of its own. */
	ctx = aligned_alloc(64, (sizeof(*ctx) + 63) & ~(size_t)63);
	if (ctx)
		memset(ctx, 0, sizeof(*ctx));
	if (!ctx) {
		set_err(opts, "out of memory");
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < IOMMU__SHARDS; i++)
		ctx->shard[i].thread = i + 1;
	iommu__handles_get(); /* ctx_free() puts it */
	ctx->drv_host.pub.ops = &iommu__drv_host_ops;
	ctx->drv_host.ctx = ctx;
	ctx->hw_host.pub.ops = &iommu__hw_host_ops;
	ctx->hw_host.ctx = ctx;
	ctx->drv_host.pub.trace_mask = &ctx->trace_mask;
	ctx->hw_host.pub.trace_mask = &ctx->trace_mask;
	ctx->log_fn = opts->log ? opts->log : iommu__log_stderr;
	ctx->log_cookie = opts->log_cookie;
	ctx->log_level = opts->log ? opts->log_level :
		(opts->log_level > IOMMU_LOG_WARN ? opts->log_level : IOMMU_LOG_WARN);
	ctx->irq_fn = opts->irq;
	ctx->irq_cookie = opts->irq_cookie;
	ctx->msi_fn = opts->msi;
	ctx->msi_cookie = opts->msi_cookie;
	pthread_mutex_init(&ctx->msi_lock, NULL);
	pthread_rwlock_init(&ctx->topo_lock, NULL);
	pthread_mutex_init(&ctx->domains_lock, NULL);
	pthread_mutex_init(&ctx->pasid_lock, NULL);
	pthread_mutex_init(&ctx->mem.add_lock, NULL);
	pthread_mutex_init(&ctx->mem.table_lock, NULL);
	ctx->next_group_id = 1;

	ret = iommu__config_parse(opts->ini_path, opts->ini_string, &ctx->cfg,
				  err, sizeof(err));
	if (ret)
		goto err;
	ctx->strict = ctx->cfg.strict;
	ctx->default_type = ctx->cfg.default_type;
	ret = iommu__trace_init(ctx, err, sizeof(err));
	if (ret)
		goto err;

	ret = iommu__plugin_load(&ctx->cfg, &ctx->plugin, err, sizeof(err));
	if (ret)
		goto err;
	p = ctx->desc = ctx->plugin.desc;
	ctx->params = calloc(p->nr_params ? p->nr_params : 1, sizeof(uint64_t));
	if (!ctx->params) {
		ret = -ENOMEM;
		errf(err, sizeof(err), "out of memory");
		goto err;
	}
	ret = iommu__config_backend_params(&ctx->cfg, p, ctx->params, err,
					   sizeof(err));
	if (ret)
		goto err;
	ctx->pasid_used = calloc(1u << IOMMU__MAX_PASID_BITS, 1);
	if (!ctx->pasid_used) {
		ret = -ENOMEM;
		errf(err, sizeof(err), "out of memory");
		goto err;
	}
	ctx->pasid_used[0] = 1; /* PASID 0 stands for "no PASID" on VT-d */

	ret = iommu__mem_init(ctx, opts, err, sizeof(err));
	if (ret)
		goto err;

	ret = p->hw->create(&ctx->hw_host.pub, ctx->params, &ctx->hw);
	if (ret) {
		errf(err, sizeof(err),
			 "%s: [%s]: the %s device model refused the configuration: %s (see the log)",
			 ctx->cfg.file, p->name, p->name, strerror(-ret));
		goto err;
	}

	if (opts->bus) {
		ctx->bus.ops = opts->bus;
		ctx->bus.opaque = opts->bus_opaque;
	} else {
		ctx->bus.ops = &iommu__builtin_bus_ops;
		ctx->bus.opaque = ctx;
		ctx->bus_builtin = true;
	}
	ctx->has_driver = !(opts->flags & IOMMU_CTX_NO_DRIVER);
	ctx->hint = ctx->bus_builtin && !(opts->flags & IOMMU_CTX_NO_HINT);
	ctx->uid = iommu__ctx_uid();
	if (ctx->has_driver) {
		struct iommu_core_cfg ccfg = {
			.strict = ctx->strict,
			.default_type = ctx->default_type,
		};
		void *drv = NULL;
		ret = p->ops->probe(&ctx->drv_host.pub, &ctx->bus, ctx->params, &ccfg,
				    &drv);
		if (ret) {
			errf(err, sizeof(err),
				 "%s: the %s driver failed to probe the hardware: %s (see the log)",
				 ctx->cfg.file, p->name, strerror(-ret));
			goto err;
		}
		atomic_store_explicit(&ctx->drv, drv, memory_order_release);
		ret = static_domain(ctx, IOMMU_DOMAIN_BLOCKED, &ctx->blocked);
		if (ret) {
			errf(err, sizeof(err),
				 "%s: backend %s has no blocking domain: %s",
				 ctx->plugin.path, p->name, strerror(-ret));
			goto err;
		}
		ret = static_domain(ctx, IOMMU_DOMAIN_IDENTITY, &ctx->identity);
		if (ret && (ret != -EOPNOTSUPP ||
			    ctx->default_type == IOMMU_DOMAIN_IDENTITY)) {
			errf(err, sizeof(err),
				 "%s: [iommu] default_domain: backend %s has no identity domain: %s",
				 ctx->cfg.file, p->name, strerror(-ret));
			goto err;
		}
	}

	ret = add_config_devices(ctx, err, sizeof(err));
	if (ret)
		goto err;
	*out = ctx;
	return 0;

err:
	if (!err[0])
		errf(err, sizeof(err), "iommu_ctx_create: %s",
			 strerror(-ret));
	iommu__log(ctx, IOMMU_LOG_ERR, "%s", err);
	set_err(opts, err);
	ctx_free(ctx);
	return ret;
}

void iommu_ctx_destroy(struct iommu_ctx *ctx)
{
	IOMMU__API_SCOPE();
	if (ctx)
		ctx_free(ctx);
}

const char *iommu_ctx_backend(const struct iommu_ctx *ctx)
{
	return ctx ? ctx->desc->name : NULL;
}

enum iommu_id_kind iommu_ctx_id_kind(const struct iommu_ctx *ctx)
{
	return ctx ? ctx->desc->id_kind : 0;
}

bool iommu_ctx_strict(const struct iommu_ctx *ctx)
{
	return ctx && ctx->strict;
}

enum iommu_domain_type iommu_ctx_default_domain_type(const struct iommu_ctx *ctx)
{
	return ctx ? ctx->default_type : 0;
}

#define IOMMU_STR_(x) #x
#define IOMMU_STR(x) IOMMU_STR_(x)

const char *iommu_version(unsigned int *major, unsigned int *minor,
			  unsigned int *patch)
{
	if (major)
		*major = IOMMU_VERSION_MAJOR;
	if (minor)
		*minor = IOMMU_VERSION_MINOR;
	if (patch)
		*patch = IOMMU_VERSION_PATCH;
	return IOMMU_STR(IOMMU_VERSION_MAJOR) "." IOMMU_STR(
		IOMMU_VERSION_MINOR) "." IOMMU_STR(IOMMU_VERSION_PATCH);
}
