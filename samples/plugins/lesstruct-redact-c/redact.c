/*
 * redact: a Lesstruct hook plugin in C over the fixed-offset ABI
 * (docs/abi/fixed-offset.md, docs/lesstruct.md).
 *
 * hook_before_save masks blocked words in the string values of the item's
 * top-level "customFields". Masking never changes a length, so the result is
 * exactly as long as the input and the module needs no __hook_result_len.
 * It imports nothing. Its statics lie at or above 1114112 (--global-base), so
 * the host's input window at 65536 stays free; the input is only read.
 */
#include <stdint.h>
#include <string.h>

#include "json.h"

#define EXPORT(name) __attribute__((export_name(name)))

#define BUF_CAP (1u << 20) /* the whole input window [65536, 1114112) */

static char g_buf[BUF_CAP];

/* Whole words masked, matched case-insensitively (ASCII). */
static const char BLOCKED[][5] = {"darn", "heck", "frak"};

static int is_letter(int32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* One letter of the current word: where it is in the text and how long. */
typedef struct {
    char *raw;
    size_t rawlen;
    char lower;
} letter;

static int blocked(const letter *w) {
    for (size_t i = 0; i < sizeof BLOCKED / sizeof BLOCKED[0]; i++) {
        if (w[0].lower == BLOCKED[i][0] && w[1].lower == BLOCKED[i][1] && w[2].lower == BLOCKED[i][2] &&
            w[3].lower == BLOCKED[i][3])
            return 1;
    }
    return 0;
}

/* Masks the blocked words of one string value in place; returns how many.
 * A letter written as itself becomes '*'; a letter written as a \uXXXX escape
 * becomes the escape \u002a ('*'), so every length stays the same. */
static size_t mask_string(jspan s) {
    jstr c;
    letter word[4];
    size_t n = 0, masked = 0;
    json_str_open(s, &c);
    for (;;) {
        const char *raw = NULL;
        size_t rawlen = 0;
        int32_t cp = json_str_next(&c, &raw, &rawlen);
        if (cp >= 0 && is_letter(cp)) {
            if (n < 4) {
                word[n].raw = (char *)raw; /* the text is g_buf, which is writable */
                word[n].rawlen = rawlen;
                word[n].lower = (char)(cp | 0x20);
            }
            n++;
            continue;
        }
        /* a non-letter (or the end of the string) ends the word */
        if (n == 4 && blocked(word)) {
            for (int i = 0; i < 4; i++) {
                if (word[i].rawlen == 1) word[i].raw[0] = '*';
                else memcpy(word[i].raw, "\\u002a", 6); /* rawlen is 6: \uXXXX */
            }
            masked++;
        }
        n = 0;
        if (cp < 0) return masked;
    }
}

/* Masks every string value (not key) inside v, at any depth. */
static size_t mask_value(jspan v) {
    jiter it;
    jspan k, x;
    size_t masked = 0;
    switch (json_type(v)) {
    case JT_STRING:
        return mask_string(v);
    case JT_OBJECT:
        json_iter(v, &it);
        while (json_member(&it, &k, &x)) masked += mask_value(x);
        return masked;
    case JT_ARRAY:
        json_iter(v, &it);
        while (json_element(&it, &x)) masked += mask_value(x);
        return masked;
    default:
        return 0;
    }
}

EXPORT("hook_before_save") uint32_t hook_before_save(uint32_t off, uint32_t len) {
    jspan root, k, v;
    jiter it;
    size_t masked = 0;
    uint64_t mem = (uint64_t)__builtin_wasm_memory_size(0) * 65536u;
    if (len == 0 || len > BUF_CAP || off == 0 || (uint64_t)off + len > mem) return 0;
    memcpy(g_buf, (const void *)(uintptr_t)off, len);
    if (!json_validate(g_buf, len, &root) || json_type(root) != JT_OBJECT) return 0;
    /* Every top-level "customFields" member (a repeated key is masked too,
     * whichever one a reader keeps). Nothing outside it is touched. */
    json_iter(root, &it);
    while (json_member(&it, &k, &v))
        if (json_str_eq(k, "customFields", 12)) masked += mask_value(v);
    return masked ? (uint32_t)(uintptr_t)g_buf : 0;
}

EXPORT("hook_after_create") uint32_t hook_after_create(uint32_t off, uint32_t len) { return 0; }
