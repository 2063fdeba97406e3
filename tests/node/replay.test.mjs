// Conformance replay: every emission captured from a real Label Studio 1.23.2
// (tests/fixtures/label-studio-1.23.2/, made by tools/capture/) goes through the
// built pkg/ and must give the same deliveries, in the same order, to the same
// URLs, with the same headers and the same body bytes.
//
// Each emission is replayed twice: with rows as the database holds them
// (`project_id`, `+00:00` times), and as the API names them (`project`, another
// UTC offset, integral floats written as ints). Neither may change a byte.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { parse, stringify, Obj, Num } from "./ordered-json.mjs";

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, "..", "..");
const lib = require(path.join(root, "pkg"));
const fixturesDir = path.join(root, "tests", "fixtures", "label-studio-1.23.2");

// Headers the transport adds on its own (requests on the way out, not Label Studio).
const TRANSPORT = new Set(["host", "user-agent", "accept", "accept-encoding", "connection", "content-length"]);

const serializers = Object.fromEntries(lib.serializers().map((s) => [s.id, s]));
const actions = Object.fromEntries(lib.actions().map((a) => [a.action, a]));
// The serializer of a related row given in full, by foreign key name.
const RELATED = { task: "task", label: "label", project: "project" };

/** The same instant at another UTC offset, fraction digits kept. */
function shiftOffset(text, minutes) {
  const m = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)?$/.exec(text);
  if (!m) return text;
  const [, y, mo, d, h, mi, s, frac = "", off = "Z"] = m;
  let offMin = 0;
  if (off !== "Z") {
    const sign = off[0] === "-" ? -1 : 1;
    const digits = off.slice(1).replace(":", "");
    offMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
  }
  const utc = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s) - offMin * 60000;
  const local = new Date(utc + minutes * 60000);
  const p = (n, w = 2) => String(n).padStart(w, "0");
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return (
    `${p(local.getUTCFullYear(), 4)}-${p(local.getUTCMonth() + 1)}-${p(local.getUTCDate())}T` +
    `${p(local.getUTCHours())}:${p(local.getUTCMinutes())}:${p(local.getUTCSeconds())}${frac}` +
    `${sign}${p(Math.floor(abs / 60))}:${p(abs % 60)}`
  );
}

/** A row as the API would name it: FK columns renamed, other offsets, integral floats as ints. */
function apiForm(row, serializerId, minutes) {
  const ser = serializers[serializerId];
  if (!(row instanceof Obj) || !ser || serializerId === "only_id") return row;
  return row.map((key, value) => {
    const field = ser.fields.find((f) => f.name === key || f.column === key);
    if (!field) return [key, value];
    let v = value;
    if (field.kind === "date_time" && typeof v === "string") v = shiftOffset(v, minutes);
    if (field.kind === "float" && v instanceof Num && /^-?\d+\.0+$/.test(v.text)) v = new Num(v.text.replace(/\.0+$/, ""));
    if (field.kind === "foreign_key" && v instanceof Obj && RELATED[field.name]) v = apiForm(v, RELATED[field.name], -minutes);
    return [field.name, v]; // `project_id` becomes `project`
  });
}

function apiEvent(event) {
  const a = actions[event.get("action")];
  return event.map((key, v) => {
    if (key === "project") return [key, apiForm(v, "project", 330)];
    if (key === "instance" && Array.isArray(v)) return [key, v.map((r, i) => apiForm(r, a.serializer, i % 2 ? -420 : 330))];
    if (key === "instance") return [key, apiForm(v, a.serializer, 330)];
    return [key, v];
  });
}

function firstDifference(got, want) {
  let i = 0;
  while (i < got.length && i < want.length && got[i] === want[i]) i++;
  const ctx = (s) => JSON.stringify(s.slice(Math.max(0, i - 80), i + 80));
  return `first differing byte at ${i} (of ${got.length} vs ${want.length})\n  got:  ${ctx(got)}\n  want: ${ctx(want)}`;
}

function replay(name, index, emission, settings, event) {
  const ssrf = Boolean(settings.get("SSRF_PROTECTION_ENABLED"));
  const options = new Obj([...(event.get("options")?.entries || []).filter(([k]) => k !== "ssrfProtection"), ["ssrfProtection", ssrf]]);
  const withOptions = new Obj([...event.entries.filter(([k]) => k !== "options"), ["options", options]]);
  // JSON text: the exact path, so ints past 2^53, key order and float/int kinds survive.
  const plan = lib.buildDeliveries(stringify(withOptions));
  emission = plain(emission);
  const where = `${name} emission ${index} (${emission.trigger || event.get("action")})`;
  assert.equal(plan.deliveries.length, emission.deliveries.length, `${where}: number of deliveries`);
  plan.deliveries.forEach((got, j) => {
    const want = emission.deliveries[j];
    assert.equal(got.webhookId, Number(want.webhookId), `${where} #${j}: target`);
    assert.equal(got.url, want.url, `${where} #${j}: url`);
    const wantHeaders = Object.entries(want.headers).filter(([k]) => !TRANSPORT.has(k.toLowerCase()));
    assert.deepEqual(Object.entries(got.headers), wantHeaders, `${where} #${j}: headers`);
    if (got.body !== want.body) assert.fail(`${where} #${j}: body\n${firstDifference(got.body, want.body)}`);
  });
  // Webhooks that matched but got nothing: skipped ones, or all of them for an empty list.
  const delivered = new Set(plan.deliveries.map((d) => d.webhookId));
  const silent = plan.targets.filter((id) => !delivered.has(id)).sort((a, b) => a - b);
  assert.deepEqual(silent, (emission.not_delivered || []).map(Number).sort((a, b) => a - b), `${where}: matched but got nothing`);
  for (const s of plan.skipped) assert.ok(!delivered.has(s.webhookId), `${where}: skipped ${s.webhookId} was delivered`);
}

/** Deliveries and notes as plain JS values (headers keep their order: names are never integer-like here). */
function plain(v) {
  if (v instanceof Obj) return Object.fromEntries(v.entries.map(([k, x]) => [k, plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Num) return Number(v.text);
  return v;
}

const files = fs.existsSync(fixturesDir) ? fs.readdirSync(fixturesDir).filter((f) => f.endsWith(".json")).sort() : [];

test("fixtures are present", () => {
  assert.ok(files.length > 0, `no fixtures in ${fixturesDir}`);
});

for (const file of files) {
  const fixture = parse(fs.readFileSync(path.join(fixturesDir, file), "utf8"));
  const name = file.replace(/\.json$/, "");
  const settings = fixture.get("settings") || new Obj();
  // An emission where Label Studio itself raised (recorded as `error`) sent
  // nothing because of a bug in its caller, not in the emit: it is reported, not replayed.
  const each = (t, form) =>
    fixture.get("emissions").forEach((em, i) => {
      const error = em.get("error");
      if (error && /organization-only/.test(error)) {
        // Label Studio raises before sending; so must we.
        const event = form(em.get("event"));
        assert.throws(() => lib.buildDeliveries(stringify(event)), { code: "ORGANIZATION_ONLY_ACTION" });
        return;
      }
      if (error) return t.diagnostic(`emission ${i}: Label Studio raised (${error}); not replayed`);
      replay(name, i, em, settings, form(em.get("event")));
    });
  test(`replay ${name}: rows as the database holds them`, (t) => each(t, (e) => e));
  test(`replay ${name}: rows as the API names them`, (t) => each(t, apiEvent));
}

test("the api form really differs from the database form", () => {
  // Guard against a transformation that silently does nothing.
  const fixture = parse(fs.readFileSync(path.join(fixturesDir, files[0]), "utf8"));
  const em = fixture.get("emissions").find((e) => e.get("event").get("project"));
  const before = stringify(em.get("event"));
  const after = stringify(apiEvent(em.get("event")));
  assert.notEqual(before, after);
  assert.match(after, /\+05:30"/);
  assert.match(before, /"organization_id"/);
  assert.doesNotMatch(stringify(apiEvent(em.get("event")).get("project")), /"organization_id"/);
  assert.equal(shiftOffset("2026-11-26T23:17:32.937907+00:00", 330), "2026-11-27T04:47:32.937907+05:30");
  assert.equal(shiftOffset("2026-01-01T00:10:00Z", -420), "2025-12-31T17:10:00-07:00");
});
