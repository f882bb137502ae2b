//! The nine request kinds of the Chirp connector (samples/plugins/README.md).

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::api::{self, parse_body, Chirp, ACCESS_TOKEN_KEY, REFRESH_TOKEN_KEY};
use crate::error::{Failure, Outcome};
use crate::host::{self, Level};
use crate::percent::encode;
use crate::request::{self, required, Request, KNOWN_TYPES};
use crate::timestamp;
use crate::PLUGIN_ID;

const PLATFORM: &str = "chirp";
const STATS_KEY: &str = "stats:published";
/// Airlock rejects JSON nested deeper than 64 levels; an `ok` response adds one level around what
/// it carries.
const MAX_RESPONSE_DEPTH: usize = 64;

pub fn metadata_json() -> Vec<u8> {
    #[derive(Serialize)]
    struct Metadata {
        id: &'static str,
        name: &'static str,
        version: &'static str,
        author: &'static str,
        abi_version: u32,
    }
    to_json(&Metadata {
        id: PLUGIN_ID,
        name: "Chirp Connector (Rust)",
        version: "1.0.0",
        author: "Airlock Samples <samples@airlock.dev>",
        abi_version: 1,
    })
}

pub fn capabilities_json() -> Vec<u8> {
    #[derive(Serialize)]
    struct Capabilities {
        abi_version: u32,
        can_publish_text: bool,
        can_publish_image: bool,
        can_publish_video: bool,
        can_read_analytics: bool,
        can_manage_ads: bool,
        platforms: [&'static str; 1],
        required_network_domains: [&'static str; 1],
        needs_kv_store: bool,
    }
    to_json(&Capabilities {
        abi_version: 1,
        can_publish_text: true,
        can_publish_image: true,
        can_publish_video: false,
        can_read_analytics: true,
        can_manage_ads: false,
        platforms: [PLATFORM],
        required_network_domains: ["api.chirp.example"],
        needs_kv_store: true,
    })
}

fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_else(|e| {
        Failure::new("internal_error", format!("cannot serialise the response: {}", e), false).to_json()
    })
}

/// Events published on the bus; serde writes the `type` tag.
#[derive(Serialize)]
#[serde(tag = "type")]
enum Event<'a> {
    #[serde(rename = "post.published")]
    PostPublished { platform: &'a str, post_id: &'a str, url: &'a str },
    #[serde(rename = "post.deleted")]
    PostDeleted { platform: &'a str, post_id: &'a str },
    #[serde(rename = "comment.replied")]
    CommentReplied { platform: &'a str, comment_id: &'a str, reply_id: &'a str },
}

fn emit(event: &Event) {
    host::emit_event(&to_json(event));
}

/// Handles one request: the response JSON, `{"status":"ok",...}` or `{"status":"error",...}`.
pub fn handle(input: &[u8]) -> Vec<u8> {
    match dispatch(input) {
        Ok(mut fields) => {
            fields.insert("status".to_string(), Value::from("ok"));
            to_json(&fields)
        }
        Err(failure) => failure.to_json(),
    }
}

fn dispatch(input: &[u8]) -> Outcome<Map<String, Value>> {
    let kind = request::request_type(input)?;
    if !KNOWN_TYPES.contains(&kind.as_str()) {
        let shown: String = kind.chars().take(64).collect();
        host::log(Level::Debug, &format!("chirp: unsupported request type '{}'", shown));
        return Err(Failure::new("unsupported_request", format!("unsupported request type '{}'", shown), false));
    }
    host::log(Level::Debug, &format!("chirp: handling {} request", kind));
    match request::parse(input, &kind)? {
        Request::Publish { text, media_urls, hashtags, metadata: _ } => {
            publish(&text, media_urls.unwrap_or_default(), hashtags.unwrap_or_default())
        }
        Request::DeletePost { post_id } => delete_post(&post_id),
        Request::FetchComments { post_id, cursor } => fetch_comments(&post_id, cursor.as_deref()),
        Request::ReplyComment { comment_id, text } => reply_comment(&comment_id, &text),
        Request::FetchInsights { start, end } => fetch_insights(start, end),
        Request::FetchPostMetrics { post_id } => fetch_post_metrics(&post_id),
        Request::ExchangeCode { code, redirect_uri } => exchange_code(&code, &redirect_uri),
        Request::RefreshToken { refresh_token } => refresh(&refresh_token),
        Request::Custom { action, payload } => custom(&action, payload),
    }
}

/// Turns a `json!({...})` object into the fields of an ok response.
fn fields(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// `stats:published` as a number: absent or empty is 0; text that is not a decimal count is
/// taken as 0 with a warning (the counter restarts rather than blocking publishing).
fn read_published_count() -> Outcome<u64> {
    let bytes = match host::store_get(STATS_KEY) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(0),
        Err(code) => return Err(api::storage_failure(STATS_KEY, code)),
    };
    let text = std::str::from_utf8(&bytes).unwrap_or("").trim();
    if text.is_empty() {
        return Ok(0);
    }
    match text.parse::<u64>() {
        Ok(count) => Ok(count),
        Err(_) => {
            host::log(Level::Warn, "chirp: stats:published is not a decimal count; taking it as 0");
            Ok(0)
        }
    }
}

fn publish(text: &str, media_urls: Vec<String>, hashtags: Vec<String>) -> Outcome<Map<String, Value>> {
    required(text, "text")?;
    let chirp = Chirp::connect()?;
    // Read before any side effect: a failing read is answered before a post exists.
    let published = read_published_count()?;

    #[derive(Serialize)]
    struct CreatePost<'a> {
        text: &'a str,
        media_urls: &'a [String],
        hashtags: &'a [String],
    }
    #[derive(Deserialize)]
    struct Created {
        id: String,
        url: String,
    }
    let body = chirp.call("POST", "/v1/posts", Some(&CreatePost { text, media_urls: &media_urls, hashtags: &hashtags }))?;
    let created: Created = parse_body(&body, "create post")?;
    if created.id.is_empty() {
        return Err(Failure::platform_error("Chirp API returned an empty post id"));
    }

    #[derive(Serialize)]
    struct StoredPost<'a> {
        text: &'a str,
        hashtags: &'a [String],
    }
    host::store_set(&format!("post:{}", created.id), &to_json(&StoredPost { text, hashtags: &hashtags }));
    host::store_set(STATS_KEY, published.saturating_add(1).to_string().as_bytes());
    emit(&Event::PostPublished { platform: PLATFORM, post_id: &created.id, url: &created.url });
    host::log(Level::Info, &format!("chirp: published post {}", created.id));
    Ok(fields(json!({ "post_id": created.id, "url": created.url })))
}

fn delete_post(post_id: &str) -> Outcome<Map<String, Value>> {
    required(post_id, "post_id")?;
    let chirp = Chirp::connect()?;
    chirp.call::<()>("DELETE", &format!("/v1/posts/{}", encode(post_id)), None)?;
    host::store_set(&format!("post:{}", post_id), b"");
    emit(&Event::PostDeleted { platform: PLATFORM, post_id });
    Ok(fields(json!({ "post_id": post_id, "deleted": true })))
}

fn fetch_comments(post_id: &str, cursor: Option<&str>) -> Outcome<Map<String, Value>> {
    required(post_id, "post_id")?;
    let mut path = format!("/v1/posts/{}/comments", encode(post_id));
    // An empty cursor is taken as no cursor (the first page).
    if let Some(cursor) = cursor.filter(|c| !c.is_empty()) {
        path.push_str("?cursor=");
        path.push_str(&encode(cursor));
    }
    let chirp = Chirp::connect()?;
    #[derive(Deserialize)]
    struct Comments {
        comments: Vec<Value>,
        #[serde(default)]
        next_cursor: Option<String>,
    }
    let page: Comments = parse_body(&chirp.call::<()>("GET", &path, None)?, "list comments")?;
    if let Some(index) = page.comments.iter().position(|c| !is_comment(c)) {
        return Err(Failure::platform_error(format!(
            "Chirp API returned an unexpected list comments body: comment {} lacks a string id and text",
            index
        )));
    }
    let comments = Value::Array(page.comments);
    // "comments" sits two levels below the response object.
    if depth(&comments) + 1 > MAX_RESPONSE_DEPTH {
        return Err(Failure::platform_error("Chirp API returned comments nested too deeply to pass on"));
    }
    Ok(fields(json!({ "post_id": post_id, "comments": comments, "next_cursor": page.next_cursor })))
}

/// A comment is passed on as received, but it must have what Airlock's `Comment` needs: a
/// non-empty string `id`, a string `text`, and `author` / `created_at` (an ISO 8601 instant)
/// absent, null or strings. Other members are passed on untouched.
fn is_comment(comment: &Value) -> bool {
    let fields = match comment {
        Value::Object(fields) => fields,
        _ => return false,
    };
    let id_ok = matches!(fields.get("id"), Some(Value::String(id)) if !id.is_empty());
    let text_ok = matches!(fields.get("text"), Some(Value::String(_)));
    let author_ok = matches!(fields.get("author"), None | Some(Value::Null) | Some(Value::String(_)));
    let created_ok = match fields.get("created_at") {
        None | Some(Value::Null) => true,
        Some(Value::String(at)) => timestamp::parse(at).is_some(),
        Some(_) => false,
    };
    id_ok && text_ok && author_ok && created_ok
}

fn reply_comment(comment_id: &str, text: &str) -> Outcome<Map<String, Value>> {
    required(comment_id, "comment_id")?;
    required(text, "text")?;
    let chirp = Chirp::connect()?;
    #[derive(Serialize)]
    struct Reply<'a> {
        text: &'a str,
    }
    #[derive(Deserialize)]
    struct Created {
        id: String,
    }
    let path = format!("/v1/comments/{}/replies", encode(comment_id));
    let created: Created = parse_body(&chirp.call("POST", &path, Some(&Reply { text }))?, "reply")?;
    if created.id.is_empty() {
        return Err(Failure::platform_error("Chirp API returned an empty reply id"));
    }
    emit(&Event::CommentReplied { platform: PLATFORM, comment_id, reply_id: &created.id });
    Ok(fields(json!({ "comment_id": comment_id, "reply_id": created.id })))
}

fn fetch_insights(start: String, end: String) -> Outcome<Map<String, Value>> {
    required(&start, "start")?;
    required(&end, "end")?;
    let from = timestamp::parse(&start)
        .ok_or_else(|| Failure::invalid_request(format!("`start` is not an ISO 8601 instant: '{}'", start)))?;
    let to = timestamp::parse(&end)
        .ok_or_else(|| Failure::invalid_request(format!("`end` is not an ISO 8601 instant: '{}'", end)))?;
    if from > to {
        return Err(Failure::invalid_request("`start` is after `end`"));
    }
    let chirp = Chirp::connect()?;
    #[derive(Deserialize)]
    struct Insights {
        impressions: i64,
        engagements: i64,
        followers_gained: i64,
    }
    let path = format!("/v1/insights?start={}&end={}", encode(&start), encode(&end));
    let insights: Insights = parse_body(&chirp.call::<()>("GET", &path, None)?, "insights")?;
    Ok(fields(json!({
        "start": start,
        "end": end,
        "impressions": insights.impressions,
        "engagements": insights.engagements,
        "followers_gained": insights.followers_gained,
    })))
}

fn fetch_post_metrics(post_id: &str) -> Outcome<Map<String, Value>> {
    required(post_id, "post_id")?;
    let chirp = Chirp::connect()?;
    #[derive(Deserialize)]
    struct Metrics {
        likes: i64,
        shares: i64,
        comments: i64,
        impressions: i64,
    }
    let path = format!("/v1/posts/{}/metrics", encode(post_id));
    let metrics: Metrics = parse_body(&chirp.call::<()>("GET", &path, None)?, "post metrics")?;
    Ok(fields(json!({
        "post_id": post_id,
        "likes": metrics.likes,
        "shares": metrics.shares,
        "comments": metrics.comments,
        "impressions": metrics.impressions,
    })))
}

#[derive(Serialize)]
#[serde(tag = "grant_type", rename_all = "snake_case")]
enum TokenGrant<'a> {
    AuthorizationCode { code: &'a str, redirect_uri: &'a str },
    RefreshToken { refresh_token: &'a str },
}

/// `POST /oauth/token`, then stores both tokens. When a refresh answer carries no
/// `refresh_token`, the one that was sent stays valid and is kept.
fn token(grant: TokenGrant, current_refresh_token: Option<&str>) -> Outcome<Map<String, Value>> {
    let chirp = Chirp::connect()?;
    #[derive(Deserialize)]
    struct Tokens {
        access_token: String,
        #[serde(default)]
        refresh_token: Option<String>,
        expires_in: i64,
        token_type: String,
    }
    let tokens: Tokens = parse_body(&chirp.call("POST", "/oauth/token", Some(&grant))?, "token")?;
    let refresh = match (tokens.refresh_token, current_refresh_token) {
        (Some(token), _) if !token.is_empty() => token,
        (_, Some(current)) => current.to_string(),
        _ => return Err(Failure::platform_error("Chirp API returned no refresh_token")),
    };
    if tokens.access_token.is_empty() {
        return Err(Failure::platform_error("Chirp API returned an empty access_token"));
    }
    host::store_set(ACCESS_TOKEN_KEY, tokens.access_token.as_bytes());
    host::store_set(REFRESH_TOKEN_KEY, refresh.as_bytes());
    Ok(fields(json!({
        "access_token": tokens.access_token,
        "refresh_token": refresh,
        "expires_in": tokens.expires_in,
        "token_type": tokens.token_type,
    })))
}

fn exchange_code(code: &str, redirect_uri: &str) -> Outcome<Map<String, Value>> {
    required(code, "code")?;
    required(redirect_uri, "redirect_uri")?;
    let result = token(TokenGrant::AuthorizationCode { code, redirect_uri }, None)?;
    host::log(Level::Info, "chirp: exchanged an authorization code for tokens");
    Ok(result)
}

fn refresh(refresh_token: &str) -> Outcome<Map<String, Value>> {
    required(refresh_token, "refresh_token")?;
    let result = token(TokenGrant::RefreshToken { refresh_token }, Some(refresh_token))?;
    host::log(Level::Info, "chirp: refreshed the access token");
    Ok(result)
}

fn custom(action: &str, payload: Option<Value>) -> Outcome<Map<String, Value>> {
    required(action, "action")?;
    match action {
        "echo" => {
            let payload = payload.unwrap_or(Value::Null);
            if depth(&payload) + 1 > MAX_RESPONSE_DEPTH {
                return Err(Failure::invalid_request("the echo payload is nested too deeply to send back"));
            }
            Ok(fields(json!({ "action": "echo", "payload": payload })))
        }
        "stats" => Ok(fields(json!({ "action": "stats", "published": read_published_count()? }))),
        "crash" => {
            host::log(Level::Warn, "chirp: crashing on purpose (custom action 'crash')");
            crash()
        }
        other => {
            let shown: String = other.chars().take(64).collect();
            Err(Failure::new("unsupported_action", format!("unsupported custom action '{}'", shown), false))
        }
    }
}

/// The one deliberate trap: the host discards this instance and the next call gets a fresh one.
#[cfg(target_arch = "wasm32")]
fn crash() -> ! {
    core::arch::wasm32::unreachable()
}

#[cfg(not(target_arch = "wasm32"))]
fn crash() -> ! {
    std::process::abort()
}
