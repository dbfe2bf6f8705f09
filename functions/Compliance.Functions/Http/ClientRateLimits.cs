using Compliance.RateLimits;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Http;

/// <summary>
/// The rate limits of anonymous routes and pages, checked for the caller of an HTTP request (its address from
/// <see cref="ClientAddress"/>). Call it once the request is known to be well formed and before any work is done for it;
/// each call counts one request. On a refusal an API route returns <see cref="ApiProblem.RateLimited"/>; a page (the
/// participant portal's form posts) answers <c>429</c> with its own HTML and calls <see cref="SetRetryAfter"/>. Staff, signed
/// in and checked, are not limited: do not call it for them.
/// </summary>
/// <example>
/// In a form post handler:
/// <code>
/// var decision = await rateLimits.CheckSubmissionAsync(req, form.Email, cancellationToken);
/// if (!decision.Allowed)
/// {
///     ClientRateLimits.SetRetryAfter(req.HttpContext.Response, decision);
///     return Page(StatusCodes.Status429TooManyRequests, …); // the same words whichever limit it was
/// }
/// </code>
/// </example>
public sealed class ClientRateLimits(RateLimiter limiter, RateLimitRules rules, IOptions<HttpOptions> httpOptions, ILogger<ClientRateLimits> logger)
{
    private int warnedOfNonPublicAddress;

    /// <summary>
    /// A request submitted for <paramref name="email"/>: counted per client address, then, if that allows it, per email
    /// address (normalised). Whether the address belongs to a participant plays no part, so neither does the answer.
    /// </summary>
    public async Task<RateLimitDecision> CheckSubmissionAsync(HttpRequest request, string email, CancellationToken cancellationToken)
    {
        var byClient = await CheckClientAsync(request, rules.Submissions, cancellationToken);
        return byClient.Allowed
            ? await limiter.CheckAsync(rules.SubmissionsPerEmail, RateLimitKeys.ForEmail(email), cancellationToken)
            : byClient;
    }

    /// <summary>A verification code entered: counted per client address.</summary>
    public Task<RateLimitDecision> CheckCodeAttemptAsync(HttpRequest request, CancellationToken cancellationToken) =>
        CheckClientAsync(request, rules.CodeAttempts, cancellationToken);

    /// <summary>One request counted under <paramref name="rule"/> by the caller's client address.</summary>
    public Task<RateLimitDecision> CheckClientAsync(HttpRequest request, RateLimitRule rule, CancellationToken cancellationToken)
    {
        var header = httpOptions.Value.ClientAddressHeader;
        var address = ClientAddress.Of(request, header);
        if (!string.IsNullOrWhiteSpace(header) && address is not null && !ClientAddress.IsPublic(address) && Interlocked.Exchange(ref warnedOfNonPublicAddress, 1) == 0)
        {
            // Once per instance, and without the address: the sign that a proxy's own address is being counted (docs/security.md).
            logger.LogWarning("Rate limits are counting by a client address that is not public, taken from {Header}: if callers come from the internet they may all share one count", header);
        }

        return limiter.CheckAsync(rule, RateLimitKeys.ForClientAddress(address), cancellationToken);
    }

    /// <summary>Sets <c>Retry-After</c> (seconds) on a response to a refused request.</summary>
    public static void SetRetryAfter(HttpResponse response, RateLimitDecision decision)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(decision);
        response.Headers.RetryAfter = decision.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
