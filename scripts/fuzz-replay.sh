#!/usr/bin/env bash
# fuzz-replay.sh [FLAVOUR...] - replay the fuzz corpora and reproducers.
#
# Every fuzz target (fuzz/fuzz_*.c) is also built in the ordinary flavours
# with gcc and a plain main() (fuzz/replay.c) instead of libFuzzer.  This
# runs each of them over its stored seeds (fuzz/corpus/T/) and the
# reproducers of past findings (fuzz/regress/T/), in each FLAVOUR (default:
# debug asan).  A target passes when it exits 0 and prints no sanitizer
# report; the asan flavour runs with leak detection and IOMMU_NO_DLCLOSE=1.
# Takes seconds; scripts/run-tests.sh runs it for debug and asan.
#
# It builds each flavour first (scons -Q -j2 flavour=FLAVOUR) unless
# FUZZ_REPLAY_NO_BUILD=1 (run-tests.sh has built them already).
# Exit status: 0 when every target passed in every flavour.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

flavours=("$@")
[ ${#flavours[@]} -eq 0 ] && flavours=(debug asan)
SAN_RE='ERROR: .*Sanitizer|runtime error:'
TIMEOUT=${FUZZ_REPLAY_TIMEOUT:-300}
fail=0

for fl in "${flavours[@]}"; do
	if [ "${FUZZ_REPLAY_NO_BUILD:-0}" != 1 ] &&
		! scons -Q -j2 flavour="$fl" >/dev/null; then
		echo "FAIL  build $fl"
		fail=1
		continue
	fi
	env=()
	[ "$fl" = asan ] && env=(ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:print_stacktrace=1
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
		IOMMU_NO_DLCLOSE=1)
	for src in fuzz/fuzz_*.c; do
		t=$(basename "$src" .c)
		bin=build/$fl/fuzz/$t
		dirs=()
		for d in "fuzz/corpus/$t" "fuzz/regress/$t"; do
			[ -d "$d" ] && dirs+=("$d")
		done
		if [ ! -x "$bin" ]; then
			echo "FAIL  $fl $t: $bin was not built"
			fail=1
			continue
		fi
		if [ ${#dirs[@]} -eq 0 ]; then
			echo "FAIL  $fl $t: no fuzz/corpus/$t"
			fail=1
			continue
		fi
		out=$(mktemp)
		t0=$SECONDS
		timeout --kill-after=10 "$TIMEOUT" env "${env[@]}" "$bin" \
			"${dirs[@]}" >"$out" 2>&1
		rc=$?
		n=$(sed -nE 's/^replay: ([0-9]+) inputs$/\1/p' "$out")
		if [ "$rc" -ne 0 ] || grep -qE "$SAN_RE" "$out"; then
			echo "FAIL  $fl $t (exit $rc, $((SECONDS - t0))s)"
			grep -E "$SAN_RE|replay:" "$out" | head -n 5
			tail -n 20 "$out"
			fail=1
		else
			echo "PASS  $fl $t (${n:-?} inputs, $((SECONDS - t0))s)"
		fi
		rm -f "$out"
	done
done
exit $fail
