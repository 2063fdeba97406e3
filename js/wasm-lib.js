// The wasm module (ls_webhooks.js), found once for every module around the core: beside this
// file in the npm package, ../pkg in the repository. Not an entry point of its own.
"use strict";
const fs = require("fs");
const path = require("path");

let lib;

/** The module, or null when it is not built (the caller says what to do in its own words). */
function findLib() {
  if (lib) return lib;
  for (const p of [path.join(__dirname, "ls_webhooks.js"), path.join(__dirname, "..", "pkg", "ls_webhooks.js")]) {
    if (fs.existsSync(p)) return (lib = require(p));
  }
  return null;
}

/** The module, or an Error naming `who` and how to build it. */
function loadLib(who = "ls-webhooks") {
  const found = findLib();
  if (!found) throw new Error(`${who}: the wasm package is not built; run: bash scripts/setup.sh`);
  return found;
}

module.exports = { findLib, loadLib };
