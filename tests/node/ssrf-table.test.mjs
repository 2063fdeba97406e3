// The SSRF table: every URL of tests/fixtures/ssrf/ (Label Studio 1.23.2's own verdict, from
// tools/capture/ssrf_table.py) planned with protection on and off, and compared with
//  - Label Studio: what it refuses is skipped; what it sends is delivered, unless
//  - Node's own WHATWG parser (`new URL`, what fetch uses) reads another destination, or a
//    reserved one: then the plan skips it, since fetch would connect elsewhere.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { test } from "node:test";
import { ROOT } from "./loopback.mjs";

const lib = createRequire(import.meta.url)(path.join(ROOT, "pkg"));
const table = JSON.parse(fs.readFileSync(path.join(ROOT, "tests", "fixtures", "ssrf", "label-studio-1.23.2-ssrf.json"), "utf8"));

/** The plan's verdict for one URL: null (delivered) or the skip reason. */
function planVerdict(url, ssrfProtection) {
  const plan = lib.buildDeliveries({
    action: "PROJECT_DELETED", organization: 1, instance: { id: 7 }, options: { ssrfProtection },
    webhooks: [{ id: 1, organization: 1, url, send_for_all_actions: true }],
  });
  if (plan.deliveries.length === 1) {
    assert.equal(plan.deliveries[0].url, url);
    return { reason: null };
  }
  assert.equal(plan.skipped.length, 1, url);
  return plan.skipped[0];
}

/** Where fetch would connect: Node's URL parser, and the address it reaches without DNS. */
function fetchView(url) {
  let u;
  try {
    u = new URL(url);
  } catch {
    return { parses: false };
  }
  const host = u.hostname.replace(/^\[|\]$/g, "");
  const port = u.port === "" ? (u.protocol === "https:" ? 443 : 80) : Number(u.port);
  let block = null;
  let address = null;
  if (/^[\d.]+$/.test(host) || host.includes(":")) address = host;
  else if (host.replace(/\.$/, "") === "localhost") address = "127.0.0.1";
  if (address) block = lib.reservedBlock(address);
  return { parses: true, http: u.protocol === "http:" || u.protocol === "https:", https: u.protocol === "https:", host, port, block };
}

/** Label Studio's destination (host as gethostbyname sees it, the address when numeric) vs fetch's. */
function sameDestination(row, f) {
  const ls = row.parse_url;
  const lsPort = ls.port ?? (ls.scheme === "https" ? 443 : 80);
  if (lsPort !== f.port || (ls.scheme === "https") !== f.https) return false;
  const numeric = row.resolved_by === "system" && row.gethostbyname && ls.host !== "localhost";
  return numeric ? row.gethostbyname === f.host : ls.host === f.host;
}

test("the table is Label Studio's: at least 80 URL forms, every class of the issue", () => {
  assert.ok(table.rows.length >= 80, `${table.rows.length} rows`);
  assert.equal(table.versions["label-studio"], "1.23.2");
  const classes = new Set(table.rows.map((r) => r.class));
  for (const c of ["loopback", "zero", "idna", "percent", "userinfo", "backslash", "port", "reserved-v4", "ipv6", "public", "name", "scheme"]) {
    assert.ok(classes.has(c), c);
  }
});

for (const protection of [true, false]) {
  test(`every URL planned with ssrfProtection ${protection}: skipped where Label Studio or fetch would not send there`, () => {
    const wrong = [];
    let delivered = 0;
    for (const row of table.rows) {
      const ls = protection ? row.protection_on : row.protection_off;
      const f = fetchView(row.url);
      const got = planVerdict(row.url, protection);
      // A host name Label Studio would hand to DNS: this machine's answer (or the stub's) is not the
      // receiver's, so the plan passes it on and the send-time guard resolves and checks it.
      const name = row.requests_prepare === "ok" && row.parse_url?.host && !row.parse_url.host.startsWith("[");
      const dnsDecides = name && (row.resolved_by === "stub-dns" || ls.kind === "unresolvable");
      let want; // "deliver", "skip", or a reason
      if (protection && f.parses && f.http && f.block) want = "SSRF_BLOCKED"; // fetch would reach a reserved address
      else if (!ls.sent && !dnsDecides) want = "skip";
      else if (!f.parses || !f.http || !sameDestination(row, f)) want = "INVALID_URL";
      else if (f.port === 0) want = "INVALID_URL"; // Label Studio lets port 0 through; no request can be made to it
      else want = "deliver";
      const ok = want === "deliver" ? got.reason === null : want === "skip" ? got.reason !== null : got.reason === want;
      if (!ok) wrong.push(`${JSON.stringify(row.url)}: want ${want}, plan says ${got.reason ?? "deliver"} ${got.message ?? ""}`);
      if (got.reason === null) delivered++;
    }
    assert.deepEqual(wrong, []);
    assert.ok(delivered >= 20, `${delivered} delivered`); // public literals and names still go out
  });
}

test("the bypass rows of issue 11 are skipped, and public literals still delivered", () => {
  for (const url of ["http://2130706433/", "http://0x7f000001/", "http://127.1/", "http://0177.0.0.1/", "http://0x7f.1/", "http://0/",
    "http://127。0。0。1/", "http://①②⑦.0.0.1/", "http://ⓛocalhost/"]) {
    assert.equal(planVerdict(url, true).reason, "SSRF_BLOCKED", url);
  }
  for (const url of ["http://1.1.1.1/", "http://93.184.215.14/", "https://93.184.215.14:8443/x"]) {
    assert.equal(planVerdict(url, true).reason, null, url);
  }
});

test("a blocked skip says which reading reached the reserved address", () => {
  assert.match(planVerdict("http://0x7f.1/", true).message, /Label Studio resolves the host to 127\.0\.0\.1.*block: 127\.0\.0\.0\/8/);
  assert.match(planVerdict("http://127。0。0。1/", true).message, /fetch connects to 127\.0\.0\.1/);
  assert.match(planVerdict("http://1.1.1.1./", true).message, /Label Studio would send to http:\/\/1\.1\.1\.1\.:80, fetch to http:\/\/1\.1\.1\.1:80/);
});

test("reservedBlock: the validate_ip list, for send-time guards", () => {
  assert.equal(lib.reservedBlock("127.0.0.1"), "127.0.0.0/8");
  assert.equal(lib.reservedBlock("::ffff:127.0.0.1"), "::ffff:0:0/96");
  assert.equal(lib.reservedBlock("fe80::1%eth0"), "fe80::/10");
  assert.equal(lib.reservedBlock("93.184.215.14"), null);
  assert.equal(lib.reservedBlock("2606:4700:4700::1111"), null);
  assert.throws(() => lib.reservedBlock("localhost"), TypeError);
});
