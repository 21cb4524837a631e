"""A real, minimal SMTP server on 127.0.0.1 that keeps what it receives.

Django's SMTP backend talks to it over a socket exactly as to a mail server, so tests
and `make chaos` exercise connecting, refused connections and timeouts for real. It
can be stopped (connections refused) and started again on the same port, as a mail
server that goes down and comes back. The standard library has no SMTP server any
more (smtpd left in 3.12), and this is all the protocol the site's emails need.

    with SmtpSink() as sink:
        settings.EMAIL_PORT = sink.port
        ...
        sink.stop()   # down: connections refused
        sink.start()  # back, same port
        sink.messages # email.message.Message objects, in arrival order
"""

from __future__ import annotations

import email
import socketserver
import threading
from email.message import Message

from tests.servers import free_port


class _Handler(socketserver.StreamRequestHandler):
    timeout = 30

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 sink ESMTP")
        recipients: list[str] = []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode("utf-8", "replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.reply("250-sink")
                self.reply("250 8BITMIME")
            elif verb == "HELO":
                self.reply("250 sink")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip(" <>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 end with .")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                    lines.append(data[1:] if data.startswith(b"..") else data)
                message = email.message_from_bytes(b"".join(lines))
                message["X-Sink-Recipients"] = ", ".join(recipients)
                self.server.sink._received(message)
                self.reply("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class SmtpSink:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.messages: list[Message] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def _received(self, message: Message) -> None:
        with self._lock:
            self.messages.append(message)

    @property
    def subjects(self) -> list[str]:
        with self._lock:
            return [str(message["Subject"]) for message in self.messages]

    def start(self) -> SmtpSink:
        self._server = _Server(("127.0.0.1", self.port), _Handler)
        self._server.sink = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def running(self) -> bool:
        return self._server is not None

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
