// The benchmark: one command, one table. Not a test: it prints figures.
//
//   node bench/run.mjs [--tasks 5000] [--runs 11] [--rounds 5] [--big 100000]
//
// Event: TASKS_CREATED with N realistic task rows, the project row and 3 payload
// targets (bench/make_event.py). In one run it measures, as medians:
//   1. buildDeliveries in Node (the wasm build): JSON string in/out, and bytes in/out;
//   2. the same core compiled natively (benches/native.rs);
//   3. CPython's json.dumps of the already serialized payload (Label Studio's last step);
//   4. a straightforward pure-JavaScript peer (bench/peer.mjs), checked byte for byte first;
// then the .wasm size and the peak memory for N and for the big event, with
// buildDeliveries and with planBatches.
//
// Shared machines drift: each path is measured in every one of several rounds,
// interleaved, and the table gives the median of the round medians with the
// range, so one slow stretch does not decide a ratio.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { createRequire } from "node:module";
import { peerBody } from "./peer.mjs";

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, "..");
const lib = require(path.join(root, "pkg"));

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const N = opt("tasks", 5000);
const RUNS = opt("runs", 11);
const ROUNDS = opt("rounds", 5);
const BIG = opt("big", 100000);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ls-webhooks-bench-"));
const eventFile = (n) => {
  const f = path.join(tmp, `event-${n}.json`);
  if (!fs.existsSync(f)) execFileSync("python3", [path.join(root, "bench", "make_event.py"), String(n), f]);
  return f;
};

function median(fn, runs = RUNS) {
  fn(); // warm up
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[runs >> 1];
}

const file = eventFile(N);
const text = fs.readFileSync(file, "utf8");
const withOptions = (o) => JSON.stringify({ ...JSON.parse(text), options: o });
const bytesIn = new TextEncoder().encode(withOptions({ bodyAs: "bytes" }));

const plan = lib.buildDeliveries(text);
const body = plan.deliveries[0].body;
const bodyBytes = body.length; // ASCII: characters are bytes
if (!plan.deliveries.every((d) => d.body === body)) throw new Error("the 3 targets should share one body");
fs.writeFileSync(path.join(tmp, "body.json"), body);

// The peer must produce the very same bytes before it is timed.
if (peerBody(text) !== body) throw new Error("the pure-JS peer does not produce the same bytes");

const rounds = { wasmString: [], wasmBytes: [], native: [], cpython: [], peer: [] };
for (let round = 0; round < ROUNDS; round++) {
  rounds.wasmString.push(median(() => lib.buildDeliveries(text)));
  rounds.wasmBytes.push(median(() => lib.buildDeliveries(bytesIn)));
  const native = JSON.parse(
    execFileSync("cargo", ["bench", "--quiet", "--bench", "native", "--", file, String(RUNS)], { cwd: root, stdio: ["ignore", "pipe", "inherit"] })
      .toString()
      .trim()
      .split("\n")
      .pop(),
  );
  if (native.body_bytes !== bodyBytes) throw new Error("native and wasm bodies differ in size");
  rounds.native.push(native.median_ms);
  const cpython = JSON.parse(execFileSync("python3", [path.join(root, "bench", "cpython.py"), path.join(tmp, "body.json"), String(RUNS)]).toString());
  rounds.cpython.push(cpython.median_ms);
  rounds.peer.push(median(() => peerBody(text), Math.max(3, RUNS >> 1)));
}
const mid = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const results = [
  { name: "wasm, string in/out", key: "wasmString" },
  { name: "wasm, bytes in/out", key: "wasmBytes" },
  { name: "native core (Rust)", key: "native" },
  { name: "CPython json.dumps (payload only)", key: "cpython" },
  { name: "pure-JS peer", key: "peer" },
].map((r) => ({ ...r, ms: mid(rounds[r.key]), lo: Math.min(...rounds[r.key]), hi: Math.max(...rounds[r.key]) }));

// How many times faster `key` is than `against`: per round (both measured
// close together), then the median.
const faster = (key, against) => mid(rounds[against].map((ms, i) => ms / rounds[key][i]));
const mbps = (ms) => (bodyBytes / 1e6 / (ms / 1000)).toFixed(0);

const wasmFile = path.join(root, "pkg", "ls_webhooks_bg.wasm");
const wasmRaw = fs.statSync(wasmFile).size;
const wasmGz = zlib.gzipSync(fs.readFileSync(wasmFile), { level: 9 }).length;

function memory(n, mode) {
  const out = execFileSync(process.execPath, [path.join(root, "bench", "memory.mjs"), eventFile(n), mode]).toString();
  return JSON.parse(out);
}
const mems = [];
for (const n of [N, BIG]) for (const mode of ["whole", "batches"]) mems.push({ n, mode, ...memory(n, mode) });

const MB = (b) => (b / 1048576).toFixed(1);
const lines = [];
lines.push(`ls-webhooks benchmark: TASKS_CREATED, ${N} tasks, 3 targets, one ${MB(bodyBytes)} MiB body (${(bodyBytes / N).toFixed(0)} B/task); ${ROUNDS} interleaved rounds of ${RUNS} runs, median of the round medians`);
lines.push(`machine: ${os.cpus()[0].model}, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
lines.push("");
lines.push("| path | median ms | range over rounds | body MB/s | vs CPython | vs pure-JS peer |");
lines.push("|---|---:|---:|---:|---:|---:|");
for (const r of results) {
  lines.push(
    `| ${r.name} | ${r.ms.toFixed(2)} | ${r.lo.toFixed(1)}-${r.hi.toFixed(1)} | ${mbps(r.ms)} | ${faster(r.key, "cpython").toFixed(2)}x | ${faster(r.key, "peer").toFixed(2)}x |`,
  );
}
lines.push("");
lines.push(`.wasm: ${(wasmRaw / 1024).toFixed(0)} KiB raw, ${(wasmGz / 1024).toFixed(0)} KiB gzipped`);
lines.push("");
lines.push("| tasks | API | event MiB | largest batch body MiB | peak wasm memory MiB | wasm / batch body | peak RSS MiB |");
lines.push("|---:|---|---:|---:|---:|---:|---:|");
for (const m of mems) {
  lines.push(
    `| ${m.n} | ${m.mode === "whole" ? "buildDeliveries" : "planBatches"} | ${MB(m.eventBytes)} | ${MB(m.largestBatch)} | ${MB(m.wasmBytes)} | ${(m.wasmBytes / m.largestBatch).toFixed(1)}x | ${MB(m.rssBytes)} |`,
  );
}
console.log(lines.join("\n"));
fs.rmSync(tmp, { recursive: true, force: true });
