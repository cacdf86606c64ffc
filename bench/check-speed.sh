#!/usr/bin/env bash
# Check speed (issue 14): `guard check --offline --format json` against
# osv-scanner v2.5.0 `scan source --offline --format json` on the same
# lockfile and the same OSV DB (the corpus's osv/<ecosystem>/all.zip), RUNS
# interleaved runs each (guard, osv-scanner, guard, ...), after one untimed
# warm-up of each (guard's index of the DB built and cached, as `guard db
# update` leaves it). Prints, per lockfile, the median wall time of each, the
# ratio guard/osv-scanner, and the median CPU time (user+system) of each,
# which moves less than wall time on a shared machine.
#
#   bench/check-speed.sh [RUNS]           # default 21
#
# Environment: GUARD_CORPUS (default ../shared/corpus), GUARD_TOOLS (where
# osv-scanner v2.5.0 is built once, default ~/.cache/guard-tools; see
# bench/README.md), LOCKS (space-separated corpus-relative lockfiles; default
# the react-scripts package-lock of issue 14), GUARD_BIN (a guard binary to
# measure instead of building the tree's, e.g. an older commit's for a
# before/after), BASE_BIN (a second guard binary, an older commit's, run in
# the same interleaved loop with its own index cache: a before/after that
# the host's drift between two invocations does not blur; printed as a
# second row), KEEP=1 keeps the work dir.
set -euo pipefail
runs=${1:-21}
# shellcheck source=bench/peer.sh
source "$(dirname "$0")/peer.sh"
command -v jq >/dev/null || { echo "needs jq" >&2; exit 1; }
(cd "$root" && go build -o "$work/cputime" ./bench/cputime)
if [ -n "${GUARD_BIN:-}" ]; then
	cp "$GUARD_BIN" "$work/guard"
else
	(cd "$root" && CGO_ENABLED=0 go build -o "$work/guard" ./cmd/guard)
fi
[ -n "${BASE_BIN:-}" ] && cp "$BASE_BIN" "$work/guard-base"

# One DB for both: guard reads <db>/<eco>/all.zip, osv-scanner
# <dir>/osv-scalibr/<eco>/all.zip (hard links to the same files).
cp -r "$corpus/osv" "$work/db"
chmod -R u+w "$work/db"
for eco in npm PyPI crates.io; do
	mkdir -p "$work/osvdb/osv-scalibr/$eco"
	ln "$work/db/$eco/all.zip" "$work/osvdb/osv-scalibr/$eco/all.zip"
done
export XDG_CACHE_HOME=$work/cache

# run NAME CMD... : appends "<wall us> <cpu us>" of one run to $work/NAME
# (bench/cputime: wall clock and the child's rusage).
run() {
	local name=$1
	shift
	"$work/cputime" "$@" >"$work/out.json" 2>"$work/err" || true
	tail -1 "$work/err" | cut -d' ' -f1,2 >>"$work/$name"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ms() { awk '{printf "%.1f", $1 / 1000}'; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg); $runs interleaved runs each, warm"
echo
echo "| lockfile | packages | guard wall ms | osv-scanner wall ms | guard/osv wall | guard CPU ms | osv-scanner CPU ms | guard/osv CPU |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for rel in ${LOCKS:-lockfiles/npm-generated/c-react-scripts/package-lock.json}; do
	f=$corpus/$rel
	g=("$work/guard" check --offline --db "$work/db" --max-db-age 0 --mode warn --format json "$f")
	o=(env OSV_SCALIBR_LOCAL_DB_CACHE_DIRECTORY="$work/osvdb" "$osv" scan source --offline --format json -L "$f")
	b=()
	if [ -n "${BASE_BIN:-}" ]; then
		b=(env XDG_CACHE_HOME="$work/cache-base" "$work/guard-base" "${g[@]:1}")
		"${b[@]}" >/dev/null 2>&1 || true
	fi
	"${g[@]}" >"$work/g.json" 2>/dev/null || true # warm-up; builds guard's index
	"${o[@]}" >/dev/null 2>&1 || true
	pk=$(jq '.packages | length' "$work/g.json" 2>/dev/null || echo '?')
	rm -f "$work/guard.t" "$work/osv.t" "$work/base.t"
	for ((i = 0; i < runs; i++)); do
		run guard.t "${g[@]}"
		run osv.t "${o[@]}"
		[ ${#b[@]} -eq 0 ] || run base.t "${b[@]}"
	done
	gw=$(cut -d' ' -f1 "$work/guard.t" | median) ow=$(cut -d' ' -f1 "$work/osv.t" | median)
	gc=$(cut -d' ' -f2 "$work/guard.t" | median) oc=$(cut -d' ' -f2 "$work/osv.t" | median)
	printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(basename "$(dirname "$rel")")/$(basename "$rel")" "$pk" \
		"$(echo "$gw" | ms)" "$(echo "$ow" | ms)" "$(awk -v g="$gw" -v o="$ow" 'BEGIN { printf "%.3f", g / o }')" \
		"$(echo "$gc" | ms)" "$(echo "$oc" | ms)" "$(awk -v g="$gc" -v o="$oc" 'BEGIN { printf "%.3f", (o > 0 ? g / o : 0) }')"
	if [ ${#b[@]} -gt 0 ]; then
		bw=$(cut -d' ' -f1 "$work/base.t" | median) bc=$(cut -d' ' -f2 "$work/base.t" | median)
		printf '| %s (BASE_BIN) | %s | %s | %s | %s | %s | %s | %s |\n' "$(basename "$(dirname "$rel")")/$(basename "$rel")" "$pk" \
			"$(echo "$bw" | ms)" "$(echo "$ow" | ms)" "$(awk -v g="$bw" -v o="$ow" 'BEGIN { printf "%.3f", g / o }')" \
			"$(echo "$bc" | ms)" "$(echo "$oc" | ms)" "$(awk -v g="$bc" -v o="$oc" 'BEGIN { printf "%.3f", (o > 0 ? g / o : 0) }')"
	fi
done
