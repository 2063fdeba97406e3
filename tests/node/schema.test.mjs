// The JSON Schemas of schemas() (and docs/schemas/) against real bodies: every
// body captured from a running Label Studio 1.23.2 and every body the library
// builds from the sample events must validate, keys in `x-key-order`; mutated
// bodies (a key removed, a type changed, an extra key) must not.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, "..", "..");
const lib = require(path.join(root, "pkg"));
const Ajv2020 = require("ajv/dist/2020");
const fixturesDir = path.join(root, "tests", "fixtures", "label-studio-1.23.2");

const schemas = lib.schemas();
const actionNames = lib.actions().map((a) => a.action);
const ajv = new Ajv2020({ keywords: ["x-key-order"], allErrors: true });
const validators = Object.fromEntries(Object.entries(schemas).map(([a, s]) => [a, ajv.compile(s)]));

function validate(body) {
  const v = validators[body.action];
  assert.ok(v, `no schema for action ${JSON.stringify(body.action)}`);
  const ok = v(body);
  return { ok, errors: v.errors };
}

function assertValid(body, where) {
  const { ok, errors } = validate(body);
  assert.ok(ok, `${where}: ${JSON.stringify(errors?.slice(0, 3), null, 1)}`);
}

function assertInvalid(body, where) {
  assert.equal(validate(body).ok, false, `${where}: a mutated body validated`);
}

const deref = (schema, node) => (node && node.$ref ? schema.$defs[node.$ref.replace("#/$defs/", "")] : node);

/** Checks that every object's keys come in its schema's `x-key-order`. */
function assertKeyOrder(schema, node, value, where) {
  node = deref(schema, node);
  if (!node || value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    if (node.type === "array") value.forEach((v, i) => assertKeyOrder(schema, node.items, v, `${where}[${i}]`));
    return;
  }
  if (!node["x-key-order"]) return;
  const keys = Object.keys(value);
  assert.deepEqual(keys, node["x-key-order"].filter((k) => keys.includes(k)), `${where}: key order`);
  for (const k of keys) assertKeyOrder(schema, node.properties[k], value[k], `${where}.${k}`);
}

function bodySchemaNode(body) {
  const s = schemas[body.action];
  return Object.keys(body).length === 1 ? s.$defs.action_only : s.$defs.payload;
}

function* fixtureBodies() {
  for (const f of fs.readdirSync(fixturesDir).filter((f) => f.endsWith(".json")).sort()) {
    const fixture = JSON.parse(fs.readFileSync(path.join(fixturesDir, f), "utf8"));
    for (const [i, e] of fixture.emissions.entries()) {
      for (const [j, d] of e.deliveries.entries()) {
        yield { where: `${f} emission ${i} delivery ${j} (webhook ${d.webhookId})`, event: e.event, body: d.body };
      }
    }
  }
}

test("the schemas compile under Ajv's strict draft 2020-12, one per action, the same as docs/schemas/", () => {
  assert.deepEqual(Object.keys(schemas).sort(), [...actionNames].sort());
  for (const a of actionNames) {
    assert.equal(schemas[a].$schema, "https://json-schema.org/draft/2020-12/schema");
    const file = JSON.parse(fs.readFileSync(path.join(root, "docs", "schemas", `${a}.json`), "utf8"));
    assert.deepEqual(file, schemas[a], `docs/schemas/${a}.json differs from schemas().${a}`);
  }
});

test("every body captured from Label Studio 1.23.2 validates against its action's schema, keys in order", () => {
  const seen = Object.fromEntries(actionNames.map((a) => [a, { payload: 0, actionOnly: 0 }]));
  let custom = 0;
  for (const { where, event, body } of fixtureBodies()) {
    // emit_webhooks(..., payload) sends a caller-made payload. Label Studio 1.23.2 never
    // calls it (only emit_webhooks_for_instance); the captures exercise it from a shell.
    if (event.payload !== undefined) {
      custom++;
      continue;
    }
    const parsed = JSON.parse(body);
    assertValid(parsed, where);
    assertKeyOrder(schemas[parsed.action], bodySchemaNode(parsed), parsed, where);
    seen[parsed.action][Object.keys(parsed).length > 1 ? "payload" : "actionOnly"]++;
  }
  for (const a of actionNames) assert.ok(seen[a].payload > 0, `no captured ${a} payload body was validated`);
  assert.ok(Object.values(seen).some((s) => s.actionOnly > 0), "no captured action-only body was validated");
  assert.ok(custom > 0, "the custom-emit captures were expected (and skipped)");
});

test("the action-only body of every action validates; with another action's name it does not", () => {
  for (const a of actionNames) {
    assertValid({ action: a }, a);
    const other = actionNames.find((x) => x !== a);
    assert.equal(validators[a]({ action: other }), false, `${a} accepted {"action": "${other}"}`);
    assertInvalid({ action: a, extra: 1 }, `${a} action-only + extra key`);
  }
});

function sampleBodies() {
  const out = [];
  for (const a of actionNames) {
    const event = fs.readFileSync(path.join(root, "samples", "events", `${a}.json`));
    const plan = lib.buildDeliveries(new Uint8Array(event));
    assert.ok(plan.deliveries.length > 0, `samples/events/${a}.json sends nothing`);
    for (const d of plan.deliveries) out.push({ action: a, where: `samples/events/${a}.json webhook ${d.webhookId}`, body: d.body });
  }
  return out;
}

test("every body built from samples/events/*.json validates, keys in order", () => {
  let payloads = 0;
  for (const { where, body } of sampleBodies()) {
    const parsed = JSON.parse(body);
    assertValid(parsed, where);
    assertKeyOrder(schemas[parsed.action], bodySchemaNode(parsed), parsed, where);
    if (Object.keys(parsed).length > 1) payloads++;
  }
  assert.ok(payloads >= actionNames.length);
});

const clone = (v) => structuredClone(v);

/** A value of another JSON type than any the field schema allows (null for none). */
function wrongValue(fieldSchema) {
  const types = [].concat(fieldSchema.type ?? []);
  if (types.length === 0) return null; // any JSON: nothing is wrong
  if (types.includes("integer")) return "1";
  if (types.includes("number")) return "1.5";
  if (types.includes("boolean")) return 1;
  if (types.includes("string")) return 7;
  if (types.includes("array")) return { not: "a list" };
  return null;
}

/** Each sample payload body, with its rows: [{path, row, def}] */
function rowsOf(action, body) {
  const s = schemas[action];
  const out = [];
  for (const [k, v] of Object.entries(body)) {
    const prop = s.$defs.payload.properties[k];
    if (k === "action") continue;
    if (Array.isArray(v)) out.push({ get: (b) => b[k][0], where: `${k}[0]`, def: deref(s, prop.items) });
    else out.push({ get: (b) => b[k], where: k, def: deref(s, prop) });
  }
  return out;
}

test("mutated bodies fail: a required key removed, a type changed, an extra key", () => {
  let mutations = 0;
  for (const a of actionNames) {
    const { body } = sampleBodies().find((x) => x.action === a && Object.keys(JSON.parse(x.body)).length > 1);
    const good = JSON.parse(body);
    const payload = schemas[a].$defs.payload;

    // Body level.
    for (const k of Object.keys(good)) {
      const b = clone(good);
      delete b[k];
      if (k === "action") {
        assert.equal(validators[a](b), false, `${a} without action`);
      } else if (Object.keys(b).length === 1) {
        assertValid(b, `${a} without ${k} is the action-only body`); // what send_payload false gets
      } else if (payload.required.includes(k)) {
        assertInvalid(b, `${a} without ${k}`);
      } else {
        assertValid(b, `${a} without the optional ${k}`); // TASKS_DELETED from delete-all
      }
      mutations++;
    }
    assertInvalid({ ...clone(good), extra: true }, `${a} + extra body key`);
    assert.equal(validators[a]({ ...clone(good), action: "TASK_CREATED" }), false, `${a} renamed TASK_CREATED`);
    const instKey = Object.keys(good)[1];
    assertInvalid({ ...clone(good), [instKey]: Array.isArray(good[instKey]) ? good[instKey][0] : [good[instKey]] }, `${a}: one/many shape swapped`);
    if (Array.isArray(good[instKey])) assertInvalid({ ...clone(good), [instKey]: [] }, `${a}: empty list`);
    mutations += 4;

    // Row level: every field of every row of the body.
    for (const { get, where, def } of rowsOf(a, good)) {
      for (const f of Object.keys(get(good))) {
        const fs_ = def.properties[f];
        const removed = clone(good);
        delete get(removed)[f];
        if (def.required.includes(f)) assertInvalid(removed, `${a} ${where} without ${f}`);
        else assertValid(removed, `${a} ${where} without the optional ${f}`);
        const wrong = wrongValue(fs_);
        if (wrong !== null) {
          const changed = clone(good);
          get(changed)[f] = wrong;
          assertInvalid(changed, `${a} ${where}.${f} = ${JSON.stringify(wrong)}`);
          mutations++;
        }
        if (fs_.pattern) {
          const changed = clone(good);
          get(changed)[f] = "2026-11-26T09:12:03.114852+00:00";
          assertInvalid(changed, `${a} ${where}.${f} not in the sent format`);
          mutations++;
        }
        if (fs_.type === "integer" || (Array.isArray(fs_.type) && !fs_.type.includes("null"))) {
          const nulled = clone(good);
          get(nulled)[f] = null;
          assertInvalid(nulled, `${a} ${where}.${f} = null (not nullable)`);
          mutations++;
        }
        mutations++;
      }
      const extra = clone(good);
      get(extra).not_a_field = 1;
      assertInvalid(extra, `${a} ${where} + extra field`);
      mutations++;
    }
  }
  assert.ok(mutations > 500, `only ${mutations} mutations`);
});

test("the datetime and UUID patterns take exactly what DRF writes", () => {
  const body = JSON.parse(sampleBodies().find((x) => x.action === "ANNOTATION_CREATED" && x.body.length > 100).body);
  const at = (v) => ({ ...clone(body), annotation: { ...body.annotation, created_at: v } });
  assertValid(at("2026-11-26T23:17:32.937907Z"), "microseconds");
  assertValid(at("2026-11-26T23:17:32Z"), "no microseconds");
  for (const bad of ["2026-11-26T23:17:32.937Z", "2026-11-26 23:17:32Z", "2026-11-26T23:17:32", "2026-11-26T23:17:32+00:00"]) {
    assertInvalid(at(bad), bad);
  }
  const uid = (v) => ({ ...clone(body), annotation: { ...body.annotation, unique_id: v } });
  assertValid(uid(null), "unique_id null");
  assertValid(uid("4d7e093a-12a8-494f-86bb-490d2ff20840"), "uuid");
  assertInvalid(uid("4D7E093A-12A8-494F-86BB-490D2FF20840"), "uppercase uuid");
  assertInvalid(uid("4d7e093a12a8494f86bb490d2ff20840"), "uuid without dashes");
});
