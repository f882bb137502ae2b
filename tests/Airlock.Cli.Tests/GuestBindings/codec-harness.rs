//! The serde codec of the generated SocialScale Rust bindings, exported type by type for RustCodecPropertyTests:
//! rt_<type>(ptr, len) reads one value of the type with the generated reader and writes it back with the generated
//! writer. It answers the packed output, -1 when the reader rejects the input and -2 when the writer refuses the value.

mod socialscale;

use socialscale::*;

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(ptr: i32, len: i32) -> i64 {
    // SAFETY: the test host passes a region it wrote with alloc.
    let input = unsafe { rt::input(ptr, len) };
    let value: T = match rt::read(input, "value") {
        Ok(value) => value,
        Err(_) => return -1,
    };
    match rt::write(&value) {
        Ok(bytes) => alloc::give(bytes),
        Err(_) => -2,
    }
}

macro_rules! round_trips {
    ($($name:literal => $t:ty),* $(,)?) => {
        $(
            const _: () = {
                #[export_name = $name]
                pub extern "C" fn export(ptr: i32, len: i32) -> i64 {
                    round_trip::<$t>(ptr, len)
                }
            };
        )*
    };
}

round_trips! {
    "rt_publish_request" => PublishRequest,
    "rt_reply_comment_request" => ReplyCommentRequest,
    "rt_fetch_comments_request" => FetchCommentsRequest,
    "rt_plugin_metadata" => PluginMetadata,
    "rt_plugin_capabilities" => PluginCapabilities,
    "rt_fetch_comments_result" => FetchCommentsResult,
    "rt_fetch_post_metrics_result" => FetchPostMetricsResult,
    "rt_delete_post_result" => DeletePostResult,
    "rt_host_http_request" => HostHttpRequest,
    "rt_host_http_response" => HostHttpResponse,
    "rt_o_auth_credential" => OAuthCredential,
}
