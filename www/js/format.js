// Text for display and for the shell: byte sizes, and the curl command that
// sends exactly one delivery. No DOM.

const utf8 = new TextEncoder();

/** The size of `s` in UTF-8 bytes (what goes on the wire). */
export const byteLength = (s) => utf8.encode(s).length;

/** "1,234 bytes", "1 byte". */
export const fmtBytes = (n) => `${n.toLocaleString("en-US")} byte${n === 1 ? "" : "s"}`;

/** POSIX single quotes: safe for any text; bytes are passed as the shell reads them (UTF-8). */
export function shellQuote(s) {
  return "'" + String(s).replace(/'/g, "'\\''") + "'";
}

/**
 * A header line as requests sends it: latin-1 bytes. Printable ASCII stays in
 * single quotes; anything else uses bash's $'...' with \xHH escapes.
 */
export function headerArg(name, value) {
  // curl drops "Name:" with nothing after it; "Name;" sends an empty value.
  const line = value === "" ? `${name};` : `${name}: ${value}`;
  if (/^[\x20-\x7e]*$/.test(line)) return shellQuote(line);
  let out = "$'";
  for (const ch of line) {
    const c = ch.codePointAt(0);
    if (c === 0x27 || c === 0x5c) out += "\\" + ch;
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (c <= 0xff) out += "\\x" + c.toString(16).padStart(2, "0");
    else return shellQuote(line); // not latin-1: the library never delivers such a header
  }
  return out + "'";
}

/** A bash command that sends delivery `d` (method, url, headers in order, exact body). */
export function curlCommand(d) {
  const parts = ["curl", `--request ${d.method || "POST"}`, shellQuote(d.url)];
  for (const [name, value] of Object.entries(d.headers)) parts.push(`--header ${headerArg(name, value)}`);
  parts.push(`--data-binary ${shellQuote(d.body)}`);
  return parts.join(" \\\n  ");
}
