// SPDX-License-Identifier: MIT
/*
 * dump.c - pictures of what the IOMMU holds (iommu.h, "Dump"): a domain's
 * page table, the context's topology and the device model's state, as
 * text or Graphviz dot.
 *
 * The core cannot read a driver's tables: a paging domain is shown
 * through the driver's optional walk op (plugin.h, ABI 2.2), whose calls
 * may come in any order; they are collected, sorted by IOVA (a table
 * before what lies under it) and nested here with a stack of open
 * tables, so every backend gets the same layout.  The model's state comes
 * from the optional hw dump op, printed through a callback.
 *
 * Every picture is rendered into a memory stream first and copied to the
 * caller's FILE once complete: the caller gets all of it or nothing, and
 * no lock is held while writing to a FILE that might block.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* ---- Output -------------------------------------------------------------- */

struct dump_out {
	FILE *f; /* the memory stream */
	char *buf;
	size_t len;
};

static int dump_open(struct dump_out *o)
{
	o->buf = NULL;
	o->len = 0;
	o->f = open_memstream(&o->buf, &o->len);
	return o->f ? 0 : -ENOMEM;
}

/* Close the stream; with @ret 0 copy it to @out.  Return: @ret, -ENOMEM
 * the stream failed, -EIO writing to @out failed.  glibc's fclose of a
 * memory stream reallocates the buffer to its final size and, when that
 * fails, returns 0 with the buffer NULL (and freed): that too is -ENOMEM,
 * not an empty picture. */
static int dump_close(struct dump_out *o, int ret, FILE *out)
{
	bool bad = ferror(o->f);

	if (fclose(o->f) || bad || !o->buf)
		ret = ret ? ret : -ENOMEM;
	if (!ret && o->len &&
	    (fwrite(o->buf, 1, o->len, out) != o->len || fflush(out)))
		ret = -EIO;
	free(o->buf);
	return ret;
}

static void dump_print(void *cookie, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(((struct dump_out *)cookie)->f, fmt, ap);
	va_end(ap);
}

/* A dot string: quotes, backslashes and control characters escaped. */
static void dot_str(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc((unsigned char)*s < 0x20 ? '?' : *s, f);
	}
}

static const char *const type_names[] = {
    [IOMMU_DOMAIN_BLOCKED] = "BLOCKED",
    [IOMMU_DOMAIN_IDENTITY] = "IDENTITY",
    [IOMMU_DOMAIN_UNMANAGED] = "UNMANAGED",
    [IOMMU_DOMAIN_DMA] = "DMA",
};

static const char *type_name(enum iommu_domain_type t)
{
	return (unsigned int)t < sizeof(type_names) / sizeof(type_names[0]) &&
		       type_names[t]
		   ? type_names[t]
		   : "?";
}

/* "4K", "2M", "64K", "1G", "4T", else bytes. */
static void size_str(char *buf, size_t len, uint64_t size)
{
	static const char units[] = "KMGTPE";
	unsigned int u = 0;

	if (!size || size & 1023) {
		snprintf(buf, len, "%" PRIu64 "B", size);
		return;
	}
	size >>= 10;
	while (!(size & 1023) && u < sizeof(units) - 2) {
		size >>= 10;
		u++;
	}
	snprintf(buf, len, "%" PRIu64 "%c", size, units[u]);
}

static const char *prot_str(unsigned int prot)
{
	switch (prot & (IOMMU_READ | IOMMU_WRITE)) {
	case IOMMU_READ:
		return "R";
	case IOMMU_WRITE:
		return "W";
	case IOMMU_READ | IOMMU_WRITE:
		return "RW";
	default:
		return "-";
	}
}

/* ---- A domain's tables --------------------------------------------------- */

/* Deeper than any format's tables (core/pt has at most 6 levels). */
#define DUMP_MAX_DEPTH 8

/* One table or leaf the walk showed. */
struct dump_item {
	bool table;
	unsigned int level;
	unsigned int prot;
	uint64_t iova;
	uint64_t last; /* table: last IOVA it covers; leaf: iova + size - 1 */
	uint64_t pa;
	uint64_t size; /* leaf */
};

struct dump_items {
	struct dump_item *v;
	size_t n, cap;
};

static int items_push(struct dump_items *it, const struct dump_item *x)
{
	if (it->n == it->cap) {
		size_t cap = it->cap ? it->cap * 2 : 64;
		struct dump_item *v = realloc(it->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		it->v = v;
		it->cap = cap;
	}
	it->v[it->n++] = *x;
	return 0;
}

static int walk_table(void *cookie, const struct iommu_walk_table *t)
{
	struct dump_item x = {.table = true,
			      .level = t->level,
			      .iova = t->iova,
			      .last = t->last,
			      .pa = t->pa};

	if (t->last < t->iova)
		return -EINVAL;
	return items_push(cookie, &x);
}

static int walk_leaf(void *cookie, const struct iommu_walk_leaf *l)
{
	struct dump_item x = {.level = l->level,
			      .prot = l->prot,
			      .iova = l->iova,
			      .last = l->iova + (l->size - 1),
			      .pa = l->pa,
			      .size = l->size};

	if (!l->size || x.last < x.iova)
		return -EINVAL;
	return items_push(cookie, &x);
}

/* By IOVA; at one IOVA the higher level first, a table before a leaf. */
static int item_cmp(const void *a, const void *b)
{
	const struct dump_item *x = a, *y = b;

	if (x->iova != y->iova)
		return x->iova < y->iova ? -1 : 1;
	if (x->level != y->level)
		return x->level > y->level ? -1 : 1;
	return (int)y->table - (int)x->table;
}

/* One line of the picture: a table, or a run of @n leaves. */
struct dump_row {
	size_t item; /* the table, or the run's first leaf */
	uint64_t n;  /* leaves in the run */
	unsigned int depth;
	long parent; /* row of the table it lies in, -1 for none */
};

/*
 * Nest the sorted items: a stack holds the tables that are open (the
 * current item may lie in them).  A leaf at level L lies in the table at
 * level L that covers it, a table in the one above.  A leaf continuing
 * the previous row's run (same table, size, rights, IOVA and PA next)
 * joins it.
 */
static int rows_build(const struct dump_items *it, struct dump_row **out,
		      size_t *nrows)
{
	long stack[DUMP_MAX_DEPTH];
	struct dump_row *rows;
	unsigned int sp = 0;
	size_t n = 0;

	rows = calloc(it->n ? it->n : 1, sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	for (size_t i = 0; i < it->n; i++) {
		const struct dump_item *x = &it->v[i];
		long parent;

		while (sp) {
			const struct dump_item *t =
			    &it->v[rows[stack[sp - 1]].item];

			if (x->iova > t->last ||
			    (x->table ? t->level <= x->level
				      : t->level < x->level))
				sp--;
			else
				break;
		}
		parent = sp ? stack[sp - 1] : -1;
		if (!x->table && n && !it->v[rows[n - 1].item].table &&
		    rows[n - 1].parent == parent) {
			struct dump_row *r = &rows[n - 1];
			const struct dump_item *f = &it->v[r->item];
			const uint64_t off = r->n * f->size;

			if (f->size == x->size && f->prot == x->prot &&
			    f->level == x->level && f->iova + off == x->iova &&
			    f->pa + off == x->pa) {
				r->n++;
				continue;
			}
		}
		rows[n] = (struct dump_row){
		    .item = i, .n = 1, .depth = sp, .parent = parent};
		if (x->table) {
			if (sp == DUMP_MAX_DEPTH) {
				free(rows);
				return -EINVAL; /* deeper than any format */
			}
			stack[sp++] = (long)n;
		}
		n++;
	}
	*out = rows;
	*nrows = n;
	return 0;
}

/* "<backend> domain <TYPE>, aperture <first>-<last>, pages 4K 2M 1G" */
static void domain_title(FILE *f, const struct iommu_domain *d)
{
	char sz[24];

	fprintf(f, "%s domain %s", d->ctx->desc->name, type_name(d->type));
	if (d->type == IOMMU_DOMAIN_BLOCKED) {
		fputs(": every DMA faults", f);
		return;
	}
	if (d->type == IOMMU_DOMAIN_IDENTITY) {
		fputs(": IOVA = physical address", f);
		return;
	}
	fprintf(f, ", aperture 0x%" PRIx64 "-0x%" PRIx64 ", pages",
		d->info.aperture_start, d->info.aperture_last);
	/* Three or more sizes in a row (AMD's every power of two) as one
	 * range "4K-256G". */
	for (unsigned int b = 0; b < 64; b++) {
		const uint64_t bm = d->info.pgsize_bitmap;
		unsigned int e = b;

		if (!(bm & (1ull << b)))
			continue;
		while (e < 63 && (bm & (1ull << (e + 1))))
			e++;
		if (e - b < 2)
			e = b;
		size_str(sz, sizeof(sz), 1ull << b);
		fprintf(f, " %s", sz);
		if (e != b) {
			size_str(sz, sizeof(sz), 1ull << e);
			fprintf(f, "-%s", sz);
		}
		b = e;
	}
}

/* One row: "L1 table 0x...: first-last" or "first-last -> pa 4K x8 RW";
 * in a dot label (@dot) the parts go on lines of their own. */
static void row_text(FILE *f, const struct dump_items *it,
		     const struct dump_row *r, bool dot)
{
	const struct dump_item *x = &it->v[r->item];
	const char *sep = dot ? "\\n" : " ";
	char sz[24];

	if (x->table) {
		fprintf(f, "L%u table 0x%" PRIx64 "%s0x%" PRIx64 "-0x%" PRIx64,
			x->level, x->pa, dot ? "\\n" : ": ", x->iova, x->last);
		return;
	}
	size_str(sz, sizeof(sz), x->size);
	fprintf(f, "0x%" PRIx64 "-0x%" PRIx64 "%s-> 0x%" PRIx64 "%s%s", x->iova,
		x->iova + (r->n * x->size - 1), sep, x->pa, sep, sz);
	if (r->n > 1)
		fprintf(f, " x%" PRIu64, r->n);
	fprintf(f, " %s", prot_str(x->prot));
}

static void domain_text(FILE *f, const struct iommu_domain *d,
			const struct dump_items *it,
			const struct dump_row *rows, size_t nrows)
{
	domain_title(f, d);
	fputc('\n', f);
	for (size_t i = 0; i < nrows; i++) {
		fprintf(f, "%*s", (int)(2 * rows[i].depth), "");
		row_text(f, it, &rows[i], false);
		fputc('\n', f);
	}
	if (!nrows &&
	    (d->type == IOMMU_DOMAIN_UNMANAGED || d->type == IOMMU_DOMAIN_DMA))
		fputs("(nothing mapped)\n", f);
}

static void domain_dot(FILE *f, const struct iommu_domain *d,
		       const struct dump_items *it, const struct dump_row *rows,
		       size_t nrows)
{
	fputs("digraph domain {\n"
	      "\trankdir=LR;\n"
	      "\tlabelloc=t;\n"
	      "\tnode [shape=box, style=filled, fontname=\"monospace\", "
	      "fontsize=10];\n"
	      "\tlabel=\"",
	      f);
	domain_title(f, d);
	fputs("\";\n", f);
	if (!nrows)
		fputs(
		    "\tn0 [label=\"nothing mapped\", fillcolor=\"#eeeeee\"];\n",
		    f);
	for (size_t i = 0; i < nrows; i++) {
		const bool table = it->v[rows[i].item].table;

		fprintf(f, "\tn%zu [label=\"", i);
		row_text(f, it, &rows[i], true);
		fprintf(f, "\", fillcolor=\"%s\"];\n",
			table ? "#dce6f2" : "#e2f0d9");
		if (rows[i].parent >= 0)
			fprintf(f, "\tn%ld -> n%zu;\n", rows[i].parent, i);
	}
	fputs("}\n", f);
}

int iommu_dump_domain(struct iommu_domain *handle, enum iommu_dump_format fmt,
		      FILE *out)
{
	IOMMU__API_SCOPE();
	struct iommu_domain *d = iommu__domain_get(handle);
	static const struct iommu_walk_visitor visitor = {
	    .table = walk_table,
	    .leaf = walk_leaf,
	};
	struct dump_items it = {0};
	struct dump_row *rows = NULL;
	struct dump_out o;
	size_t nrows = 0;
	int ret = 0;

	if (!d || !out || (fmt != IOMMU_DUMP_TEXT && fmt != IOMMU_DUMP_DOT))
		return -EINVAL;
	if (d->type == IOMMU_DOMAIN_UNMANAGED || d->type == IOMMU_DOMAIN_DMA) {
		if (!d->info.ops->walk)
			return -EOPNOTSUPP;
		ret = d->info.ops->walk(d->priv, &visitor, &it);
		if (ret > 0)
			ret = -EINVAL; /* only our visitor stops it */
		if (!ret) {
			if (it.n)
				qsort(it.v, it.n, sizeof(*it.v), item_cmp);
			ret = rows_build(&it, &rows, &nrows);
		}
		if (ret)
			goto out_items;
	}
	ret = dump_open(&o);
	if (ret)
		goto out_rows;
	if (fmt == IOMMU_DUMP_TEXT)
		domain_text(o.f, d, &it, rows, nrows);
	else
		domain_dot(o.f, d, &it, rows, nrows);
	ret = dump_close(&o, 0, out);
out_rows:
	free(rows);
out_items:
	free(it.v);
	return ret;
}

/* ---- Topology ------------------------------------------------------------ */

static void dev_str(char *buf, size_t len, enum iommu_id_kind kind, uint32_t id)
{
	switch (kind) {
	case IOMMU_ID_PCI_BDF:
		snprintf(buf, len, "%02x:%02x.%x", (id >> 8) & 0xff,
			 (id >> 3) & 0x1f, id & 7);
		break;
	case IOMMU_ID_STREAM_ID:
		snprintf(buf, len, "sid 0x%" PRIx32, id);
		break;
	default:
		snprintf(buf, len, "ep %" PRIu32, id);
		break;
	}
}

/* The context's domains, in the order they were made (handles grow). */
struct topo {
	struct iommu_domain **doms;
	size_t nr;
};

static int dom_cmp(const void *a, const void *b)
{
	uintptr_t x = (*(struct iommu_domain *const *)a)->handle;
	uintptr_t y = (*(struct iommu_domain *const *)b)->handle;

	return x < y ? -1 : x > y;
}

static int topo_domains(struct iommu_ctx *ctx, struct topo *t)
{
	size_t n = 2, nstatic;

	pthread_mutex_lock(&ctx->domains_lock);
	for (struct iommu_domain *d = ctx->domains; d; d = d->next)
		n++;
	t->doms = malloc(n * sizeof(*t->doms));
	t->nr = 0;
	if (t->doms) {
		if (ctx->blocked)
			t->doms[t->nr++] = ctx->blocked;
		if (ctx->identity)
			t->doms[t->nr++] = ctx->identity;
		for (struct iommu_domain *d = ctx->domains; d; d = d->next)
			t->doms[t->nr++] = d;
	}
	pthread_mutex_unlock(&ctx->domains_lock);
	if (!t->doms)
		return -ENOMEM;
	/* The static ones first, as they were made at probe. */
	nstatic = !!ctx->blocked + !!ctx->identity;
	qsort(t->doms + nstatic, t->nr - nstatic, sizeof(*t->doms), dom_cmp);
	return 0;
}

static long topo_index(const struct topo *t, const struct iommu_domain *d)
{
	for (size_t i = 0; i < t->nr; i++)
		if (t->doms[i] == d)
			return (long)i;
	return -1;
}

/* The groups a domain is the default domain of: "0, 2". */
static void dom_groups(FILE *f, struct iommu_ctx *ctx,
		       const struct iommu_domain *d)
{
	bool first = true;

	for (size_t g = 0; g < ctx->nr_groups; g++) {
		if (ctx->groups[g]->default_domain != d)
			continue;
		fprintf(f, "%s%" PRIu32, first ? "" : ", ", ctx->groups[g]->id);
		first = false;
	}
}

static bool dom_is_default(struct iommu_ctx *ctx, const struct iommu_domain *d)
{
	for (size_t g = 0; g < ctx->nr_groups; g++)
		if (ctx->groups[g]->default_domain == d)
			return true;
	return false;
}

static int group_cmp(const void *a, const void *b)
{
	uint32_t x = (*(struct iommu__group *const *)a)->id;
	uint32_t y = (*(struct iommu__group *const *)b)->id;

	return x < y ? -1 : x > y;
}

/* Render with topo_lock held for reading; each group under its lock. */
static void topo_render(FILE *f, struct iommu_ctx *ctx, const struct topo *t,
			struct iommu__group **groups, bool dot)
{
	const enum iommu_id_kind kind = ctx->desc->id_kind;
	char id[24];

	if (dot)
		fprintf(
		    f,
		    "digraph topology {\n"
		    "\trankdir=LR;\n"
		    "\tlabelloc=t;\n"
		    "\tlabel=\"%s: %zu devices, %zu groups, %zu domains\";\n"
		    "\tnode [fontname=\"monospace\", fontsize=10, "
		    "style=filled];\n"
		    "\tedge [fontname=\"monospace\", fontsize=9];\n",
		    ctx->desc->name, ctx->nr_devs, ctx->nr_groups, t->nr);
	else
		fprintf(f, "%s: %zu devices, %zu groups, %zu domains\n",
			ctx->desc->name, ctx->nr_devs, ctx->nr_groups, t->nr);
	for (size_t i = 0; i < t->nr; i++) {
		const struct iommu_domain *d = t->doms[i];

		if (dot)
			fprintf(f,
				"\tdom%zu [shape=ellipse, fillcolor=\"%s\", "
				"label=\"domain %zu\\n%s",
				i, d->is_static ? "#eeeeee" : "#e2f0d9", i,
				type_name(d->type));
		else
			fprintf(f, "domain %zu: %s", i, type_name(d->type));
		if (d->is_static)
			fputs(dot ? "\\nstatic" : ", static", f);
		if (dom_is_default(ctx, d)) {
			fputs(dot ? "\\ndefault of group "
				  : ", default of group ",
			      f);
			dom_groups(f, ctx, d);
		}
		if (d->pasid != IOMMU_NO_PASID)
			fprintf(f,
				dot ? "\\naux PASID %" PRIu32
				    : ", aux PASID %" PRIu32,
				d->pasid);
		fputs(dot ? "\"];\n" : "\n", f);
	}
	for (size_t gi = 0; gi < ctx->nr_groups; gi++) {
		struct iommu__group *g = groups[gi];
		const struct iommu_domain *cur;

		pthread_mutex_lock(&g->lock);
		cur = atomic_load(&g->domain);
		if (dot) {
			fprintf(f,
				"\tsubgraph cluster_g%" PRIu32 " {\n"
				"\t\tlabel=\"group %" PRIu32 "%s",
				g->id, g->id,
				g->owner ? " (DMA owner claimed)" : "");
			if (g->label[0]) {
				fputs(" ", f);
				dot_str(f, g->label);
			}
			fputs("\";\n\t\tstyle=rounded;\n", f);
		} else {
			fprintf(f, "group %" PRIu32 "%s%s%s: domain %ld\n",
				g->id, g->label[0] ? " " : "", g->label,
				g->owner ? " (DMA owner claimed)" : "",
				topo_index(t, cur));
		}
		for (size_t k = 0; k < g->nr_devs; k++) {
			const struct iommu__dev *dev = g->devs[k];

			dev_str(id, sizeof(id), kind, dev->info.id);
			if (dot) {
				fprintf(f,
					"\t\tdev%" PRIu32 " [shape=box, "
					"fillcolor=\"#dce6f2\", label=\"%s",
					dev->info.id, id);
				if (dev->name[0]) {
					fputs("\\n", f);
					dot_str(f, dev->name);
				}
				fputs("\"];\n", f);
			} else {
				fprintf(f, "  device %s%s%s%s\n", id,
					dev->name[0] ? " \"" : "", dev->name,
					dev->name[0] ? "\"" : "");
			}
		}
		if (dot) {
			fputs("\t}\n", f);
			for (size_t k = 0; k < g->nr_devs; k++)
				fprintf(f,
					"\tdev%" PRIu32 " -> dom%ld "
					"[label=\"primary\"];\n",
					g->devs[k]->info.id,
					topo_index(t, cur));
		}
		for (size_t k = 0; k < g->nr_devs; k++) {
			const struct iommu__dev *dev = g->devs[k];

			for (size_t a = 0; a < dev->nr_aux; a++) {
				const struct iommu__aux *x = &dev->aux[a];

				dev_str(id, sizeof(id), kind, dev->info.id);
				if (dot)
					fprintf(f,
						"\tdev%" PRIu32 " -> dom%ld "
						"[style=dashed, label=\"PASID "
						"%" PRIu32 "%s\"];\n",
						dev->info.id,
						topo_index(t, x->domain),
						x->pasid,
						x->aux ? " (aux)" : "");
				else
					fprintf(f,
						"  device %s PASID %" PRIu32
						"%s: domain %ld\n",
						id, x->pasid,
						x->aux ? " (aux)" : "",
						topo_index(t, x->domain));
			}
		}
		pthread_mutex_unlock(&g->lock);
	}
	if (dot)
		fputs("}\n", f);
}

int iommu_dump_topology(struct iommu_ctx *ctx, enum iommu_dump_format fmt,
			FILE *out)
{
	struct iommu__group **groups = NULL;
	struct topo t = {0};
	struct dump_out o;
	int ret;

	if (!ctx || !out || (fmt != IOMMU_DUMP_TEXT && fmt != IOMMU_DUMP_DOT))
		return -EINVAL;
	ret = dump_open(&o);
	if (ret)
		return ret;
	pthread_rwlock_rdlock(&ctx->topo_lock);
	ret = topo_domains(ctx, &t);
	if (!ret && ctx->nr_groups) {
		groups = malloc(ctx->nr_groups * sizeof(*groups));
		if (!groups)
			ret = -ENOMEM;
	}
	if (!ret) {
		if (ctx->nr_groups) {
			memcpy(groups, ctx->groups,
			       ctx->nr_groups * sizeof(*groups));
			qsort(groups, ctx->nr_groups, sizeof(*groups),
			      group_cmp);
		}
		topo_render(o.f, ctx, &t, groups, fmt == IOMMU_DUMP_DOT);
	}
	pthread_rwlock_unlock(&ctx->topo_lock);
	free(groups);
	free(t.doms);
	return dump_close(&o, ret, out);
}

/* ---- The device model ---------------------------------------------------- */

int iommu_dump_model(struct iommu_ctx *ctx, enum iommu_dump_format fmt,
		     FILE *out)
{
	IOMMU__API_SCOPE();
	struct dump_out o;
	int ret;

	if (!ctx || !out || (fmt != IOMMU_DUMP_TEXT && fmt != IOMMU_DUMP_DOT))
		return -EINVAL;
	if (fmt != IOMMU_DUMP_TEXT)
		return -EOPNOTSUPP;
	if (!ctx->hw)
		return -ENODEV;
	if (!ctx->desc->hw->dump)
		return -EOPNOTSUPP;
	ret = dump_open(&o);
	if (ret)
		return ret;
	fprintf(o.f, "%s model (%s)\n", ctx->desc->name,
		ctx->desc->description ? ctx->desc->description : "");
	ret = ctx->desc->hw->dump(ctx->hw, dump_print, &o);
	if (ret > 0)
		ret = -EINVAL;
	return dump_close(&o, ret, out);
}
