// The queue commands of ls-webhooks (BullMQ on Redis, ../queue.js; needs bullmq and ioredis):
//   ls-webhooks worker --redis URL [--concurrency N] [--prefix P] [--verbose]
//   ls-webhooks queue --redis URL [--json] [--failed] [--redeliver JOB_ID] [--prefix P]
//   ls-webhooks send FILE --queue URL [--attempts N] [--timeout S] [--prefix P]   (enqueueFromPlan)
//
// Wiring (js/cli.js), as commands/redeliver.js: each command prints its own errors and
// resolves to the exit code:
//   commands.worker = (lib, rest) => workerCommand(rest)
//   commands.queue = (lib, rest) => queueCommand(rest)
//   in sendCmd, with --queue: return enqueueFromPlan(plan, queueArgs)
"use strict";

// As js/cli.js: 0 ok, 1 Redis could not be used (or a job could not be redelivered), 2 usage.
const EXIT = { OK: 0, FAILED: 1, USAGE: 2 };

const USAGE = `  worker --redis URL [--concurrency N] [--verbose]
                                deliver what is queued in Redis (BullMQ), N requests at a time
                                (default 8, one per target at a time), until SIGINT/SIGTERM
  queue --redis URL [--json] [--failed] [--redeliver JOB_ID]
                                the queue's counts (waiting, active, completed, failed, delayed)
                                in total and per target; --failed lists the failed deliveries;
                                --redeliver sends a failed one again
  send FILE --queue URL [--attempts N]
                                enqueue the deliveries instead of sending them; prints the job ids
  (--prefix P: the Redis key prefix, default lsw; REDIS_URL stands for --redis/--queue)`;

/** ls-webhooks worker --help */
const WORKER_USAGE = `usage: ls-webhooks worker --redis URL [--concurrency N] [--prefix P] [--verbose]
                          [--signing-secret-env NAME | --signing-secret-file PATH]

Delivers what is queued on Redis (BullMQ; ls-webhooks send --queue, ls-webhooks redeliver
--send --queue) until SIGINT or SIGTERM, then lets the deliveries under way finish (a second
signal exits at once). Needs bullmq and ioredis.

  --redis URL           redis:// or rediss:// (default: REDIS_URL)
  --concurrency N       requests at a time (default 8), one per target at a time
  --prefix P            the Redis key prefix (default lsw)
  --verbose             a line for every delivery sent (failures and retries always have one)
  --signing-secret-env NAME, --signing-secret-file PATH
                        re-sign each signed delivery as it is sent: its webhook-id kept, a fresh
                        webhook-timestamp and signature (a retry or a redelivery would otherwise
                        carry the time it was enqueued, past a receiver's 5-minute tolerance).
                        The secret comes from the variable or file, never the command line
  -h, --help            this text

exit codes: 0 stopped by SIGINT/SIGTERM, 2 usage (or bullmq/ioredis missing)`;

/** ls-webhooks queue --help */
const QUEUE_USAGE = `usage: ls-webhooks queue --redis URL [--json] [--failed | --redeliver JOB_ID] [--prefix P]

Without --failed or --redeliver: the queue's counts (waiting, active, completed, failed,
delayed) in total and per target. Needs bullmq and ioredis.

  --redis URL           redis:// or rediss:// (default: REDIS_URL)
  --failed              the failed deliveries, one a line
  --redeliver JOB_ID    send a failed delivery again
  --json                print as JSON
  --prefix P            the Redis key prefix (default lsw)
  -h, --help            this text

exit codes: 0 ok, 1 Redis could not be used (or the job could not be redelivered), 2 usage
  (or bullmq/ioredis missing)`;

class QueueCliError extends Error {
  constructor(message, exitCode = EXIT.USAGE) {
    super(message);
    this.name = "QueueCliError";
    this.exitCode = exitCode;
  }
}

/** The signing options' parser, loaded only when a command needs it. */
const signingArgs = () => require("./signing.js");

function loadQueue() {
  const q = require("../queue.js");
  try {
    require("bullmq");
    require("ioredis");
  } catch {
    throw new QueueCliError("the queue needs the bullmq and ioredis packages (optional peer dependencies " +
      "of ls-webhooks): npm install bullmq ioredis");
  }
  return q;
}

/**
 * Options as {name: value}; `flags` take no value. Unknown options and extra words are errors.
 * With `help`, --help or -h gives { help: true } (the rest unread).
 */
function parse(cmd, args, { values = [], flags = [], help = false }) {
  const out = {};
  for (let i = 0; i < args.length; i++) {
    let a = args[i], v;
    const eq = a.indexOf("=");
    if (a.startsWith("--") && eq > 0) [a, v] = [a.slice(0, eq), a.slice(eq + 1)];
    if (help && v === undefined && (a === "--help" || a === "-h")) return { help: true };
    if (flags.includes(a) && v === undefined) out[a.slice(2)] = true;
    else if (values.includes(a)) {
      if (v === undefined) v = args[++i];
      if (v === undefined) throw new QueueCliError(`${cmd}: ${a} needs a value`);
      if (out[a.slice(2)] !== undefined) throw new QueueCliError(`${cmd}: ${a} given twice`);
      out[a.slice(2)] = v;
    } else throw new QueueCliError(`${cmd}: unknown ${a.startsWith("-") ? "option" : "argument"} ${a}`);
  }
  return out;
}

function redisUrl(cmd, v, option = "--redis") {
  if (v === undefined) v = process.env.REDIS_URL;
  if (!v) throw new QueueCliError(`${cmd}: ${option} URL is needed (e.g. redis://127.0.0.1:6379), or REDIS_URL`);
  if (!/^rediss?:\/\//.test(v)) throw new QueueCliError(`${cmd}: ${option} takes a redis:// or rediss:// URL, got: ${v}`);
  return v;
}

function int(cmd, name, v, min = 1) {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new QueueCliError(`${cmd}: --${name} takes an integer >= ${min}, got: ${v}`);
  return n;
}

/** A short-lived command fails fast when Redis is not there (a worker waits for it instead). */
const oneShot = (url) => ({
  url, maxRetriesPerRequest: 2, connectTimeout: 3000,
  retryStrategy: (times) => (times > 5 ? null : 300),
});

/** A Redis URL as it may be printed: without its user and password. */
function shownUrl(url) {
  return String(url).replace(/\/\/[^@/]*@/, "//");
}

function summary(e) {
  return e && e.message ? e.message : String(e);
}

/** Why Redis could not be used: the connection's own error when there was one (ECONNREFUSED ...). */
function redisFailure(url, producer, e) {
  const conn = producer && producer.lastError;
  return conn ? `cannot use Redis at ${shownUrl(url)}: ${summary(conn)}` : summary(e);
}

/** Runs a command: its QueueCliError is printed (ls-webhooks: ...) and becomes the exit code. */
async function guarded(fn, err) {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof QueueCliError)) throw e;
    err(`ls-webhooks: ${e.message}`);
    return e.exitCode;
  }
}

/**
 * ls-webhooks worker --redis URL [--concurrency N] [--prefix P] [--verbose]: delivers the
 * queued deliveries until SIGINT or SIGTERM, then stops fetching, lets the deliveries under
 * way finish (each within its timeout) and resolves to 0. A second signal exits at once.
 */
function workerCommand(args, { out = console.log, err = console.error } = {}) {
  return guarded(async () => {
    let signingSpec = null;
    let rest = args;
    if (!args.includes("--help") && !args.includes("-h")) {
      try {
        ({ rest, spec: signingSpec } = signingArgs().takeSigningArgs("worker", args, { id: false }));
      } catch (e) {
        if (e instanceof signingArgs().SigningError) throw new QueueCliError(e.message);
        throw e;
      }
    }
    const o = parse("worker", rest, { values: ["--redis", "--concurrency", "--prefix"], flags: ["--verbose"], help: true });
    if (o.help) {
      out(WORKER_USAGE);
      return EXIT.OK;
    }
    const url = redisUrl("worker", o.redis);
    const concurrency = o.concurrency === undefined ? 8 : int("worker", "concurrency", o.concurrency);
    let signing = null;
    if (signingSpec) {
      try {
        const secret = signingArgs().readSecret("worker", signingSpec);
        signing = { secret: signingArgs().signingOptions(require("../wasm-lib.js").loadLib("ls-webhooks worker"), "worker", signingSpec, secret).secret };
      } catch (e) {
        if (e instanceof signingArgs().SigningError) throw new QueueCliError(e.message);
        throw e;
      }
    }
    const q = loadQueue();
    const worker = q.createWorker({ connection: url, concurrency, ...(o.prefix ? { prefix: o.prefix } : {}), ...(signing ? { signing } : {}) });
    let delivered = 0, failed = 0, lastError = "";
    worker.on("completed", (i) => {
      delivered++;
      if (o.verbose) out(`ok      webhook ${i.webhookId} batch ${i.batch + 1}  ${i.status}  ${i.ms} ms  ${i.url}  (${i.jobId})`);
    });
    worker.on("failed", (i) => {
      if (i.final) failed++;
      const what = i.final ? "FAILED" : "retry ";
      out(`${what}  webhook ${i.webhookId} batch ${i.batch + 1}  attempt ${i.attempt}/${i.attempts}: ${summary(i.error)}  ${i.url}  (${i.jobId})`);
    });
    worker.on("stalled", (i) => out(`stalled ${i.queue} ${i.jobId}: recovered from a worker that stopped; it is sent again`));
    worker.on("error", (e) => {
      const m = summary(e);
      if (m !== lastError) err(`worker: ${m}`); // a Redis outage repeats the same line
      lastError = m;
    });
    const stopped = new Promise((resolve) => {
      const stop = (sig) => {
        if (worker.closing) {
          // A second signal: exit now. The deliveries under way come back as stalled jobs
          // (after lockDuration) and are sent again.
          out(`worker: ${sig} again: exiting now; ${worker.inFlight} deliveries under way will be sent again`);
          process.exit(128 + (sig === "SIGINT" ? 2 : 15));
        }
        out(`worker: ${sig}: stopping; waiting for ${worker.inFlight} deliveries under way (${sig} again to exit now)`);
        worker.close(false).then(resolve, resolve);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
      worker.once("closed", () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
      });
    });
    await Promise.race([worker.ready.catch(() => {}), stopped]); // errors are reported above; it keeps retrying
    if (!worker.closing) out(`worker: ${concurrency} slots on ${shownUrl(url)}${o.prefix ? ` (prefix ${o.prefix})` : ""}; SIGINT or SIGTERM to stop`);
    await stopped;
    out(`worker: stopped; ${delivered} delivered, ${failed} failed`);
    return EXIT.OK;
  }, err);
}

/**
 * ls-webhooks queue --redis URL [--json] [--failed] [--redeliver JOB_ID] [--prefix P]: the
 * counts, in total and per target; or the failed deliveries; or sends a failed one again.
 */
function queueCommand(args, { out = console.log, err = console.error } = {}) {
  return guarded(async () => {
    const o = parse("queue", args, { values: ["--redis", "--prefix", "--redeliver"], flags: ["--json", "--failed"], help: true });
    if (o.help) {
      out(QUEUE_USAGE);
      return EXIT.OK;
    }
    const url = redisUrl("queue", o.redis);
    if (o.redeliver !== undefined && o.failed) throw new QueueCliError("queue: --redeliver and --failed go one at a time");
    const q = loadQueue();
    let producer;
    try {
      producer = q.createProducer({ connection: oneShot(url), ...(o.prefix ? { prefix: o.prefix } : {}) });
      if (o.redeliver !== undefined) {
        let r;
        try {
          r = await producer.redeliver(o.redeliver);
        } catch (e) {
          if (producer.lastError) throw e;
          throw new QueueCliError(`queue: ${summary(e).replace(/^ls-webhooks\/queue: /, "")}`, EXIT.FAILED);
        }
        if (o.json) out(JSON.stringify(r));
        else out(`redelivering ${r.jobId} (was ${r.was}) on ${r.queue}`);
        return EXIT.OK;
      }
      if (o.failed) {
        const jobs = await producer.failed();
        if (o.json) {
          out(JSON.stringify(jobs, null, 2));
          return EXIT.OK;
        }
        for (const j of jobs) {
          out(`${new Date(j.finishedOn).toISOString()}  ${j.jobId}  webhook ${j.webhookId} batch ${j.batch + 1}  ` +
            `${j.action}  ${j.attemptsMade} ${j.attemptsMade === 1 ? "try" : "tries"}: ${j.failedReason}  ${j.url}`);
        }
        if (!jobs.length) out("no failed deliveries");
        return EXIT.OK;
      }
      const c = await producer.counts();
      if (o.json) {
        out(JSON.stringify(c, null, 2));
        return EXIT.OK;
      }
      const types = ["waiting", "active", "completed", "failed", "delayed"];
      const rows = Object.entries(c.targets).map(([name, t]) => [name, String(t.webhookId ?? ""), ...types.map((k) => String(t[k])), t.url || ""]);
      rows.push(["total", "", ...types.map((k) => String(c[k])), ""]);
      const head = ["QUEUE", "WEBHOOK", ...types.map((t) => t.toUpperCase()), "URL"];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
      for (const r of [head, ...rows]) out(r.map((v, i) => (i >= 1 && i <= 6 ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join("  ").trimEnd());
      return EXIT.OK;
    } catch (e) {
      if (e instanceof QueueCliError) throw e;
      throw new QueueCliError(`queue: ${redisFailure(url, producer, e)}`, EXIT.FAILED);
    } finally {
      if (producer) await producer.close();
    }
  }, err);
}

/**
 * `ls-webhooks send FILE --queue URL`: enqueues the plan instead of sending it and prints
 * the job ids (delivery ids), one a line, on stdout (a summary on stderr). `args`: the
 * words after FILE (--queue/--redis URL, --attempts N, --timeout S, --prefix P), or an
 * object {queue, attempts, timeoutMs, prefix}. `eventId` (send's --signing-id): the event's
 * id, part of each delivery id, so the same bodies enqueued as another event are new jobs.
 */
function enqueueFromPlan(plan, args = [], { out = console.log, err = console.error, eventId } = {}) {
  return guarded(async () => {
    let o;
    if (Array.isArray(args)) {
      o = parse("send", args, { values: ["--queue", "--redis", "--attempts", "--timeout", "--prefix"] });
      if (o.timeout !== undefined) {
        const s = Number(o.timeout);
        if (!Number.isFinite(s) || s <= 0) throw new QueueCliError(`send: --timeout takes a number of seconds > 0, got: ${o.timeout}`);
        o.timeoutMs = Math.round(s * 1000);
      }
    } else o = { ...args };
    const url = redisUrl("send", o.queue || o.redis, "--queue");
    const attempts = o.attempts === undefined ? 1 : int("send", "attempts", o.attempts);
    const q = loadQueue();
    let producer;
    try {
      producer = q.createProducer({ connection: oneShot(url), ...(o.prefix ? { prefix: o.prefix } : {}) });
      // A planBatches iterator (send plans an event past 1 MiB one batch at a time) has no
      // deliveries to count: its getters, read before it is consumed, say the same.
      const streamed = !Array.isArray(plan.deliveries);
      const action = plan.action;
      const skipped = plan.skipped;
      const skippedIds = new Set(skipped.map((s) => s.webhookId));
      const shape = streamed ? { targets: plan.targets.filter((t) => !skippedIds.has(t)).length, batches: plan.batchCount } : null;
      const ids = await producer.enqueue(plan, { attempts, ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
        ...(eventId !== undefined ? { eventId } : {}) });
      const targets = streamed ? shape.targets : new Set(plan.deliveries.map((d) => d.webhookId)).size;
      const batches = streamed ? shape.batches : new Set(plan.deliveries.map((d) => d.batch)).size;
      err(`${action}: ${ids.length} deliveries to ${targets} targets (${batches} batches) enqueued on ${shownUrl(url)}` +
        `${attempts > 1 ? `, ${attempts} attempts each` : ""}; ${skipped.length} webhooks skipped`);
      for (const s of skipped) err(`  webhook ${s.webhookId ?? s.path}  skipped: ${s.reason}: ${s.message}`);
      for (const id of ids) out(id);
      return EXIT.OK;
    } catch (e) {
      if (e instanceof QueueCliError) throw e;
      throw new QueueCliError(`send --queue: ${redisFailure(url, producer, e)}; nothing more was enqueued`, EXIT.FAILED);
    } finally {
      if (producer) await producer.close();
    }
  }, err);
}

module.exports = { workerCommand, queueCommand, enqueueFromPlan, QueueCliError, USAGE, WORKER_USAGE, QUEUE_USAGE };
