using IdentityProvider.Common;

namespace IdentityProvider.Admin;

/// <summary>
/// A query parameter given twice is a 400 naming it, as a repeated JSON field is: binding would
/// join the values with a comma and filter by something nobody asked for.
/// </summary>
public sealed class RepeatedQueryFilter : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        foreach (var (name, values) in context.HttpContext.Request.Query)
        {
            if (values.Count > 1)
            {
                var shown = name.Length <= 64 && OperatorInput.FirstHiddenControl(name) is null ? name : OperatorInput.Quote(name);
                throw RequestRejectedException.Invalid(shown, "given more than once.");
            }
        }

        return next(context);
    }
}
