namespace Airlock.Contracts.SocialScale;

/// <summary>The levels of <c>host_log</c>.</summary>
public enum PluginLogLevel
{
    /// <summary>0: trace.</summary>
    Trace = 0,

    /// <summary>1: debug.</summary>
    Debug = 1,

    /// <summary>2: information.</summary>
    Info = 2,

    /// <summary>3: warning.</summary>
    Warn = 3,

    /// <summary>4: error.</summary>
    Error = 4,
}
