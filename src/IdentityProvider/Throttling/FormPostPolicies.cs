using Microsoft.Extensions.Options;

namespace IdentityProvider.Throttling;

/// <summary>
/// The <see cref="ThrottledForms"/> policies with the configured limits; a singleton, so that the
/// windows' timers stop with the host.
/// </summary>
public sealed class FormPostPolicies(IOptions<RateLimitOptions> options, ILogger<FormPostPolicy> logger) : IDisposable
{
    public FormPostPolicy Login { get; } = new(options.Value.Login, logger);

    public FormPostPolicy ForgotPassword { get; } = new(options.Value.ForgotPassword, logger);

    public void Dispose()
    {
        Login.Dispose();
        ForgotPassword.Dispose();
    }
}
