using Compliance.Functions.Http;

namespace Compliance.Functions.Requests;

/// <summary>The body of <c>POST /api/requests/{id}/verify</c>: the six-digit code from our email.</summary>
public sealed record VerifyRequestBody(string Code)
{
    public static BodySchema<VerifyRequestBody> Schema { get; } = new(
        ["code"],
        f => new(f.Text("code", required: true, 16, c => c.Length == 6 && c.All(char.IsAsciiDigit), "must be the six digits from our email.")!));
}
