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
// The entry points around the core, each a CommonJS module with its types, shipped at the
// package root and exported as ls-webhooks/NAME. The core itself needs no dependency.
const ENTRY_POINTS = [
  "safe-fetch", // the send-time SSRF guard (undici); the CLI's send and demo use it
  "deliver", // the embedded deliverer: per-target FIFOs over safe-fetch
  "queue", // BullMQ on Redis (bullmq, ioredis)
  "database", // events read from Label Studio's database (better-sqlite3, pg)
];
for (const name of ENTRY_POINTS) {
  for (const ext of [".js", ".d.ts"]) fs.copyFileSync(path.join(root, "js", name + ext), path.join(pkgDir, name + ext));
}
// The CLI's subcommands that live in their own modules (queue, worker, redeliver).
fs.mkdirSync(path.join(pkgDir, "commands"), { recursive: true });
for (const f of fs.readdirSync(path.join(root, "js", "commands"))) {
  fs.copyFileSync(path.join(root, "js", "commands", f), path.join(pkgDir, "commands", f));
}
fs.copyFileSync(path.join(root, "README.md"), path.join(pkgDir, "README.md"));
fs.copyFileSync(path.join(root, "LICENSE"), path.join(pkgDir, "LICENSE"));

// The built-in sample events (the CLI's default input and demo data).
const samples = path.join(pkgDir, "samples", "events");
fs.mkdirSync(samples, { recursive: true });
for (const f of fs.readdirSync(path.join(root, "samples", "events"))) {
  fs.copyFileSync(path.join(root, "samples", "events", f), path.join(samples, f));
}

// Long strings through the glue (issue 17). wasm-bindgen copies a string into wasm with a
// JavaScript loop over its characters up to the first non-ASCII one, and makes a string out of
// wasm memory with TextDecoder, a UTF-8 decode. For a 3 MB event in and its 3 MB body out those
// two were most of what the string path cost beyond the bytes path (BENCHMARKS.md), where the
// same text can cross in a fraction of a millisecond each way. So in Node: a long string goes
// in with one TextEncoder.encodeInto, and long ASCII (every body: json.dumps escapes the rest)
// comes out as a Latin-1 copy, which for ASCII is the same text. Short strings keep
// wasm-bindgen's own code; the browser's build (www/pkg) is not touched. The match is exact,
// for the pinned wasm-bindgen: if its glue changes, this stops the build instead of skipping.
const gluePath = path.join(pkgDir, "ls_webhooks.js");
let glue = fs.readFileSync(gluePath, "utf8");
const GLUE_MARK = "// ls-webhooks: long strings";
const gluePatch = (find, insert) => {
  if (!glue.includes(find)) throw new Error(`scripts/package.js: wasm-bindgen's glue has changed (no ${JSON.stringify(find)})`);
  glue = glue.replace(find, find + insert);
};
if (!glue.includes(GLUE_MARK)) {
  gluePatch("function passStringToWasm0(arg, malloc, realloc) {\n",
    "    if (arg.length >= LONG_STRING && realloc !== undefined) return passLongStringToWasm0(arg, malloc, realloc);\n");
  gluePatch("function decodeText(bytes) {\n",
    "    if (bytes.length >= LONG_STRING && isAscii !== undefined && isAscii(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString(\"latin1\");\n");
  glue += `
${GLUE_MARK} (scripts/package.js says why).
const LONG_STRING = 1024;
const { isAscii } = require("buffer"); // Node 18.15+; without it, TextDecoder as before
// As wasm-bindgen's own code does after its ASCII loop: one byte a UTF-16 unit (exact for
// ASCII), room for 3 bytes a unit for whatever did not fit, then shrunk to what was written.
function passLongStringToWasm0(arg, malloc, realloc) {
    let len = arg.length;
    let ptr = malloc(len, 1) >>> 0;
    let { read, written } = cachedTextEncoder.encodeInto(arg, getUint8ArrayMemory0().subarray(ptr, ptr + len));
    if (read !== arg.length) {
        const rest = arg.slice(read);
        ptr = realloc(ptr, len, len = written + rest.length * 3, 1) >>> 0;
        written += cachedTextEncoder.encodeInto(rest, getUint8ArrayMemory0().subarray(ptr + written, ptr + len)).written;
        ptr = realloc(ptr, len, written, 1) >>> 0;
    }
    WASM_VECTOR_LEN = written;
    return ptr;
}
`;
  fs.writeFileSync(gluePath, glue);
}

// wasm-pack lists the module, its types and the .wasm; add what the CLI needs.
const files = new Set([...(meta.files || []), "cli.js", "commands", "README.md", "LICENSE", "samples",
  ...ENTRY_POINTS.flatMap((n) => [`${n}.js`, `${n}.d.ts`])]);
for (const f of ["ls_webhooks.js", "ls_webhooks_bg.wasm", "ls_webhooks.d.ts"]) files.add(f);
const out = {
  name: "ls-webhooks",
  version: meta.version,
  description: "Label Studio 1.23.2 webhook deliveries, byte for byte: targets, headers and exact JSON bodies, from Rust compiled to WebAssembly",
  license: "MIT",
  keywords: ["label-studio", "webhooks", "wasm", "cli"],
  main: meta.main,
  types: meta.types,
  // "." and "./package.json" as before, one entry per entry point (require and import alike),
  // and "./*", which keeps every file reachable by its own name, as before there was a map.
  exports: {
    ".": { types: `./${meta.types}`, default: `./${meta.main}` },
    ...Object.fromEntries(ENTRY_POINTS.map((n) => [`./${n}`, { types: `./${n}.d.ts`, default: `./${n}.js` }])),
    "./package.json": "./package.json",
    "./*": "./*",
  },
  bin: { "ls-webhooks": "cli.js" },
  files: [...files],
  // The core needs nothing. undici is safe-fetch's (the CLI's send and demo): its own fetch
  // and connector, one version for both; 6.x runs on Node 18.17+ (7.x needs 20.18+).
  optionalDependencies: { undici: "^6.21.0" },
  // The optional integrations: installed by those who use them (not by every install, which
  // would build better-sqlite3 from source). better-sqlite3 13 needs Node 22.
  peerDependencies: { bullmq: "^6.7.0", ioredis: "^5.4.1", "better-sqlite3": "^12.0.0", pg: "^8.0.0" },
  peerDependenciesMeta: { bullmq: { optional: true }, ioredis: { optional: true }, "better-sqlite3": { optional: true }, pg: { optional: true } },
  engines: { node: ">=18" },
};
fs.writeFileSync(path.join(pkgDir, "package.json"), JSON.stringify(out, null, 2) + "\n");
