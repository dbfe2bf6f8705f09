namespace Compliance.Audit;

/// <summary>
/// The actors that are not a staff principal's id (in audit entries and in a request's history); any other actor is a staff
/// member, by principal id.
/// </summary>
public static class AuditActors
{
    /// <summary>The data subject, acting for themselves (a web form, an email).</summary>
    public const string Participant = "participant";

    /// <summary>The application itself: activities, timers.</summary>
    public const string System = "system";

    /// <summary>Whether <paramref name="actor"/> is a staff member rather than the participant or the application.</summary>
    public static bool IsStaff(string actor) => actor is not (Participant or System);
}
