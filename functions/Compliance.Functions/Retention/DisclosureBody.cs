using Compliance.Functions.Http;
using Compliance.Retention;
using Compliance.Studies;

namespace Compliance.Functions.Retention;

/// <summary>The body of <c>POST /api/safeguarding</c>: who, why, what and to whom (<c>recipientDetails</c> when the recipient is <c>other</c>).</summary>
public sealed record DisclosureBody(string StudyId, string Scope, string TargetId, string Reason, string Disclosed, string Recipient, string? RecipientDetails)
{
    private const int MaxTextLength = 4000;
    private static readonly string[] Scopes = [HoldScope.Participant, HoldScope.Session];

    /// <summary>The schema, with the participant or session registered in <paramref name="studies"/>.</summary>
    public static BodySchema<DisclosureBody> Schema(StudyStore studies) => new(
        ["studyId", "scope", "targetId", "reason", "disclosed", "recipient", "recipientDetails"],
        f =>
        {
            var studyId = f.Text("studyId", required: true, 64, StudyIds.IsWellFormed, "must be a study id.");
            var scope = f.Text("scope", required: true, 32, Scopes.Contains, $"must be one of: {string.Join(", ", Scopes)}.");
            var targetId = f.Text("targetId", required: true, 64);
            var reason = f.Text("reason", required: true, MaxTextLength);
            var disclosed = f.Text("disclosed", required: true, MaxTextLength);
            var recipient = f.Text("recipient", required: true, 32, DisclosureRecipient.All.Contains, $"must be one of: {string.Join(", ", DisclosureRecipient.All)}.");
            var details = f.Text("recipientDetails", required: recipient == DisclosureRecipient.Other, 500);
            return new DisclosureBody(studyId!, scope!, targetId!, reason!, disclosed!, recipient!, details);
        })
    {
        Check = async (body, f, cancellationToken) =>
        {
            if (f.HasErrors)
            {
                return;
            }

            if (await studies.FindStudyAsync(body.StudyId, cancellationToken) is null)
            {
                f.Add("studyId", "is not a registered study.");
            }
            else if (body.Scope == HoldScope.Participant
                ? await studies.FindParticipantAsync(body.StudyId, body.TargetId, cancellationToken) is null
                : await studies.FindSessionAsync(body.StudyId, body.TargetId, cancellationToken) is null)
            {
                f.Add("targetId", $"is not a {body.Scope} of the study.");
            }
        },
    };

    /// <summary>The record of this disclosure, with the hold it placed and the DPO's review task.</summary>
    public Disclosure ToDisclosure(string disclosureId, string by, DateTimeOffset at, string holdId, string reviewTaskId) => new()
    {
        DisclosureId = disclosureId,
        StudyId = StudyId,
        Scope = Scope,
        TargetId = TargetId,
        Reason = Reason,
        WhatDisclosed = Disclosed,
        Recipient = Recipient,
        RecipientDetails = RecipientDetails,
        DisclosedBy = by,
        At = at,
        HoldId = holdId,
        ReviewTaskId = reviewTaskId,
    };
}
