// Python-compatible JSON for request hashing.
//  parse(text): a JSON parser that keeps what JSON.parse loses: whether a number was written as an
//    integer or a float (Python's json.loads makes `1` an int and `1.0`/`1e2` a float), exact big integers,
//    and duplicate-key semantics (last one wins, like Python).
//  dumps(value): Python's json.dumps(value, sort_keys=True) with default separators (", ", ": "),
//    ensure_ascii=True (\uXXXX lower-case, astral chars as surrogate pairs, DEL escaped), float repr
//    (0.0, 0.7, 1e-05, 1e+16, 100.0, -0.0), keys sorted by code point.

/** A JSON object that keeps insertion order and allows any key (including "__proto__"). */
export class JObj {
  constructor(entries) { this.map = new Map(entries || []); }
  get(k) { return this.map.get(k); }
  has(k) { return this.map.has(k); }
  set(k, v) { this.map.set(k, v); return this; }
}
/** A JSON number: `isFloat` follows Python (a lexeme with '.', 'e' or 'E' is a float). */
export class JNum {
  constructor(src, isFloat) { this.src = src; this.isFloat = isFloat; }
  get value() { return Number(this.src); }
  static float(x) { return new JNum(String(x), true).withValue(x); }
  withValue(x) { this._v = x; return this; }
  get floatValue() { return this._v !== undefined ? this._v : Number(this.src); }
}
export const pyFloat = (x) => JNum.float(x);

export class JsonSyntaxError extends Error {}

export function parse(text) {
  let i = 0;
  const n = text.length;
  const err = (m) => { throw new JsonSyntaxError(`${m} at offset ${i}`); };
  const ws = () => { while (i < n) { const c = text.charCodeAt(i); if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++; else break; } };
  const value = () => {
    ws();
    if (i >= n) err("unexpected end of input");
    const c = text[i];
    if (c === "{") {
      i++; const o = new JObj(); ws();
      if (text[i] === "}") { i++; return o; }
      for (;;) {
        ws(); if (text[i] !== '"') err("expected a string key");
        const k = string(); ws();
        if (text[i] !== ":") err("expected ':'"); i++;
        o.map.delete(k); o.map.set(k, value()); ws();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "}") { i++; return o; }
        err("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++; const a = []; ws();
      if (text[i] === "]") { i++; return a; }
      for (;;) {
        a.push(value()); ws();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "]") { i++; return a; }
        err("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    if (text.startsWith("true", i)) { i += 4; return true; }
    if (text.startsWith("false", i)) { i += 5; return false; }
    if (text.startsWith("null", i)) { i += 4; return null; }
    const m = /^-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!m) err("unexpected character");
    i += m[0].length;
    return new JNum(m[0], m[1] !== undefined || m[2] !== undefined);
  };
  const string = () => {
    i++; let out = "";
    for (;;) {
      if (i >= n) err("unterminated string");
      const c = text.charCodeAt(i);
      if (c === 0x22) { i++; return out; }
      if (c === 0x5c) {
        const e = text[i + 1];
        const simple = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" }[e];
        if (simple !== undefined) { out += simple; i += 2; continue; }
        if (e === "u") {
          const h = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(h)) err("bad \\u escape");
          out += String.fromCharCode(parseInt(h, 16)); i += 6; continue;
        }
        err("bad escape");
      }
      if (c < 0x20) err("control character in string");
      out += text[i]; i++;
    }
  };
  const v = value(); ws();
  if (i !== n) err("trailing data");
  return v;
}

/** Converts a parsed tree to ordinary JS values (what JSON.parse would give). */
export function toPlain(v) {
  if (v instanceof JNum) return v.isFloat ? v.floatValue : (Number.isSafeInteger(Number(v.src)) ? Number(v.src) : Number(v.src));
  if (v instanceof JObj) { const o = {}; for (const [k, x] of v.map) Object.defineProperty(o, k, { value: toPlain(x), enumerable: true, writable: true, configurable: true }); return o; }
  if (Array.isArray(v)) return v.map(toPlain);
  return v;
}

/** Python's repr(float). */
export function floatRepr(x) {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  const [mant, expStr] = Math.abs(x).toExponential().split("e");  // shortest round-trip digits
  const digits = mant.replace(".", "");
  const decpt = Number(expStr) + 1;  // value = 0.DIGITS * 10^decpt
  if (decpt > -4 && decpt <= 16) {
    let s;
    if (decpt <= 0) s = "0." + "0".repeat(-decpt) + digits;
    else if (decpt >= digits.length) s = digits + "0".repeat(decpt - digits.length) + ".0";
    else s = digits.slice(0, decpt) + "." + digits.slice(decpt);
    return sign + s;
  }
  const e = decpt - 1;
  const m = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
  return `${sign}${m}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

function intRepr(src) { return BigInt(src).toString(); }

export function quote(s) {
  let out = '"';
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c === 0x08) out += "\\b";
    else if (c === 0x0c) out += "\\f";
    else if (c < 0x20 || c > 0x7e) out += "\\u" + c.toString(16).padStart(4, "0");
    else out += s[k];
  }
  return out + '"';
}

/** Compares strings by Unicode code point (Python's str ordering), not by UTF-16 unit. */
export function codePointCompare(a, b) {
  const ia = a[Symbol.iterator](), ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next(), y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const d = x.value.codePointAt(0) - y.value.codePointAt(0);
    if (d) return d;
  }
}

/** json.dumps(v, sort_keys=sortKeys) with Python's defaults. Accepts parsed trees and plain JS values
 * (a plain JS number is an int if it is integral, otherwise a float: wrap with pyFloat to force a float). */
export function dumps(v, { sortKeys = true } = {}) {
  if (v === null || v === undefined) return "null";
  if (v === true) return "true";
  if (v === false) return "false";
  if (v instanceof JNum) return v.isFloat ? floatRepr(v.floatValue) : intRepr(v.src);
  if (typeof v === "number") return Number.isInteger(v) && !Object.is(v, -0) ? String(BigInt(v)) : floatRepr(v);
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "string") return quote(v);
  if (Array.isArray(v)) return "[" + v.map((x) => dumps(x, { sortKeys })).join(", ") + "]";
  const entries = v instanceof JObj ? [...v.map.entries()] : Object.entries(v).filter(([, x]) => x !== undefined);
  if (sortKeys) entries.sort((a, b) => codePointCompare(a[0], b[0]));
  return "{" + entries.map(([k, x]) => quote(k) + ": " + dumps(x, { sortKeys })).join(", ") + "}";
}

/** Python truthiness of a parsed value. */
export function truthy(v) {
  if (v === null || v === undefined || v === false) return false;
  if (v instanceof JNum) return v.floatValue !== 0;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string" || Array.isArray(v)) return v.length > 0;
  if (v instanceof JObj) return v.map.size > 0;
  if (typeof v === "object") return Object.keys(v).length > 0;
  return true;
}
