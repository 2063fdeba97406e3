"""The PyPI standardwebhooks package as a judge of signatures, fed JSON lines on stdin, one
answer line per request on stdout, in order (tests/node/signing.test.mjs runs one for all
its cases):

  {"op": "verify", "secret": S, "headers": {...}, "body": TEXT, "now": SECONDS | null}
    -> {"ok": true, "roundtrip": BOOL} or {"ok": false, "error": "WebhookVerificationError: ..."}
       (roundtrip: json.dumps(the parsed body) == body, i.e. the body is CPython's json.dumps
       of what it says, as Label Studio writes it)
  {"op": "sign", "secret": S, "id": ID, "timestamp": SECONDS, "body": TEXT}
    -> {"signature": "v1,..."}
  {"op": "version"} -> {"version": standardwebhooks.__version__}

"now" freezes the package's clock (its module's datetime.now) for that request: tolerance
checks against a fixed timestamp are then exact.
"""
import json
import sys
from datetime import datetime, timezone

import standardwebhooks
from standardwebhooks import webhooks as sw


class FrozenClock(datetime):
    frozen = None

    @classmethod
    def now(cls, tz=None):
        if cls.frozen is None:
            return datetime.now(tz)
        return datetime.fromtimestamp(cls.frozen, tz=tz)


sw.datetime = FrozenClock  # the module reads datetime.now() when it checks a timestamp


def answer(req):
    op = req.get("op")
    if op == "version":
        return {"version": standardwebhooks.__version__}
    if op == "sign":
        ts = datetime.fromtimestamp(req["timestamp"], tz=timezone.utc)
        return {"signature": standardwebhooks.Webhook(req["secret"]).sign(req["id"], ts, req["body"])}
    if op == "verify":
        FrozenClock.frozen = req.get("now")
        try:
            parsed = standardwebhooks.Webhook(req["secret"]).verify(req["body"], req["headers"])
        except Exception as e:  # any refusal: WebhookVerificationError, or ValueError on a malformed header
            return {"ok": False, "error": f"{type(e).__name__}: {e}"}
        finally:
            FrozenClock.frozen = None
        return {"ok": True, "roundtrip": json.dumps(parsed) == req["body"]}
    return {"error": f"unknown op {op!r}"}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        sys.stdout.write(json.dumps(answer(json.loads(line))) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
