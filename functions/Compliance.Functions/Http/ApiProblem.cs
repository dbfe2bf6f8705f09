using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Compliance.Functions.Http;

/// <summary>
/// RFC 7807 problem details with a stable <c>type</c> per kind of problem (listed in docs/api.md). Every error the API
/// returns is built here.
/// </summary>
public static class ApiProblem
{
    /// <summary>The prefix of every problem type URI.</summary>
    public const string TypePrefix = "urn:compliance:problem:";

    public static ObjectResult Validation(IDictionary<string, string[]> errors, string? detail = null) =>
        Result(new ValidationProblemDetails(errors)
        {
            Type = TypePrefix + "validation",
            Title = "The request is not valid.",
            Status = StatusCodes.Status400BadRequest,
            Detail = detail ?? "See 'errors' for what is wrong with each field.",
        });

    /// <summary>A validation problem about one field.</summary>
    public static ObjectResult Invalid(string field, string message) =>
        Validation(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });

    public static ObjectResult BadRequest(string kind, string title, string detail) =>
        Create(StatusCodes.Status400BadRequest, kind, title, detail);

    public static ObjectResult Unauthenticated(string detail) =>
        Create(StatusCodes.Status401Unauthorized, "unauthenticated", "Sign-in is required.", detail);

    public static ObjectResult Forbidden(string detail) =>
        Create(StatusCodes.Status403Forbidden, "forbidden", "You do not have a role that may do this.", detail);

    public static ObjectResult NotFound(string detail) =>
        Create(StatusCodes.Status404NotFound, "not-found", "Not found.", detail);

    public static ObjectResult Unavailable(string detail) =>
        Create(StatusCodes.Status503ServiceUnavailable, "unavailable", "The service could not complete this now; try again.", detail);

    /// <summary>
    /// A <c>429</c> with <c>Retry-After</c> in seconds. The words are the same whichever limit was reached, a client
    /// address's or an email address's, and say nothing of whether an address belongs to a participant.
    /// </summary>
    public static ObjectResult RateLimited(int retryAfterSeconds)
    {
        var result = new RetryAfterResult(
            new ProblemDetails
            {
                Type = TypePrefix + "rate-limited",
                Title = "Too many requests.",
                Status = StatusCodes.Status429TooManyRequests,
                Detail = "Too many requests like this one have been made in a short time. Try again after the number of seconds in the Retry-After header.",
            },
            Math.Max(1, retryAfterSeconds))
        {
            StatusCode = StatusCodes.Status429TooManyRequests,
        };
        result.ContentTypes.Add("application/problem+json");
        return result;
    }

    /// <summary>
    /// Caller input fit to quote in a problem's words: letters, digits, <c>-_./+;=[]</c> and spaces kept, anything else (markup,
    /// control characters, quotes) shown as <c>?</c>, at most 64 characters. An answer never carries what a caller sent back raw.
    /// </summary>
    public static string Quote(string? input)
    {
        var text = input ?? string.Empty;
        var shown = new string(text.Take(64).Select(c => char.IsAsciiLetterOrDigit(c) || "-_./+;=[] ".Contains(c, StringComparison.Ordinal) ? c : '?').ToArray());
        return text.Length > 64 ? shown + "…" : shown;
    }

    /// <summary>
    /// A <c>503 unavailable</c> with <c>Retry-After</c> for an exception from storage or the engine that outlasted the SDK's
    /// retries (storage answering 5xx, a connection that failed, a call that timed out, the engine not answering), so a
    /// caller retries instead of reading a bare 500 as a defect; null for any other exception, which stays a 500. The words
    /// are fixed: an exception's message can hold a blob name or a URL.
    /// </summary>
    public static ObjectResult? ForUnavailableStorage(Exception exception) =>
        IsUnavailable(exception)
            ? new RetryAfterResult(
                new ProblemDetails
                {
                    Type = TypePrefix + "unavailable",
                    Title = "The service could not complete this now; try again.",
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Detail = "Storage did not answer in time. Nothing you sent is lost by trying again: send it again after the number of seconds in the Retry-After header.",
                },
                UnavailableRetryAfterSeconds)
            {
                StatusCode = StatusCodes.Status503ServiceUnavailable,
                ContentTypes = { "application/problem+json" },
            }
            : null;

    /// <summary>How long a caller is asked to wait after <see cref="ForUnavailableStorage"/>.</summary>
    public const int UnavailableRetryAfterSeconds = 5;

    private static bool IsUnavailable(Exception? exception) => exception switch
    {
        null => false,
        Azure.RequestFailedException failed => failed.Status is 0 or >= 500,
        TimeoutException => true,
        Grpc.Core.RpcException rpc => rpc.StatusCode is Grpc.Core.StatusCode.Unavailable or Grpc.Core.StatusCode.DeadlineExceeded,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsUnavailable),
        _ => IsUnavailable(exception.InnerException),
    };

    public static ObjectResult Create(int status, string kind, string title, string detail) =>
        Result(new ProblemDetails { Type = TypePrefix + kind, Title = title, Status = status, Detail = detail });

    private static ObjectResult Result(ProblemDetails problem)
    {
        var result = new ObjectResult(problem) { StatusCode = problem.Status };
        result.ContentTypes.Add("application/problem+json");
        return result;
    }

    /// <summary>A problem whose answer carries <c>Retry-After</c>, set as it is written, in both hosts.</summary>
    private sealed class RetryAfterResult(ProblemDetails problem, int retryAfterSeconds) : ObjectResult(problem)
    {
        public int RetryAfterSeconds { get; } = retryAfterSeconds;

        public override void OnFormatting(ActionContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            base.OnFormatting(context);
            context.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
