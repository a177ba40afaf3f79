#!/usr/bin/env bash
# fuzz.sh [SECONDS] - build the fuzz flavour and run every fuzz target.
#
# Builds build/fuzz/ (scons -Q -j2 flavour=fuzz: clang, libFuzzer,
# ASan + UBSan) and runs each target of fuzz/ for SECONDS (default 600),
# one after the other, starting from the stored seeds (fuzz/corpus/T/) and
# the corpus earlier runs grew (build/fuzz/corpus/T/, where new inputs
# go), with fuzz/T.dict when there is one.  A crash, a sanitizer report,
# a leak or an input running over 10 s is a finding: libFuzzer writes it
# to fuzz/findings/T/ (crash-*, leak-*, timeout-*, oom-*) and that target
# stops there.  Prints per target the executions, the coverage (edges,
# features), the corpus size and the findings; a log of each run is in
# build/fuzz/logs/T.log.  Exit status 1 when a target found something.
#
# To keep a finding as a regression input, copy it to fuzz/regress/T/:
# scripts/fuzz-replay.sh replays those in every flavour.
#
# Knobs (environment): FUZZ_TARGETS (space-separated, default all),
# FUZZ_JOBS (targets run at once, default 1), FUZZ_ARGS (more libFuzzer
# options).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

secs=${1:-600}
case $secs in
'' | *[!0-9]*)
	echo "usage: $0 [SECONDS]" >&2
	exit 2
	;;
esac
targets=${FUZZ_TARGETS:-fuzz_virtio fuzz_vtd fuzz_smmuv3 fuzz_amdvi fuzz_drv fuzz_ini fuzz_walk}
jobs=${FUZZ_JOBS:-1}

if ! command -v "${FUZZ_CC:-clang}" >/dev/null 2>&1; then
	echo "fuzz: clang not found (Debian: apt-get install clang)" >&2
	exit 2
fi
echo "== build fuzz"
mkdir -p build # a fresh clone has none yet
if ! scons -Q -j2 flavour=fuzz >build/fuzz-build.log 2>&1; then
	tail -n 30 build/fuzz-build.log
	echo "fuzz: build failed (build/fuzz-build.log)" >&2
	exit 2
fi
mkdir -p build/fuzz/logs

# run_one T: fuzz target T for $secs seconds.
run_one() {
	local t=$1 bin=build/fuzz/fuzz/$1 work=build/fuzz/corpus/$1
	local out=fuzz/findings/$1 dict=() extra=()
	mkdir -p "$work" "$out"
	[ -f "fuzz/$t.dict" ] && dict=(-dict="fuzz/$t.dict")
	[ "$t" = fuzz_walk ] && extra=(-max_len=2048)
	[ "$t" = fuzz_ini ] && extra=(-max_len=4096)
	# detect_leaks: a leak is a finding; the plugins stay mapped so
	# that reports name their frames.
	ASAN_OPTIONS=detect_leaks=1:print_stacktrace=1 \
		UBSAN_OPTIONS=print_stacktrace=1 IOMMU_NO_DLCLOSE=1 \
		"$bin" "$work" "fuzz/corpus/$t" "${dict[@]}" "${extra[@]}" \
		-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$out/" \
		${FUZZ_ARGS:-} >"build/fuzz/logs/$t.log" 2>&1
}

# report T: one line from the run's log.
report() {
	local t=$1 log=build/fuzz/logs/$1.log execs cov ft corp found
	execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' \
		"$log" | tail -n1)
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n1 | grep -oE '[0-9]+')
	ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -n1 | grep -oE '[0-9]+')
	corp=$(grep -oE 'corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -n1 |
		sed 's/corp: //')
	found=$(grep -oE "(crash|leak|timeout|oom|slow-unit)-[0-9a-f]+" \
		"$log" | sort -u | tr '\n' ' ')
	if [ -z "$execs" ]; then
		# no final stats: the run died (a crash prints its own)
		execs=$(grep -oE '^#[0-9]+' "$log" | tail -n1 | tr -d '#')
	fi
	printf '%-12s %10s execs  cov %-6s ft %-6s corpus %-10s %s\n' \
		"$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" \
		"${found:+findings in fuzz/findings/$t/: $found}"
	if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' \
		"$log"; then
		grep -m3 -E 'ERROR: |SUMMARY: |runtime error:' "$log" |
			sed 's/^/    /'
		return 1
	fi
	return 0
}

echo "== fuzzing ${secs}s per target (logs in build/fuzz/logs/)"
running=0
for t in $targets; do
	if [ ! -x "build/fuzz/fuzz/$t" ]; then
		echo "fuzz: no target $t" >&2
		exit 2
	fi
	run_one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

bad=0
for t in $targets; do
	report "$t" || bad=1
done
exit $bad
