using System.Collections.Concurrent;

namespace IdentityProvider.Tests.Durability;

/// <summary>
/// What the crash test's clients were told: every completed request that promised a write (a
/// sign-in, a mail request, a refresh chain's newest token), the counts, and every broken promise
/// seen while the load ran. Shared by the workers; everything here is thread-safe.
/// </summary>
public sealed class CrashLedger
{
    private readonly ConcurrentQueue<string> violations = new();
    private readonly ConcurrentQueue<SignIn> signIns = new();
    private readonly ConcurrentQueue<MailRequest> mailRequests = new();
    private readonly ConcurrentQueue<RefreshChain> chains = new();
    private long inFlight;
    private long answered;
    private long refreshes;
    private long lost;
    private long spentByLostRequest;
    private long notSpentByLostRequest;
    private long unexpected;

    /// <summary>A sign-in whose login form post was answered with the redirect back to the authorization request.</summary>
    public sealed record SignIn(string UserAgent, string Email, int Run);

    /// <summary>A forgot-password post answered with the redirect to the "sent" page, and when it was sent and answered.</summary>
    public sealed record MailRequest(string UserAgent, string Email, DateTimeOffset SentAt, DateTimeOffset AnsweredAt, int Run);

    public IReadOnlyCollection<string> Violations => violations;

    public IReadOnlyCollection<SignIn> SignIns => signIns;

    public IReadOnlyCollection<MailRequest> MailRequests => mailRequests;

    public IReadOnlyCollection<RefreshChain> Chains => chains;

    /// <summary>Requests sent and not yet answered (or given up): the load in flight when the server is killed.</summary>
    public long InFlight => Interlocked.Read(ref inFlight);

    /// <summary>Requests of any kind that got a complete answer.</summary>
    public long AnsweredRequests => Interlocked.Read(ref answered);

    /// <summary>Refresh-token requests answered with 200 and a new refresh token.</summary>
    public long Refreshes => Interlocked.Read(ref refreshes);

    /// <summary>Requests that got no complete answer.</summary>
    public long Lost => Interlocked.Read(ref lost);

    /// <summary>Codes and refresh tokens whose unanswered request had redeemed them (their retry was refused).</summary>
    public long SpentByLostRequest => Interlocked.Read(ref spentByLostRequest);

    /// <summary>Codes and refresh tokens whose unanswered request had not redeemed them (their retry was answered).</summary>
    public long NotSpentByLostRequest => Interlocked.Read(ref notSpentByLostRequest);

    /// <summary>Answers that are neither the promised success nor an allowed refusal (5xx, a wrong page): counted, and each a violation.</summary>
    public long Unexpected => Interlocked.Read(ref unexpected);

    public void Sending() => Interlocked.Increment(ref inFlight);

    public void Finished(bool gotAnswer)
    {
        Interlocked.Decrement(ref inFlight);
        if (gotAnswer)
        {
            Interlocked.Increment(ref answered);
        }
    }

    public void LostRequest() => Interlocked.Increment(ref lost);

    public void Completed(SignIn signIn) => signIns.Enqueue(signIn);

    public void Completed(MailRequest request) => mailRequests.Enqueue(request);

    public void Started(RefreshChain chain) => chains.Enqueue(chain);

    public void Refreshed() => Interlocked.Increment(ref refreshes);

    public void RetriedAfterLoss(bool spent)
    {
        if (spent)
        {
            Interlocked.Increment(ref spentByLostRequest);
        }
        else
        {
            Interlocked.Increment(ref notSpentByLostRequest);
        }
    }

    public void Violation(string what) => violations.Enqueue(what);

    public void UnexpectedAnswer(string what)
    {
        Interlocked.Increment(ref unexpected);
        violations.Enqueue("unexpected answer: " + what);
    }

    /// <summary>The counts of completed requests, for the test's log.</summary>
    public Snapshot Counts() => new(Refreshes, SignIns.Count, MailRequests.Count);

    public sealed record Snapshot(long Refreshes, long SignIns, long MailRequests)
    {
        public Snapshot Since(Snapshot earlier) => new(Refreshes - earlier.Refreshes, SignIns - earlier.SignIns, MailRequests - earlier.MailRequests);

        public override string ToString() => $"{Refreshes} refreshes, {SignIns} sign-ins, {MailRequests} mail requests answered";
    }
}
