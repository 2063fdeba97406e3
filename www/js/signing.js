// The signing secret field: the event text as the editor holds it, with
// options.signing added for the build only. The editor's text, the URL hash and
// every kind of storage never see the secret: it lives in the password field
// and in the text handed to buildDeliveries, nowhere else.
//
// The text is patched, not parsed and re-serialized: every other character of
// the event stays as written (ints past 2^53, 1.0 next to 1, key order).

const WS = new Set([" ", "\t", "\n", "\r"]);

/** The end (exclusive) of the JSON string starting at i (a quote), or -1. */
function stringEnd(s, i) {
  for (let j = i + 1; j < s.length; j++) {
    if (s[j] === "\\") j++;
    else if (s[j] === '"') return j + 1;
  }
  return -1;
}

/** The end (exclusive) of the JSON value starting at i, or -1 (structure only: the library validates). */
function valueEnd(s, i) {
  if (s[i] === '"') return stringEnd(s, i);
  if (s[i] === "{" || s[i] === "[") {
    let depth = 0;
    for (let j = i; j < s.length; j++) {
      const c = s[j];
      if (c === '"') {
        j = stringEnd(s, j) - 1;
        if (j < 0) return -1;
      } else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        if (--depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < s.length && !WS.has(s[j]) && s[j] !== "," && s[j] !== "}" && s[j] !== "]") j++;
  return j > i ? j : -1;
}

/**
 * `text` with `"signing": {...}` as the last member of the event's options (so it wins
 * over one written in the text), or a new options member; null when the text is not a
 * JSON object whose options are an object or null (the page then shows the text's own
 * error). `signing`: { secret, id?, timestamp? }.
 */
export function withSigning(text, signing) {
  const skip = (i) => { while (i < text.length && WS.has(text[i])) i++; return i; };
  let i = skip(text.charCodeAt(0) === 0xfeff ? 1 : 0);
  if (text[i] !== "{") return null;
  let options = null; // the last top-level "options" value: [start, end)
  let members = 0;
  i = skip(i + 1);
  if (text[i] !== "}") {
    for (;;) {
      i = skip(i);
      if (text[i] !== '"') return null;
      const keyEnd = stringEnd(text, i);
      if (keyEnd < 0) return null;
      let key;
      try { key = JSON.parse(text.slice(i, keyEnd)); } catch { return null; }
      i = skip(keyEnd);
      if (text[i] !== ":") return null;
      const start = skip(i + 1);
      const end = valueEnd(text, start);
      if (end < 0) return null;
      members++;
      if (key === "options") options = [start, end];
      i = skip(end);
      if (text[i] === ",") { i++; continue; }
      if (text[i] === "}") break;
      return null;
    }
  }
  const close = i;
  if (skip(close + 1) !== text.length) return null;
  const member = `"signing": ${JSON.stringify(signing)}`;
  if (options && text[options[0]] === "{") {
    const inner = options[1] - 1; // the options object's closing brace
    const empty = skip(options[0] + 1) === inner;
    return text.slice(0, inner) + (empty ? "" : ", ") + member + text.slice(inner);
  }
  if (options && text.slice(options[0], options[1]) === "null") {
    return text.slice(0, options[0]) + `{${member}}` + text.slice(options[1]);
  }
  if (options) return null;
  return text.slice(0, close) + (members ? ", " : "") + `"options": {${member}}` + text.slice(close);
}

/** Whether an error thrown by buildDeliveries is about options.signing (the field's value). */
export const isSigningError = (e) => Boolean(e && typeof e.path === "string" && e.path.startsWith("options.signing"));

/** The three headers signing adds, after Label Studio's own. */
export const SIGNING_HEADERS = ["webhook-id", "webhook-timestamp", "webhook-signature"];
