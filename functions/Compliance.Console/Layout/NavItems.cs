using Compliance.Identity;
using Microsoft.AspNetCore.Components.Routing;

namespace Compliance.Console.Layout;

/// <summary>The console's screens in its navigation, each shown only to the roles the API lets use it.</summary>
public static class NavItems
{
    public sealed record NavItem(string Label, string Href, NavLinkMatch Match, IReadOnlyList<string> Roles);

    public static IReadOnlyList<NavItem> All { get; } =
    [
        new("Requests", "", NavLinkMatch.All, Role.RequestHandlers),
        new("Tasks", "tasks", NavLinkMatch.Prefix, Role.RequestHandlers),
        new("Studies", "studies", NavLinkMatch.Prefix, Role.RequestHandlers),
        new("Audit", "audit", NavLinkMatch.Prefix, [Role.Dpo]),
        new("Reporting", "reports", NavLinkMatch.Prefix, [Role.Dpo]),
        new("Suppliers", "suppliers", NavLinkMatch.Prefix, [Role.Dpo, Role.Admin]),
        new("Anonymised transcripts", "anonymised", NavLinkMatch.Prefix, Role.AnonymisedReaders),
        new("Recordings", "transcription", NavLinkMatch.Prefix, [Role.Transcriber]),
    ];

    /// <summary>The items a user with <paramref name="roles"/> sees.</summary>
    public static IEnumerable<NavItem> For(IReadOnlyList<string> roles) => All.Where(i => i.Roles.Any(roles.Contains));
}
