using Compliance.Functions.Access;
using Compliance.Functions.Participants;
using Compliance.Mail;
using Compliance.Requests;
using Compliance.Tasks;
using Microsoft.DurableTask;

namespace Compliance.Functions.Requests;

/// <summary>
/// What each type of request does once its clock runs (PRODUCT.md, the notice clause by clause). Part of the
/// <c>DataSubjectRequest</c> orchestration: deterministic, every read and write in an activity, and every wait goes through
/// <see cref="RequestOversight"/> so the DPO's actions and the deadline alarms are handled meanwhile.
/// </summary>
internal static class RequestWork
{
    /// <summary>Carries out the request and returns its final status.</summary>
    public static async Task<string> RunAsync(TaskOrchestrationContext context, RequestOversight oversight, string requestId, string? type)
    {
        var work = new Work(context, oversight, requestId);
        if (type is RequestType.Objection or RequestType.Complaint or RequestType.Query)
        {
            return await work.DpoReviewAsync();
        }

        // Everything else acts on a participant's data: a requester linked to no participant has none to act on.
        var check = await work.CallAsync<ParticipantCheck>(nameof(RequestSetupActivities.CheckParticipant));
        if (!check.HasParticipant)
        {
            await work.SendOutcomeAsync(EmailKind.OutcomeNoData, close: true);
            return RequestStatus.Completed;
        }

        return type switch
        {
            RequestType.Access => await work.AccessAsync(),
            RequestType.Withdraw => await work.WithdrawAsync(),
            RequestType.EraseContact => await work.EraseContactAsync(),
            RequestType.RectifyContact => await work.RectifyContactAsync(),
            RequestType.OptOut => await work.OptOutAsync(),
            _ => throw new InvalidOperationException($"Request {requestId} has a type no workflow handles."),
        };
    }

    private sealed class Work(TaskOrchestrationContext context, RequestOversight oversight, string requestId)
    {
        /// <summary>"your interview data … in an anonymised transcript 10 days after the session".</summary>
        public async Task<string> AccessAsync()
        {
            var readiness = await CallAsync<AccessReadiness>(nameof(AccessActivities.CheckAccessReadiness));
            if (readiness.AvailableAt > context.CurrentUtcDateTime)
            {
                // Never before session date + 10 days, so that the transcription is ready.
                oversight.SetStep("waiting-for-transcript-date");
                var ready = context.CreateTimer(readiness.AvailableAt.UtcDateTime, CancellationToken.None);
                if (!await oversight.WaitUntilAsync(() => ready.IsCompleted, ready))
                {
                    return RequestStatus.Refused;
                }

                readiness = await CallAsync<AccessReadiness>(nameof(AccessActivities.CheckAccessReadiness));
            }

            if (readiness.SessionsWithoutTranscript.Count > 0)
            {
                oversight.SetStep("waiting-for-transcript");
                if (!await TaskAsync(TaskKind.TranscriptUpload))
                {
                    return RequestStatus.Refused;
                }
            }

            // The DPO may still refuse, or pause for clarification, up to here.
            if (!await oversight.WaitUntilAsync(() => true))
            {
                return RequestStatus.Refused;
            }

            oversight.SetStep("exporting");
            await CallAsync<object?>(nameof(AccessActivities.DeliverAccessExport));
            await CallAsync<object?>(nameof(RequestActivities.CompleteRequest), new OutcomeInput(requestId, EmailKind.OutcomeAccess, Close: true, context.CurrentUtcDateTime));
            return RequestStatus.Completed;
        }

        /// <summary>"before the data is analysed … only possible before 2nd September 2024": by rule, then the DPO's approval.</summary>
        public async Task<string> WithdrawAsync()
        {
            var check = await CallAsync<WithdrawalCheck>(nameof(ParticipantActivities.CheckWithdrawal));
            if (!check.Eligible)
            {
                oversight.Decided(RequestDecision.Refused);
                return RequestStatus.Refused;
            }

            oversight.SetStep("awaiting-approval");
            await CreateTaskAsync(TaskKind.Approval);
            var approvedByTask = context.WaitForExternalEvent<TaskCompletedEvent>(RequestEvents.TaskCompleted(TaskKind.Approval));
            if (!await oversight.WaitUntilAsync(() => oversight.Approved || approvedByTask.IsCompleted, approvedByTask))
            {
                return RequestStatus.Refused;
            }

            if (!oversight.Approved)
            {
                await CallAsync<object?>(nameof(RequestTaskActivities.RecordApprovalByTask));
                oversight.Decided(RequestDecision.Approved);
            }

            oversight.SetStep("deleting");
            var deletion = await CallAsync<ResearchDataDeletion>(nameof(ResearchDataActivities.DeleteResearchData));
            if (deletion.KeptForRedaction > 0)
            {
                // A focus group's shared recording holds other people's voices: it stays, and a researcher redacts this participant.
                oversight.SetStep("awaiting-redaction");
                if (!await TaskAsync(TaskKind.Redaction))
                {
                    return RequestStatus.Refused;
                }
            }

            var notice = await NotifySuppliersAsync(ParticipantActivities.SessionMaterial);
            await SendOutcomeAsync(EmailKind.OutcomeWithdraw, close: true);
            await WaitForSupplierAsync(notice);

            // The proof, once the supplier has confirmed: what was deleted, what holds kept, who was told.
            await CallAsync<string>(nameof(ParticipantActivities.IssueRequestCertificate));
            return RequestStatus.Completed;
        }

        /// <summary>Contact details "deleted … at any point": the outcome goes first, while there is still an address to send it to.</summary>
        public async Task<string> EraseContactAsync()
        {
            if (!await oversight.WaitUntilAsync(() => true))
            {
                return RequestStatus.Refused;
            }

            await SendOutcomeAsync(EmailKind.OutcomeEraseContact, close: false);
            await CallAsync<object?>(nameof(ContactActivities.EraseContact));
            var notice = await NotifySuppliersAsync(ParticipantActivities.ContactDetails);
            await CallAsync<object?>(nameof(RequestActivities.CompleteRequest), new OutcomeInput(requestId, EmailKind.OutcomeEraseContact, Close: true, context.CurrentUtcDateTime));
            await WaitForSupplierAsync(notice);

            // The proof: whose contact details went (or a hold kept), checked, and who was told.
            await CallAsync<string>(nameof(ParticipantActivities.IssueRequestCertificate));
            return RequestStatus.Completed;
        }

        /// <summary>Contact details "updated at any point": a new address replaces the old one only once a code sent to it is entered.</summary>
        public async Task<string> RectifyContactAsync()
        {
            var confirmation = await CallAsync<AddressConfirmationPlan>(nameof(RectificationActivities.RequestAddressConfirmation));
            var emailConfirmed = false;
            if (confirmation.Sent)
            {
                oversight.SetStep(RequestStatus.AwaitingAddressConfirmation);
                using var cancel = new CancellationTokenSource();
                var confirmed = context.WaitForExternalEvent<AddressConfirmedEvent>(RequestEvents.AddressConfirmed, cancel.Token);
                var expired = context.CreateTimer(confirmation.CodeValidFor.AddTo(context.CurrentUtcDateTime), cancel.Token);
                if (!await oversight.WaitUntilAsync(() => confirmed.IsCompleted || expired.IsCompleted, confirmed, expired))
                {
                    return RequestStatus.Refused;
                }

                emailConfirmed = confirmed.IsCompletedSuccessfully;
                cancel.Cancel();
            }

            var applied = await CallAsync<bool>(nameof(RectificationActivities.UpdateContact), new UpdateContactInput(requestId, emailConfirmed, context.CurrentUtcDateTime));
            if (!applied)
            {
                // Nothing the workflow could change by itself (the request said what, not how): the DPO does it by hand.
                if (!await TaskAsync(TaskKind.Rectification))
                {
                    return RequestStatus.Refused;
                }
            }

            await SendOutcomeAsync(EmailKind.OutcomeRectifyContact, close: true);
            return RequestStatus.Completed;
        }

        /// <summary>Opt-out: no further contact; the research data stays unless they also withdraw.</summary>
        public async Task<string> OptOutAsync()
        {
            if (!await oversight.WaitUntilAsync(() => true))
            {
                return RequestStatus.Refused;
            }

            await CallAsync<object?>(nameof(ContactActivities.SetDoNotContact));
            await SendOutcomeAsync(EmailKind.OutcomeOptOut, close: true);
            return RequestStatus.Completed;
        }

        /// <summary>Objections, complaints and queries go to the DPO, who resolves the task (or approves or refuses the request).</summary>
        public async Task<string> DpoReviewAsync()
        {
            oversight.SetStep("awaiting-dpo");
            if (!await TaskAsync(TaskKind.DpoReview, orDecision: true))
            {
                return RequestStatus.Refused;
            }

            await SendOutcomeAsync(EmailKind.OutcomeReviewed, close: true);
            return RequestStatus.Completed;
        }

        public Task<T> CallAsync<T>(string activity, object? input = null) =>
            oversight.StepAsync<T>(activity, input ?? new RequestStepInput(requestId, context.CurrentUtcDateTime));

        public Task SendOutcomeAsync(string kind, bool close) =>
            oversight.StepAsync(nameof(RequestActivities.SendOutcome), new OutcomeInput(requestId, kind, close, context.CurrentUtcDateTime));

        private Task<SupplierNotice> NotifySuppliersAsync(string scope) =>
            CallAsync<SupplierNotice>(nameof(ParticipantActivities.NotifySuppliers), new SupplierNoticeInput(requestId, scope, context.CurrentUtcDateTime));

        /// <summary>
        /// Art. 19: the supplier's confirmation is awaited after the requester has their answer, and audited when it comes;
        /// after the policy's time for it the workflow goes on, and the certificate records the confirmation as outstanding
        /// (the DPO's task stays open). A notice from before that bound existed (no <c>ConfirmBy</c>) is waited for as it was.
        /// </summary>
        private async Task WaitForSupplierAsync(SupplierNotice notice)
        {
            if (notice.Notified)
            {
                oversight.SetStep("awaiting-supplier-confirmation");
                await CreateTaskAsync(TaskKind.SupplierConfirmation);
                var confirmed = context.WaitForExternalEvent<TaskCompletedEvent>(RequestEvents.TaskCompleted(TaskKind.SupplierConfirmation));
                if (notice.ConfirmBy is { } confirmBy)
                {
                    await context.CameBeforeAsync(confirmed, confirmBy);
                }
                else
                {
                    await confirmed;
                }
            }
        }

        /// <summary>Creates a task of <paramref name="kind"/> and waits for it (or, when <paramref name="orDecision"/>, for an approval); false when refused.</summary>
        private async Task<bool> TaskAsync(string kind, bool orDecision = false)
        {
            await CreateTaskAsync(kind);
            var completed = context.WaitForExternalEvent<TaskCompletedEvent>(RequestEvents.TaskCompleted(kind));
            return await oversight.WaitUntilAsync(() => completed.IsCompleted || (orDecision && oversight.Approved), completed);
        }

        private Task<string> CreateTaskAsync(string kind)
        {
            // A task is due when the request is: the statutory date is the one that matters.
            var dueAt = oversight.DueDate is { } due ? UkTime.StartOf(due).UtcDateTime : context.CurrentUtcDateTime.AddDays(7);
            return DataSubjectRequestOrchestration.CreateTaskAsync(context, oversight, requestId, kind, dueAt);
        }
    }
}
