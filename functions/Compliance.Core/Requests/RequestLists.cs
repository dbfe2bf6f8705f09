using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Compliance.Deadlines;

namespace Compliance.Requests;

/// <summary>How <see cref="RequestLists"/> orders requests.</summary>
public enum RequestOrder
{
    /// <summary>Newest received first (the list's default).</summary>
    Newest,

    /// <summary>Soonest due first (the extended date where there is one), requests without a due date last: the work queue.</summary>
    Due,
}

/// <summary>What <c>GET /api/requests</c> asks for: filters (each optional), the order, the page size and where the last page ended.</summary>
public sealed record RequestQuery(
    string? Status = null,
    string? StudyId = null,
    string? Type = null,
    string? Channel = null,
    bool OpenOnly = false,
    RequestOrder Order = RequestOrder.Newest,
    int Limit = RequestQuery.DefaultLimit,
    string? Continuation = null)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = Paging.KeysetPaging.MaxLimit;
}

/// <summary>
/// The requests staff list and the work queue: filtered, ordered and paged. A continuation is the sort key of the last request
/// of a page (not an offset), so a request arriving between two pages neither repeats one nor skips one.
/// </summary>
public sealed class RequestLists(RequestStore requests, EnglandAndWalesBankHolidays holidays, TimeProvider time)
{
    /// <summary>One page of the requests <paramref name="query"/> asks for.</summary>
    /// <exception cref="FormatException">The continuation is not one this queue gave.</exception>
    public async Task<RequestPage> PageAsync(RequestQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var today = UkTime.DateOf(time.GetUtcNow());
        var matching = (await requests.ListAsync(query.Status, query.StudyId, cancellationToken))
            .Where(r => (query.Type is null || r.Type == query.Type) && (query.Channel is null || r.Channel == query.Channel))
            .Where(r => !query.OpenOnly || RequestStatus.IsOpen(r.Status));
        var (page, continuation) = Paging.KeysetPaging.Take(matching, r => SortKey(r, query.Order), query.Limit, query.Continuation);
        return new RequestPage(page.Select(r => Summarise(r, today)).ToList(), continuation);
    }

    /// <summary>The request as the list shows it, with where it stands against its due date today.</summary>
    public RequestSummary Summarise(DataSubjectRequestRecord r, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new(r.RequestId, r.StudyId, r.Type, r.Status, r.Channel, r.ReceivedAt, r.DueDate, r.ExtendedTo, r.IsPaused, r.Outcome, DueStateOf(r, today), r.Stall?.Step);
    }

    /// <summary>
    /// Overdue once the due date (the extended one where there is one) has passed, due soon when it is within
    /// <see cref="DueState.SoonWorkingDays"/> working days, otherwise on time; null for a closed request or one with no due date yet.
    /// </summary>
    public string? DueStateOf(DataSubjectRequestRecord request, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!RequestStatus.IsOpen(request.Status) || (request.ExtendedTo ?? request.DueDate) is not { } due)
        {
            return null;
        }

        if (due < today)
        {
            return DueState.Overdue;
        }

        var workingDays = 0;
        for (var day = today.AddDays(1); day <= due && workingDays <= DueState.SoonWorkingDays; day = day.AddDays(1))
        {
            workingDays += holidays.IsWorkingDay(day) ? 1 : 0;
        }

        return workingDays <= DueState.SoonWorkingDays ? DueState.DueSoon : DueState.OnTime;
    }

    private static string SortKey(DataSubjectRequestRecord r, RequestOrder order) => order switch
    {
        RequestOrder.Due => string.Create(
            CultureInfo.InvariantCulture,
            $"{((r.ExtendedTo ?? r.DueDate) is { } due ? due.ToString("yyyyMMdd", CultureInfo.InvariantCulture) : "99999999")}|{r.ReceivedAt.UtcTicks:D19}|{r.RequestId}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.MaxValue.UtcTicks - r.ReceivedAt.UtcTicks:D19}|{r.RequestId}"),
    };
}
