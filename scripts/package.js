// Turns wasm-pack's pkg/ into the npm package: name, description, bin, types, exports,
// the CLI, ls-webhooks/safe-fetch and ls-webhooks/deliver. Run by scripts/setup.sh after every build.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const pkgDir = path.join(root, "pkg");
const meta = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8"));

fs.copyFileSync(path.join(root, "js", "cli.js"), path.join(pkgDir, "cli.js"));
fs.chmodSync(path.join(pkgDir, "cli.js"), 0o755);
// The send-time SSRF guard (ls-webhooks/safe-fetch), used by the CLI's send and demo too.
fs.copyFileSync(path.join(root, "js", "safe-fetch.js"), path.join(pkgDir, "safe-fetch.js"));
fs.copyFileSync(path.join(root, "js", "safe-fetch.d.ts"), path.join(pkgDir, "safe-fetch.d.ts"));
// The embedded deliverer (ls-webhooks/deliver): per-target FIFOs over safe-fetch; the CLI's too.
fs.copyFileSync(path.join(root, "js", "deliver.js"), path.join(pkgDir, "deliver.js"));
fs.copyFileSync(path.join(root, "js", "deliver.d.ts"), path.join(pkgDir, "deliver.d.ts"));
fs.copyFileSync(path.join(root, "README.md"), path.join(pkgDir, "README.md"));
fs.copyFileSync(path.join(root, "LICENSE"), path.join(pkgDir, "LICENSE"));

// The built-in sample events (the CLI's default input and demo data).
const samples = path.join(pkgDir, "samples", "events");
fs.mkdirSync(samples, { recursive: true });
for (const f of fs.readdirSync(path.join(root, "samples", "events"))) {
  fs.copyFileSync(path.join(root, "samples", "events", f), path.join(samples, f));
}

// wasm-pack lists the module, its types and the .wasm; add what the CLI needs.
const files = new Set([...(meta.files || []), "cli.js", "safe-fetch.js", "safe-fetch.d.ts", "deliver.js", "deliver.d.ts", "README.md", "LICENSE", "samples"]);
for (const f of ["ls_webhooks.js", "ls_webhooks_bg.wasm", "ls_webhooks.d.ts"]) files.add(f);
const out = {
  name: "ls-webhooks",
  version: meta.version,
  description: "Label Studio 1.23.2 webhook deliveries, byte for byte: targets, headers and exact JSON bodies, from Rust compiled to WebAssembly",
  license: "MIT",
  keywords: ["label-studio", "webhooks", "wasm", "cli"],
  main: meta.main,
  types: meta.types,
  // "." and "./package.json" as before; "./safe-fetch" and "./deliver" for require and import alike; "./*"
  // keeps every file reachable by its own name, as it was before there was a map.
  exports: {
    ".": { types: `./${meta.types}`, default: `./${meta.main}` },
    "./safe-fetch": { types: "./safe-fetch.d.ts", default: "./safe-fetch.js" },
    "./deliver": { types: "./deliver.d.ts", default: "./deliver.js" },
    "./package.json": "./package.json",
    "./*": "./*",
  },
  bin: { "ls-webhooks": "cli.js" },
  files: [...files],
  // The core needs nothing. undici is safe-fetch's (the CLI's send and demo): its own fetch
  // and connector, one version for both; 6.x runs on Node 18.17+ (7.x needs 20.18+).
  optionalDependencies: { undici: "^6.21.0" },
  engines: { node: ">=18" },
};
fs.writeFileSync(path.join(pkgDir, "package.json"), JSON.stringify(out, null, 2) + "\n");
