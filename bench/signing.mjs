// What Standard Webhooks signing (options.signing) costs on the benchmark's event:
// TASKS_CREATED with N tasks and 3 payload targets (bench/make_event.py), one body
// signed three times. Not a test: it prints figures.
//
//   node bench/signing.mjs [--tasks 5000] [--runs 21] [--rounds 7]
//
// Plain and signed builds are interleaved round by round, best-of-runs each (the
// machine's speed drifts); the ratio is taken per round and the median reported.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, "..");
const lib = require(path.join(root, "pkg"));

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : dflt);
const N = opt("tasks", 5000);
const RUNS = opt("runs", 21);
const ROUNDS = opt("rounds", 7);

const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ls-webhooks-signing-")), "event.json");
execFileSync("python3", [path.join(root, "bench", "make_event.py"), String(N), file]);
const base = fs.readFileSync(file);
const withOptions = (options) => {
  const text = base.toString("utf8").trimEnd();
  return Buffer.from(`${text.slice(0, -1)}, "options": ${JSON.stringify(options)}}`);
};
const plain = withOptions({ bodyAs: "bytes" });
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
// With the host's event id (no body hash for the ids), and without (one SHA-256 of the body).
const signed = withOptions({ bodyAs: "bytes", signing: { secret: SECRET, id: "evt-1", timestamp: 1700000000 } });
const signedNoId = withOptions({ bodyAs: "bytes", signing: { secret: SECRET, timestamp: 1700000000 } });

const best = (event) => {
  let min = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    lib.buildDeliveries(event);
    min = Math.min(min, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return min;
};

const p = lib.buildDeliveries(signed);
const bodyBytes = p.deliveries[0].body.length;
best(plain);
best(signed);
best(signedNoId);
const rows = [];
for (let r = 0; r < ROUNDS; r++) {
  const a = best(plain);
  const b = best(signed);
  const c = best(signedNoId);
  rows.push({ a, b, c, ratio: b / a, ratioNoId: c / a });
}
const med = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
console.log(`TASKS_CREATED, ${N} tasks, one ${(bodyBytes / 1e6).toFixed(2)} MB body to ${p.deliveries.length} targets, bytes in/out`);
console.log(`| build | median of round bests (ms) | range |`);
console.log(`|---|---:|---:|`);
const range = (xs) => `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}`;
console.log(`| plain | ${med(rows.map((r) => r.a)).toFixed(2)} | ${range(rows.map((r) => r.a))} |`);
console.log(`| signed, with options.signing.id (3 HMAC-SHA256 over the body) | ${med(rows.map((r) => r.b)).toFixed(2)} | ${range(rows.map((r) => r.b))} |`);
console.log(`| signed, ids from the body (also 1 SHA-256 of the body) | ${med(rows.map((r) => r.c)).toFixed(2)} | ${range(rows.map((r) => r.c))} |`);
const cost = (k) => `${((med(rows.map((r) => r[k])) - 1) * 100).toFixed(1)}% (range ${range(rows.map((r) => (r[k] - 1) * 100))}%)`;
console.log(`signing costs ${cost("ratio")} with an event id, ${cost("ratioNoId")} without (medians of per-round ratios)`);
const mb = (bodyBytes * 3) / 1e6;
console.log(`SHA-256 throughput implied: ${(mb / (med(rows.map((r) => r.b)) - med(rows.map((r) => r.a))) * 1000).toFixed(0)} MB/s (3 HMACs of the body)`);
