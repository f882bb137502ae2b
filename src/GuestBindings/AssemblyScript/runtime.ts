// ---- the runtime: strict JSON over linear memory, typed results and errors ------------------------------------------

/** The largest input an export reads, in bytes. */
export const AIRLOCK_MAX_INPUT: i32 = 16 * 1024 * 1024;
/** The deepest JSON nesting read or written (System.Text.Json's default). */
export const AIRLOCK_MAX_DEPTH: i32 = 64;
/**
 * true when the manifest says "host_status_codes": true (a host result < 0 is a status code, 0 a present empty value);
 * false for the plain encoding (0 means no value).
 */
export const AIRLOCK_HOST_STATUS_CODES: bool = true;

/** A typed error: the host raises it as PluginErrorException with this code, message and retryable flag. */
export class PluginError {
  constructor(public code: string, public message: string, public retryable: bool = false) {}
}

/** What a function the plugin implements answers: a value, or a typed error. Make one with ok() or fail(). */
export class Result<T> {
  constructor(public value: T | null, public error: PluginError | null) {}
}

/** A successful result. */
export function ok<T>(value: T): Result<T> {
  return new Result<T>(value, null);
}

/** A typed error: `return fail<PublishResult>("invalid_request", "the text is empty");`. */
export function fail<T>(code: string, message: string): Result<T> {
  return new Result<T>(null, new PluginError(code, message, false));
}

/**
 * No value, for a function whose result is optional: a fixed-offset hook answers "no change" (0), any other export
 * answers JSON null. For a result that is not optional it is an "invalid_result" error.
 */
export function none<T>(): Result<T> {
  return new Result<T>(null, null);
}

/** A typed error the host may retry. */
export function failRetryable<T>(code: string, message: string): Result<T> {
  return new Result<T>(null, new PluginError(code, message, true));
}

/** The text of one JSON value (object, array, string, number or literal), validated when read and before it is written. */
export class RawJson {
  constructor(public text: string) {}
}

/** Status of a host call: 0 is success; the negative codes are those of docs/abi/packed-ptr-len.md. */
export enum HostStatus {
  Ok = 0,
  NotFound = -1,
  PermissionDenied = -2,
  RateLimited = -3,
  InvalidArgument = -4,
  TooLarge = -5,
  Unavailable = -6,
  /** The host answered something the binding cannot read as the contract's type. */
  Malformed = -100,
  /** The argument could not be written (a lone surrogate in text, invalid raw JSON, too deep). */
  BadArgument = -101,
}

/** What a host function that returns data answers: a status, and the value when the status is Ok. */
export class HostResult<T> {
  constructor(public status: HostStatus, public value: T | null) {}

  get ok(): bool {
    return this.status == HostStatus.Ok;
  }
}

/** The wire name of a status ("not_found", ...). */
export function hostStatusName(status: HostStatus): string {
  switch (status) {
    case HostStatus.Ok: return "ok";
    case HostStatus.NotFound: return "not_found";
    case HostStatus.PermissionDenied: return "permission_denied";
    case HostStatus.RateLimited: return "rate_limited";
    case HostStatus.InvalidArgument: return "invalid_argument";
    case HostStatus.TooLarge: return "too_large";
    case HostStatus.Unavailable: return "unavailable";
    case HostStatus.Malformed: return "malformed";
    default: return "bad_argument";
  }
}

/** The length of the UTF-8 sequence at p (at most n bytes), or 0 when it is not strict UTF-8. */
function utf8Seq(p: usize, n: usize): usize {
  const c = <u32>load<u8>(p);
  if (c < 0x80) return 1;
  if (c < 0xC2) return 0;
  if (c < 0xE0) {
    if (n < 2 || (<u32>load<u8>(p + 1) & 0xC0) != 0x80) return 0;
    return 2;
  }
  if (c < 0xF0) {
    if (n < 3) return 0;
    const b1 = <u32>load<u8>(p + 1);
    if ((b1 & 0xC0) != 0x80 || (<u32>load<u8>(p + 2) & 0xC0) != 0x80) return 0;
    if (c == 0xE0 && b1 < 0xA0) return 0;
    if (c == 0xED && b1 >= 0xA0) return 0;
    return 3;
  }
  if (c < 0xF5) {
    if (n < 4) return 0;
    const b1 = <u32>load<u8>(p + 1);
    if ((b1 & 0xC0) != 0x80 || (<u32>load<u8>(p + 2) & 0xC0) != 0x80 || (<u32>load<u8>(p + 3) & 0xC0) != 0x80) return 0;
    if (c == 0xF0 && b1 < 0x90) return 0;
    if (c == 0xF4 && b1 >= 0x90) return 0;
    return 4;
  }
  return 0;
}

/** Whether [p, p + n) is strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF). */
export function utf8Valid(p: usize, n: usize): bool {
  let i: usize = 0;
  while (i < n) {
    const k = utf8Seq(p + i, n - i);
    if (k == 0) return false;
    i += k;
  }
  return true;
}

/** Decodes strict UTF-8 into a string; null when the bytes are not strict UTF-8 (String.UTF8.decode would replace them). */
export function utf8Decode(p: usize, n: usize): string | null {
  if (!utf8Valid(p, n)) return null;
  return String.UTF8.decodeUnsafe(p, n);
}

function hex4(p: usize): i32 {
  let v: i32 = 0;
  for (let i: usize = 0; i < 4; i++) {
    const c = <i32>load<u8>(p + i);
    v <<= 4;
    if (c >= 0x30 && c <= 0x39) v |= c - 0x30;
    else if (c >= 0x61 && c <= 0x66) v |= c - 0x61 + 10;
    else if (c >= 0x41 && c <= 0x46) v |= c - 0x41 + 10;
    else return -1;
  }
  return v;
}

/** A strict JSON reader over bytes in linear memory; the first problem is kept in `error`, at byte `errorAt`. */
export class JsonReader {
  start: usize;
  p: usize;
  end: usize;
  depth: i32 = 0;
  error: string | null = null;
  errorAt: i32 = 0;
  /** The key member() read last. */
  key: string = "";

  constructor(ptr: usize, len: usize) {
    this.start = ptr;
    this.p = ptr;
    this.end = ptr + len;
  }

  fail(why: string): bool {
    if (this.error === null) {
      this.error = why;
      this.errorAt = <i32>(this.p - this.start);
    }
    return false;
  }

  ws(): void {
    while (this.p < this.end) {
      const c = load<u8>(this.p);
      if (c != 0x20 && c != 0x09 && c != 0x0A && c != 0x0D) break;
      this.p++;
    }
  }

  peek(c: u8): bool {
    this.ws();
    return this.p < this.end && load<u8>(this.p) == c;
  }

  literal(text: string): bool {
    const n = <usize>text.length;
    if (this.end - this.p < n) return this.fail("invalid literal");
    for (let i: usize = 0; i < n; i++) {
      if (<i32>load<u8>(this.p + i) != text.charCodeAt(<i32>i)) return this.fail("invalid literal");
    }
    this.p += n;
    return true;
  }

  /** Consumes `null` when it is next. */
  isNull(): bool {
    this.ws();
    if (this.end - this.p >= 4 && load<u32>(this.p) == 0x6C6C756E) {
      this.p += 4;
      return true;
    }
    return false;
  }

  /** Reads a string; null (with `error` set) when it is not one. With decode false it only validates. */
  str(decode: bool = true): string | null {
    this.ws();
    if (this.p >= this.end || load<u8>(this.p) != 0x22) {
      this.fail("expected a string");
      return null;
    }
    const s = ++this.p;
    let units: usize = 0;
    let escaped = false;
    while (true) {
      if (this.p >= this.end) {
        this.fail("unterminated string");
        return null;
      }
      const c = <u32>load<u8>(this.p);
      if (c == 0x22) break;
      if (c < 0x20) {
        this.fail("control character in a string");
        return null;
      }
      if (c == 0x5C) {
        escaped = true;
        if (this.end - this.p < 2) {
          this.fail("unterminated escape");
          return null;
        }
        const e = <u32>load<u8>(this.p + 1);
        if (e == 0x75) {
          if (this.end - this.p < 6) {
            this.fail("unterminated \\u escape");
            return null;
          }
          const u = hex4(this.p + 2);
          if (u < 0) {
            this.fail("invalid \\u escape");
            return null;
          }
          if (u >= 0xD800 && u <= 0xDBFF) {
            const lo = this.end - this.p >= 12 && load<u8>(this.p + 6) == 0x5C && load<u8>(this.p + 7) == 0x75 ? hex4(this.p + 8) : -1;
            if (lo < 0xDC00 || lo > 0xDFFF) {
              this.fail("unpaired surrogate in a \\u escape");
              return null;
            }
            this.p += 12;
            units += 2;
          } else if (u >= 0xDC00 && u <= 0xDFFF) {
            this.fail("unpaired surrogate in a \\u escape");
            return null;
          } else {
            this.p += 6;
            units += 1;
          }
          continue;
        }
        if (e != 0x22 && e != 0x5C && e != 0x2F && e != 0x62 && e != 0x66 && e != 0x6E && e != 0x72 && e != 0x74) {
          this.fail("invalid escape");
          return null;
        }
        this.p += 2;
        units += 1;
        continue;
      }
      const k = utf8Seq(this.p, this.end - this.p);
      if (k == 0) {
        this.fail("invalid UTF-8");
        return null;
      }
      this.p += k;
      units += k == 4 ? 2 : 1;
    }
    const e = this.p++;
    if (!decode) return "";
    if (!escaped) return String.UTF8.decodeUnsafe(s, e - s);
    // Escapes: decode into UTF-16 code units, then make the string.
    const buf = heap.alloc(units << 1);
    let o = buf;
    let q = s;
    while (q < e) {
      const c = <u32>load<u8>(q);
      if (c != 0x5C) {
        const k = utf8Seq(q, e - q);
        let cp: u32 = c;
        if (k == 2) cp = ((c & 0x1F) << 6) | (<u32>load<u8>(q + 1) & 0x3F);
        else if (k == 3) cp = ((c & 0x0F) << 12) | ((<u32>load<u8>(q + 1) & 0x3F) << 6) | (<u32>load<u8>(q + 2) & 0x3F);
        else if (k == 4) cp = ((c & 0x07) << 18) | ((<u32>load<u8>(q + 1) & 0x3F) << 12) | ((<u32>load<u8>(q + 2) & 0x3F) << 6) | (<u32>load<u8>(q + 3) & 0x3F);
        q += k;
        if (cp >= 0x10000) {
          cp -= 0x10000;
          store<u16>(o, <u16>(0xD800 + (cp >> 10)));
          store<u16>(o + 2, <u16>(0xDC00 + (cp & 0x3FF)));
          o += 4;
        } else {
          store<u16>(o, <u16>cp);
          o += 2;
        }
        continue;
      }
      const x = <u32>load<u8>(q + 1);
      if (x == 0x75) {
        store<u16>(o, <u16>hex4(q + 2));
        o += 2;
        q += 6;
        continue;
      }
      const v: u32 = x == 0x62 ? 0x08 : x == 0x66 ? 0x0C : x == 0x6E ? 0x0A : x == 0x72 ? 0x0D : x == 0x74 ? 0x09 : x;
      store<u16>(o, <u16>v);
      o += 2;
      q += 2;
    }
    const text = String.UTF16.decodeUnsafe(buf, o - buf);
    heap.free(buf);
    return text;
  }

  /** Validates a number by JSON's grammar; answers 1 for an integer, 2 for a number with a fraction or exponent, 0 on error. */
  numberText(): i32 {
    this.ws();
    let p = this.p;
    let kind = 1;
    if (p < this.end && load<u8>(p) == 0x2D) p++;
    if (p >= this.end) return <i32>this.fail("expected a number");
    let c = load<u8>(p);
    if (c == 0x30) p++;
    else if (c >= 0x31 && c <= 0x39) {
      while (p < this.end && load<u8>(p) >= 0x30 && load<u8>(p) <= 0x39) p++;
    } else return <i32>this.fail("expected a number");
    if (p < this.end && load<u8>(p) == 0x2E) {
      kind = 2;
      p++;
      if (p >= this.end || load<u8>(p) < 0x30 || load<u8>(p) > 0x39) {
        this.p = p;
        return <i32>this.fail("invalid number");
      }
      while (p < this.end && load<u8>(p) >= 0x30 && load<u8>(p) <= 0x39) p++;
    }
    if (p < this.end && (load<u8>(p) == 0x65 || load<u8>(p) == 0x45)) {
      kind = 2;
      p++;
      if (p < this.end && (load<u8>(p) == 0x2B || load<u8>(p) == 0x2D)) p++;
      if (p >= this.end || load<u8>(p) < 0x30 || load<u8>(p) > 0x39) {
        this.p = p;
        return <i32>this.fail("invalid number");
      }
      while (p < this.end && load<u8>(p) >= 0x30 && load<u8>(p) <= 0x39) p++;
    }
    this.p = p;
    return kind;
  }

  /** Reads an integer in [min, max] exactly (no fraction, no exponent); `error` is set when it fails. */
  int(min: i64, max: i64): i64 {
    this.ws();
    let s = this.p;
    const kind = this.numberText();
    if (kind == 0) return 0;
    if (kind == 2) {
      this.fail("expected an integer");
      return 0;
    }
    const neg = load<u8>(s) == 0x2D;
    if (neg) s++;
    const limit: u64 = neg ? <u64>(-(min + 1)) + 1 : <u64>max;
    let v: u64 = 0;
    for (; s < this.p; s++) {
      const d = <u64>(load<u8>(s) - 0x30);
      if (v > (limit - d) / 10) {
        this.fail("integer out of range");
        return 0;
      }
      v = v * 10 + d;
    }
    return neg ? <i64>(0 - v) : <i64>v;
  }

  i32(): i32 {
    return <i32>this.int(i32.MIN_VALUE, i32.MAX_VALUE);
  }

  i64(): i64 {
    return this.int(i64.MIN_VALUE, i64.MAX_VALUE);
  }

  bool(): bool {
    this.ws();
    if (this.p < this.end && load<u8>(this.p) == 0x74) return this.literal("true");
    if (this.p < this.end && load<u8>(this.p) == 0x66) {
      this.literal("false");
      return false;
    }
    this.fail("expected true or false");
    return false;
  }

  open(c: u8, what: string): bool {
    this.ws();
    if (this.p >= this.end || load<u8>(this.p) != c) return this.fail(what);
    if (++this.depth > AIRLOCK_MAX_DEPTH) return this.fail("JSON nested too deeply");
    this.p++;
    return true;
  }

  /** The next member of an object opened with open(): 1 (its key in `key`, the colon read), 0 at the end, -1 on error. */
  member(first: bool, decodeKey: bool = true): i32 {
    this.ws();
    if (this.p < this.end && load<u8>(this.p) == 0x7D) {
      this.p++;
      this.depth--;
      return 0;
    }
    if (!first) {
      if (this.p >= this.end || load<u8>(this.p) != 0x2C) {
        this.fail("expected , or }");
        return -1;
      }
      this.p++;
    }
    const key = this.str(decodeKey);
    if (key === null) return -1;
    this.key = key;
    this.ws();
    if (this.p >= this.end || load<u8>(this.p) != 0x3A) {
      this.fail("expected :");
      return -1;
    }
    this.p++;
    return 1;
  }

  /** The next item of an array opened with open(): 1 (an item follows), 0 at the end, -1 on error. */
  item(first: bool): i32 {
    this.ws();
    if (this.p < this.end && load<u8>(this.p) == 0x5D) {
      this.p++;
      this.depth--;
      return 0;
    }
    if (!first) {
      if (this.p >= this.end || load<u8>(this.p) != 0x2C) {
        this.fail("expected , or ]");
        return -1;
      }
      this.p++;
    }
    return 1;
  }

  /** Reads and validates one value of any kind, keeping nothing. */
  skip(): bool {
    this.ws();
    if (this.p >= this.end) return this.fail("expected a value");
    const c = load<u8>(this.p);
    if (c == 0x22) return this.str(false) !== null;
    if (c == 0x7B) {
      if (!this.open(0x7B, "expected an object")) return false;
      let m: i32;
      let first = true;
      while ((m = this.member(first, false)) == 1) {
        first = false;
        if (!this.skip()) return false;
      }
      return m == 0;
    }
    if (c == 0x5B) {
      if (!this.open(0x5B, "expected an array")) return false;
      let m: i32;
      let first = true;
      while ((m = this.item(first)) == 1) {
        first = false;
        if (!this.skip()) return false;
      }
      return m == 0;
    }
    if (c == 0x74) return this.literal("true");
    if (c == 0x66) return this.literal("false");
    if (c == 0x6E) return this.literal("null");
    return this.numberText() != 0;
  }

  /** Reads one value of any kind as its text. */
  json(): RawJson | null {
    this.ws();
    const s = this.p;
    if (!this.skip()) return null;
    return new RawJson(String.UTF8.decodeUnsafe(s, this.p - s));
  }

  /** Reads one JSON object as its text. */
  jsonObject(): RawJson | null {
    if (!this.peek(0x7B)) {
      this.fail("expected an object");
      return null;
    }
    return this.json();
  }

  /** Reads one JSON array as its text. */
  jsonArray(): RawJson | null {
    if (!this.peek(0x5B)) {
      this.fail("expected an array");
      return null;
    }
    return this.json();
  }

  strList(): string[] | null {
    if (!this.open(0x5B, "expected an array")) return null;
    const out = new Array<string>();
    let m: i32;
    let first = true;
    while ((m = this.item(first)) == 1) {
      first = false;
      if (this.isNull()) {
        this.fail("null item in a list of strings");
        return null;
      }
      const s = this.str();
      if (s === null) return null;
      out.push(s);
    }
    return m == 0 ? out : null;
  }

  strMap(): Map<string, string> | null {
    if (!this.open(0x7B, "expected an object")) return null;
    const out = new Map<string, string>();
    let m: i32;
    let first = true;
    while ((m = this.member(first)) == 1) {
      first = false;
      const key = this.key;
      if (this.isNull()) {
        this.fail("null value in an object of strings");
        return null;
      }
      const s = this.str();
      if (s === null) return null;
      // A repeated key keeps its last value, as System.Text.Json's dictionaries do.
      out.set(key, s);
    }
    return m == 0 ? out : null;
  }

  /** Only whitespace may follow the value. */
  finish(): bool {
    this.ws();
    if (this.error !== null) return false;
    if (this.p != this.end) return this.fail("more than one JSON value");
    return true;
  }

  /** "<prefix><why> at byte <n>". */
  where(prefix: string): string {
    const why = this.error;
    return prefix + (why === null ? "invalid JSON" : why) + " at byte " + this.errorAt.toString();
  }
}

/** A JSON writer into a growing buffer from heap.alloc; the first problem is kept in `error`. */
export class JsonWriter {
  buf: usize = 0;
  len: usize = 0;
  cap: usize = 0;
  depth: i32 = 0;
  error: string | null = null;

  fail(why: string): bool {
    if (this.error === null) this.error = why;
    return false;
  }

  reserve(more: usize): bool {
    if (this.error !== null) return false;
    if (this.cap - this.len >= more) return true;
    let cap = this.cap ? this.cap : 256;
    while (cap - this.len < more) {
      if (cap > <usize>AIRLOCK_MAX_INPUT * 4) return this.fail("result too large");
      cap <<= 1;
    }
    this.buf = this.buf ? heap.realloc(this.buf, cap) : heap.alloc(cap);
    this.cap = cap;
    return true;
  }

  byte(c: u8): void {
    if (!this.reserve(1)) return;
    store<u8>(this.buf + this.len, c);
    this.len++;
  }

  /** Appends ASCII text as it is (keys, literals, punctuation). */
  ascii(text: string): void {
    const n = <usize>text.length;
    if (!this.reserve(n)) return;
    for (let i: usize = 0; i < n; i++) store<u8>(this.buf + this.len + i, <u8>text.charCodeAt(<i32>i));
    this.len += n;
  }

  bytes(ptr: usize, n: usize): void {
    if (n == 0 || !this.reserve(n)) return;
    memory.copy(this.buf + this.len, ptr, n);
    this.len += n;
  }

  /**
   * Appends text as UTF-8, escaping it as a JSON string's content when `quote` is true. A lone surrogate fails, or is
   * written as U+FFFD when `replace` is true.
   */
  utf8(text: string, quote: bool, replace: bool = false): void {
    const n = text.length;
    if (!this.reserve(<usize>n * 6 + 2)) return;
    let o = this.buf + this.len;
    if (quote) store<u8>(o++, 0x22);
    for (let i = 0; i < n; i++) {
      let c = <u32>text.charCodeAt(i);
      if (c < 0x80) {
        if (quote && (c == 0x22 || c == 0x5C)) {
          store<u8>(o++, 0x5C);
          store<u8>(o++, <u8>c);
        } else if (quote && c == 0x0A) {
          store<u16>(o, 0x6E5C);
          o += 2;
        } else if (quote && c == 0x0D) {
          store<u16>(o, 0x725C);
          o += 2;
        } else if (quote && c == 0x09) {
          store<u16>(o, 0x745C);
          o += 2;
        } else if (quote && (c < 0x20 || c == 0x7F)) {
          store<u32>(o, 0x3030755C);
          store<u8>(o + 4, <u8>(c >> 4 < 10 ? 0x30 + (c >> 4) : 0x57 + (c >> 4)));
          store<u8>(o + 5, <u8>((c & 15) < 10 ? 0x30 + (c & 15) : 0x57 + (c & 15)));
          o += 6;
        } else {
          store<u8>(o++, <u8>c);
        }
      } else if (c < 0x800) {
        store<u8>(o++, <u8>(0xC0 | (c >> 6)));
        store<u8>(o++, <u8>(0x80 | (c & 0x3F)));
      } else if (c >= 0xD800 && c <= 0xDFFF) {
        const lo = i + 1 < n ? <u32>text.charCodeAt(i + 1) : 0;
        if (c > 0xDBFF || lo < 0xDC00 || lo > 0xDFFF) {
          if (!replace) {
            this.fail("text has a lone surrogate (not valid UTF-8)");
            return;
          }
          store<u8>(o++, 0xEF);
          store<u8>(o++, 0xBF);
          store<u8>(o++, 0xBD);
          continue;
        }
        i++;
        const cp = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
        store<u8>(o++, <u8>(0xF0 | (cp >> 18)));
        store<u8>(o++, <u8>(0x80 | ((cp >> 12) & 0x3F)));
        store<u8>(o++, <u8>(0x80 | ((cp >> 6) & 0x3F)));
        store<u8>(o++, <u8>(0x80 | (cp & 0x3F)));
      } else {
        store<u8>(o++, <u8>(0xE0 | (c >> 12)));
        store<u8>(o++, <u8>(0x80 | ((c >> 6) & 0x3F)));
        store<u8>(o++, <u8>(0x80 | (c & 0x3F)));
      }
    }
    if (quote) store<u8>(o++, 0x22);
    this.len = o - this.buf;
  }

  str(text: string | null): void {
    if (text === null) this.ascii("null");
    else this.utf8(text, true);
  }

  i64(v: i64): void {
    this.ascii(v.toString());
  }

  bool(v: bool): void {
    this.ascii(v ? "true" : "false");
  }

  /** Writes raw JSON after checking it is exactly one valid value (no deeper than the limit). */
  json(j: RawJson | null): void {
    if (j === null) {
      this.ascii("null");
      return;
    }
    const from = this.len;
    this.utf8(j.text, false);
    if (this.error !== null) return;
    const r = new JsonReader(this.buf + from, this.len - from);
    r.depth = this.depth;
    if (!r.skip() || !r.finish()) {
      this.len = from;
      this.fail("raw JSON is not one valid JSON value");
    }
  }

  /** Writes the members of a raw JSON object (without its braces) after those already written; answers the new `first`. */
  jsonMembers(j: RawJson | null, first: bool): bool {
    if (j === null) return first;
    const from = this.len;
    this.utf8(j.text, false);
    if (this.error !== null) return first;
    const r = new JsonReader(this.buf + from, this.len - from);
    r.depth = this.depth;
    if (!r.peek(0x7B) || !r.skip() || !r.finish()) {
      this.len = from;
      this.fail("raw JSON is not one valid JSON object");
      return first;
    }
    // Cut the braces (and the whitespace around them) out of the copy.
    let s = from;
    while (load<u8>(this.buf + s) != 0x7B) s++;
    s++;
    let e = this.len;
    while (load<u8>(this.buf + e - 1) != 0x7D) e--;
    e--;
    let t = s;
    while (t < e && (load<u8>(this.buf + t) == 0x20 || load<u8>(this.buf + t) == 0x09 || load<u8>(this.buf + t) == 0x0A || load<u8>(this.buf + t) == 0x0D)) t++;
    if (t == e) {
      this.len = from;
      return first;
    }
    const n = e - s;
    const at = first ? from : from + 1;
    memory.copy(this.buf + at, this.buf + s, n);
    if (!first) store<u8>(this.buf + from, 0x2C);
    this.len = at + n;
    return false;
  }

  strList(l: string[]): void {
    this.byte(0x5B);
    for (let i = 0; i < l.length; i++) {
      if (i) this.byte(0x2C);
      this.str(l[i]);
    }
    this.byte(0x5D);
  }

  strMap(m: Map<string, string>): void {
    this.byte(0x7B);
    const keys = m.keys();
    for (let i = 0; i < keys.length; i++) {
      if (i) this.byte(0x2C);
      this.str(keys[i]);
      this.byte(0x3A);
      this.str(m.get(keys[i]));
    }
    this.byte(0x7D);
  }

  open(c: string): bool {
    if (++this.depth > AIRLOCK_MAX_DEPTH) return this.fail("result nested too deeply");
    this.ascii(c);
    return true;
  }

  close(c: string): void {
    this.depth--;
    this.ascii(c);
  }

  /** A member's key (given as its JSON text with the colon), with the comma before it unless it is the first. */
  key(first: bool, quotedKeyColon: string): bool {
    if (!first) this.byte(0x2C);
    this.utf8(quotedKeyColon, false);
    return false;
  }

  /** The buffer as an export's result, packed (ptr << 32 | len); the host frees it with the contract's deallocator. */
  take(): i64 {
    if (this.error !== null) unreachable();
    if (this.len == 0) {
      if (this.buf) heap.free(this.buf);
      return 0;
    }
    return (<i64>this.buf << 32) | <i64>this.len;
  }

  /** Frees the buffer (a writer that is not taken). */
  dispose(): void {
    if (this.buf) heap.free(this.buf);
    this.buf = 0;
    this.len = 0;
    this.cap = 0;
  }
}

/** An error object's members: "code", "message", "retryable". */
export function writeErrorMembers(w: JsonWriter, first: bool, error: PluginError): void {
  w.key(first, "\"code\":");
  w.str(error.code);
  w.key(false, "\"message\":");
  w.str(error.message);
  w.key(false, "\"retryable\":");
  w.bool(error.retryable);
}

/** Bytes of linear memory as a Uint8Array (a copy). */
export function bytesAt(ptr: usize, len: usize): Uint8Array {
  const out = new Uint8Array(<i32>len);
  if (len) memory.copy(out.dataStart, ptr, len);
  return out;
}

/** Text of linear memory, strictly decoded; null when it is not UTF-8. */
export function textAt(ptr: usize, len: usize): string | null {
  return utf8Decode(ptr, len);
}

/** Text as a JSON string with its quotes (a lone surrogate becomes U+FFFD). */
export function jsonQuote(text: string): string {
  const w = new JsonWriter();
  w.utf8(text, true, true);
  const quoted = String.UTF8.decodeUnsafe(w.buf, w.len);
  w.dispose();
  return quoted;
}

/** Text as UTF-8 in a writer's buffer (dispose() frees it); a lone surrogate becomes U+FFFD. */
export function utf8Buffer(text: string): JsonWriter {
  const w = new JsonWriter();
  w.utf8(text, false, true);
  return w;
}
