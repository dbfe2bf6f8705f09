using System.Net;
using System.Net.Http.Headers;
using Compliance.Identity;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Http;

/// <summary>A problem never carries what the caller sent back raw: markup, quotes and control characters are shown as '?'.</summary>
public sealed class EchoTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Hostile = "<script>alert(1)</script>\"\u0007";

    [Fact]
    public async Task An_unknown_field_name_is_named_without_its_markup()
    {
        var body = $$"""{"studyId":"MPATI","type":"query","email":"e.{{Guid.NewGuid():N}}@example.org","{{Hostile.Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\u0007", "\\u0007", StringComparison.Ordinal)}}":"x"}""";

        using var response = await env.Http.SendAsync(Staff.PostJson("/api/requests", body), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var text = await response.Content.ReadAsStringAsync(Ct);
        text.ShouldContain("?script?alert?1??/script???");
        text.ShouldNotContain("<script");
        text.ShouldNotContain("\\u003Cscript");
    }

    [Fact]
    public async Task An_unknown_action_and_a_foreign_content_type_are_quoted_without_markup()
    {
        using var action = await env.Http.SendAsync(Staff.PostJson($"/api/requests/DSR-20261202-7KQ2M9XA/{Uri.EscapeDataString("<b>x")}", "{}", Role.Dpo), Ct);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/requests") { Content = new StringContent("{}") };
        request.Content.Headers.Remove("Content-Type");
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "text/html; x=<b>");
        using var contentType = await env.Http.SendAsync(request, Ct);

        action.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await action.Content.ReadAsStringAsync(Ct)).ShouldContain("There is no action '?b?x'");
        contentType.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await contentType.Content.ReadAsStringAsync(Ct)).ShouldContain("(got 'text/html; x=?b?')");
    }
}
