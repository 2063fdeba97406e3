// Turns wasm-pack's pkg/ into the npm package: name, description, bin, types,
// and the CLI. Run by scripts/setup.sh after every build.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const pkgDir = path.join(root, "pkg");
const meta = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8"));

fs.copyFileSync(path.join(root, "js", "cli.js"), path.join(pkgDir, "cli.js"));
fs.chmodSync(path.join(pkgDir, "cli.js"), 0o755);
fs.copyFileSync(path.join(root, "README.md"), path.join(pkgDir, "README.md"));
fs.copyFileSync(path.join(root, "LICENSE"), path.join(pkgDir, "LICENSE"));

// The built-in sample events (the CLI's default input and demo data).
const samples = path.join(pkgDir, "samples", "events");
fs.mkdirSync(samples, { recursive: true });
for (const f of fs.readdirSync(path.join(root, "samples", "events"))) {
  fs.copyFileSync(path.join(root, "samples", "events", f), path.join(samples, f));
}

// wasm-pack lists the module, its types and the .wasm; add what the CLI needs.
const files = new Set([...(meta.files || []), "cli.js", "README.md", "LICENSE", "samples"]);
for (const f of ["ls_webhooks.js", "ls_webhooks_bg.wasm", "ls_webhooks.d.ts"]) files.add(f);
const out = {
  name: "ls-webhooks",
  version: meta.version,
  description: "Label Studio 1.23.2 webhook deliveries, byte for byte: targets, headers and exact JSON bodies, from Rust compiled to WebAssembly",
  license: "MIT",
  keywords: ["label-studio", "webhooks", "wasm", "cli"],
  main: meta.main,
  types: meta.types,
  bin: { "ls-webhooks": "cli.js" },
  files: [...files],
  engines: { node: ">=18" }, // fetch and AbortSignal.timeout (the CLI's send and demo)
};
fs.writeFileSync(path.join(pkgDir, "package.json"), JSON.stringify(out, null, 2) + "\n");
