"""A webhook receiver that checks Standard Webhooks signatures with the PyPI standardwebhooks
package (its Webhook.verify: headers, the 5-minute tolerance, v1 signatures), behind Python's
http.server on loopback.

Each POST is verified with the secret in the environment variable named by --secret-env:
  204  verified (and, with --fail-action ACTION, the body's action is not ACTION)
  401  refused by standardwebhooks (the reason in the answer's body)
  500  the body's action is --fail-action's (to see how a sender reports a failing receiver)
  400  the body is not a JSON object with an "action"
One JSON line per request on stdout: {"path", "action", "status", "verified", "reason",
"webhook_id"}. The first line is {"listening": "http://127.0.0.1:PORT"}.

    LSW_SIGNING_SECRET=whsec_... tools/receivers/.venv/bin/python tools/receivers/verify_receiver.py \\
      --secret-env LSW_SIGNING_SECRET [--port 0] [--fail-action ANNOTATION_UPDATED]
"""
import argparse
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError

lock = threading.Lock()


def emit(record):
    with lock:
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()


def make_handler(webhook, fail_action):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # the JSON lines are the log
            pass

        def answer(self, status, text=""):
            body = text.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items()}
            record = {"path": self.path, "webhook_id": headers.get("webhook-id"), "action": None}
            try:
                payload = webhook.verify(body, headers)
            except (WebhookVerificationError, ValueError) as e:  # ValueError: a malformed signature list
                record.update(status=401, verified=False, reason=f"{type(e).__name__}: {e}")
                emit(record)
                return self.answer(401, record["reason"])
            record["verified"] = True
            action = payload.get("action") if isinstance(payload, dict) else None
            record["action"] = action
            if not action:
                record.update(status=400, reason="not a Label Studio webhook body")
            elif action == fail_action:
                record.update(status=500, reason=f"--fail-action {fail_action}")
            else:
                record.update(status=204, reason=None)
            emit(record)
            if record["status"] == 204:
                self.send_response(204)
                self.end_headers()
            else:
                self.answer(record["status"], record["reason"])

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--secret-env", required=True, help="the environment variable that holds the secret (whsec_...)")
    parser.add_argument("--port", type=int, default=0, help="the loopback port (default: a free one)")
    parser.add_argument("--fail-action", default=None, help="answer 500 to deliveries of this action")
    args = parser.parse_args()
    secret = os.environ.get(args.secret_env)
    if not secret:
        sys.exit(f"verify_receiver: the environment variable {args.secret_env} is not set")
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(Webhook(secret), args.fail_action))
    emit({"listening": f"http://127.0.0.1:{server.server_address[1]}"})
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
