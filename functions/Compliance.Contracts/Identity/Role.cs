namespace Compliance.Identity;

/// <summary>The staff roles of PRODUCT.md, spelt exactly as the app registration's app roles.</summary>
public static class Role
{
    public const string Dpo = "Dpo";
    public const string Researcher = "Researcher";
    public const string OnsAnalyst = "OnsAnalyst";
    public const string Transcriber = "Transcriber";
    public const string Admin = "Admin";

    /// <summary>Every role, in the order PRODUCT.md lists them.</summary>
    public static IReadOnlyList<string> All { get; } = [Dpo, Researcher, OnsAnalyst, Transcriber, Admin];

    /// <summary>Staff who handle data-subject requests: they read request records and may enter requests received by letter or phone.</summary>
    public static IReadOnlyList<string> RequestHandlers { get; } = [Dpo, Researcher, Admin];

    /// <summary>Staff who may see participants' contact details (and so the emails that carry them).</summary>
    public static IReadOnlyList<string> ContactReaders { get; } = [Dpo, Researcher];

    /// <summary>Who may read the anonymised copies of transcripts: ONS analysts (for whom nothing else is), researchers and the DPO.</summary>
    public static IReadOnlyList<string> AnonymisedReaders { get; } = [Dpo, Researcher, OnsAnalyst];

    /// <summary>Who may see the list of studies: everyone who works on a study's material but a transcriber.</summary>
    public static IReadOnlyList<string> StudyReaders { get; } = [Dpo, Researcher, Admin, OnsAnalyst];
}
