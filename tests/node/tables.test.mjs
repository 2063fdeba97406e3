// Adding a serializer field is one edit (src/labelstudio/serializers.rs): what restates the
// field lists elsewhere is checked against the library's own tables here, so a field added
// there and forgotten in the TypeScript row types or the benchmark's pure-JS peer fails.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { test } from "node:test";
import { ROOT } from "./loopback.mjs";
import { PROJECT_FIELDS, TASK_FIELDS } from "../../bench/peer.mjs";

const lib = createRequire(import.meta.url)(path.join(ROOT, "pkg"));
const serializers = new Map(lib.serializers().map((s) => [s.id, s]));
const types = fs.readFileSync(path.join(ROOT, "js", "types.d.ts"), "utf8");

/** The member names of `export interface NAME { ... }` in js/types.d.ts. */
function members(name) {
  const m = new RegExp(`export interface ${name} \\{([\\s\\S]*?)\\n\\}`).exec(types);
  assert.ok(m, `interface ${name} in js/types.d.ts`);
  return new Set([...m[1].matchAll(/(?:^|[;{\s])([a-z_][a-z0-9_]*)\??:/g)].map((x) => x[1]));
}

const ROW_TYPES = { project: "ProjectRow", task: "TaskRow", annotation: "AnnotationRow", label: "LabelRow", label_link: "LabelLinkRow" };

for (const [id, iface] of Object.entries(ROW_TYPES)) {
  test(`js/types.d.ts ${iface} names every field of the ${id} serializer (and its database column)`, () => {
    const names = members(iface);
    const missing = [];
    for (const f of serializers.get(id).fields) {
      if (!names.has(f.name)) missing.push(f.name);
      if (f.column && !names.has(f.column)) missing.push(f.column);
    }
    assert.deepEqual(missing, []);
  });
}

test("every serializer with rows has a row type", () => {
  assert.deepEqual([...serializers.keys()].filter((id) => id !== "only_id").sort(), Object.keys(ROW_TYPES).sort());
});

test("the benchmark's pure-JS peer lists the task and project fields in serializer order", () => {
  assert.deepEqual(TASK_FIELDS, serializers.get("task").fields.map((f) => f.name));
  assert.deepEqual(PROJECT_FIELDS, serializers.get("project").fields.map((f) => f.name));
});
