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
/// A real SMTP server (the SmtpServer library) in the test process, on a loopback port the OS picks
/// (or the port of a server it replaces), that keeps what it receives. <c>RecipientReply</c> decides
/// RCPT TO: null accepts, a response rejects. <see cref="StopAccepting"/> takes it down as an outage would.
/// </summary>
internal sealed class TestSmtpServer : IAsyncDisposable
{
    private readonly SmtpHost server;
    private readonly Task running;
    private readonly Inbox inbox;

    private TestSmtpServer(SmtpHost server, Task running, Inbox inbox, int port)
    {
        this.server = server;
        this.running = running;
        this.inbox = inbox;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The first message stored; completes when the server has it.</summary>
    public Task<MimeMessage> Received => inbox.First.Task;

    /// <summary>Every message stored so far, in the order they arrived.</summary>
    public IReadOnlyList<MimeMessage> Messages => inbox.Snapshot();

    /// <param name="recipientReply">Null accepts a recipient; a response refuses it.</param>
    /// <param name="port">0 for a port the OS picks; a stopped server's port to stand in for it.</param>
    /// <param name="onStored">Called after each message is stored and before 250 is answered.</param>
    public static async Task<TestSmtpServer> StartAsync(
        Func<IMailbox, SmtpResponse?>? recipientReply = null, int port = 0, Action<TestSmtpServer, MimeMessage>? onStored = null)
    {
        var started = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        // Port 0: the listener reports the port it got, so there is no window in which another
        // process could take a port we picked.
        var listeners = new EndpointListenerFactory();
        listeners.EndpointStarted += (_, e) => started.TrySetResult(((IPEndPoint)e.LocalEndPoint).Port);

        var options = new SmtpServerOptionsBuilder()
            .ServerName("test-smtp")
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
            .Build();
        var inbox = new Inbox();
        TestSmtpServer? self = null;
        var services = new SmtpServices();
        services.Add(listeners);
        services.Add(new CollectingStore(inbox, message => onStored?.Invoke(self!, message)));
        services.Add(new RecipientFilter(inbox, recipientReply ?? (_ => null)));

        var server = new SmtpHost(options, services);
        var running = server.StartAsync(CancellationToken.None);
        var boundPort = await Task.WhenAny(started.Task, running) == started.Task
            ? await started.Task
            : throw new InvalidOperationException("The test SMTP server stopped before listening.", running.Exception);
        self = new TestSmtpServer(server, running, inbox, boundPort);
        return self;
    }

    /// <summary>Completes when <paramref name="count"/> messages have been stored in all.</summary>
    public Task WaitForCountAsync(int count) => inbox.WaitForCountAsync(count);

    /// <summary>
    /// An outage from now on: the listener closes, and a session that still gets in is answered
    /// 421 (service not available, RFC 5321 §3.8). The session in progress completes.
    /// </summary>
    public void StopAccepting()
    {
        inbox.Stopped = true;
        server.Shutdown();
    }

    public async ValueTask DisposeAsync()
    {
        StopAccepting();
        await server.ShutdownTask.WaitAsync(TimeSpan.FromSeconds(5));
        await running.WaitAsync(TimeSpan.FromSeconds(5));
    }

    private sealed class Inbox
    {
        private readonly List<MimeMessage> messages = [];
        private readonly List<(int Count, TaskCompletionSource Reached)> waiters = [];

        public TaskCompletionSource<MimeMessage> First { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public volatile bool Stopped;

        public void Add(MimeMessage message)
        {
            lock (messages)
            {
                messages.Add(message);
                foreach (var waiter in waiters.Where(w => w.Count <= messages.Count))
                {
                    waiter.Reached.TrySetResult();
                }
            }

            First.TrySetResult(message);
        }

        public IReadOnlyList<MimeMessage> Snapshot()
        {
            lock (messages)
            {
                return [.. messages];
            }
        }

        public Task WaitForCountAsync(int count)
        {
            lock (messages)
            {
                if (messages.Count >= count)
                {
                    return Task.CompletedTask;
                }

                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                waiters.Add((count, reached));
                return reached.Task;
            }
        }
    }

    private sealed class CollectingStore(Inbox inbox, Action<MimeMessage> onStored) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            inbox.Add(message);
            onStored(message);
            return SmtpResponse.Ok;
        }
    }

    private sealed class RecipientFilter(Inbox inbox, Func<IMailbox, SmtpResponse?> reply) : MailboxFilter
    {
        public override Task<bool> CanDeliverToAsync(
            ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken)
        {
            if (inbox.Stopped)
            {
                throw new SmtpResponseException(new SmtpResponse(SmtpReplyCode.ServiceUnavailable, "test server stopped"));
            }

            return reply(to) is { } rejection ? throw new SmtpResponseException(rejection) : Task.FromResult(true);
        }
    }
}
