#!/usr/bin/env bash
# Compares guard's advisory hits with osv-scanner v2.5.0's on every real
# lockfile of the corpus, with the corpus OSV database, offline on both sides.
# Prints each difference; the reasons are recorded in docs/osv-scanner-comparison.md.
#
#   scripts/compare-osv-scanner.sh            # all real lockfiles
#   scripts/compare-osv-scanner.sh FILE...    # just these
#
# Environment: GUARD_CORPUS (default ../shared/corpus), GUARD_TOOLS (where
# osv-scanner is built, default ~/.cache/guard-tools), KEEP=1 keeps the work dir.
set -euo pipefail
# shellcheck source=bench/peer.sh
source "$(dirname "$0")/../bench/peer.sh"
(cd "$root" && go build -o "$work/guard" ./cmd/guard && go build -o "$work/osvcompare" ./scripts/osvcompare)

# osv-scanner's offline layout: $dir/osv-scalibr/<ecosystem>/all.zip
for eco in npm PyPI crates.io; do
	mkdir -p "$work/osvdb/osv-scalibr/$eco"
	cp "$corpus/osv/$eco/all.zip" "$work/osvdb/osv-scalibr/$eco/all.zip"
done

if [ $# -gt 0 ]; then
	files=("$@")
else
	mapfile -t files < <(cd "$corpus/lockfiles" && find npm npm-generated yarn pnpm python cargo -type f \
		\( -name package-lock.json -o -name npm-shrinkwrap.json -o -name yarn.lock -o -name pnpm-lock.yaml \
		-o -name bun.lock -o -name 'requirements*.txt' -o -name Pipfile.lock -o -name poetry.lock \
		-o -name uv.lock -o -name pylock.toml -o -name pdm.lock -o -name Cargo.lock \) | sort | sed "s#^#$corpus/lockfiles/#")
fi

total=0
failed=0
for f in "${files[@]}"; do
	rel=${f#"$corpus/lockfiles/"}
	set +e
	OSV_SCALIBR_LOCAL_DB_CACHE_DIRECTORY="$work/osvdb" "$osv" scan source --offline --format json -L "$f" >"$work/osv.json" 2>"$work/osv.err"
	rc=$?
	"$work/guard" check --offline --db "$corpus/osv" --max-db-age 0 --level 2 --mode warn --format json "$f" >"$work/guard.json" 2>"$work/guard.err"
	grc=$?
	set -e
	total=$((total + 1))
	if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
		echo "== $rel: osv-scanner exit $rc: $(tail -1 "$work/osv.err")"
		failed=$((failed + 1))
		continue
	fi
	if [ $grc -gt 1 ]; then
		echo "== $rel: guard exit $grc: $(jq -r '.errors[].message' "$work/guard.json" 2>/dev/null | head -3)"
		failed=$((failed + 1))
		continue
	fi
	if ! out=$("$work/osvcompare" "$work/guard.json" "$work/osv.json" 2>"$work/cmp.err"); then
		echo "== $rel: $(cat "$work/cmp.err")"
		echo "$out"
		failed=$((failed + 1))
	fi
done
echo "compared $total lockfiles: $((total - failed)) agree, $failed differ or failed"
[ $failed -eq 0 ]
