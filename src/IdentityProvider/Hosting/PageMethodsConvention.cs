using IdentityProvider.Pages;
using Microsoft.AspNetCore.Mvc.ApplicationModels;

namespace IdentityProvider.Hosting;

/// <summary>
/// A page answers GET, HEAD and the methods it has handlers for; routing answers any other method
/// with 405 and <c>Allow</c> (the error page then says so), where the page would have run its
/// antiforgery check first and answered 400. The error page takes every method: the status code
/// pages re-execute it with the method of the request that failed.
/// </summary>
public sealed class PageMethodsConvention : IPageApplicationModelConvention
{
    public void Apply(PageApplicationModel model)
    {
        if (model.HandlerType == typeof(ErrorModel))
        {
            return;
        }

        var methods = model.HandlerMethods
            .Select(handler => handler.HttpMethod.ToUpperInvariant())
            .Concat([HttpMethods.Get, HttpMethods.Head])
            .Distinct(StringComparer.Ordinal)
            .ToList();
        model.EndpointMetadata.Add(new HttpMethodMetadata(methods));
    }
}
