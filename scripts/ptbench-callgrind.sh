#!/usr/bin/env bash
# ptbench-callgrind.sh - instructions per operation of the page-table
# engine, every format, counted by callgrind (which does not drift with
# the machine's load).  Each operation runs in a function of its own
# (cg_* in bench/ptbench.c) a fixed number of times after a warm-up;
# callgrind counts only inside those functions (--toggle-collect), and
# the count divided by the calls is printed next to the orientation
# figures of the issue (Linux 6.1's page-table code built in userspace).
#   scripts/ptbench-callgrind.sh [FORMAT...]   (default: every format)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scons -Q -j2 flavour=release build/release/bench >/dev/null
bin=build/release/bench/iommu-ptbench
fmts=("$@")
[ ${#fmts[@]} -gt 0 ] || mapfile -t fmts < <("$bin" --list)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Linux 6.1 instructions per op: map 1 / unmap 1 / map 256 / unmap 256 /
# map 256 blocks / unmap 256 blocks / iova_to_phys.
linux() {
	case $1 in
	vtdss) echo "284 678 5387 6563 7806 6962 124" ;;
	lpae_s1-4k) echo "344 289 6464 10234 7441 10196 146" ;;
	amdv1) echo "232 162 36442 33057 30810 28449 117" ;;
	*) echo "" ;;
	esac
}

printf '%-12s %-20s %12s %10s\n' format operation instr/op linux-6.1
for f in "${fmts[@]}"; do
	valgrind --tool=callgrind --callgrind-out-file="$tmp/$f.out" \
		--toggle-collect='cg_*' "$bin" --callgrind "$f" \
		>"$tmp/$f.calls" 2>"$tmp/$f.log" ||
		{ echo "$f: valgrind failed (see below)"; cat "$tmp/$f.log"; exit 1; }
	callgrind_annotate --inclusive=yes --threshold=100 "$tmp/$f.out" >"$tmp/$f.ann"
	ref=($(linux "$f"))
	awk -v f="$f" -v ref="${ref[*]:-}" '
	FNR == NR {
		# "<fmt> <what...> calls N"
		n = $NF; $1 = ""; $NF = ""; $(NF - 1) = "";
		gsub(/^ +| +$/, ""); calls[$0] = n; next
	}
	/^ *[0-9][0-9,]* .*cg_[a-z0-9_]+/ {
		match($0, /cg_[a-z0-9_]+/); fn = substr($0, RSTART + 3, RLENGTH - 3)
		# The largest: with link-time optimization callgrind lists one
		# function under several source files, the entry the caller
		# calls including the others.
		ir = $1; gsub(/,/, "", ir); if (ir + 0 > cnt[fn] + 0) cnt[fn] = ir
	}
	END {
		split(ref, r, " ")
		split("map_1 unmap_1 map_256 unmap_256 map_256blk unmap_256blk " \
		      "map_4096 unmap_4096 map_65536 unmap_65536 iova_to_phys", ops, " ")
		split("1 page|1 page|256 pages|256 pages|256 blocks|256 blocks|" \
		      "4096 pages|4096 pages|65536 pages|65536 pages|iova_to_phys", seq, "|")
		ri = 0
		for (i = 1; i <= 11; i++) {
			op = ops[i]; what = (op == "iova_to_phys") ? "" : (op ~ /^unmap/ ? "unmap " : "map ")
			c = calls[seq[i]]
			lx = ""
			if (i <= 6) lx = r[i]; else if (i == 11) lx = r[7]
			if (i == 8) lx = "~1300"; else if (i == 10) lx = "~11000"
			if (c > 0 && (op in cnt))
				printf "%-12s %-20s %12.0f %10s\n", f, what seq[i], cnt[op] / c, lx
			else
				printf "%-12s %-20s %12s %10s\n", f, what seq[i], "?", lx
		}
	}' "$tmp/$f.calls" "$tmp/$f.ann"
done
