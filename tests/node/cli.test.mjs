// The CLI's plan and actions commands, and its messages and exit codes for bad input.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { after, test } from "node:test";
import { ROOT, run, runCli } from "./loopback.mjs";

const lib = createRequire(import.meta.url)(path.join(ROOT, "pkg"));
const SAMPLES = path.join(ROOT, "samples", "events");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ls-webhooks-cli-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const write = (name, text) => { const p = path.join(tmp, name); fs.writeFileSync(p, text); return p; };

test("plan FILE equals buildDeliveries for every sample event", async () => {
  const files = fs.readdirSync(SAMPLES).filter((f) => f.endsWith(".json"));
  assert.equal(files.length, 12);
  for (const f of files) {
    const file = path.join(SAMPLES, f);
    const r = await runCli(["plan", file]);
    assert.equal(r.code, 0, r.stderr);
    const expected = lib.buildDeliveries(new Uint8Array(fs.readFileSync(file)));
    assert.ok(expected.deliveries.length > 0, f);
    assert.deepEqual(JSON.parse(r.stdout), expected, f);
  }
});

test("plan - reads stdin as bytes: big ints and floats stay exact", async () => {
  const event = fs.readFileSync(path.join(SAMPLES, "TASKS_CREATED.json"), "utf8")
    .replace('"text": "The croissants were flaky and warm 🥐"',
      '"text": "The croissants were flaky and warm 🥐", "big": 123456789012345678901234567890, "f": 1.0, "g": 2.5e-7');
  assert.notEqual(event, fs.readFileSync(path.join(SAMPLES, "TASKS_CREATED.json"), "utf8"));
  const r = await runCli(["plan", "-"], { input: event });
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout);
  assert.deepEqual(plan, lib.buildDeliveries(event));
  const body = plan.deliveries[0].body;
  assert.ok(body.includes('"big": 123456789012345678901234567890, "f": 1.0, "g": 2.5e-07}'), body.slice(0, 300));
  assert.match(body, /"label_config_hash": 8755930484223552274/);
});

test("plan without FILE uses the built-in sample and says so", async () => {
  const r = await runCli(["plan"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /built-in sample .*TASKS_CREATED\.json/);
  assert.equal(JSON.parse(r.stdout).action, "TASKS_CREATED");
});

test("plan with bodyAs bytes prints the bodies as text", async () => {
  const event = JSON.parse(fs.readFileSync(path.join(SAMPLES, "ANNOTATION_CREATED.json"), "utf8"));
  const text = JSON.stringify({ ...event, options: { bodyAs: "bytes" } });
  const r = await runCli(["plan", write("bytes.json", text)]);
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout);
  const expected = lib.buildDeliveries(text);
  assert.ok(expected.deliveries[0].body instanceof Uint8Array);
  assert.deepEqual(plan.deliveries.map((d) => d.body), expected.deliveries.map((d) => Buffer.from(d.body).toString("utf8")));
});

test("plan --no-ssrf-protection: the event's bytes with options.ssrfProtection false, every other byte kept", async () => {
  const sampleText = fs.readFileSync(path.join(SAMPLES, "TASKS_CREATED.json"), "utf8");
  const exactText = sampleText.replace('"text": "The croissants were flaky and warm 🥐"',
    '"text": "The croissants were flaky and warm 🥐", "big": 123456789012345678901234567890, "f": 1.0');
  const hook = (id, url) => ({ id, organization: 1, project: 12, url, send_for_all_actions: true });
  const hooks = `"webhooks": ${JSON.stringify([hook(1, "http://127.0.0.1:8080/a"), hook(2, "http://localhost:8080/b"), hook(3, "https://example.com/c")])}`;
  const withHooks = exactText.replace(/"webhooks": \[[\s\S]*\]\s*}\s*$/, `${hooks}}`);
  const cases = [
    // [the event as given, the same event written with ssrfProtection false]
    [withHooks, withHooks.replace(/}$/, ', "options": {"ssrfProtection": false}}')],
    [withHooks.replace(/}$/, ', "options": {"batchSize": 2, "ssrfProtection": true}}'),
      withHooks.replace(/}$/, ', "options": {"batchSize": 2, "ssrfProtection": false}}')],
    [withHooks.replace(/}$/, ', "options": {}}'), withHooks.replace(/}$/, ', "options": {"ssrfProtection": false}}')],
    [withHooks.replace(/}$/, ', "options": null}'), withHooks.replace(/}$/, ', "options": {"ssrfProtection": false}}')],
  ];
  for (const [given, expectedText] of cases) {
    const on = lib.buildDeliveries(given);
    const r = await runCli(["plan", "-", "--no-ssrf-protection"], { input: given });
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout);
    const expected = lib.buildDeliveries(expectedText);
    assert.equal(expected.ssrfProtection, false);
    assert.deepEqual(plan, expected);
    assert.ok(plan.deliveries[0].body.includes('"big": 123456789012345678901234567890, "f": 1.0}'));
    // Only the SSRF verdicts change: protection on skips the two loopback targets.
    assert.deepEqual(on.skipped.map((s) => [s.webhookId, s.reason]), [[1, "SSRF_BLOCKED"], [2, "SSRF_BLOCKED"]]);
    assert.deepEqual(plan.skipped, []);
    assert.deepEqual(plan.deliveries.filter((d) => d.webhookId === 3), on.deliveries);
  }
  // An event the library refuses: the same error as without the flag.
  const bad = await runCli(["plan", "-", "--no-ssrf-protection"], { input: '{"action": "TASKS_CREATED", "organization": 1, "options": 5}' });
  assert.equal(bad.code, 7);
  assert.match(bad.stderr, /INVALID_EVENT at options: /);
  const broken = await runCli(["plan", "-", "--no-ssrf-protection"], { input: '{"action": "TASKS_CREATED",' });
  assert.equal(broken.code, 4);
  assert.match(broken.stderr, /stdin is not valid JSON: .*line 1 column 28/);
});

test("actions prints the registry as a table", async () => {
  const r = await runCli(["actions"]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.match(lines[0], /^ACTION\s+KEY\s+SHAPE/);
  assert.equal(lines.length, 13);
  for (const a of lib.actions()) assert.ok(lines.some((l) => l.startsWith(a.action + " ")), a.action);
});

// Each failure: exit code and a message naming the problem (and the field's path).
const cases = [
  ["missing file", () => ["plan", path.join(tmp, "nope.json")], null, 3, /cannot read .*nope\.json: no such file/],
  ["a directory", () => ["send", tmp], null, 3, /is a directory/],
  ["malformed JSON", () => ["plan", write("broken.json", '{"action": "TASKS_CREATED",')], null, 4,
    /broken\.json is not valid JSON: .*line 1 column 28/],
  ["malformed JSON on stdin (send)", () => ["send", "-"], "not json", 4, /stdin is not valid JSON/],
  ["UNKNOWN_ACTION", () => ["plan", "-"], '{"action": "TASK_CREATED", "organization": 1}', 5,
    /stdin: UNKNOWN_ACTION at action: unknown action "TASK_CREATED"/],
  ["ORGANIZATION_ONLY_ACTION", () => ["plan", "-"], '{"action": "PROJECT_DELETED", "organization": 1, "project": {"id": 1}}', 6,
    /ORGANIZATION_ONLY_ACTION at project: /],
  ["INVALID_EVENT", () => ["plan", "-"], '{"action": "TASKS_CREATED", "organization": 1, "colour": 1}', 7,
    /INVALID_EVENT at colour: unknown event field "colour"/],
  ["INVALID_ROW", () => ["send", "-"],
    '{"action": "TASKS_CREATED", "organization": 1, "instance": [{"id": 1}], "webhooks": [{"id": 1, "url": "http://127.0.0.1:9/"}], "options": {"ssrfProtection": false}}', 8,
    /INVALID_ROW at instance\[0\]\.data: missing field "data"/],
  ["unknown command", () => ["publish"], null, 2, /unknown command "publish"/],
  ["bad --timeout", () => ["send", "--timeout", "soon"], null, 2, /--timeout takes a number of seconds/],
  ["two files", () => ["plan", "a.json", "b.json"], null, 2, /plan takes one FILE/],
  ["unknown plan option", () => ["plan", "--no-ssrf"], null, 2, /plan: unknown option --no-ssrf/],
];
for (const [name, args, input, code, message] of cases) {
  test(`exit ${code} and a clear message: ${name}`, async () => {
    const r = await runCli(args(), { input });
    assert.equal(r.code, code, `stderr: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /^ls-webhooks: /m);
    assert.equal(r.stdout, "");
  });
}

test("help lists the commands and exit codes", async () => {
  const r = await runCli(["help"]);
  assert.equal(r.code, 0);
  for (const c of ["demo", "plan [FILE|-]", "send [FILE|-] [--timeout S]", "--no-ssrf-protection", "actions [--json]",
    "--version", "help [COMMAND]", "4 malformed input (not JSON, or not UTF-8)", "8 INVALID_ROW"]) {
    assert.ok(r.stdout.includes(c), c);
  }
  const none = await runCli([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /usage: ls-webhooks/);
});

// ---- --help, unknown options, --version ----

const COMMANDS = ["plan", "send", "actions", "demo", "redeliver", "worker", "queue"];

for (const cmd of COMMANDS) {
  test(`${cmd} --help and -h: exit 0 with the command's usage on stdout (no input, Redis or database read)`, async () => {
    const r = await runCli([cmd, "--help"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.match(r.stdout, new RegExp(`^usage: ls-webhooks ${cmd} `));
    assert.match(r.stdout, /-h, --help/);
    for (const args of [[cmd, "-h"], ["help", cmd]]) {
      const again = await runCli(args);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.stdout, r.stdout, args.join(" "));
    }
    // --help after other words still wins over reading the input
    if (cmd === "plan" || cmd === "send") {
      const late = await runCli([cmd, path.join(tmp, "nope.json"), "--help"]);
      assert.equal(late.code, 0, late.stderr);
      assert.equal(late.stdout, r.stdout);
    }
  });

  test(`${cmd} with an unknown option: exit 2 naming it`, async () => {
    const r = await runCli([cmd, "--bogus-flag"]);
    assert.equal(r.code, 2, `stderr: ${r.stderr}`);
    assert.match(r.stderr, /unknown option --bogus-flag/);
    assert.match(r.stderr, /^ls-webhooks(:| redeliver:) /);
    assert.equal(r.stdout, "");
  });
}

test("plan and send: a single-dash word is an unknown option, not a FILE (- alone is stdin)", async () => {
  for (const cmd of ["plan", "send"]) {
    const r = await runCli([cmd, "-x"]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`^ls-webhooks: ${cmd}: unknown option -x$`, "m"));
  }
  const extra = await runCli(["actions", "table"]);
  assert.equal(extra.code, 2);
  assert.match(extra.stderr, /actions: unknown argument table/);
  const demo = await runCli(["demo", "--timeout=0"]);
  assert.equal(demo.code, 2);
  assert.match(demo.stderr, /--timeout takes a number of seconds > 0, got: 0/);
});

test("--no-ssrf-protection is documented in the --help of plan, send and redeliver", async () => {
  for (const cmd of ["plan", "send", "redeliver"]) {
    const r = await runCli([cmd, "--help"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /--no-ssrf-protection/, cmd);
    assert.match(r.stdout, /SSRF_PROTECTION_ENABLED=false/, cmd);
  }
  const plan = await runCli(["plan", "--help"]);
  assert.match(plan.stdout.split("\n")[0], /\[--no-ssrf-protection\]/);
  const send = await runCli(["send", "--help"]);
  assert.match(send.stdout.split("\n")[0], /\[--timeout S\] \[--no-ssrf-protection\]/);
});

test("--version and version print the package's version and exit 0", async () => {
  const meta = JSON.parse(fs.readFileSync(path.join(ROOT, "pkg", "package.json"), "utf8"));
  const cargo = /^version = "([^"]+)"/m.exec(fs.readFileSync(path.join(ROOT, "Cargo.toml"), "utf8"))[1];
  assert.equal(meta.version, cargo);
  for (const args of [["--version"], ["version"], ["-v"]]) {
    const r = await runCli(args);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${meta.version}\n`, args.join(" "));
    assert.equal(r.stderr, "");
  }
  const extra = await runCli(["version", "plan"]);
  assert.equal(extra.code, 2);
  // In the npm package: the package.json beside the CLI.
  const dir = path.join(tmp, "installed");
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(ROOT, "js", "cli.js"), path.join(dir, "cli.js"));
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "ls-webhooks", version: "9.8.7-beside" }));
  const r = await run(process.execPath, [path.join(dir, "cli.js"), "--version"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "9.8.7-beside\n");
});

test("actions --json prints the registry, actions(), as one JSON array; the table stays without it", async () => {
  const r = await runCli(["actions", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const parsed = JSON.parse(r.stdout);
  assert.ok(Array.isArray(parsed));
  assert.deepEqual(parsed, lib.actions());
  assert.equal(parsed.length, 12);
  const table = await runCli(["actions"]);
  assert.match(table.stdout, /^ACTION\s+KEY\s+SHAPE/);
});

test("input that is not UTF-8 is malformed (exit 4), not INVALID_EVENT (7)", async () => {
  const valid = fs.readFileSync(path.join(SAMPLES, "TASKS_CREATED.json"));
  const at = valid.indexOf("croissants");
  const bad = Buffer.concat([valid.subarray(0, at), Buffer.from([0xff, 0xfe]), valid.subarray(at)]);
  // The library's error: INVALID_EVENT of the event itself, with where as fields (offset, line, column).
  assert.throws(() => lib.buildDeliveries(new Uint8Array(bad)), (e) => e.code === "INVALID_EVENT" && e.path === "" &&
    e.offset === at && e.line >= 1 && e.column >= 1 && e.detail.startsWith("the event is not valid UTF-8"));
  const file = path.join(tmp, "latin1.json");
  fs.writeFileSync(file, bad);
  // A big event: send plans it batch by batch (planBatches), with the same verdict.
  const big = Buffer.concat([bad.subarray(0, at), Buffer.from(" ".repeat(1.5 * 1024 * 1024)), bad.subarray(at)]);
  const runs = [
    [["plan", file], null, /latin1\.json: the event is not valid UTF-8 \(byte \d+\)/],
    [["plan", "-"], bad, /stdin: the event is not valid UTF-8/],
    [["plan", "-", "--no-ssrf-protection"], bad, /stdin: the event is not valid UTF-8/],
    [["send", "-"], bad, /stdin: the event is not valid UTF-8/],
    [["send", "-", "--no-ssrf-protection"], Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), /stdin: the event is not valid UTF-8 \(byte 1\)/],
    [["send", "-"], big, /stdin: the event is not valid UTF-8/],
  ];
  for (const [args, input, message] of runs) {
    const r = await runCli(args, { input });
    assert.equal(r.code, 4, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /^ls-webhooks: /m);
    assert.equal(r.stdout, "");
  }
  // Valid UTF-8 with a wrong event stays INVALID_EVENT (7).
  const r = await runCli(["plan", "-"], { input: '{"action": "TASKS_CREATED", "organization": 1, "é": 1}' });
  assert.equal(r.code, 7, r.stderr);
});
