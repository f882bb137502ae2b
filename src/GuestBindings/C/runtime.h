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

/* ---- JSON values: reading and building the text of an airlock_json (a JsonElement member, a host's raw answer) ---- */

typedef enum {
    AIRLOCK_JSON_ABSENT = 0,
    AIRLOCK_JSON_NULL,
    AIRLOCK_JSON_BOOL,
    AIRLOCK_JSON_NUMBER,
    AIRLOCK_JSON_STRING,
    AIRLOCK_JSON_ARRAY,
    AIRLOCK_JSON_OBJECT
} airlock_json_kind;

/* Reads text as exactly one JSON value by the bindings' rules (strict UTF-8, AIRLOCK_MAX_DEPTH, nothing after it):
 * true with *out an arena copy, false (and *out absent) when it is not one. */
bool airlock_json_parse(airlock_ctx *ctx, const char *text, size_t len, airlock_json *out);
/* What kind of value it is; AIRLOCK_JSON_ABSENT when ptr is NULL. */
airlock_json_kind airlock_json_kind_of(airlock_json value);
/* The value of an object's member (the last one when the key is repeated); false when value is not an object or has
 * no such member. The value is a view into the object's text. */
bool airlock_json_get(airlock_ctx *ctx, airlock_json object, const char *key, airlock_json *out);
/* Walks an object's members or an array's items in order: *pos is 0 to start; true with the next one, false at the
 * end (or when the value is not an object / an array). */
bool airlock_json_next_member(airlock_ctx *ctx, airlock_json object, uint32_t *pos, airlock_str *key, airlock_json *value);
bool airlock_json_next_item(airlock_json array, uint32_t *pos, airlock_json *value);
/* The value as a decoded string (arena, NUL-terminated), an integer in int64's range, a double, a boolean: false
 * when it is not one. */
bool airlock_json_as_str(airlock_ctx *ctx, airlock_json value, airlock_str *out);
bool airlock_json_as_int64(airlock_json value, int64_t *out);
bool airlock_json_as_double(airlock_json value, double *out);
bool airlock_json_as_bool(airlock_json value, bool *out);

/* A growable JSON text (internal to the bindings' writers). */
typedef struct {
    char *buf;
    size_t len, cap;
    int depth;
    const char *error; /* the first problem, or NULL */
} airlock_writer;

/* Builds one JSON value: `airlock_jb b = {0};`, then values (inside an object each after airlock_jb_key; commas are
 * written for you), then airlock_jb_finish. Text is escaped and must be UTF-8, raw JSON is validated; a problem
 * makes airlock_jb_finish answer false. */
typedef struct {
    airlock_writer w;
    bool comma, after_key;
} airlock_jb;

void airlock_jb_begin_object(airlock_jb *b);
void airlock_jb_end_object(airlock_jb *b);
void airlock_jb_begin_array(airlock_jb *b);
void airlock_jb_end_array(airlock_jb *b);
void airlock_jb_key(airlock_jb *b, const char *key);
/* A key of any text (a decoded key may hold U+0000). */
void airlock_jb_key_str(airlock_jb *b, airlock_str key);
/* A string (null when value.ptr is NULL). */
void airlock_jb_str(airlock_jb *b, airlock_str value);
void airlock_jb_int(airlock_jb *b, int64_t value);
void airlock_jb_bool(airlock_jb *b, bool value);
void airlock_jb_null(airlock_jb *b);
/* Raw JSON, checked to be one valid value (null when value.ptr is NULL). */
void airlock_jb_json(airlock_jb *b, airlock_json value);
/* The text built, as an arena copy; false when something could not be written or a container is still open. Frees
 * the builder's buffer either way. */
bool airlock_jb_finish(airlock_ctx *ctx, airlock_jb *b, airlock_json *out);

#endif /* AIRLOCK_RUNTIME_H */
