namespace IdentityProvider.Lockout;

/// <summary>What counting one failure did to an account, an address or a device cookie.</summary>
public enum FailureResult
{
    /// <summary>Counted; still below the limit.</summary>
    Counted,

    /// <summary>This failure reached the limit: the caller announces the lock (mail, audit).</summary>
    LockedNow,

    /// <summary>Locked before this failure, which was not counted.</summary>
    AlreadyLocked,
}
