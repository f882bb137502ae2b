/* JSON reader and writer for the Chirp connector. See json.h. */
#include "json.h"

#include <stdlib.h>
#include <string.h>

/* ======================================================================== */
/* arena                                                                    */
/* ======================================================================== */

struct arena_block {
    arena_block *next;
    uint64_t align_pad; /* keeps the payload 8-byte aligned on wasm32 */
};

void *arena_alloc(arena *a, size_t n) {
    if (n > SIZE_MAX - sizeof(arena_block)) {
        a->failed = 1;
        return NULL;
    }
    arena_block *b = malloc(sizeof(arena_block) + n);
    if (!b) {
        a->failed = 1;
        return NULL;
    }
    b->next = a->head;
    a->head = b;
    return b + 1;
}

void arena_free(arena *a) {
    arena_block *b = a->head;
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}

/* ======================================================================== */
/* UTF-8                                                                    */
/* ======================================================================== */

size_t utf8_seq_len(const unsigned char *p, const unsigned char *end) {
    unsigned c = p[0];
    if (c < 0x80) return 1;
    if (c < 0xC2) return 0; /* continuation byte or overlong 2-byte lead */
    if (c < 0xE0) {
        if (end - p < 2 || (p[1] & 0xC0) != 0x80) return 0;
        return 2;
    }
    if (c < 0xF0) {
        if (end - p < 3) return 0;
        unsigned c1 = p[1];
        if ((c1 & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && c1 < 0xA0) return 0; /* overlong */
        if (c == 0xED && c1 > 0x9F) return 0; /* UTF-16 surrogate */
        return 3;
    }
    if (c < 0xF5) {
        if (end - p < 4) return 0;
        unsigned c1 = p[1];
        if ((c1 & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) return 0;
        if (c == 0xF0 && c1 < 0x90) return 0; /* overlong */
        if (c == 0xF4 && c1 > 0x8F) return 0; /* above U+10FFFF */
        return 4;
    }
    return 0;
}

static size_t utf8_put(unsigned cp, char *out) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* ======================================================================== */
/* validation                                                               */
/* ======================================================================== */

typedef struct {
    const unsigned char *p, *end;
    int depth;
} vstate;

static int is_ws(unsigned c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static int is_digit(unsigned c) { return c >= '0' && c <= '9'; }

static void v_ws(vstate *s) {
    while (s->p < s->end && is_ws(*s->p)) s->p++;
}

static int hexval(unsigned c) {
    if (c >= '0' && c <= '9') return (int)(c - '0');
    if (c >= 'a' && c <= 'f') return (int)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return (int)(c - 'A' + 10);
    return -1;
}

/* Reads XXXX (four hex digits) at p; requires 4 bytes before end. */
static int hex4(const unsigned char *p, const unsigned char *end, unsigned *out) {
    if (end - p < 4) return 0;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(p[i]);
        if (h < 0) return 0;
        v = (v << 4) | (unsigned)h;
    }
    *out = v;
    return 1;
}

static int v_string(vstate *s) {
    s->p++; /* opening quote */
    while (s->p < s->end) {
        unsigned c = *s->p;
        if (c == '"') {
            s->p++;
            return 1;
        }
        if (c == '\\') {
            if (s->end - s->p < 2) return 0;
            switch (s->p[1]) {
            case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
                s->p += 2;
                break;
            case 'u': {
                unsigned u;
                if (!hex4(s->p + 2, s->end, &u)) return 0;
                s->p += 6;
                if (u >= 0xD800 && u <= 0xDBFF) {
                    /* a high surrogate must be followed by an escaped low one */
                    unsigned lo;
                    if (s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u') return 0;
                    if (!hex4(s->p + 2, s->end, &lo)) return 0;
                    if (lo < 0xDC00 || lo > 0xDFFF) return 0;
                    s->p += 6;
                } else if (u >= 0xDC00 && u <= 0xDFFF) {
                    return 0; /* lone low surrogate */
                }
                break;
            }
            default:
                return 0;
            }
        } else if (c < 0x20) {
            return 0; /* raw control character */
        } else if (c < 0x80) {
            s->p++;
        } else {
            size_t k = utf8_seq_len(s->p, s->end);
            if (!k) return 0;
            s->p += k;
        }
    }
    return 0; /* unterminated */
}

static int v_number(vstate *s) {
    const unsigned char *p = s->p, *e = s->end;
    if (p < e && *p == '-') p++;
    if (p >= e) return 0;
    if (*p == '0') {
        p++;
    } else if (*p >= '1' && *p <= '9') {
        while (p < e && is_digit(*p)) p++;
    } else {
        return 0;
    }
    if (p < e && *p == '.') {
        p++;
        if (p >= e || !is_digit(*p)) return 0;
        while (p < e && is_digit(*p)) p++;
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < e && (*p == '+' || *p == '-')) p++;
        if (p >= e || !is_digit(*p)) return 0;
        while (p < e && is_digit(*p)) p++;
    }
    s->p = p;
    return 1;
}

static int v_literal(vstate *s, const char *lit, size_t n) {
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0) return 0;
    s->p += n;
    return 1;
}

static int v_value(vstate *s);

static int v_object(vstate *s) {
    if (++s->depth > JSON_MAX_DEPTH) return 0;
    s->p++;
    v_ws(s);
    if (s->p < s->end && *s->p == '}') {
        s->p++;
        s->depth--;
        return 1;
    }
    for (;;) {
        v_ws(s);
        if (s->p >= s->end || *s->p != '"' || !v_string(s)) return 0;
        v_ws(s);
        if (s->p >= s->end || *s->p != ':') return 0;
        s->p++;
        if (!v_value(s)) return 0;
        v_ws(s);
        if (s->p >= s->end) return 0;
        if (*s->p == ',') {
            s->p++;
            continue;
        }
        if (*s->p == '}') {
            s->p++;
            s->depth--;
            return 1;
        }
        return 0;
    }
}

static int v_array(vstate *s) {
    if (++s->depth > JSON_MAX_DEPTH) return 0;
    s->p++;
    v_ws(s);
    if (s->p < s->end && *s->p == ']') {
        s->p++;
        s->depth--;
        return 1;
    }
    for (;;) {
        if (!v_value(s)) return 0;
        v_ws(s);
        if (s->p >= s->end) return 0;
        if (*s->p == ',') {
            s->p++;
            continue;
        }
        if (*s->p == ']') {
            s->p++;
            s->depth--;
            return 1;
        }
        return 0;
    }
}

static int v_value(vstate *s) {
    v_ws(s);
    if (s->p >= s->end) return 0;
    switch (*s->p) {
    case '{': return v_object(s);
    case '[': return v_array(s);
    case '"': return v_string(s);
    case 't': return v_literal(s, "true", 4);
    case 'f': return v_literal(s, "false", 5);
    case 'n': return v_literal(s, "null", 4);
    default:
        if (*s->p == '-' || is_digit(*s->p)) return v_number(s);
        return 0;
    }
}

int json_validate(const char *text, size_t len, jspan *root) {
    vstate s;
    s.p = (const unsigned char *)text;
    s.end = s.p + len;
    s.depth = 0;
    if (len == 0 || text == NULL) return 0;
    if (len >= 3 && s.p[0] == 0xEF && s.p[1] == 0xBB && s.p[2] == 0xBF) s.p += 3;
    v_ws(&s);
    const unsigned char *start = s.p;
    if (!v_value(&s)) return 0;
    const unsigned char *stop = s.p;
    v_ws(&s);
    if (s.p != s.end) return 0; /* trailing garbage */
    root->p = (const char *)start;
    root->n = (size_t)(stop - start);
    return 1;
}

/* ======================================================================== */
/* lazy access to validated text                                            */
/* ======================================================================== */

static const char *skip_ws(const char *p, const char *e) {
    while (p < e && is_ws((unsigned char)*p)) p++;
    return p;
}

static const char *skip_string(const char *p, const char *e) {
    p++;
    while (p < e) {
        if (*p == '\\') p += 2;
        else if (*p == '"') return p + 1;
        else p++;
    }
    return e;
}

static const char *skip_value(const char *p, const char *e) {
    if (p >= e) return e;
    if (*p == '"') return skip_string(p, e);
    if (*p == '{' || *p == '[') {
        int depth = 0;
        while (p < e) {
            char c = *p;
            if (c == '"') {
                p = skip_string(p, e);
                continue;
            }
            if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (--depth == 0) return p + 1;
            }
            p++;
        }
        return e;
    }
    while (p < e && *p != ',' && *p != '}' && *p != ']' && !is_ws((unsigned char)*p)) p++;
    return p;
}

jtype json_type(jspan v) {
    if (!v.p || v.n == 0) return JT_ABSENT;
    switch (v.p[0]) {
    case '{': return JT_OBJECT;
    case '[': return JT_ARRAY;
    case '"': return JT_STRING;
    case 't': return JT_TRUE;
    case 'f': return JT_FALSE;
    case 'n': return JT_NULL;
    default: return JT_NUMBER;
    }
}

/* Decodes the raw contents of a validated string (between the quotes) into
 * out, which must hold at least n bytes. Returns the decoded length. */
static size_t decode_string(const char *raw, size_t n, char *out) {
    const unsigned char *p = (const unsigned char *)raw, *e = p + n;
    size_t k = 0;
    while (p < e) {
        if (*p != '\\') {
            out[k++] = (char)*p++;
            continue;
        }
        unsigned c = p[1];
        p += 2;
        switch (c) {
        case 'b': out[k++] = '\b'; break;
        case 'f': out[k++] = '\f'; break;
        case 'n': out[k++] = '\n'; break;
        case 'r': out[k++] = '\r'; break;
        case 't': out[k++] = '\t'; break;
        case 'u': {
            unsigned u = 0, lo = 0;
            hex4(p, e, &u);
            p += 4;
            if (u >= 0xD800 && u <= 0xDBFF) {
                hex4(p + 2, e, &lo);
                p += 6;
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            }
            k += utf8_put(u, out + k);
            break;
        }
        default: out[k++] = (char)c; break; /* " \ / */
        }
    }
    return k;
}

static int key_equals(const char *raw, size_t n, const char *key) {
    size_t kn = strlen(key);
    if (!memchr(raw, '\\', n)) return n == kn && memcmp(raw, key, n) == 0;
    /* Every decoded byte takes 1 to 6 raw bytes, so a longer raw key cannot
     * match; the keys we look up are short. */
    char buf[256];
    if (n > sizeof buf || n > 6 * kn) return 0;
    size_t dn = decode_string(raw, n, buf);
    return dn == kn && memcmp(buf, key, kn) == 0;
}

int json_pick(jspan obj, const char *const *keys, size_t n, jspan *out) {
    uint32_t seen = 0;
    for (size_t i = 0; i < n; i++) {
        out[i].p = NULL;
        out[i].n = 0;
    }
    if (json_type(obj) != JT_OBJECT || n > 32) return 0;
    const char *p = obj.p + 1, *e = obj.p + obj.n;
    for (;;) {
        p = skip_ws(p, e);
        if (p >= e || *p == '}') break;
        const char *ks = p;
        p = skip_string(p, e);
        const char *kraw = ks + 1;
        size_t kn = (size_t)(p - 1 - kraw);
        p = skip_ws(p, e);
        p++; /* ':' */
        p = skip_ws(p, e);
        const char *vs = p;
        p = skip_value(p, e);
        for (size_t i = 0; i < n; i++) {
            if (!key_equals(kraw, kn, keys[i])) continue;
            if (seen & (1u << i)) return 0; /* duplicate key */
            seen |= 1u << i;
            jspan v = {vs, (size_t)(p - vs)};
            if (json_type(v) != JT_NULL) out[i] = v;
            break;
        }
        p = skip_ws(p, e);
        if (p < e && *p == ',') p++;
    }
    return 1;
}

int json_next(jspan arr, size_t *pos, jspan *elem) {
    if (json_type(arr) != JT_ARRAY) return 0;
    const char *e = arr.p + arr.n;
    const char *p = arr.p + (*pos ? *pos : 1);
    p = skip_ws(p, e);
    if (p >= e || *p == ']') return 0;
    if (*p == ',') p = skip_ws(p + 1, e);
    const char *vs = p;
    p = skip_value(p, e);
    elem->p = vs;
    elem->n = (size_t)(p - vs);
    *pos = (size_t)(p - arr.p);
    return 1;
}

int json_string(arena *a, jspan v, const char **s, size_t *n) {
    if (json_type(v) != JT_STRING || v.n < 2) return 0;
    const char *raw = v.p + 1;
    size_t rn = v.n - 2;
    if (!memchr(raw, '\\', rn)) {
        *s = raw;
        *n = rn;
        return 1;
    }
    char *buf = arena_alloc(a, rn);
    if (!buf) return 0;
    *n = decode_string(raw, rn, buf);
    *s = buf;
    return 1;
}

int json_int64(jspan v, int64_t *out) {
    if (json_type(v) != JT_NUMBER) return 0;
    const char *p = v.p, *e = v.p + v.n;
    int neg = 0;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    if (p >= e) return 0;
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t m = 0;
    for (; p < e; p++) {
        if (!is_digit((unsigned char)*p)) return 0; /* fraction or exponent */
        unsigned d = (unsigned)(*p - '0');
        if (m > (limit - d) / 10) return 0;
        m = m * 10 + d;
    }
    *out = neg ? (int64_t)(0 - m) : (int64_t)m;
    return 1;
}

/* ======================================================================== */
/* writing                                                                  */
/* ======================================================================== */

static int jb_reserve(jbuf *b, size_t extra) {
    if (b->failed) return 0;
    if (extra <= b->cap - b->len) return 1;
    if (extra > SIZE_MAX - b->len) {
        b->failed = 1;
        return 0;
    }
    size_t need = b->len + extra;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *nb = realloc(b->buf, cap);
    if (!nb) {
        b->failed = 1;
        return 0;
    }
    b->buf = nb;
    b->cap = cap;
    return 1;
}

void jb_raw(jbuf *b, const char *s, size_t n) {
    if (n == 0 || !jb_reserve(b, n)) return;
    memcpy(b->buf + b->len, s, n);
    b->len += n;
}

void jb_lit(jbuf *b, const char *s) { jb_raw(b, s, strlen(s)); }

static const char HEX[] = "0123456789ABCDEF";

void jb_str(jbuf *b, const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s, *e = p + n;
    jb_raw(b, "\"", 1);
    while (p < e) {
        const unsigned char *run = p;
        /* copy runs of bytes that need no escaping in one go */
        while (p < e && *p >= 0x20 && *p != '"' && *p != '\\' && *p < 0x80) p++;
        jb_raw(b, (const char *)run, (size_t)(p - run));
        if (p >= e) break;
        unsigned c = *p;
        if (c >= 0x80) {
            size_t k = utf8_seq_len(p, e);
            if (k) {
                jb_raw(b, (const char *)p, k);
                p += k;
            } else {
                jb_raw(b, "\\uFFFD", 6); /* never emit invalid UTF-8 */
                p++;
            }
            continue;
        }
        p++;
        switch (c) {
        case '"': jb_raw(b, "\\\"", 2); break;
        case '\\': jb_raw(b, "\\\\", 2); break;
        case '\n': jb_raw(b, "\\n", 2); break;
        case '\r': jb_raw(b, "\\r", 2); break;
        case '\t': jb_raw(b, "\\t", 2); break;
        case '\b': jb_raw(b, "\\b", 2); break;
        case '\f': jb_raw(b, "\\f", 2); break;
        default: {
            char esc[6] = {'\\', 'u', '0', '0', HEX[c >> 4], HEX[c & 15]};
            jb_raw(b, esc, 6);
        }
        }
    }
    jb_raw(b, "\"", 1);
}

void jb_i64(jbuf *b, int64_t v) {
    char tmp[24];
    size_t i = sizeof tmp;
    uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[--i] = (char)('0' + m % 10);
        m /= 10;
    } while (m);
    if (v < 0) tmp[--i] = '-';
    jb_raw(b, tmp + i, sizeof tmp - i);
}

void jb_key(jbuf *b, const char *key) {
    jb_raw(b, ",", 1);
    jb_str(b, key, strlen(key));
    jb_raw(b, ":", 1);
}

void jb_pct(jbuf *b, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                         c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            jb_raw(b, (const char *)&s[i], 1);
        } else {
            char esc[3] = {'%', HEX[c >> 4], HEX[c & 15]};
            jb_raw(b, esc, 3);
        }
    }
}

void jb_free(jbuf *b) {
    free(b->buf);
    b->buf = NULL;
    b->len = b->cap = 0;
}
