/*
 * enrich: a Lesstruct hook plugin in C over the fixed-offset ABI
 * (docs/abi/fixed-offset.md, docs/lesstruct.md).
 *
 * The host writes each hook input at the offset it passes (65536); a hook
 * returns 0 for "no change" or the address of its result, whose length
 * __hook_result_len reports. Host functions write their result framed at 4096
 * (u32 LE length, bytes, NUL) and return 4096, 0 or a negative status.
 * Everything this module owns (statics, stack, heap) lies at or above
 * 1114112 (--global-base), so [0, 1114112) stays the host's; it is only read.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "json.h"

#define IMPORT(name) __attribute__((import_module("lesstruct"), import_name(name)))
#define EXPORT(name) __attribute__((export_name(name)))

IMPORT("http_get")
int32_t lesstruct_http_get(const char *url, uint32_t url_len, const char *headers, uint32_t headers_len);
IMPORT("db_query")
int32_t lesstruct_db_query(const char *sql, uint32_t sql_len, const char *params, uint32_t params_len);
IMPORT("log_info") void lesstruct_log_info(const char *msg, uint32_t len);
IMPORT("log_error") void lesstruct_log_error(const char *msg, uint32_t len);

/* ---- state ---------------------------------------------------------------- */

/* A result holds the item's customFields (at most the 1 MiB input window)
 * plus the few members added here. */
#define RESULT_CAP ((1u << 20) + 4096)
#define URL_CAP 2048
#define BODY_CAP 65536 /* host results are at most 60 KiB ([4096, 65536)) */
#define LOG_CAP 1024

static char g_result[RESULT_CAP];
static uint32_t g_result_len;

static char g_rates_url[URL_CAP];
static uint32_t g_rates_url_len;
static int g_rates_url_known;

static char g_body[BODY_CAP]; /* decoded HTTP body */
static char g_log[LOG_CAP];

static const char SQL_COUNT[] = "SELECT COUNT(*) AS n FROM content_items WHERE user_id = ?";

/* ---- small helpers -------------------------------------------------------- */

static uint64_t memory_bytes(void) { return (uint64_t)__builtin_wasm_memory_size(0) * 65536u; }

/* The hook input [off, off + len), if it lies inside memory. */
static int input_text(uint32_t off, uint32_t len, const char **p) {
    if (len == 0 || off == 0 || (uint64_t)off + len > memory_bytes()) return 0;
    *p = (const char *)(uintptr_t)off;
    return 1;
}

/* Log lines are built in g_log; appends are cut at a UTF-8 boundary. */
typedef struct {
    jw w;
} logline;

static void log_begin(logline *l) {
    l->w.buf = g_log;
    l->w.len = 0;
    l->w.cap = LOG_CAP;
    l->w.overflow = 0;
}

static void log_add(logline *l, const char *s, size_t n) {
    size_t room = l->w.cap - l->w.len;
    if (n > room) {
        n = room;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--; /* s[n] starts the cut sequence */
    }
    jw_raw(&l->w, s, n);
}

static void log_lit(logline *l, const char *s) { log_add(l, s, strlen(s)); }

/* Appends a JSON string's decoded text. */
static void log_jstr(logline *l, jspan s) {
    int complete;
    size_t n = json_str_decode(s, l->w.buf + l->w.len, l->w.cap - l->w.len, &complete);
    l->w.len += n;
}

static void log_i64(logline *l, int64_t v) {
    char tmp[24];
    jw t = {tmp, 0, sizeof tmp, 0};
    jw_i64(&t, v);
    log_add(l, tmp, t.len);
}

static void log_info_line(logline *l) { lesstruct_log_info(l->w.buf, (uint32_t)l->w.len); }
static void log_error_line(logline *l) { lesstruct_log_error(l->w.buf, (uint32_t)l->w.len); }

static void log_error_lit(const char *msg) { lesstruct_log_error(msg, (uint32_t)strlen(msg)); }

static const char *status_name(int32_t r) {
    switch (r) {
    case -1: return "not_found";
    case -2: return "permission_denied";
    case -3: return "rate_limited";
    case -4: return "invalid_argument";
    case -5: return "too_large";
    case -6: return "unavailable";
    default: return "unknown_status";
    }
}

/*
 * Reads what a host function returned. On {"ok":true,"data":...} returns 1 and
 * the data span, which points into the frame at `r`: the caller must take what
 * it needs before the next host call, which overwrites it. Anything else (a
 * status code, no result, a malformed frame, {"ok":false,...}) is logged with
 * log_error as "enrich: <what> skipped: <fn> failed: <reason>" and returns 0.
 */
static int host_result(int32_t r, const char *fn, const char *what, jspan *data) {
    logline l;
    jspan root, ok, err, code, msg;
    log_begin(&l);
    log_lit(&l, "enrich: ");
    log_lit(&l, what);
    log_lit(&l, " skipped: ");
    log_lit(&l, fn);
    log_lit(&l, " failed: ");
    if (r < 0) {
        log_lit(&l, status_name(r));
        log_lit(&l, " (status ");
        log_i64(&l, r);
        log_lit(&l, ")");
        log_error_line(&l);
        return 0;
    }
    if (r == 0) {
        log_lit(&l, "no result");
        log_error_line(&l);
        return 0;
    }
    uint64_t mem = memory_bytes();
    uint32_t n;
    if ((uint64_t)(uint32_t)r + 4 > mem) goto malformed;
    memcpy(&n, (const void *)(uintptr_t)r, 4); /* little-endian, like wasm */
    if ((uint64_t)(uint32_t)r + 4 + n > mem) goto malformed;
    if (!json_validate((const char *)(uintptr_t)r + 4, n, &root) || json_type(root) != JT_OBJECT) goto malformed;
    if (json_get(root, "ok", 2, &ok) != 1) goto malformed;
    if (json_type(ok) == JT_TRUE) {
        if (json_get(root, "data", 4, data) != 1) goto malformed;
        return 1;
    }
    if (json_type(ok) != JT_FALSE) goto malformed;
    /* {"ok":false,"error":{"code":"...","message":"..."}} */
    if (json_get(root, "error", 5, &err) == 1 && json_get(err, "code", 4, &code) == 1 &&
        json_type(code) == JT_STRING) {
        log_jstr(&l, code);
        if (json_get(err, "message", 7, &msg) == 1 && json_type(msg) == JT_STRING) {
            log_lit(&l, ": ");
            log_jstr(&l, msg);
        }
    } else {
        log_lit(&l, "error without a code");
    }
    log_error_line(&l);
    return 0;
malformed:
    log_lit(&l, "malformed host result");
    log_error_line(&l);
    return 0;
}

/* ---- before_save computations --------------------------------------------- */

/* Unicode White_Space (without U+FEFF, which is not white space). */
static int is_space(int32_t c) {
    if (c == ' ' || (c >= 0x09 && c <= 0x0D)) return 1;
    if (c < 0x85) return 0;
    return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
           c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Number of whitespace-separated words of a string (0 when not a string). */
static int64_t word_count(jspan s) {
    jstr c;
    int32_t cp;
    int64_t words = 0;
    int in_word = 0;
    json_str_open(s, &c);
    while ((cp = json_str_next(&c, NULL, NULL)) >= 0) {
        if (is_space(cp)) {
            in_word = 0;
        } else if (!in_word) {
            in_word = 1;
            words++;
        }
    }
    return words;
}

#define SLUG_MAX 80

/* Lowercase ASCII letters and digits; each run of anything else becomes one
 * '-'; no leading or trailing '-'; at most SLUG_MAX bytes. */
static size_t make_slug(jspan title, char *out) {
    jstr c;
    int32_t cp;
    size_t n = 0;
    int dash = 0;
    json_str_open(title, &c);
    while (n < SLUG_MAX && (cp = json_str_next(&c, NULL, NULL)) >= 0) {
        if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
        if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
            if (dash && n > 0) out[n++] = '-';
            if (n < SLUG_MAX) out[n++] = (char)cp;
            dash = 0;
        } else {
            dash = 1;
        }
    }
    while (n > 0 && out[n - 1] == '-') n--;
    return n;
}

/* db_query(COUNT(*) of the author's items) -> data.rows[0].n */
static int author_post_count(jspan user_id, int64_t *count) {
    static const char what[] = "author_post_count";
    int64_t uid;
    char params[32];
    jw pw = {params, 0, sizeof params, 0};
    jspan data, rows, row, n;
    jiter it;
    if (!json_int64(user_id, &uid)) {
        log_error_lit("enrich: author_post_count skipped: userId is not an integer");
        return 0;
    }
    jw_raw(&pw, "[", 1);
    jw_i64(&pw, uid);
    jw_raw(&pw, "]", 1);
    int32_t r = lesstruct_db_query(SQL_COUNT, sizeof SQL_COUNT - 1, params, (uint32_t)pw.len);
    if (!host_result(r, "db_query", what, &data)) return 0;
    /* read everything needed from the frame now */
    if (json_get(data, "rows", 4, &rows) == 1) {
        json_iter(rows, &it);
        if (json_type(rows) == JT_ARRAY && json_element(&it, &row) && json_get(row, "n", 1, &n) == 1 &&
            json_int64(n, count))
            return 1;
    }
    log_error_lit("enrich: author_post_count skipped: db_query returned no integer rows[0].n");
    return 0;
}

/* http_get(rates_url) -> price * rates[currency], in hundredths. */
static int price_eur(double price, jspan currency, int64_t *hundredths) {
    static const char what[] = "price_eur";
    char cur[64];
    int complete;
    size_t curlen = json_str_decode(currency, cur, sizeof cur, &complete);
    jspan data, status_v, body_v, rates, rate_v;
    int64_t status = 0;
    double rate, eur;
    logline l;

    int32_t r = lesstruct_http_get(g_rates_url, g_rates_url_len, "", 0);
    if (!host_result(r, "http_get", what, &data)) return 0;
    /* copy what is needed out of the frame before anything else */
    if (json_get(data, "status", 6, &status_v) != 1 || !json_int64(status_v, &status)) {
        log_error_lit("enrich: price_eur skipped: http_get returned no status");
        return 0;
    }
    size_t body_len = 0;
    int body_complete = 1;
    jspan encoding;
    /* "bodyEncoding":"base64" marks a body that is not UTF-8 text */
    int text_body = json_get(data, "bodyEncoding", 12, &encoding) == 0 || json_type(encoding) == JT_NULL;
    if (text_body && json_get(data, "body", 4, &body_v) == 1 && json_type(body_v) == JT_STRING)
        body_len = json_str_decode(body_v, g_body, BODY_CAP, &body_complete);

    log_begin(&l);
    log_lit(&l, "enrich: price_eur skipped: ");
    if (status != 200) {
        log_lit(&l, "rates request returned HTTP ");
        log_i64(&l, status);
        log_error_line(&l);
        return 0;
    }
    if (!body_complete || !json_validate(g_body, body_len, &rates) || json_type(rates) != JT_OBJECT) {
        log_lit(&l, "rates body is not a JSON object");
        log_error_line(&l);
        return 0;
    }
    int found = complete ? json_get(rates, cur, curlen, &rate_v) : 0;
    if (found != 1 || !json_double(rate_v, &rate)) {
        log_lit(&l, found < 0 ? "currency listed twice in rates: " : "no rate for currency ");
        log_add(&l, cur, curlen);
        log_error_line(&l);
        return 0;
    }
    eur = round(price * rate * 100.0);
    if (!(fabs(eur) < 9.0e15)) { /* also rejects NaN */
        log_lit(&l, "converted price out of range");
        log_error_line(&l);
        return 0;
    }
    *hundredths = (int64_t)eur;
    return 1;
}

/* ---- exports -------------------------------------------------------------- */

EXPORT("__hook_result_len") uint32_t hook_result_len(uint32_t input_len) { return g_result_len; }

EXPORT("hook_on_plugin_loaded") uint32_t hook_on_plugin_loaded(uint32_t off, uint32_t len) {
    const char *text;
    jspan root, config, url;
    logline l;
    g_result_len = 0;
    g_rates_url_len = 0;
    g_rates_url_known = 0;
    if (!input_text(off, len, &text) || !json_validate(text, len, &root) || json_type(root) != JT_OBJECT) {
        log_error_lit("enrich: plugin info is not a JSON object");
        return 0;
    }
    if (json_get(root, "config", 6, &config) == 1 && json_get(config, "rates_url", 9, &url) == 1 &&
        json_type(url) == JT_STRING) {
        int complete;
        g_rates_url_len = (uint32_t)json_str_decode(url, g_rates_url, URL_CAP, &complete);
        g_rates_url_known = complete && g_rates_url_len > 0;
        if (!complete) log_error_lit("enrich: config.rates_url is too long; prices will not be converted");
    }
    log_begin(&l);
    log_lit(&l, "enrich loaded: rates_url=");
    if (g_rates_url_known) log_add(&l, g_rates_url, g_rates_url_len);
    else log_lit(&l, "(none)");
    log_info_line(&l);
    return 0;
}

EXPORT("hook_before_save") uint32_t hook_before_save(uint32_t off, uint32_t len) {
    const char *text;
    jspan root, title, content, user_id, fields, price_v, currency;
    int has_fields;
    g_result_len = 0;
    if (!input_text(off, len, &text) || !json_validate(text, len, &root) || json_type(root) != JT_OBJECT ||
        json_get(root, "title", 5, &title) < 0 || json_get(root, "content", 7, &content) < 0 ||
        json_get(root, "userId", 6, &user_id) < 0 || json_get(root, "customFields", 12, &fields) < 0) {
        log_error_lit("enrich: before_save input is not a content item; left unchanged");
        return 0;
    }
    has_fields = json_type(fields) == JT_OBJECT; /* absent, null (or not an object): start empty */

    int64_t words = word_count(content);
    char slug[SLUG_MAX];
    size_t slug_len = make_slug(title, slug);

    /* Host calls, one at a time, each result consumed before the next call. */
    int64_t posts = 0;
    int have_posts = author_post_count(user_id, &posts);

    int64_t eur = 0;
    int have_eur = 0;
    if (has_fields && g_rates_url_known) {
        double price;
        if (json_get(fields, "price", 5, &price_v) == 1 && json_double(price_v, &price) &&
            json_get(fields, "currency", 8, &currency) == 1 && json_type(currency) == JT_STRING)
            have_eur = price_eur(price, currency, &eur);
    }

    /* {"customFields":{<existing members but the keys set here>,<ours>}} */
    jw w = {g_result, 0, RESULT_CAP, 0};
    const char *sep = "";
    jw_lit(&w, "{\"customFields\":{");
    if (has_fields) {
        jiter it;
        jspan k, v;
        json_iter(fields, &it);
        while (json_member(&it, &k, &v)) {
            if (json_str_eq(k, "word_count", 10) || json_str_eq(k, "slug", 4) ||
                (have_posts && json_str_eq(k, "author_post_count", 17)) ||
                (have_eur && json_str_eq(k, "price_eur", 9)))
                continue;
            jw_lit(&w, sep);
            jw_raw(&w, k.p, k.n);
            jw_raw(&w, ":", 1);
            jw_raw(&w, v.p, v.n);
            sep = ",";
        }
    }
    jw_lit(&w, sep);
    jw_lit(&w, "\"word_count\":");
    jw_i64(&w, words);
    jw_lit(&w, ",\"slug\":");
    jw_str(&w, slug, slug_len);
    if (have_posts) {
        jw_lit(&w, ",\"author_post_count\":");
        jw_i64(&w, posts);
    }
    if (have_eur) {
        jw_lit(&w, ",\"price_eur\":");
        jw_fixed2(&w, eur);
    }
    jw_lit(&w, "}}");
    if (w.overflow) {
        log_error_lit("enrich: before_save result too large; left unchanged");
        return 0;
    }
    g_result_len = (uint32_t)w.len;
    return (uint32_t)(uintptr_t)g_result;
}

EXPORT("hook_after_publish") uint32_t hook_after_publish(uint32_t off, uint32_t len) {
    const char *text;
    jspan root, title;
    logline l;
    g_result_len = 0;
    log_begin(&l);
    log_lit(&l, "published: ");
    if (input_text(off, len, &text) && json_validate(text, len, &root) && json_get(root, "title", 5, &title) == 1)
        log_jstr(&l, title);
    log_info_line(&l);
    return 0;
}

EXPORT("hook_before_delete") uint32_t hook_before_delete(uint32_t off, uint32_t len) {
    const char *text;
    jspan root, fields, locked, id;
    g_result_len = 0;
    if (!input_text(off, len, &text) || !json_validate(text, len, &root) ||
        json_get(root, "customFields", 12, &fields) != 1 || json_get(fields, "locked", 6, &locked) != 1 ||
        json_type(locked) != JT_TRUE)
        return 0;
    /* {"error":{"code":"locked","message":"content <contentId> is locked"}} */
    jw w = {g_result, 0, RESULT_CAP, 0};
    jw_lit(&w, "{\"error\":{\"code\":\"locked\",\"message\":\"content ");
    if (json_get(root, "contentId", 9, &id) != 1) id.p = NULL;
    if (json_type(id) == JT_NUMBER) {
        jw_raw(&w, id.p, id.n); /* digits, '-', '.', 'e', '+': safe inside a string */
    } else if (json_type(id) == JT_STRING) {
        char buf[256];
        int complete;
        size_t n = json_str_decode(id, buf, sizeof buf, &complete);
        jw_esc(&w, buf, n);
    } else {
        jw_lit(&w, "?");
    }
    jw_lit(&w, " is locked\"}}");
    g_result_len = (uint32_t)w.len;
    return (uint32_t)(uintptr_t)g_result;
}
