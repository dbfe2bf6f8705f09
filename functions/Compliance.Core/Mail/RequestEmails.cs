using System.Globalization;
using Compliance.Requests;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Text;

namespace Compliance.Mail;

/// <summary>Builds the emails a data-subject request sends, threaded by the request id.</summary>
public sealed class RequestEmails(IOptions<MailOptions> options)
{
    /// <summary>The outbox key of a request's acknowledgement.</summary>
    public const string AcknowledgementKey = "acknowledgement";

    private static readonly Dictionary<string, string> TypeDescriptions = new(StringComparer.Ordinal)
    {
        [RequestType.Access] = "a copy of your interview data",
        [RequestType.Withdraw] = "the removal of your input from the research",
        [RequestType.EraseContact] = "the deletion of your contact details",
        [RequestType.RectifyContact] = "an update to your contact details",
        [RequestType.OptOut] = "to opt out of further contact",
        [RequestType.Objection] = "an objection to how your data is used",
        [RequestType.Complaint] = "a complaint",
        [RequestType.Query] = "a question about your data",
    };

    /// <summary>The Message-ID of a request's message with <paramref name="messageKey"/>: stable, so a rebuilt message is the same message.</summary>
    public string MessageIdFor(string requestId, string messageKey) => $"{requestId}.{messageKey}@{options.Value.EffectiveMessageIdDomain}";

    /// <summary>The acknowledgement that a request has been received.</summary>
    public MimeMessage Acknowledgement(DataSubjectRequestRecord request, DateTimeOffset sentAt)
    {
        ArgumentNullException.ThrowIfNull(request);
        var what = TypeDescriptions.GetValueOrDefault(request.Type, "a request");
        var received = request.ReceivedAt.ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB"));
        var greeting = string.IsNullOrWhiteSpace(request.RequesterName) ? "Hello," : $"Dear {request.RequesterName},";
        var text =
            $"""
            {greeting}

            Thank you for your message. We received your request for {what} on {received}.
            Its reference is {request.RequestId}; please keep it in the subject line if you write to us about it.

            We will be in touch about what happens next.

            {options.Value.FromName}
            """;

        var message = NewMessage(request, AcknowledgementKey, $"We have received your request [Ref {request.RequestId}]", sentAt);
        message.Body = new MultipartAlternative
        {
            new TextPart(TextFormat.Plain) { Text = text },
            new TextPart(TextFormat.Html) { Text = ToHtml(text) },
        };
        return message;
    }

    private MimeMessage NewMessage(DataSubjectRequestRecord request, string messageKey, string subject, DateTimeOffset sentAt)
    {
        var message = new MimeMessage
        {
            MessageId = MessageIdFor(request.RequestId, messageKey),
            Subject = subject,
            Date = sentAt,
        };
        message.From.Add(new MailboxAddress(options.Value.FromName, options.Value.FromAddress));
        message.To.Add(new MailboxAddress(request.RequesterName ?? string.Empty, request.RequesterEmail));
        message.Headers.Add("Auto-Submitted", "auto-replied");
        return message;
    }

    private static string ToHtml(string text)
    {
        var paragraphs = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(p => "<p>" + System.Net.WebUtility.HtmlEncode(p.Trim()).Replace("\n", "<br>", StringComparison.Ordinal) + "</p>");
        return "<!DOCTYPE html><html><body>" + string.Concat(paragraphs) + "</body></html>";
    }
}
