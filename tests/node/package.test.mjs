// The npm package as a user gets it: `npm pack` of pkg/, installed offline into a fresh
// project; then require, import, the bin, and the TypeScript types (tsc --noEmit).
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
  const inTarball = new Set(packed.files.map((f) => f.path));
  for (const f of ["package.json", "README.md", "LICENSE", meta.main, meta.types, meta.bin["ls-webhooks"], "ls_webhooks_bg.wasm"]) {
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
  for (const f of inTarball) assert.match(f, /^(samples\/events\/[A-Z_]+\.json|snippets\/.+\.js|[\w.]+)$/, f);
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
