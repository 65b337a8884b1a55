#!/usr/bin/env python3
"""An OTLP/HTTP endpoint that accepts every export and keeps nothing: the collector's place in the
tracing overhead bench (docs/benchmarks.md, Traces), so the cost measured is edgechat's, not a
collector's. Counts the exports and bytes it got, printed at exit. Usage: otlp-sink.py PORT"""
import http.server, sys, signal

stats = {"exports": 0, "bytes": 0}

class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        stats["exports"] += 1
        stats["bytes"] += length
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass

def report(*_):
    print(f"otlp-sink: {stats['exports']} exports, {stats['bytes']} bytes", flush=True)
    sys.exit(0)

signal.signal(signal.SIGTERM, report)
signal.signal(signal.SIGINT, report)
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
