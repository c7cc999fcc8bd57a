"""Sign and POST one webhook body, refusing addresses inside the network (SSRF) unless the deployment allows them.

Plain http.client, no redirects followed: a 3xx is an answer like any other, never a second request to a
place nobody checked. The address checked is the address connected to (no second DNS lookup).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

#: how much of an answer's body is kept with the delivery
BODY_EXCERPT = 1000
USER_AGENT = "coordination-webhooks/1"


class UnsafeUrl(ValueError):
    """A URL the app refuses to call; the message says why (in Vietnamese, translated by the caller)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str


def parse_url(url: str) -> Target:
    """Split an endpoint URL, refusing anything but absolute http(s) URLs without credentials."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise UnsafeUrl("invalid") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl("scheme")
    if parts.username or parts.password:
        raise UnsafeUrl("credentials")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path)


def is_public(address: str) -> bool:
    """An address on the Internet: not loopback, private, link-local (cloud metadata), multicast or reserved."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(target: Target, *, allow_private: bool) -> str:
    """The address to connect to: the first the host resolves to, if every one of them is allowed."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeUrl("unresolved") from None
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise UnsafeUrl("unresolved")
    # Every address, not only the first: a name resolving to one public and one private address is refused.
    if not allow_private and not all(is_public(a) for a in addresses):
        raise UnsafeUrl("private")
    return addresses[0]


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=` and the hex HMAC-SHA256 of "timestamp.body" under the endpoint's secret."""
    mac = hmac.new(secret.encode("utf-8"), str(timestamp).encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: an HTTP status and body, or an error without an answer."""

    status: int | None
    body: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float,
    allow_private: bool,
) -> Outcome:
    """POST body to url; never raises for the endpoint's faults (they are the outcome)."""
    try:
        target = parse_url(url)
        address = resolve(target, allow_private=allow_private)
    except UnsafeUrl as refused:
        return Outcome(None, error=f"refused: {refused}")
    connection_class = http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(target.host, target.port, timeout=timeout)
    try:
        sock = socket.create_connection((address, target.port), timeout=timeout)
        if target.scheme == "https":
            # Certificate checked against the host name, while the socket goes to the address checked above.
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=target.host)
        connection.sock = sock
        connection.request("POST", target.path, body=body, headers={**headers, "User-Agent": USER_AGENT})
        response = connection.getresponse()
        excerpt = response.read(BODY_EXCERPT).decode("utf-8", errors="replace")
        return Outcome(response.status, excerpt)
    except (OSError, http.client.HTTPException) as error:
        return Outcome(None, error=f"{type(error).__name__}: {error}"[:500])
    finally:
        connection.close()
