// The JS-only rows of docs/bad-input.md (the J rows), against pkg/: what only a
// JS caller can hand over (NaN, Infinity, cycles, Dates, Maps, non-event
// values), what a thrown error carries, and 100 MB inputs. The Rust rows
// (the B rows) are in tests/bad_input.rs.
//
// The large inputs run in a child process (this file, with LS_BAD_INPUT_CHILD
// set): wasm memory only grows, so the test runner's own process stays small,
// and each child has a time limit and reports its peak RSS, which is checked.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const lib = createRequire(import.meta.url)(path.join(ROOT, "pkg"));
const MB = 1024 * 1024;

const hook = (id, extra = {}) => ({
  id, organization: 1, project: null, url: `https://h${id}.example/hook`, send_payload: true,
  send_for_all_actions: true, headers: {}, is_active: true, actions: [], ...extra,
});
const task = (id, data, extra = {}) => ({
  id, data, meta: null, created_at: "2026-11-26T09:15:00Z", updated_at: new Date(Date.UTC(2026, 10, 26, 9, 15)),
  is_labeled: false, overlap: 1, total_annotations: 0, cancelled_annotations: 0, total_predictions: 0,
  comment_count: 0, unresolved_comment_count: 0, comment_authors: [], ...extra,
});
const event = (instance, options) => ({
  action: "TASKS_CREATED", organization: 1, instance, webhooks: [hook(1), hook(2, { send_payload: false })],
  ...(options ? { options } : {}),
});

/** Runs `f`, which must throw the library's typed error; returns it. */
function typed(f, code, path) {
  let thrown;
  try {
    const r = f();
    assert.fail(`expected ${code} at ${path}, got a result: ${JSON.stringify(r)?.slice(0, 200)}`);
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown instanceof Error, `not an Error: ${thrown}`);
  assert.equal(thrown.code, code, thrown.message);
  assert.equal(thrown.path, path, thrown.message);
  assert.equal(typeof thrown.detail, "string");
  assert.ok(thrown.detail.length > 0);
  assert.equal(thrown.message, path ? `${code} at ${path}: ${thrown.detail}` : `${code}: ${thrown.detail}`);
  assert.equal(thrown.deliveries, undefined, "nothing of a plan on the error");
  return thrown;
}

// ---------------------------------------------------------------- child side

function child(kind) {
  const t0 = Date.now();
  let out;
  try {
    let body;
    switch (kind) {
      case "string-value-object": {
        // A 100 MB string value in a row, from a JS object.
        const s = "Label Studio ".repeat(Math.ceil(100 * MB / 13)).slice(0, 100 * MB);
        body = lib.buildDeliveries(event([task(1, { text: s })])).deliveries[0].body;
        out = { ok: true, bodyLength: body.length, tail: body.slice(-60), escapedTextLength: 100 * MB };
        break;
      }
      case "event-text": {
        // A 100 MB event as JSON text: 100 MB in a row, and as UTF-8 bytes too.
        const text = JSON.stringify(event([task(1, { text: "x".repeat(100 * MB) })]));
        const a = lib.buildDeliveries(text).deliveries[0].body.length;
        const b = lib.buildDeliveries(new TextEncoder().encode(text)).deliveries[0].body.length;
        out = { ok: true, eventLength: text.length, bodyLength: a, bytesBodyLength: b };
        break;
      }
      case "event-many-rows": {
        // A 100 MB event of 1000-byte rows, batch by batch (one batch of bodies alive at a time).
        const rows = [];
        let n = 0;
        for (let i = 1; n < 100 * MB; i++) {
          rows.push(task(i, { text: "r".repeat(900) }));
          n += 1160;
        }
        const text = JSON.stringify(event(rows));
        let total = 0;
        const it = lib.planBatches(text);
        for (const { deliveries } of it) total += deliveries[0].body.length;
        out = { ok: true, eventLength: text.length, rows: rows.length, batches: it.batchCount, total };
        break;
      }
      case "body-too-long-for-a-string": {
        // 180 MB of 4-byte characters: each is 12 bytes once escaped (\ud83d\ude00),
        // so the body (540 MB) is longer than V8's longest string.
        const s = "😀".repeat(45 * MB);
        const bytes = new TextEncoder().encode(JSON.stringify(event([task(1, { text: s })])));
        let error;
        try {
          lib.buildDeliveries(bytes);
        } catch (e) {
          error = { name: e.constructor.name, code: e.code, path: e.path, detail: e.detail };
        }
        let batchError;
        try {
          const it = lib.planBatches(bytes);
          it.next();
        } catch (e) {
          batchError = { name: e.constructor.name, code: e.code, path: e.path };
        }
        // As bytes the same body is fine.
        const withBytes = JSON.stringify(event([task(1, { text: s })], { bodyAs: "bytes" }));
        const b = lib.buildDeliveries(withBytes).deliveries[0].body;
        // And the module still works afterwards.
        const small = lib.buildDeliveries(event([task(1, { text: "small" })])).deliveries[0].body.length;
        out = { ok: false, error, batchError, bytesBodyLength: b.length, bytesIsUint8Array: b instanceof Uint8Array, small };
        break;
      }
      case "string-200mb-control": {
        // 200 M control characters from a JS object: 1.2 GB escaped in the event text, again in the body.
        const s = "\u0001".repeat(200 * MB);
        body = lib.buildDeliveries(event([task(1, { text: s })], { bodyAs: "bytes" })).deliveries[0].body;
        out = { ok: true, bodyLength: body.length };
        break;
      }
      default:
        throw new Error(`unknown case ${kind}`);
    }
  } catch (e) {
    out = { ok: false, threw: { name: e.constructor.name, code: e.code, path: e.path, message: String(e.message).slice(0, 300) } };
  }
  out.ms = Date.now() - t0;
  out.rssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  out.wasmMB = Math.round(lib.wasmMemoryBytes() / MB);
  process.stdout.write(JSON.stringify(out));
}

function runChild(kind, { timeoutMs = 120_000 } = {}) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
    env: { ...process.env, LS_BAD_INPUT_CHILD: kind, NODE_TEST_CONTEXT: "" },
    encoding: "utf8", timeout: timeoutMs, maxBuffer: 1 << 20,
  });
  assert.equal(r.error, undefined, `child ${kind}: ${r.error}`);
  assert.equal(r.status, 0, `child ${kind} exited ${r.status} ${r.signal ?? ""}: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout);
}

// ---------------------------------------------------------------- tests

if (process.env.LS_BAD_INPUT_CHILD) {
  child(process.env.LS_BAD_INPUT_CHILD);
} else {
  test("J01 NaN from a JS object is INVALID_EVENT at its path", () => {
    typed(() => lib.buildDeliveries(event([task(1, { x: NaN })])), "INVALID_EVENT", "instance[0].data.x");
    typed(() => lib.buildDeliveries(event([task(1, {}), task(2, { a: [1, 2, NaN] })])), "INVALID_EVENT", "instance[1].data.a[2]");
    typed(() => lib.planBatches(event([task(1, { x: NaN })])), "INVALID_EVENT", "instance[0].data.x");
  });

  test("J15 planBatches used after free(): a typed USE_AFTER_FREE error, not a null pointer", () => {
    const it = lib.planBatches(event([task(1, {}), task(2, {})]));
    assert.equal(it.action, "TASKS_CREATED");
    it.free();
    typed(() => it.next(), "USE_AFTER_FREE", "");
    typed(() => it.targets, "USE_AFTER_FREE", "");
    typed(() => [...it], "USE_AFTER_FREE", "");
    const e = typed(() => it.batchCount, "USE_AFTER_FREE", "");
    assert.match(e.detail, /batchCount was used after free\(\)/);
    // An iterator that is not freed still works to the end.
    const ok = lib.planBatches(event([task(1, {})], { batchSize: 1 }));
    assert.equal([...ok].length, 1);
  });

  test("J02 Infinity and -Infinity from a JS object are INVALID_EVENT at their path", () => {
    typed(() => lib.buildDeliveries(event([task(1, { x: Infinity })])), "INVALID_EVENT", "instance[0].data.x");
    const e = typed(() => lib.buildDeliveries(event([task(1, {}, { precomputed_agreement: -Infinity })])), "INVALID_EVENT", "instance[0].precomputed_agreement");
    assert.match(e.detail, /NaN or Infinity/);
    typed(() => lib.buildDeliveries({ ...event([]), options: { batchSize: Infinity } }), "INVALID_EVENT", "options.batchSize");
  });

  test("J03 a circular reference is INVALID_EVENT, not a stack overflow", () => {
    const data = { a: 1 };
    data.self = data;
    let e;
    try { lib.buildDeliveries(event([task(1, data)])); } catch (err) { e = err; }
    // The path is where the walk gave up, 1000 levels down.
    typed(() => { throw e; }, "INVALID_EVENT", e.path);
    assert.ok(e.path.startsWith("instance[0].data.self.self.self."), e.path.slice(0, 100));
    assert.match(e.detail, /circular/);
    // A deep but finite object (within the 1000-level limit) builds.
    let deep = {};
    for (let i = 0; i < 990; i++) deep = { d: deep };
    assert.equal(lib.buildDeliveries(event([task(1, deep)])).deliveries.length, 2);
  });

  test("the deepest nesting each recursive walk accepts fits the module's stack", () => {
    // .cargo/config.toml gives the module a 512 KiB stack; these two walks
    // recurse once a level and need about 204 and 80 KiB here (J03's circular
    // object, walked to the 1000-level limit, 267 KiB).
    // A JS object 996 levels down (wasm::write_js):
    let deep = 0;
    for (let i = 0; i < 996; i++) deep = { k: deep, ["k\u00e9" + i]: "x" };
    assert.equal(lib.buildDeliveries(event([task(1, deep)])).deliveries.length, 2);
    // Text with a duplicate key at every level, 995 down (the Python dict
    // semantics re-emit each level through the next).
    let data = "0";
    for (let i = 0; i < 995; i++) data = `{"k": 0, "k": ${data}}`;
    const text = JSON.stringify(event([task(1, "@DATA@")])).replace('"@DATA@"', data);
    const body = lib.buildDeliveries(text).deliveries[0].body;
    assert.ok(body.includes('"data": ' + '{"k": '.repeat(995) + "0" + "}".repeat(995)), body.slice(0, 200));
  });

  test("J04 an invalid Date is INVALID_ROW at its path", () => {
    typed(() => lib.buildDeliveries(event([task(1, {}, { updated_at: new Date(NaN) })])), "INVALID_ROW", "instance[0].updated_at");
    typed(() => lib.buildDeliveries(event([task(1, {}, { updated_at: new Date(-1e15) })])), "INVALID_ROW", "instance[0].updated_at");
  });

  test("J05 an event that is not a string, bytes or an object is INVALID_EVENT", () => {
    for (const v of [undefined, null, 42, true, 10n, Symbol("x")]) {
      typed(() => lib.buildDeliveries(v), "INVALID_EVENT", "");
      typed(() => lib.planBatches(v), "INVALID_EVENT", "");
    }
    typed(() => lib.buildDeliveries([]), "INVALID_EVENT", "");
    typed(() => lib.buildDeliveries(() => 1), "INVALID_EVENT", "");
  });

  test("J06 values that are not JSON data inside the event are INVALID_EVENT at their path", () => {
    typed(() => lib.buildDeliveries(event([task(1, { m: new Map([["a", 1]]) })])), "INVALID_EVENT", "instance[0].data.m");
    typed(() => lib.buildDeliveries(event([task(1, { b: new Uint8Array(2) })])), "INVALID_EVENT", "instance[0].data.b");
    typed(() => lib.buildDeliveries(event([task(1, { s: Symbol("s") })])), "INVALID_EVENT", "instance[0].data.s");
    // As JSON.stringify does: undefined and functions in objects are left out.
    const p = lib.buildDeliveries(event([task(1, { u: undefined, f() {}, k: 1 })]));
    assert.match(p.deliveries[0].body, /"data": \{"k": 1\}/);
  });

  test("J07 bytes that are not UTF-8 are INVALID_EVENT", () => {
    const bytes = new TextEncoder().encode(JSON.stringify(event([task(1, { t: "ok" })])));
    bytes[bytes.indexOf(0x6f)] = 0xff; // the "o" of "ok"
    const e = typed(() => lib.buildDeliveries(bytes), "INVALID_EVENT", "");
    assert.match(e.detail, /not valid UTF-8/);
    typed(() => lib.planBatches(bytes), "INVALID_EVENT", "");
  });

  test("J08 a thrown error is the only result, and the module keeps working", () => {
    const good = event([task(1, { t: "ok" })]);
    const before = lib.buildDeliveries(good);
    for (let i = 0; i < 50; i++) {
      typed(() => lib.buildDeliveries({ ...good, action: "NOPE" }), "UNKNOWN_ACTION", "action");
      typed(() => lib.buildDeliveries(JSON.stringify(good).slice(0, 40)), "INVALID_EVENT", "organization");
      typed(() => lib.buildDeliveries({ ...good, instance: [task(1, { t: "ok" }, { overlap: 1.5 })] }), "INVALID_ROW", "instance[0].overlap");
    }
    assert.deepEqual(lib.buildDeliveries(good), before);
  });

  test("J09 planBatches: the batch with the bad row throws, earlier batches stand, nothing follows", () => {
    const rows = [1, 2, 3, 4].map((i) => task(i, { i }));
    rows[3].overlap = "one";
    const whole = typed(() => lib.buildDeliveries(event(rows, { batchSize: 2 })), "INVALID_ROW", "instance[3].overlap");
    const it = lib.planBatches(event(rows, { batchSize: 2 }));
    assert.equal(it.batchCount, 2);
    const first = it.next();
    assert.equal(first.done, false);
    assert.equal(first.value.deliveries.length, 2);
    const e = typed(() => it.next(), "INVALID_ROW", "instance[3].overlap");
    assert.equal(e.message, whole.message);
    assert.deepEqual(it.next(), { done: true, value: undefined });
  });

  test("J10 a 100 MB string value in a row, from a JS object: builds, bounded", () => {
    const r = runChild("string-value-object");
    assert.ok(r.ok, JSON.stringify(r));
    assert.ok(r.bodyLength > 100 * MB && r.bodyLength < 100 * MB + 4096, JSON.stringify(r));
    assert.ok(r.rssMB < 2048, `peak RSS ${r.rssMB} MB`);
  });

  test("J11 a 100 MB event, as text and as bytes: builds, bounded", () => {
    const r = runChild("event-text");
    assert.ok(r.ok, JSON.stringify(r));
    assert.ok(r.eventLength > 100 * MB);
    assert.equal(r.bytesBodyLength, r.bodyLength);
    assert.ok(r.rssMB < 2048, `peak RSS ${r.rssMB} MB`);
  });

  test("J12 a 100 MB event of many rows through planBatches: builds, bounded", () => {
    const r = runChild("event-many-rows");
    assert.ok(r.ok, JSON.stringify(r));
    assert.ok(r.eventLength > 100 * MB);
    assert.equal(r.batches, Math.ceil(r.rows / 5000));
    assert.ok(r.total > r.eventLength * 0.9, JSON.stringify(r));
    assert.ok(r.rssMB < 2048, `peak RSS ${r.rssMB} MB`);
  });

  test("J13 a body longer than the longest JS string is a typed error, and fine as bytes", () => {
    const r = runChild("body-too-long-for-a-string");
    assert.equal(r.threw, undefined, JSON.stringify(r));
    assert.deepEqual({ ...r.error, detail: undefined }, { name: "Error", code: "INVALID_EVENT", path: "options.bodyAs", detail: undefined }, JSON.stringify(r));
    assert.match(r.error.detail, /longest JavaScript string/);
    assert.deepEqual(r.batchError, { name: "Error", code: "INVALID_EVENT", path: "options.bodyAs" });
    assert.ok(r.bytesIsUint8Array && r.bytesBodyLength > 0x1fffffe8, JSON.stringify(r));
    assert.ok(r.small > 0);
    assert.ok(r.rssMB < 4096, `peak RSS ${r.rssMB} MB`);
  });

  // Before cc041f5 this trapped ("RuntimeError: unreachable": wasm32's 4 GB ran
  // out while the event text and the body, each 1.2 GB escaped, were built).
  test("J14 200 M control characters in a row from a JS object: a typed error, not a trap, bounded", () => {
    const r = runChild("string-200mb-control");
    assert.ok(r.threw, JSON.stringify(r));
    assert.equal(r.threw.name, "Error", JSON.stringify(r));
    assert.equal(r.threw.code, "INVALID_EVENT", JSON.stringify(r));
    assert.equal(r.threw.path, "instance[0].data.text");
    assert.ok(r.rssMB < 2048, `peak RSS ${r.rssMB} MB`);
  });
}
