#!/usr/bin/env bash
# Wrapper overhead (issues 11 and 14): what 'guard npm ci' and
# 'guard npm install PKG' cost over plain npm, and, with BASE_REF, over the
# guard of another commit (issue 11: checking every package, not only the
# changed ones, must not slow 'guard npm ci' down measurably).
#
#   bench/wrapper.sh [RUNS]            (default 5)
#
#   BASE_REF=746c3c7   also time the guard built from that commit
#   GUARD_FLAGS="..."  guard's flags (default: --offline with the corpus DB)
#   BENCH_CASES="ci install"           which cases to run (also: pnpm yarn app clone scratch
#                                      pnpm-app yarn-app berry)
#
# ci:      the corpus's 1,291-package react-scripts lockfile (npm-generated/
#          c-react-scripts; its placeholder registry host is replaced by the
#          registry npm is configured with), warm npm cache, alternating
#          'npm ci', 'guard npm ci' (and the base guard) RUNS times.
# install: 'npm install express@4.21.2' in a fresh folder, warm cache,
#          plain vs guard (vs base).
# pnpm, yarn: 'pnpm add' / 'yarn add express@4.21.2' in a fresh folder
#          (pnpm 9 and yarn 1 from JSTOOLS_BIN, default /tmp/jstools/node_modules/.bin).
# app:     'npm install dayjs@1.11.13' into the installed react-scripts
#          project (package.json, lockfiles and node_modules put back
#          between runs).
# clone:   'npm install' in a fresh clone of the react-scripts project (its
#          lockfile, no node_modules), warm cache.
# scratch: 'npm install react@18.2.0 react-dom@18.2.0 react-scripts@5.0.1'
#          into an empty folder, warm cache.
# pnpm-app, yarn-app: 'pnpm add' / 'yarn add' of react@18.2.0
#          react-dom@18.2.0 react-scripts@5.0.1 into an empty folder.
# berry:   'yarn add express@4.21.2' with yarn 4 (BERRY_BIN, default
#          /tmp/berry/node_modules/.bin) in a fresh folder.
# Prints the median wall time of each and the ratios. Needs npm and the npm
# registry; GUARD_CORPUS (default ../shared/corpus).
set -euo pipefail
runs=${1:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${GUARD_CORPUS:-$root/../shared/corpus}
corpus=$(cd "$corpus" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

CGO_ENABLED=0 go build -o "$work/guard" "$root/cmd/guard"
tools=("$work/guard")
names=("guard")
if [ -n "${BASE_REF:-}" ]; then
  mkdir "$work/base-src"
  git -C "$root" archive "$BASE_REF" | tar -x -C "$work/base-src"
  (cd "$work/base-src" && CGO_ENABLED=0 go build -o "$work/guard-base" ./cmd/guard)
  tools+=("$work/guard-base")
  names+=("guard@$BASE_REF")
fi

# Advisories from an offline DB made of the corpus's export (guard reads
# <db>/<eco>/all.zip; 'guard db update' fetches over https only).
if [ -z "${GUARD_FLAGS:-}" ]; then
  mkdir -p "$work/db/npm"
  cp "$corpus/osv/npm/all.zip" "$work/db/npm/"
  GUARD_FLAGS="--offline --db $work/db --max-db-age 0"
fi
registry=$(npm config get registry)
registry=${registry%/}

now() { date +%s.%N; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# timeit DIR SETUP ERR CMD...: runs SETUP (a shell snippet) in DIR, then
# times CMD (its standard error goes to ERR).
timeit() {
  local dir=$1 setup=$2 err=$3
  shift 3
  (cd "$dir" && eval "$setup")
  local t0 t1
  t0=$(now)
  (cd "$dir" && "$@" >/dev/null 2>"$err") || { echo "failed: $*" >&2; cat "$err" >&2; exit 1; }
  t1=$(now)
  echo "$t1 - $t0" | bc
}

report() { # label, then the series as name=values
  local label=$1
  shift
  echo "$label"
  local plain=""
  for s in "$@"; do
    local name=${s%%=*} vals=${s#*=}
    # shellcheck disable=SC2086
    local m
    m=$(median $vals)
    [ -z "$plain" ] && plain=$m
    printf '  %-28s median %6.2fs  ratio %5.3f  (%s)\n' "$name" "$m" "$(echo "$m / $plain" | bc -l)" "$vals"
  done
}

# compare LABEL DIR SETUP CMD...: RUNS times, alternating, CMD plain and
# through each guard (SETUP before each run), then the report.
compare() {
  local label=$1 dir=$2 setup=$3
  shift 3
  local series=("$*=")
  for n in "${names[@]}"; do series+=("$n $*="); done
  for ((i = 0; i < runs; i++)); do
    series[0]+="$(timeit "$dir" "$setup" "$work/plain.err" "$@") "
    for j in "${!tools[@]}"; do
      # shellcheck disable=SC2086
      series[j + 1]+="$(timeit "$dir" "$setup" "$work/tool$j.err" "${tools[j]}" $GUARD_FLAGS "$@") "
    done
  done
  report "$label, $runs runs, load average $(cut -d' ' -f1-3 /proc/loadavg)" "${series[@]}"
}

jsbin=${JSTOOLS_BIN:-/tmp/jstools/node_modules/.bin}
jsfresh='rm -rf node_modules package-lock.json pnpm-lock.yaml yarn.lock; echo "{\"name\":\"bench\",\"version\":\"1.0.0\",\"private\":true}" > package.json'

for c in ${BENCH_CASES:-ci install}; do
  case $c in
  ci)
    proj="$work/ci"
    mkdir "$proj"
    cp "$corpus/lockfiles/npm-generated/c-react-scripts/package.json" "$proj/"
    sed "s#https://npm-registry.invalid#$registry#g" "$corpus/lockfiles/npm-generated/c-react-scripts/package-lock.json" >"$proj/package-lock.json"
    (cd "$proj" && npm ci --ignore-scripts --no-audit --no-fund >/dev/null 2>&1) # warm the cache
    series=("npm ci=")
    for n in "${names[@]}"; do series+=("$n npm ci="); done
    for ((i = 0; i < runs; i++)); do
      series[0]+="$(timeit "$proj" "" "$work/plain.err" npm ci --ignore-scripts --no-audit --no-fund) "
      for j in "${!tools[@]}"; do
        # shellcheck disable=SC2086
        series[j + 1]+="$(timeit "$proj" "" "$work/tool$j.err" "${tools[j]}" $GUARD_FLAGS npm ci --ignore-scripts --no-audit --no-fund) "
      done
    done
    report "npm ci, $(grep -c '"node_modules/' "$proj/package-lock.json") packages, warm cache, $runs runs; guard said: $(grep '^guard:' "$work/tool0.err" | tail -1)" "${series[@]}"
    ;;
  install)
    proj="$work/install"
    mkdir "$proj"
    fresh='rm -rf node_modules package-lock.json; echo "{\"name\":\"bench\",\"version\":\"1.0.0\",\"private\":true}" > package.json'
    (cd "$proj" && eval "$fresh" && npm install --no-audit --no-fund --ignore-scripts express@4.21.2 >/dev/null 2>&1) # warm
    series=("npm install=")
    for n in "${names[@]}"; do series+=("$n npm install="); done
    for ((i = 0; i < runs; i++)); do
      series[0]+="$(timeit "$proj" "$fresh" "$work/plain.err" npm install --no-audit --no-fund --ignore-scripts express@4.21.2) "
      for j in "${!tools[@]}"; do
        # shellcheck disable=SC2086
        series[j + 1]+="$(timeit "$proj" "$fresh" "$work/tool$j.err" "${tools[j]}" $GUARD_FLAGS npm install --no-audit --no-fund --ignore-scripts express@4.21.2) "
      done
    done
    report "npm install express@4.21.2 in a fresh folder, warm cache, $runs runs" "${series[@]}"
    ;;
  pnpm-app | yarn-app)
    # The 1,291-package react-scripts app's three dependencies added into
    # an empty folder with pnpm 9 / yarn 1, warm cache.
    tool=${c%-app}
    [ -x "$jsbin/$tool" ] || { echo "$tool: not in $jsbin (set JSTOOLS_BIN)" >&2; exit 1; }
    proj="$work/$c"
    mkdir "$proj"
    (cd "$proj" && eval "$jsfresh" && PATH="$jsbin:$PATH" "$tool" add react@18.2.0 react-dom@18.2.0 react-scripts@5.0.1 >/dev/null 2>&1) # warm
    PATH="$jsbin:$PATH" compare "$tool add react@18.2.0 react-dom@18.2.0 react-scripts@5.0.1 into an empty folder (~1,300 packages), warm cache" "$proj" "$jsfresh" \
      "$tool" add react@18.2.0 react-dom@18.2.0 react-scripts@5.0.1
    ;;
  pnpm | yarn)
    # pnpm 9 / yarn 1 from $JSTOOLS_BIN (npm install --prefix /tmp/jstools pnpm@9 yarn@1).
    [ -x "$jsbin/$c" ] || { echo "$c: not in $jsbin (set JSTOOLS_BIN)" >&2; exit 1; }
    proj="$work/$c"
    mkdir "$proj"
    (cd "$proj" && eval "$jsfresh" && PATH="$jsbin:$PATH" "$c" add express@4.21.2 >/dev/null 2>&1) # warm
    PATH="$jsbin:$PATH" compare "$c add express@4.21.2 in a fresh folder, warm cache" "$proj" "$jsfresh" "$c" add express@4.21.2
    ;;
  berry)
    # yarn 4 from $BERRY_BIN (npm install --prefix /tmp/berry @yarnpkg/cli-dist@4).
    berrybin=${BERRY_BIN:-/tmp/berry/node_modules/.bin}
    [ -x "$berrybin/yarn" ] || { echo "berry: no yarn in $berrybin (set BERRY_BIN)" >&2; exit 1; }
    proj="$work/$c"
    mkdir "$proj"
    berryfresh="rm -rf .yarn .pnp.cjs .pnp.loader.mjs; $jsfresh"
    (cd "$proj" && eval "$berryfresh" && PATH="$berrybin:$PATH" yarn add express@4.21.2 >/dev/null 2>&1) # warm
    PATH="$berrybin:$PATH" YARN_ENABLE_TELEMETRY=0 compare "yarn 4 add express@4.21.2 in a fresh folder, warm cache" "$proj" "$berryfresh" yarn add express@4.21.2
    ;;
  clone | scratch)
    # A 1,291-package app installed with a warm cache: clone is 'npm
    # install' in a fresh clone of the react-scripts project (package.json
    # and its lockfile, no node_modules); scratch is 'npm install' of its
    # three dependencies into an empty folder (no lockfile: every package
    # resolved).
    proj="$work/$c"
    mkdir "$proj"
    if [ "$c" = clone ]; then
      setup="rm -rf node_modules && cp $corpus/lockfiles/npm-generated/c-react-scripts/package.json . && sed 's#https://npm-registry.invalid#$registry#g' $corpus/lockfiles/npm-generated/c-react-scripts/package-lock.json >package-lock.json"
      what=()
      label="npm install in a fresh clone of the react-scripts app (1,291 packages, its lockfile, no node_modules), warm cache"
    else
      setup='rm -rf node_modules package-lock.json; echo "{\"name\":\"bench\",\"version\":\"1.0.0\",\"private\":true}" > package.json'
      what=(react@18.2.0 react-dom@18.2.0 react-scripts@5.0.1)
      label="npm install react@18.2.0 react-dom@18.2.0 react-scripts@5.0.1 into an empty folder (1,291 packages, no lockfile), warm cache"
    fi
    (cd "$proj" && eval "$setup" && npm install --ignore-scripts --no-audit --no-fund "${what[@]}" >/dev/null 2>&1) # warm
    compare "$label" "$proj" "$setup" npm install --no-audit --no-fund --ignore-scripts "${what[@]}"
    ;;
  app)
    # One more package into an installed 1,291-package app (the corpus's
    # react-scripts project): before each run package.json, the lockfile
    # and node_modules' own record are put back and the package removed.
    proj="$work/app"
    mkdir "$proj"
    cp "$corpus/lockfiles/npm-generated/c-react-scripts/package.json" "$proj/"
    sed "s#https://npm-registry.invalid#$registry#g" "$corpus/lockfiles/npm-generated/c-react-scripts/package-lock.json" >"$proj/package-lock.json"
    (cd "$proj" && npm ci --ignore-scripts --no-audit --no-fund >/dev/null 2>&1)
    mkdir "$work/app-orig"
    cp "$proj/package.json" "$proj/package-lock.json" "$proj/node_modules/.package-lock.json" "$work/app-orig/"
    restore="cp $work/app-orig/package.json $work/app-orig/package-lock.json . && cp $work/app-orig/.package-lock.json node_modules/ && rm -rf node_modules/dayjs"
    (cd "$proj" && npm install --ignore-scripts --no-audit --no-fund dayjs@1.11.13 >/dev/null 2>&1) # warm
    compare "npm install dayjs@1.11.13 into the installed react-scripts app (1,291 packages), warm cache" "$proj" "$restore" \
      npm install --no-audit --no-fund --ignore-scripts dayjs@1.11.13
    ;;
  esac
done
