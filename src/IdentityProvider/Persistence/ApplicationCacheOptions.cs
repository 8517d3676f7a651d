using System.ComponentModel.DataAnnotations;

namespace IdentityProvider.Persistence;

/// <summary>
/// The lifetime of <see cref="ApplicationCache"/>'s entries. Operators set it beside the other
/// protocol settings, as <c>Oidc:ClientCacheLifetime</c>; it is bound here because only the cache
/// reads it.
/// </summary>
public sealed class ApplicationCacheOptions
{
    public const string Section = "Oidc";

    /// <summary>
    /// How long a node serves a registered client from memory. Changes made through this node
    /// (admin API, start-up seeding) apply at once; changes made by another node or by an operator
    /// command in another process apply within this time. Zero turns the cache off.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan ClientCacheLifetime { get; set; } = TimeSpan.FromSeconds(10);
}
