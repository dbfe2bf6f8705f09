using Compliance.Audit;
using Compliance.Mail.Intake;

namespace Compliance.Functions.Mail;

/// <summary>What every step of a message's intake work shares: reading the stored message, and its audit events (keyed by the intake key and the step).</summary>
internal static class MailIntakeSteps
{
    public static AuditEvent Event(string intakeKey, string action, string step, string? studyId, params (string Key, string Value)[] details)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal) { ["intakeKey"] = intakeKey };
        foreach (var (key, value) in details)
        {
            values[key] = value;
        }

        return new AuditEvent(AuditActors.System, action) { StudyId = studyId, RequestId = intakeKey, Details = values, IdempotencyKey = $"{intakeKey}:{step}" };
    }
}
