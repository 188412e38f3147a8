"""The local mail catcher of ``make up``: an SMTP server (aiosmtpd) that keeps every message.

Each message is written to ``<dir>/<n>-<to>.eml``; ``http://127.0.0.1:<http-port>/`` lists them
newest first (sender, recipient, subject) and ``/<file>`` shows one. Nothing is relayed.

    python -m devkit.local.mailcatcher --smtp-port 41025 --http-port 41080 --dir .run/mail
"""

from __future__ import annotations

import argparse
import email
import email.policy
import html
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class Keep:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            n = len(list(self.directory.glob("*.eml"))) + 1
            to = re.sub(r"[^A-Za-z0-9@._-]", "_", ",".join(envelope.rcpt_tos))[:80]
            (self.directory / f"{n:05d}-{to}.eml").write_bytes(envelope.original_content or b"")
        return "250 Message accepted for delivery"


def _handler(directory: Path) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            name = self.path.lstrip("/")
            if name and (directory / name).is_file() and "/" not in name:
                body = (directory / name).read_bytes()
                self._send(body, "message/rfc822; charset=utf-8")
                return
            rows = []
            for path in sorted(directory.glob("*.eml"), reverse=True):
                message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                rows.append(
                    f"<tr><td><a href='/{path.name}'>{path.name}</a></td>"
                    f"<td>{html.escape(str(message['To']))}</td>"
                    f"<td>{html.escape(str(message['Subject']))}</td></tr>"
                )
            page = (
                "<!doctype html><meta charset='utf-8'><title>Concord mail</title>"
                f"<h1>Mail sent by Concord ({len(rows)})</h1><table>{''.join(rows)}</table>"
            )
            self._send(page.encode(), "text/html; charset=utf-8")

        def _send(self, body: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Keep every message sent to it.")
    parser.add_argument("--smtp-port", type=int, required=True)
    parser.add_argument("--http-port", type=int, required=True)
    parser.add_argument("--dir", type=Path, required=True)
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    controller = Controller(Keep(args.dir), hostname="127.0.0.1", port=args.smtp_port)
    controller.start()
    server = ThreadingHTTPServer(("127.0.0.1", args.http_port), _handler(args.dir))
    try:
        server.serve_forever()
    finally:
        controller.stop()
        time.sleep(0)


if __name__ == "__main__":
    main()
