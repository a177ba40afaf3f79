#!/usr/bin/env bash
# setup.sh - install what a fresh Debian 12 machine lacks to build and test.
#
# As root: apt-get update once and install the missing packages.
# Not root: print the exact command to run and exit 1.
# Quiet and idempotent when everything is there.
set -euo pipefail

# scons: the build; pkg-config: finds inih and criterion; gcc, libc6-dev:
# the compiler and C library headers; libinih-dev: INI parser of the core;
# libcriterion-dev: the test framework; valgrind: the leak/UB lane;
# graphviz: `dot`, which renders iommu-dump's pictures (README, "Pictures");
# make: builds examples/ against the installed library, as a VMM would.
pkgs=(scons pkg-config gcc libc6-dev libinih-dev libcriterion-dev valgrind
	graphviz make)

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "setup: dpkg-query not found; this script targets Debian 12." >&2
	echo "setup: install by hand: ${pkgs[*]}" >&2
	for c in scons pkg-config gcc valgrind; do
		command -v "$c" >/dev/null 2>&1 || exit 1
	done
	pkg-config --exists inih criterion || exit 1
	exit 0
fi

missing() {
	local p
	for p in "${pkgs[@]}"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed'; then
			echo "$p"
		fi
	done
}

mapfile -t need < <(missing)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "setup: missing packages: ${need[*]}" >&2
	echo "setup: run this, then try again:" >&2
	echo "sudo apt-get install -y ${need[*]}"
	exit 1
fi

echo "setup: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
mapfile -t need < <(missing)
if [ ${#need[@]} -ne 0 ]; then
	echo "setup: still missing after apt-get: ${need[*]}" >&2
	exit 1
fi
