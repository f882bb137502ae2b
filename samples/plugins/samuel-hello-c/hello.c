/*
 * samuel-hello: a minimal Samuel WASM-tier plugin in C (clang 14, wasi-libc, reactor) following
 * the Samuel convention (docs/samuel.md): exports memory, malloc, free, _initialize, and
 * greet/probe as (ptr: i32, len: i32) -> i64 functions answering a malloc'd JSON buffer packed as
 * (ptr << 32) | len, which the host frees with free(ptr).
 *
 * greet answers a greeting. probe exercises one capability per call (environment, files, sleep,
 * logging, the soft deadline, the network, a trap, stdout) so that the host's tests can check what
 * the sandbox allows and refuses. Input is read with the shared strict JSON reader
 * (../lesstruct-json); anything it cannot read is answered with an error object, never guessed at.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"

/* ---- host functions, import module "samuel" ------------------------------------------------- */

__attribute__((import_module("samuel"), import_name("log")))
void samuel_log(int32_t level, const char *msg, size_t len);

__attribute__((import_module("samuel"), import_name("net_outbound")))
int64_t samuel_net_outbound(const char *req, size_t len);

__attribute__((import_module("samuel"), import_name("soft_deadline_ms")))
int64_t samuel_soft_deadline_ms(void);

extern char **environ;

/* ---- a growing JSON writer ------------------------------------------------------------------ */

/* The shared writer (jw) never grows; these make room before each write. The buffer is malloc'd
 * and becomes the call's result as it is. */
static int reserve(jw *w, size_t more) {
    if (w->overflow) return 0;
    if (w->cap - w->len >= more) return 1;
    size_t cap = w->cap ? w->cap : 256;
    while (cap - w->len < more) {
        if (cap > SIZE_MAX / 4) {
            w->overflow = 1;
            return 0;
        }
        cap *= 2;
    }
    char *grown = realloc(w->buf, cap);
    if (!grown) {
        w->overflow = 1;
        return 0;
    }
    w->buf = grown;
    w->cap = cap;
    return 1;
}

static void put(jw *w, const char *lit) {
    if (reserve(w, strlen(lit))) jw_lit(w, lit);
}

static void put_raw(jw *w, const char *s, size_t n) {
    if (reserve(w, n)) jw_raw(w, s, n);
}

static void put_int(jw *w, int64_t v) {
    if (reserve(w, 24)) jw_i64(w, v);
}

/* A quoted string from bytes that are UTF-8 (decoded JSON input). */
static void put_str(jw *w, const char *s, size_t n) {
    if (n > (SIZE_MAX - 8) / 6) {
        w->overflow = 1;
        return;
    }
    if (reserve(w, 6 * n + 2)) jw_str(w, s, n);
}

/* A quoted string from bytes of unknown encoding (file names, the environment, strerror). */
static void put_text(jw *w, const char *s, size_t n) {
    if (n > (SIZE_MAX - 8) / 6) {
        w->overflow = 1;
        return;
    }
    if (!reserve(w, 6 * n + 2)) return;
    jw_raw(w, "\"", 1);
    jw_esc_lossy(w, s, n);
    jw_raw(w, "\"", 1);
}

/* Hands the writer's buffer to the host. Running out of memory for the answer is a trap: no
 * answer would be honest. */
static int64_t finish(jw *w) {
    if (w->overflow || w->len == 0) __builtin_trap();
    return (int64_t)(((uint64_t)(uintptr_t)w->buf << 32) | (uint64_t)w->len);
}

static int64_t error_result(const char *code, const char *message) {
    jw w = {0};
    put(&w, "{\"error\":{\"code\":");
    put_str(&w, code, strlen(code));
    put(&w, ",\"message\":");
    put_str(&w, message, strlen(message));
    put(&w, "}}");
    return finish(&w);
}

/* {"ok":false,"errno":n,"strerror":"..."} for a failed call that set errno. The text is not under a top-level
 * "error": by the Samuel convention that member makes the whole answer a failure, and this is an answer. */
static int64_t errno_result(const char *first, int err) {
    jw w = {0};
    const char *text = strerror(err);
    put(&w, "{");
    put(&w, first);
    put(&w, ":false,\"errno\":");
    put_int(&w, err);
    put(&w, ",\"strerror\":");
    put_text(&w, text, strlen(text));
    put(&w, "}");
    return finish(&w);
}

/* An object whose last member is one integer: int_result("\"logged\":", 3) is {"logged":3}. */
static int64_t int_result(const char *members, int64_t value) {
    jw w = {0};
    put(&w, "{");
    put(&w, members);
    put_int(&w, value);
    put(&w, "}");
    return finish(&w);
}

/* {"ok":true,"bytes":n}, or the errno answer when err is set. */
static int64_t bytes_result(int err, int64_t n) {
    if (err) return errno_result("\"ok\"", err);
    return int_result("\"ok\":true,\"bytes\":", n);
}

/* ---- reading the input ---------------------------------------------------------------------- */

/* Validates the input as a JSON object. */
static int read_object(const char *ptr, size_t len, jspan *root) {
    return json_validate(ptr, len, root) && json_type(*root) == JT_OBJECT;
}

/* The string member `key`, decoded into a new NUL-terminated buffer (free it). Returns NULL and
 * sets *why when it is absent, given twice or not a string. */
static char *get_string(jspan obj, const char *key, size_t *len, const char **why) {
    jspan v;
    int found = json_get(obj, key, strlen(key), &v);
    if (found == 0 || (found == 1 && json_type(v) != JT_STRING)) {
        *why = "must be a string";
        return NULL;
    }
    if (found < 0) {
        *why = "is given more than once";
        return NULL;
    }
    char *out = malloc(v.n + 1); /* decoding never makes a string longer than its JSON text */
    if (!out) __builtin_trap();
    int complete;
    *len = json_str_decode(v, out, v.n, &complete);
    out[*len] = '\0';
    return out;
}

/* The integer member `key` in [min, max]. */
static int get_int(jspan obj, const char *key, int64_t min, int64_t max, int64_t *out) {
    jspan v;
    return json_get(obj, key, strlen(key), &v) == 1 && json_int64(v, out) && *out >= min &&
           *out <= max;
}

static int64_t field_error(const char *key, const char *why) {
    jw w = {0};
    put(&w, "{\"error\":{\"code\":\"bad_input\",\"message\":\"\\\"");
    if (reserve(&w, 6 * strlen(key))) jw_esc(&w, key, strlen(key));
    put(&w, "\\\" ");
    if (reserve(&w, 6 * strlen(why))) jw_esc(&w, why, strlen(why));
    put(&w, "\"}}");
    return finish(&w);
}

/* A path: a string without NUL bytes. */
static char *get_path(jspan obj, int64_t *failure) {
    const char *why;
    size_t len;
    char *path = get_string(obj, "path", &len, &why);
    if (!path) {
        *failure = field_error("path", why);
        return NULL;
    }
    if (strlen(path) != len || len == 0) {
        free(path);
        *failure = field_error("path", "must be a non-empty string without NUL characters");
        return NULL;
    }
    return path;
}

/* ---- greet ---------------------------------------------------------------------------------- */

/* greet({"name": "x"}) -> {"greeting": "Hello, x!"} */
__attribute__((export_name("greet")))
int64_t greet(const char *ptr, size_t len) {
    jspan root;
    if (!read_object(ptr, len, &root)) return error_result("bad_input", "input must be a JSON object");
    const char *why;
    size_t n;
    char *name = get_string(root, "name", &n, &why);
    if (!name) return field_error("name", why);
    jw w = {0};
    put(&w, "{\"greeting\":\"Hello, ");
    if (n <= (SIZE_MAX - 8) / 6 && reserve(&w, 6 * n)) jw_esc(&w, name, n);
    put(&w, "!\"}");
    free(name);
    return finish(&w);
}

/* ---- probe ---------------------------------------------------------------------------------- */

static int64_t probe_env(void) {
    jw w = {0};
    put(&w, "{\"env\":[");
    for (char **e = environ; e && *e; e++) {
        if (e != environ) put(&w, ",");
        put_text(&w, *e, strlen(*e));
    }
    put(&w, "]}");
    return finish(&w);
}

static int64_t probe_read(jspan root) {
    int64_t failure;
    char *path = get_path(root, &failure);
    if (!path) return failure;
    FILE *f = fopen(path, "rb");
    int open_err = errno;
    free(path);
    if (!f) return errno_result("\"ok\"", open_err);
    char chunk[4096];
    int64_t total = 0;
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) total += (int64_t)got;
    int err = ferror(f) ? (errno ? errno : EIO) : 0;
    fclose(f);
    return bytes_result(err, total);
}

static int64_t probe_write(jspan root) {
    int64_t failure;
    char *path = get_path(root, &failure);
    if (!path) return failure;
    const char *text = "written by samuel-hello\n";
    size_t n = strlen(text);
    char *given = NULL;
    jspan v;
    if (json_get(root, "text", 4, &v) != 0) {
        const char *why;
        given = get_string(root, "text", &n, &why);
        if (!given) {
            free(path);
            return field_error("text", why);
        }
        text = given;
    }
    errno = 0;
    FILE *f = fopen(path, "w");
    int err = f ? 0 : errno;
    free(path);
    if (f) {
        if (fwrite(text, 1, n, f) != n) err = errno ? errno : EIO;
        if (fclose(f) != 0 && !err) err = errno ? errno : EIO;
    }
    free(given);
    return bytes_result(err, (int64_t)n);
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int64_t probe_list(jspan root) {
    int64_t failure;
    char *path = get_path(root, &failure);
    if (!path) return failure;
    DIR *dir = opendir(path);
    int open_err = errno;
    free(path);
    if (!dir) return errno_result("\"ok\"", open_err);
    char **names = NULL;
    size_t count = 0, cap = 0;
    int err = 0;
    for (;;) {
        errno = 0;
        struct dirent *entry = readdir(dir);
        if (!entry) {
            err = errno;
            break;
        }
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            names = realloc(names, cap * sizeof *names);
            if (!names) __builtin_trap();
        }
        names[count] = strdup(entry->d_name);
        if (!names[count]) __builtin_trap();
        count++;
    }
    closedir(dir);
    int64_t result;
    if (err) {
        result = errno_result("\"ok\"", err);
    } else {
        if (count) qsort(names, count, sizeof *names, by_name);
        jw w = {0};
        put(&w, "{\"ok\":true,\"names\":[");
        for (size_t i = 0; i < count; i++) {
            if (i) put(&w, ",");
            put_text(&w, names[i], strlen(names[i]));
        }
        put(&w, "]}");
        result = finish(&w);
    }
    for (size_t i = 0; i < count; i++) free(names[i]);
    free(names);
    return result;
}

static int64_t probe_sleep(jspan root) {
    int64_t ms;
    if (!get_int(root, "ms", 0, 3600000, &ms)) return field_error("ms", "must be an integer from 0 to 3600000");
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    if (nanosleep(&ts, NULL) != 0) return errno_result("\"slept\"", errno);
    jw w = {0};
    put(&w, "{\"slept\":true}");
    return finish(&w);
}

static int64_t probe_log(jspan root) {
    int64_t count;
    if (!get_int(root, "count", 0, 100000, &count)) return field_error("count", "must be an integer from 0 to 100000");
    for (int64_t i = 1; i <= count; i++) {
        char line[64];
        jw l = {line, 0, sizeof line, 0};
        jw_lit(&l, "samuel-hello probe line ");
        jw_i64(&l, i);
        jw_lit(&l, " of ");
        jw_i64(&l, count);
        samuel_log(1, l.buf, l.len);
    }
    return int_result("\"logged\":", count);
}

static int64_t probe_soft(void) {
    return int_result("\"soft_deadline_ms\":", samuel_soft_deadline_ms());
}

static const char *net_status_text(int64_t code) {
    switch (code) {
    case -2: return "permission denied";
    case -3: return "rate limited";
    case -4: return "invalid argument";
    case -5: return "too large";
    case -6: return "unavailable";
    default: return "error";
    }
}

static int64_t probe_net(jspan root) {
    const char *why;
    size_t n;
    char *url = get_string(root, "url", &n, &why);
    if (!url) return field_error("url", why);
    jw req = {0};
    put(&req, "{\"method\":\"GET\",\"url\":");
    put_str(&req, url, n);
    put(&req, "}");
    free(url);
    if (req.overflow) __builtin_trap();
    int64_t packed = samuel_net_outbound(req.buf, req.len);
    free(req.buf);

    jw w = {0};
    if (packed < 0) {
        const char *text = net_status_text(packed);
        put(&w, "{\"status\":");
        put_int(&w, packed);
        put(&w, ",\"refused\":");
        put_str(&w, text, strlen(text));
        put(&w, "}");
        return finish(&w);
    }
    /* The host allocated the answer with our malloc; it is ours to free. */
    char *answer = (char *)(uintptr_t)((uint64_t)packed >> 32);
    size_t answer_len = (size_t)((uint64_t)packed & 0xFFFFFFFFu);
    jspan ans, status_v, body;
    int64_t status;
    int ok = answer && read_object(answer, answer_len, &ans) &&
             json_get(ans, "status", 6, &status_v) == 1 && json_int64(status_v, &status);
    int has_body = ok ? json_get(ans, "body", 4, &body) : 0;
    if (ok && has_body < 0) ok = 0;
    if (ok && has_body == 1 && json_type(body) != JT_STRING && json_type(body) != JT_NULL) ok = 0;
    if (ok) {
        put(&w, "{\"status\":");
        put_int(&w, status);
        put(&w, ",\"body\":");
        /* The body is a validated JSON string (or null/absent): copied as written. */
        if (has_body == 1 && json_type(body) == JT_STRING) put_raw(&w, body.p, body.n);
        else put(&w, "\"\"");
        put(&w, "}");
    }
    free(answer);
    if (!ok) return error_result("bad_answer", "net_outbound answered something that is not {\"status\": n, \"body\": \"...\"}");
    return finish(&w);
}

static int64_t probe_stdout(jspan root) {
    const char *why;
    size_t n;
    char *text = get_string(root, "text", &n, &why);
    if (!text) return field_error("text", why);
    errno = 0;
    int err = 0;
    if (fwrite(text, 1, n, stdout) != n) err = errno ? errno : EIO;
    if (fflush(stdout) != 0 && !err) err = errno ? errno : EIO;
    free(text);
    return bytes_result(err, (int64_t)n);
}

/* probe({"op": "...", ...}): one capability per call. */
__attribute__((export_name("probe")))
int64_t probe(const char *ptr, size_t len) {
    jspan root, op;
    if (!read_object(ptr, len, &root)) return error_result("bad_input", "input must be a JSON object");
    int found = json_get(root, "op", 2, &op);
    if (found != 1 || json_type(op) != JT_STRING) return field_error("op", found < 0 ? "is given more than once" : "must be a string");
#define IS(name) json_str_eq(op, name, sizeof name - 1)
    if (IS("env")) return probe_env();
    if (IS("read")) return probe_read(root);
    if (IS("write")) return probe_write(root);
    if (IS("list")) return probe_list(root);
    if (IS("sleep")) return probe_sleep(root);
    if (IS("log")) return probe_log(root);
    if (IS("soft")) return probe_soft();
    if (IS("net")) return probe_net(root);
    if (IS("stdout")) return probe_stdout(root);
    if (IS("trap")) __builtin_trap();
#undef IS
    return error_result("bad_input", "unknown op; expected env, read, write, list, sleep, log, soft, net, trap or stdout");
}
