namespace IdentityProvider.Login;

/// <summary>
/// At most one password-hash computation per core at a time. A password check is tens of
/// milliseconds of pure CPU (Argon2id with <c>Passwords:Argon2id</c>'s parameters) on a thread-pool
/// thread; under a burst of sign-ins every pool thread would end up hashing, the pool would inject
/// more threads to keep up, and everything else on the node — token refreshes, pages, health
/// checks — would queue behind them. Here the surplus sign-ins wait without a thread until a core
/// is free; the hash itself still runs on the request's thread.
/// <para>
/// It also bounds memory: each Argon2id computation holds its <c>MemorySizeKiB</c> for as long as
/// it runs, so sign-ins never hold more than that times the core count for hashing (19 MiB × cores
/// with the default), however many arrive at once. (A password reset or an operator's new user
/// hashes outside the slots: one hash per such request, and they are rare.)
/// </para>
/// </summary>
public sealed class PasswordHashSlots
{
    private readonly SemaphoreSlim slots = new(Environment.ProcessorCount, Environment.ProcessorCount);

    public async Task<T> RunAsync<T>(Func<T> hash, CancellationToken cancellationToken)
    {
        await slots.WaitAsync(cancellationToken);
        try
        {
            return hash();
        }
        finally
        {
            slots.Release();
        }
    }
}
