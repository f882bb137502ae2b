#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef AIRLOCK_RUNTIME_H
#define AIRLOCK_RUNTIME_H

/* The largest input an export accepts and the deepest JSON nesting read or written (System.Text.Json's default). */
#ifndef AIRLOCK_MAX_INPUT
#define AIRLOCK_MAX_INPUT (16u * 1024u * 1024u)
#endif
#ifndef AIRLOCK_MAX_DEPTH
#define AIRLOCK_MAX_DEPTH 64
#endif
/* 1 when the manifest says "host_status_codes": true (host results < 0 are status codes, 0 is a present empty value);
 * 0 for the plain encoding (0 means no value). */
#ifndef AIRLOCK_HOST_STATUS_CODES
#define AIRLOCK_HOST_STATUS_CODES 1
#endif

/* UTF-8 text: ptr NULL means absent (null). Text read from JSON is NUL-terminated and owned by the call's arena. */
typedef struct { const char *ptr; uint32_t len; } airlock_str;
/* Raw bytes: ptr NULL means absent. */
typedef struct { const uint8_t *ptr; uint32_t len; } airlock_bytes;
/* The text of one JSON value (any JSON: object, array, string, number, literal), validated when read and before it is
 * written; ptr NULL means absent. */
typedef struct { const char *ptr; uint32_t len; } airlock_json;
typedef struct { airlock_str *items; uint32_t count; } airlock_str_list;
/* An object of strings: keys[i] maps to values[i]. */
typedef struct { airlock_str *keys; airlock_str *values; uint32_t count; } airlock_str_map;

/* Memory that lives for one export call: everything read and everything allocated with airlock_alloc. Freed after the
 * result is written. */
typedef struct airlock_chunk airlock_chunk;
typedef struct { airlock_chunk *head; } airlock_arena;

/* What every implemented function receives: the call's arena and, when it fails, its typed error. */
typedef struct {
    airlock_arena arena;
    bool failed;
    airlock_str code;
    airlock_str message;
    bool retryable;
    /* Set by airlock_none: the function answered no value (null; for a fixed-offset hook, "no change"). */
    bool none;
} airlock_ctx;

/* Status of a host call. 0 is success; the negative codes are those of docs/abi/packed-ptr-len.md. */
typedef enum {
    AIRLOCK_OK = 0,
    AIRLOCK_NOT_FOUND = -1,
    AIRLOCK_PERMISSION_DENIED = -2,
    AIRLOCK_RATE_LIMITED = -3,
    AIRLOCK_INVALID_ARGUMENT = -4,
    AIRLOCK_TOO_LARGE = -5,
    AIRLOCK_UNAVAILABLE = -6,
    /* The host answered something the binding cannot read as the contract's type. */
    AIRLOCK_MALFORMED = -100,
    /* The argument could not be written (invalid UTF-8, invalid raw JSON, too deep). */
    AIRLOCK_BAD_ARGUMENT = -101
} airlock_status;

/* Zeroed memory from the call's arena; traps when memory is exhausted. */
void *airlock_alloc(airlock_ctx *ctx, size_t size);
/* A NUL-terminated copy of len bytes in the call's arena. */
airlock_str airlock_str_copy(airlock_ctx *ctx, const char *ptr, size_t len);
/* A view of a NUL-terminated string (not copied). */
airlock_str airlock_str_of(const char *text);
/* Whether a equals the NUL-terminated text. */
bool airlock_str_eq(airlock_str a, const char *text);
/* Records a typed error (code and message are copied) and returns false, so `return airlock_fail(...)` ends a function. */
bool airlock_fail(airlock_ctx *ctx, const char *code, const char *message);
/* As airlock_fail, and tells the host the call may be retried. */
bool airlock_fail_retryable(airlock_ctx *ctx, const char *code, const char *message);
/* Answers no value and returns true, so `return airlock_none(ctx);` ends a function whose result is optional: the
 * export answers null (a fixed-offset hook answers 0, "no change"). For a result that is not optional it is an
 * "invalid_result" error. */
bool airlock_none(airlock_ctx *ctx);
/* The wire name of a status ("not_found", ...). */
const char *airlock_status_name(airlock_status status);

#endif /* AIRLOCK_RUNTIME_H */
