// SPDX-License-Identifier: MIT
/*
 * test_tool.c - the iommu-dump program (tools/iommu-dump.c) as a person
 * runs it: on a known INI its fixed scenario gives a known table, shown
 * as the tree and as dot exactly (table addresses named T0, T1, ... as
 * in test_dump.c), the topology and the model's state hold what the
 * scenario did, and bad command lines exit 2 with the usage.  The
 * library's views themselves are test_dump.c's and test_model.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "dump.h"

#define TOOL_MAX_ARGS 8

struct tool_run {
	int status; /* the exit status, or -1 if it did not exit */
	char *out;  /* its stdout, malloc'ed */
	char *err;  /* its stderr, malloc'ed */
};

/* The whole of @fd from its start, malloc'ed and NUL-terminated. */
static char *slurp(int fd)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	char chunk[4096];
	ssize_t n;

	cr_assert_not_null(m);
	cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		fwrite(chunk, 1, (size_t)n, m);
	cr_assert_geq(n, 0, "read: %s", strerror(errno));
	fclose(m);
	close(fd);
	return buf;
}

/* A file in $TMPDIR, already unlinked: the child writes, we read. */
static int scratch(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/iommu-dump-test.XXXXXX",
		 dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0, "mkstemp: %s", strerror(errno));
	unlink(path);
	return fd;
}

/* Run the tool with the arguments up to NULL; outputs go to files, not
 * pipes, so a long report on one cannot block the other. */
static struct tool_run tool(const char *arg, ...)
{
	const char *argv[TOOL_MAX_ARGS + 2] = {IOMMU_DUMP_TOOL};
	struct tool_run r = {.status = -1};
	int out = scratch(), err = scratch(), st;
	size_t n = 1;
	va_list ap;
	pid_t pid;

	va_start(ap, arg);
	for (; arg; arg = va_arg(ap, const char *)) {
		cr_assert_lt(n, TOOL_MAX_ARGS + 1);
		argv[n++] = arg;
	}
	va_end(ap);
	argv[n] = NULL;
	fflush(NULL);
	pid = fork();
	cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		if (dup2(out, 1) < 0 || dup2(err, 2) < 0)
			_exit(127);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	if (WIFEXITED(st))
		r.status = WEXITSTATUS(st);
	r.out = slurp(out);
	r.err = slurp(err);
	return r;
}

static void tool_free(struct tool_run *r)
{
	free(r->out);
	free(r->err);
}

/* The INI of test_dump.c in a file (the tool takes a path). */
static char ini_path[4096];

static void ini_write(void)
{
	const char *dir = getenv("TMPDIR");
	FILE *f;
	int fd;

	snprintf(ini_path, sizeof(ini_path), "%s/iommu-dump-test.XXXXXX",
		 dir && *dir ? dir : "/tmp");
	fd = mkstemp(ini_path);
	cr_assert_geq(fd, 0, "mkstemp: %s", strerror(errno));
	f = fdopen(fd, "w");
	cr_assert_not_null(f);
	fputs(dump_ini_vtd, f);
	cr_assert_eq(fclose(f), 0);
}

static void ini_remove(void)
{
	if (ini_path[0])
		unlink(ini_path);
}

TestSuite(tool, .init = ini_write, .fini = ini_remove);

/* Success: exit 0, nothing on stderr (no scenario step was skipped). */
static void expect_ok(const struct tool_run *r)
{
	cr_assert_eq(r->status, 0, "exit %d, stderr:\n%s", r->status, r->err);
	cr_assert_str_empty(r->err, "stderr:\n%s", r->err);
}

static void expect_text(const char *got, const char *want)
{
	cr_assert_str_eq(got, want, "got:\n%s\nwanted:\n%s", got, want);
}

/* The scenario's VMM domain on dump_ini_vtd: the device with a group of
 * its own and no AUX is "nic"; a run of eight 4K pages, a 2M page, a
 * read-only page in the next 1G region. */
static const char tree_want[] =
    "vtd domain UNMANAGED, aperture 0x0-0xffffffffffff, pages 4K 2M 1G\n"
    "L3 table T0: 0x0-0xffffffffffff\n"
    "  L2 table T1: 0x0-0x7fffffffff\n"
    "    L1 table T2: 0x0-0x3fffffff\n"
    "      L0 table T3: 0x0-0x1fffff\n"
    "        0x1000-0x8fff -> 0x200000 4K x8 RW\n"
    "      0x800000-0x9fffff -> 0x400000 2M RW\n"
    "    L1 table T4: 0x40000000-0x7fffffff\n"
    "      L0 table T5: 0x40000000-0x401fffff\n"
    "        0x40000000-0x40000fff -> 0x300000 4K R\n";

Test(tool, tree_of_a_known_table)
{
	struct tool_run r = tool("--tree", ini_path, NULL);
	struct tool_run d = tool(ini_path, NULL);
	char *s;

	expect_ok(&r);
	s = dump_name_tables(r.out, 0x3000000, 4u << 20);
	expect_text(s, tree_want);
	/* --tree and --what tables are the defaults. */
	expect_ok(&d);
	expect_text(d.out, r.out);
	free(s);
	tool_free(&r);
	tool_free(&d);
}

Test(tool, dot_of_a_known_table)
{
	struct tool_run r = tool("--dot", "--what", "tables", ini_path, NULL);
	char *s;

	expect_ok(&r);
	s = dump_name_tables(r.out, 0x3000000, 4u << 20);
	expect_text(
	    s, "digraph domain {\n"
	       "\trankdir=LR;\n"
	       "\tlabelloc=t;\n"
	       "\tnode [shape=box, style=filled, fontname=\"monospace\", "
	       "fontsize=10];\n"
	       "\tlabel=\"vtd domain UNMANAGED, aperture "
	       "0x0-0xffffffffffff, pages 4K 2M 1G\";\n"
	       "\tn0 [label=\"L3 table T0\\n0x0-0xffffffffffff\", "
	       "fillcolor=\"#dce6f2\"];\n"
	       "\tn1 [label=\"L2 table T1\\n0x0-0x7fffffffff\", "
	       "fillcolor=\"#dce6f2\"];\n"
	       "\tn0 -> n1;\n"
	       "\tn2 [label=\"L1 table T2\\n0x0-0x3fffffff\", "
	       "fillcolor=\"#dce6f2\"];\n"
	       "\tn1 -> n2;\n"
	       "\tn3 [label=\"L0 table T3\\n0x0-0x1fffff\", "
	       "fillcolor=\"#dce6f2\"];\n"
	       "\tn2 -> n3;\n"
	       "\tn4 [label=\"0x1000-0x8fff\\n-> 0x200000\\n4K x8 RW\", "
	       "fillcolor=\"#e2f0d9\"];\n"
	       "\tn3 -> n4;\n"
	       "\tn5 [label=\"0x800000-0x9fffff\\n-> 0x400000\\n2M RW\", "
	       "fillcolor=\"#e2f0d9\"];\n"
	       "\tn2 -> n5;\n"
	       "\tn6 [label=\"L1 table T4\\n0x40000000-0x7fffffff\", "
	       "fillcolor=\"#dce6f2\"];\n"
	       "\tn1 -> n6;\n"
	       "\tn7 [label=\"L0 table T5\\n0x40000000-0x401fffff\", "
	       "fillcolor=\"#dce6f2\"];\n"
	       "\tn6 -> n7;\n"
	       "\tn8 [label=\"0x40000000-0x40000fff\\n-> 0x300000\\n4K R\", "
	       "fillcolor=\"#e2f0d9\"];\n"
	       "\tn7 -> n8;\n"
	       "}\n");
	free(s);
	tool_free(&r);
}

Test(tool, topology_of_the_scenario)
{
	struct tool_run t = tool("--what", "topology", ini_path, NULL);
	struct tool_run d = tool("--dot", "--what=topology", ini_path, NULL);

	expect_ok(&t);
	/* The VMM's claim and domain, the aux domain on the AUX device. */
	cr_expect_not_null(strstr(t.out, "vtd: 4 devices, 3 groups, "
					 "7 domains\n"),
			   "%s", t.out);
	cr_expect_not_null(strstr(t.out, "domain 6: UNMANAGED, aux PASID 1\n"),
			   "%s", t.out);
	cr_expect_not_null(strstr(t.out, "group 2 (DMA owner claimed): "
					 "domain 5\n  device 00:02.0 \"nic\"\n"),
			   "%s", t.out);
	cr_expect_not_null(strstr(t.out, "  device 00:01.0 PASID 1 (aux): "
					 "domain 6\n"),
			   "%s", t.out);
	expect_ok(&d);
	cr_expect_eq(strncmp(d.out, "digraph ", 8), 0, "%s", d.out);
	cr_expect(strlen(d.out) > 2 &&
		      !strcmp(d.out + strlen(d.out) - 2, "}\n"),
		  "%s", d.out);
	tool_free(&t);
	tool_free(&d);
}

Test(tool, model_after_the_scenario)
{
	struct tool_run r = tool("--what", "model", ini_path, NULL);

	expect_ok(&r);
	cr_expect_not_null(strstr(r.out, "vtd model (Intel VT-d"), "%s", r.out);
	cr_expect_not_null(strstr(r.out, "  GSTS    "), "%s", r.out);
	cr_expect_not_null(strstr(r.out, "invalidation queue (vtd 6): "
					 "enabled"),
			   "%s", r.out);
	/* The scenario's one DMA read left its translation cached. */
	cr_expect_not_null(strstr(r.out, "  IOTLB        1 of "), "%s", r.out);
	tool_free(&r);
}

Test(tool, bad_command_lines_exit_2)
{
	struct tool_run r;

	r = tool("--bogus", ini_path, NULL);
	cr_expect_eq(r.status, 2);
	cr_expect_not_null(strstr(r.err, "usage:"), "%s", r.err);
	cr_expect_str_empty(r.out);
	tool_free(&r);
	r = tool(NULL);
	cr_expect_eq(r.status, 2);
	cr_expect_not_null(strstr(r.err, "usage:"), "%s", r.err);
	tool_free(&r);
	r = tool("--what", "pasids", ini_path, NULL);
	cr_expect_eq(r.status, 2);
	tool_free(&r);
	r = tool(ini_path, ini_path, NULL);
	cr_expect_eq(r.status, 2);
	tool_free(&r);
	/* The registers have no picture. */
	r = tool("--dot", "--what", "model", ini_path, NULL);
	cr_expect_eq(r.status, 2);
	cr_expect_str_empty(r.out);
	tool_free(&r);
	r = tool("/nonexistent/iommu-dump.ini", NULL);
	cr_expect_eq(r.status, 2);
	cr_expect_not_null(strstr(r.err, "/nonexistent/iommu-dump.ini"), "%s",
			   r.err);
	/* Said once, with the INI's name, not again by the library. */
	{
		const char *first = strstr(r.err, "iommu-dump.ini");

		cr_expect(first && !strstr(first + 1, "iommu-dump.ini"),
			  "the error twice:\n%s", r.err);
	}
	tool_free(&r);
	/* A driver that refuses the hardware: its own reason is printed,
	 * and the library's summary (with the INI's name) once. */
	{
		static const char ini[] = "[iommu]\nbackend = smmuv3\n"
					  "default_domain = dma\n"
					  "invalidation = strict\n"
					  "[memory]\nram_size = 64M\n"
					  "table_base = 0x3000000\n"
					  "table_size = 16M\n"
					  "[smmuv3]\ngranule_4k = no\n"
					  "[device.a]\nid = 0x10\n";
		char path[4096];
		const char *dir = getenv("TMPDIR"), *first;
		int fd;

		snprintf(path, sizeof(path), "%s/iommu-dump-probe.XXXXXX",
			 dir && *dir ? dir : "/tmp");
		fd = mkstemp(path);
		cr_assert_geq(fd, 0, "mkstemp: %s", strerror(errno));
		cr_assert_eq(write(fd, ini, sizeof(ini) - 1),
			     (ssize_t)(sizeof(ini) - 1));
		close(fd);
		r = tool(path, NULL);
		unlink(path);
		cr_expect_eq(r.status, 2);
		cr_expect_not_null(strstr(r.err, "granule 4 KiB not in IDR5"),
				   "the driver's reason is lost:\n%s", r.err);
		first = strstr(r.err, "failed to probe");
		cr_expect(first && !strstr(first + 1, "failed to probe"),
			  "the summary not exactly once:\n%s", r.err);
		tool_free(&r);
	}
	r = tool("--help", NULL);
	cr_expect_eq(r.status, 0);
	cr_expect_not_null(strstr(r.out, "usage:"), "%s", r.out);
	tool_free(&r);
}
