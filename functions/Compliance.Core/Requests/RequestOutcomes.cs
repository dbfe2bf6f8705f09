namespace Compliance.Requests;

/// <summary>A completed request's outcome: the kind of its outcome email without the <c>outcome-</c> prefix (<c>access</c>, <c>opt-out</c>, …).</summary>
public static class RequestOutcomes
{
    private const string Prefix = "outcome-";

    /// <summary>The outcome a request that sent <paramref name="emailKind"/> completes with.</summary>
    public static string Of(string emailKind)
    {
        ArgumentNullException.ThrowIfNull(emailKind);
        return emailKind.StartsWith(Prefix, StringComparison.Ordinal) ? emailKind[Prefix.Length..] : emailKind;
    }

    /// <summary>The outcome email's kind of <paramref name="outcome"/>.</summary>
    public static string EmailKindOf(string outcome) => Prefix + outcome;
}
