// Runs inside the network namespace that tests/node/safe-fetch.test.mjs makes (unshare -mn):
// there 93.184.215.14 and 1.1.1.1 are addresses of `lo`, so "public" targets are local, and
// /etc/hosts is the test's (public.test, loop.test, mixed.test, v6loop.test). Starts the
// receivers (0.0.0.0 and ::, one port), plays every scenario, and prints what each receiver
// saw, as JSON on stdout; the outer test makes the assertions. Never run it outside one.
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const CLI = path.join(ROOT, "js", "cli.js");
const require = createRequire(import.meta.url);
const { safeFetch, createGuardedDispatcher } = require(path.join(ROOT, "js", "safe-fetch.js"));
const cfg = JSON.parse(process.argv[2]);

const log = []; // every request any receiver saw, in order
const connections = []; // every TCP connection accepted: its local address
const hanging = [];
const servers = [];
let P = 0; // the plain receivers' port (0.0.0.0 and ::)
let PS = 0; // the TLS receiver's port (0.0.0.0)

const local = (a) => String(a).replace(/^::ffff:/, "");

function handler(req, res) {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    log.push({
      local: local(req.socket.localAddress), method: req.method, path: req.url, host: req.headers.host,
      contentType: req.headers["content-type"] ?? null, auth: req.headers.authorization ?? null,
      body: Buffer.concat(chunks).toString("base64"), servername: req.socket.servername ?? null,
    });
    const redirect = (status, location) => res.writeHead(status, { location }).end("moved");
    switch (req.url) {
      case "/to-loop": return redirect(302, `http://127.0.0.1:${P}/landed`);
      case "/to-loop6": return redirect(302, `http://[::1]:${P}/landed`);
      case "/to-numeric": return redirect(302, `http://2130706433:${P}/landed`);
      case "/to-name": return redirect(302, `http://loop.test:${P}/landed`);
      case "/to-mixed": return redirect(301, `http://mixed.test:${P}/landed`);
      case "/307": return redirect(307, `http://1.1.1.1:${P}/x`);
      case "/308": return redirect(308, `http://public.test:${P}/y`);
      case "/302-public": return redirect(302, `http://1.1.1.1:${P}/after-302`);
      case "/303-public": return redirect(303, `http://public.test:${P}/after-303`);
      case "/close": return res.writeHead(200, { connection: "close" }).end("ok");
      case "/hang": return hanging.push(res);
      default: return res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    }
  });
}

function listen(server, options) {
  servers.push(server);
  server.on("connection", (s) => connections.push(local(s.localAddress)));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options, () => resolve(server.address().port));
  });
}

function runCli(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    const out = [], err = [];
    child.stdout.on("data", (c) => out.push(c));
    child.stderr.on("data", (c) => err.push(c));
    const timer = setTimeout(() => child.kill("SIGKILL"), 15000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") });
    });
  });
}

/** What happened while fn ran: its value, the requests and the connections the receivers saw. */
async function observe(fn) {
  const [l, c] = [log.length, connections.length];
  const value = await fn();
  await new Promise((r) => setTimeout(r, 20)); // a request still in flight would land now
  return { ...value, requests: log.slice(l), connections: connections.slice(c) };
}

/** A safeFetch result as JSON (the error's name, code, address, block, cause). */
function result(r) {
  const e = r.error;
  return {
    ok: r.ok, status: r.status, ms: r.ms,
    error: e && { name: e.name, code: e.code ?? null, message: e.message, host: e.host ?? null, address: e.address ?? null,
      block: e.block ?? null, cause: e.cause ? { code: e.cause.code ?? null, message: e.cause.message } : null },
  };
}

const BODY = '{"action": "PROJECT_DELETED", "project": {"id": 7, "title": "Caf\\u00e9"}}';
const delivery = (url) => ({ url, method: "POST", headers: { "Content-Type": "application/json", Authorization: "Token t" }, body: BODY });

/** A lookup for rebind.test: 93.184.215.14 on its first call, 127.0.0.1 after. */
function rebindingLookup() {
  const calls = [];
  const lookup = (hostname, options, callback) => {
    calls.push({ hostname, all: options && options.all === true });
    const address = calls.length === 1 ? "93.184.215.14" : "127.0.0.1";
    setImmediate(() => callback(null, [{ address, family: 4 }]));
  };
  return { lookup, calls };
}

async function main() {
  P = await listen(http.createServer(handler), { port: 0, host: "0.0.0.0" });
  await listen(http.createServer(handler), { port: P, host: "::", ipv6Only: true });
  if (cfg.tls) {
    const tls = { key: fs.readFileSync(cfg.tls.key), cert: fs.readFileSync(cfg.tls.cert) };
    PS = await listen(https.createServer(tls, handler), { port: 0, host: "0.0.0.0" });
  }
  const out = { port: P, tlsPort: PS || null };

  // b. `ls-webhooks send`, protection on: every blocked form, and three public targets.
  const forms = [
    "127.0.0.1", "2130706433", "0x7f000001", "127.1", "0177.0.0.1", "0x7f.1", "0", "127。0。0。1", "①②⑦.0.0.1",
    "ⓛocalhost", "localhost", "[::1]", "loop.test", "mixed.test", "v6loop.test", "93.184.215.14", "1.1.1.1", "public.test",
  ];
  const webhooks = forms.map((host, i) => ({
    id: i + 1, organization: 1, url: `http://${host}:${P}/w${i + 1}`, send_for_all_actions: true, headers: { "X-Form": String(i + 1) },
  }));
  const event = `{"action": "PROJECT_DELETED", "organization": 1, "instance": {"id": 7, "title": "Café"}, "webhooks": ${JSON.stringify(webhooks)}}\n`;
  const eventFile = path.join(cfg.tmp, "forms.json");
  fs.writeFileSync(eventFile, event);
  out.cli = await observe(async () => ({ event, forms, ...(await runCli(["send", eventFile, "--timeout", "2"])) }));

  // e. The same event with --no-ssrf-protection: what the plan allows is delivered, loopback too.
  const offEvent = `{"action": "PROJECT_DELETED", "organization": 1, "instance": {"id": 7}, "webhooks": ${JSON.stringify([
    { id: 1, organization: 1, url: `http://loop.test:${P}/off-name`, send_for_all_actions: true },
    { id: 2, organization: 1, url: `http://127.0.0.1:${P}/off-literal`, send_for_all_actions: true },
    { id: 3, organization: 1, url: `http://public.test:${P}/off-public`, send_for_all_actions: true },
  ])}}`;
  const offFile = path.join(cfg.tmp, "off.json");
  fs.writeFileSync(offFile, offEvent);
  out.cliOff = await observe(async () => ({ event: offEvent, ...(await runCli(["send", offFile, "--no-ssrf-protection"])) }));
  out.offDirect = await observe(async () => result(await safeFetch(delivery(`http://loop.test:${P}/off-direct`), { ssrfProtection: false })));
  out.offRedirect = await observe(async () => result(await safeFetch(delivery(`http://public.test:${P}/to-loop`), { ssrfProtection: false })));

  // c. Rebinding: one lookup per connection, and the connection goes to the address checked.
  const rb = rebindingLookup();
  out.rebind = [];
  for (const p of ["/rebind-a", "/rebind-b", "/close", "/rebind-d"]) {
    out.rebind.push(await observe(async () => ({
      path: p, ...result(await safeFetch(delivery(`http://rebind.test:${P}${p}`), { lookup: rb.lookup })), lookups: rb.calls.length,
    })));
  }
  out.rebindCalls = rb.calls;
  const bothCalls = [];
  const both = (hostname, options, callback) => {
    bothCalls.push(hostname);
    callback(null, [{ address: "93.184.215.14", family: 4 }, { address: "127.0.0.1", family: 4 }]);
  };
  out.both = await observe(async () => ({ ...result(await safeFetch(delivery(`http://both.test:${P}/both`), { lookup: both })), lookups: bothCalls.length }));
  const bad = (hostname, options, callback) => callback(null, [{ address: "not-an-address", family: 4 }]);
  out.badLookup = await observe(async () => result(await safeFetch(delivery(`http://bad.test:${P}/bad`), { lookup: bad })));

  // d. Redirects, protection on: each hop through the guard.
  out.redirects = {};
  for (const [name, url] of [
    ["toLoop", `http://public.test:${P}/to-loop`], ["toLoop6", `http://93.184.215.14:${P}/to-loop6`],
    ["toNumeric", `http://93.184.215.14:${P}/to-numeric`], ["toName", `http://93.184.215.14:${P}/to-name`],
    ["toMixed", `http://1.1.1.1:${P}/to-mixed`], ["r307", `http://public.test:${P}/307`], ["r308", `http://1.1.1.1:${P}/308`],
    ["r302", `http://public.test:${P}/302-public`], ["r303", `http://public.test:${P}/303-public`],
  ]) {
    out.redirects[name] = await observe(async () => result(await safeFetch(delivery(url))));
  }
  out.manual = await observe(async () => result(await safeFetch(delivery(`http://public.test:${P}/to-loop`), { redirect: "manual" })));

  // f. A receiver that never answers.
  out.timeout = await observe(async () => result(await safeFetch(delivery(`http://public.test:${P}/hang`), { timeoutMs: 300 })));

  // TLS: connected to the checked address, the host name kept for SNI and the certificate.
  if (cfg.tls) {
    const dispatcher = createGuardedDispatcher({ connect: { ca: fs.readFileSync(cfg.tls.cert) } });
    out.tls = {};
    for (const [name, url] of [["name", `https://public.test:${PS}/tls`], ["literal", `https://93.184.215.14:${PS}/tls-literal`],
      ["loop", `https://loop.test:${PS}/tls-loop`]]) {
      out.tls[name] = await observe(async () => result(await safeFetch(delivery(url), { dispatcher })));
    }
    await dispatcher.close();
  }
  out.connections = connections;
  out.log = log;
  return out;
}

let exitCode = 0;
try {
  process.stdout.write(JSON.stringify(await main()) + "\n");
} catch (e) {
  process.stderr.write(`${e && e.stack || e}\n`);
  exitCode = 1;
} finally {
  for (const res of hanging) res.destroy();
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(() => r()))));
}
process.exitCode = exitCode;
setTimeout(() => process.exit(exitCode), 500).unref(); // shared dispatchers' idle sockets never hold it
