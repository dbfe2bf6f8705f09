namespace Compliance.Functions;

/// <summary>
/// The version of the workflows' steps: every orchestration instance is stamped with the version of the code that started
/// it, and keeps it to its end. A version once released never changes its steps; a change of steps is a new version here,
/// and the orchestrator branches on <c>context.CompareVersionTo</c> so that instances of older versions replay on the
/// steps they were started with (ADR 0015). The self-host's worker and client and <c>host.json</c>'s
/// <c>defaultVersion</c> take <see cref="Current"/>; a test holds host.json to it.
/// </summary>
/// <remarks>
/// The versions, oldest first (compared as <see cref="System.Version"/>; an instance without a version is older than all):
/// <list type="bullet">
/// <item><description>none: instances started before versioning; the same steps as <see cref="First"/>.</description></item>
/// <item><description><see cref="First"/> (1): the steps as they stood when versioning came in.</description></item>
/// <item><description><see cref="SweepPurgesBeforeCertifying"/> (2): the retention sweep purges the study's finished
/// workflow histories after the suppliers' confirmations, just before its certificate, rather than before telling the
/// suppliers.</description></item>
/// </list>
/// </remarks>
public static class WorkflowVersion
{
    /// <summary>The steps as they stood when versioning came in.</summary>
    public const string First = "1";

    /// <summary>The sweep purges histories just before it certifies, so the certificate counts those that ended during the suppliers' wait.</summary>
    public const string SweepPurgesBeforeCertifying = "2";

    /// <summary>The version new instances are started with, and the newest a node of this code runs.</summary>
    public const string Current = SweepPurgesBeforeCertifying;
}
