/*
 * Small JSON reader and writer for the C sample plugins (Lesstruct's enrich and
 * redact, Driftless's logkit, Samuel's hello). No allocation: values are spans
 * of the caller's text, and the writer appends to a fixed buffer.
 *
 * Reading works in two steps. json_validate() checks a whole document once
 * (RFC 8259 grammar, strict UTF-8, escapes, at most JSON_MAX_DEPTH levels of
 * nesting). After that every value is a span (jspan) of the validated text and
 * the accessors walk it lazily: json_member() iterates an object,
 * json_element() an array, json_get() looks a key up, json_str_next() yields
 * the decoded code points of a string one by one (with the raw bytes each came
 * from), so strings are compared, measured and overwritten in place without
 * being copied. Keys are always compared after decoding, so
 * "\u0074itle" matches "title".
 *
 * The writer (jw) never grows: when a write does not fit, it sets jw.overflow
 * and drops that write and every later one, so callers check once at the end.
 */
#ifndef LESSTRUCT_JSON_H
#define LESSTRUCT_JSON_H

#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 64

typedef enum {
    JT_ABSENT = 0, /* no value (an absent member) */
    JT_NULL,
    JT_FALSE,
    JT_TRUE,
    JT_NUMBER,
    JT_STRING,
    JT_ARRAY,
    JT_OBJECT
} jtype;

/* A value inside validated text: p points at its first byte, n is its length.
 * p == NULL means absent. */
typedef struct {
    const char *p;
    size_t n;
} jspan;

/* Validates text[0..len) as one JSON value with optional surrounding
 * whitespace. On success stores the value's span in *root and returns 1. */
int json_validate(const char *text, size_t len, jspan *root);

jtype json_type(jspan v);

/* ---- objects and arrays --------------------------------------------------- */

typedef struct {
    const char *p, *e;
} jiter;

/* Starts iterating the members of an object or the elements of an array. */
void json_iter(jspan container, jiter *it);
/* Next member of an object: *key is the raw key string (with its quotes),
 * *val the value. Returns 0 at the end. */
int json_member(jiter *it, jspan *key, jspan *val);
/* Next element of an array. Returns 0 at the end. */
int json_element(jiter *it, jspan *val);

/* Looks key[0..klen) up in obj (keys compared after decoding). Returns 1 and
 * the value (which may be null) when the key occurs exactly once, 0 when it is
 * absent (or obj is not an object), -1 when it occurs more than once. */
int json_get(jspan obj, const char *key, size_t klen, jspan *out);

/* ---- strings -------------------------------------------------------------- */

typedef struct {
    const char *p, *e;
} jstr;

/* Starts walking the contents of a string value. */
void json_str_open(jspan s, jstr *c);
/* The next decoded code point (a lone escaped surrogate decodes as U+FFFD),
 * or -1 at the end. When raw is not NULL, *raw and *rawlen receive the bytes
 * of the text it came from (one UTF-8 sequence or one escape). */
int32_t json_str_next(jstr *c, const char **raw, size_t *rawlen);
/* 1 when the decoded string s equals bytes[0..n). */
int json_str_eq(jspan s, const char *bytes, size_t n);
/* Decodes s into out as UTF-8, stopping before the first code point that
 * would not fit in cap bytes (so the output is always valid UTF-8). Returns
 * the decoded length; *complete is 1 when everything fit. */
size_t json_str_decode(jspan s, char *out, size_t cap, int *complete);

/* Encodes one code point as UTF-8 into out (4 bytes room); returns length. */
size_t utf8_put(uint32_t cp, char *out);

/* ---- numbers -------------------------------------------------------------- */

/* An integer written without fraction or exponent that fits in int64. */
int json_int64(jspan v, int64_t *out);
/* Any JSON number as a double (no locale; see json.c for the precision). */
int json_double(jspan v, double *out);

/* ---- writing -------------------------------------------------------------- */

typedef struct {
    char *buf;
    size_t len, cap;
    int overflow;
} jw;

void jw_raw(jw *w, const char *s, size_t n);
void jw_lit(jw *w, const char *s);             /* NUL-terminated raw text */
void jw_esc(jw *w, const char *s, size_t n);   /* escaped string contents, no quotes */
/* Like jw_esc for bytes that may not be UTF-8 (file names, the environment, strerror): each byte
 * that does not start a valid UTF-8 sequence is written as \ufffd. */
void jw_esc_lossy(jw *w, const char *s, size_t n);
void jw_str(jw *w, const char *s, size_t n);   /* quoted, escaped string */
void jw_i64(jw *w, int64_t v);
void jw_fixed2(jw *w, int64_t hundredths);     /* 2759 -> 27.59, -5 -> -0.05 */

#endif
