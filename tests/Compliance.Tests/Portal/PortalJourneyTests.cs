using System.Net;
using Compliance.Mail;
using Compliance.Requests;
using Compliance.Tests.Infrastructure;
using MimeKit;

namespace Compliance.Tests.Portal;

/// <summary>
/// The portal over HTTP as a browser without JavaScript uses it, on the shared host: the study's page, the request form with
/// its anti-forgery token, what happens next, code entry and the private status page.
/// </summary>
public sealed class PortalJourneyTests(TestEnvironment env) : IDisposable
{
    private readonly PortalClient portal = new(env.Host.BaseAddress);
    private readonly RequestApi api = new(env);

    private static string Fresh(string who) => $"{who}.{Guid.NewGuid():N}@example.org";

    private static KeyValuePair<string, string>[] Fields(string type, string email, params (string Key, string Value)[] more) =>
        [new("type", type), new("email", email), .. more.Select(m => new KeyValuePair<string, string>(m.Key, m.Value))];

    [Fact]
    public async Task The_site_root_lists_the_study_and_its_page_gives_the_notice_from_the_policy()
    {
        var (home, homeHtml) = await portal.GetAsync("/");
        home.StatusCode.ShouldBe(HttpStatusCode.OK);
        home.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        homeHtml.ShouldContain($"href=\"/studies/{TestEnvironment.StudyId}\"");

        var (notice, html) = await portal.GetAsync($"/studies/{TestEnvironment.StudyId}");

        notice.StatusCode.ShouldBe(HttpStatusCode.OK);
        html.ShouldContain("before 2 September 2024");
        html.ShouldContain("10 days after your session");
        html.ShouldContain("MPATI@natcen.ac.uk");
        html.ShouldContain("dpo@natcen.ac.uk");
        html.ShouldContain("0303 123 1113");
        html.ShouldContain("3 months after the report is published");
        html.ShouldContain($"href=\"/studies/{TestEnvironment.StudyId}/request\"");
    }

    [Fact]
    public async Task Every_page_carries_the_security_headers_and_no_script()
    {
        foreach (var path in new[] { "/", $"/studies/{TestEnvironment.StudyId}", $"/studies/{TestEnvironment.StudyId}/request", "/verify", "/no-such-page" })
        {
            var (response, html) = await portal.GetAsync(path);
            response.Headers.GetValues("Content-Security-Policy").Single().ShouldContain("frame-ancestors 'none'");
            response.Headers.GetValues("Content-Security-Policy").Single().ShouldContain("default-src 'none'");
            response.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff");
            response.Headers.GetValues("Referrer-Policy").Single().ShouldBe("no-referrer");
            html.ShouldNotContain("<script", Case.Insensitive);
        }
    }

    [Fact]
    public async Task A_request_sent_from_the_form_is_recorded_acknowledged_with_a_private_link_and_shown_there()
    {
        var email = Fresh("portal");
        var form = $"/studies/{TestEnvironment.StudyId}/request";

        var (sent, _) = await portal.SubmitAsync(form, form, Fields(RequestType.Query, email, ("name", "Pat Portal"), ("details", "Which data do you hold?")));

        sent.StatusCode.ShouldBe(HttpStatusCode.SeeOther);
        var next = sent.Headers.Location!.ToString();
        next.ShouldStartWith(new Uri(env.Host.BaseAddress, $"{form}/sent?reference=DSR-").ToString());
        var requestId = System.Web.HttpUtility.ParseQueryString(new Uri(next).Query)["reference"]!;
        var (page, pageHtml) = await portal.GetAsync(next);
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        pageHtml.ShouldContain(requestId);

        var stored = await api.Store.GetAsync(requestId, TestContext.Current.CancellationToken);
        stored.Channel.ShouldBe(RequestChannel.Web);
        stored.EnteredBy.ShouldBe("participant");
        stored.IdentityConfirmed.ShouldBeFalse();

        using var acknowledgement = await api.EmailAsync(requestId, RequestEmails.AcknowledgementKey);
        var statusPath = PortalClient.StatusPathIn(acknowledgement.TextBody!);
        statusPath.ShouldStartWith($"/status/{requestId}/");
        var (status, statusHtml) = await portal.GetAsync(statusPath);
        status.StatusCode.ShouldBe(HttpStatusCode.OK);
        statusHtml.ShouldContain(requestId);
        statusHtml.ShouldContain("a question about your data");
        statusHtml.ShouldNotContain("Pat Portal");
        statusHtml.ShouldNotContain("Which data do you hold?");
    }

    [Fact]
    public async Task The_status_page_is_not_reached_by_the_reference_alone_or_a_wrong_token()
    {
        var requestId = await api.SubmitAsync(new { studyId = TestEnvironment.StudyId, type = RequestType.Query, email = Fresh("status"), details = "?" });
        var tokenLength = 43;

        foreach (var path in new[] { $"/status/{requestId}", $"/status/{requestId}/{new string('A', tokenLength)}", $"/status/{requestId}/x", $"/status/DSR-20240101-AAAAAAAA/{new string('A', tokenLength)}" })
        {
            var (response, _) = await portal.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound, path);
        }
    }

    [Fact]
    public async Task A_form_with_mistakes_comes_back_with_an_error_summary_linking_to_each_field_and_the_values_kept()
    {
        var form = $"/studies/{TestEnvironment.StudyId}/request";

        var (response, html) = await portal.SubmitAsync(form, form, [new("email", "not-an-address"), new("name", "Sam <b>Bold</b>")]);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        html.ShouldContain("<title>Error: Make a request");
        html.ShouldContain("There is a problem");
        html.ShouldContain("href=\"#type\"");
        html.ShouldContain("href=\"#email\"");
        html.ShouldContain("id=\"email-error\"");
        html.ShouldContain("value=\"not-an-address\"");
        html.ShouldContain("Sam &lt;b&gt;Bold&lt;/b&gt;");
        html.ShouldNotContain("<b>Bold</b>");
    }

    [Fact]
    public async Task A_rectification_without_new_details_is_refused_and_with_them_carries_them()
    {
        var form = $"/studies/{TestEnvironment.StudyId}/request";
        var (missing, html) = await portal.SubmitAsync(form, form, Fields(RequestType.RectifyContact, Fresh("rect")));
        missing.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        html.ShouldContain("href=\"#newName\"");

        var (sent, _) = await portal.SubmitAsync(form, form, Fields(RequestType.RectifyContact, Fresh("rect"), ("newPhone", "+44 20 7946 0000")));

        sent.StatusCode.ShouldBe(HttpStatusCode.SeeOther);
        var requestId = System.Web.HttpUtility.ParseQueryString(sent.Headers.Location!.Query)["reference"]!;
        (await api.Store.GetAsync(requestId, TestContext.Current.CancellationToken)).RequestedChange!.Phone.ShouldBe("+44 20 7946 0000");
    }

    [Fact]
    public async Task A_post_without_its_token_with_a_foreign_origin_or_from_another_site_is_refused_and_records_nothing()
    {
        var form = $"/studies/{TestEnvironment.StudyId}/request";
        var email = Fresh("forged");
        var attempts = new List<HttpResponseMessage>
        {
            (await portal.PostAsync(form, Fields(RequestType.OptOut, email))).Response,
            (await portal.PostAsync(form, Fields(RequestType.OptOut, email, ("formToken", new string('A', 43))))).Response,
            (await portal.SubmitAsync(form, form, Fields(RequestType.OptOut, email), r => r.Headers.Add("Origin", "https://attacker.example"))).Response,
            (await portal.SubmitAsync(form, form, Fields(RequestType.OptOut, email), r => { r.Headers.Remove("Sec-Fetch-Site"); r.Headers.Add("Sec-Fetch-Site", "cross-site"); })).Response,
        };

        using var fresh = new PortalClient(env.Host.BaseAddress);
        var (page, _) = await portal.GetAsync(form);
        var tokenOfAnotherBrowser = PortalClient.TokenIn((await fresh.GetAsync(form)).Html);
        attempts.Add((await portal.PostAsync(form, Fields(RequestType.OptOut, email, ("formToken", tokenOfAnotherBrowser)))).Response);

        attempts.Select(a => a.StatusCode).ShouldAllBe(s => s == HttpStatusCode.Forbidden);
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await api.Store.ListAsync(null, TestEnvironment.StudyId, TestContext.Current.CancellationToken)).ShouldNotContain(r => r.RequesterEmail == email);
    }

    [Fact]
    public async Task Staff_only_fields_in_a_form_are_ignored()
    {
        var form = $"/studies/{TestEnvironment.StudyId}/request";

        var (sent, _) = await portal.SubmitAsync(form, form, Fields(RequestType.Query, Fresh("staff"), ("channel", "letter"), ("identityConfirmed", "true"), ("receivedAt", "2020-01-01")));

        sent.StatusCode.ShouldBe(HttpStatusCode.SeeOther);
        var requestId = System.Web.HttpUtility.ParseQueryString(sent.Headers.Location!.Query)["reference"]!;
        var stored = await api.Store.GetAsync(requestId, TestContext.Current.CancellationToken);
        stored.Channel.ShouldBe(RequestChannel.Web);
        stored.IdentityConfirmed.ShouldBeFalse();
        stored.ReceivedAt.Year.ShouldBeGreaterThan(2025);
    }

    [Fact]
    public async Task A_wrong_code_an_unknown_reference_and_a_locked_code_get_the_same_page_and_the_right_code_verifies()
    {
        var email = Fresh("coder");
        await StudyApi.RegisterParticipantAsync(env.Http, TestEnvironment.StudyId, email);
        var requestId = await api.SubmitAsync(new { studyId = TestEnvironment.StudyId, type = RequestType.OptOut, email });
        var code = await api.CodeAsync(requestId);
        var wrong = code == "000000" ? "111111" : "000000";

        var (wrongResponse, wrongHtml) = await portal.SubmitAsync("/verify", "/verify", [new("reference", requestId), new("code", wrong)]);
        var (unknownResponse, unknownHtml) = await portal.SubmitAsync("/verify", "/verify", [new("reference", "DSR-20240101-AAAAAAAA"), new("code", wrong)]);

        wrongResponse.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        unknownResponse.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        Normalise(wrongHtml, requestId, wrong).ShouldBe(Normalise(unknownHtml, "DSR-20240101-AAAAAAAA", wrong));

        var (right, _) = await portal.SubmitAsync("/verify", "/verify", [new("reference", requestId.ToLowerInvariant()), new("code", code)]);
        right.StatusCode.ShouldBe(HttpStatusCode.SeeOther);
        right.Headers.Location!.AbsolutePath.ShouldBe("/verify/done");
        await api.WaitForAsync(requestId, r => r.VerifiedAt is not null, "the portal's code to verify the request");
    }

    [Fact]
    public async Task Six_wrong_codes_lock_the_code_with_the_same_page_each_time()
    {
        var email = Fresh("locked");
        await StudyApi.RegisterParticipantAsync(env.Http, TestEnvironment.StudyId, email);
        var requestId = await api.SubmitAsync(new { studyId = TestEnvironment.StudyId, type = RequestType.OptOut, email });
        var code = await api.CodeAsync(requestId);
        var wrong = code == "000000" ? "111111" : "000000";

        var pages = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var (response, html) = await portal.SubmitAsync("/verify", "/verify", [new("reference", requestId), new("code", wrong)]);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            pages.Add(Normalise(html, requestId, wrong));
        }

        var (locked, lockedHtml) = await portal.SubmitAsync("/verify", "/verify", [new("reference", requestId), new("code", code)]);

        locked.StatusCode.ShouldBe(HttpStatusCode.BadRequest, "after too many wrong codes even the right one is refused");
        pages.Distinct().Count().ShouldBe(1);
        Normalise(lockedHtml, requestId, code).ShouldBe(pages[0]);
    }

    [Fact]
    public async Task No_page_reflects_a_forged_Host_header()
    {
        foreach (var path in new[] { "/", $"/studies/{TestEnvironment.StudyId}", $"/studies/{TestEnvironment.StudyId}/request", "/verify" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Host = "attacker.example";
            using var response = await env.Http.SendAsync(request, TestContext.Current.CancellationToken);
            (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldNotContain("attacker");
            response.Headers.Select(h => string.Join(",", h.Value)).ShouldAllBe(v => !v.Contains("attacker"));
        }
    }

    /// <summary>A page without what differs by design between two answers: the token, the reference and code typed.</summary>
    private static string Normalise(string html, string reference, string code) =>
        System.Text.RegularExpressions.Regex.Replace(html, "name=\"formToken\" value=\"[^\"]*\"", "TOKEN").Replace(reference, "REF", StringComparison.Ordinal).Replace(code, "CODE", StringComparison.Ordinal);

    public void Dispose() => portal.Dispose();
}
