using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Compliance.Tests.Infrastructure;

/// <summary>
/// A <see cref="TaskOrchestrationContext"/> that runs one orchestrator on the test's thread, in milliseconds, from a script:
/// activity results by name (a function of the input), external events raised now, at a time, or while an activity runs,
/// and a clock that moves only when a timer fires, an event arrives at its time, or a scripted activity takes time. It
/// records every activity call, timer, event, custom status and sent event. Anything unscripted (an activity, a
/// sub-orchestration, an event of the wrong type) stops the run with an exception, so an unexpected path fails loudly.
/// </summary>
/// <remarks>
/// The order in which things happen, as the real engine allows it: the orchestrator runs until it awaits; activities in
/// flight then complete one at a time, oldest first; once none is in flight, the next of the raised events and pending
/// timers arrives, earliest first (at the same instant a timer before an event; an event raised without a time arrives
/// "now"). Events follow Microsoft.DurableTask 1.28's <c>TaskOrchestrationContextWrapper</c>: names compare ignoring
/// case, an event goes to the newest waiter of its name (even one that was cancelled, which then loses it), and an event
/// nobody waits for is buffered for the next waiter. A cancelled timer never fires. Unlike the engine there is no replay
/// and no retry: a script that throws fails the call with <see cref="TaskFailedException"/> at once.
/// </remarks>
public sealed class FakeOrchestrationContext : TaskOrchestrationContext
{
    private const int MaxSteps = 10_000;

    private readonly Dictionary<string, Func<object?, object?>> activityScripts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimeSpan> activityDurations = new(StringComparer.Ordinal);
    private readonly List<InFlightActivity> inFlight = [];
    private readonly Dictionary<string, int> inFlightByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> maxInFlightByName = new(StringComparer.Ordinal);
    private readonly List<ActivityCall> activities = [];
    private readonly List<FakeTimer> timers = [];
    private readonly List<Arrival> arrivals = [];
    private readonly Dictionary<string, List<Arrival>> arrivalsDuring = new(StringComparer.Ordinal);
    private readonly List<ReceivedEvent> received = [];
    private readonly Dictionary<string, Waiter> waiters = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Queue<object>> buffered = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<SentEvent> sentEvents = [];
    private readonly List<object?> customStatuses = [];
    private readonly List<string> subOrchestrations = [];
    private readonly List<object?> continuedAsNew = [];
    private readonly OrchestratorLoop loop = new();
    private object? input;
    private int guidCounter;
    private int arrivalSequence;
    private Exception? defect;

    /// <summary>A context for instance <paramref name="instanceId"/> whose clock starts at <paramref name="startUtc"/>.</summary>
    public FakeOrchestrationContext(string instanceId, DateTime startUtc, string name = "Orchestration")
    {
        if (startUtc.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException("The orchestration's clock is UTC, as the engine's is.", nameof(startUtc));
        }

        InstanceId = instanceId;
        Name = new TaskName(name);
        Now = startUtc;
        Horizon = startUtc.AddDays(400);
    }

    public override TaskName Name { get; }

    /// <summary>The instance's workflow version: the current one unless a test runs an instance of an older release.</summary>
    public string WorkflowVersion { get; set; } = Compliance.Functions.WorkflowVersion.Current;

    public override string Version => WorkflowVersion;

    public override string InstanceId { get; }

    public override ParentOrchestrationInstance? Parent => null;

    public override DateTime CurrentUtcDateTime => Now;

    public override bool IsReplaying => false;

    protected override ILoggerFactory LoggerFactory => NullLoggerFactory.Instance;

    /// <summary>The orchestration's clock.</summary>
    public DateTime Now { get; private set; }

    /// <summary>Timers and timed events later than this do not come: a run waiting for them stops, as one waiting for an event does.</summary>
    public DateTime Horizon { get; set; }

    /// <summary>Every activity call, in the order the orchestrator made them.</summary>
    public IReadOnlyList<ActivityCall> Activities => activities;

    public IReadOnlyList<string> ActivityNames => [.. activities.Select(a => a.Name)];

    /// <summary>Every timer created, in order, with whether it fired or was cancelled.</summary>
    public IReadOnlyList<FakeTimer> Timers => timers;

    /// <summary>Timers neither fired nor cancelled: still scheduled in the engine.</summary>
    public IReadOnlyList<FakeTimer> PendingTimers => [.. timers.Where(t => t.IsPending)];

    /// <summary>Every event that arrived, in order, and what became of it (one buffered and taken later is listed twice: buffered, then delivered).</summary>
    public IReadOnlyList<ReceivedEvent> ReceivedEvents => received;

    /// <summary>Events the orchestrator sent to other instances.</summary>
    public IReadOnlyList<SentEvent> SentEvents => sentEvents;

    /// <summary>Every custom status set, in order.</summary>
    public IReadOnlyList<object?> CustomStatuses => customStatuses;

    public object? CustomStatus => customStatuses.Count > 0 ? customStatuses[^1] : null;

    /// <summary>The inputs <c>ContinueAsNew</c> was called with.</summary>
    public IReadOnlyList<object?> ContinuedAsNew => continuedAsNew;

    /// <summary>The names of the events the orchestrator waits for now (waiters neither completed nor cancelled).</summary>
    public IReadOnlyList<string> WaitingFor
    {
        get
        {
            var names = new List<string>();
            foreach (var (name, top) in waiters)
            {
                for (var w = top; w is not null; w = w.Next)
                {
                    if (!w.Task.IsCompleted)
                    {
                        names.Add(name);
                    }
                }
            }

            return names;
        }
    }

    /// <summary>Scripts activity <paramref name="name"/>: its result for an input (throw to fail the call); it takes <paramref name="takes"/> of the clock.</summary>
    public FakeOrchestrationContext OnActivity<TInput, TResult>(string name, Func<TInput, TResult> respond, TimeSpan? takes = null)
    {
        ArgumentNullException.ThrowIfNull(respond);
        activityScripts[name] = raw => raw is TInput typed
            ? respond(typed)
            : throw new FakeOrchestrationException($"Activity {name} was called with {Describe(raw)}; its script takes a {typeof(TInput).Name}.");
        activityDurations[name] = takes ?? TimeSpan.Zero;
        return this;
    }

    /// <summary>Scripts activity <paramref name="name"/> that returns nothing.</summary>
    public FakeOrchestrationContext OnActivity<TInput>(string name, TimeSpan? takes = null) =>
        OnActivity<TInput, object?>(name, _ => null, takes);

    /// <summary>Raises an event that arrives as soon as no activity is in flight, before any later timer.</summary>
    public FakeOrchestrationContext RaiseEvent(string name, object payload)
    {
        arrivals.Add(new Arrival(name, payload, null, arrivalSequence++));
        return this;
    }

    /// <summary>Raises an event that arrives at <paramref name="at"/> (UTC), unless the orchestration has finished by then.</summary>
    public FakeOrchestrationContext RaiseEventAt(DateTime at, string name, object payload)
    {
        arrivals.Add(new Arrival(name, payload, at, arrivalSequence++));
        return this;
    }

    /// <summary>Raises an event that arrives while the next call of <paramref name="activity"/> runs, before its result.</summary>
    public FakeOrchestrationContext RaiseEventDuring(string activity, string name, object payload)
    {
        if (!arrivalsDuring.TryGetValue(activity, out var list))
        {
            arrivalsDuring[activity] = list = [];
        }

        list.Add(new Arrival(name, payload, null, arrivalSequence++));
        return this;
    }

    /// <summary>The calls of activity <paramref name="name"/>.</summary>
    public IReadOnlyList<ActivityCall> CallsOf(string name) => [.. activities.Where(a => a.Name == name)];

    /// <summary>The input of the one call of activity <paramref name="name"/>.</summary>
    public T InputOf<T>(string name)
    {
        var calls = CallsOf(name);
        if (calls.Count != 1)
        {
            throw new FakeOrchestrationException($"Activity {name} was called {calls.Count} times, not once; calls: {string.Join(", ", ActivityNames)}.");
        }

        return calls[0].Input is T typed ? typed : throw new FakeOrchestrationException($"Activity {name} had input {Describe(calls[0].Input)}, not a {typeof(T).Name}.");
    }

    /// <summary>The inputs of every call of activity <paramref name="name"/>, in order.</summary>
    public IReadOnlyList<T> InputsOf<T>(string name) => [.. CallsOf(name).Select(c => (T)c.Input!)];

    /// <summary>The most calls of activity <paramref name="name"/> that were in flight at once.</summary>
    public int MaxInFlight(string name) => maxInFlightByName.GetValueOrDefault(name);

    /// <summary>Starts <paramref name="orchestrator"/> with <paramref name="orchestrationInput"/> and runs it until it finishes or waits for what does not come.</summary>
    public FakeOrchestrationRun<TResult> Run<TInput, TResult>(Func<TaskOrchestrationContext, TInput, Task<TResult>> orchestrator, TInput orchestrationInput)
    {
        ArgumentNullException.ThrowIfNull(orchestrator);
        input = orchestrationInput;
        Task<TResult>? task = null;
        Drive(() => task = orchestrator(this, orchestrationInput), () => task!);
        return new FakeOrchestrationRun<TResult>(this, task!);
    }

    /// <summary>Goes on with a run that stopped waiting (after raising more events, or moving the horizon).</summary>
    internal void Continue(Task task) => Drive(null, () => task);

    public override T? GetInput<T>() where T : default => input is T typed ? typed : default;

    public override Task<TResult> CallActivityAsync<TResult>(TaskName name, object? input = null, TaskOptions? options = null)
    {
        var call = new ActivityCall(name.Name, input, options, Now);
        activities.Add(call);
        var completion = new TaskCompletionSource<TResult>();
        if (!activityScripts.TryGetValue(call.Name, out var script))
        {
            Fail(new FakeOrchestrationException($"Activity {call.Name} has no script; it was called with {Describe(input)}. Calls so far: {string.Join(", ", ActivityNames)}."));
            return completion.Task;
        }

        var count = inFlightByName[call.Name] = inFlightByName.GetValueOrDefault(call.Name) + 1;
        maxInFlightByName[call.Name] = Math.Max(count, maxInFlightByName.GetValueOrDefault(call.Name));
        inFlight.Add(new InFlightActivity(call, () =>
        {
            inFlightByName[call.Name]--;
            Now += activityDurations[call.Name];
            object? result;
            try
            {
                result = script(input);
            }
            catch (FakeOrchestrationException e)
            {
                Fail(e);
                return;
            }
#pragma warning disable CA1031 // A script's exception is the activity's failure, whatever its type.
            catch (Exception e)
#pragma warning restore CA1031
            {
                completion.SetException(new TaskFailedException(call.Name, activities.IndexOf(call), e));
                return;
            }

            if (result is TResult typed)
            {
                completion.SetResult(typed);
            }
            else if (result is null && default(TResult) is null)
            {
                completion.SetResult(default!);
            }
            else
            {
                Fail(new FakeOrchestrationException($"Activity {call.Name}'s script returned {Describe(result)}; the orchestrator expects a {typeof(TResult).Name}."));
            }
        }));
        return completion.Task;
    }

    public override Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken)
    {
        var timer = new FakeTimer(fireAt.ToUniversalTime(), Now);
        timers.Add(timer);
        cancellationToken.Register(timer.Cancel);
        return timer.Task;
    }

    public override Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default)
    {
        var waiter = new Waiter<T>();
        if (waiters.TryGetValue(eventName, out var existing))
        {
            if (existing.EventType != typeof(T))
            {
                throw new ArgumentException($"Events with the same name must have the same type argument. Expected {existing.EventType.FullName} but was requested {typeof(T).FullName}.");
            }

            waiter.Next = existing;
        }

        waiters[eventName] = waiter;
        if (buffered.TryGetValue(eventName, out var queue))
        {
            var payload = queue.Dequeue();
            if (queue.Count == 0)
            {
                buffered.Remove(eventName);
            }

            Deliver(eventName, payload);
        }

        cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken));
        return waiter.Task;
    }

    public override void SendEvent(string instanceId, string eventName, object payload) => sentEvents.Add(new SentEvent(instanceId, eventName, payload));

    public override void SetCustomStatus(object? customStatus) => customStatuses.Add(customStatus);

    public override Task<TResult> CallSubOrchestratorAsync<TResult>(TaskName orchestratorName, object? input = null, TaskOptions? options = null)
    {
        subOrchestrations.Add(orchestratorName.Name);
        Fail(new FakeOrchestrationException($"Sub-orchestration {orchestratorName.Name} has no script; the fake has none to give."));
        return new TaskCompletionSource<TResult>().Task;
    }

    public override void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true) => continuedAsNew.Add(newInput);

    public override Guid NewGuid() => new(guidCounter++, 0, 0, [0, 0, 0, 0, 0, 0, 0, 0]);

    public override ILogger CreateReplaySafeLogger(string categoryName) => NullLogger.Instance;

    public override ILogger CreateReplaySafeLogger(Type type) => NullLogger.Instance;

    public override ILogger CreateReplaySafeLogger<T>() => NullLogger.Instance;

    internal void ThrowIfDefective()
    {
        if (defect is not null)
        {
            throw new FakeOrchestrationException(defect.Message, defect);
        }
    }

    private void Drive(Func<Task>? start, Func<Task> task)
    {
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(loop);
        loop.Enter();
        try
        {
            start?.Invoke();
            for (var step = 0; ; step++)
            {
                loop.RunPending();
                if (loop.ForeignPost)
                {
                    Fail(new FakeOrchestrationException("The orchestrator awaited something that is not a durable task (a continuation came from another thread)."));
                }

                ThrowIfDefective();
                if (task().IsCompleted)
                {
                    return;
                }

                if (step > MaxSteps)
                {
                    throw new FakeOrchestrationException($"The orchestration took more than {MaxSteps} steps without finishing (at {Now:O}); set an earlier Horizon.");
                }

                if (inFlight.Count > 0)
                {
                    var next = inFlight[0];
                    inFlight.RemoveAt(0);
                    if (arrivalsDuring.Remove(next.Call.Name, out var during))
                    {
                        foreach (var arrival in during)
                        {
                            Deliver(arrival.Name, arrival.Payload);
                        }
                    }

                    next.Complete();
                    continue;
                }

                if (!ArriveNext())
                {
                    return;
                }
            }
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    /// <summary>The earliest pending timer or raised event arrives; false when nothing more will.</summary>
    private bool ArriveNext()
    {
        var timer = timers.Where(t => t.IsPending && t.FireAt <= Horizon).MinBy(t => t.FireAt);
        var arrival = arrivals.Where(a => (a.At ?? Now) <= Horizon).OrderBy(a => a.At ?? Now).ThenBy(a => a.Sequence).FirstOrDefault();
        if (timer is null && arrival is null)
        {
            return false;
        }

        if (timer is not null && (arrival is null || timer.FireAt <= (arrival.At ?? Now)))
        {
            Now = timer.FireAt > Now ? timer.FireAt : Now;
            timer.Fire(Now);
            return true;
        }

        arrivals.Remove(arrival!);
        Now = arrival!.At is { } at && at > Now ? at : Now;
        Deliver(arrival.Name, arrival.Payload);
        return true;
    }

    private void Deliver(string name, object payload)
    {
        if (!waiters.TryGetValue(name, out var waiter))
        {
            (buffered.TryGetValue(name, out var queue) ? queue : buffered[name] = new Queue<object>()).Enqueue(payload);
            received.Add(new ReceivedEvent(name, payload, Now, EventFate.Buffered));
            return;
        }

        if (waiter.Next is null)
        {
            waiters.Remove(name);
        }
        else
        {
            waiters[name] = waiter.Next;
        }

        if (!waiter.EventType.IsInstanceOfType(payload))
        {
            Fail(new FakeOrchestrationException($"Event {name} carries {Describe(payload)}; the orchestrator waits for a {waiter.EventType.Name}."));
            return;
        }

        var taken = waiter.TrySetResult(payload);
        received.Add(new ReceivedEvent(name, payload, Now, taken ? EventFate.Delivered : EventFate.LostToCancelledWaiter));
    }

    private void Fail(Exception e) => defect ??= e;

    private static string Describe(object? value) => value is null ? "null" : $"{value.GetType().Name} {value}";

    private sealed record InFlightActivity(ActivityCall Call, Action Complete);

    private sealed record Arrival(string Name, object Payload, DateTime? At, int Sequence);

    private abstract class Waiter
    {
        public Waiter? Next { get; set; }

        public abstract Type EventType { get; }

        public abstract Task Task { get; }

        public abstract bool TrySetResult(object payload);
    }

    private sealed class Waiter<T> : Waiter
    {
        private readonly TaskCompletionSource<T> completion = new();

        public override Type EventType => typeof(T);

        public override Task<T> Task => completion.Task;

        public override bool TrySetResult(object payload) => completion.TrySetResult((T)payload);

        public void TrySetCanceled(CancellationToken token) => completion.TrySetCanceled(token);
    }

    /// <summary>
    /// The orchestrator's one thread: continuations are queued here and run by the test's thread between deliveries. A post
    /// from another thread means the orchestrator awaited something that is not a durable task.
    /// </summary>
    private sealed class OrchestratorLoop : SynchronizationContext
    {
        private readonly Queue<(SendOrPostCallback Callback, object? State)> work = new();
        private int threadId;
        private volatile bool foreignPost;

        /// <summary>Whether a continuation was posted from another thread (and so dropped).</summary>
        public bool ForeignPost => foreignPost;

        public void Enter() => threadId = Environment.CurrentManagedThreadId;

        public override void Post(SendOrPostCallback d, object? state)
        {
            if (Environment.CurrentManagedThreadId != threadId)
            {
                foreignPost = true;
                return;
            }

            work.Enqueue((d, state));
        }

        public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException("An orchestrator never sends to its own thread.");

        public override SynchronizationContext CreateCopy() => this;

        public void RunPending()
        {
            while (work.TryDequeue(out var item))
            {
                item.Callback(item.State);
            }
        }
    }
}

/// <summary>One run of an orchestrator on a <see cref="FakeOrchestrationContext"/>.</summary>
public sealed class FakeOrchestrationRun<TResult>
{
    private readonly FakeOrchestrationContext context;
    private readonly Task<TResult> task;

    internal FakeOrchestrationRun(FakeOrchestrationContext context, Task<TResult> task)
    {
        this.context = context;
        this.task = task;
    }

    /// <summary>Whether the orchestrator returned or threw; false while it waits for an event or a timer past the horizon.</summary>
    public bool IsCompleted => task.IsCompleted;

    /// <summary>What the orchestrator returned; throws if it is still waiting or failed.</summary>
    public TResult Output
    {
        get
        {
            if (!task.IsCompleted)
            {
                throw new FakeOrchestrationException(
                    $"The orchestration has not finished: at {context.Now:O} it waits for [{string.Join(", ", context.WaitingFor)}]" +
                    $" and {context.PendingTimers.Count} timer(s); calls so far: {string.Join(", ", context.ActivityNames)}.");
            }

            return task.IsFaulted ? throw new FakeOrchestrationException("The orchestration failed.", task.Exception!.InnerException!) : task.Result;
        }
    }

    /// <summary>The exception the orchestrator failed with, if it did.</summary>
    public Exception? Failure => task.Exception?.InnerException;

    /// <summary>Goes on after more events were raised or the horizon moved.</summary>
    public FakeOrchestrationRun<TResult> Continue()
    {
        context.Continue(task);
        return this;
    }
}

/// <summary>An activity call the orchestrator made: its name, input and options, at the orchestration's time.</summary>
public sealed record ActivityCall(string Name, object? Input, TaskOptions? Options, DateTime At);

/// <summary>An event sent to another instance.</summary>
public sealed record SentEvent(string InstanceId, string Name, object Payload);

/// <summary>An event that arrived, when, and what became of it.</summary>
public sealed record ReceivedEvent(string Name, object Payload, DateTime At, EventFate Fate);

/// <summary>What became of an event that arrived.</summary>
public enum EventFate
{
    /// <summary>A waiter took it.</summary>
    Delivered,

    /// <summary>Nobody waited: kept for the next waiter of its name.</summary>
    Buffered,

    /// <summary>The newest waiter of its name had been cancelled, and the event went to it all the same (as in the engine).</summary>
    LostToCancelledWaiter,
}

/// <summary>A durable timer the orchestrator created.</summary>
public sealed class FakeTimer(DateTime fireAt, DateTime createdAt)
{
    private readonly TaskCompletionSource completion = new();

    public DateTime FireAt { get; } = fireAt;

    public DateTime CreatedAt { get; } = createdAt;

    public DateTime? FiredAt { get; private set; }

    public bool IsCancelled => completion.Task.IsCanceled;

    public bool IsPending => !completion.Task.IsCompleted;

    internal Task Task => completion.Task;

    internal void Fire(DateTime at)
    {
        FiredAt = at;
        completion.TrySetResult();
    }

    internal void Cancel() => completion.TrySetCanceled();

    public override string ToString() => $"timer for {FireAt:O} (created {CreatedAt:O}){(IsCancelled ? ", cancelled" : FiredAt is null ? ", pending" : ", fired")}";
}

/// <summary>The fake was used in a way its script does not cover, or the orchestrator did something the engine would not allow.</summary>
public sealed class FakeOrchestrationException : Exception
{
    public FakeOrchestrationException(string message)
        : base(message)
    {
    }

    public FakeOrchestrationException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public FakeOrchestrationException()
    {
    }
}
