/*
 * logkit: a Driftless plugin in C over the plain (ptr, len) convention, built on the C bindings generated from
 * Airlock.Contracts.Driftless.IDriftlessPackedPlugin (bindings/driftlesspacked.h). The bindings export alloc and
 * dealloc, read each argument (the name as UTF-8, the configuration as JSON, the log entry as a typed
 * DriftlessLogEntry), call the functions below, and write their typed results as {"status":"success",...} or
 * {"status":"error","code","message","retryable"}. What is left here is the plugin: what it registers, how it
 * checks each configuration, and what its task, log source, filters and outputs do.
 *
 * It registers a task (logrotate_config), a log source (heartbeat), two log filters (level_at_least, contains) and
 * two log outputs (json_lines, text). It exports no facts, template or log parser registry.
 */
#include <stdint.h>
#include <string.h>

#include "driftlesspacked.h"

/* The registries and executions this module exports (the others are left out, so the host sees none). */
DRIFTLESSPACKED_EXPORT_GET_TASK_DEFINITIONS
DRIFTLESSPACKED_EXPORT_GET_LOG_SOURCES
DRIFTLESSPACKED_EXPORT_GET_LOG_FILTERS
DRIFTLESSPACKED_EXPORT_GET_LOG_OUTPUTS
DRIFTLESSPACKED_EXPORT_EXECUTE_TASK
DRIFTLESSPACKED_EXPORT_EXECUTE_LOG_SOURCE
DRIFTLESSPACKED_EXPORT_EXECUTE_LOG_FILTER
DRIFTLESSPACKED_EXPORT_EXECUTE_LOG_OUTPUT

/* ---- text built in the call's arena ---------------------------------------------------------------------------- */

typedef struct {
    airlock_ctx *ctx;
    char *p;
    size_t len, cap;
} text;

static void t_add(text *t, const char *s, size_t n) {
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 64;
        while (cap < t->len + n + 1) cap *= 2;
        char *grown = (char *)airlock_alloc(t->ctx, cap);
        if (t->len) memcpy(grown, t->p, t->len);
        t->p = grown;
        t->cap = cap;
    }
    if (n) memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

static void t_lit(text *t, const char *s) { t_add(t, s, strlen(s)); }
static void t_str(text *t, airlock_str s) { t_add(t, s.ptr ? s.ptr : "", s.len); }

static void t_int(text *t, int64_t v) {
    char digits[24];
    int n = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do digits[n++] = (char)('0' + u % 10u); while (u /= 10u);
    if (v < 0) t_lit(t, "-");
    while (n) t_add(t, &digits[--n], 1);
}

static airlock_str t_done(text *t) {
    if (!t->p) t_add(t, "", 0);
    airlock_str s = {t->p, (uint32_t)t->len};
    return s;
}

static bool str_is(airlock_str s, const char *lit) { return s.ptr && s.len == strlen(lit) && memcmp(s.ptr, lit, s.len) == 0; }

/* ---- failures and the log line ---------------------------------------------------------------------------------- */

/* The export running, for the warn line logged with each failure ("execute_task: config.rotate must be ..."). */
static const char *g_export;

/* Logs the failure at warn and answers it as the call's typed error. */
static bool fail(airlock_ctx *ctx, const char *code, airlock_str message) {
    text line = {ctx, NULL, 0, 0};
    t_lit(&line, g_export);
    t_lit(&line, ": ");
    t_str(&line, message);
    driftlesspacked_host_log(airlock_str_of("warn"), t_done(&line));
    return airlock_fail(ctx, code, message.ptr);
}

/* "config.<key> <rest>": a configuration the plugin will not run with. */
static bool bad_key(airlock_ctx *ctx, airlock_str key, const char *rest) {
    text t = {ctx, NULL, 0, 0};
    t_lit(&t, "config.");
    t_str(&t, key);
    t_lit(&t, " ");
    t_lit(&t, rest);
    return fail(ctx, "invalid_config", t_done(&t));
}

static bool unknown(airlock_ctx *ctx, const char *what, airlock_str name) {
    text t = {ctx, NULL, 0, 0};
    t_lit(&t, what);
    t_str(&t, name);
    return fail(ctx, "unknown_component", t_done(&t));
}

static void log_line(const char *level, text *line) { driftlesspacked_host_log(airlock_str_of(level), t_done(line)); }

/* ---- reading configuration: the host validated it against the schema; the plugin checks it again itself ----------- */

/* A configuration that is an object holding only the allowed keys, each once. */
static bool only_keys(airlock_ctx *ctx, airlock_json config, const char *const *allowed) {
    if (airlock_json_kind_of(config) != AIRLOCK_JSON_OBJECT) return fail(ctx, "invalid_config", airlock_str_of("config must be a JSON object"));
    uint32_t pos = 0;
    airlock_str key;
    airlock_json value;
    while (airlock_json_next_member(ctx, config, &pos, &key, &value)) {
        bool known = false;
        for (const char *const *a = allowed; *a; a++) known = known || str_is(key, *a);
        if (!known) return bad_key(ctx, key, "is not a known setting");
        uint32_t earlier = 0;
        airlock_str other;
        while (airlock_json_next_member(ctx, config, &earlier, &other, &value) && earlier < pos) {
            if (str_is(other, key.ptr)) return bad_key(ctx, key, "occurs more than once");
        }
    }
    return true;
}

/* A member that is present and not null. */
static bool member(airlock_ctx *ctx, airlock_json config, const char *key, airlock_json *out) {
    return airlock_json_get(ctx, config, key, out) && airlock_json_kind_of(*out) != AIRLOCK_JSON_NULL;
}

/* 1 present, 0 absent (or null), -1 failed (the error is set). */
static int get_str(airlock_ctx *ctx, airlock_json config, const char *key, bool required, airlock_str *out) {
    airlock_json v;
    if (!member(ctx, config, key, &v)) {
        if (!required) return 0;
        bad_key(ctx, airlock_str_of(key), "is required");
        return -1;
    }
    if (airlock_json_as_str(ctx, v, out)) return 1;
    bad_key(ctx, airlock_str_of(key), "must be a string");
    return -1;
}

static bool get_bool(airlock_ctx *ctx, airlock_json config, const char *key, bool dflt, bool *out) {
    airlock_json v;
    *out = dflt;
    if (!member(ctx, config, key, &v)) return true;
    return airlock_json_as_bool(v, out) || bad_key(ctx, airlock_str_of(key), "must be a boolean");
}

static bool get_int(airlock_ctx *ctx, airlock_json config, const char *key, int64_t dflt, int64_t lo, int64_t hi, int64_t *out) {
    airlock_json v;
    *out = dflt;
    if (!member(ctx, config, key, &v)) return true;
    if (airlock_json_as_int64(v, out) && *out >= lo && *out <= hi) return true;
    text rest = {ctx, NULL, 0, 0};
    t_lit(&rest, "must be an integer from ");
    t_int(&rest, lo);
    t_lit(&rest, " to ");
    t_int(&rest, hi);
    return bad_key(ctx, airlock_str_of(key), rest.p);
}

/* Index of s in the NULL-terminated words, or -1. */
static int word_index(airlock_str s, const char *const *words) {
    for (int i = 0; words[i]; i++) {
        if (str_is(s, words[i])) return i;
    }
    return -1;
}

/* ---- levels ---------------------------------------------------------------------------------------------------- */

static const char *const LEVELS[] = {"debug", "info", "warn", "error", NULL};

/* Rank of a level word: debug 0, info 1, warn 2, error 3 (common spellings included, case-insensitive), or -1. */
static int level_rank(airlock_str s) {
    static const struct {
        const char *word;
        int rank;
    } table[] = {
        {"debug", 0}, {"trace", 0}, {"verbose", 0}, {"info", 1}, {"information", 1}, {"notice", 1},
        {"warn", 2},  {"warning", 2}, {"error", 3}, {"err", 3},  {"fatal", 3},       {"crit", 3},
        {"critical", 3}, {"alert", 3}, {"emerg", 3}, {"panic", 3},
    };
    char lower[16];
    if (!s.ptr || s.len >= sizeof lower) return -1;
    for (size_t i = 0; i < s.len; i++) lower[i] = s.ptr[i] >= 'A' && s.ptr[i] <= 'Z' ? (char)(s.ptr[i] - 'A' + 'a') : s.ptr[i];
    airlock_str l = {lower, s.len};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (str_is(l, table[i].word)) return table[i].rank;
    }
    return -1;
}

/* ---- registries ------------------------------------------------------------------------------------------------ */

typedef struct {
    const char *name, *type, *description, *schema;
} definition;

static const definition TASKS[] = {
    {"logrotate_config", "apply",
     "Renders the logrotate stanza for one log file; changed compares it with the current content when given.",
     "{\"type\":\"object\",\"properties\":{"
     "\"path\":{\"type\":\"string\",\"pattern\":\"^/[^\\\\s\\\"'{}]*$\",\"description\":\"absolute path of the log file (a glob is allowed)\"},"
     "\"frequency\":{\"enum\":[\"daily\",\"weekly\",\"monthly\",\"yearly\"],\"default\":\"weekly\"},"
     "\"rotate\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":1000,\"default\":4},"
     "\"max_size\":{\"type\":\"string\",\"pattern\":\"^[1-9][0-9]{0,8}[kMG]?$\"},"
     "\"compress\":{\"type\":\"boolean\",\"default\":true},"
     "\"missing_ok\":{\"type\":\"boolean\",\"default\":true},"
     "\"not_if_empty\":{\"type\":\"boolean\",\"default\":true},"
     "\"copy_truncate\":{\"type\":\"boolean\",\"default\":false},"
     "\"current\":{\"type\":\"string\",\"description\":\"the stanza's current content\"}},"
     "\"required\":[\"path\"],\"additionalProperties\":false}"},
};

static const definition SOURCES[] = {
    {"heartbeat", NULL,
     "Synthetic logfmt lines (ts, level, msg, service, seq), one per interval, the last stamped with the host's time; for trying a pipeline out.",
     "{\"type\":\"object\",\"properties\":{"
     "\"service\":{\"type\":\"string\",\"pattern\":\"^[A-Za-z0-9_.-]{1,64}$\"},"
     "\"count\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":1000,\"default\":3},"
     "\"interval_secs\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":86400,\"default\":60},"
     "\"levels\":{\"type\":\"array\",\"items\":{\"enum\":[\"debug\",\"info\",\"warn\",\"error\"]},\"minItems\":1,\"maxItems\":16,\"default\":[\"info\"]}},"
     "\"required\":[\"service\"],\"additionalProperties\":false}"},
};

static const definition FILTERS[] = {
    {"level_at_least", NULL, "Keeps entries whose level is at least min_level (debug < info < warn < error).",
     "{\"type\":\"object\",\"properties\":{"
     "\"min_level\":{\"enum\":[\"debug\",\"info\",\"warn\",\"error\"]},"
     "\"keep_unknown\":{\"type\":\"boolean\",\"default\":true,\"description\":\"keep entries without a recognised level\"}},"
     "\"required\":[\"min_level\"],\"additionalProperties\":false}"},
    {"contains", NULL,
     "Keeps entries whose field contains the text (message, level, timestamp or a member of fields); negate drops them instead.",
     "{\"type\":\"object\",\"properties\":{"
     "\"field\":{\"type\":\"string\",\"minLength\":1,\"default\":\"message\"},"
     "\"text\":{\"type\":\"string\",\"minLength\":1},"
     "\"negate\":{\"type\":\"boolean\",\"default\":false}},"
     "\"required\":[\"text\"],\"additionalProperties\":false}"},
};

static const definition OUTPUTS[] = {
    {"json_lines", NULL, "The entry as one line of compact JSON.",
     "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}"},
    {"text", NULL, "timestamp LEVEL message key=value..., the way a terminal shows logs.",
     "{\"type\":\"object\",\"properties\":{\"include_fields\":{\"type\":\"boolean\",\"default\":true}},\"additionalProperties\":false}"},
};

static bool registry(airlock_ctx *ctx, const definition *defs, uint32_t n, driftlesspacked_driftless_definition_list_t *out) {
    out->items = (driftlesspacked_driftless_definition_t *)airlock_alloc(ctx, n * sizeof *out->items);
    out->count = n;
    for (uint32_t i = 0; i < n; i++) {
        driftlesspacked_driftless_definition_t *d = &out->items[i];
        d->name = airlock_str_of(defs[i].name);
        if (defs[i].type) d->type = airlock_str_of(defs[i].type);
        d->description = airlock_str_of(defs[i].description);
        d->config_schema.ptr = defs[i].schema;
        d->config_schema.len = (uint32_t)strlen(defs[i].schema);
    }
    return true;
}

#define COUNT(a) (uint32_t)(sizeof a / sizeof a[0])

bool driftlesspacked_get_task_definitions(airlock_ctx *ctx, driftlesspacked_driftless_definition_list_t *out) {
    return registry(ctx, TASKS, COUNT(TASKS), out);
}

bool driftlesspacked_get_log_sources(airlock_ctx *ctx, driftlesspacked_driftless_definition_list_t *out) {
    return registry(ctx, SOURCES, COUNT(SOURCES), out);
}

bool driftlesspacked_get_log_filters(airlock_ctx *ctx, driftlesspacked_driftless_definition_list_t *out) {
    return registry(ctx, FILTERS, COUNT(FILTERS), out);
}

bool driftlesspacked_get_log_outputs(airlock_ctx *ctx, driftlesspacked_driftless_definition_list_t *out) {
    return registry(ctx, OUTPUTS, COUNT(OUTPUTS), out);
}

/* ---- the task: logrotate_config ---------------------------------------------------------------------------------- */

bool driftlesspacked_execute_task(airlock_ctx *ctx, airlock_str name, airlock_json config, driftlesspacked_driftless_task_result_t *out) {
    static const char *const keys[] = {"path", "frequency", "rotate", "max_size", "compress", "missing_ok",
                                       "not_if_empty", "copy_truncate", "current", NULL};
    static const char *const freqs[] = {"daily", "weekly", "monthly", "yearly", NULL};
    airlock_str path, freq, max_size, current;
    int64_t rotate;
    bool compress, missing_ok, not_if_empty, copy_truncate;
    g_export = "execute_task";
    if (!str_is(name, "logrotate_config")) return unknown(ctx, "Unknown task: ", name);
    if (!only_keys(ctx, config, keys)) return false;
    if (get_str(ctx, config, "path", true, &path) < 1) return false;
    int has_current = get_str(ctx, config, "current", false, &current);
    if (has_current < 0) return false;
    /* absolute, printable, no spaces, quotes or braces: it goes into the stanza as it is */
    bool path_ok = path.len > 0 && path.ptr[0] == '/';
    for (uint32_t i = 0; path_ok && i < path.len; i++) {
        unsigned char c = (unsigned char)path.ptr[i];
        path_ok = c > ' ' && c != '"' && c != '\'' && c != '{' && c != '}' && c != 0x7F;
    }
    if (!path_ok) return bad_key(ctx, airlock_str_of("path"), "must be an absolute path without spaces, quotes or braces");
    int r = get_str(ctx, config, "frequency", false, &freq);
    if (r < 0) return false;
    int fi = r == 0 ? 1 : word_index(freq, freqs);
    if (fi < 0) return bad_key(ctx, airlock_str_of("frequency"), "must be daily, weekly, monthly or yearly");
    if (!get_int(ctx, config, "rotate", 4, 0, 1000, &rotate)) return false;
    int has_size = get_str(ctx, config, "max_size", false, &max_size);
    if (has_size < 0) return false;
    if (has_size) {
        /* 1 to 9 digits (no leading zero), then an optional k, M or G */
        uint32_t digits = 0;
        while (digits < max_size.len && max_size.ptr[digits] >= '0' && max_size.ptr[digits] <= '9') digits++;
        bool unit = digits < max_size.len && strchr("kMG", max_size.ptr[digits]) && max_size.ptr[digits] != '\0';
        if (digits == 0 || digits > 9 || max_size.ptr[0] == '0' || digits + unit != max_size.len)
            return bad_key(ctx, airlock_str_of("max_size"), "must be a size such as 100k, 20M or 1G");
    }
    if (!get_bool(ctx, config, "compress", true, &compress) || !get_bool(ctx, config, "missing_ok", true, &missing_ok) ||
        !get_bool(ctx, config, "not_if_empty", true, &not_if_empty) || !get_bool(ctx, config, "copy_truncate", false, &copy_truncate))
        return false;

    text s = {ctx, NULL, 0, 0};
    t_str(&s, path);
    t_lit(&s, " {\n    ");
    t_lit(&s, freqs[fi]);
    t_lit(&s, "\n    rotate ");
    t_int(&s, rotate);
    t_lit(&s, "\n");
    if (has_size) {
        t_lit(&s, "    maxsize ");
        t_str(&s, max_size);
        t_lit(&s, "\n");
    }
    if (compress) t_lit(&s, "    compress\n    delaycompress\n");
    if (missing_ok) t_lit(&s, "    missingok\n");
    if (not_if_empty) t_lit(&s, "    notifempty\n");
    if (copy_truncate) t_lit(&s, "    copytruncate\n");
    t_lit(&s, "}\n");
    airlock_str stanza = t_done(&s);

    bool changed = !has_current || current.len != stanza.len || memcmp(current.ptr, stanza.ptr, stanza.len) != 0;
    out->has_changed = true;
    out->changed = changed;
    out->message = airlock_str_of(!has_current ? "rendered" : changed ? "stanza differs from the current content" : "stanza is up to date");
    /* content is not a member the contract names: it goes with the task's other result members */
    airlock_jb b = {0};
    airlock_jb_begin_object(&b);
    airlock_jb_key(&b, "content");
    airlock_jb_str(&b, stanza);
    airlock_jb_end_object(&b);
    if (!airlock_jb_finish(ctx, &b, &out->extension_data)) return airlock_fail(ctx, "invalid_result", "the stanza could not be written");

    text line = {ctx, NULL, 0, 0};
    t_lit(&line, "logrotate_config: ");
    t_str(&line, path);
    t_lit(&line, changed ? " changed" : " unchanged");
    log_line(changed ? "info" : "debug", &line);
    return true;
}

/* ---- the log source: heartbeat ----------------------------------------------------------------------------------- */

/* YYYY-MM-DDThh:mm:ssZ of a Unix time (Howard Hinnant's civil_from_days). */
static void t_rfc3339(text *t, uint64_t unix) {
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
    t_int(t, parts[0]);
    t_add(t, &seps[0], 1);
    for (int i = 1; i < 6; i++) {
        char two[2] = {(char)('0' + parts[i] / 10 % 10), (char)('0' + parts[i] % 10)};
        t_add(t, two, 2);
        t_add(t, &seps[i], 1);
    }
}

bool driftlesspacked_execute_log_source(airlock_ctx *ctx, airlock_str name, airlock_json config, driftlesspacked_driftless_log_source_result_t *out) {
    static const char *const keys[] = {"service", "count", "interval_secs", "levels", NULL};
    airlock_str service;
    airlock_json levels, item;
    int64_t count, interval;
    const char *level_words[16];
    uint32_t nlevels = 0;
    g_export = "execute_log_source";
    if (!str_is(name, "heartbeat")) return unknown(ctx, "Unknown log source: ", name);
    if (!only_keys(ctx, config, keys)) return false;
    if (get_str(ctx, config, "service", true, &service) < 1) return false;
    bool service_ok = service.len >= 1 && service.len <= 64;
    for (uint32_t i = 0; service_ok && i < service.len; i++) {
        char ch = service.ptr[i];
        service_ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-';
    }
    if (!service_ok) return bad_key(ctx, airlock_str_of("service"), "must be 1 to 64 characters of A-Z, a-z, 0-9, _, . or -");
    if (!get_int(ctx, config, "count", 3, 1, 1000, &count)) return false;
    if (!get_int(ctx, config, "interval_secs", 60, 1, 86400, &interval)) return false;
    if (!member(ctx, config, "levels", &levels)) {
        level_words[nlevels++] = "info";
    } else {
        if (airlock_json_kind_of(levels) != AIRLOCK_JSON_ARRAY) return bad_key(ctx, airlock_str_of("levels"), "must be an array of level words");
        uint32_t pos = 0;
        while (airlock_json_next_item(levels, &pos, &item)) {
            airlock_str word;
            int li = airlock_json_as_str(ctx, item, &word) ? word_index(word, LEVELS) : -1;
            if (li < 0) return bad_key(ctx, airlock_str_of("levels"), "may only hold debug, info, warn or error");
            if (nlevels == 16) return bad_key(ctx, airlock_str_of("levels"), "may hold at most 16 words");
            level_words[nlevels++] = LEVELS[li];
        }
        if (nlevels == 0) return bad_key(ctx, airlock_str_of("levels"), "must not be empty");
    }

    uint64_t now = (uint64_t)driftlesspacked_host_get_timestamp();
    uint64_t span = (uint64_t)(count - 1) * (uint64_t)interval;
    uint64_t start = now > span ? now - span : 0;
    out->lines.items = (airlock_str *)airlock_alloc(ctx, (size_t)count * sizeof(airlock_str));
    out->lines.count = (uint32_t)count;
    for (int64_t i = 0; i < count; i++) {
        /* ts=... level=... msg="heartbeat i/n" service=... seq=i */
        text l = {ctx, NULL, 0, 0};
        t_lit(&l, "ts=");
        t_rfc3339(&l, start + (uint64_t)i * (uint64_t)interval);
        t_lit(&l, " level=");
        t_lit(&l, level_words[(size_t)i % nlevels]);
        t_lit(&l, " msg=\"heartbeat ");
        t_int(&l, i + 1);
        t_lit(&l, "/");
        t_int(&l, count);
        t_lit(&l, "\" service=");
        t_str(&l, service);
        t_lit(&l, " seq=");
        t_int(&l, i + 1);
        out->lines.items[i] = t_done(&l);
    }
    text line = {ctx, NULL, 0, 0};
    t_lit(&line, "heartbeat: ");
    t_int(&line, count);
    t_lit(&line, " line(s)");
    log_line("debug", &line);
    return true;
}

/* ---- the log filters ----------------------------------------------------------------------------------------------- */

/* The entry's field as text: message, level or timestamp at the top, else a string member of fields. */
static bool entry_field(airlock_ctx *ctx, const driftlesspacked_driftless_log_entry_t *entry, airlock_str name, airlock_str *out) {
    airlock_json v;
    if (str_is(name, "message")) *out = entry->message;
    else if (str_is(name, "level")) *out = entry->level;
    else if (str_is(name, "timestamp")) *out = entry->timestamp;
    else return strlen(name.ptr) == name.len && airlock_json_get(ctx, entry->fields, name.ptr, &v) && airlock_json_as_str(ctx, v, out);
    return out->ptr != NULL;
}

static bool contains(airlock_str hay, airlock_str needle) {
    for (size_t i = 0; i + needle.len <= hay.len; i++) {
        if (memcmp(hay.ptr + i, needle.ptr, needle.len) == 0) return true;
    }
    return false;
}

bool driftlesspacked_execute_log_filter(airlock_ctx *ctx, airlock_str name, airlock_json config, const driftlesspacked_driftless_log_entry_t *entry,
                                        driftlesspacked_driftless_log_filter_result_t *out) {
    g_export = "execute_log_filter";
    if (str_is(name, "level_at_least")) {
        static const char *const keys[] = {"min_level", "keep_unknown", NULL};
        airlock_str min;
        bool keep_unknown;
        if (!only_keys(ctx, config, keys)) return false;
        if (get_str(ctx, config, "min_level", true, &min) < 1) return false;
        int want = word_index(min, LEVELS);
        if (want < 0) return bad_key(ctx, airlock_str_of("min_level"), "must be debug, info, warn or error");
        if (!get_bool(ctx, config, "keep_unknown", true, &keep_unknown)) return false;
        int have = level_rank(entry->level);
        out->keep = have < 0 ? keep_unknown : have >= want;
        return true;
    }
    if (str_is(name, "contains")) {
        static const char *const keys[] = {"field", "text", "negate", NULL};
        airlock_str field = airlock_str_of("message"), needle, value;
        bool negate;
        if (!only_keys(ctx, config, keys)) return false;
        if (get_str(ctx, config, "field", false, &field) < 0) return false;
        if (get_str(ctx, config, "text", true, &needle) < 1) return false;
        if (!get_bool(ctx, config, "negate", false, &negate)) return false;
        bool found = entry_field(ctx, entry, field, &value) && contains(value, needle);
        out->keep = negate ? !found : found;
        return true;
    }
    return unknown(ctx, "Unknown log filter: ", name);
}

/* ---- the log outputs ----------------------------------------------------------------------------------------------- */

/* Valid JSON text without the whitespace between its tokens (strings are copied as they are). */
static airlock_str compact(airlock_ctx *ctx, airlock_json v) {
    text t = {ctx, NULL, 0, 0};
    const char *p = v.ptr, *e = v.ptr + v.len;
    while (p < e) {
        if (*p == '"') {
            const char *s = p++;
            while (*p != '"') p += *p == '\\' ? 2 : 1;
            p++;
            t_add(&t, s, (size_t)(p - s));
        } else {
            if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') t_add(&t, p, 1);
            p++;
        }
    }
    return t_done(&t);
}

/* A field value of the text output: as it is, or logfmt-quoted ("x y", with \" and \\ inside) when it is empty or
 * holds a space, a tab, '=' or '"'. */
static void t_field_value(text *t, airlock_str s) {
    bool quote = s.len == 0;
    for (uint32_t i = 0; i < s.len; i++) quote = quote || s.ptr[i] == ' ' || s.ptr[i] == '=' || s.ptr[i] == '"' || s.ptr[i] == '\t';
    if (!quote) {
        t_str(t, s);
        return;
    }
    t_lit(t, "\"");
    for (uint32_t i = 0; i < s.len; i++) {
        if (s.ptr[i] == '"' || s.ptr[i] == '\\') t_lit(t, "\\");
        t_add(t, &s.ptr[i], 1);
    }
    t_lit(t, "\"");
}

/* text: `timestamp LEVEL message key=value ...`. */
static bool text_line(airlock_ctx *ctx, airlock_json config, const driftlesspacked_driftless_log_entry_t *entry, airlock_str *out) {
    static const char *const keys[] = {"include_fields", NULL};
    static const char *const SHOWN[] = {"DEBUG", "INFO", "WARN", "ERROR"};
    bool include_fields;
    if (!only_keys(ctx, config, keys)) return false;
    if (!get_bool(ctx, config, "include_fields", true, &include_fields)) return false;
    text t = {ctx, NULL, 0, 0};
    if (entry->timestamp.ptr) t_str(&t, entry->timestamp);
    else t_lit(&t, "-");
    t_lit(&t, " ");
    char word[8] = "-";
    size_t wn = 1;
    if (entry->level.ptr) {
        int rank = level_rank(entry->level);
        if (rank >= 0) {
            wn = strlen(SHOWN[rank]);
            memcpy(word, SHOWN[rank], wn);
        } else {
            /* an unknown word: its first five bytes (cut at a UTF-8 boundary), upper-cased */
            wn = entry->level.len < 5 ? entry->level.len : 5;
            while (wn > 0 && wn < entry->level.len && ((unsigned char)entry->level.ptr[wn] & 0xC0) == 0x80) wn--;
            for (size_t i = 0; i < wn; i++) {
                char c = entry->level.ptr[i];
                word[i] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
            }
        }
    }
    t_add(&t, word, wn);
    for (size_t i = wn; i < 5; i++) t_lit(&t, " ");
    t_lit(&t, " ");
    t_str(&t, entry->message);
    if (include_fields && airlock_json_kind_of(entry->fields) == AIRLOCK_JSON_OBJECT) {
        uint32_t pos = 0;
        airlock_str key, s;
        airlock_json value;
        while (airlock_json_next_member(ctx, entry->fields, &pos, &key, &value)) {
            t_lit(&t, " ");
            t_str(&t, key);
            t_lit(&t, "=");
            if (airlock_json_as_str(ctx, value, &s)) t_field_value(&t, s);
            else t_str(&t, compact(ctx, value)); /* numbers, booleans, null, arrays, objects: their JSON text */
        }
    }
    *out = t_done(&t);
    return true;
}

bool driftlesspacked_execute_log_output(airlock_ctx *ctx, airlock_str name, airlock_json config, const driftlesspacked_driftless_log_entry_t *entry,
                                        driftlesspacked_driftless_log_output_result_t *out) {
    g_export = "execute_log_output";
    if (str_is(name, "json_lines")) {
        static const char *const none[] = {NULL};
        if (!only_keys(ctx, config, none)) return false;
        airlock_jb b = {0};
        airlock_jb_begin_object(&b);
        airlock_jb_key(&b, "message");
        airlock_jb_str(&b, entry->message);
        if (entry->timestamp.ptr) {
            airlock_jb_key(&b, "timestamp");
            airlock_jb_str(&b, entry->timestamp);
        }
        if (entry->level.ptr) {
            airlock_jb_key(&b, "level");
            airlock_jb_str(&b, entry->level);
        }
        if (entry->fields.ptr) {
            airlock_str fields = compact(ctx, entry->fields);
            airlock_json j = {fields.ptr, fields.len};
            airlock_jb_key(&b, "fields");
            airlock_jb_json(&b, j);
        }
        airlock_jb_end_object(&b);
        airlock_json line;
        if (!airlock_jb_finish(ctx, &b, &line)) return airlock_fail(ctx, "invalid_result", "the entry could not be written");
        out->output.ptr = line.ptr;
        out->output.len = line.len;
        return true;
    }
    if (str_is(name, "text")) return text_line(ctx, config, entry, &out->output);
    return unknown(ctx, "Unknown log output: ", name);
}
