#!/usr/bin/env bash
# =============================================================================
# Consumer build: packs the three packages of src/ with a version unique to this run, builds tests/PackageConsumer (a
# minimal OpenIddict + Identity + EF Core SQLite IdP) against exactly those packages, starts it and runs smoke.py on it.
#
# Run:   bash tests/PackageConsumer/run.sh [SOURCE_ROOT]
#
# The consumer is copied to a temporary folder with the packages beside it; its nuget.config maps IdentityServer.MultiSession*
# to that folder only (package source mapping) and everything else to nuget.org. The unique version (0.0.0-ci.<time>.<pid>)
# means no package cached by an earlier run can stand in; the run removes its version from the global packages folder.
# Prints the smoke's ok/not ok lines and "consumer smoke: N ok, M not ok"; exits non-zero on any failure.
# Knobs: CONSUMER_STARTUP_TIMEOUT (seconds, default 120), CONSUMER_KEEP=1 keeps the temporary folder.
# =============================================================================
set -uo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "${1:-$SCRIPT_DIR/../..}" && pwd)"
STARTUP_TIMEOUT="${CONSUMER_STARTUP_TIMEOUT:-120}"
VERSION="0.0.0-ci.$(date -u +%Y%m%d%H%M%S).$$"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/multisession-consumer.XXXXXX")"
APP="$WORK/consumer"
HOST_PID=""
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 UseSharedCompilation=false

not_ok() {
    printf 'not ok  %s\n' "$1"
    [[ -n "${2:-}" ]] && printf '%s\n' "$2" | sed 's/^/        /'
    printf '\nconsumer smoke: %d ok, 1 not ok\n' "${OK:-0}"
    exit 1
}
OK=0
ok() { printf 'ok      %s\n' "$1"; OK=$((OK + 1)); }

cleanup() {
    local rc=$?
    if [[ -n "$HOST_PID" ]] && kill -0 "$HOST_PID" 2>/dev/null; then
        kill -TERM -- "-$HOST_PID" 2>/dev/null
        for _ in $(seq 1 50); do kill -0 "$HOST_PID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL -- "-$HOST_PID" 2>/dev/null
    fi
    local cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
    for id in identityserver.multisession identityserver.multisession.entityframeworkcore identityserver.multisession.openiddict; do
        rm -rf "${cache:?}/$id/$VERSION"
    done
    if [[ "${CONSUMER_KEEP:-0}" == 1 ]]; then echo "(kept $WORK)"; else rm -rf "$WORK"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "Packages $VERSION into $APP/packages"
mkdir -p "$APP"
(cd "$SCRIPT_DIR" && tar --exclude=bin --exclude=obj --exclude=packages --exclude='*.db' -cf - .) | (cd "$APP" && tar -xf -)
for project in IdentityServer.MultiSession IdentityServer.MultiSession.EntityFrameworkCore IdentityServer.MultiSession.OpenIddict; do
    if ! dotnet pack "$ROOT/src/$project/$project.csproj" -c Release -o "$APP/packages" -p:Version="$VERSION" -nodeReuse:false >"$WORK/pack-$project.log" 2>&1; then
        not_ok "dotnet pack $project" "$(grep -E 'error' "$WORK/pack-$project.log" | sort -u | head -20)"
    fi
done
count=$(ls "$APP/packages"/*."$VERSION".nupkg 2>/dev/null | wc -l)
[[ "$count" -eq 3 ]] || not_ok "three packages packed" "$(ls "$APP/packages")"
ok "three packages packed ($VERSION), each with its symbols package"
for package in "$APP/packages"/*."$VERSION".nupkg; do
    entries="$(python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$package")"
    grep -qx 'README.md' <<<"$entries" && grep -q '\.xml$' <<<"$entries" && [[ -f "${package%.nupkg}.snupkg" ]] \
        || not_ok "$(basename "$package") holds README.md and the XML docs, beside its .snupkg" "$entries"
done
ok "each package holds its README and XML docs"

if ! dotnet build "$APP/PackageConsumer.csproj" -c Debug -p:MultiSessionVersion="$VERSION" -nodeReuse:false >"$WORK/build.log" 2>&1; then
    not_ok "the consumer builds from the packages" "$(grep -E 'error|warn' "$WORK/build.log" | sort -u | head -20)"
fi
grep -q "\"IdentityServer.MultiSession.OpenIddict/$VERSION\"" "$APP/obj/project.assets.json" \
    || not_ok "the consumer restored exactly $VERSION" "$(grep -o '"IdentityServer.MultiSession[^"]*"' "$APP/obj/project.assets.json" | sort -u)"
ok "the consumer builds from the packages, version $VERSION"

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
BASE="http://127.0.0.1:$PORT"
(cd "$APP" && ASPNETCORE_ENVIRONMENT=Development ConnectionStrings__Default="Data Source=$WORK/consumer.db" \
    exec setsid dotnet run --no-build --no-launch-profile -- --urls "$BASE") >"$WORK/host.log" 2>&1 &
HOST_PID=$!
deadline=$((SECONDS + STARTUP_TIMEOUT))
until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$BASE/.well-known/openid-configuration")" == 200 ]]; do
    kill -0 "$HOST_PID" 2>/dev/null || not_ok "the consumer starts" "$(tail -n 30 "$WORK/host.log")"
    ((SECONDS < deadline)) || not_ok "the consumer starts within ${STARTUP_TIMEOUT}s" "$(tail -n 30 "$WORK/host.log")"
    sleep 1
done
ok "the consumer starts on $BASE"

python3 "$SCRIPT_DIR/smoke.py" "$BASE" | tee "$WORK/smoke.out"
smoke_rc=${PIPESTATUS[0]}
line="$(grep -E '^smoke.py: [0-9]+ ok, [0-9]+ not ok$' "$WORK/smoke.out" | tail -1)"
ok_count=$(sed -E 's/^smoke.py: ([0-9]+) ok.*/\1/' <<<"$line")
not_ok_count=$(sed -E 's/.* ([0-9]+) not ok$/\1/' <<<"$line")
[[ -n "$line" ]] || { ok_count=0; not_ok_count=1; }
if [[ "$smoke_rc" -ne 0 ]]; then
    ((not_ok_count > 0)) || not_ok_count=1
    echo "host log (last lines):"; tail -n 30 "$WORK/host.log" | sed 's/^/        /'
fi
# The run's total: the packing, build and start checks above plus the smoke's.
printf '\nconsumer smoke: %d ok, %d not ok\n' "$((OK + ok_count))" "$not_ok_count"
[[ "$not_ok_count" -eq 0 ]]
