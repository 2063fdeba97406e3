// The public TypeScript types as js/types.d.ts has them (the wasm build embeds that file as
// pkg/ls_webhooks.d.ts; package.test.mjs checks the packed copy). A scratch project gets an
// `ls-webhooks` of type declarations only, and `tsc --noEmit --strict` checks against it:
// tests/node/types/consumer.ts (the existing consumer still compiles), tests/node/types/events.ts
// (the event typed per action: every @ts-expect-error there must be an error), the 12 sample
// events as typed literals, each of them with an unknown field (must fail), and the per-action
// instance types against the library's own registry (`actions()`).
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";
import { ROOT, run } from "./loopback.mjs";

const TYPES = path.join(ROOT, "tests", "node", "types");
const SAMPLES = path.join(ROOT, "samples", "events");
const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
const ENTRY_POINTS = ["safe-fetch", "deliver", "queue", "database"];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ls-webhooks-types-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

before(() => {
  const pkg = path.join(tmp, "node_modules", "ls-webhooks");
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(path.join(pkg, "package.json"), JSON.stringify({
    name: "ls-webhooks", types: "ls_webhooks.d.ts",
    exports: {
      ".": { types: "./ls_webhooks.d.ts" },
      ...Object.fromEntries(ENTRY_POINTS.map((n) => [`./${n}`, { types: `./${n}.d.ts` }])),
    },
  }));
  fs.copyFileSync(path.join(ROOT, "js", "types.d.ts"), path.join(pkg, "ls_webhooks.d.ts"));
  for (const n of ENTRY_POINTS) fs.copyFileSync(path.join(ROOT, "js", `${n}.d.ts`), path.join(pkg, `${n}.d.ts`));
  fs.writeFileSync(path.join(tmp, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  for (const f of fs.readdirSync(TYPES)) fs.copyFileSync(path.join(TYPES, f), path.join(tmp, f));
});

/** `tsc --noEmit --strict` (and the rest of tests/node/types/tsconfig.json) over `files`. */
async function tsc(files, name = files[0].replace(/\W/g, "_")) {
  const config = JSON.parse(fs.readFileSync(path.join(TYPES, "tsconfig.json"), "utf8"));
  assert.equal(config.compilerOptions.strict, true);
  assert.equal(config.compilerOptions.noEmit, true);
  fs.writeFileSync(path.join(tmp, `tsconfig.${name}.json`), JSON.stringify({ ...config, files }));
  return run(process.execPath, [TSC, "-p", `tsconfig.${name}.json`, "--pretty", "false"], { cwd: tmp, timeoutMs: 120000 });
}

const samples = fs.readdirSync(SAMPLES).filter((f) => f.endsWith(".json")).sort();

test("the existing consumer (tests/node/types/consumer.ts) type-checks against js/types.d.ts", async () => {
  const r = await tsc(["consumer.ts"]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

test("events.ts: correct events compile, and every mistake under @ts-expect-error fails", async () => {
  const text = fs.readFileSync(path.join(TYPES, "events.ts"), "utf8");
  assert.ok(text.split("\n").filter((l) => l.includes("// @ts-expect-error")).length >= 35);
  const r = await tsc(["events.ts"]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

test("events.ts without its @ts-expect-error directives: each of those lines is an error", async () => {
  const lines = fs.readFileSync(path.join(TYPES, "events.ts"), "utf8").split("\n");
  const expected = lines.flatMap((l, i) => (/^\s*\/\/ @ts-expect-error/.test(l) ? [i + 2] : []));
  fs.writeFileSync(path.join(tmp, "events-bare.ts"), lines.map((l) => l.replace(/\/\/ @ts-expect-error.*/, "// (expected)")).join("\n"));
  const r = await tsc(["events-bare.ts"]);
  const failing = new Set([...r.stdout.matchAll(/^events-bare\.ts\((\d+),\d+\): error/gm)].map((m) => Number(m[1])));
  assert.deepEqual(expected.filter((n) => !failing.has(n)), [], "lines that compile without their directive");
  assert.deepEqual([...failing].filter((n) => !expected.includes(n)), [], r.stdout);
});

test("every samples/events/*.json type-checks as a WebhookEvent literal", async () => {
  assert.equal(samples.length, 12);
  const out = ['import type { WebhookEvent } from "ls-webhooks";'];
  for (const f of samples) {
    const text = fs.readFileSync(path.join(SAMPLES, f), "utf8").trim();
    assert.equal(JSON.parse(text).action, path.basename(f, ".json"));
    // The JSON text itself, so ints past 2^53 (label_config_hash) are written as they are.
    out.push(`export const ${path.basename(f, ".json")}: WebhookEvent = ${text};`);
  }
  fs.writeFileSync(path.join(tmp, "samples.ts"), out.join("\n") + "\n");
  const r = await tsc(["samples.ts"]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

test("each sample with an unknown field in its instance row fails to type-check", async () => {
  const out = ['import type { WebhookEvent } from "ls-webhooks";'];
  for (const f of samples) {
    const event = JSON.parse(fs.readFileSync(path.join(SAMPLES, f), "utf8"));
    const row = Array.isArray(event.instance) ? event.instance[0] : event.instance;
    assert.equal(typeof row, "object", f);
    row.not_a_field = 1;
    out.push("// @ts-expect-error: not a field of the row", `export const ${path.basename(f, ".json")}: WebhookEvent = ${JSON.stringify(event)};`);
  }
  fs.writeFileSync(path.join(tmp, "samples-bad.ts"), out.join("\n") + "\n");
  const r = await tsc(["samples-bad.ts"]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

test("the instance type of each action follows the registry: many, serializer, nested rows, organization-only", async () => {
  const lib = createRequire(import.meta.url)(path.join(ROOT, "pkg"));
  const ROW = { project: "ProjectRow", task: "TaskRow", annotation: "AnnotationRow", label_link: "LabelLinkRow", label: "LabelRow", only_id: "IdRow" };
  const out = [
    'import type { ActionEvent, AnnotationRow, IdRow, InstanceByAction, LabelLinkRow, LabelRow, ProjectRow, TaskRow } from "ls-webhooks";',
    "type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends (<T>() => T extends Y ? 1 : 2) ? true : false;",
    "type Elem<T> = T extends readonly (infer E)[] ? E : T;",
    "type IsList<T> = T extends readonly unknown[] ? true : false;",
    "type Project<A extends keyof InstanceByAction> = NonNullable<ActionEvent<A>[\"project\"]>;",
  ];
  const actions = lib.actions();
  assert.equal(actions.length, 12);
  for (const a of actions) {
    const I = `InstanceByAction["${a.action}"]`;
    out.push(`export const ${a.action}_many: IsList<${I}> = ${a.many};`);
    // The row type is the serializer's, with each nested field the nested serializer's full row.
    const nested = a.nestedFields.map((n) => `${n.key}: ${ROW[n.serializer]}`);
    const row = nested.length ? `Omit<${ROW[a.serializer]}, ${a.nestedFields.map((n) => `"${n.key}"`).join(" | ")}> & { ${nested.join("; ")} }` : ROW[a.serializer];
    out.push(`export const ${a.action}_row: Equal<{ [K in keyof Elem<${I}>]: Elem<${I}>[K] }, { [K in keyof (${row})]: (${row})[K] }> = true;`);
    out.push(`export const ${a.action}_project: Equal<Project<"${a.action}">, ${a.organizationOnly ? "never" : "ProjectRow"}> = true;`);
  }
  out.push("export type { AnnotationRow, LabelLinkRow, LabelRow, TaskRow, IdRow, ProjectRow };");
  fs.writeFileSync(path.join(tmp, "registry.ts"), out.join("\n") + "\n");
  const r = await tsc(["registry.ts"]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

test("js/types.d.ts has no any, and no open index signature on a row or webhook type", () => {
  const code = fs.readFileSync(path.join(ROOT, "js", "types.d.ts"), "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
  assert.doesNotMatch(code, /\bany\b/);
  for (const t of ["ProjectRow", "TaskRow", "AnnotationRow", "LabelRow", "LabelLinkRow", "LabelLinkWithLabelRow", "Webhook"]) {
    const body = new RegExp(`export interface ${t}\\b[^{]*\\{([\\s\\S]*?)\\n\\}`).exec(code);
    assert.ok(body, t);
    assert.doesNotMatch(body[1], /(?:^|;)\s*\[\s*\w+\s*:\s*string\s*\]\s*:/m, t);
  }
});
