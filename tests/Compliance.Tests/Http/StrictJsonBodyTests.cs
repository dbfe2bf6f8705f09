using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Compliance.Identity;
using Compliance.Tasks;
using Compliance.Tests.Infrastructure;
using Compliance.Tests.Mail;

namespace Compliance.Tests.Http;

/// <summary>
/// Every route that takes JSON, sent a body the parser accepts but a body must not hold: a field twice, a lone surrogate
/// escape, invalid UTF-8 in a string. Each gets a 400 validation problem naming the field, never a 500 or a silent choice.
/// </summary>
public sealed class StrictJsonBodyTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The faults: how each is written into the body around a field, and what the problem must say of it.</summary>
    public enum Fault
    {
        DuplicateKey,
        UnpairedSurrogate,
        InvalidUtf8,
    }

    /// <summary>Method, path (with placeholders filled from <see cref="Targets"/>), role, the field the fault is put in.</summary>
    private static readonly (string Method, string Path, string? Role, string Field)[] Routes =
    [
        ("POST", "/api/requests", null, "studyId"),
        ("POST", "/api/requests/{request}/verify", null, "code"),
        ("POST", "/api/requests/{request}/approve", Role.Dpo, "reason"),
        ("POST", "/api/requests/{request}/refuse", Role.Dpo, "reason"),
        ("POST", "/api/requests/{request}/extend", Role.Dpo, "reason"),
        ("POST", "/api/requests/{request}/clarify", Role.Dpo, "question"),
        ("POST", "/api/requests/{request}/resume", Role.Dpo, "reason"),
        ("POST", "/api/requests/{request}/note", Role.Dpo, "text"),
        ("POST", "/api/requests/{request}/reissue-code", Role.Dpo, "reason"),
        ("POST", "/api/tasks/{task}/complete", Role.Dpo, "outcome"),
        ("PUT", "/api/studies/{study}", Role.Admin, "title"),
        ("POST", "/api/studies/{study}/participants", Role.Researcher, "name"),
        ("POST", "/api/studies/{study}/sessions", Role.Researcher, "kind"),
        ("POST", "/api/studies/{study}/publication", Role.Researcher, "publishedOn"),
        ("PUT", "/api/suppliers/strict-json-supplier", Role.Admin, "name"),
        ("POST", "/api/holds", Role.Dpo, "reason"),
        ("POST", "/api/safeguarding", Role.Researcher, "reason"),
        ("POST", "/api/retention/run", Role.Dpo, "studyId"),
        ("POST", "graph:/api/mail/graph-notifications", null, "value"),
    ];

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static Dictionary<string, string>? targets;

    public static TheoryData<int, Fault> Cases()
    {
        var cases = new TheoryData<int, Fault>();
        for (var i = 0; i < Routes.Length; i++)
        {
            foreach (var fault in Enum.GetValues<Fault>())
            {
                cases.Add(i, fault);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_body_that_is_not_strictly_sound_JSON_is_a_400_naming_the_field(int route, Fault fault)
    {
        // Arrange
        var (method, path, role, field) = Routes[route];
        var values = await TargetsAsync();
        foreach (var (name, value) in values)
        {
            path = path.Replace("{" + name + "}", Uri.EscapeDataString(value), StringComparison.Ordinal);
        }

        var http = env.Http;
        GraphConnectorHost? graph = null;
        if (path.StartsWith("graph:", StringComparison.Ordinal))
        {
            graph = await GraphConnectorHost.StartAsync(env);
            http = TestEnvironment.ClientFor(graph.Host.BaseAddress);
            path = path["graph:".Length..];
        }

        try
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent(Body(field, fault)) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            if (role is not null)
            {
                request.SignIn(role);
            }

            // Act
            using var response = await http.SendAsync(request, Ct);

            // Assert
            var text = await response.Content.ReadAsStringAsync(Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, text);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            using var problem = JsonDocument.Parse(text);
            problem.RootElement.GetProperty("type").GetString().ShouldBe("urn:compliance:problem:validation");
            var messages = problem.RootElement.GetProperty("errors").GetProperty(field).EnumerateArray().Select(m => m.GetString()).ToList();
            messages.ShouldHaveSingleItem().ShouldBe(fault == Fault.DuplicateKey ? "appears more than once." : "is not valid text: it holds invalid UTF-8 or an unpaired surrogate.");
        }
        finally
        {
            if (graph is not null)
            {
                http.Dispose();
                await graph.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_fault_inside_a_nested_object_is_named_by_its_path()
    {
        // Arrange: an update of contact details whose new name is a lone low surrogate.
        var body = """{"studyId":"MPATI","type":"rectify-contact","email":"n@example.org","changes":{"name":"A\udc00"}}""";

        // Act
        using var response = await env.Http.SendAsync(Staff.PostJson("/api/requests", body), Ct);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        problem.GetProperty("errors").GetProperty("changes.name")[0].GetString().ShouldBe("is not valid text: it holds invalid UTF-8 or an unpaired surrogate.");
    }

    private static byte[] Body(string field, Fault fault) => fault switch
    {
        Fault.DuplicateKey => Encoding.UTF8.GetBytes($$"""{"{{field}}":"a","{{field}}":"a"}"""),
        Fault.UnpairedSurrogate => Encoding.UTF8.GetBytes($$"""{"{{field}}":"a\ud800b"}"""),
        _ => [.. Encoding.UTF8.GetBytes($$"""{"{{field}}":"a"""), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}")],
    };

    /// <summary>What the routes act on, made once: a request with a DPO review task open, and a study of its own.</summary>
    private async Task<Dictionary<string, string>> TargetsAsync()
    {
        await Gate.WaitAsync(Ct);
        try
        {
            if (targets is null)
            {
                var api = new RequestApi(env);
                var study = await StudyApi.RegisterStudyAsync(env.Http);
                var requestId = await api.SubmitConfirmedAsync(study, "complaint", $"strict.{Guid.NewGuid():N}@example.org");
                var task = await api.OpenTaskAsync(requestId, TaskKind.DpoReview);
                targets = new()
                {
                    ["request"] = requestId,
                    ["task"] = task.GetProperty("taskId").GetString()!,
                    ["study"] = study,
                };
            }

            return targets;
        }
        finally
        {
            Gate.Release();
        }
    }
}
