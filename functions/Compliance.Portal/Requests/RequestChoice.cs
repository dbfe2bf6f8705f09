using Compliance.Portal.Studies;
using Compliance.Requests;

namespace Compliance.Portal.Requests;

/// <summary>A request type as the form offers it: the wire value, a label, and one sentence from the study's notice.</summary>
public sealed record RequestChoice(string Type, string Label, string Hint)
{
    /// <summary>Every type a participant can ask for, in the order the notice gives the rights, worded from the study's policy.</summary>
    public static IReadOnlyList<RequestChoice> For(StudyNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        return
        [
            new(RequestType.Access, "Get a copy of what I said", $"An anonymised transcript of your interview or focus group, from {notice.Policy.Access.TranscriptAvailableAfterSession} after your session."),
            new(RequestType.Withdraw, "Take my input out of the research", $"Possible only {notice.CutOffWords} and before the data is analysed."),
            new(RequestType.RectifyContact, "Update my contact details", "Your name, email address or phone number, at any time."),
            new(RequestType.EraseContact, "Delete my contact details", "Your name, email address and other contact information, at any time."),
            new(RequestType.OptOut, "Stop contacting me", "We will not contact you about this research again. Your interview stays in the research."),
            new(RequestType.Objection, "Object to how my data is used", "The Data Protection Officer will look at your objection and reply."),
            new(RequestType.Complaint, "Make a complaint", "The Data Protection Officer will reply. You can also complain to the regulator."),
            new(RequestType.Query, "Ask a question about my data", "The Data Protection Officer will reply."),
        ];
    }

    /// <summary>What a request of <paramref name="type"/> is, in the words a confirmation uses: <c>a copy of what you said</c>.</summary>
    public static string Describe(string type) => type switch
    {
        RequestType.Access => "a copy of what you said",
        RequestType.Withdraw => "to take your input out of the research",
        RequestType.RectifyContact => "to update your contact details",
        RequestType.EraseContact => "to delete your contact details",
        RequestType.OptOut => "to stop contacting you",
        RequestType.Objection => "an objection to how your data is used",
        RequestType.Complaint => "a complaint",
        _ => "a question about your data",
    };
}

/// <summary>What a participant typed into the request form, kept to show the form again with its errors.</summary>
public sealed record RequestFormValues(string? Type, string? Email, string? Name, string? Details, string? NewName, string? NewEmail, string? NewPhone)
{
    public static RequestFormValues Empty { get; } = new(null, null, null, null, null, null, null);
}
