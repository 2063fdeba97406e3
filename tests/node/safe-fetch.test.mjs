// ls-webhooks/safe-fetch, the send-time SSRF guard, on a real network: a network namespace of
// this test's own (unshare -mn) where 93.184.215.14 and 1.1.1.1 are addresses of `lo` and
// /etc/hosts is ours, so "public" receivers are local and nothing leaves the machine.
// tests/node/netns/scenarios.mjs runs in there and reports what its receivers saw; the
// assertions are here. As root on Linux a missing `unshare` is a failure, not a skip.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";
import { ROOT } from "./loopback.mjs";

const require = createRequire(import.meta.url);
const lib = require(path.join(ROOT, "pkg"));
const { safeFetch, createGuardedDispatcher } = require(path.join(ROOT, "js", "safe-fetch.js"));
const SCENARIOS = path.join(ROOT, "tests", "node", "netns", "scenarios.mjs");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ls-webhooks-netns-"));

const HOSTS = `127.0.0.1 localhost
::1 localhost
93.184.215.14 public.test
127.0.0.1 loop.test
93.184.215.14 mixed.test
127.0.0.1 mixed.test
::1 v6loop.test
`;
const PUBLIC = new Set(["93.184.215.14", "1.1.1.1"]);
const BODY = '{"action": "PROJECT_DELETED", "project": {"id": 7, "title": "Caf\\u00e9"}}';
const isLoopback = (a) => a === "::1" || a.startsWith("127.") || a === "0.0.0.0";
const body = (got) => Buffer.from(got.body, "base64");

// Linux as root: unshare must work (fail otherwise). Not root: a user namespace if the
// kernel allows one, else skip. Elsewhere: skip.
const isRoot = process.getuid?.() === 0;
const unshareArgs = isRoot ? ["-mn"] : ["-rmn"];
let skipNetns = false;
if (process.platform !== "linux") skipNetns = "needs Linux network namespaces";
else if (!isRoot && spawnSync("unshare", [...unshareArgs, "true"]).status !== 0) skipNetns = "not root, and no user namespaces here";
const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;

let child = null;
let out = null;
before(async () => {
  if (skipNetns) return;
  const probe = spawnSync("unshare", [...unshareArgs, "true"], { encoding: "utf8" });
  assert.equal(probe.status, 0, `unshare ${unshareArgs.join(" ")} true failed (as root on Linux this must work): ` +
    `${probe.error?.message ?? probe.stderr}`);
  const hosts = path.join(tmp, "hosts");
  fs.writeFileSync(hosts, HOSTS);
  let tls = null;
  if (hasOpenssl) {
    tls = { key: path.join(tmp, "tls.key"), cert: path.join(tmp, "tls.crt") };
    const gen = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", tls.key, "-out", tls.cert, "-days", "2", "-subj", "/CN=public.test", "-addext", "subjectAltName=DNS:public.test"],
    { encoding: "utf8" });
    assert.equal(gen.status, 0, gen.stderr);
  }
  const script = 'set -e; ip link set lo up; ip addr add 93.184.215.14/32 dev lo; ip addr add 1.1.1.1/32 dev lo; ' +
    'mount --bind "$1" /etc/hosts; exec "$2" "$3" "$4"';
  out = await new Promise((resolve, reject) => {
    child = spawn("unshare", [...unshareArgs, "--", "sh", "-c", script, "sh", hosts, process.execPath, SCENARIOS,
      JSON.stringify({ tmp, tls })], { stdio: ["ignore", "pipe", "pipe"] });
    const stdout = [], stderr = [];
    child.stdout.on("data", (c) => stdout.push(c));
    child.stderr.on("data", (c) => stderr.push(c));
    const timer = setTimeout(() => { child.kill("SIGKILL"); reject(new Error("the namespace's scenarios took over 25 s")); }, 25000);
    child.on("error", (e) => { clearTimeout(timer); reject(e); });
    child.on("close", (code) => {
      clearTimeout(timer);
      child = null;
      const text = Buffer.concat(stdout).toString("utf8");
      const err = Buffer.concat(stderr).toString("utf8");
      if (code !== 0) return reject(new Error(`scenarios exited ${code}: ${err}`));
      try { resolve(JSON.parse(text)); } catch { reject(new Error(`scenarios printed no JSON: ${text}\n${err}`)); }
    });
  });
});
after(() => {
  if (child) child.kill("SIGKILL");
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Every request and connection the receivers saw while protection was on. */
function guardedTraffic() {
  const runs = [out.cli, ...out.rebind, out.both, out.badLookup, ...Object.values(out.redirects), out.manual, out.timeout,
    ...Object.values(out.tls ?? {})];
  return { requests: runs.flatMap((r) => r.requests), connections: runs.flatMap((r) => r.connections) };
}

test("netns: ls-webhooks send with protection on reaches the public targets only, each with the plan's bytes", { skip: skipNetns }, () => {
  const r = out.cli;
  const plan = lib.buildDeliveries(new Uint8Array(Buffer.from(r.event, "utf8")));
  assert.equal(plan.ssrfProtection, true);
  // Every literal form (and localhost) is the plan's; the three host names are the guard's.
  assert.deepEqual(plan.skipped.map((s) => [s.webhookId, s.reason]), r.forms.slice(0, 12).map((_, i) => [i + 1, "SSRF_BLOCKED"]));
  assert.deepEqual(plan.deliveries.map((d) => d.webhookId), [13, 14, 15, 16, 17, 18]);

  assert.equal(r.code, 1, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines[0], "PROJECT_DELETED: 6 deliveries to 18 targets (1 batch), timeout 2 s");
  for (const [id, host, address, block] of [[13, "loop.test", "127.0.0.1", "127.0.0.0/8"],
    [14, "mixed.test", "127.0.0.1", "127.0.0.0/8"], [15, "v6loop.test", "::1", "::1/128"]]) {
    const want = `  webhook ${id}  FAILED blocked: "${host}" resolves to ${address}, a reserved network address (block: ${block}) (SSRF_BLOCKED)  `;
    assert.ok(lines.some((l) => l.startsWith(want)), `${want}\n${r.stdout}`);
  }
  for (const id of [16, 17, 18]) assert.ok(lines.some((l) => l.startsWith(`  webhook ${id}  200 OK  `)), `webhook ${id}`);
  for (let id = 1; id <= 12; id++) assert.ok(lines.some((l) => l.startsWith(`  webhook ${id}  skipped: SSRF_BLOCKED: `)), `webhook ${id}`);
  assert.equal(lines.at(-1), "summary: 6 deliveries, 3 ok, 3 failed, 12 webhooks skipped");

  // What arrived: exactly the public ones, at the public addresses, byte for byte (targets
  // are sent to side by side: in any order across targets).
  assert.deepEqual(r.requests.map((g) => [g.path, g.local, g.method]).sort(),
    [["/w16", "93.184.215.14", "POST"], ["/w17", "1.1.1.1", "POST"], ["/w18", "93.184.215.14", "POST"]]);
  for (const got of r.requests) {
    const d = plan.deliveries.find((x) => new URL(x.url).pathname === got.path);
    assert.ok(body(got).equals(Buffer.from(d.body, "utf8")), got.path);
    assert.equal(got.contentType, d.headers["Content-Type"]);
  }
  assert.ok(r.connections.every((a) => PUBLIC.has(a)), r.connections.join(", "));
});

test("netns: with protection on, no receiver ever saw a loopback connection", { skip: skipNetns }, () => {
  const { requests, connections } = guardedTraffic();
  assert.ok(requests.length >= 15);
  assert.deepEqual(requests.filter((g) => isLoopback(g.local)), []);
  assert.deepEqual(connections.filter(isLoopback), []);
});

test("netns: rebinding: one lookup per connection, and it connects to the address it checked", { skip: skipNetns }, () => {
  const [a, b, close, d] = out.rebind;
  // First connection: the lookup answered 93.184.215.14 (its only call), the receiver saw it there.
  assert.equal(a.ok, true, JSON.stringify(a.error));
  assert.equal(a.lookups, 1);
  assert.deepEqual(a.connections, ["93.184.215.14"]);
  assert.deepEqual(a.requests.map((g) => [g.path, g.local, g.host]), [["/rebind-a", "93.184.215.14", `rebind.test:${out.port}`]]);
  assert.ok(body(a.requests[0]).equals(Buffer.from(BODY)));
  // The checked connection is kept alive: no second lookup (which would now say 127.0.0.1).
  assert.equal(b.ok, true);
  assert.equal(b.lookups, 1);
  assert.deepEqual(b.connections, []);
  assert.deepEqual(b.requests.map((g) => g.local), ["93.184.215.14"]);
  assert.equal(close.lookups, 1);
  // A new connection looks up again, gets 127.0.0.1, and is refused before connecting.
  assert.equal(d.ok, false);
  assert.equal(d.lookups, 2);
  assert.equal(d.error.code, "SSRF_BLOCKED");
  assert.equal(d.error.address, "127.0.0.1");
  assert.equal(d.error.block, "127.0.0.0/8");
  assert.match(d.error.message, /rebind\.test.*127\.0\.0\.1.*127\.0\.0\.0\/8/);
  assert.deepEqual([...d.requests, ...d.connections], []);
  assert.deepEqual(out.rebindCalls, [{ hostname: "rebind.test", all: true }, { hostname: "rebind.test", all: true }]);

  // A lookup answering a public and a reserved address at once: refused (any address counts).
  assert.equal(out.both.ok, false);
  assert.equal(out.both.lookups, 1);
  assert.equal(out.both.error.code, "SSRF_BLOCKED");
  assert.equal(out.both.error.address, "127.0.0.1");
  assert.deepEqual([...out.both.requests, ...out.both.connections], []);
  // A lookup answering something that is not an address: refused too (fails closed).
  assert.equal(out.badLookup.error.code, "SSRF_BLOCKED");
  assert.deepEqual(out.badLookup.requests, []);
});

test("netns: redirects: every hop goes through the guard; 307/308 keep POST and body, 302/303 become GET", { skip: skipNetns }, () => {
  const R = out.redirects;
  for (const [name, address] of [["toLoop", "127.0.0.1"], ["toLoop6", "::1"], ["toNumeric", "127.0.0.1"],
    ["toName", "127.0.0.1"], ["toMixed", "127.0.0.1"]]) {
    const r = R[name];
    assert.equal(r.ok, false, name);
    assert.equal(r.error.code, "SSRF_BLOCKED", `${name}: ${JSON.stringify(r.error)}`);
    assert.equal(r.error.address, address, name);
    assert.equal(r.requests.length, 1, name); // the first hop only, at a public address
    assert.ok(PUBLIC.has(r.requests[0].local), name);
  }
  assert.equal(R.toName.error.host, "loop.test");

  for (const [name, from, to, local] of [["r307", "/307", "/x", "1.1.1.1"], ["r308", "/308", "/y", "93.184.215.14"]]) {
    const r = R[name];
    assert.equal(r.ok, true, `${name}: ${JSON.stringify(r.error)}`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.requests.map((g) => [g.method, g.path]), [["POST", from], ["POST", to]], name);
    assert.equal(r.requests[1].local, local);
    assert.ok(body(r.requests[1]).equals(Buffer.from(BODY)), name);
    assert.equal(r.requests[1].contentType, "application/json");
    assert.equal(r.requests[1].auth, null); // another host: Authorization dropped (requests does too)
  }
  for (const [name, to, auth] of [["r302", "/after-302", null], ["r303", "/after-303", "Token t"]]) {
    const r = R[name];
    assert.equal(r.ok, true, name);
    assert.deepEqual(r.requests.map((g) => g.method), ["POST", "GET"], name);
    assert.equal(r.requests[1].path, to);
    assert.equal(body(r.requests[1]).length, 0);
    assert.equal(r.requests[1].contentType, null);
    assert.equal(r.requests[1].auth, auth, name); // kept on the same host
  }
  // redirect: "manual" gives the 3xx itself (not ok), no hop.
  assert.equal(out.manual.status, 302);
  assert.equal(out.manual.ok, false);
  assert.equal(out.manual.requests.length, 1);
});

test("netns: with protection off, names and literals at loopback are delivered (as Label Studio's plain requests)", { skip: skipNetns }, () => {
  const r = out.cliOff;
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /summary: 3 deliveries, 3 ok, 0 failed, 0 webhooks skipped/);
  assert.deepEqual(r.requests.map((g) => [g.path, g.local]).sort(), // one per target, in any order across targets
    [["/off-literal", "127.0.0.1"], ["/off-name", "127.0.0.1"], ["/off-public", "93.184.215.14"]]);
  const plan = lib.buildDeliveries(r.event);
  for (const got of r.requests) assert.ok(body(got).equals(Buffer.from(plan.deliveries[0].body)), got.path);
  assert.equal(out.offDirect.ok, true);
  assert.deepEqual(out.offDirect.requests.map((g) => [g.path, g.local]), [["/off-direct", "127.0.0.1"]]);
  // The same redirect the guard refuses is followed without it.
  assert.deepEqual(out.offRedirect.requests.map((g) => [g.path, g.local]), [["/to-loop", "93.184.215.14"], ["/landed", "127.0.0.1"]]);
});

test("netns: a receiver that never answers: ok false within about timeoutMs", { skip: skipNetns }, () => {
  const r = out.timeout;
  assert.equal(r.ok, false);
  assert.equal(r.error.name, "TimeoutError");
  assert.ok(r.ms >= 250 && r.ms < 1500, `${r.ms} ms`);
  assert.deepEqual(r.requests.map((g) => g.path), ["/hang"]);
});

test("netns: TLS: connected to the checked address with the host name for SNI and the certificate check",
  { skip: skipNetns || (!hasOpenssl && "no openssl to make a certificate") }, () => {
    const { name, literal, loop } = out.tls;
    assert.equal(name.ok, true, JSON.stringify(name.error));
    assert.deepEqual(name.requests.map((g) => [g.local, g.servername, g.path]), [["93.184.215.14", "public.test", "/tls"]]);
    assert.ok(body(name.requests[0]).equals(Buffer.from(BODY)));
    // The certificate names public.test: the same server by its address fails the check.
    assert.equal(literal.ok, false);
    assert.equal(literal.error.cause.code, "ERR_TLS_CERT_ALTNAME_INVALID");
    assert.deepEqual(literal.requests, []);
    assert.equal(loop.error.code, "SSRF_BLOCKED");
    assert.deepEqual(loop.connections, []);
  });

// ---- without a namespace: loopback only ----

test("safeFetch refuses a reserved literal before connecting, and never throws for network errors", async () => {
  const seen = [];
  const server = http.createServer((req, res) => { seen.push(req.url); res.end("ok"); });
  server.on("connection", () => seen.push("connection"));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address();
    const d = (url) => ({ url, method: "POST", headers: { "Content-Type": "application/json" }, body: BODY });
    for (const url of [`http://127.0.0.1:${port}/a`, `http://localhost:${port}/b`, `http://[::ffff:127.0.0.1]:${port}/c`]) {
      const r = await safeFetch(d(url));
      assert.equal(r.ok, false, url);
      assert.equal(r.status, null);
      assert.equal(r.error.code, "SSRF_BLOCKED", url);
      assert.ok(r.error.message.includes(r.error.address) && r.error.message.includes(r.error.block), r.error.message);
    }
    assert.deepEqual(seen, []);
    const off = await safeFetch(d(`http://127.0.0.1:${port}/off`), { ssrfProtection: false });
    assert.deepEqual([off.ok, off.status, off.statusText, off.error], [true, 200, "OK", null]);
    assert.deepEqual(seen, ["connection", "/off"]);
    // A lookup failure or a throwing lookup: a result, not an exception.
    const failing = (host, opts, cb) => cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" }));
    const nf = await safeFetch(d(`http://nowhere.test:${port}/`), { lookup: failing });
    assert.equal(nf.ok, false);
    assert.equal(nf.error.cause.code, "ENOTFOUND");
    const throwing = () => { throw new Error("boom"); };
    const th = await safeFetch(d(`http://nowhere.test:${port}/`), { lookup: throwing });
    assert.equal(th.ok, false);
    assert.equal(th.error.cause.message, "boom");
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test("createGuardedDispatcher: a given dispatcher is used; a lookup must be a function", async () => {
  const calls = [];
  const lookup = (host, opts, cb) => { calls.push(host); cb(null, [{ address: "10.0.0.1", family: 4 }]); };
  const dispatcher = createGuardedDispatcher({ lookup });
  try {
    const r = await safeFetch({ url: "http://internal.test:8080/", body: "{}" }, { dispatcher });
    assert.equal(r.error.code, "SSRF_BLOCKED");
    assert.equal(r.error.block, "10.0.0.0/8");
    assert.deepEqual(calls, ["internal.test"]);
  } finally {
    await dispatcher.close();
  }
  assert.throws(() => createGuardedDispatcher({ lookup: "8.8.8.8" }), TypeError);
});

test("without undici, safeFetch rejects with how to install it", async (t) => {
  // safe-fetch.js alone in a directory with no node_modules above it.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ls-webhooks-noundici-"));
  try {
    fs.copyFileSync(path.join(ROOT, "js", "safe-fetch.js"), path.join(dir, "safe-fetch.js"));
    try {
      require.resolve("undici", { paths: [dir] });
      return t.skip("an undici is installed above the temporary directory");
    } catch {
      // none: the case to test
    }
    const r = spawnSync(process.execPath, ["-e", `require(${JSON.stringify(path.join(dir, "safe-fetch.js"))})
      .safeFetch({ url: "http://example.com/" }).then(() => console.log("resolved"), (e) => console.log(e.message))`],
    { encoding: "utf8", cwd: dir, env: { ...process.env, NODE_PATH: "" } });
    assert.match(r.stdout, /^ls-webhooks\/safe-fetch needs the undici package .*: npm install undici$/m);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
