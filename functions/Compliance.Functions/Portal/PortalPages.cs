using Compliance.Portal.Layout;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Compliance.Functions.Portal;

/// <summary>Turns a page component into an HTML answer, and gives the pages every route shares (not found, refused, busy).</summary>
public sealed class PortalPages(PortalRenderer renderer)
{
    /// <summary>The page <typeparamref name="TPage"/> with <paramref name="parameters"/>, as <c>text/html</c> with <paramref name="status"/>.</summary>
    public async Task<IActionResult> PageAsync<TPage>(int status, params (string Name, object? Value)[] parameters)
        where TPage : IComponent
    {
        var html = await renderer.RenderAsync<TPage>(parameters.ToDictionary(p => p.Name, p => p.Value));
        return new ContentResult { StatusCode = status, ContentType = "text/html; charset=utf-8", Content = html };
    }

    public Task<IActionResult> OkAsync<TPage>(params (string Name, object? Value)[] parameters)
        where TPage : IComponent => PageAsync<TPage>(StatusCodes.Status200OK, parameters);

    /// <summary>A page of a heading and paragraphs.</summary>
    public Task<IActionResult> MessageAsync(int status, string title, IReadOnlyList<string> paragraphs, string? linkHref = null, string? linkText = null) =>
        PageAsync<MessagePage>(
            status,
            (nameof(MessagePage.Title), title),
            (nameof(MessagePage.Paragraphs), paragraphs),
            (nameof(MessagePage.LinkHref), linkHref),
            (nameof(MessagePage.LinkText), linkText));

    public Task<IActionResult> NotFoundAsync() => MessageAsync(
        StatusCodes.Status404NotFound,
        "Page not found",
        ["If you typed the web address, check it is correct. If you followed a link from one of our emails, copy the whole link into your browser."],
        "/",
        "Go to the start");

    /// <summary>A form posted without its token, from another site, or after its cookie was lost.</summary>
    public Task<IActionResult> FormRefusedAsync(string formHref) => MessageAsync(
        StatusCodes.Status403Forbidden,
        "Your form could not be sent",
        ["For your security, forms expire and can only be sent from this site. Nothing was sent. Open the form again and send it once more."],
        formHref,
        "Open the form again");

    /// <summary>A <c>429</c> page with <c>Retry-After</c>, the same whichever limit refused (an address's or an email's).</summary>
    public Task<IActionResult> TooManyAsync(Compliance.RateLimits.RateLimitDecision decision, HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(decision);
        Http.ClientRateLimits.SetRetryAfter(response, decision);
        var minutes = Math.Max(1, (int)Math.Ceiling(decision.RetryAfter.TotalMinutes));
        return MessageAsync(
            StatusCodes.Status429TooManyRequests,
            "Too many attempts",
            [$"We have had too many requests from here in a short time. Nothing was sent. Please try again in {minutes} minute{(minutes == 1 ? "" : "s")}, or write to us by email."]);
    }

    public Task<IActionResult> UnavailableAsync() => MessageAsync(
        StatusCodes.Status503ServiceUnavailable,
        "Sorry, there is a problem with the service",
        ["Your request was not recorded. Please try again later, or write to us by email."]);

    /// <summary>A <c>303 See Other</c> to <paramref name="path"/> on the service's own address (post, redirect, get).</summary>
    public static IActionResult SeeOther(SiteOptions site, string path)
    {
        ArgumentNullException.ThrowIfNull(site);
        return new SeeOtherResult(site.LinkTo(path));
    }

    /// <summary>A <c>303 See Other</c>: the browser fetches <see cref="Location"/> with GET, so a reload never posts twice.</summary>
    private sealed class SeeOtherResult(string location) : IActionResult
    {
        public string Location => location;

        public Task ExecuteResultAsync(ActionContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            context.HttpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            context.HttpContext.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }
}
