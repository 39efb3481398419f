#!/usr/bin/env python3
"""A TLS-enabled SMTP server for the TLS tests (aiosmtpd, a real SMTP
implementation; scripts/test installs it with pip).

    smtp_tls_server.py PORT MODE CERT KEY OUT

MODE is `tls` (implicit TLS from the first byte, as on port 465) or
`starttls` (plain text until STARTTLS, which is advertised and required
before MAIL). Every message received is appended to OUT as one JSON line:
{"from": ..., "to": [...], "message_id": ...}.

(maildev 3 takes a certificate too, but with it never advertises STARTTLS
in its EHLO reply, so a client that requires STARTTLS, as wirewatch does,
rightly refuses it.)
"""
import email
import json
import ssl
import sys
import threading

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self, out):
        self.out = out

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content)
        with open(self.out, "a") as f:
            f.write(json.dumps({
                "from": envelope.mail_from,
                "to": envelope.rcpt_tos,
                "message_id": msg.get("Message-ID"),
            }) + "\n")
        return "250 OK"


def main():
    port, mode, cert, key, out = sys.argv[1:6]
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    handler = Recorder(out)
    if mode == "tls":
        controller = Controller(handler, hostname="127.0.0.1", port=int(port), ssl_context=ctx)
    elif mode == "starttls":
        controller = Controller(handler, hostname="127.0.0.1", port=int(port),
                                tls_context=ctx, require_starttls=True)
    else:
        sys.exit(f"unknown mode {mode!r}: tls or starttls")
    controller.start()
    print(f"listening on 127.0.0.1:{port} ({mode})", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
