#!/usr/bin/env bash
# check-exports.sh LIB... - fail if a shared library exports more than it
# should:
#   libiommu.so*   the public iommu_* API only (a version script keeps the
#                  core's iommu__* internals and the page-table engine's
#                  pt_* names local): each exported name must be an
#                  iommu_* function the public headers (include/iommu/
#                  iommu.h, types.h) declare, so that a core function that
#                  merely starts with iommu_ cannot leak out through the
#                  version script's pattern;
#   iommu-NAME.so  a backend: exactly one symbol, iommu_plugin_NAME (the
#                  descriptor the loader looks up).
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: check-exports.sh LIB..." >&2; exit 2; }
rc=0
inc=$(cd "$(dirname "$0")/../include/iommu" && pwd)
# The functions the public headers declare: a name followed by '('.
decl=$(grep -ohE '\biommu_[a-z][a-z0-9_]*[[:space:]]*\(' \
	"$inc/iommu.h" "$inc/types.h" | sed -E 's/[[:space:]]*\($//' | sort -u)
for lib in "$@"; do
	if [ ! -f "$lib" ]; then
		echo "check-exports: $lib not found" >&2
		rc=1
		continue
	fi
	syms=$(nm -D --defined-only "$lib" | awk '{print $3}' | sed 's/@.*//')
	n=$(grep -c . <<<"$syms" || true)
	base=$(basename "$lib")
	case $base in
	iommu-*.so)
		want=iommu_plugin_${base#iommu-}
		want=${want%.so}
		if [ "$syms" != "$want" ]; then
			echo "check-exports: $lib must export only $want; it" \
				"exports:"
			echo "$syms" | sed 's/^/  /'
			rc=1
		else
			echo "check-exports: $lib exports one symbol, $want"
		fi
		;;
	*)
		extra=$(grep -vE '^iommu_[a-z][a-z0-9_]*$' <<<"$syms" || true)
		undeclared=$(comm -23 <(sort -u <<<"$syms") <(echo "$decl"))
		if [ -n "$extra" ]; then
			echo "check-exports: $lib exports symbols beyond the" \
				"public API:"
			echo "$extra" | sed 's/^/  /'
			rc=1
		elif [ -n "$undeclared" ]; then
			echo "check-exports: $lib exports iommu_* names no" \
				"public header declares:"
			echo "$undeclared" | sed 's/^/  /'
			rc=1
		else
			echo "check-exports: $lib exports $n symbols, all" \
				"public iommu_*"
		fi
		;;
	esac
done
exit $rc
