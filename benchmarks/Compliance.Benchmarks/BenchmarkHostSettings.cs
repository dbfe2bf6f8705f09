using System.Globalization;
using Compliance.Storage;
using Compliance.Tests.Infrastructure;
using Compliance.Tests.Mail;

namespace Compliance.Benchmarks;

/// <summary>The settings the benchmarks' self-hosts share, in one place.</summary>
internal static class BenchmarkHostSettings
{
    /// <summary>
    /// A self-host on <paramref name="storage"/> with a task hub of its own, on a free loopback port, without demo data,
    /// trusting the principal header the harness signs in with, logging warnings and worse.
    /// </summary>
    public static Dictionary<string, string?> For(string storage, string taskHub) => new(StringComparer.OrdinalIgnoreCase)
    {
        [StorageConnection.SettingName] = storage,
        ["DurableTaskHubName"] = taskHub,
        ["SelfHost:Urls"] = "http://127.0.0.1:0",
        ["SelfHost:SeedDemoData"] = "false",
        ["Auth:TrustClientPrincipalHeader"] = "true",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    /// <summary>
    /// Adds the research mailbox the intake corpus was written for (its address, Message-ID domain and relay key, for
    /// <paramref name="mailStudyId"/>), sending over SMTP to <paramref name="smtp"/>.
    /// </summary>
    public static Dictionary<string, string?> WithMailbox(this Dictionary<string, string?> settings, LoopbackSmtpServer smtp, string mailStudyId)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(smtp);
        settings["Mail:FromAddress"] = TestEnvironment.MailboxAddress;
        settings["Mail:MessageIdDomain"] = "research.example.org";
        settings["Mail:Transport"] = "smtp";
        settings["Smtp:Host"] = "127.0.0.1";
        settings["Smtp:Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture);
        settings["Smtp:Security"] = "none";
        settings["Intake:RelayKey"] = TestEnvironment.RelayKey;
        settings["Intake:StudyId"] = mailStudyId;
        return settings;
    }
}
