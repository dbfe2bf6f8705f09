using System.Security.Cryptography;
using System.Text;
using Compliance.Functions.Http;
using Compliance.Identity;
using Compliance.Mail.Intake;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Mail;

/// <summary>The answer to <c>POST /api/mail/inbound</c>: the message's intake key, and whether an earlier delivery had brought it.</summary>
public sealed record InboundMailResponse(string IntakeKey, bool Duplicate);

/// <summary>
/// <c>POST /api/mail/inbound</c>: raw email (<c>message/rfc822</c>) from a relay such as a Logic App or an SMTP gateway, into
/// the same intake path the Graph connector uses. Admin principals, or a relay presenting the configured key.
/// </summary>
public sealed class InboundMailHttp(MailIntakeGateway gateway, IOptions<IntakeOptions> options)
{
    /// <summary>The header a relay puts its key in, as for an Azure Functions key.</summary>
    public const string KeyHeader = "x-functions-key";

    /// <summary>The connector name recorded for mail posted here.</summary>
    public const string Source = "relay";

    internal static readonly string[] AdminOnly = [Role.Admin];

    [Function(nameof(ReceiveMail))]
    public async Task<IActionResult> ReceiveMail(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/mail/inbound")] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(req);
        if (!PresentsRelayKey(req))
        {
            var auth = StaffAuthorization.Require(req, AdminOnly);
            if (auth.Denied is not null)
            {
                return auth.Denied;
            }
        }

        if (!string.Equals(req.ContentType?.Split(';')[0].Trim(), "message/rfc822", StringComparison.OrdinalIgnoreCase))
        {
            return ApiProblem.Create(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Send the raw email.", "The body must be one raw email with Content-Type: message/rfc822.");
        }

        var (message, problem) = await ReadMessageAsync(req, options.Value.MaxAcceptedBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var accepted = await gateway.AcceptAsync(message!, Source, receivedAt: null, durable, cancellationToken);
        return new AcceptedResult((string?)null, new InboundMailResponse(accepted.IntakeKey, Duplicate: !accepted.StoredNow));
    }

    /// <summary>The raw message, read to at most <paramref name="limit"/> bytes whatever Content-Length says; or the problem: too large, or empty.</summary>
    private static async Task<(byte[]? Message, IActionResult? Problem)> ReadMessageAsync(HttpRequest req, long limit, CancellationToken cancellationToken)
    {
        var (body, problem) = await BoundedBody.ReadAsync(req, limit, () => TooLarge(limit), cancellationToken);
        if (problem is not null)
        {
            return (null, problem);
        }

        return body!.Length == 0
            ? (null, ApiProblem.BadRequest("empty-body", "The body is empty.", "Send the raw email as the body."))
            : (body, null);
    }

    private bool PresentsRelayKey(HttpRequest req)
    {
        var expected = options.Value.RelayKey;
        var presented = req.Headers[KeyHeader].FirstOrDefault();
        return Settings.IsSet(expected) && presented is not null
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected!));
    }

    private static ObjectResult TooLarge(long limit) => ApiProblem.Create(
        StatusCodes.Status413PayloadTooLarge, "body-too-large", "The message is too large.", $"A message may be at most {limit} bytes; nothing was kept.");
}
