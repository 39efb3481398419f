#!/usr/bin/env python3
"""A webhook receiver for the test suite: a real HTTP server on loopback.

POST /<anything>             records the request (headers, body) and answers 204.
POST /status/<code>/<name>   records it and answers <code> (for failure tests);
                             a `Retry-After` of 1 is sent with 429 and 503.
POST /slow/<secs>/<name>     waits <secs> seconds before answering 204.
GET  /_received?path=/x      JSON list of the requests recorded for that path.
GET  /_health                200 when up.

    webhook_receiver.py PORT [CERT KEY]

With CERT and KEY (PEM) it serves HTTPS only (the TLS tests).
"""
import json
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

LOCK = threading.Lock()
RECEIVED = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # keep the test output quiet
        pass

    def _send(self, code, body=b"", headers=None):
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self):
        url = urlparse(self.path)
        if url.path == "/_health":
            return self._send(200, b"ok")
        if url.path == "/_received":
            path = parse_qs(url.query).get("path", [""])[0]
            with LOCK:
                body = json.dumps(RECEIVED.get(path, [])).encode()
            return self._send(200, body, {"Content-Type": "application/json"})
        self._send(404)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        path = urlparse(self.path).path
        with LOCK:
            RECEIVED.setdefault(path, []).append(
                {"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body.decode("utf-8", "replace"), "at": time.time()}
            )
        parts = path.strip("/").split("/")
        if parts[0] == "status" and len(parts) >= 2 and parts[1].isdigit():
            code = int(parts[1])
            headers = {"Retry-After": "1"} if code in (429, 503) else {}
            if code in (301, 302, 307, 308):
                headers["Location"] = "/redirected"
            return self._send(code, b"", headers)
        if parts[0] == "slow" and len(parts) >= 2:
            time.sleep(float(parts[1]))
        self._send(204)


def main():
    port = int(sys.argv[1])
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    if len(sys.argv) >= 4:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(sys.argv[2], sys.argv[3])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
