// Redelivery from Label Studio's own database (issue 13), proven against the real thing.
//
// tests/fixtures/label-studio-1.23.2-db/ holds, per scenario and backend, the deliveries a real
// Label Studio 1.23.2 sent and a copy of its database taken right after each emission
// (tools/capture/capture_db.py). For every emission, eventsFromDatabase reads the rows back from
// that copy (SQLite file, or a PostgreSQL dump restored into a server started here) and
// buildDeliveries must give the same deliveries: order, targets, URLs, headers, body bytes.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { pgMissing, startPg } from "./pg-server.mjs";
import { untar } from "./fixture-archive.mjs";
import { parse, stringify, Obj, Num } from "./ordered-json.mjs";

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, "..", "..");
const lib = require(path.join(root, "pkg"));
const { eventsFromDatabase } = require(path.join(root, "js", "database.js"));
const fixturesDir = path.join(root, "tests", "fixtures", "label-studio-1.23.2-db");
const TRANSPORT = new Set(["host", "user-agent", "accept", "accept-encoding", "connection", "content-length"]);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ls-webhooks-dbtest-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));


function bundles(backend) {
  const dir = path.join(fixturesDir, backend);
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".tar.br")).sort().map((f) => path.join(dir, f)) : [];
}

/** Why an emission cannot be rebuilt from a database, or null. */
function notRebuildable(em) {
  if (em.custom_payload) return "emit_webhooks_sync with the caller's own payload: nothing to read back";
  if (em.error) return `Label Studio raised (${em.error})`;
  const ids = em.selection.ids;
  if (ids && new Set(ids).size !== ids.length) return "the same row passed twice: a selection selects each row once";
  return null;
}

function firstDifference(got, want) {
  let i = 0;
  while (i < got.length && i < want.length && got[i] === want[i]) i++;
  const ctx = (s) => JSON.stringify(s.slice(Math.max(0, i - 80), i + 80));
  return `first differing byte at ${i} (of ${got.length} vs ${want.length})\n  got:  ${ctx(got)}\n  want: ${ctx(want)}`;
}

// ---- PostgreSQL's jsonb: what it keeps of a JSON field
//
// Label Studio keeps JSON fields (task data and meta, annotation result and prediction, the
// project's parsed_label_config, control_weights and data_types, a label's value) in jsonb on
// PostgreSQL, which stores objects with their keys sorted (shorter keys first, then by bytes),
// drops duplicate keys and keeps numbers as numeric (1e16 comes back as 10000000000000000,
// -0.0 as 0.0). Right after a create or update, Label Studio serializes the object it holds in
// memory, in the client's order; whenever it reads the rows back (ids, QuerySets, a nested row
// loaded from the database) it sends jsonb's form, and so does a rebuild. A body that differs
// from the captured one is accepted only if it differs in nothing but that, inside JSON fields.

const JSON_FIELDS = {
  task: ["data", "meta"],
  annotation: ["result", "prediction"],
  project: ["parsed_label_config", "control_weights", "data_types"],
  label: ["value"],
};
const BODY_KEYS = { tasks: "task", task: "task", annotation: "annotation", project: "project", label: "label" };

/** A decimal's exact value as [sign, digits, exponent] with no trailing zeros (-0 is 0). */
function decimal(text) {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  let digits = (m[2] + (m[3] || "")).replace(/^0+/, "");
  let exp = Number(m[4] || 0) - (m[3] || "").length;
  if (!digits) return "0";
  while (digits.endsWith("0")) { digits = digits.slice(0, -1); exp++; }
  return `${m[1]}${digits}e${exp}`;
}

function jsonbForm(v) {
  if (v instanceof Obj) {
    const byKey = new Map();
    for (const [k, x] of v.entries) byKey.set(k, jsonbForm(x));
    const keys = [...byKey.keys()].sort((a, b) => {
      const ab = Buffer.from(a, "utf8"), bb = Buffer.from(b, "utf8");
      return ab.length - bb.length || Buffer.compare(ab, bb);
    });
    return new Obj(keys.map((k) => [k, byKey.get(k)]));
  }
  if (Array.isArray(v)) return v.map(jsonbForm);
  if (v instanceof Num) return new Num(decimal(v.text));
  return v;
}

function rowJsonb(row, serializer) {
  if (!(row instanceof Obj)) return Array.isArray(row) ? row.map((r) => rowJsonb(r, serializer)) : row;
  const fields = JSON_FIELDS[serializer] || [];
  return row.map((k, v) => {
    if (fields.includes(k)) return [k, jsonbForm(v)];
    if (k === "task" && serializer === "annotation") return [k, rowJsonb(v, "task")];
    return [k, v];
  });
}

/** The body with every JSON field in jsonb's form, everything else untouched. */
function bodyJsonb(body) {
  return stringify(parse(body).map((k, v) => [k, BODY_KEYS[k] ? rowJsonb(v, BODY_KEYS[k]) : v]));
}

/** Rebuild one emission from `db` and compare with what Label Studio sent. Returns counts. */
async function check(db, em, where, ssrfProtection, { jsonb = false } = {}) {
  const selection = { ...em.selection, ssrfProtection };
  for (const k of Object.keys(selection)) if (selection[k] === null) delete selection[k];
  const got = [];
  const targets = new Set();
  let events = 0;
  for await (const text of eventsFromDatabase(db, selection)) {
    events++;
    const plan = lib.buildDeliveries(text);
    plan.targets.forEach((t) => targets.add(t));
    got.push(...plan.deliveries);
  }
  const want = em.deliveries;
  let exact = 0;
  let jsonbOnly = 0;
  assert.equal(got.length, want.length, `${where}: number of deliveries (${events} events)`);
  got.forEach((g, j) => {
    const w = want[j];
    assert.equal(g.webhookId, w.webhookId, `${where} #${j}: target`);
    assert.equal(g.url, w.url, `${where} #${j}: url`);
    const wantHeaders = Object.entries(w.headers).filter(([k]) => !TRANSPORT.has(k.toLowerCase()));
    assert.deepEqual(Object.entries(g.headers), wantHeaders, `${where} #${j}: headers`);
    if (g.body === w.body) exact++;
    else if (jsonb && bodyJsonb(g.body) === bodyJsonb(w.body)) jsonbOnly++;
    else assert.fail(`${where} #${j}: body\n${firstDifference(g.body, w.body)}`);
  });
  if (events) {
    const delivered = new Set(got.map((d) => d.webhookId));
    const silent = [...targets].filter((id) => !delivered.has(id)).sort((a, b) => a - b);
    assert.deepEqual(silent, (em.not_delivered || []).slice().sort((a, b) => a - b), `${where}: matched but got nothing`);
  }
  return { exact, jsonbOnly };
}

function scenarioTests(backend, open) {
  const files = bundles(backend);
  const jsonb = backend === "postgresql";
  test(`${backend}: fixtures are present`, () => assert.ok(files.length > 0, `no ${backend} fixtures in ${fixturesDir}`));
  for (const file of files) {
    const name = path.basename(file, ".tar.br");
    test(`${backend}: ${name}: every emission rebuilt from the database copy taken right after it`, async (t) => {
      const files = untar(file);
      const doc = JSON.parse(files.get("emissions.json").toString("utf8"));
      const ssrf = Boolean(doc.settings.SSRF_PROTECTION_ENABLED);
      let checked = 0;
      const n = { exact: 0, jsonbOnly: 0 };
      for (const [i, em] of doc.emissions.entries()) {
        const where = `${backend} ${name} emission ${i} (${em.trigger}: ${em.action})`;
        const why = notRebuildable(em);
        if (why) {
          t.diagnostic(`emission ${i} not rebuilt: ${why}`);
          continue;
        }
        assert.ok(em.snapshot, `${where}: no snapshot`);
        const db = await open(name, em.snapshot, files, doc);
        try {
          // Where Label Studio read the rows back itself (ids, a QuerySet), even PostgreSQL must match byte for byte.
          const readBack = em.passed === "list[int]" || em.passed === "QuerySet";
          const r = await check(db.db, em, where, ssrf, { jsonb: jsonb && !readBack });
          n.exact += r.exact;
          n.jsonbOnly += r.jsonbOnly;
          if (r.jsonbOnly) t.diagnostic(`emission ${i} (${em.action}, passed ${em.passed}): ${r.jsonbOnly} bodies differ only in jsonb's form of JSON fields`);
        } finally {
          await db.done?.();
        }
        checked++;
      }
      t.diagnostic(`${checked} of ${doc.emissions.length} emissions rebuilt; deliveries: ${n.exact} byte for byte` +
        (jsonb ? `, ${n.jsonbOnly} equal but for jsonb's form of JSON fields` : ""));
      assert.ok(checked > 0, "nothing checked");
      counts[backend].exact += n.exact;
      counts[backend].jsonbOnly += n.jsonbOnly;
      counts[backend].emissions += checked;
    });
  }
}

const counts = { sqlite: { exact: 0, jsonbOnly: 0, emissions: 0 }, postgresql: { exact: 0, jsonbOnly: 0, emissions: 0 } };

test("sqlite: the comparison can fail: a copy from another moment gives other bodies", async () => {
  const files = untar(path.join(fixturesDir, "sqlite", "tasks-created.tar.br"));
  const doc = JSON.parse(files.get("emissions.json").toString("utf8"));
  const em = doc.emissions[1]; // one task created; the copy after the next emission holds 3 more tasks
  const later = doc.emissions[2].snapshot;
  const file = path.join(tmp, `control-${later}`);
  fs.writeFileSync(file, files.get(later));
  await assert.rejects(check(file, em, "control", false), /body/);
  // and the right copy passes
  const own = path.join(tmp, `control-${em.snapshot}`);
  fs.writeFileSync(own, files.get(em.snapshot));
  assert.ok((await check(own, em, "control", false)).exact > 0);
});

test("jsonbForm: keys by length then bytes, numbers by value, duplicates dropped", () => {
  const a = jsonbForm(parse('{"text": 1, "n": 2, "ab": 1e16, "aa": -0.0, "n": 3}'));
  assert.deepEqual(a.entries.map(([k]) => k), ["n", "aa", "ab", "text"]);
  assert.equal(stringify(a), stringify(jsonbForm(parse('{"n": 3, "aa": 0.0, "ab": 10000000000000000, "text": 1}'))));
  assert.notEqual(stringify(jsonbForm(parse('{"a": 1}'))), stringify(jsonbForm(parse('{"a": 1.5}'))));
  assert.notEqual(stringify(jsonbForm(parse('{"a": "x"}'))), stringify(jsonbForm(parse('{"a": "y"}'))));
});

// ---- SQLite: the copy itself, opened read-only
scenarioTests("sqlite", async (name, snapshot, files) => {
  const file = path.join(tmp, `${name}-${snapshot}`);
  fs.writeFileSync(file, files.get(snapshot));
  return { db: file, done: () => fs.rmSync(file) };
});

// ---- PostgreSQL: the schema, then each data-only dump restored into a server started here
const pgWhy = pgMissing();
const mustHavePg = process.getuid?.() === 0 && fs.existsSync("/etc/debian_version");
if (pgWhy && !mustHavePg) {
  test("postgresql: fixtures", { skip: `${pgWhy}; scripts/setup.sh installs it on Debian` }, () => {});
} else {
  let server = null;
  test("postgresql: a server on loopback", async () => {
    assert.equal(pgWhy, null, `${pgWhy}; run scripts/setup.sh (it installs Debian's postgresql)`);
    server = await startPg();
  });
  after(() => server?.stop());
  const templates = new Map(); // scenario -> template database with the schema
  let n = 0;
  scenarioTests("postgresql", async (name, snapshot, files, doc) => {
    assert.ok(server, "no PostgreSQL server");
    if (!templates.has(name)) {
      const tpl = `tpl_${templates.size}`;
      server.psql("postgres", `CREATE DATABASE ${tpl};`);
      server.psql(tpl, files.get(doc.schema).toString("utf8"));
      templates.set(name, tpl);
    }
    const db = `snap_${n++}`;
    server.psql("postgres", `CREATE DATABASE ${db} TEMPLATE ${templates.get(name)};`);
    server.psql(db, files.get(snapshot).toString("utf8"));
    return { db: server.url(db), done: () => server.psql("postgres", `DROP DATABASE ${db};`) };
  });

  // ---- pages of a list action on PostgreSQL: COPY ... TO STDOUT (FORMAT binary), the next page asked for ahead
  /** A database restored from a scenario's snapshot (its schema, then the data-only dump). */
  const pgSnapshot = (bundle, index) => {
    const files = untar(path.join(fixturesDir, "postgresql", `${bundle}.tar.br`));
    const doc = JSON.parse(files.get("emissions.json").toString("utf8"));
    const em = doc.emissions[index];
    const db = `extra_${n++}`;
    server.psql("postgres", `CREATE DATABASE ${db};`);
    server.psql(db, files.get(doc.schema).toString("utf8"));
    server.psql(db, files.get(em.snapshot).toString("utf8"));
    return { url: server.url(db), db, em };
  };

  /** A connected pg Client without pg's connection object (as pg-native): pages are read with plain queries. */
  async function plainClient(url) {
    const pg = require("pg");
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return { client, db: { query: (...a) => client.query(...a), connect: () => {} } };
  }

  test("postgresql: pages read with COPY are the rows plain queries read, batch by batch, for every selection", async () => {
    assert.ok(server, "no PostgreSQL server");
    const { url, em } = pgSnapshot("tasks-created", 3);
    const project = String(em.selection.project);
    const { client, db } = await plainClient(url);
    try {
      const selections = [
        { action: "TASKS_CREATED", project, batchSize: 3 },
        { action: "TASKS_CREATED", project, batchSize: 1 },
        { action: "TASKS_CREATED", ids: [2, 3, 5, 6, 7], batchSize: 2 },
        { action: "TASKS_CREATED", project, since: "2000-01-01", until: "2100-01-01T00:00:00+02:00", batchSize: 4 },
        { action: "TASKS_CREATED", project, since: "2100-01-01" },
      ];
      for (const sel of selections) {
        const copied = await collect(url, sel);
        const plain = await collect(db, sel);
        assert.deepEqual(copied, plain, JSON.stringify(sel));
        const bytes = await collect(url, sel, { bytes: true });
        assert.deepEqual(bytes.map((b) => b.toString("utf8")), copied, `${JSON.stringify(sel)}: bytes`);
      }
      // batch by batch: the same rows as in one batch, in id order
      const one = await collect(url, { action: "TASKS_CREATED", project });
      const rows = (events) => events.flatMap((e) => JSON.parse(e).instance);
      const threes = await collect(url, { action: "TASKS_CREATED", project, batchSize: 3 });
      assert.equal(threes.length, Math.ceil(rows(one).length / 3));
      assert.deepEqual(rows(threes), rows(one));
      assert.deepEqual(rows(one).map((r) => r.id), rows(one).map((r) => r.id).sort((a, b) => a - b));
    } finally {
      await client.end();
    }
  });

  test("postgresql: TASKS_CREATED: each task's comment authors, on every page", async () => {
    assert.ok(server, "no PostgreSQL server");
    const { url, db, em } = pgSnapshot("tasks-created", 3);
    const project = String(em.selection.project);
    const { client, db: plain } = await plainClient(url);
    try {
      const ids = (await client.query("SELECT id FROM task WHERE project_id = $1 ORDER BY id", [project])).rows.map((r) => Number(r.id));
      const user = Number((await client.query("SELECT min(id) AS id FROM htx_user")).rows[0].id);
      const authors = commentAuthors(ids, user);
      server.psql(db, "SET session_replication_role = replica;\n" +
        authors.map(([t, u]) => `INSERT INTO task_comment_authors (task_id, user_id) VALUES (${t}, ${u});`).join("\n"));
      for (const batchSize of [3, 2, 5000]) {
        const sel = { action: "TASKS_CREATED", project, batchSize };
        const events = await collect(url, sel);
        assertAuthors(events, authors, ids);
        assert.deepEqual(events, await collect(plain, sel));
      }
    } finally {
      await client.end();
    }
  });
}

/** The events of a selection, as an array. */
async function collect(db, selection, options) {
  const out = [];
  for await (const e of eventsFromDatabase(db, selection, options)) out.push(e);
  return out;
}

/**
 * Comment authors for some of `ids` (the tasks of one project, by id): the first and the last
 * task, and those on both sides of the first boundaries of pages of 2 and 3; one to three
 * users each, not inserted in id order. Returns [task, user] pairs.
 */
function commentAuthors(ids, user) {
  const pairs = [];
  let k = 0;
  for (const t of new Set([ids[0], ids[1], ids[2], ids[3], ids[ids.length - 1]].filter((x) => x !== undefined))) {
    for (const j of [2, 0, 1].slice(0, 1 + (t % 3))) pairs.push([t, user + (k + j) * 1000]);
    k += 3;
  }
  return pairs;
}

function assertAuthors(events, pairs, ids) {
  const rows = events.flatMap((e) => JSON.parse(typeof e === "string" ? e : e.toString("utf8")).instance);
  assert.deepEqual(rows.map((r) => r.id), ids);
  for (const r of rows) {
    const want = pairs.filter(([t]) => t === r.id).map(([, u]) => u).sort((a, b) => a - b);
    assert.deepEqual(r.comment_authors, want, `task ${r.id}`);
  }
}

test("totals", (t) => {
  for (const [b, c] of Object.entries(counts)) {
    t.diagnostic(`${b}: ${c.emissions} emissions rebuilt, ${c.exact} deliveries byte for byte` +
      (b === "postgresql" ? `, ${c.jsonbOnly} equal but for jsonb's form of JSON fields (in-memory rows sent by Label Studio)` : ""));
  }
  assert.equal(counts.sqlite.jsonbOnly, 0);
});

// ---- the command: ls-webhooks redeliver
const { redeliverCommand } = require(path.join(root, "js", "commands", "redeliver.js"));

async function run(args, deliver) {
  const out = [];
  const err = [];
  const code = await redeliverCommand(args, { lib, deliver, out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out, err };
}

function snapshotFile(bundle, index) {
  const files = untar(path.join(fixturesDir, "sqlite", `${bundle}.tar.br`));
  const doc = JSON.parse(files.get("emissions.json").toString("utf8"));
  const em = doc.emissions[index];
  const file = path.join(tmp, `cli-${bundle}-${em.snapshot}`);
  fs.writeFileSync(file, files.get(em.snapshot));
  return { file, em };
}

test("redeliver: a dry run sends nothing, sums up, and says the rows are as they are now", async () => {
  const { file, em } = snapshotFile("tasks-created", 3);
  const project = String(em.selection.project);
  const r = await run(["--db", file, "--action", "TASKS_CREATED", "--project", project, "--no-ssrf-protection"]);
  assert.equal(r.code, 0, r.err.join("\n"));
  const text = r.out.join("\n");
  assert.match(text, /as they are now, not as they were/);
  assert.match(text, /dry run, nothing sent/);
  assert.match(text, /1 event of 7 rows/);
  assert.match(text, /deliveries: 2 deliveries, [\d,]+ bytes/);
});

test("redeliver --json: one plan per line, the batches of Label Studio's emission, as buildDeliveries builds them", async () => {
  const { file, em } = snapshotFile("tasks-created", 3);
  const project = String(em.selection.project);
  const r = await run(["--db", file, "--action", "TASKS_CREATED", "--project", project, "--batch-size", "3", "--json", "--no-ssrf-protection"]);
  assert.equal(r.code, 0, r.err.join("\n"));
  assert.match(r.err.join("\n"), /as they are now/); // stdout holds only the plans
  const plans = r.out.map((l) => JSON.parse(l));
  assert.equal(plans.length, 3); // 7 tasks in batches of 3: 3 + 3 + 1
  assert.deepEqual(plans.map((p) => p.deliveries.map((d) => d.batch)), [[0, 0], [1, 1], [2, 2]]);
  const events = [];
  for await (const e of eventsFromDatabase(file, { action: "TASKS_CREATED", project, batchSize: 3, ssrfProtection: false })) events.push(e);
  assert.deepEqual(plans.map((p) => p.deliveries.map((d) => d.body)), events.map((e) => lib.buildDeliveries(e).deliveries.map((d) => d.body)));
  assert.deepEqual(plans.map((p) => JSON.parse(p.deliveries[0].body).tasks.length), [3, 3, 1]);
});

test("redeliver --send: plans go to the deliverer; a failure gives exit 1", async () => {
  const { file, em } = snapshotFile("annotations", 2);
  const seen = [];
  const r = await run(["--db", file, "--action", "ANNOTATION_UPDATED", "--ids", String(em.selection.ids[0]), "--send", "--no-ssrf-protection"],
    async (plan, ctx) => { seen.push([plan.deliveries.length, ctx.action, ctx.batch]); return { failed: 1 }; });
  assert.equal(r.code, 1);
  assert.deepEqual(seen, [[2, "ANNOTATION_UPDATED", 0]]);
  assert.deepEqual(r.out.filter((l) => /failed/.test(l)), ["  failed:     1 delivery"]);
  // the bodies are the captured ones (the copy right after that emission)
});

test("redeliver: usage errors and deleted rows", async () => {
  const { file } = snapshotFile("annotations", 5);
  let r = await run(["--db", file, "--action", "TASKS_DELETED"]);
  assert.equal(r.code, 2);
  assert.match(r.err.join("\n"), /deleted rows cannot be read back/);
  r = await run(["--db", file]);
  assert.equal(r.code, 2);
  r = await run(["--db", file, "--action", "NOPE"]);
  assert.equal(r.code, 2);
  r = await run(["--db", path.join(tmp, "missing.sqlite3"), "--action", "TASKS_CREATED"]);
  assert.equal(r.code, 3);
  assert.match(r.err.join("\n"), /cannot open the SQLite database/);
  r = await run(["--db", file, "--action", "TASKS_DELETED", "--ids", "9,10", "--project", "3", "--no-ssrf-protection", "--json"]);
  assert.equal(r.code, 0, r.err.join("\n"));
  const plan = JSON.parse(r.out[0]);
  assert.match(plan.deliveries[0].body, /^\{"action": "TASKS_DELETED", "tasks": \[\{"id": 9\}, \{"id": 10\}\], "project": \{"id": 3, /);
});

test("eventsFromDatabase: selection errors are thrown at once", () => {
  assert.throws(() => eventsFromDatabase("x.sqlite3", { action: "TASKS_CREATED", batchSize: 0 }), { code: "INVALID_SELECTION" });
  assert.throws(() => eventsFromDatabase("x.sqlite3", { action: "TASKS_CREATED", since: "yesterday" }), { code: "INVALID_SELECTION" });
  assert.throws(() => eventsFromDatabase("x.sqlite3", { action: "LABEL_LINK_CREATED", since: "2026-01-01" }), { code: "INVALID_SELECTION" });
  assert.throws(() => eventsFromDatabase("x.sqlite3", { action: "ANNOTATIONS_DELETED", ids: [1], until: "2026-01-01" }), { code: "INVALID_SELECTION" });
  assert.throws(() => eventsFromDatabase("x.sqlite3", { action: "TASKS_CREATED", ids: ["1x"] }), { code: "INVALID_SELECTION" });
  assert.throws(() => eventsFromDatabase("x.sqlite3", { action: "TASKS_CREATED", colour: 1 }), { code: "INVALID_SELECTION" });
});

test("redeliver --send through ls-webhooks/deliver: receipts are awaited, failures counted", { skip: !fs.existsSync(path.join(root, "js", "deliver.js")) }, async () => {
  const { createDeliverer } = require(path.join(root, "js", "deliver.js"));
  const { file } = snapshotFile("tasks-created", 3);
  const sent = [];
  let deliverer = null;
  const r = await run(["--db", file, "--action", "TASKS_CREATED", "--batch-size", "3", "--send", "--no-ssrf-protection"], (plan) => {
    deliverer ??= createDeliverer({ send: async (d) => { sent.push([d.webhookId, d.batch]); return { ok: d.webhookId % 2 === 0, status: 200 }; } });
    return deliverer.deliver(plan);
  });
  await deliverer.close();
  assert.equal(sent.length, 6); // 7 tasks in 3 batches, 2 targets
  const failedTargets = new Set(sent.filter(([id]) => id % 2 !== 0).map(([id]) => id));
  assert.equal(r.code, failedTargets.size ? 1 : 0);
  assert.ok(r.out.includes(`  failed:     ${sent.filter(([id]) => id % 2 !== 0).length} ${sent.filter(([id]) => id % 2 !== 0).length === 1 ? "delivery" : "deliveries"}`), r.out.join("\n"));
});

test("redeliver through the ls-webhooks command: --send delivers every rebuilt delivery to the receiver", async () => {
  const { runCli, startReceiver } = await import("./loopback.mjs");
  const { file, em } = snapshotFile("tasks-created", 3);
  const receiver = await startReceiver();
  try {
    // The snapshot's webhooks point at the capture's receiver: point them at this one.
    const Database = require("better-sqlite3");
    const db = new Database(file);
    db.prepare("UPDATE webhook SET url = ? || '/hook/' || id").run(receiver.url);
    db.close();
    const project = String(em.selection.project);
    const r = await runCli(["redeliver", "--db", file, "--action", "TASKS_CREATED", "--project", project, "--no-ssrf-protection", "--send"]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /as they are now, not as they were/);
    const plans = [];
    for await (const text of eventsFromDatabase(file, { action: "TASKS_CREATED", project: Number(project) })) {
      plans.push(lib.buildDeliveries(text.replace(/}\s*$/, ', "options": {"ssrfProtection": false}}')));
    }
    const want = plans.flatMap((p) => p.deliveries);
    assert.ok(want.length > 0);
    assert.equal(receiver.received.length, want.length);
    for (const d of want) {
      const got = receiver.received.find((g) => g.path === new URL(d.url).pathname && g.body.equals(Buffer.from(d.body)));
      assert.ok(got, `delivery to ${d.url} did not arrive byte for byte`);
    }
  } finally {
    await receiver.close();
  }
});

test("redeliver --send --queue: the rebuilt deliveries go onto the Redis queue, one job each", { skip: spawnSyncRedis() }, async () => {
  const { spawn } = await import("node:child_process");
  const { runCli } = await import("./loopback.mjs");
  const net = await import("node:net");
  const port = await new Promise((resolve) => { const s = net.createServer().listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); }); });
  const dir = fs.mkdtempSync(path.join(tmp, "redis-"));
  const redis = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", ""], { stdio: "ignore" });
  try {
    const url = `redis://127.0.0.1:${port}`;
    for (let i = 0; i < 50; i++) {
      if (await new Promise((resolve) => { const c = net.connect(port, "127.0.0.1", () => { c.end(); resolve(true); }).on("error", () => resolve(false)); })) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const { file, em } = snapshotFile("tasks-created", 3);
    const project = String(em.selection.project);
    const args = ["redeliver", "--db", file, "--action", "TASKS_CREATED", "--project", project, "--no-ssrf-protection"];
    const dry = await runCli(args);
    const planned = Number(/deliveries: (\d+) deliver/.exec(dry.stdout)[1]);
    const r = await runCli([...args, "--send", "--queue", url]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stderr, new RegExp(`${planned} deliveries queued`));
    const counts = await runCli(["queue", "--redis", url, "--json"]);
    assert.equal(counts.code, 0, counts.stderr);
    assert.equal(JSON.parse(counts.stdout).waiting, planned);
  } finally {
    redis.kill("SIGKILL");
  }
});

function spawnSyncRedis() {
  const ok = (() => { try { return require("node:child_process").spawnSync("redis-server", ["--version"]).status === 0; } catch { return false; } })();
  if (ok || (process.getuid?.() === 0 && fs.existsSync("/etc/debian_version"))) return false;
  return "redis-server is not installed (bash scripts/setup.sh installs it)";
}

// ---- events as bytes, the order of a page's rows, comment authors, and --json as the command writes it

test("eventsFromDatabase { bytes, bodyAs }: the same events as UTF-8 bytes, bodyAs written into their options", async () => {
  const { file, em } = snapshotFile("tasks-created", 3);
  const project = String(em.selection.project);
  const { file: annotations, em: updated } = snapshotFile("annotations", 2);
  const cases = [
    [file, { action: "TASKS_CREATED", project, batchSize: 3 }],
    [file, { action: "TASKS_CREATED", project }],
    [file, { action: "TASKS_DELETED", ids: "9,10", project }],
    [file, { action: "PROJECT_UPDATED", project }],
    [annotations, { action: "ANNOTATION_UPDATED", ids: String(updated.selection.ids[0]) }],
  ];
  for (const [db, sel] of cases) {
    const where = JSON.stringify(sel);
    const text = await collect(db, sel);
    assert.ok(text.length > 0, where);
    const bytes = await collect(db, sel, { bytes: true });
    assert.ok(bytes.every((b) => Buffer.isBuffer(b)), where);
    assert.deepEqual(bytes.map((b) => b.toString("utf8")), text, where);
    const withBodyAs = await collect(db, sel, { bytes: true, bodyAs: "bytes", info: true });
    withBodyAs.forEach(({ event }, i) => {
      const t = event.toString("utf8");
      assert.ok(t.endsWith(', "bodyAs": "bytes"}}'), where);
      assert.equal(t.slice(0, -', "bodyAs": "bytes"}}'.length) + "}}", text[i], where);
      const plan = lib.buildDeliveries(new Uint8Array(event.buffer, event.byteOffset, event.length));
      const want = lib.buildDeliveries(text[i]);
      assert.ok(plan.deliveries.every((d) => d.body instanceof Uint8Array), where);
      assert.deepEqual(plan.deliveries.map((d) => Buffer.from(d.body).toString("utf8")), want.deliveries.map((d) => d.body), where);
    });
  }
  assert.throws(() => eventsFromDatabase(file, { action: "TASKS_CREATED" }, { bodyAs: "text" }), { code: "INVALID_SELECTION" });
});

test("sqlite: a page whose rows the database did not join in id order is read again, in order", async () => {
  const { file, em } = snapshotFile("tasks-created", 3);
  const project = String(em.selection.project);
  const Database = require("better-sqlite3");
  const real = new Database(file, { readonly: true });
  let reordered = 0;
  // The page query's last column is the ids as the database joined the rows: say they came in another order.
  const db = {
    pragma: (...a) => real.pragma(...a),
    prepare(sql) {
      const st = real.prepare(sql);
      const w = {
        raw: (v) => (st.raw(v), w),
        safeIntegers: (v) => (st.safeIntegers(v), w),
        all(...params) {
          const rows = st.all(...params);
          if (rows.length === 1 && rows[0].length === 4 && typeof rows[0][3] === "string" && rows[0][3].includes(",")) {
            rows[0][3] = rows[0][3].split(",").reverse().join(",");
            reordered++;
          }
          return rows;
        },
      };
      return w;
    },
  };
  try {
    for (const batchSize of [3, 5000]) {
      const sel = { action: "TASKS_CREATED", project, batchSize };
      assert.deepEqual(await collect(db, sel), await collect(file, sel), `batchSize ${batchSize}`);
    }
  } finally {
    real.close();
  }
  assert.ok(reordered >= 3, `${reordered} pages reordered`);
});

test("sqlite: TASKS_CREATED: each task's comment authors, on every page", async () => {
  const { file: snapshot, em } = snapshotFile("tasks-created", 3);
  const file = path.join(tmp, "comment-authors.sqlite3");
  fs.copyFileSync(snapshot, file);
  const project = String(em.selection.project);
  const Database = require("better-sqlite3");
  const db = new Database(file);
  db.pragma("foreign_keys = OFF");
  const ids = db.prepare("SELECT id FROM task WHERE project_id = ? ORDER BY id").pluck().all(project);
  const authors = commentAuthors(ids, db.prepare("SELECT min(id) FROM htx_user").pluck().get());
  const insert = db.prepare("INSERT INTO task_comment_authors (task_id, user_id) VALUES (?, ?)");
  for (const [t, u] of authors) insert.run(t, u);
  db.close();
  assert.ok(ids.length >= 5 && authors.length >= 5);
  for (const batchSize of [3, 2, 5000]) {
    assertAuthors(await collect(file, { action: "TASKS_CREATED", project, batchSize }), authors, ids);
    assertAuthors(await collect(file, { action: "TASKS_CREATED", project, batchSize }, { bytes: true }), authors, ids);
  }
});

test("redeliver --json on stdout, as the ls-webhooks command writes it: each line is JSON.stringify of the plan", async () => {
  const { runCli } = await import("./loopback.mjs");
  const { file, em } = snapshotFile("tasks-created", 3);
  const project = String(em.selection.project);
  const args = ["--db", file, "--action", "TASKS_CREATED", "--project", project, "--batch-size", "3", "--json", "--no-ssrf-protection"];
  const want = [];
  let batch = 0;
  for await (const e of eventsFromDatabase(file, { action: "TASKS_CREATED", project, batchSize: 3, ssrfProtection: false })) {
    const plan = lib.buildDeliveries(e);
    for (const d of plan.deliveries) d.batch = batch;
    batch++;
    want.push(JSON.stringify(plan) + "\n");
  }
  assert.equal(want.length, 3);
  const r = await runCli(["redeliver", ...args]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, want.join(""));
  const inProcess = await run(args);
  assert.equal(inProcess.out.map((l) => l + "\n").join(""), want.join(""));
});

test("redeliver --json: bodies of any bytes written as JSON.stringify writes their text, in process and on stdout", async () => {
  const { run: runProcess } = await import("./loopback.mjs");
  const { file, em } = snapshotFile("tasks-created", 3);
  const project = String(em.selection.project);
  // A library whose plans carry bodies with every kind of character: quotes, backslashes, all
  // control characters, DEL, 2-, 3- and 4-byte UTF-8 (one across the 64 KiB chunks the
  // bodies are escaped in), U+2028; the same body twice, then others.
  const stub = path.join(tmp, "json-bodies.cjs");
  fs.writeFileSync(stub, `
const lib = require(${JSON.stringify(path.join(root, "pkg"))});
const specials = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join("") + '"\\\\\\x7f/é東😀\\u2028\\u2029';
const big = "a".repeat(65534) + "😀" + "x".repeat(65535) + "é" + specials.repeat(3000) + "東";
const plans = [];
const bytes = (s) => new Uint8Array(Buffer.from(s, "utf8"));
exports.lib = {
  buildDeliveries(event) {
    const plan = lib.buildDeliveries(event);
    const d = plan.deliveries[0];
    plan.deliveries = [big, big, specials, "", big + "!", d.body].map((b) => ({ ...d, body: typeof b === "string" ? bytes(b) : b }));
    plans.push(plan);
    return plan;
  },
};
exports.expected = () =>
  plans.map((p) => JSON.stringify(p, (k, v) => (k === "body" && v instanceof Uint8Array ? Buffer.from(v).toString("utf8") : v)) + "\\n").join("");
if (require.main === module) {
  const { redeliverCommand } = require(${JSON.stringify(path.join(root, "js", "commands", "redeliver.js"))});
  redeliverCommand(process.argv.slice(2), { lib: exports.lib }).then((code) => {
    require("fs").writeFileSync(${JSON.stringify(stub + ".expected")}, exports.expected());
    process.exitCode = code;
  });
}
`);
  const args = ["--db", file, "--action", "TASKS_CREATED", "--project", project, "--batch-size", "3", "--json", "--no-ssrf-protection"];
  const r = await runProcess(process.execPath, [stub, ...args]);
  assert.equal(r.code, 0, r.stderr);
  const want = fs.readFileSync(stub + ".expected", "utf8");
  assert.equal(want.split("\n").length, 4); // 3 plans
  assert.ok(r.stdout === want, `stdout differs from JSON.stringify: ${firstDifference(r.stdout, want)}`);
  const m = require(stub);
  const out = [];
  const code = await redeliverCommand(args, { lib: m.lib, out: (s) => out.push(s), err: () => {} });
  assert.equal(code, 0);
  const inProcess = out.map((l) => l + "\n").join("");
  assert.ok(inProcess === m.expected(), `out differs from JSON.stringify: ${firstDifference(inProcess, m.expected())}`);
});
