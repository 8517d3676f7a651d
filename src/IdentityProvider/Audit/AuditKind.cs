namespace IdentityProvider.Audit;

/// <summary>The security events written to the audit log (SPEC §11); later issues add theirs.</summary>
public enum AuditKind
{
    SignIn,
    AccountLocked,
    AccountUnlocked,
    PasswordResetRequested,
    PasswordResetCompleted,
    PasswordChanged,
    TwoFactorRegistrationReset,
    ClientRegistered,
    ClientRemoved,
    TenantCreated,
    UserCreated,
    ConsentGranted,
    ConsentDenied,
    ConsentRevoked,
}
