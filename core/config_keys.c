// SPDX-License-Identifier: MIT
/*
 * config_keys.c - the keys of [iommu], [memory] and [device.NAME] and
 * their values, the keys of a section that may be the backend's, and
 * inih's callback (iommu__cfg_handler) that hands each "key = value" to
 * them.  The parser itself (line reader, sections, whole-file checks) is
 * config.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define CFG_PAGE_SIZE 4096ull
/* The largest table range: 64 GiB (16M pages of bookkeeping). */
#define CFG_TABLE_SIZE_MAX (64ull << 30)
#define CFG_PASID_BITS_MAX 20

/* ---- Keys ------------------------------------------------------------- */


const char *const iommu__cfg_iommu_keys[IK_COUNT + 1] = {
	"backend", "plugin", "plugin_dir", "default_domain", "invalidation",
	"trace", "trace_file", NULL,
};

const char *const iommu__cfg_memory_keys[MK_COUNT + 1] = {
	"ram_base", "ram_size", "table_base", "table_size", NULL,
};

static const char *const cfg_device_keys[DK_COUNT + 1] = {
	"id", "group", "alias", "features", "pasid_bits", NULL,
};

static const char *const cfg_feature_names[IOMMU_DEV_FEAT_COUNT] = {
	[IOMMU_DEV_FEAT_AUX] = "aux",
	[IOMMU_DEV_FEAT_SVA] = "sva",
	[IOMMU_DEV_FEAT_IOPF] = "iopf",
};

static int cfg_key_index(const char *const *keys, const char *name)
{
	int i;

	for (i = 0; keys[i]; i++)
		if (!strcmp(keys[i], name))
			return i;
	return -1;
}

/* ---- Values of [iommu], [memory], [device.NAME] ----------------------- */

static int cfg_bad_number(struct cfg_parser *p, int rc, int line,
			  const char *key, const char *value, bool size)
{
	if (rc == -ERANGE)
		return iommu__cfg_err(p, -EINVAL, line, p->sect, key,
				      "'%s' does not fit in 64 bits", value);
	return iommu__cfg_err(p, -EINVAL, line, p->sect, key,
			      size ? "'%s' is not a size (a number, decimal or 0x hex, with an optional K, M, G or T suffix)"
				   : "'%s' is not a number (decimal or 0x hex)",
			      value);
}

/* A path key: non-empty, and room left to join it to the INI's dir. */
static int cfg_path_value(struct cfg_parser *p, int line, const char *key,
			  const char *value, char *dst)
{
	if (!*value)
		return iommu__cfg_err(p, -EINVAL, line, p->sect, key,
				      "empty path");
	if (strlen(value) >= PATH_MAX - 64)
		return iommu__cfg_err(p, -EINVAL, line, p->sect, key,
				      "path is too long");
	strcpy(dst, value);
	return 0;
}

static int cfg_iommu_key(struct cfg_parser *p, int k, const char *key,
			 const char *value, int line)
{
	struct iommu__config *cfg = p->cfg;

	switch (k) {
	case IK_BACKEND:
		if (!iommu__cfg_is_backend_name(value))
			return iommu__cfg_err(p, -EINVAL, line, p->sect, key,
					      "'%s' is not a backend name (1 to %d of a-z, 0-9, _)",
					      value, IOMMU__NAME_MAX - 1);
		if (iommu__cfg_is_reserved(value))
			return iommu__cfg_err(p, -EINVAL, line, p->sect, key,
					      "'%s' is reserved for a core section",
					      value);
		strcpy(cfg->backend, value);
		cfg->backend_line = line;
		/* Sections seen before this key can be judged now. */
		return iommu__cfg_cands_check(p);
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
			return iommu__cfg_err(p, -EINVAL, line, p->sect, key,
					      "'%s' is not one of dma, identity",
					      value);
		return 0;
	case IK_TRACE: {
		char bad[IOMMU__VALUE_MAX];

		if (iommu__trace_parse(value, &cfg->trace, bad, sizeof(bad)))
			return iommu__cfg_err(p, -EINVAL, line, p->sect, key,
					      "'%s' is not all, none or one of attach, map, inval, iotlb, fault",
					      bad);
		return 0;
	}
	case IK_TRACE_FILE:
		return cfg_path_value(p, line, key, value, cfg->trace_file);
	case IK_INVAL:
		if (!strcmp(value, "strict"))
			cfg->strict = true;
		else if (!strcmp(value, "deferred"))
			cfg->strict = false;
		else
			return iommu__cfg_err(p, -EINVAL, line, p->sect, key,
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
			return iommu__cfg_err(p, -EINVAL, line, p->sect, key,
					      "'%s' is not aligned to 4096", value);
		if (k == MK_RAM_BASE)
			cfg->ram_base = v;
		else
			cfg->table_base = v;
		return 0;
	case MK_RAM_SIZE:
		if (!v || v % CFG_PAGE_SIZE)
			return iommu__cfg_err(p, -EINVAL, line, p->sect, key,
					      "'%s' is not a non-zero multiple of 4096",
					      value);
		cfg->ram_size = v;
		cfg->has_ram = true;
		return 0;
	case MK_TABLE_SIZE:
		if (v < CFG_PAGE_SIZE || v % CFG_PAGE_SIZE)
			return iommu__cfg_err(p, -EINVAL, line, p->sect, key,
					      "'%s' is not a multiple of 4096 of at least 4096",
					      value);
		/* The allocator keeps a byte and a bit per page of it. */
		if (v > CFG_TABLE_SIZE_MAX)
			return iommu__cfg_err(p, -EINVAL, line, p->sect, key,
					      "'%s' is more than 64G (the table range holds page tables and queues; its allocator keeps a byte per page)",
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
			return iommu__cfg_err(p, -EINVAL, line, p->sect, key,
					      "'%s' has an empty item", value);
		for (f = 0; f < IOMMU_DEV_FEAT_COUNT; f++)
			if (strlen(cfg_feature_names[f]) == n &&
			    !strncmp(cfg_feature_names[f], s, n))
				break;
		if (f == IOMMU_DEV_FEAT_COUNT) {
			snprintf(word, sizeof(word), "%.*s",
				 n < 15 ? (int)n : 15, s);
			return iommu__cfg_err(p, -EINVAL, line, p->sect, key,
					      "'%s' is not one of aux, sva, iopf",
					      word);
		}
		if (feats & (1u << f))
			return iommu__cfg_err(p, -EINVAL, line, p->sect, key,
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
			return iommu__cfg_err(p, -EINVAL, line, p->sect, key,
					      strchr(value, ':')
						      ? "'%s' is out of range (bus 0..ff, device 0..1f, function 0..7)"
						      : "'%s' is out of range 0..0xffffffff",
					      value);
		if (rc)
			return iommu__cfg_err(p, -EINVAL, line, p->sect, key,
					      "'%s' is not a device ID (\"bb:dd.f\" or a number)",
					      value);
		for (i = 0; i + 1 < cfg->nr_devs; i++)
			if (cfg->devs[i].has_id && cfg->devs[i].id == dev->id)
				return iommu__cfg_err(p, -EINVAL, line,
						      p->sect, key,
						      "'%s' is already the id of [device.%s] (line %d)",
						      value, cfg->devs[i].name,
						      cfg->devs[i].line);
		dev->has_id = true;
		return 0;
	case DK_GROUP:
		if (!iommu__cfg_is_group_label(value))
			return iommu__cfg_err(p, -EINVAL, line, p->sect, key,
					      "'%s' is not a group label (1 to %d of A-Z, a-z, 0-9, _, -, ., :)",
					      value, IOMMU__NAME_MAX - 1);
		strcpy(dev->group, value);
		return 0;
	case DK_ALIAS:
		if (!iommu__cfg_is_dev_name(value))
			return iommu__cfg_err(p, -EINVAL, line, p->sect, key,
					      "'%s' is not a device name (1 to %d of A-Z, a-z, 0-9, _, -)",
					      value, IOMMU__NAME_MAX - 1);
		strcpy(dev->alias, value);
		dev->alias_line = line;
		return 0;
	case DK_FEATURES:
		return cfg_features(p, key, value, line, &dev->features);
	case DK_PASID_BITS:
		rc = iommu__cfg_parse_u64(value, &v);
		if (rc)
			return cfg_bad_number(p, rc, line, key, value, false);
		if (v > CFG_PASID_BITS_MAX)
			return iommu__cfg_err(p, -EINVAL, line, p->sect, key,
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
		return iommu__cfg_err(p, -EINVAL, line, p->sect, key,
				      "key is too long");
	if (strlen(value) >= IOMMU__VALUE_MAX)
		return iommu__cfg_err(p, -EINVAL, line, p->sect, key,
				      "value is too long");
	for (i = 0; i < c->nr_kvs; i++)
		if (!strcmp(c->kvs[i].key, key))
			return iommu__cfg_err(p, -EINVAL, line, p->sect, key,
					      "duplicate key (first at line %d)",
					      c->kvs[i].line);
	if (c->nr_kvs == c->cap_kvs) {
		size_t cap = c->cap_kvs ? 2 * c->cap_kvs : 8;
		struct iommu__kv *n = realloc(c->kvs, cap * sizeof(*n));

		if (!n)
			return iommu__cfg_nomem(p);
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
 * iommu__cfg_handler() - inih's callback for one "key = value"
 *
 * Return: 1 to go on; 0 on an error (recorded in the parser), which also
 * makes the reader stop feeding lines.
 */
int iommu__cfg_handler(void *user, const char *section, const char *key,
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
		iommu__cfg_err(p, -EINVAL, line, NULL, key,
			       "key outside any section");
		goto handler_err;
	case SECT_BACKEND:
		if (cfg_cand_key(p, key, value, line))
			goto handler_err;
		return 1;
	case SECT_IOMMU:
		keys = iommu__cfg_iommu_keys;
		break;
	case SECT_MEMORY:
		keys = iommu__cfg_memory_keys;
		break;
	case SECT_DEVICE:
	default:
		keys = cfg_device_keys;
		break;
	}
	k = cfg_key_index(keys, key);
	if (k < 0) {
		iommu__cfg_err(p, -EINVAL, line, p->sect, key,
			       "unknown key (known keys: %s)",
			       iommu__cfg_join(known, sizeof(known), keys));
		goto handler_err;
	}
	if (p->key_line[k]) {
		iommu__cfg_err(p, -EINVAL, line, p->sect, key,
			       "duplicate key (first at line %d)", p->key_line[k]);
		goto handler_err;
	}
	p->key_line[k] = line;
	if (!*value && !(p->kind == SECT_DEVICE && k == DK_FEATURES)) {
		iommu__cfg_err(p, -EINVAL, line, p->sect, key, "empty value");
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
