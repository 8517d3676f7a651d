namespace IdentityProvider.Login;

/// <summary>
/// At most one password-hash computation per core at a time. A password check is ~50 ms of pure CPU
/// (PBKDF2, 100,000 iterations) on a thread-pool thread; under a burst of sign-ins every pool thread
/// ends up hashing, the pool injects more threads to keep up, and everything else on the node — token
/// refreshes, pages, health checks — queues behind them. Here the surplus sign-ins wait without a
/// thread until a core is free; the hash itself still runs on the request's thread.
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
