using System.Globalization;
using System.Text.RegularExpressions;
using Compliance.Audit;
using Compliance.Functions.Http;
using Compliance.Identity;
using Compliance.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Audit;

/// <summary>The HTTP routes of the audit log: its entries and the verification of its chains, for the DPO only.</summary>
public sealed partial class AuditHttp(AuditLog audit, ILogger<AuditHttp> logger)
{
    private static readonly string[] DpoOnly = [Role.Dpo];
    private static readonly string[] QueryParameters = ["requestId", "studyId", "limit"];

    /// <summary>
    /// <c>GET /api/audit?requestId=&amp;studyId=&amp;limit=</c>: entries by request, by study, both or neither, at most
    /// <c>limit</c> (default <see cref="AuditLog.DefaultLimit"/>, at most <see cref="AuditLog.MaxLimit"/>); <c>truncated</c>
    /// says whether there were more.
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

        var errors = UnknownParameters(req, QueryParameters);
        var requestId = Parameter(req, "requestId", errors, id => RequestId.IsWellFormed(id) || Compliance.Mail.Intake.MessageIds.IsIntakeKey(id), "must be a request id such as DSR-20261125-7KQ2M9XA, or an email's intake key (MAIL-…).");
        var studyId = Parameter(req, "studyId", errors, v => StudyIdPattern().IsMatch(v), "must be letters, digits, '-' or '_' (starting with a letter or digit), at most 64.");
        var limitText = Parameter(
            req,
            "limit",
            errors,
            v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= AuditLog.MaxLimit,
            $"must be a whole number from 1 to {AuditLog.MaxLimit}.");
        if (errors.Count > 0)
        {
            return ApiProblem.Validation(errors, "See 'errors' for what is wrong with each query parameter.");
        }

        var limit = limitText is null ? AuditLog.DefaultLimit : int.Parse(limitText, NumberStyles.None, CultureInfo.InvariantCulture);

        // One more than the limit tells whether there were more, without counting them all.
        var entries = await audit.QueryAsync(requestId, studyId, limit + 1, cancellationToken);
        var page = entries.Take(limit).ToList();
        return new OkObjectResult(new AuditQueryResponse(page, page.Count, limit, entries.Count > limit));
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

        var errors = UnknownParameters(req, []);
        if (errors.Count > 0)
        {
            return ApiProblem.Validation(errors, "This route takes no query parameters.");
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

    private static Dictionary<string, string[]> UnknownParameters(HttpRequest req, string[] known)
    {
        ArgumentNullException.ThrowIfNull(req);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var key in req.Query.Keys.Where(k => !known.Contains(k, StringComparer.OrdinalIgnoreCase)))
        {
            // A misspelt filter must not silently widen the answer to every entry.
            errors[key] = [known.Length == 0 ? "is not a parameter of this route." : $"is not a parameter of this route; use {string.Join(", ", known)}."];
        }

        return errors;
    }

    private static string? Parameter(HttpRequest req, string name, Dictionary<string, string[]> errors, Func<string, bool> isValid, string rule)
    {
        if (!req.Query.TryGetValue(name, out var values))
        {
            return null;
        }

        if (values.Count != 1)
        {
            errors[name] = ["must be given once."];
            return null;
        }

        var value = values[0];
        if (string.IsNullOrEmpty(value))
        {
            errors[name] = ["must not be empty; leave it out to not filter by it."];
            return null;
        }

        if (!isValid(value))
        {
            errors[name] = [rule];
            return null;
        }

        return value;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex StudyIdPattern();
}
