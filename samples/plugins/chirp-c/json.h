/*
 * Small, allocation-light JSON reader and writer for the Chirp connector.
 *
 * Reading works in two steps. json_validate() checks a whole document once
 * (RFC 8259 grammar, strict UTF-8, escapes including surrogate pairs, at most
 * JSON_MAX_DEPTH levels of nesting) without allocating anything. After that,
 * every value is addressed as a span of the validated text (jspan), and the
 * accessors below walk that text lazily: json_pick() collects the members an
 * object has for a few wanted keys in a single pass, json_next() iterates an
 * array, json_string() decodes a string (without copying when it holds no
 * escapes). Unknown members are skipped; key order does not matter.
 *
 * Writing appends to a growable jbuf. A failed allocation sets jbuf.failed and
 * turns every later write into a no-op, so callers check once at the end.
 */
#ifndef CHIRP_JSON_H
#define CHIRP_JSON_H

#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 64

/* ---- arena: frees every block handed out at once ------------------------ */

typedef struct arena_block arena_block;
typedef struct {
    arena_block *head;
    int failed; /* set when an allocation failed */
} arena;

void *arena_alloc(arena *a, size_t n);
void arena_free(arena *a);

/* ---- reading ------------------------------------------------------------ */

typedef enum {
    JT_ABSENT = 0, /* no such member (also used for a JSON null, see json_pick) */
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

/* Validates the whole of text[0..len) as one JSON value surrounded by optional
 * whitespace (a leading UTF-8 byte order mark is tolerated). On success stores
 * the value's span in *root and returns 1; returns 0 on any malformation. */
int json_validate(const char *text, size_t len, jspan *root);

jtype json_type(jspan v);

/* One pass over object `obj`: for each of the n wanted keys, out[i] receives
 * the member's value, or an absent span when there is no such member or its
 * value is null (the ABI treats both the same). Returns 1, or 0 when a wanted
 * key occurs more than once (an ambiguous document) or obj is not an object. */
int json_pick(jspan obj, const char *const *keys, size_t n, jspan *out);

/* Array iteration: start with *pos = 0; returns 1 and the next element, or 0
 * at the end. */
int json_next(jspan arr, size_t *pos, jspan *elem);

/* Decoded bytes of a string value (UTF-8, may contain NUL bytes). Points into
 * the document when the string has no escapes, else into arena memory.
 * Returns 0 when v is not a string or the arena is out of memory. */
int json_string(arena *a, jspan v, const char **s, size_t *n);

/* An integer number written without fraction or exponent that fits in int64. */
int json_int64(jspan v, int64_t *out);

/* ---- writing ------------------------------------------------------------ */

typedef struct {
    char *buf;
    size_t len, cap;
    int failed;
} jbuf;

void jb_raw(jbuf *b, const char *s, size_t n);
void jb_lit(jbuf *b, const char *s); /* NUL-terminated raw text */
void jb_str(jbuf *b, const char *s, size_t n); /* quoted, escaped string */
void jb_i64(jbuf *b, int64_t v);
void jb_key(jbuf *b, const char *key); /* writes ,"key": */
void jb_pct(jbuf *b, const char *s, size_t n); /* RFC 3986 percent-encoding */
void jb_free(jbuf *b);

/* Length of the valid UTF-8 sequence starting at p (1..4), or 0. */
size_t utf8_seq_len(const unsigned char *p, const unsigned char *end);

#endif
