#!/usr/bin/env bash
# bench-smoke.sh - does iommu-bench run every row on every platform?
#   scripts/bench-smoke.sh FLAVOUR   (debug, asan: build/FLAVOUR/bench)
# Each row of --count (a few operations, each checked: a translation must
# land where the range was mapped) on conf/{virtio,vtd,amdvi,smmuv3}.ini
# and on the SMMUv3 platform with 16K and 64K granule paging domains,
# whose pages and blocks the benchmark takes from the domain.  Exit status:
# non-zero if any run fails.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
fl=${1:-debug}
bin=build/$fl/bench/iommu-bench
[ -x "$bin" ] || { echo "bench-smoke: no $bin" >&2; exit 1; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
inis=(conf/virtio.ini conf/vtd.ini conf/amdvi.ini conf/smmuv3.ini)
for g in 16k 64k; do
	sed "s/^granule = 4k$/granule = $g/" conf/smmuv3.ini >"$tmp/smmuv3-$g.ini"
	grep -q "^granule = $g$" "$tmp/smmuv3-$g.ini" ||
		{ echo "bench-smoke: no granule key in conf/smmuv3.ini" >&2; exit 1; }
	inis+=("$tmp/smmuv3-$g.ini")
done
rows=(hit hit-nohint miss iova-to-phys dma-read-4k dma-read-64k dma-write-4k
      map-unmap-4k map-unmap-256)
fail=0
for ini in "${inis[@]}"; do
	for row in "${rows[@]}"; do
		if ! out=$("$bin" --count 64 "$row" "$ini" 2>&1); then
			echo "bench-smoke: $row on $ini failed: $out" >&2
			fail=1
		fi
	done
done
[ $fail -eq 0 ] && echo "bench-smoke: ${#rows[@]} rows on ${#inis[@]} platforms"
exit $fail
