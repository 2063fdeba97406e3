// A small JSON parser for tests that keeps what JSON.parse loses: the order of
// every key (JS objects put integer-like keys first) and the text of every
// number. Objects parse to `Obj` (an ordered list of entries), numbers to `Num`.
export class Obj {
  constructor(entries = []) { this.entries = entries; }
  get(key) { const e = this.entries.findLast(([k]) => k === key); return e && e[1]; }
  map(fn) { return new Obj(this.entries.map(([k, v]) => fn(k, v))); }
}
export class Num {
  constructor(text) { this.text = text; }
  valueOf() { return Number(this.text); }
}

export function parse(text) {
  let i = 0;
  const ws = () => { while (/\s/.test(text[i] ?? "")) i++; };
  const fail = (what) => { throw new SyntaxError(`expected ${what} at ${i}`); };
  function value() {
    ws();
    const c = text[i];
    if (c === "{") {
      i++; ws();
      const entries = [];
      if (text[i] === "}") { i++; return new Obj(entries); }
      for (;;) {
        ws();
        const k = string();
        ws(); if (text[i++] !== ":") fail("':'");
        entries.push([k, value()]);
        ws();
        if (text[i] === ",") { i++; continue; }
        if (text[i++] === "}") return new Obj(entries);
        fail("',' or '}'");
      }
    }
    if (c === "[") {
      i++; ws();
      const items = [];
      if (text[i] === "]") { i++; return items; }
      for (;;) {
        items.push(value()); ws();
        if (text[i] === ",") { i++; continue; }
        if (text[i++] === "]") return items;
        fail("',' or ']'");
      }
    }
    if (c === '"') return string();
    const m = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
    if (!m) fail("a value");
    i += m[0].length;
    return m[0] === "true" ? true : m[0] === "false" ? false : m[0] === "null" ? null : new Num(m[0]);
  }
  function string() {
    if (text[i] !== '"') fail("a string");
    const start = i++;
    while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i));
  }
  const v = value(); ws();
  if (i !== text.length) fail("end of input");
  return v;
}

export function stringify(v) {
  if (v instanceof Obj) return `{${v.entries.map(([k, x]) => `${JSON.stringify(k)}:${stringify(x)}`).join(",")}}`;
  if (Array.isArray(v)) return `[${v.map(stringify).join(",")}]`;
  if (v instanceof Num) return v.text;
  return JSON.stringify(v);
}
