#!/usr/bin/python3
"""A small application server behind nginx in the nginx module's tests.

usage: upstream.py HTTP_PORT FCGI_PORT DIR

Serves the files of DIR over HTTP/1.1 on 127.0.0.1:HTTP_PORT, the way the
first path segment asks:
  /cl/NAME        with Content-Length
  /chunked/NAME   with Transfer-Encoding: chunked (4 KB chunks)
  /gzip/NAME      gzip-compressed when the request accepts gzip
  /short/NAME     announces the whole length, sends half, closes
  /cutchunk/NAME  chunked, stops after the first chunk and closes
  /range/NAME     honours a Range header (206 Partial Content)
  /error/NAME     500 with a short text body
and the same files over FastCGI on 127.0.0.1:FCGI_PORT (SCRIPT_NAME or
DOCUMENT_URI names the file).  Prints "ready" when both listen.
"""
import gzip
import http.server
import os
import socketserver
import struct
import sys
import threading

TYPES = {".pdf": "application/pdf", ".xml": "application/xml",
         ".txt": "text/plain"}
ROOT = "."


def content_type(name):
    return TYPES.get(os.path.splitext(name)[1], "application/octet-stream")


def read_doc(name):
    path = os.path.join(ROOT, os.path.basename(name))
    with open(path, "rb") as f:
        return f.read()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send_body(self, status, ctype, body, extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        parts = self.path.split("?")[0].strip("/").split("/", 1)
        if len(parts) != 2:
            self.send_body(404, "text/plain", b"not found\n")
            return
        mode, name = parts
        try:
            body = read_doc(name)
        except OSError:
            self.send_body(404, "text/plain", b"not found\n")
            return
        ctype = content_type(name)
        etag = [("ETag", '"upstream-%d"' % len(body)),
                ("Accept-Ranges", "bytes")]
        if mode == "cl":
            self.send_body(200, ctype, body, etag)
        elif mode == "chunked":
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if self.command == "HEAD":
                return
            for i in range(0, len(body), 4096):
                chunk = body[i:i + 4096]
                self.wfile.write(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        elif mode == "gzip":
            if "gzip" in self.headers.get("Accept-Encoding", ""):
                self.send_body(200, ctype, gzip.compress(body),
                               [("Content-Encoding", "gzip")])
            else:
                self.send_body(200, ctype, body)
        elif mode == "short":
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
        elif mode == "cutchunk":
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = body[:4096]
            self.wfile.write(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            self.wfile.flush()
            self.close_connection = True
        elif mode == "range":
            rng = self.headers.get("Range", "")
            if rng.startswith("bytes=") and "," not in rng:
                a, b = rng[6:].split("-")
                a = int(a)
                b = int(b) if b else len(body) - 1
                part = body[a:b + 1]
                self.send_body(206, ctype, part, [
                    ("Content-Range", "bytes %d-%d/%d" % (a, b, len(body)))])
            else:
                self.send_body(200, ctype, body)
        elif mode == "error":
            self.send_body(500, "text/plain", b"upstream failure\n")
        else:
            self.send_body(404, "text/plain", b"not found\n")


class HTTPServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


# ---- FastCGI (the responder role, enough for nginx's fastcgi_pass) --------

def fcgi_record(rtype, rid, content):
    out = b""
    for i in range(0, max(len(content), 1), 65535):
        part = content[i:i + 65535]
        out += struct.pack("!BBHHBx", 1, rtype, rid, len(part), 0) + part
    return out


def fcgi_params(data):
    params = {}
    i = 0
    while i < len(data):
        lens = []
        for _ in range(2):
            n = data[i]
            if n >> 7:
                n = struct.unpack("!I", data[i:i + 4])[0] & 0x7fffffff
                i += 4
            else:
                i += 1
            lens.append(n)
        k = data[i:i + lens[0]]
        i += lens[0]
        v = data[i:i + lens[1]]
        i += lens[1]
        params[k.decode("latin-1")] = v.decode("latin-1")
    return params


class FCGIHandler(socketserver.BaseRequestHandler):
    def handle(self):
        buf = b""
        params = b""
        rid = 1
        while True:
            while len(buf) < 8:
                more = self.request.recv(65536)
                if not more:
                    return
                buf += more
            _, rtype, rid, clen, plen = struct.unpack("!BBHHB", buf[:7])
            while len(buf) < 8 + clen + plen:
                more = self.request.recv(65536)
                if not more:
                    return
                buf += more
            content = buf[8:8 + clen]
            buf = buf[8 + clen + plen:]
            if rtype == 4:          # FCGI_PARAMS
                params += content
            elif rtype == 5 and clen == 0:   # end of FCGI_STDIN
                break
        env = fcgi_params(params)
        name = env.get("SCRIPT_NAME") or env.get("DOCUMENT_URI", "")
        try:
            body = read_doc(name)
            head = ("Status: 200 OK\r\nContent-Type: %s\r\n"
                    "Content-Length: %d\r\n\r\n" % (content_type(name),
                                                    len(body))).encode()
        except OSError:
            body = b"not found\n"
            head = (b"Status: 404 Not Found\r\nContent-Type: text/plain\r\n"
                    b"\r\n")
        out = fcgi_record(6, rid, head + body) + fcgi_record(6, rid, b"")
        out += fcgi_record(3, rid, struct.pack("!IB3x", 0, 0))
        self.request.sendall(out)


class FCGIServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global ROOT
    http_port, fcgi_port, ROOT = int(sys.argv[1]), int(sys.argv[2]), \
        sys.argv[3]
    web = HTTPServer(("127.0.0.1", http_port), Handler)
    fcgi = FCGIServer(("127.0.0.1", fcgi_port), FCGIHandler)
    threading.Thread(target=fcgi.serve_forever, daemon=True).start()
    print("ready", flush=True)
    web.serve_forever()


if __name__ == "__main__":
    main()
