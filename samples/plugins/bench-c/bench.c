/*
 * bench-c: the guest of Airlock's benchmarks (benchmarks/Airlock.Benchmarks).
 *
 * ABI:     docs/abi/packed-ptr-len.md (packed ptr+len, abi_version 1), the
 *          same memory exports as samples/plugins/chirp-c.
 * Purpose: the smallest real plugin that exercises every path the benchmarks
 *          time, doing as little guest work as possible so that what is
 *          measured is the host's side of each call:
 *
 *   add(a, b)                 a scalar export, (i32, i32) -> i32
 *   plugin_init, plugin_capabilities, plugin_handle_request
 *                             a SocialScale plugin that answers "publish"
 *   bench_log(n)              calls env.host_log n times
 *   bench_store_get(n)        calls env.host_store_get n times
 *
 * Built as a wasm32-wasi reactor with no WASI imports: the only imports are
 * env.host_log and env.host_store_get, and nothing here uses stdio.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT(name) __attribute__((import_module("env"), import_name(name)))
#define EXPORT(name) __attribute__((export_name(name)))

IMPORT("host_log") void host_log(int32_t level, const char *ptr, uint32_t len);
IMPORT("host_store_get") int64_t host_store_get(const char *kptr, uint32_t klen);

enum { LOG_DEBUG = 1 };

/* What bench_log sends and the key bench_store_get reads. */
static const char LOG_LINE[] = "bench-c: one log line from the guest";
static const char STORE_KEY[] = "bench:key";

/* ======================================================================== */
/* memory exports (as chirp-c)                                              */
/* ======================================================================== */

/* Zero-length buffers are never heap allocated: alloc(0) answers this
 * address and dealloc(_, 0) does nothing (the ABI never frees len 0). */
static unsigned char g_empty_buffer[1];

EXPORT("alloc") uint32_t bench_alloc(uint32_t size) {
    if (size == 0) return (uint32_t)(uintptr_t)g_empty_buffer;
    return (uint32_t)(uintptr_t)malloc(size); /* 0 when it cannot */
}

EXPORT("dealloc") void bench_dealloc(uint32_t ptr, uint32_t size) {
    if (ptr == 0 || size == 0) return;
    free((void *)(uintptr_t)ptr);
}

static uint64_t pack(const char *p, size_t n) {
    return ((uint64_t)(uintptr_t)p << 32) | (uint64_t)(uint32_t)n;
}

/* Returns a heap copy of n bytes; exports hand out exactly-len buffers. */
static uint64_t return_copy(const char *s, size_t n) {
    char *p = malloc(n);
    if (!p) __builtin_trap(); /* nothing sensible can be answered */
    memcpy(p, s, n);
    return pack(p, n);
}

#define RETURN_LITERAL(s) return return_copy((s), sizeof(s) - 1)

/* ======================================================================== */
/* scalar export                                                            */
/* ======================================================================== */

EXPORT("add") int32_t bench_add(int32_t a, int32_t b) {
    return (int32_t)((uint32_t)a + (uint32_t)b); /* wraps, as the host's int addition */
}

/* ======================================================================== */
/* SocialScale exports                                                      */
/* ======================================================================== */

EXPORT("plugin_init") uint64_t plugin_init(void) {
    RETURN_LITERAL("{\"id\":\"com.airlock.samples.bench-c\",\"name\":\"Benchmark guest (C)\","
                   "\"version\":\"1.0.0\",\"author\":\"Airlock Samples <samples@airlock.dev>\","
                   "\"abi_version\":1}");
}

EXPORT("plugin_capabilities") uint64_t plugin_capabilities(void) {
    RETURN_LITERAL("{\"abi_version\":1,\"can_publish_text\":true,\"can_publish_image\":false,"
                   "\"can_publish_video\":false,\"can_read_analytics\":false,\"can_manage_ads\":false,"
                   "\"platforms\":[\"bench\"],\"required_network_domains\":[],"
                   "\"needs_kv_store\":true}");
}

/* Whether needle occurs in the n bytes at s. */
static int contains(const char *s, size_t n, const char *needle) {
    size_t m = strlen(needle);
    if (m > n) return 0;
    for (size_t i = 0; i + m <= n; i++) {
        if (s[i] == needle[0] && memcmp(s + i, needle, m) == 0) return 1;
    }
    return 0;
}

/* FNV-1a, 32 bits: the post id names the exact request bytes, so a benchmark
 * can check that two ways of calling the plugin sent the same request. */
static uint32_t fnv1a(const unsigned char *s, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 16777619u;
    }
    return h;
}

static char *put(char *p, const char *s) {
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

static char *put_hex32(char *p, uint32_t v) {
    static const char HEX[] = "0123456789abcdef";
    for (int shift = 28; shift >= 0; shift -= 4) *p++ = HEX[(v >> shift) & 0xF];
    return p;
}

static char *put_u32(char *p, uint32_t v) {
    char digits[10];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) *p++ = digits[--n];
    return p;
}

/*
 * Answers a request in which "type":"publish" occurs (the host always writes
 * the discriminator compactly and first) with
 *   {"status":"ok","post_id":"bench-<fnv1a of the request, hex>","url":"https://bench.example/p/<request length>"}
 * and anything else with an unsupported_request error. It does not parse the
 * JSON: the benchmarks time the host's marshalling, not a guest's parser.
 */
EXPORT("plugin_handle_request") uint64_t plugin_handle_request(uint32_t ptr, uint32_t len) {
    const char *in = (const char *)(uintptr_t)ptr;
    if (!contains(in, len, "\"type\":\"publish\"")) {
        RETURN_LITERAL("{\"status\":\"error\",\"code\":\"unsupported_request\","
                       "\"message\":\"bench-c answers publish requests only.\",\"retryable\":false}");
    }

    char out[128];
    char *p = out;
    p = put(p, "{\"status\":\"ok\",\"post_id\":\"bench-");
    p = put_hex32(p, fnv1a((const unsigned char *)in, len));
    p = put(p, "\",\"url\":\"https://bench.example/p/");
    p = put_u32(p, len);
    p = put(p, "\"}");
    return return_copy(out, (size_t)(p - out));
}

/* ======================================================================== */
/* host-function loops                                                      */
/* ======================================================================== */

/* Calls host_log(1, LOG_LINE) n times; returns n. */
EXPORT("bench_log") int32_t bench_log(int32_t n) {
    for (int32_t i = 0; i < n; i++) host_log(LOG_DEBUG, LOG_LINE, (uint32_t)(sizeof LOG_LINE - 1));
    return n;
}

/* Calls host_store_get("bench:key") n times, freeing each value. Returns the
 * sum of every byte received (so a benchmark can check both ways of serving
 * the import answered the same), or the first negative host status. */
EXPORT("bench_store_get") int32_t bench_store_get(int32_t n) {
    uint32_t sum = 0;
    for (int32_t i = 0; i < n; i++) {
        int64_t r = host_store_get(STORE_KEY, (uint32_t)(sizeof STORE_KEY - 1));
        if (r < 0) return (int32_t)r;
        const unsigned char *v = (const unsigned char *)(uintptr_t)(uint32_t)((uint64_t)r >> 32);
        uint32_t vlen = (uint32_t)(uint64_t)r;
        for (uint32_t k = 0; k < vlen; k++) sum += v[k];
        bench_dealloc((uint32_t)(uintptr_t)v, vlen);
    }
    return (int32_t)(sum & 0x7FFFFFFF);
}
