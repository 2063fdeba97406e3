// The payload preview's signing secret field (issue 14), in Debian's headless Chromium:
// with a secret, every delivery shows the three Standard Webhooks headers after Label
// Studio's own and the copied curl command sends them (a receiver verifies them with
// verifyWebhook from pkg/); the secret itself is never in the URL, the editor, the page's
// markup, the copied text or the browser's storage.
//
//   node --test tests/browser/      (after bash scripts/build-web.sh)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import http from "node:http";
import zlib from "node:zlib";
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { desktop, loadPage, rendered, revision, root, servePreview, setEvent, waitBuilt, watchErrors } from "./chromium.mjs";

const require = createRequire(import.meta.url);
const lib = require(path.join(root, "pkg"));
const T = { timeout: 90_000 };
const SECRET = "whsec_" + Buffer.from("the preview's signing secret, test only").toString("base64");
const KEY = SECRET.slice("whsec_".length);
const SIGNING = ["webhook-id", "webhook-timestamp", "webhook-signature"];
const sample = (action) => fs.readFileSync(path.join(root, "samples", "events", `${action}.json`), "utf8");

let server, origin, pageUrl, userDataDir, context, page;
const consoleErrors = [];
const offsite = [];

before(async () => {
  ({ server, pageUrl, origin } = await servePreview());
  ({ userDataDir, context, page } = await desktop("ls-webhooks-chromium-signing-", origin, offsite));
  watchErrors(page, consoleErrors);
});

after(async () => {
  await context?.close().catch(() => {});
  server?.close();
  if (userDataDir) {
    // The profile Chromium wrote while the secret was typed: no file of it may hold the secret.
    const hits = [];
    const walk = (dir) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile()) {
          const b = fs.readFileSync(p);
          if (b.includes(SECRET) || b.includes(KEY) || b.includes(Buffer.from(KEY, "utf16le"))) hits.push(path.relative(userDataDir, p));
        }
      }
    };
    walk(userDataDir);
    fs.rmSync(userDataDir, { recursive: true, force: true });
    assert.deepEqual(hits, [], "files of the browser profile holding the secret");
  }
});

const open = (p, url = pageUrl) => loadPage(p, url);

/** Types `secret` into the field, as a person would, and waits for the rebuild. */
async function setSecret(p, secret) {
  const rev = await revision(p);
  await p.fill("#signing-secret", secret);
  await waitBuilt(p, rev);
}

/** The event text with its webhooks (the samples' last key) replaced, and options added. */
function withWebhooks(text, webhooks, options) {
  const at = text.lastIndexOf('\n  "webhooks": [');
  assert.ok(at > 0 && !text.includes('"options"'), "the sample ends with its webhooks");
  return text.slice(0, at) + "\n" + JSON.stringify({ webhooks, ...(options ? { options } : {}) }, null, 2).slice(2);
}

/** What the page holds anywhere a secret could leak to: URL, editor, markup, storage, cookies. */
function leakSurfaces(p) {
  return p.evaluate(async () => {
    const storage = (s) => Object.keys(s).map((k) => `${k}=${s.getItem(k)}`).join("\n");
    const dbs = indexedDB.databases ? (await indexedDB.databases()).map((d) => d.name).join(",") : "";
    return {
      href: location.href,
      editor: document.querySelector("#event").value,
      markup: document.documentElement.outerHTML,
      text: document.body.innerText,
      local: storage(localStorage),
      session: storage(sessionStorage),
      cookies: document.cookie,
      dbs,
      history: history.length,
    };
  });
}

/** The event text the URL hash holds (z. = deflate-raw, t. = plain; base64url), or null. */
function eventInHash(href) {
  const v = new URLSearchParams(new URL(href).hash.slice(1)).get("event");
  if (!v) return null;
  const bytes = Buffer.from(v.slice(2).replace(/-/g, "+").replace(/_/g, "/"), "base64");
  return (v.startsWith("z.") ? zlib.inflateRawSync(bytes) : bytes).toString("utf8");
}

function assertNoSecret(where, value) {
  assert.ok(!String(value).includes(SECRET) && !String(value).includes(KEY), `the secret is in ${where}`);
}

test("with a secret, each delivery shows the signing headers after Label Studio's, and they verify; bodies unchanged", T, async () => {
  for (const action of ["TASKS_CREATED", "ANNOTATION_CREATED", "PROJECT_DELETED"]) {
    await open(page, `${pageUrl}#action=${action}`);
    const text = sample(action);
    const unsigned = lib.buildDeliveries(text);
    const before = await rendered(page);
    assert.equal(before.note, null);
    assert.ok(before.deliveries.every((d) => d.headers.every(([k]) => !SIGNING.includes(k))), "unsigned without a secret");

    const t0 = Math.floor(Date.now() / 1000);
    await setSecret(page, SECRET);
    const got = await rendered(page);
    assert.deepEqual(got.errors, []);
    assert.match(got.note, /Signed \(Standard Webhooks\).*webhook-id, webhook-timestamp, webhook-signature follow Label Studio's headers/);
    assert.equal(got.deliveries.length, unsigned.deliveries.length, action);
    got.deliveries.forEach((d, i) => {
      const u = unsigned.deliveries[i];
      assert.equal(d.body, u.body, `${action} #${i}: the body does not change`);
      assert.deepEqual(d.headers.slice(0, -3), Object.entries(u.headers), `${action} #${i}: Label Studio's headers first`);
      assert.deepEqual(d.headers.slice(-3).map(([k]) => k), SIGNING, `${action} #${i}: then the signing headers`);
      const headers = Object.fromEntries(d.headers);
      assert.match(headers["webhook-id"], /^msg_[0-9a-f]{32}$/);
      const ts = Number(headers["webhook-timestamp"]);
      assert.ok(ts >= t0 && ts <= Math.floor(Date.now() / 1000), "the timestamp is the preview's time");
      const parsed = lib.verifyWebhook({ headers, body: d.body, secret: SECRET });
      assert.equal(parsed.action, action);
      assert.throws(() => lib.verifyWebhook({ headers, body: d.body, secret: "whsec_" + Buffer.from("another").toString("base64") }),
        { code: "SIGNATURE_MISMATCH" });
    });
    // The signing rows are marked; the secret is not on the page.
    assert.equal(await page.locator("tr.signing-header").count(), 3 * got.deliveries.length);
    const s = await leakSurfaces(page);
    for (const [k, v] of Object.entries(s)) assertNoSecret(k, v);
    // Cleared: unsigned again.
    await setSecret(page, "");
    const cleared = await rendered(page);
    assert.equal(cleared.note, null);
    assert.deepEqual(cleared.deliveries.map((d) => d.headers), unsigned.deliveries.map((d) => Object.entries(d.headers)));
  }
  assert.deepEqual(consoleErrors, []);
});

test("the copied curl command carries the signed headers (never the secret), and what curl sends verifies", T, async () => {
  const received = [];
  const receiver = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => { received.push({ headers: req.headers, body: Buffer.concat(chunks) }); res.end("ok"); });
  });
  await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
  try {
    const hook = { id: 9, organization: 1, project: null, url: `http://127.0.0.1:${receiver.address().port}/hook`,
      send_payload: true, send_for_all_actions: true, is_active: true, actions: [], headers: { Authorization: "Token t" } };
    await open(page, `${pageUrl}#action=TASKS_CREATED`);
    // Options of the event's own (a loopback target, batches of 2): signing joins them.
    const text = withWebhooks(sample("TASKS_CREATED"), [hook], { ssrfProtection: false, batchSize: 2 });
    await setEvent(page, text);
    await setSecret(page, SECRET);
    const got = await rendered(page);
    assert.deepEqual(got.errors, []);
    assert.deepEqual(got.deliveries.map((d) => d.batch), [0, 1], "the event's batchSize still applies");
    const last = page.locator("[data-testid=delivery]").last();
    await last.getByRole("button", { name: "Copy curl" }).click();
    const cmd = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(cmd, /^curl /);
    for (const h of SIGNING) assert.match(cmd, new RegExp(`--header '${h}: `), h);
    assertNoSecret("the curl command", cmd);
    await new Promise((resolve, reject) => {
      execFile("bash", ["-c", cmd], { timeout: 15_000, env: { PATH: process.env.PATH } },
        (err, _out, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve()));
    });
    assert.equal(received.length, 1);
    const r = received[0];
    const want = got.deliveries[1];
    assert.ok(r.body.equals(Buffer.from(want.body, "utf8")), "the exact body");
    assert.equal(r.headers.authorization, "Token t");
    const parsed = lib.verifyWebhook({ headers: r.headers, body: r.body, secret: SECRET });
    assert.equal(parsed.action, "TASKS_CREATED");
    assert.equal(r.headers["webhook-id"], Object.fromEntries(want.headers)["webhook-id"]);
    // The body copy is the body alone.
    await last.getByRole("button", { name: "Copy body" }).click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), want.body);
  } finally {
    receiver.close();
  }
});

test("the secret is never in the URL hash, the editor, the page's markup, storage or cookies, and a reload forgets it", T, async () => {
  await open(page, `${pageUrl}#action=ANNOTATION_UPDATED`);
  const field = await page.$eval("#signing-secret", (i) => ({ type: i.type, autocomplete: i.autocomplete, name: i.name, inForm: Boolean(i.form) }));
  assert.deepEqual(field, { type: "password", autocomplete: "off", name: "", inForm: false });
  await setSecret(page, SECRET);
  // An edit puts the event in the hash: the event as the editor holds it, without options.signing.
  const edited = sample("ANNOTATION_UPDATED").replace('"lead_time": ', '"lead_time":  ');
  assert.notEqual(edited, sample("ANNOTATION_UPDATED"));
  await setEvent(page, edited);
  await page.waitForFunction(() => location.hash.includes("event="));
  const s = await leakSurfaces(page);
  for (const [k, v] of Object.entries(s)) assertNoSecret(k, v);
  assert.equal(eventInHash(s.href), edited, "the hash holds the editor's text, unsigned");
  assert.equal(s.editor, edited);
  assert.equal(s.local, "");
  assert.equal(s.session, "");
  assert.ok((await rendered(page)).note, "signed");
  // Enter in the field signs again (a new build, a new timestamp), and adds no history entry.
  const historyBefore = s.history;
  const rev = await revision(page);
  await page.focus("#signing-secret");
  await page.keyboard.press("Enter");
  await waitBuilt(page, rev);
  assert.ok((await rendered(page)).note, "still signed");
  assert.equal((await leakSurfaces(page)).history, historyBefore);

  // A link (the URL) reproduces the preview without the secret: unsigned.
  const href = s.href;
  await open(page, href);
  assert.equal(await page.inputValue("#signing-secret"), "");
  const again = await rendered(page);
  assert.equal(again.note, null);
  assert.ok(again.deliveries.length > 0 && again.deliveries.every((d) => d.headers.every(([k]) => !SIGNING.includes(k))));
  // A reload of the page with the secret typed: the browser does not restore it.
  await setSecret(page, SECRET);
  await page.reload();
  await waitBuilt(page, 0);
  assert.equal(await page.inputValue("#signing-secret"), "");
  assert.equal((await rendered(page)).note, null);
});

test("an invalid secret: the error names the field, never shows the value; an event error still points into the editor", T, async () => {
  await open(page, `${pageUrl}#action=PROJECT_CREATED`);
  const bad = "whsec_not base64 at all!";
  await setSecret(page, bad);
  const got = await rendered(page);
  assert.deepEqual(got.errors.map(({ code, path: p }) => ({ code, path: p })), [{ code: "INVALID_EVENT", path: "options.signing.secret" }]);
  assert.match(got.secretError, /^The secret is not a Standard Webhooks secret \(whsec_ followed by its key in base64\)$/);
  assert.equal(got.invalid, "true");
  assert.equal(got.deliveries.length, 0);
  const s = await leakSurfaces(page);
  for (const [k, v] of Object.entries(s)) assert.ok(!v.toString().includes("not base64 at all"), `the bad secret is in ${k}`);

  // A broken event with a valid secret: the text's own error, at the editor's offsets.
  await setSecret(page, SECRET);
  const broken = sample("PROJECT_CREATED").replace('"title": ', '"title" ');
  await setEvent(page, broken);
  const e = await rendered(page);
  let want;
  try { lib.buildDeliveries(broken); } catch (err) { want = err; }
  assert.deepEqual(e.errors.map((x) => x.code), [want.code]);
  assert.equal(e.secretError, null);
  assert.equal(e.invalid, null);
  await page.getByRole("button", { name: "Show in editor" }).click();
  const sel = await page.$eval("#event", (ta) => ta.selectionStart);
  assert.equal(Buffer.byteLength(broken.slice(0, sel), "utf8"), want.offset, "the error's offset in the editor's text");
  // Cleared: the sample again, unsigned, no error.
  await setEvent(page, sample("PROJECT_CREATED"));
  await setSecret(page, "");
  const clean = await rendered(page);
  assert.deepEqual(clean.errors, []);
  assert.equal(clean.note, null);
  assert.ok(clean.deliveries.length > 0);
});

test("the page stays offline", () => {
  assert.deepEqual(offsite, []);
});
