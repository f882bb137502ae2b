// The AssemblyScript JSON codec of the generated SocialScale bindings, exported type by type for
// AssemblyScriptCodecPropertyTests: rt_<type>(ptr, len) reads one value of the type with the generated reader and writes
// it back with the generated writer. It answers the packed output, -1 when the reader rejects the input and -2 when the
// writer refuses the value. The host_* exports drive the typed host-function wrappers against the test's imports.
import {
  JsonReader, JsonWriter, HostStatus, HostHttpRequest, PluginLogLevel, RawJson,
  PublishRequest, ReplyCommentRequest, FetchCommentsRequest, PluginMetadata, PluginCapabilities, FetchCommentsResult,
  FetchPostMetricsResult, DeletePostResult, HostHttpResponse, OAuthCredential,
  hostLog, hostHttpRequest, hostStoreGet, hostStoreSet, hostEmitEvent, hostCredentialGet, hostConfigGet,
} from "./bindings/socialscale";

export function alloc(size: usize): usize {
  return heap.alloc(size ? size : 1);
}

export function dealloc(ptr: usize, size: usize): void {
  heap.free(ptr);
}

function answer(w: JsonWriter): i64 {
  if (w.error !== null) {
    w.dispose();
    return -2;
  }
  return w.take();
}

export function rt_publish_request(p: usize, n: usize): i64 {
  const r = new JsonReader(p, n);
  const v = PublishRequest.readJson(r);
  if (v === null || !r.finish()) return -1;
  const w = new JsonWriter();
  v.writeJson(w);
  return answer(w);
}

export function rt_reply_comment_request(p: usize, n: usize): i64 {
  const r = new JsonReader(p, n);
  const v = ReplyCommentRequest.readJson(r);
  if (v === null || !r.finish()) return -1;
  const w = new JsonWriter();
  v.writeJson(w);
  return answer(w);
}

export function rt_fetch_comments_request(p: usize, n: usize): i64 {
  const r = new JsonReader(p, n);
  const v = FetchCommentsRequest.readJson(r);
  if (v === null || !r.finish()) return -1;
  const w = new JsonWriter();
  v.writeJson(w);
  return answer(w);
}

export function rt_plugin_metadata(p: usize, n: usize): i64 {
  const r = new JsonReader(p, n);
  const v = PluginMetadata.readJson(r);
  if (v === null || !r.finish()) return -1;
  const w = new JsonWriter();
  v.writeJson(w);
  return answer(w);
}

export function rt_plugin_capabilities(p: usize, n: usize): i64 {
  const r = new JsonReader(p, n);
  const v = PluginCapabilities.readJson(r);
  if (v === null || !r.finish()) return -1;
  const w = new JsonWriter();
  v.writeJson(w);
  return answer(w);
}

export function rt_fetch_comments_result(p: usize, n: usize): i64 {
  const r = new JsonReader(p, n);
  const v = FetchCommentsResult.readJson(r);
  if (v === null || !r.finish()) return -1;
  const w = new JsonWriter();
  v.writeJson(w);
  return answer(w);
}

export function rt_fetch_post_metrics_result(p: usize, n: usize): i64 {
  const r = new JsonReader(p, n);
  const v = FetchPostMetricsResult.readJson(r);
  if (v === null || !r.finish()) return -1;
  const w = new JsonWriter();
  v.writeJson(w);
  return answer(w);
}

export function rt_delete_post_result(p: usize, n: usize): i64 {
  const r = new JsonReader(p, n);
  const v = DeletePostResult.readJson(r);
  if (v === null || !r.finish()) return -1;
  const w = new JsonWriter();
  v.writeJson(w);
  return answer(w);
}

export function rt_host_http_request(p: usize, n: usize): i64 {
  const r = new JsonReader(p, n);
  const v = HostHttpRequest.readJson(r);
  if (v === null || !r.finish()) return -1;
  const w = new JsonWriter();
  v.writeJson(w);
  return answer(w);
}

export function rt_host_http_response(p: usize, n: usize): i64 {
  const r = new JsonReader(p, n);
  const v = HostHttpResponse.readJson(r);
  if (v === null || !r.finish()) return -1;
  const w = new JsonWriter();
  v.writeJson(w);
  return answer(w);
}

export function rt_o_auth_credential(p: usize, n: usize): i64 {
  const r = new JsonReader(p, n);
  const v = OAuthCredential.readJson(r);
  if (v === null || !r.finish()) return -1;
  const w = new JsonWriter();
  v.writeJson(w);
  return answer(w);
}

/** A string with a lone surrogate written by the generated writer: -2 (refused) is the only right answer. */
export function lone_surrogate(): i64 {
  const v = new ReplyCommentRequest();
  v.commentId = String.fromCharCode(0xD800) + "x";
  const w = new JsonWriter();
  v.writeJson(w);
  return answer(w);
}

/** host_store_get("key"): the status, or the value's length when Ok. */
export function host_store_get(): i32 {
  const got = hostStoreGet("key");
  return got.ok ? got.value!.length : <i32>got.status;
}

/** host_http_request: the status, or the response's status code when Ok. */
export function host_http(): i32 {
  const request = new HostHttpRequest();
  request.url = "https://example.test/é";
  const got = hostHttpRequest(request);
  return got.ok ? got.value!.status : <i32>got.status;
}

/** host_credential_get: the status, or the token's length when Ok. */
export function host_credential(): i32 {
  const got = hostCredentialGet();
  return got.ok ? got.value!.accessToken.length : <i32>got.status;
}

/** The wrappers without a result: they only have to call through. */
export function host_void(): i32 {
  hostLog(PluginLogLevel.Info, "hello " + String.fromCharCode(0xD800));
  hostStoreSet("key", new Uint8Array(3));
  hostEmitEvent(new RawJson("{\"a\":1}"));
  const config = hostConfigGet();
  return config.ok ? config.value!.length : <i32>config.status;
}
