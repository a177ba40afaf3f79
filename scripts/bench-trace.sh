#!/usr/bin/env bash
# bench-trace.sh - what the trace points cost when no tracer is installed:
# the benchmark built as usual (release: every trace point compiled in,
# each one a load and a predicted branch while its class has no callback)
# against the same code built with the trace points compiled out
# (flavour=notrace, -DIOMMU_NO_TRACE).
#   scripts/bench-trace.sh [INI...]   (default: the four backends' INIs)
# Prints, per backend and row, ns/op of each build (the median of ROUNDS
# runs, 3, taken in turn so that the machine's drift hits both alike) and
# callgrind's instructions per op (which do not drift).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
for fl in release notrace; do
	scons -Q -j2 flavour=$fl build/$fl/bench build/$fl/plugins \
		build/$fl/core >/dev/null
done
inis=("$@")
[ ${#inis[@]} -gt 0 ] ||
	inis=(conf/virtio.ini conf/vtd.ini conf/smmuv3.ini conf/amdvi.ini)
rounds=${ROUNDS:-3}
rows=("translate, same page (hint)" "translate, same page (model hit)"
	"translate, cycling pages (miss)" "map 1x4K" "unmap 1x4K"
	"unmap 256x4K (one call)")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ns/op of row $2 in bench output file $1
ns_of() {
	awk -v r="$2" 'index($0, r) == 1 {
		for (i = 1; i < NF; i++) if ($(i + 1) == "ns/op") print $i
	}' "$1" | head -n1
}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
instr() { # flavour ini row n
	valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		build/$1/bench/iommu-bench --count "$4" "$3" "$2" 2>&1 |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
per_op() { # flavour ini row
	local a b
	a=$(instr "$1" "$2" "$3" 2000)
	b=$(instr "$1" "$2" "$3" 12000)
	awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", (b - a) / 10000 }'
}

for ini in "${inis[@]}"; do
	for r in $(seq "$rounds"); do
		for fl in release notrace; do
			build/$fl/bench/iommu-bench "$ini" >"$tmp/$fl.$r"
		done
	done
	echo "== $ini (median of $rounds runs each, taken in turn)"
	printf '%-34s %12s %12s %8s\n' row "traced ns" "no-trace ns" ratio
	for row in "${rows[@]}"; do
		for fl in release notrace; do
			for r in $(seq "$rounds"); do
				ns_of "$tmp/$fl.$r" "$row"
			done | median >"$tmp/$fl.med"
		done
		a=$(cat "$tmp/release.med")
		b=$(cat "$tmp/notrace.med")
		printf '%-34s %12s %12s %8s\n' "$row" "$a" "$b" \
			"$(awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.3f", a / b }')"
	done
	printf '%-34s %12s %12s\n' "callgrind instr/op" traced no-trace
	for row in hit hit-nohint miss map-unmap-4k; do
		printf '%-34s %12s %12s\n' "  $row" \
			"$(per_op release "$ini" "$row")" \
			"$(per_op notrace "$ini" "$row")"
	done
	echo
done
