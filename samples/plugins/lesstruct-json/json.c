/* JSON reader and writer for the C sample plugins. See json.h. */
#include "json.h"

#include <string.h>

/* ======================================================================== */
/* UTF-8                                                                    */
/* ======================================================================== */

/* Length of the valid UTF-8 sequence at p (1..4), or 0. */
static size_t utf8_seq_len(const unsigned char *p, const unsigned char *end) {
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

size_t utf8_put(uint32_t cp, char *out) {
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

/* Reads four hex digits at p (needs 4 bytes before end). */
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

/* Any \uXXXX is accepted, as the RFC 8259 grammar says; a lone surrogate
 * decodes as U+FFFD (see json_str_next). */
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

/* Objects and arrays share one loop: `close` is '}' or ']'. */
static int v_container(vstate *s, unsigned char close) {
    if (++s->depth > JSON_MAX_DEPTH) return 0;
    s->p++;
    v_ws(s);
    if (s->p < s->end && *s->p == close) {
        s->p++;
        s->depth--;
        return 1;
    }
    for (;;) {
        if (close == '}') {
            v_ws(s);
            if (s->p >= s->end || *s->p != '"' || !v_string(s)) return 0;
            v_ws(s);
            if (s->p >= s->end || *s->p != ':') return 0;
            s->p++;
        }
        if (!v_value(s)) return 0;
        v_ws(s);
        if (s->p >= s->end) return 0;
        if (*s->p == ',') {
            s->p++;
            continue;
        }
        if (*s->p == close) {
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
    case '{': return v_container(s, '}');
    case '[': return v_container(s, ']');
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
    if (text == NULL || len == 0) return 0;
    s.p = (const unsigned char *)text;
    s.end = s.p + len;
    s.depth = 0;
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

void json_iter(jspan container, jiter *it) {
    jtype t = json_type(container);
    if (t == JT_OBJECT || t == JT_ARRAY) {
        it->p = container.p + 1;
        it->e = container.p + container.n - 1; /* the closing bracket */
    } else {
        it->p = it->e = NULL;
    }
}

static int next_value(jiter *it, jspan *val) {
    const char *p = skip_ws(it->p, it->e);
    const char *vs = p;
    p = skip_value(p, it->e);
    val->p = vs;
    val->n = (size_t)(p - vs);
    p = skip_ws(p, it->e);
    if (p < it->e && *p == ',') p++;
    it->p = p;
    return 1;
}

int json_member(jiter *it, jspan *key, jspan *val) {
    if (!it->p) return 0;
    const char *p = skip_ws(it->p, it->e);
    if (p >= it->e) return 0;
    const char *ks = p;
    p = skip_string(p, it->e);
    key->p = ks;
    key->n = (size_t)(p - ks);
    p = skip_ws(p, it->e);
    it->p = p + 1; /* ':' */
    return next_value(it, val);
}

int json_element(jiter *it, jspan *val) {
    if (!it->p) return 0;
    if (skip_ws(it->p, it->e) >= it->e) return 0;
    return next_value(it, val);
}

int json_get(jspan obj, const char *key, size_t klen, jspan *out) {
    jiter it;
    jspan k, v;
    int found = 0;
    out->p = NULL;
    out->n = 0;
    if (json_type(obj) != JT_OBJECT) return 0;
    json_iter(obj, &it);
    while (json_member(&it, &k, &v)) {
        if (!json_str_eq(k, key, klen)) continue;
        if (found) return -1;
        found = 1;
        *out = v;
    }
    return found;
}

/* ======================================================================== */
/* strings                                                                  */
/* ======================================================================== */

void json_str_open(jspan s, jstr *c) {
    if (json_type(s) == JT_STRING && s.n >= 2) {
        c->p = s.p + 1;
        c->e = s.p + s.n - 1;
    } else {
        c->p = c->e = NULL;
    }
}

int32_t json_str_next(jstr *c, const char **raw, size_t *rawlen) {
    if (!c->p || c->p >= c->e) return -1;
    const unsigned char *p = (const unsigned char *)c->p, *e = (const unsigned char *)c->e;
    const unsigned char *start = p;
    uint32_t cp;
    if (*p != '\\') {
        size_t k = utf8_seq_len(p, e);
        if (k == 0) k = 1; /* cannot happen in validated text */
        switch (k) {
        case 1: cp = p[0]; break;
        case 2: cp = ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F); break;
        case 3: cp = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F); break;
        default:
            cp = ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
                 ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
        }
        p += k;
    } else {
        unsigned c1 = p[1];
        p += 2;
        switch (c1) {
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u': {
            unsigned u = 0, lo = 0;
            hex4(p, e, &u);
            p += 4;
            cp = u;
            if (u >= 0xD800 && u <= 0xDBFF) {
                if (e - p >= 6 && p[0] == '\\' && p[1] == 'u' && hex4(p + 2, e, &lo) && lo >= 0xDC00 &&
                    lo <= 0xDFFF) {
                    cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                } else {
                    cp = 0xFFFD; /* lone high surrogate */
                }
            } else if (u >= 0xDC00 && u <= 0xDFFF) {
                cp = 0xFFFD; /* lone low surrogate */
            }
            break;
        }
        default: cp = c1; break; /* " \ / */
        }
    }
    c->p = (const char *)p;
    if (raw) {
        *raw = (const char *)start;
        *rawlen = (size_t)(p - start);
    }
    return (int32_t)cp;
}

int json_str_eq(jspan s, const char *bytes, size_t n) {
    jstr c;
    int32_t cp;
    size_t i = 0;
    if (json_type(s) != JT_STRING) return 0;
    json_str_open(s, &c);
    while ((cp = json_str_next(&c, NULL, NULL)) >= 0) {
        char enc[4];
        size_t k = utf8_put((uint32_t)cp, enc);
        if (k > n - i || memcmp(enc, bytes + i, k) != 0) return 0;
        i += k;
    }
    return i == n;
}

size_t json_str_decode(jspan s, char *out, size_t cap, int *complete) {
    jstr c;
    int32_t cp;
    size_t n = 0;
    *complete = 1;
    json_str_open(s, &c);
    while ((cp = json_str_next(&c, NULL, NULL)) >= 0) {
        char enc[4];
        size_t k = utf8_put((uint32_t)cp, enc);
        if (k > cap - n) {
            *complete = 0;
            break;
        }
        memcpy(out + n, enc, k);
        n += k;
    }
    return n;
}

/* ======================================================================== */
/* numbers                                                                  */
/* ======================================================================== */

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

/* Powers of ten that a double holds exactly. */
static const double POW10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* wasi-libc's strtod would pull in stdio and with it WASI imports, so numbers
 * are converted here: up to 19 significant digits are kept; when they fit in
 * 53 bits and the decimal exponent is within +-22 (prices, rates: "29.99",
 * "0.92", "1.0825") one exact multiplication or division gives the correctly
 * rounded double; otherwise the result is scaled in steps and may be off by a
 * few units in the last place. */
int json_double(jspan v, double *out) {
    const char *p = v.p, *e = v.p + v.n;
    uint64_t m = 0;
    int digits = 0, neg = 0;
    long exp10 = 0;
    if (json_type(v) != JT_NUMBER) return 0;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    for (; p < e && is_digit((unsigned char)*p); p++) {
        if (digits < 19) {
            m = m * 10 + (uint64_t)(*p - '0');
            if (m) digits++;
        } else {
            exp10++; /* a dropped integer digit */
        }
    }
    if (p < e && *p == '.') {
        for (p++; p < e && is_digit((unsigned char)*p); p++) {
            if (digits < 19) {
                m = m * 10 + (uint64_t)(*p - '0');
                if (m) digits++;
                exp10--;
            }
        }
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        int eneg = 0;
        long x = 0;
        p++;
        if (p < e && (*p == '+' || *p == '-')) eneg = *p++ == '-';
        for (; p < e && is_digit((unsigned char)*p); p++)
            if (x < 100000) x = x * 10 + (*p - '0');
        exp10 += eneg ? -x : x;
    }
    if (p != e) return 0;
    double d = (double)m;
    if (m == 0) {
        d = 0.0;
    } else if (m <= (1ull << 53) && exp10 >= -22 && exp10 <= 22) {
        d = exp10 >= 0 ? d * POW10[exp10] : d / POW10[-exp10];
    } else {
        while (exp10 > 22 && d < 1e308) {
            d *= 1e22;
            exp10 -= 22;
        }
        while (exp10 < -22 && d > 0) {
            d /= 1e22;
            exp10 += 22;
        }
        if (exp10 > 22) exp10 = 22;
        if (exp10 < -22) exp10 = -22;
        d = exp10 >= 0 ? d * POW10[exp10] : d / POW10[-exp10];
    }
    *out = neg ? -d : d;
    return 1;
}

/* ======================================================================== */
/* writing                                                                  */
/* ======================================================================== */

void jw_raw(jw *w, const char *s, size_t n) {
    if (w->overflow) return;
    if (n > w->cap - w->len) {
        w->overflow = 1;
        return;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

void jw_lit(jw *w, const char *s) { jw_raw(w, s, strlen(s)); }

static const char HEX[] = "0123456789abcdef";

void jw_esc(jw *w, const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s, *e = p + n;
    while (p < e) {
        const unsigned char *run = p;
        while (p < e && *p >= 0x20 && *p != '"' && *p != '\\') p++;
        jw_raw(w, (const char *)run, (size_t)(p - run));
        if (p >= e) break;
        unsigned c = *p++;
        switch (c) {
        case '"': jw_raw(w, "\\\"", 2); break;
        case '\\': jw_raw(w, "\\\\", 2); break;
        case '\n': jw_raw(w, "\\n", 2); break;
        case '\r': jw_raw(w, "\\r", 2); break;
        case '\t': jw_raw(w, "\\t", 2); break;
        default: {
            char esc[6] = {'\\', 'u', '0', '0', HEX[c >> 4], HEX[c & 15]};
            jw_raw(w, esc, 6);
        }
        }
    }
}

void jw_esc_lossy(jw *w, const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s, *e = p + n;
    while (p < e) {
        const unsigned char *run = p;
        size_t k;
        while (p < e && (k = utf8_seq_len(p, e)) != 0) p += k;
        jw_esc(w, (const char *)run, (size_t)(p - run));
        if (p < e) {
            jw_raw(w, "\\ufffd", 6);
            p++;
        }
    }
}

void jw_str(jw *w, const char *s, size_t n) {
    jw_raw(w, "\"", 1);
    jw_esc(w, s, n);
    jw_raw(w, "\"", 1);
}

static void jw_u64(jw *w, uint64_t m, size_t min_digits) {
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + m % 10);
        m /= 10;
    } while (m || sizeof tmp - i < min_digits);
    jw_raw(w, tmp + i, sizeof tmp - i);
}

void jw_i64(jw *w, int64_t v) {
    if (v < 0) jw_raw(w, "-", 1);
    jw_u64(w, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, 1);
}

void jw_fixed2(jw *w, int64_t hundredths) {
    uint64_t m = hundredths < 0 ? 0 - (uint64_t)hundredths : (uint64_t)hundredths;
    if (hundredths < 0) jw_raw(w, "-", 1);
    jw_u64(w, m / 100, 1);
    jw_raw(w, ".", 1);
    jw_u64(w, m % 100, 2);
}
