#!/usr/bin/env python3
"""Network helpers for eseal's LTV tests, on 127.0.0.1 free ports.

  netproxy.py tls --port-file F --cert C --key K --to PORT
      An HTTPS front: terminates TLS with C/K and forwards each request
      (HTTP/1.0) to 127.0.0.1:PORT.
  netproxy.py proxy --port-file F --log L
      An HTTP proxy: absolute-URI requests (http://host:port/...) and
      CONNECT host:port tunnels.  Whatever host is named, it connects to
      127.0.0.1 at that port, so tests can use names no resolver knows.
      Each request is logged ("POST http://...", "CONNECT host:port").
"""
import argparse
import http.client
import http.server
import os
import select
import socket
import ssl
import sys
import urllib.parse


def write_port(path, port):
    with open(path + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(path + ".tmp", path)


def forward(handler, port, path, body):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {k: v for k, v in handler.headers.items()
               if k.lower() not in ("host", "connection",
                                    "proxy-connection")}
    c.request(handler.command, path, body, headers)
    r = c.getresponse()
    data = r.read()
    c.close()
    handler.send_response(r.status)
    for k, v in r.getheaders():
        if k.lower() not in ("connection", "content-length",
                             "transfer-encoding"):
            handler.send_header(k, v)
    handler.send_header("Content-Length", str(len(data)))
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(data)


def tls(a):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, fmt, *args):
            pass

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            forward(self, a.to, self.path, self.rfile.read(n))

        def do_GET(self):
            forward(self, a.to, self.path, None)

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    write_port(a.port_file, srv.server_address[1])
    srv.serve_forever()


def proxy(a):
    log = open(a.log, "a", buffering=1)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, fmt, *args):
            pass

        def absolute(self, body):
            log.write("%s %s\n" % (self.command, self.path))
            u = urllib.parse.urlsplit(self.path)
            if u.scheme != "http" or not u.port:
                self.send_error(400)
                return
            path = u.path + ("?" + u.query if u.query else "")
            forward(self, u.port, path or "/", body)

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            self.absolute(self.rfile.read(n))

        def do_GET(self):
            self.absolute(None)

        def do_CONNECT(self):
            log.write("CONNECT %s\n" % self.path)
            port = int(self.path.rsplit(":", 1)[1])
            up = socket.create_connection(("127.0.0.1", port), timeout=10)
            self.send_response(200, "Connection established")
            self.end_headers()
            self.wfile.flush()
            conns = [self.connection, up]
            while True:
                r, _, _ = select.select(conns, [], [], 10)
                if not r:
                    break
                for s in r:
                    data = s.recv(65536)
                    if not data:
                        up.close()
                        return
                    (up if s is self.connection else self.connection)\
                        .sendall(data)
            up.close()

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    write_port(a.port_file, srv.server_address[1])
    srv.serve_forever()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["tls", "proxy"])
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--to", type=int)
    ap.add_argument("--log")
    a = ap.parse_args()
    try:
        (tls if a.mode == "tls" else proxy)(a)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
