// SPDX-License-Identifier: MIT
/*
 * test_config.c - the INI parser: good files give the right values; every
 * malformed file fails with the right errno and a message that names the
 * exact file, line, section and key; backend keys are checked against a
 * parameter table.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "config.h"

#define BASE_IOMMU                                                             \
	"[iommu]\n"                                                            \
	"backend = virtio\n"                                                   \
	"default_domain = dma\n"                                               \
	"invalidation = strict\n"
#define BASE_MEMORY                                                            \
	"[memory]\n"                                                           \
	"ram_size = 256M\n"                                                    \
	"table_base = 0x10000000\n"                                            \
	"table_size = 16M\n"
/* Lines 1-4 [iommu], 5-8 [memory]; test text starts at line 9. */
#define BASE BASE_IOMMU BASE_MEMORY

static struct iommu__config cfg;
static char err[1024];

static void cfg_fini(void)
{
	iommu__config_free(&cfg);
}

TestSuite(config, .fini = cfg_fini);

/*
 * Parse @text; it must fail with @rc, and the message must start with
 * @prefix ("<string>:LINE: [SECTION] KEY: ") and contain @reason.
 */
static void expect_fail(const char *text, int rc, const char *prefix,
			const char *reason)
{
	int ret = iommu__config_parse(NULL, text, &cfg, err, sizeof(err));

	cr_assert_eq(ret, rc, "rc %d (wanted %d), message: %s", ret, rc, err);
	cr_assert_eq(strncmp(err, prefix, strlen(prefix)), 0,
		     "message '%s' does not start with '%s'", err, prefix);
	cr_assert_neq(strstr(err, reason), NULL,
		      "message '%s' does not say '%s'", err, reason);
}

static void parse_ok(const char *text)
{
	int ret = iommu__config_parse(NULL, text, &cfg, err, sizeof(err));

	cr_assert_eq(ret, 0, "parse failed (%d): %s", ret, err);
}

/* ---- Good files -------------------------------------------------------- */

Test(config, minimal_file_gives_values_and_defaults)
{
	parse_ok(BASE);
	cr_assert_str_eq(cfg.file, "<string>");
	cr_assert_str_eq(cfg.dir, ".");
	cr_assert_str_eq(cfg.backend, "virtio");
	cr_assert_eq(cfg.backend_line, 2);
	cr_assert_str_eq(cfg.plugin, "");
	cr_assert_str_eq(cfg.plugin_dir, "");
	cr_assert_eq(cfg.default_type, IOMMU_DOMAIN_DMA);
	cr_assert(cfg.strict);
	cr_assert(cfg.has_ram);
	cr_assert_eq(cfg.ram_base, 0);
	cr_assert_eq(cfg.ram_size, 256ull << 20);
	cr_assert_eq(cfg.table_base, 0x10000000ull);
	cr_assert_eq(cfg.table_size, 16ull << 20);
	cr_assert_eq(cfg.nr_devs, 0);
	cr_assert_eq(cfg.nr_bparams, 0);
	cr_assert_eq(cfg.backend_section_line, 0);
}

Test(config, full_file_gives_every_value)
{
	parse_ok("; a comment\n"
		 "# another one\n"
		 "[virtio]\n"                       /* 3: before [iommu] */
		 "queue_max = 64\n"                 /* 4 */
		 "boot_bypass = no ; inline\n"      /* 5 */
		 "\n"
		 "[iommu]\n"
		 "backend = virtio\n"
		 "plugin = ../plugins/iommu-virtio.so\n"
		 "plugin_dir = plugins\n"
		 "default_domain = identity\n"
		 "invalidation = deferred\n"
		 "[memory]\n"
		 "ram_base = 1G\n"
		 "ram_size = 0x40000000\n"
		 "table_base = 4k\n"
		 "table_size = 4096\n"
		 "[device.nic0]\n"                  /* 18 */
		 "id = 00:03.0\n"
		 "group = g1\n"
		 "features = aux, iopf\n"
		 "pasid_bits = 20\n"
		 "[device.nic1]\n"                  /* 23 */
		 "id = 0x19\n"
		 "alias = nic0\n"                   /* 25 */
		 "features =\n"
		 "[device.disk]\n"
		 "id = 4294967295\n");
	cr_assert_str_eq(cfg.plugin, "../plugins/iommu-virtio.so");
	cr_assert_str_eq(cfg.plugin_dir, "plugins");
	cr_assert_eq(cfg.default_type, IOMMU_DOMAIN_IDENTITY);
	cr_assert_not(cfg.strict);
	cr_assert_eq(cfg.ram_base, 1ull << 30);
	cr_assert_eq(cfg.ram_size, 1ull << 30);
	cr_assert_eq(cfg.table_base, 4096);
	cr_assert_eq(cfg.table_size, 4096);

	cr_assert_eq(cfg.nr_devs, 3);
	cr_assert_str_eq(cfg.devs[0].name, "nic0");
	cr_assert_eq(cfg.devs[0].id, 3u << 3);
	cr_assert(cfg.devs[0].has_id);
	cr_assert_str_eq(cfg.devs[0].group, "g1");
	cr_assert_str_eq(cfg.devs[0].alias, "");
	cr_assert_eq(cfg.devs[0].features, (1u << IOMMU_DEV_FEAT_AUX) |
						   (1u << IOMMU_DEV_FEAT_IOPF));
	cr_assert_eq(cfg.devs[0].pasid_bits, 20);
	cr_assert_eq(cfg.devs[0].line, 18);
	cr_assert_str_eq(cfg.devs[1].name, "nic1");
	cr_assert_eq(cfg.devs[1].id, 0x19);
	cr_assert_str_eq(cfg.devs[1].group, "");
	cr_assert_str_eq(cfg.devs[1].alias, "nic0");
	cr_assert_eq(cfg.devs[1].alias_line, 25);
	cr_assert_eq(cfg.devs[1].features, 0);
	cr_assert_eq(cfg.devs[1].pasid_bits, 0);
	cr_assert_eq(cfg.devs[1].line, 23);
	cr_assert_eq(cfg.devs[2].id, 0xffffffffu);

	cr_assert_eq(cfg.backend_section_line, 3);
	cr_assert_eq(cfg.nr_bparams, 2);
	cr_assert_str_eq(cfg.bparams[0].key, "queue_max");
	cr_assert_str_eq(cfg.bparams[0].value, "64");
	cr_assert_eq(cfg.bparams[0].line, 4);
	cr_assert_str_eq(cfg.bparams[1].key, "boot_bypass");
	cr_assert_str_eq(cfg.bparams[1].value, "no");
	cr_assert_eq(cfg.bparams[1].line, 5);
}

Test(config, ram_size_may_be_left_to_the_vmm)
{
	parse_ok(BASE_IOMMU "[memory]\ntable_base = 0\ntable_size = 1M\n");
	cr_assert_not(cfg.has_ram);
	cr_assert_eq(cfg.ram_size, 0);
	cr_assert_eq(cfg.table_size, 1ull << 20);
}

Test(config, crlf_line_ends_and_empty_backend_section_are_fine)
{
	parse_ok("[iommu]\r\nbackend = virtio\r\ndefault_domain = dma\r\n"
		 "invalidation = strict\r\n[virtio]\r\n"
		 "[memory]\r\ntable_base = 0\r\ntable_size = 4096\r\n");
	cr_assert_eq(cfg.backend_section_line, 5);
	cr_assert_eq(cfg.nr_bparams, 0);
	cr_assert_eq(cfg.table_size, 4096);
}

Test(config, ram_may_end_at_the_top_of_the_address_space)
{
	parse_ok(BASE_IOMMU "[memory]\nram_base = 0xfffffffffffff000\n"
			    "ram_size = 4K\ntable_base = 0\ntable_size = 4K\n");
	cr_assert_eq(cfg.ram_base, 0xfffffffffffff000ull);
}

/* ---- Malformed: sections ----------------------------------------------- */

Test(config, unknown_section_is_refused)
{
	expect_fail(BASE "[foo.bar]\nx = 1\n", -EINVAL, "<string>:9: [foo.bar]: ",
		    "unknown section");
}

Test(config, other_backend_section_after_iommu_is_unknown)
{
	expect_fail(BASE "[vtd]\nqueue = 4\n", -EINVAL, "<string>:9: [vtd]: ",
		    "unknown section");
}

Test(config, other_backend_section_before_iommu_is_unknown)
{
	expect_fail("[smmuv3]\nx = 1\n" BASE, -EINVAL, "<string>:1: [smmuv3]: ",
		    "unknown section");
}

Test(config, duplicate_section_is_refused)
{
	expect_fail(BASE "\n[memory]\n", -EINVAL, "<string>:10: [memory]: ",
		    "duplicate section (first at line 5)");
}

Test(config, duplicate_device_section_is_refused)
{
	expect_fail(BASE "[device.a]\nid = 1\n[device.a]\nid = 2\n", -EINVAL,
		    "<string>:11: [device.a]: ", "duplicate section");
}

Test(config, bad_device_name_is_refused)
{
	expect_fail(BASE "[device.a b]\nid = 1\n", -EINVAL,
		    "<string>:9: [device.a b]: ", "not a device name");
}

Test(config, text_after_section_header_is_refused)
{
	expect_fail(BASE "[device.a] id = 1\n", -EINVAL,
		    "<string>:9: [device.a]: ", "text after the section header");
}

Test(config, missing_iommu_section_names_line_0)
{
	expect_fail(BASE_MEMORY, -EINVAL, "<string>:0: [iommu] backend: ",
		    "required key is missing");
}

Test(config, missing_memory_section_names_line_0)
{
	expect_fail(BASE_IOMMU, -EINVAL, "<string>:0: [memory] table_base: ",
		    "no [memory] section");
}

/* ---- Malformed: keys ---------------------------------------------------- */

Test(config, key_outside_any_section_is_refused)
{
	expect_fail("backend = virtio\n" BASE, -EINVAL, "<string>:1: backend: ",
		    "outside any section");
}

Test(config, unknown_key_is_refused)
{
	expect_fail(BASE_IOMMU "colour = blue\n" BASE_MEMORY, -EINVAL,
		    "<string>:5: [iommu] colour: ", "unknown key");
}

Test(config, unknown_device_key_is_refused)
{
	expect_fail(BASE "[device.a]\nid = 1\nbus = 2\n", -EINVAL,
		    "<string>:11: [device.a] bus: ", "unknown key");
}

Test(config, duplicate_key_is_refused)
{
	expect_fail(BASE "table_size = 32M\n", -EINVAL,
		    "<string>:9: [memory] table_size: ",
		    "duplicate key (first at line 8)");
}

Test(config, duplicate_key_in_backend_section_is_refused)
{
	expect_fail(BASE "[virtio]\nqueue_max = 4\nqueue_max = 8\n", -EINVAL,
		    "<string>:11: [virtio] queue_max: ",
		    "duplicate key (first at line 10)");
}

Test(config, missing_required_key_names_section_line)
{
	expect_fail("[iommu]\nbackend = virtio\ninvalidation = strict\n"
		    BASE_MEMORY,
		    -EINVAL, "<string>:1: [iommu] default_domain: ",
		    "required key is missing");
}

Test(config, missing_table_size_names_memory_line)
{
	expect_fail(BASE_IOMMU "\n[memory]\ntable_base = 0\n", -EINVAL,
		    "<string>:6: [memory] table_size: ",
		    "required key is missing");
}

Test(config, device_without_id_is_refused)
{
	expect_fail(BASE "[device.a]\ngroup = g\n[device.b]\nid = 1\n",
		    -EINVAL, "<string>:9: [device.a] id: ",
		    "required key is missing");
}

Test(config, empty_value_is_refused)
{
	expect_fail("[iommu]\nbackend = virtio\nplugin =\n", -EINVAL,
		    "<string>:3: [iommu] plugin: ", "empty value");
}

/* ---- Malformed: values -------------------------------------------------- */

Test(config, size_that_is_not_a_number_is_refused)
{
	expect_fail(BASE_IOMMU "[memory]\ntable_base = 0\n\n"
			       "table_size = abc\n",
		    -EINVAL, "<string>:8: [memory] table_size: ",
		    "'abc' is not a size");
}

Test(config, size_with_trailing_garbage_is_refused)
{
	expect_fail(BASE_IOMMU "[memory]\ntable_base = 0\ntable_size = 4096x\n",
		    -EINVAL, "<string>:7: [memory] table_size: ",
		    "'4096x' is not a size");
}

Test(config, negative_size_is_refused)
{
	expect_fail(BASE_IOMMU "[memory]\ntable_base = -4096\n", -EINVAL,
		    "<string>:6: [memory] table_base: ", "'-4096' is not a size");
}

Test(config, size_overflow_is_refused)
{
	expect_fail(BASE_IOMMU "[memory]\ntable_base = 0x10000000000000000\n",
		    -EINVAL, "<string>:6: [memory] table_base: ",
		    "does not fit in 64 bits");
}

Test(config, size_suffix_overflow_is_refused)
{
	expect_fail(BASE_IOMMU "[memory]\nram_size = 16777216T\n", -EINVAL,
		    "<string>:6: [memory] ram_size: ", "does not fit in 64 bits");
}

Test(config, table_size_not_page_multiple_is_refused)
{
	expect_fail(BASE_IOMMU "[memory]\ntable_base = 0\ntable_size = 1000\n",
		    -EINVAL, "<string>:7: [memory] table_size: ",
		    "multiple of 4096");
}

Test(config, table_size_over_64g_is_refused)
{
	/* A fuzzer's INI: 0x4000001M, 64 TiB of table range. */
	expect_fail(BASE_IOMMU "[memory]\ntable_base = 0x800000\n"
			       "table_size = 0x4000001M\n",
		    -EINVAL, "<string>:7: [memory] table_size: ", "more than 64G");
	parse_ok(BASE_IOMMU "[memory]\ntable_base = 0\ntable_size = 64G\n");
	cr_assert_eq(cfg.table_size, 64ull << 30);
}

Test(config, unaligned_table_base_is_refused)
{
	expect_fail(BASE_IOMMU "[memory]\ntable_base = 0x1800\n", -EINVAL,
		    "<string>:6: [memory] table_base: ", "not aligned to 4096");
}

Test(config, zero_ram_size_is_refused)
{
	expect_fail(BASE_IOMMU "[memory]\nram_size = 0\n", -EINVAL,
		    "<string>:6: [memory] ram_size: ", "non-zero multiple");
}

Test(config, ram_beyond_2_to_the_64_is_refused)
{
	expect_fail(BASE_IOMMU "[memory]\nram_base = 0xfffffffffffff000\n"
			       "ram_size = 8K\ntable_base = 0\n"
			       "table_size = 4K\n",
		    -EINVAL, "<string>:7: [memory] ram_size: ",
		    "beyond 2^64");
}

Test(config, ram_base_without_ram_size_is_refused)
{
	expect_fail(BASE_IOMMU "[memory]\nram_base = 1G\ntable_base = 0\n"
			       "table_size = 4K\n",
		    -EINVAL, "<string>:6: [memory] ram_base: ",
		    "without ram_size");
}

Test(config, bad_default_domain_is_refused)
{
	expect_fail("[iommu]\nbackend = virtio\ndefault_domain = blocked\n",
		    -EINVAL, "<string>:3: [iommu] default_domain: ",
		    "'blocked' is not one of dma, identity");
}

Test(config, bad_invalidation_is_refused)
{
	expect_fail("[iommu]\ninvalidation = lazy\n", -EINVAL,
		    "<string>:2: [iommu] invalidation: ",
		    "'lazy' is not one of strict, deferred");
}

Test(config, bad_backend_name_is_refused)
{
	expect_fail("[iommu]\nbackend = Virtio!\n", -EINVAL,
		    "<string>:2: [iommu] backend: ", "not a backend name");
}

Test(config, device_number_beyond_31_is_refused)
{
	expect_fail(BASE "[device.a]\nid = 00:20.0\n", -EINVAL,
		    "<string>:10: [device.a] id: ", "out of range");
}

Test(config, function_beyond_7_is_refused)
{
	expect_fail(BASE "[device.a]\nid = 00:01.8\n", -EINVAL,
		    "<string>:10: [device.a] id: ", "out of range");
}

Test(config, malformed_bdf_is_refused)
{
	expect_fail(BASE "[device.a]\nid = 0:1:2.3\n", -EINVAL,
		    "<string>:10: [device.a] id: ", "not a device ID");
}

Test(config, id_beyond_32_bits_is_refused)
{
	expect_fail(BASE "[device.a]\nid = 0x100000000\n", -EINVAL,
		    "<string>:10: [device.a] id: ",
		    "out of range 0..0xffffffff");
}

Test(config, duplicate_device_id_is_refused)
{
	expect_fail(BASE "[device.a]\nid = 00:01.0\n[device.b]\nid = 8\n",
		    -EINVAL, "<string>:12: [device.b] id: ",
		    "already the id of [device.a] (line 9)");
}

Test(config, alias_to_missing_device_names_alias_line)
{
	expect_fail(BASE "[device.a]\nid = 1\nalias = ghost\n[device.b]\n"
			 "id = 2\n",
		    -EINVAL, "<string>:11: [device.a] alias: ",
		    "no section [device.ghost]");
}

Test(config, alias_to_itself_is_refused)
{
	expect_fail(BASE "[device.a]\nalias = a\nid = 1\n", -EINVAL,
		    "<string>:10: [device.a] alias: ", "names the device itself");
}

Test(config, unknown_feature_is_refused)
{
	expect_fail(BASE "[device.a]\nid = 1\nfeatures = aux,ats\n", -EINVAL,
		    "<string>:11: [device.a] features: ",
		    "'ats' is not one of aux, sva, iopf");
}

Test(config, empty_feature_item_is_refused)
{
	expect_fail(BASE "[device.a]\nid = 1\nfeatures = aux,,sva\n", -EINVAL,
		    "<string>:11: [device.a] features: ", "empty item");
}

Test(config, pasid_bits_beyond_20_is_refused)
{
	expect_fail(BASE "[device.a]\nid = 1\npasid_bits = 21\n", -EINVAL,
		    "<string>:11: [device.a] pasid_bits: ",
		    "'21' is out of range 0..20");
}

/* ---- Malformed: syntax -------------------------------------------------- */

Test(config, line_without_equals_is_a_syntax_error)
{
	expect_fail(BASE_IOMMU "[memory]\ntable_base 0\ntable_size = 4K\n",
		    -EINVAL, "<string>:6: ", "syntax error");
}

Test(config, syntax_error_wins_over_the_missing_key_it_causes)
{
	expect_fail("[iommu]\nbackend virtio\n[memory]\n", -EINVAL,
		    "<string>:2: ", "syntax error");
}

Test(config, unterminated_section_header_is_a_syntax_error)
{
	expect_fail(BASE "[device.a\nid = 1\n", -EINVAL, "<string>:9: ",
		    "syntax error");
}

Test(config, indented_continuation_line_is_refused)
{
	expect_fail(BASE_IOMMU "[memory]\ntable_base = 0\n  table_size = 4K\n",
		    -EINVAL, "<string>:7: [memory]: ", "indented line");
}

Test(config, overlong_line_is_refused)
{
	char text[512];

	snprintf(text, sizeof(text), BASE "; %0300d\n", 0);
	expect_fail(text, -EINVAL, "<string>:9: ", "line is longer than");
}

/* ---- Files -------------------------------------------------------------- */

static char tmpdir[PATH_MAX];

static void write_file(char *path, size_t len, const char *name,
		       const char *text)
{
	FILE *f;

	if (!tmpdir[0]) {
		strcpy(tmpdir, "/tmp/iommu-test-config-XXXXXX");
		cr_assert_not_null(mkdtemp(tmpdir));
	}
	snprintf(path, len, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static void files_fini(void)
{
	char path[PATH_MAX + 32];

	iommu__config_free(&cfg);
	if (!tmpdir[0])
		return;
	snprintf(path, sizeof(path), "%s/a.ini", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/b.ini", tmpdir);
	unlink(path);
	rmdir(tmpdir);
}

TestSuite(config_file, .fini = files_fini);

Test(config_file, good_file_sets_file_and_dir)
{
	char path[PATH_MAX + 32];
	int ret;

	write_file(path, sizeof(path), "a.ini", BASE "[device.x]\nid = 7\n");
	ret = iommu__config_parse(path, NULL, &cfg, err, sizeof(err));
	cr_assert_eq(ret, 0, "%s", err);
	cr_assert_str_eq(cfg.file, path);
	cr_assert_str_eq(cfg.dir, tmpdir);
	cr_assert_eq(cfg.nr_devs, 1);
	cr_assert_eq(cfg.devs[0].id, 7);
}

Test(config_file, bad_size_in_file_names_file_and_line)
{
	char path[PATH_MAX + 32], want[PATH_MAX + 128];
	int ret;

	write_file(path, sizeof(path), "a.ini",
		   BASE_IOMMU "\n[memory]\n; sizes\ntable_size = abc\n");
	ret = iommu__config_parse(path, NULL, &cfg, err, sizeof(err));
	cr_assert_eq(ret, -EINVAL);
	snprintf(want, sizeof(want),
		 "%s:8: [memory] table_size: 'abc' is not a size", path);
	cr_assert_eq(strncmp(err, want, strlen(want)), 0, "got '%s'", err);
}

Test(config_file, unknown_key_in_file_names_file_and_line)
{
	char path[PATH_MAX + 32], want[PATH_MAX + 128];
	int ret;

	write_file(path, sizeof(path), "b.ini",
		   BASE "[device.nic]\nid = 1\nspeed = 10\n");
	ret = iommu__config_parse(path, NULL, &cfg, err, sizeof(err));
	cr_assert_eq(ret, -EINVAL);
	snprintf(want, sizeof(want), "%s:11: [device.nic] speed: unknown key",
		 path);
	cr_assert_eq(strncmp(err, want, strlen(want)), 0, "got '%s'", err);
}

Test(config_file, missing_file_is_enoent)
{
	int ret = iommu__config_parse("/nonexistent/dir/x.ini", NULL, &cfg,
				      err, sizeof(err));

	cr_assert_eq(ret, -ENOENT);
	cr_assert_neq(strstr(err, "/nonexistent/dir/x.ini"), NULL, "%s", err);
}

Test(config_file, directory_is_refused)
{
	int ret = iommu__config_parse("/tmp", NULL, &cfg, err, sizeof(err));

	cr_assert_eq(ret, -EINVAL);
	cr_assert_neq(strstr(err, "/tmp"), NULL, "%s", err);
}

Test(config, no_input_is_einval)
{
	cr_assert_eq(iommu__config_parse(NULL, NULL, &cfg, err, sizeof(err)),
		     -EINVAL);
	cr_assert_eq(iommu__config_parse(NULL, BASE, NULL, err, sizeof(err)),
		     -EINVAL);
	/* No error buffer is fine too. */
	cr_assert_eq(iommu__config_parse(NULL, "[x]\n", &cfg, NULL, 0),
		     -EINVAL);
}

/* ---- Number parsers ----------------------------------------------------- */

Test(config_parse, sizes)
{
	uint64_t v;

	cr_assert_eq(iommu__parse_size("0", &v), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(iommu__parse_size("4096", &v), 0);
	cr_assert_eq(v, 4096);
	cr_assert_eq(iommu__parse_size("0x1000", &v), 0);
	cr_assert_eq(v, 4096);
	cr_assert_eq(iommu__parse_size("4K", &v), 0);
	cr_assert_eq(v, 4096);
	cr_assert_eq(iommu__parse_size("2m", &v), 0);
	cr_assert_eq(v, 2ull << 20);
	cr_assert_eq(iommu__parse_size("3G", &v), 0);
	cr_assert_eq(v, 3ull << 30);
	cr_assert_eq(iommu__parse_size("0x10T", &v), 0);
	cr_assert_eq(v, 16ull << 40);
	cr_assert_eq(iommu__parse_size("18446744073709551615", &v), 0);
	cr_assert_eq(v, UINT64_MAX);
	cr_assert_eq(iommu__parse_size("16777215T", &v), 0);
	cr_assert_eq(v, 16777215ull << 40);
	cr_assert_eq(iommu__parse_size("18446744073709551616", &v), -ERANGE);
	cr_assert_eq(iommu__parse_size("16777216T", &v), -ERANGE);
	cr_assert_eq(iommu__parse_size("", &v), -EINVAL);
	cr_assert_eq(iommu__parse_size("K", &v), -EINVAL);
	cr_assert_eq(iommu__parse_size("0x", &v), -EINVAL);
	cr_assert_eq(iommu__parse_size("-1", &v), -EINVAL);
	cr_assert_eq(iommu__parse_size("+1", &v), -EINVAL);
	cr_assert_eq(iommu__parse_size(" 1", &v), -EINVAL);
	cr_assert_eq(iommu__parse_size("1 K", &v), -EINVAL);
	cr_assert_eq(iommu__parse_size("1KB", &v), -EINVAL);
	cr_assert_eq(iommu__parse_size("12ab", &v), -EINVAL);
	cr_assert_eq(iommu__parse_size(NULL, &v), -EINVAL);
}

Test(config_parse, device_ids)
{
	uint32_t id;

	cr_assert_eq(iommu__parse_dev_id("00:00.0", &id), 0);
	cr_assert_eq(id, 0);
	cr_assert_eq(iommu__parse_dev_id("ff:1f.7", &id), 0);
	cr_assert_eq(id, 0xffff);
	cr_assert_eq(iommu__parse_dev_id("3:4.5", &id), 0);
	cr_assert_eq(id, 3u << 8 | 4u << 3 | 5u);
	cr_assert_eq(iommu__parse_dev_id("0A:1b.2", &id), 0);
	cr_assert_eq(id, 0x0au << 8 | 0x1bu << 3 | 2u);
	cr_assert_eq(iommu__parse_dev_id("42", &id), 0);
	cr_assert_eq(id, 42);
	cr_assert_eq(iommu__parse_dev_id("0xffffffff", &id), 0);
	cr_assert_eq(id, 0xffffffffu);
	cr_assert_eq(iommu__parse_dev_id("0x100000000", &id), -ERANGE);
	cr_assert_eq(iommu__parse_dev_id("00:20.0", &id), -ERANGE);
	cr_assert_eq(iommu__parse_dev_id("00:00.8", &id), -ERANGE);
	cr_assert_eq(iommu__parse_dev_id("100:00.0", &id), -EINVAL);
	cr_assert_eq(iommu__parse_dev_id("00:00", &id), -EINVAL);
	cr_assert_eq(iommu__parse_dev_id("00:00.", &id), -EINVAL);
	cr_assert_eq(iommu__parse_dev_id("00:00.00", &id), -EINVAL);
	cr_assert_eq(iommu__parse_dev_id("0x0:00.0", &id), -EINVAL);
	cr_assert_eq(iommu__parse_dev_id("0000:00:01.0", &id), -EINVAL);
	cr_assert_eq(iommu__parse_dev_id("gg:00.0", &id), -EINVAL);
	cr_assert_eq(iommu__parse_dev_id("-1", &id), -EINVAL);
	cr_assert_eq(iommu__parse_dev_id("", &id), -EINVAL);
	cr_assert_eq(iommu__parse_dev_id("1K", &id), -EINVAL);
}

/* ---- Backend parameters ------------------------------------------------- */

static const char *const test_modes[] = { "legacy", "scalable", NULL };
static const struct iommu_param_spec test_params[] = {
	{ "queue_size", IOMMU_PARAM_U64, 2, 4096, 256, NULL, "entries" },
	{ "window", IOMMU_PARAM_SIZE, 4096, 1ull << 40, 1ull << 20, NULL,
	  "bytes" },
	{ "caching", IOMMU_PARAM_BOOL, 0, 1, 1, NULL, "caching mode" },
	{ "mode", IOMMU_PARAM_ENUM, 0, 0, 1, test_modes, "table mode" },
};
static const struct iommu_plugin test_plugin = {
	.magic = IOMMU_PLUGIN_MAGIC,
	.name = "virtio",
	.params = test_params,
	.nr_params = 4,
};

/* Parse BASE plus a [virtio] section at line 9 holding @body. */
static int bparams(const char *body, uint64_t v[4])
{
	char text[1024];

	snprintf(text, sizeof(text), BASE "[virtio]\n%s", body);
	parse_ok(text);
	return iommu__config_backend_params(&cfg, &test_plugin, v, err,
					    sizeof(err));
}

static void bparams_fail(const char *body, const char *prefix,
			 const char *reason)
{
	uint64_t v[4];
	int ret = bparams(body, v);

	cr_assert_eq(ret, -EINVAL, "rc %d, message: %s", ret, err);
	cr_assert_eq(strncmp(err, prefix, strlen(prefix)), 0,
		     "message '%s' does not start with '%s'", err, prefix);
	cr_assert_neq(strstr(err, reason), NULL,
		      "message '%s' does not say '%s'", err, reason);
}

TestSuite(config_params, .fini = cfg_fini);

Test(config_params, absent_keys_get_defaults)
{
	uint64_t v[4] = { 9, 9, 9, 9 };

	cr_assert_eq(bparams("", v), 0, "%s", err);
	cr_assert_eq(v[0], 256);
	cr_assert_eq(v[1], 1ull << 20);
	cr_assert_eq(v[2], 1);
	cr_assert_eq(v[3], 1);
}

Test(config_params, no_backend_section_gives_defaults)
{
	uint64_t v[4] = { 0 };

	parse_ok(BASE);
	cr_assert_eq(iommu__config_backend_params(&cfg, &test_plugin, v, err,
						  sizeof(err)),
		     0);
	cr_assert_eq(v[0], 256);
	cr_assert_eq(v[3], 1);
}

Test(config_params, given_keys_are_parsed_by_type)
{
	uint64_t v[4];

	cr_assert_eq(bparams("mode = legacy\nqueue_size = 0x1000\n"
			     "window = 2G\ncaching = off\n", v),
		     0, "%s", err);
	cr_assert_eq(v[0], 4096);
	cr_assert_eq(v[1], 2ull << 30);
	cr_assert_eq(v[2], 0);
	cr_assert_eq(v[3], 0);
	iommu__config_free(&cfg);
	cr_assert_eq(bparams("caching = true\nmode = scalable\n", v), 0);
	cr_assert_eq(v[2], 1);
	cr_assert_eq(v[3], 1);
}

Test(config_params, unknown_key_is_refused)
{
	bparams_fail("queue_size = 4\nqueue_depth = 4\n",
		     "<string>:11: [virtio] queue_depth: ", "unknown key");
}

Test(config_params, out_of_range_says_the_range)
{
	bparams_fail("queue_size = 5000\n", "<string>:10: [virtio] queue_size: ",
		     "'5000' is out of range 2..4096");
}

Test(config_params, below_minimum_says_the_range)
{
	bparams_fail("window = 1K\n", "<string>:10: [virtio] window: ",
		     "'1K' is out of range 4096..0x10000000000");
}

Test(config_params, u64_does_not_take_a_suffix)
{
	bparams_fail("queue_size = 1K\n", "<string>:10: [virtio] queue_size: ",
		     "'1K' is not a number");
}

Test(config_params, u64_overflow_is_out_of_range)
{
	bparams_fail("queue_size = 99999999999999999999\n",
		     "<string>:10: [virtio] queue_size: ", "out of range");
}

Test(config_params, bad_bool_is_refused)
{
	bparams_fail("\ncaching = maybe\n", "<string>:11: [virtio] caching: ",
		     "'maybe' is not a boolean");
}

Test(config_params, bad_enum_lists_the_choices)
{
	bparams_fail("mode = nested\n", "<string>:10: [virtio] mode: ",
		     "'nested' is not one of legacy, scalable");
}

Test(config_params, empty_value_is_refused)
{
	bparams_fail("queue_size =\n", "<string>:10: [virtio] queue_size: ",
		     "'' is not a number");
}

Test(config_params, malformed_param_table_is_refused)
{
	static const struct iommu_param_spec bad[] = {
		{ "x", IOMMU_PARAM_ENUM, 0, 0, 0, NULL, "no choices" },
	};
	struct iommu_plugin p = test_plugin;
	uint64_t v[1];

	parse_ok(BASE);
	p.params = bad;
	p.nr_params = 1;
	cr_assert_eq(iommu__config_backend_params(&cfg, &p, v, err,
						  sizeof(err)),
		     -EINVAL);
	cr_assert_neq(strstr(err, "malformed"), NULL, "%s", err);
	cr_assert_eq(iommu__config_backend_params(NULL, &p, v, err,
						  sizeof(err)),
		     -EINVAL);
}
