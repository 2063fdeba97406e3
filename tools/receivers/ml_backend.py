"""Label Studio's ML backend (PyPI label-studio-ml 1.0.9) as a webhook receiver.

The smallest model an ML backend can serve: a LabelStudioMLBase subclass that trains (fit)
on every webhook Label Studio sends, the way an ML backend connected to a project does. The
app is label-studio-ml's own, made by its init_app(); its /webhook route reads the JSON body,
pops "action", answers 201 with a job id and runs the job in a forked process (the
SimpleJobManager: no Redis). The job builds the model from the payload's project
(label_config) and calls process_event, which calls fit() for the actions in TRAIN_EVENTS.

fit() here records what it was given, one JSON file per call in $LSW_FIT_LOG_DIR:
{"event": ACTION, "body": json.dumps({"action": ACTION, **data}), "job_id": ...}. Label
Studio's body is json.dumps of exactly that dict, so a record's body equals the bytes that
were sent when the receiver read them as Label Studio meant them.

Run it as its Dockerfile does (gunicorn, one worker), on loopback:

    MODEL_DIR=/tmp/models LSW_FIT_LOG_DIR=/tmp/fits \\
      tools/receivers/.venv-ml/bin/gunicorn --chdir tools/receivers --bind 127.0.0.1:9090 \\
      --workers 1 --threads 8 ml_backend:app

or with Flask's own server: tools/receivers/.venv-ml/bin/python tools/receivers/ml_backend.py --port 9090
"""
import argparse
import json
import os
import tempfile
import time

from label_studio_ml.api import init_app
from label_studio_ml.model import LabelStudioMLBase

# The 12 webhook actions of Label Studio 1.23.2: the model trains on each.
ACTIONS = (
    "PROJECT_CREATED", "PROJECT_UPDATED", "PROJECT_DELETED",
    "TASKS_CREATED", "TASKS_DELETED",
    "ANNOTATION_CREATED", "ANNOTATIONS_CREATED", "ANNOTATION_UPDATED", "ANNOTATIONS_DELETED",
    "LABEL_LINK_CREATED", "LABEL_LINK_UPDATED", "LABEL_LINK_DELETED",
)


class RecordingModel(LabelStudioMLBase):
    """Trains on every webhook, and records what each training was given."""

    TRAIN_EVENTS = ACTIONS

    def predict(self, tasks, **kwargs):
        return []

    def fit(self, tasks, workdir=None, event=None, data=None, job_id=None, **kwargs):
        out = os.environ.get("LSW_FIT_LOG_DIR")
        record = {
            "event": event,
            "body": json.dumps({"action": event, **(data or {})}),
            "job_id": job_id,
            "workdir": workdir,
        }
        if out:
            os.makedirs(out, exist_ok=True)
            # One file per call, written whole then renamed: the jobs run in parallel processes.
            fd, tmp = tempfile.mkstemp(dir=out, prefix=".fit-", suffix=".json")
            with os.fdopen(fd, "w") as f:
                json.dump(record, f)
            os.replace(tmp, os.path.join(out, f"fit-{time.time_ns()}-{os.getpid()}.json"))
        return {"event": event}


def make_app():
    model_dir = os.environ.get("MODEL_DIR") or tempfile.mkdtemp(prefix="lsw-ml-backend-")
    return init_app(model_class=RecordingModel, model_dir=model_dir)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Label Studio's ML backend as a webhook receiver (Flask's server)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9090)
    args = parser.parse_args()
    make_app().run(host=args.host, port=args.port)
else:
    app = make_app()
