using IdentityProvider.Login;

namespace IdentityProvider.Tests.Login;

/// <summary>Password hashes run at most one per core at a time; the others wait without a thread.</summary>
public sealed class PasswordHashSlotsTests
{
    [Test]
    public async Task ManySignIns_HashAtMostOnePerCoreAtATime_AndAllComplete()
    {
        var slots = new PasswordHashSlots();
        var running = 0;
        var most = 0;
        var release = new ManualResetEventSlim();

        int Hash(int n)
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            release.Wait(TimeSpan.FromSeconds(10));
            Interlocked.Decrement(ref running);
            return n;
        }

        // Each sign-in on its own thread: without the slots every one of them would be hashing at once.
        var signIns = Enumerable.Range(0, Environment.ProcessorCount * 4)
            .Select(n => Task.Factory.StartNew(() => slots.RunAsync(() => Hash(n), CancellationToken.None), TaskCreationOptions.LongRunning).Unwrap())
            .ToList();
        SpinWait.SpinUntil(() => Volatile.Read(ref running) >= Environment.ProcessorCount, TimeSpan.FromSeconds(10));
        await Task.Delay(300);
        var whileBlocked = Volatile.Read(ref running);
        release.Set();
        var results = await Task.WhenAll(signIns).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Multiple(() =>
        {
            Assert.That(whileBlocked, Is.EqualTo(Environment.ProcessorCount), "one hash per core runs, the rest wait");
            Assert.That(most, Is.EqualTo(Environment.ProcessorCount));
            Assert.That(results, Is.EquivalentTo(Enumerable.Range(0, Environment.ProcessorCount * 4)));
        });
    }

    [Test]
    public async Task WaitingSignIn_WhoseRequestIsAborted_LeavesWithoutTakingASlot()
    {
        var slots = new PasswordHashSlots();
        using var release = new ManualResetEventSlim();
        using var hashing = new CountdownEvent(Environment.ProcessorCount);
        var busy = Enumerable.Range(0, Environment.ProcessorCount)
            .Select(_ => Task.Run(() => slots.RunAsync(() => { hashing.Signal(); return release.Wait(TimeSpan.FromSeconds(10)); }, CancellationToken.None)))
            .ToList();
        Assert.That(hashing.Wait(TimeSpan.FromSeconds(10)), Is.True, "every slot is taken");
        using var aborted = new CancellationTokenSource();

        var waiting = slots.RunAsync(() => true, aborted.Token);
        aborted.Cancel();

        Assert.That(async () => await waiting, Throws.InstanceOf<OperationCanceledException>());
        release.Set();
        await Task.WhenAll(busy);
        Assert.That(await slots.RunAsync(() => 42, CancellationToken.None), Is.EqualTo(42));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
