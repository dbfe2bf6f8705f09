using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Azure.Data.Tables;
using Compliance.Storage;
using Compliance.Tests.Identity;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Requests;

/// <summary>Every way a <c>POST /api/requests</c> body can be wrong is a 400 problem naming what is wrong, and records nothing.</summary>
public sealed class BadRequestBodyTests(TestEnvironment env)
{
    public static TheoryData<string, string[]> InvalidFields => new()
    {
        { "{}", ["studyId", "type", "email"] },
        { """{"studyId":"MPATI","type":"delete-everything","email":"a@example.org"}""", ["type"] },
        { """{"studyId":"MPATI","type":"ACCESS","email":"a@example.org"}""", ["type"] },
        { """{"studyId":"MPATI","type":"access","email":"not an email"}""", ["email"] },
        { """{"studyId":"MPATI","type":"access","email":"Alex <a@example.org>"}""", ["email"] },
        { """{"studyId":"MPATI","type":"access","email":"a@localhost"}""", ["email"] },
        { """{"studyId":"' or true or ''='","type":"access","email":"a@example.org"}""", ["studyId"] },
        { """{"studyId":42,"type":["access"],"email":true}""", ["studyId", "type", "email"] },
        { """{"studyId":"MPATI","type":"access","email":"a@example.org","participantRef":"P 1/2"}""", ["participantRef"] },
        { """{"studyId":"MPATI","type":"access","email":"a@example.org","colour":"blue"}""", ["colour"] },
        { """{"studyId":"MPATI","type":"access","email":"a@example.org","name":"Bell\u0007"}""", ["name"] },
        { """{"studyId":"MPATI","type":"access","email":"a@example.org","channel":"fax"}""", ["channel"] },
        { """{"studyId":"MPATI","type":"access","email":"a@example.org","receivedAt":"yesterday"}""", ["receivedAt"] },
        { """{"studyId":"MPATI","type":"access","email":"a@example.org","receivedAt":"2026-03-03T10:00:00"}""", ["receivedAt"] },
        { """{"studyId":"MPATI","type":"access","email":"a@example.org","receivedAt":"2999-01-01"}""", ["receivedAt"] },
        { """{"studyId":"MPATI","type":"access","email":"a@example.org","identityConfirmed":"yes"}""", ["identityConfirmed"] },
        { """{"studyId":"","type":"access","email":"a@example.org"}""", ["studyId"] },
    };

    [Theory]
    [MemberData(nameof(InvalidFields))]
    public async Task Names_every_bad_field(string body, string[] fields)
    {
        // Signed in as the DPO so that staff-only fields are judged on their values.
        using var response = await env.Http.SendAsync(Staff.PostJson("/api/requests", body, "Dpo"), TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await RouteAuthorizationTests.ShouldBeProblemAsync(response, "validation");
        var errors = problem.GetProperty("errors");
        errors.EnumerateObject().Select(e => e.Name).ShouldBe(fields, ignoreOrder: true);
        foreach (var field in errors.EnumerateObject())
        {
            field.Value.EnumerateArray().ShouldAllBe(message => !string.IsNullOrWhiteSpace(message.GetString()));
        }
    }

    [Fact]
    public async Task A_name_or_details_over_the_limit_is_refused()
    {
        var body = $$"""{"studyId":"MPATI","type":"query","email":"a@example.org","details":"{{new string('x', 10_001)}}"}""";

        using var response = await env.Http.SendAsync(Staff.PostJson("/api/requests", body), TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await RouteAuthorizationTests.ShouldBeProblemAsync(response, "validation");
        problem.GetProperty("errors").GetProperty("details")[0].GetString()!.ShouldContain("10000");
    }

    [Theory]
    [InlineData("{\"studyId\":\"MPATI\",", "malformed-json")]
    [InlineData("{'studyId':'MPATI'}", "malformed-json")]
    [InlineData("[1,2,3]", "malformed-json")]
    [InlineData("\"just a string\"", "malformed-json")]
    [InlineData("", "empty-body")]
    public async Task A_body_that_is_not_a_JSON_object_is_a_400(string body, string kind)
    {
        using var response = await env.Http.SendAsync(Staff.PostJson("/api/requests", body), TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        await RouteAuthorizationTests.ShouldBeProblemAsync(response, kind);
    }

    [Fact]
    public async Task A_body_that_is_not_JSON_content_is_a_400()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/requests")
        {
            Content = new StringContent("studyId=MPATI&type=access", Encoding.UTF8, "application/x-www-form-urlencoded"),
        };

        using var response = await env.Http.SendAsync(request, TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        await RouteAuthorizationTests.ShouldBeProblemAsync(response, "unsupported-content-type");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_oversized_body_is_refused_before_it_is_read_whole(bool sendContentLength)
    {
        var marker = $"oversized.{Guid.NewGuid():N}@example.org";
        var json = $$"""{"studyId":"MPATI","type":"query","email":"{{marker}}","details":"{{new string('x', 70_000)}}"}""";
        HttpContent content = sendContentLength
            ? new StringContent(json, Encoding.UTF8, "application/json")
            : new StreamContent(new NoLengthStream(Encoding.UTF8.GetBytes(json)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/requests") { Content = content };

        using var response = await env.Http.SendAsync(request, TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        await RouteAuthorizationTests.ShouldBeProblemAsync(response, "body-too-large");
        await ShouldHaveRecordedNothingForAsync(marker);
    }

    [Fact]
    public async Task An_invalid_body_records_nothing()
    {
        var marker = $"invalid.{Guid.NewGuid():N}@example.org";

        using var response = await env.Http.SendAsync(
            Staff.PostJson("/api/requests", $$"""{"studyId":"MPATI","type":"nope","email":"{{marker}}"}"""),
            TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        await ShouldHaveRecordedNothingForAsync(marker);
    }

    private async Task ShouldHaveRecordedNothingForAsync(string email)
    {
        var table = env.Tables.GetTableClient(StorageLayout.Tables.Requests);
        var count = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RequesterEmail eq {email}"), cancellationToken: TestContext.Current.CancellationToken))
        {
            count++;
        }

        count.ShouldBe(0);
    }

    /// <summary>A stream that does not say how long it is, so the body goes chunked with no Content-Length.</summary>
    private sealed class NoLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
