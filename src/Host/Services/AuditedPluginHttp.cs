using Airlock.Abi;
using Airlock.Auditing;
using Airlock.Contracts.SocialScale;
using Airlock.Runtime;

namespace Airlock.Services;

/// <summary>
/// The one path a profile's outbound-HTTP host function takes (SocialScale's <c>host_http_request</c>, Samuel's
/// <c>net_outbound</c>): the plugin's request rate limit, the shared <see cref="PluginHttpClient"/> under the plugin's
/// URL policy and its call's deadline and cancellation, an audit record for every request sent or refused, and each
/// failure as a <see cref="HostCallException"/> with the <see cref="HostCallStatus"/> the guest receives.
/// </summary>
/// <param name="pluginId">The plugin (the rate-limit key and audit subject).</param>
/// <param name="version">The plugin's version, for the audit log.</param>
/// <param name="function">The host function's name, as audit actions spell it (<c>network.</c> + the name).</param>
/// <param name="http">The shared HTTP executor.</param>
/// <param name="rateLimiter">The per-plugin request limit.</param>
/// <param name="audit">Where requests are recorded; <see langword="null"/> for nowhere.</param>
/// <param name="time">The clock of audit timestamps.</param>
internal sealed class AuditedPluginHttp(string pluginId, string version, string function, PluginHttpClient http, PluginRateLimiter rateLimiter, IAuditLog? audit, TimeProvider time)
{
    /// <summary>Sends <paramref name="request"/> for the plugin running on <paramref name="guest"/>.</summary>
    /// <param name="guest">The calling instance: its remaining time bounds the exchange, its token cancels it.</param>
    /// <param name="request">The plugin's request.</param>
    /// <param name="policy">The hosts the plugin may reach.</param>
    /// <returns>The response; any HTTP status is a response.</returns>
    /// <exception cref="HostCallException">The request was refused or failed; its status is the guest's answer.</exception>
    /// <exception cref="PluginTimeoutException">The call's own deadline cut the exchange short.</exception>
    /// <exception cref="OperationCanceledException">The call was cancelled during the exchange.</exception>
    public HostHttpResponse Send(GuestContext guest, HostHttpRequest request, DomainAllowlist policy)
    {
        ArgumentNullException.ThrowIfNull(guest);
        ArgumentNullException.ThrowIfNull(request);
        RateLimitDecision limit = rateLimiter.TryAcquire(pluginId);
        if (!limit.Allowed)
        {
            Diagnostics.AirlockInstruments.Of(guest).Limited(pluginId, "http");
            string retry = limit.RetryAfter is { } after ? $"; retry after {after.TotalSeconds:0} s" : string.Empty;
            Audit(WithoutQuery(request.Url), false, $"rate_limit_exceeded: {limit.Limit} requests per {limit.Window.TotalMinutes:0} min{retry}");
            throw new HostCallException(HostCallStatus.RateLimited, $"rate_limit_exceeded: plugin '{pluginId}' may make {limit.Limit} requests per {limit.Window.TotalMinutes:0} minutes{retry}.") { RetryAfter = limit.RetryAfter };
        }

        PluginHttpResult result;
        try
        {
            result = http.Send(request, policy, guest.RemainingTime, guest.CancellationToken);
        }
        catch (OperationCanceledException) when (guest.CancellationToken.IsCancellationRequested)
        {
            // The call ends as cancelled (OperationCanceledException); the request it cut short is still on record.
            Audit(WithoutQuery(request.Url), true, "cancelled: the plugin's call was cancelled during the request");
            throw;
        }

        for (int i = 0; i < result.Hops.Count; i++)
        {
            PluginHttpHop hop = result.Hops[i];
            string outcome = hop.Status is { } status ? $"{hop.Method} {hop.Host} → {status}, {hop.ResponseBytes} bytes" : $"{hop.Method} {hop.Host}: {hop.Detail}";

            // A response that failed after its status arrived (timed out, cut short, too large) says so.
            if (!result.IsSuccess && i == result.Hops.Count - 1 && hop.Status is not null)
            {
                outcome += $" ({result.ErrorCode})";
            }

            Audit(hop.Url, hop.Allowed, outcome);
        }

        if (result.IsSuccess)
        {
            return result.Response!;
        }

        if (result.Hops.Count == 0)
        {
            Audit(WithoutQuery(request.Url), false, result.ErrorCode + ": " + result.ErrorMessage);
        }

        if (result.ErrorCode == PluginHttpErrors.Timeout)
        {
            // Cut short by the call's own deadline: the call is over, whatever the guest would do next.
            guest.ThrowIfDeadlinePassed();
        }

        HostCallStatus code = result.ErrorCode switch
        {
            "domain_not_allowed" or "ip_literal" or "address_not_allowed" or "redirect_not_allowed" => HostCallStatus.PermissionDenied,
            "invalid_request" => HostCallStatus.InvalidArgument,
            "response_too_large" => HostCallStatus.TooLarge,
            _ => HostCallStatus.Unavailable,
        };
        if (code == HostCallStatus.PermissionDenied)
        {
            Diagnostics.AirlockInstruments.Of(guest).Denied(pluginId, "http");
        }

        throw new HostCallException(code, $"{result.ErrorCode}: {result.ErrorMessage}");
    }

    /// <summary>A URL as the audit log keeps it: without its query string (which often carries keys), sanitised.</summary>
    /// <param name="url">The plugin's URL.</param>
    public static string WithoutQuery(string url)
    {
        int query = url.IndexOfAny(['?', '#']);
        return PluginText.Sanitize(query < 0 ? url : url[..query] + "?…", 300);
    }

    private void Audit(string target, bool allowed, string? detail)
        => audit?.RecordHostCall(new AuditEntry(time.GetUtcNow(), pluginId, version, "network." + function, target, allowed, detail));
}
