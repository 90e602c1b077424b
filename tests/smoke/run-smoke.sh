#!/usr/bin/env bash
# =============================================================================
# Smoke test of the sample IdP (samples/IdpHost), from the outside, over plain
# HTTP, exactly as a browser and an OIDC client would talk to it.
#
# Run:   bash tests/smoke/run-smoke.sh [SOURCE_ROOT]
#        SOURCE_ROOT defaults to the repository that holds this script.
#
# Needs only bash, curl, python3 (stdlib) and the .NET SDK. The source tree is
# copied into a temporary folder first (tracked and untracked-but-not-ignored
# files, never bin/ or obj/), so the build here never touches the original
# tree's obj folders. The host runs in Development on 127.0.0.1 with a fresh
# SQLite file and one extra public client given only through environment
# variables (smoke-client). The host is always stopped on exit.
#
# What it checks (BEHAVIOUR.md §3-§6):
#   * discovery: select_account in prompt_values_supported, the endpoints
#   * browser A: alice then bob sign in with the login form (302), device
#     cookie .MultiSession.Device is HttpOnly and not Secure (Development),
#     list-device-sessions has 2 well-formed entries, bob active and first
#   * picker: "Use" alice with the form -> 302, alice active; a POST without
#     the antiforgery token -> 400
#   * JSON API: set-active (200), foreign Origin (403 problem+json),
#     text/plain (415), unknown handle (404 problem+json), revoke (200
#     {"status":true})
#   * OIDC code + PKCE (S256) for smoke-client: prompt=none without a hint ->
#     account_selection_required; login_hint=alice -> code -> tokens (sub,
#     sid, auth_time, nonce) -> userinfo; prompt=select_account -> picker ->
#     bob -> code -> id_token of bob with another sid
#   * end session with bob's id_token_hint -> 302 to the post-logout URI, and
#     the browser holds no account any more
#   * browser B (its own cookie jar) sees [] throughout
#
# Environment knobs: SMOKE_STARTUP_TIMEOUT (seconds, default 180),
# SMOKE_BUILD_TIMEOUT (default 900), SMOKE_KEEP=1 keeps the temp folder.
# Prints one PASS/FAIL line per check, then "N passed, M failed"; the exit
# status is non-zero when any check failed.
# =============================================================================
set -uo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "${1:-$SCRIPT_DIR/../..}" && pwd)"
STARTUP_TIMEOUT="${SMOKE_STARTUP_TIMEOUT:-180}"
BUILD_TIMEOUT="${SMOKE_BUILD_TIMEOUT:-900}"

REDIRECT_URI="http://127.0.0.1:9/callback"
POST_LOGOUT_URI="http://127.0.0.1:9/signed-out"
CLIENT_ID="smoke-client"
PASSWORD='Passw0rd!'

WORK="$(mktemp -d "${TMPDIR:-/tmp}/multisession-smoke.XXXXXX")"
SRC="$WORK/src"
JAR_A="$WORK/browser-a.cookies"
JAR_B="$WORK/browser-b.cookies"
HDRS="$WORK/last.headers"
BODY="$WORK/last.body"
HOST_LOG="$WORK/host.log"
BUILD_LOG="$WORK/build.log"
HOST_PID=""

# ----------------------------------------------------------------------------
# Results
# ----------------------------------------------------------------------------
PASSED=0
FAILED=0
pass() { printf 'PASS  %s\n' "$1"; PASSED=$((PASSED + 1)); }
fail() {
    printf 'FAIL  %s\n' "$1"
    if [[ -n "${2:-}" ]]; then printf '%s\n' "$2" | sed 's/^/        /'; fi
    FAILED=$((FAILED + 1))
}
# check NAME CONDITION-COMMAND... : PASS when the command succeeds; its output explains a failure.
# The command runs in this shell (not a subshell), so that variables it sets stay set.
check() {
    local name=$1; shift
    if "$@" >"$WORK/check.out" 2>&1; then pass "$name"; return 0; fi
    fail "$name" "$(cat "$WORK/check.out")"
    return 1
}
summary() { printf '\n%d passed, %d failed\n' "$PASSED" "$FAILED"; }

cleanup() {
    local rc=$?
    if [[ -n "$HOST_PID" ]] && kill -0 "$HOST_PID" 2>/dev/null; then
        # The host runs in its own process group (setsid): stop `dotnet run` and the app it started.
        kill -TERM -- "-$HOST_PID" 2>/dev/null
        for _ in $(seq 1 50); do kill -0 "$HOST_PID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL -- "-$HOST_PID" 2>/dev/null
    fi
    if [[ "${SMOKE_KEEP:-0}" == 1 ]]; then
        echo "(kept $WORK)"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Aborts the run: the remaining checks cannot be made.
abort() {
    fail "$1" "${2:-}"
    summary
    exit 1
}

# ----------------------------------------------------------------------------
# Python helpers (stdlib only), written once into the temp folder
# ----------------------------------------------------------------------------
PY="$WORK/helper.py"
cat >"$PY" <<'PYEOF'
import base64, hashlib, html.parser, json, secrets, sys, urllib.parse

def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)

class Forms(html.parser.HTMLParser):
    """Collects every <form>: action, its inputs, and its text and aria-labels (to find an account's form)."""
    def __init__(self):
        super().__init__()
        self.forms, self.current = [], None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.current = {"action": a.get("action") or "", "method": (a.get("method") or "get").lower(), "fields": {}, "text": ""}
            self.forms.append(self.current)
        elif self.current is not None:
            if tag == "input" and a.get("name"):
                self.current["fields"].setdefault(a["name"], a.get("value") or "")
            if a.get("aria-label"):
                self.current["text"] += " " + a["aria-label"]
    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
    def handle_data(self, data):
        if self.current is not None:
            self.current["text"] += data

def forms(path):
    p = Forms()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    return p.forms

def cmd_field(path, name):
    """Prints the first value of input NAME in any form of the page."""
    for form in forms(path):
        if name in form["fields"]:
            print(form["fields"][name]); return
    sys.exit(f"no input named {name!r} in the page")

def cmd_use_form(path, handler, who):
    """Prints action, sessionToken, returnUrl, antiforgery token (one a line) of the ?handler=HANDLER form naming WHO."""
    for form in forms(path):
        action = form["action"]
        if f"handler={handler}".lower() in action.lower() and who.lower() in form["text"].lower():
            f = form["fields"]
            print(action); print(f.get("sessionToken", "")); print(f.get("returnUrl", "")); print(f.get("__RequestVerificationToken", ""))
            return
    sys.exit(f"no form posting to ?handler={handler} names {who!r}; forms: " + json.dumps([(x['action'], x['text'].split()) for x in forms(path)]))

def cmd_pkce():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    print(verifier); print(challenge); print(secrets.token_urlsafe(16)); print(secrets.token_urlsafe(16))

def cmd_urlencode(value):
    print(urllib.parse.quote(value, safe=""))

def cmd_resolve(base, location):
    print(urllib.parse.urljoin(base, location))

def cmd_query_param(url, name):
    """Prints the value of a query parameter of URL (empty when absent)."""
    values = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query).get(name, [])
    print(values[0] if values else "")

def cmd_discovery(path):
    """Checks the discovery document; prints the five endpoints, one a line."""
    d = load_json(path)
    prompts = d.get("prompt_values_supported") or []
    if "select_account" not in prompts:
        sys.exit(f"select_account not in prompt_values_supported: {prompts}")
    keys = ["authorization_endpoint", "token_endpoint", "userinfo_endpoint", "end_session_endpoint", "jwks_uri"]
    missing = [k for k in keys if not d.get(k)]
    if missing:
        sys.exit(f"missing from the discovery document: {missing}")
    for k in keys:
        print(d[k])

def cmd_list(path, expected_names, active_name):
    """Checks a list-device-sessions answer: the users (in order, most recently used first) and which one is active."""
    data = load_json(path)
    if not isinstance(data, list):
        sys.exit(f"not a JSON array: {data!r}")
    names = [e.get("user", {}).get("name") for e in data]
    want = [n for n in expected_names.split(",") if n]
    if [ (n or "").split()[0].lower() for n in names ] != want:
        sys.exit(f"expected users {want} (most recently used first), got {names}")
    fields = {"sessionToken", "sessionId", "active", "user", "createdAt", "lastSeenAt", "expiresAt"}
    for e in data:
        missing = fields - set(e)
        if missing:
            sys.exit(f"entry lacks {sorted(missing)}: {e}")
        umissing = {"id", "name", "email"} - set(e["user"] or {})
        if umissing:
            sys.exit(f"entry's user lacks {sorted(umissing)}: {e}")
    seen = [e["lastSeenAt"] for e in data]
    if [when(t) for t in seen] != sorted((when(t) for t in seen), reverse=True):
        sys.exit(f"not most recently used first: lastSeenAt {seen}")
    active = [(e["user"]["name"] or "").split()[0].lower() for e in data if e["active"] is True]
    want_active = [active_name] if active_name else []
    if active != want_active:
        sys.exit(f"expected active {want_active}, got {active}")
    if len({e["sessionId"] for e in data}) != len(data):
        sys.exit("two entries share a sessionId")

def when(text):
    """An ISO 8601 time (as ASP.NET Core writes DateTimeOffset) as a comparable datetime."""
    import datetime, re
    t = text.replace("Z", "+00:00")
    t = re.sub(r"\.(\d+)", lambda m: "." + (m.group(1) + "000000")[:6], t)  # any number of fraction digits
    return datetime.datetime.fromisoformat(t)

def cmd_session(path, name, field):
    """Prints FIELD (sessionToken, sessionId, user.id, user.email) of NAME's entry in a list answer."""
    for e in load_json(path):
        if (e["user"]["name"] or "").split()[0].lower() == name:
            v = e
            for part in field.split("."):
                v = v[part]
            print(v); return
    sys.exit(f"{name} not in the list")

def cmd_entry(path, name):
    """Checks a set-active answer: one entry, of NAME, active."""
    e = load_json(path)
    if not isinstance(e, dict) or (e.get("user", {}).get("name") or "").split()[0].lower() != name or e.get("active") is not True:
        sys.exit(f"expected {name}'s entry, active: {e!r}")

def cmd_problem(headers, path, status):
    """Checks an RFC 9457 problem details answer."""
    ctype = ""
    with open(headers, encoding="latin-1") as f:
        for line in f:
            if line.lower().startswith("content-type:"):
                ctype = line.split(":", 1)[1].strip()
    if not ctype.lower().startswith("application/problem+json"):
        sys.exit(f"Content-Type is {ctype!r}, not application/problem+json")
    p = load_json(path)
    if p.get("status") != int(status) or not p.get("title"):
        sys.exit(f"problem body lacks status {status} or a title: {p}")

def cmd_jwks(path):
    if not load_json(path).get("keys"):
        sys.exit("no keys in the JWKS")

def cmd_json_equals(path, expected):
    got = load_json(path)
    if got != json.loads(expected):
        sys.exit(f"expected {expected}, got {json.dumps(got)}")

def jwt_payload(token):
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))

def cmd_tokens(path):
    """Prints id_token and access_token of a token response, one a line."""
    t = load_json(path)
    if not t.get("id_token") or not t.get("access_token"):
        sys.exit(f"no id_token or access_token: {t}")
    print(t["id_token"]); print(t["access_token"])

def cmd_claim(token, name):
    print(jwt_payload(token).get(name, ""))

def cmd_id_token(token, nonce, sub, sid):
    """Checks an ID token's payload: sub, sid, auth_time, nonce, and the expected account and session."""
    p = jwt_payload(token)
    missing = [c for c in ("sub", "sid", "auth_time", "nonce") if c not in p]
    if missing:
        sys.exit(f"id_token lacks {missing}: {p}")
    if p["nonce"] != nonce:
        sys.exit(f"nonce {p['nonce']!r} != {nonce!r}")
    if sub and p["sub"] != sub:
        sys.exit(f"sub {p['sub']!r} is not the expected user {sub!r}")
    if sid and p["sid"] != sid:
        sys.exit(f"sid {p['sid']!r} is not the device session id {sid!r}")
    if not isinstance(p["auth_time"], int):
        sys.exit(f"auth_time is not a number: {p['auth_time']!r}")

def cmd_userinfo(path, sub):
    u = load_json(path)
    if u.get("sub") != sub:
        sys.exit(f"userinfo sub {u.get('sub')!r} != {sub!r}: {u}")

def cmd_free_port():
    import socket
    s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()

if __name__ == "__main__":
    globals()["cmd_" + sys.argv[1].replace("-", "_")](*sys.argv[2:])
PYEOF
py() { python3 "$PY" "$@"; }

# ----------------------------------------------------------------------------
# HTTP: one request, cookies kept in the given jar ("-" for none).
# Sets STATUS; headers in $HDRS, body in $BODY. Never follows redirects.
# ----------------------------------------------------------------------------
http() {
    local jar=$1 method=$2 url=$3; shift 3
    local cookies=()
    [[ "$jar" != "-" ]] && cookies=(-b "$jar" -c "$jar")
    : >"$HDRS"; : >"$BODY"
    STATUS="$(curl -sS --max-time 30 -o "$BODY" -D "$HDRS" -w '%{http_code}' "${cookies[@]}" -X "$method" "$@" "$url" 2>>"$WORK/curl.err")" || STATUS="000"
}
# The value of a response header of the last request (last occurrence).
header() { grep -i "^$1:" "$HDRS" | tail -n 1 | cut -d: -f2- | sed 's/^ *//' | tr -d '\r'; }
# The Location of the last answer, made absolute.
location() { py resolve "$BASE/" "$(header Location)"; }
# What to show when a check on the last answer fails.
last() { printf 'HTTP %s\n%s\n%s' "$STATUS" "$(grep -iE '^(location|content-type):' "$HDRS" | tr -d '\r')" "$(head -c 600 "$BODY")"; }
status_is() { [[ "$STATUS" == "$1" ]] || { echo "expected HTTP $1"; last; return 1; }; }
is_true() { "$@"; }
# answer STATUS [helper-subcommand args...]: the last answer has STATUS, and the helper's check on it passes.
answer() { local want=$1; shift; status_is "$want" || return 1; (($# == 0)) || py "$@"; }

# ----------------------------------------------------------------------------
# 1. Copy the tree, build it, start the host
# ----------------------------------------------------------------------------
echo "Source: $ROOT"
echo "Work:   $WORK"
mkdir -p "$SRC"
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # Tracked files and untracked files that are not ignored (so uncommitted work is tested too); never bin/ or obj/.
    (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard \
        | python3 -c '
import os, shutil, sys
dest = sys.argv[1]
for path in sys.stdin.buffer.read().split(b"\0"):
    p = path.decode()
    if not p or not os.path.isfile(p) or any(part in ("bin", "obj") for part in p.split("/")):
        continue
    os.makedirs(os.path.join(dest, os.path.dirname(p)), exist_ok=True)
    shutil.copy2(p, os.path.join(dest, p))
' "$SRC")
else
    (cd "$ROOT" && tar --exclude=bin --exclude=obj --exclude=.git -cf - .) | (cd "$SRC" && tar -xf -)
fi
[[ -f "$SRC/samples/IdpHost/IdpHost.csproj" ]] || abort "copy the source tree" "no samples/IdpHost/IdpHost.csproj under $ROOT"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# No MSBuild node reuse, build server or shared compiler: nothing of ours outlives the run.
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 UseSharedCompilation=false

echo "Building the copy (log: $BUILD_LOG)..."
if (cd "$SRC" && timeout "$BUILD_TIMEOUT" dotnet build samples/IdpHost -c Debug -nodeReuse:false -p:UseSharedCompilation=false >"$BUILD_LOG" 2>&1); then
    pass "build samples/IdpHost"
else
    abort "build samples/IdpHost" "$(grep -E 'error|Error' "$BUILD_LOG" | sort -u | head -20; tail -5 "$BUILD_LOG")"
fi

PORT="$(py free-port)"
BASE="http://127.0.0.1:$PORT"
export ASPNETCORE_ENVIRONMENT=Development
export ConnectionStrings__DefaultConnection="Data Source=$WORK/idp.db"
export Clients__1__ClientId="$CLIENT_ID"
export Clients__1__RedirectUris__0="$REDIRECT_URI"
export Clients__1__PostLogoutRedirectUris__0="$POST_LOGOUT_URI"

echo "Starting the host on $BASE (log: $HOST_LOG)..."
(cd "$SRC" && exec setsid dotnet run --no-build --project samples/IdpHost -- --urls "$BASE") >"$HOST_LOG" 2>&1 &
HOST_PID=$!

DISCOVERY="$BASE/.well-known/openid-configuration"
deadline=$((SECONDS + STARTUP_TIMEOUT))
until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$DISCOVERY")" == 200 ]]; do
    if ! kill -0 "$HOST_PID" 2>/dev/null; then
        abort "host starts and serves discovery" "the host exited; last lines of its log:
$(tail -n 30 "$HOST_LOG")"
    fi
    if ((SECONDS >= deadline)); then
        abort "host starts and serves discovery" "no answer within ${STARTUP_TIMEOUT}s; last lines of its log:
$(tail -n 30 "$HOST_LOG")"
    fi
    sleep 1
done
pass "host starts and serves discovery within ${STARTUP_TIMEOUT}s"

# ----------------------------------------------------------------------------
# 2. Discovery
# ----------------------------------------------------------------------------
http - GET "$DISCOVERY"
if endpoints="$(py discovery "$BODY" 2>&1)"; then
    pass "discovery: select_account in prompt_values_supported, endpoints advertised"
    { read -r AUTHORIZE; read -r TOKEN; read -r USERINFO; read -r END_SESSION; read -r JWKS; } <<<"$endpoints"
else
    abort "discovery: select_account in prompt_values_supported, endpoints advertised" "$endpoints"
fi
http - GET "$JWKS"
check "jwks_uri answers 200 with keys" answer 200 jwks "$BODY"

# ----------------------------------------------------------------------------
# Helpers for a browser
# ----------------------------------------------------------------------------
LIST="$BASE/multi-session/list-device-sessions"
list_of() { http "$1" GET "$LIST"; cp "$BODY" "$WORK/list.json"; }    # leaves the list in $WORK/list.json
check_list() {  # check_list NAME JAR USERS ACTIVE
    list_of "$2"
    check "$1" answer 200 list "$WORK/list.json" "$3" "$4"
}
session_of() { list_of "$JAR_A"; py session "$WORK/list.json" "$1" "$2"; }

# sign_in JAR USER: the login form, like a browser. Leaves the POST's answer in $HDRS/$BODY.
sign_in() {
    local jar=$1 user=$2 token
    http "$jar" GET "$BASE/Account/Login?ReturnUrl=%2F"
    [[ "$STATUS" == 200 ]] || { echo "GET /Account/Login: HTTP $STATUS"; return 1; }
    cp "$HDRS" "$WORK/login-get.headers"
    token="$(py field "$BODY" __RequestVerificationToken)" || { echo "$token"; return 1; }
    http "$jar" POST "$BASE/Account/Login" \
        --data-urlencode "Input.UserName=$user" \
        --data-urlencode "Input.Password=$PASSWORD" \
        --data-urlencode "ReturnUrl=/" \
        --data-urlencode "__RequestVerificationToken=$token"
    status_is 302
}

check_list "browser B: list-device-sessions is [] at the start" "$JAR_B" "" ""

# ----------------------------------------------------------------------------
# 3. Browser A: alice, then bob
# ----------------------------------------------------------------------------
check "browser A: alice signs in with the login form (302)" sign_in "$JAR_A" alice
device_cookie() {
    local line
    line="$(cat "$WORK/login-get.headers" "$HDRS" | grep -i '^set-cookie: *\.MultiSession\.Device=' | tail -n 1 | tr -d '\r')"
    [[ -n "$line" ]] || { echo "no Set-Cookie for .MultiSession.Device on the sign-in"; return 1; }
    grep -qi '; *httponly' <<<"$line" || { echo "not HttpOnly: $line"; return 1; }
    if grep -qiE '; *secure(;|$)' <<<"$line"; then echo "Secure over plain http in Development: $line"; return 1; fi
    grep -q '\.MultiSession\.Device' "$JAR_A" || { echo "the cookie jar does not hold it"; return 1; }
}
check "device cookie .MultiSession.Device set, HttpOnly, not Secure" device_cookie
check "browser A: bob signs in with the login form (302)" sign_in "$JAR_A" bob
check_list "list-device-sessions: 2 well-formed entries, bob active and first" "$JAR_A" "bob,alice" bob
check_list "browser B: still [] after browser A signed in" "$JAR_B" "" ""

# ----------------------------------------------------------------------------
# 4. The account picker
# ----------------------------------------------------------------------------
PICKER="$BASE/MultiSession/Accounts"
http "$JAR_A" GET "$PICKER"
check "picker: GET /MultiSession/Accounts (200)" status_is 200
cp "$BODY" "$WORK/picker.html"
if form="$(py use-form "$WORK/picker.html" Use alice@example.com 2>&1)"; then
    { read -r action; read -r use_token; read -r use_return; read -r use_af; } <<<"$form"
    use_url="$(py resolve "$PICKER" "$action")"
    http "$JAR_A" POST "$use_url" --data-urlencode "sessionToken=$use_token" \
        --data-urlencode "returnUrl=$use_return" --data-urlencode "__RequestVerificationToken=$use_af"
    check "picker: POST alice's Use form (302)" status_is 302
    check_list "picker: alice is now active and first" "$JAR_A" "alice,bob" alice

    http "$JAR_A" POST "$use_url" --data-urlencode "sessionToken=$use_token" --data-urlencode "returnUrl=/"
    check "picker: POST without the antiforgery token (400)" status_is 400
else
    fail "picker: alice's Use form (sessionToken, returnUrl, antiforgery token)" "$form"
fi

# ----------------------------------------------------------------------------
# 5. JSON API
# ----------------------------------------------------------------------------
api() {  # api JAR PATH JSON [curl args]
    local jar=$1 path=$2 json=$3; shift 3
    http "$jar" POST "$BASE/multi-session/$path" -H 'Content-Type: application/json' --data-raw "$json" "$@"
}
BOB_TOKEN="$(session_of bob sessionToken)"
api "$JAR_A" set-active "{\"sessionToken\": \"$BOB_TOKEN\"}"
check "API set-active bob (200, bob's entry active)" answer 200 entry "$BODY" bob
check_list "API: list shows bob active" "$JAR_A" "bob,alice" bob

ALICE_TOKEN="$(session_of alice sessionToken)"
api "$JAR_A" set-active "{\"sessionToken\": \"$ALICE_TOKEN\"}" -H 'Origin: https://evil.example'
check "API set-active with Origin: https://evil.example (403 problem+json)" \
    answer 403 problem "$HDRS" "$BODY" 403
http "$JAR_A" POST "$BASE/multi-session/set-active" -H 'Content-Type: text/plain' --data-raw "{\"sessionToken\": \"$ALICE_TOKEN\"}"
check "API set-active with Content-Type: text/plain (415)" status_is 415
api "$JAR_A" set-active '{"sessionToken": "no-such-session-handle"}'
check "API set-active with an unknown handle (404 problem+json)" \
    answer 404 problem "$HDRS" "$BODY" 404
check_list "API: the refused calls changed nothing (bob still active)" "$JAR_A" "bob,alice" bob

api "$JAR_B" set-active "{\"sessionToken\": \"$BOB_TOKEN\"}"
check "API set-active from browser B with browser A's handle (404)" status_is 404

# revoke: a third account (carol) is added and revoked, so that alice and bob stay for the OIDC part.
check "browser A: carol signs in with the login form (302)" sign_in "$JAR_A" carol
CAROL_TOKEN="$(session_of carol sessionToken)"
api "$JAR_A" revoke "{\"sessionToken\": \"$CAROL_TOKEN\"}"
check "API revoke carol (200 {\"status\":true})" \
    answer 200 json-equals "$BODY" '{"status": true}'
check_list "API: after the revoke, alice and bob remain, bob active" "$JAR_A" "bob,alice" bob
api "$JAR_A" set-active "{\"sessionToken\": \"$CAROL_TOKEN\"}"
check "API set-active with the revoked handle (404)" status_is 404
check_list "browser B: still [] after the API calls" "$JAR_B" "" ""

# ----------------------------------------------------------------------------
# 6. OIDC: authorization code + PKCE (S256)
# ----------------------------------------------------------------------------
ALICE_ID="$(session_of alice user.id)";  ALICE_SID="$(session_of alice sessionId)"
BOB_ID="$(session_of bob user.id)";      BOB_SID="$(session_of bob sessionId)"

# new_request: fresh PKCE verifier/challenge, state and nonce.
new_request() { { read -r VERIFIER; read -r CHALLENGE; read -r STATE; read -r NONCE; } <<<"$(py pkce)"; }
authorize() {  # authorize [extra curl --data-urlencode args]: GET the authorization endpoint with browser A
    http "$JAR_A" GET "$AUTHORIZE" -G \
        --data-urlencode "client_id=$CLIENT_ID" --data-urlencode "redirect_uri=$REDIRECT_URI" \
        --data-urlencode "response_type=code" --data-urlencode "scope=openid profile email" \
        --data-urlencode "state=$STATE" --data-urlencode "nonce=$NONCE" \
        --data-urlencode "code_challenge=$CHALLENGE" --data-urlencode "code_challenge_method=S256" "$@"
}
# redirect_to_client PARAM EXPECTED: the last answer redirects to the client with PARAM (= EXPECTED if given) and our state.
redirect_to_client() {
    local loc value
    [[ "$STATUS" == 302 || "$STATUS" == 303 ]] || { echo "expected a redirect"; last; return 1; }
    loc="$(location)"
    [[ "$loc" == "$REDIRECT_URI?"* ]] || { echo "redirect is not to $REDIRECT_URI: $loc"; return 1; }
    value="$(py query-param "$loc" "$1")"
    [[ -n "$value" ]] || { echo "no $1 in $loc"; return 1; }
    [[ -z "${2:-}" || "$value" == "$2" ]] || { echo "$1=$value, expected $2 ($loc)"; return 1; }
    [[ "$(py query-param "$loc" state)" == "$STATE" ]] || { echo "state not returned: $loc"; return 1; }
}
# redeem: the code of the last redirect at the token endpoint; sets ID_TOKEN and ACCESS_TOKEN.
redeem() {
    local code tokens
    code="$(py query-param "$(location)" code)"
    http - POST "$TOKEN" --data-urlencode "grant_type=authorization_code" --data-urlencode "code=$code" \
        --data-urlencode "redirect_uri=$REDIRECT_URI" --data-urlencode "client_id=$CLIENT_ID" \
        --data-urlencode "code_verifier=$VERIFIER"
    status_is 200 || return 1
    tokens="$(py tokens "$BODY")" || { echo "$tokens"; return 1; }
    { read -r ID_TOKEN; read -r ACCESS_TOKEN; } <<<"$tokens"
}

new_request
authorize --data-urlencode "prompt=none"
check "authorize prompt=none, two accounts, no hint -> error=account_selection_required" \
    redirect_to_client error account_selection_required

new_request
authorize --data-urlencode "prompt=none" --data-urlencode "login_hint=alice@example.com"
check "authorize prompt=none login_hint=alice@example.com -> code" redirect_to_client code
ID_TOKEN=""; ACCESS_TOKEN=""
check "token endpoint: code + code_verifier -> id_token and access_token (200)" redeem
if [[ -n "$ID_TOKEN" ]]; then
    ALICE_ID_TOKEN="$ID_TOKEN"
    check "alice's id_token: sub, sid, auth_time, nonce (sub = alice, sid = her device session)" \
        py id-token "$ID_TOKEN" "$NONCE" "$ALICE_ID" "$ALICE_SID"
    check "alice's access_token carries her sid" is_true test "$(py claim "$ACCESS_TOKEN" sid)" == "$ALICE_SID"
    http - GET "$USERINFO" -H "Authorization: Bearer $ACCESS_TOKEN"
    check "userinfo with the access token (200, sub = alice)" \
        answer 200 userinfo "$BODY" "$ALICE_ID"
fi

# prompt=select_account: the picker, then bob, then back through the IdP to the client.
new_request
authorize --data-urlencode "prompt=select_account"
picker_redirect() {
    [[ "$STATUS" == 302 ]] || { echo "expected 302"; last; return 1; }
    [[ "$(location)" == "$PICKER?returnUrl="* ]] || { echo "redirect is not to the picker: $(location)"; return 1; }
}
if check "authorize prompt=select_account -> redirect to /MultiSession/Accounts?returnUrl=..." picker_redirect; then
    PICKER_URL="$(location)"
    http "$JAR_A" GET "$PICKER_URL"
    cp "$BODY" "$WORK/picker-oidc.html"
    follow_to_client() {
        local form action token ret af hops=0
        form="$(py use-form "$WORK/picker-oidc.html" Use bob@example.com)" || { echo "$form"; return 1; }
        { read -r action; read -r token; read -r ret; read -r af; } <<<"$form"
        [[ "$ret" == "${AUTHORIZE#"$BASE"}?"* ]] \
            || { echo "the form's returnUrl does not carry the authorization request: $ret"; return 1; }
        http "$JAR_A" POST "$(py resolve "$PICKER_URL" "$action")" --data-urlencode "sessionToken=$token" \
            --data-urlencode "returnUrl=$ret" --data-urlencode "__RequestVerificationToken=$af"
        # Follow the redirects that stay inside the IdP, like a browser, until the one to the client.
        while [[ "$STATUS" == 302 || "$STATUS" == 303 ]] && [[ "$(location)" == "$BASE/"* ]]; do
            ((hops++ < 10)) || { echo "more than 10 redirects inside the IdP"; return 1; }
            http "$JAR_A" GET "$(location)"
        done
        redirect_to_client code
    }
    check "picker: bob's Use form -> redirects inside the IdP -> client redirect with a code" follow_to_client
    ID_TOKEN=""
    check "token endpoint: bob's code -> tokens (200)" redeem
    if [[ -n "$ID_TOKEN" ]]; then
        BOB_ID_TOKEN="$ID_TOKEN"
        check "bob's id_token: sub = bob, sid = his device session, nonce, auth_time" \
            py id-token "$ID_TOKEN" "$NONCE" "$BOB_ID" "$BOB_SID"
        check "bob's sid differs from alice's" \
            is_true test "$(py claim "$BOB_ID_TOKEN" sid)" != "$(py claim "${ALICE_ID_TOKEN:-x.e30.x}" sid)"
    fi
fi

# ----------------------------------------------------------------------------
# 7. End session (RP-initiated logout)
# ----------------------------------------------------------------------------
if [[ -n "${BOB_ID_TOKEN:-}" ]]; then
    http "$JAR_A" GET "$END_SESSION" -G --data-urlencode "id_token_hint=$BOB_ID_TOKEN" \
        --data-urlencode "post_logout_redirect_uri=$POST_LOGOUT_URI"
    to_post_logout() {
        [[ "$STATUS" == 302 || "$STATUS" == 303 ]] || { echo "expected a redirect"; last; return 1; }
        [[ "$(location)" == "$POST_LOGOUT_URI"* ]] || { echo "redirect is not to $POST_LOGOUT_URI: $(location)"; return 1; }
    }
    check "end session with bob's id_token_hint -> 302 to the post-logout URI" to_post_logout
else
    fail "end session with bob's id_token_hint -> 302 to the post-logout URI" "skipped: no id_token of bob"
fi
check_list "after end session, browser A's list-device-sessions is []" "$JAR_A" "" ""

# ----------------------------------------------------------------------------
# 8. Browser B throughout
# ----------------------------------------------------------------------------
check_list "browser B: [] at the end" "$JAR_B" "" ""

summary
if ((FAILED > 0)); then
    echo "Last lines of the host log:"
    tail -n 20 "$HOST_LOG" | sed 's/^/    /'
    exit 1
fi
exit 0
