using System.Security.Cryptography;
using IdentityProvider.Audit;
using IdentityProvider.Data;
using Microsoft.AspNetCore.Identity;

namespace IdentityProvider.TwoFactor;

/// <summary>
/// A user's two-step verification registration. <see cref="ResetAsync"/> is the one way to
/// clear it, whichever flow asks (forgotten password, login-method change, e-mail change), so that
/// every reset clears the same things and is audited the same way.
/// </summary>
public sealed partial class TwoFactorRegistration(IUserStore<ApplicationUser> store, AuditLog audit, ILogger<TwoFactorRegistration> logger)
{
    // The names UserManager stores the authenticator key and recovery codes under (internal constants there).
    private const string IdentityTokenProvider = "[AspNetUserStore]";
    private const string AuthenticatorKey = "AuthenticatorKey";
    private const string RecoveryCodes = "RecoveryCodes";

    /// <summary>
    /// Clears the registration of a tracked user in the caller's unit of work (the caller saves):
    /// 2FA off, authenticator key and recovery codes removed, phone unconfirmed, one-time-code
    /// failures forgotten, and a new security stamp, which ends remembered browsers and sessions.
    /// The next sign-in registers again.
    /// </summary>
    public async Task<TwoFactorReset> ResetAsync(ApplicationUser user, string reason, CancellationToken cancellationToken)
    {
        var tokens = (IUserAuthenticationTokenStore<ApplicationUser>)store;
        var hadAuthenticator = await tokens.GetTokenAsync(user, IdentityTokenProvider, AuthenticatorKey, cancellationToken) is not null;
        var formerPhone = user.PhoneNumberConfirmed ? user.PhoneNumber : null;
        var hadRegistration = user.TwoFactorEnabled || hadAuthenticator || formerPhone is not null;

        await ((IUserTwoFactorStore<ApplicationUser>)store).SetTwoFactorEnabledAsync(user, false, cancellationToken);
        await tokens.RemoveTokenAsync(user, IdentityTokenProvider, AuthenticatorKey, cancellationToken);
        await tokens.RemoveTokenAsync(user, IdentityTokenProvider, RecoveryCodes, cancellationToken);
        await ((IUserPhoneNumberStore<ApplicationUser>)store).SetPhoneNumberConfirmedAsync(user, false, cancellationToken);
        await ((IUserSecurityStampStore<ApplicationUser>)store).SetSecurityStampAsync(user, NewSecurityStamp(), cancellationToken);
        user.FailedOneTimeCodeCount = 0;

        audit.Add(AuditKind.TwoFactorRegistrationReset, success: true, reason: hadRegistration ? reason : reason + " (nothing registered)", user: user);
        LogReset(logger, user.Id, reason);
        return new TwoFactorReset(hadRegistration, formerPhone);
    }

    private static string NewSecurityStamp() => Convert.ToHexString(RandomNumberGenerator.GetBytes(20));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Two-step verification registration of {UserId} reset ({Reason})")]
    private static partial void LogReset(ILogger logger, Guid userId, string reason);
}
