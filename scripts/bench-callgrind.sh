#!/usr/bin/env bash
# bench-callgrind.sh - instructions per DMA translation and per 4 KiB DMA
# read and write through the public API, counted by callgrind (which does not drift
# with the machine's load).  iommu-bench --count N ROW does N operations
# of ROW after its setup; two runs with different N cancel the setup out:
# instr/op = (I(N2) - I(N1)) / (N2 - N1).
#   scripts/bench-callgrind.sh [INI...]   (default: the four backends'
#   conf/virtio.ini conf/vtd.ini conf/smmuv3.ini conf/amdvi.ini)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
scons -Q -j2 flavour=release build/release/bench build/release/plugins \
	build/release/core >/dev/null
bin=build/release/bench/iommu-bench
inis=("$@")
[ ${#inis[@]} -gt 0 ] ||
	inis=(conf/virtio.ini conf/vtd.ini conf/smmuv3.ini conf/amdvi.ini)
n1=2000
n2=22000

instr() { # ini row n
	valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		"$bin" --count "$3" "$2" "$1" 2>&1 |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

printf '%-18s %-12s %10s\n' platform row instr/op
for ini in "${inis[@]}"; do
	for row in hit hit-nohint miss iova-to-phys dma-read-4k dma-read-64k dma-write-4k \
		map-unmap-4k map-unmap-256; do
		a=$(instr "$ini" "$row" $n1)
		b=$(instr "$ini" "$row" $n2)
		printf '%-18s %-12s %10.1f\n' "$(basename "$ini")" "$row" \
			"$(awk -v a="$a" -v b="$b" -v n1=$n1 -v n2=$n2 'BEGIN { print (b - a) / (n2 - n1) }')"
	done
done
