// SPDX-License-Identifier: MIT
/*
 * loader.c - find a backend plugin, dlopen it and check its descriptor.
 *
 * Search order (the first file that exists is the one loaded; a file
 * that exists but is refused is an error, the search does not go on):
 *  1. the [iommu] "plugin" key: a path, relative to the INI's directory
 *     unless absolute;
 *  2. "plugin_dir"/iommu-NAME.so, plugin_dir relative likewise;
 *  3. DIR/iommu-NAME.so for each DIR of $IOMMU_PLUGIN_PATH (colon
 *     separated; relative entries are taken from the current directory);
 *  4. IOMMU_PLUGIN_DIR/iommu-NAME.so, the library's own plugin folder:
 *     the build's (build/<flavour>/plugins) or, for the library `scons
 *     install` copies, $LIBDIR/iommu/plugins (core/SConscript).
 *
 * A plugin is never trusted: every field of its descriptor is checked
 * before the core uses one, and the fields past the fixed header (magic,
 * versions, size) are read only once the size says they are there.
 */
#include <dlfcn.h>
#include <stddef.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"

/* Where the search looked, for the "not found" message. */
struct ldr_tried {
	char *buf;
	size_t len;
	size_t off;
};

__attribute__((format(printf, 3, 4)))
static void ldr_msg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Join @dir and @name into @out, @dir relative to @base unless absolute
 * (@base NULL: relative to the current directory).  false if too long. */
static bool ldr_join(char out[PATH_MAX], const char *base, const char *dir,
		     size_t dirlen, const char *name)
{
	int n;

	if (dir[0] == '/' || !base)
		n = snprintf(out, PATH_MAX, "%.*s%s%s", (int)dirlen, dir,
			     name ? "/" : "", name ? name : "");
	else
		n = snprintf(out, PATH_MAX, "%s/%.*s%s%s", base, (int)dirlen,
			     dir, name ? "/" : "", name ? name : "");
	return n > 0 && n < PATH_MAX;
}

/*
 * Does the candidate exist?  Notes it in @tried either way.  A path that
 * does not fit is noted and skipped.
 */
static bool ldr_exists(struct ldr_tried *tried, const char *path, bool fits)
{
	struct stat st;

	if (tried->off < tried->len)
		tried->off += (size_t)snprintf(tried->buf + tried->off,
					       tried->len - tried->off, "%s%s",
					       tried->off ? ", " : "",
					       fits ? path : "(path too long)");
	return fits && stat(path, &st) == 0;
}

static const char *ldr_dir(const struct iommu__config *cfg)
{
	return cfg->dir[0] ? cfg->dir : ".";
}

/* Find the first existing candidate; -ENOENT with the list if none. */
static int ldr_find(const struct iommu__config *cfg, char path[PATH_MAX],
		    char *err, size_t errlen)
{
	char file[IOMMU__NAME_MAX + 16];
	char tried_buf[2048];
	struct ldr_tried tried = { tried_buf, sizeof(tried_buf), 0 };
	const char *env;
	bool fits;

	tried_buf[0] = '\0';
	snprintf(file, sizeof(file), "iommu-%s.so", cfg->backend);

	if (cfg->plugin[0]) {
		fits = ldr_join(path, ldr_dir(cfg), cfg->plugin,
				strlen(cfg->plugin), NULL);
		if (ldr_exists(&tried, path, fits))
			return 0;
	}
	if (cfg->plugin_dir[0]) {
		fits = ldr_join(path, ldr_dir(cfg), cfg->plugin_dir,
				strlen(cfg->plugin_dir), file);
		if (ldr_exists(&tried, path, fits))
			return 0;
	}
	env = getenv("IOMMU_PLUGIN_PATH");
	while (env && *env) {
		const char *colon = strchr(env, ':');
		size_t n = colon ? (size_t)(colon - env) : strlen(env);

		if (n) {
			fits = ldr_join(path, NULL, env, n, file);
			if (ldr_exists(&tried, path, fits))
				return 0;
		}
		env = colon ? colon + 1 : NULL;
	}
#ifdef IOMMU_PLUGIN_DIR
	fits = ldr_join(path, NULL, IOMMU_PLUGIN_DIR, strlen(IOMMU_PLUGIN_DIR),
			file);
	if (ldr_exists(&tried, path, fits))
		return 0;
#endif
	ldr_msg(err, errlen,
		"%s:%d: [iommu] backend: no plugin %s for backend '%s' (looked at: %s)",
		cfg->file, cfg->backend_line, file, cfg->backend,
		tried.off ? tried_buf : "nowhere");
	return -ENOENT;
}

/*
 * Check a descriptor; NULL if good, else the reason.  @why has room for
 * a reason with numbers in it.
 */
static const char *ldr_check(const struct iommu__config *cfg,
			     struct iommu__plugin_handle *h,
			     const struct iommu_plugin *d, char *why,
			     size_t whylen)
{
	if (!d)
		return "the entry function returned a NULL descriptor";
	if (d->magic != IOMMU_PLUGIN_MAGIC) {
		snprintf(why, whylen,
			 "bad magic 0x%016llx (expected 0x%016llx)",
			 (unsigned long long)d->magic,
			 (unsigned long long)IOMMU_PLUGIN_MAGIC);
		return why;
	}
	if (d->abi_major != IOMMU_PLUGIN_ABI_MAJOR) {
		snprintf(why, whylen,
			 "ABI major version %u, the core has %u",
			 (unsigned int)d->abi_major,
			 (unsigned int)IOMMU_PLUGIN_ABI_MAJOR);
		return why;
	}
	if (d->abi_minor > IOMMU_PLUGIN_ABI_MINOR) {
		snprintf(why, whylen,
			 "ABI minor version %u is newer than the core's %u",
			 (unsigned int)d->abi_minor,
			 (unsigned int)IOMMU_PLUGIN_ABI_MINOR);
		return why;
	}
	if (d->size < offsetof(struct iommu_plugin, ops) + sizeof(void *)) {
		snprintf(why, whylen,
			 "descriptor too small (%u bytes, at least %zu needed)",
			 (unsigned int)d->size,
			 offsetof(struct iommu_plugin, ops) + sizeof(void *));
		return why;
	}
	if (!d->name)
		return "descriptor has no name";
	if (strncmp(d->name, cfg->backend, IOMMU__NAME_MAX)) {
		snprintf(why, whylen, "name '%.*s' is not the backend '%s'",
			 IOMMU__NAME_MAX, d->name, cfg->backend);
		return why;
	}
	if (d->id_kind != IOMMU_ID_PCI_BDF && d->id_kind != IOMMU_ID_STREAM_ID &&
	    d->id_kind != IOMMU_ID_ENDPOINT) {
		snprintf(why, whylen, "invalid id_kind %d", (int)d->id_kind);
		return why;
	}
	if (d->id_bits < 1 || d->id_bits > 32) {
		snprintf(why, whylen, "invalid id_bits %u (1..32)", d->id_bits);
		return why;
	}
	if (d->nr_params && !d->params)
		return "params is NULL with nr_params > 0";
	/* The tables, their sizes and required slots: core/abi.c. */
	return iommu__abi_take_plugin(h, d, why, whylen);
}

static bool ldr_valid_name(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return i > 0 && i < IOMMU__NAME_MAX;
}

/**
 * iommu__plugin_load() - find, dlopen and check a backend plugin
 * @cfg: backend name, "plugin", "plugin_dir", and the INI's file and dir
 * @out: receives the handle on success (zeroed on failure)
 * @err, @errlen: receives the reason, naming the path (may be NULL / 0)
 *
 * See the top of this file for the search order.  The plugin is opened
 * with RTLD_NOW | RTLD_LOCAL, so a missing symbol fails here and not at
 * the first call, and two plugins never see each other's symbols.
 *
 * Context: not thread-safe against other dlopen/dlerror users in the
 * process (dlerror() is per thread, but the message is read right away).
 * Return: 0; -EINVAL NULL arguments or a backend name that is not
 * [a-z0-9_]+; -ENOENT no candidate file exists; -ENOEXEC dlopen failed
 * or the plugin was refused (the handle is closed again).
 */
int iommu__plugin_load(const struct iommu__config *cfg,
		       struct iommu__plugin_handle *out, char *err,
		       size_t errlen)
{
	const struct iommu_plugin *(*entry)(void);
	const struct iommu_plugin *desc;
	char path[PATH_MAX], sym[IOMMU__NAME_MAX + 16], why[160];
	const char *reason;
	void *dl;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!cfg || !out) {
		ldr_msg(err, errlen, "plugin loader: bad arguments");
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	if (!ldr_valid_name(cfg->backend)) {
		ldr_msg(err, errlen,
			"%s:%d: [iommu] backend: '%.*s' is not a backend name",
			cfg->file, cfg->backend_line, IOMMU__NAME_MAX,
			cfg->backend);
		return -EINVAL;
	}
	rc = ldr_find(cfg, path, err, errlen);
	if (rc)
		return rc;

	dlerror();
	dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		const char *e = dlerror();

		ldr_msg(err, errlen,
			"%s:%d: [iommu] backend: plugin %s refused: dlopen failed: %s",
			cfg->file, cfg->backend_line, path,
			e ? e : "unknown error");
		return -ENOEXEC;
	}
	snprintf(sym, sizeof(sym), "iommu_plugin_%s", cfg->backend);
	dlerror();
	*(void **)&entry = dlsym(dl, sym);
	if (!entry) {
		const char *e = dlerror();

		ldr_msg(err, errlen,
			"%s:%d: [iommu] backend: plugin %s refused: no entry symbol %s (%s)",
			cfg->file, cfg->backend_line, path, sym,
			e ? e : "symbol is NULL");
		goto err_close;
	}
	desc = entry();
	reason = ldr_check(cfg, out, desc, why, sizeof(why));
	if (reason) {
		ldr_msg(err, errlen,
			"%s:%d: [iommu] backend: plugin %s refused: %s",
			cfg->file, cfg->backend_line, path, reason);
		goto err_close;
	}
	out->dl = dl;
	strcpy(out->path, path);
	return 0;

err_close:
	/* Nothing of the plugin ran but its entry: always unmap it. */
	memset(out, 0, sizeof(*out));
	dlclose(dl);
	return -ENOEXEC;
}

/**
 * iommu__plugin_unload() - close a loaded plugin
 * @h: handle from iommu__plugin_load(); NULL or an empty handle is a no-op
 *
 * With IOMMU_NO_DLCLOSE=1 in the environment the object stays mapped, so
 * sanitizer and valgrind reports can still name its functions.
 * Context: no pointer into the plugin may be used afterwards.
 */
void iommu__plugin_unload(struct iommu__plugin_handle *h)
{
	const char *keep;

	if (!h)
		return;
	keep = getenv("IOMMU_NO_DLCLOSE");
	if (h->dl && !(keep && !strcmp(keep, "1")))
		dlclose(h->dl);
	h->dl = NULL;
	h->desc = NULL;
	h->path[0] = '\0';
}
