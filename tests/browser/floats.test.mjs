// The browser's build reads and prints floats with the page's own `Number` (src/host.rs,
// src/json/pyjson/host_floats.rs) instead of core's reader and ryu. ECMAScript rounds
// `Number(text)` exactly only up to 20 significant digits; CPython's float() at any length.
// This checks, in Debian's headless Chromium, that a task's data full of hard literals
// (halfway points between doubles and their neighbours 1e-40 away, 25 to 800 digits,
// repr and %.17g forms, subnormals) comes out byte for byte as CPython's json.dumps writes
// it, and as the Node build (core's reader and ryu) writes it.
//
//   node --test tests/browser/      (after bash scripts/build-web.sh)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { ARGS, CHROMIUM, chromium, root, servePreview, watchErrors } from "./chromium.mjs";

const require = createRequire(import.meta.url);
const lib = require(path.join(root, "pkg"));
const T = { timeout: 120_000 };

// CPython makes the literals and is the judge: json.dumps(json.loads(list)).
const PY = String.raw`
import json, math, random, sys
from decimal import Decimal, getcontext
from fractions import Fraction
getcontext().prec = 2500
rnd = random.Random(int(sys.argv[1]))
lits = ["0.1", "1e-7", "1e16", "1e22", "5e-324", "2.2250738585072014e-308", "1.7976931348623157e308",
        "0.30000000000000004", "9007199254740993.0", "123456789012345678901234567890.5", "-0.0"]
def dec(x):
    return format(Decimal(x), "e")
for _ in range(int(sys.argv[2])):
    x = rnd.choice([rnd.uniform(0, 1e-300), rnd.uniform(0, 1), rnd.uniform(0, 1e20)])
    bits = rnd.getrandbits(63)
    y = Fraction(rnd.choice([x, float.fromhex("0x1.%013xp%d" % (bits & ((1 << 52) - 1), rnd.randint(-1074, 1023)))]))
    a = float(y)
    if not math.isfinite(a):
        continue
    b = math.nextafter(a, math.inf)
    if not math.isfinite(b):
        continue
    h = (Fraction(a) + Fraction(b)) / 2
    e = Decimal(h.numerator) / Decimal(h.denominator)
    lits += [dec(e), dec(e + e.scaleb(-40)), dec(e - e.scaleb(-40)), format(e, ".24e"), format(e, ".60e"),
             repr(a), "%.17g" % a, "-" + repr(b), "%.20e" % b]
lits = [l for l in lits if math.isfinite(float(l))]
print(json.dumps({"literals": lits, "python": json.dumps(json.loads("[" + ", ".join(lits) + "]"))}))
`;

function corpus(seed, n) {
  return JSON.parse(execFileSync("python3", ["-c", PY, String(seed), String(n)], { maxBuffer: 1 << 26 }).toString());
}

/** TASKS_CREATED with one task whose data holds the literals as written. */
function eventWith(literals) {
  const event = JSON.parse(fs.readFileSync(path.join(root, "samples", "events", "TASKS_CREATED.json"), "utf8"));
  event.instance = [{ ...event.instance[0], data: "@@DATA@@" }];
  return JSON.stringify(event).replace('"@@DATA@@"', `{"xs": [${literals.join(", ")}]}`);
}

/** The `"xs": [...]` list as the body writes it. */
function xsOf(body) {
  const at = body.indexOf('"xs": [');
  assert.ok(at >= 0, "the body has the task's data");
  return body.slice(at + '"xs": '.length, body.indexOf("]", at) + 1);
}

let server, pageUrl, browser, page;
const errors = [];

before(async () => {
  ({ server, pageUrl } = await servePreview());
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 60_000 });
  page = await browser.newPage();
  watchErrors(page, errors);
  await page.goto(pageUrl);
});

after(async () => {
  await browser?.close().catch(() => {});
  server?.close();
});

/** The web build's body for `text`, built in the page. */
async function pageBody(text) {
  return page.evaluate(async (t) => {
    const m = await import(new URL("pkg/ls_webhooks.js", location.href).href);
    await m.default({ module_or_path: new URL("pkg/ls_webhooks_bg.wasm", location.href) });
    const plan = m.buildDeliveries(t);
    return plan.deliveries[0].body;
  }, text);
}

for (const seed of [1, 2, 3]) {
  test(`floats in the page equal CPython's json.dumps (seed ${seed})`, T, async () => {
    const { literals, python } = corpus(seed, 120);
    assert.ok(literals.length > 1000, `${literals.length} literals`);
    const text = eventWith(literals);
    const inPage = xsOf(await pageBody(text));
    const node = xsOf(String(lib.buildDeliveries(text).deliveries[0].body));
    assert.equal(node, python, "the Node build (core's reader and ryu) against CPython");
    const got = inPage.split(", "), want = python.split(", ");
    const wrong = got.map((g, i) => [literals[i], g, want[i]]).filter(([, g, w]) => g !== w);
    assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} of ${literals.length} floats differ in the page ([literal, page, CPython])`);
    assert.equal(inPage, python);
    assert.deepEqual(errors, []);
  });
}

test("pythonJsonDumps reads and prints floats through the page's Number in a page that has built nothing", T, async () => {
  // The preview builds at once, which installs the host's services; a page of its own that
  // only calls pythonJsonDumps must have them too.
  const { literals, python } = corpus(4, 20);
  const fresh = await browser.newPage();
  watchErrors(fresh, errors);
  try {
    await fresh.goto(new URL("favicon.svg", pageUrl).href);
    const got = await fresh.evaluate(async ({ base, text }) => {
      const m = await import(new URL("pkg/ls_webhooks.js", base).href);
      await m.default({ module_or_path: new URL("pkg/ls_webhooks_bg.wasm", base) });
      return m.pythonJsonDumps(text);
    }, { base: pageUrl, text: `[${literals.join(", ")}]` });
    assert.equal(got, python);
  } finally {
    await fresh.close();
  }
  assert.deepEqual(errors, []);
});

