using System.Globalization;
using System.Text.RegularExpressions;
using Compliance.Audit;
using Compliance.Functions.Http;
using Compliance.Identity;
using Compliance.Paging;
using Compliance.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Audit;

/// <summary>The HTTP routes of the audit log: its entries and the verification of its chains, for the DPO only.</summary>
public sealed partial class AuditHttp(AuditLog audit, ILogger<AuditHttp> logger)
{
    internal static readonly string[] DpoOnly = [Role.Dpo];
    internal static readonly string[] QueryParameters = ["requestId", "studyId", "limit", "continuation"];

    /// <summary>
    /// <c>GET /api/audit?requestId=&amp;studyId=&amp;limit=&amp;continuation=</c>: entries by request, by study, both or neither,
    /// at most <c>limit</c> (default <see cref="AuditLog.DefaultLimit"/>, at most <see cref="AuditLog.MaxLimit"/>);
    /// <c>truncated</c> says whether there were more, and <c>continuation</c>, sent back, gives them.
    /// </summary>
    [Function(nameof(GetAudit))]
    public async Task<IActionResult> GetAudit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/audit")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        var auth = StaffAuthorization.Require(req, DpoOnly);
        if (auth.Denied is not null)
        {
            return auth.Denied;
        }

        var query = new QueryReader(req.Query);
        query.RejectUnknown(QueryParameters);
        var requestId = query.Text("requestId", id => RequestId.IsWellFormed(id) || Compliance.Mail.Intake.MessageIds.IsIntakeKey(id), "must be a request id such as DSR-20261125-7KQ2M9XA, or an email's intake key (MAIL-…).", emptyIsAbsent: false);
        var studyId = query.Text("studyId", v => StudyIdPattern().IsMatch(v), "must be letters, digits, '-' or '_' (starting with a letter or digit), at most 64.");
        var limitText = query.Text(
            "limit",
            v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= AuditLog.MaxLimit,
            $"must be a whole number from 1 to {AuditLog.MaxLimit}.",
            emptyIsAbsent: false);
        var continuation = query.Text("continuation", v => v.Length <= KeysetPaging.MaxContinuationLength, "is not one this service gave.");
        if (query.Problem() is { } problem)
        {
            return problem;
        }

        var limit = limitText is null ? AuditLog.DefaultLimit : int.Parse(limitText, NumberStyles.None, CultureInfo.InvariantCulture);
        return await PageAsync(requestId, studyId, limit, continuation, cancellationToken);
    }

    // One more than the limit tells whether there were more, without counting them all; the next page resumes after the last.
    private async Task<IActionResult> PageAsync(string? requestId, string? studyId, int limit, string? continuation, CancellationToken cancellationToken)
    {
        try
        {
            var entries = await audit.QueryAsync(requestId, studyId, limit + 1, continuation is null ? null : KeysetPaging.Decode(continuation), cancellationToken);
            var page = entries.Take(limit).ToList();
            var more = entries.Count > limit;
            var next = more ? KeysetPaging.Encode(AuditLog.PageKeyOf(page[^1], acrossChains: studyId is null && requestId is not null)) : null;
            return new OkObjectResult(new AuditQueryResponse(page, page.Count, limit, more, next));
        }
        catch (FormatException)
        {
            return ApiProblem.Invalid("continuation", "is not one this service gave.");
        }
    }

    /// <summary><c>GET /api/audit/verify</c>: walks every chain and reports the first problem of each.</summary>
    [Function(nameof(VerifyAudit))]
    public async Task<IActionResult> VerifyAudit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/audit/verify")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        var auth = StaffAuthorization.Require(req, DpoOnly);
        if (auth.Denied is not null)
        {
            return auth.Denied;
        }

        var query = new QueryReader(req.Query);
        query.RejectUnknown([]);
        if (query.Problem("This route takes no query parameters.") is { } problem)
        {
            return problem;
        }

        var result = await audit.VerifyAsync(cancellationToken);
        if (result.Valid)
        {
            logger.LogInformation("Audit log verified: {ChainCount} chains, {EntryCount} entries intact", result.ChainsChecked, result.EntriesChecked);
        }
        else
        {
            // Chain ids and kinds only: they name studies, never people.
            logger.LogWarning(
                "Audit log verification failed: {ProblemCount} of {ChainCount} chains have problems ({Problems})",
                result.Problems.Count,
                result.ChainsChecked,
                string.Join(", ", result.Problems.Select(p => $"{p.Chain}#{p.Sequence} {p.Kind}")));
        }

        return new OkObjectResult(result);
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex StudyIdPattern();
}
