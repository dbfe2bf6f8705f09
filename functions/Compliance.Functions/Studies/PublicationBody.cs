using System.Globalization;
using Compliance.Functions.Http;
using Compliance.Studies;

namespace Compliance.Functions.Studies;

/// <summary>The body of <c>POST /api/studies/{id}/publication</c>: the date the study's report was published.</summary>
public sealed record PublicationBody(DateOnly PublishedOn)
{
    /// <summary>The schema for <paramref name="study"/>: published by <paramref name="now"/> (UTC), not before data collection ended.</summary>
    public static BodySchema<PublicationBody> Schema(Study study, DateTimeOffset now) => new(
        ["publishedOn"],
        f =>
        {
            var publishedOn = f.Date("publishedOn", required: true);
            if (publishedOn is { } p && p > DateOnly.FromDateTime(now.UtcDateTime))
            {
                f.Add("publishedOn", "must not be in the future: record publication once the report is out.");
            }
            else if (publishedOn is { } q && q < study.EndOfDataCollection)
            {
                f.Add("publishedOn", $"must not be before the end of data collection ({study.EndOfDataCollection.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}).");
            }

            return new PublicationBody(publishedOn.GetValueOrDefault());
        });
}
