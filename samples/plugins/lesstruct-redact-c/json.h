/*
 * Small JSON reader for the redact plugin. No allocation: values are spans of
 * the caller's text.
 *
 * json_validate() checks a whole document once (RFC 8259 grammar, strict
 * UTF-8, escapes, at most JSON_MAX_DEPTH levels of nesting). After that every
 * value is a span (jspan) of the validated text and the accessors walk it
 * lazily: json_member() iterates an object, json_element() an array, and
 * json_str_next() yields the decoded code points of a string one by one
 * together with the raw bytes each came from, which is what lets the plugin
 * overwrite a word in place. Keys are compared after decoding.
 */
#ifndef REDACT_JSON_H
#define REDACT_JSON_H

#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 64

typedef enum {
    JT_ABSENT = 0, /* no value */
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

/* Encodes one code point as UTF-8 into out (4 bytes room); returns length. */
size_t utf8_put(uint32_t cp, char *out);

#endif
