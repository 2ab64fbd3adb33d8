import socket

import pytest

from fluentcrm_webhooks.targets import UrlRejected, check_webhook_url, is_forbidden_address


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                                     "0.0.0.0", "100.64.0.1", "::1", "::", "fe80::1", "fc00::1",
                                     "::ffff:127.0.0.1", "224.0.0.1"])
def test_non_global_addresses_are_forbidden(address):
    assert is_forbidden_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"])
def test_global_addresses_are_allowed(address):
    assert not is_forbidden_address(address)


def fake_dns(answer):
    def resolve(host, port, type=None):
        if answer is None:
            raise socket.gaierror("no such host")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer, port))]
    return resolve


def check(url, allow_http=False, allow_private=False, dns="93.184.216.34"):
    return check_webhook_url(url, allow_http=allow_http, allow_private=allow_private, resolve=fake_dns(dns))


def test_https_public_url_is_accepted_and_unresolvable_hosts_too():
    assert check("https://example.com/webhook") == "https://example.com/webhook"
    assert check("https://not-yet-in-dns.example/hook", dns=None)


@pytest.mark.parametrize("url", ["http://example.com/hook", "ftp://example.com", "example.com/hook", "https://",
                                 "https:///path", " https://example.com", "https://exa mple.com/",
                                 "https://example.com:99999/", "https://" + "a" * 2040 + ".com", 42, None, "",
                                 # control characters anywhere (a NUL once cut the host the check resolved)
                                 "https://example.com\x00.127.0.0.1/", "https://example.com/\x00",
                                 "https://example.com/\x7f", "https://example.com/\x1b[31m", "https://exa\u0085mple.com/",
                                 "https://example.com/\r\nX-Injected: 1", "https://example.com/\t",
                                 # a backslash: two parsers read two hosts in https://127.0.0.1:1\@example.com/
                                 "https://127.0.0.1:8000\\@example.com/", "https://example.com\\@127.0.0.1/",
                                 "https://example.com/a\\b", "https://example.com:0/", "https://example.com:x/"])
def test_bad_urls_are_rejected_with_the_seed_message(url):
    with pytest.raises(UrlRejected, match="Webhook URL must be a valid HTTPS URL."):
        check(url)


def test_http_allowed_only_when_configured():
    assert check("http://example.com/hook", allow_http=True)


@pytest.mark.parametrize("url,dns", [("https://127.0.0.1/hook", None), ("https://[::1]/hook", None),
                                     ("https://metadata.example/hook", "169.254.169.254"),
                                     ("https://intranet.example/hook", "10.0.0.5")])
def test_private_targets_are_rejected_unless_allowed(url, dns):
    with pytest.raises(UrlRejected, match="private or local"):
        check(url, dns=dns)
    assert check(url, dns=dns, allow_private=True) == url


@pytest.mark.parametrize("url,host", [
    ("https://pub.example#@127.0.0.1/", "pub.example"),  # after '#' is the fragment, never sent
    ("https://a@b@127.0.0.1/", "127.0.0.1"),             # the last '@' ends the user information
    ("https://user:pa%40ss@127.0.0.1/", "127.0.0.1"),
    ("https://[::ffff:127.0.0.1]/", "::ffff:7f00:1"),
])
def test_the_save_check_reads_the_host_the_sender_connects_to(url, host):
    """One parser for both (targets.parse_webhook_url): the check resolves the sender's host."""
    from fluentcrm_webhooks.targets import parse_webhook_url

    assert parse_webhook_url(url).raw_host == host
    asked = []

    def resolve(name, port, type=None):
        asked.append(name)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]

    try:
        check_webhook_url(url, allow_http=False, allow_private=False, resolve=resolve)
    except UrlRejected as rejected:
        assert "private or local" in str(rejected)  # an IP literal: judged without a lookup
        assert asked == []
    else:
        assert asked == [host]
