// Display-only re-indentation of JSON text, token by token: numbers and strings
// are kept exactly as written (1.0 stays 1.0, ints past 2^53 keep every digit),
// which a JSON.parse round trip would not do. No DOM.
//
// It does not validate: text that is not JSON comes out re-spaced, not refused
// (the library says what is wrong with an event; the Format button checks that
// the result reads the same before using it).

/** Re-indents JSON text. Strings are shown decoded (é rather than \u00e9) when `readable`. */
export function prettyJson(text, { readable = true, indent = "  " } = {}) {
  let out = "";
  let depth = 0;
  const n = text.length;
  const nl = () => "\n" + indent.repeat(depth);
  for (let i = 0; i < n;) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      const tok = text.slice(i, j + 1);
      if (readable && tok.includes("\\u")) {
        try { out += JSON.stringify(JSON.parse(tok)); } catch { out += tok; }
      } else out += tok;
      i = j + 1;
    } else if (c === "{" || c === "[") {
      let j = i + 1;
      while (j < n && " \t\r\n".includes(text[j])) j++;
      if (text[j] === (c === "{" ? "}" : "]")) {
        out += c + text[j];
        i = j + 1;
      } else {
        depth++;
        out += c + nl();
        i++;
      }
    } else if (c === "}" || c === "]") {
      depth = Math.max(0, depth - 1);
      out += nl() + c;
      i++;
    } else if (c === ",") {
      out += "," + nl();
      i++;
    } else if (c === ":") {
      out += ": ";
      i++;
    } else if (" \t\r\n".includes(c)) {
      i++;
    } else {
      let j = i;
      while (j < n && !',:{}[]" \t\r\n'.includes(text[j])) j++;
      out += text.slice(i, j || i + 1);
      i = Math.max(j, i + 1);
    }
  }
  return out;
}
