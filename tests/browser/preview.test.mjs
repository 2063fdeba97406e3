// The payload preview (www/) in a real headless Chromium (Debian's /usr/bin/chromium),
// driven by playwright-core. Every body the page renders must equal, byte for byte,
// what the Node build (pkg/) returns for the same event text.
//
//   node --test tests/browser/
//
// Needs www/pkg/ (bash scripts/build-web.sh) and pkg/ (scripts/setup.sh).
// LS_WEBHOOKS_UPDATE_SCREENSHOT=1 also writes docs/preview.png.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import http from "node:http";
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { SHOT_DIR, desktop, loadPage, rendered, revision, root, servePreview, setEvent, waitBuilt, watchErrors } from "./chromium.mjs";

const require = createRequire(import.meta.url);
const lib = require(path.join(root, "pkg"));
const T = { timeout: 90_000 };

const ACTIONS = lib.actions();
const sample = (action) => fs.readFileSync(path.join(root, "samples", "events", `${action}.json`), "utf8");

let server, origin, pageUrl, userDataDir, context, page;
const consoleErrors = [];
const offsite = [];

const watch = (p) => watchErrors(p, consoleErrors);

before(async () => {
  ({ server, pageUrl, origin } = await servePreview());
  // Offline: nothing may leave the loopback server.
  ({ userDataDir, context, page } = await desktop("ls-webhooks-chromium-", origin, offsite));
  watch(page);
});

after(async () => {
  await context?.close().catch(() => {});
  server?.close();
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
});

// ------------------------------------------------------------------ helpers

const open = (p, url = pageUrl) => loadPage(p, url);

async function pick(p, action) {
  const rev = await revision(p);
  await p.selectOption("select#action", action);
  await waitBuilt(p, rev);
}

/** The page's plan must be buildDeliveries(text) from the Node build, byte for byte. */
async function assertSameAsLibrary(p, text) {
  const got = await rendered(p);
  assert.equal(got.event, text, "the editor holds the event");
  const want = lib.buildDeliveries(text);
  assert.deepEqual(got.errors, [], "no error is shown for a valid event");
  assert.equal(got.deliveries.length, want.deliveries.length, "one [data-testid=delivery] per delivery");
  want.deliveries.forEach((d, i) => {
    const g = got.deliveries[i];
    assert.equal(g.webhookId, d.webhookId, `delivery ${i + 1}: webhook`);
    assert.equal(g.url, d.url, `delivery ${i + 1}: url`);
    assert.deepEqual(g.headers, Object.entries(d.headers), `delivery ${i + 1}: headers, in order`);
    assert.ok(Buffer.from(g.body, "utf8").equals(Buffer.from(d.body, "utf8")), `delivery ${i + 1}: body bytes`);
    assert.equal(g.size, `${Buffer.byteLength(d.body).toLocaleString("en-US")} bytes`, `delivery ${i + 1}: byte size`);
  });
  assert.deepEqual(got.skipped.map(({ webhookId, reason }) => ({ webhookId, reason })),
    want.skipped.map(({ webhookId, reason }) => ({ webhookId, reason })), "skipped targets");
  want.skipped.forEach((s, i) => assert.ok(got.skipped[i].text.includes(s.message), "skip message shown"));
  return { got, want };
}

/**
 * The event text with its webhooks (the samples' last key) replaced, and options
 * added; the rest of the text, numbers included, is kept as written.
 */
function withWebhooks(text, webhooks, options) {
  const at = text.lastIndexOf('\n  "webhooks": [');
  assert.ok(at > 0 && !text.includes('"options"'), "the sample ends with its webhooks");
  const tail = { webhooks, ...(options ? { options } : {}) };
  const out = text.slice(0, at) + "\n" + JSON.stringify(tail, null, 2).slice(2);
  assert.deepEqual(JSON.parse(out).webhooks, webhooks);
  return out;
}

// ------------------------------------------------------------------ tests

test("the page loads offline, with the registry in the picker and the sample in the editor", T, async () => {
  await open(page);
  const options = await page.$$eval("select#action option", (os) => os.map((o) => o.value));
  assert.deepEqual(options, ACTIONS.map((a) => a.action), "one option per action, in registry order");
  assert.equal(await page.inputValue("select#action"), "TASKS_CREATED");
  await assertSameAsLibrary(page, sample("TASKS_CREATED"));

  for (const action of ["TASKS_CREATED", "PROJECT_CREATED", "ANNOTATION_UPDATED"]) {
    await pick(page, action);
    const info = ACTIONS.find((a) => a.action === action);
    const text = await page.textContent("#action-info");
    assert.ok(text.includes(`key: ${info.key}`), `${action}: key shown`);
    assert.ok(text.includes(info.many ? "many" : "one row"), `${action}: many-ness shown`);
    assert.ok(text.includes(info.organizationOnly ? "organization only" : "project and organization"), `${action}: scope shown`);
    assert.ok(text.includes(info.description), `${action}: description shown`);
    const href = await page.getAttribute("#doc-link", "href");
    assert.equal(new URL(href, page.url()).href, new URL(`/docs/events.md#${action.toLowerCase()}`, origin).href);
  }

  // Readable at 1280x800: nothing wider than the window, the first delivery in view.
  const layout = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    scrollHeight: document.documentElement.scrollHeight,
    url: document.querySelector("[data-testid=delivery-url]").getBoundingClientRect().toJSON(),
    editor: document.querySelector("#event").getBoundingClientRect().toJSON(),
  }));
  assert.ok(layout.scrollWidth <= 1280, `no horizontal scrolling (${layout.scrollWidth}px)`);
  assert.ok(layout.scrollHeight <= 800, `the page itself does not scroll (${layout.scrollHeight}px)`);
  assert.ok(layout.url.top > 0 && layout.url.bottom < 800 && layout.url.right <= 1280, "first delivery in view");
  assert.ok(layout.editor.height > 400 && layout.editor.width > 400, "the editor is large enough to use");
});

test("every action's sample renders exactly what buildDeliveries returns", T, async () => {
  await open(page);
  for (const { action } of ACTIONS) {
    await pick(page, action);
    const { want } = await assertSameAsLibrary(page, sample(action));
    assert.ok(want.deliveries.length >= 1, `${action}: the sample has deliveries`);
    // The sample's inactive webhook (#4) is never a target.
    assert.ok(!want.targets.includes(4));
    assert.match(await page.textContent("[data-testid=targets]"), /not matched: .*#4 \(inactive\)/);
  }
});

test("edited events: non-ASCII text and ints past 2^53 reach the body exactly", T, async () => {
  await open(page, `${pageUrl}#action=ANNOTATION_CREATED`);
  assert.equal(await page.inputValue("select#action"), "ANNOTATION_CREATED");
  const base = sample("ANNOTATION_CREATED");
  // Edit the TEXT (a JSON.parse round trip would round these numbers).
  const marker = '"result": [';
  assert.ok(base.includes(marker));
  const big = "123456789012345678901234567890";
  const text = base.replace(marker,
    `"result": [{"big": ${big}, "just_past_2_53": 9007199254740993, "neg": -9223372036854775809, "float": 1.0,` +
    ` "text": "naïve café — ✓ 😀 \\u2028 Ünïcødé \\ud800"}, `);
  await setEvent(page, text);
  const { got, want } = await assertSameAsLibrary(page, text);
  const body = got.deliveries[0].body;
  for (const needle of [big, "9007199254740993", "-9223372036854775809", '"float": 1.0',
    "na\\u00efve caf\\u00e9 \\u2014 \\u2713 \\ud83d\\ude00 \\u2028 \\u00dcn\\u00efc\\u00f8d\\u00e9 \\ud800"]) {
    assert.ok(body.includes(needle), `the body carries ${needle}`);
  }
  // The check can fail: the same event through JSON.parse gives other bytes.
  const parsed = lib.buildDeliveries(JSON.stringify(JSON.parse(text)));
  assert.notEqual(parsed.deliveries[0].body, want.deliveries[0].body);

  // The pretty view reads the same body, decoded and indented; the raw bytes stay.
  const first = page.locator("[data-testid=delivery]").first();
  await first.getByRole("button", { name: "Pretty" }).click();
  const pretty = await first.locator("pre.pretty").textContent();
  assert.ok(pretty.includes(`"big": ${big}`) && pretty.includes("naïve café — ✓ 😀"), "pretty view");
  assert.ok(pretty.split("\n").length > 20, "pretty view is indented");
  assert.equal(await first.locator("[data-testid=delivery-body]").textContent(), want.deliveries[0].body);
  assert.ok(await first.locator("[data-testid=delivery-body]").isHidden());
  await first.getByRole("button", { name: "Raw" }).click();
  assert.ok(await first.locator("[data-testid=delivery-body]").isVisible());

  // Skipped targets with their reasons (SSRF protection on, the default).
  const hooks = [
    { id: 1, organization: 1, project: null, url: "https://ok.example.com/hook", send_payload: true,
      send_for_all_actions: true, headers: { "X-Café": "x" }, is_active: true, actions: [] },
    { id: 2, organization: 1, project: null, url: "http://127.0.0.1/hook", send_payload: true,
      send_for_all_actions: true, headers: {}, is_active: true, actions: [] },
    { id: 3, organization: 1, project: null, url: "ftp://files.example.com/x", send_payload: true,
      send_for_all_actions: true, headers: {}, is_active: true, actions: [] },
    { id: 4, organization: 1, project: null, url: "https://h.example.com/", send_payload: true,
      send_for_all_actions: true, headers: { "X-Bad": "a\nb" }, is_active: true, actions: [] },
    { id: 5, organization: 1, project: null, url: "https://five.example.com/", send_payload: true,
      send_for_all_actions: true, headers: { "X-Latin": "café" }, is_active: true, actions: [] },
  ];
  const skippy = withWebhooks(text, hooks);
  await setEvent(page, skippy);
  const r = await assertSameAsLibrary(page, skippy);
  assert.deepEqual(r.got.skipped.map((s) => s.reason).sort(), ["INVALID_HEADER", "INVALID_HEADER", "INVALID_URL", "SSRF_BLOCKED"]);
  assert.deepEqual(r.got.deliveries.map((d) => d.webhookId), [5]);

  // Typed by a person: keystrokes, debounced.
  const broken = text.replace(/\}\s*$/, "");
  await setEvent(page, broken);
  assert.equal((await rendered(page)).errors.length, 1);
  const rev = await revision(page);
  await page.focus("#event");
  await page.keyboard.press("Control+End");
  await page.keyboard.type("}", { delay: 20 });
  await waitBuilt(page, rev);
  await assertSameAsLibrary(page, broken + "}");
});

test("a bad event shows its error inline, with code and field path, and the page keeps working", T, async () => {
  await open(page, `${pageUrl}#action=TASKS_CREATED`);
  const good = sample("TASKS_CREATED");
  const cases = [
    good.slice(0, 400), // malformed JSON
    good.replace('"is_labeled": false', '"is_labeled": "no"'), // a row its serializer refuses
    good.replace('"action": "TASKS_CREATED"', '"action": "TASKS_EXPLODED"'),
    good.replace(/"created_at": "[^"]*",\n/, ""), // a missing field
    "",
  ];
  for (const text of cases) {
    let thrown;
    try { lib.buildDeliveries(text); } catch (e) { thrown = e; }
    assert.ok(thrown, "the library refuses this event");
    await setEvent(page, text);
    const got = await rendered(page);
    assert.equal(got.deliveries.length, 0, "no delivery is shown for a refused event");
    assert.equal(got.errors.length, 1, "one [data-testid=error]");
    const e = got.errors[0];
    assert.equal(e.code, thrown.code);
    assert.equal(e.path, thrown.path);
    assert.ok(e.text.includes(thrown.code) && e.text.includes(thrown.detail), "code and detail shown");
    if (thrown.path) assert.ok(e.text.includes(thrown.path), "field path shown");
    assert.ok(await page.locator("[data-testid=error]").isVisible());
    assert.ok(await page.locator("select#action").isEnabled(), "the picker still works");
    assert.ok(await page.locator("textarea#event").isVisible());
  }

  // "Show in editor" selects the offending value.
  const wrongKind = cases[1];
  await setEvent(page, wrongKind);
  await page.locator("[data-testid=error]").getByRole("button").click();
  const sel = await page.$eval("#event", (ta) => [ta.selectionStart, ta.selectionEnd, document.activeElement === ta]);
  assert.equal(wrongKind.slice(sel[0], sel[1]), '"no"');
  assert.ok(sel[2], "the editor has the focus");
  // Malformed JSON: the error's byte offset (UTF-8) becomes the caret (UTF-16).
  let syntax;
  try { lib.buildDeliveries(cases[0]); } catch (e) { syntax = e; }
  const byte = Number(/\(byte (\d+)\)/.exec(syntax.detail)[1]);
  assert.ok(Buffer.byteLength(cases[0]) > cases[0].length, "non-ASCII before the error: bytes and chars differ");
  await setEvent(page, cases[0]);
  await page.locator("[data-testid=error]").getByRole("button").click();
  const caret = await page.$eval("#event", (ta) => ta.selectionStart);
  assert.equal(caret, Buffer.from(cases[0]).subarray(0, byte).toString("utf8").length, "caret at the error");

  // Recovers: another action, then the reset button.
  await pick(page, "LABEL_LINK_UPDATED");
  await assertSameAsLibrary(page, sample("LABEL_LINK_UPDATED"));
  await setEvent(page, "{");
  const rev = await revision(page);
  await page.click("#reset");
  await waitBuilt(page, rev);
  await assertSameAsLibrary(page, sample("LABEL_LINK_UPDATED"));
  assert.equal(await page.locator("[data-testid=error]").count(), 0);
});

test("the URL hash reproduces a preview", T, async () => {
  await open(page, `${pageUrl}#action=PROJECT_UPDATED`);
  const text = sample("PROJECT_UPDATED").replace('"title": "', '"title": "Ünïcødé 😀 ');
  assert.notEqual(text, sample("PROJECT_UPDATED"));
  await setEvent(page, text);
  await page.waitForFunction(() => location.hash.includes("event="));
  const link = page.url();
  assert.match(link, /#action=PROJECT_UPDATED&event=/);

  const other = await context.newPage();
  watch(other);
  try {
    await open(other, link);
    assert.equal(await other.inputValue("select#action"), "PROJECT_UPDATED");
    assert.ok(await other.locator("#edited").isVisible(), "marked as edited");
    await assertSameAsLibrary(other, text);
  } finally {
    await other.close();
  }
  // Back to the sample: the hash names the action only.
  const rev = await revision(page);
  await page.click("#reset");
  await waitBuilt(page, rev);
  await page.waitForFunction(() => location.hash === "#action=PROJECT_UPDATED");
  // An edited hash is followed.
  const rev2 = await revision(page);
  await page.evaluate(() => { location.hash = "#action=ANNOTATIONS_DELETED"; });
  await waitBuilt(page, rev2);
  await assertSameAsLibrary(page, sample("ANNOTATIONS_DELETED"));
});

test("copy buttons: the body, and a curl command that sends the same bytes and headers", T, async () => {
  const received = [];
  const receiver = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      received.push({ method: req.method, url: req.url, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) });
      res.end("ok");
    });
  });
  await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
  try {
    const port = receiver.address().port;
    const hook = {
      id: 7, organization: 1, project: null,
      url: `http://127.0.0.1:${port}/hook/it's?x=1&y=$HOME`,
      send_payload: true, send_for_all_actions: true, is_active: true, actions: [],
      headers: { Authorization: "Bearer it's \"quoted\" $HOME `id` \\ back !x", "X-Latin": "café ñ", "X-Empty": "" },
    };
    await open(page, `${pageUrl}#action=TASKS_CREATED`);
    // A target on loopback: SSRF protection must be off for this one.
    const text = withWebhooks(sample("TASKS_CREATED"), [hook], { ssrfProtection: false });
    await setEvent(page, text);
    const { want } = await assertSameAsLibrary(page, text);
    const d = want.deliveries[0];

    const first = page.locator("[data-testid=delivery]").first();
    await first.getByRole("button", { name: "Copy body" }).click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), d.body);
    await first.getByRole("button", { name: "Copy curl" }).click();
    const cmd = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(cmd, /^curl /);

    await new Promise((resolve, reject) => {
      execFile("bash", ["-c", cmd], { timeout: 15_000, env: { PATH: process.env.PATH, HOME: "/nonexistent" } },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
    });
    assert.equal(received.length, 1, "curl sent one request");
    const got = received[0];
    assert.equal(got.method, "POST");
    assert.equal(got.url, "/hook/it's?x=1&y=$HOME");
    assert.ok(got.body.equals(Buffer.from(d.body, "utf8")), "curl sent the exact body bytes");
    const headers = [];
    for (let i = 0; i < got.rawHeaders.length; i += 2) headers.push([got.rawHeaders[i], got.rawHeaders[i + 1]]);
    for (const [name, value] of Object.entries(d.headers)) {
      // Node reads header bytes as latin-1, as requests writes them.
      assert.deepEqual(headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()), [[name, value]], `header ${name}`);
    }
  } finally {
    receiver.close();
  }
});

test("keyboard: every control is reachable with Tab", T, async () => {
  await open(page, `${pageUrl}#action=TASKS_CREATED`);
  await page.evaluate(() => document.activeElement?.blur());
  const seen = [];
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press("Tab");
    seen.push(await page.evaluate(() => {
      const a = document.activeElement;
      return a.getAttribute("data-testid") || a.id || a.className || a.textContent.trim().slice(0, 20) || a.tagName;
    }));
  }
  for (const want of ["action", "doc-link", "format", "reset", "event", "copy-body", "copy-curl", "delivery-body"]) {
    assert.ok(seen.includes(want), `Tab reaches ${want} (${seen.join(", ")})`);
  }
  assert.ok(seen.indexOf("action") < seen.indexOf("event"), "the picker comes before the editor");
  // The picker works from the keyboard.
  await page.focus("select#action");
  const rev = await revision(page);
  await page.keyboard.press("ArrowDown");
  await waitBuilt(page, rev);
  assert.equal(await page.inputValue("select#action"), "TASKS_DELETED");
  await assertSameAsLibrary(page, sample("TASKS_DELETED"));
});

test("the reference links resolve through the local server", T, async () => {
  const docs = path.join(root, "docs", "events.md");
  const res = await fetch(new URL("/docs/events.md", origin));
  if (!fs.existsSync(docs)) {
    assert.equal(res.status, 404);
    return;
  }
  assert.equal(res.status, 200);
  const html = await res.text();
  for (const { action } of ACTIONS) {
    assert.ok(html.includes(`id="${action.toLowerCase()}"`), `docs/events.md has a section #${action.toLowerCase()}`);
  }
});

test("the page's modules are served as JavaScript, and only from the mounts", T, async () => {
  const get = (p) => new Promise((resolve, reject) => {
    // http.get sends the path as written (fetch would resolve the dot segments first).
    http.get({ host: "127.0.0.1", port: new URL(origin).port, path: p }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode, type: res.headers["content-type"] }));
    }).on("error", reject);
  });
  const modules = ["app.js", ...fs.readdirSync(path.join(root, "www", "js")).filter((f) => f.endsWith(".js")).map((f) => `js/${f}`)];
  assert.ok(modules.length > 5, "app.js and its modules in www/js/");
  for (const m of modules) {
    assert.deepEqual(await get(`/www/${m}`), { status: 200, type: "text/javascript; charset=utf-8" }, m);
  }
  for (const p of ["/www/js/../../Cargo.toml", "/www/js/%2e%2e/%2e%2e/Cargo.toml", "/www/js/..%2f..%2fCargo.toml", "/www/js/.hidden.js"]) {
    assert.equal((await get(p)).status, 404, p);
  }
});

test("prettyJson (www/js/pretty-json.js): re-indents and keeps every token as written", T, async () => {
  await open(page, `${pageUrl}#action=TASKS_CREATED`);
  const bodies = ACTIONS.flatMap(({ action }) => lib.buildDeliveries(sample(action)).deliveries.map((d) => d.body));
  const samples = ACTIONS.map(({ action }) => sample(action));
  const got = await page.evaluate(async ({ bodies, samples }) => {
    const { prettyJson } = await import("/www/js/pretty-json.js");
    const tokens = '{"a":1.0, "b" :[ ],"c":{\n},"d":[1,2e400,-0.0,true,null],"e":"x\\"y,:{}[] \\\\","big":123456789012345678901234567890}';
    return {
      tokens: prettyJson(tokens, { readable: false }),
      tabs: prettyJson('{"a":[1]}', { indent: "\t" }),
      readable: prettyJson('["caf\\u00e9","\\ud83d\\ude00","\\ud800","\\n\\u0001","\\"\\u002c"]'),
      escaped: prettyJson('["caf\\u00e9"]', { readable: false }),
      scalars: [prettyJson("42"), prettyJson(' "s" '), prettyJson(""), prettyJson("[]"), prettyJson("{}")],
      broken: [prettyJson("{ bad"), prettyJson('{"a": "unterminated'), prettyJson("]]}")],
      bodies: bodies.map((b) => prettyJson(b)),
      samples: samples.map((t) => prettyJson(t, { readable: false })),
    };
  }, { bodies, samples });
  assert.equal(got.tokens, [
    "{",
    '  "a": 1.0,',
    '  "b": [],',
    '  "c": {},',
    '  "d": [',
    "    1,",
    "    2e400,",
    "    -0.0,",
    "    true,",
    "    null",
    "  ],",
    '  "e": "x\\"y,:{}[] \\\\",',
    '  "big": 123456789012345678901234567890',
    "}",
  ].join("\n"));
  assert.equal(got.tabs, '{\n\t"a": [\n\t\t1\n\t]\n}');
  // readable: \u escapes shown decoded where JSON.stringify would; lone surrogates and controls stay escaped.
  assert.equal(got.readable, '[\n  "café",\n  "😀",\n  "\\ud800",\n  "\\n\\u0001",\n  "\\","\n]');
  assert.equal(got.escaped, '[\n  "caf\\u00e9"\n]');
  assert.deepEqual(got.scalars, ["42", '"s"', "", "[]", "{}"]);
  // Text that is not JSON is re-spaced, not refused (the Format button checks the result reads the same).
  assert.deepEqual(got.broken, ["{\n  bad", '{\n  "a": "unterminated', "\n]\n]\n}"]);
  // Every delivered body and every sample reads the same after re-indenting.
  bodies.forEach((b, i) => assert.deepEqual(JSON.parse(got.bodies[i]), JSON.parse(b), `body ${i}`));
  samples.forEach((t, i) => {
    assert.deepEqual(JSON.parse(got.samples[i]), JSON.parse(t), `sample ${ACTIONS[i].action}`);
    assert.ok(got.samples[i].split("\n").length > 20, "indented");
  });
});

test("screenshot at 1280x800", T, async () => {
  await open(page, `${pageUrl}#action=TASKS_CREATED`);
  await page.mouse.move(0, 0);
  fs.mkdirSync(SHOT_DIR, { recursive: true });
  const shot = path.join(SHOT_DIR, "preview.png");
  await page.screenshot({ path: shot });
  assert.ok(fs.statSync(shot).size > 10_000, "a real screenshot");
  if (process.env.LS_WEBHOOKS_UPDATE_SCREENSHOT === "1") fs.copyFileSync(shot, path.join(root, "docs", "preview.png"));
});

test("no console errors, and no request left the loopback server", T, () => {
  assert.deepEqual(consoleErrors, []);
  assert.deepEqual(offsite, []);
});
