#!/usr/bin/env python3
"""The demo PKI's services for eseal's LTV tests, on one 127.0.0.1 port.

GET  /<file>          a file of the PKI directory (CA certificates, CRLs)
POST /ocsp            forwarded to an `openssl ocsp` responder (its port in
                      --ocsp-port-file); 502 when it does not answer

`eseal demo-pki --url-base http://127.0.0.1:PORT` makes certificates that
point here.  The port is chosen by the system and written to --port-file
once the server listens.  Every request is logged (method and path, one
line) to --log, so that tests can count fetches.  A file named
`down-crl` in the PKI directory makes CRL requests fail with 503.
"""
import argparse
import http.client
import http.server
import os
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--ocsp-port-file", required=True)
    ap.add_argument("--log", required=True)
    a = ap.parse_args()
    root = os.path.abspath(a.dir)
    log = open(a.log, "a", buffering=1)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, fmt, *args):
            pass

        def send(self, code, body, ctype="application/octet-stream"):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            log.write("GET %s\n" % self.path)
            name = os.path.basename(self.path.split("?")[0])
            path = os.path.join(root, name)
            if name.endswith(".crl.der") and \
                    os.path.exists(os.path.join(root, "down-crl")):
                return self.send(503, b"down\n", "text/plain")
            if not name or not os.path.isfile(path):
                return self.send(404, b"not found\n", "text/plain")
            with open(path, "rb") as f:
                data = f.read()
            ctype = "application/pkix-crl" if name.endswith(".crl.der") \
                else "application/pkix-cert"
            self.send(200, data, ctype)

        def do_POST(self):
            log.write("POST %s\n" % self.path)
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n)
            if self.path.rstrip("/") != "/ocsp":
                return self.send(404, b"not found\n", "text/plain")
            try:
                with open(a.ocsp_port_file) as f:
                    port = int(f.read().strip())
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("POST", "/", body,
                          {"Content-Type": "application/ocsp-request"})
                r = c.getresponse()
                data = r.read()
                c.close()
            except (OSError, ValueError, http.client.HTTPException):
                return self.send(502, b"OCSP responder down\n", "text/plain")
            self.send(r.status, data, "application/ocsp-response")

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
