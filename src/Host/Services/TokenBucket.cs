namespace Airlock.Services;

/// <summary>
/// A token bucket on <see cref="TimeProvider"/> timestamps, in exact integer arithmetic: it holds at most
/// <c>burst</c> tokens and gains <c>tokensPerSecond</c> a second. Not thread-safe; the owner locks.
/// </summary>
/// <remarks>
/// Credits are counted in units of (timestamp tick × token rate): every elapsed timestamp tick adds
/// <c>tokensPerSecond</c> credits and a token costs <c>TimestampFrequency</c> credits, so no rounding ever loses or
/// invents a token however the clock is advanced.
/// </remarks>
internal sealed class TokenBucket
{
    private readonly TimeProvider _time;
    private readonly long _tokensPerSecond;
    private readonly Int128 _tokenCost;
    private readonly Int128 _capacity;
    private Int128 _credits;
    private long _last;

    public TokenBucket(TimeProvider time, int tokensPerSecond, int burst)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokensPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        _time = time;
        _tokensPerSecond = tokensPerSecond;
        _tokenCost = time.TimestampFrequency;
        _capacity = _tokenCost * burst;
        _credits = _capacity;
        _last = time.GetTimestamp();
    }

    /// <summary>Takes one token if there is one.</summary>
    public bool TryTake()
    {
        long now = _time.GetTimestamp();
        if (now > _last)
        {
            Int128 credits = _credits + ((Int128)(now - _last) * _tokensPerSecond);
            _credits = credits > _capacity ? _capacity : credits;
            _last = now;
        }

        if (_credits < _tokenCost)
        {
            return false;
        }

        _credits -= _tokenCost;
        return true;
    }
}
