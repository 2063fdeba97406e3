// ls-webhooks/deliver: sends plans in the background, in process, with Label Studio 1.23.2's
// semantics (a 1 s timeout, no retry, a failure logged and never thrown) and:
//
// - one FIFO per target (webhook id and URL): targets run concurrently, one request at a
//   time each, so a slow or dead target only ever delays itself. A target gets its
//   deliveries in emission order: batch by batch within an event, events in call order;
// - bounded memory: the body bytes held by queued and in-flight deliveries are capped
//   (`maxQueuedBytes`, 64 MiB by default). A body shared by several targets (the same
//   Uint8Array, or the same string within a batch) counts once. When the cap is reached,
//   `deliver()` waits for room (back-pressure; a planBatches iterator is pulled one batch at
//   a time, only when there is room) or, with `onFull: "error"`, rejects with QUEUE_FULL.
//   A batch is admitted whole or not at all; a batch larger than the cap is admitted alone,
//   once nothing else is held, so it never deadlocks;
// - the send-time SSRF guard: each delivery goes through ls-webhooks/safe-fetch with the
//   plan's own `ssrfProtection` (or the deliverer's, when it was given one).
"use strict";

const DEFAULT_MAX_QUEUED_BYTES = 64 * 1024 * 1024;

/** An Error with a `code` (and the given fields). */
function codedError(code, message, fields) {
  const e = new Error(message);
  e.code = code;
  return Object.assign(e, fields);
}

/** The bytes a body occupies on the wire (0 for none). */
function bodySize(body) {
  if (body == null) return 0;
  if (typeof body === "string") return Buffer.byteLength(body, "utf8");
  if (ArrayBuffer.isView(body) || body instanceof ArrayBuffer) return body.byteLength;
  return 0;
}

const { describeSendError: describeError } = require("./send-error.js");

/** Why a send failed, short, for the log line ("timeout after 1000 ms", "ECONNREFUSED", "HTTP 500"). */
function shortReason(r, timeoutMs) {
  const e = r.error;
  if (!e) return `HTTP ${r.status}`;
  if (e.name === "TimeoutError" || e.name === "AbortError") return `timeout after ${timeoutMs} ms`;
  if (e.code === "SSRF_BLOCKED") return `SSRF_BLOCKED: ${e.message}`;
  const cause = e.cause;
  return (cause && (cause.code || (cause.errors && cause.errors[0] && cause.errors[0].code) || cause.message)) ||
    e.code || e.message || String(e);
}

/**
 * What deliver() was given, as { action, ssrfProtection, skipped, next() -> step | null }:
 * a plan (buildDeliveries: its deliveries cut into runs of one batch) or a planBatches
 * iterator (any iterator or iterable of { batch, deliveries }).
 */
function openSource(src) {
  if (src && Array.isArray(src.deliveries)) {
    const all = src.deliveries;
    let i = 0;
    return {
      action: src.action, ssrfProtection: src.ssrfProtection, skipped: src.skipped || [],
      next() {
        if (i >= all.length) return null;
        const start = i, batch = all[i] && all[i].batch;
        while (i < all.length && all[i] && all[i].batch === batch) i++;
        if (i === start) i++; // a hole or a non-object: let the step check refuse it
        return { batch, deliveries: all.slice(start, i) };
      },
    };
  }
  if (src && (typeof src.next === "function" || typeof src[Symbol.iterator] === "function")) {
    const it = typeof src.next === "function" ? src : src[Symbol.iterator]();
    // Read the iterator's getters now: the wasm iterator frees its event after the last batch.
    return {
      action: src.action, ssrfProtection: src.ssrfProtection, skipped: src.skipped || [],
      next() {
        const r = it.next();
        return r.done ? null : r.value;
      },
    };
  }
  throw new TypeError("deliver() takes a plan (buildDeliveries) or a planBatches iterator");
}

/** The step's deliveries, checked: each needs a url. */
function checkStep(step) {
  if (!step || !Array.isArray(step.deliveries)) throw new TypeError("deliver(): a batch must be { batch, deliveries: [...] }");
  for (const d of step.deliveries) {
    if (!d || typeof d.url !== "string") throw new TypeError("deliver(): a delivery must have a url");
  }
  return step.deliveries;
}

class Deliverer {
  constructor({
    timeoutMs = 1000, maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES, onFull = "wait", log = () => {},
    send, ssrfProtection, onResult,
  } = {}) {
    if (!(typeof timeoutMs === "number" && timeoutMs > 0 && Number.isFinite(timeoutMs))) {
      throw new RangeError(`createDeliverer: timeoutMs must be a number of milliseconds > 0, got ${timeoutMs}`);
    }
    if (!(typeof maxQueuedBytes === "number" && maxQueuedBytes > 0)) {
      throw new RangeError(`createDeliverer: maxQueuedBytes must be a number > 0, got ${maxQueuedBytes}`);
    }
    if (onFull !== "wait" && onFull !== "error") throw new RangeError(`createDeliverer: onFull must be "wait" or "error", got ${onFull}`);
    for (const [k, f] of [["log", log], ["send", send], ["onResult", onResult]]) {
      if (f !== undefined && typeof f !== "function") throw new TypeError(`createDeliverer: ${k} must be a function`);
    }
    if (ssrfProtection !== undefined && typeof ssrfProtection !== "boolean") {
      throw new TypeError("createDeliverer: ssrfProtection must be true, false or left out (the plan's own)");
    }
    this.timeoutMs = timeoutMs;
    this.maxQueuedBytes = maxQueuedBytes;
    this.onFull = onFull;
    this.logFn = log;
    this.sendFn = send || null;
    this.ssrfProtection = ssrfProtection;
    this.onResult = onResult || null;

    this.targets = new Map(); // "webhookId url" -> target
    this.objects = new Map(); // a queued Uint8Array body -> its record { bytes, refs, key }
    this.waiting = []; // calls waiting for room (onFull "wait"), in call order
    this.unfinished = new Set(); // calls not yet admitted or not yet sent
    this.pumping = false;
    this.closed = false;
    this.closing = null;
    this.dispatchers = new Map(); // ssrfProtection -> undici Agent (the default send's)
    this.counts = { queued: 0, queuedBytes: 0, peakQueuedBytes: 0, inFlight: 0, sent: 0, failed: 0 };
    // The default send: load undici now (it takes ~100 ms, and a missing undici throws here,
    // with how to install it), not on the first delivery.
    this.safeFetch = this.sendFn ? null : require("./safe-fetch.js");
    if (this.safeFetch) this.dispatcherFor(ssrfProtection !== false);
  }

  log(line) {
    try {
      this.logFn(line);
    } catch {
      // a logger that throws must not stop the deliveries
    }
  }

  /**
   * Hands over a plan or a planBatches iterator. Resolves once all of it is admitted, with
   * { action, deliveries, batches, skipped, done } (done: resolves with { deliveries, sent,
   * failed } once each of them was sent or failed). Never rejects for a failed delivery.
   */
  deliver(src) {
    if (this.closed) return Promise.reject(codedError("CLOSED", "the deliverer is closed: deliver() after close()"));
    let source;
    try {
      source = openSource(src);
    } catch (e) {
      return Promise.reject(e);
    }
    const action = source.action;
    for (const s of source.skipped) {
      const which = `webhook ${s.webhookId ?? "?"}${s.path ? ` (${s.path})` : ""}`; // an unreadable row may have no id
      this.log(`${action ? `${action} ` : ""}${which}: skipped (${s.reason}: ${s.message})`);
    }
    const call = {
      source, action,
      ssrfProtection: this.ssrfProtection !== undefined ? this.ssrfProtection : source.ssrfProtection !== false,
      step: null, prep: null, admitting: true,
      admitted: 0, batches: 0, finished: 0, sent: 0, failed: 0,
    };
    call.promise = new Promise((resolve, reject) => { call.resolve = resolve; call.reject = reject; });
    call.done = new Promise((resolve) => { call.resolveDone = resolve; });
    this.unfinished.add(call);
    if (this.onFull === "error") {
      this.advance(call); // never blocks: admits or refuses at once
    } else {
      this.waiting.push(call);
      this.pump();
    }
    return call.promise;
  }

  /** Admits the waiting calls, in call order, as far as there is room. */
  pump() {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.waiting.length && this.advance(this.waiting[0])) this.waiting.shift();
    } finally {
      this.pumping = false;
    }
  }

  /** Admits the call's batches while they fit. true once it is wholly admitted (or refused). */
  advance(call) {
    for (;;) {
      if (!call.step) {
        let step;
        try {
          step = call.source.next();
          if (step === null) return this.endAdmission(call, null);
          checkStep(step);
        } catch (e) {
          return this.endAdmission(call, e);
        }
        if (!step.deliveries.length) continue;
        call.step = step;
        call.prep = this.prepare(step);
      }
      const need = this.needed(call.prep);
      const held = this.counts.queuedBytes;
      if (held > 0 && held + need > this.maxQueuedBytes) {
        if (this.onFull === "wait") return false;
        const n = call.step.deliveries.length;
        return this.endAdmission(call, codedError("QUEUE_FULL",
          `webhook queue full: batch ${call.step.batch} (${n} ${n === 1 ? "delivery" : "deliveries"}) needs ${need} bytes, ` +
          `${held} of maxQueuedBytes ${this.maxQueuedBytes} are held; nothing of this batch was queued`,
          { batch: call.step.batch, neededBytes: need, queuedBytes: held, maxQueuedBytes: this.maxQueuedBytes }));
      }
      this.admit(call, call.step, call.prep);
      call.step = call.prep = null;
    }
  }

  /** A batch's distinct bodies: strings by value (within the batch), byte arrays by identity. */
  prepare(step) {
    const strings = new Map(), objects = new Map();
    let stringBytes = 0;
    for (const d of step.deliveries) {
      const b = d.body;
      if (typeof b === "string") {
        if (!strings.has(b)) {
          const n = bodySize(b);
          strings.set(b, n);
          stringBytes += n;
        }
      } else if (b !== null && typeof b === "object" && !objects.has(b)) {
        objects.set(b, bodySize(b));
      }
    }
    return { strings, stringBytes, objects };
  }

  /** The bytes a prepared batch adds now (a byte array already held counts nothing). */
  needed(prep) {
    let n = prep.stringBytes;
    for (const [obj, bytes] of prep.objects) if (!this.objects.has(obj)) n += bytes;
    return n;
  }

  admit(call, step, prep) {
    const c = this.counts;
    const records = new Map();
    for (const [s, bytes] of prep.strings) {
      records.set(s, { bytes, refs: 0, key: null });
      c.queuedBytes += bytes;
    }
    for (const [obj, bytes] of prep.objects) {
      let rec = this.objects.get(obj);
      if (!rec) {
        this.objects.set(obj, (rec = { bytes, refs: 0, key: obj }));
        c.queuedBytes += bytes;
      }
      records.set(obj, rec);
    }
    if (c.queuedBytes > c.peakQueuedBytes) c.peakQueuedBytes = c.queuedBytes;
    const started = [];
    for (const d of step.deliveries) {
      const rec = d.body != null && typeof d.body !== "boolean" ? records.get(d.body) || null : null;
      if (rec) rec.refs++;
      const key = `${d.webhookId}\u0000${d.url}`;
      let t = this.targets.get(key);
      if (!t) {
        this.targets.set(key, (t = { webhookId: d.webhookId, url: d.url, fifo: [], head: 0, running: false,
          inFlight: 0, sent: 0, failed: 0, lastError: null }));
      }
      t.fifo.push({ delivery: d, rec, call });
      c.queued++;
      call.admitted++;
      if (!t.running) started.push(t);
    }
    call.batches++;
    for (const t of started) if (!t.running) this.run(t);
  }

  endAdmission(call, error) {
    call.admitting = false;
    call.step = call.prep = null;
    call.source = null;
    if (error) {
      if (error && typeof error === "object") {
        try {
          error.admitted = call.admitted;
        } catch {
          // a frozen error: leave it as it is
        }
      }
      call.reject(error);
    } else {
      call.resolve({ action: call.action, deliveries: call.admitted, batches: call.batches, done: call.done });
    }
    this.checkDone(call);
    return true;
  }

  checkDone(call) {
    if (call.admitting || call.finished < call.admitted) return;
    this.unfinished.delete(call);
    call.resolveDone({ deliveries: call.admitted, sent: call.sent, failed: call.failed });
  }

  /** Sends a target's deliveries one at a time, in order, until its FIFO is empty. */
  async run(t) {
    t.running = true;
    const c = this.counts;
    try {
      while (t.head < t.fifo.length) {
        const item = t.fifo[t.head];
        t.fifo[t.head++] = undefined;
        if (t.head === t.fifo.length) {
          t.fifo = [];
          t.head = 0;
        } else if (t.head >= 1024 && t.head * 2 >= t.fifo.length) {
          t.fifo = t.fifo.slice(t.head);
          t.head = 0;
        }
        c.queued--;
        c.inFlight++;
        t.inFlight = 1;
        const result = await this.sendOne(item);
        c.inFlight--;
        t.inFlight = 0;
        this.finish(t, item, result);
      }
    } finally {
      t.running = false;
    }
  }

  dispatcherFor(ssrfProtection) {
    let d = this.dispatchers.get(ssrfProtection);
    if (!d) this.dispatchers.set(ssrfProtection, (d = this.safeFetch.createGuardedDispatcher({ ssrfProtection })));
    return d;
  }

  /** One delivery through `send` (safeFetch by default); always a result, never a rejection. */
  async sendOne(item) {
    const d = item.delivery, ssrfProtection = item.call.ssrfProtection, timeoutMs = this.timeoutMs;
    const started = Date.now();
    let r;
    try {
      if (this.sendFn) {
        r = await this.sendFn(d, { timeoutMs, ssrfProtection });
      } else {
        r = await this.safeFetch.safeFetch(d, { timeoutMs, ssrfProtection, dispatcher: this.dispatcherFor(ssrfProtection) });
      }
      if (!r || typeof r !== "object") throw new TypeError("send() must resolve to a result { ok, status, error }");
    } catch (e) {
      r = { ok: false, status: null, statusText: null, error: e };
    }
    const error = r.error || null;
    const ok = Boolean(r.ok) && !error;
    const status = r.status === undefined ? null : r.status;
    const statusText = r.statusText == null ? "" : String(r.statusText);
    const text = error ? describeError(error, timeoutMs) : `${status} ${statusText}`.trim();
    const ms = typeof r.ms === "number" ? r.ms : Date.now() - started;
    return { delivery: d, action: item.call.action, ok, status, statusText: r.statusText ?? null, text, ms, error };
  }

  finish(t, item, result) {
    const c = this.counts, call = item.call;
    const who = `${call.action ? `${call.action} ` : ""}webhook ${t.webhookId}`;
    if (result.ok) {
      c.sent++;
      t.sent++;
      call.sent++;
      this.log(`${who}: ${result.status}`);
    } else {
      c.failed++;
      t.failed++;
      call.failed++;
      t.lastError = result.text;
      this.log(`${who}: failed (${shortReason(result, this.timeoutMs)})`);
    }
    if (this.onResult) {
      try {
        this.onResult(result);
      } catch (e) {
        this.log(`${who}: onResult threw: ${e && e.message}`);
      }
    }
    const rec = item.rec;
    if (rec && --rec.refs === 0) {
      c.queuedBytes -= rec.bytes;
      if (rec.key !== null) this.objects.delete(rec.key);
    }
    call.finished++;
    this.checkDone(call);
    if (this.waiting.length) this.pump();
  }

  /** Resolves once everything handed over so far (admitted or still waiting for room) was sent or failed. */
  drain() {
    if (!this.unfinished.size) return Promise.resolve();
    return Promise.all([...this.unfinished].map((call) => call.done)).then(() => undefined);
  }

  /** Stops accepting (deliver() then rejects with CLOSED), drains, and closes the connections. */
  close() {
    this.closed = true;
    if (!this.closing) {
      this.closing = this.drain().then(async () => {
        const agents = [...this.dispatchers.values()];
        this.dispatchers.clear();
        // Nothing is in flight any more: drop the idle keep-alive connections now.
        await Promise.all(agents.map((a) => a.destroy().catch(() => {})));
      });
    }
    return this.closing;
  }

  stats() {
    const c = this.counts;
    return {
      queued: c.queued, queuedBytes: c.queuedBytes, maxQueuedBytes: this.maxQueuedBytes, peakQueuedBytes: c.peakQueuedBytes,
      inFlight: c.inFlight, sent: c.sent, failed: c.failed, waitingCalls: this.waiting.length, closed: this.closed,
      perTarget: [...this.targets.values()].map((t) => ({
        webhookId: t.webhookId, url: t.url, queued: t.fifo.length - t.head, inFlight: t.inFlight,
        sent: t.sent, failed: t.failed, lastError: t.lastError,
      })),
    };
  }
}

/** A deliverer: see the file's head and deliver.d.ts. */
function createDeliverer(options) {
  const d = new Deliverer(options);
  return {
    deliver: (src) => d.deliver(src),
    drain: () => d.drain(),
    close: () => d.close(),
    stats: () => d.stats(),
    get closed() { return d.closed; },
  };
}

module.exports = { createDeliverer, DEFAULT_MAX_QUEUED_BYTES };
