// `ls-webhooks trigger URL`: fires at a receiver every shape of delivery Label Studio 1.23.2's
// webhooks can send it, one after the other, and reports what the receiver answered to each.
//
// Each shape is a delivery that buildDeliveries makes from an event built here out of the
// built-in samples (samples/events/), so its bytes are exactly Label Studio's: each of the 12
// actions with its full payload, each one as a webhook with send_payload false gets it
// ({"action": ...} alone), the first and the last batch of an import cut into batches
// (WEBHOOK_BATCH_SIZE), and rows with astral-plane text and ints past 2^53. They are sent with
// ls-webhooks/safe-fetch, as `send` sends.
//
// Wiring (js/cli.js): commands.trigger = (rest) => triggerCommand(rest). The command prints
// its own errors and resolves to the exit code.
"use strict";
const fs = require("fs");
const path = require("path");
const { withMembers } = require("./event-bytes.js");
const signingArgs = require("./signing.js");

const EXIT = { OK: 0, FAILED: 1, USAGE: 2, NO_INPUT: 3 };

const USAGE = `usage: ls-webhooks trigger URL [--action ACTION | --all] [--no-ssrf-protection] [--timeout S]
                           [--header 'Name: value']... [--signing-secret-env NAME | --signing-secret-file PATH]
                           [--json]

Fires at URL, one after the other, every shape of delivery a receiver of Label Studio 1.23.2's
webhooks can get, and reports what the receiver answered to each (its status and time). Each is
built by the library from an event made of the built-in samples, so every byte is Label Studio's:

  ACTION                        each of the 12 actions with its full payload
  ACTION, no payload            {"action": "ACTION"} alone: what a webhook with send_payload false gets
  TASKS_CREATED, split import: batch 1 of 3, ... batch 3 of 3
                                the first and the last batch of an import cut into batches
                                (WEBHOOK_BATCH_SIZE; here 2 tasks a batch)
  TASKS_CREATED, emoji and ints past 2^53, ANNOTATION_CREATED, emoji and ints past 2^53
                                astral-plane text (written as \\ud83d\\ude00 pairs) and ints past 2^53
                                in ids and JSON fields

The events have one organization webhook (id 1) with URL; it is sent with ls-webhooks/safe-fetch
(needs undici), as ls-webhooks send sends.

  URL                   the receiver (http or https)
  --action ACTION       only the shapes of this action
  --all                 every shape (the default)
  --no-ssrf-protection  as SSRF_PROTECTION_ENABLED=false in Label Studio: the events' options.ssrfProtection
                        is false and no address is checked at send time. Needed for a receiver on this
                        machine (loopback) or on a private network, which Label Studio refuses by default:
                        without it such a URL is refused before anything is sent (exit 2), and a host name
                        that resolves to such an address fails each shape (SSRF_BLOCKED)
  --timeout S           seconds per delivery (default 1, Label Studio's WEBHOOK_TIMEOUT: a receiver that
                        answers later loses the event)
  --header 'Name: value'  a header of the webhook, as Label Studio's webhook headers (e.g. Authorization);
                        repeatable
${signingArgs.signingHelp({ id: false })}
  --json                print the report as one JSON document instead
  -h, --help            this text

exit codes: 0 every shape got a 2xx answer, 1 a shape failed (another status, refused, timeout),
  2 usage (or URL refused by the plan), 3 the library or undici is missing`;

class UsageError extends Error {}

/** The wasm module, or null when it is not built. */
const loadLib = () => require("../wasm-lib.js").findLib();

function samplesDir() {
  for (const d of [path.join(__dirname, "..", "samples", "events"), path.join(__dirname, "..", "..", "samples", "events")]) {
    if (fs.existsSync(d)) return d;
  }
  throw new Error("the built-in samples (samples/events/) are missing");
}

/** JSON text of `value`, BigInts written as their digits (ints past 2^53 stay exact). */
function jsonText(value) {
  const mark = "\u0000ls-webhooks-bigint:";
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? `${mark}${v}` : v))
    .replace(/"\\u0000ls-webhooks-bigint:(-?\d+)"/g, "$1");
}

const BIG = {
  id: 9007199254740993n, // 2^53 + 1: the first int a JavaScript number cannot hold
  u64: 18446744073709551617n, // 2^64 + 1
  i64: -9223372036854775809n, // below the smallest 64-bit int
  huge: 123456789012345678901234567890n,
};
const ASTRAL = "Astral plane: 😀 🥐 𝄞 𐍈 👩🏽‍💻, and the BMP: “é” — ✓";

/** The instance rows of a split import: the sample's tasks, cycled to `n` rows with their own ids. */
function splitTasks(rows, n) {
  return Array.from({ length: n }, (_, i) => ({ ...rows[i % rows.length], id: 1001 + i, inner_id: i + 1 }));
}

/** The sample's instance with astral-plane text and ints past 2^53 in its ids and JSON fields. */
function edgeInstance(action, instance) {
  const data = { text: ASTRAL, count: BIG.u64, below_int64: BIG.i64, nested: { ids: [BIG.id, BIG.huge], note: "🧪" } };
  if (action === "TASKS_CREATED") {
    return [{ ...instance[0], id: BIG.id, inner_id: BIG.id, data, meta: { source: "🧪 import", batch: BIG.u64 } }];
  }
  // ANNOTATION_CREATED: the annotation, its result and its task (a full row in the payload).
  const result = [...instance.result, {
    id: "edge😀", type: "textarea", value: { text: [ASTRAL] }, origin: "manual", to_name: "text", from_name: "comment",
    meta: { big: BIG.u64, ids: [BIG.id, BIG.huge] },
  }];
  return { ...instance, id: BIG.id + 2n, result, task: { ...instance.task, id: BIG.id, data } };
}

/**
 * The shapes trigger fires, in order: [{ name, action, kind, batch }] (kind: full,
 * no-payload, split, edge). `only`: one action's.
 */
function shapeList(lib, only) {
  const list = [];
  for (const { action } of lib.actions()) {
    if (only && action !== only) continue;
    list.push({ name: action, action, kind: "full", batch: 0 });
    list.push({ name: `${action}, no payload`, action, kind: "no-payload", batch: 0 });
    if (action === "TASKS_CREATED") {
      list.push({ name: `${action}, split import: batch 1 of 3`, action, kind: "split", batch: 0 });
      list.push({ name: `${action}, split import: batch 3 of 3`, action, kind: "split", batch: 2 });
    }
    if (action === "TASKS_CREATED" || action === "ANNOTATION_CREATED") {
      list.push({ name: `${action}, emoji and ints past 2^53`, action, kind: "edge", batch: 0 });
    }
  }
  return list;
}

/**
 * The event of a shape, as UTF-8 bytes: the sample of its action with one organization
 * webhook (id 1) pointing at `url`; the sample's other members kept byte for byte (the
 * project's label_config_hash is an int past 2^53). The command's options (the SSRF switch,
 * a signing secret) are not written into it: they go to the library beside the event.
 */
function shapeEvent(lib, shape, { url, headers = {} }) {
  const sample = fs.readFileSync(path.join(samplesDir(), `${shape.action}.json`));
  const parsed = JSON.parse(sample.toString("utf8")); // for the organization and the rows to derive from
  const webhook = {
    id: 1, organization: parsed.organization, project: null, url, send_payload: shape.kind !== "no-payload",
    send_for_all_actions: true, headers, is_active: true, actions: [],
  };
  const replace = { webhooks: jsonText([webhook]) };
  if (shape.kind === "split") {
    replace.instance = jsonText(splitTasks(parsed.instance, 5));
    replace.options = jsonText({ batchSize: 2 });
  } else if (shape.kind === "edge") {
    replace.instance = jsonText(edgeInstance(shape.action, parsed.instance));
  }
  return withMembers(lib, sample, replace);
}

/**
 * The shapes for `url`, each with `build()`: its one delivery (built when called, so a signed
 * delivery's timestamp is the time it is sent) and the plan's skipped targets.
 * `options`: { ssrfProtection?: false, signing? }, given to the library beside each event.
 */
function triggerShapes(lib, { url, action, headers = {}, options = {} }) {
  return shapeList(lib, action).map((shape) => ({
    ...shape,
    build() {
      const bytes = shapeEvent(lib, shape, { url, headers });
      const plan = lib.buildDeliveries(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), options);
      const delivery = plan.deliveries.find((d) => d.batch === shape.batch) || null;
      const batches = plan.deliveries.reduce((n, d) => Math.max(n, d.batch + 1), 0);
      return { delivery, skipped: plan.skipped, batches, ssrfProtection: plan.ssrfProtection };
    },
  }));
}

/** Why a send failed, in a few words (as the send command words it). */
function describe(r, timeoutMs) {
  if (!r.error) return `${r.status} ${r.statusText || ""}`.trim();
  return require("../send-error.js").describeSendError(r.error, timeoutMs);
}

function parseArgs(args) {
  const o = { urls: [], headers: {}, all: false, json: false, ssrfProtection: true, timeoutMs: 1000 };
  for (let i = 0; i < args.length; i++) {
    let a = args[i];
    let value;
    const eq = a.indexOf("=");
    if (a.startsWith("--") && eq > 2) [a, value] = [a.slice(0, eq), a.slice(eq + 1)];
    const next = () => {
      if (value !== undefined) return value;
      if (i + 1 >= args.length) throw new UsageError(`${a} needs a value`);
      return args[++i];
    };
    if (a === "--all" || a === "--json" || a === "--no-ssrf-protection") {
      if (value !== undefined) throw new UsageError(`${a} takes no value`);
      if (a === "--all") o.all = true;
      else if (a === "--json") o.json = true;
      else o.ssrfProtection = false;
    } else if (a === "--action") {
      if (o.action !== undefined) throw new UsageError("--action given twice");
      o.action = next();
    } else if (a === "--timeout") {
      const v = next();
      const s = Number(v);
      if (!Number.isFinite(s) || s <= 0) throw new UsageError(`--timeout takes a number of seconds > 0, got: ${v}`);
      o.timeoutMs = Math.round(s * 1000);
    } else if (a === "--header") {
      const v = next();
      const m = /^([^:\s]+):[ \t]*(.*)$/s.exec(v);
      if (!m) throw new UsageError("--header takes 'Name: value'");
      o.headers[m[1]] = m[2];
    } else if (a.length > 1 && a.startsWith("-")) {
      throw new UsageError(`unknown option ${a}`);
    } else {
      o.urls.push(a);
    }
  }
  if (o.urls.length !== 1) throw new UsageError(o.urls.length ? `trigger takes one URL, got ${o.urls.length}` : "a URL is needed");
  if (o.all && o.action !== undefined) throw new UsageError("--action and --all go one at a time");
  return o;
}

const pad = (s, n) => String(s).padEnd(n);

/**
 * ls-webhooks trigger: args as after the command name; env.out/env.err write lines (default:
 * stdout/stderr), env.environment is where --signing-secret-env looks (default process.env).
 * Resolves to the exit code; errors are printed, not thrown.
 */
async function triggerCommand(argv, env = {}) {
  const out = env.out || ((s) => process.stdout.write(s + "\n"));
  const err = env.err || ((s) => process.stderr.write(s + "\n"));
  if (argv.some((a) => a === "--help" || a === "-h")) {
    out(USAGE);
    return EXIT.OK;
  }
  let o, spec, secret = null;
  try {
    const taken = signingArgs.takeSigningArgs("trigger", argv, { id: false });
    spec = taken.spec;
    o = parseArgs(taken.rest);
    if (spec) secret = signingArgs.readSecret("trigger", spec, env.environment || process.env);
  } catch (e) {
    if (e instanceof signingArgs.SigningError) {
      err(`ls-webhooks ${e.message}`);
      return EXIT.USAGE;
    }
    if (!(e instanceof UsageError)) throw e;
    err(`ls-webhooks trigger: ${signingArgs.redact(e.message)}\n${USAGE}`);
    return EXIT.USAGE;
  }
  const lib = loadLib();
  if (!lib) {
    err("ls-webhooks trigger: the wasm package is not built; run: bash scripts/setup.sh");
    return EXIT.NO_INPUT;
  }
  if (o.action !== undefined && !lib.actions().some((a) => a.action === o.action)) {
    err(`ls-webhooks trigger: --action: unknown action ${JSON.stringify(o.action)} (ls-webhooks actions lists the 12)`);
    return EXIT.USAGE;
  }
  const options = o.ssrfProtection ? {} : { ssrfProtection: false };
  if (spec) {
    try {
      options.signing = signingArgs.signingOptions(lib, "trigger", spec, secret);
    } catch (e) {
      if (!(e instanceof signingArgs.SigningError)) throw e;
      err(`ls-webhooks ${e.message}`);
      return EXIT.USAGE;
    }
  }
  let safeFetch;
  try {
    require("undici"); // safe-fetch's (an optional dependency of ls-webhooks)
    ({ safeFetch } = require(path.join(__dirname, "..", "safe-fetch.js")));
  } catch {
    err("ls-webhooks trigger: sending needs the undici package (an optional dependency of ls-webhooks): npm install undici");
    return EXIT.NO_INPUT;
  }

  const shapes = triggerShapes(lib, { url: o.urls[0], action: o.action, headers: o.headers, options });
  // The same webhook in every event: a URL (or header) the plan refuses is refused for all.
  let first;
  try {
    first = shapes[0].build();
  } catch (e) {
    err(`ls-webhooks trigger: ${e.code || "ERROR"}${e.path ? ` at ${e.path}` : ""}: ${signingArgs.redact(e.detail || e.message)}`);
    return EXIT.USAGE;
  }
  if (first.skipped.length) {
    const s = first.skipped[0];
    const hint = s.reason === "SSRF_BLOCKED"
      ? "\n  Label Studio's SSRF protection refuses it; for a receiver on this machine or a private network, add --no-ssrf-protection"
      : "";
    err(`ls-webhooks trigger: ${o.urls[0]} is not sent to: ${s.reason}: ${s.message}${hint}`);
    return EXIT.USAGE;
  }

  const signed = Boolean(options.signing);
  if (!o.json) {
    out(`trigger ${o.urls[0]}: ${shapes.length} shapes, one at a time, timeout ${o.timeoutMs / 1000} s` +
      `${signed ? ", signed (Standard Webhooks)" : ""}${o.ssrfProtection ? "" : ", SSRF protection off"}`);
  }
  const results = [];
  for (const shape of shapes) {
    const built = shape === shapes[0] && !signed ? first : shape.build();
    const d = built.delivery;
    let r;
    if (!d) {
      r = { ok: false, status: null, statusText: null, ms: 0, error: null, text: "nothing to send: the plan has no such delivery" };
    } else {
      r = await safeFetch(d, { timeoutMs: o.timeoutMs, ssrfProtection: built.ssrfProtection });
      r.text = describe(r, o.timeoutMs);
    }
    const bytes = d ? Buffer.byteLength(d.body, "utf8") : 0;
    results.push({
      shape: shape.name, action: shape.action, batch: shape.batch, bytes, ok: r.ok, status: r.status,
      statusText: r.statusText, ms: r.ms, answer: r.text, webhookId: d ? d.headers["webhook-id"] ?? null : null,
      error: r.error ? (r.error.code || r.error.name || "ERROR") : null,
    });
    if (!o.json) {
      out(`  ${pad(r.ok ? "ok" : "FAILED", 6)}  ${pad(r.text, 34)}  ${String(r.ms).padStart(5)} ms  ` +
        `${bytes.toLocaleString("en-US").padStart(9)} bytes  ${shape.name}`);
    }
  }
  const failed = results.filter((x) => !x.ok);
  if (o.json) {
    out(JSON.stringify({ url: o.urls[0], ssrfProtection: o.ssrfProtection, signed, timeoutMs: o.timeoutMs,
      shapes: results, ok: results.length - failed.length, failed: failed.length }, null, 2));
  } else {
    out(`summary: ${results.length} shapes, ${results.length - failed.length} ok, ${failed.length} failed` +
      (failed.length ? `: ${failed.map((x) => x.shape).join("; ")}` : ""));
    if (failed.some((x) => x.error === "SSRF_BLOCKED")) {
      out("  the host resolves to an address Label Studio's SSRF protection refuses: for a receiver on this machine " +
        "or a private network, add --no-ssrf-protection");
    }
  }
  return failed.length ? EXIT.FAILED : EXIT.OK;
}

module.exports = { triggerCommand, triggerShapes, shapeList, USAGE };
