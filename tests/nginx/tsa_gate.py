#!/usr/bin/python3
"""A timestamp authority that answers only when the test lets it.

usage: tsa_gate.py PORT TSA_URL GATE_FILE

Listens on 127.0.0.1:PORT; each POSTed RFC 3161 request waits until
GATE_FILE exists (at most 120 s), then goes to the real TSA at TSA_URL and
its answer comes back.  Writes one line "waiting" to standard output per
request held, and "ready" once it listens.  A seal at level B-T through it
stays in nginx's thread pool until the gate opens: the tests use that to
hold seals in flight for as long as they need, without timing guesses.
"""
import http.server
import os
import socketserver
import sys
import time
import urllib.request

PORT, TSA_URL, GATE = int(sys.argv[1]), sys.argv[2], sys.argv[3]


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        print("waiting", flush=True)
        deadline = time.time() + 120
        while not os.path.exists(GATE) and time.time() < deadline:
            time.sleep(0.02)
        req = urllib.request.Request(TSA_URL, data=body, headers={
            "Content-Type": "application/timestamp-query"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            answer = resp.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def main():
    server = Server(("127.0.0.1", PORT), Handler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
