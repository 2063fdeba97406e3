// `ls-webhooks send` against loopback receivers, and `ls-webhooks demo`.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";
import { ROOT, refusedUrl, runCli, startReceiver } from "./loopback.mjs";

const lib = createRequire(import.meta.url)(path.join(ROOT, "pkg"));
const sample = (action) => JSON.parse(fs.readFileSync(path.join(ROOT, "samples", "events", `${action}.json`), "utf8"));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ls-webhooks-send-"));

let receiver;
before(async () => { receiver = await startReceiver(); });
after(async () => { await receiver.close(); fs.rmSync(tmp, { recursive: true, force: true }); });

test("send: every delivery POSTed with the plan's exact bytes; refused and hanging targets reported, the rest arrive", async () => {
  const refused = await refusedUrl();
  // The sample's 3 tasks in batches of 2: 2 batches x 4 targets, and one webhook skipped.
  const text = fs.readFileSync(path.join(ROOT, "samples", "events", "TASKS_CREATED.json"), "utf8")
    .replace(/"webhooks": \[[\s\S]*\]\s*}\s*$/, `"webhooks": ${JSON.stringify([
      { id: 1, url: `${receiver.url}/first`, headers: { Authorization: "Bearer t" } },
      { id: 2, url: refused },
      { id: 3, url: `${receiver.url}/hang` },
      { id: 4, url: "ftp://files.example.com/" },
      { id: 5, url: `${receiver.url}/last`, send_payload: false },
    ].map((w) => ({ organization: 1, project: 12, send_payload: true, send_for_all_actions: true, is_active: true, actions: [], headers: {}, ...w })))},
    "options": {"batchSize": 2, "ssrfProtection": false}}\n`);
  const file = path.join(tmp, "event.json");
  fs.writeFileSync(file, text);
  const plan = lib.buildDeliveries(new Uint8Array(fs.readFileSync(file)));
  assert.equal(plan.deliveries.length, 8);
  assert.deepEqual(plan.skipped.map((s) => [s.webhookId, s.reason]), [[4, "INVALID_URL"]]);

  const started = Date.now();
  const r = await runCli(["send", file, "--timeout", "0.4"]);
  const elapsed = Date.now() - started;
  assert.equal(r.code, 1, r.stderr); // some deliveries failed
  const lines = r.stdout.trim().split("\n");
  assert.match(lines[0], /^TASKS_CREATED: 8 deliveries to 5 targets \(2 batches\), timeout 0\.4 s$/);
  assert.equal(lines.filter((l) => /^ {2}webhook 2 {2}batch \d\/2 {2}FAILED connection refused \(ECONNREFUSED\)/.test(l)).length, 2);
  assert.equal(lines.filter((l) => /^ {2}webhook 3 {2}batch \d\/2 {2}FAILED timeout: no response within 0\.4 s/.test(l)).length, 2);
  assert.equal(lines.filter((l) => /^ {2}webhook [15] {2}batch \d\/2 {2}200 OK /.test(l)).length, 4);
  assert.ok(lines.some((l) => /^ {2}webhook 4 {2}skipped: INVALID_URL/.test(l)));
  assert.equal(lines.at(-1), "summary: 8 deliveries, 4 ok, 4 failed, 1 webhook skipped");
  // The hanging target costs its own two timeouts (one after the other), not the others'.
  assert.ok(elapsed < 10000, `took ${elapsed} ms`);
  const ms = (re) => lines.filter((l) => re.test(l)).map((l) => Number(/ (\d+) ms /.exec(l)[1]));
  for (const t of ms(/^ {2}webhook 3 /)) assert.ok(t >= 390 && t < 1500, `a timeout after ${t} ms`);
  // Lines come as deliveries complete: the healthy targets' all before the first timeout.
  const lastOk = lines.findLastIndex((l) => /^ {2}webhook [15] /.test(l));
  assert.ok(lastOk < lines.findIndex((l) => /^ {2}webhook 3 /.test(l)), r.stdout);

  // What arrived: the good targets' deliveries, each target's in plan order (targets run side
  // by side, so they interleave in any order), byte for byte, with their headers.
  assert.equal(receiver.received.length, 4);
  for (const id of [1, 5]) {
    const want = plan.deliveries.filter((d) => d.webhookId === id);
    const got = receiver.received.filter((g) => g.path === new URL(want[0].url).pathname);
    assert.equal(got.length, want.length, `webhook ${id}`);
    for (const [i, d] of want.entries()) {
      assert.equal(got[i].method, "POST");
      assert.ok(got[i].body.equals(Buffer.from(d.body, "utf8")), `webhook ${id}: body of batch ${d.batch} differs`);
      for (const [k, v] of Object.entries(d.headers)) assert.equal(got[i].headers[k.toLowerCase()], v, k);
    }
  }
  assert.equal(receiver.hung.length, 2); // the hanging target did get the requests
  assert.ok(receiver.hung[0].body.equals(Buffer.from(plan.deliveries.find((d) => d.webhookId === 3).body)));
});

test("send: a plan with many deliveries gets a progress line and one line per target", async () => {
  receiver.received.length = 0;
  const event = sample("TASKS_CREATED");
  const tasks = Array.from({ length: 30 }, (_, i) => ({ ...event.instance[i % 3], id: 100 + i }));
  const text = JSON.stringify({ ...event, instance: tasks, options: { batchSize: 1, ssrfProtection: false },
    webhooks: [{ id: 7, organization: 1, project: 12, url: `${receiver.url}/many`, send_for_all_actions: true }] });
  const r = await runCli(["send", "-"], { input: text });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /progress: 30\/30 sent, 0 failed/);
  assert.doesNotMatch(r.stdout, /batch \d+\/30/); // no line per delivery
  assert.match(r.stdout, /^ {2}webhook 7 {2}30\/30 ok {2}200 OK ×30 /m);
  assert.match(r.stdout, /summary: 30 deliveries, 30 ok, 0 failed, 0 webhooks skipped/);
  const plan = lib.buildDeliveries(text);
  assert.equal(receiver.received.length, 30);
  receiver.received.forEach((got, i) => assert.ok(got.body.equals(Buffer.from(plan.deliveries[i].body)), `delivery ${i}`));
});

test("send: a large event is planned batch by batch; a bad row stops it at its batch, after the batches before it", async () => {
  receiver.received.length = 0;
  const event = sample("TASKS_CREATED");
  const tasks = Array.from({ length: 1200 }, (_, i) => ({ ...event.instance[i % 3], id: 1000 + i, data: { text: "x".repeat(900) + i } }));
  const hook = (id, where) => ({ id, organization: 1, project: 12, url: `${receiver.url}/${where}`, send_for_all_actions: true });
  const big = (rows) => JSON.stringify({ ...event, instance: rows, options: { batchSize: 100, ssrfProtection: false },
    webhooks: [hook(1, "big-a"), hook(2, "big-b")] });
  const text = big(tasks);
  assert.ok(text.length > 1 << 20); // past the CLI's 1 MiB: planBatches
  const r = await runCli(["send", "-"], { input: text });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^TASKS_CREATED: 24 deliveries to 2 targets \(12 batches\), timeout 1 s$/m);
  assert.match(r.stderr, /progress: 24\/24 sent, 0 failed/);
  assert.match(r.stdout, /^ {2}webhook 1 {2}12\/12 ok {2}200 OK ×12 /m);
  assert.match(r.stdout, /^ {2}webhook 2 {2}12\/12 ok {2}200 OK ×12 /m);
  assert.match(r.stdout, /summary: 24 deliveries, 24 ok, 0 failed, 0 webhooks skipped\n$/);
  const plan = lib.buildDeliveries(text);
  for (const where of ["/big-a", "/big-b"]) {
    const want = plan.deliveries.filter((d) => d.url.endsWith(where));
    const got = receiver.received.filter((g) => g.path === where);
    assert.equal(got.length, 12);
    want.forEach((d, i) => assert.ok(got[i].body.equals(Buffer.from(d.body)), `${where} batch ${i}`));
  }

  // Task 1150 (batch 12) cannot be rendered: batches 1-11 went out, then exit 8, as Label Studio.
  receiver.received.length = 0;
  const bad = tasks.map((t, i) => (i === 1150 ? { ...t, data: undefined } : t));
  const b = await runCli(["send", "-"], { input: big(bad) });
  assert.equal(b.code, 8, b.stderr);
  assert.match(b.stderr, /^ls-webhooks: stdin: INVALID_ROW at instance\[1150\]\.data: missing field "data"/m);
  assert.match(b.stdout, /summary: 22 deliveries, 22 ok, 0 failed, 0 webhooks skipped\n$/);
  assert.equal(receiver.received.length, 22);
  assert.deepEqual(receiver.received.filter((g) => g.path === "/big-a").map((g) => JSON.parse(g.body).tasks[0].id),
    Array.from({ length: 11 }, (_, i) => 1000 + 100 * i));
});

test("send: protection on skips a loopback receiver; --no-ssrf-protection sends to it", async () => {
  receiver.received.length = 0;
  const event = sample("PROJECT_DELETED");
  const text = JSON.stringify({ ...event, webhooks: [{ id: 9, organization: 1, url: `${receiver.url}/guarded`, send_for_all_actions: true }] });
  const on = await runCli(["send", "-"], { input: text });
  assert.equal(on.code, 0, on.stderr);
  assert.match(on.stdout, /^ {2}webhook 9 {2}skipped: SSRF_BLOCKED: /m);
  assert.match(on.stdout, /summary: 0 deliveries, 0 ok, 0 failed, 1 webhook skipped/);
  assert.equal(receiver.received.length, 0);
  const off = await runCli(["send", "-", "--no-ssrf-protection"], { input: text });
  assert.equal(off.code, 0, off.stderr);
  assert.match(off.stdout, /^ {2}webhook 9 {2}200 OK /m);
  assert.deepEqual(receiver.received.map((g) => g.path), ["/guarded"]);
  const plan = lib.buildDeliveries(text.replace(/}$/, ', "options": {"ssrfProtection": false}}'));
  assert.ok(receiver.received[0].body.equals(Buffer.from(plan.deliveries[0].body)));
});

test("demo: exits 0, plays the sequence, and its receiver saw every delivery byte for byte", async () => {
  const r = await runCli(["demo"]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const out = r.stdout;
  assert.match(out, /ssrfProtection is false/);
  const steps = [...out.matchAll(/^\d\. .*: ([A-Z_]+) → (\d+) deliver(?:y|ies) to webhooks/gm)];
  assert.deepEqual(steps.map((m) => m[1]),
    ["PROJECT_CREATED", "TASKS_CREATED", "ANNOTATION_CREATED", "ANNOTATION_UPDATED", "TASKS_DELETED"]);
  const sent = steps.reduce((n, m) => n + Number(m[2]), 0);
  assert.match(out, /batch 2\/\d/); // the import spans more than one batch
  assert.equal([...out.matchAll(/^ {3}webhook \d.* 200 OK /gm)].length, sent);
  assert.match(out, new RegExp(`the receiver got ${sent} requests:`));
  const listed = [...out.matchAll(/^ +\d+\. POST \/\S+ +(\d+) bytes/gm)];
  assert.equal(listed.length, sent);
  assert.ok(listed.every((m) => Number(m[1]) > 0));
  assert.match(out, new RegExp(`summary: 5 events, ${sent} deliveries sent, ${sent} received, 0 failed; every body byte-identical to its plan\\.`));
});

test("send: a warning says what a missing part of the event does", async () => {
  const text = JSON.stringify({ action: "TASKS_DELETED", organization: 1, options: { ssrfProtection: false },
    webhooks: [{ id: 9, organization: 1, url: `${receiver.url}/warned` }] });
  const r = await runCli(["send", "-"], { input: text });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ {2}warning: NO_INSTANCE: no "instance" \(or "payload"\): every target gets \{"action": "TASKS_DELETED"\} alone$/m);
  assert.match(r.stdout, /^ {2}warning: NO_PROJECT: /m);
});
