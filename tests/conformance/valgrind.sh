#!/bin/sh
# valgrind.sh - run the conformance suite under valgrind, following the
# Criterion workers, and fail on any valgrind report (a leak in a worker
# leaves the exit status at 0, so the output is what counts).
#   tests/conformance/valgrind.sh [PROGRAM] [criterion options...]
set -u
prog=build/debug/tests/conformance/conformance
case "${1:-}" in
-*|"") ;;
*) prog=$1; shift ;;
esac
log=$(mktemp)
trap 'rm -f "$log"' EXIT
IOMMU_NO_DLCLOSE=1 valgrind -q --trace-children=yes --leak-check=full \
	--error-exitcode=1 "$prog" "$@" >"$log" 2>&1
status=$?
cat "$log"
if grep -Eq '^==[0-9]+== ' "$log"; then
	echo "valgrind.sh: valgrind reported errors or leaks (see above)" >&2
	exit 1
fi
exit $status
