// ls-webhooks/deliver (js/deliver.js) against real loopback receivers: one FIFO per target
// (a hanging target never delays another), emission order per target, exact bytes, failures
// that never throw and are never retried, the cap on queued bytes (back-pressure and
// QUEUE_FULL), drain() and close(), and the send-time SSRF guard.
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { after, test } from "node:test";
import { ROOT, refusedUrl } from "./loopback.mjs";

const require = createRequire(import.meta.url);
const lib = require(path.join(ROOT, "pkg"));
const { createDeliverer } = require(path.join(ROOT, "js", "deliver.js"));
const { safeFetch } = require(path.join(ROOT, "js", "safe-fetch.js"));
const sample = (action) => JSON.parse(fs.readFileSync(path.join(ROOT, "samples", "events", `${action}.json`), "utf8"));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const receivers = [];
after(() => Promise.all(receivers.map((r) => r.close())));

/**
 * A receiver on 127.0.0.1 (listen backlog 511) that records every request (arrival time from
 * performance.now()) and answers `status` after `delayMs` (a function of the request, or a
 * number), or never, with `hang`.
 */
function startReceiver({ status = 200, delayMs = 0, hang = false } = {}) {
  const got = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const r = { at: performance.now(), method: req.method, path: req.url, headers: req.headers, body: Buffer.concat(chunks) };
      got.push(r);
      if (hang) return;
      const answer = () => res.writeHead(status, { "content-type": "text/plain" }).end("ok");
      const wait = typeof delayMs === "function" ? delayMs(r) : delayMs;
      if (wait) setTimeout(answer, wait);
      else answer();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", 511, () => {
      const receiver = {
        url: `http://127.0.0.1:${server.address().port}`, port: server.address().port, got,
        close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }),
      };
      receivers.push(receiver);
      resolve(receiver);
    });
  });
}

const hook = (id, url, extra = {}) => ({ id, organization: 1, url, send_for_all_actions: true, ...extra });

/** TASKS_DELETED of these task ids: organization webhooks, small bodies, one batch per `batchSize` ids. */
function deleted(ids, webhooks, options = {}) {
  return { action: "TASKS_DELETED", organization: 1, instance: ids.map((id) => ({ id })), webhooks,
    options: { ssrfProtection: false, ...options } };
}

/** The task ids a TASKS_* body lists. */
const taskIds = (body) => JSON.parse(Buffer.from(body).toString("utf8")).tasks.map((t) => t.id);

async function until(cond, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await sleep(2);
  }
}

test("a. isolation: a hanging target never delays a healthy one; its own deliveries time out one by one", async (t) => {
  const healthy = await startReceiver();
  const hanging = await startReceiver({ hang: true });
  const TIMEOUT = 300;
  const results = [];
  const log = [];
  const d = createDeliverer({ timeoutMs: TIMEOUT, onResult: (r) => results.push({ ...r, at: performance.now() }), log: (l) => log.push(l) });
  const handed = [];
  for (let i = 0; i < 8; i++) {
    // The hanging webhook first: it is the first target of every event.
    const plan = lib.buildDeliveries(deleted([500 + i], [hook(1, `${hanging.url}/hang`), hook(2, `${healthy.url}/ok`)]));
    handed.push(performance.now());
    await d.deliver(plan);
    await sleep(15); // quick successive events
  }
  await until(() => healthy.got.length === 8);
  const latency = healthy.got.map((g, i) => {
    assert.deepEqual(taskIds(g.body), [500 + i]); // in order
    return g.at - handed[i];
  });
  t.diagnostic(`healthy target, latency from deliver() to arrival: ${latency.map((ms) => ms.toFixed(1)).join(", ")} ms ` +
    `(max ${Math.max(...latency).toFixed(1)}) with a hanging neighbour and timeoutMs ${TIMEOUT}`);
  await d.drain();
  assert.equal(hanging.got.length, 8);
  assert.deepEqual(hanging.got.map((g) => taskIds(g.body)[0]), [500, 501, 502, 503, 504, 505, 506, 507]);
  const failures = results.filter((r) => r.delivery.webhookId === 1);
  assert.equal(failures.length, 8);
  for (const r of failures) {
    assert.equal(r.ok, false);
    assert.equal(r.status, null);
    assert.equal(r.error.name, "TimeoutError");
    assert.equal(r.text, "timeout: no response within 0.3 s");
    assert.ok(r.ms >= TIMEOUT - 5, `a timeout after ${r.ms} ms`);
  }
  // One at a time: the n-th timeout ends about n timeouts after the first hand-over.
  failures.forEach((r, i) => assert.ok(r.at - handed[0] >= (i + 1) * TIMEOUT - 20, `timeout ${i} at ${r.at - handed[0]} ms`));
  // Isolation, by order rather than by a clock bound (which a loaded machine can break): one
  // queue for both targets would deliver healthy event i only after the hanging target's
  // i-th timeout; each target's own queue delivers every healthy event before it.
  healthy.got.forEach((g, i) => assert.ok(g.at < failures[i].at - TIMEOUT / 2,
    `healthy event ${i} arrived ${(g.at - failures[i].at).toFixed(0)} ms after the hanging target's timeout ${i}`));
  t.diagnostic(`hanging target: timeouts after ${failures.map((r) => r.ms).join(", ")} ms; all 8 done ` +
    `${(failures.at(-1).at - handed[0]).toFixed(0)} ms after the first hand-over`);
  assert.equal(log.filter((l) => l === "TASKS_DELETED webhook 1: failed (timeout after 300 ms)").length, 8);
  assert.equal(log.filter((l) => l === "TASKS_DELETED webhook 2: 200").length, 8);
  const s = d.stats();
  assert.deepEqual([s.sent, s.failed, s.queued, s.inFlight, s.queuedBytes], [8, 8, 0, 0, 0]);
  assert.deepEqual(s.perTarget.map((p) => [p.webhookId, p.sent, p.failed, p.lastError]),
    [[1, 0, 8, "timeout: no response within 0.3 s"], [2, 8, 0, null]]);
  await d.close();
});

test("b, c. order and bytes: each target gets its deliveries in emission order across batches and events, byte for byte", async () => {
  // Answers after 0-4 ms, so the targets' requests interleave differently each run.
  const rx = await startReceiver({ delayMs: () => Math.floor(Math.random() * 5) });
  const event = sample("TASKS_CREATED");
  const webhooks = [
    hook(1, `${rx.url}/a`, { project: 12, headers: { Authorization: "Bearer a-token" } }),
    hook(2, `${rx.url}/b?source=ls`, { project: 12, headers: { "X-Custom": "café" }, send_payload: false }),
    hook(3, `${rx.url}/c`, { project: 12 }),
  ];
  // 3 events x 4 batches: a plan, a planBatches iterator, and a plan with bodyAs "bytes".
  const texts = [0, 1, 2].map((e) => JSON.stringify({ ...event, webhooks, options: { batchSize: 1, ssrfProtection: false },
    instance: [0, 1, 2, 3].map((k) => ({ ...event.instance[k % 3], id: 100 * (e + 1) + k,
      // 1.0 and an int past 2^53, written into the JSON text as they are (the exact path).
      data: { text: `event ${e} task ${k}: déjà vu 🥐 “quoted” \u2028`, n: "__1.0__", big: "__123456789012345678901234567890__" } })) })
    .replace(/"__([\d.]+)__"/g, "$1"));
  const bytesText = texts[2].replace('"ssrfProtection":false', '"ssrfProtection":false,"bodyAs":"bytes"');
  const plans = [lib.buildDeliveries(texts[0]), lib.buildDeliveries(texts[1]), lib.buildDeliveries(bytesText)];
  assert.ok(plans[2].deliveries[0].body instanceof Uint8Array);
  assert.ok(plans.every((p) => p.deliveries.length === 12 && p.deliveries.at(-1).batch === 3));

  const d = createDeliverer({ timeoutMs: 2000 });
  // Handed over back to back, without waiting: call order is event order.
  const calls = [d.deliver(plans[0]), d.deliver(lib.planBatches(texts[1])), d.deliver(plans[2])];
  const receipts = await Promise.all(calls);
  assert.deepEqual(receipts.map((r) => [r.action, r.deliveries, r.batches]), Array(3).fill(["TASKS_CREATED", 12, 4]));
  const done = await Promise.all(receipts.map((r) => r.done));
  assert.deepEqual(done, Array(3).fill({ deliveries: 12, sent: 12, failed: 0 }));
  await d.drain();

  assert.equal(rx.got.length, 36);
  for (const w of webhooks) {
    const want = plans.flatMap((p) => p.deliveries.filter((x) => x.webhookId === w.id));
    const where = new URL(w.url).pathname + new URL(w.url).search;
    const got = rx.got.filter((g) => g.path === where);
    assert.equal(got.length, 12, where);
    for (const [i, x] of want.entries()) {
      const g = got[i];
      assert.equal(g.method, "POST");
      // c. the exact bytes (string or Uint8Array bodies), and the planned headers.
      assert.ok(g.body.equals(Buffer.from(x.body)), `${where}: delivery ${i} (batch ${x.batch}) differs`);
      for (const [k, v] of Object.entries(x.headers)) assert.equal(g.headers[k.toLowerCase()], v, `${where}: header ${k}`);
      assert.equal(g.headers["content-length"], String(Buffer.from(x.body).length));
    }
    if (w.send_payload !== false) {
      // b. the order: event by event, batch by batch.
      assert.deepEqual(got.map((g) => taskIds(g.body)[0]), [100, 101, 102, 103, 200, 201, 202, 203, 300, 301, 302, 303]);
    }
  }
  // The hostile text is in the bodies as Python writes it.
  assert.ok(rx.got.find((g) => g.path === "/a").body.includes('d\\u00e9j\\u00e0 vu \\ud83e\\udd50 \\u201cquoted\\u201d \\u2028", "n": 1.0, "big": 123456789012345678901234567890}'));
  await d.close();
});

test("d. failures never throw and are never retried: a refused port, a 500, a send that throws", async () => {
  const refused = await refusedUrl();
  const broken = await startReceiver({ status: 500 });
  const log = [];
  const d = createDeliverer({ timeoutMs: 1000, log: (l) => log.push(l) });
  const plan = (ids) => lib.buildDeliveries(deleted(ids, [hook(1, refused), hook(2, `${broken.url}/broken`)]));
  const r1 = await d.deliver(plan([1]));
  const r2 = await d.deliver(plan([2]));
  assert.deepEqual(await r1.done, { deliveries: 2, sent: 0, failed: 2 });
  assert.deepEqual(await r2.done, { deliveries: 2, sent: 0, failed: 2 });
  await d.drain();
  await sleep(100); // a retry would have come by now
  assert.deepEqual(broken.got.map((g) => taskIds(g.body)), [[1], [2]]); // exactly one request per delivery
  const s = d.stats();
  assert.deepEqual([s.sent, s.failed], [0, 4]);
  assert.deepEqual(s.perTarget.map((p) => [p.webhookId, p.failed, p.lastError]),
    [[1, 2, "connection refused (ECONNREFUSED)"], [2, 2, "500 Internal Server Error"]]);
  assert.equal(log.length, 4);
  assert.equal(log.filter((l) => l === "TASKS_DELETED webhook 1: failed (ECONNREFUSED)").length, 2);
  assert.equal(log.filter((l) => l === "TASKS_DELETED webhook 2: failed (HTTP 500)").length, 2);
  await d.close();

  // A custom send that throws or resolves to nothing, a throwing onResult and log: still results, no throw.
  let calls = 0;
  const odd = createDeliverer({
    send: async () => { if (calls++ === 0) throw new Error("boom"); return undefined; },
    onResult: () => { throw new Error("a bad callback"); }, log: () => { throw new Error("a bad logger"); },
  });
  const r = await odd.deliver(lib.buildDeliveries(deleted([1, 2], [hook(1, "http://192.0.2.1/x")], { batchSize: 1 })));
  assert.deepEqual(await r.done, { deliveries: 2, sent: 0, failed: 2 });
  assert.deepEqual(odd.stats().perTarget[0].lastError, "send() must resolve to a result { ok, status, error }");
  await odd.close();

  // The skipped webhooks of a plan are logged, once.
  const skippedLog = [];
  const s2 = createDeliverer({ log: (l) => skippedLog.push(l) });
  await s2.deliver(lib.buildDeliveries(deleted([1], [hook(4, "ftp://files.example.com/")])));
  assert.deepEqual(skippedLog.length, 1);
  assert.match(skippedLog[0], /^TASKS_DELETED webhook 4: skipped \(INVALID_URL: /);
  await s2.close();
});

test("e. bounded memory: back-pressure pulls a planBatches iterator only as room frees; QUEUE_FULL; a shared body counts once", async (t) => {
  const slow = await startReceiver({ delayMs: 8 });
  const ids = Array.from({ length: 200 }, (_, i) => 1000 + i);
  const text = JSON.stringify(deleted(ids, [hook(1, `${slow.url}/p`), hook(2, `${slow.url}/q`)], { batchSize: 10 }));
  const plan = lib.buildDeliveries(text);
  const batchBytes = Math.max(...plan.deliveries.map((x) => Buffer.byteLength(x.body)));
  const cap = 3 * batchBytes;

  // onFull "wait": the iterator's next() is called only when the batches held fit under the cap.
  const samples = [];
  const d = createDeliverer({ maxQueuedBytes: cap, onResult: () => samples.push(d.stats().queuedBytes) });
  const batches = lib.planBatches(text);
  const pulls = [];
  const wrapped = {
    action: batches.action, ssrfProtection: batches.ssrfProtection, skipped: batches.skipped,
    next() { pulls.push(d.stats().queuedBytes); return batches.next(); },
  };
  const started = performance.now();
  let admitted = false;
  const p = d.deliver(wrapped).then((r) => { admitted = true; return r; });
  assert.ok(pulls.length <= 4, `pulled ${pulls.length} batches at once`); // 3 fit, the 4th waits
  await sleep(20);
  assert.equal(admitted, false);
  assert.ok(d.stats().waitingCalls === 1);
  const receipt = await p;
  assert.equal(pulls.length, 21); // 20 batches, then the end
  assert.equal(receipt.deliveries, 40);
  await receipt.done;
  t.diagnostic(`20 batches of ${batchBytes} bytes to 2 targets under a ${cap}-byte cap: ${(performance.now() - started).toFixed(0)} ms, ` +
    `peak ${d.stats().peakQueuedBytes} bytes held`);
  // What was held when each batch was pulled: at most the cap, so at most cap + one batch alive.
  for (const held of pulls) assert.ok(held <= cap, `${held} bytes held when a batch was pulled`);
  for (const held of samples) assert.ok(held <= cap + batchBytes, `${held} bytes held`);
  assert.ok(d.stats().peakQueuedBytes <= cap);
  assert.ok(d.stats().peakQueuedBytes >= 2 * batchBytes); // it did fill up
  for (const where of ["/p", "/q"]) {
    const got = slow.got.filter((g) => g.path === where);
    assert.deepEqual(got.map((g) => taskIds(g.body)[0]), Array.from({ length: 20 }, (_, i) => 1000 + 10 * i), where);
    got.forEach((g, i) => assert.ok(g.body.equals(Buffer.from(plan.deliveries[2 * i].body))));
  }
  await d.close();

  // A batch larger than the cap is admitted alone once nothing is held: no deadlock.
  const tiny = createDeliverer({ maxQueuedBytes: Math.floor(batchBytes / 2) });
  const r = await tiny.deliver(lib.planBatches(JSON.stringify(deleted(ids.slice(0, 30), [hook(1, `${slow.url}/tiny`)], { batchSize: 10 }))));
  assert.deepEqual(await r.done, { deliveries: 3, sent: 3, failed: 0 });
  assert.ok(tiny.stats().peakQueuedBytes <= batchBytes);
  await tiny.close();

  // onFull "error": a batch that does not fit is refused whole, with the sizes.
  const hang = await startReceiver({ delayMs: 30 }); // slow enough to keep them queued
  const e = createDeliverer({ maxQueuedBytes: Math.floor(1.5 * batchBytes), onFull: "error" });
  const one = (first) => lib.buildDeliveries(deleted(ids.slice(first, first + 10), [hook(1, `${hang.url}/x`), hook(2, `${hang.url}/y`)]));
  await e.deliver(one(0));
  const before = e.stats();
  assert.deepEqual([before.queued + before.inFlight, before.queuedBytes], [2, batchBytes]); // 2 targets, one body
  const second = one(10);
  const bodyBytes = Buffer.byteLength(second.deliveries[0].body);
  await assert.rejects(e.deliver(second), (err) => {
    assert.equal(err.code, "QUEUE_FULL");
    assert.match(err.message, new RegExp(`batch 0 \\(2 deliveries\\) needs ${bodyBytes} bytes, ${batchBytes} of maxQueuedBytes ${Math.floor(1.5 * batchBytes)} are held; nothing of this batch was queued`));
    assert.deepEqual([err.batch, err.neededBytes, err.queuedBytes, err.admitted], [0, bodyBytes, batchBytes, 0]);
    return true;
  });
  const afterRefusal = e.stats();
  assert.deepEqual([afterRefusal.queued, afterRefusal.inFlight, afterRefusal.queuedBytes], [before.queued, before.inFlight, before.queuedBytes]);
  await e.drain();
  assert.deepEqual(hang.got.map((g) => [g.path, taskIds(g.body)[0]]).sort(), [["/x", 1000], ["/y", 1000]]); // the refused batch never went out
  // A plan of 3 batches where only 1 fits: the first is admitted, the second refused.
  const three = lib.buildDeliveries(deleted(ids.slice(0, 30), [hook(1, `${hang.url}/z`)], { batchSize: 10 }));
  await assert.rejects(e.deliver(three), (err) => err.code === "QUEUE_FULL" && err.batch === 1 && err.admitted === 1);
  await e.close();

  // A body shared by several targets counts once: the same string within a batch, the same
  // Uint8Array in any number of plans while one of its deliveries is queued.
  const shared = createDeliverer({ maxQueuedBytes: Math.floor(1.5 * batchBytes), onFull: "error" });
  const three4 = [1, 2, 3].map((id) => hook(id, `${hang.url}/s${id}`));
  const str = lib.buildDeliveries(deleted(ids.slice(0, 10), three4));
  await shared.deliver(str);
  assert.equal(shared.stats().queuedBytes, Buffer.byteLength(str.deliveries[0].body)); // not 3x
  await shared.drain();
  assert.equal(shared.stats().queuedBytes, 0);
  const bytes = lib.buildDeliveries(deleted(ids.slice(0, 10), three4, { bodyAs: "bytes" }));
  assert.ok(bytes.deliveries[0].body === bytes.deliveries[2].body);
  await shared.deliver(bytes);
  await shared.deliver(bytes); // the same Uint8Array: admitted though a second copy would not fit
  assert.equal(shared.stats().queuedBytes, bytes.deliveries[0].body.byteLength);
  await shared.close();
  assert.equal(shared.stats().queuedBytes, 0);
});

test("f. drain() and close(): what was handed over is sent first; deliver() after close() rejects with CLOSED", async () => {
  const slow = await startReceiver({ delayMs: 40 });
  const hang = await startReceiver({ hang: true });
  const d = createDeliverer({ timeoutMs: 300 });
  await d.drain(); // nothing handed over: at once

  // drain() waits for what was handed over before it, not for what comes after.
  await d.deliver(lib.buildDeliveries(deleted([1, 2, 3], [hook(1, `${slow.url}/a`), hook(2, `${slow.url}/b`)], { batchSize: 1 })));
  const drained = d.drain();
  await d.deliver(lib.buildDeliveries(deleted([4], [hook(3, `${hang.url}/h`)])));
  await drained;
  let s = d.stats();
  assert.deepEqual([s.sent, s.failed, s.inFlight], [6, 0, 1]); // the hanging one still in flight
  assert.equal(slow.got.length, 6);
  await d.drain();
  s = d.stats();
  assert.deepEqual([s.sent, s.failed, s.inFlight, s.queued], [6, 1, 0, 0]);

  // close(): sends what is queued (and what waits for room), then refuses.
  const c = createDeliverer({ maxQueuedBytes: 10, timeoutMs: 1000 });
  const first = c.deliver(lib.buildDeliveries(deleted([10, 11, 12], [hook(1, `${slow.url}/c`)], { batchSize: 1 })));
  const waiting = c.deliver(lib.buildDeliveries(deleted([13], [hook(1, `${slow.url}/c`)])));
  assert.equal(c.stats().waitingCalls, 2); // batches of ~40 bytes under a 10-byte cap: one at a time
  const closing = c.close();
  assert.equal(c.closed, true);
  await assert.rejects(c.deliver(lib.buildDeliveries(deleted([14], [hook(1, `${slow.url}/c`)]))), (e) => e.code === "CLOSED");
  await closing;
  await Promise.all([first, waiting]);
  assert.deepEqual(slow.got.filter((g) => g.path === "/c").map((g) => taskIds(g.body)[0]), [10, 11, 12, 13]);
  assert.deepEqual([c.stats().sent, c.stats().queued, c.stats().inFlight], [4, 0, 0]);
  await assert.rejects(c.deliver(lib.buildDeliveries(deleted([15], [hook(1, `${slow.url}/c`)]))),
    { code: "CLOSED", message: "the deliverer is closed: deliver() after close()" });
  await c.close(); // again: fine
  await d.close();

  // Not a plan: a TypeError, nothing queued.
  const t = createDeliverer();
  await assert.rejects(t.deliver({ webhooks: [] }), TypeError);
  await assert.rejects(t.deliver([{ batch: 0, deliveries: [{ body: "x" }] }]), /a delivery must have a url/);
  assert.equal(t.stats().queued, 0);
  await t.close();
});

/** A name /etc/hosts maps to a loopback address, other than localhost (e.g. the machine's own), or null. */
function loopbackHostName() {
  let text = "";
  try { text = fs.readFileSync("/etc/hosts", "utf8"); } catch { return null; }
  for (const line of text.split("\n")) {
    const [address, ...names] = line.replace(/#.*/, "").trim().split(/\s+/);
    if (!/^127\./.test(address || "")) continue;
    const name = names.find((n) => n && n !== "localhost" && !n.startsWith("localhost.") && /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$/i.test(n));
    if (name) return name;
  }
  return null;
}

test("g. the send-time guard: a host name that resolves to loopback is refused (SSRF_BLOCKED) and never reached", async (t) => {
  const rx = await startReceiver();
  // A resolver that says every name is 127.0.0.1 (what a rebinding or internal name does).
  const lookups = [];
  const lookup = (host, opts, cb) => { lookups.push(host); cb(null, [{ address: "127.0.0.1", family: 4 }]); };
  const send = (delivery, options) => safeFetch(delivery, { ...options, lookup });
  const results = [];
  const log = [];
  const d = createDeliverer({ send, onResult: (r) => results.push(r), log: (l) => log.push(l) });
  const event = (ssrfProtection) => deleted([1], [hook(1, `http://hooks.example.test:${rx.port}/guarded`)], { ssrfProtection });
  const on = lib.buildDeliveries(event(true));
  assert.equal(on.deliveries.length, 1); // a name: the plan cannot resolve it, the guard will
  await (await d.deliver(on)).done;
  assert.equal(results[0].ok, false);
  assert.equal(results[0].error.code, "SSRF_BLOCKED");
  assert.equal(results[0].error.block, "127.0.0.0/8");
  assert.match(results[0].text, /^blocked: "hooks\.example\.test" resolves to 127\.0\.0\.1, a reserved network address .*\(SSRF_BLOCKED\)$/);
  assert.match(log[0], /^TASKS_DELETED webhook 1: failed \(SSRF_BLOCKED: "hooks\.example\.test" resolves to 127\.0\.0\.1/);
  assert.deepEqual(lookups, ["hooks.example.test"]);
  assert.equal(rx.got.length, 0);
  // The same plan made with protection off: the same resolver, and it arrives.
  await (await d.deliver(lib.buildDeliveries(event(false)))).done;
  assert.equal(results[1].ok, true);
  assert.deepEqual(rx.got.map((g) => g.path), ["/guarded"]);
  await d.close();

  // The default send (safeFetch through the deliverer's own dispatchers): the deliverer's
  // explicit ssrfProtection overrides a plan made with protection off.
  const strict = createDeliverer({ ssrfProtection: true });
  const literal = lib.buildDeliveries(deleted([2], [hook(1, `${rx.url}/literal`)]));
  assert.equal(literal.ssrfProtection, false);
  const r = await strict.deliver(literal);
  assert.deepEqual(await r.done, { deliveries: 1, sent: 0, failed: 1 });
  assert.match(strict.stats().perTarget[0].lastError, /^blocked: 127\.0\.0\.1 is a reserved network address \(block: 127\.0\.0\.0\/8\) \(SSRF_BLOCKED\)$/);
  await strict.close();

  // A name of /etc/hosts that maps to loopback, with the system resolver and the plan's own setting.
  const name = loopbackHostName();
  if (!name) return t.diagnostic("no loopback name other than localhost in /etc/hosts: that part skipped");
  const plain = createDeliverer();
  const named = lib.buildDeliveries(deleted([3], [hook(1, `http://${name}:${rx.port}/named`)], { ssrfProtection: true }));
  assert.equal(named.deliveries.length, 1, JSON.stringify(named.skipped));
  await (await plain.deliver(named)).done;
  assert.match(plain.stats().perTarget[0].lastError, new RegExp(`^blocked: "${name}" resolves to 127\\.[0-9.]+, .*\\(SSRF_BLOCKED\\)$`));
  await (await plain.deliver(lib.buildDeliveries(deleted([3], [hook(1, `http://${name}:${rx.port}/named`)])))).done;
  assert.deepEqual(rx.got.map((g) => g.path), ["/guarded", "/named"]); // the unprotected one only
  await plain.close();
  t.diagnostic(`/etc/hosts name used: ${name}`);
});
