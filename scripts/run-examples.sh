#!/usr/bin/env bash
# run-examples.sh FLAVOUR - build and run examples/ against an installed
# library, the way a VMM author would.
#
#  1. scons -Q -j2 flavour=FLAVOUR install PREFIX=<a temporary prefix>
#  2. pkg-config --cflags --libs iommu (and iommu-plugin) from that prefix
#  3. each example built out of tree with its own Makefile and the
#     prefix's pkg-config files (PKG_CONFIG_PATH=<prefix>/lib/pkgconfig,
#     rpath to <prefix>/lib), then run (exit 0 = every check passed):
#     nic-dma on virtio and on vtd, assign on virtio and on vtd,
#     guest-viommu
#     (and the README's embedding snippet, linked with the shared
#     library and with the static one)
#  4. the outside backend (examples/outside-backend): built the same way
#     against the plugin kit (pkg-config iommu-plugin), checked to export
#     one symbol, then the conformance runner of the build tree
#     (build/FLAVOUR/tests/conformance/conformance --plugin, brought up to
#     date here) over it, and nic-dma on it (examples/outside-backend/
#     toy.ini, the plugin found through $IOMMU_PLUGIN_PATH)
#
# One line per step, "PASS name" or "FAIL name"; the exit status is
# non-zero on any failure.  FLAVOUR: debug (default), asan (the examples
# and the plugin are built with the library's -fsanitize=address,undefined,
# run with leak detection; a step also fails on any 'ERROR: .*Sanitizer'
# or 'runtime error:' line), tsan (likewise with -fsanitize=thread; the
# programs need a libiommu.so without ifunc resolvers, which TSan cannot
# run at load time: core/pt's target_clones must be off under
# __SANITIZE_THREAD__), release.  The prefix is removed at the
# end; KEEP_PREFIX=1 keeps it (and says where).  Logs of failed steps are
# printed; all of them go to build/logs/run-examples-FLAVOUR.log.
#
# Knobs (environment): CC (cc), EXAMPLE_TIMEOUT (seconds per run, 600),
# CONF_JOBS (Criterion workers of the conformance runner, CPUs up to 2).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD

FLAVOUR=${1:-debug}
CC=${CC:-cc}
EXAMPLE_TIMEOUT=${EXAMPLE_TIMEOUT:-600}
CONF_JOBS=${CONF_JOBS:-$(n=$(nproc 2>/dev/null || echo 1); [ "$n" -gt 2 ] && n=2; echo "$n")}
SAN_RE='ERROR: .*Sanitizer|runtime error:|WARNING: ThreadSanitizer'

case $FLAVOUR in
debug)
	EX_CFLAGS="-O1 -g -Werror"
	EX_LDFLAGS=""
	RUN_ENV=() ;;
release)
	EX_CFLAGS="-O2 -g -Werror"
	EX_LDFLAGS=""
	RUN_ENV=() ;;
asan)
	SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
	EX_CFLAGS="-O1 -g -Werror $SAN"
	EX_LDFLAGS="$SAN"
	RUN_ENV=(ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:print_stacktrace=1
		 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
		 IOMMU_NO_DLCLOSE=1) ;;
tsan)
	SAN="-fsanitize=thread"
	EX_CFLAGS="-O1 -g -Werror $SAN"
	EX_LDFLAGS="$SAN"
	RUN_ENV=("TSAN_OPTIONS=halt_on_error=1 exitcode=66"
		 IOMMU_NO_DLCLOSE=1) ;;
*)
	echo "usage: $0 [debug|asan|tsan|release]" >&2
	exit 2 ;;
esac

mkdir -p build/logs
LOG=$ROOT/build/logs/run-examples-$FLAVOUR.log
: >"$LOG"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/iommu-examples.XXXXXX") || exit 1
PREFIX=$TMP/prefix
OUT=$TMP/build
mkdir -p "$OUT"
cleanup() {
	if [ "${KEEP_PREFIX:-0}" = 1 ]; then
		echo "(kept $TMP)"
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT

passed=0
failed=0

# step NAME CMD...: run CMD, log its output, print PASS or FAIL.
step() {
	local name=$1 out rc
	shift
	out=$TMP/step.log
	"$@" >"$out" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && grep -Eq "$SAN_RE" "$out"; then
		rc=99
	fi
	{ echo "==== $name (exit $rc)"; cat "$out"; } >>"$LOG"
	if [ $rc -eq 0 ]; then
		echo "PASS $name"
		passed=$((passed + 1))
	else
		echo "FAIL $name (exit $rc)"
		tail -n 40 "$out" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
	return $rc
}

# The install; a concurrent scons run in the same tree may make it fail
# with a spurious "No such file": one retry.
install() {
	scons -Q -j2 flavour="$FLAVOUR" install PREFIX="$PREFIX" ||
		scons -Q -j2 flavour="$FLAVOUR" install PREFIX="$PREFIX"
}

# What a VMM author's build sees: only the prefix.
export PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig
unset PKG_CONFIG_LIBDIR IOMMU_PLUGIN_PATH

pkgconfig_ok() {
	pkg-config --modversion iommu &&
		pkg-config --cflags --libs iommu &&
		pkg-config --cflags --libs iommu-plugin
}

# build DIR: make in examples/DIR, output in $OUT.
build() {
	make -C "examples/$1" OUT="$OUT" CC="$CC" CFLAGS="$EX_CFLAGS" \
		LDFLAGS="$EX_LDFLAGS -Wl,-rpath,$PREFIX/lib"
}

# run PROGRAM ARGS...: in the example's environment, bounded in time.
run() {
	env "${RUN_ENV[@]}" timeout "$EXAMPLE_TIMEOUT" "$@"
}

# The plugin exports iommu_plugin_toy and nothing else.
one_symbol() {
	local syms
	syms=$(nm -D --defined-only "$OUT/iommu-toy.so" | awk '{print $3}')
	echo "exported: $syms"
	[ "$syms" = iommu_plugin_toy ]
}

conformance() {
	local runner=build/$FLAVOUR/tests/conformance/conformance
	# Up to date with the library just installed (same tree, same ABI).
	scons -Q -j2 flavour="$FLAVOUR" "$runner" ||
		scons -Q -j2 flavour="$FLAVOUR" "$runner" || return 1
	# A copy: a concurrent build must not relink it under the workers.
	cp "$runner" "$OUT/conformance" &&
		run "$OUT/conformance" --plugin "$OUT/iommu-toy.so" \
			--jobs "$CONF_JOBS"
}

# The README's embedding snippet (the C block under "Embedding the
# library in a VMM"), compiled against the prefix as it stands and run on
# conf/default.ini: the first thing a VMM author copies must work.
readme_snippet() {
	awk '/^## Embedding the library in a VMM/ { s = 1 }
	     s && /^```c$/ { c = 1; next }
	     c && /^```$/ { exit }
	     c { print }' "$ROOT/README.md" >"$OUT/readme.c" &&
		[ -s "$OUT/readme.c" ] &&
		$CC -std=gnu11 -Wall -Wextra -Werror $EX_CFLAGS \
			$(pkg-config --cflags iommu) "$OUT/readme.c" \
			$EX_LDFLAGS -Wl,-rpath,"$PREFIX/lib" \
			$(pkg-config --libs iommu) -o "$OUT/readme" &&
		(cd "$ROOT" && run "$OUT/readme" conf/default.ini)
}

# The same program linked with libiommu.a as the README's "static" line
# says (the archive by its path, then inih, libdl, pthreads): no
# libiommu.so among what it needs, and it runs without the rpath.
readme_snippet_static() {
	[ -s "$OUT/readme.c" ] &&
		$CC -std=gnu11 -Wall -Wextra -Werror $EX_CFLAGS \
			$(pkg-config --cflags iommu) "$OUT/readme.c" \
			"$(pkg-config --variable=libdir iommu)/libiommu.a" \
			$EX_LDFLAGS $(pkg-config --libs inih) -ldl -pthread \
			-o "$OUT/readme-static" &&
		! readelf -d "$OUT/readme-static" | grep -F 'libiommu.so' &&
		(cd "$ROOT" && run "$OUT/readme-static" conf/default.ini)
}

echo "examples ($FLAVOUR) against a library installed in $PREFIX"
if step "install" install && step "pkg-config" pkgconfig_ok; then
	step "README embedding snippet" readme_snippet &&
		step "README embedding snippet, static" readme_snippet_static
	if step "build nic-dma" build nic-dma; then
		step "nic-dma virtio" run "$OUT/nic-dma" \
			"$ROOT/examples/nic-dma/virtio.ini"
		step "nic-dma vtd" run "$OUT/nic-dma" \
			"$ROOT/examples/nic-dma/vtd.ini"
	fi
	if step "build assign" build assign; then
		step "assign virtio" run "$OUT/assign" \
			"$ROOT/examples/assign/virtio.ini"
		step "assign vtd" run "$OUT/assign" \
			"$ROOT/examples/assign/vtd.ini"
	fi
	if step "build guest-viommu" build guest-viommu; then
		step "guest-viommu" run "$OUT/guest-viommu"
	fi
	if step "build outside-backend" build outside-backend; then
		step "outside-backend exports one symbol" one_symbol
		step "outside-backend conformance" conformance
		# A VMM on the outside backend: nic-dma finds the plugin
		# through $IOMMU_PLUGIN_PATH.
		[ -x "$OUT/nic-dma" ] &&
			step "nic-dma toy" run env IOMMU_PLUGIN_PATH="$OUT" \
				"$OUT/nic-dma" \
				"$ROOT/examples/outside-backend/toy.ini"
	fi
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
