using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server;

namespace IdentityProvider.Authorization;

/// <summary>
/// OpenIddict's server dispatcher with its handlers looked up by event type. OpenIddict's own walks
/// the whole list of handler descriptors (~400) for every event a request raises (~15 per token
/// request) and compares each one's context type; a perf profile of the refresh grant put that walk
/// at ~2 % of the process's CPU. This one keeps, per options instance, each event type's descriptors
/// in OpenIddict's order and otherwise does what OpenIddict's does: the same filters and handler
/// resolution per request, the same stop rules (handled, skipped, rejected) and the same logs.
/// </summary>
public sealed class IndexedServerDispatcher(
    ILogger<OpenIddictServerDispatcher> logger,
    IOptionsMonitor<OpenIddictServerOptions> options,
    IServiceProvider provider) : IOpenIddictServerDispatcher
{
    // Keyed by the options' handler list: a reload of the server options (new keys) brings a new list.
    private static readonly ConditionalWeakTable<List<OpenIddictServerHandlerDescriptor>, ConcurrentDictionary<Type, OpenIddictServerHandlerDescriptor[]>> Index = new();

    public async ValueTask DispatchAsync<TContext>(TContext context) where TContext : OpenIddictServerEvents.BaseContext
    {
        ArgumentNullException.ThrowIfNull(context);

        foreach (var descriptor in DescriptorsFor(typeof(TContext)))
        {
            if (!await IsActiveAsync(descriptor, context))
            {
                continue;
            }

            var handler = Resolve<TContext>(descriptor);
            try
            {
                await handler.HandleAsync(context);
            }
            catch (Exception exception) when (!IsFatal(exception) && logger.IsEnabled(LogLevel.Debug))
            {
                logger.LogDebug(6132, exception, OpenIddictResources.GetResourceString("ID6132"), handler.GetType().FullName, typeof(TContext).FullName);
                throw;
            }

            if (logger.IsEnabled(LogLevel.Debug))
            {
                logger.LogDebug(6133, OpenIddictResources.GetResourceString("ID6133"), typeof(TContext).FullName, handler.GetType().FullName);
            }

            // OpenIddict's stop rules, in its order: handled (6134), skipped (6135), rejected (6136).
            var stop = context switch
            {
                OpenIddictServerEvents.BaseRequestContext { IsRequestHandled: true } => 6134,
                OpenIddictServerEvents.BaseRequestContext { IsRequestSkipped: true } => 6135,
                OpenIddictServerEvents.BaseValidatingContext { IsRejected: true } => 6136,
                _ => 0,
            };
            if (stop != 0)
            {
                if (logger.IsEnabled(LogLevel.Debug))
                {
                    logger.LogDebug(stop, OpenIddictResources.GetResourceString($"ID{stop}"), typeof(TContext).FullName, handler.GetType().FullName);
                }

                return;
            }
        }
    }

    private OpenIddictServerHandlerDescriptor[] DescriptorsFor(Type contextType)
    {
        var all = options.CurrentValue.Handlers;
        return Index.GetValue(all, static _ => new()).GetOrAdd(contextType, static (type, list) => list.Where(d => d.ContextType == type).ToArray(), all);
    }

    private async ValueTask<bool> IsActiveAsync<TContext>(OpenIddictServerHandlerDescriptor descriptor, TContext context)
        where TContext : OpenIddictServerEvents.BaseContext
    {
        foreach (var type in descriptor.FilterTypes)
        {
            if (provider.GetService(type) is not IOpenIddictServerHandlerFilter<TContext> filter)
            {
                throw new InvalidOperationException(OpenIddictResources.FormatID0099(type));
            }

            if (!await filter.IsActiveAsync(context))
            {
                return false;
            }
        }

        return true;
    }

    private IOpenIddictServerHandler<TContext> Resolve<TContext>(OpenIddictServerHandlerDescriptor descriptor)
        where TContext : OpenIddictServerEvents.BaseContext =>
        descriptor.ServiceDescriptor.ImplementationInstance as IOpenIddictServerHandler<TContext>
        ?? provider.GetService(descriptor.ServiceDescriptor.ServiceType) as IOpenIddictServerHandler<TContext>
        ?? throw new InvalidOperationException(OpenIddictResources.FormatID0098(descriptor.ServiceDescriptor.ServiceType));

    private static bool IsFatal(Exception exception) => exception is OutOfMemoryException or ThreadAbortException or AccessViolationException or InsufficientExecutionStackException;
}
