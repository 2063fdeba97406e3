// parseWebhook against the JSON Schemas (issue 14): docs/schemas/*.json through Ajv and parseWebhook
// must give the same verdict on every body, accepted or refused. Bodies: every delivery the library
// builds from samples/events/*.json and every body captured from Label Studio 1.23.2
// (tests/fixtures/label-studio-1.23.2, custom emits aside), all of which both accept, and many mutations
// of them (a key dropped or added, an action unknown, a field of another type, null where it is not
// nullable, an empty list, a bad datetime or UUID, rows broken, odd numbers and strings), each one
// change away from an accepted body.
//
// How paths are compared, for a body both refuse: each Ajv error (allErrors) points at a location, its
// `instancePath`, plus the key for `required` (the missing property) and `additionalProperties` (the
// extra one); errors of the action-only branch are left out when the body has more keys than `action`
// (the payload branch is the one that explains it), and the `oneOf` summary is left out. parseWebhook's
// `path` (`tasks[0].created_at`) is read as a JSON Pointer (`/tasks/0/created_at`) and must equal one of
// those locations or be the parent of one. A body with no known action is judged by every schema (Ajv
// accepts it when one of them does), the locations of all of them counting.
//
// Ints past 2^53: every body parseWebhook accepts must come back exactly as an independent reading of
// its text gives it (tests/node/ordered-json.mjs): integers past 2^53 as BigInt with all their digits.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { test } from "node:test";
import { Num, Obj, parse as parseExact, stringify as stringifyExact } from "./ordered-json.mjs";
import { ROOT, run } from "./loopback.mjs";

const require = createRequire(import.meta.url);
const lib = require(path.join(ROOT, "pkg"));
const Ajv2020 = require("ajv/dist/2020");
const SAMPLES = path.join(ROOT, "samples", "events");
const FIXTURES = path.join(ROOT, "tests", "fixtures", "label-studio-1.23.2");
const SCHEMAS = path.join(ROOT, "docs", "schemas");

const actions = lib.actions();
const actionNames = actions.map((a) => a.action);
const sers = Object.fromEntries(lib.serializers().map((s) => [s.id, s]));
const schemaFiles = Object.fromEntries(actionNames.map((a) => [a, JSON.parse(fs.readFileSync(path.join(SCHEMAS, `${a}.json`), "utf8"))]));
const ajv = new Ajv2020({ keywords: ["x-key-order"], allErrors: true });
const validators = Object.fromEntries(Object.entries(schemaFiles).map(([a, s]) => [a, ajv.compile(s)]));

// ---- The two verdicts.

const TWO_53 = 2n ** 53n;

/** The body as JSON.parse reads it, but integers past 2^53 as exact BigInts (the oracle for parseWebhook). */
function exactValue(v) {
  if (v instanceof Obj) {
    const o = {};
    for (const [k, x] of v.entries) Object.defineProperty(o, k, { value: exactValue(x), enumerable: true, writable: true, configurable: true });
    return o;
  }
  if (Array.isArray(v)) return v.map(exactValue);
  if (v instanceof Num) {
    if (/^-?\d+$/.test(v.text)) {
      const b = BigInt(v.text);
      if (b > TWO_53 || b < -TWO_53) return b;
    }
    return Number(v.text);
  }
  return v;
}

function locationsOf(errors, manyKeys) {
  const out = [];
  for (const e of errors ?? []) {
    if (e.keyword === "oneOf") continue;
    if (manyKeys && e.schemaPath.startsWith("#/$defs/action_only")) continue;
    if (e.keyword === "required") out.push(`${e.instancePath}/${e.params.missingProperty}`);
    else if (e.keyword === "additionalProperties") out.push(`${e.instancePath}/${e.params.additionalProperty}`);
    else out.push(e.instancePath);
  }
  return out;
}

/** Ajv's verdict on the text (parsed by JSON.parse), with the locations its errors point at. */
function ajvVerdict(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, locations: [""], syntax: true };
  }
  const manyKeys = value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 1;
  const own = value && typeof value === "object" && typeof value.action === "string" && validators[value.action];
  const which = own ? [value.action] : actionNames;
  const locations = [];
  for (const a of which) {
    if (validators[a](value)) return { ok: true, locations: [] };
    locations.push(...locationsOf(validators[a].errors, manyKeys));
  }
  return { ok: false, locations: [...new Set(locations)] };
}

/** parseWebhook's verdict: the value, or the error's code and path (as a JSON Pointer). */
function parseVerdict(text) {
  try {
    return { ok: true, value: lib.parseWebhook(text) };
  } catch (e) {
    if (typeof e.code !== "string") throw e;
    return { ok: false, code: e.code, path: e.path, pointer: pointer(e.path), detail: e.detail };
  }
}

/** `tasks[0].created_at` -> `/tasks/0/created_at`; "" -> "". */
function pointer(p) {
  if (p === "") return "";
  return "/" + p.replace(/\[(\d+)\]/g, ".$1").replace(/^\./, "").split(".").join("/");
}

const parentOf = (loc) => loc.slice(0, loc.lastIndexOf("/"));

/**
 * Compares the two verdicts on `text`, a body made from the one at `where` by `change` (at `target`, a
 * field path or "" for the body); tallies, and records a disagreement under its kind.
 */
function judge(text, { where, target = "", change = "as sent" }, tally) {
  const a = ajvVerdict(text);
  const p = parseVerdict(text);
  tally.total++;
  const disagree = (kind, why) => {
    const group = tally.disagreements.get(kind) ?? { count: 0, examples: [] };
    group.count++;
    const cut = (x) => (x.length > 160 ? `${x.slice(0, 150)}…(${x.length} chars)` : x);
    if (group.examples.length < 2) group.examples.push(`${where}: ${cut(target)} ${change}: ${why.replace(/"[^"]{160,}"/g, cut)}`);
    tally.disagreements.set(kind, group);
  };
  // The one documented limit: JSON nested deeper than 1000 levels is refused (docs/bad-input.md
  // B04: the reader's limit; CPython's encoder could not have written it either).
  if (a.ok && !p.ok && /deeper than 1000 levels/.test(p.detail ?? "")) {
    tally.depthLimit++;
    return;
  }
  if (a.ok !== p.ok) {
    const why = `Ajv ${a.ok ? "accepts" : `refuses at ${a.locations.join(", ")}`}, parseWebhook ${p.ok ? "accepts" : `refuses at "${p.path}" (${p.detail})`}`;
    return disagree(`${change}: Ajv ${a.ok ? "accepts" : "refuses"}, parseWebhook ${p.ok ? "accepts" : "refuses"}`, why);
  }
  if (p.ok) {
    tally.accepted++;
    try {
      const exact = exactValue(parseExact(text));
      // A float field is a Python float: a Number however large its integer text (a BigInt elsewhere).
      if (change.startsWith("(float)") && target) floatAt(exact, pointer(target));
      assert.deepStrictEqual(p.value, exact);
    } catch {
      disagree(`${change}: parseWebhook's value is not the body's exact value`, "");
    }
    return;
  }
  tally.refused++;
  if (p.code !== "INVALID_BODY") return disagree(`${change}: parseWebhook threw ${p.code}`, p.detail);
  if (a.locations.includes(p.pointer)) {
    tally.samePath++;
  } else if (a.locations.some((l) => parentOf(l) === p.pointer)) {
    tally.parentPath++;
  } else {
    disagree(`${change}: both refuse, at different places`, `parseWebhook at "${p.path}", Ajv at ${a.locations.join(", ")}`);
  }
}

function newTally() {
  return { total: 0, accepted: 0, refused: 0, samePath: 0, parentPath: 0, depthLimit: 0, disagreements: new Map() };
}

/** The value at JSON Pointer `ptr` in `obj` made a Number (from a BigInt). */
function floatAt(obj, ptr) {
  const keys = ptr.split("/").slice(1);
  const last = keys.pop();
  const parent = keys.reduce((o, k) => o?.[k], obj);
  if (parent && typeof parent[last] === "bigint") parent[last] = Number(parent[last]);
}

function assertAgreement(t, name, tally) {
  const groups = [...tally.disagreements.entries()].sort((x, y) => y[1].count - x[1].count);
  const count = groups.reduce((n, [, g]) => n + g.count, 0);
  t.diagnostic(`${name}: ${tally.total} bodies, ${tally.accepted} accepted by both, ${tally.refused} refused by both ` +
    `(parseWebhook's path: ${tally.samePath} the same as Ajv's, ${tally.parentPath} its parent), ` +
    `${tally.depthLimit} past the documented 1000-level limit, ${count} disagreements`);
  assert.ok(tally.total > 0);
  const report = groups.map(([kind, g]) => `- ${kind} (${g.count}), e.g.\n    ${g.examples.join("\n    ")}`).join("\n");
  assert.equal(count, 0, `${count} of ${tally.total} bodies where parseWebhook and the schemas disagree, by kind of change:\n${report}`);
}

// ---- The bodies.

function sampleBodies() {
  return actionNames.flatMap((a) => lib.buildDeliveries(new Uint8Array(fs.readFileSync(path.join(SAMPLES, `${a}.json`))))
    .deliveries.map((d) => ({ where: `samples/events/${a}.json webhook ${d.webhookId}`, body: d.body })));
}

function capturedBodies() {
  const out = [];
  for (const f of fs.readdirSync(FIXTURES).filter((x) => x.endsWith(".json")).sort()) {
    for (const [i, e] of JSON.parse(fs.readFileSync(path.join(FIXTURES, f), "utf8")).emissions.entries()) {
      // A custom emit (emit_webhooks with a caller's payload) sends what the caller made: not a typed body.
      if (e.event.payload !== undefined) continue;
      for (const d of e.deliveries) out.push({ where: `${f} emission ${i} webhook ${d.webhookId}`, body: d.body });
    }
  }
  return out;
}

const ALL = [...sampleBodies(), ...capturedBodies()];
/** Distinct bodies, each parsed exactly (key order, number text, duplicates kept). */
const DISTINCT = [...new Map(ALL.map((b) => [b.body, b])).values()].map((b) => ({ ...b, tree: parseExact(b.body) }));

// ---- Mutations: each returns [label, text] pairs for one body.

const set = (obj, key, value) => {
  const i = obj.entries.findIndex(([k]) => k === key);
  return new Obj(i < 0 ? [...obj.entries, [key, value]] : obj.entries.map((e, j) => (j === i ? [key, value] : e)));
};
const drop = (obj, key) => new Obj(obj.entries.filter(([k]) => k !== key));
const actionOf = (body) => body.get("action");
const n = (text) => new Num(text);

/** The body's keys with their schema: [{key, prop, ser, list}] (`action` left out). */
function keysOf(body) {
  const s = schemaFiles[actionOf(body)].$defs.payload;
  return body.entries.filter(([k]) => k !== "action").map(([k, v]) => {
    const prop = s.properties[k];
    return { key: k, value: v, list: prop.type === "array", ser: sers[(prop.items ?? prop).$ref.replace("#/$defs/", "")], required: s.required.includes(k) };
  });
}

/** Lists cut to their first `max` items: a smaller batch, still a body Label Studio sends. */
function truncated(body, max = 2) {
  return body.map((k, v) => [k, Array.isArray(v) ? v.slice(0, max) : v]);
}

/** Every row of the body with a function that puts a replacement back: [{where, row, ser, put}]. */
function rowsOf(body) {
  const out = [];
  for (const { key, value, list, ser } of keysOf(body)) {
    if (list) {
      value.forEach((row, i) => out.push({ where: `${key}[${i}]`, row, ser, put: (r) => set(body, key, value.map((x, j) => (j === i ? r : x))) }));
    } else {
      out.push({ where: key, row: value, ser, put: (r) => set(body, key, r) });
    }
  }
  return out;
}

const JSON_KINDS = [["a string", '"1"'], ["an int", "1"], ["a float", "1.5"], ["true", "true"], ["null", "null"], ["[]", "[]"], ["{}", "{}"]];

const m = (target, change, text) => ({ target, change, text });

function* bodyMutations(body) {
  const text = (t) => stringifyExact(t);
  const action = actionOf(body);
  const only = body.entries.length === 1 ? "(action only) " : "";
  for (const [k] of body.entries) yield m("", `${only}without ${k === "action" ? k : "a payload key"}`, text(drop(body, k)));
  yield m("", `${only}an unknown key`, text(set(body, "not_a_key", 1)));
  yield m("", `${only}a __proto__ key`, text(set(body, "__proto__", new Obj([["x", 1]]))));
  yield m("", `${only}action given twice, the last unknown`, text(new Obj([...body.entries, ["action", "NOPE"]])));
  yield m("", `${only}action given twice, the first unknown`, text(new Obj([["action", "NOPE"], ...body.entries])));
  for (const other of ["TASK_CREATED", "ANNOTATION_DELETED", action.toLowerCase(), `${action} `, ""]) yield m("", `${only}action unknown`, text(set(body, "action", other)));
  for (const [what, v] of [["1", n("1")], ["null", null], ["true", true], ["a list", [action]], ["an object", new Obj([["action", action]])]]) {
    yield m("", `${only}action ${what}`, text(set(body, "action", v)));
  }
  for (const other of actionNames.filter((a) => a !== action)) yield m("", `${only}action renamed`, text(set(body, "action", other)));
  yield m("", "action only, and an unknown key", text(new Obj([["action", action], ["extra", true]])));
  for (const [what, whole] of [["[]", "[]"], ["null", "null"], ["a string", '"TASKS_CREATED"'], ["a number", "1"], ["a list of the body", `[${text(body)}]`]]) {
    yield m("", `the body ${what}`, whole);
  }
}

function* listMutations(body) {
  const text = (t) => stringifyExact(t);
  for (const { key, value, list } of keysOf(body)) {
    if (list) {
      yield m(key, "empty", text(set(body, key, [])));
      yield m(key, "one row, not a list", text(set(body, key, value[0])));
      yield m(key, "with a null item", text(set(body, key, [...value, null])));
      yield m(key, "with an id item", text(set(body, key, [...value, n("1")])));
      yield m(key, "with an empty row", text(set(body, key, [...value, new Obj()])));
      yield m(key, "with a list item", text(set(body, key, [...value, [value[0]]])));
    } else {
      yield m(key, "a list of the row", text(set(body, key, [value])));
    }
    for (const [what, v] of [["null", null], ["an id", n("1")], ["a string", "x"], ["an empty object", new Obj()], ["true", true]]) {
      yield m(key, what, text(set(body, key, v)));
    }
  }
}

/** What a field of each kind is given beyond the JSON kinds: [label, value text, needs-escape-free?]. */
const KIND_VALUES = {
  int: [["past 2^53", "123456789012345678901234567890"], ["minus past 2^53", "-9007199254740993"], ["2^53", "9007199254740992"],
    ["1.0", "1.0"], ["1e2", "1e2"], ["-0", "-0"], ["-0.0", "-0.0"], ["1E400", "1E400"], ["1.5e300", "1.5e300"]],
  float: [["12 (an int)", "12"], ["an int past 2^53", "9007199254740993"], ["1e400", "1e400"], ["-1e400", "-1e400"], ["-0.0", "-0.0"], ["5e-324", "5e-324"], ["1e+16", "1e+16"]],
  date_time: [["with +00:00", '"2026-11-26T09:12:03.114852+00:00"'], ["with a space", '"2026-11-26 09:12:03Z"'], ["milliseconds", '"2026-11-26T09:12:03.114Z"'],
    ["no zone", '"2026-11-26T09:12:03"'], ["seven digits", '"2026-11-26T09:12:03.1148520Z"'], ["a date", '"2026-11-26"'], ["empty", '""'],
    ["lowercase z", '"2026-11-26T09:12:03z"'], ["escaped", '"2026-11-26T09:12:03\\u002e114852Z"'], ["month 13", '"2026-13-45T99:99:99Z"'],
    ["fullwidth digit", '"２026-11-26T09:12:03Z"'], ["no seconds", '"2026-11-26T09:12Z"']],
  uuid: [["uppercase", '"4D7E093A-12A8-494F-86BB-490D2FF20840"'], ["no dashes", '"4d7e093a12a8494f86bb490d2ff20840"'],
    ["braces", '"{4d7e093a-12a8-494f-86bb-490d2ff20840}"'], ["urn", '"urn:uuid:4d7e093a-12a8-494f-86bb-490d2ff20840"'], ["empty", '""'],
    ["valid", '"4d7e093a-12a8-494f-86bb-490d2ff20840"'], ["escaped", '"4d7e093a\\u002d12a8-494f-86bb-490d2ff20840"'], ["non-hex", '"4d7e093a-12a8-494f-86bb-490d2ff2084g"']],
  str: [["escapes", '"caf\\u00e9 \\ud83d\\ude00 \\"q\\" \\\\ \\n"'], ["a lone surrogate", '"\\ud800"'], ["NUL", '"a\\u0000b"'], ["empty", '""'], ["raw UTF-8", '"été ✓"']],
  many_to_many: [["empty", "[]"], ["a string id", '[1, "2"]'], ["a null id", "[null]"], ["a float id", "[1.5]"], ["a row", '[{"id": 1}]'],
    ["past 2^53", "[123456789012345678901234567890]"], ["1.0", "[1.0]"], ["nested", "[[1]]"]],
  json: [["deep 900", "[".repeat(900) + "]".repeat(900)], ["deep 1100", "[".repeat(1100) + "]".repeat(1100)], ["a big int inside", '{"n": 123456789012345678901234567890, "m": [-9007199254740993]}'],
    ["1e400 inside", '{"x": 1e400}'], ["a __proto__ key inside", '{"__proto__": {"polluted": true}}'], ["duplicate keys inside", '{"a": 1, "a": 2}'],
    ["a lone surrogate inside", '["\\udc00"]']],
};
KIND_VALUES.foreign_key = KIND_VALUES.int;

/** Puts raw JSON text in place of the row's field `name` (the text of the whole body, exactly). */
function withRaw(put, row, name, raw) {
  const marker = "\u0000RAW\u0000";
  return stringifyExact(put(set(row, name, marker))).replace(JSON.stringify(marker), raw);
}

function shapeOf(v) {
  if (v instanceof Num) return /^-?\d+$/.test(v.text) ? (v.text.replace("-", "").length > 15 ? "bigint" : "int") : "float";
  if (v instanceof Obj) return "object";
  if (Array.isArray(v)) return v.length ? "list" : "empty list";
  return v === null ? "null" : typeof v;
}

function* rowMutations(body, seenRows) {
  for (const { where, row, ser, put } of rowsOf(truncated(body))) {
    if (!(row instanceof Obj)) continue;
    // Each shape of row (which fields it has, and the JSON type of each value) once per action and
    // place, in the first body that carries it: rows of one shape differ only in values both sides
    // already accepted.
    const key = `${actionOf(body)} ${where} ${row.entries.map(([k, v]) => `${k}:${shapeOf(v)}`).join(",")}`;
    if (seenRows.has(key)) continue;
    seenRows.add(key);
    const text = (r) => stringifyExact(put(r));
    yield m(where, "an unknown field", text(set(row, "not_a_field", 1)));
    yield m(where, "a __proto__ field", text(set(row, "__proto__", n("1"))));
    yield m(where, "an empty row", text(new Obj()));
    for (const f of ser.fields) {
      const at = `${where}.${f.name}`;
      const kind = `(${f.kind}${f.nullable ? ", nullable" : ""}${f.optional ?? f.declaredReadOnly ? ", only when present" : ""})`;
      yield m(at, `${kind} dropped`, text(drop(row, f.name)));
      for (const [what, raw] of JSON_KINDS) yield m(at, `(${f.kind}${f.nullable ? ", nullable" : ""}) = ${what}`, withRaw(put, row, f.name, raw));
      for (const [what, raw] of KIND_VALUES[f.kind] ?? []) yield m(at, `(${f.kind}) = ${what}`, withRaw(put, row, f.name, raw));
      if (row.get(f.name) !== undefined) {
        yield m(at, "given twice, the first a string", stringifyExact(put(new Obj([[f.name, "x"], ...row.entries]))));
        yield m(at, "given twice, the last a string", stringifyExact(put(new Obj([...row.entries, [f.name, "x"]]))));
      }
    }
  }
}

// ---- The tests.

test("every body of the samples and of the captures: both accept it, and parseWebhook returns it exactly (BigInt past 2^53)", (t) => {
  const tally = newTally();
  let bigInts = 0;
  for (const { where, body } of ALL) {
    judge(body, { where }, tally);
    bigInts += (body.match(/[:\[,] -?\d{17,}(?=[,\]}])/g) ?? []).length;
  }
  assertAgreement(t, "original bodies", tally);
  assert.equal(tally.accepted, ALL.length, "every original body is accepted");
  assert.ok(ALL.length >= 150 && bigInts > 50, `${ALL.length} bodies, ${bigInts} ints past 2^53`);
  // The values past 2^53 are BigInts with every digit: label_config_hash, as Label Studio writes it.
  const { body } = ALL.find((b) => /"label_config_hash": \d{19}/.test(b.body));
  const digits = /"label_config_hash": (\d+)/.exec(body)[1];
  const parsed = lib.parseWebhook(body);
  assert.equal(typeof parsed.project.label_config_hash, "bigint");
  assert.equal(parsed.project.label_config_hash, BigInt(digits));
  // Bytes and strings alike.
  assert.deepEqual(lib.parseWebhook(new TextEncoder().encode(body)), parsed);
  assert.deepEqual(lib.parseWebhook(Buffer.from(body)), parsed);
});

test("checkBody: false takes any JSON exactly: the custom emits' bodies, and what the check refuses", () => {
  let custom = 0;
  for (const f of fs.readdirSync(FIXTURES).filter((x) => x.endsWith(".json")).sort()) {
    for (const e of JSON.parse(fs.readFileSync(path.join(FIXTURES, f), "utf8")).emissions) {
      if (e.event.payload === undefined) continue;
      for (const d of e.deliveries) {
        assert.deepStrictEqual(lib.parseWebhook(d.body, { checkBody: false }), exactValue(parseExact(d.body)), f);
        custom++;
      }
    }
  }
  assert.ok(custom > 0);
  for (const text of ['{"action": "NOPE", "n": 123456789012345678901}', "[1, -9007199254740993]", "123456789012345678901", '"x"']) {
    assert.deepStrictEqual(lib.parseWebhook(text, { checkBody: false }), exactValue(parseExact(text)), text);
  }
  assert.equal(code(() => lib.parseWebhook("[1", { checkBody: false })).split(" ")[0], "INVALID_BODY");
});

const FAMILIES = [
  ["the body and its keys: a key dropped or added, the action unknown, of another type or another action's, not an object",
    (tree) => bodyMutations(tree)],
  ["lists and rows as wholes: empty, one for many, many for one, null, an id, a string, an empty row",
    (tree) => listMutations(truncated(tree, 3))],
  ["fields: dropped, of every JSON type, null, odd numbers, datetimes, UUIDs, strings, JSON fields, ids, given twice",
    (tree, seenRows) => rowMutations(tree, seenRows)],
];

for (const [name, mutations] of FAMILIES) {
  test(`mutations: ${name}: parseWebhook and the schemas agree, paths included`, (t) => {
    const tally = newTally();
    const seenRows = new Set();
    for (const { where, tree } of DISTINCT) {
      for (const { target, change, text } of mutations(tree, seenRows)) judge(text, { where, target, change }, tally);
    }
    assertAgreement(t, name, tally);
  });
}

test("float fields come back as numbers, as the body types say (an int past 2^53 there is a float to Python)", (t) => {
  const floats = Object.values(sers).flatMap((s) => s.fields.filter((f) => f.kind === "float").map((f) => ({ ser: s.id, name: f.name })));
  assert.ok(floats.length >= 2, "task.precomputed_agreement, annotation.lead_time");
  const wrong = [];
  let checked = 0;
  for (const { where, tree } of DISTINCT.filter((b) => b.tree.entries.length > 1)) {
    for (const { where: at, row, ser, put } of rowsOf(truncated(tree, 1))) {
      for (const f of floats.filter((x) => x.ser === ser.id)) {
        for (const raw of ["12", "1e+16", "9007199254740993", "-123456789012345678901"]) {
          const text = withRaw(put, row, f.name, raw);
          const p = parseVerdict(text);
          if (!p.ok) continue; // refusals are the agreement tests' business
          checked++;
          const value = lib.parseWebhook(text);
          const got = value[at.replace(/\[\d+\]$/, "")];
          const r = Array.isArray(got) ? got[0] : got;
          if (typeof r[f.name] !== "number") wrong.push(`${where}: ${at}.${f.name} = ${raw} came back as a ${typeof r[f.name]}`);
        }
      }
    }
  }
  t.diagnostic(`${checked} float fields given integer text, ${wrong.length} not numbers`);
  assert.ok(checked > 50);
  assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} float fields came back as BigInt: the types (js/bodies.d.ts) say number`);
});

// ---- Signed deliveries (docs/events.md, "Signed deliveries"): the recipes the docs give.

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OTHER = "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/** A sample event's text with `options` spliced in (the exact path: ints past 2^53 kept). */
function signedPlan(action, signing) {
  const text = fs.readFileSync(path.join(SAMPLES, `${action}.json`), "utf8").trim();
  assert.ok(!/"options"\s*:/.test(text));
  return lib.buildDeliveries(text.replace(/\}$/, `, "options": ${JSON.stringify({ signing })}}`));
}

function code(fn) {
  try {
    fn();
  } catch (e) {
    return `${e.code} ${e.path}`;
  }
  return "no error";
}

test("signed deliveries verify with verifyWebhook, in every form of headers and body the docs name", () => {
  const now = Math.floor(Date.now() / 1000);
  const plan = signedPlan("ANNOTATION_CREATED", { secret: SECRET, id: "evt-42", timestamp: now });
  assert.ok(plan.deliveries.length >= 2);
  for (const d of plan.deliveries) {
    const names = Object.keys(d.headers);
    assert.deepEqual(names.slice(-3), ["webhook-id", "webhook-timestamp", "webhook-signature"], "after Label Studio's own headers");
    assert.equal(d.headers["webhook-id"], `evt-42_${d.webhookId}_0`);
    assert.equal(d.headers["webhook-timestamp"], String(now));
    const want = lib.parseWebhook(d.body);
    const lower = Object.fromEntries(Object.entries(d.headers).map(([k, v]) => [k.toLowerCase(), v]));
    for (const headers of [d.headers, lower, new Headers(d.headers), Object.entries(d.headers)]) {
      for (const body of [d.body, Buffer.from(d.body), new TextEncoder().encode(d.body).buffer]) {
        assert.deepEqual(lib.verifyWebhook({ headers, body, secret: SECRET }), want);
      }
    }
    assert.deepEqual(lib.verifyWebhook({ headers: lower, body: d.body, secret: [OTHER, SECRET] }), want, "key rotation");
    assert.equal(code(() => lib.verifyWebhook({ headers: lower, body: d.body.replace("}", " }"), secret: SECRET })), "SIGNATURE_MISMATCH webhook-signature");
    assert.equal(code(() => lib.verifyWebhook({ headers: lower, body: d.body, secret: OTHER })), "SIGNATURE_MISMATCH webhook-signature");
    assert.equal(code(() => lib.verifyWebhook({ headers: { ...lower, "webhook-signature": undefined }, body: d.body, secret: SECRET })), "MISSING_HEADER webhook-signature");
    assert.equal(code(() => lib.verifyWebhook({ headers: lower, body: d.body, secret: SECRET, now: now + 301 })), "TIMESTAMP_OUT_OF_TOLERANCE webhook-timestamp");
    assert.deepEqual(lib.verifyWebhook({ headers: lower, body: d.body, secret: SECRET, now: new Date((now + 300) * 1000) }), want);
    assert.deepEqual(lib.verifyWebhook({ headers: lower, body: d.body, secret: SECRET, now: now + 3600, toleranceSeconds: 3600 }), want);
    assert.equal(code(() => lib.verifyWebhook({ headers: lower, body: d.body, secret: "not a secret!" })), "INVALID_ARGUMENT secret");
    // signWebhook, as a queue's worker re-signs: the same three headers for the same id and time, and
    // with a fresh timestamp, a delivery that passes again where the old one is too old.
    const three = Object.fromEntries(names.slice(-3).map((k) => [k, d.headers[k]]));
    assert.deepEqual({ ...lib.signWebhook({ id: d.headers["webhook-id"], body: d.body, secret: SECRET, timestamp: now }) }, three);
    assert.deepEqual({ ...lib.signWebhook({ id: d.headers["webhook-id"], body: Buffer.from(d.body), secret: SECRET, timestamp: now }) }, three);
    const later = now + 3600;
    const resigned = { ...lower, ...lib.signWebhook({ id: d.headers["webhook-id"], body: d.body, secret: SECRET, timestamp: later }) };
    assert.equal(code(() => lib.verifyWebhook({ headers: lower, body: d.body, secret: SECRET, now: later })), "TIMESTAMP_OUT_OF_TOLERANCE webhook-timestamp");
    assert.deepEqual(lib.verifyWebhook({ headers: resigned, body: d.body, secret: SECRET, now: later }), want);
  }
  // Without an id: msg_ and 32 hex digits, the same when the event is built again.
  const again = () => signedPlan("TASKS_CREATED", { secret: SECRET, timestamp: now }).deliveries.map((d) => d.headers["webhook-id"]);
  const ids = again();
  for (const id of ids) assert.match(id, /^msg_[0-9a-f]{32}$/);
  assert.deepEqual(again(), ids);
  assert.equal(new Set(ids).size, ids.length);
});

test("a signed body that is not one Label Studio sends: the signature passes, parseWebhook refuses (INVALID_BODY)", async () => {
  let Webhook;
  try {
    ({ Webhook } = require("standardwebhooks"));
  } catch {
    return; // checked by the next test's skip
  }
  const body = '{"action": "TASKS_CREATED", "tasks": []}';
  const when = new Date();
  const headers = { "webhook-id": "msg_x", "webhook-timestamp": String(Math.floor(when / 1000)), "webhook-signature": new Webhook(SECRET).sign("msg_x", when, body) };
  assert.equal(code(() => lib.verifyWebhook({ headers, body, secret: SECRET })), "INVALID_BODY tasks");
});

test("the npm standardwebhooks package verifies them as the docs show (and signs what verifyWebhook accepts)", (t) => {
  let Webhook;
  try {
    ({ Webhook } = require("standardwebhooks"));
  } catch {
    t.skip("the npm package standardwebhooks is not installed (a devDependency)");
    return;
  }
  const plan = signedPlan("TASKS_CREATED", { secrets: { 1: SECRET, 2: OTHER } });
  assert.ok(plan.warnings.some((w) => w.code === "UNSIGNED"), "webhook 3 has no secret");
  let signed = 0;
  for (const d of plan.deliveries) {
    const secret = { 1: SECRET, 2: OTHER }[d.webhookId];
    if (!secret) {
      assert.equal(d.headers["webhook-signature"], undefined);
      continue;
    }
    const lower = Object.fromEntries(Object.entries(d.headers).map(([k, v]) => [k.toLowerCase(), v]));
    assert.deepEqual(new Webhook(secret).verify(d.body, lower), JSON.parse(d.body));
    assert.throws(() => new Webhook(secret === SECRET ? OTHER : SECRET).verify(d.body, lower));
    signed++;
  }
  assert.equal(signed, 2);
  // The other way: a delivery signed by the reference library verifies here.
  const body = lib.buildDeliveries(fs.readFileSync(path.join(SAMPLES, "TASKS_DELETED.json"), "utf8")).deliveries[0].body;
  const when = new Date();
  const headers = { "webhook-id": "msg_2nX", "webhook-timestamp": String(Math.floor(when / 1000)), "webhook-signature": new Webhook(SECRET).sign("msg_2nX", when, body) };
  assert.deepEqual(lib.verifyWebhook({ headers, body, secret: SECRET }), lib.parseWebhook(body));
});

test("the PyPI standardwebhooks package verifies them as the docs show", async () => {
  // The receivers' venv that scripts/setup.sh makes (tools/receivers/.venv): its absence is a failure.
  const PY = path.join(ROOT, "tools", "receivers", ".venv", "bin", "python");
  assert.ok(fs.existsSync(PY), `${PY} is missing: bash scripts/setup.sh makes it`);
  const deliveries = signedPlan("ANNOTATION_CREATED", { secret: SECRET }).deliveries.filter((d) => d.body.includes('"project"'));
  assert.ok(deliveries.length >= 2);
  const script = [
    "import json, sys",
    "from standardwebhooks import Webhook",
    "deliveries = json.load(sys.stdin)",
    `wh = Webhook(${JSON.stringify(SECRET)})`,
    "print(json.dumps([wh.verify(d['body'].encode(), d['headers'])['project']['label_config_hash'] for d in deliveries]))",
  ].join("\n");
  const r = await run(PY, ["-c", script], { input: JSON.stringify(deliveries), timeoutMs: 20000 });
  assert.equal(r.code, 0, r.stderr);
  const hash = /"label_config_hash": (\d+)/.exec(deliveries[0].body)[1];
  assert.equal(r.stdout.trim(), `[${deliveries.map(() => hash).join(", ")}]`, "Python's ints are exact");
});
