using Compliance.Mail.Intake;
using Compliance.Functions.Requests;
using Compliance.Requests;
using Compliance.Tasks;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Mail;

/// <summary>
/// The intake work of one inbound message; its instance id is the message's intake key, so every delivery of the message
/// shares it. Reads and decides in an activity, then quarantines, ignores, hands a reply to its request, makes one
/// request per intent, or asks staff to triage. Holds codes, types and ids only.
/// </summary>
public static class MailIntakeOrchestration
{
    private static readonly TaskOptions ActivityRetry = Functions.ActivityRetry.Default;

    [Function(nameof(MailIntake))]
    public static async Task<MailIntakeResult> MailIntake([OrchestrationTrigger] TaskOrchestrationContext context, MailIntakeInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var key = input.IntakeKey;
        var logger = context.CreateReplaySafeLogger(nameof(MailIntake));
        var plan = await context.CallActivityAsync<MailIntakePlan>(nameof(MailIntakeActivities.ReadInboundMail), new MailStepInput(key, string.Empty, context.CurrentUtcDateTime), ActivityRetry);
        logger.LogInformation("Inbound message {IntakeKey}: {Action} ({Reason})", key, plan.Action, plan.Reason);

        switch (plan.Action)
        {
            case MailIntakeAction.Quarantine:
                await CallAsync(context, nameof(MailTaskActivities.QuarantineMail), new MailStepInput(key, plan.Reason, context.CurrentUtcDateTime));
                await StaffTaskAsync(context, new MailTaskInput(key, TaskKind.MailQuarantine, null, context.CurrentUtcDateTime));
                return Result(key, plan, []);

            case MailIntakeAction.Ignore:
                await CallAsync(context, nameof(MailTaskActivities.IgnoreMail), new MailStepInput(key, plan.Reason, context.CurrentUtcDateTime));
                return Result(key, plan, []);

            case MailIntakeAction.Reply:
                await HandReplyAsync(context, key, plan.RequestId!);
                return Result(key, plan, [plan.RequestId!]);

            case MailIntakeAction.NewRequests:
                return Result(key, plan, await MakeRequestsAsync(context, key, plan.Types, plan.Rules));

            default:
            {
                // Staff confirm the types (the task's outcome); the clock of each request made then still starts at receipt.
                var confirmed = await StaffTaskAsync(context, new MailTaskInput(key, TaskKind.MailTriage, null, context.CurrentUtcDateTime, plan.Why, plan.Offered, plan.Rules));
                if (confirmed.Outcome == TaskOutcome.NotARequest)
                {
                    await CallAsync(context, nameof(MailTaskActivities.IgnoreMail), new MailStepInput(key, TaskOutcome.NotARequest, context.CurrentUtcDateTime));
                    return Result(key, plan, []);
                }

                // One request per type staff chose: a message that asks two things makes two.
                return Result(key, plan, await MakeRequestsAsync(context, key, TaskKind.RequestTypesOf(confirmed.Outcome), null));
            }
        }
    }

    private static async Task HandReplyAsync(TaskOrchestrationContext context, string key, string requestId)
    {
        var reply = await context.CallActivityAsync<MailReplyResult>(nameof(MailReplyActivities.ApplyReply), new MailReplyInput(key, requestId, context.CurrentUtcDateTime), ActivityRetry);
        switch (reply.Outcome)
        {
            case MailReplyOutcome.Verified:
                context.SendEvent(requestId, RequestEvents.IdentityVerified, new IdentityVerifiedEvent(reply.At));
                break;
            case MailReplyOutcome.AddressConfirmed:
                context.SendEvent(requestId, RequestEvents.AddressConfirmed, new AddressConfirmedEvent(reply.At));
                break;
            case MailReplyOutcome.Resumed:
                context.SendEvent(requestId, RequestEvents.Action, new RequestActionEvent(reply.ActionId!, RequestAction.Resume, reply.At));
                break;
        }

        // Staff read every reply that is more than a code: an answer to a clarification, a question, a complaint.
        if (reply.Outcome is MailReplyOutcome.Resumed or MailReplyOutcome.Noted)
        {
            await StaffTaskAsync(context, new MailTaskInput(key, TaskKind.MailReply, requestId, context.CurrentUtcDateTime));
        }
    }

    /// <summary>Creates a staff task for the message and waits until staff complete it; its outcome is theirs.</summary>
    private static async Task<TaskCompletedEvent> StaffTaskAsync(TaskOrchestrationContext context, MailTaskInput task)
    {
        await CallAsync(context, nameof(MailTaskActivities.CreateMailTask), task);
        context.SetCustomStatus(new RequestWorkflowStatus($"waiting-for-{task.Kind}"));
        return await context.WaitForExternalEvent<TaskCompletedEvent>(RequestEvents.TaskCompleted(task.Kind));
    }

    /// <summary>One request per type; each is given the rule ids that found its type (none when staff chose it).</summary>
    private static async Task<IReadOnlyList<string>> MakeRequestsAsync(TaskOrchestrationContext context, string key, IReadOnlyList<string> types, IReadOnlyList<string>? rules)
    {
        var ids = new List<string>();
        for (var i = 0; i < types.Count; i++)
        {
            var own = rules is null ? null : ClassificationPhrase.IdsOf(rules, types[i]);
            ids.Add(await context.CallActivityAsync<string>(nameof(MailRequestActivities.CreateRequestFromMail), new MailRequestInput(key, types[i], i, context.CurrentUtcDateTime, own), ActivityRetry));
        }

        return ids;
    }

    /// <summary>
    /// Whether a stalled intake may start again from the beginning at <paramref name="step"/>: while it waits for no one, as
    /// every step is idempotent by the intake key; not once it waits for staff, who may already be working on its task.
    /// </summary>
    public static bool MayRestartAt(string? step) => step is null;

    private static Task CallAsync(TaskOrchestrationContext context, string activity, object input) => context.CallActivityAsync(activity, input, ActivityRetry);

    private static MailIntakeResult Result(string key, MailIntakePlan plan, IReadOnlyList<string> requestIds) => new(key, plan.Action, plan.Reason, requestIds);
}
