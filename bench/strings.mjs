// The string path against the bytes path, and what moving the text in and out costs on its
// own, in one fresh Node process (issue 17). Not a test: it prints figures.
//
//   node bench/strings.mjs [--tasks 5000] [--shape rows|text] [--runs 8] [--rounds 5] [--pkg DIR]
//
// Each measure is taken in every round, interleaved; the table gives the best and the median
// of all runs. bench/run.mjs measures the same two paths among the other ones, in a process that
// has also run the pure-JS peer: there a new 3 MB string (either way of making one) can cost a
// millisecond more, in page faults of fresh memory.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const root = path.resolve(import.meta.dirname, "..");
const lib = createRequire(import.meta.url)(path.join(path.resolve(opt("pkg", root)), "pkg"));
const N = Number(opt("tasks", 5000));
const SHAPE = opt("shape", "rows");
const RUNS = Number(opt("runs", 8));
const ROUNDS = Number(opt("rounds", 5));

const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ls-webhooks-strings-")), "event.json");
execFileSync("python3", [path.join(root, "bench", "make_event.py"), String(N), file, SHAPE]);
const text = fs.readFileSync(file, "utf8");
fs.rmSync(path.dirname(file), { recursive: true, force: true });
const bytes = new TextEncoder().encode(JSON.stringify({ ...JSON.parse(text), options: { bodyAs: "bytes" } }));
const body = lib.buildDeliveries(bytes).deliveries[0].body;
if (lib.buildDeliveries(text).deliveries[0].body !== Buffer.from(body).toString("latin1")) throw new Error("string and bytes bodies differ");

const into = new Uint8Array(text.length * 3);
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const measures = {
  "buildDeliveries, bytes in and out": () => lib.buildDeliveries(bytes),
  "buildDeliveries, string in and out": () => lib.buildDeliveries(text),
  "TextEncoder.encodeInto of the event string": () => encoder.encodeInto(text, into),
  "TextDecoder.decode of the body": () => decoder.decode(body),
  "Buffer toString('latin1') of the body": () => Buffer.from(body.buffer, body.byteOffset, body.length).toString("latin1"),
};
const times = Object.fromEntries(Object.keys(measures).map((k) => [k, []]));
for (const f of Object.values(measures)) f(); // warm up
for (let round = 0; round < ROUNDS; round++) {
  for (const [k, f] of Object.entries(measures)) {
    for (let i = 0; i < RUNS; i++) {
      const start = process.hrtime.bigint();
      f();
      times[k].push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
}
const best = (k) => Math.min(...times[k]);
const median = (k) => [...times[k]].sort((a, b) => a - b)[times[k].length >> 1];
const lines = [
  `${SHAPE}: ${N} tasks, ${(Buffer.byteLength(text) / 1e6).toFixed(2)} MB in, one ${(body.length / 1e6).toFixed(2)} MB body out; ${ROUNDS} interleaved rounds of ${RUNS} runs; Node ${process.version}`,
  "",
  "| measure | best ms | median ms |",
  "|---|---:|---:|",
  ...Object.keys(measures).map((k) => `| ${k} | ${best(k).toFixed(2)} | ${median(k).toFixed(2)} |`),
  "",
  `string path / bytes path: ${(best("buildDeliveries, string in and out") / best("buildDeliveries, bytes in and out")).toFixed(2)}x best, ` +
    `${(median("buildDeliveries, string in and out") / median("buildDeliveries, bytes in and out")).toFixed(2)}x median`,
];
console.log(lines.join("\n"));
