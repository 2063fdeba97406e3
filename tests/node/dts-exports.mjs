// The functions a built module's d.ts declares and the functions its JavaScript exports, for
// the tests that check they are the same: the Node package (pkg/, every feature) and the
// browser's build (www/pkg/, without `schemas`, `receiver` and `host-hmac`). Not a test file.
import fs from "node:fs";
import path from "node:path";

/** `{ declared, exported }`: sorted function names of `dir`'s ls_webhooks.d.ts and ls_webhooks.js. */
export function declaredAndExported(dir) {
  const dts = fs.readFileSync(path.join(dir, "ls_webhooks.d.ts"), "utf8");
  const js = fs.readFileSync(path.join(dir, "ls_webhooks.js"), "utf8");
  const names = (re, text) => [...new Set([...text.matchAll(re)].map((m) => m[1]))].sort();
  const declared = names(/^export (?:declare )?function (\w+)/gm, dts).filter((n) => n !== "initSync");
  // nodejs target: `exports.name = name;` (classes too); web target: `export function name`.
  const classes = names(/^export class (\w+)/gm, js);
  const exported = names(/^(?:exports\.(\w+) = \w+;|export function (\w+))/gm, js.replace(/^export function (\w+)/gm, "exports.$1 = $1;"))
    .filter((n) => !classes.includes(n) && !/^[A-Z]/.test(n) && n !== "initSync" && n !== "default");
  return { declared, exported };
}

/** The functions of the browser's build: the Node package's, less its features' `schemas`, `receiver` and `host-hmac`. */
export const NODE_ONLY = ["hmacBackend", "parseWebhook", "schemas", "setHostHmac", "signWebhook", "verifyWebhook"];
