// SPDX-License-Identifier: MIT
/*
 * config.c - the INI configuration: parse a file or a string into a
 * struct iommu__config, and check the backend's own section against the
 * plugin's parameter table once the plugin is loaded.
 *
 * inih does the tokenizing (comments, "key = value", whitespace).  The
 * Debian build of inih (r55) calls the handler without a line number and
 * not at all for a section header, so this file feeds inih through its
 * own line reader (cfg_read_line): the reader counts lines, hands inih
 * one whole line at a time, and handles section headers itself (so that
 * an empty section, a duplicate section or an unknown one is seen and
 * named with its line).  The handler (cfg_handler) is called for each
 * "key = value" line and knows its line from the reader.
 *
 * The first error wins: it is written to the caller's buffer as
 * "FILE:LINE: [SECTION] KEY: reason" and parsing stops.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "config.h"

#define CFG_PAGE_SIZE 4096ull
#define CFG_FILE_MAX (1u << 20)    /* refuse INI files above 1 MiB */
#define CFG_SECT_MAX (IOMMU__NAME_MAX + 8) /* "device." + a device name */
#define CFG_PASID_BITS_MAX 20

/* ---- Numbers ---------------------------------------------------------- */

/*
 * Parse exactly @n bytes of @s as a decimal or 0x-hex number.
 * Return: 0; -EINVAL not a number (empty, sign, garbage); -ERANGE it does
 * not fit in 64 bits.
 */
static int cfg_parse_u64n(const char *s, size_t n, uint64_t *out)
{
	unsigned int base = 10;
	uint64_t v = 0;
	bool overflow = false;
	size_t i = 0;

	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == n)
		return -EINVAL;
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -EINVAL;
		if (v > (UINT64_MAX - d) / base)
			overflow = true;
		else
			v = v * base + d;
	}
	if (overflow)
		return -ERANGE;
	*out = v;
	return 0;
}

/* Exactly @n (1..15) plain hex digits, no prefix. */
static int cfg_parse_hexn(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!n || n > 15)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isxdigit(c))
			return -EINVAL;
		v = v << 4 | (uint64_t)(isdigit(c) ? c - '0'
						    : tolower(c) - 'a' + 10);
	}
	*out = v;
	return 0;
}

static int cfg_parse_u64(const char *s, uint64_t *out)
{
	return cfg_parse_u64n(s, strlen(s), out);
}

/**
 * iommu__parse_size() - parse a number with an optional binary suffix
 * @s: decimal or 0x hex, then optionally one of K, M, G, T (or k, m, g,
 *     t) for 2^10, 2^20, 2^30, 2^40; no sign, no spaces, no other text
 * @out: receives the value
 *
 * Context: any.
 * Return: 0; -EINVAL not a size (NULL, empty, garbage); -ERANGE the value
 * does not fit in 64 bits.
 */
int iommu__parse_size(const char *s, uint64_t *out)
{
	unsigned int shift = 0;
	uint64_t v;
	size_t n;
	int rc;

	if (!s || !out)
		return -EINVAL;
	n = strlen(s);
	if (n) {
		switch (s[n - 1]) {
		case 'K': case 'k': shift = 10; break;
		case 'M': case 'm': shift = 20; break;
		case 'G': case 'g': shift = 30; break;
		case 'T': case 't': shift = 40; break;
		default: break;
		}
	}
	rc = cfg_parse_u64n(s, shift ? n - 1 : n, &v);
	if (rc)
		return rc;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

/**
 * iommu__parse_dev_id() - parse a device's vendor ID
 * @s: "bb:dd.f" (PCI bus, device, function in hex: bus 0..ff, device
 *     0..1f, function 0..7; one or two digits for bus and device), or a
 *     number (decimal or 0x hex) up to 0xffffffff
 * @out: receives bus << 8 | dev << 3 | fn, or the number
 *
 * Context: any.
 * Return: 0; -EINVAL malformed; -ERANGE a field or the number too big.
 */
int iommu__parse_dev_id(const char *s, uint32_t *out)
{
	const char *colon, *dot;
	uint64_t bus, dev, fn;
	size_t nb, nd;

	if (!s || !out)
		return -EINVAL;
	colon = strchr(s, ':');
	if (!colon) {
		uint64_t v;
		int rc = cfg_parse_u64(s, &v);

		if (rc)
			return rc;
		if (v > UINT32_MAX)
			return -ERANGE;
		*out = (uint32_t)v;
		return 0;
	}
	dot = strchr(colon + 1, '.');
	if (!dot)
		return -EINVAL;
	nb = (size_t)(colon - s);
	nd = (size_t)(dot - colon - 1);
	if (nb < 1 || nb > 2 || nd < 1 || nd > 2 || strlen(dot + 1) != 1 ||
	    cfg_parse_hexn(s, nb, &bus) || cfg_parse_hexn(colon + 1, nd, &dev) ||
	    cfg_parse_hexn(dot + 1, 1, &fn))
		return -EINVAL;
	if (dev >= 32 || fn >= 8)
		return -ERANGE;
	*out = (uint32_t)(bus << 8 | dev << 3 | fn);
	return 0;
}

/* Format @v for a message: decimal when small, else hex. */
static const char *cfg_fmt_u64(char buf[24], uint64_t v)
{
	if (v < 100000)
		snprintf(buf, 24, "%" PRIu64, v);
	else
		snprintf(buf, 24, "0x%" PRIx64, v);
	return buf;
}

/* ---- Parser state ----------------------------------------------------- */

enum cfg_sect {
	SECT_NONE,    /* before the first header */
	SECT_IOMMU,
	SECT_MEMORY,
	SECT_DEVICE,
	SECT_BACKEND, /* may be the backend's own section */
};

enum { IK_BACKEND, IK_PLUGIN, IK_PLUGIN_DIR, IK_DEFAULT, IK_INVAL, IK_COUNT };
static const char *const cfg_iommu_keys[IK_COUNT + 1] = {
	"backend", "plugin", "plugin_dir", "default_domain", "invalidation",
	NULL,
};

enum { MK_RAM_BASE, MK_RAM_SIZE, MK_TABLE_BASE, MK_TABLE_SIZE, MK_COUNT };
static const char *const cfg_memory_keys[MK_COUNT + 1] = {
	"ram_base", "ram_size", "table_base", "table_size", NULL,
};

enum { DK_ID, DK_GROUP, DK_ALIAS, DK_FEATURES, DK_PASID_BITS, DK_COUNT };
static const char *const cfg_device_keys[DK_COUNT + 1] = {
	"id", "group", "alias", "features", "pasid_bits", NULL,
};

static const char *const cfg_feature_names[IOMMU_DEV_FEAT_COUNT] = {
	[IOMMU_DEV_FEAT_AUX] = "aux",
	[IOMMU_DEV_FEAT_SVA] = "sva",
	[IOMMU_DEV_FEAT_IOPF] = "iopf",
};

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

/*
 * Record the first error.  @sect and @key may be NULL; the message is
 * "FILE:LINE: [SECT] KEY: reason" with the absent parts left out.
 */
__attribute__((format(printf, 6, 7)))
static int cfg_err(struct cfg_parser *p, int rc, int line, const char *sect,
		   const char *key, const char *fmt, ...)
{
	char reason[768];
	va_list ap;

	if (p->rc)
		return p->rc;
	p->rc = rc;
	p->err_line = line;
	if (!p->err || !p->errlen)
		return rc;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (sect && key)
		snprintf(p->err, p->errlen, "%s:%d: [%s] %s: %s", p->cfg->file,
			 line, sect, key, reason);
	else if (sect)
		snprintf(p->err, p->errlen, "%s:%d: [%s]: %s", p->cfg->file,
			 line, sect, reason);
	else if (key)
		snprintf(p->err, p->errlen, "%s:%d: %s: %s", p->cfg->file, line,
			 key, reason);
	else
		snprintf(p->err, p->errlen, "%s:%d: %s", p->cfg->file, line,
			 reason);
	return rc;
}

static int cfg_nomem(struct cfg_parser *p)
{
	return cfg_err(p, -ENOMEM, p->line, NULL, NULL, "out of memory");
}

static int cfg_key_index(const char *const *keys, const char *name)
{
	int i;

	for (i = 0; keys[i]; i++)
		if (!strcmp(keys[i], name))
			return i;
	return -1;
}

/* "a, b, c" for messages. */
static const char *cfg_join(char *buf, size_t len, const char *const *words)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; words[i] && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? ", " : "", words[i]);
	return buf;
}

static bool cfg_is_backend_name(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '_')
			return false;
	return i > 0 && i < IOMMU__NAME_MAX;
}

static bool cfg_is_name_char(char c, const char *extra)
{
	return isalnum((unsigned char)c) || (c && strchr(extra, c));
}

static bool cfg_is_dev_name(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!cfg_is_name_char(s[i], "_-"))
			return false;
	return i > 0 && i < IOMMU__NAME_MAX;
}

static bool cfg_is_group_label(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!cfg_is_name_char(s[i], "_-.:"))
			return false;
	return i > 0 && i < IOMMU__NAME_MAX;
}

/* Reserved: a backend must not take the name of a core section. */
static bool cfg_is_reserved(const char *s)
{
	return !strcmp(s, "iommu") || !strcmp(s, "memory") ||
	       !strcmp(s, "device");
}

/* ---- Values of [iommu], [memory], [device.NAME] ----------------------- */

static int cfg_bad_number(struct cfg_parser *p, int rc, int line,
			  const char *key, const char *value, bool size)
{
	if (rc == -ERANGE)
		return cfg_err(p, -EINVAL, line, p->sect, key,
			       "'%s' does not fit in 64 bits", value);
	return cfg_err(p, -EINVAL, line, p->sect, key,
		       size ? "'%s' is not a size (a number, decimal or 0x hex, with an optional K, M, G or T suffix)"
			    : "'%s' is not a number (decimal or 0x hex)",
		       value);
}

/* A path key: non-empty, and room left to join it to the INI's dir. */
static int cfg_path_value(struct cfg_parser *p, int line, const char *key,
			  const char *value, char *dst)
{
	if (!*value)
		return cfg_err(p, -EINVAL, line, p->sect, key, "empty path");
	if (strlen(value) >= PATH_MAX - 64)
		return cfg_err(p, -EINVAL, line, p->sect, key,
			       "path is too long");
	strcpy(dst, value);
	return 0;
}

static int cfg_cands_check(struct cfg_parser *p);

static int cfg_iommu_key(struct cfg_parser *p, int k, const char *key,
			 const char *value, int line)
{
	struct iommu__config *cfg = p->cfg;

	switch (k) {
	case IK_BACKEND:
		if (!cfg_is_backend_name(value))
			return cfg_err(p, -EINVAL, line, p->sect, key,
				       "'%s' is not a backend name (1 to %d of a-z, 0-9, _)",
				       value, IOMMU__NAME_MAX - 1);
		if (cfg_is_reserved(value))
			return cfg_err(p, -EINVAL, line, p->sect, key,
				       "'%s' is reserved for a core section",
				       value);
		strcpy(cfg->backend, value);
		cfg->backend_line = line;
		/* Sections seen before this key can be judged now. */
		return cfg_cands_check(p);
	case IK_PLUGIN:
		return cfg_path_value(p, line, key, value, cfg->plugin);
	case IK_PLUGIN_DIR:
		return cfg_path_value(p, line, key, value, cfg->plugin_dir);
	case IK_DEFAULT:
		if (!strcmp(value, "dma"))
			cfg->default_type = IOMMU_DOMAIN_DMA;
		else if (!strcmp(value, "identity"))
			cfg->default_type = IOMMU_DOMAIN_IDENTITY;
		else
			return cfg_err(p, -EINVAL, line, p->sect, key,
				       "'%s' is not one of dma, identity",
				       value);
		return 0;
	case IK_INVAL:
		if (!strcmp(value, "strict"))
			cfg->strict = true;
		else if (!strcmp(value, "deferred"))
			cfg->strict = false;
		else
			return cfg_err(p, -EINVAL, line, p->sect, key,
				       "'%s' is not one of strict, deferred",
				       value);
		return 0;
	}
	return 0;
}

static int cfg_memory_key(struct cfg_parser *p, int k, const char *key,
			  const char *value, int line)
{
	struct iommu__config *cfg = p->cfg;
	uint64_t v;
	int rc;

	rc = iommu__parse_size(value, &v);
	if (rc)
		return cfg_bad_number(p, rc, line, key, value, true);
	switch (k) {
	case MK_RAM_BASE:
	case MK_TABLE_BASE:
		if (v % CFG_PAGE_SIZE)
			return cfg_err(p, -EINVAL, line, p->sect, key,
				       "'%s' is not aligned to 4096", value);
		if (k == MK_RAM_BASE)
			cfg->ram_base = v;
		else
			cfg->table_base = v;
		return 0;
	case MK_RAM_SIZE:
		if (!v || v % CFG_PAGE_SIZE)
			return cfg_err(p, -EINVAL, line, p->sect, key,
				       "'%s' is not a non-zero multiple of 4096",
				       value);
		cfg->ram_size = v;
		cfg->has_ram = true;
		return 0;
	case MK_TABLE_SIZE:
		if (v < CFG_PAGE_SIZE || v % CFG_PAGE_SIZE)
			return cfg_err(p, -EINVAL, line, p->sect, key,
				       "'%s' is not a multiple of 4096 of at least 4096",
				       value);
		cfg->table_size = v;
		return 0;
	}
	return 0;
}

static int cfg_features(struct cfg_parser *p, const char *key,
			const char *value, int line, unsigned int *out)
{
	const char *s = value;
	unsigned int feats = 0;

	if (!*value) {
		*out = 0;
		return 0;
	}
	for (;;) {
		const char *end = strchr(s, ',');
		size_t n = end ? (size_t)(end - s) : strlen(s);
		char word[16];
		int f;

		while (n && isspace((unsigned char)*s)) {
			s++;
			n--;
		}
		while (n && isspace((unsigned char)s[n - 1]))
			n--;
		if (!n)
			return cfg_err(p, -EINVAL, line, p->sect, key,
				       "'%s' has an empty item", value);
		for (f = 0; f < IOMMU_DEV_FEAT_COUNT; f++)
			if (strlen(cfg_feature_names[f]) == n &&
			    !strncmp(cfg_feature_names[f], s, n))
				break;
		if (f == IOMMU_DEV_FEAT_COUNT) {
			snprintf(word, sizeof(word), "%.*s",
				 n < 15 ? (int)n : 15, s);
			return cfg_err(p, -EINVAL, line, p->sect, key,
				       "'%s' is not one of aux, sva, iopf",
				       word);
		}
		if (feats & (1u << f))
			return cfg_err(p, -EINVAL, line, p->sect, key,
				       "'%s' is listed twice",
				       cfg_feature_names[f]);
		feats |= 1u << f;
		if (!end)
			break;
		s = end + 1;
	}
	*out = feats;
	return 0;
}

static int cfg_device_key(struct cfg_parser *p, int k, const char *key,
			  const char *value, int line)
{
	struct iommu__config *cfg = p->cfg;
	struct iommu__dev_cfg *dev = &cfg->devs[cfg->nr_devs - 1];
	uint64_t v;
	size_t i;
	int rc;

	switch (k) {
	case DK_ID:
		rc = iommu__parse_dev_id(value, &dev->id);
		if (rc == -ERANGE)
			return cfg_err(p, -EINVAL, line, p->sect, key,
				       strchr(value, ':')
					       ? "'%s' is out of range (bus 0..ff, device 0..1f, function 0..7)"
					       : "'%s' is out of range 0..0xffffffff",
				       value);
		if (rc)
			return cfg_err(p, -EINVAL, line, p->sect, key,
				       "'%s' is not a device ID (\"bb:dd.f\" or a number)",
				       value);
		for (i = 0; i + 1 < cfg->nr_devs; i++)
			if (cfg->devs[i].has_id && cfg->devs[i].id == dev->id)
				return cfg_err(p, -EINVAL, line, p->sect, key,
					       "'%s' is already the id of [device.%s] (line %d)",
					       value, cfg->devs[i].name,
					       cfg->devs[i].line);
		dev->has_id = true;
		return 0;
	case DK_GROUP:
		if (!cfg_is_group_label(value))
			return cfg_err(p, -EINVAL, line, p->sect, key,
				       "'%s' is not a group label (1 to %d of A-Z, a-z, 0-9, _, -, ., :)",
				       value, IOMMU__NAME_MAX - 1);
		strcpy(dev->group, value);
		return 0;
	case DK_ALIAS:
		if (!cfg_is_dev_name(value))
			return cfg_err(p, -EINVAL, line, p->sect, key,
				       "'%s' is not a device name (1 to %d of A-Z, a-z, 0-9, _, -)",
				       value, IOMMU__NAME_MAX - 1);
		strcpy(dev->alias, value);
		dev->alias_line = line;
		return 0;
	case DK_FEATURES:
		return cfg_features(p, key, value, line, &dev->features);
	case DK_PASID_BITS:
		rc = cfg_parse_u64(value, &v);
		if (rc)
			return cfg_bad_number(p, rc, line, key, value, false);
		if (v > CFG_PASID_BITS_MAX)
			return cfg_err(p, -EINVAL, line, p->sect, key,
				       "'%s' is out of range 0..%d", value,
				       CFG_PASID_BITS_MAX);
		dev->pasid_bits = (unsigned int)v;
		return 0;
	}
	return 0;
}

static int cfg_cand_key(struct cfg_parser *p, const char *key,
			const char *value, int line)
{
	struct cfg_cand *c = &p->cands[p->cand];
	struct iommu__kv *kv;
	size_t i;

	if (strlen(key) >= IOMMU__NAME_MAX)
		return cfg_err(p, -EINVAL, line, p->sect, key,
			       "key is too long");
	if (strlen(value) >= IOMMU__VALUE_MAX)
		return cfg_err(p, -EINVAL, line, p->sect, key,
			       "value is too long");
	for (i = 0; i < c->nr_kvs; i++)
		if (!strcmp(c->kvs[i].key, key))
			return cfg_err(p, -EINVAL, line, p->sect, key,
				       "duplicate key (first at line %d)",
				       c->kvs[i].line);
	if (c->nr_kvs == c->cap_kvs) {
		size_t cap = c->cap_kvs ? 2 * c->cap_kvs : 8;
		struct iommu__kv *n = realloc(c->kvs, cap * sizeof(*n));

		if (!n)
			return cfg_nomem(p);
		c->kvs = n;
		c->cap_kvs = cap;
	}
	kv = &c->kvs[c->nr_kvs++];
	memset(kv, 0, sizeof(*kv));
	strcpy(kv->key, key);
	strcpy(kv->value, value);
	kv->line = line;
	return 0;
}

/*
 * cfg_handler() - inih's callback for one "key = value"
 *
 * Return: 1 to go on; 0 on an error (recorded in the parser), which also
 * makes the reader stop feeding lines.
 */
static int cfg_handler(void *user, const char *section, const char *key,
		       const char *value)
{
	struct cfg_parser *p = user;
	const char *const *keys;
	int line = p->line;
	char known[128];
	int k, rc;

	(void)section; /* the reader tracks sections (inih truncates them) */
	if (p->rc)
		return 0;
	switch (p->kind) {
	case SECT_NONE:
		cfg_err(p, -EINVAL, line, NULL, key,
			"key outside any section");
		goto handler_err;
	case SECT_BACKEND:
		if (cfg_cand_key(p, key, value, line))
			goto handler_err;
		return 1;
	case SECT_IOMMU:
		keys = cfg_iommu_keys;
		break;
	case SECT_MEMORY:
		keys = cfg_memory_keys;
		break;
	case SECT_DEVICE:
	default:
		keys = cfg_device_keys;
		break;
	}
	k = cfg_key_index(keys, key);
	if (k < 0) {
		cfg_err(p, -EINVAL, line, p->sect, key,
			"unknown key (known keys: %s)",
			cfg_join(known, sizeof(known), keys));
		goto handler_err;
	}
	if (p->key_line[k]) {
		cfg_err(p, -EINVAL, line, p->sect, key,
			"duplicate key (first at line %d)", p->key_line[k]);
		goto handler_err;
	}
	p->key_line[k] = line;
	if (!*value && !(p->kind == SECT_DEVICE && k == DK_FEATURES)) {
		cfg_err(p, -EINVAL, line, p->sect, key, "empty value");
		goto handler_err;
	}
	if (p->kind == SECT_IOMMU)
		rc = cfg_iommu_key(p, k, key, value, line);
	else if (p->kind == SECT_MEMORY)
		rc = cfg_memory_key(p, k, key, value, line);
	else
		rc = cfg_device_key(p, k, key, value, line);
	if (rc)
		goto handler_err;
	return 1;

handler_err:
	/* inih records this line as its first error unless a syntax error
	 * came before: cfg_parse tells the two apart by the line. */
	if (!p->handler_err_line)
		p->handler_err_line = p->line;
	return 0;
}

/* ---- Sections --------------------------------------------------------- */

/*
 * Once the backend is known, every section that looked like a backend's
 * must be the backend's; the first other one is an unknown section.
 */
static int cfg_cands_check(struct cfg_parser *p)
{
	size_t i;

	for (i = 0; i < p->nr_cands; i++)
		if (strcmp(p->cands[i].name, p->cfg->backend))
			return cfg_err(p, -EINVAL, p->cands[i].line,
				       p->cands[i].name, NULL,
				       "unknown section (the backend is '%s')",
				       p->cfg->backend);
	return 0;
}

static int cfg_missing(struct cfg_parser *p, const char *sect, int line,
		       const char *key)
{
	if (!line)
		return cfg_err(p, -EINVAL, 0, sect, key,
			       "required key is missing (the file has no [%s] section)",
			       sect);
	return cfg_err(p, -EINVAL, line, sect, key,
		       "required key is missing");
}

/* Checks that need the whole section: required keys, key pairs. */
static int cfg_section_end(struct cfg_parser *p)
{
	struct iommu__config *cfg = p->cfg;
	int k;

	switch (p->kind) {
	case SECT_IOMMU:
		memcpy(p->iommu_keys, p->key_line, sizeof(p->iommu_keys));
		for (k = 0; k < IK_COUNT; k++)
			if ((k == IK_BACKEND || k == IK_DEFAULT ||
			     k == IK_INVAL) && !p->key_line[k])
				return cfg_missing(p, p->sect, p->sect_line,
						   cfg_iommu_keys[k]);
		return 0;
	case SECT_MEMORY:
		memcpy(p->memory_keys, p->key_line, sizeof(p->memory_keys));
		for (k = MK_TABLE_BASE; k <= MK_TABLE_SIZE; k++)
			if (!p->key_line[k])
				return cfg_missing(p, p->sect, p->sect_line,
						   cfg_memory_keys[k]);
		if (p->key_line[MK_RAM_BASE] && !p->key_line[MK_RAM_SIZE])
			return cfg_err(p, -EINVAL, p->key_line[MK_RAM_BASE],
				       p->sect, "ram_base",
				       "given without ram_size");
		if (cfg->has_ram && cfg->ram_size - 1 > UINT64_MAX - cfg->ram_base) {
			k = p->key_line[MK_RAM_BASE] > p->key_line[MK_RAM_SIZE]
				    ? MK_RAM_BASE
				    : MK_RAM_SIZE;
			return cfg_err(p, -EINVAL, p->key_line[k], p->sect,
				       cfg_memory_keys[k],
				       "ram_base + ram_size is beyond 2^64");
		}
		if (cfg->table_size - 1 > UINT64_MAX - cfg->table_base) {
			k = p->key_line[MK_TABLE_BASE] >
					    p->key_line[MK_TABLE_SIZE]
				    ? MK_TABLE_BASE
				    : MK_TABLE_SIZE;
			return cfg_err(p, -EINVAL, p->key_line[k], p->sect,
				       cfg_memory_keys[k],
				       "table_base + table_size is beyond 2^64");
		}
		return 0;
	case SECT_DEVICE:
		if (!p->key_line[DK_ID])
			return cfg_missing(p, p->sect, p->sect_line, "id");
		return 0;
	default:
		return 0;
	}
}

/* A header "[name]" at the current line. */
static int cfg_section_begin(struct cfg_parser *p, const char *name,
			     size_t len)
{
	struct iommu__config *cfg = p->cfg;
	int line = p->line;
	size_t i;

	if (cfg_section_end(p))
		return p->rc;
	p->after_key = false;
	memset(p->key_line, 0, sizeof(p->key_line));
	if (len >= CFG_SECT_MAX) {
		snprintf(p->sect, sizeof(p->sect), "%.*s...", 40, name);
		return cfg_err(p, -EINVAL, line, p->sect, NULL,
			       "section name is too long");
	}
	memcpy(p->sect, name, len);
	p->sect[len] = '\0';
	p->sect_line = line;
	for (i = 0; i < p->nr_seen; i++)
		if (!strcmp(p->seen[i].name, p->sect))
			return cfg_err(p, -EINVAL, line, p->sect, NULL,
				       "duplicate section (first at line %d)",
				       p->seen[i].line);

	if (!strcmp(p->sect, "iommu")) {
		p->kind = SECT_IOMMU;
		p->iommu_line = line;
	} else if (!strcmp(p->sect, "memory")) {
		p->kind = SECT_MEMORY;
		p->memory_line = line;
	} else if (!strncmp(p->sect, "device.", 7)) {
		struct iommu__dev_cfg *dev;

		if (!cfg_is_dev_name(p->sect + 7))
			return cfg_err(p, -EINVAL, line, p->sect, NULL,
				       "'%s' is not a device name (1 to %d of A-Z, a-z, 0-9, _, -)",
				       p->sect + 7, IOMMU__NAME_MAX - 1);
		if (cfg->nr_devs == p->cap_devs) {
			size_t cap = p->cap_devs ? 2 * p->cap_devs : 8;
			struct iommu__dev_cfg *n =
				realloc(cfg->devs, cap * sizeof(*n));

			if (!n)
				return cfg_nomem(p);
			cfg->devs = n;
			p->cap_devs = cap;
		}
		dev = &cfg->devs[cfg->nr_devs++];
		memset(dev, 0, sizeof(*dev));
		strcpy(dev->name, p->sect + 7);
		dev->line = line;
		p->kind = SECT_DEVICE;
	} else if (cfg_is_backend_name(p->sect) && !cfg_is_reserved(p->sect) &&
		   (!cfg->backend[0] || !strcmp(cfg->backend, p->sect))) {
		struct cfg_cand *n;

		n = realloc(p->cands, (p->nr_cands + 1) * sizeof(*n));
		if (!n)
			return cfg_nomem(p);
		p->cands = n;
		p->cand = p->nr_cands++;
		memset(&n[p->cand], 0, sizeof(*n));
		strcpy(n[p->cand].name, p->sect);
		n[p->cand].line = line;
		p->kind = SECT_BACKEND;
	} else {
		if (cfg->backend[0] && cfg_is_backend_name(p->sect))
			return cfg_err(p, -EINVAL, line, p->sect, NULL,
				       "unknown section (the backend is '%s')",
				       cfg->backend);
		return cfg_err(p, -EINVAL, line, p->sect, NULL,
			       "unknown section (known: iommu, memory, device.NAME, and the backend's own)");
	}

	{
		struct cfg_seen *n =
			realloc(p->seen, (p->nr_seen + 1) * sizeof(*n));

		if (!n)
			return cfg_nomem(p);
		p->seen = n;
		strcpy(n[p->nr_seen].name, p->sect);
		n[p->nr_seen].line = line;
		p->nr_seen++;
	}
	return 0;
}

/* Like inih: a ';' after whitespace starts an inline comment. */
static const char *cfg_find_or_comment(const char *s, const char *chars)
{
	bool was_space = false;

	while (*s && !strchr(chars, *s) && !(was_space && *s == ';')) {
		was_space = isspace((unsigned char)*s);
		s++;
	}
	return s;
}

/*
 * Look at a line before inih gets it: section headers are ours, and so
 * is an indented line after a key, which inih would silently append to
 * the key's value (a multi-line value) - refused here instead.
 */
static int cfg_scan_line(struct cfg_parser *p, const char *s)
{
	const char *end;
	bool indented;

	if (p->line == 1 && !strncmp(s, "\xef\xbb\xbf", 3))
		s += 3; /* a UTF-8 byte order mark, which inih skips */
	indented = *s == ' ' || *s == '\t';
	while (isspace((unsigned char)*s))
		s++;
	if (!*s || *s == ';' || *s == '#')
		return 0;
	if (p->after_key && indented)
		return cfg_err(p, -EINVAL, p->line,
			       p->kind == SECT_NONE ? NULL : p->sect, NULL,
			       "indented line after a key (multi-line values are not supported)");
	if (*s == '[') {
		end = cfg_find_or_comment(s + 1, "]");
		if (*end != ']')
			return 0; /* inih reports the syntax error */
		if (cfg_section_begin(p, s + 1, (size_t)(end - s - 1)))
			return p->rc;
		for (s = end + 1; isspace((unsigned char)*s); s++)
			;
		if (*s && *s != ';' && *s != '#')
			return cfg_err(p, -EINVAL, p->line, p->sect, NULL,
				       "text after the section header");
		return 0;
	}
	end = cfg_find_or_comment(s, "=:");
	if (*end == '=' || *end == ':')
		p->after_key = true;
	return 0;
}

/*
 * cfg_read_line() - inih's reader: one whole line per call
 *
 * Lines longer than inih's buffer are refused (inih would cut them into
 * pieces and count each as a line).  Return: @str, or NULL at the end or
 * after an error.
 */
static char *cfg_read_line(char *str, int num, void *stream)
{
	struct cfg_parser *p = stream;
	const char *nl;
	size_t len, copy;

	if (p->rc || p->pos >= p->end || num < 4)
		return NULL;
	nl = memchr(p->pos, '\n', (size_t)(p->end - p->pos));
	len = nl ? (size_t)(nl - p->pos) : (size_t)(p->end - p->pos);
	p->line++;
	copy = len;
	if (copy && p->pos[copy - 1] == '\r')
		copy--;
	if (memchr(p->pos, '\0', len)) {
		cfg_err(p, -EINVAL, p->line, NULL, NULL, "NUL byte in line");
		return NULL;
	}
	if (copy > (size_t)num - 3) {
		cfg_err(p, -EINVAL, p->line, NULL, NULL,
			"line is longer than %d bytes", num - 3);
		return NULL;
	}
	memcpy(str, p->pos, copy);
	str[copy] = '\n';
	str[copy + 1] = '\0';
	p->pos += nl ? len + 1 : len;
	if (cfg_scan_line(p, str))
		return NULL;
	return str;
}

/* Checks that need the whole file. */
static int cfg_file_end(struct cfg_parser *p)
{
	struct iommu__config *cfg = p->cfg;
	size_t i, j;

	if (cfg_section_end(p))
		return p->rc;
	if (!p->iommu_line)
		return cfg_missing(p, "iommu", 0, "backend");
	if (cfg_cands_check(p))
		return p->rc;
	if (!p->memory_line)
		return cfg_missing(p, "memory", 0, "table_base");
	for (i = 0; i < cfg->nr_devs; i++) {
		struct iommu__dev_cfg *dev = &cfg->devs[i];
		char sect[CFG_SECT_MAX];

		if (!dev->alias[0])
			continue;
		snprintf(sect, sizeof(sect), "device.%s", dev->name);
		if (!strcmp(dev->alias, dev->name))
			return cfg_err(p, -EINVAL, dev->alias_line, sect,
				       "alias", "'%s' names the device itself",
				       dev->alias);
		for (j = 0; j < cfg->nr_devs; j++)
			if (!strcmp(cfg->devs[j].name, dev->alias))
				break;
		if (j == cfg->nr_devs)
			return cfg_err(p, -EINVAL, dev->alias_line, sect,
				       "alias", "no section [device.%s]",
				       dev->alias);
	}
	/* The backend's section, if any, becomes cfg->bparams. */
	for (i = 0; i < p->nr_cands; i++) {
		cfg->bparams = p->cands[i].kvs;
		cfg->nr_bparams = p->cands[i].nr_kvs;
		cfg->backend_section_line = p->cands[i].line;
		p->cands[i].kvs = NULL;
	}
	return 0;
}

/* Read a whole file (at most CFG_FILE_MAX bytes) into a NUL-ended buffer. */
static int cfg_read_file(struct cfg_parser *p, const char *path, char **out,
			 size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = NULL;
	FILE *f;
	int rc;

	f = fopen(path, "rb");
	if (!f) {
		rc = errno;
		return cfg_err(p, rc == ENOENT || rc == ENOTDIR ? -ENOENT
				  : rc == ENOMEM ? -ENOMEM : -EINVAL,
			       0, NULL, NULL, "cannot open: %s", strerror(rc));
	}
	for (;;) {
		size_t got;

		if (cap - n < 2 || !buf) {
			char *nb = realloc(buf, buf ? cap *= 2 : cap);

			if (!nb) {
				rc = cfg_nomem(p);
				goto err_free;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (n > CFG_FILE_MAX) {
			rc = cfg_err(p, -EINVAL, 0, NULL, NULL,
				     "file is larger than %u bytes",
				     CFG_FILE_MAX);
			goto err_free;
		}
		if (!got) {
			if (ferror(f)) {
				rc = cfg_err(p, -EINVAL, 0, NULL, NULL,
					     "cannot read: %s",
					     strerror(errno));
				goto err_free;
			}
			break;
		}
	}
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;

err_free:
	free(buf);
	fclose(f);
	return rc;
}

/**
 * iommu__config_parse() - parse an INI file or string
 * @path: file to read, or NULL to parse @text
 * @text: INI text when @path is NULL
 * @cfg: zeroed, then filled; free with iommu__config_free() in every case
 * @err, @errlen: receives "FILE:LINE: [SECTION] KEY: reason" on failure
 *     (may be NULL / 0)
 *
 * Context: reentrant (no global state; inih's settings are not touched).
 * Return: 0; -ENOENT the file does not exist; -EINVAL bad arguments, an
 * unreadable file, or any syntax or value error; -ENOMEM.
 */
int iommu__config_parse(const char *path, const char *text,
			struct iommu__config *cfg, char *err, size_t errlen)
{
	struct cfg_parser p = { .cfg = cfg, .err = err, .errlen = errlen };
	char *buf = NULL;
	size_t len = 0, i;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!cfg)
		return -EINVAL;
	memset(cfg, 0, sizeof(*cfg));
	if (path) {
		const char *slash;

		if (strlen(path) >= sizeof(cfg->file) - 8) {
			strcpy(cfg->file, "<path>");
			return cfg_err(&p, -EINVAL, 0, NULL, NULL,
				       "path is too long");
		}
		strcpy(cfg->file, path);
		slash = strrchr(path, '/');
		if (!slash)
			strcpy(cfg->dir, ".");
		else if (slash == path)
			strcpy(cfg->dir, "/");
		else
			snprintf(cfg->dir, sizeof(cfg->dir), "%.*s",
				 (int)(slash - path), path);
		if (cfg_read_file(&p, path, &buf, &len))
			return p.rc;
		p.pos = buf;
	} else {
		strcpy(cfg->file, "<string>");
		strcpy(cfg->dir, ".");
		if (!text)
			return cfg_err(&p, -EINVAL, 0, NULL, NULL,
				       "neither a file nor a text to parse");
		p.pos = text;
		len = strlen(text);
	}
	p.end = p.pos + len;

	ret = ini_parse_stream(cfg_read_line, &p, cfg_handler, &p);
	if (ret > 0 && !(p.rc && p.handler_err_line == ret)) {
		/* inih's own syntax error came first: it wins. */
		p.rc = 0;
		cfg_err(&p, -EINVAL, ret, NULL, NULL,
			"syntax error (expected '[section]', 'key = value' or a comment)");
	} else if (ret < 0 && !p.rc) {
		cfg_err(&p, ret == -2 ? -ENOMEM : -EINVAL, 0, NULL, NULL,
			"inih failed (%d)", ret);
	} else if (!p.rc) {
		cfg_file_end(&p);
	}

	for (i = 0; i < p.nr_cands; i++)
		free(p.cands[i].kvs);
	free(p.cands);
	free(p.seen);
	free(buf);
	return p.rc;
}

void iommu__config_free(struct iommu__config *cfg)
{
	if (!cfg)
		return;
	free(cfg->devs);
	free(cfg->bparams);
	cfg->devs = NULL;
	cfg->nr_devs = 0;
	cfg->bparams = NULL;
	cfg->nr_bparams = 0;
}

/* ---- The backend's section -------------------------------------------- */

static int cfg_param_err(const struct iommu__config *cfg, char *err,
			 size_t errlen, const struct iommu__kv *kv,
			 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int cfg_param_err(const struct iommu__config *cfg, char *err,
			 size_t errlen, const struct iommu__kv *kv,
			 const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	if (!err || !errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s:%d: [%s] %s: %s", cfg->file, kv->line,
		 cfg->backend, kv->key, reason);
	return -EINVAL;
}

static bool cfg_spec_ok(const struct iommu_param_spec *s)
{
	if (!s->name)
		return false;
	switch (s->type) {
	case IOMMU_PARAM_U64:
	case IOMMU_PARAM_SIZE:
		return s->min <= s->max;
	case IOMMU_PARAM_BOOL:
		return true;
	case IOMMU_PARAM_ENUM:
		return s->choices && s->choices[0];
	default:
		return false;
	}
}

static int cfg_param_value(const struct iommu__config *cfg,
			   const struct iommu_param_spec *s,
			   const struct iommu__kv *kv, uint64_t *out, char *err,
			   size_t errlen)
{
	static const char *const yes[] = { "yes", "true", "on", "1", NULL };
	static const char *const no[] = { "no", "false", "off", "0", NULL };
	char lo[24], hi[24], list[256];
	uint64_t v;
	size_t i;
	int rc;

	switch (s->type) {
	case IOMMU_PARAM_U64:
	case IOMMU_PARAM_SIZE:
		if (s->type == IOMMU_PARAM_SIZE)
			rc = iommu__parse_size(kv->value, &v);
		else
			rc = cfg_parse_u64(kv->value, &v);
		if (rc == -EINVAL)
			return cfg_param_err(cfg, err, errlen, kv,
					     s->type == IOMMU_PARAM_SIZE
						     ? "'%s' is not a size (a number, decimal or 0x hex, with an optional K, M, G or T suffix)"
						     : "'%s' is not a number (decimal or 0x hex)",
					     kv->value);
		if (rc || v < s->min || v > s->max)
			return cfg_param_err(cfg, err, errlen, kv,
					     "'%s' is out of range %s..%s",
					     kv->value, cfg_fmt_u64(lo, s->min),
					     cfg_fmt_u64(hi, s->max));
		*out = v;
		return 0;
	case IOMMU_PARAM_BOOL:
		for (i = 0; yes[i]; i++) {
			if (!strcmp(kv->value, yes[i])) {
				*out = 1;
				return 0;
			}
			if (!strcmp(kv->value, no[i])) {
				*out = 0;
				return 0;
			}
		}
		return cfg_param_err(cfg, err, errlen, kv,
				     "'%s' is not a boolean (yes/no, true/false, on/off, 1/0)",
				     kv->value);
	case IOMMU_PARAM_ENUM:
	default:
		for (i = 0; s->choices[i]; i++) {
			if (!strcmp(kv->value, s->choices[i])) {
				*out = i;
				return 0;
			}
		}
		return cfg_param_err(cfg, err, errlen, kv,
				     "'%s' is not one of %s", kv->value,
				     cfg_join(list, sizeof(list),
					      s->choices));
	}
}

/**
 * iommu__config_backend_params() - check the backend section
 * @cfg: a parsed configuration
 * @plugin: the loaded plugin, whose params table names the section's keys
 * @values: room for @plugin->nr_params values, filled in table order
 *     (absent keys get the spec's default)
 * @err, @errlen: receives the message on failure (may be NULL / 0)
 *
 * Context: any; reads only its arguments.
 * Return: 0; -EINVAL NULL arguments, a malformed entry in the plugin's
 * table, unknown key, bad value or out of range (the message names file,
 * line and key).
 */
int iommu__config_backend_params(const struct iommu__config *cfg,
				 const struct iommu_plugin *plugin,
				 uint64_t *values, char *err, size_t errlen)
{
	size_t i, j;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!cfg || !plugin || (plugin->nr_params && (!plugin->params || !values)) ||
	    (cfg->nr_bparams && !cfg->bparams)) {
		if (err && errlen)
			snprintf(err, errlen, "backend parameters: bad arguments");
		return -EINVAL;
	}
	for (i = 0; i < plugin->nr_params; i++) {
		if (!cfg_spec_ok(&plugin->params[i])) {
			if (err && errlen)
				snprintf(err, errlen,
					 "%s: backend '%s': parameter %zu of the plugin's table is malformed",
					 cfg->file, cfg->backend, i);
			return -EINVAL;
		}
		values[i] = plugin->params[i].def;
	}
	for (i = 0; i < cfg->nr_bparams; i++) {
		const struct iommu__kv *kv = &cfg->bparams[i];

		for (j = 0; j < plugin->nr_params; j++)
			if (!strcmp(plugin->params[j].name, kv->key))
				break;
		if (j == plugin->nr_params)
			return cfg_param_err(cfg, err, errlen, kv,
					     "unknown key for backend '%s'",
					     cfg->backend);
		rc = cfg_param_value(cfg, &plugin->params[j], kv, &values[j],
				     err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}
