#!/usr/bin/env bash
# run-main.sh - set up, build (debug) and run the main job.
#   scripts/run-main.sh [INI]     (default conf/default.ini)
set -euo pipefail
cd "$(dirname "$0")/.."
ini=${1:-conf/default.ini}
scripts/setup.sh
scons -Q -j2
exec build/debug/tools/iommu-vmm "$ini"
