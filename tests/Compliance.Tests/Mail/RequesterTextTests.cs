using System.Net;
using Compliance.Audit;
using Compliance.Mail;
using Compliance.Policies;
using Compliance.Requests;
using Compliance.Tasks;
using Compliance.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Compliance.Tests.Mail;

/// <summary>
/// Text a requester typed (the name they gave, their details, a new name) never appears in an email to an address nobody has
/// verified. Anyone can submit a request with any address; if we greeted by the name given, we could be made to deliver a
/// stranger's words (spam, a phishing link) from the research mailbox. Emails greet by a name from our own records or none.
/// </summary>
public sealed class RequesterTextTests(TestEnvironment env)
{
    private const string TypedName = "Click http://evil.example now";
    private const string TypedDetails = "Claim your prize at http://evil.example/prize before midnight";
    private const string TypedNewName = "Free money at http://evil.example/money";

    private static readonly string[] Typed = [TypedName, TypedDetails, TypedNewName, "evil.example", "Click", "prize"];

    private readonly RequestApi api = new(env);

    [Fact]
    public async Task A_stranger_s_name_and_details_are_in_none_of_the_emails_to_the_address_they_gave_through_to_closure()
    {
        var studyId = await StudyApi.RegisterStudyWithPolicyChangesAsync(env.Http, ("closeUnverifiedAfter: 30 days", "closeUnverifiedAfter: 5 seconds"));
        var victim = $"victim.{Guid.NewGuid():N}@example.org";

        var requestId = await api.SubmitAsync(new { studyId, type = RequestType.Access, email = victim, name = TypedName, details = TypedDetails });

        (await api.WaitForWorkflowAsync(requestId)).SerializedOutput!.ShouldContain(RequestStatus.ClosedUnverified);
        (await api.Store.FindAsync(requestId, TestContext.Current.CancellationToken))!.RequesterName.ShouldBe(TypedName, "staff still see what was typed");
        var sent = await SentMail.ReadAllAsync(api.Outbox, $"requests/{requestId}/");
        sent.Select(s => s.Name).ShouldBe(
            [Outbox.BlobNameFor(requestId, EmailKind.Acknowledgement), Outbox.BlobNameFor(requestId, EmailKind.IdentityDetailsNeeded), Outbox.BlobNameFor(requestId, EmailKind.UnverifiedClosed)],
            ignoreOrder: true);
        ShouldCarryNoTypedText(sent, victim);
    }

    [Fact]
    public async Task Someone_writing_in_a_participants_address_twice_gets_their_words_into_none_of_its_emails_and_the_code_greets_by_the_held_name()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var held = $"held.{Guid.NewGuid():N}@example.org";
        await StudyApi.RegisterParticipantAsync(env.Http, studyId, held, "Robin Held");

        var first = await api.SubmitAsync(new { studyId, type = RequestType.Access, email = held, name = TypedName, details = TypedDetails });
        var code = await api.EmailAsync(first, "verification-code-1");
        var second = await api.SubmitAsync(new { studyId, type = RequestType.Access, email = held, name = TypedName, details = TypedDetails });
        await api.EmailAsync(second, EmailKind.Duplicate);
        await api.EmailAsync(first, EmailKind.Acknowledgement);

        var sent = (await SentMail.ReadAllAsync(api.Outbox, $"requests/{first}/")).Concat(await SentMail.ReadAllAsync(api.Outbox, $"requests/{second}/")).ToList();
        sent.Select(s => s.Name).ShouldBe(
            [Outbox.BlobNameFor(first, EmailKind.Acknowledgement), Outbox.BlobNameFor(first, "verification-code-1"), Outbox.BlobNameFor(second, EmailKind.Duplicate)],
            ignoreOrder: true);
        ShouldCarryNoTypedText(sent.Where(s => !s.Name.EndsWith("verification-code-1.eml", StringComparison.Ordinal)), held);

        // The code goes to the address we hold, by the name we hold: our records, not the request's words.
        SentMail.Occurring(SentMail.Readable(code), Typed).ShouldBeEmpty();
        code.To.Mailboxes.ShouldHaveSingleItem().Name.ShouldBe("Robin Held");
        code.TextBody.ShouldStartWith("Dear Robin Held,");
    }

    [Fact]
    public async Task A_complaint_from_an_unknown_address_is_acknowledged_clarified_extended_and_answered_without_its_words()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var stranger = $"stranger.{Guid.NewGuid():N}@example.org";
        var requestId = await api.SubmitAsync(new { studyId, type = RequestType.Complaint, email = stranger, name = TypedName, details = TypedDetails });
        await api.WaitForAsync(requestId, r => r.DueDate is not null, "the clock to start");

        await api.ActOkAsync(requestId, "clarify", new { question = "Which letter do you mean?" });
        await api.WaitForStatusAsync(requestId, RequestStatus.Paused);
        await api.ActOkAsync(requestId, "resume");
        await api.WaitForStatusAsync(requestId, RequestStatus.InProgress);
        await api.ActOkAsync(requestId, "extend", new { reason = "We need to ask the interviewer." });
        await api.WaitForAsync(requestId, r => r.ExtendedTo is not null, "the extension");
        await api.CompleteTaskAsync(requestId, TaskKind.DpoReview, TaskOutcome.Resolved);
        await api.WaitForWorkflowAsync(requestId);

        var sent = await SentMail.ReadAllAsync(api.Outbox, $"requests/{requestId}/");
        sent.Select(s => s.Name[$"requests/{requestId}/".Length..].Split('-')[0]).Order(StringComparer.Ordinal).ShouldBe(["acknowledgement.eml", "clarification", "extension", "outcome.eml"]);
        ShouldCarryNoTypedText(sent, stranger);
    }

    [Fact]
    public async Task A_new_address_not_yet_confirmed_gets_its_code_without_the_new_name_typed_with_it()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var held = $"held.{Guid.NewGuid():N}@example.org";
        await StudyApi.RegisterParticipantAsync(env.Http, studyId, held, "Robin Held");
        var newAddress = $"new.{Guid.NewGuid():N}@example.org";

        var requestId = await api.SubmitConfirmedAsync(studyId, RequestType.RectifyContact, held, changes: new { email = newAddress, name = TypedNewName });

        var confirmation = await api.EmailAsync(requestId, EmailKind.AddressConfirmation);
        ShouldCarryNoTypedText([(EmailKind.AddressConfirmation, confirmation)], newAddress);
        SentMail.Occurring(SentMail.Readable(confirmation), ["Robin Held"]).ShouldBeEmpty("nor the name we hold: the address may not be theirs");
    }

    [Fact]
    public async Task No_email_of_any_kind_to_a_requester_s_address_carries_what_the_request_holds_of_their_words()
    {
        var policy = PolicyReader.Read(File.ReadAllText(Path.Combine(Repository.Root, "policies", "mpati.yaml")), "mpati.yaml");
        var emails = new RequestEmails(
            Options.Create(new MailOptions { FromAddress = "research@example.org" }),
            Options.Create(new SiteOptions { PublicBaseUrl = new Uri("https://compliance.example.org") }),
            env.Host.Services.GetRequiredService<StatusLinks>());
        var request = new DataSubjectRequestRecord
        {
            RequestId = RequestId.New(DateTimeOffset.UtcNow),
            StudyId = "MPATI",
            Type = RequestType.RectifyContact,
            Channel = RequestChannel.Web,
            ReceivedAt = DateTimeOffset.UtcNow,
            Status = RequestStatus.Received,
            RequesterEmail = "victim@example.org",
            RequesterName = TypedName,
            Details = TypedDetails,
            RequestedChange = new ContactCorrection(TypedNewName, "other@example.org", "01632 960999"),
            ParticipantRef = "Click-here",
            EnteredBy = AuditActors.Participant,
        };
        var to = EmailRecipient.Requester(request);

        var messages = new List<(string, MimeMessage)>
        {
            ("acknowledgement", (await emails.AcknowledgementAsync(request, policy, DateTimeOffset.UtcNow, TestContext.Current.CancellationToken)).Message),
            ("duplicate", emails.Duplicate(request, policy, "DSR-20261101-AAAAAAAA", DateTimeOffset.UtcNow)),
        };
        // What RequestEmails fills in itself (the greeting among them); the callers' values come from staff and our records.
        string[] common = ["requestId", "greeting", "teamName", "mailbox", "dpoName", "dpoOrganisation", "dpoAddress", "dpoEmail", "icoName", "icoAddress", "icoHelpline", "icoWebsite", "what"];
        foreach (var kind in EmailKind.All)
        {
            var extra = EmailTemplates.PlaceholdersOf(kind).Except(common).ToDictionary(p => p, p => $"[{p}]", StringComparer.Ordinal);
            messages.Add(($"{kind} (composed)", emails.Compose(request, policy, kind, kind, to, DateTimeOffset.UtcNow, extra)));
        }

        ShouldCarryNoTypedText(messages, request.RequesterEmail);
        foreach (var (_, message) in messages)
        {
            SentMail.Occurring(SentMail.Readable(message), ["Click-here", "other@example.org", "01632 960999"]).ShouldBeEmpty();
        }
    }

    /// <summary>Each message went to <paramref name="address"/> by address alone, greets "Hello," and carries nothing typed.</summary>
    private static void ShouldCarryNoTypedText(IEnumerable<(string Name, MimeMessage Message)> sent, string address)
    {
        foreach (var (name, message) in sent)
        {
            SentMail.Occurring(SentMail.Readable(message), Typed).ShouldBeEmpty($"{name} carries none of the requester's words");
            var to = message.To.Mailboxes.ShouldHaveSingleItem(name);
            to.Address.ShouldBe(address, name);
            to.Name.ShouldBeNullOrEmpty(name);
            message.TextBody.ShouldStartWith("Hello,", customMessage: name);
            message.HtmlBody!.ShouldContain($"<p>{WebUtility.HtmlEncode("Hello,")}</p>", customMessage: name);
        }
    }
}
