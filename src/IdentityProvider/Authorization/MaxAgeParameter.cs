using System.Globalization;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityProvider.Authorization;

/// <summary>
/// <c>max_age</c> is a non-negative number of seconds (OIDC Core §3.1.2.1). OpenIddict reads any
/// other value as absent, and a huge one overflowed the session-age arithmetic into a 500; both are
/// <c>invalid_request</c>, at the authorization endpoint and at PAR.
/// </summary>
public sealed class MaxAgeParameter :
    IOpenIddictServerHandler<ValidateAuthorizationRequestContext>,
    IOpenIddictServerHandler<ValidatePushedAuthorizationRequestContext>
{
    /// <summary>About 68 years: any larger age is no demand at all, and bigger ones do not fit a date.</summary>
    public const long MaxSeconds = int.MaxValue;

    /// <summary>After PAR parameters are restored, so that a pushed value is checked too.</summary>
    public static OpenIddictServerHandlerDescriptor AuthorizationDescriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateAuthorizationRequestContext>()
            .UseSingletonHandler<MaxAgeParameter>()
            .SetOrder(OpenIddictServerHandlers.Authentication.ValidateAuthentication.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public static OpenIddictServerHandlerDescriptor PushedDescriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidatePushedAuthorizationRequestContext>()
            .UseSingletonHandler<MaxAgeParameter>()
            .SetOrder(OpenIddictServerHandlers.Authentication.ValidatePushedPromptParameter.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateAuthorizationRequestContext context)
    {
        if (Problem(context.Request) is { } problem)
        {
            context.Reject(Errors.InvalidRequest, problem);
        }

        return default;
    }

    public ValueTask HandleAsync(ValidatePushedAuthorizationRequestContext context)
    {
        if (Problem(context.Request) is { } problem)
        {
            context.Reject(Errors.InvalidRequest, problem);
        }

        return default;
    }

    private static string? Problem(OpenIddictRequest request)
    {
        if (request.GetParameter(Parameters.MaxAge) is not { } parameter)
        {
            return null;
        }

        var value = (string?)parameter;
        return value is { Length: > 0 and <= 10 } && value.All(char.IsAsciiDigit)
            && long.Parse(value, CultureInfo.InvariantCulture) <= MaxSeconds
            ? null
            : $"max_age must be a whole number of seconds between 0 and {MaxSeconds}.";
    }
}
