namespace Airlock.Services;

/// <summary>Whether <see cref="PluginEventBus.Publish"/> accepted an event.</summary>
public enum EventPublishStatus
{
    /// <summary>The bus accepted the event and queued it for every subscriber that had room.</summary>
    Published,

    /// <summary>The bus refused the event; <see cref="EventPublishResult.Code"/> says why. No subscriber sees it.</summary>
    Rejected,
}

/// <summary>The outcome of <see cref="PluginEventBus.Publish"/>.</summary>
public sealed class EventPublishResult
{
    /// <summary>The payload is larger than <see cref="PluginEventBusOptions.MaxEventBytes"/>.</summary>
    public const string EventTooLarge = "event_too_large";

    /// <summary>The payload is not a JSON object.</summary>
    public const string NotAnObject = "not_an_object";

    /// <summary>The plugin emitted more than <see cref="PluginEventBusOptions.MaxEventsPerSecondPerPlugin"/> events a second.</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>The bus has been disposed.</summary>
    public const string BusClosed = "bus_closed";

    private EventPublishResult(EventPublishStatus status, string? code, string? message, int deliveredTo, IReadOnlyList<string> droppedBy)
    {
        Status = status;
        Code = code;
        Message = message;
        DeliveredTo = deliveredTo;
        DroppedBy = droppedBy;
    }

    /// <summary>Whether the event was accepted.</summary>
    public EventPublishStatus Status { get; }

    /// <summary>Shorthand for <see cref="Status"/> being <see cref="EventPublishStatus.Published"/>.</summary>
    public bool IsPublished => Status == EventPublishStatus.Published;

    /// <summary>Why the event was rejected, one of the codes defined on this class; <see langword="null"/> if published.</summary>
    public string? Code { get; }

    /// <summary>What was wrong and what to do about it; <see langword="null"/> if published.</summary>
    public string? Message { get; }

    /// <summary>How many subscribers' queues took the event.</summary>
    public int DeliveredTo { get; }

    /// <summary>
    /// The names of the subscribers whose queue was full, so they will never see this event. The event still counts
    /// as published: the publisher is never held back by a slow subscriber.
    /// </summary>
    public IReadOnlyList<string> DroppedBy { get; }

    internal static EventPublishResult Published(int deliveredTo, IReadOnlyList<string>? droppedBy)
        => new(EventPublishStatus.Published, null, null, deliveredTo, droppedBy ?? []);

    internal static EventPublishResult Rejected(string code, string message)
        => new(EventPublishStatus.Rejected, code, message, 0, []);

    /// <summary>The outcome as one line.</summary>
    /// <returns>For example <c>published to 3 (dropped by audit)</c> or <c>rejected: rate_limited</c>.</returns>
    public override string ToString() => IsPublished
        ? $"published to {DeliveredTo}" + (DroppedBy.Count == 0 ? string.Empty : $" (dropped by {string.Join(", ", DroppedBy)})")
        : $"rejected: {Code}";
}
