// Issue 15's budget for the browser's module: at most 100 KiB gzipped (`gzip -9`), as
// scripts/build-web.sh builds it. BENCHMARKS.md says where the bytes are.
//
//   node --test tests/browser/      (after bash scripts/build-web.sh)
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { assertPrerequisites, root } from "./chromium.mjs";

const BUDGET = 100 * 1024;

test("the browser's .wasm is at most 100 KiB gzipped", () => {
  assertPrerequisites();
  const wasm = fs.readFileSync(path.join(root, "www", "pkg", "ls_webhooks_bg.wasm"));
  // gzip -9 as build-web.sh and BENCHMARKS.md measure it (Node's zlib compresses it ~0.9 KB worse).
  const gzipped = execFileSync("gzip", ["-9c"], { input: wasm, maxBuffer: 1 << 24 }).length;
  console.log(`www/pkg/ls_webhooks_bg.wasm: ${wasm.length} bytes, ${gzipped} gzipped (budget ${BUDGET})`);
  assert.ok(gzipped <= BUDGET, `${gzipped} bytes gzipped, over the budget of ${BUDGET}`);
});
