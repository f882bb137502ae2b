/*
 * samuel-hello: a minimal Samuel WASM-tier plugin in C (clang 14, wasi-libc, reactor), built on the C bindings generated
 * from its contract, Samples.SamuelHello.ISamuelHello (contract/ISamuelHello.cs; bindings/samuelhello.h). The bindings
 * follow the Samuel convention (docs/samuel.md): they export malloc, free, greet and probe as (ptr: i32, len: i32) -> i64
 * functions, read each request into a typed struct, and answer the result as JSON or a failure as
 * {"error":{"code","message","retryable"}}. wasi-libc's crt1-reactor.o exports _initialize.
 *
 * greet answers a greeting. probe exercises one capability per call (environment, files, sleep, logging, the soft
 * deadline, the network, a trap, stdout) so that the host's tests can check what the sandbox allows and refuses.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "samuelhello.h"

extern char **environ;

/* ---- answers ---------------------------------------------------------------------------------------------------- */

/* Text from the system rather than from the input (file names, the environment, strerror): each byte that is not
 * part of well-formed UTF-8 becomes U+FFFD, so that it can be written as a JSON string. */
static airlock_str lossy(airlock_ctx *ctx, const char *text, size_t n) {
    char *out = (char *)airlock_alloc(ctx, 3 * n + 1);
    const unsigned char *s = (const unsigned char *)text, *e = s + n;
    size_t len = 0;
    while (s < e) {
        unsigned c = *s;
        size_t more = c < 0x80 ? 0 : c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2 : c >= 0xF0 && c <= 0xF4 ? 3 : 4;
        unsigned lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80, hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
        bool ok = more < 4 && (size_t)(e - s) > more && (more == 0 || (s[1] >= lo && s[1] <= hi));
        for (size_t i = 2; ok && i <= more; i++) ok = (s[i] & 0xC0) == 0x80;
        if (ok) {
            memcpy(out + len, s, more + 1);
            len += more + 1;
            s += more + 1;
        } else {
            memcpy(out + len, "\xEF\xBF\xBD", 3);
            len += 3;
            s++;
        }
    }
    airlock_str r = {out, (uint32_t)len};
    return r;
}

static bool finish(airlock_ctx *ctx, airlock_jb *b, airlock_json *out) {
    return airlock_jb_finish(ctx, b, out) || airlock_fail(ctx, "internal", "the answer could not be written");
}

/* {"<first>":false,"errno":n,"strerror":"..."} for a failed call that set errno. Not under a top-level "error": by the
 * Samuel convention that member makes the whole answer a failure, and this is an answer. */
static bool errno_result(airlock_ctx *ctx, const char *first, int err, airlock_json *out) {
    const char *text = strerror(err);
    airlock_jb b = {0};
    airlock_jb_begin_object(&b);
    airlock_jb_key(&b, first);
    airlock_jb_bool(&b, false);
    airlock_jb_key(&b, "errno");
    airlock_jb_int(&b, err);
    airlock_jb_key(&b, "strerror");
    airlock_jb_str(&b, lossy(ctx, text, strlen(text)));
    airlock_jb_end_object(&b);
    return finish(ctx, &b, out);
}

/* An object of one integer member: {"logged":3}. */
static bool int_result(airlock_ctx *ctx, const char *key, int64_t value, airlock_json *out) {
    airlock_jb b = {0};
    airlock_jb_begin_object(&b);
    airlock_jb_key(&b, key);
    airlock_jb_int(&b, value);
    airlock_jb_end_object(&b);
    return finish(ctx, &b, out);
}

/* {"ok":true,"bytes":n}, or the errno answer when err is set. */
static bool bytes_result(airlock_ctx *ctx, int err, int64_t n, airlock_json *out) {
    if (err) return errno_result(ctx, "ok", err, out);
    airlock_jb b = {0};
    airlock_jb_begin_object(&b);
    airlock_jb_key(&b, "ok");
    airlock_jb_bool(&b, true);
    airlock_jb_key(&b, "bytes");
    airlock_jb_int(&b, n);
    airlock_jb_end_object(&b);
    return finish(ctx, &b, out);
}

/* A bad_input error about one member: "\"path\" must be a string". */
static bool field_error(airlock_ctx *ctx, const char *key, const char *why) {
    size_t k = strlen(key), w = strlen(why);
    char *message = (char *)airlock_alloc(ctx, k + w + 4);
    message[0] = '"';
    memcpy(message + 1, key, k);
    memcpy(message + 1 + k, "\" ", 2);
    memcpy(message + 3 + k, why, w);
    return airlock_fail(ctx, "bad_input", message);
}

/* A path: a non-empty string without NUL characters. */
static bool check_path(airlock_ctx *ctx, airlock_str path) {
    if (!path.ptr) return field_error(ctx, "path", "must be a string");
    if (path.len == 0 || strlen(path.ptr) != path.len) return field_error(ctx, "path", "must be a non-empty string without NUL characters");
    return true;
}

/* ---- greet ------------------------------------------------------------------------------------------------------- */

/* greet({"name": "x"}) -> {"greeting": "Hello, x!"} */
bool samuelhello_greet(airlock_ctx *ctx, const samuelhello_greet_request_t *request, samuelhello_greet_reply_t *out) {
    size_t n = request->name.len;
    char *greeting = (char *)airlock_alloc(ctx, n + 9);
    memcpy(greeting, "Hello, ", 7);
    memcpy(greeting + 7, request->name.ptr, n);
    greeting[7 + n] = '!';
    out->greeting.ptr = greeting;
    out->greeting.len = (uint32_t)(n + 8);
    return true;
}

/* ---- probe ------------------------------------------------------------------------------------------------------- */

static bool probe_env(airlock_ctx *ctx, airlock_json *out) {
    airlock_jb b = {0};
    airlock_jb_begin_object(&b);
    airlock_jb_key(&b, "env");
    airlock_jb_begin_array(&b);
    for (char **e = environ; e && *e; e++) airlock_jb_str(&b, lossy(ctx, *e, strlen(*e)));
    airlock_jb_end_array(&b);
    airlock_jb_end_object(&b);
    return finish(ctx, &b, out);
}

static bool probe_read(airlock_ctx *ctx, const samuelhello_probe_request_t *request, airlock_json *out) {
    if (!check_path(ctx, request->path)) return false;
    FILE *f = fopen(request->path.ptr, "rb");
    if (!f) return errno_result(ctx, "ok", errno, out);
    char chunk[4096];
    int64_t total = 0;
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) total += (int64_t)got;
    int err = ferror(f) ? (errno ? errno : EIO) : 0;
    fclose(f);
    return bytes_result(ctx, err, total, out);
}

static bool probe_write(airlock_ctx *ctx, const samuelhello_probe_request_t *request, airlock_json *out) {
    if (!check_path(ctx, request->path)) return false;
    airlock_str text = request->text.ptr ? request->text : airlock_str_of("written by samuel-hello\n");
    errno = 0;
    FILE *f = fopen(request->path.ptr, "w");
    int err = f ? 0 : errno;
    if (f) {
        if (fwrite(text.ptr, 1, text.len, f) != text.len) err = errno ? errno : EIO;
        if (fclose(f) != 0 && !err) err = errno ? errno : EIO;
    }
    return bytes_result(ctx, err, (int64_t)text.len, out);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static bool probe_list(airlock_ctx *ctx, const samuelhello_probe_request_t *request, airlock_json *out) {
    if (!check_path(ctx, request->path)) return false;
    DIR *dir = opendir(request->path.ptr);
    if (!dir) return errno_result(ctx, "ok", errno, out);
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
            char **grown = (char **)airlock_alloc(ctx, cap * sizeof *names);
            if (count) memcpy(grown, names, count * sizeof *names);
            names = grown;
        }
        names[count++] = (char *)airlock_str_copy(ctx, entry->d_name, strlen(entry->d_name)).ptr;
    }
    closedir(dir);
    if (err) return errno_result(ctx, "ok", err, out);
    if (count) qsort(names, count, sizeof *names, by_name);
    airlock_jb b = {0};
    airlock_jb_begin_object(&b);
    airlock_jb_key(&b, "ok");
    airlock_jb_bool(&b, true);
    airlock_jb_key(&b, "names");
    airlock_jb_begin_array(&b);
    for (size_t i = 0; i < count; i++) airlock_jb_str(&b, lossy(ctx, names[i], strlen(names[i])));
    airlock_jb_end_array(&b);
    airlock_jb_end_object(&b);
    return finish(ctx, &b, out);
}

static bool probe_sleep(airlock_ctx *ctx, const samuelhello_probe_request_t *request, airlock_json *out) {
    if (!request->has_ms || request->ms < 0 || request->ms > 3600000) return field_error(ctx, "ms", "must be an integer from 0 to 3600000");
    struct timespec ts = {.tv_sec = (time_t)(request->ms / 1000), .tv_nsec = (long)(request->ms % 1000) * 1000000L};
    if (nanosleep(&ts, NULL) != 0) return errno_result(ctx, "slept", errno, out);
    airlock_jb b = {0};
    airlock_jb_begin_object(&b);
    airlock_jb_key(&b, "slept");
    airlock_jb_bool(&b, true);
    airlock_jb_end_object(&b);
    return finish(ctx, &b, out);
}

static bool probe_log(airlock_ctx *ctx, const samuelhello_probe_request_t *request, airlock_json *out) {
    int64_t count = request->count;
    if (!request->has_count || count < 0 || count > 100000) return field_error(ctx, "count", "must be an integer from 0 to 100000");
    for (int64_t i = 1; i <= count; i++) {
        /* "samuel-hello probe line <i> of <count>" */
        char line[64] = "samuel-hello probe line ";
        size_t n = strlen(line);
        int64_t parts[2] = {i, count};
        for (int p = 0; p < 2; p++) {
            char digits[24];
            int d = 0;
            int64_t v = parts[p];
            do digits[d++] = (char)('0' + v % 10); while (v /= 10);
            while (d) line[n++] = digits[--d];
            if (p == 0) {
                memcpy(line + n, " of ", 4);
                n += 4;
            }
        }
        airlock_str message = {line, (uint32_t)n};
        samuelhello_log(1, message);
    }
    return int_result(ctx, "logged", count, out);
}

static const char *net_status_text(airlock_status status) {
    switch (status) {
    case AIRLOCK_PERMISSION_DENIED: return "permission denied";
    case AIRLOCK_RATE_LIMITED: return "rate limited";
    case AIRLOCK_INVALID_ARGUMENT: return "invalid argument";
    case AIRLOCK_TOO_LARGE: return "too large";
    case AIRLOCK_UNAVAILABLE: return "unavailable";
    default: return "error";
    }
}

static bool probe_net(airlock_ctx *ctx, const samuelhello_probe_request_t *request, airlock_json *out) {
    if (!request->url.ptr) return field_error(ctx, "url", "must be a string");
    samuelhello_host_http_request_t req;
    samuelhello_host_http_response_t resp;
    memset(&req, 0, sizeof req);
    req.method = airlock_str_of("GET");
    req.url = request->url;
    airlock_status status = samuelhello_net_outbound(ctx, &req, &resp);
    if (status == AIRLOCK_MALFORMED) return airlock_fail(ctx, "bad_answer", "net_outbound answered something that is not {\"status\": n, \"body\": \"...\"}");
    airlock_jb b = {0};
    airlock_jb_begin_object(&b);
    airlock_jb_key(&b, "status");
    if (status != AIRLOCK_OK) {
        airlock_jb_int(&b, status);
        airlock_jb_key(&b, "refused");
        airlock_jb_str(&b, airlock_str_of(net_status_text(status)));
    } else {
        airlock_jb_int(&b, resp.status);
        airlock_jb_key(&b, "body");
        airlock_jb_str(&b, resp.body.ptr ? resp.body : airlock_str_of(""));
    }
    airlock_jb_end_object(&b);
    return finish(ctx, &b, out);
}

static bool probe_stdout(airlock_ctx *ctx, const samuelhello_probe_request_t *request, airlock_json *out) {
    if (!request->text.ptr) return field_error(ctx, "text", "must be a string");
    errno = 0;
    int err = 0;
    if (fwrite(request->text.ptr, 1, request->text.len, stdout) != request->text.len) err = errno ? errno : EIO;
    if (fflush(stdout) != 0 && !err) err = errno ? errno : EIO;
    return bytes_result(ctx, err, (int64_t)request->text.len, out);
}

/* probe({"op": "...", ...}): one capability per call. */
bool samuelhello_probe(airlock_ctx *ctx, const samuelhello_probe_request_t *request, airlock_json *out) {
    airlock_str op = request->op;
    if (airlock_str_eq(op, "env")) return probe_env(ctx, out);
    if (airlock_str_eq(op, "read")) return probe_read(ctx, request, out);
    if (airlock_str_eq(op, "write")) return probe_write(ctx, request, out);
    if (airlock_str_eq(op, "list")) return probe_list(ctx, request, out);
    if (airlock_str_eq(op, "sleep")) return probe_sleep(ctx, request, out);
    if (airlock_str_eq(op, "log")) return probe_log(ctx, request, out);
    if (airlock_str_eq(op, "soft")) return int_result(ctx, "soft_deadline_ms", samuelhello_soft_deadline_ms(), out);
    if (airlock_str_eq(op, "net")) return probe_net(ctx, request, out);
    if (airlock_str_eq(op, "stdout")) return probe_stdout(ctx, request, out);
    if (airlock_str_eq(op, "trap")) __builtin_trap();
    return airlock_fail(ctx, "bad_input", "unknown op; expected env, read, write, list, sleep, log, soft, net, trap or stdout");
}
