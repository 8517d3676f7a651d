using IdentityProvider.Hosting;

namespace IdentityProvider.Tests.Hosting;

/// <summary>
/// <see cref="SqliteWriter"/> runs every write on its one thread, in the order queued, under the
/// caller's execution context; a failure reaches its caller and not the next write; writes queued
/// before the host stops still run.
/// </summary>
public sealed class SqliteWriterTests
{
    [Test]
    public async Task Writes_RunOnTheWritersOneThread_InTheOrderQueued()
    {
        using var writer = new SqliteWriter();
        var order = new List<int>();
        var writes = Enumerable.Range(0, 50)
            .Select(i => writer.RunAsync(() =>
            {
                order.Add(i);
                return Environment.CurrentManagedThreadId;
            }))
            .ToList();

        var threads = await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Multiple(() =>
        {
            Assert.That(threads.Distinct(), Is.EqualTo(new[] { writer.ThreadId }));
            Assert.That(writer.ThreadId, Is.Not.EqualTo(Environment.CurrentManagedThreadId));
            Assert.That(order, Is.EqualTo(Enumerable.Range(0, 50)));
            Assert.That(writer.Completed, Is.EqualTo(50));
        });
    }

    [Test]
    public async Task AFailedWrite_FailsItsCaller_AndTheNextWriteRuns()
    {
        using var writer = new SqliteWriter();
        var failed = writer.RunAsync<int>(() => throw new InvalidOperationException("constraint"));
        var next = writer.RunAsync(() => 7);

        var thrown = Assert.ThrowsAsync<InvalidOperationException>(() => failed.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.That(thrown!.Message, Is.EqualTo("constraint"));
        Assert.That(await next.WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo(7));
    }

    private static readonly AsyncLocal<string?> Request = new();

    [Test]
    public async Task AWrite_SeesItsCallersExecutionContext()
    {
        using var writer = new SqliteWriter();
        Request.Value = "request-1";
        var first = writer.RunAsync(() => Request.Value);
        Request.Value = "request-2";
        var second = writer.RunAsync(() => Request.Value);
        Request.Value = null;

        Assert.That(await first.WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo("request-1"));
        Assert.That(await second.WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo("request-2"));
    }

    [Test]
    public async Task Dispose_RunsTheWritesAlreadyQueued_ThenRefusesNewOnes()
    {
        var writer = new SqliteWriter();
        using var release = new ManualResetEventSlim();
        var blocking = writer.RunAsync(() => release.Wait(TimeSpan.FromSeconds(10)));
        var queued = Enumerable.Range(0, 5).Select(i => writer.RunAsync(() => i)).ToList();

        var stopping = Task.Run(writer.Dispose);
        await Task.Delay(100);
        Assert.That(stopping.IsCompleted, Is.False, "Dispose waits for the queued writes");
        release.Set();
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Multiple(() =>
        {
            Assert.That(blocking.IsCompletedSuccessfully && blocking.Result, Is.True);
            Assert.That(queued.Select(t => t.IsCompletedSuccessfully ? t.Result : -1), Is.EqualTo(Enumerable.Range(0, 5)));
            Assert.That(() => writer.RunAsync(() => 0), Throws.InstanceOf<ObjectDisposedException>());
        });
    }
}
