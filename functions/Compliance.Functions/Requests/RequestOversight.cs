using Compliance.Policies;
using Compliance.Requests;
using Microsoft.DurableTask;

namespace Compliance.Functions.Requests;

/// <summary>
/// The orchestrator's side of the DPO's oversight of one request: while the workflow waits for its work (a timer, a task, a
/// code), it handles the DPO's actions and, once the clock runs, reminds the DPO before the due date and escalates every
/// period it is overdue. Deterministic: its state is rebuilt on every replay from the activities' results.
/// </summary>
internal sealed class RequestOversight
{
    private readonly TaskOrchestrationContext context;
    private readonly string requestId;
    private readonly TaskOptions retry;
    private readonly HashSet<string> fired = new(StringComparer.Ordinal);
    private Task<RequestActionEvent> pendingAction;
    private IReadOnlyList<Period> remindBefore = [];
    private Period escalateEvery = new(1, PeriodUnit.Days);
    private bool clockRunning;
    private int codeSequence = 1;
    private int escalations;
    private DateTime? lastEscalationAt;
    private int stalls;
    private int calls;
    private string step = string.Empty;

    public RequestOversight(TaskOrchestrationContext context, string requestId, TaskOptions retry)
    {
        this.context = context;
        this.requestId = requestId;
        this.retry = retry;

        // One waiter at a time, never cancelled: an action that arrives while the workflow is busy is queued, not lost.
        pendingAction = context.WaitForExternalEvent<RequestActionEvent>(RequestEvents.Action);
    }

    /// <summary>The due date as the last activity reported it; null before the clock starts and while it is paused.</summary>
    public DateOnly? DueDate { get; private set; }

    /// <summary>Whether the clock is stopped for clarification; the workflow's work waits too.</summary>
    public bool Paused { get; private set; }

    /// <summary>The decision on the request (<see cref="RequestDecision.Approved"/> or <see cref="RequestDecision.Refused"/>), once made.</summary>
    public string? Decision { get; private set; }

    public bool Refused => Decision == RequestDecision.Refused;

    public bool Approved => Decision == RequestDecision.Approved;

    /// <summary>From now on, remind the DPO before the due date and escalate after it.</summary>
    public void ClockStarted(StartClockResult clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        clockRunning = true;
        DueDate = clock.DueDate;
        remindBefore = clock.RemindBefore ?? [];
        escalateEvery = clock.EscalateEvery ?? escalateEvery;
    }

    /// <summary>
    /// Runs one step of the workflow (an activity, with the usual retries). When the step fails them all (storage or mail
    /// down for longer than they last), the workflow does not fail: it records the stall on the request, where the work queue
    /// and the DPO see it, and runs the step again when the DPO asks (<see cref="RequestAction.Retry"/>) or, at the latest,
    /// after <see cref="RequestStall.RetryEvery"/>, as often as it takes. Its actions and alarms wait meanwhile (actions queue).
    /// On the path where nothing fails, the history is the same as calling the activity directly, so running workflows replay.
    /// </summary>
    public async Task<T> StepAsync<T>(string activity, object input)
    {
        var failures = 0;
        string? retryActionId = null;
        while (true)
        {
            try
            {
                var result = await CallAsync<T>(activity, input);
                if (failures > 0)
                {
                    await StepAsync<object?>(
                        nameof(RequestStallActivities.RecoverStall),
                        new RequestStallInput(requestId, activity, null, stalls, failures, context.CurrentUtcDateTime, retryActionId));
                }

                return result;
            }
            catch (TaskFailedException failed)
            {
                if (failures++ == 0)
                {
                    stalls++;
                }

                retryActionId = await StallAsync(new RequestStallInput(requestId, activity, failed.FailureDetails.ErrorType, stalls, failures, context.CurrentUtcDateTime));
            }
        }
    }

    /// <summary>The step the workflow is at, as its custom status shows it (and as the watchdog reads it).</summary>
    public void SetStep(string name)
    {
        step = name;
        context.SetCustomStatus(new RequestWorkflowStatus(name));
    }

    /// <summary>
    /// Calls the activity with the usual retries while the custom status names it, so the watchdog can see the workflow waits
    /// for an activity and not for a person. If the engine lost the message that would run it (the history written, the
    /// message not sent: durabletask#1046), nothing else would ever wake the workflow; the watchdog raises
    /// <see cref="RequestEvents.ResendStep"/> for this call and the activity is scheduled again (activities are idempotent).
    /// A resend naming an earlier call (the status row is older than the history, as the split-brain abort leaves it) resends this one: at worst an idempotent step runs twice. Replays as before: waiting for an event adds no history.
    /// </summary>
    private async Task<T> CallAsync<T>(string activity, object input)
    {
        var call = ++calls;
        context.SetCustomStatus(new RequestWorkflowStatus(step, activity, call));
        using var cancel = new CancellationTokenSource();
        var running = context.CallActivityAsync<T>(activity, input, retry);
        while (true)
        {
            var resend = context.WaitForExternalEvent<ResendStepEvent>(RequestEvents.ResendStep, cancel.Token);
            if (await Task.WhenAny(running, resend) == running)
            {
                cancel.Cancel();
                context.SetCustomStatus(new RequestWorkflowStatus(step));
                return await running;
            }

            // The watchdog names the call the instance's status row showed. An earlier call than this one means the row is
            // older than the history: the episode that scheduled this call was written to the history and lost the rest of
            // its commit (the row and the messages), which is the stall itself. A later one cannot come.
            if ((await resend).Call <= call)
            {
                running = context.CallActivityAsync<T>(activity, input, retry);
            }
        }
    }

    /// <inheritdoc cref="StepAsync{T}(string, object)"/>
    public Task StepAsync(string activity, object input) => StepAsync<object?>(activity, input);

    /// <summary>Records the stall (if storage lets it) and waits for the DPO's retry or the hourly one; the retry's action id, if the DPO's.</summary>
    private async Task<string?> StallAsync(RequestStallInput stall)
    {
        try
        {
            await context.CallActivityAsync(nameof(RequestStallActivities.RecordStall), stall, retry);
        }
        catch (TaskFailedException)
        {
            // Storage itself is what fails: the stall cannot be recorded now, and the step is retried within the hour anyway.
        }

        using var cancel = new CancellationTokenSource();
        var asked = context.WaitForExternalEvent<RetryStepEvent>(RequestEvents.RetryStep, cancel.Token);
        var timer = context.CreateTimer(RequestStall.RetryEvery, cancel.Token);
        var winner = await Task.WhenAny(asked, timer);
        cancel.Cancel();
        return winner == asked ? (await asked).ActionId : null;
    }

    /// <summary>Records that the workflow itself took the decision (say, approval by a completed task, or a refusal by rule).</summary>
    public void Decided(string decision) => Decision = decision;

    /// <summary>
    /// Waits until <paramref name="done"/> holds and the clock is not paused, handling the DPO's actions and the deadline alarms
    /// meanwhile; <paramref name="work"/> are the tasks whose completion may make it hold. False when the request was refused.
    /// </summary>
    public async Task<bool> WaitUntilAsync(Func<bool> done, params Task?[] work)
    {
        while (true)
        {
            // An action that arrived while an activity ran is handled before the work goes on: a refusal then stops it.
            while (pendingAction.IsCompleted)
            {
                await HandleActionAsync();
            }

            if (Refused)
            {
                return false;
            }

            if (!Paused && done())
            {
                return true;
            }

            var alarm = NextAlarm();
            using var cancel = new CancellationTokenSource();
            var waits = new List<Task> { pendingAction };
            waits.AddRange(work.OfType<Task>().Where(t => !t.IsCompleted));
            var timer = alarm is { } a ? context.CreateTimer(a.At, cancel.Token) : null;
            if (timer is not null)
            {
                waits.Add(timer);
            }

            var winner = await Task.WhenAny(waits);
            if (winner == timer)
            {
                await FireAsync(alarm!.Value);
                continue;
            }

            cancel.Cancel();
            if (winner == pendingAction)
            {
                await HandleActionAsync();
            }
        }
    }

    private async Task HandleActionAsync()
    {
        var action = await pendingAction;
        pendingAction = context.WaitForExternalEvent<RequestActionEvent>(RequestEvents.Action);
        var result = await StepAsync<RequestActionResult>(
            nameof(RequestActionActivities.ApplyRequestAction),
            new RequestActionInput(requestId, action.ActionId, context.CurrentUtcDateTime));
        Decision = result.Decision ?? Decision;
        if (clockRunning)
        {
            if (result.DueDate != DueDate)
            {
                // A new due date brings its own reminders; escalation counts afresh from it.
                DueDate = result.DueDate;
                escalations = 0;
                lastEscalationAt = null;
            }

            Paused = result.Paused;
        }

        if (result is { Action: RequestAction.ReissueCode, Applied: true })
        {
            codeSequence++;
            await StepAsync(
                nameof(VerificationCodeActivities.SendVerificationCode),
                new VerificationCodeInput(requestId, codeSequence, context.CurrentUtcDateTime));
        }
    }

    private async Task FireAsync(Alarm alarm)
    {
        await StepAsync(
            nameof(RequestNoticeActivities.RemindDpo),
            new DeadlineAlarmInput(requestId, alarm.Kind, alarm.Key, alarm.DueDate, context.CurrentUtcDateTime));
        fired.Add(alarm.Key);
        if (alarm.Kind == "escalation")
        {
            escalations++;
            lastEscalationAt = context.CurrentUtcDateTime;
        }
    }

    /// <summary>
    /// The next reminder or escalation: reminders at the policy's offsets before the start of the due day (one already past is
    /// sent at once, so a late-entered request still warns), then, from the day after it, one escalation every period.
    /// </summary>
    private Alarm? NextAlarm()
    {
        if (!clockRunning || Paused || DueDate is not { } due)
        {
            return null;
        }

        var key = RequestStore.FormatDate(due);
        var overdueFrom = UkTime.StartOf(due.AddDays(1)).UtcDateTime;
        if (context.CurrentUtcDateTime < overdueFrom)
        {
            var dueDayStarts = UkTime.StartOf(due).UtcDateTime;
            foreach (var offset in remindBefore.OrderBy(p => p.SubtractFrom(dueDayStarts)))
            {
                var reminderKey = $"reminder-{key}-{offset.ToString().Replace(' ', '-')}";
                if (!fired.Contains(reminderKey))
                {
                    return new Alarm(offset.SubtractFrom(dueDayStarts), "reminder", reminderKey, due);
                }
            }
        }

        // Escalation looks forward: the first on the day after the due date (or at once, if that has passed), then one
        // every period after the last, never a burst of the ones a late-entered request "missed".
        var escalationKey = $"escalation-{key}-{escalations + 1}";
        var at = lastEscalationAt is { } last ? escalateEvery.AddTo(last) : overdueFrom;
        return new Alarm(at, "escalation", escalationKey, due);
    }

    /// <summary>Waits for the requester's code, with the policy's reminder and closure, handling the DPO's actions meanwhile.</summary>
    public async Task<IdentityVerifiedEvent?> WaitForVerificationAsync(RequestPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var started = context.CurrentUtcDateTime;
        var closeAt = plan.CloseUnverifiedAfter.AddTo(started);
        var remindAt = plan.ReminderAfter.AddTo(started);
        using var cancel = new CancellationTokenSource();
        var verified = context.WaitForExternalEvent<IdentityVerifiedEvent>(RequestEvents.IdentityVerified, cancel.Token);
        var close = context.CreateTimer(closeAt, cancel.Token);
        if (remindAt < closeAt)
        {
            var remind = context.CreateTimer(remindAt, cancel.Token);
            if (!await WaitUntilAsync(() => verified.IsCompleted || close.IsCompleted || remind.IsCompleted, verified, close, remind))
            {
                cancel.Cancel();
                return null;
            }

            if (!verified.IsCompleted && !close.IsCompleted)
            {
                await StepAsync(nameof(VerificationActivities.SendVerificationReminder), new RequestStepInput(requestId, context.CurrentUtcDateTime));
            }
        }

        var answered = await WaitUntilAsync(() => verified.IsCompleted || close.IsCompleted, verified, close);
        var result = answered && verified.IsCompletedSuccessfully ? await verified : null;
        cancel.Cancel();
        return result;
    }

    private readonly record struct Alarm(DateTime At, string Kind, string Key, DateOnly DueDate);
}
