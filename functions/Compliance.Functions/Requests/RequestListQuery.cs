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
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        string? Pick(string name, Func<string, bool> valid, string rule)
        {
            var values = query[name];
            if (values.Count > 1)
            {
                errors[name] = ["may be given once."];
                return null;
            }

            var value = values.ToString() is { Length: > 0 } v ? v : null;
            if (value is not null && !valid(value))
            {
                errors[name] = [rule];
            }

            return value;
        }

        var status = Pick("status", RequestStatus.All.Contains, $"must be one of: {string.Join(", ", RequestStatus.All)}.");
        var studyId = Pick("studyId", StudyIds.IsWellFormed, "must be a study id: letters, digits, '-' and '_'.");
        var type = Pick("type", RequestType.IsValid, $"must be one of: {string.Join(", ", RequestType.All)}.");
        var channel = Pick("channel", RequestChannel.IsValid, $"must be one of: {string.Join(", ", RequestChannel.All)}.");
        var open = Pick("open", v => v is "true" or "false", "must be true or false.");
        var order = Pick("order", Orders.Contains, $"must be one of: {string.Join(", ", Orders)}.");
        var limit = Pick("limit", v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= RequestQuery.MaxLimit, $"must be a whole number from 1 to {RequestQuery.MaxLimit}.");
        var continuation = Pick("continuation", v => v.Length <= 400, "is not one this service gave.");
        if (errors.Count > 0)
        {
            return (null, ApiProblem.Validation(errors));
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
