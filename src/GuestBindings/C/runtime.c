/* Internal to the bindings; some are used only by some contracts. */
#define AIRLOCK_INTERNAL static __attribute__((unused))

#include <stdlib.h>
#include <string.h>

/* ---- the call's arena ----------------------------------------------------------------------------------------- */

struct airlock_chunk { airlock_chunk *next; size_t used, cap; };

void *airlock_alloc(airlock_ctx *ctx, size_t size) {
    size = (size + 7u) & ~(size_t)7u;
    airlock_chunk *c = ctx->arena.head;
    if (!c || c->cap - c->used < size) {
        size_t cap = size > 4000u ? size : 4000u;
        if (cap > SIZE_MAX - sizeof(airlock_chunk)) __builtin_trap();
        c = (airlock_chunk *)malloc(sizeof(airlock_chunk) + cap);
        if (!c) __builtin_trap();
        c->next = ctx->arena.head;
        c->used = 0;
        c->cap = cap;
        ctx->arena.head = c;
    }
    void *p = (char *)(c + 1) + c->used;
    c->used += size;
    memset(p, 0, size);
    return p;
}

AIRLOCK_INTERNAL void airlock_arena_free(airlock_ctx *ctx) {
    airlock_chunk *c = ctx->arena.head;
    while (c) {
        airlock_chunk *next = c->next;
        free(c);
        c = next;
    }
    ctx->arena.head = NULL;
}

airlock_str airlock_str_copy(airlock_ctx *ctx, const char *ptr, size_t len) {
    if (len >= UINT32_MAX) __builtin_trap();
    char *copy = (char *)airlock_alloc(ctx, len + 1);
    if (len) memcpy(copy, ptr, len);
    airlock_str s = {copy, (uint32_t)len};
    return s;
}

airlock_str airlock_str_of(const char *text) {
    airlock_str s = {text, text ? (uint32_t)strlen(text) : 0u};
    return s;
}

bool airlock_str_eq(airlock_str a, const char *text) {
    size_t n = strlen(text);
    return a.ptr && a.len == n && memcmp(a.ptr, text, n) == 0;
}

AIRLOCK_INTERNAL bool airlock_fail_with(airlock_ctx *ctx, const char *code, const char *message, bool retryable) {
    ctx->failed = true;
    ctx->code = airlock_str_copy(ctx, code, strlen(code));
    ctx->message = airlock_str_copy(ctx, message, strlen(message));
    ctx->retryable = retryable;
    return false;
}

bool airlock_fail(airlock_ctx *ctx, const char *code, const char *message) { return airlock_fail_with(ctx, code, message, false); }

bool airlock_fail_retryable(airlock_ctx *ctx, const char *code, const char *message) { return airlock_fail_with(ctx, code, message, true); }

bool airlock_none(airlock_ctx *ctx) {
    ctx->none = true;
    return true;
}

const char *airlock_status_name(airlock_status status) {
    switch (status) {
    case AIRLOCK_OK: return "ok";
    case AIRLOCK_NOT_FOUND: return "not_found";
    case AIRLOCK_PERMISSION_DENIED: return "permission_denied";
    case AIRLOCK_RATE_LIMITED: return "rate_limited";
    case AIRLOCK_INVALID_ARGUMENT: return "invalid_argument";
    case AIRLOCK_TOO_LARGE: return "too_large";
    case AIRLOCK_UNAVAILABLE: return "unavailable";
    case AIRLOCK_MALFORMED: return "malformed";
    case AIRLOCK_BAD_ARGUMENT: return "bad_argument";
    }
    return "unknown";
}

/* ---- strict UTF-8 ----------------------------------------------------------------------------------------------- */

/* The length of the valid UTF-8 sequence at s (at most n bytes), or 0 when it is not one: no overlong forms, no
 * surrogates, nothing above U+10FFFF. */
AIRLOCK_INTERNAL size_t airlock_utf8_seq(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && s[1] < 0xA0) return 0;
        if (c == 0xED && s[1] >= 0xA0) return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
        if (c == 0xF0 && s[1] < 0x90) return 0;
        if (c == 0xF4 && s[1] >= 0x90) return 0;
        return 4;
    }
    return 0;
}

AIRLOCK_INTERNAL bool airlock_utf8_valid(const char *p, size_t n) {
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    while (i < n) {
        size_t k = airlock_utf8_seq(s + i, n - i);
        if (!k) return false;
        i += k;
    }
    return true;
}

/* ---- the JSON reader -------------------------------------------------------------------------------------------- */

typedef struct {
    const char *start, *p, *end;
    int depth;
    airlock_ctx *ctx;
    const char *error;   /* the first problem, or NULL */
    size_t error_at;     /* its byte offset */
} airlock_reader;

AIRLOCK_INTERNAL bool rd_fail(airlock_reader *r, const char *why) {
    if (!r->error) {
        r->error = why;
        r->error_at = (size_t)(r->p - r->start);
    }
    return false;
}

AIRLOCK_INTERNAL void rd_ws(airlock_reader *r) {
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')) r->p++;
}

AIRLOCK_INTERNAL bool rd_peek(airlock_reader *r, char c) {
    rd_ws(r);
    return r->p < r->end && *r->p == c;
}

AIRLOCK_INTERNAL bool rd_literal(airlock_reader *r, const char *lit) {
    size_t n = strlen(lit);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, lit, n) != 0) return rd_fail(r, "invalid literal");
    r->p += n;
    return true;
}

/* Consumes `null` when it is next. */
AIRLOCK_INTERNAL bool rd_null(airlock_reader *r) {
    rd_ws(r);
    if (r->end - r->p >= 4 && memcmp(r->p, "null", 4) == 0) {
        r->p += 4;
        return true;
    }
    return false;
}

AIRLOCK_INTERNAL int rd_hex4(const char *p) {
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= c - '0';
        else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
        else return -1;
    }
    return v;
}

/* Reads a string. With out NULL only validates it; otherwise decodes it into a NUL-terminated arena copy. */
AIRLOCK_INTERNAL bool rd_string(airlock_reader *r, airlock_str *out) {
    rd_ws(r);
    if (r->p >= r->end || *r->p != '"') return rd_fail(r, "expected a string");
    const char *s = ++r->p;
    size_t decoded = 0;
    bool escaped = false;
    /* First pass: validate and measure. */
    while (true) {
        if (r->p >= r->end) return rd_fail(r, "unterminated string");
        unsigned char c = (unsigned char)*r->p;
        if (c == '"') break;
        if (c < 0x20) return rd_fail(r, "control character in a string");
        if (c == '\\') {
            escaped = true;
            if (r->end - r->p < 2) return rd_fail(r, "unterminated escape");
            char e = r->p[1];
            if (e == 'u') {
                if (r->end - r->p < 6) return rd_fail(r, "unterminated \\u escape");
                int u = rd_hex4(r->p + 2);
                if (u < 0) return rd_fail(r, "invalid \\u escape");
                if (u >= 0xD800 && u <= 0xDBFF) {
                    int lo = r->end - r->p >= 12 && r->p[6] == '\\' && r->p[7] == 'u' ? rd_hex4(r->p + 8) : -1;
                    if (lo < 0xDC00 || lo > 0xDFFF) return rd_fail(r, "unpaired surrogate in a \\u escape");
                    r->p += 12;
                    decoded += 4;
                } else if (u >= 0xDC00 && u <= 0xDFFF) {
                    return rd_fail(r, "unpaired surrogate in a \\u escape");
                } else {
                    r->p += 6;
                    decoded += u < 0x80 ? 1 : u < 0x800 ? 2 : 3;
                }
                continue;
            }
            if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't') return rd_fail(r, "invalid escape");
            r->p += 2;
            decoded++;
            continue;
        }
        size_t k = airlock_utf8_seq((const unsigned char *)r->p, (size_t)(r->end - r->p));
        if (!k) return rd_fail(r, "invalid UTF-8");
        r->p += k;
        decoded += k;
    }
    const char *e = r->p++;
    if (!out) return true;
    if (decoded >= UINT32_MAX) return rd_fail(r, "string too long");
    if (!escaped) {
        *out = airlock_str_copy(r->ctx, s, (size_t)(e - s));
        return true;
    }
    char *buf = (char *)airlock_alloc(r->ctx, decoded + 1);
    size_t n = 0;
    for (const char *q = s; q < e;) {
        if (*q != '\\') { buf[n++] = *q++; continue; }
        char c = q[1];
        if (c != 'u') {
            buf[n++] = c == 'b' ? '\b' : c == 'f' ? '\f' : c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c;
            q += 2;
            continue;
        }
        uint32_t u = (uint32_t)rd_hex4(q + 2);
        q += 6;
        if (u >= 0xD800 && u <= 0xDBFF) {
            uint32_t lo = (uint32_t)rd_hex4(q + 2);
            q += 6;
            u = 0x10000u + ((u - 0xD800u) << 10) + (lo - 0xDC00u);
        }
        if (u < 0x80) buf[n++] = (char)u;
        else if (u < 0x800) { buf[n++] = (char)(0xC0 | (u >> 6)); buf[n++] = (char)(0x80 | (u & 0x3F)); }
        else if (u < 0x10000) { buf[n++] = (char)(0xE0 | (u >> 12)); buf[n++] = (char)(0x80 | ((u >> 6) & 0x3F)); buf[n++] = (char)(0x80 | (u & 0x3F)); }
        else { buf[n++] = (char)(0xF0 | (u >> 18)); buf[n++] = (char)(0x80 | ((u >> 12) & 0x3F)); buf[n++] = (char)(0x80 | ((u >> 6) & 0x3F)); buf[n++] = (char)(0x80 | (u & 0x3F)); }
    }
    out->ptr = buf;
    out->len = (uint32_t)n;
    return true;
}

/* Validates a number by JSON's grammar; sets *integral when it has no fraction or exponent. */
AIRLOCK_INTERNAL bool rd_number_text(airlock_reader *r, const char **from, bool *integral) {
    rd_ws(r);
    const char *p = r->p;
    *from = p;
    *integral = true;
    if (p < r->end && *p == '-') p++;
    if (p >= r->end) return rd_fail(r, "expected a number");
    if (*p == '0') p++;
    else if (*p >= '1' && *p <= '9') while (p < r->end && *p >= '0' && *p <= '9') p++;
    else return rd_fail(r, "expected a number");
    if (p < r->end && *p == '.') {
        *integral = false;
        p++;
        if (p >= r->end || *p < '0' || *p > '9') { r->p = p; return rd_fail(r, "invalid number"); }
        while (p < r->end && *p >= '0' && *p <= '9') p++;
    }
    if (p < r->end && (*p == 'e' || *p == 'E')) {
        *integral = false;
        p++;
        if (p < r->end && (*p == '+' || *p == '-')) p++;
        if (p >= r->end || *p < '0' || *p > '9') { r->p = p; return rd_fail(r, "invalid number"); }
        while (p < r->end && *p >= '0' && *p <= '9') p++;
    }
    r->p = p;
    return true;
}

AIRLOCK_INTERNAL bool rd_int(airlock_reader *r, int64_t min, int64_t max, int64_t *out) {
    const char *s;
    bool integral;
    if (!rd_number_text(r, &s, &integral)) return false;
    if (!integral) return rd_fail(r, "expected an integer");
    bool neg = *s == '-';
    if (neg) s++;
    uint64_t v = 0;
    uint64_t limit = neg ? (uint64_t)(-(min + 1)) + 1u : (uint64_t)max;
    for (; s < r->p; s++) {
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (limit - d) / 10u) return rd_fail(r, "integer out of range");
        v = v * 10u + d;
    }
    *out = neg ? (int64_t)(0u - v) : (int64_t)v;
    return true;
}

AIRLOCK_INTERNAL bool rd_int32(airlock_reader *r, int32_t *out) {
    int64_t v;
    if (!rd_int(r, INT32_MIN, INT32_MAX, &v)) return false;
    *out = (int32_t)v;
    return true;
}

AIRLOCK_INTERNAL bool rd_int64(airlock_reader *r, int64_t *out) { return rd_int(r, INT64_MIN, INT64_MAX, out); }

AIRLOCK_INTERNAL bool rd_bool(airlock_reader *r, bool *out) {
    rd_ws(r);
    if (r->p < r->end && *r->p == 't') { *out = true; return rd_literal(r, "true"); }
    if (r->p < r->end && *r->p == 'f') { *out = false; return rd_literal(r, "false"); }
    return rd_fail(r, "expected true or false");
}

AIRLOCK_INTERNAL bool rd_open(airlock_reader *r, char c, const char *what) {
    rd_ws(r);
    if (r->p >= r->end || *r->p != c) return rd_fail(r, what);
    if (++r->depth > AIRLOCK_MAX_DEPTH) return rd_fail(r, "JSON nested too deeply");
    r->p++;
    return true;
}

/* The next member of an object opened with rd_open: 1 (its key in *key, the colon read), 0 at the end, -1 on error.
 * *first is true before the first member. */
AIRLOCK_INTERNAL int rd_member(airlock_reader *r, bool *first, airlock_str *key) {
    rd_ws(r);
    if (r->p < r->end && *r->p == '}') {
        r->p++;
        r->depth--;
        return 0;
    }
    if (!*first) {
        if (r->p >= r->end || *r->p != ',') { rd_fail(r, "expected , or }"); return -1; }
        r->p++;
        rd_ws(r);
    }
    *first = false;
    if (!rd_string(r, key)) return -1;
    rd_ws(r);
    if (r->p >= r->end || *r->p != ':') { rd_fail(r, "expected :"); return -1; }
    r->p++;
    return 1;
}

/* The next item of an array opened with rd_open: 1 (an item follows), 0 at the end, -1 on error. */
AIRLOCK_INTERNAL int rd_item(airlock_reader *r, bool *first) {
    rd_ws(r);
    if (r->p < r->end && *r->p == ']') {
        r->p++;
        r->depth--;
        return 0;
    }
    if (!*first) {
        if (r->p >= r->end || *r->p != ',') { rd_fail(r, "expected , or ]"); return -1; }
        r->p++;
    }
    *first = false;
    return 1;
}

/* Reads and validates one value of any kind, keeping nothing. */
AIRLOCK_INTERNAL bool rd_skip(airlock_reader *r) {
    rd_ws(r);
    if (r->p >= r->end) return rd_fail(r, "expected a value");
    char c = *r->p;
    if (c == '"') return rd_string(r, NULL);
    if (c == '{') {
        if (!rd_open(r, '{', "expected an object")) return false;
        bool first = true;
        int m;
        while ((m = rd_member(r, &first, NULL)) == 1) if (!rd_skip(r)) return false;
        return m == 0;
    }
    if (c == '[') {
        if (!rd_open(r, '[', "expected an array")) return false;
        bool first = true;
        int m;
        while ((m = rd_item(r, &first)) == 1) if (!rd_skip(r)) return false;
        return m == 0;
    }
    if (c == 't') return rd_literal(r, "true");
    if (c == 'f') return rd_literal(r, "false");
    if (c == 'n') return rd_literal(r, "null");
    const char *s;
    bool integral;
    return rd_number_text(r, &s, &integral);
}

/* Reads one value of any kind as its text (a NUL-terminated arena copy). */
AIRLOCK_INTERNAL bool rd_json(airlock_reader *r, airlock_json *out) {
    rd_ws(r);
    const char *s = r->p;
    if (!rd_skip(r)) return false;
    airlock_str copy = airlock_str_copy(r->ctx, s, (size_t)(r->p - s));
    out->ptr = copy.ptr;
    out->len = copy.len;
    return true;
}

AIRLOCK_INTERNAL bool rd_json_object(airlock_reader *r, airlock_json *out) {
    if (!rd_peek(r, '{')) return rd_fail(r, "expected an object");
    return rd_json(r, out);
}

AIRLOCK_INTERNAL bool rd_json_array(airlock_reader *r, airlock_json *out) {
    if (!rd_peek(r, '[')) return rd_fail(r, "expected an array");
    return rd_json(r, out);
}

/* Room for one more item in a list being read: grows *items (an arena array of *cap) by doubling. */
AIRLOCK_INTERNAL void *rd_grow(airlock_reader *r, void *items, uint32_t count, uint32_t *cap, size_t size) {
    if (count < *cap) return items;
    uint32_t next = *cap ? *cap * 2u : 4u;
    if (next <= *cap) __builtin_trap();
    void *grown = airlock_alloc(r->ctx, (size_t)next * size);
    if (count) memcpy(grown, items, (size_t)count * size);
    *cap = next;
    return grown;
}

AIRLOCK_INTERNAL bool rd_str_list(airlock_reader *r, airlock_str_list *out) {
    if (!rd_open(r, '[', "expected an array")) return false;
    bool first = true;
    int m;
    uint32_t cap = 0;
    while ((m = rd_item(r, &first)) == 1) {
        out->items = (airlock_str *)rd_grow(r, out->items, out->count, &cap, sizeof(airlock_str));
        if (rd_null(r)) return rd_fail(r, "null item in a list of strings");
        if (!rd_string(r, &out->items[out->count])) return false;
        out->count++;
    }
    if (out->count == 0) out->items = (airlock_str *)airlock_alloc(r->ctx, sizeof(airlock_str));
    return m == 0;
}

AIRLOCK_INTERNAL bool rd_str_map(airlock_reader *r, airlock_str_map *out) {
    if (!rd_open(r, '{', "expected an object")) return false;
    bool first = true;
    int m;
    uint32_t kcap = 0, vcap = 0;
    airlock_str key;
    while ((m = rd_member(r, &first, &key)) == 1) {
        out->keys = (airlock_str *)rd_grow(r, out->keys, out->count, &kcap, sizeof(airlock_str));
        out->values = (airlock_str *)rd_grow(r, out->values, out->count, &vcap, sizeof(airlock_str));
        if (rd_null(r)) return rd_fail(r, "null value in an object of strings");
        /* A repeated key keeps its last value, as System.Text.Json's dictionaries do. */
        uint32_t at = out->count;
        for (uint32_t i = 0; i < out->count; i++) {
            if (out->keys[i].len == key.len && memcmp(out->keys[i].ptr, key.ptr, key.len) == 0) { at = i; break; }
        }
        out->keys[at] = key;
        if (!rd_string(r, &out->values[at])) return false;
        if (at == out->count) out->count++;
    }
    if (out->count == 0) {
        out->keys = (airlock_str *)airlock_alloc(r->ctx, sizeof(airlock_str));
        out->values = out->keys;
    }
    return m == 0;
}

/* Only whitespace may follow the value. */
AIRLOCK_INTERNAL bool rd_finish(airlock_reader *r) {
    rd_ws(r);
    if (r->error) return false;
    if (r->p != r->end) return rd_fail(r, "more than one JSON value");
    return true;
}

AIRLOCK_INTERNAL bool rd_key_is(airlock_str key, const char *name, size_t n) {
    return key.len == n && memcmp(key.ptr, name, n) == 0;
}

/* ---- the JSON writer -------------------------------------------------------------------------------------------- */

AIRLOCK_INTERNAL bool wr_fail(airlock_writer *w, const char *why) {
    if (!w->error) w->error = why;
    return false;
}

AIRLOCK_INTERNAL bool wr_reserve(airlock_writer *w, size_t more) {
    if (w->error) return false;
    if (w->cap - w->len >= more) return true;
    size_t cap = w->cap ? w->cap : 256;
    while (cap - w->len < more) {
        if (cap > AIRLOCK_MAX_INPUT * 4u) return wr_fail(w, "result too large");
        cap *= 2;
    }
    char *grown = (char *)realloc(w->buf, cap);
    if (!grown) __builtin_trap();
    w->buf = grown;
    w->cap = cap;
    return true;
}

AIRLOCK_INTERNAL void wr_raw(airlock_writer *w, const char *s, size_t n) {
    if (!wr_reserve(w, n)) return;
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

AIRLOCK_INTERNAL void wr_lit(airlock_writer *w, const char *s) { wr_raw(w, s, strlen(s)); }

AIRLOCK_INTERNAL void wr_string(airlock_writer *w, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    if (n && !s) { wr_fail(w, "text without a pointer"); return; }
    if (!airlock_utf8_valid(s, n)) { wr_fail(w, "text is not valid UTF-8"); return; }
    if (n > (SIZE_MAX - 2) / 6 || !wr_reserve(w, 6 * n + 2)) return;
    char *o = w->buf + w->len;
    *o++ = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') { *o++ = '\\'; *o++ = (char)c; }
        else if (c == '\n') { *o++ = '\\'; *o++ = 'n'; }
        else if (c == '\r') { *o++ = '\\'; *o++ = 'r'; }
        else if (c == '\t') { *o++ = '\\'; *o++ = 't'; }
        else if (c < 0x20 || c == 0x7F) { *o++ = '\\'; *o++ = 'u'; *o++ = '0'; *o++ = '0'; *o++ = hex[c >> 4]; *o++ = hex[c & 15]; }
        else *o++ = (char)c;
    }
    *o++ = '"';
    w->len = (size_t)(o - w->buf);
}

AIRLOCK_INTERNAL void wr_str(airlock_writer *w, airlock_str s) {
    if (!s.ptr) wr_lit(w, "null");
    else wr_string(w, s.ptr, s.len);
}

AIRLOCK_INTERNAL void wr_i64(airlock_writer *w, int64_t v) {
    char tmp[24];
    int n = 0;
    uint64_t u = v < 0 ? 0u - (uint64_t)v : (uint64_t)v;
    do { tmp[n++] = (char)('0' + u % 10u); u /= 10u; } while (u);
    if (v < 0) tmp[n++] = '-';
    if (!wr_reserve(w, (size_t)n)) return;
    while (n) w->buf[w->len++] = tmp[--n];
}

AIRLOCK_INTERNAL void wr_bool(airlock_writer *w, bool v) { wr_lit(w, v ? "true" : "false"); }

/* Writes raw JSON after checking it is exactly one valid value (no deeper than the limit). */
AIRLOCK_INTERNAL void wr_json(airlock_writer *w, airlock_json j) {
    if (!j.ptr) { wr_lit(w, "null"); return; }
    airlock_ctx scratch = {0};
    airlock_reader r = {j.ptr, j.ptr, j.ptr + j.len, w->depth, &scratch, NULL, 0};
    bool ok = rd_skip(&r) && rd_finish(&r);
    airlock_arena_free(&scratch);
    if (!ok) { wr_fail(w, "raw JSON is not one valid JSON value"); return; }
    wr_raw(w, j.ptr, j.len);
}

/* Writes the members of a raw JSON object (without its braces) after the members already written; *first tracks
 * the comma. */
AIRLOCK_INTERNAL void wr_json_members(airlock_writer *w, airlock_json j, bool *first) {
    if (!j.ptr) return;
    airlock_ctx scratch = {0};
    airlock_reader r = {j.ptr, j.ptr, j.ptr + j.len, w->depth, &scratch, NULL, 0};
    bool ok = rd_peek(&r, '{') && rd_skip(&r) && rd_finish(&r);
    airlock_arena_free(&scratch);
    if (!ok) { wr_fail(w, "raw JSON is not one valid JSON object"); return; }
    const char *s = j.ptr;
    const char *e = j.ptr + j.len;
    while (*s != '{') s++;
    s++;
    while (e[-1] != '}') e--;
    e--;
    const char *t = s;
    while (t < e && (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r')) t++;
    if (t == e) return;
    if (!*first) wr_raw(w, ",", 1);
    *first = false;
    wr_raw(w, s, (size_t)(e - s));
}

AIRLOCK_INTERNAL void wr_str_list(airlock_writer *w, airlock_str_list l) {
    wr_raw(w, "[", 1);
    for (uint32_t i = 0; i < l.count; i++) {
        if (i) wr_raw(w, ",", 1);
        if (!l.items[i].ptr) { wr_fail(w, "null item in a list of strings"); return; }
        wr_str(w, l.items[i]);
    }
    wr_raw(w, "]", 1);
}

AIRLOCK_INTERNAL void wr_str_map(airlock_writer *w, airlock_str_map m) {
    wr_raw(w, "{", 1);
    for (uint32_t i = 0; i < m.count; i++) {
        if (i) wr_raw(w, ",", 1);
        if (!m.keys[i].ptr || !m.values[i].ptr) { wr_fail(w, "null key or value in an object of strings"); return; }
        wr_str(w, m.keys[i]);
        wr_raw(w, ":", 1);
        wr_str(w, m.values[i]);
    }
    wr_raw(w, "}", 1);
}

AIRLOCK_INTERNAL bool wr_open(airlock_writer *w, const char *c) {
    if (++w->depth > AIRLOCK_MAX_DEPTH) return wr_fail(w, "result nested too deeply");
    wr_lit(w, c);
    return true;
}

AIRLOCK_INTERNAL void wr_close(airlock_writer *w, const char *c) {
    w->depth--;
    wr_lit(w, c);
}

/* A member's key, with the comma before it unless it is the first. */
AIRLOCK_INTERNAL void wr_key(airlock_writer *w, bool *first, const char *quoted_key_colon) {
    if (!*first) wr_raw(w, ",", 1);
    *first = false;
    wr_lit(w, quoted_key_colon);
}

/* ---- buffers across the boundary -------------------------------------------------------------------------------- */

AIRLOCK_INTERNAL int64_t airlock_pack(const void *ptr, size_t len) {
    if (!len) return 0;
    return (int64_t)(((uint64_t)(uintptr_t)ptr << 32) | (uint64_t)len);
}

/* The writer's buffer as an export's result: the host frees it with the contract's deallocator. */
AIRLOCK_INTERNAL int64_t airlock_take(airlock_writer *w) {
    if (w->error) __builtin_trap();
    if (!w->len) { free(w->buf); return 0; }
    return airlock_pack(w->buf, w->len);
}

/* ---- JSON values (airlock_json) for the plugin ------------------------------------------------------------------ */

bool airlock_json_parse(airlock_ctx *ctx, const char *text, size_t len, airlock_json *out) {
    memset(out, 0, sizeof *out);
    if (!text || len > AIRLOCK_MAX_INPUT) return false;
    airlock_reader r = {text, text, text + len, 0, ctx, NULL, 0};
    if (!rd_skip(&r) || !rd_finish(&r)) return false;
    airlock_str copy = airlock_str_copy(ctx, text, len);
    out->ptr = copy.ptr;
    out->len = copy.len;
    return true;
}

airlock_json_kind airlock_json_kind_of(airlock_json value) {
    const char *p = value.ptr, *e = value.ptr + value.len;
    if (!p) return AIRLOCK_JSON_ABSENT;
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    if (p >= e) return AIRLOCK_JSON_ABSENT;
    switch (*p) {
    case 'n': return AIRLOCK_JSON_NULL;
    case 't': case 'f': return AIRLOCK_JSON_BOOL;
    case '"': return AIRLOCK_JSON_STRING;
    case '[': return AIRLOCK_JSON_ARRAY;
    case '{': return AIRLOCK_JSON_OBJECT;
    default: return AIRLOCK_JSON_NUMBER;
    }
}

/* One step through an object (open '{') or an array ('['): 1 with the reader before the next value, 0 at the end or on
 * error. */
AIRLOCK_INTERNAL bool airlock_json_step(airlock_reader *r, airlock_json v, uint32_t pos, char open, airlock_str *key) {
    if (!v.ptr || pos > v.len) return false;
    r->start = v.ptr;
    r->p = v.ptr + pos;
    r->end = v.ptr + v.len;
    bool first = pos == 0;
    if (first && !rd_open(r, open, "expected an object or an array")) return false;
    if (!first) r->depth = 1;
    int m = open == '{' ? rd_member(r, &first, key) : rd_item(r, &first);
    return m == 1;
}

AIRLOCK_INTERNAL bool airlock_json_value_at(airlock_reader *r, airlock_json v, uint32_t *pos, airlock_json *value) {
    rd_ws(r);
    const char *s = r->p;
    if (!rd_skip(r)) return false;
    value->ptr = s;
    value->len = (uint32_t)(r->p - s);
    *pos = (uint32_t)(r->p - v.ptr);
    return true;
}

bool airlock_json_next_member(airlock_ctx *ctx, airlock_json object, uint32_t *pos, airlock_str *key, airlock_json *value) {
    airlock_reader r = {NULL, NULL, NULL, 0, ctx, NULL, 0};
    return airlock_json_step(&r, object, *pos, '{', key) && airlock_json_value_at(&r, object, pos, value);
}

bool airlock_json_next_item(airlock_json array, uint32_t *pos, airlock_json *value) {
    airlock_ctx scratch = {0};
    airlock_reader r = {NULL, NULL, NULL, 0, &scratch, NULL, 0};
    bool ok = airlock_json_step(&r, array, *pos, '[', NULL) && airlock_json_value_at(&r, array, pos, value);
    airlock_arena_free(&scratch);
    return ok;
}

bool airlock_json_get(airlock_ctx *ctx, airlock_json object, const char *key, airlock_json *out) {
    uint32_t pos = 0;
    airlock_str k;
    airlock_json v;
    bool found = false;
    size_t n = strlen(key);
    memset(out, 0, sizeof *out);
    while (airlock_json_next_member(ctx, object, &pos, &k, &v)) {
        if (rd_key_is(k, key, n)) {
            *out = v;
            found = true;
        }
    }
    return found;
}

bool airlock_json_as_str(airlock_ctx *ctx, airlock_json value, airlock_str *out) {
    memset(out, 0, sizeof *out);
    if (airlock_json_kind_of(value) != AIRLOCK_JSON_STRING) return false;
    airlock_reader r = {value.ptr, value.ptr, value.ptr + value.len, 0, ctx, NULL, 0};
    return rd_string(&r, out) && rd_finish(&r);
}

bool airlock_json_as_int64(airlock_json value, int64_t *out) {
    airlock_ctx scratch = {0};
    airlock_reader r = {value.ptr, value.ptr, value.ptr + value.len, 0, &scratch, NULL, 0};
    bool ok = value.ptr && rd_int64(&r, out) && rd_finish(&r);
    airlock_arena_free(&scratch);
    return ok;
}

/* A JSON number as a double, without strtod (which would pull in WASI imports): correctly rounded for up to
 * 15 significant digits and a decimal exponent within +-22 (every ordinary price or rate), else within a few ulps. */
bool airlock_json_as_double(airlock_json value, double *out) {
    static const double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    if (airlock_json_kind_of(value) != AIRLOCK_JSON_NUMBER) return false;
    airlock_ctx scratch = {0};
    airlock_reader r = {value.ptr, value.ptr, value.ptr + value.len, 0, &scratch, NULL, 0};
    const char *p;
    bool integral;
    bool ok = rd_number_text(&r, &p, &integral) && rd_finish(&r);
    airlock_arena_free(&scratch);
    if (!ok) return false;
    const char *e = p;
    while (e < value.ptr + value.len && *e != ' ' && *e != '\t' && *e != '\n' && *e != '\r') e++;
    bool neg = *p == '-';
    if (neg) p++;
    uint64_t mant = 0;
    int digits = 0;
    long exp10 = 0;
    for (; p < e && *p >= '0' && *p <= '9'; p++) {
        if (digits < 19) { mant = mant * 10u + (uint64_t)(*p - '0'); if (mant) digits++; }
        else exp10++;
    }
    if (p < e && *p == '.') {
        for (p++; p < e && *p >= '0' && *p <= '9'; p++) {
            if (digits < 19) { mant = mant * 10u + (uint64_t)(*p - '0'); if (mant) digits++; exp10--; }
        }
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        bool eneg = *p == '-';
        if (*p == '+' || *p == '-') p++;
        long x = 0;
        for (; p < e; p++) if (x < 100000) x = x * 10 + (*p - '0');
        exp10 += eneg ? -x : x;
    }
    double v = (double)mant;
    while (exp10 > 22 && v != 0 && v < 1e308) { v *= 1e22; exp10 -= 22; }
    while (exp10 < -22 && v != 0) { v /= 1e22; exp10 += 22; }
    if (exp10 > 22) exp10 = 22;
    if (exp10 < -22) exp10 = -22;
    v = exp10 < 0 ? v / p10[-exp10] : v * p10[exp10];
    *out = neg ? -v : v;
    return true;
}

bool airlock_json_as_bool(airlock_json value, bool *out) {
    airlock_ctx scratch = {0};
    airlock_reader r = {value.ptr, value.ptr, value.ptr + value.len, 0, &scratch, NULL, 0};
    bool ok = value.ptr && rd_bool(&r, out) && rd_finish(&r);
    airlock_arena_free(&scratch);
    return ok;
}

/* Before a value or a key: the comma, unless it follows a key or opens a container. */
AIRLOCK_INTERNAL void airlock_jb_sep(airlock_jb *b) {
    if (b->comma && !b->after_key) wr_raw(&b->w, ",", 1);
    b->after_key = false;
}

AIRLOCK_INTERNAL void airlock_jb_done(airlock_jb *b) { b->comma = true; }

void airlock_jb_begin_object(airlock_jb *b) { airlock_jb_sep(b); wr_open(&b->w, "{"); b->comma = false; }
void airlock_jb_end_object(airlock_jb *b) { wr_close(&b->w, "}"); airlock_jb_done(b); }
void airlock_jb_begin_array(airlock_jb *b) { airlock_jb_sep(b); wr_open(&b->w, "["); b->comma = false; }
void airlock_jb_end_array(airlock_jb *b) { wr_close(&b->w, "]"); airlock_jb_done(b); }

void airlock_jb_key_str(airlock_jb *b, airlock_str key) {
    airlock_jb_sep(b);
    wr_string(&b->w, key.ptr ? key.ptr : "", key.len);
    wr_raw(&b->w, ":", 1);
    b->after_key = true;
}

void airlock_jb_key(airlock_jb *b, const char *key) { airlock_jb_key_str(b, airlock_str_of(key)); }

void airlock_jb_str(airlock_jb *b, airlock_str value) { airlock_jb_sep(b); wr_str(&b->w, value); airlock_jb_done(b); }
void airlock_jb_int(airlock_jb *b, int64_t value) { airlock_jb_sep(b); wr_i64(&b->w, value); airlock_jb_done(b); }
void airlock_jb_bool(airlock_jb *b, bool value) { airlock_jb_sep(b); wr_bool(&b->w, value); airlock_jb_done(b); }
void airlock_jb_null(airlock_jb *b) { airlock_jb_sep(b); wr_lit(&b->w, "null"); airlock_jb_done(b); }
void airlock_jb_json(airlock_jb *b, airlock_json value) { airlock_jb_sep(b); wr_json(&b->w, value); airlock_jb_done(b); }

bool airlock_jb_finish(airlock_ctx *ctx, airlock_jb *b, airlock_json *out) {
    memset(out, 0, sizeof *out);
    bool ok = !b->w.error && b->w.depth == 0 && b->w.len > 0;
    if (ok) {
        airlock_str copy = airlock_str_copy(ctx, b->w.buf, b->w.len);
        out->ptr = copy.ptr;
        out->len = copy.len;
    }
    free(b->w.buf);
    memset(b, 0, sizeof *b);
    return ok;
}
