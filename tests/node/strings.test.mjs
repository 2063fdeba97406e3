// Long strings through the Node package's glue (scripts/package.js patches wasm-bindgen's for
// them, issue 17): an event given as a JS string must read as its UTF-8 wherever its non-ASCII
// characters fall, a body must come out as the same text as its bytes, and long text that is
// not ASCII must still come out decoded.
import assert from "node:assert/strict";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const lib = createRequire(import.meta.url)(path.join(ROOT, "pkg"));
const sample = JSON.parse(fs.readFileSync(path.join(ROOT, "samples", "events", "TASKS_CREATED.json"), "utf8"));

/** TASKS_CREATED with one task whose text is `text`, raw in the JSON (JSON.stringify would
 * escape a lone surrogate), as a JS string; bodies as `bodyAs`. */
function eventText(text, bodyAs) {
  const e = structuredClone(sample);
  e.instance = [{ ...e.instance[0], data: { text: "@@TEXT@@" } }];
  e.options = { ...e.options, bodyAs };
  return JSON.stringify(e).replace("@@TEXT@@", () => text);
}

test("the glue of the package has the long-string path", () => {
  assert.match(fs.readFileSync(path.join(ROOT, "pkg", "ls_webhooks.js"), "utf8"), /ls-webhooks: long strings/);
});

test("a string event reads as its UTF-8 wherever non-ASCII text falls, and bodies are the same text as bytes", () => {
  // 2, 3 and 4 bytes of UTF-8 and lone surrogates (TextEncoder writes U+FFFD for them), before,
  // across and after the point where one byte per UTF-16 unit runs out, in events long enough
  // for the long-string path.
  let checked = 0;
  for (const ch of ["\u00e9", "\u65e5", "\u{1F600}", "\ud800", "\udc00x"]) {
    for (const [before, after] of [[0, 3000], [1500, 1500], [3000, 0], [2999, 1], [2998, 2]]) {
      const text = "a".repeat(before) + ch.repeat(after ? 400 : 1) + "b".repeat(after);
      const asString = lib.buildDeliveries(eventText(text, "string"));
      const asBytes = lib.buildDeliveries(new TextEncoder().encode(eventText(text, "bytes")));
      assert.ok(eventText(text, "string").length > 1024);
      const payloads = asString.deliveries.filter((d) => d.body.length > 1024);
      assert.ok(payloads.length > 0);
      asString.deliveries.forEach((d, i) => {
        assert.equal(typeof d.body, "string");
        assert.equal(d.body, Buffer.from(asBytes.deliveries[i].body).toString("latin1"));
      });
      // The text as JSON.parse reads the body: the scalar values of the string (U+FFFD for a lone surrogate).
      const scalars = new TextDecoder().decode(new TextEncoder().encode(text));
      for (const d of payloads) assert.equal(JSON.parse(d.body).tasks[0].data.text, scalars);
      checked++;
    }
  }
  assert.equal(checked, 25);
});

test("long text that is not ASCII still comes out decoded", () => {
  const e = structuredClone(sample);
  const bad = "\u00e9\u65e5\u{1F600}".repeat(400);
  e.instance = [{ ...e.instance[0], created_at: bad }];
  assert.throws(() => lib.buildDeliveries(JSON.stringify(e)), (err) => err.code === "INVALID_ROW" && err.detail.includes(bad));
});
