"""A tiny HTTP server for the MetadataDownloader tests: serves one file with a strong ETag
and Last-Modified, answers 304 to a matching If-None-Match, and re-reads the file on every
request (the test swaps its content). Prints "PORT <n>" once listening on 127.0.0.1."""
import hashlib
import http.server
import os
import sys
import threading
import time

SERVED = sys.argv[1]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        try:
            with open(SERVED, "rb") as f:
                body = f.read()
        except OSError:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        last_modified = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(0 if not body else 1600000000 + len(body)))
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/jwt")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", last_modified)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def exit_when_parent_goes():
    sys.stdin.read()
    os._exit(0)


threading.Thread(target=exit_when_parent_goes, daemon=True).start()
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print("PORT %d" % server.server_address[1], flush=True)
server.serve_forever()
