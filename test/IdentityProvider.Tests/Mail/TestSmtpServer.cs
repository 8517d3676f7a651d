using System.Buffers;
using System.Net;
using MimeKit;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;
using SmtpHost = SmtpServer.SmtpServer;
using SmtpServices = SmtpServer.ComponentModel.ServiceProvider;

namespace IdentityProvider.Tests.Mail;

/// <summary>
/// A real SMTP server (the SmtpServer library) in the test process, on a loopback port the OS picks,
/// that keeps what it receives. <c>RecipientReply</c> decides RCPT TO: null accepts, a response rejects.
/// </summary>
internal sealed class TestSmtpServer : IAsyncDisposable
{
    private readonly SmtpHost server;
    private readonly Task running;
    private readonly TaskCompletionSource<MimeMessage> received;

    private TestSmtpServer(SmtpHost server, Task running, TaskCompletionSource<MimeMessage> received, int port)
    {
        this.server = server;
        this.running = running;
        this.received = received;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The first message stored; completes when the server has it.</summary>
    public Task<MimeMessage> Received => received.Task;

    public static async Task<TestSmtpServer> StartAsync(Func<IMailbox, SmtpResponse?>? recipientReply = null)
    {
        var received = new TaskCompletionSource<MimeMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        // Port 0: the listener reports the port it got, so there is no window in which another
        // process could take a port we picked.
        var listeners = new EndpointListenerFactory();
        listeners.EndpointStarted += (_, e) => started.TrySetResult(((IPEndPoint)e.LocalEndPoint).Port);

        var options = new SmtpServerOptionsBuilder()
            .ServerName("test-smtp")
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, 0)))
            .Build();
        var services = new SmtpServices();
        services.Add(listeners);
        services.Add(new CollectingStore(received));
        services.Add(new RecipientFilter(recipientReply ?? (_ => null)));

        var server = new SmtpHost(options, services);
        var running = server.StartAsync(CancellationToken.None);
        var port = await Task.WhenAny(started.Task, running) == started.Task
            ? await started.Task
            : throw new InvalidOperationException("The test SMTP server stopped before listening.", running.Exception);
        return new TestSmtpServer(server, running, received, port);
    }

    public async ValueTask DisposeAsync()
    {
        server.Shutdown();
        await server.ShutdownTask.WaitAsync(TimeSpan.FromSeconds(5));
        await running.WaitAsync(TimeSpan.FromSeconds(5));
    }

    private sealed class CollectingStore(TaskCompletionSource<MimeMessage> received) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            received.TrySetResult(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpResponse.Ok;
        }
    }

    private sealed class RecipientFilter(Func<IMailbox, SmtpResponse?> reply) : MailboxFilter
    {
        public override Task<bool> CanDeliverToAsync(
            ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
            reply(to) is { } rejection ? throw new SmtpResponseException(rejection) : Task.FromResult(true);
    }
}
