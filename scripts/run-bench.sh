#!/usr/bin/env bash
# run-bench.sh - set up, build the release flavour and run the benchmarks:
# iommu-bench (the public API path on the INI's backend) and iommu-ptbench
# (the page-table engine of core/pt alone).
#   scripts/run-bench.sh [INI]    (default: conf/virtio.ini, then vtd, smmuv3, amdvi)
set -euo pipefail
cd "$(dirname "$0")/.."
ini=${1:-conf/virtio.ini}
scripts/setup.sh
# Only what the benchmarks need: the programs and the backend plugins.
scons -Q -j2 flavour=release build/release/bench build/release/plugins \
	build/release/core
build/release/bench/iommu-bench "$ini"
echo
# With no INI given, the other backends too (their page tables, IOTLBs and
# invalidation queues).
if [ $# -eq 0 ]; then
	for other in conf/vtd.ini conf/smmuv3.ini conf/amdvi.ini; do
		build/release/bench/iommu-bench "$other"
		echo
	done
fi
exec build/release/bench/iommu-ptbench
