// ls-webhooks/queue: the deliveries of a plan through BullMQ on Redis, for any number of
// worker processes on any number of machines. Optional: needs `bullmq` and `ioredis`
// (peer dependencies, loaded only when this module is used).
//
// Layout in Redis (prefix "lsw" by default):
//   lsw:body:<sha256>   each distinct batch body ONCE (a 5000-task batch to 3 targets is one
//                       value, not three), with an expiry (bodyTtlSeconds, refreshed when the
//                       same body is enqueued again);
//   lsw:targets         the registry: a hash, target queue name -> {"webhookId","url"};
//   lsw:<target>:...    one BullMQ queue per target (name "t<webhookId>-<sha256(url)[:16]>"),
//                       one small job per delivery: {webhookId, url, method, headers, bodyKey,
//                       batch, deliveryId, ssrfProtection, timeoutMs, action};
//   lsw:wake            a pub/sub channel: producers name the target queues they filled.
//
// Isolation. Groups are a BullMQ Pro feature; with open-source BullMQ each target gets its
// own queue, and each target queue a global concurrency (queue.setGlobalConcurrency,
// default 1): however many workers run, a target never has more deliveries in flight than
// that, so a target that hangs holds at most that many worker slots in the whole cluster
// (each for at most timeoutMs) and the other targets keep the rest.
//
// Workers. createWorker() is one object per process with `concurrency` slots shared by all
// targets. It opens a BullMQ Worker per target queue and fetches jobs itself
// (worker.getNextJob(token, {block: false}), BullMQ's manual-fetching pattern) only when a
// slot is free, round-robin over the targets that may have work: a job never waits for a
// local slot while holding its target's global slot, and a process never has more than
// `concurrency` requests in flight. Targets with work are known from the wake channel,
// from BullMQ's next-delayed-job timestamp (retries), and from a poll every pollMs (new
// target queues, jobs recovered from dead workers). Locks are extended while a request
// runs; each target queue's stalled-job checker runs in every worker process.
//
// Ordering. With the default global concurrency 1 a target gets its deliveries one at a
// time in the order they were enqueued: one event's batches in order, as Label Studio sends
// them (events enqueued concurrently by several producers interleave, each in order). A
// job recovered from a dead worker goes back to the head of its queue, so the order holds.
// A retried delivery (attempts > 1) goes to the back of its queue after its back-off: the
// target's later deliveries do not wait for it. Different targets are independent.
//
// At least once. A worker killed (SIGKILL, power loss) while sending leaves its jobs active;
// they come back through BullMQ's stalled-job recovery once their lock has expired: between
// lockDuration and lockDuration + stalledInterval (10 s and 5 s here, so 10-15 s; BullMQ's
// own defaults, 30 s and 30 s, make it up to a minute). The request may already have
// reached the receiver, so it can arrive twice. The delivery id is NOT sent: headers stay
// byte-exact as Label Studio sends them, so a receiver drops repeats by the body (the same
// bytes to the same URL, e.g. a hash of the body kept for a few minutes), or, for signed
// deliveries (options.signing), by their webhook-id. A worker given the secrets (`signing`)
// signs each attempt anew, so a late retry still passes the receiver's timestamp check. maxStalledCount 2:
// a delivery survives two crashes in a row before it lands in the failed set.
//
// Durability. Run Redis with appendonly yes: a restarted Redis gives back every job and lock
// (the tests SIGTERM it mid-run); producers wait through a restart (about 30 s at most,
// then enqueue rejects), workers wait as long as it takes. The delivery id is stable (sha256
// of action, webhook id, url, batch and body hash, plus `eventId` if given): enqueueing the
// same event again is a no-op while its jobs exist (completed ones for removeOnComplete.age,
// 1 h by default). Two distinct events with byte-identical bodies need an `eventId` to be
// both sent.
//
// Cost. Redis: each distinct body once, plus about 1.4 KiB per job (BullMQ's job hash and
// its events stream). Per worker process: a Redis connection per target queue, plus two.
//
// Semantics by default are Label Studio's: a 1 s timeout, no retry, a failure recorded (in
// BullMQ's failed set, with the reason), never thrown at the producer. Opt-in retries:
// `attempts` with exponential back-off and jitter. Completed jobs expire (removeOnComplete),
// failed jobs are kept as long as their bodies (removeOnFail), bodies expire (bodyTtlSeconds).
"use strict";
const crypto = require("crypto");
const { EventEmitter } = require("events");

const INSTALL_HINT = "ls-webhooks/queue needs the bullmq and ioredis packages " +
  "(optional peer dependencies of ls-webhooks): npm install bullmq ioredis";

let bullmq, IORedis;
/** bullmq and ioredis, or an Error that says how to get them. */
function load() {
  if (bullmq && IORedis) return { bullmq, IORedis };
  try {
    IORedis = require("ioredis");
    IORedis = IORedis.default || IORedis.Redis || IORedis;
    bullmq = require("bullmq");
  } catch (e) {
    bullmq = IORedis = undefined;
    throw new Error(INSTALL_HINT, { cause: e });
  }
  if (typeof bullmq.Queue !== "function" || typeof bullmq.Worker !== "function" ||
      typeof bullmq.Queue.prototype.setGlobalConcurrency !== "function") {
    bullmq = undefined;
    throw new Error(`${INSTALL_HINT} (the bullmq found has no Queue.setGlobalConcurrency: BullMQ 5.x or 6.x is needed)`);
  }
  return { bullmq, IORedis };
}

const DEFAULT_PREFIX = "lsw";
/** Label Studio's WEBHOOK_TIMEOUT. */
const DEFAULT_TIMEOUT_MS = 1000;
const DEFAULT_BODY_TTL_S = 86400;
/** Used when attempts > 1 and no backoff is given: about 1 s, 2 s, 4 s ... (each 50-100 % of that). */
const DEFAULT_BACKOFF = Object.freeze({ type: "exponential", delay: 1000, jitter: 0.5 });
/** Completed jobs: kept an hour (re-enqueueing the same event within it is a no-op), at most 1000 per target. */
const DEFAULT_REMOVE_ON_COMPLETE = Object.freeze({ age: 3600, count: 1000 });
/** How often a producer re-registers a target it keeps using (the registry survives a flushed Redis). */
const REGISTER_EVERY_MS = 60000;

const sha256 = (data) => crypto.createHash("sha256").update(data).digest("hex");

const keys = (prefix) => ({
  targets: `${prefix}:targets`,
  wake: `${prefix}:wake`,
  body: (hash) => `${prefix}:body:${hash}`,
});

/** The target queue of a webhook: its id and a hash of its URL (BullMQ names cannot hold ':'). */
function targetQueueName(webhookId, url) {
  return `t${webhookId}-${sha256(String(url)).slice(0, 16)}`;
}

/**
 * The stable id of a delivery: the same event, target and batch give the same id, which is
 * the BullMQ job id (so enqueueing an event again is a no-op while its jobs exist).
 */
function deliveryIdOf(action, d, bodyHash, eventId) {
  const parts = [action, d.webhookId, d.url, d.batch, bodyHash];
  if (eventId !== undefined && eventId !== null) parts.push(String(eventId));
  return `d${sha256(parts.join("\n")).slice(0, 40)}`;
}

function checkPrefix(prefix) {
  if (typeof prefix !== "string" || !prefix || prefix.includes(":")) {
    throw new TypeError(`ls-webhooks/queue: prefix must be a non-empty string without ':', got ${JSON.stringify(prefix)}`);
  }
  return prefix;
}

function positiveInt(name, v, min = 1) {
  if (!Number.isInteger(v) || v < min) throw new TypeError(`ls-webhooks/queue: ${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

// ---- connections ----

const isClient = (c) => c && typeof c === "object" && typeof c.duplicate === "function" && typeof c.sendCommand === "function";
/** Reconnect quickly (a restarted Redis is back in a second or two), at most every 2 s. */
const retryStrategy = (times) => Math.min(200 * times, 2000);

/**
 * An ioredis client for `connection`: a redis:// URL, ioredis options (`{host, port}`, or
 * `{url, ...}`), or an ioredis client (used as is by producers; workers use a duplicate when
 * its maxRetriesPerRequest is not null, as BullMQ requires). Returns {client, owned}.
 *
 * Producers: a command waits through a Redis restart and fails after 20 reconnection
 * attempts (about 30 s). Workers: commands wait for Redis as long as it takes.
 */
function openClient(connection, { worker = false } = {}) {
  const { IORedis } = load();
  if (connection === undefined || connection === null) {
    throw new TypeError("ls-webhooks/queue: a connection is needed (a redis:// URL, ioredis options or an ioredis client)");
  }
  if (isClient(connection)) {
    if (worker && connection.options && connection.options.maxRetriesPerRequest !== null) {
      return { client: connection.duplicate({ maxRetriesPerRequest: null }), owned: true };
    }
    return { client: connection, owned: false };
  }
  const base = { retryStrategy, maxRetriesPerRequest: worker ? null : 20 };
  if (typeof connection === "string") return { client: new IORedis(connection, base), owned: true };
  if (typeof connection === "object") {
    const { url, ...rest } = connection;
    const opts = { ...base, ...rest };
    if (worker) opts.maxRetriesPerRequest = null;
    return { client: url ? new IORedis(url, opts) : new IORedis(opts), owned: true };
  }
  throw new TypeError(`ls-webhooks/queue: unsupported connection ${typeof connection}`);
}

/** QUIT when connected (replies to what was sent first), otherwise just drop the connection. */
async function closeClient(client) {
  if (client.status !== "ready") return client.disconnect();
  await client.quit().catch(() => client.disconnect());
}

// ---- producers ----

/**
 * A producer: enqueue() with one Redis connection and one BullMQ Queue per target queue,
 * kept open between calls. close() ends its connection (unless the caller gave the client).
 */
class Producer {
  constructor({ connection, prefix = DEFAULT_PREFIX } = {}) {
    load();
    this.prefix = checkPrefix(prefix);
    const { client, owned } = openClient(connection);
    this.client = client;
    this.owned = owned;
    this.lastError = null; // the connection's last error (the failing commands reject with their own)
    this.client.on("error", (e) => { this.lastError = e; });
    this.queues = new Map(); // `${prefix}\0${name}` -> Queue
    this.registered = new Map(); // `${prefix}\0${name}` -> {at, concurrency}
    this.closed = false;
  }

  queue(prefix, name) {
    const k = `${prefix}\0${name}`;
    let q = this.queues.get(k);
    if (!q) {
      if (this.closed) throw new Error("ls-webhooks/queue: this producer is closed");
      q = new bullmq.Queue(name, { connection: this.client, prefix });
      q.on("error", () => {}); // the failing call rejects with it
      this.queues.set(k, q);
    }
    return q;
  }

  /** Registers a target queue (the registry hash, its global concurrency), at most once a minute. */
  async register(prefix, name, target, concurrency) {
    const k = `${prefix}\0${name}`;
    const r = this.registered.get(k);
    if (r && r.concurrency === concurrency && Date.now() - r.at < REGISTER_EVERY_MS) return;
    await Promise.all([
      this.client.hset(keys(prefix).targets, name, JSON.stringify(target)),
      this.queue(prefix, name).setGlobalConcurrency(concurrency),
    ]);
    this.registered.set(k, { at: Date.now(), concurrency });
  }

  /**
   * Stores each batch's body once and adds one job per delivery to its target's queue.
   * `src`: a plan from buildDeliveries, or a planBatches iterator (consumed batch by batch,
   * so a large import never holds more than one batch). Returns the job ids (delivery ids),
   * in emission order.
   */
  async enqueue(src, options = {}) {
    const {
      prefix = this.prefix, attempts = 1, backoff, removeOnComplete = DEFAULT_REMOVE_ON_COMPLETE,
      removeOnFail, bodyTtlSeconds = DEFAULT_BODY_TTL_S, timeoutMs = DEFAULT_TIMEOUT_MS,
      targetConcurrency = 1, eventId,
    } = options;
    checkPrefix(prefix);
    positiveInt("attempts", attempts);
    positiveInt("bodyTtlSeconds", bodyTtlSeconds);
    positiveInt("targetConcurrency", targetConcurrency);
    if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new TypeError(`ls-webhooks/queue: timeoutMs must be > 0, got ${timeoutMs}`);
    if (!src || typeof src !== "object") throw new TypeError("ls-webhooks/queue: enqueue takes a plan (buildDeliveries) or a planBatches iterator");
    const isIterator = !Array.isArray(src.deliveries) && typeof src.next === "function";
    if (!isIterator && !Array.isArray(src.deliveries)) {
      throw new TypeError("ls-webhooks/queue: enqueue takes a plan (buildDeliveries) or a planBatches iterator");
    }
    const ctx = {
      prefix, action: src.action, ssrfProtection: src.ssrfProtection !== false, timeoutMs, bodyTtlSeconds,
      targetConcurrency, eventId,
      jobOpts: {
        attempts,
        ...(attempts > 1 ? { backoff: backoff === undefined ? { ...DEFAULT_BACKOFF } : backoff } : {}),
        removeOnComplete,
        // Failed jobs stay as long as their bodies, so that redeliver() can send them again.
        removeOnFail: removeOnFail === undefined ? { age: bodyTtlSeconds, count: 10000 } : removeOnFail,
      },
    };
    const ids = [];
    for (const step of isIterator ? src : batchesOf(src.deliveries)) {
      await this.enqueueBatch(step.deliveries, ctx, ids);
    }
    return ids;
  }

  async enqueueBatch(deliveries, ctx, ids) {
    if (!deliveries.length) return;
    const k = keys(ctx.prefix);
    // One key per distinct body: bodies shared by several targets are one object (or equal text).
    const byBody = new Map(); // body -> key
    const bodies = new Map(); // key -> body
    for (const d of deliveries) {
      if (byBody.has(d.body)) continue;
      const bytes = typeof d.body === "string" ? d.body : Buffer.from(d.body.buffer, d.body.byteOffset, d.body.byteLength);
      const key = k.body(sha256(bytes));
      byBody.set(d.body, key);
      bodies.set(key, bytes);
    }
    await Promise.all([...bodies].map(async ([key, bytes]) => {
      // An existing copy gets a fresh expiry and is not sent again.
      if (!(await this.client.expire(key, ctx.bodyTtlSeconds))) await this.client.set(key, bytes, "EX", ctx.bodyTtlSeconds);
    }));
    const names = new Set();
    const jobs = deliveries.map((d) => {
      const name = targetQueueName(d.webhookId, d.url);
      names.add(name);
      const bodyKey = byBody.get(d.body);
      const deliveryId = deliveryIdOf(ctx.action, d, bodyKey.slice(bodyKey.lastIndexOf(":") + 1), ctx.eventId);
      ids.push(deliveryId);
      return {
        name, target: { webhookId: d.webhookId, url: d.url },
        data: {
          webhookId: d.webhookId, url: d.url, method: d.method, headers: d.headers, bodyKey, batch: d.batch,
          deliveryId, ssrfProtection: ctx.ssrfProtection, timeoutMs: ctx.timeoutMs, action: ctx.action,
        },
      };
    });
    await Promise.all(jobs.map((j) => this.register(ctx.prefix, j.name, j.target, ctx.targetConcurrency)));
    // One job per target per batch; batches are awaited in turn, so each target's queue
    // holds them in emission order.
    await Promise.all(jobs.map((j) => this.queue(ctx.prefix, j.name)
      .add("delivery", j.data, { ...ctx.jobOpts, jobId: j.data.deliveryId })));
    await this.client.publish(k.wake, [...names].join("\n"));
  }

  /** The registry: target queue name -> {webhookId, url}. */
  async targets(prefix = this.prefix) {
    const all = await this.client.hgetall(keys(checkPrefix(prefix)).targets);
    const out = {};
    for (const [name, v] of Object.entries(all)) {
      try { out[name] = JSON.parse(v); } catch { out[name] = {}; }
    }
    return out;
  }

  /** {waiting, active, completed, failed, delayed} summed over the target queues, and `targets` per queue. */
  async counts(prefix = this.prefix) {
    const types = ["waiting", "active", "completed", "failed", "delayed"];
    const total = Object.fromEntries(types.map((t) => [t, 0]));
    const targets = {};
    const registry = await this.targets(prefix);
    await Promise.all(Object.entries(registry).map(async ([name, t]) => {
      const c = await this.queue(prefix, name).getJobCounts(...types);
      const row = { webhookId: t.webhookId, url: t.url };
      for (const type of types) {
        row[type] = c[type] || 0;
        total[type] += row[type];
      }
      targets[name] = row;
    }));
    const sorted = Object.fromEntries(Object.entries(targets).sort(([a], [b]) => a.localeCompare(b)));
    return { ...total, targets: sorted };
  }

  /**
   * The failed jobs, newest first, at most `limit` per target queue: {jobId, queue,
   * webhookId, url, batch, action, attemptsMade, failedReason, finishedOn}.
   */
  async failed(prefix = this.prefix, limit = 100) {
    const out = [];
    for (const name of Object.keys(await this.targets(prefix)).sort()) {
      const jobs = await this.queue(prefix, name).getFailed(0, limit - 1);
      for (const j of jobs) {
        if (!j) continue;
        out.push({
          jobId: j.id, queue: name, webhookId: j.data.webhookId, url: j.data.url, batch: j.data.batch,
          action: j.data.action, attemptsMade: j.attemptsMade, failedReason: j.failedReason, finishedOn: j.finishedOn,
        });
      }
    }
    return out.sort((a, b) => (b.finishedOn || 0) - (a.finishedOn || 0));
  }

  /**
   * Sends a failed (or completed) delivery again, with its attempts reset. Throws when the
   * job is unknown, still pending, or its body has expired.
   */
  async redeliver(jobId, prefix = this.prefix) {
    checkPrefix(prefix);
    const names = Object.keys(await this.targets(prefix));
    const found = await Promise.all(names.map((n) => this.client.exists(`${prefix}:${n}:${jobId}`)));
    const name = names.find((_, i) => found[i]);
    if (!name) throw new Error(`ls-webhooks/queue: no job ${jobId} (removed, expired, or another prefix)`);
    const job = await bullmq.Job.fromId(this.queue(prefix, name), jobId);
    if (!job) throw new Error(`ls-webhooks/queue: no job ${jobId}`);
    const state = await job.getState();
    if (state !== "failed" && state !== "completed") {
      throw new Error(`ls-webhooks/queue: job ${jobId} is ${state}: only a failed or completed job can be redelivered`);
    }
    if (!(await this.client.exists(job.data.bodyKey))) {
      throw new Error(`ls-webhooks/queue: the body of job ${jobId} has expired (bodyTtlSeconds); enqueue the event again`);
    }
    await job.retry(state, { resetAttemptsMade: true, resetAttemptsStarted: true });
    await this.client.publish(keys(prefix).wake, name);
    return { jobId, queue: name, was: state };
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => {})));
    this.queues.clear();
    if (this.owned) await closeClient(this.client);
  }
}

/** A plan's deliveries as {batch, deliveries} steps (they come batch by batch). */
function* batchesOf(deliveries) {
  let i = 0;
  while (i < deliveries.length) {
    const batch = deliveries[i].batch;
    let j = i;
    while (j < deliveries.length && deliveries[j].batch === batch) j++;
    yield { batch, deliveries: deliveries.slice(i, j) };
    i = j;
  }
}

// The producers enqueue(), queueCounts() and redeliver() open, one per connection (a URL,
// options with the same JSON, or a client), until close().
const producers = new Map();
const clientProducers = new WeakMap();
function producerFor(connection, prefix = DEFAULT_PREFIX) {
  if (isClient(connection)) {
    let p = clientProducers.get(connection);
    if (!p || p.closed) clientProducers.set(connection, (p = new Producer({ connection, prefix })));
    producers.set(p, p);
    return p;
  }
  const k = JSON.stringify(connection);
  let p = producers.get(k);
  if (!p || p.closed) producers.set(k, (p = new Producer({ connection, prefix })));
  return p;
}

/** See Producer#enqueue; options also take `connection` (required) and `prefix`. */
async function enqueue(planOrBatches, options = {}) {
  return producerFor(options.connection).enqueue(planOrBatches, options);
}

/** {waiting, active, completed, failed, delayed, targets: {name: {webhookId, url, ...counts}}}. */
async function queueCounts({ connection, prefix = DEFAULT_PREFIX } = {}) {
  return producerFor(connection).counts(prefix);
}

/** Retries a failed job (see Producer#redeliver). */
async function redeliver(jobId, { connection, prefix = DEFAULT_PREFIX } = {}) {
  return producerFor(connection).redeliver(String(jobId), prefix);
}

/** The failed jobs, newest first (see Producer#failed). */
async function failedJobs({ connection, prefix = DEFAULT_PREFIX, limit = 100 } = {}) {
  return producerFor(connection).failed(prefix, limit);
}

/** Closes the connections enqueue(), queueCounts(), failedJobs() and redeliver() opened. */
async function close() {
  const all = [...new Set(producers.values())];
  producers.clear();
  await Promise.all(all.map((p) => p.close()));
}

// ---- workers ----

let safeFetchModule;
function loadSafeFetch() {
  if (!safeFetchModule) safeFetchModule = require("./safe-fetch.js");
  return safeFetchModule;
}

/**
 * The default post: safeFetch (the send-time SSRF guard when the plan was made with it),
 * through connection pools this worker owns, so that close() can end their keep-alive
 * connections (the process then exits at once).
 */
function defaultPoster() {
  const pools = new Map(); // ssrfProtection -> dispatcher
  const post = (delivery, opts) => {
    const m = loadSafeFetch();
    if (typeof m.createGuardedDispatcher !== "function") return m.safeFetch(delivery, opts);
    const key = opts.ssrfProtection !== false;
    let dispatcher = pools.get(key);
    if (!dispatcher) pools.set(key, (dispatcher = m.createGuardedDispatcher({ ssrfProtection: key })));
    return m.safeFetch(delivery, { ...opts, dispatcher });
  };
  post.close = async (force) => {
    const all = [...pools.values()];
    pools.clear();
    await Promise.all(all.map((d) => (force ? d.destroy() : d.close()).catch(() => {})));
  };
  return post;
}

/** Why a send failed, in a few words (the job's failedReason). */
function describeFailure(r, timeoutMs) {
  const e = r.error;
  if (!e) return `HTTP ${r.status}${r.statusText ? ` ${r.statusText}` : ""}`;
  if (e.name === "TimeoutError" || e.name === "AbortError") return `timeout: no response within ${timeoutMs} ms`;
  if (e.code === "SSRF_BLOCKED") return `SSRF_BLOCKED: ${e.message}`;
  const cause = e.cause;
  const code = e.code || (cause && (cause.code || (cause.errors && cause.errors[0] && cause.errors[0].code)));
  const message = (cause && cause.message) || e.message || String(e);
  return code ? `${code}: ${message}` : message;
}

/**
 * Re-signing at send time (the worker's `signing: { secret?, secrets? }`, as the event's
 * options.signing without id and timestamp): a job signed when it was enqueued carries the
 * timestamp of that moment, and a retry, a redelivery or a long wait behind a slow target
 * can take it past a receiver's tolerance (5 minutes in the Standard Webhooks libraries).
 * With the secrets, each attempt keeps the job's webhook-id and is signed anew, now, by the
 * core (signWebhook). Jobs that were not signed, or whose webhook no secret covers, are sent
 * as they are. Returns (job data, body) -> headers, or null without signing.
 */
function signer(signing) {
  if (signing == null) return null;
  if (typeof signing !== "object" || (signing.secret == null && signing.secrets == null)) {
    throw new TypeError("ls-webhooks/queue: signing must be { secret?, secrets?: { [webhookId]: secret } }");
  }
  const lib = require("./wasm-lib.js").loadLib("ls-webhooks/queue");
  const secrets = new Map(Object.entries(signing.secrets || {}).map(([id, s]) => [Number(id), s]));
  // Checked once, here: a bad secret is the caller's error, not a failed delivery.
  for (const s of [signing.secret, ...secrets.values()]) {
    if (s != null) lib.signWebhook({ id: "check", body: "", secret: s, timestamp: 0 });
  }
  return (d, body) => {
    const id = d.headers && d.headers["webhook-id"];
    const secret = secrets.get(d.webhookId) ?? signing.secret;
    if (!id || secret == null) return d.headers;
    return { ...d.headers, ...lib.signWebhook({ id, body, secret }) };
  };
}

/**
 * A worker process's deliverer: `concurrency` slots shared by every target queue (see the
 * head of this file). Events: "completed" and "failed" ({jobId, queue, webhookId, url, batch,
 * attempt, status, ms, error, final}), "error" (Redis and BullMQ errors; they are retried,
 * and only reported when someone listens).
 */
class DeliveryWorker extends EventEmitter {
  constructor({
    connection, concurrency = 8, prefix = DEFAULT_PREFIX, lockDuration = 10000, stalledInterval = 5000,
    maxStalledCount = 2, pollMs = 1000, fetch: post = defaultPoster(), signing = null,
  } = {}) {
    super();
    load();
    this.signer = signer(signing);
    this.prefix = checkPrefix(prefix);
    this.concurrency = positiveInt("concurrency", concurrency);
    this.lockDuration = positiveInt("lockDuration", lockDuration, 1000);
    this.stalledInterval = positiveInt("stalledInterval", stalledInterval, 100);
    this.maxStalledCount = positiveInt("maxStalledCount", maxStalledCount, 0);
    this.pollMs = positiveInt("pollMs", pollMs, 10);
    if (typeof post !== "function") throw new TypeError("ls-webhooks/queue: fetch must be a function (delivery, {timeoutMs, ssrfProtection})");
    this.post = post;
    this.id = crypto.randomUUID();
    this.keys = keys(this.prefix);
    const { client, owned } = openClient(connection, { worker: true });
    this.client = client;
    this.owned = owned;
    this.client.on("error", (e) => this.reportError(e));
    this.lanes = new Map(); // target queue name -> {name, worker, dirty, gen, timer, timerAt}
    this.inFlight = 0; // running deliveries and fetches under way
    this.seq = 0;
    this.rr = 0;
    this.pumping = false;
    this.again = false;
    this.closing = null;
    this.forcing = false;
    this.bodies = new BodyCache(this.client);
    this.idleWaiters = [];
    this.ready = this.start();
    this.ready.catch((e) => this.reportError(e));
  }

  reportError(e) {
    if (this.listenerCount("error") > 0) this.emit("error", e);
  }

  async start() {
    this.sub = this.client.duplicate();
    this.sub.on("error", (e) => this.reportError(e));
    this.sub.on("message", (_channel, message) => {
      let unknown = false;
      for (const name of String(message).split("\n")) {
        const lane = this.lanes.get(name);
        if (lane) this.mark(lane);
        else if (name) unknown = true;
      }
      if (unknown) this.discover().then(() => this.pump(), (e) => this.reportError(e));
      else this.pump();
    });
    await this.sub.subscribe(this.keys.wake);
    await this.discover();
    if (this.closing) return;
    this.poll = setInterval(() => this.tick(), this.pollMs);
    this.pump();
  }

  async tick() {
    if (this.closing) return;
    try {
      await this.discover();
    } catch (e) {
      this.reportError(e);
    }
    for (const lane of this.lanes.values()) this.mark(lane);
    this.pump();
  }

  /** Opens a BullMQ Worker (manual fetching) for each target queue not known yet. */
  async discover() {
    const names = await this.client.hkeys(this.keys.targets);
    for (const name of names) {
      if (this.lanes.has(name) || this.closing) continue;
      const worker = new bullmq.Worker(name, null, {
        connection: this.client, prefix: this.prefix, autorun: false,
        lockDuration: this.lockDuration, stalledInterval: this.stalledInterval, maxStalledCount: this.maxStalledCount,
      });
      worker.on("error", (e) => this.reportError(e));
      worker.on("stalled", (jobId) => this.emit("stalled", { jobId, queue: name }));
      const lane = { name, worker, dirty: true, gen: 0, timer: null, timerAt: 0 };
      this.lanes.set(name, lane);
      worker.startStalledCheckTimer().catch((e) => this.reportError(e));
    }
  }

  /** The lane may have work: fetch from it when a slot is free. */
  mark(lane) {
    lane.dirty = true;
    lane.gen++;
  }

  /** Marks a lane to be tried again at `at` (a retry's back-off, the next delayed job). */
  wakeAt(lane, at) {
    if (this.closing || (lane.timer && lane.timerAt <= at)) return;
    if (lane.timer) clearTimeout(lane.timer);
    lane.timerAt = at;
    lane.timer = setTimeout(() => {
      lane.timer = null;
      this.mark(lane);
      this.pump();
    }, Math.max(0, at - Date.now()) + 5);
    lane.timer.unref(); // the poll keeps a running worker's process alive, not this
  }

  /** Fills the free slots, one job per target per round, round-robin over targets that may have work. */
  pump() {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    (async () => {
      do {
        this.again = false;
        let progress = true;
        while (progress && !this.closing && this.inFlight < this.concurrency) {
          progress = false;
          const lanes = [...this.lanes.values()];
          const start = this.rr % Math.max(1, lanes.length);
          for (let k = 0; k < lanes.length && !this.closing && this.inFlight < this.concurrency; k++) {
            const lane = lanes[(start + k) % lanes.length];
            if (!lane.dirty) continue;
            const token = `${this.id}:${this.seq++}`;
            const gen = lane.gen;
            this.inFlight++; // the slot is taken before the fetch: never more than `concurrency`
            let job;
            try {
              job = await lane.worker.getNextJob(token, { block: false });
            } catch (e) {
              this.reportError(e);
            }
            if (!job) {
              this.inFlight--;
              // Nothing now; unless the lane was marked during the fetch (a job of it just
              // ended, a wake came), in which case it is tried again.
              if (lane.gen === gen) lane.dirty = false;
              // The next delayed job of this queue (a retry's back-off), as BullMQ's fetch
              // reports it (an internal field of Worker; without it the poll finds the job).
              const next = lane.worker.blockUntil;
              if (next && next > Date.now()) this.wakeAt(lane, next);
              continue;
            }
            progress = true;
            this.rr = (start + k + 1) % lanes.length;
            this.run(lane, job, token);
          }
        }
      } while (this.again && !this.closing);
    })().catch((e) => this.reportError(e)).finally(() => {
      this.pumping = false;
      if (this.again && !this.closing) this.pump();
      this.checkIdle();
    });
  }

  /** Runs a job in a slot; the slot then takes the lane's next job when no other lane waits. */
  async run(lane, job, token) {
    try {
      while (job) job = await this.runOne(lane, job, token);
    } finally {
      this.inFlight--;
      this.mark(lane); // its next job, if any
      this.pump();
      this.checkIdle();
    }
  }

  /** True when another target may have work: the slot goes back to the round-robin. */
  othersWaiting(lane) {
    for (const other of this.lanes.values()) if (other !== lane && other.dirty) return true;
    return false;
  }

  /** Sends one job, records the outcome; returns the lane's next job when it was fetched with it. */
  async runOne(lane, job, token) {
    const d = job.data;
    const info = {
      jobId: job.id, queue: lane.name, webhookId: d.webhookId, url: d.url, batch: d.batch,
      attempt: job.attemptsMade + 1, attempts: job.opts.attempts || 1,
    };
    const lock = setInterval(() => {
      job.extendLock(token, this.lockDuration).catch((e) => this.reportError(e));
    }, Math.max(500, this.lockDuration / 2));
    let next;
    try {
      let result, error;
      try {
        result = await this.deliver(d);
      } catch (e) {
        error = e;
      }
      clearInterval(lock);
      // Fetch the lane's next job in the same Redis call (BullMQ's fetchNext, as its own
      // processing loop does) when no other lane waits for a slot: fewer round trips, and
      // fairness is kept (a busy target does not keep a slot others are waiting for).
      const fetchNext = this.canFetchNext(lane) && !this.closing && !this.othersWaiting(lane);
      if (!error) {
        next = await job.moveToCompleted(result, token, fetchNext);
        this.emit("completed", { ...info, ...result, error: null, final: true });
      } else {
        next = await job.moveToFailed(error, token, fetchNext);
        const retrying = !(error instanceof bullmq.UnrecoverableError) && info.attempt < info.attempts;
        if (retrying && job.delay > 0) this.wakeAt(lane, Date.now() + job.delay);
        this.emit("failed", { ...info, status: error.status ?? null, ms: error.ms ?? null, error, final: !retrying });
      }
      // (Fetched while a close began: it is sent too; close() waits for it.)
      if (fetchNext && Array.isArray(next) && next[0]) {
        return await lane.worker.nextJobFromJobData(next[0], next[1], token);
      }
    } catch (e) {
      // Lost the lock (Redis was away past lockDuration): the job was or will be recovered
      // as stalled and sent again. Nothing else to do here.
      this.reportError(e);
    } finally {
      clearInterval(lock);
    }
    return undefined;
  }

  canFetchNext(lane) {
    return typeof lane.worker.nextJobFromJobData === "function";
  }

  /** Loads the body (shared by concurrent jobs of the same batch) and POSTs it. */
  async deliver(d) {
    const body = await this.bodies.get(d.bodyKey);
    try {
      if (!body) {
        throw new bullmq.UnrecoverableError(`the body ${d.bodyKey} has expired (bodyTtlSeconds) before the delivery was sent`);
      }
      const headers = this.signer ? this.signer(d, body) : d.headers;
      const r = await this.post({ url: d.url, method: d.method || "POST", headers, body },
        { timeoutMs: d.timeoutMs || DEFAULT_TIMEOUT_MS, ssrfProtection: d.ssrfProtection !== false });
      if (r && r.ok) return { status: r.status, ms: r.ms };
      const reason = r ? describeFailure(r, d.timeoutMs || DEFAULT_TIMEOUT_MS) : "no answer";
      const e = r && r.error && r.error.code === "SSRF_BLOCKED" ? new bullmq.UnrecoverableError(reason) : new Error(reason);
      e.status = r ? r.status : null;
      e.ms = r ? r.ms : null;
      throw e;
    } finally {
      this.bodies.release(d.bodyKey);
    }
  }

  checkIdle() {
    if (this.inFlight === 0 && !this.pumping) for (const w of this.idleWaiters.splice(0)) w();
  }

  /**
   * Stops fetching, waits for the deliveries under way (each ends within its timeout), then
   * closes the target queues' workers and the connections. With `force` (or a second call
   * with `force` while a graceful close waits), does not wait for the deliveries: they come
   * back as stalled jobs and are sent again.
   */
  close(force = false) {
    if (force) this.forcing = true;
    if (this.closing) {
      if (force) for (const w of this.idleWaiters.splice(0)) w();
      return this.closing;
    }
    this.closing = (async () => {
      // Not waiting for start(): with Redis away it may never end (it stops by itself once
      // it sees `closing`).
      clearInterval(this.poll);
      for (const lane of this.lanes.values()) if (lane.timer) clearTimeout(lane.timer);
      if (!this.forcing && (this.inFlight > 0 || this.pumping)) await new Promise((resolve) => this.idleWaiters.push(resolve));
      await Promise.all([...this.lanes.values()].map((l) => l.worker.close(!!this.forcing).catch((e) => this.reportError(e))));
      this.bodies.clear();
      if (typeof this.post.close === "function") await this.post.close(!!this.forcing);
      if (this.sub) await (this.forcing ? this.sub.disconnect() : closeClient(this.sub));
      if (this.owned) await (this.forcing ? this.client.disconnect() : closeClient(this.client));
      this.emit("closed");
    })();
    return this.closing;
  }
}

/**
 * Bodies by key, loaded once for the jobs that need them at the same time, and kept a few
 * seconds after (the same batch goes to every target), up to `lingerBytes`.
 */
class BodyCache {
  constructor(client, { lingerMs = 3000, lingerBytes = 64 << 20 } = {}) {
    this.client = client;
    this.lingerMs = lingerMs;
    this.lingerBytes = lingerBytes;
    this.entries = new Map(); // key -> {promise, refs, bytes, timer}
    this.lingering = 0;
  }

  get(key) {
    let e = this.entries.get(key);
    if (!e) {
      e = { promise: this.client.getBuffer(key), refs: 0, bytes: 0, timer: null };
      e.promise.then((b) => { e.bytes = b ? b.length : 0; }, () => this.entries.delete(key));
      this.entries.set(key, e);
    }
    if (e.timer) {
      clearTimeout(e.timer);
      e.timer = null;
      this.lingering -= e.bytes;
    }
    e.refs++;
    return e.promise;
  }

  release(key) {
    const e = this.entries.get(key);
    if (!e || --e.refs > 0) return;
    this.lingering += e.bytes;
    e.timer = setTimeout(() => this.drop(key), this.lingerMs);
    e.timer.unref();
    // Over budget: drop the oldest lingering bodies.
    for (const [k, other] of this.entries) {
      if (this.lingering <= this.lingerBytes) break;
      if (other.timer) this.drop(k);
    }
  }

  clear() {
    for (const [k, e] of this.entries) if (e.timer) this.drop(k);
  }

  drop(key) {
    const e = this.entries.get(key);
    if (!e || !e.timer) return;
    clearTimeout(e.timer);
    this.lingering -= e.bytes;
    this.entries.delete(key);
  }
}

/** A process's deliverer over every target queue; see DeliveryWorker. */
function createWorker(options) {
  return new DeliveryWorker(options);
}

/** A producer with its own lifetime (enqueue, counts, redeliver, close). */
function createProducer(options) {
  return new Producer(options);
}

module.exports = {
  enqueue, createWorker, redeliver, queueCounts, failedJobs, close, createProducer,
  targetQueueName, DEFAULT_PREFIX, DEFAULT_TIMEOUT_MS, DEFAULT_BODY_TTL_S, DEFAULT_BACKOFF, DEFAULT_REMOVE_ON_COMPLETE,
};
