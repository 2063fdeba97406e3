// examples/node-backend: the API answers at once, deliveries go out afterwards with the
// exact bytes of the plan; a refused and a hanging webhook are logged, the rest arrive.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { ROOT, refusedUrl, startReceiver } from "./loopback.mjs";

// The example as a user has it: its files beside node_modules/ls-webhooks (here pkg/).
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ls-webhooks-example-"));
const example = path.join(ROOT, "examples", "node-backend");
for (const f of fs.readdirSync(example)) if (f.endsWith(".js") || f === "package.json") fs.copyFileSync(path.join(example, f), path.join(dir, f));
fs.mkdirSync(path.join(dir, "node_modules"));
fs.symlinkSync(path.join(ROOT, "pkg"), path.join(dir, "node_modules", "ls-webhooks"), "dir");

let receiver, app, base, openGate;
const plans = [], pending = [], log = [];
const TIMEOUT_MS = 600;
// Deliveries wait behind this gate until the test opens it: every API call must have
// answered by then, so the API never waits for a webhook (no timing involved).
const gate = new Promise((resolve) => { openGate = resolve; });

before(async () => {
  receiver = await startReceiver();
  const { createApp } = await import(path.join(dir, "server.js"));
  const { createDeliverer } = await import(path.join(dir, "deliver.js"));
  const real = createDeliverer({ timeoutMs: TIMEOUT_MS, log: (line) => log.push(line) });
  const deliver = (plan) => { plans.push(plan); pending.push(gate.then(() => real(plan))); };
  app = createApp({ deliver, webhookOptions: { ssrfProtection: false }, log: (line) => log.push(String(line)) });
  await new Promise((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${app.server.address().port}`;
});
after(async () => {
  app.server.closeAllConnections();
  app.server.close();
  await receiver.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function api(method, url, body) {
  const res = await fetch(base + url, { method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: { "content-type": "application/json" } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

test("the API answers before its webhooks are sent, and every plan arrives byte for byte", async () => {
  const hooks = [
    await api("POST", "/api/webhooks", { url: `${receiver.url}/org`, actions: ["PROJECT_CREATED", "TASKS_CREATED", "TASKS_DELETED"] }),
    await api("POST", "/api/webhooks", { url: await refusedUrl() }),
    await api("POST", "/api/webhooks", { url: `${receiver.url}/hang` }),
  ];
  assert.deepEqual(hooks.map((h) => h.status), [201, 201, 201]);

  const project = await api("POST", "/api/projects", { title: "Café reviews" });
  assert.equal(project.status, 201);
  const pid = project.body.id;
  const ml = await api("POST", "/api/webhooks", { url: `${receiver.url}/ml`, project: pid, headers: { Authorization: "Token abc" } });
  assert.equal(ml.status, 201);
  const imported = await api("POST", `/api/projects/${pid}/import`, [{ text: "flaky 🥐" }, { text: "cold" }, { data: { text: "déjà vu" } }]);
  assert.equal(imported.status, 201);
  assert.equal(imported.body.task_count, 3);
  const [t1, t2] = imported.body.task_ids;
  const ann = await api("POST", `/api/tasks/${t1}/annotations`, { result: [{ type: "choices", value: { choices: ["Positive"] } }], lead_time: 4.5 });
  assert.equal(ann.status, 201);
  const upd = await api("PATCH", `/api/annotations/${ann.body.id}`, { result: [] });
  assert.equal(upd.status, 200);
  const del = await api("DELETE", `/api/tasks/${t2}`);
  assert.equal(del.status, 204);
  assert.equal((await api("GET", "/api/projects/999")).status, 404);

  // Every call has answered, and no webhook has been sent yet: the handlers did not wait.
  assert.equal(plans.length, 5);
  assert.equal(receiver.received.length + receiver.hung.length, 0);
  const all = plans.flatMap((p) => p.deliveries);
  const good = all.filter((d) => !d.url.includes("/hang") && !d.url.endsWith("/refused"));
  const opened = Date.now();
  openGate();
  // One queue per target: the healthy targets do not wait behind the hanging one's timeouts
  // (4 or more of 600 ms, one after the other); all of theirs arrive within the first one.
  while (receiver.received.length < good.length && Date.now() - opened < 5000) await new Promise((r) => setTimeout(r, 5));
  const healthyMs = Date.now() - opened;
  assert.ok(healthyMs < TIMEOUT_MS, `the healthy targets' deliveries took ${healthyMs} ms`);
  await Promise.all(pending);
  assert.ok(Date.now() - opened >= 4 * TIMEOUT_MS); // the hanging target's timeouts, in order

  assert.deepEqual(plans.map((p) => p.action),
    ["PROJECT_CREATED", "TASKS_CREATED", "ANNOTATION_CREATED", "ANNOTATION_UPDATED", "TASKS_DELETED"]);
  // Each target got its deliveries in the order of the events, byte for byte, with its headers.
  assert.equal(receiver.received.length, good.length);
  for (const where of new Set(good.map((d) => new URL(d.url).pathname))) {
    const want = good.filter((d) => new URL(d.url).pathname === where);
    const got = receiver.received.filter((g) => g.path === where);
    assert.equal(got.length, want.length, where);
    for (const [i, d] of want.entries()) {
      assert.ok(got[i].body.equals(Buffer.from(d.body, "utf8")), `${where}: delivery ${i} (${d.url}) differs`);
      for (const [k, v] of Object.entries(d.headers)) assert.equal(got[i].headers[k.toLowerCase()], v);
    }
  }
  // The bodies are the events that happened.
  const bodies = receiver.received.map((g) => JSON.parse(g.body.toString("utf8")));
  assert.equal(bodies.find((b) => b.action === "PROJECT_CREATED").project.title, "Café reviews");
  assert.deepEqual(bodies.find((b) => b.action === "TASKS_CREATED").tasks.map((t) => t.data.text), ["flaky 🥐", "cold", "déjà vu"]);
  const created = bodies.find((b) => b.action === "ANNOTATION_CREATED");
  assert.equal(created.task.id, t1);
  assert.equal(created.task.is_labeled, true);
  assert.equal(created.annotation.lead_time, 4.5);
  assert.equal(created.project.total_annotations_number, 1);
  assert.deepEqual(bodies.find((b) => b.action === "TASKS_DELETED").tasks, [{ id: t2 }]);
  assert.equal(receiver.received.filter((g) => g.path === "/ml").length, 5 - 1); // not PROJECT_CREATED (organization-only)

  // The failing targets: every delivery to them was tried and logged, none stopped the others.
  const hangs = all.filter((d) => d.url.includes("/hang")).length;
  const refused = all.filter((d) => d.url.endsWith("/refused")).length;
  assert.ok(hangs >= 4 && refused >= 4);
  assert.equal(log.filter((l) => /webhook \d+: failed \(timeout after 600 ms\)/.test(l)).length, hangs);
  assert.equal(log.filter((l) => /webhook \d+: failed \(ECONNREFUSED\)/.test(l)).length, refused);
  assert.equal(log.filter((l) => / webhook \d+: 200$/.test(l)).length, good.length);
  assert.equal(receiver.hung.length, hangs);
});
