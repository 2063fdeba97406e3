// The second argument of buildDeliveries and planBatches: options given apart from
// the event (a CLI flag, a signing secret that should not travel inside the event),
// each replacing the event's own.
import assert from "node:assert/strict";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { test } from "node:test";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const lib = createRequire(import.meta.url)(path.join(ROOT, "pkg"));
const sample = fs.readFileSync(path.join(ROOT, "samples", "events", "TASKS_CREATED.json"), "utf8");
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const loopback = () => {
  const e = JSON.parse(sample);
  e.webhooks = e.webhooks.map((w) => ({ ...w, url: "http://127.0.0.1:9/hook" }));
  return JSON.stringify(e);
};

test("options replace the event's own, key by key, for text, bytes and objects", () => {
  const text = loopback();
  assert.equal(lib.buildDeliveries(text).deliveries.length, 0, "loopback is blocked by default");
  const object = JSON.parse(text);
  object.project.label_config_hash = 1n; // past 2^53 in the sample: JSON.parse would round it
  for (const event of [text, Buffer.from(text), object]) {
    const plan = lib.buildDeliveries(event, { ssrfProtection: false, signing: { secret: SECRET, timestamp: 7 } });
    assert.equal(plan.ssrfProtection, false);
    assert.ok(plan.deliveries.length > 0);
    for (const d of plan.deliveries) assert.equal(d.headers["webhook-timestamp"], "7");
  }
});

test("planBatches takes the same options", () => {
  const it = lib.planBatches(loopback(), { ssrfProtection: false, batchSize: 1, bodyAs: "bytes" });
  const batches = [...it];
  assert.ok(batches.length > 1, "batchSize 1 splits the import");
  assert.ok(batches[0].deliveries[0].body instanceof Uint8Array);
});

test("bad options are typed errors naming the option, without the secret", () => {
  const typed = (f, path) => {
    try { f(); } catch (e) { assert.equal(e.code, "INVALID_EVENT"); assert.equal(e.path, path); return e; }
    assert.fail("expected an error");
  };
  typed(() => lib.buildDeliveries(sample, { batchSize: 0 }), "options.batchSize");
  typed(() => lib.buildDeliveries(sample, { nope: 1 }), "options.nope");
  typed(() => lib.buildDeliveries(sample, [1]), "options");
  typed(() => lib.buildDeliveries(sample, "ssrfProtection"), "options");
  typed(() => lib.planBatches(sample, { ssrfProtection: "no" }), "options.ssrfProtection");
  const e = typed(() => lib.buildDeliveries(sample, { signing: { secret: "whsec_%%hunter2" } }), "options.signing.secret");
  assert.doesNotMatch(e.message, /hunter2/);
  assert.ok(lib.buildDeliveries(sample, undefined).deliveries.length > 0);
  assert.ok(lib.buildDeliveries(sample, null).deliveries.length > 0);
});
