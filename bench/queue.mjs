// The queue benchmark (ls-webhooks/queue on BullMQ and a real redis-server). Not a test:
// it prints figures.
//
//   node bench/queue.mjs [--events 10000] [--tasks 100000] [--workers 1,2,4] [--deadline 900]
//
// Work: (a) `events` small events (PROJECT_UPDATED, each with a title of its own) to 3
// targets; (b) an import of `tasks` tasks (TASKS_CREATED, batches of 5000: 20 batches for
// 100,000) to 3 targets. For each, the deliveries per second to a loopback receiver (one
// process, answering 200 at once, listen backlog 511) with 1, 2 and 4 worker processes
// (`ls-webhooks worker`, 8 slots each), and Redis's used_memory_peak; and the embedded
// deliverer (ls-webhooks/deliver, in this process) on the same work. Targets use the
// default global concurrency 1 (each target in order); (a) is also run with 8 (no order).
//
// How a run is timed: its own redis-server (appendonly, temp dir, free port); the target
// queues are paused; everything is enqueued (timed apart: enqueue rate); the workers start
// and report ready; the queues are resumed and the clock runs until the receiver has every
// delivery. Each run stops at --deadline seconds in all; the redis-server, the workers and
// the receiver are stopped at the end of each run, whatever happens.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, "..");
const lib = require(path.join(root, "pkg"));
const queue = require(path.join(root, "js", "queue.js"));
const { Queue } = require("bullmq");
const COMMANDS = path.join(root, "js", "commands", "queue.js");

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const EVENTS = Math.min(Number(opt("events", 10000)), 100000);
const TASKS = Math.min(Number(opt("tasks", 100000)), 200000);
const WORKERS = String(opt("workers", "1,2,4")).split(",").map(Number).filter((n) => n >= 1 && n <= 8);
const DEADLINE = Date.now() + Number(opt("deadline", 900)) * 1000;
const BATCH = 5000;

if (spawnSync("redis-server", ["--version"]).status !== 0) {
  console.error("bench/queue.mjs needs redis-server (bash scripts/setup.sh installs it)");
  process.exit(2);
}

const children = new Set();
const cleanup = () => { for (const c of children) try { c.kill("SIGKILL"); } catch {} };
process.on("exit", cleanup);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => { cleanup(); process.exit(130); });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(cond, deadline, what) {
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`deadline reached waiting for ${what}`);
    await sleep(5);
  }
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startRedis() {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lsw-bench-redis-"));
  const proc = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir,
    "--appendonly", "yes", "--save", "", "--protected-mode", "no"], { stdio: ["ignore", "pipe", "pipe"] });
  children.add(proc);
  let log = "";
  proc.stdout.on("data", (c) => { log += c; });
  const exited = new Promise((r) => proc.on("exit", () => { children.delete(proc); r(); }));
  await until(() => /Ready to accept connections/.test(log) || proc.exitCode !== null, Date.now() + 10000, "redis-server");
  return {
    url: `redis://127.0.0.1:${port}`, port,
    info: (section) => spawnSync("redis-cli", ["-p", String(port), "INFO", section], { encoding: "utf8" }).stdout,
    stop: async () => { proc.kill("SIGTERM"); await exited; fs.rmSync(dir, { recursive: true, force: true }); },
  };
}

function startReceiver() {
  const rx = { count: 0, bytes: 0 };
  const server = http.createServer((req, res) => {
    req.on("data", (c) => { rx.bytes += c.length; });
    req.on("end", () => { rx.count++; res.writeHead(200, { "content-type": "text/plain" }).end("ok"); });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", 511, () => resolve(Object.assign(rx, {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }),
  }))));
}

async function startWorkers(n, redisUrl) {
  const ws = [];
  for (let i = 0; i < n; i++) {
    const proc = spawn(process.execPath, ["-e",
      "require(process.argv[1]).workerCommand(process.argv.slice(2)).then((c) => { process.exitCode = c; })",
      COMMANDS, "--redis", redisUrl, "--concurrency", "8"], { stdio: ["ignore", "pipe", "inherit"] });
    children.add(proc);
    const w = { proc, out: "", exited: new Promise((r) => proc.on("exit", () => { children.delete(proc); r(); })) };
    proc.stdout.on("data", (c) => { w.out += c; });
    ws.push(w);
  }
  await until(() => ws.every((w) => /slots on/.test(w.out)), Date.now() + 20000, "the workers to start");
  return {
    failed: () => ws.reduce((n, w) => n + (w.out.match(/^FAILED/gm) || []).length, 0),
    stop: () => Promise.all(ws.map((w) => { w.proc.kill("SIGTERM"); return w.exited; })),
  };
}

// ---- the work ----

const SAMPLE_TASKS = JSON.parse(fs.readFileSync(path.join(root, "samples", "events", "TASKS_CREATED.json"), "utf8"));
const SAMPLE_PROJECT = JSON.parse(fs.readFileSync(path.join(root, "samples", "events", "PROJECT_UPDATED.json"), "utf8"));
const webhook = (id, url) => ({
  id, organization: 1, project: 12, url, send_payload: true, send_for_all_actions: true,
  headers: { Authorization: `Bearer token-${id}` }, is_active: true, actions: [],
});
const targetUrls = (rx) => ["a", "b", "c"].map((p) => `${rx.url}/${p}`);

function smallEvents(n, urls) {
  const ev = structuredClone(SAMPLE_PROJECT);
  ev.project.label_config_hash = ev.instance.label_config_hash = 4503599627370497;
  ev.webhooks = urls.map((u, i) => webhook(i + 1, u));
  ev.options = { ssrfProtection: false };
  const plans = [];
  for (let i = 0; i < n; i++) {
    ev.project.title = ev.instance.title = `Café reviews — update ${i}`;
    plans.push(lib.buildDeliveries(JSON.stringify(ev)));
  }
  return plans;
}

function importText(n, urls) {
  const ev = structuredClone(SAMPLE_TASKS);
  ev.project.label_config_hash = 4503599627370497;
  const rows = ev.instance;
  ev.instance = Array.from({ length: n }, (_, k) => ({
    ...rows[k % rows.length], id: 100000 + k, inner_id: k + 1,
    data: { text: `Review ${k}: the “flat white” was ${k % 2 ? "cold" : "warm"} 🥐`, n: k },
  }));
  ev.webhooks = urls.map((u, i) => webhook(i + 1, u));
  ev.options = { batchSize: BATCH, ssrfProtection: false };
  return JSON.stringify(ev);
}

/** Enqueues `sources()` (plans or batch iterators) with up to `parallel` calls at once. */
async function enqueueAll(producer, sources, opts, parallel) {
  let next = 0, jobs = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < sources.length) {
      const s = sources[next++];
      const ids = await producer.enqueue(typeof s === "function" ? s() : s, opts);
      jobs += ids.length;
    }
  }));
  return jobs;
}

const mib = (b) => `${(b / 1048576).toFixed(1)} MiB`;

/** One run with the queue: returns its figures. */
async function runQueue({ workers, expected, sources, targetConcurrency = 1, parallel }) {
  const redis = await startRedis();
  const rx = await startReceiver();
  let ws, producer;
  const pauses = [];
  try {
    const urls = targetUrls(rx);
    const srcs = sources(urls);
    // Pause the target queues: the clock starts when every worker is there.
    for (const [i, u] of urls.entries()) {
      const q = new Queue(queue.targetQueueName(i + 1, u), { connection: { url: redis.url }, prefix: "lsw" });
      await q.pause();
      pauses.push(q);
    }
    producer = queue.createProducer({ connection: redis.url });
    const t0 = performance.now();
    const jobs = await enqueueAll(producer, srcs, { targetConcurrency }, parallel);
    const enqueueMs = performance.now() - t0;
    if (jobs !== expected) throw new Error(`enqueued ${jobs} jobs, expected ${expected}`);
    const stored = Number(/used_memory:(\d+)/.exec(redis.info("memory"))[1]);
    ws = await startWorkers(workers, redis.url);
    const t1 = performance.now();
    await Promise.all(pauses.map((q) => q.resume()));
    await producer.client.publish("lsw:wake", pauses.map((q) => q.name).join("\n"));
    await until(() => rx.count >= expected, DEADLINE, `${expected} deliveries`);
    const deliverMs = performance.now() - t1;
    const peak = Number(/used_memory_peak:(\d+)/.exec(redis.info("memory"))[1]);
    return { jobs, enqueueMs, deliverMs, rate: expected / (deliverMs / 1000), mbs: rx.bytes / 1048576 / (deliverMs / 1000), stored, peak, failed: ws.failed() };
  } finally {
    if (ws) await ws.stop();
    await Promise.all(pauses.map((q) => q.close()));
    if (producer) await producer.close();
    await rx.close();
    await redis.stop();
  }
}

/** The embedded deliverer (in this process) on the same work. */
async function runEmbedded({ expected, sources }) {
  let createDeliverer;
  try {
    ({ createDeliverer } = require(path.join(root, "js", "deliver.js")));
  } catch (e) {
    return { skipped: `js/deliver.js: ${e.message.split("\n")[0]}` };
  }
  const rx = await startReceiver();
  try {
    const srcs = sources(targetUrls(rx));
    const d = createDeliverer({ timeoutMs: 1000 });
    const t0 = performance.now();
    for (const s of srcs) await d.deliver(typeof s === "function" ? s() : s);
    await d.drain();
    const ms = performance.now() - t0;
    const st = d.stats();
    await d.close();
    if (rx.count < expected) throw new Error(`embedded: ${rx.count} of ${expected} arrived`);
    return { deliverMs: ms, rate: expected / (ms / 1000), mbs: rx.bytes / 1048576 / (ms / 1000), failed: st.failed };
  } finally {
    await rx.close();
  }
}

const rows = [];
function row(work, how, r) {
  const line = r.skipped ? [work, how, "skipped", r.skipped] : [work, how,
    `${Math.round(r.rate).toLocaleString("en")}/s`, `${r.mbs.toFixed(1)} MiB/s`,
    r.enqueueMs === undefined ? "" : `${Math.round(r.enqueueMs)} ms (${Math.round(r.jobs / (r.enqueueMs / 1000)).toLocaleString("en")} jobs/s)`,
    r.peak === undefined ? "" : mib(r.peak), r.stored === undefined ? "" : mib(r.stored), String(r.failed ?? "")];
  rows.push(line);
  console.error(`  ${line.join("  ")}`);
}

console.error(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0].model}), ` +
  `${spawnSync("redis-server", ["--version"], { encoding: "utf8" }).stdout.trim().split(" ").slice(0, 3).join(" ")}, ` +
  `bullmq ${require("bullmq/package.json").version}, ioredis ${require("ioredis/package.json").version}`);

// (a) small events.
{
  const expected = EVENTS * 3;
  const work = `(a) ${EVENTS.toLocaleString("en")} PROJECT_UPDATED x 3 targets`;
  console.error(`${work}: ${expected} deliveries`);
  const sources = (urls) => smallEvents(EVENTS, urls);
  for (const n of WORKERS) {
    if (Date.now() > DEADLINE) break;
    row(work, `queue, ${n} worker${n > 1 ? "s" : ""}`, await runQueue({ workers: n, expected, sources, parallel: 32 }));
  }
  for (const n of WORKERS) {
    if (Date.now() > DEADLINE) break;
    row(work, `queue, ${n} worker${n > 1 ? "s" : ""}, target concurrency 8 (no order)`,
      await runQueue({ workers: n, expected, sources, parallel: 32, targetConcurrency: 8 }));
  }
  if (Date.now() < DEADLINE) row(work, "embedded deliverer (1 process)", await runEmbedded({ expected, sources }));
}

// (b) one large import, batch by batch.
{
  const batches = Math.ceil(TASKS / BATCH);
  const expected = batches * 3;
  const work = `(b) ${TASKS.toLocaleString("en")}-task import (${batches} batches) x 3 targets`;
  console.error(`${work}: ${expected} deliveries`);
  let text;
  const sources = (urls) => {
    text = importText(TASKS, urls);
    return [() => lib.planBatches(text)];
  };
  for (const n of WORKERS) {
    if (Date.now() > DEADLINE) break;
    row(work, `queue, ${n} worker${n > 1 ? "s" : ""}`, await runQueue({ workers: n, expected, sources, parallel: 1 }));
  }
  if (Date.now() < DEADLINE) row(work, "embedded deliverer (1 process)", await runEmbedded({ expected, sources }));
  if (text) console.error(`  (event: ${mib(Buffer.byteLength(text))} of JSON)`);
}

const head = ["WORK", "HOW", "DELIVERIES", "BODY BYTES", "ENQUEUE", "REDIS PEAK", "REDIS AFTER ENQUEUE", "FAILED"];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] || "").length)));
for (const r of [head, ...rows]) console.log(r.map((c, i) => (c || "").padEnd(widths[i])).join("  ").trimEnd());
