// The benchmark: one command, one table per event shape. Not a test: it prints figures.
//
//   node bench/run.mjs [--tasks 5000] [--runs 11] [--rounds 5] [--big 100000] [--shapes text,rows] [--memory 1]
//                      [--against DIR]
//
// Events: TASKS_CREATED with N task rows, the project row and 3 payload targets
// (bench/make_event.py), in two shapes: `text` (text-heavy rows, non-ASCII words) and
// `rows` (rows as Label Studio's database holds them: `_id` columns, microsecond
// `+00:00` datetimes, small `data` objects). For each shape it measures:
//   1. buildDeliveries in Node (the wasm build): JSON string in/out, and bytes in/out;
//   2. the same core compiled natively (benches/native.rs);
//   3. CPython's json.dumps of the already serialized payload (Label Studio's last step);
//   4. a straightforward pure-JavaScript peer (bench/peer.mjs), checked byte for byte first;
// then the .wasm size and the peak memory for N and for the big event, with
// buildDeliveries and with planBatches.
//
// Shared machines drift (here by up to 1.7x within minutes): every path of every shape is
// measured in each of several rounds, interleaved, and each round keeps both the best and
// the median of its runs. The tables give the median over rounds of each; ratios are taken
// round by round (both sides measured close together), then their median. Best-of-N is the
// figure least moved by a busy neighbour; the spread over rounds says how busy it was.
//
// --against DIR: another checkout of this project with its pkg/ built (an older commit, say);
// its wasm paths and its native core are timed in the same rounds, as extra rows of the tables.
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
  return i >= 0 ? args[i + 1] : dflt;
};
const N = Number(opt("tasks", 5000));
const RUNS = Number(opt("runs", 11));
const ROUNDS = Number(opt("rounds", 5));
const BIG = Number(opt("big", 100000));
const SHAPES = opt("shapes", "text,rows").split(",");
const MEMORY = opt("memory", "1") !== "0";
const AGAINST = opt("against", null) && path.resolve(opt("against"));
const other = AGAINST && require(path.join(AGAINST, "pkg"));

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ls-webhooks-bench-"));
const eventFile = (n, shape) => {
  const f = path.join(tmp, `event-${shape}-${n}.json`);
  if (!fs.existsSync(f)) execFileSync("python3", [path.join(root, "bench", "make_event.py"), String(n), f, shape]);
  return f;
};

/** The best and the median of `runs` timed calls (after one to warm up). */
function timed(fn, runs = RUNS) {
  fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { best: times[0], median: times[runs >> 1] };
}

const PATHS = [
  { name: "wasm, string in/out", key: "wasmString" },
  { name: "wasm, bytes in/out", key: "wasmBytes" },
  { name: "native core (Rust)", key: "native" },
  ...(AGAINST
    ? [
        { name: `wasm, string in/out (${path.basename(AGAINST)})`, key: "otherString" },
        { name: `wasm, bytes in/out (${path.basename(AGAINST)})`, key: "otherBytes" },
        { name: `native core (${path.basename(AGAINST)})`, key: "otherNative" },
      ]
    : []),
  { name: "CPython json.dumps (payload only)", key: "cpython" },
  { name: "pure-JS peer", key: "peer" },
];

/** The native core of the checkout at `dir`, best and median of RUNS. */
function native(dir, file) {
  const out = execFileSync("cargo", ["bench", "--quiet", "--bench", "native", "--", file, String(RUNS)], { cwd: dir, stdio: ["ignore", "pipe", "inherit"] });
  const r = JSON.parse(out.toString().trim().split("\n").pop());
  return { best: r.min_ms, median: r.median_ms, bodyBytes: r.body_bytes };
}

const shapes = SHAPES.map((shape) => {
  const file = eventFile(N, shape);
  const text = fs.readFileSync(file, "utf8");
  const withOptions = (o) => JSON.stringify({ ...JSON.parse(text), options: o });
  const bytesIn = new TextEncoder().encode(withOptions({ bodyAs: "bytes" }));
  const plan = lib.buildDeliveries(text);
  const body = plan.deliveries[0].body;
  if (!plan.deliveries.every((d) => d.body === body)) throw new Error("the 3 targets should share one body");
  const bodyFile = path.join(tmp, `body-${shape}.json`);
  fs.writeFileSync(bodyFile, body);
  // The peer must produce the very same bytes before it is timed.
  if (peerBody(text) !== body) throw new Error(`the pure-JS peer does not produce the same bytes (${shape})`);
  if (other && other.buildDeliveries(text).deliveries[0].body !== body) throw new Error(`${AGAINST} does not produce the same bytes (${shape})`);
  const rounds = Object.fromEntries(PATHS.map((p) => [p.key, []]));
  return { shape, file, text, bytesIn, bodyFile, bodyBytes: body.length, eventBytes: Buffer.byteLength(text), rounds };
});

const loads = [os.loadavg()[0]];
for (let round = 0; round < ROUNDS; round++) {
  for (const s of shapes) {
    s.rounds.wasmString.push(timed(() => lib.buildDeliveries(s.text)));
    s.rounds.wasmBytes.push(timed(() => lib.buildDeliveries(s.bytesIn)));
    for (const [key, dir] of [["native", root], ...(AGAINST ? [["otherNative", AGAINST]] : [])]) {
      const r = native(dir, s.file);
      if (r.bodyBytes !== s.bodyBytes) throw new Error(`native and wasm bodies differ in size (${dir})`);
      s.rounds[key].push(r);
    }
    if (other) {
      s.rounds.otherString.push(timed(() => other.buildDeliveries(s.text)));
      s.rounds.otherBytes.push(timed(() => other.buildDeliveries(s.bytesIn)));
    }
    const cpython = JSON.parse(execFileSync("python3", [path.join(root, "bench", "cpython.py"), s.bodyFile, String(RUNS)]).toString());
    s.rounds.cpython.push({ best: cpython.min_ms, median: cpython.median_ms });
    s.rounds.peer.push(timed(() => peerBody(s.text), Math.max(3, RUNS >> 1)));
  }
  loads.push(os.loadavg()[0]);
}

const mid = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const MB = (b) => (b / 1048576).toFixed(1);
const lines = [];
lines.push(`ls-webhooks benchmark: TASKS_CREATED, ${N} tasks, 3 targets sharing one body; ${ROUNDS} interleaved rounds of ${RUNS} runs`);
lines.push(`machine: ${os.cpus()[0].model}, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)} during the rounds`);

for (const s of shapes) {
  const of = (key, kind) => s.rounds[key].map((r) => r[kind]);
  // How many times faster `key` is than `against`, round by round, then the median.
  const faster = (key, against, kind) => mid(of(against, kind).map((ms, i) => ms / of(key, kind)[i]));
  const mbps = (ms) => (s.bodyBytes / 1e6 / (ms / 1000)).toFixed(0);
  lines.push("");
  lines.push(`### ${s.shape}: ${MB(s.eventBytes)} MiB in, one ${MB(s.bodyBytes)} MiB body (${(s.bodyBytes / N).toFixed(0)} B/task)`);
  lines.push("");
  lines.push("| path | best ms | range of bests | median ms | body MB/s (best) | vs CPython, best | vs CPython, median | vs pure-JS peer, best |");
  lines.push("|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const p of PATHS) {
    const best = mid(of(p.key, "best"));
    lines.push(
      `| ${p.name} | ${best.toFixed(2)} | ${Math.min(...of(p.key, "best")).toFixed(1)}-${Math.max(...of(p.key, "best")).toFixed(1)} | ${mid(of(p.key, "median")).toFixed(2)} | ${mbps(best)} | ${faster(p.key, "cpython", "best").toFixed(2)}x | ${faster(p.key, "cpython", "median").toFixed(2)}x | ${faster(p.key, "peer", "best").toFixed(2)}x |`,
    );
  }
  const stringOverBytes = mid(of("wasmString", "best").map((ms, i) => ms / of("wasmBytes", "best")[i]));
  const cp = of("cpython", "best");
  lines.push("");
  lines.push(`string path / bytes path (best, round by round): ${stringOverBytes.toFixed(2)}x; CPython's best moved ${(Math.max(...cp) / Math.min(...cp)).toFixed(2)}x over the rounds`);
}

const wasmFile = path.join(root, "pkg", "ls_webhooks_bg.wasm");
const wasmRaw = fs.statSync(wasmFile).size;
const wasmGz = zlib.gzipSync(fs.readFileSync(wasmFile), { level: 9 }).length;
lines.push("");
lines.push(`.wasm (Node build): ${(wasmRaw / 1024).toFixed(0)} KiB raw, ${(wasmGz / 1024).toFixed(0)} KiB gzipped`);

if (MEMORY) {
  const memory = (file, mode) => JSON.parse(execFileSync(process.execPath, [path.join(root, "bench", "memory.mjs"), file, mode]).toString());
  lines.push("");
  lines.push("| shape | tasks | API | event MiB | largest batch body MiB | peak wasm memory MiB | wasm / batch body | peak RSS MiB |");
  lines.push("|---|---:|---|---:|---:|---:|---:|---:|");
  for (const s of shapes) {
    for (const n of [N, BIG]) {
      for (const mode of ["whole", "batches", "string"]) {
        const m = memory(eventFile(n, s.shape), mode);
        lines.push(
          `| ${s.shape} | ${n} | ${{ whole: "buildDeliveries", batches: "planBatches", string: "buildDeliveries, strings" }[mode]} | ${MB(m.eventBytes)} | ${MB(m.largestBatch)} | ${MB(m.wasmBytes)} | ${(m.wasmBytes / m.largestBatch).toFixed(2)}x | ${MB(m.rssBytes)} |`,
        );
      }
    }
  }
}
console.log(lines.join("\n"));
fs.rmSync(tmp, { recursive: true, force: true });
