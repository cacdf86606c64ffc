#!/usr/bin/env bash
# Measures what 'guard npm ci' costs over 'npm ci' on a warm npm cache with
# nothing new to check (issue 6: at most 5% more wall time).
#
#   scripts/bench-npm-ci.sh [RUNS] [PACKAGE...]
#
# Builds guard, makes a temporary project depending on PACKAGE... (default:
# express), installs it once (warming npm's cache and writing the lockfile),
# then alternates 'npm ci' and 'guard npm ci' RUNS times (default 7) and
# prints the median wall time of each and the overhead. Extra guard flags
# come from GUARD_FLAGS (e.g. "--offline --db ~/osv-db").
set -euo pipefail
runs=${1:-7}
shift || true
pkgs=("${@:-express@4.21.2}")
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/guard" "$root/cmd/guard"
proj="$work/proj"
mkdir "$proj"
cd "$proj"
echo '{"name":"bench","version":"1.0.0","private":true}' > package.json
npm install --no-audit --no-fund --ignore-scripts "${pkgs[@]}" >/dev/null 2>&1
npm ci --no-audit --no-fund >/dev/null 2>&1 # warm-up

now() { date +%s.%N; }
plain=() guarded=()
for ((i = 0; i < runs; i++)); do
  t0=$(now); npm ci --no-audit --no-fund >/dev/null 2>&1; t1=$(now)
  # shellcheck disable=SC2086
  "$work/guard" ${GUARD_FLAGS:-} npm ci --no-audit --no-fund >/dev/null 2>"$work/guard.err"; t2=$(now)
  plain+=("$(echo "$t1 - $t0" | bc)")
  guarded+=("$(echo "$t2 - $t1" | bc)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mp=$(median "${plain[@]}")
mg=$(median "${guarded[@]}")
echo "packages: $(grep -c '"node_modules/' package-lock.json) in package-lock.json; $runs runs each"
echo "guard said: $(grep "^guard:" "$work/guard.err" | tail -1)"
printf 'npm ci        median %.3fs  (%s)\n' "$mp" "${plain[*]}"
printf 'guard npm ci  median %.3fs  (%s)\n' "$mg" "${guarded[*]}"
awk -v p="$mp" -v g="$mg" 'BEGIN { printf "overhead      %+.1f%%\n", (g - p) / p * 100 }'
