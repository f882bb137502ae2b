using System.Text.Json;
using System.Text.Json.Nodes;
using Airlock.Abi;
using Airlock.Contracts.SocialScale;

namespace Airlock.Contracts.Tests;

/// <summary>The SocialScale wire format and the ABI's small value types.</summary>
public sealed class WireFormatTests
{
    [Fact]
    public void Requests_are_snake_case_with_the_type_discriminator()
    {
        string json = JsonSerializer.Serialize<PluginRequest>(new PublishRequest("Hi", Hashtags: ["a"], Metadata: new JsonObject { ["k"] = 1 }), SocialScaleJsonContext.Default.PluginRequest);
        Assert.Equal("""{"type":"publish","text":"Hi","metadata":{"k":1},"media_urls":[],"hashtags":["a"]}""", json);

        string insights = JsonSerializer.Serialize<PluginRequest>(new FetchInsightsRequest(new DateTimeOffset(2026, 11, 1, 1, 0, 0, TimeSpan.FromHours(1)), new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero)), SocialScaleJsonContext.Default.PluginRequest);
        Assert.Equal("""{"type":"fetch_insights","start":"2026-11-01T00:00:00Z","end":"2026-11-02T00:00:00Z"}""", insights);
    }

    [Theory]
    [InlineData("""{"post_id":"p1","cursor":null,"type":"fetch_comments"}""", typeof(FetchCommentsRequest))]
    [InlineData("""{"type":"custom","action":"echo","payload":{"x":[1]}}""", typeof(CustomRequest))]
    [InlineData("""{"refresh_token":"r","type":"refresh_token"}""", typeof(RefreshTokenRequest))]
    public void Requests_are_read_with_the_discriminator_anywhere(string json, Type expected)
    {
        PluginRequest? request = JsonSerializer.Deserialize(json, SocialScaleJsonContext.Default.PluginRequest);
        Assert.IsType(expected, request);
    }

    [Fact]
    public void Results_need_only_what_the_SocialScale_documents_define()
    {
        // The documents show post_id (and url) for publish and name no field of the other results:
        // a connector that reports only what its platform has must not fail to deserialize.
        FetchPostMetricsResult metrics = JsonSerializer.Deserialize("""{"status":"ok","likes":3}""", SocialScaleJsonContext.Default.FetchPostMetricsResult)!;
        Assert.Equal((3L, null, null, null), (metrics.Likes, metrics.Shares, metrics.Comments, metrics.Impressions));
        FetchInsightsResult insights = JsonSerializer.Deserialize("""{"status":"ok"}""", SocialScaleJsonContext.Default.FetchInsightsResult)!;
        Assert.Null(insights.Impressions);
        Assert.Null(insights.Engagements);
        FetchCommentsResult comments = JsonSerializer.Deserialize("""{"status":"ok","next_cursor":null}""", SocialScaleJsonContext.Default.FetchCommentsResult)!;
        Assert.Empty(comments.Comments);
        Assert.Null(JsonSerializer.Deserialize("""{"status":"ok"}""", SocialScaleJsonContext.Default.ReplyCommentResult)!.ReplyId);
        Assert.True(JsonSerializer.Deserialize("""{"status":"ok"}""", SocialScaleJsonContext.Default.DeletePostResult)!.Deleted);
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize("""{"status":"ok","url":"https://x"}""", SocialScaleJsonContext.Default.PublishResult));
    }

    [Fact]
    public void Every_case_round_trips()
    {
        PluginRequest[] requests =
        [
            new PublishRequest("t", ["https://m"], ["h"]), new DeletePostRequest("p"), new FetchCommentsRequest("p", "c"),
            new ReplyCommentRequest("c", "t"), new FetchInsightsRequest(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddDays(1)),
            new FetchPostMetricsRequest("p"), new ExchangeCodeRequest("code", "https://r"), new RefreshTokenRequest("r"), new CustomRequest("a"),
        ];
        foreach (PluginRequest request in requests)
        {
            string json = JsonSerializer.Serialize(request, SocialScaleJsonContext.Default.PluginRequest);
            PluginRequest back = JsonSerializer.Deserialize(json, SocialScaleJsonContext.Default.PluginRequest)!;
            Assert.Equal(JsonSerializer.Serialize(back, SocialScaleJsonContext.Default.PluginRequest), json);
        }
    }

    [Fact]
    public void Tokens_never_appear_in_the_result_text()
    {
        var token = new OAuthTokenResult("secret-access", "secret-refresh", 60, "Bearer");
        Assert.DoesNotContain("secret", token.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0u, 0u, 0L)]
    [InlineData(0x10u, 0x20u, 0x0000_0010_0000_0020L)]
    [InlineData(0xFFFF_FFFFu, 0xFFFF_FFFFu, -1L)]
    public void Buffers_pack_as_unsigned_halves(uint pointer, uint length, long packed)
    {
        var buffer = new GuestBuffer(pointer, length);
        Assert.Equal(packed, buffer.Pack());
        Assert.Equal(buffer, GuestBuffer.Unpack(packed));
    }

    [Fact]
    public void Function_types_compare_by_value_and_print_like_wat()
    {
        var type = new WasmFunctionType([WasmValueType.I32, WasmValueType.I32], [WasmValueType.I64]);
        Assert.Equal(new WasmFunctionType([WasmValueType.I32, WasmValueType.I32], [WasmValueType.I64]), type);
        Assert.Equal("(i32, i32) -> i64", type.ToString());
        Assert.Equal("() -> ()", new WasmFunctionType([], []).ToString());
    }

    [Fact]
    public void Limits_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => (PluginLimits.Default with { MemoryBytes = 3L * 1024 * 1024 * 1024 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (PluginLimits.Default with { Timeout = TimeSpan.Zero }).Validate());
        PluginLimits.Default.Validate();
        Assert.Equal(64L * 1024 * 1024, PluginLimits.Default.MemoryBytes);
    }
}
