"""What keeps strangers' text and strangers' browsers in their place: signed session cookies,
CSRF tokens, the login throttle and the security headers.

The session is a cookie signed with itsdangerous (`URLSafeTimedSerializer`, HMAC-SHA1 over a key
derived from the secret): HttpOnly, SameSite=Lax, Secure behind TLS, valid for `SESSION_HOURS`.
It holds the user's name, the CSRF token every form carries back, and one note for the next page.
Nothing in it is secret; it only cannot be forged.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

from socialcx.config import Settings
from socialcx.errors import ConfigError

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "COOKIE",
    "LoginThrottle",
    "Sessions",
    "client_address",
    "new_token",
    "same_token",
    "session_secret",
]

COOKIE = "socialcx_session"
SESSION_HOURS = 12
SECRET_FILE = "web-secret.key"
# Only our own scripts, styles and images; no frames, no plugins, forms post only to us.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def session_secret(settings: Settings) -> str:
    """The key sessions are signed with: the variable `[web] secret` names, else a random key
    written once to the data dir (readable by its owner only), so restarts keep people signed in."""
    if settings.web.secret is not None:
        value = settings.secret(settings.web.secret)
        if not value or len(value) < 32:
            raise ConfigError(f"[web] secret: set {settings.web.secret} to a random value of at least 32 characters")
        return value
    path = Path(settings.data_dir) / SECRET_FILE
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(descriptor, "w", encoding="ascii") as out:
        out.write(key + "\n")
    return key


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(given: Any, expected: str | None) -> bool:
    """Whether a form's CSRF token is the session's, compared in constant time."""
    return isinstance(given, str) and bool(expected) and hmac.compare_digest(given.encode(), str(expected).encode())


def client_address(remote: str | None, forwarded_for: Iterable[str], trusted: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> str:
    """The address a request comes from, for the login throttle: the peer's, unless the peer is a
    trusted proxy; then the nearest X-Forwarded-For hop that is not a trusted proxy, read from the
    right, since everything left of what our own proxies appended is the client's to write."""
    address = remote or "unknown"
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",")]
    while _trusted(address, trusted) and hops:
        hop = hops.pop()
        if _ip(hop) is None:  # not an address: believe nothing further left
            break
        address = hop
    return address


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: str, trusted: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    ip = _ip(address)
    return ip is not None and any(ip in network for network in trusted)


class Sessions:
    """Reads and writes the signed session cookie."""

    def __init__(self, secret: str, *, secure: bool) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="socialcx-web-session")
        self.secure = secure

    def load(self, cookie: str | None) -> tuple[dict[str, Any], bool]:
        """The session in a cookie, and whether it is new: a new one (with a fresh CSRF token)
        when there is none, or it was tampered with, or it is older than `SESSION_HOURS`."""
        if cookie:
            try:
                data = self._serializer.loads(cookie, max_age=SESSION_HOURS * 3600)
            except BadSignature:
                data = None
            if isinstance(data, dict) and isinstance(data.get("csrf"), str):
                return data, False
        return {"csrf": new_token()}, True

    def dump(self, session: dict[str, Any]) -> str:
        return self._serializer.dumps(session)

    def cookie_options(self) -> dict[str, Any]:
        return {"httponly": True, "samesite": "Lax", "secure": self.secure, "path": "/", "max_age": SESSION_HOURS * 3600}


class LoginThrottle:
    """At most `attempts` failed logins per client address and per user name in `window`; then
    that address or name waits until its oldest failure leaves the window."""

    def __init__(self, attempts: int = 5, window: timedelta = timedelta(minutes=15)) -> None:
        self.attempts, self.window = attempts, window
        self._failures: defaultdict[str, deque[datetime]] = defaultdict(deque)

    def wait(self, keys: tuple[str, ...], now: datetime) -> timedelta | None:
        """How long these keys must wait before trying again, or None when they may try now."""
        waits = []
        for key in keys:
            failures = self._failures.get(key)
            if failures is None:
                continue
            while failures and failures[0] <= now - self.window:
                failures.popleft()
            if len(failures) >= self.attempts:
                waits.append(failures[0] + self.window - now)
        return max(waits, default=None)

    def failed(self, keys: tuple[str, ...], now: datetime) -> None:
        for key in keys:
            self._failures[key].append(now)

    def succeeded(self, keys: tuple[str, ...]) -> None:
        for key in keys:
            self._failures.pop(key, None)
