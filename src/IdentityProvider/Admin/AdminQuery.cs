using System.Globalization;
using System.Numerics;
using IdentityProvider.Common;

namespace IdentityProvider.Admin;

/// <summary>
/// Query parameters of the admin API are bound as text and parsed here, so that a malformed value
/// gets problem details naming the parameter (binding a number itself answers a bare 400).
/// </summary>
public static class AdminQuery
{
    /// <summary>Null when absent or empty; digits only (no sign, no spaces); too large for the type is malformed too.</summary>
    public static T? Number<T>(string? text, string field)
        where T : struct, IBinaryInteger<T> =>
        string.IsNullOrEmpty(text) ? null
        : T.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw RequestRejectedException.Invalid(field, $"{OperatorInput.Quote(text)} is not a whole number.");
}
