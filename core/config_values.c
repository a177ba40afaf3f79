// SPDX-License-Identifier: MIT
/*
 * config_values.c - numbers and sizes as the INI writes them (also the
 * device IDs of [device.NAME]), and the check of the backend's own section
 * against the plugin's parameter table once the plugin is loaded.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

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

int iommu__cfg_parse_u64(const char *s, uint64_t *out)
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
		int rc = iommu__cfg_parse_u64(s, &v);

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
			rc = iommu__cfg_parse_u64(kv->value, &v);
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
				     iommu__cfg_join(list, sizeof(list),
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
