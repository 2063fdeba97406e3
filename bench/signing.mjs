// What Standard Webhooks signing (options.signing) costs on the benchmark's event:
// TASKS_CREATED with N tasks and 3 payload targets (bench/make_event.py), one body
// signed three times. Not a test: it prints figures.
//
//   node bench/signing.mjs [--tasks 5000] [--runs 21] [--rounds 7]
//
// Plain and signed builds are interleaved round by round, best-of-runs each (the
// machine's speed drifts); the ratio is taken per round and the median reported.
// Signed builds run with the package's HMAC-SHA256 (node:crypto's, "host") and with
// the module's own (setHostHmac(null): "wasm"), in the same rounds.
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
// With the host's event id (no body digest for the ids), and without (one more keyed hash of the body, body_digest).
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
const NODE_HMAC = lib.setHostHmac(null);
lib.setHostHmac(NODE_HMAC);
if (lib.hmacBackend() !== "host") throw new Error("the package set no host HMAC (hmacBackend() is not \"host\")");
/** best(event) with the HMAC of `backend`. */
const bestWith = (backend, event) => {
  lib.setHostHmac(backend === "host" ? NODE_HMAC : null);
  try {
    return best(event);
  } finally {
    lib.setHostHmac(NODE_HMAC);
  }
};

const p = lib.buildDeliveries(signed);
const bodyBytes = p.deliveries[0].body.length;
const targets = p.deliveries.length;
// Each round: plain, then each signed build with each HMAC.
const KINDS = [
  ["plain", "plain", () => best(plain)],
  ["hostId", "signed, with options.signing.id (3 HMAC-SHA256 over the body), node:crypto's HMAC", () => bestWith("host", signed)],
  ["hostNoId", "signed, ids from the body (also 1 keyed hash of the body for the ids), node:crypto's HMAC", () => bestWith("host", signedNoId)],
  ["wasmId", "signed, with options.signing.id, the module's own HMAC (setHostHmac(null))", () => bestWith("wasm", signed)],
  ["wasmNoId", "signed, ids from the body, the module's own HMAC", () => bestWith("wasm", signedNoId)],
];
for (const [, , run] of KINDS) run();
const rows = [];
for (let r = 0; r < ROUNDS; r++) rows.push(Object.fromEntries(KINDS.map(([k, , run]) => [k, run()])));
const med = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
const col = (k) => rows.map((r) => r[k]);
const range = (xs) => `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}`;
const mb = bodyBytes / 1e6;
console.log(`TASKS_CREATED, ${N} tasks, one ${mb.toFixed(2)} MB body to ${targets} targets, bytes in/out`);
console.log(`| build | median of round bests (ms) | range | cost over plain (median of per-round ratios, range) |`);
console.log(`|---|---:|---:|---:|`);
for (const [k, name] of KINDS) {
  const ratios = rows.map((r) => (r[k] / r.plain - 1) * 100);
  const cost = k === "plain" ? "" : `${med(ratios).toFixed(1)}% (${range(ratios)})`;
  console.log(`| ${name} | ${med(col(k)).toFixed(2)} | ${range(col(k))} | ${cost} |`);
}
// The HMACs alone: what a signed build costs over the plain one, per signed target and MB of body.
for (const [k, who] of [["hostId", "node:crypto's"], ["wasmId", "the module's own"]]) {
  const perTarget = rows.map((r) => (r[k] - r.plain) / targets / mb);
  console.log(`${who} HMAC: ${med(perTarget).toFixed(2)} ms per MB per signed target (range ${range(perTarget)}), ` +
    `about ${(1000 / med(perTarget)).toFixed(0)} MB/s`);
}
