#!/usr/bin/env bash
# run-tests.sh - set up, build (debug, asan, tsan) and run every test.
#
#  1. scripts/setup.sh
#  2. scons -Q -j2 (debug) and scons -Q -j2 flavour=asan
#  3. every test program found under build/<flavour>/tests/, both flavours;
#     the asan lane fails on any 'ERROR: .*Sanitizer' or 'runtime error:'
#     line, since a leak in a Criterion test child leaves exit codes at 0
#  3b. the fuzz targets' stored corpora and reproducers, replayed by
#     plain programs in both flavours (scripts/fuzz-replay.sh), one step
#  4. libiommu.so exports only the public iommu_* API and each backend
#     plugin only its descriptor, in each flavour (scripts/check-exports.sh)
#  4b. the examples against the library installed into a temporary prefix,
#     in each flavour (scripts/run-examples.sh)
#  4c. iommu-bench --count on every row and platform, in each flavour
#     (scripts/bench-smoke.sh)
#  5. the tsan lane: scons -Q -j2 flavour=tsan (the library, the plugins,
#     the conformance suite and the stress test), then the conformance
#     suite and the stress test (tests/stress) under ThreadSanitizer; it fails on
#     any 'WARNING: ThreadSanitizer' or 'ThreadSanitizer:' line as well
#  6. the conformance suite (debug) under valgrind, children traced
#     (Criterion workers are exec'd, so valgrind follows each one)
#  7. the main job (tools/iommu-vmm on conf/default.ini, vtd.ini, amdvi.ini and
#     smmuv3.ini) in each flavour and under valgrind
#
# All output goes to build/logs/run-tests.log; the last line is
# "N passed, M failed" (Criterion's test counts summed, plus one per other
# step) and the exit status is non-zero on any failure.
#
# Knobs (environment):
#   TEST_TIMEOUT       seconds per test program (600)
#   VALGRIND_TIMEOUT   seconds per program under valgrind (900)
#   VALGRIND_JOBS      Criterion workers under valgrind (CPUs, at most 2)
#   VALGRIND_CONFIGS   conformance configurations under valgrind
#                      (virtio-lazy,vtd-sm-fs57; "" = all; the debug, asan
#                      and tsan lanes run every configuration)
#   VALGRIND_DIFF_OPS  operations of the differential test there (3000)
#   TSAN_JOBS          Criterion workers in the tsan lane (CPUs, at most 2)
#   TSAN_CONFIGS       configurations of the conformance suite and of the
#                      stress test in the tsan lane (default: virtio-lazy,
#                      vtd-sm-ss, vtd-sm-lazy and every AMD-Vi and SMMUv3
#                      configuration: one per invalidation mode of the
#                      older backends, whose configurations share their
#                      locking, and all of the newer ones; "" = all)
#   TSAN_DIFF_OPS      operations of the differential test there (10000:
#                      it runs on one thread, TSan finds nothing in it,
#                      and 10^5 cost a minute; at 3000 its "too few
#                      translations passed" check fails now and then)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

LOG=build/logs/run-tests.log
TEST_TIMEOUT=${TEST_TIMEOUT:-600}
VALGRIND_TIMEOUT=${VALGRIND_TIMEOUT:-900}
# Criterion workers are exec'd, so valgrind (--trace-children) follows each
# one; two at a time halve the wall time on two cores.
CPUS2=$(n=$(nproc 2>/dev/null || echo 1); [ "$n" -gt 2 ] && n=2; echo "$n")
VALGRIND_JOBS=${VALGRIND_JOBS:-$CPUS2}
SAN_RE='ERROR: .*Sanitizer|runtime error:'
TSAN_RE='WARNING: ThreadSanitizer|ThreadSanitizer:'
# More lines worth showing when a step fails.
SHOW_RE='ERROR SUMMARY: [1-9]|FAIL|\[FAIL\]|Assertion|error'
ASAN_ENV=(ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:print_stacktrace=1
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
	  IOMMU_NO_DLCLOSE=1)
VALGRIND=(valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect
	  --error-exitcode=1 --trace-children=yes)
TSAN_JOBS=${TSAN_JOBS:-$CPUS2}
# halt_on_error ends a test worker at its first report (Criterion then
# fails the test), and the lane also greps for reports.  IOMMU_NO_DLCLOSE
# keeps the plugins mapped, so that stacks name their frames.  No
# suppressions: every report fails the lane.
TSAN_ENV=(TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1"
	  IOMMU_NO_DLCLOSE=1)

passed=0
failed=0
failures=()

mkdir -p build/logs
: >"$LOG"
start=$(date +%s)

say() { echo "$*" | tee -a "$LOG"; }

finish() {
	local t=$(($(date +%s) - start))
	say ""
	if [ ${#failures[@]} -ne 0 ]; then
		say "failed steps:"
		printf '  %s\n' "${failures[@]}" | tee -a "$LOG"
	fi
	say "log: $LOG (${t}s)"
	say "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}

# A file is a test program if it is an executable ELF with an interpreter
# (a shared object, e.g. a deliberately broken plugin, has none).
is_test_program() {
	local f=$1
	case $f in
	*.so | *.so.* | *.o | *.os | *.a) return 1 ;;
	esac
	[ -f "$f" ] && [ -x "$f" ] || return 1
	[ "$(head -c4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] || return 1
	if command -v readelf >/dev/null 2>&1; then
		readelf -lW "$f" 2>/dev/null | grep -q 'INTERP' || return 1
	fi
	return 0
}

discover() {
	local f
	[ -d "build/$1/tests" ] || return 0
	find "build/$1/tests" -type f | sort | while read -r f; do
		is_test_program "$f" && echo "$f"
	done
}

# run_step LABEL KIND CMD... : run one program, log its output, count it.
# KIND: "plain" (pass = exit 0 and no sanitizer line), "valgrind" (also
# no 'ERROR SUMMARY: N>0' from any traced process) or "tsan" (also no
# ThreadSanitizer line).  Criterion's synthesis line, when there is one,
# adds its test counts.
run_step() {
	local label=$1 kind=$2
	shift 2
	local out rc synth t p f c bad=0 why=() t0=$SECONDS
	out=$(mktemp)
	{
		echo ""
		echo "==== $label"
		echo "\$ $*"
	} >>"$LOG"
	timeout --kill-after=10 "$TIMEOUT" "$@" >"$out" 2>&1
	rc=$?
	cat "$out" >>"$LOG"

	[ "$rc" -eq 0 ] || { bad=1; why+=("exit $rc"); }
	[ "$rc" -eq 124 ] && why+=("timeout ${TIMEOUT}s")
	if grep -qE "$SAN_RE" "$out"; then
		bad=1
		why+=("sanitizer report")
	fi
	if [ "$kind" = valgrind ] &&
		grep -qE 'ERROR SUMMARY: [1-9]' "$out"; then
		bad=1
		why+=("valgrind errors")
	fi
	if [ "$kind" = tsan ] && grep -qE "$TSAN_RE" "$out"; then
		bad=1
		why+=("ThreadSanitizer report")
	fi
	# Criterion aborts this way when a worker dies before it starts,
	# e.g. when the test program is relinked while it runs.
	if grep -q 'Could not spawn test instance' "$out"; then
		bad=1
		why+=("Criterion could not start a worker")
	fi
	# Criterion could not place its shared arena: under TSan, when
	# tests/stress/tsan_criterion.c is missing or no longer fits BoxFort.
	if grep -q 'Could not initialize inheritable arena' "$out"; then
		bad=1
		why+=("Criterion could not make its arena")
	fi

	synth=$(sed 's/\x1b\[[0-9;]*m//g' "$out" |
		grep -E 'Synthesis: Tested: [0-9]+' | tail -n1)
	if [ -n "$synth" ]; then
		t=$(sed -E 's/.*Tested: ([0-9]+).*/\1/' <<<"$synth")
		p=$(sed -E 's/.*Passing: ([0-9]+).*/\1/' <<<"$synth")
		f=$(sed -E 's/.*Failing: ([0-9]+).*/\1/' <<<"$synth")
		c=$(sed -nE 's/.*Crashing: ([0-9]+).*/\1/p' <<<"$synth")
		c=${c:-0}
		passed=$((passed + p))
		failed=$((failed + f + c))
		[ $((f + c)) -eq 0 ] || why+=("$f failing, $c crashing")
		# A clean count with a bad run (leak in a child, crash at
		# exit) still fails: one more failure for the program.
		if [ "$bad" -eq 1 ] && [ $((f + c)) -eq 0 ]; then
			failed=$((failed + 1))
		fi
		[ $((f + c)) -eq 0 ] || bad=1
		synth="$t tested, $p passing, $f failing, $c crashing"
	else
		if [ "$bad" -eq 0 ]; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
		fi
		synth="no Criterion summary"
	fi

	synth="$synth, $((SECONDS - t0))s"
	if [ "$bad" -eq 0 ]; then
		say "PASS  $label ($synth)"
	else
		local IFS=,
		say "FAIL  $label ($synth; ${why[*]})"
		failures+=("$label: ${why[*]}")
		unset IFS
		echo "----- last lines of $label:"
		grep -E "$SAN_RE|$TSAN_RE|$SHOW_RE" "$out" |
			head -n 20
		tail -n 15 "$out"
		echo "-----"
	fi
	rm -f "$out"
}

say "== setup"
if ! scripts/setup.sh >>"$LOG" 2>&1; then
	say "setup failed: see $LOG"
	failed=$((failed + 1))
	failures+=("setup")
	finish
fi

flavours=(debug asan)
for fl in "${flavours[@]}"; do
	say "== build $fl"
	t0=$SECONDS
	if scons -Q -j2 flavour="$fl" >>"$LOG" 2>&1; then
		passed=$((passed + 1))
		say "PASS  build $fl ($((SECONDS - t0))s)"
	else
		say "FAIL  build $fl (see $LOG)"
		tail -n 30 "$LOG"
		failed=$((failed + 1))
		failures+=("build $fl")
		finish
	fi
done

TIMEOUT=$TEST_TIMEOUT
for fl in "${flavours[@]}"; do
	say "== tests ($fl)"
	mapfile -t bins < <(discover "$fl")
	if [ ${#bins[@]} -eq 0 ]; then
		say "FAIL  no test programs under build/$fl/tests"
		failed=$((failed + 1))
		failures+=("no tests ($fl)")
		continue
	fi
	for b in "${bins[@]}"; do
		label="$fl ${b#build/"$fl"/}"
		if [ "$fl" = asan ]; then
			run_step "$label" plain env "${ASAN_ENV[@]}" "$b"
		else
			run_step "$label" plain "$b"
		fi
	done
done

say "== fuzz replay"
# The fuzz targets as plain programs over their stored corpora and the
# reproducers of past findings (fuzz/regress/): one step, both flavours.
run_step "fuzz replay (debug, asan)" plain env FUZZ_REPLAY_NO_BUILD=1 \
	scripts/fuzz-replay.sh "${flavours[@]}"

say "== exported symbols"
for fl in "${flavours[@]}"; do
	run_step "$fl exports (libiommu, plugins)" plain \
		scripts/check-exports.sh "build/$fl/core/libiommu.so" \
		build/"$fl"/plugins/iommu-*.so
done

say "== examples (installed library)"
# Each flavour's library installed into a temporary prefix; every example
# built against it through pkg-config and run; the out-of-tree backend
# built with pkg-config iommu-plugin and put through the conformance suite.
for fl in "${flavours[@]}"; do
	run_step "$fl examples" plain scripts/run-examples.sh "$fl"
done

say "== benchmark rows"
# iommu-bench --count on every row and platform (SMMUv3 with 16K and 64K
# granules too): the benchmark runs wherever the library does.
for fl in "${flavours[@]}"; do
	if [ "$fl" = asan ]; then
		run_step "$fl bench rows" plain env "${ASAN_ENV[@]}" \
			scripts/bench-smoke.sh "$fl"
	else
		run_step "$fl bench rows" plain scripts/bench-smoke.sh "$fl"
	fi
done

say "== tsan"
TIMEOUT=$TEST_TIMEOUT
t0=$SECONDS
# Built here, not with debug and asan: a failure costs this lane only.
# Only what the lane runs: the library, the plugins, the conformance suite
# and the stress test (the whole flavour takes three times as long).
if scons -Q -j2 flavour=tsan build/tsan/core build/tsan/plugins \
	build/tsan/tests/conformance build/tsan/tests/stress >>"$LOG" 2>&1; then
	passed=$((passed + 1))
	say "PASS  build tsan ($((SECONDS - t0))s)"
	tcfgs=${TSAN_CONFIGS-virtio-lazy,vtd-sm-ss,vtd-sm-lazy,amdvi,amdvi-v2,amdvi-grow,smmuv3,smmuv3-s2-16k,smmuv3-52,smmuv3-64k}
	for prog in conformance/conformance stress/stress; do
		b=build/tsan/tests/$prog
		if [ ! -x "$b" ]; then
			say "FAIL  tsan: $b was not built"
			failed=$((failed + 1))
			failures+=("tsan ${prog#*/}: not built")
			continue
		fi
		run_step "tsan tests/$prog" tsan env "${TSAN_ENV[@]}" \
			IOMMU_DIFF_OPS="${TSAN_DIFF_OPS:-10000}" \
			"$b" ${tcfgs:+--config "$tcfgs"} --jobs "$TSAN_JOBS"
	done
else
	say "FAIL  build tsan (see $LOG)"
	tail -n 30 "$LOG"
	failed=$((failed + 1))
	failures+=("build tsan")
fi
say "tsan lane: $((SECONDS - t0))s"

say "== valgrind"
TIMEOUT=$VALGRIND_TIMEOUT
conf=build/debug/tests/conformance/conformance
if [ -x "$conf" ]; then
	# Valgrind costs about 2 s of CPU per test (it restarts for every
	# Criterion worker), so this lane runs every test on a
	# few configurations ($VALGRIND_CONFIGS, "" for all) and the
	# differential test with 3000 operations; the debug and asan lanes
	# run every configuration and 10^5 operations.
	cfgs=${VALGRIND_CONFIGS-virtio-lazy,vtd-sm-fs57}
	run_step "valgrind conformance" valgrind env \
		IOMMU_DIFF_OPS="${VALGRIND_DIFF_OPS:-3000}" "${VALGRIND[@]}" \
		"$conf" ${cfgs:+--config "$cfgs"} --jobs "$VALGRIND_JOBS"
else
	say "FAIL  valgrind: $conf was not built"
	failed=$((failed + 1))
	failures+=("valgrind conformance: not built")
fi
# The main job is one process per backend (about a second each): every
# backend's attach, map, DMA, fault and aux paths under valgrind.
for ini in conf/default.ini conf/vtd.ini conf/amdvi.ini conf/smmuv3.ini; do
	run_step "valgrind main job $ini" valgrind "${VALGRIND[@]}" \
		build/debug/tools/iommu-vmm "$ini"
done

say "== main job"
TIMEOUT=$TEST_TIMEOUT
for ini in conf/default.ini conf/vtd.ini conf/amdvi.ini conf/smmuv3.ini; do
	run_step "debug main job $ini" plain build/debug/tools/iommu-vmm "$ini"
	run_step "asan main job $ini" plain env "${ASAN_ENV[@]}" \
		build/asan/tools/iommu-vmm "$ini"
done

finish
