using Compliance.Functions.Requests;
using Compliance.Mail;
using Compliance.Portal.Layout;
using Compliance.Portal.Requests;
using Compliance.Requests;

namespace Compliance.Functions.Portal;

/// <summary>
/// The request form as posted, checked by the same rules as <c>POST /api/requests</c> (<see cref="SubmitRequestBody"/>'s
/// limits, <see cref="EmailAddresses.IsPlain"/>, <see cref="ContactCorrection.IsPhoneNumber"/>), each problem worded for the
/// person at the form and tied to its field.
/// </summary>
public sealed record RequestFormPost(RequestFormValues Values, FormErrors Errors)
{
    public static RequestFormPost Read(PortalForm form)
    {
        ArgumentNullException.ThrowIfNull(form);
        var values = new RequestFormValues(form["type"], form["email"], form["name"], form["details"], form["newName"], form["newEmail"], form["newPhone"]);
        var errors = new FormErrors();
        if (values.Type is null || !RequestType.IsValid(values.Type))
        {
            errors.Add("type", "Select what you would like us to do");
        }

        if (values.Email is null)
        {
            errors.Add("email", "Enter your email address");
        }
        else if (values.Email.Length > SubmitRequestBody.MaxEmailLength || !EmailAddresses.IsPlain(values.Email))
        {
            errors.Add("email", "Enter an email address in the correct format, like name@example.com");
        }

        TooLong(errors, "name", values.Name, SubmitRequestBody.MaxNameLength, "Your name");
        TooLong(errors, "details", values.Details, SubmitRequestBody.MaxDetailsLength, "What you tell us");
        CheckChanges(errors, values);
        return new RequestFormPost(values, errors);
    }

    /// <summary>The new details of a rectification; null for any other type.</summary>
    public ContactCorrection? Changes => Values.Type == RequestType.RectifyContact ? new ContactCorrection(Values.NewName, Values.NewEmail, Values.NewPhone) : null;

    /// <summary>The request this form makes, received <paramref name="now"/> on the web.</summary>
    public NewRequest ToNewRequest(string studyId, DateTimeOffset now) => new(
        studyId,
        Values.Type!,
        Values.Email!,
        Values.Name,
        Values.Details,
        RequestChannel.Web,
        now,
        IdentityConfirmed: false,
        RequestsHttp.ParticipantActor,
        Changes);

    private static void CheckChanges(FormErrors errors, RequestFormValues values)
    {
        if (values.Type != RequestType.RectifyContact)
        {
            return;
        }

        TooLong(errors, "newName", values.NewName, SubmitRequestBody.MaxNameLength, "The new name");
        if (values.NewEmail is { } email && (email.Length > SubmitRequestBody.MaxEmailLength || !EmailAddresses.IsPlain(email)))
        {
            errors.Add("newEmail", "Enter the new email address in the correct format, like name@example.com");
        }

        if (values.NewPhone is { } phone && !ContactCorrection.IsPhoneNumber(phone))
        {
            errors.Add("newPhone", "Enter the new phone number using digits, spaces, +, - and brackets only");
        }

        if (values.NewName is null && values.NewEmail is null && values.NewPhone is null)
        {
            errors.Add("newName", "Enter the new name, email address or phone number");
        }
    }

    private static void TooLong(FormErrors errors, string field, string? value, int max, string what)
    {
        if (value is not null && value.Length > max)
        {
            errors.Add(field, $"{what} must be {max:N0} characters or fewer");
        }
    }
}
