using System.Reflection;
using Compliance.Mail;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Compliance.SelfHost.Mailbox;

/// <summary>
/// The local mailbox: <c>GET /dev/mailbox</c> lists what the system wrote to <c>mail-outbox</c> and
/// <c>GET /dev/mailbox/{id}</c> shows one message, for a developer whose emails go nowhere. Served only in Development with
/// <c>Mail:Transport</c> <c>none</c>; anywhere else the routes do not exist and answer the usual 404 problem.
/// </summary>
public static class DevMailbox
{
    public const string Path = "/dev/mailbox";

    public const string StylesheetPath = "/dev/mailbox.css";

    /// <summary>
    /// The Content-Security-Policy of the mailbox's pages: nothing but this site's own stylesheet loads, no script runs,
    /// nothing frames them. A sanitised email that still tried to fetch or run something would be stopped here too.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>Whether the mailbox is on: only in Development, and only while nothing sends the outbox.</summary>
    public static bool IsOn(IHostEnvironment environment, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(configuration);
        var transport = configuration.GetSection(MailTransportOptions.SectionName).Get<MailTransportOptions>() ?? new MailTransportOptions();
        return environment.IsDevelopment() && transport.EffectiveTransport == MailTransportOptions.None;
    }

    /// <summary>The path of one message's page (its id is the blob name, whose characters need no escaping).</summary>
    public static string PathOf(string id) => $"{Path}/{id}";

    /// <summary>Registers the mailbox's services when it is on; returns whether it is.</summary>
    public static bool AddDevMailbox(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!IsOn(builder.Environment, builder.Configuration))
        {
            return false;
        }

        builder.Services.AddSingleton<MailboxReader>();
        builder.Services.AddSingleton<MailboxLinks>();
        builder.Services.AddSingleton<MailboxHtml>();
        return true;
    }

    /// <summary>Maps the mailbox's pages and stylesheet when it is on (the same test as <see cref="AddDevMailbox"/>).</summary>
    public static void MapDevMailbox(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!IsOn(app.Environment, app.Configuration))
        {
            return;
        }

        app.MapGet(StylesheetPath, () => Results.Bytes(Stylesheet.Value, "text/css; charset=utf-8"));
        app.MapGet(Path, async (HttpContext context, MailboxReader reader) =>
        {
            var listing = await reader.ListAsync(context.RequestAborted);
            return await RenderAsync<MailboxListPage>(context, new Dictionary<string, object?> { [nameof(MailboxListPage.Listing)] = listing });
        });
        app.MapGet(Path + "/{**id}", async (string? id, HttpContext context, MailboxReader reader, MailboxLinks links, MailboxHtml html) =>
        {
            if (await reader.ReadAsync(id, context.RequestAborted) is not { } message)
            {
                // No body: the status-code pages answer with the same 404 problem as any unknown route.
                return Results.StatusCode(StatusCodes.Status404NotFound);
            }

            return await RenderAsync<MailboxMessagePage>(context, new Dictionary<string, object?>
            {
                [nameof(MailboxMessagePage.Message)] = message,
                [nameof(MailboxMessagePage.TextPart)] = message.Text is null ? null : links.Linkify(message.Text),
                [nameof(MailboxMessagePage.HtmlPart)] = message.Html is null ? null : new MarkupString(html.Sanitize(message.Html)),
            });
        });
    }

    private static readonly Lazy<byte[]> Stylesheet = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Compliance.SelfHost.Mailbox.mailbox.css")
            ?? throw new InvalidOperationException("The mailbox's stylesheet is not embedded.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    /// <summary>Renders a page component to a string on the server, so every value in it is HTML-encoded by construction.</summary>
    private static async Task<IResult> RenderAsync<TPage>(HttpContext context, Dictionary<string, object?> parameters)
        where TPage : IComponent
    {
        await using var renderer = new HtmlRenderer(context.RequestServices, context.RequestServices.GetRequiredService<ILoggerFactory>());
        var html = await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<TPage>(ParameterView.FromDictionary(parameters))).ToHtmlString());
        context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        return Results.Content(html, "text/html; charset=utf-8");
    }
}
