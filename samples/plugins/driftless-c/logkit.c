/*
 * logkit: a Driftless plugin in C over the plain (ptr, len) convention
 * (ABI-NOTES.md beside this file).
 *
 * Every export takes its string arguments as (ptr, len) pairs of UTF-8 bytes
 * that the host allocated with `alloc` and frees with `dealloc` after the call
 * (this plugin only reads them), and returns its JSON answer packed in an i64
 * as (ptr << 32) | len, in a buffer from `alloc` that the host frees with
 * `dealloc(ptr, len)`. Host functions come from module `env`:
 * host_log(level ptr, level len, message ptr, message len) and
 * host_get_timestamp() -> i64 (Unix seconds).
 *
 * It registers a task (logrotate_config), a log source (heartbeat), two log
 * filters (level_at_least, contains) and two log outputs (json_lines, text).
 * It exports no facts, template or log parser registry.
 *
 * Log entries are the objects the Driftless Rust sample's parsers produce:
 * {"timestamp": string|null, "level": string|null, "message": string,
 *  "fields": {name: value}}.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define EXPORT(name) __attribute__((export_name(name)))
#define HOST(name) __attribute__((import_module("env"), import_name(name)))

HOST("host_log") void host_log(const char *level, uint32_t level_len, const char *msg, uint32_t msg_len);
HOST("host_get_timestamp") uint64_t host_get_timestamp(void);

/* ---- memory and results --------------------------------------------------- */

/* alloc(size) -> ptr: a buffer of size bytes, or 0 when there is no memory. */
EXPORT("alloc") uint32_t logkit_alloc(uint32_t size) {
    return (uint32_t)(uintptr_t)malloc(size == 0 ? 1 : size);
}

/* dealloc(ptr, size): frees a buffer from alloc (or a result); 0 is ignored. */
EXPORT("dealloc") void logkit_dealloc(uint32_t ptr, uint32_t size) {
    (void)size;
    free((void *)(uintptr_t)ptr);
}

static uint64_t pack(const char *p, size_t n) { return ((uint64_t)(uintptr_t)p << 32) | (uint64_t)n; }

/* What an export answers when it cannot allocate its answer: the packed 0, an
 * empty result, which the host treats as a failed call. */
#define NO_RESULT 0

/* ---- small text helpers ------------------------------------------------------ */

/* Appends s[0..n) cut at a UTF-8 boundary so that it fits; for messages. */
static void sb_add(jw *w, const char *s, size_t n) {
    size_t room = w->cap - w->len;
    if (n > room) {
        n = room;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    }
    jw_raw(w, s, n);
}

static void sb_lit(jw *w, const char *s) { sb_add(w, s, strlen(s)); }

/* Appends a JSON string's decoded text (cut to fit). */
static void sb_jstr(jw *w, jspan s) {
    int complete;
    w->len += json_str_decode(s, w->buf + w->len, w->cap - w->len, &complete);
}

/* 1 when s[0..n) is well-formed UTF-8 (no overlong forms, surrogates or code
 * points past U+10FFFF). */
static int utf8_valid(const char *text, size_t n) {
    const unsigned char *s = (const unsigned char *)text, *e = s + n;
    while (s < e) {
        unsigned c = *s++;
        if (c < 0x80) continue;
        size_t more = c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2 : c >= 0xF0 && c <= 0xF4 ? 3 : 0;
        if (more == 0 || (size_t)(e - s) < more) return 0;
        unsigned lo = 0x80, hi = 0xBF;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
        if (s[0] < lo || s[0] > hi) return 0;
        for (size_t i = 1; i < more; i++) {
            if ((s[i] & 0xC0) != 0x80) return 0;
        }
        s += more;
    }
    return 1;
}

static int span_is(const char *p, size_t n, const char *lit) { return n == strlen(lit) && memcmp(p, lit, n) == 0; }

/* YYYY-MM-DDThh:mm:ssZ of a Unix time (Howard Hinnant's civil_from_days). */
static void write_rfc3339(jw *w, uint64_t unix) {
    int64_t z = (int64_t)(unix / 86400) + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);
    uint64_t s = unix % 86400;
    int64_t parts[6] = {y, m, d, (int64_t)(s / 3600), (int64_t)(s / 60 % 60), (int64_t)(s % 60)};
    const char *seps = "--T::Z";
    for (int i = 0; i < 6; i++) {
        char two[4];
        if (i == 0) {
            jw_i64(w, parts[0]);
        } else {
            two[0] = (char)('0' + parts[i] / 10 % 10);
            two[1] = (char)('0' + parts[i] % 10);
            jw_raw(w, two, 2);
        }
        jw_raw(w, &seps[i], 1);
    }
}

/* ---- the call: arguments, the message, the log line ------------------------- */

typedef struct {
    const char *name;
    size_t name_len;
    jspan config; /* a validated object */
    jspan entry;  /* a validated object, or absent */
} call;

/* An error message ("config.path must be ...") built while handling a call. */
static char g_msg[1024];
static jw g_m;

static void msg_begin(void) {
    g_m.buf = g_msg;
    g_m.len = 0;
    g_m.cap = sizeof g_msg;
    g_m.overflow = 0;
}

/* Starts "config.<key> " and returns 0, so handlers can `return fail_key(...)`. */
static int fail_key(const char *key, const char *rest) {
    msg_begin();
    sb_lit(&g_m, "config.");
    sb_lit(&g_m, key);
    sb_lit(&g_m, " ");
    sb_lit(&g_m, rest);
    return 0;
}

static int fail(const char *text) {
    msg_begin();
    sb_lit(&g_m, text);
    return 0;
}

/* The line logged once the answer is complete (level word and message). */
static const char *g_log_level;
static char g_log[512];
static jw g_l;

static void log_begin(const char *level) {
    g_log_level = level;
    g_l.buf = g_log;
    g_l.len = 0;
    g_l.cap = sizeof g_log;
    g_l.overflow = 0;
}

/* ---- reading configuration -------------------------------------------------- */

/* Rejects members not in the NULL-terminated list. */
static int only_keys(jspan obj, const char *const *allowed) {
    jiter it;
    jspan key, val;
    json_iter(obj, &it);
    while (json_member(&it, &key, &val)) {
        int known = 0;
        for (const char *const *a = allowed; *a; a++) {
            if (json_str_eq(key, *a, strlen(*a))) known = 1;
        }
        if (!known) {
            msg_begin();
            sb_lit(&g_m, "config.");
            sb_jstr(&g_m, key);
            sb_lit(&g_m, " is not a known setting");
            return 0;
        }
    }
    return 1;
}

/* A member: 1 present (not null), 0 absent or null, -1 an error message is set. */
static int member(jspan obj, const char *key, jspan *out) {
    int r = json_get(obj, key, strlen(key), out);
    if (r < 0) {
        fail_key(key, "occurs more than once");
        return -1;
    }
    return r == 1 && json_type(*out) != JT_NULL;
}

static int get_string(jspan obj, const char *key, int required, jspan *out) {
    int r = member(obj, key, out);
    if (r < 0) return -1;
    if (r == 0) {
        if (required) {
            fail_key(key, "is required");
            return -1;
        }
        return 0;
    }
    if (json_type(*out) != JT_STRING) {
        fail_key(key, "must be a string");
        return -1;
    }
    return 1;
}

static int get_bool(jspan obj, const char *key, int dflt, int *out) {
    jspan v;
    int r = member(obj, key, &v);
    if (r < 0) return 0;
    if (r == 0) {
        *out = dflt;
        return 1;
    }
    if (json_type(v) != JT_TRUE && json_type(v) != JT_FALSE) return fail_key(key, "must be a boolean");
    *out = json_type(v) == JT_TRUE;
    return 1;
}

static int get_int(jspan obj, const char *key, int64_t dflt, int64_t lo, int64_t hi, int64_t *out) {
    jspan v;
    int r = member(obj, key, &v);
    if (r < 0) return 0;
    if (r == 0) {
        *out = dflt;
        return 1;
    }
    if (!json_int64(v, out) || *out < lo || *out > hi) {
        fail_key(key, "must be an integer from ");
        jw_i64(&g_m, lo);
        sb_lit(&g_m, " to ");
        jw_i64(&g_m, hi);
        return 0;
    }
    return 1;
}

/* Index of the decoded string s in the NULL-terminated words, or -1. */
static int word_index(jspan s, const char *const *words) {
    for (int i = 0; words[i]; i++) {
        if (json_str_eq(s, words[i], strlen(words[i]))) return i;
    }
    return -1;
}

/* ---- levels ------------------------------------------------------------------ */

static const char *const LEVELS[] = {"debug", "info", "warn", "error", NULL};

/* Rank of a level word: debug 0, info 1, warn 2, error 3 (common spellings
 * included, case-insensitive), or -1. */
static int level_rank(jspan s) {
    static const struct {
        const char *word;
        int rank;
    } table[] = {
        {"debug", 0}, {"trace", 0}, {"verbose", 0}, {"info", 1}, {"information", 1}, {"notice", 1},
        {"warn", 2},  {"warning", 2}, {"error", 3}, {"err", 3},  {"fatal", 3},       {"crit", 3},
        {"critical", 3}, {"alert", 3}, {"emerg", 3}, {"panic", 3},
    };
    char lower[16];
    int complete;
    size_t n = json_str_decode(s, lower, sizeof lower, &complete);
    if (!complete) return -1;
    for (size_t i = 0; i < n; i++) {
        if (lower[i] >= 'A' && lower[i] <= 'Z') lower[i] = (char)(lower[i] - 'A' + 'a');
    }
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (span_is(lower, n, table[i].word)) return table[i].rank;
    }
    return -1;
}

/* ---- registries ------------------------------------------------------------- */

static const char TASKS[] =
    "[{\"name\":\"logrotate_config\",\"type\":\"apply\","
    "\"description\":\"Renders the logrotate stanza for one log file; changed compares it with the current content when given.\","
    "\"config_schema\":{\"type\":\"object\",\"properties\":{"
    "\"path\":{\"type\":\"string\",\"pattern\":\"^/[^\\\\s\\\"'{}]*$\",\"description\":\"absolute path of the log file (a glob is allowed)\"},"
    "\"frequency\":{\"enum\":[\"daily\",\"weekly\",\"monthly\",\"yearly\"],\"default\":\"weekly\"},"
    "\"rotate\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":1000,\"default\":4},"
    "\"max_size\":{\"type\":\"string\",\"pattern\":\"^[1-9][0-9]{0,8}[kMG]?$\"},"
    "\"compress\":{\"type\":\"boolean\",\"default\":true},"
    "\"missing_ok\":{\"type\":\"boolean\",\"default\":true},"
    "\"not_if_empty\":{\"type\":\"boolean\",\"default\":true},"
    "\"copy_truncate\":{\"type\":\"boolean\",\"default\":false},"
    "\"current\":{\"type\":\"string\",\"description\":\"the stanza's current content\"}},"
    "\"required\":[\"path\"],\"additionalProperties\":false}}]";

static const char SOURCES[] =
    "[{\"name\":\"heartbeat\","
    "\"description\":\"Synthetic logfmt lines (ts, level, msg, service, seq), one per interval, the last stamped with the host's time; for trying a pipeline out.\","
    "\"config_schema\":{\"type\":\"object\",\"properties\":{"
    "\"service\":{\"type\":\"string\",\"pattern\":\"^[A-Za-z0-9_.-]{1,64}$\"},"
    "\"count\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":1000,\"default\":3},"
    "\"interval_secs\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":86400,\"default\":60},"
    "\"levels\":{\"type\":\"array\",\"items\":{\"enum\":[\"debug\",\"info\",\"warn\",\"error\"]},\"minItems\":1,\"maxItems\":16,\"default\":[\"info\"]}},"
    "\"required\":[\"service\"],\"additionalProperties\":false}}]";

static const char FILTERS[] =
    "[{\"name\":\"level_at_least\","
    "\"description\":\"Keeps entries whose level is at least min_level (debug < info < warn < error).\","
    "\"config_schema\":{\"type\":\"object\",\"properties\":{"
    "\"min_level\":{\"enum\":[\"debug\",\"info\",\"warn\",\"error\"]},"
    "\"keep_unknown\":{\"type\":\"boolean\",\"default\":true,\"description\":\"keep entries without a recognised level\"}},"
    "\"required\":[\"min_level\"],\"additionalProperties\":false}},"
    "{\"name\":\"contains\","
    "\"description\":\"Keeps entries whose field contains the text (message, level, timestamp or a member of fields); negate drops them instead.\","
    "\"config_schema\":{\"type\":\"object\",\"properties\":{"
    "\"field\":{\"type\":\"string\",\"minLength\":1,\"default\":\"message\"},"
    "\"text\":{\"type\":\"string\",\"minLength\":1},"
    "\"negate\":{\"type\":\"boolean\",\"default\":false}},"
    "\"required\":[\"text\"],\"additionalProperties\":false}}]";

static const char OUTPUTS[] =
    "[{\"name\":\"json_lines\","
    "\"description\":\"The entry as one line of compact JSON.\","
    "\"config_schema\":{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}},"
    "{\"name\":\"text\","
    "\"description\":\"timestamp LEVEL message key=value..., the way a terminal shows logs.\","
    "\"config_schema\":{\"type\":\"object\",\"properties\":{"
    "\"include_fields\":{\"type\":\"boolean\",\"default\":true}},\"additionalProperties\":false}}]";

static uint64_t copy_out(const char *text, size_t n) {
    char *p = malloc(n);
    if (!p) return NO_RESULT;
    memcpy(p, text, n);
    return pack(p, n);
}

EXPORT("get_task_definitions") uint64_t get_task_definitions(void) { return copy_out(TASKS, sizeof TASKS - 1); }
EXPORT("get_log_sources") uint64_t get_log_sources(void) { return copy_out(SOURCES, sizeof SOURCES - 1); }
EXPORT("get_log_filters") uint64_t get_log_filters(void) { return copy_out(FILTERS, sizeof FILTERS - 1); }
EXPORT("get_log_outputs") uint64_t get_log_outputs(void) { return copy_out(OUTPUTS, sizeof OUTPUTS - 1); }

/* ---- the task: logrotate_config ---------------------------------------------- */

/* Writes the stanza; returns 0 with g_msg set on a bad config. */
static int logrotate_stanza(const call *c, jw *out) {
    static const char *const keys[] = {"path", "frequency", "rotate", "max_size", "compress", "missing_ok",
                                       "not_if_empty", "copy_truncate", "current", NULL};
    static const char *const freqs[] = {"daily", "weekly", "monthly", "yearly", NULL};
    jspan path, freq, max_size, current;
    int64_t rotate;
    int compress, missing_ok, not_if_empty, copy_truncate;
    if (!only_keys(c->config, keys)) return 0;
    if (get_string(c->config, "path", 1, &path) < 0) return 0;
    if (get_string(c->config, "current", 0, &current) < 0) return 0;
    {
        jstr cur;
        int32_t cp;
        size_t n = 0;
        int ok = 1;
        json_str_open(path, &cur);
        while ((cp = json_str_next(&cur, NULL, NULL)) >= 0) {
            if ((n == 0 && cp != '/') || cp <= ' ' || cp == '"' || cp == '\'' || cp == '{' || cp == '}' || cp == 0x7F) ok = 0;
            n++;
        }
        if (!ok || n == 0) return fail_key("path", "must be an absolute path without spaces, quotes or braces");
    }
    int r = get_string(c->config, "frequency", 0, &freq);
    if (r < 0) return 0;
    int fi = r == 0 ? 1 : word_index(freq, freqs);
    if (fi < 0) return fail_key("frequency", "must be daily, weekly, monthly or yearly");
    if (!get_int(c->config, "rotate", 4, 0, 1000, &rotate)) return 0;
    r = get_string(c->config, "max_size", 0, &max_size);
    if (r < 0) return 0;
    if (r == 1) {
        /* 1 to 9 digits (no leading zero), then an optional k, M or G */
        const char *p = max_size.p + 1, *e = max_size.p + max_size.n - 1;
        size_t digits = 0;
        while (p < e && *p >= '0' && *p <= '9') p++, digits++;
        int unit = p < e && (*p == 'k' || *p == 'M' || *p == 'G');
        if (digits == 0 || digits > 9 || max_size.p[1] == '0' || p + unit != e)
            return fail_key("max_size", "must be a size such as 100k, 20M or 1G");
    }
    if (!get_bool(c->config, "compress", 1, &compress) || !get_bool(c->config, "missing_ok", 1, &missing_ok) ||
        !get_bool(c->config, "not_if_empty", 1, &not_if_empty) || !get_bool(c->config, "copy_truncate", 0, &copy_truncate))
        return 0;

    sb_jstr(out, path); /* checked above: printable, no escapes needed in the stanza */
    jw_lit(out, " {\n    ");
    jw_lit(out, freqs[fi]);
    jw_lit(out, "\n    rotate ");
    jw_i64(out, rotate);
    jw_lit(out, "\n");
    if (r == 1) {
        jw_lit(out, "    maxsize ");
        jw_raw(out, max_size.p + 1, max_size.n - 2);
        jw_lit(out, "\n");
    }
    if (compress) jw_lit(out, "    compress\n    delaycompress\n");
    if (missing_ok) jw_lit(out, "    missingok\n");
    if (not_if_empty) jw_lit(out, "    notifempty\n");
    if (copy_truncate) jw_lit(out, "    copytruncate\n");
    jw_lit(out, "}\n");
    return 1;
}

/* ---- the log source: heartbeat ----------------------------------------------- */

static int heartbeat(const call *c, jw *w) {
    static const char *const keys[] = {"service", "count", "interval_secs", "levels", NULL};
    jspan service, levels, lv;
    int64_t count, interval;
    const char *level_words[16];
    size_t nlevels = 0;
    if (!only_keys(c->config, keys)) return 0;
    if (get_string(c->config, "service", 1, &service) < 0) return 0;
    /* the raw bytes between the quotes are the name: only [A-Za-z0-9_.-] pass */
    if (service.n < 3 || service.n > 66) return fail_key("service", "must be 1 to 64 characters of A-Z, a-z, 0-9, _, . or -");
    for (size_t i = 1; i + 1 < service.n; i++) {
        char ch = service.p[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-'))
            return fail_key("service", "must be 1 to 64 characters of A-Z, a-z, 0-9, _, . or -");
    }
    if (!get_int(c->config, "count", 3, 1, 1000, &count)) return 0;
    if (!get_int(c->config, "interval_secs", 60, 1, 86400, &interval)) return 0;
    int r = member(c->config, "levels", &levels);
    if (r < 0) return 0;
    if (r == 0) {
        level_words[nlevels++] = "info";
    } else {
        jiter it;
        if (json_type(levels) != JT_ARRAY) return fail_key("levels", "must be an array of level words");
        json_iter(levels, &it);
        while (json_element(&it, &lv)) {
            int li = json_type(lv) == JT_STRING ? word_index(lv, LEVELS) : -1;
            if (li < 0) return fail_key("levels", "may only hold debug, info, warn or error");
            if (nlevels == 16) return fail_key("levels", "may hold at most 16 words");
            level_words[nlevels++] = LEVELS[li];
        }
        if (nlevels == 0) return fail_key("levels", "must not be empty");
    }

    uint64_t now = host_get_timestamp();
    uint64_t span = (uint64_t)(count - 1) * (uint64_t)interval;
    uint64_t start = now > span ? now - span : 0;
    jw_lit(w, "{\"status\":\"success\",\"lines\":[");
    for (int64_t i = 0; i < count; i++) {
        if (i) jw_lit(w, ",");
        /* ts=... level=... msg="heartbeat i/n" service=... seq=i (no character needs escaping) */
        jw_lit(w, "\"ts=");
        write_rfc3339(w, start + (uint64_t)i * (uint64_t)interval);
        jw_lit(w, " level=");
        jw_lit(w, level_words[(size_t)i % nlevels]);
        jw_lit(w, " msg=\\\"heartbeat ");
        jw_i64(w, i + 1);
        jw_lit(w, "/");
        jw_i64(w, count);
        jw_lit(w, "\\\" service=");
        jw_raw(w, service.p + 1, service.n - 2);
        jw_lit(w, " seq=");
        jw_i64(w, i + 1);
        jw_lit(w, "\"");
    }
    jw_lit(w, "]}");
    log_begin("debug");
    sb_lit(&g_l, "heartbeat: ");
    jw_i64(&g_l, count);
    sb_lit(&g_l, " line(s)");
    return 1;
}

/* ---- the log filters ------------------------------------------------------------ */

/* The entry's field: message, level or timestamp at the top, else fields.<name>. */
static int entry_field(jspan entry, jspan name, jspan *out) {
    static const char *const top[] = {"message", "level", "timestamp", NULL};
    jspan fields;
    char key[128];
    int complete;
    size_t n = json_str_decode(name, key, sizeof key, &complete);
    if (!complete) return 0;
    if (word_index(name, top) >= 0) return json_get(entry, key, n, out) == 1;
    return json_get(entry, "fields", 6, &fields) == 1 && json_type(fields) == JT_OBJECT && json_get(fields, key, n, out) == 1;
}

/* 1 when the decoded string hay contains the decoded string needle; -1 when
 * there is no memory for the decoded copies. */
static int str_contains(jspan hay, jspan needle) {
    int hc, nc, found = 0;
    char *h = malloc(hay.n), *nd = malloc(needle.n); /* decoded text is never longer */
    if (!h || !nd) {
        free(h);
        free(nd);
        return -1;
    }
    size_t hn = json_str_decode(hay, h, hay.n, &hc), nn = json_str_decode(needle, nd, needle.n, &nc);
    for (size_t i = 0; !found && i + nn <= hn; i++) found = memcmp(h + i, nd, nn) == 0;
    free(h);
    free(nd);
    return found;
}

static int filter_keep(const call *c, int *keep) {
    if (span_is(c->name, c->name_len, "level_at_least")) {
        static const char *const keys[] = {"min_level", "keep_unknown", NULL};
        jspan min, level;
        int keep_unknown;
        if (!only_keys(c->config, keys)) return 0;
        if (get_string(c->config, "min_level", 1, &min) < 0) return 0;
        int want = word_index(min, LEVELS);
        if (want < 0) return fail_key("min_level", "must be debug, info, warn or error");
        if (!get_bool(c->config, "keep_unknown", 1, &keep_unknown)) return 0;
        int have = json_get(c->entry, "level", 5, &level) == 1 && json_type(level) == JT_STRING ? level_rank(level) : -1;
        *keep = have < 0 ? keep_unknown : have >= want;
        return 1;
    }
    if (span_is(c->name, c->name_len, "contains")) {
        static const char *const keys[] = {"field", "text", "negate", NULL};
        static const char message_json[] = "\"message\"";
        jspan field = {message_json, sizeof message_json - 1}, text, value;
        int negate;
        if (!only_keys(c->config, keys)) return 0;
        if (get_string(c->config, "field", 0, &field) < 0) return 0;
        if (get_string(c->config, "text", 1, &text) < 0) return 0;
        if (!get_bool(c->config, "negate", 0, &negate)) return 0;
        int found = entry_field(c->entry, field, &value) && json_type(value) == JT_STRING ? str_contains(value, text) : 0;
        if (found < 0) return fail("out of memory");
        *keep = negate ? !found : found;
        return 1;
    }
    msg_begin();
    sb_lit(&g_m, "Unknown log filter: ");
    sb_add(&g_m, c->name, c->name_len);
    return 0;
}

/* ---- the log outputs ------------------------------------------------------------ */

/* JSON text without the whitespace between tokens (the text is validated);
 * when `escaped`, as the contents of a JSON string. */
static void write_compact(jw *w, jspan v, int escaped) {
    const char *p = v.p, *e = v.p + v.n;
    while (p < e) {
        if (*p == '"') {
            const char *s = p++;
            while (*p != '"') p += *p == '\\' ? 2 : 1;
            p++;
            if (escaped) {
                jw_esc(w, s, (size_t)(p - s));
            } else {
                jw_raw(w, s, (size_t)(p - s));
            }
        } else {
            /* numbers, literals and punctuation need no escaping */
            if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') jw_raw(w, p, 1);
            p++;
        }
    }
}

/* Appends the decoded string s to a JSON string being written (escaped). */
static void write_jstr_escaped(jw *w, jspan s) {
    jstr c;
    const char *raw;
    size_t rawlen;
    json_str_open(s, &c);
    while (json_str_next(&c, &raw, &rawlen) >= 0) {
        if (rawlen > 1 && raw[0] == '\\') {
            jw_raw(w, raw, rawlen); /* an escape stays an escape */
        } else {
            jw_esc(w, raw, rawlen);
        }
    }
}

/* A field value of the text output: as it is, or logfmt-quoted ("x y", with
 * \" and \\ inside) when it is empty or holds a space, '=' or '"'. Written as
 * the contents of a JSON string. */
static void write_field_value(jw *w, jspan s) {
    jstr c;
    int32_t cp;
    int quote = s.n == 2;
    json_str_open(s, &c);
    while ((cp = json_str_next(&c, NULL, NULL)) >= 0) {
        if (cp == ' ' || cp == '=' || cp == '"' || cp == '\t') quote = 1;
    }
    if (!quote) {
        write_jstr_escaped(w, s);
        return;
    }
    const char *raw;
    size_t rawlen;
    jw_lit(w, "\\\"");
    json_str_open(s, &c);
    while ((cp = json_str_next(&c, &raw, &rawlen)) >= 0) {
        if (cp == '"' || cp == '\\') {
            jw_lit(w, "\\\\"); /* a logfmt backslash, JSON-escaped */
            jw_lit(w, cp == '"' ? "\\\"" : "\\\\");
        } else if (rawlen > 1 && raw[0] == '\\') {
            jw_raw(w, raw, rawlen); /* an escape stays an escape */
        } else {
            jw_esc(w, raw, rawlen);
        }
    }
    jw_lit(w, "\\\"");
}

/* text: `timestamp LEVEL message key=value ...` as the contents of a JSON string. */
static int text_line(const call *c, jw *w) {
    static const char *const keys[] = {"include_fields", NULL};
    int include_fields;
    jspan ts, level, message, fields, key, val;
    if (!only_keys(c->config, keys)) return 0;
    if (!get_bool(c->config, "include_fields", 1, &include_fields)) return 0;
    if (json_get(c->entry, "timestamp", 9, &ts) == 1 && json_type(ts) == JT_STRING)
        write_jstr_escaped(w, ts);
    else
        jw_lit(w, "-");
    jw_lit(w, " ");
    static const char *const SHOWN[] = {"DEBUG", "INFO", "WARN", "ERROR"};
    char word[8] = "-";
    size_t wn = 1;
    if (json_get(c->entry, "level", 5, &level) == 1 && json_type(level) == JT_STRING) {
        int rank = level_rank(level), complete;
        if (rank >= 0) {
            wn = strlen(SHOWN[rank]);
            memcpy(word, SHOWN[rank], wn);
        } else {
            /* an unknown word: its first five bytes (cut at a UTF-8 boundary), upper-cased */
            wn = json_str_decode(level, word, 5, &complete);
            for (size_t i = 0; i < wn; i++) {
                if (word[i] >= 'a' && word[i] <= 'z') word[i] = (char)(word[i] - 'a' + 'A');
            }
        }
    }
    jw_esc(w, word, wn);
    for (size_t i = wn; i < 5; i++) jw_lit(w, " ");
    if (json_get(c->entry, "message", 7, &message) == 1 && json_type(message) == JT_STRING) {
        jw_lit(w, " ");
        write_jstr_escaped(w, message);
    }
    if (include_fields && json_get(c->entry, "fields", 6, &fields) == 1 && json_type(fields) == JT_OBJECT) {
        jiter it;
        json_iter(fields, &it);
        while (json_member(&it, &key, &val)) {
            jw_lit(w, " ");
            write_jstr_escaped(w, key);
            jw_lit(w, "=");
            if (json_type(val) == JT_STRING) {
                write_field_value(w, val);
            } else {
                write_compact(w, val, 1); /* numbers, booleans, null, arrays, objects: their JSON text */
            }
        }
    }
    return 1;
}

/* ---- dispatch and the answer ------------------------------------------------------ */

typedef enum { K_TASK, K_SOURCE, K_FILTER, K_OUTPUT } kind;

static const char *const EXPORT_NAMES[] = {"execute_task", "execute_log_source", "execute_log_filter", "execute_log_output"};

/* Writes the whole answer for one call into w; returns 0 with g_msg set on a failure. */
static int answer(kind k, const call *c, jw *w) {
    switch (k) {
    case K_TASK: {
        if (!span_is(c->name, c->name_len, "logrotate_config")) {
            msg_begin();
            sb_lit(&g_m, "Unknown task: ");
            sb_add(&g_m, c->name, c->name_len);
            return 0;
        }
        /* the stanza is short (a path plus a few lines): built on the side, then quoted */
        static char stanza[8192];
        jw s = {stanza, 0, sizeof stanza, 0};
        if (!logrotate_stanza(c, &s)) return 0;
        if (s.overflow) return fail_key("path", "is too long");
        jspan current;
        int has_current = json_get(c->config, "current", 7, &current) == 1 && json_type(current) == JT_STRING;
        int changed = !has_current || !json_str_eq(current, stanza, s.len);
        jw_lit(w, "{\"status\":\"success\",\"changed\":");
        jw_lit(w, changed ? "true" : "false");
        jw_lit(w, ",\"content\":");
        jw_str(w, stanza, s.len);
        jw_lit(w, ",\"message\":\"");
        jw_lit(w, !has_current ? "rendered" : changed ? "stanza differs from the current content" : "stanza is up to date");
        jw_lit(w, "\"}");
        log_begin(changed ? "info" : "debug");
        sb_lit(&g_l, "logrotate_config: ");
        sb_add(&g_l, stanza, (size_t)((const char *)memchr(stanza, ' ', s.len) - stanza)); /* the path */
        sb_lit(&g_l, changed ? " changed" : " unchanged");
        return 1;
    }
    case K_SOURCE:
        if (!span_is(c->name, c->name_len, "heartbeat")) {
            msg_begin();
            sb_lit(&g_m, "Unknown log source: ");
            sb_add(&g_m, c->name, c->name_len);
            return 0;
        }
        return heartbeat(c, w);
    case K_FILTER: {
        int keep;
        if (!filter_keep(c, &keep)) return 0;
        jw_lit(w, keep ? "{\"status\":\"success\",\"keep\":true}" : "{\"status\":\"success\",\"keep\":false}");
        return 1;
    }
    case K_OUTPUT:
        if (span_is(c->name, c->name_len, "json_lines")) {
            static const char *const none[] = {NULL};
            if (!only_keys(c->config, none)) return 0;
            jw_lit(w, "{\"status\":\"success\",\"output\":\"");
            write_compact(w, c->entry, 1);
            jw_lit(w, "\"}");
            return 1;
        }
        if (span_is(c->name, c->name_len, "text")) {
            jw_lit(w, "{\"status\":\"success\",\"output\":\"");
            if (!text_line(c, w)) return 0;
            jw_lit(w, "\"}");
            return 1;
        }
        msg_begin();
        sb_lit(&g_m, "Unknown log output: ");
        sb_add(&g_m, c->name, c->name_len);
        return 0;
    }
    return fail("unreachable");
}

static const char EMPTY_OBJECT[] = "{}";

/* Checks one JSON argument: empty means {} for config; otherwise a JSON object. */
static int object_arg(const char *p, uint32_t n, const char *what, int empty_ok, jspan *out) {
    if (n == 0 && empty_ok) {
        out->p = EMPTY_OBJECT;
        out->n = 2;
        return 1;
    }
    if (!json_validate(p, n, out)) {
        msg_begin();
        sb_lit(&g_m, what);
        sb_lit(&g_m, " is not valid JSON (or not UTF-8, or nested deeper than 64 levels)");
        return 0;
    }
    if (json_type(*out) != JT_OBJECT) {
        msg_begin();
        sb_lit(&g_m, what);
        sb_lit(&g_m, " must be a JSON object");
        return 0;
    }
    return 1;
}

/* Runs a call and packs its answer (success, or the error envelope). The buffer
 * starts at a size the inputs suggest and doubles while the answer does not fit. */
static uint64_t run(kind k, const char *name, uint32_t name_len, const char *cfg, uint32_t cfg_len, const char *entry,
                    uint32_t entry_len) {
    call c;
    int ok;
    uint64_t hint = 4096 + (uint64_t)cfg_len * 2 + (uint64_t)entry_len * 6;
    size_t cap = hint > ((uint64_t)16 << 20) ? (size_t)16 << 20 : (size_t)hint;
    g_log_level = NULL;
    c.name = name;
    c.name_len = name_len;
    c.entry.p = NULL;
    c.entry.n = 0;
    ok = (utf8_valid(name, name_len) || fail("name is not valid UTF-8")) && object_arg(cfg, cfg_len, "config", 1, &c.config) &&
         (k == K_TASK || k == K_SOURCE || object_arg(entry, entry_len, "entry", 0, &c.entry));
    for (;;) {
        char *buf = malloc(cap);
        if (!buf) return NO_RESULT;
        jw w = {buf, 0, cap, 0};
        if (ok && answer(k, &c, &w) && !w.overflow) {
            if (g_log_level) host_log(g_log_level, (uint32_t)strlen(g_log_level), g_log, (uint32_t)g_l.len);
            return pack(buf, w.len);
        }
        if (!w.overflow || !ok) {
            /* g_msg holds the failure: answer the error envelope, in a buffer
             * large enough for the message with every byte escaped */
            free(buf);
            size_t need = g_m.len * 6 + 64;
            buf = malloc(need);
            if (!buf) return NO_RESULT;
            jw e = {buf, 0, need, 0};
            jw_lit(&e, "{\"status\":\"error\",\"message\":");
            jw_str(&e, g_msg, g_m.len);
            jw_lit(&e, "}");
            char line[1200];
            jw l = {line, 0, sizeof line, 0};
            sb_lit(&l, EXPORT_NAMES[k]);
            sb_lit(&l, ": ");
            sb_add(&l, g_msg, g_m.len);
            host_log("warn", 4, line, (uint32_t)l.len);
            return pack(buf, e.len);
        }
        free(buf);
        if (cap >= ((size_t)16 << 20)) {
            ok = fail("the answer is larger than 16 MiB");
            cap = 4096;
        } else {
            cap *= 2;
        }
    }
}

EXPORT("execute_task")
uint64_t execute_task(const char *name, uint32_t name_len, const char *config, uint32_t config_len) {
    return run(K_TASK, name, name_len, config, config_len, NULL, 0);
}

EXPORT("execute_log_source")
uint64_t execute_log_source(const char *name, uint32_t name_len, const char *config, uint32_t config_len) {
    return run(K_SOURCE, name, name_len, config, config_len, NULL, 0);
}

EXPORT("execute_log_filter")
uint64_t execute_log_filter(const char *name, uint32_t name_len, const char *config, uint32_t config_len,
                            const char *entry, uint32_t entry_len) {
    return run(K_FILTER, name, name_len, config, config_len, entry, entry_len);
}

EXPORT("execute_log_output")
uint64_t execute_log_output(const char *name, uint32_t name_len, const char *config, uint32_t config_len,
                            const char *entry, uint32_t entry_len) {
    return run(K_OUTPUT, name, name_len, config, config_len, entry, entry_len);
}
