#!/usr/bin/env node
// ls-webhooks: the command line of the library. `ls-webhooks help` lists the commands.
"use strict";
const fs = require("fs");
const http = require("http");
const path = require("path");
// The signing options and the event's bytes with options added (js/commands/), loaded when a
// command needs them: --version and --help work from cli.js alone.
const signing = () => require("./commands/signing.js");

const USAGE = `usage: ls-webhooks <command> [options]     (ls-webhooks <command> --help: the command's options)

  demo                          play a project's life against a local receiver (built-in sample data)
  plan [FILE|-]                 print the delivery plan of an event (JSON) as buildDeliveries returns it
  send [FILE|-] [--timeout S]   build the plan and POST every delivery (default timeout 1 s); with SSRF
                                protection on, each connection's host is resolved once and checked;
                                --queue redis://... [--attempts N] enqueues instead (prints job ids)
  actions [--json]              the 12 actions of Label Studio 1.23.2 as a table (--json: as JSON)
  worker --redis URL [--concurrency N]   send what is queued on Redis (BullMQ), until SIGINT/SIGTERM
  queue --redis URL [--json|--failed|--redeliver JOB_ID]   the queue's counts, failures, redelivery
  redeliver --db DB --action A  rebuild events from Label Studio's own database (SQLite file or postgres://)
                                and show, print (--json) or send (--send) them
  trigger URL [--action A]      fire every shape of delivery a receiver can get at URL (each action, no
                                payload, a split import's batches, emoji and big ints) and report its answers
  version, --version, -v        the package's version
  help [COMMAND]                this text, or a command's options (as COMMAND --help)

FILE is an event as JSON (- reads stdin). Without FILE, plan and send use the built-in
sample TASKS_CREATED event. --no-ssrf-protection (plan, send) sets the event's
options.ssrfProtection to false, as SSRF_PROTECTION_ENABLED=false does in Label Studio.
--signing-secret-env NAME or --signing-secret-file PATH (plan, send, redeliver, trigger) sign every
delivery (Standard Webhooks) with the secret in that variable or file: never on the command line.

exit codes: 0 ok, 1 a delivery failed (send, demo), 2 usage, 3 cannot read the input,
  4 malformed input (not JSON, or not UTF-8), 5 UNKNOWN_ACTION, 6 ORGANIZATION_ONLY_ACTION,
  7 INVALID_EVENT, 8 INVALID_ROW`;

const INPUT_EXITS = `exit codes: 0 ok, 2 usage, 3 cannot read the input, 4 malformed input (not JSON, or not
  UTF-8), 5 UNKNOWN_ACTION, 6 ORGANIZATION_ONLY_ACTION, 7 INVALID_EVENT, 8 INVALID_ROW`;

/** The signing options' --help lines (js/commands/signing.js), or a pointer when it is absent. */
function signingHelpText() {
  try {
    return signing().signingHelp();
  } catch {
    return "  --signing-secret-env NAME, --signing-secret-file PATH, --signing-id ID   sign the deliveries";
  }
}

const FILE_HELP = `  FILE                  an event as JSON, read as bytes (ints of any size and floats stay
                        exact); - reads stdin; without FILE, the built-in sample TASKS_CREATED event
  --no-ssrf-protection  set the event's options.ssrfProtection to false, as
                        SSRF_PROTECTION_ENABLED=false does in Label Studio (every other byte of
                        the event is kept)
${signingHelpText()}`;

/** Each command's --help (worker, queue and redeliver: their modules' own). */
const COMMAND_USAGE = {
  plan: `usage: ls-webhooks plan [FILE|-] [--no-ssrf-protection]
                         [--signing-secret-env NAME | --signing-secret-file PATH] [--signing-id ID]

Prints the delivery plan of the event as JSON, equal to buildDeliveries (bodies of
bodyAs "bytes" printed as text).

${FILE_HELP}
  -h, --help            this text

${INPUT_EXITS}`,
  send: `usage: ls-webhooks send [FILE|-] [--timeout S] [--no-ssrf-protection]
       ls-webhooks send [FILE|-] --queue redis://... [--attempts N] [--prefix P] [--timeout S] [--no-ssrf-protection]
       (both take [--signing-secret-env NAME | --signing-secret-file PATH] [--signing-id ID])

POSTs every delivery of the event's plan through ls-webhooks/safe-fetch (needs undici): with
SSRF protection on, each connection's host is resolved once and checked; redirects are
followed as Label Studio's requests follows them. Prints one line per delivery (the status, or
why it failed; an answer other than 2xx counts as failed) and a summary; more than 20
deliveries: a progress line and one line per target. A failing target never stops the others.

${FILE_HELP}
  --timeout S           seconds per delivery (default 1, as Label Studio's WEBHOOK_TIMEOUT)
  --queue redis://...   enqueue the deliveries on Redis (BullMQ) for ls-webhooks worker instead
                        of sending them; prints the job ids
  --attempts N          with --queue: tries per delivery (default 1)
  --prefix P            with --queue: the Redis key prefix (default lsw)
  -h, --help            this text

Signed deliveries carry the time they were signed (webhook-timestamp), and receivers refuse
them after their tolerance (5 minutes in the Standard Webhooks libraries). A job on the queue
keeps the signature it was enqueued with, through retries (--attempts) and redeliveries
(ls-webhooks queue --redeliver). With --signing-id, the id is part of each job's id: the same
event enqueued under another id is queued again, newly signed (under the same id: nothing new).

exit codes: 0 ok, 1 a delivery failed (with --queue: Redis could not be used), 2 usage,
  3 cannot read the input, 4 malformed input (not JSON, or not UTF-8), 5 UNKNOWN_ACTION,
  6 ORGANIZATION_ONLY_ACTION, 7 INVALID_EVENT, 8 INVALID_ROW`,
  actions: `usage: ls-webhooks actions [--json]

Prints the 12 actions of Label Studio 1.23.2 as a table: ACTION, KEY (the body's key), SHAPE
(one row or a list), SERIALIZER, SCOPE (org only: organization webhooks only), NESTED.

  --json                the registry as JSON instead: one array, as the library's actions() returns it
  -h, --help            this text

exit codes: 0 ok, 2 usage`,
  demo: `usage: ls-webhooks demo [--timeout S]

Plays a project's life (created, tasks imported, annotated, updated, tasks deleted) with
built-in sample data against a receiver on 127.0.0.1, and checks that every body arrived byte
for byte. Its events have options.ssrfProtection false (the receiver is on loopback). Needs
undici (an optional dependency).

  --timeout S           seconds per delivery (default 1)
  -h, --help            this text

exit codes: 0 ok, 1 a delivery failed or a body differed from its plan, 2 usage`,
};

const EXIT = {
  OK: 0, DELIVERY_FAILED: 1, USAGE: 2, NO_INPUT: 3, MALFORMED_JSON: 4,
  UNKNOWN_ACTION: 5, ORGANIZATION_ONLY_ACTION: 6, INVALID_EVENT: 7, INVALID_ROW: 8,
};
/** Plans with more deliveries than this get a progress line instead of one line per delivery. */
const MANY = 20;
/** `send` plans an event larger than this one batch at a time (planBatches), so memory stays bounded. */
const STREAM_BYTES = 1 << 20;

class CliError extends Error {
  constructor(message, exitCode) {
    super(message);
    this.exitCode = exitCode;
  }
}

function loadLib() {
  const lib = require("./wasm-lib.js").findLib();
  if (!lib) throw new CliError("the wasm package is not built; run: bash scripts/setup.sh", EXIT.NO_INPUT);
  return lib;
}

/**
 * The package's version: the package.json beside this file (the npm package), else, in the
 * repository, pkg/package.json (the built package) or Cargo.toml's [package] version.
 */
function packageVersion() {
  for (const p of [path.join(__dirname, "package.json"), path.join(__dirname, "..", "pkg", "package.json")]) {
    try {
      const meta = JSON.parse(fs.readFileSync(p, "utf8"));
      if (meta.name === "ls-webhooks" && typeof meta.version === "string") return meta.version;
    } catch {
      // not there: the next place
    }
  }
  try {
    let inPackage = false;
    for (const line of fs.readFileSync(path.join(__dirname, "..", "Cargo.toml"), "utf8").split(/\r?\n/)) {
      if (/^\s*\[/.test(line)) inPackage = /^\s*\[package\]\s*$/.test(line);
      const m = inPackage && /^\s*version\s*=\s*"([^"]+)"/.exec(line);
      if (m) return m[1];
    }
  } catch {
    // not in the repository
  }
  throw new CliError("cannot find the package's version (no package.json beside the CLI)", EXIT.NO_INPUT);
}

const isHelp = (a) => a === "--help" || a === "-h";
/** An option (or a mistyped one): "-" alone is stdin, not an option. */
const isOption = (a) => a.length > 1 && a.startsWith("-");

/** --name=value as [name, value]; anything else as [a, undefined]. */
function splitOption(a) {
  const eq = a.indexOf("=");
  return a.startsWith("--") && eq > 2 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
}

function samplePath(action) {
  for (const dir of [path.join(__dirname, "samples", "events"), path.join(__dirname, "..", "samples", "events")]) {
    const p = path.join(dir, `${action}.json`);
    if (fs.existsSync(p)) return p;
  }
  throw new CliError(`the built-in sample ${action}.json is missing`, EXIT.NO_INPUT);
}

/** The event as bytes: the library's exact path (ints of any size, floats stay floats). */
function readEvent(file) {
  if (!file) {
    const p = samplePath("TASKS_CREATED");
    const rel = path.relative(process.cwd(), p);
    console.error(`(no event given: using the built-in sample ${rel.startsWith("..") ? p : rel})`);
    return { name: p, bytes: fs.readFileSync(p) };
  }
  if (file === "-") return { name: "stdin", bytes: fs.readFileSync(0) };
  try {
    return { name: file, bytes: fs.readFileSync(file) };
  } catch (e) {
    const why = e.code === "ENOENT" ? "no such file" : e.code === "EISDIR" ? "is a directory" : e.message;
    throw new CliError(`cannot read ${file}: ${why}`, EXIT.NO_INPUT);
  }
}

/** Whether bytes are UTF-8 (buffer.isUtf8 from Node 18.14; a strict decode before). */
function isUtf8(bytes) {
  const { isUtf8: check } = require("buffer");
  if (typeof check === "function") return check(bytes);
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * The library's thrown error as a message and an exit code (other errors as they are).
 * `input`: the event as given, when it was bytes.
 */
function cliError(name, e, input) {
  if (!e || typeof e.code !== "string" || typeof e.detail !== "string") return e;
  const where = e.path ? ` at ${e.path}` : "";
  // Bytes that are not UTF-8 are malformed input too. The library reports them as
  // INVALID_EVENT of the event itself (path "") with no distinct code: the CLI checks the
  // bytes itself rather than reading the message.
  if (e.code === "INVALID_EVENT" && !e.path && input instanceof Uint8Array && !isUtf8(input)) {
    return new CliError(`${name}: ${e.detail}`, EXIT.MALFORMED_JSON);
  }
  if (typeof e.offset === "number") { // malformed JSON: the library says where, as fields
    return new CliError(`${name} is not valid JSON: ${e.detail.replace(/^malformed JSON: /, "")}`, EXIT.MALFORMED_JSON);
  }
  return new CliError(`${name}: ${e.code}${where}: ${e.detail}`, EXIT[e.code] ?? EXIT.INVALID_EVENT);
}

/**
 * buildDeliveries (or `make`: planBatches), with its thrown errors turned into a message
 * and an exit code.
 */
function build(lib, name, event, make = lib.buildDeliveries) {
  try {
    return make(event);
  } catch (e) {
    throw cliError(name, e, event);
  }
}

// ---- options from the command line: --no-ssrf-protection, the signing options ----

/**
 * The options the command line adds to the event ({ ssrfProtection: false, signing }), read
 * from `spec` (signing.js's takeSigningArgs): the secret from its variable or file, checked by
 * the library. A usage error (never showing the secret) when it cannot be had.
 */
function optionsFrom(lib, cmd, noSsrfProtection, spec) {
  const extra = noSsrfProtection ? { ssrfProtection: false } : {};
  if (spec) {
    try {
      extra.signing = signing().signingOptions(lib, cmd, spec, signing().readSecret(cmd, spec));
    } catch (e) {
      if (e instanceof signing().SigningError) throw new CliError(e.message, EXIT.USAGE);
      throw e;
    }
  }
  return extra;
}

/** Takes the signing options out of `args` (see js/commands/signing.js), as a usage error when they are wrong. */
function takeSigning(cmd, args) {
  try {
    return signing().takeSigningArgs(cmd, args);
  } catch (e) {
    if (e instanceof signing().SigningError) throw new CliError(e.message, EXIT.USAGE);
    throw e;
  }
}

/**
 * build() of the event's bytes with `extra` (see optionsFrom) as the library's second
 * argument: options given apart from the event, each replacing the event's own, so the
 * event's bytes (and a secret) stay as they are. `make`: buildDeliveries (a plan) or
 * planBatches (an iterator with the same getters).
 */
function buildBytes(lib, name, bytes, extra, make = lib.buildDeliveries) {
  const exact = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return build(lib, name, exact, (event) => make(event, extra));
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

function bodyText(body) {
  return typeof body === "string" ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
}

// ---- plan, actions ----

/** Prints a command's --help on stdout. */
function help(cmd) {
  console.log(COMMAND_USAGE[cmd]);
  return EXIT.OK;
}

function planCmd(argv) {
  if (argv.some(isHelp)) return help("plan");
  const { rest: args, spec } = takeSigning("plan", argv);
  let noSsrfProtection = false;
  const files = [];
  for (const a of args) {
    if (isHelp(a)) return help("plan");
    if (a === "--no-ssrf-protection") noSsrfProtection = true;
    else if (isOption(a)) throw new CliError(`plan: unknown option ${a}`, EXIT.USAGE);
    else files.push(a);
  }
  if (files.length > 1) throw new CliError(`plan takes one FILE, got: ${files.join(" ")}`, EXIT.USAGE);
  const lib = loadLib();
  const extra = optionsFrom(lib, "plan", noSsrfProtection, spec);
  const { name, bytes } = readEvent(files[0]);
  const plan = buildBytes(lib, name, bytes, extra);
  for (const d of plan.deliveries) d.body = bodyText(d.body); // bodyAs "bytes": print the text
  process.stdout.write(JSON.stringify(plan, null, 2) + "\n");
  return EXIT.OK;
}

function actionsCmd(args) {
  let json = false;
  for (const a of args) {
    if (isHelp(a)) return help("actions");
    if (a === "--json") json = true;
    else if (isOption(a)) throw new CliError(`actions: unknown option ${a}`, EXIT.USAGE);
    else throw new CliError(`actions: unknown argument ${a}`, EXIT.USAGE);
  }
  const lib = loadLib();
  if (json) {
    process.stdout.write(JSON.stringify(lib.actions(), null, 2) + "\n");
    return EXIT.OK;
  }
  const rows = lib.actions().map((a) => [a.action, a.key, a.many ? "list" : "one", a.serializer,
    a.organizationOnly ? "org only" : "", a.nestedFields.map((n) => n.key).join(",")]);
  const head = ["ACTION", "KEY", "SHAPE", "SERIALIZER", "SCOPE", "NESTED"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd());
  return EXIT.OK;
}

// ---- sending ----

let safeFetchModule;
/** ls-webhooks/safe-fetch (beside this file), or a CliError when its undici is missing. */
function loadSafeFetch() {
  if (safeFetchModule) return safeFetchModule;
  try {
    require("undici"); // resolved from this directory, as safe-fetch.js (beside it) does
  } catch {
    throw new CliError("sending needs the undici package (an optional dependency of ls-webhooks, " +
      "for the SSRF guard): npm install undici", EXIT.USAGE);
  }
  return (safeFetchModule = require("./safe-fetch.js"));
}

/**
 * A plan's or a planBatches iterator's shape, known before anything is sent: every target
 * that is not skipped gets every batch.
 */
function shapeOf(source) {
  if (Array.isArray(source.deliveries)) {
    return { action: source.action, targets: source.targets, skipped: source.skipped, deliveries: source.deliveries.length,
      batches: source.deliveries.reduce((n, d) => Math.max(n, d.batch + 1), 0) };
  }
  const { action, targets, skipped, batchCount } = source;
  const sending = targets.filter((id) => !skipped.some((s) => s.webhookId === id)).length; // an INVALID_WEBHOOK row is no target
  return { action, targets, skipped, deliveries: batchCount * sending, batches: batchCount };
}

/**
 * Sends a plan (or a planBatches iterator, pulled as the deliverer has room) with
 * ls-webhooks/deliver: one FIFO per target, so targets run side by side and each gets its
 * deliveries in plan order (batch by batch, as Label Studio sends them); the SSRF guard on
 * every connection when the plan was made with protection on; a failing target never stops
 * the others. Prints one line per delivery as each completes, or for many deliveries a
 * progress line and one line per target. `error`: what stopped the plan midway (a batch's
 * row that cannot be rendered), or null.
 */
async function sendPlan(source, { timeoutMs, indent = "  ", out = console.log }) {
  const { createDeliverer } = require("./deliver.js");
  const shape = shapeOf(source);
  const many = shape.deliveries > MANY;
  const perTarget = new Map(shape.targets.map((id) => [id, { url: "", ok: 0, failed: 0, texts: new Map() }]));
  const tty = process.stderr.isTTY;
  const step = Math.max(1, Math.floor(shape.deliveries / 10));
  let done = 0, failed = 0, lastShown = -1;
  const progress = (final) => {
    const line = `${indent}progress: ${done}/${shape.deliveries} sent, ${failed} failed`;
    if (tty) process.stderr.write(`\r${line}${final ? "\n" : ""}`);
    else if ((final || done % step === 0) && done !== lastShown) {
      process.stderr.write(line + "\n");
      lastShown = done;
    }
  };
  const onResult = (r) => {
    const d = r.delivery;
    done++;
    if (!r.ok) failed++;
    const t = perTarget.get(d.webhookId);
    if (t) {
      t.url = d.url;
      t[r.ok ? "ok" : "failed"]++;
      t.texts.set(r.text, (t.texts.get(r.text) || 0) + 1);
    }
    if (!many) {
      const batch = shape.batches > 1 ? `  batch ${d.batch + 1}/${shape.batches}` : "";
      out(`${indent}webhook ${d.webhookId}${batch}  ${r.ok ? "" : "FAILED "}${r.text}  ${r.ms} ms  ${d.url}`);
    } else {
      progress(done === shape.deliveries);
    }
  };
  let error = null;
  if (shape.deliveries) { // (nothing to send needs no undici)
    const deliverer = createDeliverer({ timeoutMs, onResult });
    try {
      await deliverer.deliver(source);
    } catch (e) {
      error = e;
    }
    await deliverer.close();
  }
  if (many) {
    if (done !== shape.deliveries) progress(true); // stopped midway
    for (const [id, t] of perTarget) {
      if (!t.ok && !t.failed) continue; // skipped, or nothing sent
      const texts = [...t.texts].map(([text, n]) => `${text} ×${n}`).join(", ");
      out(`${indent}webhook ${id}  ${t.ok}/${t.ok + t.failed} ok  ${texts}  ${t.url}`);
    }
  }
  // An unreadable webhook row (INVALID_WEBHOOK) may have no id: its path says which.
  for (const s of shape.skipped) out(`${indent}webhook ${s.webhookId ?? s.path}  skipped: ${s.reason}: ${s.message}`);
  return { sent: done, failed, skipped: shape.skipped.length, batches: shape.batches, error };
}

function parseTimeout(value) {
  const s = Number(value);
  if (value === undefined || !Number.isFinite(s) || s <= 0) {
    throw new CliError(`--timeout takes a number of seconds > 0, got: ${value === undefined ? "nothing" : value}`, EXIT.USAGE);
  }
  return Math.round(s * 1000);
}

async function sendCmd(argv) {
  if (argv.some(isHelp)) return help("send");
  const { rest: args, spec } = takeSigning("send", argv);
  let timeoutMs = 1000; // Label Studio's WEBHOOK_TIMEOUT
  let noSsrfProtection = false;
  const files = [];
  const queueArgs = []; // --queue URL [--attempts N] [--prefix P]: enqueue on Redis instead of sending
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (isHelp(a)) return help("send");
    if (a === "--no-ssrf-protection") noSsrfProtection = true;
    else if (a === "--queue" || a === "--attempts" || a === "--prefix") queueArgs.push(a, args[++i]);
    else if (/^--(queue|attempts|prefix)=/.test(a)) queueArgs.push(a);
    else if (a === "--timeout") timeoutMs = parseTimeout(args[++i]);
    else if (a.startsWith("--timeout=")) timeoutMs = parseTimeout(a.slice("--timeout=".length));
    else if (isOption(a)) throw new CliError(`send: unknown option ${a}`, EXIT.USAGE);
    else files.push(a);
  }
  if (files.length > 1) throw new CliError(`send takes one FILE, got: ${files.join(" ")}`, EXIT.USAGE);
  const lib = loadLib();
  const extra = optionsFrom(lib, "send", noSsrfProtection, spec);
  const { name, bytes } = readEvent(files[0]);
  // A large event is planned one batch at a time: the deliverer pulls the next batch when it
  // has room, so only a few batches' bodies are alive. A row that cannot be rendered then
  // stops the event at its batch (the batches before it are sent), as in Label Studio.
  const source = buildBytes(lib, name, bytes, extra, bytes.length > STREAM_BYTES ? lib.planBatches : lib.buildDeliveries);
  if (queueArgs.some((x) => x === "--queue" || x.startsWith("--queue="))) {
    // The queue's workers send (ls-webhooks worker): no undici needed here.
    if (timeoutMs !== 1000) queueArgs.push("--timeout", String(timeoutMs / 1000));
    // With --signing-id, the event's id is part of each job id: enqueued again under another id,
    // the same event makes new jobs (newly signed); under the same id, none.
    return require("./commands/queue.js").enqueueFromPlan(source, queueArgs, spec && spec.id !== undefined ? { eventId: spec.id } : {});
  }
  if (queueArgs.length) throw new CliError("send: --attempts and --prefix go with --queue URL", EXIT.USAGE);
  const shape = shapeOf(source);
  if (shape.deliveries) loadSafeFetch(); // before any output
  console.log(`${shape.action}: ${plural(shape.deliveries, "delivery", "deliveries")} to ` +
    `${plural(shape.targets.length, "target", "targets")} (${plural(shape.batches, "batch", "batches")}), timeout ${timeoutMs / 1000} s`);
  for (const w of source.warnings || []) console.log(`  warning: ${w.code}: ${w.message}`);
  const r = await sendPlan(source, { timeoutMs });
  const ok = r.sent - r.failed;
  console.log(`summary: ${plural(r.sent, "delivery", "deliveries")}, ${ok} ok, ${r.failed} failed, ` +
    `${plural(r.skipped, "webhook", "webhooks")} skipped`);
  if (r.error) throw cliError(name, r.error, bytes);
  return r.failed ? EXIT.DELIVERY_FAILED : EXIT.OK;
}

// ---- demo ----

/** A receiver on 127.0.0.1 (a free port) that records every request and answers 200. */
function startReceiver() {
  const received = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      received.push({ method: req.method, path: req.url, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const close = () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); });
      resolve({ url: `http://127.0.0.1:${server.address().port}`, received, close });
    });
  });
}

/** The demo's story, built from the sample events (samples/events/*.json). */
function demoSteps(base) {
  // The rows cross as JS objects, as a Node backend holds them: the one int past 2^53 (the
  // project's label_config_hash) becomes a BigInt; inside JSON fields 1.0 reads as 1.
  const sample = (action) => {
    const text = fs.readFileSync(samplePath(action), "utf8");
    const value = JSON.parse(text);
    const hash = /"label_config_hash": (\d+)/.exec(text);
    for (const p of [value.project, value.instance]) {
      if (hash && p && p.label_config_hash !== undefined) p.label_config_hash = BigInt(hash[1]);
    }
    return value;
  };
  const webhooks = [
    { id: 1, organization: 1, project: 12, url: `${base}/ml-backend/hook`, send_payload: true,
      send_for_all_actions: true, headers: { Authorization: "Bearer sample-token" }, is_active: true, actions: [] },
    { id: 2, organization: 1, project: null, url: `${base}/audit/events`, send_payload: true,
      send_for_all_actions: false, headers: { "X-Source": "label-studio" }, is_active: true,
      actions: ["PROJECT_CREATED", "TASKS_CREATED", "TASKS_DELETED"] },
    { id: 3, organization: 1, project: 12, url: `${base}/ping/notify`, send_payload: false,
      send_for_all_actions: true, headers: {}, is_active: true, actions: [] },
    { id: 4, organization: 1, project: null, url: `${base}/old/hook`, send_payload: true,
      send_for_all_actions: true, headers: {}, is_active: false, actions: [] },
  ];
  const batchSize = 5;
  const options = { ssrfProtection: false, batchSize };
  const counts = (p, tasks, annotations, labelled) => Object.assign(p, {
    task_number: tasks, total_annotations_number: annotations, num_tasks_with_annotations: labelled,
    finished_task_number: labelled, useful_annotation_number: annotations, total_predictions_number: 0,
  });
  const project = sample("PROJECT_UPDATED").project;
  const fresh = counts({ ...project, updated_at: project.created_at }, 0, 0, 0);
  const template = sample("TASKS_CREATED").instance[0];
  const texts = [
    "The croissants were flaky and warm 🥐", "Service was slow; the “flat white” was cold.",
    "Déjà vu: same great espresso as last year", "Too loud to talk, great music though",
    "Best almond croissant in town", "Waited 20 minutes for a table", "Friendly staff, tiny tables",
    "Oat milk costs extra (€0.60)", "Lovely terrace in the sun ☀", "Cake was dry", "Would come back!",
    "Wi-Fi password changes daily",
  ];
  const tasks = texts.map((text, i) => ({ ...template, id: 41 + i, inner_id: i + 1, data: { text }, meta: {} }));
  const imported = counts({ ...project }, tasks.length, 0, 0);
  const ann = sample("ANNOTATION_CREATED").instance;
  const annotated = counts({ ...project }, tasks.length, 1, 1);
  const updated = { ...sample("ANNOTATION_UPDATED").instance };
  const deleted = [{ id: 51 }, { id: 52 }];
  const after = counts({ ...project }, tasks.length - deleted.length, 1, 1);
  const event = (action, proj, instance, what) =>
    ({ what, event: { action, organization: 1, project: proj, instance, webhooks, options } });
  return {
    webhooks, batchSize,
    steps: [
      event("PROJECT_CREATED", null, fresh, `project ${project.id} "${project.title}" created`),
      event("TASKS_CREATED", imported, tasks, `${tasks.length} tasks imported (batches of ${batchSize})`),
      event("ANNOTATION_CREATED", annotated, ann, `annotation ${ann.id} submitted on task ${ann.task.id}`),
      event("ANNOTATION_UPDATED", annotated, updated, `annotation ${updated.id} updated`),
      event("TASKS_DELETED", after, deleted, `tasks ${deleted.map((t) => t.id).join(", ")} deleted`),
    ],
  };
}

/** A one-line look at a JSON body: its keys, lists by length. */
function sketch(body) {
  const value = JSON.parse(body.toString("utf8"));
  return "{" + Object.entries(value).map(([k, v]) => {
    if (Array.isArray(v)) return `${k}: [${v.length}]`;
    if (v && typeof v === "object") return `${k}: {id: ${v.id ?? "…"}}`;
    return `${k}: ${JSON.stringify(v)}`;
  }).join(", ") + "}";
}

async function demoCmd(args) {
  let timeoutMs = 1000;
  for (let i = 0; i < args.length; i++) {
    const [a, value] = splitOption(args[i]);
    if (isHelp(a)) return help("demo");
    if (a === "--timeout") timeoutMs = parseTimeout(value ?? args[++i]);
    else throw new CliError(`demo: unknown ${isOption(a) ? "option" : "argument"} ${args[i]}`, EXIT.USAGE);
  }
  const lib = loadLib();
  loadSafeFetch();
  const receiver = await startReceiver();
  try {
    const { webhooks, batchSize, steps } = demoSteps(receiver.url);
    console.log(`ls-webhooks demo: Label Studio 1.23.2 webhooks, played against a receiver on ${receiver.url}`);
    console.log("webhooks configured (organization 1, project 12):");
    for (const w of webhooks) {
      const scope = w.project == null ? "organization" : `project ${w.project}`;
      const acts = w.send_for_all_actions ? "all actions" : w.actions.join(", ");
      console.log(`  ${w.id}  ${scope.padEnd(12)}  ${new URL(w.url).pathname.padEnd(17)}  ${acts}` +
        `${w.send_payload ? "" : "  (no payload)"}${w.is_active ? "" : "  (inactive)"}`);
    }
    console.log("note: options.ssrfProtection is false: Label Studio's SSRF protection (on by default) would");
    console.log(`      block a receiver on 127.0.0.1. batchSize is ${batchSize} (Label Studio's default is 5000).`);
    const sent = [];
    let failed = 0;
    for (const [n, step] of steps.entries()) {
      const plan = build(lib, step.event.action, step.event);
      console.log(`\n${n + 1}. ${step.what}: ${plan.action} → ${plural(plan.deliveries.length, "delivery", "deliveries")} to webhooks ${plan.targets.join(", ")}`);
      const r = await sendPlan(plan, { timeoutMs, indent: "   " }); // this event's, before the next
      failed += r.failed;
      sent.push(...plan.deliveries);
    }
    console.log(`\nthe receiver got ${receiver.received.length} requests:`);
    for (const [i, got] of receiver.received.entries()) {
      const auth = got.headers.authorization ? `  Authorization: ${got.headers.authorization}` : "";
      const src = got.headers["x-source"] ? `  X-Source: ${got.headers["x-source"]}` : "";
      console.log(`  ${String(i + 1).padStart(2)}. ${got.method} ${got.path.padEnd(17)} ${String(got.body.length).padStart(5)} bytes${auth}${src}`);
      console.log(`      ${sketch(got.body)}`);
    }
    // Every delivery arrived, each target's in plan order, with the plan's exact bytes.
    const byTarget = (items, where) => items.reduce((m, x) => m.set(where(x), [...(m.get(where(x)) || []), x]), new Map());
    const got = byTarget(receiver.received, (g) => g.path);
    let exact = 0;
    for (const [where, ds] of byTarget(sent, (d) => new URL(d.url).pathname + new URL(d.url).search)) {
      ds.forEach((d, i) => {
        const g = (got.get(where) || [])[i];
        if (g && g.body.equals(Buffer.from(bodyText(d.body), "utf8"))) exact++;
      });
    }
    const allExact = exact === sent.length && receiver.received.length === sent.length;
    console.log(`\nsummary: ${steps.length} events, ${sent.length} deliveries sent, ${receiver.received.length} received, ` +
      `${failed} failed; ${allExact ? "every body byte-identical to its plan" : `only ${exact} bodies match their plan`}.`);
    return allExact && failed === 0 ? EXIT.OK : EXIT.DELIVERY_FAILED;
  } finally {
    await receiver.close();
  }
}

/**
 * `redeliver`: its own module (js/commands/redeliver.js). --send goes through the embedded
 * deliverer, or with --queue redis://... onto the BullMQ queue for `ls-webhooks worker`.
 */
async function redeliverCmd(args) {
  const { redeliverCommand } = require("./commands/redeliver.js");
  const rest = [];
  let queueUrl = null;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--queue") queueUrl = args[++i] ?? "";
    else if (args[i].startsWith("--queue=")) queueUrl = args[i].slice("--queue=".length);
    else rest.push(args[i]);
  }
  if (queueUrl === "") throw new CliError("redeliver: --queue needs a redis:// URL", EXIT.USAGE);
  let deliverer = null;
  let producer = null;
  const deliver = queueUrl
    ? async (plan, context = {}) => {
      producer ??= require("./queue.js").createProducer({ connection: queueUrl });
      // --signing-id: the event's id is part of each job id (as send --queue --signing-id).
      const ids = await producer.enqueue(plan, context.signingId ? { eventId: context.signingId } : {});
      console.error(`${plan.action}: ${ids.length} deliveries queued on ${queueUrl.replace(/\/\/[^@/]*@/, "//")}`);
      return { failed: 0 };
    }
    : (plan) => (deliverer ??= require("./deliver.js").createDeliverer({ log: (line) => console.error(line) })).deliver(plan);
  try {
    // redeliverCommand loads the library itself, after its options (so --help needs no wasm).
    return await redeliverCommand(rest, { deliver });
  } finally {
    if (deliverer) await deliverer.close();
    if (producer) await producer.close();
  }
}

async function main(argv) {
  const [cmd, ...rest] = argv;
  const queueCmds = () => require("./commands/queue.js"); // BullMQ on Redis (optional peers)
  // Each command parses its own options (--help, -h included) and loads the library after.
  const commands = {
    plan: planCmd, send: sendCmd, actions: actionsCmd, demo: demoCmd, redeliver: redeliverCmd,
    trigger: (rest) => require("./commands/trigger.js").triggerCommand(rest),
    worker: (rest) => queueCmds().workerCommand(rest),
    queue: (rest) => queueCmds().queueCommand(rest),
  };
  if (cmd === "version" || cmd === "--version" || cmd === "-v") {
    if (rest.length) throw new CliError(`${cmd} takes no arguments, got: ${rest.join(" ")}`, EXIT.USAGE);
    console.log(packageVersion());
    return EXIT.OK;
  }
  if (cmd === undefined || cmd === "help" || isHelp(cmd)) {
    // help COMMAND: that command's --help
    if (cmd === "help" && rest.length === 1 && Object.hasOwn(commands, rest[0])) return commands[rest[0]](["--help"]);
    (cmd === undefined ? console.error : console.log)(USAGE);
    return cmd === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (!Object.hasOwn(commands, cmd)) throw new CliError(`unknown command "${cmd}"\n${USAGE}`, EXIT.USAGE);
  return commands[cmd](rest);
}

// `ls-webhooks plan | head`: a closed pipe ends the output quietly.
process.stdout.on("error", (e) => { if (e.code === "EPIPE") process.exit(process.exitCode ?? 0); else throw e; });

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => {
    if (!(e instanceof CliError)) throw e;
    let message = e.message;
    try {
      message = signing().redact(message); // never a secret, even one misplaced
    } catch {
      // cli.js alone (no commands/ beside it): it read no secret
    }
    console.error(`ls-webhooks: ${message}`);
    process.exitCode = e.exitCode;
  },
);
