namespace Airlock.Security;

/// <summary>What an administrator decided in an <see cref="ApprovalQueue"/>.</summary>
public enum ApprovalVerdict
{
    /// <summary>A waiting request was approved; the plugin may load.</summary>
    Approved,

    /// <summary>A waiting request was denied; the plugin stays unapproved.</summary>
    Denied,

    /// <summary>Every approval of a plugin was revoked; it must not run until approved again.</summary>
    Revoked,
}
