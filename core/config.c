// SPDX-License-Identifier: MIT
/*
 * config.c - the INI configuration: parse a file or a string into a
 * struct iommu__config.  The keys of each section and their values are
 * config_keys.c; numbers, device IDs and the backend's own section (checked
 * against the plugin's parameter table once the plugin is loaded) are
 * config_values.c.
 *
 * inih does the tokenizing (comments, "key = value", whitespace).  The
 * Debian build of inih (r55) calls the handler without a line number and
 * not at all for a section header, so this file feeds inih through its
 * own line reader (cfg_read_line): the reader counts lines, hands inih
 * one whole line at a time, and handles section headers itself (so that
 * an empty section, a duplicate section or an unknown one is seen and
 * named with its line).  The handler (iommu__cfg_handler) is called for each
 * "key = value" line and knows its line from the reader.
 *
 * The first error wins: it is written to the caller's buffer as
 * "FILE:LINE: [SECTION] KEY: reason" and parsing stops.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "config.h"

#define CFG_FILE_MAX (1u << 20)    /* refuse INI files above 1 MiB */

/* ---- Parser state ----------------------------------------------------- */

/*
 * Record the first error.  @sect and @key may be NULL; the message is
 * "FILE:LINE: [SECT] KEY: reason" with the absent parts left out.
 */
__attribute__((format(printf, 6, 7)))
int iommu__cfg_err(struct cfg_parser *p, int rc, int line, const char *sect,
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

int iommu__cfg_nomem(struct cfg_parser *p)
{
	return iommu__cfg_err(p, -ENOMEM, p->line, NULL, NULL, "out of memory");
}

/* "a, b, c" for messages. */
const char *iommu__cfg_join(char *buf, size_t len, const char *const *words)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; words[i] && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? ", " : "", words[i]);
	return buf;
}

bool iommu__cfg_is_backend_name(const char *s)
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

bool iommu__cfg_is_dev_name(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!cfg_is_name_char(s[i], "_-"))
			return false;
	return i > 0 && i < IOMMU__NAME_MAX;
}

bool iommu__cfg_is_group_label(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!cfg_is_name_char(s[i], "_-.:"))
			return false;
	return i > 0 && i < IOMMU__NAME_MAX;
}

/* Reserved: a backend must not take the name of a core section. */
bool iommu__cfg_is_reserved(const char *s)
{
	return !strcmp(s, "iommu") || !strcmp(s, "memory") ||
	       !strcmp(s, "device");
}

/* ---- Sections --------------------------------------------------------- */

/*
 * Once the backend is known, every section that looked like a backend's
 * must be the backend's; the first other one is an unknown section.
 */
int iommu__cfg_cands_check(struct cfg_parser *p)
{
	size_t i;

	for (i = 0; i < p->nr_cands; i++)
		if (strcmp(p->cands[i].name, p->cfg->backend))
			return iommu__cfg_err(p, -EINVAL, p->cands[i].line,
					      p->cands[i].name, NULL,
					      "unknown section (the backend is '%s')",
					      p->cfg->backend);
	return 0;
}

static int cfg_missing(struct cfg_parser *p, const char *sect, int line,
		       const char *key)
{
	if (!line)
		return iommu__cfg_err(p, -EINVAL, 0, sect, key,
				      "required key is missing (the file has no [%s] section)",
				      sect);
	return iommu__cfg_err(p, -EINVAL, line, sect, key,
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
						   iommu__cfg_iommu_keys[k]);
		return 0;
	case SECT_MEMORY:
		memcpy(p->memory_keys, p->key_line, sizeof(p->memory_keys));
		for (k = MK_TABLE_BASE; k <= MK_TABLE_SIZE; k++)
			if (!p->key_line[k])
				return cfg_missing(p, p->sect, p->sect_line,
						   iommu__cfg_memory_keys[k]);
		if (p->key_line[MK_RAM_BASE] && !p->key_line[MK_RAM_SIZE])
			return iommu__cfg_err(p, -EINVAL,
					      p->key_line[MK_RAM_BASE], p->sect,
					      "ram_base",
					      "given without ram_size");
		if (cfg->has_ram && cfg->ram_size - 1 > UINT64_MAX - cfg->ram_base) {
			k = p->key_line[MK_RAM_BASE] > p->key_line[MK_RAM_SIZE]
				    ? MK_RAM_BASE
				    : MK_RAM_SIZE;
			return iommu__cfg_err(p, -EINVAL, p->key_line[k],
					      p->sect, iommu__cfg_memory_keys[k],
					      "ram_base + ram_size is beyond 2^64");
		}
		if (cfg->table_size - 1 > UINT64_MAX - cfg->table_base) {
			k = p->key_line[MK_TABLE_BASE] >
					    p->key_line[MK_TABLE_SIZE]
				    ? MK_TABLE_BASE
				    : MK_TABLE_SIZE;
			return iommu__cfg_err(p, -EINVAL, p->key_line[k],
					      p->sect, iommu__cfg_memory_keys[k],
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
		return iommu__cfg_err(p, -EINVAL, line, p->sect, NULL,
				      "section name is too long");
	}
	memcpy(p->sect, name, len);
	p->sect[len] = '\0';
	p->sect_line = line;
	for (i = 0; i < p->nr_seen; i++)
		if (!strcmp(p->seen[i].name, p->sect))
			return iommu__cfg_err(p, -EINVAL, line, p->sect, NULL,
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

		if (!iommu__cfg_is_dev_name(p->sect + 7))
			return iommu__cfg_err(p, -EINVAL, line, p->sect, NULL,
					      "'%s' is not a device name (1 to %d of A-Z, a-z, 0-9, _, -)",
					      p->sect + 7, IOMMU__NAME_MAX - 1);
		if (cfg->nr_devs == p->cap_devs) {
			size_t cap = p->cap_devs ? 2 * p->cap_devs : 8;
			struct iommu__dev_cfg *n =
				realloc(cfg->devs, cap * sizeof(*n));

			if (!n)
				return iommu__cfg_nomem(p);
			cfg->devs = n;
			p->cap_devs = cap;
		}
		dev = &cfg->devs[cfg->nr_devs++];
		memset(dev, 0, sizeof(*dev));
		strcpy(dev->name, p->sect + 7);
		dev->line = line;
		p->kind = SECT_DEVICE;
	} else if (iommu__cfg_is_backend_name(p->sect) &&
		   !iommu__cfg_is_reserved(p->sect) &&
		   (!cfg->backend[0] || !strcmp(cfg->backend, p->sect))) {
		struct cfg_cand *n;

		n = realloc(p->cands, (p->nr_cands + 1) * sizeof(*n));
		if (!n)
			return iommu__cfg_nomem(p);
		p->cands = n;
		p->cand = p->nr_cands++;
		memset(&n[p->cand], 0, sizeof(*n));
		strcpy(n[p->cand].name, p->sect);
		n[p->cand].line = line;
		p->kind = SECT_BACKEND;
	} else {
		if (cfg->backend[0] && iommu__cfg_is_backend_name(p->sect))
			return iommu__cfg_err(p, -EINVAL, line, p->sect, NULL,
					      "unknown section (the backend is '%s')",
					      cfg->backend);
		return iommu__cfg_err(p, -EINVAL, line, p->sect, NULL,
				      "unknown section (known: iommu, memory, device.NAME, and the backend's own)");
	}

	{
		struct cfg_seen *n =
			realloc(p->seen, (p->nr_seen + 1) * sizeof(*n));

		if (!n)
			return iommu__cfg_nomem(p);
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
		return iommu__cfg_err(p, -EINVAL, p->line,
				      p->kind == SECT_NONE ? NULL : p->sect,
				      NULL,
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
			return iommu__cfg_err(p, -EINVAL, p->line, p->sect,
					      NULL,
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
		iommu__cfg_err(p, -EINVAL, p->line, NULL, NULL,
			       "NUL byte in line");
		return NULL;
	}
	if (copy > (size_t)num - 3) {
		iommu__cfg_err(p, -EINVAL, p->line, NULL, NULL,
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
	if (iommu__cfg_cands_check(p))
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
			return iommu__cfg_err(p, -EINVAL, dev->alias_line, sect,
					      "alias", "'%s' names the device itself",
					      dev->alias);
		for (j = 0; j < cfg->nr_devs; j++)
			if (!strcmp(cfg->devs[j].name, dev->alias))
				break;
		if (j == cfg->nr_devs)
			return iommu__cfg_err(p, -EINVAL, dev->alias_line, sect,
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
		return iommu__cfg_err(p, rc == ENOENT || rc == ENOTDIR ? -ENOENT
					 : rc == ENOMEM ? -ENOMEM : -EINVAL,
				      0, NULL, NULL, "cannot open: %s", strerror(rc));
	}
	for (;;) {
		size_t got;

		if (cap - n < 2 || !buf) {
			char *nb = realloc(buf, buf ? cap *= 2 : cap);

			if (!nb) {
				rc = iommu__cfg_nomem(p);
				goto err_free;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (n > CFG_FILE_MAX) {
			rc = iommu__cfg_err(p, -EINVAL, 0, NULL, NULL,
					    "file is larger than %u bytes",
					    CFG_FILE_MAX);
			goto err_free;
		}
		if (!got) {
			if (ferror(f)) {
				rc = iommu__cfg_err(p, -EINVAL, 0, NULL, NULL,
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
			return iommu__cfg_err(&p, -EINVAL, 0, NULL, NULL,
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
			return iommu__cfg_err(&p, -EINVAL, 0, NULL, NULL,
					      "neither a file nor a text to parse");
		p.pos = text;
		len = strlen(text);
	}
	p.end = p.pos + len;

	ret = ini_parse_stream(cfg_read_line, &p, iommu__cfg_handler, &p);
	if (ret > 0 && !(p.rc && p.handler_err_line == ret)) {
		/* inih's own syntax error came first: it wins. */
		p.rc = 0;
		iommu__cfg_err(&p, -EINVAL, ret, NULL, NULL,
			       "syntax error (expected '[section]', 'key = value' or a comment)");
	} else if (ret < 0 && !p.rc) {
		iommu__cfg_err(&p, ret == -2 ? -ENOMEM : -EINVAL, 0, NULL, NULL,
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
