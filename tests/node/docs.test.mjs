// docs/events.md and docs/schemas/*.json are generated (node scripts/gen-docs.js):
// the committed files must be exactly what the generator writes from pkg/ now.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, "..", "..");
const lib = require(path.join(root, "pkg"));
const { generate, reindent } = require(path.join(root, "scripts", "gen-docs.js"));

const files = generate(lib);
const actions = lib.actions();
const md = files["docs/events.md"];

test("the committed docs are what `node scripts/gen-docs.js` generates (run it and commit)", () => {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(root, rel);
    assert.ok(fs.existsSync(p), `${rel} is missing: run node scripts/gen-docs.js`);
    assert.ok(fs.readFileSync(p, "utf8") === content, `${rel} is stale: run node scripts/gen-docs.js`);
  }
  const extra = fs.readdirSync(path.join(root, "docs", "schemas")).filter((f) => !files[`docs/schemas/${f}`]);
  assert.deepEqual(extra, [], "schemas of no action in docs/schemas/");
});

test("one `## ACTION` section per action, in registry order, with the library's exact example body", () => {
  const headings = md.split("\n").filter((l) => l.startsWith("## ")).map((l) => l.slice(3));
  const actionHeadings = headings.filter((h) => /^[A-Z_]+$/.test(h));
  assert.deepEqual(actionHeadings, actions.map((a) => a.action));
  for (const a of actions) {
    const section = md.split(`\n## ${a.action}\n`)[1].split("\n## ")[0];
    const plan = lib.buildDeliveries(new Uint8Array(fs.readFileSync(path.join(root, "samples", "events", `${a.action}.json`))));
    const body = plan.deliveries.find((d) => d.body !== `{"action": "${a.action}"}`).body;
    assert.ok(section.includes("\n" + body + "\n```"), `${a.action}: the example is not the body the library builds`);
    assert.ok(section.includes(a.description), `${a.action}: registry description missing`);
    for (const k of lib.schemas()[a.action].$defs.payload["x-key-order"]) {
      assert.ok(section.includes(`| \`${k}\` |`), `${a.action}: body key ${k} not in the table`);
    }
    assert.ok(section.includes(`(schemas/${a.action}.json)`), `${a.action}: no schema link`);
    assert.ok(section.includes(`{"action": "${a.action}"}`), `${a.action}: send_payload false body not shown`);
  }
});

test("every field of every serializer is in the objects tables; the common part says what a receiver needs", () => {
  for (const s of lib.serializers()) {
    for (const f of s.fields) assert.ok(md.includes(`| \`${f.name}\` |`), `${s.id}.${f.name} not documented`);
  }
  for (const needle of [
    "first key is always `action`", "`send_payload` false", "WEBHOOK_BATCH_SIZE", "5000",
    "An empty list sends nothing", "Content-Type: application/json", "No retries", "No signature",
    "1 second", "json.dumps", "\\uXXXX", "organization webhook", "Organization-only events",
    "TASK_CREATED", "ANNOTATION_DELETED",
  ]) {
    assert.ok(md.includes(needle), `events.md does not mention ${needle}`);
  }
});

test("the indented example keeps every token of the sent body", () => {
  for (const a of actions) {
    const plan = lib.buildDeliveries(new Uint8Array(fs.readFileSync(path.join(root, "samples", "events", `${a.action}.json`))));
    for (const d of plan.deliveries) {
      const pretty = reindent(d.body);
      assert.deepEqual(JSON.parse(pretty), JSON.parse(d.body));
      // Rejoining the lines gives back the exact bytes (strings and numbers untouched).
      const rejoined = pretty.split("\n").map((l) => l.trimStart()).join("")
        .replace(/,(?=\S)/g, ", ");
      assert.equal(rejoined.replace(/\s+/g, ""), d.body.replace(/\s+/g, ""));
    }
  }
  assert.equal(reindent('{"a": [], "b": {}, "c": "x, y: {z}"}'), '{\n  "a": [],\n  "b": {},\n  "c": "x, y: {z}"\n}');
});
