using Compliance.Audit;

namespace Compliance.Retention;

/// <summary>The audit events of a retention sweep: the study's, keyed by the sweep and the step.</summary>
public static class RetentionAuditEvents
{
    public static AuditEvent Sweep(string studyId, string action, string key, params (string Key, string Value)[] details) =>
        new(AuditActors.System, action) { StudyId = studyId, Details = details.ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal), IdempotencyKey = key };
}
