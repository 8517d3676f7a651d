using System.ComponentModel.DataAnnotations;

namespace IdentityProvider.Sessions;

/// <summary>
/// Configuration section <c>Sessions</c>: how long a browser session kept on the server may last.
/// The sliding window (8 hours without a request ends it) is the session cookie's own
/// (<c>Hosting/IdentityExtensions</c>).
/// </summary>
public sealed class ServerSessionOptions
{
    public const string Section = "Sessions";

    /// <summary>
    /// The longest a session lasts after the sign-in that started it, however active the browser:
    /// then the user signs in again. Seven days, the default of Auth0's "require log in after", so
    /// that an office worker signs in about once a week while a session left open on a forgotten
    /// device still ends; NIST SP 800-63B allows 30 days for a password alone (AAL1), Keycloak's
    /// default is ten hours. A re-authentication (<c>prompt=login</c>, <c>max_age</c>) starts a new
    /// session and a new period.
    /// </summary>
    [Range(typeof(TimeSpan), "01:00:00", "90.00:00:00")]
    public TimeSpan AbsoluteLifetime { get; set; } = TimeSpan.FromDays(7);
}
