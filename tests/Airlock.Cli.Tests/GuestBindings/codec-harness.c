/*
 * The C JSON codec of the generated SocialScale bindings, exported type by type for CodecPropertyTests: rt_<type>(ptr,
 * len) reads one value of the type with the generated reader and writes it back with the generated writer. It answers
 * the packed output, -1 when the reader rejects the input and -2 when the writer refuses the value.
 */
#include "socialscale.c"

bool socialscale_plugin_init(airlock_ctx *ctx, socialscale_plugin_metadata_t *out) {
    (void)out;
    return airlock_fail(ctx, "unused", "the codec harness has no plugin_init");
}

bool socialscale_plugin_capabilities(airlock_ctx *ctx, socialscale_plugin_capabilities_t *out) {
    (void)out;
    return airlock_fail(ctx, "unused", "the codec harness has no plugin_capabilities");
}

#define ROUND_TRIP(T)                                                                  \
    __attribute__((export_name("rt_" #T))) int64_t rt_##T(const char *p, uint32_t n) { \
        airlock_ctx ctx;                                                               \
        memset(&ctx, 0, sizeof ctx);                                                   \
        airlock_reader rd = {p, p, p + n, 0, &ctx, NULL, 0};                           \
        socialscale_##T##_t value;                                                     \
        memset(&value, 0, sizeof value);                                               \
        if (!rd_socialscale_##T##_t(&rd, &value) || !rd_finish(&rd)) {                 \
            airlock_arena_free(&ctx);                                                  \
            return -1;                                                                 \
        }                                                                              \
        airlock_writer w;                                                              \
        memset(&w, 0, sizeof w);                                                       \
        wr_socialscale_##T##_t(&w, &value);                                            \
        airlock_arena_free(&ctx);                                                      \
        if (w.error) {                                                                 \
            free(w.buf);                                                               \
            return -2;                                                                 \
        }                                                                              \
        return airlock_take(&w);                                                       \
    }

ROUND_TRIP(publish_request)
ROUND_TRIP(reply_comment_request)
ROUND_TRIP(fetch_comments_request)
ROUND_TRIP(plugin_metadata)
ROUND_TRIP(plugin_capabilities)
ROUND_TRIP(fetch_comments_result)
ROUND_TRIP(fetch_post_metrics_result)
ROUND_TRIP(delete_post_result)
ROUND_TRIP(host_http_request)
ROUND_TRIP(host_http_response)
ROUND_TRIP(o_auth_credential)
