/*
 * Chirp connector (C): a SocialScale guest plugin for Airlock.
 *
 * ABI:       docs/abi/packed-ptr-len.md (packed ptr+len, abi_version 1)
 * Behaviour: samples/plugins/README.md ("The Chirp connector")
 *
 * Built as a wasm32-wasi reactor with no WASI imports: the only imports are
 * the five env.host_* functions below, and nothing here uses stdio.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define IMPORT(name) __attribute__((import_module("env"), import_name(name)))
#define EXPORT(name) __attribute__((export_name(name)))

IMPORT("host_log") void host_log(int32_t level, const char *ptr, uint32_t len);
IMPORT("host_http_request") int64_t host_http_request(const char *ptr, uint32_t len);
IMPORT("host_store_get") int64_t host_store_get(const char *kptr, uint32_t klen);
IMPORT("host_store_set") void host_store_set(const char *kptr, uint32_t klen, const char *vptr, uint32_t vlen);
IMPORT("host_emit_event") void host_emit_event(const char *ptr, uint32_t len);
IMPORT("host_credential_get") int64_t host_credential_get(void);

enum { LOG_DEBUG = 1, LOG_INFO = 2 }; /* host_log levels used here */

#define API_BASE "https://api.chirp.example"
#define KV_ACCESS_TOKEN "oauth:access_token"
#define KV_REFRESH_TOKEN "oauth:refresh_token"
#define KV_PUBLISHED "stats:published"

/* ======================================================================== */
/* memory exports                                                           */
/* ======================================================================== */

/* Zero-length buffers are never heap allocated: alloc(0) answers this
 * address and dealloc(_, 0) does nothing (the ABI never frees len 0). */
static unsigned char g_empty_buffer[1];

EXPORT("alloc") uint32_t chirp_alloc(uint32_t size) {
    if (size == 0) return (uint32_t)(uintptr_t)g_empty_buffer;
    return (uint32_t)(uintptr_t)malloc(size); /* 0 when it cannot */
}

EXPORT("dealloc") void chirp_dealloc(uint32_t ptr, uint32_t size) {
    if (ptr == 0 || size == 0) return;
    free((void *)(uintptr_t)ptr);
}

static uint64_t pack(const char *p, size_t n) {
    return ((uint64_t)(uintptr_t)p << 32) | (uint64_t)(uint32_t)n;
}

/* Returns a heap copy of a constant; exports hand out exactly-len buffers. */
static uint64_t return_copy(const char *s, size_t n) {
    char *p = malloc(n);
    if (!p) __builtin_trap(); /* nothing sensible can be answered */
    memcpy(p, s, n);
    return pack(p, n);
}

#define RETURN_LITERAL(s) return return_copy((s), sizeof(s) - 1)

/* ======================================================================== */
/* metadata                                                                 */
/* ======================================================================== */

EXPORT("plugin_init") uint64_t plugin_init(void) {
    RETURN_LITERAL("{\"id\":\"com.airlock.samples.chirp-c\",\"name\":\"Chirp Connector (C)\","
                   "\"version\":\"1.0.0\",\"author\":\"Airlock Samples <samples@airlock.dev>\","
                   "\"abi_version\":1}");
}

EXPORT("plugin_capabilities") uint64_t plugin_capabilities(void) {
    RETURN_LITERAL("{\"abi_version\":1,\"can_publish_text\":true,\"can_publish_image\":true,"
                   "\"can_publish_video\":false,\"can_read_analytics\":true,\"can_manage_ads\":false,"
                   "\"platforms\":[\"chirp\"],\"required_network_domains\":[\"api.chirp.example\"],"
                   "\"needs_kv_store\":true}");
}

/* ======================================================================== */
/* per-request context and responses                                        */
/* ======================================================================== */

typedef struct {
    arena a;        /* decoded strings; freed when the request ends */
    jbuf out;       /* the response being written */
    jspan req;      /* the request object */
    char *http_buf; /* host buffer holding the HTTP response envelope */
    size_t http_len;
} ctx;

static void release_host_buffer(char *p, size_t n) { chirp_dealloc((uint32_t)(uintptr_t)p, (uint32_t)n); }

static void out_of_memory(ctx *c) { c->out.failed = 1; }

/* Writes {"status":"error",...}, replacing anything written so far. */
static void respond_error_n(ctx *c, const char *code, const char *msg, size_t msg_n, int retryable) {
    c->out.len = 0;
    jb_lit(&c->out, "{\"status\":\"error\",\"code\":");
    jb_str(&c->out, code, strlen(code));
    jb_lit(&c->out, ",\"message\":");
    jb_str(&c->out, msg, msg_n);
    jb_lit(&c->out, ",\"retryable\":");
    jb_lit(&c->out, retryable ? "true}" : "false}");
}

static void respond_error(ctx *c, const char *code, const char *msg, int retryable) {
    respond_error_n(c, code, msg, strlen(msg), retryable);
}

static void respond_error_buf(ctx *c, const char *code, jbuf *msg, int retryable) {
    if (msg->failed) out_of_memory(c);
    else respond_error_n(c, code, msg->buf, msg->len, retryable);
    jb_free(msg);
}

/* Appends at most max bytes of s, cut at a UTF-8 character boundary. */
static void jb_clipped(jbuf *b, const char *s, size_t n, size_t max) {
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
        jb_raw(b, s, n);
        jb_lit(b, "...");
    } else {
        jb_raw(b, s, n);
    }
}

static void invalid_field(ctx *c, const char *field, const char *problem) {
    jbuf m = {0};
    jb_lit(&m, "Field '");
    jb_lit(&m, field);
    jb_lit(&m, "' ");
    jb_lit(&m, problem);
    jb_lit(&m, ".");
    respond_error_buf(c, "invalid_request", &m, 0);
}

static void log_text(int level, jbuf *m) {
    if (!m->failed && m->len) host_log(level, m->buf, (uint32_t)m->len);
    jb_free(m);
}

static void log_lit(int level, const char *s) { host_log(level, s, (uint32_t)strlen(s)); }

static void emit_event(ctx *c, jbuf *ev) {
    if (ev->failed) out_of_memory(c);
    else host_emit_event(ev->buf, (uint32_t)ev->len);
    jb_free(ev);
}

/* ======================================================================== */
/* request fields                                                           */
/* ======================================================================== */

static int pick(ctx *c, const char *const *keys, size_t n, jspan *out) {
    if (json_pick(c->req, keys, n, out)) return 1;
    respond_error(c, "invalid_request", "The request contains a duplicate field.", 0);
    return 0;
}

/* A string field. Required fields must be present, strings and non-empty.
 * An optional field that is absent, null or "" yields *s == NULL. */
static int field_string(ctx *c, jspan v, const char *name, int required, const char **s, size_t *n) {
    *s = NULL;
    *n = 0;
    jtype t = json_type(v);
    if (t == JT_ABSENT) {
        if (!required) return 1;
        invalid_field(c, name, "is required");
        return 0;
    }
    if (t != JT_STRING) {
        invalid_field(c, name, "must be a string");
        return 0;
    }
    if (!json_string(&c->a, v, s, n)) {
        out_of_memory(c);
        return 0;
    }
    if (*n == 0) {
        *s = NULL;
        if (!required) return 1;
        invalid_field(c, name, "must not be empty");
        return 0;
    }
    return 1;
}

/* An optional array of strings; absent or null means []. */
static int field_string_array(ctx *c, jspan v, const char *name) {
    jtype t = json_type(v);
    if (t == JT_ABSENT) return 1;
    if (t != JT_ARRAY) {
        invalid_field(c, name, "must be an array of strings");
        return 0;
    }
    size_t pos = 0;
    jspan e;
    while (json_next(v, &pos, &e)) {
        if (json_type(e) != JT_STRING) {
            invalid_field(c, name, "must be an array of strings");
            return 0;
        }
    }
    return 1;
}

/* Writes a validated array of strings (or [] when absent) compactly. */
static void write_string_array(ctx *c, jbuf *b, jspan arr) {
    size_t pos = 0;
    jspan e;
    int first = 1;
    jb_raw(b, "[", 1);
    while (json_next(arr, &pos, &e)) {
        const char *s;
        size_t n;
        if (!json_string(&c->a, e, &s, &n)) {
            out_of_memory(c);
            break;
        }
        if (!first) jb_raw(b, ",", 1);
        first = 0;
        jb_str(b, s, n);
    }
    jb_raw(b, "]", 1);
}

/* ======================================================================== */
/* KV store                                                                 */
/* ======================================================================== */

static const char *host_code_name(int64_t code) {
    switch (code) {
    case -1: return "not_found";
    case -2: return "permission_denied";
    case -3: return "rate_limited";
    case -4: return "invalid_argument";
    case -5: return "too_large";
    case -6: return "unavailable";
    default: return "unknown";
    }
}

/* Reads a key. Returns 1 with the value in (*val, *n) — release it with
 * release_host_buffer — 0 when the key has no value, or -1 after writing a
 * storage_error response for any other host status. */
static int kv_get(ctx *c, const char *key, char **val, size_t *n) {
    *val = NULL;
    *n = 0;
    int64_t r = host_store_get(key, (uint32_t)strlen(key));
    if (r == -1) return 0;
    if (r < 0) {
        jbuf m = {0};
        jb_lit(&m, "Reading KV key '");
        jb_lit(&m, key);
        jb_lit(&m, "' failed: host status ");
        jb_i64(&m, r);
        jb_lit(&m, " (");
        jb_lit(&m, host_code_name(r));
        jb_lit(&m, ").");
        respond_error_buf(c, "storage_error", &m, r == -3 || r == -6);
        return -1;
    }
    *val = (char *)(uintptr_t)(uint32_t)((uint64_t)r >> 32);
    *n = (uint32_t)(uint64_t)r;
    return 1;
}

static void kv_set(const char *key, size_t klen, const char *val, size_t vlen) {
    host_store_set(key, (uint32_t)klen, vlen ? val : NULL, (uint32_t)vlen);
}

static int is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; }

/* KV stats:published as a number: absent, empty or anything but a decimal
 * count (surrounding whitespace allowed) counts as 0. Returns 0 after
 * writing an error response. */
static int read_published(ctx *c, int64_t *count) {
    char *v;
    size_t n;
    *count = 0;
    int r = kv_get(c, KV_PUBLISHED, &v, &n);
    if (r < 0) return 0;
    if (r == 0) return 1;
    size_t i = 0, e = n;
    while (i < e && is_space(v[i])) i++;
    while (e > i && is_space(v[e - 1])) e--;
    int64_t x = 0;
    size_t k = i;
    for (; k < e; k++) {
        unsigned d = (unsigned)((unsigned char)v[k] - '0');
        if (d > 9 || x > (INT64_MAX - (int64_t)d) / 10) break;
        x = x * 10 + (int64_t)d;
    }
    if (e > i && k == e) *count = x;
    release_host_buffer(v, n);
    return 1;
}

/* ======================================================================== */
/* Chirp API calls through host_http_request                                */
/* ======================================================================== */

typedef struct {
    int status;
    const char *body; /* decoded body text, not NUL-terminated */
    size_t body_len;
} http_resp;

static void call_failed(ctx *c, const char *what, const char *code, int retryable, const char *detail,
                        int64_t number) {
    jbuf m = {0};
    jb_lit(&m, "Chirp API call '");
    jb_lit(&m, what);
    jb_lit(&m, "' ");
    jb_lit(&m, detail);
    jb_i64(&m, number);
    if (number < 0) {
        jb_lit(&m, " (");
        jb_lit(&m, host_code_name(number));
        jb_lit(&m, ")");
    }
    jb_lit(&m, ".");
    respond_error_buf(c, code, &m, retryable);
}

/* Makes one call. method and path (already percent-encoded) name it; body
 * is a JSON document or NULL. Returns 1 for a 2xx answer, else 0 after
 * writing the mapped error response. */
/* The access token for a call: the OAuth credential the host holds for Chirp
 * when the plugin was approved for credential_access and the host has one,
 * otherwise the token this plugin stored after a code exchange. Returns 1 with
 * the token in (*token, *n) — arena memory, nothing to release — 0 when there
 * is none, or -1 after writing an error response. */
static int access_token(ctx *c, const char **token, size_t *n) {
    *token = NULL;
    *n = 0;
    int64_t r = host_credential_get();
    if (r >= 0) {
        char *buf = (char *)(uintptr_t)(uint32_t)((uint64_t)r >> 32);
        size_t len = (uint32_t)(uint64_t)r;
        static const char *const K[] = {"access_token"};
        jspan root, f[1];
        int ok = json_validate(buf, len, &root) && json_type(root) == JT_OBJECT && json_pick(root, K, 1, f) &&
                 json_type(f[0]) == JT_STRING && json_string(&c->a, f[0], token, n) && *n > 0;
        if (ok) {
            /* json_string may point into buf: copy before giving buf back. */
            char *copy = arena_alloc(&c->a, *n);
            if (copy) memcpy(copy, *token, *n);
            *token = copy;
            ok = copy != NULL;
        }
        release_host_buffer(buf, len);
        if (ok) return 1;
        respond_error(c, "credential_error", "The host's Chirp credential has no usable access_token.", 0);
        return -1;
    }
    /* -1: the host holds no credential; -2: not approved for credential_access. */
    if (r != -1 && r != -2) {
        jbuf m = {0};
        jb_lit(&m, "Reading the Chirp credential failed: host status ");
        jb_i64(&m, r);
        jb_lit(&m, ".");
        respond_error_buf(c, "credential_error", &m, r == -3 || r == -6);
        return -1;
    }
    char *stored;
    size_t stored_n;
    int have = kv_get(c, KV_ACCESS_TOKEN, &stored, &stored_n);
    if (have <= 0) return have;
    char *copy = stored_n ? arena_alloc(&c->a, stored_n) : NULL;
    if (copy) memcpy(copy, stored, stored_n);
    release_host_buffer(stored, stored_n);
    *token = copy;
    *n = copy ? stored_n : 0;
    return copy ? 1 : 0;
}

static int chirp_call(ctx *c, const char *what, const char *method, jbuf *path, jbuf *body, http_resp *r) {
    const char *token;
    size_t token_n;
    int have = access_token(c, &token, &token_n);
    if (have < 0) return 0;

    jbuf q = {0};
    jb_lit(&q, "{\"method\":");
    jb_str(&q, method, strlen(method));
    jb_lit(&q, ",\"url\":\"" API_BASE);
    jb_raw(&q, path->buf, path->len); /* percent-encoded: nothing to escape */
    jb_lit(&q, "\"");
    int headers = 0;
    if (have && token_n > 0) {
        jb_lit(&q, ",\"headers\":{\"Authorization\":");
        jbuf bearer = {0};
        jb_lit(&bearer, "Bearer ");
        jb_raw(&bearer, token, token_n);
        if (bearer.failed) q.failed = 1;
        else jb_str(&q, bearer.buf, bearer.len);
        jb_free(&bearer);
        headers = 1;
    }
    if (body) {
        jb_lit(&q, headers ? ",\"Content-Type\":\"application/json\"}" : ",\"headers\":{\"Content-Type\":\"application/json\"}");
        jb_lit(&q, ",\"body\":");
        if (body->failed) q.failed = 1;
        else jb_str(&q, body->buf, body->len);
    } else if (headers) {
        jb_lit(&q, "}");
    }
    jb_lit(&q, "}");
    if (q.failed || path->failed) {
        jb_free(&q);
        out_of_memory(c);
        return 0;
    }

    int64_t res = host_http_request(q.buf, (uint32_t)q.len);
    jb_free(&q);
    if (res < 0) {
        if (res == -2) call_failed(c, what, "network_denied", 0, "was refused by the host: status ", res);
        else if (res == -3) call_failed(c, what, "rate_limit_exceeded", 1, "was rate limited by the host: status ", res);
        else call_failed(c, what, "network_error", 1, "failed in the host: status ", res);
        return 0;
    }
    c->http_buf = (char *)(uintptr_t)(uint32_t)((uint64_t)res >> 32);
    c->http_len = (uint32_t)(uint64_t)res;
    if (c->http_len == 0) c->http_buf = NULL; /* empty: nothing to free */

    /* the envelope: {"status":n,"headers":{...},"body":"..."} */
    static const char *const K[] = {"status", "body"};
    jspan env, f[2];
    int64_t status = 0;
    r->body = "";
    r->body_len = 0;
    if (!json_validate(c->http_buf, c->http_len, &env) || !json_pick(env, K, 2, f) || !json_int64(f[0], &status) ||
        status < 100 || status > 599 ||
        (json_type(f[1]) != JT_ABSENT && !json_string(&c->a, f[1], &r->body, &r->body_len))) {
        if (c->a.failed) out_of_memory(c);
        else respond_error(c, "platform_error", "The host returned an unreadable HTTP response envelope.", 0);
        return 0;
    }
    r->status = (int)status;
    if (status >= 200 && status <= 299) return 1;
    if (status == 401 || status == 403) call_failed(c, what, "unauthorized", 0, "was rejected with HTTP ", status);
    else if (status == 404) call_failed(c, what, "not_found", 0, "found nothing: HTTP ", status);
    else if (status == 429) call_failed(c, what, "rate_limit_exceeded", 1, "was rate limited: HTTP ", status);
    else if (status >= 500) call_failed(c, what, "platform_unavailable", 1, "failed on the platform: HTTP ", status);
    else call_failed(c, what, "platform_error", 0, "failed with HTTP ", status);
    return 0;
}

static void unexpected_body(ctx *c, const char *what, const http_resp *r) {
    if (c->a.failed) {
        out_of_memory(c);
        return;
    }
    jbuf m = {0};
    jb_lit(&m, "Chirp API call '");
    jb_lit(&m, what);
    jb_lit(&m, "' answered HTTP ");
    jb_i64(&m, r->status);
    jb_lit(&m, " with an unexpected body.");
    respond_error_buf(c, "platform_error", &m, 0);
}

/* The 2xx body as a JSON object. */
static int body_object(ctx *c, const char *what, const http_resp *r, jspan *root) {
    if (json_validate(r->body, r->body_len, root) && json_type(*root) == JT_OBJECT) return 1;
    unexpected_body(c, what, r);
    return 0;
}

static int body_string(ctx *c, jspan v, int nonempty, const char **s, size_t *n) {
    return json_string(&c->a, v, s, n) && (!nonempty || *n > 0);
}

/* ======================================================================== */
/* ISO 8601 instants                                                        */
/* ======================================================================== */

typedef struct {
    int64_t seconds; /* since 1970-01-01T00:00:00Z */
    const char *frac; /* fraction digits */
    size_t frac_n;
} instant;

static int digits(const char *s, size_t n, int *out) {
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm) */
static int parse_instant(const char *s, size_t n, instant *out) {
    int Y, M, D, h, m, sec, oh = 0, om = 0;
    if (n < 20) return 0;
    if (!digits(s, 4, &Y) || s[4] != '-' || !digits(s + 5, 2, &M) || s[7] != '-' || !digits(s + 8, 2, &D) ||
        s[10] != 'T' || !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &m) || s[16] != ':' ||
        !digits(s + 17, 2, &sec))
        return 0;
    size_t i = 19;
    out->frac = s + i;
    out->frac_n = 0;
    if (s[i] == '.') {
        size_t start = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        if (i == start) return 0;
        out->frac = s + start;
        out->frac_n = i - start;
    }
    int sign = 0;
    if (i < n && s[i] == 'Z') {
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        sign = s[i] == '+' ? 1 : -1;
        if (n - i < 6 || !digits(s + i + 1, 2, &oh) || s[i + 3] != ':' || !digits(s + i + 4, 2, &om)) return 0;
        i += 6;
    } else {
        return 0;
    }
    if (i != n) return 0;
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (Y < 1 || M < 1 || M > 12 || D < 1 || h > 23 || m > 59 || sec > 59 || oh > 23 || om > 59) return 0;
    int leap = (Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0;
    if (D > dim[M - 1] + (M == 2 && leap)) return 0;
    out->seconds = days_from_civil(Y, M, D) * 86400 + h * 3600 + m * 60 + sec - sign * (oh * 3600 + om * 60);
    return 1;
}

static int compare_instants(const instant *a, const instant *b) {
    if (a->seconds != b->seconds) return a->seconds < b->seconds ? -1 : 1;
    size_t n = a->frac_n > b->frac_n ? a->frac_n : b->frac_n;
    for (size_t i = 0; i < n; i++) {
        char x = i < a->frac_n ? a->frac[i] : '0';
        char y = i < b->frac_n ? b->frac[i] : '0';
        if (x != y) return x < y ? -1 : 1;
    }
    return 0;
}

/* ======================================================================== */
/* request handlers                                                         */
/* ======================================================================== */

static void h_publish(ctx *c) {
    static const char *const K[] = {"text", "media_urls", "hashtags", "metadata"};
    jspan f[4];
    const char *text;
    size_t text_n;
    if (!pick(c, K, 4, f) || !field_string(c, f[0], "text", 1, &text, &text_n) ||
        !field_string_array(c, f[1], "media_urls") || !field_string_array(c, f[2], "hashtags"))
        return;
    if (json_type(f[3]) != JT_ABSENT && json_type(f[3]) != JT_OBJECT) {
        invalid_field(c, "metadata", "must be an object");
        return;
    }
    int64_t published;
    if (!read_published(c, &published)) return; /* before any side effect */

    jbuf body = {0}, path = {0};
    jb_lit(&body, "{\"text\":");
    jb_str(&body, text, text_n);
    jb_lit(&body, ",\"media_urls\":");
    write_string_array(c, &body, f[1]);
    jb_lit(&body, ",\"hashtags\":");
    write_string_array(c, &body, f[2]);
    jb_lit(&body, "}");
    jb_lit(&path, "/v1/posts");
    http_resp r;
    int ok = chirp_call(c, "create post", "POST", &path, &body, &r);
    jb_free(&path);
    jb_free(&body);
    if (!ok) return;

    static const char *const R[] = {"id", "url"};
    jspan root, g[2];
    const char *id, *url;
    size_t id_n, url_n;
    if (!body_object(c, "create post", &r, &root)) return;
    if (!json_pick(root, R, 2, g) || !body_string(c, g[0], 1, &id, &id_n) || !body_string(c, g[1], 0, &url, &url_n)) {
        unexpected_body(c, "create post", &r);
        return;
    }

    jbuf key = {0}, val = {0}, num = {0}, ev = {0}, msg = {0};
    jb_lit(&key, "post:");
    jb_raw(&key, id, id_n);
    jb_lit(&val, "{\"text\":");
    jb_str(&val, text, text_n);
    jb_lit(&val, ",\"hashtags\":");
    write_string_array(c, &val, f[2]);
    jb_lit(&val, "}");
    jb_i64(&num, published < INT64_MAX ? published + 1 : published);
    if (key.failed || val.failed || num.failed) {
        out_of_memory(c);
    } else {
        kv_set(key.buf, key.len, val.buf, val.len);
        kv_set(KV_PUBLISHED, strlen(KV_PUBLISHED), num.buf, num.len);
    }
    jb_free(&key);
    jb_free(&val);
    jb_free(&num);
    if (c->out.failed) return;

    jb_lit(&ev, "{\"type\":\"post.published\",\"platform\":\"chirp\"");
    jb_key(&ev, "post_id");
    jb_str(&ev, id, id_n);
    jb_key(&ev, "url");
    jb_str(&ev, url, url_n);
    jb_lit(&ev, "}");
    emit_event(c, &ev);

    jb_lit(&msg, "Published post ");
    jb_clipped(&msg, id, id_n, 128);
    jb_lit(&msg, " to Chirp.");
    log_text(LOG_INFO, &msg);

    jb_lit(&c->out, "{\"status\":\"ok\"");
    jb_key(&c->out, "post_id");
    jb_str(&c->out, id, id_n);
    jb_key(&c->out, "url");
    jb_str(&c->out, url, url_n);
    jb_lit(&c->out, "}");
}

static void h_delete_post(ctx *c) {
    static const char *const K[] = {"post_id"};
    jspan f[1];
    const char *id;
    size_t id_n;
    if (!pick(c, K, 1, f) || !field_string(c, f[0], "post_id", 1, &id, &id_n)) return;

    jbuf path = {0};
    jb_lit(&path, "/v1/posts/");
    jb_pct(&path, id, id_n);
    http_resp r;
    int ok = chirp_call(c, "delete post", "DELETE", &path, NULL, &r);
    jb_free(&path);
    if (!ok) return; /* the body of a 2xx answer is not used */

    jbuf key = {0}, ev = {0};
    jb_lit(&key, "post:");
    jb_raw(&key, id, id_n);
    if (key.failed) {
        jb_free(&key);
        out_of_memory(c);
        return;
    }
    kv_set(key.buf, key.len, NULL, 0);
    jb_free(&key);

    jb_lit(&ev, "{\"type\":\"post.deleted\",\"platform\":\"chirp\"");
    jb_key(&ev, "post_id");
    jb_str(&ev, id, id_n);
    jb_lit(&ev, "}");
    emit_event(c, &ev);

    jb_lit(&c->out, "{\"status\":\"ok\"");
    jb_key(&c->out, "post_id");
    jb_str(&c->out, id, id_n);
    jb_lit(&c->out, ",\"deleted\":true}");
}

/* A comment from the API: an object whose id and text are strings and whose
 * author and created_at, when present, are strings. */
static int valid_comment(jspan v) {
    static const char *const K[] = {"id", "text", "author", "created_at"};
    jspan f[4];
    if (!json_pick(v, K, 4, f)) return 0;
    if (json_type(f[0]) != JT_STRING || json_type(f[1]) != JT_STRING) return 0;
    for (int i = 2; i < 4; i++)
        if (json_type(f[i]) != JT_ABSENT && json_type(f[i]) != JT_STRING) return 0;
    return 1;
}

static void h_fetch_comments(ctx *c) {
    static const char *const K[] = {"post_id", "cursor"};
    jspan f[2];
    const char *id, *cursor;
    size_t id_n, cursor_n;
    if (!pick(c, K, 2, f) || !field_string(c, f[0], "post_id", 1, &id, &id_n) ||
        !field_string(c, f[1], "cursor", 0, &cursor, &cursor_n))
        return;

    jbuf path = {0};
    jb_lit(&path, "/v1/posts/");
    jb_pct(&path, id, id_n);
    jb_lit(&path, "/comments");
    if (cursor) {
        jb_lit(&path, "?cursor=");
        jb_pct(&path, cursor, cursor_n);
    }
    http_resp r;
    int ok = chirp_call(c, "list comments", "GET", &path, NULL, &r);
    jb_free(&path);
    if (!ok) return;

    static const char *const R[] = {"comments", "next_cursor"};
    jspan root, g[2], e;
    if (!body_object(c, "list comments", &r, &root)) return;
    int good = json_pick(root, R, 2, g) && json_type(g[0]) == JT_ARRAY &&
               (json_type(g[1]) == JT_ABSENT || json_type(g[1]) == JT_STRING);
    size_t pos = 0;
    while (good && json_next(g[0], &pos, &e)) good = valid_comment(e);
    const char *next = NULL;
    size_t next_n = 0;
    if (good && json_type(g[1]) == JT_STRING) good = json_string(&c->a, g[1], &next, &next_n);
    if (!good) {
        unexpected_body(c, "list comments", &r);
        return;
    }

    jb_lit(&c->out, "{\"status\":\"ok\"");
    jb_key(&c->out, "post_id");
    jb_str(&c->out, id, id_n);
    jb_key(&c->out, "comments");
    jb_raw(&c->out, g[0].p, g[0].n); /* as received (validated JSON) */
    jb_key(&c->out, "next_cursor");
    if (next) jb_str(&c->out, next, next_n);
    else jb_lit(&c->out, "null");
    jb_lit(&c->out, "}");
}

static void h_reply_comment(ctx *c) {
    static const char *const K[] = {"comment_id", "text"};
    jspan f[2];
    const char *cid, *text;
    size_t cid_n, text_n;
    if (!pick(c, K, 2, f) || !field_string(c, f[0], "comment_id", 1, &cid, &cid_n) ||
        !field_string(c, f[1], "text", 1, &text, &text_n))
        return;

    jbuf path = {0}, body = {0};
    jb_lit(&path, "/v1/comments/");
    jb_pct(&path, cid, cid_n);
    jb_lit(&path, "/replies");
    jb_lit(&body, "{\"text\":");
    jb_str(&body, text, text_n);
    jb_lit(&body, "}");
    http_resp r;
    int ok = chirp_call(c, "reply", "POST", &path, &body, &r);
    jb_free(&path);
    jb_free(&body);
    if (!ok) return;

    static const char *const R[] = {"id"};
    jspan root, g[1];
    const char *rid;
    size_t rid_n;
    if (!body_object(c, "reply", &r, &root)) return;
    if (!json_pick(root, R, 1, g) || !body_string(c, g[0], 1, &rid, &rid_n)) {
        unexpected_body(c, "reply", &r);
        return;
    }

    jbuf ev = {0};
    jb_lit(&ev, "{\"type\":\"comment.replied\",\"platform\":\"chirp\"");
    jb_key(&ev, "comment_id");
    jb_str(&ev, cid, cid_n);
    jb_key(&ev, "reply_id");
    jb_str(&ev, rid, rid_n);
    jb_lit(&ev, "}");
    emit_event(c, &ev);

    jb_lit(&c->out, "{\"status\":\"ok\"");
    jb_key(&c->out, "comment_id");
    jb_str(&c->out, cid, cid_n);
    jb_key(&c->out, "reply_id");
    jb_str(&c->out, rid, rid_n);
    jb_lit(&c->out, "}");
}

/* Reads integer members K[0..n) of a body object into out. */
static int body_integers(jspan root, const char *const *keys, size_t n, int64_t *out) {
    jspan g[8];
    if (n > 8 || !json_pick(root, keys, n, g)) return 0;
    for (size_t i = 0; i < n; i++)
        if (!json_int64(g[i], &out[i])) return 0;
    return 1;
}

static void write_integers(jbuf *b, const char *const *keys, size_t n, const int64_t *v) {
    for (size_t i = 0; i < n; i++) {
        jb_key(b, keys[i]);
        jb_i64(b, v[i]);
    }
}

static void h_fetch_insights(ctx *c) {
    static const char *const K[] = {"start", "end"};
    jspan f[2];
    const char *start, *end;
    size_t start_n, end_n;
    instant a, b;
    if (!pick(c, K, 2, f) || !field_string(c, f[0], "start", 1, &start, &start_n) ||
        !field_string(c, f[1], "end", 1, &end, &end_n))
        return;
    if (!parse_instant(start, start_n, &a)) {
        invalid_field(c, "start", "must be an ISO 8601 instant such as 2026-11-01T00:00:00Z");
        return;
    }
    if (!parse_instant(end, end_n, &b)) {
        invalid_field(c, "end", "must be an ISO 8601 instant such as 2026-11-01T00:00:00Z");
        return;
    }
    if (compare_instants(&a, &b) > 0) {
        respond_error(c, "invalid_request", "Field 'start' must not be after 'end'.", 0);
        return;
    }

    jbuf path = {0};
    jb_lit(&path, "/v1/insights?start=");
    jb_pct(&path, start, start_n);
    jb_lit(&path, "&end=");
    jb_pct(&path, end, end_n);
    http_resp r;
    int ok = chirp_call(c, "insights", "GET", &path, NULL, &r);
    jb_free(&path);
    if (!ok) return;

    static const char *const R[] = {"impressions", "engagements", "followers_gained"};
    int64_t v[3];
    jspan root;
    if (!body_object(c, "insights", &r, &root)) return;
    if (!body_integers(root, R, 3, v)) {
        unexpected_body(c, "insights", &r);
        return;
    }
    jb_lit(&c->out, "{\"status\":\"ok\"");
    jb_key(&c->out, "start");
    jb_str(&c->out, start, start_n);
    jb_key(&c->out, "end");
    jb_str(&c->out, end, end_n);
    write_integers(&c->out, R, 3, v);
    jb_lit(&c->out, "}");
}

static void h_fetch_post_metrics(ctx *c) {
    static const char *const K[] = {"post_id"};
    jspan f[1];
    const char *id;
    size_t id_n;
    if (!pick(c, K, 1, f) || !field_string(c, f[0], "post_id", 1, &id, &id_n)) return;

    jbuf path = {0};
    jb_lit(&path, "/v1/posts/");
    jb_pct(&path, id, id_n);
    jb_lit(&path, "/metrics");
    http_resp r;
    int ok = chirp_call(c, "post metrics", "GET", &path, NULL, &r);
    jb_free(&path);
    if (!ok) return;

    static const char *const R[] = {"likes", "shares", "comments", "impressions"};
    int64_t v[4];
    jspan root;
    if (!body_object(c, "post metrics", &r, &root)) return;
    if (!body_integers(root, R, 4, v)) {
        unexpected_body(c, "post metrics", &r);
        return;
    }
    jb_lit(&c->out, "{\"status\":\"ok\"");
    jb_key(&c->out, "post_id");
    jb_str(&c->out, id, id_n);
    write_integers(&c->out, R, 4, v);
    jb_lit(&c->out, "}");
}

/* POST /oauth/token with the given body; stores and answers the tokens. */
static void token_call(ctx *c, jbuf *body, const char *log_message) {
    jbuf path = {0};
    jb_lit(&path, "/oauth/token");
    http_resp r;
    int ok = chirp_call(c, "token", "POST", &path, body, &r);
    jb_free(&path);
    if (!ok) return;

    static const char *const R[] = {"access_token", "refresh_token", "expires_in", "token_type"};
    jspan root, g[4];
    const char *access, *refresh, *type;
    size_t access_n, refresh_n, type_n;
    int64_t expires;
    if (!body_object(c, "token", &r, &root)) return;
    if (!json_pick(root, R, 4, g) || !body_string(c, g[0], 1, &access, &access_n) ||
        !body_string(c, g[1], 0, &refresh, &refresh_n) || !json_int64(g[2], &expires) ||
        !body_string(c, g[3], 1, &type, &type_n)) {
        unexpected_body(c, "token", &r);
        return;
    }
    kv_set(KV_ACCESS_TOKEN, strlen(KV_ACCESS_TOKEN), access, access_n);
    kv_set(KV_REFRESH_TOKEN, strlen(KV_REFRESH_TOKEN), refresh, refresh_n);
    log_lit(LOG_INFO, log_message); /* never the tokens themselves */

    jb_lit(&c->out, "{\"status\":\"ok\"");
    jb_key(&c->out, "access_token");
    jb_str(&c->out, access, access_n);
    jb_key(&c->out, "refresh_token");
    jb_str(&c->out, refresh, refresh_n);
    jb_key(&c->out, "expires_in");
    jb_i64(&c->out, expires);
    jb_key(&c->out, "token_type");
    jb_str(&c->out, type, type_n);
    jb_lit(&c->out, "}");
}

static void h_exchange_code(ctx *c) {
    static const char *const K[] = {"code", "redirect_uri"};
    jspan f[2];
    const char *code, *uri;
    size_t code_n, uri_n;
    if (!pick(c, K, 2, f) || !field_string(c, f[0], "code", 1, &code, &code_n) ||
        !field_string(c, f[1], "redirect_uri", 1, &uri, &uri_n))
        return;
    jbuf body = {0};
    jb_lit(&body, "{\"grant_type\":\"authorization_code\"");
    jb_key(&body, "code");
    jb_str(&body, code, code_n);
    jb_key(&body, "redirect_uri");
    jb_str(&body, uri, uri_n);
    jb_lit(&body, "}");
    token_call(c, &body, "Exchanged an authorization code for Chirp tokens.");
    jb_free(&body);
}

static void h_refresh_token(ctx *c) {
    static const char *const K[] = {"refresh_token"};
    jspan f[1];
    const char *tok;
    size_t tok_n;
    if (!pick(c, K, 1, f) || !field_string(c, f[0], "refresh_token", 1, &tok, &tok_n)) return;
    jbuf body = {0};
    jb_lit(&body, "{\"grant_type\":\"refresh_token\"");
    jb_key(&body, "refresh_token");
    jb_str(&body, tok, tok_n);
    jb_lit(&body, "}");
    token_call(c, &body, "Refreshed the Chirp access token.");
    jb_free(&body);
}

static int is(const char *s, size_t n, const char *lit) { return n == strlen(lit) && memcmp(s, lit, n) == 0; }

static void h_custom(ctx *c) {
    static const char *const K[] = {"action", "payload"};
    jspan f[2];
    const char *action;
    size_t action_n;
    if (!pick(c, K, 2, f) || !field_string(c, f[0], "action", 1, &action, &action_n)) return;

    if (is(action, action_n, "echo")) {
        jb_lit(&c->out, "{\"status\":\"ok\",\"action\":\"echo\",\"payload\":");
        if (json_type(f[1]) == JT_ABSENT) jb_lit(&c->out, "null");
        else jb_raw(&c->out, f[1].p, f[1].n); /* as received (validated JSON) */
        jb_lit(&c->out, "}");
    } else if (is(action, action_n, "stats")) {
        int64_t published;
        if (!read_published(c, &published)) return;
        jb_lit(&c->out, "{\"status\":\"ok\",\"published\":");
        jb_i64(&c->out, published);
        jb_lit(&c->out, "}");
    } else if (is(action, action_n, "crash")) {
        __builtin_trap(); /* deliberate: shows that the host discards the instance */
    } else {
        jbuf m = {0};
        jb_lit(&m, "Unknown custom action '");
        jb_clipped(&m, action, action_n, 64);
        jb_lit(&m, "'.");
        respond_error_buf(c, "unsupported_action", &m, 0);
    }
}

/* ======================================================================== */
/* dispatch                                                                 */
/* ======================================================================== */

static const struct {
    const char *type;
    void (*handle)(ctx *);
} HANDLERS[] = {
    {"publish", h_publish},
    {"delete_post", h_delete_post},
    {"fetch_comments", h_fetch_comments},
    {"reply_comment", h_reply_comment},
    {"fetch_insights", h_fetch_insights},
    {"fetch_post_metrics", h_fetch_post_metrics},
    {"exchange_code", h_exchange_code},
    {"refresh_token", h_refresh_token},
    {"custom", h_custom},
};

static void log_request(const char *type, size_t n) {
    jbuf m = {0};
    if (type) {
        jb_lit(&m, "Handling request '");
        jb_clipped(&m, type, n, 64);
        jb_lit(&m, "'.");
    } else {
        jb_lit(&m, "Handling a request without a readable 'type'.");
    }
    log_text(LOG_DEBUG, &m);
}

static void handle(ctx *c, const char *in, size_t len) {
    static const char *const K[] = {"type"};
    jspan t;
    const char *type = NULL;
    size_t type_n = 0;
    if (!json_validate(in, len, &c->req)) {
        log_request(NULL, 0);
        respond_error(c, "invalid_request", "The request is not valid JSON.", 0);
        return;
    }
    if (json_type(c->req) != JT_OBJECT) {
        log_request(NULL, 0);
        respond_error(c, "invalid_request", "The request must be a JSON object.", 0);
        return;
    }
    if (json_pick(c->req, K, 1, &t) && json_type(t) == JT_STRING && !json_string(&c->a, t, &type, &type_n)) {
        out_of_memory(c);
        return;
    }
    log_request(type, type_n);
    if (!pick(c, K, 1, &t) || !field_string(c, t, "type", 1, &type, &type_n)) return;
    for (size_t i = 0; i < sizeof HANDLERS / sizeof HANDLERS[0]; i++) {
        if (is(type, type_n, HANDLERS[i].type)) {
            HANDLERS[i].handle(c);
            return;
        }
    }
    jbuf m = {0};
    jb_lit(&m, "Unknown request type '");
    jb_clipped(&m, type, type_n, 64);
    jb_lit(&m, "'.");
    respond_error_buf(c, "unsupported_request", &m, 0);
}

static uint64_t out_of_memory_response(void) {
    RETURN_LITERAL("{\"status\":\"error\",\"code\":\"internal_error\","
                   "\"message\":\"The plugin ran out of memory.\",\"retryable\":false}");
}

EXPORT("plugin_handle_request") uint64_t plugin_handle_request(uint32_t ptr, uint32_t len) {
    ctx c;
    memset(&c, 0, sizeof c);
    handle(&c, (const char *)(uintptr_t)ptr, len);

    if (c.http_buf) release_host_buffer(c.http_buf, c.http_len);
    int failed = c.out.failed || c.a.failed || c.out.len == 0;
    arena_free(&c.a);
    if (failed) {
        jb_free(&c.out);
        return out_of_memory_response();
    }
    /* hand out exactly len bytes: dealloc(ptr, len) frees them */
    char *p = realloc(c.out.buf, c.out.len);
    if (!p) p = c.out.buf;
    return pack(p, c.out.len);
}
