using Compliance.Functions.Http;
using Compliance.Functions.Requests;
using Compliance.Portal.Layout;
using Compliance.Portal.Requests;
using Compliance.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Portal;

/// <summary>
/// The portal's code entry, <c>/verify</c>: the same check as <c>POST /api/requests/{id}/verify</c>, with its anti-forgery
/// token (<see cref="FormGuard"/>) and the same rate limit; a wrong, unknown or locked code gets one page.
/// </summary>
public sealed class CodePagesHttp(CodeEntry codeEntry, FormGuard guard, ClientRateLimits rateLimits, PortalPages pages, IOptions<SiteOptions> site)
{
    /// <summary><c>GET /verify?reference=</c>: code entry.</summary>
    [Function(nameof(PortalCodeEntry))]
    public async Task<IActionResult> PortalCodeEntry(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "verify")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(req);
        var reference = req.Query["reference"].ToString() is { Length: > 0 and <= 40 } r && RequestId.IsWellFormed(r) ? r : null;
        return await CodeFormAsync(req, reference, null, null, cancellationToken);
    }

    /// <summary>
    /// <c>POST /verify</c>: checks the code as <c>POST /api/requests/{id}/verify</c> does. A wrong code, an unknown reference
    /// and a locked code get the same page.
    /// </summary>
    [Function(nameof(PortalEnterCode))]
    public async Task<IActionResult> PortalEnterCode(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "verify")] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        if (await PortalForm.ReadAsync(req, cancellationToken) is not { } form || !await guard.AcceptsAsync(req, form, cancellationToken))
        {
            return await pages.FormRefusedAsync("/verify");
        }

        var (reference, code, errors) = CodeFields(form);
        if (errors.Any)
        {
            return await CodeFormAsync(req, reference, code, errors, cancellationToken);
        }

        if (await rateLimits.CheckCodeAttemptAsync(req, cancellationToken) is { Allowed: false } limited)
        {
            return await pages.TooManyAsync(limited, req.HttpContext.Response);
        }

        if (await codeEntry.EnterAsync(reference!.ToUpperInvariant(), code!, durable, cancellationToken) != CodeOutcome.Rejected)
        {
            return PortalPages.SeeOther(site.Value, "/verify/done");
        }

        errors.Add("code", "The code is not valid. Check the reference and the code in our email. If it still does not work, reply to our email and we will help.");
        return await CodeFormAsync(req, reference, code, errors, cancellationToken);
    }

    /// <summary><c>GET /verify/done</c>: the code was taken.</summary>
    [Function(nameof(PortalCodeConfirmed))]
    public Task<IActionResult> PortalCodeConfirmed(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "verify/done")] HttpRequest req)
    {
        return pages.MessageAsync(
            StatusCodes.Status200OK,
            "Code confirmed",
            ["Thank you: the code is confirmed. We will now carry on with your request and email you when there is news.", "The link in our first email shows where your request stands."]);
    }

    /// <summary>The code form's fields, and what is missing.</summary>
    private static (string? Reference, string? Code, FormErrors Errors) CodeFields(PortalForm form)
    {
        var (reference, code) = (form["reference"], form["code"]?.Replace(" ", "", StringComparison.Ordinal));
        var errors = new FormErrors();
        if (reference is null)
        {
            errors.Add("reference", "Enter the request reference");
        }

        if (code is null)
        {
            errors.Add("code", "Enter the code");
        }

        return (reference, code, errors);
    }

    private async Task<IActionResult> CodeFormAsync(HttpRequest req, string? reference, string? code, FormErrors? errors, CancellationToken cancellationToken) =>
        await pages.PageAsync<CodePage>(
            errors is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest,
            (nameof(CodePage.FormToken), await guard.IssueAsync(req, cancellationToken)),
            (nameof(CodePage.Reference), reference),
            (nameof(CodePage.Code), errors is null ? null : code),
            (nameof(CodePage.Errors), errors));

}
