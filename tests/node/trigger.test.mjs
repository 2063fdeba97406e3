// `ls-webhooks trigger URL`: every shape of delivery, fired at receivers this project did not
// write, started by the test on free loopback ports:
// - Label Studio's own ML backend (PyPI label-studio-ml 1.0.9, in tools/receivers/.venv-ml):
//   its /webhook route, app made by its init_app, under gunicorn as its Dockerfile runs it, with
//   a LabelStudioMLBase subclass that trains (fit) on each webhook and records what it got;
// - the PyPI standardwebhooks package verifying signatures behind Python's http.server
//   (tools/receivers/verify_receiver.py, in tools/receivers/.venv), and the same answering
//   500 to one action.
// scripts/setup.sh makes both venvs.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { createRequire } from "node:module";
import { ROOT, refusedUrl, runCli } from "./loopback.mjs";

const require = createRequire(import.meta.url);
const lib = require(path.join(ROOT, "pkg"));
const { triggerShapes, shapeList } = require(path.join(ROOT, "js", "commands", "trigger.js"));
const { withMembers } = require(path.join(ROOT, "js", "commands", "event-bytes.js"));
const RECEIVERS = path.join(ROOT, "tools", "receivers");
const ML_VENV = path.join(RECEIVERS, ".venv-ml");
const SW_PY = path.join(RECEIVERS, ".venv", "bin", "python");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ls-webhooks-trigger-"));
const SECRET = "whsec_" + Buffer.from("the trigger tests' signing secret").toString("base64");

// Every child dies with this process, whatever happens (each by its own pid).
const children = new Set();
process.on("exit", () => { for (const c of children) try { c.kill("SIGKILL"); } catch {} });
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs the CLI with `env` added to this process's environment. */
const cli = (args, opts) => runCli(args, { timeoutMs: 120000, ...opts });

/** A child process whose output is kept; resolves once `ready` matches it (or rejects when it exits). */
async function startChild(cmd, args, { env = {}, cwd = ROOT, ready, what }) {
  const proc = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  children.add(proc);
  const exited = new Promise((resolve) => proc.on("exit", (code, signal) => { children.delete(proc); resolve({ code, signal }); }));
  let log = "";
  const lines = [];
  readline.createInterface({ input: proc.stdout }).on("line", (l) => { lines.push(l); log += l + "\n"; });
  proc.stderr.on("data", (c) => { log += c; });
  const end = Date.now() + 60000;
  let m;
  while (!(m = ready.exec(log))) {
    if (proc.exitCode !== null || Date.now() > end) {
      proc.kill("SIGKILL");
      throw new Error(`${what} did not start:\n${log}`);
    }
    await sleep(50);
  }
  return {
    proc, lines, match: m, log: () => log,
    async stop() {
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 10000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Label Studio's ML backend (label-studio-ml 1.0.9) under gunicorn on a free loopback port. */
async function startMlBackend() {
  const gunicorn = path.join(ML_VENV, "bin", "gunicorn");
  assert.ok(fs.existsSync(gunicorn), `${gunicorn} is missing: bash scripts/setup.sh makes tools/receivers/.venv-ml (PyPI label-studio-ml)`);
  const fits = fs.mkdtempSync(path.join(tmp, "fits-"));
  const models = fs.mkdtempSync(path.join(tmp, "models-"));
  const child = await startChild(gunicorn, ["--chdir", RECEIVERS, "--bind", "127.0.0.1:0", "--workers", "1", "--threads", "8",
    "--timeout", "0", "ml_backend:app"], {
    env: { MODEL_DIR: models, LSW_FIT_LOG_DIR: fits, PYTHONDONTWRITEBYTECODE: "1" },
    ready: /Listening at: http:\/\/127\.0\.0\.1:\d+[\s\S]*Booting worker/, what: "gunicorn (ml_backend:app)",
  });
  const port = /Listening at: http:\/\/127\.0\.0\.1:(\d+)/.exec(child.log())[1];
  // The worker has booted: wait until the app answers (label-studio-ml's health route).
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (i > 200) throw new Error(`the ML backend does not answer:\n${child.log()}`);
    await sleep(100);
  }
  /** What fit() recorded so far: [{ event, body, job_id }]. */
  const records = () => fs.readdirSync(fits).filter((f) => f.startsWith("fit-")).map((f) => JSON.parse(fs.readFileSync(path.join(fits, f), "utf8")));
  return { ...child, url, records };
}

/** tools/receivers/verify_receiver.py (PyPI standardwebhooks) on a free loopback port. */
async function startVerifier(extra = []) {
  assert.ok(fs.existsSync(SW_PY), `${SW_PY} is missing: bash scripts/setup.sh makes tools/receivers/.venv (PyPI standardwebhooks)`);
  const child = await startChild(SW_PY, [path.join(RECEIVERS, "verify_receiver.py"), "--secret-env", "LSW_RECEIVER_SECRET", ...extra], {
    env: { LSW_RECEIVER_SECRET: SECRET }, ready: /"listening": "(http:\/\/127\.0\.0\.1:\d+)"/, what: "verify_receiver.py",
  });
  const requests = () => child.lines.slice(1).map((l) => JSON.parse(l));
  return { ...child, url: child.match[1], requests };
}

const ALL = shapeList(lib);
const count = (xs) => xs.reduce((m, x) => m.set(x, (m.get(x) || 0) + 1), new Map());

test("the shapes: each of the 12 actions with its payload and without, a split import's first and last batch, emoji and ints past 2^53", () => {
  assert.equal(ALL.length, 28);
  const shapes = triggerShapes(lib, { url: "https://receiver.example.com/hook" });
  const built = shapes.map((s) => ({ ...s, ...s.build() }));
  for (const a of lib.actions()) {
    const full = built.find((s) => s.name === a.action);
    const body = JSON.parse(full.delivery.body);
    assert.equal(body.action, a.action);
    assert.ok(Object.keys(body).length > 1, `${a.action}: a full payload`);
    assert.equal(built.find((s) => s.name === `${a.action}, no payload`).delivery.body, `{"action": "${a.action}"}`);
  }
  const split = built.filter((s) => s.kind === "split");
  assert.deepEqual(split.map((s) => [s.delivery.batch, s.batches]), [[0, 3], [2, 3]]);
  assert.deepEqual(split.map((s) => JSON.parse(s.delivery.body).tasks.map((t) => t.id)), [[1001, 1002], [1005]]);
  for (const s of built.filter((x) => x.kind === "edge")) {
    assert.match(s.delivery.body, /\\ud83d\\ude00/, `${s.name}: an astral character, as json.dumps writes it`);
    assert.match(s.delivery.body, /: 9007199254740993[,}\]]/, `${s.name}: an id past 2^53`);
    assert.match(s.delivery.body, /18446744073709551617/, `${s.name}: an int past 2^64 in a JSON field`);
    const parsed = lib.parseWebhook(s.delivery.body);
    assert.ok(parsed, `${s.name}: a body Label Studio sends`);
  }
  // Every body is one Label Studio sends (parseWebhook checks it against the action's shape).
  for (const s of built) assert.ok(lib.parseWebhook(s.delivery.body), s.name);
  assert.deepEqual(shapeList(lib, "TASKS_CREATED").map((s) => s.name), [
    "TASKS_CREATED", "TASKS_CREATED, no payload", "TASKS_CREATED, split import: batch 1 of 3",
    "TASKS_CREATED, split import: batch 3 of 3", "TASKS_CREATED, emoji and ints past 2^53"]);
});

test("trigger against Label Studio's ML backend (label-studio-ml 1.0.9, gunicorn): every shape answered 201, and fit() got each body as it was sent", async (t) => {
  const ml = await startMlBackend();
  try {
    const url = `${ml.url}/webhook`;
    // Loopback: without --no-ssrf-protection the URL is refused before anything is sent.
    const refused = await cli(["trigger", url]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /is not sent to: SSRF_BLOCKED: .*\n.*add --no-ssrf-protection/);
    assert.deepEqual(ml.records(), []);

    const r = await cli(["trigger", url, "--no-ssrf-protection", "--timeout", "10"]);
    assert.equal(r.code, 0, r.stdout + r.stderr + ml.log());
    const lines = r.stdout.trim().split("\n");
    assert.match(lines[0], new RegExp(`^trigger ${url}: 28 shapes, one at a time, timeout 10 s, SSRF protection off$`));
    for (const s of ALL) {
      const line = lines.find((l) => l.endsWith(`  ${s.name}`));
      assert.ok(line, `${s.name}: reported`);
      assert.match(line, /^ {2}ok {6}201 CREATED +\d+ ms +[\d,]+ bytes {2}/, line);
    }
    assert.equal(lines.at(-1), "summary: 28 shapes, 28 ok, 0 failed");

    // The backend trains on each webhook in a process of its own: wait for all 28 fits.
    const end = Date.now() + 90000;
    while (ml.records().length < ALL.length && Date.now() < end) await sleep(200);
    const records = ml.records();
    assert.equal(records.length, ALL.length, ml.log());
    // json.dumps({"action": event, **data}) of what the backend parsed: the very bytes sent.
    const sent = triggerShapes(lib, { url, options: { ssrfProtection: false } }).map((s) => s.build().delivery.body);
    assert.deepEqual(count(records.map((x) => x.body)), count(sent));
    for (const x of records) assert.equal(JSON.parse(x.body).action, x.event);
    t.diagnostic(`label-studio-ml 1.0.9: ${records.length} webhooks answered 201 and trained on, bodies byte for byte`);

    // --json: the same report as data.
    const j = await cli(["trigger", url, "--no-ssrf-protection", "--timeout", "10", "--action", "ANNOTATION_CREATED", "--json"]);
    assert.equal(j.code, 0, j.stderr);
    const report = JSON.parse(j.stdout);
    assert.deepEqual(report.shapes.map((s) => [s.shape, s.ok, s.status]), [
      ["ANNOTATION_CREATED", true, 201], ["ANNOTATION_CREATED, no payload", true, 201], ["ANNOTATION_CREATED, emoji and ints past 2^53", true, 201]]);
    assert.equal(report.failed, 0);
    assert.ok(report.shapes.every((s) => Number.isInteger(s.ms) && s.bytes > 0));
  } finally {
    await ml.stop();
  }
});

test("trigger --signing-secret-env against a receiver verifying with PyPI standardwebhooks: every shape verified; unsigned or another secret: 401, exit 1", async () => {
  const v = await startVerifier();
  try {
    const url = `${v.url}/hooks/label-studio`;
    const env = { LSW_TRIGGER_SECRET: SECRET };
    const r = await cli(["trigger", url, "--no-ssrf-protection", "--timeout", "10", "--signing-secret-env", "LSW_TRIGGER_SECRET"], { env });
    assert.equal(r.code, 0, r.stdout + r.stderr + v.log());
    assert.match(r.stdout.split("\n")[0], /28 shapes, one at a time, timeout 10 s, signed \(Standard Webhooks\), SSRF protection off$/);
    assert.ok(!r.stdout.includes(SECRET.slice(6)) && !r.stderr.includes(SECRET.slice(6)), "the secret is never printed");
    const got = v.requests();
    assert.equal(got.length, 28);
    assert.ok(got.every((x) => x.verified === true && x.status === 204), JSON.stringify(got.filter((x) => !x.verified)));
    assert.deepEqual(count(got.map((x) => x.action)), count(ALL.map((s) => s.action)));
    assert.equal(new Set(got.map((x) => x.webhook_id)).size, 28, "a webhook-id of its own for each shape");

    // Unsigned: refused by the receiver, reported, exit 1.
    const unsigned = await cli(["trigger", url, "--no-ssrf-protection", "--timeout", "10", "--action", "PROJECT_CREATED"]);
    assert.equal(unsigned.code, 1, unsigned.stdout);
    assert.match(unsigned.stdout, /^ {2}FAILED {2}401 Unauthorized .* {2}PROJECT_CREATED$/m);
    assert.match(unsigned.stdout, /summary: 2 shapes, 0 ok, 2 failed: PROJECT_CREATED; PROJECT_CREATED, no payload$/m);
    // Another secret (from a file): refused too.
    const other = path.join(tmp, "other-secret");
    fs.writeFileSync(other, "whsec_" + Buffer.from("not the receiver's").toString("base64") + "\n");
    const wrong = await cli(["trigger", url, "--no-ssrf-protection", "--timeout", "10", "--action", "TASKS_DELETED", "--signing-secret-file", other]);
    assert.equal(wrong.code, 1, wrong.stdout);
    assert.match(wrong.stdout, /summary: 2 shapes, 0 ok, 2 failed/);
    const last = v.requests().slice(-4);
    assert.ok(last.every((x) => x.status === 401 && /No matching signature found|Missing required headers/.test(x.reason)), JSON.stringify(last));
  } finally {
    await v.stop();
  }
});

test("trigger against a receiver answering 500 to one action: exit 1, that action's shapes named, every other shape ok", async () => {
  const v = await startVerifier(["--fail-action", "ANNOTATION_UPDATED"]);
  try {
    const r = await cli(["trigger", `${v.url}/webhook`, "--no-ssrf-protection", "--timeout", "10", "--signing-secret-env", "LSW_T"], { env: { LSW_T: SECRET } });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const lines = r.stdout.trim().split("\n");
    const failed = lines.filter((l) => l.startsWith("  FAILED"));
    assert.deepEqual(failed.map((l) => l.replace(/^.* {2}/, "")), ["ANNOTATION_UPDATED", "ANNOTATION_UPDATED, no payload"]);
    assert.ok(failed.every((l) => /500 Internal Server Error/.test(l)), failed.join("\n"));
    assert.equal(lines.filter((l) => l.startsWith("  ok")).length, 26);
    assert.equal(lines.at(-1), "summary: 28 shapes, 26 ok, 2 failed: ANNOTATION_UPDATED; ANNOTATION_UPDATED, no payload");
  } finally {
    await v.stop();
  }
});

test("trigger: a refused connection and a receiver that does not answer in time fail their shapes (exit 1); usage errors exit 2", async () => {
  const refused = await cli(["trigger", await refusedUrl(), "--no-ssrf-protection", "--action", "LABEL_LINK_DELETED"]);
  assert.equal(refused.code, 1);
  assert.match(refused.stdout, /^ {2}FAILED {2}connection refused \(ECONNREFUSED\) .* {2}LABEL_LINK_DELETED$/m);

  // Answers everything at once, except TASKS_DELETED's full payload, which it never answers.
  const hung = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      if (body.startsWith('{"action": "TASKS_DELETED", ')) return hung.push(res);
      res.writeHead(200).end("ok");
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const r = await cli(["trigger", `http://127.0.0.1:${server.address().port}/`, "--no-ssrf-protection", "--timeout", "0.5"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const failed = r.stdout.split("\n").filter((l) => l.startsWith("  FAILED"));
    assert.equal(failed.length, 1, r.stdout);
    assert.match(failed[0], /timeout: no response within 0\.5 s .* {2}TASKS_DELETED$/);
    assert.match(r.stdout, /summary: 28 shapes, 27 ok, 1 failed: TASKS_DELETED$/m);
  } finally {
    server.closeAllConnections();
    server.close();
  }

  const usage = [
    [["trigger"], /a URL is needed/],
    [["trigger", "http://a.example/", "http://b.example/"], /trigger takes one URL, got 2/],
    [["trigger", "http://a.example/", "--action", "TASK_CREATED"], /--action: unknown action "TASK_CREATED"/],
    [["trigger", "http://a.example/", "--action", "TASKS_CREATED", "--all"], /--action and --all go one at a time/],
    [["trigger", "http://a.example/", "--timeout", "0"], /--timeout takes a number of seconds > 0/],
    [["trigger", "http://a.example/", "--header", "no colon"], /--header takes 'Name: value'/],
    [["trigger", "http://a.example/", "--bogus"], /unknown option --bogus/],
    [["trigger", "ftp://files.example.com/"], /is not sent to: INVALID_URL/],
    [["trigger", "http://a.example/", "--header", "webhook-id: mine", "--signing-secret-env", "LSW_T"], /is not sent to: INVALID_HEADER/],
  ];
  for (const [args, message] of usage) {
    const r = await cli(args, { env: { LSW_T: SECRET } });
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(" "));
    assert.equal(r.stdout, "");
  }
});

test("trigger --header: the webhook's own headers go with every shape, before the signing headers", async () => {
  const received = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => { received.push(req.rawHeaders); res.writeHead(204).end(); });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const r = await cli(["trigger", `http://127.0.0.1:${server.address().port}/`, "--no-ssrf-protection", "--action", "PROJECT_UPDATED",
      "--header", "Authorization: Token abc", "--header=X-Source: label-studio", "--signing-secret-env", "LSW_T"], { env: { LSW_T: SECRET } });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(received.length, 2);
    for (const raw of received) {
      const names = raw.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
      const at = (n) => names.indexOf(n.toLowerCase());
      assert.equal(raw[2 * at("Authorization") + 1], "Token abc");
      assert.ok(at("Authorization") < at("X-Source") && at("X-Source") < at("webhook-id"), names.join(", "));
    }
  } finally {
    server.close();
  }
});

test("trigger --help lists the shapes and documents --no-ssrf-protection", async () => {
  const r = await cli(["trigger", "--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^usage: ls-webhooks trigger URL /);
  for (const s of ["ACTION, no payload", "split import", "emoji and ints past 2^53", "--no-ssrf-protection", "loopback",
    "--signing-secret-env NAME", "exit codes: 0 every shape got a 2xx answer"]) {
    assert.ok(r.stdout.includes(s), s);
  }
  const top = await cli(["help"]);
  assert.match(top.stdout, /trigger URL \[--action A\]/);
  const same = await cli(["help", "trigger"]);
  assert.equal(same.stdout, r.stdout);
});

test("withMembers replaces top-level members where they stand (a duplicate's last value), adds missing ones, keeps every other byte", () => {
  const set = (text) => withMembers(lib, Buffer.from(text), { a: '"A"', w: "[9]" })?.toString("utf8") ?? null;
  assert.equal(set('\ufeff{"a": 1, "n": 12345678901234567890, "x": "é", "a": [2]}'),
    '\ufeff{"a": 1, "n": 12345678901234567890, "x": "é", "a": "A", "w": [9]}');
  assert.equal(set('{"w": {"a": 1}}'), '{"w": [9], "a": "A"}');
  assert.equal(set("{}"), '{"a": "A", "w": [9]}');
  assert.equal(set("[1]"), null);
  assert.equal(set('{"a": '), null);
});
