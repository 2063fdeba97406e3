#!/usr/bin/env node
// ls-webhooks: the command line of the library.
//   ls-webhooks plan [FILE|-]   print the delivery plan of an event (default: a built-in sample)
//   ls-webhooks actions         the action registry as a table
"use strict";
const fs = require("fs");
const path = require("path");

function loadLib() {
  // Inside the npm package the wasm module sits beside this file; in the repo it is ../pkg.
  for (const p of [path.join(__dirname, "ls_webhooks.js"), path.join(__dirname, "..", "pkg", "ls_webhooks.js")]) {
    if (fs.existsSync(p)) return require(p);
  }
  console.error("ls-webhooks: the wasm package is not built; run: bash scripts/setup.sh");
  process.exit(2);
}

function samplePath(action) {
  for (const dir of [path.join(__dirname, "samples", "events"), path.join(__dirname, "..", "samples", "events")]) {
    const p = path.join(dir, `${action}.json`);
    if (fs.existsSync(p)) return p;
  }
  return null;
}

function readEvent(file) {
  if (!file) {
    const p = samplePath("TASKS_CREATED");
    console.error(`(no event given: using the built-in sample ${path.relative(process.cwd(), p)})`);
    return fs.readFileSync(p);
  }
  if (file === "-") return fs.readFileSync(0);
  try {
    return fs.readFileSync(file);
  } catch (e) {
    console.error(`ls-webhooks: cannot read ${file}: ${e.code === "ENOENT" ? "no such file" : e.message}`);
    process.exit(2);
  }
}

const EXIT = { UNKNOWN_ACTION: 3, ORGANIZATION_ONLY_ACTION: 3, INVALID_EVENT: 4, INVALID_ROW: 5 };

function plan(lib, file) {
  // Bytes in: the exact path (ints of any size, floats kept as floats).
  const bytes = new Uint8Array(readEvent(file));
  try {
    const p = lib.buildDeliveries(bytes);
    process.stdout.write(JSON.stringify(p, null, 2) + "\n");
  } catch (e) {
    console.error(`ls-webhooks: ${e.code || "ERROR"}${e.path ? ` at ${e.path}` : ""}: ${e.detail || e.message}`);
    process.exit(EXIT[e.code] || 1);
  }
}

function actions(lib) {
  const rows = lib.actions().map((a) => [a.action, a.key, a.many ? "list" : "one", a.serializer,
    a.organizationOnly ? "org only" : "", a.nestedFields.map((n) => n.key).join(",")]);
  const head = ["ACTION", "KEY", "SHAPE", "SERIALIZER", "SCOPE", "NESTED"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd());
}

function main(argv) {
  const [cmd, ...rest] = argv;
  const lib = loadLib();
  switch (cmd) {
    case "plan": return plan(lib, rest[0]);
    case "actions": return actions(lib);
    default:
      console.error("usage: ls-webhooks plan [FILE|-] | actions");
      process.exit(cmd ? 2 : 0);
  }
}

main(process.argv.slice(2));
