"""Which webhook URLs and addresses we may send to (DESIGN.md, Security).

The URL is checked when a webhook is saved, and the address actually connected to is checked
again at send time (see sender.py), so a DNS answer that changes later (rebinding) cannot steer a
delivery onto the loopback, a private network or a cloud metadata address.

One parser, `parse_webhook_url`, decides what a URL means for both the save check and the sender
(which hands aiohttp the parsed URL, never the text): two parsers that read the same text as two
different hosts are how `https://127.0.0.1:1\\@pub.test/` once passed the check as pub.test and
was sent to 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import socket
import unicodedata

from yarl import URL

MAX_URL_LENGTH = 2048

INVALID_URL_MESSAGE = "Webhook URL must be a valid HTTPS URL."
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


def _is_refused_character(char: str) -> bool:
    # Whitespace and control characters (C0, DEL, C1: a NUL once cut the host the check resolved)
    # have no place in a URL; a backslash is read as "/" by browsers and WHATWG parsers but as
    # part of the user name by others, so it is refused rather than guessed at.
    return char.isspace() or char == "\\" or unicodedata.category(char) == "Cc"


def parse_webhook_url(url: object) -> URL:
    """The URL as the sender will use it: absolute, http or https, with a host and a valid port.
    Raises UrlRejected with the API's message."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH or any(map(_is_refused_character, url)):
        raise UrlRejected(INVALID_URL_MESSAGE)
    try:
        parsed = URL(url)
        port = parsed.port
    except (ValueError, TypeError, UnicodeError):
        raise UrlRejected(INVALID_URL_MESSAGE) from None
    if parsed.scheme not in ("https", "http") or not parsed.raw_host or not port:
        raise UrlRejected(INVALID_URL_MESSAGE)
    return parsed


def check_webhook_url(url: object, *, allow_http: bool, allow_private: bool, resolve=socket.getaddrinfo) -> str:
    """Return the URL when it is acceptable, else raise UrlRejected with the API's message.

    A host that does not resolve now is accepted (DNS may not be set up yet); the connect-time
    check still applies.
    """
    parsed = parse_webhook_url(url)
    assert isinstance(url, str)
    if parsed.scheme == "http" and not allow_http:
        raise UrlRejected(INVALID_URL_MESSAGE)
    if allow_private:
        return url
    assert parsed.raw_host is not None and parsed.port is not None
    for address in _addresses(parsed.raw_host, parsed.port, resolve):
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
