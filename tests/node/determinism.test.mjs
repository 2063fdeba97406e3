// Determinism: the same event gives the same bytes, twice in one process and
// across processes (other time zone, locale, call order), for every sample and
// every captured event, as text, as bytes and as an object, whole and batch by
// batch. The browser side is tests/browser/.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { Obj, parse, stringify } from "./ordered-json.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const lib = createRequire(import.meta.url)(path.join(ROOT, "pkg"));

/** Every event: the samples and each captured emission's event, by name. */
function events() {
  const out = [];
  const samples = path.join(ROOT, "samples", "events");
  for (const f of fs.readdirSync(samples).sort()) {
    if (f.endsWith(".json")) out.push([`samples/${f}`, fs.readFileSync(path.join(samples, f), "utf8")]);
  }
  const fixtures = path.join(ROOT, "tests", "fixtures", "label-studio-1.23.2");
  for (const f of fs.readdirSync(fixtures).sort()) {
    if (!f.endsWith(".json")) continue;
    // Exact text of each event (ints past 2^53 and 1.0 vs 1 kept).
    const emissions = parse(fs.readFileSync(path.join(fixtures, f), "utf8")).get("emissions") ?? [];
    emissions.forEach((e, i) => e.get("event") && out.push([`${f}#${i}`, stringify(e.get("event"))]));
  }
  return out;
}

/** A digest of everything a plan holds (bodies as bytes), or of the error. */
function digest(plan) {
  const h = crypto.createHash("sha256");
  const add = (x) => h.update(typeof x === "string" ? x : x instanceof Uint8Array ? x : JSON.stringify(x)).update("\0");
  add(plan.action ?? "");
  add(plan.targets ?? []);
  add(plan.skipped ?? []);
  for (const d of plan.deliveries) {
    add([d.webhookId, d.url, d.method, d.headers, d.batch]);
    add(d.body);
  }
  return h.digest("hex");
}

function attempt(f) {
  try {
    return digest(f());
  } catch (e) {
    return `error ${e.code} ${e.path} ${e.message}`;
  }
}

function batched(input) {
  const it = lib.planBatches(input);
  const deliveries = [];
  for (const { deliveries: d } of it) deliveries.push(...d);
  return { action: it.action, targets: it.targets, skipped: it.skipped, deliveries };
}

/** Digests of every event in every form; `order` reverses the calls. */
function digests(reverse = false) {
  const list = events();
  if (reverse) list.reverse();
  const out = {};
  for (const [name, text] of list) {
    const bytes = new TextEncoder().encode(text);
    const object = JSON.parse(text);
    // The same text asking for bodies as bytes.
    const doc = parse(text);
    const options = doc.get("options") ?? new Obj();
    options.entries.push(["bodyAs", "bytes"]);
    if (!doc.get("options")) doc.entries.push(["options", options]);
    const asBytes = stringify(doc);
    out[name] = {
      text: attempt(() => lib.buildDeliveries(text)),
      bytes: attempt(() => lib.buildDeliveries(bytes)),
      object: attempt(() => lib.buildDeliveries(object)),
      bodyBytes: attempt(() => lib.buildDeliveries(asBytes)),
      batches: attempt(() => batched(text)),
    };
  }
  return out;
}

if (process.env.LS_DETERMINISM_CHILD) {
  process.stdout.write(JSON.stringify(digests(process.env.LS_DETERMINISM_CHILD === "reverse")));
} else {
  test("the same event gives the same bytes twice in one process, in every form", () => {
    const first = digests();
    const names = Object.keys(first);
    assert.ok(names.length >= 60, `${names.length} events`);
    // Most events build; text and bytes agree; batch by batch equals the whole plan; bytes bodies are the same bytes.
    // (The object form may differ where JSON.parse loses ints past 2^53: it is only compared with itself.)
    let built = 0;
    for (const [name, d] of Object.entries(first)) {
      assert.equal(d.bytes, d.text, name);
      assert.equal(d.batches, d.text, name);
      if (!d.text.startsWith("error")) {
        built++;
        assert.equal(d.bodyBytes, d.text, `${name}: bodyAs bytes gives other bytes`);
      }
    }
    assert.ok(built >= names.length - 5, `only ${built} of ${names.length} built`);
    assert.deepEqual(digests(), first);
    assert.deepEqual(digests(true), first, "in reverse order");
  });

  test("the same event gives the same bytes across processes (time zone, locale, call order)", () => {
    const here = digests();
    const envs = [
      { TZ: "UTC", LANG: "C", LC_ALL: "C" },
      { TZ: "Pacific/Kiritimati", LANG: "tr_TR.UTF-8", LC_ALL: "tr_TR.UTF-8", LS_DETERMINISM_CHILD: "reverse" },
      { TZ: "America/St_Johns", LANG: "de_DE.UTF-8" },
    ];
    for (const env of envs) {
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
        env: { ...process.env, LS_DETERMINISM_CHILD: "1", NODE_TEST_CONTEXT: "", ...env },
        encoding: "utf8", timeout: 120_000, maxBuffer: 64 << 20,
      });
      assert.equal(r.status, 0, r.stderr.slice(-2000));
      assert.deepEqual(JSON.parse(r.stdout), here, JSON.stringify(env));
    }
  });
}
