// Shared by the browser tests: Debian's Chromium as this project runs it (never a
// downloaded browser), the preview's loopback server, the checks before a run, an offline
// desktop profile, and what the preview rendered, read back.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
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

/** Offline: every request of `context` that leaves `origin` is aborted and recorded in `offsite`. */
export async function keepOffline(context, origin, offsite) {
  await context.route(/.*/, (route) => {
    const u = route.request().url();
    if (u.startsWith(origin + "/") || u.startsWith("data:") || u.startsWith("blob:")) return route.continue();
    offsite.push(u);
    return route.abort();
  });
}

/**
 * A desktop Chromium with a profile of its own in a new temporary folder (the caller removes
 * it), the clipboard allowed for `origin`, kept offline: `{ userDataDir, context, page }`.
 */
export async function desktop(prefix, origin, offsite) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 800 }, timeout: 60_000,
  });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
  await keepOffline(context, origin, offsite);
  const page = context.pages()[0] || (await context.newPage());
  return { userDataDir, context, page };
}

/**
 * What the preview shows, read back from the DOM through its stable hooks: deliveries,
 * skipped targets, errors, the editor's text and the signing field's state.
 */
export function rendered(p) {
  return p.evaluate(() => {
    const text = (el, sel) => el.querySelector(sel)?.textContent ?? null;
    const secretError = document.querySelector("#signing-error");
    return {
      deliveries: [...document.querySelectorAll("[data-testid=delivery]")].map((d) => ({
        webhookId: Number(d.dataset.webhookId),
        batch: Number(d.dataset.batch),
        url: text(d, "[data-testid=delivery-url]"),
        headers: [...d.querySelectorAll("[data-testid=delivery-headers] tr")].map((tr) => [
          tr.querySelector("th").textContent, tr.querySelector("td").textContent]),
        body: text(d, "[data-testid=delivery-body]"),
        size: text(d, "[data-testid=delivery-size]"),
      })),
      skipped: [...document.querySelectorAll("[data-testid=skipped]")].map((s) => ({
        webhookId: Number(s.dataset.webhookId), reason: s.dataset.reason, text: s.textContent })),
      errors: [...document.querySelectorAll("[data-testid=error]")].map((e) => ({
        code: e.dataset.code, path: e.dataset.path, text: e.textContent })),
      event: document.querySelector("#event").value,
      note: text(document, "[data-testid=signing-note]"),
      secretError: !secretError || secretError.hidden ? null : secretError.textContent,
      invalid: document.querySelector("#signing-secret")?.getAttribute("aria-invalid") ?? null,
    };
  });
}

/** The checks before a run, then the preview's server on a free loopback port: `{ server, pageUrl, origin }`. */
export async function servePreview() {
  assertPrerequisites();
  const { server, url } = await start({ port: 0 });
  return { server, pageUrl: url, origin: new URL(url).origin };
}
