"""Which webhook URLs and addresses we may send to (DESIGN.md, Security).

The URL is checked when a webhook is saved, and the address actually connected to is checked
again at send time (see sender.py), so a DNS answer that changes later (rebinding) cannot steer a
delivery onto the loopback, a private network or a cloud metadata address.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2048

PRIVATE_TARGET_MESSAGE = "Webhook URL must not point to a private or local address."


class UrlRejected(ValueError):
    """The URL cannot be used; the message is the one the API answers with."""


def is_forbidden_address(address: str) -> bool:
    """True for anything but a global unicast address: loopback, private, link-local (metadata),
    unspecified, carrier-grade NAT, multicast, reserved, and IPv4 hidden in IPv6."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            return is_forbidden_address(str(embedded))
    return not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_unspecified


def check_webhook_url(url: object, *, allow_http: bool, allow_private: bool, resolve=socket.getaddrinfo) -> str:
    """Return the URL when it is acceptable, else raise UrlRejected with the API's message.

    A host that does not resolve now is accepted (DNS may not be set up yet); the connect-time
    check still applies.
    """
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH or url != url.strip():
        raise UrlRejected("Webhook URL must be a valid HTTPS URL.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UrlRejected("Webhook URL must be a valid HTTPS URL.") from None
    allowed_schemes = ("https", "http") if allow_http else ("https",)
    host = parts.hostname
    if parts.scheme.lower() not in allowed_schemes or not host or any(c.isspace() for c in url):
        raise UrlRejected("Webhook URL must be a valid HTTPS URL.")
    if allow_private:
        return url
    for address in _addresses(host, port or 443, resolve):
        if is_forbidden_address(address):
            raise UrlRejected(PRIVATE_TARGET_MESSAGE)
    return url


def _addresses(host: str, port: int, resolve) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        infos = resolve(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        return []
    return [info[4][0] for info in infos]
