"""The one I/O function of delivery, against a real HTTP server on loopback."""

import http.server
import threading

import pytest

from fluentcrm_webhooks import sender


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    connections: set = set()

    def do_POST(self):
        _Handler.connections.add(self.client_address)
        self.rfile.read(int(self.headers["Content-Length"]))
        body = b"x" * 40000 if self.path == "/big" else b"ok"
        self.send_response(302 if self.path == "/moved" else 200)
        self.send_header("Location", "https://elsewhere.example/")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Handler.connections = set()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_connected_address_is_checked_when_private_targets_are_not_allowed(local_server):
    result = sender.post(local_server + "/hook", b"{}", {}, timeout=5, allow_private=False)
    assert result.response_code is None and "private or local address" in result.error
    assert _Handler.connections == set()  # refused before a byte was sent


def test_allowed_private_target_is_posted_and_the_connection_kept_alive(local_server):
    for _ in range(3):
        result = sender.post(local_server + "/hook", b"{}", {}, timeout=5, allow_private=True)
        assert result.response_code == 200 and result.response_body == "ok" and result.error is None
    assert len(_Handler.connections) == 1  # one TCP connection served all three


def test_redirects_are_not_followed_and_big_answers_are_cut(local_server):
    moved = sender.post(local_server + "/moved", b"{}", {}, timeout=5, allow_private=True)
    assert moved.response_code == 302 and moved.error == "HTTP 302"
    big = sender.post(local_server + "/big", b"{}", {}, timeout=5, allow_private=True)
    assert len(big.response_body) == sender.RESPONSE_BODY_LIMIT


def test_network_errors_are_reported_not_raised():
    result = sender.post("https://127.0.0.1:9/hook", b"{}", {}, timeout=2, allow_private=True)
    assert result.response_code is None and "Connection" in result.error
