"""The one I/O function of delivery, against real servers on loopback."""

import asyncio
import http.server
import socket
import threading
import time

import pytest

from fluentcrm_webhooks import sender


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    connections: set = set()

    def do_POST(self):
        _Handler.connections.add(self.client_address)
        self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == "/drip":  # headers at once, then one byte every 0.3 s
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(100):
                try:
                    self.wfile.write(b"x")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.3)
            return
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
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Handler.connections = set()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def listener():
    """A bare listening socket that counts TCP handshakes (accepted connections)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.settimeout(0.5)
    yield sock
    sock.close()


def post(url, *, allow_private, timeout=5.0, times=1):
    async def run():
        client = sender.Sender(allow_private=allow_private)
        await client.open()
        try:
            return [await client.post(url, b"{}", {"Content-Type": "application/json"}, timeout=timeout)
                    for _ in range(times)]
        finally:
            await client.close()

    results = asyncio.run(run())
    return results[0] if times == 1 else results


def accepted(sock) -> int:
    count = 0
    while True:
        try:
            connection, _ = sock.accept()
        except (TimeoutError, socket.timeout):
            return count
        connection.close()
        count += 1


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_forbidden_target_gets_no_tcp_connection_at_all(listener, host):
    port = listener.getsockname()[1]
    result = post(f"http://{host}:{port}/hook", allow_private=False)
    assert result.response_code is None
    assert result.error == "ForbiddenTarget: Webhook URL must not point to a private or local address."
    assert accepted(listener) == 0, "the address is checked before connect(), not after"


def test_a_closed_port_says_the_same_as_an_open_one(listener):
    """No port oracle: a refused target reads the same whether anything listens there."""
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    open_result = post(f"http://127.0.0.1:{listener.getsockname()[1]}/", allow_private=False)
    closed_result = post(f"http://127.0.0.1:{closed_port}/", allow_private=False)
    assert open_result.error == closed_result.error


def test_allowed_private_target_is_posted_and_the_connection_kept_alive(local_server):
    results = post(local_server + "/hook", allow_private=True, times=3)
    assert all(r.response_code == 200 and r.response_body == "ok" and r.error is None for r in results)
    assert len(_Handler.connections) == 1  # one TCP connection served all three


def test_redirects_are_not_followed_and_big_answers_are_cut(local_server):
    moved = post(local_server + "/moved", allow_private=True)
    assert moved.response_code == 302 and moved.error == "HTTP 302"
    big = post(local_server + "/big", allow_private=True)
    assert len(big.response_body) == sender.RESPONSE_BODY_LIMIT


def test_the_deadline_bounds_the_whole_answer_not_each_read(local_server):
    started = time.monotonic()
    result = post(local_server + "/drip", allow_private=True, timeout=1.5)
    took = time.monotonic() - started
    assert result.response_code is None and result.error.startswith("TimeoutError")
    assert took < 10, f"a dripping receiver held the attempt for {took:.1f} s"  # generous: shared machines


def test_network_errors_are_reported_not_raised():
    result = post("https://127.0.0.1:9/hook", allow_private=True, timeout=2)
    assert result.response_code is None and "Connect" in result.error


@pytest.mark.parametrize("shape", ["http://127.0.0.1:{port}\\@pub.example/", "http://127.0.0.1:{port}/\x00"])
def test_a_url_saved_before_the_strict_check_is_refused_before_any_connection(listener, shape):
    """The sender parses with the save check's parser (targets.parse_webhook_url): a stored URL it
    would now refuse fails its attempt with the same message, even where private targets are allowed."""
    result = post(shape.format(port=listener.getsockname()[1]), allow_private=True)
    assert (result.response_code, result.error) == (None, "UrlRejected: Webhook URL must be a valid HTTPS URL.")
    assert accepted(listener) == 0
