// Standard Webhooks signatures (options.signing, issue 14), judged by their peers: the npm
// standardwebhooks package (in this process) and the PyPI one (tools/receivers/sw_judge.py in
// tools/receivers/.venv, made by scripts/setup.sh: one Python process answers every case,
// fed JSON lines). Every signed delivery of the replayed conformance fixtures and of the
// samples must verify with both peers and with verifyWebhook; verifyWebhook must accept what
// the peers sign, and refuse exactly what they refuse; each of these with the package's
// HMAC-SHA256 (node:crypto's, set as it loads) and with the module's own (RustCrypto in wasm).
// That the package does use node:crypto's. Then the CLI's signing options, and that no secret
// is ever printed.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { createRequire } from "node:module";
import { parse, stringify, Obj, Num } from "./ordered-json.mjs";
import { ROOT, runCli, startReceiver } from "./loopback.mjs";
import { untar } from "./fixture-archive.mjs";

const require = createRequire(import.meta.url);
const crypto = require("node:crypto");
const lib = require(path.join(ROOT, "pkg"));
// What the package set as it loaded (and nothing in this file has changed yet).
const BACKEND_AT_LOAD = lib.hmacBackend();
const NODE_HMAC = lib.setHostHmac(null);
lib.setHostHmac(NODE_HMAC);
const { Webhook } = require("standardwebhooks");
const PY = path.join(ROOT, "tools", "receivers", ".venv", "bin", "python");
const JUDGE = path.join(ROOT, "tools", "receivers", "sw_judge.py");
const FIXTURES = path.join(ROOT, "tests", "fixtures", "label-studio-1.23.2");
const SAMPLES = path.join(ROOT, "samples", "events");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ls-webhooks-signing-"));

const secret = (text) => "whsec_" + Buffer.from(text).toString("base64");
const SECRET = secret("ls-webhooks: the signing tests' secret");
const HOOK_SECRET = secret("one webhook's own secret (options.signing.secrets)");
const OTHER = secret("someone else's secret, not this sender's");
const OTHER2 = secret("and a third one");
const ALL_SECRETS = [SECRET, HOOK_SECRET, OTHER, OTHER2];
const TS = 1795900000; // a fixed webhook-timestamp (2026-11-28)
const SIGNING_HEADERS = ["webhook-id", "webhook-timestamp", "webhook-signature"];

// ---------------------------------------------------------------- the Python peer

/** One sw_judge.py process: ask(request) resolves to its answer; answers come in order. */
class PythonJudge {
  constructor() {
    this.proc = spawn(PY, [JUDGE], { stdio: ["pipe", "pipe", "pipe"] });
    this.waiting = [];
    this.asked = 0;
    this.stderr = "";
    this.proc.stderr.on("data", (c) => { this.stderr += c; });
    readline.createInterface({ input: this.proc.stdout }).on("line", (line) => this.waiting.shift()(JSON.parse(line)));
    this.exited = new Promise((resolve) => this.proc.on("exit", (code) => {
      for (const w of this.waiting.splice(0)) w({ error: `sw_judge.py exited (${code}): ${this.stderr}` });
      resolve(code);
    }));
  }

  ask(request) {
    this.asked++;
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.proc.stdin.write(JSON.stringify(request) + "\n");
    });
  }

  async close() {
    this.proc.stdin.end();
    return this.exited;
  }
}

let judge;
before(() => {
  assert.ok(fs.existsSync(PY), `${PY} is missing: bash scripts/setup.sh makes it (PyPI standardwebhooks)`);
  judge = new PythonJudge();
});
after(async () => {
  if (judge) assert.equal(await judge.close(), 0, judge.stderr);
  fs.rmSync(tmp, { recursive: true, force: true });
});

// ---------------------------------------------------------------- the three verifiers

/**
 * verifyWebhook: { ok, parsed } or { ok: false, code, path, detail }. `now` undefined: the clock.
 * `signed`: whether the signature passed, which INVALID_BODY also says (the body is checked
 * against Label Studio's shapes after the signature, and a custom payload, emit_webhooks_sync's,
 * has none of them).
 */
function ours(secretOrList, headers, body, now) {
  const v = verifyOnce(secretOrList, headers, body, now);
  return { ...v, signed: v.ok || v.code === "INVALID_BODY" };
}

function verifyOnce(secretOrList, headers, body, now) {
  try {
    const parsed = lib.verifyWebhook({ headers, body, secret: secretOrList, ...(now === undefined ? {} : { now }) });
    return { ok: true, parsed };
  } catch (e) {
    return { ok: false, code: e.code, path: e.path, detail: e.detail };
  }
}

/** The npm peer, its clock (Date.now) frozen at `now` when given. */
function npmPeer(secretOrList, headers, body, now) {
  const real = Date.now;
  if (now !== undefined) Date.now = () => now * 1000;
  try {
    // A receiver with several secrets tries each (the peers take one).
    for (const s of [secretOrList].flat()) {
      try {
        new Webhook(s).verify(body, headers);
        return { ok: true };
      } catch (e) {
        if (s === [secretOrList].flat().at(-1)) return { ok: false, error: e.message };
      }
    }
    return { ok: false, error: "no secret" };
  } finally {
    Date.now = real;
  }
}

/** The PyPI peer, its clock frozen at `now` when given. */
async function pyPeer(secretOrList, headers, body, now) {
  let last;
  for (const s of [secretOrList].flat()) {
    last = await judge.ask({ op: "verify", secret: s, headers, body, now: now ?? null });
    if (last.ok) return last;
  }
  return last;
}

/** All three verdicts on one case. */
async function verdicts(secretOrList, headers, body, now) {
  const [o, n, p] = [ours(secretOrList, headers, body, now), npmPeer(secretOrList, headers, body, now), await pyPeer(secretOrList, headers, body, now)];
  return { ours: o, npm: n, py: p };
}

// ---------------------------------------------------------------- the events

/** The event with options.ssrfProtection and options.signing set, as JSON text (exact). */
function eventText(event, ssrf, signing) {
  const kept = (event.get("options")?.entries || []).filter(([k]) => k !== "ssrfProtection" && k !== "signing");
  const value = (v) => (typeof v === "number" ? new Num(String(v)) : v && typeof v === "object" ? new Obj(Object.entries(v).map(([k, x]) => [k, value(x)])) : v);
  const options = [...kept, ["ssrfProtection", ssrf], ...(signing ? [["signing", value(signing)]] : [])];
  return stringify(new Obj([...event.entries.filter(([k]) => k !== "options"), ["options", new Obj(options)]]));
}

/** Every event: each emission of the captured fixtures (that Label Studio sent) and each sample. */
function allEvents() {
  const events = [];
  for (const file of fs.readdirSync(FIXTURES).filter((f) => f.endsWith(".json")).sort()) {
    const fixture = parse(fs.readFileSync(path.join(FIXTURES, file), "utf8"));
    const ssrf = Boolean((fixture.get("settings") || new Obj()).get("SSRF_PROTECTION_ENABLED"));
    fixture.get("emissions").forEach((em, i) => {
      if (em.get("error")) return; // Label Studio raised: nothing was sent
      events.push({ where: `${file} emission ${i}`, event: em.get("event"), ssrf });
    });
  }
  for (const file of fs.readdirSync(SAMPLES).filter((f) => f.endsWith(".json")).sort()) {
    // The samples' webhooks are on example hosts: SSRF protection on, as by default.
    events.push({ where: `samples/events/${file}`, event: parse(fs.readFileSync(path.join(SAMPLES, file), "utf8")), ssrf: true });
  }
  return events;
}

/** The first webhook id of an event (it gets its own secret through options.signing.secrets). */
const firstHook = (event) => {
  const hooks = event.get("webhooks") || [];
  const id = hooks[0] instanceof Obj ? hooks[0].get("id") : undefined;
  return id instanceof Num ? Number(id.text) : undefined;
};

/**
 * Each event signed with `signing(n)` next to its unsigned plan: the signed plan must be the
 * unsigned one with three headers more (targets whose own headers take a signing header's
 * name skipped as INVALID_HEADER). Returns every signed delivery with its secret.
 */
function signedDeliveries(signing) {
  const out = [];
  allEvents().forEach(({ where, event, ssrf }, n) => {
    const hook = firstHook(event);
    const options = { secret: SECRET, ...(hook !== undefined ? { secrets: { [hook]: HOOK_SECRET } } : {}), ...signing(n) };
    const unsigned = lib.buildDeliveries(eventText(event, ssrf, null));
    const signed = lib.buildDeliveries(eventText(event, ssrf, options));
    const collided = new Set(signed.skipped.filter((s) => s.reason === "INVALID_HEADER").map((s) => s.webhookId));
    const want = unsigned.deliveries.filter((d) => !collided.has(d.webhookId));
    assert.equal(signed.deliveries.length, want.length, `${where}: deliveries`);
    assert.deepEqual(signed.warnings.filter((w) => w.code === "UNSIGNED"), [], `${where}: every target has a secret`);
    signed.deliveries.forEach((d, i) => {
      const u = want[i];
      const at = `${where} #${i}`;
      assert.equal(d.webhookId, u.webhookId, `${at}: target`);
      assert.equal(d.url, u.url, `${at}: url`);
      assert.equal(d.batch, u.batch, `${at}: batch`);
      assert.equal(d.body, u.body, `${at}: the body does not change by a byte`);
      const names = Object.keys(d.headers);
      assert.deepEqual(names.slice(-3), SIGNING_HEADERS, `${at}: the signing headers come last`);
      assert.deepEqual(Object.entries(d.headers).slice(0, -3), Object.entries(u.headers), `${at}: Label Studio's headers first, unchanged`);
      assert.match(d.headers["webhook-signature"], /^v1,[A-Za-z0-9+/]{43}=$/, at);
      out.push({ where: at, n, delivery: d, secret: d.webhookId === hook ? HOOK_SECRET : SECRET, custom: event.get("payload") !== undefined });
    });
  });
  return out;
}

// ---------------------------------------------------------------- the two HMACs

/**
 * A test registered twice: signing and verifying with the package's HMAC-SHA256 (node:crypto's,
 * hmacBackend() "host"), then with the module's own (setHostHmac(null): "wasm"). The judges are the
 * same, so both must give the peers' bytes.
 */
function withEachHmac(name, fn) {
  for (const backend of ["host", "wasm"]) {
    test(`${name} [HMAC: ${backend}]`, async (t) => {
      const previous = lib.setHostHmac(backend === "host" ? NODE_HMAC : null);
      try {
        assert.equal(lib.hmacBackend(), backend);
        return await fn(t);
      } finally {
        lib.setHostHmac(previous);
      }
    });
  }
}

/** createHmac calls while `f` runs (node:crypto's, which the package's hook looks up at each call). */
function createHmacCalls(f) {
  const real = crypto.createHmac;
  let n = 0;
  crypto.createHmac = (...args) => (n++, real(...args));
  try {
    f();
  } finally {
    crypto.createHmac = real;
  }
  return n;
}

test("the package signs and verifies with node:crypto's HMAC-SHA256: one createHmac per signed delivery, per distinct body and per verification, views of wasm memory, the same bytes as the module's own", () => {
  assert.equal(BACKEND_AT_LOAD, "host", "the package set no host HMAC as it loaded");
  assert.equal(typeof NODE_HMAC, "function");
  const text = eventText(parse(fs.readFileSync(path.join(SAMPLES, "TASKS_CREATED.json"), "utf8")), true, { secret: SECRET, timestamp: TS });
  let plan;
  const calls = createHmacCalls(() => { plan = lib.buildDeliveries(text); });
  assert.ok(plan.deliveries.length >= 3);
  // One per signed delivery, and one per distinct body for the ids derived from it (body_digest).
  const bodies = new Set(plan.deliveries.map((x) => x.body)).size;
  assert.equal(calls, plan.deliveries.length + bodies, "createHmac calls, one per signed delivery and one per distinct body");
  const d = plan.deliveries[0];
  assert.equal(createHmacCalls(() => lib.verifyWebhook({ headers: d.headers, body: d.body, secret: SECRET, now: TS })), 1);
  assert.equal(createHmacCalls(() => lib.signWebhook({ id: "evt-1", body: d.body, secret: SECRET, timestamp: TS })), 1);
  // The module's own: no createHmac, the same headers.
  lib.setHostHmac(null);
  try {
    assert.equal(lib.hmacBackend(), "wasm");
    let own;
    assert.equal(createHmacCalls(() => { own = lib.buildDeliveries(text); }), 0);
    assert.deepEqual(own.deliveries.map((x) => x.headers), plan.deliveries.map((x) => x.headers));
  } finally {
    lib.setHostHmac(NODE_HMAC);
  }
  // What a hook is given: the key, `{id}.{timestamp}.` and the body, each a view of the module's
  // memory (the body is not copied out); its answer is the signature.
  const seen = [];
  lib.setHostHmac((key, prefix, body) => {
    seen.push({ key: Buffer.from(key).toString("base64"), prefix: Buffer.from(prefix).toString(), body: Buffer.from(body).toString(),
      views: [key, prefix, body].every((v) => v.buffer.byteLength === lib.wasmMemoryBytes()) });
    return new Uint8Array(32).fill(0xff);
  });
  try {
    const sig = lib.signWebhook({ id: "evt-1", body: d.body, secret: SECRET, timestamp: TS })["webhook-signature"];
    assert.equal(sig, `v1,${Buffer.alloc(32, 0xff).toString("base64")}`);
    assert.deepEqual(seen, [{ key: SECRET.slice("whsec_".length), prefix: `evt-1.${TS}.`, body: d.body, views: true }]);
  } finally {
    lib.setHostHmac(NODE_HMAC);
  }
  // A hook that throws or answers other than 32 bytes is passed over: the module's own MAC.
  for (const bad of [() => { throw new Error("no"); }, () => new Uint8Array(31), () => "not bytes"]) {
    lib.setHostHmac(bad);
    try {
      assert.equal(lib.signWebhook({ id: d.headers["webhook-id"], body: d.body, secret: SECRET, timestamp: TS })["webhook-signature"], d.headers["webhook-signature"]);
    } finally {
      lib.setHostHmac(NODE_HMAC);
    }
  }
  assert.throws(() => lib.setHostHmac("createHmac"), TypeError);
  assert.equal(lib.hmacBackend(), "host");
});

// ---------------------------------------------------------------- every delivery, verified by all three

withEachHmac("every signed delivery of the fixtures and samples (fixed id and timestamp) verifies with both peers and verifyWebhook", async (t) => {
  const all = signedDeliveries((n) => ({ id: `evt-${n}`, timestamp: TS }));
  assert.ok(all.length >= 150, `only ${all.length} signed deliveries`);
  const perHook = all.filter((x) => x.secret === HOOK_SECRET).length;
  assert.ok(perHook > 20 && perHook < all.length, `${perHook} deliveries under a webhook's own secret`);
  const py = await Promise.all(all.map(({ delivery: d, secret: s }) => pyPeer(s, d.headers, d.body, TS)));
  let customRefused = 0;
  all.forEach(({ where, n, delivery: d, secret: s, custom }, i) => {
    assert.equal(d.headers["webhook-id"], `evt-${n}_${d.webhookId}_${d.batch}`, `${where}: webhook-id`);
    assert.equal(d.headers["webhook-timestamp"], String(TS), `${where}: webhook-timestamp`);
    const o = ours(s, d.headers, d.body, TS);
    if (custom && o.code === "INVALID_BODY") {
      customRefused++; // signed right; the body is a custom payload, which parseWebhook does not know
      // ... and with checkBody: false it is accepted and parsed as JSON (ints past 2^53 exact).
      const parsed = lib.verifyWebhook({ headers: d.headers, body: d.body, secret: s, now: TS, checkBody: false });
      assert.equal(parsed.action, JSON.parse(d.body).action, where);
    } else {
      assert.ok(o.ok, `${where}: verifyWebhook refused: ${o.code} ${o.detail}`);
      assert.equal(o.parsed.action, JSON.parse(d.body).action, where);
    }
    const n2 = npmPeer(s, d.headers, d.body, TS);
    assert.ok(n2.ok, `${where}: npm standardwebhooks refused: ${n2.error}`);
    assert.ok(py[i].ok, `${where}: PyPI standardwebhooks refused: ${py[i].error}`);
    assert.equal(py[i].roundtrip, true, `${where}: json.dumps(json.loads(body)) == body`);
    // The wrong one of the two secrets is refused.
    assert.equal(ours(s === SECRET ? HOOK_SECRET : SECRET, d.headers, d.body, TS).code, "SIGNATURE_MISMATCH", where);
  });
  // An int past 2^53 comes back exact from verifyWebhook (the project's label_config_hash).
  const sample = all.find((x) => x.where.startsWith("samples/events/TASKS_CREATED.json"));
  assert.equal(ours(sample.secret, sample.delivery.headers, sample.delivery.body, TS).parsed.project.label_config_hash, 8755930484223552274n);
  t.diagnostic(`${all.length} deliveries (${perHook} under a webhook's own secret), each verified by 3 verifiers`);
  t.diagnostic(`${customRefused} of them custom payloads (emit_webhooks_sync): signature accepted, then INVALID_BODY from parseWebhook`);
});

withEachHmac("signed with the clock: a stable msg_ id per delivery, the current time, and all three verify with their own clocks", async (t) => {
  const before = Math.floor(Date.now() / 1000);
  const all = signedDeliveries(() => ({}));
  const again = signedDeliveries(() => ({}));
  const after = Math.floor(Date.now() / 1000);
  assert.equal(again.length, all.length);
  const byEvent = new Map();
  all.forEach(({ where, n, delivery: d, secret: s }, i) => {
    assert.match(d.headers["webhook-id"], /^msg_[0-9a-f]{32}$/, where);
    assert.equal(again[i].delivery.headers["webhook-id"], d.headers["webhook-id"], `${where}: the same event gives the same id`);
    const ts = Number(d.headers["webhook-timestamp"]);
    assert.ok(ts >= before && ts <= after, `${where}: timestamp ${ts} not in [${before}, ${after}]`);
    if (!byEvent.has(n)) byEvent.set(n, new Set());
    assert.ok(!byEvent.get(n).has(d.headers["webhook-id"]), `${where}: an id repeated within one event`);
    byEvent.get(n).add(d.headers["webhook-id"]);
    assert.ok(ours(s, d.headers, d.body).signed, `${where}: verifyWebhook`);
    assert.ok(npmPeer(s, d.headers, d.body).ok, `${where}: npm standardwebhooks`);
  });
  const py = await Promise.all(all.map(({ delivery: d, secret: s }) => pyPeer(s, d.headers, d.body)));
  py.forEach((v, i) => assert.ok(v.ok, `${all[i].where}: PyPI standardwebhooks refused: ${v.error}`));
  t.diagnostic(`${all.length} deliveries signed with the clock, verified by 3 verifiers`);
});

// ---------------------------------------------------------------- the peers sign, we verify

withEachHmac("verifyWebhook accepts what the peers sign (and the peers' signatures equal the library's)", async (t) => {
  const all = signedDeliveries((n) => ({ id: `evt-${n}`, timestamp: TS }));
  let checked = 0;
  for (const [i, { where, delivery: d, secret: s }] of all.entries()) {
    // Same id, timestamp and body: the same signature, to the byte.
    const id = d.headers["webhook-id"];
    const npmSig = new Webhook(s).sign(id, new Date(TS * 1000), d.body);
    const pySig = (await judge.ask({ op: "sign", secret: s, id, timestamp: TS, body: d.body })).signature;
    assert.equal(npmSig, d.headers["webhook-signature"], `${where}: npm's signature`);
    assert.equal(pySig, d.headers["webhook-signature"], `${where}: PyPI's signature`);
    // The peers' own messages: their ids and timestamps.
    const npmId = `msg_npm_${i}`, pyId = `msg_pypi_${i}`, npmTs = TS + i, pyTs = TS - i;
    const fromNpm = { "webhook-id": npmId, "webhook-timestamp": String(npmTs), "webhook-signature": new Webhook(s).sign(npmId, new Date(npmTs * 1000), d.body) };
    const pySigned = (await judge.ask({ op: "sign", secret: s, id: pyId, timestamp: pyTs, body: d.body })).signature;
    const fromPy = { "webhook-id": pyId, "webhook-timestamp": String(pyTs), "webhook-signature": pySigned };
    const a = ours(s, fromNpm, d.body, npmTs);
    assert.ok(a.signed, `${where}: verifyWebhook refused npm's signature: ${a.code}`);
    const b = ours(s, fromPy, d.body, pyTs);
    assert.ok(b.signed, `${where}: verifyWebhook refused PyPI's signature: ${b.code}`);
    assert.equal(ours(OTHER, fromPy, d.body, pyTs).code, "SIGNATURE_MISMATCH", where);
    checked += 2;
  }
  t.diagnostic(`${all.length} deliveries: both peers' signatures equal the library's; ${checked} peer-signed messages accepted`);
});

// ---------------------------------------------------------------- refusals, compared

/** A signature by `key` of this message (the npm peer's sign: only the bytes matter). */
const sigBy = (key, id, ts, body) => new Webhook(key).sign(id, new Date(ts * 1000), body);

/** The cases made from one signed delivery: [name, secret(s), headers, body, now, expected code or null]. */
function casesOf(d, s, other) {
  const h = d.headers;
  const id = h["webhook-id"], sig = h["webhook-signature"];
  const without = (name) => Object.fromEntries(Object.entries(h).filter(([k]) => k !== name));
  const digit = d.body.search(/\d/);
  const bumped = d.body.slice(0, digit) + ((Number(d.body[digit]) + 1) % 10) + d.body.slice(digit + 1);
  const compact = JSON.stringify(JSON.parse(d.body));
  const cases = [
    ["as signed", s, h, d.body, TS, null],
    ["the secret without its whsec_ prefix", s.slice("whsec_".length), h, d.body, TS, null],
    ["header names capitalised", s, Object.fromEntries(Object.entries(h).map(([k, v]) => [k.replace(/(^|-)(\w)/g, (m) => m.toUpperCase()), v])), d.body, TS, null],
    ["a body with a space appended", s, h, d.body + " ", TS, "SIGNATURE_MISMATCH"],
    ["a body with one digit changed", s, h, bumped, TS, "SIGNATURE_MISMATCH"],
    ["the same JSON re-serialized (JSON.stringify)", s, h, compact, TS, "SIGNATURE_MISMATCH"],
    ["another delivery's body", s, h, other.body, TS, "SIGNATURE_MISMATCH"],
    ["another secret", OTHER, h, d.body, TS, "SIGNATURE_MISMATCH"],
    ["verified 300 s later (the tolerance)", s, h, d.body, TS + 300, null],
    ["verified 301 s later: too old", s, h, d.body, TS + 301, "TIMESTAMP_OUT_OF_TOLERANCE"],
    ["verified a day later: too old", s, h, d.body, TS + 86400, "TIMESTAMP_OUT_OF_TOLERANCE"],
    ["verified 300 s earlier", s, h, d.body, TS - 300, null],
    ["verified 301 s earlier: from the future", s, h, d.body, TS - 301, "TIMESTAMP_OUT_OF_TOLERANCE"],
    ["another delivery's webhook-id", s, { ...h, "webhook-id": other.headers["webhook-id"] }, d.body, TS, "SIGNATURE_MISMATCH"],
    ["webhook-timestamp moved 1 s, not signed again", s, { ...h, "webhook-timestamp": String(TS + 1) }, d.body, TS, "SIGNATURE_MISMATCH"],
    ["without webhook-id", s, without("webhook-id"), d.body, TS, "MISSING_HEADER"],
    ["without webhook-timestamp", s, without("webhook-timestamp"), d.body, TS, "MISSING_HEADER"],
    ["without webhook-signature", s, without("webhook-signature"), d.body, TS, "MISSING_HEADER"],
    ["an empty webhook-signature", s, { ...h, "webhook-signature": "" }, d.body, TS, "MISSING_HEADER"],
    ["without any signing header (an unsigned delivery)", s, Object.fromEntries(Object.entries(h).filter(([k]) => !SIGNING_HEADERS.includes(k))), d.body, TS, "MISSING_HEADER"],
    ["rotation: another key's signature, then ours", s, { ...h, "webhook-signature": `${sigBy(OTHER, id, TS, d.body)} ${sig}` }, d.body, TS, null],
    ["rotation: ours, then another key's", s, { ...h, "webhook-signature": `${sig} ${sigBy(OTHER2, id, TS, d.body)}` }, d.body, TS, null],
    ["rotation: only other keys' signatures", s, { ...h, "webhook-signature": `${sigBy(OTHER, id, TS, d.body)} ${sigBy(OTHER2, id, TS, d.body)}` }, d.body, TS, "SIGNATURE_MISMATCH"],
    ["our signature labelled v2 (only v1 counts)", s, { ...h, "webhook-signature": sig.replace(/^v1,/, "v2,") }, d.body, TS, "SIGNATURE_MISMATCH"],
    ["a list of secrets holding ours", [OTHER, s], h, d.body, TS, null],
    ["a list of secrets without ours", [OTHER, OTHER2], h, d.body, TS, "SIGNATURE_MISMATCH"],
  ];
  return cases;
}

withEachHmac("verifyWebhook refuses exactly what both peers refuse: tampered bodies, other secrets, old and future timestamps, swapped ids, missing headers; rotation and secret lists", async (t) => {
  const all = signedDeliveries((n) => ({ id: `evt-${n}`, timestamp: TS }));
  // One delivery of each fixture file and each sample: every action, hostile text, big ints.
  const seen = new Set();
  const bases = all.filter((x) => {
    const file = x.where.split(" ")[0];
    if (seen.has(file)) return false;
    seen.add(file);
    return true;
  });
  assert.ok(bases.length >= 25, `${bases.length} bases`);
  let count = 0;
  const byCase = new Map();
  for (const [i, base] of bases.entries()) {
    const other = bases[(i + 1) % bases.length].delivery;
    for (const [name, s, headers, body, now, code] of casesOf(base.delivery, base.secret, other)) {
      const v = await verdicts(s, headers, body, now);
      const at = `${base.where}: ${name}`;
      const want = code === null;
      assert.equal(v.ours.signed, want, `${at}: verifyWebhook ${v.ours.signed ? "accepted" : `refused (${v.ours.code})`}`);
      if (want && !base.custom) assert.ok(v.ours.ok, `${at}: ${v.ours.code}`);
      assert.equal(v.npm.ok, want, `${at}: npm standardwebhooks ${v.npm.ok ? "accepted" : `refused (${v.npm.error})`}`);
      assert.equal(v.py.ok, want, `${at}: PyPI standardwebhooks ${v.py.ok ? "accepted" : `refused (${v.py.error})`}`);
      if (!want) assert.equal(v.ours.code, code, `${at}: verifyWebhook's code (${v.ours.detail})`);
      if (code === "TIMESTAMP_OUT_OF_TOLERANCE") assert.match(v.npm.error, /timestamp too (old|new)/, at);
      if (code === "MISSING_HEADER") assert.match(v.py.error, /Missing required headers/, at);
      byCase.set(name, (byCase.get(name) || 0) + 1);
      count++;
    }
  }
  assert.equal(byCase.size, 26);
  t.diagnostic(`${count} cases (${byCase.size} kinds x ${bases.length} deliveries): the same verdict from all three`);
});

test("verifyWebhook's own errors: bad arguments are INVALID_ARGUMENT, a timestamp that is not a number INVALID_HEADER", () => {
  const d = lib.buildDeliveries(eventText(parse(fs.readFileSync(path.join(SAMPLES, "PROJECT_CREATED.json"), "utf8")), true,
    { secret: SECRET, timestamp: TS })).deliveries[0];
  const code = (args) => { try { lib.verifyWebhook(args); return "accepted"; } catch (e) { return e.code; } };
  assert.equal(code({ headers: d.headers, body: d.body, secret: SECRET, now: TS }), "accepted");
  assert.equal(code({ headers: new Headers(d.headers), body: Buffer.from(d.body), secret: SECRET, now: new Date(TS * 1000) }), "accepted");
  assert.equal(code({ headers: Object.entries(d.headers), body: d.body, secret: [SECRET], now: TS }), "accepted");
  assert.equal(code({ headers: d.headers, body: d.body, secret: "not a secret!", now: TS }), "INVALID_ARGUMENT");
  assert.equal(code({ headers: d.headers, body: d.body, secret: [], now: TS }), "INVALID_ARGUMENT");
  assert.equal(code({ headers: d.headers, body: 42, secret: SECRET, now: TS }), "INVALID_ARGUMENT");
  assert.equal(code({ headers: { ...d.headers, "webhook-timestamp": "12x" }, body: d.body, secret: SECRET, now: TS }), "INVALID_HEADER");
  // A signed body that is not one Label Studio sends: INVALID_BODY, after the signature.
  const body = '{"action": "PROJECT_CREATED", "colour": 1}';
  const h = { "webhook-id": "msg_x", "webhook-timestamp": String(TS), "webhook-signature": sigBy(SECRET, "msg_x", TS, body) };
  assert.equal(code({ headers: h, body, secret: SECRET, now: TS }), "INVALID_BODY");
  // checkBody: false takes any JSON once the signature holds (a custom emit_webhooks_sync payload) ...
  assert.deepEqual(lib.verifyWebhook({ headers: h, body, secret: SECRET, now: TS, checkBody: false }), { action: "PROJECT_CREATED", colour: 1 });
  // ... but still refuses a bad signature, and text that is not JSON.
  assert.equal(code({ headers: h, body: body + " ", secret: SECRET, now: TS, checkBody: false }), "SIGNATURE_MISMATCH");
  assert.equal(code({ headers: h, body, secret: SECRET, now: TS, checkBody: "no" }), "INVALID_ARGUMENT");
  const notJson = "{nope";
  const h2 = { ...h, "webhook-signature": sigBy(SECRET, "msg_x", TS, notJson) };
  assert.equal(code({ headers: h2, body: notJson, secret: SECRET, now: TS, checkBody: false }), "INVALID_BODY");
  // parseWebhook takes the same option; a bare int past 2^53 comes back a BigInt.
  assert.equal(lib.parseWebhook("12345678901234567890", { checkBody: false }), 12345678901234567890n);
  assert.deepEqual(lib.parseWebhook('{"a": [1, 9007199254740993]}', { checkBody: false }), { a: [1, 9007199254740993n] });
  assert.throws(() => lib.parseWebhook('{"a": 1}'), (e) => e.code === "INVALID_BODY");
});

// ---------------------------------------------------------------- the CLI

/** Runs the CLI with `env` added to this process's environment. */
const cli = (args, opts) => runCli(args, { timeoutMs: 60000, ...opts });

/** Neither the secret nor its key (the base64 after whsec_) is anywhere in the run's output. */
function assertNoSecret(r, what, secrets = ALL_SECRETS) {
  for (const s of secrets) {
    for (const form of [s, s.slice("whsec_".length)]) {
      assert.ok(!r.stdout.includes(form), `${what}: a secret on stdout`);
      assert.ok(!r.stderr.includes(form), `${what}: a secret on stderr`);
    }
  }
}

const write = (name, content) => { const p = path.join(tmp, name); fs.writeFileSync(p, content); return p; };
const ENV = { LSW_TEST_SIGNING_SECRET: SECRET };

test("plan --signing-secret-env/--signing-secret-file [--signing-id]: signed as options.signing signs, and the secret is never printed", async () => {
  const file = path.join(SAMPLES, "ANNOTATION_CREATED.json");
  const text = fs.readFileSync(file, "utf8");
  const runs = [
    [["plan", file, "--signing-secret-env", "LSW_TEST_SIGNING_SECRET", "--signing-id", "evt-42"], "evt-42"],
    [["plan", file, "--signing-secret-env=LSW_TEST_SIGNING_SECRET"], null],
    [["plan", file, "--signing-secret-file", write("secret.txt", SECRET + "\n"), "--signing-id=evt-43"], "evt-43"],
    [["plan", file, "--signing-secret-file", write("secret-crlf.txt", SECRET + "\r\n")], null],
    [["plan", "-", "--signing-secret-file", write("secret-bare.txt", SECRET)], null],
  ];
  for (const [args, id] of runs) {
    const r = await cli(args, { env: ENV, input: text });
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    assertNoSecret(r, args.join(" "));
    const plan = JSON.parse(r.stdout);
    const want = lib.buildDeliveries(text.replace(/}\s*$/, `, "options": {"signing": {"secret": ${JSON.stringify(SECRET)}${id ? `, "id": "${id}"` : ""}}}}`));
    assert.equal(plan.deliveries.length, want.deliveries.length);
    plan.deliveries.forEach((d, i) => {
      const w = want.deliveries[i];
      assert.equal(d.body, w.body);
      // Everything but the clock's timestamp (and so the signature) as the library signs it.
      const strip = (h) => Object.entries(h).filter(([k]) => k !== "webhook-timestamp" && k !== "webhook-signature");
      assert.deepEqual(strip(d.headers), strip(w.headers));
      if (id) assert.equal(d.headers["webhook-id"], `${id}_${d.webhookId}_0`);
      assert.ok(ours(SECRET, d.headers, d.body).ok, `${args.join(" ")}: delivery ${i} verifies`);
      assert.ok(npmPeer(SECRET, d.headers, d.body).ok);
    });
  }
  // --no-ssrf-protection and signing together: both options set, every other byte kept.
  const both = await cli(["plan", file, "--no-ssrf-protection", "--signing-secret-env", "LSW_TEST_SIGNING_SECRET"], { env: ENV });
  assert.equal(both.code, 0, both.stderr);
  const plan = JSON.parse(both.stdout);
  assert.equal(plan.ssrfProtection, false);
  assert.ok(plan.deliveries.every((d) => ours(SECRET, d.headers, d.body).ok));
  assertNoSecret(both, "plan --no-ssrf-protection");
});

test("signing usage errors: exit 2, a message naming the variable or file, never the secret", async () => {
  const badFile = write("bad.txt", "whsec_this is not base64!!\n");
  const cases = [
    [["plan", "--signing-secret-env", "LSW_TEST_NOT_SET"], /plan: --signing-secret-env LSW_TEST_NOT_SET: the environment variable is not set/],
    [["send", "--signing-secret-env", "LSW_TEST_EMPTY"], /send: --signing-secret-env LSW_TEST_EMPTY: the secret is empty/],
    [["plan", "--signing-secret-file", path.join(tmp, "nope.txt")], /--signing-secret-file .*nope\.txt: no such file/],
    [["plan", "--signing-secret-file", tmp], /--signing-secret-file .*: is a directory/],
    [["plan", "--signing-secret-file", write("empty.txt", "\n")], /empty\.txt: the secret is empty/],
    [["plan", "--signing-secret-env", "LSW_TEST_BAD"], /--signing-secret-env LSW_TEST_BAD: the secret is not a Standard Webhooks secret/],
    [["plan", "--signing-secret-file", badFile], /bad\.txt: the secret is not a Standard Webhooks secret/],
    // The secret itself on the command line: refused, and not echoed.
    [["plan", `--signing-secret=${SECRET}`], /--signing-secret is not an option: a secret is never given on the command line/],
    [["send", "--signing-secret", SECRET], /--signing-secret is not an option/],
    [["plan", "--signing-secret-env", SECRET], /takes the NAME of an environment variable .* not the secret itself/],
    [["plan", "--signing-secret-file", SECRET], /--signing-secret-file \(the value given\): no such file/],
    [["plan", "--signing-secret-env", "LSW_TEST_SIGNING_SECRET", "--signing-secret-file", badFile], /go one at a time/],
    [["plan", "--signing-id", "evt-1"], /--signing-id goes with --signing-secret-env NAME or --signing-secret-file PATH/],
    [["send", "--signing-secret-env", "LSW_TEST_SIGNING_SECRET", "--signing-id", "evt 1"], /--signing-id "evt 1": id must be 1 to 200 characters/],
    [["plan", "--signing-secret-env"], /--signing-secret-env needs a value/],
    [["redeliver", "--db", "x.sqlite3", "--action", "TASKS_CREATED", "--signing-secret-env", "LSW_TEST_NOT_SET"], /redeliver: --signing-secret-env LSW_TEST_NOT_SET: the environment variable is not set/],
    [["trigger", "http://127.0.0.1:9/", "--signing-secret-env", "LSW_TEST_BAD"], /trigger: --signing-secret-env LSW_TEST_BAD: the secret is not a Standard Webhooks secret/],
    [["trigger", "http://127.0.0.1:9/", "--signing-secret-env", "LSW_TEST_SIGNING_SECRET", "--signing-id", "x"], /--signing-id is not an option of trigger/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(args, { env: { ...ENV, LSW_TEST_EMPTY: "", LSW_TEST_BAD: "whsec_this is not base64!!" } });
    const what = args.map((a) => (a.includes(SECRET) ? "<secret>" : a)).join(" ");
    assert.equal(r.code, 2, `${what}: ${r.stderr}`);
    assert.match(r.stderr, message, what);
    assert.equal(r.stdout, "", what);
    assertNoSecret(r, what);
    assert.ok(!r.stderr.includes("this is not base64"), `${what}: the bad secret was printed`);
  }
});

test("send --signing-secret-env: every delivery arrives signed, verifies with the three verifiers, and no line shows the secret", async () => {
  const receiver = await startReceiver();
  try {
    const text = fs.readFileSync(path.join(SAMPLES, "TASKS_CREATED.json"), "utf8")
      .replace(/"webhooks": \[[\s\S]*\]\s*}\s*$/, `"webhooks": ${JSON.stringify([
        { id: 1, url: `${receiver.url}/one`, headers: { Authorization: "Bearer t" } },
        { id: 2, url: `${receiver.url}/two`, send_payload: false },
      ].map((w) => ({ organization: 1, project: 12, send_payload: true, send_for_all_actions: true, is_active: true, actions: [], headers: {}, ...w })))},
      "options": {"batchSize": 2}}\n`);
    const r = await cli(["send", "-", "--no-ssrf-protection", "--signing-secret-env", "LSW_TEST_SIGNING_SECRET", "--signing-id", "import-7"], { env: ENV, input: text });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assertNoSecret(r, "send");
    assert.equal(receiver.received.length, 4); // 3 tasks in batches of 2, 2 targets
    const unsigned = lib.buildDeliveries(text.replace('"options": {"batchSize": 2}', '"options": {"batchSize": 2, "ssrfProtection": false}'));
    assert.equal(unsigned.deliveries.length, 4);
    const ids = new Set();
    for (const got of receiver.received) {
      const body = got.body.toString("utf8");
      const want = unsigned.deliveries.find((d) => new URL(d.url).pathname === got.path && d.body === body &&
        got.headers["webhook-id"] === `import-7_${d.webhookId}_${d.batch}`);
      assert.ok(want, `${got.path} (${got.headers["webhook-id"]}): a delivery of the plan, byte for byte`);
      ids.add(got.headers["webhook-id"]);
      assert.ok(ours(SECRET, got.headers, got.body).ok, `${got.path}: verifyWebhook (Node's req.headers)`);
      assert.ok(npmPeer(SECRET, got.headers, body).ok, `${got.path}: npm standardwebhooks`);
      assert.ok((await pyPeer(SECRET, got.headers, body)).ok, `${got.path}: PyPI standardwebhooks`);
      if (want.webhookId === 1) assert.equal(got.headers.authorization, "Bearer t");
    }
    assert.equal(ids.size, 4, "each delivery once");
  } finally {
    await receiver.close();
  }
});

// ---------------------------------------------------------------- send --queue, redeliver

const haveRedis = spawnSync("redis-server", ["--version"]).status === 0;
const mustHaveRedis = process.getuid?.() === 0 && fs.existsSync("/etc/debian_version"); // CI: setup.sh installs it
const redisSkip = haveRedis || mustHaveRedis ? false : "redis-server is not installed (bash scripts/setup.sh installs it)";

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().on("error", reject).listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

test("send --queue with signing: the queued jobs carry the signed headers, also for an event planned batch by batch (past 1 MiB)", { skip: redisSkip }, async () => {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(tmp, "redis-"));
  const redis = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  const url = `redis://127.0.0.1:${port}`;
  try {
    for (let i = 0; i < 100; i++) {
      if (await new Promise((resolve) => { const c = net.connect(port, "127.0.0.1", () => { c.end(); resolve(true); }).on("error", () => resolve(false)); })) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // 3000 tasks of ~600 bytes: past 1 MiB, so send plans it with planBatches (batches of 1000).
    const sample = JSON.parse(fs.readFileSync(path.join(SAMPLES, "TASKS_CREATED.json"), "utf8"));
    const tasks = Array.from({ length: 3000 }, (_, i) => ({ ...sample.instance[i % 3], id: 100 + i, inner_id: i + 1, data: { text: `task ${i} ${"x".repeat(300)}` } }));
    const event = { ...sample, project: { ...sample.project, label_config_hash: "8755930484223552274" }, instance: tasks,
      webhooks: [{ id: 5, organization: 1, project: 12, url: "https://hooks.example.com/in", send_payload: true, send_for_all_actions: true, is_active: true, actions: [], headers: {} }],
      options: { batchSize: 1000 } };
    const big = write("big.json", JSON.stringify(event));
    assert.ok(fs.statSync(big).size > 1 << 20);
    const r = await cli(["send", big, "--queue", url, "--signing-secret-env", "LSW_TEST_SIGNING_SECRET", "--signing-id", "big-1"], { env: ENV });
    assert.equal(r.code, 0, r.stderr);
    assertNoSecret(r, "send --queue");
    assert.match(r.stderr, /TASKS_CREATED: 3 deliveries to 1 targets \(3 batches\) enqueued/);
    const jobIds = r.stdout.trim().split("\n");
    assert.equal(jobIds.length, 3);
    const { Redis } = require("ioredis");
    const client = new Redis(url);
    try {
      const keys = await client.keys("lsw:*");
      const jobs = [];
      for (const k of keys) {
        if ((await client.type(k)) !== "hash") continue;
        const data = await client.hget(k, "data");
        if (data) jobs.push(JSON.parse(data));
      }
      assert.equal(jobs.length, 3, keys.join(" "));
      for (const job of jobs.sort((a, b) => a.batch - b.batch)) {
        assert.equal(job.headers["webhook-id"], `big-1_5_${job.batch}`);
        const body = await client.getBuffer(job.bodyKey);
        assert.ok(ours(SECRET, job.headers, body).ok, `batch ${job.batch}: the queued signature verifies`);
        assert.ok(npmPeer(SECRET, job.headers, body.toString("utf8")).ok);
      }
      assert.ok(!(await client.keys("*")).some((k) => k.includes(SECRET.slice(6))), "no Redis key holds the secret");
      // The signing id is the queue's event id: the same id again adds nothing, another one
      // adds the event again, newly signed (a delivery id holds no header).
      const same = await cli(["send", big, "--queue", url, "--signing-secret-env", "LSW_TEST_SIGNING_SECRET", "--signing-id", "big-1"], { env: ENV });
      assert.deepEqual(same.stdout.trim().split("\n"), jobIds);
      const other = await cli(["send", big, "--queue", url, "--signing-secret-env", "LSW_TEST_SIGNING_SECRET", "--signing-id", "big-2"], { env: ENV });
      assert.equal(other.code, 0, other.stderr);
      const newIds = other.stdout.trim().split("\n");
      assert.equal(newIds.length, 3);
      assert.ok(newIds.every((id) => !jobIds.includes(id)));
    } finally {
      client.disconnect();
    }
  } finally {
    redis.kill("SIGKILL");
  }
});


test("redeliver --signing-secret-file --signing-id --json: every rebuilt delivery signed as event ID-N-B, verified by the peers", async () => {
  const files = untar(path.join(ROOT, "tests", "fixtures", "label-studio-1.23.2-db", "sqlite", "tasks-created.tar.br"));
  const doc = JSON.parse(files.get("emissions.json").toString("utf8"));
  const em = doc.emissions[3];
  const db = path.join(tmp, em.snapshot);
  fs.writeFileSync(db, files.get(em.snapshot));
  const secretFile = write("redeliver-secret", SECRET + "\n");
  const args = ["redeliver", "--db", db, "--action", "TASKS_CREATED", "--project", String(em.selection.project), "--batch-size", "3",
    "--no-ssrf-protection", "--json", "--signing-secret-file", secretFile, "--signing-id", "replay-9"];
  const r = await cli(args);
  assert.equal(r.code, 0, r.stderr);
  assertNoSecret(r, "redeliver --json");
  const plans = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(plans.length, 3); // 7 tasks in batches of 3
  const unsigned = await cli(args.slice(0, -4));
  const unsignedPlans = unsigned.stdout.trim().split("\n").map((l) => JSON.parse(l));
  let n = 0;
  plans.forEach((plan, b) => {
    plan.deliveries.forEach((d, i) => {
      assert.equal(d.body, unsignedPlans[b].deliveries[i].body, "bodies unchanged");
      assert.equal(d.headers["webhook-id"], `replay-9-1-${b}_${d.webhookId}_0`);
      assert.ok(ours(SECRET, d.headers, d.body).ok);
      assert.ok(npmPeer(SECRET, d.headers, d.body).ok);
      n++;
    });
  });
  assert.ok(n >= 6, `${n} deliveries`);
  // Without --signing-id: msg_ ids, the same when the same rows are rebuilt again.
  const a = await cli(args.slice(0, -2));
  const b = await cli(args.slice(0, -2));
  const ids = (x) => x.stdout.trim().split("\n").flatMap((l) => JSON.parse(l).deliveries.map((d) => d.headers["webhook-id"]));
  assert.ok(ids(a).every((id) => /^msg_[0-9a-f]{32}$/.test(id)));
  assert.deepEqual(ids(a), ids(b));
  assert.equal(new Set(ids(a)).size, ids(a).length);
});

test("--help of plan, send, redeliver and trigger documents the signing options", async () => {
  for (const cmd of ["plan", "send", "redeliver", "trigger"]) {
    const r = await cli([cmd, "--help"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /--signing-secret-env NAME/, cmd);
    assert.match(r.stdout, /--signing-secret-file PATH/, cmd);
    assert.match(r.stdout, /never given on the command line/, cmd);
    if (cmd !== "trigger") assert.match(r.stdout, /--signing-id ID/, cmd);
  }
  const top = await cli(["help"]);
  assert.match(top.stdout, /--signing-secret-env NAME or --signing-secret-file PATH/);
});
