namespace Compliance.Storage;

/// <summary>
/// Every table and blob container the product uses. Infrastructure, the storage initializer and the
/// retention sweep all take their names from here.
/// </summary>
public static class StorageLayout
{
    /// <summary>Table names.</summary>
    public static class Tables
    {
        public const string Studies = "Studies";
        public const string Participants = "Participants";
        public const string Sessions = "Sessions";
        public const string Artifacts = "Artifacts";
        public const string Requests = "Requests";
        public const string Tasks = "Tasks";
        public const string Holds = "Holds";
        public const string Suppliers = "Suppliers";
        public const string AuditLog = "AuditLog";

        /// <summary>Safeguarding break-glass records: who disclosed what, why and to whom (the only way identifiable material leaves).</summary>
        public const string Disclosures = "Disclosures";

        /// <summary>The mailbox connector's own state: the Graph subscription and the inbox's delta link (docs/mailbox.md).</summary>
        public const string MailConnector = "MailConnector";

        /// <summary>Rate-limit counters: one row per rule and keyed hash of a client or email address, its current window (docs/security.md).</summary>
        public const string RateLimits = "RateLimits";

        public static IReadOnlyList<string> All { get; } = [Studies, Participants, Sessions, Artifacts, Requests, Tasks, Holds, Suppliers, AuditLog, Disclosures, MailConnector, RateLimits];
    }

    /// <summary>Blob container names. Blob names inside them hold pseudonymous ids only.</summary>
    public static class Containers
    {
        public const string Recordings = "recordings";
        public const string Transcripts = "transcripts";
        public const string Notes = "notes";
        public const string AnonymisedTranscripts = "anonymised-transcripts";
        public const string MailInbound = "mail-inbound";
        public const string MailOutbox = "mail-outbox";
        public const string Exports = "exports";

        /// <summary>Redaction logs of access exports, kept apart from the packages they describe (docs/access.md).</summary>
        public const string RedactionLogs = "redaction-logs";
        public const string Certificates = "certificates";

        /// <summary>The audit chains' heads, copied hourly and at every certificate (<see cref="Audit.AuditAnchors"/>); write-once, like certificates.</summary>
        public const string AuditAnchors = "audit-anchors";

        /// <summary>The service's own secret keys (<see cref="Keys.ServiceKeys"/>): status links and form tokens are signed with them.</summary>
        public const string Keys = "keys";

        public static IReadOnlyList<string> All { get; } = [Recordings, Transcripts, Notes, AnonymisedTranscripts, MailInbound, MailOutbox, Exports, RedactionLogs, Certificates, AuditAnchors, Keys];
    }
}
