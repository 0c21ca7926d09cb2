#!/usr/bin/env python3
"""A small HTTPS server for the transport and JWKS tests: a TLS peer that is not ours
(Python's ssl module over OpenSSL), with routes that misbehave on purpose.

Usage: https_test_server.py --cert CHAIN.pem --key KEY.pem --jwks FILE [--client-ca CA.pem]
Prints "PORT <n>" on standard output once it listens on 127.0.0.1, then serves until killed.

Routes (GET, and POST with the body read and ignored):
  /jwks            the file given by --jwks, read on every request; Cache-Control from ?max-age=N
  /counts          JSON object: requests seen per path
  /redirect        302 to /jwks
  /status/<code>   that status, with an OAuth-style JSON error body
  /big             a 2 MiB body
  /slow            waits 5 s before answering
  /notjson         200 with a text body
"""
import argparse
import json
import signal
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

COUNTS = {}
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    def send_body(self, status, body, content_type="application/json", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlparse(self.path)
        with LOCK:
            COUNTS[url.path] = COUNTS.get(url.path, 0) + 1
        query = parse_qs(url.query)
        if url.path == "/jwks":
            with open(self.server.jwks_path, "rb") as f:
                body = f.read()
            headers = {}
            if "max-age" in query:
                headers["Cache-Control"] = "public, max-age=" + query["max-age"][0]
            self.send_body(200, body, headers=headers)
        elif url.path == "/counts":
            with LOCK:
                body = json.dumps(COUNTS).encode()
            self.send_body(200, body)
        elif url.path == "/redirect":
            self.send_body(302, b"", headers={"Location": "/jwks"})
        elif url.path.startswith("/status/"):
            code = int(url.path.split("/")[2])
            body = json.dumps({"error": "server_error", "error_description": "status %d on purpose" % code}).encode()
            self.send_body(code, body)
        elif url.path == "/big":
            self.send_body(200, b"x" * (2 * 1024 * 1024), content_type="text/plain")
        elif url.path == "/slow":
            time.sleep(5)
            self.send_body(200, b"{}")
        elif url.path == "/notjson":
            self.send_body(200, b"hello", content_type="text/plain")
        else:
            self.send_body(404, b'{"error":"not_found"}')

    def do_POST(self):
        # Token-endpoint faults: read (and drop) the form, then answer as for GET.
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.do_GET()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--jwks", required=True)
    parser.add_argument("--client-ca")
    args = parser.parse_args()
    # A parent that spawns us from a thread with signals blocked passes that mask on.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(args.cert, args.key)
    if args.client_ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(args.client_ca)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.jwks_path = args.jwks
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
