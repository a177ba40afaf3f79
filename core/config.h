/* SPDX-License-Identifier: MIT */
/*
 * config.h - INI configuration and plugin loader (core internals).
 *
 * The INI is parsed into plain data first (iommu__config_parse), the
 * plugin is loaded (iommu__plugin_load), and only then the backend's own
 * section is checked against the plugin's parameter table
 * (iommu__config_backend_params).  Every error message names the file,
 * the line and the key: "FILE:LINE: [SECTION] KEY: what is wrong".
 */
#ifndef IOMMU_CORE_CONFIG_H
#define IOMMU_CORE_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommu/iommu.h"
#include "iommu/plugin.h"

#define IOMMU__NAME_MAX 64
#define IOMMU__VALUE_MAX 512

/* [device.NAME] */
struct iommu__dev_cfg {
	char name[IOMMU__NAME_MAX];
	uint32_t id;           /* "id": BDF "bb:dd.f" or a number */
	bool has_id;
	char group[IOMMU__NAME_MAX]; /* "group": label; "" if none */
	char alias[IOMMU__NAME_MAX]; /* "alias": another [device.X] name */
	unsigned int features; /* "features": aux,sva,iopf (1 << FEAT) */
	unsigned int pasid_bits; /* "pasid_bits": 0..20 */
	int line;              /* line of the section header */
	int alias_line;        /* line of the "alias" key, 0 if none */
};

/* A key of the backend's section, checked once the plugin is loaded. */
struct iommu__kv {
	char key[IOMMU__NAME_MAX];
	char value[IOMMU__VALUE_MAX];
	int line;
};

struct iommu__config {
	char file[PATH_MAX];        /* as given, or "<string>" */
	char dir[PATH_MAX];         /* directory of the file ("." for strings) */
	/* [iommu] */
	char backend[IOMMU__NAME_MAX];    /* "backend" (required) */
	int backend_line;                 /* its line, for loader messages */
	char plugin[PATH_MAX];            /* "plugin": path, "" if absent */
	char plugin_dir[PATH_MAX];        /* "plugin_dir", "" if absent */
	enum iommu_domain_type default_type; /* "default_domain": dma|identity */
	bool strict;                      /* "invalidation": strict|deferred */
	unsigned int trace;               /* "trace": IOMMU_TRACE_BIT()s */
	char trace_file[PATH_MAX];        /* "trace_file", "" if absent */
	/* [memory] */
	bool has_ram;
	uint64_t ram_base;   /* "ram_base" (default 0) */
	uint64_t ram_size;   /* "ram_size" */
	uint64_t table_base; /* "table_base" (required) */
	uint64_t table_size; /* "table_size" (required) */
	/* [device.NAME] sections, in file order */
	struct iommu__dev_cfg *devs;
	size_t nr_devs;
	/* the section named after the backend */
	struct iommu__kv *bparams;
	size_t nr_bparams;
	int backend_section_line; /* 0 if absent */
};

/**
 * iommu__config_parse() - parse an INI file or string
 * @path: file to read, or NULL to parse @text
 * @text: INI text when @path is NULL
 * @cfg: zeroed by the call, filled on success; free with
 *       iommu__config_free() in every case
 * @err: receives "FILE:LINE: [SECTION] KEY: reason" on failure
 * Return: 0; -ENOENT file missing; -EINVAL any syntax or value error;
 * -ENOMEM.
 */
int iommu__config_parse(const char *path, const char *text,
			struct iommu__config *cfg, char *err, size_t errlen);

/**
 * iommu__config_backend_params() - check the backend section
 * @values: room for @plugin->nr_params values, filled in table order
 * (absent keys get the spec's default)
 * Return: 0; -EINVAL unknown key, bad value or out of range (message
 * names file, line and key).
 */
int iommu__config_backend_params(const struct iommu__config *cfg,
				 const struct iommu_plugin *plugin,
				 uint64_t *values, char *err, size_t errlen);

void iommu__config_free(struct iommu__config *cfg);

/* Parse "bb:dd.f" or a number (decimal or 0x) into a vendor ID. */
int iommu__parse_dev_id(const char *s, uint32_t *out);

/* Parse a number with optional K/M/G/T suffix (binary). */
int iommu__parse_size(const char *s, uint64_t *out);

/* ---- The INI parser's internals (config*.c) -------------------------- */

#define CFG_SECT_MAX (IOMMU__NAME_MAX + 8) /* "device." + a device name */

enum cfg_sect {
	SECT_NONE,    /* before the first header */
	SECT_IOMMU,
	SECT_MEMORY,
	SECT_DEVICE,
	SECT_BACKEND, /* may be the backend's own section */
};

enum {
	IK_BACKEND,
	IK_PLUGIN,
	IK_PLUGIN_DIR,
	IK_DEFAULT,
	IK_INVAL,
	IK_TRACE,
	IK_TRACE_FILE,
	IK_COUNT
};

/* "all" or a comma list of class names into IOMMU_TRACE_BIT()s (trace.c);
 * -EINVAL with the first bad word in @bad. */
int iommu__trace_parse(const char *s, unsigned int *mask, char *bad,
		       size_t badlen);
enum { MK_RAM_BASE, MK_RAM_SIZE, MK_TABLE_BASE, MK_TABLE_SIZE, MK_COUNT };
enum { DK_ID, DK_GROUP, DK_ALIAS, DK_FEATURES, DK_PASID_BITS, DK_COUNT };

/* The keys of [iommu] and [memory], in the order above (config_keys.c). */
extern const char *const iommu__cfg_iommu_keys[IK_COUNT + 1];
extern const char *const iommu__cfg_memory_keys[MK_COUNT + 1];

/* A section that may be the backend's (its name is a backend name). */
struct cfg_cand {
	char name[IOMMU__NAME_MAX];
	int line;
	struct iommu__kv *kvs;
	size_t nr_kvs;
	size_t cap_kvs;
};

/* A section header already seen, for duplicate detection. */
struct cfg_seen {
	char name[CFG_SECT_MAX];
	int line;
};

struct cfg_parser {
	struct iommu__config *cfg;
	char *err;
	size_t errlen;
	int rc;        /* first error, 0 while none */
	int err_line;
	int handler_err_line; /* the handler failed on this line, 0 if not */

	/* input: the whole text, handed to inih line by line */
	const char *pos;
	const char *end;
	int line;
	bool after_key; /* inih would take an indented line as continuation */

	/* the current section */
	enum cfg_sect kind;
	char sect[CFG_SECT_MAX];
	int sect_line;
	int key_line[8]; /* line of each known key of this section, 0 absent */
	size_t cand;     /* SECT_BACKEND: index into cands */

	int iommu_line, memory_line;
	int iommu_keys[IK_COUNT];
	int memory_keys[MK_COUNT];

	struct cfg_cand *cands;
	size_t nr_cands;
	struct cfg_seen *seen;
	size_t nr_seen;
	size_t cap_devs;
};

/* config.c */
/* Record the first error: "FILE:LINE: [SECT] KEY: reason". */
int iommu__cfg_err(struct cfg_parser *p, int rc, int line, const char *sect,
		   const char *key, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
int iommu__cfg_nomem(struct cfg_parser *p);
/* "a, b, c" for messages. */
const char *iommu__cfg_join(char *buf, size_t len, const char *const *words);
bool iommu__cfg_is_backend_name(const char *s);
bool iommu__cfg_is_dev_name(const char *s);
bool iommu__cfg_is_group_label(const char *s);
/* Reserved: a backend must not take the name of a core section. */
bool iommu__cfg_is_reserved(const char *s);
/* Once the backend is known, every candidate section must be its own. */
int iommu__cfg_cands_check(struct cfg_parser *p);

/* config_keys.c: inih's callback for one "key = value". */
int iommu__cfg_handler(void *user, const char *section, const char *key,
		       const char *value);

/* config_values.c: exactly a decimal or 0x-hex number. */
int iommu__cfg_parse_u64(const char *s, uint64_t *out);


struct iommu__plugin_handle {
	void *dl;
	const struct iommu_plugin *desc; /* = &desc_copy once loaded */
	char path[PATH_MAX];
	/* The plugin's tables, taken in at load (core/abi.c). */
	struct iommu_plugin desc_copy;
	struct iommu_hw_ops hw;
	struct iommu_ops ops;
};

/*
 * iommu__abi_take_plugin() - copy a plugin's descriptor and ops tables
 * into @h's own, full tables and check them (core/abi.c)
 * Return: NULL, or why the plugin is refused (written to @why).
 */
const char *iommu__abi_take_plugin(struct iommu__plugin_handle *h,
				   const struct iommu_plugin *d, char *why,
				   size_t whylen);

/**
 * iommu__plugin_load() - find, dlopen and check a backend plugin
 * @cfg: gives backend name, "plugin" and "plugin_dir" (relative paths are
 *       taken from the INI file's directory)
 * Search: the "plugin" key; then "plugin_dir"/iommu-NAME.so; then each
 * directory of $IOMMU_PLUGIN_PATH (colon-separated); then the build's own
 * plugin folder.  Refuses, naming the path and the reason: missing file,
 * dlopen failure, no entry symbol iommu_plugin_NAME, NULL descriptor, bad
 * magic, other major, newer minor, descriptor too small, name not the
 * INI's, a required op missing.
 * Return: 0; -ENOENT not found; -ENOEXEC refused.
 */
int iommu__plugin_load(const struct iommu__config *cfg,
		       struct iommu__plugin_handle *out, char *err,
		       size_t errlen);

/* dlclose unless $IOMMU_NO_DLCLOSE=1. */
void iommu__plugin_unload(struct iommu__plugin_handle *h);

#endif /* IOMMU_CORE_CONFIG_H */
