using System.Globalization;
using Compliance.Policies;
using Compliance.Requests;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Text;

namespace Compliance.Mail;

/// <summary>
/// Builds the emails of a data-subject request from their templates, addressed from the study's research mailbox, threaded by
/// the request id (Message-ID per message, In-Reply-To the acknowledgement, the reference in the subject). Every word that
/// names someone comes from the study's policy or, for the recipient, from <see cref="EmailRecipient"/>; nothing the
/// requester typed is put in an email.
/// </summary>
public sealed class RequestEmails(IOptions<MailOptions> options, IOptions<SiteOptions> site, StatusLinks statusLinks)
{
    /// <summary>The outbox key of a request's acknowledgement.</summary>
    public const string AcknowledgementKey = EmailKind.Acknowledgement;

    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    private static readonly Dictionary<string, string> TypeDescriptions = new(StringComparer.Ordinal)
    {
        [RequestType.Access] = "a copy of your interview data",
        [RequestType.Withdraw] = "the removal of your input from the research",
        [RequestType.EraseContact] = "the deletion of your contact details",
        [RequestType.RectifyContact] = "an update to your contact details",
        [RequestType.OptOut] = "to opt out of further contact",
        [RequestType.Objection] = "objection",
        [RequestType.Complaint] = "complaint",
        [RequestType.Query] = "question",
    };

    /// <summary>The Message-ID of a request's message with <paramref name="messageKey"/>: stable, so a rebuilt message is the same message.</summary>
    public string MessageIdFor(string requestId, string messageKey) => $"{requestId}.{messageKey}@{options.Value.EffectiveMessageIdDomain}";

    /// <summary>
    /// The acknowledgement, to the address the request came from (not yet verified, so greeted by no name), with the private
    /// link to the request's status page (the only place that link is given); for objections, complaints and queries it
    /// carries the DPO's and the ICO's details.
    /// </summary>
    public async Task<(string Kind, MimeMessage Message)> AcknowledgementAsync(DataSubjectRequestRecord request, StudyPolicy policy, DateTimeOffset sentAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var kind = request.Type is RequestType.Objection or RequestType.Complaint or RequestType.Query ? EmailKind.AcknowledgementDpo : EmailKind.Acknowledgement;
        var to = EmailRecipient.Requester(request);
        var values = Values(request, policy, to);
        values["what"] = TypeDescriptions.GetValueOrDefault(request.Type, "request");
        values["receivedOn"] = request.ReceivedAt.ToString("d MMMM yyyy", EnGb);
        values["statusLink"] = site.Value.LinkTo(await statusLinks.PathForAsync(request.RequestId, cancellationToken));
        return (kind, Build(request, policy, EmailKind.Acknowledgement, kind, values, to, sentAt, replyTo: false));
    }

    /// <summary>A verification code, sent to the address held for the participant (<see cref="EmailRecipient.Held"/>), never to one given in the request.</summary>
    public MimeMessage VerificationCode(DataSubjectRequestRecord request, StudyPolicy policy, EmailRecipient to, string code, DateTimeOffset validUntil, string messageKey, DateTimeOffset sentAt)
    {
        var values = Values(request, policy, to);
        values["code"] = code;
        values["codeValidUntil"] = FormatMoment(validUntil);
        return Build(request, policy, messageKey, EmailKind.VerificationCode, values, to, sentAt, replyTo: true);
    }

    /// <summary>The notice, to the address the request came from, that it was linked to the requester's open request of the same type.</summary>
    public MimeMessage Duplicate(DataSubjectRequestRecord request, StudyPolicy policy, string firstRequestId, DateTimeOffset sentAt)
    {
        ArgumentNullException.ThrowIfNull(request);
        var to = EmailRecipient.Requester(request);
        var values = Values(request, policy, to);
        values["firstRequestId"] = firstRequestId;
        return Build(request, policy, EmailKind.Duplicate, EmailKind.Duplicate, values, to, sentAt, replyTo: false);
    }

    /// <summary>
    /// A request email of <paramref name="kind"/> to <paramref name="to"/> with values beyond the common ones (a question, a
    /// date, a link). Participant emails thread under the acknowledgement; staff and supplier emails start their own thread.
    /// </summary>
    public MimeMessage Compose(
        DataSubjectRequestRecord request,
        StudyPolicy policy,
        string kind,
        string messageKey,
        EmailRecipient to,
        DateTimeOffset sentAt,
        IReadOnlyDictionary<string, string> extra,
        bool toParticipant = true)
    {
        ArgumentNullException.ThrowIfNull(extra);
        var values = Values(request, policy, to);
        values["what"] = TypeDescriptions.GetValueOrDefault(request.Type, "request");
        foreach (var (key, value) in extra)
        {
            values[key] = value;
        }

        return Build(request, policy, messageKey, kind, values, to, sentAt, replyTo: toParticipant);
    }

    /// <summary>A date as the emails write it: <c>2 September 2024</c>.</summary>
    public static string FormatDate(DateOnly date) => date.ToString("d MMMM yyyy", EnGb);

    /// <summary>A moment as the emails write it, in UTC.</summary>
    public static string FormatMoment(DateTimeOffset moment) => moment.ToUniversalTime().ToString("d MMMM yyyy, HH:mm 'UTC'", EnGb);

    /// <summary>Any other request email of <paramref name="kind"/> to <paramref name="to"/>.</summary>
    public MimeMessage Simple(DataSubjectRequestRecord request, StudyPolicy policy, string kind, string messageKey, EmailRecipient to, DateTimeOffset sentAt) =>
        Build(request, policy, messageKey, kind, Values(request, policy, to), to, sentAt, replyTo: true);

    private static Dictionary<string, string> Values(DataSubjectRequestRecord request, StudyPolicy policy, EmailRecipient to)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(to);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["requestId"] = request.RequestId,
            ["greeting"] = to.Greeting,
            ["teamName"] = policy.Team.Name,
            ["mailbox"] = policy.ResearchMailbox,
            ["dpoName"] = policy.Dpo.Name,
            ["dpoOrganisation"] = policy.Dpo.Organisation,
            ["dpoAddress"] = policy.Dpo.Address,
            ["dpoEmail"] = policy.Dpo.Email,
            ["icoName"] = policy.Ico.Name,
            ["icoAddress"] = policy.Ico.Address,
            ["icoHelpline"] = policy.Ico.Helpline,
            ["icoWebsite"] = policy.Ico.Website,
        };
    }

    private MimeMessage Build(DataSubjectRequestRecord request, StudyPolicy policy, string messageKey, string kind, Dictionary<string, string> values, EmailRecipient to, DateTimeOffset sentAt, bool replyTo)
    {
        var rendered = EmailTemplates.Render(kind, values);
        var message = new MimeMessage
        {
            MessageId = MessageIdFor(request.RequestId, messageKey),
            Subject = rendered.Subject,
            Date = sentAt,
        };
        if (replyTo)
        {
            // Later messages thread under the acknowledgement, so a mail client shows one conversation per request.
            var first = MessageIdFor(request.RequestId, EmailKind.Acknowledgement);
            message.InReplyTo = first;
            message.References.Add(first);
        }

        message.From.Add(new MailboxAddress(policy.Team.Name, policy.ResearchMailbox));
        message.To.Add(to.Mailbox);
        message.Headers.Add("Auto-Submitted", "auto-replied");
        message.Body = new MultipartAlternative
        {
            new TextPart(TextFormat.Plain) { Text = rendered.Text },
            new TextPart(TextFormat.Html) { Text = rendered.Html },
        };
        return message;
    }
}
