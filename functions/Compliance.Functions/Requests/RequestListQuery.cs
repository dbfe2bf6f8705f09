using Compliance.Functions.Http;
using Compliance.Requests;
using Compliance.Studies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Compliance.Functions.Requests;

/// <summary>The query string of <c>GET /api/requests</c>, read into a <see cref="RequestQuery"/> with a 400 naming each bad parameter.</summary>
public static class RequestListQuery
{
    internal static readonly string[] Orders = ["newest", "due"];

    public static (RequestQuery? Query, ObjectResult? Problem) Read(IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var reader = new QueryReader(query);
        reader.RejectUnknown(["status", "studyId", "type", "channel", "open", "order", .. PageQuery.Parameters]);
        var status = reader.Text("status", RequestStatus.All.Contains, $"must be one of: {string.Join(", ", RequestStatus.All)}.");
        var studyId = reader.Text("studyId", StudyIds.IsWellFormed, "must be a study id: letters, digits, '-' and '_'.");
        var type = reader.Text("type", RequestType.IsValid, $"must be one of: {string.Join(", ", RequestType.All)}.");
        var channel = reader.Text("channel", RequestChannel.IsValid, $"must be one of: {string.Join(", ", RequestChannel.All)}.");
        var open = reader.Text("open", v => v is "true" or "false", "must be true or false.");
        var order = reader.Text("order", Orders.Contains, $"must be one of: {string.Join(", ", Orders)}.");
        var page = PageQuery.Read(reader, RequestQuery.DefaultLimit);
        if (reader.Problem() is { } problem)
        {
            return (null, problem);
        }

        return (new RequestQuery(
            status,
            studyId,
            type,
            channel,
            open == "true",
            order == "due" ? RequestOrder.Due : RequestOrder.Newest,
            page.Limit,
            page.Continuation), null);
    }
}
