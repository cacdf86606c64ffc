# Sourced by the scripts that compare guard with osv-scanner (bench/osv-scanner.sh,
# bench/check-speed.sh, scripts/compare-osv-scanner.sh): sets root, corpus, tools, work (removed on
# exit unless KEEP=1) and osv, building osv-scanner v2.5.0 into $GUARD_TOOLS once.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
corpus=$(cd "${GUARD_CORPUS:-$root/../shared/corpus}" && pwd)
tools=${GUARD_TOOLS:-$HOME/.cache/guard-tools}
work=$(mktemp -d)
[ "${KEEP:-}" = 1 ] && echo "work dir: $work" >&2 || trap 'rm -rf "$work"' EXIT

osv=$tools/osv-scanner-v2.5.0
if [ ! -x "$osv" ]; then
	echo "building osv-scanner v2.5.0 into $tools (once)" >&2
	mkdir -p "$tools"
	GOBIN="$work/bin" go install github.com/google/osv-scanner/v2/cmd/osv-scanner@v2.5.0
	mv "$work/bin/osv-scanner" "$osv"
fi
