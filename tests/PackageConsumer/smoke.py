"""Smoke run of the consumer IdP (built from the packed packages), from the outside over plain HTTP: python3 smoke.py BASE_URL.

Checks: discovery; alice and bob signed in in one browser (two accounts in the JSON API's list); the picker lists both and its
stylesheet is served from the package (_content/IdentityServer.MultiSession/...); a code flow with PKCE for alice whose ID
token carries her session's sid; the end-session page (from the OpenIddict package) in the core package's layout. Prints one
ok/not ok line per check and "smoke.py: N ok, M not ok"; exits 1 on a failure.
"""
import base64, hashlib, html.parser, http.cookiejar, json, re, secrets, sys, urllib.error, urllib.parse, urllib.request

BASE = sys.argv[1].rstrip("/")
CLIENT_ID = sys.argv[2] if len(sys.argv) > 2 else "consumer-client"
REDIRECT_URI = sys.argv[3] if len(sys.argv) > 3 else "http://127.0.0.1:9/callback"
PASSED, FAILED = 0, 0


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def request(self, method, path, data=None, headers=None):
        url = path if path.startswith("http") else BASE + path
        body = urllib.parse.urlencode(data).encode() if isinstance(data, dict) else data
        req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        if isinstance(data, dict):
            req.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with self.opener.open(req, timeout=30) as resp:
                return resp.status, dict(resp.headers), resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode("utf-8", "replace")


class Inputs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.values, self.links = {}, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name"):
            self.values.setdefault(a["name"], a.get("value") or "")
        if tag == "link" and a.get("href"):
            self.links.append(a["href"])


def parse(page):
    p = Inputs()
    p.feed(page)
    return p


def check(name, condition, detail=""):
    global PASSED, FAILED
    if condition:
        PASSED += 1
        print(f"ok      {name}")
    else:
        FAILED += 1
        print(f"not ok  {name}\n        {str(detail)[:600]}")
    return condition


def finish():
    print(f"\nsmoke.py: {PASSED} ok, {FAILED} not ok")
    sys.exit(1 if FAILED else 0)


def sign_in(browser, user):
    status, _, page = browser.request("GET", "/Account/Login")
    token = parse(page).values.get("__RequestVerificationToken")
    if not check(f"the login page is served with an antiforgery token ({user})", status == 200 and token, f"HTTP {status}"):
        return False
    status, headers, body = browser.request("POST", "/Account/Login", {
        "UserName": user, "Password": "Passw0rd!", "ReturnUrl": "/MultiSession/Accounts", "__RequestVerificationToken": token})
    return check(f"{user} signs in (302 to the picker)", status == 302 and headers.get("Location", "").endswith("/MultiSession/Accounts"),
                 f"HTTP {status} {headers.get('Location')} {body[:300]}")


def jwt_payload(token):
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def main():
    browser = Browser()
    status, _, body = browser.request("GET", "/.well-known/openid-configuration")
    discovery = json.loads(body) if status == 200 else {}
    check("discovery advertises prompt=select_account and the end-session endpoint",
          "select_account" in (discovery.get("prompt_values_supported") or []) and discovery.get("end_session_endpoint"), body[:300])

    if not (sign_in(browser, "alice") and sign_in(browser, "bob")):
        finish()

    status, _, body = browser.request("GET", "/multi-session/list-device-sessions")
    sessions = json.loads(body) if status == 200 else []
    names = sorted((s.get("user") or {}).get("name") or "" for s in sessions)
    check("the JSON API lists two accounts on this browser", names == ["alice", "bob"], f"HTTP {status} {body[:300]}")
    alice_sid = next((s["sessionId"] for s in sessions if (s.get("user") or {}).get("name") == "alice"), None)

    status, headers, page = browser.request("GET", "/MultiSession/Accounts")
    check("the picker lists alice and bob", status == 200 and "alice" in page and "bob" in page, f"HTTP {status}")
    css = [href for href in parse(page).links if "_content/IdentityServer.MultiSession/" in href]
    if check("the picker links a stylesheet from the package's static assets", css, parse(page).links):
        status, headers, body = browser.request("GET", urllib.parse.urljoin(BASE + "/", css[0]))
        check(f"{css[0]} is served from the package", status == 200 and "text/css" in headers.get("Content-Type", "") and ".ms-" in body,
              f"HTTP {status} {headers.get('Content-Type')}")

    status, _, page = browser.request("GET", "/connect/endsession")
    check("the end-session page (OpenIddict package) lists both accounts in the library's layout",
          status == 200 and "alice" in page and "bob" in page and any("_content/IdentityServer.MultiSession/" in h for h in parse(page).links),
          f"HTTP {status} {page[:300]}")

    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    nonce = secrets.token_urlsafe(16)
    query = urllib.parse.urlencode({
        "client_id": CLIENT_ID, "response_type": "code", "scope": "openid profile", "redirect_uri": REDIRECT_URI,
        "code_challenge": challenge, "code_challenge_method": "S256", "state": "s1", "nonce": nonce, "login_hint": "alice"})
    status, headers, body = browser.request("GET", "/connect/authorize?" + query)
    location = headers.get("Location", "")
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query).get("code", [None])[0]
    if not check("the authorization endpoint answers alice's code (login_hint=alice)", status == 302 and location.startswith(REDIRECT_URI) and code,
                 f"HTTP {status} {location} {body[:300]}"):
        finish()

    status, _, body = browser.request("POST", "/connect/token", {
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, "client_id": CLIENT_ID, "code_verifier": verifier})
    tokens = json.loads(body) if status == 200 else {}
    if check("the token endpoint redeems the code", tokens.get("id_token"), f"HTTP {status} {body[:300]}"):
        claims = jwt_payload(tokens["id_token"])
        check("the ID token carries sid (alice's session) and auth_time", claims.get("sid") == alice_sid and alice_sid and isinstance(claims.get("auth_time"), int)
              and claims.get("nonce") == nonce, f"sid {claims.get('sid')!r}, alice's session {alice_sid!r}, claims {sorted(claims)}")
    finish()


main()
