// SPDX-License-Identifier: MIT
/*
 * test_loader.c - the plugin loader against real shared objects: the
 * broken plugins the test build makes (broken/plugin.c, one defect
 * each, in BROKEN_DIR), a text file posing as a plugin, and the good
 * test plugin found by each step of the search order.  Then the same
 * refusals through the public iommu_ctx_create().
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "config.h"
#include "iommu/iommu.h"

#ifndef BROKEN_DIR
#error "the build passes BROKEN_DIR, the folder of the test plugins"
#endif

static struct iommu__config cfg;
static struct iommu__plugin_handle h;
static char err[4096];
static char tmpdir[PATH_MAX];

static void setup(void)
{
	unsetenv("IOMMU_PLUGIN_PATH");
	unsetenv("IOMMU_NO_DLCLOSE");
	memset(&cfg, 0, sizeof(cfg));
	memset(&h, 0, sizeof(h));
	strcpy(cfg.file, "test.ini");
	strcpy(cfg.dir, ".");
}

static void teardown(void)
{
	char path[PATH_MAX + 32];

	iommu__plugin_unload(&h);
	if (tmpdir[0]) {
		snprintf(path, sizeof(path), "%s/iommu-text.so", tmpdir);
		unlink(path);
		rmdir(tmpdir);
	}
}

TestSuite(loader, .init = setup, .fini = teardown);

/* The parent of BROKEN_DIR, so that "broken/..." is a relative path. */
static void set_dir_to_broken_parent(void)
{
	char *slash;

	strcpy(cfg.dir, BROKEN_DIR);
	slash = strrchr(cfg.dir, '/');
	cr_assert_not_null(slash);
	*slash = '\0';
}

/* Load BROKEN_DIR/iommu-NAME.so through plugin_dir; expect a refusal. */
static void expect_refused(const char *name, const char *reason)
{
	char path[PATH_MAX];
	int ret;

	strcpy(cfg.backend, name);
	strcpy(cfg.plugin_dir, BROKEN_DIR);
	snprintf(path, sizeof(path), "%s/iommu-%s.so", BROKEN_DIR, name);
	cr_assert_eq(access(path, R_OK), 0, "the build did not make %s", path);
	ret = iommu__plugin_load(&cfg, &h, err, sizeof(err));
	cr_assert_eq(ret, -ENOEXEC, "rc %d: %s", ret, err);
	cr_assert_neq(strstr(err, path), NULL, "message '%s' lacks the path",
		      err);
	cr_assert_neq(strstr(err, reason), NULL, "message '%s' lacks '%s'",
		      err, reason);
	cr_assert_null(h.dl);
	cr_assert_null(h.desc);
	/* A refused plugin is closed again. */
	cr_assert_null(dlopen(path, RTLD_NOW | RTLD_NOLOAD),
		       "%s is still mapped", path);
}

static void expect_loaded(const char *path)
{
	int ret = iommu__plugin_load(&cfg, &h, err, sizeof(err));

	cr_assert_eq(ret, 0, "rc %d: %s", ret, err);
	cr_assert_not_null(h.dl);
	cr_assert_not_null(h.desc);
	cr_assert_str_eq(h.desc->name, cfg.backend);
	cr_assert_str_eq(h.path, path);
}

/* ---- Not found and not loadable ----------------------------------------- */

Test(loader, missing_plugin_lists_every_place_searched)
{
	int ret;

	strcpy(cfg.backend, "absent");
	strcpy(cfg.plugin, "/nonexistent/p.so");
	strcpy(cfg.plugin_dir, BROKEN_DIR);
	setenv("IOMMU_PLUGIN_PATH", "/nonexistent/a::/nonexistent/b", 1);
	ret = iommu__plugin_load(&cfg, &h, err, sizeof(err));
	cr_assert_eq(ret, -ENOENT, "rc %d: %s", ret, err);
	cr_assert_neq(strstr(err, "test.ini"), NULL, "%s", err);
	cr_assert_neq(strstr(err, "/nonexistent/p.so"), NULL, "%s", err);
	cr_assert_neq(strstr(err, BROKEN_DIR "/iommu-absent.so"), NULL, "%s",
		      err);
	cr_assert_neq(strstr(err, "/nonexistent/a/iommu-absent.so"), NULL,
		      "%s", err);
	cr_assert_neq(strstr(err, "/nonexistent/b/iommu-absent.so"), NULL,
		      "%s", err);
	cr_assert_neq(strstr(err, IOMMU_PLUGIN_DIR "/iommu-absent.so"), NULL,
		      "%s", err);
	cr_assert_null(h.dl);
}

Test(loader, text_file_is_not_a_shared_object)
{
	char path[PATH_MAX + 32];
	FILE *f;
	int ret;

	strcpy(tmpdir, "/tmp/iommu-test-loader-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/iommu-text.so", tmpdir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("this is not an ELF file\n", f);
	fclose(f);
	strcpy(cfg.backend, "text");
	strcpy(cfg.plugin_dir, tmpdir);
	ret = iommu__plugin_load(&cfg, &h, err, sizeof(err));
	cr_assert_eq(ret, -ENOEXEC, "rc %d: %s", ret, err);
	cr_assert_neq(strstr(err, path), NULL, "%s", err);
	cr_assert_neq(strstr(err, "dlopen failed"), NULL, "%s", err);
	cr_assert_null(h.dl);
}

Test(loader, bad_backend_name_is_einval)
{
	strcpy(cfg.backend, "../x");
	cr_assert_eq(iommu__plugin_load(&cfg, &h, err, sizeof(err)), -EINVAL);
	cfg.backend[0] = '\0';
	cr_assert_eq(iommu__plugin_load(&cfg, &h, err, sizeof(err)), -EINVAL);
	cr_assert_eq(iommu__plugin_load(NULL, &h, err, sizeof(err)), -EINVAL);
	cr_assert_eq(iommu__plugin_load(&cfg, NULL, NULL, 0), -EINVAL);
}

/* ---- Refusals ----------------------------------------------------------- */

Test(loader, no_entry_symbol_is_refused)
{
	expect_refused("nosym", "no entry symbol iommu_plugin_nosym");
}

Test(loader, null_descriptor_is_refused)
{
	expect_refused("nulldesc", "NULL descriptor");
}

Test(loader, bad_magic_is_refused)
{
	expect_refused("badmagic", "bad magic");
}

Test(loader, other_major_is_refused)
{
	char why[96];

	snprintf(why, sizeof(why), "ABI major version %d, the core has %d",
		 IOMMU_PLUGIN_ABI_MAJOR + 1, IOMMU_PLUGIN_ABI_MAJOR);
	expect_refused("major", why);
}

Test(loader, newer_minor_is_refused)
{
	char why[96];

	snprintf(why, sizeof(why),
		 "ABI minor version %d is newer than the core's %d",
		 IOMMU_PLUGIN_ABI_MINOR + 1, IOMMU_PLUGIN_ABI_MINOR);
	expect_refused("minor", why);
}

Test(loader, small_descriptor_is_refused)
{
	expect_refused("small", "descriptor too small (16 bytes");
}

Test(loader, small_ops_table_is_refused)
{
	expect_refused("smallops", "ops table too small (16 bytes");
}

Test(loader, name_mismatch_is_refused)
{
	expect_refused("mismatch",
		       "name 'somebody_else' is not the backend 'mismatch'");
}

Test(loader, missing_hw_op_is_refused)
{
	expect_refused("notranslate", "required op hw->translate is missing");
}

Test(loader, missing_driver_op_is_refused)
{
	expect_refused("nodomalloc",
		       "required op ops->domain_alloc_paging is missing");
}

Test(loader, missing_blocked_domain_is_refused)
{
	expect_refused("noblocked",
		       "required op ops->blocked_domain is missing");
}

Test(loader, null_hw_table_is_refused)
{
	expect_refused("nohw", "hw ops table is NULL");
}

Test(loader, invalid_id_kind_is_refused)
{
	expect_refused("badkind", "invalid id_kind 0");
}

Test(loader, null_params_with_count_is_refused)
{
	expect_refused("noparams", "params is NULL with nr_params > 0");
}

Test(loader, refused_candidate_ends_the_search)
{
	/* The "plugin" key names a file without iommu_plugin_good: the
	 * good plugin in plugin_dir must not be tried instead. */
	strcpy(cfg.backend, "good");
	strcpy(cfg.plugin, BROKEN_DIR "/iommu-nulldesc.so");
	strcpy(cfg.plugin_dir, BROKEN_DIR);
	cr_assert_eq(iommu__plugin_load(&cfg, &h, err, sizeof(err)), -ENOEXEC,
		     "%s", err);
	cr_assert_neq(strstr(err, BROKEN_DIR "/iommu-nulldesc.so"), NULL,
		      "%s", err);
	cr_assert_neq(strstr(err, "no entry symbol iommu_plugin_good"), NULL,
		      "%s", err);
}

/* ---- Search order ------------------------------------------------------- */

Test(loader, good_plugin_from_plugin_dir)
{
	strcpy(cfg.backend, "good");
	strcpy(cfg.plugin_dir, BROKEN_DIR);
	expect_loaded(BROKEN_DIR "/iommu-good.so");
	cr_assert_eq(h.desc->magic, IOMMU_PLUGIN_MAGIC);
	cr_assert_eq(h.desc->nr_params, 1);
	cr_assert_str_eq(h.desc->params[0].name, "depth");
}

Test(loader, good_plugin_from_relative_plugin_dir)
{
	char path[PATH_MAX + 32];

	set_dir_to_broken_parent();
	strcpy(cfg.backend, "good");
	strcpy(cfg.plugin_dir, "broken");
	snprintf(path, sizeof(path), "%s/broken/iommu-good.so", cfg.dir);
	expect_loaded(path);
}

Test(loader, good_plugin_from_absolute_plugin_key)
{
	strcpy(cfg.backend, "good");
	strcpy(cfg.plugin, BROKEN_DIR "/iommu-good.so");
	expect_loaded(BROKEN_DIR "/iommu-good.so");
}

Test(loader, good_plugin_from_relative_plugin_key)
{
	char path[PATH_MAX + 32];

	set_dir_to_broken_parent();
	strcpy(cfg.backend, "good");
	strcpy(cfg.plugin, "broken/iommu-good.so");
	snprintf(path, sizeof(path), "%s/broken/iommu-good.so", cfg.dir);
	expect_loaded(path);
}

Test(loader, missing_plugin_key_falls_through_to_plugin_dir)
{
	strcpy(cfg.backend, "good");
	strcpy(cfg.plugin, "no/such/plugin.so");
	strcpy(cfg.plugin_dir, BROKEN_DIR);
	expect_loaded(BROKEN_DIR "/iommu-good.so");
}

Test(loader, good_plugin_from_env_path)
{
	strcpy(cfg.backend, "good");
	setenv("IOMMU_PLUGIN_PATH", "/nonexistent::" BROKEN_DIR, 1);
	expect_loaded(BROKEN_DIR "/iommu-good.so");
}

Test(loader, plugin_dir_comes_before_env_path)
{
	/* broken/alt/iommu-good.so is a refused twin (other major). */
	strcpy(cfg.backend, "good");
	strcpy(cfg.plugin_dir, BROKEN_DIR);
	setenv("IOMMU_PLUGIN_PATH", BROKEN_DIR "/alt", 1);
	expect_loaded(BROKEN_DIR "/iommu-good.so");

	iommu__plugin_unload(&h);
	strcpy(cfg.plugin_dir, BROKEN_DIR "/alt");
	setenv("IOMMU_PLUGIN_PATH", BROKEN_DIR, 1);
	cr_assert_eq(iommu__plugin_load(&cfg, &h, err, sizeof(err)), -ENOEXEC);
	cr_assert_neq(strstr(err, BROKEN_DIR "/alt/iommu-good.so"), NULL,
		      "%s", err);
}

Test(loader, plugin_key_comes_before_plugin_dir)
{
	strcpy(cfg.backend, "good");
	strcpy(cfg.plugin, BROKEN_DIR "/alt/iommu-good.so");
	strcpy(cfg.plugin_dir, BROKEN_DIR);
	cr_assert_eq(iommu__plugin_load(&cfg, &h, err, sizeof(err)), -ENOEXEC);
	cr_assert_neq(strstr(err, BROKEN_DIR "/alt/iommu-good.so"), NULL,
		      "%s", err);
}

Test(loader, env_path_comes_before_the_build_plugin_dir)
{
	strcpy(cfg.backend, "virtio");
	setenv("IOMMU_PLUGIN_PATH", BROKEN_DIR "/alt", 1);
	cr_assert_eq(iommu__plugin_load(&cfg, &h, err, sizeof(err)), -ENOEXEC);
	cr_assert_neq(strstr(err, BROKEN_DIR "/alt/iommu-virtio.so"), NULL,
		      "%s", err);
	cr_assert_neq(strstr(err, "ABI major version"), NULL, "%s", err);
}

Test(loader, virtio_from_the_build_plugin_dir)
{
	strcpy(cfg.backend, "virtio");
	expect_loaded(IOMMU_PLUGIN_DIR "/iommu-virtio.so");
	cr_assert_gt(h.desc->nr_params, 0);
}

/* ---- Unload ------------------------------------------------------------- */

Test(loader, unload_closes_the_plugin)
{
	strcpy(cfg.backend, "good");
	strcpy(cfg.plugin_dir, BROKEN_DIR);
	expect_loaded(BROKEN_DIR "/iommu-good.so");
	iommu__plugin_unload(&h);
	cr_assert_null(h.dl);
	cr_assert_null(h.desc);
	cr_assert_null(dlopen(BROKEN_DIR "/iommu-good.so",
			      RTLD_NOW | RTLD_NOLOAD));
	iommu__plugin_unload(&h); /* twice is harmless */
	iommu__plugin_unload(NULL);
}

Test(loader, no_dlclose_keeps_the_plugin_mapped)
{
	void *again;

	strcpy(cfg.backend, "good");
	strcpy(cfg.plugin_dir, BROKEN_DIR);
	expect_loaded(BROKEN_DIR "/iommu-good.so");
	setenv("IOMMU_NO_DLCLOSE", "1", 1);
	iommu__plugin_unload(&h);
	cr_assert_null(h.dl);
	again = dlopen(BROKEN_DIR "/iommu-good.so", RTLD_NOW | RTLD_NOLOAD);
	cr_assert_not_null(again);
	dlclose(again);
}

/* ---- Through the public API --------------------------------------------- */

/* Keep the expected errors out of the test output. */
static void quiet_log(void *cookie, enum iommu_log_level level,
		      const char *msg)
{
	(void)cookie;
	(void)level;
	(void)msg;
}

static int ctx_create(const char *ini, char *buf, size_t len)
{
	struct iommu_ctx_opts opts = {
		.ini_string = ini,
		.errbuf = buf,
		.errbuf_len = len,
		.log = quiet_log,
		.log_level = IOMMU_LOG_ERR,
	};
	struct iommu_ctx *ctx = (struct iommu_ctx *)1;
	int ret = iommu_ctx_create(&opts, &ctx);

	cr_assert_null(ctx, "a failed create must leave *out NULL");
	return ret;
}

#define CTX_IOMMU(backend, extra)                                              \
	"[iommu]\n"                                                            \
	"backend = " backend "\n"                                              \
	"default_domain = dma\n"                                               \
	"invalidation = strict\n" extra "[memory]\n"                          \
	"ram_size = 16M\n"                                                     \
	"table_base = 0x800000\n"                                              \
	"table_size = 1M\n"

TestSuite(loader_ctx, .init = setup, .fini = teardown);

Test(loader_ctx, malformed_ini_fails_with_file_line_key)
{
	int ret = ctx_create(CTX_IOMMU("virtio", "") "[device.a]\nid = 00:40.0\n",
			     err, sizeof(err));

	cr_assert_eq(ret, -EINVAL, "rc %d: %s", ret, err);
	cr_assert_eq(strncmp(err, "<string>:10: [device.a] id: ", 28), 0,
		     "%s", err);
}

Test(loader_ctx, refused_plugin_fails_with_path_and_reason)
{
	int ret = ctx_create(CTX_IOMMU("major", "plugin_dir = " BROKEN_DIR "\n"),
			     err, sizeof(err));

	cr_assert_eq(ret, -ENOEXEC, "rc %d: %s", ret, err);
	cr_assert_eq(strncmp(err, "<string>:2: [iommu] backend: plugin ", 36), 0,
		     "%s", err);
	cr_assert_neq(strstr(err, BROKEN_DIR "/iommu-major.so"), NULL, "%s",
		      err);
	cr_assert_neq(strstr(err, "ABI major version"), NULL, "%s", err);
}

Test(loader_ctx, missing_plugin_fails_with_enoent)
{
	int ret = ctx_create(CTX_IOMMU("nosuchbackend", ""), err, sizeof(err));

	cr_assert_eq(ret, -ENOENT, "rc %d: %s", ret, err);
	cr_assert_eq(strncmp(err, "<string>:2: [iommu] backend: no plugin ", 39),
		     0, "%s", err);
	cr_assert_neq(strstr(err, IOMMU_PLUGIN_DIR "/iommu-nosuchbackend.so"),
		      NULL, "%s", err);
}

Test(loader_ctx, unknown_virtio_key_fails_with_line)
{
	int ret = ctx_create(CTX_IOMMU("virtio", "") "[virtio]\nqueue_max = 64\n"
						     "page_sizes = 4K\n",
			     err, sizeof(err));

	cr_assert_eq(ret, -EINVAL, "rc %d: %s", ret, err);
	cr_assert_eq(strncmp(err, "<string>:11: [virtio] page_sizes: unknown key",
			     45),
		     0, "%s", err);
}

Test(loader_ctx, virtio_key_out_of_range_says_the_range)
{
	int ret = ctx_create("[virtio]\nqueue_max = 1\n" CTX_IOMMU("virtio", ""),
			     err, sizeof(err));

	cr_assert_eq(ret, -EINVAL, "rc %d: %s", ret, err);
	cr_assert_eq(strncmp(err, "<string>:2: [virtio] queue_max: '1' is out of range 2..32768",
			     59),
		     0, "%s", err);
}

Test(loader_ctx, virtio_config_is_accepted)
{
	struct iommu_ctx_opts opts = {
		.ini_string = "[virtio]\nqueue_max = 64\nmsi_size = 1M\n"
			CTX_IOMMU("virtio", ""),
		.errbuf = err,
		.errbuf_len = sizeof(err),
		.log = quiet_log,
		.log_level = IOMMU_LOG_ERR,
	};
	struct iommu_ctx *ctx = NULL;
	int ret = iommu_ctx_create(&opts, &ctx);

	cr_assert_eq(ret, 0, "rc %d: %s", ret, err);
	cr_assert_str_eq(iommu_ctx_backend(ctx), "virtio");
	cr_assert(iommu_ctx_strict(ctx));
	cr_assert_eq(iommu_ctx_default_domain_type(ctx), IOMMU_DOMAIN_DMA);
	iommu_ctx_destroy(ctx);
}

/* ---- ABI 2: sized tables ------------------------------------------------- */

/*
 * A plugin built against ABI 2.0 declares smaller ops tables than the
 * core's (no save/load slots).  It loads, the slots it lacks read as
 * NULL, and it works: a device is assigned, mapped and DMAs through the
 * VT-d model.
 */
Test(loader_ctx, plugin_with_abi_2_0_tables_works)
{
	struct iommu_ctx_opts opts = {
		.ini_string = CTX_IOMMU("vtd", "plugin_dir = " ABI20_DIR "\n")
			"[device.nic]\nid = 00:03.0\n",
		.errbuf = err,
		.errbuf_len = sizeof(err),
		.log = quiet_log,
		.log_level = IOMMU_LOG_ERR,
	};
	struct iommu_ctx *ctx = NULL;
	struct iommu_domain *dom = NULL;
	static int owner;
	uint32_t nic, group;
	char buf[6] = "";
	int ret;

	cr_assert_eq(access(ABI20_DIR "/iommu-vtd.so", R_OK), 0,
		     "the build did not make the ABI 2.0 plugin");
	ret = iommu_ctx_create(&opts, &ctx);
	cr_assert_eq(ret, 0, "rc %d: %s", ret, err);
	cr_assert_eq(iommu_dev_lookup(ctx, "nic", &nic), 0);
	cr_assert_eq(iommu_dev_group(ctx, nic, &group), 0);
	cr_assert_eq(iommu_group_claim_dma_owner(ctx, group, &owner), 0);
	cr_assert_eq(iommu_domain_alloc(ctx, IOMMU_DOMAIN_UNMANAGED, &dom), 0);
	cr_assert_eq(iommu_map(dom, 0x10000, 0x200000, 0x1000,
			       IOMMU_READ | IOMMU_WRITE), 0);
	cr_assert_eq(iommu_attach_group(dom, group), 0);
	cr_assert_eq(iommu_mem_write(ctx, 0x200010, "hello", 6), 0);
	cr_assert_eq(iommu_dma_read(ctx, nic, IOMMU_NO_PASID, 0x10010, buf, 6),
		     0);
	cr_assert_str_eq(buf, "hello");
	cr_assert_eq(iommu_detach_group(dom, group), 0);
	cr_assert_eq(iommu_group_release_dma_owner(ctx, group, &owner), 0);
	cr_assert_eq(iommu_domain_free(dom), 0);
	iommu_ctx_destroy(ctx);
}

/* The loader copies only what the plugin declares: its tables say they
 * are ABI 2.0's, and what lies past that in its own binary is never read
 * as a slot. */
Test(loader, abi_2_0_tables_are_taken_in_full_size)
{
	strcpy(cfg.backend, "vtd");
	strcpy(cfg.plugin_dir, ABI20_DIR);
	expect_loaded(ABI20_DIR "/iommu-vtd.so");
	cr_assert_eq(h.desc->hw->size, sizeof(struct iommu_hw_ops));
	cr_assert_eq(h.desc->ops->size, sizeof(struct iommu_ops));
	cr_assert_null(h.desc->hw->save);
	cr_assert_null(h.desc->hw->load);
	cr_assert_null(h.desc->ops->save);
	cr_assert_null(h.desc->ops->load);
	cr_assert_not_null(h.desc->ops->probe);
}
