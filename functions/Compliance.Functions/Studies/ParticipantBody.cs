using Compliance.Functions.Http;
using Compliance.Mail;
using Compliance.Studies;

namespace Compliance.Functions.Studies;

/// <summary>The body of <c>POST /api/studies/{id}/participants</c>: the participant's contact details and the notice they saw (the study's current one unless said).</summary>
public sealed record ParticipantBody(string Name, string Email, string? Phone, string NoticeVersion)
{
    /// <summary>The schema for a participant of <paramref name="study"/>.</summary>
    public static BodySchema<ParticipantBody> Schema(Study study) => new(
        ["name", "email", "phone", "noticeVersion"],
        f => new(
            f.Text("name", required: true, 200)!,
            f.Text("email", required: true, 254, EmailAddresses.IsPlain, "must be a single email address such as name@example.org.")!,
            f.Text("phone", required: false, 32, IsPhone, "must be a phone number: digits, spaces and + ( ) - only."),
            f.Text("noticeVersion", required: false, 64) ?? study.NoticeVersion));

    /// <summary>The participant this body registers in <paramref name="studyId"/>, with a new pseudonymous id.</summary>
    public Participant ToParticipant(string studyId, DateTimeOffset at) => new()
    {
        StudyId = studyId,
        ParticipantId = PseudonymousId.New(PseudonymousId.Participant),
        Name = Name,
        Email = Email,
        Phone = Phone,
        NoticeVersion = NoticeVersion,
        RegisteredAt = at,
    };

    private static bool IsPhone(string phone) => phone.Count(char.IsDigit) >= 6 && phone.All(c => char.IsDigit(c) || c is ' ' or '+' or '(' or ')' or '-');
}
