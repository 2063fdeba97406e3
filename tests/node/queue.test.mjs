// ls-webhooks/queue (BullMQ on Redis) against a real redis-server and real loopback
// receivers: bodies stored once, per-target order, a worker killed with SIGKILL, Redis
// restarted, a hanging target, failing targets with and without retries, redeliver.
// Each test starts its own redis-server (appendonly, a temp dir, a free port) and stops it.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { ROOT, refusedUrl } from "./loopback.mjs";

const require = createRequire(import.meta.url);
const lib = require(path.join(ROOT, "pkg"));
const QUEUE = path.join(ROOT, "js", "queue.js");
const COMMANDS = path.join(ROOT, "js", "commands", "queue.js");
const queue = require(QUEUE);

// The connections enqueue(), queueCounts() and redeliver() keep open end with the file.
after(() => queue.close());

const haveRedis = spawnSync("redis-server", ["--version"]).status === 0;
// As root on Debian (CI), scripts/setup.sh installs redis-server: its absence is then a failure.
const mustHaveRedis = process.getuid?.() === 0 && fs.existsSync("/etc/debian_version");
const skip = haveRedis || mustHaveRedis ? false : "redis-server is not installed (bash scripts/setup.sh installs it)";

// Every child (redis-server, workers) dies with this process, whatever happens.
const children = new Set();
process.on("exit", () => { for (const c of children) try { c.kill("SIGKILL"); } catch {} });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(cond, timeoutMs, what) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A redis-server on a free loopback port in a temp dir, appendonly, no RDB snapshots. */
async function startRedis(t, { port, dir } = {}) {
  port ??= await freePort();
  dir ??= fs.mkdtempSync(path.join(os.tmpdir(), "lsw-redis-"));
  const proc = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir,
    "--appendonly", "yes", "--save", "", "--daemonize", "no", "--protected-mode", "no"], { stdio: ["ignore", "pipe", "pipe"] });
  children.add(proc);
  const exited = new Promise((resolve) => proc.on("exit", (code, signal) => { children.delete(proc); resolve({ code, signal }); }));
  let log = "";
  proc.stdout.on("data", (c) => { log += c; });
  proc.stderr.on("data", (c) => { log += c; });
  await until(() => /Ready to accept connections/.test(log) || proc.exitCode !== null, 10000, "redis-server to start");
  if (proc.exitCode !== null) throw new Error(`redis-server did not start:\n${log}`);
  const r = {
    port, dir, url: `redis://127.0.0.1:${port}`, proc, exited, log: () => log,
    async stop(signal = "SIGTERM") {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
  t.after(async () => {
    await r.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return r;
}

/** redis-cli against the test's server, for looking at what is stored. */
function redisCli(r, ...args) {
  const out = spawnSync("redis-cli", ["-p", String(r.port), "--no-raw", ...args], { encoding: "utf8" });
  if (out.status !== 0) throw new Error(out.stderr);
  return out.stdout.trim();
}
function redisCliRaw(r, ...args) {
  return spawnSync("redis-cli", ["-p", String(r.port), "--raw", ...args], { encoding: "utf8" }).stdout.trim();
}

/**
 * A receiver on 127.0.0.1 with a real listen backlog. Paths: /hang* never answered, /500*
 * answers 500 (until `fixed`), anything else 200 after `delayMs`.
 */
async function startReceiver(t, { delayMs = 0 } = {}) {
  const received = [];
  const open = { hang: 0, maxHang: 0, all: 0, maxAll: 0 };
  const state = { fixed: false };
  const server = http.createServer((req, res) => {
    open.all++;
    open.maxAll = Math.max(open.maxAll, open.all);
    res.on("close", () => open.all--);
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const got = { path: req.url, headers: req.headers, body: Buffer.concat(chunks), at: Date.now() };
      received.push(got);
      if (req.url.startsWith("/hang")) {
        open.hang++;
        open.maxHang = Math.max(open.maxHang, open.hang);
        req.socket.on("close", () => open.hang--);
        return;
      }
      if (req.url.startsWith("/500") && !state.fixed) return res.writeHead(500).end("no");
      setTimeout(() => res.writeHead(200, { "content-type": "text/plain" }).end("ok"), delayMs);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", 511, resolve));
  const rec = {
    url: `http://127.0.0.1:${server.address().port}`, received, open, state,
    close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }),
  };
  t.after(() => rec.close());
  return rec;
}

/** A worker process (the `ls-webhooks worker` command), its output kept. */
function spawnWorker(t, redisUrl, extra = []) {
  const proc = spawn(process.execPath, ["-e",
    "require(process.argv[1]).workerCommand(process.argv.slice(2)).then((c) => { process.exitCode = c; })",
    COMMANDS, "--redis", redisUrl, "--verbose", ...extra], { stdio: ["ignore", "pipe", "pipe"] });
  children.add(proc);
  const w = { proc, out: "", err: "" };
  proc.stdout.on("data", (c) => { w.out += c; });
  proc.stderr.on("data", (c) => { w.err += c; });
  w.exited = new Promise((resolve) => proc.on("exit", (code, signal) => { children.delete(proc); resolve({ code, signal }); }));
  w.stop = async (signal = "SIGTERM") => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    return w.exited;
  };
  t.after(() => w.stop("SIGKILL"));
  return w;
}

const SAMPLE_TASKS = JSON.parse(fs.readFileSync(path.join(ROOT, "samples", "events", "TASKS_CREATED.json"), "utf8"));
const SAMPLE_PROJECT_UPDATED = JSON.parse(fs.readFileSync(path.join(ROOT, "samples", "events", "PROJECT_UPDATED.json"), "utf8"));

const webhook = (id, url, extra = {}) => ({
  id, organization: 1, project: 12, url, send_payload: true, send_for_all_actions: true,
  headers: { Authorization: `Bearer token-${id}`, "X-Hook": `h${id}` }, is_active: true, actions: [], ...extra,
});

/** A TASKS_CREATED event of n tasks (rows like the sample's), as JSON text. */
function tasksEvent({ n, batchSize, urls, from = 0 }) {
  const ev = structuredClone(SAMPLE_TASKS);
  ev.project.label_config_hash = 4503599627370497; // the sample's is past 2^53: JSON.parse would round it
  const rows = ev.instance;
  ev.instance = Array.from({ length: n }, (_, i) => {
    const k = from + i;
    return {
      ...rows[k % rows.length], id: 100000 + k, inner_id: k + 1,
      data: { text: `Review ${k}: the “flat white” was ${k % 2 ? "cold" : "warm"} — ${"é".repeat(k % 5)}🥐`, n: k },
    };
  });
  ev.webhooks = urls.map((url, i) => webhook(i + 1, url));
  ev.options = { batchSize, ssrfProtection: false }; // the receivers are on loopback
  return JSON.stringify(ev);
}

/** PROJECT_UPDATED with a title of its own (so each event has its own body). */
function projectUpdated(title, urls) {
  const ev = structuredClone(SAMPLE_PROJECT_UPDATED);
  ev.project.label_config_hash = 4503599627370497;
  ev.instance.label_config_hash = 4503599627370497;
  ev.project.title = ev.instance.title = title;
  ev.webhooks = urls.map((url, i) => webhook(i + 1, url));
  ev.options = { ssrfProtection: false };
  return JSON.stringify(ev);
}

const bodyBuf = (b) => (typeof b === "string" ? Buffer.from(b, "utf8") : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/**
 * Checks every request against the plans: each is byte-identical (body, the plan's headers)
 * to a planned delivery; returns the number of times each planned delivery arrived.
 */
function matchDeliveries(plans, received) {
  const planned = new Map();
  for (const plan of plans) {
    for (const d of plan.deliveries) planned.set(`${new URL(d.url).pathname}\0${bodyBuf(d.body).toString("base64")}`, { d, n: 0 });
  }
  for (const got of received) {
    const p = planned.get(`${got.path}\0${got.body.toString("base64")}`);
    assert.ok(p, `a request to ${got.path} (${got.body.length} bytes) is not a planned delivery`);
    for (const [name, value] of Object.entries(p.d.headers)) {
      assert.equal(got.headers[name.toLowerCase()], value, `header ${name} of webhook ${p.d.webhookId} batch ${p.d.batch}`);
    }
    p.n++;
  }
  return [...planned.values()];
}

/** The batches each target path received, in arrival order (first arrivals only). */
function batchOrder(plan, received) {
  const byBody = new Map(plan.deliveries.map((d) => [`${new URL(d.url).pathname}\0${bodyBuf(d.body).toString("base64")}`, d.batch]));
  const out = {};
  const seen = new Set();
  for (const got of received) {
    const k = `${got.path}\0${got.body.toString("base64")}`;
    if (!byBody.has(k) || seen.has(k)) continue;
    seen.add(k);
    (out[got.path] ??= []).push(byBody.get(k));
  }
  return out;
}

const range = (n) => Array.from({ length: n }, (_, i) => i);

test("a 5000-task import to 3 targets: each batch body stored once, 30 small jobs, 2 worker processes deliver it byte for byte, each target in batch order", { skip, timeout: 60000 }, async (t) => {
  const redis = await startRedis(t);
  const rx = await startReceiver(t);
  const plan = lib.buildDeliveries(tasksEvent({ n: 5000, batchSize: 500, urls: ["a", "b", "c"].map((p) => `${rx.url}/${p}`) }));
  assert.equal(plan.deliveries.length, 30);
  t.after(() => queue.close());

  const ids = await queue.enqueue(plan, { connection: redis.url });
  assert.equal(ids.length, 30);
  assert.equal(new Set(ids).size, 30);

  // Each batch body once: 10 keys, about the bytes of one copy (not three).
  const bodyKeys = redisCliRaw(redis, "--scan", "--pattern", "lsw:body:*").split("\n").filter(Boolean);
  assert.equal(bodyKeys.length, 10);
  const oneCopy = new Set(plan.deliveries.map((d) => d.body)).size === 10
    ? [...new Set(plan.deliveries.map((d) => d.body))].reduce((n, b) => n + bodyBuf(b).length, 0) : NaN;
  const stored = bodyKeys.reduce((n, k) => n + Number(redisCliRaw(redis, "MEMORY", "USAGE", k)), 0);
  // (jemalloc rounds each value up to its size class: some 15 % here; three copies would be 3x.)
  assert.ok(stored >= oneCopy && stored < oneCopy * 1.3, `bodies take ${stored} bytes in Redis for ${oneCopy} bytes of bodies`);
  for (const k of bodyKeys) {
    const ttl = Number(redisCliRaw(redis, "TTL", k));
    assert.ok(ttl > 86000 && ttl <= 86400, `body TTL ${ttl}`);
  }
  // The jobs are small: the body is a key.
  const counts = await queue.queueCounts({ connection: redis.url });
  assert.equal(counts.waiting, 30);
  assert.equal(Object.keys(counts.targets).length, 3);
  for (const [name, c] of Object.entries(counts.targets)) {
    assert.equal(c.waiting, 10);
    const data = redisCliRaw(redis, "HGET", `lsw:${name}:${ids[plan.deliveries.findIndex((d) => d.url === c.url)]}`, "data");
    assert.ok(data.length < 600, `job data is ${data.length} bytes`);
    assert.equal(redisCliRaw(redis, "HGET", `lsw:${name}:meta`, "concurrency"), "1");
  }
  // Enqueueing the same event again adds nothing.
  assert.deepEqual(await queue.enqueue(plan, { connection: redis.url }), ids);
  assert.equal((await queue.queueCounts({ connection: redis.url })).waiting, 30);

  const started = Date.now();
  const workers = [spawnWorker(t, redis.url), spawnWorker(t, redis.url)];
  await until(() => rx.received.length >= 30, 30000, "30 deliveries");
  const ms = Date.now() - started;
  await until(async () => (await queue.queueCounts({ connection: redis.url })).completed === 30, 5000, "30 completed jobs");
  const hits = matchDeliveries([plan], rx.received);
  assert.deepEqual(hits.map((h) => h.n), Array(30).fill(1), "every delivery exactly once");
  assert.deepEqual(batchOrder(plan, rx.received), { "/a": range(10), "/b": range(10), "/c": range(10) });
  t.diagnostic(`30 deliveries (${(oneCopy / 1e6).toFixed(1)} MB of bodies per target) in ${ms} ms with 2 worker processes`);

  // Graceful stop: both exit 0.
  const stopAt = Date.now();
  const ends = await Promise.all(workers.map((w) => w.stop("SIGTERM")));
  assert.deepEqual(ends.map((e) => e.code), [0, 0], workers.map((w) => w.err).join("\n"));
  assert.match(workers[0].out + workers[1].out, /worker: stopped; \d+ delivered, 0 failed/);
  t.diagnostic(`workers stopped in ${Date.now() - stopAt} ms`);
});

test("kill -9 of a worker in the middle of a 5000-task import: every delivery still arrives, byte-identical; repeats are re-sends of the same delivery", { skip, timeout: 60000 }, async (t) => {
  const redis = await startRedis(t);
  const rx = await startReceiver(t, { delayMs: 100 });
  const plan = lib.buildDeliveries(tasksEvent({ n: 5000, batchSize: 500, urls: ["a", "b", "c"].map((p) => `${rx.url}/${p}`) }));
  t.after(() => queue.close());
  await queue.enqueue(plan, { connection: redis.url });

  // Worker A alone takes every target's next delivery; B starts, and A is killed while it
  // holds them (the receiver answers after 100 ms).
  const a = spawnWorker(t, redis.url);
  await until(() => rx.received.length >= 6, 20000, "6 deliveries");
  const b = spawnWorker(t, redis.url);
  await sleep(50);
  const killedAt = Date.now();
  const before = rx.received.length;
  assert.equal((await a.stop("SIGKILL")).signal, "SIGKILL");
  const active = (await queue.queueCounts({ connection: redis.url })).active;
  assert.ok(active >= 1, "the killed worker had jobs under way");

  await until(() => matchDeliveries([plan], rx.received).every((h) => h.n >= 1), 40000, "every delivery at least once");
  const recoveredMs = Date.now() - killedAt;
  const hits = matchDeliveries([plan], rx.received);
  const repeats = hits.reduce((n, h) => n + h.n - 1, 0);
  assert.ok(hits.every((h) => h.n <= 2), "no delivery more than twice");
  await until(async () => (await queue.queueCounts({ connection: redis.url })).completed === 30, 10000, "30 completed jobs");
  const c = await queue.queueCounts({ connection: redis.url });
  assert.equal(c.failed, 0);
  assert.match(b.out, /stalled t\d-/, "worker B recovered the killed worker's jobs as stalled");
  // Recovery preserves each target's order: a recovered job goes back to the head of its queue.
  assert.deepEqual(batchOrder(plan, rx.received), { "/a": range(10), "/b": range(10), "/c": range(10) });
  t.diagnostic(`killed after ${before} requests with ${active} jobs active; all 30 delivered ${recoveredMs} ms later; ${repeats} repeated`);
  assert.equal((await b.stop("SIGTERM")).code, 0);
});

test("Redis restarted mid-run (SIGTERM, appendonly): producer and workers reconnect, nothing enqueued is lost", { skip, timeout: 60000 }, async (t) => {
  const redis = await startRedis(t);
  const rx = await startReceiver(t, { delayMs: 50 });
  const urls = ["a", "b", "c"].map((p) => `${rx.url}/${p}`);
  const plan1 = lib.buildDeliveries(tasksEvent({ n: 1000, batchSize: 100, urls }));
  const plan2 = lib.buildDeliveries(tasksEvent({ n: 500, batchSize: 100, urls, from: 1000 }));
  t.after(() => queue.close());
  await queue.enqueue(plan1, { connection: redis.url });
  const workers = [spawnWorker(t, redis.url), spawnWorker(t, redis.url)];
  await until(() => rx.received.length >= 6, 20000, "6 deliveries");

  const down = await redis.stop("SIGTERM");
  assert.equal(down.code, 0, "redis-server shut down cleanly (AOF written)");
  const whileDown = rx.received.length;
  // The producer enqueues while Redis is away: the call waits for it.
  let enqueued = null;
  const pending = queue.enqueue(plan2, { connection: redis.url }).then((ids) => { enqueued = ids; });
  await sleep(1000);
  assert.equal(enqueued, null);
  const again = await startRedis(t, { port: redis.port, dir: redis.dir });
  await pending;
  assert.equal(enqueued.length, 15);

  await until(() => matchDeliveries([plan1, plan2], rx.received).every((h) => h.n >= 1), 30000, "every delivery of both events");
  const hits = matchDeliveries([plan1, plan2], rx.received);
  await until(async () => (await queue.queueCounts({ connection: again.url })).completed === 45, 10000, "45 completed jobs");
  t.diagnostic(`${whileDown} of 30 delivered when Redis stopped; after the restart all 45 arrived, ` +
    `${hits.reduce((n, h) => n + h.n - 1, 0)} repeated`);
  const ends = await Promise.all(workers.map((w) => w.stop("SIGTERM")));
  assert.deepEqual(ends.map((e) => e.code), [0, 0]);
});

test("a target that never answers does not delay the others by more than one timeout, and holds one slot", { skip, timeout: 60000 }, async (t) => {
  const redis = await startRedis(t);
  const rx = await startReceiver(t);
  const urls = [`${rx.url}/hang`, `${rx.url}/a`, `${rx.url}/b`];
  const worker = queue.createWorker({ connection: redis.url, concurrency: 2 });
  t.after(() => worker.close(true));
  t.after(() => queue.close());
  await worker.ready;

  const sentAt = new Map();
  const plans = [];
  for (let i = 0; i < 8; i++) {
    const plan = lib.buildDeliveries(projectUpdated(`update ${i}`, urls));
    plans.push(plan);
    sentAt.set(bodyBuf(plan.deliveries[1].body).toString("base64"), Date.now());
    await queue.enqueue(plan, { connection: redis.url });
    await sleep(100);
  }
  const healthy = () => rx.received.filter((g) => !g.path.startsWith("/hang"));
  await until(() => healthy().length >= 16, 5000, "the 16 deliveries to the healthy targets");
  const lateness = healthy().map((g) => g.at - sentAt.get(g.body.toString("base64")));
  const worst = Math.max(...lateness);
  assert.ok(worst < 1000, `a healthy delivery arrived ${worst} ms after it was enqueued`);
  for (const p of ["/a", "/b"]) {
    const titles = healthy().filter((g) => g.path === p).map((g) => JSON.parse(g.body).project.title);
    assert.deepEqual(titles, range(8).map((i) => `update ${i}`), `${p} in event order`);
  }
  assert.equal(rx.open.maxHang, 1, "the hanging target never had more than one request in flight");
  assert.ok(rx.open.maxAll <= 2, `the worker (2 slots) had ${rx.open.maxAll} requests in flight at once`);
  await until(async () => (await queue.queueCounts({ connection: redis.url })).failed >= 2, 5000, "two timeouts");
  const c = await queue.queueCounts({ connection: redis.url });
  const hang = Object.values(c.targets).find((x) => x.url.endsWith("/hang"));
  assert.ok(hang.failed >= 2 && hang.active <= 1, JSON.stringify(hang));
  t.diagnostic(`healthy deliveries arrived at most ${worst} ms after enqueue while /hang timed out ${hang.failed} times`);
  await worker.close();
});

test("signed deliveries are signed anew when sent: a job enqueued an hour ago keeps its webhook-id and gets a fresh timestamp (in process and the worker command)", { skip, timeout: 60000 }, async (t) => {
  const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const redis = await startRedis(t);
  const rx = await startReceiver(t);
  t.after(() => queue.close());
  const hourAgo = Math.floor(Date.now() / 1000) - 3600;
  const enqueueSigned = async (title) => {
    const plan = lib.buildDeliveries(projectUpdated(title, [`${rx.url}/a`]), { signing: { secret: SECRET, timestamp: hourAgo } });
    await queue.enqueue(plan, { connection: redis.url });
    return plan.deliveries[0];
  };
  const arrived = (d) => until(() => rx.received.some((g) => g.body.equals(bodyBuf(d.body))), 10000, "the delivery");
  const got = (d) => rx.received.find((g) => g.body.equals(bodyBuf(d.body)));
  const verify = (g) => {
    try { lib.verifyWebhook({ headers: g.headers, body: g.body, secret: SECRET }); return "ok"; } catch (e) { return e.code; }
  };

  // Without the secrets, a worker sends the headers of the plan: an hour old, refused by a receiver.
  const plain = queue.createWorker({ connection: redis.url });
  const old = await enqueueSigned("sent as planned");
  await arrived(old);
  await plain.close();
  assert.equal(got(old).headers["webhook-timestamp"], String(hourAgo));
  assert.equal(verify(got(old)), "TIMESTAMP_OUT_OF_TOLERANCE");

  // With them, in process: the same id, a timestamp of now, a signature that verifies; the body as planned.
  const worker = queue.createWorker({ connection: redis.url, signing: { secret: SECRET } });
  t.after(() => worker.close(true));
  const d = await enqueueSigned("signed anew");
  await arrived(d);
  await worker.close();
  const g = got(d);
  assert.equal(g.headers["webhook-id"], d.headers["webhook-id"]);
  assert.ok(Math.abs(Number(g.headers["webhook-timestamp"]) - Date.now() / 1000) < 30, g.headers["webhook-timestamp"]);
  assert.equal(verify(g), "ok");
  assert.equal(g.headers.authorization, d.headers.Authorization, "the webhook's own headers as planned");
  assert.throws(() => queue.createWorker({ connection: redis.url, signing: { secret: "whsec_%%" } }), (e) => e.code === "INVALID_ARGUMENT");

  // The worker command, with the secret in an environment variable.
  process.env.LSW_TEST_SECRET = SECRET; // the worker process inherits this environment
  t.after(() => { delete process.env.LSW_TEST_SECRET; });
  const w = spawnWorker(t, redis.url, ["--signing-secret-env", "LSW_TEST_SECRET"]);
  const d2 = await enqueueSigned("signed anew by the command");
  await arrived(d2).catch(async (e) => { await w.stop(); throw new Error(`${e.message}\n${w.out}\n${w.err}`); });
  await w.stop();
  assert.equal(verify(got(d2)), "ok");
  assert.ok(!w.out.includes(SECRET.slice(6)) && !w.err.includes(SECRET.slice(6)), "the secret is never printed");
});

test("a receiver answering 500 and one refusing connections: no retry by default; attempts 3 with growing delays; failed set; redeliver", { skip, timeout: 60000 }, async (t) => {
  const redis = await startRedis(t);
  const rx = await startReceiver(t);
  const refused = await refusedUrl();
  const events = [];
  const worker = queue.createWorker({ connection: redis.url });
  worker.on("failed", (e) => events.push(e));
  t.after(() => worker.close(true));
  t.after(() => queue.close());
  await worker.ready;
  const urls = [`${rx.url}/500-once`, refused];

  // Default: one try each, then the failed set with the reason.
  const plan1 = lib.buildDeliveries(projectUpdated("no retry", urls));
  const ids1 = await queue.enqueue(plan1, { connection: redis.url });
  await until(async () => (await queue.queueCounts({ connection: redis.url })).failed === 2, 5000, "2 failed jobs");
  await sleep(1500); // no retry comes
  assert.equal(rx.received.filter((g) => g.path === "/500-once").length, 1);
  const byJob = Object.fromEntries(events.map((e) => [e.jobId, e]));
  assert.match(byJob[ids1[0]].error.message, /^HTTP 500 Internal Server Error$/);
  assert.match(byJob[ids1[1]].error.message, /ECONNREFUSED/);
  assert.ok(byJob[ids1[0]].final && byJob[ids1[1]].final);
  const failedReason = (id) => {
    const name = queue.targetQueueName(plan1.deliveries[ids1.indexOf(id)].webhookId, plan1.deliveries[ids1.indexOf(id)].url);
    return redisCliRaw(redis, "HGET", `lsw:${name}:${id}`, "failedReason");
  };
  assert.equal(failedReason(ids1[0]), "HTTP 500 Internal Server Error");
  assert.match(failedReason(ids1[1]), /ECONNREFUSED/);

  // attempts: 3 — three tries with growing delays, then the failed set.
  const urls3 = [`${rx.url}/500-thrice`, refused];
  const plan3 = lib.buildDeliveries(projectUpdated("three tries", urls3));
  // Exponential with 20 % jitter: the first wait is 320-400 ms, the second 640-800 ms.
  const backoff = { type: "exponential", delay: 400, jitter: 0.2 };
  const ids3 = await queue.enqueue(plan3, { connection: redis.url, attempts: 3, backoff });
  await until(async () => (await queue.queueCounts({ connection: redis.url })).failed === 4, 10000, "4 failed jobs");
  await sleep(1000);
  const tries = rx.received.filter((g) => g.path === "/500-thrice").map((g) => g.at);
  assert.equal(tries.length, 3);
  const gaps = [tries[1] - tries[0], tries[2] - tries[1]];
  assert.ok(gaps[0] >= 320 && gaps[1] >= 640 && gaps[1] > gaps[0], `delays between tries: ${gaps}`);
  t.diagnostic(`delays between the 3 tries: ${gaps.join(" ms, ")} ms`);
  for (const id of ids3) {
    const mine = events.filter((e) => e.jobId === id);
    assert.deepEqual(mine.map((e) => [e.attempt, e.final]), [[1, false], [2, false], [3, true]]);
  }

  // redeliver: the failed job is sent again, once; the receiver is fixed now.
  rx.state.fixed = true;
  let completed = 0;
  worker.on("completed", () => completed++);
  const r = await queue.redeliver(ids1[0], { connection: redis.url });
  assert.equal(r.was, "failed");
  await until(() => completed === 1, 5000, "the redelivered job to complete");
  assert.equal(rx.received.filter((g) => g.path === "/500-once").length, 2);
  const again = rx.received.filter((g) => g.path === "/500-once")[1];
  assert.deepEqual(again.body, bodyBuf(plan1.deliveries[0].body));
  await assert.rejects(queue.redeliver("dnope", { connection: redis.url }), /no job dnope/);
  await sleep(300);
  const c = await queue.queueCounts({ connection: redis.url });
  assert.deepEqual([c.completed, c.failed, c.waiting, c.active, c.delayed], [1, 3, 0, 0, 0]);
  await worker.close();
});

test("the CLI pieces: send --queue prints the job ids; queue counts (table, --json), --failed, --redeliver; usage errors; a clear error without bullmq", { skip, timeout: 30000 }, async (t) => {
  const { enqueueFromPlan, queueCommand, workerCommand } = require(COMMANDS);
  const redis = await startRedis(t);
  t.after(() => queue.close());
  const plan = lib.buildDeliveries(tasksEvent({ n: 12, batchSize: 5, urls: ["http://127.0.0.1:9/a", "http://127.0.0.1:9/b"] }));
  const run = async (fn, args) => {
    const out = [], err = [];
    const code = await fn(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  };
  const sent = await run((a, io) => enqueueFromPlan(plan, a, io), ["--queue", redis.url, "--attempts", "2", "--timeout", "2.5"]);
  assert.equal(sent.code, 0);
  assert.equal(sent.out.length, 6);
  assert.match(sent.err[0], /^TASKS_CREATED: 6 deliveries to 2 targets \(3 batches\) enqueued on redis:.*, 2 attempts each; 0 webhooks skipped$/);
  const name = queue.targetQueueName(1, "http://127.0.0.1:9/a");
  const data = JSON.parse(redisCliRaw(redis, "HGET", `lsw:${name}:${sent.out[0]}`, "data"));
  assert.deepEqual([data.timeoutMs, data.batch, data.ssrfProtection, data.action], [2500, 0, false, "TASKS_CREATED"]);
  assert.equal(JSON.parse(redisCliRaw(redis, "HGET", `lsw:${name}:${sent.out[0]}`, "opts")).attempts, 2);

  const json = await run(queueCommand, ["--redis", redis.url, "--json"]);
  assert.equal(json.code, 0);
  const counts = JSON.parse(json.out.join("\n"));
  assert.deepEqual([counts.waiting, counts.active, counts.completed, counts.failed, counts.delayed], [6, 0, 0, 0, 0]);
  assert.equal(counts.targets[name].url, "http://127.0.0.1:9/a");
  const table = await run(queueCommand, ["--redis", redis.url]);
  assert.match(table.out[0], /^QUEUE\s+WEBHOOK\s+WAITING\s+ACTIVE\s+COMPLETED\s+FAILED\s+DELAYED\s+URL$/);
  assert.match(table.out.at(-1), /^total\s+6\s+0\s+0\s+0\s+0$/);

  // A worker whose every send fails: two tries each, then the failed set; --failed lists
  // them, --redeliver sends one again.
  const worker = queue.createWorker({ connection: redis.url, fetch: async () => ({ ok: false, status: 503, statusText: "Service Unavailable", ms: 1, error: null }) });
  t.after(() => worker.close(true));
  await until(async () => (await queue.queueCounts({ connection: redis.url })).failed === 6, 10000, "6 failed jobs");
  await worker.close();
  const failed = await run(queueCommand, ["--redis", redis.url, "--failed"]);
  assert.equal(failed.out.length, 6);
  assert.match(failed.out[0], /^\d{4}-\d\d-\d\dT\S+  d[0-9a-f]{40}  webhook [12] batch [123]  TASKS_CREATED  2 tries: HTTP 503 Service Unavailable  http:\/\/127\.0\.0\.1:9\/[ab]$/);
  const again = await run(queueCommand, ["--redis", redis.url, "--redeliver", sent.out[0]]);
  assert.equal(again.code, 0);
  assert.equal(again.out[0], `redelivering ${sent.out[0]} (was failed) on ${name}`);
  const c2 = await queue.queueCounts({ connection: redis.url });
  assert.deepEqual([c2.waiting, c2.failed], [1, 5]);
  const nope = await run(queueCommand, ["--redis", redis.url, "--redeliver", "dnope"]);
  assert.equal(nope.code, 1);
  assert.match(nope.err[0], /^ls-webhooks: queue: no job dnope/);

  const saved = process.env.REDIS_URL;
  delete process.env.REDIS_URL;
  try {
    for (const [fn, args, re] of [
      [queueCommand, [], /^ls-webhooks: queue: --redis URL is needed/],
      [queueCommand, ["--redis", "http://127.0.0.1:1"], /redis:\/\/ or rediss:\/\//],
      [workerCommand, ["--redis", redis.url, "--concurrency", "0"], /--concurrency takes an integer >= 1/],
      [(a, io) => enqueueFromPlan(plan, a, io), ["--queue", redis.url, "--retry"], /unknown option --retry/],
    ]) {
      const r = await run(fn, args);
      assert.equal(r.code, 2);
      assert.match(r.err.join("\n"), re);
    }
  } finally {
    if (saved !== undefined) process.env.REDIS_URL = saved;
  }
  const refused = await run(queueCommand, ["--redis", `redis://127.0.0.1:${await freePort()}`]);
  assert.equal(refused.code, 1);
  assert.match(refused.err[0], /^ls-webhooks: queue: cannot use Redis at redis:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED/);

  // Without bullmq installed: a message that says what to install.
  const r = spawnSync(process.execPath, ["-e", `
    const Module = require("module");
    const load = Module._load;
    Module._load = function (request, ...rest) {
      if (request === "bullmq") { const e = new Error("Cannot find module 'bullmq'"); e.code = "MODULE_NOT_FOUND"; throw e; }
      return load.call(this, request, ...rest);
    };
    require(${JSON.stringify(QUEUE)}).enqueue({ deliveries: [] }, { connection: "redis://127.0.0.1:1" })
      .then(() => console.log("no error"), (e) => console.log(e.message));
    require(${JSON.stringify(COMMANDS)}).queueCommand(["--redis", "redis://127.0.0.1:1"]).then((code) => console.log("exit", code));
  `], { encoding: "utf8" });
  assert.match(r.stdout, /ls-webhooks\/queue needs the bullmq and ioredis packages .*: npm install bullmq ioredis/);
  assert.match(r.stderr, /ls-webhooks: the queue needs the bullmq and ioredis packages .*: npm install bullmq ioredis/);
  assert.match(r.stdout, /exit 2/);
});

test("the ls-webhooks command end to end: send --queue enqueues, a worker process sends it, queue --json counts it", { skip, timeout: 30000 }, async (t) => {
  const { runCli } = await import("./loopback.mjs");
  const redis = await startRedis(t);
  const rx = await startReceiver(t);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lsw-cli-")), "event.json");
  fs.writeFileSync(file, tasksEvent({ n: 7, batchSize: 3, urls: [`${rx.url}/a`, `${rx.url}/b`] }));
  const sent = await runCli(["send", file, "--queue", redis.url]);
  assert.equal(sent.code, 0, sent.stderr);
  const plan = lib.buildDeliveries(new Uint8Array(fs.readFileSync(file)));
  assert.equal(plan.deliveries.length, 6);
  assert.equal(sent.stdout.trim().split("\n").filter(Boolean).length, 6, sent.stdout); // one job id a line
  const worker = spawn(process.execPath, [path.join(ROOT, "js", "cli.js"), "worker", "--redis", redis.url], { stdio: "ignore" });
  children.add(worker);
  t.after(() => worker.kill("SIGKILL"));
  await until(() => rx.received.length >= 6, 15000, "6 deliveries");
  assert.ok(matchDeliveries([plan], rx.received).every((p) => p.n >= 1), "every delivery arrived byte for byte");
  const counts = await runCli(["queue", "--redis", redis.url, "--json"]);
  assert.equal(counts.code, 0, counts.stderr);
  assert.equal(JSON.parse(counts.stdout).completed, 6);
  worker.kill("SIGTERM");
});

test("the example backend with REDIS_URL: its API enqueues on Redis, a worker sends, byte for byte", { skip, timeout: 30000 }, async (t) => {
  // The example as a user has it: its files beside node_modules/ls-webhooks (here pkg/).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lsw-example-queue-"));
  const example = path.join(ROOT, "examples", "node-backend");
  for (const f of fs.readdirSync(example)) if (f.endsWith(".js") || f === "package.json") fs.copyFileSync(path.join(example, f), path.join(dir, f));
  fs.mkdirSync(path.join(dir, "node_modules"));
  fs.symlinkSync(path.join(ROOT, "pkg"), path.join(dir, "node_modules", "ls-webhooks"), "dir");
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const redis = await startRedis(t);
  const rx = await startReceiver(t);
  const { createApp } = await import(path.join(dir, "server.js"));
  const { createQueueDeliverer } = await import(path.join(dir, "deliver.js"));
  const plans = [];
  const queued = await createQueueDeliverer({ redisUrl: redis.url, log: () => {} });
  const deliver = (plan) => { plans.push(plan); return queued(plan); };
  Object.assign(deliver, { idle: queued.idle, close: queued.close, stats: queued.stats });
  const app = createApp({ deliver, webhookOptions: { ssrfProtection: false }, log: () => {} });
  await new Promise((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  t.after(async () => { app.server.closeAllConnections(); app.server.close(); await queued.close(); });
  const base = `http://127.0.0.1:${app.server.address().port}`;
  const api = (method, url, body) => fetch(base + url, { method, body: JSON.stringify(body), headers: { "content-type": "application/json" } });
  assert.equal((await api("POST", "/api/webhooks", { url: `${rx.url}/org` })).status, 201);
  const project = await (await api("POST", "/api/projects", { title: "Queued" })).json();
  assert.equal((await api("POST", `/api/projects/${project.id}/import`, [{ text: "a" }, { text: "b" }])).status, 201);
  await queued.idle();
  const w = spawnWorker(t, redis.url);
  const want = plans.flatMap((p) => p.deliveries);
  assert.ok(want.length >= 2, `${want.length} deliveries planned`);
  await until(() => rx.received.length >= want.length, 15000, `${want.length} deliveries`);
  assert.ok(matchDeliveries(plans, rx.received).every((p) => p.n >= 1), "every planned delivery arrived byte for byte");
  await w.stop();
});
