"""Writes a benchmark event: TASKS_CREATED with N task rows, the project row and 3 targets.

Two shapes of row:
- text (the default): text-heavy rows, a sentence with non-ASCII words and a nested
  `meta_info` object in `data` (about 660 bytes a task in the body);
- rows: rows as a host reading Label Studio's tables hands them over: `_id` columns,
  microsecond `+00:00` datetimes that vary, small `data` objects, counters and nulls,
  ASCII throughout (about 535 bytes a task in the body).

usage: python3 bench/make_event.py N OUT.json [text|rows]
"""
import json
import random
import sys

sys.path.insert(0, __import__("os").path.join(__import__("os").path.dirname(__file__), "..", "samples"))
import generate  # noqa: E402  (the sample rows)

WORDS = ("the service was quick and friendly, coffee excellent; prices fair but the wifi kept dropping "
         "café crème brûlée naïve déjà 東京 😀 good bad okay would return never again").split()


def task(i, rng):
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 16)))
    return {
        "id": 100000 + i,
        "data": {"text": text, "meta_info": {"source": "import.csv", "row": i, "score": round(rng.uniform(0.001, 1), 6), "ok": i % 3 == 0}},
        "meta": {}, "created_at": "2026-11-26T09:15:00.%06d+00:00" % rng.randint(0, 999999),
        "updated_at": "2026-11-26T09:15:00.%06d+00:00" % rng.randint(0, 999999), "is_labeled": False,
        "allow_skip": True, "overlap": 1, "inner_id": i + 1, "total_annotations": 0, "cancelled_annotations": 0,
        "total_predictions": 0, "precomputed_agreement": None, "comment_count": 0, "unresolved_comment_count": 0,
        "last_comment_updated_at": None, "project_id": generate.PROJECT_ID, "updated_by_id": None,
        "file_upload_id": 3, "comment_authors": [],
    }


SOURCES = ("upload", "s3-import", "api", "ls-export")
ROW_WORDS = ("order arrived late support refunded quickly package damaged box driver polite delivery "
             "tracking number wrong address again fine ok").split()


def stamp(rng):
    """A datetime as Label Studio's database returns it: microseconds and `+00:00`."""
    return "2026-%02d-%02dT%02d:%02d:%02d.%06d+00:00" % (
        rng.randint(1, 11), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59), rng.randint(0, 999999))


def db_task(i, rng):
    labeled = rng.random() < 0.3
    created = stamp(rng)
    return {
        "id": 200000 + i,
        "data": {"text": " ".join(rng.choice(ROW_WORDS) for _ in range(rng.randint(3, 8))), "ref": "T-%06d" % i},
        "meta": {}, "created_at": created, "updated_at": stamp(rng) if labeled else created,
        "is_labeled": labeled, "allow_skip": True, "overlap": 1, "inner_id": i + 1,
        "total_annotations": 1 if labeled else 0, "cancelled_annotations": 0, "total_predictions": rng.randint(0, 1),
        "precomputed_agreement": None, "comment_count": 0, "unresolved_comment_count": 0,
        "last_comment_updated_at": None, "project_id": generate.PROJECT_ID, "updated_by_id": 7 if labeled else None,
        "file_upload_id": 31 + i // 1000, "comment_authors": [],
    }


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    shape = sys.argv[3] if len(sys.argv) > 3 else "text"
    if shape not in ("text", "rows"):
        sys.exit(f"unknown shape {shape!r}: text or rows")
    rng = random.Random(42)
    # What a JSON.parse-based peer cannot keep (ints past 2^53, integral floats
    # inside JSON fields) is left out, so the pure-JS peer can be exact here.
    project = dict(generate.project, label_config_hash=1234567890123,
                   control_weights={"sentiment": {"overall": 0.5, "type": "Choices", "labels": {"Positive": 0.5, "Negative": 0.75}}})
    if shape == "rows":
        project.update(title="Support tickets - triage", description="Route incoming tickets")
    hooks = generate.webhooks("TASKS_CREATED")[:3]
    hooks[2]["send_payload"] = True  # 3 payload targets
    event = {"action": "TASKS_CREATED", "organization": generate.ORG, "project": project,
             "instance": [(task if shape == "text" else db_task)(i, rng) for i in range(n)], "webhooks": hooks}
    with open(out, "w", encoding="utf-8") as f:
        json.dump(event, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
