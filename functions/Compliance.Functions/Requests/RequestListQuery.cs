using System.Globalization;
using Compliance.Functions.Http;
using Compliance.Requests;
using Compliance.Studies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Compliance.Functions.Requests;

/// <summary>The query string of <c>GET /api/requests</c>, read into a <see cref="RequestQuery"/> with a 400 naming each bad parameter.</summary>
public static class RequestListQuery
{
    private static readonly string[] Orders = ["newest", "due"];

    public static (RequestQuery? Query, ObjectResult? Problem) Read(IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var reader = new QueryReader(query);
        var status = reader.Text("status", RequestStatus.All.Contains, $"must be one of: {string.Join(", ", RequestStatus.All)}.");
        var studyId = reader.Text("studyId", StudyIds.IsWellFormed, "must be a study id: letters, digits, '-' and '_'.");
        var type = reader.Text("type", RequestType.IsValid, $"must be one of: {string.Join(", ", RequestType.All)}.");
        var channel = reader.Text("channel", RequestChannel.IsValid, $"must be one of: {string.Join(", ", RequestChannel.All)}.");
        var open = reader.Text("open", v => v is "true" or "false", "must be true or false.");
        var order = reader.Text("order", Orders.Contains, $"must be one of: {string.Join(", ", Orders)}.");
        var limit = reader.Text("limit", v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= RequestQuery.MaxLimit, $"must be a whole number from 1 to {RequestQuery.MaxLimit}.");
        var continuation = reader.Text("continuation", v => v.Length <= 400, "is not one this service gave.");
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
            limit is null ? RequestQuery.DefaultLimit : int.Parse(limit, CultureInfo.InvariantCulture),
            continuation), null);
    }
}
