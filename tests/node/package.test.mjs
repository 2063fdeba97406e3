// The npm package as a user gets it: `npm pack` of pkg/, installed offline into a fresh
// project; then require, import, the bin, ls-webhooks/safe-fetch, and the TypeScript types
// (tsc --noEmit); that it signs with node:crypto's HMAC-SHA256; and installed without its
// optional undici.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { ROOT, run } from "./loopback.mjs";

const PKG = path.join(ROOT, "pkg");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ls-webhooks-pkg-"));
const app = path.join(tmp, "app");
const node = (args, opts) => run(process.execPath, args, { cwd: app, ...opts });
const sampleFile = path.join(ROOT, "samples", "events", "ANNOTATION_CREATED.json");
let packed;
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

before(async () => {
  const pack = await run(npm, ["pack", "--json", "--pack-destination", tmp], { cwd: PKG, timeoutMs: 60000 });
  assert.equal(pack.code, 0, pack.stderr);
  [packed] = JSON.parse(pack.stdout);
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  const install = await run(npm, ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts",
    path.join(tmp, packed.filename)], { cwd: app, timeoutMs: 60000 });
  assert.equal(install.code, 0, install.stderr);
});

test("package.json is complete and the tarball holds every file it names", () => {
  const meta = JSON.parse(fs.readFileSync(path.join(PKG, "package.json"), "utf8"));
  assert.equal(meta.name, "ls-webhooks");
  assert.match(meta.description, /Label Studio 1\.23\.2/);
  assert.equal(meta.license, "MIT");
  assert.equal(meta.main, "ls_webhooks.js");
  assert.equal(meta.types, "ls_webhooks.d.ts");
  assert.deepEqual(meta.bin, { "ls-webhooks": "cli.js" });
  const entryPoints = ["safe-fetch", "deliver", "queue", "database"];
  assert.deepEqual(meta.exports, {
    ".": { types: "./ls_webhooks.d.ts", default: "./ls_webhooks.js" },
    ...Object.fromEntries(entryPoints.map((n) => [`./${n}`, { types: `./${n}.d.ts`, default: `./${n}.js` }])),
    "./package.json": "./package.json",
    "./*": "./*",
  });
  assert.equal(meta.dependencies, undefined); // the core needs nothing
  assert.match(meta.optionalDependencies.undici, /^\^6\./); // 6.x: Node 18.17+
  // The integrations' drivers are optional peers: no install builds better-sqlite3 unasked.
  for (const p of ["bullmq", "ioredis", "better-sqlite3", "pg"]) assert.deepEqual(meta.peerDependenciesMeta[p], { optional: true }, p);
  const inTarball = new Set(packed.files.map((f) => f.path));
  for (const f of ["package.json", "README.md", "LICENSE", meta.main, meta.types, meta.bin["ls-webhooks"], "ls_webhooks_bg.wasm",
    ...entryPoints.flatMap((n) => [`${n}.js`, `${n}.d.ts`]), "commands/redeliver.js"]) {
    assert.ok(inTarball.has(f), `${f} missing from the tarball`);
  }
  const samples = [...inTarball].filter((f) => f.startsWith("samples/events/"));
  assert.equal(samples.length, 12);
  // Every file the module loads (the .wasm, wasm-bindgen's JS snippets) is shipped.
  const js = fs.readFileSync(path.join(PKG, "ls_webhooks.js"), "utf8");
  const loaded = [...js.matchAll(/([\w.-]+\.wasm)['"`]/g)].map((m) => m[1])
    .concat([...js.matchAll(/require\(['"`]\.\/([^'"`]+)['"`]\)/g)].map((m) => m[1]));
  assert.ok(loaded.includes("ls_webhooks_bg.wasm"));
  for (const f of loaded) assert.ok(inTarball.has(f), `${f} is loaded but not shipped`);
  // Nothing the package does not need.
  for (const f of inTarball) assert.match(f, /^(samples\/events\/[A-Z_]+\.json|snippets\/.+\.js|commands\/[\w-]+\.js|[\w.-]+\.(js|d\.ts|wasm|json|md)|LICENSE)$/, f);
  assert.ok(!inTarball.has("ls_webhooks_bg.wasm.d.ts"));
});

test("require('ls-webhooks') works in the installed package", async () => {
  const r = await node(["-e", `
    const lib = require("ls-webhooks");
    const plan = lib.buildDeliveries(require("fs").readFileSync(${JSON.stringify(sampleFile)}, "utf8"));
    console.log(JSON.stringify({ keys: Object.keys(lib).sort(), action: plan.action, n: plan.deliveries.length,
      resolved: require.resolve("ls-webhooks") }));`]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  for (const k of ["actions", "buildDeliveries", "pythonJsonDumps", "serializers"]) assert.ok(out.keys.includes(k), k);
  assert.equal(out.action, "ANNOTATION_CREATED");
  assert.equal(out.n, 3);
  assert.equal(out.resolved, path.join(fs.realpathSync(app), "node_modules", "ls-webhooks", "ls_webhooks.js"));
});

test("import { buildDeliveries } from 'ls-webhooks' works (ESM, named and default)", async () => {
  fs.writeFileSync(path.join(app, "esm.js"), `
    import { buildDeliveries, actions, serializers, pythonJsonDumps } from "ls-webhooks";
    import lib from "ls-webhooks";
    import { readFileSync } from "node:fs";
    const plan = buildDeliveries(new Uint8Array(readFileSync(${JSON.stringify(sampleFile)})));
    console.log(JSON.stringify({ same: lib.buildDeliveries === buildDeliveries, action: plan.action,
      n: plan.deliveries.length, actions: actions().length, serializers: serializers().length,
      dumps: pythonJsonDumps("[1.0, 1e16, \\"é\\"]") }));`);
  const r = await node(["esm.js"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { same: true, action: "ANNOTATION_CREATED", n: 3, actions: 12, serializers: 6,
    dumps: '[1.0, 1e+16, "\\u00e9"]' });
});

test("the installed package signs with node:crypto's HMAC-SHA256 (hmacBackend() \"host\", one createHmac per signature and per body digest), with require and with import", async () => {
  // The Standard Webhooks specification's example, then a signed plan of the sample (3 targets).
  const body = (lib) => `
    let calls = 0;
    const real = crypto.createHmac;
    crypto.createHmac = (...args) => (calls++, real(...args));
    const spec = ${lib}.signWebhook({ id: "msg_p5jXN8AQM9LWM0D4loKWxJek", body: '{"test": 2432232314}',
      secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", timestamp: 1614265330 })["webhook-signature"];
    const event = readFileSync(${JSON.stringify(sampleFile)}, "utf8").replace(/}\\s*$/,
      ', "options": {"signing": {"secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "timestamp": 1700000000}}}');
    const plan = ${lib}.buildDeliveries(event);
    const bodies = new Set(plan.deliveries.map((d) => d.body)).size;
    console.log(JSON.stringify({ backend: ${lib}.hmacBackend(), spec, calls, signed: plan.deliveries.length, bodies }));`;
  fs.writeFileSync(path.join(app, "hmac.cjs"), `const crypto = require("crypto"); const { readFileSync } = require("fs");
    const lib = require("ls-webhooks");${body("lib")}`);
  fs.writeFileSync(path.join(app, "hmac.js"), `import crypto from "node:crypto"; import { readFileSync } from "node:fs";
    import { buildDeliveries, hmacBackend, signWebhook } from "ls-webhooks";
    const lib = { buildDeliveries, hmacBackend, signWebhook };${body("lib")}`);
  for (const f of ["hmac.cjs", "hmac.js"]) {
    const r = await node([f]);
    assert.equal(r.code, 0, r.stderr);
    // The spec's signature, then one per signed delivery and one per distinct body (its id's digest).
    assert.deepEqual(JSON.parse(r.stdout), { backend: "host", spec: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", calls: 6, signed: 3, bodies: 2 }, f);
  }
});

test("ls-webhooks/safe-fetch: require and import, its undici installed as an optional dependency", async () => {
  fs.writeFileSync(path.join(app, "safe.cjs"), `
    const sf = require("ls-webhooks/safe-fetch");
    const meta = require("ls-webhooks/package.json");
    console.log(JSON.stringify({ keys: Object.keys(sf).sort(), version: meta.version,
      resolved: require.resolve("ls-webhooks/safe-fetch"), undici: require(require.resolve("undici/package.json",
        { paths: [require.resolve("ls-webhooks/safe-fetch")] })).version }));`);
  const c = await node(["safe.cjs"]);
  assert.equal(c.code, 0, c.stderr);
  const cjs = JSON.parse(c.stdout);
  assert.deepEqual(cjs.keys, ["SsrfBlockedError", "createGuardedDispatcher", "safeFetch"]);
  assert.equal(cjs.resolved, path.join(fs.realpathSync(app), "node_modules", "ls-webhooks", "safe-fetch.js"));
  assert.match(cjs.undici, /^6\./);
  // ESM: a guard refusal as a result (a reserved literal: no network involved).
  fs.writeFileSync(path.join(app, "safe.js"), `
    import { safeFetch, createGuardedDispatcher } from "ls-webhooks/safe-fetch";
    import { buildDeliveries } from "ls-webhooks";
    const plan = buildDeliveries({ action: "PROJECT_DELETED", organization: 1, instance: { id: 7 }, options: { ssrfProtection: false },
      webhooks: [{ id: 1, organization: 1, url: "http://127.0.0.1:8080/hook", send_for_all_actions: true }] });
    const r = await safeFetch(plan.deliveries[0], { ssrfProtection: true });
    console.log(JSON.stringify({ ok: r.ok, code: r.error.code, block: r.error.block, dispatcher: typeof createGuardedDispatcher().close }));`);
  const e = await node(["safe.js"]);
  assert.equal(e.code, 0, e.stderr);
  assert.deepEqual(JSON.parse(e.stdout), { ok: false, code: "SSRF_BLOCKED", block: "127.0.0.0/8", dispatcher: "function" });
});

test("ls-webhooks/deliver: require and import", async () => {
  fs.writeFileSync(path.join(app, "deliver.cjs"), `
    const d = require("ls-webhooks/deliver");
    console.log(JSON.stringify({ keys: Object.keys(d).sort(), resolved: require.resolve("ls-webhooks/deliver") }));`);
  const c = await node(["deliver.cjs"]);
  assert.equal(c.code, 0, c.stderr);
  assert.deepEqual(JSON.parse(c.stdout), { keys: ["DEFAULT_MAX_QUEUED_BYTES", "createDeliverer"],
    resolved: path.join(fs.realpathSync(app), "node_modules", "ls-webhooks", "deliver.js") });
  // ESM: a plan through the deliverer's own safeFetch: the guard refuses a reserved literal (no network).
  fs.writeFileSync(path.join(app, "deliver.js"), `
    import { createDeliverer } from "ls-webhooks/deliver";
    import { buildDeliveries } from "ls-webhooks";
    const plan = buildDeliveries({ action: "PROJECT_DELETED", organization: 1, instance: { id: 7 }, options: { ssrfProtection: false },
      webhooks: [{ id: 1, organization: 1, url: "http://127.0.0.1:8080/hook", send_for_all_actions: true }] });
    const results = [];
    const d = createDeliverer({ ssrfProtection: true, onResult: (r) => results.push(r.error.code) });
    const receipt = await d.deliver(plan);
    console.log(JSON.stringify({ n: receipt.deliveries, done: await receipt.done, results, failed: d.stats().failed }));
    await d.close();`);
  const e = await node(["deliver.js"]);
  assert.equal(e.code, 0, e.stderr);
  assert.deepEqual(JSON.parse(e.stdout), { n: 1, done: { deliveries: 1, sent: 0, failed: 1 }, results: ["SSRF_BLOCKED"], failed: 1 });
});

test("installed without optional dependencies: the core and plan work, send says to install undici", async () => {
  const bare = path.join(tmp, "bare");
  fs.mkdirSync(bare);
  fs.writeFileSync(path.join(bare, "package.json"), JSON.stringify({ name: "bare", private: true }));
  const install = await run(npm, ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", "--omit=optional",
    path.join(tmp, packed.filename)], { cwd: bare, timeoutMs: 60000 });
  assert.equal(install.code, 0, install.stderr);
  assert.ok(!fs.existsSync(path.join(bare, "node_modules", "undici")), "undici installed despite --omit=optional");
  const bin = path.join(bare, "node_modules", ".bin", "ls-webhooks");
  const plan = await run(bin, ["plan"], { cwd: bare });
  assert.equal(plan.code, 0, plan.stderr);
  const send = await run(bin, ["send"], { cwd: bare });
  assert.equal(send.code, 2, send.stdout + send.stderr);
  assert.match(send.stderr, /^ls-webhooks: sending needs the undici package .*: npm install undici$/m);
  assert.equal(send.stdout, ""); // refused before anything is sent or printed
  const r = await run(process.execPath, ["-e", `require("ls-webhooks").buildDeliveries; require("ls-webhooks/safe-fetch")
    .safeFetch({ url: "http://127.0.0.1:9/" }).then(() => console.log("sent"), (e) => console.log(e.message))`], { cwd: bare });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /safe-fetch needs the undici package .*: npm install undici/);
});

test("the bin is installed and runs on the package's own samples", async () => {
  const bin = path.join(app, "node_modules", ".bin", "ls-webhooks");
  const r = await run(bin, ["plan"], { cwd: app });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /node_modules\/ls-webhooks\/samples\/events\/TASKS_CREATED\.json/);
  assert.equal(JSON.parse(r.stdout).deliveries.length, 3);
  const a = await run(bin, ["actions"], { cwd: app });
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout.trim().split("\n").length, 13);
});

test("the public types have no any", () => {
  const dts = fs.readFileSync(path.join(PKG, "ls_webhooks.d.ts"), "utf8");
  const code = dts.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
  assert.match(code, /export function buildDeliveries/);
  assert.doesNotMatch(code, /\bany\b/);
  for (const t of ["WebhookEvent", "ProjectRow", "TaskRow", "AnnotationRow", "LabelLinkRow", "LabelRow", "Webhook",
    "Plan", "Delivery", "Skipped", "ErrorCode", "WebhookError", "ActionName"]) {
    assert.match(code, new RegExp(`export (interface|type) ${t}\\b`), t);
  }
});

test("tsc --noEmit: a TypeScript consumer of the installed package type-checks", async () => {
  for (const f of ["consumer.ts", "tsconfig.json"]) fs.copyFileSync(path.join(ROOT, "tests", "node", "types", f), path.join(app, f));
  const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
  const r = await node([tsc, "-p", "tsconfig.json"], { timeoutMs: 120000 });
  // consumer.ts also holds wrong uses under @ts-expect-error: were a type loose (any),
  // the directive would be unused, which tsc reports as an error.
  assert.equal(r.code, 0, r.stdout + r.stderr);
});
