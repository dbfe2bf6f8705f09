using System.Net;
using System.Net.Http.Headers;
using Compliance.Identity;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Identity;

/// <summary>
/// Every staff route against every role and no principal: the roles PRODUCT.md names get past authorization (to a 2xx,
/// 400 or 404 for the harmless request sent), every other role gets a 403 problem, and no principal a 401.
/// </summary>
public sealed class RouteRoleMatrixTests(TestEnvironment env)
{
    private static readonly string[] Handlers = [Role.Dpo, Role.Researcher, Role.Admin];

    /// <summary>
    /// Method, path, body (JSON unless it is raw mail), the roles admitted: one row for every staff route at least (the
    /// OpenAPI document's roles are held to this table, Api/OpenApiDocumentTests).
    /// </summary>
    internal static readonly (string Method, string Path, string? Body, string[] Roles)[] Routes =
    [
        ("GET", "/api/requests/DSR-20260101-00000000", null, Handlers),
        ("GET", "/api/requests", null, Handlers),
        ("POST", "/api/requests/DSR-20260101-00000000/approve", "{}", [Role.Dpo]),
        ("GET", "/api/tasks", null, Handlers),
        ("POST", "/api/tasks/no-such-task/complete", "{}", Handlers),
        ("PUT", "/api/studies/MATRIX-NOSUCH", "{}", [Role.Admin, Role.Researcher]),
        ("POST", "/api/studies/MPATI/participants", "{}", [Role.Researcher]),
        ("POST", "/api/studies/MPATI/sessions", "{}", [Role.Researcher]),
        ("POST", "/api/studies/MPATI/sessions/S-NOSUCH00/artifacts?kind=notes", "{}", [Role.Researcher]),
        ("POST", "/api/studies/MPATI/publication", "{}", [Role.Researcher, Role.Dpo]),
        ("PUT", "/api/suppliers/matrix-supplier", "{}", [Role.Admin, Role.Dpo]),
        ("GET", "/api/audit?limit=1", null, [Role.Dpo]),
        ("GET", "/api/audit/verify", null, [Role.Dpo]),
        ("GET", "/api/health/details", null, [Role.Admin]),
        ("GET", "/api/studies/MATRIX-NOSUCH/retention", null, Handlers),
        ("POST", "/api/retention/run", """{"studyId":"MATRIX-NOSUCH"}""", [Role.Admin, Role.Dpo]),
        ("GET", "/api/certificates/DC-MATRIX-NOSUCH", null, [Role.Dpo]),
        ("POST", "/api/holds", "{}", [Role.Dpo]),
        ("DELETE", "/api/holds/H-NOSUCH00", null, [Role.Dpo]),
        ("POST", "/api/safeguarding", "{}", [Role.Researcher]),
        ("POST", "/api/mail/inbound", "mail", [Role.Admin]),
        ("GET", "/api/transcription/recordings", null, [Role.Transcriber]),
        ("GET", "/api/transcription/recordings/MPATI/A-NOSUCH00/link", null, [Role.Transcriber]),
        ("POST", "/api/transcription/recordings/MPATI/A-NOSUCH00/transcript", "{}", [Role.Transcriber]),
        ("GET", "/api/requests/DSR-20260101-00000000/emails", null, [Role.Dpo, Role.Researcher]),
        ("POST", "/api/requests/DSR-20260101-00000000/emails/acknowledgement/resend", "{}", [Role.Dpo]),
        ("POST", "/api/requests/DSR-20260101-00000000/retry", "{}", [Role.Dpo]),
        ("GET", "/api/reports/requests?studyId=MPATI", null, [Role.Dpo]),
        ("GET", "/api/suppliers", null, [Role.Admin, Role.Dpo]),
        ("GET", "/api/studies?limit=1", null, [Role.Dpo, Role.Researcher, Role.Admin, Role.OnsAnalyst]),
        ("GET", "/api/studies/MPATI", null, Handlers),
        ("GET", "/api/policies", null, Handlers),
        ("GET", "/api/studies/MPATI/participants?limit=1", null, Handlers),
        ("GET", "/api/studies/MPATI/sessions?limit=1", null, Handlers),
        ("GET", "/api/studies/MATRIX-NOSUCH/retention/sweep", null, Handlers),
        ("GET", "/api/holds?studyId=MPATI", null, Handlers),
        ("GET", "/api/certificates?studyId=MPATI", null, [Role.Dpo]),
        ("GET", "/api/safeguarding?studyId=MPATI", null, [Role.Dpo, Role.Researcher]),
        ("GET", "/api/anonymised-transcripts?studyId=MPATI", null, [Role.Dpo, Role.Researcher, Role.OnsAnalyst]),
        ("GET", "/api/anonymised-transcripts/MPATI/A-NOSUCH00", null, [Role.Dpo, Role.Researcher, Role.OnsAnalyst]),
        ("POST", "/api/studies/MPATI/sessions/S-NOSUCH00/anonymised-transcript", "{}", [Role.Researcher]),
    ];

    private static readonly SemaphoreSlim SupplierGate = new(1, 1);
    private static bool supplierRegistered;

    public static TheoryData<int, string?> Cases()
    {
        var cases = new TheoryData<int, string?>();
        for (var i = 0; i < Routes.Length; i++)
        {
            foreach (var role in Role.All)
            {
                cases.Add(i, role);
            }

            cases.Add(i, null);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_route_admits_its_roles_only(int route, string? role)
    {
        var (method, path, body, roles) = Routes[route];
        await EnsureTranscriberAsync();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body == "mail")
        {
            request.Content = new StringContent("{}");
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        else if (body is not null)
        {
            request.Content = new StringContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        if (role is not null)
        {
            request.SignIn(role);
        }

        using var response = await env.Http.SendAsync(request, TestContext.Current.CancellationToken);

        var because = $"{method} {path} as {role ?? "no principal"}";
        if (role is null)
        {
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, because);
        }
        else if (roles.Contains(role))
        {
            response.StatusCode.ShouldNotBeOneOf([HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden, HttpStatusCode.InternalServerError], because);
        }
        else
        {
            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden, because);
        }
    }

    /// <summary>The test principal (<c>staff-1</c>) is a transcriber of a supplier whose contract is current.</summary>
    private async Task EnsureTranscriberAsync()
    {
        await SupplierGate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (!supplierRegistered)
            {
                using var put = new HttpRequestMessage(HttpMethod.Put, "/api/suppliers/matrix-transcription")
                {
                    Content = System.Net.Http.Json.JsonContent.Create(new { name = "Matrix Transcriptions", approved = true, contractSignedOn = DateTime.UtcNow.AddDays(-10).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), transcribers = new[] { "staff-1" } }),
                };
                put.SignIn(Role.Dpo);
                using var response = await env.Http.SendAsync(put, TestContext.Current.CancellationToken);
                response.IsSuccessStatusCode.ShouldBeTrue();
                supplierRegistered = true;
            }
        }
        finally
        {
            SupplierGate.Release();
        }
    }
}
