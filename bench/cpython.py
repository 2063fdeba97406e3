"""CPython's share of Label Studio's own path: json.dumps of the already
serialized payload (what requests does with json=...). Prints the median ms.

usage: python3 bench/cpython.py BODY.json RUNS
"""
import json
import statistics
import sys
import time

body = open(sys.argv[1], encoding="ascii").read()
runs = int(sys.argv[2])
data = json.loads(body)
assert json.dumps(data, allow_nan=False) == body, "the body does not round-trip through CPython"
times = []
for _ in range(runs):
    start = time.perf_counter()
    json.dumps(data, allow_nan=False)
    times.append((time.perf_counter() - start) * 1000)
print(json.dumps({"median_ms": statistics.median(times), "min_ms": min(times)}))
