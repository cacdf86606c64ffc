#!/usr/bin/env bash
# Runs every Fuzz* target of the module for a fixed time each (issue 8).
#
#   scripts/fuzz.sh [SECONDS] [PACKAGE...]   # default 30 s per target, ./...
#
# Targets are discovered with 'go test -list', so a new Fuzz function is
# picked up without editing this script: the lockfile parsers, the policy
# parser, the advisory and attestation readers, and (issue 12) guard/pm's
# FuzzClassify (every package manager's install/pass-through classifier and
# pip's resolution command line), FuzzPipNoBuild (pip's build-option scan)
# and guard/reach's FuzzScanImports (the import scanner). Each runs with -parallel 1 (the machines are shared).
# The script fails if any target fails: a crasher is
# written by Go's fuzzer to <package>/testdata/fuzz/<Target>/<hash>, and from
# then on plain 'go test' replays it as a regression case, so commit that
# file together with the fix.
set -uo pipefail
secs=${1:-30}
shift || true
pkgs=("${@:-./...}")
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
list=$(go test -run '^$' -list '^Fuzz' "${pkgs[@]}") || { echo "$list"; exit 1; }
targets=()
names=()
while read -r line; do
	case $line in
	Fuzz*) names+=("$line") ;;
	ok*)
		pkg=$(awk '{print $2}' <<<"$line")
		for n in "${names[@]}"; do targets+=("$pkg $n"); done
		names=()
		;;
	esac
done <<<"$list"
[ ${#targets[@]} -gt 0 ] || { echo "no fuzz targets found"; exit 1; }
echo "fuzzing ${#targets[@]} targets for ${secs}s each"
failed=()
for t in "${targets[@]}"; do
	read -r pkg name <<<"$t"
	printf '%-60s ' "$pkg $name"
	if out=$(go test -run '^$' -fuzz "^${name}\$" -fuzztime "${secs}s" -parallel 1 "$pkg" 2>&1); then
		echo "ok ($(grep -o 'execs: [0-9]*' <<<"$out" | tail -1))"
	else
		echo FAIL
		echo "$out" | tail -30
		failed+=("$pkg $name")
	fi
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "${#failed[@]} fuzz targets failed (crashers under <package>/testdata/fuzz/):"
	printf '  %s\n' "${failed[@]}"
	exit 1
fi
echo "all ${#targets[@]} fuzz targets ran ${secs}s without a failure"
