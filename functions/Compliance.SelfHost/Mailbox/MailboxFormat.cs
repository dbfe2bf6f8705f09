using System.Globalization;

namespace Compliance.SelfHost.Mailbox;

/// <summary>How the mailbox's pages write dates: UK time, as the study's staff read them, and ISO 8601 for machines.</summary>
public static class MailboxFormat
{
    public static string Display(DateTimeOffset moment) =>
        UkTime.ToUkTime(moment).ToString("d MMM yyyy, HH:mm:ss", CultureInfo.GetCultureInfo("en-GB"));

    public static string Machine(DateTimeOffset moment) => moment.ToString("O", CultureInfo.InvariantCulture);
}
