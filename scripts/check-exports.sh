#!/usr/bin/env bash
# check-exports.sh LIB - fail if the shared library LIB exports a symbol
# other than the public iommu_* API (a version script keeps the core's
# iommu__* internals and the page-table engine's pt_* names local).
set -euo pipefail
lib=${1:?usage: check-exports.sh path/to/libiommu.so}
[ -f "$lib" ] || { echo "check-exports: $lib not found" >&2; exit 1; }
syms=$(nm -D --defined-only "$lib" | awk '{print $3}' | sed 's/@.*//')
extra=$(grep -vE '^iommu_[a-z][a-z0-9_]*$' <<<"$syms" || true)
n=$(grep -c . <<<"$syms" || true)
if [ -n "$extra" ]; then
	echo "check-exports: $lib exports symbols beyond the public API:"
	echo "$extra" | sed 's/^/  /'
	exit 1
fi
echo "check-exports: $lib exports $n symbols, all public iommu_*"
