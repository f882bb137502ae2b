namespace Airlock.Benchmarks.Plugins;

/// <summary>The correctness checks the benchmarks run in their setup, so a broken path fails even a quick run.</summary>
public static class Check
{
    /// <summary>Fails unless the two paths gave the same answer.</summary>
    /// <typeparam name="T">The answer's type.</typeparam>
    /// <param name="what">What was compared.</param>
    /// <param name="handWritten">The hand-written path's answer.</param>
    /// <param name="generated">The generated path's answer.</param>
    public static void Same<T>(string what, T handWritten, T generated)
    {
        if (!EqualityComparer<T>.Default.Equals(handWritten, generated))
        {
            throw new InvalidOperationException($"{what}: the hand-written path answered '{handWritten}' but the generated path answered '{generated}'.");
        }
    }

    /// <summary>Fails unless <paramref name="condition"/> holds.</summary>
    /// <param name="condition">The condition.</param>
    /// <param name="problem">What is wrong when it does not.</param>
    public static void That(bool condition, string problem)
    {
        if (!condition)
        {
            throw new InvalidOperationException(problem);
        }
    }

    /// <summary>Fails unless <paramref name="call"/> throws <typeparamref name="TException"/>; returns it.</summary>
    /// <typeparam name="TException">The exception expected.</typeparam>
    /// <param name="what">What was called, for the failure.</param>
    /// <param name="call">The call.</param>
    public static TException Throws<TException>(string what, Action call)
        where TException : Exception
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            call();
        }
        catch (TException expected)
        {
            return expected;
        }
        catch (Exception other)
        {
            throw new InvalidOperationException($"{what}: expected {typeof(TException).Name} but got {other.GetType().Name}: {other.Message}", other);
        }

        throw new InvalidOperationException($"{what}: expected {typeof(TException).Name} but nothing was thrown.");
    }
}
