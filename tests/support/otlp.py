"""A minimal OTLP/HTTP trace receiver for tests: it keeps every span it is sent.

Services export protobuf (Python's OTLP exporter), the gateway may export JSON; both are
accepted. Spans are kept as (trace id hex, span id hex, parent id hex, name, service name).
"""

from __future__ import annotations

import base64
import gzip
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest


@dataclass(frozen=True)
class ReceivedSpan:
    trace_id: str
    span_id: str
    parent_id: str
    name: str
    service: str
    kind: int


def _hex(value: Any) -> str:
    if isinstance(value, bytes):
        return value.hex()
    text = str(value or "")
    if len(text) in (16, 32) and all(c in "0123456789abcdefABCDEF" for c in text):
        return text.lower()
    return base64.b64decode(text).hex() if text else ""


def _from_json(body: dict[str, Any]) -> list[ReceivedSpan]:
    spans = []
    for rs in body.get("resourceSpans", []):
        attrs = {
            a["key"]: a["value"].get("stringValue")
            for a in rs.get("resource", {}).get("attributes", [])
        }
        for ss in rs.get("scopeSpans", []):
            for s in ss.get("spans", []):
                spans.append(
                    ReceivedSpan(
                        _hex(s["traceId"]),
                        _hex(s["spanId"]),
                        _hex(s.get("parentSpanId")),
                        s["name"],
                        attrs.get("service.name") or "",
                        int(s.get("kind", 0)),
                    )
                )
    return spans


def _from_protobuf(raw: bytes) -> list[ReceivedSpan]:
    request = ExportTraceServiceRequest()
    request.ParseFromString(raw)
    spans = []
    for rs in request.resource_spans:
        attrs = {a.key: a.value.string_value for a in rs.resource.attributes}
        for ss in rs.scope_spans:
            for s in ss.spans:
                spans.append(
                    ReceivedSpan(
                        s.trace_id.hex(),
                        s.span_id.hex(),
                        s.parent_span_id.hex(),
                        s.name,
                        attrs.get("service.name", ""),
                        s.kind,
                    )
                )
    return spans


class OtlpReceiver:
    def __init__(self) -> None:
        self.spans: list[ReceivedSpan] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _body(self) -> bytes:
                if self.headers.get("transfer-encoding", "").lower() == "chunked":
                    raw = b""
                    while size := int(self.rfile.readline().strip(), 16):
                        raw += self.rfile.read(size)
                        self.rfile.readline()
                    self.rfile.readline()
                else:
                    raw = self.rfile.read(int(self.headers.get("content-length", 0)))
                if self.headers.get("content-encoding", "").lower() == "gzip":
                    raw = gzip.decompress(raw)
                return raw

            def do_POST(self) -> None:
                raw = self._body()
                if "json" in (self.headers.get("content-type") or ""):
                    spans = _from_json(json.loads(raw))
                else:
                    spans = _from_protobuf(raw)
                with receiver._lock:
                    receiver.spans.extend(spans)
                self.send_response(200)
                self.send_header("content-type", self.headers.get("content-type") or "")
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> OtlpReceiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()

    def trace(self, trace_id: str) -> list[ReceivedSpan]:
        with self._lock:
            return [s for s in self.spans if s.trace_id == trace_id]
