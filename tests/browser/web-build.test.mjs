// The browser's module as scripts/build-web.sh builds it: issue 15's budget, at most 100 KiB
// gzipped (`gzip -9`; BENCHMARKS.md says where the bytes are), and its d.ts true to what it
// exports.
//
//   node --test tests/browser/      (after bash scripts/build-web.sh)
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { assertPrerequisites, root } from "./chromium.mjs";
import { NODE_ONLY, declaredAndExported } from "../node/dts-exports.mjs";

const BUDGET = 100 * 1024;

test("the browser's .wasm is at most 100 KiB gzipped", () => {
  assertPrerequisites();
  const wasm = fs.readFileSync(path.join(root, "www", "pkg", "ls_webhooks_bg.wasm"));
  // gzip -9 as build-web.sh and BENCHMARKS.md measure it (Node's zlib compresses it ~0.9 KB worse).
  const gzipped = execFileSync("gzip", ["-9c"], { input: wasm, maxBuffer: 1 << 24 }).length;
  console.log(`www/pkg/ls_webhooks_bg.wasm: ${wasm.length} bytes, ${gzipped} gzipped (budget ${BUDGET})`);
  assert.ok(gzipped <= BUDGET, `${gzipped} bytes gzipped, over the budget of ${BUDGET}`);
});

test("the browser's d.ts declares exactly the functions its module exports (none of the Node package's own)", () => {
  assertPrerequisites();
  const { declared, exported } = declaredAndExported(path.join(root, "www", "pkg"));
  assert.deepEqual(declared, exported);
  for (const n of NODE_ONLY) assert.ok(!declared.includes(n), `${n} is declared but the browser's build leaves it out`);
  assert.ok(exported.includes("buildDeliveries") && exported.includes("planBatches"));
});
