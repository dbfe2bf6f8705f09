namespace Compliance.Functions.Console;

/// <summary>The staff console's settings (section <c>Console</c>).</summary>
public sealed class ConsoleOptions
{
    public const string SectionName = "Console";

    /// <summary>
    /// Whether the console offers its own sign-in page that picks a role and a name. Only a host that trusts the principal
    /// header may turn it on (the self-host does so exactly when it trusts it); in Azure sign-in is App Service Authentication's.
    /// </summary>
    public bool LocalSignIn { get; set; }

    /// <summary>
    /// Where <c>scripts/build-console.sh</c> publishes the console's files, relative to the repository: the self-host serves them
    /// from there unless <c>Console:ContentRoot</c> says otherwise.
    /// </summary>
    public const string LocalPublishFolder = "artifacts/console/wwwroot";

    /// <summary>
    /// The folder of the published console (its <c>wwwroot</c>), absolute or relative to the app's folder; by default where the
    /// Functions app's publish puts it (<c>console/wwwroot</c> beside the app).
    /// </summary>
    public string ContentRoot { get; set; } = "console/wwwroot";
}
