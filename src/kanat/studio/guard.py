"""What keeps a local web app local: Host and Origin checks and the browser's security headers.

A page on another site can reach ``127.0.0.1`` through the visitor's browser:
by DNS rebinding (its own name resolving to 127.0.0.1: the request then
carries that name in ``Host``) or by a cross-site form or ``fetch`` (which
carries its ``Origin``). So every request must name an allowed host, and every
request that changes something (not GET/HEAD/OPTIONS) must come from no
origin (a command-line client) or from the studio's own (same host and port).
Refusals are 400 for the host and 403 for the origin, each with one sentence that says what to do.

Every answer carries ``X-Frame-Options: SAMEORIGIN`` (the page frames its own
counts sheet), ``X-Content-Type-Options: nosniff``, ``Referrer-Policy:
no-referrer`` and a Content-Security-Policy that allows only the studio's own
scripts (plus the page's import map, by hash).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

#: Hosts a local studio answers to; more with ``kanat studio --allow-host NAME``.
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def inline_script_hashes(html: Path) -> list[str]:
    """CSP sources (``'sha256-...'``) of the inline scripts in ``html`` (the page's import map)."""
    text = html.read_text(encoding="utf-8")
    return ["'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
            for body in re.findall(r"<script[^>]*>(.*?)</script>", text, flags=re.S) if body.strip()]


def content_security_policy(script_hashes: list[str]) -> str:
    scripts = " ".join(["'self'", *script_hashes])
    return (f"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self' blob: data:; "
            "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")


def host_name(value: str) -> str:
    """The host of a ``Host`` header or an origin's netloc, without port or brackets, lower case."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class Guard:
    """ASGI middleware: refuse foreign hosts and cross-site changes; add the security headers."""

    def __init__(self, app, *, allowed_hosts, csp: str):
        self.app = app
        self.allowed = {host_name(h) for h in allowed_hosts}
        self.headers = [(b"x-frame-options", b"SAMEORIGIN"), (b"x-content-type-options", b"nosniff"),
                        (b"referrer-policy", b"no-referrer"), (b"cross-origin-opener-policy", b"same-origin"),
                        (b"content-security-policy", csp.encode())]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        refusal = self.refusal(scope)
        if refusal is not None:
            status, detail = refusal
            return await self._answer(send, status, detail)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *self.headers]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def refusal(self, scope) -> tuple[int, str] | None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = host_name(headers.get("host", ""))
        if host not in self.allowed:
            return 400, (f"this studio answers only to {', '.join(sorted(self.allowed))}, not to host {host!r}; "
                         "open it at http://127.0.0.1:PORT/ (or start it with --allow-host "
                         f"{host or 'NAME'} if you mean to reach it by that name)")
        if scope["method"] in SAFE_METHODS:
            return None
        origin = headers.get("origin")
        if origin is not None and urlsplit(origin).netloc.lower() != headers.get("host", "").lower():
            return 403, (f"a change sent from another site ({origin}) is refused; "
                         "use the studio's own page to change a project")
        if headers.get("sec-fetch-site") == "cross-site":
            return 403, "a change sent from another site is refused; use the studio's own page to change a project"
        return None

    async def _answer(self, send, status: int, detail: str) -> None:
        body = json.dumps({"detail": detail}).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                *self.headers]})
        await send({"type": "http.response.body", "body": body})
