// Shared by the browser tests: Debian's Chromium as this project runs it (never a
// downloaded browser), the preview's loopback server, and the checks before a run.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
export const root = path.resolve(import.meta.dirname, "..", "..");
export const { chromium } = require("playwright-core");
export const { start } = require(path.join(root, "www", "serve.js"));

export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
export const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
export const SHOT_DIR = path.join(root, "target", "browser-test");

/** The web build and Chromium are there, or the test fails saying how to get them. */
export function assertPrerequisites() {
  for (const f of ["www/pkg/ls_webhooks.js", "www/pkg/ls_webhooks_bg.wasm"]) {
    assert.ok(fs.existsSync(path.join(root, f)), `${f} is missing: bash scripts/build-web.sh`);
  }
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
}

/** Resolves once the preview has built a result newer than revision `after`. */
export async function waitBuilt(p, after) {
  await p.waitForFunction(
    (prev) => {
      const r = document.querySelector("#result");
      return Number(r.dataset.revision) > prev && (r.dataset.status === "ok" || r.dataset.status === "error");
    },
    after,
    { timeout: 15_000 },
  );
}

/** The revision of the preview's latest result (it counts builds). */
export const revision = (p) => p.$eval("#result", (r) => Number(r.dataset.revision));

/** Loads `url` as a new document (not a same-document hash change) and waits for its first build. */
export async function loadPage(p, url) {
  await p.goto("about:blank");
  await p.goto(url);
  await waitBuilt(p, 0);
}

/** Sets the editor's text and fires `input`, as typing would, then waits for the rebuild. */
export async function setEvent(p, text) {
  const rev = await revision(p);
  await p.$eval("#event", (ta, t) => {
    ta.value = t;
    ta.dispatchEvent(new Event("input", { bubbles: true }));
  }, text);
  await waitBuilt(p, rev);
}

/** Records the page's console errors and uncaught exceptions into `errors`. */
export function watchErrors(p, errors) {
  p.on("console", (m) => { if (m.type() === "error") errors.push(`${p.url()}: ${m.text()}`); });
  p.on("pageerror", (e) => errors.push(`${p.url()}: uncaught ${e.message}`));
}
